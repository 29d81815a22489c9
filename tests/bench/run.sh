#!/bin/sh
# run.sh: irk's benchmarks (`make bench`). Every figure is printed beside a
# baseline measured in the same run, as a ratio: these machines are shared
# and noisy, absolute times are not comparable across runs.
#   BENCH_ALERTS=N   alerts for the ingest benchmark (default 1000000)
#   BENCH_ONLY=name  run only that part (ingest, list; the run-NAME.sh
#                    parts: tui, engine, writes, big, sensor, storm, storm-off, kpi, ...)
#   BENCH_INCIDENTS=N  incidents for the kpi part (default 1000000)
set -eu
cd "$(dirname "$0")/../.."
B=build/bench
W=$(mktemp -d "${TMPDIR:-/tmp}/irk-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
export IRK_USER=bench LANG=C.UTF-8
unset IRK_DB IRK_CONFIG
only=${BENCH_ONLY:-}
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

# stat CMD...: run CMD (stdout to /dev/null), set $secs $rss_kib $rc $cpu,
# and $threads: each thread's CPU seconds, busiest first ("8.41,3.90").
stat() {
	"$B/runstat" "$@" 3>"$W/stat" >/dev/null
	read -r secs rss_kib rc cpu threads <"$W/stat"
}

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# med7 NAME CMD...: the median wall and CPU ms of 7 runs of CMD into
# $NAME_ms and $NAME_cpu.
med7() {
	_n=$1; shift
	: >"$W/m.wall"; : >"$W/m.cpu"
	for _i in 1 2 3 4 5 6 7; do
		stat "$@" 2>/dev/null
		echo "$secs" >>"$W/m.wall"; echo "$cpu" >>"$W/m.cpu"
	done
	eval "${_n}_ms=$(median <"$W/m.wall" | awk '{printf "%.1f", $1 * 1000}')"
	eval "${_n}_cpu=$(median <"$W/m.cpu" | awk '{printf "%.1f", $1 * 1000}')"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
# said NAME BASE WHAT TARGET: "NAME ms (CPU ms; target), sqlite3 ...: ms (CPU
# ms); ratio wall, CPU" from ${NAME}_ms, ${NAME}_cpu, ${BASE}_ms, ${BASE}_cpu.
said() {
	eval "_a=\$${1}_ms _ac=\$${1}_cpu _b=\$${2}_ms _bc=\$${2}_cpu"
	echo "   $3: $_a ms (CPU $_ac ms; target $4); sqlite3, $5: $_b ms (CPU $_bc ms); ratio $(ratio "$_a" "$_b"), CPU $(ratio "$_ac" "$_bc")"
}

# tui_bench DB: the board (tests/bench/tui.c) on DB, headless 80x24: first
# frame, keys, a reload after another process's change, peak RSS; beside
# them sqlite3 running the board's reads (each stage's count and first 26
# cards, the newest closed, the SLA breaches) in the same run.
tui_bench() {
	LANG=C.UTF-8 "$B/tui" "$1" >"$W/tui.out"
	_sql="select count(*) from incidents;"
	for _s in new identification containment eradication recovery lessons-learned; do
		_sql="$_sql select count(*) from incidents where stage = '$_s';
		select * from incidents where stage = '$_s' order by priority, t_detected, id limit 26;"
	done
	_sql="$_sql select * from incidents indexed by incidents_closed where stage = 'closed'
		order by t_closed desc, id desc limit 26;
		select count(*) from incidents indexed by incidents_open where stage <> 'closed'
		and stage in ('new', 'identification', 'containment') and t_contained is null
		and t_detected < 1764000000 - case when t_acknowledged is null then 3600 else 86400 end;"
	med7 tui_sql sqlite3 "$1" "$_sql"
	v() { awk -v k="$1" '$1 == k {print $2}' "$W/tui.out"; }
	awk -v base="$tui_sql_ms" -v basec="$tui_sql_cpu" -v first="$(v first_frame_ms)" \
		-v firstc="$(v first_frame_cpu_ms)" -v p50="$(v key_p50_ms)" -v p99="$(v key_p99_ms)" \
		-v max="$(v key_max_ms)" -v cp99="$(v key_cpu_p99_ms)" -v reload="$(v reload_ms)" \
		-v reloadc="$(v reload_cpu_ms)" -v rss="$(v peak_rss_kib)" 'BEGIN {
		printf "   board (TUI, 80x24): first frame %.1f ms (CPU %.1f ms; target < 100 ms); sqlite3 running the board'"'"'s reads: %.1f ms (CPU %.1f ms); ratio %.2f, CPU %.2f\n", first, firstc, base, basec, first / base, firstc / basec
		printf "   board: reload after another process'"'"'s change %.1f ms (CPU %.1f ms; target < 50 ms); ratio to the same sqlite3 reads %.2f, CPU %.2f\n", reload, reloadc, reload / base, reloadc / basec
		printf "   board: key to frame p50 %.3f ms, p99 %.3f ms (CPU %.3f ms; target p99 < 5 ms), max %.1f ms (the ends of long columns); peak RSS %.1f MiB (target < 64 MiB)\n", p50, p99, cp99, max, rss / 1024
	}'
}

if want ingest; then
	N=${BENCH_ALERTS:-1000000}
	echo "== ingest: $N Suricata EVE alerts from a file"
	"$B/gen_eve" "$N" >"$W/eve.json"
	printf '   input: %s MB, %s bytes a line\n' "$(( $(wc -c <"$W/eve.json") / 1000000 ))" \
		"$(( $(wc -c <"$W/eve.json") / N ))"
	./irk --db "$W/irk.db" init >/dev/null
	stat ./irk --db "$W/irk.db" ingest "$W/eve.json"
	irk_secs=$secs irk_rss=$rss_kib irk_cpu=$cpu irk_threads=$threads
	[ "$rc" = 0 ] || { echo "irk ingest failed (exit $rc)"; exit 1; }
	incidents=$(sqlite3 "$W/irk.db" "select count(*) from incidents")
	# The baseline: sqlite3 .import of the same normalised rows into the
	# same table shape (the fingerprint as hex text: CSV cannot carry bytes).
	sqlite3 -csv "$W/irk.db" "select id, hex(fingerprint), format, event_time, received,
		rule_id, rule_name, severity, host, src_ip, dst_ip, user_name, category, raw,
		incident_id from alerts" >"$W/rows.csv"
	sqlite3 "$W/base.db" "CREATE TABLE alerts(id INTEGER PRIMARY KEY,
		fingerprint TEXT NOT NULL UNIQUE, format TEXT NOT NULL, event_time INTEGER NOT NULL,
		received INTEGER NOT NULL, rule_id TEXT, rule_name TEXT, severity TEXT, host TEXT,
		src_ip TEXT, dst_ip TEXT, user_name TEXT, category TEXT, raw TEXT NOT NULL,
		incident_id INTEGER);
		CREATE INDEX alerts_incident ON alerts(incident_id, event_time);"
	stat sqlite3 "$W/base.db" ".import --csv $W/rows.csv alerts"
	base_secs=$secs base_cpu=$cpu
	rows=$(sqlite3 "$W/base.db" "select count(*) from alerts")
	awk -v n="$N" -v t="$irk_secs" -v b="$base_secs" -v rows="$rows" -v rss="$irk_rss" \
		-v inc="$incidents" -v tc="$irk_cpu" -v bc="$base_cpu" -v th="$irk_threads" 'BEGIN {
		printf "   irk ingest:     %.2f s, %.0f alerts/s, peak RSS %.1f MiB, %d incidents\n", t, n / t, rss / 1024, inc
		printf "   sqlite3 .import: %.2f s, %.0f rows/s (%d rows)\n", b, rows / b, rows
		printf "   ratio irk/.import speed: %.2f (target >= 0.5); alerts/s target >= 100000; RSS target < 64 MiB\n", b / t
		printf "   CPU time: irk %.2f s (%.0f alerts per CPU second; reader/parser, database and checkpoint threads), .import %.2f s\n", tc, n / tc, bc
		split(th, tt, ",")
		printf "   CPU per thread (busiest first): %s s; the busiest %.2f s, so at best %.0f alerts/s on a quiet 2-core box\n", th, tt[1], n / tt[1]
	}'
	rm -f "$W/eve.json" "$W/rows.csv" "$W/irk.db"* "$W/base.db"*
