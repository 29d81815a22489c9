#!/bin/sh
# ingest_storm.sh: storm grouping through the real binary (irk(1) STORM
# GROUPING). A storm of 20,000 alerts of one rule from distinct hosts
# within ten minutes ends up in at most five incidents (threshold 4), with
# every host an observable: the storm, and the incidents opened before it
# that someone touched (claimed, noted); the untouched ones fold into the
# storm, closed as its duplicates. The storm says so in irk show --json, irk list
# and irk board; irk split makes a new incident with the host's alerts, and
# the host's later alerts join it; storm = off opens one incident a host;
# a kill -9 in the middle of a storm, then the same input again, loses
# nothing and doubles nothing.
. "$IRK_TOP/tests/e2e/lib.sh"

N=20000
irk init >/dev/null
gen_eve --storm $N 7 1 >"$T/storm.json"
hosts=$(grep -o '"src_ip":"[^"]*"' "$T/storm.json" | sort -u | wc -l)
check "the storm comes from thousands of distinct hosts ($hosts)" [ "$hosts" -gt 19000 ]

printf '[ingest]\nstorm_threshold = 4\n' >"$IRK_CONFIG"
# The storm's first four alerts open four incidents; a person claims one
# and notes another before the rest comes.
head -n 4 "$T/storm.json" >"$T/first.json"
out=$(irk ingest "$T/first.json")
expect_eq "the first four alerts open four incidents" "$out" \
	"read 4, new 4, duplicate 0, skipped 0, rejected 0, incidents 4"
expect_rc "IR-2 claimed" 0 irk claim IR-2
expect_rc "IR-3 noted" 0 irk note IR-3 "looking at this one"
out=$(irk ingest "$T/storm.json"); rc=$?
expect_eq "20,000 alerts, one incident more: the storm" "$out|$rc" \
	"read $N, new $((N - 4)), duplicate 4, skipped 0, rejected 0, incidents 1|0"
expect_eq "irk list: three cards (the storm and the two touched)" "$(irk list | wc -l)" 3
key=$(irk list --json | jq -r '.[] | select(.storm) | .key')
expect_eq "one of them is the storm" "$key" "IR-5"
irk show "$key" --json >"$T/show.json"
expect_eq "irk show --json: \"storm\": true" "$(jq -r .storm "$T/show.json")" true
expect_eq "the other two are the claimed and the noted" \
	"$(irk list --json | jq -r '[.[] | select(.storm == false) | .key] | sort | join(" ")')" "IR-2 IR-3"
expect_eq "the untouched two are closed as duplicates" \
	"$(sql "select group_concat(id || ':' || stage || ':' || resolution, ' ') from
		(select * from incidents where id in (1, 4) order by id)")" \
	"1:closed:duplicate 4:closed:duplicate"
expect_eq "...with no alert left" "$(sql "select count(*) from alerts where incident_id in (1, 4)")" 0
expect_eq "...their hosts are the storm's" \
	"$(sql "select count(*) from observables where incident_id = 5 and type = 'host' and value in
		(select src_ip from alerts where id in (1, 4))")" 2
expect_match "...the history says why" "$(irk show IR-1)" "folded into the storm IR-5"
expect_match "...and the audit log" "$(irk audit log --incident IR-4)" \
	"incident.close .*\"resolution\":\"duplicate\".*folded into the storm IR-5"
expect_match "the storm's audit names what came" "$(irk audit log --incident IR-5)" \
	"incident.merge .*\"from\":\"IR-1\""
expect_eq "the storm links its duplicates" \
	"$(sql "select group_concat(a, ' ') from (select a from links where b = 5 and kind = 'duplicate' order by a)")" "1 4"
expect_eq "the touched keep their alerts" "$(sql "select count(*) from alerts where incident_id in (2, 3)")" 2
storm_hosts=$(jq '[.observables[] | select(.type == "host")] | length' "$T/show.json")
expect_eq "every host of the storm is an observable" "$storm_hosts" "$(sql "select count(distinct src_ip) from alerts where incident_id = 5")"
expect_eq "every host is its incident's (the storm's observable or the incident's own host)" \
	"$(sql "select count(distinct a.src_ip) from alerts a join incidents i on i.id = a.incident_id
		where i.host = a.src_ip or exists (select 1 from observables o where o.incident_id = i.id
		and o.type = 'host' and o.value = a.src_ip)")" "$hosts"
