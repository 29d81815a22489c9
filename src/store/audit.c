/* audit.c: the hash chain over table events (see audit.h for the format). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "irk/audit.h"
#include "irk/clock.h"

static const char genesis[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

unsigned audit_uid(void)
{
	return (unsigned)getuid();
}

static void netstring(struct hash_ctx *h, const char *s, size_t n)
{
	char len[32];
	int k = snprintf(len, sizeof len, "%zu:", n);

	hash_update(h, len, (size_t)k);
	hash_update(h, s, n);
	hash_update(h, ",", 1);
}

static void netstring_int(struct hash_ctx *h, int64_t v, int null_when_zero)
{
	char buf[32];
	int k = null_when_zero && !v ? 0 : snprintf(buf, sizeof buf, "%" PRId64, v);

	netstring(h, buf, (size_t)k);
}

/* A text column of an event as stored: every byte, a NUL included, so
 * bytes hidden after one are hashed too. */
struct col_text {
	const char *s;
	size_t n;
};

static struct col_text ctext(const char *s)
{
	return (struct col_text){ s, strlen(s) };
}

/* A text column of an event as stored. Every column of events is NOT
 * NULL, yet a NULL reads as "" here (not as the NULL rule of internal.h
 * says): only a log edited around sqlite has one, and verify must name
 * that row rather than trip over it. */
static struct col_text event_text(sqlite3_stmt *st, int i)
{
	const char *v = store_col_text(st, i);
	return v ? (struct col_text){ v, (size_t)sqlite3_column_bytes(st, i) } : ctext("");
}

/* hash = SHA-256(prev_hash || canonical(row)), as lower-case hex. */
static void event_hash(const char *prev, int64_t seq, int64_t at, struct col_text actor,
		       unsigned uid, int64_t incident, struct col_text kind, struct col_text data,
		       char out[IRK_SHA256_HEX])
{
	struct hash_ctx *h = hash_begin();
	unsigned char md[IRK_SHA256_LEN];

	hash_update(h, prev, strlen(prev));
	netstring_int(h, seq, 0);
	netstring_int(h, at, 0);
	netstring(h, actor.s, actor.n);
	netstring_int(h, uid, 0);
	netstring_int(h, incident, 1);
	netstring(h, kind.s, kind.n);
	netstring(h, data.s, data.n);
	hash_end(h, md);
	hash_hex(md, sizeof md, out);
}

int audit_append(struct store *s, const char *actor, int64_t incident_id,
		 const char *kind, const char *data, int64_t *seq_out, struct irk_err *err)
{
	sqlite3_stmt *st;
	char prev[IRK_SHA256_HEX], hash[IRK_SHA256_HEX], head[96];
	int64_t seq = 1, at = irk_now();
	unsigned uid = audit_uid();

	if (!store_in_tx(s))
		return irk_fail(err, IRK_ERROR, "internal: audit_append outside a transaction");
	if (!data)
		data = "{}";
	if (!(st = store_stmt(s, ST_EVENT_LAST, err)))
		return IRK_ERROR;
	irk_strlcpy(prev, genesis, sizeof prev);
	struct store_rows last = store_rows_begin(s, st);
	if (store_rows_next(&last)) {
		seq = sqlite3_column_int64(st, 0) + 1;
		irk_strlcpy(prev, event_text(st, 1).s, sizeof prev);
	}
	if (store_rows_end(&last, err, "reading the audit log"))
		return IRK_ERROR;
	event_hash(prev, seq, at, ctext(actor), uid, incident_id, ctext(kind), ctext(data), hash);

	if (!(st = store_stmt(s, ST_EVENT_INSERT, err)))
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, uid);
	store_bind_time(st, 5, incident_id);
	sqlite3_bind_text(st, 6, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
	if (store_exec_stmt(s, st, err, "appending to the audit log"))
		return IRK_ERROR;
	snprintf(head, sizeof head, "%" PRId64 " %s", seq, hash);
	if (store_meta_set(s, "audit.head", head, err))
		return IRK_ERROR;
	if (seq_out)
		*seq_out = seq;
	return IRK_OK;
}

int audit_verify(struct store *s, struct audit_result *r, struct irk_err *err)
{
	return audit_verify_anchored(s, 0, NULL, r, err);
}

