/* run.c: what the runners share: the step definition, templates (with the
 * secret lookup), the clean environment of children, the private working
 * directory, and the redaction of secrets from everything recorded. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/secret.h"
#include "irk/store.h"
#include "irk/template.h"
#include "internal.h"

void run_result_init(struct run_result *r)
{
	memset(r, 0, sizeof *r);
}

void run_result_free(struct run_result *r)
{
	strbuf_free(&r->output);
	strbuf_free(&r->log);
}

int run_fail(struct run_result *r, int permanent, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	r->status = RUN_FAILED;
	r->permanent = permanent;
	return RUN_FAILED;
}

int run_ctx_init(struct run_ctx *c, const struct run_env *env, struct run_result *r)
{
	struct jdoc_error je;
	const char *def = env->step->def ? env->step->def : "{}";

	memset(c, 0, sizeof *c);
	c->env = env;
	c->r = r;
	jdoc_init(&c->def);
	if (jdoc_parse(&c->def, def, strlen(def), &je) || jdoc_type(&c->def, 0) != JD_OBJECT) {
		run_fail(r, 1, "the step definition is not a JSON object (%s)", je.msg);
		return -1;
	}
	return 0;
}

int run_ctx_init_incident(struct run_ctx *c, const struct run_env *env, struct run_result *r,
			  struct incident *inc)
{
	struct irk_err err = { 0 };

	if (run_ctx_init(c, env, r))
		return -1;
	if (!env->s)
		return run_fail(r, 1, "%s needs the database", env->step->kind), -1;
	if (store_incident_get(env->s, env->step->incident_id, inc, &err))
		return run_fail(r, 0, "%s", err.msg), -1;
	return 0;
}

void run_ctx_free(struct run_ctx *c)
{
	run_redact(c);
	jdoc_free(&c->def);
	run_strv_free(c->secrets, c->nsecrets);
	if (c->workdir[0] && !c->borrowed)
		run_rmtree(c->workdir);
	c->workdir[0] = '\0';
}

const char *run_str(struct run_ctx *c, const char *key)
{
	return jdoc_str(&c->def, jdoc_get(&c->def, 0, key));
}

int64_t run_duration_ms(struct run_ctx *c, const char *key, int64_t def_s)
{
	int v = jdoc_get(&c->def, 0, key);
	int64_t n;

	if (v < 0)
		return def_s * 1000;
	if (jdoc_type(&c->def, v) == JD_STRING) {
		if (irk_duration_parse(jdoc_str(&c->def, v), &n))
			return def_s * 1000;
	} else if (jdoc_int(&c->def, v, &n)) {
		return def_s * 1000;
	}
	return n > 0 ? n * 1000 : def_s * 1000;
}

/* ---- secrets ------------------------------------------------------------ */

/* The environment variable of secret NAME: IRK_SECRET_NAME, upper case,
 * '-' as '_' (idp: IRK_SECRET_IDP). Into var. */
static const char *secret_var(const char *name, char *var, size_t n)
{
	size_t i = 11;

	snprintf(var, n, "IRK_SECRET_");
	for (; *name && i + 1 < n; name++)
		var[i++] = *name == '-' ? '_' : (char)toupper((unsigned char)*name);
	var[i] = '\0';
	return var;
}

/* The value of secret NAME: [secrets] NAME in the config, else the
 * environment variable IRK_SECRET_NAME (upper case, '-' as '_'), which
 * irk took out of its environment at start-up (secret_capture). */
