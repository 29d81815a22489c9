/* ingest.c: the ingest pipeline (see ingest.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "irk/alert_parse.h"
#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/config.h"
#include "irk/hash.h"
#include "irk/hmap.h"
#include "irk/identity.h"
#include "irk/incident.h"
#include "irk/ingest.h"
#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/sanitize.h"
#include "irk/store.h"
#include "irk/storm.h"

/* Longest correlation key kept: "h" or "s", NUL, rule, NUL, host or IP. */
#define CKEY_MAX 1024

/* A key of the correlation cache, and its hash; len 0: none. */
struct ckey {
	char buf[CKEY_MAX];
	size_t len;
	uint64_t h;
};

/* One line, parsed: everything that can happen away from the database,
 * hashing included. The alert borrows from doc and raw, which the slot
 * owns. */
struct parsed {
	int64_t lineno, full;      /* line number; its length as read */
	int ok;                    /* 1: an alert; 0: rejected or skipped */
	int skipped;               /* not an alert (ok 0, nothing to report) */
	int kept;                  /* skipped, and ev is to be kept */
	struct sensor_event ev;
	int format;                /* for the quarantine (-1 unknown) */
	int unrecognised;          /* rejected: in no format auto knows */
	char reason[256];
	char *raw;                 /* the line (slot-owned copy) */
	size_t len, cap;
	struct jdoc doc;
	struct alert a;
	const char *rule;          /* rule id, else name, else "unknown" */
	struct ckey ck[2];         /* rule + host, rule + source IP */
	uint64_t obs_h[ALERT_MAX_OBS];   /* hash of each observable's type and value */
};

/* Correlation keys: "h\0rule\0host" and "s\0rule\0src_ip". */
static void ckey_set(struct ckey *k, char kind, const char *rule, const char *v)
{
	size_t rl = strlen(rule), vl = v ? strlen(v) : 0;

	k->len = 0;
	if (!vl || rl + vl + 3 > sizeof k->buf)
		return;
	k->buf[0] = kind;
	memcpy(k->buf + 1, rule, rl + 1);
	memcpy(k->buf + 2 + rl, v, vl);
	k->len = rl + vl + 2;
	k->h = hmap_hash(k->buf, k->len);
}

/* What the database thread needs beyond the alert, worked out here. */
static void parsed_keys(struct parsed *p)
{
	const struct alert *a = &p->a;

	p->rule = a->rule_id && *a->rule_id ? a->rule_id : a->rule_name;
	if (!p->rule || !*p->rule)
		p->rule = "unknown";
	ckey_set(&p->ck[0], 'h', p->rule, a->host);
	ckey_set(&p->ck[1], 's', p->rule, a->src_ip);
	for (int i = 0; i < a->nobs; i++) {
		char t = (char)a->obs[i].type;
		p->obs_h[i] = hmap_hash(a->obs[i].value, strlen(a->obs[i].value)) ^
			      ((uint64_t)(unsigned char)t * 0x9E3779B97F4A7C15ULL);
	}
}

/* A 64-bit mix (murmur3's finaliser): hashes of integer keys. */
static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return h;
}

static void parsed_init(struct parsed *p)
{
	memset(p, 0, sizeof *p);
	jdoc_init(&p->doc);
}

static void parsed_free(struct parsed *p)
{
	free(p->raw);
	jdoc_free(&p->doc);
}

/* Keep a copy of line in p (slots are reused: give back a huge buffer). */
static void parsed_keep(struct parsed *p, const char *line, size_t len)
{
	if (p->cap > 262144 && len < 65536) {
		free(p->raw);
		p->raw = NULL;
		p->cap = 0;
		jdoc_free(&p->doc);
		jdoc_init(&p->doc);
	}
	if (len + 1 > p->cap) {
		p->cap = len + 1 > 1024 ? len + 1 : 1024;
		free(p->raw);
		p->raw = xmalloc(p->cap);
	}
	memcpy(p->raw, line, len);
	p->raw[len] = '\0';
	p->len = len;
}

/* A record alert_parse() skipped: a sensor event, skipped whatever its
 * time unless the options keep its type, then kept, or rejected when it
 * has no usable time (reason set). One older than keep_days is skipped:
 * retention would delete it at once (a backfill would be kept, pruned and
 * kept again on every read). */
static void parse_skipped(const struct ingest_opts *o, struct parsed *p)
{
	struct irk_err err = { 0 };
	int rc = sensor_parse(p->format, &p->doc, p->raw, p->len, o->keep, &p->ev, &err);

	if (rc == IRK_INVALID) {
		irk_strlcpy(p->reason, err.msg, sizeof p->reason);
		return;
	}
	p->skipped = 1;
	p->kept = rc == IRK_OK &&
		  (o->keep_days <= 0 || p->ev.t >= irk_now() - o->keep_days * 86400);
}

/* Parse one line as the options say. Touches no shared state: the reader
 * thread runs it while the database thread stores the previous lines. */
static void parse_line(const struct ingest_opts *o, struct parsed *p)
{
	struct jdoc_error jerr;
	struct irk_err err = { 0 };
	int format = o->format, rc;

	p->ok = 0;
	p->skipped = p->kept = 0;
	p->unrecognised = 0;
	p->format = -1;
	if (jdoc_parse(&p->doc, p->raw, p->len, &jerr)) {
		snprintf(p->reason, sizeof p->reason, "malformed JSON at column %zu: %s",
			 jerr.offset + 1, jerr.msg);
		return;
	}
	if (format == FMT_AUTO) {
		format = alert_detect(&p->doc, o->map);
		if (format < 0) {
			snprintf(p->reason, sizeof p->reason, "%s", ALERT_UNRECOGNISED);
			p->unrecognised = 1;
			return;
		}
	}
	p->format = format;
	alert_reset(&p->a);
	rc = alert_parse(format, &p->doc, p->raw, p->len, o->map, &p->a, &err);
	/* A record that is not an alert is skipped, or kept, or rejected for
	 * what keeping it lacks: parse_skipped() gives the reason then (the
	 * parser's "not an alert" is no reason to reject). */
	if (rc == IRK_SKIPPED) {
		parse_skipped(o, p);
		return;
	}
	if (rc) {
		irk_strlcpy(p->reason, err.msg, sizeof p->reason);
		return;
	}
	parsed_keys(p);
	p->ok = 1;
}

/* A correlation key (rule + host, or rule + source IP) seen in this batch. */
struct corr {
	int64_t id, first, last;
};

