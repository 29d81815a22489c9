/* test_tui_paging.c: the board of a large database reads only what it
 * draws. Each column holds a window of its cards (the screen and a margin)
 * and reads the window where the cursor goes; counts come from the
 * database; a change by another process re-reads the window and the
 * cursor stays on its card, even when the card went past the window or
 * to another column. A filter judges the first cards of each column, and
 * says so when the column is longer. */
#include "tui_testlib.h"

TestSuite(tui_paging, .fini = fx_fini);

#define MANY 3000
#define FIX_MANY_MIN 2000      /* more than a filter judges in C */

/* MANY incidents in new (P3, IR-1 the oldest, so the first card) and
 * 700 closed (the last closed the newest), added by the other process
 * in one transaction. */
static void fx_many(void)
{
	struct irk_err err = { 0 };

	fx_db(ROLE_ANALYST);
	cr_assert_eq(store_begin(fx.other, &err), 0);
	for (int i = 0; i < MANY + 700; i++) {
		struct incident inc = { 0 };
		char title[64];
		snprintf(title, sizeof title, "case number %d", i + 1);
		inc.title = title;
		inc.priority = 3;
		inc.severity = SEV_MEDIUM;
		inc.t_detected = FIX_NOW - 86400 * 30 + i;
		if (i >= MANY) {
			inc.stage = STAGE_CLOSED;
			inc.resolution = RES_BENIGN;
			inc.t_closed = FIX_NOW - 86400 + i;
		}
		cr_assert_eq(store_incident_insert(fx.other, &inc, &err), 0, "%s", err.msg);
	}
	cr_assert_eq(store_commit(fx.other, &err), 0);
}

/* The fixture's 12 incidents (IR-1..IR-12, board.jsonl) are new too:
 * its five P1 and P2 come first, its younger P3 and P4 last; ours are
 * IR-13 on ("case number 1"), so case k is at position k + 4. */

Test(tui_paging, the_cursor_goes_past_the_window_and_the_cards_follow)
{
	fx_many();
	fx_start(80, 24);
	assert_screen("New (3012)");
	/* Down 2,000 cards one by one: far past the first window. */
	for (int i = 0; i < 2000; i++)
		fx_key('j');
	assert_screen("  1996-2001 of 3012");
	assert_screen("IR-2008 P3 medium");
	fx_key('\n');
	assert_screen(" IR-2008 · case number 1996");
	fx_key('q');
	fx_key('G');
	assert_screen("  3007-3012 of 3012");
	fx_key('k');
	fx_key('k');
	assert_screen("  3007-3012 of 3012");
	fx_key('g');
	assert_screen("  1-6 of 3012");
	assert_screen("IR-1 P1 critical");
}

Test(tui_paging, pages_and_the_closed_column_newest_first)
{
	fx_many();
	fx_start(80, 24);
	fx_keys("llllll");
	assert_screen("Closed (700)");
	assert_screen("  1-6 of 700, newest first");
	assert_screen("IR-3712 P3 medium");      /* the newest closed */
	for (int i = 0; i < 150; i++)
		fx_key(FN(KEY_NPAGE));
	assert_screen("  695-700 of 700, newest …");
	fx_key('\n');
	assert_screen(" IR-3013 · case number 3001");   /* the oldest closed */
	fx_key('q');
	fx_key(FN(KEY_PPAGE));
	assert_screen("  694-699 of 700, newest …");
}

/* Another process changes the database while the cursor is deep in a
 * column: the board re-reads the window there, the counts follow, and
 * the cursor stays on its card. */
Test(tui_paging, a_change_elsewhere_keeps_the_cursor_on_its_card)
{
	struct irk_err err = { 0 };
	struct incident inc = { 0 };

	fx_many();
	fx_start(80, 24);
	for (int i = 0; i < 1500; i++)
		fx_key('j');
	assert_screen("  1496-1501 of 3012");
	fx_key('\n');
	assert_screen(" IR-1508 · case number 1496");
	fx_key('q');
	/* A new P1 before every card, and one of ours closed. */
	cr_assert_eq(store_begin(fx.other, &err), 0);
	inc.title = "urgent new case";
	inc.priority = 1;
	inc.severity = SEV_CRITICAL;
	inc.t_detected = FIX_NOW;
	cr_assert_eq(store_incident_insert(fx.other, &inc, &err), 0, "%s", err.msg);
	cr_assert_eq(store_commit(fx.other, &err), 0);
	tui_tick(fx.t);
	assert_screen("New (3013)");
	assert_screen("  1497-1502 of 3013");   /* one card more above it */
	fx_key('\n');
	assert_screen(" IR-1508 · case number 1496");
	fx_key('q');
	fx_key('g');
	assert_screen("urgent new case");
}

/* The card under the cursor moved to another column by another process:
 * the cursor goes with it, into that column's window. */
Test(tui_paging, the_cursor_follows_its_card_to_another_column)
{
	struct incident inc;
	struct irk_err err = { 0 };

	fx_many();
	fx_start(80, 24);
	for (int i = 0; i < 1500; i++)
		fx_key('j');
	inc = fx_get(1508);
	inc.stage = STAGE_IDENTIFICATION;
	cr_assert_eq(store_begin(fx.other, &err), 0);
	cr_assert_eq(store_incident_update(fx.other, &inc, "bob", &err), 0, "%s", err.msg);
	cr_assert_eq(store_commit(fx.other, &err), 0);
	incident_clear(&inc);
	tui_tick(fx.t);
	assert_screen("New (3011)");
	assert_screen("Identification (1)");
	fx_key('\n');
	assert_screen(" IR-1508 · case number 1496");
}

/* A filter judges the first cards of each column: a long column says
 * that its count is a floor; a key finds its incident wherever it is. */
Test(tui_paging, a_filter_on_a_long_column_is_bounded_and_says_so)
{
	fx_many();
	fx_start(120, 30);
	fx_key('/');
	fx_keys("case number 2\n");
	assert_status("among the first 2000 of each column");
	assert_screen("New (111+/3012)");
	/* The header counts every open incident past its SLA, filter or not. */
	assert_screen("· 3000 SLA breached │ filter: case number 2");
	assert_screen("  1-8 of 111+");
	fx_key(ESC);
	fx_key('/');
	fx_keys("IR-2999\n");
	assert_screen("New (1/3012)");
	assert_screen("IR-2999 P3 medium");
}

/* My queue, unassigned and a unit are asked of the database: the open
 * columns hold every match, however long, and count them exactly; the
 * closed column is judged among its newest. */
Test(tui_paging, a_queue_filter_counts_every_open_match)
{
	struct incident_filter f = INCIDENT_FILTER_ALL;
	struct irk_err err = { 0 };
	char want[64];
	int64_t n;

	fx_many();
	store_scalar(fx.other, "UPDATE incidents SET owner = 'bob' WHERE id % 4 = 0");
	f.stage = STAGE_NEW;
	f.unassigned = 1;
	n = store_incident_count(fx.other, &f, &err);
	cr_assert_gt(n, FIX_MANY_MIN, "%lld", (long long)n);
	fx_start(120, 30);
	fx_key('u');
	snprintf(want, sizeof want, "New (%lld/3012)", (long long)n);
	assert_screen(want);
	assert_status("only unassigned incidents: ");
	cr_assert_null(strstr(fx_status(), "among the first"), "%s", fx_status());
	fx_key('G');
	snprintf(want, sizeof want, "  %lld-%lld of %lld ", (long long)n - 7, (long long)n,
		 (long long)n);
	assert_screen(want);
	fx_key('\n');
	assert_screen(" IR-");
}
