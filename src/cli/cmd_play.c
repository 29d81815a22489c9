/* cmd_play.c: play, step, approve, deny, outbox; and the plays that
 * ingest and demo match new incidents against. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/ingest.h"
#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/play.h"
#include "irk/sanitize.h"
#include "irk/store.h"
#include "irk/template.h"

/* ---- shared with ingest, demo and move ------------------------------------ */

static void print_diags(const struct play_diags *d, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < d->n; i++) {
		strbuf_reset(&sb);
		play_diag_format(&d->v[i], &sb);
		fputs("irk: ", stderr);
		cli_put(stderr, strbuf_str(&sb));
		fprintf(stderr, "%s\n", d->v[i].warning ? "" : suffix);
	}
	strbuf_free(&sb);
}

int cli_plays_load(struct cli *c, struct play_catalog *cat, int strict)
{
	struct irk_err err = { 0 };

	play_catalog_load(cat, c->app.cfg, &err);
	print_diags(&cat->diags, strict ? "" : " (this play is not loaded)");
	/* A site play that fails lint would leave its alerts to whatever
	 * play matches next (often a bundled one): nobody would notice.
	 * Refuse instead, before any input is read. */
	if (strict && cat->diags.errors) {
		fprintf(stderr, "irk: %d error%s in the play directories: fix %s (irk play lint) "
			"before irk matches alerts to plays\n", cat->diags.errors,
			cat->diags.errors == 1 ? "" : "s", cat->diags.errors == 1 ? "it" : "them");
		play_catalog_free(cat);
		return EXIT_ERR;
	}
	if (c->app.store && play_catalog_register(c->app.store, cat, &err)) {
		play_catalog_free(cat);
		return cli_report(&err);
	}
	return EXIT_OK;
}

void cli_plays_hook(struct ingest_opts *o, struct play_catalog *cat)
{
	o->open_incident = cat->n ? play_open_incident : NULL;
	o->storm_of = cat->n ? play_storm_of : NULL;
	o->hook_arg = cat;
}

int cli_plays_advance(struct cli *c, int64_t id, const char *actor)
{
	struct irk_err err = { 0 };

	if (store_begin(c->app.store, &err))
		return cli_report(&err);
	if (play_advance(c->app.store, id, actor, NULL, &err)) {
		store_rollback(c->app.store);
		return cli_report(&err);
	}
	if (store_commit(c->app.store, &err))
		return cli_report(&err);
	return EXIT_OK;
}

/* ---- play lint | list | show ----------------------------------------------- */

void cli_play_diags(const struct play_diags *d)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < d->n; i++) {
		strbuf_reset(&sb);
		play_diag_format(&d->v[i], &sb);
		cli_put(stderr, strbuf_str(&sb));
		fputc('\n', stderr);
	}
	strbuf_free(&sb);
}

static struct store *store_if_any(struct cli *c);

/* Where the first "key": "value" after offset from sits in src, as
 * LINE:COL; 0:0 when not found. */
static void source_place(const char *src, const char *from, const char *value, int *line,
			 int *col)
{
	const char *at = from ? strstr(src, from) : NULL;
	const char *hit = at ? strstr(at, value) : NULL;

	*line = *col = 0;
	if (!hit)
		return;
	*line = 1;
	*col = 1;
	for (const char *q = src; q < hit; q++) {
		if (*q == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)*q & 0xc0) != 0x80) {
			++*col;
		}
	}
}

/* A set step giving the incident an owner who is no user of this
 * database (lint alone cannot know the users): a warning naming the users
 * known. Only when a database is there and has users. */
static void lint_owners(struct cli *c, const struct play *p, struct play_diags *d)
{
	struct store *s = NULL;
	struct user *users = NULL;
	size_t nusers = 0;
	struct irk_err err = { 0 };

	for (int i = 0; i < p->nsteps; i++) {
		struct jdoc j;
		int f, o;
		const char *who;
		if (p->steps[i].kind != KIND_SET)
			continue;
		jdoc_init(&j);
		if (jdoc_parse(&j, p->steps[i].def, strlen(p->steps[i].def), NULL) ||
		    (f = jdoc_get(&j, 0, "fields")) < 0 || (o = jdoc_get(&j, f, "owner")) < 0 ||
		    !(who = jdoc_str(&j, o)) || strstr(who, "{{")) {
			jdoc_free(&j);
			continue;
		}
		if (!s && !(s = store_if_any(c))) {
			jdoc_free(&j);
			return;
		}
		if (!users && !nusers && store_user_list(s, &users, &nusers, &err)) {
			jdoc_free(&j);
			return;
		}
		if (nusers && store_user_role(s, who) < 0) {
			struct strbuf msg = STRBUF_INIT, id = STRBUF_INIT, val = STRBUF_INIT;
			int line, col;
			strbuf_printf(&msg, "step %s sets owner '%s', who is not a user here (users: ",
				      p->steps[i].id, who);
			for (size_t k = 0; k < nusers; k++)
				strbuf_printf(&msg, "%s%s", k ? ", " : "", users[k].name);
			strbuf_puts(&msg, ")");
			strbuf_printf(&id, "\"%s\"", p->steps[i].id);
			strbuf_printf(&val, "\"%s\"", who);
			source_place(p->source, strbuf_str(&id), strbuf_str(&val), &line, &col);
			play_diags_add(d, p->path, line, col, 1, strbuf_str(&msg));
			strbuf_free(&msg);
			strbuf_free(&id);
			strbuf_free(&val);
		}
		jdoc_free(&j);
	}
	free(users);
}

static int lint_file(struct cli *c, const char *path, int *errors)
{
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;

	play_load_file(path, &p, &d);
	if (p)
		lint_owners(c, p, &d);
	cli_play_diags(&d);
	if (p) {
		cli_put(stdout, path);
		printf(": ok (play ");
		cli_put(stdout, p->id);
		printf(", %d step%s%s)\n", p->nsteps, p->nsteps == 1 ? "" : "s",
		       d.warnings ? ", with warnings" : "");
	}
	*errors += d.errors;
	play_diags_free(&d);
	play_free(&p);
	return 0;
}

static int loaded_path(const struct play_catalog *cat, const char *path)
{
	for (size_t i = 0; i < cat->n; i++)
		if (!strcmp(cat->v[i]->path, path))
			return 1;
	return 0;
}

