/* test_tui_step.c: the step screen, headless on a real database. IR-13
 * runs tests/fixtures/tui/plays/tui-steps.json: a manual triage with a
 * checklist and three inputs (verdict: required, with choices; ticket: a
 * pattern; note: free), an approval that needs it, an exec step after the
 * approval, an exec step (scan) the tests fail as the engine would, and a
 * manual step (release) with a required checklist, due when the verdict
 * is legitimate. Every action is checked on the screen and in the
 * database, and every refusal shows the play layer's reason on the status
 * line. */
#include "tui_testlib.h"

#include "irk/audit.h"
#include "irk/incident.h"
#include "irk/play.h"

TestSuite(tui_step, .fini = fx_fini);

#define IR 13                   /* the incident running the play */
#define KEY_STR "IR-13"

/* The board's database, IR-13 with the play, carol a senior. */
static void steps_db(int role)
{
	struct play_catalog cat;
	struct ingest_opts o;
	struct ingest_stats st = { 0 };
	struct irk_err err = { 0 };
	struct incident inc;

	fx_db(role);
	setenv("IRK_PLAYS", "tests/fixtures/tui/plays", 1);
	memset(&cat, 0, sizeof cat);
	cr_assert_eq(play_catalog_load(&cat, fx.c.cfg, &err), 0, "%s", err.msg);
	cr_assert_not_null(play_catalog_find(&cat, "tui-steps"));
	cr_assert_eq(play_catalog_register(fx.other, &cat, &err), 0, "%s", err.msg);
	ingest_opts_init(&o);
	o.actor = "ingest";
	o.on_new_incident = play_on_new_incident;
	o.hook_arg = &cat;
	cr_assert_eq(ingest_path(fx.other, "tests/fixtures/tui/steps.jsonl", &o, &st, &err), 0, "%s",
		     err.msg);
	play_catalog_free(&cat);
	cr_assert_eq(store_begin(fx.other, &err), 0);
	cr_assert_eq(store_user_put(fx.other, "root", "carol", ROLE_SENIOR, &err), 0, "%s", err.msg);
	cr_assert_eq(store_commit(fx.other, &err), 0);
	inc = fx_get(IR);
	cr_assert_str_eq(inc.play, "tui-steps");
	incident_clear(&inc);
}

static void steps_board(int role)
{
	steps_db(role);
	fx_start(100, 40);
}

/* ---- looking at steps ------------------------------------------------------------ */

struct got {
	int64_t id;
	int state, attempts;
	char inputs[256], done_by[64], requested_by[64], reason[256], error[256];
};

static int got_step(const struct step_row *r, void *arg)
{
	struct got *g = arg;

	g->id = r->id;
	g->state = r->state;
	g->attempts = r->attempts;
	irk_strlcpy(g->inputs, r->inputs ? r->inputs : "", sizeof g->inputs);
	irk_strlcpy(g->done_by, r->done_by ? r->done_by : "", sizeof g->done_by);
	irk_strlcpy(g->requested_by, r->requested_by ? r->requested_by : "", sizeof g->requested_by);
	irk_strlcpy(g->reason, r->reason ? r->reason : "", sizeof g->reason);
	irk_strlcpy(g->error, r->error ? r->error : "", sizeof g->error);
	return 0;
}

static struct got step(const char *sid)
{
	struct got g;
	struct irk_err err = { 0 };

	memset(&g, 0, sizeof g);
	g.state = -1;
	cr_assert_eq(store_step_get(fx.other, IR, sid, 0, got_step, &g, &err), 0, "%s", err.msg);
	return g;
}

static char *ticks(const char *sid)
{
	struct strbuf sb = STRBUF_INIT;
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_checks(fx.other, step(sid).id, &sb, &err), 0, "%s", err.msg);
	return strbuf_detach(&sb);
}

static struct actor as(const char *name, int role)
{
	struct actor a;

	memset(&a, 0, sizeof a);
	irk_strlcpy(a.name, name, sizeof a.name);
	a.role = role;
	return a;
}

/* A colleague finishes the triage with a verdict. */
static void triage_done_as(const char *name, const char *verdict)
{
	struct actor a = as(name, ROLE_SENIOR);
	struct irk_err err = { 0 };
	char in[64], *inputs[] = { in };

	snprintf(in, sizeof in, "verdict=%s", verdict);
	cr_assert_eq(play_step_done(fx.other, &a, IR, "triage", inputs, 1, &err), 0, "%s", err.msg);
}

/* A colleague finishes the triage (and so asks for the approval). */
static void triage_done_by(const char *name)
{
	triage_done_as(name, "phish");
}

/* What the engine does when the scan fails: its program printed escape
 * sequences on both outputs. */
static void scan_failed(void)
{
	struct step_row r;
	struct irk_err err = { 0 };

	memset(&r, 0, sizeof r);
	r.id = step("scan").id;
	r.step_id = "scan";
	r.state = STEP_FAILED;
	r.attempts = 1;
	r.t_start = FIX_NOW - 60;
	r.t_end = FIX_NOW - 59;
	r.error = "exit status 3: \x1b]0;pwned\x07 scanner crashed";
	r.output = "{\"stdout\":\"\\u001b[31mRED\\u001b[0m 2 links\\n\"}";
	r.log = "{\"argv\":[\"scan\",\"mx-01\"],\"pid\":42,\"exit\":3,\"ms\":17,"
		"\"stdout\":\"\\u001b[31mRED\\u001b[0m 2 links\\n\","
		"\"stderr\":\"\\u001b]0;pwned\\u0007 scanner crashed\\nline two\\n\"}";
	cr_assert_eq(store_step_update(fx.other, &r, STEP_READY, &err), 0, "%s", err.msg);
}

