/* test_chat.c: commands from chat (src/xmpp/chat.c) on a real sqlite
 * file: the JID names the user, the command line's rules decide (roles,
 * the two-person rule, gates, the holder), strangers and replays change
 * nothing and hear nothing, the room only reads, the rate limit, and the
 * audit event of every command. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/tmpplay.h"
#include "helpers/tmpstore.h"
#include "irk/audit.h"
#include "irk/chat.h"
#include "irk/incident.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"

static struct store *s;
static struct chat *ch;
static struct strbuf reply = STRBUF_INIT;
static const int64_t T0 = 1800000000;

#define BOB "bob@corp.example"       /* senior */
#define ALICE "alice@corp.example"   /* senior */
#define CAROL "carol@corp.example"   /* analyst */
#define DAVE "dave@corp.example"     /* senior */

static void init(void)
{
	struct irk_err err = { 0 };

	s = tmp_store("chat.db");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "alice", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "bob", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "carol", ROLE_ANALYST, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "dave", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "alice", ALICE, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_user_set_jid(s, "root", "bob", BOB, &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "carol", CAROL, &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "dave", DAVE, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	ch = chat_open(s, NULL, &err);
	cr_assert_not_null(ch, "%s", err.msg);
}

static void fini(void)
{
	chat_close(ch);
	strbuf_free(&reply);
	store_close(&s);
	tmp_cleanup();
}

TestSuite(chat, .init = init, .fini = fini);

/* The seed's play: a look at the host, then a decision by a senior, then
 * the isolation it allows; a required step keeps the incident in
 * containment. */
static const char play_src[] =
	"{\"play\": \"dup\", \"name\": \"Dup\", \"version\": 1, \"match\": \"rule == 'x'\",\n"
	" \"steps\": [\n"
	"  {\"id\": \"look\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Look\"},\n"
	"  {\"id\": \"decide\", \"stage\": \"new\", \"kind\": \"approval\",\n"
	"   \"title\": \"Decide further mitigation\", \"role\": \"senior\", \"needs\": [\"look\"]},\n"
	"  {\"id\": \"isolate\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Isolate\",\n"
	"   \"argv\": [\"/bin/true\"], \"needs\": [\"decide\"]},\n"
	"  {\"id\": \"contain\", \"stage\": \"containment\", \"kind\": \"manual\",\n"
	"   \"title\": \"Confirm containment\", \"required\": true}]}\n";

/* An incident running the play at priority prio; asker looked, which
 * asks for the decision. */
static int64_t incident_p(const char *asker, const char *title, int prio)
{
	int64_t id = tmp_play_incident(s, play_src, asker, title, prio, "web-01");
	struct actor who = { "", ROLE_ANALYST };
	struct irk_err err = { 0 };

	irk_strlcpy(who.name, asker, sizeof who.name);
	who.role = store_user_role(s, asker);
	cr_assert_eq(play_step_done(s, &who, id, "look", NULL, 0, &err), IRK_OK, "%s", err.msg);
	return id;
}

static int64_t incident(const char *asker, const char *title)
{
	return incident_p(asker, title, 3);
}

static int state_of(const struct step_row *r, void *arg)
{
	*(int *)arg = r->state;
	return 0;
}

static int step_state(int64_t id, const char *step)
{
	int st = -1;

	cr_assert_eq(store_step_get(s, id, step, 0, state_of, &st, NULL), IRK_OK);
	return st;
}

/* Send body as from; the answer (or NULL for silence). */
static const char *say(const char *from, const char *body, int room, int delayed, int64_t now)
{
	strbuf_reset(&reply);
	if (!chat_handle(ch, from, body, room, delayed, now, &reply)) {
		cr_assert_eq(reply.len, 0, "silent but wrote '%s'", strbuf_str(&reply));
		return NULL;
	}
	cr_assert(reply.len > 0);
	if (getenv("CHAT_SHOW"))
		fprintf(stderr, "%s> %s\n%s\n\n", from, body, strbuf_str(&reply));
	return strbuf_str(&reply);
}

static const char *dm(const char *from, const char *body)
{
	return say(from, body, 0, 0, T0);
}

/* Rows written on this connection so far: nothing written means this
 * did not move. */
static int64_t writes(void)
{
	return store_scalar(s, "SELECT total_changes()");
}

struct last_event {
	char kind[64], actor[64], data[1024];
	int64_t incident, n;
};

static int last_row(const struct event_row *e, void *arg)
{
	struct last_event *l = arg;

	if (strcmp(e->kind, "chat.command"))
		return 0;
	l->n++;
	irk_strlcpy(l->kind, e->kind, sizeof l->kind);
	irk_strlcpy(l->actor, e->actor, sizeof l->actor);
	irk_strlcpy(l->data, e->data, sizeof l->data);
	l->incident = e->incident_id;
	return 0;
}

/* The newest chat.command event, and how many there are. */
static struct last_event chat_event(void)
{
	struct last_event l = { "", "", "", 0, 0 };

	cr_assert_eq(audit_each(s, 0, 0, last_row, &l, NULL), IRK_OK);
	return l;
}

Test(chat, an_analysts_jid_cannot_approve)
{
	int64_t id = incident("alice", "Duplicate process");
	const char *r;
	struct last_event e;

	cr_assert_eq(step_state(id, "decide"), STEP_WAITING);
	r = dm(CAROL, "approve IR-1 decide");
	cr_assert_not_null(r);
	cr_assert(strstr(r, "senior"), "%s", r);
	cr_assert_eq(step_state(id, "decide"), STEP_WAITING);
	cr_assert_eq(step_state(id, "isolate"), STEP_PENDING);
	e = chat_event();
	cr_assert_str_eq(e.actor, "carol");
	cr_assert_eq(e.incident, id);
	cr_assert(strstr(e.data, "\"channel\":\"xmpp\""), "%s", e.data);
	cr_assert(strstr(e.data, "\"jid\":\"" CAROL "\""), "%s", e.data);
	cr_assert(strstr(e.data, "\"command\":\"approve\""), "%s", e.data);
	cr_assert(strstr(e.data, "\"result\":\"refused\""), "%s", e.data);
}

Test(chat, a_seniors_approval_opens_the_dependent_step)
{
	int64_t id = incident("alice", "Duplicate process");
	const char *r = say(BOB "/phone", "Approve ir-1 decide", 0, 0, T0);
	struct last_event e;

	cr_assert_not_null(r);
	cr_assert_str_eq(r, "IR-1: decide waiting -> done; isolate pending -> ready");
	cr_assert_eq(step_state(id, "decide"), STEP_DONE);
	cr_assert_eq(step_state(id, "isolate"), STEP_READY);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM events WHERE kind = 'step.done' "
				  "AND actor = 'bob'"), 1);
	e = chat_event();
	cr_assert_str_eq(e.actor, "bob");
	cr_assert(strstr(e.data, "\"jid\":\"" BOB "\""), "%s", e.data);
	cr_assert(strstr(e.data, "\"step\":\"decide\""), "%s", e.data);
	cr_assert(strstr(e.data, "\"result\":\"ok\""), "%s", e.data);
	/* Granted once: again is refused, and says why. */
	r = dm(BOB, "approve IR-1 decide");
	cr_assert(strstr(r, "IR-1") && !strstr(r, "->"), "%s", r);
	cr_assert_eq(step_state(id, "isolate"), STEP_READY);
}

