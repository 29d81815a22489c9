/* calc.c: the tokens of query commands, and eval's calculations:
 * arithmetic, comparisons, `&&` `||` `!`, string and number functions,
 * `if` and `coalesce`, over the cells of one row. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "irk/guess.h"
#include "irk/sanitize.h"

void query_fail(struct query_error *err, const char *src, size_t off, const char *fmt, ...)
{
	char what[240];
	va_list ap;
	int line, col;

	if (!err || err->msg[0])
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	expr_position(src, (int)off, &line, &col);
	err->offset = (int)off;
	err->line = line;
	err->col = col;
	snprintf(err->msg, sizeof err->msg, "query:%d:%d: %s", line, col, what);
}

/* ---- tokens ---- */

void qlex_init(struct qlex *lx, const char *src, size_t start, size_t end)
{
	memset(lx, 0, sizeof *lx);
	lx->src = src;
	lx->pos = start;
	lx->end = end;
	qlex_next(lx);
}

void qlex_free(struct qlex *lx)
{
	strbuf_free(&lx->text);
}

void qlex_next(struct qlex *lx)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "&&", "||", "=", "<", ">",
		",", "(", ")", "+", "-", "*", "/", "%", "!", "~" };
	const char *s = lx->src;
	size_t p = lx->pos;

	while (p < lx->end && isspace((unsigned char)s[p]))
		p++;
	lx->off = p;
	strbuf_reset(&lx->text);
	lx->unit = 0;
	if (p >= lx->end) {
		lx->type = QT_END;
		lx->len = 0;
		lx->pos = p;
		return;
	}
	if (isalpha((unsigned char)s[p]) || s[p] == '_') {
		size_t n = expr_scan_name(s + p);

		if (p + n > lx->end)
			n = lx->end - p;
		strbuf_add(&lx->text, s + p, n);
		lx->type = QT_WORD;
		lx->len = n;
		lx->pos = p + n;
		return;
	}
	if (isdigit((unsigned char)s[p])) {
		size_t q = p;
		double v = 0, div = 1;

		while (q < lx->end && isdigit((unsigned char)s[q]))
			v = v * 10 + (s[q++] - '0');
		if (q + 1 < lx->end && s[q] == '.' && isdigit((unsigned char)s[q + 1])) {
			q++;
			while (q < lx->end && isdigit((unsigned char)s[q])) {
				v = v * 10 + (s[q++] - '0');
				div *= 10;
			}
		}
		lx->num = v / div;
		while (q < lx->end && isalpha((unsigned char)s[q])) {
			q++;
			lx->unit = 1;
		}
		strbuf_add(&lx->text, s + p, q - p);
		lx->type = QT_NUM;
		lx->len = q - p;
		lx->pos = q;
		return;
	}
	if (s[p] == '"' || s[p] == '\'') {
		size_t e;
		const char *why;

		if (expr_unquote(s + p, &lx->text, &e, &why) < 0 || p + e > lx->end) {
			lx->type = QT_BAD;
			lx->why = "unterminated string";
			lx->len = 1;
			return;
		}
		lx->type = QT_STR;
		lx->len = e;
		lx->pos = p + e;
		return;
	}
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		size_t n = strlen(ops[k]);

		if (p + n <= lx->end && !strncmp(s + p, ops[k], n)) {
			memcpy(lx->op, ops[k], n + 1);
			lx->type = QT_OP;
			lx->len = n;
			lx->pos = p + n;
			return;
		}
	}
	lx->type = QT_BAD;
	lx->why = "unexpected character";
	lx->len = 1;
}

int qlex_op(const struct qlex *lx, const char *op)
{
	return lx->type == QT_OP && !strcmp(lx->op, op);
}

int qlex_word(const struct qlex *lx, const char *w)
{
	return lx->type == QT_WORD && !strcmp(lx->text.buf ? lx->text.buf : "", w);
}

/* ---- cells ---- */

