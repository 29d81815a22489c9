/* context.c: the sources of irk.conf, an incident's context from the
 * inventory and the cache, feeding it into the incident, and refreshing
 * it from the remote sources. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/alert.h"
#include "irk/clock.h"
#include "irk/incident.h"
#include "irk/ip.h"
#include "irk/play.h"
#include "irk/secret.h"
#include "context_impl.h"

/* The kinds of remote sources, by their `type`. */
static const struct context_kind *const kinds[] = { &context_kind_netbox, &context_kind_http,
	&context_kind_rt, &context_kind_jira, NULL };

/* Keys every source takes, with their defaults. */
#define DEF_TTL "1h"
#define DEF_TIMEOUT "10s"
#define DEF_CONNECT "3s"
#define DEF_RATE "120/min"
#define DEF_MAX_BYTES 1048576
#define DEF_CONCURRENCY 4
#define DEF_BACKOFF_MAX "15m"
static const char *const common_keys[] = { "type", "url", "token", "ttl", "timeout",
	"connect_timeout", "rate", "max_bytes", "concurrency", "cafile", "insecure", "backoff_max",
	NULL };

static int in_list(const char *const *l, const char *k)
{
	for (int i = 0; l && l[i]; i++)
		if (!strcmp(l[i], k))
			return 1;
	return 0;
}

/* ---- loading the sources ------------------------------------------------------ */

struct load {
	struct context_sources *srcs;
	const struct config *cfg;
	struct irk_err *err;
	int failed;
};

static struct context_source *source_named(struct context_sources *srcs, const char *name,
					   size_t len)
{
	for (int i = 0; i < srcs->n; i++)
		if (strlen(srcs->v[i].name) == len && !strncmp(srcs->v[i].name, name, len))
			return &srcs->v[i];
	srcs->v = xrealloc(srcs->v, (size_t)(srcs->n + 1) * sizeof *srcs->v);
	struct context_source *src = &srcs->v[srcs->n++];
	memset(src, 0, sizeof *src);
	src->name = xstrndup(name, len);
	return src;
}

/* First pass: the names, in file order. */
static void collect(const char *key, const char *value, const char *where, void *arg)
{
	struct load *l = arg;
	const char *dot = strchr(key, '.');

	if (dot && !l->failed)
		source_named(l->srcs, key, (size_t)(dot - key));
}

static int fail_at(struct load *l, const char *where, const char *fmt, const char *a, const char *b)
{
	char msg[300];

	if (l->failed)
		return -1;
	snprintf(msg, sizeof msg, fmt, a, b);
	irk_fail(l->err, IRK_INVALID, "%s: %s", where ? where : "irk.conf", msg);
	l->failed = 1;
	return -1;
}

static int duration_ms(const char *v, int64_t *ms)
{
	int64_t s;
	size_t n = strlen(v);

	if (n > 2 && !strcmp(v + n - 2, "ms")) {
		char *end;
		long long x = strtoll(v, &end, 10);
		if (end != v + n - 2 || x <= 0)
			return -1;
		*ms = x;
		return 0;
	}
	if (irk_duration_parse(v, &s) || s <= 0)
		return -1;
	*ms = s * 1000;
	return 0;
}

