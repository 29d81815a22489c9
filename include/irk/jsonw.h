/* jsonw.h: write JSON text into a strbuf (audit data, --json output).
 *
 * Strings are escaped so the output is always valid JSON and safe on a
 * terminal: control characters (ESC included) become \u00XX, DEL and C1
 * controls and bidi controls become \uXXXX, invalid UTF-8 becomes U+FFFD. */
#ifndef IRK_JSONW_H
#define IRK_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "irk/strbuf.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct strbuf *out;
	int depth;
	unsigned char need_comma[JSONW_MAX_DEPTH];
	int pretty;              /* newline and indent (for humans) */
};

void jsonw_init(struct jsonw *w, struct strbuf *out, int pretty);
void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
/* NULL writes null. */
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);
/* A Unix time as "2026-11-23T10:04:05Z", or null when t == 0. */
void jsonw_time(struct jsonw *w, int64_t t);
/* Insert text that is already valid JSON. */
void jsonw_raw(struct jsonw *w, const char *json);

/* key: value shorthands. */
void jsonw_kv_str(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_kv_time(struct jsonw *w, const char *key, int64_t t);
void jsonw_kv_bool(struct jsonw *w, const char *key, int v);

/* Append s[0..n) as a quoted, escaped JSON string. */
void json_quote(struct strbuf *out, const char *s, size_t n);

#endif
