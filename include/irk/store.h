/* store.h: the sqlite database: schema, migrations, transactions and every
 * SQL statement irk runs. Nothing outside src/store/ holds SQL.
 *
 * One struct store is one connection; each thread opens its own. The file
 * is in WAL mode with a busy timeout, foreign keys on, and statements are
 * prepared once per connection and reused.
 *
 * Writers use store_begin() (BEGIN IMMEDIATE), so concurrent writers queue
 * on the busy timeout instead of failing half way; the audit chain relies on
 * it (the previous hash is read inside the writing transaction). */
#ifndef IRK_STORE_H
#define IRK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/model.h"
#include "irk/alert.h"
#include "irk/sensor.h"
#include "irk/strbuf.h"

struct store;

enum {
	STORE_CREATE   = 1 << 0,   /* create the file and schema when missing */
	STORE_READONLY = 1 << 1,
};

#define STORE_SCHEMA_VERSION 19
/* How long a connection waits for another writer before it gives up with
 * "database is locked", and after how long it says that it waits. */
#define STORE_BUSY_MS 60000
#define STORE_WAIT_NOTICE_MS 2000

/* Open (and migrate) the database at path. *out is NULL on failure. */
int store_open(struct store **out, const char *path, int flags, struct irk_err *err);
void store_close(struct store **s);
const char *store_path(const struct store *s);
/* PRAGMA user_version of the open database. */
int store_schema_version(struct store *s);
/* Changes when another connection commits (PRAGMA data_version). */
int64_t store_data_version(struct store *s);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. Not nestable. */
int store_begin(struct store *s, struct irk_err *err);
/* A read transaction (BEGIN DEFERRED): one consistent snapshot for several
 * reads; end it with store_commit(). */
int store_begin_read(struct store *s, struct irk_err *err);
int store_commit(struct store *s, struct irk_err *err);
void store_rollback(struct store *s);
int store_in_tx(const struct store *s);
/* Grouping: many store_begin()/store_commit() pairs in one real
 * transaction (the demo generator writes thousands of small changes, each
 * through the lifecycle functions). Inside a group store_begin() opens a
 * savepoint, store_commit() releases it and store_rollback() undoes only
 * that transaction; other connections see nothing, and nothing is durable,
 * until store_group_end(s, 1, err) commits the lot. store_group_end(s, 0,
 * NULL) undoes the whole group. Not nestable; the writer lock is held
 * throughout, so keep groups short for a shared database. */
int store_group_begin(struct store *s, struct irk_err *err);
int store_group_end(struct store *s, int commit, struct irk_err *err);
/* Bulk loading: checkpoint the WAL rarely while a large ingest runs (pages
 * changed in many batches are then copied to the database once), and
 * checkpoint once at the end; a bigger page cache; foreign keys not
 * enforced on this connection until store_bulk_end() (the loader only
 * refers to rows it read or made in the same transaction). Call both
 * outside a transaction. Readers are not affected. */
void store_bulk_begin(struct store *s);
void store_bulk_end(struct store *s);
/* Commits on this connection never copy the WAL back into the database
 * (the engine's workers: a step's commit does not wait for a checkpoint);
 * someone must call store_checkpoint() regularly instead. */
void store_checkpoint_off(struct store *s);
/* Copy the WAL back into the database as far as readers allow (PASSIVE:
 * never waits for them). */
void store_checkpoint(struct store *s);

/* Waiting for another writer. A connection blocked by another's write
 * transaction retries about every millisecond (so a short gap between two
 * of a bulk writer's transactions lets it in), for at most ms (default
 * STORE_BUSY_MS; 0: fail at once) before the statement fails with
 * "database is locked". */
void store_busy_limit(struct store *s, int ms);
/* Once a wait has lasted STORE_WAIT_NOTICE_MS, fn(msg, arg) is called once
 * for that wait with "waiting for the database: held by another
 * writer..." (a front end shows it; lower layers never print). NULL: no
 * notice. The function runs on the waiting thread, inside sqlite. */
void store_on_wait(struct store *s, void (*fn)(const char *msg, void *arg), void *arg);
/* 1 while another irk connection (another process's or thread's) waits
 * for the write lock that s holds, or when that cannot be told (no
 * waiters' file beside the database): a bulk writer then commits soon.
 * Writers that are not irk (sqlite3) are not seen. One fcntl() call. */
int store_writer_waiting(struct store *s);
/* s's wait for the write lock is over (its statement returned): it is no
 * longer counted as waiting. The store's own statements call it; code
 * stepping its own statements may, else the next one does. NULL: nothing. */
void store_wait_over(struct store *s);
/* 1 when the last failure on s was another writer holding the database
 * past the wait limit (SQLITE_BUSY or SQLITE_LOCKED); ask before
 * store_rollback(), which resets it. */
int store_last_busy(struct store *s);

/* ---- users ------------------------------------------------------------ */
struct user {
	char name[64];
	int role;                  /* enum role */
	int64_t created;
	char created_by[64];
	char jid[256];             /* bare JID (lowercase), "" when none */
};
/* Add or change a user (role change when present). Audited as user.add or
 * user.role by actor. Call inside a transaction. */
int store_user_put(struct store *s, const char *actor, const char *name, int role,
		struct irk_err *err);
/* The user's role, or -1 when the user is not registered. */
int store_user_role(struct store *s, const char *name);
int64_t store_user_count(struct store *s);
/* Every user, by name. *out is an array the caller frees. */
int store_user_list(struct store *s, struct user **out, size_t *n, struct irk_err *err);
/* Set (or clear with NULL) a user's JID; audited user.jid. In a transaction. */
int store_user_set_jid(struct store *s, const char *actor, const char *name,
		       const char *jid, struct irk_err *err);
/* The user whose bare JID is jid (compared case-insensitively): name into
 * name[64], role; IRK_NOTFOUND when none. */
int store_user_by_jid(struct store *s, const char *jid, char name[64], int *role,
		      struct irk_err *err);

/* ---- incidents -------------------------------------------------------- */
/* Load one incident (owned strings; incident_clear() frees). IRK_NOTFOUND. */
int store_incident_get(struct store *s, int64_t id, struct incident *out, struct irk_err *err);

