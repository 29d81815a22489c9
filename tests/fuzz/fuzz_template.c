/* fuzz_template.c: libFuzzer target for `{{field}}` templates.
 *
 * Never crash, never leak; a parse error has a position; a template with no
 * fields is constant and expands without a lookup; a failed expansion
 * leaves the output buffer as it was; a marked expansion never fails and
 * marks exactly the values it counts missing; filters (default, lower,
 * upper, join, len, json) never read past a value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irk/template.h"

static int look(void *ctx, const char *name, struct expr_value *out)
{
	unsigned h = 5381;

	(void)ctx;
	for (const char *p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	switch (h % 6) {
	case 0: return 1;
	case 1: out->type = EXPR_NULL; return 0;
	case 2: expr_value_set_num(out, (double)h / 7.0); return 0;
	case 3: expr_value_set_bool(out, h & 1); return 0;
	case 4: expr_value_set_str(out, h & 2 ? "[\"a\",1,[2],{\"k\":null}]" : "{\"k\":[1,"); return 0;
	default: expr_value_set_str(out, "{{x}} $(id)"); return 0;
	}
}

static void count(const char *name, int offset, void *arg)
{
	(void)name;
	(void)offset;
	++*(int *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	struct expr_error perr;
	struct irk_err err;
	struct strbuf out = STRBUF_INIT;
	struct tmpl *t;
	int vars = 0;

	memcpy(src, data, size);
	src[size] = '\0';
	t = tmpl_parse(src, &perr);
	if (!t) {
		if (perr.line < 1 || perr.col < 1 || !perr.msg[0])
			abort();
		free(src);
		return 0;
	}
	tmpl_each_var(t, count, &vars);
	if (tmpl_is_constant(t) != (vars == 0))
		abort();
	strbuf_puts(&out, "pre");
	if (tmpl_expand(t, look, NULL, &out, &err) != IRK_OK) {
		if (vars == 0 || strcmp(strbuf_str(&out), "pre"))
			abort();
	}
	strbuf_reset(&out);
	if (tmpl_expand(t, NULL, NULL, &out, &err) != IRK_OK) {
		if (vars == 0 || out.len != 0)
			abort();
	}
	strbuf_reset(&out);
	if (tmpl_expand_marked(t, NULL, NULL, &out) > vars)
		abort();
	(void)tmpl_is_json(t);
	if (tmpl_var_defaulted(t, -1))
		abort();
	strbuf_free(&out);
	tmpl_free(&t);
	free(src);
	return 0;
}
