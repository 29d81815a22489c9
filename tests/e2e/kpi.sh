#!/bin/sh
# kpi.sh: irk kpi and irk maturity through the real binary: incidents
# opened by ingest, claimed, moved and closed through the command line,
# and the KPIs that change with them; the --json and --csv shapes irk(1)
# documents; the usage errors; the text table in 80 columns.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T0=1715590000
at() { IRK_NOW=$((T0 + $1)); export IRK_NOW; }
at 0
irk init >/dev/null
irk ingest "$IRK_TOP/tests/fixtures/alerts/eve.jsonl" >/dev/null 2>&1
expect_eq "four incidents, detected at T0" "$(sql "SELECT count(*) FROM incidents WHERE t_detected = $T0")" 4

# --- the contract: keys and the shape of a figure
j=$(irk kpi --json)
expect_eq "kpi --json: the figures irk(1) names" \
	"$(printf '%s' "$j" | jq -c '[has("mttd"), has("mtta"), has("mttc"), has("mttr"), has("sla"), has("quality"), has("work")]')" \
	"[true,true,true,true,true,true,true]"
expect_eq "a figure is median, p90, mean, count, missing" \
	"$(printf '%s' "$j" | jq -c '.mttd | keys_unsorted')" '["median","p90","mean","count","missing"]'
# first events 9158, 8756, 8730 and 8200 s before detection (the fixture)
expect_eq "MTTD from the alerts' event times, whole seconds" \
	"$(printf '%s' "$j" | jq -c '.mttd')" '{"median":8730,"p90":9158,"mean":8711,"count":4,"missing":0}'
expect_eq "nobody acknowledged yet: null, and four missing (never 0)" \
	"$(printf '%s' "$j" | jq -c '.mtta')" '{"median":null,"p90":null,"mean":null,"count":0,"missing":4}'
expect_eq "no groups without --by" "$(printf '%s' "$j" | jq -c 'has("groups")')" false

# --- work through the command line, and see the figures move
at 300
irk close IR-3 --resolution false-positive --reason "scanner" >/dev/null
at 600
irk claim IR-2 >/dev/null
at 1200
irk move IR-2 identification >/dev/null
irk set IR-2 --new business_unit=finance effort_min=45 >/dev/null
at 4200
irk close IR-2 --resolution true-positive --reason done >/dev/null
at 5000
j=$(irk kpi --json)
# IR-3 closed from new at +300 (acknowledged then), IR-2 claimed at +600
expect_eq "MTTA after a close and a claim" \
	"$(printf '%s' "$j" | jq -c '.mtta')" '{"median":300,"p90":600,"mean":450,"count":2,"missing":2}'
expect_eq "time to close: 300 and 4200" \
	"$(printf '%s' "$j" | jq -c '.time_to_close | [.median, .p90, .count, .missing]')" '[300,4200,2,2]'
expect_eq "time in new: IR-3 300, IR-2 1200; IR-1 and IR-4 still there" \
	"$(printf '%s' "$j" | jq -c '.stages.new | [.median, .p90, .count, .missing]')" '[300,1200,2,2]'
expect_eq "quality: one false positive of two closed" \
	"$(printf '%s' "$j" | jq -c '.quality | [.closed, .false_positive, .true_positive, .fp_rate]')" '[2,1,1,0.5]'
expect_eq "work: the effort recorded" \
	"$(printf '%s' "$j" | jq -c '.work | [.effort_min, .effort.count, .effort.missing]')" '[45,1,3]'
# unacknowledged 5000 s after detection: IR-1 (P1, 15m) and IR-4 (P2, 1h)
expect_eq "SLA: two acknowledgements late now" \
	"$(printf '%s' "$j" | jq -c '.sla.acknowledge | [.met, .breached, .current]')" '[2,2,2]'
