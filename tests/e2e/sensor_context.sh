#!/bin/sh
# sensor_context.sh: an incident's sensor context as a new user met it
# (issue 16 follow-up): DNS lookups belong to the client that asked, so a
# resolver's incident does not get every client's lookups; a lookup logged
# as a query and an answer counts once and shows its answer; ssh, smtp,
# anomaly and flow events show; a context longer than irk shows says how
# many more there are; irk sensor list lists the kept events. Each check
# failed before its fix.
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
printf '[ingest]\nkeep = dns, http, tls, flow, ssh, smtp, anomaly\nkeep_days = 0\n' >"$IRK_CONFIG"
ts() { printf '2026-11-02T10:%02d:%02d.000000+0000' "$1" "$2"; }
rec() { # TIME TYPE SRC SPORT DST DPORT EXTRA
	printf '{"timestamp":"%s","event_type":"%s","src_ip":"%s","src_port":%s,"dest_ip":"%s","dest_port":%s,"proto":"TCP","host":"ids-1"%s}\n' "$@"
}
{
	# A client (10.1.2.15) on a bad domain: an alert, its lookup as a query
	# and an answer, 24 more lookups of its own, a flow, ssh, smtp, anomaly.
	printf '{"timestamp":"%s","event_type":"alert","src_ip":"10.1.2.15","src_port":49830,"dest_ip":"185.220.101.7","dest_port":443,"proto":"TCP","alert":{"signature_id":1,"signature":"bad domain","severity":1}}\n' "$(ts 20 0)"
	rec "$(ts 19 0)" dns 10.1.2.15 53211 10.1.0.53 53 ',"dns":{"type":"query","id":1,"rrname":"update.bad.example","rrtype":"A"}'
	rec "$(ts 19 1)" dns 10.1.0.53 53 10.1.2.15 53211 ',"dns":{"version":2,"type":"answer","id":1,"rrname":"update.bad.example","rrtype":"A","answers":[{"rrname":"update.bad.example","rrtype":"A","rdata":"185.220.101.7"}]}'
	i=0; while [ $i -lt 24 ]; do
		rec "$(ts 10 $i)" dns 10.1.2.15 $((50000 + i)) 10.1.0.53 53 ",\"dns\":{\"type\":\"query\",\"rrname\":\"n$i.corp.example\",\"rrtype\":\"A\"}"
		i=$((i + 1))
	done
	rec "$(ts 21 0)" flow 10.1.2.15 49830 185.220.101.7 443 ',"flow":{"pkts_toserver":30,"pkts_toclient":50,"bytes_toserver":3333,"bytes_toclient":50000}'
	rec "$(ts 22 0)" ssh 10.1.2.15 51000 10.1.3.9 22 ',"ssh":{"client":{"proto_version":"2.0","software_version":"OpenSSH_8.9"},"server":{"proto_version":"2.0","software_version":"OpenSSH_9.2p1"}}'
	rec "$(ts 23 0)" smtp 10.1.2.15 40020 10.1.5.25 25 ',"smtp":{"helo":"ws15.corp.example","mail_from":"<a@corp.example>","rcpt_to":["<b@evil.example>"]}'
	rec "$(ts 24 0)" anomaly 10.1.2.15 49840 185.220.101.7 80 ',"anomaly":{"type":"applayer","event":"INVALID_HEADER","layer":"proto_parser"}'
	# The resolver (10.1.0.53) alerted on too; its clients ask it all day.
	printf '{"timestamp":"%s","event_type":"alert","src_ip":"10.1.0.53","src_port":40000,"dest_ip":"198.51.100.20","dest_port":53,"proto":"UDP","alert":{"signature_id":2,"signature":"resolver odd","severity":2}}\n' "$(ts 30 0)"
	i=0; while [ $i -lt 12 ]; do
		rec "$(ts 31 $i)" dns 10.5.0.$i 30000 10.1.0.53 53 ",\"dns\":{\"type\":\"query\",\"rrname\":\"client$i.example\",\"rrtype\":\"A\"}"
		rec "$(ts 31 $((i + 20)))" dns 10.1.0.53 53 10.5.0.$i 30000 ",\"dns\":{\"version\":2,\"type\":\"answer\",\"rrname\":\"client$i.example\",\"rrtype\":\"A\",\"answers\":[{\"rdata\":\"192.0.2.$i\"}]}"
		i=$((i + 1))
	done
	rec "$(ts 32 0)" dns 10.1.0.53 40001 198.51.100.20 53 ',"dns":{"type":"query","rrname":"upstream.example","rrtype":"NS"}'
} >"$T/stream.json"
expect_eq "ingested" "$(irk ingest "$T/stream.json")" \
	"read 57, new 2, duplicate 0, skipped 55, rejected 0, incidents 2, kept 55"

