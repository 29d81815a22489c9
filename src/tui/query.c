/* query.c: the query screen (irk(1) QUERIES), opened from the board with a
 * query typed at a prompt (or @NAME of a saved one): the result as a table
 * (a timechart as bars), then the saved queries. Enter on a row of an
 * incident (a key column) opens it. The query runs on a read-only
 * connection of its own, with [query]'s limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui_internal.h"
#include "irk/clock.h"
#include "irk/config.h"
#include "irk/query.h"
#include "irk/sanitize.h"
#include "irk/store.h"

#define COL_MAX 40

struct query_st {
	struct doc d;
	char *text;
	int width;
	struct query_result r;
	int ran, chart;
	char error[520];
};

/* The queries typed, oldest first: the prompt offers the newest again
 * and Up/Down walk the rest. Kept per user across runs in the state file
 * query_history (app_state_path()), one query a line. */
#define HISTORY_MAX 200
#define HISTORY_LINE 4000
static char *history[HISTORY_MAX];
static int nhistory, history_loaded;

static void history_push(const char *text)
{
	/* One copy of a query: typed again, it becomes the newest. */
	for (int i = 0; i < nhistory; i++)
		if (!strcmp(history[i], text)) {
			free(history[i]);
			memmove(history + i, history + i + 1, (size_t)(nhistory - i - 1) * sizeof *history);
			nhistory--;
			break;
		}
	if (nhistory == HISTORY_MAX) {
		free(history[0]);
		memmove(history, history + 1, (HISTORY_MAX - 1) * sizeof *history);
		nhistory--;
	}
	history[nhistory++] = xstrdup(text);
}

static void history_load(void)
{
	char path[4096], line[HISTORY_LINE + 2];
	FILE *f;

	if (history_loaded)
		return;
	history_loaded = 1;
	if (app_state_path("query_history", path, sizeof path) || !(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, "\r\n");
		/* A line too long for the prompt is skipped, not cut. */
		if (line[n] == '\0' && !feof(f)) {
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		line[n] = '\0';
		if (n)
			history_push(line);
	}
	fclose(f);
}

/* Write the history again (a temporary file renamed over it). Failing
 * to is not worth more than a note: the query ran. */
static void history_save(struct tui *t)
{
	char path[4096], tmp[4200];
	FILE *f;
	int bad;

	if (app_state_path("query_history", path, sizeof path))
		return;
	snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "w"))) {
		tui_status(t, SLOT_STATUS_ERROR, "cannot keep the query history in %s", path);
		return;
	}
	for (int i = 0; i < nhistory; i++)
		fprintf(f, "%s\n", history[i]);
	bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path)) {
		remove(tmp);
		tui_status(t, SLOT_STATUS_ERROR, "cannot keep the query history in %s", path);
	}
}

static int64_t key_of_row(const struct query_result *r, size_t i)
{
	for (int k = 0; k < r->ncols; k++)
		if (!strcmp(r->cols[k], "key") && r->rows[i][k].type == EXPR_STR &&
		    !strncmp(r->rows[i][k].str, "IR-", 3))
			return strtoll(r->rows[i][k].str + 3, NULL, 10);
	return 0;
}

/* A cell padded or cut to w columns. */
static void cell(struct strbuf *line, const char *raw, int w)
{
	char *s = sanitize_dup(raw, 0);
	size_t n = utf8_fit(s, strlen(s), w);
	int used = utf8_width(s, n);

	strbuf_add(line, s, n);
	for (; used < w; used++)
		strbuf_addc(line, ' ');
	free(s);
}

static void table(struct query_st *qs, int width)
{
	const struct query_result *r = &qs->r;
	int *w = xcalloc((size_t)r->ncols + 1, sizeof *w);
	char buf[32];
	struct strbuf line = STRBUF_INIT;

	for (int k = 0; k < r->ncols; k++) {
		w[k] = utf8_width(r->cols[k], strlen(r->cols[k]));
		for (size_t i = 0; i < r->nrows; i++) {
			char *s = sanitize_dup(query_value_text(&r->rows[i][k], buf, sizeof buf), 0);
			int cw = utf8_width(s, strlen(s));

			if (cw > w[k])
				w[k] = cw;
			free(s);
		}
	}
	query_fit_widths(w, r->ncols, COL_MAX, width);
	for (int k = 0; k < r->ncols; k++) {
		cell(&line, r->cols[k], w[k]);
		strbuf_puts(&line, "  ");
	}
	doc_add(&qs->d, DOC_TEXT, SLOT_SECTION, 0, 0, strbuf_str(&line), width);
	for (size_t i = 0; i < r->nrows; i++) {
		strbuf_reset(&line);
		for (int k = 0; k < r->ncols; k++) {
			cell(&line, query_value_text(&r->rows[i][k], buf, sizeof buf), w[k]);
			strbuf_puts(&line, "  ");
		}
		doc_add(&qs->d, DOC_TEXT, SLOT_NORMAL, 0, key_of_row(r, i), strbuf_str(&line), width);
	}
	strbuf_free(&line);
	free(w);
}

