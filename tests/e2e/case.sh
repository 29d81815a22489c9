#!/bin/sh
# case.sh: case handling from the command line (issue 12): nothing
# required is skipped unseen (a true-positive close over required steps of
# later stages, a denied approval, the gate's words), nothing stuck unseen,
# and the case tools.
. "$IRK_TOP/tests/e2e/lib.sh"
unset IRK_PLAYS
FIX="$IRK_TOP/tests/fixtures/plays"

as() { _u=$1; shift; IRK_USER=$_u "$IRK_BIN" "$@"; }
state_of() { sql "SELECT state FROM steps WHERE incident_id = ${1#IR-} AND step_id = '$2'"; }

irk init >/dev/null
as alice user add bob --role senior >/dev/null
as alice user add carol --role analyst >/dev/null

# ---- a P1 ransomware: true-positive needs its later required steps -------
as carol ingest "$FIX/ransomware.jsonl" >/dev/null
k=IR-$(sql "SELECT max(id) FROM incidents WHERE play = 'ransomware'")
# The approval the play made due: asked by the play, not by carol who ran
# the ingest; the seniors are told; it is in their list, not carol's.
expect_eq "nobody asked for isolate-ok: the play did" \
	"$(sql "SELECT coalesce(requested_by, 'the play') FROM steps WHERE incident_id = ${k#IR-} AND step_id = 'isolate-ok'")" "the play"
expect_match "the seniors are told" "$(irk outbox)" "role:senior +$k: approval isolate-ok \\(Isolate fs-01 now\\) waits for a senior"
expect_match "irk list --approvals: bob's to grant" "$(as bob list --approvals)" "^$k +P1"
expect_eq "carol may not grant it: not in hers" "$(as carol list --approvals)" ""
as carol claim "$k" >/dev/null
as bob deny "$k" isolate-ok --reason "fs-01 serves payroll today" >/dev/null
expect_eq "a denial skips what needs it" "$(state_of "$k" isolate)" "skipped"
expect_rc "a denied required approval is a decision: the gate opens" 0 as carol move "$k" identification
expect_rc "scope done" 0 as carol step done "$k" scope --input hosts=fs-01
expect_rc "to containment" 0 as carol move "$k" containment
expect_rc "closing as true-positive over later required steps: exit 1" 1 \
	as carol close "$k" --resolution true-positive
expect_match "naming them, stage by stage" "$(cat "$T/.err")" \
	"^irk: closing $k as true-positive would skip required steps of later stages: eradication: entry \\(not started\\); recovery: restore \\(not started\\); lessons-learned: lessons \\(not started\\); a senior can force it with a reason \\(--force --reason TEXT\\)$"
expect_eq "it stayed in containment" "$(sql "SELECT stage FROM incidents WHERE id = ${k#IR-}")" "containment"
expect_rc "an analyst cannot force it" 1 as carol close "$k" --resolution true-positive --force --reason "done"
expect_rc "a senior can, with a reason" 0 as bob close "$k" --resolution true-positive --force --reason "IT restores it"
expect_match "and is told what it cancelled" "$(cat "$T/.out")" \
	"^$k closed as true-positive; its unfinished steps are cancelled: .*entry, .*restore, lessons$"

# ---- a false positive closes quickly and says what it cancels ------------
as carol ingest "$FIX/phishing.jsonl" >/dev/null
p=IR-$(sql "SELECT max(id) FROM incidents WHERE play = 'phishing'")
expect_rc "triage: legitimate" 0 as carol step done "$p" triage --input verdict=legitimate
expect_rc "a false positive closes from where it is (the later steps do not hold it)" 0 \
	as carol close "$p" --resolution false-positive
expect_match "saying what it cancelled" "$(cat "$T/.out")" "^$p closed as false-positive; its unfinished steps are cancelled: .*clickers"

# ---- case tools: a report from a person, a play for it, observables ------
expect_rc "irk new without a title is a usage error" 2 irk new --severity high
expect_rc "irk new with a severity it does not know" 2 irk new --title x --severity urgent
expect_rc "irk new" 0 as carol new --title "Phone call: CFO got a strange invoice mail" \
	--severity high --host ws-fin-07 --play phishing --unit finance
n=$(cat "$T/.out")
expect_match "it prints the new key" "$n" "^IR-[0-9]+$"
expect_eq "its fields" "$(irk show "$n" --json | jq -r '[.severity, .business_unit, .host, .play, .stage] | join(" ")')" \
	"high finance ws-fin-07 phishing new"
expect_eq "its play's first step waits" "$(state_of "$n" triage)" "waiting"
expect_match "irk list --observable finds it by its host" "$(irk list --observable ws-fin-07)" "^$n +P"
expect_match "and the ingested ones by any observable (closed too with --all)" "$(irk list --observable 10.20.5.11 --all)" "^$k "
expect_eq "an exact value: a part finds nothing" "$(irk list --observable ws-fin)" ""
expect_match "times say their zone once: the first" "$(irk show "$n" | grep 'first event')" " UTC$"
expect_eq "and only once" "$(irk show "$n" | grep -c 'UTC')" "1"
expect_rc "irk new without a play" 0 irk new --title "Lost laptop" --severity medium
m=$(cat "$T/.out")
expect_rc "irk play assign gives it one" 0 irk play assign "$m" lost-device
expect_eq "its steps are laid out" "$(state_of "$m" report)" "waiting"
expect_rc "the same play again is refused" 1 irk play assign "$m" lost-device
expect_match "saying why" "$(cat "$T/.err")" "runs play lost-device already"
# Changing the play: once its steps ran, a senior, with a reason.
expect_rc "carol takes the report" 0 as carol step done "$m" report --input encrypted=unknown
expect_rc "an analyst cannot change a play whose steps ran" 1 as carol play assign "$m" phishing
expect_eq "naming them" "$(cat "$T/.err")" \
	"irk: $m runs play lost-device and its steps ran (report): a senior changes its play, with a reason"
expect_rc "a senior needs a reason: a usage error" 2 as bob play assign "$m" phishing
expect_match "asking for it" "$(cat "$T/.err")" "needs a reason \\(--reason TEXT\\)$"
expect_rc "with a reason, the play changes" 0 as bob play assign "$m" phishing \
	--reason "the laptop was reported stolen after a phishing mail"
expect_eq "the new play's steps are laid out" "$(state_of "$m" triage)" "waiting"
expect_eq "the old ones are kept, done as they were" "$(state_of "$m" lost-device/report)" "done"
expect_match "irk step list shows the old ids whole (what step show takes)" \
	"$(irk step list "$m")" " lost-device/report "
expect_match "and the longest one, the column as wide as it" \
	"$(irk step list "$m")" " lost-device/wipe-ok "
expect_eq "the rest cancelled, saying why" \
	"$(sql "SELECT state || ': ' || reason FROM steps WHERE incident_id = ${m#IR-} AND step_id = 'lost-device/lock'")" \
	"skipped: cancelled: the play changed to phishing"
expect_eq "the incident runs phishing" "$(irk show "$m" --json | jq -r .play)" phishing
expect_eq "the change is audited with its reason" \
	"$(sql "SELECT actor || ' ' || json_extract(data, '\$.from') || ' ' || json_extract(data, '\$.to') || ': ' || json_extract(data, '\$.reason') FROM events WHERE kind = 'play.change'")" \
	"bob lost-device phishing: the laptop was reported stolen after a phishing mail"
expect_rc "the audit chain holds" 0 irk audit verify
expect_rc "a business unit no open incident has: refused" 2 irk set "$m" business_unit=finanse
expect_eq "naming the nearest" "$(cat "$T/.err")" \
	"irk: business_unit: no open incident has unit 'finanse' (did you mean finance?); a new unit is set with --new"
expect_rc "a known one" 0 irk set "$m" business_unit=finance
expect_rc "a new one with --new" 0 irk set "$m" --new business_unit=legal

# ---- links and a merge ----------------------------------------------------
expect_rc "irk new: the same mail reported again" 0 irk new --title "Same invoice mail, from the CFO's assistant" \
	--severity medium --host ws-fin-08
d=$(cat "$T/.out")
expect_rc "a note on the duplicate" 0 irk note "$d" "assistant forwarded it to IT"
expect_rc "link: related" 0 irk link "$d" "$m" --as related
expect_rc "a link to itself is refused" 2 irk link "$d" "$d"
expect_rc "an unknown kind of link" 2 irk link "$d" "$m" --as cousin
expect_rc "merge the duplicate into the first report" 0 irk merge "$d" "$n"
expect_eq "the duplicate is closed as duplicate, pointing at the survivor" \
	"$(irk show "$d" --json | jq -r '[.stage, .resolution, (.links[] | select(.link == "duplicate of") | .incident)] | join(" ")')" \
	"closed duplicate $n"
expect_match "the survivor shows the link" "$(irk show "$n")" "has duplicate $d"
expect_eq "the note moved" "$(irk show "$n" --json | jq -r '.notes[].text')" "assistant forwarded it to IT"
expect_match "and the observable" "$(irk list --observable ws-fin-08)" "^$n +P"
expect_match "the related link shows on both" "$(irk show "$m")" "related to +$d"
# ---- irk watch without a JID: said, not silent ------------------------------
expect_rc "carol follows $n" 0 as carol watch "$n"
expect_eq "warned that nothing reaches her without a JID" "$(cat "$T/.err")" \
	"irk watch: warning: carol has no JID, so no message reaches you (irk user set carol --jid JID)"
expect_rc "alice sets her JID" 0 irk user set carol --jid carol@localhost
expect_rc "carol follows $m" 0 as carol watch "$m"
expect_eq "no warning with a JID" "$(cat "$T/.err")" ""
expect_rc "someone who is no irk user follows it" 0 as zed watch "$m"
expect_match "told how to become one" "$(cat "$T/.err")" "zed is no irk user and has no JID.*irk user add zed --role ROLE --jid JID"

expect_rc "merging a closed incident is refused" 1 irk merge "$d" "$n"
expect_match "the hint reopens the closed one" "$(cat "$T/.err")" "irk move $d STAGE --reason TEXT"
expect_rc "merging into a closed incident is refused" 1 irk merge "$n" "$d"
expect_match "the hint reopens the closed one, the second named" "$(cat "$T/.err")" "irk move $d STAGE --reason TEXT"

done_testing
