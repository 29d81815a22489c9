/* storm.c: storm grouping (storm.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/hash.h"
#include "irk/hmap.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/storm.h"
#include "irk/store.h"

/* What a transaction knows of a rule's storm. */
struct rule_state {
	int64_t id, first, last;   /* the open storm (0: none), its oldest and newest events */
	int known;                 /* its open plain incidents are in st->plain (1),
	                            * too many to keep (-1), not read yet (0) */
};

/* A rule with a storm keeps at most this many open plain incidents in
 * memory (its first storm_threshold, those split out): its storm's
 * alerts then correlate without asking the database, two lookups an
 * alert. A rule with more is asked about as always. */
#define PLAIN_MAX 1024

/* A storm's new hosts wait here and are stored 16 a statement (a storm
 * adds one an alert): at the 16th, and before the commit. A host this
 * long or longer is stored at once. */
#define PEND_ROWS 16
#define PEND_HOST 128
struct pend {
	int64_t id;                /* the storm */
	int n;
	struct { int64_t ref, at; char host[PEND_HOST]; } r[PEND_ROWS];
};

/* An open plain incident of a stormy rule, under "h" or "s", NUL, rule,
 * NUL, host or source address (ingest's correlation keys). */
struct plain {
	int64_t id, first, last;
};

struct storm {
	struct storm_policy p;
	storm_of_fn *of;
	void *arg;
	struct hmap *rules;        /* rule -> struct rule_state */
	struct hmap *kinds;        /* incident id -> 1 storm, 2 plain */
	struct hmap *hosts;        /* id, host -> seen (stored) */
	struct hmap *added;        /* storm id -> hosts added (int64_t) */
	struct hmap *plain;        /* key -> struct plain (rules with a storm) */
	int loaded;                /* the open storms are in rules */
	struct pend *pend;         /* one a storm that gained hosts */
	size_t npend, cap;
	struct hmap *pend_of;      /* storm id -> index in pend (size_t) */
};

const char *storm_member(const struct alert *a)
{
	if (a->host && *a->host)
		return a->host;
	return a->src_ip && *a->src_ip ? a->src_ip : NULL;
}

void storm_title(struct strbuf *out, const char *base, int64_t hosts)
{
	char digits[24], grouped[32];
	int n = snprintf(digits, sizeof digits, "%lld", (long long)(hosts < 0 ? 0 : hosts)), j = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	strbuf_printf(out, "%s on %s host%s", base, grouped, hosts == 1 ? "" : "s");
}

int storm_title_parse(const char *title, size_t *base_len, int64_t *hosts)
{
	size_t n = strlen(title), end;
	int64_t v = 0;
	const char *p;

	if (n > 6 && !strcmp(title + n - 6, " hosts"))
		end = n - 6;
	else if (n > 5 && !strcmp(title + n - 5, " host"))
		end = n - 5;
	else
		return 0;
	p = title + end;
	while (p > title && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == ','))
		p--;
	if (p == title + end || *p == ',' || p - title < 4 || strncmp(p - 4, " on ", 4))
		return 0;
	for (const char *q = p; q < title + end; q++)
		if (*q != ',')
			v = v * 10 + (*q - '0');
	*base_len = (size_t)(p - 4 - title);
	*hosts = v;
	return 1;
}

struct storm *storm_new(const struct storm_policy *p, storm_of_fn *of, void *arg)
{
	struct storm *st = xcalloc(1, sizeof *st);

	st->p = *p;
	if (st->p.threshold < 0)
		st->p.threshold = 0;
	st->of = of;
	st->arg = arg;
	st->rules = hmap_new(sizeof(struct rule_state));
	st->kinds = hmap_new(1);
	st->hosts = hmap_new(1);
	st->added = hmap_new(sizeof(int64_t));
	st->plain = hmap_new(sizeof(struct plain));
	st->pend_of = hmap_new(sizeof(size_t));
	return st;
}

