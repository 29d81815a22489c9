/* query.c: running a compiled query: the statement through the store, then
 * the stages SQL could not do, over the rows in memory, then the result
 * as JSON or CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/hmap.h"
#include "irk/sanitize.h"

struct table {
	struct query_value **rows;
	size_t n, cap;
	int width;
};

static void row_free(struct query_value *row, int width)
{
	if (!row)
		return;
	for (int i = 0; i < width; i++)
		query_value_clear(&row[i]);
	free(row);
}

static void table_add(struct table *t, struct query_value *row)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
	}
	t->rows[t->n++] = row;
}

static void table_clear(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		row_free(t->rows[i], t->width);
	free(t->rows);
	memset(t, 0, sizeof *t);
}

/* Rows wider: new cells missing. */
static void widen(struct table *t, int width)
{
	if (width <= t->width)
		return;
	for (size_t i = 0; i < t->n; i++) {
		t->rows[i] = xrealloc(t->rows[i], (size_t)width * sizeof **t->rows);
		memset(t->rows[i] + t->width, 0, (size_t)(width - t->width) * sizeof **t->rows);
	}
	t->width = width;
}

struct reader {
	const struct query *q;
	struct table *t;
};

static int read_row(const struct expr_value *v, int n, void *arg)
{
	struct reader *r = arg;
	const struct query *q = r->q;
	struct query_value *row = xcalloc((size_t)q->raw_width + 1, sizeof *row);

	for (int j = 0; j < n && j < q->nfetch; j++) {
		struct query_value *cell = &row[q->fetch_idx[j]];
		int t = q->fetch_type ? q->fetch_type[j] : -1;

		switch (v[j].type) {
		case EXPR_NUM:
			if (t == SQT_FLAG) {
				cell->type = EXPR_BOOL;
				cell->boolean = v[j].num != 0;
			} else {
				cell->type = EXPR_NUM;
				cell->num = v[j].num;
			}
			break;
		case EXPR_STR:
			/* An empty text is a field not set (fields.h). */
			if (t == SQT_TEXT && !v[j].str[0])
				break;
			cell->type = EXPR_STR;
			cell->str = xstrdup(v[j].str);
			break;
		default:
			break;
		}
	}
	table_add(r->t, row);
	return 0;
}

/* ---- stages ---- */

struct filter_ctx {
	const struct qstage *st;
	const struct query_value *row;
};

static int filter_lookup(void *arg, const char *name, struct expr_value *out)
{
	struct filter_ctx *f = arg;

	for (int i = 0; i < f->st->nv; i++)
		if (!strcmp(f->st->vnames[i], name)) {
			query_value_expr(&f->row[f->st->vcols[i]], out);
			return out->type == EXPR_NULL;
		}
	return 1;
}

static void run_filter(const struct qstage *st, struct table *t)
{
	size_t o = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct filter_ctx f = { st, t->rows[i] };

		if (expr_eval(st->expr, filter_lookup, &f))
			t->rows[o++] = t->rows[i];
		else
			row_free(t->rows[i], t->width);
	}
	t->n = o;
}

static void run_eval(const struct qstage *st, struct table *t, int64_t now)
{
	widen(t, st->nout);
	for (size_t i = 0; i < t->n; i++)
		for (int k = 0; k < st->ncalc; k++) {
			struct query_value v;

			calc_eval(st->calcs[k], t->rows[i], now, &v);
			query_value_clear(&t->rows[i][st->targets[k]]);
			t->rows[i][st->targets[k]] = v;
		}
}

static void run_rex(const struct qstage *st, struct table *t)
{
	regmatch_t m[64];

	widen(t, st->nout);
	for (size_t i = 0; i < t->n; i++) {
		struct query_value *row = t->rows[i];
		char buf[32];
		const char *s;

		if (row[st->col].type == EXPR_NULL)
			continue;
		s = query_value_text(&row[st->col], buf, sizeof buf);
		if (regexec(&st->re, s, 64, m, 0))
			continue;
		for (int g = 0; g < st->ngroups; g++) {
			int k = st->groups[g];

			query_value_clear(&row[st->keys[g]]);
			if (k < 64 && m[k].rm_so >= 0) {
				row[st->keys[g]].type = EXPR_STR;
				row[st->keys[g]].str = xstrndup(s + m[k].rm_so, (size_t)(m[k].rm_eo - m[k].rm_so));
			}
		}
	}
}

