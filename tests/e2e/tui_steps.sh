#!/bin/sh
# tui_steps.sh: a play's steps done from the board, in tmux, with the
# board's own engine running the automated ones. alice (the admin) ticks the
# triage checklist, picks its verdict from the choices, types a ticket the
# play's pattern refuses (stopped on the screen: nothing reaches the
# database), fixes it and marks the step done; she may not grant the
# approval she asked for; bob, a second senior on his own board, grants it
# and alice's screen follows without a key; the purge runs; the failed
# scan's output shows its escape sequences as visible escapes; alice skips
# the scan with a reason.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"
# Real time here: the engine's leases and retries run on the clock.
unset IRK_NOW

export IRK_PLAYS="$T/plays"
mkdir -p "$IRK_PLAYS"
cp "$FIX/plays/tui-steps.json" "$IRK_PLAYS/"
printf '[engine]\npoll = 100ms\n' >"$IRK_CONFIG"
irk init >/dev/null
# irk init makes alice (who ran it) the admin; an admin counts as a senior.
irk user add bob --role senior >/dev/null
irk ingest "$FIX/steps.jsonl" >/dev/null
expect_eq "the alert got the test play" "$(field IR-1 play)" tui-steps

# bob's board: a second tmux session on the same server.
screen_b() { tmx capture-pane -p -t b; }
keys_b() { tmx send-keys -t b "$@"; }
screen_b_has() { screen_b | grep -qF -- "$1"; }
expect_screen_b() {
	if wait_for "${3:-5}" screen_b_has "$2"; then ok "$1"; else
		not_ok "$1"; echo "#   no '$2' on bob's screen:"; screen_b | sed 's/^/#   |/'; fi
}
state_is() { [ "$(sql "SELECT state FROM steps WHERE step_id = '$1'")" = "$2" ]; }

tui_start 100 32 IRK_USER=alice
expect_screen "the incident waits for a person: flagged" "⚑"
keys Enter
expect_screen "the incident opens" " IR-1 · User reported a phishing mail"
keys Tab
expect_screen "the board's engine ran the scan, which failed" \
	"  [failed]  scan Scan the mailbox (exec, new) · attempt 1" 15
expect_screen "the triage waits" "  [waiting] triage Triage the reported mail (manual, new, required)"

# ---- the manual step: checklist, inputs, done ---------------------------
keys Down Enter
expect_screen "Enter opens the step" " IR-1 · step triage: Triage the reported mail"
expect_screen "its instructions, the alert's host filled in" \
	"  Read the headers of the mail reported from mx-01, not the display name."
expect_screen "its checklist" "  [ ] SPF/DKIM/DMARC results read"
expect_screen "its required input" "  verdict *"
keys Space
expect_screen "Space ticks an item, with the name" "  [x] SPF/DKIM/DMARC results read   · alice"
keys Space
expect_screen "and the next" "Checklist (2 of 2 ticked)"
keys d
expect_screen "d asks first for the required input it lacks" " verdict (required): phish, spam or legitimate "
keys Escape
expect_screen "Esc: nothing done" "not marked done: input verdict is empty"
check "the triage still waits" state_is triage waiting
expect_screen "the field shows its choices" "                  phish, spam or legitimate  [phish | spam | legitimate]"
keys Enter
expect_screen "Enter on the field offers its choices" " verdict (required): phish, spam or legitimate "
keys Down Enter
expect_screen "the choice picked is in the field" "  verdict *       spam"
keys BTab Left
expect_screen "Left on the field: the choice before" "  verdict *       phish"
keys Tab Enter
expect_screen "on to the next field, with its pattern" "│ ticket: the change ticket; pattern CHG-[0-9]+"
type_text "CHG 7"
keys Enter
bad="input ticket is 'CHG 7'; it must match CHG-[0-9]+ (the change ticket)"
expect_screen "a value against the pattern: the reason at once" "$bad"
expect_screen "and its field marked bad" "  ticket          CHG 7   ✗ does not match the pattern"
keys Tab
expect_gone "Tab moves on" "$bad"
keys d
expect_screen "d with the bad value: stopped on the screen" "$bad"
check "the triage still waits" state_is triage waiting
expect_eq "no inputs recorded" "$(sql "SELECT coalesce(inputs, '') FROM steps WHERE step_id = 'triage'")" ""
expect_eq "the refused value is nowhere in the database" \
	"$(sql "SELECT count(*) FROM events WHERE data LIKE '%CHG 7%'")" 0
