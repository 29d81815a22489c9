#!/bin/sh
# query.sh: irk query as scripts and people use it (issue 15's contract):
# --json keys as the last command names them, exit 0 / 1 with
# query:LINE:COL on stderr / 3 with the partial result when [query]
# row_limit cuts it, CSV, the table sanitized, the chart, read-only.
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
# Three alerts from two hosts; the third's signature carries an escape
# sequence and its host a bidi override.
{
	printf '%s\n' '{"timestamp":"2026-11-03T08:00:00Z","flow_id":1,"event_type":"alert","src_ip":"198.51.100.7","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"ET SSH brute","category":"Misc","severity":2}}'
	printf '%s\n' '{"timestamp":"2026-11-03T09:00:00Z","flow_id":2,"event_type":"alert","src_ip":"198.51.100.8","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"ET SSH brute","category":"Misc","severity":2}}'
	printf '%s\n' '{"timestamp":"2026-11-04T08:00:00Z","flow_id":3,"event_type":"alert","src_ip":"198.51.100.9","dest_ip":"10.0.0.6","alert":{"signature_id":10,"signature":"evil \u001b[2J sig","category":"Misc","severity":1}}'
} >"$T/a.json"
irk ingest "$T/a.json" >/dev/null

expect_eq "stats count by host as JSON" \
	"$(irk query --json 'alerts | stats count by raw.dest_ip | sort -count')" \
	'[{"raw.dest_ip":"10.0.0.5","count":2},{"raw.dest_ip":"10.0.0.6","count":1}]'
expect_eq "timechart: _time in Unix seconds" \
	"$(irk query --json 'alerts | timechart span=1d count')" \
	'[{"_time":1793664000,"count":2},{"_time":1793750400,"count":1}]'
expect_eq "CSV: a header and a line per row" \
	"$(irk query --csv 'alerts rule ~ "SSH" | stats count dc(src_ip) by rule' | tr -d '\r')" \
	"rule,count,dc(src_ip)
ET SSH brute,2,2"

expect_rc "a refused query: exit 1" 1 irk query 'alerts | stat count'
expect_eq "the refusal points at the character" "$(cat "$T/.err")" \
	"query:1:10: unknown command 'stat' (did you mean 'stats'?)"
expect_eq "nothing on stdout when refused" "$(cat "$T/.out")" ""
expect_rc "usage: no query" 2 irk query
expect_rc "usage: --chart without timechart" 2 irk query --chart 'alerts | stats count'

# The terminal never gets the escape sequence: the table shows it visibly.
out=$(irk query 'alerts | table rule')
expect_match "the table shows an escape as \\x1b" "$out" 'evil \\x1b\[2J sig'
expect_no_match "no raw ESC reaches the terminal" "$out" "$(printf '\033')"
expect_eq "the table's header and rows" "$(irk query 'alerts | stats count by rule' | sed 's/ *$//')" \
	"rule              count
ET SSH brute      2
evil \\x1b[2J sig  1"

expect_match "the chart draws bars" "$(irk query --chart 'alerts | timechart span=1d count')" \
	'^2026-11-03 00:00 +2 ##+$'

# The row limit: exit 3, the partial result printed, the limit named.
printf '[query]\nrow_limit = 2\n' >"$IRK_CONFIG"
expect_rc "a cut result: exit 3" 3 irk query --json 'alerts | table id'
expect_eq "the partial result is printed" "$(cat "$T/.out")" '[{"id":1},{"id":2}]'
expect_match "the limit is named" "$(cat "$T/.err")" 'row limit was reached.*row_limit'
: >"$IRK_CONFIG"

# Read-only: a query cannot change the database, whatever it says.
before=$(sql "select count(*) from alerts; select max(seq) from events")
irk query 'alerts rule == "x\"); DELETE FROM alerts; --" | stats count' >/dev/null
expect_eq "the database is as it was" "$(sql "select count(*) from alerts; select max(seq) from events")" "$before"
expect_match "--explain shows the statement, values bound" \
	"$(irk query --explain 'alerts rule == "x" | head 1')" '^SELECT .* FROM alerts WHERE \(rule_name = \?1\)'

# Saved queries: kept once they parse, run as @NAME, listed, audited.
expect_rc "--save a query: 0" 0 irk query --save by-rule 'alerts | stats count by rule | sort -count'
expect_eq "@NAME runs it" "$(irk query --csv @by-rule | tr -d '\r')" "rule,count
ET SSH brute,2
evil \\x1b[2J sig,1"
expect_rc "a bad query is not saved: 1" 1 irk query --save broken 'alerts | stat count'
expect_eq "its refusal points at the character" "$(cat "$T/.err")" \
	"query:1:10: unknown command 'stat' (did you mean 'stats'?)"
expect_eq "--saved lists what was saved" "$(irk query --saved --json | jq -c 'map([.name, .by, .query])')" \
	'[["by-rule","alice","alerts | stats count by rule | sort -count"]]'
expect_match "--saved's table says when as a date, not Unix seconds" "$(irk query --saved)" \
	'^by-rule +alice +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} +alerts'
expect_eq "saving is in the audit log" "$(sql "select actor || ' ' || json_extract(data, '$.name') from events where kind = 'query.save'")" \
	"alice by-rule"
expect_rc "an unknown @NAME: 1" 1 irk query @nothing

done_testing
