#!/bin/sh
# chat.sh: commands from chat end to end: irk serve with [xmpp] against a
# private prosody (TLS with a test CA), people sending from the test client
# (python3-slixmpp). An analyst's JID cannot approve; a senior's approval
# opens the dependent exec step, which runs once; a JID that is nobody's
# gets nothing and changes nothing; a message stored while irk was away
# (delivered with a XEP-0203 delay) is not executed. The parser, the room's
# rule and the rate limit are unit-tested (test_chat, test_chat_parse).
IRK_XMPP_PORTS=${IRK_XMPP_PORTS_CHAT:-41600-41699}
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

PW=irk-chat-pw-0815
start_prosody || { not_ok "prosody starts (contrib/deps.sh installs it)"; done_testing; exit 1; }
ok "prosody listens on 127.0.0.1:$xport"
prosody_user irk "$PW"
prosody_user ben benpw
prosody_user carol carolpw
prosody_user mallory mallorypw
{
	echo "[xmpp]"
	echo "jid = irk@localhost"
	echo "password = $PW"
	echo "host = 127.0.0.1"
	echo "port = $xport"
	echo "cafile = $XMPP_CA"
} >>"$IRK_CONFIG"
chmod 600 "$IRK_CONFIG"
irk user add ben --role senior --jid ben@localhost >/dev/null
irk user add carol --role analyst --jid carol@localhost >/dev/null

printf '#!/bin/sh\necho "$1" >>"%s"\n' "$T/isolated" >"$T/isolate"
chmod 755 "$T/isolate"
printf '%s\n' '{"play": "dup", "name": "Duplicate process", "version": 1, "match": "rule == '"'E2EChat'"'",' \
	' "steps": [' \
	'  {"id": "decide", "stage": "new", "kind": "approval", "title": "Decide further mitigation",' \
	'   "role": "senior"},' \
	'  {"id": "isolate", "stage": "new", "kind": "exec", "title": "Isolate",' \
	"   \"argv\": [\"$T/isolate\", \"{{alert.host}}\"], \"needs\": [\"decide\"]}]}" \
	>"$T/plays/dup.json"
expect_rc "the test play lints clean" 0 irk play lint "$T/plays/dup.json"

# ask NAME BODY: NAME@localhost sends BODY to irk and waits (10 s at most)
# for the answer; prints the bodies irk sent back to that session (or, once
# it left, to the bare JID's other session in $T/NAME.log).
ask() {
	_log="$T/ask-$1.$_n.log"
	/usr/bin/python3 "$IRK_TOP/tests/fixtures/xmpp_client.py" --jid "$1@localhost" \
		--password "$1pw" --port "$xport" --log "$_log" --send irk@localhost "$2" \
		--reply 10 </dev/null 2>>"$T/ask.err"
	cat "$_log" "$T/$1.log" 2>/dev/null | jq -r 'select(.event == "message" and
		(.from | startswith("irk@localhost"))) | .body'
	[ ! -f "$T/$1.log" ] || : >"$T/$1.log"
}

check "ben is online" xmpp_client ben ben@localhost benpw
check "mallory (no irk user) is online" xmpp_client mallory mallory@localhost mallorypw
serve s1
connected() { grep -q "connected as irk@localhost (TLS verified)" "$T/s1.log"; }
check "irk serve connects with verified TLS" wait_for 20 connected

alert E2EChat web-7 10.0.7.7 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
key=IR-$(sql "SELECT id FROM incidents WHERE host = 'web-7'")
check "$key's decision waits for a senior" wait_for 10 state_is "$key" decide waiting

# ---- an analyst's JID cannot approve -----------------------------------------
out=$(ask carol "approve $key decide")
expect_eq "carol (an analyst) is told why" "$out" \
	"only a senior or admin can grant decide (you are an analyst)"
expect_eq "the decision still waits" "$(state "$key" decide)" waiting
expect_eq "the refusal is audited with channel xmpp and her JID" \
	"$(sql "SELECT actor || ' ' || json_extract(data, '\$.channel') || ' ' || json_extract(data, '\$.jid') || ' ' || json_extract(data, '\$.result') FROM events WHERE kind = 'chat.command'")" \
	"carol xmpp carol@localhost refused"

# ---- a JID that is nobody's gets nothing and changes nothing -------------------
events0=$(sql "SELECT count(*) FROM events")
/usr/bin/python3 "$IRK_TOP/tests/fixtures/xmpp_client.py" --jid mallory@localhost \
	--password mallorypw --port "$xport" --log "$T/mallory-say.log" \
	--send irk@localhost "approve $key decide" </dev/null 2>>"$T/ask.err"
# irk reads its stream in order: ben's answer comes after mallory's
# message was handled.
expect_match "ben's status comes after it" "$(ask ben "status $key")" \
	"^$key P[1-4] .*nobody holds it: "
expect_eq "mallory got no answer" \
	"$(cat "$T/mallory-say.log" "$T/mallory.log" | jq -r 'select(.event == "message") | .body')" ""
expect_eq "nothing was written for mallory's message (only ben's status)" \
	"$(sql "SELECT count(*) FROM events")" "$((events0 + 1))"
expect_eq "the decision still waits" "$(state "$key" decide)" waiting

# ---- a senior's approval opens the dependent step, which runs once ---------------
out=$(ask ben "Approve ${key} decide")
expect_eq "ben's approval is answered with what changed" "$out" \
	"$key: decide waiting -> done; isolate pending -> ready"
check "the isolation runs" wait_for 20 state_is "$key" isolate done
expect_eq "once, for web-7" "$(cat "$T/isolated")" web-7
expect_eq "granted by ben, audited from xmpp" \
	"$(sql "SELECT count(*) FROM events WHERE kind = 'chat.command' AND actor = 'ben' AND json_extract(data, '\$.command') = 'approve' AND json_extract(data, '\$.result') = 'ok' AND json_extract(data, '\$.jid') = 'ben@localhost'")" 1
expect_eq "the step records ben" "$(sql "SELECT done_by FROM steps WHERE step_id = 'decide'")" ben

# ---- a message stored while irk was away is not executed -------------------------
stop_serves
_serves=""
/usr/bin/python3 "$IRK_TOP/tests/fixtures/xmpp_client.py" --jid ben@localhost --password benpw \
	--port "$xport" --log "$T/offline-say.log" \
	--send irk@localhost "note $key sent while irk was away" </dev/null 2>>"$T/ask.err"
serve s2
check "irk serve is back" wait_for 20 grep -q "connected as irk@localhost" "$T/s2.log"
expect_match "ben's next command is answered" "$(ask ben "status $key")" "^$key P[1-4] "
expect_eq "the delayed note was not added" \
	"$(sql "SELECT count(*) FROM notes WHERE text LIKE 'sent while%'")" 0
expect_eq "nor answered" "$(cat "$T/offline-say.log" "$T/ben.log" | grep -c 'note added')" 0
out=$(ask ben "note $key sent now")
expect_eq "the same command sent now is" "$out" "note added to $key"
expect_eq "and recorded" "$(sql "SELECT count(*) FROM notes WHERE actor = 'ben' AND text = 'sent now'")" 1

expect_eq "the password is in no irk log" "$(cat "$T"/s[12].log | grep -c "$PW")" 0
done_testing
