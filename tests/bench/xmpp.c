/* xmpp: XMPP delivery against a bare libstrophe loop, on a loopback prosody.
 *
 *   xmpp DIR PORT CAFILE N
 *
 * prosody listens on 127.0.0.1:PORT for host localhost with the users
 * irk (password irkpw) and rx (rxpw), its certificate signed by CAFILE.
 * A receiver (its own thread and libstrophe context, logged in as rx)
 * notes when each message arrives.
 * 1. The bare loop: one connection as irk (verified TLS, as irk's) sends N
 *    messages to rx as fast as libstrophe takes them: per message, send to
 *    receive; throughput N / (first send to last receive).
 * 2. irk: N incidents whose play has one notify step to rx (a user with
 *    the JID rx@localhost), the engine and XMPP delivery in this process
 *    (as irk serve runs them): per message, step done (the engine's log
 *    line) to receive; throughput N / (first step done to last receive).
 * 3. irk's delivery alone: the N messages queued first (the engine ran to
 *    its end), then delivery starts: connected to receive.
 * Printed: p50 and p99 of each, the throughputs and their ratios.
 * BENCH_DEBUG=1 shows delivery's log and the receiver's stanzas. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>
#include <time.h>
#include <unistd.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/engine.h"
#include "irk/incident.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "irk/xmpp.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench xmpp: %s: %s\n", what, why ? why : "");
	exit(1);
}

static int port, n_msgs;
static const char *cafile;

/* What the receiver saw: recv[i] for message i (1..N), 0 until then. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static double *recv_t, *sent_t;
static int received, rx_online, stop_rx;   /* online flags: 2 while closing */

/* "bare 12" or "IR-12 ..." : 12. */
static int index_of(const char *body)
{
	int i = 0;
	if (sscanf(body, "bare %d", &i) == 1 || sscanf(body, "IR-%d", &i) == 1)
		return i >= 1 && i <= n_msgs ? i : 0;
	return 0;
}

static int on_rx_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
	char *body = xmpp_message_get_body(st);
	double t = now_s();

	(void)conn;
	if (body) {
		int i = index_of(body);
		pthread_mutex_lock(&mu);
		if (i && !recv_t[i]) {
			recv_t[i] = t;
			received++;
		}
		pthread_mutex_unlock(&mu);
		xmpp_free(arg, body);
	}
	return 1;
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t ev, int error,
		    xmpp_stream_error_t *se, void *arg)
{
	int *online = arg;

	if (ev == XMPP_CONN_CONNECT) {
		xmpp_stanza_t *p = xmpp_presence_new(xmpp_conn_get_context(conn));
		xmpp_send(conn, p);
		xmpp_stanza_release(p);
		pthread_mutex_lock(&mu);
		*online = 1;
		pthread_mutex_unlock(&mu);
	} else if (*online != 2) {
		char why[128];
		snprintf(why, sizeof why, "%s lost or refused (%s)", online == &rx_online ? "rx" : "irk",
			 error ? strerror(error) : se ? "stream error" : "closed");
		die("connection", why);
	}
}

static xmpp_conn_t *login(xmpp_ctx_t *ctx, const char *jid, const char *pw, int *online)
{
	xmpp_conn_t *c = xmpp_conn_new(ctx);

	xmpp_conn_set_flags(c, XMPP_CONN_FLAG_MANDATORY_TLS | XMPP_CONN_FLAG_DISABLE_SM);
	xmpp_conn_set_cafile(c, cafile);
	xmpp_conn_set_jid(c, jid);
	xmpp_conn_set_pass(c, pw);
	if (xmpp_connect_client(c, "127.0.0.1", (unsigned short)port, on_conn, online) != XMPP_EOK)
		die("connect", jid);
	return c;
}

