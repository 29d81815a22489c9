/* actions.c: what people do to steps: done, approve, deny, retry, skip.
 *
 * Each action is one transaction: bring the incident's steps up to date
 * (a stage move may have made the step due), check the rules, record the
 * change with its audit event, advance what follows, commit. A refusal
 * changes nothing and says why in words an analyst can act on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/identity.h"
#include "irk/incident.h"
#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "irk/template.h"
#include "play_impl.h"

#define INPUT_MAX 4096
#define REASON_MAX 1024

struct act {
	struct store *s;
	const struct actor *who;
	struct incident inc;
	struct step_list l;
	int i;                      /* the step */
	struct step_row *r;
	char key[24];
	int changed;
};

/* Begin: open the transaction, load and advance the incident, find the
 * step. On failure everything is rolled back. */
static int act_begin(struct act *a, struct store *s, const struct actor *who,
		     int64_t incident_id, const char *step, struct irk_err *err)
{
	int rc;

	memset(a, 0, sizeof *a);
	a->s = s;
	a->who = who;
	incident_key(incident_id, a->key, sizeof a->key);
	if (!step || !*step)
		return irk_fail(err, IRK_INVALID, "which step of %s?", a->key);
	if ((rc = store_begin(s, err)))
		return rc;
	if ((rc = store_incident_get(s, incident_id, &a->inc, err))) {
		store_rollback(s);
		return rc;
	}
	if (!a->inc.play) {
		rc = irk_fail(err, IRK_NOTFOUND, "%s runs no play, so it has no steps", a->key);
		goto fail;
	}
	if (a->inc.stage == STAGE_CLOSED) {
		rc = irk_fail(err, IRK_REFUSED, "%s is closed; its steps can no longer change",
			      a->key);
		goto fail;
	}
	if ((rc = play_advance_inc(s, &a->inc, NULL, who->name, &a->changed, err)) ||
	    (rc = step_list_load(s, incident_id, &a->l, err)))
		goto fail;
	if ((a->i = step_list_find(&a->l, step)) < 0) {
		rc = irk_fail_need(err, IRK_NOTFOUND, NEED_STEPS, "%s has no step '%s'", a->key,
				   step);
		goto fail;
	}
	a->r = &a->l.v[a->i];
	return IRK_OK;
fail:
	store_rollback(s);
	step_list_free(&a->l);
	incident_clear(&a->inc);
	return rc;
}

static void act_abort(struct act *a)
{
	store_rollback(a->s);
	step_list_free(&a->l);
	incident_clear(&a->inc);
}

/* Advance what follows and commit. */
static int act_commit(struct act *a, struct irk_err *err)
{
	int rc = play_advance_inc(a->s, &a->inc, NULL, a->who->name, NULL, err);

	if (!rc)
		rc = store_commit(a->s, err);
	else
		store_rollback(a->s);
	step_list_free(&a->l);
	incident_clear(&a->inc);
	return rc;
}

/* Refuse with a message and roll back. */
static int act_refuse(struct act *a, struct irk_err *err, int code)
{
	act_abort(a);
	return code;
}

/* A person ends the step: its state, when, and who (the caller records it). */
static void act_end(struct act *a, int state)
{
	a->r->state = state;
	a->r->t_end = irk_now();
	step_row_set(&a->r->done_by, a->who->name);
}

/* Record the step's new state (the caller changed a->r). */
static int act_record(struct act *a, int before, const char *why, struct irk_err *err)
{
	return play_step_record(a->s, a->who->name, a->r, before, why, err);
}

