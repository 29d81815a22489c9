/* test_engine.c: the sequencer on a real database file: claimed steps run
 * and are recorded (each change an audit event), the incident advances,
 * several engines run each step once, failures are retried with backoff,
 * expired leases are recovered (retry, or waiting for a person), closing
 * the incident and stopping the engine kill the running program and are
 * recorded, the UI descriptor wakes. Leases and polls are short so the
 * tests are fast; every wait polls with a deadline. */
#include <fcntl.h>

#include "engine_testlib.h"
#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/engine.h"
#include "irk/incident.h"
#include "irk/model.h"
#include "irk/play.h"

static struct store *s;
static struct config *cfg;
static char *db;

static void setup(void)
{
	struct irk_err err = { 0 };

	s = tmp_store("engine.db");
	db = tmp_path("engine.db");
	cfg = config_new();
	cr_assert_eq(config_set(cfg, "engine.poll", "50ms", NULL), IRK_OK);
	cr_assert_eq(config_set(cfg, "engine.lease", "2s", NULL), IRK_OK);
	cr_assert_eq(config_set(cfg, "engine.grace", "300ms", NULL), IRK_OK);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "alice", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
}

static void teardown(void)
{
	store_close(&s);
	config_free(&cfg);
	free(db);
	tmp_cleanup();
}

TestSuite(engine, .init = setup, .fini = teardown, .timeout = 30);

/* A new incident on host (rule r) running play src. */
static int64_t open_play(const char *src, const char *rule, const char *host)
{
	struct alert a = { .format = FMT_ECS, .rule_id = rule, .rule_name = rule,
		.severity = SEV_HIGH, .host = host, .event_time = irk_now() };

	return testlib_open_play(s, src, &a, 1);
}

struct got {
	int state, attempts;
	char output[4096], error[512], reason[256];
	int64_t next_attempt, lease_until;
};

static int got_step(const struct step_row *r, void *arg)
{
	struct got *g = arg;

	g->state = r->state;
	g->attempts = r->attempts;
	g->next_attempt = r->next_attempt;
	g->lease_until = r->lease_until;
	irk_strlcpy(g->output, r->output ? r->output : "", sizeof g->output);
	irk_strlcpy(g->error, r->error ? r->error : "", sizeof g->error);
	irk_strlcpy(g->reason, r->reason ? r->reason : "", sizeof g->reason);
	return 0;
}

static struct got step(int64_t id, const char *sid)
{
	struct got g = { -1, 0, "", "", "", 0, 0 };
	struct irk_err err = { 0 };

	cr_assert_eq(store_step_get(s, id, sid, 0, got_step, &g, &err), IRK_OK, "%s", err.msg);
	return g;
}

/* Poll until step sid of incident id is in state, at most secs. */
static struct got wait_state(int64_t id, const char *sid, int state, int secs)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct got g;

	for (int i = 0; i < secs * 50; i++) {
		g = step(id, sid);
		if (g.state == state)
			return g;
		nanosleep(&ts, NULL);   /* a poll interval; the condition is re-read */
	}
	cr_assert_fail("step %s stayed %s (want %s; error %s)", sid, step_state_name(g.state),
		 step_state_name(state), g.error);
	return g;
}

static struct engine *start(void)
{
	struct irk_err err = { 0 };
	struct engine *e = engine_start(db, cfg, &err);

	cr_assert_not_null(e, "%s", err.msg);
	return e;
}

/* The kinds of the audit events of an incident, space-separated. */
static int add_kind(const struct event_row *ev, void *arg)
{
	strbuf_printf(arg, "%s ", ev->kind);
	return 0;
}

static char *events(int64_t id)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_result ar;

	cr_assert_eq(audit_verify(s, &ar, NULL), IRK_OK, "audit chain broken: %s", ar.reason);
	cr_assert_eq(audit_each(s, id, 0, add_kind, &sb, NULL), IRK_OK);
	return strbuf_detach(&sb);
}

static int64_t lines_of(const char *path)
{
	char *t = testlib_slurp(path);
	int64_t n = 0;

	for (const char *p = t; p && *p; p++)
		n += *p == '\n';
	free(t);
	return n;
}

#define PLAY_HEAD(id) "{\"play\": \"" id "\", \"name\": \"" id "\", \"version\": 1, " \
	"\"match\": \"rule == 'x'\", \"steps\": ["

