/* internal.h: shared by the files of src/engine/ only. */
#ifndef IRK_ENGINE_INTERNAL_H
#define IRK_ENGINE_INTERNAL_H

#include <stdarg.h>
#include <sys/types.h>

#include "irk/jdoc.h"
#include "irk/runner.h"
#include "irk/strbuf.h"

/* ---- child processes (proc.c) ------------------------------------------- */
struct proc_spec {
	char *const *argv;        /* argv[0] is an absolute path */
	char *const *envp;        /* the whole environment of the child */
	const char *cwd;          /* NULL: inherit */
	int64_t timeout_ms;       /* 0: none */
	int64_t grace_ms;         /* SIGTERM, then SIGKILL after this */
	size_t cap;               /* bytes kept of stdout, of stderr */
	int cancel_fd;            /* -1, or readable when the run must stop */
	int (*tick)(void *arg);   /* nonzero: stop */
	void *tick_arg;
	int tick_ms;
};

struct proc_result {
	pid_t pid;                /* also the process group */
	int spawn_errno;          /* posix_spawn failed: nothing ran */
	int status;               /* wait status of the child */
	int timed_out, cancelled;
	struct strbuf out, err;   /* at most cap bytes each */
	size_t out_total, err_total;
	int out_cut, err_cut;     /* more was written than out, err keep */
	int64_t ms;
};

/* Run a program in a new process group with stdin from /dev/null, its
 * output captured, no descriptor of ours inherited, every signal at its
 * default and none blocked. On timeout or stop the group gets SIGTERM,
 * then SIGKILL after grace_ms; whatever is left of the group when the
 * program ends is killed too. Returns 0, or -1 when it could not start
 * (r->spawn_errno). */
int proc_run(const struct proc_spec *spec, struct proc_result *r);
void proc_result_free(struct proc_result *r);
/* Make this process a child subreaper (the engine does, once): what a
 * program starts and leaves behind in another session becomes our child. */
void proc_reaper(void);
/* Kill every child of ours marked by a run that has ended (IRK_RUN in its
 * environment) and reap zombies; proc_run does it when a program ends, the
 * engine's keeper every round. */
void proc_sweep(void);
/* "exit status 3", "killed by SIGKILL" into buf. */
const char *proc_status_text(int status, char *buf, size_t n);
/* Find an executable program in path (colon-separated) unless name holds
 * a '/'. Into buf; NULL when not found. */
const char *proc_find(const char *name, const char *path, char *buf, size_t n);
/* Milliseconds of CLOCK_MONOTONIC. */
int64_t proc_mono_ms(void);

/* ---- the runners' ops (run_*.c), in run.c's table ------------------------ */
extern const struct run_ops run_exec_ops, run_ansible_ops, run_http_ops, run_notify_ops,
	run_score_ops, run_set_ops, run_ticket_ops, run_open_ops, run_context_ops;

/* ---- what every runner shares (run.c) ------------------------------------ */
struct run_ctx {
	const struct run_env *env;
	struct run_result *r;
	struct jdoc def;          /* the step definition; token 0 */
	char **secrets;           /* values looked up through secret.NAME */
	size_t nsecrets;
	int allow_secrets;        /* only while expanding headers and env */
	char workdir[4096];       /* private directory, removed afterwards */
	int borrowed;             /* workdir is env->workdir: the caller's to empty */
};

/* Parse the definition into c->def. -1 (r failed permanently) when bad. */
int run_ctx_init(struct run_ctx *c, const struct run_env *env, struct run_result *r);
/* run_ctx_init() for a step that works on its incident in the database
 * (notify, score): *inc is read. -1 (r failed) when it cannot be. */
struct incident;
int run_ctx_init_incident(struct run_ctx *c, const struct run_env *env, struct run_result *r,
		struct incident *inc);
