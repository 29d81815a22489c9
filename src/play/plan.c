/* plan.c: giving an incident its play and moving its steps along.
 *
 * A step starts pending. It becomes due when the incident has reached its
 * stage, every step it `needs` is done, and every step its `when` reads
 * (steps.ID..., score) has finished: a condition is only judged on
 * results that exist. Then `when` decides: false skips it, true makes it
 * ready (the engine runs it) or waiting (a person does it). A need that
 * was skipped or denied skips the step: it could never run. Closing the
 * incident cancels what has not finished.
 *
 * Every state change goes through play_step_record(), so each one is an
 * audit event in the same transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/incident.h"
#include "irk/jdoc.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "irk/template.h"
#include "kind.h"
#include "play_impl.h"

/* ---- owned step rows ---------------------------------------------------------- */

void step_row_set(const char **field, const char *value)
{
	free((char *)*field);
	*field = value ? xstrdup(value) : NULL;
}

static int list_add(const struct step_row *r, void *arg)
{
	struct step_list *l = arg;

	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
	store_step_row_copy(&l->v[l->n++], r);
	return 0;
}

int step_list_load(struct store *s, int64_t incident_id, struct step_list *l,
		   struct irk_err *err)
{
	*l = (struct step_list){ 0 };
	return store_step_each(s, incident_id, list_add, l, err);
}

void step_list_free(struct step_list *l)
{
	for (int i = 0; i < l->n; i++)
		store_step_row_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int step_list_find(const struct step_list *l, const char *id)
{
	for (int i = 0; id && i < l->n; i++)
		if (!strcmp(l->v[i].step_id, id))
			return i;
	return -1;
}

int step_state_final(int state)
{
	return state == STEP_DONE || state == STEP_FAILED || state == STEP_SKIPPED;
}

/* ---- stored definitions --------------------------------------------------------- */

void step_def_parse(struct step_def *d, const char *def_json)
{
	struct jdoc doc;
	struct jdoc_error je;
	int v;

	memset(d, 0, sizeof *d);
	d->role = ROLE_SENIOR;
	if (!def_json)
		return;
	jdoc_init(&doc);
	if (jdoc_parse(&doc, def_json, strlen(def_json), &je) || jdoc_type(&doc, 0) != JD_OBJECT) {
		jdoc_free(&doc);
		return;
	}
	if ((v = jdoc_get(&doc, 0, "needs")) >= 0 && jdoc_type(&doc, v) == JD_ARRAY) {
		d->needs = xcalloc(doc.t[v].len + 1, sizeof *d->needs);
		for (int e = jdoc_first(&doc, v); e >= 0; e = jdoc_next(&doc, v, e))
			if (jdoc_str(&doc, e))
				d->needs[d->nneeds++] = xstrdup(jdoc_str(&doc, e));
	}
	if ((v = jdoc_get(&doc, 0, "when")) >= 0 && jdoc_str(&doc, v))
		d->when = xstrdup(jdoc_str(&doc, v));
	if ((v = jdoc_get(&doc, 0, "role")) >= 0 && jdoc_str(&doc, v) &&
	    role_parse(jdoc_str(&doc, v)) >= 0)
		d->role = role_parse(jdoc_str(&doc, v));
	play_inputs_from(&d->in, &doc, jdoc_get(&doc, 0, "inputs"));
	if ((v = jdoc_get(&doc, 0, "checklist")) >= 0 && jdoc_type(&doc, v) == JD_ARRAY) {
		/* Every element counts: items are numbered by position (store_step_check). */
		d->checklist = xcalloc(doc.t[v].len + 1, sizeof *d->checklist);
		for (int e = jdoc_first(&doc, v); e >= 0; e = jdoc_next(&doc, v, e))
			d->checklist[d->nchecklist++] = xstrdup(jdoc_str(&doc, e) ? jdoc_str(&doc, e) : "");
	}
	d->checklist_required = jdoc_type(&doc, jdoc_get(&doc, 0, "checklist_required")) == JD_TRUE;
	d->on_failure = play_on_failure_parse(jdoc_str(&doc, jdoc_get(&doc, 0, "on_failure")),
					      d->on_failure_to, sizeof d->on_failure_to);
	if (d->on_failure < 0)
		d->on_failure = ON_FAILURE_STOP;
	jdoc_free(&doc);
}

void step_def_free(struct step_def *d)
{
	for (int i = 0; i < d->nneeds; i++)
		free(d->needs[i]);
	free(d->needs);
	free(d->when);
	play_inputs_free(&d->in);
	for (int i = 0; i < d->nchecklist; i++)
		free(d->checklist[i]);
	free(d->checklist);
	memset(d, 0, sizeof *d);
}

/* ---- recording a change ----------------------------------------------------------- */

static int step_event(struct store *s, const char *actor, const struct step_row *step,
		      int from, const char *why, const char *key, const char *json,
		      struct irk_err *err)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char kind[32];
	int rc;

	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "step", step->step_id);
	jsonw_kv_str(&w, "kind", step->kind);
	jsonw_kv_str(&w, "from", step_state_name(from));
	jsonw_kv_str(&w, "to", step_state_name(step->state));
	jsonw_kv_int(&w, "attempt", step->attempts);
	jsonw_kv_str(&w, "why", why && *why ? why : NULL);
	jsonw_kv_str(&w, "by", step->done_by);
	/* Who asked for an approval: the two-person rule reads it back. */
	if (!strcmp(step->kind, "approval"))
		jsonw_kv_str(&w, "asked", step->requested_by);
	if (key) {
		jsonw_key(&w, key);
		jsonw_raw(&w, json);
	}
	jsonw_obj_end(&w);
	snprintf(kind, sizeof kind, "step.%s", step_state_name(step->state));
	rc = audit_append(s, actor, step->incident_id, kind, strbuf_str(&js), NULL, err);
	strbuf_free(&js);
	return rc;
}

