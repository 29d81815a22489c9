#!/bin/sh
# fields.sh: one name per incident field (INCIDENT_FIELDS, fields.h) over
# the real binary: what `irk set` takes is what --json says; an old
# spelling still works and says the name; a field only the lifecycle
# changes says what changes it.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

alert E2EFields web-01 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
irk claim IR-1 >/dev/null
expect_rc "set effort_min" 0 irk set IR-1 effort_min=30 asset_criticality=3
expect_eq "says nothing on stderr" "$(cat "$T/.err")" ""
expect_eq "--json has the same names" \
	"$(irk show IR-1 --json | jq -c '[.effort_min, .asset_criticality]')" "[30,3]"
expect_rc "the old spelling effort still sets it" 0 irk set IR-1 effort=45
expect_eq "and says the name" "$(cat "$T/.err")" "irk: set: 'effort' is now called 'effort_min'"
expect_eq "to effort_min" "$(irk show IR-1 --json | jq .effort_min)" "45"
expect_rc "a lifecycle field is not set (a usage error)" 2 irk set IR-1 alert_count=9
expect_match "and says why" "$(cat "$T/.err")" "'alert_count' is not a field you can set \(alerts correlated into it\)"
done_testing
