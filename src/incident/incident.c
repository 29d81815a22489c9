/* incident.c: the lifecycle rules (see incident.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/guess.h"
#include "irk/identity.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/play.h"
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
int incident_holder_check(const struct actor *who, const struct incident *inc,
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
	rc = incident_holder_check(who, &inc, err);
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

/* A takeover's message to the one who held it (in the change's
 * transaction, to where notify steps' messages go). */
static int tell_previous(struct store *s, int64_t id, const char *prev, const struct actor *who,
			 const char *reason, struct irk_err *err)
{
	char key[24], text[700];

	snprintf(text, sizeof text, "%s was taken over from you by %s%s%s",
		 incident_key(id, key, sizeof key), who->name, reason && *reason ? ": " : "",
		 reason && *reason ? reason : "");
	return store_outbox_add(s, id, 0, prev, text, irk_now(), NULL, err);
}

static int claim(struct store *s, const struct actor *who, int64_t id, int64_t expect_version,
		 int force, const char *reason, struct irk_err *err)
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
	/* A takeover says why, and the one who held it is told. */
	if (inc.owner && (!reason || !*reason)) {
		irk_fail_need(err, IRK_INVALID, NEED_REASON, "taking %s over from %s needs a reason",
			      key, inc.owner);
		abort_change(s, &inc);
		return IRK_INVALID;
	}
	if (inc.owner && (rc = tell_previous(s, id, inc.owner, who, reason, err))) {
		abort_change(s, &inc);
		return rc;
	}
	prev = inc.owner;
	inc.owner = xstrdup(who->name);
	if (!inc.t_acknowledged)
		inc.t_acknowledged = irk_now();
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "owner", who->name);
	jsonw_kv_str(&w, "previous", prev);
	if (prev)
		jsonw_kv_str(&w, "reason", reason);
	jsonw_obj_end(&w);
	free(prev);
	return finish_change(s, who->name, &inc, "incident.claim", &js, err);
}

static int add_link(struct store *s, const char *actor, int64_t a, int64_t b, int kind,
		    struct irk_err *err);

/* incident_create() and incident_create_child(): parent 0 for none. */
static int create(struct store *s, const struct actor *who, int64_t parent, struct incident *inc,
		  const struct play *p, struct irk_err *err)
{
	int64_t now = irk_now();
	int rc;

	if (!inc->title || !*inc->title)
		return irk_fail(err, IRK_INVALID, "a new incident needs a title");
	if (strlen(inc->title) > 4096)
		return irk_fail(err, IRK_INVALID, "title: longer than 4096 bytes");
	if (inc->severity < SEV_LOW || inc->severity > SEV_CRITICAL)
		return irk_fail(err, IRK_INVALID, "a new incident needs a severity: low, medium, high "
				"or critical");
	if (!inc->t_detected)
		inc->t_detected = now;
	if (!inc->t_first_event)
		inc->t_first_event = inc->t_detected;
	if (!inc->confidence)
		inc->confidence = 50;      /* a person's report: neither doubted nor proven */
	if ((rc = store_begin(s, err)))
		return rc;
	if ((rc = incident_open(s, who->name, inc, parent ? "{\"by\": \"play\"}" :
				"{\"by\": \"hand\"}", err)) ||
	    (inc->host && *inc->host &&
	     (rc = store_observable_add(s, inc->id, OBS_HOST, inc->host, parent ? "play" : "report",
					0, now, err))) ||
	    (parent && (rc = add_link(s, who->name, parent, inc->id, 2, err))) ||
	    (p && (rc = play_assign(s, p, inc, NULL, who->name, err))) ||
	    (rc = store_commit(s, err))) {
		store_rollback(s);
		return rc;
	}
	return IRK_OK;
}

int incident_create(struct store *s, const struct actor *who, struct incident *inc,
		    const struct play *p, struct irk_err *err)
{
	return create(s, who, 0, inc, p, err);
}

int incident_create_child(struct store *s, const struct actor *who, int64_t parent,
			  struct incident *inc, const struct play *p, struct irk_err *err)
{
	return create(s, who, parent, inc, p, err);
}

int incident_claim(struct store *s, const struct actor *who, int64_t id,
		   int64_t expect_version, int force, struct irk_err *err)
{
	return claim(s, who, id, expect_version, force, NULL, err);
}

int incident_takeover(struct store *s, const struct actor *who, int64_t id,
		      int64_t expect_version, const char *reason, struct irk_err *err)
{
	return claim(s, who, id, expect_version, 1, reason, err);
}

