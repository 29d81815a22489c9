/* ingest.h: read alert streams into incidents (the Monitor and Analyse
 * steps of the loop).
 *
 * Input is JSON lines, read in bounded memory whatever its size. Each line
 * is parsed (format given or detected per line), normalised, de-duplicated
 * by fingerprint and correlated: it joins the newest open incident with the
 * same rule and the same host (or source IP) whose events lie within the
 * window, else it opens a new incident in stage new.
 *
 * Lines are parsed by a reader thread outside any transaction and
 * committed in batches (one transaction each, with one audit event
 * ingest.batch). A batch begins when half the read-ahead ring is parsed,
 * the input is quiet for INGEST_QUIET_MS, its oldest line has waited
 * INGEST_FLUSH_MS, or the input ends; it holds the write lock for at most
 * INGEST_TX_MS once another irk writer waits for it (INGEST_TX_MAX_MS
 * while none does) or o->batch lines, never while the input pauses, and the
 * next begins INGEST_GAP_MS later at the soonest, so other writers take
 * turns with a running stream. Error lines are reported only after their
 * batch is committed, so nothing reported is ever lost to a crash, and re-reading
 * the same input after a crash adds only what was not yet committed.
 * Rejected lines (malformed JSON, over the line limit, invalid UTF-8, no
 * usable time, unknown format) are kept in the quarantine with source,
 * line number and reason. Records of a known format that are not alerts
 * (a sensor's flow, dns, http... events) are skipped: counted, not
 * reported, and kept as sensor events when opts.keep names their type
 * (irk/sensor.h). */
#ifndef IRK_INGEST_H
#define IRK_INGEST_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "irk/alert.h"
#include "irk/err.h"
#include "irk/sensor.h"
#include "irk/storm.h"

struct store;
struct incident;

#define INGEST_MAX_LINE (1024 * 1024)
/* Alerts add at most this many observables of one type to one incident:
 * past that they are noise on the screen (a web scan's ten thousand URLs);
 * every value stays in its alert's raw record. */
#define INGEST_MAX_OBS_PER_TYPE 100
/* A live stream (tail -F | irk ingest -) is stored and its errors
 * reported within INGEST_QUIET_MS of the input going quiet, and within
 * INGEST_FLUSH_MS of arriving on a steady trickle. */
#define INGEST_QUIET_MS 60
#define INGEST_FLUSH_MS 500
/* The write lock is held at most this long by one batch while another
 * irk writer waits for it (store_writer_waiting)... */
#define INGEST_TX_MS 50
/* ...and at most this long while nobody does (a batch's commit rewrites
 * the random index pages it touched: fewer commits, fewer rewrites; less
 * than INGEST_FLUSH_MS, which it must keep)... */
#define INGEST_TX_MAX_MS 400
/* ...waiting at most this long for the next line before it commits
 * (INGEST_TX_IDLE_MS while nobody waits for the lock)... */
#define INGEST_TX_WAIT_MS 2
#define INGEST_TX_IDLE_MS 20
/* ...and let go at least this long before the next batch. */
#define INGEST_GAP_MS 3

struct ingest_opts {
	int format;                         /* enum alert_format or FMT_AUTO */
	const struct alert_mapping *map;    /* generic JSON mapping or NULL */
	int64_t window;                     /* correlation window, seconds */
	int batch;                          /* lines per transaction */
	unsigned keep;                      /* sensor event types kept (SENSOR_BIT mask) */
	int64_t keep_days;                  /* ...unless older than this many days (0: any age) */
	const char *actor;                  /* who ingests (audit) */
	FILE *errout;                       /* "SOURCE:LINE: reason" lines; NULL: silent */
	/* Opens each new incident, inside the batch transaction, with the
	 * alert that opens it: stores it with incident_open() (actor and
	 * source_json are for it) and whatever goes with it (plays: matched
	 * before it is written, play_open_incident()). NULL: incident_open()
	 * alone. Nonzero aborts. */
	int (*open_incident)(struct store *s, const char *actor, struct incident *inc,
			const struct alert *a, const char *source_json, void *arg,
			struct irk_err *err);
	/* Called for every new incident once it is open, inside the batch
	 * transaction, with the alert that opened it. Nonzero aborts. */
	int (*on_new_incident)(struct store *s, struct incident *inc,
			const struct alert *a, void *arg, struct irk_err *err);
	void *hook_arg;                     /* both hooks' arg */
	/* When set: a signal handler sets *stop (SIGINT, SIGTERM, installed
	 * without SA_RESTART), and the input ends there as at its end: what
	 * was read is committed and counted. NULL: signals as the caller
	 * has them. */
	volatile sig_atomic_t *stop;
	/* Storm grouping (storm.h): irk.conf's [ingest] storm keys, and what
	 * a play says (called with hook_arg; NULL: irk.conf alone). */
	struct storm_policy storm;
	storm_of_fn *storm_of;
};

