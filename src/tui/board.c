/* board.c: the board screen: one column per stage, cards ordered by
 * priority then age. The model and its layout are in layout.c (no curses,
 * unit tested); this file reads the database into it and maps actions.
 *
 * Every open incident is loaded (filters and counts need them all); the
 * closed column is read a page at a time, newest first, and grows when
 * the cursor gets near its end. */
#include <stdlib.h>
#include <string.h>

#include "irk/sanitize.h"
#include "irk/store.h"
#include "tui_internal.h"

#define CLOSED_MAX 20000      /* closed cards kept in memory at most */
#define PRESENCE_WINDOW 45    /* seconds: a heartbeat comes every 15 */
#define UNITS_MAX 64

struct board_st {
	struct board b;
	int64_t closed_limit;
	int width, height;       /* of the last draw */
	char *units[UNITS_MAX];  /* what the business unit menu offered */
	size_t nunits;
};

static void forget_units(struct board_st *bs)
{
	for (size_t i = 0; i < bs->nunits; i++)
		free(bs->units[i]);
	bs->nunits = 0;
}

static int add_card(const struct incident *inc, void *arg)
{
	board_add(arg, inc);
	return 0;
}

struct ids {
	int64_t *v;
	size_t n, cap;
};

static int add_id(int64_t id, void *arg)
{
	struct ids *ids = arg;

	if (ids->n == ids->cap) {
		ids->cap = ids->cap ? ids->cap * 2 : 64;
		ids->v = xrealloc(ids->v, ids->cap * sizeof *ids->v);
	}
	ids->v[ids->n++] = id;
	return 0;
}

/* Who else has a board open (you know you are on). Names come from the
 * database, which anyone with the file can write: sanitized. */
static int add_who(const char *name, int64_t seen, void *arg)
{
	struct board *b = arg;
	size_t l = strlen(b->who);
	char safe[128];

	(void)seen;
	if (!strcmp(name, b->me))
		return 0;
	sanitize_buf(safe, sizeof safe, name, 0);
	if (l + strlen(safe) + 2 >= sizeof b->who)
		return 1;
	snprintf(b->who + l, sizeof b->who - l, "%s%s", l ? " " : "", safe);
	return 0;
}

/* Read the board from the database in one snapshot; the cursor stays on
 * the card it was on (board_index). */
static void load(struct tui *t, struct board_st *bs)
{
	struct board *b = &bs->b;
	struct irk_err err = { 0 };
	int64_t counts[STAGE_COUNT];
	struct ids ids = { NULL, 0, 0 };
	int rc;

	board_clear(b);
	b->who[0] = '\0';
	b->now = t->now;
	rc = store_begin_read(t->s, &err);
	if (!rc)
		rc = store_incident_counts(t->s, counts, &err);
	for (int s = 0; !rc && s < STAGE_COUNT; s++) {
		b->col[s].total = counts[s];
		rc = store_incident_stage_each(t->s, s, 0, s == STAGE_CLOSED ? bs->closed_limit : 0,
					       add_card, b, &err);
	}
	if (!rc)
		rc = store_incident_waiting(t->s, add_id, &ids, &err);
	if (!rc)
		rc = store_presence_list(t->s, t->now - PRESENCE_WINDOW, add_who, b, &err);
	if (!rc && (b->unseen = store_inbox_unseen(t->s, t->app->actor.name, t->app->actor.role, NULL,
						   &err)) < 0)
		rc = IRK_ERROR;
	keymap_first(&t->km, ACT_INBOX, b->inbox_key, sizeof b->inbox_key);
	if (store_in_tx(t->s))
		store_commit(t->s, NULL);
	board_mark_waiting(b, ids.v, ids.n);
	free(ids.v);
	board_index(b);
	if (rc)
		tui_report(t, &err);
}

static void *open_board(struct tui *t, const void *arg)
{
	struct board_st *bs = xcalloc(1, sizeof *bs);

	(void)arg;
	board_init(&bs->b, t->app->actor.name);
	bs->b.pol = t->pol;
	/* The role shows only when it matters: a senior can force gates. */
	snprintf(bs->b.user, sizeof bs->b.user, "%s%s%s", t->app->actor.name,
		 actor_is_senior(&t->app->actor) ? " " : "",
		 actor_is_senior(&t->app->actor) ? role_name(t->app->actor.role) : "");
	bs->closed_limit = BOARD_CLOSED_PAGE;
	bs->width = t->width;
	bs->height = t->area_h > 0 ? t->area_h : t->height - 1;
	load(t, bs);
	return bs;
}

