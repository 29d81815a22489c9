/* test_template.c: `{{field}}` templates in argv elements, notify texts and
 * URLs, as a play author writes them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/template.h"

struct field {
	const char *name;
	enum expr_type type;
	const char *s;
	double n;
};

static const struct field fields[] = {
	{ "incident.key", EXPR_STR, "IR-42", 0 },
	{ "alert.host", EXPR_STR, "web-01", 0 },
	{ "asset.group", EXPR_STR, "web", 0 },
	{ "alert.evil", EXPR_STR, "$(touch pwned); rm -rf / `id` 'q' \"d\" *", 0 },
	{ "alert.braces", EXPR_STR, "{{incident.key}}", 0 },
	{ "alert.multi", EXPR_STR, "line1\nline2\ttab", 0 },
	{ "alert.user", EXPR_NULL, NULL, 0 },
	{ "score", EXPR_NUM, NULL, 75 },
	{ "ratio", EXPR_NUM, NULL, 0.25 },
	{ "flag", EXPR_BOOL, NULL, 1 },
	{ "steps.sampling.output.count", EXPR_NUM, NULL, 12 },
	{ "steps.check-host.output.owner", EXPR_STR, "alice", 0 },
	{ "steps.who.output.users", EXPR_STR, "[\"alice\",\"bob\",3]", 0 },
	{ "steps.who.output.none", EXPR_STR, "", 0 },
	{ "alert.mixed", EXPR_STR, "Web-01.Example", 0 },
	{ NULL, 0, NULL, 0 },
};

static int look(void *ctx, const char *name, struct expr_value *out)
{
	(void)ctx;
	for (const struct field *f = fields; f->name; f++) {
		if (strcmp(f->name, name))
			continue;
		out->type = f->type;
		out->str = f->s;
		out->num = f->n;
		out->boolean = (int)f->n;
		return 0;
	}
	return 1;
}

/* Expand src and compare with want. */
static void expands_to(const char *src, const char *want)
{
	struct irk_err err = { 0 };
	char *got = tmpl_render(src, look, NULL, &err);

	cr_assert_not_null(got, "\"%s\": %s", src, err.msg);
	cr_assert_str_eq(got, want, "expansion of \"%s\"", src);
	free(got);
}

static void parse_error_is(const char *src, const char *msg, int line, int col)
{
	struct expr_error err;
	struct tmpl *t = tmpl_parse(src, &err);

	cr_assert_null(t, "\"%s\" should not parse", src);
	cr_assert_str_eq(err.msg, msg, "for \"%s\"", src);
	cr_assert_eq(err.line, line, "line for \"%s\": %d", src, err.line);
	cr_assert_eq(err.col, col, "col for \"%s\": %d", src, err.col);
}

Test(template, design_example)
{
	expands_to("{{incident.key}} is in the BAD state: duplicate process on {{alert.host}}",
		"IR-42 is in the BAD state: duplicate process on web-01");
	expands_to("{{asset.group}}", "web");
	expands_to("isolate-host", "isolate-host");
}

Test(template, whitespace_inside_braces)
{
	expands_to("{{ alert.host }}", "web-01");
	expands_to("[{{\talert.host\n}}]", "[web-01]");
	expands_to("{{alert.host   }}-{{   incident.key}}", "web-01-IR-42");
}

Test(template, step_outputs)
{
	expands_to("{{steps.sampling.output.count}} samples", "12 samples");
	expands_to("owner={{steps.check-host.output.owner}}", "owner=alice");
}

Test(template, numbers_and_bools_as_text)
{
	expands_to("score={{score}}", "score=75");
	expands_to("{{ratio}}", "0.25");
	expands_to("{{flag}}", "true");
}

Test(template, unknown_field_is_an_error_naming_it)
{
	struct strbuf out = STRBUF_INIT;
	struct irk_err err = { 0 };
	struct tmpl *t = tmpl_parse("isolate {{alert.host}} {{alert.hots}}", NULL);

	cr_assert_not_null(t);
	strbuf_puts(&out, "kept:");
	cr_assert_eq(tmpl_expand(t, look, NULL, &out, &err), IRK_NOTFOUND);
	cr_assert_str_eq(err.msg, "unknown field 'alert.hots' at 1:26");
	cr_assert_str_eq(strbuf_str(&out), "kept:", "nothing half-expanded is left behind");
	cr_assert_eq(out.len, 5);
	tmpl_free(&t);
	cr_assert_null(t);
	strbuf_free(&out);
}

Test(template, null_field_is_an_error)
{
	struct irk_err err = { 0 };

	cr_assert_null(tmpl_render("user:\n  {{ alert.user }}", look, NULL, &err));
	cr_assert_eq(err.code, IRK_NOTFOUND);
	cr_assert_str_eq(err.msg, "null field 'alert.user' at 2:6");
}