/* Why a step in state `state` cannot take an action, for the message. */
static const char *state_words(const struct step_row *r, char *buf, size_t n)
{
	switch (r->state) {
	case STEP_PENDING:
		snprintf(buf, n, "is not due yet (its stage is %s, or a step it needs is not "
			 "done)", stage_name(r->stage));
		break;
	case STEP_RUNNING:
		snprintf(buf, n, "is running (held by %s)", r->lease_owner ? r->lease_owner : "the engine");
		break;
	case STEP_DONE:
		snprintf(buf, n, "is already done%s%s", r->done_by ? " by " : "",
			 r->done_by ? r->done_by : "");
		break;
	case STEP_SKIPPED:
		snprintf(buf, n, "was skipped%s%s", r->reason ? ": " : "", r->reason ? r->reason : "");
		break;
	case STEP_FAILED:
		snprintf(buf, n, "has failed%s%s", r->error ? ": " : "", r->error ? r->error : "");
		break;
	default:
		snprintf(buf, n, "is %s", step_state_name(r->state));
	}
	return buf;
}

const char *role_with_article(int role)
{
	return role == ROLE_SENIOR ? "a senior" : role == ROLE_ADMIN ? "an admin" : "an analyst";
}

/* The role an approval step asks for (its definition's "role"). */
static int approval_role(const struct step_row *r)
{
	struct step_def d;
	int role;

	step_def_parse(&d, r->def);
	role = d.role;
	step_def_free(&d);
	return role;
}

static int role_allows(const struct actor *who, int role)
{
	if (role == ROLE_ANALYST)
		return 1;
	if (role == ROLE_SENIOR)
		return actor_is_senior(who);
	return who->role == ROLE_ADMIN;
}

int play_may_grant(const struct actor *who, const struct step_row *r)
{
	return step_kind_has(step_kind_parse(r->kind), STEP_KIND_DECIDED) &&
	       (r->state == STEP_WAITING || r->state == STEP_READY) &&
	       role_allows(who, approval_role(r)) &&
	       !(r->requested_by && !strcmp(r->requested_by, who->name));
}

/* ---- done -------------------------------------------------------------------------------- */

/* Is input name given a value (not empty) in inputs? */
static int input_given(char *const *inputs, int ninputs, const char *name)
{
	size_t len = strlen(name);

	for (int k = 0; k < ninputs; k++)
		if (!strncmp(inputs[k], name, len) && inputs[k][len] == '=' && inputs[k][len + 1])
			return 1;
	return 0;
}

/* The required inputs not given (or given empty): all of them, named in
 * the message and in err->need_on. */
static int missing_inputs(struct act *a, const struct play_inputs *in, char *const *inputs,
			  int ninputs, struct irk_err *err)
{
	struct strbuf names = STRBUF_INIT;
	int miss[64], nmissing = 0;

	for (int j = 0; j < in->n && nmissing < (int)(sizeof miss / sizeof *miss); j++)
		if (in->v[j].required && !input_given(inputs, ninputs, in->v[j].name))
			miss[nmissing++] = j;
	if (!nmissing)
		return IRK_OK;
	for (int m = 0; m < nmissing; m++)
		strbuf_printf(&names, "%s%s", !m ? "" : m == nmissing - 1 ? " and " : ", ",
			      in->v[miss[m]].name);
	irk_fail_need(err, IRK_INVALID, NEED_INPUTS, "step %s needs the input%s %s", a->r->step_id,
		      nmissing > 1 ? "s" : "", strbuf_str(&names));
	for (int m = 0; m < nmissing; m++)
		irk_need_on(err, in->v[miss[m]].name);
	strbuf_free(&names);
	return IRK_INVALID;
}

/* The inputs as a JSON object, checked against the declared ones: names,
 * values (choices, patterns), required ones given. */
