/* snapshot.c: the dashboard's KPIs, computed, stored as bytes and read
 * back (snapshot.h).
 *
 * The bytes are the structs themselves with their pointers left out and
 * the strings after them: a snapshot is read only by the irk that can
 * compute it again, so the layout check (the struct sizes in the header)
 * is enough; another layout reads as "no snapshot" and is recomputed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/sla.h"
#include "irk/snapshot.h"
#include "irk/store.h"

#define SNAPSHOT_NAME "board"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t settings_hash(const struct config_settings *set)
{
	const char *strs[] = { set->sla.business_hours, set->sla.zone };
	uint64_t h = 1469598103934665603ULL;

	h = fnv(h, set->sla.ack, sizeof set->sla.ack);
	h = fnv(h, set->sla.contain, sizeof set->sla.contain);
	h = fnv(h, set->sla.resolve, sizeof set->sla.resolve);
	h = fnv(h, &set->maturity, sizeof set->maturity);
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		h = strs[i] ? fnv(h, strs[i], strlen(strs[i]) + 1) : fnv(h, "\xff", 1);
	return h;
}

/* The snapshot's name: "board" under the default [sla] and [maturity],
 * else "board-" and a hash of them. Figures computed with other targets
 * or business hours are another snapshot: after a change to irk.conf the
 * board does not show the old ones until the audit log moves. */
