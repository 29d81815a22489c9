/* hours.c: business hours in a time zone, counted in O(1) per instant.
 *
 * The zone's offsets are probed once from the C library (daily, then to
 * the second where one changes) into a table, so counting needs neither
 * $TZ nor localtime(): business seconds up to an instant are the whole
 * weeks before it, the open days of its week before its day, and the part
 * of its day's opening gone by, all in the zone's wall-clock time. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "irk/hours.h"
#include "irk/strbuf.h"

static const char *const wday_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int wday_parse(const char *s, size_t n)
{
	if (n != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (!strncasecmp(s, wday_names[i], 3))
			return i;
	return -1;
}

/* "HH:MM" (00:00..24:00) into seconds, or -1. */
static int32_t hhmm_parse(const char *s, size_t n)
{
	if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 3600 + m * 60;
}

int irk_zone_check(const char *zone, struct irk_err *err)
{
	const char *dir = getenv("TZDIR");
	char path[512];

	if (!zone || !*zone)
		return 0;
	for (const char *p = zone; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
			return irk_fail(err, IRK_INVALID, "time zone \"%.64s\": not a tz database "
					"name (like Europe/Berlin)", zone);
	if (zone[0] == '/' || strstr(zone, "..") || strlen(zone) > 128)
		return irk_fail(err, IRK_INVALID, "time zone \"%.64s\": not a tz database "
				"name (like Europe/Berlin)", zone);
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
	if (access(path, R_OK))
		return irk_fail(err, IRK_INVALID, "time zone \"%.64s\": unknown here (no %.300s)",
				zone, path);
	return 0;
}

/* ---- the zone's offsets ------------------------------------------------ */

static int32_t gmtoff_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (int32_t)tm.tm_gmtoff;
}

#define PROBE_FROM 631152000LL    /* 1990-01-01 */
#define PROBE_TO   3155760000LL   /* 2070-01-01 */

static void probe(struct irk_hours *h)
{
	int32_t prev = gmtoff_at(PROBE_FROM);

	h->ntrans = 0;
	h->off[0] = prev;
	for (int64_t t = PROBE_FROM + 86400; t < PROBE_TO; t += 86400) {
		int32_t o = gmtoff_at(t);
		if (o == prev)
			continue;
		int64_t lo = t - 86400, hi = t;    /* offset prev at lo, o at hi */
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			if (gmtoff_at(mid) == prev)
				lo = mid;
			else
				hi = mid;
		}
		if (h->ntrans == IRK_HOURS_TRANS)
			break;
		h->at[h->ntrans++] = hi;
		h->off[h->ntrans] = o;
		prev = o;
	}
}

/* The C library knows zones only through $TZ: set it, probe, put it back,
 * one thread at a time. The last zone probed is kept. */
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static char cached_zone[130];
static int cached;
static struct irk_hours cache;

static void zone_offsets(struct irk_hours *h, const char *zone)
{
	const char *want = zone ? zone : "";

	pthread_mutex_lock(&zone_lock);
	if (!cached || strcmp(cached_zone, want)) {
		char *old = NULL;
		if (*want) {
			const char *o = getenv("TZ");
			old = o ? xstrdup(o) : NULL;
			setenv("TZ", want, 1);
			tzset();
		}
		probe(&cache);
		if (*want) {
			if (old)
				setenv("TZ", old, 1);
			else
				unsetenv("TZ");
			tzset();
			free(old);
		}
		irk_strlcpy(cached_zone, want, sizeof cached_zone);
		cached = 1;
	}
	h->ntrans = cache.ntrans;
	memcpy(h->at, cache.at, sizeof h->at);
	memcpy(h->off, cache.off, sizeof h->off);
	pthread_mutex_unlock(&zone_lock);
}

/* ---- the spec -------------------------------------------------------------- */

static int spec_parse(const char *spec, struct irk_hours *h, struct irk_err *err)
{
	const char *p = spec, *sp;
	uint8_t days = 0;

	memset(h, 0, sizeof *h);
	if (!spec || !(sp = strchr(spec, ' ')) || sp == spec)
		return irk_fail(err, IRK_INVALID, "business hours \"%.64s\": want days and "
				"hours, like \"Mon-Fri 08:00-18:00\"", spec ? spec : "");
	while (p < sp) {
		const char *e = p;
		while (e < sp && *e != ',')
			e++;
		const char *dash = memchr(p, '-', (size_t)(e - p));
		int a = wday_parse(p, (size_t)((dash ? dash : e) - p));
		int b = dash ? wday_parse(dash + 1, (size_t)(e - dash - 1)) : a;
		if (a < 0 || b < 0)
			return irk_fail(err, IRK_INVALID, "business hours \"%.64s\": \"%.*s\" is "
					"not a day or a range of days (Mon, Mon-Fri)", spec,
					(int)(e - p), p);
		for (int d = a;; d = (d + 1) % 7) {
			days |= (uint8_t)(1u << d);
			if (d == b)
				break;
		}
		p = e < sp ? e + 1 : e;
	}
	while (*sp == ' ')
		sp++;
	const char *dash = strchr(sp, '-');
	size_t tail = strlen(sp);
	while (tail && sp[tail - 1] == ' ')
		tail--;
	int32_t open = dash ? hhmm_parse(sp, (size_t)(dash - sp)) : -1;
	int32_t close = dash ? hhmm_parse(dash + 1, (size_t)(sp + tail - dash - 1)) : -1;
	if (open < 0 || close < 0)
		return irk_fail(err, IRK_INVALID, "business hours \"%.64s\": \"%.*s\" is not "
				"HH:MM-HH:MM", spec, (int)tail, sp);
	if (open >= close)
		return irk_fail(err, IRK_INVALID, "business hours \"%.64s\": they close before "
				"they open", spec);
	h->days = days;
	h->open = open;
	h->close = close;
	return 0;
}

int irk_hours_check(const char *spec, struct irk_err *err)
{
	struct irk_hours h;

	return spec_parse(spec, &h, err);
}

int irk_hours_parse(const char *spec, const char *zone, struct irk_hours *h,
		    struct irk_err *err)
{
	if (spec_parse(spec, h, err) || irk_zone_check(zone, err))
		return -1;
	h->on = 1;
	zone_offsets(h, zone && *zone ? zone : NULL);
	return 0;
}

/* ---- counting -------------------------------------------------------------- */

static int32_t offset_at(const struct irk_hours *h, int64_t t)
{
	int lo = 0, hi = h->ntrans;         /* the first transition after t */

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (h->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return h->off[lo];
}

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Business seconds from the Thursday 1970-01-01 (local) to t. */
static int64_t upto(const struct irk_hours *h, int64_t t)
{
	int64_t local = t + offset_at(h, t);
	int64_t day = floordiv(local, 86400), sec = local - day * 86400;
	int64_t week = floordiv(day, 7), r = day - week * 7;
	int64_t per = h->close - h->open, n = 0, sum;

	for (int d = 0; d < 7; d++)
		n += (h->days >> d) & 1;
	sum = week * n * per;
	for (int64_t k = 0; k < r; k++)
		if ((h->days >> ((k + 4) % 7)) & 1)
			sum += per;
	if ((h->days >> ((r + 4) % 7)) & 1) {
		int64_t in = sec - h->open;
		sum += in < 0 ? 0 : in > per ? per : in;
	}
	return sum;
}

int64_t irk_hours_between(const struct irk_hours *h, int64_t a, int64_t b)
{
	if (!h || !h->on)
		return b - a;
	return upto(h, b) - upto(h, a);
}
