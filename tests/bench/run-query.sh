# run-query.sh: the query language (issue 15), the `query` part of `make
# bench` (sourced by run.sh). BENCH_QUERY_ALERTS alerts (default
# 1,000,000: 500 hosts, 40 rules, four severities, a month of event
# times, a Suricata-like raw record) put in by sqlite3 into a database
# irk init made. Each query: `irk query --json` against the same question
# written by hand in SQL and run by sqlite3 on the same file (median of 7
# each, the same run). Targets: `stats count by host` under 1 s; every
# query at most 1.5 times the hand-written SQL.
echo "== query: irk query over alerts, against the same SQL by hand in sqlite3"
QN=${BENCH_QUERY_ALERTS:-1000000}
./irk --db "$W/q.db" init >/dev/null
sqlite3 "$W/q.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $QN)
	INSERT INTO alerts(id, fingerprint, format, event_time, received, rule_id, rule_name, severity,
	host, src_ip, raw) SELECT i, randomblob(16), 'eve', 1793500000 + i * 2592000 / $QN,
	1793500000 + i * 2592000 / $QN, 2000000 + i % 40,
	CASE i % 40 WHEN 0 THEN 'ET SCAN SSH brute force' WHEN 1 THEN 'SSH login failed'
	ELSE 'ET POLICY rule ' || (i % 40) END,
	CASE i % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high' ELSE 'critical' END,
	'host-' || (i * 7919 % 500), '10.0.' || (i % 250) || '.' || (i % 13),
	'{\"alert\":{\"signature_id\":' || (2000000 + i % 40) || ',\"rev\":1},\"flow_id\":' || i || '}'
	FROM n;
	ANALYZE;"
export IRK_NOW=1796100000
# name<TAB>query<TAB>hand-written SQL
cat >"$W/queries" <<'EOQ'
count by host	alerts | stats count by host	SELECT host, count(*) FROM alerts WHERE host IS NOT NULL GROUP BY host
SSH top 10	alerts rule_name ~ "SSH" | stats count by host | sort -count | head 10	SELECT host, count(*) AS c FROM alerts WHERE rule_name REGEXP 'SSH' AND host IS NOT NULL GROUP BY host ORDER BY c DESC, host LIMIT 10
severe by day	alerts severity >= "high" since=-20d | timechart span=1d count	SELECT event_time / 86400 * 86400 AS d, count(*) FROM alerts WHERE severity IN ('high', 'critical') AND event_time >= 1796100000 - 20 * 86400 GROUP BY d
sources per rule	alerts | stats dc(src_ip) by rule	SELECT rule_name, count(DISTINCT src_ip) FROM alerts WHERE rule_name IS NOT NULL GROUP BY rule_name
by signature	alerts | stats count by raw.alert.signature_id	SELECT json_extract(raw, '$.alert.signature_id') AS s, count(*) FROM alerts WHERE s IS NOT NULL GROUP BY s
newest 20	alerts host == "host-7" | sort -time | head 20	SELECT id, event_time, rule_name, severity, host, src_ip, 'IR-' || incident_id FROM alerts WHERE host = 'host-7' ORDER BY event_time DESC LIMIT 20
EOQ
k=0
tab=$(printf '\t')
while IFS=$tab read -r qname query sql; do
	k=$((k + 1))
	./irk --db "$W/q.db" query --json "$query" >"$W/q.out" || { echo "irk query failed: $query"; exit 1; }
	med7 "q$k" ./irk --db "$W/q.db" query --json "$query"
	med7 "s$k" sqlite3 "$W/q.db" "$sql"
	rows=$(jq length "$W/q.out")
	said "q$k" "s$k" "$qname: irk query ($rows rows)" "$(if [ $k = 1 ]; then echo '< 1 s, <= 1.5x'; else echo '<= 1.5x'; fi)" "by hand"
done <"$W/queries"
unset IRK_NOW
rm -f "$W"/q.db* "$W/q.out" "$W/queries"
