#!/bin/sh
# terminal_safety.sh: escape sequences planted in every field an attacker
# controls (rule name and id, host, addresses, user, category, URL, file
# names, notes and fields typed by analysts) never reach the terminal raw:
# list, show, board, quarantine, audit log and error messages show them as
# visible escapes (\x1b), and --json escapes them as \u001b.
. "$IRK_TOP/tests/e2e/lib.sh"

# raw_controls FILE: how many characters a terminal would act on: C0
# controls other than tab and newline, DEL, C1 controls, bidi overrides.
raw_controls() {
	/usr/bin/python3 -c '
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bad = [c for c in t if (ord(c) < 32 and c not in "\t\n") or 0x7f <= ord(c) <= 0x9f
       or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
print(len(bad))' "$1"
}
# safe WHAT FILE: nothing raw, and the visible form of the title payload.
safe() {
	expect_eq "$1: no raw control characters" "$(raw_controls "$2")" 0
	expect_match "$1: the escape is shown as \\x1b" "$(cat "$2")" '\\x1b\]0;pwned\\x07'
}

irk init >/dev/null
# ESC ] 0 ; pwned BEL sets the terminal title; ESC [ 2 J clears the screen;
# \u009b is the one-byte CSI; \u202e reverses the text after it.
P='\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202egnp.exe'
/usr/bin/python3 -c 'import sys; sys.stdout.write(sys.stdin.read().replace("@P@", sys.argv[1]))' "$P" \
	>"$T/evil.json" <<'END'
{"timestamp":"2025-11-03T08:00:00Z","flow_id":1,"event_type":"alert","host":"sensor@P@","src_ip":"198.51.100.7@P@","dest_ip":"10.0.0.5@P@","alert":{"signature_id":"2000@P@","signature":"ET EVIL @P@","category":"cat@P@","severity":1},"http":{"hostname":"evil@P@.example","url":"/x@P@"},"tls":{"sni":"sni@P@.example"}}
{"timestamp":"2025-11-03T08:01:00Z","rule":{"level":12,"description":"Wazuh @P@","id":"99@P@","groups":["grp@P@"]},"agent":{"id":"001","name":"agent@P@","ip":"10.0.0.6"},"id":"1.1","data":{"srcip":"203.0.113.9","dstuser":"user@P@"},"syscheck":{"sha256_after":"hash@P@"}}
{"@timestamp":"2025-11-03T08:02:00Z","ecs":{"version":"8.11.0"},"event":{"kind":"signal","id":"e1"},"kibana.alert.rule.name":"ECS @P@","kibana.alert.rule.rule_id":"r@P@","kibana.alert.severity":"high","host":{"name":"ecshost@P@"},"user":{"name":"ecsuser@P@"},"process":{"name":"proc@P@"}}
{"ts":1762156980.5,"note":"Evil::Note@P@","msg":"Zeek @P@","src":"192.0.2.1","dst":"10.0.0.7"}
END
expect_eq "the hostile alerts are ingested" "$(irk ingest "$T/evil.json")" \
	"read 4, new 4, duplicate 0, skipped 0, rejected 0, incidents 4"
# An analyst pastes the same into notes and fields.
PP=$(printf 'pasted \033]0;pwned\007 \033[2J\302\233\342\200\256x')
irk note IR-1 "$PP" >/dev/null
irk set IR-1 "summary=$PP" "vector=$PP" "threat_source=$PP" "root_cause=$PP" "business_unit=$PP" \
	"category=$PP" >/dev/null
irk set IR-3 "title=$PP" >/dev/null
irk move IR-2 identification >/dev/null
irk move IR-2 new --reason "$PP" >/dev/null
# A bad line in a file whose name carries the payload.
bad="$T/$(printf 'name\033]0;pwned\007.json')"
printf '{"broken": \033]0;pwned\007\n' >"$bad"

irk list >"$T/list" 2>&1
safe "list" "$T/list"
irk list --all --json >"$T/list.json"
expect_eq "list --json: no raw control characters" "$(raw_controls "$T/list.json")" 0
expect_match "list --json: \\u001b escapes" "$(cat "$T/list.json")" '\\u001b\]0;pwned\\u0007'
for k in 1 2 3 4; do
	irk show IR-$k >"$T/show$k" 2>&1
	safe "show IR-$k" "$T/show$k"
	irk show IR-$k --json >"$T/show$k.json"
	expect_eq "show IR-$k --json: no raw control characters" "$(raw_controls "$T/show$k.json")" 0
	expect_rc "show IR-$k --json is valid JSON" 0 jq -e . "$T/show$k.json"
done
expect_match "show: the EVE alert's host (its destination) is escaped" "$(cat "$T/show1")" \
	'10\.0\.0\.5\\x1b\]0;pwned'
expect_match "show: source address escaped" "$(cat "$T/show1")" '198\.51\.100\.7\\x1b\]0'
expect_match "show: rule id escaped" "$(cat "$T/show1")" 'rule +2000\\x1b\]0'
expect_match "show: observables escaped (URL)" "$(cat "$T/show1")" 'http://evil\\x1b\]0;pwned'
expect_match "show: the one-byte CSI shown visibly" "$(cat "$T/show1")" '\\u009b31m'
expect_match "show: bidi override shown visibly" "$(cat "$T/show1")" '<U\+202E>gnp\.exe'
expect_match "show: analyst text escaped too" "$(cat "$T/show1")" 'pasted \\x1b\]0;pwned\\x07 \\x1b\[2J'
expect_match "show: Wazuh agent and user escaped" "$(cat "$T/show2")" 'agent\\x1b\]0;pwned'
expect_match "show: a move reason escaped" "$(cat "$T/show2")" 'new +alice: pasted \\x1b'
expect_match "show: ECS user and process escaped" "$(cat "$T/show3")" 'ecsuser\\x1b\]0;pwned'
expect_match "show: Zeek note (the rule) escaped" "$(cat "$T/show4")" 'Evil::Note\\x1b\]0;pwned'
expect_eq "show --json: the raw record is kept exactly (as a JSON string)" \
	"$(jq -r '.alerts[0].raw' "$T/show1.json")" "$(sed -n 1p "$T/evil.json")"
irk board --all >"$T/board" 2>&1
safe "board" "$T/board"
irk audit log >"$T/log" 2>&1
expect_eq "audit log: no raw control characters" "$(raw_controls "$T/log")" 0
expect_match "audit log: event data shown JSON-escaped" "$(cat "$T/log")" 'ET EVIL \\u001b\]0;pwned\\u0007'
irk ingest "$bad" >/dev/null 2>"$T/ingest.err"
safe "ingest stderr (file name and reason)" "$T/ingest.err"
irk quarantine >"$T/quarantine" 2>&1
safe "quarantine" "$T/quarantine"
irk show "$(printf 'IR-1\033]0;pwned\007')" >/dev/null 2>"$T/usage.err"
safe "usage errors echo arguments escaped" "$T/usage.err"
irk "$(printf 'cmd\033]0;pwned\007')" >/dev/null 2>"$T/cmd.err"
safe "an unknown command is echoed escaped" "$T/cmd.err"
irk ingest "$(printf '%s/missing\033]0;pwned\007' "$T")" >/dev/null 2>"$T/open.err"
safe "a missing file is named escaped" "$T/open.err"

# Every usage error echoes the user's words through the sanitizer (the
# review found these printed raw: a stage, a role, a resolution, a format,
# an option, a subcommand, a play version).
E=$(printf 'x\033]0;pwned\007')
n=0
for args in "list --stage $E" "move IR-1 $E" "close IR-1 --resolution $E" "ingest --format $E" \
	"user add bob --role $E" "user $E" "audit $E" "outbox $E" "demo $E" "list --x$E" \
	"play show duplicate-process --version $E"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	irk $args >/dev/null 2>"$T/u$n.err"
	safe "usage error: irk ${args%% *} ..." "$T/u$n.err"
done
"$IRK_BIN" --db "$E" >/dev/null 2>"$T/gopt.err" </dev/null
expect_eq "a global option's value: no raw control characters" "$(raw_controls "$T/gopt.err")" 0
"$IRK_BIN" "--db$E" >/dev/null 2>"$T/gopt2.err" </dev/null
expect_eq "a global option's name: no raw control characters" "$(raw_controls "$T/gopt2.err")" 0

done_testing
