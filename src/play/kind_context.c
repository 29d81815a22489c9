/* kind_context.c: a context step: the engine's run_context.c asks the
 * context sources of irk.conf about the incident now and feeds the
 * answers into it (criticality, business unit, observables), so the steps
 * after it read fresh asset.*, user.*, tickets.* and changes.*. `cached`
 * keeps answers still within their source's ttl; `strict` fails the step
 * (retry applies) when a source could not answer. */
#include "irk/jdoc.h"
#include "irk/play.h"
#include "irk/strbuf.h"
#include "kind.h"

static const char *const context_keys[] = { "cached", "strict", NULL };

static void context_lint(struct lint *l, int i, int s)
{
	static const char *const flags[] = { "cached", "strict", NULL };
	int v;

	(void)i;
	for (int k = 0; flags[k]; k++)
		if ((v = jdoc_get(&l->d, s, flags[k])) >= 0)
			lint_want(l, v, JD_TRUE, flags[k]);
}

static char *context_title(struct lint *l, int s)
{
	(void)l;
	(void)s;
	return xstrdup("Look up the asset, user, tickets and changes");
}

const struct play_kind_ops play_kind_context = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = context_keys,
	.lint = context_lint,
	.title = context_title,
};
