/* http.c: one GET from a remote context source through libcurl, bounded
 * in every direction (irk.conf(5), [context.NAME]): a connect and a total
 * timeout, a response size cap, TLS verified (cafile; insecure = yes is
 * explicit), no redirects followed (a redirect to another host would
 * carry the token there), no proxy from the environment, the source's
 * rate limits (over them the call waits) and concurrency limit, and a
 * 429 or 503 with Retry-After honoured. The token goes into a header
 * only: never into a URL, a message or the log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "irk/curl.h"
#include "context_impl.h"

#ifndef IRK_VERSION
#define IRK_VERSION "0"
#endif

/* How long a Retry-After is waited for before the call fails instead, and
 * how often one call is tried again after one. */
#define RETRY_AFTER_MAX_S 60
#define RETRY_TRIES 3

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

struct sink {
	struct strbuf *body;
	size_t cap;
	int over;
	int64_t retry_after;       /* seconds, -1 none */
	char location[256];
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->body->len + len > s->cap) {
		s->over = 1;
		return 0;               /* CURLE_WRITE_ERROR: stop reading */
	}
	strbuf_add(s->body, p, len);
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
		char *end;
		long long v = strtoll(p + 12, &end, 10);
		s->retry_after = end != p + 12 && v >= 0 ? v : -1;
	} else if (len > 9 && !strncasecmp(p, "Location:", 9)) {
		size_t m = len - 9;
		const char *v = p + 9;
		while (m && (*v == ' ' || *v == '\t'))
			v++, m--;
		while (m && (v[m - 1] == '\r' || v[m - 1] == '\n'))
			m--;
		snprintf(s->location, sizeof s->location, "%.*s", (int)m, v);
	}
	return len;
}

void context_url_escape(const char *key, struct strbuf *out)
{
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			strbuf_addc(out, (char)*p);
		else
			strbuf_printf(out, "%%%02X", *p);
	}
}

static int cancelled(const struct context_source *src)
{
	return src->cancel && __atomic_load_n(src->cancel, __ATOMIC_SEQ_CST);
}

/* Wait for a free slot of the source's concurrency and a go from its
 * rate limits (in slices, so a cancel is noticed). -1 when cancelled. */
static int enter(struct context_source *src)
{
	int64_t wait;

	pthread_mutex_lock(&src->mu);
	while (src->inflight >= src->concurrency && !cancelled(src))
		pthread_cond_wait(&src->cv, &src->mu);
	src->inflight++;
	while (!cancelled(src) && (wait = rate_take(&src->rate, mono_ms())) > 0) {
		pthread_mutex_unlock(&src->mu);
		sleep_ms(wait < 100 ? wait : 100);
		pthread_mutex_lock(&src->mu);
	}
	pthread_mutex_unlock(&src->mu);
	return cancelled(src) ? -1 : 0;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt; (void)dn; (void)ut; (void)un;
	return cancelled(arg);
}

static void leave(struct context_source *src)
{
	pthread_mutex_lock(&src->mu);
	src->inflight--;
	pthread_cond_signal(&src->cv);
	pthread_mutex_unlock(&src->mu);
}

static int get_once(struct context_source *src, const char *method, const char *url,
		    const char *send, struct sink *sk, long *status, struct irk_err *err)
{
	struct curl_slist *h = NULL;
	struct strbuf line = STRBUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *cu = irk_lc.curl_easy_init();
	CURLcode cc;
	int rc = IRK_OK;

	if (!cu)
		return irk_fail(err, IRK_ERROR, "cannot start a request");
	h = irk_lc.curl_slist_append(h, "Accept: application/json");
	if (send)
		h = irk_lc.curl_slist_append(h, "Content-Type: application/json");
	if (src->token && src->user) {
		/* Basic: RT's user and password, Jira Cloud's e-mail and API token. */
		irk_lc.curl_easy_setopt(cu, CURLOPT_USERNAME, src->user);
		irk_lc.curl_easy_setopt(cu, CURLOPT_PASSWORD, src->token);
	} else if (src->token) {
		const char *name = src->header ? src->header : "Authorization";
		const char *scheme = src->scheme ? src->scheme :
			!strcmp(src->kind->name, "netbox") ? "Token" :
			!strcmp(src->kind->name, "rt") ? "token" : "Bearer";
		strbuf_printf(&line, "%s: %s%s%s", name, scheme, *scheme ? " " : "", src->token);
		h = irk_lc.curl_slist_append(h, strbuf_str(&line));
		/* The copy in line is wiped: only curl's list holds it now. */
		memset(line.buf, 0, line.len);
	}
	strbuf_free(&line);
	irk_lc.curl_easy_setopt(cu, CURLOPT_URL, url);
	irk_lc.curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	if (send) {
		irk_lc.curl_easy_setopt(cu, CURLOPT_POSTFIELDS, send);
		irk_lc.curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	} else {
		irk_lc.curl_easy_setopt(cu, CURLOPT_HTTPGET, 1L);
	}
	irk_lc.curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	irk_lc.curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 0L);
	irk_lc.curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	irk_lc.curl_easy_setopt(cu, CURLOPT_PROXY, "");
	irk_lc.curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS, (long)src->connect_ms);
	irk_lc.curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, (long)src->timeout_ms);
	irk_lc.curl_easy_setopt(cu, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)src->max_bytes);
	irk_lc.curl_easy_setopt(cu, CURLOPT_SSL_VERIFYPEER, src->insecure ? 0L : 1L);
	irk_lc.curl_easy_setopt(cu, CURLOPT_SSL_VERIFYHOST, src->insecure ? 0L : 2L);
	if (src->cafile)
		irk_lc.curl_easy_setopt(cu, CURLOPT_CAINFO, src->cafile);
	irk_lc.curl_easy_setopt(cu, CURLOPT_USERAGENT, "irk/" IRK_VERSION);
	irk_lc.curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_data);
	irk_lc.curl_easy_setopt(cu, CURLOPT_WRITEDATA, sk);
	irk_lc.curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, on_header);
	irk_lc.curl_easy_setopt(cu, CURLOPT_HEADERDATA, sk);
	irk_lc.curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, errbuf);
	irk_lc.curl_easy_setopt(cu, CURLOPT_NOPROGRESS, 0L);
	irk_lc.curl_easy_setopt(cu, CURLOPT_XFERINFOFUNCTION, on_progress);
	irk_lc.curl_easy_setopt(cu, CURLOPT_XFERINFODATA, src);
	cc = irk_lc.curl_easy_perform(cu);
	irk_lc.curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, status);
	if (sk->over || cc == CURLE_FILESIZE_EXCEEDED)
		rc = irk_fail(err, IRK_ERROR, "response larger than %lld bytes", (long long)src->max_bytes);
	else if (cc == CURLE_ABORTED_BY_CALLBACK)
		rc = irk_fail(err, IRK_ERROR, "cancelled");
	else if (cc == CURLE_OPERATION_TIMEDOUT)
		rc = irk_fail(err, IRK_ERROR, "timeout");
	else if (cc == CURLE_COULDNT_CONNECT)
		rc = irk_fail(err, IRK_ERROR, "connection refused");
	else if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
		 cc == CURLE_SSL_CONNECT_ERROR)
		rc = irk_fail(err, IRK_ERROR, "TLS: %s", errbuf[0] ? errbuf : irk_lc.curl_easy_strerror(cc));
	else if (cc != CURLE_OK)
		rc = irk_fail(err, IRK_ERROR, "%s", errbuf[0] ? errbuf : irk_lc.curl_easy_strerror(cc));
	irk_lc.curl_easy_cleanup(cu);
	irk_lc.curl_slist_free_all(h);
	return rc;
}

