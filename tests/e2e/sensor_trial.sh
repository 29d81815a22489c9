#!/bin/sh
# sensor_trial.sh: what a new user of sensor streams (issue 16) found,
# read from the README and the man pages alone (session 8): the reasons a
# sensor record is rejected, retention's audit trail and its cutoff at
# ingest, the summary's kept count, the keep settings' errors, and the
# ingest summary when a file cannot be opened. Each check failed before
# its fix.
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
now=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000000+0000; }
t1=$(iso $((now - 3600)))

# ---- a bad time, a missing time: the reason says so ------------------------
cat >"$T/badtime.json" <<EOF
{"timestamp":"yesterday","event_type":"http","src_ip":"10.9.9.9","dest_ip":"192.0.2.4","http":{"hostname":"x.example"}}
{"event_type":"dns","src_ip":"10.9.9.9","dest_ip":"10.1.0.53","dns":{"type":"query","rrname":"b.example"}}
{"timestamp":"$t1","event_type":"dns","src_ip":"10.9.9.9","dest_ip":"10.1.0.53","dns":{"type":"query","rrname":"c.example","rrtype":"A"}}
EOF
irk ingest "$T/badtime.json" >"$T/out" 2>"$T/err"
expect_eq "not kept: a bad or missing time is skipped like any sensor record" \
	"$?|$(cat "$T/out")|$(cat "$T/err")" "0|read 3, new 0, duplicate 0, skipped 3, rejected 0, incidents 0|"
printf '[ingest]\nkeep = dns, http\n' >"$IRK_CONFIG"
irk ingest "$T/badtime.json" >"$T/out" 2>"$T/err"
expect_eq "kept types without a usable time: rejected, the rest kept" "$?|$(cat "$T/out")" \
	"3|read 3, new 0, duplicate 0, skipped 1, rejected 2, incidents 0, kept 1"
expect_eq "the reason is the time, for both" "$(cat "$T/err")" \
	"$T/badtime.json:1: no usable time in field 'timestamp' (a http event to keep)
$T/badtime.json:2: no usable time in field 'timestamp' (a dns event to keep)"
expect_no_match "no record is called unrecognised" "$(cat "$T/err")" "no format irk recognises"
expect_eq "the quarantine says the same" "$(irk quarantine --json | jq -r .reason | sort -u)" \
	"no usable time in field 'timestamp' (a dns event to keep)
no usable time in field 'timestamp' (a http event to keep)"
irk ingest --format eve "$T/badtime.json" >/dev/null 2>"$T/err"
expect_no_match "--format eve: never \"not 'alert'\"" "$(cat "$T/err")" "not 'alert'"

# ---- the summary's kept count ---------------------------------------------------
expect_eq "with keep, the summary ends with kept N" "$(irk ingest "$T/badtime.json" 2>/dev/null)" \
	"read 3, new 0, duplicate 0, skipped 1, rejected 2, incidents 0, kept 0"

# ---- keep settings -------------------------------------------------------------------
printf '[ingest]\nkeep = dns, netflow\n' >"$IRK_CONFIG"
expect_rc "a keep list with a wrong word is refused" 1 irk ingest "$T/badtime.json"
expect_match "naming the word, the file and line" "$(cat "$T/.err")" \
	"$IRK_CONFIG:2: ingest.keep: no event type 'netflow' \\(dns, http, tls"
expect_eq "and nothing on stdout" "$(cat "$T/.out")" ""
printf '[ingest]\nkeep = dns\nkeep_days = -1\n' >"$IRK_CONFIG"
expect_rc "keep_days = -1 is refused" 1 irk ingest "$T/badtime.json"
expect_match "naming the file and line" "$(cat "$T/.err")" \
	"$IRK_CONFIG:3: ingest.keep_days: '-1' is not a whole number, 0 or more"
printf '[ingest]\nkeep = DNS, Http\n' >"$IRK_CONFIG"
irk ingest --json "$T/badtime.json" >"$T/out" 2>/dev/null
expect_eq "type names in any case" "$(jq -c '[.skipped, .rejected]' "$T/out")" "[1,2]"

# ---- a file that cannot be opened -----------------------------------------------------
expect_rc "irk ingest nope.json: exit 1" 1 irk ingest "$T/nope.json"
expect_eq "no summary on stdout" "$(cat "$T/.out")" ""
expect_match "the error names it" "$(cat "$T/.err")" "$T/nope.json: No such file"

# ---- Ctrl-C on a live stream -------------------------------------------------------------
export IRK_DB="$T/live.db"
irk init >/dev/null
: >"$IRK_CONFIG"
mkfifo "$T/fifo"
"$IRK_BIN" ingest - <"$T/fifo" >"$T/live.out" 2>"$T/live.err" &
live=$!
exec 3>"$T/fifo"
printf '{"timestamp":"%s","event_type":"alert","src_ip":"10.9.9.%d","dest_ip":"192.0.2.1","alert":{"signature_id":7,"signature":"live"}}\n' \
	"$t1" 1 "$t1" 2 >&3
