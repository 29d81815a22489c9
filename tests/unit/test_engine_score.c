/* test_engine_score.c: the score step: the confidence model part by part,
 * the score from a prepared alert history stored on the incident (priority
 * recomputed), and DESIGN.md's duplicate-system-process example through the
 * engine: a high score runs the `when: score >= 70` step, a low one skips
 * it. */
#include "engine_testlib.h"
#include "irk/clock.h"
#include "irk/engine.h"
#include "irk/incident.h"
#include "irk/model.h"
#include "irk/play.h"

static struct store *s;

static void setup(void)
{
	irk_clock_set(1715594400);
	s = tmp_store("score.db");
}

static void teardown(void)
{
	store_close(&s);
	tmp_cleanup();
}

TestSuite(score, .init = setup, .fini = teardown, .timeout = 30);

Test(score, model_parts)
{
	struct score_input in = { .severity = SEV_HIGH };
	struct score_parts p;

	run_score_compute(&in, &p);
	cr_assert_eq(p.total, 40);
	in.asset_criticality = 4;
	in.host_alerts = 4;
	in.peer_hosts = 1;
	in.other_hosts = 2;
	run_score_compute(&in, &p);
	cr_assert_eq(p.criticality, 20);
	cr_assert_eq(p.repeat, 9);
	cr_assert_eq(p.peers, 10);
	cr_assert_eq(p.spread, 4);
	cr_assert_eq(p.total, 83);
	/* Caps: a noisy rule on many hosts cannot pass 100. */
	in.severity = SEV_CRITICAL;
	in.host_alerts = 1000;
	in.peer_hosts = 50;
	in.other_hosts = 50;
	run_score_compute(&in, &p);
	cr_assert_eq(p.repeat, 15);
	cr_assert_eq(p.peers, 25);
	cr_assert_eq(p.spread, 10);
	cr_assert_eq(p.total, 100);
	/* A rule that is always dismissed loses 40. */
	in = (struct score_input){ .severity = SEV_LOW, .asset_criticality = 1, .closed = 4,
		.dismissed = 4 };
	run_score_compute(&in, &p);
	cr_assert_eq(p.dismissed, -40);
	cr_assert_eq(p.total, 0);
	in.dismissed = 1;
	in.severity = SEV_MEDIUM;
	run_score_compute(&in, &p);
	cr_assert_eq(p.dismissed, -10);
	cr_assert_eq(p.total, 5);
}

/* An incident of rule on host (source address src, may be NULL), with
 * alerts, at t (closed with res when res is given). */
static int64_t history_from(const char *rule, const char *host, const char *src, int alerts,
			    int64_t t, int res)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };
	int64_t id;

	inc.title = xstrdup(rule);
	inc.rule = xstrdup(rule);
	inc.host = xstrdup(host);
	inc.src_ip = src ? xstrdup(src) : NULL;
	inc.severity = SEV_HIGH;
	inc.confidence = 20;
	inc.asset_criticality = 2;
	inc.priority = priority_compute(inc.severity, inc.asset_criticality, inc.confidence);
	inc.alert_count = alerts;
	inc.t_first_event = inc.t_last_event = inc.t_detected = t;
	inc.stage = res ? STAGE_CLOSED : STAGE_NEW;
	inc.resolution = res;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_incident_insert(s, &inc, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	id = inc.id;
	incident_clear(&inc);
	return id;
}

static int64_t history(const char *rule, const char *host, int alerts, int64_t t, int res)
{
	return history_from(rule, host, NULL, alerts, t, res);
}

static void run_on(int64_t id, struct run_result *r)
{
	struct step_row st = { .kind = "score", .step_id = "history", .incident_id = id,
		.def = "{\"window\": \"7d\"}" };
	struct run_env env = { .s = s, .step = &st, .cancel_fd = -1 };

	run_result_init(r);
	run_step(&env, r);
}

