/* test_expr.c: the expression language as a play author meets it: `match`,
 * `when` and board filters. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/expr.h"

struct field {
	const char *name;
	enum expr_type type;
	const char *s;
	double n;
};

/* An alert and incident as a lookup would present them. */
static const struct field alert[] = {
	{ "rule", EXPR_STR, "RaiseSystemProcessDuplicate", 0 },
	{ "severity", EXPR_STR, "high", 0 },
	{ "alert.host", EXPR_STR, "web-01", 0 },
	{ "alert.src_ip", EXPR_STR, "10.1.2.3", 0 },
	{ "alert.port", EXPR_STR, "8080", 0 },
	{ "alert.version", EXPR_STR, "10", 0 },
	{ "alert.title", EXPR_STR, "Mimikatz.EXE detected", 0 },
	{ "alert.path", EXPR_STR, "C:\\Windows\\evil.exe", 0 },
	{ "alert.quote", EXPR_STR, "it's \"here\"", 0 },
	{ "alert.user", EXPR_NULL, NULL, 0 },      /* JSON null */
	{ "alert.empty", EXPR_STR, "", 0 },
	{ "score", EXPR_NUM, NULL, 75 },
	{ "ratio", EXPR_NUM, NULL, 0.25 },
	{ "zero", EXPR_NUM, NULL, 0 },
	{ "flag", EXPR_BOOL, NULL, 1 },
	{ "off", EXPR_BOOL, NULL, 0 },
	{ "steps.sampling.output.count", EXPR_NUM, NULL, 12 },
	{ "steps.check-host.output.ok", EXPR_BOOL, NULL, 1 },
	{ NULL, 0, NULL, 0 },
};

struct ctx {
	const struct field *fields;
	const char *severity;   /* overrides "severity" when set */
	int lookups;
};