# T0 is Monday 08:46:40 UTC, now 10:10:00: with hours from 10:00 the two
# open clocks have run 10 minutes, and the two acknowledgements came
# before opening
printf '[sla]\nbusiness_hours = Mon-Fri 10:00-18:00\nzone = UTC\n' >"$IRK_CONFIG"
expect_eq "SLA in business hours: nothing late, two clocks running" \
	"$(irk kpi --json | jq -c '.sla.acknowledge | [.met, .breached, .current, .running]')" '[2,0,0,2]'
expect_match "irk show: the time left in business hours" "$(irk show IR-1)" '5m left'
printf '[sla]\nbusiness_hours = Mon-Fry 10:00-18:00\n' >"$IRK_CONFIG"
expect_match "a wrong day is refused with its line" "$(irk kpi --json 2>&1)" \
	'irk.conf:2: .*"Mon-Fry" is not a day'
: >"$IRK_CONFIG"
# the catalog: IR-2 closed true positive in finance with 45 minutes
j=$(TZ=UTC irk kpi --json)
expect_eq "catalog: targeting and cost of response by unit" \
	"$(printf '%s' "$j" | jq -c '.catalog.units | map([.unit, .incidents, .true_positive, .effort_min, .effort_missing])')" \
	'[["finance",1,1,45,0],[null,3,0,0,3]]'
expect_eq "catalog: root causes by week, none recorded yet" \
	"$(printf '%s' "$j" | jq -c '.catalog.trends | [.by, .buckets, .root_cause]')" \
	'["week",["2024-W20"],[{"key":null,"total":4,"counts":[4]}]]'


# --- periods and groups
expect_eq "--since after the detections: nothing" \
	"$(irk kpi --since 2024-05-14 --json | jq -c '[.incidents, .mtta.count]')" '[0,0]'
expect_eq "--since -2h (IRK_NOW): all four" "$(irk kpi --since -2h --json | jq .incidents)" 4
expect_eq "--since -1h: none" "$(irk kpi --since -1h --json | jq .incidents)" 0
expect_eq "--until a date takes in that whole day (UTC here)" \
	"$(TZ=UTC irk kpi --until 2024-05-13 --json | jq .incidents)" 4
g=$(irk kpi --by unit --json)
expect_eq "--by unit: finance, then the incidents without one" \
	"$(printf '%s' "$g" | jq -c '[.groups[] | [.key, .incidents]]')" '[["finance",1],[null,3]]'
expect_eq "--by unit: a group has the same figures" \
	"$(printf '%s' "$g" | jq -c '.groups[0].mtta')" '{"median":600,"p90":600,"mean":600,"count":1,"missing":0}'
expect_eq "--by priority: keys P1..P4" \
	"$(irk kpi --by priority --json | jq -c '[.groups[].key]')" '["P1","P2","P3","P4"]'

# --- CSV: a header and one line per group
irk kpi --by unit --csv >"$T/kpi.csv"
expect_eq "--csv: header and two groups" "$(wc -l <"$T/kpi.csv" | tr -d ' ')" 3
expect_match "--csv: the header names the figures" "$(head -n 1 "$T/kpi.csv")" \
	'^key,incidents,open,closed,mttd_median,mttd_p90,mttd_mean,mttd_count,mttd_missing,mtta_median'
expect_match "--csv: a quoted key and the counts" "$(sed -n 2p "$T/kpi.csv")" '^"finance",1,0,1,'
expect_eq "--csv: every line has the header's fields" \
	"$(awk -F, '{print NF}' "$T/kpi.csv" | sort -u | wc -l | tr -d ' ')" 1

# --- the text table
irk kpi --by unit >"$T/kpi.txt"
expect_eq "the table fits in 80 columns" "$(awk 'length($0) > 80' "$T/kpi.txt" | wc -l | tr -d ' ')" 0
expect_match "the table names MTTA with its median" "$(cat "$T/kpi.txt")" 'MTTA \(acknowledge\) +5m +10m'

# --- usage errors
expect_rc "--by an unknown field: usage error" 2 irk kpi --by colour
expect_match "... naming the choices" "$(cat "$T/.err")" \
	"unit, category, priority, severity, play, rule, analyst, vector, source, cause, month or week"
