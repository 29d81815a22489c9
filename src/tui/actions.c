/* actions.c: the lifecycle changes the board and the incident screen
 * share: claim, move, close, note, set fields.
 *
 * Each asks what it needs in popups (a reason, a resolution), calls the
 * lifecycle layer (incident.h) with the version the screen loaded, and
 * shows the outcome on the status line. The rules live in incident.c: a
 * refusal (a gate, a missing reason) comes back as its message. When a
 * colleague changed the incident first, the call fails with IRK_CONFLICT
 * ("changed by bob since you loaded it"): that message is shown and every
 * screen reloads, so the fresh state is on screen and nothing was
 * overwritten. */
#include <stdlib.h>
#include <string.h>

#include "irk/clock.h"
#include "irk/incident.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/store.h"
#include "irk/storm.h"
#include "tui_internal.h"

struct change {
	int64_t id, version;
	int from, to, resolution;
	int force;
	char key[24];
	char reason[1024];
};

static struct change *change_new(int64_t id, int64_t version, int from, int to)
{
	struct change *ch = xcalloc(1, sizeof *ch);

	ch->id = id;
	ch->version = version;
	ch->from = from;
	ch->to = to;
	incident_key(id, ch->key, sizeof ch->key);
	return ch;
}

/* Show the outcome; the database changed, or a conflict showed that our
 * view is stale: either way every screen reloads. */
/* id: the incident acted on (the board keeps its card under the cursor
 * even when it no longer matches the filter), 0 for none. */
static void outcome_of(struct tui *t, int64_t id, int rc, const struct irk_err *err,
		       const char *done)
{
	if (!rc)
		t->acted_id = id;
	t->need_reload = 1;
	if (rc || err->msg[0])
		tui_report(t, err);
	else
		tui_status(t, SLOT_STATUS_INFO, "%s", done);
}

static void outcome(struct tui *t, int rc, const struct irk_err *err, const char *done)
{
	outcome_of(t, 0, rc, err, done);
}

/* The required steps that keep id in stage (", "-separated into why);
 * 0 when the gate is open. */
static int gate_closed(struct tui *t, int64_t id, int stage, struct strbuf *why)
{
	struct irk_err err = { 0 };
	int n = incident_gate(t->s, id, stage, why, &err);

	return n > 0 ? n : 0;
}

/* Nonzero when the actor may change id (the holder's rule); otherwise the
 * status says who holds it, before any popup asks for a reason or a
 * resolution that would be refused anyway. */
static int may_change(struct tui *t, int64_t id)
{
	struct irk_err err = { 0 };

	if (!incident_may_change(t->s, &t->app->actor, id, &err))
		return 1;
	t->need_reload = 1;    /* the card may show an owner that is stale */
	tui_report(t, &err);
	return 0;
}

/* ---- claim ------------------------------------------------------------------- */

static void takeover_reason_done(struct tui *t, void *arg, int ok, const char *text)
{
	struct change *ch = arg;
	struct irk_err err = { 0 };
	char done[64];
	int rc;

	if (!ok) {
		tui_status(t, SLOT_STATUS_INFO, "%s left with its owner", ch->key);
		return;
	}
	rc = incident_takeover(t->s, &t->app->actor, ch->id, ch->version, text, &err);
	snprintf(done, sizeof done, "%s is yours now", ch->key);
	outcome_of(t, ch->id, rc, &err, done);
}

/* Taking over says why, and the holder is told: ask for the reason. */
static void claim_force_done(struct tui *t, void *arg, int index)
{
	struct change *ch = arg, *copy;
	char label[160];

	if (index != 1) {
		tui_status(t, SLOT_STATUS_INFO, "%s left with its owner", ch->key);
		return;
	}
	copy = xmalloc(sizeof *copy);
	*copy = *ch;
	snprintf(label, sizeof label, "Take %s over: why? (its holder is told)", ch->key);
	tui_prompt(t, label, NULL, takeover_reason_done, copy, 1);
}

