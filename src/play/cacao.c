/* cacao.c: CACAO 2.0 playbooks in and out (see cacao.h for the mapping).
 * The import reads with jdoc and writes with jsonw; it never trusts the
 * input's ids as irk ids (they are made from names), and anything it does
 * not map is kept as "x-cacao" data and reported with its JSON path. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/cacao.h"
#include "irk/clock.h"
#include "irk/expr.h"
#include "irk/hash.h"
#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"

#define MAX_STEPS 512           /* irk steps one import writes, at most */
#define MAX_DEPTH 32            /* nested branches followed, at most */

/* ---- the report ------------------------------------------------------------ */

static void note(struct cacao_report *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct cacao_report *r, const char *path, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n].path = xstrdup(path);
	r->v[r->n].what = strbuf_detach(&sb);
	r->n++;
}

void cacao_report_free(struct cacao_report *r)
{
	for (size_t i = 0; r && i < r->n; i++) {
		free(r->v[i].path);
		free(r->v[i].what);
	}
	if (r) {
		free(r->v);
		r->v = NULL;
		r->n = 0;
	}
}

/* ---- base64 ---------------------------------------------------------------- */

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode s (standard or URL alphabet, padding and whitespace ignored) into
 * out; -1 on a character outside base64. */
static int b64_decode(const char *s, struct strbuf *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (; *s; s++) {
		int v;
		if (*s == '=' || *s == '\n' || *s == '\r' || *s == ' ')
			continue;
		if ((v = b64_val((unsigned char)*s)) < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			strbuf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

static void b64_encode(const char *s, size_t n, struct strbuf *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		strbuf_addc(out, a[(v >> 18) & 63]);
		strbuf_addc(out, a[(v >> 12) & 63]);
		strbuf_addc(out, i + 1 < n ? a[(v >> 6) & 63] : '=');
		strbuf_addc(out, i + 2 < n ? a[v & 63] : '=');
	}
}

/* ---- import state ------------------------------------------------------------ */

struct var {
	char *cacao;            /* "__target_ip__" */
	char *field;            /* "steps.variables.inputs.target_ip" */
};

struct out_step {
	char *id;
	struct strbuf body;     /* the step object, open: needs, when, stage and '}' come last */
	struct jsonw w;         /* writing body */
	int stage;              /* from irk's step extension, else -1 (by position) */
	char **needs;           /* kept apart until the end: a join changes them */
	int nneeds;
	char *when;             /* NULL: always */
};

struct seen {
	int tok;                /* a workflow step's token */
	struct out_step *first; /* the first irk step made of it, or NULL */
};

struct imp {
	struct jdoc d;
	int wf;                 /* the workflow object */
	int targets;            /* target_definitions, or -1 */
	struct cacao_report *rep;
	struct out_step **steps;
	int nsteps;
	struct var *vars;
	int nvars;
	struct seen *seen;      /* workflow steps already walked */
	int nseen;
	int nstages;
	int stages[8];
	int failed;             /* too many steps or too deep: stop */
	const char *irk_id;     /* irk's step extension of the action at hand: its id */
	int irk_stage;          /* and its stage, or -1 */
	int irk_ext;            /* the extension's token (inputs, checklist), or -1 */
};

/* "$.workflow["ID"]" and so on: the JSON path of a workflow step, with a
 * tail. */
static char *wpath(const char *id, const char *tail)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_puts(&sb, "$.workflow[");
	json_quote(&sb, id, strlen(id));
	strbuf_printf(&sb, "]%s", tail ? tail : "");
	return strbuf_detach(&sb);
}

static void wnote(struct imp *im, const char *id, const char *tail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void wnote(struct imp *im, const char *id, const char *tail, const char *fmt, ...)
{
	char *path = wpath(id, tail), what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	note(im->rep, path, "%s", what);
	free(path);
}

/* An irk id made of name: lower case letters, digits and '-', a letter
 * first, at most 40 characters, unique among the steps so far. */
static char *make_id(struct imp *im, const char *name, const char *fallback)
{
	char base[48], id[64];
	size_t n = 0;
	int dash = 0;

	for (const char *p = name ? name : ""; *p && n < 40; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n)
				base[n++] = '-';
			dash = 0;
			if (n < 40)
				base[n++] = c;
		} else {
			dash = 1;
		}
	}
	base[n] = '\0';
	if (!n || !(base[0] >= 'a' && base[0] <= 'z'))
		snprintf(base, sizeof base, "%s", fallback);
	snprintf(id, sizeof id, "%s", base);
	for (int k = 2;; k++) {
		int clash = 0;
		for (int i = 0; i < im->nsteps && !clash; i++)
			clash = !strcmp(im->steps[i]->id, id);
		if (!clash)
			break;
		snprintf(id, sizeof id, "%s-%d", base, k);
	}
	return xstrdup(id);
}

/* A step id irk takes: letters, digits, '_' and '-', a letter or '_'
 * first, at most 63 characters. */
static int lint_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
			      s[0] == '_'))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static const char *get_str(struct imp *im, int obj, const char *key)
{
	return jdoc_str(&im->d, jdoc_get(&im->d, obj, key));
}

/* Replace every CACAO variable in s (longest first does not matter: they
 * are delimited by "__") with fmt applied to its irk field ("{{%s}}" for
 * templates, "%s" for expressions). *unknown gets the first reference to
 * a variable that is not known (NULL when none). */
static char *subst_vars(struct imp *im, const char *s, const char *fmt, const char **unknown,
			char *ubuf, size_t un)
{
	struct strbuf out = STRBUF_INIT;

	*unknown = NULL;
	while (*s) {
		const char *end;
		int k;

		if (s[0] != '_' || s[1] != '_' || !(end = strstr(s + 2, "__")) || end == s + 2) {
			strbuf_addc(&out, *s++);
			continue;
		}
		end += 2;
		for (k = 0; k < im->nvars; k++)
			if (strlen(im->vars[k].cacao) == (size_t)(end - s) &&
			    !strncmp(im->vars[k].cacao, s, (size_t)(end - s)))
				break;
		if (k == im->nvars) {
			if (!*unknown) {
				snprintf(ubuf, un, "%.*s", (int)(end - s), s);
				*unknown = ubuf;
			}
			strbuf_add(&out, s, (size_t)(end - s));
			s = end;
			continue;
		}
		strbuf_printf(&out, fmt, im->vars[k].field);
		s = end;
		if (!strncmp(s, ":value", 6))
			s += 6;
	}
	return strbuf_detach(&out);
}

static int has_var_ref(const char *s)
{
	const char *p = strstr(s, "__");

	return p && strstr(p + 2, "__");
}

static void set_var(struct imp *im, const char *cacao, const char *field)
{
	for (int k = 0; k < im->nvars; k++)
		if (!strcmp(im->vars[k].cacao, cacao)) {
			free(im->vars[k].field);
			im->vars[k].field = xstrdup(field);
			return;
		}
	im->vars = xrealloc(im->vars, (size_t)(im->nvars + 1) * sizeof *im->vars);
	im->vars[im->nvars].cacao = xstrdup(cacao);
	im->vars[im->nvars].field = xstrdup(field);
	im->nvars++;
}

/* A new irk step: its id, and its writer (s->w) inside its object after
 * "id" (the caller adds kind, title...). */
static struct out_step *add_step(struct imp *im, const char *name, const char *fallback)
{
	struct out_step *s;
	const char *want = im->irk_id;

