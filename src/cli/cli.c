/* cli.c: global options, the command table and shared output helpers. */
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "irk/cli.h"
#include "irk/guess.h"
#include "irk/sanitize.h"
#include "irk/store.h"

#define COMMANDS(X) \
	X(init, "", "create the database", \
	  "Create the database (and its directory) if missing, and register you as\n" \
	  "its first admin. Running it again is harmless.\n") \
	X(demo, "[--seed N] [--days N]", "create a database filled with a realistic month of incidents", \
	  "Fill an empty database with a month of simulated SOC work: alerts in every\n" \
	  "format, several hundred incidents in every stage, analysts, notes, moves\n" \
	  "and closed incidents with resolutions. Refuses a database that already\n" \
	  "holds incidents. A new database is built beside PATH and put in place\n" \
	  "when complete; on a terminal a line shows the progress, day by day.\n" \
	  "  --seed N       the random seed (default 42): same seed, same month\n" \
	  "  --days N       how many days to simulate, 1 to 366 (default 30); the\n" \
	  "                 period ends now (or at $IRK_NOW)\n") \
	X(ingest, "[--format F] [--window D] [--batch N] [--storm on|off] [--json] [FILE|-]...", \
	  "read alerts into incidents", \
	  "Read JSON-lines alerts from each FILE (or standard input), de-duplicate,\n" \
	  "correlate them into incidents and print\n" \
	  "  read N, new N, duplicate N, skipped N, rejected N, incidents N\n" \
	  "(then \", kept N\" when [ingest] keep is set). Skipped records are of a\n" \
	  "known format but not alerts (a sensor's flow, dns, http... events; ECS\n" \
	  "events; Zeek logs other than notice): counted, and kept for context when\n" \
	  "[ingest] keep names their type (irk.conf(5)).\n" \
	  "Rejected lines are kept in the quarantine (irk quarantine) and named on\n" \
	  "standard error as FILE:LINE: reason. Exit 0 when no line was rejected\n" \
	  "(skipped ones included), 3 when some were, 1 on a fatal error; Ctrl-C\n" \
	  "commits what was read, prints the summary and exits 130.\n" \
	  "  -f, --format F auto (default, per line), eve, wazuh, ecs, zeek, json\n" \
	  "  --window D     correlation window (default from irk.conf, 1h)\n" \
	  "  --batch N      most lines per transaction (default from irk.conf, 20000);\n" \
	  "                 a transaction also ends after 50 ms, and when no line\n" \
	  "                 comes: a live stream is stored within ~100 ms\n" \
	  "  --storm on|off storm grouping for this ingest, whatever irk.conf and the\n" \
	  "                 plays' storm keys say (irk(1) STORM GROUPING)\n" \
	  "  --json         print the summary as JSON\n") \
	X(quarantine, "[--limit N] [--json]", "list rejected input lines", \
	  "List the lines ingest rejected, oldest first: when, source file and line,\n" \
	  "reason, and the start of the line (sanitized). A line rejected again (the\n" \
	  "same file ingested again) is kept once.\n" \
	  "  --limit N      the newest N (still oldest first)\n" \
	  "  --json         one JSON object per line, raw text included\n") \
	X(sensor, "list [--host H] [--type T] [--since D] [--until D] [--limit N] [--json] | prune [--json]", \
	  "list kept sensor events, or delete those past their retention", \
	  "Sensor events kept by irk ingest ([ingest] keep in irk.conf) stay for\n" \
	  "[ingest] keep_days days (default 7).\n" \
	  "list: the kept events, oldest first: time, type, addresses and what it\n" \
	  "names (ssh, smtp and anomaly events: the start of the raw record).\n" \
	  "  --host H       of address H, either side\n" \
	  "  --type T       of type T: dns, http, tls, fileinfo, flow, ssh, smtp, anomaly\n" \
	  "  --since D      from D: a time (2026-12-07T21:00:00Z) or a duration ago (2h)\n" \
	  "  --until D      up to D, the same way\n" \
	  "  --limit N      the newest N (default 100; 0: all), still oldest first\n" \
	  "  --json         one JSON object per line, every field and the raw record\n" \
	  "prune: irk serve deletes older ones as it runs; this deletes them once,\n" \
	  "now, in small transactions, and prints\n" \
	  "  deleted N sensor events before TIME, N kept\n" \
	  "  --json         print that as JSON\n") \
	X(asset, "import FILE... | list | show HOST [--json]", "the local asset inventory", \
	  "  import FILE... read assets from CSV with a header row (columns host, ips,\n" \
	  "                 owner, business_unit, criticality, role, site, os, tags,\n" \
	  "                 contact, any order; ips and tags separated by spaces) or a\n" \
	  "                 JSON array of objects with those keys. A known host is\n" \
	  "                 updated in place and what changed is printed; a bad record\n" \
	  "                 is named FILE:LINE on standard error, kept in the quarantine\n" \
	  "                 and counted. Prints read N, added N, updated N, unchanged N,\n" \
	  "                 rejected N; exit 3 when some were rejected.\n" \
	  "  list           every asset of the inventory by host\n" \
	  "  show HOST      one asset (HOST may be one of its addresses)\n" \
	  "  --json         as JSON (show: one object with the import keys and source)\n" \
	  "criticality: 1 (low) to 4 (critical), as asset_criticality.\n") \
	X(context, "KEY [--refresh] [--json]", "what the asset inventory and sources know about an incident", \
	  "Show an incident's context: its asset (by host, then by address) from the\n" \
	  "local inventory, else from the [context.NAME] sources of irk.conf as cached,\n" \
	  "with where it came from and how old it is; the user of its first alert\n" \
	  "(a user source); the active tickets (rt, jira\n" \
	  "sources) mentioning its host, address, user or key; the changes near its\n" \
	  "time, PLANNED CHANGE first when one covers its first event; and any source\n" \
	  "that is failing. Reading never waits for a source.\n" \
	  "  --refresh      ask the sources now (bounded by their timeouts), then feed\n" \
	  "                 the incident: criticality fills an unknown asset_criticality\n" \
	  "                 (the priority follows), the business unit an empty one;\n" \
	  "                 each change an audit event incident.context\n" \
	  "  --json         {\"asset\", \"user\", \"tickets\", \"changes\", \"errors\"} (irk(1));\n" \
	  "                 a change covering the first event is first, \"covers\": true\n") \
	X(list, "[--stage S] [--owner U|--mine|--unassigned] [--unit U] [--failed] [--approvals] " \
	  "[--observable VALUE] [--play ID [--version HASH]] " \
	  "[--limit N] [--all] [--json]", \
	  "list incidents", \
	  "List incidents by priority, then age. Open incidents only unless --all or\n" \
	  "--stage closed. The first 1000 unless --limit says otherwise; when more\n" \
	  "match, standard error says how many.\n" \
	  "  --stage S      only stage S\n" \
	  "  --owner U      only incidents held by U (--mine: yours)\n" \
	  "  --unassigned   only incidents nobody holds\n" \
	  "  --unit U       only business unit U\n" \
	  "  --failed       only incidents with a required step that failed\n" \
	  "  --approvals    only incidents with an approval waiting that you may grant\n" \
	  "  --observable V only incidents with an observable of exactly V (an IP,\n" \
	  "                 user, host, domain, hash...)\n" \
	  "  --play ID      only incidents that run play ID (--version HASH: that\n" \
	  "                 version, a prefix of its hash, as irk play show lists)\n" \
	  "  --limit N      at most N (0: all of them)\n" \
	  "  --all          closed incidents too\n" \
	  "  --json         a JSON array (see irk(1) for the fields)\n") \
	X(show, "KEY [--alerts N] [--json]", "show one incident in full", \
	  "Show an incident: its fields and times, stage history, notes, steps,\n" \
	  "alerts and observables.\n" \
	  "  --alerts N     show the newest N alerts (default 10)\n" \
	  "  --json         one JSON object (see irk(1))\n") \
	X(board, "[--all] [--limit N]", "print the board as text", \
	  "Print the board as text: one section per stage with its count and its\n" \
	  "cards (key, priority, severity, owner, age, SLA, title).\n" \
	  "  --all          list the cards of closed incidents too\n" \
	  "  --limit N      at most N cards per stage (default 100; 0: all of them)\n") \
	X(new, "--title T --severity S [--host H] [--play ID] [--unit U]", "open an incident by hand", \
	  "Open an incident for a report from a person (a phone call, a mail): its\n" \
	  "title and severity, and optionally the host it is about (recorded as an\n" \
	  "observable), the play to run (irk play list) and the business unit.\n" \
	  "Prints the new key.\n") \
	X(link, "KEY OTHER [--as related|duplicate|parent]", "link two incidents", \
	  "Link KEY to OTHER: related (the default), a duplicate of OTHER, or the\n" \
	  "parent of OTHER. irk show lists the links on both.\n" \
	  "  --as KIND      related, duplicate or parent\n") \
	X(merge, "DUPLICATE INTO", "merge a duplicate into another incident", \
	  "Move the alerts, observables and notes of DUPLICATE to INTO, link it as a\n" \
	  "duplicate of INTO and close it as duplicate (its unfinished steps are\n" \
	  "cancelled).\n") \
	X(claim, "KEY [--force --reason TEXT]", "take an incident", \
	  "Make an incident yours. Refused when someone else holds it, unless a\n" \
	  "senior takes it over with --force and a --reason; the one who held it\n" \
	  "is sent a message.\n") \
	X(watch, "KEY [--off]", "follow an incident's state changes over XMPP", \
	  "Be told (a message to your JID, sent by irk serve with [xmpp] set) when\n" \
	  "the incident is claimed, moved or closed, a step fails, an approval is\n" \
	  "due or its SLA is breached. [xmpp] watch_p1..watch_p4 in irk.conf do the\n" \
	  "same for every incident of a priority (irk.conf(5)).\n" \
	  "  --off          stop following it\n") \
	X(move, "KEY STAGE [--reason TEXT] [--force]", "move an incident to another stage", \
	  "Move an incident to STAGE (new, identification, containment, eradication,\n" \
	  "recovery, lessons-learned). A forward move is refused while required\n" \
	  "steps of the current stage, or of a stage it passes over, are not done;\n" \
	  "a senior can --force it with a --reason. Moving back needs a --reason.\n" \
	  "Use irk close to close.\n") \
	X(note, "KEY TEXT...", "add a note to an incident", \
	  "Add a note (the words of TEXT joined by spaces; - reads standard input).\n") \
	X(split, "KEY HOST [--json]", "split a host out of a storm incident", \
	  "Split HOST out of the storm incident KEY (irk(1) STORM GROUPING): a new\n" \
	  "incident takes the host's alerts and the observables they gave, and gets\n" \
	  "its play as a new incident from ingest does; the storm keeps its other\n" \
	  "hosts. HOST is one of the storm's observables of type host (irk show KEY).\n" \
	  "Later alerts of the host join the new incident. Prints the new key.\n" \
	  "  --json         {\"storm\": KEY, \"host\": HOST, \"key\": NEW}\n") \
	X(close, "KEY --resolution R [--reason TEXT] [--force]", "close an incident", \
	  "Close an incident with a resolution: true-positive, false-positive,\n" \
	  "duplicate or benign. The gate of the current stage applies as for move.\n") \
	X(set, "KEY [--new] FIELD=VALUE...", "change incident fields", \
	  "Set fields of an incident. Fields: title, summary, severity, priority (P1..P4),\n" \
	  "confidence (0..100), asset_criticality (1..4), category, vector,\n" \
	  "threat_source, root_cause, business_unit, owner, effort_min (minutes).\n" \
	  "Priority is recomputed when severity, confidence or criticality change.\n" \
	  "An incident someone else holds can be changed by a senior or admin only;\n" \
	  "an owner must be a registered user (when any are registered). A\n" \
	  "business_unit no open incident has is refused, naming the nearest one,\n" \
	  "unless --new says it is a new unit.\n" \
	  "  --new          the business_unit given is a new one\n") \
	X(play, "lint [FILE...] | list [--json] | show ID [--version HASH] [--json] | " \
	  "assign KEY ID [--reason TEXT] | " \
	  "test ID|FILE ALERT.jsonl [--inputs [STEP.]NAME=V]... [--responses DIR] [--json] | " \
	  "import FILE.json [-o OUT] [--stages S,S...] | export ID|FILE [--cacao] [-o OUT]", \
	  "check, list, show, assign, dry-run, import and export plays", \
	  "  lint FILE...   check play files: every problem as FILE:LINE:COLUMN: message\n" \
	  "                 on standard error; exit 1 when there is any error. Without\n" \
	  "                 FILE, every play in the play directories.\n" \
	  "  list           the plays loaded, in matching order (priority, directory,\n" \
	  "                 id), with the directories searched\n" \
	  "  show ID        one play: match, steps, and the versions the database\n" \
	  "                 knows (--version HASH shows a stored version)\n" \
	  "  assign KEY ID  give incident KEY the play ID (an incident opened by hand,\n" \
	  "                 one no play matched), or change its play to ID: the old\n" \
	  "                 play's unfinished steps are cancelled and kept as\n" \
	  "                 OLDPLAY/STEP; once its steps ran, a senior only, with\n" \
	  "                 --reason TEXT\n" \
	  "  test ID|FILE ALERT.jsonl\n" \
	  "                 dry run over the file's first alert: nothing written, run\n" \
	  "                 or sent. Whether the play matches (and which would win),\n" \
	  "                 each when with the values it read, what each step would\n" \
	  "                 run with its templates rendered. Exit 0 when it matches,\n" \
	  "                 1 when not. --json: {matches, winner, steps: [...]}\n" \
	  "                 --inputs [STEP.]NAME=V: a manual step's input; --responses\n" \
	  "                 DIR: canned outputs of steps, DIR/STEP-ID (JSON)\n" \
	  "  import FILE.json\n" \
	  "                 a CACAO 2.0 playbook as an irk play, on standard output\n" \
	  "                 (-o OUT: into OUT). What it cannot map is named by JSON\n" \
	  "                 path on standard error and kept as x-cacao data: exit 3.\n" \
	  "                 --stages S,S...: the stages to spread the steps over\n" \
	  "                 (default identification,containment,eradication,recovery)\n" \
	  "  export ID|FILE the play as it is, or with --cacao as a CACAO 2.0\n" \
	  "                 playbook (exit 3 when a step could only be described)\n" \
	  "Play directories: $IRK_PLAYS (colon-separated), plays.path in irk.conf, then\n" \
	  "the bundled plays. The format is in irk-play(5).\n") \
	X(step, "list KEY [--json] | show KEY STEP [--json] | tick KEY STEP N... [--untick] | " \
	  "done KEY STEP [--input NAME=VALUE]... | " \
	  "skip KEY STEP --reason TEXT | retry KEY STEP [--reason TEXT]", \
	  "list and work the steps of an incident's play", \
	  "  list KEY       the steps with stage, kind, state, who and title\n" \
	  "                 (--json: every field, outputs and definitions included)\n" \
	  "  show KEY STEP  instructions, checklist, inputs, output and log of a step\n" \
	  "                 (--json: one object, see JSON OUTPUT in irk(1))\n" \
	  "  tick KEY STEP N...  tick checklist items by their number in show\n" \
	  "                 (--untick: take the ticks back); each is recorded\n" \
	  "  done KEY STEP  finish a step you did (a manual step, or an automated one\n" \
	  "                 done by hand); --input NAME=VALUE records its inputs\n" \
	  "  skip KEY STEP  skip a step (--reason required; a required step only by a\n" \
	  "                 senior); steps that need it are skipped too\n" \
	  "  retry KEY STEP run a failed or waiting automated step again, or ask a\n" \
	  "                 denied approval again (a senior, or the approval's role)\n") \
	X(approve, "KEY STEP", "grant an approval step", \
	  "Grant an approval that waits. You need the role the step names (senior by\n" \
	  "default; admin counts as senior) and must not have asked for it, asked for\n" \
	  "it again or denied it before.\n") \
	X(deny, "KEY STEP --reason TEXT", "refuse an approval step", \
	  "Refuse an approval (a reason is required). The steps that need it are\n" \
	  "skipped; 'irk step retry KEY STEP' asks again (a senior, or the\n" \
	  "approval's role), and you cannot grant it then.\n") \
	X(kpi, "[--since D] [--until D] [--by F] [--json|--csv]", "incident-response KPIs of a period", \
	  "The KPIs of the incidents detected in a period (each with its whole life):\n" \
	  "MTTD, MTTA, MTTC, MTTR and time to close, the time in each stage (median,\n" \
	  "90th percentile, mean, count, and how many lack the timestamps), SLA met\n" \
	  "and breached against [sla] in irk.conf, quality (false positives by rule\n" \
	  "and play, reopened, moved back, duplicates) and work (effort, analysts,\n" \
	  "automation, play coverage, waits for people and approvals). irk-kpi(7)\n" \
	  "defines each figure with the timestamps it reads.\n" \
	  "  --since D      from D: a date (2026-11-01, local midnight), a time\n" \
	  "                 (2026-11-01T10:00, local unless it names a zone) or a span\n" \
	  "                 before now (-30d, -12h, -2w); default: the first incident\n" \
	  "  --until D      before D (a date: to the end of that day); default: no end\n" \
	  "  --by F         also per group: unit (business_unit), category, priority,\n" \
	  "                 severity, play, rule, analyst (owner), vector, source\n" \
	  "                 (threat_source), cause (root_cause), month or week (of\n" \
	  "                 detection, local time)\n" \
	  "  --json         one JSON object (irk(1), JSON OUTPUT; durations in seconds),\n" \
	  "                 with the catalog: targeting, policy violations and cost of\n" \
	  "                 response per business unit, trends of root causes, threat\n" \
	  "                 sources and vectors\n" \
	  "  --csv          a header and one line per group (one line without --by)\n" \
	  "$IRK_NOW (Unix seconds) fixes now, for -30d and the SLA clocks still running.\n" \
	  "With [sla] business_hours the SLA clocks count only those hours.\n") \
	X(query, "QUERY|@NAME [--json|--csv|--chart] [--explain] [--save NAME] | --saved [--json|--csv]", \
	  "search and summarise what irk records", \
	  "Run a query: a source, a filter, then commands joined by '|':\n" \
	  "  irk query 'alerts rule_name ~ \"SSH\" | stats count by host | sort -count | head 10'\n" \
	  "  irk query 'events kind == \"incident.move\" since=-30d | stats count by actor, data.to'\n" \
	  "Sources: alerts, incidents, steps, events (the audit log), stages (stage\n" \
	  "history), observables. The filter is the expression language of plays and\n" \
	  "the board, with dotted paths into JSON fields (raw.alert.signature_id,\n" \
	  "data.to, output.x, vars.factor) and since=/until= (2026-11-01, -30d).\n" \
	  "Commands: where, eval, stats (count dc sum avg min max median p90 values\n" \
	  "first last ... by F), timechart span=D, top, rare, sort, head, tail, dedup,\n" \
	  "table, fields, rename, rex. irk(1) QUERIES is the reference.\n" \
	  "  --json         a JSON array of row objects (keys as the last command\n" \
	  "                 names them; timechart's _time in Unix seconds)\n" \
	  "  --csv          a header and one line per row\n" \
	  "  --chart        a timechart as bars\n" \
	  "  --explain      print the SQL statement the query runs, and stop\n" \
	  "  --save NAME    save the query as NAME (replacing one of that name), then\n" \
	  "                 run it; @NAME runs a saved query\n" \
	  "  --saved        list the saved queries: name, who saved it, when, text\n" \
	  "The database is read through a read-only connection, within [query]\n" \
	  "time_limit (10s) and row_limit (1000000) of irk.conf.\n" \
	  "Exit: 0 done; 1 refused (query:LINE:COLUMN: why, on stderr) or failed;\n" \
	  "3 a limit cut the result (what was read is printed).\n") \
	X(maturity, "[--json]", "the team's maturity level (CMMI 1-5) from evidence", \
	  "Rate the team 1 (Initial) to 5 (Optimizing) from the incidents detected in\n" \
	  "the last [maturity] period (90d): each criterion of irk-kpi(7) with its\n" \
	  "value, threshold, whether it is met and the incidents that fall short; the\n" \
	  "level is the highest whose criteria, and all below, are met. Then what to\n" \
	  "do to reach the next level. Thresholds: [maturity] in irk.conf.\n" \
	  "  --json         one JSON object (irk(1), JSON OUTPUT)\n") \
	X(report, "[--month YYYY-MM] [--format md|html]", "a month's management report", \
	  "A management report of the incidents detected in a month (local time;\n" \
	  "default: the last whole month): the KPIs against the month before, week by\n" \
	  "week, service levels, business units, the rules with the most false\n" \
	  "positives, work, and the maturity level with what to do next. Printed\n" \
	  "on standard output.\n" \
	  "  --month M      the month, as 2026-11\n" \
	  "  --format F     md (Markdown, the default) or html: one self-contained\n" \
	  "                 file, inline CSS and SVG charts, no scripts, no links out\n") \
	X(outbox, "[--queued] [--limit N] [--json]", "list the messages of notify steps", \
	  "List the messages notify steps queued for people and roles, newest first,\n" \
	  "with their state (queued, sent, failed).\n" \
	  "  --queued       only messages not sent yet\n" \
	  "  --limit N      at most N (default 50; 0: all)\n" \
	  "  --json         a JSON array\n") \
	X(audit, "verify [--anchors FILE] [--head SEQ:HASH] | anchor | log [--incident KEY] " \
	  "[--limit N] [--json]", \
	  "check or read the audit log", \
	  "  verify         recompute the hash chain; exit 0 when intact, 1 naming\n" \
	  "                 the first event that does not match\n" \
	  "  --anchors FILE  also check the heads in FILE (one SEQ:HASH a line, as\n" \
	  "                 'irk audit anchor' prints it, syslog prefixes allowed):\n" \
	  "                 catches a chain rewritten by someone who can write the\n" \
	  "                 database, up to the newest anchor\n" \
	  "  --head SEQ:HASH  one such head\n" \
	  "  anchor         print the newest event as SEQ:HASH, to keep outside irk;\n" \
	  "                 with [audit] anchor = syslog, send it to syslog too\n" \
	  "                 (irk serve does at every [audit] interval); head: the same\n" \
	  "  log            print events, oldest first (--incident KEY: of one incident;\n" \
	  "                 --limit N: the newest N, still oldest first, as tail does;\n" \
	  "                 --json: one JSON object a line)\n") \
	X(user, "add NAME --role R [--jid JID] | set NAME --jid JID|--no-jid | list", \
	  "manage users, roles and chat addresses", \
	  "Roles: analyst (works the queue), senior (forces gates, grants approvals,\n" \
	  "authors plays), admin (manages users). Unregistered users are analysts.\n" \
	  "Only an admin may add users, except the very first.\n" \
	  "  --jid JID      the user's XMPP address (a bare JID, name@domain): notify\n" \
	  "                 steps and watches reach them there, and chat commands from\n" \
	  "                 it act as them; one user per JID\n" \
	  "  --no-jid       (set) remove the user's JID\n" \
	  "list shows each user's role, who added them and when, and the JID.\n") \
	X(serve, "[--workers N]", "run the sequencer without a board (a service)", \
	  "Run the automated steps of plays (exec, ansible, http, notify, score,\n" \
	  "set, ticket, context, open) until SIGTERM, SIGINT or SIGHUP, logging to\n" \
	  "standard error. Any number of irk serve and irk boards may share one\n" \
	  "database: each step runs once.\n" \
	  "On a signal the programs of running steps get SIGTERM (SIGKILL after\n" \
	  "engine.grace) and are recorded: steps with retries go back to the queue,\n" \
	  "others wait for a person. See irk(1) ENGINE and contrib/irk-serve.service.\n" \
	  "With [xmpp] jid set in irk.conf it also sends the outbox over XMPP (one\n" \
	  "irk serve at a time: a lease), and followed state changes (irk watch).\n" \
	  "  --workers N    steps run at once (default engine.workers, 2)\n") \
	X(config, "show", "print the configuration in effect", \
	  "Print every setting with its value and meaning (secrets show as (set)).\n") \
	X(version, "", "print the version", "")

