/* kpi.h: incident-response KPIs computed from what happened: the
 * incidents' times, their stage history, their steps and the play
 * versions. irk-kpi(7) defines every figure with the timestamps it reads.
 *
 * A period is the incidents detected in [since, until); each counts with
 * its whole life (a move after until still counts). A figure an incident
 * lacks the timestamp for (not acknowledged yet, never contained) counts
 * as missing, never as zero; an interval that ends before it starts (a
 * sensor's clock ahead) counts as missing too. Durations are whole
 * seconds: the median and the 90th percentile by nearest rank (the lower
 * middle value of an even count), the mean rounded to the nearest second.
 *
 * The computation streams each table once (src/store/kpi.c), the stage
 * history on a thread of its own, and keeps a few words per incident of
 * the period: a recompute of a million incidents with 5.7 million moves
 * takes about 0.9 s of CPU on each of two threads (make bench, part kpi). */
#ifndef IRK_KPI_H
#define IRK_KPI_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/model.h"

struct store;
struct sla_policy;
struct jsonw;

/* What --by groups by: the enum, the word, its help. */
#define IRK_KPI_BY(X) \
	X(KPI_BY_NONE,     "",         "no grouping") \
	X(KPI_BY_UNIT,     "unit",     "business unit: the incident's business_unit field") \
	X(KPI_BY_CATEGORY, "category", "the incident's category") \
	X(KPI_BY_PRIORITY, "priority", "P1..P4 (the priority it has now)") \
	X(KPI_BY_SEVERITY, "severity", "low, medium, high, critical (as it is now)") \
	X(KPI_BY_PLAY,     "play",     "the play it follows") \
	X(KPI_BY_RULE,     "rule",     "the rule of its first alert") \
	X(KPI_BY_ANALYST,  "analyst",  "its owner") \
	X(KPI_BY_VECTOR,   "vector",   "how it got in (the vector field)") \
	X(KPI_BY_SOURCE,   "source",   "who or what (the threat_source field)") \
	X(KPI_BY_CAUSE,    "cause",    "why it was possible (the root_cause field)") \
	X(KPI_BY_MONTH,    "month",    "month of detection, local time (2026-11)") \
	X(KPI_BY_WEEK,     "week",     "ISO week of detection, local time (2026-W47)")

#define X_ENUM3(e, n, h) e,
enum kpi_by { IRK_KPI_BY(X_ENUM3) KPI_BY_COUNT };
#undef X_ENUM3

/* "unit"; "" for none or out of range. */
const char *kpi_by_name(int by);
/* The grouping of a word, or -1. */
int kpi_by_parse(const char *s);

/* One duration figure over a set of incidents: median, p90 and mean of
 * count values (meaningless when count is 0: shown as null); missing
 * counts the incidents that lack it. */
struct kpi_stat {
	int64_t median, p90, mean, count, missing;
};

/* The three SLA clocks, from detection: to acknowledged, contained,
 * resolved (sla.h's targets). */
enum kpi_clock { KPI_ACK, KPI_CONTAIN, KPI_RESOLVE, KPI_CLOCKS };
/* "acknowledge", "contain", "resolve". */
const char *kpi_clock_name(int c);

struct kpi_sla {
	int64_t met[KPI_CLOCKS];      /* reached within the target */
	int64_t breached[KPI_CLOCKS]; /* reached late, or not reached and past it */
	int64_t running[KPI_CLOCKS];  /* not reached, target still ahead */
	int64_t current[KPI_CLOCKS];  /* breached and still open: late right now */
};

/* Up to KPI_IDS incidents behind a figure (the lowest ids), and how many
 * there are in all. */
#define KPI_IDS 20
struct kpi_ids {
	int64_t n;
	int64_t id[KPI_IDS];
};

struct kpi_quality {
	int64_t closed, true_positive, false_positive, benign, duplicate;
	int64_t reopened;          /* incidents reopened at least once */
	int64_t back_moved;        /* incidents moved back at least once */
	int64_t forward_moves, forced_moves;   /* from the stage history */
};

struct kpi_work {
	int64_t effort_min;        /* the sum, minutes */
	struct kpi_stat effort;    /* minutes per incident; 0 recorded: missing */
	int64_t owned, analysts;   /* incidents with an owner; distinct owners */
	int64_t steps_done, automated_done;
	int64_t with_play;
	int64_t person_waiting;    /* steps waiting for a person now */
	struct kpi_stat person_wait;   /* due -> done, steps people did */
	struct kpi_stat waiting_age;   /* due -> now, steps still waiting */
	struct kpi_stat approval_wait; /* asked -> granted or denied */
	int64_t plays_revised;     /* plays given a new version after a true
	                            * positive of the period ran them (the
	                            * whole report only) */
};

