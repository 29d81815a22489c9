/* cmd_admin.c: init, demo, ingest, quarantine, audit, user, config, version. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "irk/audit.h"
#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/demo.h"
#include "irk/identity.h"
#include "irk/ingest.h"
#include "irk/jsonw.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/sensor.h"
#include "irk/store.h"

/* Register the first user as admin, so there is always someone who may
 * manage users. */
static int bootstrap_admin(struct cli *c, struct irk_err *err)
{
	if (store_user_count(c->app.store) > 0)
		return IRK_OK;
	if (store_begin(c->app.store, err))
		return IRK_ERROR;
	if (store_user_put(c->app.store, c->app.actor.name, c->app.actor.name, ROLE_ADMIN, err)) {
		store_rollback(c->app.store);
		return IRK_ERROR;
	}
	if (store_commit(c->app.store, err))
		return IRK_ERROR;
	c->app.actor.role = ROLE_ADMIN;
	return IRK_OK;
}

int cmd_init(struct cli *c, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("init");
	struct irk_err err = { 0 };

	while (cli_getopt(c, cmd, argc, argv, "", NULL) != -1)
		;
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!cli_store(c, 1))
		return EXIT_ERR;
	if (bootstrap_admin(c, &err))
		return cli_report(&err);
	printf("database ready: ");
	cli_put(stdout, c->app.db_path);
	printf(" (schema %d)\n", store_schema_version(c->app.store));
	return EXIT_OK;
}

/* A new demo database is built beside its path (PATH.new) and linked
 * into place when it is complete: an interrupted demo leaves no half
 * month where the board would open it. */
static void demo_tmp_remove(const char *tmp)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal", "-wait" };
	char p[4200];

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		snprintf(p, sizeof p, "%s%s", tmp, ext[i]);
		unlink(p);
	}
}

static int demo_fail(struct cli *c, const char *tmp, int rc)
{
	if (tmp[0]) {
		store_close(&c->app.store);
		demo_tmp_remove(tmp);
	}
	return rc;
}

int cmd_demo(struct cli *c, int argc, char **argv)
{
	enum { O_SEED = OPT_FIRST_OWN, O_DAYS };
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, O_SEED },
		{ "days", required_argument, NULL, O_DAYS },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("demo");
	struct demo_opts o = { 42, 30, 0, NULL, NULL };
	struct demo_stats st = { 0 };
	struct irk_err err = { 0 };
	int64_t counts[STAGE_COUNT], total = 0;
	char final[sizeof c->app.db_path], tmp[sizeof c->app.db_path + 16] = "";
	int opt;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		long long v;
		if (opt == O_SEED) {
			if (cli_count(cmd, "--seed", optarg, 0, 4294967295LL, &v))
				return EXIT_USAGE;
			o.seed = (unsigned)v;
		} else if (opt == O_DAYS) {
			if (cli_count(cmd, "--days", optarg, 1, 366, &v))
				return EXIT_USAGE;
			o.days = (int)v;
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	irk_strlcpy(final, app_db_path(&c->app), sizeof final);
	if (access(final, F_OK) != 0) {
		/* A name nobody can guess, created by us (O_EXCL): the demo's
		 * path may be in a shared directory such as /tmp, where another
		 * user could plant a file or link at a predictable PATH.new. */
		int fd;
		if (app_db_dir(&c->app, &err))
			return cli_report(&err), EXIT_ERR;
		snprintf(tmp, sizeof tmp, "%s.new.XXXXXX", final);
		if ((fd = mkstemp(tmp)) < 0) {
			fprintf(stderr, "irk demo: cannot create a file beside ");
			cli_put(stderr, final);
			fprintf(stderr, ": %s\n", strerror(errno));
			return EXIT_ERR;
		}
		fchmod(fd, 0660);
		close(fd);
		c->app.db_opt = tmp;
	}
	if (!cli_store(c, 1))
		return demo_fail(c, tmp, EXIT_ERR);
	if (store_incident_counts(c->app.store, counts, &err))
		return demo_fail(c, tmp, cli_report(&err));
	for (int s = 0; s < STAGE_COUNT; s++)
		total += counts[s];
	if (total) {
		fprintf(stderr, "irk demo: ");
		cli_put(stderr, c->app.db_path);
		fprintf(stderr, " already holds %lld incident%s; the demo only fills an empty "
			"database (try --db /tmp/demo.db)\n", (long long)total, total == 1 ? "" : "s");
		return EXIT_ERR;
	}
	if (c->tty)
		o.progress = stderr;
	struct ingest_opts io;
	struct play_catalog plays;
	ingest_opts_init(&io);
	io.actor = c->app.actor.name;
	if (cli_plays_load(c, &plays, 1))
		return demo_fail(c, tmp, EXIT_ERR);
	cli_plays_hook(&io, &plays);
	o.ingest = &io;
	int rc = demo_fill(c->app.store, &o, &st, &err);
	play_catalog_free(&plays);
	if (rc)
		return demo_fail(c, tmp, cli_report(&err));
	if (tmp[0]) {
		/* Closing checkpoints the log into the file; link() will not
		 * replace a database someone made meanwhile. */
		store_close(&c->app.store);
		if (link(tmp, final)) {
			fprintf(stderr, "irk demo: cannot put the new database in place as ");
			cli_put(stderr, final);
			fprintf(stderr, ": %s\n", strerror(errno));
			return demo_fail(c, tmp, EXIT_ERR);
		}
		demo_tmp_remove(tmp);
		irk_strlcpy(c->app.db_path, final, sizeof c->app.db_path);
		c->app.db_opt = NULL;
	}
	printf("demo ready: %lld alerts, %lld incidents (%lld closed), %lld analysts in ",
	       (long long)st.alerts, (long long)st.incidents, (long long)st.closed,
	       (long long)st.users);
	cli_put(stdout, c->app.db_path);
	printf("\n");
	return EXIT_OK;
}

