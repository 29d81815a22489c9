/* chat.c: the commands people send irk over XMPP (see chat.h). Who sent
 * it decides who acts; what may be done is decided by src/incident and
 * src/play, exactly as for the command line. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/chat.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/store.h"

/* At most this many JIDs are remembered for the rate limit; past it the
 * one heard from longest ago is forgotten (only known users get here, so
 * the table holds the team). */
#define CHAT_RATE_JIDS 256
/* Lines of list's answer, and the width of a title in it. */
#define CHAT_LIST_LINES 10
#define CHAT_TITLE_COLS 60

struct rate {
	char jid[256];
	int tokens;
	int64_t last;              /* when tokens were last counted */
	int warned;                /* told to slow down since it was last full */
};

struct chat {
	struct store *s;
	struct rate rates[CHAT_RATE_JIDS];
	int nrates;
};

struct chat *chat_open(struct store *s, const struct config *cfg, struct irk_err *err)
{
	struct chat *ch;

	(void)cfg;                  /* the plays live in the store already */
	if (!s) {
		irk_fail(err, IRK_ERROR, "chat: no database");
		return NULL;
	}
	ch = xcalloc(1, sizeof *ch);
	ch->s = s;
	return ch;
}

void chat_close(struct chat *ch)
{
	free(ch);
}

/* ---- the rate limit -------------------------------------------------------- */

enum { RATE_OK, RATE_WARN, RATE_QUIET };

/* Take one command from jid's budget at now: RATE_OK, or RATE_WARN the
 * first time it runs out in a burst (answer "slow down"), RATE_QUIET after
 * that, until the budget is full again (the burst is over). */
static int rate_take(struct chat *ch, const char *jid, int64_t now, int *wait)
{
	struct rate *r = NULL;
	int i, oldest = 0;

	for (i = 0; i < ch->nrates; i++) {
		if (!strcmp(ch->rates[i].jid, jid)) {
			r = &ch->rates[i];
			break;
		}
		if (ch->rates[i].last < ch->rates[oldest].last)
			oldest = i;
	}
	if (!r) {
		r = &ch->rates[ch->nrates < CHAT_RATE_JIDS ? ch->nrates++ : oldest];
		irk_strlcpy(r->jid, jid, sizeof r->jid);
		r->tokens = CHAT_RATE_BURST;
		r->last = now;
		r->warned = 0;
	}
	if (now > r->last) {
		int64_t add = (now - r->last) / CHAT_RATE_EVERY;
		if (r->tokens + add >= CHAT_RATE_BURST) {
			r->tokens = CHAT_RATE_BURST;
			r->last = now;
			r->warned = 0;
		} else {
			r->tokens += (int)add;
			r->last += add * CHAT_RATE_EVERY;
		}
	} else if (now < r->last) {
		r->last = now;      /* the clock went back: count from here */
	}
	if (r->tokens > 0) {
		r->tokens--;
		return RATE_OK;
	}
	*wait = (int)(r->last + CHAT_RATE_EVERY - now);
	if (r->warned)
		return RATE_QUIET;
	r->warned = 1;
	return RATE_WARN;
}

/* ---- answers --------------------------------------------------------------- */

/* What the sender can do about a refusal, in chat terms (the command
 * line's hints name its options instead). */
static void need_hint(const struct irk_err *err, const struct chat_cmd *c, const char *key,
		      struct strbuf *out)
{
	const char *on = err->need_on[0] ? err->need_on : c->step;
	const char *stage = c->stage >= 0 ? stage_name(c->stage) : "STAGE";

