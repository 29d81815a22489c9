/* cmd_kpi.c: irk kpi and irk maturity: the KPIs of a period as a table,
 * JSON or CSV, and the maturity level with its evidence. The figures and
 * their definitions are in src/kpi/ and irk-kpi(7); this file words them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/jsonw.h"
#include "irk/kpi.h"
#include "irk/maturity.h"
#include "irk/sanitize.h"
#include "irk/sla.h"
#include "irk/store.h"

/* ---- words for figures -------------------------------------------------- */

static const char *dur(int64_t secs, int have, char *buf, size_t n)
{
	if (!have)
		return "-";
	return irk_duration_fmt(secs, buf, n);
}

static void stat_line(const char *name, const struct kpi_stat *st)
{
	char a[24], b[24], c[24];

	printf("  %-18s %9s %9s %9s %7lld %7lld\n", name, dur(st->median, st->count > 0, a, sizeof a),
	       dur(st->p90, st->count > 0, b, sizeof b), dur(st->mean, st->count > 0, c, sizeof c),
	       (long long)st->count, (long long)st->missing);
}

static void period_line(const struct kpi_report *r)
{
	char a[32], b[32], n[32];

	printf("Incidents detected %s%s%s%s (UTC; now %s)\n",
	       r->q.since ? "from " : "", r->q.since ? irk_time_short(r->q.since, a, sizeof a) : "",
	       r->q.until ? (r->q.since ? " until " : "until ") : (r->q.since ? "" : "at any time"),
	       r->q.until ? irk_time_short(r->q.until, b, sizeof b) : "",
	       irk_time_short(r->q.now, n, sizeof n));
}

static void text_group(const struct kpi_report *r, const struct kpi_group *g)
{
	const struct kpi_quality *q = &g->quality;
	const struct kpi_work *k = &g->work;
	char a[24], b[24], c[24], d[24];
	int64_t met = kpi_sla_met(&g->sla), late = kpi_sla_breached(&g->sla), now = 0;

	printf("%lld incidents: %lld open, %lld closed\n\n", (long long)g->incidents,
	       (long long)g->open, (long long)g->closed);
	printf("  %-18s %9s %9s %9s %7s %7s\n", "", "median", "p90", "mean", "count", "missing");
	stat_line("MTTD (detect)", &g->mttd);
	stat_line("MTTA (acknowledge)", &g->mtta);
	stat_line("MTTC (contain)", &g->mttc);
	stat_line("MTTR (resolve)", &g->mttr);
	stat_line("time to close", &g->ttc);
	for (int st = 0; st < STAGE_CLOSED; st++) {
		char name[32];
		snprintf(name, sizeof name, "in %s", stage_name(st));
		stat_line(name, &g->stage[st]);
	}
	for (int i = 0; i < KPI_CLOCKS; i++)
		now += g->sla.current[i];
	printf("\nSLA: %lld met, %lld breached (%s met), %lld open incidents' clocks late now\n",
	       (long long)met, (long long)late, kpi_fmt_rate(kpi_rate(met, met + late), a, sizeof a),
	       (long long)now);
	for (int i = 0; i < KPI_CLOCKS; i++)
		printf("  %-12s %6lld met %6lld breached %6lld running  %7s met\n",
		       kpi_clock_name(i), (long long)g->sla.met[i], (long long)g->sla.breached[i],
		       (long long)g->sla.running[i],
		       kpi_fmt_rate(kpi_rate(g->sla.met[i], g->sla.met[i] + g->sla.breached[i]), a, sizeof a));
	printf("\nQuality: %lld closed: %lld true positive, %lld false positive (%s), "
	       "%lld benign,\n  %lld duplicate; %lld reopened (%s), %lld moved back (%s), "
	       "%lld of %lld moves forced\n",
	       (long long)q->closed, (long long)q->true_positive, (long long)q->false_positive,
	       kpi_fmt_rate(kpi_rate(q->false_positive, q->closed), a, sizeof a), (long long)q->benign,
	       (long long)q->duplicate, (long long)q->reopened,
	       kpi_fmt_rate(kpi_rate(q->reopened, g->incidents), b, sizeof b), (long long)q->back_moved,
	       kpi_fmt_rate(kpi_rate(q->back_moved, g->incidents), c, sizeof c),
	       (long long)q->forced_moves, (long long)q->forward_moves);
	if (g == &r->all && r->nrule && r->by_rule[0].false_positive) {
		printf("  rules with the most false positives:\n");
		for (size_t i = 0; i < r->nrule && i < 5 && r->by_rule[i].false_positive; i++) {
			printf("    %6lld of %6lld (%6s)  ", (long long)r->by_rule[i].false_positive,
			       (long long)r->by_rule[i].closed,
			       kpi_fmt_rate(kpi_rate(r->by_rule[i].false_positive, r->by_rule[i].closed), a,
				   sizeof a));
			cli_put_col(stdout, r->by_rule[i].key, 44);
			putchar('\n');
		}
	}
	printf("\nWork: effort %s in all (median %s an incident, %lld without), "
	       "%lld analysts\n", irk_duration_fmt(k->effort_min * 60, a, sizeof a),
	       dur(k->effort.median * 60, k->effort.count > 0, b, sizeof b),
	       (long long)k->effort.missing, (long long)k->analysts);
	printf("  %lld steps done, %lld automated (%s); a play on %lld incidents (%s)\n",
	       (long long)k->steps_done, (long long)k->automated_done,
	       kpi_fmt_rate(kpi_rate(k->automated_done, k->steps_done), a, sizeof a),
	       (long long)k->with_play, kpi_fmt_rate(kpi_rate(k->with_play, g->incidents), b, sizeof b));
	printf("  %lld steps wait for a person now (median %s); people's steps took "
	       "median %s,\n  approvals %s\n", (long long)k->person_waiting,
	       dur(k->waiting_age.median, k->waiting_age.count > 0, a, sizeof a),
	       dur(k->person_wait.median, k->person_wait.count > 0, b, sizeof b),
	       dur(k->approval_wait.median, k->approval_wait.count > 0, c, sizeof c));
	(void)d;
}