struct incident_filter {
	int stage;                 /* -1: any */
	int open_only;             /* stage != closed */
	const char *owner;         /* NULL: any */
	int unassigned;            /* owner IS NULL */
	const char *business_unit; /* NULL: any */
	int64_t limit;             /* 0: no limit */
	int card;                  /* only what a list line or a board card
	                            * shows or filters on: id, title, stage,
	                            * severity, priority, owner, business unit
	                            * and the times sla_status() reads
	                            * (detected, acknowledged, contained);
	                            * every other field is 0 or NULL */
	const char *play;          /* NULL: any; else the incidents of this play */
	const char *play_version;  /* NULL: any; else a prefix of the version's hash */
};
#define INCIDENT_FILTER_ALL { -1, 0, NULL, 0, NULL, 0, 0, NULL, NULL }

/* Call fn for each matching incident, ordered by priority, then detection
 * time (oldest first), then id. The incident passed to fn is borrowed: its
 * strings are valid only during the call. fn returns nonzero to stop. */
int store_incident_each(struct store *s, const struct incident_filter *f,
		int (*fn)(const struct incident *inc, void *arg), void *arg,
		struct irk_err *err);
/* Number of incidents per stage into counts[STAGE_COUNT]. */
int store_incident_counts(struct store *s, int64_t counts[STAGE_COUNT], struct irk_err *err);
/* How many incidents f matches, its limit aside (f NULL: all); -1 on an
 * error. Open ones, or one stage, under any filter; every stage only
 * without owner, unassigned or unit (IRK_INVALID otherwise). From the
 * indexes: the closed stage's count is what the open ones leave of the
 * table's. */
int64_t store_incident_count(struct store *s, const struct incident_filter *f,
		struct irk_err *err);
/* Open incidents past an SLA at now (sla_status()'s rule), with the
 * targets in seconds of priorities 1..4 (ack[p], contain[p]; index 0
 * unused): a count over the open incidents' index; -1 on an error. */
int64_t store_incident_breached(struct store *s, int64_t now, const int64_t ack[5],
		const int64_t contain[5], struct irk_err *err);
/* The distinct business units of open incidents, by name, at most limit
 * (0: all); fn gets each (borrowed during the call), nonzero stops. */
int store_unit_each(struct store *s, int64_t limit, int (*fn)(const char *unit, void *arg),
		void *arg, struct irk_err *err);
/* Where inc (its id, stage, priority, t_detected, t_closed) stands in its
 * board column: the number of incidents of its stage before it in board
 * order (store_incident_stage_each()); -1 on an error. Counts through the
 * board or closed index, up to the incident. */
int64_t store_incident_position(struct store *s, const struct incident *inc,
		struct irk_err *err);

/* Insert a new incident; inc->id and inc->version are set. Inside a tx. */
int store_incident_insert(struct store *s, struct incident *inc, struct irk_err *err);
/* Write every field of inc back when the stored version still equals
 * inc->version; then inc->version is incremented. Otherwise IRK_CONFLICT
 * with "IR-42 was changed by bob since you loaded it". Inside a tx. */
int store_incident_update(struct store *s, struct incident *inc, const char *actor,
		struct irk_err *err);
/* Ingest's cheap path: add alerts to an incident's count and widen its
 * first/last event times. Inside a tx. */
int store_incident_bump(struct store *s, int64_t id, int64_t add_alerts,
		int64_t first_event, int64_t last_event, struct irk_err *err);
/* Correlation: the newest open incident with this rule and (host or
 * src_ip) whose events lie within [t - window, t + window]. 0 when none. */
int64_t store_incident_correlate(struct store *s, const char *rule, const char *host,
		const char *src_ip, int64_t t, int64_t window);

/* ---- stage history and notes ------------------------------------------ */
struct stage_move {
	int64_t incident_id;
	int from, to;              /* enum stage; from is -1 for the creation */
	int64_t at;
	char actor[64];
	char reason[512];
	int forced;
};
int store_history_add(struct store *s, const struct stage_move *m, struct irk_err *err);
/* Moves of one incident, oldest first; caller frees *out. */
int store_history_list(struct store *s, int64_t id, struct stage_move **out, size_t *n,
		struct irk_err *err);

struct note {
	int64_t id, incident_id, at;
	char actor[64];
	char *text;                /* owned; note_list_free() */
};
int store_note_add(struct store *s, int64_t incident_id, const char *actor,
		const char *text, struct irk_err *err);
int store_note_list(struct store *s, int64_t id, struct note **out, size_t *n,
		struct irk_err *err);
void note_list_free(struct note *notes, size_t n);

/* ---- alerts and observables ------------------------------------------- */
/* Insert an alert for incident_id. Returns IRK_OK with *alert_id set, or
 * IRK_CONFLICT when an alert with the same fingerprint exists (a duplicate;
 * nothing is written). */
int store_alert_insert(struct store *s, const struct alert *a, int64_t received,
		int64_t incident_id, int64_t *alert_id, struct irk_err *err);
/* Nonzero when an alert with this fingerprint is stored. */
int store_alert_exists(struct store *s, const unsigned char fp[ALERT_FP_LEN]);

/* Bulk ingest: alerts whose ids the caller gives, many rows per statement
 * (a statement's own cost is then shared). Inside a write transaction,
 * where nobody else adds alerts. */
struct alert_new {
	const struct alert *a;
	int64_t id, incident_id;
};
/* The highest alert id in *id (0 when there is none). */
int store_alert_last_id(struct store *s, int64_t *id, struct irk_err *err);
/* 1 when a stored alert has a fingerprint starting with the same 4 bytes
 * (the event hour, alert_fingerprint_timed()), 0 when none, -1 on an
 * error (err filled). An alert of an hour with none needs no duplicate
 * check against the database. */
int store_alert_hour_stored(struct store *s, const unsigned char fp[ALERT_FP_LEN],
		struct irk_err *err);
/* Insert the n alerts of rows, all new (fresh fingerprints, ids above the
 * highest). An error when one of them was not new. */
