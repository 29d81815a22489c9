# run-tui.sh: the board's benchmark, sourced by run.sh (BENCH_ONLY=tui).
# 100,000 incidents (10,000 open), the board rendered headless at 80x24
# (tui_bench in run.sh: first frame, keys, a reload after another
# process's change, peak RSS, beside sqlite3 running the board's reads).
# A million incidents: BENCH_ONLY=big.
echo "== tui: the board on 100,000 incidents (10,000 open), headless 80x24"
[ -f "$W/list.db" ] || "$B/mkincidents" "$W/list.db" 100000 10000
tui_bench "$W/list.db"
