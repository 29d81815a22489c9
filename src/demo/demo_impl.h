/* demo_impl.h: what the demo generator's three files share (private to
 * src/demo/; the public contract is include/irk/demo.h).
 *
 *   demo_world.c   the organisation, the rule sets and the kinds of things
 *                  that happen, with what analysts write about them
 *   demo_alerts.c  one alert as a JSON line in its source's format, and
 *                  the text templates
 *   demo.c         the simulation: the clock, the ingest feeds, the analysts
 */
#ifndef IRK_DEMO_IMPL_H
#define IRK_DEMO_IMPL_H

#include <stdint.h>

#include "irk/alert_parse.h"
#include "irk/strbuf.h"

/* ---- deterministic randomness (splitmix64) ------------------------------ */
struct demo_rng {
	uint64_t s;
};
uint64_t demo_rng_next(struct demo_rng *r);
/* Uniform in [0, 1). */
double demo_rng_unit(struct demo_rng *r);
/* Uniform integer in [lo, hi] (hi < lo gives lo). */
int demo_rng_range(struct demo_rng *r, int lo, int hi);
/* Nonzero with probability pct percent. */
int demo_rng_pct(struct demo_rng *r, int pct);
/* Log-normal around median (sigma in log space): waiting times. */
double demo_rng_lognormal(struct demo_rng *r, double median, double sigma);
/* A Poisson count with mean lambda (small lambda). */
int demo_rng_poisson(struct demo_rng *r, double lambda);
/* One string of a NULL-terminated list; NULL for a NULL or empty list. */
const char *demo_rng_pick(struct demo_rng *r, const char *const *list);

/* ---- the organisation ---------------------------------------------------- */
enum demo_unit { BU_FINANCE, BU_HR, BU_ENG, BU_SALES, BU_ITOPS, BU_WEB, BU_COUNT };

/* Host kinds, as bits so a kind of incident can name what it hits. */
enum {
	HK_WS      = 1 << 0,   /* Windows workstation */
	HK_LAPTOP  = 1 << 1,   /* Windows laptop (travels) */
	HK_WINSRV  = 1 << 2,   /* Windows server (domain controllers, ERP) */
	HK_LINUX   = 1 << 3,   /* internal Linux server */
	HK_DMZ     = 1 << 4,   /* Internet-facing Linux (VPN, mail, jump) */
	HK_WEB     = 1 << 5,   /* Internet-facing web server */
	HK_SCANNER = 1 << 6,   /* the vulnerability scanner */
	HK_CLOUD   = 1 << 7,   /* a cloud account (generic JSON source) */
	HK_DC      = 1 << 8,   /* a domain controller (also HK_WINSRV work) */
};

struct demo_host {
	const char *name, *ip;
	int unit;                  /* enum demo_unit */
	int kind;                  /* one HK_ bit */
	int crit;                  /* asset criticality 1..4 */
	const char *user;          /* the usual user of a workstation, or NULL */
};

extern const struct demo_host demo_hosts[];
extern const int demo_nhosts;
const char *demo_unit_name(int unit);
/* A host of one of the kinds in mask (never NULL: the first host when
 * nothing matches). */
const struct demo_host *demo_host_pick(struct demo_rng *r, int mask);
/* Staff names for alerts that are about a person. NULL-terminated. */
extern const char *const demo_staff[];

/* ---- rule sets ------------------------------------------------------------ */
struct demo_rule {
	int format;                /* enum alert_format */
	const char *id;            /* SID, Wazuh rule id, Elastic rule_id, Zeek note */
	const char *name;          /* signature / description / rule name / msg (placeholders) */
	const char *cat;           /* EVE classtype, Wazuh groups "a,b", ECS event.category */
	int level;                 /* EVE alert.severity, Wazuh rule.level, ECS risk score */
	const char *word;          /* EVE signature_severity, ECS / cloud severity word */
	const char *log;           /* full_log / message / Zeek sub (placeholders) */
	int proto_port;            /* destination port it is about (0: none) */
};

/* demo_rules[0] is a placeholder, so a zeroed phase ends a list. */
extern const struct demo_rule demo_rules[];
extern const int demo_nrules;

/* The layout of the demo's cloud audit records (generic JSON). */
extern const struct alert_mapping demo_mapping;

/* ---- kinds of incident ----------------------------------------------------- */
enum { W_ANY, W_OFFICE, W_WEEKLY };   /* W_WEEKLY: Tuesday night */

/* How the parties of an alert are laid out. */
enum {
	D_IN,          /* outside -> our host (src ext, dst host) */
	D_OUT,         /* our host -> outside */
	D_EXT,         /* only the outsider is named (Zeek guessing) */
	D_LOCAL,       /* an agent on the host, the outsider as data.srcip */
	D_HOSTONLY,    /* an agent on the host, no network party */
	D_SCAN,        /* our host scans other hosts of ours (the extras) */
	D_SPRAY,       /* our host -> another host of ours (the extras) */
	D_SENSOR,      /* about the sensor itself: no host at all */
};

enum {
	PH_BEACON   = 1 << 0,  /* periodic until contained (spread = period) */
	PH_MANY_SRC = 1 << 1,  /* a different outside address per alert */
	PH_MULTI    = 1 << 2,  /* one alert per extra host of the scenario */
	PH_TP       = 1 << 3,  /* only when the scenario is a true positive */
};

struct demo_phase {
	int rule;                  /* index into demo_rules; 0 ends the list */
	int dir;                   /* D_ */
	int min, max;              /* alerts in this phase (beacon: at most max) */
	int spread;                /* seconds they spread over (beacon: period) */
	int offset;                /* seconds after the scenario starts */
	int pct;                   /* chance the phase happens */
	int flags;                 /* PH_ */
};

