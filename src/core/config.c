/* config.c: irk.conf, driven by one table of known keys. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/hours.h"
#include "irk/sanitize.h"
#include "irk/sensor.h"
#include "irk/trust.h"

/* ---- types: how a value's text becomes its typed field, and back ---------- */

/* Room for any printed number or duration. */
#define TEXT_MAX 32

struct config_type {
	const char *what;      /* for "'VALUE' is not WHAT" */
	/* Parse s into *target: 0, or -1 with *target untouched. A string
	 * target borrows s. */
	int (*parse)(const char *s, void *target);
	/* The value as `config show` prints it: into buf (TEXT_MAX bytes) or
	 * the string itself; NULL when unset. Parsed again, gives the value. */
	const char *(*print)(const void *target, char *buf);
	enum { AS_TEXT, AS_INT64, AS_INT } as;   /* the field's C type */
	int secret;            /* never shown, refused in readable files */
	/* Why s does not parse, in err, when "is not WHAT" would not say
	 * which part is wrong (a list); may be NULL. */
	int (*why)(const char *s, struct irk_err *err);
};

static int text_parse(const char *s, void *target)
{
	*(const char **)target = s;
	return 0;
}

static const char *text_print(const void *target, char *buf)
{
	return *(const char *const *)target;
}

static int number_parse(const char *s, void *target)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return -1;
	*(int64_t *)target = v;
	return 0;
}

/* A count that cannot be negative (days to keep: -1 means nothing). */
static int count_parse(const char *s, void *target)
{
	int64_t v;

	if (number_parse(s, &v) || v < 0)
		return -1;
	*(int64_t *)target = v;
	return 0;
}

static const char *number_print(const void *target, char *buf)
{
	snprintf(buf, TEXT_MAX, "%lld", (long long)*(const int64_t *)target);
	return buf;
}

static int duration_parse(const char *s, void *target)
{
	return irk_duration_parse(s, target);
}

/* Exact, in the largest units that fit: 90 -> "1m30s", 86400 -> "1d". */
static const char *duration_print(const void *target, char *buf)
{
	static const struct { int64_t secs; char unit; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	int64_t v = *(const int64_t *)target;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
		if (v >= units[u].secs || (!len && units[u].secs == 1)) {
			len += (size_t)snprintf(buf + len, TEXT_MAX - len, "%lld%c",
						(long long)(v / units[u].secs), units[u].unit);
			v %= units[u].secs;
		}
	return buf;
}

/* "250ms" in milliseconds, or any duration irk_duration_parse() takes. */
static int ms_parse(const char *s, void *target)
{
	size_t n = strlen(s);
	int64_t v;
	char *end;

	if (n > 2 && !strcmp(s + n - 2, "ms") && s[0] >= '0' && s[0] <= '9') {
		long long ll = strtoll(s, &end, 10);
		if (end != s + n - 2 || ll < 0)
			return -1;
		*(int64_t *)target = ll;
		return 0;
	}
	if (irk_duration_parse(s, &v) || v > INT64_MAX / 1000)
		return -1;
	*(int64_t *)target = v * 1000;
	return 0;
}

static const char *ms_print(const void *target, char *buf)
{
	int64_t ms = *(const int64_t *)target, secs = ms / 1000;

	if (ms % 1000)
		snprintf(buf, TEXT_MAX, "%lldms", (long long)ms);
	else
		duration_print(&secs, buf);
	return buf;
}

static int yesno_parse(const char *s, void *target)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	for (int i = 0; yes[i]; i++)
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*(int *)target = !strcmp(s, yes[i]);
			return 0;
		}
	return -1;
}

static const char *yesno_print(const void *target, char *buf)
{
	return *(const int *)target ? "yes" : "no";
}

/* A keep list of sensor event types (irk/sensor.h): checked here, so a
 * wrong word is named with its FILE:LINE; read again where used. */
static int sensors_parse(const char *s, void *target)
{
	unsigned mask;

	if (sensor_keep_parse(s, &mask, NULL))
		return -1;
	*(const char **)target = s;
	return 0;
}

/* The word of the list that is no type (irk/sensor.h names it). */
static int sensors_why(const char *s, struct irk_err *err)
{
	unsigned mask;

	return sensor_keep_parse(s, &mask, err);
}

static const char *onoff_print(const void *target, char *buf)
{
	(void)buf;
	return *(const int *)target ? "on" : "off";
}

/* [xmpp] tls: required (verified TLS) or off (plain text, shown on the
 * status line); verify, the old word for required, is read too. */
