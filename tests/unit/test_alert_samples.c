/* test_alert_samples.c: conformance against real alert records kept outside
 * the repo (shared/samples/alerts, copied verbatim from public projects).
 *
 * The folder is $IRK_SAMPLES/alerts, else ../shared/samples/alerts from the
 * repo root (../../shared from a worktree in wt/NAME). Every line of each file must parse with its format and with
 * auto-detection, to the same alert, or be skipped by both as a record of
 * that format that is not an alert (a sensor's dns or flow event, an ECS
 * metric, a Zeek conn log): never rejected. The lines we know are checked
 * field by field. Every other .jsonl file of the folder (samples added
 * later: a whole eve.json, Zeek's other logs) is held to the same rule
 * with the format auto-detection gives. Without the folder the tests pass
 * with a note. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irk/alert.h"
#include "irk/model.h"
#include "alert_testlib.h"
#include "helpers/tmpstore.h"

struct want {
	int line;
	long long time;
	const char *rule_id, *rule_name;
	int sev;
	const char *host, *src, *dst, *user, *category;
	int obs_type;           /* one observable that must be there */
	const char *obs;
};

static const struct want eve[] = {
	{ 1, 1530817640, "2024833",
	  "ET POLICY Observed IP Lookup Domain (l2 .io in TLS SNI)", SEV_HIGH,
	  "192.168.156.70", "192.168.86.85", "192.168.156.70", NULL,
	  "Potential Corporate Privacy Violation", OBS_DOMAIN, "l2.io" },
	{ 2, 1611707291, "2100498", "GPL ATTACK_RESPONSE id check returned root",
	  SEV_MEDIUM, "10.31.64.240", "52.222.141.99", "10.31.64.240", NULL,
	  "Potentially Bad Traffic", OBS_URL,
	  "http://testmynids.org/uid/index.html" },
	{ 0 },
};

static const struct want wazuh[] = {
	{ 1, 1587082700, "5710",
	  "sshd: Attempt to login using a non-existent user", SEV_LOW,
	  "Ubuntu", "123.20.109.89", NULL, "admin", "authentication_failed",
	  OBS_IP, "10.0.1.85" },
	{ 2, 1587083113, "5720", "sshd: Multiple authentication failures.",
	  SEV_MEDIUM, "Centos", "49.88.112.76", NULL, "root",
	  "authentication_failures", OBS_USER, "root" },
	{ 0 },
};

static const struct want ecs[] = {
	{ 1, 1611707291, "2100498", "GPL ATTACK_RESPONSE id check returned root",
	  SEV_MEDIUM, "10.31.64.240", "175.16.199.1", "10.31.64.240", NULL,
	  "Potentially Bad Traffic", OBS_URL,
	  "http://testmynids.org/uid/index.html" },
	{ 0 },
};

static const struct want zeek[] = {
	{ 1, 1320435875, "SSH::Password_Guessing",
	  "172.16.238.1 appears to be guessing SSH passwords (seen in 30 "
	  "connections).", SEV_HIGH, "172.16.238.1", "172.16.238.1", NULL, NULL,
	  "SSH", OBS_IP, "172.16.238.1" },
	{ 2, 1551393388, "Scan::Port_Scan",
	  "89.160.20.156 scanned at least 15 unique ports of host 89.160.20.156 "
	  "in 0m0s", SEV_MEDIUM, "89.160.20.156", "89.160.20.156",
	  "89.160.20.156", NULL, "Scan", OBS_IP, "89.160.20.156" },
	{ 3, 1617097740, "CaptureLoss::Too_Much_Loss",
	  "The capture loss script detected an estimated loss rate above "
	  "88.306%", SEV_LOW, NULL, NULL, NULL, NULL, "CaptureLoss", -1, NULL },
	{ 4, 1617097929, "SSL::Invalid_Server_Cert",
	  "SSL certificate validation failed with (self signed certificate)",
	  SEV_LOW, "10.156.0.2", "10.156.0.2", "89.160.20.156", NULL, "SSL",
	  OBS_IP, "10.156.0.2" },
	{ 0 },
};

/* The samples' alerts folder, or NULL (with a note) when there is none. */
static const char *samples_dir(char *buf, size_t n)
{
	if (tmp_samples_dir("alerts", buf, n))
		return buf;
	cr_log_info("no sample alerts (shared/samples/alerts): conformance skipped");
	return NULL;
}

#define expect_field(got, want, line) do { \
	if (want) \
		expect_str(got, want); \
	else \
		cr_assert_null(got, "line %d: %s should be absent", line, #got); \
} while (0)

static void check_want(const struct alert *a, const struct want *w)
{
	cr_assert_eq(a->event_time, w->time, "line %d time", w->line);
	expect_field(a->rule_id, w->rule_id, w->line);
	expect_field(a->rule_name, w->rule_name, w->line);
	expect_sev(a, w->sev);
	expect_field(a->host, w->host, w->line);
	expect_field(a->src_ip, w->src, w->line);
	expect_field(a->dst_ip, w->dst, w->line);
	expect_field(a->user, w->user, w->line);
	expect_field(a->category, w->category, w->line);
	if (w->obs)
		expect_obs(a, w->obs_type, w->obs);
}

