/* test_engine_http.c: the http runner against a real Python
 * ThreadingHTTPServer on loopback (tests/fixtures/http_server.py): status
 * codes, JSON bodies, timeouts, the size cap, bad JSON, request bodies and
 * headers, secrets kept out of what is recorded, URL encoding of template
 * values, TLS verified by default. */
#include <sys/eventfd.h>

#include "engine_testlib.h"

static pid_t server;
static int port;
static struct config *cfg;

static void setup(void)
{
	server = testlib_http_start(NULL, &port);
	cfg = config_new();
}

static void teardown(void)
{
	testlib_http_stop(server);
	config_free(&cfg);
	tmp_cleanup();
}

TestSuite(http, .init = setup, .fini = teardown);

/* A definition with the server's port in place of PORT. */
static char *def(const char *fmt)
{
	static char buf[2048];
	const char *p = strstr(fmt, "PORT");

	cr_assert_not_null(p);
	snprintf(buf, sizeof buf, "%.*s%d%s", (int)(p - fmt), fmt, port, p + 4);
	return buf;
}

Test(http, json_body_and_status_into_the_output)
{
	struct run_result r;
	char *tls;

	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/json\"}"), cfg,
				 NULL, &r), RUN_DONE, "%s", r.why);
	cr_assert_str_eq(r.output.buf, "{\"status\":200,\"body\":{\"score\":87,\"verdict\":\"malicious\"}}");
	tls = testlib_get(r.log.buf, "tls");
	cr_assert_str_eq(tls, "none");
	free(tls);
	run_result_free(&r);
}

Test(http, error_status_fails_but_keeps_the_body)
{
	struct run_result r;

	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/status/503\"}"), cfg,
				 NULL, &r), RUN_FAILED);
	cr_assert_str_eq(r.why, "HTTP status 503");
	cr_assert_eq(r.permanent, 0);
	cr_assert_str_eq(r.output.buf, "{\"status\":503,\"body\":{\"error\":\"status 503\"}}");
	run_result_free(&r);
	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/status/404\"}"), cfg,
				 NULL, &r), RUN_FAILED);
	cr_assert_str_eq(r.why, "HTTP status 404");
	run_result_free(&r);
}

Test(http, redirects_are_not_followed)
{
	struct run_result r;

	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/status/302\"}"), cfg,
				 NULL, &r), RUN_FAILED);
	cr_assert_str_eq(r.why, "HTTP status 302");
	run_result_free(&r);
}

Test(http, timeout)
{
	struct run_result r;
	time_t t0 = time(NULL);

	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/slow?ms=4000\", "
					     "\"timeout\": 1}"), cfg, NULL, &r), RUN_FAILED);
	cr_assert(r.timed_out);
	cr_assert(!strncmp(r.why, "timeout:", 8), "%s", r.why);
	cr_assert_lt(time(NULL) - t0, 3);
	run_result_free(&r);
}

Test(http, response_size_cap)
{
	struct run_result r;

	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/big?n=200000\", "
					     "\"max_bytes\": 1000}"), cfg, NULL, &r), RUN_FAILED);
	cr_assert_str_eq(r.why, "the response is larger than 1000 bytes (max_bytes)");
	run_result_free(&r);
	/* The default cap is 1 MiB. */
	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/big?n=1100000\"}"),
				 cfg, NULL, &r), RUN_FAILED);
	cr_assert(strstr(r.why, "larger than 1048576 bytes"), "%s", r.why);
	run_result_free(&r);
}

Test(http, bad_json_is_kept_as_text_with_the_error)
{
	struct run_result r;
	char *je, *text;

	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/bad-json\"}"), cfg,
				 NULL, &r), RUN_DONE, "%s", r.why);
	text = testlib_get(r.output.buf, "text");
	cr_assert_str_eq(text, "{\"verdict\": \"malicious\", ");
	je = testlib_get(r.output.buf, "json_error");
	cr_assert(!strncmp(je, "the body is not valid JSON", 26), "%s", je);
	free(je);
	free(text);
	run_result_free(&r);
	/* Plain text is not an error. */
	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/text\"}"), cfg,
				 NULL, &r), RUN_DONE);
	cr_assert_str_eq(r.output.buf, "{\"status\":200,\"text\":\"hello\\n\"}");
	run_result_free(&r);
}