static const char *secret_value(const struct run_env *env, const char *name)
{
	char key[128], var[128];
	const char *v = NULL;
	size_t i;

	if (!*name || strlen(name) > 100)
		return NULL;
	for (i = 0; name[i]; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			return NULL;
	snprintf(key, sizeof key, "secrets.%s", name);
	if (env->cfg)
		v = config_get(env->cfg, key);
	if (!v)
		v = secret_env(secret_var(name, var, sizeof var));
	return v && *v ? v : NULL;
}

struct lookup_state {
	struct run_ctx *c;
	int secret_refused;
	char refused[128];
	char missing[128];        /* the first field with no value */
};

static void add_form(const char *form, void *arg)
{
	struct run_ctx *c = arg;

	run_strv_add(&c->secrets, &c->nsecrets, xstrdup(form));
}

static int lookup(void *arg, const char *name, struct expr_value *out)
{
	struct lookup_state *ls = arg;
	struct run_ctx *c = ls->c;

	if (!strncmp(name, "secret.", 7)) {
		const char *v;
		if (!c->allow_secrets) {
			ls->secret_refused = 1;
			snprintf(ls->refused, sizeof ls->refused, "%s", name);
			return 1;
		}
		if (!(v = secret_value(c->env, name + 7))) {
			if (!ls->missing[0])
				snprintf(ls->missing, sizeof ls->missing, "%s", name);
			return 1;
		}
		/* Kept so every copy of it can be cut from what is recorded,
		 * as it is and as hex or base64 of it. */
		run_strv_add(&c->secrets, &c->nsecrets, xstrdup(v));
		expr_value_set_str(out, c->secrets[c->nsecrets - 1]);
		secret_forms(v, add_form, c);
		return 0;
	}
	if (!c->env->lookup || c->env->lookup(c->env->fields, name, out)) {
		if (!ls->missing[0])
			snprintf(ls->missing, sizeof ls->missing, "%s", name);
		return 1;
	}
	return 0;
}

char *run_expand(struct run_ctx *c, const char *src, const char *what)
{
	struct lookup_state ls = { c, 0, "", "" };
	struct irk_err err = { 0 };
	char *v = tmpl_render(src, lookup, &ls, &err);

	if (v)
		return v;
	/* Lint knew every name: what is missing now is a value (a field the
	 * alert has not, an input nobody gave, a secret nobody set). */
	if (ls.secret_refused)
		run_fail(c->r, 1, "%s: %s may be used only in http headers and exec env",
			 what, ls.refused);
	else if (!strncmp(ls.missing, "secret.", 7)) {
		/* Say exactly what to set: the two places it may come from. */
		char var[128];
		run_fail(c->r, 1, "%s: %s is not set: set %s in irk's environment, or %s in the "
			 "[secrets] section of irk.conf", what, ls.missing,
			 secret_var(ls.missing + 7, var, sizeof var), ls.missing + 7);
	}
	else if (ls.missing[0])
		run_fail(c->r, 1, "%s: {{%s}} has no value for this incident (its alert or an earlier "
			 "step does not have it)", what, ls.missing);
	else
		run_fail(c->r, 1, "%s: %s", what, err.msg);
	return NULL;
}

char *run_expand_scalar(struct run_ctx *c, int tok, const char *what, int secrets)
{
	size_t len;
	const char *t;
	char *v;

	if (jdoc_type(&c->def, tok) == JD_STRING) {
		c->allow_secrets = secrets;
		v = run_expand(c, jdoc_str(&c->def, tok), what);
		c->allow_secrets = 0;
		return v;
	}
	if (jdoc_type(&c->def, tok) == JD_NULL || !(t = jdoc_scalar_text(&c->def, tok, &len))) {
		run_fail(c->r, 1, "%s must be a string, number or boolean", what);
		return NULL;
	}
	return xstrndup(t, len);
}

/* A YAML double-quoted scalar for the UTF-8 string s (valid: templates
 * render valid UTF-8). Quotes and backslashes are escaped, and so is every
 * character YAML would not take as it is or would read as a line break:
 * C0 and C1 controls, DEL, U+2028, U+2029, the BOM, U+FFFE and U+FFFF. */
static void yaml_quote(struct strbuf *out, const char *s, size_t n)
{
	strbuf_addc(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned cp;
		int len = utf8_decode(s + i, n - i, &cp);

		if (len <= 0) {
			strbuf_puts(out, "\\uFFFD");
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			strbuf_printf(out, "\\%c", (char)cp);
		else if (cp < 0x20 || cp == 0x7f)
			strbuf_printf(out, "\\x%02X", cp);
		else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
			 cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			strbuf_printf(out, "\\u%04X", cp);
		else
			strbuf_add(out, s + i, (size_t)len);
		i += (size_t)len;
	}
	strbuf_addc(out, '"');
}

/* A string value: JSON, or YAML tagged !unsafe (keys are the play's, not
 * data, and stay untagged). */
static void expand_quote(struct strbuf *out, const char *s, int yaml, int key)
{
	if (!yaml) {
		json_quote(out, s, strlen(s));
		return;
	}
	if (!key)
		strbuf_puts(out, "!unsafe ");
	yaml_quote(out, s, strlen(s));
}

static int expand_data(struct run_ctx *c, int tok, const char *what, struct strbuf *out,
		       int yaml)
{
	struct jdoc *d = &c->def;
	size_t len;
	const char *t;

	switch (jdoc_type(d, tok)) {
	case JD_STRING: {
		char *v = run_expand(c, jdoc_str(d, tok), what);
		if (!v)
			return -1;
		/* "{{x | json}}" alone is the typed JSON value: a number stays
		 * a number. (YAML keeps every string quoted and !unsafe.) */
		if (!yaml && tmpl_src_is_json(jdoc_str(d, tok)))
			strbuf_puts(out, v);
		else
			expand_quote(out, v, yaml, 0);
		free(v);
		return 0;
	}
	case JD_ARRAY:
	case JD_OBJECT: {
		int obj = jdoc_type(d, tok) == JD_OBJECT, first = 1;
		strbuf_addc(out, obj ? '{' : '[');
		for (int e = jdoc_first(d, tok); e >= 0; e = jdoc_next(d, tok, e), first = 0) {
			if (!first)
				strbuf_puts(out, yaml ? ", " : ",");
			if (obj) {
				expand_quote(out, jdoc_str(d, e - 1), yaml, 1);
				strbuf_puts(out, yaml ? ": " : ":");
			}
			if (expand_data(c, e, what, out, yaml))
				return -1;
		}
		strbuf_addc(out, obj ? '}' : ']');
		return 0;
	}
	default:
		t = jdoc_scalar_text(d, tok, &len);
		/* YAML 1.1 (ansible's) reads 1e5 as a string unless told. */
		if (yaml && jdoc_type(d, tok) == JD_NUMBER &&
		    (memchr(t, '.', len) || memchr(t, 'e', len) || memchr(t, 'E', len)))
			strbuf_puts(out, "!!float ");
		strbuf_add(out, t ? t : "null", t ? len : 4);
		return 0;
	}
}

int run_expand_json(struct run_ctx *c, int tok, const char *what, struct strbuf *out)
{
	return expand_data(c, tok, what, out, 0);
}

int run_expand_yaml_unsafe(struct run_ctx *c, int tok, const char *what, struct strbuf *out)
{
	return expand_data(c, tok, what, out, 1);
}

static void replace_all(struct strbuf *sb, const char *needle, size_t nl, const char *with)
{
	struct strbuf o = STRBUF_INIT;
	const char *p, *hit;

	if (!sb->len || !nl)
		return;
	p = sb->buf;
	if (!memmem(p, sb->len, needle, nl))
		return;
	while ((hit = memmem(p, sb->len - (size_t)(p - sb->buf), needle, nl))) {
		strbuf_add(&o, p, (size_t)(hit - p));
		strbuf_puts(&o, with);
		p = hit + nl;
	}
	strbuf_add(&o, p, sb->len - (size_t)(p - sb->buf));
	strbuf_free(sb);
	*sb = o;
}

size_t run_secret_tail(const struct run_ctx *c, const char *s, size_t n)
{
	size_t cut = 0;

	for (size_t i = 0; i < c->nsecrets; i++) {
		const char *v = c->secrets[i];
		size_t k = strlen(v);

		/* The longest proper start of v that ends s. */
		for (k = k > n + 1 ? n + 1 : k; k-- > cut + 1;)
			if (!memcmp(s + n - k, v, k)) {
				cut = k;
				break;
			}
	}
	return cut;
}

void run_redact_buf(const struct run_ctx *c, struct strbuf *sb, int cut)
{
	for (size_t i = 0; i < c->nsecrets; i++)
		replace_all(sb, c->secrets[i], strlen(c->secrets[i]), "(secret)");
	if (cut && sb->len) {
		sb->len -= run_secret_tail(c, sb->buf, sb->len);
		sb->buf[sb->len] = '\0';
	}
}

void run_redact(struct run_ctx *c)
{
	struct run_result *r = c->r;

	for (size_t i = 0; i < c->nsecrets; i++) {
		const char *v = c->secrets[i];
		struct strbuf q = STRBUF_INIT, w = STRBUF_INIT;

		/* As it is, and as it looks inside a JSON string. */
		json_quote(&q, v, strlen(v));
		replace_all(&r->output, v, strlen(v), "(secret)");
		replace_all(&r->log, v, strlen(v), "(secret)");
		if (q.len > 2) {
			replace_all(&r->output, q.buf + 1, q.len - 2, "(secret)");
			replace_all(&r->log, q.buf + 1, q.len - 2, "(secret)");
		}
		strbuf_puts(&w, r->why);
		replace_all(&w, v, strlen(v), "(secret)");
		irk_strlcpy(r->why, strbuf_str(&w), sizeof r->why);
		strbuf_free(&q);
		strbuf_free(&w);
	}
	/* A reason that filled its buffer was cut: maybe inside a secret. */
	if (strlen(r->why) == sizeof r->why - 1)
		r->why[sizeof r->why - 1 - run_secret_tail(c, r->why, sizeof r->why - 1)] = '\0';
}

/* ---- children ------------------------------------------------------------- */

const char *run_path(const struct run_env *env)
{
	const char *p = config_settings(env->cfg)->engine.path;

	return p && *p ? p : config_settings(NULL)->engine.path;
}

int64_t run_grace_ms(const struct run_env *env)
{
	return config_settings(env->cfg)->engine.grace_ms;
}

static const char *workdir_base(const struct config *cfg)
{
	const char *base = config_settings(cfg)->engine.tmpdir;

	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	return base;
}

/* The name says whose it is: irk-step.PID.XXXXXX, the pid of the process
 * whose engine made it, so a later start can tell the directories of a
 * process that died (kill -9, a crash) from those of one still running
 * (run_workdir_sweep). */
int run_workdir_make(const struct config *cfg, char *buf, size_t n)
{
	const char *base = workdir_base(cfg);

	if ((size_t)snprintf(buf, n, "%s/irk-step.%d.XXXXXX", base, (int)getpid()) >= n) {
		errno = ENAMETOOLONG;
		buf[0] = '\0';
		return -1;
	}
	if (!mkdtemp(buf)) {
		int e = errno;
		snprintf(buf, n, "%s", base);
		errno = e;
		return -1;
	}
	return 0;
}

/* The pid in an irk-step.PID.XXXXXX name, or 0. */
static long workdir_pid(const char *name)
{
	const char *p = name + 9, *dot;
	char *end;
	long pid;

	if (strncmp(name, "irk-step.", 9) || !(dot = strchr(p, '.')) || strlen(dot + 1) != 6 ||
	    !isdigit((unsigned char)*p))
		return 0;
	pid = strtol(p, &end, 10);
	return end == dot && pid > 0 ? pid : 0;
}

int run_workdir_sweep(const struct config *cfg)
{
	char base[4096], path[4200];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int removed = 0;

	if (!realpath(workdir_base(cfg), base) || !(d = opendir(base)))
		return 0;
	while ((de = readdir(d))) {
		long pid = workdir_pid(de->d_name);
		/* Alive, or not ours to judge (EPERM: another user's process). */
		if (!pid || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", base, de->d_name) >= sizeof path ||
		    lstat(path, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		run_rmtree(path);
		removed++;
	}
	closedir(d);
	return removed;
}

int run_workdir(struct run_ctx *c)
{
	if (c->env->workdir && *c->env->workdir) {
		/* The caller's, kept: it empties it after the step. */
		irk_strlcpy(c->workdir, c->env->workdir, sizeof c->workdir);
		c->borrowed = 1;
		return 0;
	}
	if (run_workdir_make(c->env->cfg, c->workdir, sizeof c->workdir)) {
		run_fail(c->r, 0, "cannot create a working directory in %s: %s", c->workdir,
			 strerror(errno));
		c->workdir[0] = '\0';
		return -1;
	}
	return 0;
}

int run_workdir_reset(const char *dir)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int fd, bad = 0;

	if (!dir || !*dir || !(d = opendir(dir)))
		return -1;
	fd = dirfd(d);
	while ((de = readdir(d))) {
		char path[4096];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!unlinkat(fd, de->d_name, 0))
			continue;
		if (errno != EISDIR && errno != EPERM) {
			bad = 1;
			continue;
		}
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path) {
			bad = 1;
			continue;
		}
		run_rmtree(path);
		if (!fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW))
			bad = 1;
	}
	closedir(d);
	/* A step may have opened up its HOME (chmod 777): only a directory
	 * that is still private, and empty, serves the next step. */
	if (bad || lstat(dir, &sb) || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 07777) != 0700 || sb.st_nlink != 2)
		return -1;
	return 0;
}

