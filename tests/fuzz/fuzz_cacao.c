/* fuzz_cacao.c: the CACAO 2.0 reader (irk play import) on arbitrary bytes.
 *
 * Never crash, never leak; a refusal says why; an import writes valid
 * JSON that play_parse reads without crashing, and every report note has
 * a JSON path starting with "$"; when the playbook had steps and nothing
 * was left unmapped, the play lints with no error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irk/cacao.h"
#include "irk/jdoc.h"
#include "irk/play.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out = STRBUF_INIT;
	struct cacao_report rep = { 0 };
	struct irk_err err = { 0 };
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct jdoc doc;
	int rc = cacao_import((const char *)data, size, NULL, &out, &rep, &err);

	if (rc < 0) {
		if (!err.msg[0] || out.len)
			abort();
		goto done;
	}
	jdoc_init(&doc);
	if (jdoc_parse(&doc, out.buf, out.len, NULL))
		abort();
	jdoc_free(&doc);
	for (size_t i = 0; i < rep.n; i++)
		if (rep.v[i].path[0] != '$' || !rep.v[i].what[0])
			abort();
	if ((rc == 1) != (rep.n > 0))
		abort();
	play_parse("fuzz.json", out.buf, out.len, &p, &d);
	if (rc == 0 && d.errors)
		abort();
done:
	play_free(&p);
	play_diags_free(&d);
	cacao_report_free(&rep);
	strbuf_free(&out);
	return 0;
}
