#!/bin/sh
# tui_context.sh: the incident screen's Context section on a real terminal,
# against a loopback NetBox (tests/fixtures/netbox_server.py). Opening an
# incident on a NetBox device shows at once what is cached (nothing), and
# the board's context worker fills in owner, site and criticality, with
# the source and its age; the incident's criticality and priority follow.
# A hostile value from the source shows as text (no control character
# reaches the terminal, the pane title stays). Then the source is killed:
# R asks again, the board stays responsive, and the screen shows the
# failure with since when, and the values it still has.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"
# The cache's ages are real: the fixture's clock is not needed here.
unset IRK_NOW

TOKEN=nb-tui-0123456789abcdef
start_netbox "$TOKEN"
check "the NetBox server is up" test -n "$port"

irk init >/dev/null
cat >"$IRK_CONFIG" <<CONF
[context.nb]
type = netbox
url = http://127.0.0.1:$port
token = $TOKEN
timeout = 1s
CONF
chmod 600 "$IRK_CONFIG"
alert() {
	/usr/bin/python3 -c 'import json, sys; print(json.dumps({"@timestamp": "2024-05-13T10:01:02Z",
  "event": {"kind": "alert", "severity": 3}, "rule": {"id": sys.argv[1], "name": sys.argv[1]},
  "host": {"name": sys.argv[2]}, "source": {"ip": sys.argv[3]}}))' "$1" "$2" "$3"
}
{ alert TuiCtx nb-web-01 10.0.0.9; alert TuiCtx evil-01 10.0.0.8; } | irk ingest - >/dev/null

tui_start 120 50
expect_screen "the board is up" " New (2)"
title0=$(tmx display -p -t t '#{pane_title}')
keys /
type_text "IR-1"
keys Enter Enter
expect_screen "the incident screen" " IR-1 "
# The context is the last section.
keys G
expect_screen "the worker fills in the owner" "owner           a.weber" 5
expect_screen "with the source and its age" "nb-web-01   from nb, " 5
expect_screen "the site" "site            FRA1"
expect_screen "the criticality" "criticality     4 of 4 (critical)"
expect_screen "the incident's criticality follows, audited" "engine filled from nb: asset_criticality=4" 5
expect_eq "the incident's criticality is stored" "$(field IR-1 asset_criticality)" 4

keys Escape
expect_screen "back on the board" " New ("
expect_screen "its card is marked: a critical asset" "IR-1 P3 low $(printf '\342\227\206')"
keys Escape
expect_screen "the filter cleared" " New (2)"
expect_no_match "the other card is not marked" "$(screen)" "IR-2 P[0-9] [a-z]* $(printf '\342\227\206')"
keys /
type_text "IR-2"
keys Enter Enter
keys G
expect_screen "the hostile device's owner shows as text" 'x\x1b]0;pwned\x07\x1b[31mred<U+202E>gnp.exe' 5
no_controls() { ! screen | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; }
check "no control character is on the screen" no_controls
expect_eq "the pane title did not change" "$(tmx display -p -t t '#{pane_title}')" "$title0"

# The source goes away mid-session.
stop_netbox
keys Escape
expect_screen "back on the board" " New ("
keys Escape
expect_screen "the filter cleared" " New (2)"
keys /
type_text "IR-1"
keys Enter Enter
keys G R
expect_screen "R asks again" "asking the context sources again"
expect_screen "the failure, since when, and the values shown" \
	"nb unreachable since " 5
expect_screen "... that they are older" ", showing values from "
expect_screen "the values are still there" "owner           a.weber"
keys Escape
expect_screen "the board answers at once" " New (" 2
keys Q
check "irk quits" wait_for 5 pane_dead
expect_eq "exit status 0" "$(dead_status)" 0
done_testing