#define X_ENTRY(name, usage, summary, help) { #name, cmd_##name, usage, summary, help },
static const struct cli_command commands[] = {
	COMMANDS(X_ENTRY)
	{ NULL, NULL, NULL, NULL, NULL },
};
#undef X_ENTRY

const struct cli_command *cli_find(const char *name)
{
	for (const struct cli_command *cmd = commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

static void main_help(FILE *f)
{
	fputs("irk: a terminal workbench for security incident response\n\n"
	      "usage: irk [--db PATH] [--config PATH] [--theme NAME]   the board (on a terminal)\n"
	      "       irk [--db PATH] COMMAND [ARGS]\n\ncommands:\n", f);
	for (const struct cli_command *cmd = commands; cmd->name; cmd++)
		fprintf(f, "  %-11s %s\n", cmd->name, cmd->summary);
	fputs("\n'irk COMMAND --help' tells more; man irk is the reference.\n"
	      "Database: --db, $IRK_DB, else $XDG_DATA_HOME/irk/irk.db; a setgid irk\n"
	      "(a shared jump box) uses only its system database and configuration.\n"
	      "The actor is your login; IRK_USER only on a database you own.\n"
	      "Exit codes: 0 success, 1 error, 2 usage, 3 partial success.\n", f);
}

#define MAIN_HINT "'irk --help' lists the commands; 'irk COMMAND --help' tells more.\n"

/* A typo ("lsit") gets the nearest command and one line, not the whole
 * help: the screen keeps what the user typed in view. */
static void unknown_command(const char *name)
{
	struct guess g;

	guess_init(&g, name);
	for (const struct cli_command *cmd = commands; cmd->name; cmd++)
		guess_consider(&g, "", cmd->name);
	fprintf(stderr, "irk: unknown command '");
	cli_put(stderr, name);
	if (guess_best(&g))
		fprintf(stderr, "'; did you mean '%s'?\n", guess_best(&g));
	else
		fprintf(stderr, "'\n");
	fputs(MAIN_HINT, stderr);
}

static void command_help(const struct cli_command *cmd)
{
	printf("usage: irk %s%s%s\n\n%s: %s\n", cmd->name, *cmd->usage ? " " : "", cmd->usage,
	       cmd->name, cmd->summary);
	if (*cmd->help)
		printf("\n%s", cmd->help);
	printf("\nEvery command also takes --db PATH, --config PATH, --theme NAME and --help.\n");
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	/* The arguments are often the user's own words (a stage, an option):
	 * sanitized like anything else that reaches the terminal. */
	va_start(ap, fmt);
	strbuf_vprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "irk %s: ", cmd->name);
	cli_put(stderr, strbuf_str(&msg));
	fprintf(stderr, "\nusage: irk %s%s%s\n", cmd->name, *cmd->usage ? " " : "", cmd->usage);
	strbuf_free(&msg);
	return EXIT_USAGE;
}

/* The lower layers say what the user can do in words (err->need); here
 * it becomes the command or option to type (the board words the same
 * codes as keys, src/tui/tui.c). Every code has its case (-Wswitch). */
static void need_hint(const struct irk_err *err, int64_t id, struct strbuf *hint)
{
	char key[24] = "KEY";

	if (id)
		incident_key(id, key, sizeof key);
	switch ((enum irk_need)err->need) {
	case NEED_NONE: break;
	case NEED_REASON: strbuf_puts(hint, "--reason TEXT"); break;
	case NEED_FORCE: strbuf_puts(hint, "--force --reason TEXT"); break;
	case NEED_TAKEOVER: strbuf_printf(hint, "irk claim %s --force --reason TEXT", key); break;
	case NEED_REOPEN:           /* need_on: the closed one, when not id */
		strbuf_printf(hint, "irk move %s STAGE --reason TEXT", *err->need_on ? err->need_on : key);
		break;
	case NEED_CLOSE: strbuf_printf(hint, "irk close %s --resolution R", key); break;
	case NEED_DATABASE: strbuf_puts(hint, "create it with irk init, or irk demo"); break;
	case NEED_FORMAT: strbuf_puts(hint, "--format F"); break;
	case NEED_INPUTS:           /* need_on: their names, one a line */
		for (const char *n = err->need_on; *n; ) {
			size_t len = strcspn(n, "\n");
			strbuf_printf(hint, "%s--input %.*s=VALUE", hint->len ? " " : "", (int)len, n);
			n += len + (n[len] == '\n');
		}
		break;
	case NEED_DECISION:
		strbuf_printf(hint, "irk approve %s %s, or irk deny %s %s --reason TEXT", key,
			      err->need_on, key, err->need_on);
		break;
	case NEED_DONE: strbuf_printf(hint, "irk step done %s %s", key, err->need_on); break;
	case NEED_STEPS: strbuf_printf(hint, "irk step list %s", key); break;
	case NEED_RELOAD: strbuf_printf(hint, "irk show %s, then run it again", key); break;
	case NEED_TICKS: strbuf_printf(hint, "irk step tick %s %s N...", key, err->need_on); break;
	}
}

int cli_report_hint(const struct irk_err *err, int64_t id, const char *hint)
{
	struct strbuf h = STRBUF_INIT;

	if (hint && *hint)
		strbuf_puts(&h, hint);
	else
		need_hint(err, id, &h);
	fputs("irk: ", stderr);
	cli_put(stderr, err->msg[0] ? err->msg : "unknown error");
	if (h.len) {
		fputs(" (", stderr);
		cli_put(stderr, strbuf_str(&h));
		fputc(')', stderr);
	}
	fputc('\n', stderr);
	strbuf_free(&h);
	/* Only a malformed request is a usage error; a refusal that depends
	 * on the state of things (already closed, held by someone, needs a
	 * reason now) is an error. */
	return err->code == IRK_INVALID ? EXIT_USAGE : EXIT_ERR;
}

int cli_report(const struct irk_err *err)
{
	return cli_report_hint(err, 0, NULL);
}

int cli_common_opt(struct cli *c, const struct cli_command *cmd, int opt, const char *arg)
{
	switch (opt) {
	case OPT_DB: c->app.db_opt = arg; return 1;
	case OPT_CONFIG: c->app.config_opt = arg; return 1;
	case OPT_THEME: c->app.theme_opt = arg; return 1;
	case 'h':
		command_help(cmd);
		exit(EXIT_OK);
	}
	return 0;
}

int cli_getopt(struct cli *c, const struct cli_command *cmd, int argc, char **argv,
	       const char *shortopts, const struct option *opts)
{
	static const struct option common[] = { CLI_COMMON_OPTS };
	struct option merged[64];
	char shorts[64];
	size_t n = 0;
	int opt;

	for (; opts && opts[n].name && n < 60; n++)
		merged[n] = opts[n];
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		merged[n++] = common[i];
	merged[n] = (struct option){ NULL, 0, NULL, 0 };
	snprintf(shorts, sizeof shorts, ":h%s", shortopts ? shortopts : "");
	for (;;) {
		opt = getopt_long(argc, argv, shorts, merged, NULL);
		if (opt == ':') {
			cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
			exit(EXIT_USAGE);
		}
		if (opt == '?') {
			cli_usage_error(cmd, "unknown option %s", argv[optind - 1]);
			exit(EXIT_USAGE);
		}
		if (opt >= 0 && cli_common_opt(c, cmd, opt, optarg))
			continue;
		return opt;
	}
}

/* A write that waits for another writer says so (store_on_wait). */
static void cli_wait_notice(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "irk: %s\n", msg);
	fflush(stderr);
}

