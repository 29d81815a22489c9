/* incident.c: the incident screen: header fields, the play's steps, a
 * timeline (stage history, notes, audit events), alerts (Enter shows the
 * raw record), observables with their provenance, and the sensor context
 * (what kept sensor events of its hosts name around its time; Enter shows
 * a line's newest raw record).
 *
 * The screen is a document (layout.h): every line is built here from the
 * database, sanitized and wrapped by doc_add/doc_pair, and rebuilt when
 * the width changes or the database does (the cursor stays on its line). */
#include <stdlib.h>
#include <string.h>

#include "irk/alert.h"
#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/ingest.h"
#include "irk/jdoc.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/context.h"
#include "irk/sensor.h"
#include "irk/store.h"
#include "tui_internal.h"

#define ALERTS_SHOWN 500
#define EVENTS_SHOWN 500
#define RAW_MAX (1 << 20)     /* a raw record shown in the pager, at most */
#define TIME_W 19             /* "  2024-05-13 08:14" and a gap */

struct inc_st {
	int64_t id;
	struct incident inc;
	int have;                 /* inc is loaded */
	struct doc d;
	int width;                /* the doc is wrapped for this width */
	struct { int64_t id; int state; } *steps;   /* the play's steps, in order */
	size_t nsteps;
};

/* ---- the timeline ---------------------------------------------------------- */

struct tl_entry {
	int64_t at;
	int order;                /* ties: history, then notes, then events */
	size_t seq;
	char *text;               /* "alice moved ...", owned */
};

struct timeline {
	struct tl_entry *v;
	size_t n, cap;
};

static void tl_add(struct timeline *tl, int64_t at, int order, char *text)
{
	if (tl->n == tl->cap) {
		tl->cap = tl->cap ? tl->cap * 2 : 32;
		tl->v = xrealloc(tl->v, tl->cap * sizeof *tl->v);
	}
	tl->v[tl->n].at = at;
	tl->v[tl->n].order = order;
	tl->v[tl->n].seq = tl->n;
	tl->v[tl->n].text = text;
	tl->n++;
}