/* A timechart: the bucket, its series, the last column as a bar. */
static void bars(struct query_st *qs, int width)
{
	const struct query_result *r = &qs->r;
	int v = r->ncols - 1, room = width - 36 - 12;
	double max = 0;
	char buf[32], when[32];
	struct strbuf line = STRBUF_INIT, label = STRBUF_INIT;

	if (room < 10)
		room = 10;
	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i][v].type == EXPR_NUM && r->rows[i][v].num > max)
			max = r->rows[i][v].num;
	for (size_t i = 0; i < r->nrows; i++) {
		double x = r->rows[i][v].type == EXPR_NUM ? r->rows[i][v].num : 0;
		int n = query_bar_len(x, max, room);

		strbuf_reset(&line);
		strbuf_reset(&label);
		strbuf_puts(&label, irk_time_short((int64_t)r->rows[i][0].num, when, sizeof when));
		for (int k = 1; k < v; k++)
			strbuf_printf(&label, " %s", query_value_text(&r->rows[i][k], buf, sizeof buf));
		cell(&line, strbuf_str(&label), 36);
		strbuf_printf(&line, " %10s ", query_value_text(&r->rows[i][v], buf, sizeof buf));
		for (int b = 0; b < n; b++)
			strbuf_addc(&line, '#');
		doc_add(&qs->d, DOC_TEXT, SLOT_NORMAL, 0, 0, strbuf_str(&line), width);
	}
	strbuf_free(&line);
	strbuf_free(&label);
}

static int saved_line(const char *name, const char *text, const char *actor, int64_t at, void *arg)
{
	struct query_st *qs = arg;
	struct strbuf line = STRBUF_INIT;

	(void)at;
	strbuf_printf(&line, "@%s  %s  (%s)", name, text ? text : "", actor ? actor : "");
	doc_add(&qs->d, DOC_TEXT, SLOT_NORMAL, 2, 0, strbuf_str(&line), qs->width);
	strbuf_free(&line);
	return 0;
}

static void build(struct tui *t, struct query_st *qs, int width)
{
	struct irk_err err = { 0 };
	char title[200];

	doc_clear(&qs->d);
	free(qs->d.title);
	snprintf(title, sizeof title, " Query: %.150s", qs->text);
	qs->d.title = sanitize_dup(title, 0);
	qs->width = width;
	if (qs->error[0])
		doc_add(&qs->d, DOC_TEXT, SLOT_STATUS_ERROR, 0, 0, qs->error, width);
	else if (!qs->r.nrows)
		doc_add(&qs->d, DOC_TEXT, SLOT_NORMAL, 0, 0, "(no rows)", width);
	else if (qs->chart)
		bars(qs, width);
	else
		table(qs, width);
	if (qs->r.limit)
		doc_add(&qs->d, DOC_TEXT, SLOT_STATUS_ERROR, 0, 0, qs->r.limit == QUERY_TIME_LIMIT ?
			"The time limit was reached: the result is partial ([query] time_limit)." :
			"The row limit was reached: the result is partial ([query] row_limit).", width);
	doc_add(&qs->d, DOC_SECTION, SLOT_SECTION, 0, 0, "Saved queries (irk query --save NAME)", width);
	store_query_saved_each(t->s, saved_line, qs, &err);
}

/* Run text, or @NAME (a saved query), on a read-only connection of its
 * own with [query]'s limits into *r; IRK_OK, or an error with msg
 * (source, when not NULL, gets the query's source name). */
static int run_text(struct tui *t, const char *text, struct query_result *r, int *chart,
		    char *source, size_t nsource, char *msg, size_t n)
{
	const struct config_settings *cs = config_settings(t->app->cfg);
	struct query_limits lim = { cs->query.time_limit_ms, cs->query.row_limit };
	struct query_error qe;
	struct irk_err err = { 0 };
	struct strbuf saved = STRBUF_INIT;
	struct store *ro = NULL;
	struct query *q;
	int rc = IRK_INVALID;

	query_result_free(r);
	msg[0] = '\0';
	if (text[0] == '@') {
		if (store_query_saved(t->s, text + 1, &saved, &err)) {
			snprintf(msg, n, "%s", err.msg);
			goto out;
		}
		text = strbuf_str(&saved);
	}
	if (!(q = query_parse(text, irk_now(), &qe))) {
		snprintf(msg, n, "%s", qe.msg);
		goto out;
	}
	if (chart)
		*chart = query_is_chart(q);
	if (source)
		snprintf(source, nsource, "%s", query_source_name(q));
	if (store_open(&ro, store_path(t->s), STORE_READONLY, &err) ||
	    query_run(ro, q, &lim, r, &err))
		snprintf(msg, n, "%s", err.msg);
	else
		rc = IRK_OK;
	store_close(&ro);
	query_free(&q);
out:
	strbuf_free(&saved);
	return rc;
}