Test(chat, the_two_person_rule_holds)
{
	int64_t id = incident("alice", "Duplicate process");
	const char *r = dm(ALICE, "approve IR-1 decide");

	cr_assert_str_eq(r, "you asked for approval decide yourself; another senior must grant it");
	cr_assert_eq(step_state(id, "decide"), STEP_WAITING);
	cr_assert(strstr(chat_event().data, "\"result\":\"refused\""));
	/* The one who was refused may still deny, with a reason; and a
	 * denial without one is answered with the usage, nothing recorded. */
	int64_t n = chat_event().n;
	r = dm(BOB, "deny IR-1 decide");
	cr_assert_str_eq(r, "deny needs a reason: deny IR-7 STEP REASON");
	cr_assert_eq(chat_event().n, n);
	cr_assert_not_null(strstr(dm(BOB, "approve IR-1 decide"), "isolate pending -> ready"));
}

Test(chat, an_unknown_jid_hears_nothing_and_changes_nothing)
{
	int64_t id = incident("alice", "Duplicate process");
	int64_t w = writes(), head = store_kpi_head(s);
	const char *bodies[] = { "approve IR-1 decide", "status IR-1", "help", "list", "aprove",
				 "claim IR-1", "" };

	for (int i = 0; bodies[i][0]; i++) {
		cr_assert_null(dm("mallory@evil.example", bodies[i]), "answered %s", bodies[i]);
		cr_assert_null(dm("", bodies[i]));
		cr_assert_null(dm("bob@corp.example.evil", bodies[i]));
		cr_assert_null(say("", bodies[i], 1, 0, T0));
	}
	cr_assert_null(dm(NULL, "status IR-1"));
	cr_assert_eq(writes(), w);
	cr_assert_eq(store_kpi_head(s), head);
	cr_assert_eq(step_state(id, "decide"), STEP_WAITING);
	/* The same words from bob's JID, in any case, are his. */
	cr_assert_not_null(dm("BOB@Corp.Example", "status IR-1"));
}