stored() { [ "$(sql "select count(*) from alerts")" = 2 ]; }
check "a live stream is stored as it comes" wait_for 10 stored
kill -INT "$live"
gone() { ! kill -0 "$live" 2>/dev/null; }
# (A shell's background job ignores SIGINT unless irk takes it itself.)
check "SIGINT ends it" wait_for 10 gone
gone || kill -KILL "$live"
wait "$live"
expect_eq "SIGINT: exit 130" "$?" 130
exec 3>&-
expect_eq "with the summary of what was read" "$(cat "$T/live.out")" \
	"read 2, new 2, duplicate 0, skipped 0, rejected 0, incidents 2"
expect_eq "and no error" "$(cat "$T/live.err")" ""
expect_eq "the audit trail has the batch" \
	"$(sql "select json_extract(data, '\$.read') from events where kind = 'ingest.batch'")" 2

# ---- irk show: URLs cut with a mark, unset text fields null ---------------------------------
url="http://dl.evil-cdn.example/a/very/long/path/to/the/second/stage.bin"
printf '{"timestamp":"%s","event_type":"alert","src_ip":"10.9.9.3","dest_ip":"192.0.2.1","http":{"hostname":"dl.evil-cdn.example","url":"/a/very/long/path/to/the/second/stage.bin"},"alert":{"signature_id":8,"signature":"url"}}\n' "$t1" >"$T/url.json"
irk ingest "$T/url.json" >/dev/null
expect_match "a URL longer than its column ends with an ellipsis" "$(irk show IR-3)" \
	"  url      http://dl.evil-cdn.example/a/very/long/… from alert 3"
expect_match "... where the locale is not UTF-8" "$(LC_ALL=C irk show IR-3)" \
	"  url      http://dl.evil-cdn.example/a/very/lon\.\.\. from alert 3"
expect_eq "the whole URL is in --json" "$(irk show IR-3 --json | jq -r '.observables[] | select(.type == "url") | .value')" "$url"
expect_eq "--json: a summary nobody wrote is null, as irk(1) says" \
	"$(irk show IR-3 --json | jq -c '[.summary, .owner]')" "[null,null]"

# ---- retention at ingest, and its audit trail -------------------------------------------
export IRK_DB="$T/keep.db"
irk init >/dev/null
printf '[ingest]\nkeep = dns\nkeep_days = 7\n' >"$IRK_CONFIG"
old=$(iso $((now - 10 * 86400)))
{ i=0; while [ $i -lt 5 ]; do
	printf '{"timestamp":"%s","event_type":"dns","src_ip":"10.7.7.%d","dest_ip":"10.1.0.53","dns":{"type":"query","rrname":"old%d.example","rrtype":"A"}}\n' "$old" $i $i
	i=$((i + 1))
  done
  printf '{"timestamp":"%s","event_type":"dns","src_ip":"10.7.7.9","dest_ip":"10.1.0.53","dns":{"type":"query","rrname":"new.example","rrtype":"A"}}\n' "$t1"
} >"$T/backfill.json"
expect_eq "a backfill 10 days old is skipped, not kept (keep_days 7)" \
	"$(irk ingest "$T/backfill.json")" "read 6, new 0, duplicate 0, skipped 6, rejected 0, incidents 0, kept 1"
expect_eq "only the recent one is stored" "$(sql "select rrname from sensor_events")" "new.example"
expect_eq "so prune has nothing to do" "$(irk sensor prune | cut -d' ' -f1-3)" "deleted 0 sensor"
expect_eq "and writes no audit event" "$(sql "select count(*) from events where kind = 'sensor.prune'")" 0
printf '[ingest]\nkeep = dns\nkeep_days = 0\n' >"$IRK_CONFIG"
expect_eq "keep_days 0 keeps any age" "$(irk ingest --json "$T/backfill.json" | jq .kept)" 5
printf '[ingest]\nkeep = dns\nkeep_days = 7\n' >"$IRK_CONFIG"
cut=$(date -u -d "@$((now - 7 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
expect_eq "irk sensor prune deletes them" "$(IRK_NOW=$now irk sensor prune)" \
	"deleted 5 sensor events before $cut, 1 kept"
expect_eq "one audit event, by who ran it, with the count and the cutoff" \
	"$(irk audit log --json | jq -r 'select(.kind == "sensor.prune") | .actor + " " + .data')" \
	"alice {\"deleted\":5,\"before\":\"$cut\"}"
expect_eq "a second run deleting nothing adds none" \
	"$(irk sensor prune >/dev/null; sql "select count(*) from events where kind = 'sensor.prune'")" 1

# irk serve's retention records its runs too (as the engine).
printf '[ingest]\nkeep = dns\nkeep_days = 0\n' >"$IRK_CONFIG"
irk ingest "$T/backfill.json" >/dev/null
printf '[ingest]\nkeep = dns\nkeep_days = 7\n' >"$IRK_CONFIG"
"$IRK_BIN" serve 2>"$T/serve.log" &
serve_pid=$!
stop_serve() { kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; }
at_exit stop_serve
pruned() { [ "$(sql "select count(*) from events where kind = 'sensor.prune' and actor = 'engine'")" = 1 ]; }
check "irk serve's retention writes one audit event" wait_for 10 pruned
stop_serve
expect_eq "it says 5 went" "$(sql "select json_extract(data, '\$.deleted') from events where actor = 'engine' and kind = 'sensor.prune'")" 5
expect_rc "audit chain intact" 0 irk audit verify

done_testing
