# run-tui.sh: the board's benchmark, sourced by run.sh (BENCH_ONLY=tui).
# 100,000 incidents (10,000 open), the board rendered headless at 80x24
# (tui_bench in run.sh: first frame, keys, a reload after another
# process's change, peak RSS, beside sqlite3 running the board's reads).
# A million incidents: BENCH_ONLY=big.
echo "== tui: the board on 100,000 incidents (10,000 open), headless 80x24"
[ -f "$W/list.db" ] || "$B/mkincidents" "$W/list.db" 100000 10000
tui_bench "$W/list.db"
# Issue 10: a slow source must not freeze the board. The board's keys
# typed one every 10 ms with its timer running (tui --paced: a key's time
# from its press to its frame, a reload under way counted), while the
# context worker (in the board's process) sweeps the 10,000 open
# incidents against a source answering in 20 ms (slow_cmdb.py,
# concurrency 8), writing answers, criticality and audit events the board
# reloads after; beside the same keys with no source, in the same run.
echo "== tui: key to frame while the context worker enriches from a source answering in 20 ms"
cp "$W/list.db" "$W/tctx.db"
sqlite3 "$W/tctx.db" "UPDATE incidents SET host = 'h' || id, src_ip = NULL, asset_criticality = 0 WHERE stage <> 'closed'"
LANG=C.UTF-8 "$B/tui" --paced "$W/tctx.db" >"$W/tidle.out"
mkfifo "$W/tport" "$W/tstop"
/usr/bin/python3 tests/bench/slow_cmdb.py 20 <"$W/tstop" >"$W/tport" &
tcmdb=$!
exec 8>"$W/tstop"
read -r tport <"$W/tport"
cat >"$W/tctx.conf" <<CONF
[context.cmdb]
type = http
url = http://127.0.0.1:$tport/h/{key}
map.owner = owner
map.criticality = tier
concurrency = 8
rate = 100000/min
ttl = 1d
CONF
chmod 600 "$W/tctx.conf"
LANG=C.UTF-8 "$B/tui" --paced "$W/tctx.db" "$W/tctx.conf" >"$W/tbusy.out"
exec 8>&-
wait "$tcmdb" 2>/dev/null || true
fed=$(sqlite3 "$W/tctx.db" "select count(*) from incidents where asset_criticality > 0")
tv() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
awk -v ip50="$(tv key_p50_ms "$W/tidle.out")" -v ip99="$(tv key_p99_ms "$W/tidle.out")" \
	-v bp50="$(tv key_p50_ms "$W/tbusy.out")" -v bp99="$(tv key_p99_ms "$W/tbusy.out")" \
	-v bmax="$(tv key_max_ms "$W/tbusy.out")" -v imax="$(tv key_max_ms "$W/tidle.out")" \
	-v bc99="$(tv key_cpu_p99_ms "$W/tbusy.out")" -v ic99="$(tv key_cpu_p99_ms "$W/tidle.out")" \
	-v c0="$(tv cached_before "$W/tbusy.out")" -v c1="$(tv cached_after "$W/tbusy.out")" \
	-v fed="$fed" -v it="$(tv tick_p50_ms "$W/tidle.out")" -v bt="$(tv tick_p50_ms "$W/tbusy.out")" \
	-v btm="$(tv tick_max_ms "$W/tbusy.out")" -v il="$(tv keys_late "$W/tidle.out")" \
	-v bl="$(tv keys_late "$W/tbusy.out")" 'BEGIN {
	printf "   board, no source: key to frame p50 %.3f ms, p99 %.3f ms (CPU p99 %.3f ms), max %.1f ms\n", ip50, ip99, ic99, imax
	printf "   board, worker enriching: p50 %.3f ms, p99 %.3f ms (CPU p99 %.3f ms), max %.1f ms; %d answers cached during the keys (%d at the first), %d incidents fed a criticality\n", bp50, bp99, bc99, bmax, c1 - c0, c0, fed
	printf "   the board'"'"'s timer (a reload when the data changed): p50 %.1f ms enriching (max %.1f), %.1f ms with no source; keys begun over 1 ms late: %d enriching, %d with no source\n", bt, btm, it, bl, il
	printf "   ratio enriching/no source: p50 %.2f, p99 %.2f (target p99 <= 1.2)\n", bp50 / ip50, bp99 / ip99
}'
rm -f "$W"/tctx.db* "$W/tctx.conf"
