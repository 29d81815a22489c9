/* step.c: the step screen: one step of an incident's play, and what a
 * person does with it.
 *
 * Enter on a step line of the incident screen opens it. Like the incident
 * screen it is a document (layout.h) rebuilt from the database on every
 * reload, so the engine's progress and colleagues' changes show without a
 * key: the state and who holds or did the step, the instructions and the
 * checklist (templates expanded against the incident, as irk step show
 * does), the inputs as fields, a button for each thing that can be done,
 * and a glimpse of the output (the pager shows all of it, sanitized).
 *
 * The rules are not here: play_step_done/approve/deny/retry/skip (play.h)
 * and store_step_check decide, and their refusals are shown as they come.
 * This screen only asks for what they need (a reason, the inputs). What is
 * typed into the inputs stays on the screen, by input name across reloads,
 * until the step is done; a tick is written at once (a colleague sees it,
 * and it is audited).
 *
 * The inputs are the play's declaration (play_inputs_parse): an input with
 * choices is picked from them (a menu, or Left/Right), never typed, and a
 * value is checked with play_input_check(), the rule play_step_done()
 * applies, as soon as it is given and again before the step is done, so a
 * value the play would refuse is shown as bad on its field and never sent. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/clock.h"
#include "irk/jdoc.h"
#include "irk/incident.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/store.h"
#include "irk/template.h"
#include "tui_internal.h"

#define LABEL_W 18            /* field names, input names, buttons */
#define GLIMPSE 300           /* bytes of output shown on the screen itself */
#define PAGER_MAX (1 << 20)   /* bytes of each part shown in the pager */

struct item {
	char *text;               /* expanded when it could be */
	char *by;                 /* who ticked it, or NULL */
	int64_t at;
};

struct step_st {
	int64_t incident_id, row;
	char key[24];
	int have;
	/* The step, owned copies of its strings. */
	struct step_row r;
	int kind, role;           /* enum step_kind; an approval's role */
	char *instructions;       /* expanded, or NULL */
	struct item *items;
	int nitems;
	int all_ticks;            /* "checklist_required": done needs every item ticked */
	int inc_stage;            /* the incident's stage */
	char *waits;              /* pending: its needs not done, "decide (waiting)" */
	struct play_inputs in;    /* what the step declares (raw: sanitized when laid out) */
	char **val;               /* in.n values: what was typed or picked, or NULL */
	struct doc d;
	int width;
	int placed;               /* the cursor was put on the first thing to do */
	/* Where the cursor goes at the next build: the line of this kind and
	 * ref (an item, an input, a button), whatever moved above it. */
	int warned;               /* q was pressed once with inputs typed */
	int done_after;           /* d asked for a missing input: done follows its value */
	int want_kind;            /* 0: keep the line the cursor is on */
	int64_t want_ref;
};

static int keep_row(const struct step_row *in, void *arg)
{
	store_step_row_copy(arg, in);
	return 1;
}

static void items_free(struct step_st *ss)
{
	for (int i = 0; i < ss->nitems; i++) {
		free(ss->items[i].text);
		free(ss->items[i].by);
	}
	free(ss->items);
	ss->items = NULL;
	ss->nitems = 0;
	free(ss->instructions);
	ss->instructions = NULL;
	free(ss->waits);
	ss->waits = NULL;
}

static int need_state(const struct step_row *in, void *arg)
{
	*(int *)arg = in->state;
	return 1;
}

/* The steps a pending step needs that are neither done nor skipped, with
 * their state ("decide (waiting), scope (ready)"), or NULL. */
static char *open_needs(struct tui *t, const struct step_st *ss)
{
	struct strbuf sb = STRBUF_INIT;
	struct jdoc d;
	int v;

	jdoc_init(&d);
	if (ss->r.def && !jdoc_parse(&d, ss->r.def, strlen(ss->r.def), NULL) &&
	    (v = jdoc_get(&d, 0, "needs")) >= 0 && jdoc_type(&d, v) == JD_ARRAY) {
		for (int e = jdoc_first(&d, v); e >= 0; e = jdoc_next(&d, v, e)) {
			int st = -1;
			if (!jdoc_str(&d, e) || store_step_get(t->s, ss->incident_id, jdoc_str(&d, e), 0,
							       need_state, &st, NULL) ||
			    st == STEP_DONE || st == STEP_SKIPPED)
				continue;
			strbuf_printf(&sb, "%s%s (%s)", sb.len ? ", " : "", jdoc_str(&d, e),
				      step_state_name(st));
		}
	}
	jdoc_free(&d);
	return sb.len ? strbuf_detach(&sb) : (strbuf_free(&sb), NULL);
}

static void fields_free(struct step_st *ss)
{
	for (int i = 0; i < ss->in.n; i++)
		free(ss->val[i]);
	free(ss->val);
	ss->val = NULL;
	play_inputs_free(&ss->in);
}

static int is_open(const struct step_st *ss)
{
	return ss->r.state == STEP_WAITING || ss->r.state == STEP_READY;
}

/* ---- reading the step ------------------------------------------------------------ */

/* Templates of the definition (instructions, checklist) see the incident
 * and its first alert, as the engine's steps do. */
struct expand {
	struct play_fields *f;
	struct store *s;
	const struct incident *inc;
};

static int with_alert(const struct alert *a, void *arg)
{
	struct expand *ex = arg;

	ex->f = play_fields_new(ex->s, ex->inc, a);
	return 1;
}

/* src expanded, each missing value marked in place. Caller frees. */
static char *expand(struct expand *ex, const char *src)
{
	return ex->f ? tmpl_render_marked(src, play_fields_lookup, ex->f, NULL) : xstrdup(src);
}

/* The inputs the definition declares; what was typed before is kept by
 * name (the definition of a running step never changes, but a reload must
 * not lose a half-filled form whatever happens). */
static void read_inputs(struct step_st *ss)
{
	struct step_st old = { 0 };

	old.in = ss->in;
	old.val = ss->val;
	play_inputs_parse(&ss->in, ss->r.def);
	ss->val = xcalloc((size_t)ss->in.n + 1, sizeof *ss->val);
	for (int i = 0; i < ss->in.n; i++)
		for (int j = 0; j < old.in.n; j++)
			if (old.val[j] && !strcmp(old.in.v[j].name, ss->in.v[i].name)) {
				ss->val[i] = old.val[j];
				old.val[j] = NULL;
			}
	fields_free(&old);
}