void tui_claim(struct tui *t, int64_t id, int64_t version)
{
	struct irk_err err = { 0 };
	struct incident inc;
	char done[64], key[24], title[160];
	int rc;

	incident_key(id, key, sizeof key);
	/* A senior may take over an incident someone else holds: ask first. */
	if (actor_is_senior(&t->app->actor) && !store_incident_get(t->s, id, &inc, &err)) {
		int held = inc.owner && strcmp(inc.owner, t->app->actor.name) && inc.stage != STAGE_CLOSED;
		if (held) {
			static const char *const items[] = { "Leave it", "Take it over" };
			snprintf(title, sizeof title, "%s is held by %s", key, inc.owner);
			incident_clear(&inc);
			tui_menu(t, title, items, 2, 0, claim_force_done, change_new(id, version, -1, -1), 1);
			return;
		}
		incident_clear(&inc);
	}
	rc = incident_claim(t->s, &t->app->actor, id, version, 0, &err);
	snprintf(done, sizeof done, "%s is yours", key);
	outcome_of(t, id, rc, &err, done);
}

/* ---- move and close ---------------------------------------------------------- */

static void apply(struct tui *t, struct change *ch)
{
	struct irk_err err = { 0 };
	char done[160];
	int rc;

	if (ch->to == STAGE_CLOSED) {
		rc = incident_close(t->s, &t->app->actor, ch->id, ch->resolution,
				    ch->reason[0] ? ch->reason : NULL, ch->force, ch->version, &err);
		snprintf(done, sizeof done, "%s closed as %s%s", ch->key, resolution_name(ch->resolution),
			 ch->force ? " (gate forced)" : "");
	} else {
		rc = incident_move(t->s, &t->app->actor, ch->id, ch->to, ch->reason[0] ? ch->reason : NULL,
				   ch->force, ch->version, &err);
		snprintf(done, sizeof done, "%s moved to %s%s", ch->key, stage_title(ch->to),
			 ch->force ? " (gate forced)" : "");
		/* Remembered for the next move's confirmation (L L); a move
		 * back starts afresh. */
		if (!rc) {
			t->last_move_id = ch->to > ch->from ? ch->id : 0;
			t->last_move_at = irk_now();
		}
	}
	outcome_of(t, ch->id, rc, &err, done);
}

static void force_done(struct tui *t, void *arg, int ok, const char *text)
{
	struct change *ch = arg;

	if (!ok) {
		tui_status(t, SLOT_STATUS_INFO, "%s stays in %s", ch->key, stage_title(ch->from));
		return;
	}
	irk_strlcpy(ch->reason, text, sizeof ch->reason);
	ch->force = 1;
	apply(t, ch);
}

/* A forward move or a close: through the gate. A senior facing a closed
 * gate is asked for a reason to force it; anyone else gets the refusal
 * from the lifecycle layer, which names the steps. The change is owned by
 * the caller's popup, so a copy goes to the next one. */
static void forward(struct tui *t, struct change *ch)
{
	struct strbuf why = STRBUF_INIT;
	int n;

	if (actor_is_senior(&t->app->actor) && (n = gate_closed(t, ch->id, ch->from, &why))) {
		struct strbuf label = STRBUF_INIT;
		struct change *copy = xmalloc(sizeof *copy);
		*copy = *ch;
		strbuf_printf(&label, "%s cannot leave %s: required step%s not done: %s. "
			      "Reason to force it past the gate (Esc: leave it):", ch->key,
			      stage_title(ch->from), n > 1 ? "s" : "", strbuf_str(&why));
		tui_prompt(t, strbuf_str(&label), NULL, force_done, copy, 1);
		strbuf_free(&label);
		strbuf_free(&why);
		return;
	}
	strbuf_free(&why);
	apply(t, ch);
}

