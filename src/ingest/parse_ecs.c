/* parse_ecs.c: Elastic Common Schema alert documents.
 *
 * Accepted when event.kind is "alert" or "signal" (Elastic Security), or
 * when the document names a rule (rule.id / rule.name): IDS integrations
 * set one or the other. Documents of another event.kind (event, metric,
 * state, enrichment...) are skipped; one with no event.kind and no rule
 * is refused (nothing says what it is).
 *
 * Mapping (first present wins):
 *   time      @timestamp
 *   rule_id   rule.id, kibana.alert.rule.rule_id, signal.rule.rule_id,
 *             rule.uuid
 *   rule_name rule.name, kibana.alert.rule.name, signal.rule.name,
 *             event.action, message
 *   severity  see ecs_severity()
 *   host      host.name, host.hostname (the machine the event happened
 *             on), else alert_affected_host() of source.ip and
 *             destination.ip; observer.* is the sensor that saw it (an
 *             IDS, a firewall), never the affected machine
 *   src_ip    source.ip               dst_ip     destination.ip
 *   user      user.name               category   rule.category, else
 *                                                event.category[0]
 * Observables: IPs, user, named host, process, destination.domain,
 * url.domain, dns.question.name (domain), url.full or url.domain +
 * url.original (url), file/process hashes, related.ip/hosts/user/hash. */
#include <string.h>

#include "irk/alert_parse.h"
#include "irk/model.h"
#include "irk/sanitize.h"
#include "parse_impl.h"

/* ECS leaves event.severity to the source, so:
 *   1. a severity word from Elastic Security (kibana.alert.severity,
 *      signal.rule.severity) wins;
 *   2. event.severity 1..3 is read as a Suricata/Snort priority (1 high):
 *      Elastic's IDS integrations copy the engine's value there;
 *   3. any other event.severity is read as a 0-100 risk score with Elastic's
 *      bands: <= 21 low, <= 47 medium, <= 73 high, above critical;
 *   4. else log.level as a word (error -> high, warning -> medium...);
 *   5. else medium. */
static int ecs_severity(struct alert *a, const struct jdoc *root)
{
	static const char *const words[] = { "kibana.alert.severity",
		"signal.rule.severity", NULL };
	int sev = alert_sev_word(alert_json_any(a, root, words), -1);
	double n;

	if (sev >= 0)
		return sev;
	if (!alert_json_num(root, "event.severity", &n)) {
		if (n >= 1 && n <= 3)
			return alert_sev_priority(n);
		if (n <= 21)
			return SEV_LOW;
		if (n <= 47)
			return SEV_MEDIUM;
		return n <= 73 ? SEV_HIGH : SEV_CRITICAL;
	}
	return alert_sev_word(alert_json_str(a, root, "log.level"), SEV_MEDIUM);
}

static int ecs_is_alert(const struct jdoc *root, struct irk_err *err)
{
	const char *kind = jdoc_str(root, alert_json_path(root, "event.kind"));
	char shown[48];

	if (kind && (!strcmp(kind, "alert") || !strcmp(kind, "signal")))
		return IRK_OK;
	if (alert_json_path(root, "rule.id") >= 0 || alert_json_path(root, "rule.name") >= 0)
		return IRK_OK;
	if (!kind)
		return irk_fail(err, IRK_INVALID, "not an alert: no 'event.kind' "
			"alert or signal, and no 'rule.id' or 'rule.name'");
	return irk_fail(err, IRK_SKIPPED, "event.kind is '%s', not 'alert' or "
		"'signal', and there is no 'rule.id' or 'rule.name'",
		sanitize_buf(shown, sizeof shown, kind, 0));
}

/* related.hosts holds host names and domains alike: one with a dot is
 * taken as a domain, a bare name as a host. */
