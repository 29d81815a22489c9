/* maturity.c: the criteria of each CMMI level, measured on the KPIs of
 * the period (irk-kpi(7), MATURITY, is the same table in words). */
#include <stdio.h>
#include <string.h>

#include "irk/config.h"
#include "irk/jsonw.h"
#include "irk/maturity.h"
#include "irk/sla.h"

const char *maturity_level_name(int level)
{
	static const char *const names[] = { "?", "Initial", "Managed", "Defined",
					     "Quantitatively managed", "Optimizing" };

	return level >= 1 && level <= 5 ? names[level] : "?";
}

static struct maturity_criterion *add(struct maturity *m, int level, const char *id,
				      const char *text, const char *todo)
{
	struct maturity_criterion *c = &m->c[m->n++];

	memset(c, 0, sizeof *c);
	c->level = level;
	c->id = id;
	c->text = text;
	c->todo = todo;
	c->op = ">=";
	c->percent = 1;
	return c;
}

/* part of whole against a percentage; no value when whole is 0. */
static void share(struct maturity_criterion *c, int64_t part, int64_t whole, int64_t threshold,
		  int at_most, const struct kpi_ids *shortfall, const char *none)
{
	c->threshold = (double)threshold;
	c->over = whole;
	c->op = at_most ? "<=" : ">=";
	if (shortfall)
		c->ids = *shortfall;
	if (whole <= 0) {
		c->reason = none;
		return;
	}
	c->has_value = 1;
	/* one decimal, as shown: a value printed as 90.0% meets 90 */
	c->value = (double)(int64_t)((double)part * 1000.0 / (double)whole + 0.5) / 10.0;
	c->met = at_most ? c->value <= c->threshold : c->value >= c->threshold;
}

int maturity_assess(struct store *s, const struct config *cfg, int64_t now,
		    struct maturity *out, struct irk_err *err)
{
	const struct config_settings *set = config_settings(cfg);
	int64_t period = set->maturity.period > 0 ? set->maturity.period : 90 * 86400;
	struct kpi_query q = { .since = now - period, .until = now + 1, .now = now };
	struct kpi_query prev = { .since = now - 2 * period, .until = now - period, .now = now };
	struct kpi_report r, p;
	struct sla_policy pol;
	struct maturity_criterion *c;
	int rc;

	memset(out, 0, sizeof *out);
	out->since = q.since;
	out->until = now;
	sla_policy_load(&pol, cfg);
	if ((rc = kpi_compute(s, &pol, &q, &r, err)))
		return rc;
	if ((rc = kpi_compute(s, &pol, &prev, &p, err))) {
		kpi_report_free(&r);
		return rc;
	}
	const struct kpi_group *g = &r.all;
	const struct kpi_evidence *e = &g->ev;

	c = add(out, 2, "owners", "incidents tracked with an owner",
		"have every acknowledged incident claimed by someone (irk claim)");
	share(c, e->acknowledged_owned, e->acknowledged, set->maturity.owners, 0, &e->no_owner,
	      "no incident was acknowledged in the period");
	c = add(out, 2, "plays_managed", "repeatable plays on most incidents",
		"write plays (irk-play(5)) that match the alerts behind most incidents");
	share(c, g->work.with_play, g->incidents, set->maturity.plays_managed, 0, &e->no_play,
	      "no incident in the period");

	c = add(out, 3, "contained", "true positives go through containment",
		"move true positives through containment before closing them");
	share(c, e->tp_contained, e->tp_closed, set->maturity.contained, 0, &e->tp_not_contained,
	      "no true positive was closed in the period");
	c = add(out, 3, "gates", "gates kept: few moves forced",
		"make the required steps doable, so gates are passed and not forced");
	share(c, g->quality.forced_moves, g->quality.forward_moves, set->maturity.forced, 1,
	      &e->forced, "no incident moved forward in the period");
	c = add(out, 3, "plays", "plays on nearly every incident",
		"cover the remaining incidents' rules with plays");
	share(c, g->work.with_play, g->incidents, set->maturity.plays, 0, &e->no_play,
	      "no incident in the period");
	c = add(out, 3, "units", "metrics per business unit",
		"record the business unit of incidents (irk set KEY business_unit=...)");
	share(c, e->with_unit, g->incidents, set->maturity.units, 0, &e->no_unit,
	      "no incident in the period");
	c = add(out, 3, "context", "asset and change context used",
		"integrate asset (CMDB) and change context (not in irk yet)");
	c->reason = "irk has no asset or change context yet: it cannot be measured";
	c->threshold = 0;
	c->op = ">=";
	c->over = g->incidents;

