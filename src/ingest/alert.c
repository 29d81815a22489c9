/* alert.c: the normalised alert, its helpers, format names, auto-detection
 * and the dispatch to the per-format parsers (parse_*.c). */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/alert.h"
#include "irk/clock.h"
#include "irk/hash.h"
#include "irk/model.h"
#include "alert_impl.h"

#define X_NAME3(e, n, h) n,
#define X_HELP3(e, n, h) h,
static const char *const format_names[] = { IRK_ALERT_FORMATS(X_NAME3) };
static const char *const format_helps[] = { IRK_ALERT_FORMATS(X_HELP3) };
#undef X_NAME3
#undef X_HELP3

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

/* Contracts of the exported functions are in irk/alert.h; notes here say
 * what goes beyond them. FMT_AUTO is named "auto". */
const char *alert_format_name(int f)
{
	if (f == FMT_AUTO)
		return "auto";
	return f >= 0 && f < FMT_COUNT ? format_names[f] : "?";
}

const char *alert_format_help(int f)
{
	if (f == FMT_AUTO)
		return "detect the format of each record";
	return f >= 0 && f < FMT_COUNT ? format_helps[f] : "?";
}

int alert_format_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "auto"))
		return FMT_AUTO;
	for (int i = 0; i < FMT_COUNT; i++)
		if (!strcasecmp(s, format_names[i]))
			return i;
	return -1;
}

/* Clears everything before the scratch buffer; the buffer itself only needs
 * its fill level reset. Unknown severity defaults to medium: "we could not
 * tell" should not sort below alerts a source called low. */
void alert_reset(struct alert *a)
{
	memset(a, 0, offsetof(struct alert, scratch));
	a->format = FMT_AUTO;
	a->severity = SEV_MEDIUM;
	a->scratch[0] = '\0';
	a->scratch_used = 0;
}

/* Contract in alert.h. Kept strings are NUL-terminated; n bytes are copied
 * as they are (an embedded NUL just ends the string early). */
const char *alert_keep(struct alert *a, const char *s, size_t n)
{
	char *p;

	if (!s || a->scratch_used > ALERT_SCRATCH ||
	    n >= ALERT_SCRATCH - a->scratch_used)
		return NULL;
	p = a->scratch + a->scratch_used;
	memcpy(p, s, n);
	p[n] = '\0';
	a->scratch_used += n + 1;
	return p;
}

/* Contract in alert.h. A string that does not fit leaves no trace. */
const char *alert_keepf(struct alert *a, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	char *p;
	int n;

	if (a->scratch_used >= ALERT_SCRATCH)
		return NULL;
	room = ALERT_SCRATCH - a->scratch_used;
	p = a->scratch + a->scratch_used;
	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		*p = '\0';      /* drop the truncated text, keep nothing */
		return NULL;
	}
	a->scratch_used += (size_t)n + 1;
	return p;
}

/* Contract in alert.h. The value is borrowed, like the alert's fields. */
void alert_add_obs(struct alert *a, int type, const char *value)
{
	if (!value || !*value || type < 0 || type >= OBS_COUNT ||
	    a->nobs >= ALERT_MAX_OBS)
		return;
	for (int i = 0; i < a->nobs; i++)
		if (a->obs[i].type == type && !strcmp(a->obs[i].value, value))
			return;
	a->obs[a->nobs].type = type;
	a->obs[a->nobs].value = value;
	a->nobs++;
}

/* Contract in alert.h. Set a->format first: it is part of the identity. */
void alert_fingerprint(struct alert *a, const char *const *parts, int nparts)
{
	unsigned char md[IRK_SHA256_LEN];
	struct hash_ctx *c = hash_begin();
	const char *name = alert_format_name(a->format);

	/* The terminating NULs separate the parts: ("ab","c") != ("a","bc"). */
	hash_update(c, name, strlen(name) + 1);
	for (int i = 0; i < nparts; i++) {
		const char *p = parts[i] ? parts[i] : "";
		hash_update(c, p, strlen(p) + 1);
	}
	hash_end(c, md);
	memcpy(a->fingerprint, md, ALERT_FP_LEN);
}

