#!/bin/sh
# cli_contract.sh: what scripts rely on. `--help` on every command exits 0;
# exit codes 0 (success), 1 (error), 2 (usage), 3 (partial ingest); the
# --json output of list and show is valid JSON with exactly the keys
# irk(1) documents.
. "$IRK_TOP/tests/e2e/lib.sh"

# ---- --help everywhere ------------------------------------------------------------
out=$(irk --help); rc=$?
expect_eq "irk --help exits 0" "$rc" 0
cmds=$(printf '%s\n' "$out" | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}')
check "irk --help lists the commands ($(echo $cmds))" [ "$(echo "$cmds" | wc -l)" -ge 15 ]
bad=""
for c in $cmds; do
	o=$(irk "$c" --help 2>&1); r=$?
	[ $r = 0 ] && [ "$(printf '%s\n' "$o" | head -n 1 | cut -d' ' -f1-3)" = "usage: irk $c" ] || bad="$bad $c($r)"
	o=$(irk "$c" -h 2>&1) || bad="$bad $c-h"
done
expect_eq "every command's --help and -h exit 0 and start with its usage" "$bad" ""
expect_eq "--help needs no database" "$(ls "$T")" "irk.conf"
expect_rc "irk --version exits 0" 0 irk --version

# ---- exit codes -----------------------------------------------------------------------
expect_rc "usage: an unknown command" 2 irk frobnicate
expect_eq "a typo of a command: the nearest one and one hint, not the whole help" "$(irk lsit 2>&1)" \
"irk: unknown command 'lsit'; did you mean 'list'?
'irk --help' lists the commands; 'irk COMMAND --help' tells more."
expect_eq "a command like none: no guess" "$(irk frobnicate 2>&1 | head -n 1)" "irk: unknown command 'frobnicate'"
expect_rc "usage: an unknown option" 2 irk list --frob
expect_rc "usage: an option without its value" 2 irk list --stage
for cmd in "list --limit" "board --limit" "show IR-1 --alerts" "audit log --limit" "quarantine --limit" "ingest --batch" "demo --days"; do
	for v in x -1 12x 99999999999999999999; do
		expect_rc "usage: $cmd $v is not a count" 2 irk $cmd "$v"
	done
done
expect_eq "a bad count is named" "$(irk list --limit 12x 2>&1 | head -n 1)" "irk list: --limit: '12x' is not a count, 0 or more"
expect_eq "a negative count: no 9223372036854775807" "$(irk list --limit -1 2>&1 | head -n 1)" \
	"irk list: --limit: '-1' is not a count, 0 or more"
expect_eq "a bounded number keeps its range" "$(irk demo --days 0 2>&1 | head -n 1)" \
	"irk demo: --days: '0' is not a number from 1 to 366"
expect_rc "usage: no command without a terminal" 2 irk
expect_rc "error: no database yet" 1 irk list
expect_match "no database: the command line's hint" "$(irk list 2>&1)" \
	"no database here \(create it with irk init, or irk demo\)$"
expect_rc "init: 0" 0 irk init
expect_rc "init again is harmless: 0" 0 irk init
expect_rc "list on an empty database: 0" 0 irk list
expect_eq "list --json on an empty database: []" "$(irk list --json)" "[]"
printf '%s\n' '{"timestamp":"2025-11-03T08:00:00Z","flow_id":1,"event_type":"alert","src_ip":"198.51.100.7","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"ET TEST one","category":"Misc","severity":2},"tls":{"sni":"a.example"}}' >"$T/one.json"
printf '%s\n' 'not json' >>"$T/two.json"
cat "$T/one.json" >>"$T/two.json"
expect_rc "ingest, every line accepted: 0" 0 irk ingest "$T/one.json"
expect_rc "ingest, a line rejected: 3" 3 irk ingest "$T/two.json"
expect_rc "ingest, a missing file: 1" 1 irk ingest "$T/missing.json"
expect_rc "ingest, an unknown format: 2" 2 irk ingest --format syslog "$T/one.json"
printf '%s\n' '{"msg":"hello"}' >"$T/odd.json"
irk ingest "$T/odd.json" >/dev/null 2>"$T/odd.err"
expect_match "a line in no known format: the reason names no option" "$(head -n 1 "$T/odd.err")" \
	"odd.json:1: not a recognised alert .*; name its format, or describe it in a \[mapping\] in irk.conf$"
expect_match "and the command line adds its option" "$(tail -n 1 "$T/odd.err")" \
	"^irk ingest: 1 line in no format irk recognises: give --format F, or a \[mapping\]"
expect_rc "show: 0" 0 irk show IR-1
expect_match "show: one alert, not '1 alerts'" "$(irk show IR-1 | grep '^  counts')" \
	"^  counts +1 alert, reopened 0, moved back 0, effort 0 min$"
