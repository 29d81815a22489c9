/* test_storm.c: storm grouping (src/ingest/storm.c) through the real
 * ingest pipeline on real files and databases: the threshold and the
 * window at their edges, a storm's hosts as observables past the cap,
 * its title kept current, grouping off, a play's storm key, a later alert
 * of a storm's host, and splitting a host out. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/incident.h"
#include "irk/ingest.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "irk/storm.h"
#include "helpers/tmpstore.h"

static struct store *s;
static struct ingest_opts o;
static const struct actor dana = { "dana", ROLE_ANALYST };

/* 2025-11-03T08:00:00Z: alert times are seconds after it. */
#define T0 1762156800

static void setup(void)
{
	irk_clock_set(1762160000);
	s = tmp_store("storm.db");
	ingest_opts_init(&o);
	o.actor = "tester";
	o.errout = NULL;
	o.storm.on = 1;
	o.storm.threshold = 3;
	o.storm.window = 600;
}

static void teardown(void)
{
	store_close(&s);
	tmp_cleanup();
}

TestSuite(storm, .init = setup, .fini = teardown);

/* An EVE alert of rule sid from internal host 10.0.H/250.H%250+1 to an
 * outside address, at T0 + secs; flow makes it a record of its own. */
static void line(struct strbuf *out, int sid, int host, int secs, int flow)
{
	char ts[32];
	time_t t = (time_t)(T0 + secs);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	strbuf_printf(out, "{\"timestamp\":\"%s\",\"flow_id\":%d,\"event_type\":\"alert\","
		      "\"src_ip\":\"10.0.%d.%d\",\"dest_ip\":\"203.0.113.%d\",\"alert\":"
		      "{\"signature_id\":%d,\"signature\":\"Scan %d\",\"severity\":2}}\n",
		      ts, flow, host / 250, host % 250 + 1, flow % 250 + 1, sid, sid);
}

static void ingest(const struct strbuf *data, struct ingest_stats *st)
{
	static int n;
	struct irk_err err = { 0 };
	char name[32], *path;

	snprintf(name, sizeof name, "in%d.json", n++);
	path = tmp_write(name, data->buf, data->len, 0600);
	memset(st, 0, sizeof *st);
	cr_assert_eq(ingest_path(s, path, &o, st, &err), IRK_OK, "ingest: %s", err.msg);
	free(path);
}

static int64_t q(const char *sql)
{
	return store_scalar(s, sql);
}

static char *title_of(int64_t id)
{
	struct incident inc;
	struct irk_err err = { 0 };
	char *t;

	cr_assert_eq(store_incident_get(s, id, &inc, &err), IRK_OK, "%s", err.msg);
	t = strdup(inc.title);
	incident_clear(&inc);
	return t;
}

Test(storm, titles)
{
	struct strbuf sb = STRBUF_INIT;
	size_t base;
	int64_t n;

	storm_title(&sb, "ET SCAN Potential SSH Scan", 19874);
	cr_assert_str_eq(strbuf_str(&sb), "ET SCAN Potential SSH Scan on 19,874 hosts");
	cr_assert(storm_title_parse(strbuf_str(&sb), &base, &n));
	cr_assert_eq(base, strlen("ET SCAN Potential SSH Scan"));
	cr_assert_eq(n, 19874);
	strbuf_reset(&sb);
	storm_title(&sb, "Worm on the move", 1);
	cr_assert_str_eq(strbuf_str(&sb), "Worm on the move on 1 host");
	cr_assert(storm_title_parse(strbuf_str(&sb), &base, &n));
	cr_assert_eq(n, 1);
	cr_assert_eq(base, strlen("Worm on the move"));
	strbuf_reset(&sb);
	storm_title(&sb, "x", 1000000);
	cr_assert_str_eq(strbuf_str(&sb), "x on 1,000,000 hosts");
	/* A title someone wrote is theirs. */
	cr_assert_not(storm_title_parse("Scan of the web farm", &base, &n));
	cr_assert_not(storm_title_parse("seen on hosts", &base, &n));
	cr_assert_not(storm_title_parse("on 12 hosts", &base, &n));
	strbuf_free(&sb);
}

/* Threshold 3: three hosts open their own incidents, the fourth opens the
 * storm, which folds the three (nobody touched them), and the rest join
 * it; each host is one of its observables. */