/* One line per group: what a manager compares across units. */
static void text_groups(const struct kpi_report *r)
{
	char a[24], b[24], c[24], d[24], e[24];

	printf("\n%-16s %6s %6s %8s %8s %8s %7s %7s\n", kpi_by_name(r->q.by), "incid.", "open",
	       "MTTA", "MTTC", "MTTR", "SLA", "FP");
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct kpi_group *g = &r->groups[i];
		cli_put_col(stdout, g->key ? g->key : "(none)", 16);
		printf(" %6lld %6lld %8s %8s %8s %7s %7s\n", (long long)g->incidents,
		       (long long)g->open, kpi_fmt_median(&g->mtta, a, sizeof a),
		       kpi_fmt_median(&g->mttc, b, sizeof b),
		       kpi_fmt_median(&g->mttr, c, sizeof c),
		       kpi_fmt_rate(kpi_sla_rate(g), d, sizeof d),
		       kpi_fmt_rate(kpi_fp_rate(g), e, sizeof e));
	}
	printf("(medians; SLA: clocks met; FP: false positives of the closed)\n");
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_text(struct strbuf *out, const char *s)
{
	struct strbuf san = STRBUF_INIT;

	if (!s)
		return;
	sanitize_append(&san, s, strlen(s), 0);
	strbuf_addc(out, '"');
	for (const char *p = strbuf_str(&san); *p; p++) {
		if (*p == '"')
			strbuf_addc(out, '"');
		strbuf_addc(out, *p);
	}
	strbuf_addc(out, '"');
	strbuf_free(&san);
}

static void csv_rate(struct strbuf *out, double v)
{
	if (v >= 0)
		strbuf_printf(out, "%.4f", v);
}

#define CSV_STATS(X) X(mttd) X(mtta) X(mttc) X(mttr) X(ttc)

static void csv_stat(struct strbuf *out, const struct kpi_stat *st)
{
	if (st->count)
		strbuf_printf(out, ",%lld,%lld,%lld", (long long)st->median, (long long)st->p90,
			      (long long)st->mean);
	else
		strbuf_puts(out, ",,,");
	strbuf_printf(out, ",%lld,%lld", (long long)st->count, (long long)st->missing);
}

static void csv_header(struct strbuf *out)
{
	static const char *const parts[] = { "median", "p90", "mean", "count", "missing" };
	static const char *const names[] = { "mttd", "mtta", "mttc", "mttr", "time_to_close" };

	strbuf_puts(out, "key,incidents,open,closed");
	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < 5; j++)
			strbuf_printf(out, ",%s_%s", names[i], parts[j]);
	strbuf_puts(out, ",sla_met,sla_breached,sla_rate,sla_current,closed_true_positive,"
		    "closed_false_positive,fp_rate,reopened,back_moved,effort_min,analysts,"
		    "automation_rate,play_coverage,person_waiting\n");
}

static void csv_row(struct strbuf *out, const struct kpi_group *g)
{
	const struct kpi_stat *st[] = { &g->mttd, &g->mtta, &g->mttc, &g->mttr, &g->ttc };
	int64_t met = kpi_sla_met(&g->sla), late = kpi_sla_breached(&g->sla), now = 0;

	csv_text(out, g->key);
	strbuf_printf(out, ",%lld,%lld,%lld", (long long)g->incidents, (long long)g->open,
		      (long long)g->closed);
	for (size_t i = 0; i < 5; i++)
		csv_stat(out, st[i]);
	for (int i = 0; i < KPI_CLOCKS; i++)
		now += g->sla.current[i];
	strbuf_printf(out, ",%lld,%lld,", (long long)met, (long long)late);
	csv_rate(out, kpi_rate(met, met + late));
	strbuf_printf(out, ",%lld,%lld,%lld,", (long long)now, (long long)g->quality.true_positive,
		      (long long)g->quality.false_positive);
	csv_rate(out, kpi_fp_rate(g));
	strbuf_printf(out, ",%lld,%lld,%lld,%lld,", (long long)g->quality.reopened,
		      (long long)g->quality.back_moved, (long long)g->work.effort_min,
		      (long long)g->work.analysts);
	csv_rate(out, kpi_rate(g->work.automated_done, g->work.steps_done));
	strbuf_addc(out, ',');
	csv_rate(out, kpi_rate(g->work.with_play, g->incidents));
	strbuf_printf(out, ",%lld\n", (long long)g->work.person_waiting);
}

