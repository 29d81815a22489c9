/* play.c: parse and lint one play file (irk-play(5)).
 *
 * The file is read with jdoc, which keeps the byte offset of every token,
 * so each problem is reported where it is: a syntax error, a key of the
 * wrong type, a bad expression inside a string (the expression's own
 * offset is mapped back through the string's escapes), an unknown field in
 * a template. Lint goes on after an error so one run shows them all. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/clock.h"
#include "irk/expr.h"
#include "irk/identity.h"
#include "irk/incident.h"
#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/template.h"
#include "kind.h"
#include "play_impl.h"

/* ---- diagnostics -------------------------------------------------------- */

void play_diags_free(struct play_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

void play_diag_format(const struct play_diag *d, struct strbuf *out)
{
	/* About the whole file (it cannot be read, it is too large): no
	 * line and column to name. */
	if (!d->line)
		strbuf_printf(out, "%s: %s%s", d->file, d->warning ? "warning: " : "", d->msg);
	else
		strbuf_printf(out, "%s:%d:%d: %s%s", d->file, d->line, d->col,
			      d->warning ? "warning: " : "", d->msg);
}

void play_diags_add(struct play_diags *d, const char *file, int line, int col,
		      int warning, const char *msg)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = (struct play_diag){ xstrdup(file), line, col, warning, xstrdup(msg) };
	if (warning)
		d->warnings++;
	else
		d->errors++;
}

/* ---- the lint state ------------------------------------------------------- */

void lint_report(struct lint *l, size_t off, int warning, const char *fmt, ...)
{
	char msg[512];
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	expr_position(l->src, (int)off, &line, &col);
	play_diags_add(l->diags, l->path, line, col, warning, msg);
	if (!warning)
		l->errors++;
}

/* Where a value starts in the source: a string at its opening quote. */
size_t lint_pos(const struct lint *l, int tok)
{
	const struct jdoc_tok *t = &l->d.t[tok];

	return t->type == JD_STRING && t->off > 0 ? t->off - 1 : t->off;
}

/* The source offset of byte k of string tok's unescaped value: walk its
 * escapes in the source text. */
size_t lint_str_pos(const struct lint *l, int tok, size_t k)
{
	const char *s = l->src + l->d.t[tok].off;
	size_t i = 0, out = 0;

	while (out < k && s[i] && s[i] != '"') {
		if (s[i] != '\\') {
			i++;
			out++;
			continue;
		}
		if (s[i + 1] == 'u') {
			unsigned cp = (unsigned)strtoul((char[5]){ s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0 },
							NULL, 16);
			i += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF && s[i] == '\\' && s[i + 1] == 'u') {
				i += 6;
				out += 4;
			} else {
				out += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
			}
		} else {
			i += 2;
			out++;
		}
	}
	return l->d.t[tok].off + i;
}

static const char *type_name(int t)
{
	switch (t) {
	case JD_NULL: return "null";
	case JD_FALSE: case JD_TRUE: return "a boolean";
	case JD_NUMBER: return "a number";
	case JD_STRING: return "a string";
	case JD_ARRAY: return "an array";
	case JD_OBJECT: return "an object";
	}
	return "?";
}

const char *lint_key(const struct lint *l, int v)
{
	return jdoc_str(&l->d, lint_key_of(v));
}

/* Check the type of value v (of key); report and return -1 when wrong. */
int lint_want(struct lint *l, int v, int type, const char *what)
{
	int t = jdoc_type(&l->d, v);

	if (t == type || (type == JD_TRUE && t == JD_FALSE))
		return 0;
	lint_report(l, lint_pos(l, v), 0, "%s must be %s, not %s", what, type_name(type), type_name(t));
	return -1;
}

int lint_want_str(struct lint *l, int v, const char *what)
{
	if (lint_want(l, v, JD_STRING, what))
		return -1;
	if (!*jdoc_str(&l->d, v)) {
		lint_report(l, lint_pos(l, v), 0, "%s must not be empty", what);
		return -1;
	}
	return 0;
}

/* A whole number in [lo, hi], or a duration string ("90s", "5m") when
 * duration is set. */
int lint_want_int(struct lint *l, int v, const char *what, int64_t lo, int64_t hi,
		    int duration, int64_t *out)
{
	int64_t n;
	int t = jdoc_type(&l->d, v);

	if (duration && t == JD_STRING) {
		if (irk_duration_parse(jdoc_str(&l->d, v), &n)) {
			lint_report(l, lint_pos(l, v), 0, "%s: '%s' is not a duration (90s, 5m, 2h, 7d)",
				    what, jdoc_str(&l->d, v));
			return -1;
		}
	} else if (t != JD_NUMBER || jdoc_int(&l->d, v, &n)) {
		lint_report(l, lint_pos(l, v), 0, "%s must be a whole number%s", what,
			    duration ? " of seconds or a duration" : "");
		return -1;
	} else {
		double dv;
		if (!jdoc_double(&l->d, v, &dv) && dv != (double)n) {
			lint_report(l, lint_pos(l, v), 0, "%s must be a whole number", what);
			return -1;
		}
	}
	if (n < lo || n > hi) {
		lint_report(l, lint_pos(l, v), 0, "%s must be from %lld to %lld", what,
			    (long long)lo, (long long)hi);
		return -1;
	}
	if (out)
		*out = n;
	return 0;
}

/* Drop the " at L:C" an expression or template error ends with: lint puts
 * the position in front, in file terms. */
const char *lint_strip_at(char *msg, int line, int col)
{
	char tail[48];
	size_t n = strlen(msg), t;

	snprintf(tail, sizeof tail, " at %d:%d", line, col);
	t = strlen(tail);
	if (n > t && !strcmp(msg + n - t, tail))
		msg[n - t] = '\0';
	return msg;
}

struct var_check {
	struct lint *l;
	int tok;                  /* the string holding the expression */
	int at;                   /* step index, -1 for match */
	size_t base;              /* offset of the source inside the string */
	int secrets;              /* secret.NAME allowed (http headers, exec env) */
	const struct tmpl *t;     /* the template being checked, NULL for an expression */
};

