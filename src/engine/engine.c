/* engine.c: the sequencer: worker threads that claim ready automated steps
 * with a lease, run them, record what happened and advance the incident.
 *
 * Exactly once. A step is claimed by one UPDATE ... WHERE state = 'ready'
 * inside BEGIN IMMEDIATE (store_step_claim), so of all the irk processes
 * on one database exactly one gets it. The claim sets a lease (owner and
 * expiry); the worker renews it while the step runs and checks, before it
 * records the result, that the step is still running under its own lease.
 * A process that dies leaves a lease that runs out: any engine then gives
 * the step back (retry left: ready again after a backoff) or hands it to a
 * person (waiting).
 *
 * Threads. Each worker has its own database connection. Workers sleep in
 * poll() on two eventfds (stop; "steps became ready here") with a timeout
 * of engine.poll, and only try to claim when the database changed
 * (PRAGMA data_version), something woke them or a retry fell due. A
 * keeper thread, every engine.poll, recovers expired leases, advances
 * incidents whose stage or state changed elsewhere (play_advance_stale)
 * and checkpoints the WAL, which the workers' commits leave to it. The UI
 * learns about changes through a third eventfd (engine_fd). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/engine.h"
#include "irk/identity.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/snapshot.h"
#include "irk/store.h"
#include "internal.h"

#define ENGINE_MAX_WORKERS 16
#define ENGINE_STALE_BATCH 100
#define ENGINE_EXPIRED_BATCH 32
#define ENGINE_CHECKPOINT_MS 1000
/* How often the keeper asks whether the KPI snapshot is current (two
 * index reads; snapshot.h says when it computes one). */
#define ENGINE_KPI_MS 1000

#define DIR_CACHE 16

struct dir_cache {
	char hash[IRK_SHA256_HEX];
	char *dir;
};

struct worker {
	struct engine *e;
	int n;
	pthread_t th;
	int started;
	struct store *s;
	char owner[128];              /* lease owner: host:pid:nonce/wN */
	int64_t idle_dv;              /* data_version when nothing was due */
	int idle;                     /* the last claim found nothing */
	struct dir_cache dirs[DIR_CACHE];
	int next_dir;
	/* Where this worker's programs run, emptied after each step: making
	 * and removing a directory per step cost more than the rest of the
	 * engine's work on a step. */
	char workdir[4096];
};

struct engine {
	char *db_path;
	const struct config *cfg;
	struct engine_opts opts;
	int nworkers;
	struct worker w[ENGINE_MAX_WORKERS];
	struct worker keeper;         /* leases, stale incidents, checkpoints */
	int stop_fd, wake_fd, notify_fd;
	atomic_int stopping;
	pthread_mutex_t mu;           /* log */
	int64_t lease_s, poll_ms, renew_ms;
	char host[256];               /* this machine, as lease owners name it */
	unsigned short nonce;         /* this engine's, in its owners' names */
};

/* A step being run by a worker. */
struct job {
	struct worker *w;
	struct step_row row;          /* owned copy of the claimed row */
	char key[24];
	int64_t next_renew;           /* monotonic ms */
	int lost;                     /* the lease is somebody else's now */
	int closed;                   /* the incident was closed meanwhile */
	int person;                   /* a person's step: not ours to run */
};

static void engine_log(struct engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void engine_log(struct engine *e, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!e->opts.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&e->mu);
	e->opts.log(e->opts.log_arg, line);
	pthread_mutex_unlock(&e->mu);
}

static void bump(int fd, uint64_t n)
{
	if (fd >= 0 && n && write(fd, &n, sizeof n) < 0 && errno != EAGAIN)
		return;
}

/* ---- owned step rows ------------------------------------------------------ */

/* A store callback keeping the (one) row it is lent. */
static int row_copy(const struct step_row *in, void *arg)
{
	store_step_row_copy(arg, in);
	return 1;
}

/* Seconds before attempt n+1 of a step: its backoff (default 30 s)
 * doubled per attempt, at most PLAY_BACKOFF_MAX. */
