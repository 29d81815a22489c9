#!/bin/sh
# context_tls.sh: a context source over HTTPS whose certificate no system
# CA signed (a self-signed one, as a lab NetBox has): refused, the failure
# shown as a TLS error, the token never sent; accepted with cafile naming
# that certificate; accepted with insecure = yes, which is explicit.
. "$IRK_TOP/tests/e2e/lib.sh"

js() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
check "a self-signed certificate" test -s "$T/cert.pem"
TOKEN=nb-tls-0123456789abcdef
start_netbox "$TOKEN" --tls "$T/cert.pem" "$T/key.pem"
check "the NetBox server is up over HTTPS" test -n "$port"

source_conf() {
	cat >"$IRK_CONFIG" <<CONF
[context.nb]
type = netbox
url = https://127.0.0.1:$port
token = $TOKEN
timeout = 5s
$1
CONF
	chmod 600 "$IRK_CONFIG"
}
# A new database with one incident on nb-web-01.
fresh_db() {
	rm -f "$IRK_DB"*
	irk init >/dev/null
	/usr/bin/python3 -c 'import json; print(json.dumps({"@timestamp": "2024-05-13T10:01:02Z",
  "event": {"kind": "alert", "severity": 3}, "rule": {"id": "Tls", "name": "Tls"},
  "host": {"name": "nb-web-01"}, "source": {"ip": "10.0.0.9"}}))' | irk ingest - >/dev/null
}
fresh_db

source_conf ""
irk context IR-1 --refresh >/dev/null
out=$(irk context IR-1 --json)
expect_eq "by default the self-signed certificate is refused: no asset" \
	"$(echo "$out" | js 'd["asset"]')" "None"
expect_match "the failure says it is TLS" "$(echo "$out" | js 'd["errors"][0]["error"]')" "^TLS: "
check "the token was never sent (no request reached the server)" \
	sh -c "! grep -q 'devices' '$T/requests.log' 2>/dev/null"

source_conf "cafile = $T/cert.pem"
irk context IR-1 --refresh >/dev/null
expect_eq "with cafile naming it, the source is trusted" \
	"$(irk context IR-1 --json | js '(d["asset"]["owner"], d["errors"])')" "('a.weber', [])"

fresh_db
source_conf "insecure = yes"
irk context IR-1 --refresh >/dev/null
expect_eq "with insecure = yes it is not verified" \
	"$(irk context IR-1 --json | js 'd["asset"]["owner"]')" "a.weber"
done_testing