/* Who ticked which item, from the store's JSON ({"0": {"by", "at"}}). */
static void read_ticks(struct step_st *ss, const char *json)
{
	struct jdoc d;
	struct jdoc_error je;
	char num[16];

	jdoc_init(&d);
	if (!jdoc_parse(&d, json, strlen(json), &je))
		for (int i = 0; i < ss->nitems; i++) {
			int v;
			snprintf(num, sizeof num, "%d", i);
			if ((v = jdoc_get(&d, 0, num)) < 0)
				continue;
			ss->items[i].by = xstrdup(jdoc_str(&d, jdoc_get(&d, v, "by")) ?
						  jdoc_str(&d, jdoc_get(&d, v, "by")) : "?");
			jdoc_int(&d, jdoc_get(&d, v, "at"), &ss->items[i].at);
		}
	jdoc_free(&d);
}

static void read_def(struct step_st *ss, struct expand *ex, const char *ticks)
{
	struct jdoc d;
	struct jdoc_error je;
	int v;

	items_free(ss);
	ss->role = ROLE_SENIOR;
	ss->all_ticks = 0;
	jdoc_init(&d);
	if (ss->r.def && !jdoc_parse(&d, ss->r.def, strlen(ss->r.def), &je)) {
		if ((v = jdoc_get(&d, 0, "instructions")) >= 0 && jdoc_str(&d, v))
			ss->instructions = expand(ex, jdoc_str(&d, v));
		if ((v = jdoc_get(&d, 0, "checklist")) >= 0 && jdoc_type(&d, v) == JD_ARRAY) {
			ss->items = xcalloc(d.t[v].len ? d.t[v].len : 1, sizeof *ss->items);
			/* Every element counts (store_step_check numbers them so). */
			for (int e = jdoc_first(&d, v); e >= 0; e = jdoc_next(&d, v, e))
				ss->items[ss->nitems++].text = expand(ex, jdoc_str(&d, e) ? jdoc_str(&d, e) : "");
		}
		ss->all_ticks = jdoc_type(&d, jdoc_get(&d, 0, "checklist_required")) == JD_TRUE;
		if ((v = jdoc_get(&d, 0, "role")) >= 0 && jdoc_str(&d, v) &&
		    role_parse(jdoc_str(&d, v)) >= 0)
			ss->role = role_parse(jdoc_str(&d, v));
	}
	jdoc_free(&d);
	read_inputs(ss);
	read_ticks(ss, ticks);
}

/* Read the step, its ticks and the incident in one snapshot. */
static int load(struct tui *t, struct step_st *ss, struct irk_err *err)
{
	struct incident inc;
	struct strbuf ticks = STRBUF_INIT;
	struct expand ex = { NULL, t->s, &inc };
	int rc, have_inc = 0;

	if ((rc = store_begin_read(t->s, err)))
		return rc;
	store_step_row_clear(&ss->r);
	ss->have = 0;
	if ((rc = store_step_get(t->s, 0, NULL, ss->row, keep_row, &ss->r, err)) ||
	    (rc = store_step_checks(t->s, ss->row, &ticks, err)) ||
	    (rc = store_incident_get(t->s, ss->incident_id, &inc, err)))
		goto out;
	have_inc = 1;
	store_alert_first(t->s, ss->incident_id, with_alert, &ex, NULL);
	if (!ex.f)
		ex.f = play_fields_new(t->s, &inc, NULL);
	ss->kind = step_kind_parse(ss->r.kind);
	read_def(ss, &ex, strbuf_str(&ticks));
	ss->inc_stage = inc.stage;
	if (ss->r.state == STEP_PENDING)
		ss->waits = open_needs(t, ss);
	ss->have = 1;
out:
	play_fields_free(&ex.f);
	if (have_inc)
		incident_clear(&inc);
	strbuf_free(&ticks);
	store_commit(t->s, NULL);
	return rc;
}

/* ---- what can be done ----------------------------------------------------------------- */

/* The actions that apply to the step as it stands (the keys still work
 * on any step: the play layer then says why not). */
static int offers(const struct step_st *ss, int act)
{
	int automated = step_kind_automated(ss->kind), st = ss->r.state;

	if (!ss->have)
		return 0;
	switch (act) {
	case ACT_S_TICK:
		return ss->kind == KIND_MANUAL && is_open(ss) && ss->nitems;
	case ACT_S_DONE:
		if (automated)
			return st == STEP_WAITING || st == STEP_FAILED;
		return ss->kind != KIND_APPROVAL && is_open(ss);
	case ACT_S_APPROVE:
	case ACT_S_DENY:
		return ss->kind == KIND_APPROVAL && is_open(ss);
	case ACT_S_RETRY:
		return automated ? st == STEP_WAITING || st == STEP_FAILED :
		       ss->kind == KIND_APPROVAL && st == STEP_FAILED;
	case ACT_S_SKIP:
		return st != STEP_DONE && st != STEP_SKIPPED;
	case ACT_S_OUTPUT:
		return (ss->r.output && strcmp(ss->r.output, "{}")) || ss->r.error ||
		       (ss->r.log && strcmp(ss->r.log, "{}")) || ss->r.inputs;
	}
	return 0;
}

static int choice_line(const struct step_st *ss);

static int hints(struct tui *t, void *st, int act)
{
	(void)t;
	/* One of the pair is enough to tell the keys are there. */
	if (act == ACT_S_NEXT_CHOICE)
		return choice_line(st) >= 0;
	return act == ACT_S_SELECT || offers(st, act);
}

/* ---- the document ---------------------------------------------------------------------- */

static const char *dot(void)
{
	return layout_ascii() ? "-" : "\xc2\xb7";
}

/* The state in words: who holds it, who did it, what it waits for. */
static void state_words(struct tui *t, const struct step_st *ss, struct strbuf *sb)
{
	const struct step_row *r = &ss->r;
	char when[32];

	strbuf_puts(sb, step_state_name(r->state));
	switch (r->state) {
	case STEP_PENDING:
		/* What it waits for, by name (found by a senior's trial: it
		 * said "when the incident is in Containment" while it was). */
		if (ss->waits && ss->inc_stage >= r->stage)
			strbuf_printf(sb, ": waits for %s", ss->waits);
		else if (ss->waits)
			strbuf_printf(sb, ": due in %s, once %s is done", stage_title(r->stage), ss->waits);
		else if (ss->inc_stage < r->stage)
			strbuf_printf(sb, ": due when the incident is in %s", stage_title(r->stage));
		else
			strbuf_puts(sb, ": due now (the sequencer looks at it next)");
		break;
	case STEP_READY:
		strbuf_puts(sb, step_kind_automated(ss->kind) ? ": the sequencer runs it next" :
			    ": waits for a person");
		break;
	case STEP_RUNNING:
		strbuf_printf(sb, ", held by %s", r->lease_owner ? r->lease_owner : "?");
		if (r->lease_until)
			strbuf_printf(sb, " until %s", irk_time_short(r->lease_until, when, sizeof when));
		break;
	case STEP_WAITING:
		if (ss->kind == KIND_APPROVAL)
			strbuf_printf(sb, " for a%s %s to approve it", ss->role == ROLE_ANALYST ||
				      ss->role == ROLE_ADMIN ? "n" : "", role_name(ss->role));
		else if (step_kind_automated(ss->kind))
			strbuf_puts(sb, " for a person: retry it, skip it, or mark it done by hand");
		else
			strbuf_puts(sb, " for a person");
		break;
	case STEP_DONE:
	case STEP_SKIPPED:
	case STEP_FAILED:
		if (r->done_by)
			strbuf_printf(sb, " by %s", r->done_by);
		if (r->t_end)
			strbuf_printf(sb, ", %s", irk_time_short(r->t_end, when, sizeof when));
		break;
	}
	if (r->requested_by && ss->kind == KIND_APPROVAL)
		strbuf_printf(sb, " (asked by %s%s)", r->requested_by,
			      !strcmp(r->requested_by, t->app->actor.name) ? ", you" : "");
}

