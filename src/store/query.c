/* query.c: the one statement of a query (store.h, "the query engine's
 * statement"). The plan names fields by number and carries its values;
 * this file writes the SQL from the fixed fragments below and binds every
 * value, JSON paths included, as a parameter. */
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "irk/expr.h"
#include "irk/fields.h"

/* One field of a source: its name, type and the SQL that reads it. */
struct src_field {
	struct sq_field pub;
	const char *sql;        /* a fixed fragment over the source's table */
	const char *jprefix;    /* SQT_JSON: the path inside sql the field starts at */
};

struct source {
	const char *name;
	const char *from;
	const struct src_field *fields;
	int defaults[10];
};

#define F(name, type, sql, help) { { name, type, help }, sql, NULL }
#define FJ(name, sql, prefix, help) { { name, SQT_JSON, help }, sql, prefix }
#define FEND { { NULL, 0, NULL }, NULL, NULL }

static const struct src_field alert_fields[] = {
	F("_time", SQT_TIME, "event_time", "the alert's event time"),
	F("id", SQT_NUM, "id", "the alert's number"),
	F("time", SQT_TIME, "event_time", "the alert's event time"),
	F("received", SQT_TIME, "received", "when irk read it"),
	F("format", SQT_TEXT, "format", "eve, wazuh, ecs, zeek, json"),
	F("rule", SQT_TEXT, "rule_name", "the rule's name"),
	F("rule_name", SQT_TEXT, "rule_name", "the rule's name"),
	F("rule_id", SQT_TEXT, "rule_id", "the rule's id"),
	F("severity", SQT_SEV, "severity", "low, medium, high or critical"),
	F("host", SQT_TEXT, "host", "the host it names"),
	F("src_ip", SQT_TEXT, "src_ip", "source address"),
	F("dst_ip", SQT_TEXT, "dst_ip", "destination address"),
	F("user", SQT_TEXT, "user_name", "the user it names"),
	F("category", SQT_TEXT, "category", "its category"),
	F("incident", SQT_NUM, "incident_id", "the number of its incident"),
	F("key", SQT_TEXT, "('IR-' || incident_id)", "its incident's key"),
	FJ("raw", "raw", NULL, "the record as read (JSON: raw.alert.signature_id)"),
	FEND,
};

static const struct src_field step_fields[] = {
	F("_time", SQT_TIME, "coalesce(t_end, t_start)", "when it ended, else started"),
	F("id", SQT_NUM, "id", "the step row's number"),
	F("incident", SQT_NUM, "incident_id", "its incident's number"),
	F("key", SQT_TEXT, "('IR-' || incident_id)", "its incident's key"),
	F("play", SQT_TEXT, "(SELECT i.play FROM incidents i WHERE i.id = steps.incident_id)",
	  "the play of its incident"),
	F("step", SQT_TEXT, "step_id", "the step's id in its play"),
	F("seq", SQT_NUM, "seq", "its place in the play"),
	F("kind", SQT_TEXT, "kind", "manual, approval, exec, ansible, http, notify, score, set"),
	F("stage", SQT_TEXT, "stage", "the stage it belongs to"),
	F("title", SQT_TEXT, "title", "its title"),
	F("state", SQT_TEXT, "state", "pending, ready, running, waiting, done, failed, skipped"),
	F("required", SQT_FLAG, "required", "true when the stage needs it"),
	F("assignee", SQT_TEXT, "assignee", "who it waits for"),
	F("attempts", SQT_NUM, "attempts", "runs so far"),
	F("start", SQT_TIME, "t_start", "when it started"),
	F("end", SQT_TIME, "t_end", "when it ended"),
	F("error", SQT_TEXT, "error", "why it failed"),
	F("done_by", SQT_TEXT, "done_by", "who finished it"),
	FJ("output", "output", NULL, "its output (JSON: output.body.x)"),
	FJ("inputs", "inputs", NULL, "inputs recorded by a person (JSON)"),
	FJ("def", STEP_DEF, NULL, "its definition from the play (JSON)"),
	/* An ansible step's log records the vars it ran with, rendered. */
	FJ("vars", "coalesce(CASE WHEN json_valid(log) THEN json_extract(log, '$.vars') END, "
	   "json_extract(" STEP_DEF ", '$.vars'))",
	   NULL, "the vars an ansible step ran with (its log), else its play's (JSON: vars.factor)"),
	FEND,
};