static void run(struct tui *t, struct query_st *qs)
{
	run_text(t, qs->text, &qs->r, &qs->chart, NULL, 0, qs->error, sizeof qs->error);
}

int tui_query_ids(struct tui *t, const char *name, int64_t **ids, size_t *n, char *msg, size_t nmsg)
{
	struct query_result r = { 0 };
	char text[80], source[32] = "";
	int rc, key = -1;

	*ids = NULL;
	*n = 0;
	snprintf(text, sizeof text, "@%.70s", name);
	if ((rc = run_text(t, text, &r, NULL, source, sizeof source, msg, nmsg)))
		goto out;
	for (int k = 0; k < r.ncols; k++)
		if (!strcmp(r.cols[k], "key"))
			key = k;
	if (strcmp(source, "incidents") || key < 0) {
		snprintf(msg, nmsg, strcmp(source, "incidents") ?
			 "@%.64s is a query over %s: only a query over incidents, whose rows carry "
			 "a key, can filter the board" :
			 "@%.64s has no key column: only a query over incidents whose rows carry a "
			 "key can filter the board (keep key in its table)", name, source);
		rc = IRK_INVALID;
		goto out;
	}
	*ids = xcalloc(r.nrows + 1, sizeof **ids);
	for (size_t i = 0; i < r.nrows; i++)
		if (((*ids)[*n] = key_of_row(&r, i)))
			++*n;
out:
	query_result_free(&r);
	return rc;
}

static void *open_query(struct tui *t, const void *arg)
{
	struct query_st *qs = xcalloc(1, sizeof *qs);

	doc_init(&qs->d, "");
	qs->text = xstrdup(arg);
	run(t, qs);
	build(t, qs, t->width);
	return qs;
}

static void draw(struct tui *t, void *st, int width, int height, struct frame *f)
{
	struct query_st *qs = st;

	if (width != qs->width)
		build(t, qs, width);
	doc_frame(&qs->d, width, height, 1, f);
}

static int key(struct tui *t, void *st, int act, int k)
{
	struct query_st *qs = st;

	(void)k;
	if (act == ACT_P_OPEN) {
		int64_t id = qs->d.cur < qs->d.n ? qs->d.lines[qs->d.cur].ref : 0;

		if (!id) {
			tui_status(t, SLOT_STATUS_ERROR, "no incident on this line (a query with a key column has)");
			return SCR_HANDLED;
		}
		tui_push(t, &incident_screen, &id);
		return SCR_HANDLED;
	}
	return pager_key(&qs->d, act, t->area_h, 1);
}

static void reload(struct tui *t, void *st)
{
	struct query_st *qs = st;
	size_t cur = qs->d.cur, top = qs->d.top;

	run(t, qs);
	build(t, qs, qs->width);
	qs->d.cur = cur < qs->d.n ? cur : qs->d.n ? qs->d.n - 1 : 0;
	qs->d.top = top <= qs->d.cur ? top : qs->d.cur;
}

static void done(void *st)
{
	struct query_st *qs = st;

	doc_free(&qs->d);
	query_result_free(&qs->r);
	free(qs->text);
	free(qs);
}

const struct screen_ops query_screen = {
	.name = "query",
	.ctx = CTX_PAGER,
	.open = open_query,
	.draw = draw,
	.key = key,
	.reload = reload,
	.click = NULL,
	.done = done,
};

static void query_typed(struct tui *t, void *arg, int ok, const char *text)
{
	(void)arg;
	if (!ok || !text[0])
		return;
	/* Queries are one line: a newline pasted would split the file's. */
	if (!strpbrk(text, "\r\n") && strlen(text) <= HISTORY_LINE) {
		history_push(text);
		history_save(t);
	}
	tui_push(t, &query_screen, text);
}

void tui_query_prompt(struct tui *t)
{
	history_load();
	tui_prompt(t, "Query: alerts | stats count by host, or @NAME (irk(1) QUERIES); "
		   "Up/Down: the queries typed before",
		   nhistory ? history[nhistory - 1] : "", query_typed, NULL, 0);
	tui_prompt_select(t);
	tui_prompt_history(t, history, nhistory);
}
