#!/bin/sh
# deps.sh: install the Debian packages irk and its tests need.
# Idempotent and quiet when everything is present. Uses sudo when not root.
# Usage: contrib/deps.sh [--build-only]
set -eu

# libstrophe-dev: XMPP delivery (linked when it lands); libjansson-dev: the
# tests only (irk reads JSON with its own src/core/jdoc.c); python3-slixmpp:
# the XMPP test client (tests/fixtures/xmpp_client.py).
BUILD="build-essential pkg-config libncurses-dev libsqlite3-dev
libcurl4-openssl-dev libstrophe-dev libssl-dev"
TEST="libcriterion-dev libjansson-dev tmux sqlite3 prosody lua-unbound ansible-core python3
clang libclang-rt-14-dev jq groff-base python3-slixmpp"

pkgs="$BUILD"
[ "${1:-}" = "--build-only" ] || pkgs="$pkgs $TEST"

missing=""
for p in $pkgs; do
	# dpkg-query prints "install ok installed" for a package that is present.
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: apt-get not found; install by hand:$missing" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "deps.sh: not root and no sudo; install by hand:$missing" >&2
		exit 1
	}
	SUDO="sudo"
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# prosody is started by the tests with their own config; the packaged
# service is not needed and would hold port 5222.
if [ -x /usr/bin/prosodyctl ] && command -v systemctl >/dev/null 2>&1; then
	$SUDO systemctl disable --now prosody >/dev/null 2>&1 || true
fi
exit 0