	switch ((enum irk_need)err->need) {
	case NEED_NONE:
	case NEED_DATABASE:
	case NEED_FORMAT:
		break;
	case NEED_REASON:
		if (c->verb == CHAT_MOVE)
			strbuf_printf(out, "send 'move %s %s REASON'", key, stage);
		else if (c->verb == CHAT_CLAIM || c->verb == CHAT_ACK)
			strbuf_printf(out, "in irk: irk claim %s --force --reason TEXT", key);
		else
			strbuf_printf(out, "send '%s %s %s REASON'", chat_verb_name(c->verb), key, on);
		break;
	case NEED_FORCE:
		strbuf_printf(out, "in irk: irk move %s %s --force --reason TEXT", key, stage);
		break;
	case NEED_TAKEOVER:
		strbuf_printf(out, "in irk: irk claim %s --force --reason TEXT", key);
		break;
	case NEED_REOPEN:
		strbuf_printf(out, "send 'move %s STAGE REASON' to reopen it", *err->need_on ? err->need_on : key);
		break;
	case NEED_CLOSE:
		strbuf_printf(out, "close it in irk: irk close %s --resolution R", key);
		break;
	case NEED_INPUTS:           /* need_on: the inputs' names */
	case NEED_DONE:
	case NEED_TICKS:
		strbuf_printf(out, "a person's step is finished in irk: irk step show %s %s", key,
			      err->need == NEED_INPUTS ? c->step : on);
		break;
	case NEED_DECISION:
		strbuf_printf(out, "send 'approve %s %s' or 'deny %s %s REASON'", key, on, key, on);
		break;
	case NEED_STEPS:
	case NEED_RELOAD:
		strbuf_printf(out, "send 'status %s'", key);
		break;
	}
}

/* The states of an incident's steps before a change, to say what moved. */
struct before {
	char (*ids)[64];
	int *states;
	int n, cap;
};

static int before_row(const struct step_row *r, void *arg)
{
	struct before *b = arg;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->ids = xrealloc(b->ids, (size_t)b->cap * sizeof *b->ids);
		b->states = xrealloc(b->states, (size_t)b->cap * sizeof *b->states);
	}
	irk_strlcpy(b->ids[b->n], r->step_id, sizeof b->ids[0]);
	b->states[b->n++] = r->state;
	return 0;
}

struct changed {
	const struct before *b;
	struct strbuf *out;
	int n;
};

/* "; isolate pending -> ready" for each step whose state changed. */
static int changed_row(const struct step_row *r, void *arg)
{
	struct changed *c = arg;

	for (int i = 0; i < c->b->n; i++) {
		if (strcmp(c->b->ids[i], r->step_id) || c->b->states[i] == r->state)
			continue;
		strbuf_printf(c->out, "%s%s %s -> %s", c->n++ ? "; " : ": ", r->step_id,
			      step_state_name(c->b->states[i]), step_state_name(r->state));
	}
	return 0;
}

/* What waits in an incident, with the command that applies: status's
 * second line. */
struct waits {
	struct strbuf *out;
	const char *key;
	int n;
};

static int waits_row(const struct step_row *r, void *arg)
{
	struct waits *w = arg;
	const char *sep = w->n ? "; " : "\nwaiting: ";

	if (w->n >= 3)
		return 1;
	if (r->state == STEP_WAITING && !strcmp(r->kind, "approval")) {
		strbuf_printf(w->out, "%s%s needs approval — send 'approve %s %s' or 'deny %s %s "
			      "REASON'", sep, r->step_id, w->key, r->step_id, w->key, r->step_id);
	} else if (r->state == STEP_WAITING) {
		strbuf_printf(w->out, "%s%s waits for a person (irk step show %s %s)", sep,
			      r->step_id, w->key, r->step_id);
	} else if (r->state == STEP_FAILED) {
		strbuf_printf(w->out, "%s%s failed — send 'retry %s %s' or 'skip %s %s REASON'", sep,
			      r->step_id, w->key, r->step_id, w->key, r->step_id);
	} else {
		return 0;
	}
	w->n++;
	return 0;
}

static int do_status(struct chat *ch, const struct chat_cmd *c, const char *key,
		     struct strbuf *out, struct irk_err *err)
{
	struct incident inc;
	struct waits w = { out, key, 0 };
	int rc;