Test(engine, set_then_exec_chain_runs_in_order_and_is_audited)
{
	struct engine *e;
	struct incident inc;
	struct got g;
	char *ev;
	int64_t id = open_play(PLAY_HEAD("chain")
		"{\"id\": \"tag\", \"stage\": \"new\", \"kind\": \"set\", \"fields\": "
		"{\"category\": \"malware\", \"business_unit\": \"web-{{alert.host}}\"}},"
		"{\"id\": \"probe\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Probe\", "
		"\"needs\": [\"tag\"], \"argv\": [\"printf\", \"{\\\"seen\\\": \\\"%s\\\"}\", "
		"\"{{incident.business_unit}}\"]},"
		"{\"id\": \"use\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Use\", "
		"\"needs\": [\"probe\"], \"argv\": [\"echo\", \"{{steps.probe.output.seen}}\"]}]}",
		"x", "01");

	e = start();
	g = wait_state(id, "use", STEP_DONE, 10);
	engine_stop(&e);
	cr_assert_str_eq(g.output, "{\"stdout\":\"web-01\"}");
	cr_assert_str_eq(step(id, "probe").output, "{\"seen\":\"web-01\"}");
	cr_assert_eq(store_incident_get(s, id, &inc, NULL), IRK_OK);
	cr_assert_str_eq(inc.category, "malware");
	incident_clear(&inc);
	ev = events(id);
	/* Every change: ready -> running -> done, for each step. */
	cr_assert(strstr(ev, "step.ready step.running incident.set step.done step.ready "
			 "step.running step.done step.ready step.running step.done"), "%s", ev);
	free(ev);
}

Test(engine, several_engines_run_each_step_once)
{
	struct engine *e[3];
	char *out = tmp_path("runs.log"), src[2048];
	int64_t ids[24];

	snprintf(src, sizeof src, PLAY_HEAD("once")
		 "{\"id\": \"append\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Append\", "
		 "\"argv\": [\"sh\", \"-c\", \"echo $IRK_INCIDENT >> %s\"]}]}", out);
	for (int i = 0; i < 3; i++)
		e[i] = start();
	for (int i = 0; i < 24; i++)
		ids[i] = open_play(src, "x", "h1");
	for (int i = 0; i < 24; i++)
		wait_state(ids[i], "append", STEP_DONE, 15);
	for (int i = 0; i < 3; i++)
		engine_stop(&e[i]);
	cr_assert_eq(lines_of(out), 24, "each step must run exactly once");
	for (int i = 0; i < 24; i++)
		cr_assert_eq(step(ids[i], "append").attempts, 1);
	free(out);
}

Test(engine, failure_is_retried_with_backoff_then_fails)
{
	struct engine *e;
	struct got g;
	char *out = tmp_path("tries.log"), src[1024];
	int64_t id, t0 = testlib_mono_ms();

	snprintf(src, sizeof src, PLAY_HEAD("retry")
		 "{\"id\": \"flaky\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Flaky\", "
		 "\"retry\": 2, \"backoff\": 1, \"argv\": [\"sh\", \"-c\", "
		 "\"echo try >> %s; echo nope >&2; exit 4\"]}]}", out);
	id = open_play(src, "x", "h1");
	e = start();
	g = wait_state(id, "flaky", STEP_FAILED, 15);
	engine_stop(&e);
	cr_assert_eq(g.attempts, 3);
	cr_assert_eq(lines_of(out), 3);
	cr_assert_str_eq(g.error, "exit status 4: nope");
	/* Backoff at least 1 s, then 2 s. */
	cr_assert_geq(testlib_mono_ms() - t0, 3000);
	free(out);
}

Test(engine, timeout_fails_the_step)
{
	struct engine *e;
	struct got g;
	int64_t id = open_play(PLAY_HEAD("slow")
		"{\"id\": \"hang\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Hang\", "
		"\"timeout\": 1, \"argv\": [\"sleep\", \"30\"]}]}", "x", "h1");

	e = start();
	g = wait_state(id, "hang", STEP_FAILED, 10);
	engine_stop(&e);
	cr_assert(!strncmp(g.error, "timeout: killed after 1s", 24), "%s", g.error);
}