static int tl_cmp(const void *a, const void *b)
{
	const struct tl_entry *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *arrow(void)
{
	return layout_ascii() ? "->" : "\xe2\x86\x92";
}

/* Events already told by the stage history or the notes. */
static int told_elsewhere(const char *kind)
{
	return !strcmp(kind, "incident.open") || !strcmp(kind, "incident.move") ||
	       !strcmp(kind, "incident.close") || !strcmp(kind, "incident.note");
}

/* The value of key in the event's data as text (strings as they are,
 * other values as JSON), appended to out; nothing when absent or null. */
static int data_value(const struct jdoc *d, const char *key, struct strbuf *out)
{
	int v = jdoc_get(d, 0, key);

	if (v < 0 || jdoc_type(d, v) == JD_NULL)
		return 0;
	if (jdoc_type(d, v) == JD_STRING)
		strbuf_puts(out, jdoc_str(d, v));
	else
		jdoc_canonical(d, v, out);
	return 1;
}

/* An audit event in words: a step's change of state and a claim read as
 * sentences, field changes as name=value; anything else as its kind and
 * data. (Sanitized later, with the whole line.) */
static void event_text(const struct event_row *e, struct jdoc *d, struct strbuf *out)
{
	strbuf_printf(out, "%s ", e->actor);
	if (!e->data || jdoc_parse(d, e->data, strlen(e->data), NULL) || jdoc_type(d, 0) != JD_OBJECT) {
		strbuf_printf(out, "%s %s", e->kind, e->data ? e->data : "");
		return;
	}
	if (!strcmp(e->kind, "step.check") && jdoc_get(d, 0, "step") >= 0) {
		strbuf_puts(out, jdoc_type(d, jdoc_get(d, 0, "checked")) == JD_TRUE ? "ticked " : "unticked ");
		data_value(d, "step", out);
		strbuf_puts(out, ": ");
		data_value(d, "text", out);
		return;
	}
	if (!strncmp(e->kind, "step.", 5) && jdoc_get(d, 0, "step") >= 0) {
		strbuf_puts(out, "step ");
		data_value(d, "step", out);
		strbuf_puts(out, ": ");
		if (data_value(d, "from", out))
			strbuf_printf(out, " %s ", arrow());
		if (!data_value(d, "to", out))
			strbuf_puts(out, e->kind + 5);
		strbuf_puts(out, " ");
		if (jdoc_get(d, 0, "why") >= 0 && jdoc_type(d, jdoc_get(d, 0, "why")) != JD_NULL) {
			strbuf_puts(out, "(");
			data_value(d, "why", out);
			strbuf_puts(out, ")");
		}
		return;
	}
	if (!strcmp(e->kind, "incident.claim")) {
		strbuf_puts(out, "claimed it");
		if (jdoc_get(d, 0, "previous") >= 0 && jdoc_type(d, jdoc_get(d, 0, "previous")) == JD_STRING)
			strbuf_printf(out, " from %s", jdoc_str(d, jdoc_get(d, 0, "previous")));
		return;
	}
	if (!strcmp(e->kind, "play.assign") && jdoc_get(d, 0, "play") >= 0) {
		/* "assigned play phishing 1.0 (Phishing e-mail, 10 steps)" */
		strbuf_puts(out, "assigned play ");
		data_value(d, "play", out);
		strbuf_puts(out, " ");
		data_value(d, "version", out);
		strbuf_puts(out, " (");
		data_value(d, "name", out);
		strbuf_puts(out, ", ");
		data_value(d, "steps", out);
		strbuf_puts(out, " steps)");
		return;
	}
	if (!strcmp(e->kind, "incident.set") || !strcmp(e->kind, "incident.context")) {
		/* "filled from nb: asset_criticality=4 priority=2" */
		int ctx = !strcmp(e->kind, "incident.context");
		strbuf_puts(out, ctx ? "filled from " : "set");
		if (ctx)
			data_value(d, "source", out), strbuf_puts(out, ":");
		/* Members: jdoc walks the values; each one's key is the token before. */
		for (int v = jdoc_first(d, 0); v >= 0; v = jdoc_next(d, 0, v)) {
			if (ctx && !strcmp(jdoc_str(d, v - 1), "source"))
				continue;
			strbuf_printf(out, " %s=", jdoc_str(d, v - 1));
			if (jdoc_type(d, v) == JD_STRING)
				strbuf_puts(out, jdoc_str(d, v));
			else
				jdoc_canonical(d, v, out);
		}
		return;
	}
	strbuf_printf(out, "%s %s", e->kind, e->data);
}

struct events {
	struct timeline *tl;
	struct jdoc d;
};

static int add_event(const struct event_row *e, void *arg)
{
	struct events *ev = arg;
	struct strbuf sb = STRBUF_INIT;

	if (told_elsewhere(e->kind))
		return 0;
	event_text(e, &ev->d, &sb);
	while (sb.len && sb.buf[sb.len - 1] == ' ')
		sb.buf[--sb.len] = '\0';
	tl_add(ev->tl, e->at, 2, strbuf_detach(&sb));
	return 0;
}

static void timeline(struct tui *t, struct inc_st *is, int width)
{
	struct timeline tl = { NULL, 0, 0 };
	struct stage_move *moves = NULL;
	struct note *notes = NULL;
	size_t nm = 0, nn = 0;
	struct irk_err err = { 0 };
	char when[32];

	if (!store_history_list(t->s, is->id, &moves, &nm, &err))
		for (size_t i = 0; i < nm; i++) {
			struct strbuf sb = STRBUF_INIT;
			const struct stage_move *m = &moves[i];
			if (m->from < 0)
				strbuf_printf(&sb, "%s opened it in %s", m->actor, stage_title(m->to));
			else
				strbuf_printf(&sb, "%s moved it %s %s %s%s%s%s", m->actor, stage_title(m->from),
					      arrow(), stage_title(m->to), m->forced ? " (gate forced)" : "",
					      m->reason[0] ? ": " : "", m->reason);
			tl_add(&tl, m->at, 0, strbuf_detach(&sb));
		}
	free(moves);
	if (!store_note_list(t->s, is->id, &notes, &nn, &err))
		for (size_t i = 0; i < nn; i++) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_printf(&sb, "%s noted: %s", notes[i].actor, notes[i].text);
			tl_add(&tl, notes[i].at, 1, strbuf_detach(&sb));
		}
	note_list_free(notes, nn);
	{
		struct events ev = { &tl, { 0 } };
		jdoc_init(&ev.d);
		audit_each(t->s, is->id, EVENTS_SHOWN, add_event, &ev, &err);
		jdoc_free(&ev.d);
	}
	if (tl.n > 1)
		qsort(tl.v, tl.n, sizeof *tl.v, tl_cmp);
	doc_add(&is->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Timeline", width);
	if (!tl.n)
		doc_add(&is->d, DOC_TEXT, SLOT_CARD_DIM, 2, 0, "nothing yet", width);
	for (size_t i = 0; i < tl.n; i++) {
		doc_pair(&is->d, DOC_TEXT, irk_time_short(tl.v[i].at, when, sizeof when), SLOT_FIELD, TIME_W,
			 tl.v[i].text, SLOT_NORMAL, 0, width);
		free(tl.v[i].text);
	}
	free(tl.v);
}

/* ---- steps, alerts, observables --------------------------------------------- */

struct sect {
	struct doc *d;
	int width;
	int n;
	int64_t total;            /* sensor context: its lines in all */
	struct inc_st *is;        /* the steps: their states are kept here */
};

/* What ends a folded line: Enter on it shows the whole (issue 12). */
static const char *fold_mark(void)
{
	return layout_ascii() ? " ... Enter: all" : " \xe2\x80\xa6 Enter: all";
}

static int step_slot(int state)
{
	switch (state) {
	case STEP_DONE: case STEP_SKIPPED: return SLOT_CARD_DIM;
	case STEP_FAILED: return SLOT_SLA_BREACHED;
	case STEP_WAITING: case STEP_READY: return SLOT_CARD_WAITING;
	}
	return SLOT_NORMAL;
}

/* Who a step is for, who has it or did it, and why it was skipped or
 * denied: "for bob", "asked by alice", "by carol", "attempt 2 of 3",
 * "held by HOST:PID/w0". */
static void step_people(const struct step_row *st, struct strbuf *sb)
{
	const char *sep = layout_ascii() ? " - " : " \xc2\xb7 ";
	int automated = step_kind_automated(step_kind_parse(st->kind));

	if (st->assignee && *st->assignee)
		strbuf_printf(sb, "%sfor %s", sep, st->assignee);
	if (st->requested_by && (st->state == STEP_WAITING || st->state == STEP_READY))
		strbuf_printf(sb, "%sasked by %s", sep, st->requested_by);
	if (st->done_by)
		strbuf_printf(sb, "%sby %s", sep, st->done_by);
	if (automated && (st->attempts > 1 || st->retry || st->state == STEP_RUNNING ||
			  st->state == STEP_FAILED)) {
		strbuf_printf(sb, "%sattempt %d", sep, st->attempts);
		if (st->retry)
			strbuf_printf(sb, " of %d", st->retry + 1);
	}
	if (st->state == STEP_RUNNING && st->lease_owner)
		strbuf_printf(sb, "%sheld by %s", sep, st->lease_owner);
	if (st->reason && *st->reason && (st->state == STEP_SKIPPED || st->state == STEP_FAILED))
		strbuf_printf(sb, "%s%s", sep, st->reason);
}

/* Steps are read only here. The line of each step is a DOC_STEP whose ref
 * is the step's row id: Enter on it opens the step's screen (step.c),
 * where a person does what the step asks. */
static int add_step(const struct step_row *st, void *arg)
{
	struct sect *sc = arg;
	struct strbuf sb = STRBUF_INIT;
	char label[32];

	snprintf(label, sizeof label, "[%s]", step_state_name(st->state));
	strbuf_printf(&sb, "%s %s (%s, %s%s)", st->step_id, st->title ? st->title : "", st->kind,
		      stage_name(st->stage), st->required ? ", required" : "");
	step_people(st, &sb);
	doc_pair(sc->d, DOC_STEP, label, step_slot(st->state), 12, strbuf_str(&sb), SLOT_NORMAL, st->id,
		 sc->width);
	/* The error and the output, one line each: a long one is folded
	 * behind Enter (the step's screen; o there shows all of it), so Down
	 * goes from step to step, not through every wrapped line. */
	if (st->error && *st->error)
		doc_add_folded(sc->d, DOC_STEP, SLOT_SLA_BREACHED, 12, st->id, st->error, fold_mark(),
			       sc->width);
	if (st->output && *st->output && strcmp(st->output, "{}")) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "output: %.4096s", st->output);   /* one line is kept of it */
		doc_add_folded(sc->d, DOC_STEP, SLOT_CARD_DIM, 12, st->id, strbuf_str(&sb), fold_mark(),
			       sc->width);
	}
	strbuf_free(&sb);
	if (sc->is) {
		struct inc_st *is = sc->is;
		is->steps = xrealloc(is->steps, (is->nsteps + 1) * sizeof *is->steps);
		is->steps[is->nsteps].id = st->id;
		is->steps[is->nsteps].state = st->state;
		is->nsteps++;
	}
	sc->n++;
	return 0;
}

