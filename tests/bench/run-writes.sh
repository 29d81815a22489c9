# run-writes.sh: fair writes, the `writes` part of `make bench` (sourced by
# run.sh; issue 9). Two figures:
#  - stream ingest throughput: `gen_eve N | irk ingest -` (a pipe, so
#    ingest treats it as a live stream), alerts a second; with
#    BENCH_BASE_IRK=PATH the same run with that binary too, as a ratio
#    (target: at least 0.8 of the binary before fair writes);
#  - analyst write latency: `irk note` p50/p99 on an idle database and while
#    a stream ingests flat out, and the ratio (target p99 under 250 ms).
#   BENCH_STREAM=N   alerts streamed (default 200000)
#   BENCH_WRITES=N   notes timed in each case (default 200)
echo "== writes: a live stream and analysts' writes beside it"
SN=${BENCH_STREAM:-200000}
WN=${BENCH_WRITES:-200}
"$B/gen_eve" "$SN" 5 >"$W/stream.json"
# rate BINARY pipe|file: alerts a second of `cat | BINARY ingest -` (a live
# stream) or of BINARY ingest FILE.
rate() {
	rm -f "$W"/s.db*
	"$1" --db "$W/s.db" init >/dev/null
	t0=$(date +%s.%N)
	if [ "$2" = pipe ]; then cat "$W/stream.json" | "$1" --db "$W/s.db" ingest - >/dev/null
	else "$1" --db "$W/s.db" ingest "$W/stream.json" >/dev/null; fi
	t1=$(date +%s.%N)
	awk -v n="$SN" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", n / (b - a) }'
}
for how in pipe file; do
	new_rate=$(rate ./irk $how)
	echo "   ingest ($how, $SN alerts): $new_rate alerts/s"
	if [ -n "${BENCH_BASE_IRK:-}" ]; then
		base_rate=$(rate "$BENCH_BASE_IRK" $how)
		awk -v n="$new_rate" -v b="$base_rate" -v how="$how" 'BEGIN {
			printf "   the same with BENCH_BASE_IRK: %d alerts/s; ratio now/before %.2f (target >= 0.8)\n", b, n / b }'
	fi
done
# notes WHERE: time WN notes on IR-1 one after the other into $W/lat.WHERE (ms).
notes() {
	: >"$W/lat.$1"
	i=0
	while [ $i -lt "$WN" ]; do
		stat ./irk --db "$W/w.db" note IR-1 "bench note $i"
		[ "$rc" = 0 ] || echo "   a note failed (exit $rc)"
		awk -v s="$secs" 'BEGIN { printf "%.3f\n", s * 1000 }' >>"$W/lat.$1"
		i=$((i + 1))
	done
}
pct() { sort -n "$W/lat.$1" | awk -v p="$2" '{a[NR]=$1} END { i = int(NR * p + 0.999); if (i < 1) i = 1; print a[i] }'; }
rm -f "$W"/w.db*
./irk --db "$W/w.db" init >/dev/null
head -n 1 "$W/stream.json" | ./irk --db "$W/w.db" ingest - >/dev/null
notes idle
# The stream runs until the notes are done (it is far longer).
cat "$W/stream.json" "$W/stream.json" | sed 's/"flow_id":/"flow_id":9/' | ./irk --db "$W/w.db" ingest - >/dev/null 2>&1 &
streaming=$!
notes busy
kill "$streaming" 2>/dev/null || true
wait "$streaming" 2>/dev/null || true
awk -v i50="$(pct idle 0.5)" -v i99="$(pct idle 0.99)" -v b50="$(pct busy 0.5)" -v b99="$(pct busy 0.99)" \
	-v n="$WN" 'BEGIN {
	printf "   irk note, idle database: p50 %.1f ms, p99 %.1f ms (%d notes)\n", i50, i99, n
	printf "   irk note beside a stream ingesting flat out: p50 %.1f ms, p99 %.1f ms\n", b50, b99
	printf "   ratio busy/idle: p50 %.2f, p99 %.2f; p99 target < 250 ms\n", b50 / i50, b99 / i99
}'
rm -f "$W"/s.db* "$W"/w.db* "$W/stream.json" "$W"/lat.*