/* ---- driving the screens -------------------------------------------------------- */

/* IR-13's incident screen, the cursor on the first step line. */
static void open_incident(void)
{
	fx_key('/');
	fx_keys(KEY_STR);
	fx_key('\n');
	fx_key('\n');
	assert_screen(" IR-13 · User reported a phishing mail");
	fx_key('\t');
	fx_key('j');
}

/* Lines the incident screen gives a step (its error and output add one
 * each; the test's lines are short enough not to wrap). */
struct lines {
	int n, want, before;
};

static int count_lines(const struct step_row *r, void *arg)
{
	struct lines *l = arg;

	if (++l->n == l->want)
		return 1;
	l->before += 1 + (r->error && *r->error) + (r->output && *r->output && strcmp(r->output, "{}"));
	return 0;
}

/* Open step number n (1: triage, 2: purge-ok, 3: purge, 4: scan,
 * 5: release). */
static void open_step(int n)
{
	struct lines l = { 0, n, 0 };
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_each(fx.other, IR, count_lines, &l, &err), 0, "%s", err.msg);
	open_incident();
	for (int i = 0; i < l.before; i++)
		fx_key('j');
	fx_key('\n');
}

/* ---- the incident screen ---------------------------------------------------------- */

Test(tui_step, incident_lists_steps_with_state_owner_attempts_and_lease)
{
	struct step_row r;
	struct irk_err err = { 0 };

	steps_db(ROLE_SENIOR);
	triage_done_by("bob");
	/* The engine holds the scan, second attempt; the purge is for carol. */
	memset(&r, 0, sizeof r);
	r.id = step("scan").id;
	r.state = STEP_RUNNING;
	r.attempts = 2;
	r.lease_owner = "jump01:4242:beef/w1";
	r.lease_until = FIX_NOW + 300;
	cr_assert_eq(store_step_update(fx.other, &r, STEP_READY, &err), 0, "%s", err.msg);
	memset(&r, 0, sizeof r);
	r.id = step("purge").id;
	r.assignee = "carol";
	cr_assert_eq(store_step_update(fx.other, &r, STEP_PENDING, &err), 0, "%s", err.msg);
	fx_start(120, 40);
	open_incident();
	assert_screen("Play steps (5)");
	assert_screen("  [done]    triage Triage the reported mail (manual, new, required) · by bob");
	assert_screen("  [waiting] purge-ok Purge the mail from every mailbox (approval, new) · asked by bob");
	assert_screen("  [pending] purge Purge the mail (exec, new) · for carol");
	assert_screen("  [running] scan Scan the mailbox (exec, new) · attempt 2 · held by jump01:4242:beef/w1");
	/* The verdict was phish: the release is not for this one. */
	assert_screen("  [skipped] release Release the mail to its recipients (manual, new)");
}

Test(tui_step, enter_on_a_step_opens_its_screen)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	assert_screen(" IR-13 · step triage: Triage the reported mail");
	assert_screen("  state           waiting for a person");
	assert_screen("  kind            manual, stage New, required");
	/* Its times say their zone, once (issue 12). */
	assert_screen("  time            2024-05-13 08:20 UTC");
	/* The template sees the alert. */
	assert_screen("Instructions");
	assert_screen("  Read the headers of the mail reported from mx-01, not the display name.");
	assert_screen("Checklist (0 of 2 ticked)");
	assert_screen("  [ ] SPF/DKIM/DMARC results read");
	assert_screen("  [ ] Links detonated in the sandbox");
	assert_screen("Inputs (Enter edits or picks; * required)");
	assert_screen("  verdict *");
	assert_screen("  ticket");
	assert_screen("  [ Mark done ]     d  finish the step with the inputs above");
	assert_screen("  [ Skip ]          s  skip it, with a reason");
	/* The status line offers what applies to a manual step only. */
	assert_screen(" ? help  Enter select  Space tick  d done  s skip  q back");
	refute_screen("approve");
	fx_key('q');
	assert_screen(" IR-13 · User reported a phishing mail");
}

/* ---- the checklist ------------------------------------------------------------------- */

Test(tui_step, space_ticks_items_recorded_with_the_name)
{
	char *c;

	steps_board(ROLE_ANALYST);
	open_step(1);
	/* The cursor starts on the first unticked item; Space moves on. */
	fx_key(' ');
	assert_status("ticked: SPF/DKIM/DMARC results read");
	assert_screen("  [x] SPF/DKIM/DMARC results read   · alice 2024-05-13 08:20");
	assert_screen("Checklist (1 of 2 ticked)");
	fx_key(' ');
	assert_screen("  [x] Links detonated in the sandbox   · alice 2024-05-13 08:20");
	c = ticks("triage");
	cr_assert_str_eq(c, "{\"0\":{\"by\":\"alice\",\"at\":1715588400},\"1\":{\"by\":\"alice\",\"at\":1715588400}}");
	free(c);
	/* Back up and untick the second. */
	fx_key(FN(KEY_BTAB));
	fx_key(' ');
	assert_status("unticked: Links detonated in the sandbox");
	assert_screen("  [ ] Links detonated in the sandbox");
	c = ticks("triage");
	cr_assert_str_eq(c, "{\"0\":{\"by\":\"alice\",\"at\":1715588400}}");
	free(c);
	/* The incident's timeline tells it. */
	fx_key('q');
	fx_key('G');
	assert_screen("alice ticked triage: SPF/DKIM/DMARC results read");
	assert_screen("alice unticked triage: Links detonated in the sandbox");
}

