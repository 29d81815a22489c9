/* alerts.c: alerts, observables and the quarantine in the database. */
#include <string.h>

#include "internal.h"
#include "irk/clock.h"
#include "irk/hash.h"

int store_alert_insert(struct store *s, const struct alert *a, int64_t received,
		       int64_t incident_id, int64_t *alert_id, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ALERT_INSERT, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_blob(st, 1, a->fingerprint, ALERT_FP_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, alert_format_name(a->format), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->event_time);
	sqlite3_bind_int64(st, 4, received);
	store_bind_text(st, 5, a->rule_id);
	store_bind_text(st, 6, a->rule_name);
	store_bind_text(st, 7, severity_name(a->severity));
	store_bind_text(st, 8, a->host);
	store_bind_text(st, 9, a->src_ip);
	store_bind_text(st, 10, a->dst_ip);
	store_bind_text(st, 11, a->user);
	store_bind_text(st, 12, a->category);
	sqlite3_bind_text(st, 13, a->raw, (int)a->raw_len, SQLITE_STATIC);
	store_bind_time(st, 14, incident_id);
	if (store_exec_stmt(s, st, err, "storing an alert"))
		return IRK_ERROR;
	if (!sqlite3_changes(s->db))
		return IRK_CONFLICT;
	if (alert_id)
		*alert_id = sqlite3_last_insert_rowid(s->db);
	return IRK_OK;
}

int store_alert_last_id(struct store *s, int64_t *id, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ALERT_LAST_ID, err);
	struct store_rows r = store_rows_begin(s, st);

	*id = 0;
	if (!st)
		return IRK_ERROR;
	if (store_rows_next(&r))
		*id = sqlite3_column_int64(st, 0);   /* NULL (no alert) reads as 0 */
	if (store_rows_end(&r, err, "reading alerts"))
		return IRK_ERROR;
	return r.n ? IRK_OK : store_fail(s, err, "reading alerts");
}

int store_alert_hour_stored(struct store *s, const unsigned char fp[ALERT_FP_LEN],
			    struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ALERT_HOUR, err);
	uint32_t hour = (uint32_t)fp[0] << 24 | (uint32_t)fp[1] << 16 | (uint32_t)fp[2] << 8 | fp[3];
	struct store_rows r = store_rows_begin(s, st);
	unsigned char hi[ALERT_FP_LEN + 1];
	int hlen = 4;

	if (!st)
		return -1;
	/* [hour, hour + 1) as blobs (a longer blob sorts after its prefix).
	 * Past the last hour, a blob above every fingerprint. */
	memset(hi, 0xff, sizeof hi);
	if (hour == UINT32_MAX) {
		hlen = (int)sizeof hi;
	} else {
		hour++;
		hi[0] = (unsigned char)(hour >> 24);
		hi[1] = (unsigned char)(hour >> 16);
		hi[2] = (unsigned char)(hour >> 8);
		hi[3] = (unsigned char)hour;
	}
	sqlite3_bind_blob(st, 1, fp, 4, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hi, hlen, SQLITE_STATIC);
	store_rows_next(&r);
	if (store_rows_end(&r, err, "reading alerts"))
		return -1;
	return r.n > 0;
}

/* Bind one row of ALERT_NEW_COLS values from parameter base + 1 on. */
static void bind_new(sqlite3_stmt *st, int base, const struct alert_new *r, int64_t received)
{
	const struct alert *a = r->a;

	sqlite3_bind_int64(st, base + 1, r->id);
	sqlite3_bind_blob(st, base + 2, a->fingerprint, ALERT_FP_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 3, alert_format_name(a->format), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 4, a->event_time);
	sqlite3_bind_int64(st, base + 5, received);
	store_bind_text(st, base + 6, a->rule_id);
	store_bind_text(st, base + 7, a->rule_name);
	store_bind_text(st, base + 8, severity_name(a->severity));
	store_bind_text(st, base + 9, a->host);
	store_bind_text(st, base + 10, a->src_ip);
	store_bind_text(st, base + 11, a->dst_ip);
	store_bind_text(st, base + 12, a->user);
	store_bind_text(st, base + 13, a->category);
	sqlite3_bind_text(st, base + 14, a->raw, (int)a->raw_len, SQLITE_STATIC);
	store_bind_time(st, base + 15, r->incident_id);
}

