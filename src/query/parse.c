/* parse.c: the query language's parser and compiler. A query is read
 * stage by stage; while every stage so far went into SQL, the next goes
 * into the plan too when the store can do it exactly (store.h: the query
 * engine's statement); from the first that cannot, stages run in C
 * (query.c). Names are checked as they come, against the source's fields
 * and the columns the stages before made. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "irk/clock.h"
#include "irk/guess.h"
#include "irk/model.h"

#define QUERY_MAX_LEN 65536
#define MAX_COLS 60

struct cctx {
	const char *src;
	struct query *q;
	struct query_error *err;
	const struct sq_field *fields;
	int nfields;
	/* The table as the stages so far leave it: names and, for each, its
	 * index in a row (raw phase: the index space shared by every stage
	 * before the first stats or table; -1 for a dropped column). */
	char *cols[MAX_COLS];
	int idx[MAX_COLS];
	int ncols;
	int width;              /* indices used so far in this phase */
	int raw;                /* the rows are still the source's */
	int pushing;            /* every stage so far went into the plan */
	int limited;            /* the plan has a LIMIT */
	int fetch_idx[MAX_COLS];/* raw phase: the statement's column j goes to index fetch_idx[j] */
	int raw_width;          /* the raw phase's row width, once it ended */
};

static void stage_add(struct cctx *c, const struct qstage *st)
{
	struct query *q = c->q;

	q->stages = xrealloc(q->stages, (size_t)(q->nstages + 1) * sizeof *q->stages);
	q->stages[q->nstages++] = *st;
	c->pushing = 0;
}

/* ---- the table's columns ---- */

static int col_find(const struct cctx *c, const char *name)
{
	for (int i = 0; i < c->ncols; i++)
		if (!strcmp(c->cols[i], name))
			return i;
	return -1;
}

/* The source's field of name (the part before the first '.', for a JSON
 * field), or -1; *path gets the rest after it. */
static int source_field(const struct cctx *c, const char *name, const char **path)
{
	size_t n = strcspn(name, ".");

	*path = NULL;
	for (int i = 0; i < c->nfields; i++)
		if (strlen(c->fields[i].name) == n && !strncmp(c->fields[i].name, name, n)) {
			if (name[n] && c->fields[i].type != SQT_JSON)
				return -1;
			*path = name[n] ? name + n + 1 : NULL;
			return i;
		}
	return -1;
}

static void unknown_field(struct cctx *c, const char *name, int offset)
{
	struct guess g;
	const char *best;

	guess_init(&g, name);
	for (int i = 0; i < c->ncols; i++)
		guess_consider(&g, "", c->cols[i]);
	if (c->raw)
		for (int i = 0; i < c->nfields; i++)
			guess_consider(&g, "", c->fields[i].name);
	best = guess_best(&g);
	if (best)
		query_fail(c->err, c->src, (size_t)offset, "unknown field '%s' (did you mean '%s'?)", name, best);
	else if (c->raw && strchr(name, '.'))
		query_fail(c->err, c->src, (size_t)offset, "unknown field '%s' (a path needs a JSON "
			   "field of %s first)", name, store_query_source_name(c->q->plan.source));
	else
		query_fail(c->err, c->src, (size_t)offset, "unknown field '%s'", name);
}

static int new_col(struct cctx *c, const char *name, int offset)
{
	if (c->ncols == MAX_COLS || c->width >= MAX_COLS) {
		query_fail(c->err, c->src, (size_t)offset, "too many columns (at most %d)", MAX_COLS);
		return -1;
	}
	c->cols[c->ncols] = xstrdup(name);
	c->idx[c->ncols] = c->width++;
	return c->ncols++;
}

/* Add source field f (path) to the statement's columns. */
static int fetch(struct cctx *c, const char *name, int f, const char *path, int offset)
{
	struct sq_plan *p = &c->q->plan;
	int k = new_col(c, name, offset);

	if (k < 0)
		return -1;
	p->outs = xrealloc(p->outs, (size_t)(p->nout + 1) * sizeof *p->outs);
	memset(&p->outs[p->nout], 0, sizeof p->outs[0]);
	p->outs[p->nout].agg = SQA_NONE;
	p->outs[p->nout].has_col = 1;
	p->outs[p->nout].col.field = f;
	p->outs[p->nout].col.path = path ? xstrdup(path) : NULL;
	c->q->fetch_type = xrealloc(c->q->fetch_type, (size_t)(p->nout + 1) * sizeof(int));
	c->q->fetch_type[p->nout] = c->fields[f].type;
	c->fetch_idx[p->nout] = c->idx[k];
	p->nout++;
	return k;
}

/* The source's usual fields as columns (those not there yet). -1 when
 * the table is full. */
static int fetch_defaults(struct cctx *c)
{
	const int *def = store_query_default_fields(c->q->plan.source);

	for (int i = 0; def[i] >= 0; i++)
		if (col_find(c, c->fields[def[i]].name) < 0 &&
		    fetch(c, c->fields[def[i]].name, def[i], NULL, 0) < 0)
			return -1;
	return 0;
}

/* The row index of column name, fetching a source field while the rows
 * are the source's. -1 (error set) when there is none. */
static int col_ref(struct cctx *c, const char *name, int offset)
{
	int k = col_find(c, name), f;
	const char *path;

	if (k >= 0)
		return c->idx[k];
	if (c->raw && (f = source_field(c, name, &path)) >= 0) {
		if (c->fields[f].type == SQT_JSON && !path) {
			/* The whole document, as text. */
		}
		k = fetch(c, name, f, path, offset);
		return k < 0 ? -1 : c->idx[k];
	}
	unknown_field(c, name, offset);
	return -1;
}

static int resolve_cb(void *arg, const char *name, int offset)
{
	return col_ref(arg, name, offset);
}

/* ---- the first stage's filter, into SQL where exact ---- */

static int sev_rank(const char *s)
{
	return s ? severity_parse(s) : -1;
}

/* A number as expr.h reads one in a string: -?[0-9]+(\.[0-9]+)?. An
 * address (10.0.0.5) or a version (1.2.3) is not one: it compares as text. */
static int looks_numeric(const char *s)
{
	const char *p = s;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

/* A string literal the store compares as exactly as expr.h does: not a
 * number, not a severity name, not a bool's name, not empty. */
static int plain_string(const struct expr_value *v)
{
	return v->type == EXPR_STR && v->str[0] && !looks_numeric(v->str) &&
	       sev_rank(v->str) < 0 && strcmp(v->str, "true") && strcmp(v->str, "false");
}

static int op_code(const char *op, int mirrored)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	static const int mirror[] = { SQ_EQ, SQ_NE, SQ_GT, SQ_GE, SQ_LT, SQ_LE };

	for (int i = 0; i < 6; i++)
		if (!strcmp(op, ops[i]))
			return mirrored ? mirror[i] : i;
	return -1;
}

static void cond_clear(struct sq_cond *c)
{
	for (int i = 0; i < c->nkids; i++)
		cond_clear(&c->kids[i]);
	free(c->kids);
	free(c->col.path);
	free(c->str);
	memset(c, 0, sizeof *c);
}

