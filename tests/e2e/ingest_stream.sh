#!/bin/sh
# ingest_stream.sh: `tail -F alerts.json | irk ingest -`: alerts from a live
# stream are stored, and bad lines reported as FILE:LINE, about a second
# after they arrive, while the stream stays open; closing it ends ingest
# with the usual summary.
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
mkfifo "$T/feed"
exec 8<>"$T/feed"                 # the test is the writer; it never blocks
"$IRK_BIN" ingest - <"$T/feed" 8>&- >"$T/out" 2>"$T/err" &
pid=$!
running() { kill -0 $pid 2>/dev/null; }
alerts() { [ "$(sql "select count(*) from alerts")" = "$1" ]; }

printf '%s\n' '{"timestamp":"2025-11-03T08:00:00Z","flow_id":1,"event_type":"alert","src_ip":"198.51.100.7","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"ET TEST live","severity":2}}' >&8
wait_for 10 alerts 1
check "the first alert is stored while the stream is open" alerts 1
check "ingest is still reading" running
printf '%s\n' '{"timestamp": broken' >&8
reported() { grep -q '^<stdin>:2: malformed JSON' "$T/err"; }
wait_for 10 reported
check "a bad line is reported as <stdin>:LINE while the stream is open" reported
check "ingest is still reading after it" running
printf '%s\n' '{"timestamp":"2025-11-03T08:05:00Z","flow_id":2,"event_type":"alert","src_ip":"198.51.100.7","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"ET TEST live","severity":2}}' >&8
wait_for 10 alerts 2
check "a later alert joins the same incident" [ "$(sql "select alert_count from incidents where id = 1")" = 2 ]
exec 8>&-                         # the stream ends
wait $pid
expect_eq "the end of the stream ends ingest: exit 3 (one line rejected)" "$?" 3
expect_eq "summary" "$(cat "$T/out")" "read 3, new 2, duplicate 0, skipped 0, rejected 1, incidents 1"
expect_eq "the error was reported once" "$(grep -c . "$T/err")" 1
expect_rc "audit chain intact" 0 irk audit verify

done_testing
