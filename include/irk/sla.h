/* sla.h: service-level targets per priority and where an incident stands.
 *
 * Two clocks run from detection: time to acknowledge (until someone claims
 * it or moves it out of new) and time to contain (until it moves past
 * containment). Targets per priority come from irk.conf [sla]; the KPIs
 * (kpi.h) also judge a third, time to resolve (until lessons-learned or
 * closed). With [sla] business_hours the clocks count only those hours
 * (hours.h): times left and late are then business time. */
#ifndef IRK_SLA_H
#define IRK_SLA_H

#include <stdint.h>

#include "irk/hours.h"
#include "irk/model.h"

struct config;

struct sla_policy {
	int64_t ack[5], contain[5], resolve[5];   /* indexed by priority 1..4 */
	struct irk_hours hours;                   /* off: calendar time */
};

enum sla_state { SLA_NONE, SLA_OK, SLA_BREACHED };
enum sla_clock { SLA_ACK, SLA_CONTAIN };

struct sla_status {
	int state;         /* enum sla_state; NONE once contained or closed */
	int clock;         /* enum sla_clock that is running */
	int64_t remaining; /* seconds to the deadline; negative when breached */
};

/* Targets from the config (defaults when c is NULL). */
void sla_policy_load(struct sla_policy *p, const struct config *c);
/* The seconds an SLA clock counts from a to b: b - a, or the business
 * seconds between them. */
int64_t sla_elapsed(const struct sla_policy *p, int64_t a, int64_t b);
/* Where inc stands at time now. */
void sla_status(const struct sla_policy *p, const struct incident *inc, int64_t now,
		struct sla_status *out);
/* "12m left", "ack 3h05m late" into buf. "" when there is no running SLA. */
char *sla_text(const struct sla_status *st, char *buf, unsigned n);

/* How the SLA ended once its clocks stopped (contained, or closed): "met",
 * "breached (ack 12m late)", "breached (contain 1h05m late)"; a clock that
 * never stopped counts until the close. "" while a clock runs. */
char *sla_outcome(const struct sla_policy *p, const struct incident *inc, char *buf, unsigned n);

#endif