	if (im->nsteps >= MAX_STEPS) {
		if (!im->failed)
			note(im->rep, "$.workflow", "more than %d steps: the rest is not imported",
			     MAX_STEPS);
		im->failed = 1;
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	im->irk_id = NULL;      /* for the first step of the action only */
	s->id = NULL;
	if (want) {
		int clash = 0;
		for (int i = 0; i < im->nsteps && !clash; i++)
			clash = !strcmp(im->steps[i]->id, want);
		if (!clash)
			s->id = xstrdup(want);
	}
	if (!s->id)
		s->id = make_id(im, name, fallback);
	s->stage = im->irk_stage;
	im->irk_stage = -1;
	im->steps = xrealloc(im->steps, (size_t)(im->nsteps + 1) * sizeof *im->steps);
	im->steps[im->nsteps] = s;
	im->nsteps++;
	jsonw_init(&s->w, &s->body, 0);
	jsonw_obj_begin(&s->w);
	jsonw_kv_str(&s->w, "id", s->id);
	return s;
}

/* What step s needs and when it runs (written at the end). */
static void set_flow(struct out_step *s, char **needs, int nneeds, const char *when)
{
	s->needs = nneeds ? xcalloc((size_t)nneeds, sizeof *s->needs) : NULL;
	for (int i = 0; i < nneeds; i++)
		s->needs[i] = xstrdup(needs[i]);
	s->nneeds = nneeds;
	s->when = when && *when ? xstrdup(when) : NULL;
}

/* A second way into step s (a join): it runs when either way leads to
 * it, and needs only what both ways need (a way not taken is skipped,
 * and irk skips a step that needs a skipped step). */
static void join_flow(struct out_step *s, char **needs, int nneeds, const char *when)
{
	int k = 0;

	for (int i = 0; i < s->nneeds; i++) {
		int both = 0;
		for (int j = 0; j < nneeds && !both; j++)
			both = !strcmp(s->needs[i], needs[j]);
		if (both)
			s->needs[k++] = s->needs[i];
		else
			free(s->needs[i]);
	}
	s->nneeds = k;
	if (!s->when || !when || !*when) {
		free(s->when);
		s->when = NULL;
	} else {
		struct strbuf sb = STRBUF_INIT;
		strbuf_printf(&sb, "(%s) || (%s)", s->when, when);
		free(s->when);
		s->when = strbuf_detach(&sb);
	}
}

/* Does step s need one of the steps marked in mark, or read one in its
 * when? */
static int follows(struct imp *im, const struct out_step *s, const char *mark)
{
	for (int j = 0; j < im->nsteps; j++) {
		char ref[96];
		if (!mark[j])
			continue;
		for (int k = 0; k < s->nneeds; k++)
			if (!strcmp(s->needs[k], im->steps[j]->id))
				return 1;
		snprintf(ref, sizeof ref, "steps.%s.", im->steps[j]->id);
		if (s->when && strstr(s->when, ref))
			return 1;
	}
	return 0;
}

/* After a join, step x's when reads the steps of every way into it: x,
 * and the steps after it that need it or read it, move to the end (in
 * their order), so a step only reads steps before it. */
static void move_to_end(struct imp *im, struct out_step *x)
{
	char *mark = xcalloc((size_t)im->nsteps, 1);
	struct out_step **order = xcalloc((size_t)im->nsteps, sizeof *order);
	int at = -1, n = 0;

	for (int i = 0; i < im->nsteps; i++)
		if (im->steps[i] == x)
			at = i;
	if (at < 0)
		goto out;
	mark[at] = 1;
	for (int i = at + 1; i < im->nsteps; i++)
		mark[i] = (char)follows(im, im->steps[i], mark);
	for (int i = 0; i < im->nsteps; i++)
		if (!mark[i])
			order[n++] = im->steps[i];
	for (int i = 0; i < im->nsteps; i++)
		if (mark[i])
			order[n++] = im->steps[i];
	memcpy(im->steps, order, (size_t)im->nsteps * sizeof *order);
out:
	free(mark);
	free(order);
}

/* The common members of a step: needs, when. */
static void put_flow(struct jsonw *w, char **needs, int nneeds, const char *when)
{
	if (nneeds) {
		jsonw_key(w, "needs");
		jsonw_arr_begin(w);
		for (int i = 0; i < nneeds; i++)
			jsonw_str(w, needs[i]);
		jsonw_arr_end(w);
	}
	if (when && *when)
		jsonw_kv_str(w, "when", when);
}

/* "x-cacao": the original object at tok, kept as it is. */
static void put_kept(struct imp *im, struct jsonw *w, int tok)
{
	struct strbuf sb = STRBUF_INIT;

	jdoc_canonical(&im->d, tok, &sb);
	jsonw_key(w, "x-cacao");
	jsonw_raw(w, strbuf_str(&sb));
	strbuf_free(&sb);
}

/* ---- commands ------------------------------------------------------------------ */

/* A word of a plain command line: letters, digits and -_./:=,@%+ only. */
static int plain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-_./:=,@%+", c);
}

/* Split a command line into argv when it is plain words (single-quoted
 * parts, a backslash before one character, and {{templates}} too); 0 when
 * it holds any other shell syntax. */
static int split_plain(const char *s, struct jsonw *w)
{
	struct strbuf word = STRBUF_INIT;
	int words = 0, ok = 1;

	jsonw_arr_begin(w);
	while (*s && ok) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		strbuf_reset(&word);
		strbuf_add(&word, "", 0);
		while (*s && *s != ' ' && *s != '\t' && ok) {
			if (*s == '\'') {
				const char *q = strchr(s + 1, '\'');
				if (!q) {
					ok = 0;
					break;
				}
				strbuf_add(&word, s + 1, (size_t)(q - s - 1));
				s = q + 1;
			} else if (s[0] == '\\' && s[1]) {
				strbuf_addc(&word, s[1]);
				s += 2;
			} else if (s[0] == '{' && s[1] == '{' && strstr(s, "}}")) {
				const char *e = strstr(s, "}}") + 2;
				strbuf_add(&word, s, (size_t)(e - s));
				s = e;
			} else if (plain_char(*s)) {
				strbuf_addc(&word, *s++);
			} else {
				ok = 0;
			}
		}
		if (ok) {
			jsonw_str(w, strbuf_str(&word));
			words++;
		}
	}
	jsonw_arr_end(w);
	strbuf_free(&word);
	return ok && words;
}

/* The host of a target definition: its first address (dname, ipv4, ipv6,
 * url), or NULL. */
static const char *target_host(struct imp *im, const char *target, int *is_url)
{
	int t = jdoc_get(&im->d, im->targets, target), a = jdoc_get(&im->d, t, "address");
	static const char *const kinds[] = { "url", "dname", "ipv4", "ipv6" };

	*is_url = 0;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		int v = jdoc_get(&im->d, a, kinds[k]), e = jdoc_first(&im->d, v);
		const char *s = jdoc_type(&im->d, v) == JD_ARRAY ? jdoc_str(&im->d, e) :
				jdoc_str(&im->d, v);
		if (s && *s) {
			*is_url = k == 0;
			return s;
		}
	}
	return NULL;
}

static const char *first_target(struct imp *im, int step)
{
	int t = jdoc_get(&im->d, step, "targets");

	return jdoc_str(&im->d, jdoc_first(&im->d, t));
}

/* The command text: "command", else "command_b64" decoded, into cmd. */
static int command_text(struct imp *im, int c, struct strbuf *cmd)
{
	const char *s = get_str(im, c, "command"), *b = get_str(im, c, "command_b64");

	if (s) {
		strbuf_puts(cmd, s);
		return 0;
	}
	if (b && !b64_decode(b, cmd))
		return 0;
	return -1;
}

/* An http-api or openc2-http command into the writer w (inside the step
 * object): method, url, headers, body. 0, or -1 (reported) when it
 * cannot be. */