/* A record that is not an alert: skipped with its format and with
 * auto-detection alike, the format recognised (not "no known format"). */
static void expect_skip_both(const struct rec *x, const struct rec *y, int fmt,
			     const char *name, int n)
{
	cr_assert_eq(x->rc, IRK_SKIPPED, "%s:%d: skipped when detected, %s as %s: %s", name, n,
		     x->rc ? "rejected" : "accepted", alert_format_name(fmt), x->err.msg);
	cr_assert_eq(y->rc, IRK_SKIPPED, "%s:%d: skipped as %s, %s when detected: %s", name, n,
		     alert_format_name(fmt), y->rc ? "rejected" : "accepted", y->err.msg);
	cr_assert_eq(y->a.format, fmt, "%s:%d detected as %s", name, n,
		     alert_format_name(y->a.format));
}

static void check_file(const char *name, int fmt, const struct want *wants)
{
	char dir[512], path[600];
	char *line = NULL;
	size_t cap = 0;
	int n = 0, checked = 0, skipped = 0;
	FILE *f;

	if (!samples_dir(dir, sizeof dir))
		return;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f) {
		cr_log_info("no %s: skipped", path);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		struct rec x, y;

		n++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		testlib_parse_text(&x, fmt, line, NULL);
		testlib_parse_text(&y, FMT_AUTO, line, NULL);
		if (x.rc == IRK_SKIPPED || y.rc == IRK_SKIPPED) {
			expect_skip_both(&x, &y, fmt, name, n);
			skipped++;
			testlib_free(&x);
			testlib_free(&y);
			continue;
		}
		cr_assert_eq(x.rc, IRK_OK, "%s:%d: %s", name, n, x.err.msg);
		cr_assert_eq(y.rc, IRK_OK, "%s:%d auto: %s", name, n, y.err.msg);
		cr_assert_eq(y.a.format, fmt, "%s:%d detected as %s", name, n,
			     alert_format_name(y.a.format));
		cr_assert_arr_eq(x.a.fingerprint, y.a.fingerprint, ALERT_FP_LEN);
		cr_assert_gt(x.a.event_time, 0);
		cr_assert(x.a.rule_id && *x.a.rule_id, "%s:%d: no rule", name, n);
		for (const struct want *w = wants; w->line; w++)
			if (w->line == n) {
				check_want(&x.a, w);
				check_want(&y.a, w);
				checked++;
			}
		testlib_free(&x);
		testlib_free(&y);
	}
	free(line);
	fclose(f);
	cr_assert_gt(n, 0, "%s is empty", path);
	cr_log_info("%s: %d records parsed, %d checked field by field, %d skipped (not alerts)",
		    name, n, checked, skipped);
}

Test(alert_samples, suricata_eve)
{
	check_file("suricata_eve_alert.jsonl", FMT_EVE, eve);
}

Test(alert_samples, wazuh)
{
	check_file("wazuh_alerts.jsonl", FMT_WAZUH, wazuh);
}

Test(alert_samples, ecs)
{
	check_file("ecs_event.jsonl", FMT_ECS, ecs);
}

Test(alert_samples, zeek_notice)
{
	check_file("zeek_notice.jsonl", FMT_ZEEK, zeek);
}

/* The files the tests above do not name: each record an alert or a
 * skipped record of the format auto-detection gives, none rejected. */
Test(alert_samples, every_other_file_is_alerts_or_skipped)
{
	static const char *const named[] = { "suricata_eve_alert.jsonl", "wazuh_alerts.jsonl",
		"ecs_event.jsonl", "zeek_notice.jsonl" };
	char dir[512], path[1024];
	struct dirent *de;
	int files = 0;
	DIR *d;

	if (!samples_dir(dir, sizeof dir) || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		int known = 0;
		char *line = NULL;
		size_t cap = 0;
		int n = 0, alerts = 0, skipped = 0;
		FILE *f;

		for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
			known |= !strcmp(de->d_name, named[i]);
		if (known || len < 7 || strcmp(de->d_name + len - 6, ".jsonl"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		cr_assert(f = fopen(path, "r"), "cannot open %s", path);
		while (getline(&line, &cap, f) > 0) {
			struct rec y, x;

			n++;
			line[strcspn(line, "\r\n")] = '\0';
			if (!*line)
				continue;
			testlib_parse_text(&y, FMT_AUTO, line, NULL);
			cr_assert(y.rc == IRK_OK || y.rc == IRK_SKIPPED, "%s:%d: rejected: %s",
				  de->d_name, n, y.err.msg);
			testlib_parse_text(&x, y.a.format, line, NULL);
			cr_assert_eq(x.rc, y.rc, "%s:%d: %s", de->d_name, n, x.err.msg);
			alerts += y.rc == IRK_OK;
			skipped += y.rc == IRK_SKIPPED;
			testlib_free(&x);
			testlib_free(&y);
		}
		free(line);
		fclose(f);
		files++;
		cr_log_info("%s: %d alerts, %d skipped (not alerts)", de->d_name, alerts, skipped);
	}
	closedir(d);
	cr_log_info("%d other sample files", files);
}
