/* xmpp.c: XMPP delivery over libstrophe (irk/xmpp.h). One thread, one
 * store connection, one xmpp_ctx_t (libstrophe: one context per thread). */
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <strophe.h>
#include <time.h>
#include <unistd.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/sanitize.h"
#include "irk/secret.h"
#include "irk/store.h"
#include "irk/watch.h"
#include "irk/xmpp.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_PING "urn:xmpp:ping"
#define NS_DELAY "urn:xmpp:delay"
#define BATCH 100                /* messages sent before one ping */
#define MAX_INFLIGHT 500         /* sent, not yet acknowledged */
#define MAX_BACKOFF_S 30         /* between connection attempts */

struct pending {
	int64_t id;
	unsigned batch;              /* the ping that follows it: irk-ack-BATCH */
	int attempts;
	char *error;                 /* the server refused it (a message error) */
};

struct occupant {
	char nick[128], jid[256];
};

struct xmpp_delivery {
	pthread_t th;
	int stop_pipe[2];
	char *db_path;
	const struct config *cfg;
	struct xmpp_opts o;

	/* the thread's own */
	struct store *s;
	xmpp_ctx_t *ctx;
	xmpp_conn_t *conn;
	void *handler;
	char owner[128];
	int held, connected, joined, tls_off;
	int64_t next_connect, backoff, next_join, next_scan, last_dv;
	struct pending *inflight;
	size_t n_inflight;           /* sent, oldest first, not yet acknowledged */
	unsigned ack_seq;
	struct occupant *occ;
	size_t n_occ, cap_occ;
};

int xmpp_configured(const struct config *cfg)
{
	const char *jid = config_settings(cfg)->xmpp.jid;
	return jid && *jid;
}

const char *xmpp_status(const struct config *cfg)
{
	return xmpp_configured(cfg) && !strcmp(config_settings(cfg)->xmpp.tls, "off") ?
	       "XMPP plain" : "";
}

static void say(struct xmpp_delivery *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct xmpp_delivery *d, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	if (!d->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	d->o.log(d->o.log_arg, line);
}

/* Wall-clock seconds: leases and retry times are compared between
 * processes, whatever irk's own clock (IRK_NOW) says. */
static int64_t wall(void)
{
	return (int64_t)time(NULL);
}

/* libstrophe's errors, without its debug chatter (which holds stanzas and
 * the authentication exchange). */
static void strophe_log(void *arg, xmpp_log_level_t level, const char *area, const char *msg)
{
	if (level >= XMPP_LEVEL_ERROR)
		say(arg, "XMPP %s: %s", area, msg);
}

static const char *password(const struct config *cfg)
{
	const char *p = config_settings(cfg)->xmpp.password;
	return p ? p : secret_env("IRK_SECRET_XMPP_PASSWORD");
}

/* ---- the room's occupants (nick → real JID, when the room shows it) ---------- */

static struct occupant *occupant(struct xmpp_delivery *d, const char *nick, int add)
{
	for (size_t i = 0; i < d->n_occ; i++)
		if (!strcmp(d->occ[i].nick, nick))
			return &d->occ[i];
	if (!add)
		return NULL;
	if (d->n_occ == d->cap_occ) {
		d->cap_occ = d->cap_occ ? d->cap_occ * 2 : 16;
		d->occ = xrealloc(d->occ, d->cap_occ * sizeof *d->occ);
	}
	struct occupant *o = &d->occ[d->n_occ++];
	memset(o, 0, sizeof *o);
	irk_strlcpy(o->nick, nick, sizeof o->nick);
	return o;
}

/* ---- sending --------------------------------------------------------------- */

static void send_body(struct xmpp_delivery *d, const char *type, const char *to, const char *id,
		      const char *text)
{
	struct strbuf clean = STRBUF_INIT;
	xmpp_stanza_t *m = xmpp_message_new(d->ctx, type, to, id);

	/* Text from alerts: no control characters reach a chat client. */
	sanitize_append(&clean, text, strlen(text), SAN_KEEP_NL);
	xmpp_message_set_body(m, strbuf_str(&clean));
	xmpp_send(d->conn, m);
	xmpp_stanza_release(m);
	strbuf_free(&clean);
}

static void send_join(struct xmpp_delivery *d)
{
	const struct config_settings *cs = config_settings(d->cfg);
	char to[512];
	xmpp_stanza_t *p = xmpp_presence_new(d->ctx), *x = xmpp_stanza_new(d->ctx),
		      *h = xmpp_stanza_new(d->ctx);

	snprintf(to, sizeof to, "%s/%s", cs->xmpp.room, cs->xmpp.nick);
	xmpp_stanza_set_to(p, to);
	xmpp_stanza_set_name(x, "x");
	xmpp_stanza_set_ns(x, NS_MUC);
	/* No history: irk reads only what is said while it is there. */
	xmpp_stanza_set_name(h, "history");
	xmpp_stanza_set_attribute(h, "maxstanzas", "0");
	xmpp_stanza_add_child(x, h);
	xmpp_stanza_add_child(p, x);
	xmpp_send(d->conn, p);
	xmpp_stanza_release(h);
	xmpp_stanza_release(x);
	xmpp_stanza_release(p);
	d->next_join = wall() + 10;
}

struct due {
	struct xmpp_delivery *d;
	struct { int64_t id; int attempts; char *to, *text; } *rows;
	size_t n, cap;
};

static int collect_due(const struct outbox_row *o, void *arg)
{
	struct due *u = arg;

	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 32;
		u->rows = xrealloc(u->rows, u->cap * sizeof *u->rows);
	}
	u->rows[u->n].id = o->id;
	u->rows[u->n].attempts = o->attempts;
	u->rows[u->n].to = xstrdup(o->recipient);
	u->rows[u->n].text = xstrdup(o->text);
	u->n++;
	return 0;
}