Test(chat, a_delayed_message_is_not_executed)
{
	int64_t id = incident("alice", "Duplicate process");
	int64_t w = writes();

	cr_assert_null(say(BOB, "approve IR-1 decide", 0, 1, T0));
	cr_assert_null(say(BOB, "status IR-1", 0, 1, T0));
	cr_assert_eq(writes(), w);
	cr_assert_eq(step_state(id, "decide"), STEP_WAITING);
	cr_assert_eq(chat_event().n, 0);
}

Test(chat, the_room_only_reads)
{
	int64_t id = incident("alice", "Duplicate process");
	const char *r = say(BOB, "approve IR-1 decide", 1, 0, T0);

	cr_assert_str_eq(r, "in the room irk only answers status and list; send 'approve' to irk "
			 "directly");
	cr_assert_eq(step_state(id, "decide"), STEP_WAITING);
	cr_assert(strstr(chat_event().data, "\"room\":true"), "%s", chat_event().data);
	r = say(CAROL, "claim IR-1", 1, 0, T0);
	cr_assert(strstr(r, "send 'claim' to irk directly"), "%s", r);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM incidents WHERE owner IS NULL"), 1);
	/* Reading is answered; talk that is no command is not. */
	r = say(CAROL, "status IR-1", 1, 0, T0);
	cr_assert(!strncmp(r, "IR-1 P", 6), "%s", r);
	cr_assert(strstr(r, "decide needs approval — send 'approve IR-1 decide'"), "%s", r);
	cr_assert_not_null(say(CAROL, "list", 1, 0, T0));
	int64_t n = chat_event().n;
	cr_assert_null(say(CAROL, "aprove it, bob?", 1, 0, T0));
	cr_assert_null(say(CAROL, "thanks all", 1, 0, T0));
	cr_assert_eq(chat_event().n, n);
}

