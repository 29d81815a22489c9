/* alert.h: the alert model, one type for every layer (src/core/alert.c).
 *
 * A struct alert is one normalised alert: what a parser fills from a
 * record (src/ingest, irk/alert_parse.h), what the store writes and reads
 * back (store_alert_insert(), store_alert_each()), and what plays see as
 * alert.* fields. String fields are borrowed: from the parsed record or
 * the alert's own scratch space (valid until alert_reset()) when parsed,
 * from the database row (valid during the callback) when read back. The
 * formats are one X-macro; the generic JSON mapping from irk.conf
 * [mapping] is struct alert_mapping. Nothing here reads JSON or touches
 * the database. */
#ifndef IRK_ALERT_H
#define IRK_ALERT_H

#include <stddef.h>
#include <stdint.h>

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
	int64_t id, incident_id;  /* once stored (store_alert_each); else 0 */
	int64_t received;         /* when it was stored; 0 before */
	int format;               /* enum alert_format; -1 unknown */
	int64_t event_time;       /* Unix seconds; 0 = none found (rejected) */
	const char *rule_id;      /* "2024833", "5710", "SSH::Password_Guessing" */
	const char *rule_name;    /* signature / description / msg */
	int severity;             /* enum severity; -1 unknown */
	const char *host;         /* the affected host (agent, observer, dest) */
	const char *src_ip, *dst_ip;
	const char *user;
	const char *category;
	unsigned char fingerprint[ALERT_FP_LEN];   /* all 0 when unknown */
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

/* The rule an alert is correlated and matched by (plays' `rule`): its
 * rule id, else its rule name, else "unknown". Borrowed from a. */
const char *alert_rule(const struct alert *a);

/* Reset *a for a new alert: every field cleared, severity medium ("we
 * could not tell"), format FMT_AUTO, scratch space empty. */
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

#endif