/* What irk maturity counts, with the incidents that fall short. */
struct kpi_evidence {
	int64_t acknowledged, acknowledged_owned, with_unit, with_criticality, scored;
	int64_t tp_closed, tp_contained, tp_root_cause, tp_lessons;
	struct kpi_ids no_owner, no_play, no_unit, no_criticality, not_scored,
		tp_not_contained, tp_no_root_cause, tp_no_lessons, forced, false_positive,
		breached;
	struct kpi_ids late;       /* open, with a clock breached now */
};

struct kpi_group {
	char *key;                 /* the group's value; NULL: none (and the whole) */
	int64_t incidents, open, closed;
	struct kpi_stat mttd, mtta, mttc, mttr, ttc;
	struct kpi_stat stage[STAGE_COUNT];   /* time in each stage; closed unused */
	struct kpi_sla sla;
	struct kpi_quality quality;
	struct kpi_work work;
	struct kpi_evidence ev;
};

/* False positives of one rule or play (the whole report only). */
struct kpi_fp {
	char *key;
	int64_t closed, false_positive;
};

struct kpi_query {
	int64_t since, until;      /* [since, until); 0: no bound */
	int64_t now;               /* the clock for running SLAs and waits */
	int by;                    /* enum kpi_by */
	int catalog;               /* also the catalog (struct kpi_catalog) */
};

/* Seed 2's catalog metrics (irk-kpi(7), CATALOG), of the whole period. */
struct kpi_unit {
	char *key;                 /* the business unit; NULL: none recorded */
	int64_t incidents, true_positive;     /* targeting */
	int64_t violations, violations_confirmed;   /* policy/compliance */
	int64_t effort_min, effort_missing;   /* cost of response */
};

enum kpi_trend_field { KPI_TREND_CAUSE, KPI_TREND_SOURCE, KPI_TREND_VECTOR, KPI_TRENDS };
/* "root_cause", "threat_source", "vector". */
const char *kpi_trend_name(int f);

struct kpi_trend {
	char *key;                 /* the field's value; NULL: not recorded */
	int64_t total;
	int64_t *count;            /* per bucket of the catalog */
};

struct kpi_catalog {
	struct kpi_unit *units;    /* most incidents first, none last */
	size_t nunits;
	int weekly;                /* buckets are ISO weeks, else months */
	char (*bucket)[16];        /* "2026-W47" or "2026-11", in order */
	size_t nbuckets;
	struct kpi_trend *trend[KPI_TRENDS];   /* most first, none last */
	size_t ntrend[KPI_TRENDS];
};

/* Whether an incident of this category is a policy or compliance
 * violation: a category that begins with "policy" or "compliance". */
int kpi_is_violation(const char *category);

struct kpi_report {
	struct kpi_query q;
	struct kpi_group all;
	struct kpi_group *groups;  /* by key (none last); with q.by only */
	size_t ngroups;
	struct kpi_fp *by_rule, *by_play;   /* most false positives first */
	size_t nrule, nplay;
	struct kpi_catalog cat;    /* with q.catalog only */
};

/* Compute the KPIs of q's period with p's SLA targets into out (caller
 * frees with kpi_report_free()). Reads only; call outside any transaction
 * on s. The incidents, steps and plays are read in one read transaction
 * on s; the stage history in another, begun just after, on a second
 * (read-only) connection by a thread of its own (on s after the rest when
 * that connection cannot be opened): a move committed between the two
 * may show in one and not yet in the other until the next computation. */
int kpi_compute(struct store *s, const struct sla_policy *p, const struct kpi_query *q,
		struct kpi_report *out, struct irk_err *err);
void kpi_report_free(struct kpi_report *r);

/* A rate: part / whole, -1 when whole is 0 (no data: null). */
double kpi_rate(int64_t part, int64_t whole);
/* The SLA clocks met and breached, all three together. */
int64_t kpi_sla_met(const struct kpi_sla *s);
int64_t kpi_sla_breached(const struct kpi_sla *s);

/* The SLA clocks met of those that ended (met or breached), and the false
 * positives of the closed, of g: -1 when there are none. */
double kpi_sla_rate(const struct kpi_group *g);
double kpi_fp_rate(const struct kpi_group *g);
/* For people: the median as a duration ("3h05m"), "-" without values;
 * a rate as "57.5%", "-" when r < 0. Into buf; returns buf. */
char *kpi_fmt_median(const struct kpi_stat *st, char *buf, size_t n);
char *kpi_fmt_rate(double r, char *buf, size_t n);

/* The report as irk kpi --json prints it (irk(1), irk-kpi(7)): one
 * object, groups under "groups" when grouped. */
void kpi_json(const struct kpi_report *r, struct jsonw *w);
/* A rate or number into w: null when v < 0, else rounded to 4 decimals. */
void kpi_json_rate(struct jsonw *w, double v);

/* A bound of --since/--until: "-30d" (a duration before now: d, h, m,
 * s, w), "2026-11-01" (local midnight; as an until, the end of that day),
 * "2026-11-01T10:00" or any timestamp irk_time_parse() takes (no zone:
 * local time). 0 and *out set, or -1. */
int kpi_time_parse(const char *s, int64_t now, int until, int64_t *out);

#endif