void query_value_clear(struct query_value *v)
{
	free(v->str);
	memset(v, 0, sizeof *v);
}

void query_value_copy(struct query_value *dst, const struct query_value *src)
{
	*dst = *src;
	dst->str = src->type == EXPR_STR && src->str ? xstrdup(src->str) : NULL;
	if (src->type == EXPR_STR && !src->str)
		dst->type = EXPR_NULL;
}

void query_value_expr(const struct query_value *v, struct expr_value *out)
{
	switch (v->type) {
	case EXPR_NUM: expr_value_set_num(out, v->num); break;
	case EXPR_STR: expr_value_set_str(out, v->str); break;
	case EXPR_BOOL: expr_value_set_bool(out, v->boolean); break;
	default: out->type = EXPR_NULL; break;
	}
}

int query_bar_len(double v, double max, int room)
{
	int n;

	if (!(max > 0) || !(v > 0))
		return 0;
	n = (int)(v / max * room + 0.5);
	return n < 1 ? 1 : n > room ? room : n;
}

const char *query_value_text(const struct query_value *v, char *buf, size_t n)
{
	struct expr_value e;
	const char *t;

	query_value_expr(v, &e);
	t = expr_value_text(&e, buf, n);
	return t ? t : "";
}

/* -?[0-9]+(\.[0-9]+)? as a whole string: the numbers of expr.h. */
static int text_number(const char *s, double *out)
{
	const char *p = s;
	char *end;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return 0;
	*out = strtod(s, &end);
	return 1;
}

int query_value_num(const struct query_value *v, double *out)
{
	if (v->type == EXPR_NUM) {
		*out = v->num;
		return 1;
	}
	if (v->type == EXPR_STR && v->str)
		return text_number(v->str, out);
	return 0;
}

int query_value_cmp(const struct query_value *a, const struct query_value *b)
{
	int na = a->type == EXPR_NULL, nb = b->type == EXPR_NULL;
	int sa = a->type == EXPR_STR, sb = b->type == EXPR_STR;

	if (na || nb)
		return na - nb;
	if (sa != sb)
		return sa - sb;         /* numbers (and bools) first */
	if (sa)
		return strcmp(a->str, b->str);
	{
		double x = a->type == EXPR_BOOL ? a->boolean : a->num;
		double y = b->type == EXPR_BOOL ? b->boolean : b->num;

		return x < y ? -1 : x > y;
	}
}

/* ---- calculations ---- */

enum calc_op { C_LIT, C_COL, C_NOW, C_NEG, C_NOT, C_ADD, C_SUB, C_MUL, C_DIV, C_MOD,
	C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_AND, C_OR, C_CALL };

enum calc_fn { F_IF, F_COALESCE, F_LOWER, F_UPPER, F_LEN, F_SUBSTR, F_ROUND, F_ABS, F_FLOOR,
	F_CEIL, F_TOSTRING, F_TONUMBER, F_ISNULL, F_ISNOTNULL };

static const struct {
	const char *name;
	int min, max;
} fns[] = {
	[F_IF] = { "if", 3, 3 }, [F_COALESCE] = { "coalesce", 1, 16 },
	[F_LOWER] = { "lower", 1, 1 }, [F_UPPER] = { "upper", 1, 1 }, [F_LEN] = { "len", 1, 1 },
	[F_SUBSTR] = { "substr", 2, 3 }, [F_ROUND] = { "round", 1, 2 }, [F_ABS] = { "abs", 1, 1 },
	[F_FLOOR] = { "floor", 1, 1 }, [F_CEIL] = { "ceil", 1, 1 },
	[F_TOSTRING] = { "tostring", 1, 1 }, [F_TONUMBER] = { "tonumber", 1, 1 },
	[F_ISNULL] = { "isnull", 1, 1 }, [F_ISNOTNULL] = { "isnotnull", 1, 1 },
};

struct calc {
	int op;
	int fn;                 /* C_CALL */
	int col;                /* C_COL */
	struct query_value lit; /* C_LIT */
	struct calc **kids;
	int nkids;
};

