#!/bin/sh
# tui_safety.sh: text from outside on a real terminal. UTF-8 titles (accents,
# CJK double width, combining marks) render right; an alert carrying escape
# sequences and a bidi override shows them as visible escapes, and the
# terminal obeys none of them (the pane title stays as it was).
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

setup_db
irk ingest "$FIX/raw-escapes.jsonl" >/dev/null
tui_start 200 50
expect_screen "the board is up" " New (11)"
title0=$(tmx display -p -t t '#{pane_title}')

expect_screen "accents" "  ET WEB_SERVER Müller-Shop…│"
expect_screen "CJK takes two columns a character" "  VPN login from 東京 offic…│"
expect_screen "a combining accent stays on its letter" "$(printf '  Link clicked: re\314\201sume\314\201.pdf.\342\200\246\342\224\202')"
expect_screen "an escape sequence shows as text" "  Title with escape \\x1b]0;…│"
expect_screen "an 8-bit CSI shows as text" "  raw \\u009b31m and <U+202E…│"
no_controls() { ! screen | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; }
check "no control character is on the screen" no_controls

# The whole title on the incident screen.
keys /
type_text "IR-12"
keys Enter Enter
expect_screen "the incident title, escaped" " IR-12 · Title with escape \\x1b]0;pwned\\x07 and bidi <U+202E>gnp.exe"
keys Tab Tab Tab j Enter
expect_screen "the raw record opens" " alert 12, raw record"
expect_screen "JSON escapes stay escaped" "\"signature\": \"Title with escape \\u001b]0;pwned\\u0007 and bidi <U+202E>gnp.exe\","
expect_eq "the pane title did not change" "$(tmx display -p -t t '#{pane_title}')" "$title0"
expect_no_match "nothing titled the pane 'pwned'" "$(tmx display -p -t t '#{pane_title}')" "pwned"
keys q q Escape

# The raw bytes of a C1 control and a bidi override in a record.
keys /
type_text "IR-13"
keys Enter Enter Tab Tab Tab j Enter
expect_screen "a raw C1 byte in a record is escaped" "\"signature\": \"raw \\u009b31m and <U+202E>exe\""
expect_eq "the pane title is still unchanged" "$(tmx display -p -t t '#{pane_title}')" "$title0"

keys Q
if wait_for 5 pane_dead; then ok "Q quits from any screen"; else
	not_ok "Q quits from any screen"; screen | sed 's/^/#   |/'; fi
expect_eq "exit status 0" "$(dead_status)" 0
# Problems found at start are printed on standard error after exit; a
# theme name is the user's own words and may hold escapes.
# (through a script: the pane's command line is shell text, and the name
# holds a ';')
cat >"$T/evil-theme" <<END
#!/bin/sh
exec '$IRK_BIN' --theme "\$(printf 'no\\033]0;pwned\\007such')"
END
chmod +x "$T/evil-theme"
IRK_BIN="$T/evil-theme" tui_start 80 24
expect_screen "an unknown theme is reported on the status line" "no theme named 'no\\x1b]0;pwned\\x07such'"
keys Q
check "irk quits" wait_for 5 pane_dead
expect_match "standard error names the theme" "$(cat "$T/stderr")" "no theme named 'no\\\\x1b\\]0;pwned\\\\x07such'"
expect_no_match "standard error holds no raw ESC" "$(cat "$T/stderr")" "$(printf '\033')"
done_testing
