#!/bin/sh
# engine_recovery.sh: `irk serve` killed with SIGKILL in the middle of two
# steps, then started again: its programs died with it, the leases run
# out, the idempotent step ("retry": 1) runs again and succeeds, the other
# waits for a person. Then SIGTERM: the running program is killed, the
# step recorded, serve exits 0.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

# First run: write the pid, then hang. Later runs: succeed at once.
cat >"$T/job" <<'EOF'
#!/bin/sh
echo "$$" >>"$1.pids"
[ -e "$1.started" ] && exit 0
: >"$1.started"
exec sleep 60
EOF
chmod 755 "$T/job"

cat >"$T/plays/recover.json" <<EOF
{"play": "recover", "name": "Recovery", "version": 1, "match": "rule == 'E2ERecover'",
 "steps": [
  {"id": "collect", "stage": "new", "kind": "exec", "title": "Collect (idempotent)",
   "retry": 1, "backoff": 1, "argv": ["$T/job", "$T/collect"]},
  {"id": "isolate", "stage": "new", "kind": "exec", "title": "Isolate (runs once)",
   "argv": ["$T/job", "$T/isolate"]}]}
EOF
cat >"$T/plays/term.json" <<EOF
{"play": "term", "name": "Stop", "version": 1, "match": "rule == 'E2ETerm'",
 "steps": [{"id": "long", "stage": "new", "kind": "exec", "title": "Long",
   "argv": ["sh", "-c", "echo \$\$ > $T/term.pid; exec sleep 60"]}]}
EOF
expect_rc "the test plays lint clean" 0 irk play lint "$T/plays/recover.json" "$T/plays/term.json"

# ---- kill -9 mid-step, then restart -----------------------------------------
serve s1
alert E2ERecover web-07 >"$T/r.jsonl"
irk ingest "$T/r.jsonl" >/dev/null
check "both steps are running" wait_for 10 test -s "$T/collect.pids" -a -s "$T/isolate.pids"
c1=$(head -n 1 "$T/collect.pids")
i1=$(head -n 1 "$T/isolate.pids")
s1=$(cat "$T/s1.pid")
kill -9 "$s1"
wait "$s1" 2>/dev/null
_serves=""
# workdirs PID: the working directories irk process PID made.
workdirs() { ls -d "$T/tmp/irk-step.$1."* 2>/dev/null; }
no_workdirs() { [ -z "$(workdirs "$1")" ]; }
expect_eq "the killed serve left its steps' working directories in engine.tmpdir" \
	"$(workdirs "$s1" | wc -l | tr -d ' ')" 2
check "the collect program died with irk serve" wait_for 3 dead "$c1"
check "the isolate program died with irk serve" wait_for 3 dead "$i1"
expect_eq "collect is still marked running" "$(state IR-1 collect)" running
expect_eq "isolate is still marked running" "$(state IR-1 isolate)" running

serve s2
check "the next engine to start removes them" wait_for 10 no_workdirs "$s1"
check "the idempotent step runs again and is done" wait_for 15 state_is IR-1 collect done
check "the other step waits for a person" wait_for 15 state_is IR-1 isolate waiting
expect_eq "collect ran twice" "$(wc -l <"$T/collect.pids" | tr -d ' ')" 2
expect_eq "isolate ran once" "$(wc -l <"$T/isolate.pids" | tr -d ' ')" 1
expect_eq "collect: two attempts" "$(sql "SELECT attempts FROM steps WHERE step_id = 'collect'")" 2
expect_match "isolate says why" "$(sql "SELECT error FROM steps WHERE step_id = 'isolate'")" \
	'lease of .* expired .*retry or skip'
expect_match "recovery is in the audit log" \
	"$(sql "SELECT data FROM events WHERE kind = 'step.waiting'")" '"step":"isolate"'
expect_match "serve logged the recovery" "$(cat "$T/s2.log")" 'IR-1 isolate: waiting'
expect_match "and the removal" "$(cat "$T/s2.log")" 'removed 2 working directories left by irk processes that died'

# ---- SIGTERM: clean stop, the killed program recorded ---------------------
alert E2ETerm web-08 10.0.0.8 >"$T/t.jsonl"
irk ingest "$T/t.jsonl" >/dev/null
check "the long step is running" wait_for 10 test -s "$T/term.pid"
tp=$(cat "$T/term.pid")
spid=$(cat "$T/s2.pid")
kill -TERM "$spid"
wait "$spid"
rc=$?
_serves=""
expect_eq "irk serve exits 0 on SIGTERM" "$rc" 0
check "its program was killed" wait_for 3 dead "$tp"
expect_eq "the step waits for a person" "$(state IR-2 long)" waiting
expect_match "the step records the kill" "$(sql "SELECT error FROM steps WHERE step_id = 'long'")" \
	'killed by SIGTERM'
expect_match "serve logged it" "$(cat "$T/s2.log")" 'SIGTERM: stopping'
expect_match "and recorded the step before it stopped" "$(cat "$T/s2.log")" 'IR-2 long: waiting: irk stopped'
expect_eq "the audit chain holds" "$(irk audit verify >/dev/null 2>&1; echo $?)" 0
done_testing