static int look(void *arg, const char *name, struct expr_value *out)
{
	struct ctx *c = arg;

	c->lookups++;
	if (c->severity && !strcmp(name, "severity")) {
		expr_value_set_str(out, c->severity);
		return 0;
	}
	for (const struct field *f = c->fields; f->name; f++) {
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

static int eval_with(const char *src, struct ctx *c)
{
	struct expr_error err;
	struct expr *e = expr_parse(src, &err);
	int r;

	cr_assert_not_null(e, "parse of \"%s\" failed: %s", src, err.msg);
	r = expr_eval(e, look, c);
	expr_free(&e);
	cr_assert_null(e, "expr_free sets the pointer to NULL");
	return r;
}

static int ev(const char *src)
{
	struct ctx c = { alert, NULL, 0 };

	return eval_with(src, &c);
}

#define holds(src) cr_assert_eq(ev(src), 1, "expected to hold: %s", src)
#define fails(src) cr_assert_eq(ev(src), 0, "expected not to hold: %s", src)

static void parse_error_is(const char *src, const char *msg, int line, int col)
{
	struct expr_error err;
	struct expr *e = expr_parse(src, &err);

	cr_assert_null(e, "\"%s\" should not parse", src);
	cr_assert_str_eq(err.msg, msg, "for \"%s\"", src);
	cr_assert_eq(err.line, line, "line for \"%s\": %d", src, err.line);
	cr_assert_eq(err.col, col, "col for \"%s\": %d", src, err.col);
}

static char *canon(const char *src)
{
	struct expr_error err;
	struct expr *e = expr_parse(src, &err);
	char *s;

	cr_assert_not_null(e, "parse of \"%s\" failed: %s", src, err.msg);
	s = expr_to_string(e);
	expr_free(&e);
	return s;
}

static void canon_is(const char *src, const char *want)
{
	char *s = canon(src);

	cr_assert_str_eq(s, want, "canonical form of \"%s\"", src);
	free(s);
}

Test(expr, design_example_matches)
{
	holds("rule == 'RaiseSystemProcessDuplicate'");
	holds("rule == 'RaiseSystemProcessDuplicate' && severity >= 'high'");
	holds("score >= 70");
	fails("rule == 'SomethingElse'");
}

Test(expr, and_binds_tighter_than_or)
{
	canon_is("a || b && c", "(a || (b && c))");
	canon_is("a && b || c", "((a && b) || c)");
	canon_is("a || b || c && d && e", "(a || b || (c && d && e))");
	holds("true || false && false");
	fails("(true || false) && false");
	holds("false && false || true");
}

Test(expr, not_binds_to_a_whole_comparison)
{
	canon_is("!rule == 'x'", "!rule == 'x'");
	canon_is("!(rule == 'x')", "!rule == 'x'");
	holds("!rule == 'x'");
	canon_is("!a && b", "(!a && b)");
	canon_is("!(a && b)", "!(a && b)");
	fails("!true && true");
	fails("!!false");
	holds("not not true");
}

Test(expr, parentheses_override_precedence)
{
	canon_is("(a || b) && c", "((a || b) && c)");
	fails("(flag || off) && off");
	holds("flag || (off && off)");
	holds("((((flag))))");
	holds("(score > 1) && ((rule ~ 'Raise') || (off))");
}

Test(expr, word_forms)
{
	canon_is("a and b or not c", "((a && b) || !c)");
	holds("rule == 'RaiseSystemProcessDuplicate' and score > 1");
	holds("off or flag");
	holds("not off");
	/* Keywords are whole words: a field may start with one. */
	holds("not alert.nope == 1 and not order_by");
}

Test(expr, every_comparison_on_numbers)
{
	holds("score == 75");
	fails("score == 74");
	holds("score != 74");
	fails("score != 75");
	holds("score < 76");
	fails("score < 75");
	holds("score <= 75");
	fails("score <= 74");
	holds("score > 74");
	fails("score > 75");
	holds("score >= 75");
	fails("score >= 76");
	holds("75 == score");
	holds("70 <= score");
	holds("steps.sampling.output.count > 10");
}

Test(expr, decimals_and_negatives)
{
	holds("score > 74.5");
	holds("score < 75.01");
	holds("ratio == 0.25");
	holds("-1 < 0");
	holds("score > -100");
	holds("0.1 == 0.10");
	holds("1.5 == '1.5'");
	holds("ratio < 1");
}

Test(expr, strings_compare_bytewise)
{
	holds("alert.host == 'web-01'");
	fails("alert.host == 'WEB-01'");
	holds("alert.host != 'web-02'");
	holds("alert.host < 'web-02'");
	holds("'abc' < 'abd'");
	holds("'ab' < 'abc'");
	holds("'B' < 'a'");
	holds("'' < 'a'");
	holds("alert.empty == ''");
}

Test(expr, number_against_numeric_string)
{
	holds("alert.port == 8080");
	holds("alert.port > 1024");
	holds("8080.0 == alert.port");
	/* Unquoted compares numerically, quoted compares as text. */
	holds("alert.version > 9");
	fails("alert.version > '9'");
	/* A number never equals text that is not a number. */
	fails("alert.host == 0");
	holds("alert.host != 0");
	fails("alert.host > 0");
	fails("alert.host < 0");
	fails("'1e3' == 1000");
}

Test(expr, severity_ranks)
{
	static const struct {
		const char *sev;
		int ge_high, gt_medium, lt_critical, eq_high;
	} rows[] = {
		{ "low", 0, 0, 1, 0 },
		{ "medium", 0, 0, 1, 0 },
		{ "high", 1, 1, 1, 1 },
		{ "critical", 1, 1, 0, 0 },
		{ "Critical", 1, 1, 0, 0 },
		{ "HIGH", 1, 1, 1, 1 },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct ctx c = { alert, rows[i].sev, 0 };

		cr_assert_eq(eval_with("severity >= 'high'", &c), rows[i].ge_high, "%s", rows[i].sev);
		cr_assert_eq(eval_with("severity > 'medium'", &c), rows[i].gt_medium, "%s", rows[i].sev);
		cr_assert_eq(eval_with("severity < 'critical'", &c), rows[i].lt_critical, "%s", rows[i].sev);
		cr_assert_eq(eval_with("severity == 'high'", &c), rows[i].eq_high, "%s", rows[i].sev);
		cr_assert_eq(eval_with("'high' <= severity", &c), rows[i].ge_high, "%s", rows[i].sev);
	}
	/* Bytewise "high" > "critical"; by rank it is not. */
	fails("'high' > 'critical'");
	holds("'low' < 'medium'");
	holds("severity in ['high', 'critical']");
}

Test(expr, severity_against_non_severity_is_unordered)
{
	fails("severity >= 'hihg'");
	fails("severity < 'hihg'");
	fails("severity == 'hihg'");
	holds("severity != 'hihg'");
	fails("alert.host >= 'low'");
	fails("severity >= 3");
	holds("severity != 3");
}

Test(expr, missing_fields)
{
	fails("alert.nope == 'x'");
	holds("alert.nope != 'x'");
	fails("alert.nope < 1");
	fails("alert.nope <= 1");
	fails("alert.nope > 1");
	fails("alert.nope >= 'low'");
	fails("alert.nope ~ '.*'");
	fails("alert.nope ~* ''");
	holds("alert.nope !~ 'x'");
	fails("alert.nope in ['x', 1]");
	holds("alert.nope not in ['x', 1]");
	fails("alert.nope");
	holds("!alert.nope");
	/* Two missing fields are not equal to each other. */
	fails("alert.nope == alert.other");
	holds("alert.nope != alert.other");
}

Test(expr, null_tests_presence)
{
	holds("alert.nope == null");
	fails("alert.nope != null");
	holds("null == alert.nope");
	fails("rule == null");
	holds("rule != null");
	/* A JSON null counts as missing. */
	holds("alert.user == null");
	fails("alert.user == ''");
	holds("alert.user in [null, '']");
	holds("alert.empty in [null, '']");
	fails("alert.nope < null");
	holds("null == null");
}

Test(expr, null_lookup_and_null_expression)
{
	struct expr *e = expr_parse("rule == null && !score", NULL);

	cr_assert_not_null(e);
	cr_assert_eq(expr_eval(e, NULL, NULL), 1, "without a lookup every field is missing");
	expr_free(&e);
	cr_assert_eq(expr_eval(NULL, NULL, NULL), 1, "an absent condition holds");
	expr_free(&e);
	expr_free(NULL);
}

Test(expr, regex_anchors_and_classes)
{
	holds("rule ~ '^Raise'");
	fails("rule ~ '^System'");
	holds("rule ~ 'System'");
	holds("rule ~ 'Duplicate$'");
	fails("rule ~ '^Duplicate$'");
	holds("alert.src_ip ~ '^10\\.[0-9]+\\.[0-9]+\\.[0-9]+$'");
	holds("alert.src_ip ~ '^[[:digit:].]+$'");
	holds("alert.host ~ '^(web|db)-[0-9]{2}$'");
	fails("alert.host ~ '^(mail|db)-'");
	holds("alert.host !~ '^db-'");
	fails("alert.host !~ '^web-'");
	/* '.' must be escaped to mean a dot. */
	holds("alert.title ~ 'Mimikatz\\.EXE'");
	fails("'MimikatzXEXE' ~ 'Mimikatz\\.EXE'");
	holds("'MimikatzXEXE' ~ 'Mimikatz.EXE'");
}

Test(expr, regex_case_insensitive)
{
	fails("alert.title ~ 'mimikatz'");
	holds("alert.title ~* 'mimikatz'");
	holds("alert.title ~* '\\.exe '");
	fails("alert.title !~* 'MIMIKATZ'");
	holds("alert.title !~* 'powershell'");
}

Test(expr, regex_on_numbers_and_bools)
{
	holds("score ~ '^7[0-9]$'");
	holds("ratio ~ '^0\\.25$'");
	holds("flag ~ '^true$'");
	holds("off ~ 'false'");
}

Test(expr, regex_is_compiled_at_parse_time)
{
	struct expr_error err;

	cr_assert_null(expr_parse("rule ~ '('", &err));
	cr_assert(strncmp(err.msg, "bad regex: ", 11) == 0, "%s", err.msg);
	cr_assert(strstr(err.msg, " at 1:8") != NULL, "%s", err.msg);
	cr_assert_null(expr_parse("rule ~* 'a[b'", &err));
	cr_assert(strncmp(err.msg, "bad regex: ", 11) == 0, "%s", err.msg);
	parse_error_is("rule ~ other", "expected a string literal (the regex) after '~', found name 'other' at 1:8", 1, 8);
}

Test(expr, regex_that_would_explode_is_refused)
{
	struct expr_error err;
	static const char *const ok[] = {
		"alert.src_ip ~ '^([0-9]{1,3}\\.){3}[0-9]{1,3}$'",
		"alert.host ~ '^(web|db|mail)-[0-9]{2,4}\\.(corp|dmz)\\.example\\.com$'",
		"x ~ '[[:alnum:]_.-]+@[[:alnum:].-]+\\.[a-z]{2,10}'",
		"x ~ '(.{1,255}){7}'",
		"x ~ '[a{1000}]'",
		"x ~ '(a*)*b'",
		"x ~ '^[]a]+[^]b]*[[:alpha:][:digit:]]?$'",
	};

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct expr *e = expr_parse(ok[i], &err);

		cr_assert_not_null(e, "%s: %s", ok[i], err.msg);
		expr_free(&e);
	}
	/* Found by fuzzing: glibc's regcomp took gigabytes for this. */
	parse_error_is("l~'l~++++++++++++++++++++++++++++++++++++++++++++'",
		"bad regex: a repetition follows another (like a** or a+?): use a group at 1:3", 1, 3);
	/* The same doubling through groups: 2^20 copies. */
	parse_error_is("x ~ '((((((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+'",
		"bad regex: too large once repetitions are expanded at 1:5", 1, 5);
	parse_error_is("x ~ '(.{1,255}){8}'",
		"bad regex: too large once repetitions are expanded at 1:5", 1, 5);
	parse_error_is("x ~ '((a{20}){20}){20}'",
		"bad regex: too large once repetitions are expanded at 1:5", 1, 5);
	/* Found by fuzzing: glibc took seconds to compile this. */
	parse_error_is("x ~ '^.************************************************************'",
		"bad regex: a repetition follows another (like a** or a+?): use a group at 1:5", 1, 5);
	parse_error_is("x ~ 'a+?'",
		"bad regex: a repetition follows another (like a** or a+?): use a group at 1:5", 1, 5);
	parse_error_is("x ~ 'a{256}'", "bad regex: repetition count over 255 at 1:5", 1, 5);
	parse_error_is("x ~ '(a|b)\\1'", "bad regex: back-references are not supported at 1:5", 1, 5);
	parse_error_is("x ~ '((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))'",
		"bad regex: groups nested too deep at 1:5", 1, 5);
}

Test(expr, in_lists)
{
	holds("severity in ['high', 'critical']");
	fails("severity in ['low', 'medium']");
	holds("score in [1, 75, 'x']");
	holds("alert.port in [22, 8080]");
	holds("alert.host in ['db-01', 'web-01',]");
	fails("rule in []");
	holds("rule not in []");
	holds("alert.host not in ['db-01']");
	fails("alert.host not in ['web-01']");
	holds("flag in [true]");
	canon_is("x in [1, 'a', true, null]", "x in [1, 'a', true, null]");
	canon_is("x not in ['a']", "x not in ['a']");
}

Test(expr, bools_and_truthiness)
{
	holds("flag == true");
	holds("flag != false");
	holds("flag == 'true'");
	fails("flag == 'yes'");
	fails("flag > false");
	fails("flag == 1");
	holds("flag");
	fails("off");
	holds("!off");
	holds("score");
	fails("zero");
	holds("rule");
	fails("alert.empty");
	holds("steps.check-host.output.ok");
	holds("true");
	fails("false");
}

Test(expr, string_escapes)
{
	holds("alert.quote == 'it\\'s \"here\"'");
	holds("alert.quote == \"it's \\\"here\\\"\"");
	holds("alert.path == 'C:\\\\Windows\\\\evil.exe'");
	/* An unknown escape keeps its backslash, so both spellings work in a regex. */
	holds("alert.path ~ '\\.exe$'");
	holds("alert.path ~ '\\\\.exe$'");
	/* One backslash in the text is \\ in the regex, \\\\ in the literal. */
	holds("alert.path ~ '^C:\\\\\\\\Windows'");
	fails("alert.path ~ '^C:\\\\Windows'");
	holds("'a\\tb' == \"a\tb\"");
	holds("'\\n' != 'n'");
	holds("'\\x' == '\\\\x'");
}

Test(expr, canonical_form_reparses)
{
	static const char *const srcs[] = {
		"rule == 'it\\'s' && alert.path ~ '\\.exe$' || !(x in [1, -2.5, \"q\\\"\"])",
		"a ~* 'x\\\\y' and not b !~* '\\n' or c not in [null, false]",
		"'\\\\' == '\\t\\r\\n'",
		/* Found by fuzzing: 37 negations once printed as 74 levels. */
		"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!x == 'irule \\>\\.'",
	};

	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		char *one = canon(srcs[i]);
		char *two = canon(one);

		cr_assert_str_eq(one, two, "from \"%s\"", srcs[i]);
		free(one);
		free(two);
	}
}

