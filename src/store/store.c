/* store.c: connection, schema and migrations, statements, transactions,
 * users and metadata. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/hash.h"
#include "irk/jsonw.h"
#include "irk/trust.h"

#define X_SQL(id, sql) sql,
static const char *const stmt_sql[] = { STORE_STMTS(X_SQL) };
#undef X_SQL

/* The events table's index and the triggers that keep it append-only
 * (schema 1, and again when schema 7 builds the table anew). */
#define EVENTS_INDEX_AND_GUARDS \
	"CREATE INDEX events_incident ON events(incident_id, seq) WHERE incident_id IS NOT NULL;\n", \
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n" \
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n", \
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events\n" \
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n",

static int exec(struct store *s, const char *sql, struct irk_err *err);

/* The statements of each migration (struct migration below). */
static const char *const migration_1[] = {
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;\n",
	"CREATE TABLE users(\n"
	"  name TEXT PRIMARY KEY,\n"
	"  role TEXT NOT NULL CHECK (role IN ('analyst', 'senior', 'admin')),\n"
	"  created INTEGER NOT NULL,\n"
	"  created_by TEXT NOT NULL);\n",
	"CREATE TABLE incidents(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  title TEXT NOT NULL,\n"
	"  summary TEXT NOT NULL DEFAULT '',\n"
	"  stage TEXT NOT NULL DEFAULT 'new' CHECK (stage IN ('new', 'identification',\n"
	"    'containment', 'eradication', 'recovery', 'lessons-learned', 'closed')),\n"
	"  severity TEXT NOT NULL DEFAULT 'medium'\n"
	"    CHECK (severity IN ('low', 'medium', 'high', 'critical')),\n"
	"  priority INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),\n"
	"  confidence INTEGER NOT NULL DEFAULT 50 CHECK (confidence BETWEEN 0 AND 100),\n"
	"  category TEXT, vector TEXT, threat_source TEXT, root_cause TEXT,\n"
	"  business_unit TEXT, owner TEXT, play TEXT, play_version TEXT,\n"
	"  resolution TEXT CHECK (resolution IN ('true-positive', 'false-positive',\n"
	"    'duplicate', 'benign')),\n"
	"  rule TEXT, host TEXT, src_ip TEXT,\n"
	"  asset_criticality INTEGER NOT NULL DEFAULT 0 CHECK (asset_criticality BETWEEN 0 AND 4),\n"
	"  t_first_event INTEGER, t_last_event INTEGER, t_detected INTEGER NOT NULL,\n"
	"  t_acknowledged INTEGER, t_contained INTEGER, t_resolved INTEGER, t_closed INTEGER,\n"
	"  t_updated INTEGER NOT NULL,\n"
	"  reopen_count INTEGER NOT NULL DEFAULT 0,\n"
	"  back_moves INTEGER NOT NULL DEFAULT 0,\n"
	"  effort_min INTEGER NOT NULL DEFAULT 0,\n"
	"  alert_count INTEGER NOT NULL DEFAULT 0,\n"
	"  version INTEGER NOT NULL DEFAULT 1,\n"
	"  updated_by TEXT);\n",
	"CREATE INDEX incidents_board ON incidents(stage, priority, t_detected);\n",
	"CREATE INDEX incidents_owner ON incidents(owner) WHERE owner IS NOT NULL;\n",
	/* Open incidents in list order: irk list and the board read them in
	 * this order without sorting. */
	"CREATE INDEX incidents_open ON incidents(priority, t_detected, id)\n"
	"  WHERE stage <> 'closed';\n",
	"CREATE INDEX incidents_corr_host ON incidents(rule, host, t_last_event)\n"
	"  WHERE stage <> 'closed';\n",
	"CREATE INDEX incidents_corr_src ON incidents(rule, src_ip, t_last_event)\n"
	"  WHERE stage <> 'closed';\n",
	"CREATE TABLE stage_history(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id),\n"
	"  from_stage TEXT, to_stage TEXT NOT NULL, at INTEGER NOT NULL,\n"
	"  actor TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',\n"
	"  forced INTEGER NOT NULL DEFAULT 0);\n",
	"CREATE INDEX stage_history_incident ON stage_history(incident_id, id);\n",
	"CREATE TABLE notes(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id),\n"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL);\n",
	"CREATE INDEX notes_incident ON notes(incident_id, id);\n",
	"CREATE TABLE alerts(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  fingerprint BLOB NOT NULL UNIQUE,\n"
	"  format TEXT NOT NULL, event_time INTEGER NOT NULL, received INTEGER NOT NULL,\n"
	"  rule_id TEXT, rule_name TEXT, severity TEXT, host TEXT, src_ip TEXT, dst_ip TEXT,\n"
	"  user_name TEXT, category TEXT, raw TEXT NOT NULL,\n"
	"  incident_id INTEGER REFERENCES incidents(id));\n",
	"CREATE INDEX alerts_incident ON alerts(incident_id, event_time);\n",
	"CREATE TABLE observables(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id),\n"
	"  type TEXT NOT NULL, value TEXT NOT NULL,\n"
	"  source TEXT NOT NULL, ref INTEGER, at INTEGER NOT NULL,\n"
	"  UNIQUE (incident_id, type, value));\n",
	"CREATE INDEX observables_value ON observables(value);\n",
	"CREATE TABLE steps(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id),\n"
	"  step_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,\n"
	"  stage TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',\n"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready',\n"
	"    'running', 'waiting', 'done', 'failed', 'skipped')),\n"
	"  required INTEGER NOT NULL DEFAULT 0, assignee TEXT,\n"
	"  attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_until INTEGER,\n"
	"  t_start INTEGER, t_end INTEGER, output TEXT, error TEXT,\n"
	/* The play engine: the step's definition (JSON, so a running incident
	 * never depends on the play file again), retries, recorded inputs,
	 * captured log, who asked for an approval, who finished it and why. */
	"  def TEXT NOT NULL DEFAULT '{}', retry INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt INTEGER, inputs TEXT, log TEXT, requested_by TEXT,\n"
	"  done_by TEXT, reason TEXT,\n"
	"  UNIQUE (incident_id, step_id));\n",
	"CREATE INDEX steps_state ON steps(state, lease_until);\n",
	/* The engine's claim takes the oldest due ready step: in index order,
	 * without sorting every ready step of a busy database. */
	"CREATE INDEX steps_due ON steps(state, coalesce(next_attempt, 0), id);\n",
	"CREATE TABLE events(\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL, uid INTEGER NOT NULL,\n"
	"  incident_id INTEGER, kind TEXT NOT NULL, data TEXT NOT NULL,\n"
	"  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);\n",
	EVENTS_INDEX_AND_GUARDS
	"CREATE TABLE quarantine(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  at INTEGER NOT NULL, source TEXT NOT NULL, line INTEGER NOT NULL,\n"
	"  format TEXT, reason TEXT NOT NULL, raw BLOB NOT NULL, orig_len INTEGER NOT NULL);\n",
	/* The board's closed column shows the most recently closed first. */
	"CREATE INDEX incidents_closed ON incidents(t_closed) WHERE stage = 'closed';\n",
	/* Who has a board open: a heartbeat per user (store_presence_*). */
	"CREATE TABLE presence(name TEXT PRIMARY KEY, seen INTEGER NOT NULL) WITHOUT ROWID;\n",
	/* Every play version ever loaded, by SHA-256 of the file's bytes. */
	"CREATE TABLE plays(\n"
	"  hash TEXT PRIMARY KEY, play_id TEXT NOT NULL, version TEXT NOT NULL,\n"
	"  name TEXT NOT NULL, path TEXT NOT NULL, source TEXT NOT NULL,\n"
	"  loaded INTEGER NOT NULL) WITHOUT ROWID;\n",
	"CREATE INDEX plays_id ON plays(play_id, loaded);\n",
	/* Which incidents run a play, and the incident version the planner
	 * last looked at (a stage move or a close bumps it). */
	"CREATE TABLE play_runs(\n"
	"  incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),\n"
	"  play_id TEXT NOT NULL, hash TEXT NOT NULL REFERENCES plays(hash),\n"
	"  seen_version INTEGER NOT NULL DEFAULT 0);\n",
	/* Messages of notify steps until they are delivered (XMPP). */
	"CREATE TABLE outbox(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  at INTEGER NOT NULL, incident_id INTEGER REFERENCES incidents(id),\n"
	"  step INTEGER REFERENCES steps(id), recipient TEXT NOT NULL, text TEXT NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),\n"
	"  attempts INTEGER NOT NULL DEFAULT 0, t_sent INTEGER, error TEXT);\n",
	"CREATE INDEX outbox_state ON outbox(state, id);\n",
	NULL,
};

