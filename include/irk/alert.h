/* alert.h: one normalised alert, and the per-format parsers that fill it.
 *
 * A parser reads one JSON record, already validated and laid out by jdoc
 * (the root is token 0), and fills a struct alert. String fields are
 * borrowed: they point into the jdoc (valid until its next parse) or into
 * the alert's own scratch space (valid until alert_reset()), so the caller
 * keeps both alive until the alert is stored. Nothing here touches the
 * database. */
#ifndef IRK_ALERT_H
#define IRK_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include "irk/err.h"
#include "irk/jdoc.h"

#define IRK_ALERT_FORMATS(X) \
	X(FMT_EVE,   "eve",   "Suricata EVE JSON (event_type alert)") \
	X(FMT_WAZUH, "wazuh", "Wazuh alerts.json") \
	X(FMT_ECS,   "ecs",   "Elastic Common Schema alert documents") \
	X(FMT_ZEEK,  "zeek",  "Zeek notice.log as JSON") \
	X(FMT_JSON,  "json",  "generic JSON with a field mapping from irk.conf")

#define X_ENUM3(e, n, h) e,
enum alert_format { IRK_ALERT_FORMATS(X_ENUM3) FMT_COUNT, FMT_AUTO = -2 };
#undef X_ENUM3

#define ALERT_MAX_OBS 16
#define ALERT_FP_LEN 16       /* bytes of SHA-256 kept as the fingerprint */
#define ALERT_SCRATCH 2048

struct alert_obs {
	int type;                 /* enum obs_type */
	const char *value;
};

struct alert {
	int format;               /* enum alert_format */
	int64_t event_time;       /* Unix seconds; 0 = none found (rejected) */
	const char *rule_id;      /* "2024833", "5710", "SSH::Password_Guessing" */
	const char *rule_name;    /* signature / description / msg */
	int severity;             /* enum severity */
	const char *host;         /* the affected host (agent, observer, dest) */
	const char *src_ip, *dst_ip;
	const char *user;
	const char *category;
	unsigned char fingerprint[ALERT_FP_LEN];
	struct alert_obs obs[ALERT_MAX_OBS];
	int nobs;
	const char *raw;          /* the record exactly as read */
	size_t raw_len;
	char scratch[ALERT_SCRATCH];
	size_t scratch_used;
};

/* Generic JSON: dotted paths into the record, from irk.conf [mapping]. */
struct alert_mapping {
	const char *time;         /* required */
	const char *rule_id, *rule_name, *severity, *host, *src_ip, *dst_ip,
		*user, *category;
	const char *id;           /* optional unique id used for the fingerprint */
};

const char *alert_format_name(int f);
const char *alert_format_help(int f);
/* -1 for unknown; "auto" gives FMT_AUTO. */
int alert_format_parse(const char *s);

/* Why a record in no known format is refused (alert_parse(), ingest):
 * what to do about it, in words any front end can show; the command line
 * adds its option (--format). */
#define ALERT_UNRECOGNISED "not a recognised alert (EVE, Wazuh, ECS, Zeek notice); " \
	"name its format, or describe it in a [mapping] in irk.conf"

/* Guess the format of a record: FMT_EVE, FMT_WAZUH, FMT_ECS, FMT_ZEEK, or
 * FMT_JSON when a mapping is configured (map != NULL), else -1. */
int alert_detect(const struct jdoc *root, const struct alert_mapping *map);

/* Fill *a from root in the given format (FMT_AUTO detects it first; a
 * record nothing recognises is refused). raw/raw_len are kept as the
 * record, even on a refusal. Returns IRK_OK, or IRK_INVALID with a reason
 * naming the field ("no usable time in field 'timestamp'", "event_type is
 * 'flow', not 'alert'"). map is only used for FMT_JSON. alert_reset()
 * leaves severity medium ("we could not tell") and format FMT_AUTO. */
int alert_parse(int format, const struct jdoc *root, const char *raw, size_t raw_len,
		const struct alert_mapping *map, struct alert *a,
		struct irk_err *err);

/* The per-format parsers behind alert_parse(); same contract. */
int alert_parse_eve(const struct jdoc *root, struct alert *a, struct irk_err *err);
int alert_parse_wazuh(const struct jdoc *root, struct alert *a, struct irk_err *err);
int alert_parse_ecs(const struct jdoc *root, struct alert *a, struct irk_err *err);
int alert_parse_zeek(const struct jdoc *root, struct alert *a, struct irk_err *err);
int alert_parse_json(const struct jdoc *root, const struct alert_mapping *map,
		struct alert *a, struct irk_err *err);

/* Helpers for parsers. */
void alert_reset(struct alert *a);
/* Copy s into the scratch space; NULL when it does not fit. */
const char *alert_keep(struct alert *a, const char *s, size_t n);
/* printf into the scratch space; NULL when it does not fit. */
const char *alert_keepf(struct alert *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add an observable (ignored when value is NULL/empty, a duplicate, or full). */
void alert_add_obs(struct alert *a, int type, const char *value);
/* Fingerprint: SHA-256 over the format name and the given NUL-separated
 * identity parts, first ALERT_FP_LEN bytes. NULL parts count as "". */
void alert_fingerprint(struct alert *a, const char *const *parts, int nparts);
/* The stored form, applied by alert_parse() once the record is accepted:
 * 4 bytes of the event hour (big-endian) then the first 12 bytes of the
 * hash. Equal records still get equal fingerprints (same time), and a
 * stream in time order appends to the index instead of scattering. */
void alert_fingerprint_timed(struct alert *a);
/* Look up a dotted path ("rule.id"; "id.orig_h" tries the literal key
 * first) from the root. The token, or -1. */
int alert_json_path(const struct jdoc *root, const char *path);
/* The same from token node. */
int alert_json_path_at(const struct jdoc *root, int node, const char *path);
/* The string form of a scalar at path (numbers are formatted into scratch),
 * or NULL when missing, null, or not a scalar. */
const char *alert_json_str(struct alert *a, const struct jdoc *root, const char *path);

#endif