static int add_alert(const struct alert *a, void *arg)
{
	struct sect *sc = arg;
	struct strbuf sb = STRBUF_INIT;
	char when[32];

	strbuf_printf(&sb, "%s", a->rule_name ? a->rule_name : a->rule_id ? a->rule_id : "(no rule)");
	if (a->severity >= 0)
		strbuf_printf(&sb, "  %s", severity_name(a->severity));
	if (a->host)
		strbuf_printf(&sb, "  %s", a->host);
	if (a->src_ip || a->dst_ip)
		strbuf_printf(&sb, "  %s %s %s", a->src_ip ? a->src_ip : "?", arrow(), a->dst_ip ? a->dst_ip : "?");
	if (a->user)
		strbuf_printf(&sb, "  user %s", a->user);
	strbuf_printf(&sb, "  [%s]", alert_format_name(a->format));
	doc_pair(sc->d, DOC_ALERT, irk_time_short(a->event_time, when, sizeof when), SLOT_FIELD, TIME_W,
		 strbuf_str(&sb), SLOT_NORMAL, a->id, sc->width);
	strbuf_free(&sb);
	sc->n++;
	return 0;
}

static int add_observable(const struct observable_row *o, void *arg)
{
	struct sect *sc = arg;
	struct strbuf sb = STRBUF_INIT;
	char when[32];

	strbuf_printf(&sb, "%s   from %s", o->value, o->source);
	if (o->ref)
		strbuf_printf(&sb, " %lld", (long long)o->ref);
	strbuf_printf(&sb, ", %s", irk_time_short(o->at, when, sizeof when));
	doc_pair(sc->d, DOC_TEXT, obs_type_name(o->type), SLOT_FIELD, 12, strbuf_str(&sb), SLOT_NORMAL, 0,
		 sc->width);
	strbuf_free(&sb);
	sc->n++;
	return 0;
}