struct store *cli_store(struct cli *c, int create)
{
	struct irk_err err = { 0 };

	if (app_store_open(&c->app, create, &err)) {
		cli_report(&err);
		return NULL;
	}
	store_on_wait(c->app.store, cli_wait_notice, NULL);
	return c->app.store;
}

void cli_put(FILE *f, const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	if (!s)
		return;
	sanitize_append(&sb, s, strlen(s), 0);
	fwrite(strbuf_str(&sb), 1, sb.len, f);
	strbuf_free(&sb);
}

void cli_col_append(struct strbuf *sb, const char *s, int cols)
{
	size_t start = sb->len, n = s ? strlen(s) : 0, i, fit;
	int w;

	/* Most of what a list shows is printable ASCII: nothing to escape,
	 * a column a byte. Anything else takes the sanitizer's way. */
	for (i = 0; i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F; i++)
		;
	if (i == n) {
		fit = cols <= 0 ? 0 : n < (size_t)cols ? n : (size_t)cols;
		strbuf_add(sb, s, fit);
		w = (int)fit;
	} else {
		sanitize_append(sb, s, n, 0);
		fit = utf8_fit(sb->buf + start, sb->len - start, cols);
		w = utf8_width(sb->buf + start, fit);
		sb->len = start + fit;
	}
	if (w < cols) {
		strbuf_grow(sb, (size_t)(cols - w));
		memset(sb->buf + sb->len, ' ', (size_t)(cols - w));
		sb->len += (size_t)(cols - w);
	}
	if (sb->buf)
		sb->buf[sb->len] = '\0';
}

