/* test_demo.c: the demo generator (src/demo/demo*.c) on real database
 * files: a month fills every stage with every resolution, the audit chain
 * holds and its times never run backwards, a seed gives the same month,
 * the ingest hook sees every new incident, and every alert the generator
 * writes is read back as its own format by the real parsers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/demo.h"
#include "irk/incident.h"
#include "irk/ingest.h"
#include "irk/jdoc.h"
#include "irk/config.h"
#include "irk/play.h"
#include "irk/store.h"
#include "../src/demo/demo_impl.h"
#include "helpers/tmpstore.h"

/* 2025-12-01T00:00:00Z: a fixed end, so runs compare. */
#define END 1764547200
#define DAY 86400

static void fini(void) { tmp_cleanup(); }
TestSuite(demo, .fini = fini, .timeout = 60);

static struct store *filled(const char *name, unsigned seed, int days,
			    const struct ingest_opts *io, struct demo_stats *st)
{
	struct store *s = tmp_store(name);
	struct demo_opts o = { seed, days, END, NULL, io };
	struct irk_err err = { 0 };

	memset(st, 0, sizeof *st);
	cr_assert_eq(demo_fill(s, &o, st, &err), IRK_OK, "demo_fill: %s", err.msg);
	return s;
}

struct tally {
	int64_t res[RES_COUNT];
	int64_t unassigned_new, owned_open;
};

static int tally_one(const struct incident *inc, void *arg)
{
	struct tally *t = arg;

	if (inc->stage == STAGE_CLOSED && inc->resolution >= 0 && inc->resolution < RES_COUNT)
		t->res[inc->resolution]++;
	if (inc->stage == STAGE_NEW && !inc->owner)
		t->unassigned_new++;
	if (inc->stage != STAGE_CLOSED && inc->owner)
		t->owned_open++;
	return 0;
}

Test(demo, a_month_fills_every_stage_and_resolution)
{
	struct demo_stats st;
	struct store *s = filled("m.db", 42, 30, NULL, &st);
	struct irk_err err = { 0 };
	struct incident_filter f = INCIDENT_FILTER_ALL;
	struct tally t = { { 0 }, 0, 0 };
	struct audit_result r;
	int64_t counts[STAGE_COUNT], total = 0;

	cr_assert_eq(store_incident_counts(s, counts, &err), 0);
	for (int i = 0; i < STAGE_COUNT; i++) {
		cr_expect_gt(counts[i], 0, "no incident in stage %s", stage_name(i));
		total += counts[i];
	}
	cr_expect_eq(total, st.incidents);
	cr_expect(total >= 200 && total <= 900, "a few hundred incidents, got %lld", (long long)total);
	cr_expect_eq(st.closed, counts[STAGE_CLOSED]);
	cr_expect(counts[STAGE_CLOSED] < total, "something is still open");

	cr_assert_eq(store_incident_each(s, &f, tally_one, &t, &err), 0);
	for (int res = RES_TRUE_POSITIVE; res < RES_COUNT; res++)
		cr_expect_gt(t.res[res], 0, "no incident closed as %s", resolution_name(res));
	cr_expect_gt(t.unassigned_new, 0, "a backlog nobody has claimed yet");
	cr_expect_gt(t.owned_open, 0, "open incidents being worked");

	/* Alerts of every format went through ingest; nothing was rejected. */
	cr_expect_eq(store_scalar(s, "SELECT count(DISTINCT format) FROM alerts"), FMT_COUNT);
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM alerts"), st.alerts);
	cr_expect_gt(st.alerts, 2 * total, "more alerts than incidents");
	cr_expect_eq(store_quarantine_count(s), 0);
	cr_expect_gt(store_scalar(s, "SELECT count(*) FROM observables"), 0);

	/* Analysts with roles, working through the lifecycle. */
	cr_expect_geq(store_user_count(s), 6);
	cr_expect_eq(store_user_role(s, "amira"), ROLE_SENIOR);
	cr_expect_eq(store_user_role(s, "ben"), ROLE_ANALYST);
	cr_expect_gt(store_scalar(s, "SELECT count(DISTINCT owner) FROM incidents"), 4);
	cr_expect_gt(store_scalar(s, "SELECT count(DISTINCT business_unit) FROM incidents"), 4);
	cr_expect_gt(store_scalar(s, "SELECT sum(back_moves) FROM incidents"), 0, "the odd move back");
	cr_expect_gt(store_scalar(s, "SELECT sum(reopen_count) FROM incidents"), 0, "a reopen");
	cr_expect_gt(store_scalar(s, "SELECT count(*) FROM notes"), total);
	cr_expect_gt(store_scalar(s, "SELECT count(*) FROM incidents WHERE root_cause IS NOT NULL"), 0);
	cr_expect_gt(store_scalar(s, "SELECT count(*) FROM incidents WHERE effort_min > 0"), total / 2);
	/* Times a KPI can use: acknowledged after detected, closed after that. */
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM incidents WHERE t_acknowledged IS NOT NULL "
				  "AND t_acknowledged < t_detected"), 0);
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM incidents WHERE stage = 'closed' AND "
				  "(t_closed IS NULL OR t_closed < t_acknowledged)"), 0);
	cr_expect_gt(store_scalar(s, "SELECT count(*) FROM incidents WHERE t_contained IS NOT NULL"), 0);

	cr_assert_eq(audit_verify(s, &r, &err), IRK_OK, "chain broken at %lld: %s", (long long)r.bad_seq,
		     r.reason);
	cr_expect_eq(r.checked, store_scalar(s, "SELECT count(*) FROM events"));
	store_close(&s);
}