/* Every play file in the search path, for `irk play lint` alone. */
static int lint_catalog(struct cli *c, int *errors)
{
	struct play_catalog cat;
	struct irk_err err = { 0 };
	int files = 0;

	play_catalog_load(&cat, c->app.cfg, &err);
	/* Loaded plays were clean; the rest carry their diagnostics. */
	for (size_t i = 0; i < cat.n; i++, files++)
		lint_file(c, cat.v[i]->path, errors);
	for (size_t i = 0; i < cat.diags.n; i++) {
		if (i && !strcmp(cat.diags.v[i].file, cat.diags.v[i - 1].file))
			continue;
		/* A loaded play's warnings are here too: linted above. */
		if (loaded_path(&cat, cat.diags.v[i].file))
			continue;
		files++;
		lint_file(c, cat.diags.v[i].file, errors);
	}
	play_catalog_free(&cat);
	return files;
}

static void json_play(struct jsonw *w, const struct play *p, int steps)
{
	jsonw_kv_str(w, "play", p->id);
	jsonw_kv_str(w, "name", p->name);
	jsonw_kv_str(w, "version", p->version);
	jsonw_kv_str(w, "hash", p->hash);
	jsonw_kv_int(w, "priority", p->priority);
	jsonw_kv_str(w, "category", p->category);
	jsonw_kv_str(w, "severity", p->severity >= 0 ? severity_name(p->severity) : NULL);
	jsonw_kv_str(w, "match", p->match_src);
	jsonw_kv_str(w, "path", p->path);
	jsonw_kv_int(w, "step_count", p->nsteps);
	if (!steps)
		return;
	jsonw_kv_str(w, "description", p->description);
	jsonw_key(w, "steps");
	jsonw_arr_begin(w);
	for (int i = 0; i < p->nsteps; i++)
		jsonw_raw(w, p->steps[i].def);
	jsonw_arr_end(w);
}

/* The column a version label needs, at least w. */
static int version_width(const char *version, int w)
{
	size_t n = version ? strlen(version) : 0;

	return n > (size_t)w ? (int)n : w;
}

static int play_list(struct cli *c, int json)
{
	struct play_catalog cat;
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	int rc = cli_plays_load(c, &cat, 0);

	if (rc)
		return rc;
	if (json) {
		jsonw_init(&w, &out, 0);
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < cat.n; i++) {
			jsonw_obj_begin(&w);
			json_play(&w, cat.v[i], 0);
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
	} else {
		/* A label is shown whole ("2024.05-1"): the column is as wide
		 * as the widest, and the name (last) gives way. */
		int vw = 7;
		for (size_t i = 0; i < cat.n; i++)
			vw = version_width(cat.v[i]->version, vw);
		printf("%-4s %-24s %-*s %-5s %-12s %s\n", "PRI", "PLAY", vw, "VERSION", "STEPS", "HASH",
		       "NAME");
		for (size_t i = 0; i < cat.n; i++) {
			const struct play *p = cat.v[i];
			printf("%-4d ", p->priority);
			cli_put_col(stdout, p->id, 24);
			putchar(' ');
			cli_put_col(stdout, p->version, vw);
			printf(" %-5d %.12s ", p->nsteps, p->hash);
			cli_put(stdout, p->name);
			putchar('\n');
		}
		printf("\n%zu play%s in matching order (priority, then directory, then id), from:\n",
		       cat.n, cat.n == 1 ? "" : "s");
		if (!cat.ndirs)
			printf("  (no play directory found: set $IRK_PLAYS or plays.path)\n");
		for (size_t i = 0; i < cat.ndirs; i++) {
			printf("  %zu. ", i + 1);
			cli_put(stdout, cat.dirs[i]);
			putchar('\n');
		}
	}
	play_catalog_free(&cat);
	return EXIT_OK;
}

/* The database, when there is one: play show works without it. */
static struct store *store_if_any(struct cli *c)
{
	const char *env = getenv("IRK_DB");
	const char *path = c->app.db_opt ? c->app.db_opt : env && *env ? env : NULL;

	if (path && access(path, F_OK))
		return NULL;
	if (!path) {
		char def[4096];
		const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
		snprintf(def, sizeof def, x && *x ? "%s/irk/irk.db" : "%s/.local/share/irk/irk.db",
			 x && *x ? x : home && *home ? home : ".");
		if (access(def, F_OK))
			return NULL;
	}
	return cli_store(c, 0);
}

struct versions {
	struct store *s;           /* for the incidents of each version */
	int n, json;
	int vw;                    /* the version column: the widest label */
	struct jsonw *w;
	const char *want_hash;
	char *source, *path;       /* of the version asked for */
};

struct keys {
	int n;
};

static int key_row(const struct incident *inc, void *arg)
{
	struct keys *k = arg;
	char key[32];

	printf("%s%s", k->n++ ? ", " : "", incident_key(inc->id, key, sizeof key));
	return 0;
}

/* The incidents that run version v (the first few; irk list --play gives
 * them all). */
static void version_incidents(struct store *s, const struct play_version_row *v)
{
	struct incident_filter f = INCIDENT_FILTER_ALL;
	struct irk_err err = { 0 };
	struct keys k = { 0 };

	f.play = v->play_id;
	f.play_version = v->hash;
	f.card = 1;
	f.limit = 10;
	printf("                incidents: ");
	store_incident_each(s, &f, key_row, &k, &err);
	if (v->incidents > k.n) {
		printf(" and %lld more (irk list --all --play ", (long long)(v->incidents - k.n));
		cli_put(stdout, v->play_id);
		printf(" --version %.12s)", v->hash);
	}
	putchar('\n');
}

static int version_row(const struct play_version_row *v, void *arg)
{
	struct versions *vs = arg;
	char t[32];

	if (vs->want_hash) {
		if (!vs->source && !strncmp(v->hash, vs->want_hash, strlen(vs->want_hash))) {
			vs->source = xstrdup(v->source);
			vs->path = xstrdup(v->path);
		}
		return 0;
	}
	if (vs->vw < 0) {          /* the pass that measures */
		vs->vw = -version_width(v->version, -vs->vw);
		return 0;
	}
	vs->n++;
	if (vs->json) {
		jsonw_obj_begin(vs->w);
		jsonw_kv_str(vs->w, "hash", v->hash);
		jsonw_kv_str(vs->w, "version", v->version);
		jsonw_kv_time(vs->w, "loaded", v->loaded);
		jsonw_kv_str(vs->w, "path", v->path);
		jsonw_kv_int(vs->w, "incidents", v->incidents);
		jsonw_obj_end(vs->w);
		return 0;
	}
	printf("  %.12s  version ", v->hash);
	cli_put_col(stdout, v->version, vs->vw);
	printf(" first loaded %s, %lld incident%s  ", irk_time_short(v->loaded, t, sizeof t),
	       (long long)v->incidents, v->incidents == 1 ? "" : "s");
	cli_put(stdout, v->path);
	putchar('\n');
	if (v->incidents && vs->s)
		version_incidents(vs->s, v);
	return 0;
}

