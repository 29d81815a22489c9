#!/bin/sh
# engine_secrets.sh: no piece of a secret reaches what `irk serve` records
# or prints. A step's program writes the secret where irk cuts what it
# keeps (the one-line reason of a failed step, 199 bytes): the audit log,
# the step's error and the serve log hold "(secret)", never its first
# bytes.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

secret=SUPERSECRETTOKEN-7c1d
export IRK_SECRET_TOKEN=$secret

# fragment TEXT: the longest start or end (4 bytes or more) of the secret
# found in TEXT; empty when none.
fragment() {
	/usr/bin/python3 -c 'import sys
t, s = sys.stdin.read(), sys.argv[1]
hits = [s[:k] for k in range(4, len(s) + 1) if s[:k] in t] + \
       [s[-k:] for k in range(4, len(s) + 1) if s[-k:] in t]
print(max(hits, key=len) if hits else "")' "$secret"
}

cat >"$T/plays/cut.json" <<'EOF'
{"play": "cut", "name": "Cut secret", "version": 1, "match": "rule == 'E2ECut'",
 "steps": [{"id": "leak", "stage": "new", "kind": "exec", "title": "Leak at the cut",
   "argv": ["sh", "-c", "printf '%0190d%s\\n' 0 \"$TOK\" >&2; exit 3"],
   "env": {"TOK": "{{secret.token}}"}}]}
EOF
expect_rc "the test play lints clean" 0 irk play lint "$T/plays/cut.json"

serve s1
alert E2ECut web-01 >"$T/cut.jsonl"
irk ingest "$T/cut.jsonl" >/dev/null
check "the step failed" wait_for 20 state_is IR-1 leak failed
err=$(sql "SELECT error FROM steps WHERE step_id = 'leak'")
expect_match "its reason is the status and the last line of stderr" "$err" \
	'^exit status 3: 0{100,}\(secret\)$'
expect_eq "the step's error holds no piece of the secret" "$(printf '%s' "$err" | fragment)" ""
audit=$(irk audit log --json)
expect_match "the audit log has the failure" "$audit" 'step\.failed'
expect_eq "the audit log holds no piece of the secret" "$(printf '%s' "$audit" | fragment)" ""
check "the serve log has the failure" grep -q 'leak: failed' "$T/s1.log"
expect_eq "the serve log holds no piece of the secret" "$(fragment <"$T/s1.log")" ""
expect_eq "the step's log and output hold none" \
	"$(sql "SELECT log || output FROM steps WHERE step_id = 'leak'" | fragment)" ""
done_testing