struct times {
	int64_t last, lo, hi, bad;
};

static int check_time(const struct event_row *e, void *arg)
{
	struct times *t = arg;

	if (e->at < t->last || e->at < t->lo || e->at > t->hi)
		t->bad = e->seq;
	t->last = e->at;
	return t->bad != 0;
}

Test(demo, audit_times_run_forward_inside_the_period)
{
	struct demo_stats st;
	struct store *s = filled("t.db", 7, 10, NULL, &st);
	struct irk_err err = { 0 };
	struct times t = { 0, END - 12 * DAY, END, 0 };

	cr_assert_eq(audit_each(s, 0, 0, check_time, &t, &err), 0);
	cr_expect_eq(t.bad, 0, "event %lld is out of order or outside the period", (long long)t.bad);
	cr_expect_eq(irk_now() > END, 1, "the real clock is back afterwards");
	store_close(&s);
}

static void head_of(struct store *s, char head[IRK_SHA256_HEX])
{
	struct audit_result r;
	struct irk_err err = { 0 };

	cr_assert_eq(audit_verify(s, &r, &err), IRK_OK);
	memcpy(head, r.head, IRK_SHA256_HEX);
}

Test(demo, same_seed_same_month)
{
	struct demo_stats a, b, c;
	char ha[IRK_SHA256_HEX], hb[IRK_SHA256_HEX], hc[IRK_SHA256_HEX];
	struct store *s1 = filled("a.db", 5, 7, NULL, &a);
	struct store *s2 = filled("b.db", 5, 7, NULL, &b);
	struct store *s3 = filled("c.db", 6, 7, NULL, &c);

	head_of(s1, ha);
	head_of(s2, hb);
	head_of(s3, hc);
	/* The chain hashes every event's time, actor and data: equal heads
	 * mean the same month, event for event. */
	cr_expect_str_eq(ha, hb);
	cr_expect_eq(a.alerts, b.alerts);
	cr_expect_eq(a.incidents, b.incidents);
	cr_expect_str_neq(ha, hc, "another seed, another month");
	store_close(&s1);
	store_close(&s2);
	store_close(&s3);
}

static int count_hook(struct store *s, struct incident *inc, const struct alert *a, void *arg,
		      struct irk_err *err)
{
	int64_t *n = arg;