static int64_t backoff_s(const char *def, int attempts)
{
	struct jdoc d;
	struct jdoc_error je;
	int64_t b = PLAY_BACKOFF;
	int v;

	jdoc_init(&d);
	if (def && !jdoc_parse(&d, def, strlen(def), &je) &&
	    (v = jdoc_get(&d, 0, "backoff")) >= 0) {
		int64_t n;
		if (jdoc_type(&d, v) == JD_STRING ? !irk_duration_parse(jdoc_str(&d, v), &n) :
		    !jdoc_int(&d, v, &n))
			b = n > 0 ? n : b;
	}
	jdoc_free(&d);
	for (int i = 1; i < attempts && b < PLAY_BACKOFF_MAX; i++)
		b *= 2;
	return b < PLAY_BACKOFF_MAX ? b : PLAY_BACKOFF_MAX;
}

/* When the next attempt is due: times are whole seconds, so one more makes
 * the wait at least the backoff. */
static int64_t due_after(int64_t now, int64_t backoff)
{
	return now + backoff + 1;
}

/* ---- who is alive ------------------------------------------------------------- */

/* The nonces of the engines running in this process: a lease of this
 * process whose engine was stopped is an orphan, one of a running engine
 * is not. */
#define LIVE_MAX 16
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned short live_nonce[LIVE_MAX];
static int live_n;

static void live_add(unsigned short nonce)
{
	pthread_mutex_lock(&live_mu);
	if (live_n < LIVE_MAX)
		live_nonce[live_n++] = nonce;
	pthread_mutex_unlock(&live_mu);
}

static void live_remove(unsigned short nonce)
{
	pthread_mutex_lock(&live_mu);
	for (int i = 0; i < live_n; i++)
		if (live_nonce[i] == nonce) {
			live_nonce[i] = live_nonce[--live_n];
			break;
		}
	pthread_mutex_unlock(&live_mu);
}

static int live_has(unsigned nonce)
{
	int found = 0;

	pthread_mutex_lock(&live_mu);
	for (int i = 0; i < live_n && !found; i++)
		found = live_nonce[i] == nonce;
	pthread_mutex_unlock(&live_mu);
	return found;
}

/* 1 when the lease owner ("host:pid:nonce/wN") is an engine known to be
 * alive: one of this process still running, or a process of this machine
 * that still exists. A lease that ran out because its holder could not
 * reach a busy database is not a death. Owners of other machines are
 * judged by their lease alone. */
