/* incident.c: the lifecycle rules (see incident.h). */
#include <stdlib.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/guess.h"
#include "irk/identity.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/store.h"

void actor_load(struct store *s, struct actor *a)
{
	irk_strlcpy(a->name, identity_name(), sizeof a->name);
	a->role = s ? store_user_role(s, a->name) : -1;
	if (a->role < 0)
		a->role = ROLE_ANALYST;
}

int actor_is_senior(const struct actor *a)
{
	return a->role == ROLE_SENIOR || a->role == ROLE_ADMIN;
}

/* The skeleton of every change: begin, load, check the version the caller
 * saw. On success the transaction is open and *inc loaded. */
static int begin_change(struct store *s, int64_t id, int64_t expect_version,
			struct incident *inc, struct irk_err *err)
{
	char key[24];

	if (store_begin(s, err))
		return IRK_ERROR;
	if (store_incident_get(s, id, inc, err)) {
		store_rollback(s);
		return err ? err->code : IRK_ERROR;
	}
	if (expect_version > 0 && inc->version != expect_version) {
		irk_fail_need(err, IRK_CONFLICT, NEED_RELOAD,
			 "%s was changed by %s since you loaded it (version %lld, now %lld)",
			 incident_key(id, key, sizeof key),
			 inc->updated_by ? inc->updated_by : "someone",
			 (long long)expect_version, (long long)inc->version);
		store_rollback(s);
		incident_clear(inc);
		return IRK_CONFLICT;
	}
	return IRK_OK;
}

/* Save inc, append the audit event built in *js, commit. Frees inc. */
static int finish_change(struct store *s, const char *actor, struct incident *inc,
			 const char *kind, struct strbuf *js, struct irk_err *err)
{
	int rc = store_incident_update(s, inc, actor, err);

	if (!rc)
		rc = audit_append(s, actor, inc->id, kind, strbuf_str(js), NULL, err);
	if (!rc)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	incident_clear(inc);
	strbuf_free(js);
	return rc;
}

static void abort_change(struct store *s, struct incident *inc)
{
	store_rollback(s);
	incident_clear(inc);
}

/* The holder's rule: an incident someone holds is theirs to change; a
 * senior or admin may change it too (the event then names the holder),
 * and one nobody holds is open to all. */
static int check_holder(const struct actor *who, const struct incident *inc,
			struct irk_err *err)
{
	char key[24];

	if (!inc->owner || !strcmp(inc->owner, who->name) || actor_is_senior(who))
		return IRK_OK;
	return irk_fail(err, IRK_REFUSED, "%s is held by %s; only %s or a senior can change it",
			incident_key(inc->id, key, sizeof key), inc->owner, inc->owner);
}

/* "held_by" in the event of a senior's change to someone else's incident. */
static void note_holder(struct jsonw *w, const struct actor *who, const struct incident *inc)
{
	if (inc->owner && strcmp(inc->owner, who->name))
		jsonw_kv_str(w, "held_by", inc->owner);
}

int incident_may_change(struct store *s, const struct actor *who, int64_t id,
			struct irk_err *err)
{
	struct incident inc;
	int rc;

	if ((rc = store_incident_get(s, id, &inc, err)))
		return rc;
	rc = check_holder(who, &inc, err);
	incident_clear(&inc);
	return rc;
}

int incident_open(struct store *s, const char *actor, struct incident *inc,
		  const char *extra_json, struct irk_err *err)
{
	struct stage_move m = { 0 };
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char key[24];
	int rc;

	inc->stage = STAGE_NEW;
	if (!inc->priority)
		inc->priority = priority_compute(inc->severity, inc->asset_criticality,
						 inc->confidence);
	if (!inc->updated_by)
		inc->updated_by = xstrdup(actor);
	if ((rc = store_incident_insert(s, inc, err)))
		return rc;
	m.incident_id = inc->id;
	m.from = -1;
	m.to = STAGE_NEW;
	m.at = inc->t_detected;
	irk_strlcpy(m.actor, actor, sizeof m.actor);
	if ((rc = store_history_add(s, &m, err)))
		return rc;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "key", incident_key(inc->id, key, sizeof key));
	jsonw_kv_str(&w, "title", inc->title);
	jsonw_kv_str(&w, "severity", severity_name(inc->severity));
	jsonw_kv_int(&w, "priority", inc->priority);
	if (extra_json) {
		jsonw_key(&w, "source");
		jsonw_raw(&w, extra_json);
	}
	jsonw_obj_end(&w);
	rc = audit_append(s, actor, inc->id, "incident.open", js.buf, NULL, err);
	strbuf_free(&js);
	return rc;
}

