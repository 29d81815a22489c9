/* fuzz_expr.c: libFuzzer target for the expression language.
 *
 * Beyond "never crash, never leak": every accepted expression evaluates,
 * prints in canonical form, and that form parses again to the same
 * expression (same canonical text, same result, same fields); every
 * rejected one has a position and a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irk/expr.h"

/* Values chosen from the name, so the same name always means the same. */
static int look(void *ctx, const char *name, struct expr_value *out)
{
	static const char *const strs[] = { "high", "LOW", "42", "-0.5", "",
		"web-01", "true", "10.1.2.3", "critical" };
	unsigned h = 5381;

	(void)ctx;
	for (const char *p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	switch (h % 6) {
	case 0: return 1;
	case 1: out->type = EXPR_NULL; return 0;
	case 2: expr_value_set_str(out, strs[(h / 6) % 9]); return 0;
	case 3: expr_value_set_num(out, (double)(int)(h / 6 % 200) - 100.0); return 0;
	case 4: expr_value_set_bool(out, (h / 6) & 1); return 0;
	default: expr_value_set_str(out, name); return 0;
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
	struct expr_error err;
	struct expr *e, *again;
	char *one, *two;
	int n1 = 0, n2 = 0, line, col;

	memcpy(src, data, size);
	src[size] = '\0';
	e = expr_parse(src, &err);
	if (!e) {
		if (err.line < 1 || err.col < 1 || !err.msg[0] || err.offset < 0)
			abort();
		expr_position(src, err.offset, &line, &col);
		free(src);
		return 0;
	}
	one = expr_to_string(e);
	again = expr_parse(one, &err);
	if (!again) {
		/* The canonical form must parse, unless its added parentheses
		 * pass the nesting limit. */
		if (!strstr(err.msg, "nesting too deep"))
			abort();
		free(one);
		expr_free(&e);
		free(src);
		return 0;
	}
	two = expr_to_string(again);
	if (strcmp(one, two))
		abort();        /* and print the same */
	if (expr_eval(e, look, NULL) != expr_eval(again, look, NULL))
		abort();        /* and mean the same */
	if (expr_eval(e, NULL, NULL) != expr_eval(again, NULL, NULL))
		abort();
	expr_each_var(e, count, &n1);
	expr_each_var(again, count, &n2);
	if (n1 != n2)
		abort();
	free(one);
	free(two);
	expr_free(&again);
	expr_free(&e);
	free(src);
	return 0;
}
