/* cmd_incident.c: list, show, board, claim, move, note, close, set. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irk/alert.h"
#include "irk/audit.h"
#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/fields.h"
#include "irk/hash.h"
#include "irk/ingest.h"
#include "irk/jsonw.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/sensor.h"
#include "irk/sla.h"
#include "irk/store.h"
#include "irk/storm.h"

/* JSON forms (stable: documented in irk(1)): an incident's fields are
 * incident_json() (fields.h). */

/* ---- lines of a list or a board --------------------------------------------- */

/* Lines are built in a buffer and written in large pieces: a list of ten
 * thousand incidents is not sixty thousand calls to printf. */
#define OUT_FLUSH (1 << 16)

static void out_flush(struct strbuf *out, size_t over)
{
	if (out->len > over) {
		fwrite(out->buf, 1, out->len, stdout);
		strbuf_reset(out);
	}
}

/* The fields of a line before its owner: an incident key, a priority, a
 * severity, a stage, a duration and separators, all our own short text,
 * written straight into room made for them. */
#define OUT_FIELDS_MAX 128

static char *put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* s, then spaces to width (a printf "%-*s": nothing is cut). */
static char *put_pad(char *p, const char *s, int width)
{
	size_t n = strlen(s);

	p = put_str(p, s, n);
	if ((int)n < width) {
		memset(p, ' ', (size_t)width - n);
		p += (size_t)width - n;
	}
	return p;
}

static char *put_int(char *p, int v)
{
	char t[16], *q = t + sizeof t;
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;

	do
		*--q = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--q = '-';
	return put_str(p, q, (size_t)(t + sizeof t - q));
}

/* Room for OUT_FIELDS_MAX bytes at the end of out. */
static char *out_room(struct strbuf *out)
{
	strbuf_grow(out, OUT_FIELDS_MAX);
	return out->buf + out->len;
}

/* The bytes written since out_room(). */
static void out_done(struct strbuf *out, char *p)
{
	out->len = (size_t)(p - out->buf);
	out->buf[out->len] = '\0';
}

/* "OWNER      AGE    ": the owner (from outside) in 10 columns, the time
 * since detection in 6, a space after each. */
static void out_owner_age(struct strbuf *out, const struct incident *inc, int64_t now)
{
	char age[32], *p;

	cli_col_append(out, inc->owner ? inc->owner : "-", 10);
	p = out_room(out);
	p = put_pad(put_str(p, " ", 1), irk_duration_fmt(now - inc->t_detected, age, sizeof age), 6);
	out_done(out, put_str(p, " ", 1));
}

/* A title from outside: sanitized, cut to cols when cols > 0. */
static void out_title(struct strbuf *out, const char *title, int cols)
{
	if (cols > 0)
		cli_col_append(out, title, cols);
	else if (title)
		sanitize_append(out, title, strlen(title), 0);
}

/* A card's title: a storm's says it is one first ("[storm] ET SCAN ... on
 * 19,874 hosts"), within the same cols. */
#define STORM_MARK "[storm] "
static void out_card_title(struct strbuf *out, const struct incident *inc, int cols)
{
	int mark = (int)strlen(STORM_MARK);

	if (inc->storm) {
		if (cols > 0 && cols <= mark) {
			cli_col_append(out, STORM_MARK, cols);
			return;
		}
		strbuf_puts(out, STORM_MARK);
		if (cols > 0)
			cols -= mark;
	}
	out_title(out, inc->title, cols);
}

/* ---- list ---------------------------------------------------------------- */

/* What list and board print without --limit: a page a person reads, so a
 * database of a million incidents answers as fast as a small one. Past
 * it a line on standard error says how many there are and how to see
 * them (--limit N, --limit 0 for all); standard output keeps its form. */
#define LIST_PAGE 1000        /* irk list: incidents */
#define BOARD_PAGE 100        /* irk board: cards a stage */

struct list_state {
	struct cli *c;
	int json, count;
	const struct id_set *only;   /* when set, only these incidents */
	int64_t limit;               /* with only: at most this many (0: all) */
	int64_t now;
	struct jsonw w;
	struct strbuf out;
	int title_cols;
};

/* A sorted set of incident ids (--failed, --approvals). */
struct id_set {
	int64_t *v;
	size_t n;
};