int play_step_event(struct store *s, const char *actor, const struct step_row *step,
		    int from, const char *why, struct irk_err *err)
{
	return step_event(s, actor, step, from, why, NULL, NULL, err);
}

/* Nothing stuck unseen: a required step that failed tells the holder and
 * the seniors (who may skip or force it); an approval that becomes due
 * tells those who may grant it. Messages go where notify steps' go (the
 * board's i, irk inbox, the outbox). */
static int tell(struct store *s, const struct step_row *r, int before_state, struct irk_err *err)
{
	int kind = step_kind_parse(r->kind);
	char key[24], text[600], role[32];
	struct incident inc;
	int rc = IRK_OK;

	if (r->state == before_state)
		return IRK_OK;
	if (step_kind_has(kind, STEP_KIND_DECIDED) ? r->state != STEP_WAITING
						   : !(r->state == STEP_FAILED && r->required))
		return IRK_OK;
	incident_key(r->incident_id, key, sizeof key);
	if (r->state == STEP_WAITING) {
		struct step_def d;
		step_def_parse(&d, r->def);
		snprintf(role, sizeof role, "role:%s", role_name(d.role));
		snprintf(text, sizeof text, "%s: approval %s (%s) waits for %s%s%s", key, r->step_id,
			 r->title ? r->title : r->step_id, role_with_article(d.role),
			 r->requested_by ? ", asked by " : "", r->requested_by ? r->requested_by : "");
		step_def_free(&d);
		return store_outbox_add(s, r->incident_id, r->id, role, text, irk_now(), NULL, err);
	}
	snprintf(text, sizeof text, "%s: required step %s failed after %d attempt%s: %s; retry it, "
		 "do it by hand or skip it", key, r->step_id, r->attempts, r->attempts == 1 ? "" : "s",
		 r->error ? r->error : "no reason given");
	if (store_incident_get(s, r->incident_id, &inc, NULL) == IRK_OK) {
		if (inc.owner)
			rc = store_outbox_add(s, r->incident_id, r->id, inc.owner, text, irk_now(), NULL,
					      err);
		incident_clear(&inc);
	}
	if (!rc)
		rc = store_outbox_add(s, r->incident_id, r->id, "role:senior", text, irk_now(), NULL,
				      err);
	return rc;
}

int play_step_record_with(struct store *s, const char *actor, const struct step_row *after,
			  int before_state, const char *why, const char *key, const char *json,
			  struct irk_err *err)
{
	int rc;

	if ((rc = store_step_update(s, after, before_state, err)) ||
	    (rc = step_event(s, actor, after, before_state, why, key, json, err)))
		return rc;
	return tell(s, after, before_state, err);
}

int play_step_record(struct store *s, const char *actor, const struct step_row *after,
		     int before_state, const char *why, struct irk_err *err)
{
	return play_step_record_with(s, actor, after, before_state, why, NULL, NULL, err);
}

/* Move l->v[i] to state, recorded; the copy follows on success. */
static int change(struct store *s, struct step_list *l, int i, int state, const char *why,
		  const char *actor, int *changed, struct irk_err *err)
{
	struct step_row *r = &l->v[i];
	int before = r->state, rc;

	r->state = state;
	if (state == STEP_SKIPPED) {
		r->t_end = irk_now();
		step_row_set(&r->reason, why);
	}
	rc = l->unsaved ? play_step_event(s, actor, r, before, why, err) :
			  play_step_record(s, actor, r, before, why, err);
	if (rc) {
		r->state = before;
		return rc;
	}
	if (changed)
		++*changed;
	return IRK_OK;
}

/* Does l->v[i] need l->v[from], directly or through other steps? */
static int depends_on(const struct step_list *l, int i, int from, int depth)
{
	struct step_def d;
	int hit = 0;

	if (depth > l->n)
		return 0;
	step_def_parse(&d, l->v[i].def);
	for (int k = 0; k < d.nneeds && !hit; k++) {
		int j = step_list_find(l, d.needs[k]);
		hit = j == from || (j >= 0 && j != i && depends_on(l, j, from, depth + 1));
	}
	step_def_free(&d);
	return hit;
}

int step_list_depends(const struct step_list *l, int i, int from)
{
	return depends_on(l, i, from, 0);
}

