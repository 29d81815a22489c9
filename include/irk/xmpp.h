/* xmpp.h: XMPP delivery (issue 14). A thread with its own database
 * connection and its own libstrophe context sends the outbox: one process
 * at a time (the lease 'xmpp' in the database, renewed while it runs,
 * taken over when it runs out), each message once, in order, with the
 * stanza id irk-out-N (N: its outbox id) so a receiver can drop a resend.
 * A message is recorded sent when the server answered a ping sent after
 * it (the server handled the stream in order up to there); on a lost
 * connection it stays queued and goes again. Recipients: a user's name,
 * role:ROLE, or room (the [xmpp] room, joined with [xmpp] nick and joined
 * again after a reconnect). TLS is required and verified unless [xmpp]
 * tls = off. The password never reaches a log. Nothing here draws. */
#ifndef IRK_XMPP_H
#define IRK_XMPP_H

#include <stdint.h>

#include "irk/err.h"
#include "irk/strbuf.h"

struct config;
struct store;

/* A chat message irk received (the shape of chat_handle(), irk/chat.h).
 * from: the sender's bare JID from the authenticated stream (for a room
 * message the occupant's real bare JID when the room shows it, else "").
 * Returns 1 with reply filled when irk answers. */
typedef int (*xmpp_on_message)(void *arg, const char *from, const char *body, int in_room,
		int delayed, int64_t now, struct strbuf *reply);

struct xmpp_opts {
	/* What delivery does, one line at a time (never a secret). NULL: silent. */
	void (*log)(void *arg, const char *line);
	void *log_arg;
	/* Incoming chat: open is called in the delivery thread with its store
	 * (chat_open's shape); its result is on_message's arg; close frees it.
	 * NULL on_message: incoming messages are ignored. */
	void *(*open)(struct store *s, const struct config *cfg, struct irk_err *err);
	void (*close)(void *arg);
	xmpp_on_message on_message;
	int64_t lease_s;           /* 0: [xmpp] lease */
};

#define XMPP_TRIES 5           /* then failed; backoff 2, 4, 8, 16 s */

/* 1 when cfg has an [xmpp] jid (delivery is wanted). */
int xmpp_configured(const struct config *cfg);
/* Start delivery over the database at db_path with cfg (borrowed for the
 * life of the delivery). NULL with err set when [xmpp] is incomplete
 * (err names the setting). */
struct xmpp_delivery *xmpp_delivery_start(const char *db_path, const struct config *cfg,
		const struct xmpp_opts *opts, struct irk_err *err);
/* What the status line shows: "" while TLS is on, "XMPP plain" with tls = off. */
const char *xmpp_status(const struct config *cfg);
/* Stop (disconnect, give up the lease) and free; safe on NULL. */
void xmpp_delivery_stop(struct xmpp_delivery **d);

#endif
