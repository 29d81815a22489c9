/* test_tui_dashboard.c: the KPI dashboard's layout as text (dashboard.h:
 * no curses), on three incidents of a real sqlite file: the tiles with
 * their weekly sparklines (blocks, or ASCII), the bars by business unit,
 * the late incidents and the maturity criteria the cursor can be on, the
 * board filter behind a line, and scrolling in a short terminal.
 *
 * Now is Wednesday 2024-05-15 12:00 UTC (ISO week 20).
 *   IR-1 web     P1 detected now - 2h, not acknowledged: late (15m)
 *   IR-2 web     P3 detected now - 1h, acknowledged 60 s later
 *   IR-3 finance P3 detected 21 days before (week 17), acknowledged 600 s
 *                later, closed false positive */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers/tmpstore.h"
#include "irk/dashboard.h"
#include "irk/sla.h"
#include "irk/store.h"

#define NOW 1715774400LL

static struct store *s;
static struct kpi_snapshot d;
static struct frame f;
static struct strbuf text = STRBUF_INIT;

static void add(int prio, const char *unit, int64_t detected, int64_t ack, int closed)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	inc.title = "t";
	inc.summary = "";
	inc.priority = prio;
	inc.confidence = 50;
	inc.business_unit = (char *)unit;
	inc.t_detected = inc.t_updated = detected;
	inc.t_acknowledged = ack;
	inc.updated_by = "test";
	if (closed) {
		inc.stage = STAGE_CLOSED;
		inc.resolution = RES_FALSE_POSITIVE;
		inc.t_contained = inc.t_resolved = inc.t_closed = ack;
	}
	cr_assert_eq(store_incident_insert(s, &inc, &err), IRK_OK, "%s", err.msg);
}

static void init(void)
{
	struct irk_err err = { 0 };
	struct sla_policy p;

	setenv("TZ", "UTC", 1);
	tzset();
	s = tmp_store("dash.db");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	add(1, "web", NOW - 7200, 0, 0);
	add(3, "web", NOW - 3600, NOW - 3540, 0);
	add(3, "finance", NOW - 21 * 86400, NOW - 21 * 86400 + 600, 1);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	sla_policy_load(&p, NULL);
	cr_assert_eq(kpi_snapshot_compute(&d, s, NULL, &p, NOW, &err), IRK_OK, "%s", err.msg);
}

static void fini(void)
{
	layout_set_ascii(0);
	kpi_snapshot_free(&d);
	frame_free(&f);
	strbuf_free(&text);
	store_close(&s);
	tmp_cleanup();
}

TestSuite(dashboard, .init = init, .fini = fini);

static const char *draw(int width, int height, size_t cur)
{
	dash_frame(&d, width, height, cur, &f);
	strbuf_reset(&text);
	frame_text(&f, width, height, &text);
	return strbuf_str(&text);
}

#define HAS(s, needle) cr_expect(strstr(s, needle), "no '%s' in:\n%s", needle, s)

Test(dashboard, tiles_and_weekly_sparklines)
{
	const char *t = draw(80, 40, 0);

	HAS(t, "KPIs of the incidents detected since 2024-03-20: 3 (2 open)");
	cr_expect_str_eq(d.week_key[0], "2024-W13");
	cr_expect_str_eq(d.week_key[7], "2024-W20");
	/* MTTA: 600 s in week 17 (the highest: a full block), 60 s in week 20
	 * (the lowest); no value in the other weeks. Median of all: 60 s. */
	HAS(t, "  MTTA                    1m      █  ▁  to acknowledge");
	/* one closed, a false positive, in week 17 only */
	HAS(t, "  False positives     100.0%      ▄     of the closed");
	HAS(t, "SLA: 1 open incident late now");
}

Test(dashboard, ascii_when_asked)
{
	const char *t;

	layout_set_ascii(1);
	t = draw(80, 40, 0);
	HAS(t, "  MTTA                    1m      #  _  to acknowledge");
	cr_expect_null(strstr(t, "█"));
}

Test(dashboard, bars_by_business_unit)
{
	const char *t = draw(80, 40, 0);
	char bar40[4 * 40 + 1] = "", bar20[4 * 20 + 1] = "", want[400];

	for (int i = 0; i < 40; i++)
		strcat(bar40, "█");
	for (int i = 0; i < 20; i++)
		strcat(bar20, "█");
	/* web has the most (2): the whole 40 columns; finance 1: half. SLA:
	 * web's IR-2 acknowledged in time, IR-1 not (the other clocks run);
	 * finance's three clocks met. */
	snprintf(want, sizeof want, "  web              %s       2     50.0%%", bar40);
	HAS(t, want);
	snprintf(want, sizeof want, "  finance          %s%20s       1    100.0%%", bar20, "");
	HAS(t, want);
}

Test(dashboard, items_and_their_filters)
{
	struct strbuf expr = STRBUF_INIT;
	char what[128];

	/* the late incidents, then each criterion not met that names some */
	cr_assert_geq(dash_items(&d), 2);
	cr_assert_eq(dash_filter(&d, 0, &expr, what, sizeof what), 0);
	cr_expect_str_eq(strbuf_str(&expr), "key in ['IR-1']");
	cr_expect_str_eq(what, "open incidents late now");
	strbuf_reset(&expr);
	/* nobody owns the two acknowledged ones */
	cr_assert_eq(dash_filter(&d, 1, &expr, what, sizeof what), 0);
	cr_expect_str_eq(what, "owners");
	cr_expect_str_eq(strbuf_str(&expr), "key in ['IR-2', 'IR-3']");
	cr_expect_eq(dash_filter(&d, dash_items(&d), &expr, what, sizeof what), -1);
	strbuf_free(&expr);
}

Test(dashboard, the_cursor_line_scrolls_into_view)
{
	size_t last = dash_items(&d) - 1;
	const char *t = draw(80, 10, last);
	size_t nspans = 0;

	/* the header stays; the cursor's line is on screen, in the cursor slot */
	HAS(t, "KPIs of the incidents detected since");
	for (size_t i = 0; i < f.n; i++)
		if (f.spans[i].slot == SLOT_CURSOR) {
			nspans++;
			cr_expect_lt(f.spans[i].y, 10);
		}
	cr_expect_eq(nspans, 1);
	t = draw(80, 40, 0);
	HAS(t, "  L2 owners             0.0% >= 90%  2 incidents");
	HAS(t, "  L4 false_positives  100.0% <= 30%  1 incident\n");
}