/* The summary. Its first six fields are a contract scripts read: a kept
 * count goes after them, and only when [ingest] keep asks for events. */
static void print_stats(const struct ingest_stats *st, int json, unsigned keep)
{
	if (json) {
		printf("{\"read\":%lld,\"new\":%lld,\"duplicate\":%lld,\"skipped\":%lld,\"kept\":%lld,"
		       "\"rejected\":%lld,\"incidents\":%lld}\n",
		       (long long)st->read, (long long)st->added, (long long)st->duplicate,
		       (long long)st->skipped, (long long)st->kept,
		       (long long)st->rejected, (long long)st->incidents);
		return;
	}
	printf("read %lld, new %lld, duplicate %lld, skipped %lld, rejected %lld, incidents %lld",
	       (long long)st->read, (long long)st->added, (long long)st->duplicate,
	       (long long)st->skipped, (long long)st->rejected, (long long)st->incidents);
	if (keep)
		printf(", kept %lld", (long long)st->kept);
	printf("\n");
}

/* The signal that ended the input (SIGINT, SIGTERM), 0 while none did. */
static volatile sig_atomic_t ingest_stopped;

static void ingest_on_signal(int sig)
{
	ingest_stopped = sig;
}

int cmd_ingest(struct cli *c, int argc, char **argv)
{
	enum { O_FORMAT = OPT_FIRST_OWN, O_JSON, O_WINDOW, O_BATCH, O_STORM };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "json", no_argument, NULL, O_JSON },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "storm", required_argument, NULL, O_STORM },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("ingest");
	struct ingest_opts o;
	struct ingest_stats st = { 0 };
	struct irk_err err = { 0 };
	const char *format = NULL, *window = NULL;
	int opt, json = 0, rc = IRK_OK, storm = -1;
	int64_t w;
	long long n;

	ingest_opts_init(&o);
	while ((opt = cli_getopt(c, cmd, argc, argv, "f:", opts)) != -1) {
		switch (opt) {
		case 'f':
		case O_FORMAT: format = optarg; break;
		case O_JSON: json = 1; break;
		case O_WINDOW: window = optarg; break;
		case O_BATCH:
			if (cli_count(cmd, "--batch", optarg, 1, 10000000, &n))
				return EXIT_USAGE;
			o.batch = (int)n;
			break;
		case O_STORM:
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				return cli_usage_error(cmd, "--storm: '%s' is not on or off", optarg);
			storm = !strcmp(optarg, "on");
			break;
		}
	}
	if (!format)
		format = config_settings(c->app.cfg)->ingest.format;
	if (format && (o.format = alert_format_parse(format)) == -1)
		return cli_usage_error(cmd, "no format '%s' (auto, eve, wazuh, ecs, zeek, json)", format);
	o.window = config_settings(c->app.cfg)->ingest.window;
	o.storm.on = config_settings(c->app.cfg)->ingest.storm;
	o.storm.threshold = config_settings(c->app.cfg)->ingest.storm_threshold;
	o.storm.window = config_settings(c->app.cfg)->ingest.storm_window;
	if (storm >= 0)
		o.storm.on = storm;
	if (window && (irk_duration_parse(window, &w) || w <= 0))
		return cli_usage_error(cmd, "--window: '%s' is not a duration", window);
	if (window)
		o.window = w;
	if (o.batch <= 0)
		o.batch = (int)config_settings(c->app.cfg)->ingest.batch;
	o.map = config_mapping(c->app.cfg);
	/* Checked when irk.conf was read. */
	sensor_keep_parse(config_settings(c->app.cfg)->ingest.keep, &o.keep, NULL);
	o.keep_days = config_settings(c->app.cfg)->ingest.keep_days;
	if (o.format == FMT_JSON && !o.map)
		return cli_usage_error(cmd, "--format json needs a [mapping] section with at "
				       "least 'time' in irk.conf (see irk.conf(5))");
	if (!cli_store(c, 0))
		return EXIT_ERR;
	o.actor = c->app.actor.name;
	struct play_catalog plays;
	if (cli_plays_load(c, &plays, 1))
		return EXIT_ERR;
	cli_plays_hook(&o, &plays);
	/* Ctrl-C (or a TERM) ends the input: what was read is committed and
	 * the summary printed, then exit 128 + the signal. No SA_RESTART: the
	 * signal interrupts the read it waits in. */
	struct sigaction sa = { .sa_handler = ingest_on_signal }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	o.stop = &ingest_stopped;
	if (storm >= 0)
		o.storm_of = NULL;      /* --storm decides, whatever the plays say */
	if (optind == argc) {
		rc = ingest_path(c->app.store, "-", &o, &st, &err);
	} else {
		for (int i = optind; i < argc && !rc && !ingest_stopped; i++)
			rc = ingest_path(c->app.store, argv[i], &o, &st, &err);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	play_catalog_free(&plays);
	/* A file that could not be opened read nothing: no summary beside
	 * the error (one that read lines before failing has one). */
	if (!rc || st.read)
		print_stats(&st, json, o.keep);
	fflush(stdout);
	if (st.unrecognised)
		fprintf(stderr, "irk ingest: %lld line%s in no format irk recognises: give --format F, "
			"or a [mapping] in irk.conf (irk.conf(5))\n", (long long)st.unrecognised,
			st.unrecognised == 1 ? "" : "s");
	if (rc)
		return cli_report(&err), EXIT_ERR;
	if (ingest_stopped)
		return 128 + ingest_stopped;
	return st.rejected ? EXIT_PARTIAL : EXIT_OK;
}

