/* test_kpi.c: the KPIs and the maturity level over five incidents small
 * enough to check by hand (a real sqlite file, written through the store).
 * Every expected figure below is worked out in the comment beside it.
 *
 * T is the detection of A; now is T + 10 days. SLA targets are the
 * defaults: P1 ack 15m contain 4h resolve 1d; P2 1h 1d 3d; P3 4h 3d 7d;
 * P4 1d 7d 30d.
 *
 *  A  P1 finance dana  play phish@v1 rule R1 crit 3 effort 60 root cause
 *     event T-120, detected T, ack +600, contained +3600, resolved +7200,
 *     closed +9000 true positive; moves new@0 identification@600
 *     containment@1800 eradication@3600 lessons-learned@7200 closed@9000;
 *     steps: score done, manual done (due +600, done +1500), approval
 *     granted (asked +1800, granted +3000)
 *  B  P1 finance chen  no play rule R1 crit 0 effort 0
 *     event T+700, detected T+1000, ack T+3000, contained = resolved =
 *     closed T+4000 false positive; moves new identification@3000
 *     closed@4000
 *  C  P3 hr dana play phish@v1 rule R2 crit 2 effort 30, open in
 *     containment, no event time; detected T+2000, ack T+9200; moves new,
 *     identification@9200, containment@20000, back to identification
 *     @30000, containment@40000 (forced); a manual step waiting since
 *     now - 3600
 *  D  P2, nothing set, new, detected now - 1800, event 60 s before
 *  E  P4 hr chen play malware@m1 rule R1 crit 1 effort 15, closed
 *     duplicate after a reopening: event T+4000, detected T+5000, ack
 *     +100, contained +200, resolved = closed T+8000; moves new,
 *     identification@5100, closed@5300, identification@6000 (back),
 *     closed@8000; steps: score and exec done */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers/tmpstore.h"
#include "irk/config.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/kpi.h"
#include "irk/maturity.h"
#include "irk/sla.h"
#include "irk/snapshot.h"
#include "irk/store.h"

#define T 1700000000LL
#define NOW (T + 10 * 86400LL)

static struct store *s;
static struct sla_policy pol;

static void fini(void)
{
	store_close(&s);
	tmp_cleanup();
}

struct inc_spec {
	int priority, stage, resolution, crit, effort, reopen, back;
	const char *unit, *owner, *play, *version, *rule, *root_cause, *category;
	int64_t first, detected, ack, contained, resolved, closed;
};

/* The vector and threat source of the next incident added (the set's
 * five have none). */
static const char *next_vector, *next_source;

static int64_t add_incident(const struct inc_spec *sp)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	inc.title = "t";
	inc.summary = "";
	inc.severity = SEV_HIGH;
	inc.confidence = 50;
	inc.priority = sp->priority;
	inc.stage = sp->stage;
	inc.resolution = sp->resolution;
	inc.asset_criticality = sp->crit;
	inc.effort_min = sp->effort;
	inc.reopen_count = sp->reopen;
	inc.back_moves = sp->back;
	inc.business_unit = (char *)sp->unit;
	inc.owner = (char *)sp->owner;
	inc.play = (char *)sp->play;
	inc.play_version = (char *)sp->version;
	inc.rule = (char *)sp->rule;
	inc.root_cause = (char *)sp->root_cause;
	inc.category = (char *)sp->category;
	inc.vector = (char *)next_vector;
	inc.threat_source = (char *)next_source;
	next_vector = next_source = NULL;
	inc.t_first_event = sp->first;
	inc.t_detected = sp->detected;
	inc.t_acknowledged = sp->ack;
	inc.t_contained = sp->contained;
	inc.t_resolved = sp->resolved;
	inc.t_closed = sp->closed;
	inc.t_updated = sp->detected;
	inc.updated_by = "test";
	cr_assert_eq(store_incident_insert(s, &inc, &err), IRK_OK, "%s", err.msg);
	return inc.id;
}

/* Moves of id: (stage, at, forced) triples, the first from nowhere. */
static void moves(int64_t id, int n, const int64_t *v)
{
	struct irk_err err = { 0 };
	int from = -1;

	for (int i = 0; i < n; i++) {
		struct stage_move m = { .incident_id = id, .from = from, .to = (int)v[3 * i],
					.at = v[3 * i + 1], .forced = (int)v[3 * i + 2] };
		strcpy(m.actor, "test");
		cr_assert_eq(store_history_add(s, &m, &err), IRK_OK, "%s", err.msg);
		from = m.to;
	}
}

static void step(int64_t id, const char *sid, const char *kind, int state, int64_t t0, int64_t t1)
{
	static int seq;
	struct irk_err err = { 0 };
	struct step_row r = { .incident_id = id, .step_id = sid, .kind = kind, .seq = ++seq,
			      .stage = STAGE_IDENTIFICATION, .def = "{}" };
	int64_t rid;

	cr_assert_eq(store_step_insert(s, &r, &rid, &err), IRK_OK, "%s", err.msg);
	r.id = rid;
	r.state = state;
	r.t_start = t0;
	r.t_end = t1;
	cr_assert_eq(store_step_update(s, &r, STEP_PENDING, &err), IRK_OK, "%s", err.msg);
}

