#!/bin/sh
# ingest_malformed.sh: 23 bad lines of every kind among 20,000: each is
# quarantined with its file and line number and named on stderr as
# FILE:LINE: reason, ingest goes on, the rest is accepted, exit 3. Two
# records that are well formed but not alerts (an EVE flow, an ECS event)
# are skipped among them: counted, neither quarantined nor reported.
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
gen_eve 20000 11 >"$T/good.json"
# The bad lines, by line number: first and last line included, two in a row,
# one in each batch of the run below.
/usr/bin/python3 - "$T/good.json" "$T/in.json" "$T/bad.txt" <<'PY'
import sys
good = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
bad = {
    1: b'{"timestamp": "2025-11-01T00:00:00Z", "event_type": "alert"',          # cut short
    77: b'not json at all',
    500: b'[1, 2, 3]',                                                          # not an object
    1200: b'{"timestamp":"2025-11-01T00:00:00Z","event_type":"alert","alert":{"signature":"x\xff\xfe"}}',  # invalid UTF-8
    2500: b'{"timestamp":"2025-11-01T00:00:00Z","event_type":"alert","alert":{"signature":"' + b"A" * (1024 * 1024 + 10) + b'"}}',  # over 1 MiB
    2501: b'{"event_type":"alert","alert":{"signature_id":1,"signature":"no time"}}',
    3000: b'{"timestamp":"yesterday","event_type":"alert","alert":{"signature_id":1}}',
    4000: b'{"timestamp":"2025-02-29T10:00:00Z","event_type":"alert","alert":{"signature_id":1}}',  # no such day
    5000: b'{"timestamp":"2025-11-01T00:00:00Z","event_type":"flow"}',
    6000: b'{"hello":"world"}',                                                 # no known format
    7000: b'{"a":1}}',                                                          # trailing garbage
    8000: b'{"a":"\x01raw control"}',
    9000: b'{"a":"\\ud800"}',                                                   # lone surrogate
    10000: b'"just a string"',
    11000: b'{"a":01}',
    12000: b'{,}',
    13000: b'{"timestamp":"2025-11-01T00:00:00Z","event_type":"alert","alert":{"signature":"\xc0\xaf"}}',  # overlong
    14000: b'{"a":[1,2,}',
    15000: b'{"a":tru}',
    16000: b'{"ts":"x","note":"Scan::Port_Scan"}',                              # Zeek, bad time
    17000: b'{"@timestamp":"2025-11-01T00:00:00Z","event":{"kind":"event"}}',    # ECS, not an alert
    18000: b'{"timestamp":"2025-11-01T00:00:00Z","rule":{"level":3},"agent":{"name":"x"},"x":}',
    19000: b'\x00\x00\x00',
    19999: b'{"unterminated": "string}',
    20000: b'}',
}
out = []
for i, line in enumerate(good, 1):
    out.append(bad.get(i, line))
open(sys.argv[2], "wb").write(b"\n".join(out) + b"\n")
open(sys.argv[3], "w").write("\n".join(str(n) for n in sorted(bad)) + "\n")
PY
# The two records that are not alerts are skipped, not bad.
grep -vx -e 5000 -e 17000 "$T/bad.txt" >"$T/bad.only" && mv "$T/bad.only" "$T/bad.txt"
expect_eq "23 bad lines planted" "$(wc -l <"$T/bad.txt")" 23

irk ingest --batch 3000 "$T/in.json" >"$T/out" 2>"$T/err"
expect_eq "exit 3: some input rejected" "$?" 3
expect_eq "summary" "$(cat "$T/out")" "read 20000, new 19975, duplicate 0, skipped 2, rejected 23, incidents $(sql "select count(*) from incidents")"
expect_eq "the rest is accepted" "$(sql "select count(*) from alerts")" 19975
expect_eq "one stderr line per bad line" "$(grep -c "^$T/in.json:[0-9]*: " "$T/err")" 23
expect_eq "and one hint for the lines in no known format" "$(sed -n '$p' "$T/err")" \
	"irk ingest: $(grep -c ": not a recognised alert" "$T/err") lines in no format irk recognises: give --format F, or a [mapping] in irk.conf (irk.conf(5))"
