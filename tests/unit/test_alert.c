/* test_alert.c: the alert model (src/core/alert.c), format names, the
 * helpers in src/ingest/alert_parse.c, auto-detection and robustness of
 * every parser against odd JSON. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "irk/alert_parse.h"
#include "irk/model.h"
#include "alert_testlib.h"
#include "irk/strbuf.h"
#include "../src/ingest/parse_impl.h"

static const struct alert_mapping test_map = {
	.time = "detected_at", .rule_id = "detection.id",
	.rule_name = "detection.title", .severity = "detection.severity",
	.host = "asset.hostname", .src_ip = "net.src", .dst_ip = "net.dst",
	.user = "actor.login", .category = "detection.tactic", .id = "uuid",
};

Test(alert_format, names_round_trip)
{
	for (int f = 0; f < FMT_COUNT; f++) {
		cr_assert_eq(alert_format_parse(alert_format_name(f)), f);
		cr_assert_neq(strcmp(alert_format_help(f), "?"), 0);
	}
	cr_assert_eq(alert_format_parse("auto"), FMT_AUTO);
	cr_assert_eq(alert_format_parse("EVE"), FMT_EVE);
	cr_assert_eq(alert_format_parse("splunk"), -1);
	cr_assert_eq(alert_format_parse(""), -1);
	cr_assert_eq(alert_format_parse(NULL), -1);
	cr_assert_str_eq(alert_format_name(FMT_COUNT), "?");
	cr_assert_str_eq(alert_format_name(FMT_ZEEK), "zeek");
}

Test(alert_keep, copies_and_bounds)
{
	struct alert a;
	char big[ALERT_SCRATCH];
	const char *p;

	alert_reset(&a);
	p = alert_keep(&a, "10.0.0.1 trailing", 8);
	expect_str(p, "10.0.0.1");
	memset(big, 'x', sizeof big);
	cr_assert_null(alert_keep(&a, big, sizeof big), "larger than scratch");
	cr_assert_null(alert_keep(&a, NULL, 3));
	/* fill to the brim: every kept string stays intact, then NULL */
	while ((p = alert_keep(&a, big, 100)))
		cr_assert_eq(strlen(p), 100);
	cr_assert_leq(a.scratch_used, ALERT_SCRATCH);
	expect_str(a.scratch, "10.0.0.1");
}

Test(alert_keep, keepf_formats_or_gives_null)
{
	struct alert a;
	char big[ALERT_SCRATCH + 10];
	size_t used;

	alert_reset(&a);
	expect_str(alert_keepf(&a, "%s:%d", "10.0.0.1", 443), "10.0.0.1:443");
	used = a.scratch_used;
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cr_assert_null(alert_keepf(&a, "http://%s/", big));
	cr_assert_eq(a.scratch_used, used, "a failed keepf must not use room");
	expect_str(alert_keepf(&a, "after"), "after");
}

Test(alert_obs, dedupes_ignores_empty_and_is_bounded)
{
	struct alert a;
	char vals[ALERT_MAX_OBS + 4][16];

	alert_reset(&a);
	alert_add_obs(&a, OBS_IP, "10.0.0.1");
	alert_add_obs(&a, OBS_IP, "10.0.0.1");
	alert_add_obs(&a, OBS_HOST, "10.0.0.1");
	alert_add_obs(&a, OBS_IP, "");
	alert_add_obs(&a, OBS_IP, NULL);
	alert_add_obs(&a, OBS_COUNT, "x");
	cr_assert_eq(a.nobs, 2, "same type+value once; host is another type");
	for (int i = 0; i < ALERT_MAX_OBS + 4; i++) {
		snprintf(vals[i], sizeof vals[i], "h%d", i);
		alert_add_obs(&a, OBS_HOST, vals[i]);
	}
	cr_assert_eq(a.nobs, ALERT_MAX_OBS);
}