static const char *snapshot_name(const struct config *cfg, char *buf, size_t n)
{
	uint64_t h = settings_hash(config_settings(cfg));

	if (h == settings_hash(config_settings(NULL)))
		return SNAPSHOT_NAME;
	snprintf(buf, n, SNAPSHOT_NAME "-%016llx", (unsigned long long)h);
	return buf;
}
#define SNAPSHOT_MAGIC 0x4b504931u     /* "KPI1" */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kpi_snapshot_compute(struct kpi_snapshot *out, struct store *s, const struct config *cfg,
			 const struct sla_policy *p, int64_t now, struct irk_err *err)
{
	int64_t t0 = mono_ms();
	struct kpi_query q = { .since = now - KPI_SNAPSHOT_WEEKS * 7 * 86400LL, .until = 0,
			       .now = now };
	int rc;

	memset(out, 0, sizeof *out);
	out->since = q.since;
	out->now = now;
	out->head = store_kpi_head(s);
	for (int i = 0; i < KPI_SNAPSHOT_WEEKS; i++) {
		time_t t = (time_t)(now - (KPI_SNAPSHOT_WEEKS - 1 - i) * 7 * 86400LL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(out->week_key[i], sizeof out->week_key[i], "%G-W%V", &tm);
	}
	q.by = KPI_BY_WEEK;
	if ((rc = kpi_compute(s, p, &q, &out->week, err)))
		return rc;
	q.by = KPI_BY_UNIT;
	if ((rc = kpi_compute(s, p, &q, &out->unit, err)) ||
	    (rc = maturity_assess(s, cfg, now, &out->mat, err))) {
		kpi_snapshot_free(out);
		return rc;
	}
	out->took_ms = mono_ms() - t0;
	return IRK_OK;
}

void kpi_snapshot_free(struct kpi_snapshot *k)
{
	kpi_report_free(&k->week);
	kpi_report_free(&k->unit);
	strbuf_free(&k->pool);
	memset(k, 0, sizeof *k);
}

/* ---- bytes ----------------------------------------------------------------------- */

static void put(struct strbuf *o, const void *p, size_t n)
{
	strbuf_add(o, p, n);
}

static void put_i64(struct strbuf *o, int64_t v)
{
	put(o, &v, sizeof v);
}

/* A string: its length (-1 for NULL), then its bytes. */
static void put_str(struct strbuf *o, const char *s)
{
	put_i64(o, s ? (int64_t)strlen(s) : -1);
	if (s)
		put(o, s, strlen(s));
}

static void put_report(struct strbuf *o, const struct kpi_report *r)
{
	struct kpi_group g;

	put(o, &r->q, sizeof r->q);
	g = r->all;
	g.key = NULL;
	put(o, &g, sizeof g);
	put_i64(o, (int64_t)r->ngroups);
	for (size_t i = 0; i < r->ngroups; i++) {
		g = r->groups[i];
		g.key = NULL;
		put(o, &g, sizeof g);
		put_str(o, r->groups[i].key);
	}
	for (int list = 0; list < 2; list++) {
		const struct kpi_fp *v = list ? r->by_play : r->by_rule;
		size_t n = list ? r->nplay : r->nrule;
		put_i64(o, (int64_t)n);
		for (size_t i = 0; i < n; i++) {
			put_str(o, v[i].key);
			put_i64(o, v[i].closed);
			put_i64(o, v[i].false_positive);
		}
	}
}

void kpi_snapshot_encode(const struct kpi_snapshot *k, struct strbuf *out)
{
	const int64_t layout[] = { SNAPSHOT_MAGIC, sizeof(struct kpi_group),
				   sizeof(struct maturity_criterion), sizeof(struct kpi_query),
				   KPI_SNAPSHOT_WEEKS, MATURITY_MAX };

	put(out, layout, sizeof layout);
	put_i64(out, k->since);
	put_i64(out, k->now);
	put_i64(out, k->head);
	put_i64(out, k->took_ms);
	put(out, k->week_key, sizeof k->week_key);
	put_report(out, &k->week);
	put_report(out, &k->unit);
	put_i64(out, k->mat.level);
	put_i64(out, k->mat.since);
	put_i64(out, k->mat.until);
	put_i64(out, (int64_t)k->mat.n);
	for (size_t i = 0; i < k->mat.n; i++) {
		struct maturity_criterion c = k->mat.c[i];
		const char *strs[] = { c.id, c.text, c.todo, c.op, c.reason };
		c.id = c.text = c.todo = c.op = c.reason = NULL;
		put(out, &c, sizeof c);
		for (size_t j = 0; j < sizeof strs / sizeof strs[0]; j++)
			put_str(out, strs[j]);
	}
}

struct rd {
	const unsigned char *p;
	size_t left;
	int bad;
};

static void get(struct rd *r, void *to, size_t n)
{
	if (r->bad || n > r->left) {
		r->bad = 1;
		memset(to, 0, n);
		return;
	}
	memcpy(to, r->p, n);
	r->p += n;
	r->left -= n;
}

static int64_t get_i64(struct rd *r)
{
	int64_t v;

	get(r, &v, sizeof v);
	return v;
}

/* A string, owned (NULL for the NULL one). */
static char *get_str(struct rd *r)
{
	int64_t n = get_i64(r);
	char *s;

	if (r->bad || n < 0)
		return NULL;
	if ((uint64_t)n > r->left) {
		r->bad = 1;
		return NULL;
	}
	s = xstrndup((const char *)r->p, (size_t)n);
	r->p += n;
	r->left -= (size_t)n;
	return s;
}

/* A count of things at least min bytes each that the bytes left can hold. */
static size_t get_count(struct rd *r, size_t min)
{
	int64_t n = get_i64(r);

	if (r->bad || n < 0 || (uint64_t)n > r->left / min) {
		r->bad = 1;
		return 0;
	}
	return (size_t)n;
}

static void get_report(struct rd *r, struct kpi_report *k)
{
	get(r, &k->q, sizeof k->q);
	get(r, &k->all, sizeof k->all);
	k->all.key = NULL;
	k->ngroups = get_count(r, sizeof(struct kpi_group));
	k->groups = xcalloc(k->ngroups + 1, sizeof *k->groups);
	for (size_t i = 0; i < k->ngroups; i++) {
		get(r, &k->groups[i], sizeof k->groups[i]);
		k->groups[i].key = get_str(r);
	}
	for (int list = 0; list < 2; list++) {
		size_t n = get_count(r, 3 * sizeof(int64_t));
		struct kpi_fp *v = xcalloc(n + 1, sizeof *v);
		for (size_t i = 0; i < n; i++) {
			v[i].key = get_str(r);
			v[i].closed = get_i64(r);
			v[i].false_positive = get_i64(r);
		}
		if (list) {
			k->by_play = v;
			k->nplay = n;
		} else {
			k->by_rule = v;
			k->nrule = n;
		}
	}
}

int kpi_snapshot_decode(struct kpi_snapshot *out, const void *data, size_t n)
{
	const int64_t want[] = { SNAPSHOT_MAGIC, sizeof(struct kpi_group),
				 sizeof(struct maturity_criterion), sizeof(struct kpi_query),
				 KPI_SNAPSHOT_WEEKS, MATURITY_MAX };
	int64_t layout[sizeof want / sizeof want[0]];
	struct rd r = { data, n, 0 };
	size_t offs[MATURITY_MAX][5];

	memset(out, 0, sizeof *out);
	get(&r, layout, sizeof layout);
	if (r.bad || memcmp(layout, want, sizeof want))
		return -1;
	out->since = get_i64(&r);
	out->now = get_i64(&r);
	out->head = get_i64(&r);
	out->took_ms = get_i64(&r);
	get(&r, out->week_key, sizeof out->week_key);
	for (int i = 0; i < KPI_SNAPSHOT_WEEKS; i++)
		out->week_key[i][sizeof out->week_key[i] - 1] = '\0';
	get_report(&r, &out->week);
	get_report(&r, &out->unit);
	out->mat.level = (int)get_i64(&r);
	out->mat.since = get_i64(&r);
	out->mat.until = get_i64(&r);
	out->mat.n = get_count(&r, sizeof(struct maturity_criterion));
	if (out->mat.n > MATURITY_MAX)
		r.bad = 1;
	/* the criteria's strings go to the pool; pointed at once it is whole */
	for (size_t i = 0; !r.bad && i < out->mat.n; i++) {
		get(&r, &out->mat.c[i], sizeof out->mat.c[i]);
		for (int j = 0; j < 5; j++) {
			char *s = get_str(&r);
			offs[i][j] = s ? out->pool.len : (size_t)-1;
			if (s)
				strbuf_add(&out->pool, s, strlen(s) + 1);
			free(s);
		}
	}
	if (r.bad || r.left) {
		kpi_snapshot_free(out);
		return -1;
	}
	for (size_t i = 0; i < out->mat.n; i++) {
		const char **f[] = { &out->mat.c[i].id, &out->mat.c[i].text, &out->mat.c[i].todo,
				     &out->mat.c[i].op, &out->mat.c[i].reason };
		for (int j = 0; j < 5; j++)
			*f[j] = offs[i][j] == (size_t)-1 ? NULL : out->pool.buf + offs[i][j];
	}
	return 0;
}

/* ---- stored ---------------------------------------------------------------------- */

int kpi_snapshot_load(struct kpi_snapshot *out, struct store *s, const struct config *cfg,
		      struct irk_err *err)
{
	struct strbuf body = STRBUF_INIT;
	int64_t at, head;
	char name[40];
	int rc = store_kpi_snapshot_get(s, snapshot_name(cfg, name, sizeof name), &at, &head,
					&body, err);

	memset(out, 0, sizeof *out);
	if (!rc && kpi_snapshot_decode(out, body.buf, body.len))
		rc = irk_fail(err, IRK_NOTFOUND, "the KPI snapshot is of another irk");
	strbuf_free(&body);
	return rc;
}

int kpi_snapshot_keep(struct store *s, const struct config *cfg, int64_t now, int force,
		      int *made, struct irk_err *err)
{
	struct kpi_snapshot k;
	struct sla_policy pol;
	struct strbuf body = STRBUF_INIT;
	/* The age between processes is on the real clock: a clock fixed by
	 * IRK_NOW (tests, the demo) would hold the first snapshot forever. */
	int64_t wall = (int64_t)time(NULL);
	int64_t at = 0, head = -1, now_head = store_kpi_head(s);
	char buf[40];
	const char *name = snapshot_name(cfg, buf, sizeof buf);
	int rc = store_kpi_snapshot_get(s, name, &at, &head, NULL, err);

	if (made)
		*made = 0;
	if (rc && rc != IRK_NOTFOUND)
		return rc;
	if (now_head < 0)
		return irk_fail(err, IRK_ERROR, "reading the audit log's head");
	/* current, or another process stored one a moment ago */
	if (!rc && (head == now_head || (!force && wall - at < KPI_SNAPSHOT_AGE && wall >= at)))
		return IRK_OK;
	sla_policy_load(&pol, cfg);
	if ((rc = kpi_snapshot_compute(&k, s, cfg, &pol, now, err)))
		return rc;
	kpi_snapshot_encode(&k, &body);
	rc = store_kpi_snapshot_put(s, name, wall, k.head, body.buf, body.len, err);
	if (!rc && made)
		*made = 1;
	strbuf_free(&body);
	kpi_snapshot_free(&k);
	return rc;
}
