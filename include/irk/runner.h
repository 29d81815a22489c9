/* runner.h: the step runners of the sequencer (src/engine/run_*.c), one
 * per automated step kind. The engine claims a step, hands it to
 * run_step() and records what comes back; tests call the runners directly.
 *
 *   exec     a program with an argv (posix_spawn, never a shell), a clean
 *            environment, a private working directory, a timeout that kills
 *            the whole process group, stdout and stderr captured (bounded)
 *   ansible  ansible-playbook with a temporary inventory and --extra-vars
 *            YAML whose strings are !unsafe (never templated by ansible)
 *   http     one request through libcurl (TLS verified unless the step says
 *            "insecure": true), status and JSON body recorded
 *   notify   messages into the outbox
 *   score    confidence 0-100 from the alert history, stored on the incident
 *   set      incident fields, through the lifecycle layer
 *   ticket   a ticket created in RT or Jira, or a comment on one (src/context)
 *
 * A runner never prints and never touches the terminal. What it records
 * (output, log, why) holds no secret: values of {{secret.NAME}} are
 * replaced by "(secret)" wherever they would appear. */
#ifndef IRK_RUNNER_H
#define IRK_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "irk/err.h"
#include "irk/expr.h"
#include "irk/strbuf.h"

struct store;
struct config;
struct step_row;

/* Limits (see irk(1) ENGINE). */
#define RUN_CAPTURE_MAX   (64 * 1024)        /* bytes kept of stdout, of stderr */
#define RUN_HTTP_MAX      (1024 * 1024)      /* default response size cap */

enum run_status {
	RUN_DONE = 0,        /* the step did what it says */
	RUN_FAILED,          /* it ran and failed (exit status, HTTP status, timeout) */
	RUN_CANCELLED,       /* stopped from outside: tick() or cancel_fd */
};

/* What a runner gets. Everything is borrowed for the duration of the call. */
struct run_env {
	struct store *s;               /* this thread's connection (score, set, notify) */
	const struct config *cfg;      /* NULL: defaults */
	const struct step_row *step;   /* kind, def, incident_id, step_id, attempts */
	const char *play_dir;          /* where relative playbooks are (NULL: cwd) */
	expr_lookup_fn lookup;         /* template fields (play_fields_lookup) */
	void *fields;
	/* Called about every tick_ms while a program or request runs; nonzero
	 * stops it (the lease was lost, the incident was closed). */
	int (*tick)(void *arg);
	void *tick_arg;
	int tick_ms;                   /* 0: 1000 */
	int cancel_fd;                 /* -1, or readable when everything must stop */
	const char *actor;             /* who runs it in the audit log (NULL: engine) */
	int in_tx;                     /* the caller holds a write transaction (notify) */
	/* A private directory (mode 0700) that programs run in, the caller's:
	 * the runner leaves it in place and the caller empties it after the
	 * step. NULL: each run makes its own and removes it afterwards
	 * (removing a directory costs a third of a millisecond on ext4). */
	const char *workdir;
};

struct run_result {
	int status;                    /* enum run_status */
	int permanent;                 /* a retry cannot help (bad definition, template) */
	int timed_out;                 /* failed because its time ran out */
	struct strbuf output;          /* JSON object: what later steps read */
	struct strbuf log;             /* JSON object: what happened (for people) */
	char why[512];                 /* one line: why it failed or was cancelled */
	int64_t ms;                    /* how long it ran */
};

void run_result_init(struct run_result *r);
void run_result_free(struct run_result *r);

/* Run the step env->step (an automated kind) and fill *r. Returns r->status.
 * A step whose definition or templates are wrong fails permanently. */
int run_step(const struct run_env *env, struct run_result *r);

/* What the engine knows of a kind it runs, as a tig view has its
 * view_ops: each run_NAME.c exports its ops (run_NAME_ops), and run.c's
 * table has a row for each automated kind of IRK_STEP_KINDS. */
enum run_ops_flag {
	RUN_PROGRAMS = 1 << 0,         /* runs programs: a private working directory
	                                * and the play's directory (relative paths) */
	RUN_IN_TX    = 1 << 1,         /* what it writes commits with the step's new
	                                * state, in one transaction (env->in_tx) */
};
struct run_ops {
	unsigned flags;                /* enum run_ops_flag */
	int (*run)(const struct run_env *env, struct run_result *r);
};
/* The ops of kind k (enum step_kind), or NULL when the engine does not run
 * steps of that kind (a person's, or out of range). */
const struct run_ops *run_ops_of(int k);

/* The runners, by kind (run_step() dispatches through run_ops_of()). */
int run_exec(const struct run_env *env, struct run_result *r);
int run_ansible(const struct run_env *env, struct run_result *r);
int run_http(const struct run_env *env, struct run_result *r);
int run_notify(const struct run_env *env, struct run_result *r);
int run_score(const struct run_env *env, struct run_result *r);
int run_set(const struct run_env *env, struct run_result *r);
int run_ticket(const struct run_env *env, struct run_result *r);
int run_open(const struct run_env *env, struct run_result *r);

/* Load libcurl and run its global set-up, once per process; call before
 * starting threads (run_http() calls it too). NULL, or why libcurl could
 * not be loaded (http steps then fail with that reason). */
const char *run_http_global_init(void);

/* The confidence model of score steps (irk(1) ENGINE), separated from the
 * store so it can be tested alone. */
struct score_input {
	int severity;                  /* enum severity */
	int asset_criticality;         /* 0 unknown, 1..4 */
	int64_t host_alerts;           /* alerts of the rule on this host in the window */
	int64_t peer_hosts;            /* other hosts of its group where the rule fired */
	int64_t other_hosts;           /* hosts outside its group where the rule fired */
	int64_t closed, dismissed;     /* closed incidents of the rule; false-positive or benign */
};
struct score_parts {
	int severity, criticality, repeat, peers, spread, dismissed;
	int total;                     /* clamped to 0..100 */
};
void run_score_compute(const struct score_input *in, struct score_parts *out);

#endif