Test(tui_step, space_elsewhere_pages_and_enter_ticks_too)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_key('\n');
	assert_screen("  [x] SPF/DKIM/DMARC results read");
	/* On a line that is not an item, Space is what it is everywhere. */
	fx_key('g');
	fx_key(' ');
	refute_screen("ticked");
	cr_assert_str_eq(fx_status(), "");
}

Test(tui_step, tick_refused_once_a_colleague_finished_the_step)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	/* bob finishes the triage from his terminal; alice has not seen it yet. */
	triage_done_by("bob");
	fx_key(' ');
	assert_status("step triage is done by bob: its checklist can no longer change");
	/* The refusal brought the fresh state. */
	assert_screen("  state           done by bob, 2024-05-13 08:20");
	assert_screen("Recorded inputs");
	assert_screen("  verdict         phish");
	char *c = ticks("triage");
	cr_assert_str_eq(c, "{}");
	free(c);
}

/* ---- inputs and done ---------------------------------------------------------------- */

/* d asked about the checklist and then refused for a missing input
 * (issue 12: ask only what can be done): it asks for the required input
 * first, and goes on to done with its value. */
Test(tui_step, done_asks_for_the_required_input_first)
{
	struct got g;

	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_keys("  ");
	fx_key('d');
	assert_screen(" verdict (required): phish, spam or legitimate ");
	assert_screen("> phish");
	/* Esc: nothing done, and the cursor is on the missing field. */
	fx_key(ESC);
	assert_no_panel();
	assert_status("not marked done: input verdict is empty");
	cr_assert_eq(step("triage").state, STEP_WAITING);
	fx_key('\n');
	assert_screen(" verdict (required): phish, spam or legitimate ");
	fx_key(ESC);
	/* Picked from d's question, the step is done at once. */
	fx_key('d');
	fx_key('j');
	fx_key('\n');
	assert_no_panel();
	assert_status("triage of IR-13 is done");
	g = step("triage");
	cr_assert_eq(g.state, STEP_DONE);
	cr_assert_str_eq(g.inputs, "{\"verdict\":\"spam\"}");
}

Test(tui_step, inputs_typed_then_done_with_the_button)
{
	struct got g;

	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_keys("  ");
	/* After the checklist, the cursor is on the first field: a menu. */
	fx_key('\n');
	fx_key('1');
	assert_screen("  verdict *       phish");
	fx_key('\n');
	fx_keys("CHG-1");
	fx_key('\n');
	assert_screen("  ticket          CHG-1");
	/* A free input takes any text. */
	fx_key('\n');
	assert_screen("note");
	fx_keys("from a look-alike of Müller GmbH");
	fx_key('\n');
	assert_screen("  note            from a look-alike of Müller GmbH");
	/* The cursor stays on the last input: a second Enter edits it again
	 * instead of finishing the step (found by a senior's trial); d, or
	 * Enter on the button, is done. */
	fx_key('\n');
	assert_screen(" note ");
	cr_assert_eq(step("triage").state, STEP_WAITING, "a second Enter finished the step");
	fx_key(ESC);
	assert_screen("  note            from a look-alike of Müller GmbH");
	fx_key('d');
	assert_status("triage of IR-13 is done");
	g = step("triage");
	cr_assert_eq(g.state, STEP_DONE);
	cr_assert_str_eq(g.done_by, "alice");
	cr_assert_str_eq(g.inputs, "{\"verdict\":\"phish\",\"ticket\":\"CHG-1\","
			 "\"note\":\"from a look-alike of Müller GmbH\"}");
	assert_screen("  state           done by alice, 2024-05-13 08:20");
	assert_screen("Recorded inputs");
	assert_screen("  ticket          CHG-1");
	assert_screen("  nothing to do here");
	/* What follows is due: the approval waits, asked by alice. */
	g = step("purge-ok");
	cr_assert_eq(g.state, STEP_WAITING);
	cr_assert_str_eq(g.requested_by, "alice");
	fx_key('q');
	assert_screen("  [waiting] purge-ok Purge the mail from every mailbox (approval, new) · asked by alice");
}

Test(tui_step, done_asks_when_items_are_not_ticked)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_key(FN(KEY_DOWN));
	fx_key(' ');
	assert_screen("Checklist (1 of 2 ticked)");
	fx_key('\n');
	fx_key('2');
	fx_key('d');
	assert_screen("1 of 2 checklist items not ticked");
	/* The first choice goes back. */
	fx_key('\n');
	assert_status("not marked done");
	cr_assert_eq(step("triage").state, STEP_WAITING);
	fx_key('d');
	fx_key('2');
	assert_status("triage of IR-13 is done");
	cr_assert_str_eq(step("triage").inputs, "{\"verdict\":\"spam\"}");
	assert_no_panel();
}

Test(tui_step, typed_inputs_survive_a_reload)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_keys("  ");
	fx_key('\n');
	fx_key('1');
	/* carol unticks an item from her terminal: the screen follows it
	 * without a key, and what alice typed stays. */
	struct irk_err err = { 0 };
	cr_assert_eq(store_step_check(fx.other, "carol", step("triage").id, 1, 0, &err), 0, "%s", err.msg);
	tui_tick(fx.t);
	assert_screen("  [ ] Links detonated in the sandbox");
	assert_screen("  verdict *       phish");
}

