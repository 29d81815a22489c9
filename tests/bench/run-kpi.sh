# run-kpi.sh: a full recompute of the KPIs, the `kpi` part of `make bench`
# (sourced by run.sh; issue 11). BENCH_INCIDENTS incidents (default
# 1,000,000, a tenth open) with their stage history (mkincidents history:
# about 5.7 moves each), then:
#  - irk kpi --json, the median of three runs, and the CPU of each thread
#    (the history is read on a thread of its own);
#  - the baseline: the same figures written by hand in SQL
#    (tests/bench/kpi.sql: medians and p90 by window functions, the time in
#    each stage by lead()) in sqlite3 on the same file, once;
#  - the floor: sqlite3 only reading the columns irk reads, summed.
# Targets: under 1 s, and at most 1.5 times the hand-written SQL.
echo "== kpi: a full recompute over incidents with their stage history"
KN=${BENCH_INCIDENTS:-1000000}
"$B/mkincidents" "$W/kpi.db" "$KN" $((KN / 10)) history
moves=$(sqlite3 "$W/kpi.db" "select count(*) from stage_history")
now=1765141000
export IRK_NOW=$now
: >"$W/t.kpi"
for i in 1 2 3; do
	stat ./irk --db "$W/kpi.db" kpi --json
	[ "$rc" = 0 ] || { echo "irk kpi failed (exit $rc)"; exit 1; }
	echo "$secs $cpu $threads" >>"$W/t.kpi"
done
read -r k_secs k_cpu k_threads <<EOT
$(sort -n "$W/t.kpi" | sed -n 2p)
EOT
stat sqlite3 "$W/kpi.db" ".parameter set :now $now" ".read tests/bench/kpi.sql"
sql_secs=$secs sql_cpu=$cpu
# The floor: every column irk reads, read once.
stat sqlite3 "$W/kpi.db" "select count(*), sum(length(stage)), sum(priority),
	sum(length(resolution)), sum(asset_criticality), sum(t_first_event), sum(t_detected),
	sum(t_acknowledged), sum(t_contained), sum(t_resolved), sum(t_closed), sum(reopen_count),
	sum(back_moves), sum(effort_min), sum(length(category)), sum(length(business_unit)),
	sum(length(owner)), sum(length(play)), sum(length(play_version)), sum(length(rule)),
	sum(length(root_cause)) from incidents;
	select count(*), sum(length(to_stage)), sum(at), sum(forced) from stage_history;"
floor_secs=$secs floor_cpu=$cpu
# The two agree on what they computed (the median MTTA and the mean time
# in recovery, say).
agree=no
./irk --db "$W/kpi.db" kpi --json >"$W/kpi.json"
unset IRK_NOW
sqlite3 "$W/kpi.db" ".parameter set :now $now" ".read tests/bench/kpi.sql" >"$W/kpi.sql.out"
if grep -q "^mtta|$(jq -r '"\(.mtta.count)|\(.mtta.mean).0|\(.mtta.median)|\(.mtta.p90)"' "$W/kpi.json")\$" "$W/kpi.sql.out" &&
   grep -q "^stage:recovery|$(jq -r '.stages.recovery | "\(.count)|\(.mean).0|\(.median)|\(.p90)"' "$W/kpi.json")\$" "$W/kpi.sql.out"; then
	agree=yes
fi
awk -v n="$KN" -v m="$moves" -v t="$k_secs" -v c="$k_cpu" -v th="$k_threads" -v s="$sql_secs" \
	-v sc="$sql_cpu" -v f="$floor_secs" -v fc="$floor_cpu" -v ag="$agree" 'BEGIN {
	printf "   %d incidents, %d stage moves\n", n, m
	printf "   irk kpi --json: %.2f s (target < 1 s), CPU %.2f s; per thread %s s (busiest first)\n", t, c, th
	printf "   sqlite3, the same figures by hand (tests/bench/kpi.sql): %.2f s, CPU %.2f s; figures agree: %s\n", s, sc, ag
	printf "   ratio irk/hand-written SQL: %.2f (target <= 1.5)\n", t / s
	printf "   sqlite3 only reading the same columns: %.2f s, CPU %.2f s; ratio irk/reading %.2f\n", f, fc, t / f
	split(th, tt, ",")
	printf "   the busiest thread %.2f s: on a quiet 2-core box about %.2f s\n", tt[1], tt[1]
}'
rm -f "$W"/kpi.db* "$W/kpi.json" "$W/kpi.sql.out"
