/* dashboard.c: the KPI screen of the board (dashboard.h). The figures
 * come from src/kpi/ as a snapshot (snapshot.h); this file lays them out
 * and drills down from a line to the board filtered on the incidents
 * behind it.
 *
 * It shows the sequencer's snapshot when that is current. A stale one
 * (something changed since) is computed again here only when that is
 * cheap (it took under DASH_LIVE_MS: a small database, where a
 * colleague's close then shows within a second); on a large database the
 * stale one stays, marked with its time, until the sequencer's next one
 * (KPI_SNAPSHOT_AGE seconds at most): a key press never waits for it.
 * Without any snapshot (no sequencer yet), and on C-l, it computes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/clock.h"
#include "irk/dashboard.h"
#include "irk/sanitize.h"
#include "irk/sla.h"
#include "irk/store.h"
#include "tui_internal.h"

#define DASH_LIVE_MS 200

/* ---- what the cursor can be on ----------------------------------------------- */

/* Item i: the late incidents (when any), then each criterion not met that
 * names incidents. NULL when there is no such item. */
static const struct kpi_ids *item_ids(const struct kpi_snapshot *d, size_t i, const char **what)
{
	const struct kpi_ids *late = &d->week.all.ev.late;

	if (late->n) {
		if (i == 0) {
			*what = "open incidents late now";
			return late;
		}
		i--;
	}
	for (size_t k = 0; k < d->mat.n; k++) {
		const struct maturity_criterion *c = &d->mat.c[k];
		if (c->met || !c->ids.n)
			continue;
		if (i-- == 0) {
			*what = c->id;
			return &c->ids;
		}
	}
	return NULL;
}

size_t dash_items(const struct kpi_snapshot *d)
{
	const char *what;
	size_t n = 0;

	while (item_ids(d, n, &what))
		n++;
	return n;
}

int dash_filter(const struct kpi_snapshot *d, size_t item, struct strbuf *expr, char *what, size_t n)
{
	const char *name = NULL;
	const struct kpi_ids *ids = item_ids(d, item, &name);
	char key[24];

	if (!ids)
		return -1;
	strbuf_puts(expr, "key in [");
	for (int64_t i = 0; i < ids->n && i < KPI_IDS; i++)
		strbuf_printf(expr, "%s'%s'", i ? ", " : "", incident_key(ids->id[i], key, sizeof key));
	strbuf_addc(expr, ']');
	if (ids->n > KPI_IDS)
		snprintf(what, n, "%s: the first %d of %lld", name, KPI_IDS, (long long)ids->n);
	else
		snprintf(what, n, "%s", name);
	return 0;
}

/* ---- the layout ---------------------------------------------------------------- */

/* The lines, before they are cut to the screen: text (sanitized), slot,
 * and the item of a line the cursor can be on (-1). */
struct line {
	char text[512];
	int slot, item;
};

struct lines {
	struct line v[64];
	int n;
};

static struct line *add(struct lines *l, int slot, int item, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct line *add(struct lines *l, int slot, int item, const char *fmt, ...)
{
	struct line *ln;
	va_list ap;

	if (l->n == (int)(sizeof l->v / sizeof l->v[0]))
		return &l->v[l->n - 1];
	ln = &l->v[l->n++];
	ln->slot = slot;
	ln->item = item;
	va_start(ap, fmt);
	vsnprintf(ln->text, sizeof ln->text, fmt, ap);
	va_end(ap);
	return ln;
}

/* A week's figure: a value (-1: none). */
typedef double (*week_fn)(const struct kpi_group *g);

static double w_mtta(const struct kpi_group *g) { return g->mtta.count ? (double)g->mtta.median : -1; }
static double w_mttc(const struct kpi_group *g) { return g->mttc.count ? (double)g->mttc.median : -1; }
static double w_mttr(const struct kpi_group *g) { return g->mttr.count ? (double)g->mttr.median : -1; }
static double w_auto(const struct kpi_group *g)
{
	return kpi_rate(g->work.automated_done, g->work.steps_done);
}

/* The sparkline of fn over the weeks into buf: one block a week, its
 * height between the lowest and highest week; a space for a week without
 * a value. */
static void sparkline(const struct kpi_snapshot *d, week_fn fn, char *buf, size_t n)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = "_.-~=+*#";
	double v[KPI_SNAPSHOT_WEEKS], lo = 0, hi = 0;
	int any = 0;
	size_t len = 0;

	for (int i = 0; i < KPI_SNAPSHOT_WEEKS; i++) {
		const struct kpi_group *g = NULL;
		for (size_t k = 0; k < d->week.ngroups; k++)
			if (d->week.groups[k].key && !strcmp(d->week.groups[k].key, d->week_key[i]))
				g = &d->week.groups[k];
		v[i] = g ? fn(g) : -1;
		if (v[i] >= 0) {
			if (!any || v[i] < lo)
				lo = v[i];
			if (!any || v[i] > hi)
				hi = v[i];
			any = 1;
		}
	}
	buf[0] = '\0';
	for (int i = 0; i < KPI_SNAPSHOT_WEEKS && len + 4 < n; i++) {
		int level = v[i] < 0 ? -1 : hi > lo ? (int)((v[i] - lo) * 7.0 / (hi - lo) + 0.5) : 3;
		if (level < 0)
			buf[len++] = ' ';
		else if (layout_ascii())
			buf[len++] = ascii[level];
		else
			len += (size_t)snprintf(buf + len, n - len, "%s", blocks[level]);
		buf[len] = '\0';
	}
}