static void *receiver(void *arg)
{
	xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, getenv("BENCH_DEBUG") ?
				       xmpp_get_default_logger(XMPP_LEVEL_DEBUG) : NULL);
	xmpp_conn_t *c = login(ctx, "rx@localhost", "rxpw", &rx_online);

	(void)arg;
	xmpp_handler_add(c, on_rx_message, NULL, "message", NULL, ctx);
	for (;;) {
		pthread_mutex_lock(&mu);
		int stop = stop_rx;
		pthread_mutex_unlock(&mu);
		if (stop)
			break;
		xmpp_run_once(ctx, 5);
	}
	xmpp_handler_delete(c, on_rx_message);
	xmpp_conn_release(c);
	xmpp_ctx_free(ctx);
	return NULL;
}

static int all_received(void)
{
	pthread_mutex_lock(&mu);
	int r = received >= n_msgs;
	pthread_mutex_unlock(&mu);
	return r;
}

static void reset(void)
{
	pthread_mutex_lock(&mu);
	memset(recv_t, 0, (size_t)(n_msgs + 1) * sizeof *recv_t);
	memset(sent_t, 0, (size_t)(n_msgs + 1) * sizeof *sent_t);
	received = 0;
	pthread_mutex_unlock(&mu);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct figures {
	double p50, p99, per_s, span_sent;
};

/* Latencies recv - sent and the throughput from the first sent to the last received. */
static struct figures figures(void)
{
	double *lat = malloc((size_t)n_msgs * sizeof *lat), first = 1e300, last = 0, last_sent = 0;
	struct figures f;

	for (int i = 1; i <= n_msgs; i++) {
		lat[i - 1] = recv_t[i] - sent_t[i];
		if (sent_t[i] < first)
			first = sent_t[i];
		if (recv_t[i] > last)
			last = recv_t[i];
		if (sent_t[i] > last_sent)
			last_sent = sent_t[i];
	}
	qsort(lat, (size_t)n_msgs, sizeof *lat, cmp_d);
	f.p50 = lat[(n_msgs - 1) / 2];
	f.p99 = lat[(n_msgs * 99 + 99) / 100 - 1];
	f.per_s = n_msgs / (last - first);
	f.span_sent = last_sent - first;
	free(lat);
	return f;
}

static void wait_all(const char *what)
{
	double until = now_s() + 120;
	while (!all_received()) {
		if (now_s() > until) {
			char why[64];
			snprintf(why, sizeof why, "%d of %d received in 2 minutes", received, n_msgs);
			die(what, why);
		}
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);   /* a poll interval; the condition is re-checked */
	}
}

static struct figures bare_loop(void)
{
	xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
	int online = 0;
	xmpp_conn_t *c = login(ctx, "irk@localhost", "irkpw", &online);
	char body[32], id[32];

	while (!online)
		xmpp_run_once(ctx, 10);
	reset();
	for (int i = 1; i <= n_msgs; i++) {
		snprintf(body, sizeof body, "bare %d", i);
		snprintf(id, sizeof id, "b-%d", i);
		xmpp_stanza_t *m = xmpp_message_new(ctx, "chat", "rx@localhost", id);
		xmpp_message_set_body(m, body);
		sent_t[i] = now_s();
		xmpp_send(c, m);
		xmpp_stanza_release(m);
		xmpp_run_once(ctx, 0);   /* write what the socket takes */
	}
	while (!all_received())
		xmpp_run_once(ctx, 5);
	struct figures f = figures();
	online = 2;                  /* closing: the disconnection is ours */
	xmpp_disconnect(c);
	for (int i = 0; i < 20 && xmpp_conn_is_connected(c); i++)
		xmpp_run_once(ctx, 10);
	xmpp_conn_release(c);
	xmpp_ctx_free(ctx);
	return f;
}

/* ---- irk: the engine's notify steps through XMPP delivery ----------------- */

static int connected;   /* delivery logged "connected as" (at connected_at) */
static double connected_at;
static int steps_done;  /* the engine's "done" lines */