/* Redact secrets from the result, remove the working directory, free. */
void run_ctx_free(struct run_ctx *c);
/* Mark the result failed with a reason; returns RUN_FAILED. */
int run_fail(struct run_result *r, int permanent, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Expand template src (what names it in errors: "argv[2]"). Caller frees;
 * NULL with the result failed permanently. */
char *run_expand(struct run_ctx *c, const char *src, const char *what);
/* The value at token tok as text: a string expanded (secret.NAME allowed
 * when secrets is set), a number or boolean as written. Caller frees;
 * NULL with the result failed permanently. */
char *run_expand_scalar(struct run_ctx *c, int tok, const char *what, int secrets);
/* Expand every string inside token tok (recursively) and append the value
 * as JSON to out. -1 (failed) on a template error. */
int run_expand_json(struct run_ctx *c, int tok, const char *what, struct strbuf *out);
/* run_expand_json() as YAML (flow style, which ansible reads) with every
 * string tagged !unsafe, so ansible never templates it. Numbers keep their
 * type. */
int run_expand_yaml_unsafe(struct run_ctx *c, int tok, const char *what, struct strbuf *out);
/* A duration field (number of seconds or "5m") in ms; def_s when absent. */
int64_t run_duration_ms(struct run_ctx *c, const char *key, int64_t def_s);
/* Is code in the definition's array key (ok_status, ok_exit)? 1 or 0;
 * -1 when the step has no such array (the kind's default applies). */
int run_code_ok(struct run_ctx *c, const char *key, long code);
/* A string field of the definition, or NULL. */
const char *run_str(struct run_ctx *c, const char *key);
/* c->workdir: env->workdir when given, else a new directory (mode 0700)
 * under engine.tmpdir, $TMPDIR or /tmp, removed by run_ctx_free(). */
int run_workdir(struct run_ctx *c);
/* Make a private directory (mode 0700) under engine.tmpdir, $TMPDIR or
 * /tmp into buf, named irk-step.PID.XXXXXX after this process. -1 with
 * errno (buf then names the parent) when it cannot. */
struct config;
int run_workdir_make(const struct config *cfg, char *buf, size_t n);
/* Remove the working directories that processes no longer running left
 * in that directory (killed mid-step, so nothing emptied them): those
 * named irk-step.PID.XXXXXX, of our uid, whose PID is not a live
 * process. Symlinks are not followed. Returns how many were removed. */
int run_workdir_sweep(const struct config *cfg);
/* Empty dir for the next step (nothing followed through symlinks).
 * 0 when it is again an empty directory of ours with mode 0700; -1 when
 * not: the caller removes it (run_rmtree) and makes another. */
int run_workdir_reset(const char *dir);
/* The engine's PATH and grace from the config. */
const char *run_path(const struct run_env *env);
int64_t run_grace_ms(const struct run_env *env);
/* The clean environment every child starts from: PATH, LANG, HOME and
 * TMPDIR (the private directory), IRK_INCIDENT, IRK_STEP, IRK_ATTEMPT.
 * Appends "NAME=value" strings (owned) to *v. */
void run_env_base(struct run_ctx *c, char ***v, size_t *n);
void run_strv_add(char ***v, size_t *n, char *s);
void run_strv_free(char **v, size_t n);
/* Run a program for the step: its timeout (default timeout_s), the engine's
 * grace, tick and cancel_fd. Sets r's status when it was stopped, timed
 * out (r->timed_out) or exited 0 and returns 0; returns 1 when it exited
 * otherwise (the caller says why it failed); -1 when it did not start. */
int run_program(struct run_ctx *c, char *const *argv, char *const *envp, const char *cwd,
		int64_t timeout_s, struct proc_result *p);
/* Write the captured streams of p into the log object w (an open object). */
struct jsonw;
void run_log_proc(struct jsonw *w, const struct proc_result *p);
/* Append text as the step output when it is a JSON object, else as
 * {"stdout": text}; a parse error is noted in *why_json (static or NULL). */
void run_output_text(struct strbuf *out, const char *text, size_t n, const char **why_json);
/* Replace the values of secrets in r's output, log and why by "(secret)". */
void run_redact(struct run_ctx *c);
/* How many bytes at the end of s[0..n) are the start of a secret: what a
 * cut in the middle of one leaves. 0 when none. */
size_t run_secret_tail(const struct run_ctx *c, const char *s, size_t n);
/* Replace every secret in a captured buffer by "(secret)", before any part
 * of it is taken (a line, the first N bytes): a secret cut in half would
 * no longer be found. cut: sb holds only the start of what was produced,
 * so a tail that starts a secret goes too. */
void run_redact_buf(const struct run_ctx *c, struct strbuf *sb, int cut);
/* Who the engine acts as for the lifecycle layer (a senior named
 * env->actor, default "engine"). */
struct actor;
void run_actor(const struct run_env *env, struct actor *a);
/* Remove a directory tree (not following symlinks). */
void run_rmtree(const char *dir);

#endif