int store_alert_insert_new(struct store *s, const struct alert_new *rows, int n,
		int64_t received, struct irk_err *err);

/* Alerts of an incident, newest first, as a struct alert with its id,
 * incident_id and received set, and no observables (borrowed, valid
 * during fn). */
int store_alert_each(struct store *s, int64_t incident_id, int64_t limit,
		int (*fn)(const struct alert *a, void *arg), void *arg,
		struct irk_err *err);

/* Record an observable once per incident (type, value); the first
 * provenance wins. source is "alert", "step" or "lookup"; ref its id.
 * IRK_OK when it was added, IRK_CONFLICT when it was already there. */
int store_observable_add(struct store *s, int64_t incident_id, int type, const char *value,
		const char *source, int64_t ref, int64_t at, struct irk_err *err);
/* How many observables of this type an incident has. */
int64_t store_observable_count(struct store *s, int64_t incident_id, int type);
struct observable_row {
	int type;
	const char *value, *source;
	int64_t ref, at;
};
int store_observable_each(struct store *s, int64_t incident_id,
		int (*fn)(const struct observable_row *o, void *arg), void *arg,
		struct irk_err *err);

/* ---- sensor events kept for context (irk/sensor.h) -------------------- */
/* Store one kept event (its id is not set): IRK_OK, or IRK_CONFLICT when
 * the same record (time and content) is kept already. */
int store_sensor_insert(struct store *s, const struct sensor_event *e, struct irk_err *err);
/* Delete at most limit events older than before (event time), the oldest
 * first, in the caller's transaction; *deleted gets how many. */
int store_sensor_prune(struct store *s, int64_t before, int limit, int64_t *deleted,
		struct irk_err *err);
/* How many events are kept (a count of every row: for commands, not for
 * screens); -1 on an error. */
int64_t store_sensor_count(struct store *s);
/* 1 when any event is kept, at the cost of one row. */
int store_sensor_any(struct store *s);
/* What the kept events between from and to (inclusive) of the n
 * addresses (at most STORE_SENSOR_ADDRS) name, each once with its count,
 * the most recently seen first, at most limit (each line's total says how
 * many there are in all). DNS lookups, HTTP requests and TLS server names
 * belong to the client that asked: matched by their source (a DNS answer
 * from port 53 by its destination); files, SSH and SMTP sessions and
 * anomalies by either address; flows as the peers they reached, the
 * STORE_SENSOR_FLOW_PEERS with the most bytes. A DNS lookup logged as a
 * query and an answer counts once. */
#define STORE_SENSOR_ADDRS 32
#define STORE_SENSOR_FLOW_PEERS 5
int store_sensor_context(struct store *s, const char *const *addrs, int n, int64_t from,
		int64_t to, int limit, int (*fn)(const struct sensor_seen *e, void *arg),
		void *arg, struct irk_err *err);
/* The raw record of kept event id into out (NULL when gone). */
int store_sensor_raw(struct store *s, int64_t id, struct strbuf *out, int *found,
		struct irk_err *err);
/* Kept events (irk sensor list): of host (an address, either side; NULL:
 * any), of type (enum sensor_type; -1: any), between from and to, the
 * newest limit, oldest first. The event is borrowed during fn; nonzero
 * from fn stops. */
struct sensor_filter {
	const char *host;
	int type;
	int64_t from, to;
	int limit;
};
int store_sensor_list(struct store *s, const struct sensor_filter *f,
		int (*fn)(const struct sensor_event *e, void *arg), void *arg,
		struct irk_err *err);

/* ---- steps (the play engine owns their life; play_gate() judges them) ----- */
struct step_row {
	int64_t id, incident_id;
	const char *step_id, *kind, *title, *assignee, *lease_owner, *output, *error;
	int seq, stage, state, required, attempts;   /* stage: enum stage; state: enum step_state */
	int64_t lease_until, t_start, t_end;
	/* The play engine's fields (see irk-play(5)): the step definition
	 * (JSON), retries allowed after the first attempt, when the next
	 * attempt is due (0: now), recorded inputs (JSON), captured log (JSON),
	 * who asked for an approval, who finished the step, and why it was
	 * skipped or denied. */
	const char *def, *inputs, *log, *requested_by, *done_by, *reason;
	int retry;
	int64_t next_attempt;
};
/* An owned copy of a borrowed row (every string duplicated); release it
 * with store_step_row_clear(), which also zeroes it. */
void store_step_row_copy(struct step_row *out, const struct step_row *in);
void store_step_row_clear(struct step_row *r);
/* The steps of an incident in play order (borrowed row, valid during fn). */
int store_step_each(struct store *s, int64_t incident_id,
		int (*fn)(const struct step_row *st, void *arg), void *arg,
		struct irk_err *err);

/* ---- plays and the engine's step life (src/store/steps.c) ------------ */
/* Record a play version (by the SHA-256 of its file) unless already known.
 * Inside a transaction. */
int store_play_put(struct store *s, const char *hash, const char *play_id,
		const char *version, const char *name, const char *path, const char *source,
		int64_t now, struct irk_err *err);
/* Keep the definitions (JSON) of the n steps of play version hash, by
 * step id, once for all the incidents that run it, unless they are kept
 * already. Inside a transaction. */
int store_play_steps_put(struct store *s, const char *hash, int n, const char *const *ids,
		const char *const *defs, struct irk_err *err);
struct play_version_row {
	const char *hash, *play_id, *version, *name, *path, *source;
	int64_t loaded;
	int64_t incidents;         /* incidents that run this version */
};
/* Play versions, newest first, optionally only one play (play_id) or one
 * version (hash); NULL for any. The row is borrowed during fn. */
int store_play_each(struct store *s, const char *play_id, const char *hash,
		int (*fn)(const struct play_version_row *p, void *arg), void *arg,
		struct irk_err *err);

/* The incident runs a play version. */
/* Set aside the play an incident runs, to give it another (inside the
 * caller's transaction): each step row keeps its definition, its step id
 * gets prefix ("phishing/triage") and its seq goes down by shift (listed
 * before the new play's), and the incident no longer runs a play. */
int store_play_run_retire(struct store *s, int64_t incident_id, const char *prefix,
		int64_t shift, struct irk_err *err);
