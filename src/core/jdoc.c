/* jdoc.c: the flat, in-place JSON reader described in jdoc.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/sanitize.h"
#include "irk/strbuf.h"

struct parser {
	struct jdoc *d;
	char *p, *start, *lim;
	struct jdoc_error *err;
	int depth;
};

void jdoc_init(struct jdoc *d)
{
	memset(d, 0, sizeof *d);
}

void jdoc_free(struct jdoc *d)
{
	free(d->buf);
	free(d->t);
	memset(d, 0, sizeof *d);
}

static int fail(struct parser *ps, const char *at, const char *msg)
{
	ps->err->offset = (size_t)(at - ps->start);
	snprintf(ps->err->msg, sizeof ps->err->msg, "%s", msg);
	return -1;
}

static int fail_char(struct parser *ps, const char *at)
{
	char m[64];

	if (at >= ps->lim)
		return fail(ps, at, "unexpected end of input");
	unsigned char c = (unsigned char)*at;
	if (c >= 0x20 && c < 0x7F)
		snprintf(m, sizeof m, "unexpected '%c'", c);
	else
		snprintf(m, sizeof m, "unexpected byte 0x%02x", c);
	return fail(ps, at, m);
}

static void grow_toks(struct jdoc *d)
{
	d->tcap = d->tcap ? d->tcap * 2 : 256;
	d->t = xrealloc(d->t, d->tcap * sizeof *d->t);
}

/* Inline: a record has a token for every key and value. */
static inline uint32_t new_tok(struct parser *ps, int type, const char *at)
{
	struct jdoc *d = ps->d;

	if (d->n == d->tcap)
		grow_toks(d);
	d->t[d->n] = (struct jdoc_tok){ (uint32_t)type, (uint32_t)(at - ps->start), 0, d->n + 1 };
	return d->n++;
}

static void skip_ws(struct parser *ps)
{
	char *p = ps->p;

	while (p < ps->lim && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	ps->p = p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *w, unsigned cp)
{
	return w + utf8_encode(cp, w);
}

/* Nonzero when one of the 8 bytes in x is '"', '\\', a control character
 * or not ASCII (SWAR: such a byte gets its high bit set in the result; a
 * borrow may also mark a later byte, never an earlier one, so the lowest
 * mark is the first such byte). */
static inline uint64_t special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x) & high;
}

/* Whether the n bytes at k hold a '.': eight at a time (exact, as any
 * mark at all means a real match), the rest one by one. */
static int has_dot(const char *k, uint32_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;

	for (; n >= 8; k += 8, n -= 8) {
		uint64_t x;
		memcpy(&x, k, 8);
		x ^= ones * '.';
		if ((x - ones) & ~x & high)
			return 1;
	}
	while (n--)
		if (*k++ == '.')
			return 1;
	return 0;
}

/* A string at ps->p (on the opening quote). Unescapes in place; the closing
 * quote's place (or earlier) receives the NUL. */
