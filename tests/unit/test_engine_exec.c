/* test_engine_exec.c: the exec runner against real programs: argv taken
 * literally (no shell), a clean environment, a private working directory,
 * JSON stdout as the output, exit status, the timeout killing the whole
 * process group (SIGKILL after the grace when SIGTERM is ignored), capture
 * limits, cancellation, secrets kept out of what is recorded. */
#include <fcntl.h>
#include <sys/eventfd.h>

#include "engine_testlib.h"
#include "../../src/engine/internal.h"   /* proc_reaper(), as the engine calls it */

static struct config *cfg;

static void setup(void)
{
	cfg = config_new();
	cr_assert_eq(config_set(cfg, "engine.grace", "300ms", NULL), IRK_OK);
}

static void teardown(void)
{
	config_free(&cfg);
	tmp_cleanup();
}

TestSuite(exec, .init = setup, .fini = teardown);

Test(exec, template_value_is_one_literal_argument)
{
	/* What an attacker would put in an alert field. */
	const char *evil = "$(touch pwned); touch pwned2 `touch pwned3` | touch pwned4";
	const char *fields[] = { "alert.host", evil, NULL };
	struct run_result r;
	char def[1024], *so, *p1, *p2;

	snprintf(def, sizeof def, "{\"argv\": [\"printf\", \"[%%s]\\n\", \"{{alert.host}}\"], "
		 "\"cwd\": \"%s\"}", tmp_dir());
	cr_assert_eq(testlib_run("exec", def, cfg, fields, &r), RUN_DONE, "%s", r.why);
	so = testlib_get(r.output.buf, "stdout");
	cr_assert_str_eq(so, "[$(touch pwned); touch pwned2 `touch pwned3` | touch pwned4]");
	p1 = tmp_path("pwned");
	p2 = tmp_path("pwned2");
	cr_assert(access(p1, F_OK) != 0, "a shell ran: %s exists", p1);
	cr_assert(access(p2, F_OK) != 0, "a shell ran: %s exists", p2);
	free(so);
	free(p1);
	free(p2);
	run_result_free(&r);
}

Test(exec, a_template_inside_an_element_stays_in_that_element)
{
	const char *fields[] = { "alert.user", "bob --force", NULL };
	struct run_result r;

	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"printf\", \"%s|\", \"--user={{alert.user}}\", "
				 "\"x\"]}", cfg, fields, &r), RUN_DONE, "%s", r.why);
	cr_assert_str_eq(r.output.buf, "{\"stdout\":\"--user=bob --force|x|\"}");
	run_result_free(&r);
}

Test(exec, environment_is_clean)
{
	struct run_result r;
	char *so;

	setenv("IRK_TEST_LEAK", "from-the-parent", 1);
	setenv("LD_PRELOAD", "", 1);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"env\"], \"env\": {\"MODE\": \"dry\"}}", cfg,
				 NULL, &r), RUN_DONE, "%s", r.why);
	so = testlib_get(r.output.buf, "stdout");
	cr_assert_null(strstr(so, "IRK_TEST_LEAK"), "parent environment leaked: %s", so);
	cr_assert_null(strstr(so, "LD_PRELOAD"), "%s", so);
	cr_assert_not_null(strstr(so, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"), "%s", so);
	cr_assert_not_null(strstr(so, "LANG=C.UTF-8\n"), "%s", so);
	cr_assert_not_null(strstr(so, "\nMODE=dry"), "%s", so);
	cr_assert_not_null(strstr(so, "IRK_STEP=t\n"), "%s", so);
	cr_assert_not_null(strstr(so, "IRK_RUN="), "%s", so);
	/* Nothing else: PATH LANG HOME TMPDIR IRK_STEP IRK_ATTEMPT MODE IRK_RUN. */
	int lines = 0;
	for (const char *p = so; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 7, "unexpected variables:\n%s", so);   /* last has no \n */
	free(so);
	run_result_free(&r);
}

Test(exec, no_descriptor_of_ours_is_inherited)
{
	struct run_result r;
	int fd = open("/dev/null", O_RDONLY);   /* without O_CLOEXEC on purpose */

	cr_assert_geq(fd, 3);
	/* ls holds one more for the directory it lists. */
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"ls\", \"/proc/self/fd\"]}", cfg, NULL, &r),
		     RUN_DONE, "%s", r.why);
	cr_assert_str_eq(r.output.buf, "{\"stdout\":\"0\\n1\\n2\\n3\"}");
	close(fd);
	run_result_free(&r);
}

