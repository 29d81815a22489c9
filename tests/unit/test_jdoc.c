/* test_jdoc.c: the fast JSON reader (src/core/jdoc.c): RFC 8259 edge cases,
 * error offsets, lookups, in-place unescaping, the canonical form, and a
 * differential test against jansson on generated documents. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/jdoc.h"
#include "irk/strbuf.h"
#include "helpers/tmpstore.h"

static struct jdoc doc;

static void setup(void) { jdoc_init(&doc); }
static void teardown(void) { jdoc_free(&doc); }
TestSuite(jdoc, .init = setup, .fini = teardown);

static int parse(const char *s, struct jdoc_error *e)
{
	return jdoc_parse(&doc, s, strlen(s), e);
}

static void expect_valid(const char *s)
{
	struct jdoc_error e = { 0 };

	cr_assert_eq(parse(s, &e), 0, "refused %s: %s at %zu", s, e.msg, e.offset);
}

/* Refused at offset off (or any offset when off < 0) with msg containing needle. */
static void expect_invalid(const char *s, size_t n, long off, const char *needle)
{
	struct jdoc_error e = { 0 };

	cr_assert_eq(jdoc_parse(&doc, s, n, &e), -1, "accepted '%.*s'", (int)n, s);
	if (off >= 0)
		cr_assert_eq(e.offset, (size_t)off, "'%.*s': offset %zu, want %ld (%s)",
			     (int)n, s, e.offset, off, e.msg);
	if (needle)
		cr_assert(strstr(e.msg, needle), "'%.*s': message '%s' lacks '%s'",
			  (int)n, s, e.msg, needle);
}
#define INVALID(lit, off, needle) expect_invalid((lit), sizeof(lit) - 1, (off), (needle))

Test(jdoc, accepts_every_kind_of_value)
{
	static const char *const ok[] = {
		"{}", "[]", "0", "-0", "1", "-1", "12.5", "0.5e-3", "1E+2", "1e2", "-0.0e0",
		"123456789012345678901234567890", "1e400", "\"\"", "\"a\"", "true", "false",
		"null", " \t\r\n{ \"a\" : [ 1 , 2 , { \"b\" : null } ] } \n",
		"[[[[]]]]", "{\"\":\"\"}", "\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"",
		"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"M\xc3\xbcller \xe6\xbc\xa2\"", "\"\x7f\"",
		"{\"a\":1,\"a\":2}",
	};

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		expect_valid(ok[i]);
}

Test(jdoc, numbers_follow_the_grammar)
{
	INVALID("01", 1, "trailing");
	INVALID("-01", 2, "trailing");
	INVALID("1.", 2, "end of input");
	INVALID(".5", 0, "unexpected '.'");
	INVALID("+1", 0, "unexpected '+'");
	INVALID("1e", 2, NULL);
	INVALID("1e+", 3, NULL);
	INVALID("-", 1, NULL);
	INVALID("--1", 1, "unexpected '-'");
	INVALID("0x10", 1, "trailing");
	INVALID("NaN", 0, NULL);
	INVALID("Infinity", 0, NULL);
	INVALID("-Infinity", 1, NULL);
	INVALID("[1.e5]", 3, "unexpected 'e'");
}

Test(jdoc, strings_follow_the_grammar)
{
	INVALID("\"abc", 0, "unterminated string");
	INVALID("\"\\x\"", 1, "bad escape");
	INVALID("\"\\u12\"", 1, "bad \\u escape");
	INVALID("\"\\u12G4\"", 1, "bad \\u escape");
	INVALID("\"\\uD800\"", 7, "unpaired surrogate");
	INVALID("\"\\uD800\\u0041\"", 7, "unpaired surrogate");
	INVALID("\"\\uDC00\"", 1, "unpaired surrogate");
	INVALID("\"a\tb\"", 2, "control character");
	INVALID("\"a\nb\"", 2, "control character");
	INVALID("\"\x1b]0;x\x07\"", 1, "control character");
	INVALID("\"nul\0\"", 4, "control character");
	INVALID("'a'", 0, "unexpected '''");
	INVALID("\"\\", 1, "unterminated");
}