expect_rc "usage: show without a key" 2 irk show
expect_rc "usage: show with a malformed key" 2 irk show XX-1
expect_rc "error: show a missing incident" 1 irk show IR-999
expect_rc "usage: a stage that does not exist" 2 irk move IR-1 nowhere
expect_rc "usage: list of a stage that does not exist" 2 irk list --stage nowhere
expect_rc "usage: a field that cannot be set" 2 irk set IR-1 colour=red
expect_rc "usage: a bad value" 2 irk set IR-1 confidence=101
expect_rc "usage: close without a resolution" 2 irk close IR-1
expect_rc "usage: close with an unknown resolution" 2 irk close IR-1 --resolution maybe
# bob moves it: taking back someone else's move is no undo.
expect_rc "move forward: 0" 0 env IRK_USER=bob "$IRK_BIN" move IR-1 identification
expect_rc "error: moving back needs a reason (a refusal, not a usage error)" 1 irk move IR-1 new
expect_eq "the lifecycle layer's words, the command line's option" "$(irk move IR-1 new 2>&1)" \
	"irk: moving IR-1 back to new needs a reason (--reason TEXT)"
expect_rc "usage: --force without --reason" 2 irk move IR-1 containment --force
expect_rc "error: moving to closed is refused (close it)" 1 irk move IR-1 closed
expect_eq "moving to closed says to close it with a resolution" "$(irk move IR-1 closed 2>&1)" \
	"irk: closing IR-1 needs a resolution: true-positive, false-positive, duplicate or benign (irk close IR-1 --resolution R)"
expect_rc "error: moving to the stage it is in" 1 irk move IR-1 identification
expect_rc "move back with a reason: 0" 0 irk move IR-1 new --reason "wrong queue"
expect_rc "claim: 0" 0 irk claim IR-1
expect_rc "error: claiming what someone else holds" 1 env IRK_USER=bob "$IRK_BIN" claim IR-1
expect_rc "error: an analyst cannot force" 1 env IRK_USER=bob "$IRK_BIN" claim IR-1 --force
expect_rc "note: 0" 0 irk note IR-1 looked at it
expect_rc "set: 0 (a unit no incident has yet: --new)" 0 irk set IR-1 --new severity=high business_unit=finance
expect_rc "close: 0" 0 irk close IR-1 --resolution false-positive --reason test
expect_rc "error: claiming a closed incident" 1 irk claim IR-1
expect_eq "claiming a closed incident says how to reopen it" "$(irk claim IR-1 2>&1)" \
	"irk: IR-1 is closed; move it back to a stage to reopen it first (irk move IR-1 STAGE --reason TEXT)"
expect_rc "error: closing a closed incident" 1 irk close IR-1 --resolution benign
expect_eq "closing a closed incident: already closed" "$(irk close IR-1 --resolution benign 2>&1)" \
	"irk: IR-1 is already closed"
expect_rc "error: moving a closed incident to closed" 1 irk move IR-1 closed
expect_rc "error: user add by a non-admin" 1 env IRK_USER=bob "$IRK_BIN" user add carol --role analyst
expect_rc "usage: user add without a role" 2 irk user add carol
expect_rc "user add by the admin: 0" 0 irk user add carol --role senior
expect_rc "audit verify: 0" 0 irk audit verify
expect_rc "usage: audit without verify or log" 2 irk audit
expect_rc "config show: 0" 0 irk config show
printf '[ingest]\nwindow = 2h\n[keys]\nboard-claim = C\n' >"$T/mine.conf"
irk --config "$T/mine.conf" config show >"$T/shown.conf"
chmod 600 "$T/shown.conf"
expect_rc "what config show prints is a config file irk reads" 0 irk --config "$T/shown.conf" list
expect_match "with the values shown" "$(irk --config "$T/shown.conf" config show)" "^window = 2h$"
expect_match "and the free-form sections" "$(irk --config "$T/shown.conf" config show)" "^board-claim = C$"
expect_rc "version: 0" 0 irk version
printf '[nosuch]\nkey = 1\n' >"$T/bad.conf"
expect_rc "error: a bad config file" 1 irk --config "$T/bad.conf" list
expect_match "a bad config file is named with its line" "$(irk --config "$T/bad.conf" list 2>&1)" "bad.conf:[12]: "

# ---- --json: valid and exactly the documented keys ----------------------------------------
INC='["alert_count","asset_criticality","back_moves","business_unit","category","confidence","effort_min","host","id","key","owner","play","play_version","priority","reopen_count","resolution","root_cause","rule","severity","src_ip","stage","storm","summary","threat_source","times","title","updated_by","vector","version"]'
TIMES='["acknowledged","closed","contained","detected","first_event","last_event","resolved","updated"]'
irk list --all --json >"$T/list.json"
expect_rc "list --json is valid JSON (python3 -m json.tool)" 0 /usr/bin/python3 -m json.tool "$T/list.json"
expect_eq "list --json: an array of incidents" "$(jq -r 'type, length' "$T/list.json" | tr '\n' ' ')" "array 1 "
expect_eq "list --json: incident keys" "$(jq -c '.[0] | keys' "$T/list.json")" "$INC"
expect_eq "list --json: times keys" "$(jq -c '.[0].times | keys' "$T/list.json")" "$TIMES"
expect_eq "list --json: types" \
	"$(jq -c '.[0] | [(.key|type), (.id|type), (.priority|type), (.times.detected|type), (.play|type), (.owner|type)]' "$T/list.json")" \
	'["string","number","number","string","null","string"]'