	(void)s;
	(void)err;
	if (inc->id > 0 && a && a->rule_id)
		(*n)++;
	return 0;
}

Test(demo, the_ingest_hook_sees_every_new_incident)
{
	struct ingest_opts io;
	struct demo_stats st;
	int64_t n = 0;

	ingest_opts_init(&io);
	io.on_new_incident = count_hook;
	io.hook_arg = &n;
	struct store *s = filled("h.db", 3, 5, &io, &st);
	cr_expect_gt(st.incidents, 0);
	cr_expect_eq(n, st.incidents);
	store_close(&s);
}

Test(demo, every_rule_is_read_back_as_its_format)
{
	struct demo_scen sc;
	struct demo_rng r = { 1 };
	struct strbuf line = STRBUF_INIT;
	struct jdoc doc;
	struct jdoc_error jerr;
	struct alert a;
	struct irk_err err = { 0 };

	memset(&sc, 0, sizeof sc);
	sc.host = &demo_hosts[0];
	sc.extra[0] = &demo_hosts[1];
	sc.nextra = 1;
	strcpy(sc.ext, "198.51.100.7");
	sc.user = "j.meyer";
	strcpy(sc.domain, "cdn-update.example");
	strcpy(sc.file, "C:\\Users\\Public\\a.doc");
	strcpy(sc.proc, "rundll32.exe");
	memset(sc.hash, 'a', 64);
	strcpy(sc.url, "/x?id=1");
	sc.port = 443;
	jdoc_init(&doc);
	for (int i = 1; i < demo_nrules; i++) {
		const struct demo_rule *ru = &demo_rules[i];
		struct demo_shot shot = { ru, &sc, D_IN, END - 100, 123456, &demo_hosts[0],
			"198.51.100.7", "10.10.1.3", 50000, ru->proto_port ? ru->proto_port : 443,
			"j.meyer", 0x1234567 + (uint64_t)i, 0 };
		strbuf_reset(&line);
		demo_alert_json(&line, &shot, &r);
		cr_assert_eq(jdoc_parse(&doc, line.buf, line.len, &jerr), 0, "rule %s: %s", ru->id, jerr.msg);
		alert_reset(&a);
		cr_assert_eq(alert_parse(FMT_AUTO, &doc, line.buf, line.len, &demo_mapping, &a, &err),
			     IRK_OK, "rule %s: %s\n%s", ru->id, err.msg, line.buf);
		cr_expect_eq(a.format, ru->format, "rule %s read as %s", ru->id, alert_format_name(a.format));
		cr_expect_str_eq(a.rule_id, ru->id);
		cr_expect_eq(a.event_time, END - 100, "rule %s", ru->id);
		cr_expect(a.rule_name && *a.rule_name && !strchr(a.rule_name, '{'),
			  "rule %s: name '%s' fully expanded", ru->id, a.rule_name ? a.rule_name : "");
	}
	jdoc_free(&doc);
	strbuf_free(&line);
}

Test(demo, templates_expand_known_placeholders_only)
{
	struct demo_scen sc;
	struct strbuf out = STRBUF_INIT;

	memset(&sc, 0, sizeof sc);
	sc.host = &demo_hosts[0];
	strcpy(sc.ext, "203.0.113.9");
	sc.user = "m.rossi";
	sc.ticket = 123456;
	struct demo_text tx = { &sc, NULL, "IR-7", "IR-3", "amira", NULL, 12, NULL };
	demo_expand(&out, "{host} ({bu}) {ext} {user} {chg} {key}/{dup} {n} {lead} {dom} {nope} {", &tx);
	cr_expect_str_eq(strbuf_str(&out),
			 "fin-ws-003 (finance) 203.0.113.9 m.rossi CHG0123456 IR-7/IR-3 12 amira ? {nope} {");
	strbuf_free(&out);
}

