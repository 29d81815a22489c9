/* cmd_report.c: irk report, a month's management report in Markdown or in
 * one self-contained HTML file (inline CSS and SVG charts, no scripts, no
 * links out): the KPIs against the month before, the weeks of the month,
 * SLA, business units, the rules to tune, work, and the maturity level
 * with what to do next. The figures are those of irk kpi (src/kpi/). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/kpi.h"
#include "irk/maturity.h"
#include "irk/sanitize.h"
#include "irk/sla.h"
#include "irk/store.h"

/* ---- one document, two syntaxes ----------------------------------------------- */

struct doc {
	struct strbuf sb;
	int html;
	int cols;                  /* of the open table */
};

/* Text from outside (units, rules, plays) made safe for either syntax:
 * sanitized for a terminal, then escaped (HTML entities; Markdown's table
 * and emphasis characters). */
static void doc_text(struct doc *d, const char *s)
{
	struct strbuf san = STRBUF_INIT;

	sanitize_append(&san, s ? s : "", s ? strlen(s) : 0, 0);
	for (const char *p = strbuf_str(&san); *p; p++) {
		if (d->html && strchr("&<>\"'", *p))
			strbuf_printf(&d->sb, "&#%d;", *p);
		else if (!d->html && strchr("|*_`[]<\\", *p))
			strbuf_printf(&d->sb, "\\%c", *p);
		else
			strbuf_addc(&d->sb, *p);
	}
	strbuf_free(&san);
}

static void doc_heading(struct doc *d, int level, const char *text)
{
	if (d->html) {
		strbuf_printf(&d->sb, "<h%d>", level);
		doc_text(d, text);
		strbuf_printf(&d->sb, "</h%d>\n", level);
	} else {
		strbuf_printf(&d->sb, "%.*s ", level, "####");
		doc_text(d, text);
		strbuf_puts(&d->sb, "\n\n");
	}
}