/* field op literal, exactly, or 0. */
static int push_cmp(struct cctx *c, const char *name, int op, const struct expr_value *v,
		    struct sq_cond *out)
{
	const char *path;
	int f = source_field(c, name, &path), t;

	if (f < 0 || op < 0)
		return 0;
	t = c->fields[f].type;
	if (t == SQT_JSON && !path)
		return 0;
	memset(out, 0, sizeof *out);
	out->col.field = f;
	out->col.path = path ? xstrdup(path) : NULL;
	out->op = op;
	if (v->type == EXPR_NULL && (op == SQ_EQ || op == SQ_NE)) {
		out->kind = SQC_NULL;
		out->op = op == SQ_NE;
		return 1;
	}
	out->kind = SQC_CMP;
	switch (t) {
	case SQT_TEXT:
	case SQT_JSON:
		if (plain_string(v) && (t == SQT_TEXT || op == SQ_EQ || op == SQ_NE))
			goto str;
		/* A number: the value as a number, when it is one. */
		if (v->type == EXPR_NUM) {
			out->as_num = 1;
			out->is_num = 1;
			out->num = v->num;
			return 1;
		}
		break;
	case SQT_SEV:
		if (v->type == EXPR_STR && sev_rank(v->str) >= 0) {
			out->kind = SQC_RANK;
			out->is_num = 1;
			out->num = sev_rank(v->str);
			return 1;
		}
		break;
	case SQT_NUM:
	case SQT_TIME:
		if (v->type == EXPR_NUM) {
			out->is_num = 1;
			out->num = v->num;
			return 1;
		}
		break;
	case SQT_FLAG:
		if (v->type == EXPR_BOOL && (op == SQ_EQ || op == SQ_NE)) {
			out->is_num = 1;
			out->num = v->boolean;
			return 1;
		}
		break;
	}
	cond_clear(out);
	return 0;
str:
	out->str = xstrdup(v->str);
	return 1;
}

/* The view v as an exact SQL condition, or 0 when the store cannot say
 * exactly what expr.h says. */
static int push(struct cctx *c, const struct expr_view *v, struct sq_cond *out, int depth)
{
	memset(out, 0, sizeof *out);
	if (depth > 100)
		return 0;
	switch (v->kind) {
	case EXPR_K_AND:
	case EXPR_K_OR:
	case EXPR_K_NOT:
		out->kind = v->kind == EXPR_K_AND ? SQC_AND : v->kind == EXPR_K_OR ? SQC_OR : SQC_NOT;
		out->kids = xcalloc((size_t)v->nkids, sizeof *out->kids);
		for (int i = 0; i < v->nkids; i++) {
			struct expr_view k;

			expr_view_kid(v, i, &k);
			out->nkids = i + 1;
			if (!push(c, &k, &out->kids[i], depth + 1)) {
				cond_clear(out);
				return 0;
			}
		}
		return 1;
	case EXPR_K_CMP:
		if (v->a.field && !v->b.field)
			return push_cmp(c, v->a.field, op_code(v->op, 0), v->b.lit, out);
		if (v->b.field && !v->a.field)
			return push_cmp(c, v->b.field, op_code(v->op, 1), v->a.lit, out);
		return 0;
	case EXPR_K_MATCH: {
		const char *path;
		int f = v->a.field ? source_field(c, v->a.field, &path) : -1;

		if (f < 0 || path || (c->fields[f].type != SQT_TEXT && c->fields[f].type != SQT_SEV))
			return 0;
		out->kind = SQC_MATCH;
		out->col.field = f;
		out->op = v->op[0] == '!';
		out->icase = strchr(v->op, '*') != NULL;
		out->str = xstrdup(v->b.lit->str);
		return 1;
	}
	case EXPR_K_IN: {
		struct sq_cond *any;

		if (!v->a.field)
			return 0;
		out->kind = v->op[0] == 'n' ? SQC_NOT : SQC_OR;
		any = out;
		if (out->kind == SQC_NOT) {
			out->kids = xcalloc(1, sizeof *out->kids);
			out->nkids = 1;
			any = &out->kids[0];
			any->kind = SQC_OR;
		}
		any->kids = xcalloc((size_t)v->nlist + 1, sizeof *any->kids);
		for (int i = 0; i < v->nlist; i++) {
			struct expr_operand_view item;

			expr_view_item(v, i, &item);
			if (item.lit->type == EXPR_NULL ||
			    !push_cmp(c, v->a.field, SQ_EQ, item.lit, &any->kids[i])) {
				any->nkids = i;
				cond_clear(out);
				return 0;
			}
			any->nkids = i + 1;
		}
		return 1;
	}
	}
	return 0;
}

struct var_check {
	struct cctx *c;
	int bad;
};

static void check_var(const char *name, int offset, void *arg)
{
	struct var_check *vc = arg;
	const char *path;

	if (vc->bad)
		return;
	if (source_field(vc->c, name, &path) < 0) {
		unknown_field(vc->c, name, offset);
		vc->bad = 1;
	}
}

static void fetch_var(const char *name, int offset, void *arg)
{
	struct qstage *st = ((void **)arg)[1];
	struct cctx *c = ((void **)arg)[0];
	int k = col_ref(c, name, offset);

	st->vnames = xrealloc(st->vnames, (size_t)(st->nv + 1) * sizeof *st->vnames);
	st->vcols = xrealloc(st->vcols, (size_t)(st->nv + 1) * sizeof *st->vcols);
	st->vnames[st->nv] = xstrdup(name);
	st->vcols[st->nv++] = k;
}

/* A copy of src with everything but [from, to) blanked (newlines kept), so
 * that expr.h's offsets are the query's. */
static char *blank_copy(const char *src, size_t from, size_t to)
{
	size_t n = strlen(src);
	char *s = xstrdup(src);

	for (size_t i = 0; i < n; i++)
		if ((i < from || i >= to) && s[i] != '\n')
			s[i] = ' ';
	return s;
}

static struct expr *parse_expr(struct cctx *c, size_t from, size_t to)
{
	char *copy = blank_copy(c->src, from, to);
	struct expr_error ee;
	struct expr *e = expr_parse(copy, &ee);

	free(copy);
	if (!e) {
		/* expr.h ends its message with " at L:C": ours leads with it. */
		char *at = strstr(ee.msg, " at ");

		if (at)
			*at = '\0';
		query_fail(c->err, c->src, (size_t)ee.offset, "%s", ee.msg);
	}
	return e;
}

/* A filter stage in C: the expression, its names resolved to columns. */
static int filter_stage(struct cctx *c, struct expr *e)
{
	struct qstage st = { 0 };
	void *arg[2] = { c, &st };

	st.kind = SK_FILTER;
	st.expr = e;
	expr_each_var(e, fetch_var, arg);
	for (int i = 0; i < st.nv; i++)
		if (st.vcols[i] < 0) {
			stage_clear(&st);
			return -1;
		}
	stage_add(c, &st);
	return 0;
}