/* Does the when of step at, or of a step it needs (at any depth), read
 * input name of step id (steps.ID.inputs.NAME or steps.ID.output.NAME)?
 * Then the author tests it before the step runs. */
static int input_guarded(struct lint *l, int at, const char *id, const char *name, int depth)
{
	struct jdoc *d = &l->d;
	int s, w, needs;

	if (at < 0 || depth > 64 || at >= l->p->nsteps)
		return 0;
	s = l->step_tok[at];
	if ((w = jdoc_get(d, s, "when")) >= 0 && jdoc_type(d, w) == JD_STRING) {
		char a[200], b[200];
		snprintf(a, sizeof a, "steps.%s.inputs.%s", id, name);
		snprintf(b, sizeof b, "steps.%s.output.%s", id, name);
		if (strstr(jdoc_str(d, w), a) || strstr(jdoc_str(d, w), b))
			return 1;
	}
	needs = jdoc_get(d, s, "needs");
	for (int e = jdoc_first(d, needs); e >= 0 && jdoc_type(d, needs) == JD_ARRAY;
	     e = jdoc_next(d, needs, e)) {
		int j = jdoc_type(d, e) == JD_STRING ? play_step_index(l->p, jdoc_str(d, e)) : -1;
		if (j >= 0 && j < at && input_guarded(l, j, id, name, depth + 1))
			return 1;
	}
	return 0;
}

/* A template reading an optional input of a manual step (its inputs, or
 * its output, which holds them) with no default: when the analyst leaves
 * it empty the value is missing and the step using it fails; unless a
 * when on the way tests it. */
static void check_optional(struct var_check *vc, const char *name, int offset, size_t pos)
{
	const struct play *p = vc->l->p;
	const struct play_input *pi;
	struct play_inputs in;
	const char *dot, *rest;
	char id[64];
	size_t len;
	int j;

	if (!vc->t || tmpl_var_defaulted(vc->t, offset) || strncmp(name, "steps.", 6) ||
	    !(dot = strchr(name + 6, '.')) || (len = (size_t)(dot - (name + 6))) >= sizeof id)
		return;
	memcpy(id, name + 6, len);
	id[len] = '\0';
	rest = dot + 1;
	if ((strncmp(rest, "inputs.", 7) && strncmp(rest, "output.", 7)) ||
	    (j = play_step_index(p, id)) < 0 || !step_kind_has(p->steps[j].kind, STEP_KIND_INPUTS))
		return;
	play_inputs_parse(&in, p->steps[j].def);
	if ((pi = play_inputs_find(&in, rest + 7)) && !pi->required &&
	    !input_guarded(vc->l, vc->at, id, rest + 7, 0))
		lint_report(vc->l, pos, 1, "%s is an optional input: when it is left empty this "
			    "template has no value (write {{%s | default('n/a')}})", name, name);
	play_inputs_free(&in);
}

static void check_var(const char *name, int offset, void *arg)
{
	struct var_check *vc = arg;
	char why[256];
	size_t pos = lint_str_pos(vc->l, vc->tok, vc->base + (size_t)offset);

	/* Secrets come from irk.conf [secrets] or $IRK_SECRET_NAME when the
	 * step runs; the engine keeps them out of everything it records, which
	 * it can only do where they go straight to the other side. */
	if (!strncmp(name, "secret.", 7)) {
		if (!vc->secrets)
			lint_report(vc->l, pos, 0, "%s: a secret may be used only in http headers and exec "
				    "env (never recorded)", name);
		else if (!name[7] || strchr(name + 7, '.'))
			lint_report(vc->l, pos, 0, "%s: write secret.NAME", name);
		return;
	}
	if (play_field_check(vc->l->p, vc->at, name, why, sizeof why))
		lint_report(vc->l, pos, 0, "%s", why);
	else
		check_optional(vc, name, offset, pos);
}

/* Does literal lit equal value (a choice) by the rules of `==`? Strings
 * bytewise, severity names by rank, numbers numerically. */
static int literal_is(const struct expr_value *lit, const char *value)
{
	char buf[32], *end;
	const char *text = expr_value_text(lit, buf, sizeof buf);
	double d;

	if (!text)
		return 0;
	if (!strcmp(text, value))
		return 1;
	if (lit->type == EXPR_STR && severity_parse(text) >= 0)
		return severity_parse(text) == severity_parse(value);
	if (lit->type == EXPR_NUM) {
		d = strtod(value, &end);
		return *value && !*end && d == lit->num;
	}
	return 0;
}

/* A `when` comparing a person's input with a value it cannot have (not
 * one of its choices, or not matching its pattern) never holds (or, with
 * !=, always does): the steps behind it would be skipped whatever the
 * analyst answered. steps.ID.output.NAME of a manual step is its input. */
