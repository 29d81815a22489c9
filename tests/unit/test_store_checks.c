/* test_store_checks.c: the ticks of a manual step's checklist
 * (store_step_check, store_step_checks): who ticked what, the audit event,
 * and the refusals once the step is finished or the item does not exist. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/incident.h"
#include "irk/jdoc.h"
#include "irk/store.h"
#include "helpers/tmpstore.h"

static struct store *s;
static int64_t inc_id;

static void init(void)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	irk_clock_set(1715588400);
	s = tmp_store("checks.db");
	inc.title = strdup("Phish");
	inc.severity = SEV_HIGH;
	inc.t_detected = irk_now();
	cr_assert_eq(store_begin(s, &err), 0);
	cr_assert_eq(incident_open(s, "alice", &inc, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), 0);
	inc_id = inc.id;
	incident_clear(&inc);
}

static void fini(void)
{
	store_close(&s);
	tmp_cleanup();
}

TestSuite(store_checks, .init = init, .fini = fini);

/* A step of kind with a two-item checklist, in state. Returns its row. */
static int64_t step(const char *id, const char *kind, int state)
{
	struct step_row r;
	struct irk_err err = { 0 };
	int64_t row = 0;

	memset(&r, 0, sizeof r);
	r.incident_id = inc_id;
	r.step_id = id;
	r.seq = 1;
	r.kind = kind;
	r.stage = STAGE_NEW;
	r.title = "Triage";
	r.def = "{\"checklist\": [\"Headers read\", \"Links detonated in {{alert.host}}\"]}";
	cr_assert_eq(store_begin(s, &err), 0);
	cr_assert_eq(store_step_insert(s, &r, &row, &err), 0, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), 0);
	if (state != STEP_PENDING) {
		memset(&r, 0, sizeof r);
		r.id = row;
		r.state = state;
		r.done_by = state == STEP_DONE ? "bob" : NULL;
		cr_assert_eq(store_step_update(s, &r, STEP_PENDING, &err), 0, "%s", err.msg);
	}
	return row;
}

static char *checks(int64_t row)
{
	struct strbuf sb = STRBUF_INIT;
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_checks(s, row, &sb, &err), 0, "%s", err.msg);
	return strbuf_detach(&sb);
}

struct last { char kind[32], actor[32], data[512]; int n; };

static int last_event(const struct event_row *e, void *arg)
{
	struct last *l = arg;

	irk_strlcpy(l->kind, e->kind, sizeof l->kind);
	irk_strlcpy(l->actor, e->actor, sizeof l->actor);
	irk_strlcpy(l->data, e->data, sizeof l->data);
	l->n++;
	return 0;
}

static struct last events(void)
{
	struct last l = { "", "", "", 0 };
	struct irk_err err = { 0 };

	cr_assert_eq(audit_each(s, inc_id, 0, last_event, &l, &err), 0, "%s", err.msg);
	return l;
}

Test(store_checks, tick_records_who_and_when_and_audits)
{
	int64_t row = step("triage", "manual", STEP_WAITING);
	struct irk_err err = { 0 };
	struct audit_result ar;
	char *c = checks(row);

	cr_assert_str_eq(c, "{}");
	free(c);
	cr_assert_eq(store_step_check(s, "alice", row, 1, 1, &err), 0, "%s", err.msg);
	c = checks(row);
	cr_assert_str_eq(c, "{\"1\":{\"by\":\"alice\",\"at\":1715588400}}");
	free(c);
	struct last l = events();
	cr_assert_str_eq(l.kind, "step.check");
	cr_assert_str_eq(l.actor, "alice");
	cr_assert_str_eq(l.data, "{\"step\":\"triage\",\"item\":1,"
			 "\"text\":\"Links detonated in {{alert.host}}\",\"checked\":true}");
	cr_assert_eq(audit_verify(s, &ar, &err), 0, "%s", ar.reason);
}