Test(http, json_body_with_templates_is_posted)
{
	const char *fields[] = { "alert.host", "web-01\"}, \"x\": {\"", "incident.key", "IR-7", NULL };
	struct run_result r;
	json_t *out, *body;
	json_error_t je;
	const char *sent;

	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/echo\", \"body\": "
					     "{\"host\": \"{{alert.host}}\", \"ticket\": {\"ref\": "
					     "\"{{incident.key}}\", \"n\": 2}}}"), cfg, fields, &r),
		     RUN_DONE, "%s", r.why);
	out = testlib_json(r.output.buf);
	body = json_object_get(json_object_get(out, "body"), "body");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(out, "body"),
		"headers"), "Content-Type")), "application/json");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(out, "body"), "method")),
			 "POST");
	sent = json_string_value(body);
	json_t *b = json_loads(sent, 0, &je);
	cr_assert_not_null(b, "the request body is not JSON: %s", sent);
	/* The quotes in the value stayed inside the string. */
	cr_assert_str_eq(json_string_value(json_object_get(b, "host")), "web-01\"}, \"x\": {\"");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(b, "ticket"), "ref")), "IR-7");
	cr_assert_eq(json_object_size(b), 2);
	json_decref(b);
	json_decref(out);
	run_result_free(&r);
}

Test(http, secret_header_is_sent_but_never_recorded)
{
	struct run_result r;

	setenv("IRK_SECRET_EDR_TOKEN", "tok-9f8e7d6c5b4a", 1);
	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/echo\", \"method\": "
					     "\"PUT\", \"headers\": {\"Authorization\": \"Bearer "
					     "{{secret.edr_token}}\", \"X-Case\": \"1\"}}"), cfg, NULL,
				 &r), RUN_DONE, "%s", r.why);
	/* The server saw the token (it echoes it back, and that is cut). */
	cr_assert_not_null(strstr(r.output.buf, "\"Authorization\":\"Bearer (secret)\""), "%s",
			   r.output.buf);
	cr_assert_null(strstr(r.output.buf, "tok-9f8e"), "%s", r.output.buf);
	cr_assert_null(strstr(r.log.buf, "tok-9f8e"), "%s", r.log.buf);
	cr_assert_null(strstr(r.log.buf, "Authorization"), "request headers in the log: %s", r.log.buf);
	run_result_free(&r);
	/* Not in the URL or the body. */
	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/echo\", \"body\": "
					     "\"t={{secret.edr_token}}\"}"), cfg, NULL, &r), RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert(strstr(r.why, "only in http headers"), "%s", r.why);
	run_result_free(&r);
}

#define TOKEN "tok-9f8e7d6c5b4a3"

/* A request to /pad?n=N (N bytes, then the token the server was sent)
 * with max_bytes max (0: the default), ending as status says; nothing it
 * recorded may hold 4 bytes of the token. The text kept; caller frees. */
static char *pad_text(int n, int max, int status, struct run_result *r)
{
	char fmt[512];

	setenv("IRK_SECRET_EDR_TOKEN", TOKEN, 1);
	snprintf(fmt, sizeof fmt, "{\"url\": \"http://127.0.0.1:PORT/pad?n=%d\", \"max_bytes\": %d, "
		 "\"headers\": {\"Authorization\": \"Bearer {{secret.edr_token}}\"}}", n,
		 max ? max : RUN_HTTP_MAX);
	cr_assert_eq(testlib_run("http", def(fmt), cfg, NULL, r), status, "%s", r->why);
	cr_assert_eq(testlib_fragment(r->why, TOKEN, 4), 0, "why: %s", r->why);
	cr_assert_eq(testlib_fragment(r->output.buf, TOKEN, 4), 0, "output ends: ...%s",
		     r->output.buf + (r->output.len > 200 ? r->output.len - 200 : 0));
	cr_assert_eq(testlib_fragment(r->log.buf, TOKEN, 4), 0, "log: %s", r->log.buf);
	return testlib_get(r->output.buf, "text");
}

Test(http, a_secret_cut_by_the_kept_text_leaves_no_fragment)
{
	struct run_result r;
	/* The 64 KiB of text kept end 5 bytes into the echoed token. */
	char *text = pad_text(65531, 0, RUN_DONE, &r);

	/* The token was replaced before the cut: the cut falls in "(secret)". */
	cr_assert_eq(strlen(text), RUN_CAPTURE_MAX);
	cr_assert_eq(strspn(text, "x"), 65531);
	cr_assert_str_eq(text + 65531, "(secr");
	free(text);
	run_result_free(&r);
}

