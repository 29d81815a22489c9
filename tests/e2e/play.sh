#!/bin/sh
# play.sh: plays from the command line: lint, matching at ingest, the
# stage gate, approvals, versions, and every bundled play matched by an
# alert of its own kind (tests/fixtures/plays/NAME.jsonl).
. "$IRK_TOP/tests/e2e/lib.sh"
unset IRK_PLAYS
FIX="$IRK_TOP/tests/fixtures/plays"

as() { _u=$1; shift; IRK_USER=$_u "$IRK_BIN" "$@"; }
# state_of KEY STEP: the step's state.
state_of() { sql "SELECT state FROM steps WHERE incident_id = ${1#IR-} AND step_id = '$2'"; }

irk init >/dev/null
as alice user add bob --role senior >/dev/null
as alice user add carol --role analyst >/dev/null

# ---- lint -----------------------------------------------------------------
cat >"$T/bad.json" <<'EOF'
{"play": "bad", "name": "Bad", "version": 1,
 "match": "rule == 'x' &&",
 "steps": [
  {"id": "a", "stage": "identification", "kind": "manaul", "title": "Look"},
  {"id": "a", "stage": "contain", "kind": "notify", "to": "role:senior", "text": "{{alert.hots}}"}]}
EOF
expect_rc "lint of a broken play exits 1" 1 irk play lint "$T/bad.json"
err=$(cat "$T/.err")
expect_match "bad expression named at its position" "$err" "^$T/bad.json:2:26: match: expected a name, a value or '\(', found end of expression$"
expect_match "unknown kind with line and column" "$err" "^$T/bad.json:4:50: unknown kind 'manaul'"
expect_match "duplicate step id" "$err" "^$T/bad.json:5:10: duplicate step id 'a'"
expect_match "bad stage name" "$err" "^$T/bad.json:5:24: no stage 'contain'"
expect_match "template naming an unknown field" "$err" "^$T/bad.json:5:85: unknown field 'alert.hots' \(did you mean 'alert.host'\?\)"
expect_match "error count" "$err" "^5 errors$"
expect_rc "every bundled play lints clean" 0 irk play lint "$IRK_TOP"/plays/*.json
expect_eq "one ok line per bundled play" "$(grep -c ': ok (play ' "$T/.out")" "$(ls "$IRK_TOP"/plays/*.json | wc -l)"
expect_rc "lint without files checks the play directories" 0 irk play lint
expect_rc "a missing file is an error" 1 irk play lint "$T/nope.json"
expect_match "and says so, with no line to name" "$(cat "$T/.err")" "nope.json: cannot read: No such file"

# ---- the catalog ------------------------------------------------------------
out=$(irk play list)
for p in duplicate-process phishing ransomware malware brute-force exfiltration ddos webshell \
	lost-device policy-violation; do
	expect_match "play list has $p" "$out" "^-?[0-9]+ +$p "
done
expect_match "duplicate-process matches first (priority 50)" "$(echo "$out" | sed -n 2p)" "^50 +duplicate-process "
out=$(irk play list --json)
expect_match "play list --json" "$out" '^\[\{"play":"duplicate-process",'

# ---- every bundled play is matched by an alert of its kind -----------------------
for f in "$FIX"/*.jsonl; do
	name=$(basename "$f" .jsonl)
	as alice ingest "$f" >"$T/.out" 2>&1
	expect_match "ingest $name" "$(cat "$T/.out")" "^read 1, new 1, duplicate 0, skipped 0, rejected 0, incidents 1$"
	id=$(sql "SELECT max(id) FROM incidents")
	expect_eq "$name alert gets the $name play" "$(sql "SELECT play FROM incidents WHERE id = $id")" "$name"
	want=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["steps"]))' "$IRK_TOP/plays/$name.json")
	expect_eq "$name: all $want steps laid out" "$(sql "SELECT count(*) FROM steps WHERE incident_id = $id")" "$want"
	due=$(sql "SELECT count(*) FROM steps WHERE incident_id = $id AND state IN ('ready', 'waiting')")
	if [ "$due" -ge 1 ]; then ok "$name: its stage-new steps are due"; else not_ok "$name: nothing due"; fi
done
prog=$(sql "SELECT json_extract(def, '$.argv[0]') FROM play_steps WHERE step_id = 'facts' LIMIT 1")
expect_eq "exec programs beside the play are stored with their absolute path" "$prog" "$IRK_TOP/plays/bin/irk-host-facts"
check "and that program runs: it prints JSON" sh -c "'$prog' localhost | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"resolved\"]'"
out=$("$IRK_TOP/plays/bin/irk-phish-triage" "$(cat "$FIX/phishing.jsonl")")
expect_match "phishing indicators: look-alike sender, reply-to mismatch, risky attachment" "$out" \
	'"hint": "likely-phish".*"lookalike": \["rnicrosoft-365.example \(looks like microsoft\)".*"reply_to_mismatch": true.*"risky_attachments": \["Password_Reset_Form.html"\]'
expect_rc "a block rule for an internal address is refused" 3 "$IRK_TOP/plays/bin/irk-block-rule" ip 10.20.4.42
expect_match "saying why" "$(cat "$T/.out")" '"refused": true'
expect_rc "a block rule for an outside address" 0 "$IRK_TOP/plays/bin/irk-block-rule" ip 198.51.100.45 24h
expect_match "is an nftables element with a timeout" "$(cat "$T/.out")" 'add element inet filter irk_block4 \{ 198.51.100.45 timeout 86400s \}'
expect_eq "every version recorded by hash" "$(sql "SELECT count(DISTINCT hash) FROM plays")" "10"

# ---- gate, approvals, forced move (the duplicate-process play) --------------------
key=IR-$(sql "SELECT id FROM incidents WHERE play = 'duplicate-process'")
out=$(irk step list "$key")
expect_match "step list shows the verify step waiting" "$out" "^  1 +verify +new +manual +waiting +yes "
expect_match "titles are expanded" "$out" "Verify the duplicate on web-03"
expect_rc "a forward move with a required step open is refused" 1 as carol move "$key" identification
expect_match "the refusal names the step" "$(cat "$T/.err")" "cannot leave new: required step not done: verify"
expect_rc "done without the required input" 2 as carol step done "$key" verify
expect_match "names the input, and the option" "$(cat "$T/.err")" "^irk: step verify needs the input verdict \(--input verdict=VALUE\)$"
expect_rc "done with inputs" 0 as carol step done "$key" verify --input verdict=malicious --input pid=6120
expect_match "reports the change" "$(cat "$T/.out")" "verify +waiting +-> done"
expect_eq "inputs recorded" "$(sql "SELECT inputs FROM steps WHERE step_id = 'verify'")" '{"verdict":"malicious","pid":"6120"}'
expect_rc "now the move is allowed" 0 as carol move "$key" identification
expect_eq "the score step is ready for the engine" \
	"$(sql "SELECT state FROM steps WHERE step_id = 'history' AND incident_id = ${key#IR-}")" "ready"
expect_rc "bob moves to containment" 0 as bob move "$key" containment
expect_eq "the decision waits, asked by bob" \
	"$(sql "SELECT state || ' ' || requested_by FROM steps WHERE step_id = 'decide' AND incident_id = ${key#IR-}")" "waiting bob"
expect_rc "an analyst cannot grant it" 1 as carol approve "$key" decide
expect_match "role named" "$(cat "$T/.err")" "only a senior or admin can grant decide \(you are an analyst\)"
expect_rc "self-approval refused" 1 as bob approve "$key" decide
expect_match "says why" "$(cat "$T/.err")" "you asked for approval decide yourself; another senior must grant it"
expect_rc "another senior grants it" 0 as alice approve "$key" decide
expect_match "isolation becomes ready" "$(cat "$T/.out")" "isolate +pending +-> ready"
expect_rc "gate refuses leaving containment" 1 as carol move "$key" eradication
expect_match "naming isolate" "$(cat "$T/.err")" "required step not done: isolate"
expect_rc "an analyst cannot force" 1 as carol move "$key" eradication --force --reason "done by hand"
expect_rc "forcing needs a reason" 2 as bob move "$key" eradication --force
expect_rc "a senior forces with a reason" 0 as bob move "$key" eradication --force --reason "isolated by hand in the EDR console"
expect_eq "the forced move is recorded" \
	"$(sql "SELECT actor || '|' || reason || '|' || forced FROM stage_history WHERE to_stage = 'eradication'")" \
	"bob|isolated by hand in the EDR console|1"
expect_match "eradication step is now waiting" "$(irk step list "$key")" "eradicate +eradication +manual +waiting"
out=$(irk audit log --incident "$key")
for k in play.assign step.waiting step.done step.ready incident.move; do
	expect_match "audit has $k" "$out" "$k"
done
expect_rc "audit chain intact" 0 irk audit verify

# ---- deny, skip, retry --------------------------------------------------------------------
key=IR-$(sql "SELECT id FROM incidents WHERE play = 'ransomware'")
expect_rc "deny needs --reason" 2 as bob deny "$key" isolate-ok
expect_rc "deny with a reason" 0 as bob deny "$key" isolate-ok --reason "test machine of the backup team"
expect_match "dependent skipped" "$(cat "$T/.out")" "isolate +pending +-> skipped .*\(needs isolate-ok, which was denied\)"
# The two-person hole: anyone could ask again, and the senior who denied
# could then grant it alone ("done by bob (asked by carol)").
expect_rc "an analyst cannot ask again for a senior's approval" 1 \
	as carol step retry "$key" isolate-ok --reason "not a test machine after all"
expect_match "says who can" "$(cat "$T/.err")" \
	"^irk: only a senior or admin can ask for approval isolate-ok again \(you are an analyst\)$"
expect_rc "ask again" 0 as alice step retry "$key" isolate-ok --reason "not a test machine after all"
expect_match "the approval waits again" "$(cat "$T/.out")" "isolate-ok +failed +-> waiting"
expect_rc "the senior who denied it cannot grant it" 1 as bob approve "$key" isolate-ok
expect_match "says why" "$(cat "$T/.err")" \
	"^irk: you denied approval isolate-ok earlier; another senior must grant it$"
expect_rc "nor the one who asked again" 1 as alice approve "$key" isolate-ok
expect_eq "it still waits" "$(state_of "$key" isolate-ok)" "waiting"
expect_rc "an analyst cannot skip a required step" 1 as carol step skip "$key" isolate --reason x
expect_rc "skip needs a reason" 2 as bob step skip "$key" isolate
expect_rc "a senior skips it" 0 as bob step skip "$key" isolate --reason "isolated by the network team"
expect_rc "retry of a manual step is refused" 1 as carol step retry "$key" scope
expect_match "the command line adds what to type instead" "$(cat "$T/.err")" \
	"^irk: step scope is done by a person: there is nothing to retry \(irk step done $key scope\)$"
expect_rc "unknown step" 1 irk step done "$key" nosuch
expect_match "named, with where to look" "$(cat "$T/.err")" "^irk: $key has no step 'nosuch' \(irk step list $key\)$"
expect_rc "an approval is not done" 1 as carol step done "$key" isolate-ok
expect_match "it is approved or denied" "$(cat "$T/.err")" \
	"^irk: step isolate-ok is an approval: it is granted or denied, not done \(irk approve $key isolate-ok, or irk deny $key isolate-ok --reason TEXT\)$"
expect_rc "an empty reason" 2 as bob step skip "$key" scope --reason ""
expect_match "gets the option named" "$(cat "$T/.err")" "^irk: skipping a step needs a reason \(--reason TEXT\)$"

# ---- inputs with choices (the brute-force play's "yes or no") ------------------------------
bkey=IR-$(sql "SELECT id FROM incidents WHERE play = 'brute-force'")
expect_rc "brute force: to identification" 0 as carol move "$bkey" identification
expect_match "step show lists the choices" "$(irk step show "$bkey" success)" \
	"^  compromised +required +yes or no \(one of: yes, no\)$"
expect_eq "and so does step show --json" "$(irk step show "$bkey" success --json | jq -c '.input_fields[0].choices')" '["yes","no"]'
expect_rc "an answer outside the choices is refused" 2 as carol step done "$bkey" success --input compromised=maybe
expect_match "naming the choices" "$(cat "$T/.err")" "^irk: step success: input compromised is 'maybe'; it must be one of: yes, no$"
expect_eq "the step still waits" "$(state_of "$bkey" success)" waiting
expect_eq "and nothing behind it was skipped" "$(state_of "$bkey" persistence)" pending
expect_rc "a choice in another case is taken" 0 as carol step done "$bkey" success --input compromised=Yes --input account=root
expect_eq "recorded as declared" "$(sql "SELECT inputs FROM steps WHERE incident_id = ${bkey#IR-} AND step_id = 'success'")" \
	'{"compromised":"yes","account":"root"}'
expect_eq "so the persistence check is due" "$(state_of "$bkey" persistence)" ready

# ---- step list --json, step show, outbox ------------------------------------------------------
out=$(irk step list "$key" --json)
expect_match "step list --json" "$out" '^\[\{"step":"page","seq":0,"kind":"notify","stage":"new","state":"ready"'
expect_match "definitions as JSON" "$out" '"definition":\{"id":"page","kind":"notify"'
out=$(irk step show "$key" scope)
expect_match "step show: instructions expanded" "$out" "the user of fs-01 could write to"
expect_match "step show: checklist" "$out" "^ 1 \[ \] Ransom note name and extension recorded"
expect_match "step show: inputs" "$out" "^  hosts +required +affected hosts"
# step show --json: one object, the step list keys and its own (irk(1) JSON OUTPUT)
rid=${key#IR-}
sqlite3 "$IRK_DB" "UPDATE steps SET checks = '{\"1\":{\"by\":\"bob\",\"at\":1715600000}}' WHERE incident_id = $rid AND step_id = 'scope'"
expect_rc "step show --json" 0 irk step show "$key" scope --json
cp "$T/.out" "$T/show.json"
expect_eq "is one JSON object" "$(jq -r type "$T/show.json")" "object"
expect_eq "with the keys of step list --json and its own" "$(jq -c 'keys' "$T/show.json")" \
	'["assignee","attempts","checklist","definition","done_by","ended","error","incident","input_fields","inputs","instructions","kind","lease_owner","log","output","reason","requested_by","required","retry","seq","stage","started","state","step","title"]'
expect_eq "the step and its incident" "$(jq -r '"\(.incident) \(.step) \(.kind) \(.state)"' "$T/show.json")" "$key scope manual pending"
expect_match "instructions expanded" "$(jq -r .instructions "$T/show.json")" "the user of fs-01 could write to"
expect_eq "checklist items with their ticks" "$(jq -c '.checklist[1] | [.item, .checked, .by, .at, .text]' "$T/show.json")" \
	'[1,true,"bob","2024-05-13T11:33:20Z","EDR search for the same note/extension across the fleet"]'
expect_eq "an unticked item" "$(jq -c '.checklist[0] | [.checked, .by, .at]' "$T/show.json")" '[false,null,null]'
expect_eq "the declared inputs" "$(jq -c '.input_fields[] | [.name, .required, .label]' "$T/show.json" | tr '\n' ' ')" \
	'["family",false,"ransomware family, if known"] ["hosts",true,"affected hosts"] '
expect_rc "--json with done is a usage error" 2 irk step done "$key" scope --json --input hosts=x
expect_match "irk show lists the steps" "$(irk show "$key")" "^  5 +scope +identification +manual +pending +yes"
expect_match "irk show --json has them" "$(irk show "$key" --json | tr -d ' \n')" '"steps":\[\{"step":"page"'
expect_eq "outbox --json is a JSON array" "$(irk outbox --json | jq -r type)" "array"
expect_rc "outbox" 0 irk outbox

# ---- a site play, its versions -------------------------------------------------------------------
mkdir "$T/site"
cat >"$T/site/ssh.json" <<'EOF'
{"play": "site-ssh", "name": "SSH guessing on the bastion", "version": 1, "priority": 100,
 "match": "rule == '5712' && host == 'bastion-01'",
 "steps": [{"id": "look", "stage": "new", "kind": "manual", "title": "Look at {{alert.src_ip}}"},
           {"id": "block", "stage": "new", "kind": "exec", "title": "Block", "needs": ["look"],
            "argv": ["bin/block", "{{alert.src_ip}}"]}]}
EOF
export IRK_PLAYS="$T/site"
sed 's/1715656660.2231456/1715656660.1/; s/03:17:40/03:19:40/' "$FIX/brute-force.jsonl" >"$T/b1.jsonl"
expect_rc "ingest with a site play" 0 as alice ingest --window 1s "$T/b1.jsonl"
id1=$(sql "SELECT max(id) FROM incidents")
expect_eq "the site play wins by priority" "$(sql "SELECT play FROM incidents WHERE id = $id1")" "site-ssh"
sed -i 's/ "needs": \["look"\],//' "$T/site/ssh.json"
sed 's/1715656660.2231456/1715656660.2/; s/03:17:40/05:19:40/' "$FIX/brute-force.jsonl" >"$T/b2.jsonl"
expect_rc "ingest after editing the play" 0 as alice ingest --window 1s "$T/b2.jsonl"
id2=$(sql "SELECT max(id) FROM incidents")
expect_eq "two versions of the site play" "$(sql "SELECT count(*) FROM plays WHERE play_id = 'site-ssh'")" "2"
expect_eq "the first incident still runs the old version" \
	"$(sql "SELECT state FROM steps WHERE incident_id = $id1 AND step_id = 'block'")" "pending"
expect_eq "the new incident runs the new one" \
	"$(sql "SELECT state FROM steps WHERE incident_id = $id2 AND step_id = 'block'")" "ready"
expect_match "play show lists both versions" "$(irk play show site-ssh)" "Versions in the database.*"
expect_eq "with one incident each" "$(irk play show site-ssh | grep -c ' 1 incident ')" "2"
old=$(sql "SELECT play_version FROM incidents WHERE id = $id1")
expect_match "play show --version shows the stored old version" "$(irk play show site-ssh --version "$(echo "$old" | cut -c1-12)")" "Block  \[needs look\]"
unset IRK_PLAYS

# ---- phishing seen on the network: no mail in the alert, purged by hand ---------------------------
# Found by trying the demo: the purge request read alert.raw.email.from.address,
# which an ET PHISHING alert has not, and failed (required, so stuck).
key=IR-$(sql "SELECT min(id) FROM incidents WHERE play = 'phishing'")
printf '%s\n' '{"timestamp":"2024-05-14T10:02:03.000000+0000","flow_id":77,"event_type":"alert","src_ip":"10.20.4.42","src_port":51234,"dest_ip":"198.51.100.45","dest_port":443,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2034567,"rev":2,"signature":"ET PHISHING Successful Microsoft Account Phish 2024-05-14","category":"Successful Credential Theft Detected","severity":1}}' >"$T/net-phish.jsonl"
expect_rc "ingest a network phishing alert" 0 as alice ingest "$T/net-phish.jsonl"
net=IR-$(sql "SELECT max(id) FROM incidents")
expect_eq "it gets the phishing play" "$(sql "SELECT play FROM incidents WHERE id = ${net#IR-}")" "phishing"
as carol claim "$net" >/dev/null
expect_rc "triage: phish" 0 as carol step done "$net" triage --input verdict=phish
# Found by a senior's trial: a move over a stage skipped its gate. The
# gate judges the `when`s of the stage it passes over as the planner will:
# the gateway purge cannot run on this alert, so only the purge by hand
# blocks, and each step says what it waits for.
expect_rc "a jump past containment is refused" 1 as carol move "$net" eradication
expect_match "naming the stage, its steps and what each waits for" "$(cat "$T/.err")" \
	"^irk: $net cannot go past containment to eradication: its required steps not done: purge-by-hand \\(waits for purge-ok, an approval by a senior\\), clickers \\(not started\\); a senior can force it with a reason \\(--force --reason TEXT\\)$"
expect_eq "it stayed in new" "$(sql "SELECT stage FROM incidents WHERE id = ${net#IR-}")" "new"
expect_rc "to containment (no required step in identification)" 0 as carol move "$net" containment
expect_rc "the purge is granted" 0 as bob approve "$net" purge-ok
expect_eq "the gateway purge is skipped: the alert carries no mail" "$(state_of "$net" purge)" "skipped"
expect_eq "the purge by hand is due instead" "$(state_of "$net" purge-by-hand)" "waiting"
as carol claim "$key" >/dev/null
as carol step done "$key" triage --input verdict=phish >/dev/null
as carol move "$key" containment >/dev/null
expect_rc "the reported mail's purge is granted" 0 as bob approve "$key" purge-ok
expect_eq "it gets the gateway purge, not the one by hand" \
	"$(state_of "$key" purge) $(state_of "$key" purge-by-hand)" "ready skipped"

# ---- close cancels ----------------------------------------------------------------------------------
expect_rc "close (forced past the triage gate)" 0 as bob close "$key" --resolution false-positive --force --reason "internal test mail"
expect_eq "every unfinished step cancelled" \
	"$(sql "SELECT count(*) FROM steps WHERE incident_id = ${key#IR-} AND state NOT IN ('skipped', 'done', 'failed')")" "0"
expect_rc "steps of a closed incident do not change" 1 as carol step done "$key" triage --input verdict=spam
expect_rc "nor does its approval" 1 as carol step done "$key" purge-ok
expect_match "with no grant-or-deny hint: closed is why" "$(cat "$T/.err")" "^irk: $key is closed; its steps can no longer change$"

expect_rc "help for step" 0 irk step --help
expect_match "documents done" "$(cat "$T/.out")" "done KEY STEP"
done_testing
