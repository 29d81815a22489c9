/* demo.c: temporary until the generator lands. */
#include "irk/demo.h"

int demo_fill(struct store *s, const struct demo_opts *o, struct demo_stats *st,
	      struct irk_err *err)
{
	(void)s; (void)o; (void)st;
	return irk_fail(err, IRK_ERROR, "the demo generator is not built yet");
}