/* The ticks of a manual step's checklist (store_step_check): a JSON object
 * {"ITEM": {"by": NAME, "at": T}}, NULL while nothing is ticked. */
static const char *const migration_2[] = {
	"ALTER TABLE steps ADD COLUMN checks TEXT;\n",
	NULL,
};

/* The engine writes fewer pages a step, and finds what to plan without
 * reading every incident that runs a play. */
static const char *const migration_3[] = {
	/* Only the steps a query looks for are in these indexes, so a step's
	 * change touches an index page only when it enters or leaves one.
	 * The claim: ready steps in due order. */
	"DROP INDEX steps_state;\n",
	"DROP INDEX steps_due;\n",
	"CREATE INDEX steps_ready ON steps(coalesce(next_attempt, 0), id) WHERE state = 'ready';\n",
	/* Leases that ran out. */
	"CREATE INDEX steps_running ON steps(lease_until) WHERE state = 'running';\n",
	/* The board's marker: incidents waiting for a person. */
	"CREATE INDEX steps_person ON steps(incident_id) WHERE state = 'waiting' OR\n"
	"  (state = 'ready' AND kind IN ('manual', 'approval'));\n",
	/* An incident whose stage moves (a close, a reopening) is marked for
	 * the planner, which clears the mark when it has looked: the keeper
	 * reads the marked ones only. Other changes of the incident do not
	 * make a step due (a `when` is judged when its step becomes due). */
	"ALTER TABLE play_runs ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;\n",
	"UPDATE play_runs SET stale = 1 WHERE seen_version <>\n"
	"  (SELECT version FROM incidents WHERE id = play_runs.incident_id);\n",
	"ALTER TABLE play_runs DROP COLUMN seen_version;\n",
	"CREATE INDEX play_runs_stale ON play_runs(incident_id) WHERE stale = 1;\n",
	"CREATE TRIGGER incidents_plan_stale AFTER UPDATE OF stage ON incidents\n"
	"  WHEN NEW.stage IS NOT OLD.stage AND NEW.play IS NOT NULL BEGIN\n"
	"  UPDATE play_runs SET stale = 1 WHERE incident_id = NEW.id AND stale = 0; END;\n",
	NULL,
};

/* The quarantine keeps one row per source, line and content (SHA-256 of
 * the bytes kept, irk_sha256()): ingesting a file again rejects its bad
 * lines again without piling up copies. Rows stored twice before are
 * merged into the first. */
static const char *const migration_4[] = {
	"ALTER TABLE quarantine ADD COLUMN hash TEXT;\n",
	"UPDATE quarantine SET hash = irk_sha256(raw);\n",
	"DELETE FROM quarantine WHERE id NOT IN\n"
	"  (SELECT min(id) FROM quarantine GROUP BY source, line, hash);\n",
	"CREATE UNIQUE INDEX quarantine_once ON quarantine(source, line, hash);\n",
	NULL,
};

/* irk list and irk board read their open incidents from the index alone:
 * it holds every column a list line or a board card shows and every one
 * list filters on (INCIDENT_CARD_COLS, INCIDENT_WHERE), so no row is
 * looked up in the table. It was 40% of irk list's time in sqlite (about
 * a fifth of its instructions at 10,000 open incidents). An update writes
 * the same index entries as before (every column is in its SET list), a
 * little larger; only open incidents are in it. */
static const char *const migration_5[] = {
	"DROP INDEX incidents_open;\n",
	"CREATE INDEX incidents_open ON incidents(priority, t_detected, id, stage, severity,\n"
	"  owner, business_unit, t_acknowledged, t_contained, title) WHERE stage <> 'closed';\n",
	NULL,
};

/* What each person has read of the messages notify steps send them (the
 * board's messages screen): the newest message id seen, per name. */
static const char *const migration_6[] = {
	"CREATE TABLE IF NOT EXISTS outbox_seen(name TEXT PRIMARY KEY, last_id INTEGER NOT NULL) WITHOUT ROWID;\n",
	"CREATE INDEX IF NOT EXISTS outbox_recipient ON outbox(recipient, id);\n",
	NULL,
};

/* The audit log's columns hold the types irk writes, and new events are
 * hashed in the typed canonical form 2 (audit.h): before, an `at` stored
 * as a REAL or a uid past 2^32 still verified. SQLite adds a CHECK only
 * by building the table again; the rows keep their seq, hashes and form
 * (canon 1), and a row of another type stops the migration. Plain
 * typeof() comparisons: an IN list costs a temporary b-tree on every
 * write. */