int store_play_run_add(struct store *s, int64_t incident_id, const char *play_id,
		const char *hash, struct irk_err *err);
/* The planner has looked at the incident: clear the mark a change of its
 * stage (a move, a close, a reopening) put on it. Writes nothing when
 * there is no mark. */
int store_play_run_seen(struct store *s, int64_t incident_id, struct irk_err *err);
/* Incidents running a play whose stage changed since the planner last
 * looked, at most limit, oldest first. Reads only the marked ones: its
 * cost does not grow with the incidents that run plays. */
int store_play_run_stale(struct store *s, int64_t limit,
		int (*fn)(int64_t incident_id, void *arg), void *arg, struct irk_err *err);

/* Insert a step in its state (r: incident_id, step_id, seq, kind, stage,
 * title, required, retry, def, assignee, state, t_start, t_end,
 * requested_by, done_by, reason), written once: a planner decides the
 * state first. def NULL: the definition its incident's play version keeps
 * (store_play_steps_put), which is how the planner writes them, so a step
 * row does not carry a copy of it; reading gives "{}" when there is none.
 * *id (may be NULL) gets its row id. */
int store_step_insert(struct store *s, const struct step_row *r, int64_t *id,
		struct irk_err *err);
/* One step by incident and play step id, or by row id (incident_id 0,
 * step_id NULL). IRK_NOTFOUND when missing. The row is borrowed during fn. */
int store_step_get(struct store *s, int64_t incident_id, const char *step_id, int64_t id,
		int (*fn)(const struct step_row *st, void *arg), void *arg,
		struct irk_err *err);
/* Write the changeable fields of r (state, attempts, lease, times, output,
 * error, inputs, log, requested_by, done_by, reason, next_attempt) to row
 * r->id when its stored state is still expect_state; IRK_CONFLICT when it
 * is not (somebody else moved it first). */
int store_step_update(struct store *s, const struct step_row *r, int expect_state,
		struct irk_err *err);
/* The claim: the oldest ready step due at now becomes running, leased to
 * owner until `until` (one UPDATE ... WHERE state = 'ready' whose change
 * count must be 1), attempts + 1. fn sees the claimed row. IRK_NOTFOUND
 * when nothing is due. Call inside store_begin() so the claim and its
 * audit event commit together. */
int store_step_claim(struct store *s, const char *owner, int64_t now, int64_t until,
		int (*fn)(const struct step_row *st, void *arg), void *arg,
		struct irk_err *err);
/* Extend the lease of a running step still held by owner; IRK_CONFLICT
 * when it is no longer ours (recovered by another process, skipped). */
int store_step_renew(struct store *s, int64_t id, const char *owner, int64_t until,
		struct irk_err *err);
/* Running steps whose lease ran out before now (their process died). */
int store_step_expired(struct store *s, int64_t now, int64_t limit,
		int (*fn)(int64_t id, void *arg), void *arg, struct irk_err *err);
/* The earliest next_attempt of a ready step in the future, or 0. */
int64_t store_step_next_due(struct store *s, int64_t now);

/* ---- checklists of manual steps (src/store/steps.c) ------------------- */
/* Tick (on) or untick item (from 0) of the checklist of step row id, as
 * actor: the step's ticks gain or lose {"by": actor, "at": now} under the
 * item's number, and the audit event step.check {step, item, text,
 * checked} is appended, in one transaction of its own (none may be open).
 * Ticking a ticked item keeps who ticked it first. IRK_REFUSED, changing
 * nothing, when the step is not a manual step a person still has to do
 * (waiting or ready: a colleague may have finished it meanwhile) or has no
 * such item; IRK_NOTFOUND when there is no such step. */
int store_step_check(struct store *s, const char *actor, int64_t id, int item, int on,
		struct irk_err *err);
/* The ticks of step row id, as that JSON object ("{}" when none), appended
 * to out. */
int store_step_checks(struct store *s, int64_t id, struct strbuf *out, struct irk_err *err);

/* ---- outbox (notify steps) -------------------------------------------- */
int store_outbox_add(struct store *s, int64_t incident_id, int64_t step, const char *recipient,
		const char *text, int64_t at, int64_t *id, struct irk_err *err);
struct outbox_row {
	int64_t id, at, incident_id, t_sent;
	const char *step_id, *recipient, *text, *state, *error;
	int attempts;
};
/* Messages, newest first (queued only when queued_only), at most limit (0: all). */
int store_outbox_each(struct store *s, int queued_only, int64_t limit,
		int (*fn)(const struct outbox_row *o, void *arg), void *arg,
		struct irk_err *err);

/* XMPP delivery (src/xmpp). Queued messages due at now (next_try unset
 * or passed) with an id above after, oldest first, at most limit. */
int store_outbox_due(struct store *s, int64_t after, int64_t now, int64_t limit,
		int (*fn)(const struct outbox_row *o, void *arg), void *arg,
		struct irk_err *err);
/* The server took message id: sent at t (attempts counted). A message no
 * longer queued is left alone. */
int store_outbox_sent(struct store *s, int64_t id, int64_t t, struct irk_err *err);
/* A try of message id failed with reason: tried again at next_try, or
 * failed for good when next_try is 0. *attempts (may be NULL) gets the
 * tries so far. */
int store_outbox_retry(struct store *s, int64_t id, const char *reason, int64_t next_try,
		int *attempts, struct irk_err *err);
/* The JIDs a recipient reaches: a user's name (their JID), or role:ROLE
 * (every user of that role or a higher one with a JID, as the boards'
 * inboxes), by name; fn gets each. The
 * number found in *n. */
int store_recipient_jids(struct store *s, const char *recipient,
		void (*fn)(const char *jid, void *arg), void *arg, int *n, struct irk_err *err);
/* The lease name (one process does a job): taken or renewed by owner
 * until now + ttl when free, run out or already owner's: IRK_OK;
 * IRK_CONFLICT (err names the holder) when someone else holds it. */
int store_lease_take(struct store *s, const char *name, const char *owner, int64_t now,
		int64_t ttl, struct irk_err *err);
