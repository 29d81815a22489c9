/* asset.c: the local inventory: `irk asset import` (CSV or JSON), and an
 * asset as JSON. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/context.h"
#include "irk/ip.h"
#include "irk/jdoc.h"
#include "context_impl.h"

/* A file bigger than this is refused as a whole (an inventory of a
 * million hosts is about 200 MB of CSV; nobody types that by hand). */
#define IMPORT_MAX_BYTES (256u << 20)
/* The longest value of a field: enough for any name, contact or list. */
#define VALUE_MAX 1024

static char **text_of(struct asset *a, const struct asset_field *f)
{
	return (char **)((char *)a + f->off);
}

static int *int_of(struct asset *a, const struct asset_field *f)
{
	return (int *)((char *)a + f->off);
}

const struct asset_field *asset_field_find(const char *name)
{
	for (const struct asset_field *f = asset_fields; f->name; f++)
		if (!strcasecmp(f->name, name))
			return f;
	return NULL;
}

/* A list (ips, tags): words separated by spaces (or commas), joined by
 * one space; each address checked. NULL for an empty list. */
static int set_list(char **slot, const char *v, int addresses, char *why, size_t n)
{
	struct strbuf out = STRBUF_INIT;
	char *copy = xstrdup(v), *save = NULL;

	for (char *w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (addresses && !ip_is_address(w)) {
			snprintf(why, n, "'%s' is not an IP address", w);
			free(copy);
			strbuf_free(&out);
			return -1;
		}
		if (out.len)
			strbuf_addc(&out, ' ');
		strbuf_puts(&out, w);
	}
	free(copy);
	free(*slot);
	*slot = out.len ? strbuf_detach(&out) : NULL;
	strbuf_free(&out);
	return 0;
}

/* 1..4 (4 critical), or a word of the severity scale; "" is unknown (0). */
int asset_criticality_parse(const char *v, int *out)
{
	static const char *const words[] = { "", "low", "medium", "high", "critical" };
	char *end;
	long c;

	if (!*v) {
		*out = 0;
		return 0;
	}
	for (int i = 1; i <= 4; i++)
		if (!strcasecmp(v, words[i])) {
			*out = i;
			return 0;
		}
	c = strtol(v, &end, 10);
	if (*end || c < 1 || c > 4)
		return -1;
	*out = (int)c;
	return 0;
}

int asset_field_set(struct asset *a, const struct asset_field *f, const char *v,
		    char *why, size_t n)
{
	size_t len = strlen(v);

	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	while (len && isspace((unsigned char)*v))
		v++, len--;
	if (len > VALUE_MAX) {
		snprintf(why, n, "longer than %d bytes", VALUE_MAX);
		return -1;
	}
	char *t = xstrndup(v, len);
	int rc = 0;
	if (f->is_int) {
		if ((rc = asset_criticality_parse(t, int_of(a, f))))
			snprintf(why, n, "'%.40s' is not 1 to 4 (4: critical) or low, medium, high, critical", t);
	} else if (!strcmp(f->name, "ips") || !strcmp(f->name, "tags")) {
		rc = set_list(text_of(a, f), t, f->name[0] == 'i', why, n);
	} else if (!strcmp(f->name, "host") && (!*t || strcspn(t, " \t\r\n") != len)) {
		snprintf(why, n, *t ? "'%.40s' has a space in it" : "empty: every asset needs a host", t);
		rc = -1;
	} else {
		free(*text_of(a, f));
		*text_of(a, f) = *t ? xstrdup(t) : NULL;
	}
	free(t);
	return rc;
}

/* ---- JSON ------------------------------------------------------------------ */

static void list_json(struct jsonw *w, const char *list)
{
	const char *p = list;

	jsonw_arr_begin(w);
	while (p && *p) {
		size_t n = strcspn(p, " ");
		if (n)
			jsonw_strn(w, p, n);
		p += n + (p[n] == ' ');
	}
	jsonw_arr_end(w);
}

