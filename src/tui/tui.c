/* tui.c: the terminal front end's core: curses on and off, colours from
 * the theme, the screen stack, painting frames, the main loop, and the
 * headless driver used by tests and the benchmark.
 *
 * The loop poll()s standard input, the engine's descriptor and a timer.
 * The timer reads PRAGMA data_version (another process committed: reload)
 * and beats the presence heartbeat. Only this thread calls curses. A frame
 * is painted only when it differs from the last one painted, and curses
 * sends only the cells that changed (wnoutrefresh + doupdate, never
 * clear), so a live board does not flicker. */
#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <panel.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "irk/context.h"
#include "irk/clock.h"
#include "irk/config.h"
#include "irk/engine.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/store.h"
#include "irk/xmpp.h"
#include "tui_internal.h"

#define INBOX_SHOWN 200           /* messages on the messages screen */

#define BEAT_SECS 15          /* presence heartbeat */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* The screen of the board on the user's terminal, for the fatal paths:
 * out of memory (irk_fatal()) and a crash put the terminal back before
 * anything is printed, as htop's CRT.c does. */
static SCREEN *live_screen;

static void restore_terminal(void)
{
	if (!live_screen)
		return;
	set_term(live_screen);
	endwin();
	live_screen = NULL;
}

/* SA_RESETHAND: the signal raised again takes its default action (the
 * core dump, the shell's "Segmentation fault"). */
static void on_crash(int sig)
{
	restore_terminal();
	raise(sig);
}

static void catch_crashes(void)
{
	/* AddressSanitizer reports a crash from its own handler. */
#ifndef __SANITIZE_ADDRESS__
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
#endif
}

/* ---- messages -------------------------------------------------------------- */

