#!/bin/sh
# jumpbox-install.sh: set up irk on a shared jump box (run as root; `make
# install-jumpbox` calls it after `make install`). Idempotent.
#
#   system group IRK_GROUP (irk) and system user IRK_SYSUSER (irk), which
#     runs `irk serve`; analysts are NOT members of the group
#   STATEDIR (/var/lib/irk)   irk:irk 2770, the database irk.db in it, 0660
#   SYSCONFDIR (/etc/irk)     root:irk 0750; irk.conf root:irk 0640 (no
#     secrets in it: every analyst's irk reads it); secrets.env root 0600,
#     read by systemd for the irk-serve service only (IRK_SECRET_NAME=value)
#   BINDIR/irk                root:irk 2755, built with these paths compiled
#     in (make jumpbox-irk); running setgid it uses only them, runs no step
#     and acts as the analyst's login
#
# Environment: IRK_BIN_NEW (the jump-box binary, required), BINDIR,
# DATADIR (bundled plays), SYSCONFDIR, STATEDIR, IRK_GROUP, IRK_SYSUSER,
# JB_ADMIN (a login to make the first admin), SYSTEMD_DIR (where to put
# irk-serve.service; default /etc/systemd/system when it exists).
set -eu
: "${IRK_BIN_NEW:?the jump-box binary (make jumpbox-irk)}"
BINDIR=${BINDIR:-/usr/local/bin}
DATADIR=${DATADIR:-/usr/local/share/irk}
SYSCONFDIR=${SYSCONFDIR:-/etc/irk}
STATEDIR=${STATEDIR:-/var/lib/irk}
IRK_GROUP=${IRK_GROUP:-irk}
IRK_SYSUSER=${IRK_SYSUSER:-irk}
JB_ADMIN=${JB_ADMIN:-}
here=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" -eq 0 ] || { echo "jumpbox-install.sh: run as root" >&2; exit 1; }

getent group "$IRK_GROUP" >/dev/null || groupadd --system "$IRK_GROUP"
getent passwd "$IRK_SYSUSER" >/dev/null ||
	useradd --system --gid "$IRK_GROUP" --home-dir "$STATEDIR" --no-create-home \
		--shell /usr/sbin/nologin --comment "irk sequencer" "$IRK_SYSUSER"

install -d -o root -g "$IRK_GROUP" -m 0750 "$SYSCONFDIR"
if [ ! -e "$SYSCONFDIR/irk.conf" ]; then
	cat >"$SYSCONFDIR/irk.conf" <<EOF
# irk.conf of the jump box: read by every analyst's irk (group $IRK_GROUP).
# No secrets here: they go in $SYSCONFDIR/secrets.env (irk serve only).
[plays]
path = $DATADIR/plays
EOF
fi
chown root:"$IRK_GROUP" "$SYSCONFDIR/irk.conf"
chmod 0640 "$SYSCONFDIR/irk.conf"
[ -e "$SYSCONFDIR/secrets.env" ] || : >"$SYSCONFDIR/secrets.env"
chown root:root "$SYSCONFDIR/secrets.env"
chmod 0600 "$SYSCONFDIR/secrets.env"

install -d -o "$IRK_SYSUSER" -g "$IRK_GROUP" -m 2770 "$STATEDIR"
chmod 2770 "$STATEDIR"   # install -d leaves the mode of an existing directory
install -d "$BINDIR"
install -o root -g "$IRK_GROUP" -m 2755 "$IRK_BIN_NEW" "$BINDIR/irk"

# The database, created by the service user (who owns it): as that user
# irk is not setgid, so the paths are given.
as_irk() {
	setpriv --reuid="$IRK_SYSUSER" --regid="$IRK_GROUP" --clear-groups \
		env -u IRK_USER IRK_DB="$STATEDIR/irk.db" IRK_CONFIG="$SYSCONFDIR/irk.conf" \
		HOME="$STATEDIR" "$BINDIR/irk" "$@"
}
[ -e "$STATEDIR/irk.db" ] || as_irk init >/dev/null
chmod 0660 "$STATEDIR/irk.db"
# irk init made its creator, the service user, the first admin; it adds
# the team's admin.
[ -z "$JB_ADMIN" ] || as_irk user add "$JB_ADMIN" --role admin

SYSTEMD_DIR=${SYSTEMD_DIR:-}
[ -z "$SYSTEMD_DIR" ] && [ -d /etc/systemd/system ] && SYSTEMD_DIR=/etc/systemd/system
if [ -n "$SYSTEMD_DIR" ]; then
	sed -e "s|/usr/local/bin/irk|$BINDIR/irk|" -e "s|/var/lib/irk|$STATEDIR|g" \
		-e "s|/etc/irk|$SYSCONFDIR|g" -e "s|^User=irk|User=$IRK_SYSUSER|" \
		-e "s|^Group=irk|Group=$IRK_GROUP|" "$here/irk-serve.service" \
		>"$SYSTEMD_DIR/irk-serve.service"
	echo "installed $SYSTEMD_DIR/irk-serve.service: systemctl enable --now irk-serve"
fi
echo "irk jump box: $BINDIR/irk (setgid $IRK_GROUP), $STATEDIR/irk.db, $SYSCONFDIR/irk.conf"