static int put_http(struct imp *im, struct jsonw *w, const char *sid, int step, int c,
		    const char *cmdtext, const char *ctail)
{
	char method[16], path[2048], u[2200], ubuf[128];
	const char *target = first_target(im, step), *host, *unknown;
	int is_url, v;
	char *x;

	if (sscanf(cmdtext, "%15s %2047s", method, path) != 2) {
		wnote(im, sid, ctail, "http command '%.60s' is not 'METHOD /path HTTP/1.1': "
		      "kept as x-cacao data", cmdtext);
		return -1;
	}
	if (!target || !(host = target_host(im, target, &is_url))) {
		wnote(im, sid, ".targets", "http command without a target address: kept as "
		      "x-cacao data");
		return -1;
	}
	if (is_url)
		snprintf(u, sizeof u, "%s%s", host, path[0] == '/' && host[strlen(host) - 1] == '/' ?
			 path + 1 : path);
	else
		snprintf(u, sizeof u, "https://%s%s", host, path);
	if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)) {
		wnote(im, sid, ".targets", "the target's url '%.60s' is not http:// or https://: "
		      "kept as x-cacao data", host);
		return -1;
	}
	if (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "PUT") &&
	    strcmp(method, "PATCH") && strcmp(method, "DELETE") && strcmp(method, "HEAD")) {
		wnote(im, sid, ctail, "method '%s' is not GET, POST, PUT, PATCH, DELETE or HEAD: kept "
		      "as x-cacao data", method);
		return -1;
	}
	x = subst_vars(im, u, "{{%s}}", &unknown, ubuf, sizeof ubuf);
	if (unknown)
		wnote(im, sid, ctail, "%s is no playbook variable or step output: left as text",
		      unknown);
	jsonw_kv_str(w, "method", method);
	jsonw_kv_str(w, "url", x);
	free(x);
	if ((v = jdoc_get(&im->d, c, "headers")) >= 0 && jdoc_type(&im->d, v) == JD_OBJECT) {
		jsonw_key(w, "headers");
		jsonw_obj_begin(w);
		for (int e = jdoc_first(&im->d, v); e >= 0; e = jdoc_next(&im->d, v, e)) {
			const char *val = jdoc_type(&im->d, e) == JD_ARRAY ?
				jdoc_str(&im->d, jdoc_first(&im->d, e)) : jdoc_str(&im->d, e);
			jsonw_kv_str(w, jdoc_str(&im->d, e - 1), val ? val : "");
		}
		jsonw_obj_end(w);
	}
	{
		struct strbuf body = STRBUF_INIT;
		const char *content = get_str(im, c, "content"), *b64 = get_str(im, c, "content_b64");
		if (content)
			strbuf_puts(&body, content);
		else if (b64 && b64_decode(b64, &body))
			wnote(im, sid, ctail, "content_b64 is not base64: the body is left out");
		if (body.len) {
			struct jdoc bd;
			jdoc_init(&bd);
			jsonw_key(w, "body");
			if (!jdoc_parse(&bd, body.buf, body.len, NULL)) {
				struct strbuf canon = STRBUF_INIT;
				jdoc_canonical(&bd, 0, &canon);
				jsonw_raw(w, strbuf_str(&canon));
				strbuf_free(&canon);
			} else {
				jsonw_strn(w, body.buf, body.len);
			}
			jdoc_free(&bd);
		}
		strbuf_free(&body);
	}
	return 0;
}

/* A bash (or ssh) command as an exec argv into w. -1 when not mapped. */
static int put_shell(struct imp *im, struct jsonw *w, const char *sid, int step,
		     const char *type, const char *cmdtext, const char *ctail)
{
	char ubuf[128];
	const char *unknown;
	char *x;

	if (!strcmp(type, "ssh")) {
		const char *target = first_target(im, step), *host;
		int is_url;
		if (has_var_ref(cmdtext)) {
			wnote(im, sid, ctail, "ssh command with a variable: the value would reach the "
			      "remote shell unquoted; kept as x-cacao data");
			return -1;
		}
		if (!target || !(host = target_host(im, target, &is_url)) || is_url) {
			wnote(im, sid, ".targets", "ssh command without a target address: kept as "
			      "x-cacao data");
			return -1;
		}
		/* The host may be a variable: one argv element, after "--". */
		x = subst_vars(im, host, "{{%s}}", &unknown, ubuf, sizeof ubuf);
		if (unknown)
			wnote(im, sid, ".targets", "%s is no playbook variable or step output: left as "
			      "text", unknown);
		jsonw_key(w, "argv");
		jsonw_arr_begin(w);
		jsonw_str(w, "ssh");
		jsonw_str(w, "-o");
		jsonw_str(w, "BatchMode=yes");
		jsonw_str(w, "--");
		jsonw_str(w, x);
		jsonw_str(w, cmdtext);
		jsonw_arr_end(w);
		free(x);
		return 0;
	}
	/* bash: plain words become the argv itself; anything else runs as
	 * bash -c SCRIPT bash VALUES..., each value a positional argument. */
	x = subst_vars(im, cmdtext, "{{%s}}", &unknown, ubuf, sizeof ubuf);
	if (unknown)
		wnote(im, sid, ctail, "%s is no playbook variable or step output: left as text",
		      unknown);
	{
		struct strbuf tmp = STRBUF_INIT;
		struct jsonw tw;
		jsonw_init(&tw, &tmp, 0);
		if (split_plain(x, &tw)) {
			jsonw_key(w, "argv");
			jsonw_raw(w, strbuf_str(&tmp));
			strbuf_free(&tmp);
			free(x);
			return 0;
		}
		strbuf_free(&tmp);
	}
	free(x);
	{
		struct strbuf script = STRBUF_INIT;
		char **vals = NULL;
		char *owned = NULL;     /* vals[k] is ours to free */
		int nvals = 0;
		const char *s = cmdtext;

		while (*s) {
			const char *end;
			int k = -1;
			/* A template is a value too: never inside the script. */
			if (s[0] == '{' && s[1] == '{' && (end = strstr(s + 2, "}}"))) {
				struct strbuf t = STRBUF_INIT;
				strbuf_add(&t, s + 2, (size_t)(end - s - 2));
				vals = xrealloc(vals, (size_t)(nvals + 1) * sizeof *vals);
				vals[nvals++] = strbuf_detach(&t);
				owned = xrealloc(owned, (size_t)nvals * sizeof *owned);
				owned[nvals - 1] = 1;
				strbuf_printf(&script, "\"${%d}\"", nvals);
				s = end + 2;
				continue;
			}
			if (s[0] == '_' && s[1] == '_' && (end = strstr(s + 2, "__")) && end > s + 2) {
				end += 2;
				for (k = 0; k < im->nvars; k++)
					if (strlen(im->vars[k].cacao) == (size_t)(end - s) &&
					    !strncmp(im->vars[k].cacao, s, (size_t)(end - s)))
						break;
				if (k < im->nvars) {
					vals = xrealloc(vals, (size_t)(nvals + 1) * sizeof *vals);
					vals[nvals++] = im->vars[k].field;
					owned = xrealloc(owned, (size_t)nvals * sizeof *owned);
					owned[nvals - 1] = 0;
					strbuf_printf(&script, "\"${%d}\"", nvals);
					s = end;
					if (!strncmp(s, ":value", 6))
						s += 6;
					continue;
				}
			}
			strbuf_addc(&script, *s++);
		}
		jsonw_key(w, "argv");
		jsonw_arr_begin(w);
		jsonw_str(w, "bash");
		jsonw_str(w, "-c");
		jsonw_str(w, strbuf_str(&script));
		jsonw_str(w, "bash");
		for (int k = 0; k < nvals; k++) {
			struct strbuf t = STRBUF_INIT;
			strbuf_printf(&t, "{{%s}}", vals[k]);
			jsonw_str(w, strbuf_str(&t));
			strbuf_free(&t);
		}
		jsonw_arr_end(w);
		for (int k = 0; k < nvals; k++)
			if (owned[k])
				free(vals[k]);
		free(vals);
		free(owned);
		strbuf_free(&script);
	}
	return 0;
}

/* Emit the irk steps of action step (token step, id sid). *tails (the
 * ids the next step needs) is replaced by the last step's id. */
