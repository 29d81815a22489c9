/* audit.h: the hash-chained, append-only audit log (table events).
 *
 * Each event row holds seq, at, actor, uid (the real uid of the process),
 * incident, kind, data (compact JSON), prev_hash and canon (the canonical
 * form its hash uses); its hash is
 *     SHA-256(prev_hash || canonical(row))
 * Form 2 (every row written since schema 7) is the netstring "2:2,"
 * followed by the netstring ("<len>:<bytes>,") of each of seq, at, actor,
 * uid, incident, kind and data typed as stored: "i" and the decimal integer,
 * "t" and the text's bytes, "n" for NULL (the incident of an event about
 * none), "r"/"b" for a real or a blob (never written by irk). Form 1 (rows
 * from before) is the same netstrings of the untyped values, incident empty
 * when none; verification also checks every row's column types, so a
 * retyped form-1 row is caught too. The first event's prev_hash is 64
 * zeros. The database refuses UPDATE and DELETE on events (triggers) and
 * values of another type (CHECK); verification catches edits made around
 * that. The newest seq and hash are also kept in meta (audit.head), so
 * cutting rows off the end is noticed too.
 *
 * What the chain cannot do alone: someone who can write the database file
 * can drop the triggers and recompute every hash and the head. To catch
 * that, record the head elsewhere (`irk audit anchor` into syslog, a
 * ticket, another machine) and check against those anchors later with
 * audit_verify_anchors() (`irk audit verify --anchors FILE`). Events after
 * the newest anchor are covered by no anchor. */
#ifndef IRK_AUDIT_H
#define IRK_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/hash.h"

struct store;

/* Append one event. Must run inside store_begin()/store_commit(), so the
 * previous hash cannot change under us. data is a JSON object text (NULL:
 * "{}"); it must never contain secrets. *seq_out (may be NULL) gets the seq. */
int audit_append(struct store *s, const char *actor, int64_t incident_id,
		const char *kind, const char *data, int64_t *seq_out, struct irk_err *err);

/* The real uid of this process (recorded beside the actor name). */
unsigned audit_uid(void);

struct audit_result {
	int64_t checked;           /* events checked */
	int64_t bad_seq;           /* first bad event, 0 when intact */
	char reason[256];          /* why it is bad */
	char head[IRK_SHA256_HEX]; /* hash of the newest event */
	int64_t head_seq;          /* its seq (0: the log is empty) */
	int64_t anchored;          /* anchors that matched */
	int64_t anchor_seq;        /* the newest of them (0: none) */
};

/* Recompute the whole chain. IRK_OK when intact, IRK_REFUSED (with r filled)
 * when an event does not match, IRK_ERROR on a database error. */
int audit_verify(struct store *s, struct audit_result *r, struct irk_err *err);

/* A head recorded outside the database: event seq had hash. */
struct audit_anchor {
	int64_t seq;
	char hash[IRK_SHA256_HEX];
};
/* The same as audit_verify, and each anchor's event must have its hash:
 * a rewritten chain is refused naming the first anchor that does not
 * match, a chain that ends before the newest anchor too. anchors is
 * sorted by seq in place; n may be 0. r->anchored counts the anchors that
 * matched, r->anchor_seq is the newest of them. */
int audit_verify_anchors(struct store *s, struct audit_anchor *anchors, int n,
		struct audit_result *r, struct irk_err *err);

/* The head in the last "SEQ:HASH" of a line, as `irk audit anchor` prints
 * it, after any prefix (a syslog or journal line: time, host, program)
 * and before trailing blanks. 0 and *a filled, or -1 when the line holds
 * none. */
int audit_anchor_parse(const char *line, struct audit_anchor *a);

struct event_row {
	int64_t seq, at, incident_id;
	unsigned uid;
	const char *actor, *kind, *data, *hash;
};
/* Events of an incident (incident_id > 0) or all (0), oldest first; with
 * limit > 0 the newest limit of them (still oldest first: the last is the
 * latest, as tail shows a log). */
int audit_each(struct store *s, int64_t incident_id, int64_t limit,
		int (*fn)(const struct event_row *e, void *arg), void *arg,
		struct irk_err *err);
/* Events after seq, oldest first, at most limit (0: all). */
int audit_after(struct store *s, int64_t seq, int64_t limit,
		int (*fn)(const struct event_row *e, void *arg), void *arg, struct irk_err *err);
/* The seq of the newest event (0 when none). */
int64_t audit_last_seq(struct store *s);

#endif