void storm_free(struct storm **stp)
{
	struct storm *st = *stp;

	if (!st)
		return;
	hmap_free(&st->rules);
	hmap_free(&st->kinds);
	hmap_free(&st->hosts);
	hmap_free(&st->added);
	hmap_free(&st->plain);
	hmap_free(&st->pend_of);
	free(st->pend);
	free(st);
	*stp = NULL;
}

/* Other writers may open, close or split storms between transactions. */
void storm_forget(struct storm *st)
{
	hmap_clear(st->rules);
	hmap_clear(st->kinds);
	hmap_clear(st->hosts);
	hmap_clear(st->added);
	hmap_clear(st->plain);
	hmap_clear(st->pend_of);
	st->npend = 0;
	st->loaded = 0;
}

/* The rule's state, read from the database once a transaction. */
/* A rule's newest open storm. */
static int storm_row(const char *rule, int64_t id, int64_t first, int64_t last, void *arg)
{
	struct storm *st = arg;
	int created;
	struct rule_state *rs = hmap_put(st->rules, rule, strlen(rule), &created);

	if (created || last > rs->last)
		*rs = (struct rule_state){ id, first, last, 0 };
	return 0;
}

/* The rule's state. The open storms (few: one a rule) are read once a
 * transaction, with one statement, whatever the rules seen. NULL on an
 * error. */
static struct rule_state *rule_state(struct storm *st, struct store *s, const char *rule,
				     struct irk_err *err)
{
	if (!st->loaded) {
		hmap_clear(st->rules);
		if (store_storm_each(s, storm_row, st, err))
			return NULL;
		st->loaded = 1;
	}
	return hmap_put(st->rules, rule, strlen(rule), NULL);
}

/* ingest.c's correlation key: kind, NUL, rule, NUL, value; 0 when none. */
static size_t plain_key(char *buf, size_t n, char kind, const char *rule, const char *v)
{
	size_t rl = strlen(rule), vl = v ? strlen(v) : 0;

	if (!vl || rl + vl + 3 > n)
		return 0;
	buf[0] = kind;
	memcpy(buf + 1, rule, rl + 1);
	memcpy(buf + 2 + rl, v, vl);
	return rl + vl + 2;
}

struct plain_load {
	struct storm *st;
	const char *rule;
};

/* Keep the newest (by last event) of a key, as the database's lookup
 * would find it. */
static void plain_keep(struct storm *st, char kind, const char *rule, const char *v,
		       int64_t id, int64_t first, int64_t last)
{
	char key[1024];
	size_t kl = plain_key(key, sizeof key, kind, rule, v);
	int created;
	struct plain *p;

	if (!kl)
		return;
	p = hmap_put(st->plain, key, kl, &created);
	if (created || last > p->last)
		*p = (struct plain){ id, first, last };
}

static int plain_row(int64_t id, const char *host, const char *src, int64_t first,
		     int64_t last, void *arg)
{
	struct plain_load *pl = arg;

	plain_keep(pl->st, 'h', pl->rule, host, id, first, last);
	plain_keep(pl->st, 's', pl->rule, src, id, first, last);
	return 0;
}

int storm_correlate(struct storm *st, struct store *s, const char *rule,
		    const struct storm_key k[2], int64_t t, int64_t window, int64_t *id,
		    struct irk_err *err)
{
	struct rule_state *rs = rule_state(st, s, rule, err);

	*id = 0;
	if (!rs)
		return -1;
	if (!rs->id)
		return 0;
	if (!rs->known) {
		struct plain_load pl = { st, rule };
		int64_t n;
		if (store_storm_plain_each(s, rule, PLAIN_MAX + 1, plain_row, &pl, &n, err))
			return -1;
		rs->known = n > PLAIN_MAX ? -1 : 1;
	}
	if (rs->known < 0)
		return 0;
	for (int i = 0; i < 2; i++) {
		struct plain *p = k[i].len ? hmap_get_h(st->plain, k[i].buf, k[i].len, k[i].h) : NULL;
		if (!p)
			continue;
		if (p->last >= t - window && p->first <= t + window) {
			*id = p->id;
			return 1;
		}
		return 0;   /* an older one may still fit: the database knows */
	}
	return 1;
}