Test(alert_fingerprint, stable_and_sensitive)
{
	struct alert a, b;
	const char *p1[] = { "2024-05-13T08:14:02Z", "2035464", "10.0.0.1" };
	const char *p2[] = { "2024-05-13T08:14:02Z", "2035464", "10.0.0.2" };
	const char *split1[] = { "ab", "c" }, *split2[] = { "a", "bc" };
	const char *withnull[] = { "x", NULL }, *withempty[] = { "x", "" };

	alert_reset(&a);
	alert_reset(&b);
	a.format = b.format = FMT_EVE;
	alert_fingerprint(&a, p1, 3);
	alert_fingerprint(&b, p1, 3);
	cr_assert_arr_eq(a.fingerprint, b.fingerprint, ALERT_FP_LEN);
	alert_fingerprint(&b, p2, 3);
	cr_assert_arr_neq(a.fingerprint, b.fingerprint, ALERT_FP_LEN);
	alert_fingerprint(&a, split1, 2);
	alert_fingerprint(&b, split2, 2);
	cr_assert_arr_neq(a.fingerprint, b.fingerprint, ALERT_FP_LEN,
			  "parts are separated");
	alert_fingerprint(&a, withnull, 2);
	alert_fingerprint(&b, withempty, 2);
	cr_assert_arr_eq(a.fingerprint, b.fingerprint, ALERT_FP_LEN);
	b.format = FMT_ZEEK;
	alert_fingerprint(&b, withnull, 2);
	cr_assert_arr_neq(a.fingerprint, b.fingerprint, ALERT_FP_LEN,
			  "the format is part of the identity");
}

static struct jdoc *doc_of(const char *text)
{
	static struct jdoc d;
	struct jdoc_error e;

	jdoc_free(&d);
	jdoc_init(&d);
	cr_assert_eq(jdoc_parse(&d, text, strlen(text), &e), 0, "%s", e.msg);
	return &d;
}

Test(alert_json, path_literal_then_descend)
{
	struct jdoc *r = doc_of("{\"id.orig_h\":\"10.1.1.1\",\"id\":{\"orig_h\":"
		"\"wrong\",\"resp_h\":\"10.2.2.2\"},\"rule\":{\"id\":5710},"
		"\"kibana.alert\":{\"rule.name\":\"mixed\"},\"arr\":[1]}");
	int64_t v;

	cr_assert_str_eq(jdoc_str(r, alert_json_path(r, "id.orig_h")),
			 "10.1.1.1", "literal key first");
	cr_assert_str_eq(jdoc_str(r, alert_json_path(r, "id.resp_h")), "10.2.2.2");
	cr_assert_eq(jdoc_int(r, alert_json_path(r, "rule.id"), &v), 0);
	cr_assert_eq(v, 5710);
	cr_assert_str_eq(jdoc_str(r, alert_json_path(r, "kibana.alert.rule.name")), "mixed");
	cr_assert_eq(alert_json_path(r, "rule.id.x"), -1);
	cr_assert_eq(alert_json_path(r, "arr.0"), -1);
	cr_assert_eq(alert_json_path(r, "nope"), -1);
	cr_assert_eq(alert_json_path(r, ""), -1);
	cr_assert_eq(alert_json_path(r, NULL), -1);
	cr_assert_eq(alert_json_path(NULL, "rule.id"), -1);
	cr_assert_eq(alert_json_path_at(r, jdoc_first(r, alert_json_path(r, "arr")), "x"), -1);
}

/* alert_fields reads each object once; it must find what a lookup per path
 * finds, dotted keys, duplicate keys and non-objects on the way included. */
Test(alert_json, fields_agree_with_path_lookups)
{
	static const struct alert_field f[] = {
		{ -1, "a", 1, "a" }, { -1, "s", 1, "s" }, { -1, "n", 1, "n" },
		{ 0, "b", 1, "a.b" }, { 0, "c", 1, "a.c" }, { 0, "x", 1, "a.x" },
		{ 3, "d", 1, "a.b.d" }, { 2, "z", 1, "n.z" },
	};
	static const char *const docs[] = {
		"{\"a\":{\"b\":{\"d\":1},\"c\":2},\"s\":\"v\",\"n\":3}",
		"{\"a.b\":{\"d\":\"literal\"},\"a\":{\"b\":{\"d\":1}},\"s\":1}",
		"{\"a\":{\"b.d\":\"literal\",\"b\":{\"d\":1},\"c\":2}}",
		"{\"a\":{\"b\":1,\"b\":{\"d\":2}},\"s\":\"first\",\"s\":\"second\"}",
		"{\"a\":[{\"b\":1}],\"n\":{\"z\":null}}",
		"{\"a\":{\"b\":{\"d.e\":1,\"d\":5}}}",
		"[1,2]", "{}", "{\"a\":{}}",
	};
	int tok[8];

	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		struct jdoc *r = doc_of(docs[i]);
		alert_fields(r, f, 8, tok);
		for (int k = 0; k < 8; k++)
			cr_assert_eq(tok[k], alert_json_path(r, f[k].path),
				     "%s: %s gives %d, the path lookup %d", docs[i], f[k].path,
				     tok[k], alert_json_path(r, f[k].path));
	}
}

