/* steps.c: plays by content hash, the life of steps (insert, claim, lease,
 * update), checklist ticks, the outbox, and the history the score step
 * reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/jsonw.h"

void store_step_row(sqlite3_stmt *st, struct step_row *r)
{
	*r = (struct step_row){
		.id = sqlite3_column_int64(st, 0),
		.incident_id = sqlite3_column_int64(st, 1),
		.step_id = store_col_text(st, 2),
		.seq = sqlite3_column_int(st, 3),
		.kind = store_col_text(st, 4),
		.stage = stage_parse(store_col_text(st, 5)),
		.title = store_col_text(st, 6),
		.state = step_state_parse(store_col_text(st, 7)),
		.required = sqlite3_column_int(st, 8),
		.assignee = store_col_text(st, 9),
		.attempts = sqlite3_column_int(st, 10),
		.lease_owner = store_col_text(st, 11),
		.lease_until = sqlite3_column_int64(st, 12),
		.t_start = sqlite3_column_int64(st, 13),
		.t_end = sqlite3_column_int64(st, 14),
		.output = store_col_text(st, 15),
		.error = store_col_text(st, 16),
		.def = store_col_text(st, 17),
		.retry = sqlite3_column_int(st, 18),
		.next_attempt = sqlite3_column_int64(st, 19),
		.inputs = store_col_text(st, 20),
		.log = store_col_text(st, 21),
		.requested_by = store_col_text(st, 22),
		.done_by = store_col_text(st, 23),
		.reason = store_col_text(st, 24),
	};
}

int store_each_id(struct store *s, sqlite3_stmt *st, int (*fn)(int64_t id, void *arg),
		  void *arg, struct irk_err *err, const char *what)
{
	struct store_rows r = store_rows_begin(s, st);

	while (store_rows_next(&r))
		if (fn(sqlite3_column_int64(st, 0), arg))
			break;
	return store_rows_end(&r, err, what);
}

/* ---- plays ---------------------------------------------------------------- */

int store_play_put(struct store *s, const char *hash, const char *play_id,
		   const char *version, const char *name, const char *path, const char *source,
		   int64_t now, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_PLAY_PUT, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, play_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, now);
	return store_exec_stmt(s, st, err, "recording a play version");
}

int store_play_each(struct store *s, const char *play_id, const char *hash,
		    int (*fn)(const struct play_version_row *p, void *arg), void *arg,
		    struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_PLAY_EACH, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, play_id);
	store_bind_text(st, 2, hash);
	while (store_rows_next(&r)) {
		struct play_version_row p = {
			.hash = store_col_text(st, 0), .play_id = store_col_text(st, 1),
			.version = store_col_text(st, 2), .name = store_col_text(st, 3),
			.path = store_col_text(st, 4), .source = store_col_text(st, 5),
			.loaded = sqlite3_column_int64(st, 6),
			.incidents = sqlite3_column_int64(st, 7),
		};
		if (fn(&p, arg))
			break;
	}
	return store_rows_end(&r, err, "reading plays");
}

int store_play_run_add(struct store *s, int64_t incident_id, const char *play_id,
		       const char *hash, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_RUN_ADD, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	sqlite3_bind_text(st, 2, play_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st, err, "recording the play of an incident");
}

int store_play_run_retire(struct store *s, int64_t incident_id, const char *prefix, int64_t shift,
			  struct irk_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!(st = store_stmt(s, ST_RUN_KEEP_DEFS, err)))
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	if ((rc = store_exec_stmt(s, st, err, "keeping the definitions of a play's steps")))
		return rc;
	if (!(st = store_stmt(s, ST_RUN_RETIRE, err)))
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, shift);
	if ((rc = store_exec_stmt(s, st, err, "setting a play's steps aside")))
		return rc;
	if (!(st = store_stmt(s, ST_RUN_DROP, err)))
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	return store_exec_stmt(s, st, err, "setting a play aside");
}

int store_play_run_seen(struct store *s, int64_t incident_id, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_RUN_SEEN, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	return store_exec_stmt(s, st, err, "recording the planner's progress");
}

