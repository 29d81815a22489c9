#!/bin/sh
# context_rt.sh: a Request Tracker source ([context.rt], type rt) against a
# real RT 5 started in the test's directory (start_rt, lib.sh): the active
# tickets whose subject names the incident's host, address, user or key
# are shown inline (irk context, irk show --json), resolved ones are not;
# the change of the changes queue whose window holds the first event is
# the planned change; one outside the window is left out. RT's password
# never lands in the database; a hostile subject is inert; RT gone: the
# failure is shown and the cached tickets stay. A play's ticket steps,
# run by irk serve, create a ticket in RT and comment on it; the key and
# link are the step's output.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

if ! start_rt; then
	echo "ok 1 # skip Request Tracker 5 is not installed here (contrib/deps.sh) or did not start"
	[ -f "$T/rt/log" ] && sed 's/^/#   rt: /' "$T/rt/log" | tail -5
	echo "1..1"
	exit 0
fi
ok "a real RT 5 answers REST2 on $rt_url"

js() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
id_of() { js 'd["id"]'; }

rt_post queue '{"Name": "Changes"}' >/dev/null
t_host=$(rt_post ticket '{"Queue": "General", "Subject": "rt-web-01 disk almost full", "Content": "x"}' | id_of)
t_user=$(rt_post ticket '{"Queue": "General", "Subject": "Password reset for j.doe", "Content": "x"}' | id_of)
t_key=$(rt_post ticket '{"Queue": "General", "Subject": "Follow-up of IR-1 with the vendor", "Content": "x"}' | id_of)
t_done=$(rt_post ticket '{"Queue": "General", "Subject": "rt-web-01 old issue", "Content": "x", "Status": "resolved"}' | id_of)
rt_post ticket '{"Queue": "General", "Subject": "db-02 slow", "Content": "x"}' >/dev/null
t_evil=$(/usr/bin/python3 -c 'import json; print(json.dumps({"Queue": "General", "Content": "x",
  "Subject": "rt-web-01 \u001b]0;pwned\u0007\u001b[31mred\u202egnp.exe"}))' | { read -r j; rt_post ticket "$j"; } | id_of)
c_in=$(rt_post ticket '{"Queue": "Changes", "Subject": "Patch rt-web-01 kernel", "Content": "x",
  "Starts": "2024-05-13 09:00:00", "Due": "2024-05-13 12:00:00"}' | id_of)
rt_post ticket '{"Queue": "Changes", "Subject": "Reboot rt-web-01", "Content": "x",
  "Starts": "2024-03-01 09:00:00", "Due": "2024-03-01 10:00:00"}' >/dev/null
check "RT took the tickets" test -n "$t_host" -a -n "$t_evil" -a -n "$c_in" -a -n "$t_done"

cat >>"$IRK_CONFIG" <<CONF
[context.rt]
type = rt
url = $rt_url
user = root
token = password
changes = Changes
concurrency = 1
timeout = 20s
CONF
chmod 600 "$IRK_CONFIG"

# An ECS alert with a user: its host, address and user are the terms.
ecs() {
	/usr/bin/python3 -c 'import json, sys; print(json.dumps({"@timestamp": sys.argv[4],
  "event": {"kind": "alert", "severity": 3}, "rule": {"id": sys.argv[1], "name": sys.argv[1]},
  "host": {"name": sys.argv[2]}, "source": {"ip": "10.0.0.9"}, "user": {"name": sys.argv[3]}}))' "$@"
}
{
	ecs E2ERt rt-web-01 j.doe 2024-05-13T10:01:02Z
	ecs E2ERt2 quiet-01 nobody 2024-05-13T10:01:02Z
} >"$T/a.jsonl"
cat >"$T/plays/rt.json" <<'EOF'
{"play": "rt-open", "name": "Open an RT ticket", "version": 1, "match": "rule == 'E2ERt'",
 "steps": [
  {"id": "open", "stage": "new", "kind": "ticket", "source": "rt", "queue": "General",
   "subject": "{{incident.key}}: {{rule}} on {{alert.host}}", "text": "Opened by irk for {{alert.user}}"},
  {"id": "note", "stage": "new", "kind": "ticket", "source": "rt", "needs": ["open"],
   "ticket": "{{steps.open.output.key}}", "text": "Contained {{alert.host}}"}]}
EOF
expect_rc "a play with ticket steps lints clean" 0 irk play lint "$T/plays/rt.json"
irk ingest "$T/a.jsonl" >/dev/null

expect_eq "before a refresh no ticket is known" "$(irk context IR-1 --json | js 'd["tickets"]')" "[]"
expect_rc "irk context --refresh asks RT" 0 irk context IR-1 --refresh
out=$(irk context IR-1 --json)
expect_eq "the active tickets naming its host, user and key, from RT" \
	"$(echo "$out" | js 'sorted(t["key"] for t in d["tickets"])')" \
	"$(/usr/bin/python3 -c 'import sys; print(sorted("#" + a for a in sys.argv[1:]))' "$t_host" "$t_user" "$t_key" "$t_evil")"
