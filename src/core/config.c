/* config.c: irk.conf, driven by one table of known keys. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/sanitize.h"

enum { CK_TEXT, CK_INT, CK_DURATION, CK_BOOL, CK_SECRET, CK_MS };

struct config_key {
	const char *key;       /* "section.name" */
	int kind;
	const char *def;       /* NULL: unset */
	const char *help;
};

/* Every known key. Sections whose keys are free-form are listed below. */
static const struct config_key keys[] = {
	{ "ingest.window", CK_DURATION, "1h", "correlation window: alerts this close join one incident" },
	{ "ingest.batch", CK_INT, "20000", "lines per transaction while ingesting" },
	{ "ingest.format", CK_TEXT, "auto", "default input format: auto, eve, wazuh, ecs, zeek, json" },
	{ "mapping.time", CK_TEXT, NULL, "generic JSON: path of the event time (ISO 8601 or epoch)" },
	{ "mapping.rule_id", CK_TEXT, NULL, "generic JSON: path of the rule id" },
	{ "mapping.rule_name", CK_TEXT, NULL, "generic JSON: path of the rule name" },
	{ "mapping.severity", CK_TEXT, NULL, "generic JSON: path of the severity (a word, a 0-10 or a 0-100 score)" },
	{ "mapping.host", CK_TEXT, NULL, "generic JSON: path of the affected host" },
	{ "mapping.src_ip", CK_TEXT, NULL, "generic JSON: path of the source IP" },
	{ "mapping.dst_ip", CK_TEXT, NULL, "generic JSON: path of the destination IP" },
	{ "mapping.user", CK_TEXT, NULL, "generic JSON: path of the user name" },
	{ "mapping.category", CK_TEXT, NULL, "generic JSON: path of the category" },
	{ "mapping.id", CK_TEXT, NULL, "generic JSON: path of a unique record id (fingerprint)" },
	{ "sla.p1_ack", CK_DURATION, "15m", "P1: time from detection to acknowledgement" },
	{ "sla.p2_ack", CK_DURATION, "1h", "P2: time from detection to acknowledgement" },
	{ "sla.p3_ack", CK_DURATION, "4h", "P3: time from detection to acknowledgement" },
	{ "sla.p4_ack", CK_DURATION, "1d", "P4: time from detection to acknowledgement" },
	{ "sla.p1_contain", CK_DURATION, "4h", "P1: time from detection to containment" },
	{ "sla.p2_contain", CK_DURATION, "1d", "P2: time from detection to containment" },
	{ "sla.p3_contain", CK_DURATION, "3d", "P3: time from detection to containment" },
	{ "sla.p4_contain", CK_DURATION, "7d", "P4: time from detection to containment" },
	{ "ui.theme", CK_TEXT, "default", "colour theme (see irk-theme(5))" },
	{ "ui.mouse", CK_BOOL, "no", "click cards and scroll columns with the mouse" },
	{ "ui.refresh", CK_DURATION, "1s", "how often the board looks for other people's changes" },
	{ "engine.lease", CK_DURATION, "5m", "how long a claimed automated step is held before it is retried" },
	{ "engine.workers", CK_INT, "2", "automated steps run at once by one irk process" },
	{ "engine.poll", CK_MS, "1s", "how often the sequencer looks for ready steps and expired leases (250ms, 1s)" },
	{ "engine.grace", CK_MS, "5s", "a step's program gets this long after SIGTERM before SIGKILL" },
	{ "engine.path", CK_TEXT, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	  "PATH of the programs exec and ansible steps run (nothing else of the environment is passed)" },
	{ "engine.tmpdir", CK_TEXT, NULL, "where steps get their private working directory (default $TMPDIR or /tmp)" },
	{ "engine.ansible", CK_TEXT, "ansible-playbook", "the ansible-playbook program (looked up in engine.path)" },
	{ "engine.cafile", CK_TEXT, NULL, "CA bundle http steps verify servers with (default: the system's)" },
	{ "engine.proxy", CK_TEXT, NULL, "proxy http steps go through (default: none; the environment's http_proxy is ignored)" },
	{ "audit.anchor", CK_TEXT, "none", "where irk audit anchor and irk serve send the audit head: none or syslog" },
	{ "audit.interval", CK_DURATION, "1h", "how often irk serve sends the audit head (with audit.anchor)" },
	{ "plays.path", CK_TEXT, NULL, "extra play directories, colon-separated (also $IRK_PLAYS)" },
	{ "xmpp.jid", CK_TEXT, NULL, "XMPP account used for notify steps" },
	{ "xmpp.password", CK_SECRET, NULL, "its password (the file must not be group/world readable)" },
	{ "xmpp.server", CK_TEXT, NULL, "host[:port] to connect to, when not from the JID" },
	{ "xmpp.tls", CK_TEXT, "verify", "verify, or insecure (shown on every connection)" },
	{ "xmpp.cafile", CK_TEXT, NULL, "CA bundle to verify the server with" },
};