Test(jdoc, invalid_utf8_is_refused)
{
	INVALID("\"\x80\"", 1, "invalid UTF-8");
	INVALID("\"ab\xc0\xaf\"", 3, "invalid UTF-8");
	INVALID("\"\xed\xa0\x80\"", 1, "invalid UTF-8");
	INVALID("\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8");
	INVALID("\"\xe2\x82\"", 1, "invalid UTF-8");
	INVALID("\"\xff\"", 1, "invalid UTF-8");
	INVALID("[\xc3\xbc]", 1, "0xc3");
	INVALID("\xef\xbb\xbf{}", 0, "0xef");   /* a BOM is not JSON */
}

Test(jdoc, structure_errors_name_their_place)
{
	INVALID("", 0, "end of input");
	INVALID("   ", 3, "end of input");
	INVALID("[1,2,x]", 5, "unexpected 'x'");
	/* A trailing comma is named at the comma, not at the close (often
	 * on the next line, issue 13). */
	INVALID("[1,]", 2, "a ',' before ']'");
	INVALID("[1,\n  ]", 2, "a ',' before ']'");
	INVALID("{\"a\":1,}", 6, "a ',' before '}'");
	INVALID("{\"a\":1, x}", 8, "expected a key");
	INVALID("{a:1}", 1, "expected a key");
	INVALID("{\"a\" 1}", 5, "expected ':'");
	INVALID("{\"a\":}", 5, "unexpected '}'");
	INVALID("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
	INVALID("[true false]", 6, "expected ',' or ']'");
	INVALID("[1,2", 4, "end of input");
	INVALID("{\"a\":1", 6, "end of input");
	INVALID("[1] x", 4, "trailing data");
	INVALID("[1][2]", 3, "trailing data");
	INVALID("{}}", 2, "trailing data");
	INVALID("tru", 0, NULL);
	INVALID("nul", 0, NULL);
	INVALID("truex", 4, "trailing data");
	INVALID("[nulls]", 5, "expected ',' or ']'");
}

Test(jdoc, depth_is_limited_to_64)
{
	char buf[2 * (JDOC_MAX_DEPTH + 1) + 1];

	memset(buf, '[', JDOC_MAX_DEPTH);
	memset(buf + JDOC_MAX_DEPTH, ']', JDOC_MAX_DEPTH);
	cr_assert_eq(jdoc_parse(&doc, buf, 2 * JDOC_MAX_DEPTH, NULL), 0, "64 levels are fine");
	memset(buf, '[', JDOC_MAX_DEPTH + 1);
	memset(buf + JDOC_MAX_DEPTH + 1, ']', JDOC_MAX_DEPTH + 1);
	expect_invalid(buf, 2 * (JDOC_MAX_DEPTH + 1), JDOC_MAX_DEPTH, "nesting deeper than 64");
	/* a hostile record of 100000 brackets fails fast, without recursing deep */
	size_t n = 100000;
	char *deep = malloc(n);
	memset(deep, '[', n);
	expect_invalid(deep, n, -1, "nesting");
	free(deep);
}

Test(jdoc, lookups)
{
	expect_valid("{\"a\":{\"b\":[10,{\"c\":\"x\"},30]},\"id.orig_h\":\"1.2.3.4\","
		     "\"id\":{\"resp_h\":\"5.6.7.8\"},\"dup\":1,\"dup\":2,\"e\":[],\"o\":{}}");
	cr_assert_eq(jdoc_type(&doc, 0), JD_OBJECT);
	int a = jdoc_get(&doc, 0, "a");
	cr_assert_eq(jdoc_type(&doc, a), JD_OBJECT);
	cr_assert_eq(jdoc_get(&doc, 0, "missing"), -1);
	cr_assert_eq(jdoc_get(&doc, a, "a"), -1, "keys are not searched in depth");
	cr_assert_eq(jdoc_get(&doc, jdoc_get(&doc, a, "b"), "0"), -1, "not an object");

	size_t len;
	int t = jdoc_path(&doc, 0, "a.b.0");
	const char *num = jdoc_scalar_text(&doc, t, &len);
	cr_assert(num && len == 2 && !strncmp(num, "10", 2));
	cr_assert_str_eq(jdoc_str(&doc, jdoc_path(&doc, 0, "a.b.1.c")), "x",
			 "an index in the middle of a path");
	cr_assert_eq(jdoc_path(&doc, 0, "a.b.2"), jdoc_path(&doc, 0, "a.b.1") + 3);
	cr_assert_eq(jdoc_path(&doc, 0, "a.b.3"), -1);
	cr_assert_eq(jdoc_path(&doc, 0, "a.b.x"), -1);
	cr_assert_str_eq(jdoc_str(&doc, jdoc_path(&doc, 0, "id.orig_h")), "1.2.3.4",
			 "a literal dotted key");
	cr_assert_str_eq(jdoc_str(&doc, jdoc_path(&doc, 0, "id.resp_h")), "5.6.7.8");
	cr_assert_eq(jdoc_path(&doc, 0, "a.b.1.c.d"), -1);
	cr_assert_eq(jdoc_path(&doc, 0, "nothing.here"), -1);
	int64_t v;
	cr_assert_eq(jdoc_int(&doc, jdoc_get(&doc, 0, "dup"), &v), 0);
	cr_assert_eq(v, 1, "the first of duplicate keys wins");

	/* children in order; empty containers have none */
	int b = jdoc_path(&doc, 0, "a.b"), n = 0;
	for (int e = jdoc_first(&doc, b); e >= 0; e = jdoc_next(&doc, b, e))
		n++;
	cr_assert_eq(n, 3);
	cr_assert_eq(jdoc_first(&doc, jdoc_get(&doc, 0, "e")), -1);
	cr_assert_eq(jdoc_first(&doc, jdoc_get(&doc, 0, "o")), -1);
	cr_assert_eq(jdoc_first(&doc, t), -1, "a number has no children");
	const char *keys[8];
	n = 0;
	for (int e = jdoc_first(&doc, 0); e >= 0; e = jdoc_next(&doc, 0, e))
		keys[n++] = jdoc_str(&doc, e - 1);
	cr_assert_eq(n, 7);
	cr_assert_str_eq(keys[0], "a");
	cr_assert_str_eq(keys[6], "o");
	cr_assert_eq(jdoc_type(&doc, 9999), -1);
	cr_assert_eq(jdoc_type(&doc, -1), -1);
}

Test(jdoc, scalars_and_numbers)
{
	int64_t i;
	double d;
	size_t len;

	expect_valid("[42,-7,1e3,2.5,\"17\",\"x\",true,null,123456789012345678901234,"
		     "9223372036854775807,\"\"]");
	int t[11], k = 0;
	for (int e = jdoc_first(&doc, 0); e >= 0; e = jdoc_next(&doc, 0, e))
		t[k++] = e;
	cr_assert_eq(jdoc_int(&doc, t[0], &i), 0);
	cr_assert_eq(i, 42);
	cr_assert_eq(jdoc_int(&doc, t[1], &i), 0);
	cr_assert_eq(i, -7);
	cr_assert_eq(jdoc_int(&doc, t[2], &i), 0);
	cr_assert_eq(i, 1000);
	cr_assert_eq(jdoc_double(&doc, t[3], &d), 0);
	cr_assert_float_eq(d, 2.5, 1e-12);
	cr_assert_eq(jdoc_int(&doc, t[4], &i), 0, "numeric strings count");
	cr_assert_eq(i, 17);
	cr_assert_eq(jdoc_int(&doc, t[5], &i), -1);
	cr_assert_eq(jdoc_int(&doc, t[6], &i), -1);
	cr_assert_eq(jdoc_int(&doc, t[7], &i), -1);
	cr_assert_eq(jdoc_int(&doc, t[8], &i), -1, "too big for 64 bits is not a number we can use");
	cr_assert_eq(jdoc_int(&doc, t[9], &i), 0);
	cr_assert_eq(i, INT64_MAX);
	cr_assert_eq(jdoc_int(&doc, t[10], &i), -1);
	cr_assert_eq(jdoc_int(&doc, 0, &i), -1);
	const char *s = jdoc_scalar_text(&doc, t[6], &len);
	cr_assert(s && len == 4 && !strncmp(s, "true", 4));
	s = jdoc_scalar_text(&doc, t[7], &len);
	cr_assert(s && len == 4 && !strncmp(s, "null", 4));
	cr_assert_null(jdoc_scalar_text(&doc, t[4], &len), "strings are not scalars here");
	cr_assert_null(jdoc_scalar_text(&doc, 0, &len));
	cr_assert_null(jdoc_str(&doc, t[0]));
}

Test(jdoc, strings_are_unescaped_in_place)
{
	expect_valid("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\",\"\\u00e9\\u20AC\",\"\\ud83d\\ude00\","
		     "\"plain\",\"nul\\u0000after\",\"M\xc3\xbcller\"]");
	int e = jdoc_first(&doc, 0);
	cr_assert_str_eq(jdoc_str(&doc, e), "a\"b\\c/d\b\f\n\r\t");
	cr_assert_eq(doc.t[e].len, 12);
	e = jdoc_next(&doc, 0, e);
	cr_assert_str_eq(jdoc_str(&doc, e), "\xc3\xa9\xe2\x82\xac");
	e = jdoc_next(&doc, 0, e);
	cr_assert_str_eq(jdoc_str(&doc, e), "\xf0\x9f\x98\x80", "a surrogate pair is one character");
	e = jdoc_next(&doc, 0, e);
	cr_assert_str_eq(jdoc_str(&doc, e), "plain");
	e = jdoc_next(&doc, 0, e);
	cr_assert_str_eq(jdoc_str(&doc, e), "nul", "a C string ends at \\u0000");
	cr_assert_eq(doc.t[e].len, 9);
	e = jdoc_next(&doc, 0, e);
	cr_assert_str_eq(jdoc_str(&doc, e), "M\xc3\xbcller");
}

/* Strings are scanned eight bytes at a time: a quote, an escape, a control
 * character or a non-ASCII byte must be seen at every offset within the
 * eight, and a dot in a key too (it marks the object for dotted lookups). */
Test(jdoc, special_bytes_are_seen_at_every_offset)
{
	static const struct { const char *ins, *want, *err; } cases[] = {
		{ "\\\"", "\"", NULL }, { "\\n", "\n", NULL },
		{ "\\u00e9", "\xc3\xa9", NULL }, { "\xc3\xa9", "\xc3\xa9", NULL },
		{ "\x7f", "\x7f", NULL }, { "\t", NULL, "control character" },
		{ "\x1f", NULL, "control character" }, { "\xc3", NULL, "invalid UTF-8" },
		{ "\xff", NULL, "invalid UTF-8" },
	};
	char text[128], want[64];

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		for (int at = 0; at < 20; at++) {
			struct jdoc_error e = { 0 };
			/* ["aaa<ins>bbb",1] with the special byte at offset at */
			int n = snprintf(text, sizeof text, "[\"%.*s%sxyz\",1]", at,
					 "abcdefghijklmnopqrstuvwxyz", cases[c].ins);
			int rc = jdoc_parse(&doc, text, (size_t)n, &e);
			if (!cases[c].want) {
				cr_assert_eq(rc, -1, "accepted %s", text);
				cr_assert(strstr(e.msg, cases[c].err), "%s: %s", text, e.msg);
				cr_assert_eq(e.offset, (size_t)at + 2, "%s: offset %zu", text, e.offset);
				continue;
			}
			cr_assert_eq(rc, 0, "%s: %s", text, e.msg);
			snprintf(want, sizeof want, "%.*s%sxyz", at, "abcdefghijklmnopqrstuvwxyz",
				 cases[c].want);
			cr_assert_str_eq(jdoc_str(&doc, 1), want, "case %zu at %d", c, at);
			cr_assert_eq(doc.t[1].len, strlen(want));
			cr_assert_eq(doc.t[2].type, JD_NUMBER, "the parse goes on after the string");
		}
	}
	for (int at = 0; at < 20; at++) {
		int n = snprintf(text, sizeof text, "{\"%.*s.k\":1,\"%.*sk\":2}", at,
				 "abcdefghijklmnopqrstuvwxyz", at, "abcdefghijklmnopqrstuvwxyz");
		cr_assert_eq(jdoc_parse(&doc, text, (size_t)n, NULL), 0, "%s", text);
		cr_assert(doc.t[0].type & JDOC_DOTTED_KEYS, "dot at %d not seen: %s", at, text);
		n = snprintf(text, sizeof text, "{\"%.*sk\":\"%.*s.v\"}", at,
			     "abcdefghijklmnopqrstuvwxyz", at, "abcdefghijklmnopqrstuvwxyz");
		cr_assert_eq(jdoc_parse(&doc, text, (size_t)n, NULL), 0, "%s", text);
		cr_assert_not(doc.t[0].type & JDOC_DOTTED_KEYS, "a dot in a value marks no key: %s", text);
	}
}