static const struct src_field event_fields[] = {
	F("_time", SQT_TIME, "at", "when it happened"),
	F("seq", SQT_NUM, "seq", "its place in the audit log"),
	F("at", SQT_TIME, "at", "when it happened"),
	F("actor", SQT_TEXT, "actor", "who did it"),
	F("uid", SQT_NUM, "uid", "the real uid of the process"),
	F("incident", SQT_NUM, "incident_id", "the incident's number"),
	F("key", SQT_TEXT, "('IR-' || incident_id)", "the incident's key"),
	F("kind", SQT_TEXT, "kind", "incident.move, step.done..."),
	FJ("data", "data", NULL, "what changed (JSON: data.to)"),
	FEND,
};

static const struct src_field stage_fields[] = {
	F("_time", SQT_TIME, "at", "when it moved"),
	F("id", SQT_NUM, "id", "the move's number"),
	F("incident", SQT_NUM, "incident_id", "the incident's number"),
	F("key", SQT_TEXT, "('IR-' || incident_id)", "the incident's key"),
	F("from", SQT_TEXT, "from_stage", "the stage it left"),
	F("to", SQT_TEXT, "to_stage", "the stage it entered"),
	F("at", SQT_TIME, "at", "when it moved"),
	F("actor", SQT_TEXT, "actor", "who moved it"),
	F("reason", SQT_TEXT, "reason", "why"),
	F("forced", SQT_FLAG, "forced", "true when forced past a gate"),
	FEND,
};

static const struct src_field observable_fields[] = {
	F("_time", SQT_TIME, "at", "when it was found"),
	F("id", SQT_NUM, "id", "its number"),
	F("incident", SQT_NUM, "incident_id", "the incident's number"),
	F("key", SQT_TEXT, "('IR-' || incident_id)", "the incident's key"),
	F("type", SQT_TEXT, "type", "ip, domain, url, hash, host, user, email, process"),
	F("value", SQT_TEXT, "value", "the value"),
	F("source", SQT_TEXT, "source", "what produced it: alert, step, lookup"),
	F("ref", SQT_NUM, "ref", "the alert or step that produced it"),
	F("at", SQT_TIME, "at", "when it was found"),
	FEND,
};

/* The incidents' fields come from the one field table (fields.h). */
static struct src_field incident_src[64];
static pthread_once_t incident_once = PTHREAD_ONCE_INIT;

static int incident_type(int kind)
{
	switch (kind) {
	case FK_SEVERITY: return SQT_SEV;
	case FK_TIME: return SQT_TIME;
	case FK_FLAG: return SQT_FLAG;
	case FK_ID: case FK_PRIORITY: case FK_CONFIDENCE: case FK_CRITICALITY:
	case FK_INT: case FK_VERSION: return SQT_NUM;
	}
	return SQT_TEXT;
}

static void incident_setup(void)
{
	int n = 0;

	incident_src[n++] = (struct src_field)F("_time", SQT_TIME, "t_detected", "when irk opened it");
	for (const struct field_def *f = incident_fields; f->name && n < 62; f++) {
		struct src_field *o = &incident_src[n++];

		o->pub.name = f->name;
		o->pub.type = incident_type(f->kind);
		o->pub.help = f->help;
		o->sql = f->column ? f->column : "('IR-' || id)";
	}
	incident_src[n] = (struct src_field)FEND;
}

static struct source sources[SQ_NSOURCES] = {
	[SQ_ALERTS] = { "alerts", "alerts", alert_fields, { 1, 2, 5, 8, 9, 10, 15, -1 } },
	[SQ_INCIDENTS] = { "incidents", "incidents", incident_src, { 1, -1 } },
	[SQ_STEPS] = { "steps", "steps", step_fields, { 3, 5, 7, 8, 10, 9, -1 } },
	[SQ_EVENTS] = { "events", "events", event_fields, { 1, 2, 3, 7, 6, -1 } },
	[SQ_STAGES] = { "stages", "stage_history", stage_fields, { 3, 4, 5, 6, 7, -1 } },
	[SQ_OBSERVABLES] = { "observables", "observables", observable_fields, { 3, 4, 5, 6, -1 } },
};

/* The public rows of each source (store_query_fields()). */
static struct sq_field pub_fields[SQ_NSOURCES][64];

