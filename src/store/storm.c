/* storm.c: what storm grouping reads and writes (store.h, "storm
 * grouping"): finding a rule's open storm, counting the incidents a rule
 * opened lately, a storm's hosts and title, and splitting a host out. */
#include <stdlib.h>

#include "internal.h"

int store_storm_each(struct store *s, int (*fn)(const char *rule, int64_t id, int64_t first,
						int64_t last, void *arg), void *arg,
		     struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_EACH, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	while (store_rows_next(&r))
		if (fn(store_col_text(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		       sqlite3_column_int64(st, 3), arg))
			break;
	return store_rows_end(&r, err, "finding storms");
}

int64_t store_storm_opened(struct store *s, const char *rule, int64_t since, int64_t until,
			   int64_t limit)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_OPENED, NULL);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	sqlite3_bind_int64(st, 4, limit);
	return store_int_of(st);
}

int store_storm_is(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_IS, NULL);
	int64_t v;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	v = store_int_of(st);
	return v < 0 ? -1 : v > 0;
}

int store_storm_has_host(struct store *s, int64_t id, const char *host)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_HAS_HOST, NULL);
	struct store_rows r = store_rows_begin(s, st);
	int found;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	found = store_rows_next(&r);
	if (store_rows_end(&r, NULL, "reading a storm's hosts"))
		return -1;
	return found;
}

int store_storm_plain_each(struct store *s, const char *rule, int64_t limit,
			   int (*fn)(int64_t id, const char *host, const char *src_ip, int64_t first,
				     int64_t last, void *arg), void *arg, int64_t *n,
			   struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_PLAIN, err);
	struct store_rows r = store_rows_begin(s, st);
	int rc;

	*n = 0;
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit);
	while (store_rows_next(&r))
		if (fn(sqlite3_column_int64(st, 0), store_col_text(st, 1), store_col_text(st, 2),
		       sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), arg))
			break;
	rc = store_rows_end(&r, err, "reading a rule's incidents");
	*n = r.n;
	return rc;
}

int store_storm_hosts_add(struct store *s, int64_t id, const struct storm_host *rows, int n,
			  int64_t *added, struct irk_err *err)
{
	*added = 0;
	while (n > 0) {
		int k = n >= 16 ? 16 : 1;
		sqlite3_stmt *st = store_stmt(s, k == 16 ? ST_STORM_HOSTS_16 : ST_STORM_HOSTS_1, err);

		if (!st)
			return IRK_ERROR;
		for (int i = 0; i < k; i++) {
			sqlite3_bind_int64(st, 4 * i + 1, id);
			sqlite3_bind_text(st, 4 * i + 2, rows[i].host, -1, SQLITE_STATIC);
			store_bind_time(st, 4 * i + 3, rows[i].ref);
			sqlite3_bind_int64(st, 4 * i + 4, rows[i].at);
		}
		if (store_exec_stmt(s, st, err, "storing a storm's hosts"))
			return IRK_ERROR;
		*added += sqlite3_changes(s->db);
		rows += k;
		n -= k;
	}
	return IRK_OK;
}

char *store_storm_title(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_TITLE, NULL);
	struct store_rows r = store_rows_begin(s, st);
	char *title = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (store_rows_next(&r) && store_col_text(st, 0))
		title = xstrdup(store_col_text(st, 0));
	store_rows_end(&r, NULL, "reading a title");
	return title;
}

int store_storm_retitle(struct store *s, int64_t id, const char *title, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_RETITLE, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st, err, "naming a storm");
}

static int exec_ids(struct store *s, enum store_stmt which, int64_t a, int64_t b,
		    const char *text, struct irk_err *err, const char *what)
{
	sqlite3_stmt *st = store_stmt(s, which, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, a);
	if (b)
		sqlite3_bind_int64(st, 2, b);
	if (text)
		sqlite3_bind_text(st, b ? 3 : 2, text, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st, err, what);
}

int store_storm_split(struct store *s, int64_t from, int64_t to, const char *host,
		      int64_t *moved, struct irk_err *err)
{
	*moved = 0;
	if (exec_ids(s, ST_STORM_MOVE, from, to, host, err, "moving alerts"))
		return IRK_ERROR;
	*moved = sqlite3_changes(s->db);
	if (exec_ids(s, ST_STORM_RECOUNT, to, 0, NULL, err, "counting alerts") ||
	    exec_ids(s, ST_STORM_RECOUNT, from, 0, NULL, err, "counting alerts") ||
	    exec_ids(s, ST_STORM_COPY_OBS, from, to, NULL, err, "copying observables") ||
	    exec_ids(s, ST_STORM_DROP_HOST, from, 0, host, err, "removing a storm's host"))
		return IRK_ERROR;
	return IRK_OK;
}

int store_storm_foldable_each(struct store *s, const char *rule, int64_t since, int64_t until,
			      int64_t storm, int64_t limit, int64_t *ids, int64_t *n,
			      struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STORM_FOLDABLE, err);
	struct store_rows r = store_rows_begin(s, st);

	*n = 0;
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	sqlite3_bind_int64(st, 4, storm);
	sqlite3_bind_int64(st, 5, limit);
	while (*n < limit && store_rows_next(&r))
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	return store_rows_end(&r, err, "finding a rule's untouched incidents");
}

int store_storm_fold_hosts(struct store *s, int64_t from, int64_t storm, int64_t *added,
			   struct irk_err *err)
{
	*added = 0;
	if (exec_ids(s, ST_STORM_FOLD_HOSTS, from, storm, NULL, err, "giving a storm hosts"))
		return IRK_ERROR;
	*added = sqlite3_changes(s->db);
	return IRK_OK;
}
