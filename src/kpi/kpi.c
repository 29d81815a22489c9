/* kpi.c: the KPIs of a period, in three streamed passes (incidents, their
 * stage history, their steps) and one over the play versions.
 *
 * The incidents pass files each incident under its group and keeps a
 * small record of it (struct irec); the steps pass finds that record by
 * id through an array over the period's ids. The stage history, the
 * longest table (six moves an incident), is read at the same time on a
 * second connection by a thread of its own into a per-id array (struct
 * hist), joined to the records at the end. Durations are kept as 32-bit
 * seconds per figure and group, and their median and p90 are selected,
 * not sorted: linear in the incidents. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/clock.h"
#include "irk/hmap.h"
#include "irk/jsonw.h"
#include "irk/kpi.h"
#include "irk/play.h"
#include "irk/sla.h"
#include "irk/store.h"
#include "irk/strbuf.h"

#define X_NAME(e, n, h) n,
static const char *const by_names[] = { IRK_KPI_BY(X_NAME) };
#undef X_NAME

const char *kpi_by_name(int by)
{
	return by > 0 && by < KPI_BY_COUNT ? by_names[by] : "";
}

int kpi_by_parse(const char *s)
{
	for (int i = 1; i < KPI_BY_COUNT; i++)
		if (!strcasecmp(s, by_names[i]))
			return i;
	/* the incident fields' own names too */
	static const struct { const char *field; int by; } fields[] = {
		{ "business_unit", KPI_BY_UNIT }, { "owner", KPI_BY_ANALYST },
		{ "threat_source", KPI_BY_SOURCE }, { "root_cause", KPI_BY_CAUSE },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (!strcasecmp(s, fields[i].field))
			return fields[i].by;
	return -1;
}

const char *kpi_clock_name(int c)
{
	static const char *const names[] = { "acknowledge", "contain", "resolve" };

	return c >= 0 && c < KPI_CLOCKS ? names[c] : "?";
}

double kpi_rate(int64_t part, int64_t whole)
{
	return whole > 0 ? (double)part / (double)whole : -1;
}

int64_t kpi_sla_met(const struct kpi_sla *s)
{
	return s->met[KPI_ACK] + s->met[KPI_CONTAIN] + s->met[KPI_RESOLVE];
}

int64_t kpi_sla_breached(const struct kpi_sla *s)
{
	return s->breached[KPI_ACK] + s->breached[KPI_CONTAIN] + s->breached[KPI_RESOLVE];
}

double kpi_sla_rate(const struct kpi_group *g)
{
	return kpi_rate(kpi_sla_met(&g->sla), kpi_sla_met(&g->sla) + kpi_sla_breached(&g->sla));
}

double kpi_fp_rate(const struct kpi_group *g)
{
	return kpi_rate(g->quality.false_positive, g->quality.closed);
}

char *kpi_fmt_median(const struct kpi_stat *st, char *buf, size_t n)
{
	if (st->count)
		return irk_duration_fmt(st->median, buf, n);
	snprintf(buf, n, "-");
	return buf;
}