/* A lease left by a process that died (claimed, never renewed). */
static void orphan(int64_t id, const char *sid)
{
	struct irk_err err = { 0 };
	struct got g;
	int64_t now = irk_now();

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_step_claim(s, "deadhost:1:0000/w0", now - 10, now - 5, NULL, NULL, &err),
		     IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	g = step(id, sid);
	cr_assert_eq(g.state, STEP_RUNNING);
}

Test(engine, expired_lease_non_idempotent_waits_for_a_person)
{
	struct engine *e;
	struct got g;
	char *out = tmp_path("ran.log"), src[1024], *ev;
	int64_t id;

	snprintf(src, sizeof src, PLAY_HEAD("lease")
		 "{\"id\": \"isolate\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Isolate\", "
		 "\"argv\": [\"sh\", \"-c\", \"echo ran >> %s\"]}]}", out);
	id = open_play(src, "x", "h1");
	orphan(id, "isolate");
	e = start();
	g = wait_state(id, "isolate", STEP_WAITING, 10);
	engine_stop(&e);
	cr_assert(strstr(g.error, "the lease of deadhost:1:0000/w0 expired"), "%s", g.error);
	cr_assert(strstr(g.error, "retry or skip"), "%s", g.error);
	cr_assert_eq(lines_of(out), 0, "a non-idempotent step must not run again by itself");
	ev = events(id);
	cr_assert(strstr(ev, "step.waiting"), "%s", ev);
	free(ev);
	free(out);
}

Test(engine, expired_lease_idempotent_is_retried)
{
	struct engine *e;
	struct got g;
	char *out = tmp_path("ran.log"), src[1024];
	int64_t id;

	snprintf(src, sizeof src, PLAY_HEAD("lease")
		 "{\"id\": \"collect\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Collect\", "
		 "\"retry\": 1, \"backoff\": 1, \"argv\": [\"sh\", \"-c\", \"echo ran >> %s\"]}]}", out);
	id = open_play(src, "x", "h1");
	orphan(id, "collect");
	e = start();
	g = wait_state(id, "collect", STEP_DONE, 10);
	engine_stop(&e);
	cr_assert_eq(g.attempts, 2);
	cr_assert_eq(lines_of(out), 1);
	free(out);
}

static int64_t read_pid(const char *path, int secs)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < secs * 50; i++) {
		char *t = testlib_slurp(path);
		int64_t pid = t && strchr(t, '\n') ? atoll(t) : 0;
		free(t);
		if (pid > 0)
			return pid;
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("%s never held a pid", path);
	return 0;
}

Test(engine, closing_the_incident_kills_the_running_program)
{
	struct engine *e;
	struct actor alice = { "alice", ROLE_SENIOR };
	struct irk_err err = { 0 };
	struct got g;
	char *pidf = tmp_path("pid"), src[1024];
	int64_t id, pid;

	snprintf(src, sizeof src, PLAY_HEAD("cancel")
		 "{\"id\": \"long\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Long\", "
		 "\"argv\": [\"sh\", \"-c\", \"echo $$ > %s; exec sleep 30\"]}]}", pidf);
	id = open_play(src, "x", "h1");
	e = start();
	pid = read_pid(pidf, 10);
	cr_assert(testlib_alive(pid));
	cr_assert_eq(incident_close(s, &alice, id, RES_FALSE_POSITIVE, "test", 1, 0, &err), IRK_OK,
		     "%s", err.msg);
	g = wait_state(id, "long", STEP_SKIPPED, 10);
	cr_assert(testlib_gone(pid, 3000), "the program outlived its incident");
	engine_stop(&e);
	cr_assert(strstr(g.reason, "cancelled"), "%s", g.reason);
	free(pidf);
}

