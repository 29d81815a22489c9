/* cmd_serve.c: `irk serve`, the sequencer without a board (a service on
 * the jump box; contrib/irk-serve.service). It runs until SIGTERM or
 * SIGINT, logging what the engine does to standard error. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "irk/chat.h"
#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/context.h"
#include "irk/engine.h"
#include "irk/ingest.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/xmpp.h"

/* One line on stderr: time, pid, the engine's words (sanitized: they hold
 * step ids, hosts and error text from outside). */
static void serve_log(void *arg, const char *line)
{
	char when[32];
	struct strbuf sb = STRBUF_INIT;

	(void)arg;
	irk_time_iso(irk_now(), when, sizeof when);
	strbuf_printf(&sb, "%s irk serve[%d]: ", when, (int)getpid());
	sanitize_append(&sb, line, strlen(line), 0);
	strbuf_addc(&sb, '\n');
	fwrite(strbuf_str(&sb), 1, sb.len, stderr);
	fflush(stderr);
	strbuf_free(&sb);
}

/* Commands from chat (irk/chat.h) in the delivery thread, on its store. */
static void *serve_chat_open(struct store *s, const struct config *cfg, struct irk_err *err)
{
	return chat_open(s, cfg, err);
}

static void serve_chat_close(void *ch)
{
	chat_close(ch);
}

static int serve_chat(void *ch, const char *from, const char *body, int in_room, int delayed,
		      int64_t now, struct strbuf *reply)
{
	return chat_handle(ch, from, body, in_room, delayed, now, reply);
}

/* serve_log for callbacks that give the line first. */
static void serve_log_line(const char *line, void *arg)
{
	char msg[600];

	snprintf(msg, sizeof msg, "context: %s", line);
	serve_log(arg, msg);
}

/* With [audit] anchor set, the audit head goes to syslog at start and
 * every audit.interval; each sending is logged with the head, so the
 * service's own log holds the anchors too. Returns the next time. */
static int64_t serve_anchor(struct cli *c, int64_t interval)
{
	char line[512], msg[600];
	int rc = cli_audit_anchor(c, line, sizeof line);

	snprintf(msg, sizeof msg, rc > 0 ? "audit anchor %s sent to syslog" : "audit anchor: %s",
		 line);
	serve_log(NULL, msg);
	return irk_now() + interval;
}

/* Sensor events past [ingest] keep_days go while the service runs: a few
 * batches each time (ingest_sensor_prune() lets other writers in between
 * them), every SERVE_PRUNE_EVERY seconds, or at once again while a
 * backlog remains. Returns the next time. */