Test(score, from_the_alert_history_onto_the_incident)
{
	int64_t now = irk_now(), id;
	struct run_result r;
	struct incident inc;
	json_t *out, *f;

	id = history("DupProc", "web-01", 3, now, 0);
	history("DupProc", "web-02", 1, now - 3600, 0);
	history("DupProc", "web-03", 2, now - 86400, 0);
	history("DupProc", "db-01", 1, now - 7200, 0);
	history("DupProc", "web-09", 1, now - 30 * 86400, 0);          /* outside the window */
	history("OtherRule", "web-04", 9, now, 0);                     /* another rule */
	history("DupProc", "app-01", 1, now - 20 * 86400, RES_FALSE_POSITIVE);
	history("DupProc", "app-02", 1, now - 40 * 86400, RES_TRUE_POSITIVE);
	cr_assert_eq(store_incident_get(s, id, &inc, NULL), IRK_OK);
	cr_assert_eq(inc.priority, 3);
	incident_clear(&inc);

	run_on(id, &r);
	cr_assert_eq(r.status, RUN_DONE, "%s", r.why);
	out = testlib_json(r.output.buf);
	f = json_object_get(out, "factors");
	cr_assert_eq(json_integer_value(json_object_get(f, "severity")), 40);
	cr_assert_eq(json_integer_value(json_object_get(f, "criticality")), 0);
	cr_assert_eq(json_integer_value(json_object_get(f, "repeat")), 6);
	cr_assert_eq(json_integer_value(json_object_get(f, "peers")), 20, "web-02 and web-03");
	cr_assert_eq(json_integer_value(json_object_get(f, "spread")), 2, "db-01");
	cr_assert_eq(json_integer_value(json_object_get(f, "dismissed")), -20, "1 of 2 closed");
	cr_assert_eq(json_integer_value(json_object_get(out, "score")), 48);
	cr_assert_str_eq(json_string_value(json_object_get(out, "group")), "web");
	json_decref(out);
	run_result_free(&r);

	/* Stored, priority recomputed, audited as the engine. */
	cr_assert_eq(store_incident_get(s, id, &inc, NULL), IRK_OK);
	cr_assert_eq(inc.confidence, 48);
	cr_assert_eq(inc.priority, 2);
	cr_assert_str_eq(inc.updated_by, "engine");
	incident_clear(&inc);
}

/* A Suricata alert without a sensor name gives its incident the far side
 * as host (the destination address): for traffic from our 10.1.2.3 to a
 * C2 server that is the server. The score is about our host, as asset.host
 * is: the internal address, and its history is that address's whatever
 * servers it talked to. */
Test(score, an_address_host_is_scored_as_the_internal_side)
{
	int64_t now = irk_now(), id;
	struct run_result r;
	json_t *out, *f;

	id = history_from("C2Beacon", "203.0.113.9", "10.1.2.3", 2, now, 0);
	history_from("C2Beacon", "198.51.100.7", "10.1.2.3", 2, now - 3600, 0);
	history_from("C2Beacon", "198.51.100.8", "10.1.2.3", 1, now - 7200, 0);
	/* Inbound: the destination is ours. */
	history_from("C2Beacon", "10.1.2.4", "192.0.2.50", 1, now - 600, 0);
	history_from("C2Beacon", "web-07", NULL, 1, now - 900, 0);

	run_on(id, &r);
	cr_assert_eq(r.status, RUN_DONE, "%s", r.why);
	out = testlib_json(r.output.buf);
	f = json_object_get(out, "factors");
	cr_assert_str_eq(json_string_value(json_object_get(out, "host")), "10.1.2.3",
			 "scored the far side: %s", r.output.buf);
	cr_assert_eq(json_integer_value(json_object_get(out, "host_alerts")), 5,
		     "the alerts of 10.1.2.3 whatever the server: %s", r.output.buf);
	cr_assert_eq(json_integer_value(json_object_get(f, "repeat")), 12);
	cr_assert_eq(json_integer_value(json_object_get(out, "peer_hosts")), 0,
		     "an address has no group, so no peers: 10.1.2.4 is not one for being near");
	cr_assert_eq(json_integer_value(json_object_get(out, "other_hosts")), 2,
		     "10.1.2.4 and web-07; the servers are no hosts of ours: %s", r.output.buf);
	json_decref(out);
	run_result_free(&r);
}

