#!/bin/sh
# play_cacao.sh: irk play import and export (issue 13) as the contract in
# irk(1) says: the play on stdout or in -o OUT, what is not mapped on
# stderr by JSON path, exit 0 (all mapped), 3 (some kept as x-cacao data),
# 1 (not CACAO), 2 (usage); the imported play lints and dry-runs; export
# --cacao writes CACAO 2.0 that imports back to the same steps.
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
cat >"$T/pb.json" <<'EOF'
{"type": "playbook", "spec_version": "cacao-2.0", "id": "playbook--1", "name": "Block an address",
 "playbook_variables": {"__ip__": {"type": "ipv4-addr", "description": "the address", "external": true}},
 "workflow_start": "start--1",
 "workflow": {
  "start--1": {"type": "start", "on_completion": "action--1"},
  "action--1": {"type": "action", "name": "Block it", "on_completion": "while-condition--1",
    "commands": [{"type": "bash", "command": "block-ip __ip__:value 24h"}]},
  "while-condition--1": {"type": "while-condition", "name": "Until quiet", "condition": "[x:y = 1]",
    "on_true": "action--2", "on_completion": "end--1"},
  "action--2": {"type": "action", "name": "Watch", "on_completion": "end--2",
    "commands": [{"type": "kestrel", "command": "x = GET process"}]},
  "end--2": {"type": "end"},
  "end--1": {"type": "end"}}}
EOF
expect_rc "import: some constructs kept, exit 3" 3 irk play import "$T/pb.json"
out=$(cat "$T/.out")
err=$(cat "$T/.err")
expect_match "the loop named by its JSON path" "$err" "^irk: $T/pb.json: \\\$.workflow\[\"while-condition--1\"\]: while-condition: irk plays have no loops"
expect_match "the command kind irk does not run" "$err" "^irk: $T/pb.json: \\\$.workflow\[\"action--2\"\].commands\[0\]: command type 'kestrel' has no irk step kind"
expect_match "and a count" "$err" "^irk: 2 constructs not mapped"
expect_match "the play on standard output" "$out" '"argv":\["block-ip","\{\{steps.variables.inputs.ip\}\}","24h"\]'
expect_rc "-o OUT" 3 irk play import "$T/pb.json" -o "$T/pb.play.json"
expect_eq "nothing on standard output then" "$(cat "$T/.out")" ""
expect_rc "the imported play lints clean" 0 irk play lint "$T/pb.play.json"
expect_match "the loop kept as x-cacao data" "$(cat "$T/pb.play.json")" '"x-cacao":\{.*"type":"while-condition"'
expect_rc "--stages spreads the steps" 3 irk play import "$T/pb.json" --stages containment,recovery -o "$T/st.json"
expect_eq "over those stages" "$(python3 -c 'import json,sys; print(" ".join(s["stage"] for s in json.load(open(sys.argv[1]))["steps"]))' "$T/st.json")" \
	"containment containment recovery recovery"
expect_rc "an unknown stage: usage" 2 irk play import "$T/pb.json" --stages containment,nope
expect_match "named" "$(cat "$T/.err")" "'nope' is not a stage"
printf '{"type": "playbook",\n "workflow": [}' >"$T/bad.json"
expect_rc "not JSON: an error" 1 irk play import "$T/bad.json"
expect_match "with its line and column" "$(cat "$T/.err")" "^irk: $T/bad.json: 2:15: "
echo '{"type": "x"}' >"$T/nocacao.json"
expect_rc "not CACAO: an error" 1 irk play import "$T/nocacao.json"
expect_match "saying so" "$(cat "$T/.err")" "not a CACAO playbook: no workflow object"
expect_rc "no file: usage" 2 irk play import
expect_rc "-o with lint: usage" 2 irk play lint -o x

# A playbook all of whose constructs map: exit 0.
cat >"$T/ok.json" <<'EOF'
{"type": "playbook", "spec_version": "cacao-2.0", "id": "playbook--2", "name": "Ask",
 "workflow_start": "start--1",
 "workflow": {"start--1": {"type": "start", "on_completion": "action--1"},
  "action--1": {"type": "action", "name": "Call the user", "on_completion": "end--1",
    "commands": [{"type": "manual", "command": "Call the user of the host"}]},
  "end--1": {"type": "end"}}}
EOF
expect_rc "all mapped: exit 0" 0 irk play import "$T/ok.json" -o "$T/ok.play.json"
expect_eq "nothing reported" "$(cat "$T/.err")" ""

# Export: as it is, and as CACAO 2.0 that imports back.
expect_rc "export a bundled play as it is" 0 irk play export ddos
expect_eq "the file itself" "$(cat "$T/.out")" "$(cat "$IRK_TOP/plays/ddos.json")"
expect_rc "export --cacao: a notify step is only described, exit 3" 3 irk play export ddos --cacao -o "$T/ddos.cacao.json"
expect_match "named by step" "$(cat "$T/.err")" "^irk: ddos: steps.noc: a notify step has no CACAO command"
expect_eq "CACAO 2.0" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["type"], d["spec_version"], d["workflow_start"] in d["workflow"])' "$T/ddos.cacao.json")" "playbook cacao-2.0 True"
irk play import "$T/ddos.cacao.json" -o "$T/ddos.back.json" 2>/dev/null
expect_rc "imported back, it lints" 0 irk play lint "$T/ddos.back.json"
expect_eq "the same steps: ids, stages, titles, what they run, inputs" "$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["steps"]
b = json.load(open(sys.argv[2]))["steps"]
assert len(a) == len(b), (len(a), len(b))
for x, y in zip(a, b):
    assert (x["id"], x["stage"]) == (y["id"], y["stage"]), (x["id"], y["id"])
    if x["kind"] in ("manual", "exec", "http"):
        assert x["kind"] == y["kind"], x["id"]
        for k in ("title", "instructions", "checklist", "inputs", "url", "method", "body", "when"):
            assert x.get(k) == y.get(k), (x["id"], k, x.get(k), y.get(k))
    else:
        assert y["kind"] == "manual", y["id"]
print("same")' "$IRK_TOP/plays/ddos.json" "$T/ddos.back.json")" "same"
expect_rc "export of no such play: usage" 2 irk play export nope --cacao
expect_rc "--cacao with import: usage" 2 irk play import "$T/ok.json" --cacao
done_testing
