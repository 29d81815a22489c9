/* test_alert_formats.c: what each parser makes of realistic records
 * (the JSON Lines files in tests/fixtures/alerts/), as an analyst would read
 * the result. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "irk/alert_parse.h"
#include "irk/model.h"
#include "alert_testlib.h"

#define PWNED "\x1b]0;pwned\a"

static const struct alert_mapping gen_map = {
	.time = "detected_at", .rule_id = "detection.id",
	.rule_name = "detection.title", .severity = "detection.severity",
	.host = "asset.hostname", .src_ip = "net.src", .dst_ip = "net.dst",
	.user = "actor.login", .category = "detection.tactic", .id = "uuid",
};

/* Parse line n of file after setting key (in the object at the dotted
 * path where, NULL for the top) to val (stolen; NULL deletes the key). */
static void parse_changed(struct rec *r, int fmt, const char *file, int n,
		const char *where, const char *key, json_t *val)
{
	struct rec orig;
	json_t *obj;
	char *text;

	testlib_parse(&orig, fmt, file, n, &gen_map);
	obj = orig.root;
	if (where) {
		char part[64];
		const char *p = where, *dot;
		do {
			dot = strchr(p, '.');
			snprintf(part, sizeof part, "%.*s", dot ? (int)(dot - p) : (int)strlen(p), p);
			obj = json_object_get(obj, part);
			p = dot + 1;
		} while (dot && obj);
	}
	cr_assert(json_is_object(obj), "no object '%s'", where);
	if (val)
		json_object_set_new(obj, key, val);
	else
		json_object_del(obj, key);
	text = json_dumps(orig.root, JSON_COMPACT);
	testlib_free(&orig);
	testlib_parse_text(r, fmt, text, &gen_map);
	free(text);
}

/* The fingerprint of line n changes (or not) when one field changes. */
static void expect_fp_change(int fmt, const char *file, int n,
		const char *where, const char *key, json_t *val, int changes)
{
	struct rec a, b;

	testlib_parse(&a, fmt, file, n, &gen_map);
	parse_changed(&b, fmt, file, n, where, key, val);
	expect_ok(&a);
	expect_ok(&b);
	if (changes)
		cr_assert_arr_neq(a.a.fingerprint, b.a.fingerprint, ALERT_FP_LEN,
				  "%s:%d: changing %s.%s must change the identity",
				  file, n, where ? where : "", key);
	else
		cr_assert_arr_eq(a.a.fingerprint, b.a.fingerprint, ALERT_FP_LEN,
				 "%s:%d: changing %s.%s must keep the identity",
				 file, n, where ? where : "", key);
	testlib_free(&a);
	testlib_free(&b);
}

/* Severity of line n once key (in where) is set to the JSON text val. */
static int sev_with(int fmt, const char *file, int n, const char *where,
		const char *key, const char *val)
{
	struct rec r;
	int sev;

	parse_changed(&r, fmt, file, n, where, key,
		      val ? json_loads(val, JSON_DECODE_ANY, NULL) : NULL);
	expect_ok(&r);
	sev = r.a.severity;
	testlib_free(&r);
	return sev;
}

/* ---- every fixture line: explicit format == auto-detection ---------- */

Test(alert_fixtures, auto_detection_agrees_with_explicit_format)
{
	static const struct { const char *file; int fmt, lines; } files[] = {
		{ "eve.jsonl", FMT_EVE, 6 }, { "wazuh.jsonl", FMT_WAZUH, 6 },
		{ "ecs.jsonl", FMT_ECS, 6 }, { "zeek.jsonl", FMT_ZEEK, 7 },
	};

	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
		for (int n = 1; n <= files[f].lines; n++) {
			struct rec x, y;
			testlib_parse(&x, files[f].fmt, files[f].file, n, NULL);
			testlib_parse(&y, FMT_AUTO, files[f].file, n, NULL);
			cr_assert_eq(x.rc, y.rc, "%s:%d", files[f].file, n);
			cr_assert_str_eq(x.err.msg, y.err.msg);
			cr_assert_arr_eq(x.a.fingerprint, y.a.fingerprint,
					 ALERT_FP_LEN);
			cr_assert_eq(y.a.format, files[f].fmt);
			testlib_free(&x);
			testlib_free(&y);
		}
}

