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

/* One kind of remote source (type = NAME), as one step kind is: a new
 * connector is one file with one of these and a row in context_kinds[].
 * Part B (tickets and changes from RT and Jira) adds kinds with a
 * `tickets` operation beside `asset`. */
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
};
extern const struct context_kind context_kind_netbox, context_kind_http;

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

/* ---- HTTP (http.c) ---------------------------------------------------------------- */
/* GET url from src (its token in its auth header, its timeouts, size cap,
 * TLS settings, rate and concurrency: waits for both) into body. The
 * status into *status. IRK_OK for any answer with a status; an error
 * naming the failure ("timeout", "connection refused", "response larger
 * than N bytes", "redirect to another host refused") otherwise. */
int context_http_get(struct context_source *src, const char *url, struct strbuf *body,
		long *status, struct irk_err *err);
/* key %-escaped for a URL query into out. */
void context_url_escape(const char *key, struct strbuf *out);
/* Read d's value at path (dotted, as jdoc_path) as asset field text. */
int context_json_text(const struct jdoc *d, int tok, struct strbuf *out);

/* NetBox: an asset from one device or VM object (a result of
 * /api/dcim/devices/ or /api/virtualization/virtual-machines/). */
int netbox_asset_from(const struct context_source *src, const struct jdoc *d, int obj,
		struct asset *out);

#endif
