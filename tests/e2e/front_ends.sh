#!/bin/sh
# front_ends.sh: the command line and the board depend on the context they
# share (src/app/, include/irk/app.h), never on each other; only main.c,
# which hands the board to cli_main(), includes both.
. "$IRK_TOP/tests/e2e/lib.sh"
cd "$IRK_TOP" || exit 1

tui_headers='"irk/\(tui\|tui_actions\|layout\|theme\)\.h"\|"tui_internal\.h"'
expect_eq "no file of src/tui includes the command line's header" \
	"$(grep -l '"irk/cli\.h"' src/tui/*.c src/tui/*.h)" ""
expect_eq "no file of src/cli includes a header of the board" \
	"$(grep -l "$tui_headers" src/cli/*.c src/cli/*.h 2>/dev/null)" ""
expect_eq "no file of src/tui calls into src/cli" \
	"$(grep -ho '\bcli_[a-z_]*(' src/tui/*.c src/tui/*.h | sort -u)" ""
expect_eq "the shared context includes neither front end" \
	"$(grep -l "$tui_headers"'\|"irk/cli\.h"' src/app/*.c include/irk/app.h)" ""
expect_eq "main.c is where the front ends meet" \
	"$(grep -c '"irk/cli\.h"\|"irk/tui\.h"' src/main.c)" "2"
done_testing
