/* demo_steps.c: the demo's people and sequencer for incidents that run a
 * play (when the caller passes the plays hook to demo_fill()).
 *
 * People work through the real step functions of the play layer: manual
 * steps are done with inputs that fit their labels, approvals are granted
 * by a senior who did not ask for them. The sequencer is simulated: the
 * demo runs no program, playbook or request, so an automated step that
 * becomes ready is recorded as running and then done by "engine", with an
 * output that says it was simulated. So no automated step is left ready for
 * a real sequencer to run against the demo's invented hosts later, and the
 * gates of the lifecycle see the steps they expect. */
#include <stdlib.h>
#include <string.h>

#include "irk/clock.h"
#include "irk/incident.h"
#include "irk/jdoc.h"
#include "irk/play.h"
#include "irk/store.h"
#include "demo_impl.h"

#define DEMO_OUTPUT "{\"simulated\":true,\"note\":\"irk demo recorded this step as done without running it\"}"

/* A step, copied out of the borrowed row. */
struct step_copy {
	struct step_row r;
	char *s[14];           /* owned strings behind r's pointers */
};

static void copy_free(struct step_copy *c)
{
	for (size_t i = 0; i < sizeof c->s / sizeof c->s[0]; i++)
		free(c->s[i]);
}

struct steps {
	struct step_copy *v;
	size_t n, cap;
};

static int collect(const struct step_row *st, void *arg)
{
	struct steps *l = arg;
	struct step_copy *c;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	c = &l->v[l->n++];
	memset(c, 0, sizeof *c);
	c->r = *st;
	const char **slot[] = { &c->r.step_id, &c->r.kind, &c->r.title, &c->r.assignee,
		&c->r.lease_owner, &c->r.output, &c->r.error, &c->r.def, &c->r.inputs, &c->r.log,
		&c->r.requested_by, &c->r.done_by, &c->r.reason };
	for (size_t i = 0; i < sizeof slot / sizeof slot[0]; i++) {
		c->s[i] = *slot[i] ? xstrdup(*slot[i]) : NULL;
		*slot[i] = c->s[i];
	}
	return 0;
}

