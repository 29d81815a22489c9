/* generic.c: the generic JSON-over-HTTP source (type = http), for GLPI,
 * Snipe-IT, a ServiceNow CMDB or an in-house API: url is a template where
 * {key} is the host or address (escaped), the token goes into header
 * (Authorization) after scheme (Bearer), root is the dotted path of
 * the asset's object in the answer ("" the answer itself, "result.0"),
 * and map.FIELD the dotted path of each asset field in that object. A
 * missing object (or a 404) is "not known". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context_impl.h"

static const char *const http_keys[] = { "root", "header", "scheme", "map", NULL };

static int generic_asset(struct context_source *src, const char *key, struct asset *out,
			 struct irk_err *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT, v = STRBUF_INIT;
	const char *p = src->url, *at;
	struct jdoc d;
	struct jdoc_error je;
	long status;
	int rc, obj;

	while ((at = strstr(p, "{key}"))) {
		strbuf_add(&url, p, (size_t)(at - p));
		context_url_escape(key, &url);
		p = at + 5;
	}
	strbuf_puts(&url, p);
	rc = context_http_get(src, strbuf_str(&url), &body, &status, err);
	strbuf_free(&url);
	jdoc_init(&d);
	if (!rc && status == 404)
		rc = irk_fail(err, IRK_NOTFOUND, "not in %s", src->name);
	if (!rc && jdoc_parse(&d, body.buf ? body.buf : "", body.len, &je))
		rc = irk_fail(err, IRK_ERROR, "not JSON (%s at byte %zu)", je.msg, je.offset);
	obj = 0;
	if (!rc && src->root && *src->root)
		obj = jdoc_path(&d, 0, src->root);
	if (!rc && jdoc_type(&d, obj) != JD_OBJECT)
		rc = irk_fail(err, IRK_NOTFOUND, "not in %s", src->name);
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

const struct context_kind context_kind_http = { "http", http_keys, generic_asset, NULL, NULL };
