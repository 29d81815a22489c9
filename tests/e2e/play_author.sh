#!/bin/sh
# play_author.sh: what a senior meets writing plays (issue 13): a broken
# site play stops ingest, serve and shows on the board rather than let its
# alerts go to another play; version labels shown whole; lint that names
# the whole cycle, the comma's own place, type errors, unknown users,
# templates left raw and how to set a secret; the dry run (irk play test);
# the incidents a play ran on.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"
FIX="$IRK_TOP/tests/fixtures/plays"

irk init >/dev/null
irk user add bob --role senior >/dev/null

# ---- fail loudly ----------------------------------------------------------------
mkdir -p "$T/site"
chmod 755 "$T/site"
cat >"$T/site/brute.json" <<'EOF'
{"play": "brute-force", "name": "Brute force, our way", "version": 1, "priority": 100,
 "match": "rule == '5712' &&",
 "steps": [{"id": "look", "stage": "new", "kind": "manual", "title": "Look"}]}
EOF
export IRK_PLAYS="$T/site"
expect_rc "ingest refuses a play directory with a broken play" 1 irk ingest "$FIX/brute-force.jsonl"
expect_match "naming the file, line and column" "$(cat "$T/.err")" "^irk: $T/site/brute.json:2:29: match: "
expect_match "and why it stops" "$(cat "$T/.err")" "^irk: 1 error in the play directories: fix it \(irk play lint\) before irk matches alerts to plays$"
expect_eq "before reading any input: no alert, no incident" "$(sql "SELECT (SELECT count(*) FROM alerts) || ' ' || (SELECT count(*) FROM incidents)")" "0 0"
expect_rc "from standard input too" 1 sh -c "\"$IRK_BIN\" ingest <\"$FIX/brute-force.jsonl\""
# (bounded: before the fix serve ran on, as a service does)
expect_rc "serve refuses to start" 1 timeout 30 "$IRK_BIN" serve
expect_match "naming the file" "$(cat "$T/.err")" "^irk: $T/site/brute.json:2:29: match: "
expect_rc "demo refuses too" 1 irk demo --db "$T/demo.db"
expect_rc "play list still lists the rest" 0 irk play list
expect_match "and names the broken one" "$(cat "$T/.err")" "brute.json:2:29: .*\(this play is not loaded\)$"
tui_start 120 30
expect_screen "the board says so from the start" "play not loaded (irk play lint; ingest refuses to run): $T/site/brute.json:2:29: match:"
keys q
wait_for 5 pane_dead

# The same play, fixed, with a dated version label: it runs, and shows whole.
cat >"$T/site/brute.json" <<'EOF'
{"play": "brute-force", "name": "Brute force, our way", "version": "2024.05-1", "priority": 100,
 "match": "rule == '5712'",
 "steps": [{"id": "look", "stage": "new", "kind": "manual", "title": "Look"}]}
EOF
expect_rc "ingest once the play is fixed" 0 irk ingest "$FIX/brute-force.jsonl"
expect_eq "the site play ran" "$(sql "SELECT play FROM incidents")" "brute-force"
expect_match "play list shows the label whole" "$(irk play list)" "^100  brute-force +2024.05-1 +1 "
expect_eq "in 80 columns" "$(irk play list | awk 'length > 80' | grep -c 2024.05-1)" "0"
out=$(irk play show brute-force)
expect_match "play show, the version line" "$out" "^  version +2024.05-1 \("
expect_match "play show, the versions in the database" "$out" "^  [0-9a-f]{12}  version 2024.05-1 first loaded"

# Broken again: show tells what ran from the database, not the bundled stand-in.
sed -i 's/"match": "rule == .5712."/"match": "rule =="/' "$T/site/brute.json"
out=$(irk play show brute-force)
expect_match "play show takes the play from the database" "$out" "^  version +2024.05-1 \([0-9a-f]{12}\), from the database$"
expect_match "and says its file fails lint" "$out" "^  broken +$T/site/brute.json fails lint"
expect_match "with its steps" "$out" "^  1 +look "
rm "$T/site/brute.json"
expect_match "with the file gone, the bundled play is the one that runs" "$(irk play show brute-force)" "^brute-force: "
expect_rc "the stored version by hash" 0 irk play show brute-force --version "$(sql "SELECT play_version FROM incidents" | cut -c1-12)"
expect_match "still shown" "$(cat "$T/.out")" "^  1 +look "
unset IRK_PLAYS

