#!/bin/sh
# cli_board.sh: `irk board` (the text board) keeps its columns: a late SLA
# ("contain 12h28m late") used to overflow its column and push the title
# right; on an 80-column terminal (tmux) the titles are cut to fit.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

T0=$IRK_NOW
irk init >/dev/null
printf '%s\n' \
	'{"timestamp":"2024-05-13T08:00:00Z","flow_id":1,"event_type":"alert","src_ip":"198.51.100.7","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"ET TROJAN Beacon to a known command and control server over TLS","category":"Misc","severity":1}}' \
	'{"timestamp":"2024-05-13T08:00:00Z","flow_id":2,"event_type":"alert","src_ip":"198.51.100.8","dest_ip":"10.0.0.6","alert":{"signature_id":10,"signature":"ET POLICY curl","category":"Misc","severity":3}}' \
	'{"timestamp":"2024-05-13T08:00:00Z","flow_id":3,"event_type":"alert","src_ip":"198.51.100.9","dest_ip":"10.0.0.7","alert":{"signature_id":11,"signature":"ET SCAN nmap","category":"Misc","severity":3}}' \
	>"$T/in.json"
expect_rc "three incidents" 0 irk ingest "$T/in.json"
expect_rc "IR-1 claimed: its contain clock runs" 0 irk claim IR-1
# 36h28m later: IR-1's containment and IR-2's acknowledgement are late.
export IRK_NOW=$((T0 + 36 * 3600 + 28 * 60))
irk board >"$T/board"
cards=$(grep '^  IR-' "$T/board")
expect_match "IR-1's SLA is the long one" "$(echo "$cards" | grep IR-1)" " contain 1[0-9]h[0-9]{2}m late "
expect_match "IR-2's is late too" "$(echo "$cards" | grep IR-2)" " ack [0-9]+h[0-9]{2}m late "
# Every title starts in the same column, whatever the SLA text.
cols=$(echo "$cards" | while IFS= read -r l; do
	for t in "ET TROJAN" "ET POLICY" "ET SCAN"; do
		case "$l" in *"$t"*) p=${l%%"$t"*}; echo ${#p};; esac
	done; done | sort -u)
expect_eq "the titles are in one column (62)" "$cols" 62
expect_eq "not on a terminal: titles in full" "$(echo "$cards" | grep -c 'over TLS$')" 1

# On an 80x24 terminal: no line is wider than 80, the titles are cut.
tui_start 80 24 "IRK_NOW=$IRK_NOW" -- board --limit 1
wait_for 5 pane_dead
expect_eq "irk board on a terminal: exit 0" "$(dead_status)" 0
expect_match "80 columns: IR-1's card, its title cut" "$(screen | grep '^  IR-1 ')" \
	"^  IR-1      P2 high     alice      1d12h  contain 12h28m late ET TROJAN Beacon t$"
expect_eq "80 columns: no card wraps to a second row" "$(screen | grep -c 'command and control')" 0
expect_eq "80 columns: the card fills at most the width" \
	"$(screen | grep '^  IR-1 ' | sed 's/ *$//' | awk '{print (length($0) <= 80)}')" 1
done_testing