char *kpi_fmt_rate(double r, char *buf, size_t n)
{
	if (r < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f%%", r * 100);
	return buf;
}

/* ---- values and their median ------------------------------------------ */

struct vals {
	int32_t *v;
	size_t n, cap;
};

static void vals_add(struct vals *a, int64_t x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = x > INT32_MAX ? INT32_MAX : (int32_t)x;
}

/* The k-th smallest of v[0..n) (k from 0), v reordered. Three-way
 * partitions: durations repeat a lot (whole minutes, the same target),
 * and a two-way partition degrades to quadratic on equal values. */
static int32_t select_k(int32_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n;        /* the answer is in v[lo..hi) */

	while (hi - lo > 1) {
		int32_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
		int32_t p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		size_t lt = lo, i = lo, gt = hi;

		while (i < gt) {
			int32_t x = v[i];
			if (x < p) {
				v[i++] = v[lt];
				v[lt++] = x;
			} else if (x > p) {
				v[i] = v[--gt];
				v[gt] = x;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return p;
	}
	return v[lo];
}

/* Nearest rank: the smallest value with at least pct% of them at or
 * below it. */
static int32_t percentile(struct vals *a, int pct)
{
	size_t rank = (a->n * (size_t)pct + 99) / 100;

	return select_k(a->v, a->n, rank ? rank - 1 : 0);
}

static void stat_finish(struct kpi_stat *st, struct vals *a)
{
	int64_t sum = 0;

	st->count = (int64_t)a->n;
	if (a->n) {
		for (size_t i = 0; i < a->n; i++)
			sum += a->v[i];
		st->mean = (sum + (int64_t)a->n / 2) / (int64_t)a->n;
		st->median = percentile(a, 50);
		st->p90 = percentile(a, 90);
	}
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* ---- groups ------------------------------------------------------------ */

enum { V_MTTD, V_MTTA, V_MTTC, V_MTTR, V_TTC, V_STAGE, V_EFFORT = V_STAGE + STAGE_COUNT,
       V_PWAIT, V_WAGE, V_AWAIT, V_COUNT };

/* A group while it fills: the values of each figure, the owners seen. */
struct acc {
	struct vals v[V_COUNT];
	struct hmap *owners;
};

static struct kpi_stat *stat_of(struct kpi_group *g, int i)
{
	switch (i) {
	case V_MTTD: return &g->mttd;
	case V_MTTA: return &g->mtta;
	case V_MTTC: return &g->mttc;
	case V_MTTR: return &g->mttr;
	case V_TTC: return &g->ttc;
	case V_EFFORT: return &g->work.effort;
	case V_PWAIT: return &g->work.person_wait;
	case V_WAGE: return &g->work.waiting_age;
	case V_AWAIT: return &g->work.approval_wait;
	}
	return &g->stage[i - V_STAGE];
}

/* Keep the lowest KPI_IDS ids, in order, whatever order the rows come
 * in; in a scan by id the rest are turned away with one comparison. */
static void ids_add(struct kpi_ids *ids, int64_t id)
{
	int64_t i = ids->n < KPI_IDS ? ids->n : KPI_IDS;

	ids->n++;
	if (i == KPI_IDS && id >= ids->id[KPI_IDS - 1])
		return;
	if (i == KPI_IDS)
		i--;
	for (; i > 0 && ids->id[i - 1] > id; i--)
		ids->id[i] = ids->id[i - 1];
	ids->id[i] = id;
}

/* One incident of the period, for the steps pass and the join. */
struct irec {
	int64_t id;
	int32_t group;             /* its group, -1 none */
	int8_t stage;              /* its stage as stored */
	uint8_t flags;
};
enum { F_TP_CLOSED = 1, F_SCORED = 2 };

/* What the stage history tells of one incident id. */
struct hist {
	int64_t at;                /* when it entered hstage */
	int32_t in[STAGE_CLOSED];  /* seconds in each stage, stays ended */
	uint16_t forward, forced;  /* moves to a later stage; forced ones */
	int8_t hstage;             /* its stage in the history so far, -1 */
	uint8_t visited;           /* stages it entered (bit per stage) */
};

/* The history pass: incidents lo..hi on its own connection. */
struct hist_job {
	struct store *s;
	int64_t lo, hi;
	int full;
	struct hist *h;
	struct irk_err err;
	int rc;
};

struct when_cache {
	int64_t q;
	char key[16];
};

struct run {
	const struct kpi_query *q;
	const struct sla_policy *p;
	struct kpi_report *r;
	struct acc all;
	struct acc *accs;          /* per group */
	struct hmap *keys;         /* key -> group index + 1 */
	int none;                  /* the index of the group "none", -1 */
	struct irec *recs;
	size_t nrecs, caprecs;
	int64_t lo, hi;            /* ids of the period: at most this range */
	int32_t *at;               /* id - lo -> record index, -1 */
	struct when_cache when;    /* month or week keys */
	struct hmap *fp_rule, *fp_play;   /* key -> struct fp_count */
	struct hmap *tp_plays;            /* play -> struct tp_play */
	/* the catalog: unit, bucket and trend keys -> index + 1 */
	struct hmap *cat_units, *cat_buckets, *cat_trends[KPI_TRENDS];
	long cat_none_unit, cat_none_trend[KPI_TRENDS];
	struct when_cache cat_when;
};

struct fp_count {
	int64_t closed, fp;
};

struct tp_play {
	int64_t first_close;
	char version[72];
};

/* The month (2026-11) or ISO week (2026-W47) of t in local time, kept
 * by quarter hour (every zone's offset is a multiple of 15 minutes). */
static const char *when_key(struct when_cache *c, int64_t t, int week)
{
	int64_t qh = t / 900 - (t % 900 < 0);

	if (qh != c->q || !c->key[0]) {
		time_t tt = (time_t)t;
		struct tm tm;
		localtime_r(&tt, &tm);
		strftime(c->key, sizeof c->key, week ? "%G-W%V" : "%Y-%m", &tm);
		c->q = qh;
	}
	return c->key;
}

/* ---- the catalog ------------------------------------------------------- */

const char *kpi_trend_name(int f)
{
	static const char *const names[] = { "root_cause", "threat_source", "vector" };

	return f >= 0 && f < KPI_TRENDS ? names[f] : "?";
}

int kpi_is_violation(const char *category)
{
	return category && (!strncasecmp(category, "policy", 6) ||
			    !strncasecmp(category, "compliance", 10));
}

/* The index of key in a list filled through m (key -> index + 1), a new
 * zeroed element of size sz added to *v when it is not there yet; *none
 * holds the index of the NULL key. */
static size_t list_slot(struct hmap *m, const char *key, void **v, size_t *n, size_t sz,
			long *none, char **keyp_out)
{
	size_t i;
	int created;

	if (!key || !*key) {
		if (*none >= 0)
			return (size_t)*none;
	} else {
		size_t *slot = hmap_put(m, key, strlen(key), &created);
		if (!created)
			return *slot - 1;
		*slot = *n + 1;
	}
	i = (*n)++;
	*v = xrealloc(*v, *n * sz);
	memset((char *)*v + i * sz, 0, sz);
	if (key && *key)
		*keyp_out = xstrdup(key);
	else
		*none = (long)i;
	return i;
}

static void catalog_add(struct run *u, const struct kpi_incident_row *r)
{
	struct kpi_catalog *c = &u->r->cat;
	const char *vals[KPI_TRENDS] = { r->root_cause, r->threat_source, r->vector };
	char *key = NULL;
	size_t i;

	i = list_slot(u->cat_units, r->business_unit, (void **)&c->units, &c->nunits,
		      sizeof *c->units, &u->cat_none_unit, &key);
	if (key)
		c->units[i].key = key;
	struct kpi_unit *un = &c->units[i];
	int tp = r->stage == STAGE_CLOSED && r->resolution == RES_TRUE_POSITIVE;
	un->incidents++;
	un->true_positive += tp;
	if (kpi_is_violation(r->category)) {
		un->violations++;
		un->violations_confirmed += tp;
	}
	if (r->effort_min > 0)
		un->effort_min += r->effort_min;
	else
		un->effort_missing++;

	const char *bk = when_key(&u->cat_when, r->t_detected, c->weekly);
	int created;
	size_t *bslot = hmap_put(u->cat_buckets, bk, strlen(bk), &created);
	if (created) {
		/* a new bucket (a few in all): every count grows by one */
		*bslot = c->nbuckets + 1;
		c->bucket = xrealloc(c->bucket, (c->nbuckets + 1) * sizeof *c->bucket);
		irk_strlcpy(c->bucket[c->nbuckets++], bk, sizeof *c->bucket);
		for (int f = 0; f < KPI_TRENDS; f++)
			for (size_t j = 0; j < c->ntrend[f]; j++) {
				struct kpi_trend *t = &c->trend[f][j];
				t->count = xrealloc(t->count, c->nbuckets * sizeof *t->count);
				t->count[c->nbuckets - 1] = 0;
			}
	}
	size_t b = *bslot - 1;
	for (int f = 0; f < KPI_TRENDS; f++) {
		key = NULL;
		i = list_slot(u->cat_trends[f], vals[f], (void **)&c->trend[f], &c->ntrend[f],
			      sizeof *c->trend[f], &u->cat_none_trend[f], &key);
		struct kpi_trend *t = &c->trend[f][i];
		if (key)
			t->key = key;
		if (!t->count)
			t->count = xcalloc(c->nbuckets, sizeof *t->count);
		t->count[b]++;
		t->total++;
	}
}

/* The group key of an incident into buf; NULL for none. */
static const char *group_key(struct run *u, const struct kpi_incident_row *r, char *buf,
			     size_t n)
{
	switch (u->q->by) {
	case KPI_BY_UNIT: return r->business_unit;
	case KPI_BY_CATEGORY: return r->category;
	case KPI_BY_PLAY: return r->play;
	case KPI_BY_RULE: return r->rule;
	case KPI_BY_ANALYST: return r->owner;
	case KPI_BY_VECTOR: return r->vector;
	case KPI_BY_SOURCE: return r->threat_source;
	case KPI_BY_CAUSE: return r->root_cause;
	case KPI_BY_SEVERITY: return severity_name(r->severity);
	case KPI_BY_PRIORITY:
		snprintf(buf, n, "P%d", r->priority);
		return buf;
	case KPI_BY_MONTH:
	case KPI_BY_WEEK:
		irk_strlcpy(buf, when_key(&u->when, r->t_detected, u->q->by == KPI_BY_WEEK), n);
		return buf;
	}
	return NULL;
}

static int group_of(struct run *u, const char *key)
{
	struct kpi_report *r = u->r;
	int *slot, created;

	if (!key || !*key) {
		if (u->none >= 0)
			return u->none;
	} else {
		slot = hmap_put(u->keys, key, strlen(key), &created);
		if (!created)
			return *slot - 1;
		*slot = (int)r->ngroups + 1;
	}
	r->groups = xrealloc(r->groups, (r->ngroups + 1) * sizeof *r->groups);
	u->accs = xrealloc(u->accs, (r->ngroups + 1) * sizeof *u->accs);
	memset(&r->groups[r->ngroups], 0, sizeof *r->groups);
	memset(&u->accs[r->ngroups], 0, sizeof *u->accs);
	u->accs[r->ngroups].owners = hmap_new(1);
	r->groups[r->ngroups].key = key && *key ? xstrdup(key) : NULL;
	if (!key || !*key)
		u->none = (int)r->ngroups;
	return (int)r->ngroups++;
}

/* The interval from a to b as a value, or missing. */
static void interval(struct vals *v, int64_t *missing, int64_t a, int64_t b)
{
	if (a && b && b >= a)
		vals_add(v, b - a);
	else
		(*missing)++;
}

static void fp_count(struct hmap *m, const char *key, int fp)
{
	int created;
	struct fp_count *c;

	if (!key)
		return;
	c = hmap_put(m, key, strlen(key), &created);
	c->closed++;
	c->fp += fp;
}

/* Everything the incident row itself tells, into one group. */
static void tally(struct run *u, struct kpi_group *g, struct acc *a,
		  const struct kpi_incident_row *r)
{
	static const int clocks[KPI_CLOCKS] = { KPI_ACK, KPI_CONTAIN, KPI_RESOLVE };
	int pr = r->priority >= 1 && r->priority <= 4 ? r->priority : 4;
	int closed = r->stage == STAGE_CLOSED;
	int breached = 0, late = 0;

	g->incidents++;
	closed ? g->closed++ : g->open++;
	interval(&a->v[V_MTTD], &g->mttd.missing, r->t_first_event, r->t_detected);
	interval(&a->v[V_MTTA], &g->mtta.missing, r->t_detected, r->t_acknowledged);
	interval(&a->v[V_MTTC], &g->mttc.missing, r->t_detected, r->t_contained);
	interval(&a->v[V_MTTR], &g->mttr.missing, r->t_detected, r->t_resolved);
	interval(&a->v[V_TTC], &g->ttc.missing, r->t_detected, r->t_closed);

	for (int i = 0; i < KPI_CLOCKS; i++) {
		int c = clocks[i];
		int64_t target = c == KPI_ACK ? u->p->ack[pr] : c == KPI_CONTAIN ?
			u->p->contain[pr] : u->p->resolve[pr];
		int64_t reached = c == KPI_ACK ? r->t_acknowledged : c == KPI_CONTAIN ?
			r->t_contained : r->t_resolved;
		if (reached) {
			if (sla_elapsed(u->p, r->t_detected, reached) <= target) {
				g->sla.met[c]++;
			} else {
				g->sla.breached[c]++;
				breached = 1;
			}
		} else if (sla_elapsed(u->p, r->t_detected, u->q->now) > target) {
			g->sla.breached[c]++;
			breached = 1;
			g->sla.current[c] += !closed;
			late |= !closed;
		} else {
			g->sla.running[c]++;
		}
	}
	if (breached)
		ids_add(&g->ev.breached, r->id);
	if (late)
		ids_add(&g->ev.late, r->id);

	if (closed) {
		g->quality.closed++;
		switch (r->resolution) {
		case RES_TRUE_POSITIVE: g->quality.true_positive++; break;
		case RES_FALSE_POSITIVE:
			g->quality.false_positive++;
			ids_add(&g->ev.false_positive, r->id);
			break;
		case RES_BENIGN: g->quality.benign++; break;
		case RES_DUPLICATE: g->quality.duplicate++; break;
		}
	}
	g->quality.reopened += r->reopen_count > 0;
	g->quality.back_moved += r->back_moves > 0;

	if (r->effort_min > 0) {
		vals_add(&a->v[V_EFFORT], r->effort_min);
		g->work.effort_min += r->effort_min;
	} else {
		g->work.effort.missing++;
	}
	if (r->owner) {
		int created;
		g->work.owned++;
		hmap_put(a->owners, r->owner, strlen(r->owner), &created);
	}
	if (r->play)
		g->work.with_play++;
	else
		ids_add(&g->ev.no_play, r->id);

	if (r->t_acknowledged) {
		g->ev.acknowledged++;
		if (r->owner)
			g->ev.acknowledged_owned++;
		else
			ids_add(&g->ev.no_owner, r->id);
	}
	if (r->business_unit && *r->business_unit)
		g->ev.with_unit++;
	else
		ids_add(&g->ev.no_unit, r->id);
	if (r->asset_criticality > 0)
		g->ev.with_criticality++;
	else
		ids_add(&g->ev.no_criticality, r->id);
	if (closed && r->resolution == RES_TRUE_POSITIVE) {
		g->ev.tp_closed++;
		if (r->root_cause && *r->root_cause)
			g->ev.tp_root_cause++;
		else
			ids_add(&g->ev.tp_no_root_cause, r->id);
	}
}

static int on_incident(const struct kpi_incident_row *r, void *arg)
{
	struct run *u = arg;
	struct irec *rec;
	int gi = -1;

	tally(u, &u->r->all, &u->all, r);
	if (u->q->catalog)
		catalog_add(u, r);
	if (u->q->by) {
		char buf[32];
		gi = group_of(u, group_key(u, r, buf, sizeof buf));
		tally(u, &u->r->groups[gi], &u->accs[gi], r);
	}
	if (r->stage == STAGE_CLOSED) {
		fp_count(u->fp_rule, r->rule, r->resolution == RES_FALSE_POSITIVE);
		fp_count(u->fp_play, r->play, r->resolution == RES_FALSE_POSITIVE);
		if (r->resolution == RES_TRUE_POSITIVE && r->play && r->play_version) {
			int created;
			struct tp_play *t = hmap_put(u->tp_plays, r->play, strlen(r->play), &created);
			if (created || (r->t_closed && r->t_closed < t->first_close)) {
				t->first_close = r->t_closed;
				irk_strlcpy(t->version, r->play_version, sizeof t->version);
			}
		}
	}
	if (u->nrecs == u->caprecs) {
		u->caprecs = u->caprecs ? u->caprecs * 2 : 1024;
		u->recs = xrealloc(u->recs, u->caprecs * sizeof *u->recs);
	}
	rec = &u->recs[u->nrecs++];
	memset(rec, 0, sizeof *rec);
	rec->id = r->id;
	rec->group = gi;
	rec->stage = (int8_t)r->stage;
	if (r->stage == STAGE_CLOSED && r->resolution == RES_TRUE_POSITIVE)
		rec->flags |= F_TP_CLOSED;
	return 0;
}

static struct irec *rec_of(struct run *u, int64_t id)
{
	int32_t i;

	if (id < u->lo || id > u->hi || (i = u->at[id - u->lo]) < 0)
		return NULL;
	return &u->recs[i];
}

static int on_move(const struct kpi_move_row *m, void *arg)
{
	struct hist_job *j = arg;
	struct hist *h;

	if (m->incident_id < j->lo || m->incident_id > j->hi || m->to < 0)
		return 0;
	h = &j->h[m->incident_id - j->lo];
	if (h->hstage >= 0) {
		int64_t d = m->at - h->at;
		if (h->hstage < STAGE_CLOSED && d > 0) {
			int64_t sum = (int64_t)h->in[h->hstage] + d;
			h->in[h->hstage] = sum > INT32_MAX ? INT32_MAX : (int32_t)sum;
		}
		if (m->to > h->hstage && h->forward < UINT16_MAX) {
			h->forward++;
			h->forced += m->forced != 0;
		}
	}
	h->hstage = (int8_t)m->to;
	h->at = m->at;
	h->visited |= (uint8_t)(1u << m->to);
	return 0;
}

static void *hist_run(void *arg)
{
	struct hist_job *j = arg;

	j->rc = store_begin_read(j->s, &j->err);
	if (!j->rc)
		j->rc = store_kpi_moves(j->s, j->lo, j->hi, j->full, on_move, j, &j->err);
	if (store_in_tx(j->s))
		store_commit(j->s, NULL);
	return NULL;
}

/* A step tallied into one group. */
static void step_tally(struct run *u, struct kpi_group *g, struct acc *a,
		       const struct kpi_step_row *s, int kind)
{
	int person = kind >= 0 && !step_kind_automated(kind);

	if (s->state == STEP_DONE) {
		g->work.steps_done++;
		if (kind >= 0 && step_kind_automated(kind))
			g->work.automated_done++;
	}
	if (!person)
		return;
	if (s->state == STEP_WAITING || s->state == STEP_READY) {
		g->work.person_waiting++;
		if (s->t_start && u->q->now >= s->t_start)
			vals_add(&a->v[V_WAGE], u->q->now - s->t_start);
	} else if (s->t_start && s->t_end && s->t_end >= s->t_start &&
		   (s->state == STEP_DONE || (step_kind_has(kind, STEP_KIND_DECIDED) &&
					      s->state == STEP_FAILED))) {
		if (step_kind_has(kind, STEP_KIND_DECIDED))
			vals_add(&a->v[V_AWAIT], s->t_end - s->t_start);
		else
			vals_add(&a->v[V_PWAIT], s->t_end - s->t_start);
	}
}

static int on_step(const struct kpi_step_row *s, void *arg)
{
	struct run *u = arg;
	struct irec *rec = rec_of(u, s->incident_id);
	int kind;

	if (!rec)
		return 0;
	kind = s->kind ? step_kind_parse(s->kind) : -1;
	if (kind == KIND_SCORE && s->state == STEP_DONE)
		rec->flags |= F_SCORED;
	step_tally(u, &u->r->all, &u->all, s, kind);
	if (rec->group >= 0)
		step_tally(u, &u->r->groups[rec->group], &u->accs[rec->group], s, kind);
	return 0;
}

struct plays_arg {
	struct run *u;
	struct hmap *revised;
};

static int on_play(const char *play_id, const char *hash, int64_t loaded, void *arg)
{
	struct plays_arg *pa = arg;
	struct tp_play *t = play_id ? hmap_get(pa->u->tp_plays, play_id, strlen(play_id)) : NULL;
	int created;

	if (t && hash && strcmp(hash, t->version) && loaded > t->first_close)
		hmap_put(pa->revised, play_id, strlen(play_id), &created);
	return 0;
}

/* What the history and the steps told about one incident, into a group
 * (h NULL: it has no history). */
static void settle(struct kpi_group *g, struct acc *a, const struct irec *rec,
		   const struct hist *h)
{
	static const struct hist none = { .hstage = -1 };

	if (!h)
		h = &none;
	for (int st = 0; st < STAGE_CLOSED; st++) {
		if (!(h->visited & (1u << st)))
			continue;
		if (rec->stage == st)
			g->stage[st].missing++;
		else
			vals_add(&a->v[V_STAGE + st], h->in[st]);
	}
	g->quality.forward_moves += h->forward;
	g->quality.forced_moves += h->forced;
	if (h->forced)
		ids_add(&g->ev.forced, rec->id);
	if (rec->flags & F_SCORED)
		g->ev.scored++;
	else
		ids_add(&g->ev.not_scored, rec->id);
	if (rec->flags & F_TP_CLOSED) {
		if (h->visited & (1u << STAGE_CONTAINMENT))
			g->ev.tp_contained++;
		else
			ids_add(&g->ev.tp_not_contained, rec->id);
		if (h->visited & (1u << STAGE_LESSONS))
			g->ev.tp_lessons++;
		else
			ids_add(&g->ev.tp_no_lessons, rec->id);
	}
}

static void group_finish(struct kpi_group *g, struct acc *a)
{
	for (int i = 0; i < V_COUNT; i++)
		stat_finish(stat_of(g, i), &a->v[i]);
	g->work.analysts = (int64_t)hmap_count(a->owners);
	hmap_free(&a->owners);
}

static int cmp_group(const void *a, const void *b)
{
	const struct kpi_group *x = a, *y = b;

	if (!x->key || !y->key)
		return !x->key - !y->key;
	return strcmp(x->key, y->key);
}

/* Severities low to critical, not by name. */
static int cmp_severity(const void *a, const void *b)
{
	const struct kpi_group *x = a, *y = b;

	return severity_parse(x->key) - severity_parse(y->key);
}

struct fp_list {
	struct kpi_fp *v;
	size_t n;
};

static void fp_collect(const void *key, size_t klen, void *value, void *arg)
{
	struct fp_list *l = arg;
	const struct fp_count *c = value;

	l->v[l->n].key = xstrndup(key, klen);
	l->v[l->n].closed = c->closed;
	l->v[l->n].false_positive = c->fp;
	l->n++;
}

static int cmp_fp(const void *a, const void *b)
{
	const struct kpi_fp *x = a, *y = b;

	if (x->false_positive != y->false_positive)
		return x->false_positive > y->false_positive ? -1 : 1;
	if (x->closed != y->closed)
		return x->closed > y->closed ? -1 : 1;
	return strcmp(x->key, y->key);
}

static struct kpi_fp *fp_list(struct hmap *m, size_t *n)
{
	struct fp_list l = { xcalloc(hmap_count(m) + 1, sizeof *l.v), 0 };

	hmap_each(m, fp_collect, &l);
	qsort(l.v, l.n, sizeof *l.v, cmp_fp);
	*n = l.n;
	return l.v;
}

/* qsort has no argument: the buckets being ordered (one thread computes
 * a report at a time per run; set and cleared around the sort). */
static _Thread_local char (*bucket_sort_base)[16];

static int cmp_unit(const void *a, const void *b)
{
	const struct kpi_unit *x = a, *y = b;

	if (!x->key || !y->key)
		return !x->key - !y->key;
	if (x->incidents != y->incidents)
		return x->incidents > y->incidents ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_trend(const void *a, const void *b)
{
	const struct kpi_trend *x = a, *y = b;

	if (!x->key || !y->key)
		return !x->key - !y->key;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_bucket(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return strcmp(bucket_sort_base[*x], bucket_sort_base[*y]);
}

/* The buckets in order (their counts with them), units and trends most
 * first. */
static void catalog_finish(struct kpi_catalog *c)
{
	size_t n = c->nbuckets, *order = xcalloc(n + 1, sizeof *order);
	int64_t *tmp = xcalloc(n + 1, sizeof *tmp);
	char (*b)[16] = xcalloc(n + 1, sizeof *b);

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	bucket_sort_base = c->bucket;
	qsort(order, n, sizeof *order, cmp_bucket);
	bucket_sort_base = NULL;
	for (size_t i = 0; i < n; i++)
		memcpy(b[i], c->bucket[order[i]], sizeof *b);
	memcpy(c->bucket, b, n * sizeof *b);
	for (int f = 0; f < KPI_TRENDS; f++) {
		for (size_t j = 0; j < c->ntrend[f]; j++) {
			int64_t *cnt = c->trend[f][j].count;
			for (size_t i = 0; i < n; i++)
				tmp[i] = cnt[order[i]];
			memcpy(cnt, tmp, n * sizeof *cnt);
		}
		if (c->ntrend[f])
			qsort(c->trend[f], c->ntrend[f], sizeof *c->trend[f], cmp_trend);
	}
	if (c->nunits)
		qsort(c->units, c->nunits, sizeof *c->units, cmp_unit);
	free(order);
	free(tmp);
	free(b);
}

static void catalog_free(struct kpi_catalog *c)
{
	for (size_t i = 0; i < c->nunits; i++)
		free(c->units[i].key);
	free(c->units);
	for (int f = 0; f < KPI_TRENDS; f++) {
		for (size_t j = 0; j < c->ntrend[f]; j++) {
			free(c->trend[f][j].key);
			free(c->trend[f][j].count);
		}
		free(c->trend[f]);
	}
	free(c->bucket);
	memset(c, 0, sizeof *c);
}

/* Start the history pass on a connection of its own; 0 when it could not
 * start (the caller then runs it on s after the incidents). */
static int hist_start(struct store *s, struct hist_job *j, pthread_t *t)
{
	if (store_open(&j->s, store_path(s), STORE_READONLY, NULL))
		return 0;
	if (pthread_create(t, NULL, hist_run, j)) {
		store_close(&j->s);
		return 0;
	}
	return 1;
}

int kpi_compute(struct store *s, const struct sla_policy *p, const struct kpi_query *q,
		struct kpi_report *out, struct irk_err *err)
{
	struct run u = { .q = &out->q, .p = p, .r = out, .none = -1, .cat_none_unit = -1,
		       .cat_none_trend = { -1, -1, -1 } };
	struct hist_job hj = { 0 };
	pthread_t thread;
	int threaded = 0;
	struct kpi_span span;
	int64_t since = q->since ? q->since : INT64_MIN;
	int64_t until = q->until ? q->until : INT64_MAX;
	int full, rc;

	memset(out, 0, sizeof *out);
	out->q = *q;
	u.all.owners = hmap_new(1);
	u.keys = hmap_new(sizeof(int));
	u.fp_rule = hmap_new(sizeof(struct fp_count));
	u.fp_play = hmap_new(sizeof(struct fp_count));
	u.tp_plays = hmap_new(sizeof(struct tp_play));
	/* One read transaction for the incidents, the steps and the plays;
	 * the history's, on its own connection, begins just after it: a move
	 * committed between the two shows in the history and not yet in its
	 * incident (or the other way round) until the next computation. */
	if ((rc = store_begin_read(s, err)) || (rc = store_kpi_span(s, &span, err)))
		goto done;
	/* the whole table, or nearly: read it in order, not through the index */
	full = since <= span.first && until > span.last;
	u.lo = span.min_id;
	u.hi = span.max_id;
	if (!full && (rc = store_kpi_ids(s, since, until, &u.lo, &u.hi, err)))
		goto done;
	if (q->catalog) {
		int64_t from = q->since ? q->since : span.first;
		int64_t to = q->until ? q->until : span.last + 1;
		out->cat.weekly = to - from <= 92 * 86400LL;
		u.cat_units = hmap_new(sizeof(size_t));
		u.cat_buckets = hmap_new(sizeof(size_t));
		for (int f = 0; f < KPI_TRENDS; f++)
			u.cat_trends[f] = hmap_new(sizeof(size_t));
	}
	if (u.lo > 0 && u.hi >= u.lo) {
		size_t n = (size_t)(u.hi - u.lo + 1);
		u.at = xmalloc(n * sizeof *u.at);
		memset(u.at, 0xff, n * sizeof *u.at);
		hj.h = xcalloc(n, sizeof *hj.h);
		for (size_t i = 0; i < n; i++)
			hj.h[i].hstage = -1;
		hj.lo = u.lo;
		hj.hi = u.hi;
		/* the period's ids are most of the table: read it in rowid order */
		hj.full = full || (u.hi - u.lo) * 2 > span.max_id;
		threaded = hist_start(s, &hj, &thread);
	}
	if ((rc = store_kpi_incidents(s, since, until, full, on_incident, &u, err)))
		goto done;
	/* the same read transaction found lo and hi: every id is in range */
	for (size_t i = 0; i < u.nrecs; i++)
		if (u.recs[i].id >= u.lo && u.recs[i].id <= u.hi)
			u.at[u.recs[i].id - u.lo] = (int32_t)i;
	if (u.nrecs && (rc = store_kpi_steps(s, u.lo, u.hi, hj.full, on_step, &u, err)))
		goto done;
	if (u.nrecs && !threaded) {
		hj.s = s;
		if ((rc = store_kpi_moves(s, hj.lo, hj.hi, hj.full, on_move, &hj, err)))
			goto done;
	}
	struct plays_arg pa = { &u, hmap_new(1) };
	if (hmap_count(u.tp_plays) && (rc = store_kpi_plays(s, on_play, &pa, err))) {
		hmap_free(&pa.revised);
		goto done;
	}
	out->all.work.plays_revised = (int64_t)hmap_count(pa.revised);
	hmap_free(&pa.revised);
	if (threaded) {
		pthread_join(thread, NULL);
		threaded = 0;
		store_close(&hj.s);
		if ((rc = hj.rc)) {
			*err = hj.err;
			goto done;
		}
	}
	for (size_t i = 0; i < u.nrecs; i++) {
		const struct irec *rec = &u.recs[i];
		const struct hist *h = rec->id >= u.lo && rec->id <= u.hi ? &hj.h[rec->id - u.lo] : NULL;
		if (h && h->hstage < 0)
			h = NULL;
		settle(&out->all, &u.all, rec, h);
		if (rec->group >= 0)
			settle(&out->groups[rec->group], &u.accs[rec->group], rec, h);
	}
	group_finish(&out->all, &u.all);
	for (size_t i = 0; i < out->ngroups; i++)
		group_finish(&out->groups[i], &u.accs[i]);
	if (out->ngroups)
		qsort(out->groups, out->ngroups, sizeof *out->groups,
		      q->by == KPI_BY_SEVERITY ? cmp_severity : cmp_group);
	if (q->catalog)
		catalog_finish(&out->cat);
	out->by_rule = fp_list(u.fp_rule, &out->nrule);
	out->by_play = fp_list(u.fp_play, &out->nplay);
done:
	if (store_in_tx(s))
		store_commit(s, NULL);
	if (threaded) {
		pthread_join(thread, NULL);
		store_close(&hj.s);
	}
	if (rc) {
		for (int i = 0; i < V_COUNT; i++)
			free(u.all.v[i].v);
		for (size_t g = 0; g < out->ngroups; g++)
			for (int i = 0; i < V_COUNT; i++)
				free(u.accs[g].v[i].v);
		kpi_report_free(out);
	}
	for (size_t g = 0; g < out->ngroups; g++)
		hmap_free(&u.accs[g].owners);
	hmap_free(&u.all.owners);
	hmap_free(&u.keys);
	hmap_free(&u.fp_rule);
	hmap_free(&u.fp_play);
	hmap_free(&u.tp_plays);
	if (q->catalog) {
		hmap_free(&u.cat_units);
		hmap_free(&u.cat_buckets);
		for (int f = 0; f < KPI_TRENDS; f++)
			hmap_free(&u.cat_trends[f]);
	}
	free(u.accs);
	free(u.recs);
	free(u.at);
	free(hj.h);
	return rc;
}

void kpi_report_free(struct kpi_report *r)
{
	for (size_t i = 0; i < r->ngroups; i++)
		free(r->groups[i].key);
	free(r->groups);
	for (size_t i = 0; i < r->nrule; i++)
		free(r->by_rule[i].key);
	for (size_t i = 0; i < r->nplay; i++)
		free(r->by_play[i].key);
	free(r->by_rule);
	free(r->by_play);
	catalog_free(&r->cat);
	memset(r, 0, sizeof *r);
}

/* ---- JSON ----------------------------------------------------------------- */

void kpi_json_rate(struct jsonw *w, double v)
{
	char buf[32];

	if (v < 0) {
		jsonw_null(w);
		return;
	}
	snprintf(buf, sizeof buf, "%.4f", v);
	/* 0.2500 -> 0.25, 1.0000 -> 1 */
	char *e = buf + strlen(buf) - 1;
	while (*e == '0')
		*e-- = '\0';
	if (*e == '.')
		*e = '\0';
	jsonw_raw(w, buf);
}

static void json_stat(struct jsonw *w, const char *key, const struct kpi_stat *st)
{
	jsonw_key(w, key);
	jsonw_obj_begin(w);
	if (st->count) {
		jsonw_kv_int(w, "median", st->median);
		jsonw_kv_int(w, "p90", st->p90);
		jsonw_kv_int(w, "mean", st->mean);
	} else {
		jsonw_key(w, "median");
		jsonw_null(w);
		jsonw_key(w, "p90");
		jsonw_null(w);
		jsonw_key(w, "mean");
		jsonw_null(w);
	}
	jsonw_kv_int(w, "count", st->count);
	jsonw_kv_int(w, "missing", st->missing);
	jsonw_obj_end(w);
}

static void json_kv_rate(struct jsonw *w, const char *key, int64_t part, int64_t whole)
{
	jsonw_key(w, key);
	kpi_json_rate(w, kpi_rate(part, whole));
}

static void json_fp(struct jsonw *w, const char *key, const char *name,
		    const struct kpi_fp *v, size_t n)
{
	jsonw_key(w, key);
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_begin(w);
		jsonw_kv_str(w, name, v[i].key);
		jsonw_kv_int(w, "closed", v[i].closed);
		jsonw_kv_int(w, "false_positive", v[i].false_positive);
		json_kv_rate(w, "fp_rate", v[i].false_positive, v[i].closed);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void json_group(struct jsonw *w, const struct kpi_report *r, const struct kpi_group *g)
{
	const struct kpi_quality *q = &g->quality;
	const struct kpi_work *k = &g->work;
	int64_t met = kpi_sla_met(&g->sla), late = kpi_sla_breached(&g->sla), running = 0,
		current = 0;

	jsonw_kv_int(w, "incidents", g->incidents);
	jsonw_kv_int(w, "open", g->open);
	jsonw_kv_int(w, "closed", g->closed);
	json_stat(w, "mttd", &g->mttd);
	json_stat(w, "mtta", &g->mtta);
	json_stat(w, "mttc", &g->mttc);
	json_stat(w, "mttr", &g->mttr);
	json_stat(w, "time_to_close", &g->ttc);
	jsonw_key(w, "stages");
	jsonw_obj_begin(w);
	for (int st = 0; st < STAGE_CLOSED; st++)
		json_stat(w, stage_name(st), &g->stage[st]);
	jsonw_obj_end(w);

	jsonw_key(w, "sla");
	jsonw_obj_begin(w);
	for (int c = 0; c < KPI_CLOCKS; c++) {
		running += g->sla.running[c];
		current += g->sla.current[c];
	}
	jsonw_kv_int(w, "met", met);
	jsonw_kv_int(w, "breached", late);
	jsonw_kv_int(w, "running", running);
	json_kv_rate(w, "rate", met, met + late);
	jsonw_kv_int(w, "current", current);
	for (int c = 0; c < KPI_CLOCKS; c++) {
		jsonw_key(w, kpi_clock_name(c));
		jsonw_obj_begin(w);
		jsonw_kv_int(w, "met", g->sla.met[c]);
		jsonw_kv_int(w, "breached", g->sla.breached[c]);
		jsonw_kv_int(w, "running", g->sla.running[c]);
		json_kv_rate(w, "rate", g->sla.met[c], g->sla.met[c] + g->sla.breached[c]);
		jsonw_kv_int(w, "current", g->sla.current[c]);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);

	jsonw_key(w, "quality");
	jsonw_obj_begin(w);
	jsonw_kv_int(w, "closed", q->closed);
	jsonw_kv_int(w, "true_positive", q->true_positive);
	jsonw_kv_int(w, "false_positive", q->false_positive);
	jsonw_kv_int(w, "benign", q->benign);
	jsonw_kv_int(w, "duplicate", q->duplicate);
	json_kv_rate(w, "fp_rate", q->false_positive, q->closed);
	json_kv_rate(w, "duplicate_rate", q->duplicate, q->closed);
	jsonw_kv_int(w, "reopened", q->reopened);
	json_kv_rate(w, "reopen_rate", q->reopened, g->incidents);
	jsonw_kv_int(w, "back_moved", q->back_moved);
	json_kv_rate(w, "back_move_rate", q->back_moved, g->incidents);
	jsonw_kv_int(w, "forward_moves", q->forward_moves);
	jsonw_kv_int(w, "forced_moves", q->forced_moves);
	json_kv_rate(w, "forced_rate", q->forced_moves, q->forward_moves);
	if (g == &r->all) {
		json_fp(w, "by_rule", "rule", r->by_rule, r->nrule);
		json_fp(w, "by_play", "play", r->by_play, r->nplay);
	}
	jsonw_obj_end(w);

	jsonw_key(w, "work");
	jsonw_obj_begin(w);
	jsonw_kv_int(w, "effort_min", k->effort_min);
	json_stat(w, "effort", &k->effort);
	jsonw_kv_int(w, "owned", k->owned);
	jsonw_kv_int(w, "analysts", k->analysts);
	jsonw_key(w, "incidents_per_analyst");
	kpi_json_rate(w, k->analysts ? (double)k->owned / (double)k->analysts : -1);
	jsonw_kv_int(w, "steps_done", k->steps_done);
	jsonw_kv_int(w, "automated_done", k->automated_done);
	json_kv_rate(w, "automation_rate", k->automated_done, k->steps_done);
	jsonw_kv_int(w, "with_play", k->with_play);
	json_kv_rate(w, "play_coverage", k->with_play, g->incidents);
	jsonw_kv_int(w, "person_waiting", k->person_waiting);
	json_kv_rate(w, "person_waiting_per_open", k->person_waiting, g->open);
	json_stat(w, "person_wait", &k->person_wait);
	json_stat(w, "waiting_age", &k->waiting_age);
	json_stat(w, "approval_wait", &k->approval_wait);
	if (g == &r->all)
		jsonw_kv_int(w, "plays_revised", k->plays_revised);
	jsonw_obj_end(w);
}

static void json_catalog(struct jsonw *w, const struct kpi_catalog *c, int64_t incidents)
{
	jsonw_key(w, "catalog");
	jsonw_obj_begin(w);
	jsonw_key(w, "units");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < c->nunits; i++) {
		const struct kpi_unit *un = &c->units[i];
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "unit", un->key);
		jsonw_kv_int(w, "incidents", un->incidents);
		json_kv_rate(w, "share", un->incidents, incidents);
		jsonw_kv_int(w, "true_positive", un->true_positive);
		jsonw_kv_int(w, "violations", un->violations);
		jsonw_kv_int(w, "violations_confirmed", un->violations_confirmed);
		jsonw_kv_int(w, "effort_min", un->effort_min);
		jsonw_kv_int(w, "effort_missing", un->effort_missing);
		json_kv_rate(w, "effort_per_incident", un->effort_min,
			     un->incidents - un->effort_missing);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_key(w, "trends");
	jsonw_obj_begin(w);
	jsonw_key(w, "by");
	jsonw_str(w, c->weekly ? "week" : "month");
	jsonw_key(w, "buckets");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < c->nbuckets; i++)
		jsonw_str(w, c->bucket[i]);
	jsonw_arr_end(w);
	for (int f = 0; f < KPI_TRENDS; f++) {
		jsonw_key(w, kpi_trend_name(f));
		jsonw_arr_begin(w);
		for (size_t j = 0; j < c->ntrend[f]; j++) {
			const struct kpi_trend *t = &c->trend[f][j];
			jsonw_obj_begin(w);
			jsonw_kv_str(w, "key", t->key);
			jsonw_kv_int(w, "total", t->total);
			jsonw_key(w, "counts");
			jsonw_arr_begin(w);
			for (size_t i = 0; i < c->nbuckets; i++)
				jsonw_int(w, t->count[i]);
			jsonw_arr_end(w);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

void kpi_json(const struct kpi_report *r, struct jsonw *w)
{
	jsonw_obj_begin(w);
	jsonw_kv_time(w, "since", r->q.since);
	jsonw_kv_time(w, "until", r->q.until);
	jsonw_kv_time(w, "now", r->q.now);
	jsonw_key(w, "by");
	jsonw_str(w, r->q.by ? kpi_by_name(r->q.by) : NULL);
	json_group(w, r, &r->all);
	if (r->q.catalog)
		json_catalog(w, &r->cat, r->all.incidents);
	if (r->q.by) {
		jsonw_key(w, "groups");
		jsonw_arr_begin(w);
		for (size_t i = 0; i < r->ngroups; i++) {
			jsonw_obj_begin(w);
			jsonw_kv_str(w, "key", r->groups[i].key);
			json_group(w, r, &r->groups[i]);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
}

/* ---- --since and --until ---------------------------------------------- */

int kpi_time_parse(const char *s, int64_t now, int until, int64_t *out)
{
	return irk_when_parse(s, now, until, out);
}