# ---- lint ---------------------------------------------------------------------------
mkdir -p "$T/warn"
chmod 755 "$T/warn"
cat >"$T/warn/w.json" <<'EOF'
{"play": "warned", "name": "Warned", "version": 1, "match": "rule == 'x'",
 "steps": [{"id": "a", "stage": "new", "kind": "exec", "title": "A", "argv": ["bin/nope"]}]}
EOF
IRK_PLAYS="$T/warn" "$IRK_BIN" play lint >"$T/lint.out" 2>"$T/lint.err"
expect_eq "lint alone: a play with warnings is checked once" "$(grep -c "^$T/warn/w.json: ok" "$T/lint.out")" "1"
expect_eq "and its warning printed once" "$(grep -c "^$T/warn/w.json:.*warning" "$T/lint.err")" "1"

cat >"$T/cycle.json" <<'EOF'
{"play": "cyc", "name": "Cycle", "version": 1, "match": "rule == 'x'",
 "steps": [{"id": "a", "stage": "new", "kind": "manual", "title": "A"},
  {"id": "b", "stage": "new", "kind": "manual", "title": "B", "needs": ["c"]},
  {"id": "c", "stage": "new", "kind": "manual", "title": "C", "needs": ["d"]},
  {"id": "d", "stage": "new", "kind": "manual", "title": "D", "needs": ["b"]}]}
EOF
expect_rc "a 3-cycle is an error" 1 irk play lint "$T/cycle.json"
expect_match "named whole" "$(cat "$T/.err")" "^$T/cycle.json:3:73: needs 'c': a cycle \(b needs c, which needs d, which needs b\)$"

cat >"$T/comma.json" <<'EOF'
{"play": "comma", "name": "Comma", "version": 1, "match": "rule == 'x'",
 "steps": [{"id": "a", "stage": "new", "kind": "manual", "title": "A"},
 ]}
EOF
expect_rc "a trailing comma is an error" 1 irk play lint "$T/comma.json"
expect_match "at the comma's own line and column" "$(cat "$T/.err")" "^$T/comma.json:2:71: a ',' before '\]' \(JSON allows no trailing comma\)$"

cat >"$T/types.json" <<'EOF'
{"play": "types", "name": "Types", "version": 1, "match": "rule == 'x'",
 "steps": [{"id": "s", "stage": "new", "kind": "score"},
  {"id": "b", "stage": "new", "kind": "manual", "title": "B", "needs": ["s"], "when": "score >= 'high'"},
  {"id": "c", "stage": "new", "kind": "manual", "title": "C", "needs": ["s"], "when": "score >= '80'"},
  {"id": "d", "stage": "lessons_learned", "kind": "manual", "title": "D"}]}
EOF
expect_rc "a number compared with a word is an error" 1 irk play lint "$T/types.json"
err=$(cat "$T/.err")
expect_match "named, with why it never holds" "$err" "^$T/types.json:3:97: when: score is a number and 'high' a string: score >= 'high' is never true$"
expect_no_match "a number written as a string is a number" "$err" "'80'"
expect_match "lessons_learned: one spelling in a play" "$err" "^$T/types.json:5:24: no stage 'lessons_learned' \(did you mean 'lessons-learned'\?\)$"
expect_match "two errors" "$err" "^2 errors$"

