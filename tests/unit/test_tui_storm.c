/* test_tui_storm.c: a storm on the board, headless: its card says STORM,
 * the filter finds storms, and S on the incident screen splits the host
 * under the cursor out into an incident of its own. */
#include "tui_testlib.h"

#include "irk/incident.h"

TestSuite(tui_storm, .fini = fx_fini);

/* Twelve hosts of one rule, threshold 2: IR-13 and IR-14 are plain, and
 * someone claims IR-13; the third host opens the storm IR-15, which folds
 * IR-14 (nobody touched it), and the other nine join it. */
static const struct actor kim = { "kim", ROLE_ANALYST };

static void storm_db(void)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_opts o;
	struct ingest_stats st = { 0 };
	struct irk_err err = { 0 };
	char *path;

	fx_db(ROLE_ANALYST);
	for (int h = 0; h < 12; h++)
		strbuf_printf(&in, "{\"timestamp\":\"2024-05-13T08:%02d:00Z\",\"flow_id\":%d,"
			      "\"event_type\":\"alert\",\"src_ip\":\"10.9.0.%d\",\"dest_ip\":\"203.0.113.9\","
			      "\"alert\":{\"signature_id\":4711,\"signature\":\"Worm spreading\","
			      "\"severity\":1}}\n", h, 9000 + h, h + 1);
	ingest_opts_init(&o);
	o.actor = "ingest";
	o.storm.threshold = 2;
	path = tmp_write("first.jsonl", in.buf, (size_t)(strchr(strchr(in.buf, '\n') + 1, '\n') + 1 - in.buf), 0600);
	cr_assert_eq(ingest_path(fx.other, path, &o, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(st.incidents, 2);
	free(path);
	cr_assert_eq(incident_claim(fx.other, &kim, 13, 0, 0, &err), IRK_OK, "%s", err.msg);
	path = tmp_write("storm.jsonl", in.buf, in.len, 0600);
	memset(&st, 0, sizeof st);
	cr_assert_eq(ingest_path(fx.other, path, &o, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(st.incidents, 1);
	free(path);
	strbuf_free(&in);
}

Test(tui_storm, the_card_says_storm_and_the_filter_finds_it)
{
	storm_db();
	fx_start(100, 40);
	fx_key('/');
	fx_keys("storm");
	fx_key('\n');
	assert_screen(" New (1/14)");
	assert_screen("IR-15 P2 high STORM");
	assert_screen("  11 hosts: Worm spreading");   /* the count first */
	fx_key('/');
	fx_key(21);
	fx_keys("!storm && title ~ 'Worm'");
	fx_key('\n');
	assert_screen(" New (1/14)");   /* the claimed IR-13 */
	refute_screen("STORM");
}

Test(tui_storm, split_the_host_under_the_cursor)
{
	struct incident inc;

	storm_db();
	fx_start(100, 40);
	fx_key('/');
	fx_keys("IR-15");
	fx_key('\n');
	fx_key('\n');
	assert_screen("  storm           yes: one rule's alerts from many hosts (S splits a host out)");
	/* The fifth section, the observables, sorted by type and value: host
	 * 10.9.0.10 first. */
	for (int i = 0; i < 4; i++)
		fx_key('\t');
	assert_screen("Observables (");
	fx_key('j');
	assert_screen("  host      10.9.0.10");
	fx_key('S');
	assert_screen("Split which host out of IR-15?");
	fx_key('\n');
	assert_status("IR-16: 10.9.0.10 split out of IR-15");
	inc = fx_get(16);
	cr_assert_eq(inc.alert_count, 1);
	cr_assert_str_eq(inc.host, "10.9.0.10");
	cr_assert_eq(inc.storm, 0);
	incident_clear(&inc);
	inc = fx_get(15);
	cr_assert_eq(inc.alert_count, 10);
	cr_assert_str_eq(inc.title, "Worm spreading on 10 hosts");
	incident_clear(&inc);
	assert_no_panel();
}

Test(tui_storm, split_is_for_storms)
{
	storm_db();
	fx_start(100, 40);
	fx_key('/');
	fx_keys("IR-13");
	fx_key('\n');
	fx_key('\n');
	fx_key('S');
	assert_status("IR-13 is not a storm incident: only a storm's hosts can be split out");
	assert_no_panel();
}
