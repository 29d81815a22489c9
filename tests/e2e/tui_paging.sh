#!/bin/sh
# tui_paging.sh: the board of a database with more cards than fit, in
# tmux. Each column holds a window of its cards: going past it (to the
# end, down 1,500 cards) shows the right cards and counts; another
# process's change re-reads the window and the cursor stays on its card,
# following it to another column.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

irk init >/dev/null
# N incidents of a stage, P3, oldest first (IR-1 is the first card).
add() {
	sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
	INSERT INTO incidents(title, stage, severity, priority, t_detected, t_updated, t_closed,
	resolution) SELECT 'case ' || i, '$2', 'medium', 3, 1715500000 + i, 1715588400,
	CASE WHEN '$2' = 'closed' THEN 1715580000 + i END,
	CASE WHEN '$2' = 'closed' THEN 'benign' END FROM n;"
}
add 3000 new
add 500 closed
tui_start 80 24
expect_screen "the board: every new incident counted" "New (3000)"
expect_screen "the first page" "  1-6 of 3000"
keys G
expect_screen "End: the last card's page" "  2995-3000 of 3000"
expect_screen "End: the last card" "IR-3000 P3 medium"
keys Enter
expect_screen "and it is the one under the cursor" " IR-3000 · case 3000"
keys q PageUp
expect_screen "PageUp from the end: six cards up" "  2994-2999 of 3000"
keys g
expect_screen "Home: the first card again" "IR-1 P3 medium"
# Down 1,500 cards one at a time, far past the first window.
keys $(yes j | head -n 1500)
expect_screen "1,500 down: the window there" "  1496-1501 of 3000" 10
keys Enter
expect_screen "the card under the cursor" " IR-1501 · case 1501"
keys q
# Another process adds an urgent incident above every card.
sql "INSERT INTO incidents(title, stage, severity, priority, t_detected, t_updated)
	VALUES ('urgent from elsewhere', 'new', 'critical', 1, 1715588000, 1715588400)"
expect_screen "another process's incident: counted" "New (3001)"
expect_screen "the cursor's card one further down" "  1497-1502 of 3001"
keys Enter
expect_screen "the cursor is still on its card" " IR-1501 · case 1501"
keys q
# Another process closes it: the cursor follows it to the closed column.
IRK_NOW=1715588400 irk close IR-1501 --resolution benign >/dev/null
expect_screen "closed elsewhere: the closed column counts it" "Closed (501)"
keys Enter
expect_screen "the cursor followed its card" " IR-1501 · case 1501"
keys q g
expect_screen "the newest closed first: it" "IR-1501 P3 medium"
keys q
wait_for 5 pane_dead
expect_eq "irk exits 0" "$(dead_status)" 0
done_testing