/* A failed try of message id (attempts before it): again after a backoff,
 * or failed for good after XMPP_TRIES. */
static void record_retry(struct xmpp_delivery *d, int64_t id, int attempts, const char *why)
{
	struct irk_err err = { 0 };
	int64_t next = attempts + 1 >= XMPP_TRIES ? 0 : wall() + ((int64_t)2 << attempts);

	if (store_begin(d->s, &err) || store_outbox_retry(d->s, id, why, next, NULL, &err) ||
	    store_commit(d->s, &err)) {
		store_rollback(d->s);
		say(d, "XMPP: recording message %lld: %s", (long long)id, err.msg);
		return;
	}
	if (next)
		say(d, "XMPP: message %lld not sent (%s); again in %llds", (long long)id, why,
		    (long long)(next - wall()));
	else
		say(d, "XMPP: message %lld failed after %d tries: %s", (long long)id, XMPP_TRIES, why);
}

struct jids {
	struct xmpp_delivery *d;
	const char *id, *text;
};

static void send_to_jid(const char *jid, void *arg)
{
	struct jids *j = arg;
	send_body(j->d, "chat", jid, j->id, j->text);
}

static int on_ack(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg);

/* Send the messages due (oldest first) and a ping after them. */
static void send_due(struct xmpp_delivery *d)
{
	const char *room = config_settings(d->cfg)->xmpp.room;
	struct due u = { d, NULL, 0, 0 };
	struct irk_err err = { 0 };
	int64_t now = wall();

	/* Batches go one after the other, each followed by a ping, without
	 * waiting for the answers: the next starts after the last sent. */
	int64_t after = d->n_inflight ? d->inflight[d->n_inflight - 1].id : 0;
	size_t before = d->n_inflight;
	if (store_outbox_due(d->s, after, now, BATCH, collect_due, &u, &err)) {
		say(d, "XMPP: reading the outbox: %s", err.msg);
		d->next_scan = now + 5;
		return;
	}
	d->next_scan = now + 1;
	for (size_t i = 0; i < u.n; i++) {
		char sid[40], why[160];
		int n = 0;

		snprintf(sid, sizeof sid, "irk-out-%lld", (long long)u.rows[i].id);
		if (!strcmp(u.rows[i].to, "room")) {
			if (!room || !*room) {
				record_retry(d, u.rows[i].id, u.rows[i].attempts,
					     "no room: set [xmpp] room in irk.conf");
				continue;
			}
			if (!d->joined)
				break;   /* in order: the rest waits for the room */
			send_body(d, "groupchat", room, sid, u.rows[i].text);
			n = 1;
		} else {
			struct jids j = { d, sid, u.rows[i].text };
			if (store_recipient_jids(d->s, u.rows[i].to, send_to_jid, &j, &n, &err)) {
				say(d, "XMPP: %s", err.msg);
				break;
			}
			if (!n) {
				char safe[80];
				sanitize_buf(safe, sizeof safe, u.rows[i].to, 0);
				snprintf(why, sizeof why, strncmp(safe, "role:", 5) ?
					 "%s has no JID (irk user set %s --jid JID)" :
					 "no user of %s has a JID%.0s", safe, safe);
				record_retry(d, u.rows[i].id, u.rows[i].attempts, why);
				continue;
			}
		}
		d->inflight = xrealloc(d->inflight, (d->n_inflight + 1) * sizeof *d->inflight);
		d->inflight[d->n_inflight++] = (struct pending){ u.rows[i].id, d->ack_seq + 1,
								 u.rows[i].attempts, NULL };
	}
	if (u.n == BATCH)
		d->next_scan = 0;          /* more are due: the next batch at once */
	for (size_t i = 0; i < u.n; i++) {
		free(u.rows[i].to);
		free(u.rows[i].text);
	}
	free(u.rows);
	if (d->n_inflight == before)
		return;
	/* The server answers the ping after it handled everything before it. */
	char *domain = xmpp_jid_domain(d->ctx, config_settings(d->cfg)->xmpp.jid), ack_id[40];
	snprintf(ack_id, sizeof ack_id, "irk-ack-%u", ++d->ack_seq);
	xmpp_stanza_t *iq = xmpp_iq_new(d->ctx, "get", ack_id), *ping = xmpp_stanza_new(d->ctx);
	xmpp_stanza_set_to(iq, domain);
	xmpp_stanza_set_name(ping, "ping");
	xmpp_stanza_set_ns(ping, NS_PING);
	xmpp_stanza_add_child(iq, ping);
	xmpp_id_handler_add(d->conn, on_ack, ack_id, d);
	xmpp_send(d->conn, iq);
	xmpp_stanza_release(ping);
	xmpp_stanza_release(iq);
	xmpp_free(d->ctx, domain);
}