static void steps_free(struct steps *l)
{
	for (size_t i = 0; i < l->n; i++)
		copy_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Steps take a little time each. */
static void tick(struct demo_stepper *w, int lo, int hi)
{
	*w->now += demo_rng_range(w->r, lo, hi);
	if (*w->now > w->end)
		*w->now = w->end;
	irk_clock_set(*w->now);
}

/* The sequencer's part: every ready automated step becomes running, then
 * done with the simulated output; the play then advances (steps that need
 * them). Repeats while that makes more ready. *done counts them. */
static int run_ready(struct demo_stepper *w, int64_t id, int *done)
{
	for (int pass = 0; pass < 16; pass++) {
		struct steps l = { NULL, 0, 0 };
		int rc = IRK_OK, ran = 0;

		if ((rc = store_step_each(w->s, id, collect, &l, w->err)))
			return rc;
		for (size_t i = 0; i < l.n && !rc; i++) {
			struct step_row *r = &l.v[i].r;
			if (r->state != STEP_READY || !step_kind_automated(step_kind_parse(r->kind)))
				continue;
			tick(w, 1, 20);
			if ((rc = store_begin(w->s, w->err)))
				break;
			r->state = STEP_RUNNING;
			r->attempts++;
			r->t_start = *w->now;
			r->lease_owner = "demo";
			r->lease_until = *w->now + 300;
			rc = play_step_record(w->s, "engine", r, STEP_READY, NULL, w->err);
			if (!rc) {
				tick(w, 1, 40);
				r->state = STEP_DONE;
				r->t_end = *w->now;
				r->lease_owner = NULL;
				r->lease_until = 0;
				r->output = DEMO_OUTPUT;
				rc = play_step_record(w->s, "engine", r, STEP_RUNNING,
						      "simulated by irk demo", w->err);
			}
			if (!rc)
				rc = play_advance(w->s, id, "engine", NULL, w->err);
			if (!rc)
				rc = store_commit(w->s, w->err);
			else
				store_rollback(w->s);
			ran++;
		}
		steps_free(&l);
		if (rc)
			return rc;
		if (done)
			*done += ran;
		if (!ran)
			break;
	}
	return IRK_OK;
}

int demo_steps_advance(struct demo_stepper *w, int64_t id, const char *actor)
{
	int rc;

	if ((rc = store_begin(w->s, w->err)))
		return rc;
	if ((rc = play_advance(w->s, id, actor, NULL, w->err))) {
		store_rollback(w->s);
		return rc;
	}
	if ((rc = store_commit(w->s, w->err)))
		return rc;
	return run_ready(w, id, NULL);
}

/* Values for the declared inputs of a manual step (all of them: people
 * fill in what they know), from the step definition's labels. */
static void step_inputs(struct demo_stepper *w, int64_t id, const char *def, char ***out, int *n)
{
	struct jdoc doc;
	struct jdoc_error jerr;
	int v;

	*out = NULL;
	*n = 0;
	jdoc_init(&doc);
	if (def && !jdoc_parse(&doc, def, strlen(def), &jerr) &&
	    (v = jdoc_get(&doc, 0, "inputs")) >= 0 && jdoc_type(&doc, v) == JD_ARRAY) {
		*out = xcalloc((size_t)doc.t[v].len + 1, sizeof **out);
		for (int e = jdoc_first(&doc, v); e >= 0; e = jdoc_next(&doc, v, e)) {
			const char *name = jdoc_str(&doc, e), *label = NULL;
			if (jdoc_type(&doc, e) == JD_OBJECT) {
				name = jdoc_str(&doc, jdoc_get(&doc, e, "name"));
				label = jdoc_str(&doc, jdoc_get(&doc, e, "label"));
			}
			if (!name)
				continue;
			struct strbuf sb = STRBUF_INIT;
			strbuf_printf(&sb, "%s=", name);
			size_t at = sb.len;
			w->input(w->arg, id, name, label ? label : "", &sb);
			if (sb.len == at)
				strbuf_puts(&sb, "see notes");
			(*out)[(*n)++] = strbuf_detach(&sb);
		}
	}
	jdoc_free(&doc);
}

/* The role an approval needs (senior unless its definition says). */
static int approval_role(const char *def)
{
	struct jdoc doc;
	struct jdoc_error jerr;
	int role = ROLE_SENIOR;

	jdoc_init(&doc);
	if (def && !jdoc_parse(&doc, def, strlen(def), &jerr)) {
		const char *r = jdoc_str(&doc, jdoc_get(&doc, 0, "role"));
		if (r && role_parse(r) >= 0)
			role = role_parse(r);
	}
	jdoc_free(&doc);
	return role;
}

/* Someone who may grant an approval for role and did not ask for it. */
static int approver(struct demo_stepper *w, int role, const char *asked, struct actor *a)
{
	int n = 0, pick[16];

	for (int i = 0; i < demo_nteam && n < 16; i++) {
		int r = demo_team[i].role;
		int ok = role == ROLE_ANALYST || r == ROLE_ADMIN || (role == ROLE_SENIOR && r == ROLE_SENIOR);
		if (ok && (!asked || strcmp(asked, demo_team[i].name)) && demo_team[i].joins == 0)
			pick[n++] = i;
	}
	if (!n)
		return -1;
	int i = pick[demo_rng_range(w->r, 0, n - 1)];
	irk_strlcpy(a->name, demo_team[i].name, sizeof a->name);
	a->role = demo_team[i].role;
	return 0;
}

/* One person's step: done, approved, or (when refused) skipped by a
 * senior with the reason. */
static int person_step(struct demo_stepper *w, int64_t id, struct step_row *r,
		       const struct actor *who, int *acted)
{
	int kind = step_kind_parse(r->kind), rc;
	struct irk_err e2 = { 0 };

	tick(w, 120, 1500);
	if (kind == KIND_APPROVAL) {
		struct actor a;
		if (approver(w, approval_role(r->def), r->requested_by, &a))
			return IRK_OK;
		rc = play_step_approve(w->s, &a, id, r->step_id, &e2);
	} else {
		char **in;
		int n;
		step_inputs(w, id, r->def, &in, &n);
		rc = play_step_done(w->s, who, id, r->step_id, in, n, &e2);
		for (int k = 0; k < n; k++)
			free(in[k]);
		free(in);
	}
	if (rc == IRK_REFUSED || rc == IRK_INVALID) {
		/* Whatever the play asks that the demo cannot give: a senior
		 * skips it and says why. */
		struct actor s;
		struct strbuf why = STRBUF_INIT;
		if (approver(w, ROLE_SENIOR, NULL, &s))
			return irk_fail(w->err, IRK_ERROR, "demo: no senior to skip step %s", r->step_id);
		strbuf_printf(&why, "not needed here (%s)", e2.msg);
		rc = play_step_skip(w->s, &s, id, r->step_id, why.buf, w->err);
		strbuf_free(&why);
	} else if (rc) {
		*w->err = e2;
	}
	if (!rc)
		(*acted)++;
	return rc;
}

int demo_steps_work(struct demo_stepper *w, int64_t id, int stage, const struct actor *who)
{
	for (int pass = 0; pass < 16; pass++) {
		struct steps l = { NULL, 0, 0 };
		int rc, acted = 0;

		if ((rc = run_ready(w, id, &acted)))
			return rc;
		if ((rc = store_step_each(w->s, id, collect, &l, w->err)))
			return rc;
		for (size_t i = 0; i < l.n && !rc; i++) {
			struct step_row *r = &l.v[i].r;
			int automated = step_kind_automated(step_kind_parse(r->kind));
			if (r->stage > stage)
				continue;
			if (r->state == STEP_WAITING || (r->state == STEP_READY && !automated) ||
			    (r->state == STEP_FAILED && automated && r->required))
				rc = person_step(w, id, r, who, &acted);
		}
		steps_free(&l);
		if (rc)
			return rc;
		if (!acted)
			break;
	}
	return IRK_OK;
}