Test(alert_fixtures, same_record_same_fingerprint_distinct_records_differ)
{
	static const struct { const char *file; int fmt, lines[5]; } files[] = {
		{ "eve.jsonl", FMT_EVE, { 1, 2, 3, 6 } },
		{ "wazuh.jsonl", FMT_WAZUH, { 1, 2, 3, 4, 5 } },
		{ "ecs.jsonl", FMT_ECS, { 1, 2, 5, 6 } },
		{ "zeek.jsonl", FMT_ZEEK, { 1, 2, 3, 4, 5 } },
	};
	unsigned char seen[32][ALERT_FP_LEN];
	int nseen = 0;

	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
		for (int i = 0; i < 5 && files[f].lines[i]; i++) {
			struct rec x, y;
			int n = files[f].lines[i];
			testlib_parse(&x, files[f].fmt, files[f].file, n, NULL);
			testlib_parse(&y, files[f].fmt, files[f].file, n, NULL);
			expect_ok(&x);
			cr_assert_arr_eq(x.a.fingerprint, y.a.fingerprint,
					 ALERT_FP_LEN);
			for (int k = 0; k < nseen; k++)
				cr_assert_arr_neq(seen[k], x.a.fingerprint,
						  ALERT_FP_LEN, "%s:%d collides",
						  files[f].file, n);
			memcpy(seen[nseen++], x.a.fingerprint, ALERT_FP_LEN);
			testlib_free(&x);
			testlib_free(&y);
		}
}

/* ---- Suricata EVE ---------------------------------------------------- */

Test(alert_eve, tls_alert_fields)
{
	struct rec r;

	testlib_parse(&r, FMT_EVE, "eve.jsonl", 1, NULL);
	expect_ok(&r);
	cr_assert_eq(r.a.format, FMT_EVE);
	cr_assert_eq(r.a.event_time, 1715580842, "+0200 offset applied");
	expect_str(r.a.rule_id, "2035464");
	expect_str(r.a.rule_name,
		   "ET MALWARE Observed Cobalt Strike Domain in TLS SNI");
	expect_str(r.a.category, "A Network Trojan was detected");
	expect_sev(&r.a, SEV_CRITICAL);   /* signature_severity Critical */
	expect_str(r.a.src_ip, "10.20.1.15");
	expect_str(r.a.dst_ip, "185.199.110.153");
	expect_str(r.a.host, "10.20.1.15");  /* the workstation, not the C2 server */
	cr_assert_null(r.a.user);
	expect_obs(&r.a, OBS_IP, "10.20.1.15");
	expect_obs(&r.a, OBS_IP, "185.199.110.153");
	expect_obs(&r.a, OBS_DOMAIN, "update.evil-cdn.example");
	testlib_free(&r);
}

Test(alert_eve, http_alert_keeps_escapes_raw_and_builds_url)
{
	struct rec r;

	testlib_parse(&r, FMT_EVE, "eve.jsonl", 2, NULL);
	expect_ok(&r);
	/* sanitizing is the front end's job: the struct holds the bytes */
	expect_str(r.a.rule_name,
		   "ET WEB_SERVER M\xc3\xbcller-Shop admin probe " PWNED);
	/* "host" is the sensor: the affected host is the web server */
	expect_str(r.a.host, "10.20.3.80");
	expect_sev(&r.a, SEV_MEDIUM);
	cr_assert_not(testlib_has_obs(&r.a, OBS_HOST, "ids-edge-02"),
		      "the sensor is not a host of the incident");
	expect_obs(&r.a, OBS_DOMAIN, "shop.example.org");
	expect_obs(&r.a, OBS_URL,
		   "http://shop.example.org/admin/login.php?user=m%C3%BCller");
	expect_obs(&r.a, OBS_HASH, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
		   "2b0b822cd15d6c15b0f00a08");
	expect_obs(&r.a, OBS_HASH, "098f6bcd4621d373cade4e832627b4f6");
	testlib_free(&r);
}

Test(alert_eve, dns_alert_is_low_with_query_domain)
{
	struct rec r;

	testlib_parse(&r, FMT_EVE, "eve.jsonl", 3, NULL);
	expect_ok(&r);
	expect_sev(&r.a, SEV_LOW);
	expect_obs(&r.a, OBS_DOMAIN, "xk3j9q.dga-domain.example");
	testlib_free(&r);
}

Test(alert_eve, other_event_types_are_skipped_by_name)
{
	struct rec r;

	testlib_parse(&r, FMT_EVE, "eve.jsonl", 4, NULL);
	expect_skipped(&r, "event_type is 'flow', not 'alert'");
	cr_assert_eq(r.a.format, FMT_EVE, "a skipped record's format is known");
	testlib_free(&r);
	parse_changed(&r, FMT_EVE, "eve.jsonl", 1, NULL, "event_type", NULL);
	expect_rejected(&r, "'event_type'");
	testlib_free(&r);
	/* the echoed value is outside text: it arrives sanitized */
	parse_changed(&r, FMT_EVE, "eve.jsonl", 1, NULL, "event_type",
		      json_string("x" PWNED));
	expect_skipped(&r, "event_type is 'x\\x1b]0;pwned\\x07'");
	testlib_free(&r);
}

Test(alert_eve, missing_time_is_refused_by_name)
{
	struct rec r;

	testlib_parse(&r, FMT_EVE, "eve.jsonl", 5, NULL);
	expect_rejected(&r, "no usable time in field 'timestamp'");
	testlib_free(&r);
	testlib_parse(&r, FMT_AUTO, "eve.jsonl", 5, NULL);
	expect_rejected(&r, "no usable time in field 'timestamp'");
	testlib_free(&r);
}

