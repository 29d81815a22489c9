#!/bin/sh
# run.sh: every test irk has. Called by `make check` after the build.
#   1. Criterion unit tests (build/tests/test_*)
#   2. end-to-end shell tests (tests/e2e/*.sh) against ./irk
#   3. the unit tests again, built with AddressSanitizer and UBSan
# Ends with one line: "N passed, N failed". Exit 1 when anything failed.
#   TESTS=pattern   run only unit/e2e tests whose file name matches
#   NO_SAN=1        skip the sanitizer pass
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
out="$top/build/test-output"
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
failures=""
pattern=${TESTS:-}

note_fail() {
	failed=$((failed + $1))
	failures="$failures
  $2"
}

# ours_leaked LOG: a LeakSanitizer report in LOG with a leak that irk's
# code or tests allocated (a frame in src/ or tests/). Criterion's runner,
# run with --jobs 2, can leak a few bytes of its own when tests with long
# timeouts overlap: a leak whose every frame is in libcriterion is not
# ours, and LSAN_OPTIONS=exitcode=0 keeps it from failing the binary; any
# other leak still fails the run here.
ours_leaked() {
	grep -q 'ERROR: LeakSanitizer' "$1" || return 1
	awk '/^(Direct|Indirect) leak/ { inblock = 1; mine = 0; next }
		inblock && /^$/ { if (mine) found = 1; inblock = 0; next }
		inblock && / (src|tests)\/[^ ]*\.[ch]:[0-9]/ { mine = 1 }
		END { if (inblock && mine) found = 1; exit !found }' "$1"
}

# Run one Criterion binary; count its tests from the Synthesis line.
run_unit() {
	bin=$1
	label=$2
	log="$out/$label.log"
	"$bin" --jobs 2 >"$log" 2>&1
	rc=$?
	syn=$(grep 'Synthesis:' "$log" | tail -n 1)
	p=$(printf '%s' "$syn" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
	f=$(printf '%s' "$syn" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
	c=$(printf '%s' "$syn" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
	p=${p:-0}; f=${f:-0}; c=${c:-0}
	passed=$((passed + p))
	if [ $((f + c)) -gt 0 ]; then
		note_fail $((f + c)) "$label: $f failing, $c crashing (see $log)"
		grep -E '^\[----\].*(Assertion|Failed|crash|signal)|\[FAIL\]|\[CRASH\]' "$log" | head -n 20 >&2
	elif [ -z "$syn" ] || [ $rc -ne 0 ]; then
		note_fail 1 "$label: exited $rc without a result (see $log)"
		tail -n 20 "$log" >&2
	fi
	if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$log" || ours_leaked "$log"; then
		note_fail 1 "$label: sanitizer report (see $log)"
		grep -E -A5 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$log" | head -n 30 >&2
	fi
}

echo "== unit tests"
for bin in build/tests/test_*; do
	[ -x "$bin" ] || continue
	case "$bin" in *.d) continue ;; esac
	name=$(basename "$bin")
	[ -n "$pattern" ] && case "$name" in *$pattern*) ;; *) continue ;; esac
	run_unit "$bin" "$name"
	echo "   $name"
done

echo "== end-to-end tests"
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case "$name" in lib) continue ;; esac
	[ -n "$pattern" ] && case "$name" in *$pattern*) ;; *) continue ;; esac
	log="$out/e2e-$name.log"
	start=$(date +%s)
	IRK_TOP="$top" IRK_BIN="$top/irk" sh "$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	passed=$((passed + p))
	if [ "$f" -gt 0 ]; then
		note_fail "$f" "e2e $name: $f failed (see $log)"
		grep -A3 '^not ok ' "$log" | head -n 30 >&2
	elif [ $rc -ne 0 ] || [ "$p" -eq 0 ]; then
		note_fail 1 "e2e $name: exited $rc after $p checks (see $log)"
		tail -n 15 "$log" >&2
	fi
	echo "   $name ($p checks, $(( $(date +%s) - start ))s)"
done

if [ -z "${NO_SAN:-}" ]; then
	echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	if make --no-print-directory -s SANITIZE=address,undefined unit >"$out/san-build.log" 2>&1; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
		export LSAN_OPTIONS=exitcode=0
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		for bin in build/san/tests/test_*; do
			[ -x "$bin" ] || continue
			case "$bin" in *.d) continue ;; esac
			name=$(basename "$bin")
			[ -n "$pattern" ] && case "$name" in *$pattern*) ;; *) continue ;; esac
			run_unit "$bin" "san-$name"
			echo "   $name"
		done
	else
		note_fail 1 "sanitizer build failed (see $out/san-build.log)"
		tail -n 20 "$out/san-build.log" >&2
	fi
fi

if [ "$failed" -gt 0 ]; then
	printf 'failures:%s\n' "$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