/* Second pass: each key into its source. */
static void apply_key(const char *key, const char *value, const char *where, void *arg)
{
	struct load *l = arg;
	const char *dot = strchr(key, '.'), *k;
	struct context_source *src;
	char why[200];
	long long n;
	char *end;

	if (l->failed)
		return;
	if (!dot) {
		fail_at(l, where, "[context] takes no keys of its own; use a section "
			"[context.NAME] per source ('%s')", key, "");
		return;
	}
	src = source_named(l->srcs, key, (size_t)(dot - key));
	k = dot + 1;
	if (!strcmp(k, "type")) {
		for (int i = 0; kinds[i]; i++)
			if (!strcmp(kinds[i]->name, value))
				src->kind = kinds[i];
		if (!src->kind)
			fail_at(l, where, "type: '%s' is not a source type (netbox, http, rt, jira)%s", value,
				!strcmp(value, "inventory") ? "; the local inventory needs no section" : "");
	} else if (!strcmp(k, "url")) {
		if (strncmp(value, "http://", 7) && strncmp(value, "https://", 8))
			fail_at(l, where, "url: '%s' is not an http:// or https:// URL", value, "");
		src->url = value;
	} else if (!strcmp(k, "token")) {
		src->token = value;
	} else if (!strcmp(k, "cafile")) {
		src->cafile = value;
	} else if (!strcmp(k, "ttl") || !strcmp(k, "backoff_max") || !strcmp(k, "change_window")) {
		int64_t s;
		if (irk_duration_parse(value, &s) || s <= 0)
			fail_at(l, where, "%s: '%s' is not a duration (like 90s, 15m, 1h, 7d)", k, value);
		*(k[0] == 't' ? &src->ttl : k[0] == 'b' ? &src->backoff_max : &src->change_window) = s;
	} else if (!strcmp(k, "user")) {
		src->user = value;
	} else if (!strcmp(k, "queue")) {
		src->queue = value;
	} else if (!strcmp(k, "changes")) {
		src->changes = value;
	} else if (!strcmp(k, "start_field")) {
		src->start_field = value;
	} else if (!strcmp(k, "end_field")) {
		src->end_field = value;
	} else if (!strcmp(k, "api")) {
		if (strcmp(value, "cloud") && strcmp(value, "datacenter"))
			fail_at(l, where, "api: '%s' is not cloud or datacenter", value, "");
		src->api = value;
	} else if (!strcmp(k, "timeout") || !strcmp(k, "connect_timeout")) {
		if (duration_ms(value, k[0] == 't' ? &src->timeout_ms : &src->connect_ms))
			fail_at(l, where, "%s: '%s' is not a duration (like 500ms, 10s)", k, value);
	} else if (!strcmp(k, "max_bytes") || !strcmp(k, "concurrency")) {
		n = strtoll(value, &end, 10);
		if (*end || n < 1 || n > (k[0] == 'm' ? 1LL << 30 : 64))
			fail_at(l, where, "%s: '%s' is out of range", k, value);
		*(k[0] == 'm' ? &src->max_bytes : &src->concurrency) = n;
	} else if (!strcmp(k, "insecure")) {
		if (strcmp(value, "yes") && strcmp(value, "no"))
			fail_at(l, where, "insecure: '%s' is not yes or no", value, "");
		src->insecure = !strcmp(value, "yes");
	} else if (!strcmp(k, "rate")) {
		rate_free(&src->rate);
		if (rate_parse(&src->rate, value, why, sizeof why))
			fail_at(l, where, "rate: %s", why, "");
	} else if (!strcmp(k, "root")) {
		src->root = value;
	} else if (!strcmp(k, "header")) {
		src->header = value;
	} else if (!strcmp(k, "scheme")) {
		src->scheme = value;
	} else if (!strcmp(k, "criticality_field")) {
		src->crit_field = value;
	} else if (!strcmp(k, "owner_field")) {
		src->owner_field = value;
	} else if (!strcmp(k, "unit_from")) {
		if (strcmp(value, "tenant") && strcmp(value, "tenant_group") && strcmp(value, "none"))
			fail_at(l, where, "unit_from: '%s' is not tenant, tenant_group or none", value, "");
		src->unit_from = value;
	} else if (!strcmp(k, "object")) {
		if (strcmp(value, "asset") && strcmp(value, "user"))
			fail_at(l, where, "object: '%s' is not asset or user", value, "");
		src->is_user = !strcmp(value, "user");
	} else if (!strncmp(k, "map.", 4)) {
		const struct asset_field *f = asset_field_find(k + 4);
		int u = context_user_field_find(k + 4);
		if (f)
			src->map[f - asset_fields] = value;
		if (u >= 0)
			src->umap[u] = value;
		if (!f && u < 0)
			fail_at(l, where, "%s: '%s' is not an asset field (host, ips, owner, business_unit, "
				"criticality, role, site, os, tags, contact) nor a user field (name, email, "
				"title, department, manager, phone)", k, k + 4);
	} else {
		fail_at(l, where, "'%s' is not a key of a context source", k, "");
	}
}