static void sources_setup(void)
{
	pthread_once(&incident_once, incident_setup);
	for (int s = 0; s < SQ_NSOURCES; s++)
		for (int i = 0; sources[s].fields[i].pub.name && i < 63; i++)
			pub_fields[s][i] = sources[s].fields[i].pub;
	/* key stage severity priority owner title: by name, from the table. */
	if (sources[SQ_INCIDENTS].defaults[1] == -1) {
		static const char *const want[] = { "key", "stage", "severity", "priority", "owner",
			"title" };
		int n = 0;

		for (size_t w = 0; w < sizeof want / sizeof want[0]; w++)
			for (int i = 0; incident_src[i].pub.name; i++)
				if (!strcmp(incident_src[i].pub.name, want[w]))
					sources[SQ_INCIDENTS].defaults[n++] = i;
		sources[SQ_INCIDENTS].defaults[n] = -1;
	}
}

static pthread_once_t sources_once = PTHREAD_ONCE_INIT;

int store_query_source(const char *name)
{
	for (int i = 0; i < SQ_NSOURCES; i++)
		if (name && !strcmp(sources[i].name, name))
			return i;
	return -1;
}

const char *store_query_source_name(int src)
{
	return src >= 0 && src < SQ_NSOURCES ? sources[src].name : NULL;
}

static const struct src_field *src_fields(int src)
{
	pthread_once(&sources_once, sources_setup);
	return sources[src].fields;
}

const struct sq_field *store_query_fields(int src)
{
	if (src < 0 || src >= SQ_NSOURCES)
		return NULL;
	pthread_once(&sources_once, sources_setup);
	return pub_fields[src];
}

const int *store_query_default_fields(int src)
{
	pthread_once(&sources_once, sources_setup);
	return sources[src].defaults;
}

/* ---- regexes: irk_regexp(pattern, icase, value) ---- */

static void re_free(void *p)
{
	regfree(p);
	free(p);
}

/* 1 when value matches the POSIX ERE pattern, 0 when not or missing.
 * Patterns come checked by the expression parser (expr.h REGEX); the
 * compiled form is kept per statement. */
static void sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	regex_t *re = sqlite3_get_auxdata(ctx, 0);
	const char *v;

	(void)argc;
	if (!re) {
		const char *pat = (const char *)sqlite3_value_text(argv[0]);
		int flags = REG_EXTENDED | REG_NOSUB;

		if (!pat) {
			sqlite3_result_error(ctx, "no pattern", -1);
			return;
		}
		if (sqlite3_value_int(argv[1]))
			flags |= REG_ICASE;
		re = xmalloc(sizeof *re);
		if (regcomp(re, pat, flags)) {
			free(re);
			sqlite3_result_error(ctx, "bad regex", -1);
			return;
		}
		sqlite3_set_auxdata(ctx, 0, re, re_free);
		re = sqlite3_get_auxdata(ctx, 0);
		if (!re) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	v = sqlite3_value_type(argv[2]) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(argv[2]);
	sqlite3_result_int(ctx, v && regexec(re, v, 0, NULL, 0) == 0);
}

/* irk_num(X): X when it is a number; a text that is a number as
 * expr.h reads one ([+-]digits[.digits]) as that number; else NULL. */
static void sql_num(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *p;
	double v = 0, div = 1;
	int neg = 0;

	(void)argc;
	switch (sqlite3_value_type(argv[0])) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		sqlite3_result_value(ctx, argv[0]);
		return;
	case SQLITE_TEXT:
		break;
	default:
		sqlite3_result_null(ctx);
		return;
	}
	/* Read by hand as expr.h does: the locale's decimal point is not '.'
	 * everywhere. */
	p = sqlite3_value_text(argv[0]);
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		goto none;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			goto none;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			div *= 10;
		}
	}
	if (*p)
		goto none;
	sqlite3_result_double(ctx, neg ? -(v / div) : v / div);
	return;
none:
	sqlite3_result_null(ctx);
}

/* ---- writing the statement ---- */

struct binds {
	struct {
		int is_num;
		double num;
		const char *str;
		char *own;
	} v[512];
	int n;
};

static int bind_add(struct binds *b, int is_num, double num, const char *str, char *own)
{
	if (b->n == (int)(sizeof b->v / sizeof b->v[0])) {
		free(own);
		return -1;
	}
	b->v[b->n].is_num = is_num;
	b->v[b->n].num = num;
	b->v[b->n].str = own ? own : str;
	b->v[b->n].own = own;
	return ++b->n;
}