static const char *const migration_7[] = {
	"CREATE TABLE events_typed(\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  at INTEGER NOT NULL CHECK (typeof(at) = 'integer'),\n"
	"  actor TEXT NOT NULL CHECK (typeof(actor) = 'text'),\n"
	"  uid INTEGER NOT NULL CHECK (typeof(uid) = 'integer' AND uid >= 0 AND uid <= 4294967295),\n"
	"  incident_id INTEGER CHECK (typeof(incident_id) = 'integer' OR incident_id IS NULL),\n"
	"  kind TEXT NOT NULL CHECK (typeof(kind) = 'text'),\n"
	"  data TEXT NOT NULL CHECK (typeof(data) = 'text'),\n"
	"  prev_hash TEXT NOT NULL CHECK (typeof(prev_hash) = 'text'),\n"
	"  hash TEXT NOT NULL CHECK (typeof(hash) = 'text'),\n"
	"  canon INTEGER NOT NULL DEFAULT 1 CHECK (typeof(canon) = 'integer'));\n",
	"INSERT INTO events_typed(seq, at, actor, uid, incident_id, kind, data, prev_hash, hash)\n"
	"  SELECT seq, at, actor, uid, incident_id, kind, data, prev_hash, hash FROM events\n"
	"  ORDER BY seq;\n",
	"DROP TABLE events;\n",
	"ALTER TABLE events_typed RENAME TO events;\n",
	EVENTS_INDEX_AND_GUARDS
	NULL,
};

/* Sensor events kept for context (irk/sensor.h, [ingest] keep): the few
 * fields an analyst pivots on, and the raw record. Read by address and
 * time (an incident's hosts and window), deleted by time (keep_days) and
 * kept once (h: a hash of the record, so that reading a file again adds
 * nothing): an index for each, the last two in one. IF NOT EXISTS, as
 * in migration 6: a database taken back to an earlier version keeps it. */
static const char *const migration_8[] = {
	"CREATE TABLE IF NOT EXISTS sensor_events(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  t INTEGER NOT NULL,\n"
	"  h INTEGER NOT NULL,\n"
	"  type TEXT NOT NULL,\n"
	"  sensor TEXT, src_ip TEXT, src_port INTEGER, dst_ip TEXT, dst_port INTEGER, proto TEXT,\n"
	"  rrname TEXT, rrtype TEXT, answer TEXT,\n"
	"  hostname TEXT, url TEXT, method TEXT, status INTEGER, user_agent TEXT,\n"
	"  sni TEXT, subject TEXT, ja3 TEXT,\n"
	"  filename TEXT, sha256 TEXT, size INTEGER,\n"
	"  bytes INTEGER, packets INTEGER,\n"
	"  raw TEXT NOT NULL);\n",
	"CREATE INDEX IF NOT EXISTS sensor_events_src ON sensor_events(src_ip, t);\n",
	"CREATE INDEX IF NOT EXISTS sensor_events_dst ON sensor_events(dst_ip, t);\n",
	"CREATE UNIQUE INDEX IF NOT EXISTS sensor_events_once ON sensor_events(t, h);\n",
	NULL,
};

/* Reads that do not grow with the whole table. The confidence score's
 * history of a rule (ST_RULE_HISTORY) read every incident, closed ones
 * too, for each score step: now the incidents of that rule, by host and
 * source address, in the order it groups them. Only incidents naming a
 * host are in it (the query asks for those alone). */
static const char *const migration_9[] = {
	"CREATE INDEX IF NOT EXISTS incidents_rule ON incidents(rule, host, src_ip)\n"
	"  WHERE host IS NOT NULL;\n",
	NULL,
};

/* Schema 10, before the tables are built anew (rebuild_checks): each play
 * version keeps its steps' definitions once (the planner's step rows
 * refer to them: STEP_DEF), filled from the steps stored so far. */
static const char *const migration_10[] = {
	"CREATE TABLE IF NOT EXISTS play_steps(\n"
	"  hash TEXT NOT NULL REFERENCES plays(hash), step_id TEXT NOT NULL,\n"
	"  def TEXT NOT NULL, PRIMARY KEY (hash, step_id)) WITHOUT ROWID;\n",
	"INSERT OR IGNORE INTO play_steps(hash, step_id, def)\n"
	"  SELECT pr.hash, s.step_id, s.def FROM steps s\n"
	"  JOIN play_runs pr ON pr.incident_id = s.incident_id ORDER BY s.id;\n",
	NULL,
};

/* ...and after: a stored step whose definition is its version's refers to
 * it (narrower rows; one that differs keeps its own). */
static const char *const migration_10_after[] = {
	"UPDATE steps SET def = NULL WHERE def = (SELECT ps.def FROM play_runs pr\n"
	"  JOIN play_steps ps ON ps.hash = pr.hash AND ps.step_id = steps.step_id\n"
	"  WHERE pr.incident_id = steps.incident_id);\n",
	NULL,
};

/* The CREATE TABLE statement sql with each `x IN ('a', 'b')` of its
 * CHECKs written as `(x = 'a' OR x = 'b')`, which means the same (NULL
 * when x is NULL) and is checked without the temporary b-tree sqlite
 * builds for an IN list on every write; and steps.def nullable. Named
 * name. Into out; -1 when sql is not in the form irk writes. */
static int checks_rewrite(const char *sql, const char *name, struct strbuf *out)
{
	const char *p = strchr(sql, '(');

	if (!p)
		return -1;
	strbuf_printf(out, "CREATE TABLE %s", name);
	while (*p) {
		const char *in = strstr(p, " IN (");
		if (!in) {
			strbuf_puts(out, p);
			break;
		}
		/* The column: the word before " IN (". */
		const char *w = in;
		while (w > p && (w[-1] == '_' || (w[-1] >= 'a' && w[-1] <= 'z')))
			w--;
		if (w == in)
			return -1;
		strbuf_add(out, p, (size_t)(w - p));
		strbuf_addc(out, '(');
		p = in + 5;
		for (int first = 1;; first = 0) {
			while (*p == ' ' || *p == '\n' || *p == ',')
				p++;
			if (*p == ')') {
				p++;
				break;
			}
			/* A quoted string or a number. */
			const char *q = *p == '\'' ? strchr(p + 1, '\'') : p + strcspn(p, " \n,)") - 1;
			if (!q || q < p)
				return -1;
			strbuf_printf(out, "%s%.*s = %.*s", first ? "" : " OR ", (int)(in - w), w,
				      (int)(q + 1 - p), p);
			p = q + 1;
		}
		strbuf_addc(out, ')');
	}
	if (!strcmp(name, "steps_rebuilt")) {
		char *d = strstr(out->buf, "def TEXT NOT NULL DEFAULT '{}'");
		if (d)
			memmove(d + 8, d + 30, strlen(d + 30) + 1);
		out->len = strlen(out->buf);
	}
	return 0;
}