static void back_reason_done(struct tui *t, void *arg, int ok, const char *text)
{
	struct change *ch = arg;

	if (!ok) {
		tui_status(t, SLOT_STATUS_INFO, "%s stays in %s", ch->key, stage_title(ch->from));
		return;
	}
	/* An empty reason goes to the lifecycle layer, which refuses it and
	 * says why: one rule, one message. */
	irk_strlcpy(ch->reason, text, sizeof ch->reason);
	apply(t, ch);
}

static void close_reason_done(struct tui *t, void *arg, int ok, const char *text)
{
	struct change *ch = arg;

	if (!ok) {
		tui_status(t, SLOT_STATUS_INFO, "%s stays open", ch->key);
		return;
	}
	irk_strlcpy(ch->reason, text, sizeof ch->reason);
	apply(t, ch);
}

/* The resolution is chosen: what the close would skip is known before
 * anything else is asked. An analyst facing required steps gets the
 * refusal (it names them) and no prompt; a senior is asked for the reason
 * to force it, with the steps in the question; else an optional reason. */
static void close_res_done(struct tui *t, void *arg, int index)
{
	struct change *ch = arg, *copy;
	struct strbuf why = STRBUF_INIT, label = STRBUF_INIT;
	struct irk_err err = { 0 };
	int n;

	if (index < 0) {
		tui_status(t, SLOT_STATUS_INFO, "%s stays open", ch->key);
		return;
	}
	ch->resolution = RES_TRUE_POSITIVE + index;
	if ((n = gate_closed(t, ch->id, ch->from, &why)))
		strbuf_printf(&label, "%s cannot leave %s: required step%s not done: %s.", ch->key,
			      stage_title(ch->from), n > 1 ? "s" : "", strbuf_str(&why));
	else if ((n = incident_close_skips(t->s, ch->id, ch->resolution, &why, &err)) > 0)
		strbuf_printf(&label, "Closing %s as true-positive skips required step%s: %s.",
			      ch->key, n > 1 ? "s" : "", strbuf_str(&why));
	strbuf_free(&why);
	if (n > 0 && !actor_is_senior(&t->app->actor)) {
		strbuf_free(&label);
		apply(t, ch);
		return;
	}
	copy = xmalloc(sizeof *copy);
	*copy = *ch;
	if (n > 0) {
		strbuf_puts(&label, " Reason to force it (Esc: leave it):");
		tui_prompt(t, strbuf_str(&label), NULL, force_done, copy, 1);
	} else {
		strbuf_printf(&label, "Closing %s as %s. Reason (optional):", ch->key,
			      resolution_name(ch->resolution));
		tui_prompt(t, strbuf_str(&label), NULL, close_reason_done, copy, 1);
	}
	strbuf_free(&label);
}

void tui_resolve(struct tui *t, int64_t id, int64_t version, int from)
{
	const char *items[RES_COUNT];
	char title[64], key[24];
	int n = 0;

	incident_key(id, key, sizeof key);
	if (from == STAGE_CLOSED) {
		tui_status(t, SLOT_STATUS_ERROR, "%s is closed already", key);
		return;
	}
	if (!may_change(t, id))
		return;
	for (int r = RES_TRUE_POSITIVE; r < RES_COUNT; r++)
		items[n++] = resolution_name(r);
	snprintf(title, sizeof title, "Close %s as", key);
	tui_menu(t, title, items, n, 0, close_res_done, change_new(id, version, from, STAGE_CLOSED), 1);
}

static void move_confirm_done(struct tui *t, void *arg, int index)
{
	struct change *ch = arg;

	if (index != 1) {
		tui_status(t, SLOT_STATUS_INFO, "%s stays in %s", ch->key, stage_title(ch->from));
		return;
	}
	t->last_move_id = 0;
	forward(t, ch);
}