static void import_action(struct imp *im, const char *sid, int step, char ***tails,
			  int *ntails, const char *when)
{
	int cmds = jdoc_get(&im->d, step, "commands"), k = 0, any = 0;
	const char *name = get_str(im, step, "name"), *desc = get_str(im, step, "description");
	int ext = jdoc_get(&im->d, step, "step_extensions");

	/* An action irk exported names its irk step: keep its id and stage. */
	for (int e = jdoc_first(&im->d, ext); e >= 0 && jdoc_type(&im->d, ext) == JD_OBJECT;
	     e = jdoc_next(&im->d, ext, e)) {
		const char *t = get_str(im, e, "type"), *sid2 = get_str(im, e, "id");
		if (!t || strcmp(t, "irk-step") || !sid2 || !lint_id_ok(sid2))
			continue;
		im->irk_id = sid2;
		im->irk_ext = e;
		im->irk_stage = get_str(im, e, "stage") ? stage_parse(get_str(im, e, "stage")) : -1;
		if (im->irk_stage == STAGE_CLOSED)
			im->irk_stage = -1;
	}

	for (int c = jdoc_first(&im->d, cmds); (c >= 0 || !any) && !im->failed;
	     c = c >= 0 ? jdoc_next(&im->d, cmds, c) : -1, k++) {
		struct jsonw *w;
		struct out_step *os;
		struct strbuf cmd = STRBUF_INIT, title = STRBUF_INIT;
		char ctail[64];
		const char *type = c >= 0 ? get_str(im, c, "type") : NULL;
		int mapped = 1, kept = 0;

		any = 1;
		snprintf(ctail, sizeof ctail, ".commands[%d]", k);
		strbuf_puts(&title, name ? name : c >= 0 && get_str(im, c, "description") ?
			    get_str(im, c, "description") : "Action");
		if (k)
			strbuf_printf(&title, " (%d)", k + 1);
		if (!(os = add_step(im, strbuf_str(&title), "action"))) {
			strbuf_free(&title);
			return;
		}
		w = &os->w;
		if (c >= 0 && command_text(im, c, &cmd) < 0 && strcmp(type ? type : "", "http-api") &&
		    strcmp(type ? type : "", "openc2-http"))
			wnote(im, sid, ctail, "command has no command text");
		set_flow(os, *tails, *ntails, when);
		jsonw_kv_str(w, "title", strbuf_str(&title));
		if (c < 0) {
			jsonw_kv_str(w, "kind", "manual");
			if (desc)
				jsonw_kv_str(w, "instructions", desc);
		} else if (type && (!strcmp(type, "http-api") || !strcmp(type, "openc2-http"))) {
			/* put_http writes nothing when it cannot map the command. */
			if ((mapped = !put_http(im, w, sid, step, c, strbuf_str(&cmd), ctail)))
				jsonw_kv_str(w, "kind", "http");
		} else if (type && (!strcmp(type, "bash") || !strcmp(type, "ssh"))) {
			if ((mapped = !put_shell(im, w, sid, step, type, strbuf_str(&cmd), ctail)))
				jsonw_kv_str(w, "kind", "exec");
		} else if (type && !strcmp(type, "manual")) {
			char ubuf[128];
			const char *unknown;
			char *x = subst_vars(im, strbuf_str(&cmd), "{{%s}}", &unknown, ubuf, sizeof ubuf);
			int ins_only = im->irk_ext < 0 || k > 0;
			jsonw_kv_str(w, "kind", "manual");
			/* irk's extension carries what a CACAO manual command cannot:
			 * the instructions alone, the checklist and the inputs. */
			for (size_t q = 0; q < 3 && k == 0 && im->irk_ext >= 0; q++) {
				static const char *const keys[] = { "instructions", "checklist", "inputs" };
				int v = jdoc_get(&im->d, im->irk_ext, keys[q]);
				struct strbuf cv = STRBUF_INIT;
				if (v < 0)
					continue;
				jdoc_canonical(&im->d, v, &cv);
				jsonw_key(w, keys[q]);
				jsonw_raw(w, strbuf_str(&cv));
				strbuf_free(&cv);
			}
			if (ins_only && cmd.len)
				jsonw_kv_str(w, "instructions", x);
			else if (ins_only && desc)
				jsonw_kv_str(w, "instructions", desc);
			free(x);
		} else {
			wnote(im, sid, ctail, "command type '%s' has no irk step kind: a manual step, "
			      "the command kept as x-cacao data", type ? type : "(none)");
			mapped = 0;
		}
		if (!mapped) {
			struct strbuf ins = STRBUF_INIT;
			jsonw_kv_str(w, "kind", "manual");
			strbuf_printf(&ins, "CACAO %s command, not run by irk: %s", type ? type : "?",
				      cmd.len ? strbuf_str(&cmd) : "(no text)");
			jsonw_kv_str(w, "instructions", strbuf_str(&ins));
			strbuf_free(&ins);
			kept = 1;
		}
		if (kept || (c >= 0 && (jdoc_get(&im->d, step, "agent") >= 0 ||
					jdoc_get(&im->d, step, "targets") >= 0))) {
			struct strbuf sb = STRBUF_INIT;
			struct jsonw kw;
			jsonw_init(&kw, &sb, 0);
			jsonw_obj_begin(&kw);
			if (kept && c >= 0) {
				struct strbuf cc = STRBUF_INIT;
				jdoc_canonical(&im->d, c, &cc);
				jsonw_key(&kw, "command");
				jsonw_raw(&kw, strbuf_str(&cc));
				strbuf_free(&cc);
			}
			if (jdoc_get(&im->d, step, "agent") >= 0)
				jsonw_kv_str(&kw, "agent", get_str(im, step, "agent"));
			if (jdoc_get(&im->d, step, "targets") >= 0) {
				struct strbuf tt = STRBUF_INIT;
				jdoc_canonical(&im->d, jdoc_get(&im->d, step, "targets"), &tt);
				jsonw_key(&kw, "targets");
				jsonw_raw(&kw, strbuf_str(&tt));
				strbuf_free(&tt);
			}
			jsonw_obj_end(&kw);
			jsonw_key(w, "x-cacao");
			jsonw_raw(w, strbuf_str(&sb));
			strbuf_free(&sb);
		}
		/* A step variable the action gives: that step's output. */
		{
			int oa = jdoc_get(&im->d, step, "out_args");
			for (int e = jdoc_first(&im->d, oa); e >= 0; e = jdoc_next(&im->d, oa, e))
				if (jdoc_str(&im->d, e)) {
					struct strbuf f = STRBUF_INIT;
					strbuf_printf(&f, "steps.%s.output.stdout", os->id);
					set_var(im, jdoc_str(&im->d, e), strbuf_str(&f));
					strbuf_free(&f);
				}
		}
		for (int i = 0; i < *ntails; i++)
			free((*tails)[i]);
		*tails = xrealloc(*tails, sizeof **tails);
		(*tails)[0] = xstrdup(os->id);
		*ntails = 1;
		strbuf_free(&cmd);
		strbuf_free(&title);
		if (c < 0)
			break;
	}
	im->irk_ext = -1;
}

struct cond_check {
	struct imp *im;
	int bad;
};

/* A field a translated condition may read: one a CACAO variable became,
 * or an alert or incident field. */
static void cond_var(const char *name, int offset, void *arg)
{
	struct cond_check *cc = arg;
	struct play none;
	char why[256];
	int known = 0;

	(void)offset;
	for (int k = 0; k < cc->im->nvars && !known; k++)
		known = !strcmp(cc->im->vars[k].field, name);
	for (int k = 0; k < cc->im->nsteps && !known && !strncmp(name, "steps.", 6); k++) {
		size_t n = strlen(cc->im->steps[k]->id);
		known = !strncmp(name + 6, cc->im->steps[k]->id, n) && name[6 + n] == '.';
	}
	memset(&none, 0, sizeof none);
	if (!known && (!strncmp(name, "steps.", 6) || play_field_check(&none, 0, name, why,
								       sizeof why)))
		cc->bad = 1;
}

/* The condition of an if/while as an irk expression (caller frees), or
 * NULL when it does not translate. */
static char *translate_cond(struct imp *im, const char *cond)
{
	char ubuf[128];
	const char *unknown;
	char *x;
	struct expr *e;

	if (!cond)
		return NULL;
	x = subst_vars(im, cond, "%s", &unknown, ubuf, sizeof ubuf);
	if (unknown || !(e = expr_parse(x, NULL))) {
		free(x);
		return NULL;
	}
	{
		struct cond_check cc = { im, 0 };
		expr_each_var(e, cond_var, &cc);
		expr_free(&e);
		if (cc.bad) {
			free(x);
			return NULL;
		}
	}
	return x;
}

static char *and_when(const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;

	if (a && *a && b && *b)
		strbuf_printf(&sb, "(%s) && (%s)", a, b);
	else
		strbuf_puts(&sb, a && *a ? a : b ? b : "");
	return strbuf_detach(&sb);
}

static void tails_set(char ***tails, int *ntails, char **src, int n)
{
	for (int i = 0; i < *ntails; i++)
		free((*tails)[i]);
	*tails = n ? xrealloc(*tails, (size_t)n * sizeof **tails) : (free(*tails), NULL);
	for (int i = 0; i < n; i++)
		(*tails)[i] = xstrdup(src[i]);
	*ntails = n;
}

