# run-context.sh: the `context` part of `make bench` (sourced by run.sh;
# issue 10): irk serve's context worker enriches N open incidents (one
# host each) from a loopback source that answers in 20 ms, with the
# source's concurrency limit at 8; the baseline is the same N requests
# made by curl --parallel --parallel-max 8 in the same run. Target: the
# ratio irk/curl <= 1.3. The time of irk is from its start until every
# answer is cached (and the incidents fed: criticality, audit events).
#   BENCH_CONTEXT=N   incidents (default 10000)
echo "== context: irk serve enriches open incidents from a source answering in 20 ms"
CN=${BENCH_CONTEXT:-10000}
"$B/mkincidents" "$W/ctx.db" "$CN" "$CN"
sqlite3 "$W/ctx.db" "UPDATE incidents SET host = 'h' || id, src_ip = NULL, asset_criticality = 0"
mkfifo "$W/cport" "$W/cstop"
/usr/bin/python3 tests/bench/slow_cmdb.py 20 <"$W/cstop" >"$W/cport" &
cmdb=$!
exec 7>"$W/cstop"
read -r cport <"$W/cport"
cat >"$W/ctx.conf" <<CONF
[context.cmdb]
type = http
url = http://127.0.0.1:$cport/h/{key}
map.owner = owner
map.criticality = tier
concurrency = 8
rate = 100000/min
ttl = 1d
CONF
chmod 600 "$W/ctx.conf"
cached() { sqlite3 "$W/ctx.db" "select count(*) from context_cache"; }
t0=$(date +%s.%N)
./irk --db "$W/ctx.db" --config "$W/ctx.conf" serve 2>"$W/ctx-serve.log" &
serve=$!
# Polled every 50 ms: the figure is tens of seconds.
while [ "$(cached)" -lt "$CN" ]; do
	kill -0 "$serve" 2>/dev/null || { echo "irk serve stopped:"; cat "$W/ctx-serve.log"; exit 1; }
	sleep 0.05
done
t1=$(date +%s.%N)
kill -TERM "$serve"; wait "$serve" || true
fed=$(sqlite3 "$W/ctx.db" "select count(*) from incidents where asset_criticality > 0")
events=$(sqlite3 "$W/ctx.db" "select count(*) from events where kind = 'incident.context'")
awk -v n="$CN" -v p="$cport" 'BEGIN { for (i = 1; i <= n; i++) printf "url = \"http://127.0.0.1:%s/h/h%d\"\noutput = \"/dev/null\"\n", p, i }' >"$W/curl.cfg"
stat curl --parallel --parallel-max 8 --parallel-immediate --no-progress-meter -s -K "$W/curl.cfg"
exec 7>&-
wait "$cmdb" 2>/dev/null || true
awk -v t0="$t0" -v t1="$t1" -v c="$secs" -v n="$CN" -v fed="$fed" -v ev="$events" 'BEGIN {
	t = t1 - t0
	printf "   irk serve: %.2f s for %d incidents (%.0f/s), %d fed a criticality, %d audit events\n", t, n, n / t, fed, ev
	printf "   curl --parallel --parallel-max 8, same requests: %.2f s (%.0f/s)\n", c, n / c
	printf "   ratio irk/curl: %.2f (target <= 1.3)\n", t / c
}'
rm -f "$W"/ctx.db* "$W/curl.cfg"