static void inflight_clear(struct xmpp_delivery *d)
{
	for (size_t i = 0; i < d->n_inflight; i++)
		free(d->inflight[i].error);
	free(d->inflight);
	d->inflight = NULL;
	d->n_inflight = 0;
}

/* The server's answer to ping irk-ack-K: what went before it and was not
 * refused was sent. */
static int on_ack(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
	struct xmpp_delivery *d = arg;
	struct irk_err err = { 0 };
	int64_t t = irk_now();
	const char *id = xmpp_stanza_get_id(st);
	unsigned k = 0;
	size_t n = 0;

	(void)conn;
	if (!id || sscanf(id, "irk-ack-%u", &k) != 1)
		return 0;
	while (n < d->n_inflight && d->inflight[n].batch <= k)
		n++;
	if (store_begin(d->s, &err)) {
		/* Not recorded: sent again later, with the same ids. */
		say(d, "XMPP: recording sent messages: %s", err.msg);
		inflight_clear(d);
		return 0;
	}
	for (size_t i = 0; i < n && !err.code; i++)
		if (!d->inflight[i].error)
			store_outbox_sent(d->s, d->inflight[i].id, t, &err);
	if (err.code || store_commit(d->s, &err)) {
		store_rollback(d->s);
		say(d, "XMPP: recording sent messages: %s", err.msg);
		inflight_clear(d);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (d->inflight[i].error) {
			record_retry(d, d->inflight[i].id, d->inflight[i].attempts, d->inflight[i].error);
			free(d->inflight[i].error);
		}
	memmove(d->inflight, d->inflight + n, (d->n_inflight - n) * sizeof *d->inflight);
	d->n_inflight -= n;
	d->next_scan = 0;          /* more may be waiting */
	return 0;
}

/* ---- receiving --------------------------------------------------------------- */

/* A message error: the server refused one of ours (irk-out-N). */
static void message_error(struct xmpp_delivery *d, xmpp_stanza_t *st)
{
	const char *id = xmpp_stanza_get_id(st);
	xmpp_stanza_t *e = xmpp_stanza_get_child_by_name(st, "error");
	xmpp_stanza_t *cond = e ? xmpp_stanza_get_children(e) : NULL;
	char why[200];
	long long n;

	if (!id || sscanf(id, "irk-out-%lld", &n) != 1)
		return;
	snprintf(why, sizeof why, "refused by the server: %s",
		 cond && xmpp_stanza_get_name(cond) ? xmpp_stanza_get_name(cond) : "error");
	for (size_t i = 0; i < d->n_inflight; i++)
		if (d->inflight[i].id == n && !d->inflight[i].error) {
			char safe[200];
			sanitize_buf(safe, sizeof safe, why, 0);
			d->inflight[i].error = xstrdup(safe);
			return;
		}
	say(d, "XMPP: message %lld was refused after it was recorded sent", n);
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
	struct xmpp_delivery *d = arg;
	const struct config_settings *cs = config_settings(d->cfg);
	const char *type = xmpp_stanza_get_type(st), *from = xmpp_stanza_get_from(st);

	(void)conn;
	if (type && !strcmp(type, "error")) {
		message_error(d, st);
		return 1;
	}
	if (!d->o.on_message || !from)
		return 1;
	char *body = xmpp_message_get_body(st);
	if (!body)
		return 1;
	int in_room = type && !strcmp(type, "groupchat");
	int delayed = xmpp_stanza_get_child_by_name_and_ns(st, "delay", NS_DELAY) != NULL;
	char *bare = xmpp_jid_bare(d->ctx, from), *res = xmpp_jid_resource(d->ctx, from);
	char sender[256] = "";
	if (in_room) {
		/* Only the team room, never irk's own words. */
		const struct occupant *o = res ? occupant(d, res, 0) : NULL;
		if (!cs->xmpp.room || strcasecmp(bare, cs->xmpp.room) || !res ||
		    !strcmp(res, cs->xmpp.nick))
			goto out;
		if (o)
			irk_strlcpy(sender, o->jid, sizeof sender);
	} else {
		irk_strlcpy(sender, bare, sizeof sender);
	}
	struct strbuf reply = STRBUF_INIT;
	if (d->o.on_message(d->handler, sender, body, in_room, delayed, irk_now(), &reply) &&
	    reply.len)
		send_body(d, in_room ? "groupchat" : "chat", in_room ? cs->xmpp.room : from, NULL,
			  strbuf_str(&reply));
	strbuf_free(&reply);
out:
	xmpp_free(d->ctx, bare);
	xmpp_free(d->ctx, res);
	xmpp_free(d->ctx, body);
	return 1;
}

/* Presence from the room: who is there (their real JID when the room
 * shows it), and whether irk itself got in. */
static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
	struct xmpp_delivery *d = arg;
	const struct config_settings *cs = config_settings(d->cfg);
	const char *from = xmpp_stanza_get_from(st), *type = xmpp_stanza_get_type(st);

	(void)conn;
	if (!from || !cs->xmpp.room)
		return 1;
	char *bare = xmpp_jid_bare(d->ctx, from), *nick = xmpp_jid_resource(d->ctx, from);
	if (strcasecmp(bare, cs->xmpp.room) || !nick)
		goto out;
	if (type && !strcmp(type, "error")) {
		if (!strcmp(nick, cs->xmpp.nick)) {
			xmpp_stanza_t *e = xmpp_stanza_get_child_by_name(st, "error");
			xmpp_stanza_t *c = e ? xmpp_stanza_get_children(e) : NULL;
			say(d, "XMPP: joining %s refused: %s; trying again", cs->xmpp.room,
			    c && xmpp_stanza_get_name(c) ? xmpp_stanza_get_name(c) : "error");
			d->joined = 0;
			d->next_join = wall() + 10;
		}
		goto out;
	}
	if (type && !strcmp(type, "unavailable")) {
		struct occupant *o = occupant(d, nick, 0);
		if (o)
			*o = d->occ[--d->n_occ];
		if (!strcmp(nick, cs->xmpp.nick))
			d->joined = 0, d->next_join = wall() + 2;
		goto out;
	}
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_name_and_ns(st, "x", NS_MUC_USER);
	xmpp_stanza_t *item = x ? xmpp_stanza_get_child_by_name(x, "item") : NULL;
	const char *real = item ? xmpp_stanza_get_attribute(item, "jid") : NULL;
	struct occupant *o = occupant(d, nick, 1);
	o->jid[0] = '\0';
	if (real) {
		char *rb = xmpp_jid_bare(d->ctx, real);
		irk_strlcpy(o->jid, rb, sizeof o->jid);
		xmpp_free(d->ctx, rb);
	}
	int self = 0;
	for (xmpp_stanza_t *c = x ? xmpp_stanza_get_children(x) : NULL; c;
	     c = xmpp_stanza_get_next(c)) {
		const char *code = xmpp_stanza_get_name(c) && !strcmp(xmpp_stanza_get_name(c), "status") ?
				   xmpp_stanza_get_attribute(c, "code") : NULL;
		if (code && !strcmp(code, "110"))
			self = 1;
	}
	if (self && !d->joined) {
		d->joined = 1;
		d->next_scan = 0;
		say(d, "XMPP: joined %s as %s", cs->xmpp.room, cs->xmpp.nick);
	}
out:
	xmpp_free(d->ctx, bare);
	xmpp_free(d->ctx, nick);
	return 1;
}

