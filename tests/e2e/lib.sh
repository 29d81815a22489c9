# lib.sh: helpers for the end-to-end tests. Source it first:
#   . "$IRK_TOP/tests/e2e/lib.sh"
# Each check prints "ok N - what" or "not ok N - what" (TAP style); run.sh
# counts them. Every test gets a private directory $T (removed at exit) and
# a database $IRK_DB inside it. Never sleep to wait: use wait_for.
set -u
IRK_TOP=${IRK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
IRK_BIN=${IRK_BIN:-$IRK_TOP/irk}
T=$(mktemp -d "${TMPDIR:-/tmp}/irk-e2e.XXXXXX")
export IRK_DB="$T/irk.db"
export IRK_USER=${IRK_USER:-alice}
export IRK_CONFIG="$T/irk.conf"
: >"$IRK_CONFIG"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
unset IRK_NOW IRK_THEME NO_COLOR
IRK_XMPP_PORTS=${IRK_XMPP_PORTS:-41500-41599}
_n=0
_cleanups=""
cleanup() {
	for c in $_cleanups; do eval "$c" >/dev/null 2>&1; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
# at_exit CMD: run CMD (a function name) when the test ends.
at_exit() { _cleanups="$_cleanups $1"; }

# start_netbox TOKEN [ARG...]: the loopback NetBox and CMDB of the context tests
# (tests/fixtures/netbox_server.py) on a free port, requests logged to
# $T/requests.log; sets $port (empty when it did not start). stop_netbox
# ends it (the source gone); it is stopped at exit in any case.
start_netbox() {
	mkfifo "$T/port"
	_tok=$1; shift
	/usr/bin/python3 "$IRK_TOP/tests/fixtures/netbox_server.py" --token "$_tok" \
		--log "$T/requests.log" "$@" >"$T/port" </dev/null &
	_netbox=$!
	at_exit stop_netbox
	read -r port <"$T/port"
}
stop_netbox() { kill "$_netbox" 2>/dev/null; wait "$_netbox" 2>/dev/null; }

# start_jira TOKEN [ARG...]: the loopback Jira of the ticket tests
# (tests/fixtures/jira_server.py; user irk@example.com, its other
# arguments after TOKEN), requests logged to $T/requests.log; sets $port.
# Stopped at exit.
start_jira() {
	mkfifo "$T/port"
	_tok=$1; shift
	/usr/bin/python3 "$IRK_TOP/tests/fixtures/jira_server.py" --user irk@example.com \
		--token "$_tok" --log "$T/requests.log" "$@" >"$T/port" </dev/null &
	_jira=$!
	at_exit stop_jira
	read -r port <"$T/port"
}
stop_jira() { kill "$_jira" 2>/dev/null; wait "$_jira" 2>/dev/null; }

# start_rt: a real Request Tracker 5 (Debian's request-tracker5,
# rt5-db-sqlite, rt5-standalone: contrib/deps.sh) in $T/rt, on a copy of
# the database the package made, with a site configuration of its own
# (RT_SITE_CONFIG and RT_SITE_CONFIG_DIR keep /etc's out), one process
# (--server Standalone), basic auth root:password. Sets $rt_port and
# $rt_url; 1 when RT is not installed or did not answer within 60 s.
# stop_rt ends it (the source gone); it is stopped at exit in any case.
start_rt() {
	_rt_db=/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb
	[ -x /usr/share/request-tracker5/libexec/rt-server ] && [ -r "$_rt_db" ] || return 1
	mkdir -p "$T/rt/d" && cp "$_rt_db" "$T/rt/rtdb" || return 1
	rt_port=$(free_port)
	rt_url="http://127.0.0.1:$rt_port"
	cat >"$T/rt/site.pm" <<RTCONF
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$T/rt/rtdb');
Set(\$rtname, 'irk-test');
Set(\$Organization, 'irk-test');
Set(\$Timezone, 'UTC');
Set(\$WebPath, '');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $rt_port);
Set(\$WebBaseURL, '$rt_url');
Set(\$RestrictReferrer, 0);
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, 'error');
1;
RTCONF
	RT_SITE_CONFIG="$T/rt/site.pm" RT_SITE_CONFIG_DIR="$T/rt/d" \
		/usr/share/request-tracker5/libexec/rt-server --server Standalone --port "$rt_port" \
		>"$T/rt/log" 2>&1 </dev/null &
	_rt=$!
	at_exit stop_rt
	wait_for 60 curl -sf -u root:password "$rt_url/REST/2.0/queues/all"
}
stop_rt() { kill "$_rt" 2>/dev/null; wait "$_rt" 2>/dev/null; }
# rt_post PATH JSON: POST JSON to RT's REST2 as root; the answer on stdout.
rt_post() {
	curl -sf -u root:password -H 'Content-Type: application/json' -X POST \
		--data-binary "$2" "$rt_url/REST/2.0/$1"
}

