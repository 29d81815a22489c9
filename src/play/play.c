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
#include "play_impl.h"

#define X_KIND(e, n, an, a, h) { n, an, a, h },
static const struct { const char *name, *an; int automated; const char *help; } kinds[] = {
	IRK_STEP_KINDS(X_KIND)
};
#undef X_KIND

const char *step_kind_name(int k)
{
	return k >= 0 && k < KIND_COUNT ? kinds[k].name : "?";
}

const char *step_kind_an(int k)
{
	return k >= 0 && k < KIND_COUNT ? kinds[k].an : "a ?";
}

const char *step_kind_help(int k)
{
	return k >= 0 && k < KIND_COUNT ? kinds[k].help : "";
}

int step_kind_parse(const char *s)
{
	for (int k = 0; s && k < KIND_COUNT; k++)
		if (!strcmp(s, kinds[k].name))
			return k;
	return -1;
}

int step_kind_automated(int k)
{
	return k >= 0 && k < KIND_COUNT && kinds[k].automated;
}

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

struct lint {
	const char *path;
	const char *src;          /* NUL-terminated */
	struct jdoc d;
	struct play_diags *diags;
	int errors;
	struct play *p;
	int *step_tok;            /* the object token of each step */
};

static void report(struct lint *l, size_t off, int warning, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(struct lint *l, size_t off, int warning, const char *fmt, ...)
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
static size_t tok_pos(const struct lint *l, int tok)
{
	const struct jdoc_tok *t = &l->d.t[tok];

	return t->type == JD_STRING && t->off > 0 ? t->off - 1 : t->off;
}

/* The source offset of byte k of string tok's unescaped value: walk its
 * escapes in the source text. */
static size_t str_pos(const struct lint *l, int tok, size_t k)
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

/* The key token of object member value v. */
static int key_of(int v)
{
	return v - 1;
}

static const char *key_name(const struct lint *l, int v)
{
	return jdoc_str(&l->d, key_of(v));
}

/* Check the type of value v (of key); report and return -1 when wrong. */
static int want(struct lint *l, int v, int type, const char *what)
{
	int t = jdoc_type(&l->d, v);

	if (t == type || (type == JD_TRUE && t == JD_FALSE))
		return 0;
	report(l, tok_pos(l, v), 0, "%s must be %s, not %s", what, type_name(type), type_name(t));
	return -1;
}

static int want_str(struct lint *l, int v, const char *what)
{
	if (want(l, v, JD_STRING, what))
		return -1;
	if (!*jdoc_str(&l->d, v)) {
		report(l, tok_pos(l, v), 0, "%s must not be empty", what);
		return -1;
	}
	return 0;
}

/* A whole number in [lo, hi], or a duration string ("90s", "5m") when
 * duration is set. */
static int want_int(struct lint *l, int v, const char *what, int64_t lo, int64_t hi,
		    int duration, int64_t *out)
{
	int64_t n;
	int t = jdoc_type(&l->d, v);

	if (duration && t == JD_STRING) {
		if (irk_duration_parse(jdoc_str(&l->d, v), &n)) {
			report(l, tok_pos(l, v), 0, "%s: '%s' is not a duration (90s, 5m, 2h, 7d)",
			       what, jdoc_str(&l->d, v));
			return -1;
		}
	} else if (t != JD_NUMBER || jdoc_int(&l->d, v, &n)) {
		report(l, tok_pos(l, v), 0, "%s must be a whole number%s", what,
		       duration ? " of seconds or a duration" : "");
		return -1;
	} else {
		double dv;
		if (!jdoc_double(&l->d, v, &dv) && dv != (double)n) {
			report(l, tok_pos(l, v), 0, "%s must be a whole number", what);
			return -1;
		}
	}
	if (n < lo || n > hi) {
		report(l, tok_pos(l, v), 0, "%s must be from %lld to %lld", what,
		       (long long)lo, (long long)hi);
		return -1;
	}
	if (out)
		*out = n;
	return 0;
}

/* Drop the " at L:C" an expression or template error ends with: lint puts
 * the position in front, in file terms. */
static const char *strip_at(char *msg, int line, int col)
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
};

static void check_var(const char *name, int offset, void *arg)
{
	struct var_check *vc = arg;
	char why[256];
	size_t pos = str_pos(vc->l, vc->tok, vc->base + (size_t)offset);

	/* Secrets come from irk.conf [secrets] or $IRK_SECRET_NAME when the
	 * step runs; the engine keeps them out of everything it records, which
	 * it can only do where they go straight to the other side. */
	if (!strncmp(name, "secret.", 7)) {
		if (!vc->secrets)
			report(vc->l, pos, 0, "%s: a secret may be used only in http headers and exec "
			       "env (never recorded)", name);
		else if (!name[7] || strchr(name + 7, '.'))
			report(vc->l, pos, 0, "%s: write secret.NAME", name);
		return;
	}
	if (play_field_check(vc->l->p, vc->at, name, why, sizeof why))
		report(vc->l, pos, 0, "%s", why);
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
	if ((j = play_step_index(p, id)) < 0 || j >= vc->at || p->steps[j].kind != KIND_MANUAL)
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
			report(vc->l, str_pos(vc->l, vc->tok, (size_t)lit_off), 0,
			       "when: %s can never be '%s' (its choices: %s)", name, text,
			       strbuf_str(&names));
			strbuf_free(&names);
		} else if (!ok) {
			report(vc->l, str_pos(vc->l, vc->tok, (size_t)lit_off), 0,
			       "when: %s can never be '%s' (it must match %s)", name, text,
			       pi->pattern);
		}
	}
	play_inputs_free(&in);
}

