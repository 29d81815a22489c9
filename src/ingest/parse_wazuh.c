/* parse_wazuh.c: Wazuh alerts.json (one alert per line).
 *
 * Mapping:
 *   time      timestamp
 *   rule_id   rule.id                 rule_name  rule.description
 *   severity  rule.level, see wazuh_severity()
 *   host      agent.name (the agent the alert is about; "wazuh-manager"
 *             or the manager's own agent 000 for manager-side rules)
 *   src_ip    data.srcip              dst_ip     data.dstip
 *   user      data.dstuser, else data.srcuser, else the Windows event's
 *             targetUserName / subjectUserName
 *   category  see wazuh_category()
 * Observables: agent.name (host), agent.ip, data.srcip, data.dstip (ip),
 * every user above, syscheck sha256/md5 after the change (hash). */
#include <string.h>

#include "irk/alert_parse.h"
#include "irk/model.h"
#include "parse_impl.h"

/* Wazuh's own dashboard bands for rule.level (0-15), so irk agrees with
 * the console an analyst already knows: 0-6 low, 7-11 medium, 12-14 high
 * (level 12 is "high importance event"), 15 critical ("severe attack"). */
static int wazuh_severity(const struct jdoc *root)
{
	double level;

	if (alert_json_num(root, "rule.level", &level))
		return SEV_MEDIUM;
	if (level >= 15)
		return SEV_CRITICAL;
	if (level >= 12)
		return SEV_HIGH;
	return level >= 7 ? SEV_MEDIUM : SEV_LOW;
}

/* Groups that name where the log came from, not what happened. */
static int wazuh_group_generic(const char *g)
{
	static const char *const generic[] = { "syslog", "ossec", "local",
		"windows", "linux", "sysmon", "wazuh", "agent" };

	for (int i = 0; i < ALERT_NELEM(generic); i++)
		if (!strcmp(g, generic[i]))
			return 1;
	return 0;
}

/* Wazuh rule files list groups from the general (file level: "syslog",
 * "sshd") to the specific (rule level: "authentication_failed"), so the
 * category is the last group that is not generic; failing that the first. */
static const char *wazuh_category(const struct jdoc *root)
{
	int groups = alert_json_path(root, "rule.groups");
	const char *first = NULL, *last_specific = NULL;

	if (jdoc_type(root, groups) != JD_ARRAY)
		return jdoc_str(root, groups);
	for (int e = jdoc_first(root, groups); e >= 0; e = jdoc_next(root, groups, e)) {
		const char *g = jdoc_str(root, e);
		if (!g || !*g)
			continue;
		if (!first)
			first = g;
		if (!wazuh_group_generic(g))
			last_specific = g;
	}
	return last_specific ? last_specific : first;
}

/* Contract in alert_parse.h. */
int alert_parse_wazuh(const struct jdoc *root, struct alert *a, struct irk_err *err)
{
	/* id is unique per manager, agent.id disambiguates across managers
	 * whose ids might meet. */
	static const char *const identity[] = { "id", "timestamp", "rule.id",
		"agent.id" };
	static const char *const users[] = { "data.dstuser", "data.srcuser",
		"data.win.eventdata.targetUserName",
		"data.win.eventdata.subjectUserName" };
	int rc;

	if ((rc = alert_begin(a, FMT_WAZUH, root, err)) ||
	    (rc = alert_time(a, root, "timestamp", err)))
		return rc;
	a->rule_id = alert_json_str(a, root, "rule.id");
	a->rule_name = alert_json_str(a, root, "rule.description");
	a->severity = wazuh_severity(root);
	a->host = alert_json_str(a, root, "agent.name");
	a->src_ip = alert_json_str(a, root, "data.srcip");
	a->dst_ip = alert_json_str(a, root, "data.dstip");
	a->category = wazuh_category(root);
	alert_fingerprint_paths(a, root, identity, ALERT_NELEM(identity));

	alert_add_obs(a, OBS_HOST, a->host);
	alert_obs_path(a, OBS_IP, root, "agent.ip");
	alert_add_obs(a, OBS_IP, a->src_ip);
	alert_add_obs(a, OBS_IP, a->dst_ip);
	for (int i = 0; i < ALERT_NELEM(users); i++) {
		const char *u = alert_json_str(a, root, users[i]);
		if (!a->user && u && *u)
			a->user = u;
		alert_add_obs(a, OBS_USER, u);
	}
	alert_obs_path(a, OBS_HASH, root, "syscheck.sha256_after");
	alert_obs_path(a, OBS_HASH, root, "syscheck.md5_after");
	return IRK_OK;
}
