/* audit.h: the hash-chained, append-only audit log (table events).
 *
 * Each event row holds seq, at, actor, uid (the real uid of the process),
 * incident, kind, data (compact JSON) and prev_hash; its hash is
 *     SHA-256(prev_hash || canonical(row))
 * where canonical(row) is the netstring encoding ("<len>:<bytes>,") of seq,
 * at, actor, uid, incident (empty when none), kind and data, in that order.
 * The first event's prev_hash is 64 zeros. The database refuses UPDATE and
 * DELETE on events (triggers); verification catches edits made around that.
 * The newest seq and hash are also kept in meta (audit.head), so cutting
 * rows off the end is noticed too.
 *
 * What the chain cannot do alone: someone who can write the database file
 * can drop the triggers and recompute every hash and the head. To catch
 * that, record the head elsewhere (`irk audit head` into syslog, a ticket,
 * another machine) and check against it later with
 * audit_verify_anchored() (`irk audit verify --head SEQ:HASH`). */
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
};

/* Recompute the whole chain. IRK_OK when intact, IRK_REFUSED (with r filled)
 * when an event does not match, IRK_ERROR on a database error. */
int audit_verify(struct store *s, struct audit_result *r, struct irk_err *err);
/* The same, and event anchor_seq must have the hash anchor_hash (a head
 * recorded outside the database earlier): a rewritten chain is refused
 * naming that event, a chain that ends before it too. anchor_seq 0: none. */
int audit_verify_anchored(struct store *s, int64_t anchor_seq, const char *anchor_hash,
		struct audit_result *r, struct irk_err *err);

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

#endif