Test(expr, multi_line_expression)
{
	holds("rule == 'RaiseSystemProcessDuplicate'\n"
	      "  && severity >= 'high'\r\n"
	      "\t&& score > 70");
}

Test(expr, error_messages_with_positions)
{
	parse_error_is("rule == 'X' && (score > 1",
		"expected ')', found end of expression at 1:26", 1, 26);
	parse_error_is("score =< 3", "unknown operator '=<' (did you mean '<='?) at 1:7", 1, 7);
	parse_error_is("score => 3", "unknown operator '=>' (did you mean '>='?) at 1:7", 1, 7);
	parse_error_is("rule = 'x'", "unknown operator '=' (did you mean '=='?) at 1:6", 1, 6);
	parse_error_is("a & b", "unknown operator '&' (did you mean '&&'?) at 1:3", 1, 3);
	parse_error_is("a | b", "unknown operator '|' (did you mean '||'?) at 1:3", 1, 3);
	parse_error_is("a =~ 'x'", "unknown operator '=~' (did you mean '~'?) at 1:3", 1, 3);
	parse_error_is("a <> 1", "unknown operator '<>' (did you mean '!='?) at 1:3", 1, 3);
	parse_error_is("rule == 'abc", "unterminated string at 1:9", 1, 9);
	parse_error_is("", "empty expression at 1:1", 1, 1);
	parse_error_is("   ", "empty expression at 1:4", 1, 4);
	parse_error_is("a ==", "expected a name or a value, found end of expression at 1:5", 1, 5);
	parse_error_is("a == 'b' c", "expected '&&', '||' or the end, found name 'c' at 1:10", 1, 10);
	parse_error_is("a == 1 )", "expected the end, found ')' at 1:8", 1, 8);
	parse_error_is("alert.", "expected a name after '.' at 1:7", 1, 7);
	parse_error_is("a..b == 1", "expected a name after '.' at 1:3", 1, 3);
	parse_error_is("score > 10abc", "bad number '10abc' at 1:9", 1, 9);
	parse_error_is("score > 1.", "bad number '1.' at 1:9", 1, 9);
	parse_error_is("x in 'a'", "'in' takes a list, a field or a network ('10.0.0.0/8') at 1:6", 1, 6);
	parse_error_is("x in [a]",
		"expected a string, number, true, false or null in the list, found name 'a' at 1:7", 1, 7);
	parse_error_is("x in [1 2]", "expected ',' or ']', found number '2' at 1:9", 1, 9);
	parse_error_is("x not y", "expected 'in' after 'not', found name 'y' at 1:7", 1, 7);
	parse_error_is("()", "expected a name, a value or '(', found ')' at 1:2", 1, 2);
	parse_error_is("a == $", "unexpected character '$' at 1:6", 1, 6);
	parse_error_is("&& a", "expected a name, a value or '(', found '&&' at 1:1", 1, 1);
}