Test(chat, the_rate_limit_per_jid)
{
	int64_t n, w;
	const char *r;

	incident("alice", "Duplicate process");
	for (int i = 0; i < CHAT_RATE_BURST; i++)
		cr_assert_not_null(say(BOB, "status IR-1", 0, 0, T0), "command %d", i + 1);
	n = chat_event().n;
	w = writes();
	r = say(BOB, "status IR-1", 0, 0, T0);
	cr_assert_str_eq(r, "slow down: irk takes 10 commands at once and one more every 6 s; "
			 "try again in 6 s");
	/* The one told to slow down is an audit event, rate-limited. */
	cr_assert_eq(chat_event().n, n + 1);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM events WHERE kind = 'chat.command' AND "
				  "json_extract(data, '$.result') = 'rate-limited' AND actor = 'bob'"), 1);
	n = chat_event().n;
	w = writes();
	cr_assert_null(say(BOB, "approve IR-1 decide", 0, 0, T0 + 1));
	cr_assert_null(say(BOB, "status IR-1", 0, 0, T0 + 5));
	cr_assert_eq(chat_event().n, n, "the rest of the burst leaves no event");
	cr_assert_eq(writes(), w);
	cr_assert_eq(step_state(1, "decide"), STEP_WAITING);
	/* Another JID has its own budget; bob gets one more after 6 s. */
	cr_assert_not_null(say(CAROL, "status IR-1", 0, 0, T0 + 5));
	cr_assert_not_null(say(BOB, "status IR-1", 0, 0, T0 + 6));
	/* Still the same burst: told once only (trial: told at 3, 7, 13). */
	cr_assert_null(say(BOB, "status IR-1", 0, 0, T0 + 7));
	cr_assert_null(say(BOB, "status IR-1", 0, 0, T0 + 8));
	cr_assert(strstr(say(BOB, "status IR-1", 0, 0, T0 + 12), "IR-1 P"));
	/* A full budget again (a minute's pause) ends the burst. */
	cr_assert(strstr(say(BOB, "status IR-1", 0, 0, T0 + 80), "IR-1 P"));
	for (int i = 1; i < CHAT_RATE_BURST; i++)
		cr_assert_not_null(say(BOB, "status IR-1", 0, 0, T0 + 80));
	cr_assert(strstr(say(BOB, "status IR-1", 0, 0, T0 + 80), "slow down"));
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM events WHERE kind = 'chat.command' AND "
				  "json_extract(data, '$.result') = 'rate-limited'"), 2);
}

Test(chat, claim_ack_note_and_the_holders_rule)
{
	int64_t id = incident("alice", "Duplicate process");
	const char *r;

	cr_assert_str_eq(dm(CAROL, "ack IR-1"), "IR-1 acknowledged: it is yours");
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM incidents WHERE owner = 'carol' AND "
				  "t_acknowledged IS NOT NULL"), 1);
	cr_assert_str_eq(dm(CAROL, "claim IR-1"), "IR-1 is already yours");
	cr_assert_str_eq(dm(BOB, "ack ir-1"), "IR-1 is held by carol; your ack is on record");
	r = dm(ALICE, "claim IR-1");
	cr_assert_str_eq(r, "IR-1 is held by carol; a senior can take it over (in irk: irk claim "
			 "IR-1 --force --reason TEXT)");
	cr_assert_str_eq(dm(BOB, "note IR-1 called the owner; laptop \x1b[2J at the desk"),
			 "note added to IR-1");
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM notes WHERE actor = 'bob' AND "
				  "text LIKE 'called the owner;%'"), 1);
	r = dm(CAROL, "list mine");
	cr_assert(strstr(r, "1 incident is open and yours\nIR-1 P"), "%s", r);
	cr_assert(strstr(r, "carol: Duplicate process"), "%s", r);
	cr_assert_str_eq(dm(BOB, "list unassigned"), "no incident is open and unassigned");
	cr_assert_eq(step_state(id, "decide"), STEP_WAITING);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM events WHERE kind = 'chat.command'"),
		     7);
}

Test(chat, moves_keep_the_gate)
{
	int64_t id = incident("alice", "Duplicate process");
	const char *r;

	cr_assert_str_eq(dm(BOB, "approve IR-1 decide"),
			 "IR-1: decide waiting -> done; isolate pending -> ready");
	cr_assert_str_eq(dm(CAROL, "move IR-1 containment on it"), "IR-1 moved to containment");
	cr_assert_eq(step_state(id, "contain"), STEP_WAITING);   /* advanced, as irk move does */
	r = dm(CAROL, "move IR-1 eradication");
	cr_assert(strstr(r, "contain"), "%s", r);
	cr_assert(strstr(r, "a senior can force it with a reason (in irk: irk move IR-1 "
			 "eradication --force --reason TEXT)"), "%s", r);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM incidents WHERE stage = 'containment'"),
		     1);
	r = dm(CAROL, "skip IR-1 contain not needed");
	cr_assert(strstr(r, "senior"), "%s", r);                  /* a required step */
	cr_assert_str_eq(dm(BOB, "skip IR-1 contain not needed"),
			 "IR-1: contain waiting -> skipped");
	cr_assert_str_eq(dm(CAROL, "move IR-1 eradication"), "IR-1 moved to eradication");
}