int incident_gate(struct store *s, int64_t id, int stage, struct strbuf *why,
		  struct irk_err *err)
{
	struct incident inc;
	int n;

	if (store_incident_get(s, id, &inc, err))
		return -1;
	n = play_gate(s, &inc, stage, why, err);
	incident_clear(&inc);
	return n;
}

/* Is a move of inc back to `to` by who the undo of their own last move,
 * made within INCIDENT_UNDO_SECONDS? Reopening a closed incident never is. */
static int is_undo(struct store *s, const struct actor *who, const struct incident *inc, int to)
{
	struct stage_move *h = NULL;
	size_t n = 0;
	int undo = 0;

	if (to >= inc->stage || inc->stage == STAGE_CLOSED ||
	    store_history_list(s, inc->id, &h, &n, NULL))
		return 0;
	if (n) {
		const struct stage_move *last = &h[n - 1];
		undo = last->from == to && last->to == inc->stage && !strcmp(last->actor, who->name) &&
		       irk_now() - last->at <= INCIDENT_UNDO_SECONDS;
	}
	free(h);
	return undo;
}

int incident_is_undo(struct store *s, const struct actor *who, int64_t id, int to)
{
	struct incident inc;
	int undo;

	if (store_incident_get(s, id, &inc, NULL))
		return 0;
	undo = is_undo(s, who, &inc, to);
	incident_clear(&inc);
	return undo;
}

/* Apply the times and counters of a move from inc->stage to `to` (an
 * undo is not counted as a back move). */
