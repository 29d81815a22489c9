#!/bin/sh
# demo.sh: `irk demo` makes a database that shows something true: every
# stage of the board filled, analysts with roles, closed incidents with all
# four resolutions, an intact audit chain; the same seed and end time give
# the same month; a database that holds incidents is left alone.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/helpers/tui.sh"

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
# A fresh path: built beside it (PATH.new) and put in place when done; the
# summary names the final path (make run used to print ".../demo.db.new").
out=$(irk --db "$T/fresh/d.db" demo --days 2); rc=$?
expect_match "a fresh path: the summary names it" "$rc|$out" "^0\|demo ready: .* in $T/fresh/d.db$"
expect_eq "nothing left beside it" "$(ls "$T/fresh")" "d.db"
expect_rc "and it is a whole database" 0 irk --db "$T/fresh/d.db" audit verify
# In a shared directory another user may plant a file or a link at the
# name a demo would build under: irk builds under a name nobody can guess
# (it used to remove PATH.new, then create it, open to a race).
mkdir "$T/shared"
echo "someone else's" >"$T/victim"
ln -s "$T/victim" "$T/shared/d.db.new"
expect_rc "a demo beside a planted PATH.new" 0 irk --db "$T/shared/d.db" demo --days 1
check "the planted link is left alone" [ -L "$T/shared/d.db.new" ]
expect_eq "and what it points at is untouched" "$(cat "$T/victim")" "someone else's"
expect_eq "only the database and the planted link are there" "$(ls "$T/shared" | tr '\n' ' ')" "d.db d.db.new "
# On a terminal the progress line ends with the summary's numbers (it
# used to stop at the start of the last day: 5705 alerts against 5933).
tui_start 120 10 "IRK_NOW=$IRK_NOW" -- --db "$T/tty.db" demo --days 3
wait_for 20 pane_dead
expect_eq "demo on a terminal: exit 0" "$(dead_status)" 0
# (The progress goes to standard error, where tui_start keeps it; the
# summary may have scrolled into the pane's history.)
progress=$(tr '\r' '\n' <"$T/stderr" | sed -n 's/^irk demo: day 3 of 3, \([0-9]*\) alerts, \([0-9]*\) incidents *$/\1 \2/p' | tail -n 1)
summary=$(tmx capture-pane -p -S - -t t | sed -n 's/^demo ready: \([0-9]*\) alerts, \([0-9]*\) incidents .*/\1 \2/p')
check "the progress line ends on the last day ($progress)" [ -n "$progress" ]
expect_eq "the progress line and the summary agree" "$progress" "$summary"
# The organisation's asset inventory comes with it: an incident's host
# is known, with an owner and a criticality.
check "the demo fills the asset inventory" test "$(sql "SELECT count(*) FROM assets")" -ge 30
expect_match "a domain controller is critical" "$(irk asset show dc-01 --json)" '"criticality":4'
expect_match "an incident's context names its asset's owner" "$(irk context IR-1 --json)" \
	'"asset":\{"host":"[a-z0-9-]+",.*"owner":"[a-z.-]+".*"source":"inventory"'
expect_rc "usage: --days out of range" 2 irk demo --days 0
expect_rc "usage: --seed not a number" 2 irk demo --seed x

done_testing