/* One kept event: a line (time, type, addresses, what it names), or a
 * JSON object with every field and the raw record. */
static int sensor_row(const struct sensor_event *e, void *arg)
{
	int json = *(int *)arg;
	struct strbuf sb = STRBUF_INIT;
	char t[32];

	if (json) {
		struct jsonw w;
		jsonw_init(&w, &sb, 0);
		jsonw_obj_begin(&w);
		jsonw_kv_int(&w, "id", e->id);
		jsonw_kv_time(&w, "time", e->t);
		jsonw_kv_str(&w, "type", sensor_type_name(e->type));
		sensor_event_json(e, &w);
		jsonw_key(&w, "raw");
		jsonw_strn(&w, e->raw ? e->raw : "", e->raw_len);
		jsonw_obj_end(&w);
		puts(strbuf_str(&sb));
		strbuf_free(&sb);
		return 0;
	}
	printf("%s  %-8s ", irk_time_short(e->t, t, sizeof t), sensor_type_name(e->type));
	sensor_event_text(e, &sb);
	cli_put(stdout, strbuf_str(&sb));
	putchar('\n');
	strbuf_free(&sb);
	return 0;
}

/* --since/--until: a time (ISO 8601) or a duration before now ("2h"). */
static int sensor_when(const struct cli_command *cmd, const char *opt, const char *v, int64_t *out)
{
	int64_t d;

	if (!irk_time_parse(v, out))
		return 0;
	if (!irk_duration_parse(v, &d) && d >= 0) {
		*out = irk_now() - d;
		return 0;
	}
	cli_usage_error(cmd, "%s: '%s' is neither a time (2026-12-07T21:00:00Z) nor a duration "
			"(2h, 3d)", opt, v);
	return -1;
}

