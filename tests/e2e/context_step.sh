#!/bin/sh
# context_step.sh: the context step kind (irk-play(5)): a play asks the
# sources now and the steps after it read the fresh answer. NetBox's
# answer for nb-web-01 is cached (ttl 1 h: no sweep of irk serve asks
# again) and then changes at the source (a new owner); a context step
# makes a fresh lookup, so the next step's `when` sees the new owner and
# the output carries it; with `cached` the answer still within its ttl
# stays (the step after it is skipped). A source that fails: the step is
# done with the error in its output, or with `strict` fails naming the
# source.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

TOKEN=nb-e2e-step-0123456789
start_netbox "$TOKEN"
check "the NetBox server is up" test -n "$port"
mode() {
	/usr/bin/python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \
		"http://127.0.0.1:$port/_mode?m=$1"
}
cat >>"$IRK_CONFIG" <<CONF
[context.nb]
type = netbox
url = http://127.0.0.1:$port/
token = $TOKEN
timeout = 1s
ttl = 1h
rate = 50/s
CONF
chmod 600 "$IRK_CONFIG"

# play NAME RULE CTX-KEYS WHEN: a context step, then a manual one under WHEN.
play() {
	cat >"$T/plays/$1.json" <<PLAY
{"play": "$1", "name": "$1", "version": 1, "match": "rule == '$2'",
 "steps": [
  {"id": "ctx", "stage": "new", "kind": "context"$3},
  {"id": "call", "stage": "new", "kind": "manual", "title": "Call the owner", "needs": ["ctx"],
   "when": "$4"}]}
PLAY
}
play fresh E2EStepFresh "" "asset.owner == 'b.klein'"
play cached E2EStepCached ', "cached": true' "asset.owner == 'b.klein'"
play soft E2EStepSoft "" "asset.site == 'FRA1'"
play strict E2EStepStrict ', "strict": true' "asset.site == 'FRA1'"
for p in fresh cached soft strict; do
	expect_rc "a play with a context step lints clean ($p)" 0 irk play lint "$T/plays/$p.json"
done
printf '{"play": "x", "name": "x", "version": 1, "match": "rule == 1", "steps": [{"id": "a", "stage": "new", "kind": "context", "strict": "yes"}]}\n' >"$T/bad.json"
expect_rc "strict must be a boolean" 1 irk play lint "$T/bad.json"

alert E2EStepCached nb-web-01 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
expect_rc "the answer of NetBox is cached (a.weber)" 0 irk context IR-1 --refresh
owner() { irk context "$1" --json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["asset"]["owner"])'; }
expect_eq "cached: the old owner" "$(owner IR-1)" "a.weber"
mode moved
asks() { grep -c 'devices/?name=nb-web-01' "$T/requests.log"; }
n0=$(asks)

serve s1
check "a context step with cached finishes" wait_for 10 state_is IR-1 ctx done
expect_eq "the answer within its ttl stays: the step after it is skipped" "$(state IR-1 call)" skipped
expect_eq "and NetBox was not asked" "$(asks)" "$n0"

alert E2EStepFresh nb-web-01 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
check "without cached, the context step finishes" wait_for 10 state_is IR-2 ctx done
check "after its fresh lookup the next step's when sees the new owner" wait_for 10 state_is IR-2 call waiting
expect_eq "NetBox was asked once more" "$(asks)" "$((n0 + 1))"
expect_eq "its output is the context, with where it came from" \
	"$(sql "SELECT json_extract(output, '\$.asset.owner') || ' ' || json_extract(output, '\$.asset.site') || ' ' || json_extract(output, '\$.asset.source') FROM steps WHERE incident_id = 2 AND step_id = 'ctx'")" \
	"b.klein FRA3 nb"
expect_eq "irk context shows the fresh answer" "$(owner IR-1)" "b.klein"

mode 500
{ alert E2EStepSoft vm-db-01 10.0.0.8; alert E2EStepStrict vm-db-01 10.0.0.7; } >"$T/b.jsonl"
irk ingest "$T/b.jsonl" >/dev/null
check "a failing source: the step is done anyway" wait_for 10 state_is IR-3 ctx done
expect_eq "with the source's error in its output" \
	"$(sql "SELECT json_extract(output, '\$.errors[0].source') || ' ' || json_extract(output, '\$.errors[0].error') FROM steps WHERE incident_id = 3 AND step_id = 'ctx'")" \
	"nb HTTP 500"
expect_eq "nothing known: the next step's when does not hold" "$(state IR-3 call)" skipped
check "with strict the step fails" wait_for 10 state_is IR-4 ctx failed
check "naming the source and why" \
	sh -c "sqlite3 '$IRK_DB' \"SELECT error FROM steps WHERE incident_id = 4 AND step_id = 'ctx'\" | grep -q 'nb unreachable since .*HTTP 500'"
done_testing
