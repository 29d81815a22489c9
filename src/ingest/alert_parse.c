/* alert_parse.c: reading alerts from JSON records: dotted paths, scalars,
 * times, auto-detection and the dispatch to the per-format parsers
 * (parse_*.c). The model itself is src/core/alert.c. Contracts are in
 * irk/alert_parse.h and parse_impl.h; notes here say what goes beyond
 * them. */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/alert_parse.h"
#include "irk/clock.h"
#include "irk/ip.h"
#include "irk/model.h"
#include "parse_impl.h"

/* Room for any formatted JSON number or boolean. */
#define NUMBUF 64
/* Longest path alert_json_path() follows, and how many object lookups one
 * call may make: trying every split of "a.b.c" is exponential in the dots,
 * and the record is hostile even when the path is not. */
#define PATH_MAX_LEN 512
#define PATH_BUDGET 64
#define FP_MAX_PARTS 16
/* Latest usable event time: 9999-12-31T23:59:59Z. */
#define TIME_MAX 253402300799.0

/* The member of object obj named by key[0..len), or -1. */
static int getn(const struct jdoc *d, int obj, const char *key, size_t len)
{
	if (jdoc_type(d, obj) != JD_OBJECT)
		return -1;
	for (int k = jdoc_first(d, obj); k >= 0; k = jdoc_next(d, obj, k)) {
		/* k is a value; its key is the token before it. Lengths first:
		 * this runs a few hundred times per ingested alert. */
		const struct jdoc_tok *kt = &d->t[k - 1];
		if (kt->len == len && !memcmp(d->buf + kt->off, key, len))
			return k;
	}
	return -1;
}

static int path_find(const struct jdoc *d, int obj, const char *path, size_t len,
		int *budget)
{
	int v;

	if (jdoc_type(d, obj) != JD_OBJECT || --*budget < 0)
		return -1;
	/* Keys with dots in them are rare: only objects that have one need the
	 * literal tries, the others just split at the first dot. */
	int dotted = (d->t[obj].type & JDOC_DOTTED_KEYS) != 0;
	const char *first_dot = memchr(path, '.', len);
	if ((dotted || !first_dot) && (v = getn(d, obj, path, len)) >= 0)
		return v;
	for (size_t i = first_dot ? (size_t)(first_dot - path) : len; i < len; i++) {
		int child;

		if (path[i] != '.')
			continue;
		if (!dotted && path + i != first_dot)
			break;
		child = getn(d, obj, path, i);
		if (jdoc_type(d, child) == JD_OBJECT &&
		    (v = path_find(d, child, path + i + 1, len - i - 1, budget)) >= 0)
			return v;
	}
	return -1;
}

/* Contract in alert_parse.h. Every split of the dots is tried ("a.b" as a key,
 * then "a" then "b"), within PATH_BUDGET lookups. Arrays are not indexed. */
int alert_json_path_at(const struct jdoc *root, int node, const char *path)
{
	int budget = PATH_BUDGET;
	size_t len;

	if (!root || !path || !*path)
		return -1;
	len = strnlen(path, PATH_MAX_LEN + 1);
	if (len > PATH_MAX_LEN)
		return -1;
	return path_find(root, node, path, len, &budget);
}

int alert_json_path(const struct jdoc *root, const char *path)
{
	return alert_json_path_at(root, 0, path);
}

/* Contract in parse_impl.h. Each object is read once, its members matched
 * against the fields it holds. That equals alert_json_path() on each path
 * as long as no object on the way has a key with a dot in it (the path
 * could then name that key literally): fields under such an object take
 * the full path lookup instead. */