/* Build each table with an IN list in a CHECK anew the way sqlite alters
 * what ALTER TABLE cannot (https://sqlite.org/lang_altertable.html, the
 * twelve steps; foreign keys are off around it, see migrate()): a new
 * table from the rewritten statement, every row copied as it is (ids and
 * all), the old one dropped, the new one renamed, and the old one's
 * indexes and triggers made again from their own statements, whatever
 * migration added them. The audit log (events) has no IN list and is not
 * touched. */
static int rebuild_checks(struct store *s, struct irk_err *err)
{
	static const char *const tables[] = { "users", "incidents", "steps", "outbox" };
	int rc = IRK_OK;

	for (size_t t = 0; t < sizeof tables / sizeof *tables && !rc; t++) {
		struct strbuf sb = STRBUF_INIT, again = STRBUF_INIT;
		char name[64];
		sqlite3_stmt *st = NULL;

		snprintf(name, sizeof name, "%s_rebuilt", tables[t]);
		/* The table first, then its indexes and triggers. */
		if (sqlite3_prepare_v2(s->db, "SELECT type, sql FROM sqlite_master WHERE tbl_name = ?1 "
				       "AND sql IS NOT NULL ORDER BY type = 'table' DESC, rowid",
				       -1, &st, NULL) != SQLITE_OK) {
			rc = store_fail(s, err, "reading the schema");
			break;
		}
		sqlite3_bind_text(st, 1, tables[t], -1, SQLITE_STATIC);
		while (!rc && sqlite3_step(st) == SQLITE_ROW) {
			const char *type = (const char *)sqlite3_column_text(st, 0);
			const char *sql = (const char *)sqlite3_column_text(st, 1);
			if (strcmp(type, "table")) {
				strbuf_puts(&again, sql);
				strbuf_puts(&again, ";\n");
			} else if (checks_rewrite(sql, name, &sb)) {
				rc = irk_fail(err, IRK_ERROR, "%s: table %s is not in a form irk knows",
					      s->path, tables[t]);
			}
		}
		sqlite3_finalize(st);
		if (!rc && !sb.len)
			rc = irk_fail(err, IRK_ERROR, "%s: no table %s", s->path, tables[t]);
		if (!rc) {
			strbuf_printf(&sb, ";\nINSERT INTO %s SELECT * FROM %s;\nDROP TABLE %s;\n"
				      "ALTER TABLE %s RENAME TO %s;\n", name, tables[t], tables[t],
				      name, tables[t]);
			rc = exec(s, sb.buf, err);
		}
		if (!rc && again.len)
			rc = exec(s, again.buf, err);
		strbuf_free(&sb);
		strbuf_free(&again);
	}
	return rc;
}

/* KPIs of a period (irk kpi --since) read the incidents detected in it
 * through this index instead of every incident ever opened. The
 * sequencer keeps the board's KPI snapshot (snapshot.h) in a table: its
 * bytes, when it was computed and the audit log's newest seq it saw. */
static const char *const migration_11[] = {
	"CREATE INDEX IF NOT EXISTS incidents_detected ON incidents(t_detected);\n",
	"CREATE TABLE IF NOT EXISTS kpi_snapshots(name TEXT PRIMARY KEY, at INTEGER NOT NULL,\n"
	"  head INTEGER NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;\n",
	NULL,
};

/* Context (irk/context.h): the local asset inventory (hosts, any case;
 * an index of their addresses, for an incident known by its IP), the
 * answers of remote sources cached per (source, key) with when they were
 * fetched and until when they hold (a miss is cached too: data NULL),
 * each source's health (failing since, why, backoff), and an index of
 * the open incidents on critical assets (the board's mark). Self-contained
 * and IF NOT EXISTS, as migration 8. */
static const char *const migration_12[] = {
	"CREATE TABLE IF NOT EXISTS assets(\n"
	"  host TEXT PRIMARY KEY COLLATE NOCASE,\n"
	"  ips TEXT, owner TEXT, business_unit TEXT,\n"
	"  criticality INTEGER NOT NULL DEFAULT 0 CHECK (criticality BETWEEN 0 AND 4),\n"
	"  role TEXT, site TEXT, os TEXT, tags TEXT, contact TEXT,\n"
	"  source TEXT NOT NULL, updated INTEGER NOT NULL);\n",
	"CREATE TABLE IF NOT EXISTS asset_ips(ip TEXT NOT NULL, host TEXT NOT NULL COLLATE NOCASE,\n"
	"  PRIMARY KEY (ip, host)) WITHOUT ROWID;\n",
	"CREATE TABLE IF NOT EXISTS context_cache(source TEXT NOT NULL, key TEXT NOT NULL,\n"
	"  fetched INTEGER NOT NULL, expires INTEGER NOT NULL, data TEXT,\n"
	"  PRIMARY KEY (source, key)) WITHOUT ROWID;\n",
	"CREATE TABLE IF NOT EXISTS context_health(source TEXT PRIMARY KEY, since INTEGER,\n"
	"  error TEXT, fails INTEGER NOT NULL DEFAULT 0, next_try INTEGER, last_ok INTEGER)\n"
	"  WITHOUT ROWID;\n",
	/* The board's mark on cards of critical assets: a few rows, read on
	 * every reload without touching the others. */
	"CREATE INDEX IF NOT EXISTS incidents_critical ON incidents(id)\n"
	"  WHERE asset_criticality = 4 AND stage <> 'closed';\n",
	NULL,
};

/* Storm grouping (irk(1) STORM GROUPING): an incident may gather one
 * rule's alerts from many hosts. Ingest finds the open storm of a rule,
 * and counts the incidents a rule opened lately, each through its own
 * index; the board's covering index holds the flag for the card's
 * marker. */
static const char *const migration_13[] = {
	"ALTER TABLE incidents ADD COLUMN storm INTEGER NOT NULL DEFAULT 0;\n",
	"CREATE INDEX IF NOT EXISTS incidents_storm ON incidents(rule, t_last_event)\n"
	"  WHERE storm = 1 AND stage <> 'closed';\n",
	"CREATE INDEX IF NOT EXISTS incidents_rule_opened ON incidents(rule, t_first_event) WHERE storm = 0;\n",
	"DROP INDEX IF EXISTS incidents_open;\n",
	"CREATE INDEX incidents_open ON incidents(priority, t_detected, id, stage, severity,\n"
	"  owner, business_unit, t_acknowledged, t_contained, title, storm) WHERE stage <> 'closed';\n",
	NULL,
};