Test(alert_json, str_borrows_strings_and_formats_scalars)
{
	struct alert a;
	struct jdoc *r = doc_of("{\"s\":\"Müller\",\"i\":2024833,\"neg\":-5,"
		"\"ts\":1320435875.879278,\"whole\":3600.0,\"t\":true,"
		"\"f\":false,\"n\":null,\"a\":[\"x\"],\"o\":{}}");

	alert_reset(&a);
	cr_assert_eq(alert_json_str(&a, r, "s"), jdoc_str(r, jdoc_get(r, 0, "s")), "borrowed");
	expect_str(alert_json_str(&a, r, "i"), "2024833");
	expect_str(alert_json_str(&a, r, "neg"), "-5");
	expect_str(alert_json_str(&a, r, "ts"), "1320435875.879278");
	expect_str(alert_json_str(&a, r, "whole"), "3600");
	expect_str(alert_json_str(&a, r, "t"), "true");
	expect_str(alert_json_str(&a, r, "f"), "false");
	cr_assert_null(alert_json_str(&a, r, "n"));
	cr_assert_null(alert_json_str(&a, r, "a"));
	cr_assert_null(alert_json_str(&a, r, "o"));
	cr_assert_null(alert_json_str(&a, r, "missing"));
}

Test(alert_json, str_gives_null_when_scratch_is_full)
{
	struct alert a;
	char big[ALERT_SCRATCH];
	struct jdoc *r = doc_of("{\"i\":12345}");

	alert_reset(&a);
	memset(big, 'z', sizeof big);
	while (alert_keep(&a, big, 64))
		;
	while (alert_keep(&a, "", 0))
		;
	cr_assert_null(alert_json_str(&a, r, "i"));
	cr_assert_leq(a.scratch_used, ALERT_SCRATCH);
}

/* The path lookup tries every split of the dots: a hostile record must not
 * make that blow up. */
Test(alert_json, path_lookup_is_bounded_on_hostile_records)
{
	struct strbuf text = STRBUF_INIT;
	char path[200] = "a";

	/* {"a.a":{},"a":{"a.a":{},"a":...}} seventy deep */
	for (int i = 0; i < 70; i++)
		strbuf_puts(&text, "{\"a.a\":{},\"a\":");
	for (int i = 0; i < 40; i++)
		strcat(path, ".a");
	strbuf_puts(&text, "{}");
	for (int i = 0; i < 70; i++)
		strbuf_puts(&text, "}");
	strcat(path, ".zz");
	struct jdoc d;
	struct jdoc_error e;
	jdoc_init(&d);
	/* Deeper than jdoc allows: refused before any lookup runs. */
	cr_assert_eq(jdoc_parse(&d, text.buf, text.len, &e), -1);
	cr_assert(strstr(e.msg, "nesting") != NULL, "%s", e.msg);
	strbuf_reset(&text);
	for (int i = 0; i < 40; i++)
		strbuf_puts(&text, "{\"a.a\":{},\"a\":");
	strbuf_puts(&text, "{}");
	for (int i = 0; i < 40; i++)
		strbuf_puts(&text, "}");
	cr_assert_eq(jdoc_parse(&d, text.buf, text.len, &e), 0, "%s", e.msg);
	cr_assert_eq(alert_json_path(&d, path), -1);
	jdoc_free(&d);
	strbuf_free(&text);
}

