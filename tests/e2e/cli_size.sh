#!/bin/sh
# cli_size.sh: irk list and irk board on a database larger than a page.
# Without --limit, list prints its first 1,000 incidents and board its
# first 100 cards a stage; standard error then says how many there are
# and how to see them; --limit N and --limit 0 (all) print what they ask.
# A database within a page prints as before, with nothing on standard
# error (cli_list.sh checks its lines byte for byte).
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

export IRK_NOW=1715588400
irk init >/dev/null
# N incidents: new P3 ones (IR-1 the oldest, so the first) and a few
# closed, straight into the table (sqlite3 here, as another writer).
add() {
	sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
	INSERT INTO incidents(title, stage, severity, priority, owner, t_detected, t_updated, t_closed)
	SELECT 'case ' || i, $2, 'medium', 3, CASE WHEN i % 2 THEN 'alice' END, 1715500000 + i,
	1715588400, CASE WHEN $2 = 'closed' THEN 1715588000 + i END FROM n;"
}
add 999 "'new'"
irk list >"$T/out" 2>"$T/err"
expect_eq "999 open: every line" "$(wc -l <"$T/out")" 999
expect_eq "999 open: nothing on standard error" "$(cat "$T/err")" ""
irk board >"$T/out" 2>"$T/err"
expect_eq "board of 999 new: every card" "$(grep -c '^  IR-' "$T/out")" 100
expect_eq "board: the rest counted" "$(grep '^  \.\.\. ' "$T/out")" "  ... 899 more"
expect_eq "board: the hint on standard error" "$(cat "$T/err")" \
	"irk board: at most 100 cards a stage; --limit N for more, --limit 0 for all"
expect_eq "board --limit 0: every card" "$(irk board --limit 0 2>"$T/err" | grep -c '^  IR-')" 999
expect_eq "board --limit 0: no hint" "$(cat "$T/err")" ""
expect_eq "board --limit 5: the old form, no hint" \
	"$(irk board --limit 5 2>"$T/err" | grep -c '^  IR-')|$(cat "$T/err")" "5|"

add 301 "'identification'"
add 40 "'closed'"
irk list >"$T/out" 2>"$T/err"; rc=$?
expect_eq "1,300 open: exit 0" "$rc" 0
expect_eq "1,300 open: the first 1,000" "$(wc -l <"$T/out")" 1000
expect_eq "in list order: IR-1 first" "$(head -n 1 "$T/out" | cut -c1-5)" "IR-1 "
expect_eq "how many, and how to see them" "$(cat "$T/err")" \
	"irk list: the first 1000 of 1300 incidents; --limit N for more, --limit 0 for all"
expect_eq "--limit 0: all of them" "$(irk list --limit 0 2>"$T/err" | wc -l)|$(cat "$T/err")" "1300|"
expect_eq "--limit 1200: that many, no hint" "$(irk list --limit 1200 2>"$T/err" | wc -l)|$(cat "$T/err")" "1200|"
expect_eq "--json: the same page" "$(irk list --json 2>"$T/err" | jq length)" 1000
expect_match "--json: the hint on standard error" "$(cat "$T/err")" "the first 1000 of 1300 incidents"
expect_eq "--owner alice (651): within a page, no hint" "$(irk list --owner alice 2>&1 >/dev/null)" ""
add 800 "'new'"
expect_eq "--owner alice (1,051): counted through the index" "$(irk list --owner alice 2>&1 >/dev/null)" \
	"irk list: the first 1000 of 1051 incidents; --limit N for more, --limit 0 for all"
expect_eq "--stage new (1,799): counted" "$(irk list --stage new 2>&1 >/dev/null)" \
	"irk list: the first 1000 of 1799 incidents; --limit N for more, --limit 0 for all"
expect_eq "--all: open and closed counted" "$(irk list --all 2>&1 >/dev/null)" \
	"irk list: the first 1000 of 2140 incidents; --limit N for more, --limit 0 for all"
done_testing