static void tails_free(char **t, int n)
{
	for (int i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

static void walk(struct imp *im, const char *id, char ***tails, int *ntails, const char *when,
		 int depth);

/* A manual step that keeps the workflow step at tok as x-cacao data. */
static struct out_step *kept_step(struct imp *im, const char *sid, int tok, const char *title,
				  const char *ins, char **tails, int ntails, const char *when)
{
	struct out_step *os = add_step(im, title, "step");

	if (!os)
		return NULL;
	set_flow(os, tails, ntails, when);
	jsonw_kv_str(&os->w, "kind", "manual");
	jsonw_kv_str(&os->w, "title", title);
	jsonw_kv_str(&os->w, "instructions", ins);
	put_kept(im, &os->w, tok);
	(void)sid;
	return os;
}

/* A branch from step id bid (may be NULL): its last steps, or the steps
 * before it when it has none. */
static void branch(struct imp *im, const char *bid, char **tails, int ntails, const char *when,
		   int depth, char ***out, int *nout)
{
	char **t = NULL;
	int nt = 0;

	tails_set(&t, &nt, tails, ntails);
	if (bid)
		walk(im, bid, &t, &nt, when, depth + 1);
	*out = t;
	*nout = nt;
}

static void walk(struct imp *im, const char *id, char ***tails, int *ntails, const char *when,
		 int depth)
{
	if (depth > MAX_DEPTH) {
		if (!im->failed)
			note(im->rep, "$.workflow", "branches nested deeper than %d: the rest is not "
			     "imported", MAX_DEPTH);
		im->failed = 1;
		return;
	}
	while (id && !im->failed) {
		int s = jdoc_get(&im->d, im->wf, id);
		const char *type = get_str(im, s, "type"), *next;

		if (s < 0 || jdoc_type(&im->d, s) != JD_OBJECT) {
			note(im->rep, "$.workflow", "a step refers to '%.80s', which the workflow does "
			     "not have", id);
			return;
		}
		for (int k = 0; k < im->nseen; k++) {
			if (im->seen[k].tok != s)
				continue;
			if (im->seen[k].first && type && !strcmp(type, "action")) {
				join_flow(im->seen[k].first, *tails, *ntails, when);
				move_to_end(im, im->seen[k].first);
			}
			else if (strcmp(type ? type : "", "end"))
				wnote(im, id, NULL, "reached a second time (a loop or a join of a "
				      "%s): followed once", type ? type : "step");
			return;
		}
		im->seen = xrealloc(im->seen, (size_t)(im->nseen + 1) * sizeof *im->seen);
		im->seen[im->nseen].tok = s;
		im->seen[im->nseen++].first = NULL;
		next = get_str(im, s, "on_completion");
		if (!next)
			next = get_str(im, s, "on_success");
		if (!type) {
			wnote(im, id, NULL, "a step without a type: kept as x-cacao data");
			type = "?";
		}
		if (!strcmp(type, "start")) {
			;
		} else if (!strcmp(type, "end")) {
			return;
		} else if (!strcmp(type, "action")) {
			int before = im->nsteps, at = im->nseen - 1;
			const char *onf = get_str(im, s, "on_failure");
			import_action(im, id, s, tails, ntails, when);
			if (im->nsteps > before)
				im->seen[at].first = im->steps[before];
			if (onf && im->nsteps > before) {
				/* The failure branch: runs when this step failed. */
				struct out_step *last = im->steps[im->nsteps - 1];
				char *last_id = xstrdup(last->id), fw[200];
				char **ft = NULL;
				int nft = 0, first = im->nsteps;
				snprintf(fw, sizeof fw, "steps.%s.state == 'failed'", last_id);
				branch(im, onf, &last_id, 1, fw, depth, &ft, &nft);
				if (im->nsteps > first) {
					char g[96];
					snprintf(g, sizeof g, "goto:%s", im->steps[first]->id);
					jsonw_kv_str(&last->w, "on_failure", g);
				}
				tails_free(ft, nft);
				free(last_id);
			}
		} else if (!strcmp(type, "if-condition") || !strcmp(type, "while-condition")) {
			int loop = type[0] == 'w';
			const char *cond = get_str(im, s, "condition"), *name = get_str(im, s, "name");
			char *c = translate_cond(im, cond), *wt, *wf = NULL;
			char **bt = NULL, **bf = NULL;
			int nbt = 0, nbf = 0;

			if (loop)
				wnote(im, id, NULL, "while-condition: irk plays have no loops; its body "
				      "runs at most once%s, the loop kept as x-cacao data",
				      c ? " (when the condition holds)" : " (as a person decides)");
			if (!c) {
				/* A person decides: yes or no. */
				struct out_step *os = add_step(im, name ? name : "Decide", "decide");
				struct strbuf ins = STRBUF_INIT;
				if (!os)
					return;
				set_flow(os, *tails, *ntails, when);
				jsonw_kv_str(&os->w, "kind", "manual");
				jsonw_kv_str(&os->w, "title", name ? name : "Decide");
				strbuf_printf(&ins, "Decide: %s", cond ? cond : name ? name : "(no condition)");
				jsonw_kv_str(&os->w, "instructions", strbuf_str(&ins));
				strbuf_reset(&ins);
				jsonw_key(&os->w, "inputs");
				jsonw_raw(&os->w, "[{\"name\":\"answer\",\"required\":true,\"choices\":[\"yes\",\"no\"]}]");
				if (loop || cond)
					put_kept(im, &os->w, s);
				if (cond && !loop)
					wnote(im, id, ".condition", "condition '%.80s' does not translate to an "
					      "irk expression: a person decides (manual step %s), the "
					      "condition kept as x-cacao data", cond, os->id);
				strbuf_printf(&ins, "steps.%s.inputs.answer == 'yes'", os->id);
				c = strbuf_detach(&ins);
				tails_set(tails, ntails, &os->id, 1);
			} else if (loop) {
				struct out_step *os = kept_step(im, id, s, name ? name : "Loop",
					"CACAO while-condition: irk runs its body at most once",
					*tails, *ntails, when);
				if (!os)
					return;
				tails_set(tails, ntails, &os->id, 1);
			}
			wt = and_when(when, c);
			branch(im, get_str(im, s, "on_true"), *tails, *ntails, wt, depth, &bt, &nbt);
			if (!loop && get_str(im, s, "on_false")) {
				struct strbuf nf = STRBUF_INIT;
				strbuf_printf(&nf, "!(%s)", c);
				wf = and_when(when, strbuf_str(&nf));
				strbuf_free(&nf);
				branch(im, get_str(im, s, "on_false"), *tails, *ntails, wf, depth, &bf, &nbf);
			}
			/* What follows needs the steps before the branches: a branch
			 * not taken is skipped, and a step that needs a skipped step
			 * is skipped too. */
			tails_free(bt, nbt);
			tails_free(bf, nbf);
			free(wt);
			free(wf);
			free(c);
		} else if (!strcmp(type, "parallel")) {
			int ns = jdoc_get(&im->d, s, "next_steps");
			char **all = NULL;
			int nall = 0;
			for (int e = jdoc_first(&im->d, ns); e >= 0; e = jdoc_next(&im->d, ns, e)) {
				char **bt = NULL;
				int nbt = 0;
				branch(im, jdoc_str(&im->d, e), *tails, *ntails, when, depth, &bt, &nbt);
				for (int k = 0; k < nbt; k++) {
					int dup = 0;
					for (int q = 0; q < nall && !dup; q++)
						dup = !strcmp(all[q], bt[k]);
					if (!dup) {
						all = xrealloc(all, (size_t)(nall + 1) * sizeof *all);
						all[nall++] = xstrdup(bt[k]);
					}
				}
				tails_free(bt, nbt);
			}
			if (nall)
				tails_set(tails, ntails, all, nall);
			tails_free(all, nall);
		} else {
			const char *name = get_str(im, s, "name");
			struct strbuf ins = STRBUF_INIT;
			struct out_step *os;
			strbuf_printf(&ins, "CACAO %s step, not run by irk: %s", type,
				      name ? name : "(no name)");
			wnote(im, id, NULL, "%s has no irk equivalent: a manual step, kept as x-cacao data",
			      type);
			os = kept_step(im, id, s, name ? name : type, strbuf_str(&ins), *tails, *ntails,
				       when);
			strbuf_free(&ins);
			if (!os)
				return;
			tails_set(tails, ntails, &os->id, 1);
		}
		id = next;
	}
}

/* The stages hint into im->stages; -1 with err on an unknown name. */
static int parse_stages(struct imp *im, const char *stages, struct irk_err *err)
{
	static const int dflt[] = { STAGE_IDENTIFICATION, STAGE_CONTAINMENT, STAGE_ERADICATION,
		STAGE_RECOVERY };

	im->nstages = 0;
	if (!stages) {
		memcpy(im->stages, dflt, sizeof dflt);
		im->nstages = 4;
		return 0;
	}
	for (const char *p = stages; *p && im->nstages < 8;) {
		size_t n = strcspn(p, ",");
		char name[32];
		int st;
		snprintf(name, sizeof name, "%.*s", (int)(n < 31 ? n : 31), p);
		if ((st = stage_parse(name)) < 0 || st == STAGE_CLOSED)
			return irk_fail(err, IRK_INVALID, "--stages: '%s' is not a stage a step can "
					"have", name), -1;
		im->stages[im->nstages++] = st;
		p += n;
		if (*p == ',')
			p++;
	}
	return im->nstages ? 0 : (irk_fail(err, IRK_INVALID, "--stages: no stage named"), -1);
}

static void put_variables(struct imp *im, int vars)
{
	struct jsonw *w;
	struct out_step *os;

	if (jdoc_type(&im->d, vars) != JD_OBJECT || jdoc_first(&im->d, vars) < 0)
		return;
	if (!(os = add_step(im, "variables", "variables")))
		return;
	w = &os->w;
	jsonw_kv_str(w, "kind", "manual");
	jsonw_kv_str(w, "title", "Record the playbook's variables");
	jsonw_key(w, "inputs");
	jsonw_arr_begin(w);
	for (int e = jdoc_first(&im->d, vars); e >= 0; e = jdoc_next(&im->d, vars, e)) {
		const char *cname = jdoc_str(&im->d, e - 1), *desc = get_str(im, e, "description"),
			   *value = get_str(im, e, "value");
		char name[64];
		size_t n = 0;
		struct strbuf f = STRBUF_INIT, label = STRBUF_INIT;

		for (const char *p = cname; *p && n < 60; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || (*p == '_' && n && p[1] && p[1] != '_'))
				name[n++] = *p;
		name[n] = '\0';
		if (!n || (name[0] >= '0' && name[0] <= '9'))
			snprintf(name, sizeof name, "var%d", im->nvars + 1);
		strbuf_printf(&f, "steps.%s.inputs.%s", os->id, name);
		set_var(im, cname, strbuf_str(&f));
		strbuf_printf(&label, "%s%s%s%s", desc ? desc : cname,
			      value ? " (CACAO value: " : "", value ? value : "", value ? ")" : "");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "name", name);
		jsonw_kv_str(w, "label", strbuf_str(&label));
		if (!value)
			jsonw_kv_bool(w, "required", 1);
		jsonw_obj_end(w);
		strbuf_free(&f);
		strbuf_free(&label);
	}
	jsonw_arr_end(w);
	put_kept(im, w, vars);
}

/* Write the play: its head, then each step with its stage. */
static void write_play(struct imp *im, struct strbuf *out)
{
	struct jsonw w;
	const char *name = get_str(im, 0, "name"), *desc = get_str(im, 0, "description");
	char *pid = make_id(im, name, "cacao-playbook");
	struct strbuf head = STRBUF_INIT;
	int sev = -1;
	int64_t n;

	if (jdoc_int(&im->d, jdoc_get(&im->d, 0, "severity"), &n) == 0)
		sev = n < 25 ? SEV_LOW : n < 50 ? SEV_MEDIUM : n < 75 ? SEV_HIGH : SEV_CRITICAL;
	jsonw_init(&w, out, 1);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "play", pid);
	jsonw_kv_str(&w, "name", name ? name : pid);
	jsonw_kv_int(&w, "version", 1);
	if (desc)
		jsonw_kv_str(&w, "description", desc);
	jsonw_kv_str(&w, "match", "false");
	if (sev >= 0)
		jsonw_kv_str(&w, "severity", severity_name(sev));
	jsonw_key(&w, "x-cacao");
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "id", get_str(im, 0, "id"));
	jsonw_kv_str(&w, "spec_version", get_str(im, 0, "spec_version"));
	if (get_str(im, 0, "modified"))
		jsonw_kv_str(&w, "modified", get_str(im, 0, "modified"));
	jsonw_kv_str(&w, "match", "CACAO has no alert match: write the play's match before use");
	jsonw_obj_end(&w);
	jsonw_key(&w, "steps");
	jsonw_arr_begin(&w);
	for (int i = 0; i < im->nsteps; i++) {
		struct out_step *st = im->steps[i];
		int stage = st->stage >= 0 ? st->stage :
			    im->stages[(int64_t)i * im->nstages / im->nsteps];

		put_flow(&st->w, st->needs, st->nneeds, st->when);
		jsonw_kv_str(&st->w, "stage", stage_name(stage));
		jsonw_obj_end(&st->w);
		jsonw_raw(&w, strbuf_str(&st->body));
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	strbuf_addc(out, '\n');
	free(pid);
	strbuf_free(&head);
}