#define SERVE_PRUNE_EVERY 60
#define SERVE_PRUNE_BATCHES 20
static int64_t serve_prune(struct cli *c, int64_t keep_days)
{
	struct irk_err err = { 0 };
	int64_t now = irk_now(), deleted = 0;
	int more = 0;
	char msg[600], when[32];

	if (ingest_sensor_prune(c->app.store, "engine", now, keep_days, SERVE_PRUNE_BATCHES,
				&deleted, &more, &err)) {
		snprintf(msg, sizeof msg, "sensor events: %s", err.msg);
		serve_log(NULL, msg);
	} else if (deleted) {
		irk_time_iso(now - keep_days * 86400, when, sizeof when);
		snprintf(msg, sizeof msg, "sensor events: deleted %lld before %s%s", (long long)deleted,
			 when, more ? ", more to go" : "");
		serve_log(NULL, msg);
	}
	return now + (more ? 1 : SERVE_PRUNE_EVERY);
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	enum { O_WORKERS = OPT_FIRST_OWN };
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, O_WORKERS },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("serve");
	struct engine_opts eo = { serve_log, NULL, 0 };
	struct irk_err err = { 0 };
	struct engine *e;
	sigset_t set;
	int opt, sfd, rc = EXIT_OK;
	char *end;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_WORKERS) {
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 16)
				return cli_usage_error(cmd, "--workers: '%s' is not a number from 1 to 16",
						       optarg);
			eo.workers = (int)n;
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!cli_store(c, 0))
		return EXIT_ERR;
	/* The engine runs steps already laid out, but a broken play directory
	 * means new incidents go to the wrong play (or none): refuse to start,
	 * as ingest does, so whoever starts the service sees it. */
	struct play_catalog plays;
	if (cli_plays_load(c, &plays, 1))
		return EXIT_ERR;
	play_catalog_free(&plays);
	/* Signals arrive here, through a descriptor, never in the engine's
	 * threads (which start with everything blocked). */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "irk serve: signalfd: %s\n", strerror(errno));
		return EXIT_ERR;
	}
	if (!(e = engine_start_opts(c->app.db_path, c->app.cfg, &eo, &err))) {
		close(sfd);
		return cli_report(&err);
	}
	/* Context of every open incident, from the inventory and the sources
	 * of irk.conf: the service holds their tokens, the boards do not. */
	struct context_sources *srcs = NULL;
	struct context_worker *cw = NULL;
	if (context_sources_load(c->app.cfg, &srcs, &err)) {
		serve_log(NULL, err.msg);
		rc = EXIT_ERR;
	} else {
		cw = context_worker_start(c->app.db_path, srcs, 1, serve_log_line, NULL);
	}
	/* XMPP delivery of the outbox, when [xmpp] jid is set: one process
	 * of all those sharing the database sends (a lease). */
	struct xmpp_delivery *xd = NULL;
	if (!rc && xmpp_configured(c->app.cfg)) {
		struct xmpp_opts xo = { .log = serve_log, .open = serve_chat_open,
					.close = serve_chat_close, .on_message = serve_chat };
		if (!(xd = xmpp_delivery_start(c->app.db_path, c->app.cfg, &xo, &err))) {
			serve_log(NULL, err.msg);
			rc = EXIT_ERR;
		}
	}
	const char *anchor = config_settings(c->app.cfg)->audit.anchor;
	int64_t interval = config_settings(c->app.cfg)->audit.interval, next_anchor = 0;
	/* A zero interval would anchor on every round: the table's default. */
	if (interval <= 0)
		interval = config_settings(NULL)->audit.interval;
	if (anchor && strcmp(anchor, "none"))
		next_anchor = serve_anchor(c, interval);
	int64_t keep_days = config_settings(c->app.cfg)->ingest.keep_days;
	int64_t next_prune = keep_days > 0 ? serve_prune(c, keep_days) : 0;
	for (; !rc;) {
		struct pollfd pf[2] = { { sfd, POLLIN, 0 }, { engine_fd(e), POLLIN, 0 } };
		struct signalfd_siginfo si;
		int64_t now = irk_now();

		if (next_anchor && now >= next_anchor)
			next_anchor = serve_anchor(c, interval);
		if (next_prune && now >= next_prune)
			next_prune = serve_prune(c, keep_days);
		/* At most a minute: a clock that jumps is noticed. */
		int64_t next = !next_anchor ? next_prune : !next_prune ? next_anchor :
			       next_anchor < next_prune ? next_anchor : next_prune;
		int64_t wait_s = next - now;
		int timeout = !next ? -1 : wait_s > 60 ? 60000 : wait_s < 0 ? 0 :
			      (int)(wait_s * 1000);
		if (poll(pf, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			rc = EXIT_ERR;
			break;
		}
		if (pf[1].revents & POLLIN)
			engine_drain(e);
		if ((pf[0].revents & POLLIN) && read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
			char line[64];
			snprintf(line, sizeof line, "SIG%s: stopping", sigabbrev_np((int)si.ssi_signo));
			serve_log(NULL, line);
			break;
		}
	}
	xmpp_delivery_stop(&xd);
	context_worker_stop(&cw);
	context_sources_free(&srcs);
	engine_stop(&e);
	close(sfd);
	return rc;
}
