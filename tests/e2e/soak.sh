#!/bin/sh
# soak.sh: irk as deployed on a jump box (issue 9): a live stream
# (`... | irk ingest -`, 20 alerts a second), three `irk serve` and eight
# analysts' processes doing claim, note, set and move as fast as they can,
# for SOAK_SECS seconds (60 in `make check`; `make soak` runs 300). Then:
# no analyst command failed, no step result was lost, every exec step ran
# exactly once (its program appends a line), the audit chain is intact.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

SECS=${SOAK_SECS:-60}
WRITERS=8

cat >"$T/plays/soak.json" <<EOF
{"play": "soak", "name": "Soak", "version": 1, "match": "rule_name == 'SoakOnce'",
 "steps": [{"id": "append", "stage": "new", "kind": "exec", "title": "Append",
   "retry": 1, "backoff": 1, "argv": ["sh", "-c", "echo \$IRK_INCIDENT >> $T/runs.log"]}]}
EOF
expect_rc "the soak play lints clean" 0 irk play lint "$T/plays/soak.json"

# The analysts' incidents, two each: IR-1 .. IR-16, no play.
i=1
while [ $i -le $((2 * WRITERS)) ]; do
	printf '{"timestamp":"2025-11-03T08:00:%02dZ","flow_id":%d,"event_type":"alert","host":"desk-%d","src_ip":"10.1.0.%d","dest_ip":"10.1.1.%d","alert":{"signature_id":7,"signature":"SoakDesk","severity":2}}\n' \
		$i $i $i $i $i
	i=$((i + 1))
done >"$T/desk.json"
expect_eq "the analysts' incidents" "$(irk ingest "$T/desk.json")" \
	"read 16, new 16, duplicate 0, skipped 0, rejected 0, incidents 16"

# The stream: 20 lines a second for SECS seconds; one in ten opens an
# incident whose play appends a line, the rest join five noisy incidents.
cat >"$T/feed.py" <<'EOF'
import json, sys, time
secs, n, start = float(sys.argv[1]), 0, time.monotonic()
while time.monotonic() - start < secs:
    n += 1
    if n % 10 == 0:
        rule, host, src = "SoakOnce", "once-%d" % n, "10.2.%d.%d" % (n // 2500, n // 10 % 250)
    else:
        rule, host, src = "SoakNoise", "noise-%d" % (n % 5), "10.3.0.%d" % (n % 5)
    print(json.dumps({"timestamp": "2025-11-03T09:%02d:%02dZ" % (n // 20 // 60 % 60, n // 20 % 60),
        "flow_id": 100000 + n, "event_type": "alert", "host": host, "src_ip": src,
        "dest_ip": src.replace("10.", "172.", 1), "alert": {"signature_id": 8 if rule == "SoakOnce" else 9,
        "signature": rule, "severity": 2}}), flush=True)
    # The stream's pace, not a synchronisation.
    time.sleep(max(0.0, start + n * 0.05 - time.monotonic()))
print(n, file=sys.stderr)
EOF

serve s1
serve s2
serve s3
python3 "$T/feed.py" "$SECS" 2>"$T/fed" | "$IRK_BIN" ingest --storm off - >"$T/ingest.out" 2>"$T/ingest.err" &
ingest=$!

# writer N: analyst N works on IR-N and IR-(N+8) until the end; one line
# per command in $T/wN.ok or $T/wN.fail.
end=$(( $(date +%s) + SECS ))
writer() {
	w=$1
	export IRK_USER="analyst$w"
	n=0
	while [ "$(date +%s)" -lt "$end" ]; do
		for k in $w $((w + WRITERS)); do
			for cmd in "claim IR-$k" "note IR-$k soak-$n" "set IR-$k summary=soak-$n confidence=$((n % 100))" \
				"move IR-$k identification --reason soak-$n" "move IR-$k new --reason back-$n"; do
				# shellcheck disable=SC2086
				if "$IRK_BIN" $cmd >/dev/null 2>>"$T/w$w.err"; then echo "$cmd" >>"$T/w$w.ok"
				else echo "exit $?: $cmd" >>"$T/w$w.fail"; fi
			done
		done
		n=$((n + 1))
	done
}
pids=""
for w in $(seq 1 $WRITERS); do
	writer "$w" &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
wait $ingest
expect_eq "the stream's ingest ends well" "$?" 0
fed=$(cat "$T/fed")
expect_eq "every streamed line stored" "$(cat "$T/ingest.out")" \
	"read $fed, new $fed, duplicate 0, skipped 0, rejected 0, incidents $((fed / 10 + 5))"

ok_n=$(cat "$T"/w*.ok 2>/dev/null | wc -l)
fail_n=$(cat "$T"/w*.fail 2>/dev/null | wc -l)
echo "# $ok_n analyst commands in ${SECS}s ($((ok_n / SECS))/s), $fail_n failed; $fed alerts streamed"
expect_eq "no analyst command failed" "$fail_n" 0
[ "$fail_n" = 0 ] || { cat "$T"/w*.fail | head -5; cat "$T"/w*.err | sort | uniq -c | head -5; } | sed 's/^/#   /'
check "the analysts got work done (over one command a second)" [ "$ok_n" -gt "$SECS" ]

once=$((fed / 10))
expect_eq "each SoakOnce alert has its step" \
	"$(sql "SELECT count(*) FROM steps WHERE step_id = 'append'")" "$once"
settled() { [ "$(sql "SELECT count(*) FROM steps WHERE step_id = 'append' AND state IN ('ready', 'running', 'pending')")" = 0 ]; }
wait_for 60 settled
check "every step settled" settled
expect_eq "no step result lost: every step done" \
	"$(sql "SELECT count(*) FROM steps WHERE step_id = 'append' AND state = 'done'")" "$once"
expect_eq "each ran exactly once (one line per step, one attempt)" \
	"$(wc -l <"$T/runs.log" | tr -d ' ') $(sort -u "$T/runs.log" | wc -l | tr -d ' ') $(sql "SELECT count(*) FROM steps WHERE step_id = 'append' AND attempts = 1")" \
	"$once $once $once"
expect_eq "no lease taken for dead, no result dropped" \
	"$(cat "$T"/s1.log "$T"/s2.log "$T"/s3.log | grep -c 'expired\|cannot record\|result dropped')" 0
expect_rc "audit chain intact" 0 irk audit verify

done_testing