static int id_set_add(int64_t id, void *arg)
{
	struct id_set *ids = arg;

	ids->v = xrealloc(ids->v, (ids->n + 1) * sizeof *ids->v);
	ids->v[ids->n++] = id;
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* "IR-42     P1  critical containment     alice      3h05m  TITLE" */
static int list_row(const struct incident *inc, void *arg)
{
	struct list_state *ls = arg;
	struct strbuf *out = &ls->out;
	char key[24], *p;

	if (ls->only) {
		if (!ls->only->n || !bsearch(&inc->id, ls->only->v, ls->only->n, sizeof inc->id, id_cmp))
			return 0;
		if (ls->limit && ls->count >= ls->limit)
			return 1;
	}

	ls->count++;
	if (ls->json) {
		jsonw_obj_begin(&ls->w);
		incident_json(&ls->w, inc);
		jsonw_obj_end(&ls->w);
		out_flush(out, OUT_FLUSH);
		return 0;
	}
	p = out_room(out);
	p = put_pad(p, incident_key(inc->id, key, sizeof key), 9);
	p = put_int(put_str(p, " P", 2), inc->priority);
	p = put_pad(put_str(p, "  ", 2), severity_name(inc->severity), 8);
	p = put_pad(put_str(p, " ", 1), stage_name(inc->stage), 15);
	out_done(out, put_str(p, " ", 1));
	out_owner_age(out, inc, ls->now);
	out_card_title(out, inc, ls->title_cols);
	strbuf_addc(out, '\n');
	out_flush(out, OUT_FLUSH);
	return 0;
}

/* The default page was full: say how many match (when the indexes can
 * tell) and how to see more, on standard error. */
static void list_more(struct cli *c, const struct incident_filter *f, int shown)
{
	int64_t total = store_incident_count(c->app.store, f, NULL);

	fflush(stdout);
	if (total > shown)
		fprintf(stderr, "irk list: the first %d of %lld incidents; --limit N for more, "
			"--limit 0 for all\n", shown, (long long)total);
	else if (total < 0)
		fprintf(stderr, "irk list: the first %d incidents; --limit N for more, --limit 0 "
			"for all\n", shown);
}

int cmd_list(struct cli *c, int argc, char **argv)
{
	enum { O_STAGE = OPT_FIRST_OWN, O_OWNER, O_MINE, O_UNASSIGNED, O_ALL, O_JSON, O_LIMIT, O_UNIT,
	       O_FAILED, O_APPROVALS, O_OBSERVABLE, O_PLAY, O_VERSION };
	static const struct option opts[] = {
		{ "observable", required_argument, NULL, O_OBSERVABLE },
		{ "failed", no_argument, NULL, O_FAILED },
		{ "approvals", no_argument, NULL, O_APPROVALS },
		{ "stage", required_argument, NULL, O_STAGE },
		{ "owner", required_argument, NULL, O_OWNER },
		{ "mine", no_argument, NULL, O_MINE },
		{ "unassigned", no_argument, NULL, O_UNASSIGNED },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "all", no_argument, NULL, O_ALL },
		{ "json", no_argument, NULL, O_JSON },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "play", required_argument, NULL, O_PLAY },
		{ "version", required_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("list");
	struct incident_filter f = INCIDENT_FILTER_ALL;
	struct list_state ls = { .c = c };
	struct irk_err err = { 0 };
	struct id_set only = { NULL, 0 };
	const char *observable = NULL;
	int opt, all = 0, mine = 0, limited = 0, failed = 0, approvals = 0, rc;
	long long n;

	f.open_only = 1;
	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		switch (opt) {
		case O_STAGE:
			if ((f.stage = stage_parse(optarg)) < 0)
				return cli_usage_error(cmd, "no stage '%s'", optarg);
			break;
		case O_OWNER: f.owner = optarg; break;
		case O_MINE: mine = 1; break;
		case O_UNASSIGNED: f.unassigned = 1; break;
		case O_UNIT: f.business_unit = optarg; break;
		case O_PLAY: f.play = optarg; break;
		case O_VERSION: f.play_version = optarg; break;
		case O_ALL: all = 1; break;
		case O_JSON: ls.json = 1; break;
		case O_FAILED: failed = 1; break;
		case O_APPROVALS: approvals = 1; break;
		case O_OBSERVABLE: observable = optarg; break;
		case O_LIMIT:
			if (cli_count(cmd, "--limit", optarg, 0, INT64_MAX, &n))
				return EXIT_USAGE;
			f.limit = n;
			limited = 1;
			break;
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (f.play_version && !f.play)
		return cli_usage_error(cmd, "--version needs --play ID");
	if (!limited)
		f.limit = LIST_PAGE;
	if (all || f.stage >= 0)
		f.open_only = 0;
	if (!cli_store(c, 0))
		return EXIT_ERR;
	if (mine)
		f.owner = c->app.actor.name;
	/* What waits for someone: the sets come from their indexes, the
	 * other options narrow them, the order is the list's. */
	if (failed || approvals || observable) {
		struct id_set sets[3] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
		int want[3] = { failed, approvals, observable != NULL }, nsets = 0;
		rc = IRK_OK;
		if (failed)
			rc = store_incident_failed(c->app.store, id_set_add, &sets[0], &err);
		if (!rc && approvals)
			rc = play_approvals_for(c->app.store, &c->app.actor, id_set_add, &sets[1], &err);
		if (!rc && observable)
			rc = store_incident_observed(c->app.store, observable, id_set_add, &sets[2],
						     &err);
		/* Several: the incidents in every one of them. */
		for (int k = 0; k < 3; k++) {
			if (!want[k])
				continue;
			if (sets[k].n)
				qsort(sets[k].v, sets[k].n, sizeof *sets[k].v, id_cmp);
			if (!nsets++) {
				only = sets[k];
				sets[k].v = NULL;
				continue;
			}
			size_t m = 0;
			for (size_t i = 0; i < only.n; i++)
				if (sets[k].n && bsearch(&only.v[i], sets[k].v, sets[k].n,
							 sizeof *only.v, id_cmp))
					only.v[m++] = only.v[i];
			only.n = m;
		}
		for (int k = 0; k < 3; k++)
			free(sets[k].v);
		if (rc) {
			free(only.v);
			return cli_report(&err);
		}
		ls.only = &only;
		ls.limit = f.limit;
		f.limit = 0;
		limited = 1;        /* the page is counted here */
	}
	ls.now = irk_now();
	if (c->tty && c->width > 60)
		ls.title_cols = c->width - 58;
	/* A list line shows a card's fields; JSON gives every field. */
	f.card = !ls.json;
	if (ls.json) {
		jsonw_init(&ls.w, &ls.out, 0);
		jsonw_arr_begin(&ls.w);
	} else if (c->tty) {
		printf("%-9s %-3s %-8s %-15s %-10s %-6s %s\n", "KEY", "PRI", "SEV", "STAGE", "OWNER",
		       "AGE", "TITLE");
	}
	rc = store_incident_each(c->app.store, &f, list_row, &ls, &err);
	free(only.v);
	if (rc) {
		out_flush(&ls.out, 0);
		strbuf_free(&ls.out);
		return cli_report(&err);
	}
	if (ls.json) {
		jsonw_arr_end(&ls.w);
		strbuf_addc(&ls.out, '\n');
	}
	out_flush(&ls.out, 0);
	strbuf_free(&ls.out);
	if (!ls.json && !ls.count && c->tty) {
		printf("(no incidents)\n");
	}
	if (!limited && ls.count >= LIST_PAGE)
		list_more(c, &f, ls.count);
	return EXIT_OK;
}

/* ---- show ---------------------------------------------------------------- */

struct link_show {
	int64_t id;
	struct jsonw *w;     /* JSON mode when set */
	int n;
};

/* One link as seen from ls->id: "duplicate of IR-7", "child of IR-2". */
static int show_link(const struct link_row *l, void *arg)
{
	struct link_show *ls = arg;
	int from_a = l->a == ls->id;
	const char *words = !strcmp(l->kind, "related") ? "related to" :
			    !strcmp(l->kind, "duplicate") ? (from_a ? "duplicate of" : "has duplicate") :
			    from_a ? "parent of" : "child of";
	char key[24], t[32];

	incident_key(from_a ? l->b : l->a, key, sizeof key);
	if (ls->w) {
		jsonw_obj_begin(ls->w);
		jsonw_kv_str(ls->w, "link", words);
		jsonw_kv_str(ls->w, "incident", key);
		jsonw_kv_time(ls->w, "at", l->at);
		jsonw_kv_str(ls->w, "actor", l->actor);
		jsonw_obj_end(ls->w);
		return 0;
	}
	if (!ls->n++)
		printf("\nLinks\n");
	printf("  %-13s %-9s %s  ", words, key, irk_time_short(l->at, t, sizeof t));
	cli_put(stdout, l->actor);
	putchar('\n');
	return 0;
}

struct show_state {
	struct jsonw *w;     /* JSON mode when set */
	int n;
	int64_t total;       /* sensor context: its lines in all */
};

static int show_alert(const struct alert *a, void *arg)
{
	struct show_state *ss = arg;
	const char *sev = a->severity >= 0 ? severity_name(a->severity) : NULL;
	char t[32], fp[2 * ALERT_FP_LEN + 1];

	ss->n++;
	if (ss->w) {
		struct jsonw *w = ss->w;
		jsonw_obj_begin(w);
		jsonw_kv_int(w, "id", a->id);
		jsonw_kv_str(w, "fingerprint", hash_hex(a->fingerprint, ALERT_FP_LEN, fp));
		jsonw_kv_str(w, "format", alert_format_name(a->format));
		jsonw_kv_time(w, "event_time", a->event_time);
		jsonw_kv_time(w, "received", a->received);
		jsonw_kv_str(w, "rule_id", a->rule_id);
		jsonw_kv_str(w, "rule_name", a->rule_name);
		jsonw_kv_str(w, "severity", sev);
		jsonw_kv_str(w, "host", a->host);
		jsonw_kv_str(w, "src_ip", a->src_ip);
		jsonw_kv_str(w, "dst_ip", a->dst_ip);
		jsonw_kv_str(w, "user", a->user);
		jsonw_kv_str(w, "category", a->category);
		/* The record as received, as a string: consumers parse it if they
		 * want it, and nothing in it reaches a terminal unescaped. */
		jsonw_kv_str(w, "raw", a->raw);
		jsonw_obj_end(w);
		return 0;
	}
	printf("  %s  %-5s ", irk_time_short(a->event_time, t, sizeof t), alert_format_name(a->format));
	cli_put_col(stdout, a->rule_id ? a->rule_id : "-", 10);
	printf(" %-8s ", sev ? sev : "-");
	cli_put(stdout, a->src_ip ? a->src_ip : "-");
	printf(" -> ");
	cli_put(stdout, a->dst_ip ? a->dst_ip : a->host ? a->host : "-");
	printf("  ");
	cli_put(stdout, a->rule_name);
	putchar('\n');
	return 0;
}

static int show_observable(const struct observable_row *o, void *arg)
{
	struct show_state *ss = arg;

	ss->n++;
	if (ss->w) {
		jsonw_obj_begin(ss->w);
		jsonw_kv_str(ss->w, "type", obs_type_name(o->type));
		jsonw_kv_str(ss->w, "value", o->value);
		jsonw_kv_str(ss->w, "source", o->source);
		jsonw_kv_int(ss->w, "ref", o->ref);
		jsonw_kv_time(ss->w, "at", o->at);
		jsonw_obj_end(ss->w);
		return 0;
	}
	printf("  %-8s ", obs_type_name(o->type));
	cli_put_cut(stdout, o->value, 40);
	printf(" from %s %lld\n", o->source, (long long)o->ref);
	return 0;
}

static int show_event(const struct event_row *e, void *arg)
{
	struct show_state *ss = arg;
	char t[32];

	ss->n++;
	if (ss->w)
		return 0;
	printf("  %s  %-16s ", irk_time_short(e->at, t, sizeof t), e->kind);
	cli_put_col(stdout, e->actor, 10);
	putchar(' ');
	cli_put(stdout, e->data);
	putchar('\n');
	return 0;
}

static void show_field(const char *label, const char *v)
{
	printf("  %-14s ", label);
	cli_put(stdout, v && *v ? v : "-");
	putchar('\n');
}

static int show_sensor(const struct sensor_seen *e, void *arg)
{
	struct show_state *ss = arg;
	struct strbuf sb = STRBUF_INIT;
	char t[32];

	ss->n++;
	ss->total = e->total;
	if (ss->w) {
		jsonw_obj_begin(ss->w);
		jsonw_kv_str(ss->w, "type", sensor_type_name(e->type));
		jsonw_kv_str(ss->w, "what", e->what);
		jsonw_kv_str(ss->w, "detail", e->detail);
		jsonw_kv_str(ss->w, "answer", e->answer);
		if (e->type == SENSOR_FLOW)
			jsonw_kv_int(ss->w, "bytes", e->bytes);
		jsonw_kv_int(ss->w, "count", e->count);
		jsonw_kv_int(ss->w, "event", e->newest);
		jsonw_kv_time(ss->w, "first", e->first);
		jsonw_kv_time(ss->w, "last", e->last);
		jsonw_obj_end(ss->w);
		return 0;
	}
	sensor_seen_text(e, &sb);
	printf("  %s  %-8s ", irk_time_short(e->last, t, sizeof t), sensor_type_name(e->type));
	cli_put(stdout, strbuf_str(&sb));
	putchar('\n');
	strbuf_free(&sb);
	return 0;
}

static void show_human(struct cli *c, const struct incident *inc, int nalerts)
{
	struct irk_err err = { 0 };
	struct stage_move *hist = NULL;
	struct note *notes = NULL;
	size_t nh = 0, nn = 0;
	struct show_state ss = { 0 };
	struct sla_policy pol;
	struct sla_status sla;
	char key[24], t[32], buf[128], sl[48];
	int64_t now = irk_now();

	sla_policy_load(&pol, c->app.cfg);
	sla_status(&pol, inc, now, &sla);
	printf("%s  ", incident_key(inc->id, key, sizeof key));
	cli_put(stdout, inc->title);
	printf("\n\n");
	snprintf(buf, sizeof buf, "%s%s%s", stage_name(inc->stage),
		 inc->resolution > RES_NONE ? " as " : "",
		 inc->resolution > RES_NONE ? resolution_name(inc->resolution) : "");
	show_field("stage", buf);
	snprintf(buf, sizeof buf, "%s, P%d, confidence %d%%", severity_name(inc->severity),
		 inc->priority, inc->confidence);
	show_field("severity", buf);
	if (sla.state != SLA_NONE)
		show_field("SLA", sla_text(&sla, sl, sizeof sl));
	else if (*sla_outcome(&pol, inc, sl, sizeof sl))
		show_field("SLA", sl);
	show_field("owner", inc->owner);
	show_field("business unit", inc->business_unit);
	show_field("category", inc->category);
	show_field("vector", inc->vector);
	show_field("threat source", inc->threat_source);
	show_field("root cause", inc->root_cause);
	show_field("rule", inc->rule);
	show_field("host", inc->host);
	show_field("source IP", inc->src_ip);
	if (inc->storm)
		show_field("storm", "yes: one rule's alerts from many hosts (its observables "
			   "of type host; irk split KEY HOST takes one out)");
	if (inc->play) {
		snprintf(buf, sizeof buf, "%s (version %.12s)", inc->play,
			 inc->play_version ? inc->play_version : "?");
		show_field("play", buf);
	}
	/* Every time is UTC; the first one says so, once. */
	if (inc->t_first_event) {
		char z[40];
		snprintf(z, sizeof z, "%s UTC", irk_time_short(inc->t_first_event, t, sizeof t));
		show_field("first event", z);
	} else {
		show_field("first event", irk_time_short(inc->t_first_event, t, sizeof t));
	}
	show_field("detected", irk_time_short(inc->t_detected, t, sizeof t));
	show_field("acknowledged", irk_time_short(inc->t_acknowledged, t, sizeof t));
	show_field("contained", irk_time_short(inc->t_contained, t, sizeof t));
	show_field("resolved", irk_time_short(inc->t_resolved, t, sizeof t));
	show_field("closed", irk_time_short(inc->t_closed, t, sizeof t));
	snprintf(buf, sizeof buf, "%d alert%s, reopened %d, moved back %d, effort %d min",
		 inc->alert_count, inc->alert_count == 1 ? "" : "s", inc->reopen_count,
		 inc->back_moves, inc->effort_min);
	show_field("counts", buf);
	snprintf(buf, sizeof buf, "%lld (last change by %s)", (long long)inc->version,
		 inc->updated_by ? inc->updated_by : "?");
	show_field("version", buf);
	if (inc->summary && *inc->summary) {
		printf("\nSummary\n  ");
		cli_put(stdout, inc->summary);
		putchar('\n');
	}

	if (!store_history_list(c->app.store, inc->id, &hist, &nh, &err) && nh) {
		printf("\nStage history\n");
		for (size_t i = 0; i < nh; i++) {
			printf("  %s  %-15s -> %-15s ", irk_time_short(hist[i].at, t, sizeof t),
			       hist[i].from >= 0 ? stage_name(hist[i].from) : "(opened)",
			       stage_name(hist[i].to));
			cli_put(stdout, hist[i].actor);
			if (hist[i].forced)
				printf(" FORCED");
			if (hist[i].reason[0]) {
				printf(": ");
				cli_put(stdout, hist[i].reason);
			}
			putchar('\n');
		}
	}
	free(hist);
	{
		struct link_show ls = { inc->id, NULL, 0 };
		store_link_each(c->app.store, inc->id, show_link, &ls, &err);
	}
	if (!store_note_list(c->app.store, inc->id, &notes, &nn, &err) && nn) {
		printf("\nNotes\n");
		for (size_t i = 0; i < nn; i++) {
			printf("  %s  ", irk_time_short(notes[i].at, t, sizeof t));
			cli_put(stdout, notes[i].actor);
			printf(": ");
			cli_put(stdout, notes[i].text);
			putchar('\n');
		}
	}
	note_list_free(notes, nn);
	if (inc->play) {
		printf("\nSteps (irk step show %s STEP for one)\n", key);
		cli_steps_print(c, inc->id, NULL);
	}
	printf("\nAlerts (%d, newest first)\n", inc->alert_count);
	store_alert_each(c->app.store, inc->id, nalerts, show_alert, &ss, &err);
	ss.n = 0;
	printf("\nObservables\n");
	store_observable_each(c->app.store, inc->id, show_observable, &ss, &err);
	if (!ss.n)
		printf("  (none)\n");
	ss.n = 0;
	printf("\nSensor context (kept events of its hosts, %d min either side, newest first)\n",
	       SENSOR_CONTEXT_MARGIN / 60);
	ingest_sensor_context(c->app.store, inc, SENSOR_CONTEXT_LINES, show_sensor, &ss, &err);
	if (!ss.n)
		printf("  %s\n", store_sensor_any(c->app.store) ? "(none)" :
		       "(none kept: see [ingest] keep in irk.conf(5))");
	else if (ss.total > ss.n)
		printf("  ... %lld more (irk sensor list shows every kept event)\n",
		       (long long)(ss.total - ss.n));
	cli_context_human(c, inc);
	ss.n = 0;
	printf("\nAudit events\n");
	audit_each(c->app.store, inc->id, 0, show_event, &ss, &err);
}

static void show_json(struct cli *c, const struct incident *inc, int nalerts)
{
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	struct irk_err err = { 0 };
	struct stage_move *hist = NULL;
	struct note *notes = NULL;
	size_t nh = 0, nn = 0;
	struct show_state ss = { &w, 0, 0 };

	jsonw_init(&w, &out, 1);
	jsonw_obj_begin(&w);
	incident_json(&w, inc);
	jsonw_key(&w, "history");
	jsonw_arr_begin(&w);
	if (!store_history_list(c->app.store, inc->id, &hist, &nh, &err)) {
		for (size_t i = 0; i < nh; i++) {
			jsonw_obj_begin(&w);
			jsonw_kv_str(&w, "from", hist[i].from >= 0 ? stage_name(hist[i].from) : NULL);
			jsonw_kv_str(&w, "to", stage_name(hist[i].to));
			jsonw_kv_time(&w, "at", hist[i].at);
			jsonw_kv_str(&w, "actor", hist[i].actor);
			jsonw_kv_str(&w, "reason", hist[i].reason[0] ? hist[i].reason : NULL);
			jsonw_kv_bool(&w, "forced", hist[i].forced);
			jsonw_obj_end(&w);
		}
	}
	free(hist);
	jsonw_arr_end(&w);
	jsonw_key(&w, "notes");
	jsonw_arr_begin(&w);
	if (!store_note_list(c->app.store, inc->id, &notes, &nn, &err)) {
		for (size_t i = 0; i < nn; i++) {
			jsonw_obj_begin(&w);
			jsonw_kv_time(&w, "at", notes[i].at);
			jsonw_kv_str(&w, "actor", notes[i].actor);
			jsonw_kv_str(&w, "text", notes[i].text);
			jsonw_obj_end(&w);
		}
	}
	note_list_free(notes, nn);
	jsonw_arr_end(&w);
	jsonw_key(&w, "links");
	jsonw_arr_begin(&w);
	{
		struct link_show ls = { inc->id, &w, 0 };
		store_link_each(c->app.store, inc->id, show_link, &ls, &err);
	}
	jsonw_arr_end(&w);
	jsonw_key(&w, "steps");
	jsonw_arr_begin(&w);
	cli_steps_print(c, inc->id, &w);
	jsonw_arr_end(&w);
	jsonw_key(&w, "alerts");
	jsonw_arr_begin(&w);
	store_alert_each(c->app.store, inc->id, nalerts, show_alert, &ss, &err);
	jsonw_arr_end(&w);
	jsonw_key(&w, "observables");
	jsonw_arr_begin(&w);
	store_observable_each(c->app.store, inc->id, show_observable, &ss, &err);
	jsonw_arr_end(&w);
	jsonw_key(&w, "sensor");
	jsonw_arr_begin(&w);
	ss.n = 0;
	ingest_sensor_context(c->app.store, inc, SENSOR_CONTEXT_LINES, show_sensor, &ss, &err);
	jsonw_arr_end(&w);
	/* The lines there are in all, when more than the array holds. */
	jsonw_kv_int(&w, "sensor_total", ss.total);
	jsonw_key(&w, "context");
	cli_context_json(c, inc, &w);
	jsonw_obj_end(&w);
	strbuf_addc(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_free(&out);
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_ALERTS };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "alerts", required_argument, NULL, O_ALERTS },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("show");
	struct incident inc;
	struct irk_err err = { 0 };
	int opt, json = 0, nalerts = 10;
	long long n;
	int64_t id;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_JSON)
			json = 1;
		else if (opt == O_ALERTS && cli_count(cmd, "--alerts", optarg, 0, INT_MAX, &n))
			return EXIT_USAGE;
		else if (opt == O_ALERTS)
			nalerts = (int)n;
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, optind < argc ? "one incident at a time" : "which incident?");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	if (!cli_store(c, 0))
		return EXIT_ERR;
	if (store_incident_get(c->app.store, id, &inc, &err))
		return cli_report(&err);
	if (json)
		show_json(c, &inc, nalerts);
	else
		show_human(c, &inc, nalerts);
	incident_clear(&inc);
	return EXIT_OK;
}