static int tls_parse(const char *s, void *target)
{
	if (!strcmp(s, "required") || !strcmp(s, "verify"))
		*(const char **)target = "required";
	else if (!strcmp(s, "off"))
		*(const char **)target = "off";
	else
		return -1;
	return 0;
}

static const struct config_type type_text = { "text", text_parse, text_print, AS_TEXT, 0, NULL };
static const struct config_type type_secret = { "text", text_parse, text_print, AS_TEXT, 1, NULL };
static const struct config_type type_number = {
	"a whole number", number_parse, number_print, AS_INT64, 0, NULL };
static const struct config_type type_count = {
	"a whole number, 0 or more", count_parse, number_print, AS_INT64, 0, NULL };
static const struct config_type type_duration = {
	"a duration (like 90s, 15m, 1h, 2d)", duration_parse, duration_print, AS_INT64, 0, NULL };
static const struct config_type type_ms = {
	"a duration (like 250ms, 1s, 2m)", ms_parse, ms_print, AS_INT64, 0, NULL };
static const struct config_type type_sensors = { "a list of sensor event types (dns, http, "
	"tls, fileinfo, flow, ssh, smtp, anomaly)", sensors_parse, text_print, AS_TEXT, 0,
	sensors_why };
/* [sla] business_hours and zone (irk/hours.h): checked here, so a wrong
 * one is named with its FILE:LINE. */
static int hours_parse(const char *s, void *target)
{
	if (irk_hours_check(s, NULL))
		return -1;
	*(const char **)target = s;
	return 0;
}

static int zone_parse(const char *s, void *target)
{
	if (irk_zone_check(s, NULL))
		return -1;
	*(const char **)target = s;
	return 0;
}

static const struct config_type type_hours = { "days and hours, like Mon-Fri 08:00-18:00",
	hours_parse, text_print, AS_TEXT, 0, irk_hours_check };
static const struct config_type type_zone = { "a tz database zone, like Europe/Berlin",
	zone_parse, text_print, AS_TEXT, 0, irk_zone_check };
static const struct config_type type_yesno = { "yes or no", yesno_parse, yesno_print, AS_INT, 0, NULL };
static const struct config_type type_tls = { "required or off", tls_parse, text_print, AS_TEXT, 0, NULL };
/* A switch written on or off (yes and no are read too). */
static const struct config_type type_onoff = { "on or off", yesno_parse, onoff_print, AS_INT, 0, NULL };

/* ---- the table --------------------------------------------------------------- */

struct config_key {
	const char *key;       /* "section.name" */
	const struct config_type *type;
	size_t at;             /* offset of its field in struct config_settings */
	const char *def;       /* NULL: unset */
	const char *help;
};

/* The offset of field, which must be of type ctype: a row that points a
 * parser at a field of another type does not compile. */
#define AT(field, ctype) (offsetof(struct config_settings, field) + \
	0 * sizeof(char[_Generic(((struct config_settings *)0)->field, ctype: 1)]))
#define TEXT(f)     &type_text, AT(f, const char *)
#define SECRET(f)   &type_secret, AT(f, const char *)
#define NUMBER(f)   &type_number, AT(f, int64_t)
#define COUNT(f)    &type_count, AT(f, int64_t)
#define DURATION(f) &type_duration, AT(f, int64_t)
#define MILLIS(f)   &type_ms, AT(f, int64_t)
#define YESNO(f)    &type_yesno, AT(f, int)
#define SENSORS(f)  &type_sensors, AT(f, const char *)
#define ONOFF(f)    &type_onoff, AT(f, int)
#define TLS(f)      &type_tls, AT(f, const char *)
#define HOURS(f)    &type_hours, AT(f, const char *)
#define ZONE(f)     &type_zone, AT(f, const char *)

/* Every known key, each default once. Sections whose keys are free-form
 * are listed below. */
