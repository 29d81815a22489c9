/* test_tui_query.c: the query screen, driven by keys on a headless board
 * over the board's fixture (tests/fixtures/tui/board.jsonl): s asks for a
 * query, the result is a table, a refused query says where, a timechart
 * is drawn as bars, Enter on a row of an incident opens it, and @NAME runs
 * a saved query. */
#include "tui_testlib.h"
#include "irk/query.h"

TestSuite(tui_query, .fini = fx_fini);

static void ask(const char *q)
{
	fx_keys("s");
	fx_keys(q);
	fx_key('\n');
}

Test(tui_query, a_table_of_the_result)
{
	fx_board(ROLE_ANALYST);
	/* Five of the twelve alerts are medium, three critical. */
	ask("alerts | stats count by severity | sort -count | head 2");
	cr_assert(fx_has("Query: alerts | stats count by severity"), "%s", fx_text());
	cr_expect(fx_has("severity  count"), "%s", fx_text());
	cr_expect(fx_has("medium    5"), "%s", fx_text());
	cr_expect(fx_has("critical  3"), "%s", fx_text());
	cr_expect(fx_has("Saved queries"), "%s", fx_text());
}

Test(tui_query, a_refused_query_says_where)
{
	fx_board(ROLE_ANALYST);
	ask("alerts | stat count");
	cr_expect(fx_has("query:1:10: unknown command 'stat' (did you mean 'stats'?)"), "%s", fx_text());
}

Test(tui_query, a_timechart_as_bars)
{
	fx_board(ROLE_ANALYST);
	ask("alerts | timechart span=1d count");
	cr_expect(fx_has("2024-05-13 00:00"), "%s", fx_text());
	cr_expect(fx_has("12 ####"), "%s", fx_text());
}

Test(tui_query, enter_opens_the_incident_of_the_row)
{
	fx_board(ROLE_ANALYST);
	ask("incidents key == \"IR-2\" | table key title");
	fx_key('\n');
	cr_expect(fx_has("no incident on this line") || strstr(fx_status(), "no incident"),
		  "the header is no incident: %s", fx_text());
	fx_keys("j");
	fx_key('\n');
	cr_expect(fx_has("IR-2") && !fx_has("Query:"), "%s", fx_text());
}

Test(tui_query, a_saved_query_by_name)
{
	struct irk_err err = { 0 };

	fx_board(ROLE_ANALYST);
	cr_assert_eq(query_save(fx.other, "busy", "alerts | stats count by host | sort -count | head 1",
				"bob", &err), 0, "%s", err.msg);
	ask("@busy");
	cr_expect(fx_has("@busy  alerts | stats count by host"), "%s", fx_text());
	cr_expect(fx_has("host "), "%s", fx_text());
}