static int parse_string(struct parser *ps)
{
	char *p = ps->p + 1, *w;
	uint32_t tok = new_tok(ps, JD_STRING, p);

	/* Fast scan: plain ASCII without escapes needs no rewriting. Eight
	 * bytes at a time (loaded so that the first byte is the lowest), the
	 * last few of the input byte by byte. */
	for (;;) {
		if (ps->lim - p >= 8) {
			uint64_t x, m;
			memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			x = __builtin_bswap64(x);
#endif
			if (!(m = special8(x))) {
				p += 8;
				continue;
			}
			p += __builtin_ctzll(m) >> 3;
			break;
		}
		while (p < ps->lim) {
			unsigned char c = (unsigned char)*p;
			if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
				break;
			p++;
		}
		break;
	}
	w = p;
	for (;;) {
		if (p >= ps->lim)
			return fail(ps, ps->p, "unterminated string");
		unsigned char c = (unsigned char)*p;
		if (c == '"') {
			*w = '\0';
			ps->d->t[tok].len = (uint32_t)(w - (ps->start + ps->d->t[tok].off));
			ps->p = p + 1;
			return 0;
		}
		if (c < 0x20)
			return fail(ps, p, "control character in string");
		if (c < 0x80) {
			if (c != '\\') {
				*w++ = (char)c;
				p++;
				continue;
			}
			if (p + 1 >= ps->lim)
				return fail(ps, p, "unterminated string");
			switch (p[1]) {
			case '"': *w++ = '"'; break;
			case '\\': *w++ = '\\'; break;
			case '/': *w++ = '/'; break;
			case 'b': *w++ = '\b'; break;
			case 'f': *w++ = '\f'; break;
			case 'n': *w++ = '\n'; break;
			case 'r': *w++ = '\r'; break;
			case 't': *w++ = '\t'; break;
			case 'u': {
				unsigned cp, lo;
				if (p + 6 > ps->lim || hex4(p + 2, &cp))
					return fail(ps, p, "bad \\u escape");
				p += 6;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (p + 6 > ps->lim || p[0] != '\\' || p[1] != 'u' ||
					    hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
						return fail(ps, p, "unpaired surrogate in \\u escape");
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					p += 6;
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					return fail(ps, p - 6, "unpaired surrogate in \\u escape");
				}
				w = put_utf8(w, cp);
				continue;
			}
			default:
				return fail(ps, p, "bad escape in string");
			}
			p += 2;
			continue;
		}
		unsigned cp;
		int len = utf8_decode(p, (size_t)(ps->lim - p), &cp);
		if (!len)
			return fail(ps, p, "invalid UTF-8 in string");
		memmove(w, p, (size_t)len);
		w += len;
		p += len;
	}
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct parser *ps)
{
	char *p = ps->p;
	uint32_t tok = new_tok(ps, JD_NUMBER, p);

	if (p < ps->lim && *p == '-')
		p++;
	if (p >= ps->lim || !is_digit(*p))
		return fail_char(ps, p);
	if (*p == '0') {
		p++;
	} else {
		while (p < ps->lim && is_digit(*p))
			p++;
	}
	if (p < ps->lim && *p == '.') {
		p++;
		if (p >= ps->lim || !is_digit(*p))
			return fail_char(ps, p);
		while (p < ps->lim && is_digit(*p))
			p++;
	}
	if (p < ps->lim && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->lim && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->lim || !is_digit(*p))
			return fail_char(ps, p);
		while (p < ps->lim && is_digit(*p))
			p++;
	}
	ps->d->t[tok].len = (uint32_t)(p - ps->p);
	ps->p = p;
	return 0;
}

static int parse_word(struct parser *ps, const char *word, int type)
{
	size_t n = strlen(word);

	if ((size_t)(ps->lim - ps->p) < n || memcmp(ps->p, word, n))
		return fail_char(ps, ps->p);
	uint32_t tok = new_tok(ps, type, ps->p);
	ps->d->t[tok].len = (uint32_t)n;
	ps->p += n;
	return 0;
}

static int parse_value(struct parser *ps);

static int parse_container(struct parser *ps, int type)
{
	char close = type == JD_OBJECT ? '}' : ']';
	uint32_t tok = new_tok(ps, type, ps->p);
	uint32_t count = 0;

	if (++ps->depth > JDOC_MAX_DEPTH)
		return fail(ps, ps->p, "nesting deeper than 64");
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->lim && *ps->p == close) {
		ps->p++;
	} else {
		for (;;) {
			skip_ws(ps);
			if (type == JD_OBJECT) {
				if (ps->p >= ps->lim || *ps->p != '"')
					return ps->p < ps->lim ? fail(ps, ps->p, "expected a key in quotes")
						: fail(ps, ps->p, "unexpected end of input");
				uint32_t key = ps->d->n;
				if (parse_string(ps))
					return -1;
				if (has_dot(ps->start + ps->d->t[key].off, ps->d->t[key].len))
					ps->d->t[tok].type |= JDOC_DOTTED_KEYS;
				skip_ws(ps);
				if (ps->p >= ps->lim || *ps->p != ':')
					return ps->p < ps->lim ? fail(ps, ps->p, "expected ':' after key")
						: fail(ps, ps->p, "unexpected end of input");
				ps->p++;
				skip_ws(ps);
			}
			if (parse_value(ps))
				return -1;
			count++;
			skip_ws(ps);
			if (ps->p < ps->lim && *ps->p == ',') {
				const char *comma = ps->p++;
				/* Named at the comma: the close is often on the next
				 * line, where nobody looks for the mistake. */
				skip_ws(ps);
				if (ps->p < ps->lim && *ps->p == close)
					return fail(ps, comma, type == JD_OBJECT ? "a ',' before '}' (JSON "
						    "allows no trailing comma)" : "a ',' before ']' (JSON "
						    "allows no trailing comma)");
				continue;
			}
			if (ps->p < ps->lim && *ps->p == close) {
				ps->p++;
				break;
			}
			return ps->p < ps->lim ? fail(ps, ps->p,
				type == JD_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'")
				: fail(ps, ps->p, "unexpected end of input");
		}
	}
	ps->depth--;
	ps->d->t[tok].len = type == JD_OBJECT ? count * 2 : count;
	ps->d->t[tok].end = ps->d->n;
	return 0;
}

