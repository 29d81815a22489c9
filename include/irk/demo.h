/* demo.h: a realistic month of SOC work, for `irk demo` and benchmarks
 * (src/demo/: above the domain services and the engine, below the front
 * ends).
 *
 * The generator writes alerts in every supported format and feeds them
 * through the real ingest path, then plays the analysts: claims, notes,
 * moves through the stages (with the odd move back), effort, and closes
 * with resolutions, each at a plausible simulated time. Deterministic for
 * a given seed. When the ingest options carry the plays hook, incidents get
 * plays and the analysts work their steps (automated steps are recorded as
 * done, simulated: the demo runs nothing). */
#ifndef IRK_DEMO_H
#define IRK_DEMO_H

#include <stdint.h>
#include <stdio.h>

#include "irk/err.h"

struct store;
struct ingest_opts;

struct demo_opts {
	unsigned seed;          /* same seed, same month */
	int days;               /* length of the simulated period (30) */
	int64_t end;            /* the period ends here (irk_now() when 0) */
	FILE *progress;         /* a line per simulated day, or NULL */
	const struct ingest_opts *ingest;   /* plays hook etc.; NULL: defaults */
};

struct demo_stats {
	int64_t alerts, incidents, closed, users;
};

/* Fill s (which should be empty) with the simulated period, which ends at
 * o->end and lasts o->days days. When no user is registered yet, the
 * acting user (identity_name()) becomes the admin, two days before the
 * period starts, as if they had run irk init then. The clock is left
 * real (irk_clock_set(0)) afterwards. st gets what the database holds. */
int demo_fill(struct store *s, const struct demo_opts *o, struct demo_stats *st,
		struct irk_err *err);

#endif