#define NKEYS (sizeof keys / sizeof keys[0])

/* Sections whose keys are not fixed. */
static const char *const free_sections[] = { "keys", "context", "users", "secrets", NULL };

struct entry {
	char *key, *value;
	char *where;              /* "FILE:LINE" when it came from a file */
};

struct config {
	const char *values[NKEYS];      /* borrowed from entries or defaults */
	struct entry *extra;            /* free-form and set values, owned */
	size_t nextra, cap;
	struct alert_mapping map;
	int have_map;
};

static int find_key(const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].key, key))
			return (int)i;
	return -1;
}

static int is_free_section(const char *key)
{
	for (int i = 0; free_sections[i]; i++) {
		size_t n = strlen(free_sections[i]);
		if (!strncmp(key, free_sections[i], n) && (key[n] == '.' || key[n] == '\0'))
			return 1;
	}
	return 0;
}

struct config *config_new(void)
{
	struct config *c = xcalloc(1, sizeof *c);

	for (size_t i = 0; i < NKEYS; i++)
		c->values[i] = keys[i].def;
	return c;
}

void config_free(struct config **cp)
{
	struct config *c = *cp;

	if (!c)
		return;
	for (size_t i = 0; i < c->nextra; i++) {
		free(c->extra[i].key);
		free(c->extra[i].value);
		free(c->extra[i].where);
	}
	free(c->extra);
	free(c);
	*cp = NULL;
}

static const char *keep(struct config *c, const char *key, const char *value)
{
	if (c->nextra == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->extra = xrealloc(c->extra, c->cap * sizeof *c->extra);
	}
	c->extra[c->nextra].key = xstrdup(key);
	c->extra[c->nextra].value = xstrdup(value);
	c->extra[c->nextra].where = NULL;
	return c->extra[c->nextra++].value;
}

static void update_mapping(struct config *c)
{
	const char **slots[] = { &c->map.time, &c->map.rule_id, &c->map.rule_name,
		&c->map.severity, &c->map.host, &c->map.src_ip, &c->map.dst_ip,
		&c->map.user, &c->map.category, &c->map.id };
	const char *names[] = { "time", "rule_id", "rule_name", "severity", "host",
		"src_ip", "dst_ip", "user", "category", "id" };
	char key[64];

	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
		snprintf(key, sizeof key, "mapping.%s", names[i]);
		*slots[i] = config_get(c, key);
	}
	c->have_map = c->map.time != NULL;
}

/* "250ms" in milliseconds, or any duration irk_duration_parse() takes. */
static int ms_parse(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	char *end;

	if (n > 2 && !strcmp(s + n - 2, "ms") && s[0] >= '0' && s[0] <= '9') {
		long long v = strtoll(s, &end, 10);
		if (end != s + n - 2 || v < 0)
			return -1;
		*out = v;
		return 0;
	}
	if (irk_duration_parse(s, out) || *out > INT64_MAX / 1000)
		return -1;
	*out *= 1000;
	return 0;
}

static int validate(int kind, const char *value, char *why, size_t n)
{
	int64_t v;
	char *end;

	switch (kind) {
	case CK_INT:
		errno = 0;
		strtoll(value, &end, 10);
		if (!*value || *end || errno) {
			snprintf(why, n, "'%s' is not a whole number", value);
			return -1;
		}
		return 0;
	case CK_DURATION:
		if (irk_duration_parse(value, &v)) {
			snprintf(why, n, "'%s' is not a duration (like 90s, 15m, 1h, 2d)", value);
			return -1;
		}
		return 0;
	case CK_MS:
		if (ms_parse(value, &v)) {
			snprintf(why, n, "'%s' is not a duration (like 250ms, 1s, 2m)", value);
			return -1;
		}
		return 0;
	case CK_BOOL:
		if (strcmp(value, "yes") && strcmp(value, "no") && strcmp(value, "true") &&
		    strcmp(value, "false") && strcmp(value, "on") && strcmp(value, "off") &&
		    strcmp(value, "1") && strcmp(value, "0")) {
			snprintf(why, n, "'%s' is not yes or no", value);
			return -1;
		}
		return 0;
	}
	return 0;
}

