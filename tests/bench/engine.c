/* engine: steps per second through the sequencer.
 *
 *   engine DIR N WORKERS
 *
 * 1. N incidents whose play has one `set` step: the time from starting the
 *    engine to the last step recorded (claim, run, record, advance: the
 *    engine's own cost per step).
 * 2. N incidents whose play has one `exec` step running /bin/true, against
 *    a bare loop in this process that forks, execs /bin/true and waits, N
 *    times: the ratio is what the engine adds to running a program.
 * Prints one line per figure. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/engine.h"
#include "irk/incident.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct irk_err *err)
{
	fprintf(stderr, "bench engine: %s: %s\n", what, err ? err->msg : "");
	exit(1);
}

/* A database at path with n incidents running a one-step play. */
static void prepare(const char *path, const char *step, int n)
{
	char src[1024];
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct store *s = NULL;
	struct irk_err err = { 0 };
	struct play_alert a = { .format = "ecs", .rule = "Bench", .rule_id = "Bench",
		.rule_name = "Bench", .severity = "low", .host = "bench-01" };

	snprintf(src, sizeof src, "{\"play\": \"bench\", \"name\": \"Bench\", \"version\": 1, "
		 "\"match\": \"rule == 'Bench'\", \"steps\": [%s]}", step);
	if (play_parse("/bench/bench.json", src, strlen(src), &p, &d))
		die("the play", NULL);
	unlink(path);
	if (store_open(&s, path, STORE_CREATE, &err) || store_begin(s, &err))
		die(path, &err);
	for (int i = 0; i < n; i++) {
		struct incident inc = { 0 };
		inc.title = xstrdup("bench");
		inc.rule = xstrdup("Bench");
		inc.host = xstrdup("bench-01");
		inc.t_detected = irk_now();
		if (incident_open(s, "bench", &inc, NULL, &err) ||
		    play_assign(s, p, &inc, &a, "bench", &err))
			die("preparing", &err);
		incident_clear(&inc);
	}
	if (store_commit(s, &err))
		die("preparing", &err);
	store_close(&s);
	play_free(&p);
	play_diags_free(&d);
}

/* Seconds for the engine to finish every step of the database. */
static double run_engine(const char *path, int n, int workers)
{
	struct config *cfg = config_new();
	struct engine_opts o = { NULL, NULL, workers };
	struct store *s = NULL;
	struct irk_err err = { 0 };
	struct engine *e;
	double t0, t;
	char q[128];

	config_set(cfg, "engine.poll", "20ms", NULL);
	if (store_open(&s, path, 0, &err))
		die(path, &err);
	snprintf(q, sizeof q, "SELECT count(*) FROM steps WHERE state = 'done'");
	t0 = now_s();
	if (!(e = engine_start_opts(path, cfg, &o, &err)))
		die("engine_start", &err);
	for (;;) {
		struct pollfd pf = { engine_fd(e), POLLIN, 0 };
		poll(&pf, 1, 20);
		engine_drain(e);
		if (store_scalar(s, q) >= n)
			break;
		if (store_scalar(s, "SELECT count(*) FROM steps WHERE state = 'failed'") > 0)
			die("a step failed", NULL);
	}
	t = now_s() - t0;
	engine_stop(&e);
	store_close(&s);
	config_free(&cfg);
	return t;
}

/* Seconds for n rounds of fork, execve /bin/true, wait. */
static double bare_loop(int n)
{
	char *const argv[] = { "/bin/true", NULL }, *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	double t0 = now_s();

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;
		if (pid == 0) {
			execve(argv[0], argv, envp);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			die("the bare loop", NULL);
	}
	return now_s() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define ROUNDS 3

int main(int argc, char **argv)
{
	char path[4096];
	double set_t[ROUNDS], exec_t[ROUNDS], bare_t[ROUNDS], ratio[ROUNDS];
	int n, workers;

	if (argc != 4 || (n = atoi(argv[2])) <= 0 || (workers = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: engine DIR N WORKERS\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/engine.db", argv[1]);
	/* Rounds alternate the engine and the loop, so a neighbour's burst on
	 * this shared machine hits both; the medians are printed. */
	for (int r = 0; r < ROUNDS; r++) {
		prepare(path, "{\"id\": \"s\", \"stage\": \"new\", \"kind\": \"set\", "
			"\"fields\": {\"category\": \"bench\"}}", n);
		set_t[r] = run_engine(path, n, workers);
		prepare(path, "{\"id\": \"x\", \"stage\": \"new\", \"kind\": \"exec\", "
			"\"title\": \"T\", \"argv\": [\"/bin/true\"]}", n);
		bare_t[r] = bare_loop(n);
		exec_t[r] = run_engine(path, n, workers);
		ratio[r] = exec_t[r] / bare_t[r];
	}
	printf("   exec /bin/true, %d worker%s, engine/bare loop time per round:", workers,
	       workers > 1 ? "s" : "");
	for (int r = 0; r < ROUNDS; r++)
		printf(" %.2f", ratio[r]);
	printf("\n");
	qsort(set_t, ROUNDS, sizeof set_t[0], cmp_double);
	qsort(exec_t, ROUNDS, sizeof exec_t[0], cmp_double);
	qsort(bare_t, ROUNDS, sizeof bare_t[0], cmp_double);
	qsort(ratio, ROUNDS, sizeof ratio[0], cmp_double);
	printf("   set steps, %d worker%s: %.0f steps/s, %.2f ms a step (median of %d rounds of %d)\n",
	       workers, workers > 1 ? "s" : "", n / set_t[1], set_t[1] * 1000 / n, ROUNDS, n);
	printf("   exec /bin/true, %d worker%s: %.0f steps/s; bare fork/exec/wait loop: %.0f/s "
	       "(medians)\n", workers, workers > 1 ? "s" : "", n / exec_t[1], n / bare_t[1]);
	printf("   ratio engine/bare loop time, median of the rounds: %.2f (engine overhead %+.0f%%; "
	       "target < +20%%)\n", ratio[1], (ratio[1] - 1) * 100);
	return 0;
}
