# run-xmpp.sh: XMPP delivery's part of `make bench` (sourced by run.sh).
#   BENCH_MESSAGES=N   messages (default 1000)
# A private prosody on loopback (the e2e harness: tests/e2e/lib.sh
# start_prosody, TLS with a test CA); tests/bench/xmpp.c measures a bare
# libstrophe send loop and irk's notify steps through XMPP delivery to the
# same receiver, in the same run.
echo "== xmpp: notify steps delivered over XMPP (vs a bare libstrophe send loop)"
IRK_TOP=$(pwd) BENCH_MESSAGES=${BENCH_MESSAGES:-1000} BENCH_DIR="$W" sh -c '
	. "$IRK_TOP/tests/e2e/lib.sh"
	start_prosody || { echo "   (prosody did not start: skipped)"; exit 0; }
	prosody_user irk irkpw && prosody_user rx rxpw || { echo "   (users: skipped)"; exit 0; }
	"$IRK_TOP/build/bench/xmpp" "$BENCH_DIR" "$xport" "$XMPP_CA" "$BENCH_MESSAGES"
' || echo "   xmpp bench failed"
rm -f "$W"/xmpp.db*
