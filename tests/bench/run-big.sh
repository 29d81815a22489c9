# run-big.sh: reads at size, the `big` part of `make bench` (sourced by
# run.sh; issue 17). A database of BENCH_BIG incidents (default 1,000,000,
# a tenth open) made by mkincidents, and a storm's database (BENCH_STORM
# alerts, default 200,000, six rules from as many hosts: an incident and
# its audit events per alert, storm grouping off). Each figure is a
# median of 7 runs, beside sqlite3 running the same statements in the
# same run (a process each, as irk is):
#   - irk list and irk board (their default pages);
#   - irk show of incidents at the start, middle and end (1M, and the
#     storm's: many events in the audit log);
#   - the board (tests/bench/tui.c): first frame, keys, a reload after
#     another process's change, peak RSS;
#   - the audit trail of one incident the old way (`?1 = 0 OR
#     incident_id = ?1`) against the indexed statement, on the storm's log.
# Targets: list and board < 50 ms, show < 10 ms, first frame < 100 ms and
# < 64 MiB, reload < 50 ms. Wall times on a shared machine are noisy: the
# CPU times beside them say what irk itself costs.
BIG=${BENCH_BIG:-1000000}
STORM=${BENCH_STORM:-200000}
echo "== big: reads at $BIG incidents ($((BIG / 10)) open), and a storm of $STORM alerts"
"$B/mkincidents" "$W/big.db" "$BIG" "$((BIG / 10))"
./irk --db "$W/big.db" list --limit 1 >/dev/null   # migrated once, outside the figures

med7 start ./irk version
echo "   irk start-up alone (irk version: exec and its shared libraries): $start_ms ms (CPU $start_cpu ms), in every command below"
CARD="id, title, stage, severity, priority, owner, t_detected, t_acknowledged, t_contained"
med7 list ./irk --db "$W/big.db" list
med7 list_sql sqlite3 "$W/big.db" "select $CARD from incidents where stage <> 'closed'
	order by priority, t_detected, id limit 1000; select count(*) from incidents where stage <> 'closed'"
said list list_sql "irk list (the first 1,000 of $((BIG / 10)) open)" "< 50 ms" "same rows and count"
board_sql="select count(*) from incidents;"
for s in new identification containment eradication recovery lessons-learned; do
	board_sql="$board_sql select count(*) from incidents where stage = '$s';
	select * from incidents where stage = '$s' order by priority, t_detected, id limit 100;"
done
med7 board ./irk --db "$W/big.db" board
med7 board_sql sqlite3 "$W/big.db" "$board_sql"
said board board_sql "irk board (100 cards a stage)" "< 50 ms" "same counts and rows"

# show_sql ID: the statements irk show runs for one incident.
show_sql() {
	echo "select * from incidents where id = $1;
	select * from stage_history where incident_id = $1 order by id;
	select * from notes where incident_id = $1 order by id;
	select * from steps where incident_id = $1 order by seq;
	select * from alerts where incident_id = $1 order by event_time desc, id desc limit 10;
	select * from observables where incident_id = $1 order by type, value;
	select * from (select * from events where incident_id = $1 order by seq desc) order by seq;"
}
# show DB NAME: irk show of the first, middle and last incident (the
# text: it ends with the incident's audit trail, which --json leaves out).
show() {
	_max=$(sqlite3 "$1" "select max(id) from incidents")
	for _id in 1 $((_max / 2)) "$_max"; do
		med7 show ./irk --db "$1" show "IR-$_id"
		med7 show_sql sqlite3 "$1" "$(show_sql "$_id")"
		said show show_sql "irk show IR-$_id ($2)" "< 10 ms" "same statements"
	done
}
show "$W/big.db" "$BIG incidents"

tui_bench "$W/big.db"
rm -f "$W"/big.db*

# A storm: STORM alerts of six rules (each matching a bundled play), each from its own internal host,
# within minutes, the bundled plays loaded: one incident each (no storm
# grouping yet), each with its steps and events.
awk -v n="$STORM" 'BEGIN {
	split("ET SCAN Potential SSH Brute Force Attempt|ET DOS Possible SYN Flood|ET MALWARE Possible Worm Propagation|ET POLICY SMB2 Executable File Transfer|ET TROJAN Conficker.B Propagation|ET SCAN Multiple Authentication Failures (SMB)", r, "|")
	for (i = 0; i < n; i++) {
		k = i % 6 + 1; h = i + 1
		printf "{\"timestamp\":\"2024-05-13T08:%02d:%02d.%06d+0000\",\"flow_id\":%d,\"event_type\":\"alert\",\"src_ip\":\"10.%d.%d.%d\",\"src_port\":%d,\"dest_ip\":\"192.0.2.%d\",\"dest_port\":22,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%d,\"rev\":1,\"signature\":\"%s\",\"category\":\"Attempted Information Leak\",\"severity\":2}}\n", \
			int(i / 20000) % 60, int(i / 400) % 60, i % 1000000, i + 1, int(h / 65536) % 256, int(h / 256) % 256, h % 256, 1024 + i % 60000, k, 2001000 + k, r[k]
	}
}' >"$W/storm.json"
./irk --db "$W/storm.db" init >/dev/null
IRK_PLAYS=plays ./irk --db "$W/storm.db" ingest "$W/storm.json" >/dev/null 2>&1 || true
echo "   storm: $(sqlite3 "$W/storm.db" "select count(*) from incidents") incidents, $(sqlite3 "$W/storm.db" "select count(*) from events") audit events"
show "$W/storm.db" "the storm"
mid=$(sqlite3 "$W/storm.db" "select max(id) / 2 from incidents")
med7 or_form sqlite3 "$W/storm.db" "select * from (select * from events where ($mid = 0 or incident_id = $mid) order by seq desc) order by seq"
med7 indexed sqlite3 "$W/storm.db" "select * from (select * from events where incident_id = $mid order by seq desc) order by seq"
echo "   one incident's audit trail on the storm's log (sqlite3, a process each): the old statement (?1 = 0 OR incident_id = ?1) $or_form_ms ms (CPU $or_form_cpu ms), the indexed one $indexed_ms ms (CPU $indexed_cpu ms)"
rm -f "$W"/storm.db* "$W/storm.json"