struct ingest_stats {
	int64_t read;         /* records read (blank lines are not records) */
	int64_t added;        /* new alerts stored */
	int64_t duplicate;    /* already stored (same fingerprint) */
	int64_t skipped;      /* of a known format but not alerts (sensor events) */
	int64_t kept;         /* of those, kept (opts.keep) */
	int64_t rejected;     /* quarantined */
	int64_t unrecognised; /* of those, in no format auto-detection knows */
	int64_t incidents;    /* incidents opened */
};

/* Defaults: auto format, the window and batch of irk.conf's defaults
 * (config_settings(NULL)), actor from identity, errors to stderr. */
void ingest_opts_init(struct ingest_opts *o);

/* Ingest everything readable from fd, naming it source in messages and in
 * the quarantine. Statistics are added to *st. IRK_OK even when lines were
 * rejected (see st->rejected); an error only for a fatal problem (database,
 * read error), after committing what was done. */
int ingest_fd(struct store *s, int fd, const char *source,
		const struct ingest_opts *o, struct ingest_stats *st, struct irk_err *err);
/* Open path ("-" is standard input) and ingest it. */
int ingest_path(struct store *s, const char *path, const struct ingest_opts *o,
		struct ingest_stats *st, struct irk_err *err);

/* Ingest one record given in memory (demo generator, tests): same path as a
 * line of a file, in the caller's transaction when one is open. Returns
 * IRK_OK (added, duplicate or skipped: see st), IRK_INVALID (rejected and
 * quarantined) or an error. *incident_id (may be NULL) gets the incident. */
struct ingest_ctx;
struct ingest_ctx *ingest_begin(struct store *s, const struct ingest_opts *o);
int ingest_record(struct ingest_ctx *c, const char *line, size_t len, const char *source,
		int64_t lineno, struct ingest_stats *st, int64_t *incident_id,
		struct irk_err *err);
/* Flush pending incident updates (call before committing). */
int ingest_flush(struct ingest_ctx *c, struct irk_err *err);
/* The audit event ingest.batch for lines first_line..last_line of source,
 * with the counts of the batch (now minus before); nothing when no record
 * was read. Call after ingest_flush(), inside the batch transaction. */
int ingest_audit_batch(struct ingest_ctx *c, const char *source, int64_t first_line,
		int64_t last_line, const struct ingest_stats *before,
		const struct ingest_stats *now, struct irk_err *err);
void ingest_end(struct ingest_ctx **c);

/* ---- sensor events kept for context (irk/sensor.h, src/ingest/sensor_ctx.c) */
/* Rows one retention transaction deletes: a few milliseconds of the
 * write lock, as an ingest batch holds it. */
#define SENSOR_PRUNE_BATCH 500
/* Delete the kept events older than keep_days days before now, in
 * transactions of at most SENSOR_PRUNE_BATCH rows with INGEST_GAP_MS
 * between them, so other writers take turns; at most max_batches of them
 * (0: until none is left). *deleted gets how many went; *more (may be
 * NULL) is 1 when older ones remain. keep_days <= 0 deletes nothing. A run
 * that deleted any appends one audit event sensor.prune by actor:
 * {"deleted":N,"before":TIME}. */
int ingest_sensor_prune(struct store *s, const char *actor, int64_t now, int64_t keep_days,
		int max_batches, int64_t *deleted, int *more, struct irk_err *err);

/* The context of an incident: what the kept events of its hosts name,
 * from SENSOR_CONTEXT_MARGIN before its first event to as long after its
 * last. Its hosts are its host, its source IP and its ip observables (the
 * first STORE_SENSOR_ADDRS). At most limit lines, the most recent first
 * (store_sensor_context()); fn as there. */
#define SENSOR_CONTEXT_MARGIN (15 * 60)
#define SENSOR_CONTEXT_LINES 20
int ingest_sensor_context(struct store *s, const struct incident *inc, int limit,
		int (*fn)(const struct sensor_seen *e, void *arg), void *arg,
		struct irk_err *err);

#endif
