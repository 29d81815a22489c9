/* test_play_actions.c: what people do to steps, and what they may not:
 * done with inputs, approvals (role, no self-approval), deny, skip, retry.
 * Each action is checked in the database and in the audit log. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/tmpplay.h"
#include "helpers/tmpstore.h"
#include "irk/audit.h"
#include "irk/incident.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"

static struct store *s;

static void init(void)
{
	struct irk_err err = { 0 };

	s = tmp_store("act.db");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "alice", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "bob", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "carol", ROLE_ANALYST, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "root", ROLE_ADMIN, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
}

static void fini(void)
{
	store_close(&s);
	tmp_cleanup();
}

TestSuite(actions, .init = init, .fini = fini);

/* A phishing-like play: a triage form, an approval to purge mail, steps
 * that depend on it, an automated lookup. Everything in stage new so it
 * is due at once. */
static const char play_src[] =
	"{\"play\": \"t\", \"name\": \"T\", \"version\": 1, \"match\": \"rule == 'x'\",\n"
	" \"steps\": [\n"
	"  {\"id\": \"triage\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Triage\",\n"
	"   \"inputs\": [{\"name\": \"ticket\", \"required\": true}, \"recipients\"]},\n"
	"  {\"id\": \"purge\", \"stage\": \"new\", \"kind\": \"approval\", \"title\": \"Purge mail\",\n"
	"   \"role\": \"senior\", \"needs\": [\"triage\"]},\n"
	"  {\"id\": \"do-purge\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Purge\",\n"
	"   \"argv\": [\"/bin/true\"], \"needs\": [\"purge\"]},\n"
	"  {\"id\": \"tell\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": \"owner\",\n"
	"   \"text\": \"purged\", \"needs\": [\"do-purge\"]},\n"
	"  {\"id\": \"lookup\", \"stage\": \"new\", \"kind\": \"http\", \"title\": \"Lookup\",\n"
	"   \"url\": \"https://example.org/\", \"required\": true},\n"
	"  {\"id\": \"lessons\", \"stage\": \"lessons-learned\", \"kind\": \"manual\", \"title\": \"Write up\"}]}\n";

static int64_t incident_from(const char *src, const char *asker)
{
	return tmp_play_incident(s, src, asker, "Phish", 0, "mx-01");
}

static int64_t incident(const char *asker)
{
	return incident_from(play_src, asker);
}

static struct actor who(const char *name)
{
	struct actor a = { "", ROLE_ANALYST };

	irk_strlcpy(a.name, name, sizeof a.name);
	a.role = store_user_role(s, name);
	if (a.role < 0)
		a.role = ROLE_ANALYST;
	return a;
}

struct got {
	int state;
	char inputs[256], output[256], done_by[64], requested_by[64], reason[256];
};

static int got_step(const struct step_row *r, void *arg)
{
	struct got *g = arg;

	g->state = r->state;
	irk_strlcpy(g->inputs, r->inputs ? r->inputs : "", sizeof g->inputs);
	irk_strlcpy(g->output, r->output ? r->output : "", sizeof g->output);
	irk_strlcpy(g->done_by, r->done_by ? r->done_by : "", sizeof g->done_by);
	irk_strlcpy(g->requested_by, r->requested_by ? r->requested_by : "", sizeof g->requested_by);
	irk_strlcpy(g->reason, r->reason ? r->reason : "", sizeof g->reason);
	return 0;
}

static struct got step(int64_t id, const char *sid)
{
	struct got g = { -1, "", "", "", "", "" };
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_get(s, id, sid, 0, got_step, &g, &err), IRK_OK, "%s", err.msg);
	return g;
}

static int got_def(const struct step_row *r, void *arg)
{
	strbuf_puts(arg, r->def ? r->def : "");
	return 0;
}

static const char *state(int64_t id, const char *sid)
{
	return step_state_name(step(id, sid).state);
}

static int64_t events(const char *kind, const char *actor)
{
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE kind = '%s' AND actor = '%s'",
		 kind, actor);
	return store_scalar(s, sql);
}