int incident_claim(struct store *s, const struct actor *who, int64_t id,
		   int64_t expect_version, int force, struct irk_err *err)
{
	struct incident inc;
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char key[24], *prev = NULL;
	int rc;

	incident_key(id, key, sizeof key);
	if ((rc = begin_change(s, id, expect_version, &inc, err)))
		return rc;
	if (inc.stage == STAGE_CLOSED) {
		abort_change(s, &inc);
		return irk_fail_need(err, IRK_REFUSED, NEED_REOPEN,
				     "%s is closed; move it back to a stage to reopen it first", key);
	}
	if (inc.owner && !strcmp(inc.owner, who->name)) {
		abort_change(s, &inc);
		return irk_fail(err, IRK_OK, "%s is already yours", key);
	}
	if (inc.owner && !force) {
		irk_fail_need(err, IRK_CONFLICT, NEED_TAKEOVER, "%s is held by %s; a senior can take it over",
			      key, inc.owner);
		abort_change(s, &inc);
		return IRK_CONFLICT;
	}
	if (inc.owner && force && !actor_is_senior(who)) {
		irk_fail(err, IRK_REFUSED, "%s is held by %s; only a senior or admin can take it over",
			 key, inc.owner);
		abort_change(s, &inc);
		return IRK_REFUSED;
	}
	prev = inc.owner;
	inc.owner = xstrdup(who->name);
	if (!inc.t_acknowledged)
		inc.t_acknowledged = irk_now();
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "owner", who->name);
	jsonw_kv_str(&w, "previous", prev);
	jsonw_obj_end(&w);
	free(prev);
	return finish_change(s, who->name, &inc, "incident.claim", &js, err);
}

int incident_gate(struct store *s, int64_t id, int stage, struct strbuf *why,
		  struct irk_err *err)
{
	return store_step_blocking(s, id, stage, why, err);
}

/* Apply the times and counters of a move from inc->stage to `to`. */
static void apply_move(struct incident *inc, int to, int64_t now)
{
	int from = inc->stage;

	if (to < from) {
		inc->back_moves++;
		if (from == STAGE_CLOSED) {
			inc->reopen_count++;
			inc->resolution = RES_NONE;
			inc->t_closed = 0;
			inc->t_resolved = 0;
		}
	}
	if (from == STAGE_NEW && to > STAGE_NEW && !inc->t_acknowledged)
		inc->t_acknowledged = now;
	if (to > STAGE_CONTAINMENT && !inc->t_contained)
		inc->t_contained = now;
	if (to >= STAGE_LESSONS && !inc->t_resolved)
		inc->t_resolved = now;
	if (to == STAGE_CLOSED)
		inc->t_closed = now;
	inc->stage = to;
}

/* The checks shared by move and close; fills err and returns nonzero when
 * the move may not happen. */
static int check_move(struct store *s, const struct actor *who, struct incident *inc,
		      int to, const char *reason, int force, struct irk_err *err)
{
	char key[24];
	struct strbuf why = STRBUF_INIT;
	int n;

	incident_key(inc->id, key, sizeof key);
	if (to == inc->stage && to == STAGE_CLOSED)
		return irk_fail(err, IRK_REFUSED, "%s is already closed", key);
	if (to == inc->stage)
		return irk_fail(err, IRK_REFUSED, "%s is already in %s", key, stage_name(to));
	if (to < inc->stage && (!reason || !*reason))
		return irk_fail_need(err, IRK_REFUSED, NEED_REASON,
				     "moving %s back to %s needs a reason", key, stage_name(to));
	if (to < inc->stage)
		return IRK_OK;
	n = incident_gate(s, inc->id, inc->stage, &why, err);
	if (n < 0)
		return IRK_ERROR;
	if (n > 0 && !force) {
		irk_fail_need(err, IRK_REFUSED, NEED_FORCE,
			      "%s cannot leave %s: required step%s not done: %s; a senior can force "
			      "it with a reason", key, stage_name(inc->stage), n > 1 ? "s" : "", why.buf);
		strbuf_free(&why);
		return IRK_REFUSED;
	}
	/* A move past a stage passes its gate too: identification straight
	 * to eradication must not skip containment's required steps. Closing
	 * is the exception: a false positive is closed from where it is. */
	for (int st = inc->stage + 1; !n && to != STAGE_CLOSED && st < to; st++) {
		strbuf_reset(&why);
		if ((n = incident_gate(s, inc->id, st, &why, err)) < 0) {
			strbuf_free(&why);
			return IRK_ERROR;
		}
		if (n > 0 && !force) {
			irk_fail_need(err, IRK_REFUSED, NEED_FORCE,
				      "%s cannot go past %s to %s: its required step%s not done: %s; "
				      "a senior can force it with a reason", key, stage_name(st),
				      stage_name(to), n > 1 ? "s" : "", why.buf);
			strbuf_free(&why);
			return IRK_REFUSED;
		}
	}
	strbuf_free(&why);
	if (force) {
		if (!actor_is_senior(who))
			return irk_fail(err, IRK_REFUSED, "only a senior or admin can force %s past its gate", key);
		if (!reason || !*reason)
			return irk_fail_need(err, IRK_INVALID, NEED_REASON, "forcing %s needs a reason", key);
	}
	return IRK_OK;
}