int play_skip_dependents(struct store *s, struct step_list *l, int from, const char *what,
			 const char *actor, int *changed, struct irk_err *err)
{
	char why[256];
	int rc;

	snprintf(why, sizeof why, "needs %s, which was %s", l->v[from].step_id, what);
	for (int i = from + 1; i < l->n; i++) {
		if (step_state_final(l->v[i].state) || l->v[i].state == STEP_RUNNING ||
		    !depends_on(l, i, from, 0))
			continue;
		/* Skipped by the planner, not by a person: done_by stays empty,
		 * which is how a retry of `from` knows it may bring it back. */
		step_row_set(&l->v[i].done_by, NULL);
		if ((rc = change(s, l, i, STEP_SKIPPED, why, actor, changed, err)))
			return rc;
	}
	return IRK_OK;
}

#define CANCELLED "cancelled: the incident was closed"

/* ---- advancing ------------------------------------------------------------------------ */

struct refs {
	const struct step_list *l;
	int at;
	int unfinished;          /* a step the condition reads has not finished */
};

static void ref_var(const char *name, int offset, void *arg)
{
	struct refs *r = arg;
	char id[64];

	(void)offset;
	if (!strcmp(name, "score")) {
		for (int j = 0; j < r->at; j++)
			if (play_kind_gives(step_kind_parse(r->l->v[j].kind), "score") &&
			    !step_state_final(r->l->v[j].state))
				r->unfinished = 1;
		return;
	}
	if (strncmp(name, "steps.", 6))
		return;
	size_t len = strcspn(name + 6, ".");
	if (len >= sizeof id)
		return;
	memcpy(id, name + 6, len);
	id[len] = '\0';
	int j = step_list_find(r->l, id);
	if (j >= 0 && j != r->at && !step_state_final(r->l->v[j].state))
		r->unfinished = 1;
}

enum { DUE_NOT_YET, DUE_SKIP, DUE_NOW };

/* What failed step j means for step i that needs it: its on_failure, with
 * goto:ID read as continue for ID and as skip-dependants for the rest. */
static int failed_leads(const struct step_list *l, int j, int i)
{
	struct step_def tmp;
	const struct step_def *d = l->defs ? &l->defs[j] : &tmp;
	int how;

	if (!l->defs)
		step_def_parse(&tmp, l->v[j].def);
	how = d->on_failure;
	if (how == ON_FAILURE_GOTO && !strcmp(d->on_failure_to, l->v[i].step_id))
		how = ON_FAILURE_CONTINUE;
	if (!l->defs)
		step_def_free(&tmp);
	return how;
}

/* Whether pending step i can be decided now; *why for a skip. */
static int due(const struct step_list *l, int i, const struct step_def *d,
	       const struct incident *inc, char *why, size_t n)
{
	int blocked = 0;

	for (int k = 0; k < d->nneeds; k++) {
		int j = step_list_find(l, d->needs[k]);
		if (j < 0)
			continue;
		const struct step_row *need = &l->v[j];
		if (need->state == STEP_SKIPPED) {
			snprintf(why, n, "needs %s, which was skipped", need->step_id);
			return DUE_SKIP;
		}
		if (need->state == STEP_FAILED &&
		    step_kind_has(step_kind_parse(need->kind), STEP_KIND_DECIDED)) {
			snprintf(why, n, "needs %s, which was denied", need->step_id);
			return DUE_SKIP;
		}
		if (need->state == STEP_FAILED) {
			switch (failed_leads(l, j, i)) {
			case ON_FAILURE_CONTINUE:
				continue;
			case ON_FAILURE_SKIP:
				snprintf(why, n, "needs %s, which failed (on_failure: skip-dependants)",
					 need->step_id);
				return DUE_SKIP;
			case ON_FAILURE_GOTO:
				snprintf(why, n, "needs %s, which failed and went on to another step "
					 "(on_failure: goto)", need->step_id);
				return DUE_SKIP;
			}
		}
		if (need->state != STEP_DONE)
			blocked = 1;
	}
	if (blocked || l->v[i].stage > inc->stage)
		return DUE_NOT_YET;
	return DUE_NOW;
}

/* The alert `when` conditions see: the caller's, else the incident's
 * first stored alert, read only when a condition is judged. */
struct lazy_alert {
	const struct alert *pa;
	struct play_alert_copy first;
	int tried;
};

static const struct alert *lazy_alert_get(struct store *s, int64_t incident_id,
					       struct lazy_alert *la)
{
	if (!la->pa && !la->tried) {
		la->tried = 1;
		if (!play_alert_first(s, incident_id, &la->first, NULL))
			la->pa = &la->first.pa;
	}
	return la->pa;
}

/* The verdict of step i's `when` (d->when) now: DUE_NOW when it holds or
 * there is none, DUE_SKIP with *why when it is false, DUE_NOT_YET while a
 * step it reads has not finished. One rule for the planner and the gate. */
static int judge_when(struct store *s, const struct incident *inc, const struct step_list *l,
		      int i, const struct step_def *d, struct play_fields **fields,
		      struct lazy_alert *la, char *why, size_t n)
{
	struct expr_error ee;
	struct expr *e;
	struct refs refs = { l, i, 0 };
	int verdict = DUE_NOW;

