#!/bin/sh
# engine_outcomes.sh: what counts as success and what a failure leads to
# (issue 13), with a real `irk serve` and a loopback HTTP server: an http
# step whose ok_status names 404 is done with the 404 in its output (a
# branch, not a failure); an exec whose ok_exit names 1 is done; on_failure
# continue, skip-dependants, goto:STEP and wait-for-person, against the
# default (the steps that need a failed step wait).
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

start_http
check "the HTTP server is up" test -n "$port"

cat >"$T/plays/out.json" <<EOF
{"play": "out", "name": "Outcomes", "version": 1, "match": "rule == 'E2EOut'",
 "steps": [
  {"id": "user", "stage": "new", "kind": "http", "title": "Look the user up",
   "url": "http://127.0.0.1:$port/status/404", "ok_status": [200, 404]},
  {"id": "unknown", "stage": "new", "kind": "exec", "title": "Unknown user", "argv": ["true"],
   "needs": ["user"], "when": "steps.user.output.status == 404"},
  {"id": "strict", "stage": "new", "kind": "http", "title": "Strict",
   "url": "http://127.0.0.1:$port/status/404"},
  {"id": "grep", "stage": "new", "kind": "exec", "title": "Grep", "argv": ["sh", "-c", "exit 1"],
   "ok_exit": [0, 1]},
  {"id": "c", "stage": "new", "kind": "exec", "title": "C", "argv": ["sh", "-c", "exit 3"],
   "on_failure": "continue"},
  {"id": "after-c", "stage": "new", "kind": "exec", "title": "After c", "argv": ["true"], "needs": ["c"]},
  {"id": "s", "stage": "new", "kind": "exec", "title": "S", "argv": ["sh", "-c", "exit 3"],
   "on_failure": "skip-dependants"},
  {"id": "after-s", "stage": "new", "kind": "exec", "title": "After s", "argv": ["true"], "needs": ["s"]},
  {"id": "g", "stage": "new", "kind": "exec", "title": "G", "argv": ["sh", "-c", "exit 3"],
   "on_failure": "goto:rescue"},
  {"id": "after-g", "stage": "new", "kind": "exec", "title": "After g", "argv": ["true"], "needs": ["g"]},
  {"id": "rescue", "stage": "new", "kind": "exec", "title": "Rescue", "argv": ["true"], "needs": ["g"]},
  {"id": "w", "stage": "new", "kind": "exec", "title": "W", "argv": ["sh", "-c", "exit 3"],
   "on_failure": "wait-for-person"},
  {"id": "x", "stage": "new", "kind": "exec", "title": "X", "argv": ["sh", "-c", "exit 3"]},
  {"id": "after-x", "stage": "new", "kind": "exec", "title": "After x", "argv": ["true"], "needs": ["x"]}]}
EOF
expect_rc "the test play lints clean" 0 irk play lint "$T/plays/out.json"
serve s1
alert E2EOut web-01 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
check "ok_status [200, 404]: the 404 is done" wait_for 20 state_is IR-1 user done
expect_eq "with the status in its output" "$(sql "SELECT output->>'status' FROM steps WHERE step_id = 'user'")" 404
check "a later when follows the 404 branch" wait_for 20 state_is IR-1 unknown done
check "without ok_status a 404 fails" wait_for 20 state_is IR-1 strict failed
check "ok_exit [0, 1]: exit 1 is done" wait_for 20 state_is IR-1 grep done
check "continue: the failed step" wait_for 20 state_is IR-1 c failed
check "continue: what needs it runs" wait_for 20 state_is IR-1 after-c done
check "skip-dependants: the failed step" wait_for 20 state_is IR-1 s failed
check "skip-dependants: what needs it is skipped" wait_for 20 state_is IR-1 after-s skipped
expect_match "saying why" "$(sql "SELECT reason FROM steps WHERE step_id = 'after-s'")" "needs s, which failed \(on_failure: skip-dependants\)"
check "goto:rescue: the step it names runs" wait_for 20 state_is IR-1 rescue done
check "goto:rescue: the others that need it are skipped" wait_for 20 state_is IR-1 after-g skipped
check "wait-for-person: the step waits for a person" wait_for 20 state_is IR-1 w waiting
expect_match "the audit log says why" "$(irk audit log --json | grep step.waiting)" "waiting for a person to retry or skip it \(on_failure: wait-for-person\)"
check "by default the step fails" wait_for 20 state_is IR-1 x failed
expect_eq "and what needs it waits" "$(state IR-1 after-x)" pending
expect_rc "a person skips the waiting step" 0 irk step skip IR-1 w --reason "known flaky"
expect_rc "the audit chain holds" 0 irk audit verify
done_testing