Test(storm, the_alert_past_the_threshold_opens_the_storm)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	for (int h = 0; h < 10; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 4);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 0"), 3);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE stage <> 'closed'"), 1);
	cr_assert_eq(q("SELECT id FROM incidents WHERE storm = 1"), 4);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 4"), 10);
	cr_assert_eq(q("SELECT sum(alert_count) FROM incidents"), 10);
	cr_assert_eq(q("SELECT count(*) FROM alerts WHERE incident_id = 4"), 10);
	cr_assert_eq(q("SELECT count(*) FROM observables WHERE incident_id = 4 AND type = 'host'"), 10);
	char *t = title_of(4);
	cr_assert_str_eq(t, "Scan 7 on 10 hosts");
	free(t);
	/* Another rule is counted on its own. */
	strbuf_reset(&in);
	for (int h = 0; h < 3; h++)
		line(&in, 8, h, 20 + h, 100 + h);
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 3);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 1"), 1);
	strbuf_free(&in);
}

/* The incidents counted are those whose first event lies within the
 * window of the alert: at exactly storm_window the third still counts. */
Test(storm, window_edges)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	line(&in, 7, 0, 0, 1);
	line(&in, 7, 1, 1, 2);
	line(&in, 7, 2, 2, 3);
	line(&in, 7, 3, 601, 4);   /* the first is out: two in the window */
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 4);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 1"), 0);
	strbuf_reset(&in);
	line(&in, 7, 4, 601, 5);   /* the second, the third and 601: three */
	ingest(&in, &st);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 1"), 1);
	cr_assert_eq(q("SELECT count(*) FROM incidents"), 5);
	strbuf_free(&in);
}

Test(storm, exactly_at_the_window)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	line(&in, 7, 0, 0, 1);
	line(&in, 7, 1, 1, 2);
	line(&in, 7, 2, 2, 3);
	line(&in, 7, 3, 600, 4);   /* t - window = 0: all three count */
	ingest(&in, &st);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 1"), 1);
	cr_assert_eq(st.incidents, 4);
	strbuf_free(&in);
}

/* Alerts of last week read in late are not the storm's, nor counted with
 * today's incidents: they open incidents of their own as they did then. */
Test(storm, alerts_read_in_late_are_not_the_storm)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	for (int h = 0; h < 6; h++)
		line(&in, 7, h, 7 * 86400 + h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(q("SELECT id FROM incidents WHERE storm = 1"), 4);
	strbuf_reset(&in);
	for (int h = 100; h < 103; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 3);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 4"), 6);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE id > 4 AND stage = 'new'"), 3);
	/* A fourth of that week is one too many: the rule has one open
	 * storm, and it takes the alert, and the three of that week
	 * nobody touched. */
	strbuf_reset(&in);
	line(&in, 7, 103, 103, 200);
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 0);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 4"), 10);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE stage <> 'closed'"), 1);
	strbuf_free(&in);
}

/* Off: today's behaviour, one incident per host. */
Test(storm, off_opens_one_incident_per_host)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	o.storm.on = 0;
	for (int h = 0; h < 300; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 300);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 1"), 0);
	strbuf_free(&in);
}

/* A storm keeps every host, past the cap other observables have, and its
 * title counts them batch after batch. */
Test(storm, every_host_past_the_cap_and_the_title_follows)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;
	char *t;

	o.batch = 50;
	for (int h = 0; h < 500; h++)
		line(&in, 7, h, h / 2, h + 1);
	line(&in, 7, 42, 300, 9999);   /* a host seen before: no new host */
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 4);
	cr_assert_eq(q("SELECT count(*) FROM observables WHERE incident_id = 4 AND type = 'host'"), 500);
	cr_assert_gt(INGEST_MAX_OBS_PER_TYPE, 0);
	cr_assert_leq(q("SELECT count(*) FROM observables WHERE incident_id = 4 AND type = 'ip'"),
		      INGEST_MAX_OBS_PER_TYPE);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 4"), 501);
	t = title_of(4);
	cr_assert_str_eq(t, "Scan 7 on 500 hosts");
	free(t);
	strbuf_free(&in);
}

/* A storm gone quiet still takes the alerts of its hosts; a new host then
 * opens an incident of its own while the rule is calm. */
Test(storm, a_quiet_storm_takes_its_hosts)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	for (int h = 0; h < 6; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(q("SELECT id FROM incidents WHERE storm = 1"), 4);
	strbuf_reset(&in);
	line(&in, 7, 77, 7200, 51);    /* a host never seen */
	line(&in, 7, 4, 7201, 50);     /* host 4 was in the storm */
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 1);
	cr_assert_eq(q("SELECT incident_id FROM alerts WHERE src_ip = '10.0.0.5' ORDER BY id DESC LIMIT 1"), 4);
	cr_assert_neq(q("SELECT incident_id FROM alerts WHERE src_ip = '10.0.0.78'"), 4);
	strbuf_free(&in);
}