static void check_type_key(const char *key, const char *value, const char *where, void *arg)
{
	struct load *l = arg;
	const char *dot = strchr(key, '.');
	struct context_source *src;
	char k[64];

	if (l->failed || !dot)
		return;
	src = source_named(l->srcs, key, (size_t)(dot - key));
	snprintf(k, sizeof k, "%s", dot + 1);
	if (!strncmp(k, "map.", 4))
		k[3] = '\0';
	if (!src->kind || in_list(common_keys, k) || in_list(src->kind->keys, k))
		return;
	fail_at(l, where, "'%s' is not a key of a %s source", dot + 1, src->kind->name);
}

int context_sources_load(const struct config *cfg, struct context_sources **out,
			 struct irk_err *err)
{
	struct context_sources *srcs = xcalloc(1, sizeof *srcs);
	struct load l = { srcs, cfg, err, 0 };

	*out = srcs;
	if (!cfg)
		return IRK_OK;
	config_each(cfg, "context", collect, &l);
	for (int i = 0; i < srcs->n; i++) {
		struct context_source *src = &srcs->v[i];
		char why[64];
		src->ttl = 3600;
		src->backoff_max = 900;
		src->change_window = 7 * 86400;
		duration_ms(DEF_TIMEOUT, &src->timeout_ms);
		duration_ms(DEF_CONNECT, &src->connect_ms);
		src->max_bytes = DEF_MAX_BYTES;
		src->concurrency = DEF_CONCURRENCY;
		rate_parse(&src->rate, DEF_RATE, why, sizeof why);
		pthread_mutex_init(&src->mu, NULL);
		pthread_cond_init(&src->cv, NULL);
	}
	/* Taken after the array stopped growing. */
	for (int i = 0; i < srcs->n; i++)
		srcs->v[i].cancel = &srcs->cancel;
	config_each(cfg, "context", apply_key, &l);
	config_each(cfg, "context", check_type_key, &l);
	for (int i = 0; i < srcs->n && !l.failed; i++) {
		struct context_source *src = &srcs->v[i];
		char where[96];
		snprintf(where, sizeof where, "[context.%s]", src->name);
		if (!src->kind)
			fail_at(&l, NULL, "%s: no type (netbox, http, rt or jira)", where, "");
		else if (!src->url)
			fail_at(&l, NULL, "%s: no url", where, "");
		else if (!strcmp(src->kind->name, "http") && !src->is_user && !src->map[0] &&
			 !src->map[3] && !src->map[2] && !src->map[4])
			fail_at(&l, NULL, "%s: an http source needs map.FIELD keys (JSON paths of its "
				"answer: map.owner = data.owner)", where, "");
		else if (src->is_user && !src->umap[1] && !src->umap[3] && !src->umap[4])
			fail_at(&l, NULL, "%s: a user source needs map.FIELD keys for its people "
				"(map.email = mail, map.department = org.name)", where, "");
		if (!src->token) {
			/* IRK_SECRET_CONTEXT_NAME, upper case, '-' as '_'. */
			char var[128];
			size_t j = (size_t)snprintf(var, sizeof var, "IRK_SECRET_CONTEXT_");
			for (const char *p = src->name; *p && j + 1 < sizeof var; p++)
				var[j++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
			var[j] = '\0';
			src->token = secret_env(var);
		}
	}
	if (l.failed) {
		context_sources_free(out);
		*out = xcalloc(1, sizeof **out);
		return IRK_INVALID;
	}
	return IRK_OK;
}

void context_sources_free(struct context_sources **sp)
{
	struct context_sources *srcs = *sp;

	if (!srcs)
		return;
	for (int i = 0; i < srcs->n; i++) {
		free(srcs->v[i].name);
		rate_free(&srcs->v[i].rate);
		if (srcs->v[i].concurrency) {
			pthread_mutex_destroy(&srcs->v[i].mu);
			pthread_cond_destroy(&srcs->v[i].cv);
		}
	}
	free(srcs->v);
	free(srcs);
	*sp = NULL;
}

void context_sources_cancel(const struct context_sources *cs)
{
	struct context_sources *srcs = (struct context_sources *)cs;

	if (!srcs)
		return;
	__atomic_store_n(&srcs->cancel, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < srcs->n; i++) {
		pthread_mutex_lock(&srcs->v[i].mu);
		pthread_cond_broadcast(&srcs->v[i].cv);
		pthread_mutex_unlock(&srcs->v[i].mu);
	}
}

int context_sources_count(const struct context_sources *srcs)
{
	return srcs ? srcs->n : 0;
}

/* ---- an incident's context -------------------------------------------------------- */

int context_keys(const struct incident *inc, const char *keys[2])
{
	int n = 0;

	if (inc->host && *inc->host)
		keys[n++] = inc->host;
	if (inc->src_ip && *inc->src_ip && (!n || strcmp(inc->src_ip, keys[0])) &&
	    ip_is_internal(inc->src_ip))
		keys[n++] = inc->src_ip;
	return n;
}

struct cached {
	struct context *c;
	int64_t now;
	int found;
};

static int on_cached(const struct context_cached *cc, void *arg)
{
	struct cached *k = arg;

	if (!cc->data)
		return 0;               /* the source knew nothing of it */
	if (asset_from_json(cc->data, &k->c->asset))
		return 0;
	free(k->c->asset.source);
	k->c->asset.source = xstrdup(cc->source);
	k->c->asset.fetched = cc->fetched;
	k->c->has_asset = 1;
	k->c->stale = cc->expires <= k->now;
	k->found = 1;
	return 0;
}

static int on_health(const struct context_health *h, void *arg)
{
	struct context *c = arg;

	if (!h->since)
		return 0;
	c->errors = xrealloc(c->errors, (size_t)(c->nerrors + 1) * sizeof *c->errors);
	c->errors[c->nerrors++] = (struct context_error){
		xstrdup(h->source), xstrdup(h->error ? h->error : "failing"), h->since, h->last_ok };
	return 0;
}

/* The cache key of an incident's tickets and changes at a ticket source. */
static void tickets_key(const struct incident *inc, char *buf, size_t n)
{
	char key[24];

	snprintf(buf, n, "incident:%s", incident_key(inc->id, key, sizeof key));
}

struct cached_tickets {
	const struct context_sources *srcs;
	struct ticket_list tickets, changes;
	int64_t now;
	int stale;
};

static int on_cached_tickets(const struct context_cached *cc, void *arg)
{
	struct cached_tickets *k = arg;
	int known = !k->srcs;

	for (int i = 0; k->srcs && i < k->srcs->n; i++)
		known |= !strcmp(k->srcs->v[i].name, cc->source) && k->srcs->v[i].kind->tickets;
	if (known && !tickets_cache_read(cc->data, cc->source, cc->fetched, &k->tickets, &k->changes))
		k->stale |= cc->expires <= k->now;
	return 0;
}

/* The tickets and changes cached for inc; the change covering its first
 * event put first (c->planned). */
static int tickets_of(struct store *s, const struct context_sources *srcs,
		      const struct incident *inc, struct context *c, struct irk_err *err)
{
	struct cached_tickets k = { srcs, { 0 }, { 0 }, irk_now(), 0 };
	int64_t at = inc->t_first_event ? inc->t_first_event : inc->t_detected;
	char key[48];

	tickets_key(inc, key, sizeof key);
	if (store_context_each_key(s, key, on_cached_tickets, &k, err))
		return IRK_ERROR;
	for (int i = 0; i < k.changes.n; i++)
		if (context_change_covers(&k.changes.v[i], at)) {
			struct context_ticket t = k.changes.v[i];
			memmove(&k.changes.v[1], &k.changes.v[0], (size_t)i * sizeof t);
			k.changes.v[0] = t;
			c->planned = 1;
			break;
		}
	c->tickets = k.tickets.v;
	c->ntickets = k.tickets.n;
	c->changes = k.changes.v;
	c->nchanges = k.changes.n;
	c->stale_tickets = k.stale;
	return IRK_OK;
}

static int on_first_alert(const struct alert *a, void *arg)
{
	char **user = arg;

	if (a->user && *a->user)
		*user = xstrdup(a->user);
	return 0;
}

/* The user of inc's first alert (caller frees), or NULL. */
static char *incident_user(struct store *s, const struct incident *inc)
{
	char *user = NULL;

	if (inc->id)
		store_alert_first(s, inc->id, on_first_alert, &user, NULL);
	return user;
}

static int on_cached_user(const struct context_cached *cc, void *arg)
{
	struct context *c = arg;

	if (!cc->data || c->has_user || context_user_from_json(cc->data, &c->user))
		return 0;
	free(c->user.source);
	c->user.source = xstrdup(cc->source);
	c->user.fetched = cc->fetched;
	c->has_user = 1;
	return 0;
}

int context_user_of(struct store *s, const struct context_sources *srcs, const char *user,
		    struct context *c, struct irk_err *err)
{
	char key[300];
	int rc = IRK_OK;