/* ---- inputs with choices or a pattern ------------------------------------------------------- */

Test(tui_step, choices_and_patterns_are_shown_on_their_fields)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	assert_screen("  verdict *\n                  phish, spam or legitimate  [phish | spam | legitimate]\n");
	assert_screen("  ticket\n                  the change ticket  pattern CHG-[0-9]+\n");
	/* A free input has nothing under it. */
	assert_screen("  note\nActions\n");
}

Test(tui_step, enter_on_an_input_with_choices_picks_from_a_menu)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_keys("  ");
	fx_key('\n');
	assert_screen(" verdict (required): phish, spam or legitimate ");
	assert_screen("> phish");
	assert_screen("  spam");
	assert_screen("  legitimate");
	/* A required input cannot be emptied from its menu. */
	refute_screen("leave it empty");
	fx_key(FN(KEY_DOWN));
	fx_key('\n');
	assert_no_panel();
	assert_screen("  verdict *       spam\n");
	/* On to the next field, which takes free text. */
	fx_key('\n');
	assert_screen("ticket: the change ticket; pattern CHG-[0-9]+");
	fx_key(ESC);
	/* Back on the verdict, its menu starts on what it holds. */
	fx_key(FN(KEY_BTAB));
	fx_key('\n');
	assert_screen("> spam");
	fx_key(ESC);
	assert_screen("  verdict *       spam\n");
	assert_no_panel();
}

/* Keys, each with the line it must leave on the screen. */
struct press {
	int key;
	const char *shows;
};

static void presses(const struct press *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fx_key(p[i].key);
		assert_screen(p[i].shows);
	}
}

Test(tui_step, left_and_right_cycle_the_choices)
{
	/* Round the end both ways; a required input is never emptied. */
	static const struct press cycle[] = {
		{ FN(KEY_RIGHT), "  verdict *       spam\n" },
		{ FN(KEY_LEFT), "  verdict *       phish\n" },
		{ FN(KEY_LEFT), "  verdict *       legitimate\n" },
		{ 'l', "  verdict *       phish\n" },
		{ 'h', "  verdict *       legitimate\n" },
	};

	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_keys("  ");
	fx_key(FN(KEY_RIGHT));
	assert_screen("  verdict *       phish\n");
	/* On an input with choices, the status line tells the key. */
	assert_screen(" ? help  Enter select  Space tick  d done  s skip  Right next-choice  q back");
	presses(cycle, sizeof cycle / sizeof cycle[0]);
	/* The cursor stayed on the field; elsewhere the key says where it works. */
	fx_key('\t');
	refute_screen("next-choice");
	fx_key(FN(KEY_RIGHT));
	assert_status("Right picks a choice on an input that has choices: put the cursor on one");
	fx_key('d');
	assert_status("triage of IR-13 is done");
	cr_assert_str_eq(step("triage").inputs, "{\"verdict\":\"legitimate\"}");
	/* What the play does with it: the release is due. */
	cr_assert_eq(step("release").state, STEP_WAITING);
	/* The help screen has both keys. */
	fx_key('?');
	assert_screen("On an input with choices: the next choice");
	assert_screen("On an input with choices: the previous choice");
}

Test(tui_step, an_optional_input_with_choices_can_be_emptied)
{
	/* Empty sits between the last choice and the first. */
	static const struct press cycle[] = {
		{ FN(KEY_LEFT), "  told_by         in person\n" },
		{ FN(KEY_RIGHT), "  told_by\n" },
		{ FN(KEY_RIGHT), "  told_by         phone\n" },
	};

	steps_db(ROLE_ANALYST);
	triage_done_as("bob", "legitimate");
	fx_start(100, 40);
	open_step(5);
	assert_screen(" IR-13 · step release: Release the mail to its recipients");
	assert_screen("  told_by\n                  [phone | mail | in person]\n");
	fx_keys("  ");
	presses(cycle, sizeof cycle / sizeof cycle[0]);
	/* Its menu offers to leave it empty. */
	fx_key('\n');
	assert_screen("> phone");
	assert_screen("  (leave it empty)");
	fx_key('4');
	assert_screen("  told_by\n");
	fx_key('d');
	assert_status("release of IR-13 is done");
	cr_assert_str_eq(step("release").inputs, "{}");
}

#define BAD_TICKET "input ticket is 'CHG7'; it must match CHG-[0-9]+ (the change ticket)"

/* The triage's checklist ticked, phish picked, and a ticket typed. */
static void ticket_typed(const char *value)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_keys("  ");
	fx_key('\n');
	fx_key('1');
	fx_key('\n');
	fx_keys(value);
	fx_key('\n');
}

Test(tui_step, a_value_against_the_pattern_is_marked_bad_at_once)
{
	ticket_typed("CHG7");
	/* play_input_check's words; the field shows it is bad. */
	cr_assert_str_eq(fx_status(), BAD_TICKET);
	assert_screen("  ticket          CHG7   ✗ does not match the pattern\n");
	/* The cursor stayed on it, and Enter brings the value back to fix. */
	fx_key('\n');
	assert_screen("ticket: the change ticket; pattern CHG-[0-9]+");
	fx_key('\n');
	cr_assert_str_eq(fx_status(), BAD_TICKET);
	fx_key('\n');
	fx_key(21);             /* C-u: clear the line */
	fx_keys("CHG-7");
	fx_key('\n');
	assert_screen("  ticket          CHG-7\n");
	refute_screen("✗");
	/* On to the next field. */
	fx_key('\n');
	assert_screen("│ note");
	fx_key(ESC);
}