/* irk list --play and irk play show read the incidents of one play (and
 * one version of it) through this index. */
static const char *const migration_14[] = {
	"CREATE INDEX IF NOT EXISTS incidents_play ON incidents(play, play_version)\n"
	"  WHERE play IS NOT NULL;\n",
	NULL,
};

/* Case handling (issue 12): the board marks and filters incidents with a
 * failed required step and those with an approval waiting, each read
 * through its own small index; incidents link to each other. */
static const char *const migration_15[] = {
	"CREATE INDEX IF NOT EXISTS steps_failed ON steps(incident_id)\n"
	"  WHERE state = 'failed' AND required = 1 AND kind <> 'approval';\n",
	"CREATE INDEX IF NOT EXISTS steps_approval ON steps(incident_id)\n"
	"  WHERE state = 'waiting' AND kind = 'approval';\n",
	/* Links between incidents (irk link, irk merge): a is related to b,
	 * a duplicate of b, or b's parent; read from either end. */
	"CREATE TABLE IF NOT EXISTS links(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  a INTEGER NOT NULL REFERENCES incidents(id),\n"
	"  b INTEGER NOT NULL REFERENCES incidents(id),\n"
	"  kind TEXT NOT NULL CHECK (kind = 'related' OR kind = 'duplicate' OR kind = 'parent'),\n"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL,\n"
	"  CHECK (a <> b), UNIQUE (a, b, kind));\n",
	"CREATE INDEX IF NOT EXISTS links_b ON links(b);\n",
	NULL,
};

/* XMPP (issue 14): a user's chat address, a bare JID kept lowercase;
 * two users never share one. Delivery retries a message not before
 * outbox.next_try; one process delivers, holding the lease 'xmpp'; who
 * follows which incident (irk watch). */
static const char *const migration_16[] = {
	"ALTER TABLE users ADD COLUMN jid TEXT;\n",
	"CREATE UNIQUE INDEX IF NOT EXISTS users_jid ON users(jid COLLATE NOCASE)\n"
	"  WHERE jid IS NOT NULL;\n",
	"ALTER TABLE outbox ADD COLUMN next_try INTEGER;\n",
	"CREATE TABLE IF NOT EXISTS leases(name TEXT PRIMARY KEY, owner TEXT NOT NULL,\n"
	"  until INTEGER NOT NULL) WITHOUT ROWID;\n",
	"CREATE TABLE IF NOT EXISTS watches(name TEXT NOT NULL,\n"
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id), at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (incident_id, name)) WITHOUT ROWID;\n",
	NULL,
};

/* Saved queries (irk query --save NAME, run as @NAME): the text as
 * typed, who saved it and when. */
static const char *const migration_17[] = {
	"CREATE TABLE IF NOT EXISTS saved_queries(name TEXT PRIMARY KEY, query TEXT NOT NULL,\n"
	"  actor TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;\n",
	NULL,
};

/* A storm's hosts (issue 17, migration 18): one a storm alert, random values, written in
 * their tens of thousands a second. They are observables of source
 * 'storm', kept out of the value index (every one was a second random
 * index insert, a sixth of a storm's ingest); a lookup by value finds them
 * through the storms' own small index and the observables' unique key. */
static const char *const migration_18[] = {
	"CREATE INDEX IF NOT EXISTS incidents_storms ON incidents(id) WHERE storm = 1;\n",
	"UPDATE observables SET source = 'storm' WHERE type = 'host' AND source = 'alert'\n"
	"  AND incident_id IN (SELECT id FROM incidents WHERE storm = 1);\n",
	"DROP INDEX IF EXISTS observables_value;\n",
	"CREATE INDEX observables_value ON observables(value) WHERE source <> 'storm';\n",
	NULL,
};

/* The ticket a ticket step created (issue 10), shown on the incident's
 * board card: the board reads the done ticket steps through this index. */
static const char *const migration_19[] = {
	"CREATE INDEX IF NOT EXISTS steps_tickets ON steps(incident_id)\n"
	"  WHERE kind = 'ticket' AND state = 'done';\n",
	NULL,
};

/* Forward migrations: migrations[N-1] takes user_version N-1 to N, in one
 * transaction: its statements, then its function, then its statements
 * after. */
static const struct migration {
	const char *const *sql;
	int (*fn)(struct store *s, struct irk_err *err);
	const char *const *after;
} migrations[] = {
	{ migration_1, NULL, NULL }, { migration_2, NULL, NULL }, { migration_3, NULL, NULL },
	{ migration_4, NULL, NULL }, { migration_5, NULL, NULL }, { migration_6, NULL, NULL },
	{ migration_7, NULL, NULL }, { migration_8, NULL, NULL }, { migration_9, NULL, NULL },
	{ migration_10, rebuild_checks, migration_10_after }, { migration_11, NULL, NULL },
	{ migration_12, NULL, NULL }, { migration_13, NULL, NULL }, { migration_14, NULL, NULL },
	{ migration_15, NULL, NULL }, { migration_16, NULL, NULL }, { migration_17, NULL, NULL },
	{ migration_18, NULL, NULL }, { migration_19, NULL, NULL },
};

