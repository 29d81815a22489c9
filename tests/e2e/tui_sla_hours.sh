#!/bin/sh
# tui_sla_hours.sh: with [sla] business_hours the board counts SLA
# breaches in business time, as its cards do (the database's count is
# calendar time): four incidents detected Monday 2024-05-13 08:20 UTC,
# the board at 10:20.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

irk init >/dev/null
irk ingest "$IRK_TOP/tests/fixtures/alerts/eve.jsonl" >/dev/null 2>&1
export IRK_NOW=$((IRK_NOW + 7200))

# calendar time: the P1 (15m) and the P2 (1h) are late
tui_start 100 30 IRK_USER=carol
expect_screen "calendar time: two breached" "2 SLA breached"
keys q

# open from 10:10: ten minutes have counted, the P1 has five left
printf '[sla]\nbusiness_hours = Mon-Fri 10:10-18:00\nzone = UTC\n' >"$IRK_CONFIG"
tui_start 100 30 IRK_USER=carol
expect_screen "business hours: none breached" "0 SLA breached"
expect_screen "business hours: the P1's card says 5m left" "5m left"
keys q
done_testing
