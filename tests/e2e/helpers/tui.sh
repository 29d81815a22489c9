# tui.sh: driving the board in tmux, for tests/e2e/tui_*.sh. Source it
# after lib.sh. Each test gets a private tmux server (-L), killed at exit;
# the pane stays after irk exits (remain-on-exit) so its last screen can
# be read; the exit status is written to $T/exit.
# Everything waits by polling the screen with a deadline, never by sleeping.
# A fresh tmux server for every tui_start (irk-e2e-PID-N): killing the last
# session of a server makes it exit, and a session started at that moment
# on the same socket could go down with it ("no server running" half way
# through tui_mono.sh in a full make check).
_tui_n=0
SOCK="irk-e2e-$$-0"
TCONF="$T/tmux.conf"
printf 'set -g remain-on-exit on\nset -g status off\nset -g default-terminal tmux-256color\nset -g history-limit 2000\n' >"$TCONF"
FIX="$IRK_TOP/tests/fixtures/tui"
TESTSTEP="$IRK_TOP/build/e2e/teststep"
# The fixture's morning: ages and SLAs on screen are the same every run.
export IRK_NOW=1715588400

tmx() { tmux -L "$SOCK" -f "$TCONF" "$@"; }
_tui_stop() {
	tmx kill-server
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/irk-e2e-$$-"*
}
at_exit _tui_stop

# tui_start W H [VAR=VALUE...] [-- IRK ARGS...]: irk on a fresh W x H
# terminal; standard error goes to $T/stderr (curses owns standard output).
tui_start() {
	_w=$1; _h=$2; shift 2
	_env=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do _env="$_env $1"; shift; done
	[ "${1:-}" = "--" ] && shift
	tmx kill-server 2>/dev/null
	_tui_n=$((_tui_n + 1))
	SOCK="irk-e2e-$$-$_tui_n"
	rm -f "$T/exit"
	tmx new-session -d -s t -x "$_w" -y "$_h" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 $_env '$IRK_BIN' $* 2>'$T/stderr'; echo \$? >'$T/exit'"
}

screen() { tmx capture-pane -p -t t; }
screen_has() { screen | grep -qF -- "$1"; }
screen_lacks() { ! screen_has "$1"; }
keys() { tmx send-keys -t t "$@"; }
type_text() { tmx send-keys -t t -l -- "$1"; }
# irk's exit status, written by the pane's shell when irk ends. (tmux's own
# #{pane_dead_status} is not reliable here: tmux 3.3a now and then misses
# the SIGCHLD and leaves the pane's shell a zombie, status unknown.)
pane_dead() { [ -s "$T/exit" ]; }
dead_status() { cat "$T/exit" 2>/dev/null; }

# expect_screen WHAT TEXT [SECONDS]: TEXT appears on the screen in time.
expect_screen() {
	if wait_for "${3:-5}" screen_has "$2"; then ok "$1"; else
		not_ok "$1"; echo "#   no '$2' on the screen:"; screen | sed 's/^/#   |/'; fi
}

# expect_gone WHAT TEXT [SECONDS]: TEXT leaves the screen in time.
expect_gone() {
	if wait_for "${3:-5}" screen_lacks "$2"; then ok "$1"; else
		not_ok "$1"; echo "#   '$2' still on the screen:"; screen | sed 's/^/#   |/'; fi
}

# The board's database: the fixture alerts as twelve incidents, some
# claimed, moved and closed from the command line.
setup_db() {
	irk init >/dev/null
	irk ingest "$FIX/board.jsonl" >/dev/null
	IRK_USER=bob irk claim IR-5 >/dev/null
	IRK_USER=bob irk move IR-5 identification >/dev/null
	irk close IR-4 --resolution false-positive >/dev/null
}

# field KEY NAME: one field of an incident, from irk show --json.
field() {
	irk show "$1" --json | /usr/bin/python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$2"
}