static void check_literal(const struct expr_cmp *c, void *arg)
{
	struct var_check *vc = arg;
	const struct play *p = vc->l->p;
	const struct expr_value *lit = c->value;
	const char *name = c->field;
	int lit_off = c->offset;
	char id[64], buf[32];
	const char *dot, *rest, *text = expr_value_text(lit, buf, sizeof buf);
	const struct play_input *pi;
	struct play_inputs in;
	size_t len;
	int j;

	/* Only equality and membership say "the field takes this value". */
	if (strcmp(c->op, "==") && strcmp(c->op, "!=") && strcmp(c->op, "in"))
		return;
	if (strncmp(name, "steps.", 6) || !(dot = strchr(name + 6, '.')) || !text)
		return;
	len = (size_t)(dot - (name + 6));
	if (len >= sizeof id)
		return;
	memcpy(id, name + 6, len);
	id[len] = '\0';
	rest = dot + 1;
	if (strncmp(rest, "inputs.", 7) && strncmp(rest, "output.", 7))
		return;
	if ((j = play_step_index(p, id)) < 0 || j >= vc->at ||
	    !step_kind_has(p->steps[j].kind, STEP_KIND_INPUTS))
		return;
	play_inputs_parse(&in, p->steps[j].def);
	if ((pi = play_inputs_find(&in, rest + 7))) {
		int ok = !pi->nchoices && !pi->pattern;
		for (int k = 0; k < pi->nchoices && !ok; k++)
			ok = literal_is(lit, pi->choices[k]);
		if (pi->pattern && !pi->nchoices) {
			struct expr *e = play_pattern_compile(pi->pattern, NULL);
			ok = !e || play_pattern_match(e, text);
			expr_free(&e);
		}
		if (!ok && pi->nchoices) {
			struct strbuf names = STRBUF_INIT;
			play_input_choices(pi, &names);
			lint_report(vc->l, lint_str_pos(vc->l, vc->tok, (size_t)lit_off), 0,
				    "when: %s can never be '%s' (its choices: %s)", name, text,
				    strbuf_str(&names));
			strbuf_free(&names);
		} else if (!ok) {
			lint_report(vc->l, lint_str_pos(vc->l, vc->tok, (size_t)lit_off), 0,
				    "when: %s can never be '%s' (it must match %s)", name, text,
				    pi->pattern);
		}
	}
	play_inputs_free(&in);
}

/* The first count names of a vocabulary (model.h), "a, b, c" with last
 * before the last one, into buf. */
static const char *vocab_list(char *buf, size_t n, const char *(*name)(int), int count,
			      const char *last)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < count && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i == 0 ? "" :
					i == count - 1 ? last : ", ", name(i));
	return buf;
}

/* A severity or a stage compared with a word that is none: the
 * expression can never hold (`severity >= 'hihg'`, `incident.stage ==
 * 'Identifcation'`), so the play never matches or the step is always
 * skipped. An error, with the names and the nearest. */
static void check_enum_literal(const struct expr_cmp *c, void *arg)
{
	struct var_check *vc = arg;
	const char *name = c->field, *text;
	const char *(*names)(int);
	int count;
	const char *what = vc->at < 0 ? "match" : "when";
	struct strbuf list = STRBUF_INIT;
	struct guess g;
	int ok = 0;

	if (c->value->type != EXPR_STR || !(text = c->value->str))
		return;
	if (!strcmp(name, "severity") || !strcmp(name, "alert.severity") ||
	    !strcmp(name, "incident.severity")) {
		names = severity_name;
		count = SEV_COUNT;
		ok = severity_parse(text) >= 0;
	} else if (!strcmp(name, "incident.stage")) {
		if (strcmp(c->op, "==") && strcmp(c->op, "!=") && strcmp(c->op, "in"))
			return;
		names = stage_name;
		count = STAGE_COUNT;
		for (int i = 0; i < count && !ok; i++)
			ok = !strcmp(text, names(i));
	} else {
		return;
	}
	if (ok)
		return;
	guess_init(&g, text);
	for (int i = 0; i < count; i++) {
		guess_consider(&g, "", names(i));
		strbuf_printf(&list, "%s%s", i ? ", " : "", names(i));
	}
	if (guess_best(&g))
		lint_report(vc->l, lint_str_pos(vc->l, vc->tok, (size_t)c->offset), 0,
			    "%s: %s is never '%s' (did you mean '%s'? %s)", what, name, text,
			    guess_best(&g), strbuf_str(&list));
	else
		lint_report(vc->l, lint_str_pos(vc->l, vc->tok, (size_t)c->offset), 0,
			    "%s: %s is never '%s' (it is one of %s)", what, name, text, strbuf_str(&list));
	strbuf_free(&list);
}

/* A field that holds a number compared with a word: a number is never
 * equal to, less or greater than a string, so `score >= 'high'` is always
 * false and the step it guards never runs. An error. */
static void check_number_literal(const struct expr_cmp *c, void *arg)
{
	static const char *const numeric[] = {
		"score", "event_time", "alert.event_time", "incident.confidence", NULL,
	};
	struct var_check *vc = arg;
	const char *text;
	char *end;

	if (c->value->type != EXPR_STR || !(text = c->value->str) || !lint_in_list(numeric, c->field))
		return;
	strtod(text, &end);
	if (*text && !*end)
		return;            /* '80': compared as the number it spells */
	lint_report(vc->l, lint_str_pos(vc->l, vc->tok, (size_t)c->offset), 0,
		    "%s: %s is a number and '%s' a string: %s %s '%s' is never true",
		    vc->at < 0 ? "match" : "when", c->field, text, c->field, c->op, text);
}

/* Lint an expression held by string v. */
static void check_expr(struct lint *l, int v, int at, const char *what)
{
	struct expr_error ee;
	struct expr *e;
	struct var_check vc = { l, v, at, 0, 0, NULL };

	if (lint_want_str(l, v, what))
		return;
	if (!(e = expr_parse(jdoc_str(&l->d, v), &ee))) {
		lint_report(l, lint_str_pos(l, v, (size_t)ee.offset), 0, "%s: %s", what,
			    lint_strip_at(ee.msg, ee.line, ee.col));
		return;
	}
	expr_each_var(e, check_var, &vc);
	if (at >= 0)
		expr_each_cmp(e, check_literal, &vc);
	expr_each_cmp(e, check_enum_literal, &vc);
	expr_each_cmp(e, check_number_literal, &vc);
	expr_free(&e);
}

/* Lint a template held by string v. */
void lint_tmpl_s(struct lint *l, int v, int at, const char *what, int secrets)
{
	struct expr_error ee;
	struct tmpl *t;
	struct var_check vc = { l, v, at, 0, secrets, NULL };

	if (lint_want(l, v, JD_STRING, what))
		return;
	if (!(t = tmpl_parse(jdoc_str(&l->d, v), &ee))) {
		lint_report(l, lint_str_pos(l, v, (size_t)ee.offset), 0, "%s: %s", what,
			    lint_strip_at(ee.msg, ee.line, ee.col));
		return;
	}
	vc.t = t;
	tmpl_each_var(t, check_var, &vc);
	tmpl_free(&t);
}