expect_eq "--by severity: low to critical, not by name" \
	"$(irk kpi --by severity --json | jq -c '[.groups[].key]')" '["low","medium","high","critical"]'
irk set IR-2 vector=email root_cause=macros >/dev/null
expect_eq "--by vector and --by root_cause (its field name)" \
	"$(irk kpi --by vector --json | jq -c '[.groups[].key]') $(irk kpi --by root_cause --json | jq -c '[.groups[].key]')" \
	'["email",null] ["macros",null]'
expect_rc "--since not a date: usage error" 2 irk kpi --since yesterday
expect_match "... naming the option" "$(cat "$T/.err")" "--since 'yesterday' is not a date"
expect_rc "--json and --csv together" 2 irk kpi --json --csv

# --- maturity
m=$(irk maturity --json)
expect_eq "maturity --json: level, criteria, next" \
	"$(printf '%s' "$m" | jq -c '[(.level >= 1 and .level <= 5), (.criteria | length > 0), (.next | type)]')" \
	'[true,true,"array"]'
expect_eq "a criterion: level, id, text, value, threshold, met" \
	"$(printf '%s' "$m" | jq -c '[.criteria[0] | has("level", "id", "text", "value", "threshold", "met")] | all')" true
expect_eq "context cannot be measured: null and not met, with a reason" \
	"$(printf '%s' "$m" | jq -c '.criteria[] | select(.id == "context") | [.value, .met, (.reason | length > 0)]')" \
	'[null,false,true]'
# two of four acknowledged ones have no owner (IR-3 closed unclaimed; the
# others are not acknowledged): owners 50% < 90%, so level 1
expect_eq "owners: IR-2 of IR-2 and IR-3 acknowledged" \
	"$(printf '%s' "$m" | jq -c '.criteria[] | select(.id == "owners") | [.value, .met, .incidents]')" \
	'[50,false,["IR-3"]]'
expect_eq "level 1, and next lists level 2's unmet criteria" \
	"$(printf '%s' "$m" | jq -c '[.level, ([.next[].level] | unique)]')" '[1,[2]]'
printf '[maturity]\nowners = 50\nplays_managed = 25\n' >"$IRK_CONFIG"
expect_eq "thresholds from irk.conf: level 2" "$(irk maturity --json | jq .level)" 2
irk maturity >"$T/mat.txt"
expect_match "the text names the level and what to do next" "$(cat "$T/mat.txt")" \
	'^Maturity level 2 \(Managed\)'
expect_match "... the way to level 3" "$(cat "$T/mat.txt")" 'To reach level 3:'
expect_eq "it fits in 80 columns" "$(awk 'length($0) > 80' "$T/mat.txt" | wc -l | tr -d ' ')" 0

# --- irk report: a month in Markdown and in self-contained HTML
irk set IR-1 --new 'business_unit=<script>alert(1)</script> | x' >/dev/null
irk report --month 2024-05 >"$T/report.md"
expect_match "report: the month in the title" "$(head -n 1 "$T/report.md")" '^# Incident response report, 2024-05$'
expect_match "report: the summary counts the month's incidents" "$(cat "$T/report.md")" \
	'^4 incidents, 2 of them still open'
expect_match "report: MTTA against the month before (none then)" "$(cat "$T/report.md")" \
	'^\| MTTA \(median\) \| 5m \| - \| - \|$'
expect_match "report: the maturity and the way up" "$(cat "$T/report.md")" '^### To reach level 3$'
expect_eq "report: outside text cannot break a Markdown table (nor open a tag)" \
	"$(grep -c '^| \\<script>alert(1)\\</script> \\| x | 1 |' "$T/report.md")" 1
irk report --month 2024-05 --format html >"$T/report.html"
expect_eq "html: no scripts, no links out" \
	"$(grep -ciE '<script|href=|src=|@import|url\(' "$T/report.html")" 0