static int do_move(struct store *s, const struct actor *who, struct incident *inc, int to,
		   int resolution, const char *reason, int force, struct irk_err *err)
{
	struct stage_move m = { 0 };
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	int from = inc->stage, rc;
	int64_t now = irk_now();

	apply_move(inc, to, now);
	if (resolution > RES_NONE)
		inc->resolution = resolution;
	m.incident_id = inc->id;
	m.from = from;
	m.to = to;
	m.at = now;
	m.forced = force;
	irk_strlcpy(m.actor, who->name, sizeof m.actor);
	irk_strlcpy(m.reason, reason ? reason : "", sizeof m.reason);
	if ((rc = store_history_add(s, &m, err))) {
		abort_change(s, inc);
		return rc;
	}
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "from", stage_name(from));
	jsonw_kv_str(&w, "to", stage_name(to));
	if (resolution > RES_NONE)
		jsonw_kv_str(&w, "resolution", resolution_name(resolution));
	jsonw_kv_str(&w, "reason", reason && *reason ? reason : NULL);
	jsonw_kv_bool(&w, "forced", force);
	note_holder(&w, who, inc);
	jsonw_obj_end(&w);
	return finish_change(s, who->name, inc,
			     to == STAGE_CLOSED ? "incident.close" : "incident.move", &js, err);
}

int incident_move(struct store *s, const struct actor *who, int64_t id, int to,
		  const char *reason, int force, int64_t expect_version, struct irk_err *err)
{
	struct incident inc;
	char key[24];
	int rc;

	incident_key(id, key, sizeof key);
	if (to < 0 || to >= STAGE_COUNT)
		return irk_fail(err, IRK_INVALID, "no such stage");
	if (to == STAGE_CLOSED)
		return irk_fail_need(err, IRK_REFUSED, NEED_CLOSE,
				     "closing %s needs a resolution: true-positive, false-positive, "
				     "duplicate or benign", key);
	if ((rc = begin_change(s, id, expect_version, &inc, err)))
		return rc;
	if ((rc = check_holder(who, &inc, err)) ||
	    (rc = check_move(s, who, &inc, to, reason, force, err))) {
		abort_change(s, &inc);
		return rc;
	}
	return do_move(s, who, &inc, to, RES_NONE, reason, force, err);
}

int incident_close(struct store *s, const struct actor *who, int64_t id,
		   int resolution, const char *reason, int force, int64_t expect_version,
		   struct irk_err *err)
{
	struct incident inc;
	int rc;

	if (resolution <= RES_NONE || resolution >= RES_COUNT)
		return irk_fail(err, IRK_INVALID,
				"closing needs a resolution: true-positive, false-positive, duplicate or benign");
	if ((rc = begin_change(s, id, expect_version, &inc, err)))
		return rc;
	if ((rc = check_holder(who, &inc, err)) ||
	    (rc = check_move(s, who, &inc, STAGE_CLOSED, reason, force, err))) {
		abort_change(s, &inc);
		return rc;
	}
	return do_move(s, who, &inc, STAGE_CLOSED, resolution, reason, force, err);
}