Test(jdoc, buffers_are_reused_between_records)
{
	struct strbuf big = STRBUF_INIT;

	strbuf_puts(&big, "[");
	for (int i = 0; i < 5000; i++)
		strbuf_printf(&big, "%s\"item %d\"", i ? "," : "", i);
	strbuf_puts(&big, "]");
	cr_assert_eq(jdoc_parse(&doc, big.buf, big.len, NULL), 0);
	cr_assert_eq(doc.n, 5001);
	expect_valid("{\"k\":\"v\"}");
	cr_assert_eq(doc.n, 3);
	cr_assert_str_eq(jdoc_str(&doc, jdoc_get(&doc, 0, "k")), "v");
	/* the source is never written to */
	char src[] = "{\"a\":\"\\u0041\"}";
	cr_assert_eq(jdoc_parse(&doc, src, strlen(src), NULL), 0);
	cr_assert_str_eq(src, "{\"a\":\"\\u0041\"}");
	strbuf_free(&big);
}

static char *canonical(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	expect_valid(s);
	jdoc_canonical(&doc, 0, &sb);
	return strbuf_detach(&sb);
}

Test(jdoc, canonical_form_ignores_key_order_and_spacing)
{
	char *a = canonical("{\"b\":1,\"a\":[1,{\"d\":2,\"c\":\"x\"}],\"\":null}");
	char *b = canonical(" { \"\" : null , \"a\" : [ 1 , { \"c\" : \"\\u0078\" , \"d\" : 2 } ] ,"
			    " \"b\" : 1 } ");
	char *c = canonical("{\"b\":1,\"a\":[{\"d\":2,\"c\":\"x\"},1],\"\":null}");

	cr_assert_str_eq(a, "{\"\":null,\"a\":[1,{\"c\":\"x\",\"d\":2}],\"b\":1}");
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c, "array order matters");
	free(a);
	free(b);
	free(c);
	a = canonical("[\"\\u001b]0;t\\u0007\",1.50,true,\"\\u00e9\"]");
	cr_assert_str_eq(a, "[\"\\u001b]0;t\\u0007\",1.50,true,\"\xc3\xa9\"]",
			 "strings re-escaped, numbers as written");
	free(a);
	a = canonical("{}");
	cr_assert_str_eq(a, "{}");
	free(a);
}