/* A play's storm key: a threshold of its own, or off. */
static struct play *play_of(const char *storm)
{
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	char src[512];

	snprintf(src, sizeof src, "{\"play\": \"scan\", \"name\": \"Scans\", \"version\": 1,"
		 " \"match\": \"rule == '7'\", %s \"steps\": [{\"id\": \"look\", \"stage\": "
		 "\"identification\", \"kind\": \"manual\", \"title\": \"Look\"}]}", storm);
	play_parse("scan.json", src, strlen(src), &p, &d);
	cr_assert_not_null(p, "%s", d.n ? d.v[0].msg : "?");
	play_diags_free(&d);
	return p;
}

static int64_t storms_after(const char *storm, int on)
{
	struct play_catalog cat = { 0 };
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	cat.v = xmalloc(sizeof *cat.v);
	cat.v[0] = play_of(storm);
	cat.n = 1;
	o.storm.on = on;
	o.storm_of = play_storm_of;
	o.hook_arg = &cat;
	for (int h = 0; h < 8; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	strbuf_free(&in);
	play_catalog_free(&cat);    /* its plays and its match cache */
	return st.incidents;
}

Test(storm, a_play_sets_its_own_threshold)
{
	cr_assert_eq(storms_after("\"storm\": 1,", 1), 2);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 1"), 1);
}

Test(storm, a_play_turns_it_off)
{
	cr_assert_eq(storms_after("\"storm\": false,", 1), 8);
}

Test(storm, a_play_turns_it_on_where_irk_conf_has_it_off)
{
	cr_assert_eq(storms_after("\"storm\": \"on\",", 0), 4);
}

Test(storm, a_play_without_the_key_leaves_it_to_irk_conf)
{
	cr_assert_eq(storms_after("", 1), 4);
}

Test(storm, the_play_key_is_linted)
{
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	const char *src = "{\"play\": \"scan\", \"name\": \"S\", \"version\": 1, \"match\": \"true\","
			  " \"storm\": \"sometimes\", \"steps\": [{\"id\": \"look\", \"stage\": "
			  "\"identification\", \"kind\": \"manual\", \"title\": \"Look\"}]}";

	cr_assert_neq(play_parse("scan.json", src, strlen(src), &p, &d), IRK_OK);
	cr_assert_null(p);
	cr_assert_gt(d.n, 0);
	cr_assert(strstr(d.v[0].msg, "storm must be true, false"), "%s", d.v[0].msg);
	play_diags_free(&d);
}

struct events { int split; char data[256]; };

static int split_events(const struct event_row *e, void *arg)
{
	struct events *ev = arg;

	if (!strcmp(e->kind, "incident.split")) {
		ev->split++;
		snprintf(ev->data, sizeof ev->data, "%s", e->data);
	}
	return 0;
}

/* Split: the host's alerts move to a new incident, the storm loses the
 * host, audited; the host's later alerts go to the new incident. */
Test(storm, split_a_host_out)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;
	struct irk_err err = { 0 };
	struct events ev = { 0 };
	int64_t id = 0;
	char *t;

	for (int h = 0; h < 8; h++)
		line(&in, 7, h, h, h + 1);
	line(&in, 7, 5, 20, 100);      /* host 5 (10.0.0.6) twice */
	ingest(&in, &st);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 4"), 9);
	int64_t version = q("SELECT version FROM incidents WHERE id = 4");
	cr_assert_eq(storm_split(s, &dana, 4, "10.0.0.6", NULL, NULL, &id, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(id, 5);
	cr_assert_eq(q("SELECT count(*) FROM alerts WHERE incident_id = 5"), 2);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 5"), 2);
	cr_assert_eq(q("SELECT storm FROM incidents WHERE id = 5"), 0);
	cr_assert_eq(q("SELECT count(*) FROM observables WHERE incident_id = 5 AND type = 'host' "
		       "AND value = '10.0.0.6'"), 1);
	cr_assert_eq(q("SELECT count(*) FROM observables WHERE incident_id = 4 AND value = '10.0.0.6' "
		       "AND type = 'host'"), 0);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 4"), 7);
	cr_assert_eq(q("SELECT version FROM incidents WHERE id = 4"), version + 1);
	t = title_of(4);
	cr_assert_str_eq(t, "Scan 7 on 7 hosts");
	free(t);
	cr_assert_eq(audit_each(s, 4, 0, split_events, &ev, &err), IRK_OK);
	cr_assert_eq(ev.split, 1);
	cr_assert(strstr(ev.data, "\"to\":\"IR-5\"") && strstr(ev.data, "\"alerts\":2"), "%s", ev.data);
	{
		struct audit_result ar;
		cr_assert_eq(audit_verify(s, &ar, &err), IRK_OK, "%s", err.msg);
		cr_assert_eq(ar.bad_seq, 0);
	}
	/* Later: the host's alert joins its own incident, the others the storm. */
	strbuf_reset(&in);
	line(&in, 7, 5, 30, 200);
	line(&in, 7, 6, 31, 201);
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 0);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 5"), 3);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 4"), 8);
	strbuf_free(&in);
}