Test(template, no_lookup_means_every_field_is_unknown)
{
	struct irk_err err = { 0 };

	cr_assert_null(tmpl_render("{{a}}", NULL, NULL, &err));
	cr_assert_str_eq(err.msg, "unknown field 'a' at 1:3");
	expands_to("constant", "constant");
}

Test(template, hostile_value_is_one_verbatim_string)
{
	/* What an argv element for exec becomes: exactly the bytes of the
	 * value, no shell, no splitting, no quoting added. */
	expands_to("{{alert.evil}}", "$(touch pwned); rm -rf / `id` 'q' \"d\" *");
	expands_to("--host={{alert.evil}}", "--host=$(touch pwned); rm -rf / `id` 'q' \"d\" *");
	expands_to("{{alert.multi}}", "line1\nline2\ttab");
}

Test(template, values_are_not_expanded_again)
{
	expands_to("{{alert.braces}}", "{{incident.key}}");
	expands_to("a{{alert.braces}}b", "a{{incident.key}}b");
}

Test(template, unterminated_braces)
{
	parse_error_is("{{alert.host", "unterminated '{{' at 1:1", 1, 1);
	parse_error_is("ok {{ a }} then {{ b", "unterminated '{{' at 1:17", 1, 17);
	parse_error_is("line one\nhost {{alert.host} x", "unterminated '{{' at 2:6", 2, 6);
	parse_error_is("{{", "unterminated '{{' at 1:1", 1, 1);
}

Test(template, malformed_braces)
{
	parse_error_is("{{}}", "expected a field name or a string after '{{' at 1:3", 1, 3);
	parse_error_is("{{ a b }}", "expected '}}' at 1:6", 1, 6);
	parse_error_is("{{a.}}", "expected a name after '.' at 1:5", 1, 5);
	parse_error_is("{{ 1x }}", "expected a field name or a string after '{{' at 1:4", 1, 4);
	parse_error_is("{{ 'abc }}", "unterminated string at 1:4", 1, 4);
	parse_error_is("{{a == 'b'}}", "expected '}}' at 1:5", 1, 5);
	parse_error_is("{{{a}}}", "expected a field name or a string after '{{' at 1:3", 1, 3);
}

Test(template, literal_braces)
{
	expands_to("{{'{{'}}x}}", "{{x}}");
	expands_to("{{ \"{{\" }}alert.host}}", "{{alert.host}}");
	expands_to("a { b } c }} d", "a { b } c }} d");
	expands_to("{ {alert.host} }", "{ {alert.host} }");
	expands_to("{{'it\\'s'}}", "it's");
}

Test(template, backslash_is_ordinary_text)
{
	expands_to("C:\\{{alert.host}}\\n", "C:\\web-01\\n");
}

Test(template, empty_template)
{
	expands_to("", "");
}

struct seen {
	char names[8][64];
	int offsets[8];
	int n;
};

static void collect(const char *name, int offset, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof s->names[0], "%s", name);
		s->offsets[s->n++] = offset;
	}
}

Test(template, each_var_and_constant)
{
	struct tmpl *t = tmpl_parse("{{incident.key}} on {{ alert.hots }}{{'{{'}}", NULL);
	struct seen s = { .n = 0 };

	cr_assert_not_null(t);
	tmpl_each_var(t, collect, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.names[0], "incident.key");
	cr_assert_eq(s.offsets[0], 2);
	cr_assert_str_eq(s.names[1], "alert.hots");
	cr_assert_eq(s.offsets[1], 23);
	cr_assert_not(tmpl_is_constant(t));
	tmpl_free(&t);

	t = tmpl_parse("plain {{'{{'}} text", NULL);
	cr_assert(tmpl_is_constant(t));
	tmpl_free(&t);
	tmpl_free(&t);
	tmpl_free(NULL);
}

Test(template, render_reports_parse_errors)
{
	struct irk_err err = { 0 };

	cr_assert_null(tmpl_render("x {{ y", look, NULL, &err));
	cr_assert_eq(err.code, IRK_INVALID);
	cr_assert_str_eq(err.msg, "unterminated '{{' at 1:3");
}

Test(template, length_limit)
{
	struct expr_error err;
	char *src = xmalloc(TMPL_MAX_LEN + 2);
	struct tmpl *t;

	memset(src, 'x', TMPL_MAX_LEN + 1);
	src[TMPL_MAX_LEN] = '\0';
	t = tmpl_parse(src, &err);
	cr_assert_not_null(t, "%s", err.msg);
	tmpl_free(&t);
	src[TMPL_MAX_LEN] = 'x';
	src[TMPL_MAX_LEN + 1] = '\0';
	cr_assert_null(tmpl_parse(src, &err));
	cr_assert(strncmp(err.msg, "template too long", 17) == 0, "%s", err.msg);
	free(src);
}

