/* jsonw.c: the JSON writer. */
#include <stdio.h>
#include <string.h>

#include "irk/clock.h"
#include "irk/jsonw.h"
#include "irk/sanitize.h"

void json_quote(struct strbuf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;
	char esc[8];

	strbuf_grow(out, n + 2);
	strbuf_addc(out, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (run) {
			strbuf_add(out, s + i - run, run);
			run = 0;
		}
		if (c == '"' || c == '\\') {
			strbuf_addc(out, '\\');
			strbuf_addc(out, (char)c);
			i++;
		} else if (c < 0x80) {
			switch (c) {
			case '\n': strbuf_puts(out, "\\n"); break;
			case '\t': strbuf_puts(out, "\\t"); break;
			case '\r': strbuf_puts(out, "\\r"); break;
			default:
				snprintf(esc, sizeof esc, "\\u%04x", c);
				strbuf_puts(out, esc);
			}
			i++;
		} else {
			unsigned cp;
			int len = utf8_decode(s + i, n - i, &cp);
			if (!len) {
				strbuf_puts(out, "\\ufffd");
				i++;
			} else if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
				   (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
				   cp == 0x061C || cp == 0x2028 || cp == 0x2029) {
				snprintf(esc, sizeof esc, "\\u%04x", cp);
				strbuf_puts(out, esc);
				i += (size_t)len;
			} else {
				strbuf_add(out, s + i, (size_t)len);
				i += (size_t)len;
			}
		}
	}
	if (run)
		strbuf_add(out, s + i - run, run);
	strbuf_addc(out, '"');
}

void jsonw_init(struct jsonw *w, struct strbuf *out, int pretty)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->pretty = pretty;
}

static void indent(struct jsonw *w)
{
	if (!w->pretty)
		return;
	strbuf_addc(w->out, '\n');
	for (int i = 0; i < w->depth; i++)
		strbuf_puts(w->out, "  ");
}

/* Before a value: a comma unless it follows a key or opens a container. */
static void value_sep(struct jsonw *w)
{
	if (w->depth > 0 && w->depth < JSONW_MAX_DEPTH) {
		if (w->need_comma[w->depth] == 2) {   /* right after a key */
			w->need_comma[w->depth] = 1;
			return;
		}
		if (w->need_comma[w->depth])
			strbuf_addc(w->out, ',');
		w->need_comma[w->depth] = 1;
		indent(w);
	}
}

static void open_c(struct jsonw *w, char c)
{
	value_sep(w);
	strbuf_addc(w->out, c);
	w->depth++;
	if (w->depth < JSONW_MAX_DEPTH)
		w->need_comma[w->depth] = 0;
}

static void close_c(struct jsonw *w, char c)
{
	int had = w->depth < JSONW_MAX_DEPTH && w->need_comma[w->depth];

	w->depth--;
	if (had)
		indent(w);
	strbuf_addc(w->out, c);
}

void jsonw_obj_begin(struct jsonw *w) { open_c(w, '{'); }
void jsonw_obj_end(struct jsonw *w) { close_c(w, '}'); }
void jsonw_arr_begin(struct jsonw *w) { open_c(w, '['); }
void jsonw_arr_end(struct jsonw *w) { close_c(w, ']'); }

void jsonw_key(struct jsonw *w, const char *key)
{
	value_sep(w);
	json_quote(w->out, key, strlen(key));
	strbuf_puts(w->out, w->pretty ? ": " : ":");
	if (w->depth < JSONW_MAX_DEPTH)
		w->need_comma[w->depth] = 2;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
	value_sep(w);
	json_quote(w->out, s, n);
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_strn(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	value_sep(w);
	strbuf_printf(w->out, "%lld", (long long)v);
}

void jsonw_bool(struct jsonw *w, int v)
{
	value_sep(w);
	strbuf_puts(w->out, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	value_sep(w);
	strbuf_puts(w->out, "null");
}

void jsonw_time(struct jsonw *w, int64_t t)
{
	char buf[32];

	if (!t) {
		jsonw_null(w);
		return;
	}
	value_sep(w);
	strbuf_addc(w->out, '"');
	strbuf_puts(w->out, irk_time_iso(t, buf, sizeof buf));
	strbuf_addc(w->out, '"');
}

void jsonw_raw(struct jsonw *w, const char *json)
{
	value_sep(w);
	strbuf_puts(w->out, json);
}

void jsonw_kv_str(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_str(w, s);
}

void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void jsonw_kv_time(struct jsonw *w, const char *key, int64_t t)
{
	jsonw_key(w, key);
	jsonw_time(w, t);
}

void jsonw_kv_bool(struct jsonw *w, const char *key, int v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}
