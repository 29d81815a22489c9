/* kind_approval.c: an approval, granted or denied by a person with the
 * step's role (senior by default), never by the one who asked for it. */
#include <string.h>

#include "irk/identity.h"
#include "irk/model.h"
#include "irk/incident.h"
#include "irk/jdoc.h"
#include "irk/play.h"
#include "irk/store.h"
#include "kind.h"
#include "play_impl.h"

static const char *const approval_keys[] = { "role", NULL };

static void approval_lint(struct lint *l, int i, int s)
{
	struct jdoc *d = &l->d;
	int v;

	(void)i;
	if ((v = jdoc_get(d, s, "role")) >= 0 && !lint_want_str(l, v, "role") &&
	    role_parse(jdoc_str(d, v)) < 0)
		lint_report(l, lint_pos(l, v), 0, "role: no role '%s' (analyst, senior, admin)",
			    jdoc_str(d, v));
}

/* Who asked: the person whose action made it due; when the play did (at
 * assignment, after an automated step) nobody: any holder of the role may
 * decide, the person who ran the ingest too. */
static void approval_due(struct step_row *r, const struct incident *inc, const char *actor)
{
	(void)inc;
	step_row_set(&r->requested_by, actor);
}

const struct play_kind_ops play_kind_approval = {
	.flags = STEP_KIND_DECIDED,
	.keys = approval_keys,
	.lint = approval_lint,
	.due = approval_due,
};
