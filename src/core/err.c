/* err.c: status codes and error messages. */
#include <stdarg.h>
#include <stdio.h>

#include "irk/err.h"

static int vfail(struct irk_err *e, int code, int need, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	e->need = need;
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

void irk_err_clear(struct irk_err *e)
{
	if (!e)
		return;
	e->code = IRK_OK;
	e->need = NEED_NONE;
	e->msg[0] = '\0';
}