keys Enter
expect_screen "the cursor went back to the field: Enter opens it" "│ ticket: the change ticket; pattern CHG-[0-9]+"
keys C-u
type_text "CHG-7"
keys Enter
expect_screen "the value fixed" "  ticket          CHG-7"
expect_gone "no longer marked bad" "✗"
keys d
expect_screen "d marks it done" "triage of IR-1 is done"
expect_screen "the screen shows who did it" "  state           done by alice"
check "the step is done in the database" state_is triage done
expect_eq "with the inputs" "$(sql "SELECT inputs FROM steps WHERE step_id = 'triage'")" \
	'{"verdict":"phish","ticket":"CHG-7"}'
expect_eq "and the ticks, by alice" \
	"$(sql "SELECT json_extract(checks, '\$.0.by') || ' ' || json_extract(checks, '\$.1.by') FROM steps WHERE step_id = 'triage'")" \
	"alice alice"
expect_match "irk step show marks them" "$(irk step show IR-1 triage)" '\[x\] Links detonated in the sandbox'

# ---- the approval: not by the one who asked; by a second senior --------
keys q
expect_screen "back on the incident" "  [waiting] purge-ok Purge the mail from every mailbox (approval, new) · asked by alice"
keys Down Down Enter
expect_screen "the approval's screen" "  state           waiting for a senior to approve it (asked by alice, you)"
keys a
expect_screen "the requester may not grant it" \
	"you asked for approval purge-ok yourself; another senior must grant it"
check "the approval still waits" state_is purge-ok waiting

tmx new-session -d -s b -x 100 -y 32 \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 IRK_USER=bob '$IRK_BIN' 2>'$T/stderr-b'; echo \$? >'$T/exit-b'"
expect_screen_b "bob's board marks the incident: an approval he may grant" "IR-1 P2 high                    ✓"
keys_b Enter Tab Down Down Down Enter
expect_screen_b "bob opens the approval" "  state           waiting for a senior to approve it (asked by alice)"
keys_b a
expect_screen_b "bob grants it" "purge-ok of IR-1 approved"
expect_screen "alice's screen follows without a key" "  state           done by bob"
wait_for 15 state_is purge done
check "the engine ran the purge after the approval" state_is purge done
keys_b q q q
wait_for 5 test -s "$T/exit-b"
expect_eq "bob's board quits cleanly" "$(cat "$T/exit-b" 2>/dev/null)" 0

# ---- the failed scan: output with escapes, then skipped -----------------
keys q
expect_screen "the purge's output is on the incident" '            output: {"purged":3}'
# From the section title: triage, its output, purge-ok, purge, its output, scan.
keys BTab Down Down Down Down Down Down Enter
expect_screen "the scan's screen" " IR-1 · step scan: Scan the mailbox"
expect_screen "its error, the escapes visible" "  error           exit status 3: \\x1b]0;pwned\\x07 scanner crashed"
expect_screen "a glimpse of its standard output" "  stdout: \\x1b[31mRED\\x1b[0m 2 links"
keys o
expect_screen "o shows everything in the pager" " IR-1 step scan: output"
expect_screen "standard error as text, the escapes visible" " \\x1b]0;pwned\\x07 scanner crashed"
expect_screen "the log" "   exit: 3"
expect_screen "standard output as text, the colour codes visible" " \\x1b[31mRED\\x1b[0m 2 links"
expect_eq "the program's title sequence did nothing" "$(tmx display -p -t t '#{pane_title}' | grep -c pwned)" 0
keys q
keys s
expect_screen "skip asks why" "Skip scan of IR-1: why?"
type_text "scanner broken; links checked by hand"
keys Enter
expect_screen "the scan is skipped" "scan of IR-1 skipped"
expect_screen "with its reason" "  reason          scanner broken; links checked by hand"
expect_eq "skipped in the database, with the reason" \
	"$(sql "SELECT state || ': ' || reason || ' (' || done_by || ')' FROM steps WHERE step_id = 'scan'")" \
	"skipped: scanner broken; links checked by hand (alice)"
expect_match "the audit log chain holds" "$(irk audit verify)" 'intact|ok|OK'

keys q q
expect_gone "nothing waits for a person now: the flag is gone" "⚑"
keys q
wait_for 5 pane_dead
expect_eq "quits cleanly, the engine stopped" "$(dead_status)" 0
done_testing