int config_set(struct config *c, const char *key, const char *value, struct irk_err *err)
{
	int i = find_key(key);
	char why[160];

	if (i < 0) {
		if (!is_free_section(key))
			return irk_fail(err, IRK_INVALID, "unknown setting '%s'", key);
		keep(c, key, value);
		return IRK_OK;
	}
	if (validate(keys[i].kind, value, why, sizeof why))
		return irk_fail(err, IRK_INVALID, "%s: %s", key, why);
	c->values[i] = keep(c, key, value);
	if (!strncmp(key, "mapping.", 8))
		update_mapping(c);
	return IRK_OK;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A setting whose value is a secret: by its kind when irk knows it,
 * everything in [secrets], and in the free-form sections a name (the last
 * part of the key, any case) that says so: token, password, secret, key,
 * auth ("context.cmdb.api_key", "context.edr.Token"). [keys] and [users]
 * hold none. The loader (the file's mode) and config_dump (what it shows)
 * ask the same question. */
static int is_secret_key(const char *key)
{
	static const char *const words[] = { "token", "password", "secret", "key", "auth", NULL };
	const char *name = strrchr(key, '.');
	int i = find_key(key);

	if (i >= 0)
		return keys[i].kind == CK_SECRET;
	if (!strncmp(key, "secrets.", 8))
		return 1;
	if (!strncmp(key, "keys.", 5) || !strncmp(key, "users.", 6))
		return 0;
	name = name ? name + 1 : key;
	for (size_t w = 0; words[w]; w++)
		if (strcasestr(name, words[w]))
			return 1;
	return 0;
}

int config_load(struct config *c, const char *path, int optional, struct irk_err *err)
{
	FILE *f = fopen(path, "r");
	char line[4096], section[64] = "", key[192];
	int lineno = 0, has_secret = 0, rc = IRK_OK;
	struct stat sb;

	if (!f) {
		if (optional && errno == ENOENT)
			return IRK_OK;
		return irk_fail(err, IRK_ERROR, "%s: %s", path, strerror(errno));
	}
	while (fgets(line, sizeof line, f)) {
		char *p, *eq;
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = irk_fail(err, IRK_INVALID, "%s:%d: line too long", path, lineno);
			break;
		}
		p = trim(line);
		if (!*p || *p == '#' || *p == ';')
			continue;
		if (*p == '[') {
			char *close = strchr(p, ']');
			if (!close || close[1] || close - p - 1 <= 0 ||
			    (size_t)(close - p - 1) >= sizeof section) {
				rc = irk_fail(err, IRK_INVALID, "%s:%d: bad section header", path, lineno);
				break;
			}
			*close = '\0';
			irk_strlcpy(section, trim(p + 1), sizeof section);
			continue;
		}
		eq = strchr(p, '=');
		if (!eq) {
			rc = irk_fail(err, IRK_INVALID, "%s:%d: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		char *k = trim(p), *v = trim(eq + 1);
		size_t vl = strlen(v);
		if (vl >= 2 && ((v[0] == '"' && v[vl - 1] == '"') || (v[0] == '\'' && v[vl - 1] == '\''))) {
			v[vl - 1] = '\0';
			v++;
		}
		if (!*section) {
			rc = irk_fail(err, IRK_INVALID, "%s:%d: '%s' is outside any [section]", path, lineno, k);
			break;
		}
		snprintf(key, sizeof key, "%s.%s", section, k);
		if (is_secret_key(key))
			has_secret = 1;
		struct irk_err e2;
		if (config_set(c, key, v, &e2)) {
			char *safe = sanitize_dup(e2.msg, 0);
			rc = irk_fail(err, IRK_INVALID, "%s:%d: %s", path, lineno, safe);
			free(safe);
			break;
		}
		/* config_set kept it last: where it came from, for the
		 * messages of whoever reads it (config_each). */
		{
			char at[4200];
			snprintf(at, sizeof at, "%s:%d", path, lineno);
			c->extra[c->nextra - 1].where = xstrdup(at);
		}
	}
	if (!rc && has_secret && fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077))
		rc = irk_fail(err, IRK_REFUSED,
			      "%s holds a secret but is readable by others (mode %03o); run: chmod 600 %s",
			      path, (unsigned)(sb.st_mode & 0777), path);
	fclose(f);
	return rc;
}

const char *config_get(const struct config *c, const char *key)
{
	int i = find_key(key);

	if (i >= 0)
		return c->values[i];
	/* Free-form keys: the last one set wins. */
	for (size_t j = c->nextra; j-- > 0;)
		if (!strcmp(c->extra[j].key, key))
			return c->extra[j].value;
	return NULL;
}

int64_t config_get_int(const struct config *c, const char *key, int64_t def)
{
	const char *v = config_get(c, key);
	int i = find_key(key);
	int64_t out;

	if (!v)
		return def;
	if (i >= 0 && keys[i].kind == CK_DURATION)
		return irk_duration_parse(v, &out) ? def : out;
	if (i >= 0 && keys[i].kind == CK_MS)
		return ms_parse(v, &out) ? def : out;
	if (i >= 0 && keys[i].kind == CK_BOOL)
		return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1");
	char *end;
	long long ll = strtoll(v, &end, 10);
	return *end ? def : ll;
}

const struct alert_mapping *config_mapping(const struct config *c)
{
	return c->have_map ? &c->map : NULL;
}

void config_each(const struct config *c, const char *section,
		 void (*fn)(const char *key, const char *value, const char *where, void *arg),
		 void *arg)
{
	size_t n = strlen(section);

	for (size_t i = 0; i < c->nextra; i++)
		if (!strncmp(c->extra[i].key, section, n) && c->extra[i].key[n] == '.')
			fn(c->extra[i].key + n + 1, c->extra[i].value, c->extra[i].where, arg);
}


/* "name = value" of one setting; a secret's value is never shown, and its
 * line is a comment, so the listing loaded back leaves the secret alone. */
static void dump_value(struct strbuf *out, const char *name, const char *v, int secret)
{
	if (!v) {
		strbuf_printf(out, "# %s =\n", name);
		return;
	}
	if (secret) {
		strbuf_printf(out, "# %s = (set; not shown)\n", name);
		return;
	}
	/* The loader trims a value and takes one pair of quotes off: quoted
	 * again when it has spaces at an end or is in quotes itself. A tab
	 * stays a tab; other control characters show as escapes. */
	size_t n = strlen(v);
	char q = 0;
	if (n && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1])))
		q = '"';
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		q = v[0] == '"' ? '\'' : '"';
	strbuf_printf(out, "%s = ", name);
	if (q)
		strbuf_addc(out, q);
	sanitize_append(out, v, n, SAN_KEEP_TAB);
	if (q)
		strbuf_addc(out, q);
	strbuf_addc(out, '\n');
}