/* "$.\"a\".\"b\"" for prefix and the dotted path; NULL when a segment
 * holds anything but letters, digits, '_' or '-'. */
static char *json_path(const char *prefix, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *parts[2] = { prefix, path };

	strbuf_addc(&sb, '$');
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k];

		if (!p)
			continue;
		while (*p) {
			size_t n = strcspn(p, ".");

			if (!n) {
				strbuf_free(&sb);
				return NULL;
			}
			strbuf_puts(&sb, ".\"");
			for (size_t i = 0; i < n; i++) {
				char c = p[i];

				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				      (c >= '0' && c <= '9') || c == '_' || c == '-')) {
					strbuf_free(&sb);
					return NULL;
				}
				strbuf_addc(&sb, c);
			}
			strbuf_addc(&sb, '"');
			p += n;
			if (*p == '.')
				p++;
		}
	}
	return strbuf_detach(&sb);
}

struct writer {
	const struct src_field *fields;
	int nfields;
	struct strbuf sql;
	struct binds b;
	int bad;
	struct irk_err *err;
};

static void col_sql(struct writer *w, const struct sq_col *c)
{
	const struct src_field *f;

	if (c->field < 0 || c->field >= w->nfields) {
		w->bad = 1;
		return;
	}
	f = &w->fields[c->field];
	if (f->pub.type == SQT_JSON && (c->path || f->jprefix)) {
		char *p = json_path(f->jprefix, c->path);
		int i;

		if (!p || (i = bind_add(&w->b, 0, 0, NULL, p)) < 0) {
			w->bad = 1;
			return;
		}
		strbuf_printf(&w->sql, "json_extract(%s, ?%d)", f->sql, i);
		return;
	}
	if (c->path) {
		w->bad = 1;     /* a path into a field that is not JSON */
		return;
	}
	strbuf_puts(&w->sql, f->sql);
}

static const char *const op_sql[] = { " = ", " <> ", " < ", " <= ", " > ", " >= " };

static int lit_bind(struct writer *w, const struct sq_cond *c)
{
	int i = c->is_num ? bind_add(&w->b, 1, c->num, NULL, NULL)
			  : bind_add(&w->b, 0, 0, c->str ? c->str : "", NULL);
	if (i < 0)
		w->bad = 1;
	return i;
}

/* lhs op ?N, where `<>` also holds for a missing lhs (expr.h: `!=` with a
 * missing field is true). */
static void cmp_sql(struct writer *w, const char *pre, const struct sq_cond *c, const char *post)
{
	int i = lit_bind(w, c);

	if (c->op < 0 || c->op > SQ_GE) {
		w->bad = 1;
		return;
	}
	if (c->op == SQ_NE) {
		strbuf_printf(&w->sql, "(%s", pre);
		col_sql(w, &c->col);
		strbuf_printf(&w->sql, "%s IS NULL OR ", post);
	}
	strbuf_puts(&w->sql, pre);
	col_sql(w, &c->col);
	strbuf_printf(&w->sql, "%s%s?%d", post, op_sql[c->op], i);
	if (c->op == SQ_NE)
		strbuf_addc(&w->sql, ')');
}

/* c is value == "text" over the observables. */
static int observable_value(const struct writer *w, const struct sq_cond *c)
{
	return w->fields == observable_fields && c->op == SQ_EQ && !c->as_num && !c->is_num &&
	       c->col.field >= 0 && c->col.field < w->nfields && !c->col.path &&
	       !strcmp(w->fields[c->col.field].pub.name, "value");
}

