/* maturity.h: the team's incident-response maturity, CMMI levels 1 to 5,
 * rated from evidence (kpi.h) rather than a questionnaire. irk-kpi(7)
 * has the table of criteria; thresholds come from irk.conf [maturity].
 *
 * Each criterion is measured over the incidents detected in the last
 * maturity.period before now (the trend compares with the period before
 * that). The level is the highest whose criteria, and every lower
 * level's, are all met; level 1 (Initial) has none. A criterion irk
 * cannot measure yet (asset or change context) is not met, with no value
 * and a reason: never a made-up figure. */
#ifndef IRK_MATURITY_H
#define IRK_MATURITY_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/kpi.h"

struct store;
struct config;
struct jsonw;

struct maturity_criterion {
	int level;                 /* 2..5 */
	const char *id;            /* "owners" */
	const char *text;          /* what it asks */
	const char *todo;          /* what to do when it is not met */
	const char *op;            /* ">=" or "<=" */
	int percent;               /* value and threshold are percentages */
	int has_value;             /* 0: not measurable (reason says why) */
	double value, threshold;
	int met;
	const char *reason;        /* when !has_value */
	int64_t over;              /* incidents (or moves) measured */
	struct kpi_ids ids;        /* the incidents that fall short */
};

#define MATURITY_MAX 20
struct maturity {
	int level;                 /* 1..5 */
	int64_t since, until;      /* the period weighed */
	struct maturity_criterion c[MATURITY_MAX];
	size_t n;
};

/* "Initial", "Managed", "Defined", "Quantitatively managed", "Optimizing". */
const char *maturity_level_name(int level);

/* Rate the team at now with cfg's thresholds (defaults when NULL). */
int maturity_assess(struct store *s, const struct config *cfg, int64_t now,
		struct maturity *out, struct irk_err *err);

/* irk maturity --json: {"level", "name", "since", "until", "criteria":
 * [...], "next": [...]} (irk(1)). */
void maturity_json(const struct maturity *m, struct jsonw *w);

#endif
