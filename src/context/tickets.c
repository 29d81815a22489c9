/* tickets.c: what the ticket sources (rt.c, jira.c) share: lists of
 * tickets, their dates, the change window, the cache's JSON form of an
 * incident's tickets and changes, and the ticket step's way in
 * (context_ticket_write). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/clock.h"
#include "context_impl.h"

/* A change without an end is taken to last this long. */
#define CHANGE_DEFAULT_LEN (24 * 3600)

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct context_ticket *ticket_list_add(struct ticket_list *l, const char *key, const char *title,
				       const char *status, const char *url)
{
	struct context_ticket *t;

	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
	t = &l->v[l->n++];
	memset(t, 0, sizeof *t);
	t->key = dup_or_null(key);
	t->title = dup_or_null(title);
	t->status = dup_or_null(status);
	t->url = dup_or_null(url);
	return t;
}

void context_ticket_clear(struct context_ticket *t)
{
	free(t->key);
	free(t->title);
	free(t->status);
	free(t->source);
	free(t->url);
	memset(t, 0, sizeof *t);
}

void ticket_list_clear(struct ticket_list *l)
{
	for (int i = 0; i < l->n; i++)
		context_ticket_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int64_t ticket_time(const char *s)
{
	int64_t t;
	char day[32];

	if (!s || !*s)
		return 0;
	/* Jira's duedate is a day. */
	if (strlen(s) == 10) {
		snprintf(day, sizeof day, "%sT00:00:00Z", s);
		s = day;
	}
	if (irk_time_parse(s, &t) || t <= 0)
		return 0;               /* RT's "not set" is 1970-01-01 */
	return t;
}

int context_change_covers(const struct context_ticket *c, int64_t t)
{
	int64_t end = c->end ? c->end : c->start + CHANGE_DEFAULT_LEN;

	return c->start && t && c->start <= t && t <= end;
}

int ticket_change_near(const struct context_source *src, const struct context_ticket *c,
		       int64_t at, int64_t now)
{
	int64_t w = src->change_window, from = (at ? at : now) - w;
	int64_t to = (at > now ? at : now) + w;
	int64_t end = c->end ? c->end : c->start + CHANGE_DEFAULT_LEN;

	/* Without a window it cannot be placed: shown, to be safe. */
	if (!c->start && !c->end)
		return 1;
	return (c->start ? c->start : end) <= to && end >= from;
}

void ticket_keep_near(const struct context_source *src, const struct ticket_list *all, int64_t at,
		      struct ticket_list *changes)
{
	int64_t now = irk_now();

	for (int i = 0; i < all->n; i++)
		if (ticket_change_near(src, &all->v[i], at, now)) {
			struct context_ticket *c = ticket_list_add(changes, all->v[i].key,
				all->v[i].title, all->v[i].status, all->v[i].url);
			c->start = all->v[i].start;
			c->end = all->v[i].end;
		}
}

int ticket_search_both(struct context_source *src, const struct ticket_terms *t,
		       void (*query)(const struct context_source *src, const struct ticket_terms *t,
				     int changes, struct strbuf *q),
		       int (*search)(struct context_source *src, const char *q, struct ticket_list *out,
				     struct irk_err *err),
		       struct ticket_list *tickets, struct ticket_list *changes, struct irk_err *err)
{
	struct strbuf q = STRBUF_INIT;
	struct ticket_list all = { 0 };
	int rc;

	if (!t->n)
		return IRK_OK;
	query(src, t, 0, &q);
	rc = search(src, strbuf_str(&q), tickets, err);
	if (!rc && src->changes) {
		strbuf_reset(&q);
		query(src, t, 1, &q);
		if (!(rc = search(src, strbuf_str(&q), &all, err)))
			ticket_keep_near(src, &all, t->at, changes);
	}
	ticket_list_clear(&all);
	strbuf_free(&q);
	return rc;
}

void context_url_join(const struct context_source *src, const char *path, struct strbuf *out)
{
	size_t n = strlen(src->url);

	while (n && src->url[n - 1] == '/')
		n--;
	strbuf_add(out, src->url, n);
	strbuf_puts(out, path);
}

/* ---- the cache's form: {"tickets": [...], "changes": [...]} ----------------------- */

static void list_json(struct jsonw *w, const char *name, const struct ticket_list *l)
{
	jsonw_key(w, name);
	jsonw_arr_begin(w);
	for (int i = 0; i < l->n; i++) {
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "key", l->v[i].key);
		jsonw_kv_str(w, "title", l->v[i].title);
		jsonw_kv_str(w, "status", l->v[i].status);
		jsonw_kv_str(w, "url", l->v[i].url);
		jsonw_kv_int(w, "start", l->v[i].start);
		jsonw_kv_int(w, "end", l->v[i].end);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

void tickets_cache_json(const struct ticket_list *tickets, const struct ticket_list *changes,
			struct strbuf *out)
{
	struct jsonw w;

	jsonw_init(&w, out, 0);
	jsonw_obj_begin(&w);
	list_json(&w, "tickets", tickets);
	list_json(&w, "changes", changes);
	jsonw_obj_end(&w);
}

int tickets_cache_read(const char *json, const char *source, int64_t fetched,
		       struct ticket_list *tickets, struct ticket_list *changes)
{
	static const char *const names[] = { "tickets", "changes" };
	struct ticket_list *lists[] = { tickets, changes };
	struct jdoc d;
	struct jdoc_error je;

	jdoc_init(&d);
	if (jdoc_parse(&d, json, strlen(json), &je) || jdoc_type(&d, 0) != JD_OBJECT) {
		jdoc_free(&d);
		return -1;
	}
	for (int k = 0; k < 2; k++) {
		int arr = jdoc_get(&d, 0, names[k]);
		for (int e = jdoc_first(&d, arr); e >= 0; e = jdoc_next(&d, arr, e)) {
			struct context_ticket *t;
			if (!jdoc_str(&d, jdoc_get(&d, e, "key")))
				continue;
			t = ticket_list_add(lists[k], jdoc_str(&d, jdoc_get(&d, e, "key")),
					    jdoc_str(&d, jdoc_get(&d, e, "title")),
					    jdoc_str(&d, jdoc_get(&d, e, "status")),
					    jdoc_str(&d, jdoc_get(&d, e, "url")));
			jdoc_int(&d, jdoc_get(&d, e, "start"), &t->start);
			jdoc_int(&d, jdoc_get(&d, e, "end"), &t->end);
			t->source = xstrdup(source);
			t->fetched = fetched;
		}
	}
	jdoc_free(&d);
	return 0;
}

int ticket_post(struct context_source *src, const char *path, const char *send, const char *who,
		struct strbuf *body, struct irk_err *err)
{
	struct strbuf url = STRBUF_INIT;
	long status;
	int rc;

	context_url_join(src, path, &url);
	rc = context_http_request(src, "POST", strbuf_str(&url), send, body, &status, err);
	if (!rc && (status < 200 || status >= 300))
		rc = irk_fail(err, IRK_ERROR, "HTTP %ld from %s", status, who);
	strbuf_free(&url);
	return rc;
}

void ticket_made(const struct context_source *src, const char *key, const char *link_path,
		 const char *link_key, const char *subject, struct context_ticket *out)
{
	struct strbuf url = STRBUF_INIT;

	context_url_join(src, link_path, &url);
	strbuf_puts(&url, link_key);
	out->key = xstrdup(key);
	out->url = strbuf_detach(&url);
	out->title = subject ? xstrdup(subject) : NULL;
}

/* ---- the ticket step's way in ------------------------------------------------------ */

int context_ticket_write(const struct context_sources *srcs, const struct context_ticket_req *q,
			 struct context_ticket *out, struct irk_err *err)
{
	struct context_source *src = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	for (int i = 0; srcs && i < srcs->n; i++)
		if (q->source && !strcmp(srcs->v[i].name, q->source))
			src = &srcs->v[i];
	if (!src)
		return irk_fail(err, IRK_INVALID, "no ticket source [context.%s] in irk.conf",
				q->source ? q->source : "?");
	if (!src->kind->write)
		return irk_fail(err, IRK_INVALID, "[context.%s] is a %s source: tickets are written to "
				"rt or jira sources", src->name, src->kind->name);
	if (!q->ticket && !q->queue && !src->queue)
		return irk_fail(err, IRK_INVALID, "[context.%s]: no queue to create the ticket in "
				"(the step's queue, or queue = in irk.conf)", src->name);
	if ((rc = src->kind->write(src, q, out, err)))
		return rc;
	free(out->source);
	out->source = xstrdup(src->name);
	return IRK_OK;
}

void ticket_term(const char *term, struct strbuf *out)
{
	for (const unsigned char *p = (const unsigned char *)term; *p; p++)
		if (*p >= 0x20 && *p != 0x7f && !strchr("'\"\\", *p))
			strbuf_addc(out, (char)*p);
}
