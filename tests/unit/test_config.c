/* test_config.c: irk.conf (src/core/config.c): defaults, FILE:LINE errors,
 * secrets refused in readable files and hidden by config_dump, mappings. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/config.h"
#include "helpers/tmpstore.h"

static struct config *cfg;

static void setup(void) { cfg = config_new(); }
static void teardown(void)
{
	config_free(&cfg);
	tmp_cleanup();
}
TestSuite(config, .init = setup, .fini = teardown);

/* Load text as a config file with mode; returns the status, err filled. */
static int load(const char *text, unsigned mode, struct irk_err *err, char **path_out)
{
	char *path = tmp_write("irk.conf", text, strlen(text), mode);
	int rc = config_load(cfg, path, 0, err);

	if (path_out)
		*path_out = path;
	else
		free(path);
	return rc;
}

static void expect_error(const char *text, int code, int line, const char *needle)
{
	struct irk_err err = { 0 };
	char *path, want[4200];

	cr_assert_eq(load(text, 0600, &err, &path), code, "'%s': %s", text, err.msg);
	snprintf(want, sizeof want, "%s:%d: ", path, line);
	cr_assert(!strncmp(err.msg, want, strlen(want)), "'%s' does not start with '%s'",
		  err.msg, want);
	cr_assert(strstr(err.msg, needle), "'%s' lacks '%s'", err.msg, needle);
	free(path);
}

Test(config, defaults)
{
	cr_assert_str_eq(config_get(cfg, "ingest.window"), "1h");
	cr_assert_eq(config_get_int(cfg, "ingest.window", 0), 3600);
	cr_assert_eq(config_get_int(cfg, "sla.p1_ack", 0), 900);
	cr_assert_str_eq(config_get(cfg, "ui.theme"), "default");
	cr_assert_eq(config_get_int(cfg, "ui.mouse", 7), 0);
	cr_assert_str_eq(config_get(cfg, "xmpp.tls"), "required");
	cr_assert_str_eq(config_get(cfg, "xmpp.port"), "5222");
	cr_assert_str_eq(config_get(cfg, "xmpp.nick"), "irk");
	cr_assert_null(config_get(cfg, "xmpp.password"));
	cr_assert_null(config_get(cfg, "no.such"));
	cr_assert_eq(config_get_int(cfg, "no.such", 77), 77);
	cr_assert_null(config_mapping(cfg), "no mapping without [mapping] time");
}

/* Code reads typed values; the defaults are the table's, also without a
 * config (NULL), and a change shows in the typed field. */
/* The [xmpp] contract (irk.conf(5)): tls is required or off, nothing
 * else; the old word verify still reads as required. */
Test(config, xmpp_contract)
{
	const struct config_settings *s = config_settings(cfg);

	cr_assert_eq(load("[xmpp]\njid = irk@chat.example\nhost = 127.0.0.1\nport = 41522\n"
			  "room = team@conference.chat.example\nnick = bot\ntls = off\n", 0600, NULL,
			  NULL), IRK_OK);
	cr_assert_str_eq(s->xmpp.jid, "irk@chat.example");
	cr_assert_str_eq(s->xmpp.host, "127.0.0.1");
	cr_assert_eq(s->xmpp.port, 41522);
	cr_assert_str_eq(s->xmpp.room, "team@conference.chat.example");
	cr_assert_str_eq(s->xmpp.nick, "bot");
	cr_assert_str_eq(s->xmpp.tls, "off");
	cr_assert_eq(load("[xmpp]\ntls = verify\n", 0600, NULL, NULL), IRK_OK);
	cr_assert_str_eq(s->xmpp.tls, "required");
	expect_error("[xmpp]\ntls = insecure\n", IRK_INVALID, 2, "required or off");
}