Test(alert_eve, wrong_types_give_sane_values)
{
	struct rec r;

	testlib_parse(&r, FMT_EVE, "eve.jsonl", 6, NULL);
	expect_ok(&r);
	expect_str(r.a.rule_id, "2100498");         /* string id kept */
	expect_sev(&r.a, SEV_HIGH);                  /* "1" read as 1 */
	cr_assert_null(r.a.rule_name, "an array is not a signature");
	cr_assert_null(r.a.category);
	cr_assert_null(r.a.dst_ip, "an array is not an address");
	expect_str(r.a.host, "3232235777");          /* the lone address */
	expect_str(r.a.src_ip, "3232235777");        /* number as its text */
	testlib_free(&r);
}

/* The host of an EVE alert is the affected machine (irk(1) AFFECTED HOST),
 * never the sensor EVE names in "host". top is added to the record, in to
 * its alert object. */
static const char *eve_host(struct rec *r, const char *src, const char *dst,
			    const char *top, const char *in)
{
	char text[1024];

	snprintf(text, sizeof text, "{\"timestamp\":\"2025-11-03T08:00:00Z\","
		 "\"flow_id\":1,\"event_type\":\"alert\",\"host\":\"ids-edge-02\","
		 "%s%s%s%s%s%s%s\"alert\":{\"signature_id\":1,\"signature\":\"x\"%s}}",
		 src ? "\"src_ip\":\"" : "", src ? src : "", src ? "\"," : "",
		 dst ? "\"dest_ip\":\"" : "", dst ? dst : "", dst ? "\"," : "",
		 top ? top : "", in ? in : "");
	testlib_parse_text(r, FMT_EVE, text, NULL);
	expect_ok(r);
	cr_assert_not(testlib_has_obs(&r->a, OBS_HOST, "ids-edge-02"),
		      "the sensor is no host of the incident");
	return r->a.host;
}

#define expect_host(src, dst, top, in, want) do { \
	struct rec r_; \
	const char *h_ = eve_host(&r_, (src), (dst), (top), (in)); \
	if (want) \
		expect_str(h_, (const char *)(want)); \
	else \
		cr_assert_null(h_, "no address, no host (got '%s')", h_); \
	testlib_free(&r_); \
} while (0)

#define TO_CLIENT "\"direction\":\"to_client\","
#define TO_SERVER "\"direction\":\"to_server\","

Test(alert_eve, host_of_outbound_c2_is_the_internal_client)
{
	expect_host("10.20.1.15", "203.0.113.10", NULL, NULL, "10.20.1.15");
	expect_host("192.168.7.20", "198.51.100.99", NULL, NULL, "192.168.7.20");
	expect_host("fd12:3456::20", "2001:db8::99", NULL, NULL, "fd12:3456::20");
	/* the server's answer to it: the same machine */
	expect_host("203.0.113.10", "10.20.1.15", TO_CLIENT, NULL, "10.20.1.15");
}

Test(alert_eve, host_of_an_inbound_attack_on_the_dmz_is_the_server)
{
	expect_host("198.51.100.7", "10.20.3.80", NULL, NULL, "10.20.3.80");
	expect_host("198.51.100.7", "172.16.3.80", NULL, NULL, "172.16.3.80");
	/* a DMZ server with a public address: neither side is internal, the
	 * side that received the connection is */
	expect_host("198.51.100.7", "203.0.113.80", NULL, NULL, "203.0.113.80");
	expect_host("198.51.100.7", "203.0.113.80", TO_SERVER, NULL, "203.0.113.80");
	/* its answer (Suricata 7 says which way the packet went) */
	expect_host("203.0.113.80", "198.51.100.7", TO_CLIENT, NULL, "203.0.113.80");
}

Test(alert_eve, host_of_lateral_movement_is_the_target)
{
	expect_host("10.1.1.5", "10.1.2.9", NULL, NULL, "10.1.2.9");
	expect_host("fd00::5", "fe80::9", NULL, NULL, "fe80::9");
	expect_host("10.1.2.9", "10.1.1.5", TO_CLIENT, NULL, "10.1.2.9");
	/* the rule names the target itself (Suricata's target keyword) */
	expect_host("10.1.1.5", "10.1.2.9", NULL,
		    ",\"target\":{\"ip\":\"10.1.1.5\",\"port\":445}", "10.1.1.5");
}

Test(alert_eve, host_without_addresses_is_none)
{
	expect_host(NULL, NULL, NULL, NULL, NULL);
	expect_host("10.1.1.5", NULL, NULL, NULL, "10.1.1.5");
	expect_host(NULL, "203.0.113.80", NULL, NULL, "203.0.113.80");
}