	snprintf(key, sizeof key, "user:%s", user);
	if (!srcs)
		rc = store_context_any(s, key, on_cached_user, c, err);
	for (int j = 0; srcs && j < srcs->n && !c->has_user && rc != IRK_ERROR; j++)
		if (srcs->v[j].is_user)
			rc = store_context_get(s, srcs->v[j].name, key, on_cached_user, c, err);
	return rc == IRK_ERROR ? IRK_ERROR : IRK_OK;
}

static int users_of(struct store *s, const struct context_sources *srcs,
		    const struct incident *inc, struct context *c, struct irk_err *err)
{
	char *user = incident_user(s, inc);
	int rc = user ? context_user_of(s, srcs, user, c, err) : IRK_OK;

	free(user);
	return rc;
}

int context_of(struct store *s, const struct context_sources *srcs,
	       const struct incident *inc, struct context *out, struct irk_err *err)
{
	const char *keys[2];
	int nk = context_keys(inc, keys);
	struct cached k = { out, irk_now(), 0 };

	memset(out, 0, sizeof *out);
	/* The inventory first: by name, then by address. */
	for (int i = 0; i < nk && !out->has_asset; i++) {
		int rc = ip_is_address(keys[i]) ? store_asset_by_ip(s, keys[i], &out->asset, NULL)
						: store_asset_get(s, keys[i], &out->asset, NULL);
		out->has_asset = rc == IRK_OK;
	}
	/* No sources given (a play's fields): any source's cached answer. */
	for (int i = 0; !srcs && i < nk && !out->has_asset; i++)
		store_context_any(s, keys[i], on_cached, &k, NULL);
	for (int j = 0; srcs && j < srcs->n; j++) {
		if (!out->has_asset && !srcs->v[j].is_user)
			for (int i = 0; i < nk && !k.found; i++)
				store_context_get(s, srcs->v[j].name, keys[i], on_cached, &k, NULL);
		if (store_context_health_get(s, srcs->v[j].name, on_health, out, err) == IRK_ERROR)
			return IRK_ERROR;
	}
	if (users_of(s, srcs, inc, out, err))
		return IRK_ERROR;
	return tickets_of(s, srcs, inc, out, err);
}

void context_clear(struct context *c)
{
	asset_clear(&c->asset);
	context_user_clear(&c->user);
	for (int i = 0; i < c->nerrors; i++) {
		free(c->errors[i].source);
		free(c->errors[i].error);
	}
	free(c->errors);
	for (int i = 0; i < c->ntickets; i++)
		context_ticket_clear(&c->tickets[i]);
	for (int i = 0; i < c->nchanges; i++)
		context_ticket_clear(&c->changes[i]);
	free(c->tickets);
	free(c->changes);
	memset(c, 0, sizeof *c);
}

static void tickets_json(struct jsonw *w, const struct context_ticket *v, int n, int changes,
			 int planned)
{
	jsonw_arr_begin(w);
	for (int i = 0; i < n; i++) {
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "key", v[i].key);
		jsonw_kv_str(w, "title", v[i].title);
		jsonw_kv_str(w, "status", v[i].status);
		jsonw_kv_str(w, "source", v[i].source);
		jsonw_kv_str(w, "url", v[i].url);
		if (changes) {
			jsonw_kv_time(w, "start", v[i].start);
			jsonw_kv_time(w, "end", v[i].end);
			jsonw_kv_bool(w, "covers", planned && i == 0);
		}
		jsonw_kv_int(w, "fetched", v[i].fetched);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

void context_json(struct jsonw *w, const struct context *c)
{
	jsonw_obj_begin(w);
	jsonw_key(w, "asset");
	if (c->has_asset) {
		jsonw_obj_begin(w);
		asset_json(w, &c->asset);
		jsonw_kv_bool(w, "stale", c->stale);
		jsonw_obj_end(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "user");
	if (c->has_user) {
		jsonw_obj_begin(w);
		context_user_json_members(w, &c->user);
		jsonw_obj_end(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "tickets");
	tickets_json(w, c->tickets, c->ntickets, 0, 0);
	jsonw_key(w, "changes");
	tickets_json(w, c->changes, c->nchanges, 1, c->planned);
	jsonw_key(w, "errors");
	jsonw_arr_begin(w);
	for (int i = 0; i < c->nerrors; i++) {
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "source", c->errors[i].source);
		jsonw_kv_str(w, "error", c->errors[i].error);
		jsonw_kv_int(w, "since", c->errors[i].since);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

void context_error_text(const struct context_error *e, int64_t shown_from, struct strbuf *out)
{
	char since[32], from[32];

	irk_time_short(e->since, since, sizeof since);
	strbuf_printf(out, "%s unreachable since %s (%s)", e->source, since, e->error);
	if (shown_from)
		strbuf_printf(out, ", showing values from %s",
			      irk_time_short(shown_from, from, sizeof from));
}

/* What the asset names that an analyst pivots on, as observables with
 * their provenance ("context:nb"): the contact's e-mail address and the
 * host's addresses. Each once per incident (the store keeps the first). */
static int add_observables(struct store *s, int64_t id, const struct asset *a, struct irk_err *err)
{
	char src[96], *ips = a->ips ? xstrdup(a->ips) : NULL, *save = NULL;
	int rc;

	snprintf(src, sizeof src, "context:%s", a->source ? a->source : "?");
	if ((rc = store_begin(s, err))) {
		free(ips);
		return rc;
	}
	if (a->contact && strchr(a->contact, '@') && !strpbrk(a->contact, " \t,;<>"))
		rc = store_observable_add(s, id, OBS_EMAIL, a->contact, src, 0, irk_now(), err);
	for (char *ip = ips ? strtok_r(ips, " ", &save) : NULL; ip && rc != IRK_ERROR;
	     ip = strtok_r(NULL, " ", &save))
		rc = store_observable_add(s, id, OBS_IP, ip, src, 0, irk_now(), err);
	free(ips);
	if (rc == IRK_ERROR) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

int context_apply(struct store *s, int64_t id, const struct context *c, int *changed,
		  struct irk_err *err)
{
	if (changed)
		*changed = 0;
	if (c->has_user && c->user.email && strchr(c->user.email, '@') &&
	    !strpbrk(c->user.email, " \t,;<>")) {
		/* The person's address, to pivot on (the store keeps the first). */
		char src[96];
		snprintf(src, sizeof src, "context:%s", c->user.source ? c->user.source : "?");
		if (store_observable_add(s, id, OBS_EMAIL, c->user.email, src, 0, irk_now(), err) ==
		    IRK_ERROR)
			return IRK_ERROR;
	}
	if (!c->has_asset)
		return IRK_OK;
	if (incident_fill(s, PLAY_ENGINE_ACTOR, id, c->asset.source, c->asset.criticality,
			  c->asset.business_unit, changed, err))
		return IRK_ERROR;
	return add_observables(s, id, &c->asset, err);
}

/* ---- refreshing from the sources ----------------------------------------------------- */

struct fresh {
	int64_t now;
	int fresh;
};

static int on_fresh(const struct context_cached *cc, void *arg)
{
	struct fresh *f = arg;

	f->fresh = cc->expires > f->now;
	return 0;
}

static int on_backoff(const struct context_health *h, void *arg)
{
	int64_t *next = arg;

	*next = h->since ? h->next_try : 0;
	return 0;
}

/* After n failures in a row: 30 s, 1 min, 2 min... up to the source's
 * backoff_max. */
static int64_t backoff_secs(const struct context_source *src, int64_t fails)
{
	int64_t d = 30;

	while (--fails > 0 && d < src->backoff_max)
		d *= 2;
	return d < src->backoff_max ? d : src->backoff_max;
}

static int on_fails(const struct context_health *h, void *arg)
{
	*(int64_t *)arg = h->fails;
	return 0;
}

/* A failed call into src's health, backed off. */
static int health_failed(struct store *s, struct context_source *src, const char *why,
			 int64_t now, struct irk_err *err)
{
	int64_t fails = 0;

	store_context_health_get(s, src->name, on_fails, &fails, NULL);
	return store_context_health_put(s, src->name, why && *why ? why : "failed", now,
					now + backoff_secs(src, fails + 1), err);
}

/* Store what src said of key in one transaction with its health: got
 * IRK_OK (data, the answer's JSON), IRK_NOTFOUND (a miss: data NULL), or
 * a failure (why) that backs the source off. */
static int store_answer(struct store *s, struct context_source *src, const char *key, int got,
			const char *data, const char *why, int64_t now, struct irk_err *err)
{
	int rc;

	if (store_begin(s, err))
		return IRK_ERROR;
	if (got == IRK_OK || got == IRK_NOTFOUND) {
		rc = store_context_put(s, src->name, key, got == IRK_OK ? data : NULL, now,
				       now + src->ttl, err);
		if (!rc)
			rc = store_context_health_put(s, src->name, NULL, now, 0, err);
	} else {
		rc = health_failed(s, src, why, now, err);
	}
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

/* Ask src about key; store the answer (or the miss) and the health. */
static int refresh_one(struct store *s, struct context_source *src, const char *key,
		       struct irk_err *err)
{
	struct asset a = { 0 };
	struct irk_err e = { 0 };
	int64_t now = irk_now();
	int rc = src->kind->asset(src, key, &a, &e);
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;

	/* Stopping is not the source's fault. */
	if (src->cancel && __atomic_load_n(src->cancel, __ATOMIC_SEQ_CST)) {
		asset_clear(&a);
		return IRK_OK;
	}
	if (rc == IRK_OK) {
		a.source = xstrdup(src->name);
		a.fetched = now;
		jsonw_init(&w, &js, 0);
		jsonw_obj_begin(&w);
		asset_json(&w, &a);
		jsonw_obj_end(&w);
	}
	asset_clear(&a);
	rc = store_answer(s, src, key, rc, strbuf_str(&js), e.msg, now, err);
	strbuf_free(&js);
	return rc;
}

/* Ask ticket source src about inc (its host, address, user and key);
 * store the answer under its tickets key and the health. */
static int refresh_tickets(struct store *s, struct context_source *src,
			   const struct incident *inc, struct irk_err *err)
{
	struct ticket_terms t = { { 0 }, 0, inc->t_first_event ? inc->t_first_event : inc->t_detected };
	struct ticket_list tickets = { 0 }, changes = { 0 };
	struct irk_err e = { 0 };
	struct strbuf js = STRBUF_INIT;
	const char *keys[2];
	char key[24], ckey[48], *user = NULL;
	int64_t now = irk_now();
	int rc, nk = context_keys(inc, keys);

	for (int i = 0; i < nk; i++)
		t.v[t.n++] = keys[i];
	if ((user = incident_user(s, inc)))
		t.v[t.n++] = user;
	t.v[t.n++] = incident_key(inc->id, key, sizeof key);
	rc = src->kind->tickets(src, &t, &tickets, &changes, &e);
	free(user);
	if (src->cancel && __atomic_load_n(src->cancel, __ATOMIC_SEQ_CST)) {
		ticket_list_clear(&tickets);
		ticket_list_clear(&changes);
		return IRK_OK;
	}
	tickets_key(inc, ckey, sizeof ckey);
	if (!rc)
		tickets_cache_json(&tickets, &changes, &js);
	ticket_list_clear(&tickets);
	ticket_list_clear(&changes);
	/* A ticket source's answer is never a miss: none is an empty list. */
	rc = store_answer(s, src, ckey, rc ? IRK_ERROR : IRK_OK, strbuf_str(&js), e.msg, now, err);
	strbuf_free(&js);
	return rc;
}

/* Ask user source src about the user of inc's first alert, unless its
 * cached answer is fresh (or force); store it (or the miss) and the
 * health. */
static int refresh_user(struct store *s, struct context_source *src, const struct incident *inc,
			int force, struct irk_err *err)
{
	struct context_user u = { 0 };
	struct irk_err e = { 0 };
	struct strbuf js = STRBUF_INIT;
	struct fresh f = { irk_now(), 0 };
	char *user = incident_user(s, inc), key[300];
	int64_t now = irk_now(), next = 0;
	int rc;

	if (!user)
		return IRK_OK;
	snprintf(key, sizeof key, "user:%s", user);
	store_context_health_get(s, src->name, on_backoff, &next, NULL);
	if (!force && (next > now || (store_context_get(s, src->name, key, on_fresh, &f, NULL) ==
				      IRK_OK && f.fresh))) {
		free(user);
		return IRK_OK;
	}
	rc = src->kind->user(src, user, &u, &e);
	free(user);
	if (src->cancel && __atomic_load_n(src->cancel, __ATOMIC_SEQ_CST)) {
		context_user_clear(&u);
		return IRK_OK;
	}
	if (rc == IRK_OK) {
		struct jsonw w;
		u.source = xstrdup(src->name);
		u.fetched = now;
		jsonw_init(&w, &js, 0);
		jsonw_obj_begin(&w);
		context_user_json_members(&w, &u);
		jsonw_obj_end(&w);
	}
	context_user_clear(&u);
	rc = store_answer(s, src, key, rc, strbuf_str(&js), e.msg, now, err);
	strbuf_free(&js);
	return rc;
}

int context_refresh(struct store *s, const struct context_sources *srcs,
		    const struct incident *inc, int force, struct irk_err *err)
{
	const char *keys[2];
	int nk = context_keys(inc, keys);

	for (int j = 0; srcs && j < srcs->n; j++) {
		struct context_source *src = &srcs->v[j];
		int64_t next = 0;
		int found = 0;

		if (src->is_user) {
			if (refresh_user(s, src, inc, force, err))
				return IRK_ERROR;
			continue;
		}
		if (src->kind->tickets) {
			struct fresh f = { irk_now(), 0 };
			char ckey[48];
			store_context_health_get(s, src->name, on_backoff, &next, NULL);
			if (!force && next > irk_now())
				continue;
			tickets_key(inc, ckey, sizeof ckey);
			if (!force && store_context_get(s, src->name, ckey, on_fresh, &f, NULL) == IRK_OK &&
			    f.fresh)
				continue;
			if (refresh_tickets(s, src, inc, err))
				return IRK_ERROR;
			continue;
		}

		/* A failing source is asked again only after its backoff,
		 * unless forced: a dead NetBox costs nobody a timeout per
		 * incident. */
		store_context_health_get(s, src->name, on_backoff, &next, NULL);
		if (!force && next > irk_now())
			continue;
		for (int i = 0; i < nk && !found; i++) {
			struct fresh f = { irk_now(), 0 };
			if (!force && store_context_get(s, src->name, keys[i], on_fresh, &f, NULL) == IRK_OK &&
			    f.fresh)
				continue;
			if (refresh_one(s, src, keys[i], err))
				return IRK_ERROR;
			/* Failing: the other key would fail the same way. */
			next = 0;
			store_context_health_get(s, src->name, on_backoff, &next, NULL);
			if (next)
				break;
		}
	}
	return IRK_OK;
}