static int parse_value(struct parser *ps)
{
	if (ps->p >= ps->lim)
		return fail(ps, ps->p, "unexpected end of input");
	switch (*ps->p) {
	case '{': return parse_container(ps, JD_OBJECT);
	case '[': return parse_container(ps, JD_ARRAY);
	case '"': return parse_string(ps);
	case 't': return parse_word(ps, "true", JD_TRUE);
	case 'f': return parse_word(ps, "false", JD_FALSE);
	case 'n': return parse_word(ps, "null", JD_NULL);
	default:
		if (*ps->p == '-' || is_digit(*ps->p))
			return parse_number(ps);
		return fail_char(ps, ps->p);
	}
}

int jdoc_parse(struct jdoc *d, const char *src, size_t n, struct jdoc_error *err)
{
	struct parser ps;
	struct jdoc_error scratch;

	if (n + 1 > d->cap) {
		d->cap = n + 1 > 4096 ? n + 1 : 4096;
		free(d->buf);
		d->buf = xmalloc(d->cap);
	}
	memcpy(d->buf, src, n);
	d->buf[n] = '\0';
	d->n = 0;
	ps = (struct parser){ d, d->buf, d->buf, d->buf + n, err ? err : &scratch, 0 };
	skip_ws(&ps);
	if (parse_value(&ps))
		return -1;
	skip_ws(&ps);
	if (ps.p != ps.lim)
		return fail(&ps, ps.p, "trailing data after the JSON value");
	return 0;
}

int jdoc_get(const struct jdoc *d, int obj, const char *key)
{
	if (jdoc_type(d, obj) != JD_OBJECT)
		return -1;
	uint32_t i = (uint32_t)obj + 1, end = d->t[obj].end;
	while (i < end) {
		uint32_t v = i + 1;
		if (!strcmp(d->buf + d->t[i].off, key))
			return (int)v;
		i = d->t[v].end;
	}
	return -1;
}

int jdoc_path(const struct jdoc *d, int node, const char *path)
{
	char part[256];
	const char *dot;
	int t;

	while (node >= 0) {
		int type = jdoc_type(d, node);
		if (type == JD_OBJECT && (t = jdoc_get(d, node, path)) >= 0)
			return t;
		dot = strchr(path, '.');
		if (!dot)
			break;
		size_t n = (size_t)(dot - path);
		if (n >= sizeof part)
			return -1;
		memcpy(part, path, n);
		part[n] = '\0';
		if (type == JD_OBJECT) {
			node = jdoc_get(d, node, part);
		} else if (type == JD_ARRAY && n && strspn(part, "0123456789") == n) {
			long idx = strtol(part, NULL, 10);
			int arr = node;
			node = jdoc_first(d, arr);
			while (node >= 0 && idx-- > 0)
				node = jdoc_next(d, arr, node);
		} else {
			return -1;
		}
		path = dot + 1;
	}
	if (node >= 0 && jdoc_type(d, node) == JD_ARRAY && strspn(path, "0123456789") == strlen(path) && *path) {
		long idx = strtol(path, NULL, 10);
		int c = jdoc_first(d, node);
		while (c >= 0 && idx-- > 0)
			c = jdoc_next(d, node, c);
		return c;
	}
	return -1;
}