Test(alert_eve, severity_mapping)
{
	cr_assert_eq(sev_with(FMT_EVE, "eve.jsonl", 3, "alert", "severity", "1"),
		     SEV_HIGH);
	cr_assert_eq(sev_with(FMT_EVE, "eve.jsonl", 3, "alert", "severity", "2"),
		     SEV_MEDIUM);
	cr_assert_eq(sev_with(FMT_EVE, "eve.jsonl", 3, "alert", "severity", "4"),
		     SEV_LOW);
	cr_assert_eq(sev_with(FMT_EVE, "eve.jsonl", 3, "alert", "severity",
			      NULL), SEV_MEDIUM);
	cr_assert_eq(sev_with(FMT_EVE, "eve.jsonl", 3, "alert", "severity",
			      "\"high\""), SEV_MEDIUM, "not a number: unknown");
	cr_assert_eq(sev_with(FMT_EVE, "eve.jsonl", 3, "alert", "metadata",
			      "{\"signature_severity\":[\"Major\"]}"), SEV_HIGH);
	cr_assert_eq(sev_with(FMT_EVE, "eve.jsonl", 3, "alert", "metadata",
			      "{\"signature_severity\":\"critical\"}"),
		     SEV_CRITICAL);
	cr_assert_eq(sev_with(FMT_EVE, "eve.jsonl", 1, "alert", "metadata",
			      "{\"signature_severity\":[\"Minor\"]}"), SEV_HIGH,
		     "Minor does not lower a priority-1 alert");
}

Test(alert_eve, identity_is_flow_signature_and_transaction)
{
	expect_fp_change(FMT_EVE, "eve.jsonl", 1, NULL, "tx_id",
			 json_integer(1), 1);
	expect_fp_change(FMT_EVE, "eve.jsonl", 1, NULL, "flow_id",
			 json_integer(1), 1);
	expect_fp_change(FMT_EVE, "eve.jsonl", 1, NULL, "timestamp",
			 json_string("2024-05-13T08:14:02.413252+0200"), 1);
	expect_fp_change(FMT_EVE, "eve.jsonl", 1, "alert", "signature_id",
			 json_integer(2035465), 1);
	expect_fp_change(FMT_EVE, "eve.jsonl", 1, NULL, "dest_port",
			 json_integer(8443), 1);
	/* re-shipped with another interface name: the same alert */
	expect_fp_change(FMT_EVE, "eve.jsonl", 1, NULL, "in_iface",
			 json_string("eth2"), 0);
}

Test(alert_eve, dns_queries_and_fileinfo_variants)
{
	struct rec r;

	testlib_parse_text(&r, FMT_EVE, "{\"timestamp\":\"2024-05-13T06:21:10Z\","
		"\"event_type\":\"alert\",\"alert\":{\"signature_id\":1},"
		"\"dns\":{\"queries\":[{\"rrname\":\"a.example\"},{\"rrname\":"
		"\"b.example\"}]},\"fileinfo\":{\"sha256\":\"abc\",\"md5\":\"def\"},"
		"\"http\":{\"hostname\":\"h.example\",\"url\":"
		"\"http://proxy.example/x\"}}", NULL);
	expect_ok(&r);
	expect_obs(&r.a, OBS_DOMAIN, "a.example");
	expect_obs(&r.a, OBS_DOMAIN, "b.example");
	expect_obs(&r.a, OBS_HASH, "abc");
	expect_obs(&r.a, OBS_HASH, "def");
	expect_obs(&r.a, OBS_URL, "http://proxy.example/x");
	testlib_free(&r);
}

/* ---- Wazuh ---------------------------------------------------------- */

Test(alert_wazuh, sshd_invalid_user)
{
	struct rec r;

	testlib_parse(&r, FMT_WAZUH, "wazuh.jsonl", 1, NULL);
	expect_ok(&r);
	cr_assert_eq(r.a.event_time, 1715590931);
	expect_str(r.a.rule_id, "5710");
	expect_str(r.a.rule_name,
		   "sshd: Attempt to login using a non-existent user");
	expect_sev(&r.a, SEV_LOW);                   /* level 5 */
	expect_str(r.a.host, "web-01");
	expect_str(r.a.src_ip, "198.51.100.23");
	cr_assert_null(r.a.dst_ip);
	expect_str(r.a.user, "admin");               /* srcuser */
	expect_str(r.a.category, "authentication_failed");
	expect_obs(&r.a, OBS_HOST, "web-01");
	expect_obs(&r.a, OBS_IP, "10.0.1.21");       /* agent.ip */
	expect_obs(&r.a, OBS_IP, "198.51.100.23");
	expect_obs(&r.a, OBS_USER, "admin");
	testlib_free(&r);
}

