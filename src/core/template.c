/* template.c: parse `{{field | filter}}` templates into text and value
 * segments once; expansion is then a walk that appends. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/template.h"

enum seg_kind { SEG_TEXT, SEG_FIELD, SEG_LIT };

/* The filters, in the order irk-play(5) lists them: name, and the least
 * and most arguments each takes. */
#define TMPL_FILTERS(X) \
	X(F_DEFAULT, "default", 1, 1) \
	X(F_LOWER,   "lower",   0, 0) \
	X(F_UPPER,   "upper",   0, 0) \
	X(F_JOIN,    "join",    0, 1) \
	X(F_LEN,     "len",     0, 0) \
	X(F_JSON,    "json",    0, 0)

#define X_ENUM(e, n, lo, hi) e,
enum filter_op { TMPL_FILTERS(X_ENUM) F_COUNT };
#undef X_ENUM

static const struct {
	const char *name;
	int lo, hi;
} filter_ops[] = {
#define X_ROW(e, n, lo, hi) { n, lo, hi },
	TMPL_FILTERS(X_ROW)
#undef X_ROW
};

struct filter {
	int op;
	struct expr_value arg;  /* the argument, if any (str owned) */
	int nargs;
};

struct seg {
	int kind;
	char *text;             /* SEG_TEXT: the bytes; SEG_FIELD: the name; SEG_LIT: the string */
	size_t len;
	int offset;             /* SEG_FIELD: where the name starts in src */
	struct filter *f;
	int nf;
};

struct tmpl {
	char *src;              /* kept for positions in expansion errors */
	struct seg *segs;
	int nsegs;
};

static struct seg *tmpl_add(struct tmpl *t, int kind, const char *s, size_t n, int off)
{
	struct seg *g;

	/* Adjacent text (a literal `{{'{{'}}` between two runs) is one segment. */
	if (kind == SEG_TEXT && t->nsegs && t->segs[t->nsegs - 1].kind == SEG_TEXT) {
		g = &t->segs[t->nsegs - 1];
		g->text = xrealloc(g->text, g->len + n + 1);
		memcpy(g->text + g->len, s, n);
		g->len += n;
		g->text[g->len] = '\0';
		return g;
	}
	t->segs = xrealloc(t->segs, (size_t)(t->nsegs + 1) * sizeof *t->segs);
	g = &t->segs[t->nsegs++];
	memset(g, 0, sizeof *g);
	g->kind = kind;
	g->text = xstrndup(s, n);
	g->len = n;
	g->offset = off;
	return g;
}