/* What the kept sensor events of its hosts name (irk/sensor.h): the type
 * as the label, the name with its count and when last seen. The line is a
 * DOC_SENSOR whose ref is its newest event: Enter shows that raw record. */
static int add_sensor(const struct sensor_seen *e, void *arg)
{
	struct sect *sc = arg;
	struct strbuf sb = STRBUF_INIT;
	char when[32];

	sensor_seen_text(e, &sb);
	strbuf_printf(&sb, ", last %s", irk_time_short(e->last, when, sizeof when));
	doc_pair(sc->d, DOC_SENSOR, sensor_type_name(e->type), SLOT_FIELD, 12, strbuf_str(&sb),
		 SLOT_NORMAL, e->newest, sc->width);
	strbuf_free(&sb);
	sc->n++;
	sc->total = e->total;
	return 0;
}

/* ---- the document ------------------------------------------------------------- */

static void field_time(struct doc *d, const char *label, int64_t t, int width)
{
	char buf[32];

	doc_field(d, label, t ? irk_time_short(t, buf, sizeof buf) : NULL, width);
}

/* The first time of the screen says its zone, once (every time is UTC). */
static void field_time_zone(struct doc *d, const char *label, int64_t t, int width)
{
	char tm[32], buf[40];

	if (!t) {
		field_time(d, label, t, width);
		return;
	}
	snprintf(buf, sizeof buf, "%s UTC", irk_time_short(t, tm, sizeof tm));
	doc_field(d, label, buf, width);
}

static void fields(struct tui *t, struct inc_st *is, int width)
{
	const struct incident *inc = &is->inc;
	struct doc *d = &is->d;
	struct sla_status st;
	char buf[128], sla[64];

	doc_add(d, DOC_SECTION, SLOT_SECTION, 0, 0, "Incident", width);
	doc_field(d, "stage", stage_title(inc->stage), width);
	snprintf(buf, sizeof buf, "%s, P%d, confidence %d%%", severity_name(inc->severity), inc->priority,
		 inc->confidence);
	doc_field(d, "severity", buf, width);
	doc_field(d, "owner", inc->owner ? inc->owner : "(unassigned)", width);
	sla_status(&t->pol, inc, t->now, &st);
	doc_field(d, "SLA", st.state == SLA_NONE ? sla_outcome(&t->pol, inc, sla, sizeof sla)
		  : sla_text(&st, sla, sizeof sla), width);
	doc_field(d, "business unit", inc->business_unit, width);
	doc_field(d, "category", inc->category, width);
	doc_field(d, "vector", inc->vector, width);
	doc_field(d, "threat source", inc->threat_source, width);
	doc_field(d, "root cause", inc->root_cause, width);
	doc_field(d, "rule", inc->rule, width);
	doc_field(d, "host", inc->host, width);
	doc_field(d, "source IP", inc->src_ip, width);
	if (inc->storm)
		doc_field(d, "storm", "yes: one rule's alerts from many hosts (S splits a host out)",
			  width);
	snprintf(buf, sizeof buf, "%d of 4", inc->asset_criticality);
	doc_field(d, "criticality", inc->asset_criticality ? buf : "unknown", width);
	snprintf(buf, sizeof buf, "%d", inc->alert_count);
	doc_field(d, "alerts", buf, width);
	if (inc->play) {
		snprintf(buf, sizeof buf, "%s%s%s", inc->play, inc->play_version ? " version " : "",
			 inc->play_version ? inc->play_version : "");
		doc_field(d, "play", buf, width);
	}
	if (inc->resolution > RES_NONE)
		doc_field(d, "resolution", resolution_name(inc->resolution), width);
	field_time_zone(d, "first event", inc->t_first_event, width);
	field_time(d, "last event", inc->t_last_event, width);
	field_time(d, "detected", inc->t_detected, width);
	/* The milestones so far (the KPIs are measured between them). */
	field_time(d, "acknowledged", inc->t_acknowledged, width);
	if (inc->t_contained)
		field_time(d, "contained", inc->t_contained, width);
	if (inc->t_resolved)
		field_time(d, "resolved", inc->t_resolved, width);
	if (inc->t_closed)
		field_time(d, "closed", inc->t_closed, width);
	if (inc->reopen_count || inc->back_moves) {
		snprintf(buf, sizeof buf, "reopened %d, moved back %d", inc->reopen_count, inc->back_moves);
		doc_field(d, "history", buf, width);
	}
	if (inc->effort_min) {
		snprintf(buf, sizeof buf, "%d min", inc->effort_min);
		doc_field(d, "effort", buf, width);
	}
	snprintf(buf, sizeof buf, "%lld, by %s", (long long)inc->version,
		 inc->updated_by ? inc->updated_by : "?");
	doc_field(d, "version", buf, width);
	if (inc->summary && *inc->summary) {
		doc_add(d, DOC_SECTION, SLOT_SECTION, 0, 0, "Summary", width);
		doc_add(d, DOC_TEXT, SLOT_NORMAL, 2, 0, inc->summary, width);
	}
}

