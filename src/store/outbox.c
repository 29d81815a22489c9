/* outbox.c: what XMPP delivery reads and records: due messages, their
 * states, the addresses of a recipient, the delivery lease; and the
 * watches (who follows an incident). */
#include <string.h>

#include "internal.h"
#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/jsonw.h"

int store_outbox_due(struct store *s, int64_t after, int64_t now, int64_t limit,
		     int (*fn)(const struct outbox_row *o, void *arg), void *arg,
		     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_DUE, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
	return outbox_rows(s, st, fn, arg, err, "reading the messages due");
}

int store_outbox_sent(struct store *s, int64_t id, int64_t t, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_SENT, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, t);
	return store_exec_stmt(s, st, err, "recording a message sent");
}

int store_outbox_retry(struct store *s, int64_t id, const char *reason, int64_t next_try,
		       int *attempts, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_RETRY, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	store_bind_time(st, 3, next_try);
	if (attempts)
		*attempts = 0;
	if (store_rows_next(&r) && attempts)
		*attempts = sqlite3_column_int(st, 0);
	/* RETURNING: the statement must run to its end for the change. */
	while (store_rows_next(&r))
		;
	return store_rows_end(&r, err, "recording a failed try");
}

int store_recipient_jids(struct store *s, const char *recipient,
			 void (*fn)(const char *jid, void *arg), void *arg, int *n,
			 struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_JIDS_OF, err);
	struct store_rows r = store_rows_begin(s, st);

	*n = 0;
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	while (store_rows_next(&r)) {
		fn(store_col_text(st, 0), arg);
		(*n)++;
	}
	return store_rows_end(&r, err, "finding a recipient's JIDs");
}

int store_lease_take(struct store *s, const char *name, const char *owner, int64_t now,
		     int64_t ttl, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_LEASE_TAKE, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now + ttl);
	sqlite3_bind_int64(st, 4, now);
	if (store_exec_stmt(s, st, err, "taking a lease"))
		return IRK_ERROR;
	if (sqlite3_changes(s->db) == 1)
		return IRK_OK;
	st = store_stmt(s, ST_LEASE_GET, err);
	struct store_rows r = store_rows_begin(s, st);
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	char holder[128] = "?";
	int64_t until = 0;
	if (store_rows_next(&r)) {
		irk_strlcpy(holder, store_col_text(st, 0), sizeof holder);
		until = sqlite3_column_int64(st, 1);
	}
	store_rows_end(&r, NULL, "reading a lease");
	return irk_fail(err, IRK_CONFLICT, "%s is held by %s for %llds more", name, holder,
			(long long)(until - now));
}

int store_lease_drop(struct store *s, const char *name, const char *owner, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_LEASE_DROP, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st, err, "giving up a lease");
}

int store_watch_set(struct store *s, const char *actor, const char *name, int64_t incident_id,
		    int on, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, on ? ST_WATCH_ADD : ST_WATCH_DROP, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, incident_id);
	if (on)
		sqlite3_bind_int64(st, 3, irk_now());
	if (store_exec_stmt(s, st, err, on ? "watching an incident" : "unwatching an incident"))
		return IRK_ERROR;
	if (sqlite3_changes(s->db) == 0)
		return IRK_OK;
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "name", name);
	jsonw_obj_end(&w);
	int rc = audit_append(s, actor, incident_id, on ? "watch.add" : "watch.drop", js.buf, NULL,
			      err);
	strbuf_free(&js);
	return rc;
}

int store_watchers(struct store *s, int64_t incident_id,
		   void (*fn)(const char *name, void *arg), void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_WATCHERS, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	while (store_rows_next(&r))
		fn(store_col_text(st, 0), arg);
	return store_rows_end(&r, err, "reading who watches an incident");
}