	if ((rc = store_incident_get(ch->s, c->id, &inc, err)))
		return rc;
	strbuf_printf(out, "%s P%d %s, %s, ", key, inc.priority, severity_name(inc.severity),
		      stage_name(inc.stage));
	if (inc.owner)
		strbuf_printf(out, "held by %s: ", inc.owner);
	else
		strbuf_puts(out, "nobody holds it: ");
	strbuf_puts(out, inc.title ? inc.title : "");
	if (inc.stage != STAGE_CLOSED)
		store_step_each(ch->s, c->id, waits_row, &w, NULL);
	if (!w.n && !inc.owner && inc.stage != STAGE_CLOSED)
		strbuf_printf(out, "\nsend 'claim %s' to take it", key);
	incident_clear(&inc);
	return IRK_OK;
}

struct listing {
	struct strbuf *out;
	int p1, shown, more;
};

static int list_row(const struct incident *inc, void *arg)
{
	struct listing *l = arg;
	char key[24];
	const char *t = inc->title ? inc->title : "";
	size_t fit = utf8_fit(t, strlen(t), CHAT_TITLE_COLS);

	if (l->p1 && inc->priority > 1)
		return 1;               /* by priority first: no P1 after this */
	if (l->shown == CHAT_LIST_LINES) {
		l->more++;
		return !l->p1;          /* the count of the rest comes from the index */
	}
	strbuf_printf(l->out, "\n%s P%d %s %s: %.*s%s", incident_key(inc->id, key, sizeof key),
		      inc->priority, stage_name(inc->stage), inc->owner ? inc->owner : "-",
		      (int)fit, t, fit < strlen(t) ? "…" : "");
	l->shown++;
	return 0;
}

static int do_list(struct chat *ch, const struct chat_cmd *c, const struct actor *who,
		   struct strbuf *out, struct irk_err *err)
{
	static const char *const what[] = { "open", "open and yours", "open and unassigned",
					    "open at P1" };
	struct incident_filter f = INCIDENT_FILTER_ALL;
	struct strbuf lines = STRBUF_INIT;
	struct listing l = { &lines, c->list == CHAT_LIST_P1, 0, 0 };
	int64_t total;
	int rc;

	f.open_only = 1;
	f.card = 1;
	if (c->list == CHAT_LIST_MINE)
		f.owner = who->name;
	else if (c->list == CHAT_LIST_UNASSIGNED)
		f.unassigned = 1;
	if (!l.p1)
		f.limit = CHAT_LIST_LINES + 1;
	if ((rc = store_incident_each(ch->s, &f, list_row, &l, err))) {
		strbuf_free(&lines);
		return rc;
	}
	total = l.shown + l.more;
	if (!l.p1 && l.more && (total = store_incident_count(ch->s, &f, err)) < 0) {
		strbuf_free(&lines);
		return IRK_ERROR;
	}
	if (!total)
		strbuf_printf(out, "no incident is %s", what[c->list]);
	else
		strbuf_printf(out, "%lld %s%s", (long long)total,
			      total == 1 ? "incident is " : "incidents are ", what[c->list]);
	strbuf_puts(out, strbuf_str(&lines));
	if (total > l.shown)
		strbuf_printf(out, "\n…and %lld more (irk list)", (long long)(total - l.shown));
	else if (total)
		strbuf_puts(out, "\nsend 'status IR-N' for one");
	strbuf_free(&lines);
	return IRK_OK;
}

/* ack: acknowledged, as irk counts it, is the first claim (or move out of
 * new): one nobody holds is claimed; one someone holds is left to them,
 * and the ack is on record (its audit event). */
static int do_ack(struct chat *ch, const struct chat_cmd *c, const struct actor *who,
		  const char *key, struct strbuf *out, struct irk_err *err)
{
	struct incident inc;
	int rc;

	if ((rc = store_incident_get(ch->s, c->id, &inc, err)))
		return rc;
	if (inc.owner && strcmp(inc.owner, who->name)) {
		strbuf_printf(out, "%s is held by %s; your ack is on record", key, inc.owner);
		incident_clear(&inc);
		return IRK_OK;
	}
	incident_clear(&inc);
	if ((rc = incident_claim(ch->s, who, c->id, 0, 0, err)))
		return rc;
	if (err->msg[0])            /* already yours */
		strbuf_puts(out, err->msg);
	else
		strbuf_printf(out, "%s acknowledged: it is yours", key);
	return IRK_OK;
}