void config_dump(const struct config *c, struct strbuf *out)
{
	char section[64] = "";

	/* The syntax of the file, so the listing loads back as it is: the
	 * help on a comment line of its own (a value runs to the end of its
	 * line), unset settings commented out. */
	for (size_t i = 0; i < NKEYS; i++) {
		const char *dot = strchr(keys[i].key, '.');
		size_t sl = (size_t)(dot - keys[i].key);
		if (strlen(section) != sl || strncmp(section, keys[i].key, sl)) {
			snprintf(section, sizeof section, "%.*s", (int)sl, keys[i].key);
			strbuf_printf(out, "%s[%s]\n", i ? "\n" : "", section);
		}
		strbuf_printf(out, "# %s\n", keys[i].help);
		dump_value(out, dot + 1, c->values[i], keys[i].kind == CK_SECRET);
	}
	/* The free-form sections, each under its header. */
	for (size_t f = 0; free_sections[f]; f++) {
		size_t n = strlen(free_sections[f]);
		int header = 0;
		for (size_t i = 0; i < c->nextra; i++) {
			const char *k = c->extra[i].key;
			if (strncmp(k, free_sections[f], n) || k[n] != '.' || find_key(k) >= 0)
				continue;
			if (!header++)
				strbuf_printf(out, "\n[%s]\n", free_sections[f]);
			/* "context.cmdb.url" sits in [context] as "cmdb.url". */
			struct strbuf name = STRBUF_INIT;
			sanitize_append(&name, k + n + 1, strlen(k + n + 1), 0);
			dump_value(out, strbuf_str(&name), c->extra[i].value, is_secret_key(k));
			strbuf_free(&name);
		}
	}
}

char *config_default_path(char *buf, size_t n)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x)
		snprintf(buf, n, "%s/irk/irk.conf", x);
	else
		snprintf(buf, n, "%s/.config/irk/irk.conf", home && *home ? home : ".");
	return buf;
}
