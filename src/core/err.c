/* err.c: status codes and error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/err.h"

static int vfail(struct irk_err *e, int code, int need, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	e->need = need;
	e->need_on[0] = '\0';
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return code;
}

int irk_fail(struct irk_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(e, code, NEED_NONE, fmt, ap);
	va_end(ap);
	return code;
}

int irk_fail_need(struct irk_err *e, int code, int need, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(e, code, need, fmt, ap);
	va_end(ap);
	return code;
}

void irk_need_on(struct irk_err *e, const char *name)
{
	size_t len, n;

	if (!e || !name || !*name)
		return;
	len = strlen(e->need_on);
	n = strlen(name);
	if (len + (len > 0) + n >= sizeof e->need_on)
		return;
	if (len)
		e->need_on[len++] = '\n';
	memcpy(e->need_on + len, name, n + 1);
}

void irk_err_clear(struct irk_err *e)
{
	if (!e)
		return;
	e->code = IRK_OK;
	e->need = NEED_NONE;
	e->need_on[0] = '\0';
	e->msg[0] = '\0';
}

static void (*fatal_restore)(void);

void irk_on_fatal(void (*restore)(void))
{
	fatal_restore = restore;
}

_Noreturn void irk_fatal(const char *fmt, ...)
{
	void (*restore)(void) = fatal_restore;
	va_list ap;

	/* Once: a fault inside the hook must not come back here. */
	fatal_restore = NULL;
	if (restore)
		restore();
	fputs("irk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
