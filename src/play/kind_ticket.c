/* kind_ticket.c: a ticket step: a ticket created in a ticket source of
 * irk.conf (rt or jira), or a comment on one (the engine's run_ticket.c).
 * With `ticket` it comments on that ticket (a template: "{{steps.open.
 * output.key}}"); without, it creates one in `queue` (the source's when
 * absent) with `subject`. `text` is the body either way. */
#include <string.h>

#include "irk/jdoc.h"
#include "irk/play.h"
#include "kind.h"

static const char *const ticket_keys[] = { "source", "ticket", "queue", "type", "subject", "text",
	NULL };

static void ticket_lint(struct lint *l, int i, int s)
{
	static const char *const tmpls[] = { "ticket", "queue", "type", "subject", "text", NULL };
	struct jdoc *d = &l->d;
	int v, comment = jdoc_get(d, s, "ticket") >= 0;

	if ((v = jdoc_get(d, s, "source")) < 0)
		lint_report(l, lint_pos(l, s), 0, "a ticket step needs a source (the NAME of a "
			    "[context.NAME] section of type rt or jira in irk.conf)");
	else if (!lint_want_str(l, v, "source") && !lint_valid_id(jdoc_str(d, v), 0))
		lint_report(l, lint_pos(l, v), 0, "source: '%s' is not a source name", jdoc_str(d, v));
	for (int k = 0; tmpls[k]; k++)
		if ((v = jdoc_get(d, s, tmpls[k])) >= 0 && !lint_want_str(l, v, tmpls[k]))
			lint_tmpl(l, v, i, tmpls[k]);
	if (!comment && jdoc_get(d, s, "subject") < 0)
		lint_report(l, lint_pos(l, s), 0, "a ticket step that creates a ticket needs a subject "
			    "(or ticket, to comment on one)");
	if (comment && jdoc_get(d, s, "text") < 0)
		lint_report(l, lint_pos(l, s), 0, "a ticket step that comments needs a text");
	if (comment && (v = jdoc_get(d, s, "queue")) >= 0)
		lint_report(l, lint_pos(l, v), 1, "queue: a comment goes to its ticket; queue is not used");
}

/* "Open a ticket in rt", "Comment in jira". */
static char *ticket_title(struct lint *l, int s)
{
	const char *src = jdoc_str(&l->d, jdoc_get(&l->d, s, "source"));
	struct strbuf t = STRBUF_INIT;

	strbuf_printf(&t, "%s in %s", jdoc_get(&l->d, s, "ticket") >= 0 ? "Comment on a ticket" :
		      "Open a ticket", src ? src : "?");
	return strbuf_detach(&t);
}

const struct play_kind_ops play_kind_ticket = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = ticket_keys,
	.lint = ticket_lint,
	.title = ticket_title,
};
