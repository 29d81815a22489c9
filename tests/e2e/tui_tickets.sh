#!/bin/sh
# tui_tickets.sh: tickets and changes on the incident screen, on a real
# terminal, against the loopback Jira (tests/fixtures/jira_server.py).
# Opening an incident whose first event falls inside a change's window:
# the board's context worker asks Jira, and the first section says, at
# the top of the screen, that it was a planned change and which; the
# Context section lists the changes and tickets with source, status and
# age. An incident no change covers says nothing of the kind.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"
unset IRK_NOW

TOKEN=jira-tui-0123456789abcdef
start_jira "$TOKEN"
check "the Jira server is up" test -n "$port"

irk init >/dev/null
cat >"$IRK_CONFIG" <<CONF
[context.jc]
type = jira
url = http://127.0.0.1:$port
user = irk@example.com
token = $TOKEN
changes = CHG
start_field = customfield_10060
end_field = customfield_10061
CONF
chmod 600 "$IRK_CONFIG"
alert() {
	/usr/bin/python3 -c 'import json, sys; print(json.dumps({"@timestamp": "2024-05-13T10:01:02Z",
  "event": {"kind": "alert", "severity": 3}, "rule": {"id": sys.argv[1], "name": sys.argv[1]},
  "host": {"name": sys.argv[2]}, "source": {"ip": "10.0.0.9"}, "user": {"name": "j.doe"}}))' "$1" "$2"
}
{ alert TuiTk web-01; alert TuiTk2 pg-01; } | irk ingest - >/dev/null

tui_start 120 40
expect_screen "the board is up" " New (2)"
keys /
type_text "IR-1"
keys Enter Enter
expect_screen "the incident screen" " IR-1 "
expect_screen "the top says it was a planned change, and which" \
	"PLANNED: CHG-1 Patch web-01 kernel, 2024-05-13 09:00 to 2024-05-13 12:00 (jc, Implementing)" 5
keys G
expect_screen "the Context section lists the change with its age" \
	"CHG-1 Patch web-01 kernel, 2024-05-13 09:00 to 2024-05-13 12:00 (jc, Implementing), " 5
expect_screen "and the tickets with source and status" \
	"SEC-1 web-01 beaconing to a rare domain (jc, In Progress, " 5
expect_screen "the user's ticket too" "SEC-4 Lock the account of j.doe (jc, To Do, "
keys Escape
expect_screen "back on the board" " New ("
keys Escape
keys /
type_text "IR-2"
keys Enter Enter
expect_screen "the other incident" " IR-2 "
expect_screen "its tickets come" "SEC-5 pg-01 replication lag 5" 5
expect_no_match "no change is claimed for it" "$(screen)" "PLANNED"
keys Q
check "irk quits" wait_for 5 pane_dead
done_testing