static void header(struct tui *t, struct step_st *ss, int width)
{
	const struct step_row *r = &ss->r;
	struct strbuf sb = STRBUF_INIT;
	struct doc *d = &ss->d;
	char when[32], when2[32];

	doc_add(d, DOC_SECTION, SLOT_SECTION, 0, 0, "Step", width);
	state_words(t, ss, &sb);
	doc_pair(d, DOC_FIELD, "state", SLOT_FIELD, LABEL_W, strbuf_str(&sb),
		 r->state == STEP_FAILED ? SLOT_SLA_BREACHED :
		 r->state == STEP_WAITING || (r->state == STEP_READY && !step_kind_automated(ss->kind)) ?
		 SLOT_CARD_WAITING : SLOT_NORMAL, 0, width);
	strbuf_reset(&sb);
	strbuf_printf(&sb, "%s, stage %s%s", r->kind, stage_title(r->stage),
		      r->required ? ", required" : "");
	doc_field(d, "kind", strbuf_str(&sb), width);
	if (r->assignee && *r->assignee)
		doc_field(d, "assignee", r->assignee, width);
	if (step_kind_automated(ss->kind)) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "%d", r->attempts);
		if (r->retry)
			strbuf_printf(&sb, " (up to %d)", r->retry + 1);
		if (r->state == STEP_READY && r->next_attempt)
			strbuf_printf(&sb, ", next at %s", irk_time_short(r->next_attempt, when, sizeof when));
		doc_field(d, "attempts", strbuf_str(&sb), width);
	}
	if (r->t_start) {
		strbuf_reset(&sb);
		/* The screen's times say their zone here, once (issue 12). */
		strbuf_printf(&sb, "%s%s%s UTC", irk_time_short(r->t_start, when, sizeof when),
			      r->t_end ? " .. " : "", r->t_end ? irk_time_short(r->t_end, when2, sizeof when2) : "");
		doc_field(d, "time", strbuf_str(&sb), width);
	}
	if (r->reason && *r->reason)
		doc_field(d, "reason", r->reason, width);
	if (r->error && *r->error)
		doc_pair(d, DOC_FIELD, "error", SLOT_FIELD, LABEL_W, r->error, SLOT_SLA_BREACHED, 0, width);
	strbuf_free(&sb);
}

static void checklist(struct step_st *ss, int width)
{
	struct strbuf sb = STRBUF_INIT;
	char title[64], when[32];
	int ticked = 0;

	if (!ss->nitems)
		return;
	for (int i = 0; i < ss->nitems; i++)
		ticked += ss->items[i].by != NULL;
	snprintf(title, sizeof title, "Checklist (%d of %d ticked)", ticked, ss->nitems);
	doc_add(&ss->d, DOC_SECTION, SLOT_SECTION, 0, 0, title, width);
	for (int i = 0; i < ss->nitems; i++) {
		const struct item *it = &ss->items[i];
		strbuf_reset(&sb);
		strbuf_puts(&sb, it->text);
		if (it->by)
			strbuf_printf(&sb, "   %s %s %s", dot(), it->by, irk_time_short(it->at, when, sizeof when));
		doc_pair(&ss->d, DOC_CHECK, it->by ? "[x]" : "[ ]", it->by ? SLOT_FIELD : SLOT_CARD_WAITING, 6,
			 strbuf_str(&sb), it->by ? SLOT_CARD_DIM : SLOT_NORMAL, i, width);
	}
	strbuf_free(&sb);
}

/* What an input takes, under its field: its label, then its choices
 * ("yes or no  [yes | no]") or its pattern. */
static void input_rule(const struct play_input *pi, struct strbuf *sb)
{
	if (pi->label)
		strbuf_puts(sb, pi->label);
	if (pi->nchoices) {
		strbuf_puts(sb, sb->len ? "  [" : "[");
		for (int c = 0; c < pi->nchoices; c++)
			strbuf_printf(sb, "%s%s", c ? " | " : "", pi->choices[c]);
		strbuf_addc(sb, ']');
	} else if (pi->pattern) {
		strbuf_printf(sb, "%spattern %s", sb->len ? "  " : "", pi->pattern);
	}
}

/* Nonzero when input i holds a value the play would refuse. */
static int input_bad(const struct step_st *ss, int i)
{
	struct irk_err err = { 0 };
	const char *canon;

	return play_input_check(&ss->in.v[i], ss->val[i], &canon, &err) != IRK_OK;
}

/* The inputs: fields while the step is open, what was recorded after. */
static void inputs(struct step_st *ss, int width)
{
	struct doc *d = &ss->d;
	struct strbuf sb = STRBUF_INIT;
	char label[96];
	int picks = 0;

	if (!is_open(ss) || ss->kind != KIND_MANUAL) {
		struct jdoc j;
		struct jdoc_error je;
		if (!ss->r.inputs || !strcmp(ss->r.inputs, "{}"))
			return;
		doc_add(d, DOC_SECTION, SLOT_SECTION, 0, 0, "Recorded inputs", width);
		jdoc_init(&j);
		if (!jdoc_parse(&j, ss->r.inputs, strlen(ss->r.inputs), &je))
			for (int v = jdoc_first(&j, 0); v >= 0; v = jdoc_next(&j, 0, v))
				doc_field(d, jdoc_str(&j, v - 1), jdoc_str(&j, v), width);
		jdoc_free(&j);
		return;
	}
	if (!ss->in.n)
		return;
	for (int i = 0; i < ss->in.n; i++)
		picks |= ss->in.v[i].nchoices > 0;
	doc_add(d, DOC_SECTION, SLOT_SECTION, 0, 0, picks ? "Inputs (Enter edits or picks; * required)" :
		"Inputs (Enter edits; * required)", width);
	for (int i = 0; i < ss->in.n; i++) {
		const struct play_input *pi = &ss->in.v[i];
		const char *v = ss->val[i];
		int bad = input_bad(ss, i);
		strbuf_reset(&sb);
		strbuf_puts(&sb, v && *v ? v : " ");
		if (bad)
			strbuf_printf(&sb, "   %s %s", layout_ascii() ? "!" : "\xe2\x9c\x97",
				      pi->nchoices ? "not one of the choices" : "does not match the pattern");
		snprintf(label, sizeof label, "%s%s", pi->name, pi->required ? " *" : "");
		doc_pair(d, DOC_INPUT, label, SLOT_FIELD, LABEL_W, strbuf_str(&sb),
			 bad ? SLOT_SLA_BREACHED : SLOT_PROMPT_INPUT, i, width);
		strbuf_reset(&sb);
		input_rule(pi, &sb);
		/* The rule under an input is part of it: Enter there edits it
		 * too (Tab skips it: it has no label). */
		if (sb.len)
			doc_add(d, DOC_INPUT, SLOT_CARD_DIM, LABEL_W, i, strbuf_str(&sb), width);
	}
	strbuf_free(&sb);
}