Test(alert_wazuh, brute_force_prefers_target_user)
{
	struct rec r;

	testlib_parse(&r, FMT_WAZUH, "wazuh.jsonl", 2, NULL);
	expect_ok(&r);
	expect_sev(&r.a, SEV_MEDIUM);                /* level 10 */
	expect_str(r.a.user, "root");
	expect_str(r.a.category, "authentication_failures");
	testlib_free(&r);
	parse_changed(&r, FMT_WAZUH, "wazuh.jsonl", 2, "data", "srcuser",
		      json_string("attacker"));
	expect_str(r.a.user, "root");
	expect_obs(&r.a, OBS_USER, "attacker");
	testlib_free(&r);
}

Test(alert_wazuh, windows_logon_user_in_utf8)
{
	struct rec r;

	testlib_parse(&r, FMT_WAZUH, "wazuh.jsonl", 3, NULL);
	expect_ok(&r);
	expect_sev(&r.a, SEV_HIGH);                  /* level 12 */
	expect_str(r.a.host, "DC-01");
	expect_str(r.a.user, "j\xc3\xbcrgen.m\xc3\xbcller");
	expect_obs(&r.a, OBS_USER, "svc-backup");
	expect_str(r.a.category, "authentication_success");
	testlib_free(&r);
}

Test(alert_wazuh, syscheck_hashes)
{
	struct rec r;

	testlib_parse(&r, FMT_WAZUH, "wazuh.jsonl", 4, NULL);
	expect_ok(&r);
	expect_sev(&r.a, SEV_MEDIUM);                /* level 7 */
	expect_str(r.a.category, "syscheck_file");
	expect_obs(&r.a, OBS_HASH, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
		   "649b934ca495991b7852b855");
	expect_obs(&r.a, OBS_HASH, "e2fc714c4727ee9395f324cd2e7f331f");
	testlib_free(&r);
}

Test(alert_wazuh, critical_level_and_raw_escape)
{
	struct rec r;

	testlib_parse(&r, FMT_WAZUH, "wazuh.jsonl", 5, NULL);
	expect_ok(&r);
	expect_sev(&r.a, SEV_CRITICAL);              /* level 15 */
	expect_str(r.a.rule_name, "Ransomware note written by " PWNED
		   " on M\xc3\xbcller's share");
	expect_str(r.a.dst_ip, "10.0.6.12");
	expect_str(r.a.user, "M\xc3\xbcller");
	expect_str(r.a.category, "ransomware");      /* "local" is generic */
	testlib_free(&r);
}

Test(alert_wazuh, missing_time_is_refused_by_name)
{
	struct rec r;

	testlib_parse(&r, FMT_AUTO, "wazuh.jsonl", 6, NULL);
	expect_rejected(&r, "no usable time in field 'timestamp'");
	testlib_free(&r);
}

Test(alert_wazuh, level_bands)
{
	static const struct { const char *level; int sev; } bands[] = {
		{ "0", SEV_LOW }, { "6", SEV_LOW }, { "7", SEV_MEDIUM },
		{ "11", SEV_MEDIUM }, { "12", SEV_HIGH }, { "14", SEV_HIGH },
		{ "15", SEV_CRITICAL }, { "16", SEV_CRITICAL },
		{ "\"12\"", SEV_HIGH }, { "null", SEV_MEDIUM },
		{ "[12]", SEV_MEDIUM },
	};

	for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
		cr_assert_eq(sev_with(FMT_WAZUH, "wazuh.jsonl", 1, "rule", "level",
				      bands[i].level), bands[i].sev, "level %s",
			     bands[i].level);
}

Test(alert_wazuh, identity_is_id_time_rule_agent)
{
	expect_fp_change(FMT_WAZUH, "wazuh.jsonl", 1, NULL, "id",
			 json_string("1715590931.1048232"), 1);
	expect_fp_change(FMT_WAZUH, "wazuh.jsonl", 1, "agent", "id",
			 json_string("002"), 1);
	expect_fp_change(FMT_WAZUH, "wazuh.jsonl", 1, "rule", "firedtimes",
			 json_integer(5), 0);
}

Test(alert_wazuh, category_falls_back_to_a_generic_group)
{
	struct rec r;

	parse_changed(&r, FMT_WAZUH, "wazuh.jsonl", 1, "rule", "groups",
		      json_pack("[ss]", "syslog", "ossec"));
	expect_ok(&r);
	expect_str(r.a.category, "syslog");
	testlib_free(&r);
	parse_changed(&r, FMT_WAZUH, "wazuh.jsonl", 1, "rule", "groups",
		      json_string("web"));
	expect_str(r.a.category, "web");
	testlib_free(&r);
}

/* ---- ECS ------------------------------------------------------------ */