Test(alert_detect, each_fixture_format)
{
	static const struct { const char *file; int line, fmt; } cases[] = {
		{ "eve.jsonl", 1, FMT_EVE }, { "eve.jsonl", 4, FMT_EVE },
		{ "eve.jsonl", 5, FMT_EVE }, { "wazuh.jsonl", 1, FMT_WAZUH },
		{ "wazuh.jsonl", 6, FMT_WAZUH }, { "ecs.jsonl", 1, FMT_ECS },
		{ "ecs.jsonl", 4, FMT_ECS }, { "ecs.jsonl", 6, FMT_ECS },
		{ "zeek.jsonl", 1, FMT_ZEEK }, { "zeek.jsonl", 5, FMT_ZEEK },
		{ "zeek.jsonl", 6, FMT_ZEEK },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rec r;
		testlib_parse(&r, FMT_AUTO, cases[i].file, cases[i].line, NULL);
		cr_assert_eq(alert_detect(&r.doc, NULL), cases[i].fmt,
			     "%s:%d detected as %s", cases[i].file, cases[i].line,
			     alert_format_name(alert_detect(&r.doc, NULL)));
		cr_assert_eq(r.a.format, cases[i].fmt);
		testlib_free(&r);
	}
}

Test(alert_detect, unknown_record_needs_a_mapping)
{
	struct rec r;

	testlib_parse(&r, FMT_AUTO, "generic.jsonl", 1, NULL);
	cr_assert_eq(alert_detect(&r.doc, NULL), -1);
	cr_assert_eq(alert_detect(&r.doc, &test_map), FMT_JSON);
	expect_rejected(&r, "not a recognised alert");
	testlib_free(&r);
	testlib_parse(&r, FMT_AUTO, "generic.jsonl", 1, &test_map);
	expect_ok(&r);
	cr_assert_eq(r.a.format, FMT_JSON);
	testlib_free(&r);
}

Test(alert_parse, keeps_raw_and_rejects_bad_format)
{
	struct rec r;

	testlib_parse(&r, FMT_EVE, "eve.jsonl", 1, NULL);
	expect_ok(&r);
	cr_assert_eq(r.a.raw, r.raw);
	cr_assert_eq(r.a.raw_len, strlen(r.raw));
	testlib_free(&r);
	testlib_parse(&r, 42, "eve.jsonl", 1, NULL);
	expect_rejected(&r, "unknown alert format");
	testlib_free(&r);
}

Test(alert_parse, non_object_records_are_rejected_by_every_parser)
{
	static const char *const texts[] = { "[]", "[1,2]", "\"alert\"", "42",
		"null", "true" };

	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
		for (int f = 0; f < FMT_COUNT; f++) {
			struct rec r;
			testlib_parse_text(&r, f, texts[t], &test_map);
			expect_rejected(&r, "not a JSON object");
			testlib_free(&r);
		}
}

/* Wrong types everywhere: every parser either accepts with sane values or
 * rejects with a reason; never crashes (run under ASan/UBSan too). */