/* Alerts added to an incident in this batch, written once at flush. */
struct bump {
	int64_t id, count, first, last;
};

struct checkpointer;
static void checkpointer_signal(struct checkpointer *k, int stop);

/* Alerts stored together in one statement (store_alert_insert_new). */
#define GROUP 16

struct ingest_ctx {
	struct store *s;
	struct ingest_opts o;
	struct parsed *one_p;    /* ingest_record()'s slot */
	struct hmap *corr;       /* "h\0rule\0host" / "s\0rule\0src" -> struct corr */
	struct hmap *bumps;      /* incident id -> struct bump */
	struct hmap *obs;        /* "id\0type\0value" -> seen */
	struct hmap *obs_count;  /* "id\0type" -> observables stored so far */
	int64_t received;
	/* ingest_fd() only: an alert of an hour whose stored alerts all came
	 * from this ingest (a new stretch of a stream, the common case; known
	 * to hold while no other connection commits) can only repeat one of
	 * those, kept in memory: it is checked there, given its id here and
	 * stored in a group of many rows. Alerts of other hours go one at a
	 * time, checked by the database. The group borrows the pipeline's
	 * slots: it is stored before they are handed back, and before
	 * anything else runs SQL that could read alerts (a new incident's
	 * hook, a commit). */
	int grouped;
	struct checkpointer *ckpt;    /* kicked after each commit; may be NULL */
	int64_t last_id;         /* highest alert id; -1: ask the database */
	int64_t data_version;    /* store_data_version() after our last commit */
	struct hmap *hours;      /* fingerprint's hour (4 bytes) -> HOUR_* */
	unsigned char last_hour[4];   /* the last hour looked up, and its state */
	int last_hour_state;          /* (HOUR_UNKNOWN: none) */
	struct hmap *given;      /* fingerprints given since the newest hour began */
	struct alert_new group[GROUP];
	int ngroup;
	int64_t first_opened;    /* the first incident this transaction opened; 0: none */
	struct storm *storm;     /* storm grouping; NULL when off */
};

enum { HOUR_UNKNOWN, HOUR_NEW, HOUR_STORED };
/* At most this many fingerprints are kept in memory (about 5 MiB); past
 * it, the hour's other alerts are checked by the database. */
#define GIVEN_MAX 65536

void ingest_opts_init(struct ingest_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = FMT_AUTO;
	o->window = config_settings(NULL)->ingest.window;
	o->batch = (int)config_settings(NULL)->ingest.batch;
	o->keep_days = config_settings(NULL)->ingest.keep_days;
	o->storm.on = config_settings(NULL)->ingest.storm;
	o->storm.threshold = config_settings(NULL)->ingest.storm_threshold;
	o->storm.window = config_settings(NULL)->ingest.storm_window;
	o->actor = identity_name();
	o->errout = stderr;
}

struct ingest_ctx *ingest_begin(struct store *s, const struct ingest_opts *o)
{
	struct ingest_ctx *c = xcalloc(1, sizeof *c);

	c->s = s;
	c->o = *o;
	if (!c->o.actor)
		c->o.actor = identity_name();
	if (c->o.window <= 0)
		c->o.window = config_settings(NULL)->ingest.window;
	c->one_p = xmalloc(sizeof *c->one_p);
	parsed_init(c->one_p);
	c->corr = hmap_new(sizeof(struct corr));
	c->bumps = hmap_new(sizeof(struct bump));
	c->obs = hmap_new(1);
	c->obs_count = hmap_new(sizeof(int64_t));
	c->hours = hmap_new(1);
	c->given = hmap_new(1);
	c->last_id = -1;
	c->data_version = -1;
	c->received = irk_now();
	/* A play's storm key may turn grouping on where irk.conf has it off. */
	if (c->o.storm.on || c->o.storm_of)
		c->storm = storm_new(&c->o.storm, c->o.storm_of, c->o.hook_arg);
	return c;
}

void ingest_end(struct ingest_ctx **cp)
{
	struct ingest_ctx *c = *cp;

	if (!c)
		return;
	parsed_free(c->one_p);
	free(c->one_p);
	hmap_free(&c->corr);
	hmap_free(&c->bumps);
	hmap_free(&c->obs);
	hmap_free(&c->obs_count);
	hmap_free(&c->hours);
	hmap_free(&c->given);
	storm_free(&c->storm);
	free(c);
	*cp = NULL;
}

/* Store the waiting group of alerts. */
static int group_flush(struct ingest_ctx *c, struct irk_err *err)
{
	int n = c->ngroup;

	c->ngroup = 0;
	return n ? store_alert_insert_new(c->s, c->group, n, c->received, err) : IRK_OK;
}

/* Forget the transaction's state (it was committed or rolled back): other
 * writers may store alerts and change incidents before the next one. The
 * hours and fingerprints given are kept until tx_begin() finds that
 * another connection wrote. */
static void forget_tx(struct ingest_ctx *c)
{
	hmap_clear(c->bumps);
	hmap_clear(c->corr);
	hmap_clear(c->obs);
	hmap_clear(c->obs_count);
	if (c->storm)
		storm_forget(c->storm);
	c->ngroup = 0;
	c->last_id = -1;
	c->first_opened = 0;
	c->received = irk_now();
}

static void mark_stored(const void *key, size_t klen, void *value, void *arg)
{
	(void)key;
	(void)klen;
	(void)arg;
	*(unsigned char *)value = HOUR_STORED;
}

/* Every hour seen so far is now checked by the database, and the
 * fingerprints given are let go. */
static void forget_given(struct ingest_ctx *c)
{
	hmap_each(c->hours, mark_stored, NULL);
	hmap_clear(c->given);
	c->last_hour_state = HOUR_UNKNOWN;
}

/* A transaction of ingest_fd() begins: what we know of stored hours holds
 * only when no other connection has committed since our last commit. */
static void tx_begin(struct ingest_ctx *c)
{
	if (c->data_version < 0 || store_data_version(c->s) != c->data_version) {
		hmap_clear(c->hours);
		hmap_clear(c->given);
		c->last_hour_state = HOUR_UNKNOWN;
	}
}

struct flush_state {
	struct store *s;
	struct irk_err *err;
	int rc;
};

static void flush_one(const void *key, size_t klen, void *value, void *arg)
{
	struct flush_state *fs = arg;
	struct bump *b = value;

	(void)key;
	(void)klen;
	if (!fs->rc && b->count)
		fs->rc = store_incident_bump(fs->s, b->id, b->count, b->first, b->last, fs->err);
}

