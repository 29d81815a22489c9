/* rt.c: the Request Tracker source (type = rt), over RT 5's REST2 API.
 *
 * Tickets: GET /REST/2.0/tickets?query=TicketSQL: the active ones
 * (Status = '__Active__') whose subject mentions the incident's host,
 * address, user or key, in `queue` when set (else in every queue but the
 * changes' one). Changes: the tickets of the `changes` queue whose
 * subject mentions them, whatever their status, with their window from
 * RT's Starts and Due, kept when near the incident (change_window).
 * Writing: POST /REST/2.0/ticket (Queue, Subject, Content), and
 * POST /REST/2.0/ticket/N/comment. Auth: the token as RT's auth token
 * ("Authorization: token ..."), or with `user` basic auth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/jsonw.h"
#include "context_impl.h"

static const char *const rt_keys[] = { "user", "queue", "changes", "change_window", NULL };

#define RT_PER_PAGE 50

/* " AND (Subject LIKE 'a' OR Subject LIKE 'b')" */
static void subject_terms(const struct ticket_terms *t, struct strbuf *q)
{
	strbuf_puts(q, " AND (");
	for (int i = 0; i < t->n; i++) {
		strbuf_printf(q, "%sSubject LIKE '", i ? " OR " : "");
		ticket_term(t->v[i], q);
		strbuf_addc(q, '\'');
	}
	strbuf_addc(q, ')');
}

int rt_parse_tickets(const struct context_source *src, const char *body, size_t len,
		     struct ticket_list *out, struct irk_err *err)
{
	struct strbuf link = STRBUF_INIT;
	struct jdoc d;
	struct jdoc_error je;
	int rc = IRK_OK, items;

	jdoc_init(&d);
	if (jdoc_parse(&d, body, len, &je))
		rc = irk_fail(err, IRK_ERROR, "not JSON (%s at byte %zu)", je.msg, je.offset);
	items = rc ? -1 : jdoc_get(&d, 0, "items");
	if (!rc && jdoc_type(&d, items) != JD_ARRAY)
		rc = irk_fail(err, IRK_ERROR, "not an RT ticket list (no items)");
	for (int e = rc ? -1 : jdoc_first(&d, items); e >= 0; e = jdoc_next(&d, items, e)) {
		int64_t id;
		char key[32];
		struct context_ticket *t;
		if (jdoc_int(&d, jdoc_get(&d, e, "id"), &id) || id <= 0)
			continue;
		snprintf(key, sizeof key, "#%lld", (long long)id);
		strbuf_reset(&link);
		context_url_join(src, "/Ticket/Display.html?id=", &link);
		strbuf_printf(&link, "%lld", (long long)id);
		t = ticket_list_add(out, key, jdoc_str(&d, jdoc_get(&d, e, "Subject")),
				    jdoc_str(&d, jdoc_get(&d, e, "Status")), strbuf_str(&link));
		t->start = ticket_time(jdoc_str(&d, jdoc_get(&d, e, "Starts")));
		t->end = ticket_time(jdoc_str(&d, jdoc_get(&d, e, "Due")));
	}
	jdoc_free(&d);
	strbuf_free(&link);
	return rc;
}

static int search(struct context_source *src, const char *tsql, struct ticket_list *out,
		  struct irk_err *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	long status;
	int rc;

	context_url_join(src, "/REST/2.0/tickets?query=", &url);
	context_url_escape(tsql, &url);
	strbuf_printf(&url, "&fields=Subject,Status,Starts,Due&per_page=%d&orderby=LastUpdated&order=DESC",
		      RT_PER_PAGE);
	rc = context_http_get(src, strbuf_str(&url), &body, &status, err);
	if (!rc && status == 404)
		rc = irk_fail(err, IRK_ERROR, "HTTP 404: no REST2 at %s", src->url);
	if (!rc)
		rc = rt_parse_tickets(src, body.buf ? body.buf : "", body.len, out, err);
	strbuf_free(&url);
	strbuf_free(&body);
	return rc;
}

/* TicketSQL for the active tickets (outside the changes' queue), or for
 * the changes, mentioning t's words. */
static void rt_query(const struct context_source *src, const struct ticket_terms *t, int chg,
		     struct strbuf *q)
{
	const char *queue = chg ? src->changes : src->queue ? src->queue : src->changes;

	if (!chg)
		strbuf_puts(q, "Status = '__Active__'");
	if (queue) {
		strbuf_printf(q, "%sQueue %s '", chg ? "" : " AND ", chg || src->queue ? "=" : "!=");
		ticket_term(queue, q);
		strbuf_addc(q, '\'');
	}
	subject_terms(t, q);
}

static int rt_tickets(struct context_source *src, const struct ticket_terms *t,
		      struct ticket_list *tickets, struct ticket_list *changes, struct irk_err *err)
{
	return ticket_search_both(src, t, rt_query, search, tickets, changes, err);
}

static int rt_write(struct context_source *src, const struct context_ticket_req *q,
		    struct context_ticket *out, struct irk_err *err)
{
	struct strbuf path = STRBUF_INIT, send = STRBUF_INIT, body = STRBUF_INIT;
	char key[32], num[24];
	struct jsonw w;
	struct jdoc d;
	struct jdoc_error je;
	int64_t id = 0;
	int rc;

	if (q->ticket) {
		const char *n = q->ticket[0] == '#' ? q->ticket + 1 : q->ticket;
		if (!*n || strspn(n, "0123456789") != strlen(n) || strlen(n) > 18)
			return irk_fail(err, IRK_INVALID, "ticket: '%.40s' is not an RT ticket number",
					q->ticket);
		id = strtoll(n, NULL, 10);
		strbuf_printf(&path, "/REST/2.0/ticket/%lld/comment", (long long)id);
	} else {
		strbuf_puts(&path, "/REST/2.0/ticket");
	}
	jsonw_init(&w, &send, 0);
	jsonw_obj_begin(&w);
	if (!q->ticket) {
		jsonw_kv_str(&w, "Queue", q->queue ? q->queue : src->queue);
		jsonw_kv_str(&w, "Subject", q->subject ? q->subject : "");
	}
	jsonw_kv_str(&w, "Content", q->text ? q->text : "");
	jsonw_kv_str(&w, "ContentType", "text/plain");
	jsonw_obj_end(&w);
	rc = ticket_post(src, strbuf_str(&path), strbuf_str(&send), "RT", &body, err);
	jdoc_init(&d);
	/* Created: {"id": "20", "_url": ..., "type": "ticket"}. */
	if (!rc && !q->ticket && (jdoc_parse(&d, body.buf ? body.buf : "", body.len, &je) ||
				  jdoc_int(&d, jdoc_get(&d, 0, "id"), &id) || id <= 0))
		rc = irk_fail(err, IRK_ERROR, "RT created a ticket but did not say which");
	if (!rc) {
		snprintf(key, sizeof key, "#%lld", (long long)id);
		snprintf(num, sizeof num, "%lld", (long long)id);
		ticket_made(src, key, "/Ticket/Display.html?id=", num, q->subject, out);
	}
	jdoc_free(&d);
	strbuf_free(&path);
	strbuf_free(&send);
	strbuf_free(&body);
	return rc;
}

const struct context_kind context_kind_rt = { .name = "rt", .keys = rt_keys, .tickets = rt_tickets,
	.write = rt_write };
