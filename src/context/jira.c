/* jira.c: the Jira source (type = jira).
 *
 * Search: Jira Cloud's GET /rest/api/3/search/jql (pages by
 * nextPageToken until isLast), or Data Center's GET /rest/api/2/search
 * (pages by startAt until total), as `api` says (cloud, the default, or
 * datacenter). Tickets: the issues not done (statusCategory != Done)
 * whose text mentions the incident's host, address, user or key, in
 * project `queue` when set (else in every project but the changes' one).
 * Changes: the issues of project `changes` mentioning them, whatever
 * their status, with their window from start_field (created) and
 * end_field (duedate), kept when near the incident (change_window).
 * Writing: POST /rest/api/{3,2}/issue, and .../issue/KEY/comment (Cloud
 * takes text as an Atlassian document, Data Center as a string). Auth:
 * with `user` basic (Cloud: the e-mail and an API token), else the token
 * as a bearer (Data Center's personal access tokens). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/jsonw.h"
#include "context_impl.h"

static const char *const jira_keys[] = { "user", "queue", "changes", "change_window", "api",
	"start_field", "end_field", NULL };

#define JIRA_PAGE 50
#define JIRA_PAGES 5            /* at most this many pages per search */

static int cloud(const struct context_source *src)
{
	return !src->api || !strcmp(src->api, "cloud");
}

/* " AND (text ~ "\"a\"" OR text ~ "\"b\"")": each term as a phrase. */
static void text_terms(const struct ticket_terms *t, struct strbuf *q)
{
	strbuf_puts(q, " AND (");
	for (int i = 0; i < t->n; i++) {
		strbuf_printf(q, "%stext ~ \"\\\"", i ? " OR " : "");
		ticket_term(t->v[i], q);
		strbuf_puts(q, "\\\"\"");
	}
	strbuf_addc(q, ')');
}

static void take_issue(const struct context_source *src, const struct jdoc *d, int e,
		       struct ticket_list *out)
{
	const char *key = jdoc_str(d, jdoc_get(d, e, "key"));
	int f = jdoc_get(d, e, "fields");
	struct strbuf link = STRBUF_INIT, path = STRBUF_INIT;
	struct context_ticket *t;

	if (!key)
		return;
	context_url_join(src, "/browse/", &link);
	strbuf_puts(&link, key);
	t = ticket_list_add(out, key, jdoc_str(d, jdoc_get(d, f, "summary")),
			    jdoc_str(d, jdoc_path(d, f, "status.name")), strbuf_str(&link));
	t->start = ticket_time(jdoc_str(d, jdoc_get(d, f, src->start_field ? src->start_field : "created")));
	t->end = ticket_time(jdoc_str(d, jdoc_get(d, f, src->end_field ? src->end_field : "duedate")));
	strbuf_free(&link);
	strbuf_free(&path);
}

int jira_parse_page(const struct context_source *src, const char *body, size_t len,
		    struct ticket_list *out, struct jira_page *pg, struct irk_err *err)
{
	struct jdoc d;
	struct jdoc_error je;
	int issues, rc = IRK_OK;

	memset(pg, 0, sizeof *pg);
	jdoc_init(&d);
	if (jdoc_parse(&d, body, len, &je))
		rc = irk_fail(err, IRK_ERROR, "not JSON (%s at byte %zu)", je.msg, je.offset);
	issues = rc ? -1 : jdoc_get(&d, 0, "issues");
	if (!rc && jdoc_type(&d, issues) != JD_ARRAY)
		rc = irk_fail(err, IRK_ERROR, "not a Jira search answer (no issues)");
	for (int e = rc ? -1 : jdoc_first(&d, issues); e >= 0; e = jdoc_next(&d, issues, e), pg->n++)
		take_issue(src, &d, e, out);
	if (!rc) {
		const char *next = jdoc_str(&d, jdoc_get(&d, 0, "nextPageToken"));
		pg->last = jdoc_type(&d, jdoc_get(&d, 0, "isLast")) == JD_TRUE || !next || !*next;
		pg->next = !pg->last ? xstrdup(next) : NULL;
		if (jdoc_int(&d, jdoc_get(&d, 0, "total"), &pg->total))
			pg->total = 0;
	}
	jdoc_free(&d);
	return rc;
}

static int search(struct context_source *src, const char *jql, struct ticket_list *out,
		  struct irk_err *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	struct jira_page pg = { 0 };
	char *token = NULL;
	int64_t start = 0;
	int rc = IRK_OK;

	for (int page = 0; page < JIRA_PAGES && !rc; page++) {
		long status;

		strbuf_reset(&url);
		context_url_join(src, cloud(src) ? "/rest/api/3/search/jql?jql=" : "/rest/api/2/search?jql=",
				 &url);
		context_url_escape(jql, &url);
		strbuf_puts(&url, "&fields=summary,status,");
		strbuf_puts(&url, src->start_field ? src->start_field : "created");
		strbuf_addc(&url, ',');
		strbuf_puts(&url, src->end_field ? src->end_field : "duedate");
		strbuf_printf(&url, "&maxResults=%d", JIRA_PAGE);
		if (cloud(src) && token) {
			strbuf_puts(&url, "&nextPageToken=");
			context_url_escape(token, &url);
		} else if (!cloud(src)) {
			strbuf_printf(&url, "&startAt=%lld", (long long)start);
		}
		if ((rc = context_http_get(src, strbuf_str(&url), &body, &status, err)))
			break;
		if (status == 404) {
			rc = irk_fail(err, IRK_ERROR, "HTTP 404: no Jira %s search at %s",
				      cloud(src) ? "Cloud" : "Data Center", src->url);
			break;
		}
		if ((rc = jira_parse_page(src, body.buf ? body.buf : "", body.len, out, &pg, err)))
			break;
		free(token);
		token = pg.next;
		pg.next = NULL;
		start += pg.n;
		if (cloud(src) ? pg.last : !pg.n || start >= pg.total)
			break;
	}
	free(token);
	strbuf_free(&url);
	strbuf_free(&body);
	return rc;
}

