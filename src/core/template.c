/* template.c: parse `{{field}}` templates into text and field segments once;
 * expansion is then a walk that appends. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/template.h"

enum seg_kind { SEG_TEXT, SEG_FIELD };

struct seg {
	int kind;
	char *text;             /* SEG_TEXT: the bytes; SEG_FIELD: the name */
	size_t len;
	int offset;             /* SEG_FIELD: where the name starts in src */
};

struct tmpl {
	char *src;              /* kept for positions in expansion errors */
	struct seg *segs;
	int nsegs;
};

static void tmpl_add(struct tmpl *t, int kind, const char *s, size_t n, int off)
{
	struct seg *g;

	/* Adjacent text (a literal `{{'{{'}}` between two runs) is one segment. */
	if (kind == SEG_TEXT && t->nsegs && t->segs[t->nsegs - 1].kind == SEG_TEXT) {
		g = &t->segs[t->nsegs - 1];
		g->text = xrealloc(g->text, g->len + n + 1);
		memcpy(g->text + g->len, s, n);
		g->len += n;
		g->text[g->len] = '\0';
		return;
	}
	t->segs = xrealloc(t->segs, (size_t)(t->nsegs + 1) * sizeof *t->segs);
	g = &t->segs[t->nsegs++];
	memset(g, 0, sizeof *g);
	g->kind = kind;
	g->text = xstrndup(s, n);
	g->len = n;
	g->offset = off;
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

/* Parse the `{{ ... }}` whose `{{` is at src[open] into t. Returns the
 * offset just past its `}}`, or 0 on error (err filled). */
static size_t parse_braces(struct tmpl *t, const char *src, size_t open, struct expr_error *err)
{
	size_t i = skip_space(src, open + 2), n;

	if (!strstr(src + open + 2, "}}")) {
		tmpl_fail(err, src, open, "unterminated '{{'");
		return 0;
	}
	if (src[i] == '\'' || src[i] == '"') {
		struct strbuf lit = STRBUF_INIT;
		const char *why;

		if (expr_unquote(src + i, &lit, &n, &why) < 0) {
			tmpl_fail(err, src, i + n, "%s", why);
			strbuf_free(&lit);
			return 0;
		}
		tmpl_add(t, SEG_TEXT, strbuf_str(&lit), lit.len, (int)i);
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
		tmpl_add(t, SEG_FIELD, src + i, n, (int)i);
		i += n;
	}
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

int tmpl_expand(const struct tmpl *t, expr_lookup_fn fn, void *ctx,
	struct strbuf *out, struct irk_err *err)
{
	size_t mark = out->len;

	strbuf_add(out, "", 0);
	for (int i = 0; t && i < t->nsegs; i++) {
		const struct seg *g = &t->segs[i];
		struct expr_value v = { EXPR_NULL, NULL, 0, 0 };
		char buf[32];
		const char *text;
		int line, col, found;

		if (g->kind == SEG_TEXT) {
			strbuf_add(out, g->text, g->len);
			continue;
		}
		found = fn && fn(ctx, g->text, &v) == 0;
		if (found && (v.type != EXPR_STR || v.str)) {
			text = expr_value_text(&v, buf, sizeof buf);
			if (text) {
				strbuf_puts(out, text);
				continue;
			}
		}
		out->len = mark;
		out->buf[mark] = '\0';
		expr_position(t->src, g->offset, &line, &col);
		return irk_fail(err, IRK_NOTFOUND, "%s field '%s' at %d:%d",
			found ? "null" : "unknown", g->text, line, col);
	}
	return IRK_OK;
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

void tmpl_each_var(const struct tmpl *t, expr_var_fn fn, void *arg)
{
	for (int i = 0; t && fn && i < t->nsegs; i++)
		if (t->segs[i].kind == SEG_FIELD)
			fn(t->segs[i].text, t->segs[i].offset, arg);
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
	for (int i = 0; i < (*t)->nsegs; i++)
		free((*t)->segs[i].text);
	free((*t)->segs);
	free((*t)->src);
	free(*t);
	*t = NULL;
}
