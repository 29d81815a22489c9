# run-sensor.sh: a sensor's real stream, the `sensor` part of `make bench`
# (sourced by run.sh; issue 16). Two figures, each against a baseline of
# the same run:
#  - skipping: N EVE records of which 1% are alerts (gen_eve N 0 mixed)
#    against N alerts (gen_eve N); target: the mixed stream at least 3x as
#    fast;
#  - keeping: the same mixed stream with [ingest] keep = dns, http, tls,
#    fileinfo, flow, against sqlite3 .import of the rows it kept into the
#    same table (same columns and indexes), as a speed ratio.
#   BENCH_SENSOR=N   records of each stream (default 1000000)
echo "== sensor: a mixed EVE stream, 1% alerts (skipping and keeping)"
SEN=${BENCH_SENSOR:-1000000}
"$B/gen_eve" "$SEN" >"$W/alerts.json"
"$B/gen_eve" "$SEN" 0 mixed >"$W/mixed.json"
printf '   input: %s alerts, %s MB; %s mixed records (%s alerts), %s MB\n' "$SEN" \
	"$(( $(wc -c <"$W/alerts.json") / 1000000 ))" "$SEN" "$(grep -c '"event_type":"alert"' "$W/mixed.json")" \
	"$(( $(wc -c <"$W/mixed.json") / 1000000 ))"
: >"$W/none.conf"
# keep_days 0: gen_eve's stream is of 2025, and ingest keeps nothing older
# than keep_days.
printf '[ingest]\nkeep = dns, http, tls, fileinfo, flow, ssh, smtp, anomaly\nkeep_days = 0\n' >"$W/keep.conf"
# ingest_time CONF INPUT: $secs and $cpu of irk ingest on a new database.
ingest_time() {
	rm -f "$W"/sen.db*
	./irk --db "$W/sen.db" --config "$1" init >/dev/null
	stat ./irk --db "$W/sen.db" --config "$1" ingest "$2"
	[ "$rc" = 0 ] || { echo "irk ingest $2 failed (exit $rc)"; exit 1; }
}
ingest_time "$W/none.conf" "$W/alerts.json"
alerts_secs=$secs alerts_cpu=$cpu
ingest_time "$W/none.conf" "$W/mixed.json"
mixed_secs=$secs mixed_cpu=$cpu
ingest_time "$W/keep.conf" "$W/mixed.json"
keep_secs=$secs keep_cpu=$cpu
kept=$(sqlite3 "$W/sen.db" "select count(*) from sensor_events")
# The baseline: sqlite3 .import of the rows irk kept, into the same table.
cols="id, t, h, type, sensor, src_ip, src_port, dst_ip, dst_port, proto, rrname, rrtype, answer,
	hostname, url, method, status, user_agent, sni, subject, ja3, filename, sha256, size, bytes,
	packets, raw"
sqlite3 -csv "$W/sen.db" "select $cols from sensor_events" >"$W/kept.csv"
rm -f "$W"/sbase.db*
sqlite3 "$W/sbase.db" "PRAGMA journal_mode = WAL;
	$(sqlite3 "$W/sen.db" "select sql || ';' from sqlite_master where tbl_name = 'sensor_events' and sql is not null")" >/dev/null
stat sqlite3 "$W/sbase.db" ".import --csv $W/kept.csv sensor_events"
base_secs=$secs
base_rows=$(sqlite3 "$W/sbase.db" "select count(*) from sensor_events")
awk -v n="$SEN" -v a="$alerts_secs" -v m="$mixed_secs" -v k="$keep_secs" -v b="$base_secs" \
	-v kept="$kept" -v rows="$base_rows" -v ac="$alerts_cpu" -v mc="$mixed_cpu" -v kc="$keep_cpu" 'BEGIN {
	printf "   irk ingest, %d alerts:             %.2f s (%.0f records/s, CPU %.2f s)\n", n, a, n / a, ac
	printf "   irk ingest, %d mixed, skipped:     %.2f s (%.0f records/s, CPU %.2f s)\n", n, m, n / m, mc
	printf "   ratio mixed/alerts speed: %.1f (target >= 3)\n", a / m
	printf "   irk ingest, %d mixed, %d kept: %.2f s (%.0f records/s, CPU %.2f s)\n", n, kept, k, n / k, kc
	printf "   sqlite3 .import of the same %d rows: %.2f s (%.0f rows/s)\n", rows, b, rows / b
	printf "   ratio irk keeping/.import speed: %.2f (irk also parses, skips and stores the alerts)\n", b / k
}'
# The sensor context of the incident whose hosts have the most kept events
# in its window: irk show --json (the whole incident, context included)
# against sqlite3 reading the rows its context reads (its addresses either
# side, in its window), 20 times each.
ctx_key=$(./irk --db "$W/sen.db" --config "$W/keep.conf" list --json --all --limit 50 |
	jq -r 'max_by(.alert_count) | .key')
./irk --db "$W/sen.db" --config "$W/keep.conf" show "$ctx_key" --json >"$W/ctx.json"
ctx_rows_sql=$(jq -r '[.host, .src_ip] + [.observables[] | select(.type == "ip") | .value] |
	map(select(. != null)) | unique | map("\u0027" + . + "\u0027") | join(",")' "$W/ctx.json")
ctx_from=$(( $(date -d "$(jq -r '.times.first_event' "$W/ctx.json")" +%s) - 900 ))
ctx_to=$(( $(date -d "$(jq -r '.times.last_event' "$W/ctx.json")" +%s) + 900 ))
ctx_sql="select count(*), count(distinct coalesce(rrname, sni, url, filename, dst_ip)) from sensor_events
	where (src_ip in ($ctx_rows_sql) or dst_ip in ($ctx_rows_sql)) and t between $ctx_from and $ctx_to;"
ctx_rows=$(sqlite3 "$W/sen.db" "$ctx_sql" | cut -d'|' -f1)
stat sh -c 'i=0; while [ $i -lt 20 ]; do ./irk --db "$1" --config "$2" show "$3" --json; i=$((i + 1)); done' \
	_ "$W/sen.db" "$W/keep.conf" "$ctx_key"
show_secs=$secs
stat sh -c 'i=0; while [ $i -lt 20 ]; do sqlite3 "$1" "$2"; i=$((i + 1)); done' _ "$W/sen.db" "$ctx_sql"
sql_secs=$secs
awk -v k="$ctx_key" -v r="$ctx_rows" -v lines="$(jq '.sensor | length' "$W/ctx.json")" \
	-v total="$(jq '.sensor_total' "$W/ctx.json")" -v s="$show_secs" -v q="$sql_secs" 'BEGIN {
	printf "   irk show %s --json x20, context of %d kept rows (%d of %d lines): %.2f s\n", k, r, lines, total, s
	printf "   sqlite3 reading the same rows x20: %.2f s\n", q
	printf "   ratio irk show/sqlite3 time: %.1f (irk show reads the whole incident too)\n", s / q
}'
rm -f "$W/alerts.json" "$W/mixed.json" "$W/kept.csv" "$W"/sen.db* "$W"/sbase.db* "$W/ctx.json"
