/* context.c: the asset inventory, the cache of remote context sources
 * and their health (irk/context.h) in the database. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ASSET_ROW_T(n) { #n, 0, offsetof(struct asset, n) },
#define ASSET_ROW_I(n) { #n, 1, offsetof(struct asset, n) },
#define ASSET_ROW(n, k) ASSET_ROW_##k(n)
const struct asset_field asset_fields[] = { ASSET_FIELDS(ASSET_ROW) { NULL, 0, 0 } };
#undef ASSET_ROW

void asset_clear(struct asset *a)
{
	for (const struct asset_field *f = asset_fields; f->name; f++)
		if (!f->is_int)
			free(*(char **)((char *)a + f->off));
	free(a->source);
	memset(a, 0, sizeof *a);
}

/* A row of ASSET_COLS: the fields in their order, then source, updated.
 * Copies when own, else borrowed from the statement. */
static void asset_row(sqlite3_stmt *st, struct asset *a, int own)
{
	int i = 0;

	memset(a, 0, sizeof *a);
	for (const struct asset_field *f = asset_fields; f->name; f++, i++) {
		if (f->is_int) {
			*(int *)((char *)a + f->off) = sqlite3_column_int(st, i);
			continue;
		}
		const char *v = store_col_text(st, i);
		*(char **)((char *)a + f->off) = own && v ? xstrdup(v) : (char *)v;
	}
	a->source = (char *)store_col_text(st, i);
	if (own)
		a->source = xstrdup(a->source);
	a->fetched = sqlite3_column_int64(st, i + 1);
}

static int asset_one(struct store *s, sqlite3_stmt *st, struct asset *out, struct irk_err *err)
{
	struct store_rows r = store_rows_begin(s, st);
	int found = store_rows_next(&r);

	if (found)
		asset_row(st, out, 1);
	if (store_rows_end(&r, err, "reading an asset"))
		return IRK_ERROR;
	return found ? IRK_OK : irk_fail(err, IRK_NOTFOUND, "no such asset");
}

int store_asset_get(struct store *s, const char *host, struct asset *out, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ASSET_GET, err);

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, host);
	return asset_one(s, st, out, err);
}

int store_asset_by_ip(struct store *s, const char *ip, struct asset *out, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ASSET_BY_IP, err);

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, ip);
	return asset_one(s, st, out, err);
}

int store_asset_put(struct store *s, const struct asset *a, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ASSET_PUT, err);
	int i = 1;
	char *ips, *save = NULL;

	if (!st)
		return IRK_ERROR;
	for (const struct asset_field *f = asset_fields; f->name; f++, i++) {
		if (f->is_int)
			sqlite3_bind_int(st, i, *(const int *)((const char *)a + f->off));
		else
			store_bind_text(st, i, *(char *const *)((const char *)a + f->off));
	}
	store_bind_text(st, i, a->source);
	sqlite3_bind_int64(st, i + 1, a->fetched);
	if (store_exec_stmt(s, st, err, "storing an asset"))
		return IRK_ERROR;
	/* Its addresses, anew. */
	if (!(st = store_stmt(s, ST_ASSET_IPS_DEL, err)))
		return IRK_ERROR;
	store_bind_text(st, 1, a->host);
	if (store_exec_stmt(s, st, err, "storing an asset's addresses"))
		return IRK_ERROR;
	ips = a->ips ? xstrdup(a->ips) : NULL;
	for (char *ip = ips ? strtok_r(ips, " ", &save) : NULL; ip; ip = strtok_r(NULL, " ", &save)) {
		if (!(st = store_stmt(s, ST_ASSET_IP_ADD, err)) ||
		    (store_bind_text(st, 1, ip), store_bind_text(st, 2, a->host),
		     store_exec_stmt(s, st, err, "storing an asset's addresses"))) {
			free(ips);
			return IRK_ERROR;
		}
	}
	free(ips);
	return IRK_OK;
}

int store_asset_each(struct store *s, int (*fn)(const struct asset *a, void *arg), void *arg,
		     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_ASSET_EACH, err);
	struct store_rows r;
	struct asset a;

	if (!st)
		return IRK_ERROR;
	r = store_rows_begin(s, st);
	while (store_rows_next(&r)) {
		asset_row(st, &a, 0);
		if (fn(&a, arg))
			break;
	}
	return store_rows_end(&r, err, "reading the assets");
}

int64_t store_asset_count(struct store *s)
{
	return store_int_of(store_stmt(s, ST_ASSET_COUNT, NULL));
}