static void apply_move(struct incident *inc, int to, int64_t now, int undo)
{
	int from = inc->stage;

	if (to < from && !undo) {
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
		      int to, const char *reason, int force, int undo, struct irk_err *err)
{
	char key[24];
	struct strbuf why = STRBUF_INIT;
	int n;

	incident_key(inc->id, key, sizeof key);
	if (to == inc->stage && to == STAGE_CLOSED)
		return irk_fail(err, IRK_REFUSED, "%s is already closed", key);
	if (to == inc->stage)
		return irk_fail(err, IRK_REFUSED, "%s is already in %s", key, stage_name(to));
	if (to < inc->stage && !undo && (!reason || !*reason))
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

/* The move's writes inside the caller's transaction: times and counters,
 * the history row, the incident and its audit event. */
static int move_write(struct store *s, const struct actor *who, struct incident *inc, int to,
		      int resolution, const char *reason, int force, int undo,
		      struct irk_err *err)
{
	struct stage_move m = { 0 };
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	int from = inc->stage, rc;
	int64_t now = irk_now();

	if (undo && (!reason || !*reason))
		reason = "undo";
	apply_move(inc, to, now, undo);
	if (resolution > RES_NONE)
		inc->resolution = resolution;
	m.incident_id = inc->id;
	m.from = from;
	m.to = to;
	m.at = now;
	m.forced = force;
	irk_strlcpy(m.actor, who->name, sizeof m.actor);
	irk_strlcpy(m.reason, reason ? reason : "", sizeof m.reason);
	if ((rc = store_history_add(s, &m, err)))
		return rc;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "from", stage_name(from));
	jsonw_kv_str(&w, "to", stage_name(to));
	if (resolution > RES_NONE)
		jsonw_kv_str(&w, "resolution", resolution_name(resolution));
	jsonw_kv_str(&w, "reason", reason && *reason ? reason : NULL);
	jsonw_kv_bool(&w, "forced", force);
	if (undo)
		jsonw_kv_bool(&w, "undo", 1);
	note_holder(&w, who, inc);
	jsonw_obj_end(&w);
	rc = store_incident_update(s, inc, who->name, err);
	if (!rc)
		rc = audit_append(s, who->name, inc->id,
				  to == STAGE_CLOSED ? "incident.close" : "incident.move",
				  strbuf_str(&js), NULL, err);
	strbuf_free(&js);
	return rc;
}

/* A move in the transaction begin_change() opened: written and committed,
 * or rolled back. Frees inc. */
static int do_move(struct store *s, const struct actor *who, struct incident *inc, int to,
		   int resolution, const char *reason, int force, int undo, struct irk_err *err)
{
	int rc = move_write(s, who, inc, to, resolution, reason, force, undo, err);

	if (!rc)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	incident_clear(inc);
	return rc;
}

int incident_move(struct store *s, const struct actor *who, int64_t id, int to,
		  const char *reason, int force, int64_t expect_version, struct irk_err *err)
{
	struct incident inc;
	char key[24];
	int rc, undo;

	incident_key(id, key, sizeof key);
	if (to < 0 || to >= STAGE_COUNT)
		return irk_fail(err, IRK_INVALID, "no such stage");
	if (to == STAGE_CLOSED)
		return irk_fail_need(err, IRK_REFUSED, NEED_CLOSE,
				     "closing %s needs a resolution: true-positive, false-positive, "
				     "duplicate or benign", key);
	if ((rc = begin_change(s, id, expect_version, &inc, err)))
		return rc;
	undo = is_undo(s, who, &inc, to);
	if ((rc = incident_holder_check(who, &inc, err)) ||
	    (rc = check_move(s, who, &inc, to, reason, force, undo, err))) {
		abort_change(s, &inc);
		return rc;
	}
	return do_move(s, who, &inc, to, RES_NONE, reason, force, undo, err);
}

/* Required steps of the stages after inc's that a close as true-positive
 * would skip, "STAGE: STEP (what it waits for)" "; "-separated into why
 * (NULL: only count them). */
static int later_skips(struct store *s, const struct incident *inc, struct strbuf *why,
		       struct irk_err *err)
{
	struct strbuf one = STRBUF_INIT;
	int total = 0;

	for (int st = inc->stage + 1; st < STAGE_CLOSED; st++) {
		int n = play_gate(s, inc, st, &one, err);
		if (n < 0) {
			total = -1;
			break;
		}
		if (n && why)
			strbuf_printf(why, "%s%s: %s", total ? "; " : "", stage_name(st), strbuf_str(&one));
		total += n;
		strbuf_reset(&one);
	}
	strbuf_free(&one);
	return total;
}

int incident_close_skips(struct store *s, int64_t id, int resolution, struct strbuf *why,
			 struct irk_err *err)
{
	struct incident inc;
	int n;

	if (resolution != RES_TRUE_POSITIVE)
		return 0;
	if (store_incident_get(s, id, &inc, err))
		return -1;
	n = later_skips(s, &inc, why, err);
	incident_clear(&inc);
	return n;
}

static int name_unfinished(const struct step_row *r, void *arg)
{
	struct strbuf *names = arg;

	if (r->state != STEP_DONE && r->state != STEP_SKIPPED && r->state != STEP_FAILED)
		strbuf_printf(names, "%s%s", names->len ? ", " : "", r->step_id);
	return 0;
}

int incident_close(struct store *s, const struct actor *who, int64_t id,
		   int resolution, const char *reason, int force, int64_t expect_version,
		   struct irk_err *err)
{
	struct incident inc;
	struct strbuf why = STRBUF_INIT, cancelled = STRBUF_INIT;
	char key[24];
	int rc, n = 0;

	incident_key(id, key, sizeof key);
	if (resolution <= RES_NONE || resolution >= RES_COUNT)
		return irk_fail(err, IRK_INVALID,
				"closing needs a resolution: true-positive, false-positive, duplicate or benign");
	if ((rc = begin_change(s, id, expect_version, &inc, err)))
		return rc;
	if ((rc = incident_holder_check(who, &inc, err)) ||
	    (rc = check_move(s, who, &inc, STAGE_CLOSED, reason, force, 0, err))) {
		abort_change(s, &inc);
		return rc;
	}
	/* A true positive was real: the play's later required work (eradicate,
	 * recover, lessons) is not dropped unseen; a forced close passed
	 * check_move()'s senior-and-reason rule. Other resolutions close from
	 * where they are and say what they cancel. */
	if (resolution == RES_TRUE_POSITIVE && !force && (n = later_skips(s, &inc, &why, err)) != 0) {
		if (n > 0)
			irk_fail_need(err, IRK_REFUSED, NEED_FORCE,
				      "closing %s as true-positive would skip required step%s of later "
				      "stages: %s; a senior can force it with a reason",
				      key, n > 1 ? "s" : "", strbuf_str(&why));
		strbuf_free(&why);
		abort_change(s, &inc);
		return n < 0 ? IRK_ERROR : IRK_REFUSED;
	}
	strbuf_free(&why);
	store_step_each(s, id, name_unfinished, &cancelled, NULL);
	rc = do_move(s, who, &inc, STAGE_CLOSED, resolution, reason, force, 0, err);
	if (!rc && cancelled.len)
		irk_fail(err, IRK_OK, "%s closed as %s; its unfinished steps are cancelled: %s", key,
			 resolution_name(resolution), strbuf_str(&cancelled));
	strbuf_free(&cancelled);
	return rc;
}

/* ---- links and merges ---------------------------------------------------- */

int incident_link_kind(const char *name)
{
	static const char *const kinds[] = { "related", "duplicate", "parent" };

	for (int i = 0; name && i < 3; i++)
		if (!strcmp(name, kinds[i]))
			return i;
	return -1;
}

/* The link's audit event on incident id, naming the other end. */
static int link_event(struct store *s, const char *actor, int64_t id, int64_t other,
		      const char *what, struct irk_err *err)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char key[24];
	int rc;

	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "link", what);
	jsonw_kv_str(&w, "other", incident_key(other, key, sizeof key));
	jsonw_obj_end(&w);
	rc = audit_append(s, actor, id, "incident.link", strbuf_str(&js), NULL, err);
	strbuf_free(&js);
	return rc;
}

