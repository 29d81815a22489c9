#!/bin/sh
# tui_ticket.sh: the ticket a play's ticket step created shows on the
# incident's board card (issue 10), first on its title line, where a
# narrow column still shows it; an incident without one shows none. The
# ticket is made in a loopback Jira (tests/fixtures/jira_server.py) by
# irk serve; the board is the real binary in tmux.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"
unset IRK_NOW

TOKEN=jira-tui-0123456789abcdef
start_jira "$TOKEN"
check "the Jira server is up" test -n "$port"
cat >>"$IRK_CONFIG" <<CONF
[context.jc]
type = jira
url = http://127.0.0.1:$port/
user = irk@example.com
token = $TOKEN
rate = 100/s
CONF
chmod 600 "$IRK_CONFIG"
cat >"$T/plays/jira.json" <<'PLAY'
{"play": "jira-open", "name": "Open a Jira issue", "version": 1, "match": "rule == 'TuiTicket'",
 "steps": [
  {"id": "open", "stage": "new", "kind": "ticket", "source": "jc", "queue": "SEC",
   "subject": "{{incident.key}} on {{alert.host}}", "text": "Opened by irk"}]}
PLAY
{ alert TuiTicket web-01; alert TuiNoTicket web-02 10.0.0.8; } >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
serve s1
check "the ticket step is done" wait_for 30 state_is IR-1 open done
stop_serves

tui_start 120 30
expect_screen "the board is up" " New (2)"
expect_screen "the card of IR-1 shows its ticket before its title" "  SEC-100 TuiTicket"
expect_screen "the other card its title alone" "  TuiNoTicket"
expect_no_match "and no ticket" "$(screen)" "SEC-[0-9]* TuiNoTicket"
done_testing