struct cparse {
	struct qlex *lx;
	calc_resolve_fn resolve;
	void *arg;
	struct query_error *err;
	int depth;
};

void calc_free(struct calc *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nkids; i++)
		calc_free(c->kids[i]);
	free(c->kids);
	query_value_clear(&c->lit);
	free(c);
}

static struct calc *node(int op)
{
	struct calc *c = xcalloc(1, sizeof *c);

	c->op = op;
	return c;
}

static void add_kid(struct calc *c, struct calc *k)
{
	c->kids = xrealloc(c->kids, (size_t)(c->nkids + 1) * sizeof *c->kids);
	c->kids[c->nkids++] = k;
}

static struct calc *binary(int op, struct calc *a, struct calc *b)
{
	struct calc *c = node(op);

	add_kid(c, a);
	add_kid(c, b);
	return c;
}

static struct calc *p_or(struct cparse *p);

static void unexpected(struct cparse *p, const char *what)
{
	struct qlex *lx = p->lx;

	if (lx->type == QT_BAD)
		query_fail(p->err, lx->src, lx->off, "%s", lx->why);
	else if (lx->type == QT_END)
		query_fail(p->err, lx->src, lx->off, "expected %s, found the end", what);
	else
		query_fail(p->err, lx->src, lx->off, "expected %s, found '%.*s'", what,
			   (int)(lx->len > 30 ? 30 : lx->len), lx->src + lx->off);
}

static struct calc *p_primary(struct cparse *p)
{
	struct qlex *lx = p->lx;
	struct calc *c;

	if (++p->depth > 64) {
		query_fail(p->err, lx->src, lx->off, "calculation nested too deep");
		return NULL;
	}
	if (lx->type == QT_NUM && !lx->unit) {
		c = node(C_LIT);
		c->lit.type = EXPR_NUM;
		c->lit.num = lx->num;
		qlex_next(lx);
		return c;
	}
	if (lx->type == QT_STR) {
		c = node(C_LIT);
		c->lit.type = EXPR_STR;
		c->lit.str = xstrdup(strbuf_str(&lx->text));
		qlex_next(lx);
		return c;
	}
	if (qlex_op(lx, "(")) {
		qlex_next(lx);
		if (!(c = p_or(p)))
			return NULL;
		if (!qlex_op(lx, ")")) {
			unexpected(p, "')'");
			calc_free(c);
			return NULL;
		}
		qlex_next(lx);
		return c;
	}
	if (lx->type == QT_WORD) {
		const char *w = strbuf_str(&lx->text);
		size_t off = lx->off;

		if (!strcmp(w, "true") || !strcmp(w, "false")) {
			c = node(C_LIT);
			c->lit.type = EXPR_BOOL;
			c->lit.boolean = w[0] == 't';
			qlex_next(lx);
			return c;
		}
		if (!strcmp(w, "null")) {
			qlex_next(lx);
			return node(C_LIT);
		}
		if (!strcmp(w, "now")) {
			qlex_next(lx);
			return node(C_NOW);
		}
		{
			char *name = xstrdup(w);

			qlex_next(lx);
			if (qlex_op(lx, "(")) {
				struct guess g;
				size_t k;

				guess_init(&g, name);
				for (k = 0; k < sizeof fns / sizeof fns[0]; k++) {
					if (!strcmp(fns[k].name, name))
						break;
					guess_consider(&g, "", fns[k].name);
				}
				if (k == sizeof fns / sizeof fns[0]) {
					const char *b = guess_best(&g);

					if (b)
						query_fail(p->err, lx->src, off, "unknown function '%s' (did you mean '%s'?)", name, b);
					else
						query_fail(p->err, lx->src, off, "unknown function '%s'", name);
					free(name);
					return NULL;
				}
				free(name);
				c = node(C_CALL);
				c->fn = (int)k;
				qlex_next(lx);
				while (!qlex_op(lx, ")")) {
					struct calc *a = p_or(p);

					if (!a) {
						calc_free(c);
						return NULL;
					}
					add_kid(c, a);
					if (qlex_op(lx, ","))
						qlex_next(lx);
					else if (!qlex_op(lx, ")")) {
						unexpected(p, "',' or ')'");
						calc_free(c);
						return NULL;
					}
				}
				qlex_next(lx);
				if (c->nkids < fns[k].min || c->nkids > fns[k].max) {
					query_fail(p->err, lx->src, off, "%s() takes %d%s%d arguments, not %d",
						   fns[k].name, fns[k].min, fns[k].max > fns[k].min ? " to " : "",
						   fns[k].max > fns[k].min ? fns[k].max : 0, c->nkids);
					if (fns[k].max == fns[k].min) {
						p->err->msg[0] = '\0';
						query_fail(p->err, lx->src, off, "%s() takes %d argument%s, not %d",
							   fns[k].name, fns[k].min, fns[k].min == 1 ? "" : "s", c->nkids);
					}
					calc_free(c);
					return NULL;
				}
				return c;
			}
			c = node(C_COL);
			c->col = p->resolve(p->arg, name, (int)off);
			free(name);
			if (c->col < 0) {
				calc_free(c);
				return NULL;
			}
			return c;
		}
	}
	unexpected(p, "a value, a field or '('");
	return NULL;
}

