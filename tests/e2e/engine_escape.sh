#!/bin/sh
# engine_escape.sh: what an exec step run by `irk serve` leaves behind in a
# session of its own (setsid, a daemon) does not outlive the step: irk is a
# child subreaper, the orphan comes to its first thread, and the sweep at
# the end of the step kills it, and what it started.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

cat >"$T/plays/escape.json" <<EOF
{"play": "escape", "name": "Leaves a daemon", "version": 1, "match": "rule == 'E2EEscape'",
 "steps": [{"id": "daemon", "stage": "new", "kind": "exec", "title": "Start a daemon",
   "argv": ["sh", "-c", "setsid sh -c 'sleep 300 & echo \$! > $T/kid.tmp; mv $T/kid.tmp $T/kid.pid; echo \$\$ > $T/d.tmp; mv $T/d.tmp $T/daemon.pid; exec sleep 301' & while [ ! -s $T/daemon.pid ]; do :; done"]}]}
EOF
expect_rc "the test play lints clean" 0 irk play lint "$T/plays/escape.json"

serve s1
alert E2EEscape web-01 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
check "the step is done" wait_for 20 state_is IR-1 daemon done
daemon=$(cat "$T/daemon.pid")
kid=$(cat "$T/kid.pid")
check "the daemon, in a session of its own, is gone" wait_for 5 dead "$daemon"
check "and so is what it started" wait_for 5 dead "$kid"
check "irk serve runs on" alive "$(cat "$T/s1.pid")"
# Whatever a failure left: not to outlive the test.
kill -9 "$daemon" "$kid" 2>/dev/null
done_testing