Test(http, a_secret_cut_by_max_bytes_leaves_no_fragment)
{
	struct run_result r;
	char *text = pad_text(100, 105, RUN_FAILED, &r);

	cr_assert_str_eq(r.why, "the response is larger than 105 bytes (max_bytes)");
	/* What fit is kept, up to where the token starts. */
	cr_assert_str_eq(text, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	free(text);
	run_result_free(&r);
}

/* Whoever started irk may have a proxy in its environment: that is not
 * where a step's headers (its secrets) go. Only engine.proxy is. */
Test(http, a_proxy_only_from_engine_proxy_never_from_the_environment)
{
	const char *vars[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy" };
	char *log = tmp_path("proxy.log"), *seen, proxy[64];
	const char *args[] = { "--log", log, NULL };
	struct run_result r;
	int pport;
	pid_t px = testlib_http_start(args, &pport);
	char *path;

	snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", pport);
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
		setenv(vars[i], proxy, 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	setenv("IRK_SECRET_EDR_TOKEN", TOKEN, 1);
	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/echo\", \"headers\": "
					     "{\"Authorization\": \"Bearer {{secret.edr_token}}\"}}"),
				 cfg, NULL, &r), RUN_DONE, "%s", r.why);
	/* Straight to the server: a proxy gets the whole URL as the path. */
	path = testlib_get(r.output.buf, "body");
	cr_assert(strstr(path, "\"path\":\"/echo\""), "%s", path);
	free(path);
	cr_assert_null(testlib_slurp(log), "the proxy of the environment got a request");
	run_result_free(&r);

	/* engine.proxy is used, whatever no_proxy says. */
	setenv("no_proxy", "*", 1);
	cr_assert_eq(config_set(cfg, "engine.proxy", proxy, NULL), IRK_OK);
	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/echo\"}"), cfg, NULL,
				 &r), RUN_DONE, "%s", r.why);
	seen = testlib_slurp(log);
	cr_assert_not_null(seen, "engine.proxy was not used");
	cr_assert(strstr(seen, "GET http://127.0.0.1:"), "%s", seen);
	free(seen);
	run_result_free(&r);
	testlib_http_stop(px);
	free(log);
}

Test(http, header_values_cannot_add_headers)
{
	const char *fields[] = { "alert.user", "bob\r\nX-Admin: 1", NULL };
	struct run_result r;

	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/echo\", \"headers\": "
					     "{\"X-User\": \"{{alert.user}}\"}}"), cfg, fields, &r),
		     RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert_str_eq(r.why, "headers.X-User: the value holds a line break");
	run_result_free(&r);
}

Test(http, template_values_in_a_url_are_encoded)
{
	const char *fields[] = { "alert.host", "../admin?drop=1#x", "base", "http://127.0.0.1", NULL };
	struct run_result r;
	json_t *out;
	char url[128];

	snprintf(url, sizeof url, "{\"url\": \"{{base}}:%d/echo/{{alert.host}}\"}", port);
	cr_assert_eq(testlib_run("http", url, cfg, fields, &r), RUN_DONE, "%s", r.why);
	out = testlib_json(r.output.buf);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(out, "body"), "path")),
			 "/echo/..%2Fadmin%3Fdrop%3D1%23x");
	json_decref(out);
	run_result_free(&r);
}

