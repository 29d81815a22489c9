#!/bin/sh
# engine.sh: the sequencer end to end with real `irk serve` processes:
# three of them on one database run each exec step exactly once; a
# template value that looks like shell reaches the program as one literal
# argument and no shell runs; a step killed by its timeout fails and its
# whole process group is gone.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

# A program that is not a shell: prints its arguments as JSON.
cat >"$T/argdump" <<'EOF'
#!/usr/bin/python3
import json, sys
print(json.dumps({"argc": len(sys.argv) - 1, "argv": sys.argv[1:]}))
EOF
chmod 755 "$T/argdump"

cat >"$T/plays/once.json" <<EOF
{"play": "once", "name": "Append once", "version": 1, "match": "rule == 'E2EOnce'",
 "steps": [{"id": "append", "stage": "new", "kind": "exec", "title": "Append",
   "argv": ["sh", "-c", "echo \$IRK_INCIDENT >> $T/runs.log"]}]}
EOF
cat >"$T/plays/inject.json" <<EOF
{"play": "inject", "name": "Injection", "version": 1, "match": "rule == 'E2EInject'",
 "steps": [{"id": "dump", "stage": "new", "kind": "exec", "title": "Dump",
   "cwd": "$T/work", "argv": ["$T/argdump", "--host={{alert.host}}", "{{alert.host}}"]}]}
EOF
cat >"$T/plays/slow.json" <<EOF
{"play": "slow", "name": "Timeout", "version": 1, "match": "rule == 'E2ESlow'",
 "steps": [{"id": "hang", "stage": "new", "kind": "exec", "title": "Hang", "timeout": 1,
   "argv": ["sh", "-c", "echo \$\$ > $T/slow.pid; sleep 60 & echo \$! > $T/slow-bg.pid; wait"]}]}
EOF
expect_rc "the test plays lint clean" 0 irk play lint "$T/plays/once.json" "$T/plays/inject.json" \
	"$T/plays/slow.json"

# ---- exactly once with three irk serve ------------------------------------
serve s1
serve s2
serve s3
i=1
while [ $i -le 30 ]; do alert E2EOnce "host-$i" "10.0.1.$i"; i=$((i + 1)); done >"$T/once.jsonl"
expect_rc "30 alerts ingested" 0 irk ingest "$T/once.jsonl"
done_30() { [ "$(sql "SELECT count(*) FROM steps WHERE step_id = 'append' AND state = 'done'")" = 30 ]; }
check "all 30 steps done" wait_for 20 done_30
expect_eq "each ran exactly once (30 lines)" "$(wc -l <"$T/runs.log" | tr -d ' ')" 30
expect_eq "30 different incidents" "$(sort -u "$T/runs.log" | wc -l | tr -d ' ')" 30
expect_eq "one attempt each" "$(sql "SELECT count(*) FROM steps WHERE step_id = 'append' AND attempts = 1")" 30
claimed=$(cat "$T/s1.log" "$T/s2.log" "$T/s3.log" | grep -c 'append (exec): running')
expect_eq "30 claims in the three logs together" "$claimed" 30
expect_eq "the audit chain holds" "$(irk audit verify >/dev/null 2>&1; echo $?)" 0

# ---- a template value is one literal argument -----------------------------
evil='$(touch pwned); touch pwned `touch pwned` | touch pwned && touch pwned'
alert E2EInject "$evil" >"$T/inject.jsonl"
irk ingest "$T/inject.jsonl" >/dev/null
key=$(irk list --json | /usr/bin/python3 -c 'import json, sys
print([i["key"] for i in json.load(sys.stdin) if i["title"] == "E2EInject"][0])')
check "the injection step is done" wait_for 10 state_is "$key" dump done
out=$(sql "SELECT output FROM steps WHERE step_id = 'dump'")
want=$(/usr/bin/python3 -c 'import json, sys
print(json.dumps({"argc": 2, "argv": ["--host=" + sys.argv[1], sys.argv[1]]}, separators=(",", ":")))' "$evil")
expect_eq "the program got the value as exactly one argument each" "$out" "$want"
check "no shell ran in the working directory" test ! -e "$T/work/pwned"
check "no shell ran anywhere we look" test ! -e "$T/pwned"

# ---- a timeout kills the process group -------------------------------------
alert E2ESlow web-01 >"$T/slow.jsonl"
irk ingest "$T/slow.jsonl" >/dev/null
check "the slow step started" wait_for 10 test -s "$T/slow-bg.pid"
pid=$(cat "$T/slow.pid")
bg=$(cat "$T/slow-bg.pid")
slow_failed() { sql "SELECT 1 FROM steps WHERE step_id = 'hang' AND state = 'failed'" | grep -q 1; }
check "the step failed" wait_for 10 slow_failed
expect_match "its reason is the timeout" "$(sql "SELECT error FROM steps WHERE step_id = 'hang'")" \
	'^timeout: killed after 1s'
check "the program is gone" wait_for 3 dead "$pid"
check "its background child is gone" wait_for 3 dead "$bg"
check "no process of its group is left" wait_for 3 group_gone "$pid"
expect_match "the audit log has the failure" "$(irk audit log --json 2>/dev/null | grep step.failed)" 'timeout'

stop_serves
_serves=""
expect_match "serve logged its stop" "$(cat "$T/s1.log")" 'sequencer stopped'
done_testing
