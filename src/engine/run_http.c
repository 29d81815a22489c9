/* run_http.c: the http step, one request through libcurl.
 *
 * Bounded in every direction: http and https only (redirects are not
 * followed), a connect and a total timeout, a response size cap. TLS is
 * verified unless the step says "insecure": true, which the log shows.
 * Header values may use {{secret.NAME}}; request headers are never
 * recorded, and a secret echoed back by the server is cut from the body.
 *
 * libcurl is loaded (dlopen) when the first http step runs or a sequencer
 * starts, not linked: with its TLS, HTTP/2, SSH, LDAP and Kerberos
 * libraries it was half of the start-up of every irk command. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/config.h"
#include "irk/curl.h"
#include "irk/jsonw.h"
#include "irk/play.h"
#include "irk/template.h"
#include "internal.h"

#ifndef IRK_VERSION
#define IRK_VERSION "0"
#endif

#define lc irk_lc

const char *run_http_global_init(void)
{
	return irk_curl_load();
}

struct sink {
	struct strbuf body;
	size_t cap;
	int over;
	const struct run_env *env;
	int64_t next_tick;
	int cancelled;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->body.len + len > s->cap) {
		/* Keep what fits (the first max_bytes), then stop reading
		 * (CURLE_WRITE_ERROR). */
		strbuf_add(&s->body, p, s->cap - s->body.len);
		s->over = 1;
		return 0;
	}
	strbuf_add(&s->body, p, len);
	return len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct sink *s = arg;
	const struct run_env *env = s->env;
	int64_t now = proc_mono_ms();

	(void)dt; (void)dn; (void)ut; (void)un;
	if (env->cancel_fd >= 0) {
		struct pollfd pf = { env->cancel_fd, POLLIN, 0 };
		if (poll(&pf, 1, 0) > 0)
			return s->cancelled = 1;
	}
	if (env->tick && now >= s->next_tick) {
		s->next_tick = now + (env->tick_ms > 0 ? env->tick_ms : 1000);
		if (env->tick(env->tick_arg))
			return s->cancelled = 1;
	}
	return 0;
}

