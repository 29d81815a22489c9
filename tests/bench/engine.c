/* engine: steps per second through the sequencer.
 *
 *   engine DIR N WORKERS ROUNDS [IDLE]
 *
 * 1. N incidents whose play has one `set` step: the time from starting the
 *    engine to the last step recorded (claim, run, record, advance: the
 *    engine's own cost per step).
 * 2. N incidents whose play has one `exec` step running /bin/true, against
 *    a bare loop in this process that forks, execs /bin/true and waits, N
 *    times: the ratio is what the engine adds to running a program.
 * Rounds alternate the bare loop and the engine, so a neighbour's burst on
 * this shared machine tends to hit both sides of a round; the median of
 * the per-round ratios is the figure.
 * 3. With IDLE > 0: the CPU time an idle engine spends per poll (its
 *    keeper's round: expired leases, incidents to plan; its workers' look
 *    for due steps) on a database of IDLE incidents whose plays wait for a
 *    person, against the same on an empty database.
 * The end of a step is seen through the engine's log (no query of ours
 * competes with the engine for the database or the CPU). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
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

#define MAX_ROUNDS 41
#define POLL_MS 20

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
	struct alert a = { .format = FMT_ECS, .rule_id = "Bench",
		.rule_name = "Bench", .severity = SEV_LOW, .host = "bench-01" };

	snprintf(src, sizeof src, "{\"play\": \"bench\", \"name\": \"Bench\", \"version\": 1, "
		 "\"match\": \"rule == 'Bench'\", \"steps\": [%s]}", step);
	if (play_parse("/bench/bench.json", src, strlen(src), &p, &d))
		die("the play", NULL);
	unlink(path);
	if (store_open(&s, path, STORE_CREATE, &err) || store_begin(s, &err))
		die(path, &err);
	store_bulk_begin(s);
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
	store_bulk_end(s);
	store_close(&s);
	play_free(&p);
	play_diags_free(&d);
}

/* CPU seconds of this process (RUSAGE_SELF: every thread) or of its
 * children that ended (RUSAGE_CHILDREN). */
static double cpu_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* What a batch of steps cost: time, CPU of the process that ran them,
 * CPU of the programs. */
struct cost {
	double secs, own, child;
};

/* Steps finished, counted from the engine's log lines, and when the
 * first one started. */
struct tally {
	pthread_mutex_t mu;
	double first;             /* the first "running" line */
	double own0, child0;      /* CPU then */
	int done, failed, want;
	int fd;                   /* eventfd: written when done reaches want */
	char failure[512];
};

static void on_log(void *arg, const char *line)
{
	struct tally *t = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&t->mu);
	if (!t->first && strstr(line, "): running")) {
		t->first = now_s();
		t->own0 = cpu_s(RUSAGE_SELF);
		t->child0 = cpu_s(RUSAGE_CHILDREN);
	} else if (strstr(line, ": done in ")) {
		if (++t->done == t->want && write(t->fd, &one, sizeof one) < 0)
			t->done = t->done;
	} else if (strstr(line, ": failed: ") || strstr(line, "cannot")) {
		if (!t->failed++)
			snprintf(t->failure, sizeof t->failure, "%s", line);
		if (write(t->fd, &one, sizeof one) < 0)
			t->failed = t->failed;
	}
	pthread_mutex_unlock(&t->mu);
}

static struct engine *start(const char *path, int workers, struct tally *t)
{
	static struct config *cfg;
	struct engine_opts o = { on_log, t, workers };
	struct irk_err err = { 0 };
	struct engine *e;
	char poll[16];

	if (!cfg) {
		cfg = config_new();
		snprintf(poll, sizeof poll, "%dms", POLL_MS);
		config_set(cfg, "engine.poll", poll, NULL);
	}
	if (!(e = engine_start_opts(path, cfg, &o, &err)))
		die("engine_start", &err);
	return e;
}

