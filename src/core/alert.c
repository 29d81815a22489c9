/* alert.c: the alert model (irk/alert.h): format names, the scratch
 * space, observables and fingerprints. The parsers that fill an alert
 * from a record are in src/ingest (irk/alert_parse.h). Contracts of the
 * exported functions are in irk/alert.h; notes here say what goes beyond
 * them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "irk/alert.h"
#include "irk/hash.h"
#include "irk/model.h"

#define X_NAME3(e, n, h) n,
#define X_HELP3(e, n, h) h,
static const char *const format_names[] = { IRK_ALERT_FORMATS(X_NAME3) };
static const char *const format_helps[] = { IRK_ALERT_FORMATS(X_HELP3) };
#undef X_NAME3
#undef X_HELP3

/* FMT_AUTO is named "auto". */
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

const char *alert_rule(const struct alert *a)
{
	if (a->rule_id && *a->rule_id)
		return a->rule_id;
	return a->rule_name && *a->rule_name ? a->rule_name : "unknown";
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

/* Contract in alert.h. The hour goes first, big-endian, so a stream in time
 * order appends to the database's fingerprint index instead of touching a
 * random page of it for every alert (the difference between hot and cold
 * pages once the index outgrows the cache). */
void alert_fingerprint_timed(struct alert *a)
{
	uint32_t hour = a->event_time > 0 ? (uint32_t)(a->event_time / 3600) : 0;

	memmove(a->fingerprint + 4, a->fingerprint, ALERT_FP_LEN - 4);
	a->fingerprint[0] = (unsigned char)(hour >> 24);
	a->fingerprint[1] = (unsigned char)(hour >> 16);
	a->fingerprint[2] = (unsigned char)(hour >> 8);
	a->fingerprint[3] = (unsigned char)hour;
}

/* Contract in alert.h. Set a->format first: it is part of the identity. */
void alert_fingerprint(struct alert *a, const char *const *parts, int nparts)
{
	unsigned char md[IRK_SHA256_LEN];
	const char *name = alert_format_name(a->format);
	char buf[2048];
	size_t used = 0, n = strlen(name) + 1;

	/* The terminating NULs separate the parts: ("ab","c") != ("a","bc").
	 * One buffer and one digest call: this runs for every alert. */
	memcpy(buf, name, n);
	used = n;
	for (int i = 0; i < nparts && used <= sizeof buf; i++) {
		const char *p = parts[i] ? parts[i] : "";
		n = strlen(p) + 1;
		if (used + n > sizeof buf) {
			used = sizeof buf + 1;
			break;
		}
		memcpy(buf + used, p, n);
		used += n;
	}
	if (used <= sizeof buf) {
		hash_sha256(buf, used, md);
	} else {
		struct hash_ctx *c = hash_begin();
		hash_update(c, name, strlen(name) + 1);
		for (int i = 0; i < nparts; i++) {
			const char *p = parts[i] ? parts[i] : "";
			hash_update(c, p, strlen(p) + 1);
		}
		hash_end(c, md);
	}
	memcpy(a->fingerprint, md, ALERT_FP_LEN);
}