static int time_bound(struct cctx *c, const char *word, size_t off, size_t len, int until)
{
	char *v = xstrndup(c->src + off, len);
	int64_t t;
	struct sq_plan *p = &c->q->plan;
	struct sq_cond cond = { 0 };

	if (!*v || irk_when_parse(v, c->q->now, until, &t)) {
		query_fail(c->err, c->src, off, "%s=: '%s' is no date, time or span (2026-11-01, "
			   "2026-11-01T10:00, -30d)", word, v);
		free(v);
		return -1;
	}
	free(v);
	cond.kind = SQC_TIME;
	cond.op = until ? SQ_LT : SQ_GE;
	cond.is_num = 1;
	cond.num = (double)t;
	if (!p->where) {
		p->where = xcalloc(1, sizeof *p->where);
		p->where->kind = SQC_AND;
	}
	p->where->kids = xrealloc(p->where->kids, (size_t)(p->where->nkids + 1) * sizeof cond);
	p->where->kids[p->where->nkids++] = cond;
	return 0;
}

/* SOURCE [FILTER] [since=WHEN] [until=WHEN] */
static int first_stage(struct cctx *c, size_t start, size_t end)
{
	struct qlex lx;
	struct query *q = c->q;
	size_t fstart, fend, p;
	char *blanked;
	struct guess g;

	qlex_init(&lx, c->src, start, end);
	if (lx.type != QT_WORD || (q->plan.source = store_query_source(strbuf_str(&lx.text))) < 0) {
		const char *best = NULL;

		if (lx.type == QT_WORD) {
			guess_init(&g, strbuf_str(&lx.text));
			for (int i = 0; i < SQ_NSOURCES; i++)
				guess_consider(&g, "", store_query_source_name(i));
			best = guess_best(&g);
		}
		if (best)
			query_fail(c->err, c->src, lx.off, "unknown source '%s' (did you mean '%s'?)",
				   strbuf_str(&lx.text), best);
		else
			query_fail(c->err, c->src, lx.off, "a query starts with its source: alerts, "
				   "incidents, steps, events, stages or observables");
		qlex_free(&lx);
		return -1;
	}
	fstart = lx.pos;
	qlex_free(&lx);
	c->fields = store_query_fields(q->plan.source);
	for (c->nfields = 0; c->fields[c->nfields].name; c->nfields++)
		;
	/* since= and until= anywhere in the stage, outside strings. */
	blanked = xstrndup(c->src, end);
	fend = end;
	for (p = fstart; p < end; p++) {
		char ch = c->src[p];

		if (ch == '"' || ch == '\'') {
			size_t e;
			const char *why;
			struct strbuf tmp = STRBUF_INIT;

			if (expr_unquote(c->src + p, &tmp, &e, &why) == 0)
				p += e - 1;
			strbuf_free(&tmp);
			continue;
		}
		if ((p == fstart || isspace((unsigned char)c->src[p - 1])) &&
		    (!strncmp(c->src + p, "since=", 6) || !strncmp(c->src + p, "until=", 6))) {
			int until = c->src[p] == 'u';
			size_t v = p + 6, n = 0;

			while (v + n < end && !isspace((unsigned char)c->src[v + n]))
				n++;
			if (time_bound(c, until ? "until" : "since", v, n, until)) {
				free(blanked);
				return -1;
			}
			memset(blanked + p, ' ', 6 + n);
			p = v + n;
		}
	}
	/* The filter: what is left. */
	for (p = fstart; p < fend && isspace((unsigned char)blanked[p]); p++)
		;
	if (p < fend) {
		struct expr *e;
		struct expr_view root;
		struct sq_cond cond;
		struct sq_plan *pl = &q->plan;
		char *keep = (char *)c->src;

		c->src = blanked;
		e = parse_expr(c, fstart, fend);
		c->src = keep;
		free(blanked);
		if (!e)
			return -1;
		{
			struct var_check vc = { c, 0 };

			expr_each_var(e, check_var, &vc);
			if (vc.bad) {
				expr_free(&e);
				return -1;
			}
		}
		expr_view_root(e, &root);
		if (!pl->where) {
			pl->where = xcalloc(1, sizeof *pl->where);
			pl->where->kind = SQC_AND;
		}
		/* Each conjunct the store does exactly goes into SQL; when any
		 * does not, the whole filter runs again in C over what SQL let
		 * through (the pushed ones are then only a narrowing). */
		{
			int all = 1, n = root.kind == EXPR_K_AND ? root.nkids : 1;

			for (int i = 0; i < n; i++) {
				struct expr_view k;

				if (root.kind == EXPR_K_AND)
					expr_view_kid(&root, i, &k);
				else
					k = root;
				if (push(c, &k, &cond, 0)) {
					pl->where->kids = xrealloc(pl->where->kids,
						(size_t)(pl->where->nkids + 1) * sizeof cond);
					pl->where->kids[pl->where->nkids++] = cond;
				} else {
					all = 0;
				}
			}
			if (all) {
				expr_free(&e);
			} else if (filter_stage(c, e)) {
				return -1;
			}
		}
		return 0;
	}
	free(blanked);
	return 0;
}

/* ---- commands ---- */

static int want_word(struct cctx *c, struct qlex *lx, const char *what)
{
	if (lx->type == QT_WORD)
		return 0;
	if (lx->type == QT_BAD)
		query_fail(c->err, c->src, lx->off, "%s", lx->why);
	else if (lx->type == QT_END)
		query_fail(c->err, c->src, lx->off, "expected %s, found the end", what);
	else
		query_fail(c->err, c->src, lx->off, "expected %s, found '%.*s'", what,
			   (int)(lx->len > 30 ? 30 : lx->len), c->src + lx->off);
	return -1;
}

static int want_end(struct cctx *c, struct qlex *lx)
{
	if (lx->type == QT_END)
		return 0;
	query_fail(c->err, c->src, lx->off, "unexpected '%.*s'", (int)(lx->len > 30 ? 30 : lx->len),
		   c->src + lx->off);
	return -1;
}

/* A count: N, at most 1e9. */
static int count_arg(struct cctx *c, struct qlex *lx, int64_t *n)
{
	if (lx->type != QT_NUM || lx->unit || lx->num != (double)(int64_t)lx->num || lx->num > 1e9) {
		query_fail(c->err, c->src, lx->off, "expected a count");
		return -1;
	}
	*n = (int64_t)lx->num;
	qlex_next(lx);
	return 0;
}

/* F [,] F ...: field names into idx (resolved), offsets too. */
static int field_list(struct cctx *c, struct qlex *lx, int *idx, int *n, int max, int stop_by)
{
	*n = 0;
	while (lx->type != QT_END && !(stop_by && qlex_word(lx, "by"))) {
		if (qlex_op(lx, ",")) {
			qlex_next(lx);
			continue;
		}
		if (want_word(c, lx, "a field"))
			return -1;
		if (*n == max) {
			query_fail(c->err, c->src, lx->off, "too many fields (at most %d)", max);
			return -1;
		}
		if ((idx[(*n)++] = col_ref(c, strbuf_str(&lx->text), (int)lx->off)) < 0)
			return -1;
		qlex_next(lx);
	}
	return 0;
}