Test(tui_step, done_with_a_bad_value_is_stopped_before_the_play)
{
	ticket_typed("CHG7");
	/* Down to the button, and done. */
	fx_key('\t');
	fx_key('\t');
	fx_key('\n');
	/* The screen's check, not the play's refusal ("step triage: ..."). */
	cr_assert_str_eq(fx_status(), BAD_TICKET);
	assert_no_panel();
	cr_assert_eq(step("triage").state, STEP_WAITING);
	cr_assert_str_eq(step("triage").inputs, "");
	/* The cursor is back on the field. */
	fx_key('\n');
	assert_screen("ticket: the change ticket; pattern CHG-[0-9]+");
	fx_key(21);
	fx_keys("CHG-7");
	fx_key('\n');
	fx_key('d');
	assert_status("triage of IR-13 is done");
	cr_assert_str_eq(step("triage").inputs, "{\"verdict\":\"phish\",\"ticket\":\"CHG-7\"}");
}

/* ---- a checklist the play requires ---------------------------------------------------------- */

Test(tui_step, done_button_says_every_item_must_be_ticked)
{
	steps_db(ROLE_ANALYST);
	triage_done_as("bob", "legitimate");
	fx_start(100, 40);
	open_step(5);
	assert_screen("  [ Mark done ]     d  every checklist item must be ticked first (0 of 2 are)");
	fx_key(' ');
	assert_screen("  [ Mark done ]     d  every checklist item must be ticked first (1 of 2 are)");
	/* No "mark it done anyway": the play's refusal, as it is. */
	fx_key('d');
	assert_no_panel();
	cr_assert_str_eq(fx_status(), "step release needs its whole checklist ticked; 1 of 2 items is not: "
			 "2. Mail released from quarantine (Space on an item ticks it)");
	cr_assert_eq(step("release").state, STEP_WAITING);
	/* The cursor is on the item left: Space ticks it. */
	fx_key(' ');
	assert_screen("Checklist (2 of 2 ticked)");
	fx_key('d');
	assert_status("release of IR-13 is done");
	cr_assert_eq(step("release").state, STEP_DONE);
}

Test(tui_step, leaving_with_typed_inputs_asks_first)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	/* Nothing typed: q leaves at once. */
	fx_key('q');
	assert_screen(" IR-13 · User reported a phishing mail");
	fx_key('\n');
	fx_keys("  ");
	fx_key('\n');
	fx_key('1');
	fx_key('q');
	assert_status("the inputs you typed are not saved until the step is done (d): press it again to "
		      "leave without them");
	assert_screen(" IR-13 · step triage");
	/* Another key in between: asked again. */
	fx_key('j');
	fx_key(ESC);
	assert_screen(" IR-13 · step triage");
	fx_key(ESC);
	assert_screen(" IR-13 · User reported a phishing mail");
	fx_key('\n');
	refute_screen("  verdict *       phish");
	assert_screen("  verdict *\n");
	/* The ticks were kept: they are stored at once. */
	assert_screen("Checklist (2 of 2 ticked)");
}

Test(tui_step, inputs_of_a_finished_step_cannot_be_edited)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	triage_done_by("bob");
	tui_tick(fx.t);
	fx_key('d');
	assert_status("step triage of IR-13 is already done by bob");
}

/* ---- approvals ------------------------------------------------------------------------ */

Test(tui_step, approval_refused_to_the_person_who_asked)
{
	steps_board(ROLE_SENIOR);
	open_step(1);
	fx_keys("  ");
	fx_key('\n');
	fx_key('1');
	fx_key('d');
	assert_status("triage of IR-13 is done");
	fx_key('q');
	fx_key('j');
	fx_key('j');
	fx_key('\n');
	assert_screen(" IR-13 · step purge-ok: Purge the mail from every mailbox");
	assert_screen("  state           waiting for a senior to approve it (asked by alice, you)");
	assert_screen("  [ Approve ]       a  grant it");
	assert_screen("  [ Deny ]          D  refuse it, with a reason");
	assert_screen(" ? help  Enter select  a approve  D deny  s skip  q back");
	fx_key('a');
	assert_status("you asked for approval purge-ok yourself; another senior must grant it");
	cr_assert_eq(step("purge-ok").state, STEP_WAITING);
}

Test(tui_step, approval_refused_without_the_role)
{
	steps_db(ROLE_ANALYST);
	triage_done_by("carol");
	fx_start(100, 40);
	open_step(2);
	assert_screen("  state           waiting for a senior to approve it (asked by carol)");
	fx_key('a');
	assert_status("only a senior or admin can grant purge-ok (you are an analyst)");
	cr_assert_eq(step("purge-ok").state, STEP_WAITING);
}

Test(tui_step, approval_granted_by_a_second_senior)
{
	struct got g;

	steps_db(ROLE_SENIOR);
	triage_done_by("carol");
	fx_start(100, 40);
	open_step(2);
	fx_key('a');
	assert_status("purge-ok of IR-13 approved");
	g = step("purge-ok");
	cr_assert_eq(g.state, STEP_DONE);
	cr_assert_str_eq(g.done_by, "alice");
	assert_screen("  state           done by alice, 2024-05-13 08:20 (asked by carol)");
	/* The purge is due now (the engine would run it). */
	cr_assert_eq(step("purge").state, STEP_READY);
	/* Approving it again is refused, with the play's words. */
	fx_key('a');
	assert_status("approval purge-ok of IR-13 is already done by alice");
}

