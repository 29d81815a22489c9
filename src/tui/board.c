/* board.c: the board screen: one column per stage, cards ordered by
 * priority then age. The model and its layout are in layout.c (no curses,
 * unit tested); this file reads the database into it and maps actions.
 *
 * The board loads what it can draw. Without a filter each column holds a
 * window of its cards: the screen's cards and a margin either side, read
 * in column order through the board's indexes; counts come from the
 * indexes too, and a move of the cursor past the window reads the window
 * there (windows()). A million incidents cost what a screenful does.
 *
 * Under a filter the board holds every card it shows. My queue,
 * unassigned and a unit alone are asked of the database: the open
 * columns in one pass over the open incidents' index (every match, so
 * their counts are exact); the closed column is judged like the rest.
 * Text and expressions (over any field) are judged in C: the first
 * FILTER_SCAN cards of each column in column order (the most urgent;
 * closed: the newest), keeping those that match, so the work is bounded
 * whatever the database holds. A column cut so shows its count as
 * "12+/16691". A key ("IR-42") is read by itself, wherever it is. */
#include <stdlib.h>
#include <string.h>

#include "irk/incident.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/store.h"
#include "tui_internal.h"

#define FILTER_SCAN 2000      /* cards of a column a filter judges at most */
#define WINDOW_MARGIN 10      /* cards read beyond a page on either side */
#define PRESENCE_WINDOW 45    /* seconds: a heartbeat comes every 15 */
#define BREACH_RECOUNT 15     /* seconds between counts of SLA breaches as time passes */
#define UNITS_MAX 64
#define OBSERVED_MAX 2000     /* incidents a text filter finds by observable */

struct ids {
	int64_t *v;
	size_t n, cap;
};

/* The ticket each open incident's ticket step created, by id. */
struct tickets {
	struct ticket_of { int64_t id; char key[24]; } *v;
	size_t n, cap;
};

struct board_st {
	struct board b;
	int width, height;       /* of the last draw */
	char *units[UNITS_MAX];  /* what the business unit menu offered */
	size_t nunits;
	struct ids waiting;      /* incidents waiting for a person, sorted (last load) */
	struct ids failed;       /* open incidents with a failed required step, sorted */
	struct ids approvals;    /* incidents with an approval the user may grant, sorted */
	struct ids observed;     /* incidents with an observable equal to the text filter, sorted */
	char *observed_seen;     /* which of them a column's scan met */
	struct ids critical;     /* open incidents on a critical asset, sorted (last load) */
	struct tickets tickets;  /* their first ticket, sorted by id (last load) */
	int64_t breached_at;     /* the clock of the last count of SLA breaches */
	int refilter;            /* loading for a new filter: no card is kept */
};

