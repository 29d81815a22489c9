#!/bin/sh
# tui_query.sh: the query screen in a real terminal (tmux): s from the
# board asks for a query, Enter shows the table, Enter on a row of an
# incident opens it, a timechart is drawn as bars; the input line's
# history (Up/Down) outlives irk; the board's filter as a saved query.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

setup_db     # twelve incidents at IRK_NOW; IR-4 closed false positive

tui_start 100 30
expect_screen "the board" " New (10)"
keys s
expect_screen "s asks for a query" "Query: alerts | stats count by host"
type_text 'incidents severity == "critical" | table key title | sort key'
keys Enter
expect_screen "Enter shows the result as a table" "key    title"
expect_screen "... a row of each critical incident" "IR-10  Large transfer to 203.0"
expect_screen "... and the saved queries" "Saved queries (irk query --save NAME)"
keys Down Enter
expect_screen "Enter on a row opens its incident" "IR-1 "
expect_gone "... the query screen is under it" "key    title"
keys q
expect_screen "q goes back to the result" "key    title"
keys q
expect_screen "q again: the board" " New (10)"

keys s
expect_screen "the prompt offers the last query" 'table key title | sort key'
type_text 'alerts | timechart span=1d count'
keys Enter
expect_screen "a timechart drawn as bars" "2024-05-13 00:00"
expect_screen "... its bar" "12 ####"
keys q
expect_screen "back on the board" " New (10)"
keys q
wait_for 5 pane_dead
expect_eq "irk exits 0" "$(dead_status)" 0
expect_eq "the history is kept in the user's state directory" \
	"$(cat "$XDG_STATE_HOME/irk/query_history")" \
	'incidents severity == "critical" | table key title | sort key
alerts | timechart span=1d count'

# The next run: the newest offered again, Up goes to the one before.
tui_start 100 30
expect_screen "a new run: the board" " New (10)"
keys s
expect_screen "the newest query of the last run is offered" "alerts | timechart span=1d count"
keys Up
expect_screen "Up: the one before" 'incidents severity == "critical" | table key'
keys Down
expect_screen "Down: the newest again" "alerts | timechart span=1d count"
keys Escape
expect_gone "Esc cancels the prompt" "Query: alerts | stats count by host"

# A saved query as the board's filter.
irk query --save crit 'incidents severity == "critical" | table key' >/dev/null
irk query --save hosts 'alerts | stats count by host' >/dev/null
keys /
expect_screen "the filter prompt names @NAME" "@NAME: a saved query over"
keys C-u
type_text '@crit'
keys Enter
expect_screen "a saved query filters the board" "saved query: 3 cards match"
expect_screen "... the header says which" "filter: @crit"
expect_gone "... a high incident is not shown" "IR-11 P2 high"
keys /
keys C-u
type_text '@hosts'
keys Enter
expect_screen "a query over alerts cannot filter the board" "@hosts is a query over alerts"
expect_screen "... the filter stays" "filter: @crit"
keys Escape
expect_screen "Esc clears it" "filters cleared"
keys q
wait_for 5 pane_dead
expect_eq "irk exits 0 again" "$(dead_status)" 0

done_testing