Test(expr, error_positions_on_later_lines)
{
	parse_error_is("rule == 'X'\n&& (score >\n     )",
		"expected a name or a value, found ')' at 3:6", 3, 6);
	parse_error_is("rule == 'X'\r\n  && score =< 3", "unknown operator '=<' (did you mean '<='?) at 2:12", 2, 12);
	parse_error_is("a\n\n\tb", "expected '&&', '||' or the end, found name 'b' at 3:2", 3, 2);
	parse_error_is("x == 1 &&\n  'open", "unterminated string at 2:3", 2, 3);
}

Test(expr, error_columns_count_characters)
{
	struct expr_error err;

	/* "ü" is two bytes but one column. */
	parse_error_is("alert.user == 'Müller' && é",
		"unexpected character U+00E9 (names are ASCII) at 1:27", 1, 27);
	cr_assert_null(expr_parse("alert.user == 'Müller' && é", &err));
	cr_assert_eq(err.offset, 27, "offset is in bytes: %d", err.offset);
	parse_error_is("a == \x01", "unexpected byte 0x01 at 1:6", 1, 6);
}

static char *repeat(const char *pre, int n, const char *mid, const char *post)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < n; i++)
		strbuf_puts(&sb, pre);
	strbuf_puts(&sb, mid);
	for (int i = 0; i < n; i++)
		strbuf_puts(&sb, post);
	return strbuf_detach(&sb);
}