/* ---- board (text) ---------------------------------------------------------- */

struct board_state {
	int64_t now;
	struct sla_policy pol;
	int shown[STAGE_COUNT], limit;
	int title_cols;      /* on a terminal: titles cut to its width */
	struct strbuf col[STAGE_COUNT];  /* each column's cards */
};

/* A card: "  KEY       P1 critical OWNER      AGE    SLA                 TITLE". */
#define BOARD_SLA_W 19
#define BOARD_TITLE_AT (2 + 9 + 1 + 2 + 1 + 8 + 1 + 10 + 1 + 6 + 1 + BOARD_SLA_W + 1)

/* A card into its stage's column (the closed one is written as it goes). */
static int board_card(const struct incident *inc, void *arg)
{
	struct board_state *bs = arg;
	struct sla_status sla;
	struct strbuf *out;
	char key[24], sl[48], *p;

	if (inc->stage < 0 || inc->stage >= STAGE_COUNT ||
	    (bs->limit && bs->shown[inc->stage] >= bs->limit))
		return 0;
	bs->shown[inc->stage]++;
	out = &bs->col[inc->stage];
	sla_status(&bs->pol, inc, bs->now, &sla);
	p = out_room(out);
	p = put_pad(put_str(p, "  ", 2), incident_key(inc->id, key, sizeof key), 9);
	p = put_int(put_str(p, " P", 2), inc->priority);
	p = put_pad(put_str(p, " ", 1), severity_name(inc->severity), 8);
	out_done(out, put_str(p, " ", 1));
	out_owner_age(out, inc, bs->now);
	/* Wide enough for "contain 12h28m late" and "contain 10d05h late";
	 * anything longer is cut, so the titles stay in one column. */
	cli_col_append(out, sla.state == SLA_NONE ? "" : sla_text(&sla, sl, sizeof sl), BOARD_SLA_W);
	strbuf_addc(out, ' ');
	out_card_title(out, inc, bs->title_cols);
	strbuf_addc(out, '\n');
	if (inc->stage == STAGE_CLOSED)
		out_flush(out, OUT_FLUSH);
	return 0;
}

