/* test_sla.c: the SLA clocks' outcome once they stopped (issue 12: a
 * closed incident's SLA said "met or not running"). */
#include <criterion/criterion.h>
#include <string.h>

#include "irk/config.h"

#include "irk/model.h"
#include "irk/sla.h"

static struct sla_policy pol;

static void init(void)
{
	sla_policy_load(&pol, NULL);
}

TestSuite(sla, .init = init);

Test(sla, a_closed_incident_says_met_or_breached)
{
	struct incident inc = { 0 };
	char buf[64];

	inc.priority = 1;
	inc.stage = STAGE_CLOSED;
	inc.t_detected = 1000;
	inc.t_acknowledged = 1000 + pol.ack[1] - 1;
	inc.t_contained = 1000 + pol.contain[1] - 1;
	inc.t_closed = inc.t_contained + 86400;
	cr_assert_str_eq(sla_outcome(&pol, &inc, buf, sizeof buf), "met");
	inc.t_acknowledged = 1000 + pol.ack[1] + 120;
	cr_assert_str_eq(sla_outcome(&pol, &inc, buf, sizeof buf), "breached (ack 2m late)");
	inc.t_acknowledged = 1000;
	inc.t_contained = 0;          /* closed without containment: until the close */
	inc.t_closed = 1000 + pol.contain[1] + 3600;
	cr_assert_str_eq(sla_outcome(&pol, &inc, buf, sizeof buf), "breached (contain 1h00m late)");
}

Test(sla, a_running_clock_has_no_outcome)
{
	struct incident inc = { 0 };
	char buf[64] = "x";

	inc.priority = 2;
	inc.t_detected = 1000;
	cr_assert_str_eq(sla_outcome(&pol, &inc, buf, sizeof buf), "");
}

/* With business hours the clocks stop out of hours: detected Friday
 * 2026-11-27 17:00 in Berlin (16:00 UTC), P3 (ack 4h). */
Test(sla, business_hours_stop_the_clock_over_the_weekend)
{
	struct config *cfg = config_new();
	struct irk_err err = { 0 };
	struct sla_policy bp;
	struct sla_status st;
	struct incident inc = { 0 };
	char buf[64];

	cr_assert_eq(config_set(cfg, "sla.business_hours", "Mon-Fri 08:00-18:00", &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_eq(config_set(cfg, "sla.zone", "Europe/Berlin", &err), IRK_OK, "%s", err.msg);
	sla_policy_load(&bp, cfg);
	inc.priority = 3;
	inc.stage = STAGE_NEW;
	inc.t_detected = 1795795200LL;
	/* Monday 10:00 Berlin (09:00 UTC): 1h Friday + 2h Monday, 1h left;
	 * in calendar time it would be 61h late. */
	sla_status(&bp, &inc, 1796029200LL, &st);
	cr_assert_eq(st.state, SLA_OK);
	cr_assert_eq(st.remaining, 3600);
	cr_assert_str_eq(sla_text(&st, buf, sizeof buf), "1h00m left");
	sla_status(&pol, &inc, 1796029200LL, &st);
	cr_assert_eq(st.state, SLA_BREACHED);
	/* Monday 11:30 Berlin: 4h30m, 30m late. */
	sla_status(&bp, &inc, 1796034600LL, &st);
	cr_assert_str_eq(sla_text(&st, buf, sizeof buf), "ack 30m late");
	/* acknowledged then, contained Monday 12:00 Berlin (4h of the 3d) */
	inc.stage = STAGE_CLOSED;
	inc.t_acknowledged = 1796034600LL;
	inc.t_contained = inc.t_closed = 1796036400LL;
	cr_assert_str_eq(sla_outcome(&bp, &inc, buf, sizeof buf), "breached (ack 30m late)");
	inc.t_acknowledged = 1796029200LL;
	cr_assert_str_eq(sla_outcome(&bp, &inc, buf, sizeof buf), "met");
	config_free(&cfg);
}

Test(sla, bad_business_hours_are_refused)
{
	struct config *cfg = config_new();
	struct irk_err err = { 0 };

	cr_assert_neq(config_set(cfg, "sla.business_hours", "Mon-Fry 08:00-18:00", &err), IRK_OK);
	cr_assert(strstr(err.msg, "Mon-Fry"), "%s", err.msg);
	cr_assert_neq(config_set(cfg, "sla.zone", "Mars/Olympus", &err), IRK_OK);
	cr_assert(strstr(err.msg, "Mars/Olympus"), "%s", err.msg);
	config_free(&cfg);
}