Test(expr, nesting_limit)
{
	struct expr_error err;
	char *ok = repeat("(", EXPR_MAX_DEPTH, "flag", ")");
	char *deep = repeat("(", EXPR_MAX_DEPTH + 1, "flag", ")");
	char *nots = repeat("!", EXPR_MAX_DEPTH + 1, "flag", "");
	char *huge = repeat("(", 100000, "", "");
	struct ctx c = { alert, NULL, 0 };

	cr_assert_eq(eval_with(ok, &c), 1);
	cr_assert_null(expr_parse(deep, &err));
	cr_assert_str_eq(err.msg, "nesting too deep (more than 64 levels) at 1:65");
	cr_assert_null(expr_parse(nots, &err));
	cr_assert(strstr(err.msg, "nesting too deep") != NULL, "%s", err.msg);
	cr_assert_null(expr_parse(huge, &err));
	free(ok);
	free(deep);
	free(nots);
	free(huge);
}

Test(expr, length_limit)
{
	struct expr_error err;
	char *src = xmalloc(EXPR_MAX_LEN + 2);

	memset(src, ' ', EXPR_MAX_LEN + 1);
	memcpy(src, "flag", 4);
	src[EXPR_MAX_LEN] = '\0';
	struct expr *e = expr_parse(src, &err);
	cr_assert_not_null(e, "%s", err.msg);
	expr_free(&e);
	src[EXPR_MAX_LEN] = ' ';
	src[EXPR_MAX_LEN + 1] = '\0';
	cr_assert_null(expr_parse(src, &err));
	cr_assert(strncmp(err.msg, "expression too long", 19) == 0, "%s", err.msg);
	free(src);
}