static int newest_path(const struct play_version_row *v, void *arg)
{
	char **path = arg;

	if (!*path)
		*path = xstrdup(v->path);
	return 0;
}

/* Is the file of play id's newest recorded version one that now fails
 * lint? Then the catalog's play of that id is a stand-in (a bundled one),
 * and show must say what ran. *file: that file (caller frees). */
static int newest_broken(struct store *s, const struct play_catalog *cat, const char *id,
		char **file)
{
	struct irk_err err = { 0 };
	char *path = NULL;

	store_play_each(s, id, NULL, newest_path, &path, &err);
	for (size_t i = 0; path && i < cat->diags.n; i++) {
		if (!cat->diags.v[i].warning && !strcmp(cat->diags.v[i].file, path)) {
			*file = path;
			return 1;
		}
	}
	free(path);
	return 0;
}

static void show_steps(const struct play *p)
{
	printf("\n  %-3s %-18s %-16s %-9s %-3s %s\n", "#", "STEP", "STAGE", "KIND", "REQ", "TITLE");
	for (int i = 0; i < p->nsteps; i++) {
		const struct play_step *st = &p->steps[i];
		printf("  %-3d ", i + 1);
		cli_put_col(stdout, st->id, 18);
		printf(" %-16s %-9s %-3s ", stage_name(st->stage), step_kind_name(st->kind),
		       st->required ? "yes" : "");
		cli_put(stdout, st->title);
		if (st->nneeds) {
			printf("  [needs ");
			for (int k = 0; k < st->nneeds; k++) {
				printf("%s", k ? ", " : "");
				cli_put(stdout, p->steps[st->needs[k]].id);
			}
			putchar(']');
		}
		putchar('\n');
	}
}

static int play_show(struct cli *c, const char *id, const char *hash, int json)
{
	struct play_catalog cat;
	struct irk_err err = { 0 };
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *stored = NULL;
	const struct play *p;
	struct store *s;
	struct versions vs = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	char *broken = NULL;
	int rc = EXIT_OK;

	play_catalog_load(&cat, c->app.cfg, &err);
	p = hash ? NULL : play_catalog_find(&cat, id);
	s = store_if_any(c);
	if (s && !hash && newest_broken(s, &cat, id, &broken))
		p = NULL;          /* its file fails lint: another play stood in */
	if (!p && s) {
		/* A version that ran once but is no longer (or not yet) in a
		 * play directory: the database keeps its source. */
		vs.want_hash = hash ? hash : "";
		store_play_each(s, id, NULL, version_row, &vs, &err);
		if (vs.source)
			play_parse(vs.path, vs.source, strlen(vs.source), &stored, &d);
		p = stored;
		vs.want_hash = NULL;
	}
	if (!p) {
		fprintf(stderr, "irk: no play '");
		cli_put(stderr, id);
		if (hash) {
			fprintf(stderr, "' with version ");
			cli_put(stderr, hash);
			fprintf(stderr, "\n");
		} else {
			fprintf(stderr, "' (irk play list shows them)\n");
		}
		rc = EXIT_ERR;
		goto out;
	}
	if (json) {
		jsonw_init(&w, &out, 1);
		jsonw_obj_begin(&w);
		json_play(&w, p, 1);
		jsonw_key(&w, "versions");
		jsonw_arr_begin(&w);
		vs.json = 1;
		vs.w = &w;
		if (s)
			store_play_each(s, p->id, NULL, version_row, &vs, &err);
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
		puts(strbuf_str(&out));
		goto out;
	}
	cli_put(stdout, p->id);
	printf(": ");
	cli_put(stdout, p->name);
	printf("\n\n  %-12s ", "version");
	cli_put(stdout, p->version);
	printf(" (%.12s)%s\n", p->hash, stored ? ", from the database" : "");
	if (broken) {
		printf("  %-12s ", "broken");
		cli_put(stdout, broken);
		printf(" fails lint (irk play lint): ingest and serve refuse to run\n");
	}
	printf("  %-12s ", "file");
	cli_put(stdout, p->path);
	printf("\n  %-12s %d\n  %-12s ", "priority", p->priority, "category");
	cli_put(stdout, p->category ? p->category : "-");
	printf("\n  %-12s %s\n  %-12s ", "severity", p->severity >= 0 ? severity_name(p->severity) : "-",
	       "match");
	cli_put(stdout, p->match_src);
	putchar('\n');
	if (p->description && *p->description) {
		printf("\n  ");
		cli_put(stdout, p->description);
		putchar('\n');
	}
	show_steps(p);
	if (s) {
		printf("\nVersions in the database (newest first)\n");
		vs.vw = -6;
		store_play_each(s, p->id, NULL, version_row, &vs, &err);
		vs.vw = -vs.vw;
		vs.s = s;
		store_play_each(s, p->id, NULL, version_row, &vs, &err);
		if (!vs.n)
			printf("  (none yet: versions are recorded when alerts are ingested)\n");
	}
out:
	strbuf_free(&out);
	free(broken);
	free(vs.source);
	free(vs.path);
	play_free(&stored);
	play_diags_free(&d);
	play_catalog_free(&cat);
	return rc;
}