void lint_tmpl(struct lint *l, int v, int at, const char *what)
{
	lint_tmpl_s(l, v, at, what, 0);
}

static void title_var(const char *name, int offset, void *arg)
{
	struct var_check *vc = arg;

	if (!strncmp(name, "steps.", 6) || !strcmp(name, "score"))
		lint_report(vc->l, lint_str_pos(vc->l, vc->tok, (size_t)offset), 1,
			    "the title is expanded when the play is assigned, before %s is known: "
			    "it will show the braces (use instructions)", name);
}

/* Titles are expanded once, at assignment: warn about fields that only
 * exist later. */
static void check_title_time(struct lint *l, int v)
{
	struct tmpl *t = tmpl_parse(jdoc_str(&l->d, v), NULL);
	struct var_check vc = { l, v, 0, 0, 0, NULL };

	if (t)
		tmpl_each_var(t, title_var, &vc);
	tmpl_free(&t);
}

struct auto_title {
	struct lint *l;
	int s;
	const char *title;
	int warned;
};

static void auto_title_var(const char *name, int offset, void *arg)
{
	struct auto_title *at = arg;

	(void)offset;
	if (at->warned || (strncmp(name, "steps.", 6) && strcmp(name, "score")))
		return;
	at->warned = 1;
	lint_report(at->l, lint_pos(at->l, at->s), 1,
		    "this step has no title, and its automatic title \"%.80s\" is expanded at "
		    "assignment, before %s is known: the board would show the braces (give it a title)",
		    at->title, name);
}

/* An automatic title (a notify's "Notify " + to) that holds a template is
 * expanded, like a title, when the play is assigned. */
static void check_auto_title(struct lint *l, int s, const char *title)
{
	struct auto_title at = { l, s, title, 0 };
	struct tmpl *t;

	if (!strstr(title, "{{"))
		return;
	if (!(t = tmpl_parse(title, NULL))) {
		lint_report(l, lint_pos(l, s), 1, "this step has no title, and its automatic title "
			    "\"%.80s\" is no template: the board would show the braces (give it a title)",
			    title);
		return;
	}
	tmpl_each_var(t, auto_title_var, &at);
	tmpl_free(&t);
}

char *lint_title_list(struct lint *l, int s, const char *key, const char *prefix)
{
	struct strbuf t = STRBUF_INIT;
	int v = jdoc_get(&l->d, s, key), obj = jdoc_type(&l->d, v) == JD_OBJECT;
	size_t n = strlen(prefix);

	if (v < 0)
		return NULL;
	strbuf_puts(&t, prefix);
	if (jdoc_type(&l->d, v) == JD_STRING)
		strbuf_puts(&t, jdoc_str(&l->d, v));
	for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e)) {
		const char *name = obj ? lint_key(l, e) : jdoc_str(&l->d, e);
		strbuf_printf(&t, "%s%s", t.len > n ? ", " : "", name ? name : "?");
	}
	return strbuf_detach(&t);
}

/* Every string inside v (recursively) is a template; other scalars pass. */
void lint_tmpl_tree(struct lint *l, int v, int at, const char *what)
{
	int t = jdoc_type(&l->d, v);

	if (t == JD_STRING) {
		lint_tmpl(l, v, at, what);
	} else if (t == JD_ARRAY || t == JD_OBJECT) {
		for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e))
			lint_tmpl_tree(l, e, at, what);
	}
}

/* An object whose values are templates (strings, or numbers/booleans). */
void lint_tmpl_map(struct lint *l, int v, int at, const char *what, int secrets)
{
	if (lint_want(l, v, JD_OBJECT, what))
		return;
	for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e)) {
		int t = jdoc_type(&l->d, e);
		if (t == JD_STRING)
			lint_tmpl_s(l, e, at, what, secrets);
		else if (t != JD_NUMBER && t != JD_TRUE && t != JD_FALSE)
			lint_report(l, lint_pos(l, e), 0, "%s.%s must be a string, number or boolean",
				    what, lint_key(l, e));
	}
}

int lint_is_comment_key(const char *k)
{
	return k[0] == '_' || !strncmp(k, "x-", 2);
}

int lint_valid_id(const char *s, int play_id)
{
	size_t n = strlen(s);

	if (!n || n > 63)
		return 0;
	if (play_id) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return 0;
		return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
	}
	/* A step id is a segment of a field name: steps.ID.output.x */
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

int play_on_failure_parse(const char *s, char *target, size_t n)
{
	static const char *const names[] = { "stop", "continue", "skip-dependants",
		"wait-for-person" };

	if (target && n)
		target[0] = '\0';
	if (!s)
		return ON_FAILURE_STOP;
	for (int k = 0; k < (int)(sizeof names / sizeof names[0]); k++)
		if (!strcmp(s, names[k]))
			return k;
	if (!strncmp(s, "goto:", 5) && lint_valid_id(s + 5, 0)) {
		if (target)
			snprintf(target, n, "%s", s + 5);
		return ON_FAILURE_GOTO;
	}
	return -1;
}

/* on_failure goto:ID names a later step that needs this one: the one
 * dependant the failure leads to (the others are skipped). */
static void check_gotos(struct lint *l)
{
	struct jdoc *d = &l->d;

	for (int i = 0; i < l->p->nsteps; i++) {
		int v = jdoc_get(d, l->step_tok[i], "on_failure"), j, ok = 0;
		char target[128];

		if (jdoc_type(d, v) != JD_STRING ||
		    play_on_failure_parse(jdoc_str(d, v), target, sizeof target) != ON_FAILURE_GOTO)
			continue;
		if ((j = play_step_index(l->p, target)) < 0) {
			lint_report(l, lint_pos(l, v), 0, "on_failure: no step '%s'", target);
			continue;
		}
		for (int k = 0; k < l->p->steps[j].nneeds; k++)
			ok |= l->p->steps[j].needs[k] == i;
		if (j <= i || !ok)
			lint_report(l, lint_pos(l, v), 0, "on_failure: goto %s: %s must be a later step "
				    "that needs %s (\"needs\": [\"%s\"])", target, target,
				    l->p->steps[i].id, l->p->steps[i].id);
	}
}

