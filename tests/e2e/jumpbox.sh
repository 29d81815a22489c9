#!/bin/sh
# jumpbox.sh: the shared jump-box installation with real users (issue 9,
# defect 3). contrib/jumpbox-install.sh sets up a system group and user, a
# setgid binary and the database under a temporary prefix; two analysts
# (not in the group) then cannot write the database with sqlite3, cannot
# act as each other, cannot read a secret (the secrets file, the
# environment of irk serve, `irk config show`), while claim, move, note,
# set, approve and the board work through irk, and the audit shows their
# real login and uid. Needs root (useradd, chown): skipped otherwise.
. "$IRK_TOP/tests/e2e/lib.sh"

skip_all() { echo "ok 1 # SKIP $*"; done_testing; exit 0; }
[ "$(id -u)" -eq 0 ] || skip_all "needs root to add users and install a setgid binary"
for c in useradd userdel groupdel setpriv sqlite3; do
	command -v "$c" >/dev/null 2>&1 || skip_all "needs $c"
done
# A directory analysts can reach, on a filesystem that honours setgid.
J=""
for d in "${TMPDIR:-/tmp}" /tmp /var/tmp "$IRK_TOP/build"; do
	findmnt -no OPTIONS -T "$d" 2>/dev/null | grep -qw nosuid && continue
	J=$(mktemp -d "$d/irk-jb.XXXXXX") && break
done
[ -n "$J" ] || skip_all "no directory without nosuid for a setgid binary"
chmod 0755 "$J"

# Names of this run only (parallel runs must not meet).
g=irkg$$ su=irks$$ a1=jba$$ a2=jbb$$
teardown() {
	[ -f "$J/serve.pid" ] && kill -TERM "$(cat "$J/serve.pid")" 2>/dev/null &&
		wait "$(cat "$J/serve.pid")" 2>/dev/null
	for u in "$a1" "$a2" "$su"; do userdel "$u" 2>/dev/null; done
	for gr in "$a1" "$a2" "$g"; do groupdel "$gr" 2>/dev/null; done
	rm -rf "$J"
}
at_exit teardown
useradd -M -U -s /bin/sh "$a1" && useradd -M -U -s /bin/sh "$a2" ||
	{ not_ok "useradd"; done_testing; exit 1; }
uid1=$(id -u "$a1")

# as USER CMD...: CMD as USER (own group only), with a clean environment.
as() {
	_u=$1; shift
	setpriv --reuid="$_u" --regid="$(id -g "$_u")" --clear-groups \
		env -i PATH="$PATH" LANG=C.UTF-8 HOME="$J" "$@"
}
IRK="$J/bin/irk"

# ---- install ---------------------------------------------------------------------
mkdir -p "$J/share/plays" "$J/systemd"
cat >"$J/share/plays/jb.json" <<'EOF'
{"play": "jb", "name": "Jump box", "version": 1, "match": "rule == 'JBTest'",
 "category": "malware", "severity": "high",
 "steps": [
  {"id": "probe", "stage": "new", "kind": "exec", "title": "Probe with the token",
   "argv": ["sh", "-c", "test -n \"$TOK\" && echo probed"], "env": {"TOK": "{{secret.token}}"}},
  {"id": "decide", "stage": "containment", "kind": "approval", "title": "Decide", "role": "senior"}]}
EOF
chmod -R a+rX "$J/share"
check "the jump-box binary builds with the paths compiled in" \
	make -s -C "$IRK_TOP" jumpbox-irk JB_OUT="$J/build" IRK_SYSCONFDIR="$J/etc" IRK_STATEDIR="$J/var"
expect_rc "contrib/jumpbox-install.sh sets it up" 0 env IRK_BIN_NEW="$J/build/irk" BINDIR="$J/bin" \
	DATADIR="$J/share" SYSCONFDIR="$J/etc" STATEDIR="$J/var" IRK_GROUP="$g" IRK_SYSUSER="$su" \
	JB_ADMIN="$a1" SYSTEMD_DIR="$J/systemd" sh "$IRK_TOP/contrib/jumpbox-install.sh"
expect_eq "the binary is root:$g, setgid" "$(stat -c '%U:%G %a' "$IRK")" "root:$g 2755"
expect_eq "the state directory is $su:$g 2770" "$(stat -c '%U:%G %a' "$J/var")" "$su:$g 2770"
expect_eq "the database is $su:$g 0660" "$(stat -c '%U:%G %a' "$J/var/irk.db")" "$su:$g 660"
expect_eq "the secrets file is root's, 0600" "$(stat -c '%U:%G %a' "$J/etc/secrets.env")" "root:root 600"
expect_match "the service runs irk serve as $su with the secrets" "$(cat "$J/systemd/irk-serve.service")" \
	"^EnvironmentFile=-$J/etc/secrets.env"