void tui_move(struct tui *t, int64_t id, int64_t version, int from, int dir)
{
	int to = from + dir;
	struct change *ch;
	char label[200];

	if (from == STAGE_CLOSED && dir > 0) {
		char key[24];
		tui_status(t, SLOT_STATUS_ERROR, "%s is closed; move it back to reopen it",
			   incident_key(id, key, sizeof key));
		return;
	}
	if (to < 0) {
		char key[24];
		tui_status(t, SLOT_STATUS_ERROR, "%s is in %s, the first stage",
			   incident_key(id, key, sizeof key), stage_title(from));
		return;
	}
	if (to == STAGE_CLOSED) {
		tui_resolve(t, id, version, from);
		return;
	}
	if (!may_change(t, id))
		return;
	ch = change_new(id, version, from, to);
	if (dir < 0 && incident_is_undo(t->s, &t->app->actor, id, to)) {
		apply(t, ch);      /* one's own move a moment ago: an undo, not counted */
		free(ch);
		return;
	}
	if (dir < 0) {
		snprintf(label, sizeof label, "Move %s back from %s to %s. Why? (needed; it is counted)",
			 ch->key, stage_title(from), stage_title(to));
		tui_prompt(t, label, NULL, back_reason_done, ch, 1);
		return;
	}
	/* Leaving containment is a step a repeated key must not take alone,
	 * nor a second stage within seconds of the first. */
	if (from == STAGE_CONTAINMENT ||
	    (t->last_move_id == id && irk_now() - t->last_move_at < TUI_CONFIRM_SECONDS)) {
		static const char *const items[] = { "Stay", "Move" };
		char title[160];
		snprintf(title, sizeof title, "Move %s from %s to %s?", ch->key, stage_title(from),
			 stage_title(to));
		tui_menu(t, title, items, 2, 0, move_confirm_done, ch, 1);
		return;
	}
	forward(t, ch);
	free(ch);
}

/* ---- a new incident by hand --------------------------------------------------- */

static void new_severity_done(struct tui *t, void *arg, int index)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };
	char done[160], key[24];
	int rc;

	if (index < 0) {
		tui_status(t, SLOT_STATUS_INFO, "no incident opened");
		return;
	}
	inc.title = xstrdup(arg);
	inc.severity = SEV_CRITICAL - index;
	rc = incident_create(t->s, &t->app->actor, &inc, NULL, &err);
	snprintf(done, sizeof done, "%s opened in New (%s)", incident_key(inc.id, key, sizeof key),
		 severity_name(inc.severity));
	incident_clear(&inc);
	outcome(t, rc, &err, done);
}

static void new_title_done(struct tui *t, void *arg, int ok, const char *text)
{
	static const char *const items[] = { "critical", "high", "medium", "low" };

	(void)arg;
	if (!ok || !*text) {
		tui_status(t, SLOT_STATUS_INFO, "no incident opened");
		return;
	}
	tui_menu(t, "Severity", items, 4, 1, new_severity_done, xstrdup(text), 1);
}

void tui_new_incident(struct tui *t)
{
	tui_prompt(t, "New incident (a report from a person). Title:", NULL, new_title_done, NULL, 0);
}

/* ---- notes and fields -------------------------------------------------------- */

static void note_done(struct tui *t, void *arg, int ok, const char *text)
{
	struct change *ch = arg;
	struct irk_err err = { 0 };
	char done[64];
	int rc;

	if (!ok)
		return;
	rc = incident_note(t->s, &t->app->actor, ch->id, text, &err);
	snprintf(done, sizeof done, "note added to %s", ch->key);
	outcome(t, rc, &err, done);
}

static void split_done(struct tui *t, void *arg, int ok, const char *text)
{
	struct change *ch = arg;
	struct irk_err err = { 0 };
	struct play_catalog plays;
	char done[160], key[24];
	int64_t new_id = 0;
	int rc;

	if (!ok)
		return;
	/* The new incident gets its play as ingest would give it one; a
	 * play file with errors is left out, as ingest leaves it. */
	play_catalog_load(&plays, t->app->cfg, &err);
	irk_err_clear(&err);
	rc = play_catalog_register(t->s, &plays, &err);
	if (!rc)
		rc = storm_split(t->s, &t->app->actor, ch->id, text,
				 plays.n ? play_on_new_incident : NULL, &plays, &new_id, &err);
	play_catalog_free(&plays);
	snprintf(done, sizeof done, "%s: %.80s split out of %s",
		 incident_key(new_id, key, sizeof key), text, ch->key);
	outcome(t, rc, &err, done);
}