static void section_title(struct doc *d, size_t at, const char *name, int n)
{
	char buf[64];

	/* The title goes in before its lines; its count is known after. */
	snprintf(buf, sizeof buf, "%s (%d)", name, n);
	free(d->lines[at].text);
	d->lines[at].text = xstrdup(buf);
}

/* What the inventory and the sources know of its host (irk/context.h),
 * from the store only: shown at once; the worker fills it in. Each value
 * with its source and age; a failing source says since when, and that
 * the values shown are older. */
/* A change's line: "#2 Patch web-01 kernel, 2026-12-07 20:00 to 02:00
 * (rt, open)". */
static void change_text(const struct context_ticket *c, struct strbuf *sb)
{
	char a[32], b[32];

	strbuf_printf(sb, "%s %s", c->key, c->title ? c->title : "");
	if (c->start)
		strbuf_printf(sb, ", %s", irk_time_short(c->start, a, sizeof a));
	if (c->end)
		strbuf_printf(sb, " to %s", irk_time_short(c->end, b, sizeof b));
	strbuf_printf(sb, " (%s%s%s)", c->source, c->status ? ", " : "", c->status ? c->status : "");
}

/* "Was this a planned change?", in the Incident section where it is
 * seen first: the change whose window holds the first event, or that
 * none does. Nothing when no ticket source said anything. */
static void change_field(struct inc_st *is, const struct context *ctx, int width)
{
	struct strbuf sb = STRBUF_INIT;

	if (ctx->planned) {
		strbuf_puts(&sb, "PLANNED: ");
		change_text(&ctx->changes[0], &sb);
		doc_pair(&is->d, DOC_FIELD, "change", SLOT_FIELD, 18, strbuf_str(&sb),
			 SLOT_SLA_BREACHED, 0, width);
	} else if (ctx->nchanges) {
		strbuf_printf(&sb, "none covers its first event; %d near it (Context)", ctx->nchanges);
		doc_field(&is->d, "change", strbuf_str(&sb), width);
	}
	strbuf_free(&sb);
}

/* What the inventory and the sources know of its host (irk/context.h),
 * from the store only: shown at once; the worker fills it in. Each value
 * with its source and age; a failing source says since when, and that
 * the values shown are older. Then the tickets and changes. */
static void context_section(struct tui *t, struct inc_st *is, const struct context *c,
			    int nsrcs, int width)
{
	const struct context ctx = *c;
	struct strbuf sb = STRBUF_INIT;
	size_t at = is->d.n;
	char age[32];

	doc_add(&is->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Context", width);
	if (ctx.has_asset) {
		static const char *const shown[][2] = { { "owner", "owner" },
			{ "business_unit", "business unit" }, { "criticality", "criticality" },
			{ "role", "role" }, { "site", "site" }, { "os", "os" }, { "contact", "contact" },
			{ "ips", "addresses" }, { "tags", "tags" } };
		irk_duration_fmt(t->now - ctx.asset.fetched, age, sizeof age);
		strbuf_printf(&sb, "%s   from %s, %s ago%s", ctx.asset.host, ctx.asset.source, age,
			      ctx.stale ? " (stale)" : "");
		doc_field(&is->d, "asset", strbuf_str(&sb), width);
		for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
			const struct asset_field *f = asset_fields;
			while (strcmp(f->name, shown[i][0]))
				f++;
			strbuf_reset(&sb);
			if (f->is_int && ctx.asset.criticality)
				strbuf_printf(&sb, "%d of 4%s", ctx.asset.criticality,
					      ctx.asset.criticality == 4 ? " (critical)" : "");
			else if (!f->is_int && *(char **)((char *)&ctx.asset + f->off))
				strbuf_puts(&sb, *(char **)((char *)&ctx.asset + f->off));
			if (sb.len)
				doc_field(&is->d, shown[i][1], strbuf_str(&sb), width);
		}
	} else {
		doc_add(&is->d, DOC_TEXT, SLOT_CARD_DIM, 2, 0, nsrcs ?
			"nothing known of its host yet" :
			"no asset known for its host (irk asset import; [context.NAME] in irk.conf)", width);
	}
	if (ctx.has_user) {
		strbuf_reset(&sb);
		irk_duration_fmt(t->now - ctx.user.fetched, age, sizeof age);
		strbuf_printf(&sb, "%s   from %s, %s ago", ctx.user.name, ctx.user.source, age);
		doc_field(&is->d, "user", strbuf_str(&sb), width);
		for (int i = 1; context_user_fields[i]; i++)
			if (context_user_get(&ctx.user, i))
				doc_field(&is->d, context_user_fields[i], context_user_get(&ctx.user, i),
					  width);
	}
	for (int i = 0; i < ctx.nchanges; i++) {
		strbuf_reset(&sb);
		change_text(&ctx.changes[i], &sb);
		irk_duration_fmt(t->now - ctx.changes[i].fetched, age, sizeof age);
		strbuf_printf(&sb, ", %s ago", age);
		doc_field(&is->d, i ? "" : "changes", strbuf_str(&sb), width);
	}
	for (int i = 0; i < ctx.ntickets; i++) {
		strbuf_reset(&sb);
		irk_duration_fmt(t->now - ctx.tickets[i].fetched, age, sizeof age);
		strbuf_printf(&sb, "%s %s (%s%s%s, %s ago)", ctx.tickets[i].key,
			      ctx.tickets[i].title ? ctx.tickets[i].title : "", ctx.tickets[i].source,
			      ctx.tickets[i].status ? ", " : "",
			      ctx.tickets[i].status ? ctx.tickets[i].status : "", age);
		doc_field(&is->d, i ? "" : "tickets", strbuf_str(&sb), width);
	}
	for (int i = 0; i < ctx.nerrors; i++) {
		strbuf_reset(&sb);
		context_error_text(&ctx.errors[i], ctx.has_asset && !strcmp(ctx.asset.source,
				   ctx.errors[i].source) ? ctx.asset.fetched : 0, &sb);
		doc_add(&is->d, DOC_TEXT, SLOT_CARD_DIM, 2, 0, strbuf_str(&sb), width);
	}
	section_title(&is->d, at, "Context", ctx.has_asset + ctx.has_user + ctx.nerrors + ctx.ntickets +
		      ctx.nchanges);
	strbuf_free(&sb);
}