Test(alert_ecs, suricata_through_elastic)
{
	struct rec r;

	testlib_parse(&r, FMT_ECS, "ecs.jsonl", 1, NULL);
	expect_ok(&r);
	cr_assert_eq(r.a.event_time, 1715594462);
	expect_str(r.a.rule_id, "2024217");
	expect_str(r.a.rule_name, "ET MALWARE Win32/Emotet CnC Activity (POST)");
	expect_str(r.a.category, "A Network Trojan was detected");
	expect_sev(&r.a, SEV_HIGH);                  /* event.severity 1 */
	expect_str(r.a.host, "10.20.1.77");          /* not observer.name */
	expect_str(r.a.src_ip, "10.20.1.77");
	expect_str(r.a.dst_ip, "192.0.2.66");
	expect_obs(&r.a, OBS_DOMAIN, "cnc.emotet.example");
	expect_obs(&r.a, OBS_URL, "http://cnc.emotet.example/gate.php");
	testlib_free(&r);
}

Test(alert_ecs, elastic_security_signal)
{
	struct rec r;

	testlib_parse(&r, FMT_ECS, "ecs.jsonl", 2, NULL);
	expect_ok(&r);
	expect_str(r.a.rule_name, "Credential Dumping - Detected - Elastic "
		   "Endgame");
	expect_str(r.a.rule_id, "571afc56-5ed9-465d-a2a9-045f099f6e7e");
	expect_sev(&r.a, SEV_CRITICAL);              /* kibana.alert.severity */
	expect_str(r.a.host, "ws-042");
	expect_str(r.a.user, "m\xc3\xbcller");
	expect_str(r.a.category, "process");         /* event.category[0] */
	expect_obs(&r.a, OBS_PROCESS, "C:\\Windows\\Temp\\m.exe");
	expect_obs(&r.a, OBS_HASH, "5e884898da28047151d0e56f8dc6292773603d0d"
		   "6aabbdd62a11ef721d1542d8");
	expect_obs(&r.a, OBS_USER, "m\xc3\xbcller");
	testlib_free(&r);
}

Test(alert_ecs, plain_events_are_skipped_by_name)
{
	struct rec r;

	testlib_parse(&r, FMT_ECS, "ecs.jsonl", 3, NULL);
	expect_skipped(&r, "event.kind is 'event'");
	testlib_free(&r);
	parse_changed(&r, FMT_ECS, "ecs.jsonl", 3, "event", "kind", NULL);
	expect_rejected(&r, "'event.kind'");
	testlib_free(&r);
}

Test(alert_ecs, missing_time_is_refused_by_name)
{
	struct rec r;

	testlib_parse(&r, FMT_AUTO, "ecs.jsonl", 4, NULL);
	expect_rejected(&r, "no usable time in field '@timestamp'");
	testlib_free(&r);
}

Test(alert_ecs, risk_score_odd_types_and_raw_escape)
{
	struct rec r;

	testlib_parse(&r, FMT_ECS, "ecs.jsonl", 5, NULL);
	expect_ok(&r);
	expect_sev(&r.a, SEV_HIGH);                  /* event.severity 73 */
	expect_str(r.a.rule_id, "9001");             /* a number */
	expect_str(r.a.rule_name, "YARA hit: M\xc3\xbcller dropper " PWNED);
	expect_str(r.a.user, "1001");
	expect_str(r.a.host, "lab-07");              /* host.hostname */
	expect_str(r.a.category, "malware");         /* a string, not array */
	expect_obs(&r.a, OBS_IP, "10.20.7.9");       /* related.ip */
	expect_obs(&r.a, OBS_HASH, "d41d8cd98f00b204e9800998ecf8427e");
	testlib_free(&r);
}

Test(alert_ecs, rule_without_event_kind_is_an_alert)
{
	struct rec r;

	testlib_parse(&r, FMT_ECS, "ecs.jsonl", 6, NULL);
	expect_ok(&r);
	expect_str(r.a.rule_name, "Outbound SMB blocked");
	cr_assert_null(r.a.rule_id);
	expect_sev(&r.a, SEV_MEDIUM);                /* log.level warning */
	expect_str(r.a.host, "10.20.2.2");           /* not the firewall */
	expect_str(r.a.category, "network");
	testlib_free(&r);
}

Test(alert_ecs, severity_rules)
{
	static const struct { const char *v; int sev; } es[] = {
		{ "0", SEV_LOW }, { "2", SEV_MEDIUM }, { "3", SEV_LOW },
		{ "21", SEV_LOW }, { "22", SEV_MEDIUM }, { "47", SEV_MEDIUM },
		{ "48", SEV_HIGH }, { "73", SEV_HIGH }, { "74", SEV_CRITICAL },
		{ "99", SEV_CRITICAL },
	};

	for (size_t i = 0; i < sizeof es / sizeof es[0]; i++)
		cr_assert_eq(sev_with(FMT_ECS, "ecs.jsonl", 6, "event", "severity",
				      es[i].v), es[i].sev, "event.severity %s",
			     es[i].v);
	cr_assert_eq(sev_with(FMT_ECS, "ecs.jsonl", 6, "log", "level",
			      "\"CRITICAL\""), SEV_CRITICAL);
	cr_assert_eq(sev_with(FMT_ECS, "ecs.jsonl", 6, "log", "level",
			      "\"info\""), SEV_LOW);
	cr_assert_eq(sev_with(FMT_ECS, "ecs.jsonl", 2, NULL,
			      "kibana.alert.severity", "\"low\""), SEV_LOW);
}