int cmd_play(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_VERSION, O_INPUTS, O_RESPONSES, O_REASON, O_STAGES, O_CACAO };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "reason", required_argument, NULL, O_REASON },
		{ "version", required_argument, NULL, O_VERSION },
		{ "inputs", required_argument, NULL, O_INPUTS },
		{ "responses", required_argument, NULL, O_RESPONSES },
		{ "output", required_argument, NULL, 'o' },
		{ "stages", required_argument, NULL, O_STAGES },
		{ "cacao", no_argument, NULL, O_CACAO },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("play");
	const char *sub, *hash = NULL, *responses = NULL, *reason = NULL, *output = NULL,
		   *stages = NULL;
	char **inputs = xcalloc((size_t)argc + 1, sizeof *inputs);
	int opt, json = 0, ninputs = 0, rc, cacao = 0;

	while ((opt = cli_getopt(c, cmd, argc, argv, "o:", opts)) != -1) {
		if (opt == O_JSON)
			json = 1;
		else if (opt == 'o')
			output = optarg;
		else if (opt == O_STAGES)
			stages = optarg;
		else if (opt == O_CACAO)
			cacao = 1;
		else if (opt == O_VERSION)
			hash = optarg;
		else if (opt == O_RESPONSES)
			responses = optarg;
		else if (opt == O_REASON)
			reason = optarg;
		else if (opt == O_INPUTS && !strchr(optarg, '='))
			return free(inputs), cli_usage_error(cmd, "--inputs: '%s' is not NAME=VALUE",
							     optarg);
		else if (opt == O_INPUTS)
			inputs[ninputs++] = optarg;
	}
	if (optind >= argc || strcmp(argv[optind], "test")) {
		free(inputs);           /* for play test only */
		inputs = NULL;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "lint, list, show or test?");
	sub = argv[optind++];
	if (strcmp(sub, "import") && strcmp(sub, "export") && output)
		return cli_usage_error(cmd, "-o goes with import and export");
	if (strcmp(sub, "import") && stages)
		return cli_usage_error(cmd, "--stages goes with import");
	if (strcmp(sub, "export") && cacao)
		return cli_usage_error(cmd, "--cacao goes with export");
	if (!strcmp(sub, "lint")) {
		int errors = 0, files = 0;
		if (optind == argc)
			files = lint_catalog(c, &errors);
		for (; optind < argc; optind++, files++)
			lint_file(c, argv[optind], &errors);
		if (!files)
			fprintf(stderr, "irk: no play files found (give FILE... or set $IRK_PLAYS)\n");
		if (errors)
			fprintf(stderr, "%d error%s\n", errors, errors == 1 ? "" : "s");
		return errors || !files ? EXIT_ERR : EXIT_OK;
	}
	if (!strcmp(sub, "list")) {
		if (optind < argc)
			return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
		return play_list(c, json);
	}
	if (!strcmp(sub, "test")) {
		if (optind + 2 != argc)
			return cli_usage_error(cmd, "test ID|FILE ALERT.jsonl");
		rc = cli_play_test(c, argv[optind], argv[optind + 1], inputs, ninputs, responses, json);
		free(inputs);
		return rc;
	}
	if (!strcmp(sub, "import")) {
		if (optind + 1 != argc)
			return cli_usage_error(cmd, "import FILE.json (a CACAO 2.0 playbook)");
		return cli_play_import(c, argv[optind], output, stages);
	}
	if (!strcmp(sub, "export")) {
		if (optind + 1 != argc)
			return cli_usage_error(cmd, "which play?");
		return cli_play_export(c, argv[optind], cacao, output);
	}
	if (!strcmp(sub, "show")) {
		if (optind + 1 != argc)
			return cli_usage_error(cmd, "which play?");
		return play_show(c, argv[optind], hash, json);
	}
	if (!strcmp(sub, "assign")) {
		struct play_catalog cat = { 0 };
		struct irk_err err = { 0 };
		const struct play *p;
		int64_t id;
		if (optind + 2 != argc)
			return cli_usage_error(cmd, "give an incident and a play");
		if (!(id = cli_key(cmd, argv[optind])))
			return EXIT_USAGE;
		if (!cli_store(c, 0))
			return EXIT_ERR;
		if ((rc = cli_plays_load(c, &cat, 0)))
			return rc;
		if (!(p = play_catalog_find(&cat, argv[optind + 1]))) {
			play_catalog_free(&cat);
			fprintf(stderr, "irk: play assign: no play '");
			cli_put(stderr, argv[optind + 1]);
			fprintf(stderr, "' (irk play list)\n");
			return EXIT_ERR;
		}
		rc = play_attach(c->app.store, &c->app.actor, id, p, reason, &err);
		play_catalog_free(&cat);
		if (rc)
			return cli_report_hint(&err, id, NULL);
		cli_steps_print(c, id, NULL);
		return EXIT_OK;
	}
	return cli_usage_error(cmd, "'%s': lint, list, show, assign, test, import or export?", sub);
}

/* ---- step list | show | done | skip | retry, approve, deny ------------------ */

/* Step states before an action, to say what the action made due. */
struct snapshot {
	char (*ids)[64];
	int *states;
	int n;
	int json;
	struct jsonw *w;
	struct strbuf pending;     /* "STEP\tWHY\n" of pending steps (step list) */
	int idw;                   /* the STEP column: the longest id, at least 16 */
};

static int pending_why(const char *step_id, const char *why, void *arg)
{
	strbuf_printf(arg, "%s\t%s\n", step_id, why);
	return 0;
}

/* Why pending step id waits (from sn->pending), or NULL; into buf. */
static const char *pending_note(const struct snapshot *sn, const char *id, char *buf, size_t n)
{
	const char *p = sn->pending.len ? strbuf_str(&sn->pending) : "";
	size_t len = strlen(id);

	for (; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, id, len) && p[len] == '\t') {
			size_t w = strcspn(p + len + 1, "\n");
			snprintf(buf, n, "%.*s", (int)w, p + len + 1);
			return buf;
		}
	}
	return NULL;
}

static int id_width(const struct step_row *r, void *arg)
{
	int *w = arg;
	int n = (int)strlen(r->step_id);

	if (n > *w)
		*w = n;
	return 0;
}

static int snap_row(const struct step_row *r, void *arg)
{
	struct snapshot *sn = arg;

	sn->ids = xrealloc(sn->ids, (size_t)(sn->n + 1) * sizeof *sn->ids);
	sn->states = xrealloc(sn->states, (size_t)(sn->n + 1) * sizeof *sn->states);
	irk_strlcpy(sn->ids[sn->n], r->step_id, sizeof sn->ids[0]);
	sn->states[sn->n++] = r->state;
	return id_width(r, &sn->idw);
}

static void snapshot_free(struct snapshot *sn)
{
	free(sn->ids);
	free(sn->states);
	memset(sn, 0, sizeof *sn);
}

/* "who" of a step for the list: who did it, who asked, who runs it. */
static const char *step_who(const struct step_row *r)
{
	if (r->done_by)
		return r->done_by;
	if (r->state == STEP_RUNNING && r->lease_owner)
		return r->lease_owner;
	if (r->requested_by)
		return r->requested_by;
	return r->assignee ? r->assignee : "-";
}

/* JSON text stored by the engine goes out as JSON when it parses. */
static void json_raw_or_str(struct jsonw *w, const char *key, const char *text)
{
	struct jdoc d;
	struct jdoc_error je;

	jsonw_key(w, key);
	if (!text) {
		jsonw_null(w);
		return;
	}
	jdoc_init(&d);
	if (!jdoc_parse(&d, text, strlen(text), &je))
		jsonw_raw(w, text);
	else
		jsonw_str(w, text);
	jdoc_free(&d);
}

/* A step as `step list --json` prints it (irk(1) JSON OUTPUT): the
 * members, into an open object. */