/* Seconds from the start of the first of the n steps of path to the end
 * of the last (starting the threads and opening the database are not a
 * cost per step). */
static struct cost run_engine(const char *path, int n, int workers)
{
	struct tally t = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, n, -1, "" };
	struct engine *e;
	struct cost c;

	if ((t.fd = eventfd(0, EFD_CLOEXEC)) < 0)
		die("eventfd", NULL);
	e = start(path, workers, &t);
	for (;;) {
		struct pollfd pf = { t.fd, POLLIN, 0 };
		int done, failed;
		if (poll(&pf, 1, 60000) == 0)
			die("the engine did not finish in a minute", NULL);
		pthread_mutex_lock(&t.mu);
		done = t.done;
		failed = t.failed;
		pthread_mutex_unlock(&t.mu);
		if (failed) {
			fprintf(stderr, "bench engine: %s\n", t.failure);
			exit(1);
		}
		if (done >= n)
			break;
	}
	c.secs = now_s() - t.first;
	c.own = cpu_s(RUSAGE_SELF) - t.own0;
	c.child = cpu_s(RUSAGE_CHILDREN) - t.child0;
	engine_stop(&e);
	close(t.fd);
	return c;
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

/* The bare loop runs in a process forked before this one touched a
 * database: fork() copies the page tables of its caller, and sqlite's
 * caches would make every fork of this process slower than the engine's
 * way of starting programs (a vfork-style clone) for no fault of the
 * loop. */
static int bare_to[2], bare_from[2];

static void bare_start(void)
{
	pid_t pid;

	if (pipe(bare_to) || pipe(bare_from) || (pid = fork()) < 0)
		die("the bare loop's process", NULL);
	if (pid) {
		close(bare_to[0]);
		close(bare_from[1]);
		return;
	}
	close(bare_to[1]);
	close(bare_from[0]);
	for (;;) {
		int n;
		struct cost c;
		double own0 = cpu_s(RUSAGE_SELF), child0 = cpu_s(RUSAGE_CHILDREN);
		if (read(bare_to[0], &n, sizeof n) != (ssize_t)sizeof n || n <= 0)
			_exit(0);
		own0 = cpu_s(RUSAGE_SELF);
		child0 = cpu_s(RUSAGE_CHILDREN);
		c.secs = bare_loop(n);
		c.own = cpu_s(RUSAGE_SELF) - own0;
		c.child = cpu_s(RUSAGE_CHILDREN) - child0;
		if (write(bare_from[1], &c, sizeof c) != (ssize_t)sizeof c)
			_exit(1);
	}
}

static struct cost bare_run(int n)
{
	struct cost c;

	if (write(bare_to[1], &n, sizeof n) != (ssize_t)sizeof n ||
	    read(bare_from[0], &c, sizeof c) != (ssize_t)sizeof c)
		die("the bare loop's process", NULL);
	return c;
}

/* CPU seconds per poll of an idle engine on path, over about secs. */
static double idle_cpu(const char *path, int workers, double secs)
{
	struct tally t = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, 1, -1, "" };
	struct engine *e = start(path, workers, &t);
	struct timespec ts = { 0, 200 * 1000000L };
	double c0, t0, c, el;

	/* Past the start (every thread opens the database). */
	nanosleep(&ts, NULL);
	c0 = cpu_s(RUSAGE_SELF);
	t0 = now_s();
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	c = cpu_s(RUSAGE_SELF) - c0;
	el = now_s() - t0;
	engine_stop(&e);
	return c / (el * 1000 / POLL_MS);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof v[0], cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define SET_STEP "{\"id\": \"s\", \"stage\": \"new\", \"kind\": \"set\", " \
	"\"fields\": {\"category\": \"bench\"}}"
#define EXEC_STEP "{\"id\": \"x\", \"stage\": \"new\", \"kind\": \"exec\", " \
	"\"title\": \"T\", \"argv\": [\"/bin/true\"]}"