int context_http_get(struct context_source *src, const char *url, struct strbuf *body,
		     long *status, struct irk_err *err)
{
	return context_http_request(src, "GET", url, NULL, body, status, err);
}

int context_http_request(struct context_source *src, const char *method, const char *url,
			 const char *send, struct strbuf *body, long *status, struct irk_err *err)
{
	const char *why = irk_curl_load();
	int rc = IRK_OK;

	if (why)
		return irk_fail(err, IRK_ERROR, "libcurl: %s", why);
	for (int tries = 0;; tries++) {
		struct sink sk = { body, (size_t)src->max_bytes, 0, -1, "" };

		strbuf_reset(body);
		*status = 0;
		if (enter(src)) {
			leave(src);
			return irk_fail(err, IRK_ERROR, "cancelled");
		}
		rc = get_once(src, method, url, send, &sk, status, err);
		if (!rc && (*status == 429 || *status == 503) && sk.retry_after >= 0) {
			/* Every call of this source waits: the server said so. */
			pthread_mutex_lock(&src->mu);
			rate_hold(&src->rate, mono_ms() + sk.retry_after * 1000);
			pthread_mutex_unlock(&src->mu);
		}
		leave(src);
		if (rc)
			return rc;
		if (*status >= 300 && *status < 400)
			return irk_fail(err, IRK_ERROR, "HTTP %ld: redirect to %s not followed", *status,
					sk.location[0] ? sk.location : "(no Location)");
		if ((*status == 429 || *status == 503) && sk.retry_after >= 0 &&
		    sk.retry_after <= RETRY_AFTER_MAX_S && tries + 1 < RETRY_TRIES)
			continue;       /* enter() waits for the hold */
		if (*status == 429)
			return irk_fail(err, IRK_ERROR, "HTTP 429: rate limited by the server");
		if (*status >= 400 && *status != 404)
			return irk_fail(err, IRK_ERROR, "HTTP %ld", *status);
		return IRK_OK;
	}
}

int context_json_text(const struct jdoc *d, int tok, struct strbuf *out)
{
	size_t len;
	const char *s;

	switch (jdoc_type(d, tok)) {
	case JD_STRING:
		strbuf_puts(out, jdoc_str(d, tok));
		return 0;
	case JD_NUMBER:
	case JD_TRUE:
	case JD_FALSE:
		s = jdoc_scalar_text(d, tok, &len);
		strbuf_add(out, s, len);
		return 0;
	case JD_ARRAY:
		/* A list: strings, or objects with a name (NetBox tags). */
		for (int e = jdoc_first(d, tok); e >= 0; e = jdoc_next(d, tok, e)) {
			int v = jdoc_type(d, e) == JD_OBJECT ? jdoc_get(d, e, "name") : e;
			if (jdoc_type(d, v) != JD_STRING)
				continue;
			if (out->len)
				strbuf_addc(out, ' ');
			strbuf_puts(out, jdoc_str(d, v));
		}
		return 0;
	case JD_OBJECT: {
		/* An object with a name or a value (NetBox's nested ones). */
		int v = jdoc_get(d, tok, "name");
		if (v < 0)
			v = jdoc_get(d, tok, "value");
		return v >= 0 ? context_json_text(d, v, out) : -1;
	}
	}
	return -1;
}
