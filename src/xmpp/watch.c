/* watch.c: state changes of followed incidents as messages (irk/watch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/config.h"
#include "irk/jdoc.h"
#include "irk/model.h"
#include "irk/sanitize.h"
#include "irk/sla.h"
#include "irk/store.h"
#include "irk/watch.h"

#define ROUND_EVENTS 500
#define META_SEQ "xmpp.watch_seq"
#define META_SLA "xmpp.sla."      /* + incident id: the SLA clock told breached */

/* A string of the event's JSON data, sanitized into buf ("" when none). */
static const char *field(const struct jdoc *d, const char *key, char *buf, size_t n)
{
	const char *v = jdoc_str(d, jdoc_get(d, 0, key));
	return sanitize_buf(buf, n, v ? v : "", 0);
}

int watch_text(const struct event_row *e, struct strbuf *out)
{
	struct jdoc d;
	struct jdoc_error je;
	char key[24], actor[64], a[128], b[200], c[64];
	int rc = 0;

	if (!e->incident_id || !e->data)
		return 0;
	jdoc_init(&d);
	if (jdoc_parse(&d, e->data, strlen(e->data), &je)) {
		jdoc_free(&d);
		return 0;
	}
	incident_key(e->incident_id, key, sizeof key);
	sanitize_buf(actor, sizeof actor, e->actor, 0);
	if (!strcmp(e->kind, "incident.claim")) {
		field(&d, "previous", b, sizeof b);
		strbuf_printf(out, "%s claimed by %s%s%s", key, actor, *b ? ", taken over from " : "", b);
		rc = 1;
	} else if (!strcmp(e->kind, "incident.move") || !strcmp(e->kind, "incident.close")) {
		field(&d, "to", a, sizeof a);
		field(&d, "reason", b, sizeof b);
		strbuf_printf(out, "%s moved to %s by %s%s%s", key, a, actor, *b ? ": " : "", b);
		rc = 1;
	} else if (!strcmp(e->kind, "step.failed")) {
		field(&d, "step", a, sizeof a);
		field(&d, "why", b, sizeof b);
		strbuf_printf(out, "%s: step %s failed%s%s - reply 'retry %s %s' or 'skip %s %s <reason>'",
			      key, a, *b ? ": " : "", b, key, a, key, a);
		rc = 1;
	} else if (!strcmp(e->kind, "step.waiting")) {
		field(&d, "kind", c, sizeof c);
		field(&d, "step", a, sizeof a);
		if (!strcmp(c, "approval")) {
			strbuf_printf(out, "%s needs an approval: %s - reply 'approve %s %s' or "
				      "'deny %s %s <reason>'", key, a, key, a, key, a);
			rc = 1;
		}
	}
	jdoc_free(&d);
	return rc;
}

/* ---- a round ------------------------------------------------------------------ */

struct change {
	int64_t incident_id;
	char *actor, *text;
};

struct round {
	struct change *v;
	size_t n;
	int64_t last;
};

static int collect(const struct event_row *e, void *arg)
{
	struct round *r = arg;
	struct strbuf text = STRBUF_INIT;

	r->last = e->seq;
	if (watch_text(e, &text)) {
		r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
		r->v[r->n++] = (struct change){ e->incident_id, xstrdup(e->actor),
						strbuf_detach(&text) };
	}
	strbuf_free(&text);
	return 0;
}

struct to {
	char **v;
	size_t n;
};

static void to_add(struct to *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], name))
			return;
	t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	t->v[t->n++] = xstrdup(name);
}

static void add_watcher(const char *name, void *arg)
{
	to_add(arg, name);
}

