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
_n=0
_cleanups=""
cleanup() {
	for c in $_cleanups; do eval "$c" >/dev/null 2>&1; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
# at_exit CMD: run CMD (a function name) when the test ends.
at_exit() { _cleanups="$_cleanups $1"; }

# start_netbox TOKEN: the loopback NetBox and CMDB of the context tests
# (tests/fixtures/netbox_server.py) on a free port, requests logged to
# $T/requests.log; sets $port (empty when it did not start). stop_netbox
# ends it (the source gone); it is stopped at exit in any case.
start_netbox() {
	mkfifo "$T/port"
	/usr/bin/python3 "$IRK_TOP/tests/fixtures/netbox_server.py" --token "$1" \
		--log "$T/requests.log" >"$T/port" </dev/null &
	_netbox=$!
	at_exit stop_netbox
	read -r port <"$T/port"
}
stop_netbox() { kill "$_netbox" 2>/dev/null; wait "$_netbox" 2>/dev/null; }

# start_http: the loopback HTTP server of the engine tests
# (tests/fixtures/http_server.py, its routes in that file) on a free port,
# requests logged to $T/requests.log; sets $port; stopped at exit.
start_http() {
	mkfifo "$T/port"
	/usr/bin/python3 "$IRK_TOP/tests/fixtures/http_server.py" --log "$T/requests.log" \
		>"$T/port" </dev/null &
	_http=$!
	at_exit stop_http
	read -r port <"$T/port"
}
stop_http() { kill "$_http" 2>/dev/null; wait "$_http" 2>/dev/null; }

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