/* A severity or a stage compared with a word that is none: the
 * expression can never hold (`severity >= 'hihg'`, `incident.stage ==
 * 'Identifcation'`), so the play never matches or the step is always
 * skipped. An error, with the names and the nearest. */
static void check_enum_literal(const struct expr_cmp *c, void *arg)
{
	static const char *const sevs[] = { "low", "medium", "high", "critical", NULL };
	static const char *const stages[] = { "new", "identification", "containment", "eradication",
		"recovery", "lessons-learned", "closed", NULL };
	struct var_check *vc = arg;
	const char *name = c->field, *text, *const *names;
	const char *what = vc->at < 0 ? "match" : "when";
	struct strbuf list = STRBUF_INIT;
	struct guess g;
	int ok = 0;

	if (c->value->type != EXPR_STR || !(text = c->value->str))
		return;
	if (!strcmp(name, "severity") || !strcmp(name, "alert.severity") ||
	    !strcmp(name, "incident.severity")) {
		names = sevs;
		ok = severity_parse(text) >= 0;
	} else if (!strcmp(name, "incident.stage")) {
		if (strcmp(c->op, "==") && strcmp(c->op, "!=") && strcmp(c->op, "in"))
			return;
		names = stages;
		for (int i = 0; names[i] && !ok; i++)
			ok = !strcmp(text, names[i]);
	} else {
		return;
	}
	if (ok)
		return;
	guess_init(&g, text);
	for (int i = 0; names[i]; i++) {
		guess_consider(&g, "", names[i]);
		strbuf_printf(&list, "%s%s", i ? ", " : "", names[i]);
	}
	if (guess_best(&g))
		report(vc->l, str_pos(vc->l, vc->tok, (size_t)c->offset), 0,
		       "%s: %s is never '%s' (did you mean '%s'? %s)", what, name, text,
		       guess_best(&g), strbuf_str(&list));
	else
		report(vc->l, str_pos(vc->l, vc->tok, (size_t)c->offset), 0,
		       "%s: %s is never '%s' (it is one of %s)", what, name, text, strbuf_str(&list));
	strbuf_free(&list);
}

/* Lint an expression held by string v. */
static void check_expr(struct lint *l, int v, int at, const char *what)
{
	struct expr_error ee;
	struct expr *e;
	struct var_check vc = { l, v, at, 0, 0 };

	if (want_str(l, v, what))
		return;
	if (!(e = expr_parse(jdoc_str(&l->d, v), &ee))) {
		report(l, str_pos(l, v, (size_t)ee.offset), 0, "%s: %s", what,
		       strip_at(ee.msg, ee.line, ee.col));
		return;
	}
	expr_each_var(e, check_var, &vc);
	if (at >= 0)
		expr_each_cmp(e, check_literal, &vc);
	expr_each_cmp(e, check_enum_literal, &vc);
	expr_free(&e);
}

/* Lint a template held by string v. */
static void check_tmpl_s(struct lint *l, int v, int at, const char *what, int secrets)
{
	struct expr_error ee;
	struct tmpl *t;
	struct var_check vc = { l, v, at, 0, secrets };

	if (want(l, v, JD_STRING, what))
		return;
	if (!(t = tmpl_parse(jdoc_str(&l->d, v), &ee))) {
		report(l, str_pos(l, v, (size_t)ee.offset), 0, "%s: %s", what,
		       strip_at(ee.msg, ee.line, ee.col));
		return;
	}
	tmpl_each_var(t, check_var, &vc);
	tmpl_free(&t);
}

static void check_tmpl(struct lint *l, int v, int at, const char *what)
{
	check_tmpl_s(l, v, at, what, 0);
}

static void title_var(const char *name, int offset, void *arg)
{
	struct var_check *vc = arg;

	if (!strncmp(name, "steps.", 6) || !strcmp(name, "score"))
		report(vc->l, str_pos(vc->l, vc->tok, (size_t)offset), 1,
		       "the title is expanded when the play is assigned, before %s is known: "
		       "it will show the braces (use instructions)", name);
}

static void secret_var(const char *name, int offset, void *arg)
{
	struct var_check *vc = arg;

	if (!strncmp(name, "secret.", 7))
		report(vc->l, str_pos(vc->l, vc->tok, (size_t)offset), 1,
		       "%s is sent in clear text: the url is http://, not https://", name);
}

/* Secrets in the headers of a request to an http:// url: a warning at
 * each. */
static void check_clear_secrets(struct lint *l, int headers)
{
	if (jdoc_type(&l->d, headers) != JD_OBJECT)
		return;
	for (int e = jdoc_first(&l->d, headers); e >= 0; e = jdoc_next(&l->d, headers, e)) {
		struct tmpl *t;
		struct var_check vc = { l, e, 0, 0, 1 };

		if (jdoc_type(&l->d, e) != JD_STRING || !(t = tmpl_parse(jdoc_str(&l->d, e), NULL)))
			continue;
		tmpl_each_var(t, secret_var, &vc);
		tmpl_free(&t);
	}
}