/* Inside a transaction: the link and an event on each end, in the words
 * of that end ("duplicate of" / "has duplicate"). */
static int add_link(struct store *s, const char *actor, int64_t a, int64_t b, int kind,
		    struct irk_err *err)
{
	static const char *const names[] = { "related", "duplicate", "parent" };
	static const char *const from_a[] = { "related to", "duplicate of", "parent of" };
	static const char *const from_b[] = { "related to", "has duplicate", "child of" };
	int rc;

	if ((rc = store_link_add(s, a, b, names[kind], actor, irk_now(), err)) ||
	    (rc = link_event(s, actor, a, b, from_a[kind], err)))
		return rc;
	return link_event(s, actor, b, a, from_b[kind], err);
}

/* Both incidents exist and differ; IRK_OK or the refusal. */
static int two_incidents(struct store *s, int64_t a, int64_t b, struct irk_err *err)
{
	struct incident inc;
	char ka[24];
	int rc;

	if (a == b)
		return irk_fail(err, IRK_INVALID, "%s cannot be linked to itself",
				incident_key(a, ka, sizeof ka));
	for (int i = 0; i < 2; i++) {
		if ((rc = store_incident_get(s, i ? b : a, &inc, err)))
			return rc;
		incident_clear(&inc);
	}
	return IRK_OK;
}

int incident_link(struct store *s, const struct actor *who, int64_t a, int64_t b, int kind,
		  struct irk_err *err)
{
	int rc;

	if (kind < 0 || kind > 2)
		return irk_fail(err, IRK_INVALID, "a link is related, duplicate or parent");
	if ((rc = store_begin(s, err)))
		return rc;
	if ((rc = two_incidents(s, a, b, err)) || (rc = add_link(s, who->name, a, b, kind, err)) ||
	    (rc = store_commit(s, err)))
		store_rollback(s);
	return rc;
}

/* Inside a transaction: into (*in, loaded) gets d's alerts, observables
 * and notes, its counts follow, d is linked as its duplicate, and into's
 * audit says what came. d is not closed here. */
static int absorb(struct store *s, const char *actor, struct incident *d, struct incident *in,
		  struct irk_err *err)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	int64_t moved[3];
	char kd[24];
	int rc;

	if ((rc = store_incident_merge(s, d->id, in->id, moved, err)))
		return rc;
	in->alert_count += (int)moved[0];
	d->alert_count -= (int)moved[0];
	if (d->alert_count < 0)
		d->alert_count = 0;
	if (in->t_first_event == 0 || (d->t_first_event && d->t_first_event < in->t_first_event))
		in->t_first_event = d->t_first_event;
	if (d->t_last_event > in->t_last_event)
		in->t_last_event = d->t_last_event;
	if ((rc = store_incident_update(s, in, actor, err)) ||
	    (rc = add_link(s, actor, d->id, in->id, 1, err)))
		return rc;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "from", incident_key(d->id, kd, sizeof kd));
	jsonw_kv_int(&w, "alerts", moved[0]);
	jsonw_kv_int(&w, "observables", moved[1]);
	jsonw_kv_int(&w, "notes", moved[2]);
	jsonw_obj_end(&w);
	rc = audit_append(s, actor, in->id, "incident.merge", strbuf_str(&js), NULL, err);
	strbuf_free(&js);
	return rc;
}

int incident_merge(struct store *s, const struct actor *who, int64_t dup, int64_t into,
		   struct irk_err *err)
{
	struct incident d, in;
	char kd[24], ki[24], reason[64];
	int rc;