void tui_split(struct tui *t, int64_t id, int storm, const char *host)
{
	struct change *ch;
	char label[160], key[24];

	if (!storm) {
		tui_status(t, SLOT_STATUS_ERROR, "%s is not a storm incident: only a storm's hosts "
			   "can be split out", incident_key(id, key, sizeof key));
		return;
	}
	if (!may_change(t, id))
		return;
	ch = change_new(id, 0, -1, -1);
	snprintf(label, sizeof label, "Split which host out of %s? (one of its observables of "
		 "type host)", ch->key);
	tui_prompt(t, label, host, split_done, ch, 1);
}

void tui_note(struct tui *t, int64_t id)
{
	struct change *ch = change_new(id, 0, -1, -1);
	char label[64];

	snprintf(label, sizeof label, "Note on %s:", ch->key);
	tui_prompt(t, label, NULL, note_done, ch, 1);
}

/* Nonzero when the assignment starting at a sets a free-text field. */
static int text_value(const char *a)
{
	char name[64];
	size_t len = strcspn(a, "=");
	const struct field_def *f;

	if (!a[len] || len >= sizeof name)
		return 1;
	memcpy(name, a, len);
	name[len] = '\0';
	f = incident_field_find(name);
	return !f || f->kind == FK_TITLE || f->kind == FK_PROSE || f->kind == FK_TEXT;
}

int tui_split_assignments(char *buf, char **out, int max)
{
	char *p = buf;
	int n = 0;

	while (*p == ' ')
		p++;
	if (!*p || max <= 0)
		return 0;
	out[n++] = p;
	for (; *p; p++) {
		char name[64], *q;
		size_t len;
		if (*p != ' ')
			continue;
		q = p;
		while (*q == ' ')
			q++;
		len = strcspn(q, "= ");
		if (q[len] != '=' || len == 0 || len >= sizeof name)
			continue;
		memcpy(name, q, len);
		name[len] = '\0';
		/* A known field starts a new assignment. An unknown NAME= does
		 * too (so a typo is reported), except inside a text value,
		 * which may hold "a=b" ("title=cmd.exe /c x=1"). */
		if (n == max || (!incident_field_find(name) && text_value(out[n - 1])))
			continue;
		*p = '\0';
		out[n++] = q;
		p = q;
	}
	for (int i = 0; i < n; i++) {
		size_t l = strlen(out[i]);
		while (l && out[i][l - 1] == ' ')
			out[i][--l] = '\0';
	}
	return n;
}

static void edit_done(struct tui *t, void *arg, int ok, const char *text)
{
	struct change *ch = arg;
	struct irk_err err = { 0 };
	char *buf, *as[32], done[64];
	int n, rc;

	if (!ok)
		return;
	buf = xstrdup(text);
	n = tui_split_assignments(buf, as, 32);
	rc = incident_set(t->s, &t->app->actor, ch->id, as, n, ch->version, &err);
	snprintf(done, sizeof done, "%s updated", ch->key);
	outcome(t, rc, &err, done);
	free(buf);
}

void tui_edit(struct tui *t, int64_t id, int64_t version)
{
	struct change *ch;
	struct strbuf label = STRBUF_INIT;

	if (!may_change(t, id))
		return;
	ch = change_new(id, version, -1, -1);
	strbuf_printf(&label, "Set fields of %s as FIELD=VALUE ... (e.g. severity=high "
		      "business_unit=finance). Fields:", ch->key);
	for (const struct field_def *f = incident_fields; f->name; f++)
		strbuf_printf(&label, " %s", f->name);
	tui_prompt(t, strbuf_str(&label), NULL, edit_done, ch, 1);
	strbuf_free(&label);
}