/* ---- the connection ----------------------------------------------------------- */

/* The delivery of this thread, for libstrophe's certificate callback
 * (which gets no argument of ours). */
static _Thread_local struct xmpp_delivery *this_delivery;

static int certfail(const xmpp_tlscert_t *cert, const char *why)
{
	struct xmpp_delivery *d = this_delivery;
	char subj[200];

	sanitize_buf(subj, sizeof subj, xmpp_tlscert_get_string(cert, XMPP_CERT_SUBJECT) ?
		     xmpp_tlscert_get_string(cert, XMPP_CERT_SUBJECT) : "?", 0);
	if (d)
		say(d, "XMPP: the server's certificate (%s) is not trusted: %s; refused (set [xmpp] "
		    "cafile for a private CA)", subj, why ? why : "verification failed");
	return 0;
}

static void conn_event(xmpp_conn_t *conn, xmpp_conn_event_t ev, int error,
		       xmpp_stream_error_t *se, void *arg)
{
	struct xmpp_delivery *d = arg;
	const struct config_settings *cs = config_settings(d->cfg);

	(void)conn;
	if (ev == XMPP_CONN_CONNECT) {
		d->connected = 1;
		d->backoff = 1;
		say(d, "XMPP: connected as %s%s", cs->xmpp.jid,
		    d->tls_off ? "; TLS off (plain text)" : xmpp_conn_is_secured(d->conn) ?
		    " (TLS verified)" : "");
		xmpp_stanza_t *p = xmpp_presence_new(d->ctx);
		xmpp_send(d->conn, p);
		xmpp_stanza_release(p);
		if (cs->xmpp.room && *cs->xmpp.room)
			send_join(d);
		d->next_scan = 0;
		return;
	}
	char why[200] = "";
	if (error)
		snprintf(why, sizeof why, ": %s", strerror(error));
	else if (se) {
		char text[160];
		xmpp_stanza_t *c = se->stanza ? xmpp_stanza_get_children(se->stanza) : NULL;
		sanitize_buf(text, sizeof text, se->text ? se->text : c && xmpp_stanza_get_name(c) ?
			     xmpp_stanza_get_name(c) : "", 0);
		snprintf(why, sizeof why, ": stream error %s", text);
	}
	if (d->connected)
		say(d, "XMPP: disconnected%s; reconnecting", why);
	else
		say(d, "XMPP: could not connect to %s:%lld%s; again in %llds",
		    cs->xmpp.host ? cs->xmpp.host : "the JID's domain", (long long)cs->xmpp.port, why,
		    (long long)d->backoff);
	d->connected = 0;
	d->joined = 0;
	d->n_occ = 0;
	/* Not acknowledged: still queued, sent again with the same ids. */
	inflight_clear(d);
	d->next_connect = wall() + d->backoff;
	d->backoff = d->backoff * 2 > MAX_BACKOFF_S ? MAX_BACKOFF_S : d->backoff * 2;
}

