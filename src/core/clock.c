/* clock.c: the clock, timestamps and durations. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/clock.h"

static int64_t fixed_now;

int64_t irk_now(void)
{
	const char *env;

	if (fixed_now)
		return fixed_now;
	env = getenv("IRK_NOW");
	if (env && *env) {
		char *end;
		long long v = strtoll(env, &end, 10);
		if (*end == '\0' && v > 0)
			return v;
	}
	return (int64_t)time(NULL);
}

void irk_clock_set(int64_t t)
{
	fixed_now = t;
}

/* Read exactly n digits at *p into *out; advances *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), no libc time zone. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* 2023-02-29 is not a day, however the arithmetic would roll it over. */
static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int irk_time_parse(const char *s, int64_t *out)
{
	int Y, M, D, h = 0, m = 0, sec = 0, off = 0;
	const char *p = s;

	if (!s)
		return -1;
	while (*p == ' ')
		p++;
	if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) ||
	    *p++ != '-' || digits(&p, 2, &D))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || Y < 1970)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -1;
		}
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (h > 23 || m > 59 || sec > 60)
			return -1;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, &om))
			return -1;
		if (oh > 14 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	}
	while (*p == ' ')
		p++;
	if (*p)
		return -1;
	*out = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 +
	       h * 3600 + m * 60 + sec - off;
	return 0;
}

char *irk_time_iso(int64_t t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		irk_time_iso(0, buf, n);
	return buf;
}

char *irk_time_short(int64_t t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!t) {
		snprintf(buf, n, "-");
		return buf;
	}
	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, n, "?");
	return buf;
}

/* v in decimal at p, at least width digits (zero-padded); the end. */
static char *put_num(char *p, uint64_t v, int width)
{
	char d[24];
	int k = 0;

	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < (int)sizeof d);
	while (k < width)
		d[k++] = '0';
	while (k)
		*p++ = d[--k];
	return p;
}

/* By hand, not snprintf: the board and lists call this for every card. */
char *irk_duration_fmt(int64_t secs, char *buf, size_t n)
{
	uint64_t a = secs < 0 ? 0 - (uint64_t)secs : (uint64_t)secs;
	char t[48], *p = t;

	if (secs < 0)
		*p++ = '-';
	if (a < 60) {
		p = put_num(p, a, 1);
		*p++ = 's';
	} else if (a < 3600) {
		p = put_num(p, a / 60, 1);
		*p++ = 'm';
	} else if (a < 86400) {
		p = put_num(p, a / 3600, 1);
		*p++ = 'h';
		p = put_num(p, a % 3600 / 60, 2);
		*p++ = 'm';
	} else {
		p = put_num(p, a / 86400, 1);
		*p++ = 'd';
		p = put_num(p, a % 86400 / 3600, 2);
		*p++ = 'h';
	}
	*p = '\0';
	if (n) {
		size_t len = (size_t)(p - t) < n - 1 ? (size_t)(p - t) : n - 1;
		memcpy(buf, t, len);
		buf[len] = '\0';
	}
	return buf;
}

int irk_duration_parse(const char *s, int64_t *out)
{
	int64_t total = 0;
	const char *p = s;

	if (!s || !*s)
		return -1;
	while (*p) {
		char *end;
		long long v;
		int64_t unit = 1;

		if (!isdigit((unsigned char)*p))
			return -1;
		v = strtoll(p, &end, 10);
		p = end;
		switch (*p) {
		case 's': unit = 1; p++; break;
		case 'm': unit = 60; p++; break;
		case 'h': unit = 3600; p++; break;
		case 'd': unit = 86400; p++; break;
		case 'w': unit = 604800; p++; break;
		case '\0': break;
		default: return -1;
		}
		if (v > (long long)(INT64_MAX / 2 / unit))
			return -1;
		total += v * unit;
	}
	*out = total;
	return 0;
}

/* irk kpi --since/--until and a query's since=/until= (clock.h). */
int irk_when_parse(const char *s, int64_t now, int until, int64_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	int64_t secs;

	if (!s || !*s)
		return -1;
	if (s[0] == '-') {
		size_t len = strlen(s);
		char buf[32];
		if (len > 1 && len < sizeof buf && s[len - 1] == 'w') {
			/* weeks: irk_duration_parse() knows days */
			long long wk;
			char *end;
			wk = strtoll(s + 1, &end, 10);
			if (end != s + len - 1 || wk < 0)
				return -1;
			*out = now - (int64_t)wk * 7 * 86400;
			return 0;
		}
		if (irk_duration_parse(s + 1, &secs) || secs < 0)
			return -1;
		*out = now - secs;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (s[10]) {
		const char *t = s + 11;
		size_t tl = strlen(t);
		int m = 0;
		if (s[10] != 'T' && s[10] != ' ')
			return -1;
		/* a zone (Z, +hh:mm, -hhmm) decides; without one, local time */
		if (tl && (t[tl - 1] == 'Z' || t[tl - 1] == 'z' || strpbrk(t, "+-")))
			return irk_time_parse(s, out) ? -1 : 0;
		if (sscanf(t, "%2d:%2d%n", &h, &mi, &m) != 2)
			return -1;
		if (t[m] == ':') {
			int m2 = 0;
			if (sscanf(t + m + 1, "%2d%n", &sec, &m2) != 1)
				return -1;
			m += 1 + m2;
		}
		if (t[m] || h > 23 || mi > 59 || sec > 60)
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d + (until && !s[10]);   /* an until date takes in its whole day */
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	*out = (int64_t)mktime(&tm);
	return 0;
}