int store_alert_insert_new(struct store *s, const struct alert_new *rows, int n,
			   int64_t received, struct irk_err *err)
{
	static const struct { int rows; enum store_stmt id; } by[] = {
		{ 16, ST_ALERT_NEW_16 }, { 4, ST_ALERT_NEW_4 }, { 1, ST_ALERT_NEW_1 },
	};

	for (int b = 0; b < 3; b++) {
		for (; n >= by[b].rows; n -= by[b].rows, rows += by[b].rows) {
			sqlite3_stmt *st = store_stmt(s, by[b].id, err);

			if (!st)
				return IRK_ERROR;
			for (int i = 0; i < by[b].rows; i++)
				bind_new(st, i * ALERT_NEW_COLS, &rows[i], received);
			if (store_exec_stmt(s, st, err, "storing alerts"))
				return IRK_ERROR;
			if (sqlite3_changes(s->db) != by[b].rows)
				return irk_fail(err, IRK_ERROR, "storing alerts: %d of %d were "
						"already stored (internal: they were taken as new)",
						by[b].rows - sqlite3_changes(s->db), by[b].rows);
		}
	}
	return IRK_OK;
}

int store_alert_exists(struct store *s, const unsigned char fp[ALERT_FP_LEN])
{
	sqlite3_stmt *st = store_stmt(s, ST_ALERT_EXISTS, NULL);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return 0;
	sqlite3_bind_blob(st, 1, fp, ALERT_FP_LEN, SQLITE_STATIC);
	store_rows_next(&r);
	store_rows_end(&r, NULL, "reading alerts");
	return r.n > 0;
}

static int alert_rows(struct store *s, sqlite3_stmt *st,
		      int (*fn)(const struct alert *a, void *arg), void *arg,
		      int64_t *count, struct irk_err *err);

int store_alert_each(struct store *s, int64_t incident_id, int64_t limit,
		     int (*fn)(const struct alert *a, void *arg), void *arg,
		     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ALERT_EACH, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	return alert_rows(s, st, fn, arg, NULL, err);
}

int store_alert_first(struct store *s, int64_t incident_id,
		      int (*fn)(const struct alert *a, void *arg), void *arg,
		      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ALERT_FIRST, err);
	int64_t seen = 0;

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	if (alert_rows(s, st, fn, arg, &seen, err))
		return IRK_ERROR;
	if (!seen)
		return irk_fail(err, IRK_NOTFOUND, "incident %lld has no alert", (long long)incident_id);
	return IRK_OK;
}

int store_storm_alert_of(struct store *s, int64_t id, const char *host,
			 int (*fn)(const struct alert *a, void *arg), void *arg,
			 struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_ALERT_OF, err);
	int64_t seen = 0;

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	if (alert_rows(s, st, fn, arg, &seen, err))
		return IRK_ERROR;
	return seen ? IRK_OK : IRK_NOTFOUND;
}

/* Call fn for each row of a statement selecting the alert columns;
 * *count (may be NULL) gets the number of rows seen. */