expect_match "list --json: times are RFC 3339 UTC" "$(jq -r '.[0].times.closed' "$T/list.json")" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
irk show IR-1 --json >"$T/show.json"
expect_rc "show --json is valid JSON (python3 -m json.tool)" 0 /usr/bin/python3 -m json.tool "$T/show.json"
expect_eq "show --json: the incident keys plus history, notes, links, steps, alerts, observables, sensor, sensor_total, context" \
	"$(jq -c 'keys' "$T/show.json")" \
	"$(printf '%s' "$INC" | jq -c '. + ["alerts","context","history","links","notes","observables","sensor","sensor_total","steps"] | sort')"
expect_eq "show --json: context keys" "$(jq -c '.context | keys' "$T/show.json")" \
	'["asset","changes","errors","tickets","user"]'
expect_eq "show --json: alert keys" "$(jq -c '.alerts[0] | keys' "$T/show.json")" \
	'["category","dst_ip","event_time","fingerprint","format","host","id","raw","received","rule_id","rule_name","severity","src_ip","user"]'
expect_eq "show --json: history keys" "$(jq -c '.history[0] | keys' "$T/show.json")" \
	'["actor","at","forced","from","reason","to"]'
expect_eq "show --json: note keys" "$(jq -c '.notes[0] | keys' "$T/show.json")" '["actor","at","text"]'
expect_eq "show --json: observable keys" "$(jq -c '.observables[0] | keys' "$T/show.json")" \
	'["at","ref","source","type","value"]'
expect_eq "show --json: the story of IR-1" \
	"$(jq -c '[.stage, .resolution, .owner, .severity, .business_unit, [.history[] | .to], .back_moves, .notes[0].text]' "$T/show.json")" \
	'["closed","false-positive","alice","high","finance",["new","identification","new","closed"],1,"looked at it"]'
expect_eq "show --json agrees with list --json on the shared keys" \
	"$(jq -c 'del(.alerts, .history, .links, .notes, .observables, .sensor, .sensor_total, .steps, .context)' "$T/show.json")" "$(jq -c '.[0]' "$T/list.json")"
expect_eq "ingest --json" "$(irk ingest --json "$T/one.json" | jq -c .)" \
	'{"read":1,"new":0,"duplicate":1,"skipped":0,"kept":0,"rejected":0,"incidents":0}'

# ---- the holder's rule ----------------------------------------------------------------------
# The holder's rule: bob (unregistered, an analyst) and alice's incident.
printf '%s\n' '{"timestamp":"2025-11-03T09:00:00Z","flow_id":2,"event_type":"alert","src_ip":"198.51.100.8","dest_ip":"10.0.0.6","alert":{"signature_id":10,"signature":"ET TEST two","category":"Misc","severity":2}}' >"$T/three.json"
expect_rc "ingest another: 0" 0 irk ingest "$T/three.json"
expect_rc "claim IR-2: 0" 0 irk claim IR-2
for c in "move IR-2 identification" "close IR-2 --resolution benign" "set IR-2 severity=low" "set IR-2 owner=bob"; do
	expect_rc "error: an analyst may not $c on alice's incident" 1 env IRK_USER=bob "$IRK_BIN" $c
done
expect_eq "the refusal names the holder" "$(env IRK_USER=bob "$IRK_BIN" move IR-2 identification 2>&1)" \
	"irk: IR-2 is held by alice; only alice or a senior can change it"
expect_rc "a note is open to everyone: 0" 0 env IRK_USER=bob "$IRK_BIN" note IR-2 seen it too
expect_rc "error: an owner who is not a registered user" 1 irk set IR-2 owner=nobodyknown
expect_eq "the unknown owner is named, with the nearest user" "$(irk set IR-2 owner=carl 2>&1)" \
	"irk: owner: 'carl' is not a registered user (did you mean 'carol'?)"
expect_rc "a senior may change alice's incident: 0" 0 env IRK_USER=carol "$IRK_BIN" move IR-2 identification
expect_eq "and the event names the holder" \
	"$(irk audit log --incident IR-2 --json | jq -r 'select(.kind == "incident.move") | .data | fromjson | .held_by')" alice


# ---- audit log: the newest events with --limit ------------------------------------------------
expect_eq "audit log --limit 2: the two newest, oldest first" \
	"$(irk audit log --limit 2 --json | jq -r .seq | tr '\n' ' ')" \
	"$(sql "select seq from (select seq from events order by seq desc limit 2) order by seq" | tr '\n' ' ')"
expect_match "the last line is the latest event (the senior's move)" "$(irk audit log --limit 5 | tail -n 1)" \
	" IR-2 +carol +incident.move "
expect_rc "error: the log of a missing incident" 1 irk audit log --incident IR-999
done_testing