	if (!d->when)
		return DUE_NOW;
	if ((e = expr_parse(d->when, &ee)))
		expr_each_var(e, ref_var, &refs);
	if (refs.unfinished) {
		verdict = DUE_NOT_YET;
	} else {
		if (!*fields)
			*fields = play_fields_new(s, inc, lazy_alert_get(s, inc->id, la));
		else
			play_fields_reset_steps(*fields);
		if (l->unsaved)
			play_fields_use_steps(*fields, l->v, l->n);
		/* A stored condition that no longer parses cannot hold. */
		if (!e || !expr_eval(e, play_fields_lookup, *fields)) {
			snprintf(why, n, "when is false: %s", d->when);
			verdict = DUE_SKIP;
		}
	}
	expr_free(&e);
	return verdict;
}

static int advance_steps(struct store *s, struct incident *inc, struct step_list *l,
			 struct play_fields **fields, struct lazy_alert *la,
			 const char *actor, const char *due_by, int *changed, struct irk_err *err)
{
	int rc = IRK_OK;

	for (int i = 0; i < l->n && !rc; i++) {
		struct step_row *r = &l->v[i];
		struct step_def d;
		char why[512];
		int verdict;

		if (r->state != STEP_PENDING)
			continue;
		if (l->defs)
			d = l->defs[i];
		else
			step_def_parse(&d, r->def);
		verdict = due(l, i, &d, inc, why, sizeof why);
		if (verdict == DUE_NOW)
			verdict = judge_when(s, inc, l, i, &d, fields, la, why, sizeof why);
		if (verdict == DUE_SKIP) {
			rc = change(s, l, i, STEP_SKIPPED, why, actor, changed, err);
		} else if (verdict == DUE_NOW) {
			int kind = step_kind_parse(r->kind);
			const struct play_kind_ops *ops = play_kind(kind);
			if (step_kind_automated(kind)) {
				rc = change(s, l, i, STEP_READY, NULL, actor, changed, err);
			} else {
				r->t_start = irk_now();
				if (ops && ops->due)
					ops->due(r, inc, due_by);
				rc = change(s, l, i, STEP_WAITING, NULL, actor, changed, err);
			}
		}
		if (!l->defs)
			step_def_free(&d);
	}
	return rc;
}

/* play_advance_inc() where due_by (NULL: the play) is who made the steps
 * that become due now due. */
static int advance_inc(struct store *s, struct incident *inc, const struct alert *pa,
		       const char *actor, const char *due_by, int *changed, struct irk_err *err)
{
	struct step_list l;
	struct lazy_alert la = { .pa = pa };
	struct play_fields *fields = NULL;
	int rc;

	if (changed)
		*changed = 0;
	if ((rc = step_list_load(s, inc->id, &l, err)))
		return rc;
	if (inc->stage == STAGE_CLOSED) {
		for (int i = 0; i < l.n && !rc; i++)
			if (!step_state_final(l.v[i].state))
				rc = change(s, &l, i, STEP_SKIPPED, CANCELLED, actor, changed, err);
	} else {
		/* Reopened: what the close cancelled is back in play. */
		for (int i = 0; i < l.n && !rc; i++)
			if (l.v[i].state == STEP_SKIPPED && !l.v[i].done_by && l.v[i].reason &&
			    !strcmp(l.v[i].reason, CANCELLED)) {
				l.v[i].t_end = 0;
				step_row_set(&l.v[i].reason, NULL);
				rc = change(s, &l, i, STEP_PENDING, "the incident was reopened", actor,
					    changed, err);
			}
		if (!rc)
			rc = advance_steps(s, inc, &l, &fields, &la, actor, due_by, changed, err);
	}
	if (!rc && inc->play)
		rc = store_play_run_seen(s, inc->id, err);
	play_fields_free(&fields);
	if (la.pa == &la.first.pa)
		play_alert_copy_free(&la.first);
	step_list_free(&l);
	return rc;
}

int play_advance_inc(struct store *s, struct incident *inc, const struct alert *pa,
		     const char *actor, int *changed, struct irk_err *err)
{
	return advance_inc(s, inc, pa, actor, strcmp(actor, PLAY_ENGINE_ACTOR) ? actor : NULL,
			   changed, err);
}

int play_advance(struct store *s, int64_t incident_id, const char *actor, int *changed,
		 struct irk_err *err)
{
	struct incident inc;
	int rc;

	if ((rc = store_incident_get(s, incident_id, &inc, err)))
		return rc;
	rc = play_advance_inc(s, &inc, NULL, actor, changed, err);
	incident_clear(&inc);
	return rc;
}

struct ids {
	int64_t *v;
	size_t n;
};

static int collect_id(int64_t id, void *arg)
{
	struct ids *ids = arg;

	ids->v = xrealloc(ids->v, (ids->n + 1) * sizeof *ids->v);
	ids->v[ids->n++] = id;
	return 0;
}

int play_advance_stale(struct store *s, const char *actor, int64_t limit, int *changed,
		       struct irk_err *err)
{
	struct ids ids = { NULL, 0 };
	int rc, total = 0;