static json_t *path_find(json_t *obj, const char *path, size_t len,
		int *budget)
{
	json_t *v;

	if (!json_is_object(obj) || --*budget < 0)
		return NULL;
	if ((v = json_object_getn(obj, path, len)))
		return v;
	for (size_t i = 0; i < len; i++) {
		json_t *child;

		if (path[i] != '.')
			continue;
		child = json_object_getn(obj, path, i);
		if (json_is_object(child) &&
		    (v = path_find(child, path + i + 1, len - i - 1, budget)))
			return v;
	}
	return NULL;
}

/* Contract in alert.h. Every split of the dots is tried ("a.b" as a key,
 * then "a" then "b"), within PATH_BUDGET lookups. Arrays are not indexed. */
json_t *alert_json_path(json_t *root, const char *path)
{
	int budget = PATH_BUDGET;
	size_t len;

	if (!root || !path || !*path)
		return NULL;
	len = strnlen(path, PATH_MAX_LEN + 1);
	if (len > PATH_MAX_LEN)
		return NULL;
	return path_find(root, path, len, &budget);
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
 * (NUMBUF bytes). NULL for null, arrays, objects and missing values. */
static const char *scalar_fmt(json_t *v, char *buf, size_t n)
{
	if (!v)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		real_fmt(json_real_value(v), buf, n);
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return NULL;
	}
}

/* Contract in alert.h. Booleans give the literals "true" / "false"; reals
 * their shortest exact form. NULL also when a number does not fit in
 * scratch. */
const char *alert_json_str(struct alert *a, json_t *root, const char *path)
{
	char buf[NUMBUF];
	json_t *v = alert_json_path(root, path);
	const char *s;

	if (!v)
		return NULL;
	s = scalar_fmt(v, buf, sizeof buf);
	if (s != buf)
		return s;       /* borrowed from the record, or a literal */
	return alert_keep(a, buf, strlen(buf));
}

/* From here to alert_begin(): helpers for the parsers, with their
 * contracts in alert_impl.h. */
const char *alert_json_any(struct alert *a, json_t *root,
		const char *const *paths)
{
	const char *s;

	for (; *paths; paths++)
		if ((s = alert_json_str(a, root, *paths)) && *s)
			return s;
	return NULL;
}