void run_strv_add(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

void run_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *kv(const char *k, const char *v)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb, "%s=%s", k, v);
	return strbuf_detach(&sb);
}

void run_env_base(struct run_ctx *c, char ***v, size_t *n)
{
	const struct step_row *st = c->env->step;
	char key[24], num[24];

	run_strv_add(v, n, kv("PATH", run_path(c->env)));
	run_strv_add(v, n, kv("LANG", "C.UTF-8"));
	if (c->workdir[0]) {
		run_strv_add(v, n, kv("HOME", c->workdir));
		run_strv_add(v, n, kv("TMPDIR", c->workdir));
	}
	if (st->incident_id)
		run_strv_add(v, n, kv("IRK_INCIDENT", incident_key(st->incident_id, key, sizeof key)));
	if (st->step_id)
		run_strv_add(v, n, kv("IRK_STEP", st->step_id));
	snprintf(num, sizeof num, "%d", st->attempts);
	run_strv_add(v, n, kv("IRK_ATTEMPT", num));
}

void run_log_proc(struct jsonw *w, const struct proc_result *p)
{
	char buf[64];

	jsonw_kv_int(w, "pid", p->pid);
	if (WIFEXITED(p->status) && !p->timed_out && !p->cancelled) {
		jsonw_kv_int(w, "exit", WEXITSTATUS(p->status));
	} else {
		jsonw_key(w, "exit");
		jsonw_null(w);
	}
	if (WIFSIGNALED(p->status))
		jsonw_kv_str(w, "status", proc_status_text(p->status, buf, sizeof buf));
	jsonw_kv_bool(w, "timed_out", p->timed_out);
	jsonw_kv_int(w, "ms", p->ms);
	jsonw_key(w, "stdout");
	jsonw_strn(w, p->out.buf ? p->out.buf : "", p->out.len);
	jsonw_kv_int(w, "stdout_bytes", (int64_t)p->out_total);
	jsonw_kv_bool(w, "stdout_truncated", p->out_cut);
	jsonw_key(w, "stderr");
	jsonw_strn(w, p->err.buf ? p->err.buf : "", p->err.len);
	jsonw_kv_int(w, "stderr_bytes", (int64_t)p->err_total);
	jsonw_kv_bool(w, "stderr_truncated", p->err_cut);
}