static int build_inputs(struct act *a, const struct play_inputs *in, char *const *inputs,
			int ninputs, struct strbuf *js, struct irk_err *err)
{
	struct jsonw w;
	struct irk_err why;
	char name[64];

	jsonw_init(&w, js, 0);
	jsonw_obj_begin(&w);
	for (int k = 0; k < ninputs; k++) {
		const char *eq = strchr(inputs[k], '='), *value;
		size_t nl = eq ? (size_t)(eq - inputs[k]) : 0;
		const struct play_input *pi;
		if (!eq || !nl || nl >= sizeof name)
			return irk_fail(err, IRK_INVALID, "input '%s': expected NAME=VALUE", inputs[k]);
		memcpy(name, inputs[k], nl);
		name[nl] = '\0';
		if (strlen(eq + 1) > INPUT_MAX)
			return irk_fail(err, IRK_INVALID, "input %s: longer than %d bytes", name,
					INPUT_MAX);
		for (int j = 0; j < k; j++)
			if (!strncmp(inputs[j], inputs[k], nl + 1))
				return irk_fail(err, IRK_INVALID, "input %s given twice", name);
		pi = play_inputs_find(in, name);
		if (!pi && in->n) {
			struct strbuf names = STRBUF_INIT;
			for (int j = 0; j < in->n; j++)
				strbuf_printf(&names, "%s%s", j ? ", " : "", in->v[j].name);
			irk_fail(err, IRK_INVALID, "step %s has no input '%s' (it takes %s)",
				 a->r->step_id, name, strbuf_str(&names));
			strbuf_free(&names);
			return IRK_INVALID;
		}
		value = eq + 1;
		if (pi && play_input_check(pi, value, &value, &why))
			return irk_fail(err, IRK_INVALID, "step %s: %s", a->r->step_id, why.msg);
		jsonw_kv_str(&w, name, value);
	}
	jsonw_obj_end(&w);
	return missing_inputs(a, in, inputs, ninputs, err);
}

/* The checklist as it stands when the step is done, for the done's audit
 * event: every item, whether it is ticked, by whom and when (the ticks
 * are recorded with the done). With checklist_required, an unticked item
 * refuses the done. Nothing when the step has no checklist. */
static int checklist_at_done(struct act *a, const struct step_def *d, struct strbuf *js,
			     struct irk_err *err)
{
	struct strbuf tb = STRBUF_INIT, missing = STRBUF_INIT;
	struct jdoc ticks;
	struct jdoc_error je;
	struct jsonw w;
	struct play_alert_copy ac = { 0 };
	struct play_fields *f = NULL;
	char num[16];
	int rc, nmissing = 0;