/* The hosts a storm was given in this transaction, by storm id and host. */
#define HOST_KEY_MAX 1000
static size_t host_key(char *key, int64_t id, const char *host)
{
	size_t hl = strlen(host);

	memcpy(key, &id, sizeof id);
	memcpy(key + sizeof id, host, hl);
	return sizeof id + hl;
}

/* Nonzero when storm id was given host in this transaction. */
static int host_seen(struct storm *st, int64_t id, const char *host)
{
	char key[sizeof(int64_t) + HOST_KEY_MAX];

	return strlen(host) <= HOST_KEY_MAX && hmap_get(st->hosts, key, host_key(key, id, host));
}

/* The same, and remember it given (host at most HOST_KEY_MAX bytes). */
static int host_seen_put(struct storm *st, int64_t id, const char *host)
{
	char key[sizeof(int64_t) + HOST_KEY_MAX];
	int created;

	hmap_put(st->hosts, key, host_key(key, id, host), &created);
	return !created;
}

static void kind_set(struct storm *st, int64_t id, int storm)
{
	*(unsigned char *)hmap_put(st->kinds, &id, sizeof id, NULL) = storm ? 1 : 2;
}

static int joined(struct rule_state *rs, int64_t t, int64_t *id)
{
	if (t > rs->last)
		rs->last = t;
	if (t < rs->first)
		rs->first = t;
	*id = rs->id;
	return STORM_JOIN;
}

int storm_decide(struct storm *st, struct store *s, const char *rule, const struct alert *a,
		 int64_t *id, struct irk_err *err)
{
	struct rule_state *rs = rule_state(st, s, rule, err);
	const char *member = storm_member(a);
	int64_t t = a->event_time, threshold = st->p.threshold, said = 0, opened;
	int on = st->p.on, say;

	*id = 0;
	if (!rs)
		return -1;
	/* A storm going on takes the rule's alerts (those of its time, give
	 * or take the window: not last week's, read in late), and one that
	 * has gone quiet those of its hosts. */
	if (rs->id && rs->last >= t - st->p.window && rs->first <= t + st->p.window)
		return joined(rs, t, id);
	if (rs->id && member) {
		int has = host_seen(st, rs->id, member);
		if (!has)
			has = store_storm_has_host(s, rs->id, member);
		if (has < 0)
			return irk_fail(err, IRK_ERROR, "reading a storm's hosts"), -1;
		if (has)
			return joined(rs, t, id);
	}
	/* Would this be one incident too many? A play may say otherwise. */
	if (st->of && (say = st->of(a, st->arg, &said)) >= 0) {
		on = say;
		if (said > 0)
			threshold = said;
	}
	if (!on)
		return STORM_PLAIN;
	opened = store_storm_opened(s, rule, t - st->p.window, t + st->p.window, threshold);
	if (opened < 0)
		return irk_fail(err, IRK_ERROR, "counting a rule's incidents"), -1;
	if (opened < threshold)
		return STORM_PLAIN;
	if (!rs->id)
		return STORM_OPEN;
	joined(rs, t, id);
	return STORM_GATHER;
}

static void rule_unknown(const void *key, size_t klen, void *value, void *arg)
{
	(void)key;
	(void)klen;
	(void)arg;
	((struct rule_state *)value)->known = 0;
}

/* At most this many incidents are folded at a time: a rule that opened
 * more within the window (a threshold set high) gives the rest on the
 * next gathering. */
#define FOLD_MAX 4096