void cli_put_col(FILE *f, const char *s, int cols)
{
	struct strbuf sb = STRBUF_INIT;

	cli_col_append(&sb, s, cols);
	fwrite(strbuf_str(&sb), 1, sb.len, f);
	strbuf_free(&sb);
}

void cli_put_cut(FILE *f, const char *s, int cols)
{
	struct strbuf sb = STRBUF_INIT;
	int utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8"), mark = utf8 ? 1 : 3;

	sanitize_append(&sb, s ? s : "", s ? strlen(s) : 0, 0);
	if (cols > mark && utf8_width(strbuf_str(&sb), sb.len) > cols) {
		sb.len = utf8_fit(sb.buf, sb.len, cols - mark);
		strbuf_printf(&sb, "%s", utf8 ? "\u2026" : "...");
		fwrite(strbuf_str(&sb), 1, sb.len, f);
	} else {
		/* It fits: padded as cli_put_col() pads (escaped once only). */
		strbuf_reset(&sb);
		cli_col_append(&sb, s, cols);
		fwrite(strbuf_str(&sb), 1, sb.len, f);
	}
	strbuf_free(&sb);
}

int cli_count(const struct cli_command *cmd, const char *opt, const char *arg,
	      long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (!*arg || *end || errno || v < lo || v > hi) {
		char *safe = sanitize_dup(arg, 0);
		/* A bound nobody would type is not worth reading out. */
		if (hi == INT_MAX || hi == INT64_MAX)
			cli_usage_error(cmd, "%s: '%s' is not a count, %lld or more", opt, safe, lo);
		else
			cli_usage_error(cmd, "%s: '%s' is not a number from %lld to %lld", opt, safe,
					lo, hi);
		free(safe);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

int64_t cli_key(const struct cli_command *cmd, const char *arg)
{
	int64_t id = incident_key_parse(arg);

	if (!id) {
		char *safe = sanitize_dup(arg, 0);
		cli_usage_error(cmd, "'%s' is not an incident key (like IR-42)", safe);
		free(safe);
	}
	return id;
}

/* "--db PATH" or "--db=PATH": the option's slot, and the value when given
 * after '='. NULL when a is not a global option. */
static const char **global_slot(struct cli *c, const char *a, const char **val)
{
	const struct { const char *name; const char **slot; } g[] = {
		{ "--db", &c->app.db_opt }, { "--config", &c->app.config_opt },
		{ "--theme", &c->app.theme_opt },
	};

	for (size_t k = 0; k < sizeof g / sizeof g[0]; k++) {
		size_t n = strlen(g[k].name);
		if (!strncmp(a, g[k].name, n) && (a[n] == '\0' || a[n] == '=')) {
			*val = a[n] == '=' ? a + n + 1 : NULL;
			return g[k].slot;
		}
	}
	return NULL;
}

int cli_main(int argc, char **argv, int (*board)(struct app *a))
{
	struct cli c = { 0 };
	struct irk_err err = { 0 };
	struct winsize ws;
	int i = 1, rc;

	setlocale(LC_ALL, "");
	c.tty = isatty(STDOUT_FILENO);
	if (c.tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		c.width = ws.ws_col;
	/* Global options before the command. */
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			main_help(stdout);
			return EXIT_OK;
		}
		if (!strcmp(a, "--version")) {
			printf("irk %s\n", IRK_VERSION);
			return EXIT_OK;
		}
		const char *val = NULL;
		const char **slot = global_slot(&c, a, &val);
		if (!slot) {
			fprintf(stderr, "irk: unknown option ");
			cli_put(stderr, a);
			fprintf(stderr, "\n%s", MAIN_HINT);
			return EXIT_USAGE;
		}
		if (val) {
			*slot = val;
		} else {
			if (i + 1 >= argc) {
				fprintf(stderr, "irk: ");
				cli_put(stderr, a);
				fprintf(stderr, " needs a value\n");
				return EXIT_USAGE;
			}
			*slot = argv[++i];
		}
		i++;
	}
	if (app_config_load(&c.app, &err)) {
		app_close(&c.app);
		return cli_report(&err), EXIT_ERR;
	}
	if (i >= argc) {
		if (!board || !isatty(STDIN_FILENO) || !c.tty) {
			fprintf(stderr, "irk: the board needs a terminal; try 'irk board' or 'irk --help'\n");
			rc = EXIT_USAGE;
		} else {
			rc = board(&c.app);
		}
	} else {
		const struct cli_command *cmd = cli_find(argv[i]);
		if (!cmd) {
			unknown_command(argv[i]);
			app_close(&c.app);
			return EXIT_USAGE;
		}
		optind = 1;
		rc = cmd->run(&c, argc - i, argv + i);
	}
	app_close(&c.app);
	return rc;
}
