#!/bin/sh
# context_user.sh: a user source ([context.hr], type http, object = user)
# against a loopback directory of people (tests/fixtures/netbox_server.py):
# the user of an incident's first alert is looked up and shown with the
# source and age (irk context, irk show --json); the e-mail address becomes
# an observable with its provenance; a play's when reads user.department;
# a person the directory does not know is no error; a hostile title is
# inert on a terminal.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

js() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
TOKEN=hr-e2e-0123456789abcdef
start_netbox "$TOKEN"
check "the directory is up" test -n "$port"
cat >>"$IRK_CONFIG" <<CONF
[context.hr]
type = http
object = user
url = http://127.0.0.1:$port/directory/users/{key}
token = $TOKEN
header = X-Api-Key
scheme =
root = user
map.email = mail
map.title = title
map.department = org
map.manager = boss
map.phone = tel
CONF
chmod 600 "$IRK_CONFIG"
cat >"$T/plays/who.json" <<'PLAY'
{"play": "who", "name": "Finance people", "version": 1, "match": "rule == 'E2EUser'",
 "steps": [
  {"id": "cfo", "stage": "new", "kind": "manual", "title": "Tell the manager",
   "when": "user.department == 'Finance'"}]}
PLAY
expect_rc "a play reading user.* lints clean" 0 irk play lint "$T/plays/who.json"

ecs() {
	/usr/bin/python3 -c 'import json, sys; print(json.dumps({"@timestamp": "2024-05-13T10:01:02Z",
  "event": {"kind": "alert", "severity": 3}, "rule": {"id": sys.argv[1], "name": sys.argv[1]},
  "host": {"name": sys.argv[2]}, "source": {"ip": (sys.argv[4:] or ["10.0.0.9"])[0]}, "user": {"name": sys.argv[3]}}))' "$@"
}
{
	ecs E2EUser pc-01 j.doe
	ecs E2EUser2 pc-02 nobody
	ecs E2EUser3 pc-03 mallory
} >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null

expect_eq "before a refresh nobody is known" "$(irk context IR-1 --json | js 'd["user"]')" "None"
expect_rc "irk context --refresh asks the directory" 0 irk context IR-1 --refresh
expect_eq "the user of the first alert, from the directory" \
	"$(irk context IR-1 --json | js '[d["user"][k] for k in ("name", "email", "title", "department", "manager", "phone", "source")]')" \
	"['j.doe', 'j.doe@example.com', 'Accountant', 'Finance', 'a.weber', '+49 69 1234', 'hr']"
expect_eq "irk show --json carries it" "$(irk show IR-1 --json | js 'd["context"]["user"]["department"]')" "Finance"
expect_match "irk context shows the user with source and age" "$(irk context IR-1)" "^  user j\\.doe \\(hr, [0-9]+s ago\\)$"
expect_eq "the e-mail address is an observable from the source" \
	"$(sql "SELECT type || ' ' || value || ' ' || source FROM observables WHERE incident_id = 1 AND type = 'email'")" \
	"email j.doe@example.com context:hr"
check "the token went in its header" grep -q '^GET /directory/users/j.doe token=ok' "$T/requests.log"
irk context IR-2 --refresh >/dev/null
expect_eq "a person the directory does not know: no user, no error" \
	"$(irk context IR-2 --json | js '(d["user"], d["errors"])')" "(None, [])"
irk context IR-3 --refresh >/dev/null
human=$(irk context IR-3)
check "a hostile title is inert on a terminal" sh -c "! printf '%s' \"\$1\" | grep -q \"\$(printf '\\033')\"" _ "$human"
expect_match "and shown with visible escapes" "$human" 'title +Boss\\x1b\]0;pwned'

# A play's when is judged when the step falls due: IR-1's at ingest, before
# anyone knew j.doe; a later incident of j.doe reads what is cached.
expect_eq "IR-1's step was judged before the directory answered" "$(state IR-1 cfo)" "skipped"
ecs E2EUser pc-09 j.doe 10.0.0.99 | irk ingest - >/dev/null
expect_eq "a later incident of j.doe: user.department is Finance, the step waits for a person" \
	"$(state IR-4 cfo)" "waiting"
done_testing