static void cond_sql(struct writer *w, const struct sq_cond *c, int depth)
{
	if (depth > 200) {
		w->bad = 1;
		return;
	}
	switch (c->kind) {
	case SQC_AND:
	case SQC_OR:
		strbuf_addc(&w->sql, '(');
		for (int i = 0; i < c->nkids; i++) {
			if (i)
				strbuf_puts(&w->sql, c->kind == SQC_AND ? " AND " : " OR ");
			cond_sql(w, &c->kids[i], depth + 1);
		}
		if (!c->nkids)
			strbuf_puts(&w->sql, c->kind == SQC_AND ? "1" : "0");
		strbuf_addc(&w->sql, ')');
		return;
	case SQC_NOT:
		if (c->nkids != 1) {
			w->bad = 1;
			return;
		}
		strbuf_puts(&w->sql, "NOT coalesce(");
		cond_sql(w, &c->kids[0], depth + 1);
		strbuf_puts(&w->sql, ", 0)");
		return;
	case SQC_CMP:
		if (observable_value(w, c)) {
			/* Through the value index, which leaves out the storms'
			 * hosts (migration 18): those through the storms' own
			 * index and the observables' unique key, as
			 * ST_INCIDENT_OBSERVED does. */
			int i = lit_bind(w, c);

			strbuf_printf(&w->sql, "((value = ?%d AND source <> 'storm') OR (value = ?%d AND "
				      "type = 'host' AND source = 'storm' AND incident_id IN (SELECT id "
				      "FROM incidents WHERE storm = 1)))", i, i);
			return;
		}
		if (c->as_num)
			cmp_sql(w, "irk_num(", c, ")");
		else
			cmp_sql(w, "", c, "");
		return;
	case SQC_RANK:
		cmp_sql(w, "(CASE lower(", c, ") WHEN 'low' THEN 0 WHEN 'medium' THEN 1 "
			"WHEN 'high' THEN 2 WHEN 'critical' THEN 3 END)");
		return;
	case SQC_MATCH: {
		int i = lit_bind(w, c);

		strbuf_printf(&w->sql, "%sirk_regexp(?%d, %d, ", c->op ? "NOT " : "", i, c->icase ? 1 : 0);
		col_sql(w, &c->col);
		strbuf_addc(&w->sql, ')');
		return;
	}
	case SQC_NULL: {
		int text = c->col.field >= 0 && c->col.field < w->nfields &&
			   w->fields[c->col.field].pub.type == SQT_TEXT;

		strbuf_puts(&w->sql, c->op ? "(" : "(");
		col_sql(w, &c->col);
		strbuf_puts(&w->sql, c->op ? " IS NOT NULL" : " IS NULL");
		if (text) {
			strbuf_puts(&w->sql, c->op ? " AND " : " OR ");
			col_sql(w, &c->col);
			strbuf_puts(&w->sql, c->op ? " <> ''" : " = ''");
		}
		strbuf_addc(&w->sql, ')');
		return;
	}
	case SQC_TIME: {
		int i = lit_bind(w, c);

		strbuf_addc(&w->sql, '(');
		strbuf_puts(&w->sql, w->fields[0].sql);
		strbuf_printf(&w->sql, "%s?%d)", c->op == SQ_LT ? " < " : " >= ", i);
		return;
	}
	}
	w->bad = 1;
}

static void out_sql(struct writer *w, const struct sq_out *o)
{
	static const char *const fn[] = { [SQA_COUNT] = "count", [SQA_DC] = "count",
		[SQA_SUM] = "sum", [SQA_AVG] = "avg", [SQA_MIN] = "min", [SQA_MAX] = "max" };

	if (o->agg == SQA_NONE) {
		col_sql(w, &o->col);
		return;
	}
	if (o->agg < SQA_COUNT || o->agg > SQA_MAX) {
		w->bad = 1;
		return;
	}
	if (o->agg == SQA_COUNT && !o->has_col) {
		strbuf_puts(&w->sql, "count(*)");
		return;
	}
	strbuf_printf(&w->sql, "%s(%s", fn[o->agg], o->agg == SQA_DC ? "DISTINCT " : "");
	col_sql(w, &o->col);
	strbuf_addc(&w->sql, ')');
}

