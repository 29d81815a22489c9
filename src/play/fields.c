/* fields.c: the fields `match`, `when` and templates see (irk-play(5)
 * FIELDS), for evaluation (play_fields_lookup) and for lint
 * (play_field_check).
 *
 *   alert.F   and bare F   the alert that opened the incident: format,
 *                          rule, rule_id, rule_name, severity, host, src_ip,
 *                          dst_ip, user, category, event_time
 *   alert.raw[.PATH]       the record as received, or a dotted path in it
 *   incident.F             the incident's fields: INCIDENT_FIELDS (fields.h)
 *   asset.host             the host the incident is about: the alert's host
 *                          when it is a name; when it is an address, the
 *                          internal one of destination and source (a
 *                          Suricata alert names the far side as often as ours)
 *   asset.group, asset.criticality
 *   asset.owner, business_unit, role, site, os, tags, contact, ips
 *                          what the inventory or a context source knows
 *                          of asset.host (irk/context.h), as stored
 *   user.name, email, title, department, manager, phone
 *                          what a user source knows of the user of the
 *                          first alert, as cached
 *   tickets.count, tickets.keys
 *                          the active tickets of the ticket sources (rt,
 *                          jira) mentioning the incident, as cached
 *   changes.count, changes.planned, changes.key
 *                          the changes near its time; planned is 1 when
 *                          one covers its first event (key is that one's)
 *   score                  the confidence of the last score step that ran
 *   steps.ID.state|output[.PATH]|inputs[.NAME]|done_by|error|attempts
 *
 * One table of names serves both: lint and lookup cannot disagree about
 * what exists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/alert.h"
#include "irk/context.h"
#include "irk/ip.h"
#include "irk/jdoc.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "kind.h"
#include "play_impl.h"

/* ---- the names ------------------------------------------------------------ */

enum { AF_FORMAT, AF_RULE, AF_RULE_ID, AF_RULE_NAME, AF_SEVERITY, AF_HOST, AF_SRC_IP,
	AF_DST_IP, AF_USER, AF_CATEGORY, AF_EVENT_TIME, AF_COUNT };
static const char *const alert_names[AF_COUNT] = {
	"format", "rule", "rule_id", "rule_name", "severity", "host", "src_ip", "dst_ip",
	"user", "category", "event_time",
};

static const char *const asset_names[] = { "host", "group", "criticality", "owner",
	"business_unit", "role", "site", "os", "tags", "contact", "ips", NULL };
static const char *const ticket_names[] = { "count", "keys", NULL };
static const char *const change_names[] = { "count", "planned", "key", NULL };
static const char *const step_attrs[] = { "state", "output", "inputs", "done_by", "error",
	"attempts", NULL };

static int name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; n < 0 ? names[i] != NULL : i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* "steps.ID.rest": ID into id (bounded), the rest (may be "") into *rest. */
static int split_step(const char *name, char *id, size_t n, const char **rest)
{
	const char *p = name + 6, *dot = strchr(p, '.');
	size_t len = dot ? (size_t)(dot - p) : strlen(p);

	if (!len || len >= n)
		return -1;
	memcpy(id, p, len);
	id[len] = '\0';
	*rest = dot ? dot + 1 : "";
	return 0;
}

/* ---- the group of a host ---------------------------------------------------- */

char *play_host_group(const char *host, char *buf, size_t n)
{
	size_t len;

	if (!n)
		return buf;
	buf[0] = '\0';
	/* An address names no group: its digits are not a numbering of
	 * siblings (10.1.2.7 and 10.1.2.8 may be a printer and a domain
	 * controller), and a subnet is not a role. */
	if (!host || !*host || ip_is_address(host))
		return buf;
	irk_strlcpy(buf, host, n);
	/* web-01.corp.example: the first label, then trailing digits and
	 * separators go. */
	buf[strcspn(buf, ".")] = '\0';
	len = strlen(buf);
	while (len && buf[len - 1] >= '0' && buf[len - 1] <= '9')
		len--;
	while (len && (buf[len - 1] == '-' || buf[len - 1] == '_'))
		len--;
	if (!len)                   /* all digits: the host is its own group */
		return irk_strlcpy(buf, host, n);
	buf[len] = '\0';
	return buf;
}