Test(alert_parse, wrong_types_never_crash)
{
	static const char *const texts[] = {
		"{}",
		"{\"timestamp\":null,\"event_type\":\"alert\",\"alert\":null}",
		"{\"timestamp\":[],\"event_type\":\"alert\",\"alert\":[]}",
		"{\"timestamp\":{},\"event_type\":7}",
		"{\"timestamp\":\"2024-05-13T08:00:00Z\",\"event_type\":\"alert\","
		"\"alert\":\"flat\",\"src_ip\":{},\"dest_ip\":[null],\"dns\":"
		"{\"query\":[null,1,{\"rrname\":null}]},\"files\":[1,null,[]]}",
		"{\"timestamp\":1e300,\"rule\":{\"level\":\"x\",\"groups\":"
		"[null,3,\"\"]},\"agent\":{\"name\":[]},\"data\":null}",
		"{\"timestamp\":-5,\"rule\":{\"level\":99},\"agent\":{}}",
		"{\"@timestamp\":0,\"event\":{\"kind\":[\"alert\"]},\"ecs\":{}}",
		"{\"@timestamp\":\"2024-05-13T08:00:00Z\",\"event\":\"flat\",\"rule\":"
		"{\"id\":null,\"name\":{}},\"related\":{\"ip\":\"1.1.1.1\","
		"\"hosts\":[null,{},\"a\"],\"user\":7}}",
		"{\"@timestamp\":\"2024-05-13T08:00:00Z\",\"event\":{\"kind\":"
		"\"alert\",\"severity\":\"lots\",\"category\":[[],{}]},\"url\":"
		"{\"original\":\"/x\",\"domain\":[\"d\"]},\"log\":{\"level\":5}}",
		"{\"ts\":\"yesterday\",\"note\":\"X\",\"actions\":[]}",
		"{\"ts\":1715594400,\"note\":\"::\",\"src\":1,\"dst\":[],\"uid\":{}}",
		"{\"ts\":1715594400,\"note\":\"NoModule\",\"msg\":null}",
		"{\"detected_at\":true,\"detection\":[]}",
		"{\"detected_at\":\"1e999\",\"detection\":{\"severity\":[]}}",
		"{\"detected_at\":1715594400,\"detection\":{\"severity\":-3,\"id\":"
		"{}},\"asset\":{\"hostname\":null},\"uuid\":null}",
		"{\"s\":\"nul\\u0000byte\",\"timestamp\":\"2024-05-13T08:00:00Z\","
		"\"event_type\":\"alert\",\"alert\":{\"signature\":\"a\\u0000b\"}}",
	};

	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
		for (int f = FMT_AUTO; f < FMT_COUNT; f++) {
			struct rec r;
			testlib_parse_text(&r, f, texts[t], &test_map);
			cr_assert(r.rc == IRK_OK || r.rc == IRK_INVALID,
				  "record %zu as %d: rc %d", t, f, r.rc);
			if (r.rc == IRK_OK) {
				cr_assert_gt(r.a.event_time, 0);
				cr_assert_leq(r.a.scratch_used, ALERT_SCRATCH);
				for (int i = 0; i < r.a.nobs; i++)
					cr_assert_gt(strlen(r.a.obs[i].value), 0);
			} else {
				cr_assert_gt(strlen(r.err.msg), 0);
			}
			testlib_free(&r);
		}
}

/* Huge strings are borrowed, never truncated; what has to be built in the
 * scratch space (a URL) is dropped when it does not fit. */
Test(alert_parse, huge_strings_are_borrowed_whole)
{
	size_t n = 100000;
	char *sig = malloc(n + 1), *host = malloc(n + 1), *text;
	struct rec r;

	memset(sig, 'S', n);
	sig[n] = '\0';
	memset(host, 'h', n);
	host[n] = '\0';
	text = malloc(3 * n);
	snprintf(text, 3 * n, "{\"timestamp\":\"2024-05-13T08:00:00Z\","
		 "\"event_type\":\"alert\",\"alert\":{\"signature_id\":1,"
		 "\"signature\":\"%s\"},\"http\":{\"hostname\":\"%s\",\"url\":"
		 "\"/x\"}}", sig, host);
	testlib_parse_text(&r, FMT_EVE, text, NULL);
	expect_ok(&r);
	cr_assert_eq(strlen(r.a.rule_name), n);
	expect_obs(&r.a, OBS_DOMAIN, host);
	for (int i = 0; i < r.a.nobs; i++)
		cr_assert_neq(r.a.obs[i].type, OBS_URL, "URL cannot fit");
	testlib_free(&r);
	free(sig);
	free(host);
	free(text);
}

