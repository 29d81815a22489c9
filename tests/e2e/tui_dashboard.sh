#!/bin/sh
# tui_dashboard.sh: the KPI dashboard in a real terminal (tmux): K from
# the board opens it; closing an incident from the command line changes
# it within a second without a key press; Enter on the late incidents
# shows them on the board; ASCII under TERM=vt100; q goes back.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

setup_db     # twelve incidents at IRK_NOW; IR-4 closed false positive

tui_start 80 24
expect_screen "the board" " New (10)"
keys K
expect_screen "K opens the dashboard" "KPIs of the incidents detected since"
expect_screen "its totals" ": 12 (11 open)"
expect_screen "a tile with its median and sparkline" "  MTTA                    0s  "
expect_screen "false positives: IR-4 of one closed" "  False positives     100.0%"
expect_screen "nothing late at the fixture's morning" "SLA: no open incident is late"
expect_screen "the maturity level" "Maturity level 1 (Initial); not met yet:"
expect_screen "a criterion not met, with its incidents" "L2 owners"

# Work done elsewhere shows without a key press.
irk close IR-6 --resolution true-positive --reason "confirmed" >/dev/null
expect_screen "a close from the command line: totals within a second" ": 12 (10 open)" 2
expect_screen "... and the false-positive rate" "  False positives      50.0%" 2
keys q
expect_screen "q goes back to the board" " New ("

# A day later every open P1-P3 incident is late: Enter shows them.
tui_start 80 24 IRK_NOW=$((IRK_NOW + 86400))
keys K
expect_screen "a day later: late incidents" "open incidents late now"
late=$(screen | sed -n 's/.*SLA: \([0-9]*\) open incidents late now.*/\1/p')
check "a count of them ($late)" [ "${late:-0}" -gt 0 ]
keys Enter
expect_screen "Enter: the board filtered on them" "open incidents late now: $late cards match"
keys Escape
expect_screen "Esc clears the filter" "filters cleared"

# vt100: ASCII bars and sparklines, no block characters.
tui_start 80 24 TERM=vt100 NO_COLOR=1
keys K
expect_screen "vt100: the dashboard" "KPIs of the incidents detected since"
expect_screen "vt100: an ASCII bar" "  (none)           ####"
if screen | grep -q '[▁▂▃▄▅▆▇█]'; then not_ok "vt100: no block characters"; else ok "vt100: no block characters"; fi
keys '?'
expect_screen "help lists the dashboard's keys" "dashboard-open"
keys q q
expect_screen "back on the board" " New ("
keys q
wait_for 5 pane_dead
expect_eq "irk exits 0" "$(dead_status)" 0

done_testing