int cacao_import(const char *src, size_t n, const char *stages, struct strbuf *out,
		 struct cacao_report *rep, struct irk_err *err)
{
	struct imp im;
	struct jdoc_error je;
	const char *start, *spec;
	char **tails = NULL;
	int ntails = 0, rc = -1;

	memset(&im, 0, sizeof im);
	im.rep = rep;
	im.irk_stage = -1;
	im.irk_ext = -1;
	jdoc_init(&im.d);
	if (parse_stages(&im, stages, err))
		goto out;
	if (jdoc_parse(&im.d, src, n, &je)) {
		int line, col;
		char *tmp = xstrndup(src, je.offset < n ? je.offset : n);
		expr_position(tmp, (int)strlen(tmp), &line, &col);
		free(tmp);
		irk_fail(err, IRK_INVALID, "%d:%d: %s", line, col, je.msg);
		goto out;
	}
	spec = get_str(&im, 0, "spec_version");
	if (jdoc_type(&im.d, 0) != JD_OBJECT || (im.wf = jdoc_get(&im.d, 0, "workflow")) < 0 ||
	    jdoc_type(&im.d, im.wf) != JD_OBJECT) {
		irk_fail(err, IRK_INVALID, "not a CACAO playbook: no workflow object");
		goto out;
	}
	if (!spec || strcmp(spec, "cacao-2.0"))
		note(rep, "$.spec_version", "'%s' is not cacao-2.0: read as 2.0", spec ? spec : "(none)");
	if (!(start = get_str(&im, 0, "workflow_start"))) {
		irk_fail(err, IRK_INVALID, "not a CACAO playbook: no workflow_start");
		goto out;
	}
	im.targets = jdoc_get(&im.d, 0, "target_definitions");
	put_variables(&im, jdoc_get(&im.d, 0, "playbook_variables"));
	if (im.nsteps)
		tails_set(&tails, &ntails, &im.steps[0]->id, 1);
	if (jdoc_get(&im.d, 0, "workflow_exception") >= 0)
		note(rep, "$.workflow_exception", "irk has no playbook-wide exception step: not imported "
		     "(give steps on_failure)");
	if (jdoc_get(&im.d, 0, "agent_definitions") >= 0)
		note(rep, "$.agent_definitions", "agents: kept as x-cacao data on the steps that name "
		     "them");
	walk(&im, start, &tails, &ntails, NULL, 0);
	for (int e = jdoc_first(&im.d, im.wf); e >= 0; e = jdoc_next(&im.d, im.wf, e)) {
		int seen = 0;
		for (int k = 0; k < im.nseen && !seen; k++)
			seen = im.seen[k].tok == e;
		if (!seen && jdoc_str(&im.d, e - 1))
			wnote(&im, jdoc_str(&im.d, e - 1), NULL, "not reachable from workflow_start: "
			      "not imported");
	}
	if (!im.nsteps)
		note(rep, "$.workflow", "no step to import: the play has none and will not lint");
	write_play(&im, out);
	/* What irk would refuse is reported too: an import that says all is
	 * mapped gives a play that lints clean. */
	{
		struct play_diags diags = PLAY_DIAGS_INIT;
		struct play *p = NULL;
		play_parse("imported", out->buf, out->len, &p, &diags);
		for (size_t i = 0; i < diags.n; i++)
			if (!diags.v[i].warning) {
				struct strbuf m = STRBUF_INIT;
				play_diag_format(&diags.v[i], &m);
				note(rep, "$", "the imported play does not lint: %s (fix it by hand)",
				     strbuf_str(&m));
				strbuf_free(&m);
			}
		play_free(&p);
		play_diags_free(&diags);
	}
	rc = rep->n ? 1 : 0;
out:
	tails_free(tails, ntails);
	for (int i = 0; i < im.nsteps; i++) {
		free(im.steps[i]->id);
		tails_free(im.steps[i]->needs, im.steps[i]->nneeds);
		free(im.steps[i]->when);
		strbuf_free(&im.steps[i]->body);
		free(im.steps[i]);
	}
	free(im.steps);
	for (int k = 0; k < im.nvars; k++) {
		free(im.vars[k].cacao);
		free(im.vars[k].field);
	}
	free(im.vars);
	free(im.seen);
	jdoc_free(&im.d);
	return rc;
}