Test(alert_ecs, host_name_else_the_internal_address)
{
	struct rec r;

	parse_changed(&r, FMT_ECS, "ecs.jsonl", 1, NULL, "host",
		      json_pack("{s:s}", "name", "ws-077"));
	expect_ok(&r);
	expect_str(r.a.host, "ws-077");              /* the machine it happened on */
	testlib_free(&r);
	parse_changed(&r, FMT_ECS, "ecs.jsonl", 6, "source", "ip",
		      json_string("198.51.100.9"));
	expect_ok(&r);
	expect_str(r.a.host, "203.0.113.8");         /* neither internal: the destination */
	testlib_free(&r);
}

Test(alert_ecs, identity_by_event_id_or_content)
{
	/* event.id present: it alone is the identity */
	expect_fp_change(FMT_ECS, "ecs.jsonl", 2, NULL, "@timestamp",
			 json_string("2024-05-13T10:15:41.500Z"), 0);
	expect_fp_change(FMT_ECS, "ecs.jsonl", 2, "event", "id",
			 json_string("c0ffee00-0000"), 1);
	/* no event.id: time, rule, endpoints and the original text */
	expect_fp_change(FMT_ECS, "ecs.jsonl", 1, "source", "port",
			 json_integer(49823), 1);
	expect_fp_change(FMT_ECS, "ecs.jsonl", 1, "event", "original",
			 json_string("{}"), 1);
	expect_fp_change(FMT_ECS, "ecs.jsonl", 1, "event", "dataset",
			 json_string("x"), 0);
}

/* ---- Zeek notice ---------------------------------------------------- */

Test(alert_zeek, password_guessing)
{
	struct rec r;

	testlib_parse(&r, FMT_ZEEK, "zeek.jsonl", 1, NULL);
	expect_ok(&r);
	cr_assert_eq(r.a.event_time, 1715594400);
	expect_str(r.a.rule_id, "SSH::Password_Guessing");
	expect_str(r.a.rule_name, "198.51.100.23 appears to be guessing SSH "
		   "passwords (seen in 30 connections).");
	expect_sev(&r.a, SEV_HIGH);
	expect_str(r.a.category, "SSH");
	expect_str(r.a.src_ip, "198.51.100.23");
	cr_assert_null(r.a.dst_ip);
	expect_str(r.a.host, "198.51.100.23");       /* no dst: src */
	expect_obs(&r.a, OBS_IP, "198.51.100.23");
	testlib_free(&r);
}

Test(alert_zeek, families_and_hosts)
{
	struct rec r;

	testlib_parse(&r, FMT_ZEEK, "zeek.jsonl", 2, NULL);
	expect_sev(&r.a, SEV_MEDIUM);
	expect_str(r.a.category, "Scan");
	expect_str(r.a.host, "10.20.9.5");           /* dst */
	testlib_free(&r);
	testlib_parse(&r, FMT_ZEEK, "zeek.jsonl", 3, NULL);
	expect_ok(&r);
	expect_sev(&r.a, SEV_LOW);
	cr_assert_null(r.a.host, "capture loss names no host");
	cr_assert_eq(r.a.nobs, 0);
	testlib_free(&r);
	testlib_parse(&r, FMT_ZEEK, "zeek.jsonl", 4, NULL);
	expect_sev(&r.a, SEV_LOW);
	expect_str(r.a.src_ip, "10.20.1.15");
	expect_str(r.a.dst_ip, "185.199.110.153");
	testlib_free(&r);
	testlib_parse(&r, FMT_ZEEK, "zeek.jsonl", 7, NULL);
	expect_ok(&r);
	expect_sev(&r.a, SEV_MEDIUM);                /* unknown: medium */
	expect_str(r.a.category, "Site");
	cr_assert_eq(r.a.event_time, 1715594700);    /* "1715594700.75" */
	testlib_free(&r);
}

Test(alert_zeek, iso_time_and_raw_escape)
{
	struct rec r;

	testlib_parse(&r, FMT_ZEEK, "zeek.jsonl", 5, NULL);
	expect_ok(&r);
	cr_assert_eq(r.a.event_time, 1715594640);
	expect_str(r.a.rule_name, "M\xc3\xbcller-Shop: SQL injection from "
		   PWNED " attacker");
	expect_sev(&r.a, SEV_HIGH);
	testlib_free(&r);
}

Test(alert_zeek, missing_time_is_refused_by_name)
{
	struct rec r;

	testlib_parse(&r, FMT_AUTO, "zeek.jsonl", 6, NULL);
	expect_rejected(&r, "no usable time in field 'ts'");
	testlib_free(&r);
}

