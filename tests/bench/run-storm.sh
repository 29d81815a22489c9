# run-storm.sh: an alert storm, the `storm` part of `make bench` (sourced
# by run.sh; issue 17). 200,000 alerts of six rules from about 199,000
# distinct internal hosts within five minutes (gen_eve --storm), the
# bundled plays loaded, storm grouping on (the default): alerts a second,
# and the time sqlite3 takes to write the same rows irk wrote (every table
# ingest writes, the same schema and indexes, one transaction) as the
# baseline. Median of BENCH_STORM_RUNS runs.
#   BENCH_STORM=N       alerts (default 200000)
#   BENCH_STORM_RUNS=N  runs (default 3)
SN=${BENCH_STORM:-200000}
SR=${BENCH_STORM_RUNS:-3}
echo "== storm: $SN alerts of six rules from distinct hosts, bundled plays, storm grouping on"
"$B/gen_eve" --storm "$SN" >"$W/storm.json"
echo "   distinct hosts: $(grep -o '"src_ip":"[^"]*"' "$W/storm.json" | sort -u | wc -l)"
: >"$W/t.storm"; : >"$W/t.storm_base"; : >"$W/c.storm"; : >"$W/b.storm"
i=0
while [ $i -lt "$SR" ]; do
	rm -f "$W"/storm.db* "$W"/storm_base.db*
	./irk --db "$W/storm.db" init >/dev/null
	stat ./irk --db "$W/storm.db" ingest "$W/storm.json"
	[ "$rc" = 0 ] || { echo "irk ingest failed (exit $rc)"; exit 1; }
	echo "$secs" >>"$W/t.storm"
	echo "$cpu" >>"$W/c.storm"
	echo "$threads" | cut -d, -f1 >>"$W/b.storm"
	# The baseline: the same schema, then every row irk wrote, as one
	# transaction of INSERTs (sqlite3's .dump of those tables).
	sqlite3 "$W/storm.db" ".schema" | grep -v '^CREATE TABLE sqlite_' >"$W/storm_schema.sql"
	sqlite3 "$W/storm_base.db" <"$W/storm_schema.sql"
	{ echo "BEGIN;"
	  sqlite3 "$W/storm.db" ".dump --data-only incidents stage_history alerts observables steps events play_runs plays"
	  echo "COMMIT;"; } >"$W/storm_rows.sql"
	stat sqlite3 "$W/storm_base.db" ".read $W/storm_rows.sql"
	echo "$secs" >>"$W/t.storm_base"
	i=$((i + 1))
done
awk -v n="$SN" -v t="$(median <"$W/t.storm")" -v b="$(median <"$W/t.storm_base")" -v c="$(median <"$W/c.storm")" -v busy="$(median <"$W/b.storm")" \
	-v inc="$(sqlite3 "$W/storm.db" "select count(*) || ' incidents (' || sum(storm) || ' storms)' from incidents")" \
	-v obs="$(sqlite3 "$W/storm.db" "select count(*) from observables where type = 'host'")" \
	-v rows="$(sqlite3 "$W/storm.db" "select (select count(*) from alerts) + (select count(*) from observables) +
		(select count(*) from incidents) + (select count(*) from steps) + (select count(*) from events) +
		(select count(*) from stage_history)")" 'BEGIN {
	printf "   irk ingest: %.2f s, %.0f alerts/s (target >= 100000); %s, %d host observables\n", t, n / t, inc, obs
	printf "   sqlite3, the same %d rows in one transaction: %.2f s; ratio irk/sqlite3 time %.2f\n", rows, b, t / b
	printf "   CPU time: irk %.2f s, %.0f alerts per CPU second (every thread); the busiest thread %.2f s,\n", c, n / c, busy
	printf "   so at best %.0f alerts/s on a quiet 2-core box\n", n / busy
}'
rm -f "$W"/storm.db* "$W"/storm_base.db* "$W/storm.json" "$W/storm_rows.sql" "$W/storm_schema.sql" "$W"/t.storm* "$W/c.storm" "$W/b.storm"
