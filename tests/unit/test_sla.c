/* test_sla.c: the SLA clocks' outcome once they stopped (issue 12: a
 * closed incident's SLA said "met or not running"). */
#include <criterion/criterion.h>

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