/* The waiting group of alerts and the counts of incidents, stored. */
static int flush_counts(struct ingest_ctx *c, struct irk_err *err)
{
	struct flush_state fs = { c->s, err, group_flush(c, err) };

	hmap_each(c->bumps, flush_one, &fs);
	hmap_clear(c->bumps);
	return fs.rc;
}

/* A storm formed or gathered again: the rule's untouched incidents fold
 * into it (storm_fold()), with their alerts and counts stored first, and
 * what this transaction cached of them is forgotten. */
static int fold(struct ingest_ctx *c, const char *rule, int64_t id, int64_t t,
		struct irk_err *err)
{
	int64_t n;

	if (flush_counts(c, err) || storm_fold(c->storm, c->s, c->o.actor, rule, id, t, &n, err))
		return IRK_ERROR;
	if (!n)
		return IRK_OK;
	hmap_clear(c->corr);
	/* The storm has the folded incidents' observables now: its counts
	 * of each type (add_observables()' cap) start from the database. */
	for (int ty = 0; ty < OBS_COUNT; ty++) {
		char key[sizeof id + 1];
		int64_t count = store_observable_count(c->s, id, ty);
		memcpy(key, &id, sizeof id);
		key[sizeof id] = (char)ty;
		*(int64_t *)hmap_put_h(c->obs_count, key, sizeof key,
				       mix64((uint64_t)id) ^ (uint64_t)(unsigned char)ty, NULL) =
			count < 0 ? INGEST_MAX_OBS_PER_TYPE : count;
	}
	return IRK_OK;
}

int ingest_flush(struct ingest_ctx *c, struct irk_err *err)
{
	struct flush_state fs = { c->s, err, flush_counts(c, err) };

	if (!fs.rc && c->storm)
		fs.rc = storm_flush(c->storm, c->s, err);
	forget_tx(c);
	return fs.rc;
}

/* The incident this alert joins: the batch cache first, then the database. */
static int64_t correlate(struct ingest_ctx *c, const struct parsed *p)
{
	const struct alert *a = &p->a;
	int64_t t = a->event_time, w = c->o.window;

	for (int i = 0; i < 2; i++) {
		struct corr *k = p->ck[i].len ? hmap_get_h(c->corr, p->ck[i].buf, p->ck[i].len,
							   p->ck[i].h) : NULL;
		if (k && k->last >= t - w && k->first <= t + w)
			return k->id;
	}
	/* A storm's alerts come from hosts no incident has: the storm
	 * module knows its rule's few incidents and answers from memory. */
	if (c->storm) {
		const struct storm_key k[2] = { { p->ck[0].buf, p->ck[0].len, p->ck[0].h },
						{ p->ck[1].buf, p->ck[1].len, p->ck[1].h } };
		int64_t id;
		struct irk_err e;
		if (storm_correlate(c->storm, c->s, p->rule, k, t, w, &id, &e) == 1)
			return id;
	}
	return store_incident_correlate(c->s, p->rule, a->host, a->src_ip, t, w);
}

static void remember(struct ingest_ctx *c, const struct parsed *p, int64_t id)
{
	int64_t t = p->a.event_time;
	int created;

	for (int i = 0; i < 2; i++) {
		if (!p->ck[i].len)
			continue;
		struct corr *k = hmap_put_h(c->corr, p->ck[i].buf, p->ck[i].len, p->ck[i].h,
					    &created);
		if (created || k->id != id) {
			k->id = id;
			k->first = k->last = t;
		}
		if (t < k->first)
			k->first = t;
		if (t > k->last)
			k->last = t;
	}
}

static void add_bump(struct ingest_ctx *c, int64_t id, int64_t t)
{
	int created;
	struct bump *b = hmap_put_h(c->bumps, &id, sizeof id, mix64((uint64_t)id), &created);

	if (created) {
		b->id = id;
		b->first = b->last = t;
	}
	b->count++;
	if (t < b->first)
		b->first = t;
	if (t > b->last)
		b->last = t;
}

/* Each observable once per incident, at most INGEST_MAX_OBS_PER_TYPE of a
 * type. The common case, one already seen, costs one lookup. */
static int add_observables(struct ingest_ctx *c, int64_t incident, int64_t alert_id,
			   const struct parsed *p, int storm_incident, struct irk_err *err)
{
	const struct alert *a = &p->a;
	uint64_t hi = mix64((uint64_t)incident);
	char key[1100];

	memcpy(key, &incident, sizeof incident);
	for (int i = 0; i < a->nobs; i++) {
		const char *v = a->obs[i].value;
		size_t vl = strlen(v), kl = sizeof incident + 1 + vl;
		uint64_t h = p->obs_h[i] ^ hi;
		int created;

		if (vl > 1000)
			continue;   /* an "observable" this long is noise */
		key[sizeof incident] = (char)a->obs[i].type;
		memcpy(key + sizeof incident + 1, v, vl);
		if (hmap_get_h(c->obs, key, kl, h))
			continue;
		/* A storm's hosts are the storm module's (storm_note). */
		if (a->obs[i].type == OBS_HOST && storm_incident)
			continue;
		int64_t *count = hmap_put_h(c->obs_count, key, sizeof incident + 1,
					    hi ^ (uint64_t)(unsigned char)key[sizeof incident], &created);
		/* One this transaction opened has none but ours (we hold the
		 * write lock: ids are handed out in order). */
		if (created)
			*count = c->first_opened && incident >= c->first_opened ? 0 :
				 store_observable_count(c->s, incident, a->obs[i].type);
		if (*count >= INGEST_MAX_OBS_PER_TYPE)
			continue;
		hmap_put_h(c->obs, key, kl, h, NULL);
		int rc = store_observable_add(c->s, incident, a->obs[i].type, v, "alert", alert_id,
					      c->received, err);
		if (rc == IRK_OK)
			(*count)++;
		else if (rc != IRK_CONFLICT)
			return IRK_ERROR;
	}
	return IRK_OK;
}

static int open_incident(struct ingest_ctx *c, const char *rule, const struct alert *a,
			 const char *source, int64_t lineno, int storm, int64_t *id,
			 struct irk_err *err)
{
	struct incident inc = { 0 };
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char fp[2 * ALERT_FP_LEN + 1];
	int rc;

