/* cmd_play_test.c: irk play test, the dry run of a play against an alert.
 *
 * Nothing is written, run or sent: the alert is parsed as ingest would,
 * the incident it would open is built in memory, and the play's match,
 * each step's `when` and every template are evaluated over it. What an
 * automated step would do is its definition with the templates rendered
 * (argv, url and body, playbook, hosts and vars); a value the alert does
 * not give is named, and the template is kept as written. Secrets are
 * never looked up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/alert.h"
#include "irk/alert_parse.h"
#include "irk/cli.h"
#include "irk/config.h"
#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/template.h"

/* The keys every step has: shown as the plan, not as what would run. */
static const char *const common_keys[] = {
	"id", "stage", "kind", "needs", "when", "required", "retry", "backoff", "timeout", NULL,
};

static int in_list(const char *const *list, const char *k)
{
	for (; *list; list++)
		if (!strcmp(*list, k))
			return 1;
	return 0;
}

struct dry {
	struct play_fields *f;
	struct strbuf missing;     /* "alert.raw.x, ..." of this step */
	char **inputs;             /* "STEP.NAME=VALUE" or "NAME=VALUE" (any step) */
	int ninputs;
	const char *responses;     /* DIR: the canned output of step ID in DIR/ID, or NULL */
	struct jdoc resp;          /* the last response read, for its strings */
	char *resp_text;
	struct strbuf held;        /* the last list or object given, as JSON text */
	int marked;                /* render with missing values marked in place */
};

/* A value from a response's token: scalars as they are, a list or
 * object as its canonical JSON text (as play_fields_lookup gives them). */
static int resp_value(struct dry *dr, int tok, struct expr_value *out)
{
	int t = jdoc_type(&dr->resp, tok);
	double n;

	if (t == JD_STRING) {
		expr_value_set_str(out, jdoc_str(&dr->resp, tok));
	} else if (t == JD_NUMBER && !jdoc_double(&dr->resp, tok, &n)) {
		expr_value_set_num(out, n);
	} else if (t == JD_TRUE || t == JD_FALSE) {
		expr_value_set_bool(out, t == JD_TRUE);
	} else if (t == JD_ARRAY || t == JD_OBJECT) {
		strbuf_reset(&dr->held);
		jdoc_canonical(&dr->resp, tok, &dr->held);
		expr_value_set_str(out, strbuf_str(&dr->held));
	} else {
		return 1;
	}
	return 0;
}

/* steps.ID.inputs.NAME from --inputs, steps.ID.output[.PATH] from
 * --responses DIR/ID (JSON), steps.ID.state "done" for a step given
 * either; everything else as the incident would have it. */
static int dry_lookup(void *arg, const char *name, struct expr_value *out)
{
	struct dry *dr = arg;
	char id[128], path[4096];
	const char *dot, *rest;

	if (strncmp(name, "steps.", 6) || !(dot = strchr(name + 6, '.')) ||
	    (size_t)(dot - name - 6) >= sizeof id)
		return play_fields_lookup(dr->f, name, out);
	memcpy(id, name + 6, (size_t)(dot - name - 6));
	id[dot - name - 6] = '\0';
	rest = dot + 1;
	if (!strncmp(rest, "inputs.", 7)) {
		const char *in = rest + 7;
		size_t il = strlen(id), nl = strlen(in);
		for (int i = 0; i < dr->ninputs; i++) {
			const char *k = dr->inputs[i], *v = strchr(k, '=');
			if (!v)
				continue;
			if (((size_t)(v - k) == nl && !strncmp(k, in, nl)) ||
			    ((size_t)(v - k) == il + 1 + nl && !strncmp(k, id, il) && k[il] == '.' &&
			     !strncmp(k + il + 1, in, nl))) {
				expr_value_set_str(out, v + 1);
				return 0;
			}
		}
	}
	if (dr->responses && (!strncmp(rest, "output", 6) || !strcmp(rest, "state"))) {
		FILE *fp;
		snprintf(path, sizeof path, "%s/%s", dr->responses, id);
		if ((fp = fopen(path, "r"))) {
			size_t cap = 0;
			ssize_t n;
			struct strbuf sb = STRBUF_INIT;
			char *line = NULL;
			while ((n = getline(&line, &cap, fp)) >= 0)
				strbuf_add(&sb, line, (size_t)n);
			free(line);
			fclose(fp);
			free(dr->resp_text);
			dr->resp_text = strbuf_detach(&sb);
			jdoc_free(&dr->resp);
			jdoc_init(&dr->resp);
			if (!strcmp(rest, "state")) {
				expr_value_set_str(out, "done");
				return 0;
			}
			if (!dr->resp_text || jdoc_parse(&dr->resp, dr->resp_text,
							 strlen(dr->resp_text), NULL))
				return 1;
			if (!rest[6])
				return resp_value(dr, 0, out);
			if (rest[6] != '.')
				return 1;
			int tok = jdoc_path(&dr->resp, 0, rest + 7);
			return tok < 0 ? 1 : resp_value(dr, tok, out);
		}
	}
	return play_fields_lookup(dr->f, name, out);
}

