/* play.h: plays, the DIM workflows that mix people and automation
 * (irk-play(5) is the reference for the file format).
 *
 *   src/play/play.c     parse and lint one play file (positions of errors)
 *   src/play/catalog.c  the plays loaded from the play directories, their
 *                       versions by content hash, and matching
 *   src/play/fields.c   the fields expressions and templates see
 *   src/play/plan.c     laying steps out for an incident and advancing them
 *   src/play/actions.c  what people do to steps (done, approve, deny, retry,
 *                       skip), each one transaction with its audit event
 *
 * Play files are read with jdoc (not jansson) because jdoc records the byte
 * offset of every value: lint can then name FILE:LINE:COLUMN for a semantic
 * error (a bad expression inside a string, an unknown step in needs) as
 * well as for a syntax error. Nothing here prints. */
#ifndef IRK_PLAY_H
#define IRK_PLAY_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/expr.h"
#include "irk/hash.h"
#include "irk/strbuf.h"

struct store;
struct config;
struct incident;
struct alert;
struct actor;
struct step_row;

/* Step kinds, one row each: the enum, the name, the name with its article
 * (for messages), the kind's ops table and its help line. What a kind
 * does is its ops: the keys it takes, its lint, its title when it has
 * none, what happens when it becomes due (src/play/kind_NAME.c, struct
 * play_kind_ops in src/play/kind.h); the engine runs an automated kind
 * through its runner (src/engine/run_NAME.c, struct run_ops in
 * irk/runner.h). README.md "The source tree" says how to add a kind. */
#define IRK_STEP_KINDS(X) \
	X(KIND_MANUAL,   "manual",   "a manual",    play_kind_manual, \
	  "a person does it, ticks a checklist and records inputs") \
	X(KIND_APPROVAL, "approval", "an approval", play_kind_approval, \
	  "a person with the given role grants or denies it") \
	X(KIND_EXEC,     "exec",     "an exec",     play_kind_exec, \
	  "run a program with an argv (never a shell)") \
	X(KIND_ANSIBLE,  "ansible",  "an ansible",  play_kind_ansible, \
	  "run an ansible playbook against hosts or a group") \
	X(KIND_HTTP,     "http",     "an http",     play_kind_http, \
	  "an HTTP(S) request; status and JSON body recorded") \
	X(KIND_NOTIFY,   "notify",   "a notify",    play_kind_notify, \
	  "a message to a role or a person, through the outbox") \
	X(KIND_SCORE,    "score",    "a score",     play_kind_score, \
	  "confidence 0-100 from the alert history") \
	X(KIND_SET,      "set",      "a set",       play_kind_set, \
	  "set incident fields") \
	X(KIND_TICKET,   "ticket",   "a ticket",    play_kind_ticket, \
	  "create a ticket in RT or Jira, or comment on one; key and URL recorded") \
	X(KIND_CONTEXT,  "context",  "a context",   play_kind_context, \
	  "look the asset, user, tickets and changes up now; later steps read them fresh") \
	X(KIND_OPEN,     "open",     "an open",     play_kind_open, \
	  "open an incident for each host a template lists, linked as children")

#define X_KIND(e, n, an, ops, h) e,
enum step_kind { IRK_STEP_KINDS(X_KIND) KIND_COUNT };
#undef X_KIND

/* What a kind of step is (its ops' flags), for the layers that treat
 * steps by what they are rather than by name. */
enum step_kind_flag {
	STEP_KIND_AUTOMATED = 1 << 0,  /* the engine runs it (it has a runner) */
	STEP_KIND_INPUTS    = 1 << 1,  /* a person does it: a checklist, inputs */
	STEP_KIND_DECIDED   = 1 << 2,  /* granted or denied by a role, never done */
};

/* "exec"; "?" when out of range. */
const char *step_kind_name(int k);
/* With its article, for messages: "an exec", "a manual"; "a ?" when out
 * of range. */
const char *step_kind_an(int k);
/* Its help line; "" when out of range. */
const char *step_kind_help(int k);
/* The kind for a name, or -1. */
int step_kind_parse(const char *s);
/* Nonzero when the engine runs steps of this kind. */
int step_kind_automated(int k);
/* Nonzero when kind k has every flag of flags (enum step_kind_flag); 0
 * when out of range. */