Test(storm, split_is_refused_where_it_makes_no_sense)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;
	struct irk_err err = { 0 };
	int64_t id = 0;

	for (int h = 0; h < 5; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(storm_split(s, &dana, 1, "10.0.0.1", NULL, NULL, &id, &err), IRK_REFUSED);
	cr_assert_str_eq(err.msg, "IR-1 is not an open storm incident: only a storm's hosts can "
			 "be split out");
	cr_assert_eq(storm_split(s, &dana, 4, "10.9.9.9", NULL, NULL, &id, &err), IRK_NOTFOUND);
	cr_assert_str_eq(err.msg, "IR-4 has no alert of host '10.9.9.9'");
	cr_assert_eq(storm_split(s, &dana, 4, "", NULL, NULL, &id, &err), IRK_INVALID);
	cr_assert_eq(id, 0);
	cr_assert_eq(q("SELECT count(*) FROM incidents"), 4);
	cr_assert_not(store_in_tx(s));
	strbuf_free(&in);
}

static int collect(int64_t id, void *arg)
{
	int64_t *ids = arg;

	if (ids[0] < 7)
		ids[++ids[0]] = id;
	return 0;
}

/* A storm's hosts stay out of the value index (each was a second random
 * index write of a storm's alert) and are found by value all the same; a
 * plain incident's observables through the index. */
Test(storm, hosts_are_found_by_value_without_the_value_index)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;
	struct irk_err err = { 0 };
	int64_t ids[8] = { 0 };

	for (int h = 0; h < 10; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(q("SELECT count(*) FROM observables WHERE incident_id = 4 AND type = 'host' "
		       "AND source = 'storm'"), 10);
	cr_assert_eq(q("SELECT count(*) FROM observables INDEXED BY observables_value "
		       "WHERE value = '10.0.0.9' AND source <> 'storm' AND type = 'host'"), 0);
	cr_assert_eq(store_incident_observed(s, "10.0.0.9", collect, ids, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(ids[0], 1);
	cr_assert_eq(ids[1], 4);
	ids[0] = 0;
	cr_assert_eq(store_incident_observed(s, "203.0.113.2", collect, ids, &err), IRK_OK, "%s", err.msg);
	cr_assert_geq(ids[0], 1, "a destination address, through the index");
	/* Merged into a plain incident, the hosts are plain observables again. */
	{
		static const struct actor sam = { "sam", ROLE_SENIOR };
		struct incident inc = { 0 };
		inc.title = xstrdup("Scan review");
		inc.severity = SEV_HIGH;
		cr_assert_eq(incident_create(s, &sam, &inc, NULL, &err), IRK_OK, "%s", err.msg);
		cr_assert_eq(incident_merge(s, &sam, 4, inc.id, &err), IRK_OK, "%s", err.msg);
		ids[0] = 0;
		cr_assert_eq(store_incident_observed(s, "10.0.0.9", collect, ids, &err), IRK_OK);
		cr_assert_eq(ids[0], 1);
		cr_assert_eq(ids[1], inc.id);
		incident_clear(&inc);
	}
	strbuf_free(&in);
}

/* The case: 20,000 alerts of one rule from distinct hosts within
 * ten minutes end up in at most five incidents (threshold 4), with every
 * host an observable of its incident. */
Test(storm, twenty_thousand_hosts_in_five_incidents, .timeout = 120)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	o.storm.threshold = 4;
	for (int h = 0; h < 20000; h++)
		line(&in, 7, h, h * 599 / 20000, h + 1);
	ingest(&in, &st);
	cr_assert_eq(st.added, 20000);
	cr_assert_eq(q("SELECT count(*) FROM incidents"), 5);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE stage <> 'closed'"), 1);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 1"), 1);
	cr_assert_eq(q("SELECT count(DISTINCT src_ip) FROM alerts"), 20000);
	cr_assert_eq(q("SELECT count(*) FROM observables o JOIN incidents i ON i.id = o.incident_id "
		       "WHERE o.type = 'host' AND i.storm = 1"), 20000);
	cr_assert_eq(q("SELECT count(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM incidents i "
		       "WHERE i.id = a.incident_id AND (i.host = a.src_ip OR EXISTS (SELECT 1 FROM "
		       "observables o WHERE o.incident_id = i.id AND o.type = 'host' "
		       "AND o.value = a.src_ip)))"), 0, "every host is its incident's");
	char *t = title_of(q("SELECT id FROM incidents WHERE storm = 1"));
	cr_assert_str_eq(t, "Scan 7 on 20,000 hosts");
	free(t);
	strbuf_free(&in);
}

