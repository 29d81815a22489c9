/* sensor_ctx.c: the kept sensor events' retention and their use as an
 * incident's context (contracts in irk/ingest.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/incident.h"
#include "irk/ingest.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/store.h"
#include "irk/strbuf.h"

/* One audit event for a run that deleted something: how many, and the
 * cutoff (the events are gone; this says when and by whom). */
static int prune_audit(struct store *s, const char *actor, int64_t deleted, int64_t before,
		       struct irk_err *err)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char when[32];
	int rc;

	irk_time_iso(before, when, sizeof when);
	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_int(&w, "deleted", deleted);
	jsonw_kv_str(&w, "before", when);
	jsonw_obj_end(&w);
	if (!(rc = store_begin(s, err))) {
		rc = audit_append(s, actor, 0, "sensor.prune", strbuf_str(&js), NULL, err);
		rc = rc ? (store_rollback(s), rc) : store_commit(s, err);
	}
	strbuf_free(&js);
	return rc;
}

int ingest_sensor_prune(struct store *s, const char *actor, int64_t now, int64_t keep_days,
			int max_batches, int64_t *deleted, int *more, struct irk_err *err)
{
	int64_t before = now - keep_days * 86400, n = SENSOR_PRUNE_BATCH;
	struct timespec gap = { 0, INGEST_GAP_MS * 1000000L };
	int rc = IRK_OK;

	*deleted = 0;
	if (more)
		*more = 0;
	if (keep_days <= 0)
		return IRK_OK;
	for (int i = 0; n == SENSOR_PRUNE_BATCH; i++) {
		if (max_batches && i == max_batches) {
			if (more)
				*more = 1;
			break;
		}
		if (i)
			nanosleep(&gap, NULL);   /* other writers' turn */
		if ((rc = store_begin(s, err)))
			break;
		if ((rc = store_sensor_prune(s, before, SENSOR_PRUNE_BATCH, &n, err))) {
			store_rollback(s);
			break;
		}
		if ((rc = store_commit(s, err)))
			break;
		*deleted += n;
	}
	/* What went is recorded even when a later batch failed. */
	if (*deleted) {
		struct irk_err aerr = { 0 };
		int arc = prune_audit(s, actor, *deleted, before, rc ? &aerr : err);
		rc = rc ? rc : arc;
	}
	return rc;
}

struct addrs {
	const char *v[STORE_SENSOR_ADDRS];
	int n;
};

static void addrs_add(struct addrs *a, const char *v)
{
	if (!v || !*v || a->n == STORE_SENSOR_ADDRS)
		return;
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], v))
			return;
	a->v[a->n++] = v;
}

struct obs_ips {
	struct addrs *a;
	char *owned[STORE_SENSOR_ADDRS];
	int n;
};

static int add_obs_ip(const struct observable_row *o, void *arg)
{
	struct obs_ips *oi = arg;

	if (o->type != OBS_IP || oi->a->n == STORE_SENSOR_ADDRS)
		return 0;
	/* The row is borrowed until the next one. */
	oi->owned[oi->n] = xstrdup(o->value);
	addrs_add(oi->a, oi->owned[oi->n++]);
	return 0;
}

int ingest_sensor_context(struct store *s, const struct incident *inc, int limit,
			  int (*fn)(const struct sensor_seen *e, void *arg), void *arg,
			  struct irk_err *err)
{
	struct addrs a = { .n = 0 };
	struct obs_ips oi = { &a, { NULL }, 0 };
	int64_t first = inc->t_first_event ? inc->t_first_event : inc->t_detected;
	int64_t last = inc->t_last_event > first ? inc->t_last_event : first;
	int rc;

	addrs_add(&a, inc->host);
	addrs_add(&a, inc->src_ip);
	rc = store_observable_each(s, inc->id, add_obs_ip, &oi, err);
	if (!rc && a.n)
		rc = store_sensor_context(s, a.v, a.n, first - SENSOR_CONTEXT_MARGIN,
					 last + SENSOR_CONTEXT_MARGIN, limit, fn, arg, err);
	for (int i = 0; i < oi.n; i++)
		free(oi.owned[i]);
	return rc;
}
