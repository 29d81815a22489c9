#!/bin/sh
# tui_sensor.sh: the incident screen's sensor context on a real terminal
# (issue 16). With [ingest] keep, the DNS names, TLS server names, HTTP
# requests and files that the incident's hosts touched around its events
# are listed under "Sensor context", each once with its count, newest
# first; another host's lookups are not; a name with an escape sequence in
# it shows the escape as text.
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
expect_screen "a Sensor context section, six lines" "Sensor context (6)"
expect_screen "the DNS name looked up, with its count" \
	"  dns       update.evil-cdn.example (A), 3 times, last 2025-11-03 08:12"
expect_screen "the TLS server name" "  tls       update.evil-cdn.example (CN=update.evil-cdn.example), last 2025-11-03 08:13"
expect_screen "the HTTP request" "  http      GET dl.evil-cdn.example/b/stage2.bin (200), last 2025-11-03 08:13"
expect_screen "the file" "  fileinfo  /b/stage2.bin (5f0c2a3d"
expect_screen "an escape in a name shows as text" "  dns       x\\x1b]0;pwned\\x07.evil-cdn.example (TXT)"
expect_no_match "not another host's lookup" "$(screen)" "intranet.corp.example"
no_controls() { ! screen | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; }
check "no control character is on the screen" no_controls
expect_eq "the pane title did not change" "$(tmx display -p -t t '#{pane_title}')" "$title0"
keys Q
check "irk quits" wait_for 5 pane_dead
expect_eq "exit status 0" "$(dead_status)" 0

done_testing