Test(expr, long_chains_do_not_nest)
{
	/* 7000 terms joined by && is one flat node: parses and evaluates
	 * without deep recursion. */
	char *src = repeat("flag && ", 7000, "score > 1", "");
	char *src2 = repeat("off || ", 7000, "flag", "");
	struct ctx c = { alert, NULL, 0 };

	cr_assert_eq(eval_with(src, &c), 1);
	cr_assert_eq(eval_with(src2, &c), 1);
	free(src);
	free(src2);
}

Test(expr, short_circuit_skips_lookups)
{
	struct ctx c = { alert, NULL, 0 };

	cr_assert_eq(eval_with("off && rule == 'x' && score > 1", &c), 0);
	cr_assert_eq(c.lookups, 1, "only 'off' was looked up, not %d fields", c.lookups);
	c.lookups = 0;
	cr_assert_eq(eval_with("flag || rule == 'x'", &c), 1);
	cr_assert_eq(c.lookups, 1);
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

/* A comparison as "field op value" into a struct seen. */
static void collect_cmp(const struct expr_cmp *c, void *arg)
{
	char buf[32], text[64];
	const char *v = expr_value_text(c->value, buf, sizeof buf);

	snprintf(text, sizeof text, "%s %s %s", c->field, c->op, v ? v : "null");
	collect(text, c->offset, arg);
}

Test(expr, each_var_reports_fields_in_order)
{
	const char *src = "rule == 'X' && (alert.hots ~ 'a' || score in [1]) && 2 < steps.s.output.n";
	struct expr *e = expr_parse(src, NULL);
	struct seen s = { .n = 0 };

	cr_assert_not_null(e);
	expr_each_var(e, collect, &s);
	cr_assert_eq(s.n, 4);
	cr_assert_str_eq(s.names[0], "rule");
	cr_assert_eq(s.offsets[0], 0);
	cr_assert_str_eq(s.names[1], "alert.hots");
	cr_assert_eq(s.offsets[1], 16);
	cr_assert_str_eq(s.names[2], "score");
	cr_assert_eq(s.offsets[2], 36);
	cr_assert_str_eq(s.names[3], "steps.s.output.n");
	cr_assert_eq(s.offsets[3], (int)(strstr(src, "steps") - src));
	expr_free(&e);
}

/* Field-literal comparisons in source order, the literal's offset each;
 * a literal on the left is read with the field first, each member of a
 * list comes as "in"; two fields, a regex, two literals and a lone
 * condition are not reported. */
Test(expr, each_cmp_reports_field_literal_comparisons)
{
	const char *src = "severity >= 'hihg' && !(2 < priority || stage not in ['new', 1]) && "
			  "a == b && title ~ 'x' && 1 == 2 && owner != null && waiting";
	static const char *const want[] = { "severity >= hihg", "priority > 2", "stage in new",
					    "stage in 1", "owner != null" };
	const char *at[] = { "'hihg'", "2 <", "'new'", "1]", "null" };
	struct expr *e = expr_parse(src, NULL);
	struct seen s = { .n = 0 };

	cr_assert_not_null(e);
	expr_each_cmp(e, collect_cmp, &s);
	cr_assert_eq(s.n, 5);
	for (int i = 0; i < 5; i++) {
		cr_assert_str_eq(s.names[i], want[i]);
		cr_assert_eq(s.offsets[i], (int)(strstr(src, at[i]) - src), "%s", want[i]);
	}
	expr_each_cmp(NULL, collect_cmp, &s);
	expr_each_cmp(e, NULL, &s);
	cr_assert_eq(s.n, 5);
	expr_free(&e);
}

Test(expr, value_text_is_locale_free)
{
	char buf[32];
	struct expr_value v;

	expr_value_set_num(&v, 42);
	cr_assert_str_eq(expr_value_text(&v, buf, sizeof buf), "42");
	expr_value_set_num(&v, -0.5);
	cr_assert_str_eq(expr_value_text(&v, buf, sizeof buf), "-0.5");
	expr_value_set_num(&v, 1e20);
	cr_assert_str_eq(expr_value_text(&v, buf, sizeof buf), "1e+20");
	expr_value_set_num(&v, 0.1);
	cr_assert_str_eq(expr_value_text(&v, buf, sizeof buf), "0.1");
	expr_value_set_bool(&v, 1);
	cr_assert_str_eq(expr_value_text(&v, buf, sizeof buf), "true");
	expr_value_set_str(&v, "x");
	cr_assert_str_eq(expr_value_text(&v, buf, sizeof buf), "x");
	expr_value_set_str(&v, NULL);
	cr_assert_null(expr_value_text(&v, buf, sizeof buf));
}

Test(expr, scan_name_and_position_helpers)
{
	int line, col;

	cr_assert_eq(expr_scan_name("alert.host }}"), 10);
	cr_assert_eq(expr_scan_name("steps.check-host.output.0"), 25);
	cr_assert_eq(expr_scan_name("a. b"), 1);
	cr_assert_eq(expr_scan_name("1a"), 0);
	cr_assert_eq(expr_scan_name(""), 0);
	expr_position("ab\ncd", 4, &line, &col);
	cr_assert(line == 2 && col == 2);
	expr_position("ab", 99, &line, &col);
	cr_assert(line == 1 && col == 3, "clamped past the end");
}

/* Every prefix of valid expressions, and arbitrary byte soup from the
 * tokens, must parse or fail cleanly (the fuzzer does this at scale). */
Test(expr, hostile_input_never_crashes)
{
	static const char *const bits[] = { "(", ")", "!", "&&", "||", "==", "~",
		"~*", "in", "[", "]", ",", "'a'", "\"", "\\", "x.y", ".", "-", "1",
		"1.5", "null", "not", " ", "\n", "\xc3", "\xa9", "=", "<", "{{" };
	unsigned seed = 12345;
	struct ctx c = { alert, NULL, 0 };

	for (int round = 0; round < 20000; round++) {
		char src[128] = "";
		int n = (int)(seed % 12) + 1;

		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			strcat(src, bits[(seed >> 16) % (sizeof bits / sizeof bits[0])]);
		}
		struct expr_error err;
		struct expr *e = expr_parse(src, &err);

		if (e) {
			expr_eval(e, look, &c);
			expr_free(&e);
		} else {
			cr_assert(err.line >= 1 && err.col >= 1 && err.msg[0], "no position for %s", src);
		}
	}
}

