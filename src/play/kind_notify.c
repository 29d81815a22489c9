/* kind_notify.c: a notify step, messages to a role, the owner or a
 * person through the outbox (the engine's run_notify.c). */
#include <string.h>

#include "irk/identity.h"
#include "irk/model.h"
#include "irk/jdoc.h"
#include "irk/play.h"
#include "irk/strbuf.h"
#include "kind.h"

static const char *const notify_keys[] = { "to", "text", NULL };

static void check_recipient(struct lint *l, int v, int at)
{
	const char *to;

	if (lint_want_str(l, v, "to"))
		return;
	to = jdoc_str(&l->d, v);
	if (!strncmp(to, "role:", 5)) {
		if (role_parse(to + 5) < 0)
			lint_report(l, lint_str_pos(l, v, 5), 0,
				    "to: no role '%s' (analyst, senior, admin)", to + 5);
		return;
	}
	if (!strcmp(to, "owner") || strstr(to, "{{")) {
		lint_tmpl(l, v, at, "to");
		return;
	}
	if (!identity_valid(to))
		lint_report(l, lint_pos(l, v), 0,
			    "to: '%s' is not role:ROLE, owner or a user name", to);
}

static void notify_lint(struct lint *l, int i, int s)
{
	struct jdoc *d = &l->d;
	int v;

	if ((v = jdoc_get(d, s, "to")) < 0) {
		lint_report(l, lint_pos(l, s), 0, "a notify step needs to (role:senior, owner or a user)");
	} else if (jdoc_type(d, v) == JD_ARRAY) {
		if (jdoc_first(d, v) < 0)
			lint_report(l, lint_pos(l, v), 0, "to names nobody");
		for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e))
			check_recipient(l, e, i);
	} else {
		check_recipient(l, v, i);
	}
	if ((v = jdoc_get(d, s, "text")) < 0)
		lint_report(l, lint_pos(l, s), 0, "a notify step needs a text");
	else if (!lint_want_str(l, v, "text"))
		lint_tmpl(l, v, i, "text");
}

/* "Notify role:senior, owner". */
static char *notify_title(struct lint *l, int s)
{
	return lint_title_list(l, s, "to", "Notify ");
}

const struct play_kind_ops play_kind_notify = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = notify_keys,
	.lint = notify_lint,
	.title = notify_title,
};