/* Read everything into the document for width columns. */
static int build(struct tui *t, struct inc_st *is, int width)
{
	struct irk_err err = { 0 };
	struct sect sc = { &is->d, width, 0, 0, NULL };
	size_t cur = is->d.cur, top = is->d.top, at;
	char key[24], title[600];
	struct context_sources *own = NULL, *srcs = t->ctx_srcs;
	struct context ctx = { 0 };
	int rc, has_ctx = 0;

	if ((rc = store_begin_read(t->s, &err)))
		goto out;
	if (is->have)
		incident_clear(&is->inc);
	is->have = 0;
	if ((rc = store_incident_get(t->s, is->id, &is->inc, &err)))
		goto out;
	is->have = 1;
	doc_clear(&is->d);
	free(is->d.title);
	snprintf(title, sizeof title, " %s %s %s", incident_key(is->id, key, sizeof key),
		 layout_ascii() ? "-" : "\xc2\xb7", is->inc.title ? is->inc.title : "");
	is->d.title = sanitize_dup(title, 0);
	fields(t, is, width);
	/* The context from the store (never a source); without a worker (a
	 * shared jump box) the sources still name the cache irk serve fills. */
	if (!srcs && !context_sources_load(t->app ? t->app->cfg : NULL, &own, &err))
		srcs = own;
	has_ctx = context_of(t->s, srcs, &is->inc, &ctx, &err) == IRK_OK;
	if (has_ctx)
		change_field(is, &ctx, width);

	at = is->d.n;
	doc_add(&is->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Play steps", width);
	is->nsteps = 0;
	sc.is = is;
	store_step_each(t->s, is->id, add_step, &sc, &err);
	sc.is = NULL;
	section_title(&is->d, at, "Play steps", sc.n);
	if (!sc.n)
		doc_add(&is->d, DOC_TEXT, SLOT_CARD_DIM, 2, 0,
			is->inc.play ? "no steps laid out yet" : "no play matched this incident", width);

	timeline(t, is, width);

	at = is->d.n;
	sc.n = 0;
	doc_add(&is->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Alerts", width);
	store_alert_each(t->s, is->id, ALERTS_SHOWN, add_alert, &sc, &err);
	section_title(&is->d, at, is->inc.alert_count > sc.n ? "Alerts, newest" : "Alerts", sc.n);

	at = is->d.n;
	sc.n = 0;
	doc_add(&is->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Observables", width);
	store_observable_each(t->s, is->id, add_observable, &sc, &err);
	section_title(&is->d, at, "Observables", sc.n);

	/* After the sections people Tab through to (steps, alerts,
	 * observables), before the sensor context, the longest, last. */
	if (has_ctx)
		context_section(t, is, &ctx, context_sources_count(srcs), width);

	at = is->d.n;
	sc.n = 0;
	doc_add(&is->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Sensor context", width);
	sc.total = 0;
	ingest_sensor_context(t->s, &is->inc, SENSOR_CONTEXT_LINES, add_sensor, &sc, &err);
	/* The title counts every line there is; the section says how many
	 * more there are than it shows. */
	section_title(&is->d, at, "Sensor context", sc.total > sc.n ? (int)sc.total : sc.n);
	if (sc.total > sc.n) {
		char more[96];
		snprintf(more, sizeof more, "%lld more (irk sensor list shows every kept event)",
			 (long long)(sc.total - sc.n));
		doc_add(&is->d, DOC_TEXT, SLOT_CARD_DIM, 2, 0, more, width);
	}
	if (!sc.n)
		doc_add(&is->d, DOC_TEXT, SLOT_CARD_DIM, 2, 0, store_sensor_any(t->s) ?
			"nothing kept of its hosts around its events" :
			"no sensor events kept ([ingest] keep in irk.conf)", width);
	is->width = width;
	/* The same line as before (a reload adds lines below the cursor's
	 * more often than above: good enough, and never out of range). */
	is->d.cur = cur < is->d.n ? cur : is->d.n ? is->d.n - 1 : 0;
	is->d.top = top <= is->d.cur ? top : is->d.cur;
out:
	context_clear(&ctx);
	context_sources_free(&own);
	if (store_in_tx(t->s))
		store_commit(t->s, NULL);
	if (rc)
		tui_report(t, &err);
	return rc;
}

static void *open_incident(struct tui *t, const void *arg)
{
	struct inc_st *is = xcalloc(1, sizeof *is);

	is->id = *(const int64_t *)arg;
	/* Shown from the cache at once; the worker fills it in. */
	context_worker_ask(t->ctx_worker, is->id, 0);
	doc_init(&is->d, "");
	if (build(t, is, t->width)) {
		doc_free(&is->d);
		if (is->have)
			incident_clear(&is->inc);
		free(is->steps);
		free(is);
		return NULL;
	}
	return is;
}

static void draw(struct tui *t, void *st, int width, int height, struct frame *f)
{
	struct inc_st *is = st;

	if (width != is->width)
		build(t, is, width);
	doc_frame(&is->d, width, height, 1, f);
}

struct raw_find {
	int64_t id;
	struct strbuf raw;
	int found;
};

static int find_raw(const struct alert *a, void *arg)
{
	struct raw_find *rf = arg;
	size_t n;

	if (a->id != rf->id)
		return 0;
	n = a->raw ? a->raw_len : 0;
	strbuf_add(&rf->raw, a->raw ? a->raw : "", n < RAW_MAX ? n : RAW_MAX);
	rf->found = 1;
	return 1;
}

static void view_alert(struct tui *t, struct inc_st *is, int64_t alert_id)
{
	struct raw_find rf = { alert_id, STRBUF_INIT, 0 };
	struct irk_err err = { 0 };
	struct pager_arg pa = { 0 };
	char title[64];

	if (store_alert_each(t->s, is->id, 0, find_raw, &rf, &err)) {
		tui_report(t, &err);
	} else if (!rf.found) {
		tui_status(t, SLOT_STATUS_ERROR, "alert %lld is gone", (long long)alert_id);
	} else {
		snprintf(title, sizeof title, " alert %lld, raw record", (long long)alert_id);
		pa.title = title;
		pa.text = strbuf_str(&rf.raw);
		tui_push(t, &pager_screen, &pa);
	}
	strbuf_free(&rf.raw);
}

/* The raw record of a kept sensor event in the pager (which sanitizes
 * what it shows, as for an alert). */
static void view_sensor(struct tui *t, int64_t id)
{
	struct strbuf raw = STRBUF_INIT;
	struct irk_err err = { 0 };
	struct pager_arg pa;
	char title[64];
	int found;

	if (store_sensor_raw(t->s, id, &raw, &found, &err)) {
		tui_report(t, &err);
	} else if (!found) {
		tui_status(t, SLOT_STATUS_ERROR, "sensor event %lld is gone (pruned)", (long long)id);
	} else {
		if (raw.len > RAW_MAX)
			raw.buf[raw.len = RAW_MAX] = '\0';
		snprintf(title, sizeof title, " sensor event %lld, raw record", (long long)id);
		pa.title = title;
		pa.text = strbuf_str(&raw);
		tui_push(t, &pager_screen, &pa);
	}
	strbuf_free(&raw);
}

/* The first line of step row id; d.n when it is not shown. */
static size_t step_line(const struct inc_st *is, int64_t id)
{
	for (size_t i = 0; i < is->d.n; i++)
		if (is->d.lines[i].kind == DOC_STEP && is->d.lines[i].ref == id)
			return i;
	return is->d.n;
}

/* Next/previous step (dir 1/-1), or the next step that waits for a
 * person (state waiting; after the last it starts again at the first). From outside the steps: the first step after the cursor, or
 * the last one before it. */
static void goto_step(struct tui *t, struct inc_st *is, int dir, int waiting, int rows)
{
	const struct doc_line *l = is->d.n ? &is->d.lines[is->d.cur] : NULL;
	long k = -1, to = -1;
	size_t line;

	if (!is->nsteps) {
		tui_status(t, SLOT_STATUS_ERROR, "%s", is->inc.play ? "no steps laid out yet" :
			   "no play runs on this incident: it has no steps");
		return;
	}
	if (l && l->kind == DOC_STEP) {
		for (size_t i = 0; i < is->nsteps; i++)
			if (is->steps[i].id == l->ref)
				k = (long)i;
	} else if (is->d.cur > step_line(is, is->steps[0].id)) {
		k = (long)is->nsteps;
	}
	if (waiting) {
		for (size_t n = 1; n <= is->nsteps && to < 0; n++) {
			long i = ((k == (long)is->nsteps ? -1 : k) + (long)n) % (long)is->nsteps;
			if (is->steps[i].state == STEP_WAITING)
				to = i;
		}
		if (to < 0) {
			tui_status(t, SLOT_STATUS_INFO, "no step waits for a person");
			return;
		}
	} else {
		to = k + dir;
		if (to < 0 || to >= (long)is->nsteps) {
			tui_status(t, SLOT_STATUS_INFO, "the %s step", dir > 0 ? "last" : "first");
			return;
		}
	}
	if ((line = step_line(is, is->steps[to].id)) >= is->d.n)
		return;
	is->d.cur = line;
	doc_move(&is->d, 0, rows);
}

static int key(struct tui *t, void *st, int act, int k)
{
	struct inc_st *is = st;
	const struct doc_line *l = is->d.n ? &is->d.lines[is->d.cur] : NULL;
	int rows = t->area_h;

	(void)k;
	if (pager_key(&is->d, act, rows, 1) == SCR_HANDLED)
		return SCR_HANDLED;
	switch (act) {
	case ACT_I_CONTEXT:
		if (!t->ctx_worker) {
			tui_status(t, SLOT_STATUS_ERROR, "context lookups run in irk serve here");
			return SCR_HANDLED;
		}
		context_worker_ask(t->ctx_worker, is->id, 1);
		tui_status(t, SLOT_STATUS_INFO, "asking the context sources again...");
		return SCR_HANDLED;
	case ACT_I_NEXT_SECT:
	case ACT_I_PREV_SECT:
		is->d.cur = doc_next_section(&is->d, is->d.cur, act == ACT_I_NEXT_SECT ? 1 : -1);
		/* The section at the top, its lines below; the last page stays full. */
		is->d.top = is->d.cur;
		if (is->d.n > (size_t)rows - 1 && is->d.top > is->d.n - ((size_t)rows - 1))
			is->d.top = is->d.n - ((size_t)rows - 1);
		doc_move(&is->d, 0, rows);
		return SCR_HANDLED;
	case ACT_I_NEXT_STEP:
	case ACT_I_PREV_STEP:
	case ACT_I_NEXT_WAITING:
		goto_step(t, is, act == ACT_I_PREV_STEP ? -1 : 1, act == ACT_I_NEXT_WAITING, rows);
		return SCR_HANDLED;
	case ACT_I_VIEW:
		if (l && l->kind == DOC_STEP) {
			struct step_arg sa = { is->id, l->ref };
			tui_push(t, &step_screen, &sa);
		} else if (l && l->kind == DOC_ALERT) {
			view_alert(t, is, l->ref);
		} else if (l && l->kind == DOC_SENSOR) {
			view_sensor(t, l->ref);
		} else {
			tui_status(t, SLOT_STATUS_ERROR, "put the cursor on a step, an alert or a "
				   "sensor context line (Tab jumps between sections)");
		}
		return SCR_HANDLED;
	}
	if (!is->have)
		return SCR_IGNORED;
	switch (act) {
	case ACT_I_CLAIM: tui_claim(t, is->id, is->inc.version); return SCR_HANDLED;
	case ACT_I_PREV: tui_move(t, is->id, is->inc.version, is->inc.stage, -1); return SCR_HANDLED;
	case ACT_I_NEXT: tui_move(t, is->id, is->inc.version, is->inc.stage, 1); return SCR_HANDLED;
	case ACT_I_CLOSE: tui_resolve(t, is->id, is->inc.version, is->inc.stage); return SCR_HANDLED;
	case ACT_I_NOTE: tui_note(t, is->id); return SCR_HANDLED;
	case ACT_I_EDIT: tui_edit(t, is->id, is->inc.version); return SCR_HANDLED;
	case ACT_I_SPLIT: {
		/* On a host observable ("VALUE   from alert 12, ..."): that host. */
		char *host = NULL;
		if (l && l->kind == DOC_TEXT && l->label && !strcmp(l->label, "host") && l->text)
			host = xstrndup(l->text, strcspn(l->text, " "));
		tui_split(t, is->id, is->inc.storm, host);
		free(host);
		return SCR_HANDLED;
	}
	}
	return SCR_IGNORED;
}

static void reload(struct tui *t, void *st)
{
	struct inc_st *is = st;

	build(t, is, is->width ? is->width : t->width);
}

static int click(struct tui *t, void *st, int y, int x, int wheel)
{
	struct inc_st *is = st;

	(void)x;
	return pager_click(&is->d, y, wheel, t->area_h, 1);
}

static void done(void *st)
{
	struct inc_st *is = st;

	if (is->have)
		incident_clear(&is->inc);
	doc_free(&is->d);
	free(is->steps);
	free(is);
}

const struct screen_ops incident_screen = {
	.name = "incident",
	.ctx = CTX_INCIDENT,
	.open = open_incident,
	.draw = draw,
	.key = key,
	.reload = reload,
	.click = click,
	.done = done,
};
