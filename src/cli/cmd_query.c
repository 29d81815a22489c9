/* cmd_query.c: irk query: a query (irk/query.h) over a read-only
 * connection, printed as a table sized to the terminal, JSON, CSV or a
 * text chart of a timechart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/jsonw.h"
#include "irk/query.h"
#include "irk/sanitize.h"
#include "irk/store.h"

#define COL_MAX 40

/* Each cell sanitized once. */
static char **cells(const struct query_result *r, int **widths)
{
	size_t n = (r->nrows + 1) * (size_t)r->ncols;
	char **out = xcalloc(n + 1, sizeof *out);
	char buf[32];

	*widths = xcalloc((size_t)r->ncols + 1, sizeof **widths);
	for (int k = 0; k < r->ncols; k++) {
		out[k] = sanitize_dup(r->cols[k], 0);
		(*widths)[k] = utf8_width(out[k], strlen(out[k]));
	}
	for (size_t i = 0; i < r->nrows; i++)
		for (int k = 0; k < r->ncols; k++) {
			char *s = sanitize_dup(query_value_text(&r->rows[i][k], buf, sizeof buf), 0);
			int w = utf8_width(s, strlen(s));

			out[(i + 1) * (size_t)r->ncols + (size_t)k] = s;
			if (w > (*widths)[k])
				(*widths)[k] = w;
		}
	return out;
}

static void print_table(const struct query_result *r, int termw)
{
	int *w;
	char **c = cells(r, &w);
	size_t n = (r->nrows + 1) * (size_t)r->ncols;

	query_fit_widths(w, r->ncols, COL_MAX, termw);
	for (size_t i = 0; i <= r->nrows; i++) {
		for (int k = 0; k < r->ncols; k++) {
			if (k)
				fputs("  ", stdout);
			if (k == r->ncols - 1) {
				/* The last column is not padded. */
				int cw = utf8_width(c[i * (size_t)r->ncols + (size_t)k],
						    strlen(c[i * (size_t)r->ncols + (size_t)k]));
				cli_put_cut(stdout, c[i * (size_t)r->ncols + (size_t)k], cw < w[k] ? cw : w[k]);
			} else {
				cli_put_cut(stdout, c[i * (size_t)r->ncols + (size_t)k], w[k]);
			}
		}
		putchar('\n');
	}
	for (size_t i = 0; i < n; i++)
		free(c[i]);
	free(c);
	free(w);
}

/* A timechart as bars: one line per bucket and series, the last numeric
 * column as the bar. */
static void print_chart(const struct query_result *r, int termw)
{
	int vcol = r->ncols - 1, label = termw > 0 ? termw : 80;
	double max = 0;
	char buf[32], when[32];

	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i][vcol].type == EXPR_NUM && r->rows[i][vcol].num > max)
			max = r->rows[i][vcol].num;
	for (size_t i = 0; i < r->nrows; i++) {
		struct strbuf line = STRBUF_INIT;
		double v = r->rows[i][vcol].type == EXPR_NUM ? r->rows[i][vcol].num : 0;
		int bar, room;

		strbuf_puts(&line, irk_time_short((int64_t)r->rows[i][0].num, when, sizeof when));
		for (int k = 1; k < vcol; k++) {
			strbuf_addc(&line, ' ');
			strbuf_puts(&line, query_value_text(&r->rows[i][k], buf, sizeof buf));
		}
		{
			char *s = sanitize_dup(strbuf_str(&line), 0);

			cli_put_cut(stdout, s, 36);
			free(s);
		}
		room = label - 36 - 12;
		if (room < 10)
			room = 10;
		bar = query_bar_len(v, max, room);
		printf(" %10s ", query_value_text(&r->rows[i][vcol], buf, sizeof buf));
		for (int b = 0; b < bar; b++)
			putchar('#');
		putchar('\n');
		strbuf_free(&line);
	}
}

static int saved_row(const char *name, const char *text, const char *actor, int64_t at, void *arg)
{
	struct query_result *r = arg;
	struct query_value *row = xcalloc(5, sizeof *row);
	const char *v[] = { name, actor, text };

	for (int k = 0; k < 3; k++) {
		row[k + (k > 1)].type = EXPR_STR;
		row[k + (k > 1)].str = xstrdup(v[k] ? v[k] : "");
	}
	row[2].type = EXPR_NUM;
	row[2].num = (double)at;
	if (r->nrows == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->rows = xrealloc(r->rows, r->cap * sizeof *r->rows);
	}
	r->rows[r->nrows++] = row;
	return 0;
}

/* irk query --saved: the saved queries as a result of their own. */
static int list_saved(struct cli *c, int mode)
{
	static const char *const cols[] = { "name", "by", "at", "query" };
	struct query_result r = { 0 };
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;

	if (!cli_store(c, 0))
		return EXIT_ERR;
	r.ncols = 4;
	r.cols = xcalloc(5, sizeof *r.cols);
	for (int k = 0; k < 4; k++)
		r.cols[k] = xstrdup(cols[k]);
	if (store_query_saved_each(c->app.store, saved_row, &r, &err)) {
		query_result_free(&r);
		return cli_report(&err);
	}
	if (mode == 'j') {
		jsonw_init(&w, &out, 0);
		query_result_json(&r, &w);
		puts(strbuf_str(&out));
	} else if (mode == 'c') {
		query_result_csv(&r, &out);
		fputs(strbuf_str(&out), stdout);
	} else {
		/* For people: when, as the other tables say it (JSON and CSV
		 * keep Unix seconds, as _time). */
		for (size_t i = 0; i < r.nrows; i++) {
			char when[32];
			irk_time_short((int64_t)r.rows[i][2].num, when, sizeof when);
			r.rows[i][2].type = EXPR_STR;
			r.rows[i][2].str = xstrdup(when);
		}
		print_table(&r, c->tty ? c->width : 0);
	}
	strbuf_free(&out);
	query_result_free(&r);
	return EXIT_OK;
}

