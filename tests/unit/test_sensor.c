/* test_sensor.c: the records of a sensor's stream that are not alerts
 * (issue 16): skipped by every parser that knows them, kept as sensor
 * events when [ingest] keep names their type (src/ingest/parse_sensor.c),
 * stored once, pruned by age in small batches, and read back as an
 * incident's context (src/ingest/sensor_ctx.c, src/store/sensor.c). The
 * mixed stream is tests/fixtures/sensor/eve-mixed.jsonl, on a real
 * database file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/alert_parse.h"
#include "irk/clock.h"
#include "irk/config.h"
#include "irk/incident.h"
#include "irk/ingest.h"
#include "irk/jdoc.h"
#include "irk/sensor.h"
#include "irk/store.h"
#include "irk/strbuf.h"
#include "helpers/tmpstore.h"

#define MIXED "tests/fixtures/sensor/eve-mixed.jsonl"
#define ALL_KEPT (SENSOR_BIT(SENSOR_DNS) | SENSOR_BIT(SENSOR_HTTP) | SENSOR_BIT(SENSOR_TLS) | \
		  SENSOR_BIT(SENSOR_FILEINFO) | SENSOR_BIT(SENSOR_FLOW))

static struct store *s;

static void setup(void)
{
	irk_clock_set(1762160000);   /* 2025-11-03T08:53:20Z */
	s = tmp_store("sensor.db");
}

static void teardown(void)
{
	store_close(&s);
	tmp_cleanup();
	irk_clock_set(0);
}

TestSuite(sensor, .init = setup, .fini = teardown);

/* One record, parsed: alert_parse()'s outcome, then sensor_parse() with keep. */
struct one {
	char *raw;
	struct jdoc doc;
	struct alert a;
	struct sensor_event e;
	struct irk_err err;
	int rc, keep_rc;
};

static void one_parse(struct one *o, const char *text, unsigned keep)
{
	struct jdoc_error je;

	memset(o, 0, sizeof *o);
	o->raw = xstrdup(text);
	jdoc_init(&o->doc);
	cr_assert_eq(jdoc_parse(&o->doc, o->raw, strlen(o->raw), &je), 0, "test input: %s", je.msg);
	o->rc = alert_parse(FMT_AUTO, &o->doc, o->raw, strlen(o->raw), NULL, &o->a, &o->err);
	o->keep_rc = o->rc == IRK_SKIPPED ?
		sensor_parse(o->a.format, &o->doc, o->raw, strlen(o->raw), keep, &o->e, &o->err) : -1;
}

static void one_free(struct one *o)
{
	jdoc_free(&o->doc);
	free(o->raw);
}