/* Render a template; the source as written, and its missing value named,
 * when it has none here. Caller frees. */
static char *render(struct dry *dr, const char *src)
{
	struct irk_err err = { 0 };
	char *v = tmpl_render(src, dry_lookup, dr, &err);

	if (v)
		return v;
	strbuf_printf(&dr->missing, "%s%s", dr->missing.len ? "; " : "", err.msg);
	return dr->marked ? tmpl_render_marked(src, dry_lookup, dr, NULL) : xstrdup(src);
}

/* Value tok of d as JSON into w, its strings rendered. */
static void put_rendered(struct dry *dr, struct jsonw *w, const struct jdoc *d, int tok)
{
	int t = jdoc_type(d, tok);
	size_t n;
	const char *s;

	if (t == JD_STRING) {
		char *v = render(dr, jdoc_str(d, tok));
		struct jdoc j;
		/* "{{x | json}}" alone is a typed value, as the engine sends it */
		jdoc_init(&j);
		if (tmpl_src_is_json(jdoc_str(d, tok)) && !jdoc_parse(&j, v, strlen(v), NULL))
			jsonw_raw(w, v);
		else
			jsonw_str(w, v);
		jdoc_free(&j);
		free(v);
	} else if (t == JD_ARRAY) {
		jsonw_arr_begin(w);
		for (int e = jdoc_first(d, tok); e >= 0; e = jdoc_next(d, tok, e))
			put_rendered(dr, w, d, e);
		jsonw_arr_end(w);
	} else if (t == JD_OBJECT) {
		jsonw_obj_begin(w);
		for (int e = jdoc_first(d, tok); e >= 0; e = jdoc_next(d, tok, e)) {
			jsonw_key(w, jdoc_str(d, e - 1));
			put_rendered(dr, w, d, e);
		}
		jsonw_obj_end(w);
	} else if ((s = jdoc_scalar_text(d, tok, &n))) {
		char *raw = xstrndup(s, n);
		jsonw_raw(w, raw);
		free(raw);
	}
}

/* The values a `when` reads, "score = 80, alert.host = (missing)". */
struct reads {
	struct dry *dr;
	struct strbuf *out;
};

static void read_var(const char *name, int offset, void *arg)
{
	struct reads *r = arg;
	struct expr_value v;
	char buf[32];
	const char *text;

	(void)offset;
	text = dry_lookup(r->dr, name, &v) == 0 ? expr_value_text(&v, buf, sizeof buf) : NULL;
	strbuf_printf(r->out, "%s%s = %s", r->out->len ? ", " : "", name, text ? text : "(missing)");
}