static struct calc *p_unary(struct cparse *p)
{
	struct qlex *lx = p->lx;
	int op = qlex_op(lx, "-") ? C_NEG : (qlex_op(lx, "!") || qlex_word(lx, "not")) ? C_NOT : -1;
	struct calc *k, *c;

	if (op < 0)
		return p_primary(p);
	if (++p->depth > 64) {
		query_fail(p->err, lx->src, lx->off, "calculation nested too deep");
		return NULL;
	}
	qlex_next(lx);
	if (!(k = p_unary(p)))
		return NULL;
	c = node(op);
	add_kid(c, k);
	return c;
}

static struct calc *p_chain(struct cparse *p, int level);

/* Levels, loosest first: || && comparison + - * / %. */
static const struct {
	const char *ops[6];
	int codes[6];
	int once;               /* comparisons do not chain */
} levels[] = {
	{ { "||", "or", NULL }, { C_OR, C_OR }, 0 },
	{ { "&&", "and", NULL }, { C_AND, C_AND }, 0 },
	{ { "==", "=", "!=", "<=", ">=", "<" }, { C_EQ, C_EQ, C_NE, C_LE, C_GE, C_LT }, 1 },
	{ { "+", "-", NULL }, { C_ADD, C_SUB }, 0 },
	{ { "*", "/", "%", NULL }, { C_MUL, C_DIV, C_MOD }, 0 },
};

static int level_op(struct qlex *lx, int level)
{
	if (level == 2 && qlex_op(lx, ">"))
		return C_GT;
	for (int i = 0; i < 6 && levels[level].ops[i]; i++)
		if (qlex_op(lx, levels[level].ops[i]) || qlex_word(lx, levels[level].ops[i]))
			return levels[level].codes[i];
	return -1;
}

static struct calc *p_chain(struct cparse *p, int level)
{
	struct calc *a;
	int op;

	if (level == 5)
		return p_unary(p);
	if (!(a = p_chain(p, level + 1)))
		return NULL;
	while ((op = level_op(p->lx, level)) >= 0) {
		struct calc *b;

		qlex_next(p->lx);
		if (!(b = p_chain(p, level + 1))) {
			calc_free(a);
			return NULL;
		}
		a = binary(op, a, b);
		if (levels[level].once)
			break;
	}
	return a;
}

static struct calc *p_or(struct cparse *p)
{
	int depth = p->depth;
	struct calc *c = p_chain(p, 0);

	p->depth = depth;
	return c;
}

struct calc *calc_parse(struct qlex *lx, calc_resolve_fn fn, void *arg, struct query_error *err)
{
	struct cparse p = { lx, fn, arg, err, 0 };
	struct calc *c = p_or(&p);