/* See play.h: one rule for the internal side (ip.h) with ingest. */
const char *play_asset_host(const char *host, const char *src, const char *dst)
{
	if (host && *host && !ip_is_address(host))
		return host;
	if (ip_is_internal(dst))
		return dst;
	if (ip_is_internal(src))
		return src;
	return host && *host ? host : NULL;
}

/* ---- the lookup context --------------------------------------------------------- */

struct fstep {
	char *id, *output, *inputs, *done_by, *error;
	int state, attempts, is_score;
	struct jdoc out, in;
	int out_parsed, in_parsed;     /* 0 not yet, 1 parsed, -1 not JSON */
};

struct play_fields {
	struct store *s;
	const struct incident *inc;
	int has_alert;
	char *a[AF_COUNT];             /* copies; event_time is a number */
	int64_t event_time;
	char *raw;
	size_t raw_len;
	struct jdoc raw_doc;
	int raw_parsed;
	char key[24], group[128];
	const char *asset;             /* into a[] or the incident */
	struct context ctx;            /* of asset, read when first asked */
	int ctx_loaded;
	struct fstep *steps;
	int nsteps, steps_loaded;
	char **kept;                   /* texts handed out (JSON of objects) */
	size_t nkept, capkept;
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct play_fields *play_fields_new(struct store *s, const struct incident *inc,
				    const struct alert *a)
{
	struct play_fields *f = xcalloc(1, sizeof *f);

	f->s = s;
	f->inc = inc;
	jdoc_init(&f->raw_doc);
	if (a) {
		const char *v[AF_COUNT] = {
			a->format >= 0 && a->format < FMT_COUNT ? alert_format_name(a->format) : NULL,
			alert_rule(a), a->rule_id, a->rule_name,
			a->severity >= 0 ? severity_name(a->severity) : NULL, a->host, a->src_ip, a->dst_ip, a->user, a->category, NULL };
		f->has_alert = 1;
		for (int i = 0; i < AF_COUNT; i++)
			f->a[i] = v[i] && *v[i] ? xstrdup(v[i]) : NULL;
		f->event_time = a->event_time;
		if (a->raw) {
			f->raw = xstrndup(a->raw, a->raw_len);
			f->raw_len = a->raw_len;
		}
	}
	if (f->has_alert)
		f->asset = play_asset_host(f->a[AF_HOST], f->a[AF_SRC_IP], f->a[AF_DST_IP]);
	else if (inc)
		f->asset = play_asset_host(inc->host, inc->src_ip, NULL);
	play_host_group(f->asset, f->group, sizeof f->group);
	if (inc)
		incident_key(inc->id, f->key, sizeof f->key);
	return f;
}

void play_fields_reset_steps(struct play_fields *f)
{
	for (int i = 0; i < f->nsteps; i++) {
		struct fstep *st = &f->steps[i];
		free(st->id);
		free(st->output);
		free(st->inputs);
		free(st->done_by);
		free(st->error);
		jdoc_free(&st->out);
		jdoc_free(&st->in);
	}
	free(f->steps);
	f->steps = NULL;
	f->nsteps = 0;
	f->steps_loaded = 0;
}

void play_fields_free(struct play_fields **fp)
{
	struct play_fields *f = *fp;

	if (!f)
		return;
	play_fields_reset_steps(f);
	for (int i = 0; i < AF_COUNT; i++)
		free(f->a[i]);
	free(f->raw);
	jdoc_free(&f->raw_doc);
	context_clear(&f->ctx);
	for (size_t i = 0; i < f->nkept; i++)
		free(f->kept[i]);
	free(f->kept);
	free(f);
	*fp = NULL;
}

static int load_step(const struct step_row *r, void *arg)
{
	struct play_fields *f = arg;
	struct fstep *st;

	f->steps = xrealloc(f->steps, (size_t)(f->nsteps + 1) * sizeof *f->steps);
	st = &f->steps[f->nsteps++];
	memset(st, 0, sizeof *st);
	st->id = xstrdup(r->step_id);
	st->output = dup_or_null(r->output);
	st->inputs = dup_or_null(r->inputs);
	st->done_by = dup_or_null(r->done_by);
	st->error = dup_or_null(r->error);
	st->state = r->state;
	st->attempts = r->attempts;
	st->is_score = play_kind_gives(step_kind_parse(r->kind), "score");
	jdoc_init(&st->out);
	jdoc_init(&st->in);
	return 0;
}

void play_fields_use_steps(struct play_fields *f, const struct step_row *v, int n)
{
	play_fields_reset_steps(f);
	for (int i = 0; i < n; i++)
		load_step(&v[i], f);
	f->steps_loaded = 1;
}

static void steps_load(struct play_fields *f)
{
	if (f->steps_loaded)
		return;
	f->steps_loaded = 1;
	if (f->s && f->inc)
		store_step_each(f->s, f->inc->id, load_step, f, NULL);
}

static struct fstep *step_find(struct play_fields *f, const char *id)
{
	steps_load(f);
	for (int i = 0; i < f->nsteps; i++)
		if (!strcmp(f->steps[i].id, id))
			return &f->steps[i];
	return NULL;
}

/* Parse text into d once; nonzero when it is not JSON. */
static int parse_once(struct jdoc *d, int *state, const char *text, size_t n)
{
	struct jdoc_error je;

	if (!*state)
		*state = text && !jdoc_parse(d, text, n, &je) ? 1 : -1;
	return *state < 0;
}

static const char *keep(struct play_fields *f, char *s)
{
	if (f->nkept == f->capkept) {
		f->capkept = f->capkept ? 2 * f->capkept : 4;
		f->kept = xrealloc(f->kept, f->capkept * sizeof *f->kept);
	}
	return f->kept[f->nkept++] = s;
}

/* The value at token tok of d: scalars as they are, null as null, an
 * array or object as its compact JSON text. */
static int json_value(struct play_fields *f, const struct jdoc *d, int tok,
		      struct expr_value *out)
{
	double n;

