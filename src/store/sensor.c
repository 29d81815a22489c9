/* sensor.c: sensor events kept for context (irk/sensor.h) in the
 * database. */
#include "internal.h"
#include "irk/hmap.h"
#include "irk/jsonw.h"

/* An integer, or NULL for 0 (absent: ports, sizes and counts of 0 say
 * nothing an analyst pivots on). */
static void bind_count(sqlite3_stmt *st, int i, int64_t v)
{
	store_bind_time(st, i, v);
}

int store_sensor_insert(struct store *s, const struct sensor_event *e, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_SENSOR_INSERT, err);
	const char *text[] = { e->sensor, e->src_ip, NULL, e->dst_ip, NULL, e->proto,
		e->rrname, e->rrtype, e->answer, e->hostname, e->url, e->method, NULL,
		e->user_agent, e->sni, e->subject, e->ja3, e->filename, e->sha256 };

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, e->t);
	sqlite3_bind_text(st, 2, sensor_type_name(e->type), -1, SQLITE_STATIC);
	/* ?3..?21: the text columns, with the integers in their places. */
	for (int i = 0; i < (int)(sizeof text / sizeof text[0]); i++)
		store_bind_text(st, 3 + i, text[i]);
	bind_count(st, 5, e->src_port);
	bind_count(st, 7, e->dst_port);
	bind_count(st, 15, e->status);
	bind_count(st, 22, e->size);
	bind_count(st, 23, e->bytes);
	bind_count(st, 24, e->packets);
	sqlite3_bind_text(st, 25, e->raw ? e->raw : "", e->raw ? (int)e->raw_len : 0, SQLITE_STATIC);
	sqlite3_bind_int64(st, 26, (int64_t)hmap_hash(e->raw ? e->raw : "", e->raw ? e->raw_len : 0));
	if (store_exec_stmt(s, st, err, "keeping a sensor event"))
		return IRK_ERROR;
	return sqlite3_changes(s->db) ? IRK_OK : IRK_CONFLICT;
}

int store_sensor_prune(struct store *s, int64_t before, int limit, int64_t *deleted,
		       struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_SENSOR_PRUNE, err);

	*deleted = 0;
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	if (store_exec_stmt(s, st, err, "deleting old sensor events"))
		return IRK_ERROR;
	*deleted = sqlite3_changes(s->db);
	return IRK_OK;
}

int64_t store_sensor_count(struct store *s)
{
	return store_int_of(store_stmt(s, ST_SENSOR_COUNT, NULL));
}

int store_sensor_any(struct store *s)
{
	return store_int_of(store_stmt(s, ST_SENSOR_ANY, NULL)) > 0;
}

int store_sensor_context(struct store *s, const char *const *addrs, int n, int64_t from,
			 int64_t to, int limit, int (*fn)(const struct sensor_seen *e, void *arg),
			 void *arg, struct irk_err *err)
{
	sqlite3_stmt *st;
	struct strbuf list = STRBUF_INIT;
	struct jsonw w;
	struct store_rows r;
	int rc;

	if (n > STORE_SENSOR_ADDRS)
		n = STORE_SENSOR_ADDRS;
	if (!(st = store_stmt(s, ST_SENSOR_CONTEXT, err)))
		return IRK_ERROR;
	/* The addresses as one JSON array: a statement of one shape for any
	 * number of them. */
	jsonw_init(&w, &list, 0);
	jsonw_arr_begin(&w);
	for (int i = 0; i < n; i++)
		jsonw_str(&w, addrs[i]);
	jsonw_arr_end(&w);
	sqlite3_bind_text(st, 1, strbuf_str(&list), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	sqlite3_bind_int(st, 4, limit);
	sqlite3_bind_int(st, 5, STORE_SENSOR_FLOW_PEERS);
	r = store_rows_begin(s, st);
	while (store_rows_next(&r)) {
		struct sensor_seen e = {
			.type = sensor_type_parse(store_col_text(st, 0)),
			.what = store_col_text(st, 1),
			.detail = store_col_text(st, 2),
			.count = sqlite3_column_int64(st, 3),
			.first = sqlite3_column_int64(st, 4),
			.last = sqlite3_column_int64(st, 5),
			.answer = store_col_text(st, 6),
			.newest = sqlite3_column_int64(st, 7),
			.bytes = sqlite3_column_int64(st, 8),
			.total = sqlite3_column_int64(st, 9),
		};
		if (fn(&e, arg))
			break;
	}
	rc = store_rows_end(&r, err, "reading sensor events");
	strbuf_free(&list);
	return rc;
}

int store_sensor_raw(struct store *s, int64_t id, struct strbuf *out, int *found,
		     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_SENSOR_RAW, err);
	int rc;

	*found = 0;
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_add(out, (const char *)sqlite3_column_text(st, 0),
			   (size_t)sqlite3_column_bytes(st, 0));
		*found = 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? IRK_OK :
	       store_fail(s, err, "reading a sensor event");
}

int store_sensor_list(struct store *s, const struct sensor_filter *f,
		      int (*fn)(const struct sensor_event *e, void *arg), void *arg,
		      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, f->host ? ST_SENSOR_LIST_HOST : ST_SENSOR_LIST, err);
	struct store_rows r;

	if (!st)
		return IRK_ERROR;
	if (f->host)
		sqlite3_bind_text(st, 1, f->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->from);
	sqlite3_bind_int64(st, 3, f->to);
	sqlite3_bind_int(st, 4, f->limit);
	if (f->type >= 0)
		sqlite3_bind_text(st, 5, sensor_type_name(f->type), -1, SQLITE_STATIC);
	r = store_rows_begin(s, st);
	while (store_rows_next(&r)) {
		struct sensor_event e = {
			.id = sqlite3_column_int64(st, 0),
			.t = sqlite3_column_int64(st, 1),
			.type = sensor_type_parse(store_col_text(st, 2)),
			.sensor = store_col_text(st, 3),
			.src_ip = store_col_text(st, 4),
			.src_port = sqlite3_column_int64(st, 5),
			.dst_ip = store_col_text(st, 6),
			.dst_port = sqlite3_column_int64(st, 7),
			.proto = store_col_text(st, 8),
			.rrname = store_col_text(st, 9),
			.rrtype = store_col_text(st, 10),
			.answer = store_col_text(st, 11),
			.hostname = store_col_text(st, 12),
			.url = store_col_text(st, 13),
			.method = store_col_text(st, 14),
			.status = sqlite3_column_int64(st, 15),
			.user_agent = store_col_text(st, 16),
			.sni = store_col_text(st, 17),
			.subject = store_col_text(st, 18),
			.ja3 = store_col_text(st, 19),
			.filename = store_col_text(st, 20),
			.sha256 = store_col_text(st, 21),
			.size = sqlite3_column_int64(st, 22),
			.bytes = sqlite3_column_int64(st, 23),
			.packets = sqlite3_column_int64(st, 24),
			.raw = store_col_text(st, 25),
			.raw_len = (size_t)sqlite3_column_bytes(st, 25),
		};
		if (fn(&e, arg))
			break;
	}
	return store_rows_end(&r, err, "listing sensor events");
}