/* Give it up (only when owner holds it). */
int store_lease_drop(struct store *s, const char *name, const char *owner, struct irk_err *err);

/* ---- watches (irk watch KEY) ------------------------------------------ */
/* name follows (on) or no longer follows (off) incident id; audited
 * watch.add / watch.drop. In a transaction. */
int store_watch_set(struct store *s, const char *actor, const char *name, int64_t incident_id,
		int on, struct irk_err *err);
/* Everyone following incident id, by name. */
int store_watchers(struct store *s, int64_t incident_id,
		void (*fn)(const char *name, void *arg), void *arg, struct irk_err *err);

/* A person's messages: those to their name, or to their role or a role
 * below it (role:analyst reaches seniors and admins too, role:senior
 * admins), newest first, at most limit (0: all). */
int store_inbox_each(struct store *s, const char *name, int role, int64_t limit,
		int (*fn)(const struct outbox_row *o, void *arg), void *arg,
		struct irk_err *err);
/* How many of them are newer than the last one they have seen (*newest:
 * the id of the newest, 0 when none); -1 on error. */
int64_t store_inbox_unseen(struct store *s, const char *name, int role, int64_t *newest,
		struct irk_err *err);
/* The id of the newest message name has seen (0: none); -1 on error. */
int64_t store_inbox_last_seen(struct store *s, const char *name, struct irk_err *err);
/* They have seen every message up to id (never goes back). */
int store_inbox_seen(struct store *s, const char *name, int64_t id, struct irk_err *err);

/* ---- history for confidence scoring ----------------------------------- */
struct rule_host_row {
	const char *host, *src_ip;
	int64_t alerts;            /* alerts of the rule on this host */
	int64_t incidents, closed, dismissed;   /* dismissed: false-positive or benign */
};
/* Per host and source address, incidents of this rule whose events touch
 * [t0, t1]. */
int store_rule_history(struct store *s, const char *rule, int64_t t0, int64_t t1,
		int (*fn)(const struct rule_host_row *r, void *arg), void *arg,
		struct irk_err *err);
/* Every host named by an incident (for group inventories), by name. */
int store_host_each(struct store *s, int (*fn)(const char *host, void *arg), void *arg,
		struct irk_err *err);
/* The alert that opened an incident (its oldest stored alert). IRK_NOTFOUND. */
int store_alert_first(struct store *s, int64_t incident_id,
		int (*fn)(const struct alert *a, void *arg), void *arg,
		struct irk_err *err);

/* ---- links between incidents --------------------------------------- */
struct link_row {
	int64_t a, b;              /* a is related to b, a duplicate of b, b's parent */
	const char *kind;          /* "related", "duplicate", "parent" */
	int64_t at;
	const char *actor;
};
/* Record a link (once: the same again changes nothing). In a transaction. */
int store_link_add(struct store *s, int64_t a, int64_t b, const char *kind, const char *actor,
		int64_t at, struct irk_err *err);
/* The links of incident id, from either end, oldest first (borrowed). */
int store_link_each(struct store *s, int64_t id, int (*fn)(const struct link_row *l, void *arg),
		void *arg, struct irk_err *err);
/* Move the alerts, observables (those the survivor lacks) and notes of
 * incident from to incident into; moved[] gets how many of each. In a
 * transaction. */
int store_incident_merge(struct store *s, int64_t from, int64_t into, int64_t moved[3],
		struct irk_err *err);

/* ---- the board (src/store/board.c) ------------------------------------ */
/* Incidents of one stage, in pages: open stages in board order (priority,
 * then detection time, then id); closed newest-closed first, so the board
 * never reads 90,000 closed rows for a frame. The incident passed to fn is
 * borrowed (valid during the call); fn returns nonzero to stop. */
int store_incident_stage_each(struct store *s, int stage, int64_t offset, int64_t limit,
		int (*fn)(const struct incident *inc, void *arg), void *arg,
		struct irk_err *err);
/* Incidents that wait for a person: a step in state waiting, or ready with
 * kind manual or approval. Calls fn once per incident id (any order). */
int store_incident_waiting(struct store *s, int (*fn)(int64_t id, void *arg), void *arg,
		struct irk_err *err);

/* Incidents with an observable of exactly this value, any type (the
 * observables' value index). fn once per incident id. */
int store_incident_observed(struct store *s, const char *value,
		int (*fn)(int64_t id, void *arg), void *arg, struct irk_err *err);
/* Open incidents with a required step that failed (an automated step out
 * of attempts; a denied approval is a decision, not a failure). Calls fn
 * once per incident id (any order). */
int store_incident_failed(struct store *s, int (*fn)(int64_t id, void *arg), void *arg,
		struct irk_err *err);
/* The tickets ticket steps created for open incidents: fn gets each
 * incident id with a key ("#12", "SEC-4", as the source gave it, not
 * sanitized), by incident id, its first ticket first. */
int store_incident_tickets(struct store *s, int (*fn)(int64_t id, const char *key, void *arg),
		void *arg, struct irk_err *err);
/* The approvals waiting for a decision, every incident's (borrowed rows,
 * valid during fn). */
int store_step_approvals(struct store *s, int (*fn)(const struct step_row *st, void *arg),
		void *arg, struct irk_err *err);

/* Presence: who has a board open. A beat records name as seen at `now`;
 * it waits at most 50 ms for the write lock and gives up silently
 * (IRK_CONFLICT) so a busy database never stalls the UI. Leave removes the
 * row. List calls fn with each user seen at or after `since`, by name. */
int store_presence_beat(struct store *s, const char *name, int64_t now, struct irk_err *err);
int store_presence_leave(struct store *s, const char *name, struct irk_err *err);
int store_presence_list(struct store *s, int64_t since,
		int (*fn)(const char *name, int64_t seen, void *arg), void *arg,
		struct irk_err *err);

/* ---- KPIs (src/store/kpi.c) ------------------------------------------ */
/* What the KPIs read of an incident (borrowed during the callback; text
 * NULL when unset, times 0 when unset). */
