/* internal.h: shared by the files of src/query/ only. */
#ifndef IRK_QUERY_INTERNAL_H
#define IRK_QUERY_INTERNAL_H

#include <regex.h>

#include "irk/query.h"
#include "irk/store.h"

/* ---- tokens of commands and calculations (calc.c) ---- */

enum { QT_END, QT_WORD, QT_NUM, QT_STR, QT_OP, QT_BAD };

struct qlex {
	const char *src;
	size_t end;             /* the stage's end in src */
	size_t pos;             /* where the next token starts scanning */
	int type;
	size_t off, len;        /* the current token in src */
	double num;             /* QT_NUM (its digits; len covers a unit: 1d) */
	int unit;               /* QT_NUM followed by letters (30d) */
	char op[4];             /* QT_OP */
	struct strbuf text;     /* QT_WORD, QT_STR (decoded), QT_NUM as written */
	const char *why;        /* QT_BAD */
};

void qlex_init(struct qlex *lx, const char *src, size_t start, size_t end);
void qlex_next(struct qlex *lx);
void qlex_free(struct qlex *lx);
/* The current token is the operator op / the word w (exactly). */
int qlex_op(const struct qlex *lx, const char *op);
int qlex_word(const struct qlex *lx, const char *w);

/* ---- eval's calculations (calc.c) ---- */

struct calc;

/* Resolve a name to a column index of the table the calculation reads;
 * -1 when unknown (the parser then reports it at offset). */
typedef int (*calc_resolve_fn)(void *arg, const char *name, int offset);

/* Parse a calculation at lx's current token, up to a ',' or the end of
 * the stage (lx is left on it). Returns NULL with err filled. */
struct calc *calc_parse(struct qlex *lx, calc_resolve_fn fn, void *arg, struct query_error *err);
void calc_free(struct calc *c);
/* The value of c over row (cells borrowed from row or owned by out: free
 * out->str with query_value_clear). */
void calc_eval(const struct calc *c, const struct query_value *row, int64_t now,
	       struct query_value *out);

void query_value_clear(struct query_value *v);
void query_value_copy(struct query_value *dst, const struct query_value *src);
/* v as an expr_value (strings borrowed). */
void query_value_expr(const struct query_value *v, struct expr_value *out);
/* Order of two cells for sort: numbers before strings, missing last. */
int query_value_cmp(const struct query_value *a, const struct query_value *b);
/* A number from a cell: numbers, and strings that are numbers. 0 when
 * there is none. */
int query_value_num(const struct query_value *v, double *out);

/* Format a query error at offset off of src. */
void query_fail(struct query_error *err, const char *src, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- the C side of the pipeline (query.c) ---- */

enum stage_kind { SK_FILTER, SK_EVAL, SK_STATS, SK_TOP, SK_SORT, SK_HEAD, SK_TAIL,
	SK_DEDUP, SK_TABLE, SK_REX };

enum agg_fn { AG_COUNT, AG_DC, AG_SUM, AG_AVG, AG_MIN, AG_MAX, AG_MEDIAN, AG_P90,
	AG_VALUES, AG_FIRST, AG_LAST };

struct agg {
	int fn;
	int col;                /* -1: count rows */
};

struct qstage {
	int kind;
	int nin, nout;          /* table widths before and after */
	/* FILTER */
	struct expr *expr;
	char **vnames;
	int *vcols, nv;
	/* EVAL: targets[i] gets calcs[i] (a new column when >= the width) */
	struct calc **calcs;
	int *targets, ncalc;
	/* STATS, TOP (rare: desc 0): by, then the aggregates or the count */
	int *by, nby;
	struct agg *aggs;
	int nagg;
	int64_t span;           /* timechart: the bucket of column tcol */
	int tcol;
	int top_field;          /* TOP: the counted field */
	/* SORT, DEDUP: keys; TABLE: the columns kept */
	int *keys, *desc, nkeys;
	int64_t n;              /* SORT: keep n (0 all); HEAD, TAIL, TOP: n */
	/* REX */
	int col;
	regex_t re;
	int has_re;
	int *groups, ngroups;   /* the regex group of each new column */
};

struct query {
	char *src;
	int64_t now;
	struct sq_plan plan;
	int nfetch;             /* the statement's columns */
	int *fetch_type;        /* raw rows: the SQT_ of each; NULL: as read */
	int *fetch_idx;         /* the row index each goes to */
	int raw_width;          /* the width of the rows read */
	struct qstage *stages;
	int nstages;
	char **cols;            /* the result's column names */
	int ncols;
	int chart;
};

void stage_clear(struct qstage *st);

#endif
