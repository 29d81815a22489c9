#!/bin/sh
# build.sh: the Makefile replaces ./irk while a copy of it is running (an
# analyst's board open in another pane): no "Text file busy". It honours
# CPPFLAGS, CFLAGS and LDFLAGS, and a change of them rebuilds (checked in a
# copy of the tree, one object, so the build under test is left alone).
. "$IRK_TOP/tests/e2e/lib.sh"
cd "$IRK_TOP" || exit 1

irk init >/dev/null
"$IRK_BIN" serve 2>"$T/serve.log" &
pid=$!
stop_serve() { kill "$pid"; wait "$pid"; }
at_exit stop_serve
check "irk serve is running ./irk" wait_for 10 grep -q . "/proc/$pid/cmdline"
# build/irk newer than ./irk: make must copy it over the running binary.
touch build/irk
expect_rc "make irk while ./irk runs" 0 make --no-print-directory irk
check "./irk is build/irk afterwards" cmp -s build/irk irk
check "the running copy is unaffected" kill -0 "$pid"

# A copy of what one object needs, built there with other flags.
mkdir -p "$T/tree"
cp -r Makefile VERSION include src themes "$T/tree/"
mk() { make --no-print-directory -C "$T/tree" "$@" build/src/core/err.o build/gen/themes.h 2>&1; }
out=$(mk)
check "the first build compiles the object" grep -q "CC      src/core/err.c" <<EOF2
$out
EOF2
out=$(mk)
expect_eq "the same flags again: nothing rebuilt" "$(printf '%s' "$out" | grep -c '  CC  ')" 0
out=$(mk V=1 CFLAGS="-O0 -g")
check "a changed CFLAGS rebuilds the object" grep -q -- "-O0 -g .*-c -o build/src/core/err.o" <<EOF2
$out
EOF2
check "a changed CFLAGS regenerates the built-in themes" grep -q "themes.h" <<EOF2
$out
EOF2
out=$(mk V=1 CFLAGS="-O0 -g" CPPFLAGS="-DIRK_BUILD_CHECK=1")
check "CPPFLAGS reach the compiler and rebuild" grep -q -- "-DIRK_BUILD_CHECK=1 .*err.c" <<EOF2
$out
EOF2
out=$(make --no-print-directory -n -C "$T/tree" V=1 CFLAGS="-O0 -g" CPPFLAGS="-DIRK_BUILD_CHECK=1" LDFLAGS="-Wl,-O1" build/irk 2>&1)
check "LDFLAGS reach the link of irk" grep -q -- "-o build/irk .*-Wl,-O1" <<EOF2
$out
EOF2
done_testing
