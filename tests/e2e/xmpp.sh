#!/bin/sh
# xmpp.sh: XMPP delivery end to end against a real prosody on loopback
# (TLS with a test CA) and a test client (python3-slixmpp): a play's
# notify reaches the senior's JID and the team room and not an analyst;
# 100 messages queued while the server is down (killed) all arrive once,
# in order, when it is back; a server whose certificate another CA signed
# is refused; tls = off says so; the password appears in no log.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

PW=s3cret-irk-pw-4711
start_prosody || { not_ok "prosody starts (contrib/deps.sh installs it)"; done_testing; exit 1; }
ok "prosody listens on 127.0.0.1:$xport"
prosody_user irk "$PW"
prosody_user ben benpw
prosody_user carol carolpw
ROOM=team@conference.localhost

# xmpp_conf [CAFILE [TLS]]: the [xmpp] section for irk on this server.
xmpp_conf() {
	cat <<EOF
[xmpp]
jid = irk@localhost
password = $PW
host = 127.0.0.1
port = $xport
room = $ROOM
nick = irk
cafile = ${1:-$XMPP_CA}
tls = ${2:-required}
EOF
}
cat "$IRK_CONFIG" >"$T/engine.conf"
{ cat "$T/engine.conf"; xmpp_conf; } >"$IRK_CONFIG"
chmod 600 "$IRK_CONFIG"

irk user add ben --role senior --jid ben@localhost >/dev/null
irk user add carol --role analyst --jid carol@localhost >/dev/null
expect_match "irk user list shows the JID" "$(irk user list)" "^ben +senior .* jid ben@localhost$"

cat >"$T/plays/bad.json" <<EOF
{"play": "bad", "name": "Bad state", "version": 1, "match": "rule == 'E2EBad'",
 "steps": [{"id": "tell", "stage": "new", "kind": "notify", "to": ["role:senior", "room"],
   "text": "{{incident.key}} on {{alert.host}}: you are in the BAD state - you need to take action"}]}
EOF
cat >"$T/plays/many.json" <<EOF
{"play": "many", "name": "Many", "version": 1, "match": "rule == 'E2EMany'",
 "steps": [{"id": "tell", "stage": "new", "kind": "notify", "to": "ben",
   "text": "{{incident.key}} message"}]}
EOF
expect_rc "the test plays lint clean" 0 irk play lint "$T/plays/bad.json" "$T/plays/many.json"

check "ben is online and in the room" xmpp_client ben ben@localhost benpw "$ROOM" ben
check "carol (an analyst) is online" xmpp_client carol carol@localhost carolpw
serve s1
joined() { grep -q "joined $ROOM as irk" "$T/s1.log"; }
check "irk serve connects with verified TLS and joins the room" wait_for 20 joined
expect_match "its log says TLS verified" "$(cat "$T/s1.log")" "connected as irk@localhost \(TLS verified\)"

# ---- a play's notify reaches the senior's JID and the room ------------------------
alert E2EBad 'web-1' >"$T/bad.jsonl"
printf '%s\n' "$(alert E2EBad "$(printf 'evil\033]0;x\007-host')" 10.0.0.7)" >>"$T/bad.jsonl"
irk ingest --storm off "$T/bad.jsonl" >/dev/null
chat_of() { grep '"type": "chat"' "$T/$1.log" | grep -c "$2"; }
room_of() { grep '"type": "groupchat"' "$T/$1.log" | grep -c "$2"; }
got_both() { [ "$(chat_of ben 'BAD state')" = 2 ] && [ "$(room_of ben 'BAD state')" = 2 ]; }
if wait_for 20 got_both; then ok "ben gets both notices directly and in the room"; else
	not_ok "ben gets both notices directly and in the room"; sed 's/^/#   /' "$T/ben.log"; fi
key=IR-$(sql "SELECT id FROM incidents WHERE host = 'web-1'")
line=$(grep '"type": "chat"' "$T/ben.log" | grep "$key on web-1")
expect_match "from irk's account, with the incident key" "$line" \
	"\"from\": \"irk@localhost/[^\"]*\", \"type\": \"chat\", \"body\": \"$key on web-1: you are in the BAD state"
