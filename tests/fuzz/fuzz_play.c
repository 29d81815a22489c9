/* fuzz_play.c: play_parse (lint) on arbitrary bytes: it reads files a
 * senior hands it, and maps expression and template offsets back through
 * JSON escapes to file positions, which must stay inside the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/play.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct strbuf sb = STRBUF_INIT;

	play_parse("fuzz.json", (const char *)data, size, &p, &d);
	for (size_t i = 0; i < d.n; i++) {
		/* Every position names a place in the file. */
		if (d.v[i].line < 1 || d.v[i].col < 1)
			abort();
		play_diag_format(&d.v[i], &sb);
	}
	if (p && (p->nsteps < 1 || !p->match))
		abort();
	strbuf_free(&sb);
	play_free(&p);
	play_diags_free(&d);
	return 0;
}