/* ---- export ------------------------------------------------------------------------ */

/* "TYPE--UUID", the UUID derived from the play and what (the same play
 * gives the same ids), in the form of a version 5 UUID. */
static void make_ref(char *buf, size_t n, const char *type, const struct play *p,
		     const char *what)
{
	struct strbuf s = STRBUF_INIT;
	unsigned char h[IRK_SHA256_LEN];
	char x[2 * IRK_SHA256_LEN + 1];

	strbuf_printf(&s, "irk:%s:%s", p->id ? p->id : "", what);
	hash_sha256(s.buf, s.len, h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	hash_hex(h, 16, x);
	snprintf(buf, n, "%s--%.8s-%.4s-%.4s-%.4s-%.12s", type, x, x + 8, x + 12, x + 16, x + 20);
	strbuf_free(&s);
}

/* One argv as a shell command line: plain words as they are, others in
 * single quotes. */
static void shell_line(const struct jdoc *d, int argv, struct strbuf *out)
{
	for (int e = jdoc_first(d, argv), k = 0; e >= 0; e = jdoc_next(d, argv, e), k++) {
		const char *s = jdoc_str(d, e);
		int plain = s && *s;

		for (const char *q = s; plain && *q; q++)
			plain = plain_char(*q) || *q == '{' || *q == '}';
		if (k)
			strbuf_addc(out, ' ');
		if (plain) {
			strbuf_puts(out, s);
			continue;
		}
		strbuf_addc(out, '\'');
		for (const char *q = s ? s : ""; *q; q++)
			if (*q == '\'')
				strbuf_puts(out, "'\\''");
			else
				strbuf_addc(out, *q);
		strbuf_addc(out, '\'');
	}
}

struct exp {
	const struct play *p;
	struct cacao_report *rep;
	struct strbuf targets;  /* target_definitions members, JSON */
	struct jsonw tw;
	int ntargets;
};

static void epath_note(struct exp *ex, const struct play_step *st, const char *key,
		       const char *what)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_printf(&path, "steps.%s%s%s", st->id, key ? "." : "", key ? key : "");
	note(ex->rep, strbuf_str(&path), "%s", what);
	strbuf_free(&path);
}

/* The commands of step st (definition d) into w. */
static void export_commands(struct exp *ex, const struct play_step *st, const struct jdoc *d,
			    struct jsonw *w)
{
	const char *kind = step_kind_name(st->kind);
	struct strbuf cmd = STRBUF_INIT;
	int v;

	jsonw_key(w, "commands");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	if (!strcmp(kind, "exec") && (v = jdoc_get(d, 0, "argv")) >= 0) {
		jsonw_kv_str(w, "type", "bash");
		shell_line(d, v, &cmd);
		jsonw_kv_str(w, "command", strbuf_str(&cmd));
		if (jdoc_get(d, 0, "env") >= 0 || jdoc_get(d, 0, "cwd") >= 0 ||
		    jdoc_get(d, 0, "ok_exit") >= 0)
			epath_note(ex, st, "env", "env, cwd and ok_exit have no CACAO bash form: "
				   "not exported");
	} else if (!strcmp(kind, "http") && (v = jdoc_get(d, 0, "url")) >= 0 && jdoc_str(d, v)) {
		const char *url = jdoc_str(d, v), *method = jdoc_str(d, jdoc_get(d, 0, "method"));
		const char *rest = strstr(url, "://"), *path;
		char tref[128];
		int h, b;

		rest = rest ? rest + 3 : url;
		path = strchr(rest, '/');
		make_ref(tref, sizeof tref, "http-api", ex->p, st->id);
		jsonw_kv_str(w, "type", "http-api");
		strbuf_printf(&cmd, "%s %s HTTP/1.1", method ? method :
			      jdoc_get(d, 0, "body") >= 0 ? "POST" : "GET", path ? path : "/");
		jsonw_kv_str(w, "command", strbuf_str(&cmd));
		if ((h = jdoc_get(d, 0, "headers")) >= 0 && jdoc_type(d, h) == JD_OBJECT) {
			jsonw_key(w, "headers");
			jsonw_obj_begin(w);
			for (int e = jdoc_first(d, h); e >= 0; e = jdoc_next(d, h, e)) {
				jsonw_key(w, jdoc_str(d, e - 1));
				jsonw_arr_begin(w);
				jsonw_str(w, jdoc_str(d, e) ? jdoc_str(d, e) : "");
				jsonw_arr_end(w);
			}
			jsonw_obj_end(w);
		}
		if ((b = jdoc_get(d, 0, "body")) >= 0) {
			struct strbuf body = STRBUF_INIT, enc = STRBUF_INIT;
			if (jdoc_type(d, b) == JD_STRING)
				strbuf_puts(&body, jdoc_str(d, b));
			else
				jdoc_canonical(d, b, &body);
			b64_encode(body.buf ? body.buf : "", body.len, &enc);
			jsonw_kv_str(w, "content_b64", strbuf_str(&enc));
			strbuf_free(&body);
			strbuf_free(&enc);
		}
		/* Its server, a target of its own. */
		{
			struct strbuf base = STRBUF_INIT;
			strbuf_add(&base, url, (size_t)((path ? path : rest + strlen(rest)) - url));
			jsonw_key(&ex->tw, tref);
			jsonw_obj_begin(&ex->tw);
			jsonw_kv_str(&ex->tw, "type", "http-api");
			jsonw_kv_str(&ex->tw, "name", strbuf_str(&base));
			jsonw_key(&ex->tw, "address");
			jsonw_obj_begin(&ex->tw);
			jsonw_key(&ex->tw, "url");
			jsonw_arr_begin(&ex->tw);
			jsonw_str(&ex->tw, strbuf_str(&base));
			jsonw_arr_end(&ex->tw);
			jsonw_obj_end(&ex->tw);
			jsonw_obj_end(&ex->tw);
			ex->ntargets++;
			strbuf_free(&base);
		}
		jsonw_obj_end(w);
		jsonw_arr_end(w);
		jsonw_key(w, "targets");
		jsonw_arr_begin(w);
		jsonw_str(w, tref);
		jsonw_arr_end(w);
		strbuf_free(&cmd);
		return;
	} else {
		const char *ins = jdoc_str(d, jdoc_get(d, 0, "instructions"));
		int cl = jdoc_get(d, 0, "checklist");

		jsonw_kv_str(w, "type", "manual");
		strbuf_puts(&cmd, ins ? ins : st->title ? st->title : st->id);
		if (jdoc_type(d, cl) == JD_ARRAY && jdoc_first(d, cl) >= 0) {
			strbuf_puts(&cmd, "\nChecklist:");
			for (int e = jdoc_first(d, cl); e >= 0; e = jdoc_next(d, cl, e))
				strbuf_printf(&cmd, "\n- %s", jdoc_str(d, e) ? jdoc_str(d, e) : "");
		}
		/* (The checklist and inputs themselves go in irk's step
		 * extension, for an import to give back.) */
		if (strcmp(kind, "manual")) {
			struct strbuf def = STRBUF_INIT, what = STRBUF_INIT;
			jdoc_canonical(d, 0, &def);
			strbuf_printf(&cmd, "\n(irk %s step: %s)", kind, strbuf_str(&def));
			strbuf_printf(&what, "a%s %s step has no CACAO command: exported as a manual "
				      "command describing it", strchr("aeiou", kind[0]) ? "n" : "",
				      kind);
			epath_note(ex, st, NULL, strbuf_str(&what));
			strbuf_free(&def);
			strbuf_free(&what);
		}
		jsonw_kv_str(w, "command", strbuf_str(&cmd));
	}
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	strbuf_free(&cmd);
}

