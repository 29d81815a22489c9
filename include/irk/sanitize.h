/* sanitize.h: the one gate between outside text and a terminal.
 *
 * Everything that came from outside irk (alert fields, lookups, XMPP, step
 * output, file names) passes through sanitize_*() before it is printed to a
 * terminal or drawn with curses:
 *   - C0 controls, DEL and C1 controls (U+0080..U+009F) become visible escapes:
 *     ESC is "\x1b", BEL "\x07"; TAB and newline too unless SAN_KEEP_NL/TAB;
 *   - invalid UTF-8 (bad lead/continuation, overlong, surrogates, > U+10FFFF)
 *     becomes U+FFFD, one per bad byte;
 *   - bidi controls (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C)
 *     become visible "<U+202E>";
 *   - a backslash is left as it is (it cannot start a terminal sequence).
 * The output is valid UTF-8 with no byte below 0x20 (except kept \n, \t). */
#ifndef IRK_SANITIZE_H
#define IRK_SANITIZE_H

#include <stddef.h>
#include "irk/strbuf.h"

enum {
	SAN_KEEP_NL  = 1 << 0,  /* keep '\n' (multi-line text such as raw output) */
	SAN_KEEP_TAB = 1 << 1,  /* keep '\t' */
};

/* Append the sanitized form of s[0..n) to out. */
void sanitize_append(struct strbuf *out, const char *s, size_t n, int flags);
/* Sanitized copy of a NUL-terminated string (NULL gives ""). Caller frees. */
char *sanitize_dup(const char *s, int flags);
/* Sanitize into a fixed buffer, truncating at a character boundary. Returns buf. */
char *sanitize_buf(char *buf, size_t bufsize, const char *s, int flags);
/* Nonzero when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t n);

/* Decode one UTF-8 character at s (at most n bytes). Returns its length
 * (1..4) and stores the code point in *cp, or returns 0 for an invalid
 * sequence (*cp is then U+FFFD and one byte should be skipped). */
int utf8_decode(const char *s, size_t n, unsigned *cp);
/* Encode code point cp (at most U+10FFFF) as UTF-8 into out; returns the
 * length (1..4). No terminating NUL is written. */
int utf8_encode(unsigned cp, char out[4]);

/* Display width in terminal columns of valid UTF-8 text (wcwidth rules:
 * CJK 2, combining 0). Control characters count as 0; sanitize first. */
int utf8_width(const char *s, size_t n);
/* Length in bytes of the longest prefix of s[0..n) that fits in cols
 * columns, never splitting a character (combining marks stay attached). */
size_t utf8_fit(const char *s, size_t n, int cols);

#endif