int incident_note(struct store *s, const struct actor *who, int64_t id,
		  const char *text, struct irk_err *err)
{
	struct incident inc;
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	int rc;

	if (!text || !*text)
		return irk_fail(err, IRK_INVALID, "a note needs some text");
	if (strlen(text) > 65536)
		return irk_fail(err, IRK_INVALID, "a note is limited to 64 KiB");
	if ((rc = begin_change(s, id, 0, &inc, err)))
		return rc;
	if ((rc = store_note_add(s, id, who->name, text, err))) {
		abort_change(s, &inc);
		return rc;
	}
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "text", text);
	jsonw_obj_end(&w);
	return finish_change(s, who->name, &inc, "incident.note", &js, err);
}

/* A field that cannot be set: what changes it; an unknown one: the
 * nearest one when it looks like a typo, else every field. */
static int unknown_field(const char *name, struct irk_err *err)
{
	const struct field_def *known = incident_field_typed(name, NULL);
	struct strbuf all = STRBUF_INIT;
	struct guess g;
	int rc;

	if (known)
		return irk_fail(err, IRK_INVALID, "'%s' is not a field you can set (%s)", name,
				known->help);
	guess_init(&g, name);
	for (const struct field_def *f = incident_fields; f->name; f++) {
		if (f->set == SET_NONE)
			continue;
		guess_consider(&g, "", f->name);
		strbuf_printf(&all, "%s%s", all.len ? ", " : "", f->name);
	}
	if (guess_best(&g))
		rc = irk_fail(err, IRK_INVALID, "'%s' is not a field you can set (did you mean '%s'?)",
			      name, guess_best(&g));
	else
		rc = irk_fail(err, IRK_INVALID, "'%s' is not a field you can set; the fields are %s",
			      name, strbuf_str(&all));
	strbuf_free(&all);
	return rc;
}

/* When users are registered, an owner must be one of them (an empty
 * users table means a single-user set-up where anyone goes). */
static int check_user(struct store *s, const char *name, struct irk_err *err)
{
	struct user *u = NULL;
	size_t n = 0;
	struct guess g;

	if (store_user_count(s) <= 0 || store_user_role(s, name) >= 0)
		return IRK_OK;
	guess_init(&g, name);
	if (!store_user_list(s, &u, &n, NULL))
		for (size_t i = 0; i < n; i++)
			guess_consider(&g, "", u[i].name);
	free(u);
	if (guess_best(&g))
		return irk_fail(err, IRK_NOTFOUND, "owner: '%s' is not a registered user (did you mean '%s'?)",
				name, guess_best(&g));
	return irk_fail(err, IRK_NOTFOUND, "owner: '%s' is not a registered user", name);
}

/* Apply one "field=value" to inc; the old and new values go to the event. */
static int set_one(struct store *s, const struct actor *who, struct incident *inc,
		   const char *assignment, int *explicit_priority, struct jsonw *w,
		   struct irk_err *err)
{
	const char *eq = strchr(assignment, '=');
	char name[64];
	const struct field_def *f;
	const char *v;
	char *end, *prev;
	long n;

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof name)
		return irk_fail(err, IRK_INVALID, "'%s': expected FIELD=VALUE", assignment);
	memcpy(name, assignment, (size_t)(eq - assignment));
	name[eq - assignment] = '\0';
	v = eq + 1;
	if (!(f = incident_field_find(name)))
		return unknown_field(name, err);
	if (strlen(v) > 4096)
		return irk_fail(err, IRK_INVALID, "%s: value longer than 4096 bytes", f->name);
	jsonw_key(w, f->name);
	switch (f->kind) {
	case FK_SEVERITY: {
		int sev = severity_parse(v);
		if (sev < 0)
			return irk_fail(err, IRK_INVALID, "severity: '%s' is not low, medium, high or critical", v);
		inc->severity = sev;
		jsonw_str(w, severity_name(sev));
		return IRK_OK;
	}
	case FK_PRIORITY:
		if ((v[0] == 'P' || v[0] == 'p') && v[1])
			v++;
		n = strtol(v, &end, 10);
		if (*end || n < 1 || n > 4)
			return irk_fail(err, IRK_INVALID, "priority: '%s' is not P1..P4", eq + 1);
		inc->priority = (int)n;
		*explicit_priority = 1;
		jsonw_int(w, n);
		return IRK_OK;
	case FK_CONFIDENCE:
	case FK_CRITICALITY:
	case FK_INT: {
		long lo = f->kind == FK_CRITICALITY ? 1 : 0;
		long hi = f->kind == FK_CONFIDENCE ? 100 : f->kind == FK_CRITICALITY ? 4 : 1000000;
		n = strtol(v, &end, 10);
		if (!*v || *end || n < lo || n > hi)
			return irk_fail(err, IRK_INVALID, "%s: '%s' is not a number from %ld to %ld",
					f->name, v, lo, hi);
		*incident_field_int(inc, f) = (int)n;
		jsonw_int(w, n);
		return IRK_OK;
	}
	case FK_USER:
		if (*v && !identity_valid(v))
			return irk_fail(err, IRK_INVALID, "owner: '%s' is not a valid user name", v);
		if (*v && check_user(s, v, err))
			return err ? err->code : IRK_NOTFOUND;
		if (!actor_is_senior(who) && !(*v && !strcmp(v, who->name)) &&
		    !(!*v && inc->owner && !strcmp(inc->owner, who->name)))
			return irk_fail(err, IRK_REFUSED,
					"only a senior or admin can give an incident to someone else");
		prev = inc->owner;
		inc->owner = *v ? xstrdup(v) : NULL;
		jsonw_str(w, inc->owner);
		/* A takeover (or a hand-over by a senior) names who had it. */
		if (prev && (!inc->owner || strcmp(prev, inc->owner)))
			jsonw_kv_str(w, "previous_owner", prev);
		free(prev);
		return IRK_OK;
	case FK_TITLE:
	case FK_PROSE:
	case FK_TEXT: {
		char **slot = incident_field_text(inc, f);
		if (f->kind == FK_TITLE && !*v)
			return irk_fail(err, IRK_INVALID, "%s: cannot be empty", f->name);
		free(*slot);
		/* Unset text is NULL; prose is kept as it is, "" too. */
		*slot = *v || f->kind == FK_PROSE ? xstrdup(v) : NULL;
		jsonw_str(w, *slot);
		return IRK_OK;
	}
	}
	return irk_fail(err, IRK_ERROR, "internal: unknown field kind");
}