Test(exec, runs_in_a_private_directory_that_is_removed)
{
	struct run_result r;
	char *so;
	struct stat sb;

	cr_assert_eq(config_set(cfg, "engine.tmpdir", tmp_dir(), NULL), IRK_OK);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"pwd\"]}", cfg, NULL, &r), RUN_DONE);
	so = testlib_get(r.output.buf, "stdout");
	cr_assert(!strncmp(so, tmp_dir(), strlen(tmp_dir())), "ran in %s", so);
	cr_assert(strstr(so, "/irk-step."), "%s", so);
	cr_assert_neq(stat(so, &sb), 0, "working directory %s left behind", so);
	free(so);
	run_result_free(&r);
}

Test(exec, json_stdout_becomes_the_output)
{
	struct run_result r;

	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"printf\", \"  {\\\"count\\\": 3, "
				 "\\\"host\\\": \\\"web-01\\\", \\\"tags\\\": [1, 2]}\\n\"]}",
				 cfg, NULL, &r), RUN_DONE, "%s", r.why);
	cr_assert_str_eq(r.output.buf, "{\"count\":3,\"host\":\"web-01\",\"tags\":[1,2]}");
	run_result_free(&r);
}

Test(exec, broken_json_stdout_is_kept_as_text_and_noted)
{
	struct run_result r;
	char *je;

	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"printf\", \"{\\\"count\\\": 3,\"]}",
				 cfg, NULL, &r), RUN_DONE, "%s", r.why);
	cr_assert_str_eq(r.output.buf, "{\"stdout\":\"{\\\"count\\\": 3,\"}");
	je = testlib_get(r.log.buf, "json_error");
	cr_assert(strstr(je, "does not parse"), "log: %s", r.log.buf);
	free(je);
	run_result_free(&r);
}

Test(exec, nonzero_exit_fails_with_status_and_stderr)
{
	struct run_result r;
	char *ex;

	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"sh\", \"-c\", \"echo no such host >&2; exit 3\"]}",
				 cfg, NULL, &r), RUN_FAILED);
	cr_assert_str_eq(r.why, "exit status 3: no such host");
	cr_assert_eq(r.permanent, 0);
	ex = testlib_get(r.log.buf, "exit");
	cr_assert_str_eq(ex, "3");
	free(ex);
	run_result_free(&r);
}

Test(exec, timeout_kills_the_whole_process_group)
{
	struct run_result r;
	char def[512], *pidfile = tmp_path("bg.pid"), *pid;
	time_t t0 = time(NULL);

	/* A background child in the same group must die with the program. */
	snprintf(def, sizeof def, "{\"argv\": [\"sh\", \"-c\", \"sleep 60 & echo $! > %s; wait\"], "
		 "\"timeout\": 1}", pidfile);
	cr_assert_eq(testlib_run("exec", def, cfg, NULL, &r), RUN_FAILED);
	cr_assert(r.timed_out);
	cr_assert(!strncmp(r.why, "timeout: killed after 1s", 24), "%s", r.why);
	cr_assert_lt(time(NULL) - t0, 5, "the timeout did not stop it in time");
	pid = testlib_slurp(pidfile);
	cr_assert_not_null(pid);
	cr_assert(testlib_gone(atol(pid), 2000), "background process %s survived", pid);
	free(pid);
	free(pidfile);
	run_result_free(&r);
}

/* Run def (an exec step whose program leaves processes in a session of
 * their own and writes their pids to the files named in pidfiles), then
 * check that none of them is alive. Any that is gets killed, so a failing
 * test leaves nothing behind. */
static void assert_none_outlives(const char *def, const char *const *pidfiles)
{
	struct run_result r;
	long alive[4] = { 0 };
	int n = 0;

	proc_reaper();
	cr_assert_eq(testlib_run("exec", def, cfg, NULL, &r), RUN_DONE, "%s", r.why);
	for (int i = 0; pidfiles[i]; i++) {
		char *pid = testlib_slurp(pidfiles[i]);
		cr_assert_not_null(pid, "%s was not written", pidfiles[i]);
		if (testlib_alive(atol(pid)))
			alive[n++] = atol(pid);
		free(pid);
	}
	for (int i = 0; i < n; i++)
		kill((pid_t)alive[i], SIGKILL);
	run_result_free(&r);
	cr_assert_eq(n, 0, "process %ld, in a session of its own, outlived the step", alive[0]);
}