Test(engine, stopping_kills_and_records_the_running_step)
{
	struct engine *e;
	struct got g;
	char *pidf = tmp_path("pid"), *pidf2 = tmp_path("pid2"), src[2048];
	int64_t id, id2, pid, pid2;

	snprintf(src, sizeof src, PLAY_HEAD("stop")
		 "{\"id\": \"long\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Long\", "
		 "\"argv\": [\"sh\", \"-c\", \"echo $$ > %s; exec sleep 30\"]}]}", pidf);
	id = open_play(src, "x", "h1");
	snprintf(src, sizeof src, PLAY_HEAD("stop2")
		 "{\"id\": \"again\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Again\", "
		 "\"retry\": 3, \"argv\": [\"sh\", \"-c\", \"echo $$ > %s; exec sleep 30\"]}]}", pidf2);
	id2 = open_play(src, "x", "h2");
	e = start();
	pid = read_pid(pidf, 10);
	pid2 = read_pid(pidf2, 10);
	engine_stop(&e);
	cr_assert(testlib_gone(pid, 3000));
	cr_assert(testlib_gone(pid2, 3000));
	g = step(id, "long");
	cr_assert_eq(g.state, STEP_WAITING, "%s", step_state_name(g.state));
	cr_assert(strstr(g.error, "killed by SIGTERM"), "%s", g.error);
	g = step(id2, "again");
	cr_assert_eq(g.state, STEP_READY, "a step with retries goes back to the queue");
	free(pidf);
	free(pidf2);
}

Test(engine, notify_queues_a_message_and_wakes_the_ui)
{
	struct engine *e;
	struct pollfd pf;
	int64_t id = open_play(PLAY_HEAD("tell")
		"{\"id\": \"tell\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": [\"role:Senior\", "
		"\"owner\"], \"text\": \"{{incident.key}}: duplicate process on {{alert.host}}\"}]}",
		"x", "web-01");

	e = start();
	pf = (struct pollfd){ engine_fd(e), POLLIN, 0 };
	cr_assert_gt(poll(&pf, 1, 10000), 0, "engine_fd never became readable");
	wait_state(id, "tell", STEP_DONE, 10);
	engine_drain(e);
	engine_stop(&e);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM outbox WHERE recipient = 'role:senior' "
				  "AND text = 'IR-1: duplicate process on web-01'"), 1);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM outbox"), 1,
		     "owner is nobody yet: the seniors, once (role:Senior is role:senior)");
	/* A senior's board finds it. Found by review: a role written with a
	 * capital reached nobody. */
	cr_assert_eq(store_inbox_unseen(s, "dana", ROLE_SENIOR, NULL, NULL), 1);
}

Test(engine, a_template_error_fails_for_good)
{
	struct engine *e;
	struct got g;
	int64_t id = open_play(PLAY_HEAD("bad")
		"{\"id\": \"b\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"B\", \"retry\": 3, "
		"\"argv\": [\"echo\", \"{{incident.vector}}\"]}]}", "x", "h1");

	e = start();
	g = wait_state(id, "b", STEP_FAILED, 10);
	engine_stop(&e);
	cr_assert_eq(g.attempts, 1, "retrying cannot fix a template");
	/* It names the value that is missing, not a position in the template
	 * (found by a new-user trial: "argv[1]: unknown field ... at 1:3"). */
	cr_assert_str_eq(g.error, "argv[1]: {{incident.vector}} has no value for this incident (its "
			 "alert or an earlier step does not have it)");
}

Test(engine, a_ready_step_of_a_closed_incident_is_not_run)
{
	struct engine *e;
	struct actor alice = { "alice", ROLE_SENIOR };
	struct irk_err err = { 0 };
	struct got g;
	char *out = tmp_path("ran.log"), src[1024];
	int64_t id;

	snprintf(src, sizeof src, PLAY_HEAD("late")
		 "{\"id\": \"contain\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Contain\", "
		 "\"argv\": [\"sh\", \"-c\", \"echo ran >> %s\"]}]}", out);
	id = open_play(src, "x", "h1");
	cr_assert_eq(step(id, "contain").state, STEP_READY);
	/* Closed by a process that does not advance steps. */
	cr_assert_eq(incident_close(s, &alice, id, RES_BENIGN, "test", 1, 0, &err), IRK_OK, "%s",
		     err.msg);
	e = start();
	g = wait_state(id, "contain", STEP_SKIPPED, 10);
	engine_stop(&e);
	cr_assert_eq(lines_of(out), 0, "a closed incident's step ran");
	cr_assert_str_eq(g.reason, "cancelled: the incident was closed");
	free(out);
}

Test(engine, start_fails_clearly_without_a_database)
{
	struct irk_err err = { 0 };
	char *missing = tmp_path("nope.db");

	cr_assert_null(engine_start(missing, cfg, &err));
	cr_assert(strstr(err.msg, "no database here"), "%s", err.msg);
	cr_assert_eq(engine_fd(NULL), -1);
	engine_stop(NULL);
	free(missing);
}