/* ---- steps ------------------------------------------------------------------ */

/* Keys every step may have, and those of every automated step (the keys
 * of each kind are in its ops). */
static const char *const common_keys[] = {
	"id", "stage", "kind", "title", "description", "required", "needs", "when",
	"instructions", NULL,
};
int lint_want_codes(struct lint *l, int v, const char *what, int64_t lo, int64_t hi)
{
	int bad = 0;

	if (lint_want(l, v, JD_ARRAY, what))
		return -1;
	if (jdoc_first(&l->d, v) < 0) {
		lint_report(l, lint_pos(l, v), 0, "%s: an empty list: nothing would count as success",
			    what);
		return -1;
	}
	for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e))
		bad |= lint_want_int(l, e, what, lo, hi, 0, NULL);
	return bad ? -1 : 0;
}

static const char *const auto_keys[] = { "retry", "backoff", "timeout", "on_failure", NULL };

int lint_in_list(const char *const *list, const char *k)
{
	for (; *list; list++)
		if (!strcmp(*list, k))
			return 1;
	return 0;
}

/* First pass over step i: its id, kind and stage, so needs and fields can
 * refer to any step in the second pass. */
static void step_head(struct lint *l, int i, int s)
{
	struct play_step *st = &l->p->steps[i];
	struct jdoc *d = &l->d;
	char buf[128];
	int v;

	st->kind = -1;
	st->stage = -1;
	if ((v = jdoc_get(d, s, "id")) < 0)
		lint_report(l, lint_pos(l, s), 0, "step %d has no id", i + 1);
	else if (!lint_want_str(l, v, "id")) {
		const char *id = jdoc_str(d, v);
		if (!lint_valid_id(id, 0))
			lint_report(l, lint_pos(l, v), 0,
				    "step id '%s': start with a letter, then letters, digits, '_' or '-'", id);
		for (int j = 0; j < i; j++)
			if (l->p->steps[j].id && !strcmp(l->p->steps[j].id, id)) {
				lint_report(l, lint_pos(l, v), 0, "duplicate step id '%s' (step %d has it too)",
					    id, j + 1);
				break;
			}
		st->id = xstrdup(id);
	}
	if ((v = jdoc_get(d, s, "kind")) < 0)
		lint_report(l, lint_pos(l, s), 0, "step %s has no kind", st->id ? st->id : "?");
	else if (!lint_want_str(l, v, "kind") && (st->kind = step_kind_parse(jdoc_str(d, v))) < 0) {
		struct strbuf names = STRBUF_INIT;
		step_kind_names(&names);
		lint_report(l, lint_pos(l, v), 0, "unknown kind '%s' (%s)", jdoc_str(d, v),
			    strbuf_str(&names));
		strbuf_free(&names);
	}
	if ((v = jdoc_get(d, s, "stage")) < 0) {
		lint_report(l, lint_pos(l, s), 0, "step %s has no stage", st->id ? st->id : "?");
	} else if (!lint_want_str(l, v, "stage")) {
		st->stage = stage_parse(jdoc_str(d, v));
		if (st->stage < 0)
			lint_report(l, lint_pos(l, v), 0, "no stage '%s' (%s)", jdoc_str(d, v),
				    vocab_list(buf, sizeof buf, stage_name, STAGE_CLOSED, ", "));
		else if (st->stage == STAGE_CLOSED)
			lint_report(l, lint_pos(l, v), 0, "a step cannot belong to closed: nothing runs "
				    "once an incident is closed");
		else if (strcmp(jdoc_str(d, v), stage_name(st->stage)))
			/* The command line takes "lessons" for a person's ease; a
			 * play is read by others, by grep and by tools: one spelling. */
			lint_report(l, lint_pos(l, v), 0, "no stage '%s' (did you mean '%s'?)",
				    jdoc_str(d, v), stage_name(st->stage));
	}
}

/* Does step `from` reach `to` through needs (any direction)? For cycles. */
static int reaches(const struct play *p, int from, int to, int *seen)
{
	if (from == to)
		return 1;
	if (seen[from])
		return 0;
	seen[from] = 1;
	for (int k = 0; k < p->steps[from].nneeds; k++)
		if (reaches(p, p->steps[from].needs[k], to, seen))
			return 1;
	return 0;
}

/* The whole cycle from step i through its need j back to i, as
 * "b needs c, which needs d, which needs b": a 3-cycle told as a 2-cycle
 * sends the author to the wrong step. Shortest way back (breadth first). */
static void cycle_path(const struct play *p, int i, int j, struct strbuf *out)
{
	int n = p->nsteps, *prev = xcalloc((size_t)n + 1, sizeof *prev);
	int *queue = xcalloc((size_t)n + 1, sizeof *queue), head = 0, tail = 0, at;

	for (int k = 0; k < n; k++)
		prev[k] = -2;
	prev[j] = -1;
	queue[tail++] = j;
	while (head < tail && prev[i] == -2) {
		at = queue[head++];
		for (int k = 0; k < p->steps[at].nneeds; k++) {
			int nx = p->steps[at].needs[k];
			if (prev[nx] == -2) {
				prev[nx] = at;
				queue[tail++] = nx;
			}
		}
	}
	/* Walk back from i to j, then print forwards: i, j, ..., i. */
	int *chain = queue, len = 0;
	for (at = i; at >= 0 && len < n; at = prev[at])
		chain[len++] = at;
	strbuf_printf(out, "%s needs ", p->steps[i].id);
	for (int k = len - 1; k >= 0; k--)
		strbuf_printf(out, "%s%s", p->steps[chain[k]].id, k ? ", which needs " : "");
	free(prev);
	free(queue);
}

