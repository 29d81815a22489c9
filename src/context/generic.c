/* generic.c: the generic JSON-over-HTTP source (type = http), for GLPI,
 * Snipe-IT, a ServiceNow CMDB, a directory of people or an in-house API:
 * url is a template where {key} is the host or address (or, with
 * object = user, the user name), escaped; the token goes into header
 * (Authorization) after scheme (Bearer), root is the dotted path of the
 * object in the answer ("" the answer itself, "result.0"), and map.FIELD
 * the dotted path of each asset (or user) field in that object. A
 * missing object (or a 404) is "not known". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context_impl.h"

static const char *const http_keys[] = { "root", "header", "scheme", "map", "object", NULL };

/* GET the url of key and find the object in d; its token into *obj. */
static int fetch(struct context_source *src, const char *key, struct jdoc *d, struct strbuf *body,
		 int *obj, struct irk_err *err)
{
	struct strbuf url = STRBUF_INIT;
	const char *p = src->url, *at;
	struct jdoc_error je;
	long status;
	int rc;

	while ((at = strstr(p, "{key}"))) {
		strbuf_add(&url, p, (size_t)(at - p));
		context_url_escape(key, &url);
		p = at + 5;
	}
	strbuf_puts(&url, p);
	rc = context_http_get(src, strbuf_str(&url), body, &status, err);
	strbuf_free(&url);
	if (!rc && status == 404)
		rc = irk_fail(err, IRK_NOTFOUND, "not in %s", src->name);
	if (!rc && jdoc_parse(d, body->buf ? body->buf : "", body->len, &je))
		rc = irk_fail(err, IRK_ERROR, "not JSON (%s at byte %zu)", je.msg, je.offset);
	*obj = 0;
	if (!rc && src->root && *src->root)
		*obj = jdoc_path(d, 0, src->root);
	if (!rc && jdoc_type(d, *obj) != JD_OBJECT)
		rc = irk_fail(err, IRK_NOTFOUND, "not in %s", src->name);
	return rc;
}

static int generic_asset(struct context_source *src, const char *key, struct asset *out,
			 struct irk_err *err)
{
	struct strbuf body = STRBUF_INIT, v = STRBUF_INIT;
	struct jdoc d;
	int rc, obj;

	jdoc_init(&d);
	rc = fetch(src, key, &d, &body, &obj, err);
	memset(out, 0, sizeof *out);
	for (int i = 0; !rc && i < ASSET_NFIELDS; i++) {
		char why[200];
		int t;
		if (!src->map[i] || (t = jdoc_path(&d, obj, src->map[i])) < 0)
			continue;
		strbuf_reset(&v);
		if (!context_json_text(&d, t, &v) && v.len)
			asset_field_set(out, &asset_fields[i], strbuf_str(&v), why, sizeof why);
	}
	if (!rc && !out->host)
		asset_field_set(out, &asset_fields[0], key, (char[8]){ 0 }, 8);
	jdoc_free(&d);
	strbuf_free(&body);
	strbuf_free(&v);
	return rc;
}

static int generic_user(struct context_source *src, const char *name, struct context_user *out,
			struct irk_err *err)
{
	struct strbuf body = STRBUF_INIT, v = STRBUF_INIT;
	struct jdoc d;
	int rc, obj;

	jdoc_init(&d);
	rc = fetch(src, name, &d, &body, &obj, err);
	memset(out, 0, sizeof *out);
	for (int i = 0; !rc && i < CONTEXT_USER_NFIELDS; i++) {
		int t;
		if (!src->umap[i] || (t = jdoc_path(&d, obj, src->umap[i])) < 0)
			continue;
		strbuf_reset(&v);
		if (!context_json_text(&d, t, &v) && v.len)
			*context_user_field(out, i) = strbuf_detach(&v);
	}
	if (!rc && !out->name)
		out->name = xstrdup(name);
	jdoc_free(&d);
	strbuf_free(&body);
	strbuf_free(&v);
	return rc;
}

const struct context_kind context_kind_http = { .name = "http", .keys = http_keys,
	.asset = generic_asset, .user = generic_user };
