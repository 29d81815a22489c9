/* audit.c: the hash chain over table events (see audit.h for the format). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/* "<length>:<bytes>," appended to b. */
static void netstring(struct strbuf *b, const char *s, size_t n)
{
	strbuf_printf(b, "%zu:", n);
	strbuf_add(b, s, n);
	strbuf_addc(b, ',');
}

/* One column of an event as stored: its storage class and value. Text
 * keeps every byte, a NUL included, so bytes hidden after one are hashed
 * too. */
struct col_val {
	int type;                 /* SQLITE_INTEGER, _FLOAT, _TEXT, _BLOB, _NULL */
	int64_t i;
	double r;
	const char *s;
	size_t n;
};

static struct col_val cint(int64_t v)
{
	return (struct col_val){ .type = SQLITE_INTEGER, .i = v };
}

static struct col_val ctext(const char *s)
{
	return (struct col_val){ .type = SQLITE_TEXT, .s = s, .n = strlen(s) };
}

/* Canonical form 1 (rows from before schema 7): the values as text, blind
 * to their type (a REAL at or a uid past 2^32 hashed as the integer). */
static void canon1(struct strbuf *b, const struct col_val *v, int i)
{
	char buf[32];
	int k = 0;

	switch (v->type) {
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		netstring(b, v->s, v->n);
		return;
	case SQLITE_NULL:
		break;
	case SQLITE_FLOAT:
		k = snprintf(buf, sizeof buf, "%" PRId64, (int64_t)v->r);
		break;
	default:
		/* uid was hashed as unsigned; the incident empty when 0. */
		k = i == 3 ? snprintf(buf, sizeof buf, "%u", (unsigned)v->i) :
		    i == 4 && !v->i ? 0 : snprintf(buf, sizeof buf, "%" PRId64, v->i);
	}
	netstring(b, buf, (size_t)k);
}

/* Canonical form 2: each value typed, "<class letter><value>": i and the
 * decimal integer, r and %.17g, t or b and the bytes, n alone for NULL. */
static void canon2(struct strbuf *b, const struct col_val *v)
{
	char buf[40];
	int k;

	switch (v->type) {
	case SQLITE_INTEGER:
		k = snprintf(buf, sizeof buf, "i%" PRId64, v->i);
		break;
	case SQLITE_FLOAT:
		k = snprintf(buf, sizeof buf, "r%.17g", v->r);
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		strbuf_printf(b, "%zu:%c", v->n + 1, v->type == SQLITE_TEXT ? 't' : 'b');
		strbuf_add(b, v->s, v->n);
		strbuf_addc(b, ',');
		return;
	default:
		k = snprintf(buf, sizeof buf, "n");
	}
	netstring(b, buf, (size_t)k);
}

/* The seven hashed columns, in order: seq, at, actor, uid, incident_id,
 * kind, data. */
#define EVENT_NCOLS 7

/* hash = SHA-256(prev_hash || canonical(row)), as lower-case hex; form 2
 * starts with the netstring "2:2," (its number). The bytes are gathered
 * first and hashed in one call: a digest update per piece cost more than
 * the hashing. */
static void event_hash(const char *prev, int canon, const struct col_val v[EVENT_NCOLS],
		       char out[IRK_SHA256_HEX])
{
	struct strbuf b = STRBUF_INIT;
	unsigned char md[IRK_SHA256_LEN];

	strbuf_grow(&b, 512);
	strbuf_puts(&b, prev);
	if (canon >= 2)
		netstring(&b, "2", 1);
	for (int i = 0; i < EVENT_NCOLS; i++) {
		if (canon >= 2)
			canon2(&b, &v[i]);
		else
			canon1(&b, &v[i], i);
	}
	hash_sha256(b.buf, b.len, md);
	hash_hex(md, sizeof md, out);
	strbuf_free(&b);
}

/* A text column of an event as stored. Every column of events is NOT
 * NULL, yet a NULL reads as "" here (not as the NULL rule of internal.h
 * says): only a log edited around sqlite has one, and verify must name
 * that row rather than trip over it. */
