/* storm.h: storm grouping, ingest's correlation decision for alert storms
 * (src/ingest/storm.c; irk(1) STORM GROUPING).
 *
 * A scan or a worm fires one rule on thousands of hosts: one incident per
 * host would bury the board. So a rule may open storm_threshold plain
 * incidents whose first events lie within storm_window of an alert (before
 * or after it: alerts read in late count the same); the alert that
 * would open one more opens the rule's storm incident instead (storm
 * true, titled "RULE on N hosts"), and every later alert of the rule that
 * correlates with no incident of its own joins it: while it lies within
 * storm_window of the storm's alerts, or when its host is one of the
 * storm's hosts already. A rule has at most one open storm; when the
 * storm has gone quiet and the rule opens too many incidents again, the
 * same open storm takes them. Each host of a storm is an observable of
 * type host (the alert's host, else its source address), however many:
 * the cap of INGEST_MAX_OBS_PER_TYPE is for the other observables. The
 * count in the title is kept current once per batch. An analyst splits a
 * host out into an incident of its own with storm_split(). */
#ifndef IRK_STORM_H
#define IRK_STORM_H

#include <stdint.h>

#include "irk/alert.h"
#include "irk/err.h"
#include "irk/strbuf.h"

struct store;
struct incident;
struct actor;

struct storm_policy {
	int on;                    /* storm grouping on */
	int64_t threshold;         /* plain incidents a rule may open... */
	int64_t window;            /* ...within this many seconds (event time) */
};

/* What a play says for an alert (ingest_opts.storm_of): -1 nothing (irk.conf
 * decides), 0 off, 1 on; on, *threshold > 0 is the play's threshold
 * (0: irk.conf's). */
typedef int storm_of_fn(const struct alert *a, void *arg, int64_t *threshold);

/* The host an alert brings to a storm: its host, else its source address;
 * NULL when it has neither. Borrowed from a. */
const char *storm_member(const struct alert *a);

/* "ET SCAN Potential SSH Scan on 19,874 hosts" into out. */
void storm_title(struct strbuf *out, const char *base, int64_t hosts);
/* When title has that form: 1, with the length of its base and the count;
 * else 0 (someone renamed it: its title is theirs). */
int storm_title_parse(const char *title, size_t *base_len, int64_t *hosts);

/* Ingest's per-connection state. It caches what it read inside one
 * transaction: storm_forget() after each commit or rollback. */
struct storm;
/* of (may be NULL) is asked with arg before a rule's storm opens. */
struct storm *storm_new(const struct storm_policy *p, storm_of_fn *of, void *arg);
void storm_free(struct storm **st);
void storm_forget(struct storm *st);

/* An alert's correlation key as ingest makes it: "h", NUL, rule, NUL,
 * host (k[0]) and "s", NUL, rule, NUL, source address (k[1]), with its
 * hmap_hash(); len 0 when the alert has no such value. */
struct storm_key {
	const char *buf;
	size_t len;
	uint64_t h;
};
/* Correlation for a rule with a storm (its plain incidents are few and
 * read once a transaction): 1 with *id the open plain incident of rule
 * and host (else source address) whose events lie within window of t, or
 * 0 when there is none; 0 with *id 0 when it cannot tell (ask the
 * database); -1 on an error. */
int storm_correlate(struct storm *st, struct store *s, const char *rule,
		const struct storm_key k[2], int64_t t, int64_t window, int64_t *id,
		struct irk_err *err);
/* 1 when incident id is a storm, 0 when not, -1 on an error. */
int storm_is(struct storm *st, struct store *s, int64_t id);

enum storm_verdict { STORM_PLAIN, STORM_JOIN, STORM_OPEN, STORM_GATHER };
/* For an alert of rule that correlates with no incident: STORM_JOIN (*id
 * gets the storm), STORM_GATHER (the same, by a storm that had gone quiet
 * and whose rule opened too many incidents again: call storm_fold()),
 * STORM_OPEN (open the rule's storm incident, then call storm_opened() and
 * storm_fold()) or STORM_PLAIN (open an incident as always); -1 on an
 * error (err filled). */
int storm_decide(struct storm *st, struct store *s, const char *rule, const struct alert *a,
		int64_t *id, struct irk_err *err);
/* Make inc, about to be opened by an alert, its rule's storm: storm set,
 * titled "TITLE on 1 host", and no host or source address (a storm is
 * found by its rule and its hosts, never as the incident of one host). */
void storm_open_fields(struct incident *inc);
/* Incident id of rule was opened by an alert of time t: the rule's storm
 * (its title already counts that alert's host), or a plain incident when
 * storm is 0. */
void storm_opened(struct storm *st, const char *rule, int64_t id, int64_t t, int storm);
/* Alert a (stored as alert_id, at `at`) joined incident id: when id is a
 * storm, its host becomes one of the storm's hosts. */
int storm_note(struct storm *st, struct store *s, int64_t id, const struct alert *a,
		int64_t alert_id, int64_t at, struct irk_err *err);
/* A storm forms (STORM_OPEN, after storm_opened()) or takes its rule's
 * alerts again (STORM_GATHER): the rule's plain incidents with their first
 * event within storm_window of t that nobody touched
 * (store_storm_foldable_each()) fold into storm id (incident_fold(), by
 * actor): their hosts join it, they close as its duplicates. So the
 * board keeps the storm and the incidents people work on. *folded gets
 * how many. The caller's cached correlations may name the closed ones:
 * it forgets them. Inside the caller's transaction. */
int storm_fold(struct storm *st, struct store *s, const char *actor, const char *rule,
		int64_t id, int64_t t, int64_t *folded, struct irk_err *err);
/* Before the commit: the titles of storms that gained hosts. */
int storm_flush(struct storm *st, struct store *s, struct irk_err *err);

/* The hook a new incident gets (ingest_opts.on_new_incident). */
typedef int storm_new_incident_fn(struct store *s, struct incident *inc,
		const struct alert *a, void *arg, struct irk_err *err);
/* Split host out of storm incident id (one transaction): a new incident
 * in stage new, opened from the host's oldest alert (and given its play
 * by on_new with arg, as ingest does) takes every alert of the host and
 * the observables they gave; the host is no longer one of the storm's
 * hosts, whose title and counts follow. Audited as incident.split on the
 * storm and incident.open on the new one; *new_id gets it. Refused
 * (IRK_REFUSED) when id is not an open storm, IRK_NOTFOUND when it holds
 * no alert of host, IRK_REFUSED when someone else holds it and who is an
 * analyst. Later alerts of the host correlate with the new incident, as
 * with any incident. */
int storm_split(struct store *s, const struct actor *who, int64_t id, const char *host,
		storm_new_incident_fn *on_new, void *arg, int64_t *new_id, struct irk_err *err);

#endif