struct kpi_incident_row {
	int64_t id;
	int stage, priority, severity, resolution, asset_criticality;  /* enums; resolution RES_NONE */
	int64_t t_first_event, t_detected, t_acknowledged, t_contained, t_resolved, t_closed;
	int reopen_count, back_moves, effort_min;
	const char *category, *business_unit, *owner, *play, *play_version, *rule, *root_cause;
	const char *vector, *threat_source;
};
/* The extent of the incidents table: the earliest and latest detection
 * and the highest id (0s when empty). Index reads only. */
struct kpi_span {
	int64_t first, last, min_id, max_id;
};
int store_kpi_span(struct store *s, struct kpi_span *out, struct irk_err *err);
/* The lowest and highest id of the incidents detected in [since, until)
 * (0 and -1 when none), from the detection index alone. */
int store_kpi_ids(struct store *s, int64_t since, int64_t until, int64_t *lo, int64_t *hi,
		struct irk_err *err);
/* Incidents detected in [since, until), in no particular order. full: the
 * range holds (nearly) every incident, so the table is read in order
 * rather than through the detection index. fn returns nonzero to stop. */
int store_kpi_incidents(struct store *s, int64_t since, int64_t until, int full,
		int (*fn)(const struct kpi_incident_row *r, void *arg), void *arg,
		struct irk_err *err);
/* A stage move: to (enum stage) at, forced or not. */
struct kpi_move_row {
	int64_t incident_id, at;
	int to, forced;
};
/* The moves of incidents lo..hi (ids), each incident's in the order they
 * were made (incidents interleaved when full: the table in rowid order). */
int store_kpi_moves(struct store *s, int64_t lo, int64_t hi, int full,
		int (*fn)(const struct kpi_move_row *r, void *arg), void *arg,
		struct irk_err *err);
/* Steps of incidents lo..hi, in no particular order (kind borrowed). */
struct kpi_step_row {
	int64_t incident_id, t_start, t_end;
	const char *kind;
	int state;                 /* enum step_state */
};
int store_kpi_steps(struct store *s, int64_t lo, int64_t hi, int full,
		int (*fn)(const struct kpi_step_row *r, void *arg), void *arg,
		struct irk_err *err);
/* Every play version (play id, hash, when first loaded), by play then
 * load time (borrowed during fn). */
int store_kpi_plays(struct store *s,
		int (*fn)(const char *play_id, const char *hash, int64_t loaded, void *arg),
		void *arg, struct irk_err *err);

/* The audit log's newest seq (0 when empty; -1 on an error): every change
 * irk makes moves it, so a snapshot that saw it is current. */
int64_t store_kpi_head(struct store *s);
/* The snapshot called name: when it was stored and the head it saw
 * (IRK_NOTFOUND when none), and with its bytes into body (may be NULL). */
int store_kpi_snapshot_get(struct store *s, const char *name, int64_t *at, int64_t *head,
		struct strbuf *body, struct irk_err *err);
/* Store it, in a transaction of its own (none may be open) that waits at
 * most 50 ms for another writer: IRK_CONFLICT when busy (it is derived
 * data, and the next round tries again). */
int store_kpi_snapshot_put(struct store *s, const char *name, int64_t at, int64_t head,
		const void *body, size_t len, struct irk_err *err);
/* ---- context: the asset inventory, the cache of sources (irk/context.h) -- */
/* An asset's fields, in the column order of `irk asset import`'s CSV:
 * X(name, kind), kind T (text, NULL when unset) or I (int: criticality,
 * 1 low .. 4 critical, 0 unknown, the scale of asset_criticality). ips and
 * tags are space-separated lists. */
#define ASSET_FIELDS(X) \
	X(host, T) X(ips, T) X(owner, T) X(business_unit, T) X(criticality, I) \
	X(role, T) X(site, T) X(os, T) X(tags, T) X(contact, T)
#define ASSET_MEMBER_T(n) char *n;
#define ASSET_MEMBER_I(n) int n;
#define ASSET_MEMBER(n, k) ASSET_MEMBER_##k(n)
struct asset {
	ASSET_FIELDS(ASSET_MEMBER)
	char *source;              /* "inventory", or the [context.NAME] it came from */
	int64_t fetched;           /* when the source said so (inventory: last import) */
};
#undef ASSET_MEMBER
/* The fields as data (name, int or text, offset), {NULL}-terminated. */
struct asset_field {
	const char *name;
	int is_int;
	size_t off;
};
extern const struct asset_field asset_fields[];
#define ASSET_NFIELDS 10
/* Free an asset's strings (the struct itself is the caller's). */
void asset_clear(struct asset *a);

/* The inventory's asset of host (any case), or IRK_NOTFOUND; owned
 * strings (asset_clear). */
int store_asset_get(struct store *s, const char *host, struct asset *out, struct irk_err *err);
/* The inventory's asset one of whose ips is ip (the first by host when
 * several), or IRK_NOTFOUND. */
int store_asset_by_ip(struct store *s, const char *ip, struct asset *out, struct irk_err *err);
/* Add or replace a's row (and its addresses) in the inventory, stamped
 * with a->source and a->fetched. Call inside a transaction. */
int store_asset_put(struct store *s, const struct asset *a, struct irk_err *err);
/* Every asset of the inventory by host; a is borrowed during fn. */
int store_asset_each(struct store *s, int (*fn)(const struct asset *a, void *arg), void *arg,
		struct irk_err *err);
int64_t store_asset_count(struct store *s);

/* One cached answer of a remote source for key (a host or an address):
 * data is a JSON object (an asset as irk asset show --json prints it) or
 * NULL when the source knew nothing of key (remembered too: a miss is not
 * asked again before expires). */
struct context_cached {
	const char *source, *key, *data;   /* borrowed during the call */
	int64_t fetched, expires;
};
/* IRK_OK and fn called once, or IRK_NOTFOUND. */
int store_context_get(struct store *s, const char *source, const char *key,
		int (*fn)(const struct context_cached *c, void *arg), void *arg,
		struct irk_err *err);
/* The newest answer any source gave about key (data not NULL). */
int store_context_any(struct store *s, const char *key,
		int (*fn)(const struct context_cached *c, void *arg), void *arg,
		struct irk_err *err);