/* Sorting rows by keys; ties keep their order. */
struct sorter {
	const int *keys, *desc;
	int nkeys;
};

static int rows_cmp(const struct sorter *s, const struct query_value *a, const struct query_value *b)
{
	for (int k = 0; k < s->nkeys; k++) {
		const struct query_value *x = &a[s->keys[k]], *y = &b[s->keys[k]];
		int c = query_value_cmp(x, y);

		/* Missing stays last either way. */
		if (c && s->desc && s->desc[k] && x->type != EXPR_NULL && y->type != EXPR_NULL)
			c = -c;
		if (c)
			return c;
	}
	return 0;
}

static void merge_sort(const struct sorter *s, struct query_value **v, struct query_value **tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, o = 0;

	if (n < 2)
		return;
	merge_sort(s, v, tmp, mid);
	merge_sort(s, v + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[o++] = rows_cmp(s, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[o++] = v[i++];
	while (j < n)
		tmp[o++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

static void sort_rows(struct table *t, const int *keys, const int *desc, int nkeys)
{
	struct sorter s = { keys, desc, nkeys };
	struct query_value **tmp = xmalloc((t->n + 1) * sizeof *tmp);

	merge_sort(&s, t->rows, tmp, t->n);
	free(tmp);
}

static void keep_range(struct table *t, size_t from, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < t->n; i++)
		if (i >= from && i < from + n)
			t->rows[o++] = t->rows[i];
		else
			row_free(t->rows[i], t->width);
	t->n = o;
}

static void key_of(struct strbuf *sb, const struct query_value *row, const int *keys, int n)
{
	char buf[32];

	strbuf_reset(sb);
	for (int k = 0; k < n; k++) {
		const struct query_value *v = &row[keys[k]];

		strbuf_addc(sb, (char)('0' + v->type));
		strbuf_puts(sb, query_value_text(v, buf, sizeof buf));
		strbuf_addc(sb, '\0');
	}
}

static void run_dedup(const struct qstage *st, struct table *t)
{
	struct hmap *seen = hmap_new(1);
	struct strbuf key = STRBUF_INIT;
	size_t o = 0;

	for (size_t i = 0; i < t->n; i++) {
		int created = 0;

		key_of(&key, t->rows[i], st->keys, st->nkeys);
		hmap_put(seen, key.buf ? key.buf : "", key.len, &created);
		if (created)
			t->rows[o++] = t->rows[i];
		else
			row_free(t->rows[i], t->width);
	}
	t->n = o;
	strbuf_free(&key);
	hmap_free(&seen);
}

static void run_table(const struct qstage *st, struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct query_value *row = xcalloc((size_t)st->nkeys + 1, sizeof *row);

		for (int k = 0; k < st->nkeys; k++) {
			row[k] = t->rows[i][st->keys[k]];
			/* Moved: a column listed twice is copied. */
			for (int j = 0; j < k; j++)
				if (st->keys[j] == st->keys[k])
					query_value_copy(&row[k], &row[j]);
			if (row[k].type == EXPR_STR && row[k].str == t->rows[i][st->keys[k]].str)
				t->rows[i][st->keys[k]].str = NULL, t->rows[i][st->keys[k]].type = EXPR_NULL;
		}
		row_free(t->rows[i], t->width);
		t->rows[i] = row;
	}
	t->width = st->nkeys;
}

/* ---- stats ---- */

struct acc {
	int64_t count, nnum;
	double sum;
	struct query_value min, max, first, last;
	int has_minmax;
	double *nums;           /* median, p90 */
	size_t nn, cn;
	struct hmap *distinct;  /* dc, values */
	char **texts;           /* values: the distinct texts */
	size_t nt, ct;
};

struct group {
	struct query_value *key;        /* bucket, then by */
	struct acc *acc;
};

/* A cell as a number when it is one (numbers in text too), for min, max. */
static void numeric_view(const struct query_value *v, struct query_value *out)
{
	double x;

	*out = *v;
	if (v->type == EXPR_STR && query_value_num(v, &x)) {
		out->type = EXPR_NUM;
		out->num = x;
		out->str = NULL;
	}
}

static void acc_add(struct acc *a, int fn, const struct query_value *v)
{
	char buf[32];
	double x;
	int created;

	if (fn == AG_COUNT && !v) {
		a->count++;
		return;
	}
	if (!v || v->type == EXPR_NULL)
		return;
	a->count++;
	switch (fn) {
	case AG_SUM:
	case AG_AVG:
		if (query_value_num(v, &x)) {
			a->sum += x;
			a->nnum++;
		}
		break;
	case AG_MEDIAN:
	case AG_P90:
		if (query_value_num(v, &x)) {
			if (a->nn == a->cn) {
				a->cn = a->cn ? a->cn * 2 : 16;
				a->nums = xrealloc(a->nums, a->cn * sizeof *a->nums);
			}
			a->nums[a->nn++] = x;
		}
		break;
	case AG_MIN:
	case AG_MAX: {
		struct query_value nv, cur;

		numeric_view(v, &nv);
		numeric_view(fn == AG_MIN ? &a->min : &a->max, &cur);
		if (!a->has_minmax || (fn == AG_MIN ? query_value_cmp(&nv, &cur) < 0
						    : query_value_cmp(&nv, &cur) > 0)) {
			struct query_value *dst = fn == AG_MIN ? &a->min : &a->max;

			query_value_clear(dst);
			query_value_copy(dst, &nv);
			if (nv.type == EXPR_STR)
				dst->str = xstrdup(v->str);
			a->has_minmax = 1;
		}
		break;
	}
	case AG_DC:
	case AG_VALUES: {
		const char *s = query_value_text(v, buf, sizeof buf);

		if (!a->distinct)
			a->distinct = hmap_new(1);
		hmap_put(a->distinct, s, strlen(s), &created);
		if (created && fn == AG_VALUES) {
			if (a->nt == a->ct) {
				a->ct = a->ct ? a->ct * 2 : 8;
				a->texts = xrealloc(a->texts, a->ct * sizeof *a->texts);
			}
			a->texts[a->nt++] = xstrdup(s);
		}
		break;
	}
	case AG_FIRST:
		if (a->count == 1)
			query_value_copy(&a->first, v);
		break;
	case AG_LAST:
		query_value_clear(&a->last);
		query_value_copy(&a->last, v);
		break;
	}
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void acc_result(struct acc *a, int fn, struct query_value *out)
{
	memset(out, 0, sizeof *out);
	switch (fn) {
	case AG_COUNT:
		out->type = EXPR_NUM;
		out->num = (double)a->count;
		break;
	case AG_DC:
		out->type = EXPR_NUM;
		out->num = a->distinct ? (double)hmap_count(a->distinct) : 0;
		break;
	case AG_SUM:
		if (a->nnum)
			out->type = EXPR_NUM, out->num = a->sum;
		break;
	case AG_AVG:
		if (a->nnum)
			out->type = EXPR_NUM, out->num = a->sum / (double)a->nnum;
		break;
	case AG_MIN:
		query_value_copy(out, &a->min);
		break;
	case AG_MAX:
		query_value_copy(out, &a->max);
		break;
	case AG_MEDIAN:
	case AG_P90:
		if (!a->nn)
			break;
		qsort(a->nums, a->nn, sizeof *a->nums, dbl_cmp);
		out->type = EXPR_NUM;
		if (fn == AG_P90) {
			/* Nearest rank: the smallest value with 90% at or below it. */
			size_t r = (size_t)ceil(0.9 * (double)a->nn);

			out->num = a->nums[r ? r - 1 : 0];
		} else if (a->nn % 2) {
			out->num = a->nums[a->nn / 2];
		} else {
			out->num = (a->nums[a->nn / 2 - 1] + a->nums[a->nn / 2]) / 2;
		}
		break;
	case AG_VALUES: {
		struct strbuf sb = STRBUF_INIT;

		if (!a->nt)
			break;
		qsort(a->texts, a->nt, sizeof *a->texts, str_cmp);
		for (size_t i = 0; i < a->nt; i++)
			strbuf_printf(&sb, "%s%s", i ? ", " : "", a->texts[i]);
		out->type = EXPR_STR;
		out->str = strbuf_detach(&sb);
		break;
	}
	case AG_FIRST:
		query_value_copy(out, &a->first);
		break;
	case AG_LAST:
		query_value_copy(out, &a->last);
		break;
	}
}

static void acc_clear(struct acc *a)
{
	query_value_clear(&a->min);
	query_value_clear(&a->max);
	query_value_clear(&a->first);
	query_value_clear(&a->last);
	free(a->nums);
	hmap_free(&a->distinct);
	for (size_t i = 0; i < a->nt; i++)
		free(a->texts[i]);
	free(a->texts);
}

static void run_stats(const struct qstage *st, struct table *t)
{
	struct hmap *index = hmap_new(sizeof(size_t));
	struct group *groups = NULL;
	size_t ng = 0, cg = 0;
	int nkey = (st->span > 0) + st->nby;
	struct strbuf key = STRBUF_INIT;
	struct table out = { 0 };
	int *order = xcalloc((size_t)nkey + 1, sizeof(int));

	for (size_t i = 0; i < t->n; i++) {
		struct query_value *row = t->rows[i], kv[9];
		size_t *slot;
		int created, missing = 0;
		char buf[32];

		memset(kv, 0, sizeof kv);
		if (st->span > 0) {
			double x;

			if (!query_value_num(&row[st->tcol], &x))
				continue;
			kv[0].type = EXPR_NUM;
			kv[0].num = floor(x / (double)st->span) * (double)st->span;
		}
		for (int b = 0; b < st->nby; b++) {
			kv[(st->span > 0) + b] = row[st->by[b]];
			missing |= row[st->by[b]].type == EXPR_NULL;
		}
		if (missing)
			continue;
		strbuf_reset(&key);
		for (int k = 0; k < nkey; k++) {
			strbuf_addc(&key, (char)('0' + kv[k].type));
			strbuf_puts(&key, query_value_text(&kv[k], buf, sizeof buf));
			strbuf_addc(&key, '\0');
		}
		slot = hmap_put(index, key.buf ? key.buf : "", key.len, &created);
		if (created) {
			if (ng == cg) {
				cg = cg ? cg * 2 : 64;
				groups = xrealloc(groups, cg * sizeof *groups);
			}
			groups[ng].key = xcalloc((size_t)nkey + 1, sizeof *groups[ng].key);
			for (int k = 0; k < nkey; k++)
				query_value_copy(&groups[ng].key[k], &kv[k]);
			groups[ng].acc = xcalloc((size_t)st->nagg + 1, sizeof *groups[ng].acc);
			*slot = ng++;
		}
		for (int a = 0; a < st->nagg; a++)
			acc_add(&groups[*slot].acc[a], st->aggs[a].fn,
				st->aggs[a].col < 0 ? NULL : &row[st->aggs[a].col]);
	}
	out.width = st->nout;
	for (size_t g = 0; g < ng; g++) {
		struct query_value *row = xcalloc((size_t)st->nout + 1, sizeof *row);

		for (int k = 0; k < nkey; k++)
			row[k] = groups[g].key[k];
		for (int a = 0; a < st->nagg; a++) {
			acc_result(&groups[g].acc[a], st->aggs[a].fn, &row[nkey + a]);
			acc_clear(&groups[g].acc[a]);
		}
		free(groups[g].key);
		free(groups[g].acc);
		table_add(&out, row);
	}
	/* Stats without by over no rows still counts: one row of zeros. */
	if (!nkey && !ng) {
		struct query_value *row = xcalloc((size_t)st->nout + 1, sizeof *row);
		struct acc a = { 0 };

		for (int k = 0; k < st->nagg; k++)
			acc_result(&a, st->aggs[k].fn, &row[k]);
		table_add(&out, row);
	}
	for (int k = 0; k < nkey; k++)
		order[k] = k;
	sort_rows(&out, order, NULL, nkey);
	free(order);
	free(groups);
	strbuf_free(&key);
	hmap_free(&index);
	table_clear(t);
	*t = out;
}

/* top/rare over [G..., F, count]: percent of each G group, the n most (or
 * least) common per group. */
static void run_top(const struct qstage *st, struct table *t)
{
	int cnt = st->nby + 1, keys[10], desc[10], nk = 0;
	size_t start = 0, o = 0;

	widen(t, st->nout);
	for (int g = 0; g < st->nby; g++)
		keys[nk] = g, desc[nk++] = 0;
	keys[nk] = cnt;
	desc[nk++] = st->desc[0];
	sort_rows(t, keys, desc, nk);
	while (start < t->n) {
		size_t end = start, kept = 0;
		double total = 0;
		struct sorter s = { keys, desc, st->nby };

		while (end < t->n && rows_cmp(&s, t->rows[start], t->rows[end]) == 0)
			total += t->rows[end++][cnt].num;
		for (size_t i = start; i < end; i++) {
			struct query_value *row = t->rows[i];

			if (kept < (size_t)st->n) {
				row[cnt + 1].type = EXPR_NUM;
				row[cnt + 1].num = total > 0 ? round(row[cnt].num * 1e6 / total) / 1e4 : 0;
				t->rows[o++] = row;
				kept++;
			} else {
				row_free(row, t->width);
			}
		}
		start = end;
	}
	t->n = o;
}

static void run_stages(const struct query *q, struct table *t)
{
	for (int i = 0; i < q->nstages; i++) {
		const struct qstage *st = &q->stages[i];

		switch (st->kind) {
		case SK_FILTER: run_filter(st, t); break;
		case SK_EVAL: run_eval(st, t, q->now); break;
		case SK_REX: run_rex(st, t); break;
		case SK_STATS: run_stats(st, t); break;
		case SK_TOP: run_top(st, t); break;
		case SK_SORT:
			sort_rows(t, st->keys, st->desc, st->nkeys);
			if (st->n > 0 && t->n > (size_t)st->n)
				keep_range(t, 0, (size_t)st->n);
			break;
		case SK_HEAD: keep_range(t, 0, (size_t)st->n); break;
		case SK_TAIL: keep_range(t, t->n > (size_t)st->n ? t->n - (size_t)st->n : 0, (size_t)st->n); break;
		case SK_DEDUP: run_dedup(st, t); break;
		case SK_TABLE: run_table(st, t); break;
		}
	}
}

int query_run(struct store *s, const struct query *q, const struct query_limits *lim,
	      struct query_result *out, struct irk_err *err)
{
	struct table t = { 0 };
	struct reader rd = { q, &t };
	struct sq_limits sl = { lim ? lim->time_ms : 0, lim ? lim->rows : 0 };
	int why = SQ_DONE, rc;
	int *keep, nkeep = 0;

	memset(out, 0, sizeof *out);
	t.width = q->raw_width;
	rc = store_query_run(s, &q->plan, &sl, read_row, &rd, &why, NULL, err);
	if (rc) {
		table_clear(&t);
		return rc;
	}
	out->limit = why == SQ_TIME_LIMIT ? QUERY_TIME_LIMIT : why == SQ_ROW_LIMIT ? QUERY_ROW_LIMIT : 0;
	run_stages(q, &t);
	/* The named columns, in order. */
	keep = xcalloc((size_t)q->ncols + 1, sizeof *keep);
	for (int i = 0; i < q->ncols && i < t.width; i++)
		if (q->cols[i][0])
			keep[nkeep++] = i;
	out->cols = xcalloc((size_t)nkeep + 1, sizeof *out->cols);
	for (int i = 0; i < nkeep; i++)
		out->cols[i] = xstrdup(q->cols[keep[i]]);
	out->ncols = nkeep;
	out->rows = xcalloc(t.n + 1, sizeof *out->rows);
	for (size_t i = 0; i < t.n; i++) {
		struct query_value *row = xcalloc((size_t)nkeep + 1, sizeof *row);

		for (int k = 0; k < nkeep; k++) {
			row[k] = t.rows[i][keep[k]];
			memset(&t.rows[i][keep[k]], 0, sizeof row[k]);
		}
		out->rows[i] = row;
	}
	out->nrows = out->cap = t.n;
	free(keep);
	table_clear(&t);
	return IRK_OK;
}

void query_result_free(struct query_result *r)
{
	for (size_t i = 0; i < r->nrows; i++)
		row_free(r->rows[i], r->ncols);
	free(r->rows);
	for (int i = 0; i < r->ncols; i++)
		free(r->cols[i]);
	free(r->cols);
	memset(r, 0, sizeof *r);
}

char *query_sql(const struct query *q)
{
	struct strbuf sb = STRBUF_INIT;

	/* Written as the store writes it, not run. */
	if (store_query_sql(&q->plan, &sb))
		return NULL;
	return strbuf_detach(&sb);
}

int query_is_chart(const struct query *q)
{
	return q->chart;
}

const char *query_source_name(const struct query *q)
{
	return store_query_source_name(q->plan.source);
}

void query_fit_widths(int *w, int n, int cap, int width)
{
	int total = 0;

	for (int k = 0; k < n; k++) {
		if (w[k] > cap)
			w[k] = cap;
		total += w[k] + (k ? 2 : 0);
	}
	while (width > 0 && total > width && n > 0) {
		int widest = 0;

		for (int k = 1; k < n; k++)
			if (w[k] > w[widest])
				widest = k;
		if (w[widest] <= 4)
			break;
		w[widest]--;
		total--;
	}
}

static void json_value(struct jsonw *w, const struct query_value *v)
{
	char buf[32];

	switch (v->type) {
	case EXPR_NUM:
		if (isnan(v->num) || isinf(v->num))
			jsonw_null(w);
		else
			jsonw_raw(w, query_value_text(v, buf, sizeof buf));
		break;
	case EXPR_STR: jsonw_str(w, v->str); break;
	case EXPR_BOOL: jsonw_bool(w, v->boolean); break;
	default: jsonw_null(w); break;
	}
}

void query_result_json(const struct query_result *r, struct jsonw *w)
{
	jsonw_arr_begin(w);
	for (size_t i = 0; i < r->nrows; i++) {
		jsonw_obj_begin(w);
		for (int k = 0; k < r->ncols; k++) {
			jsonw_key(w, r->cols[k]);
			json_value(w, &r->rows[i][k]);
		}
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void csv_quoted(struct strbuf *out, const char *s);

/* One cell, sanitized (a CSV read on a terminal shows an escape sequence
 * as \x1b, never runs it; --json is the lossless form), quoted when it
 * needs to be. */
static void csv_cell(struct strbuf *out, const char *raw)
{
	char *s = sanitize_dup(raw, 0);

	csv_quoted(out, s);
	free(s);
}

static void csv_quoted(struct strbuf *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		strbuf_puts(out, s);
		return;
	}
	strbuf_addc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addc(out, '"');
		strbuf_addc(out, *s);
	}
	strbuf_addc(out, '"');
}

void query_result_csv(const struct query_result *r, struct strbuf *out)
{
	char buf[32];

	for (int k = 0; k < r->ncols; k++) {
		if (k)
			strbuf_addc(out, ',');
		csv_cell(out, r->cols[k]);
	}
	strbuf_puts(out, "\r\n");
	for (size_t i = 0; i < r->nrows; i++) {
		for (int k = 0; k < r->ncols; k++) {
			if (k)
				strbuf_addc(out, ',');
			csv_cell(out, query_value_text(&r->rows[i][k], buf, sizeof buf));
		}
		strbuf_puts(out, "\r\n");
	}
}

int query_save(struct store *s, const char *name, const char *text, const char *actor,
	       struct irk_err *err)
{
	struct query_error qe;
	struct query *q;
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	size_t n = name ? strlen(name) : 0;
	int rc;

	if (!n || n > 64 || name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789_-")])
		return irk_fail(err, IRK_INVALID, "a saved query's name is 1 to 64 letters, digits, "
				"'_' or '-'");
	if (!(q = query_parse(text, irk_now(), &qe)))
		return irk_fail(err, IRK_INVALID, "%s", qe.msg);
	query_free(&q);
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "name", name);
	jsonw_kv_str(&w, "query", text);
	jsonw_obj_end(&w);
	if ((rc = store_begin(s, err)))
		goto out;
	if ((rc = store_query_save(s, name, text, actor, irk_now(), err)) ||
	    (rc = audit_append(s, actor, 0, "query.save", strbuf_str(&js), NULL, err)) ||
	    (rc = store_commit(s, err)))
		store_rollback(s);
out:
	strbuf_free(&js);
	return rc;
}