static int sensor_list(struct cli *c, const struct sensor_filter *f, int json)
{
	struct irk_err err = { 0 };

	if (!cli_store(c, 0))
		return EXIT_ERR;
	if (store_sensor_list(c->app.store, f, sensor_row, &json, &err))
		return cli_report(&err);
	if (!json && !store_sensor_any(c->app.store))
		printf("(no sensor events kept: see [ingest] keep in irk.conf(5))\n");
	return EXIT_OK;
}

static int sensor_prune(struct cli *c, int json)
{
	struct irk_err err = { 0 };
	int64_t now = irk_now(), days, deleted, kept;
	char when[32];

	if (!cli_store(c, 0))
		return EXIT_ERR;
	days = config_settings(c->app.cfg)->ingest.keep_days;
	if (ingest_sensor_prune(c->app.store, c->app.actor.name, now, days, 0, &deleted, NULL, &err))
		return cli_report(&err);
	kept = store_sensor_count(c->app.store);
	irk_time_iso(now - days * 86400, when, sizeof when);
	if (json)
		printf("{\"deleted\":%lld,\"before\":%s%s%s,\"kept\":%lld}\n", (long long)deleted,
		       days > 0 ? "\"" : "", days > 0 ? when : "null", days > 0 ? "\"" : "",
		       (long long)kept);
	else if (days > 0)
		printf("deleted %lld sensor events before %s, %lld kept\n", (long long)deleted, when,
		       (long long)kept);
	else
		printf("deleted 0 sensor events (keep_days is %lld: kept for good), %lld kept\n",
		       (long long)days, (long long)kept);
	return EXIT_OK;
}

int cmd_sensor(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_HOST, O_TYPE, O_SINCE, O_UNTIL, O_LIMIT };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "host", required_argument, NULL, O_HOST },
		{ "type", required_argument, NULL, O_TYPE },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("sensor");
	struct sensor_filter f = { NULL, -1, 0, INT64_MAX, 100 };
	long long limit = 100;
	int opt, json = 0, filters = 0;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		filters += opt != O_JSON;
		switch (opt) {
		case O_JSON: json = 1; break;
		case O_HOST: f.host = optarg; break;
		case O_TYPE:
			if ((f.type = sensor_type_parse(optarg)) < 0)
				return cli_usage_error(cmd, "--type: no event type '%s' (dns, http, tls, "
						       "fileinfo, flow, ssh, smtp, anomaly)", optarg);
			break;
		case O_SINCE:
			if (sensor_when(cmd, "--since", optarg, &f.from))
				return EXIT_USAGE;
			break;
		case O_UNTIL:
			if (sensor_when(cmd, "--until", optarg, &f.to))
				return EXIT_USAGE;
			break;
		case O_LIMIT:
			if (cli_count(cmd, "--limit", optarg, 0, INT32_MAX, &limit))
				return EXIT_USAGE;
			break;
		}
	}
	if (optind == argc)
		return cli_usage_error(cmd, "which? (list, prune)");
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (!strcmp(argv[optind], "list")) {
		f.limit = limit ? (int)limit : -1;   /* SQLite: a negative LIMIT is none */
		return sensor_list(c, &f, json);
	}
	if (strcmp(argv[optind], "prune"))
		return cli_usage_error(cmd, "no sensor command '%s' (list, prune)", argv[optind]);
	if (filters)
		return cli_usage_error(cmd, "prune takes only --json");
	return sensor_prune(c, json);
}