static const char *const agg_names[] = { [AG_COUNT] = "count", [AG_DC] = "dc", [AG_SUM] = "sum",
	[AG_AVG] = "avg", [AG_MIN] = "min", [AG_MAX] = "max", [AG_MEDIAN] = "median",
	[AG_P90] = "p90", [AG_VALUES] = "values", [AG_FIRST] = "first", [AG_LAST] = "last" };

/* The SQL aggregate of fn over source field f (type t), or SQA_NONE when
 * SQL cannot do exactly what query.c does. */
static int sql_agg(int fn, int t)
{
	int numeric = t == SQT_NUM || t == SQT_TIME;

	switch (fn) {
	case AG_COUNT: return SQA_COUNT;
	case AG_DC: return t == SQT_JSON ? SQA_NONE : SQA_DC;
	case AG_SUM: return numeric ? SQA_SUM : SQA_NONE;
	case AG_AVG: return numeric ? SQA_AVG : SQA_NONE;
	case AG_MIN: return numeric ? SQA_MIN : SQA_NONE;
	case AG_MAX: return numeric ? SQA_MAX : SQA_NONE;
	}
	return SQA_NONE;
}

struct agg_src {
	int fn;
	char *field;            /* NULL: count of rows */
	int off;
	char *name;
};

/* After stats: the table is [_time,] the by fields, the aggregates. */
static void stats_table(struct cctx *c, int64_t span, char **by, const int *byoff, int nby,
			const struct agg_src *a, int na)
{
	if (c->raw)
		c->raw_width = c->width;
	for (int i = 0; i < c->ncols; i++)
		free(c->cols[i]);
	c->ncols = 0;
	c->width = 0;
	c->raw = 0;
	if (span > 0)
		new_col(c, "_time", 0);
	for (int i = 0; i < nby; i++)
		new_col(c, by[i], byoff[i]);
	for (int i = 0; i < na; i++)
		new_col(c, a[i].name, a[i].off);
}

/* top/rare after its count: percent, and the n first of each group. */
static void top_stage(struct cctx *c, int nby, int64_t n, int desc)
{
	struct qstage t = { 0 };

	t.kind = SK_TOP;
	t.nin = c->width;
	t.nby = nby - 1;
	t.n = n;
	t.desc = xcalloc(1, sizeof(int));
	t.desc[0] = desc;
	new_col(c, "percent", 0);
	t.nout = c->width;
	stage_add(c, &t);
}