int storm_fold(struct storm *st, struct store *s, const char *actor, const char *rule,
	       int64_t id, int64_t t, int64_t *folded, struct irk_err *err)
{
	int64_t *ids = xmalloc(FOLD_MAX * sizeof *ids), n = 0, hosts = 0;
	int rc;

	*folded = 0;
	rc = store_storm_foldable_each(s, rule, t - st->p.window, t + st->p.window, id, FOLD_MAX,
				       ids, &n, err);
	for (int64_t i = 0; !rc && i < n; i++) {
		int64_t added;
		if (!(rc = store_storm_fold_hosts(s, ids[i], id, &added, err)) &&
		    !(rc = incident_fold(s, actor, ids[i], id, err)))
			hosts += added;
	}
	free(ids);
	if (rc)
		return rc;
	*folded = n;
	/* The storm's title counts its new hosts at the flush. */
	*(int64_t *)hmap_put(st->added, &id, sizeof id, NULL) += hosts;
	/* What storm_correlate() kept of the rules' plain incidents may name
	 * the ones closed now. */
	hmap_clear(st->plain);
	hmap_each(st->rules, rule_unknown, NULL);
	return IRK_OK;
}

void storm_open_fields(struct incident *inc)
{
	struct strbuf t = STRBUF_INIT;

	storm_title(&t, inc->title ? inc->title : "", 1);
	free(inc->title);
	inc->title = strbuf_detach(&t);
	inc->storm = 1;
	free(inc->host);
	free(inc->src_ip);
	inc->host = inc->src_ip = NULL;
}

void storm_opened(struct storm *st, const char *rule, int64_t id, int64_t t, int storm)
{
	struct rule_state *rs;

	if (!storm) {
		kind_set(st, id, 0);
		return;
	}
	rs = hmap_put(st->rules, rule, strlen(rule), NULL);
	rs->id = id;
	rs->first = rs->last = t;
	rs->known = 0;
	kind_set(st, id, 1);
	/* Its title says "on 1 host" already: the host the opening alert
	 * adds next is not one more. */
	*(int64_t *)hmap_put(st->added, &id, sizeof id, NULL) = -1;
}

int storm_is(struct storm *st, struct store *s, int64_t id)
{
	unsigned char *k = hmap_get(st->kinds, &id, sizeof id);
	int v;

	if (k)
		return *k == 1;
	if ((v = store_storm_is(s, id)) < 0)
		return -1;
	kind_set(st, id, v);
	return v;
}

/* Store the waiting hosts of p; the storm's count of new hosts follows. */
static int pend_flush(struct storm *st, struct store *s, struct pend *p, struct irk_err *err)
{
	struct storm_host rows[PEND_ROWS];
	int64_t added;

	for (int i = 0; i < p->n; i++)
		rows[i] = (struct storm_host){ p->r[i].host, p->r[i].ref, p->r[i].at };
	if (store_storm_hosts_add(s, p->id, rows, p->n, &added, err))
		return IRK_ERROR;
	p->n = 0;
	*(int64_t *)hmap_put(st->added, &p->id, sizeof p->id, NULL) += added;
	return IRK_OK;
}

/* The waiting hosts of storm id (made when missing). */
static struct pend *pend_get(struct storm *st, int64_t id)
{
	int created;
	size_t *i = hmap_put(st->pend_of, &id, sizeof id, &created);

	if (created) {
		if (st->npend == st->cap) {
			st->cap = st->cap ? 2 * st->cap : 8;
			st->pend = xrealloc(st->pend, st->cap * sizeof *st->pend);
		}
		*i = st->npend++;
		st->pend[*i].id = id;
		st->pend[*i].n = 0;
	}
	return &st->pend[*i];
}

int storm_note(struct storm *st, struct store *s, int64_t id, const struct alert *a,
	       int64_t alert_id, int64_t at, struct irk_err *err)
{
	const char *member = storm_member(a);
	size_t ml;
	int rc;

	if (!member || (ml = strlen(member)) > HOST_KEY_MAX)
		return IRK_OK;
	rc = storm_is(st, s, id);
	if (rc <= 0)
		return rc ? irk_fail(err, IRK_ERROR, "reading an incident") : IRK_OK;
	if (host_seen_put(st, id, member))
		return IRK_OK;
	if (ml >= PEND_HOST) {
		struct storm_host one = { member, alert_id, at };
		int64_t added;
		if (store_storm_hosts_add(s, id, &one, 1, &added, err))
			return IRK_ERROR;
		*(int64_t *)hmap_put(st->added, &id, sizeof id, NULL) += added;
		return IRK_OK;
	}
	struct pend *p = pend_get(st, id);
	p->r[p->n].ref = alert_id;
	p->r[p->n].at = at;
	memcpy(p->r[p->n].host, member, ml + 1);
	return ++p->n == PEND_ROWS ? pend_flush(st, s, p, err) : IRK_OK;
}