void asset_json(struct jsonw *w, const struct asset *a)
{
	for (const struct asset_field *f = asset_fields; f->name; f++) {
		jsonw_key(w, f->name);
		if (f->is_int) {
			int c = *int_of((struct asset *)a, f);
			if (c)
				jsonw_int(w, c);
			else
				jsonw_null(w);
		} else if (!strcmp(f->name, "ips") || !strcmp(f->name, "tags")) {
			list_json(w, *text_of((struct asset *)a, f));
		} else {
			jsonw_str(w, *text_of((struct asset *)a, f));
		}
	}
	jsonw_kv_str(w, "source", a->source);
	jsonw_kv_int(w, "fetched", a->fetched);
}

/* The value of token v as text for asset_field_set: a string, a number,
 * an array of strings (a list) joined by spaces; "" for null. -1 for
 * anything else. */
static int token_text(const struct jdoc *d, int v, struct strbuf *out)
{
	size_t len;
	const char *s;

	switch (jdoc_type(d, v)) {
	case JD_NULL:
		return 0;
	case JD_STRING:
		strbuf_puts(out, jdoc_str(d, v));
		return 0;
	case JD_NUMBER:
		s = jdoc_scalar_text(d, v, &len);
		strbuf_add(out, s, len);
		return 0;
	case JD_ARRAY:
		for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e)) {
			if (jdoc_type(d, e) != JD_STRING)
				return -1;
			if (out->len)
				strbuf_addc(out, ' ');
			strbuf_puts(out, jdoc_str(d, e));
		}
		return 0;
	}
	return -1;
}

/* Fill a from object obj of d; the first problem into why (naming the
 * field), *bad_tok its token. Keys irk does not know are refused: a
 * misspelt "critcality" would otherwise be lost without a word. */
static int asset_from_obj(const struct jdoc *d, int obj, struct asset *a, int *bad_tok,
			  unsigned *present, char *why, size_t n)
{
	struct strbuf v = STRBUF_INIT;
	char sub[200];

	*bad_tok = obj;
	if (jdoc_type(d, obj) != JD_OBJECT) {
		snprintf(why, n, "not an object");
		return -1;
	}
	/* The children of an object are its values; each key is the token
	 * before its value. */
	for (int val = jdoc_first(d, obj); val >= 0; val = jdoc_next(d, obj, val)) {
		const char *key = jdoc_str(d, val - 1);
		const struct asset_field *f = asset_field_find(key);
		*bad_tok = val;
		if (!f) {
			if (!strcmp(key, "source") || !strcmp(key, "fetched"))
				continue;           /* what asset show --json adds */
			snprintf(why, n, "field '%.40s': not an asset field (host, ips, owner, "
				 "business_unit, criticality, role, site, os, tags, contact)", key);
			strbuf_free(&v);
			return -1;
		}
		*present |= 1u << (f - asset_fields);
		strbuf_reset(&v);
		if (token_text(d, val, &v)) {
			snprintf(why, n, "field '%s': expected a string%s", f->name,
				 f->is_int ? " or a number" : strcmp(f->name, "ips") &&
				 strcmp(f->name, "tags") ? "" : " or an array of strings");
			strbuf_free(&v);
			return -1;
		}
		if (asset_field_set(a, f, strbuf_str(&v), sub, sizeof sub)) {
			snprintf(why, n, "field '%s': %s", f->name, sub);
			strbuf_free(&v);
			return -1;
		}
	}
	strbuf_free(&v);
	*bad_tok = obj;
	if (!a->host) {
		snprintf(why, n, "field 'host': missing: every asset needs a host");
		return -1;
	}
	return 0;
}