/* ---- differential test against jansson ---------------------------------- */

struct gen {
	uint64_t seed;
	struct strbuf *out;
};

static unsigned rnd(struct gen *g, unsigned n)
{
	return (unsigned)(tmp_rand(&g->seed) % n);
}

static void gen_ws(struct gen *g)
{
	static const char ws[] = " \t\r\n";

	while (rnd(g, 4) == 0)
		strbuf_addc(g->out, ws[rnd(g, 4)]);
}

static void gen_string(struct gen *g, unsigned salt)
{
	static const char *const pieces[] = {
		"a", "Z", "key", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u0041", "\\u00e9",
		"\\ud83d\\ude00", "\\u001b", "\xc3\xbc", "\xe6\xbc\xa2", "\xf0\x9f\x99\x82",
		"\xe2\x80\xae", ".", "0",
	};
	unsigned n = rnd(g, 5);

	strbuf_addc(g->out, '"');
	strbuf_printf(g->out, "k%u", salt);   /* distinct keys within one object */
	for (unsigned i = 0; i < n; i++)
		strbuf_puts(g->out, pieces[rnd(g, sizeof pieces / sizeof pieces[0])]);
	strbuf_addc(g->out, '"');
}

static void gen_value(struct gen *g, int depth)
{
	static const char *const nums[] = { "0", "-0", "7", "-12", "3.25", "1e3", "2E-2",
		"-0.5e+1", "9007199254740993", "100000" };
	unsigned kind = rnd(g, depth > 6 ? 5 : 8);

	gen_ws(g);
	switch (kind) {
	case 0: strbuf_puts(g->out, nums[rnd(g, sizeof nums / sizeof nums[0])]); break;
	case 1: gen_string(g, rnd(g, 1000)); break;
	case 2: strbuf_puts(g->out, "true"); break;
	case 3: strbuf_puts(g->out, rnd(g, 2) ? "false" : "null"); break;
	case 4: gen_string(g, 0); break;
	case 5: case 6: {
		unsigned n = rnd(g, 5);
		strbuf_addc(g->out, '[');
		for (unsigned i = 0; i < n; i++) {
			if (i)
				strbuf_addc(g->out, ',');
			gen_value(g, depth + 1);
		}
		gen_ws(g);
		strbuf_addc(g->out, ']');
		break;
	}
	default: {
		unsigned n = rnd(g, 5);
		strbuf_addc(g->out, '{');
		for (unsigned i = 0; i < n; i++) {
			if (i)
				strbuf_addc(g->out, ',');
			gen_ws(g);
			gen_string(g, i);
			gen_ws(g);
			strbuf_addc(g->out, ':');
			gen_value(g, depth + 1);
		}
		gen_ws(g);
		strbuf_addc(g->out, '}');
	}
	}
	gen_ws(g);
}