static void tile(const struct kpi_snapshot *d, struct lines *l, const char *name, const char *value,
		 week_fn fn, const char *tail)
{
	char spark[64];

	sparkline(d, fn, spark, sizeof spark);
	add(l, SLOT_NORMAL, -1, "  %-16s %9s  %s  %s", name, value, spark, tail);
}

static void build(const struct kpi_snapshot *d, int width, struct lines *l)
{
	const struct kpi_group *g = &d->week.all;
	char a[32], b[32], since[32];
	int item = 0;

	irk_time_short(d->since, since, sizeof since);
	since[10] = '\0';
	irk_time_short(d->now, b, sizeof b);
	add(l, SLOT_HEADER, -1, "KPIs of the incidents detected since %s: %lld (%lld open), at %s UTC",
	    since, (long long)g->incidents, (long long)g->open, b + 11);
	add(l, SLOT_SECTION, -1, "  %-16s %9s  %-*s  %s", "", "median", KPI_SNAPSHOT_WEEKS, "weeks",
	    "(oldest to this one)");
	kpi_fmt_median(&g->mtta, a, sizeof a);
	tile(d, l, "MTTA", a, w_mtta, "to acknowledge");
	kpi_fmt_median(&g->mttc, a, sizeof a);
	tile(d, l, "MTTC", a, w_mttc, "to contain");
	kpi_fmt_median(&g->mttr, a, sizeof a);
	tile(d, l, "MTTR", a, w_mttr, "to resolve");
	kpi_fmt_rate(kpi_sla_rate(g), a, sizeof a);
	tile(d, l, "SLA met", a, kpi_sla_rate, "of the clocks that ended");
	kpi_fmt_rate(kpi_fp_rate(g), a, sizeof a);
	tile(d, l, "False positives", a, kpi_fp_rate, "of the closed");
	kpi_fmt_rate(w_auto(g), a, sizeof a);
	tile(d, l, "Automated", a, w_auto, "of the steps done");
	add(l, SLOT_NORMAL, -1, "%s", "");
	if (g->ev.late.n)
		add(l, SLOT_SLA_BREACHED, item++, "SLA: %lld open incident%s late now", (long long)g->ev.late.n,
		    g->ev.late.n == 1 ? "" : "s");
	else
		add(l, SLOT_SLA_OK, -1, "SLA: no open incident is late");

	/* bars: incidents by business unit, with SLA met */
	int64_t most = 0;
	for (size_t i = 0; i < d->unit.ngroups; i++)
		if (d->unit.groups[i].incidents > most)
			most = d->unit.groups[i].incidents;
	if (d->unit.ngroups) {
		int barw = width - 2 - 16 - 1 - 7 - 1 - 9;
		add(l, SLOT_NORMAL, -1, "%s", "");
		add(l, SLOT_SECTION, -1, "By business unit: incidents, SLA met");
		if (barw > 40)
			barw = 40;
		for (size_t i = 0; i < d->unit.ngroups; i++) {
			const struct kpi_group *u = &d->unit.groups[i];
			char bar[4 * 64] = "", name[64];
			int len = most && barw > 0 ? (int)((u->incidents * barw + most - 1) / most) : 0;
			size_t o = 0;
			/* padded by columns: a block is three bytes and one column */
			for (int k = 0; k < barw && o + 4 < sizeof bar; k++)
				o += (size_t)snprintf(bar + o, sizeof bar - o, "%s",
						      k >= len ? " " : layout_ascii() ? "#" : "█");
			sanitize_buf(name, sizeof name, u->key ? u->key : "(none)", 0);
			kpi_fmt_rate(kpi_sla_rate(u), b, sizeof b);
			add(l, SLOT_NORMAL, -1, "  %-16.16s %s %7lld %9s", name, bar,
			    (long long)u->incidents, b);
		}
	}

	add(l, SLOT_NORMAL, -1, "%s", "");
	add(l, SLOT_SECTION, -1, "Maturity level %d (%s)%s", d->mat.level,
	    maturity_level_name(d->mat.level), d->mat.level < 5 ? "; not met yet:" : "");
	for (size_t k = 0; k < d->mat.n; k++) {
		const struct maturity_criterion *c = &d->mat.c[k];
		char v[32];
		if (c->met)
			continue;
		if (!c->has_value)
			snprintf(v, sizeof v, "-");
		else if (c->percent)
			snprintf(v, sizeof v, "%.1f%%", c->value);
		else
			snprintf(v, sizeof v, "%g", c->value);
		if (c->ids.n)
			add(l, SLOT_NORMAL, item++, "  L%d %-15s %7s %s %g%s  %lld incident%s", c->level,
			    c->id, v, c->op, c->threshold, c->percent ? "%" : "", (long long)c->ids.n,
			    c->ids.n == 1 ? "" : "s");
		else
			add(l, SLOT_CARD_DIM, -1, "  L%d %-15s %7s %s %g%s  %s", c->level, c->id, v, c->op,
			    c->threshold, c->percent ? "%" : "", c->has_value ? "" : c->reason);
	}
}