static void forget_units(struct board_st *bs)
{
	for (size_t i = 0; i < bs->nunits; i++)
		free(bs->units[i]);
	bs->nunits = 0;
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

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

/* Rows come by id, an incident's first ticket first: the first is kept. */
static int add_ticket(int64_t id, const char *key, void *arg)
{
	struct tickets *tk = arg;

	if (tk->n && tk->v[tk->n - 1].id == id)
		return 0;
	if (tk->n == tk->cap) {
		tk->cap = tk->cap ? tk->cap * 2 : 16;
		tk->v = xrealloc(tk->v, tk->cap * sizeof *tk->v);
	}
	tk->v[tk->n].id = id;
	sanitize_buf(tk->v[tk->n++].key, sizeof tk->v->key, key, 0);
	return 0;
}

static void set_ticket(const struct tickets *tk, struct card *c)
{
	const struct ticket_of *t = tk->n ? bsearch(&c->inc.id, tk->v, tk->n, sizeof *tk->v, id_cmp)
				     : NULL;

	irk_strlcpy(c->ticket, t ? t->key : "", sizeof c->ticket);
}

static int has_id(const struct ids *ids, int64_t id)
{
	return ids->n && bsearch(&id, ids->v, ids->n, sizeof id, id_cmp);
}

/* Every mark from the lists of the last load. */
static void mark_cards(struct board_st *bs)
{
	board_mark(&bs->b, CARD_WAITING, bs->waiting.v, bs->waiting.n);
	board_mark(&bs->b, CARD_FAILED, bs->failed.v, bs->failed.n);
	board_mark(&bs->b, CARD_APPROVAL, bs->approvals.v, bs->approvals.n);
	board_mark_critical(&bs->b, bs->critical.v, bs->critical.n);
	for (size_t i = 0; i < bs->b.ncards; i++)
		set_ticket(&bs->tickets, &bs->b.cards[i]);
}

static int add_card(const struct incident *inc, void *arg)
{
	board_add(arg, inc);
	return 0;
}

/* A filter's scan: keep the card when it matches. */
static int board_has_card(const struct board *b, int64_t id)
{
	for (size_t i = 0; i < b->ncards; i++)
		if (b->cards[i].inc.id == id)
			return 1;
	return 0;
}

static int add_match(const struct incident *inc, void *arg)
{
	struct board_st *bs = arg;
	struct board *b = &bs->b;
	struct card *c;

	board_add(b, inc);
	c = &b->cards[b->ncards - 1];
	c->waiting = has_id(&bs->waiting, inc->id);
	c->failed = has_id(&bs->failed, inc->id);
	c->approval = has_id(&bs->approvals, inc->id);
	if ((c->observed = has_id(&bs->observed, inc->id)))
		bs->observed_seen[(int64_t *)bsearch(&inc->id, bs->observed.v, bs->observed.n,
						     sizeof inc->id, id_cmp) - bs->observed.v] = 1;
	c->critical = has_id(&bs->critical, inc->id);
	set_ticket(&bs->tickets, c);
	if (!board_card_matches(b, c))
		board_drop_last(b);
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

/* Cards a column shows on screen. */
static size_t page(struct board_st *bs)
{
	struct board_geom g;

	board_geometry(&bs->b, bs->width, bs->height, &g);
	return (size_t)g.cards;
}

/* Read each column's window, around its first card on screen and its
 * cursor, into the (cleared) board. */
static int read_windows(struct tui *t, struct board_st *bs, struct irk_err *err)
{
	struct board *b = &bs->b;
	size_t pg = page(bs), len = pg + 2 * (pg + WINDOW_MARGIN);

	for (int s = 0; s < STAGE_COUNT; s++) {
		struct board_col *c = &b->col[s];
		size_t total = c->total > 0 ? (size_t)c->total : 0;
		size_t at = c->top < c->cur ? c->top : c->cur, lo;
		if (at >= total)
			at = total ? total - 1 : 0;
		lo = at > pg + WINDOW_MARGIN ? at - pg - WINDOW_MARGIN : 0;
		board_window(b, s, lo);
		c->cut = 0;
		if (total && store_incident_stage_each(t->s, s, (int64_t)lo, (int64_t)len, add_card, b,
						       err))
			return IRK_ERROR;
	}
	mark_cards(bs);
	return IRK_OK;
}

/* My queue, unassigned, a unit and nothing else: the open columns'
 * matches from the database, all of them. */
static int read_queue(struct tui *t, struct board_st *bs, struct irk_err *err)
{
	struct board *b = &bs->b;
	struct incident_filter f = INCIDENT_FILTER_ALL;

	f.open_only = f.card = 1;
	f.owner = b->mine ? b->me : NULL;
	f.unassigned = b->unassigned;
	f.business_unit = b->unit;
	for (int s = 0; s < STAGE_CLOSED; s++)
		b->col[s].cut = 0;
	return store_incident_each(t->s, &f, add_match, bs, err);
}

/* Under a filter: the cards of each column that match, among its first
 * FILTER_SCAN (a key: that incident alone; a queue: every open one). */
static int read_matches(struct tui *t, struct board_st *bs, struct irk_err *err)
{
	struct board *b = &bs->b;
	struct incident inc;
	int queue = !b->text && !b->expr && !b->query;

	for (int s = 0; s < STAGE_COUNT; s++) {
		board_window(b, s, 0);
		b->col[s].cut = !b->text_id && !b->query && b->col[s].total > FILTER_SCAN;
	}
	/* A saved query: run again (the board follows the database), then
	 * the incidents its rows name, each by itself. */
	if (b->query) {
		int64_t *ids;
		size_t n;
		char msg[700];

		if (tui_query_ids(t, b->query, &ids, &n, msg, sizeof msg)) {
			tui_status(t, SLOT_STATUS_ERROR, "%s", msg);
		} else {
			board_filter_ids(b, b->query, ids, n);
			free(ids);
		}
		for (size_t i = 0; i < b->nquery_ids; i++) {
			int rc = store_incident_get(t->s, b->query_ids[i], &inc, err);
			if (rc == IRK_NOTFOUND)
				continue;
			if (rc)
				return IRK_ERROR;
			add_match(&inc, bs);
			incident_clear(&inc);
		}
		return IRK_OK;
	}
	/* A text filter finds incidents by any observable of exactly that
	 * value too (an IP, a user, a hash), through their index: those a
	 * column's scan does not reach are read one by one. */
	bs->observed.n = 0;
	if (b->text && !b->text_id) {
		if (store_incident_observed(t->s, b->text, add_id, &bs->observed, err))
			return IRK_ERROR;
		if (bs->observed.n > OBSERVED_MAX)
			bs->observed.n = OBSERVED_MAX;
		if (bs->observed.n)
			qsort(bs->observed.v, bs->observed.n, sizeof *bs->observed.v, id_cmp);
		free(bs->observed_seen);
		bs->observed_seen = xcalloc(bs->observed.n + 1, 1);
	}
	if (b->text_id) {
		int rc = store_incident_get(t->s, b->text_id, &inc, err);
		if (rc == IRK_NOTFOUND)
			return IRK_OK;
		if (!rc) {
			add_match(&inc, bs);
			incident_clear(&inc);
		}
		return rc;
	}
	if (queue && read_queue(t, bs, err))
		return IRK_ERROR;
	/* My queue is open work: my closed incidents (80 of 84 cards) only
	 * when a filter asks for them. */
	if (queue && b->mine)
		return IRK_OK;
	for (int s = queue ? STAGE_CLOSED : 0; s < STAGE_COUNT; s++)
		if (b->col[s].total && store_incident_stage_each(t->s, s, 0, FILTER_SCAN, add_match, bs,
								 err))
			return IRK_ERROR;
	for (size_t i = 0; i < bs->observed.n; i++) {
		int rc;
		if (bs->observed_seen[i])
			continue;
		if ((rc = store_incident_get(t->s, bs->observed.v[i], &inc, err)) == IRK_NOTFOUND)
			continue;
		if (rc)
			return IRK_ERROR;
		add_match(&inc, bs);
		incident_clear(&inc);
	}
	return IRK_OK;
}

struct late_count {
	const struct board *b;
	int64_t n;
};

static int late_one(const struct incident *inc, void *arg)
{
	struct late_count *lc = arg;
	struct sla_status st;

	sla_status(&lc->b->pol, inc, lc->b->now, &st);
	lc->n += st.state == SLA_BREACHED;
	return 0;
}

/* The open incidents past an SLA, counted in the database; in business
 * hours (which SQL cannot count) by sla_status() over the open cards. */
static int count_breached(struct tui *t, struct board_st *bs, struct irk_err *err)
{
	struct board *b = &bs->b;
	int64_t n;

	if (b->pol.hours.on) {
		struct incident_filter f = INCIDENT_FILTER_ALL;
		struct late_count lc = { b, 0 };
		f.open_only = 1;
		f.card = 1;
		if (store_incident_each(t->s, &f, late_one, &lc, err))
			return IRK_ERROR;
		n = lc.n;
	} else {
		n = store_incident_breached(t->s, b->now, b->pol.ack, b->pol.contain, err);
	}

	if (n < 0)
		return IRK_ERROR;
	b->breached = n;
	bs->breached_at = b->now;
	return IRK_OK;
}

/* Where the card the cursor was on went (another column, out of the
 * window): put the cursor there. 0 when it is gone. */
static int follow(struct tui *t, struct board_st *bs, int64_t id, struct irk_err *err)
{
	struct board *b = &bs->b;
	struct incident inc;
	int64_t pos;

	if (store_incident_get(t->s, id, &inc, err))
		return 0;
	pos = store_incident_position(t->s, &inc, err);
	if (pos >= 0 && inc.stage >= 0 && inc.stage < STAGE_COUNT) {
		b->cur = inc.stage;
		b->col[inc.stage].cur = b->col[inc.stage].top = (size_t)pos;
	}
	incident_clear(&inc);
	return pos >= 0;
}

/* Read the board from the database in one snapshot: counts and
 * markers when full, then the cards; the cursor stays on the card it
 * was on (board_index), following it to where it went. */
static void load_part(struct tui *t, struct board_st *bs, int full)
{
	struct board *b = &bs->b;
	struct irk_err err = { 0 };
	int64_t counts[STAGE_COUNT], keep = b->sel_id;
	int rc = IRK_OK;

	board_clear(b);
	b->now = t->now;
	b->windowed = !board_filtered(b);
	rc = store_begin_read(t->s, &err);
	if (!rc && full) {
		b->who[0] = '\0';
		bs->waiting.n = bs->failed.n = bs->approvals.n = 0;
		rc = store_incident_counts(t->s, counts, &err);
		for (int s = 0; !rc && s < STAGE_COUNT; s++)
			b->col[s].total = counts[s];
		if (!rc)
			rc = store_incident_waiting(t->s, add_id, &bs->waiting, &err);
		if (!rc)
			rc = store_incident_failed(t->s, add_id, &bs->failed, &err);
		if (!rc)
			rc = play_approvals_for(t->s, &t->app->actor, add_id, &bs->approvals, &err);
		if (bs->waiting.n)
			qsort(bs->waiting.v, bs->waiting.n, sizeof *bs->waiting.v, id_cmp);
		if (bs->failed.n)
			qsort(bs->failed.v, bs->failed.n, sizeof *bs->failed.v, id_cmp);
		bs->critical.n = 0;
		if (!rc)
			rc = store_context_critical(t->s, add_id, &bs->critical, &err);
		if (bs->critical.n)
			qsort(bs->critical.v, bs->critical.n, sizeof *bs->critical.v, id_cmp);
		bs->tickets.n = 0;
		if (!rc)
			rc = store_incident_tickets(t->s, add_ticket, &bs->tickets, &err);
		if (!rc)
			rc = store_presence_list(t->s, t->now - PRESENCE_WINDOW, add_who, b, &err);
		if (!rc && (b->unseen = store_inbox_unseen(t->s, t->app->actor.name,
							   t->app->actor.role, NULL, &err)) < 0)
			rc = IRK_ERROR;
		if (!rc)
			rc = count_breached(t, bs, &err);
	}
	/* Under a filter, the card this board acted on stays while the
	 * cursor is on it, matching or not: claimed under "unassigned", it must not
	 * vanish and leave the next card under the cursor for the next key
	 * (found by a junior's trial: c then L moved a colleague's card). */
	b->kept_id = !b->windowed && !bs->refilter && keep && keep == t->acted_id ? keep : 0;
	if (!rc)
		rc = b->windowed ? read_windows(t, bs, &err) : read_matches(t, bs, &err);
	if (!rc && b->kept_id && !board_has_card(b, b->kept_id)) {
		struct incident inc;
		int r = store_incident_get(t->s, b->kept_id, &inc, &err);
		if (!r) {
			add_match(&inc, bs);
			incident_clear(&inc);
		} else if (r != IRK_NOTFOUND) {
			rc = r;
		}
	}
	board_index(b);
	if (!rc && b->windowed && keep && b->sel_id != keep && follow(t, bs, keep, &err)) {
		board_clear(b);
		rc = read_windows(t, bs, &err);
		b->sel_id = keep;
		board_index(b);
	}
	if (store_in_tx(t->s))
		store_commit(t->s, NULL);
	keymap_first(&t->km, ACT_INBOX, b->inbox_key, sizeof b->inbox_key);
	if (rc)
		tui_report(t, &err);
}

static void load(struct tui *t, struct board_st *bs)
{
	load_part(t, bs, 1);
}

/* A windowed board whose cursor or screen left the window of a column
 * reads the windows there (nothing else). */
static void keep_in_window(struct tui *t, struct board_st *bs)
{
	struct board *b = &bs->b;
	struct board_geom g;

	if (!b->windowed)
		return;
	board_geometry(b, bs->width, bs->height, &g);
	for (int s = 0; s < STAGE_COUNT; s++) {
		const struct board_col *c = &b->col[s];
		size_t end = c->top + (size_t)g.cards;
		if (end > c->count)
			end = c->count;
		if (!c->count)
			continue;
		if (c->cur < c->base || c->cur >= c->base + c->n || c->top < c->base ||
		    end > c->base + c->n) {
			b->sel_id = 0;
			load_part(t, bs, 0);
			return;
		}
	}
}

static void *open_board(struct tui *t, const void *arg)
{
	struct board_st *bs = xcalloc(1, sizeof *bs);

	(void)arg;
	board_init(&bs->b, t->app->actor.name);
	bs->b.pol = t->pol;
	bs->b.breached_read = 1;
	/* The role shows only when it matters: a senior can force gates. */
	snprintf(bs->b.user, sizeof bs->b.user, "%s%s%s", t->app->actor.name,
		 actor_is_senior(&t->app->actor) ? " " : "",
		 actor_is_senior(&t->app->actor) ? role_name(t->app->actor.role) : "");
	bs->width = t->width;
	bs->height = t->area_h > 0 ? t->area_h : t->height - 1;
	load(t, bs);
	return bs;
}

static void draw(struct tui *t, void *st, int width, int height, struct frame *f)
{
	struct board_st *bs = st;

	struct irk_err err = { 0 };

	bs->width = width;
	bs->height = height;
	if (bs->b.now != t->now) {
		board_tick(&bs->b, t->now);
		/* An SLA breaches while nobody touches the database: counted
		 * again every BREACH_RECOUNT seconds (the cards' own clocks
		 * follow every second). */
		if ((t->now < bs->breached_at ||
				       t->now - bs->breached_at >= BREACH_RECOUNT) &&
		    count_breached(t, bs, &err))
			tui_report(t, &err);
	}
	keep_in_window(t, bs);
	board_frame(&bs->b, width, height, f);
}

/* The filters changed: read the board again (windows without a filter,
 * the matches under one). */
static void filters_changed(struct tui *t, struct board_st *bs)
{
	bs->refilter = 1;
	load(t, bs);
	bs->refilter = 0;
}

/* A filter was set: the columns follow, and when the cursor's column
 * shows nothing the cursor goes to the first match, so it is on screen.
 * The status line says how many cards match. */
static void refiltered(struct tui *t, struct board_st *bs, const char *what)
{
	struct board *b = &bs->b;
	int cut = 0;
	size_t n;

	filters_changed(t, bs);
	board_focus_match(b);
	n = board_shown(b);
	for (int s = 0; s < STAGE_COUNT; s++)
		cut |= b->col[s].cut;
	if (n && cut)
		tui_status(t, SLOT_STATUS_INFO, "%s: %zu card%s match%s among the first %d of each "
			   "column; Esc clears every filter", what, n, n > 1 ? "s" : "",
			   n > 1 ? "" : "es", FILTER_SCAN);
	else if (n)
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
	if (text[0] == '@') {
		int64_t *ids;
		size_t n;

		if (tui_query_ids(t, text + 1, &ids, &n, msg, sizeof msg)) {
			tui_status(t, SLOT_STATUS_ERROR, "%s", msg);
			return;
		}
		board_filter_ids(&bs->b, text + 1, ids, n);
		free(ids);
		refiltered(t, bs, "saved query");
		return;
	}
	if (board_filter_set(&bs->b, text, msg, sizeof msg)) {
		tui_status(t, SLOT_STATUS_ERROR, "%s", msg);
		return;
	}
	if (*text)
		refiltered(t, bs, "filter on");
	else
		filters_changed(t, bs);
}

void board_show_filter(struct tui *t, const char *expr, const char *what)
{
	char msg[700];

	for (int i = 0; i < t->depth; i++) {
		struct board_st *bs = t->stack[i].st;
		if (t->stack[i].ops != &board_screen)
			continue;
		if (board_filter_set(&bs->b, expr, msg, sizeof msg)) {
			tui_status(t, SLOT_STATUS_ERROR, "%s", msg);
			return;
		}
		refiltered(t, bs, what);
	}
}

static void unit_done(struct tui *t, void *arg, int index)
{
	struct board_st *bs = arg;

	if (index >= 0) {
		free(bs->b.unit);
		/* The names the menu showed: the board may have reloaded since. */
		bs->b.unit = index > 0 && (size_t)index <= bs->nunits ? xstrdup(bs->units[index - 1]) : NULL;
		if (bs->b.unit) {
			refiltered(t, bs, "one business unit");
		} else {
			filters_changed(t, bs);
			tui_status(t, SLOT_STATUS_INFO, "every business unit");
		}
	}
	forget_units(bs);
}

static int add_unit(const char *unit, void *arg)
{
	struct board_st *bs = arg;

	if (bs->nunits < UNITS_MAX && *unit)
		bs->units[bs->nunits++] = sanitize_dup(unit, 0);
	return 0;
}

/* The business units of open incidents, from the database. */
static void choose_unit(struct tui *t, struct board_st *bs)
{
	const char *items[UNITS_MAX + 1];
	struct irk_err err = { 0 };
	int cur = 0;
	size_t n;

	forget_units(bs);
	if (store_unit_each(t->s, UNITS_MAX, add_unit, bs, &err)) {
		tui_report(t, &err);
		return;
	}
	if (!(n = bs->nunits)) {
		tui_status(t, SLOT_STATUS_INFO, "no open incident names a business unit");
		return;
	}
	items[0] = "(every unit)";
	for (size_t i = 0; i < n; i++) {
		items[i + 1] = bs->units[i];
		if (bs->b.unit && !strcmp(bs->b.unit, bs->units[i]))
			cur = (int)i + 1;
	}
	tui_menu(t, "Business unit", items, (int)n + 1, cur, unit_done, bs, 0);
}

/* My queue and unassigned exclude each other (together they show nothing). */
static void toggle(struct tui *t, struct board_st *bs, int *flag, int *other, const char *on,
		   const char *off)
{
	*flag = !*flag;
	*other = 0;
	if (*flag) {
		refiltered(t, bs, on);
	} else {
		filters_changed(t, bs);
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
	case ACT_UP: board_up(b, 1); keep_in_window(t, bs); return SCR_HANDLED;
	case ACT_DOWN: board_down(b, 1); keep_in_window(t, bs); return SCR_HANDLED;
	case ACT_LEFT: board_left(b); keep_in_window(t, bs); return SCR_HANDLED;
	case ACT_RIGHT: board_right(b); keep_in_window(t, bs); return SCR_HANDLED;
	case ACT_PAGE_UP: board_up(b, page(bs)); keep_in_window(t, bs); return SCR_HANDLED;
	case ACT_PAGE_DOWN: board_down(b, page(bs)); keep_in_window(t, bs); return SCR_HANDLED;
	case ACT_FIRST: board_home(b); keep_in_window(t, bs); return SCR_HANDLED;
	case ACT_LAST: board_end(b); keep_in_window(t, bs); return SCR_HANDLED;
	case ACT_B_FILTER:
		tui_prompt(t, "Filter: text, or an expression such as "
			   "severity >= 'high' && sla == 'breached', or @NAME: a saved query over "
			   "incidents (empty: none)",
			   b->filter_src, filter_done, bs, 0);
		tui_prompt_select(t);      /* typing replaces the old filter */
		return SCR_HANDLED;
	case ACT_B_MINE:
		toggle(t, bs, &b->mine, &b->unassigned, "only your incidents", "everyone's incidents");
		return SCR_HANDLED;
	case ACT_B_UNASSIGNED:
		toggle(t, bs, &b->unassigned, &b->mine, "only unassigned incidents", "all incidents");
		return SCR_HANDLED;
	case ACT_B_UNIT:
		choose_unit(t, bs);
		return SCR_HANDLED;
	case ACT_B_NEW:
		tui_new_incident(t);
		return SCR_HANDLED;
	case ACT_B_DASHBOARD:
		tui_push(t, &dashboard_screen, NULL);
		return SCR_HANDLED;
	case ACT_B_QUERY:
		tui_query_prompt(t);
		return SCR_HANDLED;
	case ACT_B_CLEAR:
		if (!b->filter_src && !b->mine && !b->unassigned && !b->unit)
			return SCR_IGNORED;
		board_filter_set(b, "", NULL, 0);
		b->mine = b->unassigned = 0;
		free(b->unit);
		b->unit = NULL;
		filters_changed(t, bs);
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

	if (!wheel)
		return board_hit(&bs->b, bs->width, bs->height, y, x) ? SCR_HANDLED : SCR_IGNORED;
	if ((s = board_col_at(&bs->b, bs->width, bs->height, x)) < 0)
		return SCR_IGNORED;
	bs->b.cur = s;
	if (wheel < 0)
		board_up(&bs->b, 3);
	else
		board_down(&bs->b, 3);
	keep_in_window(t, bs);
	return SCR_HANDLED;
}

static void done(void *st)
{
	struct board_st *bs = st;

	forget_units(bs);
	board_free(&bs->b);
	free(bs->waiting.v);
	free(bs->failed.v);
	free(bs->approvals.v);
	free(bs->observed.v);
	free(bs->observed_seen);
	free(bs->critical.v);
	free(bs->tickets.v);
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