int store_fail(struct store *s, struct irk_err *err, const char *what)
{
	return irk_fail(err, IRK_ERROR, "%s: %s", what,
			s && s->db ? sqlite3_errmsg(s->db) : "no database");
}

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt id, struct irk_err *err)
{
	sqlite3_stmt *st = s->stmts[id];

	if (!st) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->stmts[id], NULL) != SQLITE_OK) {
			store_fail(s, err, "preparing a statement");
			return NULL;
		}
		return s->stmts[id];
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void store_bind_time(sqlite3_stmt *st, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

int store_exec_stmt(struct store *s, sqlite3_stmt *st, struct irk_err *err, const char *what)
{
	struct store_rows r = store_rows_begin(s, st);

	store_rows_next(&r);
	return store_rows_end(&r, err, what);
}

int store_rows_end(struct store_rows *r, struct irk_err *err, const char *what)
{
	sqlite3_reset(r->st);
	store_wait_over(r->s);
	if (r->rc != SQLITE_ROW && r->rc != SQLITE_DONE && r->rc != SQLITE_OK)
		return store_fail(r->s, err, what);
	return IRK_OK;
}

static int exec(struct store *s, const char *sql, struct irk_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	store_wait_over(s);
	if (rc != SQLITE_OK) {
		irk_fail(err, IRK_ERROR, "%s: %s", store_path(s), msg ? msg : "error");
		sqlite3_free(msg);
		return IRK_ERROR;
	}
	return IRK_OK;
}

int store_schema_version(struct store *s)
{
	return (int)store_scalar(s, "PRAGMA user_version");
}

static int migrate(struct store *s, struct irk_err *err)
{
	int have = store_schema_version(s), want = STORE_SCHEMA_VERSION, rc = IRK_OK;
	char sql[64];

	if (have == want)
		return IRK_OK;
	if (have > want)
		return irk_fail(err, IRK_ERROR,
				"%s: schema version %d is newer than this irk (%d); upgrade irk",
				s->path, have, want);
	/* A table built anew is dropped while other tables refer to it: sqlite
	 * wants foreign keys off for that, which only takes effect outside a
	 * transaction; they are checked before the commit instead. */
	exec(s, "PRAGMA foreign_keys = OFF", NULL);
	if (store_begin(s, err)) {
		exec(s, "PRAGMA foreign_keys = ON", NULL);
		return IRK_ERROR;
	}
	/* Another process may have migrated while we waited for the lock. */
	have = store_schema_version(s);
	for (int v = have; v < want && !rc; v++) {
		const struct migration *m = &migrations[v];
		for (const char *const *q = m->sql; *q && !rc; q++)
			rc = exec(s, *q, err);
		if (!rc && m->fn)
			rc = m->fn(s, err);
		for (const char *const *q = m->after; q && *q && !rc; q++)
			rc = exec(s, *q, err);
	}
	if (!rc && store_scalar(s, "SELECT count(*) FROM pragma_foreign_key_check") != 0)
		rc = irk_fail(err, IRK_ERROR, "%s: a reference broke while migrating", s->path);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", want);
	if (!rc)
		rc = exec(s, sql, err);
	if (rc)
		store_rollback(s);
	else
		rc = store_commit(s, err);
	exec(s, "PRAGMA foreign_keys = ON", NULL);
	return rc;
}

static int64_t mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* ---- "an irk writer is waiting" ---------------------------------------
 * A bulk writer (irk ingest) holds its transactions longer while nobody
 * waits for the write lock. An irk connection that waits for it holds a
 * shared lock on byte 0 of DB-wait, a file beside the database that only
 * ever carries locks (never the database file itself: closing any
 * descriptor of a file drops the process's POSIX locks on it). Open file
 * description locks are per descriptor, so a waiter in the same process
 * (another thread's connection) counts too, and a connection never sees
 * its own. sqlite3 and other non-irk writers do not take it. */
#ifndef F_OFD_SETLK
#define F_OFD_SETLK F_SETLK
#define F_OFD_GETLK F_GETLK
#endif

static int wait_lock(int fd, int cmd, short type)
{
	struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };

	if (fcntl(fd, cmd, &l) < 0)
		return -1;
	return l.l_type;
}

static void wait_open(struct store *s)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_printf(&p, "%s-wait", s->path);
	s->wait_fd = open(p.buf, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0660);
	strbuf_free(&p);
}

static void wait_mark(struct store *s)
{
	if (s->wait_fd >= 0 && !s->wait_marked)
		s->wait_marked = wait_lock(s->wait_fd, F_OFD_SETLK, F_RDLCK) >= 0;
}

/* The wait is over (the statement that waited returned, whatever its
 * result). A mark left behind only makes a bulk writer commit sooner. */
static void wait_unmark(struct store *s)
{
	if (s->wait_marked) {
		wait_lock(s->wait_fd, F_OFD_SETLK, F_UNLCK);
		s->wait_marked = 0;
	}
}

void store_wait_over(struct store *s)
{
	if (s && s->wait_marked)
		wait_unmark(s);
}

int store_writer_waiting(struct store *s)
{
	if (s->wait_fd < 0)
		return 1;   /* cannot tell: as if someone were */
	return wait_lock(s->wait_fd, F_OFD_GETLK, F_WRLCK) != F_UNLCK;
}

/* sqlite's own busy timeout sleeps longer and longer (up to 100 ms a
 * try): a writer that commits and begins again at once, as a bulk ingest
 * does, would keep the lock for good. Trying every millisecond catches
 * the gap it leaves between transactions. n is 0 on a wait's first call,
 * which marks this connection waiting (above). */
static int busy_wait(void *arg, int n)
{
	struct store *s = arg;
	int64_t now = mono_us();
	struct timespec ms = { 0, n < 4 ? 250000 : 1000000 };

	if (n == 0) {
		s->wait_start_us = now;
		s->wait_told = 0;
		wait_mark(s);
	}
	if (now - s->wait_start_us >= (int64_t)s->busy_ms * 1000)
		return 0;
	if (!s->wait_told && s->on_wait && now - s->wait_start_us >= STORE_WAIT_NOTICE_MS * 1000LL) {
		s->wait_told = 1;
		s->on_wait("waiting for the database: held by another writer...", s->wait_arg);
	}
	nanosleep(&ms, NULL);
	return 1;
}

void store_busy_limit(struct store *s, int ms)
{
	s->busy_ms = ms < 0 ? 0 : ms;
	if (s->busy_ms)
		sqlite3_busy_handler(s->db, busy_wait, s);
	else
		sqlite3_busy_handler(s->db, NULL, NULL);
}

void store_on_wait(struct store *s, void (*fn)(const char *msg, void *arg), void *arg)
{
	s->on_wait = fn;
	s->wait_arg = arg;
}

int store_last_busy(struct store *s)
{
	int rc = sqlite3_extended_errcode(s->db) & 0xff;

	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/* Process-wide settings, before sqlite initialises itself. Memory
 * statistics take a global mutex on every allocation (several per
 * statement run) and irk never reads them. When something in the process
 * used sqlite first, the call fails and nothing changes. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* irk_sha256(X): the lower-case hex SHA-256 of a blob or text (NULL for
 * NULL), for the quarantine's content key. */
static void sql_sha256(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char d[IRK_SHA256_LEN];
	char hex[IRK_SHA256_HEX];
	const void *p;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	p = sqlite3_value_blob(argv[0]);
	hash_sha256(p ? p : "", (size_t)sqlite3_value_bytes(argv[0]), d);
	sqlite3_result_text(ctx, hash_hex(d, sizeof d, hex), -1, SQLITE_TRANSIENT);
}

int store_open(struct store **out, const char *path, int flags, struct irk_err *err)
{
	struct store *s;
	int oflags = SQLITE_OPEN_NOMUTEX;

	pthread_once(&sqlite_once, sqlite_setup);

	*out = NULL;
	if (!(flags & STORE_CREATE) && access(path, F_OK) != 0)
		return irk_fail_need(err, IRK_NOTFOUND, NEED_DATABASE, "%s: no database here", path);
	/* Another user who can put a -wal beside it reads and writes it. */
	{
		int rc = irk_trusted_db(path, trust_group(), err);
		if (rc)
			return rc;
	}
	if (flags & STORE_CREATE) {
		/* Create it ourselves so the mode is ours: the team shares a group,
		 * nobody else may read incident data. */
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0660);
		if (fd < 0)
			return irk_fail(err, IRK_ERROR, "%s: %s", path, strerror(errno));
		close(fd);
	}
	oflags |= (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->wait_fd = -1;
	if (!(flags & STORE_READONLY))
		wait_open(s);
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		store_fail(s, err, path);
		store_close(&s);
		return IRK_ERROR;
	}
	store_busy_limit(s, STORE_BUSY_MS);
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_create_function(s->db, "irk_sha256", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				    NULL, sql_sha256, NULL, NULL) != SQLITE_OK) {
		store_fail(s, err, path);
		goto fail;
	}
	/* A new file gets 16 KiB pages: alerts carry their raw record (about
	 * 700 bytes), and bigger pages made bulk ingest about 10% faster.
	 * Ignored on an existing database. */
	if ((flags & STORE_CREATE) && exec(s, "PRAGMA page_size = 16384", err))
		goto fail;
	if (exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
		    "PRAGMA cache_size = -16000; PRAGMA temp_store = MEMORY", err))
		goto fail;
	if (!(flags & STORE_READONLY)) {
		if (store_scalar(s, "PRAGMA journal_mode") < 0 ||
		    exec(s, "PRAGMA journal_mode = WAL", err))
			goto fail;
		if (migrate(s, err))
			goto fail;
	} else if (store_schema_version(s) != STORE_SCHEMA_VERSION) {
		irk_fail(err, IRK_ERROR, "%s: schema version %d, this irk needs %d",
			 path, store_schema_version(s), STORE_SCHEMA_VERSION);
		goto fail;
	}
	*out = s;
	return IRK_OK;