/* Every source's cached answer (not a miss) for key, by source; fn's
 * nonzero stops. */
int store_context_each_key(struct store *s, const char *key,
		int (*fn)(const struct context_cached *c, void *arg), void *arg,
		struct irk_err *err);
int store_context_put(struct store *s, const char *source, const char *key, const char *data,
		int64_t fetched, int64_t expires, struct irk_err *err);

/* A source's health, shared by every irk process: failing since when
 * (0: it answers), why, how many failures in a row, when to try again,
 * and its last good answer. */
struct context_health {
	const char *source, *error;        /* borrowed during the call */
	int64_t since, fails, next_try, last_ok;
};
int store_context_health_get(struct store *s, const char *source,
		int (*fn)(const struct context_health *h, void *arg), void *arg,
		struct irk_err *err);
/* Record an answer (error NULL: clears the failure, sets last_ok = now)
 * or a failure (since kept from the first one in a row; fails counted;
 * next_try given by the caller's backoff). */
int store_context_health_put(struct store *s, const char *source, const char *error,
		int64_t now, int64_t next_try, struct irk_err *err);
/* The open incidents with an id after `after`, by id, at most limit: fn
 * gets each id (nonzero stops). For the context worker's sweep. */
int store_context_incidents_after(struct store *s, int64_t after, int limit,
		int (*fn)(int64_t id, void *arg), void *arg, struct irk_err *err);
/* The open incidents on a critical asset (asset_criticality 4), for the
 * board's mark: fn gets each id. */
int store_context_critical(struct store *s, int (*fn)(int64_t id, void *arg), void *arg,
		struct irk_err *err);
/* Every failing source, by name. */
int store_context_health_each(struct store *s,
		int (*fn)(const struct context_health *h, void *arg), void *arg,
		struct irk_err *err);

/* ---- quarantine ------------------------------------------------------- */
struct quarantine_row {
	int64_t id, at, line;
	const char *source, *reason, *format;
	const char *raw;
	size_t raw_len;
	int64_t orig_len;          /* length of the line as read (may exceed raw_len) */
};
/* Keep a rejected line. One row per source, line and content: the same
 * line rejected again (the file ingested again) is not stored twice. */
int store_quarantine_add(struct store *s, const char *source, int64_t line,
		const char *format, const char *reason, const char *raw, size_t raw_len,
		int64_t orig_len, struct irk_err *err);
int64_t store_quarantine_count(struct store *s);
/* The rows oldest first; with limit > 0 the newest limit of them (still
 * oldest first). */
int store_quarantine_each(struct store *s, int64_t limit,
		int (*fn)(const struct quarantine_row *q, void *arg), void *arg,
		struct irk_err *err);

/* ---- metadata ---------------------------------------------------------- */
/* Small named values (counters, heads): NULL/IRK_NOTFOUND when unset. */
int store_meta_get(struct store *s, const char *key, struct strbuf *out);
int store_meta_set(struct store *s, const char *key, const char *value, struct irk_err *err);

/* Run a statement that is not one of the prepared ones: only for tests and
 * benchmarks (e.g. counting rows). Returns the first column of the first
 * row as an integer, or -1. */
int64_t store_scalar(struct store *s, const char *sql);

/* ---- storm grouping (src/store/storm.c; irk(1) STORM GROUPING) ---------- */
/* A storm's hosts are observables of type host and source 'storm' (kept
 * out of the value index: store_incident_observed() finds them through
 * the storms); an alert's host in a storm is its host, else its source
 * address. */
/* Every open storm incident, to fn with its rule (borrowed during the
 * call), id, and first and last event times, until fn returns nonzero. */
int store_storm_each(struct store *s, int (*fn)(const char *rule, int64_t id, int64_t first,
		int64_t last, void *arg), void *arg, struct irk_err *err);
/* How many plain (not storm) incidents of rule have their first event in
 * [since, until], counting at most limit. -1 on an error. */
int64_t store_storm_opened(struct store *s, const char *rule, int64_t since, int64_t until,
		int64_t limit);
/* 1 when incident id is a storm, 0 when not, -1 on an error. */
int store_storm_is(struct store *s, int64_t id);
/* The open plain incidents of rule, at most limit, to fn (host and src_ip
 * borrowed during the call, NULL when unset) until it returns nonzero.
 * *n gets the number seen. */
int store_storm_plain_each(struct store *s, const char *rule, int64_t limit,
		int (*fn)(int64_t id, const char *host, const char *src_ip, int64_t first,
			int64_t last, void *arg), void *arg, int64_t *n, struct irk_err *err);
/* 1 when host is one of storm id's hosts, 0 when not, -1 on an error. */
int store_storm_has_host(struct store *s, int64_t id, const char *host);
/* Hosts of storm incident id, as observables of type host, source storm
 * (provenance: the alert ref), n of them; *added gets how many it did not have. */
struct storm_host {
	const char *host;
	int64_t ref, at;
};
int store_storm_hosts_add(struct store *s, int64_t id, const struct storm_host *rows, int n,
		int64_t *added, struct irk_err *err);
/* The title of incident id (caller frees), NULL when there is none. */
char *store_storm_title(struct store *s, int64_t id);
/* Ingest's cheap path: set the title (no version change, as
 * store_incident_bump()). Inside a tx. */
int store_storm_retitle(struct store *s, int64_t id, const char *title, struct irk_err *err);
/* The oldest alert of host in incident id, to fn (borrowed during the
 * call). IRK_NOTFOUND when there is none. */
int store_storm_alert_of(struct store *s, int64_t id, const char *host,
		int (*fn)(const struct alert *a, void *arg), void *arg, struct irk_err *err);
/* Split host out of storm `from` into incident `to` (inside a tx): its
 * alerts move, to's counts and event times are recomputed from its alerts,
 * from's too, the observables the moved alerts gave are copied to `to`,
 * and host is no longer one of from's hosts. *moved gets the alerts moved. */
int store_storm_split(struct store *s, int64_t from, int64_t to, const char *host,
		int64_t *moved, struct irk_err *err);
