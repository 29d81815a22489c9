/* inputs.c: the inputs a manual step declares (irk-play(5) "inputs"), and
 * whether a value fits one.
 *
 * An input may list its allowed values ("choices") or give a pattern the
 * whole value must match. Later steps compare inputs in their `when`
 * (steps.success.inputs.compromised == 'yes'): a value outside the ones
 * the play expects would make every such comparison false and skip those
 * steps without a word, so the value is refused when the step is done.
 * The front ends read the same declaration to offer the choices. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/expr.h"
#include "irk/jdoc.h"
#include "irk/play.h"
#include "play_impl.h"

void play_inputs_from(struct play_inputs *in, const struct jdoc *d, int tok)
{
	memset(in, 0, sizeof *in);
	if (tok < 0 || jdoc_type(d, tok) != JD_ARRAY)
		return;
	in->v = xcalloc(d->t[tok].len + 1, sizeof *in->v);
	for (int e = jdoc_first(d, tok); e >= 0; e = jdoc_next(d, tok, e)) {
		struct play_input *pi = &in->v[in->n];
		const char *name = jdoc_str(d, e);
		int obj = jdoc_type(d, e) == JD_OBJECT, v;

		if (obj)
			name = jdoc_str(d, jdoc_get(d, e, "name"));
		if (!name)
			continue;
		pi->name = xstrdup(name);
		if (obj) {
			const char *label = jdoc_str(d, jdoc_get(d, e, "label"));
			const char *pattern = jdoc_str(d, jdoc_get(d, e, "pattern"));
			pi->label = label && *label ? xstrdup(label) : NULL;
			pi->pattern = pattern && *pattern ? xstrdup(pattern) : NULL;
			pi->required = jdoc_type(d, jdoc_get(d, e, "required")) == JD_TRUE;
			if ((v = jdoc_get(d, e, "choices")) >= 0 && jdoc_type(d, v) == JD_ARRAY) {
				pi->choices = xcalloc(d->t[v].len + 1, sizeof *pi->choices);
				for (int c = jdoc_first(d, v); c >= 0; c = jdoc_next(d, v, c))
					if (jdoc_str(d, c))
						pi->choices[pi->nchoices++] = xstrdup(jdoc_str(d, c));
			}
		}
		in->n++;
	}
}

void play_inputs_parse(struct play_inputs *in, const char *def_json)
{
	struct jdoc d;
	struct jdoc_error je;

	memset(in, 0, sizeof *in);
	if (!def_json)
		return;
	jdoc_init(&d);
	if (!jdoc_parse(&d, def_json, strlen(def_json), &je) && jdoc_type(&d, 0) == JD_OBJECT)
		play_inputs_from(in, &d, jdoc_get(&d, 0, "inputs"));
	jdoc_free(&d);
}

void play_inputs_free(struct play_inputs *in)
{
	for (int i = 0; i < in->n; i++) {
		struct play_input *pi = &in->v[i];
		free(pi->name);
		free(pi->label);
		free(pi->pattern);
		for (int c = 0; c < pi->nchoices; c++)
			free(pi->choices[c]);
		free(pi->choices);
	}
	free(in->v);
	memset(in, 0, sizeof *in);
}

const struct play_input *play_inputs_find(const struct play_inputs *in, const char *name)
{
	for (int i = 0; name && i < in->n; i++)
		if (!strcmp(in->v[i].name, name))
			return &in->v[i];
	return NULL;
}

void play_input_choices(const struct play_input *in, struct strbuf *out)
{
	for (int c = 0; c < in->nchoices; c++)
		strbuf_printf(out, "%s%s", c ? ", " : "", in->choices[c]);
}

/* ---- patterns ------------------------------------------------------------ */

/* A pattern is matched as the expression `v ~ '^(PATTERN)$'`: the
 * expression language already vets regexes (no back-references, bounded
 * size) and matches them, and anchoring makes it the whole value. */
struct expr *play_pattern_compile(const char *pattern, struct expr_error *ee)
{
	struct strbuf src = STRBUF_INIT;
	struct expr *e;

	strbuf_puts(&src, "v ~ '^(");
	for (const char *p = pattern; *p; p++) {
		switch (*p) {
		case '\\': strbuf_puts(&src, "\\\\"); break;
		case '\'': strbuf_puts(&src, "\\'"); break;
		case '\n': strbuf_puts(&src, "\\n"); break;
		case '\t': strbuf_puts(&src, "\\t"); break;
		case '\r': strbuf_puts(&src, "\\r"); break;
		default: strbuf_addc(&src, *p); break;
		}
	}
	strbuf_puts(&src, ")$'");
	e = expr_parse(strbuf_str(&src), ee);
	strbuf_free(&src);
	return e;
}

static int value_of(void *ctx, const char *name, struct expr_value *out)
{
	(void)name;
	expr_value_set_str(out, ctx);
	return 0;
}

int play_pattern_match(const struct expr *e, const char *value)
{
	return expr_eval(e, value_of, (void *)value);
}

/* ---- checking a value ------------------------------------------------------ */

int play_input_check(const struct play_input *in, const char *value, const char **canon,
		     struct irk_err *err)
{
	*canon = value;
	if (!value || !*value)
		return IRK_OK;
	if (in->nchoices) {
		struct strbuf names = STRBUF_INIT;
		/* Whatever the case typed, the value recorded is the choice as
		 * declared: that is what `when` compares with. */
		for (int c = 0; c < in->nchoices; c++)
			if (!strcasecmp(in->choices[c], value)) {
				*canon = in->choices[c];
				return IRK_OK;
			}
		play_input_choices(in, &names);
		irk_fail(err, IRK_INVALID, "input %s is '%.64s%s'; it must be one of: %s", in->name,
			 value, strlen(value) > 64 ? "..." : "", strbuf_str(&names));
		strbuf_free(&names);
		return IRK_INVALID;
	}
	if (in->pattern) {
		struct expr_error ee;
		struct expr *e = play_pattern_compile(in->pattern, &ee);
		int ok = e && play_pattern_match(e, value);
		expr_free(&e);
		if (!ok && in->label)
			return irk_fail(err, IRK_INVALID, "input %s is '%.64s%s'; it must match %s (%s)",
					in->name, value, strlen(value) > 64 ? "..." : "", in->pattern,
					in->label);
		if (!ok)
			return irk_fail(err, IRK_INVALID, "input %s is '%.64s%s'; it must match %s",
					in->name, value, strlen(value) > 64 ? "..." : "", in->pattern);
	}
	return IRK_OK;
}
