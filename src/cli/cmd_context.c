/* cmd_context.c: irk asset (the local inventory) and irk context (an
 * incident's context), and the context part of irk show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/context.h"
#include "irk/jsonw.h"

static void on_note(enum asset_note kind, const char *msg, void *arg)
{
	if (kind == ASSET_REJECTED) {
		fputs("irk asset import: ", stderr);
		cli_put(stderr, msg);
		fputc('\n', stderr);
	} else if (kind == ASSET_UPDATED) {
		cli_put(stdout, msg);
		fputc('\n', stdout);
	}
}

static int asset_import_cmd(struct cli *c, const struct cli_command *cmd, int argc, char **argv,
			    int first, int json)
{
	struct asset_import_stats st, all = { 0 };
	struct irk_err err = { 0 };
	int rc = EXIT_OK;

	if (first == argc)
		return cli_usage_error(cmd, "import which file? (CSV with a header row, or a JSON array)");
	if (!cli_store(c, 0))
		return EXIT_ERR;
	for (int i = first; i < argc; i++) {
		if (asset_import(c->app.store, c->app.actor.name, argv[i], json ? NULL : on_note, NULL,
				 &st, &err)) {
			cli_report(&err);
			rc = EXIT_ERR;
			break;
		}
		all.read += st.read;
		all.added += st.added;
		all.updated += st.updated;
		all.unchanged += st.unchanged;
		all.rejected += st.rejected;
	}
	if (json)
		printf("{\"read\":%lld,\"added\":%lld,\"updated\":%lld,\"unchanged\":%lld,\"rejected\":%lld}\n",
		       (long long)all.read, (long long)all.added, (long long)all.updated,
		       (long long)all.unchanged, (long long)all.rejected);
	else
		printf("read %lld, added %lld, updated %lld, unchanged %lld, rejected %lld\n",
		       (long long)all.read, (long long)all.added, (long long)all.updated,
		       (long long)all.unchanged, (long long)all.rejected);
	if (!rc && all.rejected)
		rc = EXIT_PARTIAL;
	return rc;
}

struct list_state {
	struct jsonw *w;           /* --json, else a table */
	int n;
};

static int list_one(const struct asset *a, void *arg)
{
	struct list_state *ls = arg;
	char crit[4];

	ls->n++;
	if (ls->w) {
		jsonw_obj_begin(ls->w);
		asset_json(ls->w, a);
		jsonw_obj_end(ls->w);
		return 0;
	}
	snprintf(crit, sizeof crit, "%d", a->criticality);
	cli_put_col(stdout, a->host, 20);
	printf(" %-4s ", a->criticality ? crit : "-");
	cli_put_col(stdout, a->business_unit ? a->business_unit : "-", 12);
	putchar(' ');
	cli_put_col(stdout, a->owner ? a->owner : "-", 14);
	putchar(' ');
	cli_put_col(stdout, a->role ? a->role : "-", 14);
	putchar(' ');
	cli_put_col(stdout, a->site ? a->site : "-", 10);
	putchar(' ');
	cli_put(stdout, a->os ? a->os : "-");
	putchar('\n');
	return 0;
}

static void asset_human(const struct asset *a)
{
	char t[32];

	for (const struct asset_field *f = asset_fields; f->name; f++) {
		printf("%-14s ", f->name);
		if (f->is_int) {
			int v = *(const int *)((const char *)a + f->off);
			if (v)
				printf("%d%s\n", v, v == 4 ? " (critical)" : "");
			else
				printf("unknown\n");
			continue;
		}
		const char *v = *(char *const *)((const char *)a + f->off);
		cli_put(stdout, v ? v : "-");
		putchar('\n');
	}
	printf("%-14s ", "source");
	cli_put(stdout, a->source);
	printf(", %s\n", irk_time_short(a->fetched, t, sizeof t));
}

