/* tui_testlib.h: a headless board on a real database, for test_tui_*.c.
 *
 * Each test (its own process under Criterion) gets a database filled from
 * tests/fixtures/tui/board.jsonl at a fixed clock, opens the board
 * headless (newterm on /dev/null) and drives it with keys, reading the
 * painted screen back as text. A second connection (`other`) plays the
 * colleague or the other process. */
#ifndef IRK_TUI_TESTLIB_H
#define IRK_TUI_TESTLIB_H

#include <criterion/criterion.h>
#include <curses.h>
#include <locale.h>
#include <panel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/app.h"
#include "irk/config.h"
#include "irk/clock.h"
#include "irk/ingest.h"
#include "irk/sanitize.h"
#include "irk/store.h"
#include "irk/tui.h"
#include "irk/tui_actions.h"
#include "helpers/tmpstore.h"

#define FIX_NOW 1715588400      /* 2024-05-13 08:20 UTC, the fixture's morning */
#define FN(k) (TUI_KEY_FN | (k))
#define ESC 27

struct fx {
	struct app c;              /* what the command line would hand the board */
	struct tui *t;
	struct store *other;
	char *db;
	struct strbuf screen;
};

static struct fx fx;

/* The panel library allocates one pseudo-panel for stdscr (32 bytes) the
 * first time a panel is made on a screen and never frees it, not even in
 * delscreen(). It is ncurses' own, once per screen: LeakSanitizer is told
 * so here. That would hide a panel of irk's left behind too, so the tests
 * check instead that no panel is left once the popups closed
 * (assert_no_panel). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:new_panel\n";
}

static inline void fx_ingest(struct store *s, const char *path)
{
	struct ingest_opts o;
	struct ingest_stats st = { 0 };
	struct irk_err err = { 0 };

	ingest_opts_init(&o);
	o.actor = "ingest";
	cr_assert_eq(ingest_path(s, path, &o, &st, &err), 0, "%s", err.msg);
}

/* The database, with alice registered as role (ROLE_ANALYST...). */
static inline void fx_db(int role)
{
	struct irk_err err = { 0 };

	/* What irk's main does first; the board draws UTF-8 only in a UTF-8
	 * locale (elsewhere: ASCII, see the test that checks it). */
	setlocale(LC_ALL, "C.UTF-8");
	setenv("IRK_USER", "alice", 1);
	unsetenv("NO_COLOR");
	unsetenv("IRK_THEME");
	setenv("XDG_CONFIG_HOME", tmp_dir(), 1);
	setenv("XDG_STATE_HOME", tmp_dir(), 1);
	irk_clock_set(FIX_NOW);
	fx.db = tmp_path("irk.db");
	cr_assert_eq(store_open(&fx.other, fx.db, STORE_CREATE, &err), 0, "%s", err.msg);
	fx_ingest(fx.other, "tests/fixtures/tui/board.jsonl");
	cr_assert_eq(store_begin(fx.other, &err), 0);
	cr_assert_eq(store_user_put(fx.other, "root", "alice", role, &err), 0, "%s", err.msg);
	cr_assert_eq(store_user_put(fx.other, "root", "bob", ROLE_ANALYST, &err), 0, "%s", err.msg);
	cr_assert_eq(store_commit(fx.other, &err), 0);
	fx.c.db_opt = fx.db;
	fx.c.cfg = config_new();
}

static inline void fx_start(int w, int h)
{
	struct irk_err err = { 0 };

	cr_assert_eq(app_store_open(&fx.c, 0, &err), 0, "%s", err.msg);
	fx.t = tui_open_headless(&fx.c, w, h, &err);
	cr_assert_not_null(fx.t, "%s", err.msg);
}

/* The common case: a database and a board at 80x24. */
static inline void fx_board(int role)
{
	fx_db(role);
	fx_start(80, 24);
}

static inline void fx_fini(void)
{
	tui_close(&fx.t);
	app_close(&fx.c);
	store_close(&fx.other);
	strbuf_free(&fx.screen);
	free(fx.db);
	tmp_cleanup();
}

/* Paint and read the screen back (valid until the next call). */
static inline const char *fx_text(void)
{
	tui_render(fx.t);
	strbuf_reset(&fx.screen);
	tui_screen_text(fx.t, &fx.screen);
	return strbuf_str(&fx.screen);
}

static inline int fx_has(const char *s)
{
	return strstr(fx_text(), s) != NULL;
}

static inline int fx_key(int k)
{
	int q = tui_feed_key(fx.t, k);
	tui_render(fx.t);
	return q;
}

/* Keys as characters: "jjL" presses j, j, L. UTF-8 is decoded. */
static inline void fx_keys(const char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		unsigned cp;
		int l = utf8_decode(s + i, n - i, &cp);
		fx_key((int)cp);
		i += l > 0 ? (size_t)l : 1;
	}
}

static inline const char *fx_status(void)
{
	return tui_status_text(fx.t);
}

#define assert_screen(s) cr_assert(fx_has(s), "screen lacks \"%s\":\n%s", (s), strbuf_str(&fx.screen))
#define refute_screen(s) cr_assert(!fx_has(s), "screen has \"%s\":\n%s", (s), strbuf_str(&fx.screen))
#define assert_no_panel() cr_assert_null(panel_above(NULL), "a popup's panel is still there")
#define assert_status(s) cr_assert(strstr(fx_status(), (s)), "status \"%s\" lacks \"%s\"", fx_status(), (s))

static inline struct incident fx_get(int64_t id)
{
	struct incident inc;
	struct irk_err err = { 0 };

	cr_assert_eq(store_incident_get(fx.other, id, &inc, &err), 0, "%s", err.msg);
	return inc;
}

static inline int fx_stage(int64_t id)
{
	struct incident inc = fx_get(id);
	int s = inc.stage;

	incident_clear(&inc);
	return s;
}

/* A required step of stage that is not done: the gate closes. Returns
 * the step's row id. */
static inline int64_t fx_required_step(int64_t id, const char *step_id, int stage)
{
	struct step_row r;
	struct irk_err err = { 0 };
	int64_t row = 0;

	memset(&r, 0, sizeof r);
	r.incident_id = id;
	r.step_id = step_id;
	r.seq = 1;
	r.kind = "manual";
	r.stage = stage;
	r.title = "Isolate the host";
	r.required = 1;
	r.def = "{}";
	cr_assert_eq(store_begin(fx.other, &err), 0);
	cr_assert_eq(store_step_insert(fx.other, &r, &row, &err), 0, "%s", err.msg);
	cr_assert_eq(store_commit(fx.other, &err), 0);
	return row;
}

/* Move step row from state `from` to `to` (what the engine does). */
static inline void fx_step_state(int64_t row, int from, int to)
{
	struct step_row r;
	struct irk_err err = { 0 };

	memset(&r, 0, sizeof r);
	r.id = row;
	r.state = to;
	cr_assert_eq(store_step_update(fx.other, &r, from, &err), 0, "%s", err.msg);
}

#endif
