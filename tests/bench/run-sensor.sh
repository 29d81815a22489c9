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
printf '[ingest]\nkeep = dns, http, tls, fileinfo, flow\n' >"$W/keep.conf"
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
rm -f "$W/alerts.json" "$W/mixed.json" "$W/kept.csv" "$W"/sen.db* "$W"/sbase.db*
