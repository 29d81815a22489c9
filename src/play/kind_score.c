/* kind_score.c: a score step, confidence 0-100 from the alert history
 * (the engine's run_score.c computes it); later steps read it as score. */
#include "irk/jdoc.h"
#include "irk/play.h"
#include "irk/strbuf.h"
#include "kind.h"

static const char *const score_keys[] = { "window", NULL };
static const char *const score_gives[] = { "score", NULL };

static void score_lint(struct lint *l, int i, int s)
{
	int v;

	(void)i;
	if ((v = jdoc_get(&l->d, s, "window")) >= 0)
		lint_want_int(l, v, "window", 60, 366 * 86400, 1, NULL);
}

static char *score_title(struct lint *l, int s)
{
	(void)l;
	(void)s;
	return xstrdup("Score confidence from the alert history");
}

const struct play_kind_ops play_kind_score = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = score_keys,
	.gives = score_gives,
	.lint = score_lint,
	.title = score_title,
};