struct quar_state {
	int json, n;
};

static int quar_row(const struct quarantine_row *q, void *arg)
{
	struct quar_state *qs = arg;
	char t[32];

	qs->n++;
	if (qs->json) {
		struct strbuf out = STRBUF_INIT;
		struct jsonw w;
		jsonw_init(&w, &out, 0);
		jsonw_obj_begin(&w);
		jsonw_kv_int(&w, "id", q->id);
		jsonw_kv_time(&w, "at", q->at);
		jsonw_kv_str(&w, "source", q->source);
		jsonw_kv_int(&w, "line", q->line);
		jsonw_kv_str(&w, "format", q->format);
		jsonw_kv_str(&w, "reason", q->reason);
		jsonw_kv_int(&w, "length", q->orig_len);
		jsonw_key(&w, "raw");
		jsonw_strn(&w, q->raw ? q->raw : "", q->raw_len);
		jsonw_obj_end(&w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
		return 0;
	}
	printf("%s  ", irk_time_short(q->at, t, sizeof t));
	cli_put(stdout, q->source);
	printf(":%lld: ", (long long)q->line);
	cli_put(stdout, q->reason);
	printf("\n    ");
	struct strbuf sb = STRBUF_INIT;
	sanitize_append(&sb, q->raw ? q->raw : "", q->raw_len < 200 ? q->raw_len : 200, 0);
	fwrite(strbuf_str(&sb), 1, sb.len, stdout);
	strbuf_free(&sb);
	printf("%s\n", q->raw_len > 200 ? "..." : "");
	return 0;
}

int cmd_quarantine(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_LIMIT };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("quarantine");
	struct quar_state qs = { 0, 0 };
	struct irk_err err = { 0 };
	long long limit = 0;
	int opt;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_JSON)
			qs.json = 1;
		else if (opt == O_LIMIT && cli_count(cmd, "--limit", optarg, 0, INT64_MAX, &limit))
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!cli_store(c, 0))
		return EXIT_ERR;
	if (store_quarantine_each(c->app.store, limit, quar_row, &qs, &err))
		return cli_report(&err);
	if (!qs.n && !qs.json)
		printf("(the quarantine is empty)\n");
	return EXIT_OK;
}