/* One random edit: the bytes that matter to a JSON parser. */
static void mutate(struct gen *g, struct strbuf *sb)
{
	static const char bytes[] = "\"\\,:[]{}0-e.+ tnfu\x80\xc3\xff\x01\x7f\xed";
	size_t at = sb->len ? rnd(g, (unsigned)sb->len) : 0;
	char c = bytes[rnd(g, sizeof bytes - 1)];

	switch (rnd(g, 3)) {
	case 0:
		if (sb->len)
			sb->buf[at] = c;
		break;
	case 1:
		strbuf_addc(sb, 0);
		memmove(sb->buf + at + 1, sb->buf + at, sb->len - at - 1);
		sb->buf[at] = c;
		break;
	default:
		if (sb->len) {
			memmove(sb->buf + at, sb->buf + at + 1, sb->len - at - 1);
			sb->buf[--sb->len] = '\0';
		}
	}
}

/* jansson refuses numbers it cannot hold in a json_int_t or a finite
 * double; jdoc keeps numbers as text and accepts them (documented in
 * jdoc.h's "numbers as written"). That is the only expected difference on
 * these documents (depth stays under 64, \u0000 is allowed on both sides). */
static int jansson_number_limit(const json_error_t *je)
{
	return strstr(je->text, "too big") || strstr(je->text, "overflow");
}