static void to_free(struct to *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Who follows incident id: its watchers, and [xmpp] watch_pN of its priority. */
static int followers(struct store *s, const struct config *cfg, const struct incident *inc,
		     struct to *t, struct irk_err *err)
{
	const char *list = inc->priority >= 1 && inc->priority <= 4 ?
			   config_settings(cfg)->xmpp.watch[inc->priority] : NULL;

	if (store_watchers(s, inc->id, add_watcher, t, err))
		return IRK_ERROR;
	if (list) {
		char *copy = xstrdup(list), *save = NULL;
		for (char *w = strtok_r(copy, " ,", &save); w; w = strtok_r(NULL, " ,", &save))
			to_add(t, w);
		free(copy);
	}
	return IRK_OK;
}

/* A role:ROLE in t that reaches actor becomes the users it reaches with a
 * JID (whom it would be delivered to), actor left out: the one who made a
 * change is not told of it through their role either. */
static int without_actor(struct store *s, const char *actor, struct to *t, struct irk_err *err)
{
	int arole = actor ? store_user_role(s, actor) : -1;
	struct user *u = NULL;
	size_t nu = 0;
	struct to out = { 0 };

	if (arole < 0)
		return IRK_OK;
	for (size_t i = 0; i < t->n; i++) {
		int r = strncmp(t->v[i], "role:", 5) ? -1 : role_parse(t->v[i] + 5);
		if (r < 0 || arole < r) {
			to_add(&out, t->v[i]);
			continue;
		}
		if (!u && store_user_list(s, &u, &nu, err)) {
			to_free(&out);
			return IRK_ERROR;
		}
		for (size_t k = 0; k < nu; k++)
			if (u[k].role >= r && *u[k].jid && strcmp(u[k].name, actor))
				to_add(&out, u[k].name);
	}
	free(u);
	to_free(t);
	*t = out;
	return IRK_OK;
}

/* Queue text to everyone following inc but actor. */
static int tell(struct store *s, const struct config *cfg, const struct incident *inc,
		const char *actor, const char *text, int *queued, struct irk_err *err)
{
	struct to t = { 0 };
	int rc = followers(s, cfg, inc, &t, err);

	if (!rc)
		rc = without_actor(s, actor, &t, err);
	for (size_t i = 0; i < t.n && !rc; i++) {
		if (actor && !strcmp(t.v[i], actor))
			continue;
		rc = store_outbox_add(s, inc->id, 0, t.v[i], text, irk_now(), NULL, err);
		if (!rc && queued)
			(*queued)++;
	}
	to_free(&t);
	return rc;
}

/* An open incident someone follows whose SLA clock ran out: told once per
 * clock (meta xmpp.sla.ID holds the clock told). */
struct sla_walk {
	struct store *s;
	const struct config *cfg;
	struct sla_policy pol;
	int64_t now;
	int *queued;
	struct irk_err *err;
	int rc;
};

static int sla_one(const struct incident *inc, void *arg)
{
	struct sla_walk *w = arg;
	struct sla_status st;
	struct strbuf told = STRBUF_INIT, text = STRBUF_INIT;
	struct to t = { 0 };
	char mkey[48], clock[4], left[64], ikey[24];

	sla_status(&w->pol, inc, w->now, &st);
	if (st.state != SLA_BREACHED)
		return 0;
	if ((w->rc = followers(w->s, w->cfg, inc, &t, w->err)) || !t.n) {
		to_free(&t);
		return w->rc;
	}
	to_free(&t);
	snprintf(mkey, sizeof mkey, META_SLA "%lld", (long long)inc->id);
	snprintf(clock, sizeof clock, "%d", st.clock);
	store_meta_get(w->s, mkey, &told);
	int again = !strcmp(strbuf_str(&told), clock);
	strbuf_free(&told);
	if (again)
		return 0;
	incident_key(inc->id, ikey, sizeof ikey);
	strbuf_printf(&text, "%s: SLA breached (%s) - reply 'status %s'", ikey,
		      sla_text(&st, left, sizeof left), ikey);
	w->rc = store_meta_set(w->s, mkey, clock, w->err);
	if (!w->rc)
		w->rc = tell(w->s, w->cfg, inc, NULL, strbuf_str(&text), w->queued, w->err);
	strbuf_free(&text);
	return w->rc;
}

int watch_round(struct store *s, const struct config *cfg, int64_t now, int sla, int *queued,
		struct irk_err *err)
{
	struct round r = { 0 };
	struct strbuf seq = STRBUF_INIT;
	int rc;

	if (queued)
		*queued = 0;
	/* Nothing new since the last round: no write transaction at all. */
	if (!sla && store_meta_get(s, META_SEQ, &seq) == IRK_OK &&
	    atoll(strbuf_str(&seq)) >= audit_last_seq(s)) {
		strbuf_free(&seq);
		return IRK_OK;
	}
	strbuf_reset(&seq);
	if (store_begin(s, err)) {
		strbuf_free(&seq);
		return IRK_ERROR;
	}
	if (store_meta_get(s, META_SEQ, &seq) != IRK_OK) {
		char v[32];
		snprintf(v, sizeof v, "%lld", (long long)audit_last_seq(s));
		rc = store_meta_set(s, META_SEQ, v, err);
		goto out;
	}
	r.last = atoll(strbuf_str(&seq));
	int64_t from = r.last;
	rc = audit_after(s, from, ROUND_EVENTS, collect, &r, err);
	for (size_t i = 0; i < r.n && !rc; i++) {
		struct incident inc;
		if (store_incident_get(s, r.v[i].incident_id, &inc, NULL) != IRK_OK)
			continue;
		rc = tell(s, cfg, &inc, r.v[i].actor, r.v[i].text, queued, err);
		incident_clear(&inc);
	}
	if (!rc && sla) {
		struct sla_walk w = { .s = s, .cfg = cfg, .now = now, .queued = queued, .err = err };
		struct incident_filter f = INCIDENT_FILTER_ALL;
		f.open_only = 1;
		f.card = 1;
		sla_policy_load(&w.pol, cfg);
		rc = store_incident_each(s, &f, sla_one, &w, err);
		if (!rc)
			rc = w.rc;
	}
	if (!rc && r.last != from) {
		char v[32];
		snprintf(v, sizeof v, "%lld", (long long)r.last);
		rc = store_meta_set(s, META_SEQ, v, err);
	}
out:
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].actor);
		free(r.v[i].text);
	}
	free(r.v);
	strbuf_free(&seq);
	if (rc || store_commit(s, err)) {
		store_rollback(s);
		return IRK_ERROR;
	}
	return IRK_OK;
}
