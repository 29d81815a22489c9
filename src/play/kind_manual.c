/* kind_manual.c: a manual step, which a person does: instructions, a
 * checklist to tick, inputs to record (irk-play(5) STEP KINDS). */
#include <string.h>
#include <strings.h>

#include "irk/guess.h"
#include "irk/jdoc.h"
#include "irk/play.h"
#include "kind.h"
#include "play_impl.h"

static const char *const manual_keys[] = { "checklist", "checklist_required", "inputs", NULL };
static const char *const input_keys[] = { "name", "label", "required", "choices", "pattern",
	NULL };

/* The choices of an input: distinct non-empty strings (a value is matched
 * without regard to case, so "Yes" and "yes" are one choice). */
static void check_choices(struct lint *l, int v)
{
	struct jdoc *d = &l->d;

	if (lint_want(l, v, JD_ARRAY, "inputs: choices"))
		return;
	if (jdoc_first(d, v) < 0)
		lint_report(l, lint_pos(l, v), 0, "inputs: choices must list at least one value");
	for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e)) {
		if (lint_want_str(l, e, "inputs: a choice"))
			continue;
		if (strlen(jdoc_str(d, e)) > 256) {
			lint_report(l, lint_pos(l, e), 0, "inputs: a choice is limited to 256 bytes");
			continue;
		}
		for (int f = jdoc_first(d, v); f >= 0 && f != e; f = jdoc_next(d, v, f))
			if (jdoc_str(d, f) && !strcasecmp(jdoc_str(d, f), jdoc_str(d, e))) {
				lint_report(l, lint_pos(l, e), 0, "inputs: choice '%s' is listed twice",
					    jdoc_str(d, e));
				break;
			}
	}
}

static void check_pattern(struct lint *l, int v)
{
	struct expr_error ee;
	struct expr *e;

	if (lint_want_str(l, v, "inputs: pattern"))
		return;
	if (!(e = play_pattern_compile(jdoc_str(&l->d, v), &ee)))
		lint_report(l, lint_pos(l, v), 0, "inputs: pattern: %s",
			    lint_strip_at(ee.msg, ee.line, ee.col));
	expr_free(&e);
}

static void unknown_input_key(struct lint *l, int f, const char *k)
{
	struct guess g;

	guess_init(&g, k);
	play_guess_list(&g, input_keys);
	if (guess_best(&g))
		lint_report(l, lint_pos(l, lint_key_of(f)), 0, "inputs: unknown key '%s' (did you mean '%s'?)",
			    k, guess_best(&g));
	else
		lint_report(l, lint_pos(l, lint_key_of(f)), 0, "inputs: unknown key '%s' (name, label, "
			    "required, choices, pattern)", k);
}

static void check_inputs(struct lint *l, int v)
{
	if (lint_want(l, v, JD_ARRAY, "inputs"))
		return;
	for (int e = jdoc_first(&l->d, v); e >= 0; e = jdoc_next(&l->d, v, e)) {
		int name = -1, choices = -1, pattern = -1;
		if (jdoc_type(&l->d, e) == JD_STRING) {
			name = e;
		} else if (jdoc_type(&l->d, e) == JD_OBJECT) {
			for (int f = jdoc_first(&l->d, e); f >= 0; f = jdoc_next(&l->d, e, f)) {
				const char *k = lint_key(l, f);
				if (!strcmp(k, "name"))
					name = f;
				else if (!strcmp(k, "label"))
					lint_want_str(l, f, "inputs: label");
				else if (!strcmp(k, "required"))
					lint_want(l, f, JD_TRUE, "inputs: required");
				else if (!strcmp(k, "choices"))
					check_choices(l, choices = f);
				else if (!strcmp(k, "pattern"))
					check_pattern(l, pattern = f);
				else if (!lint_is_comment_key(k))
					unknown_input_key(l, f, k);
			}
			if (choices >= 0 && pattern >= 0)
				lint_report(l, lint_pos(l, lint_key_of(pattern)), 0,
					    "inputs: give choices or a pattern, not both");
			if (name < 0) {
				lint_report(l, lint_pos(l, e), 0, "an input needs a name");
				continue;
			}
		} else {
			lint_report(l, lint_pos(l, e), 0, "an input is a name or {\"name\": ..., \"label\": ...}");
			continue;
		}
		if (lint_want_str(l, name, "input name"))
			continue;
		if (!lint_valid_id(jdoc_str(&l->d, name), 0))
			lint_report(l, lint_pos(l, name), 0,
				    "input name '%s': use letters, digits, '_' and '-'", jdoc_str(&l->d, name));
		for (int f = jdoc_first(&l->d, v); f >= 0 && f != e; f = jdoc_next(&l->d, v, f)) {
			int fn = jdoc_type(&l->d, f) == JD_OBJECT ? jdoc_get(&l->d, f, "name") : f;
			if (jdoc_str(&l->d, fn) && !strcmp(jdoc_str(&l->d, fn), jdoc_str(&l->d, name))) {
				lint_report(l, lint_pos(l, name), 0, "input '%s' is declared twice",
					    jdoc_str(&l->d, name));
				break;
			}
		}
	}
}

static void manual_lint(struct lint *l, int i, int s)
{
	struct jdoc *d = &l->d;
	int v;

	if ((v = jdoc_get(d, s, "checklist")) >= 0 && !lint_want(l, v, JD_ARRAY, "checklist"))
		for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e))
			lint_tmpl(l, e, i, "checklist item");
	if ((v = jdoc_get(d, s, "inputs")) >= 0)
		check_inputs(l, v);
	if ((v = jdoc_get(d, s, "checklist_required")) >= 0 &&
	    !lint_want(l, v, JD_TRUE, "checklist_required") && jdoc_type(d, v) == JD_TRUE) {
		int c = jdoc_get(d, s, "checklist");
		if (c < 0 || jdoc_type(d, c) != JD_ARRAY || jdoc_first(d, c) < 0)
			lint_report(l, lint_pos(l, lint_key_of(v)), 0,
				    "checklist_required: the step has no checklist to tick");
	}
}

const struct play_kind_ops play_kind_manual = {
	.flags = STEP_KIND_INPUTS,
	.keys = manual_keys,
	.lint = manual_lint,
};
