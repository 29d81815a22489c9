#!/bin/sh
# context_http.sh: the generic JSON source ([context.cmdb], type http)
# against a loopback CMDB (tests/fixtures/netbox_server.py, /cmdb/): the
# URL template, the token from the environment in a header of the
# source's choosing, and a JSON path per asset field (nested objects,
# arrays, numbers as text); a host the CMDB does not know is no asset and
# no error; a bad token is a failure named as the HTTP status.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

TOKEN=cmdb-e2e-0123456789abcdef
start_netbox "$TOKEN"
check "the CMDB is up" test -n "$port"

cat >>"$IRK_CONFIG" <<CONF
[context.cmdb]
type = http
url = http://127.0.0.1:$port/cmdb/hosts/{key}
header = X-Api-Key
scheme =
root = result.0
map.host = hostname
map.criticality = tier
map.owner = team.name
map.site = location
map.ips = addresses
map.tags = labels
map.business_unit = unit
CONF
{ alert E2EHttpCtx nb-web-01; alert E2EHttpCtx nowhere-01 10.0.0.8; } >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
js() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# The token from the environment, not the file.
export IRK_SECRET_CONTEXT_CMDB="$TOKEN"
expect_rc "irk context --refresh asks the CMDB" 0 irk context IR-1 --refresh
expect_eq "each field from its JSON path" \
	"$(irk context IR-1 --json | js '[d["asset"][k] for k in ("owner", "criticality", "site", "ips", "tags", "business_unit", "source")]')" \
	"['web-ops', 3, 'FRA2', ['10.77.0.11', '10.77.0.12'], ['prod', 'pci'], 'web', 'cmdb']"
check "the host went into the URL, the token into its header" \
	grep -q '^GET /cmdb/hosts/nb-web-01 token=ok' "$T/requests.log"
irk context IR-2 --refresh >/dev/null
expect_eq "a host it does not know: no asset, no error" \
	"$(irk context IR-2 --json | js '(d["asset"], d["errors"])')" "(None, [])"
IRK_SECRET_CONTEXT_CMDB=wrong irk context IR-2 --refresh >/dev/null
expect_eq "a wrong token: the failure is the status" \
	"$(irk context IR-2 --json | js 'd["errors"][0]["error"]')" "HTTP 403"
done_testing
