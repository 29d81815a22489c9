/* run_exec.c: the exec step: a program with an argv, never a shell.
 *
 * Each argv element of the play is one template and becomes exactly one
 * argument whatever its value holds: `$(touch x); rm -rf /` arrives as
 * that string. The program is looked up in engine.path (not the PATH of
 * whoever started irk) and starts with a clean environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "irk/jsonw.h"
#include "irk/play.h"
#include "irk/store.h"
#include "internal.h"

/* Set NAME=value in the environment vector, replacing an earlier NAME. */
static void env_set(char ***v, size_t *n, const char *name, const char *value)
{
	size_t nl = strlen(name);
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb, "%s=%s", name, value);
	for (size_t i = 0; i < *n; i++)
		if (!strncmp((*v)[i], name, nl) && (*v)[i][nl] == '=') {
			free((*v)[i]);
			(*v)[i] = strbuf_detach(&sb);
			return;
		}
	run_strv_add(v, n, strbuf_detach(&sb));
}

static int valid_env_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
	       strlen(s);
}

/* The step's own variables ("env": {"NAME": template}); secrets allowed. */
static int add_env(struct run_ctx *c, char ***v, size_t *n)
{
	struct jdoc *d = &c->def;
	int obj = jdoc_get(d, 0, "env");

	if (obj < 0)
		return 0;
	if (jdoc_type(d, obj) != JD_OBJECT)
		return run_fail(c->r, 1, "env must be an object of NAME: value"), -1;
	for (int e = jdoc_first(d, obj); e >= 0; e = jdoc_next(d, obj, e)) {
		const char *name = jdoc_str(d, e - 1);
		char what[96], *val;

		if (!valid_env_name(name))
			return run_fail(c->r, 1, "env: '%.64s' is not a variable name", name), -1;
		snprintf(what, sizeof what, "env.%s", name);
		if (!(val = run_expand_scalar(c, e, what, 1)))
			return -1;
		env_set(v, n, name, val);
		free(val);
	}
	return 0;
}

/* The last non-empty line of err (for the one-line reason). */
static void last_line(const struct strbuf *err, char *buf, size_t n)
{
	const char *s = err->buf ? err->buf : "";
	size_t len = err->len, start;

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	start = len;
	while (start && s[start - 1] != '\n')
		start--;
	if (len - start >= n)
		len = start + n - 1;
	memcpy(buf, s + start, len - start);
	buf[len - start] = '\0';
}

int run_exec(const struct run_env *env, struct run_result *r)
{
	struct run_ctx c;
	struct proc_result p = { 0 };
	struct jsonw w;
	char **argv = NULL, **envp = NULL, prog[4096], status[64];
	size_t argc = 0, envc = 0;
	const char *json_why = NULL;
	char *cwd = NULL;
	const char *cwd_used;
	int a, rc;

	if (run_ctx_init(&c, env, r))
		goto out;
	a = jdoc_get(&c.def, 0, "argv");
	if (jdoc_type(&c.def, a) != JD_ARRAY || jdoc_first(&c.def, a) < 0) {
		run_fail(r, 1, "an exec step needs argv (the program and its arguments)");
		goto out;
	}
	for (int e = jdoc_first(&c.def, a), i = 0; e >= 0; e = jdoc_next(&c.def, a, e), i++) {
		char what[32], *v;
		snprintf(what, sizeof what, "argv[%d]", i);
		if (jdoc_type(&c.def, e) != JD_STRING) {
			run_fail(r, 1, "%s must be a string", what);
			goto out;
		}
		if (!(v = run_expand(&c, jdoc_str(&c.def, e), what)))
			goto out;
		run_strv_add(&argv, &argc, v);
	}
	/* bin/tool is the play's own program, beside the play file. */
	if (strchr(argv[0], '/') && argv[0][0] != '/') {
		struct strbuf full = STRBUF_INIT;
		if (!env->play_dir || env->play_dir[0] != '/') {
			run_fail(r, 1, "program %.200s: relative, and the play's directory is not known",
				 argv[0]);
			goto out;
		}
		strbuf_printf(&full, "%s/%s", env->play_dir, argv[0]);
		free(argv[0]);
		argv[0] = strbuf_detach(&full);
	}
	if (!proc_find(argv[0], run_path(env), prog, sizeof prog)) {
		run_fail(r, 1, "program '%.300s' not found in %s", argv[0],
			 strchr(argv[0], '/') ? "the file system" : "engine.path");
		goto out;
	}
	if (run_workdir(&c))
		goto out;
	if (run_str(&c, "cwd")) {
		struct stat sb;
		if (!(cwd = run_expand(&c, run_str(&c, "cwd"), "cwd")))
			goto out;
		if (cwd[0] != '/' || stat(cwd, &sb) || !S_ISDIR(sb.st_mode)) {
			run_fail(r, 1, "cwd '%.200s' is not an absolute path to a directory", cwd);
			goto out;
		}
	}
	run_env_base(&c, &envp, &envc);
	if (add_env(&c, &envp, &envc))
		goto out;
	free(argv[0]);
	argv[0] = xstrdup(prog);

	cwd_used = cwd ? cwd : c.workdir;
	if ((rc = run_program(&c, argv, envp, cwd_used, PLAY_TIMEOUT_EXEC, &p)) < 0)
		goto out;
	jsonw_init(&w, &r->log, 0);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "argv");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < argc; i++)
		jsonw_str(&w, argv[i]);
	jsonw_arr_end(&w);
	jsonw_kv_str(&w, "cwd", cwd ? cwd : "(private)");
	run_log_proc(&w, &p);
	run_output_text(&r->output, p.out.buf, p.out.len, &json_why);
	if (json_why)
		jsonw_kv_str(&w, "json_error", json_why);
	jsonw_obj_end(&w);

	/* An exit code the step names in ok_exit is success. */
	if (rc > 0 && WIFEXITED(p.status) && run_code_ok(&c, "ok_exit", WEXITSTATUS(p.status)) == 1) {
		r->status = RUN_DONE;
		rc = 0;
	}
	if (rc > 0) {
		char line[200];
		last_line(&p.err, line, sizeof line);
		run_fail(r, 0, "%s%s%s", proc_status_text(p.status, status, sizeof status),
			 *line ? ": " : "", line);
	}
out:
	proc_result_free(&p);
	run_strv_free(argv, argc);
	run_strv_free(envp, envc);
	free(cwd);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_exec_ops = {
	.flags = RUN_PROGRAMS,
	.run = run_exec,
};