static int done(int64_t id, const char *by, const char *sid, const char *in1, const char *in2,
		struct irk_err *err)
{
	struct actor a = who(by);
	char *inputs[2] = { (char *)in1, (char *)in2 };

	return play_step_done(s, &a, id, sid, inputs, (in1 != NULL) + (in2 != NULL), err);
}

Test(actions, done_records_inputs_and_who)
{
	struct irk_err err = { 0 };
	int64_t id = incident("alice");

	cr_assert_str_eq(state(id, "triage"), "waiting");
	cr_assert_eq(done(id, "carol", "triage", NULL, NULL, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "step triage needs the input ticket");
	cr_assert_eq(done(id, "carol", "triage", "tiket=CHG-1", NULL, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "step triage has no input 'tiket' (it takes ticket, recipients)");
	cr_assert_eq(done(id, "carol", "triage", "ticket=", NULL, &err), IRK_INVALID,
		     "an empty required input is not given");
	cr_assert_str_eq(state(id, "triage"), "waiting", "refusals change nothing");
	cr_assert_eq(done(id, "carol", "triage", "ticket=CHG-1", "recipients=42", &err), IRK_OK,
		     "%s", err.msg);
	struct got g = step(id, "triage");
	cr_assert_eq(g.state, STEP_DONE);
	cr_assert_str_eq(g.done_by, "carol");
	cr_assert_str_eq(g.inputs, "{\"ticket\":\"CHG-1\",\"recipients\":\"42\"}");
	cr_assert_str_eq(g.output, g.inputs, "later steps read steps.triage.output.ticket");
	cr_assert_eq(events("step.done", "carol"), 1);
	/* and the approval that needed it is now asked, by carol */
	cr_assert_str_eq(state(id, "purge"), "waiting");
	cr_assert_str_eq(step(id, "purge").requested_by, "carol");
	cr_assert_eq(done(id, "carol", "triage", "ticket=CHG-2", NULL, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "step triage of IR-1 is already done by carol");
}

Test(actions, done_refuses_what_is_not_a_persons_to_finish)
{
	struct irk_err err = { 0 };
	int64_t id = incident("alice");

	cr_assert_eq(done(id, "carol", "lessons", NULL, NULL, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "is not due yet"), "%s", err.msg);
	cr_assert_eq(done(id, "carol", "ghost", NULL, NULL, &err), IRK_NOTFOUND);
	cr_assert_str_eq(err.msg, "IR-1 has no step 'ghost'");
	cr_assert_eq(done(id, "carol", "triage", "ticket=T1", NULL, &err), IRK_OK);
	cr_assert_eq(done(id, "bob", "purge", NULL, NULL, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "is an approval"), "%s", err.msg);
}

Test(actions, self_approval_refused)
{
	struct irk_err err = { 0 };
	struct actor alice = who("alice"), bob = who("bob");
	int64_t id = incident("alice");

	cr_assert_eq(done(id, "alice", "triage", "ticket=T1", NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(step(id, "purge").requested_by, "alice");
	cr_assert_eq(play_step_approve(s, &alice, id, "purge", &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "you asked for approval purge yourself; another senior must grant it");
	cr_assert_str_eq(state(id, "purge"), "waiting");
	cr_assert_eq(play_step_approve(s, &bob, id, "purge", &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(state(id, "purge"), "done");
	cr_assert_str_eq(step(id, "purge").done_by, "bob");
	cr_assert_str_eq(state(id, "do-purge"), "ready", "the step it allowed is due for the engine");
	cr_assert_eq(events("step.done", "bob"), 1);
}

Test(actions, approval_needs_the_role)
{
	struct irk_err err = { 0 };
	struct actor carol = who("carol"), root = who("root");
	int64_t id = incident("alice");

	cr_assert_eq(done(id, "alice", "triage", "ticket=T1", NULL, &err), IRK_OK);
	cr_assert_eq(play_step_approve(s, &carol, id, "purge", &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "only a senior or admin can grant purge (you are an analyst)");
	cr_assert_eq(play_step_approve(s, &root, id, "purge", &err), IRK_OK, "admin counts as senior");
}

Test(actions, deny_skips_dependents_and_retry_asks_again)
{
	struct irk_err err = { 0 };
	struct actor alice = who("alice"), bob = who("bob"), carol = who("carol"), root = who("root");
	int64_t id = incident("alice");

	cr_assert_eq(done(id, "carol", "triage", "ticket=T1", NULL, &err), IRK_OK);
	cr_assert_eq(play_step_deny(s, &bob, id, "purge", "", &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "denying an approval needs a reason");
	cr_assert_eq(play_step_deny(s, &carol, id, "purge", "no", &err), IRK_REFUSED, "role");
	cr_assert_eq(play_step_deny(s, &bob, id, "purge", "only 2 recipients, not worth a purge",
				    &err), IRK_OK, "%s", err.msg);
	struct got g = step(id, "purge");
	cr_assert_eq(g.state, STEP_FAILED);
	cr_assert_str_eq(g.reason, "only 2 recipients, not worth a purge");
	cr_assert_str_eq(state(id, "do-purge"), "skipped");
	cr_assert_str_eq(step(id, "do-purge").reason, "needs purge, which was denied");
	cr_assert_str_eq(state(id, "tell"), "skipped", "and what needs that, in turn");
	cr_assert_str_eq(state(id, "lookup"), "ready", "unrelated steps are untouched");
	cr_assert_eq(events("step.failed", "bob"), 1);
	cr_assert_eq(events("step.skipped", "bob"), 2);

	/* A senior asks again: the approval waits, the skipped steps come
	 * back. (carol, an analyst, could re-ask before: the two-person hole,
	 * see two_person_rule_reaches_over_deny_and_retry.) */
	cr_assert_eq(play_step_retry(s, &alice, id, "purge", "300 recipients after all", &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_str_eq(state(id, "purge"), "waiting");
	cr_assert_str_eq(step(id, "purge").requested_by, "alice");
	cr_assert_str_eq(state(id, "do-purge"), "pending");
	cr_assert_str_eq(state(id, "tell"), "pending");
	cr_assert_eq(play_step_approve(s, &root, id, "purge", &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(state(id, "do-purge"), "ready");
}

/* The hole: a senior denies, anyone asks again with a retry, the same
 * senior grants it ("done by dana (asked by nobody)"). Whoever asked,
 * asked again or denied the same request cannot grant it; only a senior
 * or the approval's role may ask again. */
Test(actions, two_person_rule_reaches_over_deny_and_retry)
{
	struct irk_err err = { 0 };
	struct actor alice = who("alice"), bob = who("bob"), carol = who("carol"),
		     root = who("root"), dana;
	int64_t id = incident("alice");

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "dana", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	dana = who("dana");
	cr_assert_eq(done(id, "carol", "triage", "ticket=T1", NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(step(id, "purge").requested_by, "carol");
	cr_assert_eq(play_step_deny(s, &dana, id, "purge", "not yet", &err), IRK_OK, "%s", err.msg);

	cr_assert_eq(play_step_retry(s, &carol, id, "purge", "please", &err), IRK_REFUSED,
		     "an analyst cannot ask again for a senior's approval");
	cr_assert_str_eq(err.msg, "only a senior or admin can ask for approval purge again "
			 "(you are an analyst)");
	cr_assert_str_eq(state(id, "purge"), "failed");
	cr_assert_eq(play_step_retry(s, &alice, id, "purge", "300 recipients", &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_eq(play_step_approve(s, &dana, id, "purge", &err), IRK_REFUSED,
		     "the one who denied cannot grant it");
	cr_assert_str_eq(err.msg, "you denied approval purge earlier; another senior must grant it");
	cr_assert_eq(play_step_approve(s, &alice, id, "purge", &err), IRK_REFUSED,
		     "nor the one who asked again");
	cr_assert_str_eq(err.msg, "you asked for approval purge yourself; another senior must grant it");

	/* bob denies too; dana asks again: alice (asked before), bob and
	 * dana are all out, the admin grants it. */
	cr_assert_eq(play_step_deny(s, &bob, id, "purge", "still no", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_step_retry(s, &dana, id, "purge", "really", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_step_approve(s, &alice, id, "purge", &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "you asked for approval purge earlier; another senior must grant it");
	cr_assert_eq(play_step_approve(s, &bob, id, "purge", &err), IRK_REFUSED);
	cr_assert_eq(play_step_approve(s, &dana, id, "purge", &err), IRK_REFUSED);
	cr_assert_str_eq(state(id, "purge"), "waiting");
	cr_assert_eq(play_step_approve(s, &root, id, "purge", &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(step(id, "purge").done_by, "root");
}

/* The first asker is out too, after a deny and a retry by someone else. */
Test(actions, the_first_asker_cannot_grant_after_a_retry)
{
	struct irk_err err = { 0 };
	struct actor alice = who("alice"), bob = who("bob"), root = who("root");
	int64_t id = incident("alice");

	cr_assert_eq(done(id, "alice", "triage", "ticket=T1", NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(step(id, "purge").requested_by, "alice");
	cr_assert_eq(play_step_deny(s, &root, id, "purge", "not yet", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_step_retry(s, &bob, id, "purge", NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_step_approve(s, &alice, id, "purge", &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "you asked for approval purge earlier; another senior must grant it");
}

Test(actions, skip_needs_reason_and_seniority_for_required)
{
	struct irk_err err = { 0 };
	struct actor alice = who("alice"), carol = who("carol");
	int64_t id = incident("alice");

	cr_assert_eq(play_step_skip(s, &carol, id, "triage", NULL, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "skipping a step needs a reason");
	cr_assert_eq(play_step_skip(s, &carol, id, "lookup", "service down", &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "step lookup is required: only a senior or admin can skip it");
	cr_assert_eq(play_step_skip(s, &alice, id, "lookup", "service down", &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(step(id, "lookup").done_by, "alice");
	/* skipping a step skips what needs it, even before it was due */
	cr_assert_eq(play_step_skip(s, &carol, id, "triage", "reported as spam, not phishing", &err),
		     IRK_OK, "%s", err.msg);
	cr_assert_str_eq(state(id, "purge"), "skipped");
	cr_assert_str_eq(state(id, "do-purge"), "skipped");
	cr_assert_str_eq(state(id, "tell"), "skipped");
	cr_assert_str_eq(state(id, "lessons"), "pending");
	cr_assert_eq(play_step_skip(s, &carol, id, "triage", "again", &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "was skipped: reported as spam"), "%s", err.msg);
	cr_assert_eq(events("step.skipped", "carol"), 4);
}

/* The engine gave up on an automated step: a person retries it or does
 * it by hand. */
Test(actions, retry_and_done_by_hand_of_failed_steps)
{
	struct irk_err err = { 0 };
	struct actor carol = who("carol");
	int64_t id = incident("alice");
	int64_t row = store_scalar(s, "SELECT id FROM steps WHERE step_id = 'lookup'");
	struct step_row r = { .id = row, .incident_id = id, .step_id = "lookup", .kind = "http",
		.state = STEP_FAILED, .attempts = 3, .error = "HTTP 503 after 3 attempts" };

	cr_assert_eq(play_step_retry(s, &carol, id, "triage", NULL, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "done by a person"), "%s", err.msg);
	cr_assert_eq(play_step_retry(s, &carol, id, "lookup", NULL, &err), IRK_REFUSED,
		     "a ready step is not retried");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(play_step_record(s, PLAY_ENGINE_ACTOR, &r, STEP_READY, "gave up", &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(play_step_retry(s, &carol, id, "lookup", "service is back", &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_str_eq(state(id, "lookup"), "ready");
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM steps WHERE step_id = 'lookup' AND "
				  "error IS NULL AND next_attempt IS NULL"), 1);
	r.state = STEP_FAILED;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(play_step_record(s, PLAY_ENGINE_ACTOR, &r, STEP_READY, "gave up", &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(done(id, "carol", "lookup", "result=looked up by hand", NULL, &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_str_eq(state(id, "lookup"), "done");
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM events WHERE kind = 'step.done' AND "
				  "data LIKE '%done by hand by carol%'"), 1);
}

Test(actions, closed_incident_steps_do_not_change)
{
	struct irk_err err = { 0 };
	struct actor alice = who("alice");
	int64_t id = incident("alice");

	cr_assert_eq(incident_close(s, &alice, id, RES_BENIGN, "simulation", 1, 0, &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_eq(done(id, "alice", "triage", "ticket=T", NULL, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "IR-1 is closed; its steps can no longer change");
}

/* An input with choices takes only those (in any case; recorded as
 * declared), so a `when` comparing it is decided by what the analyst
 * answered; a pattern must match the whole value. */
static const char choices_src[] =
	"{\"play\": \"c\", \"name\": \"C\", \"version\": 1, \"match\": \"rule == 'x'\",\n"
	" \"steps\": [\n"
	"  {\"id\": \"success\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Did a guess succeed?\",\n"
	"   \"inputs\": [{\"name\": \"compromised\", \"label\": \"yes or no\", \"required\": true,\n"
	"                \"choices\": [\"yes\", \"no\"]},\n"
	"               {\"name\": \"ticket\", \"pattern\": \"CHG-[0-9]+\"}]},\n"
	"  {\"id\": \"revoke\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Revoke\",\n"
	"   \"needs\": [\"success\"], \"when\": \"steps.success.inputs.compromised == 'yes'\"}]}\n";

Test(actions, done_refuses_a_value_outside_the_choices)
{
	struct irk_err err = { 0 };
	int64_t id = incident_from(choices_src, "alice");

	cr_assert_eq(done(id, "carol", "success", "compromised=maybe", NULL, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "step success: input compromised is 'maybe'; it must be one of: yes, no");
	cr_assert_str_eq(state(id, "success"), "waiting", "refused: nothing changed");
	cr_assert_str_eq(state(id, "revoke"), "pending", "and nothing was skipped behind it");
	cr_assert_eq(events("step.done", "carol"), 0);
	cr_assert_eq(done(id, "carol", "success", "compromised=YES", NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(step(id, "success").inputs, "{\"compromised\":\"yes\"}",
			 "recorded as declared, so the when compares equal");
	cr_assert_str_eq(state(id, "revoke"), "waiting");
}

Test(actions, done_refuses_a_value_not_matching_the_pattern)
{
	struct irk_err err = { 0 };
	int64_t id = incident_from(choices_src, "alice");

	cr_assert_eq(done(id, "carol", "success", "compromised=no", "ticket=see CHG-12", &err),
		     IRK_INVALID);
	cr_assert_str_eq(err.msg, "step success: input ticket is 'see CHG-12'; it must match CHG-[0-9]+");
	cr_assert_eq(done(id, "carol", "success", "compromised=no", "ticket=CHG-12x", &err),
		     IRK_INVALID, "the whole value must match");
	cr_assert_eq(done(id, "carol", "success", "compromised=no", "ticket=CHG-12", &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_str_eq(step(id, "success").inputs, "{\"compromised\":\"no\",\"ticket\":\"CHG-12\"}");
	cr_assert_str_eq(state(id, "revoke"), "skipped", "the answer no skips it");
}

/* What a front end uses to offer and check the values before done. */
Test(actions, declared_inputs_for_front_ends)
{
	struct play_inputs in;
	struct irk_err err = { 0 };
	const struct play_input *pi;
	const char *canon;
	int64_t id = incident_from(choices_src, "alice");
	int64_t row = store_scalar(s, "SELECT id FROM steps WHERE step_id = 'success'");
	struct strbuf def = STRBUF_INIT;

	(void)id;
	cr_assert_eq(store_step_get(s, 0, NULL, row, got_def, &def, &err), IRK_OK, "%s", err.msg);
	play_inputs_parse(&in, strbuf_str(&def));
	cr_assert_eq(in.n, 2);
	cr_assert_not_null(pi = play_inputs_find(&in, "compromised"));
	cr_assert_str_eq(pi->label, "yes or no");
	cr_assert(pi->required);
	cr_assert_eq(pi->nchoices, 2);
	cr_assert_str_eq(pi->choices[1], "no");
	cr_assert_eq(play_input_check(pi, "No", &canon, &err), IRK_OK);
	cr_assert_str_eq(canon, "no");
	cr_assert_eq(play_input_check(pi, "maybe", &canon, &err), IRK_INVALID);
	cr_assert_eq(play_input_check(pi, "", &canon, &err), IRK_OK, "required is checked at done");
	cr_assert_not_null(pi = play_inputs_find(&in, "ticket"));
	cr_assert_str_eq(pi->pattern, "CHG-[0-9]+");
	cr_assert_eq(play_input_check(pi, "CHG-1", &canon, &err), IRK_OK);
	cr_assert_eq(play_input_check(pi, "chg-1", &canon, &err), IRK_INVALID);
	cr_assert_null(play_inputs_find(&in, "ghost"));
	play_inputs_free(&in);
	strbuf_free(&def);
}

/* The ticks are recorded with the done: its audit event carries the
 * checklist as it stood, who ticked what and when. With
 * checklist_required, done waits for every tick. */
static const char checks_src[] =
	"{\"play\": \"k\", \"name\": \"K\", \"version\": 1, \"match\": \"rule == 'x'\",\n"
	" \"steps\": [\n"
	"  {\"id\": \"contain\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Contain\",\n"
	"   \"checklist\": [\"Host isolated in the EDR\", \"Accounts disabled\", \"Ticket opened\"],\n"
	"   \"checklist_required\": true},\n"
	"  {\"id\": \"look\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Look\",\n"
	"   \"checklist\": [\"Logs read\", \"Peers checked\"]},\n"
	"  {\"id\": \"plain\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Plain\"}]}\n";

static int64_t row_of(int64_t id, const char *sid)
{
	char sql[160];

	snprintf(sql, sizeof sql, "SELECT id FROM steps WHERE incident_id = %lld AND step_id = '%s'",
		 (long long)id, sid);
	return store_scalar(s, sql);
}

/* Does the step.done event of step sid have the SQL value `value` at path
 * (NULL: no such member)? */
static int done_has(const char *sid, const char *path, const char *value)
{
	char sql[400];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE kind = 'step.done' AND "
		 "json_extract(data, '$.step') = '%s' AND json_extract(data, '%s') %s%s",
		 sid, path, value ? "= " : "IS NULL", value ? value : "");
	return store_scalar(s, sql) == 1;
}

Test(actions, done_records_the_checklist_ticks)
{
	struct irk_err err = { 0 };
	int64_t id = incident_from(checks_src, "alice");

	cr_assert_eq(store_step_check(s, "bob", row_of(id, "look"), 1, 1, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(done(id, "carol", "look", NULL, NULL, &err), IRK_OK, "not required: done anyway");
	cr_assert(done_has("look", "$.by", "'carol'"));
	cr_assert(done_has("look", "$.checklist[0].text", "'Logs read'"));
	cr_assert(done_has("look", "$.checklist[0].checked", "0"));
	cr_assert(done_has("look", "$.checklist[0].by", NULL));
	cr_assert(done_has("look", "$.checklist[1].text", "'Peers checked'"));
	cr_assert(done_has("look", "$.checklist[1].checked", "1"));
	cr_assert(done_has("look", "$.checklist[1].by", "'bob'"), "who ticked it");
	cr_assert(!done_has("look", "$.checklist[1].at", NULL), "and when");
	cr_assert(done_has("look", "$.checklist[0].at", NULL));
	cr_assert_eq(done(id, "carol", "plain", NULL, NULL, &err), IRK_OK);
	cr_assert(done_has("plain", "$.checklist", NULL), "no checklist, no member");
}

Test(actions, checklist_required_refuses_done_until_ticked)
{
	struct irk_err err = { 0 };
	int64_t id = incident_from(checks_src, "alice");
	int64_t row = row_of(id, "contain");

	cr_assert_eq(store_step_check(s, "bob", row, 0, 1, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(done(id, "carol", "contain", NULL, NULL, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "step contain needs its whole checklist ticked; 2 of 3 items are "
			 "not: 2. Accounts disabled; 3. Ticket opened");
	cr_assert_str_eq(state(id, "contain"), "waiting");
	cr_assert_eq(store_step_check(s, "carol", row, 1, 1, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_step_check(s, "carol", row, 2, 1, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(done(id, "carol", "contain", NULL, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(state(id, "contain"), "done");
	cr_assert(done_has("contain", "$.checklist[0].by", "'bob'"));
	cr_assert(done_has("contain", "$.checklist[2].by", "'carol'"));
}

/* The play layer speaks to any front end: its refusals name what is
 * wrong, never the command-line syntax to fix it (the CLI adds that
 * where it prints; the board has buttons and forms). */
Test(actions, refusals_carry_no_command_line_syntax)
{
	struct irk_err err = { 0 };
	struct actor alice = who("alice"), carol = who("carol");
	int64_t id = incident("alice");
	const char *msgs[8];
	static char kept[8][512];
	int n = 0;

#define KEEP() (irk_strlcpy(kept[n], err.msg, sizeof kept[n]), msgs[n] = kept[n], n++)
	cr_assert_neq(done(id, "carol", "triage", NULL, NULL, &err), IRK_OK);
	KEEP();
	cr_assert_neq(done(id, "carol", "", NULL, NULL, &err), IRK_OK);
	KEEP();
	cr_assert_neq(done(id, "carol", "ghost", NULL, NULL, &err), IRK_OK);
	KEEP();
	cr_assert_eq(done(id, "carol", "triage", "ticket=T1", NULL, &err), IRK_OK);
	cr_assert_neq(done(id, "carol", "purge", NULL, NULL, &err), IRK_OK);
	KEEP();
	cr_assert_neq(play_step_approve(s, &alice, id, "lessons", &err), IRK_OK);
	KEEP();
	cr_assert_neq(play_step_retry(s, &carol, id, "lessons", NULL, &err), IRK_OK);
	KEEP();
	cr_assert_neq(play_step_deny(s, &alice, id, "purge", NULL, &err), IRK_OK);
	KEEP();
	cr_assert_neq(play_step_skip(s, &carol, id, "lessons", "", &err), IRK_OK);
	KEEP();
#undef KEEP
	for (int i = 0; i < n; i++) {
		cr_assert(msgs[i][0], "refusal %d says why", i);
		cr_assert_null(strstr(msgs[i], "--"), "%s", msgs[i]);
		cr_assert_null(strstr(msgs[i], "irk "), "%s", msgs[i]);
	}
	cr_assert_str_eq(msgs[1], "which step of IR-1?");
	cr_assert_str_eq(msgs[3], "step purge is an approval: it is granted or denied, not done");
	cr_assert_str_eq(msgs[4], "step lessons is a manual step, not an approval");
	cr_assert_str_eq(msgs[5], "step lessons is done by a person: there is nothing to retry");
}

/* What the user can do about a refusal is data (err.need, and need_on
 * for the step or inputs it is about): each front end words it. */
static const char two_inputs_src[] =
	"{\"play\": \"f\", \"name\": \"F\", \"version\": 1, \"match\": \"rule == 'x'\",\n"
	" \"steps\": [\n"
	"  {\"id\": \"form\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Form\",\n"
	"   \"inputs\": [{\"name\": \"ticket\", \"required\": true}, \"note\",\n"
	"               {\"name\": \"owner\", \"required\": true},\n"
	"               {\"name\": \"verdict\", \"required\": true}]}]}\n";

Test(actions, refusals_say_what_the_user_can_do)
{
	struct irk_err err = { 0 };
	struct actor alice = who("alice"), carol = who("carol");
	int64_t id = incident("alice"), form = incident_from(two_inputs_src, "alice");

	cr_assert_eq(done(form, "carol", "form", "verdict=bad", NULL, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "step form needs the inputs ticket and owner");
	cr_assert_eq(err.need, NEED_INPUTS);
	cr_assert_str_eq(err.need_on, "ticket\nowner", "every missing one, one a line");
	cr_assert_eq(done(form, "carol", "form", NULL, NULL, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "step form needs the inputs ticket, owner and verdict");
	cr_assert_eq(done(id, "carol", "triage", NULL, NULL, &err), IRK_INVALID);
	cr_assert_str_eq(err.need_on, "ticket");
	cr_assert_eq(done(id, "carol", "triage", "tiket=1", NULL, &err), IRK_INVALID);
	cr_assert_eq(err.need, NEED_NONE, "a misspelt input: the message lists the names");
	cr_assert_str_eq(err.need_on, "");

	cr_assert_eq(done(id, "carol", "ghost", NULL, NULL, &err), IRK_NOTFOUND);
	cr_assert_eq(err.need, NEED_STEPS);
	cr_assert_eq(done(id, "carol", "triage", "ticket=T1", NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(done(id, "carol", "purge", NULL, NULL, &err), IRK_REFUSED);
	cr_assert_eq(err.need, NEED_DECISION);
	cr_assert_str_eq(err.need_on, "purge");
	cr_assert_eq(play_step_approve(s, &alice, id, "lessons", &err), IRK_REFUSED);
	cr_assert_eq(err.need, NEED_DONE, "a person's step is done, not approved");
	cr_assert_str_eq(err.need_on, "lessons");
	cr_assert_eq(play_step_approve(s, &alice, id, "lookup", &err), IRK_REFUSED);
	cr_assert_eq(err.need, NEED_NONE, "an automated step runs by itself");
	cr_assert_eq(play_step_retry(s, &carol, id, "lessons", NULL, &err), IRK_REFUSED);
	cr_assert_eq(err.need, NEED_DONE);
	cr_assert_eq(play_step_deny(s, &alice, id, "purge", "", &err), IRK_INVALID);
	cr_assert_eq(err.need, NEED_REASON);
	cr_assert_eq(play_step_skip(s, &carol, id, "lessons", NULL, &err), IRK_INVALID);
	cr_assert_eq(err.need, NEED_REASON);
	cr_assert_eq(play_step_skip(s, &carol, id, "lookup", "down", &err), IRK_REFUSED);
	cr_assert_eq(err.need, NEED_NONE, "only a senior skips a required step: nothing to type");

	/* Closed: its steps no longer change, whatever their kind (the
	 * approval's grant-or-deny would be wrong here). */
	cr_assert_eq(incident_close(s, &alice, id, RES_BENIGN, "simulation", 1, 0, &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_eq(done(id, "carol", "purge", NULL, NULL, &err), IRK_REFUSED);
	cr_assert_eq(err.need, NEED_NONE, "%s", err.msg);
}

/* ben could not move root's incident but could retry its step: one rule.
 * An analyst may not do, retry or skip steps of an incident someone else
 * holds (play_step_may() says so before a prompt); a senior may, and
 * approvals stay their role's. */
Test(actions, the_holders_rule_covers_steps)
{
	struct irk_err err = { 0 };
	struct actor carol = who("carol"), bob = who("bob"), alice = who("alice");
	int64_t id = incident("alice");

	cr_assert_eq(incident_claim(s, &alice, id, 0, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_step_may(s, &carol, id, "triage", PLAY_DONE, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "IR-1 is held by alice; only alice or a senior can change it");
	cr_assert_eq(done(id, "carol", "triage", "ticket=INC-1", NULL, &err), IRK_REFUSED);
	cr_assert_str_eq(state(id, "triage"), "waiting");
	cr_assert_eq(play_step_skip(s, &carol, id, "lessons", "not needed", &err), IRK_REFUSED);
	cr_assert_eq(play_step_may(s, &bob, id, "triage", PLAY_DONE, &err), IRK_OK, "a senior may");
	cr_assert_eq(play_step_may(s, &carol, id, "lookup", PLAY_SKIP, &err), IRK_REFUSED);
	cr_assert_eq(done(id, "alice", "triage", "ticket=INC-1", NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_step_may(s, &bob, id, "purge", PLAY_APPROVE, &err), IRK_OK,
		     "an approval is its role's, whoever holds the incident: %s", err.msg);
	cr_assert_eq(events("step.done", "carol"), 0);
}