/* A paragraph of irk's own words (no outside text: fmt is trusted). */
static void doc_para(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void doc_para(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	strbuf_puts(&d->sb, d->html ? "<p>" : "");
	va_start(ap, fmt);
	strbuf_vprintf(&d->sb, fmt, ap);
	va_end(ap);
	strbuf_puts(&d->sb, d->html ? "</p>\n" : "\n\n");
}

static void doc_table(struct doc *d, const char *const *heads, int n)
{
	d->cols = n;
	strbuf_puts(&d->sb, d->html ? "<table><tr>" : "|");
	for (int i = 0; i < n; i++) {
		strbuf_puts(&d->sb, d->html ? "<th>" : " ");
		doc_text(d, heads[i]);
		strbuf_puts(&d->sb, d->html ? "</th>" : " |");
	}
	strbuf_puts(&d->sb, d->html ? "</tr>\n" : "\n|");
	if (!d->html) {
		for (int i = 0; i < n; i++)
			strbuf_puts(&d->sb, i ? " ---: |" : " --- |");
		strbuf_addc(&d->sb, '\n');
	}
}

/* One row: cells[0] is outside text (a key), the rest irk's figures. */
static void doc_row(struct doc *d, const char *const *cells)
{
	strbuf_puts(&d->sb, d->html ? "<tr>" : "|");
	for (int i = 0; i < d->cols; i++) {
		strbuf_puts(&d->sb, d->html ? (i ? "<td class=n>" : "<td>") : " ");
		doc_text(d, cells[i]);
		strbuf_puts(&d->sb, d->html ? "</td>" : " |");
	}
	strbuf_puts(&d->sb, d->html ? "</tr>\n" : "\n");
}

static void doc_table_end(struct doc *d)
{
	strbuf_puts(&d->sb, d->html ? "</table>\n" : "\n");
}

/* A bar chart (HTML only: Markdown has the table beside it): n bars of
 * values v (-1: none) labelled, scaled to the largest. */
static void doc_chart(struct doc *d, const char *title, const char *const *labels,
		      const double *v, const char *const *shown, int n)
{
	double most = 0;
	int bw = 48, gap = 12, h = 120, w;

	if (!d->html || n <= 0)
		return;
	for (int i = 0; i < n; i++)
		if (v[i] > most)
			most = v[i];
	w = n * (bw + gap) + gap;
	strbuf_printf(&d->sb, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		      "height=\"%d\" role=\"img\"><title>", w, h + 40);
	doc_text(d, title);
	strbuf_puts(&d->sb, "</title>");
	strbuf_printf(&d->sb, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", h + 0,
		      w, h);
	for (int i = 0; i < n; i++) {
		int x = gap + i * (bw + gap);
		int bh = v[i] > 0 && most > 0 ? (int)(v[i] * (h - 16) / most + 0.5) : 0;
		if (v[i] >= 0)
			strbuf_printf(&d->sb, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", x,
				      h - bh, bw, bh);
		strbuf_printf(&d->sb, "<text x=\"%d\" y=\"%d\" class=\"v\">", x + bw / 2, h - bh - 4);
		doc_text(d, shown[i]);
		strbuf_printf(&d->sb, "</text><text x=\"%d\" y=\"%d\">", x + bw / 2, h + 16);
		doc_text(d, labels[i]);
		strbuf_puts(&d->sb, "</text>");
	}
	strbuf_puts(&d->sb, "</svg><figcaption>");
	doc_text(d, title);
	strbuf_puts(&d->sb, "</figcaption></figure>\n");
}

/* ---- figures in words ------------------------------------------------------------ */

/* "down 12%" / "up 3%" / "same" / "" between the month and the one before
 * (lower is better for times). */
static const char *change(double now, double before, char *buf, size_t n)
{
	if (now < 0 || before <= 0) {
		snprintf(buf, n, "-");
		return buf;
	}
	double d = (now - before) * 100.0 / before;
	if (d > -0.5 && d < 0.5)
		snprintf(buf, n, "same");
	else
		snprintf(buf, n, "%s %.0f%%", d < 0 ? "down" : "up", d < 0 ? -d : d);
	return buf;
}

/* A rate's change in percentage points: "-2.9 pts". */
static const char *points(double now, double before, char *buf, size_t n)
{
	if (now < 0 || before < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%+.1f pts", (now - before) * 100);
	return buf;
}

static void summary(struct doc *d, const struct kpi_group *g, const struct kpi_group *p)
{
	static const char *const heads[] = { "figure", "this month", "the month before", "change" };
	const struct { const char *name; const struct kpi_stat *a, *b; } times[] = {
		{ "MTTD (median)", &g->mttd, &p->mttd }, { "MTTA (median)", &g->mtta, &p->mtta },
		{ "MTTC (median)", &g->mttc, &p->mttc }, { "MTTR (median)", &g->mttr, &p->mttr },
		{ "time to close (median)", &g->ttc, &p->ttc },
	};
	char a[32], b[32], c[32];

	doc_table(d, heads, 4);
	snprintf(a, sizeof a, "%lld", (long long)g->incidents);
	snprintf(b, sizeof b, "%lld", (long long)p->incidents);
	doc_row(d, (const char *const[]){ "incidents", a, b,
		change((double)g->incidents, (double)p->incidents, c, sizeof c) });
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		char x[32], y[32];
		doc_row(d, (const char *const[]){ times[i].name, kpi_fmt_median(times[i].a, x, sizeof x),
			kpi_fmt_median(times[i].b, y, sizeof y),
			change(times[i].a->count ? (double)times[i].a->median : -1,
			       times[i].b->count ? (double)times[i].b->median : -1, c, sizeof c) });
	}
	doc_row(d, (const char *const[]){ "SLA clocks met", kpi_fmt_rate(kpi_sla_rate(g), a, sizeof a),
		kpi_fmt_rate(kpi_sla_rate(p), b, sizeof b), points(kpi_sla_rate(g), kpi_sla_rate(p), c, sizeof c) });
	doc_row(d, (const char *const[]){ "false positives (of the closed)", kpi_fmt_rate(kpi_fp_rate(g), a, sizeof a),
		kpi_fmt_rate(kpi_fp_rate(p), b, sizeof b), points(kpi_fp_rate(g), kpi_fp_rate(p), c, sizeof c) });
	doc_table_end(d);
}

static void weeks(struct doc *d, const struct kpi_report *w)
{
	static const char *const heads[] = { "week", "incidents", "MTTA", "MTTR", "SLA met",
					     "false positives" };
	const char *labels[64], *shown[64];
	char shown_buf[64][32];
	double inc[64], mttr[64];
	int n = 0;

	doc_table(d, heads, 6);
	for (size_t i = 0; i < w->ngroups && n < 64; i++, n++) {
		const struct kpi_group *g = &w->groups[i];
		char a[32], b[32], c[32], e[32], f[32];
		snprintf(a, sizeof a, "%lld", (long long)g->incidents);
		doc_row(d, (const char *const[]){ g->key ? g->key : "-", a, kpi_fmt_median(&g->mtta, b, sizeof b),
			kpi_fmt_median(&g->mttr, c, sizeof c), kpi_fmt_rate(kpi_sla_rate(g), e, sizeof e),
			kpi_fmt_rate(kpi_fp_rate(g), f, sizeof f) });
		labels[n] = g->key ? g->key + 5 : "-";       /* "W47" */
		inc[n] = (double)g->incidents;
		mttr[n] = g->mttr.count ? (double)g->mttr.median : -1;
	}
	doc_table_end(d);
	for (int i = 0; i < n; i++) {
		snprintf(shown_buf[i], sizeof shown_buf[i], "%.0f", inc[i]);
		shown[i] = shown_buf[i];
	}
	doc_chart(d, "Incidents detected, by week", labels, inc, shown, n);
	for (int i = 0; i < n; i++) {
		if (mttr[i] >= 0)
			irk_duration_fmt((int64_t)mttr[i], shown_buf[i], sizeof shown_buf[i]);
		else
			snprintf(shown_buf[i], sizeof shown_buf[i], "-");
		shown[i] = shown_buf[i];
	}
	doc_chart(d, "Median MTTR, by week", labels, mttr, shown, n);
}

static void units(struct doc *d, const struct kpi_report *u)
{
	static const char *const heads[] = { "business unit", "incidents", "MTTR", "SLA met",
					     "false positives", "effort" };
	const char *labels[64], *shown[64];
	char shown_buf[64][24];
	double v[64];
	int n = 0;

	doc_table(d, heads, 6);
	for (size_t i = 0; i < u->ngroups; i++) {
		const struct kpi_group *g = &u->groups[i];
		char a[32], b[32], c[32], e[32], f[32];
		snprintf(a, sizeof a, "%lld", (long long)g->incidents);
		irk_duration_fmt(g->work.effort_min * 60, f, sizeof f);
		doc_row(d, (const char *const[]){ g->key ? g->key : "(none)", a,
			kpi_fmt_median(&g->mttr, b, sizeof b), kpi_fmt_rate(kpi_sla_rate(g), c, sizeof c),
			kpi_fmt_rate(kpi_fp_rate(g), e, sizeof e), f });
		if (n < 64) {
			labels[n] = g->key ? g->key : "(none)";
			v[n] = (double)g->incidents;
			snprintf(shown_buf[n], sizeof shown_buf[n], "%lld", (long long)g->incidents);
			shown[n] = shown_buf[n];
			n++;
		}
	}
	doc_table_end(d);
	doc_chart(d, "Incidents by business unit", labels, v, shown, n);
}

static void sla(struct doc *d, const struct kpi_group *g, const struct sla_policy *pol)
{
	static const char *const heads[] = { "clock", "met", "breached", "still running", "met %",
					     "late now" };
	char t[4][32];

	doc_table(d, heads, 6);
	for (int c = 0; c < KPI_CLOCKS; c++) {
		snprintf(t[0], sizeof t[0], "%lld", (long long)g->sla.met[c]);
		snprintf(t[1], sizeof t[1], "%lld", (long long)g->sla.breached[c]);
		snprintf(t[2], sizeof t[2], "%lld", (long long)g->sla.running[c]);
		snprintf(t[3], sizeof t[3], "%lld", (long long)g->sla.current[c]);
		char r[32];
		doc_row(d, (const char *const[]){ kpi_clock_name(c), t[0], t[1], t[2],
			kpi_fmt_rate(kpi_rate(g->sla.met[c], g->sla.met[c] + g->sla.breached[c]), r, sizeof r),
			t[3] });
	}
	doc_table_end(d);
	char a[16], b[16], c[16];
	doc_para(d, "Targets for P1 (irk.conf [sla]): acknowledge %s, contain %s, resolve %s.",
		 irk_duration_fmt(pol->ack[1], a, sizeof a), irk_duration_fmt(pol->contain[1], b, sizeof b),
		 irk_duration_fmt(pol->resolve[1], c, sizeof c));
}

static void rules(struct doc *d, const struct kpi_report *r)
{
	static const char *const heads[] = { "rule", "closed", "false positives", "rate" };
	int shown = 0;

	for (size_t i = 0; i < r->nrule && shown < 10; i++) {
		const struct kpi_fp *f = &r->by_rule[i];
		char a[32], b[32], c[32];
		if (!f->false_positive)
			break;
		if (!shown++)
			doc_table(d, heads, 4);
		snprintf(a, sizeof a, "%lld", (long long)f->closed);
		snprintf(b, sizeof b, "%lld", (long long)f->false_positive);
		doc_row(d, (const char *const[]){ f->key, a, b,
			kpi_fmt_rate(kpi_rate(f->false_positive, f->closed), c, sizeof c) });
	}
	if (shown)
		doc_table_end(d);
	else
		doc_para(d, "No incident of the month was closed as a false positive.");
}

static void work(struct doc *d, const struct kpi_group *g)
{
	const struct kpi_work *k = &g->work;
	char a[32], b[32], c[32], e[32], f[32];

	doc_para(d, "Analyst effort %s in all (median %s an incident; %lld incidents without "
		 "effort recorded), %lld analysts holding %lld incidents. %lld steps done, %s of them by "
		 "the sequencer; a play on %s of the incidents. People's steps took %s (median), "
		 "approvals %s; %lld steps wait for a person now.",
		 irk_duration_fmt(k->effort_min * 60, a, sizeof a),
		 k->effort.count ? irk_duration_fmt(k->effort.median * 60, b, sizeof b) : "-",
		 (long long)k->effort.missing, (long long)k->analysts, (long long)k->owned,
		 (long long)k->steps_done, kpi_fmt_rate(kpi_rate(k->automated_done, k->steps_done), c, sizeof c),
		 kpi_fmt_rate(kpi_rate(k->with_play, g->incidents), e, sizeof e), kpi_fmt_median(&k->person_wait, f, sizeof f),
		 kpi_fmt_median(&k->approval_wait, b, sizeof b), (long long)k->person_waiting);
}

static void maturity_part(struct doc *d, const struct maturity *m)
{
	static const char *const heads[] = { "level", "criterion", "value", "threshold", "met" };

	doc_para(d, "Level %d (%s), from the incidents detected in the 90 days up to the end of "
		 "the month ([maturity] period).", m->level, maturity_level_name(m->level));
	doc_table(d, heads, 5);
	for (size_t i = 0; i < m->n; i++) {
		const struct maturity_criterion *c = &m->c[i];
		char lv[8], v[32], t[32];
		snprintf(lv, sizeof lv, "%d", c->level);
		if (!c->has_value)
			snprintf(v, sizeof v, "-");
		else
			snprintf(v, sizeof v, "%g%s", c->value, c->percent ? "%" : "");
		snprintf(t, sizeof t, "%s %g%s", c->op, c->threshold, c->percent ? "%" : "");
		doc_row(d, (const char *const[]){ lv, c->text, v, t, c->met ? "yes" : "no" });
	}
	doc_table_end(d);
	if (m->level < 5) {
		char title[64];
		snprintf(title, sizeof title, "To reach level %d", m->level + 1);
		doc_heading(d, 3, title);
		strbuf_puts(&d->sb, d->html ? "<ul>\n" : "");
		for (size_t i = 0; i < m->n; i++)
			if (m->c[i].level == m->level + 1 && !m->c[i].met) {
				strbuf_puts(&d->sb, d->html ? "<li>" : "- ");
				doc_text(d, m->c[i].todo);
				if (!m->c[i].has_value) {
					strbuf_puts(&d->sb, " (");
					doc_text(d, m->c[i].reason);
					strbuf_puts(&d->sb, ")");
				}
				strbuf_puts(&d->sb, d->html ? "</li>\n" : "\n");
			}
		strbuf_puts(&d->sb, d->html ? "</ul>\n" : "\n");
	}
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width\">\n<title>";
static const char html_style[] =
	"</title>\n<style>\n"
	"body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}\n"
	"table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ccc;padding:.3em .8em;"
	"text-align:left}td.n{text-align:right}\n"
	"svg rect{fill:#4a78a8}svg text{font-size:11px;text-anchor:middle;fill:#222}"
	"svg .axis{stroke:#888}figure{margin:1em 0}figcaption{font-size:.9em;color:#555}\n"
	"</style></head><body>\n";

/* ---- irk report ---------------------------------------------------------------------- */

/* "2026-11" into the local midnights that start it and the next month. */
static int month_parse(const char *s, int64_t *start, int64_t *end)
{
	struct tm tm = { 0 };
	int y, m, n = 0;

	if (sscanf(s, "%4d-%2d%n", &y, &m, &n) != 2 || s[n] || n != 7 || m < 1 || m > 12)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	*start = (int64_t)mktime(&tm);
	tm = (struct tm){ 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = m;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	*end = (int64_t)mktime(&tm);
	return 0;
}

int cmd_report(struct cli *c, int argc, char **argv)
{
	enum { O_MONTH = OPT_FIRST_OWN, O_FORMAT };
	static const struct option opts[] = {
		{ "month", required_argument, NULL, O_MONTH },
		{ "format", required_argument, NULL, O_FORMAT },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("report");
	struct doc d = { STRBUF_INIT, 0, 0 };
	struct kpi_report cur, prev, wk, un;
	struct maturity m;
	struct sla_policy pol;
	struct irk_err err = { 0 };
	int64_t now = irk_now(), start, end, pstart, pend;
	char month[16], title[96], made[32];
	int opt;

	{
		/* the last whole month */
		time_t t = (time_t)now;
		struct tm tm;
		localtime_r(&t, &tm);
		snprintf(month, sizeof month, "%04d-%02d", tm.tm_mon ? tm.tm_year + 1900 : tm.tm_year + 1899,
			 tm.tm_mon ? tm.tm_mon : 12);
	}
	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_MONTH) {
			if (month_parse(optarg, &start, &end))
				return cli_usage_error(cmd, "--month '%s' is not a month (2026-11)", optarg);
			irk_strlcpy(month, optarg, sizeof month);
		} else if (opt == O_FORMAT) {
			if (!strcmp(optarg, "html"))
				d.html = 1;
			else if (strcmp(optarg, "md"))
				return cli_usage_error(cmd, "--format '%s': md or html", optarg);
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	month_parse(month, &start, &end);
	{
		/* the month before: from its first day to this one's */
		struct tm tm;
		time_t t = (time_t)(start - 86400);
		char pm[16];
		localtime_r(&t, &tm);
		strftime(pm, sizeof pm, "%Y-%m", &tm);
		month_parse(pm, &pstart, &pend);
	}
	if (!cli_store(c, 0))
		return EXIT_ERR;
	sla_policy_load(&pol, c->app.cfg);
	struct kpi_query q = { start, end, now, KPI_BY_NONE, 0 };
	struct kpi_query qp = { pstart, pend, now, KPI_BY_NONE, 0 };
	struct kpi_query qw = { start, end, now, KPI_BY_WEEK, 0 };
	struct kpi_query qu = { start, end, now, KPI_BY_UNIT, 0 };
	int rc = kpi_compute(c->app.store, &pol, &q, &cur, &err);
	if (!rc && (rc = kpi_compute(c->app.store, &pol, &qp, &prev, &err)))
		kpi_report_free(&cur);
	if (!rc && (rc = kpi_compute(c->app.store, &pol, &qw, &wk, &err))) {
		kpi_report_free(&cur);
		kpi_report_free(&prev);
	}
	if (!rc && (rc = kpi_compute(c->app.store, &pol, &qu, &un, &err))) {
		kpi_report_free(&cur);
		kpi_report_free(&prev);
		kpi_report_free(&wk);
	}
	if (!rc && (rc = maturity_assess(c->app.store, c->app.cfg, end < now ? end : now, &m, &err))) {
		kpi_report_free(&cur);
		kpi_report_free(&prev);
		kpi_report_free(&wk);
		kpi_report_free(&un);
	}
	if (rc)
		return cli_report(&err);

	snprintf(title, sizeof title, "Incident response report, %s", month);
	if (d.html) {
		strbuf_puts(&d.sb, html_head);
		doc_text(&d, title);
		strbuf_puts(&d.sb, html_style);
		doc_heading(&d, 1, title);
	} else {
		strbuf_puts(&d.sb, "# ");
		doc_text(&d, title);
		strbuf_puts(&d.sb, "\n\n");
	}
	irk_time_short(now, made, sizeof made);
	doc_para(&d, "The incidents detected in %s (local time), each with its whole life up to "
		 "%s UTC, by irk %s. Definitions: irk-kpi(7).", month, made, IRK_VERSION);
	doc_heading(&d, 2, "Summary");
	{
		doc_para(&d, "%lld incidents, %lld of them still open; %lld open incidents are late on "
			 "an SLA now. Maturity level %d (%s).", (long long)cur.all.incidents,
			 (long long)cur.all.open, (long long)cur.all.ev.late.n, m.level,
			 maturity_level_name(m.level));
		}
	summary(&d, &cur.all, &prev.all);
	doc_heading(&d, 2, "Week by week");
	weeks(&d, &wk);
	doc_heading(&d, 2, "Service levels");
	sla(&d, &cur.all, &pol);
	doc_heading(&d, 2, "Business units");
	units(&d, &un);
	doc_heading(&d, 2, "Rules to tune");
	rules(&d, &cur);
	doc_heading(&d, 2, "Work");
	work(&d, &cur.all);
	doc_heading(&d, 2, "Maturity");
	maturity_part(&d, &m);
	if (d.html)
		strbuf_puts(&d.sb, "</body></html>\n");
	fputs(strbuf_str(&d.sb), stdout);
	strbuf_free(&d.sb);
	kpi_report_free(&cur);
	kpi_report_free(&prev);
	kpi_report_free(&wk);
	kpi_report_free(&un);
	return EXIT_OK;
}