/* Line n of the mixed stream; caller frees. */
static char *mixed_line(int n)
{
	FILE *f = fopen(MIXED, "r");
	char *line = NULL;
	size_t cap = 0;

	cr_assert_not_null(f, "tests run from the repo root");
	for (int i = 0; i < n; i++)
		cr_assert(getline(&line, &cap, f) > 0, MIXED " has no line %d", n);
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void parse_mixed(struct one *o, int n, unsigned keep)
{
	char *line = mixed_line(n);

	one_parse(o, line, keep);
	free(line);
}

#define expect_s(got, want) do { \
	cr_assert_not_null((got), "%s is NULL, want %s", #got, (want)); \
	cr_assert_str_eq((got), (want)); \
} while (0)

Test(sensor, keep_lists_are_read_and_checked)
{
	struct irk_err err = { 0 };
	unsigned m = 99;

	cr_assert_eq(sensor_keep_parse("dns, http tls,fileinfo", &m, &err), IRK_OK);
	cr_assert_eq(m, SENSOR_BIT(SENSOR_DNS) | SENSOR_BIT(SENSOR_HTTP) | SENSOR_BIT(SENSOR_TLS) |
		     SENSOR_BIT(SENSOR_FILEINFO));
	cr_assert_eq(sensor_keep_parse("", &m, &err), IRK_OK);
	cr_assert_eq(m, 0, "empty keeps nothing");
	cr_assert_eq(sensor_keep_parse(NULL, &m, &err), IRK_OK);
	cr_assert_eq(m, 0);
	cr_assert_eq(sensor_keep_parse("dns, alerts", &m, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "'alerts'") && strstr(err.msg, "dns, http, tls, fileinfo, flow"),
		  "names the word and the types: %s", err.msg);
}

Test(sensor, a_wrong_keep_in_irk_conf_names_file_and_line)
{
	struct config *cfg = config_new();
	struct irk_err err = { 0 };
	char *path = tmp_write("irk.conf", "[ingest]\n\nkeep = dns, dnss\n", 26, 0600);

	cr_assert_neq(config_load(cfg, path, 0, &err), IRK_OK, "refused");
	cr_assert(strstr(err.msg, "irk.conf:3"), "names FILE:LINE: %s", err.msg);
	config_free(&cfg);
	cfg = config_new();
	cr_assert_eq(config_settings(cfg)->ingest.keep_days, 7, "keep_days defaults to 7");
	cr_assert_null(config_settings(cfg)->ingest.keep, "keep defaults to nothing");
	config_free(&cfg);
	free(path);
}

Test(sensor, eve_events_are_skipped_and_kept_with_their_fields)
{
	struct one o;

	parse_mixed(&o, 4, ALL_KEPT);   /* a DNS answer */
	cr_assert_eq(o.rc, IRK_SKIPPED, "a dns record is skipped: %d %s", o.rc, o.err.msg);
	cr_assert_eq(o.a.format, FMT_EVE);
	cr_assert_eq(o.keep_rc, IRK_OK, "%s", o.err.msg);
	cr_assert_eq(o.e.type, SENSOR_DNS);
	cr_assert_eq(o.e.t, 1762157561);
	expect_s(o.e.rrname, "update.evil-cdn.example");
	expect_s(o.e.rrtype, "A");
	expect_s(o.e.answer, "203.0.113.10");
	expect_s(o.e.src_ip, "10.0.0.53");
	expect_s(o.e.dst_ip, "10.20.1.15");
	cr_assert_eq(o.e.dst_port, 53122);
	expect_s(o.e.proto, "UDP");
	expect_s(o.e.sensor, "ids-dmz-1");
	cr_assert_eq(o.e.raw_len, strlen(o.raw), "the raw record is kept whole");
	one_free(&o);

	parse_mixed(&o, 7, ALL_KEPT);
	cr_assert_eq(o.keep_rc, IRK_OK);
	cr_assert_eq(o.e.type, SENSOR_TLS);
	expect_s(o.e.sni, "update.evil-cdn.example");
	expect_s(o.e.subject, "CN=update.evil-cdn.example");
	expect_s(o.e.ja3, "72a589da586844d7f0818ce684948eea");
	one_free(&o);

	parse_mixed(&o, 8, ALL_KEPT);
	cr_assert_eq(o.e.type, SENSOR_HTTP);
	expect_s(o.e.hostname, "dl.evil-cdn.example");
	expect_s(o.e.url, "/b/stage2.bin");
	expect_s(o.e.method, "GET");
	cr_assert_eq(o.e.status, 200);
	expect_s(o.e.user_agent, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
	one_free(&o);

	parse_mixed(&o, 9, ALL_KEPT);
	cr_assert_eq(o.e.type, SENSOR_FILEINFO);
	expect_s(o.e.filename, "/b/stage2.bin");
	expect_s(o.e.sha256, "5f0c2a3d8e1b7f4a69c0d2e3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b");
	cr_assert_eq(o.e.size, 245760);
	one_free(&o);

	parse_mixed(&o, 14, ALL_KEPT);
	cr_assert_eq(o.e.type, SENSOR_FLOW);
	cr_assert_eq(o.e.bytes, 5230 + 48811);
	cr_assert_eq(o.e.packets, 41 + 38);
	one_free(&o);
}

Test(sensor, only_the_types_asked_for_are_kept)
{
	struct one o;

	parse_mixed(&o, 3, SENSOR_BIT(SENSOR_HTTP));
	cr_assert_eq(o.rc, IRK_SKIPPED);
	cr_assert_eq(o.keep_rc, IRK_SKIPPED, "dns is not asked for");
	one_free(&o);
	for (int n = 1; n <= 17; n += 16) {   /* stats, first and last */
		parse_mixed(&o, n, ~0u);
		cr_assert_eq(o.rc, IRK_SKIPPED, "line %d", n);
		cr_assert_eq(o.keep_rc, IRK_SKIPPED, "stats are no type to keep");
		one_free(&o);
	}
	parse_mixed(&o, 11, ~0u);
	cr_assert_eq(o.keep_rc, IRK_OK);
	cr_assert_eq(o.e.type, SENSOR_SSH, "any type of the list, the raw record at least");
	one_free(&o);
}

Test(sensor, a_record_to_keep_without_a_time_is_rejected)
{
	struct one o;

	one_parse(&o, "{\"event_type\":\"dns\",\"timestamp\":\"soon\",\"src_ip\":\"10.0.0.1\"}",
		  SENSOR_BIT(SENSOR_DNS));
	cr_assert_eq(o.rc, IRK_SKIPPED);
	cr_assert_eq(o.keep_rc, IRK_INVALID);
	cr_assert(strstr(o.err.msg, "no usable time in field 'timestamp'"), "%s", o.err.msg);
	one_free(&o);
	one_parse(&o, "{\"event_type\":\"dns\",\"timestamp\":\"soon\"}", 0);
	cr_assert_eq(o.keep_rc, IRK_SKIPPED, "not kept: nothing to check");
	one_free(&o);
}

Test(sensor, zeek_logs_other_than_notice_are_detected_skipped_and_kept)
{
	struct one o;

	one_parse(&o, "{\"ts\":1762160000.25,\"uid\":\"CHhAvVGS1DHFjwGM9\",\"id.orig_h\":\"10.20.1.15\","
		  "\"id.orig_p\":49152,\"id.resp_h\":\"10.0.0.53\",\"id.resp_p\":53,\"proto\":\"udp\","
		  "\"trans_id\":4242,\"query\":\"update.evil-cdn.example\",\"qtype_name\":\"A\","
		  "\"rcode_name\":\"NOERROR\",\"answers\":[\"203.0.113.10\"],\"TTLs\":[300.0]}", ALL_KEPT);
	cr_assert_eq(o.rc, IRK_SKIPPED, "%s", o.err.msg);
	cr_assert_eq(o.a.format, FMT_ZEEK, "recognised as Zeek");
	cr_assert(strstr(o.err.msg, "a Zeek dns log, not notice"), "%s", o.err.msg);
	cr_assert_eq(o.keep_rc, IRK_OK);
	cr_assert_eq(o.e.type, SENSOR_DNS);
	cr_assert_eq(o.e.t, 1762160000);
	expect_s(o.e.rrname, "update.evil-cdn.example");
	expect_s(o.e.answer, "203.0.113.10");
	expect_s(o.e.src_ip, "10.20.1.15");
	cr_assert_eq(o.e.dst_port, 53);
	one_free(&o);

	one_parse(&o, "{\"_path\":\"conn\",\"ts\":\"2025-11-03T08:15:00Z\",\"uid\":\"C1\",\"id.orig_h\":\"10.20.1.15\","
		  "\"id.orig_p\":51544,\"id.resp_h\":\"203.0.113.10\",\"id.resp_p\":443,\"proto\":\"tcp\","
		  "\"orig_bytes\":5230,\"resp_bytes\":48811,\"conn_state\":\"SF\",\"orig_pkts\":41,"
		  "\"resp_pkts\":38}", ALL_KEPT);
	cr_assert_eq(o.rc, IRK_SKIPPED, "%s", o.err.msg);
	cr_assert_eq(o.keep_rc, IRK_OK);
	cr_assert_eq(o.e.type, SENSOR_FLOW, "conn is kept as flow");
	cr_assert_eq(o.e.bytes, 54041);
	cr_assert_eq(o.e.packets, 79);
	one_free(&o);

	/* A notice is still an alert. */
	one_parse(&o, "{\"ts\":1762160000,\"uid\":\"C2\",\"note\":\"Scan::Port_Scan\",\"msg\":\"scan\","
		  "\"src\":\"198.51.100.9\"}", ALL_KEPT);
	cr_assert_eq(o.rc, IRK_OK, "%s", o.err.msg);
	one_free(&o);
}

Test(sensor, ecs_events_and_metrics_are_skipped)
{
	struct one o;

	one_parse(&o, "{\"@timestamp\":\"2025-11-03T08:00:00Z\",\"ecs\":{\"version\":\"8.11.0\"},"
		  "\"event\":{\"kind\":\"metric\",\"dataset\":\"system.cpu\"},\"host\":{\"name\":\"web-1\"}}",
		  ALL_KEPT);
	cr_assert_eq(o.rc, IRK_SKIPPED, "%s", o.err.msg);
	cr_assert_eq(o.a.format, FMT_ECS);
	cr_assert_eq(o.keep_rc, IRK_SKIPPED, "ECS has no type to keep");
	one_free(&o);
	/* Nothing says what this one is: refused, as before. */
	one_parse(&o, "{\"@timestamp\":\"2025-11-03T08:00:00Z\",\"ecs\":{\"version\":\"8.11.0\"},"
		  "\"event\":{\"dataset\":\"x\"}}", ALL_KEPT);
	cr_assert_eq(o.rc, IRK_INVALID, "%s", o.err.msg);
	one_free(&o);
}

/* Ingest the mixed stream with keep. */
static void ingest_mixed(unsigned keep, struct ingest_stats *st)
{
	struct ingest_opts io;
	struct irk_err err = { 0 };

	ingest_opts_init(&io);
	io.actor = "tester";
	io.errout = NULL;
	io.keep = keep;
	memset(st, 0, sizeof *st);
	cr_assert_eq(ingest_path(s, MIXED, &io, st, &err), IRK_OK, "%s", err.msg);
}

Test(sensor, ingest_counts_skipped_keeps_once_and_quarantines_nothing)
{
	struct ingest_stats st;

	ingest_mixed(ALL_KEPT, &st);
	cr_assert_eq(st.read, 17);
	cr_assert_eq(st.added, 1);
	cr_assert_eq(st.skipped, 16);
	cr_assert_eq(st.kept, 10, "dns 6, tls, http, fileinfo, flow");
	cr_assert_eq(st.rejected, 0);
	cr_assert_eq(store_quarantine_count(s), 0);
	cr_assert_eq(store_sensor_count(s), 10);
	cr_assert_eq(store_sensor_any(s), 1);
	cr_assert_eq(store_scalar(s, "SELECT sum(json_extract(data, '$.skipped')) || ' ' || "
				  "sum(json_extract(data, '$.kept')) = '16 10' FROM events "
				  "WHERE kind = 'ingest.batch'"), 1, "ingest.batch carries the counts");
	ingest_mixed(ALL_KEPT, &st);
	cr_assert_eq(st.skipped, 16);
	cr_assert_eq(st.kept, 0, "the same records again are kept already");
	cr_assert_eq(store_sensor_count(s), 10);
}

Test(sensor, without_keep_nothing_is_stored)
{
	struct ingest_stats st;

	ingest_mixed(0, &st);
	cr_assert_eq(st.skipped, 16);
	cr_assert_eq(st.kept, 0);
	cr_assert_eq(store_sensor_count(s), 0);
	cr_assert_eq(store_sensor_any(s), 0, "the screens say none is kept");
}

/* n events of type dns at time t, for host 10.1.0.N. */
static void keep_events(int n, int64_t t)
{
	struct irk_err err = { 0 };
	char raw[128];

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	for (int i = 0; i < n; i++) {
		struct sensor_event e = { .t = t, .type = SENSOR_DNS, .src_ip = "10.1.0.1",
			.rrname = "a.example" };
		snprintf(raw, sizeof raw, "{\"n\":%d,\"t\":%lld}", i, (long long)t);
		e.raw = raw;
		e.raw_len = strlen(raw);
		cr_assert_eq(store_sensor_insert(s, &e, &err), IRK_OK, "%s", err.msg);
	}
	cr_assert_eq(store_commit(s, &err), IRK_OK);
}

Test(sensor, retention_deletes_by_age_in_small_batches)
{
	struct irk_err err = { 0 };
	int64_t now = irk_now(), deleted;
	int more;

	keep_events(1200, now - 8 * 86400);     /* past 7 days */
	keep_events(30, now - 7 * 86400 + 60);  /* within */
	keep_events(20, now);
	cr_assert_eq(ingest_sensor_prune(s, "alice", now, 7, 1, &deleted, &more, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(deleted, SENSOR_PRUNE_BATCH, "one batch at most");
	cr_assert_eq(more, 1, "more to go");
	cr_assert_eq(ingest_sensor_prune(s, "alice", now, 7, 0, &deleted, &more, &err), IRK_OK);
	cr_assert_eq(deleted, 1200 - SENSOR_PRUNE_BATCH);
	cr_assert_eq(more, 0);
	cr_assert_eq(store_sensor_count(s), 50, "the newer ones stay");
	cr_assert_eq(ingest_sensor_prune(s, "alice", now, 0, 0, &deleted, &more, &err), IRK_OK);
	cr_assert_eq(deleted, 0, "keep_days 0 keeps for good");
	cr_assert_eq(store_sensor_count(s), 50);
	irk_clock_set(now + 8 * 86400);
	cr_assert_eq(ingest_sensor_prune(s, "alice", irk_now(), 7, 0, &deleted, &more, &err), IRK_OK);
	cr_assert_eq(deleted, 50, "IRK_NOW a week later: all gone");
}

struct seen {
	struct strbuf sb;
	int n;
	int64_t total;
};

static int collect(const struct sensor_seen *e, void *arg)
{
	struct seen *x = arg;

	strbuf_printf(&x->sb, "%s|", sensor_type_name(e->type));
	sensor_seen_text(e, &x->sb);
	strbuf_addc(&x->sb, '\n');
	x->n++;
	x->total = e->total;
	return 0;
}

Test(sensor, an_incidents_context_is_its_hosts_in_its_window)
{
	struct ingest_stats st;
	struct incident inc;
	struct irk_err err = { 0 };
	struct seen x = { STRBUF_INIT, 0, 0 };

	ingest_mixed(ALL_KEPT, &st);
	cr_assert_eq(st.incidents, 1);
	cr_assert_eq(store_incident_get(s, 1, &inc, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(ingest_sensor_context(s, &inc, SENSOR_CONTEXT_LINES, collect, &x, &err), IRK_OK,
		     "%s", err.msg);
	/* Newest first, each name once with its count; not the other host's
	 * lookup (10.20.2.30), not the query an hour before (old.example.net);
	 * the flow as its peer; the A lookup logged as a query and its answer
	 * counts once, with the answer. */
	cr_assert_str_eq(strbuf_str(&x.sb),
		"flow|203.0.113.10: 1 flow, 54.0 kB\n"
		"fileinfo|/b/stage2.bin (5f0c2a3d8e1b7f4a69c0d2e3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b)\n"
		"http|GET dl.evil-cdn.example/b/stage2.bin (200)\n"
		"tls|update.evil-cdn.example (CN=update.evil-cdn.example)\n"
		"dns|update.evil-cdn.example (A 203.0.113.10), 2 times\n"
		"dns|update.evil-cdn.example (AAAA)\n");
	strbuf_reset(&x.sb);
	x.n = 0;
	cr_assert_eq(ingest_sensor_context(s, &inc, 2, collect, &x, &err), IRK_OK);
	cr_assert_eq(x.n, 2, "bounded: the most recent");
	cr_assert_eq(x.total, 6, "each line knows how many there are in all");
	incident_clear(&inc);
	strbuf_free(&x.sb);
}

struct listed {
	struct strbuf sb;
	int64_t last_id;
	int n;
};

static int list_one(const struct sensor_event *e, void *arg)
{
	struct listed *l = arg;

	sensor_event_text(e, &l->sb);
	strbuf_addc(&l->sb, '\n');
	l->last_id = e->id;
	l->n++;
	return 0;
}

Test(sensor, kept_events_are_listed_by_host_type_and_time_and_read_back_raw)
{
	struct ingest_stats st;
	struct irk_err err = { 0 };
	struct listed l = { STRBUF_INIT, 0, 0 };
	struct sensor_filter f = { "203.0.113.10", SENSOR_TLS, 0, INT64_MAX, -1 };
	struct strbuf raw = STRBUF_INIT;
	int found = 0;

	ingest_mixed(ALL_KEPT, &st);
	cr_assert_eq(store_sensor_list(s, &f, list_one, &l, &err), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(strbuf_str(&l.sb), "10.20.1.15:51544 > 203.0.113.10:443  "
			 "update.evil-cdn.example (CN=update.evil-cdn.example) "
			 "ja3 72a589da586844d7f0818ce684948eea\n");
	cr_assert_eq(store_sensor_raw(s, l.last_id, &raw, &found, &err), IRK_OK);
	cr_assert(found && strstr(strbuf_str(&raw), "\"event_type\":\"tls\""), "the raw record");
	cr_assert_eq(store_sensor_raw(s, 99999, &raw, &found, &err), IRK_OK);
	cr_assert_eq(found, 0, "gone");
	/* Any host, any type: the newest two, oldest first. */
	strbuf_reset(&l.sb);
	l.n = 0;
	f = (struct sensor_filter){ NULL, -1, 0, INT64_MAX, 2 };
	cr_assert_eq(store_sensor_list(s, &f, list_one, &l, &err), IRK_OK);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(strbuf_str(&l.sb),
			 "10.20.2.30:53555 > 10.0.0.53:53  intranet.corp.example A\n"
			 "10.20.1.15:51544 > 203.0.113.10:443  54041 bytes, 79 packets\n",
			 "the flow at 08:15 last");
	strbuf_free(&l.sb);
	strbuf_free(&raw);
}