static int alert_rows(struct store *s, sqlite3_stmt *st,
		      int (*fn)(const struct alert *a, void *arg), void *arg,
		      int64_t *count, struct irk_err *err)
{
	struct store_rows rows = store_rows_begin(s, st);
	struct alert r;
	int rc;

	while (store_rows_next(&rows)) {
		const void *fp = sqlite3_column_blob(st, 14);

		alert_reset(&r);
		r.id = sqlite3_column_int64(st, 0);
		r.incident_id = sqlite3_column_int64(st, 1);
		r.event_time = sqlite3_column_int64(st, 2);
		r.received = sqlite3_column_int64(st, 3);
		r.format = alert_format_parse(store_col_text(st, 4));
		r.rule_id = store_col_text(st, 5);
		r.rule_name = store_col_text(st, 6);
		r.severity = severity_parse(store_col_text(st, 7));
		r.host = store_col_text(st, 8);
		r.src_ip = store_col_text(st, 9);
		r.dst_ip = store_col_text(st, 10);
		r.user = store_col_text(st, 11);
		r.category = store_col_text(st, 12);
		r.raw = store_col_text(st, 13);
		r.raw_len = (size_t)sqlite3_column_bytes(st, 13);
		if (fp && sqlite3_column_bytes(st, 14) == ALERT_FP_LEN)
			memcpy(r.fingerprint, fp, ALERT_FP_LEN);
		if (fn(&r, arg))
			break;
	}
	rc = store_rows_end(&rows, err, "reading alerts");
	if (count)
		*count = rows.n;
	return rc;
}

int store_observable_add(struct store *s, int64_t incident_id, int type, const char *value,
			 const char *source, int64_t ref, int64_t at, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_OBS_ADD, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	sqlite3_bind_text(st, 2, obs_type_name(type), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
	store_bind_time(st, 5, ref);
	sqlite3_bind_int64(st, 6, at);
	if (store_exec_stmt(s, st, err, "storing an observable"))
		return IRK_ERROR;
	return sqlite3_changes(s->db) ? IRK_OK : IRK_CONFLICT;
}

int64_t store_observable_count(struct store *s, int64_t incident_id, int type)
{
	sqlite3_stmt *st = store_stmt(s, ST_OBS_COUNT, NULL);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, incident_id);
	sqlite3_bind_text(st, 2, obs_type_name(type), -1, SQLITE_STATIC);
	return store_int_of(st);
}

int store_observable_each(struct store *s, int64_t incident_id,
			  int (*fn)(const struct observable_row *o, void *arg), void *arg,
			  struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_OBS_EACH, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	while (store_rows_next(&r)) {
		struct observable_row o = {
			.type = obs_type_parse(store_col_text(st, 0)),
			.value = store_col_text(st, 1), .source = store_col_text(st, 2),
			.ref = sqlite3_column_int64(st, 3), .at = sqlite3_column_int64(st, 4),
		};
		if (fn(&o, arg))
			break;
	}
	return store_rows_end(&r, err, "reading observables");
}

int store_quarantine_add(struct store *s, const char *source, int64_t line,
			 const char *format, const char *reason, const char *raw, size_t raw_len,
			 int64_t orig_len, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_QUAR_ADD, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, irk_now());
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, line);
	store_bind_text(st, 4, format);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, raw_len ? raw : "", (int)raw_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, orig_len);
	return store_exec_stmt(s, st, err, "quarantining a record");
}

int64_t store_quarantine_count(struct store *s)
{
	return store_int_of(store_stmt(s, ST_QUAR_COUNT, NULL));
}

int store_quarantine_each(struct store *s, int64_t limit,
			  int (*fn)(const struct quarantine_row *q, void *arg), void *arg,
			  struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_QUAR_EACH, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while (store_rows_next(&r)) {
		struct quarantine_row q = {
			.id = sqlite3_column_int64(st, 0), .at = sqlite3_column_int64(st, 1),
			.line = sqlite3_column_int64(st, 2), .source = store_col_text(st, 3),
			.reason = store_col_text(st, 4), .format = store_col_text(st, 5),
			.raw = sqlite3_column_blob(st, 6),
			.raw_len = (size_t)sqlite3_column_bytes(st, 6),
			.orig_len = sqlite3_column_int64(st, 7),
		};
		/* sqlite gives NULL for an empty blob; callers get "" */
		if (!q.raw)
			q.raw = "";
		if (fn(&q, arg))
			break;
	}
	return store_rows_end(&r, err, "reading the quarantine");
}
