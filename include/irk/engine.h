/* engine.h: the background sequencer (Monitor-Analyse-Plan-Execute: the
 * Execute part). It runs as threads inside every irk board process and as
 * `irk serve`. Each thread has its own database connection; automated steps
 * are claimed with an atomic lease so each runs exactly once however many
 * irk processes are open.
 *
 * The UI never calls into the engine's threads: it polls engine_fd() with
 * stdin, and when it is readable calls engine_drain() and reloads what it
 * shows. The engine never touches the terminal. */
#ifndef IRK_ENGINE_H
#define IRK_ENGINE_H

#include "irk/err.h"

struct config;
struct engine;

/* Start the sequencer on the database at db_path with engine.workers
 * threads. cfg is borrowed until engine_stop(). NULL with err filled when
 * it cannot start; the caller may go on without it. */
struct engine *engine_start(const char *db_path, const struct config *cfg,
		struct irk_err *err);

struct engine_opts {
	/* What the engine does, one line at a time, from any of its threads
	 * (calls are serialised). Text from outside is not sanitized: the
	 * front end does that. NULL: silent. */
	void (*log)(void *arg, const char *line);
	void *log_arg;
	int workers;               /* 0: engine.workers */
};
/* engine_start() with options (opts may be NULL). */
struct engine *engine_start_opts(const char *db_path, const struct config *cfg,
		const struct engine_opts *opts, struct irk_err *err);
/* A descriptor that becomes readable when the engine changed something
 * (a step ran, a notification arrived); -1 when e is NULL. */
int engine_fd(const struct engine *e);
/* Consume the readiness of engine_fd(). */
void engine_drain(struct engine *e);
/* Stop the threads and free e; safe on NULL. A running step's program gets
 * SIGTERM (SIGKILL after engine.grace) and the step is recorded: ready
 * again when it may be retried, else waiting for a person. */
void engine_stop(struct engine **e);

#endif