static void drop_conn(struct xmpp_delivery *d)
{
	if (!d->conn)
		return;
	if (xmpp_conn_is_connected(d->conn) || xmpp_conn_is_connecting(d->conn)) {
		xmpp_disconnect(d->conn);
		for (int i = 0; i < 20 && (xmpp_conn_is_connected(d->conn) ||
					   xmpp_conn_is_connecting(d->conn)); i++)
			xmpp_run_once(d->ctx, 50);
	}
	xmpp_conn_release(d->conn);
	d->conn = NULL;
	d->connected = d->joined = 0;
	inflight_clear(d);
}

static void connect_now(struct xmpp_delivery *d)
{
	const struct config_settings *cs = config_settings(d->cfg);
	const char *pw = password(d->cfg);

	d->conn = xmpp_conn_new(d->ctx);
	xmpp_conn_set_flags(d->conn, XMPP_CONN_FLAG_DISABLE_SM |
			    (d->tls_off ? XMPP_CONN_FLAG_DISABLE_TLS : XMPP_CONN_FLAG_MANDATORY_TLS));
	if (cs->xmpp.cafile)
		xmpp_conn_set_cafile(d->conn, cs->xmpp.cafile);
	xmpp_conn_set_certfail_handler(d->conn, certfail);
	xmpp_conn_set_jid(d->conn, cs->xmpp.jid);
	xmpp_conn_set_pass(d->conn, pw ? pw : "");
	xmpp_handler_add(d->conn, on_message, NULL, "message", NULL, d);
	xmpp_handler_add(d->conn, on_presence, NULL, "presence", NULL, d);
	if (xmpp_connect_client(d->conn, cs->xmpp.host, (unsigned short)cs->xmpp.port, conn_event,
				d) != XMPP_EOK) {
		say(d, "XMPP: cannot start a connection to %s", cs->xmpp.host ? cs->xmpp.host :
		    "the JID's domain");
		xmpp_conn_release(d->conn);
		d->conn = NULL;
		d->next_connect = wall() + d->backoff;
		d->backoff = d->backoff * 2 > MAX_BACKOFF_S ? MAX_BACKOFF_S : d->backoff * 2;
	}
}