#define PERSON_STEP "{\"id\": \"m\", \"stage\": \"new\", \"kind\": \"manual\", " \
	"\"title\": \"Look at it\"}"

int main(int argc, char **argv)
{
	char path[4096];
	double set_t[MAX_ROUNDS], exec_t[MAX_ROUNDS], bare_t[MAX_ROUNDS], ratio[MAX_ROUNDS];
	struct cost tot_e = { 0, 0, 0 }, tot_b = { 0, 0, 0 };
	double med;
	int n, workers, rounds, idle = argc > 5 ? atoi(argv[5]) : 0;
	const char *ws;

	if (argc < 5 || argc > 6 || (n = atoi(argv[2])) <= 0 || (workers = atoi(argv[3])) <= 0 ||
	    (rounds = atoi(argv[4])) <= 0 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: engine DIR N WORKERS ROUNDS [IDLE]\n");
		return 2;
	}
	ws = workers > 1 ? "s" : "";
	bare_start();
	snprintf(path, sizeof path, "%s/engine.db", argv[1]);
	for (int r = 0; r < rounds; r++) {
		struct cost ce, cb;
		prepare(path, SET_STEP, n);
		set_t[r] = run_engine(path, n, workers).secs;
		prepare(path, EXEC_STEP, n);
		/* Alternate which side goes first, so neither always runs
		 * right after the database was written. */
		if (r % 2) {
			ce = run_engine(path, n, workers);
			cb = bare_run(n);
		} else {
			cb = bare_run(n);
			ce = run_engine(path, n, workers);
		}
		exec_t[r] = ce.secs;
		bare_t[r] = cb.secs;
		ratio[r] = ce.secs / cb.secs;
		tot_e.own += ce.own;
		tot_e.child += ce.child;
		tot_b.own += cb.own;
		tot_b.child += cb.child;
	}
	printf("   %d worker%s, %d rounds of %d steps; engine/bare time per round:", workers, ws,
	       rounds, n);
	for (int r = 0; r < rounds; r++)
		printf(" %.2f", ratio[r]);
	printf("\n");
	med = median(set_t, rounds);
	printf("   set steps (the engine's own cost): %.0f steps/s, %.3f ms a step\n", n / med,
	       med * 1000 / n);
	med = median(exec_t, rounds);
	printf("   exec /bin/true: engine %.0f steps/s; bare fork/exec/wait loop %.0f/s\n", n / med,
	       n / median(bare_t, rounds));
	/* CPU time hardly depends on what the neighbours do: the engine's
	 * own work a step, against what the loop's fork and wait cost it. */
	printf("   CPU a step: engine %.3f ms (its programs %.3f ms); bare loop %.3f ms (its "
	       "programs %.3f ms)\n", tot_e.own * 1000 / (rounds * n),
	       tot_e.child * 1000 / (rounds * n), tot_b.own * 1000 / (rounds * n),
	       tot_b.child * 1000 / (rounds * n));
	med = median(ratio, rounds);
	printf("   ratio engine/bare loop time: %.2f (median; rounds %.2f..%.2f), engine overhead "
	       "%+.0f%%; target < +20%%: %s\n", med, ratio[0], ratio[rounds - 1], (med - 1) * 100,
	       med < 1.2 ? "met" : "MISSED");
	if (idle > 0) {
		double cpu_empty, cpu_full;
		prepare(path, PERSON_STEP, 0);
		cpu_empty = idle_cpu(path, workers, 1.0);
		prepare(path, PERSON_STEP, idle);
		cpu_full = idle_cpu(path, workers, 1.0);
		printf("   idle engine, CPU per poll (keeper and %d worker%s): %.0f us with %d "
		       "incidents waiting in their plays, %.0f us with none (ratio %.2f)\n", workers,
		       ws, cpu_full * 1e6, idle, cpu_empty * 1e6,
		       cpu_empty > 0 ? cpu_full / cpu_empty : 0);
	}
	unlink(path);
	close(bare_to[1]);
	wait(NULL);
	return 0;
}