expect_eq "a ticket carries its title, status, source and RT link" \
	"$(echo "$out" | js "[(t['title'], t['status'], t['source'], t['url']) for t in d['tickets'] if t['key'] == '#$t_host'][0]")" \
	"('rt-web-01 disk almost full', 'new', 'rt', '$rt_url/Ticket/Display.html?id=$t_host')"
expect_eq "a resolved ticket is not shown" \
	"$(echo "$out" | js "'#$t_done' in [t['key'] for t in d['tickets']]")" "False"
expect_eq "only the change near its time, with its window, covering the first event" \
	"$(echo "$out" | js '[(c["key"], c["start"], c["end"], c["covers"]) for c in d["changes"]]')" \
	"[('#$c_in', '2024-05-13T09:00:00Z', '2024-05-13T12:00:00Z', True)]"
expect_eq "it was a planned change: the first change covers it" "$(echo "$out" | js 'd["changes"][0]["covers"]')" "True"
expect_eq "irk show --json carries the same tickets" \
	"$(irk show IR-1 --json | js 'len(d["context"]["tickets"])')" "4"
human=$(irk context IR-1)
expect_match "irk context says it was a planned change" "$human" "^  PLANNED CHANGE #$c_in covers its first event \\(2024-05-13 10:01\\)$"
expect_match "and lists the tickets with their source" "$human" "^  tickets +#[0-9]+ .*\\(rt, new, "
check "a hostile subject is inert on a terminal" sh -c "! printf '%s' \"\$1\" | grep -q \"\$(printf '\\033')\"" _ "$human"
expect_match "its escape is shown visibly" "$human" 'rt-web-01 \\x1b\]0;pwned'
expect_eq "and kept exact in JSON" \
	"$(echo "$out" | js "[t['title'] for t in d['tickets'] if t['key'] == '#$t_evil'][0] == 'rt-web-01 \\x1b]0;pwned\\x07\\x1b[31mred\\u202egnp.exe'")" "True"
irk context IR-2 --refresh >/dev/null
expect_eq "an incident RT knows nothing of: no tickets, no changes, no error" \
	"$(irk context IR-2 --json | js '(d["tickets"], d["changes"], d["errors"])')" \
	"([], [], [])"
sqlite3 "$IRK_DB" .dump >"$T/dump.sql"
check "RT's credentials are nowhere in the database" sh -c "! grep -Eq 'root:password|cm9vdDpwYXNzd29yZA|token = ' \"\$1\"" _ "$T/dump.sql"

# The play's ticket steps, run by irk serve.
serve s1
check "the ticket step is done" wait_for 30 state_is IR-1 open done
out=$(sql "SELECT output FROM steps WHERE step_id = 'open'")
n=$(echo "$out" | js 'd["key"][1:]')
expect_eq "its output names the new RT ticket and its link" \
	"$(echo "$out" | js '(d["source"], d["action"], d["url"])')" \
	"('rt', 'create', '$rt_url/Ticket/Display.html?id=$n')"
expect_eq "RT has it, in its queue, with the subject the step gave" \
	"$(curl -sf -u root:password "$rt_url/REST/2.0/ticket/$n" | js '(d["Subject"], d["Queue"]["id"])')" \
	"('IR-1: E2ERt on rt-web-01', '1')"
SAMPLES=""
for d in "${IRK_SAMPLES:-}" "$IRK_TOP/../shared/samples" "$IRK_TOP/../../shared/samples"; do
	[ -n "$d" ] && [ -d "$d/apis" ] && { SAMPLES="$d/apis"; break; }
done
if [ -n "$SAMPLES" ]; then
	expect_eq "this RT answers a ticket with the keys of the recorded REST2 answer" \
		"$(curl -sf -u root:password "$rt_url/REST/2.0/ticket/$n" | js 'sorted(set(d) - {"CF.{}"})')" \
		"$(js 'sorted(d)' <"$SAMPLES/rt_rest2_get_ticket_python-rt-docs.json")"
else
	ok "# skip conformance: no shared/samples/apis here"
fi
check "the comment step is done" wait_for 30 state_is IR-1 note done
expect_eq "RT has the comment on that ticket" \
	"$(curl -sf -u root:password "$rt_url/REST/2.0/ticket/$n/history?fields=Type" | js '[t["Type"] for t in d["items"]]')" \
	"['Create', 'Comment']"
expect_eq "the comment step's output names the same ticket" \
	"$(sql "SELECT json_extract(output, '\$.key') || ' ' || json_extract(output, '\$.action') FROM steps WHERE step_id = 'note'")" \
	"#$n comment"
irk context IR-1 --refresh >/dev/null
expect_eq "the new ticket is among the incident's tickets" \
	"$(irk context IR-1 --json | js "'#$n' in [t['key'] for t in d['tickets']]")" "True"
stop_serves

# RT gone: the failure is shown, the cached tickets stay.
stop_rt
irk context IR-1 --refresh >/dev/null
out=$(irk context IR-1 --json)
expect_eq "RT down: its failure is shown" "$(echo "$out" | js '[(e["source"], e["error"]) for e in d["errors"]]')" \
	"[('rt', 'connection refused')]"
expect_eq "and the tickets it said before stay" "$(echo "$out" | js 'len(d["tickets"])')" "5"
done_testing