#define DEMO_PHASES 4

/* One kind of thing that happens, and what the analysts write about it.
 * Text lists are NULL-terminated (NULL: the generic list); placeholders are
 * expanded by demo_expand(). A true positive goes through the stages in
 * path ('c'ontainment, 'e'radication, 'r'ecovery, 'l'essons-learned) after
 * identification and is then closed. */
struct demo_kind {
	const char *name;
	const char *category;      /* as the analyst files it */
	int when;                  /* W_ */
	double rate;               /* scenarios per weekday (W_WEEKLY: per week) */
	int targets;               /* HK_ mask */
	int hosts_max;             /* extras (PH_MULTI, D_SCAN, D_SPRAY): up to this many */
	int fp, benign;            /* percent; the rest are true positives */
	int tunable;               /* a false positive or benign one leads to rule tuning */
	const char *path;
	int tp_sev;                /* severity a true positive is raised to (-1 keep) */
	int reinfect;              /* percent of true positives seen again while open */
	int reopen;                /* percent of true positives seen again after closing */
	struct demo_phase ph[DEMO_PHASES];
	const char *summary;
	const char *const *triage, *const *contain, *const *eradicate,
		*const *recover, *const *lessons, *const *fp_note,
		*const *benign_note, *const *vector, *const *threat,
		*const *root, *const *reinfect_note;
};

extern const struct demo_kind demo_kinds[];
extern const int demo_nkinds;

/* Generic text, for kinds that leave a list NULL. */
extern const char *const demo_generic_triage[], *const demo_generic_contain[],
	*const demo_generic_eradicate[], *const demo_generic_recover[],
	*const demo_generic_lessons[], *const demo_generic_fp[],
	*const demo_generic_benign[], *const demo_generic_dup[],
	*const demo_generic_reinfect[], *const demo_generic_missed[], *const demo_generic_reopen[],
	*const demo_generic_tuned[], *const demo_generic_ack[];

/* The team. */
struct demo_analyst {
	const char *name;
	int role;                  /* enum role */
	double speed;              /* multiplies waiting times */
	double joins;              /* fraction of the period after which they start */
};
extern const struct demo_analyst demo_team[];
extern const int demo_nteam;

/* ---- one alert and its text -------------------------------------------------- */
struct demo_scen;

/* Everything the writers need about one alert. */
struct demo_shot {
	const struct demo_rule *rule;
	const struct demo_scen *sc;
	int dir;                   /* D_ */
	int64_t t;                 /* event time, seconds */
	int usec;                  /* and microseconds */
	const struct demo_host *host;  /* the agent / the host of ours (NULL: sensor) */
	const char *src, *dst;     /* addresses (may be NULL) */
	int sport, dport;
	const char *user;
	uint64_t id;               /* flow_id / event id / uid material */
	int seq;                   /* alerts of this scenario so far */
};

/* The things a scenario is about, shared by its alerts and notes. */
struct demo_scen {
	int kind;                  /* index into demo_kinds */
	const struct demo_host *host;
	const struct demo_host *extra[6];
	int nextra;
	char ext[16];              /* the outside party */
	const char *user;
	char domain[64], file[128], proc[48], hash[65], url[128];
	int engines, ticket, port;
	int outcome;               /* enum resolution decided at the start */
	int64_t start, stop;       /* beacons after stop are not sent (contained) */
	int64_t primary;           /* the incident worked for this scenario */
	int recur;                 /* the next new incident is a recurrence */
	int alerts;                /* alerts sent so far */
};

/* Expand tpl: {host} {ip} {ext} {user} {dom} {file} {proc} {hash} {url}
 * {bu} {eng} {port} {n} {key} {dup} {chg} {sd} {cnt} {hosts} {lead}
 * {peer}. Values not known expand to "?". */
struct demo_text {
	const struct demo_scen *sc;
	const struct demo_host *host;  /* the alert's host (defaults to sc->host) */
	const char *key, *dup, *lead, *peer;
	int64_t n;                     /* alerts in the incident */
	struct demo_rng *r;            /* for small varying numbers */
};
void demo_expand(struct strbuf *out, const char *tpl, const struct demo_text *tx);

/* ---- the play steps of an incident (demo_steps.c) ----------------------- */
struct demo_stepper {
	struct store *s;
	struct demo_rng *r;
	int64_t *now;                  /* the simulated clock: steps take a little time */
	int64_t end;                   /* ... but it never passes the end of the period */
	/* The value of input name (its label says what is wanted) of a manual
	 * step of incident id, appended to out. */
	void (*input)(void *arg, int64_t id, const char *name, const char *label,
			struct strbuf *out);
	void *arg;
	struct irk_err *err;
};
struct actor;
/* After a move, a close or an opening: advance the incident's play
 * (play_advance) and let the simulated sequencer finish its automated
 * steps. Nothing happens for an incident without a play. */
int demo_steps_advance(struct demo_stepper *w, int64_t id, const char *actor);
/* Before leaving stage: who does the people's steps of stages up to it
 * (manual steps done with inputs, approvals granted by a senior who did not
 * ask), the sequencer its steps, until nothing more can be done. */
int demo_steps_work(struct demo_stepper *w, int64_t id, int stage, const struct actor *who);

/* The alert as one JSON line in its rule's format (generic JSON in the
 * layout of demo_mapping). */
void demo_alert_json(struct strbuf *out, const struct demo_shot *a, struct demo_rng *r);

#endif
