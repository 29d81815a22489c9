/* test_jsonw.c: the JSON writer (src/core/jsonw.c): structure, escaping
 * that keeps the output valid JSON and safe on a terminal. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "helpers/tmpstore.h"

static char *quote(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	json_quote(&sb, s, n);
	return strbuf_detach(&sb);
}

#define QUOTE(lit, want) do { \
	char *q_ = quote((lit), sizeof(lit) - 1); \
	cr_assert_str_eq(q_, (want)); \
	free(q_); \
} while (0)

Test(jsonw, compact_structure)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &sb, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_int(&w, "a", 1);
	jsonw_key(&w, "b");
	jsonw_arr_begin(&w);
	jsonw_bool(&w, 1);
	jsonw_null(&w);
	jsonw_str(&w, "x");
	jsonw_str(&w, NULL);
	jsonw_int(&w, INT64_MIN);
	jsonw_arr_end(&w);
	jsonw_key(&w, "c");
	jsonw_obj_begin(&w);
	jsonw_obj_end(&w);
	jsonw_kv_bool(&w, "d", 0);
	jsonw_kv_time(&w, "t", 0);
	jsonw_kv_time(&w, "u", 1715594400);
	jsonw_key(&w, "r");
	jsonw_raw(&w, "{\"z\":[1]}");
	jsonw_kv_str(&w, "s", "v");
	jsonw_obj_end(&w);
	cr_assert_str_eq(strbuf_str(&sb), "{\"a\":1,\"b\":[true,null,\"x\",null,"
			 "-9223372036854775808],\"c\":{},\"d\":false,\"t\":null,"
			 "\"u\":\"2024-05-13T10:00:00Z\",\"r\":{\"z\":[1]},\"s\":\"v\"}");
	strbuf_free(&sb);
}

Test(jsonw, pretty_output_is_the_same_json)
{
	struct strbuf sb = STRBUF_INIT, canon = STRBUF_INIT;
	struct jsonw w;
	struct jdoc d;

	jsonw_init(&w, &sb, 1);
	jsonw_arr_begin(&w);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "k", "v");
	jsonw_key(&w, "e");
	jsonw_arr_begin(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_int(&w, 2);
	jsonw_arr_end(&w);
	cr_assert_str_eq(strbuf_str(&sb), "[\n  {\n    \"k\": \"v\",\n    \"e\": []\n  },\n  2\n]");
	jdoc_init(&d);
	cr_assert_eq(jdoc_parse(&d, sb.buf, sb.len, NULL), 0);
	jdoc_canonical(&d, 0, &canon);
	cr_assert_str_eq(strbuf_str(&canon), "[{\"e\":[],\"k\":\"v\"},2]");
	jdoc_free(&d);
	strbuf_free(&sb);
	strbuf_free(&canon);
}

Test(jsonw, escapes_json_specials_and_terminal_controls)
{
	QUOTE("plain", "\"plain\"");
	QUOTE("a\"b\\c", "\"a\\\"b\\\\c\"");
	QUOTE("\n\t\r", "\"\\n\\t\\r\"");
	QUOTE("\x1b]0;pwned\x07", "\"\\u001b]0;pwned\\u0007\"");
	QUOTE("\x1b[2J", "\"\\u001b[2J\"");
	QUOTE("nul\0x", "\"nul\\u0000x\"");
	QUOTE("del\x7f", "\"del\\u007f\"");
	QUOTE("\xc2\x9b" "31m", "\"\\u009b31m\"");          /* C1 CSI */
	QUOTE("\xe2\x80\xae" "exe", "\"\\u202eexe\"");       /* bidi override */
	QUOTE("\xe2\x81\xa6\xe2\x80\x8f\xd8\x9c", "\"\\u2066\\u200f\\u061c\"");
	QUOTE("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
	QUOTE("\x9b\xff", "\"\\ufffd\\ufffd\"");               /* invalid UTF-8 */
	QUOTE("M\xc3\xbcller \xe6\xbc\xa2 \xe2\x86\x92", "\"M\xc3\xbcller \xe6\xbc\xa2 \xe2\x86\x92\"");
	QUOTE("/", "\"/\"");
}

Test(jsonw, any_bytes_give_valid_json_without_raw_controls)
{
	uint64_t seed = 7;
	unsigned char in[48];

	for (int round = 0; round < 20000; round++) {
		size_t n = tmp_rand(&seed) % sizeof in;
		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)(tmp_rand(&seed) >> 24);
		char *q = quote((const char *)in, n);
		json_error_t je;
		json_t *j = json_loads(q, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		cr_assert_not_null(j, "round %d: invalid JSON %s: %s", round, q, je.text);
		cr_assert(json_is_string(j));
		for (const unsigned char *p = (const unsigned char *)q; *p; p++)
			cr_assert(*p >= 0x20 && *p != 0x7f, "raw byte 0x%02x in %s", *p, q);
		cr_assert_null(strstr(q, "\xc2\x9b"));
		cr_assert_null(strstr(q, "\xe2\x80\xae"));
		json_decref(j);
		free(q);
	}
}

Test(jsonw, strn_takes_embedded_nul)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &sb, 0);
	jsonw_arr_begin(&w);
	jsonw_strn(&w, "a\0b", 3);
	jsonw_strn(&w, "abc", 2);
	jsonw_arr_end(&w);
	cr_assert_str_eq(strbuf_str(&sb), "[\"a\\u0000b\",\"ab\"]");
	strbuf_free(&sb);
}
