/* dashboard.h: the board's KPI screen (src/tui/dashboard.c), its model
 * and its layout as a frame (no curses here, so tests read it as text).
 *
 * What it shows is a KPI snapshot (snapshot.h), the sequencer's or its
 * own. The figures of the last KPI_SNAPSHOT_WEEKS weeks: MTTA, MTTC, MTTR, SLA met,
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

#include "irk/layout.h"
#include "irk/snapshot.h"
#include "irk/strbuf.h"

struct kpi_snapshot;

/* The lines the cursor can be on (incidents behind them). */
size_t dash_items(const struct kpi_snapshot *d);
/* The board filter that shows item i's incidents ("key in ['IR-3',
 * ...]") into expr, and what it is into what. 0, or -1 without one. */
int dash_filter(const struct kpi_snapshot *d, size_t item, struct strbuf *expr, char *what, size_t n);
/* Lay the dashboard out in width x height with the cursor on item cur,
 * scrolled so that it shows. */
void dash_frame(const struct kpi_snapshot *d, int width, int height, size_t cur, struct frame *f);

#endif
