/* context_impl.h: shared by the files of src/context/ (and its tests). */
#ifndef IRK_CONTEXT_IMPL_H
#define IRK_CONTEXT_IMPL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>

#include "irk/context.h"
#include "irk/jdoc.h"

/* ---- asset fields (asset.c) -------------------------------------------------- */
const struct asset_field *asset_field_find(const char *name);
/* Set field f of a from text v (trimmed; lists normalised, addresses and
 * criticality checked). 0, or -1 with why. */
int asset_field_set(struct asset *a, const struct asset_field *f, const char *v,
		char *why, size_t n);
/* 1..4 or low/medium/high/critical; "" is 0 (unknown). 0 or -1. */
int asset_criticality_parse(const char *v, int *out);

/* ---- the rate limiter (rate.c) ------------------------------------------------- */
/* Up to RATE_WINDOWS limits ("120/min,5000/day"): at most n calls in any
 * `ms` milliseconds. The times of the last calls are kept per window (a
 * sliding log), in this process. */
#define RATE_WINDOWS 4
#define RATE_MAX_N 100000
struct rate {
	int nwin;
	struct rate_window {
		int64_t n, ms;
		int64_t *at;           /* ring of the last n call times */
		int64_t head, count;
	} win[RATE_WINDOWS];
	int64_t hold_until;        /* a server's Retry-After */
};
/* Parse "120/min,5000/day" (units s, min, h, day; also sec, minute,
 * hour, d). 0, or -1 with why. */
int rate_parse(struct rate *r, const char *spec, char *why, size_t n);
void rate_free(struct rate *r);
/* May a call go at now_ms? 0 (and it is counted), or how many ms to wait. */
int64_t rate_take(struct rate *r, int64_t now_ms);
/* The server said to wait until until_ms (Retry-After). */
void rate_hold(struct rate *r, int64_t until_ms);

/* ---- sources (context.c) and their kinds ------------------------------------------ */
struct context_source;

/* What a ticket source is asked about an incident (tickets.c): the
 * words its tickets would mention (its host, its source address, its
 * user, its key), and the time the change window is measured around. */
#define TICKET_TERMS 4
struct ticket_terms {
	const char *v[TICKET_TERMS];
	int n;
	int64_t at;                /* the incident's first event */
};

/* A growing list of tickets (owned strings). */
struct ticket_list {
	struct context_ticket *v;
	int n;
};
/* Append one (strings copied; NULL ones left NULL); returns it. */
struct context_ticket *ticket_list_add(struct ticket_list *l, const char *key, const char *title,
		const char *status, const char *url);
void ticket_list_clear(struct ticket_list *l);
/* Is change c in src's window around `at` (recent or upcoming)? */
int ticket_change_near(const struct context_source *src, const struct context_ticket *c,
		int64_t at, int64_t now);
/* The cache's form of an incident's tickets and changes, and back
 * (each with source and fetched set). 0, or -1 when json is not that. */
void tickets_cache_json(const struct ticket_list *tickets, const struct ticket_list *changes,
		struct strbuf *out);
int tickets_cache_read(const char *json, const char *source, int64_t fetched,
		struct ticket_list *tickets, struct ticket_list *changes);
/* A search term as it may go inside a quoted string of a query
 * language (TicketSQL, JQL): quotes, backslashes and control
 * characters dropped. */
void ticket_term(const char *term, struct strbuf *out);
/* What both ticket kinds do for an incident: search with query(...,0)
 * into tickets; with a changes queue, search with query(...,1) and keep
 * the changes near t->at. */
int ticket_search_both(struct context_source *src, const struct ticket_terms *t,
		void (*query)(const struct context_source *src, const struct ticket_terms *t,
			int changes, struct strbuf *q),
		int (*search)(struct context_source *src, const char *q, struct ticket_list *out,
			struct irk_err *err),
		struct ticket_list *tickets, struct ticket_list *changes, struct irk_err *err);
/* POST send (JSON) to the source's url + path; an answer other than 2xx
 * is an error "HTTP 400 from who". The answer's body into body. */
int ticket_post(struct context_source *src, const char *path, const char *send, const char *who,
		struct strbuf *body, struct irk_err *err);
/* What a write made, into out: key, the link url + link_path + link_key,
 * the subject as its title. */
void ticket_made(const struct context_source *src, const char *key, const char *link_path,
		const char *link_key, const char *subject, struct context_ticket *out);
/* The changes of all near `at` (or now), copied into changes. */
void ticket_keep_near(const struct context_source *src, const struct ticket_list *all, int64_t at,
		struct ticket_list *changes);
/* base url (no trailing '/') + path into out. */
void context_url_join(const struct context_source *src, const char *path, struct strbuf *out);
/* A ticket system's date ("2022-05-02T18:54:36Z", "2024-05-01"; RT's
 * 1970-01-01 is "not set") as Unix seconds, 0 when none. */
int64_t ticket_time(const char *s);