static void ecs_obs_related_hosts(struct alert *a, const struct jdoc *root)
{
	int hosts = alert_json_path(root, "related.hosts");

	if (jdoc_type(root, hosts) != JD_ARRAY)
		return;
	for (int e = jdoc_first(root, hosts); e >= 0; e = jdoc_next(root, hosts, e)) {
		const char *h = jdoc_str(root, e);
		if (h)
			alert_add_obs(a, strchr(h, '.') ? OBS_DOMAIN : OBS_HOST, h);
	}
}

static void ecs_observables(struct alert *a, const struct jdoc *root, const char *host)
{
	static const char *const process[] = { "process.executable",
		"process.name", NULL };
	const char *full = jdoc_str(root, alert_json_path(root, "url.full"));

	alert_add_obs(a, OBS_IP, a->src_ip);
	alert_add_obs(a, OBS_IP, a->dst_ip);
	alert_add_obs(a, OBS_HOST, host);
	alert_add_obs(a, OBS_USER, a->user);
	alert_obs_path(a, OBS_DOMAIN, root, "destination.domain");
	alert_obs_path(a, OBS_DOMAIN, root, "url.domain");
	alert_obs_path(a, OBS_DOMAIN, root, "dns.question.name");
	if (full)
		alert_add_obs(a, OBS_URL, full);
	else
		alert_obs_url(a, jdoc_str(root, alert_json_path(root, "url.scheme")),
			jdoc_str(root, alert_json_path(root, "url.domain")),
			jdoc_str(root, alert_json_path(root, "url.original")));
	alert_obs_path(a, OBS_HASH, root, "file.hash.sha256");
	alert_obs_path(a, OBS_HASH, root, "file.hash.md5");
	alert_obs_path(a, OBS_HASH, root, "process.hash.sha256");
	alert_add_obs(a, OBS_PROCESS, alert_json_any(a, root, process));
	alert_obs_path(a, OBS_IP, root, "related.ip");
	ecs_obs_related_hosts(a, root);
	alert_obs_path(a, OBS_USER, root, "related.user");
	alert_obs_path(a, OBS_HASH, root, "related.hash");
}

/* Contract in alert_parse.h. */
int alert_parse_ecs(const struct jdoc *root, struct alert *a, struct irk_err *err)
{
	static const char *const rule_ids[] = { "rule.id",
		"kibana.alert.rule.rule_id", "signal.rule.rule_id", "rule.uuid",
		NULL };
	static const char *const rule_names[] = { "rule.name",
		"kibana.alert.rule.name", "signal.rule.name", "event.action",
		"message", NULL };
	static const char *const hosts[] = { "host.name", "host.hostname", NULL };
	static const char *const by_id[] = { "event.id" };
	/* Without event.id: when, what and between whom, plus the original
	 * event text, which separates two hits of one rule in one second. */
	static const char *const by_content[] = { "@timestamp", "rule.id",
		"source.ip", "source.port", "destination.ip", "destination.port",
		"event.original" };
	const char *host, *event_id;
	int rc;

	if ((rc = alert_begin(a, FMT_ECS, root, err)) ||
	    (rc = ecs_is_alert(root, err)) ||
	    (rc = alert_time(a, root, "@timestamp", err)))
		return rc;
	a->rule_id = alert_json_any(a, root, rule_ids);
	a->rule_name = alert_json_any(a, root, rule_names);
	a->severity = ecs_severity(a, root);
	a->src_ip = alert_json_str(a, root, "source.ip");
	a->dst_ip = alert_json_str(a, root, "destination.ip");
	a->user = alert_json_str(a, root, "user.name");
	host = alert_json_any(a, root, hosts);
	a->host = host ? host : alert_affected_host(a->src_ip, a->dst_ip, 0);
	a->category = alert_json_str(a, root, "rule.category");
	if (!a->category)
		a->category = alert_json_first(root, "event.category");
	event_id = alert_json_str(a, root, "event.id");
	if (event_id && *event_id)
		alert_fingerprint_paths(a, root, by_id, ALERT_NELEM(by_id));
	else
		alert_fingerprint_paths(a, root, by_content,
			ALERT_NELEM(by_content));
	ecs_observables(a, root, host);
	return IRK_OK;
}
