#!/bin/sh
# demo.sh: `irk demo` makes a database that shows something true: every
# stage of the board filled, analysts with roles, closed incidents with all
# four resolutions, an intact audit chain; the same seed and end time give
# the same month; a database that holds incidents is left alone.
. "$IRK_TOP/tests/e2e/lib.sh"

export IRK_NOW=1764547200   # 2025-12-01T00:00:00Z: the month ends here
out=$(irk demo); rc=$?
expect_match "demo: exit 0 and a summary" "$rc|$out" \
	"^0\|demo ready: [0-9]+ alerts, [0-9]+ incidents \([0-9]+ closed\), 6 analysts in $IRK_DB$"
irk board >"$T/board"
for s in New Identification Containment Eradication Recovery "Lessons learned" Closed; do
	expect_match "board: $s has incidents" "$(cat "$T/board")" "^$s \([1-9][0-9]*\)$"
done
expect_eq "closed with every resolution" \
	"$(irk list --stage closed --json | jq -r '[.[].resolution] | unique | join(" ")')" \
	"benign duplicate false-positive true-positive"
expect_eq "analysts with roles" "$(irk user list | awk '{print $1 "=" $2}' | tr '\n' ' ')" \
	"alice=admin amira=senior ben=analyst chen=analyst dana=senior emil=analyst farah=admin "
expect_match "open incidents are being worked" "$(irk list --json | jq -r '[.[] | select(.owner != null)] | length')" "^[1-9]"
expect_eq "every alert format is in" "$(sql "select group_concat(format, ' ') from (select distinct format from alerts order by 1)")" \
	"ecs eve json wazuh zeek"
expect_rc "audit chain intact" 0 irk audit verify
head=$(irk audit verify | sed 's/.*head //')

IRK_DB="$T/again.db" irk demo >/dev/null
expect_eq "same seed, same end: the same month (audit head)" "$(IRK_DB="$T/again.db" irk audit verify | sed 's/.*head //')" "$head"
IRK_DB="$T/other.db" irk demo --seed 7 --days 10 >/dev/null
expect_rc "another seed and length works" 0 env IRK_DB="$T/other.db" "$IRK_BIN" audit verify
check "and is another month" [ "$(IRK_DB="$T/other.db" irk audit verify | sed 's/.*head //')" != "$head" ]

n=$(sql "select count(*) from incidents")
expect_rc "a database with incidents is refused: exit 1" 1 irk demo
expect_match "the refusal says why" "$(cat "$T/.err")" "already holds $n incidents"
expect_eq "and nothing was added" "$(sql "select count(*) from incidents")" "$n"
expect_rc "usage: --days out of range" 2 irk demo --days 0
expect_rc "usage: --seed not a number" 2 irk demo --seed x

done_testing