static void lease_round(struct xmpp_delivery *d, int64_t ttl)
{
	struct irk_err err = { 0 };
	int rc = store_begin(d->s, &err);

	if (!rc)
		rc = store_lease_take(d->s, "xmpp", d->owner, wall(), ttl, &err);
	if (rc) {
		store_rollback(d->s);
		if (d->held)
			say(d, "XMPP: lost the delivery lease (%s); stopping delivery here", err.msg);
		d->held = 0;
		return;
	}
	if (store_commit(d->s, &err)) {
		store_rollback(d->s);
		d->held = 0;
		return;
	}
	if (!d->held)
		say(d, "XMPP: this process delivers (lease %s)", d->owner);
	d->held = 1;
}

static void *delivery_main(void *arg)
{
	struct xmpp_delivery *d = arg;
	struct irk_err err = { 0 };
	int64_t ttl = d->o.lease_s > 0 ? d->o.lease_s : config_settings(d->cfg)->xmpp.lease;
	int64_t next_lease = 0, next_watch = 0, next_sla = 0;
	xmpp_log_t log = { strophe_log, d };
	char host[64] = "?";

	gethostname(host, sizeof host);
	host[sizeof host - 1] = '\0';
	snprintf(d->owner, sizeof d->owner, "%s:%d", host, (int)getpid());
	this_delivery = d;
	if (store_open(&d->s, d->db_path, 0, &err)) {
		say(d, "XMPP: %s", err.msg);
		return NULL;
	}
	if (d->o.on_message && d->o.open && !(d->handler = d->o.open(d->s, d->cfg, &err))) {
		say(d, "XMPP: chat commands off: %s", err.msg);
		d->o.on_message = NULL;
	}
	d->ctx = xmpp_ctx_new(NULL, &log);
	d->backoff = 1;
	d->last_dv = -1;
	for (;;) {
		struct pollfd pf = { d->stop_pipe[0], POLLIN, 0 };
		int64_t now = wall();

		if (now >= next_lease) {
			lease_round(d, ttl);
			if (!d->held)
				drop_conn(d);
			next_lease = now + (d->held ? (ttl / 3 > 0 ? ttl / 3 : 1) : 1);
		}
		/* State changes of followed incidents become messages here, in
		 * the lease holder: once, also while the server is away. */
		if (d->held && now >= next_watch) {
			int q = 0, sla = now >= next_sla;
			if (watch_round(d->s, d->cfg, irk_now(), sla, &q, &err)) {
				say(d, "XMPP: watches: %s", err.msg);
				irk_err_clear(&err);
			}
			if (q)
				d->next_scan = 0;
			next_watch = now + 1;
			if (sla)
				next_sla = now + 30;
		}
		if (d->held && !d->conn && now >= d->next_connect)
			connect_now(d);
		if (d->conn && d->connected) {
			const char *room = config_settings(d->cfg)->xmpp.room;
			if (room && *room && !d->joined && now >= d->next_join)
				send_join(d);
			if (d->n_inflight < MAX_INFLIGHT) {
				int64_t dv = store_data_version(d->s);
				if (dv != d->last_dv || now >= d->next_scan) {
					d->last_dv = dv;
					send_due(d);
				}
			}
		}
		if (d->conn) {
			xmpp_run_once(d->ctx, d->next_scan ? 20 : 1);
			if (d->conn && !xmpp_conn_is_connected(d->conn) &&
			    !xmpp_conn_is_connecting(d->conn) && !d->connected) {
				/* Failed or closed: a fresh connection next time. */
				xmpp_conn_release(d->conn);
				d->conn = NULL;
			}
		}
		if (poll(&pf, 1, d->conn ? 0 : 100) > 0)
			break;
	}
	drop_conn(d);
	if (d->held) {
		if (!store_begin(d->s, &err) && !store_lease_drop(d->s, "xmpp", d->owner, &err))
			store_commit(d->s, &err);
		else
			store_rollback(d->s);
	}
	if (d->handler && d->o.close)
		d->o.close(d->handler);
	xmpp_ctx_free(d->ctx);
	store_close(&d->s);
	free(d->occ);
	return NULL;
}