int store_play_run_stale(struct store *s, int64_t limit,
			 int (*fn)(int64_t incident_id, void *arg), void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_RUN_STALE, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	return store_each_id(s, st, fn, arg, err, "reading incidents to plan");
}

int store_play_steps_put(struct store *s, const char *hash, int n, const char *const *ids,
			 const char *const *defs, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_PLAY_STEPS_KNOWN, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if (store_int_of(st) == 1)
		return IRK_OK;
	for (int i = 0; i < n; i++) {
		if (!(st = store_stmt(s, ST_PLAY_STEP_PUT, err)))
			return IRK_ERROR;
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, defs[i], -1, SQLITE_STATIC);
		if (store_exec_stmt(s, st, err, "recording a play's steps"))
			return IRK_ERROR;
	}
	return IRK_OK;
}

/* ---- steps ------------------------------------------------------------------ */

int store_step_insert(struct store *s, const struct step_row *r, int64_t *id,
		      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_INSERT, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, r->incident_id);
	sqlite3_bind_text(st, 2, r->step_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->seq);
	sqlite3_bind_text(st, 4, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, stage_name(r->stage), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->title ? r->title : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, !!r->required);
	sqlite3_bind_int(st, 8, r->retry);
	store_bind_text(st, 9, r->def);
	store_bind_text(st, 10, r->assignee);
	sqlite3_bind_text(st, 11, step_state_name(r->state), -1, SQLITE_STATIC);
	store_bind_time(st, 12, r->t_start);
	store_bind_time(st, 13, r->t_end);
	store_bind_text(st, 14, r->requested_by);
	store_bind_text(st, 15, r->done_by);
	store_bind_text(st, 16, r->reason);
	if (store_exec_stmt(s, st, err, "adding a step"))
		return IRK_ERROR;
	if (id)
		*id = sqlite3_last_insert_rowid(s->db);
	return IRK_OK;
}

#define STEP_ROW_STRINGS(X, r) \
	X((r)->step_id) X((r)->kind) X((r)->title) X((r)->assignee) X((r)->lease_owner) \
	X((r)->output) X((r)->error) X((r)->def) X((r)->inputs) X((r)->log) \
	X((r)->requested_by) X((r)->done_by) X((r)->reason)

void store_step_row_copy(struct step_row *out, const struct step_row *in)
{
	*out = *in;
#define X_DUP(f) f = f ? xstrdup(f) : NULL;
	STEP_ROW_STRINGS(X_DUP, out)
#undef X_DUP
}

void store_step_row_clear(struct step_row *r)
{
#define X_FREE(f) free((char *)f);
	STEP_ROW_STRINGS(X_FREE, r)
#undef X_FREE
	memset(r, 0, sizeof *r);
}

int store_step_rows(struct store *s, sqlite3_stmt *st,
		    int (*fn)(const struct step_row *r, void *arg), void *arg, int64_t *n,
		    struct irk_err *err)
{
	struct store_rows rows = store_rows_begin(s, st);
	struct step_row r;
	int rc;

	while (store_rows_next(&rows)) {
		store_step_row(st, &r);
		if (fn && fn(&r, arg))
			break;
	}
	rc = store_rows_end(&rows, err, "reading steps");
	if (n)
		*n = rows.n;
	return rc;
}

int store_step_get(struct store *s, int64_t incident_id, const char *step_id, int64_t id,
		   int (*fn)(const struct step_row *st, void *arg), void *arg,
		   struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, step_id ? ST_STEP_GET : ST_STEP_GET_ID, err);
	int64_t n = 0;

	if (!st)
		return IRK_ERROR;
	if (step_id) {
		sqlite3_bind_int64(st, 1, incident_id);
		sqlite3_bind_text(st, 2, step_id, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_int64(st, 1, id);
	}
	if (store_step_rows(s, st, fn, arg, &n, err))
		return IRK_ERROR;
	if (!n)
		return irk_fail(err, IRK_NOTFOUND, "no step '%s'", step_id ? step_id : "?");
	return IRK_OK;
}

