/* play_impl.h: shared by the files of src/play/ only.
 *
 * The planner and the actions work on owned copies of step rows (the
 * store lends rows only for the length of a callback) and on the parts of
 * a step's stored definition they need (needs, when, role, inputs). The
 * definition is the step object as the play version had it, so a running
 * incident never depends on the play file again. */
#ifndef IRK_PLAY_IMPL_H
#define IRK_PLAY_IMPL_H

#include "irk/guess.h"
#include "irk/play.h"
#include "irk/store.h"

/* An incident's steps, owned. unsaved: laid out by the planner and not
 * stored yet (a new incident's): changes are audited, and the rows are
 * INSERTed once planning is done, in their final state. */
struct step_list {
	struct step_row *v;
	int n;
	int unsaved;
	const struct step_def *defs;   /* v[i]'s definition parsed (borrowed), or NULL */
};

/* The parts of a stored step definition the planner reads. */
struct step_def {
	char **needs;
	int nneeds;
	char *when;               /* NULL when absent */
	int role;                 /* approval: enum role (senior by default) */
	struct play_inputs in;    /* declared inputs */
	char **checklist;         /* manual: the items (templates), in order */
	int nchecklist;
	int checklist_required;   /* manual: every item ticked before done */
	int on_failure;           /* enum play_on_failure */
	char on_failure_to[64];   /* ON_FAILURE_GOTO: the step it goes to */
};

/* The inputs declared by array tok of d (inputs.c). */
struct jdoc;
void play_inputs_from(struct play_inputs *in, const struct jdoc *d, int tok);
/* An input's pattern as an expression that holds when the whole value
 * matches (play_pattern_match()); NULL with ee filled when the pattern is
 * not a regex the expression language accepts. Caller frees. */
struct expr *play_pattern_compile(const char *pattern, struct expr_error *ee);
int play_pattern_match(const struct expr *e, const char *value);

/* The steps `steps.ID...` and `score` read: rows v[0..n) (borrowed until
 * the next reset), not the store's (fields.c). */
void play_fields_use_steps(struct play_fields *f, const struct step_row *v, int n);

/* "Did you mean" over every name of a NULL-terminated list (guess.h
 * does the rest). */
void play_guess_list(struct guess *g, const char *const *list);

/* Replace one owned string field of a row copied with store_step_row_copy()
 * (NULL allowed). */
void step_row_set(const char **field, const char *value);

int step_list_load(struct store *s, int64_t incident_id, struct step_list *l,
		struct irk_err *err);
void step_list_free(struct step_list *l);
/* The index of step id, or -1. */
int step_list_find(const struct step_list *l, const char *id);

/* Parse the definition JSON of a step (a bad definition gives an empty
 * one: the planner then treats the step as having no conditions). */
void step_def_parse(struct step_def *d, const char *def_json);
void step_def_free(struct step_def *d);

/* play_step_record() whose audit event carries one more member, key with
 * the JSON value json (the ticks of a checklist with the done). */
int play_step_record_with(struct store *s, const char *actor, const struct step_row *after,
		int before_state, const char *why, const char *key, const char *json,
		struct irk_err *err);

/* "an analyst", "a senior", "an admin" (actions.c). */
const char *role_with_article(int role);

/* Nonzero for a finished state: done, failed or skipped. */
int step_state_final(int state);

/* play_advance with the incident already loaded (and updated by the
 * caller), and the alert its `when` conditions see (NULL: the incident's
 * first stored alert). */
int play_advance_inc(struct store *s, struct incident *inc, const struct alert *pa,
		const char *actor, int *changed, struct irk_err *err);

/* Nonzero when step i needs step from, directly or through others. */
int step_list_depends(const struct step_list *l, int i, int from);

/* Skip every step that needs steps[from] directly or through others and
 * is not finished yet, with why "needs ID, which was WHAT". Adds to
 * *changed. */
int play_skip_dependents(struct store *s, struct step_list *l, int from, const char *what,
		const char *actor, int *changed, struct irk_err *err);

/* The first stored alert of an incident, its strings copied into strs
 * (free with play_alert_copy_free()). IRK_NOTFOUND when none. */
struct play_alert_copy {
	struct alert pa;
	char *strs[8];
};
int play_alert_first(struct store *s, int64_t incident_id, struct play_alert_copy *c,
		struct irk_err *err);
void play_alert_copy_free(struct play_alert_copy *c);

#endif
