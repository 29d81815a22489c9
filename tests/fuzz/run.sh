#!/bin/sh
# run.sh: build the libFuzzer targets over just the src/core files they need
# and run each for a bounded time.
#   tests/fuzz/run.sh                 every target, FUZZ_SECONDS each (default 30)
#   tests/fuzz/run.sh expr            one target
#   FUZZ_JOBS=4 tests/fuzz/run.sh     parallel workers per target
# Seeds and dictionaries: tests/fuzz/corpus/<target>/ and <target>.dict.
# The growing corpus and any crash-* files go to build/fuzz/. Exits nonzero
# when a target finds a crash, leak or timeout.
set -eu
cd "$(dirname "$0")/../.."

SECS=${FUZZ_SECONDS:-30}
JOBS=${FUZZ_JOBS:-1}
CC=${FUZZ_CC:-clang}
OUT=build/fuzz
CORE="src/core/expr.c src/core/template.c src/core/strbuf.c src/core/err.c
src/core/model.c src/core/fields.c src/core/sanitize.c src/core/jdoc.c src/core/jsonw.c
src/core/clock.c src/core/ip.c src/core/hours.c"
TARGETS=${*:-expr template play tickets chat query cacao hours}

command -v "$CC" >/dev/null 2>&1 || {
	echo "run.sh: $CC not found (contrib/deps.sh installs clang)" >&2
	exit 1
}
mkdir -p "$OUT"
for t in $TARGETS; do
	echo "  FUZZ    $t (${SECS}s)"
	src=$CORE libs=""
	# play_parse needs the rest of the play module and what it links to.
	if [ "$t" = play ] || [ "$t" = cacao ]; then
		src="$(ls src/core/*.c src/play/*.c src/store/*.c src/incident/*.c src/context/*.c)"
		libs="-lsqlite3 -lcrypto -lm"
	fi
	# The ticket sources' readers, with the HTTP layer they sit on.
	if [ "$t" = tickets ]; then
		src="$(ls src/core/*.c) src/context/tickets.c src/context/rt.c src/context/jira.c
src/context/http.c src/context/rate.c"
		libs="-lsqlite3 -lcrypto -lm -ldl -lpthread"
	fi
	# The chat commands' parser is pure: src/core's guess beside it.
	[ "$t" = chat ] && src="$CORE src/core/guess.c src/xmpp/chat_parse.c"
	# The query compiler reads the store's sources.
	if [ "$t" = query ]; then
		src="$(ls src/core/*.c src/query/*.c src/store/*.c)"
		libs="-lsqlite3 -lcrypto -lm -lpthread"
	fi
	# shellcheck disable=SC2086
	"$CC" -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o "$OUT/fuzz_$t" "tests/fuzz/fuzz_$t.c" $src $libs
	mkdir -p "$OUT/corpus_$t"
	par=""
	[ "$JOBS" -gt 1 ] && par="-jobs=$JOBS -workers=$JOBS"
	# shellcheck disable=SC2086
	"$OUT/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-max_len=4096 $par -print_final_stats=1 \
		-dict="tests/fuzz/corpus/$t.dict" -artifact_prefix="$OUT/crash-$t-" \
		"$OUT/corpus_$t" "tests/fuzz/corpus/$t"
done