Test(engine, a_relative_program_is_the_plays_own)
{
	struct engine *e;
	struct got g;
	char *bin = tmp_path("bin"), *tool;
	int64_t id;

	cr_assert_eq(mkdir(bin, 0700), 0);
	tool = tmp_write("bin/irk-tool", "#!/bin/sh\nprintf '{\"tool\": \"%s\"}' \"$1\"\n", 39, 0700);
	id = open_play(PLAY_HEAD("own")
		"{\"id\": \"t\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"T\", "
		"\"argv\": [\"bin/irk-tool\", \"{{alert.host}}\"]}]}", "x", "web-02");
	e = start();
	g = wait_state(id, "t", STEP_DONE, 10);
	engine_stop(&e);
	cr_assert_str_eq(g.output, "{\"tool\":\"web-02\"}");
	free(tool);
	free(bin);
}

Test(engine, a_persons_step_found_ready_is_handed_back)
{
	struct engine *e;
	struct got g;
	int64_t id = open_play(PLAY_HEAD("person")
		"{\"id\": \"look\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Look\"}]}",
		"x", "h1");

	cr_assert_eq(step(id, "look").state, STEP_WAITING);
	/* As an older irk or a hand edit might leave it. */
	store_scalar(s, "UPDATE steps SET state = 'ready' WHERE step_id = 'look'");
	cr_assert_eq(step(id, "look").state, STEP_READY);
	e = start();
	g = wait_state(id, "look", STEP_WAITING, 10);
	engine_stop(&e);
	cr_assert_eq(g.attempts, 0, "nothing was attempted");
}

/* A worker keeps one private directory for its programs (making and
 * removing one per step cost more than the rest of a step): each step
 * still starts in an empty directory of mode 0700, one that a step opened
 * up is replaced, and none is left when the engine stops. */
Test(engine, each_program_starts_in_an_empty_private_directory)
{
	struct engine *e;
	struct got g;
	char out[4][4096];
	const char *sid[] = { "dirty", "look", "open", "after" };
	struct stat sb;
	int64_t id = open_play(PLAY_HEAD("workdir")
		"{\"id\": \"dirty\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"D\", "
		"\"argv\": [\"sh\", \"-c\", \"touch left; mkdir -p sub/deeper; touch sub/deeper/f; "
		"chmod 0 sub; printf '{\\\"dir\\\": \\\"%s\\\"}' \\\"$PWD\\\"\"]},"
		"{\"id\": \"look\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"L\", "
		"\"needs\": [\"dirty\"], \"argv\": [\"sh\", \"-c\", \"printf '{\\\"dir\\\": "
		"\\\"%s\\\", \\\"ls\\\": \\\"%s\\\", \\\"mode\\\": \\\"%s\\\"}' \\\"$HOME\\\" "
		"\\\"$(ls -A)\\\" \\\"$(stat -c %a .)\\\"\"]},"
		"{\"id\": \"open\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"O\", "
		"\"needs\": [\"look\"], \"argv\": [\"sh\", \"-c\", \"chmod 755 \\\"$HOME\\\"; "
		"printf '{\\\"dir\\\": \\\"%s\\\"}' \\\"$HOME\\\"\"]},"
		"{\"id\": \"after\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"A\", "
		"\"needs\": [\"open\"], \"argv\": [\"sh\", \"-c\", \"printf '{\\\"dir\\\": "
		"\\\"%s\\\", \\\"mode\\\": \\\"%s\\\"}' \\\"$HOME\\\" \\\"$(stat -c %a .)\\\"\"]}]}",
		"x", "h1");

	/* One worker: the same one runs every step. */
	cr_assert_eq(config_set(cfg, "engine.workers", "1", NULL), IRK_OK);
	cr_assert_eq(config_set(cfg, "engine.tmpdir", tmp_dir(), NULL), IRK_OK);
	e = start();
	g = wait_state(id, "after", STEP_DONE, 10);
	engine_stop(&e);
	for (int i = 0; i < 4; i++) {
		char *d;
		g = step(id, sid[i]);
		cr_assert_eq(g.state, STEP_DONE, "%s: %s", sid[i], g.error);
		d = testlib_get(g.output, "dir");
		cr_assert(d && !strncmp(d, tmp_dir(), strlen(tmp_dir())), "%s ran in %s", sid[i], d);
		irk_strlcpy(out[i], d, sizeof out[i]);
		free(d);
	}
	g = step(id, "look");
	cr_assert_str_eq(out[1], out[0], "the directory is kept between steps");
	cr_assert(strstr(g.output, "\"ls\":\"\""), "what the last step left is gone: %s", g.output);
	cr_assert(strstr(g.output, "\"mode\":\"700\""), "%s", g.output);
	cr_assert_str_eq(out[2], out[1]);
	g = step(id, "after");
	cr_assert_str_neq(out[3], out[2], "a directory a step opened up is not used again");
	cr_assert(strstr(g.output, "\"mode\":\"700\""), "%s", g.output);
	for (int i = 0; i < 4; i++)
		cr_assert_neq(stat(out[i], &sb), 0, "%s left behind", out[i]);
}

