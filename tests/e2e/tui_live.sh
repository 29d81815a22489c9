#!/bin/sh
# tui_live.sh: the board is shared. Another process's changes (an ingest,
# a colleague's move) appear within about a second without a key press,
# and the cursor stays on its card.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

ms() { date +%s%3N; }

setup_db
tui_start 80 24
expect_screen "the board is up" " New (10)"
# The cursor on the fourth card, IR-11 (P1 x3, then P2).
keys j j j
keys Enter
expect_screen "cursor on IR-11" " IR-11 · New PHP file in /var/www/html"
keys q
expect_screen "back on the board" " New (10)"

# Another process ingests a P1 alert: it sorts before IR-11.
start=$(ms)
irk ingest "$FIX/late.jsonl" >/dev/null
if wait_for 3 screen_has " New (11)"; then
	elapsed=$(( $(ms) - start ))
	ok "the new incident appears without a key ($elapsed ms)"
	check "within about a second ($elapsed ms <= 1500)" [ "$elapsed" -le 1500 ]
else
	not_ok "the new incident appears without a key"; screen | sed 's/^/#   |/'
	not_ok "within about a second"
fi
expect_screen "its card is on the board" "IR-13 P1 critical"
expect_screen "the header counts it" " irk │ alice admin │ 12 open"
keys Enter
expect_screen "the cursor stayed on IR-11" " IR-11 · New PHP file in /var/www/html"
keys q

# A colleague moves a card and claims another.
IRK_USER=bob irk move IR-5 containment >/dev/null
expect_screen "a colleague's move shows" " Identification (0)       │ Containment (1)" 3
IRK_USER=bob irk claim IR-2 >/dev/null
expect_screen "a colleague's claim shows" "  bob · 0s      3d00h left" 3

# A race: the board loaded IR-1 at version 1; a colleague changes it; our
# move is refused with who did it, and the fresh state is shown.
keys g
IRK_USER=bob irk set IR-1 "title=Cobalt Strike, bob is on it" >/dev/null
keys L
if wait_for 3 screen_has "IR-1 was changed by bob since you loaded it"; then
	ok "a race names the colleague"
else
	# The timer may have reloaded before the key: then the move simply worked.
	if screen_has "IR-1 moved to Identification"; then ok "a race names the colleague (reloaded first)"; else
		not_ok "a race names the colleague"; screen | sed 's/^/#   |/'; fi
fi
expect_screen "the fresh title is shown" "  Cobalt Strike, bob is o…"

# Another user with a board open shows in the header.
tmx new-window -d -t t "env LANG=C.UTF-8 IRK_USER=bob '$IRK_BIN' 2>/dev/null"
expect_screen "who else is on" "│ on: bob" 5

keys q
wait_for 5 pane_dead
expect_eq "quits cleanly" "$(dead_status)" 0
done_testing