int store_step_update(struct store *s, const struct step_row *r, int expect_state,
		      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_UPDATE, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, step_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->attempts);
	store_bind_text(st, 4, r->lease_owner);
	store_bind_time(st, 5, r->lease_until);
	store_bind_time(st, 6, r->t_start);
	store_bind_time(st, 7, r->t_end);
	store_bind_text(st, 8, r->output);
	store_bind_text(st, 9, r->error);
	store_bind_text(st, 10, r->inputs);
	store_bind_text(st, 11, r->log);
	store_bind_text(st, 12, r->requested_by);
	store_bind_text(st, 13, r->done_by);
	store_bind_text(st, 14, r->reason);
	store_bind_time(st, 15, r->next_attempt);
	store_bind_text(st, 16, r->assignee);
	sqlite3_bind_text(st, 17, step_state_name(expect_state), -1, SQLITE_STATIC);
	if (store_exec_stmt(s, st, err, "updating a step"))
		return IRK_ERROR;
	if (sqlite3_changes(s->db) != 1)
		return irk_fail(err, IRK_CONFLICT, "step %s changed meanwhile (it is no longer %s)",
				r->step_id ? r->step_id : "?", step_state_name(expect_state));
	return IRK_OK;
}

int store_step_claim(struct store *s, const char *owner, int64_t now, int64_t until,
		     int (*fn)(const struct step_row *st, void *arg), void *arg,
		     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_DUE, err);
	struct store_rows r = store_rows_begin(s, st);
	int64_t ids[8];
	int n = 0;

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, now);
	while (n < 8 && store_rows_next(&r))
		ids[n++] = sqlite3_column_int64(st, 0);
	if (store_rows_end(&r, err, "looking for ready steps"))
		return IRK_ERROR;
	for (int i = 0; i < n; i++) {
		if (!(st = store_stmt(s, ST_STEP_CLAIM, err)))
			return IRK_ERROR;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, until);
		sqlite3_bind_int64(st, 4, now);
		if (store_exec_stmt(s, st, err, "claiming a step"))
			return IRK_ERROR;
		/* Exactly once: only the UPDATE that changed the row owns it. */
		if (sqlite3_changes(s->db) != 1)
			continue;
		return store_step_get(s, 0, NULL, ids[i], fn, arg, err);
	}
	return IRK_NOTFOUND;
}

int store_step_renew(struct store *s, int64_t id, const char *owner, int64_t until,
		     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_RENEW, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, until);
	if (store_exec_stmt(s, st, err, "renewing a lease"))
		return IRK_ERROR;
	if (sqlite3_changes(s->db) != 1)
		return irk_fail(err, IRK_CONFLICT, "the lease was lost");
	return IRK_OK;
}

int store_step_expired(struct store *s, int64_t now, int64_t limit,
		       int (*fn)(int64_t id, void *arg), void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_EXPIRED, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	return store_each_id(s, st, fn, arg, err, "looking for expired leases");
}

int64_t store_step_next_due(struct store *s, int64_t now)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_NEXT_DUE, NULL);
	int64_t t;

	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, now);
	t = store_int_of(st);   /* min() of no rows is NULL: 0 */
	return t > 0 ? t : 0;
}

/* ---- checklists -------------------------------------------------------------- */

/* What the change needs to know about the step, read in the transaction. */
struct check_step {
	char step_id[128], kind[32], done_by[128];
	int64_t incident_id;
	int state, items, ticked;
	char *text;                /* the item (a template, as the play wrote it) */
};

static int check_read(struct store *s, int64_t id, int item, struct check_step *cs,
		      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_CHECK_GET, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, item);
	if (store_rows_next(&r)) {
		irk_strlcpy(cs->step_id, store_col_text(st, 0) ? store_col_text(st, 0) : "?", sizeof cs->step_id);
		cs->incident_id = sqlite3_column_int64(st, 1);
		irk_strlcpy(cs->kind, store_col_text(st, 2) ? store_col_text(st, 2) : "?", sizeof cs->kind);
		cs->state = step_state_parse(store_col_text(st, 3));
		irk_strlcpy(cs->done_by, store_col_text(st, 4) ? store_col_text(st, 4) : "", sizeof cs->done_by);
		cs->items = sqlite3_column_int(st, 5);
		cs->text = store_col_text(st, 6) ? xstrdup(store_col_text(st, 6)) : NULL;
		cs->ticked = store_col_text(st, 7) != NULL;
	}
	if (store_rows_end(&r, err, "reading a step"))
		return IRK_ERROR;
	if (!r.n)
		return irk_fail(err, IRK_NOTFOUND, "no step %lld", (long long)id);
	return IRK_OK;
}