static void keep_line(void *arg, const char *line)
{
	strbuf_printf(arg, "%s\n", line);
}

static void make_dir(const char *path)
{
	cr_assert_eq(mkdir(path, 0700), 0, "mkdir %s", path);
}

/* A process killed mid-step (kill -9) leaves its working directories:
 * the next engine to start removes those whose process is gone, and only
 * those (a live process's, another name, a symlink stay). */
Test(engine, start_removes_the_working_directories_of_dead_processes)
{
	struct strbuf log = STRBUF_INIT;
	struct engine_opts o = { .log = keep_line, .log_arg = &log };
	struct irk_err err = { 0 };
	struct engine *e;
	struct stat sb;
	char dead[4096], dead2[4096], mine[4096], init[4096], other[4096], link[4096], target[4096];
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (!pid)
		_exit(0);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	snprintf(dead, sizeof dead, "%s/irk-step.%d.aB3xYz", tmp_dir(), (int)pid);
	snprintf(dead2, sizeof dead2, "%s/irk-step.%d.q1w2e3", tmp_dir(), (int)pid);
	snprintf(mine, sizeof mine, "%s/irk-step.%d.mine00", tmp_dir(), (int)getpid());
	snprintf(init, sizeof init, "%s/irk-step.1.init00", tmp_dir());
	snprintf(other, sizeof other, "%s/irk-stepx.%d.aB3xYz", tmp_dir(), (int)pid);
	snprintf(link, sizeof link, "%s/irk-step.%d.link00", tmp_dir(), (int)pid);
	snprintf(target, sizeof target, "%s/target", tmp_dir());
	make_dir(dead);
	{
		char sub[4200], file[4300];
		snprintf(sub, sizeof sub, "%s/out", dead);
		make_dir(sub);
		snprintf(file, sizeof file, "%s/report.json", sub);
		FILE *f = fopen(file, "w");
		cr_assert_not_null(f);
		fputs("{}", f);
		fclose(f);
	}
	make_dir(dead2);
	make_dir(mine);
	make_dir(init);
	make_dir(other);
	make_dir(target);
	cr_assert_eq(symlink(target, link), 0);
	cr_assert_eq(config_set(cfg, "engine.tmpdir", tmp_dir(), NULL), IRK_OK);
	e = engine_start_opts(db, cfg, &o, &err);
	cr_assert_not_null(e, "%s", err.msg);
	engine_stop(&e);
	cr_assert_neq(stat(dead, &sb), 0, "%s (a dead process's, with files) is removed", dead);
	cr_assert_neq(stat(dead2, &sb), 0, "%s is removed", dead2);
	cr_assert_eq(stat(mine, &sb), 0, "this process's stays");
	cr_assert_eq(stat(init, &sb), 0, "a live process's (pid 1) stays");
	cr_assert_eq(stat(other, &sb), 0, "another name stays");
	cr_assert_eq(lstat(link, &sb), 0, "a symlink is not removed");
	cr_assert_eq(stat(target, &sb), 0, "nor what it points to");
	cr_assert(strstr(strbuf_str(&log), "removed 2 working directories left by irk processes "
				"that died"), "%s", strbuf_str(&log));
	strbuf_free(&log);
}

