/* kind_set.c: a set step, incident fields set through the lifecycle
 * layer (the engine's run_set.c). */
#include "irk/guess.h"
#include "irk/jdoc.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/strbuf.h"
#include "kind.h"

static const char *const set_keys[] = { "fields", NULL };

/* A set step naming a field that cannot be set: a typo of one, or the
 * list of those that can. */
static void unknown_set_field(struct lint *l, int e)
{
	struct guess g;
	struct strbuf names = STRBUF_INIT;

	guess_init(&g, lint_key(l, e));
	for (const struct field_def *f = incident_fields; f->name; f++) {
		if (f->set == SET_NONE)
			continue;
		guess_consider(&g, "", f->name);
		strbuf_printf(&names, "%s%s", names.len ? ", " : "", f->name);
	}
	if (incident_field_typed(lint_key(l, e), NULL))
		lint_report(l, lint_pos(l, lint_key_of(e)), 0, "fields: '%s' is not a field a play can "
			    "set (%s)", lint_key(l, e), incident_field_typed(lint_key(l, e), NULL)->help);
	else if (guess_best(&g))
		lint_report(l, lint_pos(l, lint_key_of(e)), 0, "fields: '%s' is not an incident field (did you "
			    "mean '%s'?)", lint_key(l, e), guess_best(&g));
	else
		lint_report(l, lint_pos(l, lint_key_of(e)), 0, "fields: '%s' is not an incident field (%s)",
			    lint_key(l, e), strbuf_str(&names));
	strbuf_free(&names);
}

static void set_lint(struct lint *l, int i, int s)
{
	struct jdoc *d = &l->d;
	int v;

	if ((v = jdoc_get(d, s, "fields")) < 0) {
		lint_report(l, lint_pos(l, s), 0, "a set step needs fields (an object of field: value)");
		return;
	}
	lint_tmpl_map(l, v, i, "fields", 0);
	if (jdoc_type(d, v) == JD_OBJECT && jdoc_first(d, v) < 0)
		lint_report(l, lint_pos(l, v), 0, "fields sets nothing");
	for (int e = jdoc_first(d, v); e >= 0 && jdoc_type(d, v) == JD_OBJECT; e = jdoc_next(d, v, e)) {
		const struct field_def *f = incident_field_find(lint_key(l, e));
		int alias;
		if (!f)
			unknown_set_field(l, e);
		else if (incident_field_typed(lint_key(l, e), &alias) && alias)
			lint_report(l, lint_pos(l, lint_key_of(e)), 1, "fields: '%s' is now called '%s'",
				    lint_key(l, e), f->name);
	}
}

/* "Set owner, category". */
static char *set_title(struct lint *l, int s)
{
	return lint_title_list(l, s, "fields", "Set ");
}

const struct play_kind_ops play_kind_set = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = set_keys,
	.lint = set_lint,
	.title = set_title,
};