	if (c && !(lx->type == QT_END || qlex_op(lx, ","))) {
		unexpected(&p, "an operator, ',' or '|'");
		calc_free(c);
		return NULL;
	}
	return c;
}

/* ---- evaluation ---- */

static int truthy(const struct query_value *v)
{
	switch (v->type) {
	case EXPR_BOOL: return v->boolean;
	case EXPR_NUM: return v->num == v->num && v->num != 0;
	case EXPR_STR: return v->str && v->str[0];
	}
	return 0;
}

static void set_num(struct query_value *v, double n)
{
	query_value_clear(v);
	if (isnan(n) || isinf(n))
		return;         /* missing */
	v->type = EXPR_NUM;
	v->num = n;
}

static void set_str(struct query_value *v, char *owned)
{
	query_value_clear(v);
	v->type = EXPR_STR;
	v->str = owned;
}

static void set_bool(struct query_value *v, int b)
{
	query_value_clear(v);
	v->type = EXPR_BOOL;
	v->boolean = !!b;
}

static void call(const struct calc *c, const struct query_value *row, int64_t now,
		 struct query_value *out)
{
	struct query_value a = { 0 }, b = { 0 };
	char buf[32];
	double x, y;

	switch (c->fn) {
	case F_IF:
		calc_eval(c->kids[0], row, now, &a);
		calc_eval(c->kids[truthy(&a) ? 1 : 2], row, now, out);
		break;
	case F_COALESCE:
		for (int i = 0; i < c->nkids; i++) {
			calc_eval(c->kids[i], row, now, out);
			if (out->type != EXPR_NULL && !(out->type == EXPR_STR && !out->str[0]))
				break;
			query_value_clear(out);
		}
		break;
	case F_LOWER:
	case F_UPPER:
		calc_eval(c->kids[0], row, now, &a);
		if (a.type != EXPR_NULL) {
			char *s = xstrdup(query_value_text(&a, buf, sizeof buf));

			for (char *q = s; *q; q++)
				*q = (char)(c->fn == F_LOWER ? tolower((unsigned char)*q) : toupper((unsigned char)*q));
			set_str(out, s);
		}
		break;
	case F_LEN:
		calc_eval(c->kids[0], row, now, &a);
		if (a.type != EXPR_NULL) {
			const char *s = query_value_text(&a, buf, sizeof buf);
			size_t n = 0;

			for (; *s; s++)
				n += ((unsigned char)*s & 0xc0) != 0x80;
			set_num(out, (double)n);
		}
		break;
	case F_SUBSTR:
		calc_eval(c->kids[0], row, now, &a);
		calc_eval(c->kids[1], row, now, &b);
		if (a.type != EXPR_NULL && query_value_num(&b, &x)) {
			const char *s = query_value_text(&a, buf, sizeof buf);
			size_t len = strlen(s), start = x <= 1 ? 0 : x - 1 > (double)len ? len : (size_t)(x - 1);
			size_t n = len - start;

			if (c->nkids == 3) {
				struct query_value l = { 0 };

				calc_eval(c->kids[2], row, now, &l);
				if (!query_value_num(&l, &y) || y < 0)
					y = 0;
				if (y < (double)n)
					n = (size_t)y;
				query_value_clear(&l);
			}
			set_str(out, xstrndup(s + start, n));
		}
		break;
	case F_ROUND:
	case F_ABS:
	case F_FLOOR:
	case F_CEIL:
	case F_TONUMBER:
		calc_eval(c->kids[0], row, now, &a);
		if (!query_value_num(&a, &x))
			break;
		if (c->fn == F_ROUND) {
			double m = 1;

			if (c->nkids == 2) {
				calc_eval(c->kids[1], row, now, &b);
				if (query_value_num(&b, &y) && y > 0 && y < 15)
					m = pow(10, floor(y));
			}
			x = round(x * m) / m;
		} else if (c->fn == F_ABS) {
			x = fabs(x);
		} else if (c->fn == F_FLOOR) {
			x = floor(x);
		} else if (c->fn == F_CEIL) {
			x = ceil(x);
		}
		set_num(out, x);
		break;
	case F_TOSTRING:
		calc_eval(c->kids[0], row, now, &a);
		if (a.type != EXPR_NULL)
			set_str(out, xstrdup(query_value_text(&a, buf, sizeof buf)));
		break;
	case F_ISNULL:
	case F_ISNOTNULL:
		calc_eval(c->kids[0], row, now, &a);
		set_bool(out, (a.type == EXPR_NULL) == (c->fn == F_ISNULL));
		break;
	}
	query_value_clear(&a);
	query_value_clear(&b);
}