/* Poll (at most secs) until the file at path has n lines. */
static void wait_lines(const char *path, int64_t n, int secs)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < secs * 50 && lines_of(path) != n; i++)
		nanosleep(&ts, NULL);   /* a poll interval; the condition is re-read */
	cr_assert_eq(lines_of(path), n, "%s: want %lld lines", path, (long long)n);
}

/* Issue 9, defect 2: another writer holds the database while a step's
 * result is recorded, past the end of the lease. The result used to be
 * dropped ("database is locked") or the step taken for dead by another
 * engine once the lock was free, and a step with a retry ran twice. Now
 * the runner keeps its lease and records until the result lands; the other
 * engine sees that the lease's process is alive. */
Test(engine, a_result_lands_once_while_another_writer_holds_the_database, .timeout = 60)
{
	struct engine *a, *b;
	struct irk_err err = { 0 };
	struct got g;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char *started = tmp_path("started.log"), *ran = tmp_path("ran.log"), *gate = tmp_path("gate");
	char src[2048];
	int64_t id;
	int fd;

	cr_assert_eq(config_set(cfg, "engine.lease", "1s", NULL), IRK_OK);
	cr_assert_eq(mkfifo(gate, 0600), 0);
	snprintf(src, sizeof src, PLAY_HEAD("busy")
		 "{\"id\": \"collect\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Collect\", "
		 "\"retry\": 1, \"backoff\": 1, \"argv\": [\"sh\", \"-c\", "
		 "\"echo started >> %s; read x < %s; echo ran >> %s\"]}]}", started, gate, ran);
	id = open_play(src, "x", "h1");
	a = start();
	b = start();
	wait_lines(started, 1, 10);
	/* Hold the database; let the program end; its result waits. */
	cr_assert_eq(store_begin(s, &err), IRK_OK, "%s", err.msg);
	fd = open(gate, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "go\n", 3), 3);
	close(fd);
	wait_lines(ran, 1, 10);
	/* Until the lease has run out twice over, with both engines waiting. */
	for (int i = 0; i < 500; i++) {
		g = step(id, "collect");
		if (g.lease_until && g.lease_until + 1 < irk_now())
			break;
		nanosleep(&ts, NULL);   /* a poll interval; the condition is re-read */
	}
	cr_assert(g.lease_until + 1 < irk_now(), "the lease did not run out");
	cr_assert_eq(g.state, STEP_RUNNING);
	cr_assert_eq(store_commit(s, &err), IRK_OK, "%s", err.msg);
	g = wait_state(id, "collect", STEP_DONE, 15);
	engine_stop(&a);
	engine_stop(&b);
	cr_expect_eq(g.attempts, 1, "the step ran %d times", g.attempts);
	cr_expect_eq(lines_of(started), 1, "a live process was taken for dead");
	cr_expect_eq(lines_of(ran), 1);
	free(started);
	free(ran);
	free(gate);
}

/* Issue 9, defect 2: a lease that ran out is not a death while its
 * process (on this machine) is alive; the step was taken from it ("its
 * process stopped") and, with a retry, run twice. It is recovered once the
 * process is gone. */
Test(engine, a_live_process_is_never_taken_for_dead, .timeout = 60)
{
	struct engine *e;
	struct irk_err err = { 0 };
	struct got g;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char *out = tmp_path("ran.log"), src[1024], host[64] = "?", owner[128];
	int64_t id, now = irk_now();
	pid_t child;

	snprintf(src, sizeof src, PLAY_HEAD("alive")
		 "{\"id\": \"isolate\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Isolate\", "
		 "\"argv\": [\"sh\", \"-c\", \"echo ran >> %s\"]}]}", out);
	id = open_play(src, "x", "h1");
	child = fork();
	cr_assert_geq(child, 0);
	if (!child) {
		pause();
		_exit(0);
	}
	gethostname(host, sizeof host - 1);
	snprintf(owner, sizeof owner, "%s:%d:beef/w0", host, (int)child);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_step_claim(s, owner, now - 10, now - 5, NULL, NULL, &err), IRK_OK, "%s",
		     err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	e = start();
	/* Twenty keeper rounds (engine.poll 50ms): the step stays its. */
	for (int i = 0; i < 50; i++) {
		g = step(id, "isolate");
		if (g.state != STEP_RUNNING)
			break;
		nanosleep(&ts, NULL);   /* a poll interval; the condition is re-read */
	}
	cr_expect_eq(g.state, STEP_RUNNING, "taken from a live process: %s", g.error);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	g = wait_state(id, "isolate", STEP_WAITING, 10);
	engine_stop(&e);
	cr_expect(strstr(g.error, "expired"), "%s", g.error);
	cr_expect_eq(lines_of(out), 0);
	free(out);
}