	if (changed)
		*changed = 0;
	if ((rc = store_play_run_stale(s, limit, collect_id, &ids, err)))
		return rc;
	for (size_t i = 0; i < ids.n && !rc; i++) {
		int n = 0;
		if ((rc = store_begin(s, err)))
			break;
		if ((rc = play_advance(s, ids.v[i], actor, &n, err))) {
			store_rollback(s);
			break;
		}
		rc = store_commit(s, err);
		total += n;
	}
	free(ids.v);
	if (changed)
		*changed = total;
	return rc;
}

/* ---- alerts from the store -------------------------------------------------------------- */

static int copy_first(const struct alert *a, void *arg)
{
	struct play_alert_copy *c = arg;
	const char **f[] = { &c->pa.rule_id, &c->pa.rule_name, &c->pa.host, &c->pa.src_ip,
		&c->pa.dst_ip, &c->pa.user, &c->pa.category };

	c->pa = *a;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		c->strs[i] = *f[i] ? xstrdup(*f[i]) : NULL;
		*f[i] = c->strs[i];
	}
	c->strs[7] = a->raw ? xstrndup(a->raw, a->raw_len) : NULL;
	c->pa.raw = c->strs[7];
	return 1;
}

int play_alert_first(struct store *s, int64_t incident_id, struct play_alert_copy *c,
		     struct irk_err *err)
{
	memset(c, 0, sizeof *c);
	return store_alert_first(s, incident_id, copy_first, c, err);
}

void play_alert_copy_free(struct play_alert_copy *c)
{
	for (size_t i = 0; i < sizeof c->strs / sizeof c->strs[0]; i++)
		free(c->strs[i]);
	memset(c, 0, sizeof *c);
}

/* ---- assignment ------------------------------------------------------------------------------ */

/* What the play says of the incident: its play and version, category,
 * and a severity it may raise, never lower (then the priority follows). */
static void apply_play(const struct play *p, struct incident *inc)
{
	int sev0 = inc->severity;

	free(inc->play);
	free(inc->play_version);
	inc->play = xstrdup(p->id);
	inc->play_version = xstrdup(p->hash);
	if (p->category) {
		free(inc->category);
		inc->category = xstrdup(p->category);
	}
	if (p->severity > inc->severity)
		inc->severity = p->severity;
	if (inc->severity != sev0)
		inc->priority = priority_compute(inc->severity, inc->asset_criticality,
						 inc->confidence);
}

/* The version p is, kept once in the store with its steps' definitions,
 * which the step rows refer to. */
static int record_version(struct store *s, const struct play *p, struct irk_err *err)
{
	const char **ids = xcalloc((size_t)p->nsteps + 1, sizeof *ids);
	const char **defs = xcalloc((size_t)p->nsteps + 1, sizeof *defs);
	int rc;

	for (int i = 0; i < p->nsteps; i++) {
		ids[i] = p->steps[i].id;
		defs[i] = p->steps[i].def;
	}
	rc = store_play_put(s, p->hash, p->id, p->version, p->name, p->path, p->source,
			    irk_now(), err);
	if (!rc)
		rc = store_play_steps_put(s, p->hash, p->nsteps, ids, defs, err);
	free(ids);
	free(defs);
	return rc;
}

int play_record(struct store *s, const struct play *p, struct irk_err *err)
{
	return record_version(s, p, err);
}

/* Lay out p's steps for inc (stored, its play recorded on it) and plan
 * them in memory: each step row is INSERTed once, in the state planning
 * gives it, referring to the version's definition. The events are those
 * of steps laid out pending and then advanced: play.assign, then one per
 * step that changed. */
static int lay_out(struct store *s, const struct play *p, struct incident *inc,
		   const struct alert *a, const char *actor, struct irk_err *err)
{
	struct step_list l = { xcalloc((size_t)p->nsteps + 1, sizeof *l.v), p->nsteps, 1,
			       p->plan_defs };
	struct lazy_alert la = { .pa = a };
	struct play_fields *f, *fields = NULL;
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	int rc;

	if ((rc = record_version(s, p, err)) ||
	    (rc = store_play_run_add(s, inc->id, p->id, p->hash, err)))
		goto out;
	f = play_fields_new(NULL, inc, a);
	for (int i = 0; i < p->nsteps; i++) {
		const struct play_step *ps = &p->steps[i];
		/* Titles may name the host or the user: expanded once, here;
		 * one that reads what later steps produce keeps its braces. */
		char *title = tmpl_render(ps->title, play_fields_lookup, f, NULL);
		l.v[i] = (struct step_row){
			.incident_id = inc->id, .step_id = xstrdup(ps->id), .seq = i,
			.kind = xstrdup(step_kind_name(ps->kind)), .stage = ps->stage,
			.title = title ? title : xstrdup(ps->title ? ps->title : ""),
			.required = ps->required, .retry = ps->retry,
			.def = xstrdup(ps->def), .state = STEP_PENDING,
		};
	}
	play_fields_free(&f);
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "play", p->id);
	jsonw_kv_str(&w, "name", p->name);
	jsonw_kv_str(&w, "version", p->version);
	jsonw_kv_str(&w, "hash", p->hash);
	jsonw_kv_int(&w, "steps", p->nsteps);
	jsonw_obj_end(&w);
	rc = audit_append(s, actor, inc->id, "play.assign", strbuf_str(&js), NULL, err);
	strbuf_free(&js);
	if (!rc && inc->stage == STAGE_CLOSED) {
		for (int i = 0; i < l.n && !rc; i++)
			rc = change(s, &l, i, STEP_SKIPPED, CANCELLED, actor, NULL, err);
	} else if (!rc) {
		rc = advance_steps(s, inc, &l, &fields, &la, actor, NULL, NULL, err);
	}
	for (int i = 0; i < l.n && !rc; i++) {
		/* The version keeps the definition; the row refers to it. Then
		 * those who may grant an approval due at once are told, as
		 * change() tells them of a saved step. */
		const char *def = l.v[i].def;
		l.v[i].def = NULL;
		rc = store_step_insert(s, &l.v[i], &l.v[i].id, err);
		l.v[i].def = def;
		if (!rc)
			rc = tell(s, &l.v[i], STEP_PENDING, err);
	}
	play_fields_free(&fields);
	if (la.pa == &la.first.pa)
		play_alert_copy_free(&la.first);