Test(store_checks, a_second_tick_keeps_the_first_and_records_nothing)
{
	int64_t row = step("triage", "manual", STEP_WAITING);
	struct irk_err err = { 0 };
	int before;

	cr_assert_eq(store_step_check(s, "alice", row, 0, 1, &err), 0, "%s", err.msg);
	before = events().n;
	irk_clock_set(1715588500);
	cr_assert_eq(store_step_check(s, "bob", row, 0, 1, &err), 0, "%s", err.msg);
	char *c = checks(row);
	cr_assert_str_eq(c, "{\"0\":{\"by\":\"alice\",\"at\":1715588400}}");
	free(c);
	cr_assert_eq(events().n, before);
}

Test(store_checks, untick_removes_the_item_and_audits)
{
	int64_t row = step("triage", "manual", STEP_READY);
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_check(s, "alice", row, 0, 1, &err), 0, "%s", err.msg);
	cr_assert_eq(store_step_check(s, "alice", row, 1, 1, &err), 0, "%s", err.msg);
	cr_assert_eq(store_step_check(s, "bob", row, 0, 0, &err), 0, "%s", err.msg);
	char *c = checks(row);
	cr_assert_str_eq(c, "{\"1\":{\"by\":\"alice\",\"at\":1715588400}}");
	free(c);
	struct last l = events();
	cr_assert_str_eq(l.actor, "bob");
	cr_assert(strstr(l.data, "\"item\":0") && strstr(l.data, "\"checked\":false"), "%s", l.data);
	/* The last one unticked: nothing is left, not an empty object. */
	cr_assert_eq(store_step_check(s, "bob", row, 1, 0, &err), 0, "%s", err.msg);
	c = checks(row);
	cr_assert_str_eq(c, "{}");
	free(c);
}

Test(store_checks, refused_once_the_step_is_finished)
{
	int64_t row = step("triage", "manual", STEP_DONE);
	struct irk_err err = { 0 };
	int before = events().n;

	cr_assert_eq(store_step_check(s, "alice", row, 0, 1, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "step triage is done by bob: its checklist can no longer change");
	cr_assert_eq(events().n, before);
	cr_assert_not(store_in_tx(s));
	char *c = checks(row);
	cr_assert_str_eq(c, "{}");
	free(c);
}

Test(store_checks, refused_before_the_step_is_due)
{
	int64_t row = step("triage", "manual", STEP_PENDING);
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_check(s, "alice", row, 0, 1, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "is pending"), "%s", err.msg);
}

Test(store_checks, refused_for_an_item_that_does_not_exist)
{
	int64_t row = step("triage", "manual", STEP_WAITING);
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_check(s, "alice", row, 2, 1, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "step triage has no checklist item 3 (it has 2)");
	cr_assert_eq(store_step_check(s, "alice", row, -1, 1, &err), IRK_REFUSED);
}

Test(store_checks, refused_for_a_step_that_is_not_manual)
{
	int64_t row = step("decide", "approval", STEP_WAITING);
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_check(s, "alice", row, 0, 1, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "step decide (approval) has no checklist: only manual steps do");
}

Test(store_checks, missing_step)
{
	struct irk_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(store_step_check(s, "alice", 999, 0, 1, &err), IRK_NOTFOUND);
	cr_assert_not(store_in_tx(s));
	cr_assert_eq(store_step_checks(s, 999, &sb, &err), IRK_NOTFOUND);
	strbuf_free(&sb);
}

/* A database made before checklists (schema 1) gets the column when it is
 * opened, and ticks work on its steps. */
Test(store_checks, a_schema_1_database_is_migrated)
{
	int64_t row = step("triage", "manual", STEP_WAITING);
	char *path = tmp_path("checks.db");
	struct irk_err err = { 0 };

	cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	store_close(&s);
	tmp_schema_1(path);
	cr_assert_eq(store_open(&s, path, 0, &err), 0, "%s", err.msg);
	free(path);
	cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	cr_assert_eq(store_step_check(s, "alice", row, 0, 1, &err), 0, "%s", err.msg);
	char *c = checks(row);
	cr_assert_str_eq(c, "{\"0\":{\"by\":\"alice\",\"at\":1715588400}}");
	free(c);
}