static int log_row(const struct event_row *e, void *arg)
{
	int json = *(int *)arg;
	char t[32], key[24], login[64];

	/* The login of the real uid, beside the actor: they differ when
	 * IRK_USER named the actor (see identity.h). */
	identity_login_of(e->uid, login, sizeof login);

	if (json) {
		struct strbuf out = STRBUF_INIT;
		struct jsonw w;
		jsonw_init(&w, &out, 0);
		jsonw_obj_begin(&w);
		jsonw_kv_int(&w, "seq", e->seq);
		jsonw_kv_time(&w, "at", e->at);
		jsonw_kv_str(&w, "actor", e->actor);
		jsonw_kv_int(&w, "uid", e->uid);
		jsonw_kv_str(&w, "login", login);
		jsonw_kv_str(&w, "incident", e->incident_id ? incident_key(e->incident_id, key, sizeof key) : NULL);
		jsonw_kv_str(&w, "kind", e->kind);
		jsonw_key(&w, "data");
		jsonw_str(&w, e->data);
		jsonw_kv_str(&w, "hash", e->hash);
		jsonw_obj_end(&w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
		return 0;
	}
	printf("%6lld %s %-8s ", (long long)e->seq, irk_time_iso(e->at, t, sizeof t),
	       e->incident_id ? incident_key(e->incident_id, key, sizeof key) : "-");
	cli_put_col(stdout, e->actor, 10);
	printf(" %-16s ", e->kind);
	cli_put(stdout, e->data);
	if (strcmp(login, e->actor))
		printf("  (login %s, uid %u)", login, e->uid);
	putchar('\n');
	return 0;
}

/* "SEQ:HASH" as `irk audit anchor` prints it. 0 when it is one. */
static int audit_parse_head(const char *s, struct audit_anchor *a)
{
	size_t n = strlen(s);

	/* Exactly SEQ:HASH: no prefix, nothing after. */
	if (!n || s[0] < '1' || s[0] > '9' || audit_anchor_parse(s, a))
		return -1;
	char again[96];
	snprintf(again, sizeof again, "%lld:%s", (long long)a->seq, a->hash);
	return strcmp(again, s) ? -1 : 0;
}

/* The heads of an anchors file, one SEQ:HASH a line after any syslog or
 * journal prefix; lines without one are skipped. Caller frees *v. */
static int audit_read_anchors(const char *path, struct audit_anchor **v, int *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[4096];
	int cap = 0;

	*v = NULL;
	*n = 0;
	if (!f) {
		fprintf(stderr, "irk: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		struct audit_anchor a;
		if (audit_anchor_parse(line, &a))
			continue;
		if (*n == cap)
			*v = xrealloc(*v, (size_t)(cap = cap ? cap * 2 : 64) * sizeof **v);
		(*v)[(*n)++] = a;
	}
	if (f != stdin)
		fclose(f);
	if (!*n) {
		fprintf(stderr, "irk: %s: no SEQ:HASH anchor in it\n", path);
		return -1;
	}
	return 0;
}

/* The configured destination of anchors: 0 none, 1 syslog, -1 unknown. */
static int audit_anchor_dest(const struct cli *c)
{
	const char *to = config_get(c->app.cfg, "audit.anchor");

	if (!to || !strcmp(to, "none"))
		return 0;
	return !strcmp(to, "syslog") ? 1 : -1;
}

int cli_audit_anchor(struct cli *c, char *line, size_t n)
{
	struct audit_result r;
	struct irk_err err = { 0 };
	int dest = audit_anchor_dest(c);
	int rc = audit_verify(c->app.store, &r, &err);

	if (dest < 0) {
		snprintf(line, n, "audit.anchor: '%s' is not none or syslog",
			 config_get(c->app.cfg, "audit.anchor"));
		return -1;
	}
	if (rc == IRK_REFUSED) {
		/* A broken chain is never anchored: that would vouch for it. */
		snprintf(line, n, "audit chain BROKEN at event %lld: %s (no anchor recorded)",
			 (long long)r.bad_seq, r.reason);
		if (dest)
			syslog(LOG_AUTHPRIV | LOG_ALERT, "%s: %s", c->app.db_path, line);
		return -1;
	}
	if (rc) {
		snprintf(line, n, "%s", err.msg);
		return -1;
	}
	if (!r.head_seq) {
		snprintf(line, n, "the audit log is empty: nothing to anchor");
		return -1;
	}
	snprintf(line, n, "%lld:%s", (long long)r.head_seq, r.head);
	if (dest)
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "audit anchor of %s: %s", c->app.db_path, line);
	return dest;
}

int cmd_audit(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_INCIDENT, O_LIMIT, O_HEAD, O_ANCHORS };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "incident", required_argument, NULL, O_INCIDENT },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "head", required_argument, NULL, O_HEAD },
		{ "anchors", required_argument, NULL, O_ANCHORS },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("audit");
	struct irk_err err = { 0 };
	int opt, json = 0, nanchors = 0;
	int64_t incident = 0;
	long long limit = 0;
	struct audit_anchor head = { 0 }, *anchors = NULL;
	const char *anchors_file = NULL;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_JSON)
			json = 1;
		else if (opt == O_INCIDENT && !(incident = cli_key(cmd, optarg)))
			return EXIT_USAGE;
		else if (opt == O_LIMIT && cli_count(cmd, "--limit", optarg, 0, INT64_MAX, &limit))
			return EXIT_USAGE;
		else if (opt == O_HEAD && audit_parse_head(optarg, &head))
			return cli_usage_error(cmd, "--head wants SEQ:HASH as irk audit anchor prints "
					       "it, not '%s'", optarg);
		else if (opt == O_ANCHORS)
			anchors_file = optarg;
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, "verify, anchor or log?");
	if (!strcmp(argv[optind], "anchor") || !strcmp(argv[optind], "head")) {
		char line[512];
		if (!cli_store(c, 0))
			return EXIT_ERR;
		int rc = cli_audit_anchor(c, line, sizeof line);
		if (rc < 0) {
			if (!strncmp(line, "audit chain BROKEN", 18))
				printf("%s\n", line);
			else
				fprintf(stderr, "irk: %s\n", line);
			return EXIT_ERR;
		}
		printf("%s\n", line);
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "verify")) {
		struct audit_result r;
		if (anchors_file && audit_read_anchors(anchors_file, &anchors, &nanchors))
			return EXIT_ERR;
		if (head.seq) {
			anchors = xrealloc(anchors, (size_t)(nanchors + 1) * sizeof *anchors);
			anchors[nanchors++] = head;
		}
		if (!cli_store(c, 0)) {
			free(anchors);
			return EXIT_ERR;
		}
		int rc = audit_verify_anchors(c->app.store, anchors, nanchors, &r, &err);
		free(anchors);
		if (rc == IRK_REFUSED) {
			printf("audit chain BROKEN at event %lld: %s (%lld events checked)\n",
			       (long long)r.bad_seq, r.reason, (long long)r.checked);
			return EXIT_ERR;
		}
		if (rc)
			return cli_report(&err);
		printf("audit chain intact: %lld events, head %s\n", (long long)r.checked,
		       r.head[0] ? r.head : "(empty)");
		/* What the anchors vouch for, and what they cannot. */
		if (nanchors)
			printf("anchors: %lld of %d matched, the newest at event %lld; %lld event%s "
			       "after it %s covered by no anchor\n", (long long)r.anchored, nanchors,
			       (long long)r.anchor_seq, (long long)(r.head_seq - r.anchor_seq),
			       r.head_seq - r.anchor_seq == 1 ? "" : "s",
			       r.head_seq - r.anchor_seq == 1 ? "is" : "are");
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "log")) {
		struct incident inc;
		if (!cli_store(c, 0))
			return EXIT_ERR;
		if (incident && store_incident_get(c->app.store, incident, &inc, &err))
			return cli_report(&err);
		if (incident)
			incident_clear(&inc);
		if (audit_each(c->app.store, incident, limit, log_row, &json, &err))
			return cli_report(&err);
		return EXIT_OK;
	}
	return cli_usage_error(cmd, "'%s': verify, anchor or log?", argv[optind]);
}

