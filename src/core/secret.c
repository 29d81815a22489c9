/* secret.c: secrets out of the environment, and their encoded forms. */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "irk/secret.h"
#include "irk/strbuf.h"

#define PREFIX "IRK_SECRET_"

extern char **environ;

static char **held;               /* "IRK_SECRET_NAME=value", owned */
static size_t nheld;

size_t secret_capture(int hold)
{
	size_t n = 0, taken = 0;
	char **found;

	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, PREFIX, sizeof PREFIX - 1) && strchr(*e, '='))
			n++;
	found = xcalloc(n + 1, sizeof *found);
	for (char **e = environ; e && *e && taken < n; e++)
		if (!strncmp(*e, PREFIX, sizeof PREFIX - 1) && strchr(*e, '='))
			found[taken++] = *e;
	held = xrealloc(held, (nheld + n + 1) * sizeof *held);
	for (size_t i = 0; i < n; i++) {
		char *s = found[i], *name = xstrndup(s, (size_t)(strchr(s, '=') - s));

		held[nheld++] = xstrdup(s);
		unsetenv(name);
		/* unsetenv only drops the pointer: the bytes stay where
		 * /proc/PID/environ reads them. */
		memset(s, 0, strlen(s));
		free(name);
	}
	free(found);
	if (hold || n)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return n;
}

const char *secret_env(const char *var)
{
	size_t k = strlen(var);

	for (size_t i = nheld; i-- > 0;)
		if (!strncmp(held[i], var, k) && held[i][k] == '=')
			return held[i] + k + 1;
	return getenv(var);
}

static void hex_form(const unsigned char *v, size_t n, const char *digits, struct strbuf *out)
{
	strbuf_reset(out);
	for (size_t i = 0; i < n; i++) {
		strbuf_addc(out, digits[v[i] >> 4]);
		strbuf_addc(out, digits[v[i] & 15]);
	}
}

/* The base64 characters that depend on v alone when v starts at byte
 * align (0..2) of a 3-byte group of a longer text. */
static void base64_form(const unsigned char *v, size_t n, size_t align, const char *abc,
			struct strbuf *out)
{
	size_t bits = 8 * (align + n), skip = align ? align + 1 : 0;

	strbuf_reset(out);
	/* Character j covers bits [6j, 6j + 6) of the text: whole inside v
	 * from the first one past the align bytes, up to the last one that
	 * ends within v. */
	for (size_t j = skip; 6 * j + 6 <= bits; j++) {
		unsigned x = 0;
		for (size_t b = 6 * j; b < 6 * j + 6; b++) {
			size_t byte = b / 8 - align;
			x = x << 1 | ((v[byte] >> (7 - b % 8)) & 1);
		}
		strbuf_addc(out, abc[x]);
	}
}

void secret_forms(const char *v, void (*fn)(const char *form, void *arg), void *arg)
{
	static const char *const abcs[] = {
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
	};
	const unsigned char *u = (const unsigned char *)v;
	size_t n = strlen(v);
	struct strbuf f = STRBUF_INIT, std = STRBUF_INIT;

	hex_form(u, n, "0123456789abcdef", &f);
	if (f.len >= 4)
		fn(f.buf, arg);
	hex_form(u, n, "0123456789ABCDEF", &f);
	if (f.len >= 4)
		fn(f.buf, arg);
	for (size_t align = 0; align < 3; align++) {
		base64_form(u, n, align, abcs[0], &std);
		if (std.len >= 4)
			fn(std.buf, arg);
		base64_form(u, n, align, abcs[1], &f);
		if (f.len >= 4 && strcmp(f.buf, std.buf))
			fn(f.buf, arg);
	}
	strbuf_free(&f);
	strbuf_free(&std);
}