int cmd_board(struct cli *c, int argc, char **argv)
{
	enum { O_ALL = OPT_FIRST_OWN, O_LIMIT };
	static const struct option opts[] = {
		{ "all", no_argument, NULL, O_ALL },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("board");
	struct irk_err err = { 0 };
	struct board_state bs = { .limit = BOARD_PAGE };
	struct incident_filter f = INCIDENT_FILTER_ALL;
	int64_t counts[STAGE_COUNT], open = 0;
	long long n;
	int opt, all = 0, rc = IRK_OK, limited = 0, more = 0;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_ALL)
			all = 1;
		else if (opt == O_LIMIT && cli_count(cmd, "--limit", optarg, 0, INT_MAX, &n))
			return EXIT_USAGE;
		else if (opt == O_LIMIT)
			bs.limit = (int)n, limited = 1;
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!cli_store(c, 0))
		return EXIT_ERR;
	bs.now = irk_now();
	sla_policy_load(&bs.pol, c->app.cfg);
	if (c->tty && c->width > BOARD_TITLE_AT + 10)
		bs.title_cols = c->width - BOARD_TITLE_AT;
	if (store_begin_read(c->app.store, &err) || store_incident_counts(c->app.store, counts, &err))
		return cli_report(&err);
	for (int s = 0; s < STAGE_CLOSED; s++)
		open += counts[s];
	/* Every card: the open columns in one pass over the open
	 * incidents, in list order (priority, detection, id), which is each
	 * column's order: cards only, through the index that holds them.
	 * At most limit a column: each column's first cards, through the
	 * board index (a stage is a key). */
	f.card = 1;
	if (!bs.limit) {
		f.open_only = 1;
		rc = store_incident_each(c->app.store, &f, board_card, &bs, &err);
	}
	printf("irk board: %lld open, %lld closed\n", (long long)open, (long long)counts[STAGE_CLOSED]);
	for (int s = 0; s < STAGE_COUNT && !rc; s++) {
		printf("\n%s (%lld)\n", stage_title(s), (long long)counts[s]);
		if (s == STAGE_CLOSED && !all)
			continue;
		if (s == STAGE_CLOSED || bs.limit) {
			f = (struct incident_filter)INCIDENT_FILTER_ALL;
			f.stage = s;
			f.limit = bs.limit;
			f.card = 1;
			rc = store_incident_each(c->app.store, &f, board_card, &bs, &err);
		}
		out_flush(&bs.col[s], 0);
		if (!rc && bs.limit && counts[s] > bs.shown[s]) {
			printf("  ... %lld more\n", (long long)(counts[s] - bs.shown[s]));
			more = 1;
		}
	}
	if (!rc && more && !limited) {
		fflush(stdout);
		fprintf(stderr, "irk board: at most %d cards a stage; --limit N for more, "
			"--limit 0 for all\n", BOARD_PAGE);
	}
	store_commit(c->app.store, NULL);
	for (int s = 0; s < STAGE_COUNT; s++)
		strbuf_free(&bs.col[s]);
	if (err.code)
		return cli_report(&err);
	return EXIT_OK;
}