int incident_set(struct store *s, const struct actor *who, int64_t id,
		 char *const *assignments, int n, int64_t expect_version,
		 struct irk_err *err)
{
	struct incident inc;
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	int rc, explicit_priority = 0;
	int sev0, conf0, crit0;

	if (n <= 0)
		return irk_fail(err, IRK_INVALID, "nothing to set: give FIELD=VALUE");
	if ((rc = begin_change(s, id, expect_version, &inc, err)))
		return rc;
	if ((rc = check_holder(who, &inc, err))) {
		abort_change(s, &inc);
		return rc;
	}
	sev0 = inc.severity;
	conf0 = inc.confidence;
	crit0 = inc.asset_criticality;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	for (int i = 0; i < n; i++) {
		if ((rc = set_one(s, who, &inc, assignments[i], &explicit_priority, &w, err))) {
			strbuf_free(&js);
			abort_change(s, &inc);
			return rc;
		}
	}
	if (!explicit_priority && (inc.severity != sev0 || inc.confidence != conf0 ||
				   inc.asset_criticality != crit0)) {
		inc.priority = priority_compute(inc.severity, inc.asset_criticality, inc.confidence);
		jsonw_kv_int(&w, "priority", inc.priority);
	}
	jsonw_obj_end(&w);
	return finish_change(s, who->name, &inc, "incident.set", &js, err);
}

int incident_fill(struct store *s, const char *actor, int64_t id, const char *source,
		  int criticality, const char *unit, int *changed, struct irk_err *err)
{
	struct incident inc;
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	int rc, any = 0;

	if (changed)
		*changed = 0;
	if ((rc = begin_change(s, id, 0, &inc, err)))
		return rc;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "source", source);
	if (criticality >= 1 && criticality <= 4 && !inc.asset_criticality) {
		inc.asset_criticality = criticality;
		jsonw_kv_int(&w, "asset_criticality", criticality);
		inc.priority = priority_compute(inc.severity, inc.asset_criticality, inc.confidence);
		jsonw_kv_int(&w, "priority", inc.priority);
		any = 1;
	}
	if (unit && *unit && !inc.business_unit) {
		inc.business_unit = xstrdup(unit);
		jsonw_kv_str(&w, "business_unit", unit);
		any = 1;
	}
	jsonw_obj_end(&w);
	if (!any) {
		strbuf_free(&js);
		abort_change(s, &inc);
		return IRK_OK;
	}
	if (changed)
		*changed = 1;
	return finish_change(s, actor, &inc, "incident.context", &js, err);
}
