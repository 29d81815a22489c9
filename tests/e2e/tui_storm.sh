#!/bin/sh
# tui_storm.sh: a storm on the board in a real terminal (issue 17). The
# storm's card says STORM and puts its count of hosts first; the filter
# `storm` keeps only storms; on the incident screen S splits a host out
# (the one typed at its prompt), and the board shows the new incident and
# the storm's new count. The incident someone claimed before the storm
# stays on the board beside it; the one nobody touched folded into it.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

irk init >/dev/null
printf '[ingest]\nstorm_threshold = 2\n' >"$IRK_CONFIG"
gen_eve --storm 300 5 1 >"$T/storm.json"
head -n 2 "$T/storm.json" >"$T/first.json"
irk ingest "$T/first.json" >/dev/null
irk claim IR-1 >/dev/null
irk ingest "$T/storm.json" >/dev/null
expect_eq "IR-2, untouched, folded into the storm" "$(sql "select stage || ' ' || resolution from incidents where id = 2")" "closed duplicate"
hosts=$(sql "select count(*) from observables where incident_id = 3 and type = 'host'")
expect_eq "IR-3 is the storm" "$(sql "select id from incidents where storm = 1")" 3
check "with hundreds of hosts ($hosts)" [ "$hosts" -gt 250 ]

tui_start 120 40
expect_screen "the board is up: the storm and the claimed" " New (2)"
expect_screen "the storm's card says STORM" "IR-3 P2 high STORM"
expect_screen "its count of hosts first, where the column shows it" "  $hosts hosts: ET SCAN"
keys /
type_text "storm"
keys Enter
expect_screen "the filter storm keeps the storm alone" " New (1/2)"
keys Enter
expect_screen "the incident screen" " IR-3 · ET SCAN Potential SSH Scan (0) on $hosts hosts"
expect_screen "it says it is a storm" "  storm           yes: one rule's alerts from many hosts (S splits a host out)"
# The observables are the fifth section: its hosts among them (the host
# under the cursor is offered: test_tui_storm.c).
keys Tab Tab Tab Tab
expect_screen "the observables" "Observables ("
first=$(sql "select value from observables where incident_id = 3 and type = 'host' order by value limit 1")
keys S
expect_screen "S asks which host" "Split which host out of IR-3?"
type_text "$first"
keys Enter
expect_screen "the host is split out" "IR-4: $first split out of IR-3"
expect_eq "IR-4 has the host's alerts, the storm none" \
	"$(sql "select count(*) > 0 from alerts where incident_id = 4")|$(sql "select count(*) from alerts where incident_id = 3 and src_ip = '$first'")" "1|0"
keys q
keys Escape
expect_screen "the board shows the new incident" " New (3)"
expect_screen "and the storm's new count" "  $((hosts - 1)) hosts: ET SCAN"
keys Q
check "irk quits" wait_for 5 pane_dead
expect_eq "exit status 0" "$(dead_status)" 0

done_testing