static void check_needs(struct lint *l, int i, int v)
{
	struct play_step *st = &l->p->steps[i];
	struct jdoc *d = &l->d;

	if (lint_want(l, v, JD_ARRAY, "needs"))
		return;
	st->needs = xcalloc(d->t[v].len + 1, sizeof *st->needs);
	for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e)) {
		if (lint_want_str(l, e, "needs"))
			continue;
		const char *id = jdoc_str(d, e);
		int j = play_step_index(l->p, id);
		if (j < 0) {
			lint_report(l, lint_pos(l, e), 0, "needs '%s': no such step", id);
			continue;
		}
		if (j == i) {
			lint_report(l, lint_pos(l, e), 0, "step %s needs itself", id);
			continue;
		}
		st->needs[st->nneeds++] = j;
	}
}

/* After every step's needs are known: cycles, later steps, later stages. */
static void check_order(struct lint *l)
{
	struct play *p = l->p;
	int *seen = xcalloc((size_t)p->nsteps + 1, sizeof *seen);

	for (int i = 0; i < p->nsteps; i++) {
		struct play_step *st = &p->steps[i];
		int v = jdoc_get(&l->d, l->step_tok[i], "needs");
		for (int k = 0, e = v >= 0 ? jdoc_first(&l->d, v) : -1; k < st->nneeds; k++) {
			int j = st->needs[k];
			/* Find the token of this entry for the position. */
			while (e >= 0 && (jdoc_type(&l->d, e) != JD_STRING ||
					  play_step_index(p, jdoc_str(&l->d, e)) != j))
				e = jdoc_next(&l->d, v, e);
			size_t pos = e >= 0 ? lint_pos(l, e) : lint_pos(l, l->step_tok[i]);
			if (j > i) {
				memset(seen, 0, ((size_t)p->nsteps + 1) * sizeof *seen);
				if (reaches(p, j, i, seen)) {
					struct strbuf path = STRBUF_INIT;
					cycle_path(p, i, j, &path);
					lint_report(l, pos, 0, "needs '%s': a cycle (%s)", p->steps[j].id,
						    strbuf_str(&path));
					strbuf_free(&path);
				} else
					lint_report(l, pos, 0, "needs '%s', which comes later in the play: "
						    "list steps in the order they can run", p->steps[j].id);
			} else if (st->stage >= 0 && p->steps[j].stage > st->stage) {
				lint_report(l, pos, 0, "needs '%s' of a later stage (%s): %s could never "
					    "run in %s", p->steps[j].id, stage_name(p->steps[j].stage),
					    st->id, stage_name(st->stage));
			}
			if (e >= 0)
				e = jdoc_next(&l->d, v, e);
		}
	}
	free(seen);
}

/* A key step kind `kind` does not take: one of another kind, a typo of
 * one it takes (did you mean), or neither. */
static void unknown_step_key(struct lint *l, int e, const char *k, int kind)
{
	struct guess g;
	size_t pos = lint_pos(l, lint_key_of(e));

	if (lint_in_list(auto_keys, k)) {
		lint_report(l, pos, 0, "'%s' is for automated steps; %s step is done by a person", k,
			    step_kind_an(kind));
		return;
	}
	for (int o = 0; o < KIND_COUNT; o++)
		if (lint_in_list(play_kind(o)->keys, k)) {
			lint_report(l, pos, 0, "'%s' is for %s step, not %s step", k, step_kind_an(o),
				    step_kind_an(kind));
			return;
		}
	guess_init(&g, k);
	play_guess_list(&g, common_keys);
	if (step_kind_automated(kind))
		play_guess_list(&g, auto_keys);
	play_guess_list(&g, play_kind(kind)->keys);
	if (guess_best(&g))
		lint_report(l, pos, 0, "unknown key '%s' for %s step (did you mean '%s'?)", k,
			    step_kind_an(kind), guess_best(&g));
	else
		lint_report(l, pos, 0, "unknown key '%s' for %s step (see STEP KINDS in irk-play(5))", k,
			    step_kind_an(kind));
}

/* Second pass over step i. */
static void step_body(struct lint *l, int i, int s)
{
	struct play_step *st = &l->p->steps[i];
	struct jdoc *d = &l->d;
	struct strbuf def = STRBUF_INIT;
	const struct play_kind_ops *ops = play_kind(st->kind);
	int v, kind = st->kind;

	for (int e = jdoc_first(d, s); e >= 0; e = jdoc_next(d, s, e)) {
		const char *k = lint_key(l, e);
		if (lint_is_comment_key(k) || lint_in_list(common_keys, k))
			continue;
		if (kind >= 0 && step_kind_automated(kind) && lint_in_list(auto_keys, k))
			continue;
		if (ops && lint_in_list(ops->keys, k))
			continue;
		if (ops)
			unknown_step_key(l, e, k, kind);
	}
	if ((v = jdoc_get(d, s, "title")) >= 0 && !lint_want_str(l, v, "title")) {
		lint_tmpl(l, v, i, "title");
		check_title_time(l, v);
		st->title = xstrdup(jdoc_str(d, v));
	} else if (v < 0 && ops && !ops->title) {
		/* (A step of unknown kind has had its error: whether it needs
		 * a title depends on the kind.) */
		lint_report(l, lint_pos(l, s), 0, "step %s needs a title (what a person reads on the board)",
			    st->id ? st->id : "?");
	}
	if (!st->title && ops && ops->title && (st->title = ops->title(l, s)))
		check_auto_title(l, s, st->title);
	if (!st->title)
		st->title = xstrdup(st->id ? st->id : "");
	if ((v = jdoc_get(d, s, "description")) >= 0)
		lint_want(l, v, JD_STRING, "description");
	if ((v = jdoc_get(d, s, "instructions")) >= 0)
		lint_tmpl(l, v, i, "instructions");
	if ((v = jdoc_get(d, s, "required")) >= 0 && !lint_want(l, v, JD_TRUE, "required"))
		st->required = jdoc_type(d, v) == JD_TRUE;
	if ((v = jdoc_get(d, s, "needs")) >= 0)
		check_needs(l, i, v);
	if ((v = jdoc_get(d, s, "when")) >= 0)
		check_expr(l, v, i, "when");
	if (kind >= 0 && step_kind_automated(kind)) {
		int64_t n;
		if ((v = jdoc_get(d, s, "retry")) >= 0 && !lint_want_int(l, v, "retry", 0, 20, 0, &n))
			st->retry = (int)n;
		if ((v = jdoc_get(d, s, "backoff")) >= 0)
			lint_want_int(l, v, "backoff", 1, PLAY_BACKOFF_MAX, 1, NULL);
		if ((v = jdoc_get(d, s, "timeout")) >= 0)
			lint_want_int(l, v, "timeout", 1, 86400, 1, NULL);
		if ((v = jdoc_get(d, s, "on_failure")) >= 0 && !lint_want_str(l, v, "on_failure") &&
		    play_on_failure_parse(jdoc_str(d, v), NULL, 0) < 0)
			lint_report(l, lint_pos(l, v), 0, "on_failure: '%s' is not continue, "
				    "skip-dependants, wait-for-person or goto:STEP", jdoc_str(d, v));
	}
	if (ops && ops->lint)
		ops->lint(l, i, s);
	jdoc_canonical(d, s, &def);
	if (ops && ops->def)
		ops->def(l, s, &def);
	st->def = strbuf_detach(&def);
}

