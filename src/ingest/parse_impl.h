/* parse_impl.h: helpers shared by alert_parse.c and the parse_*.c parsers.
 *
 * Private to src/ingest/: the public contract is include/irk/alert_parse.h. These
 * exist so that the five parsers read times, numbers, severities, URLs and
 * fingerprints the same way. */
#ifndef IRK_PARSE_IMPL_H
#define IRK_PARSE_IMPL_H

#include "irk/alert_parse.h"

/* One field for alert_fields(): the member key (klen bytes) of the object
 * held by field parent (-1: the root), and its whole dotted path. */
struct alert_field {
	int parent;
	const char *key;
	size_t klen;
	const char *path;
};

#define ALERT_MAX_FIELDS 64

/* The tokens of n fields (at most ALERT_MAX_FIELDS), each object read once:
 * tok[i] is what alert_json_path(root, f[i].path) gives, -1 when missing.
 * The fields of one parent are listed together, after their parent's own
 * entry, and with distinct keys. For parsers that read many fields of
 * every record (EVE): one pass instead of a lookup per path. */
void alert_fields(const struct jdoc *root, const struct alert_field *f, int n, int *tok);

/* Reset *a for a new record of format fmt. Fails (IRK_INVALID) when root is
 * not a JSON object, so parsers never look inside an array or a scalar. */
int alert_begin(struct alert *a, int fmt, const struct jdoc *root, struct irk_err *err);

/* Read the event time at path into a->event_time.
 * Accepted: an ISO 8601 / RFC 3339 string (irk_time_parse), or an epoch as a
 * JSON number or a numeric string. An epoch >= 1e11 is taken as milliseconds
 * (1e11 seconds is the year 5138, while any millisecond time after 1973-03-03
 * is above it); fractions of a second are dropped. Zero, negative or
 * beyond-9999 times are not usable. Returns IRK_OK, or IRK_INVALID with
 * "no usable time in field 'PATH'". */
int alert_time(struct alert *a, const struct jdoc *root, const char *path,
		struct irk_err *err);
/* The same for the value at token tok; path only names it in the error. */
int alert_tok_time(struct alert *a, const struct jdoc *root, int tok, const char *path,
		struct irk_err *err);

/* The time alert_tok_time() reads at token tok, or 0 when there is no
 * usable one. */
int64_t alert_tok_epoch(const struct jdoc *root, int tok);

/* The number at path: a JSON integer or real, or a string that is entirely
 * a decimal number ("1", " 7.5"). Returns 0 and sets *out, or -1. */
int alert_json_num(const struct jdoc *root, const char *path, double *out);
/* The same for the value at token tok. */
int alert_tok_num(const struct jdoc *root, int tok, double *out);

/* The first string at path: the string itself, or the first string element
 * of an array (ECS fields such as event.category may be either). Borrowed. */
const char *alert_json_first(const struct jdoc *root, const char *path);
/* The same for the token at tok. */
const char *alert_tok_first(const struct jdoc *root, int tok);
/* The string form of the scalar at tok (as alert_json_str). */
const char *alert_tok_str(struct alert *a, const struct jdoc *root, int tok);

/* The first non-empty alert_json_str() among paths (NULL-terminated):
 * for fallbacks such as host.name, then host.hostname. */
const char *alert_json_any(struct alert *a, const struct jdoc *root,
		const char *const *paths);

/* The affected host of a network alert between src and dst (either may
 * be NULL or empty): the machine in the organisation's care that the alert
 * is about, as irk(1) AFFECTED HOST says. Of the two addresses, the
 * internal one (ip_is_internal) when exactly one is; when both or neither
 * are, the side that received the connection: dst, or src when the alert
 * fired on a packet going back to the client (to_client). A lone address
 * is the host; no address, no host (NULL). Borrowed: src or dst. */
const char *alert_affected_host(const char *src, const char *dst, int to_client);

/* Severity from a word a source may use: the irk names, log levels
 * (emerg/alert/crit -> critical, err/error -> high, warn -> medium,
 * notice/info/debug -> low) and "major"/"minor"/"informational".
 * Case-insensitive; dflt for NULL or an unknown word. */
int alert_sev_word(const char *s, int dflt);

/* Severity from a Suricata/Snort style priority, where 1 is the most
 * severe: 1 high, 2 medium, 3 and above low; below 1 (unused) medium. */
int alert_sev_priority(double n);

/* Add the string at path as an observable (arrays: every string element). */
void alert_obs_path(struct alert *a, int type, const struct jdoc *root, const char *path);
/* The same for the value at token tok. */
void alert_obs_tok(struct alert *a, int type, const struct jdoc *root, int tok);

/* Add a URL observable built from a host and a path as web logs split them:
 * a path that is already absolute ("http://...") is kept as it is; a path
 * starting with '/' gets "scheme://host" in front when host is known
 * (scheme NULL means "http"). Returns the URL (borrowed), or NULL. */
const char *alert_obs_url(struct alert *a, const char *scheme,
		const char *host, const char *path);

/* Fingerprint from the scalar values at the given paths (missing -> "").
 * Numbers are formatted on the stack, so a full scratch space never changes
 * an identity. */
void alert_fingerprint_paths(struct alert *a, const struct jdoc *root,
		const char *const *paths, int npaths);
/* The same from tokens already looked up (-1: missing). */
void alert_fingerprint_toks(struct alert *a, const struct jdoc *root,
		const int *toks, int n);

/* Zeek: 1 when root is a record of some Zeek log (a _path, or a uid or
 * fuid with a ts), notice or not (alert_detect(), alert_parse_zeek()). */
int zeek_is_log(const struct jdoc *root);
/* Which Zeek log root is from ("conn", "dns", "notice"...): its _path,
 * else told by its columns; NULL when they do not tell. Borrowed. */
const char *zeek_log_name(const struct jdoc *root);

#define ALERT_NELEM(x) ((int)(sizeof(x) / sizeof((x)[0])))

#endif