/* stats/timechart: AGG [as NAME] [,] ... [by F, ...]; top/rare: [N] F [by F...]. */
static int cmd_stats(struct cctx *c, struct qlex *lx, int kind, int64_t span, int desc)
{
	struct agg_src a[16];
	char *by[8];
	int byoff[8], na = 0, nby = 0, rc = -1, pushable;
	int64_t topn = 10;
	struct qstage st = { 0 };
	int time_f = -1;

	memset(a, 0, sizeof a);
	if (kind == SK_TOP) {
		if (lx->type == QT_NUM && count_arg(c, lx, &topn))
			return -1;
		if (qlex_word(lx, "limit")) {
			qlex_next(lx);
			if (!qlex_op(lx, "=")) {
				query_fail(c->err, c->src, lx->off, "expected '=' after limit");
				return -1;
			}
			qlex_next(lx);
			if (count_arg(c, lx, &topn))
				return -1;
		}
		if (want_word(c, lx, "the field to count"))
			return -1;
		/* top F by G: counted by G, then F. */
		a[0].fn = AG_COUNT;
		a[0].name = xstrdup("count");
		na = 1;
		by[nby] = xstrdup(strbuf_str(&lx->text));
		byoff[nby++] = (int)lx->off;
		qlex_next(lx);
	} else {
		while (lx->type != QT_END && !qlex_word(lx, "by")) {
			size_t k, off = lx->off;
			const char *w;
			struct guess g;

			if (qlex_op(lx, ",")) {
				qlex_next(lx);
				continue;
			}
			if (want_word(c, lx, "an aggregate (count, dc, sum, avg, min, max, median, p90, "
				      "values, first, last)"))
				goto out;
			w = strbuf_str(&lx->text);
			guess_init(&g, w);
			for (k = 0; k < sizeof agg_names / sizeof agg_names[0]; k++) {
				if (!strcmp(agg_names[k], w))
					break;
				guess_consider(&g, "", agg_names[k]);
			}
			if (k == sizeof agg_names / sizeof agg_names[0]) {
				const char *best = guess_best(&g);

				if (best)
					query_fail(c->err, c->src, off, "unknown aggregate '%s' (did you mean "
						   "'%s'?)", w, best);
				else
					query_fail(c->err, c->src, off, "unknown aggregate '%s': count, dc, sum, "
						   "avg, min, max, median, p90, values, first, last", w);
				goto out;
			}
			if (na == 16) {
				query_fail(c->err, c->src, off, "too many aggregates (at most 16)");
				goto out;
			}
			a[na].fn = (int)k;
			a[na].off = (int)off;
			qlex_next(lx);
			if (qlex_op(lx, "(")) {
				qlex_next(lx);
				if (want_word(c, lx, "a field"))
					goto out;
				a[na].field = xstrdup(strbuf_str(&lx->text));
				a[na].off = (int)lx->off;
				qlex_next(lx);
				if (!qlex_op(lx, ")")) {
					query_fail(c->err, c->src, lx->off, "expected ')'");
					na++;
					goto out;
				}
				qlex_next(lx);
			} else if (k != AG_COUNT) {
				query_fail(c->err, c->src, lx->off, "%s needs a field: %s(FIELD)",
					   agg_names[k], agg_names[k]);
				na++;
				goto out;
			}
			if (qlex_word(lx, "as")) {
				qlex_next(lx);
				if (want_word(c, lx, "a name after 'as'")) {
					na++;
					goto out;
				}
				a[na].name = xstrdup(strbuf_str(&lx->text));
				qlex_next(lx);
			} else {
				struct strbuf sb = STRBUF_INIT;

				strbuf_puts(&sb, agg_names[k]);
				if (a[na].field)
					strbuf_printf(&sb, "(%s)", a[na].field);
				a[na].name = strbuf_detach(&sb);
			}
			na++;
		}
		if (!na) {
			query_fail(c->err, c->src, lx->off, "expected an aggregate: count, dc(F), sum(F)...");
			goto out;
		}
	}
	if (qlex_word(lx, "by")) {
		qlex_next(lx);
		while (lx->type != QT_END) {
			if (qlex_op(lx, ",")) {
				qlex_next(lx);
				continue;
			}
			if (want_word(c, lx, "a field after 'by'"))
				goto out;
			if (nby == 8) {
				query_fail(c->err, c->src, lx->off, "too many fields after by (at most 8)");
				goto out;
			}
			by[nby] = xstrdup(strbuf_str(&lx->text));
			byoff[nby++] = (int)lx->off;
			qlex_next(lx);
		}
	}
	if (kind == SK_TOP && nby > 1) {
		/* top F by G: G's fields first, F last. */
		char *f = by[0];
		int o = byoff[0];

		memmove(by, by + 1, (size_t)(nby - 1) * sizeof *by);
		memmove(byoff, byoff + 1, (size_t)(nby - 1) * sizeof *byoff);
		by[nby - 1] = f;
		byoff[nby - 1] = o;
	}
	if (want_end(c, lx))
		goto out;

	/* Into the plan when everything before went there and SQL can do
	 * each part exactly. */
	pushable = c->pushing && c->raw && !c->limited;
	for (int i = 0; pushable && i < nby; i++) {
		const char *path;
		int f = source_field(c, by[i], &path);

		if (f < 0 || (c->fields[f].type == SQT_JSON && !path))
			pushable = 0;
	}
	for (int i = 0; pushable && i < na; i++) {
		const char *path = NULL;
		int f = -1;

		if (a[i].field && (f = source_field(c, a[i].field, &path)) < 0)
			pushable = 0;
		else if (sql_agg(a[i].fn, f >= 0 ? c->fields[f].type : SQT_NUM) == SQA_NONE)
			pushable = 0;
		else if (f >= 0 && path && a[i].fn != AG_COUNT && a[i].fn != AG_DC)
			pushable = 0;
	}
	/* Every name must exist, pushed or not. */
	for (int i = 0; i < nby; i++) {
		const char *path;

		if (col_find(c, by[i]) < 0 && !(c->raw && source_field(c, by[i], &path) >= 0)) {
			unknown_field(c, by[i], byoff[i]);
			goto out;
		}
	}
	for (int i = 0; i < na; i++) {
		const char *path;

		if (a[i].field && col_find(c, a[i].field) < 0 &&
		    !(c->raw && source_field(c, a[i].field, &path) >= 0)) {
			unknown_field(c, a[i].field, a[i].off);
			goto out;
		}
	}
	if (pushable) {
		struct sq_plan *p = &c->q->plan;

		/* The statement's columns so far were for raw rows: drop them. */
		for (int i = 0; i < p->nout; i++)
			free(p->outs[i].col.path);
		free(p->outs);
		p->outs = NULL;
		p->nout = 0;
		p->aggregate = 1;
		p->span = span;
		p->norder = 0;          /* a sort before is undone by the grouping */
		p->group = xcalloc((size_t)nby + 1, sizeof *p->group);
		for (int i = 0; i < nby; i++) {
			const char *path;

			p->group[i].field = source_field(c, by[i], &path);
			p->group[i].path = path ? xstrdup(path) : NULL;
		}
		p->ngroup = nby;
		p->outs = xcalloc((size_t)na, sizeof *p->outs);
		for (int i = 0; i < na; i++) {
			const char *path = NULL;
			int f = a[i].field ? source_field(c, a[i].field, &path) : -1;

			p->outs[i].agg = sql_agg(a[i].fn, f >= 0 ? c->fields[f].type : SQT_NUM);
			p->outs[i].has_col = f >= 0;
			p->outs[i].col.field = f >= 0 ? f : 0;
			p->outs[i].col.path = path ? xstrdup(path) : NULL;
		}
		p->nout = na;
		/* The table is now the statement's output. */
		free(c->q->fetch_type);
		c->q->fetch_type = NULL;
		c->q->nfetch = 0;
		c->raw = 0;
		stats_table(c, span, by, byoff, nby, a, na);
		/* Groups in order, as query.c's stats leaves them. */
		for (int i = 0; i < (span > 0) + nby && i < 8; i++) {
			p->order[p->norder] = i;
			p->desc[p->norder++] = 0;
		}
		if (kind == SK_TOP)
			top_stage(c, nby, topn, desc);
		rc = 0;
		goto out;
	}

	/* In C. */
	st.kind = SK_STATS;
	st.span = span;
	if (span > 0) {
		if ((time_f = col_ref(c, "_time", 0)) < 0)
			goto out;
		st.tcol = time_f;
	}
	st.by = xcalloc((size_t)nby + 1, sizeof(int));
	for (int i = 0; i < nby; i++)
		if ((st.by[st.nby++] = col_ref(c, by[i], byoff[i])) < 0)
			goto out_st;
	st.aggs = xcalloc((size_t)na, sizeof *st.aggs);
	for (int i = 0; i < na; i++) {
		st.aggs[i].fn = a[i].fn;
		st.aggs[i].col = -1;
		if (a[i].field && (st.aggs[i].col = col_ref(c, a[i].field, a[i].off)) < 0)
			goto out_st;
		st.nagg++;
	}
	st.nin = c->raw ? -1 : c->width;
	stats_table(c, span, by, byoff, nby, a, na);
	st.nout = c->width;
	stage_add(c, &st);
	if (kind == SK_TOP)
		top_stage(c, nby, topn, desc);
	rc = 0;
	goto out;
out_st:
	stage_clear(&st);
out:
	for (int i = 0; i < na; i++) {
		free(a[i].field);
		free(a[i].name);
	}
	for (int i = 0; i < nby; i++)
		free(by[i]);
	return rc;
}

/* sort [N] [-|+]F [,] ... */
static int cmd_sort(struct cctx *c, struct qlex *lx)
{
	struct qstage st = { 0 };
	int64_t n = 0;
	int push_ok;

	if (lx->type == QT_NUM && count_arg(c, lx, &n))
		return -1;
	st.kind = SK_SORT;
	st.keys = xcalloc(8, sizeof(int));
	st.desc = xcalloc(8, sizeof(int));
	while (lx->type != QT_END) {
		int d = 0;

		if (qlex_op(lx, ",")) {
			qlex_next(lx);
			continue;
		}
		if (qlex_op(lx, "-") || qlex_op(lx, "+")) {
			d = lx->op[0] == '-';
			qlex_next(lx);
		}
		if (want_word(c, lx, "a field to sort by"))
			goto bad;
		if (st.nkeys == 8) {
			query_fail(c->err, c->src, lx->off, "too many sort keys (at most 8)");
			goto bad;
		}
		st.desc[st.nkeys] = d;
		if ((st.keys[st.nkeys++] = col_ref(c, strbuf_str(&lx->text), (int)lx->off)) < 0)
			goto bad;
		qlex_next(lx);
	}
	if (!st.nkeys) {
		query_fail(c->err, c->src, lx->off, "sort needs a field: sort -count");
		goto bad;
	}
	st.n = n;
	/* Into the plan: keys that are the statement's own columns. */
	push_ok = c->pushing && !c->limited;
	if (push_ok) {
		struct sq_plan *p = &c->q->plan;
		int cols[8], ngroup = p->aggregate ? (p->span > 0) + p->ngroup : 0;

		for (int i = 0; i < st.nkeys && push_ok; i++) {
			cols[i] = -1;
			if (p->aggregate)
				cols[i] = st.keys[i] < p->nout + ngroup ? st.keys[i] : -1;
			else
				for (int j = 0; j < p->nout; j++)
					if (c->fetch_idx[j] == st.keys[i])
						cols[i] = j;
			if (cols[i] < 0)
				push_ok = 0;
		}
		if (push_ok) {
			int old[8], oldn = p->norder;

			memcpy(old, p->order, sizeof old);
			p->norder = 0;
			for (int i = 0; i < st.nkeys; i++) {
				p->order[p->norder] = cols[i];
				p->desc[p->norder++] = st.desc[i];
			}
			/* Ties keep the groups' order. */
			for (int i = 0; i < oldn && p->norder < 8; i++) {
				int dup = 0;

				for (int j = 0; j < p->norder; j++)
					dup |= p->order[j] == old[i];
				if (!dup) {
					p->order[p->norder] = old[i];
					p->desc[p->norder++] = 0;
				}
			}
			if (n > 0) {
				p->limit = n;
				c->limited = 1;
			}
			stage_clear(&st);
			return 0;
		}
	}
	st.nin = c->raw ? -1 : c->width;
	st.nout = st.nin;
	stage_add(c, &st);
	return 0;
bad:
	stage_clear(&st);
	return -1;
}

