#!/bin/sh
# context_netbox.sh: a NetBox source ([context.nb], type netbox) against a
# loopback server answering with NetBox's shapes (tests/fixtures/
# netbox_server.py): an incident on a NetBox device gets its owner, site
# and criticality, the priority is recomputed and audited, the token
# never lands in the database; a VM and an address are found too. Then
# the source fails every way a server can (500, timeout, 429 with
# Retry-After, garbage, a 50 MB body, a redirect to another host, gone):
# nothing is lost, the failure is shown with since when and the cached
# values stay, marked with their age. Hostile values from the source are
# inert on a terminal and escaped in JSON.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

TOKEN=nb-e2e-0123456789abcdef
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

{
	alert E2ECtx nb-web-01
	alert E2ECtx vm-db-01 10.0.0.8
	alert E2ECtx 10.77.0.11 10.77.0.11
	alert E2ECtx evil-01 10.0.0.7
	alert E2ECtx unknown-99 10.0.0.6
} >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
prio0=$(sql "SELECT priority FROM incidents WHERE id = 1")

js() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

expect_eq "before a refresh nothing is known" \
	"$(irk context IR-1 --json | js 'd["asset"]')" "None"
expect_rc "irk context --refresh asks NetBox" 0 irk context IR-1 --refresh
out=$(irk context IR-1 --json)
expect_eq "owner, site, criticality and unit come from the device" \
	"$(echo "$out" | js '[d["asset"][k] for k in ("owner", "site", "criticality", "business_unit", "os", "role", "source")]')" \
	"['a.weber', 'FRA1', 4, 'finance', 'Debian 12', 'Web server', 'nb']"
expect_eq "its address without the prefix length" "$(echo "$out" | js 'd["asset"]["ips"]')" "['10.77.0.11']"
expect_eq "the incident's criticality and unit are filled" \
	"$(sql "SELECT asset_criticality || ' ' || business_unit FROM incidents WHERE id = 1")" "4 finance"
check "the priority is recomputed (P$prio0 before)" \
	test "$(sql "SELECT priority FROM incidents WHERE id = 1")" -lt "$prio0"
expect_eq "the change is audited naming the source" \
	"$(sql "SELECT actor || ' ' || json_extract(data, '\$.source') FROM events WHERE kind = 'incident.context'")" \
	"engine nb"
expect_eq "the device's address is an observable from the source" \
	"$(sql "SELECT type || ' ' || value || ' ' || source FROM observables WHERE incident_id = 1 AND source LIKE 'context:%'")" \
	"ip 10.77.0.11 context:nb"
expect_eq "irk show --json carries the same context" \
	"$(irk show IR-1 --json | js 'd["context"]["asset"]["owner"]')" "a.weber"
check "the token went in the header" grep -q 'devices/?name=nb-web-01 token=ok' "$T/requests.log"
check "the token is nowhere in the database" sh -c "! cat '$IRK_DB'* | grep -qa '$TOKEN'"
irk context IR-2 --refresh >/dev/null
expect_eq "a host that is no device is looked up as a VM" \
	"$(irk context IR-2 --json | js 'd["asset"]["owner"]')" "dba"
irk context IR-3 --refresh >/dev/null
expect_eq "an address finds the device of its interface" \
	"$(irk context IR-3 --json | js 'd["asset"]["host"]')" "nb-web-01"
irk context IR-5 --refresh >/dev/null
expect_eq "a host NetBox does not know: no asset, no error" \
	"$(irk context IR-5 --json | js '(d["asset"], d["errors"])')" "(None, [])"
n=$(grep -c 'name=unknown-99' "$T/requests.log")
irk context IR-5 --json >/dev/null
irk context IR-5 >/dev/null
expect_eq "reading context never asks the source" "$(grep -c 'name=unknown-99' "$T/requests.log")" "$n"

# Hostile values: inert on a terminal, escaped in JSON.
irk context IR-4 --refresh >/dev/null
irk context IR-4 >"$T/evil.txt"
check "the owner is shown" grep -q 'owner' "$T/evil.txt"
check "no escape byte reaches the terminal" sh -c "! grep -q \"$(printf '\033')\" '$T/evil.txt'"
check "escapes are shown visibly" grep -qF '\x1b]0;pwned' "$T/evil.txt"
check "bidi controls are shown visibly" grep -qF '<U+202E>' "$T/evil.txt"
irk context IR-4 --json >"$T/evil.json"
check "--json escapes them" grep -qF 'x\u001b]0;pwned' "$T/evil.json"

# Failures: each one recorded with its reason, the cached values kept.
fail_as() { # MODE REASON
	mode "$1"
	sql "DELETE FROM context_health" >/dev/null
	expect_rc "$1: irk context --refresh still succeeds" 0 irk context IR-1 --refresh
	out=$(irk context IR-1 --json)
	expect_match "$1: the failure says why" "$(echo "$out" | js 'd["errors"][0]["error"]')" "$2"
	expect_eq "$1: the cached values are still shown" "$(echo "$out" | js 'd["asset"]["owner"]')" "a.weber"
}
fail_as 500 '^HTTP 500$'
fail_as slow '^timeout$'
fail_as garbage '^not JSON'
fail_as huge '^response larger than 1048576 bytes$'
fail_as redirect '^HTTP 302: redirect to http://other.invalid/api/ not followed$'
fail_as down '.'
check "the redirect was not followed" sh -c "! grep -q other.invalid '$T/requests.log'"
out=$(irk context IR-1)
expect_match "the text says since when, and how old the values shown are" "$out" \
	'nb unreachable since [0-9-]+ [0-9:]+ \(.*\), showing values from [0-9-]+ [0-9:]+'
since=$(sql "SELECT since FROM context_health WHERE source = 'nb'")
mode 500
irk context IR-1 --refresh >/dev/null
expect_eq "failing again keeps the first failure's time" \
	"$(sql "SELECT since FROM context_health WHERE source = 'nb'")" "$since"
check "the failures are counted for the backoff" \
	test "$(sql "SELECT fails FROM context_health WHERE source = 'nb'")" -ge 2

# 429 with Retry-After: the lookup waits, it does not fail.
mode 429
sql "DELETE FROM context_health" >/dev/null
: >"$T/requests.log"
irk context IR-2 --refresh >/dev/null
expect_eq "after a 429 the lookup waits and succeeds" \
	"$(irk context IR-2 --json | js '(d["errors"], d["asset"]["owner"])')" "([], 'dba')"
expect_eq "it asked again after the 429" "$(grep -c 'devices/?name=vm-db-01' "$T/requests.log")" 2
mode ok

# irk serve looks up new incidents by itself, and feeds them.
sql "DELETE FROM context_cache" >/dev/null
serve s1
alert E2ECtxServe nb-web-01 | irk ingest - >/dev/null
crit_is() { [ "$(sql "SELECT asset_criticality FROM incidents WHERE id = $1")" = "$2" ]; }
check "irk serve fills a new incident's criticality from NetBox" wait_for 10 crit_is 6 4
check "and its business unit" test "$(sql "SELECT business_unit FROM incidents WHERE id = 6")" = finance
done_testing