/* ---- the play ---------------------------------------------------------------- */

static const char *const top_keys[] = {
	"play", "name", "version", "description", "match", "category", "severity",
	"priority", "steps", "author", "references", "tags", "storm", NULL,
};

/* "storm": true or "on" (grouping on, irk.conf's threshold), false or
 * "off", or a threshold (on, with that many incidents). */
static void check_storm(struct lint *l)
{
	struct jdoc *d = &l->d;
	struct play *p = l->p;
	int v = jdoc_get(d, 0, "storm"), t;
	int64_t n = 0;

	if (v < 0)
		return;
	t = jdoc_type(d, v);
	if (t == JD_TRUE || t == JD_FALSE) {
		p->storm = t == JD_TRUE ? PLAY_STORM_ON : PLAY_STORM_OFF;
	} else if (t == JD_STRING && (!strcmp(jdoc_str(d, v), "on") || !strcmp(jdoc_str(d, v), "off"))) {
		p->storm = !strcmp(jdoc_str(d, v), "on") ? PLAY_STORM_ON : PLAY_STORM_OFF;
	} else if (t == JD_NUMBER) {
		if (!lint_want_int(l, v, "storm", 1, 1000000, 0, &n)) {
			p->storm = PLAY_STORM_ON;
			p->storm_threshold = n;
		}
	} else {
		lint_report(l, lint_pos(l, v), 0, "storm must be true, false, \"on\", \"off\" or "
			    "a threshold (a whole number of incidents)");
	}
}

static void check_top(struct lint *l)
{
	struct jdoc *d = &l->d;
	struct play *p = l->p;
	char buf[64];
	int v;

	for (int e = jdoc_first(d, 0); e >= 0; e = jdoc_next(d, 0, e)) {
		const char *k = lint_key(l, e);
		struct guess g;
		if (lint_is_comment_key(k) || lint_in_list(top_keys, k))
			continue;
		guess_init(&g, k);
		play_guess_list(&g, top_keys);
		if (guess_best(&g))
			lint_report(l, lint_pos(l, lint_key_of(e)), 0, "unknown key '%s' (did you mean '%s'?)", k,
				    guess_best(&g));
		else
			lint_report(l, lint_pos(l, lint_key_of(e)), 0, "unknown key '%s' (play, name, version, "
				    "description, match, category, severity, priority, steps, ...)", k);
	}
	if ((v = jdoc_get(d, 0, "play")) < 0)
		lint_report(l, 0, 0, "missing \"play\": the play's id");
	else if (!lint_want_str(l, v, "play")) {
		if (!lint_valid_id(jdoc_str(d, v), 1))
			lint_report(l, lint_pos(l, v), 0, "play id '%s': lower-case letters, digits and '-'",
				    jdoc_str(d, v));
		p->id = xstrdup(jdoc_str(d, v));
	}
	if ((v = jdoc_get(d, 0, "name")) < 0)
		lint_report(l, 0, 0, "missing \"name\"");
	else if (!lint_want_str(l, v, "name"))
		p->name = xstrdup(jdoc_str(d, v));
	if ((v = jdoc_get(d, 0, "version")) < 0) {
		lint_report(l, 0, 0, "missing \"version\"");
	} else if (jdoc_type(d, v) == JD_NUMBER) {
		size_t len;
		const char *t = jdoc_scalar_text(d, v, &len);
		p->version = xstrndup(t, len);
	} else if (!lint_want_str(l, v, "version")) {
		p->version = xstrdup(jdoc_str(d, v));
	}
	if ((v = jdoc_get(d, 0, "description")) >= 0 && !lint_want(l, v, JD_STRING, "description"))
		p->description = xstrdup(jdoc_str(d, v));
	if ((v = jdoc_get(d, 0, "category")) >= 0 && !lint_want_str(l, v, "category"))
		p->category = xstrdup(jdoc_str(d, v));
	p->severity = -1;
	if ((v = jdoc_get(d, 0, "severity")) >= 0 && !lint_want_str(l, v, "severity") &&
	    (p->severity = severity_parse(jdoc_str(d, v))) < 0)
		lint_report(l, lint_pos(l, v), 0, "severity: '%s' is not %s", jdoc_str(d, v),
			    vocab_list(buf, sizeof buf, severity_name, SEV_COUNT, " or "));
	if ((v = jdoc_get(d, 0, "priority")) >= 0) {
		int64_t n = 0;
		lint_want_int(l, v, "priority", -1000, 1000, 0, &n);
		p->priority = (int)n;
	}
	check_storm(l);
	for (const char *k = "references"; k; k = strcmp(k, "tags") ? "tags" : NULL)
		if ((v = jdoc_get(d, 0, k)) >= 0 && !lint_want(l, v, JD_ARRAY, k))
			for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e))
				lint_want(l, e, JD_STRING, k);
	if ((v = jdoc_get(d, 0, "author")) >= 0)
		lint_want(l, v, JD_STRING, "author");
	if ((v = jdoc_get(d, 0, "match")) < 0)
		lint_report(l, 0, 0, "missing \"match\": the expression that picks alerts for this play");
	else {
		check_expr(l, v, -1, "match");
		if (jdoc_type(d, v) == JD_STRING)
			p->match_src = xstrdup(jdoc_str(d, v));
	}
}