Test(alert_time, epoch_seconds_milliseconds_and_strings)
{
	static const struct { const char *when; long long want; } ok[] = {
		{ "1715594400", 1715594400 },
		{ "1715594400123", 1715594400 },
		{ "1715594400.999", 1715594400 },
		{ "\"1715594400\"", 1715594400 },
		{ "\"2024-05-13T10:00:00+00:00\"", 1715594400 },
		{ "\"2024-05-13T12:00:00.5+0200\"", 1715594400 },
	};
	static const char *const bad[] = { "0", "-1715594400", "\"\"",
		"\"soon\"", "\"0x66420fa0\"", "\"nan\"", "1e20", "null", "[1]",
		"{}", "\"1969-12-31T23:59:59Z\"" };
	const struct alert_mapping map = { .time = "t", .rule_name = "r" };
	char text[128];

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct rec r;
		snprintf(text, sizeof text, "{\"t\":%s,\"r\":\"x\"}", ok[i].when);
		testlib_parse_text(&r, FMT_JSON, text, &map);
		expect_ok(&r);
		cr_assert_eq(r.a.event_time, ok[i].want, "%s", ok[i].when);
		testlib_free(&r);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct rec r;
		snprintf(text, sizeof text, "{\"t\":%s}", bad[i]);
		testlib_parse_text(&r, FMT_JSON, text, &map);
		expect_rejected(&r, "no usable time in field 't'");
		testlib_free(&r);
	}
}

Test(alert_reset, clears_a_previous_record)
{
	struct rec r;
	struct alert *a;

	testlib_parse(&r, FMT_EVE, "eve.jsonl", 2, NULL);
	expect_ok(&r);
	a = &r.a;
	alert_reset(a);
	cr_assert_null(a->rule_id);
	cr_assert_null(a->host);
	cr_assert_eq(a->nobs, 0);
	cr_assert_eq(a->scratch_used, 0);
	cr_assert_eq(a->event_time, 0);
	cr_assert_null(a->raw);
	testlib_free(&r);
}

/* An alert that names no rule (an EVE "alert" with no alert object) used
 * to open an incident titled "unknown". In every format it is refused,
 * naming the fields that were looked at. */
Test(alert_parse, an_alert_without_a_rule_is_refused_naming_the_fields)
{
	static const struct { int fmt; const char *text, *why; } cases[] = {
		{ FMT_AUTO, "{\"event_type\":\"alert\",\"timestamp\":\"2026-12-01T04:00:00Z\"}",
		  "no rule: neither 'alert.signature_id' nor 'alert.signature' is given" },
		{ FMT_EVE, "{\"event_type\":\"alert\",\"timestamp\":\"2026-12-01T04:00:00Z\","
		  "\"src_ip\":\"10.0.0.1\",\"alert\":{\"severity\":1,\"signature\":\"\"}}",
		  "no rule: neither 'alert.signature_id' nor 'alert.signature' is given" },
		{ FMT_WAZUH, "{\"timestamp\":\"2026-12-01T04:00:00Z\",\"rule\":{\"level\":3},"
		  "\"agent\":{\"name\":\"web-01\"}}",
		  "no rule: neither 'rule.id' nor 'rule.description' is given" },
		{ FMT_ECS, "{\"@timestamp\":\"2026-12-01T04:00:00Z\",\"event\":{\"kind\":\"alert\"},"
		  "\"host\":{\"name\":\"web-01\"}}",
		  "no rule: neither 'rule.id' nor 'rule.name' is given" },
		{ FMT_JSON, "{\"detected_at\":\"2026-12-01T04:00:00Z\",\"asset\":{\"hostname\":\"x\"}}",
		  "no rule: neither 'detection.id' nor 'detection.title' is given" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rec r;
		testlib_parse_text(&r, cases[i].fmt, cases[i].text, &test_map);
		cr_assert_eq(r.rc, IRK_INVALID, "case %zu accepted", i);
		cr_assert_str_eq(r.err.msg, cases[i].why, "case %zu", i);
		testlib_free(&r);
	}
}

Test(alert_parse, a_rule_id_or_a_rule_name_is_enough)
{
	struct rec r;

	testlib_parse_text(&r, FMT_EVE, "{\"event_type\":\"alert\",\"timestamp\":\"2026-12-01T04:00:00Z\","
			   "\"alert\":{\"signature_id\":2100498}}", NULL);
	expect_ok(&r);
	testlib_free(&r);
	testlib_parse_text(&r, FMT_EVE, "{\"event_type\":\"alert\",\"timestamp\":\"2026-12-01T04:00:00Z\","
			   "\"alert\":{\"signature\":\"ET POLICY curl\"}}", NULL);
	expect_ok(&r);
	testlib_free(&r);
}