	inc.title = xstrdup(a->rule_name && *a->rule_name ? a->rule_name : rule);
	inc.severity = a->severity;
	inc.confidence = 50;
	inc.category = a->category && *a->category ? xstrdup(a->category) : NULL;
	inc.rule = xstrdup(rule);
	inc.host = a->host && *a->host ? xstrdup(a->host) : NULL;
	inc.src_ip = a->src_ip && *a->src_ip ? xstrdup(a->src_ip) : NULL;
	inc.t_first_event = inc.t_last_event = a->event_time;
	inc.t_detected = c->received;
	/* Stored with its first alert counted: only later ones bump it. */
	inc.alert_count = 1;
	if (storm)
		storm_open_fields(&inc);
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "format", alert_format_name(a->format));
	jsonw_kv_str(&w, "fingerprint", hash_hex(a->fingerprint, ALERT_FP_LEN, fp));
	jsonw_kv_str(&w, "file", source);
	jsonw_kv_int(&w, "line", lineno);
	jsonw_obj_end(&w);
	rc = c->o.open_incident ?
		c->o.open_incident(c->s, c->o.actor, &inc, a, js.buf, c->o.hook_arg, err) :
		incident_open(c->s, c->o.actor, &inc, js.buf, err);
	strbuf_free(&js);
	if (!rc && c->o.on_new_incident)
		rc = c->o.on_new_incident(c->s, &inc, a, c->o.hook_arg, err);
	*id = inc.id;
	incident_clear(&inc);
	return rc;
}

static int reject(struct ingest_ctx *c, const char *source, int64_t lineno, int format,
		  const char *reason, const char *line, size_t len, int64_t orig_len,
		  struct ingest_stats *st, struct irk_err *err)
{
	char why[sizeof err->msg];

	/* reason may be err->msg itself: copy it before err is reused. */
	irk_strlcpy(why, reason, sizeof why);
	st->rejected++;
	if (store_quarantine_add(c->s, source, lineno, format >= 0 ? alert_format_name(format) : NULL,
				 why, line, len, orig_len, err))
		return IRK_ERROR;
	return irk_fail(err, IRK_INVALID, "%s", why);
}

/* 1 when every stored alert of a's event hour was given by this ingest
 * (and its fingerprint is in c->given), 0 when not, -1 on an error. */
static int hour_new(struct ingest_ctx *c, const struct alert *a, struct irk_err *err)
{
	int created;
	unsigned char *v;

	/* Most alerts are of the hour of the one before. */
	if (c->last_hour_state && !memcmp(c->last_hour, a->fingerprint, 4))
		return c->last_hour_state == HOUR_NEW;
	v = hmap_put(c->hours, a->fingerprint, 4, &created);

	if (created) {
		/* On an error *v stays HOUR_UNKNOWN: not taken as new. */
		int stored = store_alert_hour_stored(c->s, a->fingerprint, err);
		if (stored < 0)
			return -1;
		/* A stream goes on hour by hour: a new one lets the fingerprints
		 * of the earlier ones go (their stragglers are checked by the
		 * database), so memory holds about an hour of alerts. */
		if (!stored)
			forget_given(c);
		*v = stored ? HOUR_STORED : HOUR_NEW;
	}
	memcpy(c->last_hour, a->fingerprint, 4);
	c->last_hour_state = *v;
	return *v == HOUR_NEW;
}

/* A skipped record: counted, and stored when it is kept. */
static int store_skipped(struct ingest_ctx *c, const struct parsed *p, struct ingest_stats *st,
			 struct irk_err *err)
{
	st->skipped++;
	if (!p->kept)
		return IRK_OK;
	int rc = store_sensor_insert(c->s, &p->ev, err);

	if (rc && rc != IRK_CONFLICT)
		return IRK_ERROR;
	st->kept += rc == IRK_OK;   /* a conflict: kept by an earlier read */
	return IRK_OK;
}

/* The database half: quarantine a rejected line, or de-duplicate,
 * correlate and store an alert. */
static int store_parsed(struct ingest_ctx *c, struct parsed *p, const char *source,
			struct ingest_stats *st, int64_t *incident_id, struct irk_err *err)
{
	struct alert *a = &p->a;
	int64_t id = 0, alert_id = 0;
	int rc, fresh = 0, created, opened, storm = 0;

	if (incident_id)
		*incident_id = 0;
	st->read++;
	if (p->skipped)
		return store_skipped(c, p, st, err);
	st->unrecognised += !p->ok && p->unrecognised;
	if (!p->ok)
		return reject(c, source, p->lineno, p->format, p->reason, p->raw, p->len,
			      p->full, st, err);
	if (c->grouped) {
		if ((fresh = hour_new(c, a, err)) < 0)
			return IRK_ERROR;
		if (fresh) {
			/* Given already: a duplicate. */
			uint64_t h;
			/* The fingerprint is a hash already. */
			memcpy(&h, a->fingerprint + 4, sizeof h);
			hmap_put_h(c->given, a->fingerprint, ALERT_FP_LEN, h, &created);
			if (!created) {
				st->duplicate++;
				return IRK_OK;
			}
			if (hmap_count(c->given) >= GIVEN_MAX)
				forget_given(c);
		} else if ((rc = group_flush(c, err))) {
			return rc;
		}
	}
	id = correlate(c, p);
	opened = !id;
	if (!id) {
		int verdict = STORM_PLAIN;
		/* A duplicate must not open an incident: check before creating. */
		if (!fresh && store_alert_exists(c->s, a->fingerprint)) {
			st->duplicate++;
			return IRK_OK;
		}
		if (c->storm && (verdict = storm_decide(c->storm, c->s, p->rule, a, &id, err)) < 0)
			return IRK_ERROR;
		/* The hook may read the database: the group goes first. */
		if (verdict == STORM_PLAIN || verdict == STORM_OPEN) {
			if ((rc = group_flush(c, err)) ||
			    (rc = open_incident(c, p->rule, a, source, p->lineno,
						verdict == STORM_OPEN, &id, err)))
				return rc;
			if (c->storm)
				storm_opened(c->storm, p->rule, id, a->event_time,
					     verdict == STORM_OPEN);
			if (!c->first_opened)
				c->first_opened = id;
			st->incidents++;
		} else {
			opened = 0;
		}
		if ((verdict == STORM_OPEN || verdict == STORM_GATHER) &&
		    fold(c, p->rule, id, a->event_time, err))
			return IRK_ERROR;
	}
	if (fresh) {
		if (c->last_id < 0) {
			int64_t last;
			if ((rc = store_alert_last_id(c->s, &last, err)))
				return rc;
			c->last_id = last;
		}
		alert_id = ++c->last_id;
		c->group[c->ngroup++] = (struct alert_new){ a, alert_id, id };
		if (c->ngroup == GROUP && (rc = group_flush(c, err)))
			return rc;
	} else {
		rc = store_alert_insert(c->s, a, c->received, id, &alert_id, err);
		if (rc == IRK_CONFLICT) {
			st->duplicate++;
			return IRK_OK;
		}
		if (rc)
			return rc;
		if (c->grouped)
			c->last_id = alert_id;
	}
	st->added++;
	if (c->storm && (storm = storm_is(c->storm, c->s, id)) < 0)
		return irk_fail(err, IRK_ERROR, "reading an incident");
	/* A storm's alerts find it without the batch's cache (storm.h), which
	 * would only grow by two keys an alert. */
	if (!storm)
		remember(c, p, id);
	if (!opened)
		add_bump(c, id, a->event_time);
	if (storm && (rc = storm_note(c->storm, c->s, id, a, alert_id, c->received, err)))
		return rc;
	if (add_observables(c, id, alert_id, p, storm, err))
		return IRK_ERROR;
	if (incident_id)
		*incident_id = id;
	return IRK_OK;
}

