/* test_incident.c: the lifecycle rules of incident.c on a real sqlite
 * file: who may change an incident (the holder's rule), owners that must
 * be registered users, what the events record, and messages that name no
 * command or option (the board shows them too). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/tmpstore.h"
#include "irk/audit.h"
#include "irk/incident.h"
#include "irk/model.h"
#include "irk/store.h"

static struct store *s;
static const struct actor dana = { "dana", ROLE_ANALYST };
static const struct actor chen = { "chen", ROLE_ANALYST };
static const struct actor sam = { "sam", ROLE_SENIOR };

static void init(void)
{
	struct irk_err err = { 0 };

	s = tmp_store("inc.db");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "dana", ROLE_ANALYST, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "chen", ROLE_ANALYST, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "sam", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
}

static void fini(void)
{
	store_close(&s);
	tmp_cleanup();
}

TestSuite(incident, .init = init, .fini = fini);

/* A new incident; held by owner when owner is not NULL. */
static int64_t open_one(const struct actor *owner)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };
	int64_t id;

	inc.title = xstrdup("Beacon to 203.0.113.9");
	inc.severity = SEV_HIGH;
	inc.confidence = 50;
	inc.asset_criticality = 2;
	inc.t_detected = inc.t_first_event = inc.t_last_event = 1700000000;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(incident_open(s, "ingest", &inc, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	id = inc.id;
	incident_clear(&inc);
	if (owner)
		cr_assert_eq(incident_claim(s, owner, id, 0, 0, &err), IRK_OK, "%s", err.msg);
	return id;
}

static struct incident get(int64_t id)
{
	struct incident inc;
	struct irk_err err = { 0 };

	cr_assert_eq(store_incident_get(s, id, &inc, &err), IRK_OK, "%s", err.msg);
	return inc;
}

static char *owner_of(int64_t id)
{
	struct incident inc = get(id);
	char *o = inc.owner ? xstrdup(inc.owner) : NULL;

	incident_clear(&inc);
	return o;
}

static int stage_of(int64_t id)
{
	struct incident inc = get(id);
	int st = inc.stage;

	incident_clear(&inc);
	return st;
}

/* The data of the last audit event of id. */
static int last_event(const struct event_row *e, void *arg)
{
	char **out = arg;

	free(*out);
	*out = xstrdup(e->data);
	return 0;
}

static char *last_data(int64_t id)
{
	char *d = NULL;
	struct irk_err err = { 0 };

	cr_assert_eq(audit_each(s, id, 0, last_event, &d, &err), IRK_OK);
	cr_assert_not_null(d);
	return d;
}

/* Nothing the lifecycle layer says names a command or an option. */
static void assert_neutral(const struct irk_err *err)
{
	cr_assert(!strstr(err->msg, "irk ") && !strstr(err->msg, "--"),
		  "speaks command line: %s", err->msg);
}

Test(incident, an_analyst_may_not_change_what_someone_else_holds)
{
	struct irk_err err = { 0 };
	char *as[] = { "owner=chen" }, *sev[] = { "severity=critical" }, *o;
	int64_t id = open_one(&dana);

	cr_assert_eq(incident_may_change(s, &chen, id, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "IR-1 is held by dana; only dana or a senior can change it");
	cr_assert_eq(incident_move(s, &chen, id, STAGE_IDENTIFICATION, NULL, 0, 0, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "held by dana"), "%s", err.msg);
	cr_assert_eq(incident_close(s, &chen, id, RES_BENIGN, NULL, 0, 0, &err), IRK_REFUSED);
	cr_assert_eq(incident_set(s, &chen, id, as, 1, 0, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "held by dana"), "%s", err.msg);
	cr_assert_eq(incident_set(s, &chen, id, sev, 1, 0, &err), IRK_REFUSED);
	assert_neutral(&err);
	cr_assert_eq(stage_of(id), STAGE_NEW);
	cr_assert_str_eq((o = owner_of(id)), "dana");
	free(o);
	/* Notes stay open to everyone. */
	cr_assert_eq(incident_note(s, &chen, id, "seen the same beacon on ws-7", &err), IRK_OK, "%s",
		     err.msg);
	/* The holder may. */
	cr_assert_eq(incident_may_change(s, &dana, id, &err), IRK_OK);
	cr_assert_eq(incident_move(s, &dana, id, STAGE_IDENTIFICATION, NULL, 0, 0, &err), IRK_OK,
		     "%s", err.msg);
	/* Moving back is a change too. */
	cr_assert_eq(incident_move(s, &chen, id, STAGE_NEW, "wrong", 0, 0, &err), IRK_REFUSED);
	cr_assert_eq(stage_of(id), STAGE_IDENTIFICATION);
}

Test(incident, unassigned_is_open_to_all)
{
	struct irk_err err = { 0 };
	char *as[] = { "severity=low" };
	int64_t id = open_one(NULL);

	cr_assert_eq(incident_may_change(s, &chen, id, &err), IRK_OK);
	cr_assert_eq(incident_set(s, &chen, id, as, 1, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(incident_move(s, &chen, id, STAGE_IDENTIFICATION, NULL, 0, 0, &err), IRK_OK);
	cr_assert_eq(incident_close(s, &dana, id, RES_BENIGN, NULL, 0, 0, &err), IRK_OK, "%s", err.msg);
}

Test(incident, a_senior_may_and_the_takeover_is_recorded)
{
	struct irk_err err = { 0 };
	char *as[] = { "owner=sam" }, *d, *o;
	int64_t id = open_one(&dana);

	cr_assert_eq(incident_may_change(s, &sam, id, &err), IRK_OK);
	cr_assert_eq(incident_move(s, &sam, id, STAGE_IDENTIFICATION, NULL, 0, 0, &err), IRK_OK,
		     "%s", err.msg);
	d = last_data(id);
	cr_assert(strstr(d, "\"held_by\":\"dana\""), "%s", d);
	free(d);
	cr_assert_eq(incident_set(s, &sam, id, as, 1, 0, &err), IRK_OK, "%s", err.msg);
	d = last_data(id);
	cr_assert_str_eq(d, "{\"owner\":\"sam\",\"previous_owner\":\"dana\"}");
	free(d);
	cr_assert_str_eq((o = owner_of(id)), "sam");
	free(o);
	/* Her own change of her own incident names nobody else. */
	cr_assert_eq(incident_move(s, &sam, id, STAGE_CONTAINMENT, NULL, 0, 0, &err), IRK_OK);
	d = last_data(id);
	cr_assert(!strstr(d, "held_by"), "%s", d);
	free(d);
}

Test(incident, taking_ownership_through_set_is_a_change_too)
{
	struct irk_err err = { 0 };
	char *mine[] = { "owner=chen" }, *other[] = { "owner=dana" }, *o;
	int64_t id = open_one(NULL);

	/* Unassigned: chen may take it, not give it to someone else. */
	cr_assert_eq(incident_set(s, &chen, id, other, 1, 0, &err), IRK_REFUSED);
	cr_assert_eq(incident_set(s, &chen, id, mine, 1, 0, &err), IRK_OK, "%s", err.msg);
	/* Now chen's: dana may not take it through set. */
	cr_assert_eq(incident_set(s, &dana, id, other, 1, 0, &err), IRK_REFUSED);
	cr_assert_str_eq((o = owner_of(id)), "chen");
	free(o);
}

Test(incident, an_owner_must_be_a_registered_user)
{
	struct irk_err err = { 0 };
	char *nobody[] = { "owner=nobodyknown" }, *typo[] = { "owner=chem" }, *o;
	int64_t id = open_one(NULL);

	cr_assert_eq(incident_set(s, &sam, id, nobody, 1, 0, &err), IRK_NOTFOUND);
	cr_assert_str_eq(err.msg, "owner: 'nobodyknown' is not a registered user");
	cr_assert_eq(incident_set(s, &sam, id, typo, 1, 0, &err), IRK_NOTFOUND);
	cr_assert_str_eq(err.msg, "owner: 'chem' is not a registered user (did you mean 'chen'?)");
	cr_assert_null((o = owner_of(id)));
}

Test(incident, anyone_may_own_while_no_user_is_registered)
{
	struct irk_err err = { 0 };
	char *as[] = { "owner=zed" }, *o;
	struct store *lone = tmp_store("lone.db");
	struct store *keep = s;
	int64_t id;

	s = lone;
	id = open_one(NULL);
	cr_assert_eq(incident_set(s, &sam, id, as, 1, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq((o = owner_of(id)), "zed");
	free(o);
	store_close(&lone);
	s = keep;
}

Test(incident, refusals_name_no_command_or_option)
{
	struct irk_err err = { 0 };
	char *bad[] = { "colour=red" }, *typo[] = { "severty=high" };
	int64_t id = open_one(&dana), closed;

	cr_assert_eq(incident_claim(s, &chen, id, 0, 0, &err), IRK_CONFLICT);
	cr_assert_str_eq(err.msg, "IR-1 is held by dana; a senior can take it over");
	cr_assert_eq(err.need, NEED_TAKEOVER);
	cr_assert_eq(incident_move(s, &dana, id, STAGE_CLOSED, NULL, 0, 0, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "closing IR-1 needs a resolution: true-positive, false-positive, "
			 "duplicate or benign");
	cr_assert_eq(err.need, NEED_CLOSE);
	cr_assert_eq(incident_move(s, &dana, id, STAGE_NEW, NULL, 0, 0, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "IR-1 is already in new");
	cr_assert_eq(incident_move(s, &dana, id, STAGE_IDENTIFICATION, NULL, 0, 0, &err), IRK_OK);
	cr_assert_eq(incident_move(s, &sam, id, STAGE_NEW, NULL, 0, 0, &err), IRK_REFUSED,
		     "not the mover's undo: a back move");
	cr_assert_str_eq(err.msg, "moving IR-1 back to new needs a reason");
	cr_assert_eq(err.need, NEED_REASON);
	cr_assert_eq(incident_move(s, &sam, id, STAGE_CONTAINMENT, NULL, 1, 0, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "forcing IR-1 needs a reason");
	cr_assert_eq(incident_set(s, &dana, id, bad, 1, 0, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "'colour' is not a field you can set; the fields are title, "),
		  "%s", err.msg);
	assert_neutral(&err);
	cr_assert_eq(incident_set(s, &dana, id, typo, 1, 0, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "'severty' is not a field you can set (did you mean 'severity'?)");
	closed = open_one(NULL);
	cr_assert_eq(incident_close(s, &dana, closed, RES_BENIGN, NULL, 0, 0, &err), IRK_OK);
	cr_assert_eq(incident_close(s, &dana, closed, RES_BENIGN, NULL, 0, 0, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "IR-2 is already closed");
	cr_assert_eq(incident_claim(s, &dana, closed, 0, 0, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "IR-2 is closed; move it back to a stage to reopen it first");
	cr_assert_eq(err.need, NEED_REOPEN);
}
