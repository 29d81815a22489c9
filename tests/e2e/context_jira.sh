#!/bin/sh
# context_jira.sh: Jira sources ([context.NAME], type jira) against a
# loopback Jira answering with the real API's shapes (tests/fixtures/
# jira_server.py; its create answer shaped by the recorded one in the
# shared samples when that folder exists): Cloud's /rest/api/3/search/jql
# paged by nextPageToken with basic auth, Data Center's /rest/api/2/search
# paged by startAt with a bearer token. Issues not done that mention the
# host, user or key are shown; done ones and the changes project's are
# not among the tickets; the change whose window (custom fields) holds
# the first event is the planned change. Ticket steps create an issue in
# Cloud (its text an Atlassian document) and comment in Data Center (a
# string).
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

js() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

SAMPLES=""
for d in "${IRK_SAMPLES:-}" "$IRK_TOP/../shared/samples" "$IRK_TOP/../../shared/samples"; do
	[ -n "$d" ] && [ -d "$d/apis" ] && { SAMPLES="$d/apis"; break; }
done

TOKEN=jira-e2e-0123456789abcdef
start_jira "$TOKEN" --page 2 ${SAMPLES:+--samples "$SAMPLES"}
check "the Jira server is up" test -n "$port"

cat >>"$IRK_CONFIG" <<CONF
[context.jc]
type = jira
url = http://127.0.0.1:$port/
user = irk@example.com
token = $TOKEN
changes = CHG
start_field = customfield_10060
end_field = customfield_10061
rate = 100/s
[context.jd]
type = jira
api = datacenter
url = http://127.0.0.1:$port
token = $TOKEN
queue = SEC
rate = 100/s
CONF
chmod 600 "$IRK_CONFIG"

ecs() {
	/usr/bin/python3 -c 'import json, sys; print(json.dumps({"@timestamp": "2024-05-13T10:01:02Z",
  "event": {"kind": "alert", "severity": 3}, "rule": {"id": sys.argv[1], "name": sys.argv[1]},
  "host": {"name": sys.argv[2]}, "source": {"ip": "10.0.0.9"}, "user": {"name": sys.argv[3]}}))' "$@"
}
{
	ecs E2EJira web-01 j.doe
	ecs E2EJira2 pg-01 nobody
} >"$T/a.jsonl"
cat >"$T/plays/jira.json" <<'EOF'
{"play": "jira-open", "name": "Open a Jira issue", "version": 1, "match": "rule == 'E2EJira'",
 "steps": [
  {"id": "open", "stage": "new", "kind": "ticket", "source": "jc", "queue": "SEC",
   "subject": "{{incident.key}} on {{alert.host}}", "text": "Opened by irk"},
  {"id": "note", "stage": "new", "kind": "ticket", "source": "jd", "needs": ["open"],
   "ticket": "{{steps.open.output.key}}", "text": "Contained {{alert.host}}"},
  {"id": "bad", "stage": "new", "kind": "ticket", "source": "jd", "needs": ["open"],
   "ticket": "SEC-1; DROP", "text": "x"}]}
EOF
expect_rc "a play with ticket steps lints clean" 0 irk play lint "$T/plays/jira.json"
irk ingest "$T/a.jsonl" >/dev/null

expect_rc "irk context --refresh asks both Jiras" 0 irk context IR-1 --refresh
out=$(irk context IR-1 --json)
expect_eq "Cloud: the open issues naming its host (summary or description) or user" \
	"$(echo "$out" | js 'sorted(t["key"] for t in d["tickets"] if t["source"] == "jc")')" \
	"['SEC-1', 'SEC-2', 'SEC-4']"
expect_eq "an issue carries its summary, status and browse link" \
	"$(echo "$out" | js '[(t["title"], t["status"], t["url"]) for t in d["tickets"] if t["key"] == "SEC-1"][0]')" \
	"('web-01 beaconing to a rare domain', 'In Progress', 'http://127.0.0.1:$port/browse/SEC-1')"
