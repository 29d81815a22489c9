/* context.h: what the organisation knows about an incident's host, from
 * the local asset inventory and remote sources (src/context/). A domain
 * service: nothing here draws; front ends show it, sanitized.
 *
 * Sources. The local inventory (`irk asset import`) needs no setup and is
 * asked first. Remote ones are sections [context.NAME] of irk.conf
 * (irk.conf(5)): type netbox, http, rt or jira, url, token (a secret), ttl,
 * timeout, rate, and per-type keys. Each type is one ops table (struct
 * context_kind, context_impl.h), as each step kind is: a new connector
 * (RT, Jira: tickets and changes) is one file and one row.
 *
 * Remote answers are cached in the database per (source, key) with when
 * they were fetched and until when they hold (ttl); a miss is cached too.
 * Reading an incident's context (context_of) never talks to a source: it
 * reads the inventory and the cache, so a screen shows it at once. The
 * fetching (context_refresh) runs in a worker (context_worker_*: irk serve,
 * the board) or `irk context --refresh`, never on a screen's thread, bounded in time, size, rate and concurrency,
 * and records each source's health: a failing source is backed off and
 * its cached values shown as stale, with the failure.
 *
 * Context feeds the incident (context_apply): the asset's criticality
 * fills asset_criticality when it is unknown, and the priority follows;
 * its business unit fills business_unit when the incident has none. Each
 * change is an audit event (incident.context) naming the source. */
#ifndef IRK_CONTEXT_H
#define IRK_CONTEXT_H

#include <stdint.h>

#include "irk/config.h"
#include "irk/err.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/store.h"

/* The source name of the local inventory. */
#define CONTEXT_INVENTORY "inventory"

/* ---- the local inventory ------------------------------------------------ */

struct asset_import_stats {
	int64_t read, added, updated, unchanged, rejected;
};

/* What an import tells as it goes: a rejected record ("FILE:LINE: column
 * 'criticality': '7' is not 1 to 4"), or a change ("updated web-01:
 * owner 'ana' -> 'ben'"). Outside text in it is not sanitized. */
enum asset_note { ASSET_REJECTED, ASSET_ADDED, ASSET_UPDATED };

/* Read FILE (CSV with a header row, or a JSON array of objects with the
 * same keys: by its first non-blank byte) into the inventory: new hosts
 * added, known ones updated in place (what changed told), unchanged ones
 * left. A bad record is rejected (told, counted, and kept in the
 * quarantine with its file and line); the others are stored. One
 * transaction, an audit event asset.import by actor with the counts.
 * IRK_OK (some may be rejected: st->rejected), or an error for the file
 * as a whole (unreadable, no header, a column irk does not know). */
int asset_import(struct store *s, const char *actor, const char *path,
		void (*note)(enum asset_note kind, const char *msg, void *arg), void *arg,
		struct asset_import_stats *st, struct irk_err *err);

/* Write a as the members of an open JSON object: the import keys (ips
 * and tags as arrays, criticality a number or null when unknown), then
 * "source" and "fetched" (Unix seconds). */
void asset_json(struct jsonw *w, const struct asset *a);
/* Read an object asset_json() wrote (the cache). 0, or -1. Owned strings. */
int asset_from_json(const char *json, struct asset *out);

/* ---- sources -------------------------------------------------------------- */

struct context_sources;

/* The remote sources of cfg's [context.NAME] sections, in file order.
 * Errors name FILE:LINE (an unknown type or key, a bad number or rate).
 * *out is empty (not NULL) when there are none. Caller frees. */
int context_sources_load(const struct config *cfg, struct context_sources **out,
		struct irk_err *err);
void context_sources_free(struct context_sources **srcs);
int context_sources_count(const struct context_sources *srcs);

/* ---- an incident's context ---------------------------------------------------- */

/* A source that is failing, from its health. */
struct context_error {
	char *source, *error;
	int64_t since;             /* first failure in a row */
	int64_t last_ok;           /* its last good answer (0: never) */
};

/* A person: the user of the incident's first alert, as a user source
 * knows them (an http source with object = user). */
#define CONTEXT_USER_FIELDS(X) X(name) X(email) X(title) X(department) X(manager) X(phone)
#define CONTEXT_USER_NFIELDS 6
struct context_user {
#define X_USER_MEMBER(n) char *n;
	CONTEXT_USER_FIELDS(X_USER_MEMBER)
#undef X_USER_MEMBER
	char *source;
	int64_t fetched;
};
/* The field names, in order ({NULL}-ended); the index of one (-1 when
 * none); field i of u (NULL when unknown); where it is kept. */
extern const char *const context_user_fields[];
int context_user_field_find(const char *name);
const char *context_user_get(const struct context_user *u, int i);
char **context_user_field(struct context_user *u, int i);
void context_user_clear(struct context_user *u);

/* A ticket or a change from a ticket source (rt, jira). */
struct context_ticket {
	char *key, *title, *status, *source, *url;
	int64_t start, end;        /* a change's window (0: not set) */
	int64_t fetched;           /* when the source said so */
};