	switch (jdoc_type(d, tok)) {
	case JD_STRING:
		expr_value_set_str(out, jdoc_str(d, tok));
		return 0;
	case JD_NUMBER:
		if (jdoc_double(d, tok, &n))
			return 1;
		expr_value_set_num(out, n);
		return 0;
	case JD_TRUE:
	case JD_FALSE:
		expr_value_set_bool(out, jdoc_type(d, tok) == JD_TRUE);
		return 0;
	case JD_NULL:
		out->type = EXPR_NULL;
		return 0;
	case JD_ARRAY:
	case JD_OBJECT: {
		struct strbuf sb = STRBUF_INIT;
		jdoc_canonical(d, tok, &sb);
		expr_value_set_str(out, keep(f, strbuf_detach(&sb)));
		return 0;
	}
	}
	return 1;
}

/* path ("" for the whole document) in d. */
static int json_lookup(struct play_fields *f, const struct jdoc *d, const char *path,
		       struct expr_value *out)
{
	int tok = *path ? jdoc_path(d, 0, path) : 0;

	return tok < 0 ? 1 : json_value(f, d, tok, out);
}

static int set_str(struct expr_value *out, const char *s)
{
	if (!s || !*s)
		return 1;
	expr_value_set_str(out, s);
	return 0;
}

static int alert_lookup(struct play_fields *f, int i, struct expr_value *out)
{
	const struct incident *inc = f->inc;

	if (!f->has_alert) {
		/* No stored alert: the incident keeps the correlation keys. */
		if (!inc)
			return 1;
		switch (i) {
		case AF_RULE: return set_str(out, inc->rule);
		case AF_HOST: return set_str(out, inc->host);
		case AF_SRC_IP: return set_str(out, inc->src_ip);
		case AF_SEVERITY: return set_str(out, severity_name(inc->severity));
		case AF_CATEGORY: return set_str(out, inc->category);
		case AF_EVENT_TIME:
			if (!inc->t_first_event)
				return 1;
			expr_value_set_num(out, (double)inc->t_first_event);
			return 0;
		}
		return 1;
	}
	if (i == AF_EVENT_TIME) {
		expr_value_set_num(out, (double)f->event_time);
		return 0;
	}
	return set_str(out, f->a[i]);
}

static int num(struct expr_value *out, double n)
{
	expr_value_set_num(out, n);
	return 0;
}

/* The context of asset.host and of the incident (its tickets), from the
 * store, once. */
static void context_load(struct play_fields *f)
{
	struct incident key = { 0 };

	if (f->ctx_loaded)
		return;
	f->ctx_loaded = 1;
	key.host = (char *)f->asset;
	if (f->inc) {
		key.id = f->inc->id;
		key.t_first_event = f->inc->t_first_event;
		key.t_detected = f->inc->t_detected;
	}
	if (f->s && (f->asset || f->inc))
		context_of(f->s, NULL, &key, &f->ctx, NULL);
	/* At ingest the alert may not be stored with its incident yet. */
	if (f->s && !f->ctx.has_user && f->a[AF_USER])
		context_user_of(f->s, NULL, f->a[AF_USER], &f->ctx, NULL);
}

/* user.NAME (see the top). */
static int user_lookup(struct play_fields *f, const char *name, struct expr_value *out)
{
	int i = context_user_field_find(name);

	context_load(f);
	if (i < 0 || !f->ctx.has_user)
		return 1;
	return set_str(out, context_user_get(&f->ctx.user, i));
}

/* tickets.NAME and changes.NAME (see the top). */
static int tickets_lookup(struct play_fields *f, const char *name, struct expr_value *out)
{
	context_load(f);
	if (!strcmp(name, "tickets.count"))
		return num(out, f->ctx.ntickets);
	if (!strcmp(name, "changes.count"))
		return num(out, f->ctx.nchanges);
	if (!strcmp(name, "changes.planned"))
		return num(out, f->ctx.planned);
	if (!strcmp(name, "changes.key"))
		return f->ctx.planned ? set_str(out, f->ctx.changes[0].key) : 1;
	if (!strcmp(name, "tickets.keys")) {
		struct strbuf sb = STRBUF_INIT;
		for (int i = 0; i < f->ctx.ntickets; i++)
			strbuf_printf(&sb, "%s%s", i ? " " : "", f->ctx.tickets[i].key);
		/* Handed out until the fields are freed. */
		return set_str(out, keep(f, strbuf_detach(&sb)));
	}
	return 1;
}

/* asset.NAME from what the inventory or a source said of asset.host
 * (the store only: never a request). The incident's own criticality
 * comes first (a person may have set it); 0 is unknown: missing. */
static int asset_lookup(struct play_fields *f, const char *name, struct expr_value *out)
{
	const struct asset_field *af;

	context_load(f);
	if (!f->ctx.has_asset)
		return 1;
	for (af = asset_fields; af->name && strcmp(af->name, name); af++)
		;
	if (!af->name)
		return 1;
	if (af->is_int) {
		int v = *(const int *)((const char *)&f->ctx.asset + af->off);
		return v ? num(out, v) : 1;
	}
	return set_str(out, *(char *const *)((const char *)&f->ctx.asset + af->off));
}

/* incident.NAME: a field of the one table (fields.h). */
static int incident_lookup(struct play_fields *f, const struct field_def *fd,
			   struct expr_value *out)
{
	char key[24];

