/* incident.h: the lifecycle rules. Every change to an incident made by a
 * person goes through here: one transaction that checks the rules, writes
 * the incident (optimistic concurrency), the stage history and an audit
 * event. Front ends call these; they never write incidents themselves.
 *
 * Rules (DESIGN.md "Lifecycle"):
 *  - stages move forward freely while the current stage has no required
 *    step that is not done or skipped; otherwise the move is refused naming
 *    the steps, unless a senior (or admin) forces it with a reason;
 *  - moving back is allowed with a reason and counted (back_moves; moving
 *    out of closed also counts as a reopen and clears the resolution);
 *    moving back by the person who made the last move, within
 *    INCIDENT_UNDO_SECONDS of it, is an undo: no reason needed, not
 *    counted (the history says "undo");
 *  - closing needs a resolution and goes through incident_close(); a
 *    close as true-positive is refused while required steps of later
 *    stages are open (they would be skipped), unless a senior forces it
 *    with a reason; other resolutions close from where the incident is;
 *  - an incident someone holds is theirs: an analyst may not move, close
 *    or set fields of one someone else holds (notes stay open to all); a
 *    senior or admin may, and the event then names the holder ("held_by";
 *    an owner change names the "previous_owner"). One nobody holds is open
 *    to all;
 *  - claiming an incident someone else holds is refused unless a senior
 *    takes it over with a reason (incident_takeover()); the one who held
 *    it gets a message (so does one whose incident a senior gives away
 *    through set owner=);
 *  - the same holder's rule covers the play's steps: done, retry and skip
 *    (play_step_may()); approvals are decided by their role;
 *  - when the users table has users, an owner must be one of them;
 *  - acknowledged = first claim or first move out of new; contained = first
 *    move past containment; resolved = first move to lessons-learned or
 *    closed; closed = move to closed.
 * expect_version (> 0) makes the call fail with IRK_CONFLICT when the
 * incident changed since the caller loaded it ("changed by X since...");
 * 0 means "whatever is stored now". */
#ifndef IRK_INCIDENT_H
#define IRK_INCIDENT_H

#include <stdint.h>

#include "irk/err.h"
#include "irk/model.h"
#include "irk/strbuf.h"

struct store;

struct actor {
	char name[64];
	int role;           /* enum role; unregistered users are analysts */
};

/* The acting user (identity_name()) and their role from the users table. */
void actor_load(struct store *s, struct actor *a);
/* Nonzero when the actor is senior or admin. */
int actor_is_senior(const struct actor *a);

/* Create inc (stage new) as actor: history row and audit event
 * incident.open with extra_json merged in (may be NULL). Runs inside the
 * caller's transaction (ingest batches many). */
int incident_open(struct store *s, const char *actor, struct incident *inc,
		const char *extra_json, struct irk_err *err);

/* A new incident by hand (a report from a person, irk new): inc's title
 * and severity are required, host (an observable too) and
 * business_unit optional; detected now. Opened (incident_open()) and,
 * when p is given, the play assigned, in one transaction of its own.
 * inc->id is the new incident's. */
struct play;
int incident_create(struct store *s, const struct actor *who, struct incident *inc,
		const struct play *p, struct irk_err *err);
/* incident_create() for an incident a play opens from incident parent
 * (an open step: one per other host found), linked as parent's child in
 * the same transaction, its host observable's source "play". */
int incident_create_child(struct store *s, const struct actor *who, int64_t parent,
		struct incident *inc, const struct play *p, struct irk_err *err);

/* May who change incident id (move, close, set)? IRK_OK, or IRK_REFUSED
 * naming the holder ("IR-431 is held by dana; ..."), IRK_NOTFOUND. A front
 * end asks this before it prompts for a reason or a resolution; the
 * change itself checks again. */
int incident_may_change(struct store *s, const struct actor *who, int64_t id,
		struct irk_err *err);
/* The holder's rule on a loaded incident (incident_may_change() without
 * the read): IRK_OK or IRK_REFUSED naming the holder. The play layer
 * applies it to done, retry and skip of steps too. */
int incident_holder_check(const struct actor *who, const struct incident *inc,
		struct irk_err *err);

/* Claim id. force on one someone else holds is a takeover, which needs a
 * reason: IRK_INVALID with NEED_REASON here (incident_takeover()). */