struct context {
	int has_asset;
	struct asset asset;        /* .source and .fetched say where from, when */
	int has_user;
	struct context_user user;  /* the user of its first alert */
	int stale;                 /* the asset's answer is past its ttl */
	struct context_error *errors;
	int nerrors;
	/* Active tickets mentioning its host, address, user or key; changes
	 * on them near its time, the one covering its first event first. */
	struct context_ticket *tickets, *changes;
	int ntickets, nchanges;
	int planned;               /* changes[0] covers the first event */
	int stale_tickets;         /* some ticket answer is past its ttl */
};

/* The incident's keys for a lookup, in order: its host, then its source
 * address (when an address and not the host). Up to 2; returns how many. */
int context_keys(const struct incident *inc, const char *keys[2]);

/* inc's context from what is stored (the inventory first, by host then by
 * address; then each remote source's cached answer) and the sources'
 * health. Never talks to a source. srcs may be NULL (the inventory, then
 * the newest answer any source gave; no health).
 * context_clear() frees. */
int context_of(struct store *s, const struct context_sources *srcs,
		const struct incident *inc, struct context *out, struct irk_err *err);
void context_clear(struct context *c);
/* What the user sources said of user into c (has_user), from the cache
 * (srcs NULL: any source's newest answer); for a user known before its
 * incident is stored (a play's fields at ingest). */
int context_user_of(struct store *s, const struct context_sources *srcs, const char *user,
		struct context *c, struct irk_err *err);

/* The "context" object of irk context --json and irk show --json (irk(1)):
 * {"asset": {...} or null, "user": null, "tickets": [], "changes": [],
 * "errors": [{"source", "error", "since"}]}, as a value at w's position. */
void context_json(struct jsonw *w, const struct context *c);

/* One line about a failing source for people: "netbox unreachable since
 * 10:02 (timeout), showing values from 09:40" (the values part only when
 * shown_from is not 0). Outside text in it is not sanitized. */
void context_error_text(const struct context_error *e, int64_t shown_from, struct strbuf *out);

/* Feed c into incident id (see above) as the engine's actor, in one
 * transaction with its audit event; then the asset's addresses and its
 * contact's e-mail become observables with their provenance
 * ("context:NAME"). *changed (may be NULL) is set when a field changed. */
int context_apply(struct store *s, int64_t id, const struct context *c, int *changed,
		struct irk_err *err);

/* Ask the remote sources about inc's keys whose cached answer is missing
 * or past its ttl (all of them when force), honouring each source's
 * rate, backoff and concurrency; store the answers and the health. Waits
 * (bounded by the sources' timeouts and rate windows); for workers and
 * commands, never a screen's thread. IRK_OK even when sources fail (their
 * health says so). */
int context_refresh(struct store *s, const struct context_sources *srcs,
		const struct incident *inc, int force, struct irk_err *err);

/* Is t inside change c's window (start to end; a change without an end
 * lasts 24 hours)? */
int context_change_covers(const struct context_ticket *c, int64_t t);

/* What a ticket step asks of a ticket source (irk-play(5), kind ticket). */
struct context_ticket_req {
	const char *source;        /* a [context.NAME] of type rt or jira */
	const char *ticket;        /* comment on it; NULL: create one */
	const char *queue;         /* create: the RT queue or Jira project (NULL: the source's) */
	const char *type;          /* create, Jira: the issue type (NULL: Task) */
	const char *subject, *text;
};

/* Create the ticket or the comment q asks for; the ticket's key, url
 * and source into out (context_ticket_clear() frees). Bounded as every
 * call of the source; never retried after the server took it. */
int context_ticket_write(const struct context_sources *srcs, const struct context_ticket_req *q,
		struct context_ticket *out, struct irk_err *err);
void context_ticket_clear(struct context_ticket *t);

/* ---- the worker ------------------------------------------------------------- */

struct context_worker;

/* Threads with their own connections to db_path (as many as the largest
 * concurrency of srcs, at most 8) that refresh and apply the context of
 * the incidents asked for (context_worker_ask); with sweep_open (irk
 * serve), also of every new open incident as it comes, and of all open
 * ones every 10 minutes (what is fresh in the cache costs no request). Screens see its writes as other processes'
 * (store_data_version). srcs is borrowed for the worker's life; log (may
 * be NULL) gets what went wrong, from the worker's thread. NULL when the
 * thread cannot start. */
struct context_worker *context_worker_start(const char *db_path,
		const struct context_sources *srcs, int sweep_open,
		void (*log)(const char *line, void *arg), void *log_arg);
/* Queue incident id (force: even when the cache is fresh). Never waits. */
void context_worker_ask(struct context_worker *w, int64_t id, int force);
/* Stop (a request under way is cut off) and free. */
void context_worker_stop(struct context_worker **w);
/* Make every request of srcs under way, and the waits for its rate and
 * concurrency, give up now (the sources are being freed). */
void context_sources_cancel(const struct context_sources *srcs);

#endif