struct xmpp_delivery *xmpp_delivery_start(const char *db_path, const struct config *cfg,
					  const struct xmpp_opts *opts, struct irk_err *err)
{
	const struct config_settings *cs = config_settings(cfg);
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!xmpp_configured(cfg)) {
		irk_fail(err, IRK_INVALID, "[xmpp] jid is not set");
		return NULL;
	}
	if (!strchr(cs->xmpp.jid, '@') || strchr(cs->xmpp.jid, '/')) {
		irk_fail(err, IRK_INVALID, "[xmpp] jid '%s' is not a bare JID (name@domain)",
			 cs->xmpp.jid);
		return NULL;
	}
	if (cs->xmpp.port < 1 || cs->xmpp.port > 65535) {
		irk_fail(err, IRK_INVALID, "[xmpp] port %lld is not a port (1 to 65535)",
			 (long long)cs->xmpp.port);
		return NULL;
	}
	if (cs->xmpp.lease < 3) {
		irk_fail(err, IRK_INVALID, "[xmpp] lease must be at least 3s");
		return NULL;
	}
	if (!password(cfg)) {
		irk_fail(err, IRK_INVALID, "[xmpp] password is not set (nor IRK_SECRET_XMPP_PASSWORD)");
		return NULL;
	}
	if (cs->xmpp.room && *cs->xmpp.room && (!strchr(cs->xmpp.room, '@') ||
						strchr(cs->xmpp.room, '/'))) {
		irk_fail(err, IRK_INVALID, "[xmpp] room '%s' is not a room's JID (name@conference.domain)",
			 cs->xmpp.room);
		return NULL;
	}
	pthread_once(&once, xmpp_initialize);
	struct xmpp_delivery *d = xcalloc(1, sizeof *d);
	d->db_path = xstrdup(db_path);
	d->cfg = cfg;
	if (opts)
		d->o = *opts;
	d->tls_off = !strcmp(cs->xmpp.tls, "off");
	if (pipe(d->stop_pipe)) {
		irk_fail(err, IRK_ERROR, "pipe: %s", strerror(errno));
		free(d->db_path);
		free(d);
		return NULL;
	}
	if (pthread_create(&d->th, NULL, delivery_main, d)) {
		irk_fail(err, IRK_ERROR, "cannot start the XMPP thread");
		close(d->stop_pipe[0]);
		close(d->stop_pipe[1]);
		free(d->db_path);
		free(d);
		return NULL;
	}
	return d;
}

void xmpp_delivery_stop(struct xmpp_delivery **dp)
{
	struct xmpp_delivery *d = *dp;

	if (!d)
		return;
	*dp = NULL;
	if (write(d->stop_pipe[1], "x", 1) < 0) {
		/* The thread then stops at its next look; nothing else to do. */
	}
	pthread_join(d->th, NULL);
	close(d->stop_pipe[0]);
	close(d->stop_pipe[1]);
	free(d->db_path);
	free(d);
}
