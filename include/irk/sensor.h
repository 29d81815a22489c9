/* sensor.h: the records of a sensor's stream that are not alerts, kept
 * for context (src/core/sensor.c): their types, one kept event, and the
 * `[ingest] keep` list.
 *
 * A Suricata sensor writes flow, dns, http, tls, fileinfo... records
 * beside its alerts, a hundred to one. Ingest skips them (irk/alert_parse.h);
 * with `[ingest] keep = dns, http` it stores those types as struct
 * sensor_event rows (irk/store.h), which `irk show` and the incident
 * screen read back as the context of an incident's hosts and time.
 * Nothing here reads JSON or touches the database. */
#ifndef IRK_SENSOR_H
#define IRK_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"

/* The types a sensor event can be kept as: EVE's event_type names. Zeek's
 * logs map onto them (conn -> flow, ssl -> tls, files -> fileinfo). */
#define IRK_SENSOR_TYPES(X) \
	X(SENSOR_DNS,      "dns",      "DNS queries and answers: rrname, rrtype, answer") \
	X(SENSOR_HTTP,     "http",     "HTTP requests: hostname, url, method, status, user agent") \
	X(SENSOR_TLS,      "tls",      "TLS handshakes: SNI, certificate subject, JA3") \
	X(SENSOR_FILEINFO, "fileinfo", "files seen on the wire: name, SHA-256, size") \
	X(SENSOR_FLOW,     "flow",     "connections: bytes and packets both ways") \
	X(SENSOR_SSH,      "ssh",      "SSH sessions: client and server software") \
	X(SENSOR_SMTP,     "smtp",     "mail transfers: helo, mail from, rcpt to") \
	X(SENSOR_ANOMALY,  "anomaly",  "protocol anomalies: type and event")

#define X_ENUM3(e, n, h) e,
enum sensor_type { IRK_SENSOR_TYPES(X_ENUM3) SENSOR_COUNT };
#undef X_ENUM3

/* The type's name ("dns"; "?" out of range), and back (-1: none). */
const char *sensor_type_name(int t);
int sensor_type_parse(const char *s);

/* The bit of type t in a keep mask. */
#define SENSOR_BIT(t) (1u << (t))

/* Read a keep list ("dns, http, tls": names separated by commas or
 * spaces; empty or NULL keeps nothing) into *mask. IRK_INVALID naming
 * the word that is no type, with the types there are. */
int sensor_keep_parse(const char *list, unsigned *mask, struct irk_err *err);

/* One kept event. Strings are borrowed (from the parsed record, or from
 * the row being read); NULL and 0 when absent. */
struct sensor_event {
	int64_t id;                /* once stored; else 0 */
	int64_t t;                 /* event time, Unix seconds */
	int type;                  /* enum sensor_type */
	const char *sensor;        /* the sensor's own name (EVE host) */
	const char *src_ip, *dst_ip, *proto;
	int64_t src_port, dst_port;
	const char *rrname, *rrtype, *answer;                       /* dns */
	const char *hostname, *url, *method, *user_agent;           /* http */
	int64_t status;
	const char *sni, *subject, *ja3;                            /* tls */
	const char *filename, *sha256;                              /* fileinfo */
	int64_t size;
	int64_t bytes, packets;                                     /* flow: both ways */
	const char *raw;           /* the record as read */
	size_t raw_len;
};

/* One line of an incident's sensor context (store_sensor_context()): a
 * name looked up, a URL fetched, a TLS server name, a file, a peer of its
 * flows, an SSH or SMTP session, an anomaly, with how often and when last.
 * Borrowed during the callback. */
struct sensor_seen {
	int type;                  /* enum sensor_type */
	const char *what;          /* "evil.example" / "GET host/path" / file name /
	                            * flow peer / "src > dst" (ssh) / "from A to B" (smtp) /
	                            * anomaly event */
	const char *detail;        /* rrtype, status, SHA-256, SSH software, helo...; may be NULL */
	const char *answer;        /* dns: the first answer of the newest reply; may be NULL */
	int64_t count;             /* lookups (a query and its answer are one), requests, flows... */
	int64_t first, last;
	int64_t bytes;             /* flow: both ways, all its flows */
	int64_t newest;            /* the id of its newest event (its raw record) */
	int64_t total;             /* lines the context has in all (more than the limit shown) */
};

/* The words of one context line, for either front end (which sanitizes
 * them: they come from the records): "update.evil-cdn.example (A
 * 185.220.101.7), 3 times"; "203.0.113.10: 3 flows, 52.1 kB". Appended
 * to out. */
struct strbuf;
void sensor_seen_text(const struct sensor_seen *e, struct strbuf *out);

/* One kept event as irk sensor list shows it (unsanitized, like the
 * above): "10.1.2.15:53211 > 10.1.0.53:53  evil.example A 185.220.101.7";
 * ssh, smtp and anomaly events show the start of their raw record. */
void sensor_event_text(const struct sensor_event *e, struct strbuf *out);
/* Its fields as JSON members (the addresses, then those of its type),
 * into an object w has begun. */
struct jsonw;
void sensor_event_json(const struct sensor_event *e, struct jsonw *w);

#endif