	incident_key(dup, kd, sizeof kd);
	incident_key(into, ki, sizeof ki);
	if (dup == into)
		return irk_fail(err, IRK_INVALID, "%s cannot be merged into itself", kd);
	if ((rc = begin_change(s, dup, 0, &d, err)))
		return rc;
	if ((rc = store_incident_get(s, into, &in, err))) {
		abort_change(s, &d);
		return rc;
	}
	if (d.stage == STAGE_CLOSED || in.stage == STAGE_CLOSED) {
		/* need_on: the closed one, which the hint reopens (either side) */
		const char *closed = d.stage == STAGE_CLOSED ? kd : ki;

		rc = irk_fail_need(err, IRK_REFUSED, NEED_REOPEN, "%s is closed; reopen it to merge", closed);
		irk_need_on(err, closed);
	}
	if (!rc)
		rc = incident_holder_check(who, &d, err);
	if (!rc)
		rc = absorb(s, who->name, &d, &in, err);
	incident_clear(&in);
	if (rc) {
		abort_change(s, &d);
		return rc;
	}
	/* The duplicate closes pointing at the survivor; its unfinished
	 * steps are cancelled when the play catches up. */
	snprintf(reason, sizeof reason, "merged into %s", ki);
	return do_move(s, who, &d, STAGE_CLOSED, RES_DUPLICATE, reason, 0, 0, err);
}

int incident_fold(struct store *s, const char *actor, int64_t dup, int64_t storm,
		  struct irk_err *err)
{
	struct incident d, in;
	struct actor who = { .role = ROLE_ANALYST };
	char ks[24], reason[64];
	int rc;

	irk_strlcpy(who.name, actor, sizeof who.name);
	if ((rc = store_incident_get(s, dup, &d, err)))
		return rc;
	if ((rc = store_incident_get(s, storm, &in, err))) {
		incident_clear(&d);
		return rc;
	}
	rc = absorb(s, actor, &d, &in, err);
	incident_clear(&in);
	snprintf(reason, sizeof reason, "folded into the storm %s",
		 incident_key(storm, ks, sizeof ks));
	if (!rc)
		rc = move_write(s, &who, &d, STAGE_CLOSED, RES_DUPLICATE, reason, 0, 0, err);
	incident_clear(&d);
	return rc;
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
		/* A takeover (or a hand-over by a senior) names who had it, and
		 * they are told unless they did it themselves. */
		if (prev && (!inc->owner || strcmp(prev, inc->owner))) {
			jsonw_kv_str(w, "previous_owner", prev);
			if (strcmp(prev, who->name) && tell_previous(s, inc->id, prev, who, NULL, err)) {
				free(prev);
				return err ? err->code : IRK_ERROR;
			}
		}
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

struct unit_seen {
	const char *want;
	int found;
	struct guess g;
};

static int unit_seen(const char *unit, void *arg)
{
	struct unit_seen *u = arg;

	if (!strcmp(unit, u->want))
		return u->found = 1;
	guess_consider(&u->g, "", unit);
	return 0;
}

/* A business unit a person types must be one an open incident has (a typo
 * would start a unit of its own and split the unit's KPIs), unless they
 * say it is new: the nearest known one is named. */
static int check_units(struct store *s, char *const *assignments, int n, struct irk_err *err)
{
	for (int i = 0; i < n; i++) {
		const char *a = assignments[i], *eq = strchr(a, '=');
		const struct field_def *f;
		char name[64];
		struct unit_seen u = { NULL, 0, { 0 } };
		if (!eq || eq == a || (size_t)(eq - a) >= sizeof name || !eq[1])
			continue;
		memcpy(name, a, (size_t)(eq - a));
		name[eq - a] = '\0';
		if (!(f = incident_field_find(name)) || strcmp(f->name, "business_unit"))
			continue;
		u.want = eq + 1;
		guess_init(&u.g, u.want);
		if (store_unit_each(s, 0, unit_seen, &u, err))
			return IRK_ERROR;
		if (u.found)
			continue;
		if (guess_best(&u.g))
			return irk_fail(err, IRK_INVALID, "business_unit: no open incident has unit '%s' "
					"(did you mean %s?); a new unit is set with --new", u.want,
					guess_best(&u.g));
		return irk_fail(err, IRK_INVALID, "business_unit: no open incident has unit '%s'; a "
				"new unit is set with --new", u.want);
	}
	return IRK_OK;
}

int incident_set_known(struct store *s, const struct actor *who, int64_t id,
		       char *const *assignments, int n, int64_t expect_version,
		       struct irk_err *err)
{
	int rc = check_units(s, assignments, n, err);

	return rc ? rc : incident_set(s, who, id, assignments, n, expect_version, err);
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
	if ((rc = incident_holder_check(who, &inc, err))) {
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