const char *alert_json_first(json_t *root, const char *path)
{
	json_t *v = alert_json_path(root, path);
	size_t i;
	json_t *e;

	if (json_is_string(v))
		return json_string_value(v);
	json_array_foreach(v, i, e)
		if (json_is_string(e))
			return json_string_value(e);
	return NULL;
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

int alert_json_num(json_t *root, const char *path, double *out)
{
	json_t *v = alert_json_path(root, path);

	if (json_is_number(v)) {
		double d = json_number_value(v);
		if (!isfinite(d))
			return -1;
		*out = d;
		return 0;
	}
	if (json_is_string(v))
		return num_parse(json_string_value(v), out);
	return -1;
}

int alert_time(struct alert *a, json_t *root, const char *path,
		struct irk_err *err)
{
	json_t *v = alert_json_path(root, path);
	int64_t t = 0;
	double d;

	if (json_is_string(v) && !irk_time_parse(json_string_value(v), &t)) {
		/* ISO form parsed */
	} else if (!alert_json_num(root, path, &d)) {
		if (d >= 1e11)
			d /= 1000.0;
		t = d >= 1.0 && d <= TIME_MAX ? (int64_t)d : 0;
	}
	if (t <= 0)
		return irk_fail(err, IRK_INVALID, "no usable time in field '%s'",
				path);
	a->event_time = t;
	return IRK_OK;
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

void alert_obs_path(struct alert *a, int type, json_t *root, const char *path)
{
	json_t *v = alert_json_path(root, path);
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		alert_add_obs(a, type, json_string_value(v));
		return;
	}
	json_array_foreach(v, i, e) {
		if (a->nobs >= ALERT_MAX_OBS)
			break;
		if (json_is_string(e))
			alert_add_obs(a, type, json_string_value(e));
	}
}

const char *alert_obs_url(struct alert *a, const char *scheme,
		const char *host, const char *path)
{
	const char *url;

	if (!path || !*path)
		return NULL;
	if (path[0] != '/')
		url = path;                 /* absolute already (proxy request) */
	else if (!host || !*host)
		return NULL;                /* a bare path is no indicator */
	else
		url = alert_keepf(a, "%s://%s%s", scheme ? scheme : "http",
				  host, path);
	alert_add_obs(a, OBS_URL, url);
	return url;
}

void alert_fingerprint_paths(struct alert *a, json_t *root,
		const char *const *paths, int npaths)
{
	char bufs[FP_MAX_PARTS][NUMBUF];
	const char *parts[FP_MAX_PARTS];

	if (npaths > FP_MAX_PARTS)
		npaths = FP_MAX_PARTS;
	for (int i = 0; i < npaths; i++)
		parts[i] = scalar_fmt(alert_json_path(root, paths[i]), bufs[i],
				      NUMBUF);
	alert_fingerprint(a, parts, npaths);
}

int alert_begin(struct alert *a, int fmt, json_t *root, struct irk_err *err)
{
	alert_reset(a);
	a->format = fmt;
	irk_err_clear(err);
	if (!json_is_object(root))
		return irk_fail(err, IRK_INVALID, "record is not a JSON object");
	return IRK_OK;
}

static int has(json_t *root, const char *key)
{
	return json_object_get(root, key) != NULL;
}

/* Signatures in order of specificity: Wazuh records also carry "timestamp"
 * and Elastic documents built from Wazuh also carry "@timestamp", so the
 * rule.level + agent test goes before the ECS one. Each test also matches
 * a record of its format that lacks its time field, so that record is
 * refused as "no usable time in field ..." rather than "cannot tell". */
int alert_detect(json_t *root, const struct alert_mapping *map)
{
	json_t *rule, *ts;

	if (!json_is_object(root))
		return map ? FMT_JSON : -1;
	if (json_is_string(json_object_get(root, "event_type")) &&
	    (has(root, "timestamp") ||
	     json_is_object(json_object_get(root, "alert"))))
		return FMT_EVE;
	rule = json_object_get(root, "rule");
	if (json_is_object(rule) && has(rule, "level") &&
	    json_is_object(json_object_get(root, "agent")))
		return FMT_WAZUH;
	if (json_is_object(json_object_get(root, "ecs")) ||
	    (has(root, "@timestamp") &&
	     json_is_object(json_object_get(root, "event"))))
		return FMT_ECS;
	ts = json_object_get(root, "ts");
	if (json_is_string(json_object_get(root, "note")) &&
	    (json_is_number(ts) || json_is_string(ts) ||
	     json_is_array(json_object_get(root, "actions"))))
		return FMT_ZEEK;
	return map ? FMT_JSON : -1;
}

/* Contract in alert.h. Beyond it: FMT_AUTO detects the format first, and a
 * record nothing recognises is refused with a reason that suggests
 * --format json. raw is set even on a refusal, for quarantine. */
int alert_parse(int format, json_t *root, const char *raw, size_t raw_len,
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
		rc = irk_fail(err, IRK_INVALID, "cannot tell the format (not "
			"EVE, Wazuh, ECS or Zeek notice); give --format json "
			"and a [mapping]");
		break;
	default:
		alert_reset(a);
		rc = irk_fail(err, IRK_INVALID, "unknown alert format %d",
			format);
		break;
	}
	a->raw = raw;
	a->raw_len = raw ? raw_len : 0;
	return rc;
}
