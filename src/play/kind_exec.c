/* kind_exec.c: an exec step, a program run with an argv (never a shell)
 * by the engine's run_exec.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/play.h"
#include "irk/strbuf.h"
#include "kind.h"

static const char *const exec_keys[] = { "argv", "cwd", "env", "ok_exit", NULL };

static void exec_lint(struct lint *l, int i, int s)
{
	struct jdoc *d = &l->d;
	int v;

	if ((v = jdoc_get(d, s, "argv")) < 0) {
		lint_report(l, lint_pos(l, s), 0, "an exec step needs argv (the program and its arguments)");
	} else if (!lint_want(l, v, JD_ARRAY, "argv")) {
		if (jdoc_first(d, v) < 0)
			lint_report(l, lint_pos(l, v), 0, "argv must name a program");
		for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e))
			lint_tmpl(l, e, i, "argv");
		int a0 = jdoc_first(d, v);
		if (a0 >= 0 && jdoc_type(d, a0) == JD_STRING && strstr(jdoc_str(d, a0), "{{"))
			lint_report(l, lint_pos(l, a0), 1,
				    "argv[0] comes from a template: the program run depends on outside data");
	}
	if ((v = jdoc_get(d, s, "cwd")) >= 0)
		lint_tmpl(l, v, i, "cwd");
	if ((v = jdoc_get(d, s, "ok_exit")) >= 0)
		lint_want_codes(l, v, "ok_exit", 0, 255);
	if ((v = jdoc_get(d, s, "env")) >= 0) {
		lint_tmpl_map(l, v, i, "env", 1);
		for (int e = jdoc_first(d, v); e >= 0 && jdoc_type(d, v) == JD_OBJECT;
		     e = jdoc_next(d, v, e))
			if (!lint_valid_id(lint_key(l, e), 0))
				lint_report(l, lint_pos(l, lint_key_of(e)), 0,
					    "env: '%s' is not a variable name", lint_key(l, e));
	}
}

/* An exec program named by a relative path with a slash (bin/irk-host-
 * facts) lives beside the play, like a playbook: the stored definition
 * gets the absolute path, so a step never depends on where the process
 * that runs it was started, and a running incident keeps the program of
 * the version it was given. */
static void exec_def(struct lint *l, int s, struct strbuf *def)
{
	struct jdoc *d = &l->d;
	int v = jdoc_get(d, s, "argv"), a0 = jdoc_first(d, v);
	const char *prog = jdoc_str(d, a0);
	char dir[4096], *abs = NULL, *hit;
	struct strbuf needle = STRBUF_INIT, repl = STRBUF_INIT, out = STRBUF_INIT;
	struct stat sb;

	if (!prog || prog[0] == '/' || !strchr(prog, '/') || strstr(prog, "{{"))
		return;
	if (!realpath(l->p->dir, dir))
		irk_strlcpy(dir, l->p->dir, sizeof dir);
	strbuf_printf(&out, "%s/%s", dir, prog);
	abs = strbuf_detach(&out);
	if (stat(abs, &sb) != 0 || !S_ISREG(sb.st_mode) || access(abs, X_OK) != 0)
		lint_report(l, lint_pos(l, a0), 1, "argv[0] %s: not an executable file beside the play",
			    abs);
	strbuf_puts(&needle, "\"argv\":[");
	json_quote(&needle, prog, strlen(prog));
	strbuf_puts(&repl, "\"argv\":[");
	json_quote(&repl, abs, strlen(abs));
	if ((hit = strstr(def->buf, needle.buf))) {
		strbuf_add(&out, def->buf, (size_t)(hit - def->buf));
		strbuf_add(&out, repl.buf, repl.len);
		strbuf_puts(&out, hit + needle.len);
		strbuf_free(def);
		*def = out;
	}
	free(abs);
	strbuf_free(&needle);
	strbuf_free(&repl);
}

const struct play_kind_ops play_kind_exec = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = exec_keys,
	.lint = exec_lint,
	.def = exec_def,
};