/* ---- the open step (issue 12) --------------------------------------------- */

struct children {
	int64_t parent;
	char hosts[256];
};

static int child_of(const struct link_row *l, void *arg)
{
	struct children *c = arg;
	struct incident inc;

	if (l->a != c->parent || strcmp(l->kind, "parent"))
		return 0;
	cr_assert_eq(store_incident_get(s, l->b, &inc, NULL), IRK_OK);
	snprintf(c->hosts + strlen(c->hosts), sizeof c->hosts - strlen(c->hosts), "%s%s|%s|%s|%s|%s",
		 c->hosts[0] ? " " : "", inc.host, inc.title, severity_name(inc.severity),
		 stage_name(inc.stage), inc.play ? inc.play : "-");
	incident_clear(&inc);
	return 0;
}

static int keep_row(const struct step_row *r, void *arg)
{
	store_step_row_copy(arg, r);
	return 1;
}

/* "Every other host found gets its own incident" was a checklist item:
 * the open step opens them, children of the incident, once each. */
Test(engine, open_step_opens_an_incident_for_each_other_host_once)
{
	struct actor alice = { "alice", ROLE_SENIOR };
	struct irk_err err = { 0 };
	struct engine *e;
	struct children c = { 0, "" };
	struct step_row row;
	struct run_env env = { 0 };
	struct run_result r;
	struct testlib_fields f;
	static const char *const kv[] = { "steps.hunt.inputs.other_hosts", "ws-2, ws-3\nnone h1 ws-2",
					  "incident.key", "IR-1", NULL };
	char *in[] = { "other_hosts=ws-2, ws-3\nnone h1 ws-2" };
	int64_t id = open_play(PLAY_HEAD("hunt")
		"{\"id\": \"hunt\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Hunt\", "
		"\"inputs\": [{\"name\": \"other_hosts\", \"required\": true}]},"
		"{\"id\": \"open\", \"stage\": \"new\", \"kind\": \"open\", \"needs\": [\"hunt\"], "
		"\"title\": \"Same as {{incident.key}}\", \"severity\": \"medium\", \"play\": \"hunt\", "
		"\"hosts\": \"{{steps.hunt.inputs.other_hosts}}\"}]}", "x", "h1");

	cr_assert_eq(play_step_done(s, &alice, id, "hunt", in, 1, &err), IRK_OK, "%s", err.msg);
	e = start();
	wait_state(id, "open", STEP_DONE, 10);
	engine_stop(&e);
	cr_assert(strstr(step(id, "open").output, "{\"opened\":[{\"host\":\"ws-2\",\"incident\":\"IR-2\"},"
			 "{\"host\":\"ws-3\",\"incident\":\"IR-3\"}],\"already\":0}"), "%s",
		  step(id, "open").output);
	c.parent = id;
	cr_assert_eq(store_link_each(s, id, child_of, &c, &err), IRK_OK);
	cr_assert_str_eq(c.hosts, "ws-2|Same as IR-1: ws-2|medium|new|hunt ws-3|Same as IR-1: ws-3|medium|new|hunt");
	/* Each runs the play: its hunt waits for a person. */
	cr_assert_eq(step(2, "hunt").state, STEP_WAITING);
	/* Run again (a retry, an expired lease): nothing more is opened. */
	memset(&row, 0, sizeof row);
	cr_assert_eq(store_step_get(s, id, "open", 0, keep_row, &row, &err), IRK_OK);
	f.kv = kv;
	env.s = s;
	env.step = &row;
	env.lookup = testlib_lookup;
	env.fields = &f;
	env.cancel_fd = -1;
	run_result_init(&r);
	cr_assert_eq(run_step(&env, &r), RUN_DONE, "%s", r.why);
	cr_assert_str_eq(strbuf_str(&r.output), "{\"opened\":[],\"already\":2}");
	run_result_free(&r);
	store_step_row_clear(&row);
}