int step_kind_has(int k, unsigned flags);
/* The names of every kind, "manual, approval, ...", appended to out. */
void step_kind_names(struct strbuf *out);

/* Defaults (seconds) when a step does not say. */
#define PLAY_TIMEOUT_EXEC    300
#define PLAY_TIMEOUT_ANSIBLE 1800
#define PLAY_TIMEOUT_HTTP    30
#define PLAY_BACKOFF         30
#define PLAY_BACKOFF_MAX     3600
#define PLAY_SCORE_WINDOW    (7 * 86400)
#define PLAY_MAX_FILE        (1024 * 1024)
/* Who the engine acts as in the audit log. */
#define PLAY_ENGINE_ACTOR    "engine"

/* ---- diagnostics ----------------------------------------------------- */
struct play_diag {
	char *file;                /* as given to the parser */
	int line, col;             /* from 1; col in UTF-8 characters */
	int warning;               /* 0: an error */
	char *msg;
};
struct play_diags {
	struct play_diag *v;
	size_t n, cap;
	int errors, warnings;
};
#define PLAY_DIAGS_INIT { NULL, 0, 0, 0, 0 }
void play_diags_free(struct play_diags *d);
/* Add a diagnostic (line and col from 1; 0 when unknown): lint's own,
 * and what only a front end can check (the users of a database). */
void play_diags_add(struct play_diags *d, const char *file, int line, int col,
		int warning, const char *msg);
/* "FILE:LINE:COL: message" or "FILE:LINE:COL: warning: message" (not
 * sanitized: the front end sanitizes what it prints). */
void play_diag_format(const struct play_diag *d, struct strbuf *out);

/* ---- one play --------------------------------------------------------- */
struct play_step {
	char *id;
	int kind;                  /* enum step_kind */
	int stage;                 /* enum stage */
	int required, retry;
	char *title;
	int *needs;                /* indexes of earlier steps */
	int nneeds;
	char *def;                 /* the step object as canonical JSON */
};

enum play_storm { PLAY_STORM_CONF, PLAY_STORM_ON, PLAY_STORM_OFF };

struct step_def;
struct play {
	char *id, *name, *version, *description, *category;
	int severity;              /* enum severity, or -1 when not given */
	int priority;              /* matching order, higher first (default 0) */
	int storm;                 /* its "storm" key: enum play_storm */
	int64_t storm_threshold;   /* PLAY_STORM_ON: this threshold (0: irk.conf's) */
	char *match_src;
	struct expr *match;
	struct play_step *steps;
	int nsteps;
	char *path;                /* the file */
	char *dir;                 /* its directory (relative playbooks) */
	char *source;              /* the file's bytes, NUL-terminated */
	size_t source_len;
	char hash[IRK_SHA256_HEX]; /* SHA-256 of the bytes: the version's identity */
	int origin;                /* index of its directory in the search order */
	struct step_def *plan_defs;   /* the steps' definitions as the planner reads
	                               * them, parsed once (src/play only) */
};

/* Parse and lint a play from src[0..n) (path names it in diagnostics).
 * Every problem goes to d with its position. *out is the play when there
 * was no error (warnings allowed), else NULL. Returns IRK_OK or
 * IRK_INVALID. */
int play_parse(const char *path, const char *src, size_t n, struct play **out,
		struct play_diags *d);
/* Read path (at most PLAY_MAX_FILE bytes) and parse it. An unreadable file
 * is one diagnostic at 0:0. */
int play_load_file(const char *path, struct play **out, struct play_diags *d);
void play_free(struct play **p);
/* The index of step id in p, or -1. */
int play_step_index(const struct play *p, const char *id);
/* What an automated step's failure (after its retries) leads to, its
 * "on_failure" key (irk-play(5) FAILURE). */
enum play_on_failure {
	ON_FAILURE_STOP,          /* (absent) failed; the steps that need it wait */
	ON_FAILURE_CONTINUE,      /* failed; the steps that need it go on */
	ON_FAILURE_SKIP,          /* skip-dependants: the steps that need it are skipped */
	ON_FAILURE_WAIT,          /* wait-for-person: waiting, a person retries or skips */
	ON_FAILURE_GOTO,          /* goto:ID: the steps that need it are skipped, but ID */
};
/* Parse an on_failure value s (NULL: absent, ON_FAILURE_STOP); the step
 * id of goto:ID into target (n bytes; may be NULL). -1 when s is none of
 * them. */