int run_code_ok(struct run_ctx *c, const char *key, long code)
{
	int v = jdoc_get(&c->def, 0, key);
	int64_t n;

	if (jdoc_type(&c->def, v) != JD_ARRAY)
		return -1;
	for (int e = jdoc_first(&c->def, v); e >= 0; e = jdoc_next(&c->def, v, e))
		if (!jdoc_int(&c->def, e, &n) && n == code)
			return 1;
	return 0;
}

int run_program(struct run_ctx *c, char *const *argv, char *const *envp, const char *cwd,
		int64_t timeout_s, struct proc_result *p)
{
	const struct run_env *env = c->env;
	struct proc_spec spec = {
		.argv = argv, .envp = envp, .cwd = cwd,
		.timeout_ms = run_duration_ms(c, "timeout", timeout_s),
		.grace_ms = run_grace_ms(env), .cap = RUN_CAPTURE_MAX,
		.cancel_fd = env->cancel_fd, .tick = env->tick, .tick_arg = env->tick_arg,
		.tick_ms = env->tick_ms,
	};
	char status[64];

	if (proc_run(&spec, p)) {
		run_fail(c->r, 0, "cannot start %s: %s", argv[0], strerror(p->spawn_errno));
		return -1;
	}
	c->r->ms = p->ms;
	/* Before anything reads a line or a part of them. */
	run_redact_buf(c, &p->out, p->out_cut);
	run_redact_buf(c, &p->err, p->err_cut);
	if (p->cancelled) {
		c->r->status = RUN_CANCELLED;
		snprintf(c->r->why, sizeof c->r->why, "stopped (pid %d %s)", (int)p->pid,
			 proc_status_text(p->status, status, sizeof status));
	} else if (p->timed_out) {
		c->r->timed_out = 1;
		run_fail(c->r, 0, "timeout: killed after %llds (pid %d, %s)",
			 (long long)(spec.timeout_ms / 1000), (int)p->pid,
			 proc_status_text(p->status, status, sizeof status));
	} else if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0) {
		c->r->status = RUN_DONE;
	} else {
		return 1;
	}
	return 0;
}