static const char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? v : "";
}

int audit_append(struct store *s, const char *actor, int64_t incident_id,
		 const char *kind, const char *data, int64_t *seq_out, struct irk_err *err)
{
	sqlite3_stmt *st;
	char prev[IRK_SHA256_HEX], hash[IRK_SHA256_HEX];
	int64_t seq = 1, at = irk_now();
	unsigned uid = audit_uid();

	if (!store_in_tx(s))
		return irk_fail(err, IRK_ERROR, "internal: audit_append outside a transaction");
	if (!data)
		data = "{}";
	irk_strlcpy(prev, genesis, sizeof prev);
	if (s->audit_known) {
		seq = s->audit_seq + 1;
		irk_strlcpy(prev, s->audit_hash, sizeof prev);
	} else {
		if (!(st = store_stmt(s, ST_EVENT_LAST, err)))
			return IRK_ERROR;
		struct store_rows last = store_rows_begin(s, st);
		if (store_rows_next(&last)) {
			seq = sqlite3_column_int64(st, 0) + 1;
			irk_strlcpy(prev, col(st, 1), sizeof prev);
		}
		if (store_rows_end(&last, err, "reading the audit log"))
			return IRK_ERROR;
	}
	{
		struct col_val v[EVENT_NCOLS] = { cint(seq), cint(at), ctext(actor), cint(uid),
			incident_id ? cint(incident_id) : (struct col_val){ .type = SQLITE_NULL },
			ctext(kind), ctext(data) };
		event_hash(prev, atoi(AUDIT_CANON_NOW), v, hash);
	}

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
	/* The transaction holds the write lock: nobody else appends until it
	 * ends, so the next event follows this one. */
	s->audit_seq = seq;
	irk_strlcpy(s->audit_hash, hash, sizeof s->audit_hash);
	s->audit_known = s->audit_dirty = 1;
	if (seq_out)
		*seq_out = seq;
	return IRK_OK;
}

int store_audit_head_flush(struct store *s, struct irk_err *err)
{
	char head[96];

	if (!s->audit_dirty)
		return IRK_OK;
	s->audit_dirty = 0;
	snprintf(head, sizeof head, "%" PRId64 " %s", s->audit_seq, s->audit_hash);
	return store_meta_set(s, "audit.head", head, err);
}

/* Column i of the row as stored. */
static struct col_val col_get(sqlite3_stmt *st, int i)
{
	struct col_val v = { .type = sqlite3_column_type(st, i) };

	if (v.type == SQLITE_INTEGER) {
		v.i = sqlite3_column_int64(st, i);
	} else if (v.type == SQLITE_FLOAT) {
		v.r = sqlite3_column_double(st, i);
	} else if (v.type == SQLITE_TEXT || v.type == SQLITE_BLOB) {
		v.s = v.type == SQLITE_TEXT ? (const char *)sqlite3_column_text(st, i) :
		      (const char *)sqlite3_column_blob(st, i);
		v.n = (size_t)sqlite3_column_bytes(st, i);
		if (!v.s)
			v.s = "";
	}
	return v;
}

static const char *type_word(int type)
{
	switch (type) {
	case SQLITE_INTEGER: return "integer";
	case SQLITE_FLOAT: return "real";
	case SQLITE_TEXT: return "text";
	case SQLITE_BLOB: return "blob";
	default: return "null";
	}
}

/* Every column of the row has the type irk writes (what the CHECKs of
 * schema 7 enforce), for rows of either canonical form: form 1 does not
 * see types, this does. 0, or -1 with the reason in r. */