static void draw(struct tui *t, void *st, int width, int height, struct frame *f)
{
	struct board_st *bs = st;

	bs->width = width;
	bs->height = height;
	if (bs->b.now != t->now)
		board_tick(&bs->b, t->now);
	board_frame(&bs->b, width, height, f);
}

static int page(struct board_st *bs)
{
	struct board_geom g;

	board_geometry(&bs->b, bs->width, bs->height, &g);
	return g.cards;
}

/* Near the end of the loaded closed cards: read the next page. */
static void more_closed(struct tui *t, struct board_st *bs)
{
	struct board_col *c = &bs->b.col[STAGE_CLOSED];

	if (bs->b.cur != STAGE_CLOSED || bs->closed_limit >= CLOSED_MAX ||
	    bs->closed_limit >= c->total || c->cur + (size_t)page(bs) < c->n)
		return;
	bs->closed_limit += BOARD_CLOSED_PAGE;
	load(t, bs);
	if (bs->closed_limit >= CLOSED_MAX && c->total > CLOSED_MAX)
		tui_status(t, SLOT_STATUS_INFO, "the board holds the newest %d closed incidents; "
			   "irk list --stage closed shows them all", CLOSED_MAX);
}

/* A filter was set: the columns follow, and when the cursor's column
 * shows nothing the cursor goes to the first match, so it is on screen.
 * The status line says how many cards match. */
static void refiltered(struct tui *t, struct board *b, const char *what)
{
	size_t n;

	board_index(b);
	board_focus_match(b);
	n = board_shown(b);
	if (n)
		tui_status(t, SLOT_STATUS_INFO, "%s: %zu card%s match%s; Esc clears every filter", what, n,
			   n > 1 ? "s" : "", n > 1 ? "" : "es");
	else
		tui_status(t, SLOT_STATUS_INFO, "%s: no card matches; Esc clears every filter", what);
}

static void filter_done(struct tui *t, void *arg, int ok, const char *text)
{
	struct board_st *bs = arg;
	char msg[700];

	if (!ok)
		return;
	if (board_filter_set(&bs->b, text, msg, sizeof msg)) {
		tui_status(t, SLOT_STATUS_ERROR, "%s", msg);
		return;
	}
	if (*text)
		refiltered(t, &bs->b, "filter on");
	else
		board_index(&bs->b);
}

static void unit_done(struct tui *t, void *arg, int index)
{
	struct board_st *bs = arg;

	if (index >= 0) {
		free(bs->b.unit);
		/* The names the menu showed: the board may have reloaded since. */
		bs->b.unit = index > 0 && (size_t)index <= bs->nunits ? xstrdup(bs->units[index - 1]) : NULL;
		if (bs->b.unit) {
			refiltered(t, &bs->b, "one business unit");
		} else {
			board_index(&bs->b);
			tui_status(t, SLOT_STATUS_INFO, "every business unit");
		}
	}
	forget_units(bs);
}

static void choose_unit(struct tui *t, struct board_st *bs)
{
	const char *units[UNITS_MAX], *items[UNITS_MAX + 1];
	size_t n = board_units(&bs->b, units, UNITS_MAX);
	int cur = 0;

	if (!n) {
		tui_status(t, SLOT_STATUS_INFO, "no incident names a business unit");
		return;
	}
	forget_units(bs);
	items[0] = "(every unit)";
	for (size_t i = 0; i < n; i++) {
		bs->units[i] = xstrdup(units[i]);
		items[i + 1] = bs->units[i];
		if (bs->b.unit && !strcmp(bs->b.unit, units[i]))
			cur = (int)i + 1;
	}
	bs->nunits = n;
	tui_menu(t, "Business unit", items, (int)n + 1, cur, unit_done, bs, 0);
}

/* My queue and unassigned exclude each other (together they show nothing). */
static void toggle(struct tui *t, struct board *b, int *flag, int *other, const char *on,
		   const char *off)
{
	*flag = !*flag;
	*other = 0;
	if (*flag) {
		refiltered(t, b, on);
	} else {
		board_index(b);
		tui_status(t, SLOT_STATUS_INFO, "%s", off);
	}
}

