#!/bin/sh
# step_tick.sh: a checklist from the command line. A step whose checklist
# must be whole before done says how to tick it; `irk step tick` ticks
# items by the numbers `irk step show` gives them, shows who ticked what,
# takes ticks back with --untick, and every tick is in the audit log.
# (Found by a senior analyst's trial: only the board could tick.)
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

cat >"$T/plays/tick.json" <<'EOF'
{"play": "tick", "name": "Tick", "version": 1, "match": "rule == 'E2ETick'",
 "steps": [{"id": "contain", "stage": "new", "kind": "manual", "title": "Contain", "required": true,
   "checklist": ["Host isolated", "Accounts disabled"], "checklist_required": true},
  {"id": "note", "stage": "new", "kind": "manual", "title": "Note",
   "instructions": "Call the owner of {{alert.host | upper}} ({{alert.user}}).",
   "checklist": ["{{alert.host}} isolated for {{alert.user}}", "{{incident.key}} noted"]}]}
EOF
expect_rc "the test play lints clean" 0 irk play lint "$T/plays/tick.json"
alert E2ETick web-01 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null

expect_rc "done with nothing ticked is refused" 1 irk step done IR-1 contain
expect_match "saying how to tick" "$(cat "$T/.err")" \
	"^irk: step contain needs its whole checklist ticked; 2 of 2 items are not: 1. Host isolated; 2. Accounts disabled \(irk step tick IR-1 contain N...\)$"
expect_rc "tick both" 0 irk step tick IR-1 contain 1 2
expect_eq "it says so" "$(cat "$T/.out")" "IR-1 contain: ticked 2 items"
show=$(irk step show IR-1 contain)
expect_match "show numbers the items and marks them" "$show" "^ 2 \[x\] Accounts disabled$"
expect_match "and says who ticked" "$show" "^       ticked by alice, "
expect_rc "untick one" 0 irk step tick IR-1 contain 2 --untick
expect_match "it is open again" "$(irk step show IR-1 contain)" "^ 2 \[ \] Accounts disabled$"
expect_rc "an item that does not exist" 1 irk step tick IR-1 contain 3
expect_match "is named" "$(cat "$T/.err")" "has no checklist item 3 \(it has 2\)"
expect_rc "not a number: usage" 2 irk step tick IR-1 contain two
expect_rc "--untick goes with tick only" 2 irk step done IR-1 contain --untick
irk step tick IR-1 contain 2 >/dev/null
expect_rc "done once the checklist is whole" 0 irk step done IR-1 contain
expect_eq "every tick and untick is in the audit log" \
	"$(irk audit log --json | grep -o '"kind":"step.check"' | wc -l)" 4
# Issue 13: what a person reads renders what it can; a missing value is
# marked in place, and the done records the checklist as it was read.
show=$(irk step show IR-1 note)
expect_match "instructions: rendered, a missing value marked" "$show" "Call the owner of WEB-01 \(\[missing: alert.user\]\)\."
expect_match "checklist: likewise" "$show" "^ 1 \[ \] web-01 isolated for \[missing: alert.user\]$"
expect_match "an item with every value" "$show" "^ 2 \[ \] IR-1 noted$"
irk step tick IR-1 note 2 >/dev/null
expect_rc "done" 0 irk step done IR-1 note
expect_eq "the done event records the checklist expanded" \
	"$(irk audit log --json | jq -r 'select(.kind == "step.done") | .data | fromjson | select(.step == "note") | .checklist | map(.text) | join("|")')" \
	"web-01 isolated for [missing: alert.user]|IR-1 noted"
expect_rc "the chain holds" 0 irk audit verify
done_testing