/* ---- changes ------------------------------------------------------------- */

static int done(struct cli *c, int rc, const struct irk_err *err, const char *fmt, int64_t id,
		const char *extra)
{
	char key[24];

	if (rc)
		return cli_report_hint(err, id, NULL);
	if (err->msg[0]) {          /* an informational message (e.g. already yours) */
		cli_put(stdout, err->msg);
		putchar('\n');
		return EXIT_OK;
	}
	printf(fmt, incident_key(id, key, sizeof key));
	if (extra)
		cli_put(stdout, extra);
	putchar('\n');
	(void)c;
	return EXIT_OK;
}

int cmd_new(struct cli *c, int argc, char **argv)
{
	enum { O_TITLE = OPT_FIRST_OWN, O_SEVERITY, O_HOST, O_PLAY, O_UNIT };
	static const struct option opts[] = {
		{ "title", required_argument, NULL, O_TITLE },
		{ "severity", required_argument, NULL, O_SEVERITY },
		{ "host", required_argument, NULL, O_HOST },
		{ "play", required_argument, NULL, O_PLAY },
		{ "unit", required_argument, NULL, O_UNIT },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("new");
	struct irk_err err = { 0 };
	struct incident inc = { 0 };
	struct play_catalog cat = { 0 };
	const struct play *p = NULL;
	const char *title = NULL, *sev = NULL, *host = NULL, *play = NULL, *unit = NULL;
	char key[24];
	int opt, rc;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		switch (opt) {
		case O_TITLE: title = optarg; break;
		case O_SEVERITY: sev = optarg; break;
		case O_HOST: host = optarg; break;
		case O_PLAY: play = optarg; break;
		case O_UNIT: unit = optarg; break;
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!title || !*title)
		return cli_usage_error(cmd, "a new incident needs --title");
	if (!sev)
		return cli_usage_error(cmd, "a new incident needs --severity (low, medium, high, "
				       "critical)");
	if ((inc.severity = severity_parse(sev)) < 0)
		return cli_usage_error(cmd, "no severity '%s' (low, medium, high, critical)", sev);
	if (!cli_store(c, 0))
		return EXIT_ERR;
	if (play) {
		if ((rc = cli_plays_load(c, &cat, 0)))
			return rc;
		if (!(p = play_catalog_find(&cat, play))) {
			play_catalog_free(&cat);
			fprintf(stderr, "irk: new: no play '");
			cli_put(stderr, play);
			fprintf(stderr, "' (irk play list)\n");
			return EXIT_ERR;
		}
	}
	inc.title = xstrdup(title);
	inc.host = host && *host ? xstrdup(host) : NULL;
	inc.business_unit = unit && *unit ? xstrdup(unit) : NULL;
	rc = incident_create(c->app.store, &c->app.actor, &inc, p, &err);
	if (play)
		play_catalog_free(&cat);
	if (rc) {
		incident_clear(&inc);
		return cli_report(&err);
	}
	printf("%s\n", incident_key(inc.id, key, sizeof key));
	incident_clear(&inc);
	return EXIT_OK;
}

int cmd_link(struct cli *c, int argc, char **argv)
{
	enum { O_AS = OPT_FIRST_OWN };
	static const struct option opts[] = {
		{ "as", required_argument, NULL, O_AS },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("link");
	struct irk_err err = { 0 };
	const char *as = "related";
	int opt, kind, rc;
	int64_t a, b;
	char kb[24];

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1)
		if (opt == O_AS)
			as = optarg;
	if (optind + 2 != argc)
		return cli_usage_error(cmd, "give two incidents");
	if ((kind = incident_link_kind(as)) < 0)
		return cli_usage_error(cmd, "no link '%s' (related, duplicate, parent)", as);
	if (!(a = cli_key(cmd, argv[optind])) || !(b = cli_key(cmd, argv[optind + 1])))
		return EXIT_USAGE;
	if (!cli_store(c, 0))
		return EXIT_ERR;
	rc = incident_link(c->app.store, &c->app.actor, a, b, kind, &err);
	snprintf(kb, sizeof kb, "%s", kind == 0 ? "related to " : kind == 1 ? "a duplicate of " :
		 "the parent of ");
	if (!rc) {
		char ka[24], kk[24];
		printf("%s is %s%s\n", incident_key(a, ka, sizeof ka), kb, incident_key(b, kk, sizeof kk));
		return EXIT_OK;
	}
	return cli_report_hint(&err, a, NULL);
}

int cmd_merge(struct cli *c, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("merge");
	struct irk_err err = { 0 };
	int64_t dup, into;
	char kd[24], ki[24];

	while (cli_getopt(c, cmd, argc, argv, "", NULL) != -1)
		;
	if (optind + 2 != argc)
		return cli_usage_error(cmd, "give the duplicate and the incident to merge it into");
	if (!(dup = cli_key(cmd, argv[optind])) || !(into = cli_key(cmd, argv[optind + 1])))
		return EXIT_USAGE;
	if (!cli_store(c, 0))
		return EXIT_ERR;
	if (incident_merge(c->app.store, &c->app.actor, dup, into, &err))
		return cli_report_hint(&err, dup, NULL);
	cli_plays_advance(c, dup, c->app.actor.name);   /* cancels its unfinished steps */
	printf("%s merged into %s and closed as duplicate\n", incident_key(dup, kd, sizeof kd),
	       incident_key(into, ki, sizeof ki));
	return EXIT_OK;
}

int cmd_claim(struct cli *c, int argc, char **argv)
{
	enum { O_FORCE = OPT_FIRST_OWN, O_REASON };
	static const struct option opts[] = {
		{ "force", no_argument, NULL, O_FORCE },
		{ "reason", required_argument, NULL, O_REASON },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("claim");
	struct irk_err err = { 0 };
	const char *reason = NULL;
	int opt, force = 0, rc;
	int64_t id;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_FORCE)
			force = 1;
		else if (opt == O_REASON)
			reason = optarg;
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, "which incident?");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	if (!cli_store(c, 0))
		return EXIT_ERR;
	rc = force ? incident_takeover(c->app.store, &c->app.actor, id, 0, reason, &err)
		   : incident_claim(c->app.store, &c->app.actor, id, 0, 0, &err);
	return done(c, rc, &err, "%s is yours", id, NULL);
}