/* A program that puts a process in a session of its own (setsid, as a
 * daemon does) and ends: the process is not in the group, yet neither it
 * nor what it started outlives the step. The program waits until the
 * escape is done (the pid files are written after setsid). */
Test(exec, a_process_that_left_the_group_does_not_outlive_the_step)
{
	char def[1024], *pidfile = tmp_path("escaped.pid"), *kidfile = tmp_path("kid.pid");
	const char *files[] = { pidfile, kidfile, NULL };

	snprintf(def, sizeof def, "{\"argv\": [\"sh\", \"-c\", \"setsid sh -c 'sleep 300 & "
		 "echo $! > %s.tmp; mv %s.tmp %s; echo $$ > %s.tmp; mv %s.tmp %s; exec sleep 301' & "
		 "while [ ! -s %s ]; do :; done\"]}",
		 kidfile, kidfile, kidfile, pidfile, pidfile, pidfile, pidfile);
	assert_none_outlives(def, files);
	free(pidfile);
	free(kidfile);
}

/* The mark is found in a large environment too (an alert's raw record in
 * a variable, more than a page of it). Found by review: only the first
 * 16 KiB were read, and the mark came last. */
Test(exec, a_process_that_left_the_group_with_a_large_environment_does_not_outlive_the_step)
{
	char *def, *big = malloc(40001), *pidfile = tmp_path("escaped.pid");
	const char *files[] = { pidfile, NULL };
	size_t n = 40000 + 1024;

	memset(big, 'x', 40000);
	big[40000] = '\0';
	def = malloc(n);
	snprintf(def, n, "{\"argv\": [\"sh\", \"-c\", \"setsid sh -c 'echo $$ > %s.tmp; mv %s.tmp %s; "
		 "exec sleep 300' & while [ ! -s %s ]; do :; done\"], \"env\": {\"BIG\": \"%s\"}}",
		 pidfile, pidfile, pidfile, pidfile, big);
	assert_none_outlives(def, files);
	free(def);
	free(big);
	free(pidfile);
}

Test(exec, sigterm_ignored_gets_sigkill_after_the_grace)
{
	struct run_result r;

	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"sh\", \"-c\", \"trap '' TERM; "
				 "while :; do sleep 0.05; done\"], \"timeout\": 1}", cfg, NULL, &r),
		     RUN_FAILED);
	cr_assert(r.timed_out);
	cr_assert(strstr(r.why, "killed by SIGKILL"), "%s", r.why);
	run_result_free(&r);
}

Test(exec, output_capture_is_capped_and_truncation_recorded)
{
	struct run_result r;
	json_t *log;

	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"sh\", \"-c\", \"head -c 300000 /dev/zero | "
				 "tr '\\\\0' x; head -c 70000 /dev/zero | tr '\\\\0' y >&2\"]}",
				 cfg, NULL, &r), RUN_DONE, "%s", r.why);
	log = testlib_json(r.log.buf);
	cr_assert_eq(json_integer_value(json_object_get(log, "stdout_bytes")), 300000);
	cr_assert_eq(strlen(json_string_value(json_object_get(log, "stdout"))), RUN_CAPTURE_MAX);
	cr_assert(json_is_true(json_object_get(log, "stdout_truncated")));
	cr_assert_eq(json_integer_value(json_object_get(log, "stderr_bytes")), 70000);
	cr_assert_eq(strlen(json_string_value(json_object_get(log, "stderr"))), RUN_CAPTURE_MAX);
	cr_assert(json_is_true(json_object_get(log, "stderr_truncated")));
	json_decref(log);
	run_result_free(&r);
}

static int ticks;
static int stop_on_second_tick(void *arg)
{
	(void)arg;
	return ++ticks >= 2;
}

Test(exec, tick_cancels_and_kills)
{
	struct step_row st = { .kind = "exec", .step_id = "t",
		.def = "{\"argv\": [\"sleep\", \"30\"]}" };
	struct run_env env = { .cfg = cfg, .step = &st, .cancel_fd = -1,
		.tick = stop_on_second_tick, .tick_ms = 50 };
	struct run_result r;
	time_t t0 = time(NULL);

	run_result_init(&r);
	cr_assert_eq(run_step(&env, &r), RUN_CANCELLED);
	cr_assert_eq(ticks, 2);
	cr_assert(strstr(r.why, "killed by SIGTERM"), "%s", r.why);
	cr_assert_lt(time(NULL) - t0, 5);
	run_result_free(&r);
}

