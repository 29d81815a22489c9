/* test_context.c: the context service (src/context/, src/store/context.c)
 * on a real database file: the inventory's import (CSV and JSON, bad
 * records named and kept, re-import in place), an incident's context from
 * the inventory and the cache (TTL), feeding the incident (priority
 * recomputed, audited), the rate limiter's windows, and NetBox's answers
 * read against the recorded samples of ../shared/samples/apis when that
 * folder exists. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/context.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/store.h"
#include "../../src/context/context_impl.h"
#include "helpers/tmpstore.h"

static struct store *s;

static void setup(void)
{
	irk_clock_set(1796680000);
	s = tmp_store("context.db");
}

static void teardown(void)
{
	store_close(&s);
	tmp_cleanup();
	irk_clock_set(0);
}

TestSuite(context, .init = setup, .fini = teardown);

struct notes {
	struct strbuf all;
};

static void collect(enum asset_note kind, const char *msg, void *arg)
{
	struct notes *n = arg;

	strbuf_printf(&n->all, "%d %s\n", kind, msg);
}

static int import_text(const char *name, const char *text, struct asset_import_stats *st,
		       struct notes *n)
{
	char *path = tmp_write(name, text, strlen(text), 0600);
	struct irk_err err = { 0 };
	int rc = asset_import(s, "ana", path, collect, n, st, &err);

	free(path);
	return rc;
}

#define HEADER "host,ips,owner,business_unit,criticality,role,site,os,tags,contact\n"

Test(context, csv_import_stores_every_field_and_names_bad_rows)
{
	struct notes n = { STRBUF_INIT };
	struct asset_import_stats st;
	struct asset a;

	cr_assert_eq(import_text("a.csv", HEADER
		"web-01,172.16.1.11 10.0.0.5,ana,web,4,webserver,fra1,Debian 12,\"dmz prod\",\"Web, team\"\n"
		"bad-ip,not-an-ip,x,y,3,,,,,\n"
		"\n"
		"bad-crit,10.0.0.9,x,y,7,,,,,\n"
		"ws-1,10.1.1.1,bo,finance,low,,,,,\n", &st, &n), IRK_OK);
	cr_assert_eq(st.read, 4);
	cr_assert_eq(st.added, 2);
	cr_assert_eq(st.rejected, 2);
	cr_assert(strstr(n.all.buf, "a.csv:3: column 2 (ips): 'not-an-ip' is not an IP address"), "%s", n.all.buf);
	cr_assert(strstr(n.all.buf, "a.csv:5: column 5 (criticality): '7'"), "%s", n.all.buf);
	/* Nothing lost: both kept in the quarantine with their line. */
	cr_assert_eq(store_quarantine_count(s), 2);
	cr_assert_eq(store_asset_get(s, "WEB-01", &a, NULL), IRK_OK);   /* any case */
	cr_assert_str_eq(a.ips, "172.16.1.11 10.0.0.5");
	cr_assert_str_eq(a.contact, "Web, team");
	cr_assert_str_eq(a.tags, "dmz prod");
	cr_assert_eq(a.criticality, 4);
	cr_assert_str_eq(a.source, "inventory");
	asset_clear(&a);
	cr_assert_eq(store_asset_by_ip(s, "10.0.0.5", &a, NULL), IRK_OK);
	cr_assert_str_eq(a.host, "web-01");
	asset_clear(&a);
	cr_assert_eq(store_asset_get(s, "ws-1", &a, NULL), IRK_OK);
	cr_assert_eq(a.criticality, 1);
	asset_clear(&a);
	strbuf_free(&n.all);
}

Test(context, reimport_updates_in_place_and_says_what_changed)
{
	struct notes n = { STRBUF_INIT };
	struct asset_import_stats st;
	struct asset a;

	import_text("a.csv", HEADER "web-01,10.0.0.5,ana,web,3,,,,,\nws-1,10.1.1.1,bo,,,,,,,\n", &st, &n);
	strbuf_reset(&n.all);
	cr_assert_eq(import_text("b.csv", "host,owner,criticality,ips\nweb-01,ben,4,10.0.0.6\n"
				 "ws-1,bo,,10.1.1.1\n", &st, &n), IRK_OK);
	/* Columns the file does not have keep their values: ws-1 as it was. */
	cr_assert_eq(st.updated, 1, "%s", n.all.buf);
	cr_assert_eq(st.unchanged, 1, "%s", n.all.buf);
	cr_assert(strstr(n.all.buf, "updated web-01: ips '10.0.0.5' -> '10.0.0.6', owner 'ana' -> 'ben', "
			 "criticality 3 -> 4"), "%s", n.all.buf);
	cr_assert_eq(store_asset_count(s), 2);
	/* The old address no longer finds it; the new one does. */
	cr_assert_eq(store_asset_by_ip(s, "10.0.0.5", &a, NULL), IRK_NOTFOUND);
	cr_assert_eq(store_asset_by_ip(s, "10.0.0.6", &a, NULL), IRK_OK);
	asset_clear(&a);
	strbuf_reset(&n.all);
	import_text("b.csv", "host,owner,criticality,ips\nweb-01,ben,4,10.0.0.6\n", &st, &n);
	cr_assert_eq(st.unchanged, 1);
	cr_assert_eq(st.updated, 0);
	strbuf_free(&n.all);
}

