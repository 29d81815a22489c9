/* parse_eve.c: Suricata EVE JSON, event_type "alert".
 *
 * Mapping:
 *   time      timestamp
 *   rule_id   alert.signature_id      rule_name  alert.signature
 *   category  alert.category          severity   see eve_severity()
 *   src_ip    src_ip                  dst_ip     dest_ip
 *   host      the affected machine: alert.target.ip when the rule names
 *             its target (Suricata's target keyword), else
 *             alert_affected_host() of the addresses, with direction
 *             "to_client" (Suricata 7) meaning the packet went back from
 *             the server. EVE's own "host" is the sensor's name (the IDS
 *             box that saw the traffic), never the affected machine: it
 *             stays in the raw record.
 * Observables: both IPs, tls.sni / http.hostname / DNS rrnames as
 * domains, http hostname+url as a URL, file hashes.
 *
 * This is the format of the ingest benchmark: every field is found in one
 * pass over each object (alert_fields), not one lookup per path. */
#include <string.h>
#include <strings.h>

#include "irk/alert_parse.h"
#include "irk/model.h"
#include "irk/sanitize.h"
#include "parse_impl.h"

/* The fields read: name, parent field (ROOT for the record), key, path. */
#define ROOT (-1)
#define EVE_FIELDS(X) \
	X(TIMESTAMP, ROOT, "timestamp", "timestamp") \
	X(FLOW_ID, ROOT, "flow_id", "flow_id") \
	X(EVENT_TYPE, ROOT, "event_type", "event_type") \
	X(SRC_IP, ROOT, "src_ip", "src_ip") \
	X(SRC_PORT, ROOT, "src_port", "src_port") \
	X(DEST_IP, ROOT, "dest_ip", "dest_ip") \
	X(DEST_PORT, ROOT, "dest_port", "dest_port") \
	X(TX_ID, ROOT, "tx_id", "tx_id") \
	X(DIRECTION, ROOT, "direction", "direction") \
	X(ALERT, ROOT, "alert", "alert") \
	X(TLS, ROOT, "tls", "tls") \
	X(HTTP, ROOT, "http", "http") \
	X(DNS, ROOT, "dns", "dns") \
	X(FILEINFO, ROOT, "fileinfo", "fileinfo") \
	X(FILES, ROOT, "files", "files") \
	X(SIG_ID, F_ALERT, "signature_id", "alert.signature_id") \
	X(SIGNATURE, F_ALERT, "signature", "alert.signature") \
	X(CATEGORY, F_ALERT, "category", "alert.category") \
	X(SEVERITY, F_ALERT, "severity", "alert.severity") \
	X(METADATA, F_ALERT, "metadata", "alert.metadata") \
	X(TARGET, F_ALERT, "target", "alert.target") \
	X(SIG_SEVERITY, F_METADATA, "signature_severity", "alert.metadata.signature_severity") \
	X(TARGET_IP, F_TARGET, "ip", "alert.target.ip") \
	X(SNI, F_TLS, "sni", "tls.sni") \
	X(HTTP_HOST, F_HTTP, "hostname", "http.hostname") \
	X(HTTP_URL, F_HTTP, "url", "http.url") \
	X(DNS_QUERY, F_DNS, "query", "dns.query") \
	X(DNS_QUERIES, F_DNS, "queries", "dns.queries") \
	X(DNS_RRNAME, F_DNS, "rrname", "dns.rrname") \
	X(FI_SHA256, F_FILEINFO, "sha256", "fileinfo.sha256") \
	X(FI_MD5, F_FILEINFO, "md5", "fileinfo.md5")

#define X_ENUM(name, parent, key, path) F_##name,
enum { EVE_FIELDS(X_ENUM) F_COUNT };
#undef X_ENUM
#define X_FIELD(name, parent, key, path) { parent, key, sizeof key - 1, path },
static const struct alert_field eve_fields[] = { EVE_FIELDS(X_FIELD) };
#undef X_FIELD

/* alert.severity is Suricata's priority: 1 is the most severe, classtypes
 * go down to 3 or 4. Rule sets that tag signature_severity (ET: Critical,
 * Major, Minor, Informational) know better than the classtype, so Critical
 * and Major win. Anything unreadable is medium. */