fail:
	store_close(&s);
	return err ? err->code ? err->code : IRK_ERROR : IRK_ERROR;
}

void store_close(struct store **sp)
{
	struct store *s = *sp;

	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	for (size_t i = 0; i < s->nextra; i++)
		sqlite3_finalize(s->extra[i]);
	free(s->extra);
	if (s->db)
		sqlite3_close(s->db);
	if (s->wait_fd >= 0)
		close(s->wait_fd);
	free(s->path);
	free(s);
	*sp = NULL;
}

const char *store_path(const struct store *s)
{
	return s ? s->path : "?";
}

int64_t store_int_of(sqlite3_stmt *st)
{
	struct store_rows r = store_rows_begin(NULL, st);
	int64_t n = -1;

	if (!st)
		return -1;
	if (store_rows_next(&r))
		n = sqlite3_column_int64(st, 0);
	store_rows_end(&r, NULL, "reading a number");
	return n;
}

int64_t store_data_version(struct store *s)
{
	return store_int_of(store_stmt(s, ST_DATA_VERSION, NULL));
}

/* What a transaction knew of the audit head is not known after it. */
static void audit_forget(struct store *s)
{
	s->audit_known = s->audit_dirty = 0;
}

int store_begin(struct store *s, struct irk_err *err)
{
	if (s->in_tx)
		return irk_fail(err, IRK_ERROR, "internal: nested transaction");
	audit_forget(s);
	if (exec(s, s->group ? "SAVEPOINT irk_tx" : "BEGIN IMMEDIATE", err))
		return IRK_ERROR;
	s->in_tx = 1;
	return IRK_OK;
}

int store_begin_read(struct store *s, struct irk_err *err)
{
	if (s->in_tx)
		return irk_fail(err, IRK_ERROR, "internal: nested transaction");
	audit_forget(s);
	if (exec(s, s->group ? "SAVEPOINT irk_tx" : "BEGIN DEFERRED", err))
		return IRK_ERROR;
	s->in_tx = 1;
	return IRK_OK;
}

int store_commit(struct store *s, struct irk_err *err)
{
	if (store_audit_head_flush(s, err) ||
	    exec(s, s->group ? "RELEASE irk_tx" : "COMMIT", err)) {
		store_rollback(s);
		return IRK_ERROR;
	}
	s->in_tx = 0;
	audit_forget(s);
	return IRK_OK;
}

void store_rollback(struct store *s)
{
	audit_forget(s);
	store_wait_over(s);
	if (s->group) {
		/* Undo this transaction only; the group goes on. */
		if (s->in_tx)
			sqlite3_exec(s->db, "ROLLBACK TO irk_tx; RELEASE irk_tx", NULL, NULL, NULL);
	} else if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	s->in_tx = 0;
}

int store_group_begin(struct store *s, struct irk_err *err)
{
	if (s->in_tx || s->group)
		return irk_fail(err, IRK_ERROR, "internal: group inside a transaction");
	if (exec(s, "BEGIN IMMEDIATE", err))
		return IRK_ERROR;
	s->group = 1;
	return IRK_OK;
}

