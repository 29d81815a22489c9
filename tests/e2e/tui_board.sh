#!/bin/sh
# tui_board.sh: the board in a real terminal (tmux): 80x24 and 200x50,
# open, claim, move (gate refusal, back move refused without a reason, with
# one), someone else's card refused before any prompt, close, filter (the cursor goes to the match), a long message over
# two rows and M, note, resize, quit.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

setup_db

# ---- 80x24 ----
tui_start 80 24 IRK_USER=carol
expect_screen "80x24: header with totals" " irk │ carol │ 11 open · 1 closed · 0 SLA breached"
expect_screen "80x24: three columns and a scroll marker" " New (10)                 │ Identification (1)       │ Containment (0)        ›"
expect_screen "80x24: card key, priority, severity" "IR-1 P1 critical"
expect_screen "80x24: owner, age and SLA" "  - · 0s          15m left│  bob · 0s      1d00h left│"
expect_screen "80x24: position in a long column" "  1-6 of 10"

# Open the second card, then back.
keys j Enter
expect_screen "Enter opens the incident" " IR-6 · Share permissions changed on fs-02"
keys q
expect_screen "q goes back to the board" " New (10)"

# Claim the card under the cursor (IR-6).
keys c
expect_screen "c claims" "IR-6 is yours"
check "the database says carol holds IR-6" [ "$(field IR-6 owner)" = carol ]

# Move forward; the cursor follows the card.
keys L
expect_screen "L moves to the next stage" "IR-6 moved to Identification"
check "IR-6 is in identification" [ "$(field IR-6 stage)" = identification ]
expect_screen "the columns count it" " New (9)                  │ Identification (2)"

# H at once takes one's own move back: no reason asked, not counted.
keys H
expect_screen "H at once is an undo" "IR-6 moved to New"
check "the undo is no back move" [ "$(field IR-6 stage) $(field IR-6 back_moves)" = "new 0" ]
keys L
expect_screen "L again, no confirmation after a move back" "IR-6 moved to Identification"
# A minute later it is a back move. Without a reason: refused.
sql "UPDATE stage_history SET at = at - 120"
keys H
expect_screen "H asks why" "Move IR-6 back from Identification to New. Why?"
keys Enter
expect_screen "a back move without a reason is refused" "moving IR-6 back to new needs a reason"
check "IR-6 stayed in identification" [ "$(field IR-6 stage)" = identification ]
# With one.
keys H
expect_screen "H asks again" "Why? (needed; it is counted)"
type_text "false alarm, re-triage"
keys Enter
expect_screen "with a reason it moves back" "IR-6 moved to New"
check "IR-6 is back in new" [ "$(field IR-6 stage)" = new ]

# bob holds IR-5 (Identification): analyst carol may not move, move back
# or close it, and is told so before any prompt. z between the keys puts
# another message on the status line, so each refusal is seen afresh.
keys l
expect_screen "the cursor on bob's card" "IR-5 P"
for k in L H x; do
	keys z
	expect_screen "($k) the status line is reset" "z does nothing here"
	keys "$k"
	expect_screen "$k on bob's card: the status says who holds it" "IR-5 is held by bob; only bob or a senior can change it"
	if screen_has "Why?" || screen_has "true-positive" || screen_has "Reason"; then
		not_ok "$k on bob's card: no prompt"; screen | sed 's/^/#   |/'
	else ok "$k on bob's card: no prompt"; fi
done
check "IR-5 stayed in identification, bob's" [ "$(field IR-5 stage) $(field IR-5 owner)" = "identification bob" ]
keys h

# A closed gate: a required step of new is not done.
check "a required step of new closes the gate (teststep)" "$TESTSTEP" "$IRK_DB" IR-1 isolate new
keys g
expect_screen "g goes to the first card" "IR-1 P1 critical"
keys L
expect_screen "the gate refuses and says why" "IR-1 cannot leave new: required step not done: isolate (not"
check "IR-1 stayed in new" [ "$(field IR-1 stage)" = new ]