/* A header name is an RFC 9110 token. */
static int valid_header_name(const char *s)
{
	return *s && strspn(s, "!#$%&'*+-.^_`|~0123456789"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == strlen(s);
}

static int add_headers(struct run_ctx *c, struct curl_slist **h, int *has_ctype)
{
	struct jdoc *d = &c->def;
	int obj = jdoc_get(d, 0, "headers");

	if (obj < 0)
		return 0;
	if (jdoc_type(d, obj) != JD_OBJECT)
		return run_fail(c->r, 1, "headers must be an object of Name: value"), -1;
	for (int e = jdoc_first(d, obj); e >= 0; e = jdoc_next(d, obj, e)) {
		const char *name = jdoc_str(d, e - 1);
		struct strbuf line = STRBUF_INIT;
		char what[96], *v;

		if (!valid_header_name(name))
			return run_fail(c->r, 1, "headers: '%.64s' is not a header name", name), -1;
		snprintf(what, sizeof what, "headers.%s", name);
		if (!(v = run_expand_scalar(c, e, what, 1)))
			return -1;
		/* A value from outside must not start a second header. */
		if (strpbrk(v, "\r\n")) {
			free(v);
			return run_fail(c->r, 1, "%s: the value holds a line break", what), -1;
		}
		if (!strcasecmp(name, "Content-Type"))
			*has_ctype = 1;
		strbuf_printf(&line, "%s: %s", name, v);
		free(v);
		*h = lc.curl_slist_append(*h, strbuf_str(&line));
		strbuf_free(&line);
	}
	return 0;
}

/* Values spliced into a URL are percent-encoded (so `../x?y` stays inside
 * its path segment), except a field that starts the URL (the whole base). */
struct url_lookup {
	struct run_ctx *c;
	int calls, raw_first;
	char *enc;
};

static int url_lookup_fn(void *arg, const char *name, struct expr_value *out)
{
	struct url_lookup *u = arg;
	const struct run_env *env = u->c->env;
	char buf[32];
	const char *text;
	int first = u->calls++ == 0;

	if (!env->lookup || env->lookup(env->fields, name, out))
		return 1;
	if (first && u->raw_first)
		return 0;
	if (!(text = expr_value_text(out, buf, sizeof buf)))
		return 1;
	lc.curl_free(u->enc);
	u->enc = lc.curl_easy_escape(NULL, text, (int)strlen(text));
	if (!u->enc)
		return 1;
	expr_value_set_str(out, u->enc);
	return 0;
}

static char *expand_url(struct run_ctx *c, const char *src)
{
	struct url_lookup u = { c, 0, 0, NULL };
	struct irk_err err = { 0 };
	const char *p = src;
	char *v;

	while (*p == ' ')
		p++;
	if (!strncmp(p, "{{", 2)) {
		p += 2;
		while (*p == ' ' || *p == '\t')
			p++;
		u.raw_first = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
	}
	v = tmpl_render(src, url_lookup_fn, &u, &err);
	lc.curl_free(u.enc);
	if (!v)
		run_fail(c->r, 1, "url: %s", err.msg);
	return v;
}

static void record_body(struct run_ctx *c, struct strbuf *out, struct jsonw *log,
			const struct sink *s, const char *ctype)
{
	struct jdoc d;
	struct jdoc_error je;
	const char *b = s->body.buf ? s->body.buf : "";
	size_t n = s->body.len, i = 0;

	while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
		i++;
	if (i == n)
		return;
	jdoc_init(&d);
	if (!jdoc_parse(&d, b, n, &je)) {
		strbuf_puts(out, ",\"body\":");
		jdoc_canonical(&d, 0, out);
	} else {
		size_t keep = n < RUN_CAPTURE_MAX ? n : RUN_CAPTURE_MAX;
		/* Secrets went before (run_redact_buf); a cut may fall in one. */
		if (keep < n)
			keep -= run_secret_tail(c, b, keep);
		strbuf_puts(out, ",\"text\":");
		json_quote(out, b, keep);
		if ((ctype && strstr(ctype, "json")) || b[i] == '{' || b[i] == '[') {
			char msg[160];
			snprintf(msg, sizeof msg, "the body is not valid JSON: %s at byte %zu",
				 je.msg, je.offset);
			strbuf_puts(out, ",\"json_error\":");
			json_quote(out, msg, strlen(msg));
			jsonw_kv_str(log, "json_error", msg);
		}
	}
	jdoc_free(&d);
}

int run_http(const struct run_env *env, struct run_result *r)
{
	struct run_ctx c;
	struct sink s = { STRBUF_INIT, RUN_HTTP_MAX, 0, env, 0, 0 };
	struct curl_slist *h = NULL;
	struct strbuf body = STRBUF_INIT;
	struct jsonw w;
	char errbuf[CURL_ERROR_SIZE] = "", *url = NULL, *ctype = NULL;
	const char *method, *proxy, *why;
	int64_t timeout_ms, max;
	int has_ctype = 0, has_body = 0, insecure = 0, v;
	long status = 0;
	int ok;
	CURL *cu = NULL;
	CURLcode cc;

	if (run_ctx_init(&c, env, r))
		goto out;
	if ((why = run_http_global_init())) {
		run_fail(r, 0, "http steps need libcurl (libcurl.so.4): %s", why);
		goto out;
	}
	if (!run_str(&c, "url")) {
		run_fail(r, 1, "an http step needs a url");
		goto out;
	}
	if (!(url = expand_url(&c, run_str(&c, "url"))))
		goto out;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		run_fail(r, 1, "url '%.200s' is not http:// or https://", url);
		goto out;
	}
	if (add_headers(&c, &h, &has_ctype))
		goto out;
	if ((v = jdoc_get(&c.def, 0, "body")) >= 0) {
		has_body = 1;
		if (jdoc_type(&c.def, v) == JD_STRING) {
			char *x = run_expand(&c, jdoc_str(&c.def, v), "body");
			if (!x)
				goto out;
			strbuf_puts(&body, x);
			free(x);
		} else {
			if (run_expand_json(&c, v, "body", &body))
				goto out;
			if (!has_ctype)
				h = lc.curl_slist_append(h, "Content-Type: application/json");
		}
	}
	method = run_str(&c, "method");
	if (!method)
		method = has_body ? "POST" : "GET";
	v = jdoc_get(&c.def, 0, "insecure");
	insecure = jdoc_type(&c.def, v) == JD_TRUE;
	timeout_ms = run_duration_ms(&c, "timeout", PLAY_TIMEOUT_HTTP);
	v = jdoc_get(&c.def, 0, "max_bytes");
	if (v >= 0 && !jdoc_int(&c.def, v, &max) && max > 0)
		s.cap = (size_t)max;

	if (!(cu = lc.curl_easy_init())) {
		run_fail(r, 0, "libcurl could not start a request");
		goto out;
	}
	lc.curl_easy_setopt(cu, CURLOPT_URL, url);
	lc.curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	lc.curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	lc.curl_easy_setopt(cu, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	lc.curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 0L);
	lc.curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	lc.curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ms < 10000 ? timeout_ms : 10000));
	lc.curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, errbuf);
	lc.curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_data);
	lc.curl_easy_setopt(cu, CURLOPT_WRITEDATA, &s);
	lc.curl_easy_setopt(cu, CURLOPT_NOPROGRESS, 0L);
	lc.curl_easy_setopt(cu, CURLOPT_XFERINFOFUNCTION, on_progress);
	lc.curl_easy_setopt(cu, CURLOPT_XFERINFODATA, &s);
	lc.curl_easy_setopt(cu, CURLOPT_USERAGENT, "irk/" IRK_VERSION);
	lc.curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	lc.curl_easy_setopt(cu, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
	lc.curl_easy_setopt(cu, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
	/* A proxy in the environment of whoever started irk is not where a
	 * step's headers (its secrets) go: only engine.proxy is, for every
	 * host (no_proxy is ignored too). "" turns libcurl's lookup off. */
	proxy = config_settings(env->cfg)->engine.proxy;
	lc.curl_easy_setopt(cu, CURLOPT_PROXY, proxy ? proxy : "");
	lc.curl_easy_setopt(cu, CURLOPT_NOPROXY, "");
	if (config_settings(env->cfg)->engine.cafile)
		lc.curl_easy_setopt(cu, CURLOPT_CAINFO, config_settings(env->cfg)->engine.cafile);
	if (!strcmp(method, "HEAD"))
		lc.curl_easy_setopt(cu, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") || has_body)
		lc.curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	if (has_body) {
		lc.curl_easy_setopt(cu, CURLOPT_POSTFIELDS, strbuf_str(&body));
		lc.curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)body.len);
	}
	s.next_tick = proc_mono_ms() + (env->tick_ms > 0 ? env->tick_ms : 1000);
	cc = lc.curl_easy_perform(cu);
	lc.curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
	{
		char *ct = NULL;
		lc.curl_easy_getinfo(cu, CURLINFO_CONTENT_TYPE, &ct);
		ctype = ct ? xstrdup(ct) : NULL;
	}

	jsonw_init(&w, &r->log, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "method", method);
	jsonw_kv_str(&w, "url", url);
	jsonw_kv_str(&w, "tls", strncmp(url, "https://", 8) ? "none" :
		     insecure ? "NOT VERIFIED (insecure: true)" : "verified");
	jsonw_kv_int(&w, "status", status);
	jsonw_kv_str(&w, "content_type", ctype);
	jsonw_kv_int(&w, "bytes", (int64_t)s.body.len);
	strbuf_printf(&r->output, "{\"status\":%ld", status);
	/* The server may echo a header back: secrets go before any cut. */
	run_redact_buf(&c, &s.body, s.over);
	record_body(&c, &r->output, &w, &s, ctype);
	strbuf_addc(&r->output, '}');

	if (s.cancelled || cc == CURLE_ABORTED_BY_CALLBACK) {
		r->status = RUN_CANCELLED;
		snprintf(r->why, sizeof r->why, "stopped during the request");
	} else if (s.over) {
		run_fail(r, 0, "the response is larger than %zu bytes (max_bytes)", s.cap);
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		r->timed_out = 1;
		run_fail(r, 0, "timeout: no complete response after %lldms",
			 (long long)timeout_ms);
	} else if (cc != CURLE_OK) {
		run_fail(r, 0, "%s: %s", lc.curl_easy_strerror(cc), errbuf[0] ? errbuf : "-");
	} else if ((ok = run_code_ok(&c, "ok_status", status)) == 0 ||
		   (ok < 0 && (status < 200 || status > 299))) {
		run_fail(r, 0, "HTTP status %ld%s", status, ok == 0 ? " (not in ok_status)" : "");
	} else {
		r->status = RUN_DONE;
	}
	if (r->status != RUN_DONE)
		jsonw_kv_str(&w, "error", r->why);
	jsonw_obj_end(&w);
out:
	if (cu)
		lc.curl_easy_cleanup(cu);
	if (h)
		lc.curl_slist_free_all(h);
	strbuf_free(&body);
	strbuf_free(&s.body);
	free(url);
	free(ctype);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_http_ops = {
	.flags = 0,
	.run = run_http,
};