/* The when of a step: 1 holds, 0 not, -1 none; what it read into out. */
static int step_when(struct dry *dr, const struct jdoc *d, int def, struct strbuf *out)
{
	int v = jdoc_get(d, def, "when");
	struct reads r = { dr, out };
	struct expr *e;
	int ok;

	if (v < 0 || !(e = expr_parse(jdoc_str(d, v), NULL)))
		return -1;
	expr_each_var(e, read_var, &r);
	ok = expr_eval(e, dry_lookup, dr);
	expr_free(&e);
	return ok;
}

static int read_alert(const char *path, struct config *cfg, struct alert *a, struct jdoc *d,
		      char **line)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 0;
	ssize_t n;
	struct jdoc_error je;
	struct irk_err err = { 0 };

	if (!fp) {
		fprintf(stderr, "irk play test: ");
		cli_put(stderr, path);
		perror(": cannot read");
		return -1;
	}
	/* The first record: one alert is what a dry run is about. */
	while ((n = getline(line, &cap, fp)) >= 0 && strspn(*line, " \t\r\n") == (size_t)n)
		;
	fclose(fp);
	if (n < 0 || jdoc_parse(d, *line, (size_t)n, &je)) {
		fprintf(stderr, "irk play test: ");
		cli_put(stderr, path);
		fprintf(stderr, ":1: %s\n", n < 0 ? "no alert in the file" : je.msg);
		return -1;
	}
	alert_reset(a);
	if (alert_parse(FMT_AUTO, d, *line, (size_t)n, config_mapping(cfg), a, &err)) {
		fprintf(stderr, "irk play test: ");
		cli_put(stderr, path);
		fprintf(stderr, ":1: ");
		cli_put(stderr, err.msg);
		fputc('\n', stderr);
		return -1;
	}
	return 0;
}