Test(score, needs_a_rule)
{
	struct run_result r;
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	inc.title = xstrdup("manual");
	inc.t_detected = irk_now();
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_incident_insert(s, &inc, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	run_on(inc.id, &r);
	cr_assert_eq(r.status, RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert_str_eq(r.why, "the incident has no rule: nothing to score from");
	incident_clear(&inc);
	run_result_free(&r);
}

/* DESIGN.md "Plays": the duplicate system process example. */
static const char dup_play[] =
	"{\"play\": \"duplicate-process\", \"name\": \"Duplicate system process\", \"version\": 1,"
	" \"match\": \"rule == 'RaiseSystemProcessDuplicate'\", \"severity\": \"high\", \"steps\": ["
	" {\"id\": \"history\", \"stage\": \"new\", \"kind\": \"score\", \"title\": \"History\"},"
	" {\"id\": \"sampling\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Sample\","
	"  \"argv\": [\"echo\", \"sampling {{asset.group}} at {{score}}\"], \"when\": \"score >= 70\"},"
	" {\"id\": \"tell\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": \"role:senior\","
	"  \"needs\": [\"history\"],"
	"  \"text\": \"{{incident.key}}: duplicate process on {{alert.host}}, score {{score}}\"}]}";

static int64_t open_dup(const char *host)
{
	struct alert a = { .format = FMT_ECS, .rule_id = "RaiseSystemProcessDuplicate", .rule_name = "Duplicate lsass.exe",
		.severity = SEV_HIGH, .host = host, .event_time = irk_now() };

	return testlib_open_play(s, dup_play, &a, 5);
}

static int state_of(const struct step_row *r, void *arg)
{
	*(int *)arg = r->state;
	return 0;
}

static char *output_copy;
static int output_of(const struct step_row *r, void *arg)
{
	(void)arg;
	output_copy = strdup(r->output ? r->output : "");
	return 0;
}

/* Run the engine until step sid of id is final; its state. */
static int run_until_final(int64_t id, const char *sid)
{
	struct config *cfg = config_new();
	struct irk_err err = { 0 };
	char *db = tmp_path("score.db");
	struct engine *e;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int state = -1;

	cr_assert_eq(config_set(cfg, "engine.poll", "50ms", NULL), IRK_OK);
	e = engine_start(db, cfg, &err);
	cr_assert_not_null(e, "%s", err.msg);
	for (int i = 0; i < 500; i++) {
		cr_assert_eq(store_step_get(s, id, sid, 0, state_of, &state, NULL), IRK_OK);
		if (state == STEP_DONE || state == STEP_SKIPPED || state == STEP_FAILED)
			break;
		nanosleep(&ts, NULL);   /* polling with a deadline */
	}
	engine_stop(&e);
	config_free(&cfg);
	free(db);
	return state;
}

Test(score, high_score_raises_sampling_and_tells_a_senior)
{
	int64_t id, now;

	irk_clock_set(0);
	now = irk_now();
	for (int i = 2; i <= 4; i++) {
		char host[16];
		snprintf(host, sizeof host, "web-%02d", i);
		history("RaiseSystemProcessDuplicate", host, 2, now - 600, 0);
	}
	id = open_dup("web-01");
	cr_assert_eq(run_until_final(id, "sampling"), STEP_DONE);
	cr_assert_eq(run_until_final(id, "tell"), STEP_DONE);
	cr_assert_eq(store_step_get(s, id, "sampling", 0, output_of, NULL, NULL), IRK_OK);
	/* 40 severity + 12 repeat (5 alerts) + 25 peers (3 hosts of web). */
	cr_assert_str_eq(output_copy, "{\"stdout\":\"sampling web at 77\"}");
	free(output_copy);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM outbox WHERE text LIKE "
				  "'IR-4: duplicate process on web-01, score 77'"), 1);
}

Test(score, low_score_skips_sampling)
{
	int64_t id, now;
	int state = -1;

	irk_clock_set(0);
	now = irk_now();
	history("RaiseSystemProcessDuplicate", "app-01", 1, now - 86400, RES_FALSE_POSITIVE);
	history("RaiseSystemProcessDuplicate", "app-02", 1, now - 86400, RES_BENIGN);
	id = open_dup("db-01");
	cr_assert_eq(run_until_final(id, "sampling"), STEP_SKIPPED);
	cr_assert_eq(store_step_get(s, id, "history", 0, state_of, &state, NULL), IRK_OK);
	cr_assert_eq(state, STEP_DONE);
}