	c = add(out, 4, "sla", "SLA targets met",
		"meet the [sla] targets: acknowledge, contain and resolve in time");
	share(c, kpi_sla_met(&g->sla), kpi_sla_met(&g->sla) + kpi_sla_breached(&g->sla),
	      set->maturity.sla, 0, &e->breached, "no SLA clock ended in the period");
	c = add(out, 4, "false_positives", "most alerts actionable (few FPs)",
		"tune the rules with the most false positives (irk kpi: quality.by_rule)");
	share(c, g->quality.false_positive, g->quality.closed, set->maturity.false_positives, 1,
	      &e->false_positive, "no incident was closed in the period");
	c = add(out, 4, "automated", "information gathering automated",
		"add a score step to the plays, run by the sequencer (irk serve)");
	share(c, e->scored, g->incidents, set->maturity.automated, 0, &e->not_scored,
	      "no incident in the period");
	c = add(out, 4, "criticality", "priority weighs asset criticality",
		"record asset criticality (irk set KEY asset_criticality=N or a set step)");
	share(c, e->with_criticality, g->incidents, set->maturity.criticality, 0,
	      &e->no_criticality, "no incident in the period");
	c = add(out, 4, "root_cause", "root cause recorded on true positives",
		"record the root cause of true positives before closing them");
	share(c, e->tp_root_cause, e->tp_closed, set->maturity.root_cause, 0,
	      &e->tp_no_root_cause, "no true positive was closed in the period");

	c = add(out, 5, "lessons", "lessons learned on true positives",
		"take true positives through lessons-learned before closing them");
	share(c, e->tp_lessons, e->tp_closed, set->maturity.lessons, 0, &e->tp_no_lessons,
	      "no true positive was closed in the period");
	c = add(out, 5, "play_changes", "plays revised after incidents",
		"revise the plays of past true positives (a new version of the file)");
	c->percent = 0;
	c->has_value = 1;
	c->value = (double)g->work.plays_revised;
	c->threshold = (double)set->maturity.play_changes;
	c->met = c->value >= c->threshold;
	c = add(out, 5, "trend", "KPIs improving (median MTTR change)",
		"bring the median MTTR below the previous period's");
	c->op = "<=";
	c->threshold = (double)set->maturity.trend;
	c->over = g->mttr.count;
	if (!g->mttr.count || !p.all.mttr.count || !p.all.mttr.median) {
		c->reason = "no resolved incident in this period or the one before";
	} else {
		double d = ((double)g->mttr.median - (double)p.all.mttr.median) * 100.0 /
			   (double)p.all.mttr.median;
		c->has_value = 1;
		c->value = (double)(int64_t)(d * 10.0 + (d < 0 ? -0.5 : 0.5)) / 10.0;
		c->met = c->value <= c->threshold;
	}

	out->level = 1;
	for (int level = 2; level <= 5; level++) {
		int all = 1;
		for (size_t i = 0; i < out->n; i++)
			if (out->c[i].level == level && !out->c[i].met)
				all = 0;
		if (!all)
			break;
		out->level = level;
	}
	kpi_report_free(&r);
	kpi_report_free(&p);
	return IRK_OK;
}

static void json_num(struct jsonw *w, double v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%.10g", v);
	jsonw_raw(w, buf);
}

static void json_criterion(struct jsonw *w, const struct maturity_criterion *c)
{
	jsonw_obj_begin(w);
	jsonw_kv_int(w, "level", c->level);
	jsonw_kv_str(w, "id", c->id);
	jsonw_kv_str(w, "text", c->text);
	jsonw_key(w, "value");
	if (c->has_value)
		json_num(w, c->value);
	else
		jsonw_null(w);
	jsonw_key(w, "threshold");
	json_num(w, c->threshold);
	jsonw_kv_str(w, "op", c->op);
	jsonw_kv_str(w, "unit", c->percent ? "%" : "count");
	jsonw_kv_bool(w, "met", c->met);
	if (!c->has_value)
		jsonw_kv_str(w, "reason", c->reason);
	jsonw_kv_int(w, "over", c->over);
	jsonw_kv_int(w, "short", c->ids.n);
	jsonw_key(w, "incidents");
	jsonw_arr_begin(w);
	for (int64_t i = 0; i < c->ids.n && i < KPI_IDS; i++) {
		char key[24];
		jsonw_str(w, incident_key(c->ids.id[i], key, sizeof key));
	}
	jsonw_arr_end(w);
	jsonw_kv_str(w, "todo", c->todo);
	jsonw_obj_end(w);
}

void maturity_json(const struct maturity *m, struct jsonw *w)
{
	jsonw_obj_begin(w);
	jsonw_kv_int(w, "level", m->level);
	jsonw_kv_str(w, "name", maturity_level_name(m->level));
	jsonw_kv_time(w, "since", m->since);
	jsonw_kv_time(w, "until", m->until);
	jsonw_key(w, "criteria");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < m->n; i++)
		json_criterion(w, &m->c[i]);
	jsonw_arr_end(w);
	jsonw_key(w, "next");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < m->n; i++)
		if (m->c[i].level == m->level + 1 && !m->c[i].met)
			json_criterion(w, &m->c[i]);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}
