/* hours.h: business hours, a week of opening times in a time zone, and
 * the seconds of them between two instants (the SLA clocks of sla.h count
 * only these when irk.conf [sla] business_hours is set).
 *
 * "Mon-Fri 08:00-18:00": the days (names, ranges and lists: "Mon-Thu,Sat",
 * "Sun-Sat" every day) and one opening per day, HH:MM-HH:MM (24:00 for the
 * end of the day), in the zone's wall-clock time. The zone is a tz
 * database name ("Europe/Berlin"); none is the local time. Its offsets are
 * read once, from the C library, for the years 1990 to 2069 (daylight
 * saving included); outside them the nearest offset holds. The clock
 * counts wall-clock seconds inside the openings: a change of the clocks
 * inside an opening (rare: they change at night) counts the hour it adds
 * or takes. */
#ifndef IRK_HOURS_H
#define IRK_HOURS_H

#include <stdint.h>

#include "irk/err.h"

#define IRK_HOURS_TRANS 400

struct irk_hours {
	int on;                    /* 0: every second counts (calendar time) */
	uint8_t days;              /* bit per weekday, 0 Sunday */
	int32_t open, close;       /* seconds after local midnight, open < close */
	int ntrans;                /* zone offsets: off[i] from at[i - 1] on */
	int64_t at[IRK_HOURS_TRANS];
	int32_t off[IRK_HOURS_TRANS + 1];
};

/* Parse spec ("Mon-Fri 08:00-18:00") in zone (NULL or "": local time)
 * into h. 0, or -1 with err saying what is wrong (err may be NULL). */
int irk_hours_parse(const char *spec, const char *zone, struct irk_hours *h,
		    struct irk_err *err);
/* Whether spec parses (no zone read): 0, or -1 with err. */
int irk_hours_check(const char *spec, struct irk_err *err);
/* Whether zone is a tz database name installed here: 0, or -1 with err. */
int irk_zone_check(const char *zone, struct irk_err *err);
/* Business seconds from a to b (negative when b < a); b - a when h is
 * off. */
int64_t irk_hours_between(const struct irk_hours *h, int64_t a, int64_t b);

#endif