Test(context, json_import_takes_arrays_and_refuses_unknown_keys)
{
	struct notes n = { STRBUF_INIT };
	struct asset_import_stats st;
	struct asset a;

	cr_assert_eq(import_text("a.json", "[{\"host\":\"db-01\",\"ips\":[\"10.6.0.20\"],"
				 "\"criticality\":\"critical\",\"tags\":[\"pci\",\"prod\"]},\n"
				 " {\"host\":\"x\",\"critcality\":3},\n"
				 " {\"owner\":\"nobody\"}]", &st, &n), IRK_OK);
	cr_assert_eq(st.added, 1);
	cr_assert_eq(st.rejected, 2);
	cr_assert(strstr(n.all.buf, "a.json:2: field 'critcality': not an asset field"), "%s", n.all.buf);
	cr_assert(strstr(n.all.buf, "a.json:3: field 'host': missing"), "%s", n.all.buf);
	cr_assert_eq(store_asset_get(s, "db-01", &a, NULL), IRK_OK);
	cr_assert_eq(a.criticality, 4);
	cr_assert_str_eq(a.tags, "pci prod");
	asset_clear(&a);
	strbuf_free(&n.all);
}

Test(context, a_file_without_a_known_header_is_refused_as_a_whole)
{
	struct asset_import_stats st;
	char *path = tmp_write("c.csv", "host,colour\nweb-01,red\n", 23, 0600);
	struct irk_err err = { 0 };

	cr_assert_eq(asset_import(s, "ana", path, NULL, NULL, &st, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "c.csv:1: column 2: 'colour' is not an asset field"), "%s", err.msg);
	cr_assert_eq(store_asset_count(s), 0);
	free(path);
}

