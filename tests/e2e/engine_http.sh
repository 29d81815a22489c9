#!/bin/sh
# engine_http.sh: an http step run by `irk serve` against a real HTTP
# server on loopback. irk is not linked against libcurl (it is loaded when
# the sequencer starts, so other commands start without it); the request
# goes straight to the server even when the environment names a proxy;
# the response's status and JSON body become the step's output.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

expect_eq "irk is not linked against libcurl" "$(ldd "$IRK_BIN" | grep -c libcurl)" 0

start_http
check "the HTTP server is up" test -n "$port"

cat >"$T/plays/ask.json" <<EOF
{"play": "ask", "name": "Ask the EDR", "version": 1, "match": "rule == 'E2EHttp'",
 "steps": [{"id": "verdict", "stage": "new", "kind": "http", "title": "EDR verdict",
   "url": "http://127.0.0.1:$port/json?host={{alert.host}}"}]}
EOF
expect_rc "the test play lints clean" 0 irk play lint "$T/plays/ask.json"

# A proxy in the environment of whoever starts irk serve: not used.
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9 serve s1
alert E2EHttp web-01 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
check "the http step is done" wait_for 20 state_is IR-1 verdict done
out=$(sql "SELECT output FROM steps WHERE step_id = 'verdict'")
expect_eq "its output is the status and the JSON body" "$out" \
	'{"status":200,"body":{"score":87,"verdict":"malicious"}}'
check "the server got the request with the host in its query" \
	grep -q '^GET /json?host=web-01 auth=no$' "$T/requests.log"
check "irk serve loaded libcurl" grep -q 'libcurl' "/proc/$(cat "$T/s1.pid")/maps"
done_testing