int cli_play_test(struct cli *c, const char *which, const char *alert_path, char **inputs,
		  int ninputs, const char *responses, int json)
{
	struct play_catalog cat;
	struct play_diags diags = PLAY_DIAGS_INIT;
	struct play *own = NULL;
	const struct play *p, *winner;
	struct irk_err err = { 0 };
	struct alert *a = xcalloc(1, sizeof *a);
	struct jdoc ad;
	struct incident inc = { 0 };
	struct dry dr = { NULL, STRBUF_INIT, inputs, ninputs, responses, { 0 }, NULL, STRBUF_INIT, 0 };
	struct strbuf out = STRBUF_INIT, reads = STRBUF_INIT;
	struct jsonw w;
	char *line = NULL;
	int rc = EXIT_USAGE, matches;

	jdoc_init(&ad);
	jdoc_init(&dr.resp);
	play_catalog_load(&cat, c->app.cfg, &err);
	if (strchr(which, '/') || strstr(which, ".json")) {
		play_load_file(which, &own, &diags);
		cli_play_diags(&diags);
		p = own;
	} else {
		p = play_catalog_find(&cat, which);
		if (!p) {
			fprintf(stderr, "irk play test: no play '");
			cli_put(stderr, which);
			fprintf(stderr, "' (irk play list shows them; or give a FILE)\n");
		}
	}
	if (!p || read_alert(alert_path, c->app.cfg, a, &ad, &line))
		goto out;
	/* The incident ingest would open for it (ingest.c open_incident). */
	inc.title = (char *)(a->rule_name && *a->rule_name ? a->rule_name : alert_rule(a));
	inc.severity = a->severity;
	inc.confidence = 50;
	inc.category = (char *)a->category;
	inc.rule = (char *)alert_rule(a);
	inc.host = (char *)a->host;
	inc.src_ip = (char *)a->src_ip;
	inc.t_first_event = inc.t_last_event = a->event_time;
	inc.stage = STAGE_NEW;
	inc.alert_count = 1;
	dr.f = play_fields_new(NULL, &inc, a);
	matches = expr_eval(p->match, play_fields_lookup, dr.f);
	winner = play_catalog_match(&cat, dr.f);
	if (winner && !strcmp(winner->id, p->id) && !own)
		winner = p;
	jsonw_init(&w, &out, 0);
	if (json) {
		jsonw_obj_begin(&w);
		jsonw_kv_bool(&w, "matches", matches);
		jsonw_kv_str(&w, "winner", winner ? winner->id : NULL);
		jsonw_key(&w, "steps");
		jsonw_arr_begin(&w);
	} else {
		printf("play ");
		cli_put(stdout, p->id);
		printf(" (%.12s) %s the alert (rule ", p->hash, matches ? "matches" : "does not match");
		cli_put(stdout, inc.rule);
		printf(")\n");
		if (!winner)
			printf("no play matches it\n");
		else if (strcmp(winner->id, p->id) || (own && winner != p && !matches)) {
			printf("play ");
			cli_put(stdout, winner->id);
			printf(" would win%s\n", matches ? " (first in matching order: irk play list)" : "");
		}
		printf("\nSteps as planned (nothing is run, written or sent):\n");
	}
	for (int i = 0; i < p->nsteps; i++) {
		const struct play_step *st = &p->steps[i];
		struct jdoc d;
		int when;

		jdoc_init(&d);
		if (jdoc_parse(&d, st->def, strlen(st->def), NULL)) {
			jdoc_free(&d);
			continue;
		}
		strbuf_reset(&reads);
		strbuf_reset(&dr.missing);
		when = step_when(&dr, &d, 0, &reads);
		if (json) {
			jsonw_obj_begin(&w);
			jsonw_kv_str(&w, "id", st->id);
			jsonw_kv_str(&w, "kind", step_kind_name(st->kind));
			jsonw_kv_str(&w, "stage", stage_name(st->stage));
			jsonw_key(&w, "when");
			if (when < 0)
				jsonw_null(&w);
			else
				jsonw_bool(&w, when);
		}
		struct strbuf would = STRBUF_INIT;
		struct jsonw ww;
		jsonw_init(&ww, &would, 0);
		jsonw_obj_begin(&ww);
		for (int e = jdoc_first(&d, 0); e >= 0; e = jdoc_next(&d, 0, e)) {
			const char *k = jdoc_str(&d, e - 1);
			if (in_list(common_keys, k))
				continue;
			jsonw_key(&ww, k);
			/* What a person reads shows its missing values in place,
			 * as the board does. */
			dr.marked = !strcmp(k, "instructions") || !strcmp(k, "checklist");
			put_rendered(&dr, &ww, &d, e);
			dr.marked = 0;
		}
		if (dr.missing.len)
			jsonw_kv_str(&ww, "missing", strbuf_str(&dr.missing));
		jsonw_obj_end(&ww);
		if (json) {
			jsonw_key(&w, "would");
			jsonw_raw(&w, strbuf_str(&would));
			jsonw_obj_end(&w);
		} else {
			printf("\n  %d. ", i + 1);
			cli_put(stdout, st->id);
			printf(" (%s, %s%s)\n", step_kind_name(st->kind), stage_name(st->stage),
			       st->required ? ", required" : "");
			if (when >= 0) {
				printf("     when: %s (", when ? "holds" : "does not hold: skipped");
				cli_put(stdout, strbuf_str(&reads));
				printf(")\n");
			}
			printf("     %s: ", step_kind_automated(st->kind) ? "would run" : "would show");
			cli_put(stdout, strbuf_str(&would));
			putchar('\n');
		}
		strbuf_free(&would);
		jdoc_free(&d);
	}
	if (json) {
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
		puts(strbuf_str(&out));
	}
	rc = matches ? EXIT_OK : EXIT_ERR;
out:
	play_fields_free(&dr.f);
	jdoc_free(&dr.resp);
	free(dr.resp_text);
	strbuf_free(&dr.missing);
	strbuf_free(&dr.held);
	strbuf_free(&reads);
	strbuf_free(&out);
	free(line);
	jdoc_free(&ad);
	free(a);
	play_free(&own);
	play_diags_free(&diags);
	play_catalog_free(&cat);
	return rc;
}