static int check_refused(const struct check_step *cs, int item, struct irk_err *err)
{
	if (strcmp(cs->kind, "manual"))
		return irk_fail(err, IRK_REFUSED, "step %s (%s) has no checklist: only manual "
				"steps do", cs->step_id, cs->kind);
	if (cs->state != STEP_WAITING && cs->state != STEP_READY)
		return irk_fail(err, IRK_REFUSED, "step %s is %s%s%s: its checklist can no longer "
				"change", cs->step_id, step_state_name(cs->state),
				cs->done_by[0] ? " by " : "", cs->done_by);
	if (item >= cs->items)
		return irk_fail(err, IRK_REFUSED, "step %s has no checklist item %d (it has %d)",
				cs->step_id, item + 1, cs->items);
	return IRK_OK;
}

int store_step_check(struct store *s, const char *actor, int64_t id, int item, int on,
		     struct irk_err *err)
{
	struct check_step cs = { .text = NULL };
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	sqlite3_stmt *st;
	int rc;

	if (item < 0)
		return irk_fail(err, IRK_REFUSED, "no checklist item %d", item + 1);
	if ((rc = store_begin(s, err)))
		return rc;
	if ((rc = check_read(s, id, item, &cs, err)) || (rc = check_refused(&cs, item, err)))
		goto fail;
	if (on == cs.ticked) {
		/* Already so (a colleague ticked it first): nothing to record. */
		free(cs.text);
		return store_commit(s, err);
	}
	if (!(st = store_stmt(s, on ? ST_STEP_CHECK_SET : ST_STEP_CHECK_CLEAR, err))) {
		rc = IRK_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, item);
	if (on) {
		sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, irk_now());
	}
	if ((rc = store_exec_stmt(s, st, err, "ticking a checklist item")))
		goto fail;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "step", cs.step_id);
	jsonw_kv_int(&w, "item", item);
	jsonw_kv_str(&w, "text", cs.text);
	jsonw_kv_bool(&w, "checked", on);
	jsonw_obj_end(&w);
	rc = audit_append(s, actor, cs.incident_id, "step.check", strbuf_str(&js), NULL, err);
	strbuf_free(&js);
	if (rc)
		goto fail;
	free(cs.text);
	return store_commit(s, err);
fail:
	free(cs.text);
	store_rollback(s);
	return rc;
}

int store_step_checks(struct store *s, int64_t id, struct strbuf *out, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_CHECKS, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if (store_rows_next(&r))
		strbuf_puts(out, store_col_text(st, 0));
	if (store_rows_end(&r, err, "reading a checklist"))
		return IRK_ERROR;
	if (!r.n)
		return irk_fail(err, IRK_NOTFOUND, "no step %lld", (long long)id);
	return IRK_OK;
}

/* ---- outbox ----------------------------------------------------------------- */

int store_outbox_add(struct store *s, int64_t incident_id, int64_t step, const char *recipient,
		     const char *text, int64_t at, int64_t *id, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_ADD, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, at);
	store_bind_time(st, 2, incident_id);
	store_bind_time(st, 3, step);
	sqlite3_bind_text(st, 4, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	if (store_exec_stmt(s, st, err, "queueing a message"))
		return IRK_ERROR;
	if (id)
		*id = sqlite3_last_insert_rowid(s->db);
	return IRK_OK;
}

int outbox_rows(struct store *s, sqlite3_stmt *st,
		       int (*fn)(const struct outbox_row *o, void *arg), void *arg,
		       struct irk_err *err, const char *what)
{
	struct store_rows r = store_rows_begin(s, st);