expect_eq "stderr names FILE:LINE of each, in order" \
	"$(sed -n "s|^$T/in.json:\([0-9]*\): .*|\1|p" "$T/err")" "$(cat "$T/bad.txt")"
expect_eq "all 23 in the quarantine, with file and line" \
	"$(irk quarantine --json | jq -r 'select(.source == "'"$T/in.json"'") | .line' | sort -n)" "$(cat "$T/bad.txt")"
expect_match "an over-long line says so" "$(grep ":2500: " "$T/err")" "line of 1048[0-9]+ bytes is over the 1048576 byte limit"
expect_eq "its full length is recorded, its first MiB kept" \
	"$(irk quarantine --json | jq -r 'select(.line == 2500) | [.length, (.raw | length)] | @tsv')" \
	"$(printf '%s\t1048576' "$(sed -n 2500p "$T/in.json" | wc -c | awk '{print $1 - 1}')")"
expect_match "invalid UTF-8 is named" "$(grep ":1200: " "$T/err")" "UTF-8"
expect_match "a missing time names the field" "$(grep ":2501: " "$T/err")" "no usable time in field 'timestamp'"
expect_match "an impossible date is refused" "$(grep ":4000: " "$T/err")" "no usable time"
expect_match "malformed JSON names the column" "$(grep ":1: " "$T/err")" "malformed JSON at column [0-9]+"
expect_eq "a flow record and an ECS event are not named on stderr" "$(grep -c ":5000: \|:17000: " "$T/err")" 0
fid=$(sed -n 2p "$T/in.json" | jq .flow_id)
expect_eq "the good line after a bad one is stored" \
	"$(sql "select count(*) from alerts where json_extract(raw, '\$.flow_id') = $fid")" 1
expect_eq "stderr carries no raw control bytes" "$(LC_ALL=C tr -d '\n\t -~\200-\377' <"$T/err" | wc -c)" 0
expect_rc "audit chain intact" 0 irk audit verify
expect_eq "each batch audited with its rejected and skipped counts" \
	"$(sql "select sum(json_extract(data, '\$.rejected')) || ' ' || sum(json_extract(data, '\$.skipped')) from events where kind = 'ingest.batch'")" "23 2"

# An EVE alert with no alert object (no rule id, no rule name, no
# addresses) opened an incident titled "unknown": it is rejected.
printf '%s\n' '{"event_type":"alert","timestamp":"2026-12-01T04:00:00Z"}' >"$T/empty.json"
n=$(sql "select count(*) from incidents")
irk ingest "$T/empty.json" >"$T/out" 2>"$T/err.empty"
expect_eq "an alert with no rule: exit 3, rejected" "$?|$(cat "$T/out")" \
	"3|read 1, new 0, duplicate 0, skipped 0, rejected 1, incidents 0"
expect_eq "the reason names the fields" "$(cat "$T/err.empty")" \
	"$T/empty.json:1: no rule: neither 'alert.signature_id' nor 'alert.signature' is given"
expect_eq "no incident opened" "$(sql "select count(*) from incidents")" "$n"
expect_eq "it is in the quarantine with its reason" \
	"$(irk quarantine --json | jq -r 'select(.source == "'"$T/empty.json"'") | .reason')" \
	"no rule: neither 'alert.signature_id' nor 'alert.signature' is given"

# Again: the good lines are duplicates now, the bad ones are rejected again.
irk ingest "$T/in.json" >"$T/out" 2>/dev/null
expect_eq "a second run adds nothing and rejects the same 23" "$?|$(cat "$T/out")" \
	"3|read 20000, new 0, duplicate 19975, skipped 2, rejected 23, incidents 0"
expect_eq "the quarantine keeps one row for each of them (not 46)" \
	"$(irk quarantine --json | jq -r 'select(.source == "'"$T/in.json"'") | .line' | wc -l)" 23
expect_eq "quarantine --limit 2: the newest two" "$(irk quarantine --limit 2 --json | jq -r .line | tr '\n' ' ')" \
	"$(sql "select line from (select id, line from quarantine order by id desc limit 2) order by id" | tr '\n' ' ')"

done_testing