static int owner_alive(const struct engine *e, const char *owner)
{
	size_t hl = strlen(e->host);
	unsigned nonce;
	long pid;
	char *end;

	if (!owner || strncmp(owner, e->host, hl) || owner[hl] != ':')
		return 0;
	pid = strtol(owner + hl + 1, &end, 10);
	if (pid <= 0 || *end != ':' || sscanf(end + 1, "%4x", &nonce) != 1)
		return 0;
	if (pid == (long)getpid())
		return live_has(nonce);
	/* EPERM: another user's process, alive. */
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

/* ---- claiming --------------------------------------------------------------- */

/* Inside a write transaction: claim the oldest due step. 1 with j->row
 * filled, 0 when none, -1 on an error (the transaction must be rolled
 * back). */
static int claim_locked(struct worker *w, struct job *j, struct irk_err *err)
{
	int64_t now = irk_now();
	char why[160];
	int rc;

	memset(j, 0, sizeof *j);
	rc = store_step_claim(w->s, w->owner, now, now + w->e->lease_s, row_copy, &j->row, err);
	if (rc == IRK_NOTFOUND)
		return 0;
	snprintf(why, sizeof why, "claimed by %s", w->owner);
	/* The claim is store_step_claim's UPDATE; its event is written as
	 * every other change's. */
	if (rc || play_step_event(w->s, PLAY_ENGINE_ACTOR, &j->row, STEP_READY, why, err)) {
		store_step_row_clear(&j->row);
		return -1;
	}
	j->w = w;
	incident_key(j->row.incident_id, j->key, sizeof j->key);
	return 1;
}

/* After the claim committed. */
static void claimed(struct worker *w, struct job *j)
{
	struct engine *e = w->e;

	j->next_renew = proc_mono_ms() + e->renew_ms;
	bump(e->notify_fd, 1);
	engine_log(e, "%s %s (%s): running, attempt %d", j->key, j->row.step_id, j->row.kind,
		   j->row.attempts);
}

/* Claim in a transaction of its own. 1 with j->row filled, 0 when none. */
static int claim(struct worker *w, struct job *j)
{
	struct irk_err err = { 0 };
	int rc;

	memset(j, 0, sizeof *j);
	if (store_begin(w->s, &err)) {
		engine_log(w->e, "claiming: %s", err.msg);
		return 0;
	}
	rc = claim_locked(w, j, &err);
	if (rc <= 0 || store_commit(w->s, &err)) {
		store_rollback(w->s);
		if (rc)
			engine_log(w->e, "claiming: %s", err.msg);
		if (rc > 0)
			store_step_row_clear(&j->row);
		return 0;
	}
	claimed(w, j);
	return 1;
}

/* ---- while it runs ------------------------------------------------------------- */

/* Keep the lease; stop when it is lost or the incident was closed. */
static int job_tick(void *arg)
{
	struct job *j = arg;
	struct worker *w = j->w;
	struct engine *e = w->e;
	struct incident inc = { 0 };
	struct irk_err err = { 0 };
	int64_t now = proc_mono_ms();
	int rc;

	if (atomic_load(&e->stopping))
		return 1;
	if (now >= j->next_renew) {
		rc = store_step_renew(w->s, j->row.id, w->owner, irk_now() + e->lease_s, &err);
		if (rc == IRK_CONFLICT) {
			j->lost = 1;
			return 1;
		}
		/* A busy database: try again at the next tick, the lease has
		 * time left. */
		if (!rc)
			j->next_renew = now + e->renew_ms;
	}
	if (!store_incident_get(w->s, j->row.incident_id, &inc, NULL)) {
		j->closed = inc.stage == STAGE_CLOSED;
		incident_clear(&inc);
	}
	return j->closed;
}

/* ---- recording the result ------------------------------------------------------ */

/* Inside a write transaction: is the step still running under our lease?
 * Refreshes j->row. */
static int still_ours(struct worker *w, struct job *j)
{
	struct step_row now = { 0 };
	int ours;

	if (store_step_get(w->s, 0, NULL, j->row.id, row_copy, &now, NULL))
		return 0;
	ours = now.state == STEP_RUNNING && now.lease_owner && !strcmp(now.lease_owner, w->owner);
	store_step_row_clear(&now);
	return ours;
}

/* The on_failure of a step definition (enum play_on_failure). */
static int on_failure_of(const char *def)
{
	struct jdoc d;
	int how = ON_FAILURE_STOP;

	jdoc_init(&d);
	if (def && !jdoc_parse(&d, def, strlen(def), NULL))
		how = play_on_failure_parse(jdoc_str(&d, jdoc_get(&d, 0, "on_failure")), NULL, 0);
	jdoc_free(&d);
	return how;
}

/* Record r for the claimed step and advance the incident, inside the
 * caller's transaction. *changed gets the steps the planner moved. */
static int record(struct worker *w, struct job *j, const struct run_result *r, int *changed,
		  struct strbuf *what, struct irk_err *err)
{
	struct engine *e = w->e;
	struct step_row a = j->row;
	struct strbuf why = STRBUF_INIT;
	int64_t now = irk_now();
	int retry_left = j->row.attempts <= j->row.retry, rc;

	a.output = r->output.len ? r->output.buf : NULL;
	a.log = r->log.len ? r->log.buf : NULL;
	a.lease_owner = NULL;
	a.lease_until = 0;
	a.error = NULL;
	if (r->status == RUN_DONE) {
		a.state = STEP_DONE;
		a.t_end = now;
		if (r->ms < 1000)
			strbuf_printf(&why, "done in %lldms", (long long)r->ms);
		else
			strbuf_printf(&why, "done in %lld.%llds", (long long)(r->ms / 1000),
				      (long long)(r->ms % 1000 / 100));
	} else if (r->status == RUN_FAILED) {
		a.error = r->why;
		if (!r->permanent && retry_left) {
			int64_t b = backoff_s(j->row.def, j->row.attempts);
			a.state = STEP_READY;
			a.next_attempt = due_after(now, b);
			strbuf_printf(&why, "attempt %d of %d failed: %s; next in %llds",
				      j->row.attempts, j->row.retry + 1, r->why, (long long)b);
		} else if (on_failure_of(j->row.def) == ON_FAILURE_WAIT) {
			/* The play says a person decides: retry or skip it. */
			a.state = STEP_WAITING;
			strbuf_printf(&why, "failed: %s; waiting for a person to retry or skip it "
				      "(on_failure: wait-for-person)", r->why);
		} else {
			a.state = STEP_FAILED;
			a.t_end = now;
			strbuf_puts(&why, r->why);
		}
	} else if (j->person) {
		a.state = STEP_WAITING;
		a.attempts = j->row.attempts - 1;
		strbuf_puts(&why, r->why);
	} else if (j->closed) {
		a.state = STEP_SKIPPED;
		a.t_end = now;
		a.reason = "cancelled: the incident was closed";
		a.error = r->why;
		strbuf_printf(&why, "cancelled: the incident was closed; %s", r->why);
	} else {
		/* Stopped with irk (SIGTERM, the board quit): a step that may
		 * run twice goes back to the queue, any other waits for a
		 * person to retry or skip it. */
		a.error = r->why;
		a.state = retry_left ? STEP_READY : STEP_WAITING;
		a.next_attempt = 0;
		strbuf_printf(&why, "irk stopped while it ran: %s; %s", r->why,
			      retry_left ? "it will run again" : "retry or skip it");
	}
	rc = play_step_record(w->s, PLAY_ENGINE_ACTOR, &a, STEP_RUNNING, strbuf_str(&why), err);
	if (!rc)
		rc = play_advance(w->s, j->row.incident_id, PLAY_ENGINE_ACTOR, changed, err);
	if (!rc && a.state == STEP_DONE)
		strbuf_printf(what, "%s %s: %s", j->key, j->row.step_id, strbuf_str(&why));
	else if (!rc)
		strbuf_printf(what, "%s %s: %s: %s", j->key, j->row.step_id,
			      step_state_name(a.state), strbuf_str(&why));
	strbuf_free(&why);
	(void)e;
	return rc;
}

/* Begin, check the lease, record, commit. The next due step is claimed in
 * the same transaction (one commit a step instead of two): *next, when it
 * returns 1. A database held by other writers does not lose the result:
 * the lease is renewed and the result recorded again until it lands, the
 * lease is lost or the engine stops. */
static int finish(struct worker *w, struct job *j, const struct run_result *r, int in_tx,
		  struct job *next)
{
	struct engine *e = w->e;
	struct irk_err err = { 0 };
	struct strbuf what = STRBUF_INIT;
	int changed = 0, got = 0;

	for (int tries = 0;; tries++) {
		int busy = 0;

		changed = got = 0;
		strbuf_reset(&what);
		if (!in_tx && store_begin(w->s, &err)) {
			busy = store_last_busy(w->s);
		} else if (!still_ours(w, j)) {
			store_rollback(w->s);
			engine_log(e, "%s %s: the lease was lost meanwhile; result dropped", j->key,
				   j->row.step_id);
			strbuf_free(&what);
			return 0;
		} else if (record(w, j, r, &changed, &what, &err) ||
			   (!atomic_load(&e->stopping) && (got = claim_locked(w, next, &err)) < 0) ||
			   store_commit(w->s, &err)) {
			/* A transaction of our own (not a notify's, whose
			 * messages went with it) can be tried again. */
			busy = !in_tx && store_last_busy(w->s);
			store_rollback(w->s);
			if (got > 0)
				store_step_row_clear(&next->row);
			got = 0;
		} else {
			engine_log(e, "%s", strbuf_str(&what));
			break;
		}
		if (!busy || atomic_load(&e->stopping)) {
			engine_log(e, "%s %s: cannot record the result: %s", j->key, j->row.step_id,
				   err.msg);
			break;
		}
		if (!tries)
			engine_log(e, "%s %s: the database is busy; recording the result until it lands",
				   j->key, j->row.step_id);
		if (store_step_renew(w->s, j->row.id, w->owner, irk_now() + e->lease_s, &err) ==
		    IRK_CONFLICT) {
			engine_log(e, "%s %s: the lease was lost meanwhile; result dropped", j->key,
				   j->row.step_id);
			break;
		}
	}
	strbuf_free(&what);
	bump(e->notify_fd, 1);
	bump(e->wake_fd, (uint64_t)changed);
	if (got > 0)
		claimed(w, next);
	return got > 0;
}

/* ---- running one step ------------------------------------------------------------ */

struct prep {
	struct store *s;
	struct incident *inc;
	struct play_fields *fields;
};

static int with_alert(const struct alert *a, void *arg)
{
	struct prep *p = arg;

	p->fields = play_fields_new(p->s, p->inc, a);
	return 1;
}

static int play_path(const struct play_version_row *p, void *arg)
{
	char **dir = arg;
	const char *slash = p->path ? strrchr(p->path, '/') : NULL;

	if (slash && p->path[0] == '/')
		*dir = xstrndup(p->path, (size_t)(slash - p->path) + (slash == p->path));
	return 1;
}

/* The directory of a play version's file (relative programs and playbooks
 * are found there), remembered per worker: versions never change. NULL
 * when unknown. Borrowed until the worker ends. */
static const char *play_dir_of(struct worker *w, const char *hash)
{
	struct dir_cache *c;
	char *dir = NULL;

	for (int i = 0; i < DIR_CACHE; i++)
		if (w->dirs[i].hash[0] && !strcmp(w->dirs[i].hash, hash))
			return w->dirs[i].dir;
	store_play_each(w->s, NULL, hash, play_path, &dir, NULL);
	c = &w->dirs[w->next_dir++ % DIR_CACHE];
	free(c->dir);
	irk_strlcpy(c->hash, hash, sizeof c->hash);
	c->dir = dir;
	return dir;
}

/* Run j; 1 when the next step was claimed into *next meanwhile. */
static int run_job(struct worker *w, struct job *j, struct job *next)
{
	struct engine *e = w->e;
	struct incident inc = { 0 };
	struct prep p = { w->s, &inc, NULL };
	struct run_env env = { 0 };
	struct run_result r;
	struct irk_err err = { 0 };
	const char *play_dir = NULL;
	int kind = step_kind_parse(j->row.kind), in_tx = 0, got = 0;
	const struct run_ops *ops = run_ops_of(kind);
	unsigned flags = ops ? ops->flags : 0;

	run_result_init(&r);
	if (store_incident_get(w->s, j->row.incident_id, &inc, &err)) {
		run_fail(&r, 0, "%s", err.msg);
		goto done;
	}
	store_alert_first(w->s, inc.id, with_alert, &p, NULL);
	if (!p.fields)
		p.fields = play_fields_new(w->s, &inc, NULL);
	if ((flags & RUN_PROGRAMS) && inc.play_version)
		play_dir = play_dir_of(w, inc.play_version);
	/* Made when first needed; if it cannot be, the runner tries and says why. */
	if ((flags & RUN_PROGRAMS) && !w->workdir[0] &&
	    run_workdir_make(e->cfg, w->workdir, sizeof w->workdir))
		w->workdir[0] = '\0';
	env.workdir = flags & RUN_PROGRAMS ? w->workdir : NULL;
	env.s = w->s;
	env.cfg = e->cfg;
	env.step = &j->row;
	env.play_dir = play_dir;
	env.lookup = play_fields_lookup;
	env.fields = p.fields;
	env.tick = job_tick;
	env.tick_arg = j;
	env.tick_ms = (int)(e->poll_ms < e->renew_ms ? e->poll_ms : e->renew_ms);
	env.cancel_fd = e->stop_fd;
	env.actor = PLAY_ENGINE_ACTOR;
	if (inc.stage == STAGE_CLOSED) {
		/* Closed after the step became ready: nothing to do any more. */
		j->closed = 1;
		r.status = RUN_CANCELLED;
		snprintf(r.why, sizeof r.why, "not run");
	} else if (!step_kind_automated(kind)) {
		j->person = 1;
		r.status = RUN_CANCELLED;
		snprintf(r.why, sizeof r.why, "%s step is done by a person", step_kind_an(kind));
	} else if (flags & RUN_IN_TX) {
		/* The messages and the step's state commit together. */
		if (store_begin(w->s, &err)) {
			run_fail(&r, 0, "%s", err.msg);
		} else if (!still_ours(w, j)) {
			store_rollback(w->s);
			j->lost = 1;
		} else {
			env.in_tx = in_tx = 1;
			if (run_step(&env, &r) != RUN_DONE) {
				store_rollback(w->s);
				in_tx = 0;
			}
		}
	} else {
		run_step(&env, &r);
	}
done:
	if (env.workdir && *env.workdir && run_workdir_reset(w->workdir)) {
		run_rmtree(w->workdir);
		w->workdir[0] = '\0';
	}
	if (j->lost)
		engine_log(e, "%s %s: the lease was lost (recovered by another process or "
			   "skipped): stopped", j->key, j->row.step_id);
	else
		got = finish(w, j, &r, in_tx, next);
	play_fields_free(&p.fields);
	incident_clear(&inc);
	run_result_free(&r);
	return got;
}

/* ---- housekeeping --------------------------------------------------------------------- */

static int collect(int64_t id, void *arg)
{
	int64_t *ids = arg;

	for (int i = 0; i < ENGINE_EXPIRED_BATCH; i++)
		if (!ids[i]) {
			ids[i] = id;
			return 0;
		}
	return 1;
}

/* Steps whose process died: back to ready (retry left) or waiting. */
static int recover(struct worker *w)
{
	struct engine *e = w->e;
	int64_t ids[ENGINE_EXPIRED_BATCH] = { 0 }, now = irk_now();
	struct irk_err err = { 0 };
	int n = 0, changed = 0;

	if (store_step_expired(w->s, now, ENGINE_EXPIRED_BATCH, collect, ids, &err) || !ids[0])
		return 0;
	if (store_begin(w->s, &err))
		return 0;
	for (int i = 0; i < ENGINE_EXPIRED_BATCH && ids[i]; i++) {
		struct step_row row = { 0 }, a;
		struct strbuf why = STRBUF_INIT;
		char key[24];
		int rc;

		if (store_step_get(w->s, 0, NULL, ids[i], row_copy, &row, NULL))
			continue;
		if (row.state != STEP_RUNNING || row.lease_until >= now ||
		    owner_alive(e, row.lease_owner)) {
			store_step_row_clear(&row);
			continue;
		}
		a = row;
		a.lease_owner = NULL;
		a.lease_until = 0;
		if (row.attempts <= row.retry) {
			int64_t b = backoff_s(row.def, row.attempts);
			a.state = STEP_READY;
			a.next_attempt = due_after(now, b);
			strbuf_printf(&why, "the lease of %s expired (its process stopped); "
				      "attempt %d of %d, next in %llds", row.lease_owner ?
				      row.lease_owner : "?", row.attempts + 1, row.retry + 1,
				      (long long)b);
		} else {
			a.state = STEP_WAITING;
			strbuf_printf(&why, "the lease of %s expired (its process stopped) in the "
				      "middle of the step; retry or skip it", row.lease_owner ?
				      row.lease_owner : "?");
		}
		a.error = strbuf_str(&why);
		rc = play_step_record(w->s, PLAY_ENGINE_ACTOR, &a, STEP_RUNNING, a.error, &err);
		if (!rc)
			rc = play_advance(w->s, row.incident_id, PLAY_ENGINE_ACTOR, &changed, &err);
		if (rc) {
			strbuf_free(&why);
			store_step_row_clear(&row);
			store_rollback(w->s);
			engine_log(e, "recovering leases: %s", err.msg);
			return 0;
		}
		engine_log(e, "%s %s: %s: %s", incident_key(row.incident_id, key, sizeof key),
			   row.step_id, step_state_name(a.state), a.error);
		strbuf_free(&why);
		store_step_row_clear(&row);
		n++;
	}
	if (store_commit(w->s, &err)) {
		engine_log(e, "recovering leases: %s", err.msg);
		return 0;
	}
	if (n)
		bump(e->notify_fd, 1);
	return n;
}

/* The keeper's round, every engine.poll: expired leases and incidents
 * whose stage moved elsewhere. */
static void maintain(struct worker *w)
{
	struct engine *e = w->e;
	struct irk_err err = { 0 };
	int changed = 0, n;

	n = recover(w);
	if (play_advance_stale(w->s, PLAY_ENGINE_ACTOR, ENGINE_STALE_BATCH, &changed, &err))
		engine_log(e, "advancing incidents: %s", err.msg);
	if (changed)
		bump(e->notify_fd, 1);
	/* Steps may have become ready: wake that many workers. */
	bump(e->wake_fd, (uint64_t)(n + changed));
}

static void *keeper_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	struct irk_err err = { 0 };
	int64_t next_checkpoint = 0, next_kpi = 0;

	if (store_open(&w->s, e->db_path, 0, &err)) {
		engine_log(e, "housekeeping: %s", err.msg);
		return NULL;
	}
	while (!atomic_load(&e->stopping)) {
		struct pollfd pf = { e->stop_fd, POLLIN, 0 };
		int64_t now = proc_mono_ms();
		maintain(w);
		/* Left by a step in another session and orphaned since. */
		proc_sweep();
		/* Once a second at most: each one ends with an fsync. */
		if (now >= next_checkpoint) {
			store_checkpoint(w->s);
			next_checkpoint = now + ENGINE_CHECKPOINT_MS;
		}
		/* The board's KPI snapshot (boards see the write as any other
		 * change); a busy database is tried again next time, silently. */
		if (now >= next_kpi) {
			if (kpi_snapshot_keep(w->s, e->cfg, irk_now(), 0, NULL, &err) &&
			    err.code != IRK_CONFLICT)
				engine_log(e, "KPI snapshot: %s", err.msg);
			next_kpi = proc_mono_ms() + ENGINE_KPI_MS;
		}
		poll(&pf, 1, (int)e->poll_ms);
	}
	store_close(&w->s);
	return NULL;
}