Test(chat, replies_are_sanitized_and_name_what_applies)
{
	const char *r;

	incident("alice", "Phish \x1b]0;pwned\x07 from \xe2\x80\xae evil");
	r = dm(BOB, "status IR-1");
	cr_assert_null(strchr(r, '\x1b'), "%s", r);
	cr_assert_null(strchr(r, '\x07'));
	cr_assert(strstr(r, "\\x1b]0;pwned\\x07"), "%s", r);
	cr_assert(strstr(r, "<U+202E>"), "%s", r);
	cr_assert(strstr(r, "nobody holds it"), "%s", r);
	r = dm(BOB, "status IR-9");
	cr_assert(strstr(r, "IR-9"), "%s", r);
	cr_assert_str_eq(dm(BOB, "aprove IR-1 decide"),
			 "unknown command 'aprove' — did you mean 'approve'?");
	r = dm(BOB, "approve IR-1 nosuch");
	cr_assert(strstr(r, "nosuch") && strstr(r, "status IR-1"), "%s", r);
	r = dm(BOB, "help");
	cr_assert(strstr(r, "approve IR-7 STEP: grant an approval"), "%s", r);
	r = dm(CAROL, "\x1b[31mstatus IR-1");
	cr_assert_null(strchr(r, '\x1b'), "%s", r);
}

Test(chat, deny_then_retry_asks_again)
{
	int64_t id = incident("alice", "Duplicate process");
	const char *r = dm(BOB, "deny IR-1 decide not before the owner calls back");

	cr_assert_str_eq(r, "IR-1: decide waiting -> failed; isolate pending -> skipped");
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM steps WHERE step_id = 'decide' AND "
				  "reason = 'not before the owner calls back'"), 1);
	/* Asking again is a senior's; then neither the one who denied it
	 * nor the one who asked again may grant it. */
	r = dm(CAROL, "retry IR-1 decide the owner called");
	cr_assert_str_eq(r, "only a senior or admin can ask for approval decide again (you are "
			 "an analyst)");
	r = dm(ALICE, "retry IR-1 decide the owner called");
	cr_assert(strstr(r, "decide failed -> waiting"), "%s", r);
	cr_assert(strstr(dm(BOB, "approve IR-1 decide"), "another senior must grant it"));
	cr_assert(strstr(dm(ALICE, "approve IR-1 decide"), "another senior must grant it"));
	cr_assert_eq(step_state(id, "decide"), STEP_WAITING);
	cr_assert(strstr(dm(DAVE, "approve IR-1 decide"), "decide waiting -> done"));
}

Test(chat, list_p1_and_a_long_list)
{
	const char *r;

	for (int i = 0; i < 14; i++) {
		char t[32];
		snprintf(t, sizeof t, "Incident %d", i + 1);
		incident_p("alice", t, i % 5 ? 3 : 1);     /* IR-1, IR-6, IR-11 are P1 */
	}
	r = dm(BOB, "list p1");
	cr_assert_str_eq(r, "3 incidents are open at P1\n"
			 "IR-1 P1 new -: Incident 1\nIR-6 P1 new -: Incident 6\n"
			 "IR-11 P1 new -: Incident 11\nsend 'status IR-N' for one");
	r = dm(BOB, "list");
	cr_assert(!strncmp(r, "14 incidents are open\nIR-1 P1", 28), "%s", r);
	cr_assert(strstr(r, "\n…and 4 more (irk list)"), "%s", r);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM events WHERE kind = 'chat.command' AND "
				  "data LIKE '%\"command\":\"list\"%'"), 2);
}