Test(config, settings_are_typed)
{
	const struct config_settings *d = config_settings(NULL), *s = config_settings(cfg);
	struct irk_err err = { 0 };

	cr_assert_eq(d->ingest.window, 3600);
	cr_assert_eq(d->ingest.batch, 20000);
	cr_assert_str_eq(d->ingest.format, "auto");
	cr_assert_null(d->mapping.time);
	cr_assert_eq(d->sla.ack[1], 900);
	cr_assert_eq(d->sla.ack[4], 86400);
	cr_assert_eq(d->sla.contain[3], 3 * 86400);
	cr_assert_eq(d->sla.contain[4], 7 * 86400);
	cr_assert_str_eq(d->ui.theme, "default");
	cr_assert_eq(d->ui.mouse, 0);
	cr_assert_eq(d->ui.refresh, 1);
	cr_assert_eq(d->engine.lease, 300);
	cr_assert_eq(d->engine.workers, 2);
	cr_assert_eq(d->engine.poll_ms, 1000);
	cr_assert_eq(d->engine.grace_ms, 5000);
	cr_assert_str_eq(d->engine.path, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	cr_assert_str_eq(d->engine.ansible, "ansible-playbook");
	cr_assert_null(d->engine.tmpdir);
	cr_assert_str_eq(d->xmpp.tls, "required");
	cr_assert_eq(d->xmpp.port, 5222);
	cr_assert_null(d->xmpp.host);
	cr_assert_null(d->xmpp.password);
	cr_assert_eq(memcmp(s, d, sizeof *s), 0, "a new config holds the defaults");

	cr_assert_eq(config_set(cfg, "engine.poll", "250ms", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(config_set(cfg, "sla.p2_contain", "2d", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(config_set(cfg, "ui.mouse", "on", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(config_set(cfg, "engine.proxy", "http://p:3128", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(config_set(cfg, "mapping.time", "ts", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(s->engine.poll_ms, 250);
	cr_assert_eq(s->sla.contain[2], 2 * 86400);
	cr_assert_eq(s->ui.mouse, 1);
	cr_assert_str_eq(s->engine.proxy, "http://p:3128");
	cr_assert_eq(config_mapping(cfg), &s->mapping);
	cr_assert_str_eq(s->mapping.time, "ts");
	cr_assert_eq(config_set(cfg, "engine.lease", "a while", &err), IRK_INVALID);
	cr_assert_eq(s->engine.lease, 300, "a refused value leaves the typed one alone");
	cr_assert_eq(d->engine.poll_ms, 1000, "the defaults are not this config's");
}

/* A known setting reads as `config show` prints it: what irk understood,
 * in a form that parses back to the same value. */
Test(config, values_read_as_understood)
{
	static const char *const cases[][3] = {
		{ "ingest.window", "90", "1m30s" },
		{ "ingest.window", "1h30m", "1h30m" },
		{ "ingest.window", "2w", "14d" },
		{ "ingest.window", "0", "0s" },
		{ "sla.p4_ack", "86400", "1d" },
		{ "sla.p4_ack", "1d1s", "1d1s" },
		{ "engine.poll", "1500ms", "1500ms" },
		{ "engine.poll", "2000ms", "2s" },
		{ "engine.grace", "0ms", "0s" },
		{ "ui.mouse", "true", "yes" },
		{ "ui.mouse", "0", "no" },
		{ "ingest.batch", "0250", "250" },
	};
	struct irk_err err = { 0 };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t typed;
		cr_assert_eq(config_set(cfg, cases[i][0], cases[i][1], &err), IRK_OK, "%s", err.msg);
		cr_assert_str_eq(config_get(cfg, cases[i][0]), cases[i][2], "%s = %s", cases[i][0],
				 cases[i][1]);
		typed = config_get_int(cfg, cases[i][0], -1);
		cr_assert_eq(config_set(cfg, cases[i][0], cases[i][2], &err), IRK_OK, "%s", err.msg);
		cr_assert_eq(config_get_int(cfg, cases[i][0], -1), typed, "%s", cases[i][2]);
	}
}

Test(config, loads_values_comments_and_quotes)
{
	struct irk_err err = { 0 };

	cr_assert_eq(load("# irk.conf\n; also a comment\n\n[ingest]\n  window = 15m  \n"
			  "batch=250\n[ui]\ntheme = \"dark blue\"\nmouse = yes\n[keys]\n"
			  "q = quit\nx = 'close'\n", 0644, &err, NULL), IRK_OK, "%s", err.msg);
	cr_assert_eq(config_get_int(cfg, "ingest.window", 0), 900);
	cr_assert_eq(config_get_int(cfg, "ingest.batch", 0), 250);
	cr_assert_str_eq(config_get(cfg, "ui.theme"), "dark blue");
	cr_assert_eq(config_get_int(cfg, "ui.mouse", 0), 1);
	cr_assert_str_eq(config_get(cfg, "keys.q"), "quit");
	cr_assert_str_eq(config_get(cfg, "keys.x"), "close");
}

static void collect(const char *key, const char *value, const char *where, void *arg)
{
	struct strbuf *sb = arg;

	strbuf_printf(sb, "%s=%s;", key, value);
}

Test(config, free_form_sections_in_file_order)
{
	struct irk_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(load("[keys]\nb = 2\na = 1\n[users]\nbob = senior\n", 0600, &err, NULL), 0,
		     "%s", err.msg);
	config_each(cfg, "keys", collect, &sb);
	cr_assert_str_eq(strbuf_str(&sb), "b=2;a=1;");
	strbuf_reset(&sb);
	config_each(cfg, "users", collect, &sb);
	cr_assert_str_eq(strbuf_str(&sb), "bob=senior;");
	strbuf_reset(&sb);
	config_each(cfg, "key", collect, &sb);
	cr_assert_str_eq(strbuf_str(&sb), "", "a prefix of a section name is not the section");
	strbuf_free(&sb);
}

static void collect_where(const char *key, const char *value, const char *where, void *arg)
{
	strbuf_printf(arg, "%s@%s;", key, where ? where : "-");
}

/* Messages about a free-form value (a [keys] binding) name its line. */
Test(config, free_form_values_know_their_line)
{
	struct irk_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	char *path, want[4200];

	cr_assert_eq(load("[keys]\n# comment\nb = 2\n\na = 1\n", 0600, &err, &path), 0, "%s", err.msg);
	cr_assert_eq(config_set(cfg, "keys.c", "3", &err), 0, "%s", err.msg);
	config_each(cfg, "keys", collect_where, &sb);
	snprintf(want, sizeof want, "b@%s:3;a@%s:5;c@-;", path, path);
	cr_assert_str_eq(strbuf_str(&sb), want);
	strbuf_free(&sb);
	free(path);
}

Test(config, errors_name_file_and_line)
{
	expect_error("[ingest]\nwindow = 1h\n\nbogus = 1\n", IRK_INVALID, 4,
		     "unknown setting 'ingest.bogus'");
	expect_error("# top\nwindow = 1h\n", IRK_INVALID, 2, "outside any [section]");
	expect_error("[ingest]\nwindow = soon\n", IRK_INVALID, 2, "not a duration");
	expect_error("[ingest]\nbatch = 12x\n", IRK_INVALID, 2, "not a whole number");
	expect_error("[ui]\nmouse = maybe\n", IRK_INVALID, 2, "not yes or no");
	expect_error("[ui\n", IRK_INVALID, 1, "bad section header");
	expect_error("[]\n", IRK_INVALID, 1, "bad section header");
	expect_error("[ui]\njust words\n", IRK_INVALID, 2, "expected 'key = value'");
	expect_error("[nosuch]\nkey = v\n", IRK_INVALID, 2, "unknown setting 'nosuch.key'");
}

Test(config, error_messages_are_sanitized)
{
	struct irk_err err = { 0 };

	cr_assert_eq(load("[ingest]\n\x1b]0;pwned\x07 = 1\n", 0600, &err, NULL), IRK_INVALID);
	cr_assert_null(strchr(err.msg, 0x1b), "raw ESC in '%s'", err.msg);
	cr_assert_null(strchr(err.msg, 0x07));
}

Test(config, missing_file)
{
	struct irk_err err = { 0 };
	char *p = tmp_path("absent.conf");

	cr_assert_eq(config_load(cfg, p, 1, &err), IRK_OK, "optional: fine");
	cr_assert_eq(config_load(cfg, p, 0, &err), IRK_ERROR);
	cr_assert(strstr(err.msg, "absent.conf") && strstr(err.msg, "No such file"), "%s", err.msg);
	free(p);
}

Test(config, secrets_refused_in_readable_files)
{
	static const char *const secret_files[] = {
		"[xmpp]\njid = irk@example.org\npassword = hunter2\n",
		"[context.cmdb]\nurl = https://cmdb.example\ntoken = s3cr3t\n",
		"[context.tickets]\napi_secret = s3cr3t\n",
		/* Found by review: a name in capitals, or a key, passed. */
		"[context.cmdb]\nToken = s3cr3t\n",
		"[context.edr]\napi_key = s3cr3t\n",
	};
	static const unsigned bad_modes[] = { 0644, 0640, 0604, 0660, 0606 };

	for (size_t f = 0; f < sizeof secret_files / sizeof secret_files[0]; f++) {
		for (size_t m = 0; m < sizeof bad_modes / sizeof bad_modes[0]; m++) {
			struct irk_err err = { 0 };
			config_free(&cfg);
			cfg = config_new();
			cr_assert_eq(load(secret_files[f], bad_modes[m], &err, NULL), IRK_REFUSED,
				     "file %zu mode %03o accepted", f, bad_modes[m]);
			cr_assert(strstr(err.msg, "chmod 600"), "%s", err.msg);
			cr_assert_null(strstr(err.msg, "hunter2"));
			cr_assert_null(strstr(err.msg, "s3cr3t"));
		}
		struct irk_err err = { 0 };
		config_free(&cfg);
		cfg = config_new();
		cr_assert_eq(load(secret_files[f], 0600, &err, NULL), IRK_OK, "%s", err.msg);
		config_free(&cfg);
		cfg = config_new();
		cr_assert_eq(load(secret_files[f], 0400, &err, NULL), IRK_OK, "%s", err.msg);
	}
	/* without a secret a readable file is fine */
	struct irk_err err = { 0 };
	cr_assert_eq(load("[xmpp]\njid = irk@example.org\n", 0644, &err, NULL), IRK_OK);
}

Test(config, dump_hides_secrets)
{
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(load("[xmpp]\njid = irk@example.org\npassword = hunter2\n"
			  "[context.cmdb]\ntoken = s3cr3t-token\nurl = https://cmdb.example\n"
			  "[ingest]\nwindow = 2h\n", 0600, &err, NULL), IRK_OK, "%s", err.msg);
	cr_assert_str_eq(config_get(cfg, "xmpp.password"), "hunter2", "the program can read it");
	config_dump(cfg, &out);
	const char *d = strbuf_str(&out);
	cr_assert_null(strstr(d, "hunter2"), "password shown:\n%s", d);
	cr_assert_null(strstr(d, "s3cr3t"), "token shown:\n%s", d);
	cr_assert(strstr(d, "\n# password = (set; not shown)\n"), "%s", d);
	cr_assert(strstr(d, "\n[context]\n# cmdb.token = (set; not shown)\ncmdb.url = https://cmdb.example\n"),
		  "%s", d);
	cr_assert(strstr(d, "window = 2h"), "%s", d);
	cr_assert(strstr(d, "https://cmdb.example"), "%s", d);
	cr_assert(strstr(d, "[sla]") && strstr(d, "p1_ack = 15m"), "defaults listed too");
	cr_assert(strstr(d, "# xmpp.cafile") || strstr(d, "# cafile"), "unset keys are commented");
	strbuf_free(&out);
}

Test(config, mapping_from_config)
{
	struct irk_err err = { 0 };
	const struct alert_mapping *m;

	cr_assert_eq(load("[mapping]\ntime = detected_at\nhost = asset.hostname\n"
			  "rule_id = detection.id\nid = uuid\n", 0600, &err, NULL), IRK_OK,
		     "%s", err.msg);
	cr_assert_not_null(m = config_mapping(cfg));
	cr_assert_str_eq(m->time, "detected_at");
	cr_assert_str_eq(m->host, "asset.hostname");
	cr_assert_str_eq(m->rule_id, "detection.id");
	cr_assert_str_eq(m->id, "uuid");
	cr_assert_null(m->src_ip);
	/* a command-line override changes the mapping too */
	cr_assert_eq(config_set(cfg, "mapping.host", "host.name", &err), IRK_OK);
	cr_assert_str_eq(config_mapping(cfg)->host, "host.name");
}

Test(config, set_validates_like_load)
{
	struct irk_err err = { 0 };

	cr_assert_eq(config_set(cfg, "ingest.window", "30m", &err), IRK_OK);
	cr_assert_eq(config_get_int(cfg, "ingest.window", 0), 1800);
	cr_assert_eq(config_set(cfg, "ingest.window", "half an hour", &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "ingest.window"), "%s", err.msg);
	cr_assert_eq(config_get_int(cfg, "ingest.window", 0), 1800, "a refused value changes nothing");
	cr_assert_eq(config_set(cfg, "ingest.nope", "1", &err), IRK_INVALID);
	cr_assert_eq(config_set(cfg, "keys.anything", "goes", &err), IRK_OK);
}

Test(config, default_path_follows_xdg)
{
	char buf[512];

	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	cr_assert_str_eq(config_default_path(buf, sizeof buf), "/x/conf/irk/irk.conf");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/al", 1);
	cr_assert_str_eq(config_default_path(buf, sizeof buf), "/home/al/.config/irk/irk.conf");
}

/* What `irk config show` prints loads back as it is, and gives the same
 * listing; secrets are left alone (commented out, never shown). Found by
 * a new-user trial: the help comments after the values became part of
 * them ("'1h   # correlation window...' is not a duration"); by review:
 * spaces at an end, quotes and tabs in values, secrets named in capitals
 * or as a key. */
Test(config, dump_loads_back_as_it_is)
{
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;
	struct config *back = config_new();
	char *path;

	cr_assert_eq(load("[ingest]\nwindow = 2h\n[ui]\ntheme = light\n[keys]\nboard-claim = C\n"
			  "board-filter = #\n"
			  "[users]\nbob = senior\n[context.cmdb]\nurl = https://cmdb.example\n"
			  "token = s3cr3t\nToken = S3CR3T2\napi_key = k3y\n"
			  "[context.secretserver]\nurl = https://ss.example\n"
			  "[engine]\ntmpdir = \"  /tmp/with space  \"\nproxy = '\"http://p:3128\"'\n"
			  "ansible = a\tb\n"
			  "[secrets]\nedr = xyz\n[xmpp]\npassword = hunter2\n",
			  0600, &err, NULL), IRK_OK, "%s", err.msg);
	config_dump(cfg, &out);
	path = tmp_write("shown.conf", out.buf, out.len, 0600);
	cr_assert_eq(config_load(back, path, 0, &err), IRK_OK, "%s\n%s", err.msg, out.buf);
	cr_assert_str_eq(config_get(back, "ingest.window"), "2h");
	cr_assert_str_eq(config_get(back, "ui.theme"), "light");
	cr_assert_str_eq(config_get(back, "keys.board-claim"), "C");
	cr_assert_str_eq(config_get(back, "users.bob"), "senior");
	cr_assert_str_eq(config_get(back, "context.cmdb.url"), "https://cmdb.example");
	cr_assert_str_eq(config_get(back, "context.secretserver.url"), "https://ss.example",
			 "a section's name is not a secret's");
	cr_assert_str_eq(config_get(back, "keys.board-filter"), "#");
	cr_assert_str_eq(config_get(back, "engine.tmpdir"), "  /tmp/with space  ");
	cr_assert_str_eq(config_get(back, "engine.proxy"), "\"http://p:3128\"");
	cr_assert_str_eq(config_get(back, "engine.ansible"), "a\tb");
	cr_assert_null(config_get(back, "context.cmdb.token"), "a secret came back as text");
	cr_assert_null(config_get(back, "context.cmdb.Token"), "a secret in capitals came back");
	cr_assert_null(config_get(back, "context.cmdb.api_key"));
	cr_assert_null(strstr(out.buf, "S3CR3T2"));
	cr_assert_null(strstr(out.buf, "k3y"));
	cr_assert_null(config_get(back, "secrets.edr"));
	cr_assert_null(config_get(back, "xmpp.password"));
	cr_assert_null(strstr(out.buf, "s3cr3t"));
	cr_assert_null(strstr(out.buf, "xyz"));
	/* Without the secrets, the listing is a fixed point. */
	config_dump(back, &again);
	free(path);
	path = tmp_write("again.conf", again.buf, again.len, 0600);
	config_free(&back);
	back = config_new();
	cr_assert_eq(config_load(back, path, 0, &err), IRK_OK, "%s", err.msg);
	strbuf_reset(&out);
	config_dump(back, &out);
	cr_assert_str_eq(out.buf, again.buf, "the listing of what was loaded back differs");
	strbuf_free(&out);
	strbuf_free(&again);
	config_free(&back);
	free(path);
}