static void json_step(struct jsonw *w, const struct step_row *r)
{
	jsonw_kv_str(w, "step", r->step_id);
	jsonw_kv_int(w, "seq", r->seq);
	jsonw_kv_str(w, "kind", r->kind);
	jsonw_kv_str(w, "stage", stage_name(r->stage));
	jsonw_kv_str(w, "state", step_state_name(r->state));
	jsonw_kv_bool(w, "required", r->required);
	jsonw_kv_str(w, "title", r->title);
	jsonw_kv_str(w, "assignee", r->assignee);
	jsonw_kv_int(w, "attempts", r->attempts);
	jsonw_kv_int(w, "retry", r->retry);
	jsonw_kv_str(w, "requested_by", r->requested_by);
	jsonw_kv_str(w, "done_by", r->done_by);
	jsonw_kv_str(w, "lease_owner", r->lease_owner);
	jsonw_kv_str(w, "reason", r->reason);
	jsonw_kv_str(w, "error", r->error);
	jsonw_kv_time(w, "started", r->t_start);
	jsonw_kv_time(w, "ended", r->t_end);
	json_raw_or_str(w, "inputs", r->inputs);
	json_raw_or_str(w, "output", r->output);
	json_raw_or_str(w, "definition", r->def);
}

static int list_row(const struct step_row *r, void *arg)
{
	struct snapshot *sn = arg;
	struct jsonw *w = sn->w;
	const char *note = NULL;
	char why[512];

	if (sn->json) {
		jsonw_obj_begin(w);
		json_step(w, r);
		jsonw_obj_end(w);
		return 0;
	}
	sn->n++;
	printf("  %-3d ", sn->n);     /* its place in the list (a changed play's old steps come first) */
	cli_put_col(stdout, r->step_id, sn->idw);
	printf(" %-16s %-8s %-8s %-3s ", stage_name(r->stage), r->kind, step_state_name(r->state),
	       r->required ? "yes" : "");
	cli_put_col(stdout, step_who(r), 10);
	putchar(' ');
	cli_put(stdout, r->title);
	if (r->state == STEP_SKIPPED)
		note = r->reason;
	else if (r->state == STEP_FAILED)
		note = r->reason ? r->reason : r->error;
	else if (r->state == STEP_PENDING)
		note = pending_note(sn, r->step_id, why, sizeof why);
	if (note) {
		printf("  (");
		cli_put(stdout, note);
		putchar(')');
	}
	putchar('\n');
	return 0;
}

/* The steps of incident id as a table (its header, then a row a step,
 * ids whole: a changed play's old ones are "PLAY/STEP") or into sn->w. */
static int steps_table(struct cli *c, int64_t id, struct snapshot *sn, struct irk_err *err)
{
	if (!sn->json) {
		sn->idw = 16;
		store_step_each(c->app.store, id, id_width, &sn->idw, NULL);
		printf("  %-3s %-*s %-16s %-8s %-8s %-3s %-10s %s\n", "#", sn->idw, "STEP", "STAGE",
		       "KIND", "STATE", "REQ", "WHO", "TITLE");
	}
	return store_step_each(c->app.store, id, list_row, sn, err);
}

void cli_steps_print(struct cli *c, int64_t id, struct jsonw *w)
{
	struct snapshot sn = { .json = w != NULL, .w = w };

	steps_table(c, id, &sn, NULL);
}