static void init(void)
{
	struct irk_err err = { 0 };
	int64_t a, b, c, d, e;

	s = tmp_store("kpi.db");
	sla_policy_load(&pol, NULL);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	a = add_incident(&(struct inc_spec){ 1, STAGE_CLOSED, RES_TRUE_POSITIVE, 3, 60, 0, 0,
		"finance", "dana", "phish", "v1", "R1", "weak mfa", "phishing",
		T - 120, T, T + 600, T + 3600, T + 7200, T + 9000 });
	b = add_incident(&(struct inc_spec){ 1, STAGE_CLOSED, RES_FALSE_POSITIVE, 0, 0, 0, 0,
		"finance", "chen", NULL, NULL, "R1", NULL, "phishing",
		T + 700, T + 1000, T + 3000, T + 4000, T + 4000, T + 4000 });
	c = add_incident(&(struct inc_spec){ 3, STAGE_CONTAINMENT, RES_NONE, 2, 30, 0, 1,
		"hr", "dana", "phish", "v1", "R2", NULL, "malware",
		0, T + 2000, T + 9200, 0, 0, 0 });
	d = add_incident(&(struct inc_spec){ 2, STAGE_NEW, RES_NONE, 0, 0, 0, 0,
		NULL, NULL, NULL, NULL, "R2", NULL, NULL,
		NOW - 1860, NOW - 1800, 0, 0, 0, 0 });
	e = add_incident(&(struct inc_spec){ 4, STAGE_CLOSED, RES_DUPLICATE, 1, 15, 1, 1,
		"hr", "chen", "malware", "m1", "R1", NULL, "malware",
		T + 4000, T + 5000, T + 5100, T + 5200, T + 8000, T + 8000 });
	moves(a, 6, (const int64_t[]){ STAGE_NEW, T, 0, STAGE_IDENTIFICATION, T + 600, 0,
		STAGE_CONTAINMENT, T + 1800, 0, STAGE_ERADICATION, T + 3600, 0,
		STAGE_LESSONS, T + 7200, 0, STAGE_CLOSED, T + 9000, 0 });
	moves(b, 3, (const int64_t[]){ STAGE_NEW, T + 1000, 0, STAGE_IDENTIFICATION, T + 3000, 0,
		STAGE_CLOSED, T + 4000, 0 });
	moves(c, 5, (const int64_t[]){ STAGE_NEW, T + 2000, 0, STAGE_IDENTIFICATION, T + 9200, 0,
		STAGE_CONTAINMENT, T + 20000, 0, STAGE_IDENTIFICATION, T + 30000, 0,
		STAGE_CONTAINMENT, T + 40000, 1 });
	moves(d, 1, (const int64_t[]){ STAGE_NEW, NOW - 1800, 0 });
	moves(e, 5, (const int64_t[]){ STAGE_NEW, T + 5000, 0, STAGE_IDENTIFICATION, T + 5100, 0,
		STAGE_CLOSED, T + 5300, 0, STAGE_IDENTIFICATION, T + 6000, 0,
		STAGE_CLOSED, T + 8000, 0 });
	step(a, "history", "score", STEP_DONE, T + 10, T + 20);
	step(a, "verify", "manual", STEP_DONE, T + 600, T + 1500);
	step(a, "decide", "approval", STEP_DONE, T + 1800, T + 3000);
	step(c, "verify", "manual", STEP_WAITING, NOW - 3600, 0);
	step(e, "history", "score", STEP_DONE, T + 5010, T + 5020);
	step(e, "facts", "exec", STEP_DONE, T + 5030, T + 5040);
	cr_assert_eq(store_play_put(s, "v1", "phish", "1", "Phishing", "p.json", "{}", T - 100, &err),
		     IRK_OK, "%s", err.msg);
	cr_assert_eq(store_play_put(s, "v2", "phish", "2", "Phishing", "p.json", "{}", T + 20000,
				    &err), IRK_OK);
	cr_assert_eq(store_play_put(s, "m1", "malware", "1", "Malware", "m.json", "{}", T - 100,
				    &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
}

TestSuite(kpi, .init = init, .fini = fini);

static void compute(struct kpi_report *r, int64_t since, int64_t until, int by)
{
	struct kpi_query q = { since, until, NOW, by, 0 };
	struct irk_err err = { 0 };

	cr_assert_eq(kpi_compute(s, &pol, &q, r, &err), IRK_OK, "%s", err.msg);
}

#define STAT(st, med, p9, mn, cnt, miss) do { \
	cr_expect_eq((st).count, cnt, #st " count %lld", (long long)(st).count); \
	cr_expect_eq((st).missing, miss, #st " missing %lld", (long long)(st).missing); \
	if (cnt) { \
		cr_expect_eq((st).median, med, #st " median %lld", (long long)(st).median); \
		cr_expect_eq((st).p90, p9, #st " p90 %lld", (long long)(st).p90); \
		cr_expect_eq((st).mean, mn, #st " mean %lld", (long long)(st).mean); \
	} } while (0)

Test(kpi, mean_times_and_missing_timestamps)
{
	struct kpi_report r;

	compute(&r, T - 86400, 0, KPI_BY_NONE);
	cr_assert_eq(r.all.incidents, 5);
	cr_expect_eq(r.all.open, 2);
	cr_expect_eq(r.all.closed, 3);
	/* MTTD: A 120, B 300, D 60, E 1000; C has no event time: missing,
	 * not 0. Sorted 60 120 300 1000: median rank 2 = 120, p90 rank 4,
	 * mean 1480 / 4 = 370. */
	STAT(r.all.mttd, 120, 1000, 370, 4, 1);
	/* MTTA: A 600, B 2000, C 7200, E 100; D not acknowledged. */
	STAT(r.all.mtta, 600, 7200, 2475, 4, 1);
	/* MTTC: A 3600, B 3000, E 200; C and D not contained. Mean 6800 / 3
	 * = 2266.7, rounded 2267. */
	STAT(r.all.mttc, 3000, 3600, 2267, 3, 2);
	/* MTTR: A 7200, B 3000, E 3000 (resolved again after the reopening). */
	STAT(r.all.mttr, 3000, 7200, 4400, 3, 2);
	STAT(r.all.ttc, 3000, 9000, 5000, 3, 2);
	kpi_report_free(&r);
}

Test(kpi, time_in_each_stage)
{
	struct kpi_report r;

	compute(&r, T - 86400, 0, KPI_BY_NONE);
	/* new: A 600, B 2000, C 7200, E 100; D is still in new: missing. */
	STAT(r.all.stage[STAGE_NEW], 600, 7200, 2475, 4, 1);
	/* identification: A 1200, B 1000, E 200 + 2000 (two stays), C 10800
	 * + 10000 (two stays; it has left it). */
	STAT(r.all.stage[STAGE_IDENTIFICATION], 1200, 20800, 6300, 4, 0);
	/* containment: A 1800; C is in it now (its earlier stay too). */
	STAT(r.all.stage[STAGE_CONTAINMENT], 1800, 1800, 1800, 1, 1);
	STAT(r.all.stage[STAGE_ERADICATION], 3600, 3600, 3600, 1, 0);
	STAT(r.all.stage[STAGE_RECOVERY], 0, 0, 0, 0, 0);
	STAT(r.all.stage[STAGE_LESSONS], 1800, 1800, 1800, 1, 0);
	kpi_report_free(&r);
}

Test(kpi, sla_met_breached_running_and_late_now)
{
	struct kpi_report r;

	compute(&r, T - 86400, 0, KPI_BY_NONE);
	/* ack: A 600 <= 15m, C 7200 <= 4h, E 100 <= 1d met; B 2000 > 15m;
	 * D's hour is still running. */
	cr_expect_eq(r.all.sla.met[KPI_ACK], 3);
	cr_expect_eq(r.all.sla.breached[KPI_ACK], 1);
	cr_expect_eq(r.all.sla.running[KPI_ACK], 1);
	cr_expect_eq(r.all.sla.current[KPI_ACK], 0);
	/* contain: A, B, E in time; C open 9.98 days > 3 days: late now. */
	cr_expect_eq(r.all.sla.met[KPI_CONTAIN], 3);
	cr_expect_eq(r.all.sla.breached[KPI_CONTAIN], 1);
	cr_expect_eq(r.all.sla.current[KPI_CONTAIN], 1);
	/* resolve: the same three; C past 7 days. */
	cr_expect_eq(r.all.sla.met[KPI_RESOLVE], 3);
	cr_expect_eq(r.all.sla.breached[KPI_RESOLVE], 1);
	cr_expect_eq(r.all.sla.current[KPI_RESOLVE], 1);
	cr_expect_eq(kpi_sla_met(&r.all.sla), 9);
	cr_expect_eq(kpi_sla_breached(&r.all.sla), 3);
	cr_expect_eq(r.all.ev.breached.n, 2);
	cr_expect_eq(r.all.ev.breached.id[0], 2);
	cr_expect_eq(r.all.ev.breached.id[1], 3);
	kpi_report_free(&r);
}

/* With business hours Mon-Fri 08:00-18:00 UTC every clock of the set
 * stops: T is a Tuesday 22:13 UTC and A, B, C, E reach their times before
 * Wednesday 08:00 (0 business seconds: met); C's contain and resolve
 * clocks have counted Wed 15 to Fri 17 and Mon 20 to Fri 24 November, 8
 * days of 10h, 80h by now (Friday 22:13): past P3's 3d (72h) to contain,
 * within its 7d to resolve; D, detected Friday 21:43, has counted none.
 * In calendar time B's ack and C's resolve were breached too. */
Test(kpi, sla_in_business_hours)
{
	struct config *cfg = config_new();
	struct irk_err err = { 0 };
	struct sla_policy bp;
	struct kpi_query q = { T - 86400, 0, NOW, KPI_BY_NONE, 0 };
	struct kpi_report r;

	cr_assert_eq(config_set(cfg, "sla.business_hours", "Mon-Fri 08:00-18:00", &err), IRK_OK);
	cr_assert_eq(config_set(cfg, "sla.zone", "UTC", &err), IRK_OK);
	sla_policy_load(&bp, cfg);
	cr_assert_eq(kpi_compute(s, &bp, &q, &r, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(r.all.sla.met[KPI_ACK], 4);
	cr_expect_eq(r.all.sla.running[KPI_ACK], 1);
	cr_expect_eq(r.all.sla.breached[KPI_ACK], 0);
	cr_expect_eq(r.all.sla.met[KPI_CONTAIN], 3);
	cr_expect_eq(r.all.sla.breached[KPI_CONTAIN], 1);
	cr_expect_eq(r.all.sla.current[KPI_CONTAIN], 1);
	cr_expect_eq(r.all.sla.running[KPI_CONTAIN], 1);
	cr_expect_eq(r.all.sla.met[KPI_RESOLVE], 3);
	cr_expect_eq(r.all.sla.running[KPI_RESOLVE], 2);
	cr_expect_eq(kpi_sla_breached(&r.all.sla), 1);
	cr_expect_eq(r.all.ev.breached.n, 1);
	cr_expect_eq(r.all.ev.breached.id[0], 3);
	/* the figures of time stay calendar time */
	cr_expect_eq(r.all.mtta.median, 600);
	kpi_report_free(&r);
	config_free(&cfg);
}

Test(kpi, quality)
{
	struct kpi_report r;

	compute(&r, T - 86400, 0, KPI_BY_NONE);
	cr_expect_eq(r.all.quality.closed, 3);
	cr_expect_eq(r.all.quality.true_positive, 1);
	cr_expect_eq(r.all.quality.false_positive, 1);
	cr_expect_eq(r.all.quality.duplicate, 1);
	cr_expect_eq(r.all.quality.benign, 0);
	cr_expect_eq(r.all.quality.reopened, 1);       /* E */
	cr_expect_eq(r.all.quality.back_moved, 2);     /* C, E */
	/* forward moves: A 5, B 2, C 3 (one forced), D 0, E 3 */
	cr_expect_eq(r.all.quality.forward_moves, 13);
	cr_expect_eq(r.all.quality.forced_moves, 1);
	/* false positives by rule: R1 closed A, B, E (B false); R2 none closed */
	cr_assert_eq(r.nrule, 1);
	cr_expect_str_eq(r.by_rule[0].key, "R1");
	cr_expect_eq(r.by_rule[0].closed, 3);
	cr_expect_eq(r.by_rule[0].false_positive, 1);
	/* by play: malware (E) and phish (A), one closed each, no false one */
	cr_assert_eq(r.nplay, 2);
	cr_expect_str_eq(r.by_play[0].key, "malware");
	cr_expect_str_eq(r.by_play[1].key, "phish");
	cr_expect_eq(r.by_play[1].false_positive, 0);
	kpi_report_free(&r);
}

Test(kpi, work)
{
	struct kpi_report r;

	compute(&r, T - 86400, 0, KPI_BY_NONE);
	/* effort: A 60, C 30, E 15 minutes; B and D none recorded: missing */
	cr_expect_eq(r.all.work.effort_min, 105);
	STAT(r.all.work.effort, 30, 60, 35, 3, 2);
	cr_expect_eq(r.all.work.owned, 4);
	cr_expect_eq(r.all.work.analysts, 2);
	/* done: A score, manual, approval; E score, exec. Automated: the
	 * score steps and the exec. */
	cr_expect_eq(r.all.work.steps_done, 5);
	cr_expect_eq(r.all.work.automated_done, 3);
	cr_expect_eq(r.all.work.with_play, 3);
	cr_expect_eq(r.all.work.person_waiting, 1);
	STAT(r.all.work.waiting_age, 3600, 3600, 3600, 1, 0);
	STAT(r.all.work.person_wait, 900, 900, 900, 1, 0);
	STAT(r.all.work.approval_wait, 1200, 1200, 1200, 1, 0);
	/* phish ran A (true positive, closed T+9000) on v1; v2 came at
	 * T+20000. malware's E was no true positive. */
	cr_expect_eq(r.all.work.plays_revised, 1);
	kpi_report_free(&r);
}

Test(kpi, groups_by_unit)
{
	struct kpi_report r;

	compute(&r, T - 86400, 0, KPI_BY_UNIT);
	cr_assert_eq(r.ngroups, 3);
	/* by key, none last */
	cr_expect_str_eq(r.groups[0].key, "finance");
	cr_expect_str_eq(r.groups[1].key, "hr");
	cr_expect_null(r.groups[2].key);
	/* finance: A and B. MTTA 600 and 2000: median (lower middle) 600. */
	cr_expect_eq(r.groups[0].incidents, 2);
	STAT(r.groups[0].mtta, 600, 2000, 1300, 2, 0);
	cr_expect_eq(r.groups[0].quality.false_positive, 1);
	/* hr: C and E; C's history and steps are filed under hr too */
	cr_expect_eq(r.groups[1].incidents, 2);
	cr_expect_eq(r.groups[1].quality.forced_moves, 1);
	cr_expect_eq(r.groups[1].work.person_waiting, 1);
	cr_expect_eq(r.groups[1].work.automated_done, 2);
	STAT(r.groups[1].stage[STAGE_IDENTIFICATION], 2200, 20800, 11500, 2, 0);
	/* none: D */
	cr_expect_eq(r.groups[2].incidents, 1);
	cr_expect_eq(r.groups[2].stage[STAGE_NEW].missing, 1);
	/* the whole is the same with or without groups */
	cr_expect_eq(r.all.incidents, 5);
	STAT(r.all.mtta, 600, 7200, 2475, 4, 1);
	kpi_report_free(&r);
}

Test(kpi, groups_by_priority_and_analyst)
{
	struct kpi_report r;

	compute(&r, T - 86400, 0, KPI_BY_PRIORITY);
	cr_assert_eq(r.ngroups, 4);
	cr_expect_str_eq(r.groups[0].key, "P1");
	cr_expect_eq(r.groups[0].incidents, 2);
	cr_expect_str_eq(r.groups[3].key, "P4");
	kpi_report_free(&r);
	compute(&r, T - 86400, 0, KPI_BY_ANALYST);
	cr_assert_eq(r.ngroups, 3);
	cr_expect_str_eq(r.groups[0].key, "chen");
	cr_expect_eq(r.groups[0].work.effort_min, 15);
	cr_expect_str_eq(r.groups[1].key, "dana");
	cr_expect_eq(r.groups[1].work.effort_min, 90);
	kpi_report_free(&r);
}

Test(kpi, period_bounds)
{
	struct kpi_report r;

	/* [T+1500, T+6000): C (T+2000) and E (T+5000) */
	compute(&r, T + 1500, T + 6000, KPI_BY_NONE);
	cr_expect_eq(r.all.incidents, 2);
	STAT(r.all.mtta, 100, 7200, 3650, 2, 0);
	/* their history only: C's identification 20800, E's 2200 */
	STAT(r.all.stage[STAGE_IDENTIFICATION], 2200, 20800, 11500, 2, 0);
	cr_expect_eq(r.all.quality.forward_moves, 6);
	kpi_report_free(&r);
	/* nothing detected: every figure empty, nothing fails */
	compute(&r, T - 5 * 86400, T - 4 * 86400, KPI_BY_UNIT);
	cr_expect_eq(r.all.incidents, 0);
	cr_expect_eq(r.all.mtta.count, 0);
	cr_expect_eq(r.ngroups, 0);
	kpi_report_free(&r);
}

/* Seed 2's catalog over the set and F, a confirmed policy violation in
 * finance (closed true positive, 20 minutes, usb, insider, no dlp,
 * detected T+3000). In UTC, T (Tuesday 14 November 2023) is in week 46,
 * D (Friday 24th) in week 47.
 *   finance: A, B, F: 3 of 6 (0.5), true positives A and F, violation F
 *            (confirmed), effort 60 + 20 = 80 over A and F (40 each), B
 *            none recorded
 *   hr:      C, E: 2, no true positive (E a duplicate), 30 + 15 = 45, 22.5
 *   none:    D: 1, no effort: null per incident, never 0
 * Trends: root causes "no dlp" (F) and "weak mfa" (A) one each in W46,
 * none recorded for the other four (3 in W46, D in W47); vector usb (F). */
Test(kpi, catalog_units_violations_cost_and_trends)
{
	struct kpi_query q = { T - 86400, 0, NOW, KPI_BY_NONE, 1 };
	struct irk_err err = { 0 };
	struct kpi_report r;
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	const struct kpi_catalog *c;

	setenv("TZ", "UTC", 1);
	tzset();
	next_vector = "usb";
	next_source = "insider";
	add_incident(&(struct inc_spec){ 2, STAGE_CLOSED, RES_TRUE_POSITIVE, 2, 20, 0, 0,
		"finance", "dana", NULL, NULL, "R3", "no dlp", "policy-violation",
		T + 2900, T + 3000, T + 3100, T + 3200, T + 3300, T + 3300 });
	cr_assert_eq(kpi_compute(s, &pol, &q, &r, &err), IRK_OK, "%s", err.msg);
	c = &r.cat;
	cr_assert_eq(c->nunits, 3);
	cr_expect_str_eq(c->units[0].key, "finance");
	cr_expect_eq(c->units[0].incidents, 3);
	cr_expect_eq(c->units[0].true_positive, 2);
	cr_expect_eq(c->units[0].violations, 1);
	cr_expect_eq(c->units[0].violations_confirmed, 1);
	cr_expect_eq(c->units[0].effort_min, 80);
	cr_expect_eq(c->units[0].effort_missing, 1);
	cr_expect_str_eq(c->units[1].key, "hr");
	cr_expect_eq(c->units[1].incidents, 2);
	cr_expect_eq(c->units[1].true_positive, 0);
	cr_expect_eq(c->units[1].violations, 0);
	cr_expect_eq(c->units[1].effort_min, 45);
	cr_expect_null(c->units[2].key);
	cr_expect_eq(c->units[2].incidents, 1);
	cr_expect_eq(c->units[2].effort_missing, 1);
	cr_assert(c->weekly);
	cr_assert_eq(c->nbuckets, 2);
	cr_expect_str_eq(c->bucket[0], "2023-W46");
	cr_expect_str_eq(c->bucket[1], "2023-W47");
	cr_assert_eq(c->ntrend[KPI_TREND_CAUSE], 3);
	cr_expect_str_eq(c->trend[KPI_TREND_CAUSE][0].key, "no dlp");
	cr_expect_str_eq(c->trend[KPI_TREND_CAUSE][1].key, "weak mfa");
	cr_expect_eq(c->trend[KPI_TREND_CAUSE][1].count[0], 1);
	cr_expect_eq(c->trend[KPI_TREND_CAUSE][1].count[1], 0);
	cr_expect_null(c->trend[KPI_TREND_CAUSE][2].key);
	cr_expect_eq(c->trend[KPI_TREND_CAUSE][2].total, 4);
	cr_expect_eq(c->trend[KPI_TREND_CAUSE][2].count[0], 3);
	cr_expect_eq(c->trend[KPI_TREND_CAUSE][2].count[1], 1);
	cr_assert_eq(c->ntrend[KPI_TREND_SOURCE], 2);
	cr_expect_str_eq(c->trend[KPI_TREND_SOURCE][0].key, "insider");
	cr_assert_eq(c->ntrend[KPI_TREND_VECTOR], 2);
	cr_expect_eq(c->trend[KPI_TREND_VECTOR][1].total, 5);
	jsonw_init(&w, &out, 0);
	kpi_json(&r, &w);
	cr_expect(strstr(strbuf_str(&out), "\"catalog\":{\"units\":[{\"unit\":\"finance\","
			 "\"incidents\":3,\"share\":0.5,\"true_positive\":2,\"violations\":1,"
			 "\"violations_confirmed\":1,\"effort_min\":80,\"effort_missing\":1,"
			 "\"effort_per_incident\":40}"), "%s", strbuf_str(&out));
	cr_expect(strstr(strbuf_str(&out), "\"effort_per_incident\":22.5}"));
	cr_expect(strstr(strbuf_str(&out), "{\"unit\":null,\"incidents\":1,\"share\":0.1667,"
			 "\"true_positive\":0,\"violations\":0,\"violations_confirmed\":0,"
			 "\"effort_min\":0,\"effort_missing\":1,\"effort_per_incident\":null}"));
	cr_expect(strstr(strbuf_str(&out), "\"trends\":{\"by\":\"week\",\"buckets\":"
			 "[\"2023-W46\",\"2023-W47\"],\"root_cause\":[{\"key\":\"no dlp\","
			 "\"total\":1,\"counts\":[1,0]}"), "%s", strbuf_str(&out));
	strbuf_free(&out);
	kpi_report_free(&r);
}

Test(kpi, json_contract)
{
	struct kpi_report r;
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;

	compute(&r, T - 86400, 0, KPI_BY_UNIT);
	jsonw_init(&w, &out, 0);
	kpi_json(&r, &w);
	cr_expect(strstr(strbuf_str(&out), "\"mtta\":{\"median\":600,\"p90\":7200,\"mean\":2475,"
			 "\"count\":4,\"missing\":1}"), "%s", strbuf_str(&out));
	/* no value: null, never 0 */
	cr_expect(strstr(strbuf_str(&out), "\"recovery\":{\"median\":null,\"p90\":null,"
			 "\"mean\":null,\"count\":0,\"missing\":0}"));
	cr_expect(strstr(strbuf_str(&out), "\"rate\":0.75,"));
	cr_expect(strstr(strbuf_str(&out), "\"fp_rate\":0.3333,"));
	cr_expect(strstr(strbuf_str(&out), "\"groups\":[{\"key\":\"finance\",\"incidents\":2,"));
	cr_expect(strstr(strbuf_str(&out), "{\"key\":null,\"incidents\":1,"));
	strbuf_free(&out);
	kpi_report_free(&r);
}

Test(kpi, maturity_criteria)
{
	struct maturity m;
	struct irk_err err = { 0 };
	const struct maturity_criterion *c;

	cr_assert_eq(maturity_assess(s, NULL, NOW, &m, &err), IRK_OK, "%s", err.msg);
#define CRIT(i, lvl, name, val, met_) do { \
	c = &m.c[i]; \
	cr_expect_eq(c->level, lvl); \
	cr_expect_str_eq(c->id, name); \
	cr_expect(c->has_value && c->value > (val) - 0.01 && c->value < (val) + 0.01, \
		  "%s: %g", name, c->value); \
	cr_expect_eq(c->met, met_, "%s", name); } while (0)
	/* acknowledged A B C E, all owned */
	CRIT(0, 2, "owners", 100.0, 1);
	/* a play on A C E of five */
	CRIT(1, 2, "plays_managed", 60.0, 1);
	/* the one true positive (A) went through containment */
	CRIT(2, 3, "contained", 100.0, 1);
	/* 1 forced of 13 forward moves: 7.7% <= 10 */
	CRIT(3, 3, "gates", 7.7, 1);
	CRIT(4, 3, "plays", 60.0, 0);
	cr_expect_eq(c->ids.n, 2);                  /* B and D have no play */
	cr_expect_eq(c->ids.id[0], 2);
	cr_expect_eq(c->ids.id[1], 4);
	CRIT(5, 3, "units", 80.0, 1);
	c = &m.c[6];
	cr_expect_str_eq(c->id, "context");
	cr_expect_not(c->has_value);
	cr_expect_not(c->met);
	cr_expect(c->reason && strstr(c->reason, "context"));
	CRIT(7, 4, "sla", 75.0, 0);                 /* 9 of 12 clocks */
	CRIT(8, 4, "false_positives", 33.3, 0);     /* B of 3 closed */
	CRIT(9, 4, "automated", 40.0, 0);           /* A and E scored */
	CRIT(10, 4, "criticality", 60.0, 1);        /* A C E */
	CRIT(11, 4, "root_cause", 100.0, 1);
	CRIT(12, 5, "lessons", 100.0, 1);
	CRIT(13, 5, "play_changes", 1.0, 1);
	c = &m.c[14];
	cr_expect_str_eq(c->id, "trend");
	cr_expect_not(c->has_value);                /* nothing the 90 days before */
	cr_expect_eq(m.n, 15);
	/* level 2: plays and context of level 3 are not met */
	cr_expect_eq(m.level, 2);
}

Test(kpi, maturity_thresholds_from_the_config)
{
	struct config *cfg = config_new();
	struct maturity m;
	struct irk_err err = { 0 };

	/* owners at 100% still met; play coverage for level 2 above 60%: not */
	cr_assert_eq(config_set(cfg, "maturity.plays_managed", "61", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(maturity_assess(s, cfg, NOW, &m, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(m.c[1].threshold, 61);
	cr_expect_not(m.c[1].met);
	cr_expect_eq(m.level, 1);
	/* a period of one day before now holds only D */
	cr_assert_eq(config_set(cfg, "maturity.period", "1d", &err), IRK_OK);
	cr_assert_eq(maturity_assess(s, cfg, NOW, &m, &err), IRK_OK);
	cr_expect_eq(m.c[1].over, 1);
	cr_expect_not(m.c[0].has_value);            /* nothing acknowledged */
	cr_expect_eq(m.level, 1);
	config_free(&cfg);
}

Test(kpi, maturity_trend_compares_with_the_period_before)
{
	struct config *cfg = config_new();
	struct maturity m;
	struct irk_err err = { 0 };

	/* periods of 5 days: [now-5d, now) holds D only (no MTTR); the one
	 * before, A B C E. No value on either side without resolutions. */
	cr_assert_eq(config_set(cfg, "maturity.period", "5d", &err), IRK_OK);
	cr_assert_eq(maturity_assess(s, cfg, NOW, &m, &err), IRK_OK);
	cr_expect_not(m.c[14].has_value);
	config_free(&cfg);
	/* an incident resolved in 1500 s in the last 5 days against the
	 * median 3000 before: -50% */
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	add_incident(&(struct inc_spec){ 2, STAGE_CLOSED, RES_BENIGN, 0, 0, 0, 0,
		NULL, NULL, NULL, NULL, "R3", NULL, NULL,
		NOW - 86400, NOW - 86400, NOW - 86000, NOW - 85000, NOW - 84900, NOW - 84900 });
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cfg = config_new();
	cr_assert_eq(config_set(cfg, "maturity.period", "5d", &err), IRK_OK);
	cr_assert_eq(maturity_assess(s, cfg, NOW, &m, &err), IRK_OK);
	cr_expect(m.c[14].has_value);
	cr_expect(m.c[14].value > -50.01 && m.c[14].value < -49.99, "%g", m.c[14].value);
	cr_expect(m.c[14].met);
	config_free(&cfg);
}

/* Dates on the command line and months are local time; a day can have
 * 25 hours. */
Test(kpi, time_zones)
{
	int64_t t;

	setenv("TZ", "America/New_York", 1);
	tzset();
	cr_assert_eq(kpi_time_parse("2026-11-01", 0, 0, &t), 0);
	cr_expect_eq(t, 1793505600);                /* 04:00Z: still EDT */
	cr_assert_eq(kpi_time_parse("2026-11-01", 0, 1, &t), 0);
	cr_expect_eq(t, 1793595600);                /* the next midnight, EST: 25 h on */
	cr_assert_eq(kpi_time_parse("2026-11-01T10:00:00Z", 0, 0, &t), 0);
	cr_expect_eq(t, 1793527200);
	cr_assert_eq(kpi_time_parse("2026-11-01T06:00", 0, 0, &t), 0);
	cr_expect_eq(t, 1793505600 + 7 * 3600);     /* 06:00 EST: the clocks went back at 2 */
	cr_assert_eq(kpi_time_parse("-30d", 1793505600, 0, &t), 0);
	cr_expect_eq(t, 1793505600 - 30 * 86400);
	cr_assert_eq(kpi_time_parse("-2w", 1000000000, 0, &t), 0);
	cr_expect_eq(t, 1000000000 - 14 * 86400);
	cr_expect_eq(kpi_time_parse("yesterday", 0, 0, &t), -1);
	cr_expect_eq(kpi_time_parse("2026-13-01", 0, 0, &t), -1);
	cr_expect_eq(kpi_time_parse("2026-11-01X", 0, 0, &t), -1);
	cr_expect_eq(kpi_time_parse("-", 0, 0, &t), -1);

	/* 2026-11-01T02:00Z is October 31 in New York */
	struct irk_err err = { 0 };
	struct kpi_report r;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	add_incident(&(struct inc_spec){ 2, STAGE_NEW, RES_NONE, 0, 0, 0, 0,
		NULL, NULL, NULL, NULL, "R9", NULL, NULL, 0, 1793498400, 0, 0, 0, 0 });
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	compute(&r, 1793498400, 0, KPI_BY_MONTH);
	cr_assert_eq(r.ngroups, 1);
	cr_expect_str_eq(r.groups[0].key, "2026-10");
	kpi_report_free(&r);
	setenv("TZ", "UTC", 1);
	tzset();
	compute(&r, 1793498400, 0, KPI_BY_MONTH);
	cr_expect_str_eq(r.groups[0].key, "2026-11");
	kpi_report_free(&r);
	compute(&r, 1793498400, 0, KPI_BY_WEEK);
	cr_expect_str_eq(r.groups[0].key, "2026-W44");
	kpi_report_free(&r);
}

/* The median and p90 by selection agree with sorting, on many repeated
 * values (durations in whole minutes repeat a lot). */
Test(kpi, percentiles_on_many_values)
{
	struct irk_err err = { 0 };
	struct kpi_report r;
	uint64_t seed = 7;
	int64_t v[2001];

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	for (int i = 0; i < 2001; i++) {
		v[i] = (int64_t)(tmp_rand(&seed) % 50) * 60;
		add_incident(&(struct inc_spec){ 4, STAGE_NEW, RES_NONE, 0, 0, 0, 0,
			NULL, NULL, NULL, NULL, "R", NULL, NULL, 0, T + 100000 + i,
			T + 100000 + i + v[i], 0, 0, 0 });
	}
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	for (int i = 1; i < 2001; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	compute(&r, T + 100000, 0, KPI_BY_NONE);
	cr_expect_eq(r.all.mtta.count, 2001);
	cr_expect_eq(r.all.mtta.median, v[1000]);   /* rank ceil(2001/2) = 1001 */
	cr_expect_eq(r.all.mtta.p90, v[1800]);      /* rank ceil(1800.9) = 1801 */
	kpi_report_free(&r);
}

/* ---- the dashboard's snapshot (snapshot.h) ------------------------------- */

static char *snapshot_json(const struct kpi_snapshot *k)
{
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &out, 0);
	jsonw_arr_begin(&w);
	kpi_json(&k->week, &w);
	kpi_json(&k->unit, &w);
	maturity_json(&k->mat, &w);
	jsonw_arr_end(&w);
	strbuf_printf(&out, " %lld %lld %lld %s %s", (long long)k->since, (long long)k->now,
		      (long long)k->head, k->week_key[0], k->week_key[KPI_SNAPSHOT_WEEKS - 1]);
	return strbuf_detach(&out);
}

Test(kpi, snapshot_bytes_read_back_the_same)
{
	struct kpi_snapshot k, back;
	struct irk_err err = { 0 };
	struct strbuf bytes = STRBUF_INIT;
	char *a, *b;

	cr_assert_eq(kpi_snapshot_compute(&k, s, NULL, &pol, NOW, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(k.head, store_kpi_head(s));
	kpi_snapshot_encode(&k, &bytes);
	cr_assert_eq(kpi_snapshot_decode(&back, bytes.buf, bytes.len), 0);
	a = snapshot_json(&k);
	b = snapshot_json(&back);
	cr_expect_str_eq(b, a);
	/* the criteria's words too, not just their figures */
	cr_expect(strstr(b, "\"id\":\"context\""));
	cr_expect(strstr(b, "irk has no asset or change context yet"));
	free(a);
	free(b);
	kpi_snapshot_free(&back);
	/* cut short, or another layout: not a snapshot */
	cr_expect_eq(kpi_snapshot_decode(&back, bytes.buf, bytes.len - 1), -1);
	bytes.buf[0] ^= 1;
	cr_expect_eq(kpi_snapshot_decode(&back, bytes.buf, bytes.len), -1);
	strbuf_free(&bytes);
	kpi_snapshot_free(&k);
}

Test(kpi, snapshot_kept_when_the_audit_log_moves)
{
	struct kpi_snapshot k;
	struct irk_err err = { 0 };
	const struct actor dana = { "dana", ROLE_ANALYST };
	int made;

	cr_expect_eq(kpi_snapshot_load(&k, s, NULL, &err), IRK_NOTFOUND);
	cr_assert_eq(kpi_snapshot_keep(s, NULL, NOW, 0, &made, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(made, 1);
	cr_assert_eq(kpi_snapshot_load(&k, s, NULL, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(k.week.all.incidents, 5);
	cr_expect_eq(k.head, store_kpi_head(s));
	kpi_snapshot_free(&k);
	/* nothing changed: nothing computed, even much later */
	cr_assert_eq(kpi_snapshot_keep(s, NULL, NOW + 3600, 0, &made, &err), IRK_OK);
	cr_expect_eq(made, 0);
	/* a change: not within KPI_SNAPSHOT_AGE seconds (real time) of the
	 * last one, unless forced */
	cr_assert_eq(incident_note(s, &dana, 1, "seen", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(kpi_snapshot_keep(s, NULL, NOW + 1, 0, &made, &err), IRK_OK);
	cr_expect_eq(made, 0);
	cr_assert_eq(kpi_snapshot_keep(s, NULL, NOW + 2, 1, &made, &err), IRK_OK);
	cr_expect_eq(made, 1);
	cr_assert_eq(kpi_snapshot_load(&k, s, NULL, &err), IRK_OK);
	cr_expect_eq(k.now, NOW + 2);
	cr_expect_eq(k.head, store_kpi_head(s));
	kpi_snapshot_free(&k);
	/* an old snapshot and a change: computed without forcing */
	cr_assert_eq(store_kpi_snapshot_put(s, "board", time(NULL) - KPI_SNAPSHOT_AGE, 0, "x", 1,
					    &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(kpi_snapshot_load(&k, s, NULL, &err), IRK_NOTFOUND);   /* "x" is no snapshot */
	cr_assert_eq(kpi_snapshot_keep(s, NULL, NOW + 3, 0, &made, &err), IRK_OK);
	cr_expect_eq(made, 1);
	cr_assert_eq(kpi_snapshot_load(&k, s, NULL, &err), IRK_OK);
	cr_expect_eq(k.now, NOW + 3);
	kpi_snapshot_free(&k);
}

/* Other SLA targets or business hours in irk.conf: the figures of the
 * stored snapshot are not theirs, so one is computed though the audit log
 * did not move, and each configuration reads its own. */
Test(kpi, snapshot_of_other_sla_settings_is_computed_again)
{
	struct config *cfg = config_new();
	struct kpi_snapshot k;
	struct irk_err err = { 0 };
	int made;

	cr_assert_eq(kpi_snapshot_keep(s, NULL, NOW, 0, &made, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(made, 1);
	cr_assert_eq(kpi_snapshot_keep(s, cfg, NOW, 0, &made, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(made, 0);        /* the defaults: the same snapshot */
	cr_assert_eq(config_set(cfg, "sla.business_hours", "Mon-Fri 08:00-18:00", &err), IRK_OK);
	cr_assert_eq(config_set(cfg, "sla.zone", "UTC", &err), IRK_OK);
	cr_expect_eq(kpi_snapshot_load(&k, s, cfg, &err), IRK_NOTFOUND);
	cr_assert_eq(kpi_snapshot_keep(s, cfg, NOW, 0, &made, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(made, 1);
	/* B's ack and C's resolve are met or running in business hours
	 * (kpi.sla_in_business_hours): one breach in the week report, not 3 */
	cr_assert_eq(kpi_snapshot_load(&k, s, cfg, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(kpi_sla_breached(&k.week.all.sla), 1);
	kpi_snapshot_free(&k);
	cr_assert_eq(kpi_snapshot_load(&k, s, NULL, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(kpi_sla_breached(&k.week.all.sla), 3);
	kpi_snapshot_free(&k);
	config_free(&cfg);
}
