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
};

struct irk_err {
	int code;        /* enum irk_status */
	char msg[512];
};

/* Fill *e (which may be NULL) with code and a printf-style message.
 * Returns code, so callers can write `return irk_fail(e, IRK_INVALID, ...)`. */
int irk_fail(struct irk_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reset *e to IRK_OK with an empty message. */
void irk_err_clear(struct irk_err *e);

#endif