static int step_list(struct cli *c, int64_t id, int json)
{
	struct incident inc;
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	struct snapshot sn = { 0 };
	char key[24];
	int rc;

	if (store_incident_get(c->app.store, id, &inc, &err))
		return cli_report(&err);
	/* Catch up with moves made while no engine ran. */
	if (inc.play && (rc = cli_plays_advance(c, id, PLAY_ENGINE_ACTOR))) {
		incident_clear(&inc);
		return rc;
	}
	sn.json = json;
	sn.w = &w;
	if (!json && inc.play)
		play_pending_each(c->app.store, &inc, pending_why, &sn.pending, NULL);
	if (json) {
		jsonw_init(&w, &out, 0);
		jsonw_arr_begin(&w);
	} else {
		printf("%s  ", incident_key(id, key, sizeof key));
		cli_put(stdout, inc.title);
		printf("\n  stage %s", stage_name(inc.stage));
		if (inc.play) {
			printf(", play ");
			cli_put(stdout, inc.play);
			printf(" (version %.12s)", inc.play_version ? inc.play_version : "?");
		}
		printf("\n\n");
	}
	rc = steps_table(c, id, &sn, &err);
	if (json) {
		jsonw_arr_end(&w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
	} else if (!sn.n) {
		printf("  (no steps: %s runs no play)\n", key);
	}
	strbuf_free(&sn.pending);
	incident_clear(&inc);
	return rc ? cli_report(&err) : EXIT_OK;
}

/* ---- step show ------------------------------------------------------------------- */

/* What step show prints, read once for the text and the JSON forms. */
struct shown {
	struct step_row r;         /* owned copy */
	char key[24];
	struct jdoc def, ticks;    /* the definition; the checklist's ticks by item */
	int def_ok;
	struct play_fields *f;     /* templates of the definition see the incident */
	struct play_inputs in;     /* the inputs it declares */
};

static int copy_step(const struct step_row *r, void *arg)
{
	store_step_row_copy(arg, r);
	return 0;
}

struct first_alert {
	struct play_fields **f;
	struct store *s;
	const struct incident *inc;
};

static int with_alert(const struct alert *a, void *arg)
{
	struct first_alert *fa = arg;

	*fa->f = play_fields_new(fa->s, fa->inc, a);
	return 1;
}

/* Text from the definition, its templates expanded, each missing value
 * marked in place (caller frees). */
static char *render(struct play_fields *f, const char *src)
{
	return tmpl_render_marked(src, play_fields_lookup, f, NULL);
}

static void put_text(struct play_fields *f, const char *label, const char *src)
{
	char *t = render(f, src);
	struct strbuf sb = STRBUF_INIT;

	printf("%s", label);
	sanitize_append(&sb, t, strlen(t), SAN_KEEP_NL);
	fwrite(strbuf_str(&sb), 1, sb.len, stdout);
	putchar('\n');
	strbuf_free(&sb);
	free(t);
}

static void put_json_block(const char *label, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	if (!text || !*text)
		return;
	printf("\n%s\n  ", label);
	sanitize_append(&sb, text, strlen(text) > 8192 ? 8192 : strlen(text), 0);
	fwrite(strbuf_str(&sb), 1, sb.len, stdout);
	printf("%s\n", strlen(text) > 8192 ? " ..." : "");
	strbuf_free(&sb);
}

/* Token of key in the definition, when it has the type wanted; else -1. */
static int def_get(const struct shown *sh, const char *key, int type)
{
	int v = sh->def_ok ? jdoc_get(&sh->def, 0, key) : -1;

	return v >= 0 && jdoc_type(&sh->def, v) == type ? v : -1;
}

/* The tick of checklist item i ({"by", "at"}), or -1. */
static int tick_of(const struct shown *sh, int item)
{
	char num[16];

	snprintf(num, sizeof num, "%d", item);
	return jdoc_get(&sh->ticks, 0, num);
}

static void show_text(const struct shown *sh)
{
	const struct step_row *r = &sh->r;
	const struct jdoc *d = &sh->def;
	char t1[32], t2[32];
	int v;

	printf("%s step ", sh->key);
	cli_put(stdout, r->step_id);
	printf(": ");
	cli_put(stdout, r->title ? r->title : "");
	printf("\n\n  %-10s %s, stage %s%s\n", "kind", r->kind, stage_name(r->stage),
	       r->required ? ", required" : "");
	printf("  %-10s %s", "state", step_state_name(r->state));
	if (r->done_by) {
		printf(" by ");
		cli_put(stdout, r->done_by);
	}
	if (r->requested_by) {
		printf(" (asked by ");
		cli_put(stdout, r->requested_by);
		putchar(')');
	}
	printf("\n  %-10s %d%s\n", "attempts", r->attempts, r->retry ? " (retries allowed)" : "");
	if (r->t_start || r->t_end)
		printf("  %-10s %s .. %s\n", "time", irk_time_short(r->t_start, t1, sizeof t1),
		       irk_time_short(r->t_end, t2, sizeof t2));
	if (r->reason) {
		printf("  %-10s ", "reason");
		cli_put(stdout, r->reason);
		putchar('\n');
	}
	if (r->error) {
		printf("  %-10s ", "error");
		cli_put(stdout, r->error);
		putchar('\n');
	}
	if ((v = def_get(sh, "instructions", JD_STRING)) >= 0)
		put_text(sh->f, "\nInstructions\n  ", jdoc_str(d, v));
	if ((v = def_get(sh, "checklist", JD_ARRAY)) >= 0) {
		int item = 0;
		printf("\nChecklist%s\n", def_get(sh, "checklist_required", JD_TRUE) >= 0 ?
		       " (every item is ticked before done)" : "");
		for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e), item++) {
			int t = tick_of(sh, item);
			if (!jdoc_str(d, e))
				continue;
			printf("%2d ", item + 1);
			put_text(sh->f, t >= 0 ? "[x] " : "[ ] ", jdoc_str(d, e));
			if (t >= 0) {
				/* Who ticked it, and when: "    ticked by alice, 05-13 10:02" */
				int by = jdoc_get(&sh->ticks, t, "by"), at = jdoc_get(&sh->ticks, t, "at");
				int64_t when = 0;
				char ts[32];
				if (at >= 0)
					jdoc_int(&sh->ticks, at, &when);
				printf("       ticked by ");
				cli_put(stdout, by >= 0 && jdoc_str(&sh->ticks, by) ? jdoc_str(&sh->ticks, by) : "?");
				printf(", %s\n", irk_time_short(when, ts, sizeof ts));
			}
		}
	}
	if (sh->in.n) {
		printf("\nInputs (irk step done %s ", sh->key);
		cli_put(stdout, r->step_id);
		printf(" --input NAME=VALUE)\n");
		for (int i = 0; i < sh->in.n; i++) {
			const struct play_input *pi = &sh->in.v[i];
			struct strbuf sb = STRBUF_INIT;
			printf("  ");
			cli_put_col(stdout, pi->name, 16);
			printf(" %s", pi->required ? "required  " : "          ");
			if (pi->label)
				strbuf_puts(&sb, pi->label);
			if (pi->nchoices) {
				strbuf_puts(&sb, sb.len ? " (one of: " : "one of: ");
				play_input_choices(pi, &sb);
			} else if (pi->pattern) {
				strbuf_printf(&sb, "%smatching %s", sb.len ? " (" : "", pi->pattern);
			}
			if (pi->label && (pi->nchoices || pi->pattern))
				strbuf_addc(&sb, ')');
			cli_put(stdout, strbuf_str(&sb));
			putchar('\n');
			strbuf_free(&sb);
		}
	}
	put_json_block("Recorded inputs", r->inputs);
	put_json_block("Output", r->output);
	put_json_block("Log", r->log);
	put_json_block("Definition", r->def);
}

/* The JSON form (irk(1) JSON OUTPUT): a step list object, plus the
 * incident, the instructions and checklist with templates expanded, the
 * ticks, the declared inputs and the log. */
static void show_json(const struct shown *sh)
{
	const struct jdoc *d = &sh->def;
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	char *t;
	int v;

	jsonw_init(&w, &out, 1);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "incident", sh->key);
	json_step(&w, &sh->r);
	json_raw_or_str(&w, "log", sh->r.log);
	t = (v = def_get(sh, "instructions", JD_STRING)) >= 0 ? render(sh->f, jdoc_str(d, v)) : NULL;
	jsonw_kv_str(&w, "instructions", t);
	free(t);
	jsonw_key(&w, "checklist");
	jsonw_arr_begin(&w);
	if ((v = def_get(sh, "checklist", JD_ARRAY)) >= 0) {
		int item = 0;
		for (int e = jdoc_first(d, v); e >= 0; e = jdoc_next(d, v, e), item++) {
			int tk = tick_of(sh, item);
			int64_t at = 0;
			jsonw_obj_begin(&w);
			jsonw_kv_int(&w, "item", item);
			t = jdoc_str(d, e) ? render(sh->f, jdoc_str(d, e)) : NULL;
			jsonw_kv_str(&w, "text", t);
			free(t);
			jsonw_kv_bool(&w, "checked", tk >= 0);
			jsonw_kv_str(&w, "by", tk >= 0 ? jdoc_str(&sh->ticks, jdoc_get(&sh->ticks, tk, "by")) : NULL);
			if (tk >= 0)
				jdoc_int(&sh->ticks, jdoc_get(&sh->ticks, tk, "at"), &at);
			jsonw_kv_time(&w, "at", at);
			jsonw_obj_end(&w);
		}
	}
	jsonw_arr_end(&w);
	jsonw_key(&w, "input_fields");
	jsonw_arr_begin(&w);
	for (int i = 0; i < sh->in.n; i++) {
		const struct play_input *pi = &sh->in.v[i];
		jsonw_obj_begin(&w);
		jsonw_kv_str(&w, "name", pi->name);
		jsonw_kv_str(&w, "label", pi->label);
		jsonw_kv_bool(&w, "required", pi->required);
		jsonw_key(&w, "choices");
		if (pi->nchoices) {
			jsonw_arr_begin(&w);
			for (int c = 0; c < pi->nchoices; c++)
				jsonw_str(&w, pi->choices[c]);
			jsonw_arr_end(&w);
		} else {
			jsonw_null(&w);
		}
		jsonw_kv_str(&w, "pattern", pi->pattern);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	puts(strbuf_str(&out));
	strbuf_free(&out);
}