/* ---- the worker ------------------------------------------------------------------------- */

/* Sleep until stopped, woken, engine.poll passes or a retry is due. */
static int doze(struct worker *w)
{
	struct engine *e = w->e;
	struct pollfd pf[2] = { { e->stop_fd, POLLIN, 0 }, { e->wake_fd, POLLIN, 0 } };
	int64_t wait = e->poll_ms, now = irk_now(), due = store_step_next_due(w->s, now);
	uint64_t v;

	if (due > now && (due - now) * 1000 < wait)
		wait = (due - now) * 1000;
	if (poll(pf, 2, (int)wait) > 0 && (pf[1].revents & POLLIN) &&
	    read(e->wake_fd, &v, sizeof v) == (ssize_t)sizeof v)
		return 1;
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	struct irk_err err = { 0 };
	int woken = 1;

	if (store_open(&w->s, e->db_path, 0, &err)) {
		engine_log(e, "worker %d: %s", w->n, err.msg);
		return NULL;
	}
	/* The keeper checkpoints: a step's commit never waits for one. */
	store_checkpoint_off(w->s);
	/* A wait for the database never outlasts the lease: finish() and
	 * job_tick() renew it between tries. */
	store_busy_limit(w->s, (int)e->renew_ms);
	while (!atomic_load(&e->stopping)) {
		struct job j;
		int64_t dv;

		dv = store_data_version(w->s);
		/* Nothing committed elsewhere and nothing due: no need for the
		 * write lock a claim takes. */
		if (!woken && w->idle && dv == w->idle_dv &&
		    !(store_step_next_due(w->s, 0) && store_step_next_due(w->s, 0) <= irk_now())) {
			woken = doze(w);
			continue;
		}
		woken = 0;
		if (claim(w, &j)) {
			struct job next;
			w->idle = 0;
			/* One step after the other while steps are due. */
			while (run_job(w, &j, &next)) {
				store_step_row_clear(&j.row);
				j = next;
			}
			store_step_row_clear(&j.row);
			continue;
		}
		w->idle = 1;
		w->idle_dv = dv;
		woken = doze(w);
	}
	store_close(&w->s);
	for (int i = 0; i < DIR_CACHE; i++)
		free(w->dirs[i].dir);
	if (w->workdir[0])
		run_rmtree(w->workdir);
	return NULL;
}