void alert_fields(const struct jdoc *d, const struct alert_field *f, int n, int *tok)
{
	unsigned char slow[ALERT_MAX_FIELDS] = { 0 };

	if (n > ALERT_MAX_FIELDS)
		n = ALERT_MAX_FIELDS;
	for (int i = 0; i < n; i++)
		tok[i] = -1;
	/* The fields of one parent are contiguous: [first, end). */
	for (int first = 0, end; first < n; first = end) {
		int p = f[first].parent, obj = p < 0 ? 0 : tok[p], want = 0;

		for (end = first; end < n && f[end].parent == p; end++)
			;
		if (jdoc_type(d, obj) != JD_OBJECT)
			continue;
		if ((d->t[obj].type & JDOC_DOTTED_KEYS) || (p >= 0 && slow[p])) {
			for (int i = first; i < end; i++) {
				slow[i] = 1;
				tok[i] = alert_json_path(d, f[i].path);
			}
			continue;
		}
		/* Members are key, value pairs; a value's subtree ends at .end. */
		for (uint32_t k = (uint32_t)obj + 2; k < d->t[obj].end && want < end - first;
		     k = d->t[k].end + 1) {
			const struct jdoc_tok *kt = &d->t[k - 1];
			for (int i = first; i < end; i++) {
				if (f[i].klen != kt->len || tok[i] >= 0 ||
				    memcmp(d->buf + kt->off, f[i].key, kt->len))
					continue;
				tok[i] = (int)k;   /* the first of duplicate keys wins */
				want++;
				break;
			}
		}
	}
}

/* The shortest %g form that reads back as the same double, so 3600.0 is
 * "3600" and Zeek's 1320435875.879278 stays "1320435875.879278". */
static void real_fmt(double d, char *buf, size_t n)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

/* String form of a scalar: strings borrowed, numbers and booleans into buf
 * (NUMBUF bytes). Integers keep their text; other numbers their shortest
 * exact form. NULL for null, arrays, objects and missing values. */
static const char *scalar_fmt(const struct jdoc *d, int tok, char *buf, size_t n)
{
	const char *text;
	size_t len;

	switch (jdoc_type(d, tok)) {
	case JD_STRING:
		return jdoc_str(d, tok);
	case JD_NUMBER:
		text = jdoc_scalar_text(d, tok, &len);
		if (len < n && !memchr(text, '.', len) && !memchr(text, 'e', len) &&
		    !memchr(text, 'E', len)) {
			memcpy(buf, text, len);
			buf[len] = '\0';
			return buf;
		}
		{
			double v;
			if (jdoc_double(d, tok, &v) || !isfinite(v))
				return NULL;
			real_fmt(v, buf, n);
		}
		return buf;
	case JD_TRUE:
		return "true";
	case JD_FALSE:
		return "false";
	default:
		return NULL;
	}
}

/* Contract in alert_parse.h. Booleans give the literals "true" / "false"; reals
 * their shortest exact form. NULL also when a number does not fit in
 * scratch. */
const char *alert_tok_str(struct alert *a, const struct jdoc *root, int tok)
{
	char buf[NUMBUF];
	const char *s;

	if (tok < 0)
		return NULL;
	s = scalar_fmt(root, tok, buf, sizeof buf);
	if (s != buf)
		return s;       /* borrowed from the record, or a literal */
	return alert_keep(a, buf, strlen(buf));
}

const char *alert_json_str(struct alert *a, const struct jdoc *root, const char *path)
{
	return alert_tok_str(a, root, alert_json_path(root, path));
}

/* From here to alert_begin(): helpers for the parsers, with their
 * contracts in parse_impl.h. */
const char *alert_json_any(struct alert *a, const struct jdoc *root,
		const char *const *paths)
{
	const char *s;

	for (; *paths; paths++)
		if ((s = alert_json_str(a, root, *paths)) && *s)
			return s;
	return NULL;
}

const char *alert_tok_first(const struct jdoc *root, int v)
{
	if (jdoc_type(root, v) == JD_STRING)
		return jdoc_str(root, v);
	if (jdoc_type(root, v) != JD_ARRAY)
		return NULL;
	for (int e = jdoc_first(root, v); e >= 0; e = jdoc_next(root, v, e))
		if (jdoc_type(root, e) == JD_STRING)
			return jdoc_str(root, e);
	return NULL;
}

const char *alert_json_first(const struct jdoc *root, const char *path)
{
	return alert_tok_first(root, alert_json_path(root, path));
}

/* Strict: the whole string must be a finite decimal number, so "2018-07-05"
 * or "0x10" or "nan" are not numbers. */