	while (store_rows_next(&r)) {
		struct outbox_row o = {
			.id = sqlite3_column_int64(st, 0),
			.at = sqlite3_column_int64(st, 1),
			.incident_id = sqlite3_column_int64(st, 2),
			.step_id = store_col_text(st, 3),
			.recipient = store_col_text(st, 4),
			.text = store_col_text(st, 5),
			.state = store_col_text(st, 6),
			.attempts = sqlite3_column_int(st, 7),
			.t_sent = sqlite3_column_int64(st, 8),
			.error = store_col_text(st, 9),
		};
		if (fn(&o, arg))
			break;
	}
	return store_rows_end(&r, err, what);
}

int store_outbox_each(struct store *s, int queued_only, int64_t limit,
		      int (*fn)(const struct outbox_row *o, void *arg), void *arg,
		      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_EACH, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int(st, 1, !!queued_only);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	return outbox_rows(s, st, fn, arg, err, "reading the outbox");
}

/* The recipients that reach name with role: the name, role:ROLE and the
 * roles below it (unused slots get a value no recipient has). */
static void bind_recipients(sqlite3_stmt *st, const char *name, int role)
{
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	for (int r = 0, slot = 2; slot <= 4; r++, slot++) {
		char who[32];
		if (r <= role && r < ROLE_COUNT) {
			snprintf(who, sizeof who, "role:%s", role_name(r));
			sqlite3_bind_text(st, slot, who, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_null(st, slot);
		}
	}
}

int store_inbox_each(struct store *s, const char *name, int role, int64_t limit,
		     int (*fn)(const struct outbox_row *o, void *arg), void *arg,
		     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INBOX_EACH, err);

	if (!st)
		return IRK_ERROR;
	bind_recipients(st, name, role);
	sqlite3_bind_int64(st, 5, limit > 0 ? limit : -1);
	return outbox_rows(s, st, fn, arg, err, "reading the messages");
}

int64_t store_inbox_unseen(struct store *s, const char *name, int role, int64_t *newest,
			   struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INBOX_UNSEEN, err);
	struct store_rows r = store_rows_begin(s, st);
	int64_t n = -1;

	if (newest)
		*newest = 0;
	if (!st)
		return -1;
	bind_recipients(st, name, role);
	if (store_rows_next(&r)) {
		n = sqlite3_column_int64(st, 0);
		if (newest)
			*newest = sqlite3_column_int64(st, 1);
	}
	if (store_rows_end(&r, err, "counting the messages") || !r.n)
		return -1;
	return n;
}

int64_t store_inbox_last_seen(struct store *s, const char *name, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INBOX_LAST_SEEN, err);
	struct store_rows r = store_rows_begin(s, st);
	int64_t id = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (store_rows_next(&r))
		id = sqlite3_column_int64(st, 0);
	if (store_rows_end(&r, err, "reading the messages read"))
		return -1;
	return id;
}

int store_inbox_seen(struct store *s, const char *name, int64_t id, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INBOX_SEEN, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	return store_exec_stmt(s, st, err, "recording the messages read");
}

/* ---- history ------------------------------------------------------------------ */

int store_rule_history(struct store *s, const char *rule, int64_t t0, int64_t t1,
		       int (*fn)(const struct rule_host_row *r, void *arg), void *arg,
		       struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_RULE_HISTORY, err);
	struct store_rows rows = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t0);
	sqlite3_bind_int64(st, 3, t1);
	while (store_rows_next(&rows)) {
		struct rule_host_row r = {
			.host = store_col_text(st, 0),
			.src_ip = store_col_text(st, 1),
			.alerts = sqlite3_column_int64(st, 2),
			.incidents = sqlite3_column_int64(st, 3),
			.closed = sqlite3_column_int64(st, 4),
			.dismissed = sqlite3_column_int64(st, 5),
		};
		if (fn(&r, arg))
			break;
	}
	return store_rows_end(&rows, err, "reading the rule's history");
}

int store_host_each(struct store *s, int (*fn)(const char *host, void *arg), void *arg,
		    struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_HOST_EACH, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	while (store_rows_next(&r))
		if (fn(store_col_text(st, 0), arg))
			break;
	return store_rows_end(&r, err, "reading hosts");
}