/* A follower with no JID hears nothing (irk serve retries each message
 * for them): say so on stderr, with the command that fixes it. */
static void warn_no_jid(struct cli *c, const struct cli_command *cmd)
{
	struct user *u = NULL;
	size_t n = 0;
	const char *me = c->app.actor.name;
	int found = 0, jid = 0;

	if (store_user_list(c->app.store, &u, &n, NULL))
		return;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(u[i].name, me)) {
			found = 1;
			jid = u[i].jid[0] != '\0';
		}
	free(u);
	if (jid)
		return;
	fprintf(stderr, "irk %s: warning: ", cmd->name);
	cli_put(stderr, me);
	fprintf(stderr, " %s no JID, so no message reaches you (irk user %s ",
		found ? "has" : "is no irk user and has", found ? "set" : "add");
	cli_put(stderr, me);
	fputs(found ? " --jid JID)\n" : " --role ROLE --jid JID)\n", stderr);
}

int cmd_watch(struct cli *c, int argc, char **argv)
{
	enum { O_OFF = OPT_FIRST_OWN };
	static const struct option opts[] = {
		{ "off", no_argument, NULL, O_OFF },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("watch");
	struct irk_err err = { 0 };
	struct incident inc;
	int opt, off = 0, rc;
	int64_t id;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1)
		if (opt == O_OFF)
			off = 1;
	if (optind + 1 != argc)
		return cli_usage_error(cmd, "which incident?");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	if (!cli_store(c, 0))
		return EXIT_ERR;
	if (store_begin(c->app.store, &err) ||
	    store_incident_get(c->app.store, id, &inc, &err) ||
	    (incident_clear(&inc), 0) ||
	    store_watch_set(c->app.store, c->app.actor.name, c->app.actor.name, id, !off, &err) ||
	    store_commit(c->app.store, &err)) {
		store_rollback(c->app.store);
		return cli_report_hint(&err, id, NULL);
	}
	rc = done(c, IRK_OK, &err, off ? "you no longer follow %s" : "you follow %s", id,
		  off ? NULL : " (its state changes reach your JID: irk user set NAME --jid JID)");
	if (!off)
		warn_no_jid(c, cmd);
	return rc;
}

