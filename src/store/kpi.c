/* kpi.c: the reads behind irk kpi and irk maturity. They stream rows
 * (no sorting, no aggregation in SQL): the KPI module keeps what it needs
 * per incident in arrays, so one pass over each table is the whole cost. */
#include <string.h>

#include "internal.h"

/* The stage of a stored name, by its first letters: the history holds
 * millions of rows, and a row compared against seven names costs more
 * than reading it. -1 for anything else. */
static int stage_of(const char *s)
{
	if (!s)
		return -1;
	switch (s[0]) {
	case 'n': return STAGE_NEW;
	case 'i': return STAGE_IDENTIFICATION;
	case 'c': return s[1] == 'o' && s[2] == 'n' ? STAGE_CONTAINMENT : STAGE_CLOSED;
	case 'e': return STAGE_ERADICATION;
	case 'r': return STAGE_RECOVERY;
	case 'l': return STAGE_LESSONS;
	}
	return stage_parse(s);
}

static int resolution_of(const char *s)
{
	if (!s)
		return RES_NONE;
	switch (s[0]) {
	case 't': return RES_TRUE_POSITIVE;
	case 'f': return RES_FALSE_POSITIVE;
	case 'd': return RES_DUPLICATE;
	case 'b': return RES_BENIGN;
	}
	return RES_NONE;
}

static int severity_of(const char *s)
{
	switch (s ? s[0] : 0) {
	case 'l': return SEV_LOW;
	case 'h': return SEV_HIGH;
	case 'c': return SEV_CRITICAL;
	}
	return SEV_MEDIUM;
}

int store_kpi_span(struct store *s, struct kpi_span *out, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_KPI_SPAN, err);
	struct store_rows r = store_rows_begin(s, st);

	memset(out, 0, sizeof *out);
	if (!st)
		return IRK_ERROR;
	if (store_rows_next(&r)) {
		out->first = sqlite3_column_int64(st, 0);
		out->last = sqlite3_column_int64(st, 1);
		out->min_id = sqlite3_column_int64(st, 2);
		out->max_id = sqlite3_column_int64(st, 3);
	}
	return store_rows_end(&r, err, "reading the extent of the incidents");
}

int store_kpi_ids(struct store *s, int64_t since, int64_t until, int64_t *lo, int64_t *hi,
		  struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_KPI_IDS, err);
	struct store_rows r = store_rows_begin(s, st);

	*lo = 0;
	*hi = -1;
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	if (store_rows_next(&r) && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*lo = sqlite3_column_int64(st, 0);
		*hi = sqlite3_column_int64(st, 1);
	}
	return store_rows_end(&r, err, "reading the incidents of a period");
}

/* The statement all (full) or range, its range bound to lo..hi; NULL on
 * an error. */
static sqlite3_stmt *kpi_stmt(struct store *s, int full, int all, int range, int64_t lo,
			      int64_t hi, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, full ? all : range, err);

	if (st) {
		sqlite3_bind_int64(st, 1, lo);
		sqlite3_bind_int64(st, 2, hi);
	}
	return st;
}

int store_kpi_incidents(struct store *s, int64_t since, int64_t until, int full,
			int (*fn)(const struct kpi_incident_row *r, void *arg), void *arg,
			struct irk_err *err)
{
	sqlite3_stmt *st = kpi_stmt(s, full, ST_KPI_INC_ALL, ST_KPI_INC_RANGE, since, until, err);
	struct store_rows r = store_rows_begin(s, st);
	struct kpi_incident_row row;

	if (!st)
		return IRK_ERROR;
	while (store_rows_next(&r)) {
		row.id = sqlite3_column_int64(st, 0);
		row.stage = stage_of(store_col_text(st, 1));
		row.priority = sqlite3_column_int(st, 2);
		row.resolution = resolution_of(store_col_text(st, 3));
		row.asset_criticality = sqlite3_column_int(st, 4);
		row.t_first_event = sqlite3_column_int64(st, 5);
		row.t_detected = sqlite3_column_int64(st, 6);
		row.t_acknowledged = sqlite3_column_int64(st, 7);
		row.t_contained = sqlite3_column_int64(st, 8);
		row.t_resolved = sqlite3_column_int64(st, 9);
		row.t_closed = sqlite3_column_int64(st, 10);
		row.reopen_count = sqlite3_column_int(st, 11);
		row.back_moves = sqlite3_column_int(st, 12);
		row.effort_min = sqlite3_column_int(st, 13);
		row.category = store_col_text(st, 14);
		row.business_unit = store_col_text(st, 15);
		row.owner = store_col_text(st, 16);
		row.play = store_col_text(st, 17);
		row.play_version = store_col_text(st, 18);
		row.rule = store_col_text(st, 19);
		row.root_cause = store_col_text(st, 20);
		row.severity = severity_of(store_col_text(st, 21));
		row.vector = store_col_text(st, 22);
		row.threat_source = store_col_text(st, 23);
		if (fn(&row, arg))
			break;
	}
	return store_rows_end(&r, err, "reading incidents for the KPIs");
}