static void check_steps(struct lint *l)
{
	struct jdoc *d = &l->d;
	struct play *p = l->p;
	int v = jdoc_get(d, 0, "steps"), i = 0;

	if (v < 0) {
		lint_report(l, 0, 0, "missing \"steps\"");
		return;
	}
	if (lint_want(l, v, JD_ARRAY, "steps"))
		return;
	if (jdoc_first(d, v) < 0) {
		lint_report(l, lint_pos(l, v), 0, "a play needs at least one step");
		return;
	}
	p->steps = xcalloc(d->t[v].len, sizeof *p->steps);
	l->step_tok = xcalloc(d->t[v].len, sizeof *l->step_tok);
	for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e)) {
		if (lint_want(l, e, JD_OBJECT, "a step"))
			continue;
		l->step_tok[i] = e;
		step_head(l, i++, e);
	}
	p->nsteps = i;
	for (i = 0; i < p->nsteps; i++)
		step_body(l, i, l->step_tok[i]);
	check_order(l);
	check_gotos(l);
}

int play_step_index(const struct play *p, const char *id)
{
	for (int i = 0; id && i < p->nsteps; i++)
		if (p->steps[i].id && !strcmp(p->steps[i].id, id))
			return i;
	return -1;
}

struct diag_at {
	struct play_diag d;
	size_t seq;
};

static int diag_cmp(const void *a, const void *b)
{
	const struct diag_at *x = a, *y = b;

	if (x->d.line != y->d.line)
		return x->d.line < y->d.line ? -1 : 1;
	if (x->d.col != y->d.col)
		return x->d.col < y->d.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Diagnostics from index `from` on (one file's) in the order of the file:
 * by line, then column; those at one place keep the order they were
 * found in. Lint finds them by pass (heads, bodies, order), not by place. */
static void diags_sort(struct play_diags *d, size_t from)
{
	size_t n = d->n - from;
	struct diag_at *v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (struct diag_at){ d->v[from + i], i };
	qsort(v, n, sizeof *v, diag_cmp);
	for (size_t i = 0; i < n; i++)
		d->v[from + i] = v[i].d;
	free(v);
}

int play_parse(const char *path, const char *src, size_t n, struct play **out,
	       struct play_diags *diags)
{
	size_t first = diags->n;
	struct lint l = { .path = path, .diags = diags };
	struct jdoc_error je;
	struct expr_error ee;
	unsigned char digest[IRK_SHA256_LEN];
	struct play *p = xcalloc(1, sizeof *p);
	const char *slash;

	*out = NULL;
	p->source = xmalloc(n + 1);
	memcpy(p->source, src, n);
	p->source[n] = '\0';
	p->source_len = n;
	p->path = xstrdup(path);
	slash = strrchr(path, '/');
	p->dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
	hash_sha256(src, n, digest);
	hash_hex(digest, IRK_SHA256_LEN, p->hash);
	l.src = p->source;
	l.p = p;
	jdoc_init(&l.d);
	if (memchr(src, '\0', n)) {
		lint_report(&l, (size_t)((const char *)memchr(src, '\0', n) - src), 0, "a NUL byte in the file");
	} else if (jdoc_parse(&l.d, p->source, n, &je)) {
		lint_report(&l, je.offset, 0, "%s", je.msg);
	} else if (jdoc_type(&l.d, 0) != JD_OBJECT) {
		lint_report(&l, 0, 0, "a play is a JSON object, not %s", type_name(jdoc_type(&l.d, 0)));
	} else {
		check_top(&l);
		check_steps(&l);
	}
	jdoc_free(&l.d);
	free(l.step_tok);
	diags_sort(diags, first);
	if (l.errors) {
		play_free(&p);
		return IRK_INVALID;
	}
	p->match = expr_parse(p->match_src, &ee);
	p->plan_defs = xcalloc((size_t)p->nsteps + 1, sizeof *p->plan_defs);
	for (int i = 0; i < p->nsteps; i++)
		step_def_parse(&p->plan_defs[i], p->steps[i].def);
	*out = p;
	return IRK_OK;
}

int play_load_file(const char *path, struct play **out, struct play_diags *d)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t got;
	int rc;

	*out = NULL;
	if (!f) {
		char msg[512];
		snprintf(msg, sizeof msg, "cannot read: %s", strerror(errno));
		play_diags_add(d, path, 0, 0, 0, msg);
		return IRK_ERROR;
	}
	while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
		strbuf_add(&sb, buf, got);
		if (sb.len > PLAY_MAX_FILE) {
			play_diags_add(d, path, 0, 0, 0, "larger than 1 MiB: not a play");
			fclose(f);
			strbuf_free(&sb);
			return IRK_INVALID;
		}
	}
	fclose(f);
	rc = play_parse(path, strbuf_str(&sb), sb.len, out, d);
	strbuf_free(&sb);
	return rc;
}

void play_free(struct play **pp)
{
	struct play *p = *pp;

	if (!p)
		return;
	for (int i = 0; p->plan_defs && i < p->nsteps; i++)
		step_def_free(&p->plan_defs[i]);
	free(p->plan_defs);
	for (int i = 0; i < p->nsteps; i++) {
		free(p->steps[i].id);
		free(p->steps[i].title);
		free(p->steps[i].needs);
		free(p->steps[i].def);
	}
	free(p->steps);
	free(p->id);
	free(p->name);
	free(p->version);
	free(p->description);
	free(p->category);
	free(p->match_src);
	expr_free(&p->match);
	free(p->path);
	free(p->dir);
	free(p->source);
	free(p);
	*pp = NULL;
}