show=$(irk show IR-1)
ctx=$(printf '%s\n' "$show" | sed -n '/^Sensor context/,/^$/p')
expect_match "a lookup logged as query and answer counts once, with its answer" "$ctx" \
	"  2026-11-02 10:19  dns      update.bad.example \\(A 185.220.101.7\\)\$"
expect_match "flows: the peer, flows and bytes" "$ctx" \
	"  2026-11-02 10:21  flow     185.220.101.7: 1 flow, 53.3 kB"
expect_match "ssh: client and server software" "$ctx" \
	"  2026-11-02 10:22  ssh      10.1.2.15 > 10.1.3.9 \\(client OpenSSH_8.9, server OpenSSH_9.2p1\\)"
expect_match "smtp: mail from, rcpt to, helo" "$ctx" \
	"  2026-11-02 10:23  smtp     from <a@corp.example> to <b@evil.example> \\(helo ws15.corp.example\\)"
expect_match "anomaly: its event" "$ctx" "  2026-11-02 10:24  anomaly  INVALID_HEADER \\(proto_parser\\)"
expect_eq "20 lines shown" "$(printf '%s\n' "$ctx" | grep -c '^  2026')" 20
expect_match "and how many more there are" "$ctx" "  \\.\\.\\. 9 more \\(irk sensor list shows every kept event\\)"
expect_eq "--json: the total beside the lines" \
	"$(irk show IR-1 --json | jq -c '[(.sensor | length), .sensor_total]')" "[20,29]"
expect_eq "--json: the answer and the newest event" \
	"$(irk show IR-1 --json | jq -c '.sensor[] | select(.what == "update.bad.example") | [.detail, .answer, .count]')" \
	'["A","185.220.101.7",1]'

ctx=$(irk show IR-2 | sed -n '/^Sensor context/,/^$/p')
expect_no_match "the resolver's incident: not its clients' lookups" "$ctx" "client[0-9]*\\.example"
expect_match "but its own" "$ctx" "  2026-11-02 10:32  dns      upstream.example \\(NS\\)"
expect_no_match "nor the client's lookup of IR-1" "$ctx" "update.bad.example"

# ---- irk sensor list ----------------------------------------------------------------
expect_eq "irk sensor list --type ssh" "$(irk sensor list --type ssh | cut -c1-61)" \
	"2026-11-02 10:22  ssh      10.1.2.15:51000 > 10.1.3.9:22  {\"t"
expect_eq "--host: either side; --since/--until; oldest first" \
	"$(irk sensor list --host 10.1.0.53 --since 2026-11-02T10:31:10Z --until 2026-11-02T10:31:21Z |
	   awk '{print $4, $6, $7}')" \
	"10.5.0.10:30000 10.1.0.53:53 client10.example
10.5.0.11:30000 10.1.0.53:53 client11.example
10.1.0.53:53 10.5.0.0:30000 client0.example
10.1.0.53:53 10.5.0.1:30000 client1.example"
expect_eq "--limit: the newest N" "$(irk sensor list --limit 2 | awk '{print $3}' | tr '\n' ' ')" "dns dns "
expect_eq "--limit 2 are the newest two" "$(irk sensor list --limit 2 --json | jq -r .time | tr '\n' ' ')" \
	"2026-11-02T10:31:31Z 2026-11-02T10:32:00Z "
expect_eq "--json: the fields of its type and the raw record" \
	"$(irk sensor list --type flow --json | jq -c '[.type, .src_ip, .dst_port, .bytes, .packets, (.raw | fromjson | .flow_id)]')" \
	'["flow","10.1.2.15",443,53333,80,null]'
expect_eq "every kept event by default, up to 100" "$(irk sensor list | wc -l)" 55
expect_rc "a wrong type is a usage error" 2 irk sensor list --type netflow
expect_match "naming it" "$(cat "$T/.err")" "no event type 'netflow'"
expect_rc "a wrong time too" 2 irk sensor list --since yesterday
expect_rc "prune takes no filter" 2 irk sensor prune --host 10.1.2.15
expect_match "irk sensor --help lists list" "$(irk sensor --help)" "list \\[--host H\\]"

done_testing