oid=$(sql "SELECT min(o.id) FROM outbox o JOIN incidents i ON i.id = o.incident_id WHERE i.host = 'web-1' AND o.recipient = 'role:senior'")
expect_match "its stanza id comes from the message id" "$line" "\"id\": \"irk-out-$oid\""
expect_match "the room's copy is from irk's nickname" "$(grep '"type": "groupchat"' "$T/ben.log" | grep "$key")" \
	"\"from\": \"$ROOM/irk\""
expect_no_match "no control character reaches the chat" "$(cat "$T/ben.log")" 'u001b|u0007'
expect_eq "carol (an analyst) got nothing" "$(chat_of carol BAD)" 0
sent_all() { [ "$(irk outbox --json --limit 0 | jq '[.[] | select(.state != "sent")] | length')" = 0 ]; }
check "irk outbox --json: every message is sent" wait_for 10 sent_all
expect_eq "four messages, state sent" \
	"$(irk outbox --json --limit 0 | jq -c '[.[] | .state] | unique, length' | tr '\n' ' ')" '["sent"] 4 '

# ---- irk watch: a followed incident's state changes reach the follower ---------
expect_rc "ben follows $key" 0 env IRK_USER=ben "$IRK_BIN" watch "$key"
irk claim "$key" >/dev/null
claimed() { [ "$(chat_of ben "$key claimed by alice")" = 1 ]; }
check "ben hears that alice claimed it" wait_for 20 claimed
irk move "$key" identification >/dev/null
moved() { [ "$(chat_of ben "$key moved to identification by alice")" = 1 ]; }
check "and that she moved it" wait_for 20 moved

# ---- prosody killed while 100 messages are queued ---------------------------
kill_prosody
lost() { grep -q "XMPP: disconnected" "$T/s1.log"; }
check "irk serve notices the server is gone" wait_for 20 lost
i=1
while [ $i -le 100 ]; do alert E2EMany "many-$i" "10.0.2.$i"; i=$((i + 1)); done >"$T/many.jsonl"
irk ingest --storm off "$T/many.jsonl" >/dev/null
queued100() { [ "$(sql "SELECT count(*) FROM outbox WHERE recipient = 'ben' AND text LIKE '% message' AND state = 'queued'")" = 100 ]; }
check "100 messages queued while the server is down" wait_for 30 queued100
start_prosody
check "prosody is back on the same port" port_open "$xport"
many() { grep -c '"body": "IR-[0-9]* message"' "$T/ben.log"; }
got100() { [ "$(many)" -ge 100 ]; }
check "the 100 messages arrive" wait_for 60 got100
ids=$(grep '"body": "IR-[0-9]* message"' "$T/ben.log" | jq -r .id)
expect_eq "100 received" "$(printf '%s\n' "$ids" | wc -l | tr -d ' ')" 100
expect_eq "0 duplicates by stanza id" "$(printf '%s\n' "$ids" | sort | uniq -d | wc -l | tr -d ' ')" 0
expect_eq "in the order they were queued" "$(printf '%s\n' "$ids" | sed 's/irk-out-//' | sort -n -c 2>&1 && echo ordered)" ordered
sent100() { [ "$(sql "SELECT count(*) FROM outbox WHERE recipient = 'ben' AND text LIKE '% message' AND state = 'sent'")" = 100 ]; }
check "all 100 recorded sent" wait_for 10 sent100
check "irk rejoined the room after the restart" wait_for 20 sh -c "[ \$(grep -c 'joined $ROOM as irk' '$T/s1.log') -ge 2 ]"

# ---- a message nobody can receive fails with the reason ----------------------
cat >"$T/plays/nojid.json" <<EOF
{"play": "nojid", "name": "No JID", "version": 1, "match": "rule == 'E2ENoJid'",
 "steps": [{"id": "tell", "stage": "new", "kind": "notify", "to": "alice", "text": "hello"}]}
EOF
alert E2ENoJid nojid-1 >"$T/nojid.jsonl"
irk ingest "$T/nojid.jsonl" >/dev/null
retried() { sql "SELECT attempts FROM outbox WHERE recipient = 'alice'" | grep -q '^[1-9]'; }
check "a recipient without a JID is tried again later" wait_for 10 retried
expect_eq "still queued, with the reason" "$(irk outbox --json | jq -r '[.[] | select(.to == "alice")][0] | .state + ": " + .error')" \
	"queued: alice has no JID (irk user set alice --jid JID)"