static const struct config_key keys[] = {
	{ "ingest.window", DURATION(ingest.window), "1h", "correlation window: alerts this close join one incident" },
	{ "ingest.batch", NUMBER(ingest.batch), "20000", "lines per transaction while ingesting" },
	{ "ingest.format", TEXT(ingest.format), "auto", "default input format: auto, eve, wazuh, ecs, zeek, json" },
	{ "ingest.keep", SENSORS(ingest.keep), NULL, "sensor events to keep for context: dns, http, tls, fileinfo, flow, ssh, smtp, anomaly (default: none)" },
	{ "ingest.keep_days", COUNT(ingest.keep_days), "7", "days kept sensor events are kept (irk serve and irk sensor prune delete older ones)" },
	{ "ingest.storm", ONOFF(ingest.storm), "on", "storm grouping: a rule that opens too many incidents gathers its further alerts in one" },
	{ "ingest.storm_threshold", COUNT(ingest.storm_threshold), "50", "incidents one rule may open within storm_window before its storm begins" },
	{ "ingest.storm_window", DURATION(ingest.storm_window), "10m", "the time storm_threshold counts incidents over (by event time)" },
	{ "mapping.time", TEXT(mapping.time), NULL, "generic JSON: path of the event time (ISO 8601 or epoch)" },
	{ "mapping.rule_id", TEXT(mapping.rule_id), NULL, "generic JSON: path of the rule id" },
	{ "mapping.rule_name", TEXT(mapping.rule_name), NULL, "generic JSON: path of the rule name" },
	{ "mapping.severity", TEXT(mapping.severity), NULL, "generic JSON: path of the severity (a word, a 0-10 or a 0-100 score)" },
	{ "mapping.host", TEXT(mapping.host), NULL, "generic JSON: path of the affected host" },
	{ "mapping.src_ip", TEXT(mapping.src_ip), NULL, "generic JSON: path of the source IP" },
	{ "mapping.dst_ip", TEXT(mapping.dst_ip), NULL, "generic JSON: path of the destination IP" },
	{ "mapping.user", TEXT(mapping.user), NULL, "generic JSON: path of the user name" },
	{ "mapping.category", TEXT(mapping.category), NULL, "generic JSON: path of the category" },
	{ "mapping.id", TEXT(mapping.id), NULL, "generic JSON: path of a unique record id (fingerprint)" },
	{ "sla.p1_ack", DURATION(sla.ack[1]), "15m", "P1: time from detection to acknowledgement" },
	{ "sla.p2_ack", DURATION(sla.ack[2]), "1h", "P2: time from detection to acknowledgement" },
	{ "sla.p3_ack", DURATION(sla.ack[3]), "4h", "P3: time from detection to acknowledgement" },
	{ "sla.p4_ack", DURATION(sla.ack[4]), "1d", "P4: time from detection to acknowledgement" },
	{ "sla.p1_contain", DURATION(sla.contain[1]), "4h", "P1: time from detection to containment" },
	{ "sla.p2_contain", DURATION(sla.contain[2]), "1d", "P2: time from detection to containment" },
	{ "sla.p3_contain", DURATION(sla.contain[3]), "3d", "P3: time from detection to containment" },
	{ "sla.p4_contain", DURATION(sla.contain[4]), "7d", "P4: time from detection to containment" },
	{ "sla.p1_resolve", DURATION(sla.resolve[1]), "1d", "P1: time from detection to resolution (lessons-learned or closed)" },
	{ "sla.p2_resolve", DURATION(sla.resolve[2]), "3d", "P2: time from detection to resolution (lessons-learned or closed)" },
	{ "sla.p3_resolve", DURATION(sla.resolve[3]), "7d", "P3: time from detection to resolution (lessons-learned or closed)" },
	{ "sla.p4_resolve", DURATION(sla.resolve[4]), "30d", "P4: time from detection to resolution (lessons-learned or closed)" },
	{ "sla.business_hours", HOURS(sla.business_hours), NULL, "the clocks count only these hours, like \"Mon-Fri 08:00-18:00\" (default: every hour)" },
	{ "sla.zone", ZONE(sla.zone), NULL, "the time zone of business_hours, like Europe/Berlin (default: the local time)" },
	{ "maturity.period", DURATION(maturity.period), "90d", "irk maturity weighs the incidents detected in this long before now" },
	{ "maturity.owners", NUMBER(maturity.owners), "90", "level 2: % of acknowledged incidents with an owner" },
	{ "maturity.plays_managed", NUMBER(maturity.plays_managed), "50", "level 2: % of incidents that follow a play" },
	{ "maturity.contained", NUMBER(maturity.contained), "90", "level 3: % of closed true positives that went through containment" },
	{ "maturity.forced", NUMBER(maturity.forced), "10", "level 3: at most this % of forward moves forced past a gate" },
	{ "maturity.plays", NUMBER(maturity.plays), "80", "level 3: % of incidents that follow a play" },
	{ "maturity.units", NUMBER(maturity.units), "80", "level 3: % of incidents with a business unit" },
	{ "maturity.sla", NUMBER(maturity.sla), "90", "level 4: % of SLA clocks met" },
	{ "maturity.false_positives", NUMBER(maturity.false_positives), "30", "level 4: at most this % of closed incidents false positives" },
	{ "maturity.automated", NUMBER(maturity.automated), "50", "level 4: % of incidents with a score step done by the sequencer" },
	{ "maturity.criticality", NUMBER(maturity.criticality), "50", "level 4: % of incidents whose asset criticality is known" },
	{ "maturity.root_cause", NUMBER(maturity.root_cause), "80", "level 4: % of closed true positives with a root cause" },
	{ "maturity.lessons", NUMBER(maturity.lessons), "80", "level 5: % of closed true positives that went through lessons-learned" },
	{ "maturity.play_changes", NUMBER(maturity.play_changes), "1", "level 5: plays given a new version after a true positive ran them" },
	{ "maturity.trend", NUMBER(maturity.trend), "0", "level 5: the median MTTR changed by at most this % from the period before" },
	{ "ui.theme", TEXT(ui.theme), "default", "colour theme (see irk-theme(5))" },
	{ "ui.mouse", YESNO(ui.mouse), "no", "click cards and scroll columns with the mouse" },
	{ "ui.refresh", DURATION(ui.refresh), "1s", "how often the board looks for other people's changes" },
	{ "query.time_limit", MILLIS(query.time_limit_ms), "10s", "irk query stops a query after this long and prints what it has (exit 3); 0: no limit" },
	{ "query.row_limit", COUNT(query.row_limit), "1000000", "irk query reads at most this many rows from the database (exit 3 when cut); 0: no limit" },
	{ "engine.lease", DURATION(engine.lease), "5m", "how long a claimed automated step is held before it is retried" },
	{ "engine.workers", NUMBER(engine.workers), "2", "automated steps run at once by one irk process" },
	{ "engine.poll", MILLIS(engine.poll_ms), "1s", "how often the sequencer looks for ready steps and expired leases (250ms, 1s)" },
	{ "engine.grace", MILLIS(engine.grace_ms), "5s", "a step's program gets this long after SIGTERM before SIGKILL" },
	{ "engine.path", TEXT(engine.path), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	  "PATH of the programs exec and ansible steps run (nothing else of the environment is passed)" },
	{ "engine.tmpdir", TEXT(engine.tmpdir), NULL, "where steps get their private working directory (default $TMPDIR or /tmp)" },
	{ "engine.ansible", TEXT(engine.ansible), "ansible-playbook", "the ansible-playbook program (looked up in engine.path)" },
	{ "engine.cafile", TEXT(engine.cafile), NULL, "CA bundle http steps verify servers with (default: the system's)" },
	{ "engine.proxy", TEXT(engine.proxy), NULL, "proxy http steps go through (default: none; the environment's http_proxy is ignored)" },
	{ "audit.anchor", TEXT(audit.anchor), "none", "where irk audit anchor and irk serve send the audit head: none or syslog" },
	{ "audit.interval", DURATION(audit.interval), "1h", "how often irk serve sends the audit head (with audit.anchor)" },
	{ "plays.path", TEXT(plays.path), NULL, "extra play directories, colon-separated (also $IRK_PLAYS)" },
	{ "xmpp.jid", TEXT(xmpp.jid), NULL, "XMPP account irk sends and reads chat with (irk@chat.example.org); unset: no XMPP" },
	{ "xmpp.password", SECRET(xmpp.password), NULL, "its password (the file must not be group/world readable; or $IRK_SECRET_XMPP_PASSWORD)" },
	{ "xmpp.host", TEXT(xmpp.host), NULL, "server to connect to (default: the JID's domain)" },
	{ "xmpp.port", NUMBER(xmpp.port), "5222", "its port" },
	{ "xmpp.room", TEXT(xmpp.room), NULL, "team room (XEP-0045 MUC) irk joins: room@conference.example.org" },
	{ "xmpp.nick", TEXT(xmpp.nick), "irk", "irk's nickname in the room" },
	{ "xmpp.cafile", TEXT(xmpp.cafile), NULL, "CA certificates to verify the server with (default: the system's)" },
	{ "xmpp.tls", TLS(xmpp.tls), "required", "required (verified TLS), or off (plain text; the status line says so)" },
	{ "xmpp.watch_p1", TEXT(xmpp.watch[1]), NULL, "who hears of every change of a P1 incident: users, role:ROLE, room" },
	{ "xmpp.watch_p2", TEXT(xmpp.watch[2]), NULL, "the same for P2" },
	{ "xmpp.watch_p3", TEXT(xmpp.watch[3]), NULL, "the same for P3" },
	{ "xmpp.watch_p4", TEXT(xmpp.watch[4]), NULL, "the same for P4" },
	{ "xmpp.board", YESNO(xmpp.board), "no", "a board delivers too (else only irk serve does)" },
	{ "xmpp.lease", DURATION(xmpp.lease), "15s", "how long the delivering process holds its lease (another takes over when it dies)" },
};