/* Titles are expanded once, at assignment: warn about fields that only
 * exist later. */
static void check_title_time(struct lint *l, int v)
{
	struct tmpl *t = tmpl_parse(jdoc_str(&l->d, v), NULL);
	struct var_check vc = { l, v, 0, 0, 0 };

	if (t)
		tmpl_each_var(t, title_var, &vc);
	tmpl_free(&t);
}

/* Every string inside v (recursively) is a template; other scalars pass. */
static void check_tmpl_tree(struct lint *l, int v, int at, const char *what)
{
	int t = jdoc_type(&l->d, v);

	if (t == JD_STRING) {
		check_tmpl(l, v, at, what);
	} else if (t == JD_ARRAY || t == JD_OBJECT) {
		for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e))
			check_tmpl_tree(l, e, at, what);
	}
}

/* An object whose values are templates (strings, or numbers/booleans). */
static void check_tmpl_map(struct lint *l, int v, int at, const char *what, int secrets)
{
	if (want(l, v, JD_OBJECT, what))
		return;
	for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e)) {
		int t = jdoc_type(&l->d, e);
		if (t == JD_STRING)
			check_tmpl_s(l, e, at, what, secrets);
		else if (t != JD_NUMBER && t != JD_TRUE && t != JD_FALSE)
			report(l, tok_pos(l, e), 0, "%s.%s must be a string, number or boolean",
			       what, key_name(l, e));
	}
}

static int is_comment_key(const char *k)
{
	return k[0] == '_' || !strncmp(k, "x-", 2);
}

static int valid_id(const char *s, int play_id)
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

/* ---- steps ------------------------------------------------------------------ */

/* Keys every step may have, and the keys of each kind. */
static const char *const common_keys[] = {
	"id", "stage", "kind", "title", "description", "required", "needs", "when",
	"instructions", NULL,
};
static const char *const auto_keys[] = { "retry", "backoff", "timeout", NULL };
static const char *const kind_keys[KIND_COUNT][8] = {
	[KIND_MANUAL] = { "checklist", "checklist_required", "inputs", NULL },
	[KIND_APPROVAL] = { "role", NULL },
	[KIND_EXEC] = { "argv", "cwd", "env", NULL },
	[KIND_ANSIBLE] = { "playbook", "hosts", "vars", "connection", "check", NULL },
	[KIND_HTTP] = { "method", "url", "headers", "body", "insecure", "max_bytes", NULL },
	[KIND_NOTIFY] = { "to", "text", NULL },
	[KIND_SCORE] = { "window", NULL },
	[KIND_SET] = { "fields", NULL },
};

static int in_list(const char *const *list, const char *k)
{
	for (; *list; list++)
		if (!strcmp(*list, k))
			return 1;
	return 0;
}

/* The choices of an input: distinct non-empty strings (a value is matched
 * without regard to case, so "Yes" and "yes" are one choice). */
static void check_choices(struct lint *l, int v)
{
	struct jdoc *d = &l->d;

	if (want(l, v, JD_ARRAY, "inputs: choices"))
		return;
	if (jdoc_first(d, v) < 0)
		report(l, tok_pos(l, v), 0, "inputs: choices must list at least one value");
	for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e)) {
		if (want_str(l, e, "inputs: a choice"))
			continue;
		if (strlen(jdoc_str(d, e)) > 256) {
			report(l, tok_pos(l, e), 0, "inputs: a choice is limited to 256 bytes");
			continue;
		}
		for (int f = jdoc_first(d, v); f >= 0 && f != e; f = jdoc_next(d, v, f))
			if (jdoc_str(d, f) && !strcasecmp(jdoc_str(d, f), jdoc_str(d, e))) {
				report(l, tok_pos(l, e), 0, "inputs: choice '%s' is listed twice",
				       jdoc_str(d, e));
				break;
			}
	}
}

static void check_pattern(struct lint *l, int v)
{
	struct expr_error ee;
	struct expr *e;

	if (want_str(l, v, "inputs: pattern"))
		return;
	if (!(e = play_pattern_compile(jdoc_str(&l->d, v), &ee)))
		report(l, tok_pos(l, v), 0, "inputs: pattern: %s", strip_at(ee.msg, ee.line, ee.col));
	expr_free(&e);
}

static const char *const input_keys[] = { "name", "label", "required", "choices", "pattern",
	NULL };

static void unknown_input_key(struct lint *l, int f, const char *k)
{
	struct guess g;

	guess_init(&g, k);
	play_guess_list(&g, input_keys);
	if (guess_best(&g))
		report(l, tok_pos(l, key_of(f)), 0, "inputs: unknown key '%s' (did you mean '%s'?)",
		       k, guess_best(&g));
	else
		report(l, tok_pos(l, key_of(f)), 0, "inputs: unknown key '%s' (name, label, "
		       "required, choices, pattern)", k);
}