printf 'IRK_SECRET_TOKEN=JBSECRET-5a7e\n' >"$J/etc/secrets.env"

# ---- the analysts cannot go around irk ----------------------------------------------
expect_rc "an analyst cannot open the database with sqlite3" 1 \
	as "$a1" sqlite3 "$J/var/irk.db" "INSERT INTO users VALUES ('x', 'admin', 0, 'x')"
fails() { ! "$@" >/dev/null 2>&1; }
check "nor append to the file" fails as "$a1" sh -c "echo x >>'$J/var/irk.db'"
expect_rc "the admin adds a senior through irk" 0 as "$a1" "$IRK" user add "$a2" --role senior
expect_rc "a senior cannot add an admin" 1 as "$a2" "$IRK" user add mallory --role admin
expect_rc "nor as the admin with IRK_USER (defect 3)" 1 \
	as "$a2" env IRK_USER="$a1" "$IRK" user add mallory --role admin
expect_match "which is refused, saying what to unset" "$(cat "$T/.err")" "IRK_USER=$a1 is refused.*unset IRK_USER"
expect_rc "--db elsewhere is refused" 1 as "$a1" "$IRK" --db "$J/mine.db" list
expect_match "saying so" "$(cat "$T/.err")" "--db is refused"
expect_rc "IRK_DB elsewhere is refused" 1 as "$a1" env IRK_DB="$J/mine.db" "$IRK" list
expect_rc "IRK_PLAYS is refused" 1 as "$a1" env IRK_PLAYS="$J" "$IRK" list
expect_rc "the setgid irk does not serve" 1 as "$a1" "$IRK" serve
expect_match "steps run in the service" "$(cat "$T/.err")" "irk-serve service runs them"

# ---- the work goes through irk -------------------------------------------------------
/usr/bin/python3 -c 'import json; print(json.dumps({"@timestamp": "2024-05-13T10:01:02Z",
  "event": {"kind": "alert", "severity": 3}, "rule": {"id": "JBTest", "name": "JBTest"},
  "host": {"name": "web-01"}}))' >"$J/alert.jsonl"
chmod 0644 "$J/alert.jsonl"
expect_rc "an analyst ingests" 0 as "$a1" "$IRK" ingest "$J/alert.jsonl"
expect_match "the probe waits for the service (the analyst's irk runs no step)" \
	"$(as "$a1" "$IRK" step list IR-1)" "probe +new +exec +ready"
expect_rc "claim" 0 as "$a1" "$IRK" claim IR-1
expect_rc "note" 0 as "$a1" "$IRK" note IR-1 "looked at web-01"
expect_rc "set" 0 as "$a1" "$IRK" set IR-1 severity=critical
expect_rc "move" 0 as "$a2" "$IRK" move IR-1 identification
expect_rc "move to containment (asks for the decision)" 0 as "$a2" "$IRK" move IR-1 containment
expect_rc "the asker cannot approve" 1 as "$a2" "$IRK" approve IR-1 decide
expect_rc "the admin approves" 0 as "$a1" "$IRK" approve IR-1 decide
expect_match "the board" "$(as "$a1" "$IRK" board)" "IR-1"
expect_eq "files irk made in the state directory belong to $g" \
	"$(find "$J/var" -newer "$J/alert.jsonl" ! -group "$g" | wc -l)" 0

# ---- irk serve holds the secrets -------------------------------------------------------
setpriv --reuid="$su" --regid="$g" --clear-groups env -i PATH="$PATH" HOME="$J/var" \
	IRK_DB="$J/var/irk.db" IRK_CONFIG="$J/etc/irk.conf" IRK_SECRET_TOKEN=JBSECRET-5a7e \
	"$IRK" serve 2>"$J/serve.log" &
echo $! >"$J/serve.pid"
probe_done() { as "$a1" "$IRK" step list IR-1 | grep -Eq "probe +new +exec +done"; }
check "irk serve runs the step with the secret" wait_for 30 probe_done
expect_rc "an analyst cannot read the secrets file" 1 as "$a1" cat "$J/etc/secrets.env"
expect_rc "nor the environment of irk serve" 1 as "$a1" cat "/proc/$(cat "$J/serve.pid")/environ"
out=$(as "$a1" "$IRK" config show 2>&1)
expect_match "irk config show is the system configuration" "$out" "$J/share/plays"
expect_no_match "without the secret" "$out" "JBSECRET"

# ---- the audit shows who really acted ---------------------------------------------------
claim=$(as "$a1" "$IRK" audit log --json | grep '"incident.claim"')
expect_match "the claim's actor is the login, with its uid" "$claim" \
	"\"actor\":\"$a1\",\"uid\":$uid1,\"login\":\"$a1\""
expect_rc "the chain is intact" 0 as "$a1" "$IRK" audit verify
done_testing