out:
	step_list_free(&l);
	return rc;
}

int play_assign(struct store *s, const struct play *p, struct incident *inc,
		const struct alert *a, const char *actor, struct irk_err *err)
{
	int rc;

	apply_play(p, inc);
	if ((rc = store_incident_update(s, inc, actor, err)))
		return rc;
	return lay_out(s, p, inc, a, actor, err);
}

/* Set aside the play inc runs for p (inside the caller's transaction):
 * its steps that did not finish are cancelled, saying why; once any ran
 * (done, failed, running, or skipped by a person) only a senior may, with
 * a reason; a running step must end first. The old rows stay, their ids
 * prefixed with the old play's ("phishing/triage"), listed first. */
static int change_play(struct store *s, const struct actor *who, struct incident *inc,
		       const struct play *p, const char *reason, const char *key,
		       struct irk_err *err)
{
	struct step_list l;
	struct strbuf ran = STRBUF_INIT, js = STRBUF_INIT;
	struct jsonw w;
	char why[160], prefix[80];
	int rc, n = 0;

	if ((rc = step_list_load(s, inc->id, &l, err)))
		return rc;
	for (int i = 0; i < l.n; i++) {
		const struct step_row *r = &l.v[i];
		if (r->state == STEP_RUNNING) {
			rc = irk_fail(err, IRK_REFUSED, "%s: step %s of play %s is running; change "
				      "the play once it ends", key, r->step_id, inc->play);
			goto out;
		}
		if (r->state == STEP_DONE || r->state == STEP_FAILED ||
		    (r->state == STEP_SKIPPED && r->done_by))
			strbuf_printf(&ran, "%s%s", n++ ? ", " : "", r->step_id);
	}
	if (n && !actor_is_senior(who)) {
		rc = irk_fail(err, IRK_REFUSED, "%s runs play %s and its steps ran "
				   "(%s): a senior changes its play, with a reason", key, inc->play,
				   strbuf_str(&ran));
		goto out;
	}
	if (n && (!reason || !*reason)) {
		rc = irk_fail_need(err, IRK_INVALID, NEED_REASON, "changing the play of %s after its "
				   "steps ran (%s) needs a reason", key, strbuf_str(&ran));
		goto out;
	}
	snprintf(why, sizeof why, "cancelled: the play changed to %s", p->id);
	for (int i = 0; i < l.n && !rc; i++)
		if (!step_state_final(l.v[i].state))
			rc = change(s, &l, i, STEP_SKIPPED, why, who->name, NULL, err);
	if (rc)
		goto out;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "from", inc->play);
	jsonw_kv_str(&w, "to", p->id);
	if (reason && *reason)
		jsonw_kv_str(&w, "reason", reason);
	jsonw_obj_end(&w);
	if ((rc = audit_append(s, who->name, inc->id, "play.change", strbuf_str(&js), NULL, err)))
		goto out;
	snprintf(prefix, sizeof prefix, "%.70s/", inc->play);
	rc = store_play_run_retire(s, inc->id, prefix, 1000000, err);
out:
	strbuf_free(&ran);
	strbuf_free(&js);
	step_list_free(&l);
	return rc;
}

int play_attach(struct store *s, const struct actor *who, int64_t id, const struct play *p,
		const char *reason, struct irk_err *err)
{
	struct incident inc;
	char key[24];
	int rc;

	incident_key(id, key, sizeof key);
	if ((rc = store_begin(s, err)))
		return rc;
	if ((rc = store_incident_get(s, id, &inc, err)))
		goto out;
	if (inc.stage == STAGE_CLOSED)
		rc = irk_fail_need(err, IRK_REFUSED, NEED_REOPEN, "%s is closed; reopen it to give "
				   "it a play", key);
	else if (inc.play && !strcmp(inc.play, p->id))
		rc = irk_fail(err, IRK_REFUSED, "%s runs play %s already", key, p->id);
	else if ((rc = incident_holder_check(who, &inc, err)))
		;
	else if (inc.play && (rc = change_play(s, who, &inc, p, reason, key, err)))
		;
	else
		rc = play_assign(s, p, &inc, NULL, who->name, err);
	incident_clear(&inc);
out:
	if (!rc)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	return rc;
}