Test(tui_step, deny_asks_why_and_skips_what_needs_it)
{
	struct got g;

	steps_db(ROLE_SENIOR);
	triage_done_by("carol");
	fx_start(100, 40);
	open_step(2);
	fx_key('D');
	assert_screen("Deny purge-ok of IR-13: why?");
	/* No reason, no denial. */
	fx_key('\n');
	assert_status("denying needs a reason: purge-ok is as it was");
	cr_assert_eq(step("purge-ok").state, STEP_WAITING);
	/* Escape cancels. */
	fx_key('D');
	fx_keys("x");
	fx_key(ESC);
	assert_status("cancelled: purge-ok is as it was");
	fx_key('D');
	fx_keys("only one mailbox got it; deleted by hand");
	fx_key('\n');
	assert_status("purge-ok of IR-13 denied");
	g = step("purge-ok");
	cr_assert_eq(g.state, STEP_FAILED);
	cr_assert_str_eq(g.reason, "only one mailbox got it; deleted by hand");
	cr_assert_str_eq(step("purge").reason, "needs purge-ok, which was denied");
	assert_screen("  state           failed by alice, 2024-05-13 08:20 (asked by carol)");
	assert_screen("  reason          only one mailbox got it; deleted by hand");
	/* The incident screen tells who denied it and why, and what it skipped. */
	fx_key('q');
	assert_screen("  [failed]  purge-ok Purge the mail from every mailbox (approval, new) · by alice · only one");
	assert_screen("  [skipped] purge Purge the mail (exec, new) · needs purge-ok, which was denied");
	fx_key('\n');
	/* A denied approval can be asked again. */
	assert_screen("  [ Ask again ]     r  ask for the approval again");
	fx_key('r');
	fx_key('\n');
	assert_status("purge-ok of IR-13 is asked again");
	cr_assert_eq(step("purge-ok").state, STEP_WAITING);
	cr_assert_str_eq(step("purge-ok").requested_by, "alice");
	assert_no_panel();
}

Test(tui_step, approve_on_a_manual_step_is_refused)
{
	steps_board(ROLE_SENIOR);
	open_step(1);
	fx_key('a');
	/* The play's words (they name no command), and the key to press. */
	cr_assert_str_eq(fx_status(), "step triage is a manual step, not an approval (d: done)");
	/* Deny is refused before it asks why (issue 12: ask only what can
	 * be done). */
	fx_key('D');
	refute_screen("why?");
	assert_status("step triage is a manual step, not an approval (d: done)");
	cr_assert_eq(step("triage").state, STEP_WAITING);
}

/* Done on an approval: the keys that decide it, as bound now. */
Test(tui_step, done_on_an_approval_names_the_keys_that_decide_it)
{
	struct irk_err err = { 0 };

	steps_db(ROLE_SENIOR);
	cr_assert_eq(config_set(fx.c.cfg, "keys.step-approve", "A", &err), 0, "%s", err.msg);
	triage_done_by("carol");
	fx_start(100, 40);
	open_step(2);
	fx_key('d');
	cr_assert_str_eq(fx_status(), "step purge-ok is an approval: it is granted or denied, not done "
			 "(A: approve, D: deny)");
	cr_assert_eq(step("purge-ok").state, STEP_WAITING);
}

/* ---- automated steps: output, retry, skip --------------------------------------------- */

Test(tui_step, output_is_shown_sanitized)
{
	const char *s;

	steps_board(ROLE_ANALYST);
	scan_failed();
	tui_tick(fx.t);
	open_step(4);
	assert_screen(" IR-13 · step scan: Scan the mailbox");
	assert_screen("  state           failed, 2024-05-13 08:19");
	assert_screen("  attempts        1");
	assert_screen("  error           exit status 3: \\x1b]0;pwned\\x07 scanner crashed");
	assert_screen("  [ Done by hand ]  d  it was done outside irk");
	assert_screen("  [ Retry ]         r  run it again now");
	assert_screen("  exit: 3 after 17 ms");
	assert_screen("  stdout: \\x1b[31mRED\\x1b[0m 2 links");
	assert_screen("  stderr: \\x1b]0;pwned\\x07 scanner crashed ...");
	fx_key('o');
	assert_screen(" IR-13 step scan: output");
	assert_screen("   exit status 3: \\x1b]0;pwned\\x07 scanner crashed");
	assert_screen("   pid: 42");
	assert_screen(" stderr");
	assert_screen(" \\x1b]0;pwned\\x07 scanner crashed");
	assert_screen(" line two");
	/* Not one escape byte reached the terminal. */
	s = fx_text();
	cr_assert_null(strchr(s, 0x1b), "an escape reached the screen:\n%s", s);
	cr_assert_null(strchr(s, 0x07), "a bell reached the screen:\n%s", s);
	fx_key('q');
	/* Enter on the output lines shows it too. */
	fx_key('G');
	fx_key('\n');
	assert_screen(" IR-13 step scan: output");
}