const char *jdoc_str(const struct jdoc *d, int tok)
{
	if (jdoc_type(d, tok) != JD_STRING)
		return NULL;
	return d->buf + d->t[tok].off;
}

const char *jdoc_scalar_text(const struct jdoc *d, int tok, size_t *len)
{
	int type = jdoc_type(d, tok);

	if (type < 0 || type == JD_STRING || type == JD_ARRAY || type == JD_OBJECT)
		return NULL;
	*len = d->t[tok].len;
	return d->buf + d->t[tok].off;
}

static int number_text(const struct jdoc *d, int tok, char *buf, size_t n)
{
	size_t len;
	const char *s;

	if (jdoc_type(d, tok) == JD_NUMBER) {
		s = d->buf + d->t[tok].off;
		len = d->t[tok].len;
	} else if (jdoc_type(d, tok) == JD_STRING) {
		s = d->buf + d->t[tok].off;
		len = d->t[tok].len;
	} else {
		return -1;
	}
	if (!len || len >= n)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int jdoc_int(const struct jdoc *d, int tok, int64_t *out)
{
	char buf[64], *end;
	double v;

	if (number_text(d, tok, buf, sizeof buf))
		return -1;
	errno = 0;
	long long ll = strtoll(buf, &end, 10);
	if (*end == '\0') {
		if (errno == ERANGE)
			return -1;   /* saturated: not the number written */
		*out = ll;
		return 0;
	}
	v = strtod(buf, &end);
	if (*end || v != v || v > 9.2e18 || v < -9.2e18)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int jdoc_double(const struct jdoc *d, int tok, double *out)
{
	char buf[64], *end;

	if (number_text(d, tok, buf, sizeof buf))
		return -1;
	*out = strtod(buf, &end);
	return *end ? -1 : 0;
}

int jdoc_first(const struct jdoc *d, int tok)
{
	int type = jdoc_type(d, tok);

	if ((type != JD_ARRAY && type != JD_OBJECT) || !d->t[tok].len)
		return -1;
	return type == JD_OBJECT ? tok + 2 : tok + 1;
}

int jdoc_next(const struct jdoc *d, int parent, int tok)
{
	uint32_t next = d->t[tok].end;

	if (jdoc_type(d, parent) == JD_OBJECT)
		next += 1;   /* skip the next key */
	return next < d->t[parent].end ? (int)next : -1;
}

struct keyed {
	const char *key;
	int value;
};

static int keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

void jdoc_canonical(const struct jdoc *d, int tok, struct strbuf *out)
{
	size_t len;
	const char *text;
	int type = jdoc_type(d, tok);

	switch (type) {
	case JD_STRING:
		text = jdoc_str(d, tok);
		json_quote(out, text, d->t[tok].len);
		return;
	case JD_ARRAY:
		strbuf_addc(out, '[');
		for (int e = jdoc_first(d, tok); e >= 0; e = jdoc_next(d, tok, e)) {
			if (e != tok + 1)
				strbuf_addc(out, ',');
			jdoc_canonical(d, e, out);
		}
		strbuf_addc(out, ']');
		return;
	case JD_OBJECT: {
		size_t n = d->t[tok].len / 2, i = 0;
		struct keyed *kv = xmalloc((n ? n : 1) * sizeof *kv);
		for (int e = jdoc_first(d, tok); e >= 0; e = jdoc_next(d, tok, e)) {
			kv[i].key = jdoc_str(d, e - 1);
			kv[i++].value = e;
		}
		qsort(kv, n, sizeof *kv, keyed_cmp);
		strbuf_addc(out, '{');
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_addc(out, ',');
			json_quote(out, kv[i].key, strlen(kv[i].key));
			strbuf_addc(out, ':');
			jdoc_canonical(d, kv[i].value, out);
		}
		strbuf_addc(out, '}');
		free(kv);
		return;
	}
	default:
		if ((text = jdoc_scalar_text(d, tok, &len)))
			strbuf_add(out, text, len);
		else
			strbuf_puts(out, "null");
	}
}
