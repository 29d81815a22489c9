/* chat.h: the commands people send irk over XMPP (irk(1) CHAT COMMANDS).
 *
 * A domain service: it reads and changes the store through the same
 * functions the command line calls (src/incident, src/play), with an actor
 * built from the irk user whose JID sent the message, so every rule
 * (roles, the holder's rule, gates, the two-person rule) is theirs, never
 * this module's. It never draws and never touches the network: the
 * transport (xmpp.h) hands it one message at a time and sends the reply.
 *
 * Rules of its own:
 *  - the sender is the bare JID the authenticated stream gave (never a
 *    MUC nickname); a JID no user has (users.jid) gets no answer at all,
 *    and nothing is written;
 *  - a message with a XEP-0203 delay (replayed from offline storage) is
 *    not executed and gets no answer;
 *  - in the room only status and list are answered; every other command
 *    is refused there (nothing is approved in a room);
 *  - each JID may send CHAT_RATE_BURST commands at once and one more
 *    every CHAT_RATE_EVERY seconds; past that the first message is told
 *    to slow down and the rest get no answer, until the budget is full
 *    again (the burst is over);
 *  - every command a known user sends (a refused one too) is an audit
 *    event chat.command {channel: "xmpp", jid, room, command, step,
 *    result, why} by that user; past the rate limit, one event per burst
 *    (result "rate-limited", for the message told to slow down); a
 *    message that is no command (a typo) gets an answer that helps, and
 *    no event.
 * Replies are plain text, one or a few short lines, sanitized, with the
 * incident key and the command that applies next.
 *
 * A chat belongs to the thread of its store (irk serve's XMPP delivery
 * thread); it keeps the rate budgets in memory, so they start afresh when
 * that process does. A command waits for the database as any writer does
 * (the store's busy limit), never for the network. */
#ifndef IRK_CHAT_H
#define IRK_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/strbuf.h"

struct chat;
struct config;
struct store;

/* Open the command handler over an open store (it may load the plays it
 * needs from cfg). NULL with err set on failure. */
struct chat *chat_open(struct store *s, const struct config *cfg, struct irk_err *err);
void chat_close(struct chat *ch);
/* One chat message. from: the sender's bare JID as the authenticated
 * stream gave it (never a MUC nickname; for a room message the xmpp side
 * passes the occupant's real bare JID when the room reveals it, else "").
 * in_room: nonzero for a groupchat message. delayed: nonzero when the
 * stanza carries a XEP-0203 <delay/>. now: Unix seconds.
 * Returns 1 and fills reply (plain text, sanitized, short) when irk
 * answers, 0 when it stays silent. Never blocks on the network. */
int chat_handle(struct chat *ch, const char *from, const char *body, int in_room,
		int delayed, int64_t now, struct strbuf *reply);

/* ---- the command language (src/xmpp/chat_parse.c) ------------------------ */

/* The rate limit (see above). */
#define CHAT_RATE_BURST 10
#define CHAT_RATE_EVERY 6
/* A longer message is refused as a whole (a note says so). */
#define CHAT_MAX_BODY 4096

/* Every command once: X(verb, name, usage, room, help). The enum,
 * the names, `help` and the parser's "did you mean" come from it. */
#define CHAT_COMMANDS(X) \
	X(HELP, "help", "help [COMMAND]", 0, "what irk understands") \
	X(STATUS, "status", "status IR-7", 1, "an incident's stage, holder and what waits") \
	X(LIST, "list", "list [mine|unassigned|p1]", 1, "open incidents, most urgent first") \
	X(ACK, "ack", "ack IR-7", 0, "acknowledge: claim it when nobody holds it") \
	X(CLAIM, "claim", "claim IR-7", 0, "make it yours") \
	X(NOTE, "note", "note IR-7 TEXT", 0, "add a note") \
	X(APPROVE, "approve", "approve IR-7 STEP", 0, "grant an approval") \
	X(DENY, "deny", "deny IR-7 STEP REASON", 0, "deny an approval") \
	X(RETRY, "retry", "retry IR-7 STEP [REASON]", 0, "run a failed step again") \
	X(SKIP, "skip", "skip IR-7 STEP REASON", 0, "skip a step") \
	X(MOVE, "move", "move IR-7 STAGE [REASON]", 0, "move to another stage")

#define CHAT_X_ENUM(v, name, usage, room, help) CHAT_##v,
enum chat_verb { CHAT_COMMANDS(CHAT_X_ENUM) CHAT_NVERBS };
#undef CHAT_X_ENUM

/* list's filters. */
enum chat_list { CHAT_LIST_OPEN, CHAT_LIST_MINE, CHAT_LIST_UNASSIGNED, CHAT_LIST_P1 };

struct chat_cmd {
	int verb;                  /* enum chat_verb */
	int64_t id;                /* the incident (0: none) */
	char step[64];             /* approve, deny, retry, skip ("" otherwise) */
	int stage;                 /* move: enum stage; -1 otherwise */
	int list;                  /* list: enum chat_list */
	int topic;                 /* help COMMAND: its verb; -1: every one */
	const char *text;          /* note's text or the reason: the rest of
	                            * the message, borrowed from it, trimmed;
	                            * NULL when none */
	size_t text_len;
};

/* Parse one message: a verb (any case), then its arguments separated by
 * blanks; a note's text and a reason are the rest of the message. IRK_OK
 * and *out filled, or IRK_INVALID with err->msg saying what is wrong in
 * chat terms ("unknown command 'aprove' — did you mean 'approve'?",
 * "deny needs a reason: deny IR-7 STEP REASON"). A blank message is
 * IRK_NOTFOUND (nothing to answer). */
int chat_parse(const char *body, struct chat_cmd *out, struct irk_err *err);
/* The name of verb ("approve"), NULL when out of range. */
const char *chat_verb_name(int verb);
/* Whether verb is answered in the room (status and list: they only read). */
int chat_verb_in_room(int verb);
/* The help text: every command on a line of its own, or one command's
 * usage when topic is a verb. Appended to out. */
void chat_help(int topic, struct strbuf *out);

#endif