int ingest_record(struct ingest_ctx *c, const char *line, size_t len, const char *source,
		  int64_t lineno, struct ingest_stats *st, int64_t *incident_id,
		  struct irk_err *err)
{
	struct parsed *p = c->one_p;

	parsed_keep(p, line, len);
	p->lineno = lineno;
	p->full = (int64_t)len;
	parse_line(&c->o, p);
	return store_parsed(c, p, source, st, incident_id, err);
}

/* ---- reading lines in bounded memory ------------------------------------ */

#define READ_CHUNK 65536

struct reader {
	int fd;
	char *buf;               /* INGEST_MAX_LINE + READ_CHUNK + 1 bytes */
	size_t cap, start, end, scan;
	int eof;
	volatile sig_atomic_t *stop;   /* opts.stop: set, the input ends */
};

enum { LINE_OK, LINE_TOO_LONG, LINE_EOF, LINE_ERROR };

/* A read; 0 (the end) once *stop is set: the signal that set it
 * interrupted the read (this thread alone takes it, ingest_fd()). */
static ssize_t read_some(int fd, volatile sig_atomic_t *stop, char *p, size_t n)
{
	ssize_t k;

	do {
		if (stop && *stop)
			return 0;
		k = read(fd, p, n);
	} while (k < 0 && errno == EINTR);
	return k;
}

/* Skip the rest of an over-long line whose head is buf[0..MAX): read into
 * the space after the head until a newline. Sets *full to the line's whole
 * length and leaves what follows the newline as the unread data. */
static int reader_skip(struct reader *r, int64_t *full)
{
	char *area = r->buf + INGEST_MAX_LINE;
	size_t room = r->cap - INGEST_MAX_LINE;
	int64_t total = (int64_t)(r->end - r->start);

	/* Bytes already read past the head belong to the line: drop them. */
	for (;;) {
		ssize_t k = read_some(r->fd, r->stop, area, room);
		if (k < 0)
			return LINE_ERROR;
		if (k == 0) {
			r->eof = 1;
			r->start = r->end = r->scan = INGEST_MAX_LINE;
			*full = total;
			return LINE_TOO_LONG;
		}
		char *nl = memchr(area, '\n', (size_t)k);
		if (nl) {
			total += nl - area;
			r->start = r->scan = (size_t)(nl + 1 - r->buf);
			r->end = INGEST_MAX_LINE + (size_t)k;
			*full = total;
			return LINE_TOO_LONG;
		}
		total += k;
	}
}

/* The next line (without '\n') in *line and *len, valid until the next call.
 * A line over the limit gives LINE_TOO_LONG with its first
 * INGEST_MAX_LINE bytes and its full length in *full. */
static int reader_next(struct reader *r, const char **line, size_t *len, int64_t *full)
{
	for (;;) {
		char *nl = r->scan < r->end ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;
		if (nl) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - *line);
			*full = (int64_t)*len;
			r->start = r->scan = (size_t)(nl + 1 - r->buf);
			/* The buffer reads ahead past the limit: a line that
			 * ends there is still too long. */
			if (*len > INGEST_MAX_LINE) {
				*len = INGEST_MAX_LINE;
				return LINE_TOO_LONG;
			}
			return LINE_OK;
		}
		r->scan = r->end;
		if (r->start) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->scan = r->end;
			r->start = 0;
		}
		if (r->end > INGEST_MAX_LINE) {
			*line = r->buf;
			*len = INGEST_MAX_LINE;
			return r->eof ? (*full = (int64_t)r->end, r->start = r->end = r->scan = INGEST_MAX_LINE,
					 LINE_TOO_LONG) : reader_skip(r, full);
		}
		if (r->eof) {
			if (r->end > r->start) {
				*line = r->buf + r->start;
				*len = r->end - r->start;
				*full = (int64_t)*len;
				r->start = r->scan = r->end;
				return LINE_OK;
			}
			return LINE_EOF;
		}
		ssize_t k = read_some(r->fd, r->stop, r->buf + r->end, r->cap - r->end);
		if (k < 0)
			return LINE_ERROR;
		if (k == 0)
			r->eof = 1;
		r->end += (size_t)k;
	}
}

/* Error lines wait here until their batch is committed. */
static void pending_add(struct strbuf *pending, const char *source, int64_t lineno,
			const char *reason)
{
	strbuf_printf(pending, "%s:%lld: ", source, (long long)lineno);
	sanitize_append(pending, reason, strlen(reason), 0);
	strbuf_addc(pending, '\n');
}

int ingest_audit_batch(struct ingest_ctx *c, const char *source, int64_t first_line,
		       int64_t last_line, const struct ingest_stats *before,
		       const struct ingest_stats *now, struct irk_err *err)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	int rc;

	if (now->read <= before->read)
		return IRK_OK;
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "source", source);
	jsonw_kv_int(&w, "first_line", first_line);
	jsonw_kv_int(&w, "last_line", last_line);
	jsonw_kv_int(&w, "read", now->read - before->read);
	jsonw_kv_int(&w, "new", now->added - before->added);
	jsonw_kv_int(&w, "duplicate", now->duplicate - before->duplicate);
	jsonw_kv_int(&w, "skipped", now->skipped - before->skipped);
	jsonw_kv_int(&w, "kept", now->kept - before->kept);
	jsonw_kv_int(&w, "rejected", now->rejected - before->rejected);
	jsonw_kv_int(&w, "incidents", now->incidents - before->incidents);
	jsonw_obj_end(&w);
	rc = audit_append(c->s, c->o.actor, 0, "ingest.batch", js.buf, NULL, err);
	strbuf_free(&js);
	return rc;
}

