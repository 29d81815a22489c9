#!/bin/sh
# tui_plays.sh: the board with a play and the sequencer running inside it.
# A ransomware alert gets its play; the board's own engine runs the
# automated steps and the screen follows without a key; the approval waits
# for a person (the card is flagged); the gate refuses the move until a
# senior approves and the isolation step has run, then lets it through.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"
# Real time here: the engine's leases and retries run on the clock.
unset IRK_NOW

irk init >/dev/null
irk user add bob --role senior >/dev/null
irk ingest "$IRK_TOP/tests/fixtures/plays/ransomware.jsonl" >/dev/null

tui_start 100 30 IRK_USER=carol
expect_screen "the incident is on the board" "IR-1 P1 critical"
expect_screen "its approval waits for a person: flagged" "IR-1 P1 critical                ⚑│"
keys Enter
expect_screen "the incident opens" " IR-1 · Ransomware: mass file rename"
# The board's engine runs the set step; the screen follows by itself.
expect_screen "a step run by the board's engine shows without a key" "  vector          unknown" 15
expect_screen "and its confidence" "critical, P1, confidence 80%"
keys Tab
expect_screen "the play's steps" "Play steps (11)"
expect_screen "the set step is done" "  [done]    classify Set vector, threat_source, confidence (set, new)"
expect_screen "the approval waits" "  [waiting] isolate-ok Isolate fs-01 now (approval, new)"
keys L
expect_screen "the gate refuses, naming the step" "IR-1 cannot leave new: required step not done: isolate"
check "IR-1 stayed in new" [ "$(field IR-1 stage)" = new ]

# A senior approves from the command line; the board's engine runs the
# isolation order.
IRK_USER=bob irk approve IR-1 isolate-ok >/dev/null
expect_screen "the approval is granted" "  [done]    isolate-ok Isolate fs-01 now" 10
expect_screen "the isolation step ran" "  [done]    isolate Issue the isolation order for fs-01 (exec, new, required)" 20
keys Tab
expect_screen "the timeline tells the step's story" "step isolate: running → done"
expect_screen "and who granted the approval" "bob step isolate-ok: waiting → done"
expect_screen "the timeline says what the engine set" "engine set confidence=80 threat_source=criminal vector=unknown"
keys L
expect_screen "now the gate lets it through" "IR-1 moved to Identification"
check "IR-1 is in identification" [ "$(field IR-1 stage)" = identification ]
keys q
expect_screen "on the board, in its new column" " Identification (1)"

keys q
wait_for 5 pane_dead
expect_eq "quits cleanly, the engine stopped" "$(dead_status)" 0
done_testing