int store_kpi_moves(struct store *s, int64_t lo, int64_t hi, int full,
		    int (*fn)(const struct kpi_move_row *r, void *arg), void *arg,
		    struct irk_err *err)
{
	sqlite3_stmt *st = kpi_stmt(s, full, ST_KPI_MOVES_ALL, ST_KPI_MOVES_RANGE, lo, hi, err);
	struct store_rows r = store_rows_begin(s, st);
	struct kpi_move_row row;

	if (!st)
		return IRK_ERROR;
	while (store_rows_next(&r)) {
		row.incident_id = sqlite3_column_int64(st, 0);
		row.to = stage_of(store_col_text(st, 1));
		row.at = sqlite3_column_int64(st, 2);
		row.forced = sqlite3_column_int(st, 3);
		if (fn(&row, arg))
			break;
	}
	return store_rows_end(&r, err, "reading the stage history for the KPIs");
}

int store_kpi_steps(struct store *s, int64_t lo, int64_t hi, int full,
		    int (*fn)(const struct kpi_step_row *r, void *arg), void *arg,
		    struct irk_err *err)
{
	sqlite3_stmt *st = kpi_stmt(s, full, ST_KPI_STEPS_ALL, ST_KPI_STEPS_RANGE, lo, hi, err);
	struct store_rows r = store_rows_begin(s, st);
	struct kpi_step_row row;

	if (!st)
		return IRK_ERROR;
	while (store_rows_next(&r)) {
		row.incident_id = sqlite3_column_int64(st, 0);
		row.kind = store_col_text(st, 1);
		row.state = step_state_parse(store_col_text(st, 2));
		row.t_start = sqlite3_column_int64(st, 3);
		row.t_end = sqlite3_column_int64(st, 4);
		if (fn(&row, arg))
			break;
	}
	return store_rows_end(&r, err, "reading steps for the KPIs");
}

int store_kpi_plays(struct store *s,
		    int (*fn)(const char *play_id, const char *hash, int64_t loaded, void *arg),
		    void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_KPI_PLAYS, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	while (store_rows_next(&r))
		if (fn(store_col_text(st, 0), store_col_text(st, 1), sqlite3_column_int64(st, 2), arg))
			break;
	return store_rows_end(&r, err, "reading play versions for the KPIs");
}

int64_t store_kpi_head(struct store *s)
{
	return store_int_of(store_stmt(s, ST_KPI_HEAD, NULL));
}

int store_kpi_snapshot_get(struct store *s, const char *name, int64_t *at, int64_t *head,
			   struct strbuf *body, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, body ? ST_KPI_SNAP_GET : ST_KPI_SNAP_META, err);
	struct store_rows r = store_rows_begin(s, st);
	int rc = IRK_NOTFOUND;

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (store_rows_next(&r)) {
		*at = sqlite3_column_int64(st, 0);
		*head = sqlite3_column_int64(st, 1);
		if (body) {
			strbuf_reset(body);
			strbuf_add(body, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
		}
		rc = IRK_OK;
	}
	if (store_rows_end(&r, err, "reading a KPI snapshot"))
		return IRK_ERROR;
	return rc;
}

int store_kpi_snapshot_put(struct store *s, const char *name, int64_t at, int64_t head,
			   const void *body, size_t len, struct irk_err *err)
{
	int limit = s->busy_ms, rc;
	sqlite3_stmt *st;

	/* Derived data: not worth queueing behind a long ingest transaction. */
	store_busy_limit(s, 50);
	rc = store_begin(s, err);
	if (!rc && !(st = store_stmt(s, ST_KPI_SNAP_PUT, err)))
		rc = IRK_ERROR;
	if (!rc) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, at);
		sqlite3_bind_int64(st, 3, head);
		sqlite3_bind_blob(st, 4, body, (int)len, SQLITE_STATIC);
		rc = store_exec_stmt(s, st, err, "storing a KPI snapshot");
	}
	if (!rc)
		rc = store_commit(s, err);
	/* busy is asked before the rollback, which forgets it */
	if (rc && store_last_busy(s))
		rc = irk_fail(err, IRK_CONFLICT, "database busy; KPI snapshot skipped");
	if (rc && store_in_tx(s))
		store_rollback(s);
	store_busy_limit(s, limit);
	return rc;
}