Test(demo, randomness_is_seeded_and_bounded)
{
	struct demo_rng a = { 9 }, b = { 9 };
	int lo = 0, hi = 0;

	for (int i = 0; i < 100; i++)
		cr_assert_eq(demo_rng_next(&a), demo_rng_next(&b));
	for (int i = 0; i < 1000; i++) {
		int v = demo_rng_range(&a, 3, 5);
		cr_assert(v >= 3 && v <= 5);
		lo += v == 3;
		hi += v == 5;
		double u = demo_rng_unit(&a);
		cr_assert(u >= 0 && u < 1);
		cr_assert_geq(demo_rng_poisson(&a, 1.5), 0);
		cr_assert_gt(demo_rng_lognormal(&a, 60, 0.7), 0);
	}
	cr_expect(lo > 200 && hi > 200, "both ends reached: %d %d", lo, hi);
	cr_expect_eq(demo_rng_range(&a, 7, 2), 7);
	cr_expect_null(demo_rng_pick(&a, NULL));
}

/* With the bundled plays passed as the ingest hook (as irk demo does), the
 * analysts work the steps the gates ask for, approvals come from someone
 * other than the one who asked, and no automated step is left for a real
 * sequencer to run against the demo's invented hosts. */
Test(demo, with_the_bundled_plays_the_steps_are_worked)
{
	struct config *cfg = config_new();
	struct play_catalog cat;
	struct ingest_opts io;
	struct irk_err err = { 0 };
	struct demo_stats st;
	struct audit_result r;
	char cwd[4096], dir[4200];
	int64_t counts[STAGE_COUNT];

	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	snprintf(dir, sizeof dir, "%s/plays", cwd);
	cr_assert_eq(config_set(cfg, "plays.path", dir, &err), IRK_OK, "%s", err.msg);
	memset(&cat, 0, sizeof cat);
	cr_assert_eq(play_catalog_load(&cat, cfg, &err), IRK_OK, "%s", err.msg);
	cr_assert_geq(cat.n, 5, "the bundled plays in %s", dir);
	ingest_opts_init(&io);
	io.on_new_incident = play_on_new_incident;
	io.hook_arg = &cat;
	struct store *s = filled("p.db", 42, 30, &io, &st);

	cr_assert_eq(store_incident_counts(s, counts, &err), 0);
	for (int i = 0; i < STAGE_COUNT; i++)
		cr_expect_gt(counts[i], 0, "no incident in stage %s", stage_name(i));
	cr_expect_gt(store_scalar(s, "SELECT count(*) FROM incidents WHERE play IS NOT NULL"), 50);
	cr_expect_gt(store_scalar(s, "SELECT count(*) FROM steps WHERE state = 'done' AND kind = 'manual' "
				  "AND inputs LIKE '{\"%'"), 20, "manual steps done with their inputs");
	cr_expect_gt(store_scalar(s, "SELECT count(*) FROM steps WHERE kind = 'approval' AND state = 'done'"), 5);
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM steps WHERE kind = 'approval' AND state = 'done' "
				  "AND done_by = requested_by"), 0, "nobody approves their own request");
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM steps WHERE state IN ('ready', 'running')"), 0,
		     "nothing left for a real sequencer to run");
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM steps WHERE state = 'done' AND kind IN "
				  "('exec', 'ansible', 'http') AND output NOT LIKE '%simulated%'"), 0,
		     "automated steps say they were simulated");
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM steps JOIN incidents i ON i.id = incident_id "
				  "WHERE i.stage = 'closed' AND steps.state IN ('pending', 'waiting')"), 0,
		     "closing cancels what is left");
	cr_assert_eq(audit_verify(s, &r, &err), IRK_OK, "chain broken at %lld: %s", (long long)r.bad_seq,
		     r.reason);
	struct times t = { 0, END - 32 * DAY, END, 0 };
	cr_assert_eq(audit_each(s, 0, 0, check_time, &t, &err), 0);
	cr_expect_eq(t.bad, 0, "event %lld is out of order or outside the period", (long long)t.bad);
	store_close(&s);
	play_catalog_free(&cat);
	config_free(&cfg);
}