static int step_show(struct cli *c, int64_t id, const char *step, int json)
{
	struct incident inc;
	struct irk_err err = { 0 };
	struct shown sh = { .f = NULL };
	struct first_alert fa = { .f = &sh.f, .s = c->app.store };
	struct strbuf tb = STRBUF_INIT;
	struct jdoc_error je;

	if (store_incident_get(c->app.store, id, &inc, &err))
		return cli_report(&err);
	if (store_step_get(c->app.store, id, step, 0, copy_step, &sh.r, &err)) {
		incident_clear(&inc);
		return cli_report(&err);
	}
	incident_key(id, sh.key, sizeof sh.key);
	fa.inc = &inc;
	store_alert_first(c->app.store, id, with_alert, &fa, NULL);
	if (!sh.f)
		sh.f = play_fields_new(c->app.store, &inc, NULL);
	jdoc_init(&sh.def);
	jdoc_init(&sh.ticks);
	sh.def_ok = sh.r.def && !jdoc_parse(&sh.def, sh.r.def, strlen(sh.r.def), &je) &&
		    jdoc_type(&sh.def, 0) == JD_OBJECT;
	play_inputs_parse(&sh.in, sh.r.def);
	/* Ticks by item number (store_step_check). */
	if (store_step_checks(c->app.store, sh.r.id, &tb, NULL) ||
	    jdoc_parse(&sh.ticks, tb.buf, tb.len, &je) || jdoc_type(&sh.ticks, 0) != JD_OBJECT)
		jdoc_parse(&sh.ticks, "{}", 2, &je);
	if (json)
		show_json(&sh);
	else
		show_text(&sh);
	strbuf_free(&tb);
	jdoc_free(&sh.def);
	jdoc_free(&sh.ticks);
	play_fields_free(&sh.f);
	play_inputs_free(&sh.in);
	store_step_row_clear(&sh.r);
	incident_clear(&inc);
	return EXIT_OK;
}

/* ---- actions -------------------------------------------------------------------- */

enum { ACT_DONE, ACT_SKIP, ACT_RETRY, ACT_APPROVE, ACT_DENY };

/* Print "STEP: from -> to" for each step the action changed. */
static int report_row(const struct step_row *r, void *arg)
{
	struct snapshot *sn = arg;

	for (int i = 0; i < sn->n; i++) {
		if (strcmp(sn->ids[i], r->step_id) || sn->states[i] == r->state)
			continue;
		printf("  ");
		cli_put_col(stdout, r->step_id, sn->idw);
		printf(" %-8s -> %-8s ", step_state_name(sn->states[i]), step_state_name(r->state));
		cli_put(stdout, r->title);
		if (r->state == STEP_WAITING && !strcmp(r->kind, "approval"))
			printf("  (waits for an approver)");
		else if (r->state == STEP_WAITING)
			printf("  (waits for a person)");
		else if (r->state == STEP_SKIPPED && r->reason) {
			printf("  (");
			cli_put(stdout, r->reason);
			putchar(')');
		}
		putchar('\n');
	}
	return 0;
}

static int act(struct cli *c, int what, int64_t id, const char *step, char **inputs, int ninputs,
	       const char *reason)
{
	struct irk_err err = { 0 };
	struct snapshot sn = { .idw = 16 };
	char key[24];
	int rc;

	store_step_each(c->app.store, id, snap_row, &sn, NULL);
	switch (what) {
	case ACT_DONE:
		rc = play_step_done(c->app.store, &c->app.actor, id, step, inputs, ninputs, &err);
		break;
	case ACT_SKIP:
		rc = play_step_skip(c->app.store, &c->app.actor, id, step, reason, &err);
		break;
	case ACT_RETRY:
		rc = play_step_retry(c->app.store, &c->app.actor, id, step, reason, &err);
		break;
	case ACT_APPROVE:
		rc = play_step_approve(c->app.store, &c->app.actor, id, step, &err);
		break;
	default:
		rc = play_step_deny(c->app.store, &c->app.actor, id, step, reason, &err);
		break;
	}
	if (rc) {
		/* The play layer says what is wrong in words (err.need); the
		 * command to type next is cli_report_hint()'s. */
		snapshot_free(&sn);
		return cli_report_hint(&err, id, NULL);
	}
	printf("%s:\n", incident_key(id, key, sizeof key));
	store_step_each(c->app.store, id, report_row, &sn, NULL);
	snapshot_free(&sn);
	return EXIT_OK;
}

static int row_id(const struct step_row *st, void *arg)
{
	*(int64_t *)arg = st->id;
	return 1;
}

/* irk step tick KEY STEP N... [--untick]: items by their number in irk
 * step show (from 1), each its own change (an audit event each), as the
 * board's Space does. */
