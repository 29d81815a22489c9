#!/bin/sh
# engine_ansible_unsafe.sh: values from alerts reach an ansible playbook as
# data, never as Jinja run on the controller. An EVE alert whose signature
# holds a lookup('pipe', ...) is passed to a real ansible-playbook (-c
# local) through the step's vars: no command runs, and the playbook sees
# the literal text, braces and all. Host names with ':' (which would be an
# INI section like web:children) are refused.
. "$IRK_TOP/tests/e2e/lib.sh"
. "$IRK_TOP/tests/e2e/engine.inc"
need_ansible

mkdir -p "$T/plays/ansible"
cat >"$T/plays/ansible/echo.yml" <<'EOF'
- hosts: all
  gather_facts: false
  tasks:
    - name: show the signature
      ansible.builtin.debug:
        msg: "SIG=[{{ sig }}] NESTED=[{{ nested.inner[0] }}]"
EOF
cat >"$T/plays/echo.json" <<'EOF'
{"play": "echo", "name": "Echo", "version": 1, "match": "rule == '2999001'",
 "steps": [{"id": "echo", "stage": "new", "kind": "ansible", "title": "Echo the signature",
   "playbook": "ansible/echo.yml", "hosts": "localhost", "connection": "local", "timeout": 120,
   "vars": {"sig": "{{alert.rule_name}}", "nested": {"inner": ["{{alert.rule_name}}"]}}}]}
EOF
expect_rc "the test play lints clean" 0 irk play lint "$T/plays/echo.json"

payload="INJECT {{ lookup('pipe', 'id > $T/PWNED') }}"
/usr/bin/python3 -c 'import json, sys
print(json.dumps({"timestamp": "2024-05-13T10:01:02.000000+0000", "event_type": "alert",
  "src_ip": "203.0.113.7", "src_port": 4444, "dest_ip": "10.0.0.5", "dest_port": 80, "proto": "TCP",
  "alert": {"signature_id": 2999001, "signature": sys.argv[1], "category": "Web attack", "severity": 1}}))' \
	"$payload" >"$T/eve.json"
expect_rc "the alert is ingested" 0 irk ingest --format eve "$T/eve.json"

serve s1
ans_final() { case "$(state IR-1 echo)" in done|failed) true ;; *) false ;; esac; }
check "the ansible step finished" wait_for 60 ans_final
expect_eq "it is done" "$(state IR-1 echo)" done
[ "$(state IR-1 echo)" = done ] || sql "SELECT error, log FROM steps" | head -c 3000
check "the lookup did not run: no file was created" test ! -e "$T/PWNED"
log=$(sql "SELECT json_extract(log, '\$.stdout') FROM steps WHERE step_id = 'echo'")
expect_match "the playbook got the literal text, braces and all" "$log" \
	"SIG=\\[INJECT \\{\\{ lookup\\('pipe', 'id > [^']*/PWNED'\\) \\}\\}\\]"
expect_match "a value nested in a list is literal too" "$log" \
	"NESTED=\\[INJECT \\{\\{ lookup\\('pipe'"
done_testing
