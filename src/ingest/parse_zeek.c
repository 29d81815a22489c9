/* parse_zeek.c: Zeek notice.log written as JSON (LogAscii::use_json).
 *
 * Mapping:
 *   time      ts (epoch seconds with a fraction, or ISO 8601 when Zeek
 *             writes JSON::TS_ISO8601)
 *   rule_id   note ("SSH::Password_Guessing")     rule_name  msg
 *   category  the part of note before "::" ("SSH")
 *   severity  by note, see zeek_severity()
 *   src_ip    src, else id.orig_h     dst_ip     dst, else id.resp_h
 *   host      alert_affected_host() of the addresses: the internal one,
 *             else the destination (a notice names the target when it has
 *             one); without one (password guessing, scans) the only host
 *             named is the actor. Sensor notices (CaptureLoss) have none.
 * Observables: src and dst IPs. */
#include <string.h>

#include "irk/alert_parse.h"
#include "irk/model.h"
#include "irk/sanitize.h"
#include "parse_impl.h"

/* Zeek has no severity field: the note type says it all. Names ending in
 * "::" cover the whole family; exact names come first. Anything else is
 * medium, so an unknown site policy notice is not buried. */
static const struct {
	const char *note;
	int sev;
} zeek_notes[] = {
	{ "SSH::Login_By_Password_Guesser", SEV_CRITICAL }, /* it got in */
	{ "Heartbleed::SSL_Heartbeat_Attack_Success", SEV_CRITICAL },
	{ "SSH::Password_Guessing", SEV_HIGH },
	{ "FTP::Bruteforcing", SEV_HIGH },
	{ "HTTP::SQL_Injection_Attacker", SEV_HIGH },
	{ "HTTP::SQL_Injection_Victim", SEV_HIGH },
	{ "TeamCymruMalwareHashRegistry::Match", SEV_HIGH },
	{ "Intel::Notice", SEV_HIGH },
	{ "Heartbleed::", SEV_HIGH },
	{ "Scan::", SEV_MEDIUM },
	{ "Software::", SEV_MEDIUM },
	/* certificate hygiene, sensor health and protocol oddities */
	{ "SSL::", SEV_LOW },
	{ "CaptureLoss::", SEV_LOW },
	{ "PacketFilter::", SEV_LOW },
	{ "Weird::", SEV_LOW },
	{ "Conn::", SEV_LOW },
	{ "DNS::", SEV_LOW },
	{ "Traceroute::", SEV_LOW },
	{ "ProtocolDetector::", SEV_LOW },
	{ "Notice::", SEV_LOW },
};

static int zeek_severity(const char *note)
{
	if (!note)
		return SEV_MEDIUM;
	for (int i = 0; i < ALERT_NELEM(zeek_notes); i++) {
		const char *n = zeek_notes[i].note;
		size_t len = strlen(n);
		int family = len >= 2 && !strcmp(n + len - 2, "::");

		if (family ? !strncmp(note, n, len) : !strcmp(note, n))
			return zeek_notes[i].sev;
	}
	return SEV_MEDIUM;
}

/* "SSH" from "SSH::Password_Guessing"; the whole note when it has no
 * module; NULL when the module is empty or scratch is full. */
static const char *zeek_category(struct alert *a, const char *note)
{
	const char *sep = note ? strstr(note, "::") : NULL;

	if (!sep)
		return note;
	if (sep == note)
		return NULL;
	return alert_keep(a, note, (size_t)(sep - note));
}

/* Contract in parse_impl.h. Zeek's JSON writer names the log only with
 * the json-streaming package (_path); otherwise the fields tell: each
 * log has columns no other has. */
const char *zeek_log_name(const struct jdoc *root)
{
	static const struct { const char *field, *log; } marks[] = {
		{ "note", "notice" }, { "query", "dns" }, { "conn_state", "conn" },
		{ "server_name", "ssl" }, { "cipher", "ssl" }, { "method", "http" },
		{ "uri", "http" }, { "mime_type", "files" }, { "seen_bytes", "files" },
		{ "auth_success", "ssh" }, { "mailfrom", "smtp" }, { "certificate.subject", "x509" },
		{ "name", "weird" },
	};
	const char *path = jdoc_str(root, jdoc_get(root, 0, "_path"));

	if (path)
		return path;
	for (int i = 0; i < ALERT_NELEM(marks); i++)
		if (jdoc_get(root, 0, marks[i].field) >= 0)
			return marks[i].log;
	return NULL;
}

/* Contract in alert_parse.h. A record of another log (conn, dns, http,
 * ssl, files...) is skipped; one with no note that cannot be told apart
 * from a broken notice (no _path, no uid or fuid) is refused below for
 * having no rule. */
int alert_parse_zeek(const struct jdoc *root, struct alert *a, struct irk_err *err)
{
	static const char *const srcs[] = { "src", "id.orig_h", NULL };
	static const char *const dsts[] = { "dst", "id.resp_h", NULL };
	/* uid names the connection; a notice without one (scans, password
	 * guessing, capture loss) is told apart by its message. */
	static const char *const by_uid[] = { "uid", "note", "ts", "src", "dst",
		"id.orig_h", "id.resp_h" };
	static const char *const by_msg[] = { "note", "ts", "src", "dst",
		"id.orig_h", "id.resp_h", "msg" };
	const char *uid;
	int rc;

	if ((rc = alert_begin(a, FMT_ZEEK, root, err)))
		return rc;
	if (jdoc_get(root, 0, "note") < 0 && zeek_is_log(root)) {
		const char *log = zeek_log_name(root);
		char shown[48];
		if (log)
			return irk_fail(err, IRK_SKIPPED, "a Zeek %s log, not notice",
					sanitize_buf(shown, sizeof shown, log, 0));
		return irk_fail(err, IRK_SKIPPED, "a Zeek log with no 'note', not notice");
	}
	if ((rc = alert_time(a, root, "ts", err)))
		return rc;
	a->rule_id = alert_json_str(a, root, "note");
	a->rule_name = alert_json_str(a, root, "msg");
	a->severity = zeek_severity(a->rule_id);
	a->category = zeek_category(a, a->rule_id);
	a->src_ip = alert_json_any(a, root, srcs);
	a->dst_ip = alert_json_any(a, root, dsts);
	a->host = alert_affected_host(a->src_ip, a->dst_ip, 0);
	uid = alert_json_str(a, root, "uid");
	if (uid && *uid)
		alert_fingerprint_paths(a, root, by_uid, ALERT_NELEM(by_uid));
	else
		alert_fingerprint_paths(a, root, by_msg, ALERT_NELEM(by_msg));
	alert_add_obs(a, OBS_IP, a->src_ip);
	alert_add_obs(a, OBS_IP, a->dst_ip);
	return IRK_OK;
}