static int plan_sql(struct writer *w, const struct sq_plan *p)
{
	int ncols = 0, has_where = 0;

	strbuf_puts(&w->sql, "SELECT ");
	if (p->aggregate && p->span > 0) {
		int i = bind_add(&w->b, 1, (double)p->span, NULL, NULL);

		strbuf_printf(&w->sql, "((%s) / ?%d) * ?%d AS c1", w->fields[0].sql, i, i);
		ncols++;
	}
	for (int g = 0; p->aggregate && g < p->ngroup; g++, ncols++) {
		if (ncols)
			strbuf_puts(&w->sql, ", ");
		col_sql(w, &p->group[g]);
		strbuf_printf(&w->sql, " AS c%d", ncols + 1);
	}
	for (int o = 0; o < p->nout; o++, ncols++) {
		if (ncols)
			strbuf_puts(&w->sql, ", ");
		if (!p->aggregate && p->outs[o].agg != SQA_NONE)
			w->bad = 1;
		out_sql(w, &p->outs[o]);
		strbuf_printf(&w->sql, " AS c%d", ncols + 1);
	}
	if (!ncols)
		strbuf_puts(&w->sql, "1");
	strbuf_printf(&w->sql, " FROM %s", sources[p->source].from);
	if (p->where) {
		strbuf_puts(&w->sql, " WHERE ");
		cond_sql(w, p->where, 0);
		has_where = 1;
	}
	/* Rows whose group is missing belong to no group. */
	if (p->aggregate && p->span > 0) {
		strbuf_printf(&w->sql, "%s(%s) IS NOT NULL", has_where ? " AND " : " WHERE ",
			      w->fields[0].sql);
		has_where = 1;
	}
	for (int g = 0; p->aggregate && g < p->ngroup; g++) {
		strbuf_puts(&w->sql, has_where ? " AND " : " WHERE ");
		has_where = 1;
		col_sql(w, &p->group[g]);
		strbuf_puts(&w->sql, " IS NOT NULL");
	}
	if (p->aggregate && (p->span > 0 || p->ngroup)) {
		int n = (p->span > 0) + p->ngroup;

		strbuf_puts(&w->sql, " GROUP BY ");
		for (int i = 1; i <= n; i++)
			strbuf_printf(&w->sql, "%s%d", i > 1 ? ", " : "", i);
	}
	if (p->norder > 8)
		w->bad = 1;
	for (int i = 0; i < p->norder && i < 8; i++) {
		if (p->order[i] < 0 || p->order[i] >= ncols)
			w->bad = 1;
		/* NULLs last either way, as the C sort does; groups are never
		 * NULL, and ordered by them alone sqlite needs no second sort. */
		if (p->aggregate && p->order[i] < (p->span > 0) + p->ngroup)
			strbuf_printf(&w->sql, "%sc%d%s", i ? ", " : " ORDER BY ", p->order[i] + 1,
				      p->desc[i] ? " DESC" : "");
		else
			strbuf_printf(&w->sql, "%sc%d IS NULL, c%d%s", i ? ", " : " ORDER BY ",
				      p->order[i] + 1, p->order[i] + 1, p->desc[i] ? " DESC" : "");
	}
	/* Plain rows in the table's order, ties too: the C stages after
	 * (first, last, dedup, a stable sort) see the same order every run. */
	if (!p->aggregate)
		strbuf_puts(&w->sql, p->norder ? ", rowid" : " ORDER BY rowid");
	if (p->limit > 0) {
		int i = bind_add(&w->b, 1, (double)p->limit, NULL, NULL);

		strbuf_printf(&w->sql, " LIMIT ?%d", i);
	}
	return ncols;
}

static struct writer *writer_new(const struct sq_plan *plan)
{
	struct writer *w = xcalloc(1, sizeof *w);

	w->fields = src_fields(plan->source);
	while (w->fields[w->nfields].pub.name)
		w->nfields++;
	return w;
}

static void writer_free(struct writer *w)
{
	for (int i = 0; i < w->b.n; i++)
		free(w->b.v[i].own);
	strbuf_free(&w->sql);
	free(w);
}

int store_query_sql(const struct sq_plan *plan, struct strbuf *out)
{
	struct writer *w;
	int bad;

	if (!plan || plan->source < 0 || plan->source >= SQ_NSOURCES)
		return -1;
	w = writer_new(plan);
	plan_sql(w, plan);
	bad = w->bad;
	if (!bad)
		strbuf_puts(out, strbuf_str(&w->sql));
	writer_free(w);
	return bad ? -1 : 0;
}

/* ---- running it ---- */

static int exec_pragma(struct store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK;
}

struct deadline {
	struct timespec end;
	int hit;
};

static int progress(void *arg)
{
	struct deadline *d = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > d->end.tv_sec || (now.tv_sec == d->end.tv_sec && now.tv_nsec >= d->end.tv_nsec)) {
		d->hit = 1;
		return 1;
	}
	return 0;
}