#define NKEYS (sizeof keys / sizeof keys[0])

/* Sections whose keys are not fixed. */
static const char *const free_sections[] = { "keys", "context", "users", "secrets", NULL };

struct entry {
	char *key, *value;
	char *where;              /* "FILE:LINE" when it came from a file */
};

struct config {
	struct config_settings set;     /* strings borrowed from entries or defaults */
	const char *shown[NKEYS];       /* each value as text, for config_get */
	char text[NKEYS][TEXT_MAX];     /* where printed numbers are */
	struct entry *extra;            /* free-form and set values, owned */
	size_t nextra, cap;
};

static void *field(const struct config *c, size_t i)
{
	return (char *)&c->set + keys[i].at;
}

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

/* The text of setting i after its field changed. */
static void settle(struct config *c, size_t i)
{
	c->shown[i] = keys[i].type->print(field(c, i), c->text[i]);
}

/* Every default parses: a row that does not is a bug, found by the first
 * test that makes a config. */
static void set_defaults(struct config *c)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].def && keys[i].type->parse(keys[i].def, field(c, i))) {
			fprintf(stderr, "irk: bug: the default of %s does not parse\n", keys[i].key);
			abort();
		}
		settle(c, i);
	}
}

struct config *config_new(void)
{
	struct config *c = xcalloc(1, sizeof *c);

