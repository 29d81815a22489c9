/* test_watch.c: state changes of followed incidents become messages
 * (src/xmpp/watch.c) on a real sqlite file: to those who run irk watch
 * and those [xmpp] watch_pN names, never to the one who made the change,
 * once each (a second round queues nothing), with the commands that
 * apply; the first round starts at the newest event. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/tmpstore.h"
#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/config.h"
#include "irk/incident.h"
#include "irk/model.h"
#include "irk/store.h"
#include "irk/watch.h"

static struct store *s;
static struct config *cfg;
static const struct actor dana = { "dana", ROLE_ANALYST };
static const struct actor sam = { "sam", ROLE_SENIOR };

static void init(void)
{
	struct irk_err err = { 0 };

	irk_clock_set(1700000100);
	s = tmp_store("watch.db");
	cfg = config_new();
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "dana", ROLE_ANALYST, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "sam", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "ben", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
}

static void fini(void)
{
	config_free(&cfg);
	store_close(&s);
	tmp_cleanup();
}

TestSuite(watch, .init = init, .fini = fini);

static int64_t open_one(int priority)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	inc.title = xstrdup("Beacon");
	inc.severity = SEV_HIGH;
	inc.priority = priority;
	inc.confidence = 50;
	inc.t_detected = inc.t_first_event = inc.t_last_event = 1700000000;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(incident_open(s, "ingest", &inc, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	int64_t id = inc.id;
	incident_clear(&inc);
	return id;
}

static int add_row(const struct outbox_row *o, void *arg)
{
	strbuf_printf(arg, "%s|%s\n", o->recipient, o->text);
	return 0;
}

/* The outbox, oldest first, one "to|text" a line. */
static char *outbox(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct irk_err err = { 0 };
	cr_assert_eq(store_outbox_due(s, 0, 1LL << 40, 0, add_row, &sb, &err), IRK_OK);
	return strbuf_detach(&sb);
}

static int round_(void)
{
	struct irk_err err = { 0 };
	int q = -1;
	cr_assert_eq(watch_round(s, cfg, irk_now(), 0, &q, &err), IRK_OK, "%s", err.msg);
	return q;
}

Test(watch, followers_hear_of_changes_once)
{
	struct irk_err err = { 0 };
	int64_t id = open_one(3);

	cr_assert_eq(round_(), 0, "the first round starts at the newest event");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_watch_set(s, "ben", "ben", id, 1, &err), IRK_OK);
	cr_assert_eq(store_watch_set(s, "dana", "dana", id, 1, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(incident_claim(s, &dana, id, 0, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(incident_move(s, &dana, id, STAGE_IDENTIFICATION, NULL, 0, 0, &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_eq(round_(), 2, "ben hears of both; dana did them");
	char *got = outbox();
	cr_assert_str_eq(got, "ben|IR-1 claimed by dana\n"
			 "ben|IR-1 moved to identification by dana\n");
	free(got);
	cr_assert_eq(round_(), 0, "nothing twice");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_watch_set(s, "ben", "ben", id, 0, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(incident_takeover(s, &sam, id, 0, "dana is away", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(round_(), 1, "dana still follows it; ben no longer");
	got = outbox();
	cr_assert(strstr(got, "dana|IR-1 claimed by sam, taken over from dana\n"), "%s", got);
	free(got);
}

Test(watch, by_priority_from_the_config)
{
	struct irk_err err = { 0 };

	cr_assert_eq(config_set(cfg, "xmpp.watch_p1", "role:senior, room", &err), IRK_OK, "%s",
		     err.msg);
	int64_t p1 = open_one(1), p3 = open_one(3);
	cr_assert_eq(round_(), 0);
	cr_assert_eq(incident_claim(s, &dana, p1, 0, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(incident_claim(s, &dana, p3, 0, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(round_(), 2, "the P1 only, to both");
	char *got = outbox();
	cr_assert_str_eq(got, "role:senior|IR-1 claimed by dana\nroom|IR-1 claimed by dana\n");
	free(got);
}

/* The one who made the change is not told through a role of theirs
 * either (trial, session 9: a senior moving a P1 heard of it through
 * watch_p1 = role:senior): the role becomes its other users with a JID. */
Test(watch, not_told_through_their_role)
{
	struct irk_err err = { 0 };

	cr_assert_eq(config_set(cfg, "xmpp.watch_p1", "role:senior room", &err), IRK_OK, "%s",
		     err.msg);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "sam", "sam@localhost", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_user_set_jid(s, "root", "ben", "ben@localhost", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_user_put(s, "root", "ada", ROLE_ADMIN, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	int64_t p1 = open_one(1);
	cr_assert_eq(round_(), 0);
	cr_assert_eq(incident_claim(s, &sam, p1, 0, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(round_(), 2, "ben and the room; not sam, not ada (no JID)");
	char *got = outbox();
	cr_assert_str_eq(got, "ben|IR-1 claimed by sam\nroom|IR-1 claimed by sam\n");
	free(got);
}

/* The texts name the commands that apply, and nothing from outside
 * reaches them unsanitized. */
Test(watch, texts_hint_the_commands)
{
	struct strbuf sb = STRBUF_INIT;
	struct event_row e = { .seq = 9, .incident_id = 7, .actor = "engine", .kind = "step.waiting",
			       .data = "{\"step\":\"decide\",\"kind\":\"approval\"}" };

	cr_assert_eq(watch_text(&e, &sb), 1);
	cr_assert_str_eq(strbuf_str(&sb), "IR-7 needs an approval: decide - reply 'approve IR-7 "
			 "decide' or 'deny IR-7 decide <reason>'");
	strbuf_reset(&sb);
	e.kind = "step.failed";
	e.data = "{\"step\":\"isolate\",\"kind\":\"exec\",\"why\":\"exit 1\\u001b[2J\"}";
	cr_assert_eq(watch_text(&e, &sb), 1);
	cr_assert(!strchr(strbuf_str(&sb), '\033'), "%s", strbuf_str(&sb));
	cr_assert(strstr(strbuf_str(&sb), "IR-7: step isolate failed: exit 1"), "%s", strbuf_str(&sb));
	cr_assert(strstr(strbuf_str(&sb), "reply 'retry IR-7 isolate' or 'skip IR-7 isolate <reason>'"));
	strbuf_reset(&sb);
	e.kind = "step.waiting";
	e.data = "{\"step\":\"look\",\"kind\":\"manual\"}";
	cr_assert_eq(watch_text(&e, &sb), 0, "a manual step waiting is no state change to tell");
	e.kind = "incident.note";
	cr_assert_eq(watch_text(&e, &sb), 0);
	strbuf_free(&sb);
}

/* A followed incident past its acknowledge target: told once per clock. */
Test(watch, sla_breach_told_once)
{
	struct irk_err err = { 0 };
	int64_t id = open_one(1);
	int q = -1;

	cr_assert_eq(round_(), 0);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_watch_set(s, "ben", "ben", id, 1, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(watch_round(s, cfg, 1700000000 + 600, 1, &q, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(q, 0, "P1 ack target is 15 minutes: not yet");
	cr_assert_eq(watch_round(s, cfg, 1700000000 + 3600, 1, &q, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(q, 1);
	cr_assert_eq(watch_round(s, cfg, 1700000000 + 3700, 1, &q, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(q, 0, "once");
	char *got = outbox();
	cr_assert(!strncmp(got, "ben|IR-1: SLA breached (", 24), "%s", got);
	free(got);
}