Test(http, only_http_and_https)
{
	const char *fields[] = { "u", "file:///etc/passwd", NULL };
	struct run_result r;

	cr_assert_eq(testlib_run("http", "{\"url\": \"{{u}}\"}", cfg, fields, &r), RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert(strstr(r.why, "is not http:// or https://"), "%s", r.why);
	run_result_free(&r);
}

Test(http, connection_refused_may_be_retried)
{
	struct run_result r;

	/* The server's port after it is gone. */
	testlib_http_stop(server);
	server = 0;
	cr_assert_eq(testlib_run("http", def("{\"url\": \"http://127.0.0.1:PORT/json\"}"), cfg,
				 NULL, &r), RUN_FAILED);
	cr_assert_eq(r.permanent, 0);
	cr_assert(strstr(r.why, "Couldn't connect"), "%s", r.why);
	run_result_free(&r);
}

Test(http, cancel_fd_aborts_a_slow_request)
{
	struct step_row st = { .kind = "http", .step_id = "t" };
	int fd = eventfd(1, EFD_CLOEXEC);
	struct run_env env = { .cfg = cfg, .step = &st, .cancel_fd = fd, .tick_ms = 100 };
	struct run_result r;

	st.def = def("{\"url\": \"http://127.0.0.1:PORT/slow?ms=5000\"}");
	run_result_init(&r);
	cr_assert_eq(run_step(&env, &r), RUN_CANCELLED);
	cr_assert_lt(r.ms, 3000);
	close(fd);
	run_result_free(&r);
}

/* A self-signed certificate for 127.0.0.1 and its key. */
static void self_signed(const char *key, const char *crt)
{
	const char *openssl[] = { "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
		"-subj", "/CN=127.0.0.1", "-keyout", key, "-out", crt, "-days", "1", NULL };

	cr_assert_eq(testlib_spawn_wait(openssl), 0, "openssl could not make a certificate");
}

/* SSLKEYLOGFILE in the environment of whoever started irk would have
 * libcurl write every TLS session's keys there, and a capture of a step's
 * request (its secrets in the headers) could be read. Found by review. */
Test(http, tls_keys_are_never_written_to_sslkeylogfile)
{
	char *key = tmp_path("key.pem"), *crt = tmp_path("cert.pem"), *log = tmp_path("keys.log");
	const char *args[] = { "--tls", crt, key, NULL };
	char url[256];
	struct run_result r;
	pid_t tls;
	int tport;

	setenv("SSLKEYLOGFILE", log, 1);
	self_signed(key, crt);
	tls = testlib_http_start(args, &tport);
	cr_assert_eq(config_set(cfg, "engine.cafile", crt, NULL), IRK_OK);
	snprintf(url, sizeof url, "{\"url\": \"https://127.0.0.1:%d/json\"}", tport);
	cr_assert_eq(testlib_run("http", url, cfg, NULL, &r), RUN_DONE, "%s", r.why);
	testlib_http_stop(tls);
	cr_assert(access(log, F_OK) != 0, "the TLS keys were written to %s", log);
	run_result_free(&r);
	free(key);
	free(crt);
	free(log);
}

/* https with a self-signed certificate: refused unless insecure, which the
 * log shows. */
Test(http, tls_is_verified_unless_insecure)
{
	char *key = tmp_path("key.pem"), *crt = tmp_path("cert.pem");
	const char *args[] = { "--tls", crt, key, NULL };
	char url[256];
	struct run_result r;
	pid_t tls;
	int tport;
	char *tlsmode;

	self_signed(key, crt);
	tls = testlib_http_start(args, &tport);
	snprintf(url, sizeof url, "{\"url\": \"https://127.0.0.1:%d/json\"}", tport);
	cr_assert_eq(testlib_run("http", url, cfg, NULL, &r), RUN_FAILED);
	cr_assert(strstr(r.why, "certificate"), "%s", r.why);
	run_result_free(&r);
	snprintf(url, sizeof url, "{\"url\": \"https://127.0.0.1:%d/json\", \"insecure\": true}", tport);
	cr_assert_eq(testlib_run("http", url, cfg, NULL, &r), RUN_DONE, "%s", r.why);
	tlsmode = testlib_get(r.log.buf, "tls");
	cr_assert_str_eq(tlsmode, "NOT VERIFIED (insecure: true)");
	free(tlsmode);
	run_result_free(&r);
	/* A CA bundle that holds the certificate verifies it. */
	cr_assert_eq(config_set(cfg, "engine.cafile", crt, NULL), IRK_OK);
	snprintf(url, sizeof url, "{\"url\": \"https://127.0.0.1:%d/json\"}", tport);
	cr_assert_eq(testlib_run("http", url, cfg, NULL, &r), RUN_DONE, "%s", r.why);
	tlsmode = testlib_get(r.log.buf, "tls");
	cr_assert_str_eq(tlsmode, "verified");
	free(tlsmode);
	run_result_free(&r);
	testlib_http_stop(tls);
	free(key);
	free(crt);
}