expect_match "the title counts the hosts" "$(jq -r .title "$T/show.json")" \
	"^ET SCAN Potential SSH Scan \(0\) on [0-9]{2},[0-9]{3} hosts$"
expect_eq "the count is the number of hosts" \
	"$(jq -r .title "$T/show.json" | sed 's/.* on \([0-9,]*\) hosts$/\1/' | tr -d ,)" "$storm_hosts"
expect_match "irk list marks the storm" "$(irk list)" "^IR-5 .*\[storm\] ET SCAN Potential SSH Scan \(0\) on"
expect_match "irk board marks the storm" "$(irk board)" "^  IR-5 .*\[storm\] ET SCAN"
expect_match "irk show says it is a storm" "$(irk show IR-5)" "storm +yes"
some=$(sql "select value from observables where incident_id = 5 and type = 'host' order by value desc limit 1")
expect_match "irk list --observable finds the storm by one of its hosts" "$(irk list --observable "$some")" "^IR-5 .*\[storm\]"
expect_eq "irk list --json has storm: one is true" "$(irk list --json | jq "[.[] | select(.storm)] | length")" 1

# ---- split ----------------------------------------------------------------------
host=$(sql "select value from observables where incident_id = 5 and type = 'host' order by value limit 1")
n=$(sql "select count(*) from alerts where incident_id = 5 and src_ip = '$host'")
out=$(irk split IR-5 "$host"); rc=$?
expect_eq "irk split names the new incident" "$out|$rc" "IR-6: $host split out of IR-5|0"
irk show IR-6 --json >"$T/six.json"
expect_eq "the new incident has the host's alerts" "$(jq .alert_count "$T/six.json")" "$n"
expect_eq "...every one of them" "$(sql "select count(*) from alerts where incident_id = 6")" "$n"
expect_eq "...and none is left in the storm" "$(sql "select count(*) from alerts where incident_id = 5 and src_ip = '$host'")" 0
expect_eq "the new incident is no storm, about the host" "$(jq -r '[.storm, .host] | join(" ")' "$T/six.json")" "false $host"
expect_eq "the host is no longer one of the storm's" \
	"$(irk show IR-5 --json | jq --arg h "$host" '[.observables[] | select(.type == "host" and .value == $h)] | length')" 0
expect_eq "the storm's title counts one host fewer" \
	"$(irk show IR-5 --json | jq -r .title | sed 's/.* on \([0-9,]*\) hosts$/\1/' | tr -d ,)" $((storm_hosts - 1))
expect_match "audited on the storm" "$(irk audit log --incident IR-5)" "incident.split .*\"host\":\"$host\".*\"to\":\"IR-6\""
expect_rc "audit chain intact after the split" 0 irk audit verify
# The host's later alert joins its own incident, another host's the storm.
later=$(head -n 1 "$T/storm.json" | sed "s/\"flow_id\":[0-9]*/\"flow_id\":4242/; s/\"src_ip\":\"[^\"]*\"/\"src_ip\":\"$host\"/; s/00:00:00\./00:09:00./g")
other=$(head -n 1 "$T/storm.json" | sed "s/\"flow_id\":[0-9]*/\"flow_id\":4343/; s/\"src_ip\":\"[^\"]*\"/\"src_ip\":\"10.250.0.1\"/; s/00:00:00\./00:09:01./g")
printf '%s\n%s\n' "$later" "$other" >"$T/later.json"
out=$(irk ingest "$T/later.json")
expect_eq "later alerts open nothing" "$out" "read 2, new 2, duplicate 0, skipped 0, rejected 0, incidents 0"
expect_eq "the split host's later alert joins its incident" \
	"$(sql "select incident_id from alerts where json_extract(raw, '\$.flow_id') = 4242")" 6
expect_eq "a new host's alert joins the storm" \
	"$(sql "select incident_id from alerts where json_extract(raw, '\$.flow_id') = 4343")" 5
expect_rc "splitting a plain incident is refused" 1 irk split IR-1 10.0.0.1
expect_match "...saying why" "$(cat "$T/.err")" "IR-1 is not an open storm incident"
expect_rc "a host the storm does not have is refused" 1 irk split IR-5 10.99.99.99
expect_match "...saying so" "$(cat "$T/.err")" "IR-5 has no alert of host '10.99.99.99'"
expect_rc "split needs a host" 2 irk split IR-5
expect_match "irk split --help" "$(irk split --help)" "Split HOST out of the storm incident KEY"