Test(tui_step, retry_a_failed_step)
{
	struct got g;

	steps_board(ROLE_ANALYST);
	scan_failed();
	tui_tick(fx.t);
	open_step(4);
	fx_key('r');
	assert_screen("Retry scan of IR-13 now. Why (may stay empty)?");
	fx_key('\n');
	assert_status("scan of IR-13 will run again");
	g = step("scan");
	cr_assert_eq(g.state, STEP_READY);
	cr_assert_str_eq(g.error, "");
	assert_screen("  state           ready: the sequencer runs it next");
	/* A step that is not failed or waiting cannot be retried: said at
	 * once, before any prompt. */
	fx_key('r');
	refute_screen("Why (may stay empty)?");
	assert_status("step scan of IR-13 is ready; only a failed or waiting step can be retried");
}

Test(tui_step, retry_refused_for_a_manual_step)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_key('r');
	cr_assert_str_eq(fx_status(), "step triage is done by a person: there is nothing to retry (d: done)");
}

Test(tui_step, skip_a_failed_step_with_a_reason)
{
	struct got g;

	steps_board(ROLE_ANALYST);
	scan_failed();
	tui_tick(fx.t);
	open_step(4);
	fx_key('s');
	assert_screen("Skip scan of IR-13: why?");
	fx_key('\n');
	assert_status("skipping needs a reason: scan is as it was");
	fx_key('s');
	fx_keys("scanner broken; links checked by hand");
	fx_key('\n');
	assert_status("scan of IR-13 skipped");
	g = step("scan");
	cr_assert_eq(g.state, STEP_SKIPPED);
	cr_assert_str_eq(g.done_by, "alice");
	cr_assert_str_eq(g.reason, "scanner broken; links checked by hand");
	assert_screen("  state           skipped by alice, 2024-05-13 08:20");
	assert_screen("  reason          scanner broken; links checked by hand");
}

Test(tui_step, skipping_a_required_step_needs_a_senior)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	/* Refused before the reason is asked (it asked, then refused). */
	fx_key('s');
	refute_screen("why?");
	assert_status("step triage is required: only a senior or admin can skip it");
	cr_assert_eq(step("triage").state, STEP_WAITING);
}

Test(tui_step, a_senior_skips_a_required_step)
{
	steps_board(ROLE_SENIOR);
	open_step(1);
	fx_key('s');
	fx_keys("reported twice; IR-12 has it");
	fx_key('\n');
	assert_status("triage of IR-13 skipped");
	cr_assert_eq(step("triage").state, STEP_SKIPPED);
	/* The approval that needed it is skipped too. */
	cr_assert_eq(step("purge-ok").state, STEP_SKIPPED);
}

Test(tui_step, done_by_hand_for_a_failed_step)
{
	steps_board(ROLE_ANALYST);
	scan_failed();
	tui_tick(fx.t);
	open_step(4);
	fx_key('d');
	assert_status("scan of IR-13 is done");
	cr_assert_eq(step("scan").state, STEP_DONE);
	assert_screen("  state           done by alice");
}

/* ---- live updates, keys ---------------------------------------------------------------- */

Test(tui_step, the_screen_follows_the_engine_without_a_key)
{
	struct step_row r;
	struct irk_err err = { 0 };

	steps_board(ROLE_ANALYST);
	open_step(4);
	assert_screen("  state           ready: the sequencer runs it next");
	memset(&r, 0, sizeof r);
	r.id = step("scan").id;
	r.state = STEP_RUNNING;
	r.attempts = 1;
	r.lease_owner = "jump01:77:cafe/w0";
	r.lease_until = FIX_NOW + 90;
	r.t_start = FIX_NOW;
	cr_assert_eq(store_step_update(fx.other, &r, STEP_READY, &err), 0, "%s", err.msg);
	tui_tick(fx.t);
	assert_screen("  state           running, held by jump01:77:cafe/w0 until 2024-05-13 08:21");
	/* A running step can still be skipped (its result is then dropped). */
	assert_screen("  [ Skip ]          s  skip it, with a reason");
	assert_screen(" ? help  Enter select  s skip  q back");
}

Test(tui_step, step_keys_are_rebindable_and_on_the_help_screen)
{
	static const char conf[] = "[keys]\nstep-done = F5\nstep-tick = x\n";
	char *path = tmp_write("irk.conf", conf, sizeof conf - 1, 0600);
	struct irk_err err = { 0 };

	steps_db(ROLE_ANALYST);
	cr_assert_eq(config_load(fx.c.cfg, path, 0, &err), 0, "%s", err.msg);
	free(path);
	fx_start(100, 40);
	open_step(1);
	fx_key('x');
	assert_screen("  [x] SPF/DKIM/DMARC results read");
	assert_screen("  [ Mark done ]     F5  finish the step with the inputs above");
	fx_key('?');
	assert_screen("Step");
	assert_screen("  F5                  Mark the step done, with the inputs filled in (required ones must be)");
	assert_screen("  a                   Grant the approval (its role; not the person who asked for it)");
	fx_key('q');
	/* d is free now; F5 does it. */
	fx_key('d');
	assert_status("d does nothing here");
	fx_key(FN(KEY_F(5)));
	assert_screen(" verdict (required): phish, spam or legitimate ");
	fx_key(ESC);
}

Test(tui_step, tab_jumps_between_items_inputs_and_buttons)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_key('\t');
	fx_key('\t');
	fx_key('\n');
	assert_screen("verdict (required): phish, spam or legitimate");
	fx_key(ESC);
	/* ticket, note, done, skip */
	for (int i = 0; i < 4; i++)
		fx_key('\t');
	fx_key('\n');
	/* An analyst's skip of a required step is refused before it asks. */
	assert_status("step triage is required: only a senior or admin can skip it");
}