static void check_inputs(struct lint *l, int v)
{
	if (want(l, v, JD_ARRAY, "inputs"))
		return;
	for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e)) {
		int name = -1, choices = -1, pattern = -1;
		if (jdoc_type(&l->d, e) == JD_STRING) {
			name = e;
		} else if (jdoc_type(&l->d, e) == JD_OBJECT) {
			for (int f = jdoc_first(&l->d, e); f >= 0; f = jdoc_next(&l->d, e, f)) {
				const char *k = key_name(l, f);
				if (!strcmp(k, "name"))
					name = f;
				else if (!strcmp(k, "label"))
					want_str(l, f, "inputs: label");
				else if (!strcmp(k, "required"))
					want(l, f, JD_TRUE, "inputs: required");
				else if (!strcmp(k, "choices"))
					check_choices(l, choices = f);
				else if (!strcmp(k, "pattern"))
					check_pattern(l, pattern = f);
				else if (!is_comment_key(k))
					unknown_input_key(l, f, k);
			}
			if (choices >= 0 && pattern >= 0)
				report(l, tok_pos(l, key_of(pattern)), 0,
				       "inputs: give choices or a pattern, not both");
			if (name < 0) {
				report(l, tok_pos(l, e), 0, "an input needs a name");
				continue;
			}
		} else {
			report(l, tok_pos(l, e), 0, "an input is a name or {\"name\": ..., \"label\": ...}");
			continue;
		}
		if (want_str(l, name, "input name"))
			continue;
		if (!valid_id(jdoc_str(&l->d, name), 0))
			report(l, tok_pos(l, name), 0,
			       "input name '%s': use letters, digits, '_' and '-'", jdoc_str(&l->d, name));
		for (int f = jdoc_first(&l->d, v); f >= 0 && f != e; f = jdoc_next(&l->d, v, f)) {
			int fn = jdoc_type(&l->d, f) == JD_OBJECT ? jdoc_get(&l->d, f, "name") : f;
			if (jdoc_str(&l->d, fn) && !strcmp(jdoc_str(&l->d, fn), jdoc_str(&l->d, name))) {
				report(l, tok_pos(l, name), 0, "input '%s' is declared twice",
				       jdoc_str(&l->d, name));
				break;
			}
		}
	}
}

static void check_recipient(struct lint *l, int v, int at)
{
	const char *to;

	if (want_str(l, v, "to"))
		return;
	to = jdoc_str(&l->d, v);
	if (!strncmp(to, "role:", 5)) {
		if (role_parse(to + 5) < 0)
			report(l, str_pos(l, v, 5), 0,
			       "to: no role '%s' (analyst, senior, admin)", to + 5);
		return;
	}
	if (!strcmp(to, "owner") || strstr(to, "{{")) {
		check_tmpl(l, v, at, "to");
		return;
	}
	if (!identity_valid(to))
		report(l, tok_pos(l, v), 0,
		       "to: '%s' is not role:ROLE, owner or a user name", to);
}

/* A set step naming a field that cannot be set: a typo of one, or the
 * list of those that can. */
static void unknown_set_field(struct lint *l, int e)
{
	struct guess g;
	struct strbuf names = STRBUF_INIT;

	guess_init(&g, key_name(l, e));
	for (const struct field_def *f = incident_fields; f->name; f++) {
		guess_consider(&g, "", f->name);
		strbuf_printf(&names, "%s%s", names.len ? ", " : "", f->name);
	}
	if (guess_best(&g))
		report(l, tok_pos(l, key_of(e)), 0, "fields: '%s' is not an incident field (did you "
		       "mean '%s'?)", key_name(l, e), guess_best(&g));
	else
		report(l, tok_pos(l, key_of(e)), 0, "fields: '%s' is not an incident field (%s)",
		       key_name(l, e), strbuf_str(&names));
	strbuf_free(&names);
}