static int cmd_head_tail(struct cctx *c, struct qlex *lx, int kind)
{
	struct qstage st = { 0 };
	int64_t n = 10;

	if (lx->type == QT_NUM && count_arg(c, lx, &n))
		return -1;
	if (want_end(c, lx))
		return -1;
	if (kind == SK_HEAD && c->pushing && n > 0) {
		struct sq_plan *p = &c->q->plan;

		if (!p->limit || n < p->limit)
			p->limit = n;
		c->limited = 1;
		return 0;
	}
	st.kind = kind;
	st.n = n;
	st.nin = st.nout = c->raw ? -1 : c->width;
	stage_add(c, &st);
	return 0;
}

static int cmd_eval(struct cctx *c, struct qlex *lx)
{
	struct qstage st = { 0 };

	st.kind = SK_EVAL;
	st.nin = c->raw ? -1 : c->width;
	while (lx->type != QT_END) {
		char *name;
		size_t off;
		struct calc *calc;
		int k;

		if (qlex_op(lx, ",")) {
			qlex_next(lx);
			continue;
		}
		if (want_word(c, lx, "a name: eval NAME = CALCULATION"))
			goto bad;
		name = xstrdup(strbuf_str(&lx->text));
		off = lx->off;
		qlex_next(lx);
		if (!qlex_op(lx, "=")) {
			query_fail(c->err, c->src, lx->off, "expected '=' after %s", name);
			free(name);
			goto bad;
		}
		qlex_next(lx);
		if (!(calc = calc_parse(lx, resolve_cb, c, c->err))) {
			free(name);
			goto bad;
		}
		k = col_find(c, name);
		if (k < 0 && (k = new_col(c, name, (int)off)) < 0) {
			free(name);
			calc_free(calc);
			goto bad;
		}
		free(name);
		st.calcs = xrealloc(st.calcs, (size_t)(st.ncalc + 1) * sizeof *st.calcs);
		st.targets = xrealloc(st.targets, (size_t)(st.ncalc + 1) * sizeof *st.targets);
		st.calcs[st.ncalc] = calc;
		st.targets[st.ncalc++] = c->idx[k];
	}
	if (!st.ncalc) {
		query_fail(c->err, c->src, lx->off, "eval needs NAME = CALCULATION");
		goto bad;
	}
	st.nout = c->raw ? -1 : c->width;
	stage_add(c, &st);
	return 0;
bad:
	stage_clear(&st);
	return -1;
}

/* table F ... | fields [-] F ...: a new table of the columns kept. */
static int cmd_table(struct cctx *c, struct qlex *lx, int fields)
{
	struct qstage st = { 0 };
	int drop = 0, keep[MAX_COLS], nkeep = 0, names[MAX_COLS];
	int listed[MAX_COLS], nlisted = 0;
	char *newcols[MAX_COLS];

	if (fields && (qlex_op(lx, "-") || qlex_op(lx, "+"))) {
		drop = lx->op[0] == '-';
		qlex_next(lx);
	}
	/* Dropping from the source's rows: from what a plain query shows. */
	if (drop && c->raw && fetch_defaults(c))
		return -1;
	while (lx->type != QT_END) {
		int k;

		if (qlex_op(lx, ",")) {
			qlex_next(lx);
			continue;
		}
		if (want_word(c, lx, "a field"))
			return -1;
		if (col_ref(c, strbuf_str(&lx->text), (int)lx->off) < 0)
			return -1;
		k = col_find(c, strbuf_str(&lx->text));
		if (nlisted == MAX_COLS) {
			query_fail(c->err, c->src, lx->off, "too many fields");
			return -1;
		}
		listed[nlisted++] = k;
		qlex_next(lx);
	}
	if (!nlisted) {
		query_fail(c->err, c->src, lx->off, "%s needs the fields to %s", fields ? "fields" : "table",
			   drop ? "drop" : "keep");
		return -1;
	}
	if (drop) {
		for (int i = 0; i < c->ncols; i++) {
			int gone = 0;

			for (int j = 0; j < nlisted; j++)
				gone |= listed[j] == i;
			if (!gone)
				names[nkeep] = i, keep[nkeep++] = c->idx[i];
		}
	} else {
		for (int j = 0; j < nlisted; j++) {
			int dup = 0;

			for (int i = 0; i < j; i++)
				dup |= listed[i] == listed[j];
			if (!dup)
				names[nkeep] = listed[j], keep[nkeep++] = c->idx[listed[j]];
		}
	}
	st.kind = SK_TABLE;
	st.nin = c->raw ? -1 : c->width;
	st.keys = xcalloc((size_t)nkeep + 1, sizeof(int));
	memcpy(st.keys, keep, (size_t)nkeep * sizeof(int));
	st.nkeys = nkeep;
	for (int i = 0; i < nkeep; i++)
		newcols[i] = xstrdup(c->cols[names[i]]);
	if (c->raw)
		c->raw_width = c->width;
	for (int i = 0; i < c->ncols; i++)
		free(c->cols[i]);
	for (int i = 0; i < nkeep; i++) {
		c->cols[i] = newcols[i];
		c->idx[i] = i;
	}
	c->ncols = nkeep;
	c->width = nkeep;
	c->raw = 0;
	st.nout = nkeep;
	stage_add(c, &st);
	return 0;
}

/* rename F as G [,] ...: names only. */
static int cmd_rename(struct cctx *c, struct qlex *lx)
{
	int any = 0;

	while (lx->type != QT_END) {
		int k;
		char *to;

		if (qlex_op(lx, ",")) {
			qlex_next(lx);
			continue;
		}
		if (want_word(c, lx, "a field: rename F as G"))
			return -1;
		if (col_ref(c, strbuf_str(&lx->text), (int)lx->off) < 0)
			return -1;
		k = col_find(c, strbuf_str(&lx->text));
		qlex_next(lx);
		if (!qlex_word(lx, "as")) {
			query_fail(c->err, c->src, lx->off, "expected 'as': rename F as G");
			return -1;
		}
		qlex_next(lx);
		if (lx->type != QT_WORD && lx->type != QT_STR) {
			want_word(c, lx, "the new name");
			return -1;
		}
		to = xstrdup(strbuf_str(&lx->text));
		{
			int other = col_find(c, to);

			if (other >= 0 && other != k) {
				/* The old column of that name is gone from view. */
				free(c->cols[other]);
				c->cols[other] = xstrdup("");
			}
		}
		free(c->cols[k]);
		c->cols[k] = to;
		qlex_next(lx);
		any = 1;
	}
	if (!any) {
		query_fail(c->err, c->src, lx->off, "rename needs F as G");
		return -1;
	}
	/* A renamed column is no longer the source's field of its name: what
	 * follows runs in C. */
	c->pushing = 0;
	return 0;
}