# Filter by text, then by an expression, then clear.
keys /
expect_screen "/ asks for a filter" "Filter: text, or an expression"
type_text "permissions"
keys Enter
expect_screen "a text filter" " New (1/10)"
keys / C-u
type_text "severity == 'low'"
keys Enter
expect_screen "an expression filter" " New (1/10)"
expect_screen "the low card" "IR-9 P4 low"
keys Escape
expect_screen "Escape clears the filters" "filters cleared"

# From the Closed side, a filter whose match is in Identification brings
# it into view (it used to leave three columns of "(none match)").
keys l l l l l l
expect_screen "the cursor on the Closed side" "Closed (1)"
keys /
type_text "IR-5"
keys Enter
expect_screen "the filter scrolls to the match" "‹Identification (1)"
expect_screen "the matching card is on screen" "IR-5 P"
expect_screen "the status line counts the matches" "filter on: 1 card matches"
keys Escape h
# A long refusal wraps to two rows at 80x24 and M shows all of it.
keys / C-u
type_text "sevrity == 'low'"
keys Enter
expect_screen "a long message takes a second row" "priority confidence asset_criticality category vector"
expect_screen "and says where the rest is" "… M: all"
keys M
expect_screen "M shows the last message in full" "waiting mine"
keys q
expect_gone "q goes back to the board" "Last message"

# A note from the incident screen.
keys g Enter
expect_screen "the incident opens" " IR-1 · Outbound TLS every 60 s from ws-fin-07"
keys n
expect_screen "n asks for a note" "Note on IR-1:"
type_text "called the desk: Müller says ws-fin-07 is offline"
keys Enter
expect_screen "the note is added" "note added to IR-1"
check "irk show has the note" sh -c "'$IRK_BIN' show IR-1 | grep -q 'Müller says ws-fin-07 is offline'"
keys q

# Close with a resolution from the menu.
keys j j x
expect_screen "x offers the resolutions" "> true-positive"
keys 2
expect_screen "then an optional reason" "Closing IR-10 as false-positive. Reason (optional):"
keys Enter
expect_screen "closed" "IR-10 closed as false-positive"
check "IR-10 is closed as false-positive" [ "$(field IR-10 resolution)" = false-positive ]
# The cursor went with the card to the closed column; back to the left.
keys h h h h h h

# ---- resize to 200x50: every stage fits ----
tmx resize-window -t t -x 200 -y 50
expect_screen "resized: the closed column shows" "Closed (2)"
expect_gone "resized: no scroll marker" "›"
tmx resize-window -t t -x 80 -y 24
expect_screen "and back to 80 columns" "Containment (0)        ›"
expect_screen "the closed card is no longer in New" " New (9)"

keys q
if wait_for 5 pane_dead; then ok "q quits"; else not_ok "q quits"; fi
expect_eq "exit status 0" "$(dead_status)" 0

# ---- a signal ends it cleanly: the terminal is restored ----
tui_start 80 24
expect_screen "the board again" " New ("
shell=$(tmx display -p -t t '#{pane_pid}')
irk_pid=$(cat "/proc/$shell/task/$shell/children" 2>/dev/null | tr -d ' ')
check "irk runs as the pane's child" [ -n "$irk_pid" ]
kill -TERM "$irk_pid"
wait_for 5 pane_dead
expect_eq "SIGTERM: exit 128+15" "$(dead_status)" 143
expect_gone "the board is gone (the alternate screen was left)" " New ("

# ---- a senior forces the gate, with a reason ----
tui_start 80 24
expect_screen "alice (admin) on the board" " irk │ alice admin │"
keys L
expect_screen "the gate asks a senior for a reason" "IR-1 cannot leave New: required step not done: isolate (not started)."
type_text "host isolated by hand"
keys Enter
expect_screen "forced past the gate" "IR-1 moved to Identification (gate forced)"
check "the history records the forced move" sh -c "'$IRK_BIN' show IR-1 | grep -q 'host isolated by hand'"
keys q
wait_for 5 pane_dead

# ---- start at 200x50 ----
tui_start 200 50
expect_screen "200x50: seven columns" "│ Lessons learned (0)"
expect_screen "200x50: the closed cards" "IR-4 P4 low"
expect_screen "200x50: the header names a senior" " irk │ alice admin │"
keys q
wait_for 5 pane_dead
expect_eq "quits from 200x50" "$(dead_status)" 0
done_testing