int cmd_query(struct cli *c, int argc, char **argv)
{
	enum { O_JSON = OPT_FIRST_OWN, O_CSV, O_CHART, O_EXPLAIN, O_SAVE, O_SAVED };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "chart", no_argument, NULL, O_CHART },
		{ "explain", no_argument, NULL, O_EXPLAIN },
		{ "save", required_argument, NULL, O_SAVE },
		{ "saved", no_argument, NULL, O_SAVED },
		{ NULL, 0, NULL, 0 },
	};
	const char *save = NULL, *text;
	struct strbuf saved = STRBUF_INIT;
	int list = 0;
	const struct cli_command *cmd = cli_find("query");
	const struct config_settings *cs;
	struct query_error qe;
	struct query *q;
	struct query_result r;
	struct query_limits lim;
	struct irk_err err = { 0 };
	struct store *ro = NULL;
	int opt, mode = 0, explain = 0, rc;

	while ((opt = cli_getopt(c, cmd, argc, argv, "", opts)) != -1) {
		if (opt == O_EXPLAIN) {
			explain = 1;
			continue;
		}
		if (opt == O_SAVE) {
			save = optarg;
			continue;
		}
		if (opt == O_SAVED) {
			list = 1;
			continue;
		}
		if (mode && mode != opt)
			return cli_usage_error(cmd, "--json, --csv and --chart: choose one");
		mode = opt;
	}
	if (list) {
		if (optind < argc || save || explain || mode == O_CHART)
			return cli_usage_error(cmd, "--saved lists the saved queries: nothing else");
		return list_saved(c, mode == O_JSON ? 'j' : mode == O_CSV ? 'c' : 0);
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "the query is missing: irk query 'alerts | stats count by host'");
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "one query, in quotes (found '%s' after it)", argv[optind + 1]);
	text = argv[optind];
	if (text[0] == '@') {
		if (save)
			return cli_usage_error(cmd, "--save takes the text of a query, not @NAME");
		if (!cli_store(c, 0))
			return EXIT_ERR;
		if (store_query_saved(c->app.store, text + 1, &saved, &err)) {
			strbuf_free(&saved);
			return cli_report(&err);
		}
		text = strbuf_str(&saved);
	}
	if (save) {
		if (!cli_store(c, 0))
			return EXIT_ERR;
		if (query_save(c->app.store, save, text, c->app.actor.name, &err)) {
			if (!strncmp(err.msg, "query:", 6)) {
				char *s = sanitize_dup(err.msg, 0);

				fprintf(stderr, "%s\n", s);
				free(s);
				return EXIT_ERR;
			}
			return cli_report(&err);
		}
	}
	q = query_parse(text, irk_now(), &qe);
	strbuf_free(&saved);
	if (!q) {
		char *s = sanitize_dup(qe.msg, 0);

		fprintf(stderr, "%s\n", s);
		free(s);
		return EXIT_ERR;
	}
	if (mode == O_CHART && !query_is_chart(q)) {
		query_free(&q);
		return cli_usage_error(cmd, "--chart draws a timechart: end the query with timechart span=...");
	}
	if (explain) {
		char *sql = query_sql(q);

		printf("%s\n", sql ? sql : "(none)");
		free(sql);
		query_free(&q);
		return EXIT_OK;
	}
	/* The normal open checks and migrates; the query reads through a
	 * connection of its own that cannot write. */
	if (!cli_store(c, 0)) {
		query_free(&q);
		return EXIT_ERR;
	}
	if (store_open(&ro, store_path(c->app.store), STORE_READONLY, &err)) {
		query_free(&q);
		return cli_report(&err);
	}
	cs = config_settings(c->app.cfg);
	lim.time_ms = cs->query.time_limit_ms;
	lim.rows = cs->query.row_limit;
	rc = query_run(ro, q, &lim, &r, &err);
	store_close(&ro);
	if (rc) {
		query_free(&q);
		return cli_report(&err);
	}
	if (mode == O_JSON) {
		struct strbuf out = STRBUF_INIT;
		struct jsonw w;

		jsonw_init(&w, &out, 0);
		query_result_json(&r, &w);
		puts(strbuf_str(&out));
		strbuf_free(&out);
	} else if (mode == O_CSV) {
		struct strbuf out = STRBUF_INIT;

		query_result_csv(&r, &out);
		fputs(strbuf_str(&out), stdout);
		strbuf_free(&out);
	} else if (mode == O_CHART) {
		print_chart(&r, c->tty ? c->width : 0);
	} else {
		print_table(&r, c->tty ? c->width : 0);
	}
	if (r.limit)
		fprintf(stderr, "irk query: %s: the result is partial ([query] %s in irk.conf)\n",
			r.limit == QUERY_TIME_LIMIT ? "the time limit was reached" : "the row limit was reached",
			r.limit == QUERY_TIME_LIMIT ? "time_limit" : "row_limit");
	rc = r.limit ? EXIT_PARTIAL : EXIT_OK;
	query_result_free(&r);
	query_free(&q);
	return rc;
}