static int cmd_dedup(struct cctx *c, struct qlex *lx)
{
	struct qstage st = { 0 };
	int keys[8], n;

	if (field_list(c, lx, keys, &n, 8, 0))
		return -1;
	if (!n) {
		query_fail(c->err, c->src, lx->off, "dedup needs a field");
		return -1;
	}
	st.kind = SK_DEDUP;
	st.keys = xcalloc((size_t)n, sizeof(int));
	memcpy(st.keys, keys, (size_t)n * sizeof(int));
	st.nkeys = n;
	st.nin = st.nout = c->raw ? -1 : c->width;
	stage_add(c, &st);
	return 0;
}

/* rex [field=F] "REGEX": POSIX extended, (?<name>...) groups become
 * columns. */
static int cmd_rex(struct cctx *c, struct qlex *lx)
{
	struct qstage st = { 0 };
	const char *field = "raw";
	char *fieldbuf = NULL, *names[16];
	struct strbuf pat = STRBUF_INIT;
	int nnames = 0, group = 0, rc = -1, foff = (int)lx->off;
	size_t poff;
	const char *s, *why;

	if (qlex_word(lx, "field")) {
		qlex_next(lx);
		if (!qlex_op(lx, "=")) {
			query_fail(c->err, c->src, lx->off, "expected '=' after field");
			return -1;
		}
		qlex_next(lx);
		if (want_word(c, lx, "a field"))
			return -1;
		fieldbuf = xstrdup(strbuf_str(&lx->text));
		field = fieldbuf;
		foff = (int)lx->off;
		qlex_next(lx);
	}
	if (lx->type != QT_STR) {
		query_fail(c->err, c->src, lx->off, "rex needs a quoted regex with (?<name>...) groups");
		goto out;
	}
	poff = lx->off;
	s = strbuf_str(&lx->text);
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1]) {
			strbuf_add(&pat, s + i, 2);
			i++;
			continue;
		}
		if (s[i] == '(') {
			group++;
			if (s[i + 1] == '?' && s[i + 2] == '<') {
				size_t e = i + 3;

				while (isalnum((unsigned char)s[e]) || s[e] == '_')
					e++;
				if (s[e] != '>' || e == i + 3) {
					query_fail(c->err, c->src, poff, "rex: a group's name is (?<name>...)");
					goto out;
				}
				if (nnames == 16) {
					query_fail(c->err, c->src, poff, "rex: at most 16 named groups");
					goto out;
				}
				names[nnames] = xstrndup(s + i + 3, e - i - 3);
				st.groups = xrealloc(st.groups, (size_t)(nnames + 1) * sizeof(int));
				st.groups[nnames++] = group;
				strbuf_addc(&pat, '(');
				i = e;
				continue;
			}
		}
		strbuf_addc(&pat, s[i]);
	}
	if (!nnames) {
		query_fail(c->err, c->src, poff, "rex: no named group: (?<name>...)");
		goto out;
	}
	if ((why = expr_regex_check(strbuf_str(&pat))) ||
	    regcomp(&st.re, strbuf_str(&pat), REG_EXTENDED)) {
		query_fail(c->err, c->src, poff, "rex: bad regex%s%s", why ? ": " : "", why ? why : "");
		goto out;
	}
	st.has_re = 1;
	qlex_next(lx);
	if (want_end(c, lx))
		goto out;
	st.kind = SK_REX;
	st.nin = c->raw ? -1 : c->width;
	if ((st.col = col_ref(c, field, foff)) < 0)
		goto out;
	st.keys = xcalloc((size_t)nnames, sizeof(int));
	for (int i = 0; i < nnames; i++) {
		int k = col_find(c, names[i]);

		if (k < 0 && (k = new_col(c, names[i], (int)poff)) < 0)
			goto out;
		st.keys[st.nkeys++] = c->idx[k];
	}
	st.ngroups = nnames;
	st.nout = c->raw ? -1 : c->width;
	stage_add(c, &st);
	memset(&st, 0, sizeof st);
	rc = 0;
out:
	stage_clear(&st);
	for (int i = 0; i < nnames; i++)
		free(names[i]);
	free(fieldbuf);
	strbuf_free(&pat);
	return rc;
}

static int cmd_where(struct cctx *c, size_t from, size_t to)
{
	struct expr *e = parse_expr(c, from, to);

	if (!e)
		return -1;
	return filter_stage(c, e);
}

static const char *const commands[] = { "where", "eval", "stats", "timechart", "top", "rare",
	"sort", "head", "tail", "dedup", "table", "fields", "rename", "rex" };

static int command(struct cctx *c, size_t start, size_t end)
{
	struct qlex lx;
	int rc = -1;
	const char *w;
	struct guess g;
	size_t k;

	qlex_init(&lx, c->src, start, end);
	if (lx.type != QT_WORD) {
		want_word(c, &lx, "a command after '|'");
		goto out;
	}
	w = strbuf_str(&lx.text);
	guess_init(&g, w);
	for (k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		if (!strcmp(commands[k], w))
			break;
		guess_consider(&g, "", commands[k]);
	}
	if (k == sizeof commands / sizeof commands[0]) {
		const char *best = guess_best(&g);

		if (best)
			query_fail(c->err, c->src, lx.off, "unknown command '%s' (did you mean '%s'?)", w, best);
		else
			query_fail(c->err, c->src, lx.off, "unknown command '%s'", w);
		goto out;
	}
	w = commands[k];
	qlex_next(&lx);
	if (!strcmp(w, "where")) {
		rc = cmd_where(c, lx.off, end);
	} else if (!strcmp(w, "eval")) {
		rc = cmd_eval(c, &lx);
	} else if (!strcmp(w, "stats")) {
		rc = cmd_stats(c, &lx, SK_STATS, 0, 0);
	} else if (!strcmp(w, "timechart")) {
		int64_t span = 0;

		if (!qlex_word(&lx, "span")) {
			query_fail(c->err, c->src, lx.off, "timechart needs span=DURATION (span=1h, span=1d)");
			goto out;
		}
		qlex_next(&lx);
		if (!qlex_op(&lx, "=")) {
			query_fail(c->err, c->src, lx.off, "expected '=' after span");
			goto out;
		}
		qlex_next(&lx);
		if (lx.type != QT_NUM || irk_duration_parse(strbuf_str(&lx.text), &span) || span <= 0) {
			query_fail(c->err, c->src, lx.off, "span: expected a duration (30m, 1h, 1d)");
			goto out;
		}
		qlex_next(&lx);
		rc = cmd_stats(c, &lx, SK_STATS, span, 0);
		if (!rc)
			c->q->chart = 1;
	} else if (!strcmp(w, "top") || !strcmp(w, "rare")) {
		rc = cmd_stats(c, &lx, SK_TOP, 0, w[0] == 't');
	} else if (!strcmp(w, "sort")) {
		rc = cmd_sort(c, &lx);
	} else if (!strcmp(w, "head")) {
		rc = cmd_head_tail(c, &lx, SK_HEAD);
	} else if (!strcmp(w, "tail")) {
		rc = cmd_head_tail(c, &lx, SK_TAIL);
	} else if (!strcmp(w, "dedup")) {
		rc = cmd_dedup(c, &lx);
	} else if (!strcmp(w, "table") || !strcmp(w, "fields")) {
		rc = cmd_table(c, &lx, w[0] == 'f');
	} else if (!strcmp(w, "rename")) {
		rc = cmd_rename(c, &lx);
	} else if (!strcmp(w, "rex")) {
		rc = cmd_rex(c, &lx);
	}
	if (rc == 0 && strcmp(w, "timechart"))
		c->q->chart = 0;
out:
	qlex_free(&lx);
	return rc;
}

