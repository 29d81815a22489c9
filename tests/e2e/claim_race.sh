#!/bin/sh
# claim_race.sh: eight analysts claim the same incident at the same moment
# (eight processes released together by a FIFO): exactly one wins, the
# other seven are told who holds it, and the audit log has one claim.
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
printf '%s\n' '{"timestamp":"2025-11-03T08:00:00Z","flow_id":1,"event_type":"alert","src_ip":"198.51.100.7","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"ET TEST race","severity":1}}' |
	irk ingest - >/dev/null
expect_eq "one incident to fight over" "$(irk list --json | jq -r '.[].key')" "IR-1"

# The start line: a FIFO the test holds open read-write, so opening it never
# blocks; each claimer blocks reading its line of "go", and one write
# releases all eight at once.
mkfifo "$T/go"
exec 9<>"$T/go"
for i in 1 2 3 4 5 6 7 8; do
	( exec 9>&-; read -r _ <"$T/go"; IRK_USER="analyst$i" exec "$IRK_BIN" claim IR-1 \
		>"$T/out$i" 2>"$T/err$i" ) &
	eval "pid$i=\$!"
done
# All eight waiting on the FIFO (read-only descriptors open on it).
readers() { [ "$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c "^lr-x.* $T/go\$")" -ge 8 ]; }
wait_for 10 readers
check "eight claimers wait at the start line" readers
printf 'go\ngo\ngo\ngo\ngo\ngo\ngo\ngo\n' >&9
for i in 1 2 3 4 5 6 7 8; do
	eval "wait \$pid$i"
	echo "$i $?" >>"$T/status"
done
exec 9>&-

winners=$(awk '$2 == 0' "$T/status" | wc -l)
losers=$(awk '$2 == 1' "$T/status" | wc -l)
expect_eq "exactly one claim succeeds, seven fail with exit 1" "$winners $losers" "1 7"
w=$(awk '$2 == 0 {print $1}' "$T/status")
expect_eq "the winner is told" "$(cat "$T/out$w")" "IR-1 is yours"
expect_eq "the database agrees" "$(irk show IR-1 --json | jq -r .owner)" "analyst$w"
bad=0
for i in 1 2 3 4 5 6 7 8; do
	[ "$i" = "$w" ] && continue
	grep -qx "irk: IR-1 is held by analyst$w; a senior can take it over (irk claim IR-1 --force --reason TEXT)" "$T/err$i" || {
		bad=$((bad + 1)); sed "s/^/#   analyst$i: /" "$T/err$i"; }
	[ -s "$T/out$i" ] && bad=$((bad + 1))
done
expect_eq "each loser gets a clear message naming the holder" "$bad" 0
expect_eq "one claim in the audit log" \
	"$(irk audit log --incident IR-1 --json | jq -r 'select(.kind == "incident.claim") | .actor')" "analyst$w"
expect_rc "audit chain intact" 0 irk audit verify

# A senior may take it over, and the log says from whom.
irk user add boss --role senior >/dev/null
expect_rc "a second claim without --force is refused" 1 env IRK_USER=analyst9 "$IRK_BIN" claim IR-1
# A takeover says why (it asked nothing and told nobody).
expect_rc "a takeover without a reason is refused" 2 env IRK_USER=boss "$IRK_BIN" claim IR-1 --force
expect_eq "saying so" "$(cat "$T/.err")" "irk: taking IR-1 over from analyst$w needs a reason (--reason TEXT)"
out=$(IRK_USER=boss irk claim IR-1 --force --reason "analyst$w is off sick")
expect_eq "a senior takes it over with --force and a reason" "$out|$(irk show IR-1 --json | jq -r .owner)" "IR-1 is yours|boss"
expect_eq "the takeover names the previous holder and why" \
	"$(irk audit log --incident IR-1 --json | jq -r 'select(.kind == "incident.claim") | .data' | tail -n 1)" \
	"{\"owner\":\"boss\",\"previous\":\"analyst$w\",\"reason\":\"analyst$w is off sick\"}"
expect_match "and the previous holder is told" "$(irk outbox)" \
	"analyst$w +IR-1 was taken over from you by boss: analyst$w is off sick"

done_testing