int cmd_move(struct cli *c, int argc, char **argv)
{
	enum { O_FORCE = OPT_FIRST_OWN, O_REASON };
	static const struct option opts[] = {
		{ "force", no_argument, NULL, O_FORCE },
		{ "reason", required_argument, NULL, O_REASON },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("move");
	struct irk_err err = { 0 };
	const char *reason = NULL;
	int opt, force = 0, to;
	int64_t id;
	char msg[64];

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_FORCE)
			force = 1;
		else if (opt == O_REASON)
			reason = optarg;
	}
	if (optind + 2 != argc)
		return cli_usage_error(cmd, "give an incident and a stage");
	if (force && !reason)
		return cli_usage_error(cmd, "--force needs a --reason");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	if ((to = stage_parse(argv[optind + 1])) < 0)
		return cli_usage_error(cmd, "no stage '%s' (new, identification, containment, "
				       "eradication, recovery, lessons-learned)", argv[optind + 1]);
	if (!cli_store(c, 0))
		return EXIT_ERR;
	int rc = incident_move(c->app.store, &c->app.actor, id, to, reason, force, 0, &err);
	if (!rc)
		cli_plays_advance(c, id, c->app.actor.name);   /* steps of the new stage */
	snprintf(msg, sizeof msg, "%s", stage_name(to));
	return done(c, rc, &err, "%s moved to ", id, msg);
}