/* The kind-specific checks of step i (object s). */
static void check_kind(struct lint *l, int i, int s, int kind)
{
	struct jdoc *d = &l->d;
	int v;

	switch (kind) {
	case KIND_MANUAL:
		if ((v = jdoc_get(d, s, "checklist")) >= 0 && !want(l, v, JD_ARRAY, "checklist"))
			for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e))
				check_tmpl(l, e, i, "checklist item");
		if ((v = jdoc_get(d, s, "inputs")) >= 0)
			check_inputs(l, v);
		if ((v = jdoc_get(d, s, "checklist_required")) >= 0 &&
		    !want(l, v, JD_TRUE, "checklist_required") && jdoc_type(d, v) == JD_TRUE) {
			int c = jdoc_get(d, s, "checklist");
			if (c < 0 || jdoc_type(d, c) != JD_ARRAY || jdoc_first(d, c) < 0)
				report(l, tok_pos(l, key_of(v)), 0,
				       "checklist_required: the step has no checklist to tick");
		}
		break;
	case KIND_APPROVAL:
		if ((v = jdoc_get(d, s, "role")) >= 0 && !want_str(l, v, "role") &&
		    role_parse(jdoc_str(d, v)) < 0)
			report(l, tok_pos(l, v), 0, "role: no role '%s' (analyst, senior, admin)",
			       jdoc_str(d, v));
		break;
	case KIND_EXEC:
		if ((v = jdoc_get(d, s, "argv")) < 0) {
			report(l, tok_pos(l, s), 0, "an exec step needs argv (the program and its arguments)");
		} else if (!want(l, v, JD_ARRAY, "argv")) {
			if (jdoc_first(d, v) < 0)
				report(l, tok_pos(l, v), 0, "argv must name a program");
			for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e))
				check_tmpl(l, e, i, "argv");
			int a0 = jdoc_first(d, v);
			if (a0 >= 0 && jdoc_type(d, a0) == JD_STRING && strstr(jdoc_str(d, a0), "{{"))
				report(l, tok_pos(l, a0), 1,
				       "argv[0] comes from a template: the program run depends on outside data");
		}
		if ((v = jdoc_get(d, s, "cwd")) >= 0)
			check_tmpl(l, v, i, "cwd");
		if ((v = jdoc_get(d, s, "env")) >= 0) {
			check_tmpl_map(l, v, i, "env", 1);
			for (int e = jdoc_first(d, v); e >= 0 && jdoc_type(d, v) == JD_OBJECT;
			     e = jdoc_next(d, v, e))
				if (!valid_id(key_name(l, e), 0))
					report(l, tok_pos(l, key_of(e)), 0,
					       "env: '%s' is not a variable name", key_name(l, e));
		}
		break;
	case KIND_ANSIBLE:
		if ((v = jdoc_get(d, s, "playbook")) < 0)
			report(l, tok_pos(l, s), 0, "an ansible step needs a playbook");
		else if (!want_str(l, v, "playbook")) {
			const char *pb = jdoc_str(d, v);
			char path[4096];
			struct stat sb;
			if (pb[0] == '/')
				snprintf(path, sizeof path, "%s", pb);
			else
				snprintf(path, sizeof path, "%s/%s", l->p->dir, pb);
			if (stat(path, &sb) != 0)
				report(l, tok_pos(l, v), 1, "playbook %s: %s", path, strerror(errno));
		}
		if ((v = jdoc_get(d, s, "hosts")) < 0)
			report(l, tok_pos(l, s), 0, "an ansible step needs hosts (names, a group, or a template)");
		else
			check_tmpl(l, v, i, "hosts");
		if ((v = jdoc_get(d, s, "vars")) >= 0 && !want(l, v, JD_OBJECT, "vars"))
			check_tmpl_tree(l, v, i, "vars");
		if ((v = jdoc_get(d, s, "connection")) >= 0)
			want_str(l, v, "connection");
		if ((v = jdoc_get(d, s, "check")) >= 0)
			want(l, v, JD_TRUE, "check");
		break;
	case KIND_HTTP: {
		const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL };
		if ((v = jdoc_get(d, s, "method")) >= 0 && !want_str(l, v, "method") &&
		    !in_list(methods, jdoc_str(d, v)))
			report(l, tok_pos(l, v), 0, "method: '%s' is not GET, POST, PUT, PATCH, DELETE or HEAD",
			       jdoc_str(d, v));
		if ((v = jdoc_get(d, s, "url")) < 0) {
			report(l, tok_pos(l, s), 0, "an http step needs a url");
		} else if (!want_str(l, v, "url")) {
			const char *u = jdoc_str(d, v);
			check_tmpl(l, v, i, "url");
			if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
				report(l, tok_pos(l, v), 0, "url must start with http:// or https://");
		}
		if ((v = jdoc_get(d, s, "headers")) >= 0) {
			int u = jdoc_get(d, s, "url");
			check_tmpl_map(l, v, i, "headers", 1);
			if (jdoc_type(d, u) == JD_STRING && !strncmp(jdoc_str(d, u), "http://", 7))
				check_clear_secrets(l, v);
		}
		if ((v = jdoc_get(d, s, "body")) >= 0)
			check_tmpl_tree(l, v, i, "body");
		if ((v = jdoc_get(d, s, "insecure")) >= 0 && !want(l, v, JD_TRUE, "insecure") &&
		    jdoc_type(d, v) == JD_TRUE)
			report(l, tok_pos(l, v), 1,
			       "insecure: TLS certificates are not verified for this request");
		if ((v = jdoc_get(d, s, "max_bytes")) >= 0)
			want_int(l, v, "max_bytes", 1, 64 << 20, 0, NULL);
		break;
	}
	case KIND_NOTIFY:
		if ((v = jdoc_get(d, s, "to")) < 0) {
			report(l, tok_pos(l, s), 0, "a notify step needs to (role:senior, owner or a user)");
		} else if (jdoc_type(d, v) == JD_ARRAY) {
			if (jdoc_first(d, v) < 0)
				report(l, tok_pos(l, v), 0, "to names nobody");
			for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e))
				check_recipient(l, e, i);
		} else {
			check_recipient(l, v, i);
		}
		if ((v = jdoc_get(d, s, "text")) < 0)
			report(l, tok_pos(l, s), 0, "a notify step needs a text");
		else if (!want_str(l, v, "text"))
			check_tmpl(l, v, i, "text");
		break;
	case KIND_SCORE:
		if ((v = jdoc_get(d, s, "window")) >= 0)
			want_int(l, v, "window", 60, 366 * 86400, 1, NULL);
		break;
	case KIND_SET:
		if ((v = jdoc_get(d, s, "fields")) < 0) {
			report(l, tok_pos(l, s), 0, "a set step needs fields (an object of field: value)");
			break;
		}
		check_tmpl_map(l, v, i, "fields", 0);
		if (jdoc_type(d, v) == JD_OBJECT && jdoc_first(d, v) < 0)
			report(l, tok_pos(l, v), 0, "fields sets nothing");
		for (int e = jdoc_first(d, v); e >= 0 && jdoc_type(d, v) == JD_OBJECT; e = jdoc_next(d, v, e))
			if (!incident_field_find(key_name(l, e)))
				unknown_set_field(l, e);
		break;
	}
}