int store_group_end(struct store *s, int commit, struct irk_err *err)
{
	int rc = IRK_OK;

	if (!s->group)
		return irk_fail(err, IRK_ERROR, "internal: no group to end");
	if (s->in_tx)
		store_rollback(s);
	s->group = 0;
	if (commit && exec(s, "COMMIT", err))
		rc = IRK_ERROR;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

void store_bulk_begin(struct store *s)
{
	/* 16384 pages: the WAL may grow to 256 MiB before it is copied back.
	 * 36 MB of cache holds the random index pages of a batch of up to
	 * INGEST_TX_MAX_MS (a storm's alerts touch them, and they stay dirty
	 * until the commit); the alerts' own pages are appended and not read
	 * again. 64 MB put ingest past 64 MiB of RSS (88 MiB for a storm of
	 * 200,000 alerts; 60 MiB with 36 MB) for 0-6% less CPU; 16 MB took a
	 * third more CPU. Foreign keys off: every reference a bulk load writes
	 * is to a row it read or made in the same transaction, and with them
	 * on, a statement of many rows keeps a journal of every page it
	 * touches (it might have to undo itself). Set outside a transaction,
	 * where these pragmas take effect. */
	sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint = 16384; PRAGMA cache_size = -36000; "
		     "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
}

void store_bulk_end(struct store *s)
{
	sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint = 1000; PRAGMA cache_size = -16000; "
		     "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

void store_checkpoint_off(struct store *s)
{
	sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);
}

void store_checkpoint(struct store *s)
{
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

int store_in_tx(const struct store *s)
{
	return s->in_tx;
}

int64_t store_scalar(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int store_meta_get(struct store *s, const char *key, struct strbuf *out)
{
	sqlite3_stmt *st = store_stmt(s, ST_META_GET, NULL);
	struct store_rows r = store_rows_begin(s, st);
	int rc = IRK_NOTFOUND;

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (store_rows_next(&r)) {
		strbuf_reset(out);
		strbuf_puts(out, store_col_text(st, 0));
		rc = IRK_OK;
	}
	store_rows_end(&r, NULL, "reading metadata");
	return rc;
}

int store_meta_set(struct store *s, const char *key, const char *value, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_META_SET, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st, err, "saving metadata");
}

/* Audit a change of user name: {"name", key: now, "was": was} as kind. */
static int user_event(struct store *s, const char *actor, const char *kind, const char *name,
		      const char *key, const char *now, const char *was, struct irk_err *err)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "name", name);
	jsonw_kv_str(&w, key, now);
	jsonw_kv_str(&w, "was", was);
	jsonw_obj_end(&w);
	int rc = audit_append(s, actor, 0, kind, js.buf, NULL, err);
	strbuf_free(&js);
	return rc;
}

int store_user_put(struct store *s, const char *actor, const char *name, int role,
		   struct irk_err *err)
{
	sqlite3_stmt *st;
	int old = store_user_role(s, name);
	if (old == role)
		return IRK_OK;
	st = store_stmt(s, ST_USER_PUT, err);
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, irk_now());
	sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	if (store_exec_stmt(s, st, err, "saving user"))
		return IRK_ERROR;
	return user_event(s, actor, old < 0 ? "user.add" : "user.role", name, "role",
			  role_name(role), old < 0 ? NULL : role_name(old), err);
}

int store_user_role(struct store *s, const char *name)
{
	sqlite3_stmt *st = store_stmt(s, ST_USER_GET, NULL);
	struct store_rows r = store_rows_begin(s, st);
	int role = -1;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (store_rows_next(&r))
		role = role_parse(store_col_text(st, 0));
	store_rows_end(&r, NULL, "reading a user");
	return role;
}

int64_t store_user_count(struct store *s)
{
	return store_int_of(store_stmt(s, ST_USER_COUNT, NULL));
}

int store_user_list(struct store *s, struct user **out, size_t *n, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_USER_LIST, err);
	struct store_rows r = store_rows_begin(s, st);
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!st)
		return IRK_ERROR;
	while (store_rows_next(&r)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct user *u = &(*out)[(*n)++];
		irk_strlcpy(u->name, store_col_text(st, 0), sizeof u->name);
		u->role = role_parse(store_col_text(st, 1));
		u->created = sqlite3_column_int64(st, 2);
		irk_strlcpy(u->created_by, store_col_text(st, 3), sizeof u->created_by);
		irk_strlcpy(u->jid, store_col_text(st, 4), sizeof u->jid);
	}
	return store_rows_end(&r, err, "listing users");
}

/* A bare JID lowercased into out (the resource, if any, dropped); 0 when it
 * does not fit. */
static int jid_bare_lower(const char *jid, char *out, size_t cap)
{
	size_t n = strcspn(jid, "/");
	if (n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)jid[i]);
	out[n] = '\0';
	return 1;
}

int store_user_set_jid(struct store *s, const char *actor, const char *name,
		       const char *jid, struct irk_err *err)
{
	char bare[256] = "", was[256] = "";
	int role;

	if (jid && !jid_bare_lower(jid, bare, sizeof bare))
		return irk_fail(err, IRK_INVALID, "the JID '%.40s...' is too long (at most 255 bytes)",
				   jid);
	sqlite3_stmt *st = store_stmt(s, ST_USER_JID_GET, err);
	struct store_rows r = store_rows_begin(s, st);
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	role = -1;
	if (store_rows_next(&r)) {
		role = 0;
		irk_strlcpy(was, store_col_text(st, 0), sizeof was);
	}
	if (store_rows_end(&r, err, "reading a user"))
		return IRK_ERROR;
	if (role < 0)
		return irk_fail(err, IRK_NOTFOUND, "no user '%s' (irk user add %s --role ...)", name,
				   name);
	if (jid && *bare) {
		char other[64];
		int orole;
		struct irk_err e2 = { 0 };
		int rc = store_user_by_jid(s, bare, other, &orole, &e2);
		if (rc == IRK_OK && strcmp(other, name))
			return irk_fail(err, IRK_CONFLICT, "the JID %s already belongs to %s", bare, other);
		if (rc != IRK_OK && rc != IRK_NOTFOUND)
			return irk_fail(err, rc, "%s", e2.msg);
	}
	if (!strcmp(was, bare))
		return IRK_OK;
	st = store_stmt(s, ST_USER_JID_SET, err);
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (*bare)
		sqlite3_bind_text(st, 2, bare, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	if (store_exec_stmt(s, st, err, "saving a user's JID"))
		return IRK_ERROR;
	return user_event(s, actor, "user.jid", name, "jid", *bare ? bare : NULL, *was ? was : NULL,
			  err);
}

int store_user_by_jid(struct store *s, const char *jid, char name[64], int *role,
		      struct irk_err *err)
{
	char bare[256];
	int rc = IRK_NOTFOUND;

	name[0] = '\0';
	*role = -1;
	if (!jid_bare_lower(jid, bare, sizeof bare) || !*bare)
		return irk_fail(err, IRK_NOTFOUND, "no user with that JID");
	sqlite3_stmt *st = store_stmt(s, ST_USER_BY_JID, err);
	struct store_rows r = store_rows_begin(s, st);
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, bare, -1, SQLITE_STATIC);
	if (store_rows_next(&r)) {
		irk_strlcpy(name, store_col_text(st, 0), 64);
		*role = role_parse(store_col_text(st, 1));
		rc = IRK_OK;
	}
	if (store_rows_end(&r, err, "finding a user by JID"))
		return IRK_ERROR;
	if (rc == IRK_NOTFOUND)
		return irk_fail(err, IRK_NOTFOUND, "no user with that JID");
	return rc;
}