int cmd_note(struct cli *c, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("note");
	struct irk_err err = { 0 };
	struct strbuf text = STRBUF_INIT;
	int64_t id;

	while (cli_getopt(c, cmd, argc, argv, "", NULL) != -1)
		;
	if (optind + 2 > argc)
		return cli_usage_error(cmd, "give an incident and the text of the note");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	if (optind + 2 == argc && !strcmp(argv[optind + 1], "-")) {
		char buf[4096];
		size_t k;
		while ((k = fread(buf, 1, sizeof buf, stdin)) > 0 && text.len < 65537)
			strbuf_add(&text, buf, k);
		while (text.len && text.buf[text.len - 1] == '\n')
			text.buf[--text.len] = '\0';
	} else {
		for (int i = optind + 1; i < argc; i++) {
			if (i > optind + 1)
				strbuf_addc(&text, ' ');
			strbuf_puts(&text, argv[i]);
		}
	}
	if (!cli_store(c, 0)) {
		strbuf_free(&text);
		return EXIT_ERR;
	}
	int rc = incident_note(c->app.store, &c->app.actor, id, strbuf_str(&text), &err);
	strbuf_free(&text);
	return done(c, rc, &err, "note added to %s", id, NULL);
}

int cmd_split(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("split");
	struct irk_err err = { 0 };
	struct play_catalog plays;
	int opt, json = 0, rc;
	int64_t id, new_id = 0;
	char key[24], storm_key[24];

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1)
		if (opt == O_JSON)
			json = 1;
	if (optind + 2 != argc)
		return cli_usage_error(cmd, "give a storm incident and one of its hosts");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	if (!cli_store(c, 0) || cli_plays_load(c, &plays, 1))
		return EXIT_ERR;
	rc = storm_split(c->app.store, &c->app.actor, id, argv[optind + 1],
			 plays.n ? play_on_new_incident : NULL, &plays, &new_id, &err);
	play_catalog_free(&plays);
	if (rc)
		return cli_report_hint(&err, id, NULL);
	incident_key(new_id, key, sizeof key);
	incident_key(id, storm_key, sizeof storm_key);
	if (json) {
		struct strbuf out = STRBUF_INIT;
		struct jsonw w;
		jsonw_init(&w, &out, 0);
		jsonw_obj_begin(&w);
		jsonw_kv_str(&w, "storm", storm_key);
		jsonw_kv_str(&w, "host", argv[optind + 1]);
		jsonw_kv_str(&w, "key", key);
		jsonw_obj_end(&w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
	} else {
		printf("%s: ", key);
		cli_put(stdout, argv[optind + 1]);
		printf(" split out of %s\n", storm_key);
	}
	return EXIT_OK;
}

int cmd_close(struct cli *c, int argc, char **argv)
{
	enum { O_FORCE = OPT_FIRST_OWN, O_REASON, O_RES };
	static const struct option opts[] = {
		{ "force", no_argument, NULL, O_FORCE },
		{ "reason", required_argument, NULL, O_REASON },
		{ "resolution", required_argument, NULL, O_RES },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("close");
	struct irk_err err = { 0 };
	const char *reason = NULL, *res = NULL;
	int opt, force = 0, resolution;
	int64_t id;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_FORCE)
			force = 1;
		else if (opt == O_REASON)
			reason = optarg;
		else if (opt == O_RES)
			res = optarg;
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, "which incident?");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	if (force && !reason)
		return cli_usage_error(cmd, "--force needs a --reason");
	if (!res)
		return cli_usage_error(cmd, "closing needs --resolution (true-positive, "
				       "false-positive, duplicate, benign)");
	if ((resolution = resolution_parse(res)) <= RES_NONE)
		return cli_usage_error(cmd, "no resolution '%s' (true-positive, false-positive, "
				       "duplicate, benign)", res);
	if (!cli_store(c, 0))
		return EXIT_ERR;
	int rc = incident_close(c->app.store, &c->app.actor, id, resolution, reason, force, 0, &err);
	if (!rc)
		cli_plays_advance(c, id, c->app.actor.name);   /* cancels unfinished steps */
	return done(c, rc, &err, "%s closed as ", id, resolution_name(resolution));
}

int cmd_set(struct cli *c, int argc, char **argv)
{
	enum { O_NEW = OPT_FIRST_OWN };
	static const struct option opts[] = {
		{ "new", no_argument, NULL, O_NEW },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("set");
	struct irk_err err = { 0 };
	int64_t id;
	int opt, new_unit = 0;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1)
		if (opt == O_NEW)
			new_unit = 1;
	if (optind + 2 > argc)
		return cli_usage_error(cmd, "give an incident and FIELD=VALUE");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	/* Old spellings are read; a script using one is told the name. */
	for (int i = optind + 1; i < argc; i++) {
		char name[64];
		const struct field_def *f;
		int alias;
		size_t len = strcspn(argv[i], "=");
		if (len >= sizeof name)
			continue;
		memcpy(name, argv[i], len);
		name[len] = '\0';
		if ((f = incident_field_typed(name, &alias)) && alias)
			fprintf(stderr, "irk: set: '%s' is now called '%s'\n", name, f->name);
	}
	if (!cli_store(c, 0))
		return EXIT_ERR;
	int rc = (new_unit ? incident_set : incident_set_known)(c->app.store, &c->app.actor, id,
								argv + optind + 1, argc - optind - 1, 0,
								&err);
	return done(c, rc, &err, "%s updated", id, NULL);
}