static int key(struct tui *t, void *st, int act, int k)
{
	struct board_st *bs = st;
	struct board *b = &bs->b;
	const struct card *c = board_current(b);

	(void)k;
	switch (act) {
	case ACT_UP: board_up(b, 1); return SCR_HANDLED;
	case ACT_DOWN: board_down(b, 1); more_closed(t, bs); return SCR_HANDLED;
	case ACT_LEFT: board_left(b); return SCR_HANDLED;
	case ACT_RIGHT: board_right(b); return SCR_HANDLED;
	case ACT_PAGE_UP: board_up(b, (size_t)page(bs)); return SCR_HANDLED;
	case ACT_PAGE_DOWN: board_down(b, (size_t)page(bs)); more_closed(t, bs); return SCR_HANDLED;
	case ACT_FIRST: board_home(b); return SCR_HANDLED;
	case ACT_LAST: board_end(b); more_closed(t, bs); return SCR_HANDLED;
	case ACT_B_FILTER:
		tui_prompt(t, "Filter: text, or an expression such as "
			   "severity >= 'high' && sla == 'breached' (empty: none)",
			   b->filter_src, filter_done, bs, 0);
		return SCR_HANDLED;
	case ACT_B_MINE:
		toggle(t, b, &b->mine, &b->unassigned, "only your incidents", "everyone's incidents");
		return SCR_HANDLED;
	case ACT_B_UNASSIGNED:
		toggle(t, b, &b->unassigned, &b->mine, "only unassigned incidents", "all incidents");
		return SCR_HANDLED;
	case ACT_B_UNIT:
		choose_unit(t, bs);
		return SCR_HANDLED;
	case ACT_B_CLEAR:
		if (!b->filter_src && !b->mine && !b->unassigned && !b->unit)
			return SCR_IGNORED;
		board_filter_set(b, "", NULL, 0);
		b->mine = b->unassigned = 0;
		free(b->unit);
		b->unit = NULL;
		board_index(b);
		tui_status(t, SLOT_STATUS_INFO, "filters cleared");
		return SCR_HANDLED;
	}
	switch (act) {
	case ACT_B_OPEN: case ACT_B_CLAIM: case ACT_B_PREV: case ACT_B_NEXT: case ACT_B_CLOSE:
		break;
	default:
		return SCR_IGNORED;
	}
	if (!c) {
		tui_status(t, SLOT_STATUS_ERROR, "no card here");
		return SCR_HANDLED;
	}
	switch (act) {
	case ACT_B_OPEN: tui_push(t, &incident_screen, &c->inc.id); break;
	case ACT_B_CLAIM: tui_claim(t, c->inc.id, c->inc.version); break;
	case ACT_B_PREV: tui_move(t, c->inc.id, c->inc.version, c->inc.stage, -1); break;
	case ACT_B_NEXT: tui_move(t, c->inc.id, c->inc.version, c->inc.stage, 1); break;
	case ACT_B_CLOSE: tui_resolve(t, c->inc.id, c->inc.version, c->inc.stage); break;
	}
	return SCR_HANDLED;
}

static void reload(struct tui *t, void *st)
{
	load(t, st);
}

static int click(struct tui *t, void *st, int y, int x, int wheel)
{
	struct board_st *bs = st;
	int s;

	(void)t;
	if (!wheel)
		return board_hit(&bs->b, bs->width, bs->height, y, x) ? SCR_HANDLED : SCR_IGNORED;
	if ((s = board_col_at(&bs->b, bs->width, bs->height, x)) < 0)
		return SCR_IGNORED;
	bs->b.cur = s;
	if (wheel < 0)
		board_up(&bs->b, 3);
	else
		board_down(&bs->b, 3);
	return SCR_HANDLED;
}

static void done(void *st)
{
	struct board_st *bs = st;

	forget_units(bs);
	board_free(&bs->b);
	free(bs);
}

const struct screen_ops board_screen = {
	.name = "board",
	.ctx = CTX_BOARD,
	.open = open_board,
	.draw = draw,
	.key = key,
	.reload = reload,
	.click = click,
	.done = done,
};