/* One kind of remote source (type = NAME), as one step kind is: a new
 * connector is one file with one of these and a row in context_kinds[].
 * A kind answers asset lookups (netbox, http), or ticket searches and
 * writes (rt, jira). */
struct context_kind {
	const char *name;
	/* The per-type keys it accepts beside the common ones, NULL-ended. */
	const char *const *keys;
	/* Look key (a host name or an address) up: the asset into out
	 * (source and fetched are set by the caller), IRK_NOTFOUND when the
	 * source knows nothing of it, another code with err naming the
	 * failure ("timeout", "HTTP 500", "not JSON"). */
	int (*asset)(struct context_source *src, const char *key, struct asset *out,
		struct irk_err *err);
	/* The active tickets mentioning any of t's terms into tickets, and
	 * the changes (src->changes: a queue or project) on them into
	 * changes. IRK_OK, or an error naming the failure. */
	int (*tickets)(struct context_source *src, const struct ticket_terms *t,
		struct ticket_list *tickets, struct ticket_list *changes, struct irk_err *err);
	/* Look user name up (a source with object = user): the person into
	 * out, IRK_NOTFOUND when unknown. */
	int (*user)(struct context_source *src, const char *name, struct context_user *out,
		struct irk_err *err);
	/* Create a ticket, or comment on q->ticket; what was made (key, url)
	 * into out. */
	int (*write)(struct context_source *src, const struct context_ticket_req *q,
		struct context_ticket *out, struct irk_err *err);
};
extern const struct context_kind context_kind_netbox, context_kind_http, context_kind_rt,
	context_kind_jira;

struct context_source {
	char *name;
	const struct context_kind *kind;
	const char *url, *token, *cafile;      /* borrowed from the config */
	int64_t ttl, timeout_ms, connect_ms, max_bytes, concurrency, backoff_max;
	int insecure;
	/* http: the answer's object (a dotted path, "" the root) and a path
	 * per asset field; the auth header's name and scheme. netbox: the
	 * custom fields that hold criticality and owner. */
	const char *root, *map[ASSET_NFIELDS], *header, *scheme;
	const char *crit_field, *owner_field, *unit_from;
	/* rt, jira: basic auth's user (the token its password), the queue or
	 * project tickets are searched in and created in (NULL: all; create
	 * needs one), that of changes, Jira's API (cloud or datacenter) and
	 * the fields of a change's window, how far around the incident
	 * changes are shown (seconds). */
	const char *user, *queue, *changes, *api, *start_field, *end_field;
	/* http with object = user: a user source, and the dotted path of each
	 * user field in its answer. */
	int is_user;
	const char *umap[CONTEXT_USER_NFIELDS];
	int64_t change_window;
	struct rate rate;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int inflight;
	const int *cancel;         /* the set's: nonzero, give up (atomic reads) */
};

struct context_sources {
	struct context_source *v;
	int n;
	int cancel;                /* context_sources_cancel() */
};

/* ---- users (user.c) ------------------------------------------------------------ */
/* The cache's form of a person, and back (0, or -1). */
void context_user_json_members(struct jsonw *w, const struct context_user *u);
int context_user_from_json(const char *json, struct context_user *out);

/* ---- HTTP (http.c) ---------------------------------------------------------------- */
/* GET url from src (its token in its auth header, its timeouts, size cap,
 * TLS settings, rate and concurrency: waits for both) into body. The
 * status into *status. IRK_OK for any answer with a status; an error
 * naming the failure ("timeout", "connection refused", "response larger
 * than N bytes", "redirect to another host refused") otherwise. */
int context_http_get(struct context_source *src, const char *url, struct strbuf *body,
		long *status, struct irk_err *err);
/* The same with a method and, when send is not NULL, a JSON body. */
int context_http_request(struct context_source *src, const char *method, const char *url,
		const char *send, struct strbuf *body, long *status, struct irk_err *err);
/* key %-escaped for a URL query into out. */
void context_url_escape(const char *key, struct strbuf *out);
/* Read d's value at path (dotted, as jdoc_path) as asset field text. */
int context_json_text(const struct jdoc *d, int tok, struct strbuf *out);

/* RT: the tickets of one answer of /REST/2.0/tickets into out. Jira: the
 * issues of one search page into out, and how the paging goes on (next:
 * Cloud's nextPageToken, owned; NULL on the last page). 0, or an error
 * naming what is wrong with the answer. */
int rt_parse_tickets(const struct context_source *src, const char *body, size_t len,
		struct ticket_list *out, struct irk_err *err);
struct jira_page {
	int n;                     /* issues on the page */
	int last;                  /* Cloud: isLast, or no nextPageToken */
	char *next;
	int64_t total;             /* Data Center: total */
};
int jira_parse_page(const struct context_source *src, const char *body, size_t len,
		struct ticket_list *out, struct jira_page *pg, struct irk_err *err);

/* NetBox: an asset from one device or VM object (a result of
 * /api/dcim/devices/ or /api/virtualization/virtual-machines/). */
int netbox_asset_from(const struct context_source *src, const struct jdoc *d, int obj,
		struct asset *out);

#endif