/* First pass over step i: its id, kind and stage, so needs and fields can
 * refer to any step in the second pass. */
static void step_head(struct lint *l, int i, int s)
{
	struct play_step *st = &l->p->steps[i];
	struct jdoc *d = &l->d;
	int v;

	st->kind = -1;
	st->stage = -1;
	if ((v = jdoc_get(d, s, "id")) < 0)
		report(l, tok_pos(l, s), 0, "step %d has no id", i + 1);
	else if (!want_str(l, v, "id")) {
		const char *id = jdoc_str(d, v);
		if (!valid_id(id, 0))
			report(l, tok_pos(l, v), 0,
			       "step id '%s': start with a letter, then letters, digits, '_' or '-'", id);
		for (int j = 0; j < i; j++)
			if (l->p->steps[j].id && !strcmp(l->p->steps[j].id, id)) {
				report(l, tok_pos(l, v), 0, "duplicate step id '%s' (step %d has it too)",
				       id, j + 1);
				break;
			}
		st->id = xstrdup(id);
	}
	if ((v = jdoc_get(d, s, "kind")) < 0)
		report(l, tok_pos(l, s), 0, "step %s has no kind", st->id ? st->id : "?");
	else if (!want_str(l, v, "kind") && (st->kind = step_kind_parse(jdoc_str(d, v))) < 0)
		report(l, tok_pos(l, v), 0,
		       "unknown kind '%s' (manual, approval, exec, ansible, http, notify, score, set)",
		       jdoc_str(d, v));
	if ((v = jdoc_get(d, s, "stage")) < 0) {
		report(l, tok_pos(l, s), 0, "step %s has no stage", st->id ? st->id : "?");
	} else if (!want_str(l, v, "stage")) {
		st->stage = stage_parse(jdoc_str(d, v));
		if (st->stage < 0)
			report(l, tok_pos(l, v), 0, "no stage '%s' (new, identification, containment, "
			       "eradication, recovery, lessons-learned)", jdoc_str(d, v));
		else if (st->stage == STAGE_CLOSED)
			report(l, tok_pos(l, v), 0, "a step cannot belong to closed: nothing runs "
			       "once an incident is closed");
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

static void check_needs(struct lint *l, int i, int v)
{
	struct play_step *st = &l->p->steps[i];
	struct jdoc *d = &l->d;

	if (want(l, v, JD_ARRAY, "needs"))
		return;
	st->needs = xcalloc(d->t[v].len + 1, sizeof *st->needs);
	for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e)) {
		if (want_str(l, e, "needs"))
			continue;
		const char *id = jdoc_str(d, e);
		int j = play_step_index(l->p, id);
		if (j < 0) {
			report(l, tok_pos(l, e), 0, "needs '%s': no such step", id);
			continue;
		}
		if (j == i) {
			report(l, tok_pos(l, e), 0, "step %s needs itself", id);
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
			size_t pos = e >= 0 ? tok_pos(l, e) : tok_pos(l, l->step_tok[i]);
			if (j > i) {
				memset(seen, 0, ((size_t)p->nsteps + 1) * sizeof *seen);
				if (reaches(p, j, i, seen))
					report(l, pos, 0, "needs '%s': a cycle (%s needs %s, which needs %s "
					       "in turn)", p->steps[j].id, st->id, p->steps[j].id, st->id);
				else
					report(l, pos, 0, "needs '%s', which comes later in the play: "
					       "list steps in the order they can run", p->steps[j].id);
			} else if (st->stage >= 0 && p->steps[j].stage > st->stage) {
				report(l, pos, 0, "needs '%s' of a later stage (%s): %s could never "
				       "run in %s", p->steps[j].id, stage_name(p->steps[j].stage),
				       st->id, stage_name(st->stage));
			}
			if (e >= 0)
				e = jdoc_next(&l->d, v, e);
		}
	}
	free(seen);
}

/* What the board shows for a step without a title: what it does. */
static char *default_title(struct lint *l, int s, int kind, const char *id)
{
	struct strbuf t = STRBUF_INIT;
	int v;

	if (kind == KIND_NOTIFY && (v = jdoc_get(&l->d, s, "to")) >= 0) {
		strbuf_puts(&t, "Notify ");
		if (jdoc_type(&l->d, v) == JD_STRING)
			strbuf_puts(&t, jdoc_str(&l->d, v));
		for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e))
			strbuf_printf(&t, "%s%s", t.len > 7 ? ", " : "", jdoc_str(&l->d, e) ? jdoc_str(&l->d, e) : "?");
	} else if (kind == KIND_SET && (v = jdoc_get(&l->d, s, "fields")) >= 0) {
		strbuf_puts(&t, "Set ");
		for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e))
			strbuf_printf(&t, "%s%s", t.len > 4 ? ", " : "", key_name(l, e));
	} else if (kind == KIND_SCORE) {
		strbuf_puts(&t, "Score confidence from the alert history");
	} else {
		strbuf_puts(&t, id ? id : "");
	}
	return strbuf_detach(&t);
}

/* An exec program named by a relative path with a slash (bin/irk-host-
 * facts) lives beside the play, like a playbook: the stored definition
 * gets the absolute path, so a step never depends on where the process
 * that runs it was started, and a running incident keeps the program of
 * the version it was given. */