expect_eq "Data Center (project SEC): the same issues" \
	"$(echo "$out" | js 'sorted(t["key"] for t in d["tickets"] if t["source"] == "jd")')" \
	"['SEC-1', 'SEC-2', 'SEC-4']"
expect_eq "the change whose window holds the first event, and not the old one" \
	"$(echo "$out" | js '[(c["key"], c["start"], c["end"], c["covers"]) for c in d["changes"]]')" \
	"[('CHG-1', '2024-05-13T09:00:00Z', '2024-05-13T12:00:00Z', True)]"
expect_eq "it was a planned change: the first change covers it" "$(echo "$out" | js 'd["changes"][0]["covers"]')" "True"
check "Cloud searched with basic auth" grep -q '^GET /rest/api/3/search/jql?jql=.* auth=ok' "$T/requests.log"
check "Data Center searched with the bearer token" grep -q '^GET /rest/api/2/search?jql=.* auth=ok' "$T/requests.log"
check "no request was refused" sh -c "! grep -q 'auth=bad' '$T/requests.log'"

: >"$T/requests.log"
irk context IR-2 --refresh >/dev/null
out=$(irk context IR-2 --json)
expect_eq "Cloud: five issues over three pages of two" \
	"$(echo "$out" | js 'sorted(t["key"] for t in d["tickets"] if t["source"] == "jc")')" \
	"['SEC-5', 'SEC-6', 'SEC-7', 'SEC-8', 'SEC-9']"
expect_eq "by nextPageToken" "$(grep -c 'search/jql?.*nextPageToken=' "$T/requests.log")" "2"
expect_eq "Data Center: the same five by startAt" \
	"$(echo "$out" | js 'len([t for t in d["tickets"] if t["source"] == "jd"])') $(grep -c 'api/2/search?.*startAt=[24]' "$T/requests.log")" \
	"5 2"
human=$(irk context IR-1)
expect_match "irk context names the planned change first" "$human" "^  PLANNED CHANGE CHG-1 covers its first event"
expect_match "then the changes with their window" "$human" "^  changes +CHG-1 Patch web-01 kernel \\(jc, Implementing, "

serve s1
check "the create step is done" wait_for 30 state_is IR-1 open done
created=$(curl -sf "http://127.0.0.1:$port/_created")
expect_eq "Cloud got an issue in SEC with an Atlassian document as its text" \
	"$(echo "$created" | js '[(i["key"], i["api"], i["fields"]["summary"], i["issuetype"], json.loads(i["fields"]["description"])["type"]) for i in d["issues"]]')" \
	"[('SEC-100', '3', 'IR-1 on web-01', 'Task', 'doc')]"
expect_eq "the step's output is its key and browse link" \
	"$(sql "SELECT output FROM steps WHERE step_id = 'open'" | js '(d["key"], d["url"], d["source"])')" \
	"('SEC-100', 'http://127.0.0.1:$port/browse/SEC-100', 'jc')"
check "the comment step is done" wait_for 30 state_is IR-1 note done
expect_eq "Data Center got the comment on it as a string" \
	"$(curl -sf "http://127.0.0.1:$port/_created" | js '[(c["key"], c["api"], c["body"]) for c in d["comments"]]')" \
	"[('SEC-100', '2', 'Contained web-01')]"
check "a ticket that is no issue key fails" wait_for 30 state_is IR-1 bad failed
expect_match "saying why" "$(sql "SELECT error FROM steps WHERE step_id = 'bad'")" "is not a Jira issue key"
stop_serves

if [ -n "$SAMPLES" ]; then
	expect_eq "conformance: an issue has the recorded Jira issue's top-level keys" \
		"$(curl -sf -u "irk@example.com:$TOKEN" "http://127.0.0.1:$port/rest/api/2/search?jql=" | js 'sorted(d["issues"][0])')" \
		"$(js 'sorted(d)' <"$SAMPLES/jira_v2_get_issue_10002_jira-ruby.json")"
else
	ok "# skip conformance: no shared/samples/apis here"
fi
done_testing