struct flush_state {
	struct store *s;
	struct irk_err *err;
	int rc;
};

static void retitle_one(const void *key, size_t klen, void *value, void *arg)
{
	struct flush_state *fs = arg;
	int64_t id, added = *(int64_t *)value, hosts;
	struct strbuf t = STRBUF_INIT;
	char *title;
	size_t base;

	(void)klen;
	memcpy(&id, key, sizeof id);
	if (fs->rc || added <= 0 || !(title = store_storm_title(fs->s, id)))
		return;
	if (storm_title_parse(title, &base, &hosts)) {
		title[base] = '\0';
		storm_title(&t, title, hosts + added);
		fs->rc = store_storm_retitle(fs->s, id, strbuf_str(&t), fs->err);
	}
	strbuf_free(&t);
	free(title);
}

int storm_flush(struct storm *st, struct store *s, struct irk_err *err)
{
	struct flush_state fs = { s, err, IRK_OK };

	for (size_t i = 0; i < st->npend; i++)
		if (st->pend[i].n && pend_flush(st, s, &st->pend[i], err))
			return IRK_ERROR;
	hmap_each(st->added, retitle_one, &fs);
	hmap_clear(st->added);
	return fs.rc;
}

/* ---- split ----------------------------------------------------------- */

/* The host's oldest alert, copied out of the row (raw left out). */
struct first_alert {
	struct alert a;
	int found;
};

static const char *keep(struct alert *a, const char *v)
{
	return v ? alert_keep(a, v, strlen(v)) : NULL;
}

static int copy_alert(const struct alert *r, void *arg)
{
	struct first_alert *f = arg;
	struct alert *a = &f->a;

	alert_reset(a);
	a->id = r->id;
	a->incident_id = r->incident_id;
	a->received = r->received;
	a->format = r->format;
	a->event_time = r->event_time;
	a->severity = r->severity;
	memcpy(a->fingerprint, r->fingerprint, ALERT_FP_LEN);
	a->rule_id = keep(a, r->rule_id);
	a->rule_name = keep(a, r->rule_name);
	a->host = keep(a, r->host);
	a->src_ip = keep(a, r->src_ip);
	a->dst_ip = keep(a, r->dst_ip);
	a->user = keep(a, r->user);
	a->category = keep(a, r->category);
	alert_add_obs(a, OBS_HOST, r->host);
	alert_add_obs(a, OBS_IP, r->src_ip);
	alert_add_obs(a, OBS_IP, r->dst_ip);
	f->found = 1;
	return 1;
}

static int split_audit(struct store *s, const char *actor, int64_t storm, int64_t to,
		       const char *host, int64_t moved, struct irk_err *err)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char key[24];
	int rc;

	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "host", host);
	jsonw_kv_str(&w, "to", incident_key(to, key, sizeof key));
	jsonw_kv_int(&w, "alerts", moved);
	jsonw_obj_end(&w);
	rc = audit_append(s, actor, storm, "incident.split", js.buf, NULL, err);
	strbuf_free(&js);
	return rc;
}