# A free TCP port on loopback between $1 and $2 (the XMPP tests keep to
# their own range: IRK_XMPP_PORTS, default 41500-41599).
free_port_in() {
	/usr/bin/python3 -c 'import socket, sys
for p in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); s.close(); print(p); break
    except OSError:
        s.close()' "$1" "$2"
}

# port_open PORT: something listens on loopback PORT.
port_open() {
	/usr/bin/python3 -c 'import socket, sys
s = socket.socket(); s.settimeout(0.5)
sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))))' "$1"
}

# start_prosody: a private prosody for the XMPP tests, on loopback: host
# localhost, its rooms at conference.localhost, offline messages kept,
# STARTTLS with a certificate of a test CA made here ($XMPP_CA; another
# CA, $XMPP_WRONG_CA, for the refusal tests), everything under $T/prosody.
# Sets $xport (empty when it did not start). Called again after
# stop_prosody it restarts the same server (same port, users, messages).
# Users: prosody_user NAME PASSWORD. Stopped at exit in any case.
start_prosody() {
	_px="$T/prosody"
	if [ ! -f "$_px/prosody.cfg.lua" ]; then
		mkdir -p "$_px/data" "$_px/certs"
		at_exit stop_prosody
		(cd "$_px/certs" &&
			openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=irk-test-ca \
				-keyout ca.key -out ca.pem &&
			openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=irk-wrong-ca \
				-keyout wrong.key -out wrong.pem &&
			openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
				-keyout localhost.key -out localhost.csr &&
			printf 'subjectAltName=DNS:localhost,DNS:conference.localhost\n' >ext &&
			openssl x509 -req -in localhost.csr -CA ca.pem -CAkey ca.key \
				-CAcreateserial -days 2 -extfile ext -out localhost.crt) \
			>"$_px/openssl.log" 2>&1 || { xport=""; return 1; }
		xport=$(free_port_in "${IRK_XMPP_PORTS%-*}" "${IRK_XMPP_PORTS#*-}")
		cat >"$_px/prosody.cfg.lua" <<EOF
run_as_root = true
daemonize = false
pidfile = "$_px/prosody.pid"
data_path = "$_px/data"
interfaces = { "127.0.0.1" }
c2s_ports = { $xport }
s2s_ports = {}
component_ports = {}
http_ports = {}
https_ports = {}
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "offline", "presence" }
modules_disabled = { "s2s" }
log = { { levels = { min = "info" }, to = "file", filename = "$_px/prosody.log" } }
authentication = "internal_plain"
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
ssl = { key = "$_px/certs/localhost.key", certificate = "$_px/certs/localhost.crt" }
VirtualHost "localhost"
Component "conference.localhost" "muc"
	muc_room_locking = false
	restrict_room_creation = false
EOF
	fi
	XMPP_CA="$_px/certs/ca.pem"
	XMPP_WRONG_CA="$_px/certs/wrong.pem"
	prosody -F --config "$_px/prosody.cfg.lua" >>"$_px/stdout.log" 2>&1 </dev/null &
	_prosody=$!
	wait_for 15 port_open "$xport" || { xport=""; return 1; }
}

# stop_prosody: TERM, then KILL after 5 s; returns when it is gone.
stop_prosody() {
	[ -n "${_prosody:-}" ] || return 0
	kill "$_prosody" 2>/dev/null
	wait_for 5 sh -c "! kill -0 $_prosody" || kill -9 "$_prosody" 2>/dev/null
	wait "$_prosody" 2>/dev/null
	_prosody=""
}

# kill_prosody: SIGKILL, as a crash; returns when it is gone.
kill_prosody() {
	kill -9 "$_prosody" 2>/dev/null
	wait "$_prosody" 2>/dev/null
	_prosody=""
}