static int row_typed(sqlite3_stmt *st, struct audit_result *r)
{
	static const char *const names[] = { "seq", "at", "actor", "uid", "incident_id", "kind",
					     "data", "prev_hash", "hash", "canon" };
	static const int want[] = { SQLITE_INTEGER, SQLITE_INTEGER, SQLITE_TEXT, SQLITE_INTEGER,
				    SQLITE_INTEGER, SQLITE_TEXT, SQLITE_TEXT, SQLITE_TEXT,
				    SQLITE_TEXT, SQLITE_INTEGER };

	for (int i = 0; i < (int)(sizeof want / sizeof *want); i++) {
		int type = sqlite3_column_type(st, i);
		if (type == want[i] || (i == 4 && type == SQLITE_NULL))
			continue;
		snprintf(r->reason, sizeof r->reason, "its %s is stored as %s, not %s (the row was "
			 "retyped)", names[i], type_word(type), type_word(want[i]));
		return -1;
	}
	int64_t uid = sqlite3_column_int64(st, 3);
	if (uid < 0 || uid > UINT32_MAX) {
		snprintf(r->reason, sizeof r->reason, "its uid %" PRId64 " is not a uid (the row was "
			 "edited)", uid);
		return -1;
	}
	return 0;
}

int audit_verify(struct store *s, struct audit_result *r, struct irk_err *err)
{
	return audit_verify_anchors(s, NULL, 0, r, err);
}

/* The row's hash against the anchors recorded for its seq (several lines
 * may name one seq). 0, or -1 with the reason in r. */
static int row_anchored(const struct audit_anchor *a, int n, int *k, int64_t seq,
			const char *hash, int64_t good_seq, struct audit_result *r)
{
	for (; *k < n && a[*k].seq <= seq; ++*k) {
		if (a[*k].seq < seq)
			continue;
		if (strcmp(a[*k].hash, hash)) {
			if (good_seq)
				snprintf(r->reason, sizeof r->reason, "its hash is not the one recorded "
					 "elsewhere for it (the log was rewritten after event %" PRId64
					 ", whose anchor matches, and up to here)", good_seq);
			else
				snprintf(r->reason, sizeof r->reason, "its hash is not the one recorded "
					 "elsewhere for it (the log was rewritten up to here)");
			return -1;
		}
		r->anchored++;
		r->anchor_seq = seq;
	}
	return 0;
}

