#!/bin/sh
# tui_junior.sh: the junior analyst's common path on the demo, in tmux,
# counting keys (issue 12): open the most urgent unassigned incident,
# claim it, do its first manual step, move it to containment, close it.
# Fails when the path needs more than 15 keys (it took about 80 with a
# play before: Tab and Down through every wrapped output line, a question
# about the checklist before a refusal for the missing input, a claimed
# card vanishing from the "unassigned" view so that L moved the next one).
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"
# The end of the demo month: the board's clocks and the demo agree.
export IRK_NOW=1796688000
MAX_KEYS=15

irk demo >/dev/null
n_keys=0
# press KEY...: send keys one by one, counting them.
press() {
	for _key in "$@"; do
		keys "$_key"
		n_keys=$((n_keys + 1))
	done
}
inc() { sql "SELECT $2 FROM incidents WHERE id = ${1#IR-}"; }

# ---- without a play: claim, two stages (confirmed), close -----------------
k=$(IRK_USER=ben irk list --unassigned --limit 1 --json | jq -r '.[0].key')
expect_eq "the most urgent unassigned incident runs no play" "$(inc "$k" "coalesce(play, '')")" ""
tui_start 120 40 IRK_USER=ben
expect_screen "ben's board" " irk │ ben │"
press u
expect_screen "u: unassigned only, the most urgent first" "$k P"
press c
expect_screen "claimed" "$k is yours"
press L
expect_screen "to identification" "$k moved to Identification"
press L
expect_screen "a second stage within seconds asks first" "Move $k from Identification to Containment?"
press Down Enter
expect_screen "to containment" "$k moved to Containment"
press x
expect_screen "x: the resolutions" "Close $k as"
press Enter
expect_screen "an optional reason" "Closing $k as true-positive. Reason (optional):"
press Enter
expect_screen "closed" "$k closed as true-positive"
expect_eq "closed as true-positive, by ben" "$(inc "$k" "stage || ' ' || resolution || ' ' || owner")" \
	"closed true-positive ben"
check "without a play: $n_keys keys (at most $MAX_KEYS)" test "$n_keys" -le "$MAX_KEYS"

# ---- with a play: its first manual step is done on the way ----------------
# A brute force on the bastion two minutes ago: the most urgent unassigned.
ts=$(date -u -d "@$((IRK_NOW - 120))" +%Y-%m-%dT%H:%M:%S.000+0000)
head -n 1 "$IRK_TOP/tests/fixtures/plays/brute-force.jsonl" |
	sed "s/\"timestamp\":\"[^\"]*\"/\"timestamp\":\"$ts\"/; s/\"level\":10/\"level\":15/" >"$T/bf.jsonl"
irk ingest "$T/bf.jsonl" >/dev/null
k=$(IRK_USER=ben irk list --unassigned --limit 1 --json | jq -r '.[0].key')
expect_eq "the most urgent unassigned incident now runs brute-force" "$(inc "$k" play)" brute-force
n_keys=0
tui_start 120 40 IRK_USER=ben
expect_screen "ben's board again" " irk │ ben │"
press u
expect_screen "u: the brute force first" "$k P1 critical"
press c
expect_screen "claimed" "$k is yours"
press L
expect_screen "to identification (the card stays under the cursor)" "$k moved to Identification"
expect_eq "it is the brute force that moved" "$(inc "$k" stage)" identification
press Enter
expect_screen "the incident" " $k · sshd: brute force"
# The sequencer plans the move a moment later (a person reads the screen).
expect_screen "its first manual step waits" "  [waiting] success Did any guess succeed?"
# w: the cursor on the first step waiting for a person (past the score
# step's output and the skipped block), which Enter opens.
press w Enter
expect_screen "w Enter: that step" " $k · step success: Did any guess succeed?"
press d
expect_screen "d asks first for the required input it lacks" "compromised (required): yes or no"
press Down Enter
expect_screen "then, the checklist not ticked, whether to go on" "4 of 4 checklist items not ticked"
press Down Enter
expect_screen "the step is done" "success of $k is done"
expect_eq "with the input" "$(sql "SELECT state || ' ' || inputs FROM steps WHERE incident_id = ${k#IR-} AND step_id = 'success'")" \
	'done {"compromised":"no"}'
press L
expect_screen "L on the step: back on the incident, moved on" "$k moved to Containment"
expect_screen "the incident screen" "  stage           Containment"
press x
expect_screen "x: the resolutions" "Close $k as"
press Enter
expect_screen "an optional reason" "Closing $k as true-positive. Reason (optional):"
press Enter
expect_screen "closed, saying what it cancelled" "$k closed as true-positive; its unfinished steps are cancelled"
expect_eq "closed as true-positive, by ben" "$(inc "$k" "stage || ' ' || resolution || ' ' || owner")" \
	"closed true-positive ben"
check "with a play: $n_keys keys (at most $MAX_KEYS)" test "$n_keys" -le "$MAX_KEYS"
keys q q
wait_for 5 pane_dead
expect_eq "quits cleanly" "$(dead_status)" 0
done_testing