	set_defaults(c);
	return c;
}

static struct config_settings defaults;
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;

static void make_defaults(void)
{
	struct config *c = config_new();

	defaults = c->set;         /* the strings are the table's */
	config_free(&c);
}

const struct config_settings *config_settings(const struct config *c)
{
	if (c)
		return &c->set;
	pthread_once(&defaults_once, make_defaults);
	return &defaults;
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

int config_set(struct config *c, const char *key, const char *value, struct irk_err *err)
{
	int i = find_key(key);
	union { int64_t n; int b; const char *s; } check;

	if (i < 0) {
		if (!is_free_section(key))
			return irk_fail(err, IRK_INVALID, "unknown setting '%s'", key);
		keep(c, key, value);
		return IRK_OK;
	}
	if (keys[i].type->parse(value, &check)) {
		struct irk_err why = { 0 };
		if (keys[i].type->why && keys[i].type->why(value, &why))
			return irk_fail(err, IRK_INVALID, "%s: %s", key, why.msg);
		return irk_fail(err, IRK_INVALID, "%s: '%s' is not %s", key, value, keys[i].type->what);
	}
	/* Parsed again from the kept copy: a string field borrows it. */
	keys[i].type->parse(keep(c, key, value), field(c, i));
	settle(c, (size_t)i);
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
		return keys[i].type->secret;
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
	if (!rc && fstat(fileno(f), &sb))
		rc = irk_fail(err, IRK_ERROR, "%s: %s", path, strerror(errno));
	if (!rc && has_secret && (sb.st_mode & 077))
		rc = irk_fail(err, IRK_REFUSED,
			      "%s holds a secret but is readable by others (mode %03o); run: chmod 600 %s",
			      path, (unsigned)(sb.st_mode & 0777), path);
	/* It names the programs steps run: nobody else may write it. */
	if (!rc)
		rc = irk_trusted_file(path, &sb, trust_group(), err);
	fclose(f);
	return rc;
}

const char *config_get(const struct config *c, const char *key)
{
	int i = find_key(key);

	if (i >= 0)
		return c->shown[i];
	/* Free-form keys: the last one set wins. */
	for (size_t j = c->nextra; j-- > 0;)
		if (!strcmp(c->extra[j].key, key))
			return c->extra[j].value;
	return NULL;
}

int64_t config_get_int(const struct config *c, const char *key, int64_t def)
{
	int i = find_key(key);
	const char *v;
	int64_t out;

	if (i >= 0 && keys[i].type->as == AS_INT)
		return *(const int *)field(c, i);
	if (i >= 0 && keys[i].type->as == AS_INT64)
		return *(const int64_t *)field(c, i);
	v = config_get(c, key);
	return v && !number_parse(v, &out) ? out : def;
}

const struct alert_mapping *config_mapping(const struct config *c)
{
	return c->set.mapping.time ? &c->set.mapping : NULL;
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
		dump_value(out, dot + 1, config_get(c, keys[i].key), keys[i].type->secret);
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
