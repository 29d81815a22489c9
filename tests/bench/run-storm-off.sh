# run-storm-off.sh: an alert storm with storm grouping off, the `storm-off`
# part of `make bench` (sourced by run.sh; issue 17). 200,000 alerts of six
# rules from about 199,000 distinct internal hosts (gen_eve --storm), the
# bundled plays loaded: nearly every alert opens an incident, a third of
# them with a play and its steps. Two figures:
#  - alerts a second (target >= 30,000);
#  - against sqlite3 writing the same rows irk wrote (every table: alerts,
#    incidents, steps, events, observables, stage history, play runs), in
#    one transaction into a database of the same schema (target: irk at
#    most 1.5 times its time).
# Then a correlating stream (gen_eve, about 1% of alerts open an incident;
# target >= 150,000 alerts/s). With BENCH_BASE_IRK=PATH each figure is
# measured with that binary too (the before of a change), in the same run.
#   BENCH_STORM=N    storm alerts (default 200000)
#   BENCH_STORM_OPTS options for irk ingest (default --storm off: grouping
#                    off; set it empty for a BENCH_BASE_IRK without --storm)
echo "== storm-off: an alert storm opening an incident per alert, and a correlating stream"
SN=${BENCH_STORM:-200000}
"$B/gen_eve" --storm "$SN" >"$W/storm.json"
"$B/gen_eve" "$SN" 7 >"$W/corr.json"
# storm_run BINARY INPUT: ingest INPUT into a new $W/st.db; sets $secs $cpu.
storm_run() {
	rm -f "$W"/st.db*
	"$1" --db "$W/st.db" init >/dev/null
	# shellcheck disable=SC2086
	stat "$1" --db "$W/st.db" ingest ${BENCH_STORM_OPTS---storm off} "$2"
	[ "$rc" = 0 ] || { echo "   $1 ingest failed (exit $rc)"; exit 1; }
}
# The baseline: the rows irk wrote, written again by sqlite3 into an empty
# database of the same schema (tables, indexes, constraints), in one
# transaction of INSERT ... SELECT from irk's file (read back from the page
# cache: the same reading a CSV import does, less its parsing).
baseline() {
	rm -f "$W"/sb.db*
	{ echo "PRAGMA page_size = $(sqlite3 "$W/st.db" "PRAGMA page_size");"
	  sqlite3 "$W/st.db" .schema | grep -v "^CREATE TABLE sqlite_"; } | sqlite3 "$W/sb.db"
	sqlite3 "$W/sb.db" "PRAGMA journal_mode = WAL" >/dev/null
	sql="PRAGMA synchronous = NORMAL; ATTACH '$W/st.db' AS irk; BEGIN;"
	rows=0
	for t in alerts incidents stage_history play_runs steps events observables; do
		sql="$sql INSERT INTO main.$t SELECT * FROM irk.$t;"
		rows=$((rows + $(sqlite3 "$W/st.db" "SELECT count(*) FROM $t")))
	done
	stat sqlite3 "$W/sb.db" "$sql COMMIT;"
	base_secs=$secs
}
storm_run ./irk "$W/storm.json"
new_secs=$secs new_cpu=$cpu
incidents=$(sqlite3 "$W/st.db" "select count(*) from incidents")
steps=$(sqlite3 "$W/st.db" "select count(*) from steps")
events=$(sqlite3 "$W/st.db" "select count(*) from events")
baseline
awk -v n="$SN" -v t="$new_secs" -v c="$new_cpu" -v b="$base_secs" -v rows="$rows" \
	-v inc="$incidents" -v st="$steps" -v ev="$events" 'BEGIN {
	printf "   irk ingest (storm, %d alerts): %.2f s, %.0f alerts/s (target >= 30000), CPU %.2f s\n", n, t, n / t, c
	printf "   rows irk wrote: %d in all; %d incidents, %d steps, %d events\n", rows, inc, st, ev
	printf "   sqlite3 writing the same rows in one transaction: %.2f s; ratio irk/sqlite3 %.2f (target <= 1.5)\n", b, t / b
}'
if [ -n "${BENCH_BASE_IRK:-}" ]; then
	storm_run "$BENCH_BASE_IRK" "$W/storm.json"
	old_secs=$secs old_cpu=$cpu
	baseline
	awk -v n="$SN" -v t="$old_secs" -v c="$old_cpu" -v b="$base_secs" -v now="$new_secs" 'BEGIN {
		printf "   BENCH_BASE_IRK (storm): %.2f s, %.0f alerts/s, CPU %.2f s; its rows by sqlite3 %.2f s, ratio %.2f; now/before time %.2f\n", t, n / t, c, b, t / b, now / t
	}'
fi
storm_run ./irk "$W/corr.json"
corr_secs=$secs
awk -v n="$SN" -v t="$corr_secs" 'BEGIN {
	printf "   irk ingest (correlating stream, %d alerts): %.2f s, %.0f alerts/s (target >= 150000)\n", n, t, n / t }'
if [ -n "${BENCH_BASE_IRK:-}" ]; then
	storm_run "$BENCH_BASE_IRK" "$W/corr.json"
	awk -v n="$SN" -v t="$secs" -v now="$corr_secs" 'BEGIN {
		printf "   BENCH_BASE_IRK (correlating stream): %.2f s, %.0f alerts/s; now/before time %.2f\n", t, n / t, now / t }'
fi
rm -f "$W"/st.db* "$W"/sb.db* "$W/storm.json" "$W/corr.json"