static void resolve_program(struct lint *l, int s, struct strbuf *def)
{
	struct jdoc *d = &l->d;
	int v = jdoc_get(d, s, "argv"), a0 = jdoc_first(d, v);
	const char *prog = jdoc_str(d, a0);
	char dir[4096], *abs = NULL, *hit;
	struct strbuf needle = STRBUF_INIT, repl = STRBUF_INIT, out = STRBUF_INIT;
	struct stat sb;

	if (!prog || prog[0] == '/' || !strchr(prog, '/') || strstr(prog, "{{"))
		return;
	if (!realpath(l->p->dir, dir))
		irk_strlcpy(dir, l->p->dir, sizeof dir);
	strbuf_printf(&out, "%s/%s", dir, prog);
	abs = strbuf_detach(&out);
	if (stat(abs, &sb) != 0 || !S_ISREG(sb.st_mode) || access(abs, X_OK) != 0)
		report(l, tok_pos(l, a0), 1, "argv[0] %s: not an executable file beside the play",
		       abs);
	strbuf_puts(&needle, "\"argv\":[");
	json_quote(&needle, prog, strlen(prog));
	strbuf_puts(&repl, "\"argv\":[");
	json_quote(&repl, abs, strlen(abs));
	if ((hit = strstr(def->buf, needle.buf))) {
		strbuf_add(&out, def->buf, (size_t)(hit - def->buf));
		strbuf_add(&out, repl.buf, repl.len);
		strbuf_puts(&out, hit + needle.len);
		strbuf_free(def);
		*def = out;
	}
	free(abs);
	strbuf_free(&needle);
	strbuf_free(&repl);
}

/* A key step kind `kind` does not take: one of another kind, a typo of
 * one it takes (did you mean), or neither. */
static void unknown_step_key(struct lint *l, int e, const char *k, int kind)
{
	struct guess g;
	size_t pos = tok_pos(l, key_of(e));

	if (in_list(auto_keys, k)) {
		report(l, pos, 0, "'%s' is for automated steps; %s step is done by a person", k,
		       step_kind_an(kind));
		return;
	}
	for (int o = 0; o < KIND_COUNT; o++)
		if (in_list(kind_keys[o], k)) {
			report(l, pos, 0, "'%s' is for %s step, not %s step", k, step_kind_an(o),
			       step_kind_an(kind));
			return;
		}
	guess_init(&g, k);
	play_guess_list(&g, common_keys);
	if (step_kind_automated(kind))
		play_guess_list(&g, auto_keys);
	play_guess_list(&g, kind_keys[kind]);
	if (guess_best(&g))
		report(l, pos, 0, "unknown key '%s' for %s step (did you mean '%s'?)", k,
		       step_kind_an(kind), guess_best(&g));
	else
		report(l, pos, 0, "unknown key '%s' for %s step (see STEP KINDS in irk-play(5))", k,
		       step_kind_an(kind));
}

/* Second pass over step i. */
static void step_body(struct lint *l, int i, int s)
{
	struct play_step *st = &l->p->steps[i];
	struct jdoc *d = &l->d;
	struct strbuf def = STRBUF_INIT;
	int v, kind = st->kind;

	for (int e = jdoc_first(d, s); e >= 0; e = jdoc_next(d, s, e)) {
		const char *k = key_name(l, e);
		if (is_comment_key(k) || in_list(common_keys, k))
			continue;
		if (kind >= 0 && step_kind_automated(kind) && in_list(auto_keys, k))
			continue;
		if (kind >= 0 && in_list(kind_keys[kind], k))
			continue;
		if (kind >= 0)
			unknown_step_key(l, e, k, kind);
	}
	if ((v = jdoc_get(d, s, "title")) >= 0 && !want_str(l, v, "title")) {
		check_tmpl(l, v, i, "title");
		check_title_time(l, v);
		st->title = xstrdup(jdoc_str(d, v));
	} else if (v < 0 && kind >= 0 && kind != KIND_NOTIFY && kind != KIND_SCORE &&
		   kind != KIND_SET) {
		/* (A step of unknown kind has had its error: whether it needs
		 * a title depends on the kind.) */
		report(l, tok_pos(l, s), 0, "step %s needs a title (what a person reads on the board)",
		       st->id ? st->id : "?");
	}
	if (!st->title)
		st->title = default_title(l, s, kind, st->id);
	if ((v = jdoc_get(d, s, "description")) >= 0)
		want(l, v, JD_STRING, "description");
	if ((v = jdoc_get(d, s, "instructions")) >= 0)
		check_tmpl(l, v, i, "instructions");
	if ((v = jdoc_get(d, s, "required")) >= 0 && !want(l, v, JD_TRUE, "required"))
		st->required = jdoc_type(d, v) == JD_TRUE;
	if ((v = jdoc_get(d, s, "needs")) >= 0)
		check_needs(l, i, v);
	if ((v = jdoc_get(d, s, "when")) >= 0)
		check_expr(l, v, i, "when");
	if (kind >= 0 && step_kind_automated(kind)) {
		int64_t n;
		if ((v = jdoc_get(d, s, "retry")) >= 0 && !want_int(l, v, "retry", 0, 20, 0, &n))
			st->retry = (int)n;
		if ((v = jdoc_get(d, s, "backoff")) >= 0)
			want_int(l, v, "backoff", 1, PLAY_BACKOFF_MAX, 1, NULL);
		if ((v = jdoc_get(d, s, "timeout")) >= 0)
			want_int(l, v, "timeout", 1, 86400, 1, NULL);
	}
	if (kind >= 0)
		check_kind(l, i, s, kind);
	jdoc_canonical(d, s, &def);
	if (kind == KIND_EXEC)
		resolve_program(l, s, &def);
	st->def = strbuf_detach(&def);
}

