/* kind_http.c: an http step, one HTTP(S) request made by the engine's
 * run_http.c. */
#include <string.h>

#include "irk/jdoc.h"
#include "irk/play.h"
#include "irk/template.h"
#include "kind.h"

static const char *const http_keys[] = { "method", "url", "headers", "body", "insecure",
	"max_bytes", "ok_status", NULL };

struct clear_check {
	struct lint *l;
	int tok;                  /* the string holding the template */
};

static void secret_var(const char *name, int offset, void *arg)
{
	struct clear_check *cc = arg;

	if (!strncmp(name, "secret.", 7))
		lint_report(cc->l, lint_str_pos(cc->l, cc->tok, (size_t)offset), 1,
			    "%s is sent in clear text: the url is http://, not https://", name);
}

/* Secrets in the headers of a request to an http:// url: a warning at
 * each. */
static void check_clear_secrets(struct lint *l, int headers)
{
	if (jdoc_type(&l->d, headers) != JD_OBJECT)
		return;
	for (int e = jdoc_first(&l->d, headers); e >= 0; e = jdoc_next(&l->d, headers, e)) {
		struct tmpl *t;
		struct clear_check cc = { l, e };

		if (jdoc_type(&l->d, e) != JD_STRING || !(t = tmpl_parse(jdoc_str(&l->d, e), NULL)))
			continue;
		tmpl_each_var(t, secret_var, &cc);
		tmpl_free(&t);
	}
}

static void http_lint(struct lint *l, int i, int s)
{
	struct jdoc *d = &l->d;
	int v;
	const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL };
	if ((v = jdoc_get(d, s, "method")) >= 0 && !lint_want_str(l, v, "method") &&
	    !lint_in_list(methods, jdoc_str(d, v)))
		lint_report(l, lint_pos(l, v), 0, "method: '%s' is not GET, POST, PUT, PATCH, DELETE or HEAD",
			    jdoc_str(d, v));
	if ((v = jdoc_get(d, s, "url")) < 0) {
		lint_report(l, lint_pos(l, s), 0, "an http step needs a url");
	} else if (!lint_want_str(l, v, "url")) {
		const char *u = jdoc_str(d, v);
		lint_tmpl(l, v, i, "url");
		if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
			lint_report(l, lint_pos(l, v), 0, "url must start with http:// or https://");
	}
	if ((v = jdoc_get(d, s, "headers")) >= 0) {
		int u = jdoc_get(d, s, "url");
		lint_tmpl_map(l, v, i, "headers", 1);
		if (jdoc_type(d, u) == JD_STRING && !strncmp(jdoc_str(d, u), "http://", 7))
			check_clear_secrets(l, v);
	}
	if ((v = jdoc_get(d, s, "body")) >= 0)
		lint_tmpl_tree(l, v, i, "body");
	if ((v = jdoc_get(d, s, "insecure")) >= 0 && !lint_want(l, v, JD_TRUE, "insecure") &&
	    jdoc_type(d, v) == JD_TRUE)
		lint_report(l, lint_pos(l, v), 1,
			    "insecure: TLS certificates are not verified for this request");
	if ((v = jdoc_get(d, s, "max_bytes")) >= 0)
		lint_want_int(l, v, "max_bytes", 1, 64 << 20, 0, NULL);
	if ((v = jdoc_get(d, s, "ok_status")) >= 0)
		lint_want_codes(l, v, "ok_status", 100, 599);
}

const struct play_kind_ops play_kind_http = {
	.flags = STEP_KIND_AUTOMATED,
	.keys = http_keys,
	.lint = http_lint,
};
