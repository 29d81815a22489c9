# run-tui.sh: the board's benchmark, sourced by run.sh (BENCH_ONLY=tui).
# 100,000 incidents (10,000 open), the board rendered headless at 80x24
# (newterm on /dev/null): time to first frame, key-to-frame for 1,000
# navigation keys, a reload, peak RSS; beside them the baselines measured
# in this run: the same reads raw through the store, and `irk board`.
echo "== tui: the board on 100,000 incidents (10,000 open), headless 80x24"
[ -f "$W/list.db" ] || "$B/mkincidents" "$W/list.db" 100000 10000
: >"$W/t.board"
for i in 1 2 3 4 5; do
	stat ./irk --db "$W/list.db" board
	echo "$secs" >>"$W/t.board"
done
board_ms=$(median <"$W/t.board" | awk '{printf "%.1f", $1 * 1000}')
LANG=C.UTF-8 "$B/tui" "$W/list.db" >"$W/tui.out"
v() { awk -v k="$1" '$1 == k {print $2}' "$W/tui.out"; }
awk -v rows="$(v rows)" -v base="$(v baseline_ms)" -v basec="$(v baseline_cpu_ms)" \
	-v board="$board_ms" -v first="$(v first_frame_ms)" -v firstc="$(v first_frame_cpu_ms)" \
	-v p50="$(v key_p50_ms)" -v p99="$(v key_p99_ms)" -v max="$(v key_max_ms)" \
	-v cp50="$(v key_cpu_p50_ms)" -v cp99="$(v key_cpu_p99_ms)" -v reload="$(v reload_ms)" \
	-v rss="$(v peak_rss_kib)" 'BEGIN {
	printf "   baseline: the board'"'"'s reads raw through the store (%d rows): %.1f ms (CPU %.1f ms); irk board (text, a process): %.1f ms\n", rows, base, basec, board
	printf "   first frame: %.1f ms (CPU %.1f ms), %.2f x the raw reads (target < 100 ms)\n", first, firstc, first / base
	printf "   key to frame, 1000 navigation keys: p50 %.3f ms, p99 %.3f ms, max %.3f ms; CPU p50 %.3f ms, p99 %.3f ms (target p99 < 5 ms)\n", p50, p99, max, cp50, cp99
	printf "   reload after another process'"'"'s change: %.1f ms, %.2f x the raw reads\n", reload, reload / base
	printf "   peak RSS: %.1f MiB (target < 64 MiB)\n", rss / 1024
}'