/* The plain incidents of rule, other than storm, with their first event in
 * [since, until] that nobody touched: stage new, nobody holds them, no
 * event of a person (a change, note, claim, move, link, merge, check), no
 * step a person finished, not split out of a storm. At most limit ids, in
 * id order, into ids; *n gets how many. */
int store_storm_foldable_each(struct store *s, const char *rule, int64_t since, int64_t until,
		int64_t storm, int64_t limit, int64_t *ids, int64_t *n, struct irk_err *err);
/* The hosts of incident from's alerts (host, else source address) become
 * hosts of storm incident storm (inside a tx); *added gets how many it did
 * not have. */
int store_storm_fold_hosts(struct store *s, int64_t from, int64_t storm, int64_t *added,
		struct irk_err *err);

/* ---- the query engine's statement (src/store/query.c; irk/query.h) ----
 *
 * The query compiler (src/query/) describes what SQL should do as a plan
 * of field numbers, operators and literal values; the store writes the one
 * statement from fixed fragments and binds every value (JSON paths too) as
 * a parameter, so no user text ever becomes SQL text. */

/* How a source's field is stored. */
enum sq_type {
	SQT_TEXT,       /* text; NULL or '' missing */
	SQT_NUM,        /* integer */
	SQT_TIME,       /* Unix seconds */
	SQT_SEV,        /* a severity name (compares by rank) */
	SQT_FLAG,       /* 0 or 1 */
	SQT_JSON,       /* a JSON document: read by dotted path only */
};

struct sq_field {
	const char *name;       /* as a query names it: host, raw, data */
	int type;               /* enum sq_type */
	const char *help;
};

enum { SQ_ALERTS, SQ_INCIDENTS, SQ_STEPS, SQ_EVENTS, SQ_STAGES, SQ_OBSERVABLES, SQ_NSOURCES };

/* The source named name (alerts, incidents...), or -1. */
int store_query_source(const char *name);
const char *store_query_source_name(int src);
/* The fields of src, terminated by {NULL}. Field 0 is always _time, the
 * time since=/until= and timechart use. */
const struct sq_field *store_query_fields(int src);
/* The fields a plain query of src shows, by number, -1 ended. */
const int *store_query_default_fields(int src);

/* A value read from a row: a field, or a path into a JSON field (segments
 * of letters, digits, '_' and '-'). */
struct sq_col {
	int field;
	char *path;             /* the dotted rest after the field name
				 * ("alert.signature_id" of raw.alert.signature_id), or NULL */
};

enum sq_op { SQ_EQ, SQ_NE, SQ_LT, SQ_LE, SQ_GT, SQ_GE };
enum sq_cond_kind {
	SQC_AND, SQC_OR, SQC_NOT,
	SQC_CMP,        /* col op lit (a number, or a string) */
	SQC_RANK,       /* severity rank of col op lit (a number 0..3) */
	SQC_MATCH,      /* col matches the POSIX ERE lit (icase, negated: op 1) */
	SQC_NULL,       /* col is missing (op 1: present) */
	SQC_TIME,       /* _time >= lit (op SQ_GE) or < lit (op SQ_LT) */
};

struct sq_cond {
	int kind;
	int op;
	int icase;              /* SQC_MATCH */
	struct sq_col col;
	int is_num;             /* lit is num (else str) */
	int as_num;             /* SQC_CMP: compare col as a number: a number, or
				 * text that is one (expr.h); anything else is
				 * unequal and unordered */
	double num;
	char *str;
	struct sq_cond *kids;   /* AND, OR, NOT */
	int nkids;
};

enum sq_agg { SQA_NONE, SQA_COUNT, SQA_DC, SQA_SUM, SQA_AVG, SQA_MIN, SQA_MAX };

/* One output column: a value (agg SQA_NONE) or an aggregate of one
 * (count: of rows when has_col is 0). */
struct sq_out {
	int agg;
	int has_col;
	struct sq_col col;
};

struct sq_plan {
	int source;
	struct sq_cond *where;  /* NULL: every row */
	/* Aggregated: the output is the span bucket of _time (span > 0), the
	 * group columns, then outs; every out is an aggregate. */
	int aggregate;
	int64_t span;
	struct sq_col *group;
	int ngroup;
	struct sq_out *outs;
	int nout;
	/* ORDER BY output columns (0-based), in order. */
	int order[8], desc[8], norder;
	int64_t limit;          /* 0: none */
};

struct sq_limits {
	int64_t time_ms;        /* 0: none */
	int64_t rows;           /* rows given to fn at most; 0: none */
};

/* Why store_query_run() stopped early. */
enum { SQ_DONE = 0, SQ_TIME_LIMIT = 1, SQ_ROW_LIMIT = 2 };

/* Run plan on s (open it read-only: STORE_READONLY), calling fn with each
 * output row: n values (strings borrowed until fn returns; SQL NULL as
 * EXPR_NULL, integers and reals as EXPR_NUM). fn returns nonzero to stop.
 * Returns IRK_OK (and *why SQ_DONE, SQ_TIME_LIMIT or SQ_ROW_LIMIT) or an
 * error. sql (may be NULL) gets the statement, for --explain and tests. */
/* Saved queries. Save (or replace) name's text, inside a transaction. */
int store_query_save(struct store *s, const char *name, const char *text, const char *actor,
		int64_t at, struct irk_err *err);
/* The text saved as name into out; IRK_NOTFOUND when there is none. */
int store_query_saved(struct store *s, const char *name, struct strbuf *out, struct irk_err *err);
/* Every saved query, by name, to fn (borrowed during the call; nonzero
 * stops). */
int store_query_saved_each(struct store *s, int (*fn)(const char *name, const char *text,
		const char *actor, int64_t at, void *arg), void *arg, struct irk_err *err);

struct expr_value;
/* The statement of plan into out, without running it (for tests and
 * explanations); -1 when the plan does not fit its source. */
int store_query_sql(const struct sq_plan *plan, struct strbuf *out);
int store_query_run(struct store *s, const struct sq_plan *plan, const struct sq_limits *lim,
		int (*fn)(const struct expr_value *v, int n, void *arg), void *arg,
		int *why, struct strbuf *sql, struct irk_err *err);

#endif