static void tmpl_fail(struct expr_error *err, const char *src, size_t off,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void tmpl_fail(struct expr_error *err, const char *src, size_t off,
	const char *fmt, ...)
{
	char what[200];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err->offset = (int)off;
	expr_position(src, (int)off, &err->line, &err->col);
	snprintf(err->msg, sizeof err->msg, "%s at %d:%d", what, err->line, err->col);
}

static size_t skip_space(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	return i;
}

/* A literal argument at src[i] (a string or a number) into *v; returns its
 * length, or 0 with err filled. */
static size_t parse_arg(const char *src, size_t i, struct expr_value *v, struct expr_error *err)
{
	size_t n = 0;

	if (src[i] == '\'' || src[i] == '"') {
		struct strbuf lit = STRBUF_INIT;
		const char *why;

		if (expr_unquote(src + i, &lit, &n, &why) < 0) {
			tmpl_fail(err, src, i + n, "%s", why);
			strbuf_free(&lit);
			return 0;
		}
		expr_value_set_str(v, strbuf_detach(&lit));
		return n;
	}
	if (src[i] == '-')
		n++;
	while (src[i + n] >= '0' && src[i + n] <= '9')
		n++;
	if (src[i + n] == '.' && src[i + n + 1] >= '0' && src[i + n + 1] <= '9')
		for (n++; src[i + n] >= '0' && src[i + n] <= '9'; n++)
			;
	if (n == 0 || (n == 1 && src[i] == '-')) {
		tmpl_fail(err, src, i, "expected a string or a number");
		return 0;
	}
	expr_value_set_num(v, strtod(src + i, NULL));
	return n;
}

/* The filters after a value: `| name` or `| name(arg)`, each checked
 * against filter_ops. Returns the offset after the last, or 0 on error. */
static size_t parse_filters(struct seg *g, const char *src, size_t i, struct expr_error *err)
{
	for (i = skip_space(src, i); src[i] == '|'; i = skip_space(src, i)) {
		size_t at = skip_space(src, i + 1), n = 0;
		struct filter *f;
		int op;

		while ((src[at + n] >= 'a' && src[at + n] <= 'z') || src[at + n] == '_')
			n++;
		for (op = 0; op < F_COUNT; op++)
			if (strlen(filter_ops[op].name) == n && !strncmp(filter_ops[op].name, src + at, n))
				break;
		if (op == F_COUNT) {
			if (n)
				tmpl_fail(err, src, at, "unknown filter '%.*s' (filters: default, lower, "
					  "upper, join, len, json)", (int)(n > 40 ? 40 : n), src + at);
			else
				tmpl_fail(err, src, at, "expected a filter after '|' (default, lower, "
					  "upper, join, len, json)");
			return 0;
		}
		g->f = xrealloc(g->f, (size_t)(g->nf + 1) * sizeof *g->f);
		f = &g->f[g->nf++];
		memset(f, 0, sizeof *f);
		f->op = op;
		i = skip_space(src, at + n);
		if (src[i] == '(') {
			i = skip_space(src, i + 1);
			if (src[i] != ')') {
				size_t len = parse_arg(src, i, &f->arg, err);
				if (!len)
					return 0;
				f->nargs = 1;
				i = skip_space(src, i + len);
			}
			if (src[i] != ')') {
				tmpl_fail(err, src, i, src[i] == ',' ? "%s takes at most %d value" :
					  "expected ')' after the value of %s", filter_ops[op].name,
					  filter_ops[op].hi);
				return 0;
			}
			i++;
		}
		if (f->nargs < filter_ops[op].lo || f->nargs > filter_ops[op].hi) {
			tmpl_fail(err, src, at, f->nargs ? "%s takes no value" :
				  "%s needs a value: %s('n/a')", filter_ops[op].name, filter_ops[op].name);
			return 0;
		}
	}
	return i;
}

/* Parse the `{{ ... }}` whose `{{` is at src[open] into t. Returns the
 * offset just past its `}}`, or 0 on error (err filled). */
static size_t parse_braces(struct tmpl *t, const char *src, size_t open, struct expr_error *err)
{
	size_t i = skip_space(src, open + 2), n;
	struct seg *g;

	if (!strstr(src + open + 2, "}}")) {
		tmpl_fail(err, src, open, "unterminated '{{'");
		return 0;
	}
	if (src[i] == '\'' || src[i] == '"') {
		struct strbuf lit = STRBUF_INIT;
		const char *why;
		size_t after;

		if (expr_unquote(src + i, &lit, &n, &why) < 0) {
			tmpl_fail(err, src, i + n, "%s", why);
			strbuf_free(&lit);
			return 0;
		}
		after = skip_space(src, i + n);
		if (src[after] == '|')
			g = tmpl_add(t, SEG_LIT, strbuf_str(&lit), lit.len, (int)i);
		else
			g = tmpl_add(t, SEG_TEXT, strbuf_str(&lit), lit.len, (int)i);
		strbuf_free(&lit);
		i += n;
	} else {
		n = expr_scan_name(src + i);
		if (!n) {
			tmpl_fail(err, src, i, "expected a field name or a string after '{{'");
			return 0;
		}
		if (src[i + n] == '.') {
			tmpl_fail(err, src, i + n + 1, "expected a name after '.'");
			return 0;
		}
		g = tmpl_add(t, SEG_FIELD, src + i, n, (int)i);
		i += n;
	}
	if (g->kind != SEG_TEXT && !(i = parse_filters(g, src, i, err)))
		return 0;
	i = skip_space(src, i);
	if (src[i] != '}' || src[i + 1] != '}') {
		if (src[i])
			tmpl_fail(err, src, i, "expected '}}'");
		else
			tmpl_fail(err, src, open, "unterminated '{{'");
		return 0;
	}
	return i + 2;
}

struct tmpl *tmpl_parse(const char *src, struct expr_error *err)
{
	struct tmpl *t = xcalloc(1, sizeof *t);
	size_t i = 0, start = 0, len;

	if (err)
		memset(err, 0, sizeof *err);
	if (!src)
		src = "";
	len = strlen(src);
	if (len > TMPL_MAX_LEN) {
		tmpl_fail(err, src, TMPL_MAX_LEN, "template too long (more than %d bytes)", TMPL_MAX_LEN);
		tmpl_free(&t);
		return NULL;
	}
	while (src[i]) {
		size_t next;

		if (src[i] != '{' || src[i + 1] != '{') {
			i++;
			continue;
		}
		if (i > start)
			tmpl_add(t, SEG_TEXT, src + start, i - start, (int)start);
		next = parse_braces(t, src, i, err);
		if (!next) {
			tmpl_free(&t);
			return NULL;
		}
		i = start = next;
	}
	if (i > start)
		tmpl_add(t, SEG_TEXT, src + start, i - start, (int)start);
	t->src = xstrdup(src);
	return t;
}

/* A value on its way through the filters: missing, or a typed value whose
 * string, when it has one, is held in buf. */
struct fval {
	int present;
	enum expr_type type;    /* EXPR_STR, EXPR_NUM or EXPR_BOOL */
	double num;
	int boolean;
	int json;               /* buf already holds JSON text (after | json) */
	struct strbuf buf;
};

static void fval_set(struct fval *v, const struct expr_value *e)
{
	char nb[32];
	const char *text;

	strbuf_reset(&v->buf);
	v->json = 0;
	v->present = e->type != EXPR_NULL && (e->type != EXPR_STR || e->str);
	if (!v->present)
		return;
	v->type = e->type;
	v->num = e->num;
	v->boolean = e->boolean;
	if ((text = expr_value_text(e, nb, sizeof nb)))
		strbuf_puts(&v->buf, text);
}

static void fval_set_str(struct fval *v, struct strbuf *s)
{
	strbuf_free(&v->buf);
	v->buf = *s;
	memset(s, 0, sizeof *s);
	if (!v->buf.buf)
		strbuf_add(&v->buf, "", 0);
	v->type = EXPR_STR;
	v->json = 0;
}

/* A string holding a JSON array (as the field lookups give arrays): parsed
 * into d, 1; else 0. */
static int fval_list(const struct fval *v, struct jdoc *d)
{
	if (v->type != EXPR_STR || v->json || v->buf.len < 2 || v->buf.buf[0] != '[')
		return 0;
	jdoc_init(d);
	if (jdoc_parse(d, v->buf.buf, v->buf.len, NULL) || jdoc_type(d, 0) != JD_ARRAY) {
		jdoc_free(d);
		return 0;
	}
	return 1;
}

/* A string holding a JSON array or object (as the field lookups give
 * them): its text is JSON already. */
static int is_json_doc(const struct fval *v)
{
	struct jdoc d;
	int ok;

	if (v->type != EXPR_STR || v->buf.len < 2 || (v->buf.buf[0] != '[' && v->buf.buf[0] != '{'))
		return 0;
	jdoc_init(&d);
	ok = !jdoc_parse(&d, v->buf.buf, v->buf.len, NULL) &&
	     (jdoc_type(&d, 0) == JD_ARRAY || jdoc_type(&d, 0) == JD_OBJECT);
	jdoc_free(&d);
	return ok;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static void apply_filter(const struct filter *f, struct fval *v)
{
	struct strbuf s = STRBUF_INIT;
	struct jdoc d;

	if (f->op == F_DEFAULT) {
		if (!v->present || (v->type == EXPR_STR && !v->json && v->buf.len == 0))
			fval_set(v, &f->arg);
		return;
	}
	if (!v->present)
		return;
	switch (f->op) {
	case F_LOWER:
	case F_UPPER:
		for (size_t i = 0; i < v->buf.len; i++) {
			char c = v->buf.buf[i];
			if (f->op == F_LOWER && c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			else if (f->op == F_UPPER && c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			strbuf_addc(&s, c);
		}
		fval_set_str(v, &s);
		break;
	case F_JOIN:
		if (!fval_list(v, &d))
			break;
		for (int e = jdoc_first(&d, 0), k = 0; e >= 0; e = jdoc_next(&d, 0, e), k++) {
			size_t n;
			const char *x;

			if (k)
				strbuf_puts(&s, f->nargs ? f->arg.str ? f->arg.str : "" : ", ");
			if (jdoc_type(&d, e) == JD_STRING)
				strbuf_puts(&s, jdoc_str(&d, e));
			else if (jdoc_type(&d, e) == JD_ARRAY || jdoc_type(&d, e) == JD_OBJECT)
				jdoc_canonical(&d, e, &s);
			else if ((x = jdoc_scalar_text(&d, e, &n)))
				strbuf_add(&s, x, n);
		}
		jdoc_free(&d);
		fval_set_str(v, &s);
		break;
	case F_LEN: {
		struct expr_value n;
		double count;

		if (fval_list(v, &d)) {
			count = 0;
			for (int e = jdoc_first(&d, 0); e >= 0; e = jdoc_next(&d, 0, e))
				count++;
			jdoc_free(&d);
		} else {
			count = (double)utf8_chars(v->buf.buf, v->buf.len);
		}
		expr_value_set_num(&n, count);
		fval_set(v, &n);
		break;
	}
	case F_JSON:
		if (v->json)
			break;
		if (v->type == EXPR_STR && !is_json_doc(v)) {
			json_quote(&s, v->buf.buf, v->buf.len);
			fval_set_str(v, &s);
		}
		v->json = 1;
		break;
	}
	strbuf_free(&s);
}

/* Expand segment g into v: the field looked up (or the literal), then its
 * filters in order. */
static void seg_value(const struct seg *g, expr_lookup_fn fn, void *ctx, struct fval *v,
		      int *found)
{
	struct expr_value e = { EXPR_NULL, NULL, 0, 0 };

	if (g->kind == SEG_LIT)
		expr_value_set_str(&e, g->text);
	*found = g->kind == SEG_LIT || (fn && fn(ctx, g->text, &e) == 0);
	if (!*found)
		e.type = EXPR_NULL;
	fval_set(v, &e);
	for (int k = 0; k < g->nf; k++)
		apply_filter(&g->f[k], v);
}

static int tmpl_walk(const struct tmpl *t, expr_lookup_fn fn, void *ctx, struct strbuf *out,
		     struct irk_err *err, int mark)
{
	size_t start = out->len;
	struct fval v;
	int missing = 0;

	memset(&v, 0, sizeof v);
	strbuf_add(out, "", 0);
	for (int i = 0; t && i < t->nsegs; i++) {
		const struct seg *g = &t->segs[i];
		int line, col, found;

		if (g->kind == SEG_TEXT) {
			strbuf_add(out, g->text, g->len);
			continue;
		}
		seg_value(g, fn, ctx, &v, &found);
		if (v.present) {
			strbuf_add(out, v.buf.buf, v.buf.len);
			continue;
		}
		missing++;
		if (mark) {
			strbuf_printf(out, "[missing: %s]", g->text);
			continue;
		}
		strbuf_free(&v.buf);
		out->len = start;
		out->buf[start] = '\0';
		expr_position(t->src, g->offset, &line, &col);
		return irk_fail(err, IRK_NOTFOUND, "%s field '%s' at %d:%d",
			found ? "null" : "unknown", g->text, line, col);
	}
	strbuf_free(&v.buf);
	return mark ? missing : IRK_OK;
}

int tmpl_expand(const struct tmpl *t, expr_lookup_fn fn, void *ctx,
	struct strbuf *out, struct irk_err *err)
{
	return tmpl_walk(t, fn, ctx, out, err, 0);
}

int tmpl_expand_marked(const struct tmpl *t, expr_lookup_fn fn, void *ctx, struct strbuf *out)
{
	return tmpl_walk(t, fn, ctx, out, NULL, 1);
}

char *tmpl_render(const char *src, expr_lookup_fn fn, void *ctx, struct irk_err *err)
{
	struct expr_error perr;
	struct tmpl *t = tmpl_parse(src, &perr);
	struct strbuf out = STRBUF_INIT;

	if (!t) {
		irk_fail(err, IRK_INVALID, "%s", perr.msg);
		return NULL;
	}
	if (tmpl_expand(t, fn, ctx, &out, err) != IRK_OK) {
		strbuf_free(&out);
		tmpl_free(&t);
		return NULL;
	}
	tmpl_free(&t);
	return strbuf_detach(&out);
}

char *tmpl_render_marked(const char *src, expr_lookup_fn fn, void *ctx, int *missing)
{
	struct tmpl *t = tmpl_parse(src, NULL);
	struct strbuf out = STRBUF_INIT;
	int n = 0;

	if (!t)
		strbuf_puts(&out, src ? src : "");
	else
		n = tmpl_expand_marked(t, fn, ctx, &out);
	tmpl_free(&t);
	if (missing)
		*missing = n;
	return strbuf_detach(&out);
}

static int blank(const struct seg *g)
{
	for (size_t i = 0; i < g->len; i++)
		if (!strchr(" \t\r\n", g->text[i]))
			return 0;
	return 1;
}

int tmpl_is_json(const struct tmpl *t)
{
	int values = 0, json = 0;

	for (int i = 0; t && i < t->nsegs; i++) {
		const struct seg *g = &t->segs[i];
		if (g->kind == SEG_TEXT && !blank(g))
			return 0;
		if (g->kind != SEG_TEXT) {
			values++;
			json = g->nf && g->f[g->nf - 1].op == F_JSON;
		}
	}
	return values == 1 && json;
}

int tmpl_src_is_json(const char *src)
{
	struct tmpl *t = src && strstr(src, "json") ? tmpl_parse(src, NULL) : NULL;
	int yes = tmpl_is_json(t);

	tmpl_free(&t);
	return yes;
}

void tmpl_each_var(const struct tmpl *t, expr_var_fn fn, void *arg)
{
	for (int i = 0; t && fn && i < t->nsegs; i++)
		if (t->segs[i].kind == SEG_FIELD)
			fn(t->segs[i].text, t->segs[i].offset, arg);
}

int tmpl_var_defaulted(const struct tmpl *t, int offset)
{
	for (int i = 0; t && i < t->nsegs; i++) {
		if (t->segs[i].kind != SEG_FIELD || t->segs[i].offset != offset)
			continue;
		for (int k = 0; k < t->segs[i].nf; k++)
			if (t->segs[i].f[k].op == F_DEFAULT)
				return 1;
	}
	return 0;
}

int tmpl_is_constant(const struct tmpl *t)
{
	for (int i = 0; t && i < t->nsegs; i++)
		if (t->segs[i].kind == SEG_FIELD)
			return 0;
	return 1;
}

void tmpl_free(struct tmpl **t)
{
	if (!t || !*t)
		return;
	for (int i = 0; i < (*t)->nsegs; i++) {
		struct seg *g = &(*t)->segs[i];
		for (int k = 0; k < g->nf; k++)
			if (g->f[k].arg.type == EXPR_STR)
				free((char *)g->f[k].arg.str);
		free(g->f);
		free(g->text);
	}
	free((*t)->segs);
	free((*t)->src);
	free(*t);
	*t = NULL;
}