static void on_delivery_log(void *arg, const char *line)
{
	(void)arg;
	if (strstr(line, "connected as")) {
		pthread_mutex_lock(&mu);
		connected = 1;
		connected_at = now_s();
		pthread_mutex_unlock(&mu);
	} else if (getenv("BENCH_DEBUG") || strstr(line, "failed") || strstr(line, "not sent") || strstr(line, "refused")) {
		fprintf(stderr, "bench xmpp: %s\n", line);
	}
}

/* The engine's "IR-12 tell (notify): done in 3ms": step 12 done now. */
static void on_engine_log(void *arg, const char *line)
{
	int i;

	(void)arg;
	if (strstr(line, ": done in ") && sscanf(line, "IR-%d", &i) == 1 && i >= 1 && i <= n_msgs) {
		pthread_mutex_lock(&mu);
		sent_t[i] = now_s();
		steps_done++;
		pthread_mutex_unlock(&mu);
	} else if (strstr(line, "failed")) {
		fprintf(stderr, "bench xmpp: engine: %s\n", line);
	}
}

static void prepare(const char *path)
{
	const char *src = "{\"play\": \"bench\", \"name\": \"Bench\", \"version\": 1, "
			  "\"match\": \"rule == 'Bench'\", \"steps\": [{\"id\": \"tell\", "
			  "\"stage\": \"new\", \"kind\": \"notify\", \"to\": \"rx\", "
			  "\"text\": \"{{incident.key}} is in the BAD state - you need to take action\"}]}";
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct store *s = NULL;
	struct irk_err err = { 0 };
	struct alert a = { .format = FMT_ECS, .rule_id = "Bench", .rule_name = "Bench",
			   .severity = SEV_LOW, .host = "bench-01" };

	if (play_parse("/bench/bench.json", src, strlen(src), &p, &d))
		die("the play", NULL);
	unlink(path);
	if (store_open(&s, path, STORE_CREATE, &err) || store_begin(s, &err) ||
	    store_user_put(s, "bench", "rx", ROLE_SENIOR, &err) ||
	    store_user_set_jid(s, "bench", "rx", "rx@localhost", &err))
		die(path, err.msg);
	for (int i = 0; i < n_msgs; i++) {
		struct incident inc = { 0 };
		inc.title = xstrdup("bench");
		inc.rule = xstrdup("Bench");
		inc.host = xstrdup("bench-01");
		inc.t_detected = irk_now();
		if (incident_open(s, "bench", &inc, NULL, &err) ||
		    play_assign(s, p, &inc, &a, "bench", &err))
			die("preparing", err.msg);
		incident_clear(&inc);
	}
	if (store_commit(s, &err))
		die("preparing", err.msg);
	store_close(&s);
	play_free(&p);
	play_diags_free(&d);
}


static int flag(int *v)
{
	pthread_mutex_lock(&mu);
	int r = *v;
	pthread_mutex_unlock(&mu);
	return r;
}

/* Wait (polling, with a deadline) until *v reaches want. */
static void wait_flag(int *v, int want, const char *what)
{
	double until = now_s() + 120;
	while (flag(v) < want) {
		if (now_s() > until)
			die(what, "not within 2 minutes");
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);   /* a poll interval; the condition is re-checked */
	}
}

/* 2. The engine and delivery together (queued: 0), or the engine first,
 * to the end, then delivery alone on the N queued messages (queued: 1:
 * sent_t is then when delivery connected, for every message). */
static struct figures irk_delivery(const char *dir, int queued)
{
	char path[4096], portstr[16];
	struct config *cfg = config_new();
	struct irk_err err = { 0 };
	struct xmpp_opts xo = { .log = on_delivery_log };
	struct engine_opts eo = { on_engine_log, NULL, 2 };
	struct xmpp_delivery *xd = NULL;
	struct engine *e;

