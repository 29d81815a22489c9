/* query.h: the query language (irk query; irk(1) QUERIES): a pipeline over
 * what irk records, compiled so that SQL does what it can.
 *
 *   SOURCE [FILTER] [since=WHEN] [until=WHEN] | COMMAND ... | COMMAND ...
 *
 * Sources: alerts, incidents, steps, events (the audit log), stages (stage
 * history), observables. FILTER is irk's one expression language (expr.h)
 * over the source's fields (store_query_fields()) and dotted paths into
 * its JSON fields (raw.alert.signature_id, data.to, output.body.x,
 * vars.factor). WHEN is a date, a time or a span before now (-30d), as
 * irk kpi --since takes.
 *
 * Commands: where EXPR | eval NAME = CALC [, ...] | stats AGG [as NAME]
 * [, ...] [by F, ...] | timechart span=DUR AGG ... [by F] | top [N] F [by F]
 * | rare [N] F [by F] | sort [N] [-]F, ... | head [N] | tail [N] | dedup F,
 * ... | table F ... | fields [-] F ... | rename F as G, ... | rex
 * [field=F] "REGEX with (?<name>...) groups".
 * AGG: count, count(F), dc(F), sum(F), avg(F), min(F), max(F), median(F),
 * p90(F), values(F), first(F), last(F).
 *
 * The filter's comparisons the store can do exactly, the time bounds, and
 * then stats/timechart/top/rare's counting, sort and head are pushed into
 * one prepared statement; the rest runs here over its rows. */
#ifndef IRK_QUERY_H
#define IRK_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/expr.h"
#include "irk/jsonw.h"
#include "irk/strbuf.h"

struct store;
struct query;

/* Where and why a query was refused: "query:LINE:COL: message" is
 * msg as printed (line and col from 1, col in characters). */
struct query_error {
	int line, col, offset;
	char msg[300];
};

/* Parse and compile src. now is the time -30d counts back from and `now`
 * in eval. Returns the query (caller frees with query_free) or NULL with
 * *err filled. Never crashes on any input; 64 KiB of source at most. */
struct query *query_parse(const char *src, int64_t now, struct query_error *err);
void query_free(struct query **q);

/* The statement the query pushes into the store, for tests and --explain
 * (caller frees); NULL when the query runs nothing through SQL. */
char *query_sql(const struct query *q);

/* 1 when the query's last command is timechart (its first column _time). */
int query_is_chart(const struct query *q);

/* The query's source as written ("incidents", "alerts", ...). */
const char *query_source_name(const struct query *q);

/* A cell: EXPR_NULL, EXPR_NUM, EXPR_STR (str owned) or EXPR_BOOL. */
struct query_value {
	int type;
	double num;
	char *str;
	int boolean;
};

struct query_result {
	char **cols;
	int ncols;
	struct query_value **rows;      /* nrows rows of ncols cells */
	size_t nrows, cap;
	int limit;                      /* QUERY_TIME_LIMIT, QUERY_ROW_LIMIT or 0 */
};

enum { QUERY_TIME_LIMIT = 1, QUERY_ROW_LIMIT = 2 };

struct query_limits {
	int64_t time_ms;                /* [query] time_limit; 0 none */
	int64_t rows;                   /* [query] row_limit: rows read; 0 none */
};

/* Run q on s (a read-only connection) into *out (cleared first; free it
 * with query_result_free). Returns IRK_OK, also when a limit cut the
 * result (out->limit says which: what was read so far went through the
 * rest of the pipeline), or an error. */
int query_run(struct store *s, const struct query *q, const struct query_limits *lim,
	      struct query_result *out, struct irk_err *err);
void query_result_free(struct query_result *r);

/* The length of a chart's bar for value v of at most max in room
 * columns, rounded; never 0 for a value above 0 (a count of 1 shows). */
int query_bar_len(double v, double max, int room);

/* The text of a cell (numbers without a needless fraction, as expr.h
 * prints them); "" for missing. Borrowed from v or buf (32 bytes). */
const char *query_value_text(const struct query_value *v, char *buf, size_t n);

/* A table's columns for people: w[0..n) holds each column's widest cell;
 * each is capped at cap, then the widest are narrowed one column at a time
 * (never under 4) until they fit in width with two spaces between them
 * (width 0: no limit). The CLI's table and the board's query screen. */
void query_fit_widths(int *w, int n, int cap, int width);

/* r as a JSON array of row objects, keys the column names. */
void query_result_json(const struct query_result *r, struct jsonw *w);
/* r as CSV (RFC 4180): a header line, then a line per row. */
void query_result_csv(const struct query_result *r, struct strbuf *out);

/* Save text as name (1 to 64 letters, digits, '_' or '-'; an existing
 * one is replaced) once it parses, with an audit event query.save.
 * IRK_INVALID with the reason ("query:1:10: ..." for a bad query). */
int query_save(struct store *s, const char *name, const char *text, const char *actor,
	       struct irk_err *err);

#endif