/* ---- irk kpi -------------------------------------------------------------- */

/* --since/--until into *out, or a usage error naming the option. */
static int bound(const struct cli_command *cmd, const char *opt, const char *arg, int64_t now,
		 int until, int64_t *out)
{
	if (kpi_time_parse(arg, now, until, out))
		return cli_usage_error(cmd, "%s '%s' is not a date (2026-11-01), a time "
				       "(2026-11-01T10:00) or a span before now (-30d)", opt, arg);
	return 0;
}

int cmd_kpi(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_CSV, O_SINCE, O_UNTIL, O_BY };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "by", required_argument, NULL, O_BY },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("kpi");
	struct kpi_query q = { .now = irk_now() };
	struct kpi_report r;
	struct sla_policy pol;
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	int opt, json = 0, csv = 0, rc;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_JSON)
			json = 1;
		else if (opt == O_CSV)
			csv = 1;
		else if (opt == O_SINCE && (rc = bound(cmd, "--since", optarg, q.now, 0, &q.since)))
			return rc;
		else if (opt == O_UNTIL && (rc = bound(cmd, "--until", optarg, q.now, 1, &q.until)))
			return rc;
		else if (opt == O_BY && (q.by = kpi_by_parse(optarg)) < 0)
			return cli_usage_error(cmd, "--by '%s': use unit, category, priority, severity, "
					       "play, rule, analyst, vector, source, cause, month or "
					       "week", optarg);
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (json && csv)
		return cli_usage_error(cmd, "--json and --csv: choose one");
	if (q.since && q.until && q.until <= q.since)
		return cli_usage_error(cmd, "--until must come after --since");
	if (!cli_store(c, 0))
		return EXIT_ERR;
	sla_policy_load(&pol, c->app.cfg);
	q.catalog = json;
	if (kpi_compute(c->app.store, &pol, &q, &r, &err))
		return cli_report(&err);
	if (json) {
		struct jsonw w;
		jsonw_init(&w, &out, 0);
		kpi_json(&r, &w);
		puts(strbuf_str(&out));
	} else if (csv) {
		csv_header(&out);
		if (q.by)
			for (size_t i = 0; i < r.ngroups; i++)
				csv_row(&out, &r.groups[i]);
		else
			csv_row(&out, &r.all);
		fputs(strbuf_str(&out), stdout);
	} else {
		period_line(&r);
		text_group(&r, &r.all);
		if (q.by)
			text_groups(&r);
	}
	strbuf_free(&out);
	kpi_report_free(&r);
	return EXIT_OK;
}

/* ---- irk maturity ---------------------------------------------------------- */

static void text_value(const struct maturity_criterion *m, char *buf, size_t n)
{
	if (!m->has_value)
		snprintf(buf, n, "-");
	else if (m->percent)
		snprintf(buf, n, "%.1f%%", m->value);
	else
		snprintf(buf, n, "%g", m->value);
}

int cmd_maturity(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("maturity");
	struct maturity m;
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	int opt, json = 0;
	char a[32], b[32];

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1)
		if (opt == O_JSON)
			json = 1;
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!cli_store(c, 0))
		return EXIT_ERR;
	if (maturity_assess(c->app.store, c->app.cfg, irk_now(), &m, &err))
		return cli_report(&err);
	if (json) {
		struct jsonw w;
		jsonw_init(&w, &out, 0);
		maturity_json(&m, &w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
		return EXIT_OK;
	}
	printf("Maturity level %d (%s)\nfrom the incidents detected %s to %s UTC\n\n", m.level,
	       maturity_level_name(m.level), irk_time_short(m.since, a, sizeof a),
	       irk_time_short(m.until, b, sizeof b));
	for (size_t i = 0; i < m.n; i++) {
		const struct maturity_criterion *k = &m.c[i];
		char v[32], t[32];
		text_value(k, v, sizeof v);
		snprintf(t, sizeof t, "%s %g%s", k->op, k->threshold, k->percent ? "%" : "");
		printf("L%d %-3s %-15s %7s %-7s %s\n", k->level, k->met ? "met" : "NOT", k->id, v, t,
		       k->text);
		if (!k->has_value)
			printf("%8s%s\n", "", k->reason);
		else if (!k->met && k->ids.n) {
			printf("%8s%lld short, e.g.", "", (long long)k->ids.n);
			for (int64_t j = 0; j < k->ids.n && j < 5; j++)
				printf(" IR-%lld", (long long)k->ids.id[j]);
			putchar('\n');
		}
	}
	if (m.level < 5) {
		printf("\nTo reach level %d:\n", m.level + 1);
		for (size_t i = 0; i < m.n; i++)
			if (m.c[i].level == m.level + 1 && !m.c[i].met)
				printf("  - %s\n", m.c[i].todo);
	}
	return EXIT_OK;
}
