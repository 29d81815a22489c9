/* kind.c: the table of step kinds, generated from IRK_STEP_KINDS: each
 * row's name, article, help and ops (src/play/kind_NAME.c). */
#include <string.h>

#include "irk/play.h"
#include "kind.h"

#define X_KIND(e, n, an, ops, h) [e] = { n, an, h, &ops },
static const struct {
	const char *name, *an, *help;
	const struct play_kind_ops *ops;
} kinds[] = {
	IRK_STEP_KINDS(X_KIND)
};
#undef X_KIND

_Static_assert(sizeof kinds / sizeof kinds[0] == KIND_COUNT, "a row per kind");

const struct play_kind_ops *play_kind(int k)
{
	return k >= 0 && k < KIND_COUNT ? kinds[k].ops : NULL;
}

const char *step_kind_name(int k)
{
	return k >= 0 && k < KIND_COUNT ? kinds[k].name : "?";
}

const char *step_kind_an(int k)
{
	return k >= 0 && k < KIND_COUNT ? kinds[k].an : "a ?";
}

const char *step_kind_help(int k)
{
	return k >= 0 && k < KIND_COUNT ? kinds[k].help : "";
}

int step_kind_parse(const char *s)
{
	for (int k = 0; s && k < KIND_COUNT; k++)
		if (!strcmp(s, kinds[k].name))
			return k;
	return -1;
}

int step_kind_has(int k, unsigned flags)
{
	return k >= 0 && k < KIND_COUNT && (kinds[k].ops->flags & flags) == flags;
}

int step_kind_automated(int k)
{
	return step_kind_has(k, STEP_KIND_AUTOMATED);
}

void step_kind_names(struct strbuf *out)
{
	for (int k = 0; k < KIND_COUNT; k++)
		strbuf_printf(out, "%s%s", k ? ", " : "", kinds[k].name);
}

int play_kind_gives(int k, const char *name)
{
	const struct play_kind_ops *ops = play_kind(k);

	return ops && ops->gives && lint_in_list(ops->gives, name);
}