/* Open the new incident of the split from alert a, as ingest would. */
static int split_open(struct store *s, const char *actor, const struct incident *storm,
		      const char *host, const struct alert *a, int64_t *id, struct irk_err *err)
{
	struct incident inc = { 0 };
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char key[24];
	int rc;

	inc.title = xstrdup(a->rule_name && *a->rule_name ? a->rule_name : storm->rule);
	inc.severity = a->severity >= 0 ? a->severity : storm->severity;
	inc.confidence = 50;
	inc.category = a->category && *a->category ? xstrdup(a->category) : NULL;
	inc.rule = xstrdup(storm->rule);
	inc.host = a->host && *a->host ? xstrdup(a->host) : NULL;
	inc.src_ip = a->src_ip && *a->src_ip ? xstrdup(a->src_ip) : NULL;
	inc.t_first_event = inc.t_last_event = a->event_time;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "split_from", incident_key(storm->id, key, sizeof key));
	jsonw_kv_str(&w, "host", host);
	jsonw_obj_end(&w);
	rc = incident_open(s, actor, &inc, js.buf, err);
	*id = inc.id;
	strbuf_free(&js);
	incident_clear(&inc);
	return rc;
}

static int split_in_tx(struct store *s, const struct actor *who, int64_t id, const char *host,
		       storm_new_incident_fn *on_new, void *arg, int64_t *new_id,
		       struct irk_err *err)
{
	struct incident storm = { 0 }, inc = { 0 };
	struct first_alert *first = xcalloc(1, sizeof *first);
	struct strbuf title = STRBUF_INIT;
	char key[24];
	int64_t moved, hosts;
	size_t base;
	int rc;

	incident_key(id, key, sizeof key);
	if ((rc = store_incident_get(s, id, &storm, err)))
		goto out;
	if (!storm.storm || storm.stage == STAGE_CLOSED) {
		rc = irk_fail(err, IRK_REFUSED, "%s is not an open storm incident: only a storm's "
			      "hosts can be split out", key);
		goto out;
	}
	if ((rc = incident_may_change(s, who, id, err)))
		goto out;
	if ((rc = store_storm_alert_of(s, id, host, copy_alert, first, err)) == IRK_NOTFOUND) {
		rc = irk_fail(err, IRK_NOTFOUND, "%s has no alert of host '%s'", key, host);
		goto out;
	}
	if (rc || (rc = split_open(s, who->name, &storm, host, &first->a, new_id, err)) ||
	    (rc = store_storm_split(s, id, *new_id, host, &moved, err)) ||
	    (rc = split_audit(s, who->name, id, *new_id, host, moved, err)))
		goto out;
	/* The new incident is whole (its alerts, its host): now its play. */
	if ((rc = store_incident_get(s, *new_id, &inc, err)))
		goto out;
	if ((rc = store_observable_add(s, *new_id, OBS_HOST, host, "alert", first->a.id,
				       first->a.received, err)) == IRK_CONFLICT)
		rc = IRK_OK;
	if (!rc && on_new)
		rc = on_new(s, &inc, &first->a, arg, err);
	if (rc)
		goto out;
	/* The storm: one host fewer, its counts as store_storm_split() left
	 * them, a new version (someone changed it). */
	incident_clear(&storm);
	if ((rc = store_incident_get(s, id, &storm, err)))
		goto out;
	if (storm_title_parse(storm.title, &base, &hosts)) {
		storm.title[base] = '\0';
		storm_title(&title, storm.title, hosts - 1);
		free(storm.title);
		storm.title = strbuf_detach(&title);
	}
	rc = store_incident_update(s, &storm, who->name, err);
out:
	strbuf_free(&title);
	incident_clear(&storm);
	incident_clear(&inc);
	free(first);
	return rc;
}

int storm_split(struct store *s, const struct actor *who, int64_t id, const char *host,
		storm_new_incident_fn *on_new, void *arg, int64_t *new_id, struct irk_err *err)
{
	int rc;

	*new_id = 0;
	if (!host || !*host)
		return irk_fail(err, IRK_INVALID, "which host? (one of the storm's observables of type host)");
	if ((rc = store_begin(s, err)))
		return rc;
	if ((rc = split_in_tx(s, who, id, host, on_new, arg, new_id, err))) {
		store_rollback(s);
		*new_id = 0;
		return rc;
	}
	return store_commit(s, err);
}
