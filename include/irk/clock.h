/* clock.h: time for irk, in Unix seconds (UTC), and its text forms.
 *
 * IRK_NOW=<unix seconds> in the environment fixes the clock (tests, demo).
 * irk_clock_set() overrides it in-process (the demo generator walks a month). */
#ifndef IRK_CLOCK_H
#define IRK_CLOCK_H

#include <stddef.h>
#include <stdint.h>

int64_t irk_now(void);
/* Fix the clock at t; t == 0 goes back to the real clock (or IRK_NOW). */
void irk_clock_set(int64_t t);

/* Parse an ISO 8601 / RFC 3339 timestamp: "2018-07-05T15:07:20.910626-0400",
 * "2020-04-17T00:18:20.659+0000", "2021-01-27T00:28:11.488Z", "2021-01-27 00:28:11".
 * A missing zone means UTC. Fractions are dropped. Returns 0 on success. */
int irk_time_parse(const char *s, int64_t *out);

/* "2026-11-23T10:04:05Z" into buf (at least 21 bytes). Returns buf. */
char *irk_time_iso(int64_t t, char *buf, size_t n);
/* "2026-11-23 10:04" in UTC into buf (at least 17 bytes). Returns buf. */
char *irk_time_short(int64_t t, char *buf, size_t n);

/* Compact duration: "45s", "12m", "3h05m", "2d04h", "-1h10m". Returns buf. */
char *irk_duration_fmt(int64_t secs, char *buf, size_t n);
/* Parse "90", "90s", "15m", "1h", "2d", "1h30m" into seconds. 0 on success. */
int irk_duration_parse(const char *s, int64_t *out);
/* A bound of a period: a date (2026-11-01: local midnight; with until,
 * the end of that day), a time (2026-11-01T10:00, local unless it names
 * a zone) or a span before now (-30d, -12h, -2w). 0, or -1 when s is none
 * of these. */
int irk_when_parse(const char *s, int64_t now, int until, int64_t *out);

#endif