void calc_eval(const struct calc *c, const struct query_value *row, int64_t now,
	       struct query_value *out)
{
	struct query_value a = { 0 }, b = { 0 };
	char ba[32], bb[32];
	double x, y;
	int r;

	memset(out, 0, sizeof *out);
	switch (c->op) {
	case C_LIT:
		query_value_copy(out, &c->lit);
		return;
	case C_COL:
		query_value_copy(out, &row[c->col]);
		return;
	case C_NOW:
		set_num(out, (double)now);
		return;
	case C_CALL:
		call(c, row, now, out);
		return;
	case C_NEG:
		calc_eval(c->kids[0], row, now, &a);
		if (query_value_num(&a, &x))
			set_num(out, -x);
		break;
	case C_NOT:
		calc_eval(c->kids[0], row, now, &a);
		set_bool(out, !truthy(&a));
		break;
	case C_AND:
	case C_OR:
		calc_eval(c->kids[0], row, now, &a);
		r = truthy(&a);
		if (r == (c->op == C_AND)) {
			calc_eval(c->kids[1], row, now, &b);
			r = truthy(&b);
		}
		set_bool(out, r);
		break;
	default:
		calc_eval(c->kids[0], row, now, &a);
		calc_eval(c->kids[1], row, now, &b);
		if (c->op >= C_EQ) {
			/* Missing equals only missing; numbers compare as numbers,
			 * anything else by its text. */
			if (a.type == EXPR_NULL || b.type == EXPR_NULL) {
				r = a.type == b.type ? 0 : 2;
			} else if (query_value_num(&a, &x) && query_value_num(&b, &y)) {
				r = x < y ? -1 : x > y;
			} else {
				r = strcmp(query_value_text(&a, ba, sizeof ba), query_value_text(&b, bb, sizeof bb));
				r = r < 0 ? -1 : r > 0;
			}
			switch (c->op) {
			case C_EQ: set_bool(out, r == 0); break;
			case C_NE: set_bool(out, r != 0); break;
			case C_LT: set_bool(out, r == -1); break;
			case C_LE: set_bool(out, r == -1 || r == 0); break;
			case C_GT: set_bool(out, r == 1); break;
			case C_GE: set_bool(out, r == 1 || r == 0); break;
			}
			if (r == 2 && c->op != C_NE)
				set_bool(out, 0);
			break;
		}
		if (query_value_num(&a, &x) && query_value_num(&b, &y)) {
			switch (c->op) {
			case C_ADD: set_num(out, x + y); break;
			case C_SUB: set_num(out, x - y); break;
			case C_MUL: set_num(out, x * y); break;
			case C_DIV: if (y != 0) set_num(out, x / y); break;
			case C_MOD: if (y != 0) set_num(out, fmod(x, y)); break;
			}
		} else if (c->op == C_ADD && a.type != EXPR_NULL && b.type != EXPR_NULL) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_puts(&sb, query_value_text(&a, ba, sizeof ba));
			strbuf_puts(&sb, query_value_text(&b, bb, sizeof bb));
			set_str(out, strbuf_detach(&sb));
		}
		break;
	}
	query_value_clear(&a);
	query_value_clear(&b);
}
