/* kind_ansible.c: an ansible step, a playbook run against hosts or a
 * group by the engine's run_ansible.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "irk/jdoc.h"
#include "irk/play.h"
#include "kind.h"

static const char *const ansible_keys[] = { "playbook", "hosts", "vars", "connection", "check",
	NULL };

static void ansible_lint(struct lint *l, int i, int s)
{
	struct jdoc *d = &l->d;
	int v;

	if ((v = jdoc_get(d, s, "playbook")) < 0)
		lint_report(l, lint_pos(l, s), 0, "an ansible step needs a playbook");
	else if (!lint_want_str(l, v, "playbook")) {
		const char *pb = jdoc_str(d, v);
		char path[4096];
		struct stat sb;
		if (pb[0] == '/')
			snprintf(path, sizeof path, "%s", pb);
		else
			snprintf(path, sizeof path, "%s/%s", l->p->dir, pb);
		if (stat(path, &sb) != 0)
			lint_report(l, lint_pos(l, v), 1, "playbook %s: %s", path, strerror(errno));
	}
	if ((v = jdoc_get(d, s, "hosts")) < 0)
		lint_report(l, lint_pos(l, s), 0, "an ansible step needs hosts (names, a group, or a template)");
	else
		lint_tmpl(l, v, i, "hosts");
	if ((v = jdoc_get(d, s, "vars")) >= 0 && !lint_want(l, v, JD_OBJECT, "vars"))
		lint_tmpl_tree(l, v, i, "vars");
	if ((v = jdoc_get(d, s, "connection")) >= 0)
		lint_want_str(l, v, "connection");
	if ((v = jdoc_get(d, s, "check")) >= 0)
		lint_want(l, v, JD_TRUE, "check");
}

const struct play_kind_ops play_kind_ansible = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = ansible_keys,
	.lint = ansible_lint,
};