static int closes(const struct event_row *e, void *arg)
{
	struct events *ev = arg;

	if (!strcmp(e->kind, "incident.close")) {
		ev->split++;
		snprintf(ev->data, sizeof ev->data, "%s", e->data);
	}
	return 0;
}

/* The fold takes only what nobody touched: a claimed, a noted, a moved
 * incident and one split out of a storm stay on the board with their
 * alerts; the untouched close as the storm's duplicates, saying so. */
Test(storm, the_storm_folds_only_what_nobody_touched)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;
	struct irk_err err = { 0 };
	struct events ev = { 0 };
	int64_t id = 0;

	o.storm.threshold = 5;
	for (int h = 0; h < 5; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE stage = 'new'"), 5);
	cr_assert_eq(incident_claim(s, &dana, 1, 0, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(incident_note(s, &dana, 2, "mine", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(incident_move(s, &dana, 3, STAGE_IDENTIFICATION, NULL, 0, 0, &err), IRK_OK, "%s", err.msg);
	/* The storm: 5 more hosts; 4 and 5 fold, 1 to 3 stay. */
	strbuf_reset(&in);
	for (int h = 5; h < 10; h++)
		line(&in, 7, h, h, h + 1);
	ingest(&in, &st);
	cr_assert_eq(st.incidents, 1);
	cr_assert_eq(q("SELECT id FROM incidents WHERE storm = 1"), 6);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE stage <> 'closed'"), 4,
		     "the storm and the three touched");
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE id IN (4, 5) AND stage = 'closed' "
		       "AND resolution = 'duplicate' AND alert_count = 0"), 2);
	cr_assert_eq(q("SELECT count(*) FROM alerts WHERE incident_id IN (1, 2, 3)"), 3);
	cr_assert_eq(q("SELECT count(*) FROM alerts WHERE incident_id = 6"), 7);
	cr_assert_eq(q("SELECT alert_count FROM incidents WHERE id = 6"), 7);
	cr_assert_eq(q("SELECT count(*) FROM observables WHERE incident_id = 6 AND type = 'host' "
		       "AND value IN ('10.0.0.4', '10.0.0.5')"), 2);
	cr_assert_eq(q("SELECT count(*) FROM links WHERE b = 6 AND kind = 'duplicate'"), 2);
	cr_assert_eq(q("SELECT count(*) FROM stage_history WHERE incident_id = 5 AND "
		       "to_stage = 'closed' AND reason = 'folded into the storm IR-6'"), 1);
	cr_assert_eq(audit_each(s, 4, 0, closes, &ev, &err), IRK_OK);
	cr_assert_eq(ev.split, 1);
	cr_assert(strstr(ev.data, "\"resolution\":\"duplicate\"") &&
		  strstr(ev.data, "folded into the storm IR-6"), "%s", ev.data);
	{
		char *t = title_of(6);
		cr_assert_str_eq(t, "Scan 7 on 7 hosts");
		free(t);
	}
	/* A host split out of the storm is a person's doing: a later storm
	 * of the rule (this one closed) leaves it. */
	cr_assert_eq(storm_split(s, &dana, 6, "10.0.0.5", NULL, NULL, &id, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(incident_close(s, &dana, 6, RES_FALSE_POSITIVE, NULL, 0, 0, &err), IRK_OK,
		     "%s", err.msg);
	strbuf_reset(&in);
	for (int h = 20; h < 24; h++)
		line(&in, 7, h, h, h + 100);
	ingest(&in, &st);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE storm = 1 AND stage <> 'closed'"), 1);
	cr_assert_eq(q("SELECT count(*) FROM incidents WHERE id = 7 AND stage = 'new'"), 1,
		     "the split-out incident stays");
	{
		struct audit_result ar;
		cr_assert_eq(audit_verify(s, &ar, &err), IRK_OK, "%s", err.msg);
		cr_assert_eq(ar.bad_seq, 0);
	}
	strbuf_free(&in);
}