	snprintf(path, sizeof path, "%s/xmpp.db", dir);
	prepare(path);
	snprintf(portstr, sizeof portstr, "%d", port);
	if (config_set(cfg, "engine.poll", "20ms", &err) ||
	    config_set(cfg, "xmpp.jid", "irk@localhost", &err) ||
	    config_set(cfg, "xmpp.password", "irkpw", &err) ||
	    config_set(cfg, "xmpp.host", "127.0.0.1", &err) ||
	    config_set(cfg, "xmpp.port", portstr, &err) ||
	    config_set(cfg, "xmpp.cafile", cafile, &err))
		die("config", err.msg);
	reset();
	pthread_mutex_lock(&mu);
	connected = steps_done = 0;
	pthread_mutex_unlock(&mu);
	if (!queued) {
		if (!(xd = xmpp_delivery_start(path, cfg, &xo, &err)))
			die("xmpp_delivery_start", err.msg);
		wait_flag(&connected, 1, "delivery connecting");
	}
	if (!(e = engine_start_opts(path, cfg, &eo, &err)))
		die("engine_start", err.msg);
	if (queued) {
		wait_flag(&steps_done, n_msgs, "the engine");
		engine_stop(&e);
		if (!(xd = xmpp_delivery_start(path, cfg, &xo, &err)))
			die("xmpp_delivery_start", err.msg);
		wait_flag(&connected, 1, "delivery connecting");
		pthread_mutex_lock(&mu);
		for (int i = 1; i <= n_msgs; i++)
			sent_t[i] = connected_at;
		pthread_mutex_unlock(&mu);
	}
	wait_all("irk");
	pthread_mutex_lock(&mu);
	struct figures f = figures();
	pthread_mutex_unlock(&mu);
	engine_stop(&e);
	xmpp_delivery_stop(&xd);
	config_free(&cfg);
	return f;
}

int main(int argc, char **argv)
{
	pthread_t rx;

	if (argc != 5)
		die("usage", "xmpp DIR PORT CAFILE N");
	port = atoi(argv[2]);
	cafile = argv[3];
	n_msgs = atoi(argv[4]);
	if (n_msgs < 1)
		die("usage", "N must be 1 or more");
	recv_t = calloc((size_t)n_msgs + 1, sizeof *recv_t);
	sent_t = calloc((size_t)n_msgs + 1, sizeof *sent_t);
	xmpp_initialize();
	pthread_create(&rx, NULL, receiver, NULL);
	for (double until = now_s() + 30;;) {
		pthread_mutex_lock(&mu);
		int ok = rx_online;
		pthread_mutex_unlock(&mu);
		if (ok)
			break;
		if (now_s() > until)
			die("receiver", "not online in 30 s");
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);   /* a poll interval; the condition is re-checked */
	}
	struct figures b = bare_loop();
	struct figures i = irk_delivery(argv[1], 0);
	struct figures q = irk_delivery(argv[1], 1);
	pthread_mutex_lock(&mu);
	stop_rx = 1;
	rx_online = 2;               /* closing: the disconnection is ours */
	pthread_mutex_unlock(&mu);
	pthread_join(rx, NULL);
	printf("   bare libstrophe loop, %d messages: send to receive p50 %.1f ms, p99 %.1f ms; "
	       "%.0f messages/s\n", n_msgs, b.p50 * 1000, b.p99 * 1000, b.per_s);
	printf("   irk, %d notify steps: step done to receive p50 %.1f ms, p99 %.1f ms (target "
	       "under 1000); %.0f messages/s (the engine did the %d steps in %.0f ms)\n", n_msgs,
	       i.p50 * 1000, i.p99 * 1000, i.per_s, n_msgs, i.span_sent * 1000);
	printf("   irk delivery alone, %d messages queued before it connects: connected to "
	       "receive p50 %.1f ms, p99 %.1f ms; %.0f messages/s\n", n_msgs, q.p50 * 1000,
	       q.p99 * 1000, q.per_s);
	printf("   throughput ratio irk/bare: %.2f with the engine, %.2f delivery alone "
	       "(target >= 0.8)\n", i.per_s / b.per_s, q.per_s / b.per_s);
	return 0;
}