# ---- off: one incident a host -------------------------------------------------------
export IRK_DB="$T/off.db"
irk init >/dev/null
printf '[ingest]\nstorm = off\n' >"$IRK_CONFIG"
gen_eve --storm 2000 7 1 >"$T/small.json"
h2=$(grep -o '"src_ip":"[^"]*"' "$T/small.json" | sort -u | wc -l)
out=$(irk ingest "$T/small.json")
expect_eq "storm = off: one incident a host, as before" "$out" \
	"read 2000, new 2000, duplicate 0, skipped 0, rejected 0, incidents $h2"
expect_eq "storm = off: no storm" "$(sql "select count(*) from incidents where storm = 1")" 0
expect_match "irk config show: the three keys" "$(irk config show)" "storm = off"
rm -f "$T"/off.db*
irk init >/dev/null
: >"$IRK_CONFIG"
out=$(irk ingest --storm off "$T/small.json")
expect_eq "--storm off: one incident a host, irk.conf notwithstanding" "$out" \
	"read 2000, new 2000, duplicate 0, skipped 0, rejected 0, incidents $h2"
expect_rc "--storm takes on or off" 2 irk ingest --storm maybe "$T/small.json"

# ---- kill -9 in the middle of a storm --------------------------------------------
export IRK_DB="$T/kill.db"
: >"$IRK_CONFIG"
irk init >/dev/null
K=100000
gen_eve --storm $K 9 >"$T/big.json"
alerts() { sql "select count(*) from alerts"; }
some_committed() { [ "$(alerts)" -gt 0 ]; }
"$IRK_BIN" ingest --batch 2000 "$T/big.json" >"$T/out1" 2>"$T/err1" &
pid=$!
wait_for 20 some_committed
kill -9 $pid
wait $pid
expect_eq "the ingest was killed, not finished" "$?" 137
got=$(alerts)
check "killed half way: some but not all alerts stored ($got)" [ "$got" -gt 0 -a "$got" -lt $K ]
expect_eq "the storms' titles count their hosts after the kill" \
	"$(sql "select count(*) from incidents i where storm = 1 and
		cast(replace(substr(title, instr(title, ' on ') + 4), ',', '') as integer) <>
		(select count(*) from observables o where o.incident_id = i.id and o.type = 'host')")" 0
out=$(irk ingest "$T/big.json"); rc=$?
expect_match "re-ingest: exactly the missing alerts are new" "$out|$rc" \
	"^read $K, new $((K - got)), duplicate $got, skipped 0, rejected 0, incidents [0-9]+\|0$"
expect_eq "exactly $K alerts" "$(alerts)" $K
expect_eq "no duplicates: every record once" "$(sql "select count(distinct raw) from alerts")" $K
expect_eq "one storm a rule" "$(sql "select count(*) || ' ' || count(distinct rule) from incidents where storm = 1")" "6 6"
expect_eq "at most 51 incidents a rule (50 and the storm)" \
	"$(sql "select max(n) from (select count(*) n from incidents group by rule)")" 51
expect_eq "one open incident a rule: the storm (the others folded into it)" \
	"$(sql "select max(n) from (select count(*) n from incidents where stage <> 'closed' group by rule)")" 1
expect_eq "incident counts add up" "$(sql "select sum(alert_count) from incidents")" $K
expect_eq "every host is an observable of its storm or its incident's host" \
	"$(sql "select count(*) from alerts a join incidents i on i.id = a.incident_id
		where (i.storm = 0 and i.host <> a.src_ip) or (i.storm = 1 and not exists
		(select 1 from observables o where o.incident_id = i.id and o.type = 'host' and o.value = a.src_ip))")" 0
expect_eq "the titles count their hosts" \
	"$(sql "select count(*) from incidents i where storm = 1 and
		cast(replace(substr(title, instr(title, ' on ') + 4), ',', '') as integer) <>
		(select count(*) from observables o where o.incident_id = i.id and o.type = 'host')")" 0
expect_rc "audit chain intact" 0 irk audit verify

done_testing