/* Values must agree: types, strings byte for byte, numbers, sizes, keys. */
static void same_value(int tok, const json_t *j)
{
	switch (jdoc_type(&doc, tok)) {
	case JD_NULL: cr_assert(json_is_null(j)); return;
	case JD_TRUE: cr_assert(json_is_true(j)); return;
	case JD_FALSE: cr_assert(json_is_false(j)); return;
	case JD_NUMBER: {
		double d;
		cr_assert(json_is_number(j));
		cr_assert_eq(jdoc_double(&doc, tok, &d), 0);
		cr_assert(fabs(d - json_number_value(j)) <= 1e-9 * fabs(d), "number %g vs %g",
			  d, json_number_value(j));
		return;
	}
	case JD_STRING:
		cr_assert(json_is_string(j));
		cr_assert_eq(doc.t[tok].len, json_string_length(j));
		cr_assert(!memcmp(doc.buf + doc.t[tok].off, json_string_value(j), doc.t[tok].len));
		return;
	case JD_ARRAY: {
		size_t i = 0;
		cr_assert(json_is_array(j));
		cr_assert_eq(doc.t[tok].len, json_array_size(j));
		for (int e = jdoc_first(&doc, tok); e >= 0; e = jdoc_next(&doc, tok, e))
			same_value(e, json_array_get(j, i++));
		return;
	}
	case JD_OBJECT:
		cr_assert(json_is_object(j));
		cr_assert_eq(doc.t[tok].len / 2, json_object_size(j));
		for (int e = jdoc_first(&doc, tok); e >= 0; e = jdoc_next(&doc, tok, e)) {
			json_t *v = json_object_get(j, jdoc_str(&doc, e - 1));
			cr_assert_not_null(v, "key '%s' missing in jansson", jdoc_str(&doc, e - 1));
			cr_assert_eq(jdoc_get(&doc, tok, jdoc_str(&doc, e - 1)), e);
			same_value(e, v);
		}
		return;
	default:
		cr_assert_fail("bad token type");
	}
}