# ---- the dry run ---------------------------------------------------------------------
before=$(sql "SELECT (SELECT count(*) FROM alerts) || ' ' || (SELECT count(*) FROM incidents) || ' ' || (SELECT count(*) FROM audit)")
for f in "$FIX"/*.jsonl; do
	name=$(basename "$f" .jsonl)
	expect_rc "play test $name on its own alert matches" 0 irk play test "$name" "$f"
	expect_match "$name: says so" "$(cat "$T/.out")" "^play $name \([0-9a-f]{12}\) matches the alert"
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["steps"]))' "$IRK_TOP/plays/$name.json")
	expect_eq "$name: every step planned" "$(grep -c '^  [0-9]*\. ' "$T/.out")" "$n"
	irk play test "$name" "$f" --json >"$T/dry.json"
	expect_eq "$name --json: the contract's shape" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"matches", "winner", "steps"}, d.keys()
assert d["matches"] is True and isinstance(d["winner"], str)
for s in d["steps"]:
    assert set(s) == {"id", "kind", "stage", "when", "would"}, s.keys()
    assert s["when"] in (True, False, None) and isinstance(s["would"], dict)
print(len(d["steps"]))' "$T/dry.json")" "$n"
done
expect_eq "nothing written by any dry run" "$(sql "SELECT (SELECT count(*) FROM alerts) || ' ' || (SELECT count(*) FROM incidents) || ' ' || (SELECT count(*) FROM audit)")" "$before"
out=$(irk play test brute-force "$FIX/brute-force.jsonl")
expect_match "a when with the values it read" "$out" "^     when: holds \(alert.src_ip = 198.51.100.45\)$"
expect_match "what an exec would run, its template rendered" "$out" '"argv":\[".*/plays/bin/irk-block-rule","ip","198.51.100.45","24h"\]'
expect_match "a value the alert cannot give is named" "$out" "\"missing\":\"unknown field 'steps.success.inputs.account'"
expect_match "and the url kept as written" "$out" '"url":"https://idp.example.internal/api/v1/users/\{\{steps.success.inputs.account\}\}/revoke"'
expect_rc "a play that does not match: exit 1" 1 irk play test ransomware "$FIX/brute-force.jsonl"
expect_match "naming the play that would win" "$(cat "$T/.out")" "^play brute-force would win$"
irk play test ransomware "$FIX/brute-force.jsonl" --json >"$T/dry.json"
expect_eq "--json: matches false, the winner named" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["matches"], d["winner"])' "$T/dry.json")" "False brute-force"
expect_rc "a play FILE" 0 irk play test "$IRK_TOP/plays/ddos.json" "$FIX/ddos.jsonl"
expect_rc "no alert file: a usage error" 2 irk play test ddos "$T/none.jsonl"
expect_rc "no such play: a usage error" 2 irk play test nope "$FIX/ddos.jsonl"
expect_rc "missing arguments: a usage error" 2 irk play test ddos

# ---- plays at work -------------------------------------------------------------------------
# Two versions of the site play (one incident each), and bundled plays' incidents beside them.
export IRK_PLAYS="$T/site"
cat >"$T/site/brute.json" <<'EOF'
{"play": "brute-force", "name": "Brute force, our way", "version": "2024.05-2", "priority": 100,
 "match": "rule == '5712'",
 "steps": [{"id": "look", "stage": "new", "kind": "manual", "title": "Look again"}]}
EOF
sed 's/1715656660.2231456/1715656660.9/; s/03:17:40/09:19:40/' "$FIX/brute-force.jsonl" >"$T/b3.jsonl"
expect_rc "ingest under the second version" 0 irk ingest --window 1s "$T/b3.jsonl"
irk ingest "$FIX/ddos.jsonl" >/dev/null
old=$(sql "SELECT play_version FROM incidents WHERE id = 1")
new=$(sql "SELECT play_version FROM incidents WHERE id = (SELECT max(id) FROM incidents WHERE play = 'brute-force')")
expect_eq "irk list --play: that play's incidents only" "$(irk list --play brute-force | cut -d' ' -f1 | sort | tr '\n' ' ')" "IR-1 IR-2 "
expect_eq "--version: one version's, by a prefix of its hash" "$(irk list --play brute-force --version "$(echo "$old" | cut -c1-12)" | cut -d' ' -f1)" "IR-1"
expect_eq "the other" "$(irk list --play brute-force --version "$new" | cut -d' ' -f1)" "IR-2"
expect_eq "--json too" "$(irk list --play ddos --json | python3 -c 'import json,sys; print([i["play"] for i in json.load(sys.stdin)])')" "['ddos']"
expect_rc "--version without --play: a usage error" 2 irk list --version "$new"
out=$(irk play show brute-force)
expect_match "play show lists the incidents of each version" "$out" "^                incidents: IR-2$"
expect_match "and of the older one" "$out" "^                incidents: IR-1$"
unset IRK_PLAYS
# The board filter takes the play (3 incidents: IR-1, IR-2 brute-force, IR-3 ddos).
tui_start 120 30
expect_screen "the board" "IR-3"
keys /
type_text "play == 'ddos'"
keys Enter
expect_screen "a filter on the play" " New (1/3)"
check "shows the ddos incident only" screen_has "IR-3"
check "not the others" screen_lacks "IR-1 "
keys q
wait_for 5 pane_dead
# play test --inputs and --responses follow the later branches.
out=$(irk play test brute-force "$FIX/brute-force.jsonl")
expect_match "without inputs, the persistence check is skipped" "$out" "^     when: does not hold: skipped \(steps.success.inputs.compromised = \(missing\)\)$"
out=$(irk play test brute-force "$FIX/brute-force.jsonl" --inputs compromised=yes --inputs success.account=oracle)
expect_match "--inputs NAME=V: the when holds" "$out" "^     when: holds \(steps.success.inputs.compromised = yes\)$"
expect_match "--inputs STEP.NAME=V: the url rendered" "$out" '"url":"https://idp.example.internal/api/v1/users/oracle/revoke"'
mkdir -p "$T/resp"
echo '{"vector": "syn-flood"}' >"$T/resp/profile"
expect_match "--responses DIR: a step's canned output feeds a later template" \
	"$(irk play test ddos "$FIX/ddos.jsonl" --responses "$T/resp")" '"text":"IR-0 DoS against 192.0.2.10: syn-flood\.'