void run_output_text(struct strbuf *out, const char *text, size_t n, const char **why_json)
{
	struct jdoc d;
	struct jdoc_error je;
	size_t i = 0;

	*why_json = NULL;
	while (i < n && isspace((unsigned char)text[i]))
		i++;
	jdoc_init(&d);
	if (i < n && text[i] == '{') {
		if (!jdoc_parse(&d, text, n, &je)) {
			jdoc_canonical(&d, 0, out);
			jdoc_free(&d);
			return;
		}
		*why_json = "stdout starts like JSON but does not parse";
	}
	jdoc_free(&d);
	/* Not an object: the text itself, without its last newline. */
	if (n && text[n - 1] == '\n')
		n--;
	strbuf_puts(out, "{\"stdout\":");
	json_quote(out, text ? text : "", n);
	strbuf_addc(out, '}');
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	/* A directory the step left unreadable is opened and walked again,
	 * so it goes with what is inside. */
	if (flag == FTW_DNR && !chmod(path, 0700))
		run_rmtree(path);
	remove(path);
	return 0;
}

void run_rmtree(const char *dir)
{
	if (dir && dir[0] == '/')
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- dispatch ---------------------------------------------------------------- */

/* A row per kind the engine runs. */
static const struct run_ops *const runners[KIND_COUNT] = {
	[KIND_EXEC] = &run_exec_ops,
	[KIND_ANSIBLE] = &run_ansible_ops,
	[KIND_HTTP] = &run_http_ops,
	[KIND_NOTIFY] = &run_notify_ops,
	[KIND_SCORE] = &run_score_ops,
	[KIND_SET] = &run_set_ops,
	[KIND_TICKET] = &run_ticket_ops,
	[KIND_CONTEXT] = &run_context_ops,
	[KIND_OPEN] = &run_open_ops,
};

const struct run_ops *run_ops_of(int k)
{
	return k >= 0 && k < KIND_COUNT ? runners[k] : NULL;
}

int run_step(const struct run_env *env, struct run_result *r)
{
	const struct run_ops *ops = run_ops_of(step_kind_parse(env->step->kind));
	int64_t start = proc_mono_ms();

	if (ops)
		ops->run(env, r);
	else
		run_fail(r, 1, "'%s' is not a kind the engine runs",
			 env->step->kind ? env->step->kind : "?");
	if (!r->ms)
		r->ms = proc_mono_ms() - start;
	if (!r->output.len)
		strbuf_puts(&r->output, "{}");
	if (!r->log.len)
		strbuf_puts(&r->log, "{}");
	return r->status;
}