Test(template, many_fields_expand_in_order)
{
	struct strbuf src = STRBUF_INIT, want = STRBUF_INIT;
	char *got;
	struct irk_err err = { 0 };

	for (int i = 0; i < 2000; i++) {
		strbuf_puts(&src, "{{alert.host}},");
		strbuf_puts(&want, "web-01,");
	}
	got = tmpl_render(strbuf_str(&src), look, NULL, &err);
	cr_assert_not_null(got, "%s", err.msg);
	cr_assert_str_eq(got, strbuf_str(&want));
	free(got);
	strbuf_free(&src);
	strbuf_free(&want);
}

/* Issue 13: defaults and filters, as a senior writes them in a play. */
Test(template, filters)
{
	expands_to("{{alert.user | default('n/a')}}", "n/a");
	expands_to("{{alert.nosuch|default('n/a')}}", "n/a");
	expands_to("{{steps.who.output.none | default(\"nobody\")}}", "nobody");
	expands_to("{{alert.host | default('n/a')}}", "web-01");
	expands_to("{{alert.user | default(0)}}", "0");
	expands_to("{{alert.mixed | lower}} {{alert.mixed|upper}}", "web-01.example WEB-01.EXAMPLE");
	expands_to("{{steps.who.output.users | join(', ')}}", "alice, bob, 3");
	expands_to("{{steps.who.output.users | join}}", "alice, bob, 3");
	expands_to("{{steps.who.output.users | join(' ') | upper}}", "ALICE BOB 3");
	expands_to("{{steps.who.output.users | len}} users", "3 users");
	expands_to("{{alert.host | len}}", "6");
	expands_to("{{'Grüße' | len}}", "5");
	expands_to("{{'ABC' | lower}}", "abc");
	/* a missing value passes lower on to the default */
	expands_to("{{alert.user | upper | default('none')}}", "none");
	/* the value is never expanded again, whatever the filter */
	expands_to("{{alert.braces | upper}}", "{{INCIDENT.KEY}}");
}

Test(template, json_filter)
{
	struct tmpl *t;

	expands_to("{\"n\": {{steps.sampling.output.count | json}}}", "{\"n\": 12}");
	expands_to("{{alert.evil | json}}", "\"$(touch pwned); rm -rf / `id` 'q' \\\"d\\\" *\"");
	expands_to("{{alert.multi|json}}", "\"line1\\nline2\\ttab\"");
	expands_to("{{flag | json}}", "true");
	expands_to("{{steps.who.output.users | json}}", "[\"alice\",\"bob\",3]");
	expands_to("{{alert.user | default(7) | json}}", "7");
	expands_to("{{alert.user | default('x') | json}}", "\"x\"");
	t = tmpl_parse(" {{ score | json }} ", NULL);
	cr_assert(tmpl_is_json(t), "one json value, spaces around the braces aside");
	tmpl_free(&t);
	t = tmpl_parse("n={{score | json}}", NULL);
	cr_assert_not(tmpl_is_json(t), "text around it: a string");
	tmpl_free(&t);
	t = tmpl_parse("{{score | json | upper}}", NULL);
	cr_assert_not(tmpl_is_json(t), "json not last: a string");
	tmpl_free(&t);
}

Test(template, filter_errors)
{
	parse_error_is("{{alert.host | lowr}}", "unknown filter 'lowr' (filters: default, lower, upper, "
		       "join, len, json) at 1:16", 1, 16);
	parse_error_is("x\n  {{ alert.host | default }}", "default needs a value: default('n/a') at 2:19",
		       2, 19);
	parse_error_is("{{alert.host | upper('x')}}", "upper takes no value at 1:16", 1, 16);
	parse_error_is("{{alert.host | default('a', 'b')}}", "default takes at most 1 value at 1:27",
		       1, 27);
	parse_error_is("{{alert.host | default('a}}", "unterminated string at 1:24", 1, 24);
	parse_error_is("{{alert.host | }}", "expected a filter after '|' (default, lower, upper, "
		       "join, len, json) at 1:16", 1, 16);
	parse_error_is("{{alert.host | default(x)}}", "expected a string or a number at 1:24", 1, 24);
}

Test(template, marked)
{
	int missing = -1;
	char *s = tmpl_render_marked("Call {{alert.user}} about {{alert.host}} ({{alert.nosuch | "
				     "default('?')}}) {{incident.key}}", look, NULL, &missing);

	cr_assert_str_eq(s, "Call [missing: alert.user] about web-01 (?) IR-42");
	cr_assert_eq(missing, 1);
	free(s);
	s = tmpl_render_marked("broken {{", look, NULL, &missing);
	cr_assert_str_eq(s, "broken {{", "a text that does not parse stays as written");
	cr_assert_eq(missing, 0);
	free(s);
}

Test(template, defaulted_vars)
{
	struct tmpl *t = tmpl_parse("{{a | default('x')}} {{b}}", NULL);

	cr_assert(tmpl_var_defaulted(t, 2));
	cr_assert_not(tmpl_var_defaulted(t, 23));
	tmpl_free(&t);
}