/* ---- the play ---------------------------------------------------------------- */

static const char *const top_keys[] = {
	"play", "name", "version", "description", "match", "category", "severity",
	"priority", "steps", "author", "references", "tags", NULL,
};

static void check_top(struct lint *l)
{
	struct jdoc *d = &l->d;
	struct play *p = l->p;
	int v;

	for (int e = jdoc_first(d, 0); e >= 0; e = jdoc_next(d, 0, e)) {
		const char *k = key_name(l, e);
		struct guess g;
		if (is_comment_key(k) || in_list(top_keys, k))
			continue;
		guess_init(&g, k);
		play_guess_list(&g, top_keys);
		if (guess_best(&g))
			report(l, tok_pos(l, key_of(e)), 0, "unknown key '%s' (did you mean '%s'?)", k,
			       guess_best(&g));
		else
			report(l, tok_pos(l, key_of(e)), 0, "unknown key '%s' (play, name, version, "
			       "description, match, category, severity, priority, steps, ...)", k);
	}
	if ((v = jdoc_get(d, 0, "play")) < 0)
		report(l, 0, 0, "missing \"play\": the play's id");
	else if (!want_str(l, v, "play")) {
		if (!valid_id(jdoc_str(d, v), 1))
			report(l, tok_pos(l, v), 0, "play id '%s': lower-case letters, digits and '-'",
			       jdoc_str(d, v));
		p->id = xstrdup(jdoc_str(d, v));
	}
	if ((v = jdoc_get(d, 0, "name")) < 0)
		report(l, 0, 0, "missing \"name\"");
	else if (!want_str(l, v, "name"))
		p->name = xstrdup(jdoc_str(d, v));
	if ((v = jdoc_get(d, 0, "version")) < 0) {
		report(l, 0, 0, "missing \"version\"");
	} else if (jdoc_type(d, v) == JD_NUMBER) {
		size_t len;
		const char *t = jdoc_scalar_text(d, v, &len);
		p->version = xstrndup(t, len);
	} else if (!want_str(l, v, "version")) {
		p->version = xstrdup(jdoc_str(d, v));
	}
	if ((v = jdoc_get(d, 0, "description")) >= 0 && !want(l, v, JD_STRING, "description"))
		p->description = xstrdup(jdoc_str(d, v));
	if ((v = jdoc_get(d, 0, "category")) >= 0 && !want_str(l, v, "category"))
		p->category = xstrdup(jdoc_str(d, v));
	p->severity = -1;
	if ((v = jdoc_get(d, 0, "severity")) >= 0 && !want_str(l, v, "severity") &&
	    (p->severity = severity_parse(jdoc_str(d, v))) < 0)
		report(l, tok_pos(l, v), 0, "severity: '%s' is not low, medium, high or critical",
		       jdoc_str(d, v));
	if ((v = jdoc_get(d, 0, "priority")) >= 0) {
		int64_t n = 0;
		want_int(l, v, "priority", -1000, 1000, 0, &n);
		p->priority = (int)n;
	}
	for (const char *k = "references"; k; k = strcmp(k, "tags") ? "tags" : NULL)
		if ((v = jdoc_get(d, 0, k)) >= 0 && !want(l, v, JD_ARRAY, k))
			for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e))
				want(l, e, JD_STRING, k);
	if ((v = jdoc_get(d, 0, "author")) >= 0)
		want(l, v, JD_STRING, "author");
	if ((v = jdoc_get(d, 0, "match")) < 0)
		report(l, 0, 0, "missing \"match\": the expression that picks alerts for this play");
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
		report(l, 0, 0, "missing \"steps\"");
		return;
	}
	if (want(l, v, JD_ARRAY, "steps"))
		return;
	if (jdoc_first(d, v) < 0) {
		report(l, tok_pos(l, v), 0, "a play needs at least one step");
		return;
	}
	p->steps = xcalloc(d->t[v].len, sizeof *p->steps);
	l->step_tok = xcalloc(d->t[v].len, sizeof *l->step_tok);
	for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e)) {
		if (want(l, e, JD_OBJECT, "a step"))
			continue;
		l->step_tok[i] = e;
		step_head(l, i++, e);
	}
	p->nsteps = i;
	for (i = 0; i < p->nsteps; i++)
		step_body(l, i, l->step_tok[i]);
	check_order(l);
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
		report(&l, (size_t)((const char *)memchr(src, '\0', n) - src), 0, "a NUL byte in the file");
	} else if (jdoc_parse(&l.d, p->source, n, &je)) {
		report(&l, je.offset, 0, "%s", je.msg);
	} else if (jdoc_type(&l.d, 0) != JD_OBJECT) {
		report(&l, 0, 0, "a play is a JSON object, not %s", type_name(jdoc_type(&l.d, 0)));
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
