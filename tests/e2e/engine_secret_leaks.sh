#!/bin/sh
# engine_secret_leaks.sh: issue 9 defect 5. A step's program cannot read
# the sequencer's secrets from /proc/$PPID/environ (irk takes them out of
# its environment block at start-up), its own environment holds no secret
# its definition does not name, and the hex and base64 of a secret it
# names are cut from its output like the secret itself.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

secret=SUPERSECRETTOKEN-9e2f4a
other=OTHERSECRETVALUE-31b7
export IRK_SECRET_TOKEN=$secret IRK_SECRET_OTHER=$other

cat >"$T/plays/peek.json" <<EOF2
{"play": "peek", "name": "Peek at the parent", "version": 1, "match": "rule == 'E2EPeek'",
 "steps": [{"id": "peek", "stage": "new", "kind": "exec", "title": "Read the environments",
   "argv": ["sh", "-c", "tr '\\\\\\\\0' '\\\\\\\\n' </proc/\$PPID/environ >$T/work/parent.env; tr '\\\\\\\\0' '\\\\\\\\n' </proc/self/environ >$T/work/self.env; echo done"],
   "env": {"TOK": "{{secret.token}}"}}]}
EOF2
cat >"$T/plays/encode.json" <<'EOF2'
{"play": "encode", "name": "Encode the secret", "version": 1, "match": "rule == 'E2EEncode'",
 "steps": [{"id": "encode", "stage": "new", "kind": "exec", "title": "Print it encoded",
   "argv": ["sh", "-c", "for p in '' x xy; do printf '%s%s' \"$p\" \"$TOK\" | base64 -w0; echo; done; printf '%s' \"$TOK\" | od -An -tx1 | tr -d ' \\n'; echo; printf '%s' \"$TOK\" | od -An -tx1 | tr -d ' \\n' | tr a-f A-F; echo"],
   "env": {"TOK": "{{secret.token}}"}}]}
EOF2
expect_rc "the test plays lint clean" 0 irk play lint "$T/plays/peek.json" "$T/plays/encode.json"

serve s1
alert E2EPeek web-01 >"$T/peek.jsonl"
irk ingest "$T/peek.jsonl" >/dev/null
check "the peek step is done" wait_for 20 state_is IR-1 peek done
check "the step read its parent's environment" test -s "$T/work/parent.env"
check "the parent is irk serve" grep -q '^IRK_CONFIG=' "$T/work/parent.env"
check "the parent's environment has no IRK_SECRET_" sh -c "! grep -q IRK_SECRET_ '$T/work/parent.env'"
check "nor the value of a secret" sh -c "! grep -q -e '$secret' -e '$other' '$T/work/parent.env'"
check "the step's environment has the secret it names" grep -qx "TOK=$secret" "$T/work/self.env"
check "and not the one it does not name" sh -c "! grep -q -e '$other' -e IRK_SECRET_ '$T/work/self.env'"

alert E2EEncode web-02 10.0.0.10 >"$T/encode.jsonl"
irk ingest "$T/encode.jsonl" >/dev/null
check "the encode step is done" wait_for 20 state_is IR-2 encode done
out=$(sql "SELECT output FROM steps WHERE step_id = 'encode'")
expect_match "the output was recorded, redacted" "$out" '\(secret\)'
for enc in "$(printf '%s' "$secret" | base64 -w0)" "$(printf 'x%s' "$secret" | base64 -w0)" \
	   "$(printf 'xy%s' "$secret" | base64 -w0)"; do
	mid=$(printf '%s' "$enc" | cut -c4-20)
	check "no base64 of the secret (…$mid…)" sh -c "! printf '%s' '$out' | grep -q -- '$mid'"
done
hex=$(printf '%s' "$secret" | od -An -tx1 | tr -d ' \n')
check "no hex of the secret" sh -c "! printf '%s' '$out' | grep -qi -- '$(printf '%s' "$hex" | cut -c1-24)'"
done_testing
