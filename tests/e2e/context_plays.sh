#!/bin/sh
# context_plays.sh: plays see what the asset inventory knows (asset.* in
# irk-play(5)): a step's `when` reads asset.criticality and asset.tags of
# the incident's host, from the inventory alone (no
# source, no request); lint knows the names; the inventory's criticality
# then feeds the incident (irk context --refresh), audited.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"

cat >"$T/assets.csv" <<CSV
host,ips,owner,business_unit,criticality,role,site,os,tags,contact
crit-db-01,10.60.0.20,dba-team,finance,4,database,fra1,Debian 12,pci prod,dba@example.com
lab-ws-07,10.90.0.7,kim,research,1,workstation,lab,Windows 11,,
CSV
expect_rc "the inventory imports" 0 irk asset import "$T/assets.csv"

cat >"$T/plays/crit.json" <<'PLAY'
{"play": "crit", "name": "Critical hosts first", "version": 1, "match": "rule == 'E2ECrit'",
 "steps": [
  {"id": "page", "stage": "new", "kind": "manual", "title": "Page the owner", "when": "asset.criticality >= 4 && asset.tags ~ 'pci'"},
  {"id": "look", "stage": "new", "kind": "manual", "title": "Have a look"}]}
PLAY
expect_rc "a play using asset.* lints clean" 0 irk play lint "$T/plays/crit.json"
printf '{"play": "x", "name": "x", "version": 1, "match": "asset.ownr == 1", "steps": [{"id": "a", "stage": "new", "kind": "manual", "title": "a"}]}\n' >"$T/bad.json"
expect_rc "a misspelt asset field is a lint error" 1 irk play lint "$T/bad.json"

{ alert E2ECrit crit-db-01 10.0.0.9; alert E2ECrit lab-ws-07 10.0.0.8; } >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
expect_eq "on the critical host the step's when holds: it waits for a person" "$(state IR-1 page)" "waiting"
expect_eq "on the lab workstation it does not" "$(state IR-2 page)" "skipped"

expect_rc "irk context --refresh feeds the incident" 0 irk context IR-1 --refresh
expect_eq "criticality and unit from the inventory" \
	"$(sql "SELECT asset_criticality || ' ' || business_unit FROM incidents WHERE id = 1")" "4 finance"
expect_eq "audited as incident.context from the inventory" \
	"$(sql "SELECT json_extract(data, '\$.source') FROM events WHERE kind = 'incident.context'")" "inventory"
done_testing
