/* netbox.c: the NetBox source (type = netbox): a host name is looked up
 * as a device (/api/dcim/devices/?name=), then as a virtual machine
 * (/api/virtualization/virtual-machines/?name=); an address through
 * /api/ipam/ip-addresses/?address= and the device or VM its interface
 * belongs to. From the object: name, primary IPs, role, site, tenant (the
 * business unit), platform (os), tags, and the custom fields that hold
 * criticality and owner (criticality_field, owner_field). NetBox 2.x to
 * 4.x shapes: role or device_role, assigned_object or interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/ip.h"
#include "context_impl.h"

static const char *const netbox_keys[] = { "criticality_field", "owner_field", "unit_from", NULL };

/* Field f of out from the value at path of obj, when there is one. */
static void take(const struct jdoc *d, int obj, const char *path, const char *field,
		 struct asset *out)
{
	struct strbuf v = STRBUF_INIT;
	int t = jdoc_path(d, obj, path);
	char why[200];

	if (t >= 0 && !context_json_text(d, t, &v) && v.len)
		asset_field_set(out, asset_field_find(field), strbuf_str(&v), why, sizeof why);
	strbuf_free(&v);
}

int netbox_asset_from(const struct context_source *src, const struct jdoc *d, int obj,
		      struct asset *out)
{
	static const char *const ip_paths[] = { "primary_ip4.address", "primary_ip6.address",
		"primary_ip.address", NULL };
	struct strbuf ips = STRBUF_INIT, path = STRBUF_INIT;
	const char *unit = src && src->unit_from ? src->unit_from : "tenant";
	char why[200];

	memset(out, 0, sizeof *out);
	take(d, obj, "name", "host", out);
	if (!out->host)
		return -1;
	/* Addresses without their prefix length, each once. */
	for (int i = 0; ip_paths[i]; i++) {
		const char *a = jdoc_str(d, jdoc_path(d, obj, ip_paths[i]));
		size_t n = a ? strcspn(a, "/") : 0;
		if (!n || (ips.len && strstr(ips.buf, a) && (ips.buf[n] == ' ' || !ips.buf[n])))
			continue;
		char *addr = xstrndup(a, n);
		if (ip_is_address(addr) && !(ips.len && !strncmp(ips.buf, addr, n)))
			strbuf_printf(&ips, "%s%s", ips.len ? " " : "", addr);
		free(addr);
	}
	if (ips.len)
		asset_field_set(out, asset_field_find("ips"), strbuf_str(&ips), why, sizeof why);
	take(d, obj, jdoc_path(d, obj, "role") >= 0 && jdoc_type(d, jdoc_path(d, obj, "role")) != JD_NULL ?
	     "role" : "device_role", "role", out);
	take(d, obj, "site", "site", out);
	if (strcmp(unit, "none"))
		take(d, obj, !strcmp(unit, "tenant") ? "tenant" : "tenant.group", "business_unit", out);
	take(d, obj, "platform", "os", out);
	take(d, obj, "tags", "tags", out);
	strbuf_printf(&path, "custom_fields.%s", src && src->crit_field ? src->crit_field : "criticality");
	take(d, obj, strbuf_str(&path), "criticality", out);
	strbuf_reset(&path);
	strbuf_printf(&path, "custom_fields.%s", src && src->owner_field ? src->owner_field : "owner");
	take(d, obj, strbuf_str(&path), "owner", out);
	take(d, obj, "custom_fields.contact", "contact", out);
	strbuf_free(&ips);
	strbuf_free(&path);
	return 0;
}

/* GET base + path + escaped key into d; the token of the first result
 * into *first (-1 when none). */
static int query(struct context_source *src, const char *path, const char *key,
		 struct strbuf *body, struct jdoc *d, int *first, struct irk_err *err)
{
	struct strbuf url = STRBUF_INIT;
	struct jdoc_error je;
	size_t n = strlen(src->url);
	long status;
	int rc, res;

	while (n && src->url[n - 1] == '/')
		n--;
	strbuf_add(&url, src->url, n);
	strbuf_puts(&url, path);
	if (key)
		context_url_escape(key, &url);
	rc = context_http_get(src, strbuf_str(&url), body, &status, err);
	strbuf_free(&url);
	*first = -1;
	if (rc)
		return rc;
	if (status == 404)
		return IRK_NOTFOUND;
	if (jdoc_parse(d, body->buf ? body->buf : "", body->len, &je))
		return irk_fail(err, IRK_ERROR, "not JSON (%s at byte %zu)", je.msg, je.offset);
	if (!key) {                 /* one object */
		*first = jdoc_type(d, 0) == JD_OBJECT ? 0 : -1;
		return *first < 0 ? irk_fail(err, IRK_ERROR, "not a NetBox object") : IRK_OK;
	}
	res = jdoc_get(d, 0, "results");
	if (jdoc_type(d, res) != JD_ARRAY)
		return irk_fail(err, IRK_ERROR, "not a NetBox list (no results)");
	*first = jdoc_first(d, res);
	return IRK_OK;
}

static int netbox_asset(struct context_source *src, const char *key, struct asset *out,
			struct irk_err *err)
{
	struct strbuf body = STRBUF_INIT;
	struct jdoc d;
	int rc, obj;

	jdoc_init(&d);
	if (ip_is_address(key)) {
		rc = query(src, "/api/ipam/ip-addresses/?address=", key, &body, &d, &obj, err);
		if (!rc && obj >= 0) {
			/* The device or VM of its interface (assigned_object since
			 * NetBox 2.9, interface before). */
			static const char *const owners[][2] = {
				{ "assigned_object.device.id", "/api/dcim/devices/%lld/" },
				{ "assigned_object.virtual_machine.id", "/api/virtualization/virtual-machines/%lld/" },
				{ "interface.device.id", "/api/dcim/devices/%lld/" },
				{ "interface.virtual_machine.id", "/api/virtualization/virtual-machines/%lld/" } };
			int64_t id = 0;
			char path[96] = "";
			for (size_t i = 0; i < sizeof owners / sizeof owners[0] && !path[0]; i++)
				if (!jdoc_int(&d, jdoc_path(&d, obj, owners[i][0]), &id))
					snprintf(path, sizeof path, owners[i][1], (long long)id);
			rc = path[0] ? query(src, path, NULL, &body, &d, &obj, err) : IRK_NOTFOUND;
		}
	} else {
		rc = query(src, "/api/dcim/devices/?name=", key, &body, &d, &obj, err);
		if (!rc && obj < 0)
			rc = query(src, "/api/virtualization/virtual-machines/?name=", key, &body, &d, &obj, err);
	}
	if (!rc && obj < 0)
		rc = IRK_NOTFOUND;
	if (!rc && netbox_asset_from(src, &d, obj, out))
		rc = irk_fail(err, IRK_ERROR, "a NetBox object without a name");
	if (rc == IRK_NOTFOUND)
		irk_fail(err, IRK_NOTFOUND, "not in %s", src->name);
	jdoc_free(&d);
	strbuf_free(&body);
	return rc;
}

const struct context_kind context_kind_netbox = { .name = "netbox", .keys = netbox_keys,
	.asset = netbox_asset };