Test(exec, cancel_fd_stops_at_once)
{
	struct step_row st = { .kind = "exec", .step_id = "t",
		.def = "{\"argv\": [\"sleep\", \"30\"]}" };
	int fd = eventfd(1, EFD_CLOEXEC);
	struct run_env env = { .cfg = cfg, .step = &st, .cancel_fd = fd, .tick_ms = 1000 };
	struct run_result r;

	run_result_init(&r);
	cr_assert_eq(run_step(&env, &r), RUN_CANCELLED);
	cr_assert_lt(r.ms, 2000);
	close(fd);
	run_result_free(&r);
}

Test(exec, unknown_program_and_unknown_field_fail_for_good)
{
	struct run_result r;

	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"no-such-program-xyz\"]}", cfg, NULL, &r),
		     RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert_str_eq(r.why, "program 'no-such-program-xyz' not found in engine.path");
	run_result_free(&r);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"echo\", \"{{alert.hots}}\"]}", cfg, NULL, &r),
		     RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert(!strncmp(r.why, "argv[1]: ", 9) && strstr(r.why, "alert.hots"), "%s", r.why);
	run_result_free(&r);
}

Test(exec, path_comes_from_engine_path_not_the_parent)
{
	struct run_result r;
	char *bin = tmp_path("bin"), *prog, def[256];

	cr_assert_eq(mkdir(bin, 0700), 0);
	prog = tmp_write("bin/site-tool", "#!/bin/sh\necho site tool\n", 25, 0700);
	setenv("PATH", bin, 1);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"site-tool\"]}", cfg, NULL, &r), RUN_FAILED);
	run_result_free(&r);
	snprintf(def, sizeof def, "/bin:%s", bin);
	cr_assert_eq(config_set(cfg, "engine.path", def, NULL), IRK_OK);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"site-tool\"]}", cfg, NULL, &r), RUN_DONE,
		     "%s", r.why);
	cr_assert_str_eq(r.output.buf, "{\"stdout\":\"site tool\"}");
	run_result_free(&r);
	free(prog);
	free(bin);
}

Test(exec, secrets_only_in_env_and_never_recorded)
{
	struct run_result r;
	json_t *log;

	setenv("IRK_SECRET_API_TOKEN", "s3cr3t-T0KEN-value", 1);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"echo\", \"{{secret.api-token}}\"]}", cfg,
				 NULL, &r), RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert(strstr(r.why, "only in http headers and exec env"), "%s", r.why);
	run_result_free(&r);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"sh\", \"-c\", \"echo token=$TOKEN; "
				 "echo $TOKEN >&2; exit 1\"], \"env\": {\"TOKEN\": "
				 "\"{{secret.api-token}}\"}}", cfg, NULL, &r), RUN_FAILED);
	cr_assert_null(strstr(r.output.buf, "s3cr3t"), "%s", r.output.buf);
	cr_assert_null(strstr(r.log.buf, "s3cr3t"), "%s", r.log.buf);
	cr_assert_null(strstr(r.why, "s3cr3t"), "%s", r.why);
	cr_assert_str_eq(r.output.buf, "{\"stdout\":\"token=(secret)\"}");
	log = testlib_json(r.log.buf);
	cr_assert_str_eq(json_string_value(json_object_get(log, "stderr")), "(secret)\n");
	json_decref(log);
	run_result_free(&r);
}

#define SECRET "SUPERSECRETTOKEN-2b9f"

/* Every piece of what the step recorded holds no 4 bytes of the secret. */
static void assert_no_fragment(const struct run_result *r)
{
	cr_assert_eq(testlib_fragment(r->why, SECRET, 4), 0, "why: %s", r->why);
	cr_assert_eq(testlib_fragment(r->output.buf, SECRET, 4), 0, "output: %.300s...",
		     r->output.buf + (r->output.len > 300 ? r->output.len - 300 : 0));
	cr_assert_eq(testlib_fragment(r->log.buf, SECRET, 4), 0, "log ends: ...%s",
		     r->log.buf + (r->log.len > 400 ? r->log.len - 400 : 0));
}