void tui_status(struct tui *t, int slot, const char *fmt, ...)
{
	char raw[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_buf(t->status, sizeof t->status, raw, 0);
	t->status_slot = slot;
	tui_status_full(t, t->status);
}

void tui_status_full(struct tui *t, const char *full)
{
	char *copy = xstrdup(full);

	free(t->message);
	t->message = copy;
}

struct inbox {
	struct strbuf text;
	int64_t newest, last_seen;
	int fresh;                /* shown that came after last_seen */
};

static int add_message(const struct outbox_row *o, void *arg)
{
	struct inbox *in = arg;
	char when[32], key[24];
	int fresh = o->id > in->last_seen;

	if (!in->newest)
		in->newest = o->id;
	in->fresh += fresh;
	irk_time_short(o->at, when, sizeof when);
	strbuf_printf(&in->text, "%s %s  %s  to ", fresh ? "*" : " ", when,
		      o->incident_id ? incident_key(o->incident_id, key, sizeof key) : "-");
	strbuf_puts(&in->text, o->recipient);
	if (o->step_id)
		strbuf_printf(&in->text, "  (step %s)", o->step_id);
	strbuf_puts(&in->text, "\n    ");
	/* A line break of the message keeps the indent. The pager lays the
	 * whole text out sanitized. */
	for (const char *p = o->text; *p; p++) {
		strbuf_addc(&in->text, *p);
		if (*p == '\n' && p[1])
			strbuf_puts(&in->text, "    ");
	}
	strbuf_puts(&in->text, "\n\n");
	return 0;
}

/* The messages notify steps sent me or my role (until XMPP delivers them,
 * this is where they are read): newest first, those new since I last
 * looked marked "*"; all of them seen once shown. */
static void show_inbox(struct tui *t)
{
	const struct actor *me = &t->app->actor;
	struct inbox in = { STRBUF_INIT, 0, 0, 0 };
	struct irk_err err = { 0 };
	struct pager_arg pa = { 0 };
	char title[160];

	if ((in.last_seen = store_inbox_last_seen(t->s, me->name, &err)) < 0 ||
	    store_inbox_each(t->s, me->name, me->role, INBOX_SHOWN, add_message, &in, &err)) {
		tui_report(t, &err);
		strbuf_free(&in.text);
		return;
	}
	/* None yet: the screen opens anyway (a q meant for it must not quit
	 * the board; found by a senior's trial). */
	if (!in.newest)
		strbuf_printf(&in.text, "No messages for %s or the %ss yet.\n\nThe notify steps of "
			      "plays send them; they are read here until XMPP delivery lands.\n",
			      me->name, role_name(me->role));
	snprintf(title, sizeof title, " Messages for %s: %d new, newest first ", me->name, in.fresh);
	pa.title = title;
	pa.text = strbuf_str(&in.text);
	pa.opens = 1;
	tui_push(t, &pager_screen, &pa);
	strbuf_free(&in.text);
	/* A write only when there was something new: every board reloads
	 * after one. */
	if (in.newest > in.last_seen) {
		if (store_inbox_seen(t->s, me->name, in.newest, &err))
			tui_report(t, &err);
		t->need_reload = 1;       /* the header's count */
	}
}

/* M: the last message in full, in the pager. */
static void show_message(struct tui *t)
{
	struct pager_arg pa = { "Last message", t->message, 0 };

	if (!t->message || !*t->message) {
		tui_status(t, SLOT_STATUS_INFO, "no message yet");
		return;
	}
	tui_push(t, &pager_screen, &pa);
}

/* ---- what lower layers say, in the board's words ---------------------------- */

/* fmt with the first keys of a1 and a2 (ACT_NONE: one key only) into
 * out; nothing when an action has no key. */
static void __attribute__((format(printf, 4, 0)))
keys_say(const struct keymap *km, int a1, int a2, const char *fmt, struct strbuf *out)
{
	char k1[32], k2[32] = "";

	if (keymap_first(km, a1, k1, sizeof k1)[0] &&
	    (a2 == ACT_NONE || keymap_first(km, a2, k2, sizeof k2)[0]))
		strbuf_printf(out, fmt, k1, k2);
}

/* What the user can do about err (err->need), in the board's terms: the
 * keys to press on the step screen ("a: approve, x: deny"), what the board
 * did, or how to create a missing database (said in the shell, before the
 * board starts). Empty when the board has nothing to add: it asks for a
 * reason or a resolution in its own prompts, and the message itself says
 * what the rule is (a senior can force it, take it over, reopen it). The
 * command line words the same codes as its commands (cli.c). Every code
 * has its case (-Wswitch names a new one that has none). */
static void need_words(const struct keymap *km, const struct irk_err *err, struct strbuf *out)
{
	switch ((enum irk_need)err->need) {
	case NEED_DECISION: keys_say(km, ACT_S_APPROVE, ACT_S_DENY, "%s: approve, %s: deny", out); break;
	case NEED_DONE: keys_say(km, ACT_S_DONE, ACT_NONE, "%s: done", out); break;
	case NEED_TICKS: keys_say(km, ACT_S_TICK, ACT_NONE, "%s on an item ticks it", out); break;
	case NEED_INPUTS:
		keys_say(km, ACT_S_SELECT, ACT_S_DONE, "%s: fill it in, then %s: done", out);
		break;
	case NEED_RELOAD:       /* every screen reloads after a refused change */
		strbuf_puts(out, "it is shown as it is now: look, then try again");
		break;
	case NEED_DATABASE: strbuf_puts(out, "create it with irk init, or irk demo"); break;
	case NEED_NONE:
	case NEED_REASON:
	case NEED_FORCE:
	case NEED_TAKEOVER:
	case NEED_REOPEN:
	case NEED_CLOSE:
	case NEED_FORMAT:          /* ingest: not the board's */
	case NEED_STEPS:           /* the step screen lists them */
		break;
	}
}

/* err's message and what the user can do about it, into out (raw: the
 * caller sanitizes). Returns the status slot it belongs in: an outcome
 * the user can act on, or a failure, is an error; news is information. */
static int report_text(const struct keymap *km, const struct irk_err *err, struct strbuf *out)
{
	struct strbuf hint = STRBUF_INIT;
	const char *msg = err->msg[0] || err->code == IRK_OK ? err->msg : "failed";
	int slot = err->code == IRK_OK ? SLOT_STATUS_INFO : SLOT_STATUS_ERROR;

	need_words(km, err, &hint);
	if (msg[0] && hint.len) {
		strbuf_printf(out, err->need == NEED_RELOAD ? "%s; %s" : "%s (%s)", msg,
			      strbuf_str(&hint));
		slot = SLOT_STATUS_ERROR;
	} else {
		strbuf_puts(out, msg);
	}
	strbuf_free(&hint);
	return slot;
}

void tui_report(struct tui *t, const struct irk_err *err)
{
	struct strbuf text = STRBUF_INIT;
	int slot = report_text(&t->km, err, &text);

	if (text.len)
		tui_status(t, slot, "%s", strbuf_str(&text));
	strbuf_free(&text);
}

/* Keep a message for standard error, printed once the terminal is back.
 * It may quote a theme name or a theme file's words: sanitized here, as
 * everything from outside is before it reaches a terminal. */
static void note(struct tui *t, const char *msg)
{
	size_t l = strlen(t->notes);
	char *clean = sanitize_dup(msg, 0);

	snprintf(t->notes + l, sizeof t->notes - l, "irk: %s\n", clean);
	free(clean);
}

static void stop_curses(struct tui *t)
{
	if (!t || !t->screen)
		return;
	if (live_screen == t->screen)
		live_screen = NULL;
	set_term(t->screen);
	endwin();
	delscreen(t->screen);
	t->screen = NULL;
}

void tui_die(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	/* The terminal first: a message printed in raw mode on the alternate
	 * screen would be lost, and the shell left unusable. */
	stop_curses(t);
	fputs("irk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_ERR);
}

/* ---- the screen stack -------------------------------------------------------- */

int tui_push(struct tui *t, const struct screen_ops *ops, const void *arg)
{
	void *st;

	if (t->depth == TUI_STACK) {
		tui_status(t, SLOT_STATUS_ERROR, "too many screens open: q closes one");
		return -1;
	}
	if (!(st = ops->open(t, arg)))
		return -1;
	t->stack[t->depth].ops = ops;
	t->stack[t->depth].st = st;
	t->depth++;
	return 0;
}

void *tui_top(struct tui *t, const struct screen_ops *ops)
{
	if (!t->depth || t->stack[t->depth - 1].ops != ops)
		return NULL;
	return t->stack[t->depth - 1].st;
}

static void pop(struct tui *t)
{
	if (!t->depth)
		return;
	t->depth--;
	t->stack[t->depth].ops->done(t->stack[t->depth].st);
	if (!t->depth)
		t->quit = 1;
}

static void reload_all(struct tui *t)
{
	t->need_reload = 0;
	for (int i = 0; i < t->depth; i++)
		if (t->stack[i].ops->reload)
			t->stack[i].ops->reload(t, t->stack[i].st);
}

/* ---- set up ------------------------------------------------------------------ */

/* The directory holding the running binary, so ./irk in a source tree
 * finds the shipped themes/ beside it before they are installed. */
static void exe_dir(char *buf, size_t n)
{
	char path[PATH_MAX];
	ssize_t l = readlink("/proc/self/exe", path, sizeof path - 1);
	char *slash;

	buf[0] = '\0';
	if (l <= 0)
		return;
	path[l] = '\0';
	if ((slash = strrchr(path, '/')))
		*slash = '\0';
	snprintf(buf, n, "%s/themes", path);
}

/* --theme, IRK_THEME, [ui] theme, in that order. A missing or broken
 * theme is added to problems (a line) and the built-in default used. */
static void choose_theme(struct tui *t, struct strbuf *problems)
{
	const char *name = t->app->theme_opt, *env = getenv("IRK_THEME");
	char extra[PATH_MAX + 16], path[PATH_MAX + 64];
	struct irk_err err = { 0 };

	if (!name && env && *env)
		name = env;
	if (!name)
		name = config_settings(t->app->cfg)->ui.theme;
	if (!name || !*name)
		name = "default";
	theme_default(&t->theme);
	exe_dir(extra, sizeof extra);
	if (theme_find(name, extra, path, sizeof path, &err)) {
		if (strcmp(name, "default"))
			strbuf_printf(problems, "%s%s; using the default theme", problems->len ? "\n" : "",
				      err.msg);
		return;
	}
	if (theme_load_file(&t->theme, path, &err)) {
		strbuf_printf(problems, "%s%s; using the default theme", problems->len ? "\n" : "", err.msg);
		theme_default(&t->theme);
	}
}

#define KEYS_PROBLEM "[keys] "

/* The problems found at start (one a line): every one on standard error
 * once the terminal is back; on the status line all of them in short
 * ("2 problems in irk.conf [keys]: board-fly: ...; help: ..."), and in
 * full, one a line, behind M. */
static void report_problems(struct tui *t, const char *problems)
{
	struct strbuf sum = STRBUF_INIT;
	int n = 0, i = 0, keys = 1;
	char *copy = xstrdup(problems), *save = NULL;

	for (const char *p = problems; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0')) {
		const char *k = strstr(p, KEYS_PROBLEM);
		n++;
		keys = keys && k && k < p + strcspn(p, "\n");
	}
	if (!n) {
		free(copy);
		return;
	}
	if (n > 1)
		strbuf_printf(&sum, "%d problems%s:", n, keys ? " in irk.conf [keys]" : "");
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		note(t, line);
		if (n > 1 && keys)
			line = strstr(line, KEYS_PROBLEM) + strlen(KEYS_PROBLEM);
		strbuf_printf(&sum, "%s%s", n == 1 ? "" : i ? "; " : " ", line);
	}
	tui_status(t, SLOT_STATUS_ERROR, "%s", strbuf_str(&sum));
	tui_status_full(t, problems);
	strbuf_free(&sum);
	free(copy);
}

/* A play file that fails lint: ingest and serve refuse to run, and the
 * board says so from the start rather than let its alerts go to another
 * play unnoticed. One problem a line, as report_problems() takes them. */
static void play_problems(struct app *a, struct strbuf *problems)
{
	struct play_catalog cat;
	struct irk_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;

	play_catalog_load(&cat, a->cfg, &err);
	for (size_t i = 0; i < cat.diags.n; i++) {
		if (cat.diags.v[i].warning)
			continue;
		strbuf_reset(&sb);
		play_diag_format(&cat.diags.v[i], &sb);
		strbuf_printf(problems, "play not loaded (irk play lint; ingest refuses to run): %s\n",
			      strbuf_str(&sb));
	}
	strbuf_free(&sb);
	play_catalog_free(&cat);
}

static struct tui *tui_new(struct app *a)
{
	struct tui *t = xcalloc(1, sizeof *t);
	struct strbuf problems = STRBUF_INIT;

	t->app = a;
	t->s = a->store;
	t->now = irk_now();
	t->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t->mouse = config_settings(a->cfg)->ui.mouse;
	sla_policy_load(&t->pol, a->cfg);
	keymap_default(&t->km);
	choose_theme(t, &problems);
	keymap_load(&t->km, a->cfg, &problems);
	play_problems(a, &problems);
	report_problems(t, strbuf_str(&problems));
	strbuf_free(&problems);
	return t;
}

/* Terminals from before UTF-8 get ASCII decorations. */
static int legacy_terminal(const char *term)
{
	if (!term || !*term || !strcmp(term, "dumb") || !strcmp(term, "ansi"))
		return 1;
	return term[0] == 'v' && term[1] == 't' && isdigit((unsigned char)term[2]);
}

static short curses_color(int c)
{
	if (c < 0)
		return -1;
	if (c >= COLORS)
		c = theme_color_basic(c);
	return (short)c;
}

static attr_t curses_attr(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & TA_BOLD) r |= A_BOLD;
	if (a & TA_DIM) r |= A_DIM;
	if (a & TA_UNDERLINE) r |= A_UNDERLINE;
	if (a & TA_REVERSE) r |= A_REVERSE;
	if (a & TA_STANDOUT) r |= A_STANDOUT;
	if (a & TA_ITALIC) r |= A_ITALIC;
	if (a & TA_BLINK) r |= A_BLINK;
	return r;
}

