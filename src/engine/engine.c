/* engine.c: temporary until the sequencer lands: no engine. */
#include <stddef.h>

#include "irk/engine.h"

struct engine *engine_start(const char *db_path, const struct config *cfg,
			    struct irk_err *err)
{
	(void)db_path;
	(void)cfg;
	irk_fail(err, IRK_ERROR, "the sequencer is not built yet");
	return NULL;
}

int engine_fd(const struct engine *e)
{
	(void)e;
	return -1;
}

void engine_drain(struct engine *e)
{
	(void)e;
}

void engine_stop(struct engine **e)
{
	if (e)
		*e = NULL;
}