static int commit_batch(struct ingest_ctx *c, const char *source, int64_t first_line,
			int64_t last_line, const struct ingest_stats *before,
			const struct ingest_stats *now, struct strbuf *pending,
			struct irk_err *err)
{
	int rc = ingest_flush(c, err);

	if (!rc)
		rc = ingest_audit_batch(c, source, first_line, last_line, before, now, err);
	if (!rc)
		rc = store_commit(c->s, err);
	else
		store_rollback(c->s);
	/* Our own commit leaves data_version as it was; another's moves it. */
	c->data_version = rc ? -1 : store_data_version(c->s);
	if (!rc && c->ckpt)
		checkpointer_signal(c->ckpt, 0);
	if (!rc && pending->len && c->o.errout) {
		fwrite(pending->buf, 1, pending->len, c->o.errout);
		fflush(c->o.errout);
	}
	strbuf_reset(pending);
	return rc;
}

/* ---- the pipeline: one thread reads and parses, the caller stores ---- */

#define RING 256

struct pipeline {
	struct reader r;
	const struct ingest_opts *o;
	struct parsed slots[RING];
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	uint64_t head, tail;     /* slots filled / slots consumed */
	uint64_t ready, used;    /* the database thread's own: seen, stored */
	int eof, read_errno, stop;
	int reader_waits, store_waits;   /* who sleeps on a condition: wake only them */
	uint64_t want;           /* wake the database thread at this many filled slots */
	int64_t last_ms;         /* when the newest line came (mono_ms) */
	int64_t lineno;
};