/* Only an admin manages users, except the very first. 1 when c's actor may. */
static int user_admin_ok(struct cli *c)
{
	if (store_user_count(c->app.store) > 0 && c->app.actor.role != ROLE_ADMIN) {
		fprintf(stderr, "irk: only an admin can manage users (you are %s, a%s %s)\n",
			c->app.actor.name, c->app.actor.role == ROLE_ANALYST || c->app.actor.role == ROLE_ADMIN ? "n" : "",
			role_name(c->app.actor.role));
		return 0;
	}
	return 1;
}

/* A bare JID irk accepts for a user: local@domain, printable, no spaces,
 * no resource, at most 255 bytes. */
static int jid_valid(const char *jid)
{
	const char *at = strchr(jid, '@');
	size_t n = strlen(jid);

	if (!at || at == jid || !at[1] || strchr(at + 1, '@') || n > 255)
		return 0;
	for (const unsigned char *p = (const unsigned char *)jid; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '/' || *p == '"' || *p == '\'' ||
		    *p == '<' || *p == '>' || *p == '&')
			return 0;
	return 1;
}

/* irk user set NAME --jid JID | --no-jid */
static int user_set(struct cli *c, const struct cli_command *cmd, int argc, char **argv,
		    const char *jid, int no_jid)
{
	struct irk_err err = { 0 };

	if (optind + 2 != argc)
		return cli_usage_error(cmd, "set needs one NAME");
	const char *name = argv[optind + 1];
	if (!jid == !no_jid)
		return cli_usage_error(cmd, "set needs --jid JID or --no-jid");
	if (jid && !jid_valid(jid))
		return cli_usage_error(cmd, "'%s' is not a bare JID (name@domain, no spaces, no /resource)",
				       jid);
	if (!cli_store(c, 0) || !user_admin_ok(c))
		return EXIT_ERR;
	if (store_begin(c->app.store, &err) ||
	    store_user_set_jid(c->app.store, c->app.actor.name, name, jid, &err) ||
	    store_commit(c->app.store, &err)) {
		store_rollback(c->app.store);
		return cli_report(&err);
	}
	if (jid)
		printf("%s has the JID %s\n", name, jid);
	else
		printf("%s has no JID\n", name);
	return EXIT_OK;
}