static int do_step(struct chat *ch, const struct chat_cmd *c, const struct actor *who,
		   const char *key, const char *text, struct strbuf *out, struct irk_err *err)
{
	struct before b = { 0 };
	struct changed chg = { &b, out, 0 };
	int rc;

	store_step_each(ch->s, c->id, before_row, &b, NULL);
	switch (c->verb) {
	case CHAT_APPROVE: rc = play_step_approve(ch->s, who, c->id, c->step, err); break;
	case CHAT_DENY: rc = play_step_deny(ch->s, who, c->id, c->step, text, err); break;
	case CHAT_RETRY: rc = play_step_retry(ch->s, who, c->id, c->step, text, err); break;
	default: rc = play_step_skip(ch->s, who, c->id, c->step, text, err); break;
	}
	if (!rc) {
		strbuf_printf(out, "%s", key);
		store_step_each(ch->s, c->id, changed_row, &chg, NULL);
		if (!chg.n)
			strbuf_printf(out, " %s: %s, nothing changed", c->step, chat_verb_name(c->verb));
	}
	free(b.ids);
	free(b.states);
	return rc;
}

static int do_move(struct chat *ch, const struct chat_cmd *c, const struct actor *who,
		   const char *key, const char *text, struct strbuf *out, struct irk_err *err)
{
	int rc = incident_move(ch->s, who, c->id, c->stage, text, 0, 0, err);

	if (rc)
		return rc;
	/* The steps of the new stage, as irk move does. */
	if ((rc = store_begin(ch->s, err)))
		return rc;
	if ((rc = play_advance(ch->s, c->id, who->name, NULL, err))) {
		store_rollback(ch->s);
		return rc;
	}
	if ((rc = store_commit(ch->s, err)))
		return rc;
	strbuf_printf(out, "%s moved to %s", key, stage_name(c->stage));
	return IRK_OK;
}

/* Run c as who; the answer into out. IRK_OK, or the refusal in err. */
static int run(struct chat *ch, const struct chat_cmd *c, const struct actor *who, int in_room,
	       struct strbuf *out, struct irk_err *err)
{
	char key[24], *text = c->text ? xstrndup(c->text, c->text_len) : NULL;
	int rc = IRK_OK;

	incident_key(c->id, key, sizeof key);
	if (in_room && !chat_verb_in_room(c->verb)) {
		rc = irk_fail(err, IRK_REFUSED, "in the room irk only answers status and list; "
			      "send '%s' to irk directly", chat_verb_name(c->verb));
		free(text);
		return rc;
	}
	switch (c->verb) {
	case CHAT_HELP: chat_help(c->topic, out); break;
	case CHAT_STATUS: rc = do_status(ch, c, key, out, err); break;
	case CHAT_LIST: rc = do_list(ch, c, who, out, err); break;
	case CHAT_ACK: rc = do_ack(ch, c, who, key, out, err); break;
	case CHAT_CLAIM:
		if (!(rc = incident_claim(ch->s, who, c->id, 0, 0, err)))
			strbuf_printf(out, err->msg[0] ? "%s" : "%s is yours", err->msg[0] ? err->msg : key);
		break;
	case CHAT_NOTE:
		if (!(rc = incident_note(ch->s, who, c->id, text, err)))
			strbuf_printf(out, "note added to %s", key);
		break;
	case CHAT_MOVE: rc = do_move(ch, c, who, key, text, out, err); break;
	default: rc = do_step(ch, c, who, key, text, out, err); break;
	}
	free(text);
	return rc;
}

/* The audit event of one command (inside the caller's group); result:
 * NULL for what rc says. */
