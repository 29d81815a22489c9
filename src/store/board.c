/* board.c: what the board reads besides incidents: the "waits for a
 * person" aggregate and the presence heartbeat. */
#include <string.h>

#include "internal.h"

int store_incident_waiting(struct store *s, int (*fn)(int64_t id, void *arg), void *arg,
			   struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_WAITING, err);

	if (!st)
		return IRK_ERROR;
	return store_each_id(s, st, fn, arg, err, "reading waiting steps");
}

int store_incident_observed(struct store *s, const char *value,
			    int (*fn)(int64_t id, void *arg), void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INCIDENT_OBSERVED, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	return store_each_id(s, st, fn, arg, err, "reading observables");
}

int store_incident_failed(struct store *s, int (*fn)(int64_t id, void *arg), void *arg,
			  struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INCIDENT_FAILED, err);

	if (!st)
		return IRK_ERROR;
	return store_each_id(s, st, fn, arg, err, "reading failed steps");
}

int store_incident_tickets(struct store *s, int (*fn)(int64_t id, const char *key, void *arg),
			   void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INCIDENT_TICKETS, err);
	struct store_rows r;

	if (!st)
		return IRK_ERROR;
	r = store_rows_begin(s, st);
	while (store_rows_next(&r))
		if (fn(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1), arg))
			break;
	return store_rows_end(&r, err, "reading ticket steps");
}

int store_step_approvals(struct store *s, int (*fn)(const struct step_row *st, void *arg),
			 void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_APPROVALS, err);

	if (!st)
		return IRK_ERROR;
	return store_step_rows(s, st, fn, arg, NULL, err);
}

int store_presence_beat(struct store *s, const char *name, int64_t now, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_PRESENCE_BEAT, err);
	int rc;

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	/* A heartbeat is worth less than a responsive screen: do not queue
	 * behind a long ingest transaction. */
	int limit = s->busy_ms;

	store_busy_limit(s, 50);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	store_busy_limit(s, limit);
	if ((rc & 0xff) == SQLITE_BUSY)
		return irk_fail(err, IRK_CONFLICT, "database busy; heartbeat skipped");
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "recording presence");
	return IRK_OK;
}

int store_presence_leave(struct store *s, const char *name, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_PRESENCE_LEAVE, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st, err, "recording presence");
}

int store_presence_list(struct store *s, int64_t since,
			int (*fn)(const char *name, int64_t seen, void *arg), void *arg,
			struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_PRESENCE_LIST, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, since);
	while (store_rows_next(&r))
		if (fn(store_col_text(st, 0), sqlite3_column_int64(st, 1), arg))
			break;
	return store_rows_end(&r, err, "listing presence");
}