static void iso_time(long long t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

int cacao_export(const struct play *p, long long now, struct strbuf *out,
		 struct cacao_report *rep, struct irk_err *err)
{
	struct exp ex = { p, rep, STRBUF_INIT, { 0 }, 0 };
	struct jsonw w;
	char ref[128], start[128], end[128], when_ref[128], next[128], ts[40], ext_ref[160];

	(void)err;
	jsonw_init(&ex.tw, &ex.targets, 0);
	jsonw_obj_begin(&ex.tw);
	iso_time(now, ts, sizeof ts);
	jsonw_init(&w, out, 1);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "type", "playbook");
	jsonw_kv_str(&w, "spec_version", "cacao-2.0");
	make_ref(ref, sizeof ref, "playbook", p, "");
	jsonw_kv_str(&w, "id", ref);
	jsonw_kv_str(&w, "name", p->name ? p->name : p->id);
	if (p->description)
		jsonw_kv_str(&w, "description", p->description);
	make_ref(ref, sizeof ref, "identity", p, "irk");
	jsonw_kv_str(&w, "created_by", ref);
	jsonw_kv_str(&w, "created", ts);
	jsonw_kv_str(&w, "modified", ts);
	make_ref(ext_ref, sizeof ext_ref, "extension-definition", p, "irk-step");
	make_ref(start, sizeof start, "start", p, "start");
	make_ref(end, sizeof end, "end", p, "end");
	jsonw_kv_str(&w, "workflow_start", start);
	jsonw_key(&w, "workflow");
	jsonw_obj_begin(&w);
	jsonw_key(&w, start);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "type", "start");
	/* The first step's entry: its if-condition or its action. */
	if (p->nsteps) {
		const struct play_step *st = &p->steps[0];
		struct jdoc d;
		jdoc_init(&d);
		jdoc_parse(&d, st->def, strlen(st->def), NULL);
		make_ref(next, sizeof next, jdoc_get(&d, 0, "when") >= 0 ? "if-condition" : "action",
			 p, st->id);
		jdoc_free(&d);
	}
	jsonw_kv_str(&w, "on_completion", p->nsteps ? next : end);
	jsonw_obj_end(&w);
	for (int i = 0; i < p->nsteps; i++) {
		const struct play_step *st = &p->steps[i];
		struct jdoc d;
		const char *when;
		char action[128], after[128], bend[128];
		int v;

		jdoc_init(&d);
		if (jdoc_parse(&d, st->def, strlen(st->def), NULL)) {
			jdoc_free(&d);
			continue;
		}
		when = jdoc_str(&d, jdoc_get(&d, 0, "when"));
		make_ref(action, sizeof action, "action", p, st->id);
		if (i + 1 < p->nsteps) {
			struct jdoc nd;
			jdoc_init(&nd);
			jdoc_parse(&nd, p->steps[i + 1].def, strlen(p->steps[i + 1].def), NULL);
			make_ref(after, sizeof after, jdoc_get(&nd, 0, "when") >= 0 ? "if-condition" :
				 "action", p, p->steps[i + 1].id);
			jdoc_free(&nd);
		} else {
			snprintf(after, sizeof after, "%s", end);
		}
		if (when) {
			make_ref(when_ref, sizeof when_ref, "if-condition", p, st->id);
			make_ref(bend, sizeof bend, "end", p, st->id);
			jsonw_key(&w, when_ref);
			jsonw_obj_begin(&w);
			jsonw_kv_str(&w, "type", "if-condition");
			jsonw_kv_str(&w, "name", st->title ? st->title : st->id);
			jsonw_kv_str(&w, "condition", when);
			jsonw_kv_str(&w, "on_true", action);
			jsonw_kv_str(&w, "on_completion", after);
			jsonw_obj_end(&w);
			jsonw_key(&w, bend);
			jsonw_obj_begin(&w);
			jsonw_kv_str(&w, "type", "end");
			jsonw_obj_end(&w);
		}
		jsonw_key(&w, action);
		jsonw_obj_begin(&w);
		jsonw_kv_str(&w, "type", "action");
		jsonw_kv_str(&w, "name", st->title ? st->title : st->id);
		if ((v = jdoc_get(&d, 0, "description")) >= 0 && jdoc_str(&d, v))
			jsonw_kv_str(&w, "description", jdoc_str(&d, v));
		if ((v = jdoc_get(&d, 0, "timeout")) >= 0 && jdoc_type(&d, v) == JD_NUMBER) {
			int64_t t;
			if (!jdoc_int(&d, v, &t))
				jsonw_kv_int(&w, "timeout", t * 1000);
		}
		export_commands(&ex, st, &d, &w);
		/* irk's own: the step's id and stage, so an import gives them back. */
		jsonw_key(&w, "step_extensions");
		jsonw_obj_begin(&w);
		jsonw_key(&w, ext_ref);
		jsonw_obj_begin(&w);
		jsonw_kv_str(&w, "type", "irk-step");
		jsonw_kv_str(&w, "id", st->id);
		jsonw_kv_str(&w, "stage", stage_name(st->stage));
		if (st->kind == step_kind_parse("manual")) {
			static const char *const keys[] = { "instructions", "checklist", "inputs" };
			for (size_t q = 0; q < 3; q++) {
				struct strbuf cv = STRBUF_INIT;
				if ((v = jdoc_get(&d, 0, keys[q])) < 0)
					continue;
				jdoc_canonical(&d, v, &cv);
				jsonw_key(&w, keys[q]);
				jsonw_raw(&w, strbuf_str(&cv));
				strbuf_free(&cv);
			}
		}
		jsonw_obj_end(&w);
		jsonw_obj_end(&w);
		jsonw_kv_str(&w, "on_completion", when ? bend : after);
		jsonw_obj_end(&w);
		if (jdoc_get(&d, 0, "on_failure") >= 0 || jdoc_get(&d, 0, "retry") >= 0)
			epath_note(&ex, st, "on_failure", "on_failure and retry are not exported");
		if (st->nneeds > 1 || (st->nneeds == 1 && st->needs[0] != i - 1))
			epath_note(&ex, st, "needs", "needs other than the step before: exported in "
				   "play order (a sequence)");
		jdoc_free(&d);
	}
	jsonw_key(&w, end);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "type", "end");
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	jsonw_obj_end(&ex.tw);
	if (ex.ntargets) {
		jsonw_key(&w, "target_definitions");
		jsonw_raw(&w, strbuf_str(&ex.targets));
	}
	jsonw_key(&w, "extension_definitions");
	jsonw_obj_begin(&w);
	jsonw_key(&w, ext_ref);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "type", "extension-definition");
	jsonw_kv_str(&w, "name", "irk step");
	jsonw_kv_str(&w, "description", "The irk play step an action was exported from: its id "
		     "and stage (irk-play(5) CACAO)");
	jsonw_kv_str(&w, "created_by", ref);
	jsonw_kv_str(&w, "schema", "irk-play(5)");
	jsonw_kv_str(&w, "version", "1.0.0");
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	strbuf_addc(out, '\n');
	strbuf_free(&ex.targets);
	return rep->n ? 1 : 0;
}