int play_on_failure_parse(const char *s, char *target, size_t n);

/* ---- the catalog ------------------------------------------------------ */
struct play_catalog {
	struct play **v;           /* in matching order */
	size_t n;
	struct play_diags diags;   /* problems of files that were not loaded */
	char **dirs;               /* the directories searched, in order */
	size_t ndirs;
	struct play_match_cache *cache;   /* play_catalog_match()'s; NULL until used */
};

/* The play directories, in order: each of $IRK_PLAYS (colon-separated),
 * each of plays.path from the config, then the bundled plays
 * (IRK_DATADIR/plays, or plays/ beside the irk binary when running from a
 * build tree). Missing directories are skipped. A play id found again in a
 * later directory is ignored (a local copy overrides a bundled play).
 * Matching order: higher `priority` first, then earlier directory, then
 * play id. Files with errors are not loaded; their diagnostics are kept in
 * c->diags. Returns IRK_OK (even when some files had errors). */
int play_catalog_load(struct play_catalog *c, const struct config *cfg, struct irk_err *err);
void play_catalog_free(struct play_catalog *c);
const struct play *play_catalog_find(const struct play_catalog *c, const char *id);
/* Record every loaded version in the store (by hash). Opens its own
 * transaction unless one is open. */
int play_catalog_register(struct store *s, const struct play_catalog *c, struct irk_err *err);
/* Record p's version in the store (by hash) with its steps' definitions,
 * unless known; inside a transaction. */
int play_record(struct store *s, const struct play *p, struct irk_err *err);
struct play_fields;
/* The first play of c whose match holds over f, or NULL. The answer is
 * kept per distinct values of the fields the catalog's matches read (a
 * storm of one rule runs its regexes once), unless a match reads the
 * whole raw record (alert.raw), which differs from alert to alert. */
const struct play *play_catalog_match(struct play_catalog *c, struct play_fields *f);

/* ---- fields of expressions and templates ------------------------------ */
struct play_fields;
/* A lookup context over an incident (borrowed), its first alert (copied),
 * and, when s is given, the incident's steps (read lazily). Caller frees
 * with play_fields_free(). */
struct play_fields *play_fields_new(struct store *s, const struct incident *inc,
		const struct alert *a);
void play_fields_free(struct play_fields **f);
/* Forget the cached steps (after a step changed). */
void play_fields_reset_steps(struct play_fields *f);
/* The expr_lookup_fn over a struct play_fields (see irk-play(5) FIELDS). */
int play_fields_lookup(void *fields, const char *name, struct expr_value *out);
/* Lint: NULL when name is a field a step at index `at` may use (-1: the
 * play's match), else why not ("unknown field 'alert.hots'"), in buf. */
const char *play_field_check(const struct play *p, int at, const char *name,
		char *buf, size_t n);
/* The host an alert or incident is about (asset.host): host when it is a
 * name; when it is an address, the internal one (ip_is_internal: RFC 1918,
 * CGNAT, loopback, link-local, IPv6 ULA) of dst and src in that order,
 * else host. Ingest already picks the affected host by the same rule
 * (irk(1) AFFECTED HOST); this keeps older incidents right. For an
 * incident, dst is NULL (its host is the alert's). Borrowed from the
 * arguments; NULL when host is empty and no address is internal. */
const char *play_asset_host(const char *host, const char *src, const char *dst);
/* The group of a host: its name without a trailing number (web-01 and
 * web-02 are both in group web). Into buf; "" when host is empty or an
 * IPv4 or IPv6 address (an address has no group: asset.group is then
 * missing, and the score step counts no peers). */
char *play_host_group(const char *host, char *buf, size_t n);

/* ---- the inputs of a manual step (src/play/inputs.c) -------------------- */
/* One input a step declares (irk-play(5) "inputs"). */
struct play_input {
	char *name;
	char *label;               /* NULL when none */
	int required;
	char **choices;            /* the values allowed, in order (nchoices of them) */
	int nchoices;              /* 0: any value (unless a pattern says) */
	char *pattern;             /* a POSIX extended regex the whole value must
	                            * match; NULL: any */
};
struct play_inputs {
	struct play_input *v;
	int n;
};
/* The inputs a step definition declares (def_json: the JSON of
 * step_row.def or play_step.def), in order; none when it declares none or
 * is not JSON. Free with play_inputs_free(). For the front ends: what to
 * ask for, and what to offer (the choices). */
