/* parse_eve.c: Suricata EVE JSON, event_type "alert".
 *
 * Mapping:
 *   time      timestamp
 *   rule_id   alert.signature_id      rule_name  alert.signature
 *   category  alert.category          severity   see eve_severity()
 *   src_ip    src_ip                  dst_ip     dest_ip
 *   host      host (the sensor name, when the EVE output sets one), else
 *             dest_ip: which side is ours is unknown in general, and a
 *             rule fires on traffic towards what it protects more often
 *             than not.
 * Observables: both IPs, the named host, tls.sni / http.hostname / DNS
 * rrnames as domains, http hostname+url as a URL, file hashes. */
#include <string.h>
#include <strings.h>

#include "irk/alert.h"
#include "irk/model.h"
#include "irk/sanitize.h"
#include "alert_impl.h"

/* alert.severity is Suricata's priority: 1 is the most severe, classtypes
 * go down to 3 or 4. Rule sets that tag signature_severity (ET: Critical,
 * Major, Minor, Informational) know better than the classtype, so Critical
 * and Major win. Anything unreadable is medium. */
static int eve_severity(const struct jdoc *root)
{
	const char *meta = alert_json_first(root,
		"alert.metadata.signature_severity");
	double n;

	if (meta && !strcasecmp(meta, "critical"))
		return SEV_CRITICAL;
	if (meta && !strcasecmp(meta, "major"))
		return SEV_HIGH;
	if (alert_json_num(root, "alert.severity", &n))
		return SEV_MEDIUM;
	return alert_sev_priority(n);
}

/* The rrname of v, or of each object when v is an array: alerts carry
 * dns.query[] (Suricata 6/7) or dns.queries[] (8), dns events dns.rrname. */
static void eve_obs_rrnames(struct alert *a, const struct jdoc *root, int v)
{
	if (jdoc_type(root, v) == JD_OBJECT) {
		alert_obs_tok(a, OBS_DOMAIN, root, alert_json_path_at(root, v, "rrname"));
		return;
	}
	if (jdoc_type(root, v) != JD_ARRAY)
		return;
	for (int e = jdoc_first(root, v); e >= 0; e = jdoc_next(root, v, e))
		alert_obs_tok(a, OBS_DOMAIN, root, alert_json_path_at(root, e, "rrname"));
}

/* fileinfo.* on fileinfo-style records, files[] on Suricata 7 alerts. */
static void eve_obs_hashes(struct alert *a, const struct jdoc *root, int f)
{
	alert_obs_tok(a, OBS_HASH, root, alert_json_path_at(root, f, "sha256"));
	alert_obs_tok(a, OBS_HASH, root, alert_json_path_at(root, f, "md5"));
}

static void eve_observables(struct alert *a, const struct jdoc *root, const char *host)
{
	int files = alert_json_path(root, "files");

	alert_add_obs(a, OBS_IP, a->src_ip);
	alert_add_obs(a, OBS_IP, a->dst_ip);
	alert_add_obs(a, OBS_HOST, host);
	alert_obs_path(a, OBS_DOMAIN, root, "tls.sni");
	alert_obs_path(a, OBS_DOMAIN, root, "http.hostname");
	eve_obs_rrnames(a, root, alert_json_path(root, "dns.query"));
	eve_obs_rrnames(a, root, alert_json_path(root, "dns.queries"));
	alert_obs_path(a, OBS_DOMAIN, root, "dns.rrname");
	alert_obs_url(a, "http", jdoc_str(root, alert_json_path(root, "http.hostname")),
		jdoc_str(root, alert_json_path(root, "http.url")));
	eve_obs_hashes(a, root, alert_json_path(root, "fileinfo"));
	if (jdoc_type(root, files) == JD_ARRAY)
		for (int e = jdoc_first(root, files); e >= 0; e = jdoc_next(root, files, e))
			eve_obs_hashes(a, root, e);
}

/* Contract in alert.h. Records of any other event_type (flow, dns, http,
 * stats...) are refused: they are context, not alerts. */
int alert_parse_eve(const struct jdoc *root, struct alert *a, struct irk_err *err)
{
	static const char *const identity[] = { "timestamp", "flow_id",
		"alert.signature_id", "tx_id", "src_ip", "src_port", "dest_ip",
		"dest_port" };
	const char *type, *host;
	char shown[48];
	int rc;

	if ((rc = alert_begin(a, FMT_EVE, root, err)))
		return rc;
	type = jdoc_str(root, jdoc_get(root, 0, "event_type"));
	if (!type)
		return irk_fail(err, IRK_INVALID, "no string in field "
			"'event_type' (an EVE alert has event_type 'alert')");
	if (strcmp(type, "alert"))
		return irk_fail(err, IRK_INVALID, "event_type is '%s', not "
			"'alert'", sanitize_buf(shown, sizeof shown, type, 0));
	if ((rc = alert_time(a, root, "timestamp", err)))
		return rc;
	a->rule_id = alert_json_str(a, root, "alert.signature_id");
	a->rule_name = alert_json_str(a, root, "alert.signature");
	a->category = alert_json_str(a, root, "alert.category");
	a->severity = eve_severity(root);
	a->src_ip = alert_json_str(a, root, "src_ip");
	a->dst_ip = alert_json_str(a, root, "dest_ip");
	host = alert_json_str(a, root, "host");
	a->host = host ? host : a->dst_ip;
	alert_fingerprint_paths(a, root, identity, ALERT_NELEM(identity));
	eve_observables(a, root, host);
	return IRK_OK;
}
