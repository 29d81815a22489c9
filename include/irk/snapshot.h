/* snapshot.h: the KPI snapshot the board's dashboard shows, kept current
 * by the sequencer (src/kpi/snapshot.c).
 *
 * A snapshot is what the dashboard needs: the KPIs of the last
 * KPI_SNAPSHOT_WEEKS weeks by ISO week and by business unit, and the
 * maturity level. It is stored in the database with the audit log's
 * newest seq at the time (its head): every change irk makes appends an
 * event, so a snapshot is current while the head has not moved. The
 * sequencer's housekeeping looks every second (two index reads) and
 * computes a new one when the head moved and the stored one is at least
 * KPI_SNAPSHOT_AGE seconds old: however many irk processes run the
 * sequencer, a busy database gets one computation in that time, and an
 * idle one none. The dashboard shows the snapshot, or computes its own
 * when there is none or it is stale and a computation is cheap. */
#ifndef IRK_SNAPSHOT_H
#define IRK_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/kpi.h"
#include "irk/maturity.h"
#include "irk/strbuf.h"

#define KPI_SNAPSHOT_WEEKS 8
#define KPI_SNAPSHOT_AGE 10

struct store;
struct config;
struct sla_policy;

struct kpi_snapshot {
	int64_t since, now;        /* the period: since .. now (the computation's clock) */
	int64_t head;              /* the audit log's newest seq it saw */
	int64_t took_ms;           /* how long computing it took */
	char week_key[KPI_SNAPSHOT_WEEKS][16];   /* oldest first, "2026-W47" (local time) */
	struct kpi_report week;    /* the period, by ISO week */
	struct kpi_report unit;    /* the period, by business unit */
	struct maturity mat;
	struct strbuf pool;        /* the criteria's text when read back */
};

/* Compute a snapshot at now (cfg: thresholds; p: SLA targets); out->head
 * is the head before it started. On failure out is empty. */
int kpi_snapshot_compute(struct kpi_snapshot *out, struct store *s, const struct config *cfg,
		const struct sla_policy *p, int64_t now, struct irk_err *err);
void kpi_snapshot_free(struct kpi_snapshot *k);

/* The stored snapshot into out (kpi_snapshot_free() it): IRK_NOTFOUND when
 * there is none or it was written by an irk whose layout differs. Each
 * set of [sla] and [maturity] settings of cfg (NULL: the defaults) has a
 * snapshot of its own: load and keep with the same cfg. */
int kpi_snapshot_load(struct kpi_snapshot *out, struct store *s, const struct config *cfg,
		      struct irk_err *err);
/* Compute (at now) and store one when the head moved since the stored
 * one and that was stored KPI_SNAPSHOT_AGE seconds ago by the real clock
 * (force: whenever the head moved).
 * *made (may be NULL) is set to 1 when one was stored. Waits at most a
 * moment for the write lock (IRK_CONFLICT when busy: the next round
 * tries again). */
int kpi_snapshot_keep(struct store *s, const struct config *cfg, int64_t now, int force,
		int *made, struct irk_err *err);

/* The snapshot as bytes (the stored form), and back: 0, or -1 when the
 * bytes are not a snapshot of this irk's layout. */
void kpi_snapshot_encode(const struct kpi_snapshot *k, struct strbuf *out);
int kpi_snapshot_decode(struct kpi_snapshot *out, const void *data, size_t n);

#endif
