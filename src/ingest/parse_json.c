/* parse_json.c: any JSON alert, through the dotted paths of an
 * irk.conf [mapping] (struct alert_mapping).
 *
 * time is required. It may be an ISO 8601 string, or an epoch number (or
 * numeric string) in seconds or milliseconds: values from 1e11 up are
 * milliseconds (see alert_time() in parse_impl.h).
 * Every other mapped field is optional; numbers and booleans found where a
 * string is expected are kept in their JSON text form ("42", "true").
 * Observables: host (host), src_ip and dst_ip (ip), user (user). */
#include <stdlib.h>

#include "irk/alert_parse.h"
#include "irk/model.h"
#include "irk/strbuf.h"
#include "parse_impl.h"

/* A word (low/medium/high/critical, log levels, major/minor) is read as
 * such. A number is read on the CVSS scale 0-10 (below 4 low, below 7
 * medium, below 9 high, else critical); a number above 10 as a 0-100 score
 * with the same bands times ten. No value, or an unknown word: medium. */
static int json_severity(const struct jdoc *root, const char *path)
{
	int sev = alert_sev_word(jdoc_str(root, alert_json_path(root, path)), -1);
	double n;

	if (sev >= 0)
		return sev;
	if (alert_json_num(root, path, &n) || n < 0)
		return SEV_MEDIUM;
	if (n > 10)
		n /= 10;
	if (n < 4)
		return SEV_LOW;
	if (n < 7)
		return SEV_MEDIUM;
	return n < 9 ? SEV_HIGH : SEV_CRITICAL;
}

/* Without a mapped id the identity is the record itself, canonicalised
 * (sorted keys, compact) so whitespace and key order do not matter. */
static void json_fingerprint(struct alert *a, const struct jdoc *root,
		const struct alert_mapping *map)
{
	const char *id = alert_json_str(a, root, map->id);
	const char *parts[2];
	struct strbuf dump = STRBUF_INIT;

	if (id && *id) {
		parts[0] = "id";
		parts[1] = id;
		alert_fingerprint(a, parts, 2);
		return;
	}
	jdoc_canonical(root, 0, &dump);
	parts[0] = "record";
	parts[1] = strbuf_str(&dump);
	alert_fingerprint(a, parts, 2);
	strbuf_free(&dump);
}

/* Contract in alert_parse.h. map->time is required. */
int alert_parse_json(const struct jdoc *root, const struct alert_mapping *map,
		struct alert *a, struct irk_err *err)
{
	int rc;

	if ((rc = alert_begin(a, FMT_JSON, root, err)))
		return rc;
	if (!map || !map->time || !*map->time)
		return irk_fail(err, IRK_INVALID, "format json needs a [mapping] "
			"with a 'time' path in irk.conf");
	if ((rc = alert_time(a, root, map->time, err)))
		return rc;
	a->rule_id = alert_json_str(a, root, map->rule_id);
	a->rule_name = alert_json_str(a, root, map->rule_name);
	a->severity = json_severity(root, map->severity);
	a->host = alert_json_str(a, root, map->host);
	a->src_ip = alert_json_str(a, root, map->src_ip);
	a->dst_ip = alert_json_str(a, root, map->dst_ip);
	a->user = alert_json_str(a, root, map->user);
	a->category = alert_json_str(a, root, map->category);
	json_fingerprint(a, root, map);
	alert_add_obs(a, OBS_HOST, a->host);
	alert_add_obs(a, OBS_IP, a->src_ip);
	alert_add_obs(a, OBS_IP, a->dst_ip);
	alert_add_obs(a, OBS_USER, a->user);
	return IRK_OK;
}