/* One row of context_cache from st, to fn. */
static int cached_row(struct store *s, sqlite3_stmt *st,
		      int (*fn)(const struct context_cached *c, void *arg), void *arg,
		      struct irk_err *err)
{
	struct store_rows r = store_rows_begin(s, st);
	int found;

	if ((found = store_rows_next(&r))) {
		struct context_cached c = {
			store_col_text(st, 0), store_col_text(st, 1), store_col_text(st, 2),
			sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4) };
		fn(&c, arg);
	}
	if (store_rows_end(&r, err, "reading the context cache"))
		return IRK_ERROR;
	return found ? IRK_OK : IRK_NOTFOUND;
}

int store_context_get(struct store *s, const char *source, const char *key,
		      int (*fn)(const struct context_cached *c, void *arg), void *arg,
		      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_CTX_GET, err);

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, source);
	store_bind_text(st, 2, key);
	return cached_row(s, st, fn, arg, err);
}

int store_context_any(struct store *s, const char *key,
		      int (*fn)(const struct context_cached *c, void *arg), void *arg,
		      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_CTX_ANY, err);

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, key);
	return cached_row(s, st, fn, arg, err);
}

int store_context_each_key(struct store *s, const char *key,
			   int (*fn)(const struct context_cached *c, void *arg), void *arg,
			   struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_CTX_EACH_KEY, err);
	struct store_rows r;

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, key);
	r = store_rows_begin(s, st);
	while (store_rows_next(&r)) {
		struct context_cached c = {
			store_col_text(st, 0), store_col_text(st, 1), store_col_text(st, 2),
			sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4) };
		if (fn(&c, arg))
			break;
	}
	return store_rows_end(&r, err, "reading the context cache") ? IRK_ERROR : IRK_OK;
}

int store_context_put(struct store *s, const char *source, const char *key, const char *data,
		      int64_t fetched, int64_t expires, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_CTX_PUT, err);

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, source);
	store_bind_text(st, 2, key);
	store_bind_text(st, 3, data);
	sqlite3_bind_int64(st, 4, fetched);
	sqlite3_bind_int64(st, 5, expires);
	return store_exec_stmt(s, st, err, "caching context");
}

static int health_rows(struct store *s, sqlite3_stmt *st,
		       int (*fn)(const struct context_health *h, void *arg), void *arg,
		       int64_t *n, struct irk_err *err)
{
	struct store_rows r = store_rows_begin(s, st);
	int rc;

	while (store_rows_next(&r)) {
		struct context_health h = {
			store_col_text(st, 0), store_col_text(st, 1), sqlite3_column_int64(st, 2),
			sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
			sqlite3_column_int64(st, 5) };
		if (fn(&h, arg))
			break;
	}
	rc = store_rows_end(&r, err, "reading the health of context sources");
	*n = r.n;
	return rc;
}

int store_context_health_get(struct store *s, const char *source,
			     int (*fn)(const struct context_health *h, void *arg), void *arg,
			     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_HEALTH_GET, err);
	int64_t n;

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, source);
	if (health_rows(s, st, fn, arg, &n, err))
		return IRK_ERROR;
	return n ? IRK_OK : IRK_NOTFOUND;
}

int store_context_health_each(struct store *s,
			      int (*fn)(const struct context_health *h, void *arg), void *arg,
			      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_HEALTH_EACH, err);
	int64_t n;

	return st ? health_rows(s, st, fn, arg, &n, err) : IRK_ERROR;
}

int store_context_health_put(struct store *s, const char *source, const char *error,
			     int64_t now, int64_t next_try, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, error ? ST_HEALTH_FAIL : ST_HEALTH_OK, err);

	if (!st)
		return IRK_ERROR;
	store_bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, now);
	if (error) {
		store_bind_text(st, 3, error);
		sqlite3_bind_int64(st, 4, next_try);
	}
	return store_exec_stmt(s, st, err, "recording a context source's health");
}

int store_context_incidents_after(struct store *s, int64_t after, int limit,
				  int (*fn)(int64_t id, void *arg), void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_CTX_INC_AFTER, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit);
	return store_each_id(s, st, fn, arg, err, "reading open incidents");
}

int store_context_critical(struct store *s, int (*fn)(int64_t id, void *arg), void *arg,
			   struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_CTX_CRITICAL, err);

	return st ? store_each_id(s, st, fn, arg, err, "reading critical incidents") : IRK_ERROR;
}
