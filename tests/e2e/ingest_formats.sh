#!/bin/sh
# ingest_formats.sh: each alert format through `irk ingest` into a real
# database, read back with `irk list --json` and `irk show --json`: the
# normalised fields, correlation into incidents, observables, the raw
# record kept byte for byte, and auto-detection of a mixed stream.
. "$IRK_TOP/tests/e2e/lib.sh"

# use NAME: a fresh database for one format.
use() { export IRK_DB="$T/$1.db"; irk init >/dev/null; }
# field KEY JQ: a value from `irk show KEY --json`.
field() { irk show "$1" --json | jq -r "$2"; }

# ---- Suricata EVE ------------------------------------------------------------
use eve
cat >"$T/eve.json" <<'EOF'
{"timestamp":"2025-11-03T08:14:02.413251+0100","flow_id":111,"in_iface":"eth1","event_type":"alert","src_ip":"10.20.1.15","src_port":51544,"dest_ip":"203.0.113.10","dest_port":443,"proto":"TCP","tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":2035464,"rev":2,"signature":"ET MALWARE Cobalt Strike Domain in TLS SNI","category":"A Network Trojan was detected","severity":1,"metadata":{"signature_severity":["Critical"]}},"tls":{"sni":"update.evil-cdn.example"},"app_proto":"tls"}
{"timestamp":"2025-11-03T08:24:02.000000+0100","flow_id":112,"in_iface":"eth1","event_type":"alert","src_ip":"10.20.1.15","src_port":51600,"dest_ip":"203.0.113.10","dest_port":443,"proto":"TCP","tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":2035464,"rev":2,"signature":"ET MALWARE Cobalt Strike Domain in TLS SNI","category":"A Network Trojan was detected","severity":1,"metadata":{"signature_severity":["Critical"]}},"tls":{"sni":"update.evil-cdn.example"},"app_proto":"tls"}
{"timestamp":"2025-11-03T09:00:00Z","flow_id":113,"event_type":"alert","src_ip":"198.51.100.7","src_port":40000,"dest_ip":"10.20.3.80","dest_port":80,"proto":"TCP","alert":{"signature_id":2019401,"signature":"ET WEB_SERVER admin probe","category":"Web Application Attack","severity":2},"http":{"hostname":"shop.example.org","url":"/admin/login.php"}}

