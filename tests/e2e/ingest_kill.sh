#!/bin/sh
# ingest_kill.sh: `kill -9` in the middle of a 200,000-line ingest loses
# nothing that was committed, leaves the database and the audit chain
# sound, and ingesting the same input again stores exactly what is missing:
# 200,000 alerts, no duplicates.
. "$IRK_TOP/tests/e2e/lib.sh"

N=200000
irk init >/dev/null
gen_eve $N 3 >"$T/eve.json"

alerts() { sql "select count(*) from alerts"; }
some_committed() { [ "$(alerts)" -gt 0 ]; }

# Small batches, so commits happen early and often. The binary itself (not
# the irk shell function) runs in the background, so $! is its pid.
"$IRK_BIN" ingest --batch 2000 "$T/eve.json" >"$T/out1" 2>"$T/err1" &
pid=$!
wait_for 20 some_committed
check "batches are committed while ingest runs" some_committed
kill -9 $pid
wait $pid
expect_eq "the ingest was killed, not finished" "$?" 137
got=$(alerts)
check "killed half way: some but not all alerts stored ($got)" [ "$got" -gt 0 -a "$got" -lt $N ]
# Batches end at 2000 lines or INGEST_TX_MS: whole batches only means the
# committed batches cover lines 1 to the last one's last line, no gap.
expect_eq "whole batches only (lines 1 to the last batch's end)" \
	"$(sql "select sum(json_extract(data, '\$.read')) = max(json_extract(data, '\$.last_line')),
		min(json_extract(data, '\$.first_line')) from events where kind = 'ingest.batch'")" "1|1"
expect_eq "nothing was printed before the kill" "$(cat "$T/out1" "$T/err1")" ""
expect_eq "incident counts match the stored alerts" "$(sql "select sum(alert_count) from incidents")" "$got"
expect_rc "audit chain intact after the kill" 0 irk audit verify
expect_eq "one audit event per committed batch" \
	"$(sql "select sum(json_extract(data, '\$.new')) from events where kind = 'ingest.batch'")" "$got"

incidents=$(sql "select count(*) from incidents")
out=$(irk ingest "$T/eve.json"); rc=$?
expect_eq "re-ingest: exactly the missing alerts are new" "$out|$rc" \
	"read $N, new $((N - got)), duplicate $got, skipped 0, rejected 0, incidents $(( $(sql "select count(*) from incidents") - incidents ))|0"
expect_eq "exactly $N alerts" "$(alerts)" $N
expect_eq "no duplicates: every record once" "$(sql "select count(distinct raw) from alerts")" $N
expect_eq "every input line is stored" \
	"$(sql "select count(*) from alerts where json_extract(raw, '\$.flow_id') is not null")" $N
expect_eq "incident counts add up" "$(sql "select sum(alert_count) from incidents")" $N
expect_rc "audit chain intact" 0 irk audit verify
expect_eq "nothing was quarantined" "$(sql "select count(*) from quarantine")" 0

done_testing
