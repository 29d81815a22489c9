/* err.h: status codes and error messages passed up from lower layers.
 *
 * Lower layers never print: they return a status and fill a struct irk_err.
 * Only the front ends (cli/, tui/) decide how a message is shown. */
#ifndef IRK_ERR_H
#define IRK_ERR_H

enum irk_status {
	IRK_OK = 0,
	IRK_ERROR,       /* generic failure (I/O, database, out of memory) */
	IRK_NOTFOUND,    /* no such incident, step, user... */
	IRK_CONFLICT,    /* optimistic concurrency lost, or held by someone else */
	IRK_REFUSED,     /* a rule forbids it (gate, role, self-approval) */
	IRK_INVALID,     /* bad input from the user (field name, value) */
	IRK_SKIPPED,     /* not for this reader, and not wrong: a record of a known
			  * format that is not an alert (alert_parse()) */
};

/* What the user can do about a failure, for each front end to say in
 * its own terms: the command line names a command or an option, the
 * board a key or a prompt. Messages themselves name neither. */
enum irk_need {
	NEED_NONE = 0,
	NEED_REASON,     /* the same again, with a reason */
	NEED_FORCE,      /* a senior can force it past the gate, with a reason */
	NEED_TAKEOVER,   /* someone else holds it: a senior can take it over */
	NEED_REOPEN,     /* it is closed: move it back to a stage first */
	NEED_CLOSE,      /* closing is its own action, with a resolution */
	NEED_DATABASE,   /* there is no database yet: create one */
	NEED_FORMAT,     /* the input's format must be named */
	NEED_INPUTS,     /* the same again, with the inputs named in need_on */
	NEED_DECISION,   /* step need_on is an approval: grant or deny it */
	NEED_DONE,       /* step need_on is a person's: it is done, not run */
	NEED_STEPS,      /* no such step: look at the incident's steps */
	NEED_RELOAD,     /* changed by someone else: look at it again, then retry */
	NEED_TICKS,      /* step need_on's checklist must be ticked first */
};

struct irk_err {
	int code;        /* enum irk_status */
	char msg[512];
	int need;        /* enum irk_need; irk_fail() resets it */
	char need_on[256]; /* what the need is about: a step id, or the names
			    * of the inputs it needs, one a line */
};

/* Fill *e (which may be NULL) with code and a printf-style message.
 * Returns code, so callers can write `return irk_fail(e, IRK_INVALID, ...)`. */
int irk_fail(struct irk_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* irk_fail() that also says what the user can do about it (enum
 * irk_need). Returns code. */
int irk_fail_need(struct irk_err *e, int code, int need, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Add name to what e->need is about (e->need_on, one name a line); call
 * it after irk_fail_need(). A name that does not fit whole is left out.
 * e may be NULL. */
void irk_need_on(struct irk_err *e, const char *name);

/* Reset *e to IRK_OK with an empty message. */
void irk_err_clear(struct irk_err *e);

/* The function irk_fatal() calls before it prints anything: a front end
 * that puts the terminal in raw mode sets it to put the terminal back
 * (NULL: none). One hook per process; the last call wins. */
void irk_on_fatal(void (*restore)(void));

/* The end of an error nothing can recover from (out of memory): the
 * restore hook first, then "irk: MESSAGE" and a newline on stderr, then
 * abort(). Never returns. */
_Noreturn void irk_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
