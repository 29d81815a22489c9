/* test_clock.c: timestamps, durations and the clock (src/core/clock.c).
 * Every timestamp shape found in the alert fixtures and the shared samples
 * is parsed and checked against an independent reading (strptime+timegm). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "irk/clock.h"

static int64_t parsed(const char *s)
{
	int64_t t = -1;

	cr_assert_eq(irk_time_parse(s, &t), 0, "refused '%s'", s);
	return t;
}

static void refused(const char *s)
{
	int64_t t = 12345;

	cr_assert_neq(irk_time_parse(s, &t), 0, "accepted '%s' as %lld", s, (long long)t);
	cr_assert_eq(t, 12345, "'%s': *out written on failure", s);
}

Test(clock, parses_every_documented_shape)
{
	cr_assert_eq(parsed("2018-07-05T15:07:20.910626-0400"), 1530817640);
	cr_assert_eq(parsed("2020-04-17T00:18:20.659+0000"), 1587082700);
	cr_assert_eq(parsed("2021-01-27T00:28:11.488Z"), 1611707291);
	cr_assert_eq(parsed("2021-01-27 00:28:11"), 1611707291);
	cr_assert_eq(parsed("2024-05-13T10:30:00+02:00"), 1715589000);
	cr_assert_eq(parsed("2024-05-13T08:30:00+00:00"), 1715589000);
	cr_assert_eq(parsed("2024-05-13t08:30:00z"), 1715589000);
	cr_assert_eq(parsed("2024-05-13T08:30Z"), 1715589000, "seconds may be left out");
	cr_assert_eq(parsed("2024-05-13T08:30:00,5Z"), 1715589000, "comma fraction");
	cr_assert_eq(parsed("2024-05-13"), 1715558400, "a date is midnight UTC");
	cr_assert_eq(parsed("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(parsed("2024-02-29T12:00:00Z"), 1709208000, "leap day");
	cr_assert_eq(parsed("2000-02-29T00:00:00Z"), 951782400, "leap century");
	cr_assert_eq(parsed("2038-01-19T03:14:08Z"), 2147483648LL, "past 32 bits");
	cr_assert_eq(parsed("2024-05-13T10:30:00.123456789-05:30"), 1715616000);
	cr_assert_eq(parsed("2016-12-31T23:59:60Z"), 1483228800, "leap second");
	cr_assert_eq(parsed(" 2024-05-13T08:30:00Z "), 1715589000);
}

Test(clock, refuses_what_is_not_a_time)
{
	static const char *const bad[] = {
		"", "now", "24-05-13", "2024-5-13", "2024-13-01", "2024-00-10", "2024-05-00",
		"2024-05-32", "2023-02-29", "2024-02-30", "2024-04-31", "2024-05-13T24:00:00Z",
		"2024-05-13T10:60:00Z", "2024-05-13T10:00:61Z", "2024-05-13T10:00:00+15:00",
		"2024-05-13T10:00:00+02:60", "2024-05-13T10:00:00Zjunk", "2024-05-13T10:00:00.",
		"2024-05-13T10", "1969-12-31T23:59:59Z", "2024-05-13T10:00:00 UTC",
		"2024-05-13X10:00:00", "1715594400",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(bad[i]);
	int64_t t;
	cr_assert_neq(irk_time_parse(NULL, &t), 0);
}

/* An independent reading of "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh[:]mm]". */
static int64_t oracle(const char *s)
{
	struct tm tm = { 0 };
	const char *p = strptime(s, "%Y-%m-%d", &tm);
	int sign, oh, om;

	cr_assert_not_null(p, "oracle cannot read '%s'", s);
	if (*p == 'T' || *p == ' ')
		p = strptime(p + 1, "%H:%M:%S", &tm);
	cr_assert_not_null(p);
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	int64_t t = (int64_t)timegm(&tm);
	if (*p == 'Z' || !*p)
		return t;
	sign = *p == '-' ? -1 : 1;
	cr_assert(sscanf(p + 1, "%2d", &oh) == 1);
	p += 3;
	if (*p == ':')
		p++;
	cr_assert(sscanf(p, "%2d", &om) == 1);
	return t - sign * (oh * 3600 + om * 60);
}

static int checked;

static void check_field(json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);

	if (!json_is_string(v))
		return;
	const char *s = json_string_value(v);
	cr_assert_eq(parsed(s), oracle(s), "'%s' in field %s", s, key);
	checked++;
}

