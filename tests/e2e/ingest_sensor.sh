#!/bin/sh
# ingest_sensor.sh: a sensor's real stream (issue 16) through `irk ingest`:
# tests/fixtures/sensor/eve-mixed.jsonl is one alert among flow, dns, tls,
# http, fileinfo, ssh, smtp, anomaly, netflow and stats records, as
# Suricata writes eve.json. The records that are not alerts are skipped:
# counted, not on stderr, not quarantined, exit 0. With [ingest] keep they
# are kept once, shown as the incident's sensor context by `irk show` (and
# --json "sensor"), and deleted past keep_days by `irk sensor prune` and
# by `irk serve`, on the clock IRK_NOW gives.
. "$IRK_TOP/tests/e2e/lib.sh"

MIXED="$IRK_TOP/tests/fixtures/sensor/eve-mixed.jsonl"
irk init >/dev/null

# ---- skipped, not rejected ------------------------------------------------------
irk ingest "$MIXED" >"$T/out" 2>"$T/err"
expect_eq "a mixed stream: exit 0" "$?" 0
expect_eq "summary: 16 skipped, none rejected" "$(cat "$T/out")" \
	"read 17, new 1, duplicate 0, skipped 16, rejected 0, incidents 1"
expect_eq "nothing on standard error" "$(cat "$T/err")" ""
expect_eq "nothing quarantined" "$(irk quarantine --json | wc -l)" 0
expect_eq "nothing kept without [ingest] keep" "$(sql "select count(*) from sensor_events")" 0
expect_eq "the batch's audit event counts the skipped" \
	"$(sql "select json_extract(data, '\$.skipped') from events where kind = 'ingest.batch'")" 16
expect_match "irk show says how to keep them" "$(irk show IR-1)" \
	"Sensor context .*
  \\(none kept: see \\[ingest\\] keep in irk.conf\\(5\\)\\)"

# A Zeek conn log and an ECS metric beside an alert, auto-detected.
cat >"$T/other.json" <<'EOF'
{"ts":1762157700.5,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"10.20.1.15","id.orig_p":51544,"id.resp_h":"203.0.113.10","id.resp_p":443,"proto":"tcp","service":"ssl","duration":116.2,"orig_bytes":5230,"resp_bytes":48811,"conn_state":"SF","orig_pkts":41,"resp_pkts":38}
{"@timestamp":"2025-11-03T08:15:00Z","ecs":{"version":"8.11.0"},"event":{"kind":"metric","dataset":"system.memory"},"host":{"name":"web-01"},"system":{"memory":{"used":{"pct":0.41}}}}
EOF
irk ingest - <"$T/other.json" >"$T/out" 2>"$T/err"
expect_eq "zeek conn and an ECS metric: skipped, exit 0" "$?|$(cat "$T/out")|$(cat "$T/err")" \
	"0|read 2, new 0, duplicate 0, skipped 2, rejected 0, incidents 0|"
expect_eq "--json has skipped and kept" "$(irk ingest --json - <"$T/other.json")" \
	'{"read":2,"new":0,"duplicate":0,"skipped":2,"kept":0,"rejected":0,"incidents":0}'

# A broken record is still rejected, beside skipped ones: exit 3.
printf '%s\n' '{"timestamp":"2025-11-03T08:20:00Z","event_type":"dns","src_ip":"10.0.0.1"}' \
	'{"timestamp": broken' >"$T/broken.json"
irk ingest "$T/broken.json" >"$T/out" 2>"$T/err"
expect_eq "malformed is rejected, dns skipped: exit 3" "$?|$(cat "$T/out")" \
	"3|read 2, new 0, duplicate 0, skipped 1, rejected 1, incidents 0"
expect_match "only the broken line is named" "$(cat "$T/err")" "^$T/broken.json:2: malformed JSON"

# ---- keep -------------------------------------------------------------------------
export IRK_DB="$T/keep.db"
irk init >/dev/null
printf '[ingest]\nkeep = dns, http, tls, fileinfo, flow\nkeep_days = 7\n' >"$IRK_CONFIG"
# Read on the day the stream was written: ingest keeps nothing older than
# keep_days (sensor_trial.sh).
export IRK_NOW=$(( $(date -d 2025-11-03T09:00:00Z +%s) ))
# From standard input, as `tail -F eve.json | irk ingest -` sends it; one
# record of the affected host names a domain with an escape sequence in it.
{ cat "$MIXED"
  printf '%s\n' '{"timestamp":"2025-11-03T08:14:30.000000+0000","flow_id":900150,"event_type":"dns","src_ip":"10.20.1.15","src_port":53200,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP","dns":{"type":"query","rrname":"x\u001b]0;pwned\u0007.evil-cdn.example","rrtype":"TXT"}}'
} | irk ingest --json - >"$T/out" 2>"$T/err"
expect_eq "kept: 11 of the 17 skipped" "$?|$(cat "$T/out")|$(cat "$T/err")" \
	'0|{"read":18,"new":1,"duplicate":0,"skipped":17,"kept":11,"rejected":0,"incidents":1}|'