/* Issue 13: membership in the list a field holds, and in a network. */
static int list_look(void *ctx, const char *name, struct expr_value *out)
{
	(void)ctx;
	if (!strcmp(name, "alert.raw.rule.groups"))
		expr_value_set_str(out, "[\"syslog\",\"sshd\",\"ssh\",3]");
	else if (!strcmp(name, "alert.src_ip"))
		expr_value_set_str(out, "10.1.2.3");
	else if (!strcmp(name, "alert.dst_ip"))
		expr_value_set_str(out, "2001:db8::1");
	else if (!strcmp(name, "one"))
		expr_value_set_str(out, "ssh");
	else
		return 1;
	return 0;
}

static int in_holds(const char *src)
{
	struct expr_error err;
	struct expr *e = expr_parse(src, &err);
	int r;

	cr_assert_not_null(e, "%s: %s", src, err.msg);
	r = expr_eval(e, list_look, NULL);
	expr_free(&e);
	return r;
}

Test(expr, in_a_field_list_and_a_network)
{
	struct expr_error err;
	struct expr *e;
	char *s;

	cr_assert(in_holds("'ssh' in alert.raw.rule.groups"));
	cr_assert(in_holds("3 in alert.raw.rule.groups"));
	cr_assert(in_holds("'3' in alert.raw.rule.groups"), "a number by the rules of ==");
	cr_assert_not(in_holds("'ss' in alert.raw.rule.groups"), "whole members only");
	cr_assert(in_holds("'web' not in alert.raw.rule.groups"));
	cr_assert(in_holds("'ssh' in one"), "one value is a list of one");
	cr_assert_not(in_holds("'ssh' in nosuch"), "a missing field is an empty list");
	cr_assert(in_holds("alert.src_ip in '10.0.0.0/8'"));
	cr_assert_not(in_holds("alert.src_ip in '10.0.0.0/16'"));
	cr_assert(in_holds("alert.src_ip not in '192.168.0.0/16'"));
	cr_assert(in_holds("alert.dst_ip in '2001:db8::/32'"));
	cr_assert_not(in_holds("alert.dst_ip in '10.0.0.0/8'"), "another family");
	cr_assert_not(in_holds("one in '10.0.0.0/8'"), "not an address");
	cr_assert(in_holds("alert.src_ip in '10.1.2.3/32'"));
	cr_assert_null(expr_parse("alert.src_ip in '10.0.0.0/33'", &err));
	cr_assert_str_eq(err.msg, "'in' takes a list, a field or a network ('10.0.0.0/8') at 1:17");
	cr_assert_null(expr_parse("alert.src_ip in 'web'", &err));
	e = expr_parse("x in alert.raw.rule.groups && y not in '10.0.0.0/8'", &err);
	s = expr_to_string(e);
	cr_assert_str_eq(s, "(x in alert.raw.rule.groups && y not in '10.0.0.0/8')");
	free(s);
	expr_free(&e);
}