static void check_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512], line[1 << 16];

	cr_assert_not_null(d, "cannot open %s (tests run from the repo root)", dir);
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, ".jsonl"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		cr_assert_not_null(f);
		while (fgets(line, sizeof line, f)) {
			json_t *root = json_loads(line, 0, NULL);
			if (!root)
				continue;
			check_field(root, "timestamp");
			check_field(root, "@timestamp");
			check_field(root, "detected_at");
			json_decref(root);
		}
		fclose(f);
	}
	closedir(d);
}

Test(clock, every_timestamp_in_the_fixtures_and_samples)
{
	check_dir("tests/fixtures/alerts");
	if (access("../shared/samples/alerts", R_OK) == 0)
		check_dir("../shared/samples/alerts");
	cr_assert_geq(checked, 15, "only %d timestamps found", checked);
}

Test(clock, durations_parse)
{
	static const struct { const char *s; int64_t v; } ok[] = {
		{ "90", 90 }, { "90s", 90 }, { "15m", 900 }, { "1h", 3600 }, { "2d", 172800 },
		{ "1w", 604800 }, { "1h30m", 5400 }, { "1d2h3m4s", 93784 }, { "0", 0 },
	};
	static const char *const bad[] = { "", "h", "-5m", "1x", "1.5h", "m5", "1h ", " 1h",
		"99999999999999999999d" };
	int64_t v;

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cr_assert_eq(irk_duration_parse(ok[i].s, &v), 0, "refused '%s'", ok[i].s);
		cr_assert_eq(v, ok[i].v, "'%s' is %lld, want %lld", ok[i].s, (long long)v,
			     (long long)ok[i].v);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_neq(irk_duration_parse(bad[i], &v), 0, "accepted '%s'", bad[i]);
	cr_assert_neq(irk_duration_parse(NULL, &v), 0);
}

Test(clock, durations_format)
{
	char b[32];

	cr_assert_str_eq(irk_duration_fmt(0, b, sizeof b), "0s");
	cr_assert_str_eq(irk_duration_fmt(45, b, sizeof b), "45s");
	cr_assert_str_eq(irk_duration_fmt(720, b, sizeof b), "12m");
	cr_assert_str_eq(irk_duration_fmt(3 * 3600 + 5 * 60, b, sizeof b), "3h05m");
	cr_assert_str_eq(irk_duration_fmt(2 * 86400 + 4 * 3600 + 59, b, sizeof b), "2d04h");
	cr_assert_str_eq(irk_duration_fmt(-4200, b, sizeof b), "-1h10m");
	cr_assert_str_eq(irk_duration_fmt(86399, b, sizeof b), "23h59m");
	cr_assert_str_eq(irk_duration_fmt(400 * 86400 + 3600, b, sizeof b), "400d01h");
	cr_assert_str_eq(irk_duration_fmt(INT64_MIN, b, sizeof b), "-106751991167300d15h");
	cr_assert_str_eq(irk_duration_fmt(3 * 3600 + 5 * 60, b, 4), "3h0", "cut like snprintf");
	b[0] = 'x';
	irk_duration_fmt(45, b, 0);
	cr_assert_eq(b[0], 'x', "n = 0 writes nothing");
}

Test(clock, text_forms)
{
	char b[32];

	cr_assert_str_eq(irk_time_iso(1715594400, b, sizeof b), "2024-05-13T10:00:00Z");
	cr_assert_str_eq(irk_time_iso(0, b, sizeof b), "1970-01-01T00:00:00Z");
	cr_assert_str_eq(irk_time_short(1715594459, b, sizeof b), "2024-05-13 10:00");
	cr_assert_str_eq(irk_time_short(0, b, sizeof b), "-");
	int64_t t;
	cr_assert_eq(irk_time_parse(irk_time_iso(1999999999, b, sizeof b), &t), 0);
	cr_assert_eq(t, 1999999999, "iso form parses back");
}

Test(clock, now_can_be_fixed)
{
	unsetenv("IRK_NOW");
	int64_t real = irk_now();
	cr_assert(real > 1700000000 && real - (int64_t)time(NULL) <= 1);
	setenv("IRK_NOW", "1715594400", 1);
	cr_assert_eq(irk_now(), 1715594400);
	setenv("IRK_NOW", "garbage", 1);
	cr_assert_geq(irk_now(), real, "a bad IRK_NOW is ignored");
	irk_clock_set(1234567890);
	cr_assert_eq(irk_now(), 1234567890, "irk_clock_set wins over the environment");
	irk_clock_set(0);
	unsetenv("IRK_NOW");
	cr_assert_geq(irk_now(), real);
}