stop_serves
_serves=""

# ---- TLS: a certificate from another CA is refused -------------------------
{ cat "$T/engine.conf"; xmpp_conf "$XMPP_WRONG_CA"; } >"$IRK_CONFIG"
alert E2EBad web-2 10.0.0.8 >"$T/bad2.jsonl"
irk ingest "$T/bad2.jsonl" >/dev/null
serve s2
refused() { grep -q "certificate .* is not trusted" "$T/s2.log"; }
check "TLS with a wrong CA is refused" wait_for 20 refused
expect_no_match "and never connects" "$(cat "$T/s2.log")" "connected as"
queued_web2() { [ "$(sql "SELECT count(*) FROM outbox o JOIN incidents i ON i.id = o.incident_id WHERE i.host = 'web-2' AND o.state = 'queued'")" = 2 ]; }
check "its messages stay queued" wait_for 10 queued_web2
expect_eq "ben got nothing from it" "$(chat_of ben web-2)" 0
stop_serves
_serves=""

# ---- tls = off: plain text, and said so ---------------------------------------
{ cat "$T/engine.conf"; xmpp_conf "$XMPP_CA" off; } >"$IRK_CONFIG"
serve s3
plain() { grep -q "connected as irk@localhost; TLS off (plain text)" "$T/s3.log"; }
check "tls = off connects in plain text and logs it" wait_for 20 plain
web2() { [ "$(chat_of ben web-2)" = 1 ]; }
check "the queued messages go out then" wait_for 20 web2
stop_serves
_serves=""

# ---- one process delivers; another takes over when it dies ----------------------
{ cat "$T/engine.conf"; xmpp_conf; echo "lease = 3s"; } >"$IRK_CONFIG"
serve s4
serve s5
delivers() { grep -l "this process delivers" "$T/s4.log" "$T/s5.log" 2>/dev/null; }
one() { [ "$(delivers | wc -l)" -ge 1 ]; }
check "one of two irk serve takes the lease" wait_for 20 one
holder=$(basename "$(delivers | head -n 1)" .log)
other=s4; [ "$holder" = s4 ] && other=s5
# A lease round of the other passes without it connecting.
expect_eq "only one of them delivers" "$(delivers | wc -l | tr -d ' ')" 1
expect_no_match "the other does not connect" "$(cat "$T/$other.log")" "connected as"
kill -9 "$(cat "$T/$holder.pid")"
took() { grep -q "this process delivers" "$T/$other.log"; }
check "the other takes over when the holder dies" wait_for 20 took
alert E2EBad web-3 10.0.3.3 >"$T/bad3.jsonl"
irk ingest --storm off "$T/bad3.jsonl" >/dev/null
web3() { [ "$(chat_of ben web-3)" = 1 ]; }
if wait_for 20 web3; then ok "and delivers"; else
	not_ok "and delivers"; sed 's/^/#   /' "$T/$other.log" | tail -20; irk outbox | tail -3 | sed 's/^/#   /'; fi
stop_serves
_serves=""

# ---- a board: tls = off on its status line; with board = yes it delivers ------
. "$IRK_TOP/tests/e2e/helpers/tui.sh"
unset IRK_NOW
{ cat "$T/engine.conf"; xmpp_conf "$XMPP_CA" off; echo "board = yes"; } >"$IRK_CONFIG"
tui_start 120 30
expect_screen "the board's status line says XMPP plain" "XMPP plain" 10
alert E2EBad web-4 10.0.4.4 >"$T/bad4.jsonl"
irk ingest --storm off "$T/bad4.jsonl" >/dev/null
web4() { [ "$(chat_of ben web-4)" = 1 ]; }
check "with board = yes the board delivers" wait_for 20 web4
keys q
check "the board quits" wait_for 10 pane_dead
expect_eq "and nothing of XMPP reached its terminal's stderr" "$(cat "$T/stderr")" ""

# ---- credentials never logged ----------------------------------------------------
expect_eq "the password is in no irk log" "$(cat "$T"/s[1-5].log | grep -c "$PW")" 0
expect_no_match "nor in irk config show" "$(irk config show 2>&1)" "$PW"
expect_eq "nor in the audit log" "$(irk audit log --json | grep -c "$PW")" 0

done_testing