expect_eq "kept by type" "$(sql "select type || '=' || count(*) from sensor_events group by type order by type" | tr '\n' ' ')" \
	"dns=7 fileinfo=1 flow=1 http=1 tls=1 "
expect_eq "the raw record is kept as read" \
	"$(sql "select raw from sensor_events where type = 'tls'")" "$(sed -n 7p "$MIXED")"
expect_eq "the same input again keeps nothing twice" "$(irk ingest --json "$MIXED" | jq .kept)|$(sql "select count(*) from sensor_events")" "0|11"

show=$(irk show IR-1)
expect_match "irk show: the sensor context, newest first" "$show" \
	"Sensor context \\(kept events of its hosts, 15 min either side, newest first\\)
  2025-11-03 08:15  flow     203.0.113.10: 1 flow, 54.0 kB
  2025-11-03 08:14  dns      x\\\\x1b\\]0;pwned\\\\x07.evil-cdn.example \\(TXT\\)
  2025-11-03 08:13  fileinfo /b/stage2.bin \\(5f0c2a3d[0-9a-f]*\\)
  2025-11-03 08:13  http     GET dl.evil-cdn.example/b/stage2.bin \\(200\\)
  2025-11-03 08:13  tls      update.evil-cdn.example \\(CN=update.evil-cdn.example\\)
  2025-11-03 08:12  dns      update.evil-cdn.example \\(A 203.0.113.10\\), 2 times
  2025-11-03 08:12  dns      update.evil-cdn.example \\(AAAA\\)

Audit events"
expect_no_match "irk show: another host's lookup is not its context" "$show" "intranet.corp.example"
expect_no_match "irk show: nor a lookup an hour before its first event" "$show" "old.example.net"
expect_eq "irk show prints no raw escape" "$(printf '%s' "$show" | LC_ALL=C tr -d '\n\t -~\200-\377' | wc -c)" 0
expect_eq "irk show --json: sensor" \
	"$(irk show IR-1 --json | jq -c '[.sensor[] | [.type, .what, .detail, .count, .last]][2:6]')" \
	'[["fileinfo","/b/stage2.bin","5f0c2a3d8e1b7f4a69c0d2e3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b",1,"2025-11-03T08:13:41Z"],["http","GET dl.evil-cdn.example/b/stage2.bin","200",1,"2025-11-03T08:13:40Z"],["tls","update.evil-cdn.example","CN=update.evil-cdn.example",1,"2025-11-03T08:13:02Z"],["dns","update.evil-cdn.example","A",2,"2025-11-03T08:12:43Z"]]'
expect_match "irk show --json: the escape stays a JSON escape" "$(irk show IR-1 --json)" \
	'"what": "x\\u001b\]0;pwned\\u0007\.evil-cdn\.example"'

# ---- retention ------------------------------------------------------------------------
# The newest kept event is 2025-11-03T08:15:00Z; the oldest 07:20:00Z.
export IRK_NOW=$(( $(date -d 2025-11-10T07:30:00Z +%s) ))
expect_eq "irk sensor prune: what is past 7 days goes" "$(irk sensor prune)" \
	"deleted 1 sensor events before 2025-11-03T07:30:00Z, 10 kept"
expect_eq "the one an hour before the rest" "$(sql "select count(*) from sensor_events where raw like '%old.example.net%'")" 0
expect_eq "irk sensor prune --json" "$(irk sensor prune --json)" \
	'{"deleted":0,"before":"2025-11-03T07:30:00Z","kept":10}'
expect_rc "irk sensor with no verb is a usage error" 2 irk sensor

# irk serve deletes them as it runs (a day later nothing is left).
export IRK_NOW=$(( $(date -d 2025-11-11T08:16:00Z +%s) ))
"$IRK_BIN" serve 2>"$T/serve.log" &
serve_pid=$!
stop_serve() { kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; }
at_exit stop_serve
gone() { [ "$(sql "select count(*) from sensor_events")" = 0 ]; }
check "irk serve deletes the events past keep_days" wait_for 10 gone
logged() { grep -q "sensor events: deleted 10 before 2025-11-04T08:16:00Z" "$T/serve.log"; }
check "and logs it" wait_for 5 logged
stop_serve
expect_rc "audit chain intact" 0 irk audit verify

done_testing