static int num_parse(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double d;

	while (*p == ' ')
		p++;
	if (!*p)
		return -1;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q) && !strchr("+-.eE ", *q))
			return -1;
	d = strtod(p, &end);
	while (*end == ' ')
		end++;
	if (end == p || *end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

int alert_json_num(const struct jdoc *root, const char *path, double *out)
{
	return alert_tok_num(root, alert_json_path(root, path), out);
}

int alert_tok_num(const struct jdoc *root, int v, double *out)
{
	double d;

	if (jdoc_type(root, v) == JD_NUMBER) {
		if (jdoc_double(root, v, &d) || !isfinite(d))
			return -1;
		*out = d;
		return 0;
	}
	if (jdoc_type(root, v) == JD_STRING)
		return num_parse(jdoc_str(root, v), out);
	return -1;
}

int alert_time(struct alert *a, const struct jdoc *root, const char *path,
		struct irk_err *err)
{
	return alert_tok_time(a, root, alert_json_path(root, path), path, err);
}

int64_t alert_tok_epoch(const struct jdoc *root, int v)
{
	int64_t t = 0;
	double d;

	if (jdoc_type(root, v) == JD_STRING && !irk_time_parse(jdoc_str(root, v), &t)) {
		/* ISO form parsed */
	} else if (!alert_tok_num(root, v, &d)) {
		if (d >= 1e11)
			d /= 1000.0;
		t = d >= 1.0 && d <= TIME_MAX ? (int64_t)d : 0;
	}
	return t > 0 ? t : 0;
}

int alert_tok_time(struct alert *a, const struct jdoc *root, int v, const char *path,
		struct irk_err *err)
{
	int64_t t = alert_tok_epoch(root, v);

	if (!t)
		return irk_fail(err, IRK_INVALID, "no usable time in field '%s'",
				path);
	a->event_time = t;
	return IRK_OK;
}

const char *alert_affected_host(const char *src, const char *dst, int to_client)
{
	int si, di;

	if (!src || !*src)
		return dst && *dst ? dst : NULL;
	if (!dst || !*dst)
		return src;
	si = ip_is_internal(src);
	di = ip_is_internal(dst);
	if (si != di)
		return si ? src : dst;
	return to_client ? src : dst;
}

int alert_sev_word(const char *s, int dflt)
{
	static const struct { const char *word; int sev; } words[] = {
		{ "critical", SEV_CRITICAL }, { "crit", SEV_CRITICAL },
		{ "emerg", SEV_CRITICAL }, { "emergency", SEV_CRITICAL },
		{ "alert", SEV_CRITICAL }, { "fatal", SEV_CRITICAL },
		{ "severe", SEV_CRITICAL },
		{ "high", SEV_HIGH }, { "major", SEV_HIGH },
		{ "error", SEV_HIGH }, { "err", SEV_HIGH },
		{ "medium", SEV_MEDIUM }, { "moderate", SEV_MEDIUM },
		{ "warning", SEV_MEDIUM }, { "warn", SEV_MEDIUM },
		{ "low", SEV_LOW }, { "minor", SEV_LOW }, { "notice", SEV_LOW },
		{ "info", SEV_LOW }, { "informational", SEV_LOW },
		{ "information", SEV_LOW }, { "debug", SEV_LOW },
	};

	if (!s)
		return dflt;
	for (int i = 0; i < ALERT_NELEM(words); i++)
		if (!strcasecmp(s, words[i].word))
			return words[i].sev;
	return dflt;
}

int alert_sev_priority(double n)
{
	if (n < 1)
		return SEV_MEDIUM;
	if (n < 2)
		return SEV_HIGH;
	return n < 3 ? SEV_MEDIUM : SEV_LOW;
}

void alert_obs_tok(struct alert *a, int type, const struct jdoc *root, int v)
{
	if (jdoc_type(root, v) == JD_STRING) {
		alert_add_obs(a, type, jdoc_str(root, v));
		return;
	}
	if (jdoc_type(root, v) != JD_ARRAY)
		return;
	for (int e = jdoc_first(root, v); e >= 0; e = jdoc_next(root, v, e)) {
		if (a->nobs >= ALERT_MAX_OBS)
			break;
		if (jdoc_type(root, e) == JD_STRING)
			alert_add_obs(a, type, jdoc_str(root, e));
	}
}

void alert_obs_path(struct alert *a, int type, const struct jdoc *root, const char *path)
{
	alert_obs_tok(a, type, root, alert_json_path(root, path));
}

const char *alert_obs_url(struct alert *a, const char *scheme,
		const char *host, const char *path)
{
	const char *url;

	if (!path || !*path)
		return NULL;
	if (path[0] != '/') {
		url = path;                 /* absolute already (proxy request) */
	} else if (!host || !*host) {
		return NULL;                /* a bare path is no indicator */
	} else {
		/* scheme://host/path, pieced together: this runs for most web
		 * alerts, and printf's parsing cost more than the copying. */
		const char *piece[4] = { scheme ? scheme : "http", "://", host, path };
		size_t len[4], total = 0;
		char *p;

		for (int i = 0; i < 4; i++)
			total += len[i] = strlen(piece[i]);
		if (a->scratch_used >= ALERT_SCRATCH || total >= ALERT_SCRATCH - a->scratch_used)
			return NULL;
		url = p = a->scratch + a->scratch_used;
		for (int i = 0; i < 4; i++) {
			memcpy(p, piece[i], len[i]);
			p += len[i];
		}
		*p = '\0';
		a->scratch_used += total + 1;
	}
	alert_add_obs(a, OBS_URL, url);
	return url;
}

void alert_fingerprint_paths(struct alert *a, const struct jdoc *root,
		const char *const *paths, int npaths)
{
	int toks[FP_MAX_PARTS];

	if (npaths > FP_MAX_PARTS)
		npaths = FP_MAX_PARTS;
	for (int i = 0; i < npaths; i++)
		toks[i] = alert_json_path(root, paths[i]);
	alert_fingerprint_toks(a, root, toks, npaths);
}

void alert_fingerprint_toks(struct alert *a, const struct jdoc *root,
		const int *toks, int n)
{
	char bufs[FP_MAX_PARTS][NUMBUF];
	const char *parts[FP_MAX_PARTS];

	if (n > FP_MAX_PARTS)
		n = FP_MAX_PARTS;
	for (int i = 0; i < n; i++)
		parts[i] = scalar_fmt(root, toks[i], bufs[i], NUMBUF);
	alert_fingerprint(a, parts, n);
}

int alert_begin(struct alert *a, int fmt, const struct jdoc *root, struct irk_err *err)
{
	alert_reset(a);
	a->format = fmt;
	irk_err_clear(err);
	if (jdoc_type(root, 0) != JD_OBJECT)
		return irk_fail(err, IRK_INVALID, "record is not a JSON object");
	return IRK_OK;
}

static int has(const struct jdoc *root, int obj, const char *key)
{
	return jdoc_get(root, obj, key) >= 0;
}

static int is(const struct jdoc *root, int obj, const char *key, int type)
{
	return jdoc_type(root, jdoc_get(root, obj, key)) == type;
}

/* Signatures in order of specificity: Wazuh records also carry "timestamp"
 * and Elastic documents built from Wazuh also carry "@timestamp", so the
 * rule.level + agent test goes before the ECS one. Each test also matches
 * a record of its format that lacks its time field, so that record is
 * refused as "no usable time in field ..." rather than "cannot tell". */
/* EVE: an event_type beside its time, its addresses, its flow or the
 * object named after the type ("dns": {...}). A record whose time is
 * missing is still EVE: rejected for that, not for its format. */
static int is_eve(const struct jdoc *root)
{
	static const char *const with[] = { "timestamp", "flow_id", "src_ip", "dest_ip" };
	int t = jdoc_get(root, 0, "event_type");
	const char *type = jdoc_str(root, t);

	if (jdoc_type(root, t) != JD_STRING)
		return 0;
	for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
		if (has(root, 0, with[i]))
			return 1;
	return type && is(root, 0, type, JD_OBJECT);
}

int alert_detect(const struct jdoc *root, const struct alert_mapping *map)
{
	int rule, ts;

	if (jdoc_type(root, 0) != JD_OBJECT)
		return map ? FMT_JSON : -1;
	if (is_eve(root))
		return FMT_EVE;
	rule = jdoc_get(root, 0, "rule");
	if (jdoc_type(root, rule) == JD_OBJECT && has(root, rule, "level") &&
	    is(root, 0, "agent", JD_OBJECT))
		return FMT_WAZUH;
	if (is(root, 0, "ecs", JD_OBJECT) ||
	    (has(root, 0, "@timestamp") && is(root, 0, "event", JD_OBJECT)))
		return FMT_ECS;
	ts = jdoc_type(root, jdoc_get(root, 0, "ts"));
	if (is(root, 0, "note", JD_STRING) &&
	    (ts == JD_NUMBER || ts == JD_STRING || is(root, 0, "actions", JD_ARRAY)))
		return FMT_ZEEK;
	/* Zeek's other logs (conn, dns, http...): recognised, to be skipped. */
	if (zeek_is_log(root))
		return FMT_ZEEK;
	return map ? FMT_JSON : -1;
}

/* Contract in parse_impl.h. */
int zeek_is_log(const struct jdoc *root)
{
	int ts = jdoc_type(root, jdoc_get(root, 0, "ts"));

	if (ts != JD_NUMBER && ts != JD_STRING)
		return 0;
	return is(root, 0, "_path", JD_STRING) || is(root, 0, "uid", JD_STRING) ||
	       is(root, 0, "fuid", JD_STRING);
}

/* An alert names the rule that fired, by id or by name: without either
 * there is nothing to correlate, match a play against or title an
 * incident with (an empty EVE "alert" would open one called "unknown").
 * The reason names the fields of the format that were looked at. */
static int no_rule(int format, const struct alert_mapping *map, struct irk_err *err)
{
	static const char *const fields[][2] = {
		[FMT_EVE] = { "alert.signature_id", "alert.signature" },
		[FMT_WAZUH] = { "rule.id", "rule.description" },
		[FMT_ECS] = { "rule.id", "rule.name" },
		[FMT_ZEEK] = { "note", "msg" },
	};

	if (format == FMT_JSON) {
		if (!map || (!map->rule_id && !map->rule_name))
			return irk_fail(err, IRK_INVALID, "no rule: the [mapping] names no rule_id or "
					"rule_name field");
		return irk_fail(err, IRK_INVALID, "no rule: neither '%s' nor '%s' is given",
				map->rule_id ? map->rule_id : "(rule_id not mapped)",
				map->rule_name ? map->rule_name : "(rule_name not mapped)");
	}
	if (format < 0 || format >= (int)(sizeof fields / sizeof fields[0]) || !fields[format][0])
		return irk_fail(err, IRK_INVALID, "no rule id or rule name");
	return irk_fail(err, IRK_INVALID, "no rule: neither '%s' nor '%s' is given",
			fields[format][0], fields[format][1]);
}

/* Contract in alert_parse.h. Beyond it: FMT_AUTO detects the format first, and a
 * record nothing recognises is refused (ALERT_UNRECOGNISED). raw is set even on a refusal, for quarantine. */
int alert_parse(int format, const struct jdoc *root, const char *raw, size_t raw_len,
		const struct alert_mapping *map, struct alert *a,
		struct irk_err *err)
{
	int rc;

	if (format == FMT_AUTO)
		format = alert_detect(root, map);
	switch (format) {
	case FMT_EVE:   rc = alert_parse_eve(root, a, err); break;
	case FMT_WAZUH: rc = alert_parse_wazuh(root, a, err); break;
	case FMT_ECS:   rc = alert_parse_ecs(root, a, err); break;
	case FMT_ZEEK:  rc = alert_parse_zeek(root, a, err); break;
	case FMT_JSON:  rc = alert_parse_json(root, map, a, err); break;
	case -1:
		alert_reset(a);
		rc = irk_fail_need(err, IRK_INVALID, NEED_FORMAT, "%s", ALERT_UNRECOGNISED);
		break;
	default:
		alert_reset(a);
		rc = irk_fail(err, IRK_INVALID, "unknown alert format %d",
			format);
		break;
	}
	if (rc == IRK_OK && (!a->rule_id || !*a->rule_id) && (!a->rule_name || !*a->rule_name))
		rc = no_rule(format, map, err);
	a->raw = raw;
	a->raw_len = raw ? raw_len : 0;
	if (rc == IRK_OK)
		alert_fingerprint_timed(a);
	return rc;
}
