/* config.h: irk.conf (INI: [section], key = value, # comments).
 *
 * One table (config.c) lists every known key once, as calcurse does: the
 * typed field of struct config_settings it sets, its type (parser and
 * printer), its default and its help. The table drives loading, defaults,
 * `irk config show` and irk.conf(5)'s check; code reads the typed values
 * (config_settings()), never a default of its own. Unknown keys are errors
 * that name FILE:LINE. Sections [keys], [context], [users] and [secrets]
 * hold free-form keys. */
#ifndef IRK_CONFIG_H
#define IRK_CONFIG_H

#include <stdint.h>
#include "irk/err.h"
#include "irk/alert.h"
#include "irk/strbuf.h"

/* Every known setting, typed. Durations are in seconds unless named _ms;
 * strings are NULL when unset and borrowed until the config is freed. */
struct config_settings {
	struct {
		int64_t window;            /* correlation window, seconds */
		int64_t batch;             /* lines per transaction */
		const char *format;        /* default input format (a word) */
		const char *keep;          /* sensor event types kept (irk/sensor.h) */
		int64_t keep_days;         /* how long kept events stay */
		int storm;                 /* storm grouping on (1) or off */
		int64_t storm_threshold;   /* incidents a rule opens before its storm */
		int64_t storm_window;      /* ...within this many seconds */
	} ingest;
	struct alert_mapping mapping;      /* [mapping]: in use when .time is set */
	struct {
		int64_t ack[5], contain[5], resolve[5]; /* seconds, indexed by priority 1..4 */
		const char *business_hours; /* "Mon-Fri 08:00-18:00" (hours.h); NULL: calendar */
		const char *zone;          /* their tz database zone; NULL: local time */
	} sla;
	struct {
		int64_t period;            /* seconds of evidence irk maturity weighs */
		/* thresholds of the criteria (irk-kpi(7)): percentages, a count */
		int64_t owners, plays_managed, contained, forced, plays, units;
		int64_t sla, false_positives, automated, criticality, root_cause;
		int64_t lessons, play_changes, trend;
	} maturity;
	struct {
		int64_t time_limit_ms;     /* a query's time limit */
		int64_t row_limit;         /* rows a query reads at most */
	} query;
	struct {
		const char *theme;
		int mouse;                 /* 0 or 1 */
		int64_t refresh;           /* seconds */
	} ui;
	struct {
		int64_t lease;             /* seconds */
		int64_t workers;
		int64_t poll_ms, grace_ms;
		const char *path, *tmpdir, *ansible, *cafile, *proxy;
	} engine;
	struct {
		const char *anchor;        /* none or syslog */
		int64_t interval;          /* seconds between anchors from irk serve */
	} audit;
	struct {
		const char *path;
	} plays;
	struct {
		const char *jid, *password, *host, *room, *nick, *cafile;
		const char *tls;           /* "required" or "off" */
		int64_t port;
		int64_t lease;             /* seconds */
		int board;                 /* a board delivers too */
		const char *watch[5];      /* [xmpp] watch_pN by priority 1..4 */
	} xmpp;
};

struct config;

/* Defaults only. Caller frees with config_free(). */
struct config *config_new(void);
void config_free(struct config **c);

/* Read a file into c. A missing file is not an error when optional is set.
 * Errors name "FILE:LINE: reason". A file holding secrets ([xmpp] password,
 * [context.*] token) must not be group or world readable: refused. Nor
 * may any config file be writable by another user (irk_trusted_file). */
int config_load(struct config *c, const char *path, int optional, struct irk_err *err);

/* The typed settings of c; the defaults when c is NULL. Borrowed until c
 * is freed (the defaults: for the life of the process). */
const struct config_settings *config_settings(const struct config *c);

/* The value of section.key ("ingest.window") as text, or NULL when unknown
 * and not set. A known setting reads as `irk config show` prints it (what
 * irk understood: "90" for a duration reads "1m30s"). Borrowed until the
 * config is freed. */
const char *config_get(const struct config *c, const char *key);
/* A known number, duration (seconds; milliseconds for engine.poll and
 * engine.grace) or yes/no (1, 0), or a free-form value that is a whole
 * number; def when the key is unknown or its value is not a number. */
int64_t config_get_int(const struct config *c, const char *key, int64_t def);
/* Set a value (command-line overrides). Validated as config_load does. */
int config_set(struct config *c, const char *key, const char *value, struct irk_err *err);

/* The generic JSON field mapping from [mapping]; NULL when none is
 * configured (no [mapping] time). */
const struct alert_mapping *config_mapping(const struct config *c);

/* Free-form keys of a section ("keys"), in file order: calls fn for each,
 * with where it was set ("FILE:LINE", for messages; NULL when it did not
 * come from a file). */
void config_each(const struct config *c, const char *section,
		void (*fn)(const char *key, const char *value, const char *where, void *arg),
		void *arg);

/* Every known key with its current value, as `key = value  # help` lines.
 * Secrets show as "(set)". */
void config_dump(const struct config *c, struct strbuf *out);

/* Default config path: $XDG_CONFIG_HOME/irk/irk.conf or ~/.config/irk/irk.conf,
 * into buf. Returns buf. */
char *config_default_path(char *buf, size_t n);

#endif
