#!/bin/sh
# build.sh: the Makefile replaces ./irk while a copy of it is running (an
# analyst's board open in another pane): no "Text file busy".
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
done_testing