static void project_clause(const char *op, const char *p, struct strbuf *q)
{
	strbuf_printf(q, "project %s \"", op);
	ticket_term(p, q);
	strbuf_addc(q, '"');
}

/* JQL for the issues not done (in queue, or outside the changes'
 * project), or for the changes, mentioning t's words. */
static void jira_query(const struct context_source *src, const struct ticket_terms *t, int chg,
		       struct strbuf *q)
{
	if (chg) {
		project_clause("=", src->changes, q);
	} else {
		strbuf_puts(q, "statusCategory != Done");
		if (src->queue || src->changes) {
			strbuf_puts(q, " AND ");
			project_clause(src->queue ? "=" : "!=", src->queue ? src->queue : src->changes, q);
		}
	}
	text_terms(t, q);
	strbuf_puts(q, " ORDER BY updated DESC");
}

static int jira_tickets(struct context_source *src, const struct ticket_terms *t,
			struct ticket_list *tickets, struct ticket_list *changes, struct irk_err *err)
{
	return ticket_search_both(src, t, jira_query, search, tickets, changes, err);
}

/* text as Cloud wants it (an Atlassian document of one paragraph), or
 * as Data Center does (a string), under key. */
static void jira_text(const struct context_source *src, struct jsonw *w, const char *key,
		      const char *text)
{
	jsonw_key(w, key);
	if (!cloud(src)) {
		jsonw_str(w, text);
		return;
	}
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "type", "doc");
	jsonw_kv_int(w, "version", 1);
	jsonw_key(w, "content");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "type", "paragraph");
	jsonw_key(w, "content");
	jsonw_arr_begin(w);
	if (*text) {                /* an empty text node is refused */
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "type", "text");
		jsonw_kv_str(w, "text", text);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

/* A Jira issue key: PROJECT-123. */
static int valid_key(const char *k)
{
	const char *dash = strrchr(k, '-');

	return dash && dash > k && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1) &&
	       strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
	       (size_t)(dash - k) && strlen(k) < 64;
}

static int jira_write(struct context_source *src, const struct context_ticket_req *q,
		      struct context_ticket *out, struct irk_err *err)
{
	struct strbuf path = STRBUF_INIT, send = STRBUF_INIT, body = STRBUF_INIT;
	const char *v = cloud(src) ? "3" : "2";
	struct jsonw w;
	struct jdoc d;
	struct jdoc_error je;
	const char *key = q->ticket;
	int rc;

	if (q->ticket && !valid_key(q->ticket))
		return irk_fail(err, IRK_INVALID, "ticket: '%.40s' is not a Jira issue key (SEC-12)",
				q->ticket);
	jsonw_init(&w, &send, 0);
	jsonw_obj_begin(&w);
	if (q->ticket) {
		strbuf_printf(&path, "/rest/api/%s/issue/%s/comment", v, q->ticket);
		jira_text(src, &w, "body", q->text ? q->text : "");
	} else {
		strbuf_printf(&path, "/rest/api/%s/issue", v);
		jsonw_key(&w, "fields");
		jsonw_obj_begin(&w);
		jsonw_key(&w, "project");
		jsonw_obj_begin(&w);
		jsonw_kv_str(&w, "key", q->queue ? q->queue : src->queue);
		jsonw_obj_end(&w);
		jsonw_kv_str(&w, "summary", q->subject ? q->subject : "");
		jsonw_key(&w, "issuetype");
		jsonw_obj_begin(&w);
		jsonw_kv_str(&w, "name", q->type ? q->type : "Task");
		jsonw_obj_end(&w);
		jira_text(src, &w, "description", q->text ? q->text : "");
		jsonw_obj_end(&w);
	}
	jsonw_obj_end(&w);
	rc = ticket_post(src, strbuf_str(&path), strbuf_str(&send), "Jira", &body, err);
	jdoc_init(&d);
	/* Created: {"id": "10005", "key": "SEC-4", "self": ...}. */
	if (!rc && !q->ticket && (jdoc_parse(&d, body.buf ? body.buf : "", body.len, &je) ||
				  !(key = jdoc_str(&d, jdoc_get(&d, 0, "key"))) || !valid_key(key)))
		rc = irk_fail(err, IRK_ERROR, "Jira created an issue but did not say which");
	if (!rc)
		ticket_made(src, key, "/browse/", key, q->subject, out);
	jdoc_free(&d);
	strbuf_free(&path);
	strbuf_free(&send);
	strbuf_free(&body);
	return rc;
}

const struct context_kind context_kind_jira = { .name = "jira", .keys = jira_keys,
	.tickets = jira_tickets, .write = jira_write };