static int64_t open_incident(const char *host, int severity, int confidence)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	inc.title = xstrdup("test");
	inc.summary = xstrdup("");
	inc.host = xstrdup(host);
	inc.severity = severity;
	inc.confidence = confidence;
	inc.t_detected = irk_now();
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(incident_open(s, "ana", &inc, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	int64_t id = inc.id;
	incident_clear(&inc);
	return id;
}

static int last_event(const struct event_row *e, void *arg)
{
	struct strbuf *sb = arg;

	strbuf_reset(sb);
	strbuf_printf(sb, "%s %s %s", e->actor, e->kind, e->data);
	return 0;
}

Test(context, criticality_from_the_inventory_sets_the_priority_and_is_audited)
{
	struct asset_import_stats st;
	struct notes n = { STRBUF_INIT };
	struct incident inc;
	struct context c;
	struct strbuf ev = STRBUF_INIT;
	int changed;
	int64_t id;

	import_text("a.csv", HEADER "dc-01,10.50.0.11,ops,it-ops,4,dc,fra1,,,\n", &st, &n);
	id = open_incident("dc-01", SEV_MEDIUM, 50);
	cr_assert_eq(store_incident_get(s, id, &inc, NULL), IRK_OK);
	int before = inc.priority;
	cr_assert_eq(context_of(s, NULL, &inc, &c, NULL), IRK_OK);
	cr_assert(c.has_asset);
	cr_assert_str_eq(c.asset.owner, "ops");
	cr_assert_eq(context_apply(s, id, &c, &changed, NULL), IRK_OK);
	cr_assert(changed);
	incident_clear(&inc);
	cr_assert_eq(store_incident_get(s, id, &inc, NULL), IRK_OK);
	cr_assert_eq(inc.asset_criticality, 4);
	cr_assert_str_eq(inc.business_unit, "it-ops");
	cr_assert_eq(inc.priority, priority_compute(SEV_MEDIUM, 4, 50));
	cr_assert_lt(inc.priority, before);
	/* Its address became an observable, saying where it came from. */
	cr_assert_eq(store_observable_count(s, id, OBS_IP), 1);
	audit_each(s, id, 0, last_event, &ev, NULL);
	cr_assert(strstr(ev.buf, "incident.context"), "%s", ev.buf);
	cr_assert(strstr(ev.buf, "\"source\":\"inventory\""), "%s", ev.buf);
	/* Again: nothing changes, no event. */
	cr_assert_eq(context_apply(s, id, &c, &changed, NULL), IRK_OK);
	cr_assert_not(changed);
	context_clear(&c);
	incident_clear(&inc);
	strbuf_free(&ev);
	strbuf_free(&n.all);
}

Test(context, a_person_s_value_is_never_overridden)
{
	struct asset_import_stats st;
	struct notes n = { STRBUF_INIT };
	struct incident inc;
	struct context c;
	struct actor who = { "ana", ROLE_ADMIN };
	char *set[] = { "asset_criticality=1", "business_unit=sales" };
	int changed;
	int64_t id;

	import_text("a.csv", HEADER "dc-01,,ops,it-ops,4,,,,,\n", &st, &n);
	id = open_incident("dc-01", SEV_HIGH, 50);
	cr_assert_eq(incident_set(s, &who, id, set, 2, 0, NULL), IRK_OK);
	cr_assert_eq(store_incident_get(s, id, &inc, NULL), IRK_OK);
	context_of(s, NULL, &inc, &c, NULL);
	cr_assert_eq(context_apply(s, id, &c, &changed, NULL), IRK_OK);
	cr_assert_not(changed);
	context_clear(&c);
	incident_clear(&inc);
	strbuf_free(&n.all);
}

Test(context, cached_answers_are_read_with_their_age_and_ttl)
{
	struct incident inc = { 0 };
	struct context c;
	struct irk_err err = { 0 };
	struct config *cfg = config_new();
	struct context_sources *srcs;

	cr_assert_eq(config_set(cfg, "context.nb.type", "netbox", &err), IRK_OK);
	cr_assert_eq(config_set(cfg, "context.nb.url", "http://127.0.0.1:9/", &err), IRK_OK);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_OK, "%s", err.msg);
	store_begin(s, NULL);
	cr_assert_eq(store_context_put(s, "nb", "web-09", "{\"host\":\"web-09\",\"owner\":\"kim\","
				       "\"criticality\":3,\"source\":\"nb\",\"fetched\":1}",
				       irk_now() - 100, irk_now() + 10, NULL), IRK_OK);
	store_commit(s, NULL);
	inc.host = "web-09";
	cr_assert_eq(context_of(s, srcs, &inc, &c, NULL), IRK_OK);
	cr_assert(c.has_asset);
	cr_assert_str_eq(c.asset.source, "nb");
	cr_assert_eq(c.asset.fetched, irk_now() - 100);
	cr_assert_not(c.stale);
	context_clear(&c);
	irk_clock_set(irk_now() + 11);
	cr_assert_eq(context_of(s, srcs, &inc, &c, NULL), IRK_OK);
	cr_assert(c.stale);
	cr_assert_str_eq(c.asset.owner, "kim");      /* still shown */
	context_clear(&c);
	context_sources_free(&srcs);
	config_free(&cfg);
}

Test(context, a_failing_source_is_shown_since_its_first_failure)
{
	struct incident inc = { 0 };
	struct context c;
	struct strbuf sb = STRBUF_INIT;

	store_begin(s, NULL);
	store_context_health_put(s, "nb", "timeout", 1000, 1030, NULL);
	store_context_health_put(s, "nb", "connection refused", 1100, 1160, NULL);
	store_commit(s, NULL);
	inc.host = "h";
	struct config *cfg = config_new();
	struct context_sources *srcs;
	config_set(cfg, "context.nb.type", "netbox", NULL);
	config_set(cfg, "context.nb.url", "http://127.0.0.1:9/", NULL);
	context_sources_load(cfg, &srcs, NULL);
	context_of(s, srcs, &inc, &c, NULL);
	cr_assert_eq(c.nerrors, 1);
	cr_assert_eq(c.errors[0].since, 1000);
	cr_assert_str_eq(c.errors[0].error, "connection refused");
	context_error_text(&c.errors[0], 0, &sb);
	cr_assert(strstr(sb.buf, "nb unreachable since "), "%s", sb.buf);
	cr_assert(strstr(sb.buf, "(connection refused)"), "%s", sb.buf);
	context_clear(&c);
	/* An answer clears it. */
	store_begin(s, NULL);
	store_context_health_put(s, "nb", NULL, 1200, 0, NULL);
	store_commit(s, NULL);
	context_of(s, srcs, &inc, &c, NULL);
	cr_assert_eq(c.nerrors, 0);
	context_clear(&c);
	context_sources_free(&srcs);
	config_free(&cfg);
	strbuf_free(&sb);
}