void play_inputs_parse(struct play_inputs *in, const char *def_json);
void play_inputs_free(struct play_inputs *in);
/* The declared input called name (borrowed from in), or NULL. */
const struct play_input *play_inputs_find(const struct play_inputs *in, const char *name);
/* The choices of in as "yes, no", appended to out. */
void play_input_choices(const struct play_input *in, struct strbuf *out);
/* Does value fit input in? IRK_OK with *canon the value to record (a
 * choice as declared, whatever its case in value; else value itself,
 * borrowed from in or value); IRK_INVALID with err saying why, listing
 * the choices or giving the pattern ("input compromised is 'maybe'; it
 * must be one of: yes, no"). An empty value fits (whether the input is
 * required is play_step_done()'s rule). A front end may call it as the
 * analyst types; play_step_done() applies it to every input. */
int play_input_check(const struct play_input *in, const char *value, const char **canon,
		struct irk_err *err);

/* ---- planning ----------------------------------------------------------- */
/* Give inc the play (inside the caller's transaction): record the version
 * on the incident (play, play_version, category, severity), lay out the
 * steps as pending and advance them. Audited as play.assign by actor. */
int play_assign(struct store *s, const struct play *p, struct incident *inc,
		const struct alert *a, const char *actor, struct irk_err *err);
/* Give incident id the play p, as who (the holder's rule applies;
 * audited as play.assign), in a transaction of its own. An incident that
 * runs another play changes to p: its old steps that did not finish are
 * cancelled ("cancelled: the play changed to p"), kept under ids
 * prefixed with the old play's ("phishing/triage"), and play.change is
 * audited with the reason; once any of its steps ran (done, failed, or
 * skipped by a person) that takes a senior (IRK_REFUSED) and a reason
 * (IRK_INVALID with NEED_REASON), and a running step must end
 * first. An incident that runs p already is refused, as is a closed one. */
int play_attach(struct store *s, const struct actor *who, int64_t id, const struct play *p,
		const char *reason, struct irk_err *err);
/* The ingest hook (ingest_opts.on_new_incident): arg is a struct
 * play_catalog; the first play whose match holds is assigned to the
 * stored incident. */
/* ingest_opts.storm_of (storm.h): what the play an incident of alert a
 * would get says of storm grouping (its "storm" key); arg is a struct
 * play_catalog. */
int play_storm_of(const struct alert *a, void *arg, int64_t *threshold);
int play_on_new_incident(struct store *s, struct incident *inc, const struct alert *a,
		void *arg, struct irk_err *err);
/* The ingest hook that opens an incident (ingest_opts.open_incident): arg
 * is a struct play_catalog. The first play whose match holds is chosen
 * before anything is written (play_catalog_match: a match sees the
 * incident as it opens, stage new, without its key), the incident is
 * stored with it (incident_open(), which gets actor and source_json), and
 * its steps are laid out and planned in memory: each row written once.
 * The events are those of play_on_new_incident(). */
int play_open_incident(struct store *s, const char *actor, struct incident *inc,
		const struct alert *a, const char *source_json, void *arg,
		struct irk_err *err);
/* Advance an incident's steps inside the caller's transaction: a pending
 * step whose stage is reached and whose needs are done evaluates its
 * `when`: false skips it; true makes it ready (automated) or waiting (a
 * person's step; an approval records who asked: actor unless it is the
 * engine, when nobody did: the play asked). An approval that becomes
 * due is a message to its role; a required step that fails, one to the
 * incident's holder and to role:senior. A pending step whose need was
 * skipped or denied is skipped. When the incident is closed, every step
 * not finished is skipped (cancelled). *changed (may be NULL) gets the
 * number of steps changed. */
int play_advance(struct store *s, int64_t incident_id, const char *actor, int *changed,
		struct irk_err *err);
/* Advance every incident whose stage moved since the planner last saw it
 * (moves, closes, reopenings: store_play_run_stale), at most limit; its
 * own transactions. */
int play_advance_stale(struct store *s, const char *actor, int64_t limit, int *changed,
		struct irk_err *err);