int incident_claim(struct store *s, const struct actor *who, int64_t id,
		int64_t expect_version, int force, struct irk_err *err);
/* A senior takes id over from its holder, saying why: audited with the
 * reason, and the holder is sent a message ("IR-7 was taken over from
 * you by dana: on leave"). */
int incident_takeover(struct store *s, const struct actor *who, int64_t id,
		int64_t expect_version, const char *reason, struct irk_err *err);
int incident_move(struct store *s, const struct actor *who, int64_t id, int to,
		const char *reason, int force, int64_t expect_version, struct irk_err *err);
int incident_note(struct store *s, const struct actor *who, int64_t id,
		const char *text, struct irk_err *err);
/* assignments: "field=value" strings (see incident_fields in model.h). All
 * are validated before anything is written. */
int incident_set(struct store *s, const struct actor *who, int64_t id,
		char *const *assignments, int n, int64_t expect_version,
		struct irk_err *err);
/* On success with steps still unfinished, err carries IRK_OK and a
 * message naming the steps the close cancels. */
/* incident_set() as a person types it (irk set without --new): a
 * business_unit no open incident has is refused naming the nearest one
 * ("did you mean finance?"), so a typo does not start a unit of its own. */
int incident_set_known(struct store *s, const struct actor *who, int64_t id,
		char *const *assignments, int n, int64_t expect_version,
		struct irk_err *err);
int incident_close(struct store *s, const struct actor *who, int64_t id,
		int resolution, const char *reason, int force, int64_t expect_version,
		struct irk_err *err);
/* The required steps of later stages a close of id as resolution would
 * skip ("eradication: purge (not started); recovery: ..." into why, which
 * may be NULL): the
 * number (0 for every resolution but true-positive), -1 on error. A
 * front end asks this before it prompts. */
int incident_close_skips(struct store *s, int64_t id, int resolution, struct strbuf *why,
		struct irk_err *err);

/* How long after a move its author may move it back as an undo. */
#define INCIDENT_UNDO_SECONDS 60
/* Would moving id back to `to` by who be an undo (see the rules above)? */
int incident_is_undo(struct store *s, const struct actor *who, int64_t id, int to);

/* Links (irk link): 0 related, 1 duplicate, 2 parent from its name, or
 * -1. */
int incident_link_kind(const char *name);
/* Link a to b: a related to b, a duplicate of b, or a b's parent. Open to
 * all, like notes; audited on both (incident.link). */
int incident_link(struct store *s, const struct actor *who, int64_t a, int64_t b, int kind,
		struct irk_err *err);
/* Merge incident dup into incident into (irk merge): dup's alerts,
 * observables and notes move to into, dup is linked as its duplicate and
 * closed as duplicate ("merged into IR-7"; its gate does not apply: the
 * work goes on in the survivor), in one transaction. The holder's rule
 * applies to dup; neither may be closed. */
int incident_merge(struct store *s, const struct actor *who, int64_t dup, int64_t into,
		struct irk_err *err);
/* Storm grouping's fold (irk(1) STORM GROUPING), inside the caller's
 * transaction (ingest's): incident dup, one nobody touched, goes into the
 * storm incident as incident_merge() would (alerts, observables, notes,
 * link, incident.merge on the storm) and closes as duplicate "folded into
 * the storm IR-N" (history and incident.close), by actor. The caller
 * checked that nobody touched it (store_storm_foldable_each()). */
int incident_fold(struct store *s, const char *actor, int64_t dup, int64_t storm,
		struct irk_err *err);

/* What a context source knows (irk/context.h) fills the incident where
 * it says nothing: criticality (1..4) sets asset_criticality when that is
 * unknown (0), and the priority is computed again; unit sets
 * business_unit when it has none. Never overrides what a person set. One
 * event incident.context by actor naming source, only when something
 * changed (*changed, may be NULL). */
int incident_fill(struct store *s, const char *actor, int64_t id, const char *source,
		int criticality, const char *unit, int *changed, struct irk_err *err);

/* The gate: the required steps of stage that block it, each with what it
 * waits for (play_gate()), comma-separated into why. Returns the number
 * of such steps (0: open), -1 on error. */
int incident_gate(struct store *s, int64_t id, int stage, struct strbuf *why,
		struct irk_err *err);

#endif