int play_storm_of(const struct alert *a, void *arg, int64_t *threshold)
{
	struct play_catalog *c = arg;
	const struct play *hit;
	struct play_fields *f;
	size_t i;
	/* The incident the alert would open, as far as a match can see it
	 * before it is written. */
	struct incident inc = {
		.title = (char *)(a->rule_name && *a->rule_name ? a->rule_name : alert_rule(a)),
		.severity = a->severity, .confidence = 50, .category = (char *)a->category,
		.rule = (char *)alert_rule(a), .host = (char *)a->host, .src_ip = (char *)a->src_ip,
		.t_first_event = a->event_time, .t_last_event = a->event_time,
	};

	*threshold = 0;
	/* Most catalogs say nothing of storms: no matching for them. */
	for (i = 0; c && i < c->n && c->v[i]->storm == PLAY_STORM_CONF; i++)
		;
	if (!c || i == c->n)
		return -1;
	f = play_fields_new(NULL, &inc, a);
	hit = play_catalog_match(c, f);
	play_fields_free(&f);
	if (!hit || hit->storm == PLAY_STORM_CONF)
		return -1;
	*threshold = hit->storm_threshold;
	return hit->storm == PLAY_STORM_ON;
}

int play_on_new_incident(struct store *s, struct incident *inc, const struct alert *a,
			 void *arg, struct irk_err *err)
{
	struct play_catalog *c = arg;
	struct play_fields *f;
	const struct play *hit;
	char actor[64];

	if (!c || !c->n)
		return IRK_OK;
	f = play_fields_new(NULL, inc, a);
	hit = play_catalog_match(c, f);
	play_fields_free(&f);
	if (!hit)
		return IRK_OK;
	/* Who opened it assigns the play; a copy, since saving the incident
	 * replaces inc->updated_by. */
	irk_strlcpy(actor, inc->updated_by ? inc->updated_by : PLAY_ENGINE_ACTOR, sizeof actor);
	return play_assign(s, hit, inc, a, actor, err);
}

int play_open_incident(struct store *s, const char *actor, struct incident *inc,
		       const struct alert *a, const char *source_json, void *arg,
		       struct irk_err *err)
{
	struct play_catalog *c = arg;
	const struct play *hit = NULL;
	int rc;

	/* The incident as incident_open() will store it, less its key. */
	inc->stage = STAGE_NEW;
	if (!inc->priority)
		inc->priority = priority_compute(inc->severity, inc->asset_criticality,
						 inc->confidence);
	if (c && c->n) {
		struct play_fields *f = play_fields_new(NULL, inc, a);
		hit = play_catalog_match(c, f);
		play_fields_free(&f);
	}
	if (hit)
		apply_play(hit, inc);
	if ((rc = incident_open(s, actor, inc, source_json, err)) || !hit)
		return rc;
	return lay_out(s, hit, inc, a, actor, err);
}

/* ---- the gate ----------------------------------------------------------------------------- */

/* Would the planner skip step i, pending now (a need skipped or denied,
 * or one it would skip itself; a `when` false now)? The move that reached
 * its stage may not have been planned yet (the sequencer plans it a
 * moment later): the gate must not wait for a step about to be skipped. */
static int would_skip(struct store *s, const struct incident *inc, const struct step_list *l,
		      int i, struct play_fields **fields, struct lazy_alert *la, int depth)
{
	const struct step_row *r = &l->v[i];
	struct step_def d;
	char why[512];
	int skip = 0;

	if (r->state == STEP_SKIPPED)
		return 1;
	if (r->state != STEP_PENDING || depth > l->n)
		return 0;
	step_def_parse(&d, r->def);
	skip = due(l, i, &d, inc, why, sizeof why) == DUE_SKIP ||
	       judge_when(s, inc, l, i, &d, fields, la, why, sizeof why) == DUE_SKIP;
	for (int k = 0; !skip && k < d.nneeds; k++) {
		int j = step_list_find(l, d.needs[k]);
		skip = j >= 0 && would_skip(s, inc, l, j, fields, la, depth + 1);
	}
	step_def_free(&d);
	return skip;
}

/* What keeps required step i from being finished, into out ("waits for
 * approval by a senior"); 0 when it does not block the gate at all: a
 * denied approval (a decision; its dependants are skipped), or a pending
 * step the planner would skip (a need skipped or denied, a `when` that is
 * false now). */
static int blocks(struct store *s, const struct incident *inc, const struct step_list *l, int i,
		  struct play_fields **fields, struct lazy_alert *la, struct strbuf *out)
{
	const struct step_row *r = &l->v[i];
	int kind = step_kind_parse(r->kind);
	struct step_def d;
	char why[512];
	int verdict, hit = 1;