static int anchor_cmp(const void *a, const void *b)
{
	const struct audit_anchor *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int audit_verify_anchors(struct store *s, struct audit_anchor *anchors, int nanchors,
			 struct audit_result *r, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENT_ALL, err);
	char prev[IRK_SHA256_HEX], hash[IRK_SHA256_HEX];
	struct store_rows rows = store_rows_begin(s, st);
	int64_t expect_seq = 1, last_seq = 0;
	int k = 0, canon_seen = 1;

	memset(r, 0, sizeof *r);
	if (!st)
		return IRK_ERROR;
	if (nanchors > 1)
		qsort(anchors, (size_t)nanchors, sizeof *anchors, anchor_cmp);
	/* One snapshot for the rows and the recorded head. */
	int own_tx = !store_in_tx(s);
	if (own_tx && store_begin_read(s, err))
		return IRK_ERROR;
	irk_strlcpy(prev, genesis, sizeof prev);
	while (store_rows_next(&rows)) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const char *stored_prev, *stored_hash;
		int canon;

		r->checked++;
		r->bad_seq = seq;
		if (seq != expect_seq) {
			snprintf(r->reason, sizeof r->reason,
				 "expected event %" PRId64 " here, found %" PRId64
				 " (events missing or renumbered)", expect_seq, seq);
			break;
		}
		/* Types first: reading a value may convert it. */
		if (row_typed(st, r))
			break;
		stored_prev = col(st, 7);
		stored_hash = col(st, 8);
		canon = sqlite3_column_int(st, 9);
		if (canon < canon_seen || canon > 2) {
			snprintf(r->reason, sizeof r->reason, "it says it is hashed in canonical form "
				 "%d after form %d (the row was edited)", canon, canon_seen);
			break;
		}
		canon_seen = canon;
		if (strcmp(stored_prev, prev)) {
			snprintf(r->reason, sizeof r->reason,
				 "its prev_hash does not match the hash of event %" PRId64
				 " (an event before it was changed, removed or moved)", seq - 1);
			break;
		}
		struct col_val v[EVENT_NCOLS];
		for (int i = 0; i < EVENT_NCOLS; i++)
			v[i] = col_get(st, i);
		event_hash(prev, canon, v, hash);
		if (strcmp(hash, stored_hash)) {
			snprintf(r->reason, sizeof r->reason,
				 "its contents do not match its hash (the row was edited)");
			break;
		}
		if (row_anchored(anchors, nanchors, &k, seq, hash, r->anchor_seq, r))
			break;
		r->bad_seq = 0;
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
	if (nanchors && anchors[nanchors - 1].seq > last_seq) {
		r->bad_seq = last_seq + 1;
		snprintf(r->reason, sizeof r->reason,
			 "the head recorded elsewhere is event %" PRId64 " but the log ends at "
			 "event %" PRId64 " (events were removed)", anchors[nanchors - 1].seq, last_seq);
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

int audit_anchor_parse(const char *line, struct audit_anchor *a)
{
	const char *found = NULL;
	size_t hexn = IRK_SHA256_HEX - 1;

	/* The last ':' with a digit before it and 64 hex digits after, the
	 * hash not followed by more of a word. */
	for (const char *p = strchr(line, ':'); p; p = strchr(p + 1, ':')) {
		const char *h = p + 1;
		if (p == line || p[-1] < '0' || p[-1] > '9' ||
		    strspn(h, "0123456789abcdef") != hexn ||
		    (h[hexn] && h[hexn] != ' ' && h[hexn] != '\t' && h[hexn] != '\n' &&
		     h[hexn] != '\r' && h[hexn] != ',' && h[hexn] != ')' && h[hexn] != '"'))
			continue;
		found = p;
	}
	if (!found)
		return -1;
	const char *d = found;
	while (d > line && d[-1] >= '0' && d[-1] <= '9')
		d--;
	if (found - d > 18)
		return -1;
	a->seq = strtoll(d, NULL, 10);
	if (a->seq <= 0)
		return -1;
	memcpy(a->hash, found + 1, hexn);
	a->hash[hexn] = '\0';
	return 0;
}

/* Each event of st (ST_EVENT_EACH's columns) to fn until it returns nonzero. */
static int event_rows(struct store *s, sqlite3_stmt *st,
		      int (*fn)(const struct event_row *e, void *arg), void *arg,
		      struct irk_err *err)
{
	struct store_rows r = store_rows_begin(s, st);

	while (store_rows_next(&r)) {
		struct event_row e = {
			.seq = sqlite3_column_int64(st, 0),
			.at = sqlite3_column_int64(st, 1),
			.actor = col(st, 2),
			.uid = (unsigned)sqlite3_column_int64(st, 3),
			.incident_id = sqlite3_column_int64(st, 4),
			.kind = col(st, 5),
			.data = col(st, 6),
			.hash = col(st, 8),
		};
		if (fn(&e, arg))
			break;
	}
	return store_rows_end(&r, err, "reading the audit log");
}

int audit_each(struct store *s, int64_t incident_id, int64_t limit,
	       int (*fn)(const struct event_row *e, void *arg), void *arg,
	       struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, incident_id ? ST_EVENT_EACH_INC : ST_EVENT_EACH, err);

	if (!st)
		return IRK_ERROR;
	if (incident_id)
		sqlite3_bind_int64(st, 1, incident_id);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	return event_rows(s, st, fn, arg, err);
}

int audit_after(struct store *s, int64_t seq, int64_t limit,
		int (*fn)(const struct event_row *e, void *arg), void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENT_AFTER, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	return event_rows(s, st, fn, arg, err);
}

int64_t audit_last_seq(struct store *s)
{
	int64_t seq = store_int_of(store_stmt(s, ST_EVENT_LAST, NULL));
	return seq > 0 ? seq : 0;
}