expect_rc "--inputs without =: a usage error" 2 irk play test ddos "$FIX/ddos.jsonl" --inputs x
# Filters: a typed JSON value in an http body, defaults, case, lists.
cat >"$T/filters.json" <<'EOF'
{"play": "filters", "name": "Filters", "version": 1, "match": "category == 'Attempted Denial of Service'",
 "steps": [
  {"id": "count", "stage": "new", "kind": "exec", "title": "Count", "argv": ["/bin/true"]},
  {"id": "ask", "stage": "new", "kind": "manual", "title": "Ask", "inputs": [{"name": "ticket"}]},
  {"id": "read", "stage": "new", "kind": "manual", "title": "Read",
   "instructions": "Hosts: {{steps.count.output.hosts | join(' + ') | upper}} ({{steps.count.output.hosts | len}}); ticket {{steps.ask.inputs.ticket | default('none yet')}}; user {{alert.user}}"},
  {"id": "post", "stage": "new", "kind": "http", "title": "Post", "url": "https://ticket.example/api",
   "body": {"n": "{{steps.count.output.n | json}}", "s": "{{steps.count.output.n}}",
            "who": "{{alert.user | default('n/a') | upper}}", "hosts": "{{steps.count.output.hosts | json}}"}}]}
EOF
expect_rc "a play with filters lints clean" 0 irk play lint "$T/filters.json"
rm -rf "$T/resp" && mkdir -p "$T/resp"
echo '{"n": 42, "hosts": ["web-01", "db-02"]}' >"$T/resp/count"
irk play test "$T/filters.json" "$FIX/ddos.jsonl" --responses "$T/resp" --json >"$T/dry.json"
expect_eq "json keeps a number a number, a list a list; default and upper" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
b = [s for s in d["steps"] if s["id"] == "post"][0]["would"]["body"]
print(repr(b["n"]), repr(b["s"]), b["who"], b["hosts"])' "$T/dry.json")" "42 '42' N/A ['web-01', 'db-02']"
expect_match "join, len and default in instructions" "$(irk play test "$T/filters.json" "$FIX/ddos.jsonl" --responses "$T/resp")" \
	"Hosts: WEB-01 \+ DB-02 \(2\); ticket none yet; user \[missing: alert.user\]"
sed -i 's/| join(. + .)/| jion/' "$T/filters.json"
expect_rc "an unknown filter is an error" 1 irk play lint "$T/filters.json"
expect_match "at its line and column" "$(cat "$T/.err")" "^$T/filters.json:6:57: instructions: unknown filter 'jion' \(filters: default, lower, upper, join, len, json\)$"
# A set step giving the incident an owner who is no user here.
cat >"$T/own.json" <<'EOF'
{"play": "own", "name": "Own", "version": 1, "match": "rule == 'x'",
 "steps": [{"id": "give", "stage": "new", "kind": "set", "fields": {"owner": "mallory"}},
           {"id": "keep", "stage": "new", "kind": "set", "fields": {"owner": "bob"}}]}
EOF
expect_rc "an unknown owner is a warning" 0 irk play lint "$T/own.json"
expect_match "at the value, naming the users known" "$(cat "$T/.err")" "^$T/own.json:2:78: warning: step give sets owner 'mallory', who is not a user here \(users: .*bob.*\)$"
expect_no_match "a user that exists passes" "$(cat "$T/.err")" "'bob'"
done_testing