int cmd_user(struct cli *c, int argc, char **argv)
{
	enum { O_ROLE = OPT_FIRST_OWN, O_JID, O_NO_JID };
	static const struct option opts[] = {
		{ "role", required_argument, NULL, O_ROLE },
		{ "jid", required_argument, NULL, O_JID },
		{ "no-jid", no_argument, NULL, O_NO_JID },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("user");
	struct irk_err err = { 0 };
	const char *role_s = NULL, *jid = NULL;
	int opt, role, no_jid = 0;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_ROLE)
			role_s = optarg;
		else if (opt == O_JID)
			jid = optarg;
		else if (opt == O_NO_JID)
			no_jid = 1;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "add, set or list?");
	if (!strcmp(argv[optind], "list")) {
		struct user *users;
		size_t n;
		char t[32];
		if (!cli_store(c, 0))
			return EXIT_ERR;
		if (store_user_list(c->app.store, &users, &n, &err))
			return cli_report(&err);
		for (size_t i = 0; i < n; i++) {
			char jid_safe[256];
			sanitize_buf(jid_safe, sizeof jid_safe, users[i].jid, 0);
			printf("%-20s %-8s added %s by %s%s%s\n", users[i].name,
			       role_name(users[i].role), irk_time_short(users[i].created, t, sizeof t),
			       users[i].created_by, *jid_safe ? "  jid " : "", jid_safe);
		}
		free(users);
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "set"))
		return user_set(c, cmd, argc, argv, jid, no_jid);
	if (strcmp(argv[optind], "add"))
		return cli_usage_error(cmd, "'%s': add, set or list?", argv[optind]);
	if (optind + 2 != argc)
		return cli_usage_error(cmd, "add needs one NAME");
	const char *name = argv[optind + 1];
	if (!identity_valid(name))
		return cli_usage_error(cmd, "'%s' is not a valid user name (letters, digits, . _ -)", name);
	if (!role_s)
		return cli_usage_error(cmd, "add needs --role analyst|senior|admin");
	if ((role = role_parse(role_s)) < 0)
		return cli_usage_error(cmd, "no role '%s' (analyst, senior, admin)", role_s);
	if (!cli_store(c, 0) || !user_admin_ok(c))
		return EXIT_ERR;
	if (jid && !jid_valid(jid))
		return cli_usage_error(cmd, "'%s' is not a bare JID (name@domain, no spaces, no /resource)",
				       jid);
	if (store_begin(c->app.store, &err) ||
	    store_user_put(c->app.store, c->app.actor.name, name, role, &err) ||
	    (jid && store_user_set_jid(c->app.store, c->app.actor.name, name, jid, &err)) ||
	    store_commit(c->app.store, &err)) {
		store_rollback(c->app.store);
		return cli_report(&err);
	}
	printf("%s is %s %s\n", name, role == ROLE_ANALYST || role == ROLE_ADMIN ? "an" : "a",
	       role_name(role));
	return EXIT_OK;
}

int cmd_config(struct cli *c, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("config");
	struct strbuf out = STRBUF_INIT;

	while (cli_getopt(c, cmd, argc, argv, "", NULL) != -1)
		;
	if (optind + 1 != argc || strcmp(argv[optind], "show"))
		return cli_usage_error(cmd, "only 'show' is known");
	config_dump(c->app.cfg, &out);
	fputs(strbuf_str(&out), stdout);
	strbuf_free(&out);
	return EXIT_OK;
}

int cmd_version(struct cli *c, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("version");

	while (cli_getopt(c, cmd, argc, argv, "", NULL) != -1)
		;
	printf("irk %s (sqlite schema %d)\n", IRK_VERSION, STORE_SCHEMA_VERSION);
	return EXIT_OK;
}