/* Colour pairs from the theme; without colour (NO_COLOR, a terminal
 * without colours) the mono theme, whose attributes carry every meaning. */
static void setup_colors(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");
	int defaults;

	t->color = has_colors() && !(nc && *nc);
	if (t->color && start_color() == ERR)
		t->color = 0;
	if (!t->color || COLORS < 8) {
		t->color = 0;
		theme_mono(&t->theme);
	}
	defaults = t->color && use_default_colors() == OK;
	for (int i = 0; i < SLOT_COUNT; i++) {
		const struct theme_style *st = &t->theme.slot[i];
		t->attr[i] = curses_attr(st->attr);
		t->pair[i] = 0;
		if (t->color && i + 1 < COLOR_PAIRS) {
			short fg = curses_color(st->fg), bg = curses_color(st->bg);
			if (!defaults) {
				fg = fg < 0 ? COLOR_WHITE : fg;
				bg = bg < 0 ? COLOR_BLACK : bg;
			}
			init_pair((short)(i + 1), fg, bg);
			t->pair[i] = (short)(i + 1);
		}
	}
	wbkgdset(stdscr, (chtype)(t->attr[SLOT_NORMAL] | COLOR_PAIR(t->pair[SLOT_NORMAL])) | ' ');
}

static int start_curses(struct tui *t, const char *term, FILE *out, FILE *in, struct irk_err *err)
{
	const char *name = term ? term : getenv("TERM");

	if (!(t->screen = newterm(term, out, in)))
		return irk_fail(err, IRK_ERROR, "cannot start the terminal '%s' (check TERM)",
				name ? name : "");
	set_term(t->screen);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	layout_set_ascii(!t->utf8 || legacy_terminal(termname()));
	setup_colors(t);
	if (t->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	t->width = COLS;
	t->height = LINES;
	return IRK_OK;
}

/* ---- painting ---------------------------------------------------------------- */

/* The status line: a message, or the main keys of the screen on top, from
 * the keymap (so rebound keys show as they are). */
/* The hint at the end of a message cut short: the key that shows it all. */
static void more_hint(struct tui *t, char *buf, size_t n)
{
	char k[32];

	keymap_first(&t->km, ACT_MESSAGE, k, sizeof k);
	if (k[0])
		snprintf(buf, n, " %s: all", k);
	else
		buf[0] = '\0';
}

/* The rows the status line takes: a message that does not fit on one
 * row takes two when the terminal has room for them. */
static int status_rows(struct tui *t)
{
	if (!t->status[0] || t->height < 8)
		return 1;
	return layout_message(NULL, 0, t->width, 2, t->status_slot, t->status, NULL);
}

static void status_line(struct tui *t, struct frame *f, int rows)
{
	const struct screen_ops *ops = t->stack[t->depth - 1].ops;
	void *st = t->stack[t->depth - 1].st;
	struct strbuf sb = STRBUF_INIT;
	char k[64];
	int y = t->height - rows, ctx = ops->ctx;

	if (t->status[0]) {
		more_hint(t, k, sizeof k);
		layout_message(f, y, t->width, rows, t->status_slot, t->status, k[0] ? k : NULL);
		return;
	}
	/* XMPP in plain text ([xmpp] tls = off) is said where it is seen. */
	const char *plain = xmpp_status(t->app->cfg);
	if (*plain)
		strbuf_printf(&sb, " %s ", plain);
	keymap_first(&t->km, ACT_HELP, k, sizeof k);
	if (k[0])
		strbuf_printf(&sb, " %s help", k);
	for (int a = 0; a < ACT_COUNT; a++) {
		const char *name = action_name(a), *dash = strchr(name, '-');
		if (action_context(a) != ctx || ctx == CTX_GLOBAL || (ops->hints && !ops->hints(t, st, a)))
			continue;
		if (!keymap_first(&t->km, a, k, sizeof k)[0])
			continue;
		strbuf_printf(&sb, "  %s %s", k, dash ? dash + 1 : name);
	}
	keymap_first(&t->km, ACT_QUIT, k, sizeof k);
	if (k[0])
		strbuf_printf(&sb, "  %s %s", k, t->depth > 1 ? "back" : "quit");
	frame_put(f, y, 0, t->width, SLOT_STATUS, strbuf_str(&sb), 1);
	strbuf_free(&sb);
}

static int frame_equal(const struct frame *a, const struct frame *b)
{
	return a->n == b->n && a->text.len == b->text.len &&
	       !memcmp(a->spans, b->spans, a->n * sizeof *a->spans) &&
	       (!a->text.len || !memcmp(a->text.buf, b->text.buf, a->text.len));
}

/* Paint one span. Text is valid UTF-8 (sanitized by layout); in a locale
 * that is not UTF-8 each non-ASCII character becomes '?' per column. */
static void paint_span(struct tui *t, const struct span *sp, const char *s)
{
	static wchar_t *w;
	static size_t cap;
	size_t n = 0, i = 0;

	if (cap < sp->len + 1) {
		cap = sp->len + 64;
		w = xrealloc(w, cap * sizeof *w);
	}
	while (i < sp->len) {
		unsigned cp;
		int l = utf8_decode(s + i, sp->len - i, &cp);
		if (l <= 0)
			l = 1, cp = '?';
		if (!t->utf8 && cp >= 0x80) {
			int cw = utf8_width(s + i, (size_t)l);
			if (n + (size_t)cw + 1 >= cap) {
				cap = cap * 2 + (size_t)cw;
				w = xrealloc(w, cap * sizeof *w);
			}
			for (int k = 0; k < cw; k++)
				w[n++] = L'?';
		} else {
			w[n++] = (wchar_t)cp;
		}
		i += (size_t)l;
	}
	w[n] = 0;
	wattr_set(stdscr, t->attr[sp->slot], t->pair[sp->slot], NULL);
	mvwaddnwstr(stdscr, sp->y, sp->x, w, (int)n);
}

static void paint(struct tui *t)
{
	struct frame tmp;
	int rows;

	if (!t->depth)
		return;
	frame_reset(&t->frame);
	rows = status_rows(t);
	t->area_h = t->height > rows ? t->height - rows : 1;
	t->stack[t->depth - 1].ops->draw(t, t->stack[t->depth - 1].st, t->width, t->area_h, &t->frame);
	status_line(t, &t->frame, rows);
	if (t->painted && !t->popup && frame_equal(&t->frame, &t->last))
		return;     /* nothing changed: not a byte to the terminal */
	werase(stdscr);
	for (size_t i = 0; i < t->frame.n; i++)
		paint_span(t, &t->frame.spans[i], t->frame.text.buf + t->frame.spans[i].off);
	wattr_set(stdscr, A_NORMAL, 0, NULL);
	wnoutrefresh(stdscr);
	if (t->popup)
		popup_paint(t);
	doupdate();
	t->painted = 1;
	tmp = t->last;
	t->last = t->frame;
	t->frame = tmp;
}

/* ---- keys -------------------------------------------------------------------- */

/* One key from wget_wch into the key codes of tui_actions.h. */
static int key_from(int rc, wint_t wch)
{
	if (rc == KEY_CODE_YES) {
		if (wch == KEY_ENTER)
			return '\n';
		return TUI_KEY_FN | (int)wch;
	}
	if (wch == '\r')
		return '\n';
	if (wch == 127 || wch == 8)
		return TUI_KEY_FN | KEY_BACKSPACE;
	return (int)wch;
}

static void global_action(struct tui *t, int act, int key)
{
	char name[32];

	switch (act) {
	case ACT_QUIT:
		pop(t);
		return;
	case ACT_QUIT_NOW:
		t->quit = 1;
		return;
	case ACT_HELP:
		if (!tui_top(t, &help_screen))
			tui_push(t, &help_screen, NULL);
		return;
	case ACT_BACK:
		if (t->depth > 1)
			pop(t);
		return;
	case ACT_MESSAGE:
		show_message(t);
		return;
	case ACT_INBOX:
		show_inbox(t);
		return;
	case ACT_REDRAW:
		t->need_reload = 1;
		if (!t->headless)
			clearok(curscr, TRUE);
		t->painted = 0;
		return;
	case ACT_NONE:
		if (key == (TUI_KEY_FN | KEY_RESIZE) || key == (TUI_KEY_FN | KEY_MOUSE))
			return;
		keys_name(key, name, sizeof name);
		tui_status(t, SLOT_STATUS_ERROR, "%s does nothing here; ? shows the keys", name);
		return;
	}
}

static void resized(struct tui *t)
{
	t->width = COLS;
	t->height = LINES;
	t->area_h = t->height > 1 ? t->height - 1 : 1;
	t->painted = 0;
	popup_resized(t);
}

static void handle_click(struct tui *t, int y, int x, int wheel)
{
	const struct screen_ops *ops;

	if (!t->depth || t->popup || y >= t->area_h)
		return;
	ops = t->stack[t->depth - 1].ops;
	if (ops->click)
		ops->click(t, t->stack[t->depth - 1].st, y, x, wheel);
}

/* A forward move within seconds of the last one asks to confirm (L L),
 * unless something else was done in between (a step, a note, a screen
 * opened): only moving the cursor and looking keep the two moves one
 * gesture. */
static int just_looking(int act)
{
	switch (act) {
	case ACT_B_NEXT: case ACT_I_NEXT: case ACT_NONE:
	case ACT_UP: case ACT_DOWN: case ACT_LEFT: case ACT_RIGHT: case ACT_PAGE_UP:
	case ACT_PAGE_DOWN: case ACT_FIRST: case ACT_LAST: case ACT_REDRAW: case ACT_MESSAGE:
	case ACT_HELP:
		return 1;
	}
	return 0;
}

static void handle_key(struct tui *t, int key)
{
	const struct screen_ops *ops;
	int act, r;

	if (key == (TUI_KEY_FN | KEY_RESIZE)) {
		resized(t);
		return;
	}
	if (key == (TUI_KEY_FN | KEY_MOUSE)) {
		MEVENT ev;
		if (getmouse(&ev) == OK)
			handle_click(t, ev.y, ev.x, ev.bstate & BUTTON4_PRESSED ? -1 :
				     ev.bstate & BUTTON5_PRESSED ? 1 : 0);
		return;
	}
	t->status[0] = '\0';
	if (t->popup) {
		popup_key(t, key);
		return;
	}
	if (!t->depth)
		return;
	ops = t->stack[t->depth - 1].ops;
	act = keymap_lookup(&t->km, ops->ctx, key);
	if (!just_looking(act))
		t->last_move_id = 0;
	r = ops->key(t, t->stack[t->depth - 1].st, act, key);
	if (r & SCR_CLOSE)
		pop(t);
	else if (r == SCR_IGNORED)
		global_action(t, act, key);
}

/* ---- the timer ----------------------------------------------------------------- */

static void beat(struct tui *t)
{
	struct irk_err err = { 0 };

	if (t->now < t->next_beat)
		return;
	/* A skipped beat (busy database) is retried at the next one. */
	store_presence_beat(t->s, t->app->actor.name, t->now, &err);
	t->next_beat = t->now + BEAT_SECS;
}

static void tick(struct tui *t)
{
	int64_t dv = store_data_version(t->s);

	t->now = irk_now();
	if (dv != t->data_version) {
		t->data_version = dv;
		t->need_reload = 1;
	}
	beat(t);
}

/* The timer interval in milliseconds: [ui] refresh, at most one second,
 * halved so a change is on screen well within it. */
static int refresh_ms(const struct tui *t)
{
	int64_t s = config_settings(t->app->cfg)->ui.refresh;
	int64_t ms = s * 1000 / 2;

	return ms < 100 ? 100 : ms > 500 ? 500 : (int)ms;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void teardown(struct tui *t)
{
	struct irk_err err = { 0 };

	popup_free(t);
	while (t->depth)
		pop(t);
	frame_free(&t->frame);
	frame_free(&t->last);
	free(t->message);
	t->message = NULL;
	if (t->s && !t->headless)
		store_presence_leave(t->s, t->app->actor.name, &err);
}

int tui_main(struct app *a)
{
	struct sigaction sa;
	struct engine *eng;
	struct irk_err err = { 0 };
	struct tui *t;
	int64_t next_tick;
	int interval;

	if (app_store_open(a, 0, &err)) {
		/* Said in the shell, before the board starts. */
		struct strbuf text = STRBUF_INIT;
		struct keymap km;
		char *clean;
		keymap_default(&km);
		report_text(&km, &err, &text);
		clean = sanitize_dup(strbuf_str(&text), 0);
		fprintf(stderr, "irk: %s\n", clean);
		free(clean);
		strbuf_free(&text);
		return EXIT_ERR;
	}
	t = tui_new(a);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() returns EINTR and the loop ends cleanly. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (start_curses(t, NULL, stdout, stdin, &err)) {
		fprintf(stderr, "irk: %s\n", err.msg);
		free(t->message);
		free(t);
		return EXIT_ERR;
	}
	live_screen = t->screen;
	irk_on_fatal(restore_terminal);
	catch_crashes();
	/* On a shared jump box (setgid) the board runs no step: irk serve does. */
	eng = app_shared() ? NULL : engine_start(a->db_path, a->cfg, &err);
	/* XMPP delivery, only when [xmpp] board = yes (irk serve's job
	 * otherwise); silent here: the board owns the terminal. */
	struct xmpp_delivery *xd = NULL;
	if (!app_shared() && xmpp_configured(a->cfg) && config_settings(a->cfg)->xmpp.board &&
	    !(xd = xmpp_delivery_start(a->db_path, a->cfg, NULL, &err)))
		tui_status(t, SLOT_STATUS_ERROR, "XMPP: %s", err.msg);
	/* Context lookups too (the tokens are irk serve's there). */
	if (!app_shared() && !context_sources_load(a->cfg, &t->ctx_srcs, &err))
		t->ctx_worker = context_worker_start(a->db_path, t->ctx_srcs, 0, NULL, NULL);
	t->data_version = store_data_version(t->s);
	beat(t);
	if (tui_push(t, &board_screen, NULL))
		tui_die(t, "%s", t->status);
	interval = refresh_ms(t);
	next_tick = mono_ms() + interval;
	while (!t->quit && !got_signal) {
		struct pollfd pfd[2] = { { STDIN_FILENO, POLLIN, 0 }, { engine_fd(eng), POLLIN, 0 } };
		int64_t wait;
		wint_t wch;
		int rc;

		if (t->need_reload)
			reload_all(t);
		paint(t);
		wait = next_tick - mono_ms();
		rc = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, wait < 0 ? 0 : (int)wait);
		if (rc < 0 && errno != EINTR)
			tui_die(t, "poll: %s", strerror(errno));
		if (rc > 0 && pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;  /* the terminal went away */
		if (rc > 0 && pfd[1].fd >= 0 && pfd[1].revents) {
			engine_drain(eng);
			t->need_reload = 1;
		}
		/* Curses may hold keys poll() cannot see: drain until ERR. */
		while (!t->quit && (rc = wget_wch(stdscr, &wch)) != ERR) {
			handle_key(t, key_from(rc, wch));
			/* Before the next key: it must act on the fresh state
			 * (c then L: the move carries the claimed version). */
			if (t->need_reload)
				reload_all(t);
		}
		if (mono_ms() >= next_tick) {
			tick(t);
			next_tick = mono_ms() + interval;
		}
	}
	xmpp_delivery_stop(&xd);
	context_worker_stop(&t->ctx_worker);
	context_sources_free(&t->ctx_srcs);
	engine_stop(&eng);
	teardown(t);
	stop_curses(t);
	if (t->notes[0])
		fputs(t->notes, stderr);
	free(t);
	return got_signal && got_signal != SIGHUP ? 128 + got_signal : EXIT_OK;
}

/* ---- headless ------------------------------------------------------------------ */

struct tui *tui_open_headless(struct app *a, int width, int height, struct irk_err *err)
{
	struct tui *t;

	if (!a->store)
		return irk_fail(err, IRK_ERROR, "no database open"), NULL;
	t = tui_new(a);
	t->headless = 1;
	t->out = fopen("/dev/null", "w");
	t->in = fopen("/dev/null", "r");
	if (!t->out || !t->in || start_curses(t, "xterm-256color", t->out, t->in, err)) {
		if (t->out)
			fclose(t->out);
		if (t->in)
			fclose(t->in);
		free(t->message);
		free(t);
		return NULL;
	}
	resize_term(height, width);
	resized(t);
	t->data_version = store_data_version(t->s);
	if (tui_push(t, &board_screen, NULL)) {
		irk_fail(err, IRK_ERROR, "%s", t->status);
		tui_close(&t);
		return NULL;
	}
	return t;
}

int tui_feed_key(struct tui *t, int key)
{
	set_term(t->screen);
	if (key == '\r' || key == (TUI_KEY_FN | KEY_ENTER))
		key = '\n';
	handle_key(t, key);
	if (t->need_reload)
		reload_all(t);
	return t->quit;
}

void tui_feed_mouse(struct tui *t, int y, int x, int wheel)
{
	set_term(t->screen);
	handle_click(t, y, x, wheel);
	if (t->need_reload)
		reload_all(t);
}

void tui_resize(struct tui *t, int width, int height)
{
	set_term(t->screen);
	resize_term(height, width);
	resized(t);
}

void tui_tick(struct tui *t)
{
	set_term(t->screen);
	tick(t);
	if (t->need_reload)
		reload_all(t);
}

void tui_render(struct tui *t)
{
	set_term(t->screen);
	paint(t);
}

void tui_screen_text(struct tui *t, struct strbuf *out)
{
	cchar_t *cells = xmalloc(((size_t)t->width + 1) * sizeof *cells);

	set_term(t->screen);
	for (int y = 0; y < t->height; y++) {
		size_t start = out->len;
		/* Reading returns characters, not cells: the second cell of a
		 * double-width character is not repeated. */
		int n = mvwin_wchnstr(curscr, y, 0, cells, t->width);
		for (int x = 0; n != ERR && x < t->width; x++) {
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short p;
			if (getcchar(&cells[x], wc, &a, &p, NULL) == ERR || !wc[0])
				break;
			for (int k = 0; wc[k]; k++) {
				char mb[4];
				strbuf_add(out, mb, (size_t)utf8_encode((unsigned)wc[k], mb));
			}
		}
		while (out->len > start && out->buf[out->len - 1] == ' ')
			out->len--;
		strbuf_addc(out, '\n');
	}
	free(cells);
}

const char *tui_status_text(const struct tui *t)
{
	return t->status;
}

void tui_close(struct tui **tp)
{
	struct tui *t = tp ? *tp : NULL;

	if (!t)
		return;
	set_term(t->screen);
	teardown(t);
	stop_curses(t);
	fclose(t->out);
	fclose(t->in);
	free(t);
	*tp = NULL;
}