	step_def_parse(&d, r->def);
	switch (r->state) {
	case STEP_PENDING: {
		/* As the planner will judge it: a need skipped or denied, or a
		 * `when` already false (alternatives: purge when the mail
		 * server has an API, purge-by-hand when not), skip it. */
		int w = DUE_NOW;
		verdict = due(l, i, &d, inc, why, sizeof why);
		if (verdict != DUE_SKIP)
			w = judge_when(s, inc, l, i, &d, fields, la, why, sizeof why);
		if (verdict == DUE_SKIP || w == DUE_SKIP) {
			hit = 0;
			break;
		}
		for (int k = 0; k < d.nneeds && hit; k++) {
			int j = step_list_find(l, d.needs[k]);
			if (j >= 0 && would_skip(s, inc, l, j, fields, la, 0))
				hit = 0;
		}
		if (!hit)
			break;
		for (int k = 0; verdict == DUE_NOT_YET && k < d.nneeds; k++) {
			int j = step_list_find(l, d.needs[k]);
			if (j < 0 || l->v[j].state == STEP_DONE)
				continue;
			const struct step_row *need = &l->v[j];
			strbuf_printf(out, "waits for %s", need->step_id);
			if (need->state == STEP_FAILED)
				strbuf_puts(out, ", which failed");
			else if (step_kind_has(step_kind_parse(need->kind), STEP_KIND_DECIDED)) {
				struct step_def nd;
				step_def_parse(&nd, need->def);
				strbuf_printf(out, ", an approval by %s", role_with_article(nd.role));
				step_def_free(&nd);
			}
			goto out;
		}
		if (w == DUE_NOT_YET)
			strbuf_puts(out, "its condition waits for the steps it reads");
		else
			strbuf_puts(out, "not started");
		break;
	}
	case STEP_WAITING:
		if (step_kind_has(kind, STEP_KIND_DECIDED))
			strbuf_printf(out, "waits for approval by %s", role_with_article(d.role));
		else if (step_kind_automated(kind))
			strbuf_puts(out, "waits for a person to retry, do or skip it");
		else if (r->assignee)
			strbuf_printf(out, "waits for %s", r->assignee);
		else
			strbuf_puts(out, "waits for a person");
		break;
	case STEP_READY:
		strbuf_puts(out, "waits for the sequencer");
		break;
	case STEP_RUNNING:
		strbuf_puts(out, "is running");
		break;
	case STEP_FAILED:
		if (step_kind_has(kind, STEP_KIND_DECIDED))
			hit = 0;
		else
			strbuf_printf(out, "failed%s%s", r->error ? ": " : "", r->error ? r->error : "");
		break;
	default:
		hit = 0;
	}
out:
	step_def_free(&d);
	return hit;
}

int play_gate(struct store *s, const struct incident *inc, int stage, struct strbuf *why,
	      struct irk_err *err)
{
	struct step_list l;
	struct lazy_alert la = { 0 };
	struct play_fields *fields = NULL;
	struct strbuf what = STRBUF_INIT;
	int n = 0;

	if (step_list_load(s, inc->id, &l, err))
		return -1;
	for (int i = 0; i < l.n; i++) {
		const struct step_row *r = &l.v[i];
		if (r->stage != stage || !r->required || r->state == STEP_DONE ||
		    r->state == STEP_SKIPPED)
			continue;
		strbuf_reset(&what);
		if (!blocks(s, inc, &l, i, &fields, &la, &what))
			continue;
		strbuf_printf(why, "%s%s (%s)", n ? ", " : "", r->step_id, strbuf_str(&what));
		n++;
	}
	strbuf_free(&what);
	play_fields_free(&fields);
	if (la.pa == &la.first.pa)
		play_alert_copy_free(&la.first);
	step_list_free(&l);
	return n;
}

/* ---- what waits for whom ------------------------------------------------------------------ */

struct grantable {
	const struct actor *who;
	int (*fn)(int64_t id, void *arg);
	void *arg;
	int64_t last;
};

static int grantable_row(const struct step_row *r, void *arg)
{
	struct grantable *g = arg;

	if (r->incident_id == g->last || !play_may_grant(g->who, r))
		return 0;
	g->last = r->incident_id;
	return g->fn(r->incident_id, g->arg);
}

int play_approvals_for(struct store *s, const struct actor *who,
		       int (*fn)(int64_t id, void *arg), void *arg, struct irk_err *err)
{
	struct grantable g = { who, fn, arg, 0 };

	return store_step_approvals(s, grantable_row, &g, err);
}

int play_pending_each(struct store *s, const struct incident *inc,
		      int (*fn)(const char *step_id, const char *why, void *arg), void *arg,
		      struct irk_err *err)
{
	struct step_list l;
	struct lazy_alert la = { 0 };
	struct play_fields *fields = NULL;
	struct strbuf what = STRBUF_INIT;
	int rc = IRK_OK;

	if (step_list_load(s, inc->id, &l, err))
		return IRK_ERROR;
	for (int i = 0; i < l.n && !rc; i++) {
		if (l.v[i].state != STEP_PENDING || l.v[i].stage > inc->stage)
			continue;
		strbuf_reset(&what);
		if (blocks(s, inc, &l, i, &fields, &la, &what) && what.len)
			rc = fn(l.v[i].step_id, strbuf_str(&what), arg);
	}
	strbuf_free(&what);
	play_fields_free(&fields);
	if (la.pa == &la.first.pa)
		play_alert_copy_free(&la.first);
	step_list_free(&l);
	return rc < 0 ? IRK_ERROR : IRK_OK;
}