Test(context, source_sections_are_checked)
{
	struct config *cfg = config_new();
	struct context_sources *srcs;
	struct irk_err err = { 0 };

	config_set(cfg, "context.cmdb.type", "http", NULL);
	config_set(cfg, "context.cmdb.url", "https://cmdb.example/api/hosts/{key}", NULL);
	config_set(cfg, "context.cmdb.map.owner", "data.owner", NULL);
	config_set(cfg, "context.cmdb.rate", "120/min,5000/day", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(context_sources_count(srcs), 1);
	cr_assert_eq(srcs->v[0].rate.nwin, 2);
	cr_assert_eq(srcs->v[0].ttl, 3600);
	context_sources_free(&srcs);
	config_set(cfg, "context.cmdb.criticality_field", "tier", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "'criticality_field' is not a key of a http source"), "%s", err.msg);
	context_sources_free(&srcs);
	config_free(&cfg);
	cfg = config_new();
	config_set(cfg, "context.nb.type", "netbox", NULL);
	config_set(cfg, "context.nb.url", "https://nb.example", NULL);
	config_set(cfg, "context.nb.rate", "ten/min", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "rate: 'ten/min' is not COUNT/UNIT"), "%s", err.msg);
	context_sources_free(&srcs);
	config_free(&cfg);
}

