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
 *  - closing needs a resolution and goes through incident_close();
 *  - an incident someone holds is theirs: an analyst may not move, close
 *    or set fields of one someone else holds (notes stay open to all); a
 *    senior or admin may, and the event then names the holder ("held_by";
 *    an owner change names the "previous_owner"). One nobody holds is open
 *    to all;
 *  - claiming an incident someone else holds is refused unless forced by a
 *    senior;
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

/* May who change incident id (move, close, set)? IRK_OK, or IRK_REFUSED
 * naming the holder ("IR-431 is held by dana; ..."), IRK_NOTFOUND. A front
 * end asks this before it prompts for a reason or a resolution; the
 * change itself checks again. */
int incident_may_change(struct store *s, const struct actor *who, int64_t id,
		struct irk_err *err);

int incident_claim(struct store *s, const struct actor *who, int64_t id,
		int64_t expect_version, int force, struct irk_err *err);
int incident_move(struct store *s, const struct actor *who, int64_t id, int to,
		const char *reason, int force, int64_t expect_version, struct irk_err *err);
int incident_note(struct store *s, const struct actor *who, int64_t id,
		const char *text, struct irk_err *err);
/* assignments: "field=value" strings (see incident_fields in model.h). All
 * are validated before anything is written. */
int incident_set(struct store *s, const struct actor *who, int64_t id,
		char *const *assignments, int n, int64_t expect_version,
		struct irk_err *err);
int incident_close(struct store *s, const struct actor *who, int64_t id,
		int resolution, const char *reason, int force, int64_t expect_version,
		struct irk_err *err);

/* What a context source knows (irk/context.h) fills the incident where
 * it says nothing: criticality (1..4) sets asset_criticality when that is
 * unknown (0), and the priority is computed again; unit sets
 * business_unit when it has none. Never overrides what a person set. One
 * event incident.context by actor naming source, only when something
 * changed (*changed, may be NULL). */
int incident_fill(struct store *s, const char *actor, int64_t id, const char *source,
		int criticality, const char *unit, int *changed, struct irk_err *err);

/* The gate: names of required steps of stage that are not done or skipped,
 * comma-separated into why. Returns the number of such steps (0: open). */
int incident_gate(struct store *s, int64_t id, int stage, struct strbuf *why,
		struct irk_err *err);

#endif