/* ---- start and stop ---------------------------------------------------------------------- */

struct engine *engine_start(const char *db_path, const struct config *cfg, struct irk_err *err)
{
	return engine_start_opts(db_path, cfg, NULL, err);
}

struct engine *engine_start_opts(const char *db_path, const struct config *cfg,
				 const struct engine_opts *opts, struct irk_err *err)
{
	struct engine *e = xcalloc(1, sizeof *e);
	char host[64] = "?";
	unsigned short nonce = 0;
	sigset_t all, old;

	/* The setgid irk of a jump box never runs a program with the group
	 * that can write the database: its steps run in irk serve. */
	if (identity_setgid()) {
		free(e);
		irk_fail(err, IRK_REFUSED, "automated steps do not run in this irk (setgid, on a "
			 "shared jump box): the irk-serve service runs them");
		return NULL;
	}
	if (!db_path || !*db_path) {
		free(e);
		irk_fail(err, IRK_INVALID, "the sequencer needs a database");
		return NULL;
	}
	{
		/* Fail here, not silently in every thread. */
		struct store *probe = NULL;
		if (store_open(&probe, db_path, 0, err)) {
			free(e);
			return NULL;
		}
		store_close(&probe);
	}
	e->db_path = xstrdup(db_path);
	e->cfg = cfg;
	if (opts)
		e->opts = *opts;
	const struct config_settings *set = config_settings(cfg);
	int64_t workers = e->opts.workers > 0 ? e->opts.workers : set->engine.workers;
	e->nworkers = workers < 1 ? 1 : workers > ENGINE_MAX_WORKERS ? ENGINE_MAX_WORKERS :
		      (int)workers;
	e->lease_s = set->engine.lease;
	if (e->lease_s < 1)
		e->lease_s = 1;
	e->poll_ms = set->engine.poll_ms;
	if (e->poll_ms < 10)
		e->poll_ms = 10;
	/* Renewed three times per lease: one slow renewal does not lose it. */
	e->renew_ms = e->lease_s * 1000 / 3;
	if (e->renew_ms < 100)
		e->renew_ms = 100;
	e->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
	e->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&e->mu, NULL);
	if (e->stop_fd < 0 || e->wake_fd < 0 || e->notify_fd < 0) {
		irk_fail(err, IRK_ERROR, "eventfd: %s", strerror(errno));
		engine_stop(&e);
		return NULL;
	}
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	if (getrandom(&nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce)
		nonce = (unsigned short)(proc_mono_ms() & 0xffff);
	irk_strlcpy(e->host, host, sizeof e->host);
	e->nonce = nonce;
	live_add(nonce);
	{
		const char *why = run_http_global_init();
		if (why)
			engine_log(e, "http steps will fail: libcurl cannot be loaded: %s", why);
	}
	/* What a step leaves running in another session comes to us. */
	proc_reaper();
	{
		int swept = run_workdir_sweep(cfg);
		if (swept)
			engine_log(e, "removed %d working director%s left by irk processes that died",
				   swept, swept == 1 ? "y" : "ies");
	}
	/* The threads take no signals: the UI thread and `irk serve` handle
	 * them, and children get every signal back at its default. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->w[i];
		w->e = e;
		w->n = i;
		snprintf(w->owner, sizeof w->owner, "%s:%d:%04x/w%d", host, (int)getpid(),
			 nonce, i);
		if (pthread_create(&w->th, NULL, worker_main, w)) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			irk_fail(err, IRK_ERROR, "cannot start the sequencer's threads");
			engine_stop(&e);
			return NULL;
		}
		w->started = 1;
	}
	e->keeper.e = e;
	e->keeper.n = -1;
	snprintf(e->keeper.owner, sizeof e->keeper.owner, "%s:%d:%04x/keeper", host, (int)getpid(),
		 nonce);
	if (pthread_create(&e->keeper.th, NULL, keeper_main, &e->keeper)) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		irk_fail(err, IRK_ERROR, "cannot start the sequencer's threads");
		engine_stop(&e);
		return NULL;
	}
	e->keeper.started = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	engine_log(e, "sequencer started: %d workers, lease %llds, poll %lldms, owner %s",
		   e->nworkers, (long long)e->lease_s, (long long)e->poll_ms, e->w[0].owner);
	return e;
}

int engine_fd(const struct engine *e)
{
	return e ? e->notify_fd : -1;
}

void engine_drain(struct engine *e)
{
	uint64_t v;

	if (e && read(e->notify_fd, &v, sizeof v) < 0)
		return;
}

void engine_stop(struct engine **ep)
{
	struct engine *e = ep ? *ep : NULL;

	if (!e)
		return;
	atomic_store(&e->stopping, 1);
	bump(e->stop_fd, 1);
	for (int i = 0; i < e->nworkers; i++)
		if (e->w[i].started)
			pthread_join(e->w[i].th, NULL);
	if (e->keeper.started)
		pthread_join(e->keeper.th, NULL);
	proc_sweep();
	if (e->host[0])
		live_remove(e->nonce);
	if (e->w[0].started)
		engine_log(e, "sequencer stopped");
	if (e->stop_fd >= 0)
		close(e->stop_fd);
	if (e->wake_fd >= 0)
		close(e->wake_fd);
	if (e->notify_fd >= 0)
		close(e->notify_fd);
	pthread_mutex_destroy(&e->mu);
	free(e->db_path);
	free(e);
	*ep = NULL;
}
