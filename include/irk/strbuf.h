/* strbuf.h: a growable, always NUL-terminated byte buffer. */
#ifndef IRK_STRBUF_H
#define IRK_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;      /* NUL-terminated once anything was added; NULL before */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Make room for n more bytes without changing len. */
void strbuf_grow(struct strbuf *sb, size_t n);
/* Empty the buffer, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
/* The contents as a string: never NULL (an empty buffer gives ""). Borrowed. */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the buffer to the caller (caller frees) and empty sb. Never NULL. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

/* Allocation that aborts with a message on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Copy src into dst of size n, always NUL-terminating; returns dst. */
char *irk_strlcpy(char *dst, const char *src, size_t n);

#endif