{"timestamp":"2025-11-03T09:00:01Z","flow_id":114,"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}
EOF
out=$(irk ingest "$T/eve.json" 2>"$T/err"); rc=$?
expect_eq "eve: summary" "$out" "read 4, new 3, duplicate 0, skipped 1, rejected 0, incidents 2"
expect_eq "eve: a flow record is skipped, not refused: exit 0" "$rc" 0
expect_eq "eve: nothing on stderr" "$(cat "$T/err")" ""
expect_eq "eve: two incidents, highest priority first" "$(irk list --json | jq -c '[.[] | [.key, .severity, .alert_count]]')" \
	'[["IR-1","critical",2],["IR-2","medium",1]]'
# (Category and severity of an incident are the first alert's unless a play
# says otherwise: the alerts' own fields are checked below.)
expect_eq "eve: incident fields (outbound C2: the host is the workstation, not the C2 server)" \
	"$(field IR-1 '[.title, .stage, .rule, .host, .src_ip, .times.first_event, .times.last_event] | join("|")')" \
	"ET MALWARE Cobalt Strike Domain in TLS SNI|new|2035464|10.20.1.15|10.20.1.15|2025-11-03T07:14:02Z|2025-11-03T07:24:02Z"
expect_eq "eve: alert fields (newest first)" \
	"$(field IR-1 '.alerts[0] | [.format, .rule_id, .rule_name, .severity, .host, .src_ip, .dst_ip, .category, .event_time] | join("|")')" \
	"eve|2035464|ET MALWARE Cobalt Strike Domain in TLS SNI|critical|10.20.1.15|10.20.1.15|203.0.113.10|A Network Trojan was detected|2025-11-03T07:24:02Z"
expect_eq "eve: the raw record is kept as read" "$(field IR-1 '.alerts[1].raw')" "$(sed -n 1p "$T/eve.json")"
expect_eq "eve: observables" "$(field IR-1 '[.observables[] | .type + "=" + .value] | sort | join(" ")')" \
	"domain=update.evil-cdn.example ip=10.20.1.15 ip=203.0.113.10"
expect_eq "eve: severity 2 is medium, url observable" \
	"$(field IR-2 '[.severity, ([.observables[] | select(.type == "url") | .value] | join(","))] | join("|")')" \
	"medium|http://shop.example.org/admin/login.php"
expect_eq "eve: the quarantine stays empty" "$(irk quarantine --json | wc -l)" 0

# ---- Wazuh ----------------------------------------------------------------------
use wazuh
cat >"$T/wazuh.json" <<'EOF'
{"timestamp":"2025-11-03T09:02:11.317+0000","rule":{"level":5,"description":"sshd: Attempt to login using a non-existent user","id":"5710","firedtimes":4,"groups":["syslog","sshd","invalid_login","authentication_failed"]},"agent":{"id":"001","name":"web-01","ip":"10.0.1.21"},"manager":{"name":"wazuh-manager"},"id":"1762160531.1048231","full_log":"sshd[2211]: Invalid user admin from 198.51.100.23 port 50122","data":{"srcip":"198.51.100.23","srcport":"50122","srcuser":"admin"},"location":"/var/log/auth.log"}
{"timestamp":"2025-11-03T09:03:11.317+0000","rule":{"level":5,"description":"sshd: Attempt to login using a non-existent user","id":"5710","firedtimes":5,"groups":["syslog","sshd","invalid_login","authentication_failed"]},"agent":{"id":"001","name":"web-01","ip":"10.0.1.21"},"manager":{"name":"wazuh-manager"},"id":"1762160591.1048400","full_log":"sshd[2212]: Invalid user oracle from 198.51.100.23 port 50130","data":{"srcip":"198.51.100.23","srcport":"50130","srcuser":"oracle"},"location":"/var/log/auth.log"}
{"timestamp":"2025-11-03T09:11:03.120+0000","rule":{"level":12,"description":"Administrators Group Changed","id":"60154","groups":["windows","windows_security","group_changed"]},"agent":{"id":"007","name":"dc-01","ip":"10.50.0.11"},"id":"1762161063.2000001","data":{"win":{"eventdata":{"targetUserName":"m.rossi"}}},"location":"EventChannel"}
EOF
expect_eq "wazuh: summary" "$(irk ingest --format wazuh "$T/wazuh.json")" "read 3, new 3, duplicate 0, skipped 0, rejected 0, incidents 2"
expect_eq "wazuh: incidents by priority" "$(irk list --json | jq -c '[.[] | [.key, .rule, .host, .severity, .alert_count]]')" \
	'[["IR-2","60154","dc-01","high",1],["IR-1","5710","web-01","low",2]]'
expect_eq "wazuh: category is the most specific group" "$(field IR-1 .category)" "authentication_failed"
expect_eq "wazuh: alert fields" \
	"$(field IR-1 '.alerts[] | select(.user == "admin") | [.format, .src_ip, .host, .event_time] | join("|")')" \
	"wazuh|198.51.100.23|web-01|2025-11-03T09:02:11Z"
expect_eq "wazuh: the Windows target user" "$(field IR-2 '.alerts[0].user')" "m.rossi"
expect_eq "wazuh: users and addresses as observables" \
	"$(field IR-1 '[.observables[] | select(.type == "user" or .type == "ip") | .value] | sort | join(" ")')" \
	"10.0.1.21 198.51.100.23 admin oracle"

# ---- Elastic Common Schema ------------------------------------------------------
use ecs
cat >"$T/ecs.json" <<'EOF'
{"@timestamp":"2025-11-03T10:15:40.500Z","ecs":{"version":"8.11.0"},"event":{"kind":"signal","id":"c0ffee00-1234-4abc-9def-0123456789ab","category":["process"]},"kibana.alert.severity":"critical","kibana.alert.risk_score":99,"kibana.alert.rule.name":"Credential Dumping - Detected - Elastic Endgame","kibana.alert.rule.rule_id":"571afc56-5ed9-465d-a2a9-045f099f6e7e","host":{"name":"ws-042","ip":["10.20.4.42"]},"user":{"name":"jdoe"},"process":{"name":"procdump64.exe","executable":"C:\\Tools\\procdump64.exe","hash":{"sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}
{"@timestamp":"2025-11-03T10:20:00.000Z","ecs":{"version":"8.11.0"},"event":{"kind":"alert","category":["network"],"severity":80},"rule":{"id":"R-7","name":"Outbound SMB","category":"policy"},"source":{"ip":"10.20.4.42","port":50000},"destination":{"ip":"192.0.2.66","port":445},"observer":{"name":"fw-01"}}
EOF
expect_eq "ecs: summary" "$(irk ingest "$T/ecs.json")" "read 2, new 2, duplicate 0, skipped 0, rejected 0, incidents 2"
expect_eq "ecs: the signal" \
	"$(field IR-1 '[.rule, .title, .severity, .host, .category, (.alerts[0] | .user, .format)] | join("|")')" \
	"571afc56-5ed9-465d-a2a9-045f099f6e7e|Credential Dumping - Detected - Elastic Endgame|critical|ws-042|process|jdoe|ecs"
expect_eq "ecs: process and hash observables" \
	"$(field IR-1 '[.observables[] | select(.type == "hash" or .type == "process") | .value] | sort | join(" ")')" \
	'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 C:\Tools\procdump64.exe'
expect_eq "ecs: risk score 80 is critical; the internal address is the host, not the firewall (observer)" \
	"$(field IR-2 '[.severity, .host, .src_ip, .alerts[0].dst_ip, .category] | join("|")')" \
	"critical|10.20.4.42|10.20.4.42|192.0.2.66|policy"

# ---- Zeek notice.log -------------------------------------------------------------
use zeek
cat >"$T/notice.log" <<'EOF'
{"ts":1762164000.118203,"note":"SSH::Password_Guessing","msg":"198.51.100.23 appears to be guessing SSH passwords (seen in 30 connections).","sub":"Sampled servers:  10.0.1.21","src":"198.51.100.23","peer_descr":"zeek-core","actions":["Notice::ACTION_LOG"],"suppress_for":3600.0}
{"ts":"2025-11-03T10:04:00.250000Z","uid":"C8blOJ21azmhLNSQSg","id.orig_h":"203.0.113.45","id.orig_p":40112,"id.resp_h":"10.20.3.80","id.resp_p":80,"note":"HTTP::SQL_Injection_Attacker","msg":"An SQL injection attacker was discovered!","src":"203.0.113.45","dst":"10.20.3.80","p":80,"actions":["Notice::ACTION_LOG"]}
EOF
expect_eq "zeek: summary" "$(irk ingest --format zeek "$T/notice.log")" "read 2, new 2, duplicate 0, skipped 0, rejected 0, incidents 2"
expect_eq "zeek: guessing names only the guesser" \
	"$(irk list --json | jq -r '.[] | select(.rule == "SSH::Password_Guessing") | [.severity, .host, .src_ip, .times.first_event] | join("|")')" \
	"high|198.51.100.23|198.51.100.23|2025-11-03T10:00:00Z"
expect_eq "zeek: category is the note's module" \
	"$(irk show "$(irk list --json | jq -r '.[] | select(.rule == "SSH::Password_Guessing") | .key')" --json | jq -r '.alerts[0].category')" "SSH"
expect_eq "zeek: a connection notice names its target" \
	"$(irk list --json | jq -r '.[] | select(.rule == "HTTP::SQL_Injection_Attacker") | [.host, .src_ip, .category, .times.first_event] | join("|")')" \
	"10.20.3.80|203.0.113.45|HTTP|2025-11-03T10:04:00Z"

# ---- generic JSON with a [mapping] -----------------------------------------------
use generic
cat >"$IRK_CONFIG" <<'EOF'
[mapping]
time = detected_at
rule_id = detection.id
rule_name = detection.title
severity = detection.severity
host = asset.hostname
src_ip = net.src
user = actor.login
category = detection.tactic
id = uuid
EOF
cat >"$T/generic.json" <<'EOF'
{"uuid":"7e0b1f2a-90b1","detected_at":1762164000123,"detection":{"id":42,"title":"Impossible travel for müller","severity":"High","tactic":"initial-access"},"asset":{"hostname":"vpn-gw-1"},"net":{"src":"198.51.100.77"},"actor":{"login":"müller"}}
{"uuid":"7e0b1f2a-90b2","detected_at":"2025-11-03T10:30:00+02:00","detection":{"id":"AV-1","title":"EICAR test file","severity":35},"asset":{"hostname":"ws-007"}}
{"uuid":"7e0b1f2a-90b3","detection":{"id":"AV-2","title":"no time here"}}
EOF
out=$(irk ingest --format json "$T/generic.json" 2>"$T/err"); rc=$?
expect_eq "json: summary" "$out" "read 3, new 2, duplicate 0, skipped 0, rejected 1, incidents 2"
expect_eq "json: exit 3 with a rejected line" "$rc" 3
expect_match "json: stderr names FILE:LINE and the field" "$(cat "$T/err")" "^$T/generic.json:3: .*detected_at"
expect_eq "json: mapped fields (epoch milliseconds, UTF-8 kept)" \
	"$(irk list --json | jq -r '.[] | select(.rule == "42") | [.title, .host, .src_ip, .times.first_event] | join("|")')" \
	"Impossible travel for müller|vpn-gw-1|198.51.100.77|2025-11-03T10:00:00Z"
expect_eq "json: mapped severity and category" \
	"$(field "$(irk list --json | jq -r '.[] | select(.rule == "42") | .key')" '.alerts[0] | [.severity, .category] | join("|")')" \
	"high|initial-access"
expect_eq "json: a 0-100 score of 35 is low; ISO time with an offset" \
	"$(field "$(irk list --json | jq -r '.[] | select(.rule == "AV-1") | .key')" '.alerts[0] | [.severity, .event_time] | join("|")')" \
	"low|2025-11-03T08:30:00Z"
expect_eq "json: the mapped user" "$(field IR-1 '.alerts[0].user')" "müller"

# ---- auto-detection of a mixed stream from standard input ---------------------------
use mixed
: >"$IRK_CONFIG"
cat "$T/eve.json" "$T/wazuh.json" "$T/ecs.json" "$T/notice.log" | grep -v '"flow"' >"$T/mixed.json"
expect_eq "auto: every format recognised per line" "$(irk ingest - <"$T/mixed.json")" \
	"read 10, new 10, duplicate 0, skipped 0, rejected 0, incidents 8"
expect_eq "auto: formats stored" \
	"$(sql "select format || '=' || count(*) from alerts group by format order by format" | tr '\n' ' ')" \
	"ecs=2 eve=3 wazuh=3 zeek=2 "
out=$(irk ingest - <"$T/generic.json" 2>"$T/err"); rc=$?
expect_eq "auto: generic JSON without a mapping is refused" "$out|$rc" "read 3, new 0, duplicate 0, skipped 0, rejected 3, incidents 0|3"
expect_match "auto: the reason says what to do" "$(sed -n 1p "$T/err")" "^<stdin>:1: not a recognised alert.*\\[mapping\\] in irk.conf"

# ---- the fixtures shipped with the tests ----------------------------------------------
use fixtures
for f in eve wazuh ecs zeek; do
	irk ingest "$IRK_TOP/tests/fixtures/alerts/$f.jsonl" >"$T/out" 2>"$T/err"
	echo "$f $? $(cat "$T/out") $(wc -l <"$T/err")"
done >"$T/summary"
expect_eq "fixtures: each file's summary, exit status and error lines" "$(cat "$T/summary")" \
"eve 3 read 6, new 4, duplicate 0, skipped 1, rejected 1, incidents 4 1
wazuh 3 read 6, new 5, duplicate 0, skipped 0, rejected 1, incidents 5 1
ecs 3 read 6, new 4, duplicate 0, skipped 1, rejected 1, incidents 4 1
zeek 3 read 7, new 6, duplicate 0, skipped 0, rejected 1, incidents 6 1"
expect_eq "fixtures: the quarantine holds every rejected line" "$(irk quarantine --json | wc -l)" 4

done_testing