void dash_frame(const struct kpi_snapshot *d, int width, int height, size_t cur, struct frame *f)
{
	struct lines *l = xcalloc(1, sizeof *l);
	int at = 0, top = 0;

	frame_reset(f);
	build(d, width, l);
	for (int i = 0; i < l->n; i++)
		if (l->v[i].item == (int)cur)
			at = i;
	/* keep the header; scroll the rest so the cursor's line shows */
	if (at >= height - 1 && height > 2)
		top = at - (height - 2);
	for (int y = 0, i = 0; y < height && i < l->n; i++) {
		if (i > 0 && i <= top)
			continue;
		struct line *ln = &l->v[i];
		int slot = ln->item >= 0 && ln->item == (int)cur ? SLOT_CURSOR : ln->slot;
		frame_put(f, y++, 0, width, slot, ln->text, 1);
	}
	free(l);
}

/* ---- the screen -------------------------------------------------------------------- */

struct dash_st {
	struct kpi_snapshot d;
	int loaded;
	size_t cur;
	int force;                 /* C-l: compute again whatever it costs */
};

/* Show what is current (header comment). 0, or -1 when nothing could be
 * shown (the status line says why). */
static int load(struct tui *t, struct dash_st *ds)
{
	struct irk_err err = { 0 };
	struct kpi_snapshot fresh;
	int64_t head = store_kpi_head(t->s);
	int force = ds->force;

	ds->force = 0;
	if (!force && ds->loaded && ds->d.head == head)
		return 0;
	if (!force && !kpi_snapshot_load(&fresh, t->s, t->app->cfg, NULL)) {
		if (fresh.head == head || (fresh.took_ms >= DASH_LIVE_MS &&
					   (!ds->loaded || fresh.head > ds->d.head)))
			goto show;
		kpi_snapshot_free(&fresh);
	}
	if (!force && ds->loaded && ds->d.took_ms >= DASH_LIVE_MS) {
		tui_status(t, SLOT_STATUS_INFO, "KPIs as computed at the time shown; the sequencer "
			   "brings them up to date, C-l now");
		return 0;
	}
	if (kpi_snapshot_compute(&fresh, t->s, t->app->cfg, &t->pol, t->now ? t->now : irk_now(),
				 &err)) {
		tui_report(t, &err);
		return ds->loaded ? 0 : -1;
	}
show:
	kpi_snapshot_free(&ds->d);
	ds->d = fresh;
	ds->loaded = 1;
	if (ds->cur >= dash_items(&ds->d))
		ds->cur = 0;
	return 0;
}

static void *open_dash(struct tui *t, const void *arg)
{
	struct dash_st *ds = xcalloc(1, sizeof *ds);

	(void)arg;
	if (load(t, ds)) {
		free(ds);
		return NULL;
	}
	return ds;
}

static void draw(struct tui *t, void *st, int width, int height, struct frame *f)
{
	struct dash_st *ds = st;

	(void)t;
	dash_frame(&ds->d, width, height, ds->cur, f);
}

static int key(struct tui *t, void *st, int act, int k)
{
	struct dash_st *ds = st;
	size_t n = dash_items(&ds->d);
	struct strbuf expr = STRBUF_INIT;
	char what[128];

	(void)k;
	switch (act) {
	case ACT_UP:
		if (ds->cur > 0)
			ds->cur--;
		return SCR_HANDLED;
	case ACT_DOWN:
		if (ds->cur + 1 < n)
			ds->cur++;
		return SCR_HANDLED;
	case ACT_FIRST:
		ds->cur = 0;
		return SCR_HANDLED;
	case ACT_LAST:
		ds->cur = n ? n - 1 : 0;
		return SCR_HANDLED;
	case ACT_REDRAW:
		ds->force = 1;
		return SCR_IGNORED;          /* the main loop reloads and repaints */
	case ACT_D_OPEN:
		if (dash_filter(&ds->d, ds->cur, &expr, what, sizeof what)) {
			tui_status(t, SLOT_STATUS_INFO, "no incidents behind this line");
			return SCR_HANDLED;
		}
		board_show_filter(t, strbuf_str(&expr), what);
		strbuf_free(&expr);
		return SCR_CLOSE;
	}
	return SCR_IGNORED;
}

/* The database changed (or C-l): what is current now (load()). */
static void reload(struct tui *t, void *st)
{
	load(t, st);
}

static void done(void *st)
{
	struct dash_st *ds = st;

	kpi_snapshot_free(&ds->d);
	free(ds);
}

const struct screen_ops dashboard_screen = {
	.name = "dashboard",
	.ctx = CTX_DASHBOARD,
	.open = open_dash,
	.draw = draw,
	.key = key,
	.reload = reload,
	.click = NULL,
	.done = done,
};