static int audit_command(struct chat *ch, const struct chat_cmd *c, const struct actor *who,
			 const char *jid, int in_room, int rc, const struct irk_err *why,
			 const char *result)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	struct irk_err err = { 0 };

	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "channel", "xmpp");
	jsonw_kv_str(&w, "jid", jid);
	jsonw_kv_bool(&w, "room", in_room);
	jsonw_kv_str(&w, "command", chat_verb_name(c->verb));
	if (c->step[0])
		jsonw_kv_str(&w, "step", c->step);
	if (c->stage >= 0)
		jsonw_kv_str(&w, "stage", stage_name(c->stage));
	jsonw_kv_str(&w, "result", result ? result : !rc ? "ok" : rc == IRK_ERROR ? "error" : "refused");
	if (rc && !result)
		jsonw_kv_str(&w, "why", why->msg);
	jsonw_obj_end(&w);
	if (!(rc = store_begin(ch->s, &err)) &&
	    !(rc = audit_append(ch->s, who->name, c->id, "chat.command", strbuf_str(&js), NULL,
				&err)))
		rc = store_commit(ch->s, &err);
	else if (rc)
		store_rollback(ch->s);
	strbuf_free(&js);
	return rc;
}

/* The bare JID of from, lowered (JIDs compare without case here), into
 * buf; 0 when there is none or it does not fit. */
static int bare_jid(const char *from, char *buf, size_t n)
{
	size_t len = strcspn(from, "/");

	if (!len || len >= n)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)from[i];
		if (ch <= ' ' || ch == 0x7F)
			return 0;
		buf[i] = (char)tolower(ch);
	}
	buf[len] = '\0';
	return 1;
}

int chat_handle(struct chat *ch, const char *from, const char *body, int in_room,
		int delayed, int64_t now, struct strbuf *reply)
{
	struct irk_err err = { 0 }, perr = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct chat_cmd c;
	struct actor who;
	char jid[256];
	int rc, wait = 0;

	/* Replayed from offline storage, or from no one we can name: not
	 * executed, not answered. */
	if (!ch || delayed || !from || !bare_jid(from, jid, sizeof jid))
		return 0;
	if (store_user_by_jid(ch->s, jid, who.name, &who.role, NULL))
		return 0;
	rc = chat_parse(body, &c, &perr);
	/* Blank; or talk in the room that is not a command for irk. */
	if (rc == IRK_NOTFOUND || (rc && in_room))
		return 0;
	switch (rate_take(ch, jid, now, &wait)) {
	case RATE_QUIET:
		return 0;
	case RATE_WARN:
		/* One event per burst (the rest of it leaves none: a flood
		 * does not grow the log); a message that is no command none. */
		if (!rc && audit_command(ch, &c, &who, jid, in_room, 0, NULL, "rate-limited")) {
			strbuf_puts(reply, "irk could not record that; nothing was changed");
			return 1;
		}
		strbuf_printf(reply, "slow down: irk takes %d commands at once and one more every "
			      "%d s; try again in %d s", CHAT_RATE_BURST, CHAT_RATE_EVERY,
			      wait > 0 ? wait : 1);
		return 1;
	}
	if (rc) {
		sanitize_append(reply, perr.msg, strlen(perr.msg), 0);
		return 1;
	}
	/* The change, what the domain layers do after it and its record
	 * commit together. */
	if (store_group_begin(ch->s, &err)) {
		strbuf_puts(reply, "irk cannot reach its database now; try again");
		return 1;
	}
	rc = run(ch, &c, &who, in_room, &out, &err);
	if (audit_command(ch, &c, &who, jid, in_room, rc, &err, NULL)) {
		store_group_end(ch->s, 0, NULL);
		strbuf_free(&out);
		strbuf_puts(reply, "irk could not record that; nothing was changed");
		return 1;
	}
	if (store_group_end(ch->s, 1, &perr)) {
		strbuf_free(&out);
		strbuf_puts(reply, "irk could not save that; nothing was changed");
		return 1;
	}
	if (rc) {
		struct strbuf hint = STRBUF_INIT;
		char key[24];
		need_hint(&err, &c, incident_key(c.id, key, sizeof key), &hint);
		strbuf_reset(&out);
		strbuf_puts(&out, err.msg[0] ? err.msg : "that did not work");
		if (hint.len)
			strbuf_printf(&out, " (%s)", strbuf_str(&hint));
		strbuf_free(&hint);
	}
	sanitize_append(reply, out.buf, out.len, SAN_KEEP_NL);
	strbuf_free(&out);
	return 1;
}