/* Monotonic milliseconds, and as a deadline for pthread_cond_timedwait. */
static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct timespec ts_of_ms(int64_t ms)
{
	return (struct timespec){ (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
}

static void unlock_mutex(void *mu)
{
	pthread_mutex_unlock(mu);
}

/* Wait until the ring has room; nonzero when the reader should stop. */
static int pipeline_wait_room(struct pipeline *pl)
{
	int stop;

	pthread_mutex_lock(&pl->mu);
	pthread_cleanup_push(unlock_mutex, &pl->mu);
	while (pl->head - pl->tail == RING && !pl->stop) {
		pl->reader_waits = 1;
		pthread_cond_wait(&pl->room, &pl->mu);
	}
	pl->reader_waits = 0;
	pthread_cleanup_pop(0);
	stop = pl->stop;
	pthread_mutex_unlock(&pl->mu);
	return stop;
}

/* The reader thread: lines in, parsed slots out, in order. It may be
 * cancelled in read() or while waiting for room (when storing failed). */
static void *pipeline_reader(void *arg)
{
	struct pipeline *pl = arg;

	for (;;) {
		const char *line;
		size_t len;
		int64_t full;
		int k = reader_next(&pl->r, &line, &len, &full);

		if (k == LINE_EOF || k == LINE_ERROR) {
			pthread_mutex_lock(&pl->mu);
			pl->eof = 1;
			pl->read_errno = k == LINE_ERROR ? errno : 0;
			pthread_cond_signal(&pl->more);
			pthread_mutex_unlock(&pl->mu);
			return NULL;
		}
		pl->lineno++;
		if (k == LINE_OK) {
			while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
				len--;
			size_t i = 0;
			while (i < len && (line[i] == ' ' || line[i] == '\t'))
				i++;
			if (i == len)
				continue;   /* blank lines are not records */
		}
		if (pipeline_wait_room(pl))
			return NULL;
		/* The slot at head is ours until head moves past it. */
		struct parsed *p = &pl->slots[pl->head % RING];
		parsed_keep(p, line, len);
		p->lineno = pl->lineno;
		p->full = full;
		if (k == LINE_TOO_LONG) {
			p->ok = p->skipped = p->kept = 0;
			p->format = -1;
			snprintf(p->reason, sizeof p->reason,
				 "line of %lld bytes is over the %d byte limit (first %d bytes kept)",
				 (long long)full, INGEST_MAX_LINE, INGEST_MAX_LINE);
		} else {
			parse_line(pl->o, p);
		}
		int64_t now = mono_ms();
		pthread_mutex_lock(&pl->mu);
		pl->head++;
		pl->last_ms = now;
		if (pl->store_waits && pl->head - pl->tail >= pl->want)
			pthread_cond_signal(&pl->more);
		pthread_mutex_unlock(&pl->mu);
	}
}

/* Give the stored slots back (pl->mu held). */
static void pipeline_give_back(struct pipeline *pl)
{
	pl->tail += pl->used;
	pl->used = 0;
	/* A full ring means the database is the slow side: let the reader
	 * refill half of it at a time, not wake it per line. */
	if (pl->reader_waits && pl->head - pl->tail <= RING / 2)
		pthread_cond_signal(&pl->room);
}

/* The next parsed slot in order, or NULL at the end of input. The
 * database thread takes every slot ready at one look and gives the used
 * ones back at the next, so it locks once per run of lines, not per line.
 * Waiting for input past deadline_ms (mono_ms) gives NULL with *idle set:
 * the caller commits what it has rather than hold the write lock while the
 * input pauses. */
static struct parsed *pipeline_next(struct pipeline *pl, int64_t deadline_ms, int *idle)
{
	struct timespec deadline = ts_of_ms(deadline_ms);

	*idle = 0;
	if (!pl->ready) {
		pthread_mutex_lock(&pl->mu);
		pipeline_give_back(pl);
		pl->want = 1;
		while (pl->head == pl->tail && !pl->eof && !*idle) {
			pl->store_waits = 1;
			if (pthread_cond_timedwait(&pl->more, &pl->mu, &deadline) == ETIMEDOUT)
				*idle = pl->head == pl->tail && !pl->eof;
		}
		pl->store_waits = 0;
		pl->ready = pl->head - pl->tail;
		pthread_mutex_unlock(&pl->mu);
		if (!pl->ready)
			return NULL;
	}
	return &pl->slots[(pl->tail + pl->used) % RING];
}

/* Between transactions, holding no lock: wait until the lines parsed are
 * worth a transaction (half the ring, the input quiet for
 * INGEST_QUIET_MS, the oldest waiting INGEST_FLUSH_MS, or the end of
 * input), and not before gap_ms (mono_ms), so that writers waiting for the
 * database get their turn between two batches. The number of slots
 * ready; 0 at the end of input. */
static uint64_t pipeline_gather(struct pipeline *pl, int64_t gap_ms)
{
	int64_t first = mono_ms();

	pthread_mutex_lock(&pl->mu);
	pipeline_give_back(pl);
	for (;;) {
		uint64_t n = pl->head - pl->tail;
		int64_t now = mono_ms(), until;

		if (pl->eof)
			break;
		if (!n) {
			/* Nothing to store: sleep until a line comes. */
			pl->want = 1;
			pl->store_waits = 1;
			pthread_cond_wait(&pl->more, &pl->mu);
			first = mono_ms();
			continue;
		}
		if (n >= RING / 2) {
			until = gap_ms;
			pl->want = RING + 1;
		} else {
			until = pl->last_ms + INGEST_QUIET_MS;
			if (until > first + INGEST_FLUSH_MS)
				until = first + INGEST_FLUSH_MS;
			if (until < gap_ms)
				until = gap_ms;
			pl->want = RING / 2;
		}
		if (now >= until)
			break;
		struct timespec ts = ts_of_ms(until);
		pl->store_waits = 1;
		pthread_cond_timedwait(&pl->more, &pl->mu, &ts);
	}
	pl->store_waits = 0;
	pl->want = 1;
	pl->ready = pl->head - pl->tail;
	pthread_mutex_unlock(&pl->mu);
	return pl->ready;
}

/* The slot pipeline_next() gave is stored: it goes back with the next look. */
static void pipeline_done_with(struct pipeline *pl)
{
	pl->used++;
	pl->ready--;
}

/* ---- checkpoints away from the database thread ------------------------ */

/* Copying the WAL back into the database (a checkpoint) is a tenth of a
 * bulk ingest's database work: a thread with its own connection does it
 * every CKPT_EVERY commits while the next batches are built, instead of
 * the writer stopping for it every 256 MiB. */
struct checkpointer {
	struct store *s;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv, done;
	uint64_t asked, did;     /* checkpoints asked for, done */
	int stop, since_sync;
};

/* The WAL starts over from its beginning only when a write transaction
 * begins with all of it copied back; with the checkpointer always a batch
 * behind, that never happens by itself, and a growing WAL makes every page
 * lookup slower. So every this many commits the writer lets it catch up. */
#define CKPT_SYNC_EVERY 8
/* Commits between two checkpoints: the one before a sync overlaps the
 * writer's next batches. */
#define CKPT_EVERY (CKPT_SYNC_EVERY / 2)

static void *checkpointer_main(void *arg)
{
	struct checkpointer *k = arg;
	int stop = 0;

	while (!stop) {
		uint64_t asked;

		pthread_mutex_lock(&k->mu);
		while (k->did == k->asked && !k->stop)
			pthread_cond_wait(&k->cv, &k->mu);
		asked = k->asked;
		stop = k->stop;
		pthread_mutex_unlock(&k->mu);
		store_checkpoint(k->s);   /* once more when told to stop */
		pthread_mutex_lock(&k->mu);
		k->did = asked;
		pthread_cond_signal(&k->done);
		pthread_mutex_unlock(&k->mu);
	}
	return NULL;
}

/* Start checkpointing s's database from another thread; 0 when that
 * cannot be done (s then checkpoints itself, as always). */
static int checkpointer_start(struct checkpointer *k, struct store *s)
{
	struct irk_err e;

	memset(k, 0, sizeof *k);
	if (store_open(&k->s, store_path(s), 0, &e))
		return 0;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	pthread_cond_init(&k->done, NULL);
	if (pthread_create(&k->thread, NULL, checkpointer_main, k)) {
		pthread_mutex_destroy(&k->mu);
		pthread_cond_destroy(&k->cv);
		pthread_cond_destroy(&k->done);
		store_close(&k->s);
		return 0;
	}
	store_checkpoint_off(s);
	return 1;
}

/* A commit is done: copy back what was committed every CKPT_EVERY
 * commits (stop: now, and end after that). A checkpoint copies each page
 * once however many commits wrote it since the last one: a storm, whose
 * commits all write the same random index pages, copied each of them
 * after every commit (a third of its CPU time was the checkpointer's). */
static void checkpointer_signal(struct checkpointer *k, int stop)
{
	pthread_mutex_lock(&k->mu);
	k->stop |= stop;
	k->since_sync++;
	if (stop || k->since_sync % CKPT_EVERY == 0) {
		k->asked++;
		pthread_cond_signal(&k->cv);
	}
	pthread_mutex_unlock(&k->mu);
}

/* Before a transaction begins: every CKPT_SYNC_EVERY commits, wait until
 * what was committed is copied back, so that this transaction restarts
 * the WAL. */
static void checkpointer_sync(struct checkpointer *k)
{
	if (k->since_sync < CKPT_SYNC_EVERY)
		return;
	pthread_mutex_lock(&k->mu);
	while (k->did != k->asked)
		pthread_cond_wait(&k->done, &k->mu);
	k->since_sync = 0;
	pthread_mutex_unlock(&k->mu);
}

/* After the last commit: one more checkpoint, then the thread ends. */
static void checkpointer_stop(struct checkpointer *k)
{
	checkpointer_signal(k, 1);
	pthread_join(k->thread, NULL);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	pthread_cond_destroy(&k->done);
	store_close(&k->s);
}

/* Is the batch's time up? Past tx_short when another irk writer waits
 * for the lock (asked at most once a millisecond: *looked is when it was
 * last asked), past tx_end in any case. Long transactions while nobody
 * waits write each of a storm's random index pages once per batch, not
 * once per INGEST_TX_MS. */
static int tx_over(struct store *s, int64_t tx_short, int64_t tx_end, int64_t *looked)
{
	int64_t now = mono_ms();

	if (now >= tx_end)
		return 1;
	if (now < tx_short || now == *looked)
		return 0;
	*looked = now;
	return store_writer_waiting(s);
}

int ingest_fd(struct store *s, int fd, const char *source,
	      const struct ingest_opts *o, struct ingest_stats *st, struct irk_err *err)
{
	struct pipeline *pl = xcalloc(1, sizeof *pl);
	struct ingest_ctx *c = ingest_begin(s, o);
	struct strbuf pending = STRBUF_INIT;
	struct ingest_stats before = *st;
	struct irk_err lerr;
	int64_t first_line = 1, last_line = 0;
	int in_batch = 0, rc = IRK_OK, batch = o->batch > 0 ? o->batch :
		(int)config_settings(NULL)->ingest.batch;
	int n_in_batch = 0;
	char *safe_source = sanitize_dup(source, 0);
	pthread_t reader;
	pthread_condattr_t ca;
	int64_t tx_end = 0, tx_short = 0, gap_until = 0, looked = 0, idle_since = 0;
	struct checkpointer ckpt;
	int ckpt_on = 0;
	sigset_t stop_sigs, old_sigs;

	pl->r = (struct reader){ fd, xmalloc(INGEST_MAX_LINE + READ_CHUNK + 1),
		INGEST_MAX_LINE + READ_CHUNK + 1, 0, 0, 0, 0, o->stop };
	pl->o = &c->o;
	for (int i = 0; i < RING; i++)
		parsed_init(&pl->slots[i]);
	pthread_mutex_init(&pl->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pl->more, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&pl->room, NULL);
	if (pthread_create(&reader, NULL, pipeline_reader, pl)) {
		rc = irk_fail(err, IRK_ERROR, "cannot start the reader thread");
		goto out;
	}
	/* With opts.stop, SIGINT and SIGTERM go to the reader alone (this
	 * thread and the checkpointer, started below, block them): they
	 * interrupt its read, and the input ends there. */
	if (o->stop) {
		sigemptyset(&stop_sigs);
		sigaddset(&stop_sigs, SIGINT);
		sigaddset(&stop_sigs, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &stop_sigs, &old_sigs);
	}
	store_bulk_begin(s);
	if ((ckpt_on = checkpointer_start(&ckpt, s)))
		c->ckpt = &ckpt;
	c->grouped = 1;
	/* A batch holds the write lock for at most INGEST_TX_MS while another
	 * irk writer waits for it, else INGEST_TX_MAX_MS (or o->batch lines),
	 * never while it waits for input, and the next one begins
	 * INGEST_GAP_MS after it: the lines parsed meanwhile wait in the ring,
	 * other writers take their turn. */
	for (;;) {
		int idle;
		struct parsed *p;

		if (!in_batch) {
			if (!pipeline_gather(pl, gap_until))
				break;
			if (ckpt_on)
				checkpointer_sync(&ckpt);
			if ((rc = store_begin(s, err)))
				break;
			tx_begin(c);
			in_batch = 1;
			n_in_batch = 0;
			before = *st;
			tx_short = mono_ms() + INGEST_TX_MS;
			tx_end = tx_short - INGEST_TX_MS + INGEST_TX_MAX_MS;
		}
		/* The waiting group borrows slots that the next look hands back. */
		if (!pl->ready && (rc = group_flush(c, &lerr))) {
			irk_fail(err, rc, "%s: %s", safe_source, lerr.msg);
			break;
		}
		if (!pl->ready) {
			int64_t soon = mono_ms() + INGEST_TX_WAIT_MS;
			p = pipeline_next(pl, soon < tx_end ? soon : tx_end, &idle);
		} else {
			p = pipeline_next(pl, 0, &idle);
		}
		if (!p && !idle)
			break;   /* the end of input: committed below */
		if (idle) {
			int64_t now = mono_ms();

			/* No line at hand: commit rather than hold the lock, unless
			 * a bulk input only paused (its reader thread not yet
			 * scheduled) for less than INGEST_TX_IDLE_MS and nobody
			 * waits for the lock. */
			if (!idle_since)
				idle_since = now - INGEST_TX_WAIT_MS;
			if (now - idle_since < INGEST_TX_IDLE_MS && now < tx_end &&
			    !store_writer_waiting(s))
				continue;
			idle_since = 0;
			if ((rc = commit_batch(c, source, first_line, last_line, &before, st, &pending, err)))
				break;
			in_batch = 0;
			gap_until = mono_ms() + INGEST_GAP_MS;
			continue;
		}
		idle_since = 0;
		if (!n_in_batch)
			first_line = p->lineno;
		irk_err_clear(&lerr);
		last_line = p->lineno;
		rc = store_parsed(c, p, source, st, NULL, &lerr);
		if (rc == IRK_INVALID) {
			pending_add(&pending, safe_source, p->lineno, lerr.msg);
			rc = IRK_OK;
		}
		if (rc) {
			irk_fail(err, rc, "%s:%lld: %s", safe_source, (long long)p->lineno, lerr.msg);
			break;
		}
		pipeline_done_with(pl);
		if (++n_in_batch >= batch || tx_over(s, tx_short, tx_end, &looked)) {
			if ((rc = commit_batch(c, source, first_line, last_line, &before, st, &pending, err)))
				break;
			in_batch = 0;
			gap_until = mono_ms() + INGEST_GAP_MS;
		}
	}
	/* Stop the reader (it may be waiting for room) and collect it. */
	pthread_mutex_lock(&pl->mu);
	pl->stop = 1;
	pthread_cond_signal(&pl->room);
	pthread_mutex_unlock(&pl->mu);
	if (rc)   /* it may be blocked reading a pipe that never ends */
		pthread_cancel(reader);
	pthread_join(reader, NULL);
	if (o->stop)
		pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);
	if (!rc && pl->read_errno)
		rc = irk_fail(err, IRK_ERROR, "%s: read error after line %lld: %s",
			      safe_source, (long long)pl->lineno, strerror(pl->read_errno));
	if (in_batch) {
		if (rc) {
			/* A fatal error: this batch was never reported, so it goes;
			 * earlier batches are committed. Re-running adds the rest. */
			store_rollback(s);
		} else {
			rc = commit_batch(c, source, first_line, last_line, &before, st, &pending, err);
		}
	}
	if (ckpt_on)
		checkpointer_stop(&ckpt);
	store_bulk_end(s);
out:
	for (int i = 0; i < RING; i++)
		parsed_free(&pl->slots[i]);
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->more);
	pthread_cond_destroy(&pl->room);
	free(pl->r.buf);
	free(pl);
	free(safe_source);
	strbuf_free(&pending);
	ingest_end(&c);
	return rc;
}

int ingest_path(struct store *s, const char *path, const struct ingest_opts *o,
		struct ingest_stats *st, struct irk_err *err)
{
	int fd, rc;

	if (!strcmp(path, "-"))
		return ingest_fd(s, 0, "<stdin>", o, st, err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		char *safe = sanitize_dup(path, 0);
		irk_fail(err, IRK_ERROR, "%s: %s", safe, strerror(errno));
		free(safe);
		return IRK_ERROR;
	}
	rc = ingest_fd(s, fd, path, o, st, err);
	close(fd);
	return rc;
}