/* The gate of stage for inc: the required steps of that stage that keep
 * the incident from leaving it or passing over it, each with what it
 * waits for, ", "-separated into why ("purge (waits for approval by a
 * senior), clickers (waits for purge)"). Judged as the planner would: a
 * step that is done or skipped does not block, nor a denied approval (a
 * decision: its dependants are skipped), nor a pending step whose need
 * was skipped or denied or whose `when` is false now (a stage passed
 * over). Returns the number of blocking steps (0: open), -1 on error. */
int play_gate(struct store *s, const struct incident *inc, int stage, struct strbuf *why,
		struct irk_err *err);

/* Why each pending step of a stage inc has reached is still pending, as
 * the gate words it ("waits for isolate, which failed"): fn(step_id, why)
 * for each; nonzero from fn stops. */
int play_pending_each(struct store *s, const struct incident *inc,
		int (*fn)(const char *step_id, const char *why, void *arg), void *arg,
		struct irk_err *err);

/* May who grant approval r now: it waits, who has its role, and did not
 * ask for it? (The audit's earlier askers and deniers are
 * play_step_approve()'s to check.) */
int play_may_grant(const struct actor *who, const struct step_row *r);
/* The incidents with an approval who may grant (play_may_grant()): fn
 * once per incident id, in id order; nonzero from fn stops. */
int play_approvals_for(struct store *s, const struct actor *who,
		int (*fn)(int64_t id, void *arg), void *arg, struct irk_err *err);

/* ---- step changes ------------------------------------------------------- */
/* The audit event of a step's change from state `from` to step->state:
 * step.<state> with data {step, kind, from, to, attempt, why, by} (by:
 * step->done_by). For a change already written (the engine's claim);
 * play_step_record() writes and audits. Inside a transaction. */
int play_step_event(struct store *s, const char *actor, const struct step_row *step,
		int from, const char *why, struct irk_err *err);
/* Write a step's new state (after->state etc.) when its stored state is
 * still before_state, and append its audit event (play_step_event()).
 * Inside a transaction. */
int play_step_record(struct store *s, const char *actor, const struct step_row *after,
		int before_state, const char *why, struct irk_err *err);

/* What a person does to a step (play_step_may()). */
enum play_action { PLAY_DONE, PLAY_APPROVE, PLAY_DENY, PLAY_RETRY, PLAY_SKIP };
/* Would action (enum play_action) on step be allowed for who now, as far
 * as is known before anything is asked: the holder's rule (done, retry
 * and skip of an incident someone else holds are theirs or a senior's;
 * approvals are their role's), the step's state, a required step's skip
 * (seniors only), an approval's role and the two-person rule. IRK_OK, or
 * the refusal the action would give. Changes nothing. A front end asks
 * this before it prompts for a reason or inputs. */
int play_step_may(struct store *s, const struct actor *who, int64_t incident_id,
		const char *step, int action, struct irk_err *err);

/* What people do, each in one transaction that also advances the incident.
 * step is the play step id. Refusals (IRK_REFUSED / IRK_INVALID) say why. */
/* Finish a manual step (or a waiting automated step a person did by hand),
 * with inputs "name=value" (declared required inputs must be given). */
int play_step_done(struct store *s, const struct actor *who, int64_t incident_id,
		const char *step, char *const *inputs, int ninputs, struct irk_err *err);
/* Grant a waiting approval: the actor needs the step's role (admin counts
 * as senior) and must not be the person who asked for it. */
int play_step_approve(struct store *s, const struct actor *who, int64_t incident_id,
		const char *step, struct irk_err *err);
/* Deny it (reason required): the approval fails and the steps that need it
 * are skipped. */
int play_step_deny(struct store *s, const struct actor *who, int64_t incident_id,
		const char *step, const char *reason, struct irk_err *err);
/* Run a failed or waiting automated step again now (a denied approval is
 * asked again). */
int play_step_retry(struct store *s, const struct actor *who, int64_t incident_id,
		const char *step, const char *reason, struct irk_err *err);
/* Skip a step that has not finished (reason required; a required step only
 * by a senior). Steps that need it are skipped too. */
int play_step_skip(struct store *s, const struct actor *who, int64_t incident_id,
		const char *step, const char *reason, struct irk_err *err);

#endif
