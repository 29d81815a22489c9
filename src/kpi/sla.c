/* sla.c: SLA targets and status. */
#include <stdio.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/sla.h"

void sla_policy_load(struct sla_policy *p, const struct config *c)
{
	const struct config_settings *set = config_settings(c);

	for (int i = 1; i <= 4; i++) {
		p->ack[i] = set->sla.ack[i];
		p->contain[i] = set->sla.contain[i];
		p->resolve[i] = set->sla.resolve[i];
	}
	p->ack[0] = p->contain[0] = p->resolve[0] = 0;
	/* the config checked both when it was read */
	if (!set->sla.business_hours || irk_hours_parse(set->sla.business_hours, set->sla.zone,
							&p->hours, NULL))
		p->hours.on = 0;
}

int64_t sla_elapsed(const struct sla_policy *p, int64_t a, int64_t b)
{
	return p->hours.on ? irk_hours_between(&p->hours, a, b) : b - a;
}

void sla_status(const struct sla_policy *p, const struct incident *inc, int64_t now,
		struct sla_status *out)
{
	int pr = inc->priority >= 1 && inc->priority <= 4 ? inc->priority : 4;

	out->state = SLA_NONE;
	out->clock = SLA_ACK;
	out->remaining = 0;
	if (inc->stage == STAGE_CLOSED || inc->t_contained || inc->stage > STAGE_CONTAINMENT)
		return;
	if (!inc->t_acknowledged) {
		out->clock = SLA_ACK;
		out->remaining = p->ack[pr] - sla_elapsed(p, inc->t_detected, now);
	} else {
		out->clock = SLA_CONTAIN;
		out->remaining = p->contain[pr] - sla_elapsed(p, inc->t_detected, now);
	}
	out->state = out->remaining < 0 ? SLA_BREACHED : SLA_OK;
}

char *sla_text(const struct sla_status *st, char *buf, unsigned n)
{
	char d[32];

	if (st->state == SLA_NONE) {
		if (n)
			buf[0] = '\0';
		return buf;
	}
	irk_duration_fmt(st->remaining < 0 ? -st->remaining : st->remaining, d, sizeof d);
	if (st->state == SLA_BREACHED)
		snprintf(buf, n, "%s %s late", st->clock == SLA_ACK ? "ack" : "contain", d);
	else
		snprintf(buf, n, "%s left", d);
	return buf;
}

char *sla_outcome(const struct sla_policy *p, const struct incident *inc, char *buf, unsigned n)
{
	int pr = inc->priority >= 1 && inc->priority <= 4 ? inc->priority : 4;
	/* A clock that never stopped ran until the close. */
	int64_t ack = inc->t_acknowledged ? inc->t_acknowledged : inc->t_closed;
	int64_t con = inc->t_contained ? inc->t_contained : inc->t_closed;
	int64_t ack_late = ack ? sla_elapsed(p, inc->t_detected, ack) - p->ack[pr] : 0;
	int64_t con_late = con ? sla_elapsed(p, inc->t_detected, con) - p->contain[pr] : 0;
	char d[32];

	if (n)
		buf[0] = '\0';
	if (!ack && !con)
		return buf;
	if (ack_late > 0) {
		irk_duration_fmt(ack_late, d, sizeof d);
		snprintf(buf, n, "breached (ack %s late)", d);
	} else if (con_late > 0) {
		irk_duration_fmt(con_late, d, sizeof d);
		snprintf(buf, n, "breached (contain %s late)", d);
	} else {
		snprintf(buf, n, "met");
	}
	return buf;
}
