/* worker.c: context lookups in the background (irk/context.h). Askers
 * (as many as the largest concurrency of the sources, each with its own
 * connection) refresh and apply the context of the incidents queued (the
 * board queues the one it opens), and, when sweeping (irk serve), a
 * sweeper queues every new open incident and, every while, all open ones
 * (an answer still fresh in the cache costs no request). A screen never
 * waits: it reads the cache, and the worker's writes reach it as any
 * other process's do (store_data_version). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/clock.h"
#include "irk/curl.h"
#include "context_impl.h"

#define QUEUE_MAX 64
/* irk serve: new incidents are looked for this often; all open ones
 * every SWEEP_ALL_S (a fresh cache makes that cheap). */
#define SWEEP_NEW_MS 2000
#define SWEEP_ALL_S 600
#define SWEEP_BATCH 500

/* Threads that ask at once: the largest concurrency of the sources (each
 * source still holds its own limit), at most WORKERS_MAX. */
#define WORKERS_MAX 8

struct context_worker {
	pthread_t th[WORKERS_MAX + 1];
	int nth;
	pthread_mutex_t mu;
	pthread_cond_t cv, room;
	char *db_path;
	const struct context_sources *srcs;
	int sweep, stop;
	struct { int64_t id; int force; } q[QUEUE_MAX];
	int nq;
	void (*log)(const char *line, void *arg);
	void *log_arg;
};

static void one(struct context_worker *w, struct store *s, int64_t id, int force)
{
	struct incident inc;
	struct context c;
	struct irk_err err = { 0 };
	int changed = 0;

	if (store_incident_get(s, id, &inc, &err))
		return;
	if (!context_refresh(s, w->srcs, &inc, force, &err) && !context_of(s, w->srcs, &inc, &c, &err)) {
		context_apply(s, id, &c, &changed, &err);
		context_clear(&c);
	}
	if (err.msg[0] && w->log)
		w->log(err.msg, w->log_arg);
	incident_clear(&inc);
}

static int collect(int64_t id, void *arg)
{
	struct { int64_t *ids; int n; } *c = arg;

	c->ids[c->n++] = id;
	return c->n == SWEEP_BATCH;
}

/* Queue id, waiting for room (the sweeper only: people's asks never
 * wait). Called with mu held. */
static void push_wait(struct context_worker *w, int64_t id)
{
	while (w->nq == QUEUE_MAX && !w->stop)
		pthread_cond_wait(&w->room, &w->mu);
	if (w->stop)
		return;
	w->q[w->nq].id = id;
	w->q[w->nq++].force = 0;
	pthread_cond_signal(&w->cv);
}

/* The open incidents after *last (by id), a batch at a time, queued for
 * the askers (not forced: a fresh cache answers). */
static void sweep(struct context_worker *w, struct store *s, int64_t *last)
{
	static int64_t ids[SWEEP_BATCH];
	struct { int64_t *ids; int n; } c;

	do {
		c.ids = ids;
		c.n = 0;
		if (store_context_incidents_after(s, *last, SWEEP_BATCH, collect, &c, NULL))
			return;
		pthread_mutex_lock(&w->mu);
		for (int i = 0; i < c.n && !w->stop; i++) {
			push_wait(w, ids[i]);
			*last = ids[i];
		}
		pthread_mutex_unlock(&w->mu);
	} while (c.n == SWEEP_BATCH && !w->stop);
}

static struct store *open_store(struct context_worker *w)
{
	struct store *s = NULL;
	struct irk_err err = { 0 };

	if (store_open(&s, w->db_path, 0, &err) && w->log)
		w->log(err.msg, w->log_arg);
	return s;
}

/* An asker: takes incidents off the queue, one at a time. */
static void *ask(void *arg)
{
	struct context_worker *w = arg;
	struct store *s = open_store(w);

	pthread_mutex_lock(&w->mu);
	while (s && !w->stop) {
		if (!w->nq) {
			pthread_cond_wait(&w->cv, &w->mu);
			continue;
		}
		int64_t id = w->q[0].id;
		int force = w->q[0].force;
		memmove(w->q, w->q + 1, (size_t)--w->nq * sizeof w->q[0]);
		pthread_cond_signal(&w->room);
		pthread_mutex_unlock(&w->mu);
		one(w, s, id, force);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	store_close(&s);
	return NULL;
}

/* The sweeper (irk serve): new open incidents every SWEEP_NEW_MS, all of
 * them every SWEEP_ALL_S. */
static void *sweeper(void *arg)
{
	struct context_worker *w = arg;
	struct store *s = open_store(w);
	int64_t last = 0, next_all = 0;

	pthread_mutex_lock(&w->mu);
	while (s && !w->stop) {
		pthread_mutex_unlock(&w->mu);
		if (irk_now() >= next_all) {
			int64_t from = 0;
			sweep(w, s, &from);
			if (from > last)
				last = from;
			next_all = irk_now() + SWEEP_ALL_S;
		} else {
			sweep(w, s, &last);
		}
		pthread_mutex_lock(&w->mu);
		if (!w->stop) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += SWEEP_NEW_MS / 1000;
			pthread_cond_timedwait(&w->room, &w->mu, &until);
		}
	}
	pthread_mutex_unlock(&w->mu);
	store_close(&s);
	return NULL;
}

struct context_worker *context_worker_start(const char *db_path, const struct context_sources *srcs,
					    int sweep_open, void (*log)(const char *line, void *arg),
					    void *log_arg)
{
	struct context_worker *w = xcalloc(1, sizeof *w);
	sigset_t all, old;

	w->db_path = xstrdup(db_path);
	w->srcs = srcs;
	w->sweep = sweep_open;
	w->log = log;
	w->log_arg = log_arg;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->room, NULL);
	/* libcurl is loaded before any thread of ours runs (it edits the
	 * environment); signals stay with the thread that handles them. */
	irk_curl_load();
	int n = 1;
	for (int i = 0; srcs && i < srcs->n; i++)
		if (srcs->v[i].concurrency > n)
			n = (int)srcs->v[i].concurrency;
	n = n < WORKERS_MAX ? n : WORKERS_MAX;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < n + sweep_open; i++)
		if (!pthread_create(&w->th[w->nth], NULL, i < n ? ask : sweeper, w))
			w->nth++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!w->nth) {
		context_worker_stop(&w);
		return NULL;
	}
	return w;
}

void context_worker_ask(struct context_worker *w, int64_t id, int force)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	for (int i = 0; i < w->nq; i++)
		if (w->q[i].id == id) {
			w->q[i].force |= force;
			id = 0;
		}
	if (id && w->nq < QUEUE_MAX) {
		w->q[w->nq].id = id;
		w->q[w->nq++].force = force;
	}
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void context_worker_stop(struct context_worker **wp)
{
	struct context_worker *w = *wp;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_cond_broadcast(&w->room);
	pthread_mutex_unlock(&w->mu);
	context_sources_cancel(w->srcs);
	for (int i = 0; i < w->nth; i++)
		pthread_join(w->th[i], NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	pthread_cond_destroy(&w->room);
	free(w->db_path);
	free(w);
	*wp = NULL;
}
