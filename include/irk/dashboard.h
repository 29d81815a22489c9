/* dashboard.h: the board's KPI screen (src/tui/dashboard.c), its model
 * and its layout as a frame (no curses here, so tests read it as text).
 *
 * The figures of the last DASH_WEEKS weeks: MTTA, MTTC, MTTR, SLA met,
 * false positives and automation as tiles with a sparkline of each week
 * (Unicode blocks; ASCII when layout_ascii()), incidents and SLA met by
 * business unit as bars, the open incidents late now, and the maturity
 * level with the criteria not met. The cursor moves over the lines with
 * incidents behind them; Enter shows those incidents on the board (a
 * filter on their keys: the first KPI_IDS of them). */
#ifndef IRK_DASHBOARD_H
#define IRK_DASHBOARD_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/kpi.h"
#include "irk/layout.h"
#include "irk/maturity.h"
#include "irk/strbuf.h"

#define DASH_WEEKS 8

struct store;
struct config;
struct sla_policy;

struct dash {
	int64_t since, now;
	struct kpi_report week;    /* the period, by ISO week */
	struct kpi_report unit;    /* the period, by business unit */
	struct maturity mat;
	char week_key[DASH_WEEKS][16];   /* oldest first, "2026-W47" (local time) */
	int64_t took_ms;           /* how long the computation took */
};

/* Compute the dashboard at now (cfg: thresholds; p: SLA targets). On
 * failure d is empty. */
int dash_load(struct dash *d, struct store *s, const struct config *cfg,
		const struct sla_policy *p, int64_t now, struct irk_err *err);
void dash_free(struct dash *d);

/* The lines the cursor can be on (incidents behind them). */
size_t dash_items(const struct dash *d);
/* The board filter that shows item i's incidents ("key in ['IR-3',
 * ...]") into expr, and what it is into what. 0, or -1 without one. */
int dash_filter(const struct dash *d, size_t item, struct strbuf *expr, char *what, size_t n);
/* Lay the dashboard out in width x height with the cursor on item cur,
 * scrolled so that it shows. */
void dash_frame(const struct dash *d, int width, int height, size_t cur, struct frame *f);

#endif