# prosody_user NAME PASSWORD: NAME@localhost on the test server.
prosody_user() {
	prosodyctl --config "$T/prosody/prosody.cfg.lua" register "$1" localhost "$2" \
		>>"$T/prosody/prosodyctl.log" 2>&1
}

# xmpp_client NAME JID PASSWORD [ROOM NICK]: the test client
# (tests/fixtures/xmpp_client.py) logged in as JID (and in ROOM as NICK),
# logging what it receives to $T/NAME.log (JSON lines). Returns when it is
# online (and in the room); 1 when it did not get there. Stopped at exit.
xmpp_client() {
	_cn=$1
	: >"$T/$_cn.log"
	if [ $# -ge 5 ]; then
		/usr/bin/python3 "$IRK_TOP/tests/fixtures/xmpp_client.py" --jid "$2" --password "$3" \
			--port "$xport" --log "$T/$_cn.log" --room "$4" --nick "$5" \
			</dev/null >"$T/$_cn.out" 2>&1 &
	else
		/usr/bin/python3 "$IRK_TOP/tests/fixtures/xmpp_client.py" --jid "$2" --password "$3" \
			--port "$xport" --log "$T/$_cn.log" </dev/null >"$T/$_cn.out" 2>&1 &
	fi
	_clients="${_clients:-} $!"
	[ -n "${_clients_cleanup:-}" ] || { at_exit stop_clients; _clients_cleanup=1; }
	wait_for 20 grep -q '"online"' "$T/$_cn.log" || return 1
	[ $# -lt 5 ] || wait_for 20 grep -q '"joined"' "$T/$_cn.log"
}
stop_clients() { for p in ${_clients:-}; do kill "$p"; wait "$p"; done; }

# xmpp_say JID PASSWORD TO BODY: log in as JID, send BODY to TO (a chat
# message), and return once the server has it.
xmpp_say() {
	/usr/bin/python3 "$IRK_TOP/tests/fixtures/xmpp_client.py" --jid "$1" --password "$2" \
		--port "$xport" --log /dev/null --send "$3" "$4" </dev/null 2>>"$T/xmpp_say.err"
}

irk() { "$IRK_BIN" "$@"; }

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }

# check WHAT CMD...: ok when CMD exits 0.
check() {
	what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "#   got:  '$2'"; echo "#   want: '$3'"; fi
}

# expect_rc WHAT WANT CMD...: the exit status of CMD is WANT.
expect_rc() {
	what=$1; want=$2; shift 2
	"$@" >"$T/.out" 2>"$T/.err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$what"; else
		not_ok "$what"; echo "#   exit $rc, want $want"; sed 's/^/#   out: /' "$T/.out" | head -5
		sed 's/^/#   err: /' "$T/.err" | head -5
	fi
}

# expect_match WHAT TEXT REGEX: TEXT matches the extended REGEX.
expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else
		not_ok "$1"; echo "#   no match for /$3/ in:"; printf '%s\n' "$2" | head -10 | sed 's/^/#   /'; fi
}

# expect_no_match WHAT TEXT REGEX
expect_no_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		not_ok "$1"; echo "#   unexpected /$3/ in:"; printf '%s\n' "$2" | grep -E -- "$3" | head -5 | sed 's/^/#   /'
	else ok "$1"; fi
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds; 1 on timeout.
wait_for() {
	_limit=$1; shift
	_end=$(( $(date +%s) + _limit ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		# A poll interval, not synchronisation: the condition is re-checked.
		sleep 0.05
	done
	return 0
}

# sql QUERY: run a read-only query on the test database (sqlite3 CLI).
sql() { sqlite3 -batch -noheader "$IRK_DB" "$1"; }

# A free TCP port on loopback.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# gen_eve N [SEED]: N Suricata EVE alert lines on stdout (deterministic;
# tests/bench/gen_eve.c, built by `make check`).
gen_eve() {
	[ -x "$IRK_TOP/build/bench/gen_eve" ] ||
		make -s -C "$IRK_TOP" build/bench/gen_eve >/dev/null || return 1
	"$IRK_TOP/build/bench/gen_eve" "$@"
}

done_testing() { echo "1..$_n"; }