/* ---- the query ---- */

/* The ends of the stages: '|' outside strings, not part of "||". */
static int split(const char *src, size_t *cuts, int max)
{
	int n = 0;

	for (size_t p = 0; src[p]; p++) {
		if (src[p] == '"' || src[p] == '\'') {
			char q = src[p];

			for (p++; src[p] && src[p] != q && src[p] != '\n'; p++)
				if (src[p] == '\\' && src[p + 1])
					p++;
			if (!src[p])
				break;
			continue;
		}
		if (src[p] == '|') {
			if (src[p + 1] == '|') {
				p++;
				continue;
			}
			if (n == max)
				return -1;
			cuts[n++] = p;
		}
	}
	return n;
}

void stage_clear(struct qstage *st)
{
	expr_free(&st->expr);
	for (int i = 0; i < st->nv; i++)
		free(st->vnames[i]);
	free(st->vnames);
	free(st->vcols);
	for (int i = 0; i < st->ncalc; i++)
		calc_free(st->calcs[i]);
	free(st->calcs);
	free(st->targets);
	free(st->by);
	free(st->aggs);
	free(st->keys);
	free(st->desc);
	if (st->has_re)
		regfree(&st->re);
	free(st->groups);
	memset(st, 0, sizeof *st);
}

void query_free(struct query **qp)
{
	struct query *q = qp ? *qp : NULL;

	if (!q)
		return;
	if (q->plan.where) {
		cond_clear(q->plan.where);
		free(q->plan.where);
	}
	for (int i = 0; i < q->plan.ngroup; i++)
		free(q->plan.group[i].path);
	free(q->plan.group);
	for (int i = 0; i < q->plan.nout; i++)
		free(q->plan.outs[i].col.path);
	free(q->plan.outs);
	free(q->fetch_type);
	for (int i = 0; i < q->nstages; i++)
		stage_clear(&q->stages[i]);
	free(q->stages);
	for (int i = 0; i < q->ncols; i++)
		free(q->cols[i]);
	free(q->cols);
	free(q->fetch_idx);
	free(q->src);
	free(q);
	*qp = NULL;
}

struct query *query_parse(const char *src, int64_t now, struct query_error *err)
{
	struct query_error dummy;
	struct cctx c = { 0 };
	struct query *q;
	size_t cuts[256], len;
	int ncuts;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof *err);
	if (!src)
		src = "";
	len = strlen(src);
	if (len > QUERY_MAX_LEN) {
		query_fail(err, src, QUERY_MAX_LEN, "query too long (more than %d bytes)", QUERY_MAX_LEN);
		return NULL;
	}
	if ((ncuts = split(src, cuts, 255)) < 0) {
		query_fail(err, src, 0, "too many commands (at most 255)");
		return NULL;
	}
	cuts[ncuts] = len;
	q = xcalloc(1, sizeof *q);
	q->src = xstrdup(src);
	q->now = now;
	c.src = q->src;
	c.q = q;
	c.err = err;
	c.raw = 1;
	c.pushing = 1;
	if (first_stage(&c, 0, cuts[0]))
		goto fail;
	for (int i = 0; i < ncuts; i++)
		if (command(&c, cuts[i] + 1, cuts[i + 1]))
			goto fail;
	/* Rows still the source's: show its usual fields, then the rest. */
	if (c.raw) {
		const int *def = store_query_default_fields(q->plan.source);
		struct qstage st = { 0 };
		int keep[MAX_COLS], nkeep = 0, names[MAX_COLS];

		if (fetch_defaults(&c))
			goto fail;
		for (int i = 0; def[i] >= 0; i++) {
			int k = col_find(&c, c.fields[def[i]].name);

			names[nkeep] = k;
			keep[nkeep++] = c.idx[k];
		}
		for (int k = 0; k < c.ncols; k++) {
			int dup = 0;

			for (int j = 0; j < nkeep; j++)
				dup |= names[j] == k;
			if (!dup && c.cols[k][0] && nkeep < MAX_COLS)
				names[nkeep] = k, keep[nkeep++] = c.idx[k];
		}
		st.kind = SK_TABLE;
		st.nin = -1;
		st.keys = xcalloc((size_t)nkeep + 1, sizeof(int));
		memcpy(st.keys, keep, (size_t)nkeep * sizeof(int));
		st.nkeys = nkeep;
		st.nout = nkeep;
		q->cols = xcalloc((size_t)nkeep + 1, sizeof *q->cols);
		for (int i = 0; i < nkeep; i++)
			q->cols[i] = xstrdup(c.cols[names[i]]);
		q->ncols = nkeep;
		{
			int pushing = c.pushing;

			stage_add(&c, &st);
			c.pushing = pushing;
		}
	} else {
		/* Columns by row index; renamed-away ones drop out at output. */
		q->cols = xcalloc((size_t)c.width + 1, sizeof *q->cols);
		q->ncols = c.width;
		for (int i = 0; i < c.width; i++)
			q->cols[i] = xstrdup("");
		for (int k = 0; k < c.ncols; k++) {
			free(q->cols[c.idx[k]]);
			q->cols[c.idx[k]] = xstrdup(c.cols[k]);
		}
	}
	/* The raw phase's width, now known, for its stages. */
	if (c.raw)
		c.raw_width = c.width;
	for (int i = 0; i < q->nstages; i++) {
		if (q->stages[i].nin < 0)
			q->stages[i].nin = c.raw_width;
		if (q->stages[i].nout < 0)
			q->stages[i].nout = c.raw_width;
	}
	q->nfetch = q->plan.aggregate ? (q->plan.span > 0) + q->plan.ngroup + q->plan.nout : q->plan.nout;
	q->fetch_idx = xcalloc((size_t)q->nfetch + 1, sizeof(int));
	for (int j = 0; j < q->nfetch; j++)
		q->fetch_idx[j] = q->plan.aggregate ? j : c.fetch_idx[j];
	q->raw_width = q->plan.aggregate ? q->nfetch : c.raw_width;
	for (int i = 0; i < c.ncols; i++)
		free(c.cols[i]);
	return q;
fail:
	for (int i = 0; i < c.ncols; i++)
		free(c.cols[i]);
	query_free(&q);
	return NULL;
}