expect_eq "html: outside text escaped (the units table and its chart)" \
	"$(grep -c '&#60;script&#62;alert(1)&#60;/script&#62; | x' "$T/report.html")" 2
expect_eq "html: three inline SVG charts" "$(grep -o '<svg ' "$T/report.html" | wc -l | tr -d ' ')" 3
check "html: every element closed" python3 -c '
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(s): super().__init__(); s.stack = []; s.bad = 0
    def handle_starttag(s, t, a):
        if t not in ("meta",): s.stack.append(t)
    def handle_endtag(s, t):
        if s.stack and s.stack[-1] == t: s.stack.pop()
        else: s.bad += 1
p = P(); p.feed(open(sys.argv[1]).read()); sys.exit(1 if p.stack or p.bad else 0)' "$T/report.html"
expect_rc "report: a month that is not one" 2 irk report --month 2024-13
expect_rc "report: an unknown format" 2 irk report --format pdf

# --- the demo month has plausible KPIs (README tour): a SOC's figures,
# not zeros or nonsense. The seed and IRK_NOW make it the same month on
# every run.
# --- the sequencer keeps the board's KPI snapshot (snapshot.h): one soon
# after it starts, and a new one after a change (within KPI_SNAPSHOT_AGE,
# 10 s, of the last)
_serve=""
stop_serve() { [ -n "$_serve" ] && kill -TERM "$_serve" 2>/dev/null && wait "$_serve" 2>/dev/null; }
at_exit stop_serve
"$IRK_BIN" serve 2>"$T/serve.log" &
_serve=$!
head_now() { sql "SELECT max(seq) FROM events"; }
# [maturity] is not the default here: the snapshot is that config's
# (board-HASH; irk-kpi(7), SNAPSHOTS)
snap_current() { [ "$(sql "SELECT head FROM kpi_snapshots WHERE name LIKE 'board-%'")" = "$(head_now)" ]; }
check "irk serve stores a current KPI snapshot (its own steps move the log too)" wait_for 15 snap_current
irk note IR-1 "looked at it again" >/dev/null
check "a note moves the audit log past it" [ "$(sql "SELECT head FROM kpi_snapshots")" != "$(head_now)" ]
check "... and the sequencer catches up" wait_for 15 snap_current
stop_serve
_serve=""

: >"$IRK_CONFIG"
export IRK_NOW=1764547200
irk --db "$T/demo.db" demo --days 30 >/dev/null 2>&1
d=$(irk --db "$T/demo.db" kpi --json)
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "null" && v >= lo && v <= hi) }'; }
check "demo: a few hundred incidents" in_range "$(printf '%s' "$d" | jq .incidents)" 200 1000
check "demo: MTTA median between 10 minutes and 2 days" in_range "$(printf '%s' "$d" | jq .mtta.median)" 600 172800
check "demo: MTTR median between 1 hour and 5 days" in_range "$(printf '%s' "$d" | jq .mttr.median)" 3600 432000
check "demo: MTTD median under an hour" in_range "$(printf '%s' "$d" | jq .mttd.median)" 1 3600
check "demo: SLA met between 30% and 95%" in_range "$(printf '%s' "$d" | jq .sla.rate)" 0.3 0.95
check "demo: false positives between 5% and 50%" in_range "$(printf '%s' "$d" | jq .quality.fp_rate)" 0.05 0.5
check "demo: steps automated between 30% and 90%" in_range "$(printf '%s' "$d" | jq .work.automation_rate)" 0.3 0.9
expect_eq "demo: six analysts" "$(printf '%s' "$d" | jq .work.analysts)" 6
check "demo: time in containment measured" in_range "$(printf '%s' "$d" | jq .stages.containment.count)" 10 1000
expect_eq "demo: maturity level 1, plays cover too few incidents" \
	"$(irk --db "$T/demo.db" maturity --json | jq -c '[.level, [.next[].id]]')" '[1,["plays_managed"]]'