Test(jdoc, agrees_with_jansson_on_generated_documents)
{
	struct strbuf sb = STRBUF_INIT;
	struct gen g = { 20240513, &sb };
	int accepted = 0, refused = 0, documented = 0;

	for (int round = 0; round < 30000; round++) {
		strbuf_reset(&sb);
		gen_value(&g, 0);
		int mutated = round % 3 != 0;
		for (int m = mutated ? 1 + (int)rnd(&g, 2) : 0; m > 0; m--)
			mutate(&g, &sb);

		json_error_t je;
		struct jdoc_error de;
		json_t *j = json_loadb(sb.buf, sb.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		int ours = jdoc_parse(&doc, sb.buf, sb.len, &de) == 0;

		if (ours && !j && jansson_number_limit(&je)) {
			documented++;
			continue;
		}
		cr_assert_eq(ours, j != NULL, "round %d: jdoc %s, jansson %s: '%s' (jdoc: %s; jansson: %s)",
			     round, ours ? "accepts" : "refuses", j ? "accepts" : "refuses", sb.buf,
			     ours ? "-" : de.msg, j ? "-" : je.text);
		if (ours) {
			accepted++;
			if (!mutated)
				same_value(0, j);
		} else {
			refused++;
			cr_assert_leq(de.offset, sb.len);
		}
		json_decref(j);
	}
	strbuf_free(&sb);
	/* the corpus exercises both sides */
	cr_assert_gt(accepted, 10000);
	cr_assert_gt(refused, 5000);
	cr_log_info("jansson differential: %d accepted, %d refused, %d number limits",
		    accepted, refused, documented);
}
