/* kind.h: the ops of a step kind, and the lint helpers a kind's file
 * uses; shared by the files of src/play/ only.
 *
 * A kind is a row of IRK_STEP_KINDS (include/irk/play.h) and one file,
 * src/play/kind_NAME.c, that fills in a struct play_kind_ops, as a tig
 * view fills in its struct view_ops: play.c lints and parses a step
 * through it, the planner makes it due through it, the front ends read
 * its help and flags through step_kind_*(). What the engine does with an
 * automated kind is its runner (src/engine/run_NAME.c). */
#ifndef IRK_PLAY_KIND_H
#define IRK_PLAY_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "irk/jdoc.h"
#include "irk/play.h"
#include "irk/strbuf.h"

struct incident;
struct step_row;

/* ---- the lint state (play.c) ------------------------------------------- */
struct lint {
	const char *path;
	const char *src;          /* NUL-terminated */
	struct jdoc d;
	struct play_diags *diags;
	int errors;
	struct play *p;
	int *step_tok;            /* the object token of each step */
};

/* An error (or, with warning set, a warning) at source offset off. */
void lint_report(struct lint *l, size_t off, int warning, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Where value tok starts in the source: a string at its opening quote. */
size_t lint_pos(const struct lint *l, int tok);
/* The source offset of byte k of string tok's unescaped value. */
size_t lint_str_pos(const struct lint *l, int tok, size_t k);
/* The key token of object member value v, and its name. */
static inline int lint_key_of(int v)
{
	return v - 1;
}
const char *lint_key(const struct lint *l, int v);
/* Check the type of value v (JD_TRUE: a boolean); report and return -1
 * when wrong. */
int lint_want(struct lint *l, int v, int type, const char *what);
/* A non-empty array of whole numbers in [lo, hi] (ok_status, ok_exit);
 * report and return -1 when not. */
int lint_want_codes(struct lint *l, int v, const char *what, int64_t lo, int64_t hi);
/* A string that is not empty; report and return -1 when not. */
int lint_want_str(struct lint *l, int v, const char *what);
/* A whole number in [lo, hi], or a duration string ("90s", "5m") when
 * duration is set, into *out (may be NULL); report and return -1 when
 * not. */
int lint_want_int(struct lint *l, int v, const char *what, int64_t lo, int64_t hi,
		int duration, int64_t *out);
/* Lint the template held by string v, seen by step at: its syntax and its
 * fields; secret.NAME allowed when secrets is set. */
void lint_tmpl_s(struct lint *l, int v, int at, const char *what, int secrets);
void lint_tmpl(struct lint *l, int v, int at, const char *what);
/* Every string inside v (recursively) is a template; other scalars pass. */
void lint_tmpl_tree(struct lint *l, int v, int at, const char *what);
/* An object whose values are templates (strings, or numbers/booleans). */
void lint_tmpl_map(struct lint *l, int v, int at, const char *what, int secrets);
/* Drop the " at L:C" an expression or template error message ends with
 * (lint names the position in file terms in front); returns msg. */
const char *lint_strip_at(char *msg, int line, int col);
/* Is s a valid step id (letters, digits, '_', '-'; a letter or '_'
 * first), or with play_id a valid play id? */
int lint_valid_id(const char *s, int play_id);
/* A title that lists what key of step s names, after prefix: the string,
 * the strings of an array, the keys of an object ("Notify role:senior,
 * owner"; "Set owner, category"). Caller frees; NULL when s has no key. */
char *lint_title_list(struct lint *l, int s, const char *key, const char *prefix);
/* Is k in the NULL-terminated list? */
int lint_in_list(const char *const *list, const char *k);
/* Keys whose names start with '_' or "x-" are comments. */
int lint_is_comment_key(const char *k);

/* ---- the ops of a kind ------------------------------------------------- */
struct play_kind_ops {
	unsigned flags;                 /* enum step_kind_flag */
	/* The keys a step of this kind takes besides the common ones (and,
	 * when automated, retry, backoff and timeout); NULL-terminated. */
	const char *const *keys;
	/* Fields a finished step of this kind gives the steps after it, as
	 * expressions name them ("score"); NULL-terminated, or NULL. */
	const char *const *gives;
	/* parse/lint: check the kind's own keys of step i (object token s);
	 * the common keys are checked already. NULL: nothing to check. */
	void (*lint)(struct lint *l, int i, int s);
	/* describe: the title of a step that gives none, owned by the caller,
	 * or NULL for its id. NULL op: the kind needs a title. */
	char *(*title)(struct lint *l, int s);
	/* parse: finish the step's stored definition def (its canonical
	 * JSON), e.g. resolve a program beside the play. NULL: as written. */
	void (*def)(struct lint *l, int s, struct strbuf *def);
	/* plan: the step r (a person's) has just become due and waits;
	 * actor is the person whose action made it due, NULL when the play
	 * did (at assignment, or after the engine's step). NULL op: nothing
	 * more to record. */
	void (*due)(struct step_row *r, const struct incident *inc, const char *actor);
};

#define X_KIND(e, n, an, ops, h) extern const struct play_kind_ops ops;
IRK_STEP_KINDS(X_KIND)
#undef X_KIND

/* The ops of kind k, or NULL when out of range. */
const struct play_kind_ops *play_kind(int k);
/* Does a finished step of kind k give the field called name? */
int play_kind_gives(int k, const char *name);

#endif
