/* test_context_tickets.c: the ticket sources' shared parts (src/context/
 * tickets.c, their keys in context.c) on a real database file: words
 * that cannot break out of TicketSQL or JQL, the dates of RT and Jira,
 * the change window and the planned change, the cache's form of an
 * incident's tickets read back by context_of, the rt and jira sections
 * checked, and a ticket step's write refused before any request when
 * its source cannot take it. The requests themselves are tested against
 * a real RT and a loopback Jira (tests/e2e/context_rt.sh, context_jira.sh). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/clock.h"
#include "irk/context.h"
#include "irk/incident.h"
#include "irk/store.h"
#include "../../src/context/context_impl.h"
#include "helpers/tmpstore.h"

static struct store *s;

static void setup(void)
{
	irk_clock_set(1796680000);
	s = tmp_store("tickets.db");
}

static void teardown(void)
{
	store_close(&s);
	tmp_cleanup();
	irk_clock_set(0);
}

TestSuite(tickets, .init = setup, .fini = teardown);

Test(tickets, a_word_from_an_alert_cannot_leave_its_quoted_string)
{
	struct strbuf q = STRBUF_INIT;

	ticket_term("web-01' OR Queue != 'x\" OR text ~ \"\\\x1b[2J", &q);
	cr_assert_str_eq(strbuf_str(&q), "web-01 OR Queue != x OR text ~ [2J");
	strbuf_free(&q);
}

Test(tickets, dates_of_rt_and_jira)
{
	int64_t t;

	irk_time_parse("2024-05-13T09:00:00Z", &t);
	cr_assert_eq(ticket_time("2024-05-13T09:00:00Z"), t);
	cr_assert_eq(ticket_time("2024-05-13T11:00:00.000+0200"), t, "Jira's offset");
	cr_assert_eq(ticket_time("2024-05-13"), t - 9 * 3600, "Jira's duedate is a day");
	cr_assert_eq(ticket_time("1970-01-01T00:00:00Z"), 0, "RT's not set");
	cr_assert_eq(ticket_time(NULL), 0);
	cr_assert_eq(ticket_time("soon"), 0);
}

Test(tickets, a_change_covers_its_window_and_a_day_without_an_end)
{
	struct context_ticket c = { .start = 1000, .end = 5000 };

	cr_assert(context_change_covers(&c, 1000));
	cr_assert(context_change_covers(&c, 5000));
	cr_assert_not(context_change_covers(&c, 5001));
	cr_assert_not(context_change_covers(&c, 999));
	c.end = 0;
	cr_assert(context_change_covers(&c, 1000 + 24 * 3600));
	cr_assert_not(context_change_covers(&c, 1001 + 24 * 3600));
	c.start = 0;
	cr_assert_not(context_change_covers(&c, 1000), "no window covers nothing");
}

Test(tickets, changes_near_the_first_event_or_now_are_kept)
{
	struct context_source src = { .change_window = 7 * 86400 };
	int64_t at = 1715594462, now = irk_now();
	struct context_ticket before = { .start = at - 8 * 86400, .end = at - 8 * 86400 + 3600 };
	struct context_ticket week = { .start = at - 6 * 86400, .end = at - 6 * 86400 + 3600 };
	struct context_ticket upcoming = { .start = now + 3 * 86400 };
	struct context_ticket later = { .start = now + 9 * 86400 };
	struct context_ticket unknown = { 0 };

	cr_assert_not(ticket_change_near(&src, &before, at, now));
	cr_assert(ticket_change_near(&src, &week, at, now));
	cr_assert(ticket_change_near(&src, &upcoming, at, now));
	cr_assert_not(ticket_change_near(&src, &later, at, now));
	cr_assert(ticket_change_near(&src, &unknown, at, now), "without a window: shown");
}

/* An incident on web-01 whose first event is at. */
static int64_t incident(int64_t at)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };
	int64_t id;

	inc.title = xstrdup("beacon");
	inc.summary = xstrdup("");
	inc.host = xstrdup("web-01");
	inc.t_first_event = at;
	inc.t_detected = at;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(incident_open(s, "ana", &inc, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	id = inc.id;
	incident_clear(&inc);
	return id;
}

Test(tickets, the_covering_change_comes_first_and_makes_it_planned)
{
	struct ticket_list tickets = { 0 }, changes = { 0 };
	struct strbuf js = STRBUF_INIT;
	struct irk_err err = { 0 };
	struct incident inc;
	struct context c;
	int64_t at = 1715594462, id = incident(at);
	char key[48], k[24];

	ticket_list_add(&tickets, "#7", "web-01 disk", "open", "https://rt/Ticket/Display.html?id=7");
	ticket_list_add(&changes, "#9", "Reboot web-01", "resolved", NULL)->start = at - 2 * 86400;
	struct context_ticket *cov = ticket_list_add(&changes, "#8", "Patch web-01", "open", NULL);
	cov->start = at - 3600;
	cov->end = at + 3600;
	tickets_cache_json(&tickets, &changes, &js);
	snprintf(key, sizeof key, "incident:%s", incident_key(id, k, sizeof k));
	cr_assert_eq(store_context_put(s, "rt", key, strbuf_str(&js), irk_now(), irk_now() + 60, &err),
		     IRK_OK, "%s", err.msg);
	cr_assert_eq(store_incident_get(s, id, &inc, &err), IRK_OK);
	cr_assert_eq(context_of(s, NULL, &inc, &c, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(c.ntickets, 1);
	cr_assert_str_eq(c.tickets[0].url, "https://rt/Ticket/Display.html?id=7");
	cr_assert_str_eq(c.tickets[0].source, "rt");
	cr_assert_eq(c.tickets[0].fetched, irk_now());
	cr_assert_eq(c.nchanges, 2);
	cr_assert(c.planned);
	cr_assert_str_eq(c.changes[0].key, "#8");
	cr_assert_eq(c.changes[0].end, at + 3600);
	context_clear(&c);
	incident_clear(&inc);
	ticket_list_clear(&tickets);
	ticket_list_clear(&changes);
	strbuf_free(&js);
}

Test(tickets, rt_and_jira_sections_are_checked)
{
	struct config *cfg = config_new();
	struct context_sources *srcs;
	struct irk_err err = { 0 };

	config_set(cfg, "context.rt.type", "rt", NULL);
	config_set(cfg, "context.rt.url", "https://rt.example", NULL);
	config_set(cfg, "context.rt.user", "irk", NULL);
	config_set(cfg, "context.rt.changes", "Changes", NULL);
	config_set(cfg, "context.rt.change_window", "3d", NULL);
	config_set(cfg, "context.j.type", "jira", NULL);
	config_set(cfg, "context.j.url", "https://example.atlassian.net", NULL);
	config_set(cfg, "context.j.api", "datacenter", NULL);
	config_set(cfg, "context.j.start_field", "customfield_10060", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(srcs->v[0].change_window, 3 * 86400);
	cr_assert_str_eq(srcs->v[1].api, "datacenter");
	cr_assert_eq(srcs->v[1].change_window, 7 * 86400);
	context_sources_free(&srcs);
	config_set(cfg, "context.rt.start_field", "Starts", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "'start_field' is not a key of a rt source"), "%s", err.msg);
	context_sources_free(&srcs);
	config_free(&cfg);
	cfg = config_new();
	config_set(cfg, "context.j.type", "jira", NULL);
	config_set(cfg, "context.j.url", "https://example.atlassian.net", NULL);
	config_set(cfg, "context.j.api", "server", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "api: 'server' is not cloud or datacenter"), "%s", err.msg);
	context_sources_free(&srcs);
	config_free(&cfg);
}

Test(tickets, a_write_its_source_cannot_take_is_refused_before_any_request)
{
	struct config *cfg = config_new();
	struct context_sources *srcs;
	struct context_ticket t;
	struct irk_err err = { 0 };

	config_set(cfg, "context.nb.type", "netbox", NULL);
	config_set(cfg, "context.nb.url", "http://127.0.0.1:9", NULL);
	config_set(cfg, "context.rt.type", "rt", NULL);
	config_set(cfg, "context.rt.url", "http://127.0.0.1:9", NULL);
	cr_assert_eq(context_sources_load(cfg, &srcs, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(context_ticket_write(srcs, &(struct context_ticket_req){ .source = "jira",
		.subject = "x" }, &t, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "no ticket source [context.jira]"), "%s", err.msg);
	cr_assert_eq(context_ticket_write(srcs, &(struct context_ticket_req){ .source = "nb",
		.subject = "x" }, &t, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "is a netbox source"), "%s", err.msg);
	cr_assert_eq(context_ticket_write(srcs, &(struct context_ticket_req){ .source = "rt",
		.subject = "x" }, &t, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "no queue to create the ticket in"), "%s", err.msg);
	cr_assert_eq(context_ticket_write(srcs, &(struct context_ticket_req){ .source = "rt",
		.ticket = "12; rm", .text = "x" }, &t, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "is not an RT ticket number"), "%s", err.msg);
	context_ticket_clear(&t);
	context_sources_free(&srcs);
	config_free(&cfg);
}