int store_query_run(struct store *s, const struct sq_plan *plan, const struct sq_limits *lim,
		int (*fn)(const struct expr_value *v, int n, void *arg), void *arg,
		int *why, struct strbuf *sql, struct irk_err *err)
{
	struct writer *w;
	struct deadline dl = { { 0, 0 }, 0 };
	sqlite3_stmt *st = NULL;
	struct expr_value vals[64];
	int ncols, rc, ret = IRK_OK;
	int64_t rows = 0;

	*why = SQ_DONE;
	if (!plan || plan->source < 0 || plan->source >= SQ_NSOURCES)
		return irk_fail(err, IRK_INVALID, "query: no such source");
	w = writer_new(plan);
	ncols = plan_sql(w, plan);
	if (w->bad || ncols > (int)(sizeof vals / sizeof vals[0])) {
		ret = irk_fail(err, IRK_INVALID, "query: the plan does not fit the source");
		goto out;
	}
	if (sql)
		strbuf_puts(sql, strbuf_str(&w->sql));
	/* GROUP BY and ORDER BY sort through temporary files: sqlite's sorter
	 * merges runs on files about twice as fast as it sorts a million rows
	 * in memory (temp_store = MEMORY, which store_open() sets for writers),
	 * and a smaller cache leaves it smaller runs. Temporary files are
	 * private and gone when closed. */
	if (exec_pragma(s, "PRAGMA temp_store = FILE; PRAGMA cache_size = -2000") ||
	    sqlite3_create_function(s->db, "irk_regexp", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				    NULL, sql_regexp, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "irk_num", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				    NULL, sql_num, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, strbuf_str(&w->sql), -1, &st, NULL) != SQLITE_OK) {
		ret = store_fail(s, err, "query");
		goto out;
	}
	for (int i = 0; i < w->b.n; i++) {
		if (!w->b.v[i].is_num)
			sqlite3_bind_text(st, i + 1, w->b.v[i].str, -1, SQLITE_STATIC);
		else if (w->b.v[i].num == (double)(sqlite3_int64)w->b.v[i].num)
			sqlite3_bind_int64(st, i + 1, (sqlite3_int64)w->b.v[i].num);
		else
			sqlite3_bind_double(st, i + 1, w->b.v[i].num);
	}
	if (lim && lim->time_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &dl.end);
		dl.end.tv_sec += lim->time_ms / 1000;
		dl.end.tv_nsec += (lim->time_ms % 1000) * 1000000L;
		if (dl.end.tv_nsec >= 1000000000L) {
			dl.end.tv_sec++;
			dl.end.tv_nsec -= 1000000000L;
		}
		sqlite3_progress_handler(s->db, 20000, progress, &dl);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (lim && lim->rows > 0 && rows >= lim->rows) {
			*why = SQ_ROW_LIMIT;
			break;
		}
		rows++;
		for (int i = 0; i < ncols; i++) {
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				expr_value_set_num(&vals[i], (double)sqlite3_column_int64(st, i));
				break;
			case SQLITE_FLOAT:
				expr_value_set_num(&vals[i], sqlite3_column_double(st, i));
				break;
			case SQLITE_NULL:
				vals[i].type = EXPR_NULL;
				break;
			default:
				expr_value_set_str(&vals[i], (const char *)sqlite3_column_text(st, i));
				break;
			}
		}
		if (fn(vals, ncols, arg))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		if (dl.hit)
			*why = SQ_TIME_LIMIT;
		else
			ret = store_fail(s, err, "query");
	}
out:
	if (lim && lim->time_ms > 0)
		sqlite3_progress_handler(s->db, 0, NULL, NULL);
	sqlite3_finalize(st);
	writer_free(w);
	return ret;
}

/* ---- saved queries ---- */

int store_query_save(struct store *s, const char *name, const char *text, const char *actor,
		int64_t at, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_QUERY_SAVE, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	return store_exec_stmt(s, st, err, "saving a query");
}

int store_query_saved(struct store *s, const char *name, struct strbuf *out, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_QUERY_GET, err);
	struct store_rows r = store_rows_begin(s, st);
	int found = 0, rc;

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while (store_rows_next(&r)) {
		strbuf_puts(out, store_col_text(st, 0) ? store_col_text(st, 0) : "");
		found = 1;
	}
	if ((rc = store_rows_end(&r, err, "reading a saved query")))
		return rc;
	return found ? IRK_OK : irk_fail(err, IRK_NOTFOUND, "no saved query '%s'", name);
}

int store_query_saved_each(struct store *s, int (*fn)(const char *name, const char *text,
		const char *actor, int64_t at, void *arg), void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_QUERY_EACH, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	while (store_rows_next(&r))
		if (fn(store_col_text(st, 0), store_col_text(st, 1), store_col_text(st, 2),
		       sqlite3_column_int64(st, 3), arg))
			break;
	return store_rows_end(&r, err, "listing saved queries");
}
