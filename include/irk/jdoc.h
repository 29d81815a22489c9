/* jdoc.h: a fast, validating, zero-allocation-per-record JSON reader.
 *
 * Ingest reads millions of one-line JSON records; a general DOM (jansson)
 * costs more than the whole per-alert budget, so the hot path uses this:
 * one pass validates the record (RFC 8259, UTF-8, depth) and lays it out as
 * a flat array of tokens over a private copy of the text. Strings and keys
 * are unescaped in place and NUL-terminated, so jdoc_str() hands out plain
 * C strings without allocating. Buffers are reused from record to record.
 *
 * Tokens are numbered in document order; token 0 is the root. Containers
 * know how many children they have and where their subtree ends, so a
 * lookup skips a nested object in one step. An object's children alternate
 * key (a string token), value. A string containing \u0000 ends at it. */
#ifndef IRK_JDOC_H
#define IRK_JDOC_H

#include <stddef.h>
#include <stdint.h>

enum jdoc_type { JD_NULL, JD_FALSE, JD_TRUE, JD_NUMBER, JD_STRING, JD_ARRAY, JD_OBJECT };

/* Set on an object token when one of its keys contains a '.': dotted-path
 * lookups only need to try literal dotted keys in such objects. */
#define JDOC_DOTTED_KEYS 0x100u

struct jdoc_tok {
	uint32_t type;   /* enum jdoc_type, with JDOC_DOTTED_KEYS on objects */
	uint32_t off;    /* offset of the value's text in buf (strings: unescaped) */
	uint32_t len;    /* strings and numbers: bytes; containers: children */
	uint32_t end;    /* index of the first token after this subtree */
};

struct jdoc {
	char *buf;               /* private copy of the text, unescaped in place */
	size_t cap;
	struct jdoc_tok *t;
	uint32_t n, tcap;
};

struct jdoc_error {
	size_t offset;           /* byte offset of the problem */
	char msg[96];
};

#define JDOC_MAX_DEPTH 64

void jdoc_init(struct jdoc *d);
void jdoc_free(struct jdoc *d);

/* Parse src[0..n) as one JSON value (whitespace around it allowed).
 * Returns 0, or -1 with *err filled ("invalid UTF-8", "unexpected 'x'",
 * "unterminated string", "nesting deeper than 64", "trailing data"). */
int jdoc_parse(struct jdoc *d, const char *src, size_t n, struct jdoc_error *err);

static inline int jdoc_type(const struct jdoc *d, int tok)
{
	return tok >= 0 && (uint32_t)tok < d->n ? (int)(d->t[tok].type & 0xff) : -1;
}

/* The value of key in object obj, or -1 (obj not an object, or no such key).
 * With duplicate keys the first one wins. */
int jdoc_get(const struct jdoc *d, int obj, const char *key);
/* A dotted path from node: "alert.signature". At each level the whole
 * remaining path is tried as a literal key first, so Zeek's "id.orig_h"
 * works. Numeric parts index arrays ("event.category.0"). -1 when missing. */
int jdoc_path(const struct jdoc *d, int node, const char *path);
/* The string at tok (NUL-terminated, borrowed until the next parse), or
 * NULL when tok is not a string. */
const char *jdoc_str(const struct jdoc *d, int tok);
/* The source text of a number, true, false or null token (not
 * NUL-terminated; *len set), or NULL for strings and containers. */
const char *jdoc_scalar_text(const struct jdoc *d, int tok, size_t *len);
/* Numbers (and numeric strings): 0 on success. */
int jdoc_int(const struct jdoc *d, int tok, int64_t *out);
int jdoc_double(const struct jdoc *d, int tok, double *out);
/* Children: first child token of a container (-1 when empty or not a
 * container), and the next sibling after tok within parent. */
int jdoc_first(const struct jdoc *d, int tok);
int jdoc_next(const struct jdoc *d, int parent, int tok);
/* A canonical text of the value at tok: compact, object keys sorted
 * bytewise, strings re-escaped, numbers as written. Equal for records
 * that differ only in key order and whitespace. Appended to out. */
struct strbuf;
void jdoc_canonical(const struct jdoc *d, int tok, struct strbuf *out);

#endif