Test(context, rate_windows_make_calls_wait_not_fail)
{
	struct rate r;
	char why[100];

	cr_assert_eq(rate_parse(&r, "3/s,5/min", why, sizeof why), 0);
	cr_assert_eq(rate_take(&r, 0), 0);
	cr_assert_eq(rate_take(&r, 10), 0);
	cr_assert_eq(rate_take(&r, 20), 0);
	/* The fourth in the same second waits until the first leaves it. */
	cr_assert_eq(rate_take(&r, 30), 970);
	cr_assert_eq(rate_take(&r, 1000), 0);
	cr_assert_eq(rate_take(&r, 1010), 0);
	/* Five in the minute: the sixth waits for the minute window. */
	cr_assert_eq(rate_take(&r, 2000), 58000);
	cr_assert_eq(rate_take(&r, 60000), 0);
	/* A server's Retry-After holds every call. */
	rate_hold(&r, 90000);
	cr_assert_eq(rate_take(&r, 61000), 29000);
	rate_free(&r);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

/* ../shared beside the main checkout; a worktree's is two levels up. */
static char *sample(const char *name)
{
	static const char *const dirs[] = { "../shared/samples/apis/", "../../shared/samples/apis/" };
	char path[512];
	char *text = NULL;

	for (size_t i = 0; i < 2 && !text; i++) {
		snprintf(path, sizeof path, "%s%s", dirs[i], name);
		text = slurp(path);
	}
	return text;
}

/* Conformance: NetBox's recorded answers (when the folder is there; never
 * copied into the project). */
Test(context, netbox_device_list_as_recorded)
{
	char *text = sample("netbox_pynetbox_fixture_dcim_devices.json");
	struct jdoc d;
	struct jdoc_error je;
	struct asset a;

	if (!text)
		cr_skip_test("no ../shared/samples/apis");
	jdoc_init(&d);
	cr_assert_eq(jdoc_parse(&d, text, strlen(text), &je), 0);
	int first = jdoc_first(&d, jdoc_get(&d, 0, "results"));
	cr_assert_eq(netbox_asset_from(NULL, &d, first, &a), 0);
	cr_assert_str_eq(a.host, "test1-core1");
	cr_assert_str_eq(a.ips, "10.0.254.1");
	cr_assert_str_eq(a.role, "Core Switch");
	cr_assert_str_eq(a.site, "TEST1");
	cr_assert_str_eq(a.os, "Juniper Junos");
	cr_assert_null(a.business_unit);          /* tenant null */
	cr_assert_eq(a.criticality, 0);
	asset_clear(&a);
	jdoc_free(&d);
	free(text);
}

Test(context, netbox_custom_fields_and_tenant_map_to_the_asset)
{
	const char *obj = "{\"id\":7,\"name\":\"fin-erp-01\",\"role\":{\"name\":\"ERP\"},"
		"\"tenant\":{\"id\":2,\"name\":\"finance\"},\"site\":{\"name\":\"FRA1\"},"
		"\"platform\":null,\"primary_ip4\":{\"address\":\"10.10.9.10/24\"},"
		"\"primary_ip6\":{\"address\":\"2001:db8::10/64\"},\"primary_ip\":{\"address\":\"10.10.9.10/24\"},"
		"\"tags\":[{\"name\":\"pci\",\"slug\":\"pci\"},{\"name\":\"sox\"}],"
		"\"custom_fields\":{\"tier\":\"critical\",\"system_owner\":\"a.weber\"}}";
	struct context_source src = { 0 };
	struct jdoc d;
	struct jdoc_error je;
	struct asset a;

	src.crit_field = "tier";
	src.owner_field = "system_owner";
	jdoc_init(&d);
	cr_assert_eq(jdoc_parse(&d, obj, strlen(obj), &je), 0);
	cr_assert_eq(netbox_asset_from(&src, &d, 0, &a), 0);
	cr_assert_str_eq(a.business_unit, "finance");
	cr_assert_eq(a.criticality, 4);
	cr_assert_str_eq(a.owner, "a.weber");
	cr_assert_str_eq(a.ips, "10.10.9.10 2001:db8::10");
	cr_assert_str_eq(a.tags, "pci sox");
	asset_clear(&a);
	jdoc_free(&d);
}

Test(context, asset_json_round_trips_through_the_cache_form)
{
	struct asset a = { 0 }, b;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	char why[100];

	asset_field_set(&a, asset_field_find("host"), "web-01", why, sizeof why);
	asset_field_set(&a, asset_field_find("ips"), "10.0.0.1 10.0.0.2", why, sizeof why);
	asset_field_set(&a, asset_field_find("owner"), "a\x1b[31mb", why, sizeof why);
	asset_field_set(&a, asset_field_find("criticality"), "3", why, sizeof why);
	a.source = xstrdup("nb");
	a.fetched = 42;
	jsonw_init(&w, &sb, 0);
	jsonw_obj_begin(&w);
	asset_json(&w, &a);
	jsonw_obj_end(&w);
	cr_assert(strstr(sb.buf, "\"ips\":[\"10.0.0.1\",\"10.0.0.2\"]"), "%s", sb.buf);
	cr_assert(strstr(sb.buf, "\\u001b"), "%s", sb.buf);   /* escaped, inert */
	cr_assert_eq(asset_from_json(sb.buf, &b), 0);
	cr_assert_str_eq(b.owner, "a\x1b[31mb");
	cr_assert_str_eq(b.ips, "10.0.0.1 10.0.0.2");
	cr_assert_eq(b.criticality, 3);
	cr_assert_eq(b.fetched, 42);
	asset_clear(&a);
	asset_clear(&b);
	strbuf_free(&sb);
}

Test(context, a_user_source_is_checked_and_its_person_read_from_the_cache)
{
	struct config *cfg = config_new();
	struct context_sources *srcs;
	struct context_user u = { .name = "j.doe", .email = "j.doe@example.com",
		.department = "Fin\x1b]0;x\x07", .source = "hr", .fetched = 1796680000 };
	struct context c = { 0 };
	struct strbuf js = STRBUF_INIT;
	struct irk_err err = { 0 };
	struct jsonw w;

	config_set(cfg, "context.hr.type", "http", NULL);
	config_set(cfg, "context.hr.object", "user", NULL);
	config_set(cfg, "context.hr.url", "https://hr.example/users/{key}", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "a user source needs map.FIELD keys"), "%s", err.msg);
	context_sources_free(&srcs);
	config_set(cfg, "context.hr.map.department", "org.name", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_OK, "%s", err.msg);
	cr_assert(srcs->v[0].is_user);
	cr_assert_str_eq(srcs->v[0].umap[context_user_field_find("department")], "org.name");

	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	context_user_json_members(&w, &u);
	jsonw_obj_end(&w);
	cr_assert_eq(store_context_put(s, "hr", "user:j.doe", strbuf_str(&js), irk_now(), irk_now() + 60,
				       &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(context_user_of(s, srcs, "j.doe", &c, &err), IRK_OK, "%s", err.msg);
	cr_assert(c.has_user);
	cr_assert_str_eq(c.user.department, "Fin\x1b]0;x\x07", "kept exact; sanitized when shown");
	cr_assert_str_eq(c.user.email, "j.doe@example.com");
	cr_assert_null(c.user.title);
	cr_assert_str_eq(c.user.source, "hr");
	context_clear(&c);
	cr_assert_eq(context_user_of(s, srcs, "nobody", &c, &err), IRK_OK);
	cr_assert_not(c.has_user);
	context_clear(&c);
	strbuf_free(&js);
	context_sources_free(&srcs);
	config_free(&cfg);
}