static int step_tick(struct cli *c, int64_t id, const char *step, char **nums, int n, int on)
{
	struct irk_err err = { 0 };
	int64_t row = 0;
	char key[24];

	if (store_step_get(c->app.store, id, step, 0, row_id, &row, &err))
		return cli_report_hint(&err, id, NULL);
	for (int i = 0; i < n; i++) {
		char *end;
		long item = strtol(nums[i], &end, 10);
		if (*end || item < 1 || item > 1000)
			return cli_usage_error(cli_find("step"), "'%s' is not an item number (1, 2, ... as "
					       "irk step show numbers them)", nums[i]);
		if (store_step_check(c->app.store, c->app.actor.name, row, (int)item - 1, on, &err))
			return cli_report_hint(&err, id, NULL);
	}
	printf("%s ", incident_key(id, key, sizeof key));
	cli_put(stdout, step);
	printf(": %s %d item%s\n", on ? "ticked" : "unticked", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

/* KEY STEP from the arguments left after options. */
static int key_step(const struct cli_command *cmd, int argc, char **argv, int64_t *id,
		    const char **step)
{
	if (optind + 2 != argc)
		return cli_usage_error(cmd, optind + 2 > argc ? "give an incident and a step" :
				       "unexpected argument '%s'", argv[optind + 2]);
	if (!(*id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	*step = argv[optind + 1];
	return EXIT_OK;
}

int cmd_step(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_INPUT, O_REASON, O_UNTICK };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "input", required_argument, NULL, O_INPUT },
		{ "reason", required_argument, NULL, O_REASON },
		{ "untick", no_argument, NULL, O_UNTICK },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("step");
	const char *sub, *reason = NULL, *step = NULL;
	char **inputs = xcalloc((size_t)argc + 1, sizeof *inputs);
	int opt, json = 0, ninputs = 0, untick = 0, rc;
	int64_t id = 0;

	while ((opt = cli_getopt(c, cmd, argc, argv, "i:", opts)) != -1) {
		if (opt == O_UNTICK)
			untick = 1;
		else if (opt == O_JSON)
			json = 1;
		else if (opt == O_INPUT || opt == 'i')
			inputs[ninputs++] = optarg;
		else if (opt == O_REASON)
			reason = optarg;
	}
	if (optind >= argc) {
		free(inputs);
		return cli_usage_error(cmd, "list, show, tick, done, skip or retry?");
	}
	sub = argv[optind++];
	if (untick && strcmp(sub, "tick")) {
		rc = cli_usage_error(cmd, "--untick goes with tick");
	} else if (!strcmp(sub, "tick")) {
		if (optind + 3 > argc)
			rc = cli_usage_error(cmd, "give an incident, a step and item numbers");
		else if (!(id = cli_key(cmd, argv[optind])))
			rc = EXIT_USAGE;
		else
			rc = cli_store(c, 0) ? step_tick(c, id, argv[optind + 1], argv + optind + 2,
							 argc - optind - 2, !untick) : EXIT_ERR;
	} else if (!strcmp(sub, "list")) {
		if (optind + 1 != argc)
			rc = cli_usage_error(cmd, "which incident?");
		else if (!(id = cli_key(cmd, argv[optind])))
			rc = EXIT_USAGE;
		else
			rc = cli_store(c, 0) ? step_list(c, id, json) : EXIT_ERR;
	} else if (strcmp(sub, "show") && strcmp(sub, "done") && strcmp(sub, "skip") &&
		   strcmp(sub, "retry")) {
		rc = cli_usage_error(cmd, "'%s': list, show, tick, done, skip or retry?", sub);
	} else if ((rc = key_step(cmd, argc, argv, &id, &step))) {
		;
	} else if (json && strcmp(sub, "show")) {
		rc = cli_usage_error(cmd, "--json goes with list and show");
	} else if (ninputs && strcmp(sub, "done")) {
		rc = cli_usage_error(cmd, "--input goes with done");
	} else if (!strcmp(sub, "skip") && !reason) {
		rc = cli_usage_error(cmd, "skipping a step needs --reason");
	} else if (!cli_store(c, 0)) {
		rc = EXIT_ERR;
	} else if (!strcmp(sub, "show")) {
		rc = step_show(c, id, step, json);
	} else {
		rc = act(c, !strcmp(sub, "done") ? ACT_DONE : !strcmp(sub, "skip") ? ACT_SKIP :
			 ACT_RETRY, id, step, inputs, ninputs, reason);
	}
	free(inputs);
	return rc;
}

static int approve_or_deny(struct cli *c, int argc, char **argv, int what)
{
	enum { O_REASON = OPT_FIRST_OWN };
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, O_REASON },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find(what == ACT_APPROVE ? "approve" : "deny");
	const char *reason = NULL, *step;
	int opt, rc;
	int64_t id;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", what == ACT_DENY ? opts : NULL)) != -1)
		if (opt == O_REASON)
			reason = optarg;
	if ((rc = key_step(cmd, argc, argv, &id, &step)))
		return rc;
	if (what == ACT_DENY && !reason)
		return cli_usage_error(cmd, "denying needs --reason");
	if (!cli_store(c, 0))
		return EXIT_ERR;
	return act(c, what, id, step, NULL, 0, reason);
}

int cmd_approve(struct cli *c, int argc, char **argv)
{
	return approve_or_deny(c, argc, argv, ACT_APPROVE);
}

int cmd_deny(struct cli *c, int argc, char **argv)
{
	return approve_or_deny(c, argc, argv, ACT_DENY);
}

/* ---- outbox --------------------------------------------------------------------- */

struct outbox_state {
	int json, n;
	struct jsonw *w;
};

static int outbox_row(const struct outbox_row *o, void *arg)
{
	struct outbox_state *os = arg;
	char key[24], t[32];

	os->n++;
	if (os->json) {
		jsonw_obj_begin(os->w);
		jsonw_kv_int(os->w, "id", o->id);
		jsonw_kv_time(os->w, "at", o->at);
		jsonw_kv_str(os->w, "incident", o->incident_id ?
			     incident_key(o->incident_id, key, sizeof key) : NULL);
		jsonw_kv_str(os->w, "step", o->step_id);
		jsonw_kv_str(os->w, "to", o->recipient);
		jsonw_kv_str(os->w, "text", o->text);
		jsonw_kv_str(os->w, "state", o->state);
		jsonw_kv_int(os->w, "attempts", o->attempts);
		jsonw_kv_time(os->w, "sent", o->t_sent);
		jsonw_kv_str(os->w, "error", o->error);
		jsonw_obj_end(os->w);
		return 0;
	}
	printf("%-5lld %s  %-6s %-8s ", (long long)o->id, irk_time_short(o->at, t, sizeof t),
	       o->state, o->incident_id ? incident_key(o->incident_id, key, sizeof key) : "-");
	cli_put_col(stdout, o->recipient, 14);
	putchar(' ');
	cli_put(stdout, o->text);
	if (o->error) {
		printf("  (");
		cli_put(stdout, o->error);
		putchar(')');
	}
	putchar('\n');
	return 0;
}

int cmd_outbox(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_QUEUED, O_LIMIT };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "queued", no_argument, NULL, O_QUEUED },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("outbox");
	struct outbox_state os = { 0 };
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	int opt, queued = 0;
	int64_t limit = 50;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_JSON)
			os.json = 1;
		else if (opt == O_QUEUED)
			queued = 1;
		else if (opt == O_LIMIT && (limit = atoll(optarg)) < 0)
			return cli_usage_error(cmd, "--limit needs a number (0: all)");
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!cli_store(c, 0))
		return EXIT_ERR;
	os.w = &w;
	if (os.json) {
		jsonw_init(&w, &out, 0);
		jsonw_arr_begin(&w);
	} else {
		printf("%-5s %-16s  %-6s %-8s %-14s %s\n", "ID", "QUEUED", "STATE", "INCIDENT", "TO", "TEXT");
	}
	int rc = store_outbox_each(c->app.store, queued, limit, outbox_row, &os, &err);
	if (os.json) {
		jsonw_arr_end(&w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
	} else if (!os.n) {
		printf("(no messages%s)\n", queued ? " waiting to be sent" : "");
	}
	return rc ? cli_report(&err) : EXIT_OK;
}
