#!/bin/sh
# ingest_dedupe.sh: the same alerts ingested again add nothing, whether the
# whole file comes twice, twice within one run, or re-serialised by another
# forwarder (keys reordered, spacing changed).
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
gen_eve 20000 7 >"$T/eve.json"
out=$(irk ingest "$T/eve.json"); rc=$?
incidents=$(sql "select count(*) from incidents")
expect_eq "first run stores every alert" "$out|$rc" \
	"read 20000, new 20000, duplicate 0, skipped 0, rejected 0, incidents $incidents|0"
check "the stream correlates into far fewer incidents" [ "$incidents" -gt 10 -a "$incidents" -lt 2000 ]
events=$(sql "select count(*) from events")

out=$(irk ingest "$T/eve.json"); rc=$?
expect_eq "second run: everything is a duplicate, exit 0" "$out|$rc" \
	"read 20000, new 0, duplicate 20000, skipped 0, rejected 0, incidents 0|0"
expect_eq "no alert added" "$(sql "select count(*) from alerts")" 20000
expect_eq "no incident added" "$(sql "select count(*) from incidents")" "$incidents"
expect_eq "incident alert counts unchanged" "$(sql "select sum(alert_count) from incidents")" 20000
# A batch holds the write lock for at most INGEST_TX_MS: the run may be
# several batches, each audited.
expect_eq "the run is still audited (ingest.batch events of its 20000 lines)" \
	"$(sql "select count(*) > 0, count(*) = sum(kind = 'ingest.batch'),
		sum(json_extract(data, '\$.read')) from events where seq > $events")" \
	"1|1|20000"

# The same file twice in one run, from standard input: the second copy
# meets the first inside the same batch.
out=$(cat "$T/eve.json" "$T/eve.json" | irk ingest -)
expect_eq "twice in one stream: all duplicates" "$out" \
	"read 40000, new 0, duplicate 40000, skipped 0, rejected 0, incidents 0"

# Another forwarder re-serialises the records: sorted keys, other spacing.
head -n 500 "$T/eve.json" | jq -cS . | sed 's/,"/, "/g' >"$T/resorted.json"
out=$(irk ingest "$T/resorted.json")
expect_eq "re-serialised records are the same alerts" "$out" \
	"read 500, new 0, duplicate 500, skipped 0, rejected 0, incidents 0"

# A new file with 100 new alerts among old ones adds exactly those.
gen_eve 20100 7 | tail -n 100 >"$T/tail.json"
cat "$T/eve.json" "$T/tail.json" >"$T/more.json"
out=$(irk ingest "$T/more.json")
expect_match "only the new alerts are added" "$out" "^read 20100, new 100, duplicate 20000, skipped 0, rejected 0, incidents [0-9]+$"
expect_eq "alerts in the database" "$(sql "select count(*) from alerts")" 20100
expect_eq "every stored alert is distinct" "$(sql "select count(distinct raw) from alerts")" 20100
expect_rc "audit chain intact" 0 irk audit verify

done_testing
