/* test_hours.c: business hours counted across weekends, zones and a
 * change of the clocks, every figure worked out by hand beside it. */
#include <criterion/criterion.h>
#include <string.h>

#include "irk/hours.h"

/* Fri 2026-11-27 16:00 UTC, Mon 2026-11-30 09:00 and 10:30 UTC. */
#define FRI_1600 1795795200LL
#define MON_0900 1796029200LL
#define MON_1030 1796034600LL
/* Fri 2026-10-23 15:00 UTC (17:00 CEST), Mon 2026-10-26 08:00 UTC (09:00
 * CET): Berlin's clocks went back on Sunday 25 October. */
#define FRI_1500 1792767600LL
#define MON_0800 1793001600LL

static struct irk_hours h;

Test(hours, off_counts_every_second)
{
	memset(&h, 0, sizeof h);
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_0900), MON_0900 - FRI_1600);
}

Test(hours, a_weekend_in_utc)
{
	struct irk_err err = { 0 };

	cr_assert_eq(irk_hours_parse("Mon-Fri 08:00-18:00", "UTC", &h, &err), 0, "%s", err.msg);
	/* Fri 16:00-18:00 is 2h, the weekend nothing, Mon 08:00-09:00 1h. */
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_0900), 3 * 3600);
	/* ... and to 10:30: 2h + 2h30m. */
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_1030), 4 * 3600 + 1800);
	/* backwards: the negative */
	cr_assert_eq(irk_hours_between(&h, MON_0900, FRI_1600), -3 * 3600);
	/* a whole week from Fri 16:00 to the next: 5 days of 10h */
	cr_assert_eq(irk_hours_between(&h, FRI_1600, FRI_1600 + 7 * 86400), 50 * 3600);
	/* Saturday to Sunday: nothing */
	cr_assert_eq(irk_hours_between(&h, FRI_1600 + 86400, FRI_1600 + 2 * 86400), 0);
}

Test(hours, the_same_instants_in_other_zones)
{
	struct irk_err err = { 0 };

	/* Berlin (CET, UTC+1): Fri 17:00-18:00 1h, Mon 08:00-10:00 2h. */
	cr_assert_eq(irk_hours_parse("Mon-Fri 08:00-18:00", "Europe/Berlin", &h, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_0900), 3 * 3600);
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_1030), 1 * 3600 + 3 * 3600 + 1800);
	/* New York (EST, UTC-5): Fri 11:00-18:00 7h; Mon 04:00 is before
	 * opening, 05:30 too. */
	cr_assert_eq(irk_hours_parse("Mon-Fri 08:00-18:00", "America/New_York", &h, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_0900), 7 * 3600);
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_1030), 7 * 3600);
}

Test(hours, across_a_change_of_the_clocks)
{
	struct irk_err err = { 0 };

	/* Fri 17:00 CEST to Mon 09:00 CET: 1h on Friday, 1h on Monday. With
	 * the summer offset kept, Monday would be 10:00 and count 2h. */
	cr_assert_eq(irk_hours_parse("Mon-Fri 08:00-18:00", "Europe/Berlin", &h, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(irk_hours_between(&h, FRI_1500, MON_0800), 2 * 3600);
}

Test(hours, days_lists_and_ranges)
{
	struct irk_err err = { 0 };

	cr_assert_eq(irk_hours_parse("mon,Sat 09:00-17:00", "UTC", &h, &err), 0, "%s", err.msg);
	cr_assert_eq(h.days, (1 << 1) | (1 << 6));
	/* Fri 16:00 to Mon 10:30: Saturday 8h and Monday 09:00-10:30 (1h30m). */
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_1030), 8 * 3600 + 5400);
	cr_assert_eq(irk_hours_parse("Fri-Mon 00:00-24:00", "UTC", &h, &err), 0, "%s", err.msg);
	cr_assert_eq(h.days, (1 << 5) | (1 << 6) | (1 << 0) | (1 << 1));
	cr_assert_eq(irk_hours_between(&h, FRI_1600, MON_0900), MON_0900 - FRI_1600);
}

Test(hours, bad_specs_say_what_is_wrong)
{
	struct irk_err err = { 0 };

	cr_assert_neq(irk_hours_parse("Mon-Fry 08:00-18:00", NULL, &h, &err), 0);
	cr_assert(strstr(err.msg, "\"Mon-Fry\" is not a day"), "%s", err.msg);
	cr_assert_neq(irk_hours_parse("Mon-Fri 8-18", NULL, &h, &err), 0);
	cr_assert(strstr(err.msg, "\"8-18\" is not HH:MM-HH:MM"), "%s", err.msg);
	cr_assert_neq(irk_hours_parse("Mon-Fri 18:00-08:00", NULL, &h, &err), 0);
	cr_assert(strstr(err.msg, "close before they open"), "%s", err.msg);
	cr_assert_neq(irk_hours_parse("Mon-Fri", NULL, &h, &err), 0);
	cr_assert_neq(irk_hours_parse("Mon-Fri 08:00-18:00", "Europe/Nowhere", &h, &err), 0);
	cr_assert(strstr(err.msg, "Europe/Nowhere"), "%s", err.msg);
	cr_assert_neq(irk_hours_parse("Mon-Fri 08:00-18:00", "../../etc/passwd", &h, &err), 0);
	cr_assert_eq(h.on, 0);
}