static int eve_severity(const struct jdoc *root, const int *f)
{
	const char *meta = alert_tok_first(root, f[F_SIG_SEVERITY]);
	double n;

	if (meta && !strcasecmp(meta, "critical"))
		return SEV_CRITICAL;
	if (meta && !strcasecmp(meta, "major"))
		return SEV_HIGH;
	if (alert_tok_num(root, f[F_SEVERITY], &n))
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

/* files[] on Suricata 7 alerts. */
static void eve_obs_hashes(struct alert *a, const struct jdoc *root, int f)
{
	alert_obs_tok(a, OBS_HASH, root, alert_json_path_at(root, f, "sha256"));
	alert_obs_tok(a, OBS_HASH, root, alert_json_path_at(root, f, "md5"));
}

static void eve_observables(struct alert *a, const struct jdoc *root, const int *f)
{
	int files = f[F_FILES];

	alert_add_obs(a, OBS_IP, a->src_ip);
	alert_add_obs(a, OBS_IP, a->dst_ip);
	alert_obs_tok(a, OBS_DOMAIN, root, f[F_SNI]);
	alert_obs_tok(a, OBS_DOMAIN, root, f[F_HTTP_HOST]);
	eve_obs_rrnames(a, root, f[F_DNS_QUERY]);
	eve_obs_rrnames(a, root, f[F_DNS_QUERIES]);
	alert_obs_tok(a, OBS_DOMAIN, root, f[F_DNS_RRNAME]);
	alert_obs_url(a, "http", jdoc_str(root, f[F_HTTP_HOST]), jdoc_str(root, f[F_HTTP_URL]));
	alert_obs_tok(a, OBS_HASH, root, f[F_FI_SHA256]);
	alert_obs_tok(a, OBS_HASH, root, f[F_FI_MD5]);
	if (jdoc_type(root, files) == JD_ARRAY)
		for (int e = jdoc_first(root, files); e >= 0; e = jdoc_next(root, files, e))
			eve_obs_hashes(a, root, e);
}

/* Contract in alert_parse.h. Records of any other event_type (flow, dns, http,
 * stats...) are skipped: they are context, not alerts (ingest may keep
 * them, irk/sensor.h). event_type is looked at first, alone: on a sensor
 * that is 99 records in 100, and they cost one lookup. */
int alert_parse_eve(const struct jdoc *root, struct alert *a, struct irk_err *err)
{
	static const int identity[] = { F_TIMESTAMP, F_FLOW_ID, F_SIG_ID, F_TX_ID,
		F_SRC_IP, F_SRC_PORT, F_DEST_IP, F_DEST_PORT };
	int f[F_COUNT], id[ALERT_NELEM(identity)];
	const char *type, *target, *dir;
	char shown[48];
	int rc;

	if ((rc = alert_begin(a, FMT_EVE, root, err)))
		return rc;
	type = jdoc_str(root, alert_json_path(root, "event_type"));
	if (!type)
		return irk_fail(err, IRK_INVALID, "no string in field "
			"'event_type' (an EVE alert has event_type 'alert')");
	if (strcmp(type, "alert"))
		return irk_fail(err, IRK_SKIPPED, "event_type is '%s', not "
			"'alert'", sanitize_buf(shown, sizeof shown, type, 0));
	alert_fields(root, eve_fields, F_COUNT, f);
	if ((rc = alert_tok_time(a, root, f[F_TIMESTAMP], "timestamp", err)))
		return rc;
	a->rule_id = alert_tok_str(a, root, f[F_SIG_ID]);
	a->rule_name = alert_tok_str(a, root, f[F_SIGNATURE]);
	a->category = alert_tok_str(a, root, f[F_CATEGORY]);
	a->severity = eve_severity(root, f);
	a->src_ip = alert_tok_str(a, root, f[F_SRC_IP]);
	a->dst_ip = alert_tok_str(a, root, f[F_DEST_IP]);
	target = alert_tok_str(a, root, f[F_TARGET_IP]);
	dir = jdoc_str(root, f[F_DIRECTION]);
	a->host = target && *target ? target :
		alert_affected_host(a->src_ip, a->dst_ip, dir && !strcmp(dir, "to_client"));
	for (int i = 0; i < ALERT_NELEM(identity); i++)
		id[i] = f[identity[i]];
	alert_fingerprint_toks(a, root, id, ALERT_NELEM(id));
	eve_observables(a, root, f);
	return IRK_OK;
}