	if (!f->inc || !fd)
		return 1;
	if (fd->kind == FK_KEY)
		return set_str(out, f->key);
	return incident_field_value(f->inc, fd, key, sizeof key, out);
}

static int step_lookup(struct play_fields *f, const char *name, struct expr_value *out)
{
	char id[64];
	const char *rest;
	struct fstep *st;

	if (split_step(name, id, sizeof id, &rest) || !(st = step_find(f, id)))
		return 1;
	if (!strcmp(rest, "state"))
		return set_str(out, step_state_name(st->state));
	if (!strcmp(rest, "done_by"))
		return set_str(out, st->done_by);
	if (!strcmp(rest, "error"))
		return set_str(out, st->error);
	if (!strcmp(rest, "attempts"))
		return num(out, st->attempts);
	if (!strncmp(rest, "output", 6) && (rest[6] == '\0' || rest[6] == '.')) {
		if (parse_once(&st->out, &st->out_parsed, st->output,
			       st->output ? strlen(st->output) : 0))
			return 1;
		return json_lookup(f, &st->out, rest[6] ? rest + 7 : "", out);
	}
	if (!strncmp(rest, "inputs", 6) && (rest[6] == '\0' || rest[6] == '.')) {
		if (parse_once(&st->in, &st->in_parsed, st->inputs,
			       st->inputs ? strlen(st->inputs) : 0))
			return 1;
		return json_lookup(f, &st->in, rest[6] ? rest + 7 : "", out);
	}
	return 1;
}

/* score: the confidence the last finished score step computed. */
static int score_lookup(struct play_fields *f, struct expr_value *out)
{
	steps_load(f);
	for (int i = f->nsteps - 1; i >= 0; i--) {
		struct fstep *st = &f->steps[i];
		if (!st->is_score || st->state != STEP_DONE)
			continue;
		if (parse_once(&st->out, &st->out_parsed, st->output,
			       st->output ? strlen(st->output) : 0))
			return 1;
		return json_lookup(f, &st->out, "score", out);
	}
	return 1;
}

int play_fields_lookup(void *fields, const char *name, struct expr_value *out)
{
	struct play_fields *f = fields;
	int i;

	if (!strncmp(name, "alert.", 6)) {
		const char *rest = name + 6;
		if (!strncmp(rest, "raw", 3) && (rest[3] == '\0' || rest[3] == '.')) {
			if (!f->raw)
				return 1;
			if (!rest[3])
				return set_str(out, f->raw);
			if (parse_once(&f->raw_doc, &f->raw_parsed, f->raw, f->raw_len))
				return 1;
			return json_lookup(f, &f->raw_doc, rest + 4, out);
		}
		return (i = name_index(alert_names, AF_COUNT, rest)) < 0 ? 1 : alert_lookup(f, i, out);
	}
	if ((i = name_index(alert_names, AF_COUNT, name)) >= 0)
		return alert_lookup(f, i, out);
	if (!strncmp(name, "incident.", 9))
		return incident_lookup(f, incident_field_lookup(name + 9, NULL), out);
	if (!strcmp(name, "asset.host"))
		return set_str(out, f->asset);
	if (!strcmp(name, "asset.group"))
		return set_str(out, f->group);
	if (!strcmp(name, "asset.criticality") && f->inc && f->inc->asset_criticality)
		return num(out, f->inc->asset_criticality);
	if (!strncmp(name, "asset.", 6))
		return asset_lookup(f, name + 6, out);
	if (!strncmp(name, "tickets.", 8) || !strncmp(name, "changes.", 8))
		return tickets_lookup(f, name, out);
	if (!strncmp(name, "user.", 5))
		return user_lookup(f, name + 5, out);
	if (!strcmp(name, "score"))
		return score_lookup(f, out);
	if (!strncmp(name, "steps.", 6))
		return step_lookup(f, name, out);
	return 1;
}

/* ---- lint ------------------------------------------------------------------------ */

void play_guess_list(struct guess *g, const char *const *list)
{
	for (; list && *list; list++)
		guess_consider(g, "", *list);
}

static const char *unknown(const char *name, char *buf, size_t n)
{
	struct guess g;

	guess_init(&g, name);
	for (int i = 0; i < AF_COUNT; i++) {
		guess_consider(&g, "", alert_names[i]);
		guess_consider(&g, "alert.", alert_names[i]);
	}
	guess_consider(&g, "", "alert.raw");
	for (const struct field_def *fd = incident_fields; fd->name; fd++)
		guess_consider(&g, "incident.", fd->name);
	for (int i = 0; asset_names[i]; i++)
		guess_consider(&g, "asset.", asset_names[i]);
	for (int i = 0; ticket_names[i]; i++)
		guess_consider(&g, "tickets.", ticket_names[i]);
	for (int i = 0; context_user_fields[i]; i++)
		guess_consider(&g, "user.", context_user_fields[i]);
	for (int i = 0; change_names[i]; i++)
		guess_consider(&g, "changes.", change_names[i]);
	guess_consider(&g, "", "score");
	if (guess_best(&g))
		snprintf(buf, n, "unknown field '%s' (did you mean '%s'?)", name, g.best);
	else
		snprintf(buf, n, "unknown field '%s' (see FIELDS in irk-play(5))", name);
	return buf;
}

/* The declared inputs of step j, via its definition. */
static const char *check_input(const struct play *p, int j, const char *in, char *buf, size_t n)
{
	struct step_def d;
	const char *why = NULL;

	step_def_parse(&d, p->steps[j].def);
	if (p->steps[j].kind < 0) {
		;          /* its kind is unknown: that is the error to report */
	} else if (!step_kind_has(p->steps[j].kind, STEP_KIND_INPUTS)) {
		snprintf(buf, n, "steps.%s.inputs: %s step records no inputs (only manual steps do)",
			 p->steps[j].id, step_kind_an(p->steps[j].kind));
		why = buf;
	} else if (*in) {
		if (!play_inputs_find(&d.in, in)) {
			struct strbuf names = STRBUF_INIT;
			for (int k = 0; k < d.in.n; k++)
				strbuf_printf(&names, "%s%s", k ? ", " : "", d.in.v[k].name);
			snprintf(buf, n, "steps.%s.inputs.%s: step %s has no input '%s' (%s)",
				 p->steps[j].id, in, p->steps[j].id, in,
				 names.len ? strbuf_str(&names) : "it declares none");
			strbuf_free(&names);
			why = buf;
		}
	}
	step_def_free(&d);
	return why;
}

static const char *check_step_field(const struct play *p, int at, const char *name,
				    char *buf, size_t n)
{
	char id[64];
	const char *rest;
	int j;

	if (split_step(name, id, sizeof id, &rest) || !*rest) {
		snprintf(buf, n, "'%s': write steps.ID.output.FIELD, steps.ID.state, "
			 "steps.ID.inputs.NAME...", name);
		return buf;
	}
	if (at < 0) {
		snprintf(buf, n, "'%s': the match is decided before any step runs", name);
		return buf;
	}
	if ((j = play_step_index(p, id)) < 0) {
		snprintf(buf, n, "unknown field '%s': no step '%s' in this play", name, id);
		return buf;
	}
	if (j >= at) {
		snprintf(buf, n, "'%s': step %s %s; a step can only read steps listed before it",
			 name, id, j == at ? "is this step" : "comes later");
		return buf;
	}
	char attr[16];
	size_t al = strcspn(rest, ".");
	if (al >= sizeof attr || (memcpy(attr, rest, al), attr[al] = '\0',
				  name_index(step_attrs, -1, attr) < 0)) {
		snprintf(buf, n, "unknown field '%s': a step has state, output, inputs, done_by, "
			 "error and attempts", name);
		return buf;
	}
	if (rest[al] && strcmp(attr, "output") && strcmp(attr, "inputs")) {
		snprintf(buf, n, "unknown field '%s': steps.%s.%s has no parts", name, id, attr);
		return buf;
	}
	if (!strcmp(attr, "inputs"))
		return check_input(p, j, rest[al] ? rest + al + 1 : "", buf, n);
	return NULL;
}

const char *play_field_check(const struct play *p, int at, const char *name, char *buf,
			     size_t n)
{
	const char *rest;

	if (!strncmp(name, "alert.", 6)) {
		rest = name + 6;
		if (!strncmp(rest, "raw", 3) && (rest[3] == '\0' || (rest[3] == '.' && rest[4])))
			return NULL;
		return name_index(alert_names, AF_COUNT, rest) >= 0 ? NULL : unknown(name, buf, n);
	}
	if (name_index(alert_names, AF_COUNT, name) >= 0)
		return NULL;
	if (!strncmp(name, "incident.", 9))
		return incident_field_lookup(name + 9, NULL) ? NULL : unknown(name, buf, n);
	if (!strncmp(name, "asset.", 6))
		return name_index(asset_names, -1, name + 6) >= 0 ? NULL : unknown(name, buf, n);
	if (!strncmp(name, "tickets.", 8))
		return name_index(ticket_names, -1, name + 8) >= 0 ? NULL : unknown(name, buf, n);
	if (!strncmp(name, "user.", 5))
		return context_user_field_find(name + 5) >= 0 ? NULL : unknown(name, buf, n);
	if (!strncmp(name, "changes.", 8))
		return name_index(change_names, -1, name + 8) >= 0 ? NULL : unknown(name, buf, n);
	if (!strcmp(name, "score")) {
		/* A step of unknown kind may be the score step misspelt. */
		for (int j = 0; j < at && j < p->nsteps; j++)
			if (play_kind_gives(p->steps[j].kind, "score") || p->steps[j].kind < 0)
				return NULL;
		snprintf(buf, n, at < 0 ? "'score' is computed by a score step: the match "
			 "cannot use it" : "'score' needs a score step listed before this step");
		return buf;
	}
	if (!strncmp(name, "steps.", 6))
		return check_step_field(p, at, name, buf, n);
	return unknown(name, buf, n);
}
