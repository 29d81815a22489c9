#!/bin/sh
# tui_mono.sh: TERM=vt100 NO_COLOR=1 gives a clean monochrome ASCII board;
# themes by option, environment and irk.conf; a broken theme names
# FILE:LINE and falls back to the default; [keys] rebinds.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

# SGR colour parameters in a capture with attributes (-e): 30-37, 40-47,
# 90-97, 100-107 and the 256-colour forms 38;5 / 48;5.
has_colour() {
	tmx capture-pane -p -e -t t | grep -qE '\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5|48;5)(;[0-9;]*)?m'
}
no_colour() { ! has_colour; }
has_bold_or_reverse() { tmx capture-pane -p -e -t t | grep -qE '\[([0-9;]*;)?(1|7)(;[0-9;]*)?m'; }

setup_db

# ---- vt100, no colour ----
tui_start 80 24 TERM=vt100 NO_COLOR=1
expect_screen "vt100: the board, ASCII lines" " irk | alice admin | 11 open - 1 closed - 0 SLA breached"
expect_screen "vt100: ASCII separators and cut marks" "  Outbound TLS every 60 s~|"
expect_screen "vt100: ASCII scroll marker" "Containment (0)        >"
check "vt100: no colour at all" no_colour
check "vt100: meaning kept in attributes (bold, reverse)" has_bold_or_reverse
keys j Enter
expect_screen "vt100: the incident screen" " IR-6 - Share permissions changed on fs-02"
keys '?'
expect_screen "vt100: help says mono" "keys (theme mono, no colour)"
keys q q x
expect_screen "vt100: a menu with ASCII borders" "+- Close IR-6 as ---"
expect_screen "vt100: its hint fits" "+- Enter: choose  Esc: cancel -+"
keys Escape q
wait_for 5 pane_dead
expect_eq "vt100: quits cleanly" "$(dead_status)" 0

# ---- NO_COLOR alone, on a colour terminal ----
tui_start 80 24 NO_COLOR=1
expect_screen "NO_COLOR: the board" " New (10)"
expect_screen "NO_COLOR: Unicode lines still (the terminal has them)" " irk │ alice admin │"
check "NO_COLOR: no colour" no_colour
keys q
wait_for 5 pane_dead

# ---- the default theme has colour ----
tui_start 80 24
expect_screen "default: the board" " New (10)"
check "default theme: colours" has_colour
keys q
wait_for 5 pane_dead

# ---- a theme by name, from the environment and from irk.conf ----
tui_start 100 30 IRK_THEME=high-contrast
keys '?'
expect_screen "IRK_THEME chooses the theme" "keys (theme high-contrast)"
keys q q
wait_for 5 pane_dead
printf '[ui]\ntheme = light\n\n[keys]\nboard-claim = C\nboard-fly = f\n' >"$IRK_CONFIG"
tui_start 100 30
expect_screen "irk.conf names a bad key action" "[keys] board-fly: no such action"
keys M
expect_screen "the whole message names the file and line" "$(basename "$IRK_CONFIG"):6: [keys] board-fly"
keys q
keys '?'
expect_screen "[ui] theme chooses the theme" "keys (theme light)"
expect_screen "[keys] rebinds, and help shows it" "  C                   Claim the incident (make it yours)  [board-claim]"
keys q C
expect_screen "the new key works" "IR-1 is yours"
keys q
wait_for 5 pane_dead
: >"$IRK_CONFIG"

# ---- a broken theme file ----
printf 'color card red blue\ncolor card.urgent red blue\n' >"$T/broken.theme"
tui_start 100 30 -- --theme "$T/broken.theme"
expect_screen "a broken theme names FILE:LINE on the status line" "broken.theme:2: unknown slot 'card.urgent'; using the default theme"
check "and falls back to the default theme's colours" has_colour
keys q
wait_for 5 pane_dead
expect_eq "quits normally" "$(dead_status)" 0
expect_match "the message is on standard error after exit" "$(cat "$T/stderr")" "broken.theme:2: unknown slot 'card.urgent'; using the default theme"
done_testing
