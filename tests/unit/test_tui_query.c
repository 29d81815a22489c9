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

static void save(const char *name, const char *text)
{
	struct irk_err err = { 0 };

	cr_assert_eq(query_save(fx.other, name, text, "bob", &err), 0, "%s", err.msg);
}

Test(tui_query, the_board_filter_is_a_saved_query)
{
	fx_board(ROLE_ANALYST);
	/* Three of the twelve are critical: IR-1, IR-6 and IR-10. */
	save("crit", "incidents severity == \"critical\" | table key title");
	assert_screen("IR-5 P2 high");
	fx_keys("/@crit");
	fx_key('\n');
	assert_status("saved query: 3 cards match");
	assert_screen("filter: @crit");
	assert_screen("IR-1 P1");
	assert_screen("IR-10 P1");
	refute_screen("IR-5 P2 high");
	/* Esc clears it like any filter. */
	fx_key(27);
	assert_screen("IR-5 P2 high");
}

Test(tui_query, a_saved_query_without_keys_cannot_filter_the_board)
{
	fx_board(ROLE_ANALYST);
	save("hosts", "alerts | stats count by host");
	save("stages", "incidents | stats count by stage");
	fx_keys("/@hosts");
	fx_key('\n');
	assert_status("@hosts is a query over alerts: only a query over incidents");
	assert_screen("IR-5 P2 high");
	fx_keys("/");
	fx_key(21);     /* ^U: clear the line */
	fx_keys("@stages");
	fx_key('\n');
	assert_status("@stages has no key column");
	fx_keys("/");
	fx_key(21);
	fx_keys("@nosuch");
	fx_key('\n');
	assert_status("nosuch");
	refute_screen("filter:");
}

Test(tui_query, the_input_line_keeps_a_history)
{
	char path[4096];
	FILE *f;
	char buf[512];
	size_t n;

	fx_board(ROLE_ANALYST);
	ask("alerts | stats count by severity");
	assert_screen("severity  count");
	fx_key(27);
	ask("incidents | stats count by stage");
	assert_screen("stage  count");
	fx_key(27);
	/* The newest is offered again, selected; Up goes to the one before. */
	fx_keys("s");
	assert_screen("incidents | stats count by stage");
	fx_key(TUI_KEY_FN | KEY_UP);
	assert_screen("alerts | stats count by severity");
	refute_screen("incidents | stats count by stage");
	fx_key(TUI_KEY_FN | KEY_DOWN);
	assert_screen("incidents | stats count by stage");
	/* Below the newest: the line being typed. */
	fx_key(TUI_KEY_FN | KEY_DOWN);
	refute_screen("incidents | stats count by stage");
	fx_keys("alerts | head 1");
	fx_key(TUI_KEY_FN | KEY_UP);
	fx_key(TUI_KEY_FN | KEY_UP);
	fx_key(TUI_KEY_FN | KEY_DOWN);
	fx_key(TUI_KEY_FN | KEY_DOWN);
	assert_screen("alerts | head 1");
	fx_key(TUI_KEY_FN | KEY_UP);
	fx_key(TUI_KEY_FN | KEY_UP);
	fx_key('\n');
	assert_screen("Query: alerts | stats count by severity");
	/* Kept for the next run, oldest first, each once. */
	snprintf(path, sizeof path, "%s/irk/query_history", getenv("XDG_STATE_HOME"));
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	cr_expect_str_eq(buf, "incidents | stats count by stage\nalerts | stats count by severity\n");
}
