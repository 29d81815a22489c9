/* engine_testlib.h: running one step through a runner without the
 * scheduler, for the test_engine*.c files. Header-only (static) because the
 * Makefile builds each test_*.c into its own binary. */
#ifndef IRK_ENGINE_TESTLIB_H
#define IRK_ENGINE_TESTLIB_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/incident.h"
#include "irk/play.h"
#include "irk/jdoc.h"
#include "irk/runner.h"
#include "irk/store.h"
#include "helpers/tmpstore.h"

/* Template fields: a NULL-terminated list of name, value pairs. */
struct testlib_fields {
	const char *const *kv;
};

static inline int testlib_lookup(void *arg, const char *name, struct expr_value *out)
{
	const struct testlib_fields *f = arg;

	for (const char *const *p = f ? f->kv : NULL; p && p[0]; p += 2)
		if (!strcmp(p[0], name)) {
			expr_value_set_str(out, p[1]);
			return 0;
		}
	return 1;
}

/* Run a step of kind with definition def (JSON); r must be freed. */
static inline int testlib_run(const char *kind, const char *def, const struct config *cfg,
			      const char *const *fields, struct run_result *r)
{
	struct testlib_fields f = { fields };
	struct step_row st = { 0 };
	struct run_env env = { 0 };

	st.kind = kind;
	st.def = def;
	st.step_id = "t";
	st.attempts = 1;
	env.cfg = cfg;
	env.step = &st;
	env.lookup = testlib_lookup;
	env.fields = &f;
	env.cancel_fd = -1;
	env.tick_ms = 100;
	run_result_init(r);
	return run_step(&env, r);
}

/* A new incident opened by alice from alert a (with alerts alerts) and
 * given the play in src, as ingest would. Returns its id. */
static inline int64_t testlib_open_play(struct store *s, const char *src,
					const struct alert *a, int alerts)
{
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct incident inc = { 0 };
	struct irk_err err = { 0 };
	char *path = tmp_write("play.json", src, strlen(src), 0600);
	int64_t id;

	play_parse(path, src, strlen(src), &p, &d);
	cr_assert_not_null(p, "%s", d.n ? d.v[0].msg : "?");
	inc.title = xstrdup(a->rule_name ? a->rule_name : alert_rule(a));
	inc.severity = a->severity;
	inc.confidence = 50;
	inc.rule = xstrdup(alert_rule(a));
	inc.host = xstrdup(a->host);
	inc.alert_count = alerts;
	inc.t_detected = inc.t_first_event = inc.t_last_event = irk_now();
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(incident_open(s, "alice", &inc, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_assign(s, p, &inc, a, "alice", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	id = inc.id;
	incident_clear(&inc);
	play_free(&p);
	play_diags_free(&d);
	free(path);
	return id;
}

/* The JSON text s as jansson (the test fails when it does not parse). */
static inline json_t *testlib_json(const char *s)
{
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);

	cr_assert_not_null(j, "not JSON (%s at %d:%d): %s", je.text, je.line, je.column, s);
	return j;
}

/* The string at key in the JSON text s ("" when missing); caller frees. */
static inline char *testlib_get(const char *s, const char *key)
{
	json_t *j = testlib_json(s), *v = json_object_get(j, key);
	char *out;

	if (json_is_string(v))
		out = strdup(json_string_value(v));
	else if (v)
		out = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	else
		out = strdup("");
	json_decref(j);
	return out;
}

/* The length of the longest piece of secret (at least min bytes, taken
 * from its start or its end) found in text; 0 when none. A secret cut in
 * half by a truncation leaves its start, or its end, behind. */
static inline size_t testlib_fragment(const char *text, const char *secret, size_t min)
{
	size_t n = strlen(secret), best = 0;
	char *piece = malloc(n + 1);

	for (size_t k = min; k <= n; k++) {
		memcpy(piece, secret, k);
		piece[k] = '\0';
		if (strstr(text, piece))
			best = k;
		if (strstr(text, secret + n - k) && k > best)
			best = k;
	}
	free(piece);
	return best;
}

static inline int64_t testlib_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Nonzero while process pid exists and is not a zombie. */
static inline int testlib_alive(long pid)
{
	char path[64], buf[512];
	FILE *f;
	char *rp;
	size_t n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

/* Wait up to ms for pid to be gone (the kernel reaps a killed orphan soon,
 * not at once). */
static inline int testlib_gone(long pid, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < ms / 10; i++) {
		if (!testlib_alive(pid))
			return 1;
		nanosleep(&ts, NULL);   /* polling with a deadline */
	}
	return !testlib_alive(pid);
}

/* A whole file into a string; NULL when missing. Caller frees. */
static inline char *testlib_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Start the test HTTP server (tests/fixtures/http_server.py, extra
 * arguments in args, NULL-terminated) and read its port; the test fails
 * when it does not answer within 10 s. Returns its pid. */
static inline pid_t testlib_http_start(const char *const *args, int *port)
{
	extern char **environ;
	const char *argv[9] = { "/usr/bin/python3", "tests/fixtures/http_server.py", "--until-eof" };
	posix_spawn_file_actions_t fa;
	int fds[2], in[2], n = 3;
	pid_t pid;
	char buf[32] = "";
	size_t got = 0;

	for (; args && *args && n < 8; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	cr_assert_eq(pipe(fds), 0);
	/* The server's stdin: this process keeps the other end open (and no
	 * child of it inherits that), so the server ends with the test. */
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ), 0,
		     "cannot start the HTTP server (tests run from the repo root)");
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	close(in[0]);
	while (got < sizeof buf - 1 && !strchr(buf, '\n')) {
		struct pollfd pf = { fds[0], POLLIN, 0 };
		ssize_t r;
		cr_assert_gt(poll(&pf, 1, 10000), 0, "the HTTP server did not print its port");
		r = read(fds[0], buf + got, sizeof buf - 1 - got);
		cr_assert_gt(r, 0, "the HTTP server exited");
		got += (size_t)r;
		buf[got] = '\0';
	}
	close(fds[0]);
	*port = atoi(buf);
	cr_assert_gt(*port, 0);
	return pid;
}

/* Run a program (argv[0] absolute, output to /dev/null) and wait: its
 * exit status, or -1. */
static inline int testlib_spawn_wait(const char *const *argv)
{
	extern char **environ;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ))
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline void testlib_http_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

#endif