int asset_from_json(const char *json, struct asset *out)
{
	struct jdoc d;
	struct jdoc_error je;
	char why[256];
	int bad, rc = -1, t;
	unsigned present = 0;

	memset(out, 0, sizeof *out);
	jdoc_init(&d);
	if (!jdoc_parse(&d, json, strlen(json), &je) &&
	    !asset_from_obj(&d, 0, out, &bad, &present, why, sizeof why)) {
		rc = 0;
		if ((t = jdoc_get(&d, 0, "source")) >= 0 && jdoc_str(&d, t))
			out->source = xstrdup(jdoc_str(&d, t));
		if ((t = jdoc_get(&d, 0, "fetched")) >= 0)
			jdoc_int(&d, t, &out->fetched);
	}
	jdoc_free(&d);
	if (rc)
		asset_clear(out);
	return rc;
}

/* ---- the import ---------------------------------------------------------- */

struct import {
	struct store *s;
	const char *path, *format;
	void (*note)(enum asset_note kind, const char *msg, void *arg);
	void *arg;
	struct asset_import_stats *st;
	int64_t now;
	struct irk_err *err;
};

static void tell(struct import *im, enum asset_note kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tell(struct import *im, enum asset_note kind, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (!im->note)
		return;
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	im->note(kind, strbuf_str(&sb), im->arg);
	strbuf_free(&sb);
}

/* A record that cannot be stored: told, counted, kept in the quarantine. */
static int reject(struct import *im, int64_t line, const char *why, const char *raw, size_t len)
{
	im->st->rejected++;
	tell(im, ASSET_REJECTED, "%s:%lld: %s", im->path, (long long)line, why);
	return store_quarantine_add(im->s, im->path, line, im->format, why, raw, len,
				    (int64_t)len, im->err);
}

static int same_text(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

/* Store a (a good record): new, updated (what changed told) or left. A
 * field the file does not have (not in present, a bit per field) keeps
 * its value: a file of owners alone updates the owners. */
static int keep(struct import *im, struct asset *a, unsigned present)
{
	struct asset old;
	struct strbuf what = STRBUF_INIT;
	int rc = store_asset_get(im->s, a->host, &old, NULL);

	if (rc == IRK_OK) {
		for (const struct asset_field *f = asset_fields; f->name; f++) {
			if (present & (1u << (f - asset_fields)))
				continue;
			if (f->is_int) {
				*int_of(a, f) = *int_of(&old, f);
			} else {
				free(*text_of(a, f));
				*text_of(a, f) = *text_of(&old, f) ? xstrdup(*text_of(&old, f)) : NULL;
			}
		}
		for (const struct asset_field *f = asset_fields; f->name; f++) {
			if (f->is_int && *int_of(&old, f) != *int_of(a, f))
				strbuf_printf(&what, "%s%s %d -> %d", what.len ? ", " : "", f->name,
					      *int_of(&old, f), *int_of(a, f));
			else if (!f->is_int && !same_text(*text_of(&old, f), *text_of(a, f)))
				strbuf_printf(&what, "%s%s '%s' -> '%s'", what.len ? ", " : "", f->name,
					      *text_of(&old, f) ? *text_of(&old, f) : "",
					      *text_of(a, f) ? *text_of(a, f) : "");
		}
		asset_clear(&old);
		if (!what.len) {
			im->st->unchanged++;
			return IRK_OK;
		}
		im->st->updated++;
		tell(im, ASSET_UPDATED, "updated %s: %s", a->host, strbuf_str(&what));
	} else {
		im->st->added++;
		tell(im, ASSET_ADDED, "added %s", a->host);
	}
	strbuf_free(&what);
	a->source = xstrdup(CONTEXT_INVENTORY);
	a->fetched = im->now;
	return store_asset_put(im->s, a, im->err);
}

/* One CSV field from *p: quoted ("" is a quote; may span lines, counted
 * into *line) or plain up to a comma or the end of the line. Returns 1
 * when the record goes on (a comma followed), 0 at its end; -1 for a
 * quote left open. */
static int csv_field(const char **p, const char *end, int64_t *line, struct strbuf *out)
{
	const char *q = *p;

	strbuf_reset(out);
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q < end && *q == '"') {
		for (q++;; q++) {
			if (q >= end)
				return -1;
			if (*q == '"') {
				if (q + 1 < end && q[1] == '"') {
					strbuf_addc(out, '"');
					q++;
					continue;
				}
				q++;
				break;
			}
			if (*q == '\n')
				(*line)++;
			strbuf_addc(out, *q);
		}
		while (q < end && *q != ',' && *q != '\n')
			q++;            /* spaces after the closing quote */
	} else {
		const char *s = q;
		while (q < end && *q != ',' && *q != '\n')
			q++;
		strbuf_add(out, s, (size_t)(q - s));
		if (out->len && out->buf[out->len - 1] == '\r')
			out->buf[--out->len] = '\0';
	}
	if (q < end && *q == ',') {
		*p = q + 1;
		return 1;
	}
	*p = q < end ? q + 1 : q;
	return 0;
}

static int import_csv(struct import *im, const char *text, size_t n)
{
	const char *p = text, *end = text + n;
	const struct asset_field *cols[64];
	int ncols = 0, more, has_host = 0;
	unsigned present = 0;
	int64_t line = 1;
	struct strbuf v = STRBUF_INIT;

	/* The header: names of asset fields, any order, each once. */
	do {
		if ((more = csv_field(&p, end, &line, &v)) < 0 || ncols == 64) {
			strbuf_free(&v);
			return irk_fail(im->err, IRK_INVALID, "%s:1: the header row is not valid CSV", im->path);
		}
		const struct asset_field *f = asset_field_find(strbuf_str(&v));
		if (!f) {
			irk_fail(im->err, IRK_INVALID, "%s:1: column %d: '%.40s' is not an asset field (host, "
				 "ips, owner, business_unit, criticality, role, site, os, tags, contact)",
				 im->path, ncols + 1, strbuf_str(&v));
			strbuf_free(&v);
			return IRK_INVALID;
		}
		for (int i = 0; i < ncols; i++)
			if (cols[i] == f) {
				strbuf_free(&v);
				return irk_fail(im->err, IRK_INVALID, "%s:1: column %d: '%s' again",
						im->path, ncols + 1, f->name);
			}
		has_host |= !strcmp(f->name, "host");
		present |= 1u << (f - asset_fields);
		cols[ncols++] = f;
	} while (more);
	if (!has_host) {
		strbuf_free(&v);
		return irk_fail(im->err, IRK_INVALID, "%s:1: no column 'host'", im->path);
	}
	while (p < end) {
		const char *start = p;
		int64_t at = ++line;
		struct asset a = { 0 };
		char why[300] = "", sub[200];
		int col = 0;

		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			p += *p == '\r' ? 2 : 1;
			continue;       /* a blank line */
		}
		im->st->read++;
		do {
			if ((more = csv_field(&p, end, &line, &v)) < 0) {
				snprintf(why, sizeof why, "column %d: a quote is not closed", col + 1);
				p = end;
				break;
			}
			if (col >= ncols) {
				if (!*why)
					snprintf(why, sizeof why, "column %d: more columns than the header's %d",
						 col + 1, ncols);
			} else if (!*why && asset_field_set(&a, cols[col], strbuf_str(&v), sub, sizeof sub)) {
				snprintf(why, sizeof why, "column %d (%s): %s", col + 1, cols[col]->name, sub);
			}
			col++;
		} while (more);
		if (!*why && !a.host)
			snprintf(why, sizeof why, "column host: empty: every asset needs a host");
		size_t len = (size_t)(p - start);
		while (len && (start[len - 1] == '\n' || start[len - 1] == '\r'))
			len--;
		int rc = *why ? reject(im, at, why, start, len) : keep(im, &a, present);
		asset_clear(&a);
		if (rc) {
			strbuf_free(&v);
			return rc;
		}
	}
	strbuf_free(&v);
	return IRK_OK;
}