Test(exec, a_secret_cut_by_the_one_line_reason_leaves_no_fragment)
{
	struct run_result r;

	setenv("IRK_SECRET_TOKEN", SECRET, 1);
	/* 190 zeros and the secret: the reason's 199 bytes end in its middle. */
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"sh\", \"-c\", \"printf '%0190d%s\\\\n' 0 "
				 "\\\"$TOK\\\" >&2; exit 3\"], \"env\": {\"TOK\": \"{{secret.token}}\"}}",
				 cfg, NULL, &r), RUN_FAILED);
	cr_assert(!strncmp(r.why, "exit status 3: 0000", 19), "%s", r.why);
	assert_no_fragment(&r);
	cr_assert(strstr(r.why, "0(secret)"), "%s", r.why);
	run_result_free(&r);
}

Test(exec, a_secret_cut_by_the_capture_limit_leaves_no_fragment)
{
	struct run_result r;
	json_t *log;

	setenv("IRK_SECRET_TOKEN", SECRET, 1);
	/* The 64 KiB kept of each stream end 5 bytes into the secret. */
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"sh\", \"-c\", \"printf '%065531d%s\\\\n' 0 "
				 "\\\"$TOK\\\"; printf '%065531d%s\\\\n' 0 \\\"$TOK\\\" >&2\"], \"env\": "
				 "{\"TOK\": \"{{secret.token}}\"}}", cfg, NULL, &r), RUN_DONE, "%s", r.why);
	assert_no_fragment(&r);
	log = testlib_json(r.log.buf);
	cr_assert(json_is_true(json_object_get(log, "stdout_truncated")), "%s", r.log.buf);
	cr_assert(json_is_true(json_object_get(log, "stderr_truncated")));
	cr_assert_eq(json_integer_value(json_object_get(log, "stdout_bytes")),
		     65531 + strlen(SECRET) + 1);
	/* Only the piece of the secret went: the zeros are all there. */
	cr_assert_eq(strlen(json_string_value(json_object_get(log, "stdout"))), 65531);
	cr_assert_eq(strlen(json_string_value(json_object_get(log, "stderr"))), 65531);
	json_decref(log);
	run_result_free(&r);
}

Test(exec, a_whole_secret_in_a_capture_that_shrinks_is_not_called_truncated)
{
	struct run_result r;
	json_t *log;

	setenv("IRK_SECRET_TOKEN", SECRET, 1);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"sh\", \"-c\", \"echo \\\"$TOK\\\" >&2\"], "
				 "\"env\": {\"TOK\": \"{{secret.token}}\"}}", cfg, NULL, &r),
		     RUN_DONE, "%s", r.why);
	log = testlib_json(r.log.buf);
	cr_assert_str_eq(json_string_value(json_object_get(log, "stderr")), "(secret)\n");
	cr_assert(json_is_false(json_object_get(log, "stderr_truncated")), "%s", r.log.buf);
	json_decref(log);
	run_result_free(&r);
}

/* A secret nobody set: the step says which and where it is looked for. */
Test(exec, a_secret_nobody_set_is_named)
{
	struct run_result r;

	unsetenv("IRK_SECRET_NOPE");
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"true\"], \"env\": {\"T\": \"{{secret.nope}}\"}}", cfg,
				 NULL, &r), RUN_FAILED);
	cr_assert(r.permanent);
	/* The variable named whole (issue 13: "IRK_SECRET_" alone left the
	 * reader to guess the rest). */
	cr_assert(strstr(r.why, "secret.nope is not set: set IRK_SECRET_NOPE in irk's environment, "
			 "or nope in the [secrets] section of irk.conf"), "%s", r.why);
	run_result_free(&r);
}

Test(exec, secret_from_the_config)
{
	struct run_result r;

	cr_assert_eq(config_set(cfg, "secrets.edr", "cfg-secret-42", NULL), IRK_OK);
	cr_assert_eq(testlib_run("exec", "{\"argv\": [\"printenv\", \"K\"], \"env\": {\"K\": "
				 "\"Bearer {{secret.edr}}\"}}", cfg, NULL, &r), RUN_DONE, "%s", r.why);
	cr_assert_str_eq(r.output.buf, "{\"stdout\":\"Bearer (secret)\"}");
	run_result_free(&r);
}