Test(alert_zeek, connection_ids_when_no_src_dst)
{
	struct rec r;

	testlib_parse_text(&r, FMT_ZEEK, "{\"ts\":1715594581.6,\"uid\":\"C1\","
		"\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"10.0.0.2\",\"note\":"
		"\"SSH::Login_By_Password_Guesser\",\"msg\":\"in\"}", NULL);
	expect_ok(&r);
	expect_str(r.a.src_ip, "10.0.0.1");
	expect_str(r.a.dst_ip, "10.0.0.2");
	expect_str(r.a.host, "10.0.0.2");
	expect_sev(&r.a, SEV_CRITICAL);
	testlib_free(&r);
}

Test(alert_zeek, identity_by_uid_or_message)
{
	/* with a uid the message is not part of the identity */
	expect_fp_change(FMT_ZEEK, "zeek.jsonl", 4, NULL, "msg",
			 json_string("other words"), 0);
	expect_fp_change(FMT_ZEEK, "zeek.jsonl", 4, NULL, "uid",
			 json_string("C2"), 1);
	/* without one it is */
	expect_fp_change(FMT_ZEEK, "zeek.jsonl", 1, NULL, "msg",
			 json_string("other words"), 1);
	expect_fp_change(FMT_ZEEK, "zeek.jsonl", 1, NULL, "ts",
			 json_real(1715594400.118204), 1);
}

/* ---- generic JSON with a mapping ------------------------------------ */

Test(alert_json_mapping, millisecond_epoch_and_all_fields)
{
	struct rec r;

	testlib_parse(&r, FMT_JSON, "generic.jsonl", 1, &gen_map);
	expect_ok(&r);
	cr_assert_eq(r.a.event_time, 1715594400);
	expect_str(r.a.rule_id, "42");
	expect_str(r.a.rule_name, "Impossible travel for m\xc3\xbcller");
	expect_sev(&r.a, SEV_HIGH);                  /* "High" */
	expect_str(r.a.host, "vpn-gw-1");
	expect_str(r.a.src_ip, "198.51.100.77");
	expect_str(r.a.dst_ip, "10.0.0.5");
	expect_str(r.a.user, "m\xc3\xbcller");
	expect_str(r.a.category, "initial-access");
	expect_obs(&r.a, OBS_HOST, "vpn-gw-1");
	expect_obs(&r.a, OBS_USER, "m\xc3\xbcller");
	testlib_free(&r);
}

Test(alert_json_mapping, numeric_severity_and_iso_time)
{
	struct rec r;

	testlib_parse(&r, FMT_JSON, "generic.jsonl", 2, &gen_map);
	expect_ok(&r);
	expect_sev(&r.a, SEV_CRITICAL);              /* 9.1 on CVSS scale */
	expect_str(r.a.rule_name, "Bulk download " PWNED " from SharePoint");
	testlib_free(&r);
	testlib_parse(&r, FMT_JSON, "generic.jsonl", 3, &gen_map);
	expect_ok(&r);
	cr_assert_eq(r.a.event_time, 1715589000);    /* +02:00 */
	expect_sev(&r.a, SEV_LOW);                   /* 35 of 100 */
	testlib_free(&r);
}

Test(alert_json_mapping, time_and_mapping_are_required)
{
	struct rec r;
	const struct alert_mapping empty = { .rule_id = "detection.id" };

	testlib_parse(&r, FMT_JSON, "generic.jsonl", 4, &gen_map);
	expect_rejected(&r, "no usable time in field 'detected_at'");
	testlib_free(&r);
	testlib_parse(&r, FMT_JSON, "generic.jsonl", 1, NULL);
	expect_rejected(&r, "[mapping]");
	testlib_free(&r);
	testlib_parse(&r, FMT_JSON, "generic.jsonl", 1, &empty);
	expect_rejected(&r, "'time'");
	testlib_free(&r);
}

Test(alert_json_mapping, identity_by_id_or_whole_record)
{
	struct rec a, b;

	/* a mapped id is the identity */
	expect_fp_change(FMT_JSON, "generic.jsonl", 1, "detection", "title",
			 json_string("edited"), 0);
	expect_fp_change(FMT_JSON, "generic.jsonl", 1, NULL, "uuid",
			 json_string("other"), 1);
	/* without one, the whole record: any change is another alert... */
	expect_fp_change(FMT_JSON, "generic.jsonl", 2, "detection", "title",
			 json_string("edited"), 1);
	/* ...but key order and spacing are not */
	testlib_parse_text(&a, FMT_JSON, "{\"detected_at\":1715594500,\"x\":1,"
		"\"y\":2}", &gen_map);
	testlib_parse_text(&b, FMT_JSON, "{ \"y\": 2, \"x\": 1, "
		"\"detected_at\": 1715594500 }", &gen_map);
	cr_assert_arr_eq(a.a.fingerprint, b.a.fingerprint, ALERT_FP_LEN);
	testlib_free(&a);
	testlib_free(&b);
}