static void buttons(struct tui *t, struct step_st *ss, int width)
{
	static const struct { int act; const char *label, *what; } all[] = {
		{ ACT_S_DONE, "[ Mark done ]", "finish the step with the inputs above" },
		{ ACT_S_APPROVE, "[ Approve ]", "grant it" },
		{ ACT_S_DENY, "[ Deny ]", "refuse it, with a reason" },
		{ ACT_S_RETRY, "[ Retry ]", "run it again now" },
		{ ACT_S_SKIP, "[ Skip ]", "skip it, with a reason" },
	};
	char keys[64], text[192], all_ticked[96];
	int n = 0, ticked = 0;

	for (int i = 0; i < ss->nitems; i++)
		ticked += ss->items[i].by != NULL;
	doc_add(&ss->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Actions", width);
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		const char *label = all[i].label, *what = all[i].what;
		if (!offers(ss, all[i].act))
			continue;
		if (all[i].act == ACT_S_DONE && step_kind_automated(ss->kind))
			label = "[ Done by hand ]", what = "it was done outside irk";
		if (all[i].act == ACT_S_RETRY && ss->kind == KIND_APPROVAL)
			label = "[ Ask again ]", what = "ask for the approval again";
		/* The play refuses the done until then: the button says so. */
		if (all[i].act == ACT_S_DONE && ss->all_ticks && ss->nitems) {
			snprintf(all_ticked, sizeof all_ticked, "every checklist item must be ticked "
				 "first (%d of %d are)", ticked, ss->nitems);
			what = all_ticked;
		}
		keymap_first(&t->km, all[i].act, keys, sizeof keys);
		snprintf(text, sizeof text, "%s%s%s", keys, keys[0] ? "  " : "", what);
		doc_pair(&ss->d, DOC_BUTTON, label, SLOT_HELP_KEY, LABEL_W + 2, text, SLOT_NORMAL, all[i].act,
			 width);
		n++;
	}
	if (!n)
		doc_add(&ss->d, DOC_TEXT, SLOT_CARD_DIM, 2, 0, "nothing to do here", width);
}

/* The first line of s (at most GLIMPSE bytes) after "name: ". */
static void glimpse(struct step_st *ss, const char *name, const char *s, int width)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strcspn(s, "\n");

	strbuf_printf(&sb, "%s: ", name);
	strbuf_add(&sb, s, n < GLIMPSE ? n : GLIMPSE);
	if (n > GLIMPSE || s[n + strspn(s + n, "\n")])
		strbuf_puts(&sb, " ...");
	doc_add(&ss->d, DOC_OUTPUT, SLOT_CARD_DIM, 2, 0, strbuf_str(&sb), width);
	strbuf_free(&sb);
}

