#!/bin/sh
# tui_sensor.sh: the incident screen's sensor context on a real terminal
# (issue 16). With [ingest] keep, the DNS names, TLS server names, HTTP
# requests and files that the incident's hosts touched around its events
# are listed under "Sensor context", each once with its count, newest
# first; another host's lookups are not; a name with an escape sequence in
# it shows the escape as text; Enter (or v) on a line shows the raw record
# of its newest event.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

irk init >/dev/null
# keep_days 0: the stream is of 2025, and ingest keeps nothing older.
printf '[ingest]\nkeep = dns, http, tls, fileinfo, flow\nkeep_days = 0\n' >"$IRK_CONFIG"
{ cat "$IRK_TOP/tests/fixtures/sensor/eve-mixed.jsonl"
  printf '%s\n' '{"timestamp":"2025-11-03T08:14:30.000000+0000","flow_id":900150,"event_type":"dns","src_ip":"10.20.1.15","src_port":53200,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP","dns":{"type":"query","rrname":"x\u001b]0;pwned\u0007.evil-cdn.example","rrtype":"TXT"}}'
} | irk ingest - >/dev/null

tui_start 120 50
expect_screen "the board is up" " New (1)"
title0=$(tmx display -p -t t '#{pane_title}')
keys /
type_text "IR-1"
keys Enter Enter
expect_screen "the incident screen" " IR-1 · ET MALWARE Cobalt Strike Domain in TLS SNI"
# The board's sequencer runs the play's first automated steps, and the
# screen grows with their timeline: G once they are done and shown.
steps_done() { [ "$(sql "select count(*) from steps where state = 'done'")" = 3 ]; }
check "the play's automated steps are done" wait_for 20 steps_done
expect_screen "and shown" "[done]    facts"
expect_screen "all of them" "[done]    indicators"
# The context is the last section: G goes to the last line.
keys G
expect_screen "a Sensor context section, seven lines" "Sensor context (7)"
expect_screen "the DNS name looked up, with its answer and count of lookups" \
	"  dns       update.evil-cdn.example (A 203.0.113.10), 2 times, last 2025-11-03 08:12"
expect_screen "the flow's peer" "  flow      203.0.113.10: 1 flow, 54.0 kB, last 2025-11-03 08:15"
expect_screen "the TLS server name" "  tls       update.evil-cdn.example (CN=update.evil-cdn.example), last 2025-11-03 08:13"
expect_screen "the HTTP request" "  http      GET dl.evil-cdn.example/b/stage2.bin (200), last 2025-11-03 08:13"
expect_screen "the file" "  fileinfo  /b/stage2.bin (5f0c2a3d"
expect_screen "an escape in a name shows as text" "  dns       x\\x1b]0;pwned\\x07.evil-cdn.example (TXT)"
expect_no_match "not another host's lookup" "$(screen)" "intranet.corp.example"
no_controls() { ! screen | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; }
check "no control character is on the screen" no_controls
expect_eq "the pane title did not change" "$(tmx display -p -t t '#{pane_title}')" "$title0"
# Enter on a context line shows the raw record of its newest event; the
# cursor is on the last line (G): the oldest, the AAAA lookup.
keys Enter
expect_screen "Enter on a sensor line opens its raw record" ", raw record"
expect_screen "the AAAA query's" '"rrtype": "AAAA"'
keys q
# Up five lines: the lookup with an escape sequence in its name.
keys k k k k k v
expect_screen "v does too" '"rrtype": "TXT"'
expect_screen "its escape stays a JSON escape" '"rrname": "x\u001b]0;pwned\u0007.evil-cdn.example"'
check "no control character is on the screen" no_controls
expect_eq "the pane title still did not change" "$(tmx display -p -t t '#{pane_title}')" "$title0"
keys q
# 25 more lookups of its host: 32 lines, 20 shown, the header says 32.
i=10; while [ $i -lt 35 ]; do
	printf '{"timestamp":"2025-11-03T08:05:%02d.000000+0000","event_type":"dns","src_ip":"10.20.1.15","src_port":5%04d,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP","dns":{"type":"query","rrname":"n%d.corp.example","rrtype":"A"}}\n' $i $i $i
	i=$((i + 1))
done | irk ingest - >/dev/null
expect_screen "the header counts every line" "Sensor context (32)"
keys G
expect_screen "the section says how many it does not show" "  12 more (irk sensor list shows every kept event)"
keys Q
check "irk quits" wait_for 5 pane_dead
expect_eq "exit status 0" "$(dead_status)" 0

done_testing