	if (!d->nchecklist)
		return IRK_OK;
	jdoc_init(&ticks);
	if ((rc = store_step_checks(a->s, a->r->id, &tb, err)))
		goto out;
	if (jdoc_parse(&ticks, tb.buf, tb.len, &je) || jdoc_type(&ticks, 0) != JD_OBJECT)
		jdoc_parse(&ticks, "{}", 2, &je);
	/* The items as the analyst read them: templates expanded, a missing
	 * value marked in place. */
	play_alert_first(a->s, a->inc.id, &ac, NULL);
	f = play_fields_new(a->s, &a->inc, ac.pa.id ? &ac.pa : NULL);
	jsonw_init(&w, js, 0);
	jsonw_arr_begin(&w);
	for (int i = 0; i < d->nchecklist; i++) {
		int t, at;
		int64_t when = 0;
		char *text = tmpl_render_marked(d->checklist[i], play_fields_lookup, f, NULL);
		snprintf(num, sizeof num, "%d", i);
		t = jdoc_get(&ticks, 0, num);
		jsonw_obj_begin(&w);
		jsonw_kv_int(&w, "item", i);
		jsonw_kv_str(&w, "text", text);
		free(text);
		jsonw_kv_bool(&w, "checked", t >= 0);
		if (t >= 0) {
			jsonw_kv_str(&w, "by", jdoc_str(&ticks, jdoc_get(&ticks, t, "by")));
			if ((at = jdoc_get(&ticks, t, "at")) >= 0)
				jdoc_int(&ticks, at, &when);
			jsonw_kv_time(&w, "at", when);
		} else if (++nmissing <= 3) {
			strbuf_printf(&missing, "%s%d. %.48s%s", nmissing > 1 ? "; " : "", i + 1,
				      d->checklist[i], strlen(d->checklist[i]) > 48 ? "..." : "");
		}
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	if (d->checklist_required && nmissing) {
		rc = irk_fail_need(err, IRK_REFUSED, NEED_TICKS, "step %s needs its whole checklist "
				   "ticked; %d of %d items %s not: %s%s", a->r->step_id, nmissing,
				   d->nchecklist, nmissing == 1 ? "is" : "are", strbuf_str(&missing),
				   nmissing > 3 ? "; ..." : "");
		irk_need_on(err, a->r->step_id);
	}
out:
	play_fields_free(&f);
	play_alert_copy_free(&ac);
	jdoc_free(&ticks);
	strbuf_free(&tb);
	strbuf_free(&missing);
	return rc;
}

static int approval_check(struct act *a, const char *verb, int self_ok, struct irk_err *err);

/* The checks an action makes before it changes anything, one place for
 * the action and for play_step_may() (a front end asks before it
 * prompts). IRK_OK, or the refusal in err. */
static int may(struct act *a, int action, struct irk_err *err)
{
	const char *step = a->r->step_id;
	int kind = step_kind_parse(a->r->kind), st = a->r->state, rc;
	char buf[600];

	/* An incident someone holds is theirs to work; an approval is its
	 * role's to decide, whoever holds the incident. */
	if (action != PLAY_APPROVE && action != PLAY_DENY &&
	    (rc = incident_holder_check(a->who, &a->inc, err)))
		return rc;
	switch (action) {
	case PLAY_DONE:
		if (step_kind_has(kind, STEP_KIND_DECIDED)) {
			irk_fail_need(err, IRK_REFUSED, NEED_DECISION, "step %s is an approval: it is "
				      "granted or denied, not done", step);
			irk_need_on(err, step);
			return IRK_REFUSED;
		}
		if (st != STEP_WAITING && !(st == STEP_READY && !step_kind_automated(kind)) &&
		    !(st == STEP_FAILED && step_kind_automated(kind)))
			return irk_fail(err, IRK_REFUSED, "step %s of %s %s", step, a->key,
					state_words(a->r, buf, sizeof buf));
		return IRK_OK;
	case PLAY_APPROVE:
		return approval_check(a, "grant", 0, err);
	case PLAY_DENY:
		return approval_check(a, "deny", 1, err);
	case PLAY_RETRY:
		if (step_kind_has(kind, STEP_KIND_DECIDED) && st == STEP_FAILED) {
			/* Anyone asking again after a deny would make the
			 * two-person rule a formality: only a senior or the
			 * approval's role may. */
			if (!actor_is_senior(a->who) && !role_allows(a->who, approval_role(a->r)))
				return irk_fail(err, IRK_REFUSED, "only a senior or admin can ask for "
						"approval %s again (you are %s)", step,
						role_with_article(a->who->role));
			return IRK_OK;
		}
		if (step_kind_automated(kind) && (st == STEP_FAILED || st == STEP_WAITING))
			return IRK_OK;
		if (!step_kind_automated(kind) && !step_kind_has(kind, STEP_KIND_DECIDED)) {
			irk_fail_need(err, IRK_REFUSED, NEED_DONE, "step %s is done by a person: "
				      "there is nothing to retry", step);
			irk_need_on(err, step);
			return IRK_REFUSED;
		}
		return irk_fail(err, IRK_REFUSED, "step %s of %s %s; only a failed or waiting step "
				"can be retried", step, a->key, state_words(a->r, buf, sizeof buf));
	case PLAY_SKIP:
		if (st == STEP_DONE || st == STEP_SKIPPED)
			return irk_fail(err, IRK_REFUSED, "step %s of %s %s", step, a->key,
					state_words(a->r, buf, sizeof buf));
		if (a->r->required && !actor_is_senior(a->who))
			return irk_fail(err, IRK_REFUSED, "step %s is required: only a senior or admin "
					"can skip it", step);
		return IRK_OK;
	}
	return irk_fail(err, IRK_ERROR, "internal: unknown action");
}

int play_step_may(struct store *s, const struct actor *who, int64_t incident_id,
		  const char *step, int action, struct irk_err *err)
{
	struct act a;
	int rc;

	if ((rc = act_begin(&a, s, who, incident_id, step, err)))
		return rc;
	rc = may(&a, action, err);
	act_abort(&a);          /* nothing of it is kept */
	return rc;
}

int play_step_done(struct store *s, const struct actor *who, int64_t incident_id,
		   const char *step, char *const *inputs, int ninputs, struct irk_err *err)
{
	struct act a;
	struct step_def d;
	struct strbuf js = STRBUF_INIT, checks = STRBUF_INIT;
	char buf[600];
	int rc, before, kind;

	if ((rc = act_begin(&a, s, who, incident_id, step, err)))
		return rc;
	if ((rc = may(&a, PLAY_DONE, err)))
		return act_refuse(&a, err, rc);
	kind = step_kind_parse(a.r->kind);
	before = a.r->state;
	step_def_parse(&d, a.r->def);
	rc = build_inputs(&a, &d.in, inputs, ninputs, &js, err);
	if (!rc)
		rc = checklist_at_done(&a, &d, &checks, err);
	step_def_free(&d);
	if (rc) {
		strbuf_free(&js);
		strbuf_free(&checks);
		return act_refuse(&a, err, rc);
	}
	act_end(&a, STEP_DONE);
	if (!a.r->t_start)
		a.r->t_start = a.r->t_end;
	step_row_set(&a.r->inputs, strbuf_str(&js));
	/* What a person records is what the step produced: later steps read
	 * steps.ID.output.NAME whoever did the work. */
	if (!step_kind_automated(kind) || !a.r->output)
		step_row_set(&a.r->output, strbuf_str(&js));
	strbuf_free(&js);
	if (step_kind_automated(kind))
		snprintf(buf, sizeof buf, "done by hand by %s", who->name);
	rc = play_step_record_with(s, who->name, a.r, before, step_kind_automated(kind) ? buf : NULL,
				   checks.len ? "checklist" : NULL, strbuf_str(&checks), err);
	strbuf_free(&checks);
	if (rc) {
		act_abort(&a);
		return rc;
	}
	return act_commit(&a, err);
}

/* ---- approvals ------------------------------------------------------------------------------ */

/* The two-person rule reaches back over the request's history: whoever
 * asked for it (the first time or again with a retry) or denied it before
 * cannot grant it now. The audit log is that history: a step event names
 * the asker of an approval ("asked"); a deny is a step.failed from a
 * person, a retry a step.waiting from failed, each with its actor. */
enum { PART_NONE, PART_ASKED, PART_DENIED };

struct part_scan {
	const char *step, *name;
	int part;
};

static int part_event(const struct event_row *e, void *arg)
{
	struct part_scan *ps = arg;
	struct jdoc d;
	struct jdoc_error je;
	const char *step, *from, *asked;

	if (strncmp(e->kind, "step.", 5) || !strstr(e->data, ps->step))
		return 0;
	jdoc_init(&d);
	if (!jdoc_parse(&d, e->data, strlen(e->data), &je) && jdoc_type(&d, 0) == JD_OBJECT &&
	    (step = jdoc_str(&d, jdoc_get(&d, 0, "step"))) && !strcmp(step, ps->step)) {
		from = jdoc_str(&d, jdoc_get(&d, 0, "from"));
		asked = jdoc_str(&d, jdoc_get(&d, 0, "asked"));
		if (asked && !strcmp(asked, ps->name))
			ps->part = PART_ASKED;
		else if (!strcmp(e->actor, ps->name) && from && !strcmp(e->kind, "step.failed") &&
			 (!strcmp(from, "waiting") || !strcmp(from, "ready")))
			ps->part = PART_DENIED;
		else if (!strcmp(e->actor, ps->name) && from && !strcmp(e->kind, "step.waiting") &&
			 !strcmp(from, "failed"))
			ps->part = PART_ASKED;
	}
	jdoc_free(&d);
	return ps->part != PART_NONE;
}

/* *part: how the caller took part in this approval's request before. */
static int approval_part(struct act *a, int *part, struct irk_err *err)
{
	struct part_scan ps = { a->r->step_id, a->who->name, PART_NONE };
	int rc = audit_each(a->s, a->r->incident_id, 0, part_event, &ps, err);

	*part = ps.part;
	return rc;
}

/* The checks approve and deny share. */
static int approval_check(struct act *a, const char *verb, int self_ok, struct irk_err *err)
{
	char buf[600];
	int role;

	if (!step_kind_has(step_kind_parse(a->r->kind), STEP_KIND_DECIDED)) {
		int kind = step_kind_parse(a->r->kind);
		/* A person's step is done; an automated one runs by itself. */
		irk_fail_need(err, IRK_REFUSED, kind >= 0 && !step_kind_automated(kind) ?
			      NEED_DONE : NEED_NONE, "step %s is %s step, not an approval",
			      a->r->step_id, step_kind_an(kind));
		irk_need_on(err, a->r->step_id);
		return IRK_REFUSED;
	}
	if (a->r->state != STEP_WAITING && a->r->state != STEP_READY)
		return irk_fail(err, IRK_REFUSED, "approval %s of %s %s", a->r->step_id, a->key,
				state_words(a->r, buf, sizeof buf));
	role = approval_role(a->r);
	if (!role_allows(a->who, role))
		return irk_fail(err, IRK_REFUSED, "only a%s %s%s can %s %s (you are %s)",
				role == ROLE_ADMIN ? "n" : "", role_name(role),
				role == ROLE_SENIOR ? " or admin" : "", verb, a->r->step_id,
				role_with_article(a->who->role));
	if (!self_ok && a->r->requested_by && !strcmp(a->r->requested_by, a->who->name))
		return irk_fail(err, IRK_REFUSED, "you asked for approval %s yourself; another "
				"%s must grant it", a->r->step_id, role_name(role));
	if (!self_ok) {
		int part = 0, rc = approval_part(a, &part, err);
		if (rc)
			return rc;
		if (part)
			return irk_fail(err, IRK_REFUSED, "you %s approval %s earlier; another %s "
					"must grant it", part == PART_DENIED ? "denied" : "asked for",
					a->r->step_id, role_name(role));
	}
	return IRK_OK;
}

int play_step_approve(struct store *s, const struct actor *who, int64_t incident_id,
		      const char *step, struct irk_err *err)
{
	struct act a;
	int rc, before;

	if ((rc = act_begin(&a, s, who, incident_id, step, err)))
		return rc;
	if ((rc = may(&a, PLAY_APPROVE, err)))
		return act_refuse(&a, err, rc);
	before = a.r->state;
	act_end(&a, STEP_DONE);
	if ((rc = act_record(&a, before, "approved", err))) {
		act_abort(&a);
		return rc;
	}
	return act_commit(&a, err);
}

static int need_reason(const char *reason, const char *what, struct irk_err *err)
{
	if (!reason || !*reason)
		return irk_fail_need(err, IRK_INVALID, NEED_REASON, "%s needs a reason", what);
	if (strlen(reason) > REASON_MAX)
		return irk_fail(err, IRK_INVALID, "a reason is limited to %d bytes", REASON_MAX);
	return IRK_OK;
}

int play_step_deny(struct store *s, const struct actor *who, int64_t incident_id,
		   const char *step, const char *reason, struct irk_err *err)
{
	struct act a;
	int rc, before;

	if ((rc = need_reason(reason, "denying an approval", err)))
		return rc;
	if ((rc = act_begin(&a, s, who, incident_id, step, err)))
		return rc;
	/* Withdrawing one's own request is allowed: only granting is not. */
	if ((rc = may(&a, PLAY_DENY, err)))
		return act_refuse(&a, err, rc);
	before = a.r->state;
	act_end(&a, STEP_FAILED);
	step_row_set(&a.r->reason, reason);
	step_row_set(&a.r->error, "denied");
	if ((rc = act_record(&a, before, reason, err)) ||
	    (rc = play_skip_dependents(s, &a.l, a.i, "denied", who->name, NULL, err))) {
		act_abort(&a);
		return rc;
	}
	return act_commit(&a, err);
}

/* ---- retry and skip ---------------------------------------------------------------------------- */

/* Steps the planner skipped because of steps[from] come back to pending
 * (a retried step may yet succeed). Those a person skipped stay skipped. */
static int revive_dependents(struct act *a, struct irk_err *err)
{
	char why[128];
	int rc;

	snprintf(why, sizeof why, "%s is tried again", a->r->step_id);
	for (int i = a->i + 1; i < a->l.n; i++) {
		struct step_row *r = &a->l.v[i];
		if (r->state != STEP_SKIPPED || r->done_by || !r->reason ||
		    strncmp(r->reason, "needs ", 6) || !step_list_depends(&a->l, i, a->i))
			continue;
		struct step_row *keep = a->r;
		int keep_i = a->i;
		a->r = r;
		a->i = i;
		r->state = STEP_PENDING;
		r->t_end = 0;
		step_row_set(&r->reason, NULL);
		rc = act_record(a, STEP_SKIPPED, why, err);
		a->r = keep;
		a->i = keep_i;
		if (rc)
			return rc;
	}
	return IRK_OK;
}

int play_step_retry(struct store *s, const struct actor *who, int64_t incident_id,
		    const char *step, const char *reason, struct irk_err *err)
{
	struct act a;
	char buf[600];
	int rc, before, kind;

	if (reason && strlen(reason) > REASON_MAX)
		return irk_fail(err, IRK_INVALID, "a reason is limited to %d bytes", REASON_MAX);
	if ((rc = act_begin(&a, s, who, incident_id, step, err)))
		return rc;
	if ((rc = may(&a, PLAY_RETRY, err)))
		return act_refuse(&a, err, rc);
	kind = step_kind_parse(a.r->kind);
	before = a.r->state;
	if (step_kind_has(kind, STEP_KIND_DECIDED) && before == STEP_FAILED) {
		/* Asked again: the one who retries is the one who asks. */
		a.r->state = STEP_WAITING;
		a.r->t_start = irk_now();
		step_row_set(&a.r->requested_by, who->name);
	} else if (step_kind_automated(kind) && (before == STEP_FAILED || before == STEP_WAITING)) {
		a.r->state = STEP_READY;
		a.r->next_attempt = 0;
		step_row_set(&a.r->lease_owner, NULL);
		a.r->lease_until = 0;
	}
	a.r->t_end = 0;
	step_row_set(&a.r->error, NULL);
	step_row_set(&a.r->done_by, NULL);
	step_row_set(&a.r->reason, NULL);
	snprintf(buf, sizeof buf, "retried by %s%s%s", who->name, reason && *reason ? ": " : "",
		 reason && *reason ? reason : "");
	if ((rc = act_record(&a, before, buf, err)) || (rc = revive_dependents(&a, err))) {
		act_abort(&a);
		return rc;
	}
	return act_commit(&a, err);
}

int play_step_skip(struct store *s, const struct actor *who, int64_t incident_id,
		   const char *step, const char *reason, struct irk_err *err)
{
	struct act a;
	int rc, before;

	if ((rc = need_reason(reason, "skipping a step", err)))
		return rc;
	if ((rc = act_begin(&a, s, who, incident_id, step, err)))
		return rc;
	if ((rc = may(&a, PLAY_SKIP, err)))
		return act_refuse(&a, err, rc);
	before = a.r->state;
	/* A running step is cancelled: the engine's lease no longer matches
	 * and its result is dropped. */
	act_end(&a, STEP_SKIPPED);
	step_row_set(&a.r->reason, reason);
	step_row_set(&a.r->lease_owner, NULL);
	a.r->lease_until = 0;
	if ((rc = act_record(&a, before, reason, err)) ||
	    (rc = play_skip_dependents(s, &a.l, a.i, "skipped", who->name, NULL, err))) {
		act_abort(&a);
		return rc;
	}
	return act_commit(&a, err);
}