/* The line of byte off of text. */
static int64_t line_of(const char *text, size_t off)
{
	int64_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

static int import_json(struct import *im, const char *text, size_t n)
{
	struct jdoc d;
	struct jdoc_error je;
	struct strbuf raw = STRBUF_INIT;
	int rc = IRK_OK;

	jdoc_init(&d);
	if (jdoc_parse(&d, text, n, &je)) {
		jdoc_free(&d);
		return irk_fail(im->err, IRK_INVALID, "%s:%lld: not JSON: %s", im->path,
				(long long)line_of(text, je.offset), je.msg);
	}
	if (jdoc_type(&d, 0) != JD_ARRAY) {
		jdoc_free(&d);
		return irk_fail(im->err, IRK_INVALID, "%s:1: expected a JSON array of assets", im->path);
	}
	for (int o = jdoc_first(&d, 0); o >= 0 && !rc; o = jdoc_next(&d, 0, o)) {
		struct asset a = { 0 };
		char why[300];
		int bad;
		unsigned present = 0;

		im->st->read++;
		if (asset_from_obj(&d, o, &a, &bad, &present, why, sizeof why)) {
			strbuf_reset(&raw);
			jdoc_canonical(&d, o, &raw);
			rc = reject(im, line_of(text, d.t[bad].off), why, raw.buf, raw.len);
		} else {
			rc = keep(im, &a, present);
		}
		asset_clear(&a);
	}
	strbuf_free(&raw);
	jdoc_free(&d);
	return rc;
}

static char *read_file(const char *path, size_t *n, struct irk_err *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t got;

	if (!f) {
		irk_fail(err, IRK_ERROR, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
		if (sb.len + got > IMPORT_MAX_BYTES) {
			irk_fail(err, IRK_INVALID, "%s: larger than %u MB", path, IMPORT_MAX_BYTES >> 20);
			break;
		}
		strbuf_add(&sb, buf, got);
	}
	if (ferror(f) && !err->msg[0])
		irk_fail(err, IRK_ERROR, "%s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	if (err->msg[0]) {
		strbuf_free(&sb);
		return NULL;
	}
	*n = sb.len;
	strbuf_addc(&sb, '\0');
	return strbuf_detach(&sb);
}

int asset_import(struct store *s, const char *actor, const char *path,
		 void (*note)(enum asset_note kind, const char *msg, void *arg), void *arg,
		 struct asset_import_stats *st, struct irk_err *err)
{
	struct import im = { s, path, "asset-csv", note, arg, st, irk_now(), err };
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	size_t n = 0, i = 0;
	char *text;
	int rc;

	memset(st, 0, sizeof *st);
	irk_err_clear(err);
	if (!(text = read_file(path, &n, err)))
		return err->code;
	if (n >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;                  /* a spreadsheet's byte order mark */
	while (i < n && isspace((unsigned char)text[i]))
		i++;
	if ((rc = store_begin(s, err))) {
		free(text);
		return rc;
	}
	if (i < n && text[i] == '[') {
		im.format = "asset-json";
		rc = import_json(&im, text, n);
	} else if (i < n) {
		rc = import_csv(&im, text + (text[0] == '\xef' ? 3 : 0), n - (text[0] == '\xef' ? 3 : 0));
	} else {
		rc = irk_fail(err, IRK_INVALID, "%s: empty: expected a CSV header row or a JSON array", path);
	}
	free(text);
	if (!rc) {
		jsonw_init(&w, &js, 0);
		jsonw_obj_begin(&w);
		jsonw_kv_str(&w, "file", path);
		jsonw_kv_int(&w, "read", st->read);
		jsonw_kv_int(&w, "added", st->added);
		jsonw_kv_int(&w, "updated", st->updated);
		jsonw_kv_int(&w, "unchanged", st->unchanged);
		jsonw_kv_int(&w, "rejected", st->rejected);
		jsonw_obj_end(&w);
		rc = audit_append(s, actor, 0, "asset.import", strbuf_str(&js), NULL, err);
		strbuf_free(&js);
	}
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}