int cmd_asset(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("asset");
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	int opt, json = 0, rc;
	const char *verb;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1)
		if (opt == O_JSON)
			json = 1;
	if (optind == argc)
		return cli_usage_error(cmd, "which? (import, list, show)");
	verb = argv[optind++];
	if (!strcmp(verb, "import"))
		return asset_import_cmd(c, cmd, argc, argv, optind, json);
	if (!strcmp(verb, "list")) {
		struct list_state ls = { json ? &w : NULL, 0 };
		if (optind < argc)
			return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
		if (!cli_store(c, 0))
			return EXIT_ERR;
		jsonw_init(&w, &out, 0);
		if (json)
			jsonw_arr_begin(&w);
		else
			printf("%-20s %-4s %-12s %-14s %-14s %-10s %s\n", "HOST", "CRIT", "UNIT", "OWNER",
			       "ROLE", "SITE", "OS");
		rc = store_asset_each(c->app.store, list_one, &ls, &err);
		if (json) {
			jsonw_arr_end(&w);
			puts(strbuf_str(&out));
		}
		strbuf_free(&out);
		return rc ? cli_report(&err) : EXIT_OK;
	}
	if (!strcmp(verb, "show")) {
		struct asset a;
		if (optind + 1 != argc)
			return cli_usage_error(cmd, optind < argc ? "one host at a time" : "which host?");
		if (!cli_store(c, 0))
			return EXIT_ERR;
		rc = store_asset_get(c->app.store, argv[optind], &a, &err);
		if (rc == IRK_NOTFOUND)
			rc = store_asset_by_ip(c->app.store, argv[optind], &a, &err);
		if (rc == IRK_NOTFOUND) {
			fputs("irk asset show: no asset '", stderr);
			cli_put(stderr, argv[optind]);
			fputs("' in the inventory (irk asset list)\n", stderr);
			return EXIT_ERR;
		}
		if (rc)
			return cli_report(&err);
		if (json) {
			jsonw_init(&w, &out, 0);
			jsonw_obj_begin(&w);
			asset_json(&w, &a);
			jsonw_obj_end(&w);
			puts(strbuf_str(&out));
			strbuf_free(&out);
		} else {
			asset_human(&a);
		}
		asset_clear(&a);
		return EXIT_OK;
	}
	return cli_usage_error(cmd, "no asset command '%s' (import, list, show)", verb);
}

/* The sources of irk.conf, their errors printed. NULL on an error. */
static struct context_sources *sources(struct cli *c)
{
	struct context_sources *srcs;
	struct irk_err err = { 0 };

	if (context_sources_load(c->app.cfg, &srcs, &err)) {
		cli_report(&err);
		context_sources_free(&srcs);
		return NULL;
	}
	return srcs;
}

void cli_context_json(struct cli *c, const struct incident *inc, struct jsonw *w)
{
	struct context_sources *srcs = NULL;
	struct context ctx;
	struct irk_err err = { 0 };

	context_sources_load(c->app.cfg, &srcs, &err);
	if (context_of(c->app.store, srcs, inc, &ctx, &err))
		jsonw_null(w);
	else
		context_json(w, &ctx);
	context_clear(&ctx);
	context_sources_free(&srcs);
}

/* "  changes        #2 Patch web-01 kernel (rt, open, 3m ago)
 *                   2026-12-07 20:00 to 2026-12-08 02:00  http://..." */
static void ticket_line(const char *label, const struct context_ticket *t, int change)
{
	char a[32], b[32], age[32];

	irk_duration_fmt(irk_now() - t->fetched, age, sizeof age);
	printf("  %-14s ", label);
	cli_put(stdout, t->key);
	putchar(' ');
	cli_put(stdout, t->title ? t->title : "");
	printf(" (");
	cli_put(stdout, t->source);
	if (t->status) {
		printf(", ");
		cli_put(stdout, t->status);
	}
	printf(", %s ago)\n", age);
	printf("  %-14s ", "");
	if (change)
		printf("%s to %s  ", t->start ? irk_time_short(t->start, a, sizeof a) : "?",
		       t->end ? irk_time_short(t->end, b, sizeof b) : "?");
	cli_put(stdout, t->url ? t->url : "");
	putchar('\n');
}