fi

if want list; then
	echo "== irk list and irk board on 100,000 incidents (10,000 open)"
	"$B/mkincidents" "$W/list.db" 100000 10000
	: >"$W/t.list"; : >"$W/t.all"; : >"$W/t.sql"; : >"$W/t.board"; : >"$W/t.start"
	for i in 1 2 3 4 5 6 7; do
		stat ./irk version; echo "$secs" >>"$W/t.start"
		stat ./irk --db "$W/list.db" list; echo "$secs" >>"$W/t.list"
		stat ./irk --db "$W/list.db" list --all; echo "$secs" >>"$W/t.all"
		stat ./irk --db "$W/list.db" board; echo "$secs" >>"$W/t.board"
		stat sqlite3 "$W/list.db" "select id, priority, severity, stage, owner, t_detected, title
			from incidents where stage <> 'closed' order by priority, t_detected, id"
		echo "$secs" >>"$W/t.sql"
	done
	awk -v l="$(median <"$W/t.list")" -v a="$(median <"$W/t.all")" -v s="$(median <"$W/t.sql")" \
		-v b="$(median <"$W/t.board")" -v st="$(median <"$W/t.start")" 'BEGIN {
		printf "   irk list (10,000 open rows): %.1f ms (target < 50 ms)\n", l * 1000
		printf "   irk list --all (100,000 rows): %.1f ms\n", a * 1000
		printf "   irk board (text, 10,000 open cards by stage): %.1f ms (target < 50 ms)\n", b * 1000
		printf "   sqlite3 CLI, same open rows: %.1f ms; ratio irk list/sqlite3 %.2f, irk board/sqlite3 %.2f\n", s * 1000, l / s, b / s
		printf "   irk start-up alone (irk version: its shared libraries): %.1f ms\n", st * 1000
	}'
fi

# Further parts (tui, engine) append below, each guarded by `want NAME`.
for part in tests/bench/run-*.sh; do
	[ -f "$part" ] || continue
	name=$(basename "$part" .sh)
	want "${name#run-}" || continue
	. "$part"
done
