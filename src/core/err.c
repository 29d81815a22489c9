/* err.c: status codes and error messages. */
#include <stdarg.h>
#include <stdio.h>

#include "irk/err.h"

int irk_fail(struct irk_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void irk_err_clear(struct irk_err *e)
{
	if (!e)
		return;
	e->code = IRK_OK;
	e->msg[0] = '\0';
}