Test(tui_step, a_tiny_terminal_does_not_break_it)
{
	steps_board(ROLE_ANALYST);
	scan_failed();
	tui_tick(fx.t);
	open_step(4);
	tui_resize(fx.t, 20, 6);
	fx_text();
	tui_resize(fx.t, 80, 24);
	assert_screen(" IR-13 · step scan: Scan the mailbox");
}

/* The timeline tells the play's assignment in words, not its JSON (found
 * by a new-user trial: "root play.assign {"play":...,"hash":...}"). */
Test(tui_step, the_timeline_says_which_play_was_assigned)
{
	int found = 0;

	steps_board(ROLE_ANALYST);
	open_incident();
	for (int i = 0; i < 12 && !found; i++) {
		found = fx_has("ingest assigned play tui-steps");
		fx_key(FN(KEY_NPAGE));
	}
	cr_assert(found, "no assignment in words:\n%s", strbuf_str(&fx.screen));
	cr_assert(!fx_has("play.assign"), "%s", strbuf_str(&fx.screen));
}

/* Enter on the rule under an input edits that input (found by a new-user
 * trial: Down stopped there and Enter only said where Enter works). */
Test(tui_step, enter_on_the_rule_under_an_input_edits_it)
{
	steps_board(ROLE_ANALYST);
	open_step(1);
	fx_keys("  ");
	fx_key('d');              /* asks for the missing verdict */
	fx_key(ESC);              /* the cursor stays on it */
	fx_key('j');              /* the line under it: its choices */
	fx_key('\n');
	assert_screen(" verdict (required): phish, spam or legitimate ");
	fx_key(ESC);
	assert_no_panel();
}

/* A pending step says what it waits for, by name (found by a senior's
 * trial: "due when the incident is in Containment" while it was). */
Test(tui_step, a_pending_step_names_what_it_waits_for)
{
	steps_board(ROLE_ANALYST);
	open_step(3);
	assert_screen("  state           pending: waits for purge-ok (pending)");
}

/* ---- fewer keys (issue 12) -------------------------------------------------------- */

/* Reaching a step took Tab and a Down for every wrapped output line: w
 * goes to the next step waiting for a person, J and K from step to step,
 * and a long output is one line, folded behind Enter. */
Test(tui_step, w_j_and_k_go_from_step_to_step_over_folded_output)
{
	struct step_row r;
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;

	steps_db(ROLE_ANALYST);
	/* The scan printed a lot: one line of it on the incident screen. */
	memset(&r, 0, sizeof r);
	r.id = step("scan").id;
	r.state = STEP_FAILED;
	r.attempts = 1;
	r.error = "exit status 3";
	strbuf_puts(&out, "{\"stdout\":\"");
	for (int i = 0; i < 100; i++)
		strbuf_puts(&out, "0123456789");
	strbuf_puts(&out, "\"}");
	r.output = out.buf;
	cr_assert_eq(store_step_update(fx.other, &r, STEP_READY, &err), 0, "%s", err.msg);
	strbuf_free(&out);
	fx_start(100, 40);
	fx_key('/');
	fx_keys(KEY_STR);
	fx_key('\n');
	fx_key('\n');
	assert_screen("            output: {\"stdout\":\"0123456789");
	assert_screen(" \xe2\x80\xa6 Enter: all");
	{
		/* Folded: the line after it is the next step's. */
		const char *m = strstr(fx_text(), " \xe2\x80\xa6 Enter: all"), *nl = m ? strchr(m, '\n') : NULL;
		cr_assert(nl && !strncmp(nl + 1, "  [pending] release", 19), "%s", strbuf_str(&fx.screen));
	}
	/* From the top, w: the triage waits for a person. */
	fx_key('w');
	fx_key('\n');
	assert_screen(" IR-13 · step triage: Triage the reported mail");
	fx_key('q');
	/* J: the next step, past nothing but steps; K: back. */
	fx_key('J');
	fx_key('J');
	fx_key('J');
	fx_key('\n');
	assert_screen(" IR-13 · step scan: Scan the mailbox");
	fx_key('q');
	fx_key('J');
	fx_key('\n');
	assert_screen(" IR-13 · step release:");
	fx_key('q');
	fx_key('J');
	assert_status("the last step");
	fx_key('K');
	fx_key('\n');
	assert_screen(" IR-13 · step scan: Scan the mailbox");
	fx_key('q');
	/* w again: the triage is the only one waiting; it comes round. */
	fx_key('w');
	fx_key('\n');
	assert_screen(" IR-13 · step triage: Triage the reported mail");
}

/* The step done, L on its screen moves the incident on from there: no q
 * first (the junior path, tests/e2e/tui_junior.sh). */
Test(tui_step, l_on_a_step_moves_the_incident_on_from_its_screen)
{
	struct incident inc;

	steps_board(ROLE_ANALYST);
	triage_done_by("bob");
	open_step(1);
	assert_screen(" IR-13 · step triage: Triage the reported mail");
	fx_key('L');
	assert_status("IR-13 moved to Identification");
	assert_screen(" IR-13 · User reported a phishing mail");
	assert_screen("alice moved it New \xe2\x86\x92 Identification");
	inc = fx_get(IR);
	cr_assert_eq(inc.stage, STAGE_IDENTIFICATION);
	incident_clear(&inc);
}
