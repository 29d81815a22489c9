/* kind_open.c: an open step, an incident for each host a template lists
 * ("every other host found gets its own incident"), linked as this one's
 * children (the engine's run_open.c). */
#include "irk/jdoc.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/strbuf.h"
#include "kind.h"

static const char *const open_keys[] = { "hosts", "title", "severity", "play", NULL };

static void open_lint(struct lint *l, int i, int s)
{
	struct jdoc *d = &l->d;
	int v;

	if ((v = jdoc_get(d, s, "hosts")) < 0)
		lint_report(l, lint_pos(l, s), 0, "an open step needs hosts (a template listing "
			    "hosts, such as {{steps.hunt.inputs.other_hosts}})");
	else if (!lint_want_str(l, v, "hosts"))
		lint_tmpl(l, v, i, "hosts");
	if ((v = jdoc_get(d, s, "title")) >= 0 && !lint_want_str(l, v, "title"))
		lint_tmpl(l, v, i, "title");
	if ((v = jdoc_get(d, s, "severity")) >= 0 && !lint_want_str(l, v, "severity") &&
	    severity_parse(jdoc_str(d, v)) < 0)
		lint_report(l, lint_pos(l, v), 0, "severity: '%s' is not low, medium, high or critical",
			    jdoc_str(d, v));
	if ((v = jdoc_get(d, s, "play")) >= 0 && !lint_want_str(l, v, "play") &&
	    !lint_valid_id(jdoc_str(d, v), 1))
		lint_report(l, lint_pos(l, v), 0, "play: '%s' is not a play id", jdoc_str(d, v));
}

static char *open_title(struct lint *l, int s)
{
	(void)l;
	(void)s;
	return xstrdup("Open an incident for each other host");
}

const struct play_kind_ops play_kind_open = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = open_keys,
	.lint = open_lint,
	.title = open_title,
};