static void output(struct tui *t, struct step_st *ss, int width)
{
	const struct step_row *r = &ss->r;
	struct jdoc j;
	struct jdoc_error je;
	char keys[64], hint[128];

	if (!offers(ss, ACT_S_OUTPUT) || (!r->output && !r->log))
		return;
	doc_add(&ss->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Output", width);
	if (r->output && strcmp(r->output, "{}"))
		glimpse(ss, "output", r->output, width);
	jdoc_init(&j);
	if (r->log && !jdoc_parse(&j, r->log, strlen(r->log), &je)) {
		int v;
		if ((v = jdoc_get(&j, 0, "exit")) >= 0 && jdoc_type(&j, v) == JD_NUMBER) {
			int64_t code = 0, ms = 0;
			jdoc_int(&j, v, &code);
			jdoc_int(&j, jdoc_get(&j, 0, "ms"), &ms);
			snprintf(hint, sizeof hint, "exit: %lld after %lld ms", (long long)code, (long long)ms);
			doc_add(&ss->d, DOC_OUTPUT, SLOT_CARD_DIM, 2, 0, hint, width);
		}
		if ((v = jdoc_get(&j, 0, "stdout")) >= 0 && jdoc_str(&j, v) && *jdoc_str(&j, v))
			glimpse(ss, "stdout", jdoc_str(&j, v), width);
		if ((v = jdoc_get(&j, 0, "stderr")) >= 0 && jdoc_str(&j, v) && *jdoc_str(&j, v))
			glimpse(ss, "stderr", jdoc_str(&j, v), width);
	}
	jdoc_free(&j);
	keymap_first(&t->km, ACT_S_OUTPUT, keys, sizeof keys);
	snprintf(hint, sizeof hint, "%s%sEnter here: all of it", keys, keys[0] ? " or " : "");
	doc_add(&ss->d, DOC_OUTPUT, SLOT_CARD_DIM, 2, 0, hint, width);
}

static int actionable(const struct doc_line *l)
{
	return l->kind == DOC_CHECK || l->kind == DOC_INPUT || l->kind == DOC_BUTTON;
}

/* The first thing to do: an unticked item, an empty input, a button. */
static void place_cursor(struct step_st *ss)
{
	size_t first = ss->d.n;

	for (size_t i = 0; i < ss->d.n; i++) {
		const struct doc_line *l = &ss->d.lines[i];
		if (!actionable(l) || !l->label || !l->label[0])
			continue;
		if (first == ss->d.n)
			first = i;
		if ((l->kind == DOC_CHECK && !ss->items[l->ref].by) ||
		    (l->kind == DOC_INPUT && !ss->val[l->ref])) {
			first = i;
			break;
		}
	}
	ss->d.cur = first < ss->d.n ? first : 0;
	ss->d.top = 0;
	ss->placed = 1;
}

/* The first line of kind and ref; n when there is none. */
static size_t find_line(const struct step_st *ss, int kind, int64_t ref)
{
	for (size_t i = 0; i < ss->d.n; i++)
		if (ss->d.lines[i].kind == kind && ss->d.lines[i].ref == ref)
			return i;
	return ss->d.n;
}

static void build(struct tui *t, struct step_st *ss, int width)
{
	size_t cur = ss->d.cur, top = ss->d.top, at;
	char title[600];

	/* A tick may wrap its item onto two lines: the cursor stays on its
	 * item, input or button, not on a line number. */
	if (!ss->want_kind && cur < ss->d.n && ss->d.lines[cur].kind >= DOC_CHECK &&
	    ss->d.lines[cur].kind <= DOC_BUTTON) {
		ss->want_kind = ss->d.lines[cur].kind;
		ss->want_ref = ss->d.lines[cur].ref;
	}

	doc_clear(&ss->d);
	free(ss->d.title);
	ss->d.title = NULL;
	ss->width = width;
	if (!ss->have) {
		ss->d.title = sanitize_dup(" step", 0);
		doc_add(&ss->d, DOC_TEXT, SLOT_CARD_DIM, 2, 0, "the step could not be read", width);
		return;
	}
	snprintf(title, sizeof title, " %s %s step %s: %s", ss->key, dot(), ss->r.step_id,
		 ss->r.title ? ss->r.title : "");
	ss->d.title = sanitize_dup(title, 0);
	header(t, ss, width);
	if (ss->instructions) {
		doc_add(&ss->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Instructions", width);
		doc_add(&ss->d, DOC_TEXT, SLOT_NORMAL, 2, 0, ss->instructions, width);
	}
	checklist(ss, width);
	inputs(ss, width);
	buttons(t, ss, width);
	output(t, ss, width);
	if (!ss->placed) {
		place_cursor(ss);
		ss->want_kind = 0;
		return;
	}
	if (ss->want_kind && (at = find_line(ss, ss->want_kind, ss->want_ref)) < ss->d.n)
		cur = at;
	ss->want_kind = 0;
	ss->d.cur = cur < ss->d.n ? cur : ss->d.n ? ss->d.n - 1 : 0;
	ss->d.top = top <= ss->d.cur ? top : ss->d.cur;
	doc_move(&ss->d, 0, t->area_h);
}

static void reread(struct tui *t, struct step_st *ss)
{
	struct irk_err err = { 0 };

	if (load(t, ss, &err))
		tui_report(t, &err);
	build(t, ss, ss->width ? ss->width : t->width);
}

/* ---- doing things ------------------------------------------------------------------------ */

/* The step screen on top, for a popup's callback (NULL when it is gone). */
static struct step_st *top(struct tui *t)
{
	return tui_top(t, &step_screen);
}

/* Show what the play layer said. Its messages name no command or option
 * (tui_report takes those out of the other layers' messages). */
static void outcome(struct tui *t, int rc, const struct irk_err *err, const char *done)
{
	t->need_reload = 1;
	if (!rc) {
		tui_status(t, SLOT_STATUS_INFO, "%s", done);
		return;
	}
	tui_report(t, err);
}

/* Input i takes value (NULL: empty). */
static void set_value(struct step_st *ss, int i, const char *value)
{
	char *copy = value && *value ? xstrdup(value) : NULL;

	free(ss->val[i]);
	ss->val[i] = copy;
}

/* Does the value of input i fit? Checked as play_step_done() will: when
 * it does not, the status line says why and the cursor goes to the field
 * (-1). A choice typed in another case becomes the choice as declared. */
static int check_input(struct tui *t, struct step_st *ss, int i)
{
	struct irk_err err = { 0 };
	const char *canon;

	if (play_input_check(&ss->in.v[i], ss->val[i], &canon, &err)) {
		tui_report(t, &err);
		ss->want_kind = DOC_INPUT;
		ss->want_ref = i;
		build(t, ss, ss->width);
		return -1;
	}
	if (canon && ss->val[i] && strcmp(canon, ss->val[i]))
		set_value(ss, i, canon);
	return 0;
}

/* After item or input i is dealt with, the cursor goes to the next one,
 * then to the first input, then to the done button; after the last input
 * it stays there, so a second Enter edits it again rather than finishing
 * the step (found by a senior's trial: a value could not be corrected). */
static void want_next(struct step_st *ss, int kind, int i)
{
	ss->want_kind = DOC_BUTTON;
	ss->want_ref = ACT_S_DONE;
	if (kind == DOC_INPUT && i + 1 >= ss->in.n) {
		ss->want_kind = DOC_INPUT;
		ss->want_ref = i;
	} else if (kind == DOC_CHECK && i + 1 < ss->nitems) {
		ss->want_kind = DOC_CHECK;
		ss->want_ref = i + 1;
	} else if (kind == DOC_CHECK && ss->in.n && is_open(ss) && ss->kind == KIND_MANUAL) {
		ss->want_kind = DOC_INPUT;
		ss->want_ref = 0;
	} else if (kind == DOC_INPUT && i + 1 < ss->in.n) {
		ss->want_kind = DOC_INPUT;
		ss->want_ref = i + 1;
	}
}

static void tick(struct tui *t, struct step_st *ss, const struct doc_line *l)
{
	struct irk_err err = { 0 };
	int on, rc;
	char done[600];

	if (!l || l->kind != DOC_CHECK) {
		tui_status(t, SLOT_STATUS_ERROR, "put the cursor on a checklist item to tick it");
		return;
	}
	on = !ss->items[l->ref].by;
	rc = store_step_check(t->s, t->app->actor.name, ss->row, (int)l->ref, on, &err);
	snprintf(done, sizeof done, "%s: %.500s", on ? "ticked" : "unticked", ss->items[l->ref].text);
	outcome(t, rc, &err, done);
	if (!rc)
		want_next(ss, DOC_CHECK, (int)l->ref);
}

static void done_now(struct tui *t, struct step_st *ss)
{
	struct irk_err err = { 0 };
	char **kv = xcalloc((size_t)ss->in.n + 1, sizeof *kv), msg[160];
	int n = 0, rc, open = 0;

	for (int i = 0; i < ss->in.n; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (!ss->val[i] || !*ss->val[i])
			continue;
		strbuf_printf(&sb, "%s=%s", ss->in.v[i].name, ss->val[i]);
		kv[n++] = strbuf_detach(&sb);
	}
	rc = play_step_done(t->s, &t->app->actor, ss->incident_id, ss->r.step_id, kv, n, &err);
	snprintf(msg, sizeof msg, "%.64s of %s is done", ss->r.step_id, ss->key);
	outcome(t, rc, &err, msg);
	for (int i = 0; i < n; i++)
		free(kv[i]);
	free(kv);
	if (!rc)
		return;
	/* Refused for a missing input: the cursor goes to it; else, when the
	 * play wants the whole checklist, to the first item not ticked. */
	for (int i = 0; i < ss->in.n; i++)
		if (ss->in.v[i].required && (!ss->val[i] || !*ss->val[i])) {
			ss->want_kind = DOC_INPUT;
			ss->want_ref = i;
			return;
		}
	for (int i = 0; ss->all_ticks && !open && i < ss->nitems; i++)
		if ((open = !ss->items[i].by)) {
			ss->want_kind = DOC_CHECK;
			ss->want_ref = i;
		}
}

static void done_confirmed(struct tui *t, void *arg, int index)
{
	struct step_st *ss = top(t);

	(void)arg;
	if (!ss)
		return;
	if (index != 1) {
		tui_status(t, SLOT_STATUS_INFO, "not marked done");
		return;
	}
	done_now(t, ss);
}

/* Done, once every value fits its input, after asking when checklist
 * items are not ticked: the play does not require them, but a person
 * skipping one should mean it. When the play does require them
 * (checklist_required), its refusal says which. */
/* Ask only what can be done: the play layer's refusal (someone else's
 * incident, a required step for seniors, the state, the approval's role)
 * comes before any prompt. Nonzero when the action may go on. */
static int may(struct tui *t, struct step_st *ss, int action)
{
	struct irk_err err = { 0 };

	if (!play_step_may(t->s, &t->app->actor, ss->incident_id, ss->r.step_id, action, &err))
		return 1;
	tui_report(t, &err);
	return 0;
}

static void edit_input(struct tui *t, struct step_st *ss, int i);

static void ask_done(struct tui *t, struct step_st *ss)
{
	static const char *const items[] = { "Go back to the checklist", "Mark it done anyway" };
	int open = 0;
	char title[96];

	if (!may(t, ss, PLAY_DONE))
		return;
	/* The fields are on the screen while a manual step is open. */
	for (int i = 0; ss->kind == KIND_MANUAL && is_open(ss) && i < ss->in.n; i++)
		if (check_input(t, ss, i))
			return;
	/* A required input still empty is asked for first (its choices or
	 * a prompt), before the checklist: done goes on with its value. */
	for (int i = 0; ss->kind == KIND_MANUAL && is_open(ss) && i < ss->in.n; i++)
		if (ss->in.v[i].required && (!ss->val[i] || !*ss->val[i])) {
			ss->want_kind = DOC_INPUT;
			ss->want_ref = i;
			build(t, ss, ss->width);
			ss->done_after = 1;
			edit_input(t, ss, i);
			return;
		}
	if (ss->kind == KIND_MANUAL && is_open(ss) && !ss->all_ticks)
		for (int i = 0; i < ss->nitems; i++)
			open += !ss->items[i].by;
	if (!open) {
		done_now(t, ss);
		return;
	}
	snprintf(title, sizeof title, "%d of %d checklist items not ticked", open, ss->nitems);
	tui_menu(t, title, items, 2, 0, done_confirmed, NULL, 0);
}

static void approve(struct tui *t, struct step_st *ss)
{
	struct irk_err err = { 0 };
	char msg[160];
	int rc = play_step_approve(t->s, &t->app->actor, ss->incident_id, ss->r.step_id, &err);

	snprintf(msg, sizeof msg, "%.64s of %s approved", ss->r.step_id, ss->key);
	outcome(t, rc, &err, msg);
}

/* Deny, retry and skip ask first; the answer arrives here. */
static void reason_given(struct tui *t, void *arg, int ok, const char *text)
{
	struct step_st *ss = top(t);
	struct irk_err err = { 0 };
	int act = *(int *)arg, rc;
	char msg[160];

	if (!ss)
		return;
	if (!ok) {
		tui_status(t, SLOT_STATUS_INFO, "cancelled: %.64s is as it was", ss->r.step_id);
		return;
	}
	if (!*text && act != ACT_S_RETRY) {
		tui_status(t, SLOT_STATUS_ERROR, "%s needs a reason: %.64s is as it was",
			   act == ACT_S_DENY ? "denying" : "skipping", ss->r.step_id);
		return;
	}
	switch (act) {
	case ACT_S_DENY:
		rc = play_step_deny(t->s, &t->app->actor, ss->incident_id, ss->r.step_id, text, &err);
		snprintf(msg, sizeof msg, "%.64s of %s denied", ss->r.step_id, ss->key);
		break;
	case ACT_S_RETRY:
		rc = play_step_retry(t->s, &t->app->actor, ss->incident_id, ss->r.step_id, text, &err);
		snprintf(msg, sizeof msg, "%.64s of %s will run again", ss->r.step_id, ss->key);
		if (ss->kind == KIND_APPROVAL)
			snprintf(msg, sizeof msg, "%.64s of %s is asked again", ss->r.step_id, ss->key);
		break;
	default:
		rc = play_step_skip(t->s, &t->app->actor, ss->incident_id, ss->r.step_id, text, &err);
		snprintf(msg, sizeof msg, "%.64s of %s skipped", ss->r.step_id, ss->key);
	}
	outcome(t, rc, &err, msg);
}

static void ask_reason(struct tui *t, struct step_st *ss, int act)
{
	int *arg;
	char label[300];

	if (!may(t, ss, act == ACT_S_DENY ? PLAY_DENY : act == ACT_S_RETRY ? PLAY_RETRY : PLAY_SKIP))
		return;
	arg = xmalloc(sizeof *arg);
	*arg = act;
	snprintf(label, sizeof label, act == ACT_S_DENY ? "Deny %.64s of %s: why?" :
		 act == ACT_S_RETRY ? "Retry %.64s of %s now. Why (may stay empty)?" :
		 "Skip %.64s of %s: why?", ss->r.step_id, ss->key);
	tui_prompt(t, label, NULL, reason_given, arg, 1);
}

/* After d asked for input i: done goes on once it has a value; a
 * cancelled question leaves the step as it was. */
static void done_goes_on(struct tui *t, struct step_st *ss, int i, int given)
{
	if (!ss->done_after)
		return;
	ss->done_after = 0;
	if (given && ss->val[i] && *ss->val[i])
		ask_done(t, ss);
	else
		tui_status(t, SLOT_STATUS_INFO, "not marked done: input %.64s is empty", ss->in.v[i].name);
}

static void input_given(struct tui *t, void *arg, int ok, const char *text)
{
	struct step_st *ss = top(t);
	int i = *(int *)arg;

	if (!ss || i >= ss->in.n)
		return;
	if (!ok) {
		done_goes_on(t, ss, i, 0);
		return;
	}
	set_value(ss, i, text);
	/* A value the play would refuse keeps the cursor on its field. */
	if (check_input(t, ss, i)) {
		ss->done_after = 0;
		return;
	}
	want_next(ss, DOC_INPUT, i);
	build(t, ss, ss->width);
	done_goes_on(t, ss, i, 1);
}

/* A choice was picked from the menu (the last item of an optional
 * input's menu empties it). */
static void choice_given(struct tui *t, void *arg, int index)
{
	struct step_st *ss = top(t);
	int i = *(int *)arg;

	if (!ss || i >= ss->in.n)
		return;
	if (index < 0) {
		done_goes_on(t, ss, i, 0);
		return;
	}
	set_value(ss, i, index < ss->in.v[i].nchoices ? ss->in.v[i].choices[index] : NULL);
	want_next(ss, DOC_INPUT, i);
	build(t, ss, ss->width);
	done_goes_on(t, ss, i, 1);
}

/* The index of input i's value among its choices; -1 when empty or not
 * one of them. */
static int choice_at(const struct step_st *ss, int i)
{
	const struct play_input *pi = &ss->in.v[i];

	for (int c = 0; ss->val[i] && c < pi->nchoices; c++)
		if (!strcasecmp(pi->choices[c], ss->val[i]))
			return c;
	return -1;
}

static int inputs_open(struct tui *t, const struct step_st *ss)
{
	if (is_open(ss))
		return 1;
	tui_status(t, SLOT_STATUS_ERROR, "%.64s is %s: its inputs can no longer change",
		   ss->r.step_id, step_state_name(ss->r.state));
	return 0;
}

/* Enter on an input: a menu of its choices (on the one it holds), or a
 * one-line prompt holding what was typed. */
static void edit_input(struct tui *t, struct step_st *ss, int i)
{
	const struct play_input *pi = &ss->in.v[i];
	struct strbuf label = STRBUF_INIT;
	int *arg;

	if (!inputs_open(t, ss))
		return;
	arg = xmalloc(sizeof *arg);
	*arg = i;
	strbuf_printf(&label, "%s%s%s%s", pi->name, pi->required ? " (required)" : "",
		      pi->label ? ": " : "", pi->label ? pi->label : "");
	if (pi->nchoices) {
		const char **items = xcalloc((size_t)pi->nchoices + 2, sizeof *items);
		int n = 0, cur = choice_at(ss, i);
		for (int c = 0; c < pi->nchoices; c++)
			items[n++] = pi->choices[c];
		if (!pi->required)
			items[n++] = "(leave it empty)";
		tui_menu(t, strbuf_str(&label), items, n, cur >= 0 ? cur : !ss->val[i] && !pi->required ?
			 n - 1 : 0, choice_given, arg, 1);
		free(items);
	} else {
		if (pi->pattern)
			strbuf_printf(&label, "%spattern %s", pi->label ? "; " : ": ", pi->pattern);
		tui_prompt(t, strbuf_str(&label), ss->val[i], input_given, arg, 1);
	}
	strbuf_free(&label);
}

/* The input under the cursor when it has choices, else -1. */
static int choice_line(const struct step_st *ss)
{
	const struct doc_line *l = ss->d.n ? &ss->d.lines[ss->d.cur] : NULL;

	if (!l || l->kind != DOC_INPUT || l->ref >= ss->in.n || !ss->in.v[l->ref].nchoices ||
	    !is_open(ss) || ss->kind != KIND_MANUAL)
		return -1;
	return (int)l->ref;
}

/* Left/Right on an input with choices: the previous or next one; an
 * optional input is empty between the last and the first. */
static void cycle_choice(struct tui *t, struct step_st *ss, int dir)
{
	int i = choice_line(ss), c, m;
	char k[32];

	if (i < 0) {
		keymap_first(&t->km, dir > 0 ? ACT_S_NEXT_CHOICE : ACT_S_PREV_CHOICE, k, sizeof k);
		tui_status(t, SLOT_STATUS_ERROR, "%s picks a choice on an input that has choices: "
			   "put the cursor on one", k[0] ? k : "it");
		return;
	}
	m = ss->in.v[i].nchoices + !ss->in.v[i].required;
	c = choice_at(ss, i);
	if (c < 0)
		c = ss->val[i] || ss->in.v[i].required ? (dir > 0 ? -1 : m) : ss->in.v[i].nchoices;
	c = ((c + dir) % m + m) % m;
	set_value(ss, i, c < ss->in.v[i].nchoices ? ss->in.v[i].choices[c] : NULL);
	build(t, ss, ss->width);
}

/* Everything the step produced, for the pager (raw: the pager sanitizes).
 * A log's members are shown one by one, its text members (standard output
 * and error) as the text they are, so an escape sequence a program printed
 * shows as the visible escape, never as what it would do. */
static void output_text(const struct step_st *ss, struct strbuf *out)
{
	const struct step_row *r = &ss->r;
	struct jdoc j;
	struct jdoc_error je;
	char *ind;

	if (r->error && *r->error)
		strbuf_printf(out, "Error\n  %s\n\n", r->error);
	if (r->output && strcmp(r->output, "{}")) {
		ind = pager_indent_json(r->output);
		strbuf_printf(out, "Output\n%.*s\n\n", PAGER_MAX, ind);
		free(ind);
	}
	if (r->inputs && strcmp(r->inputs, "{}")) {
		ind = pager_indent_json(r->inputs);
		strbuf_printf(out, "Recorded inputs\n%s\n\n", ind);
		free(ind);
	}
	jdoc_init(&j);
	if (r->log && strcmp(r->log, "{}") && !jdoc_parse(&j, r->log, strlen(r->log), &je) &&
	    jdoc_type(&j, 0) == JD_OBJECT) {
		strbuf_puts(out, "Log\n");
		for (int v = jdoc_first(&j, 0); v >= 0; v = jdoc_next(&j, 0, v)) {
			const char *s = jdoc_str(&j, v);
			if (s && strchr(s, '\n'))
				continue;
			strbuf_printf(out, "  %s: ", jdoc_str(&j, v - 1));
			if (s)
				strbuf_puts(out, s);
			else
				jdoc_canonical(&j, v, out);
			strbuf_addc(out, '\n');
		}
		/* Text with lines last, each under its name. */
		for (int v = jdoc_first(&j, 0); v >= 0; v = jdoc_next(&j, 0, v)) {
			const char *s = jdoc_str(&j, v);
			size_t n;
			if (!s || !strchr(s, '\n'))
				continue;
			n = strlen(s);
			strbuf_printf(out, "\n%s\n", jdoc_str(&j, v - 1));
			strbuf_add(out, s, n < PAGER_MAX ? n : PAGER_MAX);
			strbuf_addc(out, '\n');
		}
	} else if (r->log && strcmp(r->log, "{}")) {
		strbuf_printf(out, "Log\n%.*s\n", PAGER_MAX, r->log);
	}
	jdoc_free(&j);
	if (!out->len)
		strbuf_puts(out, "This step has no output yet.");
}

static void show_output(struct tui *t, struct step_st *ss)
{
	struct strbuf sb = STRBUF_INIT;
	struct pager_arg pa = { 0 };
	char title[160];

	output_text(ss, &sb);
	snprintf(title, sizeof title, " %s step %.64s: output", ss->key, ss->r.step_id);
	pa.title = title;
	pa.text = strbuf_str(&sb);
	tui_push(t, &pager_screen, &pa);
	strbuf_free(&sb);
}

/* The action for a button line, or what Enter means on the line. */
static void run(struct tui *t, struct step_st *ss, int act, const struct doc_line *l)
{
	switch (act) {
	case ACT_S_TICK: tick(t, ss, l); break;
	case ACT_S_DONE: ask_done(t, ss); break;
	case ACT_S_APPROVE: approve(t, ss); break;
	case ACT_S_DENY: case ACT_S_RETRY: case ACT_S_SKIP: ask_reason(t, ss, act); break;
	case ACT_S_OUTPUT: show_output(t, ss); break;
	}
}

static void select_line(struct tui *t, struct step_st *ss, const struct doc_line *l)
{
	if (l && l->kind == DOC_CHECK)
		run(t, ss, ACT_S_TICK, l);
	else if (l && l->kind == DOC_INPUT)
		edit_input(t, ss, (int)l->ref);
	else if (l && l->kind == DOC_BUTTON)
		run(t, ss, (int)l->ref, l);
	else if (l && l->kind == DOC_OUTPUT)
		show_output(t, ss);
	else
		tui_status(t, SLOT_STATUS_ERROR, "Enter works on an item, an input, a button or the output "
			   "(Tab jumps to the next)");
}

/* The next (dir 1) or previous (-1) item, input or button. */
static void next_field(struct step_st *ss, int dir, int height)
{
	size_t i = ss->d.cur;

	while (dir > 0 ? i + 1 < ss->d.n : i > 0) {
		i = dir > 0 ? i + 1 : i - 1;
		if (actionable(&ss->d.lines[i]) && ss->d.lines[i].label && ss->d.lines[i].label[0]) {
			ss->d.cur = i;
			doc_move(&ss->d, 0, height);
			return;
		}
	}
}

/* ---- the screen ---------------------------------------------------------------------------- */

static void *open_step(struct tui *t, const void *arg)
{
	const struct step_arg *sa = arg;
	struct step_st *ss = xcalloc(1, sizeof *ss);
	struct irk_err err = { 0 };

	ss->incident_id = sa->incident_id;
	ss->row = sa->row;
	incident_key(ss->incident_id, ss->key, sizeof ss->key);
	doc_init(&ss->d, "");
	if (load(t, ss, &err)) {
		tui_report(t, &err);
		store_step_row_clear(&ss->r);
		items_free(ss);
		fields_free(ss);
		doc_free(&ss->d);
		free(ss);
		return NULL;
	}
	build(t, ss, t->width);
	return ss;
}

static void draw(struct tui *t, void *st, int width, int height, struct frame *f)
{
	struct step_st *ss = st;

	if (width != ss->width)
		build(t, ss, width);
	doc_frame(&ss->d, width, height, 1, f);
}

/* Typed inputs live on this screen only: leaving loses them, so the first
 * q says so and the second leaves. */
static int leave(struct tui *t, struct step_st *ss)
{
	int typed = 0;
	char k[32];

	for (int i = 0; ss->have && is_open(ss) && i < ss->in.n; i++)
		typed |= ss->val[i] != NULL;
	if (!typed || ss->warned)
		return SCR_CLOSE;
	ss->warned = 1;
	keymap_first(&t->km, ACT_S_DONE, k, sizeof k);
	tui_status(t, SLOT_STATUS_ERROR, "the inputs you typed are not saved until the step is done "
		   "(%s): press it again to leave without them", k[0] ? k : "step-done");
	return SCR_HANDLED;
}

/* The step done, the incident moves on from here: back on the incident
 * screen, the move asked for as L there would (its gate, its confirm).
 * Typed inputs not yet recorded keep the screen open (q says so). */
static int move_on(struct tui *t, struct step_st *ss)
{
	struct irk_err err = { 0 };
	struct incident inc;
	int r = leave(t, ss);

	if (!(r & SCR_CLOSE))
		return r;
	if (store_incident_get(t->s, ss->incident_id, &inc, &err)) {
		tui_report(t, &err);
		return r;
	}
	tui_move(t, ss->incident_id, inc.version, inc.stage, 1);
	incident_clear(&inc);
	return r;
}

static int key(struct tui *t, void *st, int act, int k)
{
	struct step_st *ss = st;
	const struct doc_line *l = ss->d.n ? &ss->d.lines[ss->d.cur] : NULL;

	/* Space ticks an item; anywhere else it pages, as everywhere. */
	if (act == ACT_S_TICK && (!l || l->kind != DOC_CHECK) &&
	    keymap_lookup(&t->km, CTX_GLOBAL, k) == ACT_PAGE_DOWN)
		act = ACT_PAGE_DOWN;
	if (act == ACT_QUIT || act == ACT_BACK)
		return leave(t, ss);
	if (act == ACT_S_MOVE_NEXT && ss->have)
		return move_on(t, ss);
	ss->warned = 0;
	if (pager_key(&ss->d, act, t->area_h, 1) == SCR_HANDLED)
		return SCR_HANDLED;
	if (!ss->have)
		return SCR_IGNORED;
	switch (act) {
	case ACT_S_SELECT:
		select_line(t, ss, l);
		return SCR_HANDLED;
	case ACT_S_NEXT_FIELD:
	case ACT_S_PREV_FIELD:
		next_field(ss, act == ACT_S_NEXT_FIELD ? 1 : -1, t->area_h);
		return SCR_HANDLED;
	case ACT_S_TICK: case ACT_S_DONE: case ACT_S_APPROVE: case ACT_S_DENY:
	case ACT_S_RETRY: case ACT_S_SKIP: case ACT_S_OUTPUT:
		run(t, ss, act, l);
		return SCR_HANDLED;
	case ACT_S_NEXT_CHOICE:
	case ACT_S_PREV_CHOICE:
		cycle_choice(t, ss, act == ACT_S_NEXT_CHOICE ? 1 : -1);
		return SCR_HANDLED;
	}
	return SCR_IGNORED;
}

static void reload(struct tui *t, void *st)
{
	reread(t, st);
}

static int click(struct tui *t, void *st, int y, int x, int wheel)
{
	struct step_st *ss = st;

	(void)x;
	return pager_click(&ss->d, y, wheel, t->area_h, 1);
}

static void done(void *st)
{
	struct step_st *ss = st;

	store_step_row_clear(&ss->r);
	items_free(ss);
	fields_free(ss);
	doc_free(&ss->d);
	free(ss);
}

const struct screen_ops step_screen = {
	.name = "step",
	.ctx = CTX_STEP,
	.open = open_step,
	.draw = draw,
	.key = key,
	.reload = reload,
	.click = click,
	.done = done,
	.hints = hints,
};
