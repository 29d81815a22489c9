#!/bin/sh
# engine_ansible.sh: an ansible step run by `irk serve` with ansible-core
# against this machine (-c local): the inventory is the alert's host, the
# step's vars arrive as --extra-vars, the playbook writes a file we check,
# and PLAY RECAP is in the step's output.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"
need_ansible

cat >"$T/plays/sample.yml" <<'EOF'
- hosts: all
  gather_facts: false
  tasks:
    - name: write the sampling order
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "sample {{ inventory_hostname }} x{{ factor }} for {{ incident }}\n"
EOF
cat >"$T/plays/ansible.json" <<EOF
{"play": "ans", "name": "Ansible", "version": 1, "match": "rule == 'E2EAnsible'",
 "steps": [{"id": "sampling", "stage": "new", "kind": "ansible", "title": "Sample processes",
   "playbook": "sample.yml", "hosts": "{{alert.host}}", "connection": "local", "timeout": 120,
   "vars": {"out": "$T/sampled.txt", "factor": "10", "incident": "{{incident.key}}"}}]}
EOF
expect_rc "the test play lints clean" 0 irk play lint "$T/plays/ansible.json"

serve s1
alert E2EAnsible web-01 >"$T/a.jsonl"
irk ingest "$T/a.jsonl" >/dev/null
ans_final() { case "$(state IR-1 sampling)" in done|failed) true ;; *) false ;; esac; }
check "the ansible step finished" wait_for 60 ans_final
expect_eq "it is done" "$(state IR-1 sampling)" done
[ "$(state IR-1 sampling)" = done ] || sql "SELECT error, log FROM steps" | head -c 3000
expect_eq "the playbook wrote the file" "$(cat "$T/sampled.txt" 2>/dev/null)" "sample web-01 x10 for IR-1"
out=$(sql "SELECT output FROM steps WHERE step_id = 'sampling'")
expect_match "PLAY RECAP is in the output" "$out" '"recap":\{"web-01":\{"ok":1,"changed":1,'
expect_match "the hosts are in the output" "$out" '"hosts":\["web-01"\]'
expect_match "the inventory is in the log" "$(sql "SELECT log FROM steps WHERE step_id = 'sampling'")" \
	'"inventory":"\[web\]\\nweb-01\\n"'
done_testing
