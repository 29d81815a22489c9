#!/bin/sh
# query_seed.sh: the first seed's example end to end: plays whose ansible
# step samples processes at a frequency (`factor`), run by `irk serve`
# against this machine, then the values of the factor over time from
# `irk query ... | timechart span=1d values(vars.factor)` (the vars the
# steps ran with, as their output records them).
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"
need_ansible

cat >"$T/plays/sample.yml" <<'EOF2'
- hosts: all
  gather_facts: false
  tasks:
    - name: the sampling order
      ansible.builtin.debug:
        msg: "sample {{ inventory_hostname }} x{{ factor }}"
EOF2
for f in 10 20; do
	cat >"$T/plays/dup$f.json" <<EOF2
{"play": "duplicate-process-$f", "name": "Duplicate process ($f)", "version": 1,
 "match": "rule == 'E2EDup$f'",
 "steps": [{"id": "sampling", "stage": "new", "kind": "ansible", "title": "Sample processes",
   "playbook": "sample.yml", "hosts": "{{alert.host}}", "connection": "local", "timeout": 120,
   "vars": {"factor": "$f", "host": "{{alert.host}}"}}]}
EOF2
done
serve q1
{ alert E2EDup10 web-01; alert E2EDup20 web-02 10.0.0.8; } >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
both_done() { [ "$(sql "SELECT count(*) FROM steps WHERE state = 'done'")" = 2 ]; }
check "both sampling steps ran" wait_for 90 both_done
stop_serves
day=$(( $(date +%s) / 86400 * 86400 ))
expect_eq "the factor's values by day" \
	"$(irk query --json 'steps step == "sampling" | timechart span=1d values(vars.factor)')" \
	"[{\"_time\":$day,\"values(vars.factor)\":\"10, 20\"}]"
expect_eq "the vars are the ones the step ran with (templates rendered)" \
	"$(irk query --json 'steps play == "duplicate-process-10" | table vars.host vars.factor')" \
	'[{"vars.host":"web-01","vars.factor":"10"}]'
expect_eq "by play" \
	"$(irk query --csv 'steps kind == "ansible" | stats count by play, vars.factor' | tr -d '\r')" \
	"play,vars.factor,count
duplicate-process-10,10,1
duplicate-process-20,20,1"
done_testing