int audit_verify_anchored(struct store *s, int64_t anchor_seq, const char *anchor_hash,
			  struct audit_result *r, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENT_ALL, err);
	char prev[IRK_SHA256_HEX], hash[IRK_SHA256_HEX];
	struct store_rows rows = store_rows_begin(s, st);
	int64_t expect_seq = 1, last_seq = 0;

	memset(r, 0, sizeof *r);
	if (!st)
		return IRK_ERROR;
	/* One snapshot for the rows and the recorded head. */
	int own_tx = !store_in_tx(s);
	if (own_tx && store_begin_read(s, err))
		return IRK_ERROR;
	irk_strlcpy(prev, genesis, sizeof prev);
	while (store_rows_next(&rows)) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const char *stored_prev = event_text(st, 7).s, *stored_hash = event_text(st, 8).s;

		r->checked++;
		if (seq != expect_seq) {
			r->bad_seq = seq;
			snprintf(r->reason, sizeof r->reason,
				 "expected event %" PRId64 " here, found %" PRId64
				 " (events missing or renumbered)", expect_seq, seq);
			break;
		}
		if (strcmp(stored_prev, prev)) {
			r->bad_seq = seq;
			snprintf(r->reason, sizeof r->reason,
				 "its prev_hash does not match the hash of event %" PRId64
				 " (an event before it was changed, removed or moved)", seq - 1);
			break;
		}
		event_hash(prev, seq, sqlite3_column_int64(st, 1), event_text(st, 2),
			   (unsigned)sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
			   event_text(st, 5), event_text(st, 6), hash);
		if (strcmp(hash, stored_hash)) {
			r->bad_seq = seq;
			snprintf(r->reason, sizeof r->reason,
				 "its contents do not match its hash (the row was edited)");
			break;
		}
		if (seq == anchor_seq && strcmp(hash, anchor_hash)) {
			r->bad_seq = seq;
			snprintf(r->reason, sizeof r->reason,
				 "its hash is not the one recorded elsewhere for it "
				 "(the log was rewritten up to here)");
			break;
		}
		irk_strlcpy(prev, hash, sizeof prev);
		last_seq = seq;
		expect_seq = seq + 1;
	}
	if (store_rows_end(&rows, err, "reading the audit log")) {
		if (own_tx)
			store_rollback(s);
		return IRK_ERROR;
	}
	if (r->bad_seq) {
		if (own_tx)
			store_rollback(s);
		return IRK_REFUSED;
	}
	irk_strlcpy(r->head, last_seq ? prev : "", sizeof r->head);
	r->head_seq = last_seq;
	if (anchor_seq > last_seq) {
		r->bad_seq = last_seq + 1;
		snprintf(r->reason, sizeof r->reason,
			 "the head recorded elsewhere is event %" PRId64 " but the log ends at "
			 "event %" PRId64 " (events were removed)", anchor_seq, last_seq);
		if (own_tx)
			store_rollback(s);
		return IRK_REFUSED;
	}

	/* The head kept in meta catches rows cut off the end. */
	struct strbuf head = STRBUF_INIT;
	if (store_meta_get(s, "audit.head", &head) == IRK_OK) {
		long long hseq = 0;
		char hhash[IRK_SHA256_HEX] = "";
		if (sscanf(head.buf, "%lld %64s", &hseq, hhash) != 2 || hseq != last_seq ||
		    strcmp(hhash, prev)) {
			r->bad_seq = last_seq + 1;
			snprintf(r->reason, sizeof r->reason,
				 "the log ends at event %" PRId64 " but its recorded head is event %lld "
				 "(events were removed from the end)", last_seq, hseq);
		}
	} else if (last_seq) {
		r->bad_seq = 1;
		snprintf(r->reason, sizeof r->reason, "the recorded head of the log is missing");
	}
	strbuf_free(&head);
	if (own_tx)
		store_rollback(s);
	return r->bad_seq ? IRK_REFUSED : IRK_OK;
}

int audit_each(struct store *s, int64_t incident_id, int64_t limit,
	       int (*fn)(const struct event_row *e, void *arg), void *arg,
	       struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENT_EACH, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	while (store_rows_next(&r)) {
		struct event_row e = {
			.seq = sqlite3_column_int64(st, 0),
			.at = sqlite3_column_int64(st, 1),
			.actor = event_text(st, 2).s,
			.uid = (unsigned)sqlite3_column_int64(st, 3),
			.incident_id = sqlite3_column_int64(st, 4),
			.kind = event_text(st, 5).s,
			.data = event_text(st, 6).s,
			.hash = event_text(st, 8).s,
		};
		if (fn(&e, arg))
			break;
	}
	return store_rows_end(&r, err, "reading the audit log");
}