void cli_context_human(struct cli *c, const struct incident *inc)
{
	struct context_sources *srcs = NULL;
	struct context ctx;
	struct irk_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	char t[32];

	context_sources_load(c->app.cfg, &srcs, &err);
	printf("\nContext\n");
	if (context_of(c->app.store, srcs, inc, &ctx, &err) == IRK_OK) {
		if (ctx.has_asset) {
			irk_duration_fmt(irk_now() - ctx.asset.fetched, t, sizeof t);
			printf("  asset ");
			cli_put(stdout, ctx.asset.host);
			printf(" (");
			cli_put(stdout, ctx.asset.source);
			printf(", %s ago%s)\n", t, ctx.stale ? ", stale" : "");
			for (const struct asset_field *f = asset_fields + 1; f->name; f++) {
				if (f->is_int) {
					printf("    %-14s ", f->name);
					if (ctx.asset.criticality)
						printf("%d\n", ctx.asset.criticality);
					else
						printf("unknown\n");
					continue;
				}
				const char *v = *(char *const *)((const char *)&ctx.asset + f->off);
				if (!v)
					continue;
				printf("    %-14s ", f->name);
				cli_put(stdout, v);
				putchar('\n');
			}
		} else {
			printf("  (no asset known for its host: irk asset import, or a [context.NAME] "
			       "source in irk.conf)\n");
		}
		if (ctx.has_user) {
			irk_duration_fmt(irk_now() - ctx.user.fetched, t, sizeof t);
			printf("  user ");
			cli_put(stdout, ctx.user.name);
			printf(" (");
			cli_put(stdout, ctx.user.source);
			printf(", %s ago)\n", t);
			for (int i = 1; context_user_fields[i]; i++) {
				const char *v = context_user_get(&ctx.user, i);
				if (!v)
					continue;
				printf("    %-14s ", context_user_fields[i]);
				cli_put(stdout, v);
				putchar('\n');
			}
		}
		if (ctx.planned) {
			char at[32];
			printf("  PLANNED CHANGE ");
			cli_put(stdout, ctx.changes[0].key);
			printf(" covers its first event (%s)\n",
			       irk_time_short(inc->t_first_event ? inc->t_first_event : inc->t_detected,
					      at, sizeof at));
		}
		for (int i = 0; i < ctx.nchanges; i++)
			ticket_line(i ? "" : "changes", &ctx.changes[i], 1);
		for (int i = 0; i < ctx.ntickets; i++)
			ticket_line(i ? "" : "tickets", &ctx.tickets[i], 0);
		for (int i = 0; i < ctx.nerrors; i++) {
			strbuf_reset(&sb);
			context_error_text(&ctx.errors[i], ctx.has_asset && ctx.asset.source &&
					   !strcmp(ctx.asset.source, ctx.errors[i].source) ?
					   ctx.asset.fetched : 0, &sb);
			printf("  ");
			cli_put(stdout, strbuf_str(&sb));
			putchar('\n');
		}
	}
	strbuf_free(&sb);
	context_clear(&ctx);
	context_sources_free(&srcs);
}

int cmd_context(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_REFRESH };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "refresh", no_argument, NULL, O_REFRESH },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find("context");
	struct context_sources *srcs;
	struct context ctx;
	struct incident inc;
	struct irk_err err = { 0 };
	int opt, json = 0, refresh = 0, rc = EXIT_OK;
	int64_t id;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_JSON)
			json = 1;
		else if (opt == O_REFRESH)
			refresh = 1;
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, optind < argc ? "one incident at a time" : "which incident?");
	if (!(id = cli_key(cmd, argv[optind])))
		return EXIT_USAGE;
	if (!cli_store(c, 0) || !(srcs = sources(c)))
		return EXIT_ERR;
	if (store_incident_get(c->app.store, id, &inc, &err)) {
		context_sources_free(&srcs);
		return cli_report(&err);
	}
	if (refresh) {
		/* Ask the sources now, then feed the incident what they said. */
		if (context_refresh(c->app.store, srcs, &inc, 1, &err) ||
		    context_of(c->app.store, srcs, &inc, &ctx, &err) ||
		    (context_apply(c->app.store, id, &ctx, NULL, &err), context_clear(&ctx), 0)) {
			rc = cli_report(&err);
			goto out;
		}
		incident_clear(&inc);
		if (store_incident_get(c->app.store, id, &inc, &err)) {
			rc = cli_report(&err);
			goto out;
		}
	}
	if (json) {
		struct strbuf out = STRBUF_INIT;
		struct jsonw w;
		jsonw_init(&w, &out, 0);
		cli_context_json(c, &inc, &w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
	} else {
		cli_context_human(c, &inc);
	}
out:
	incident_clear(&inc);
	context_sources_free(&srcs);
	return rc;
}
