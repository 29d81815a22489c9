/* demo_world.c: the simulated organisation (hosts, people, the SOC team),
 * the rules its sensors fire and the kinds of thing that happen to it,
 * with what the analysts write about each. Data, plus the random numbers
 * everything is drawn from. Addresses are documentation ranges (RFC 5737)
 * and private ranges; domains end in .example. */
#include <math.h>
#include <string.h>

#include "irk/model.h"
#include "demo_impl.h"

/* ---- randomness ------------------------------------------------------------ */

uint64_t demo_rng_next(struct demo_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

double demo_rng_unit(struct demo_rng *r)
{
	return (double)(demo_rng_next(r) >> 11) / 9007199254740992.0;
}

int demo_rng_range(struct demo_rng *r, int lo, int hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int)(demo_rng_next(r) % (uint64_t)(hi - lo + 1));
}

int demo_rng_pct(struct demo_rng *r, int pct)
{
	return demo_rng_range(r, 0, 99) < pct;
}

/* Box-Muller: one standard normal from two uniforms. */
double demo_rng_lognormal(struct demo_rng *r, double median, double sigma)
{
	double u1 = demo_rng_unit(r), u2 = demo_rng_unit(r);
	double z = sqrt(-2.0 * log(u1 > 1e-12 ? u1 : 1e-12)) * cos(2.0 * M_PI * u2);

	return median * exp(sigma * z);
}

/* Knuth: fine for the small means the calendar uses. */
int demo_rng_poisson(struct demo_rng *r, double lambda)
{
	double l = exp(-lambda), p = 1.0;
	int k = 0;

	if (lambda <= 0)
		return 0;
	do {
		k++;
		p *= demo_rng_unit(r);
	} while (p > l && k < 1000);
	return k - 1;
}

const char *demo_rng_pick(struct demo_rng *r, const char *const *list)
{
	int n = 0;

	if (!list)
		return NULL;
	while (list[n])
		n++;
	return n ? list[demo_rng_range(r, 0, n - 1)] : NULL;
}

/* ---- the organisation -------------------------------------------------------- */

static const char *const unit_names[BU_COUNT] = {
	[BU_FINANCE] = "finance", [BU_HR] = "hr", [BU_ENG] = "engineering",
	[BU_SALES] = "sales", [BU_ITOPS] = "it-ops", [BU_WEB] = "web",
};

const char *demo_unit_name(int unit)
{
	return unit >= 0 && unit < BU_COUNT ? unit_names[unit] : "?";
}

const struct demo_host demo_hosts[] = {
	{ "fin-ws-003",   "10.10.1.3",   BU_FINANCE, HK_WS,      2, "j.meyer" },
	{ "fin-ws-011",   "10.10.1.11",  BU_FINANCE, HK_WS,      2, "s.okafor" },
	{ "fin-ws-019",   "10.10.1.19",  BU_FINANCE, HK_WS,      2, "p.lindqvist" },
	{ "fin-lt-022",   "10.10.2.22",  BU_FINANCE, HK_LAPTOP,  3, "m.rossi" },
	{ "fin-erp-01",   "10.10.9.10",  BU_FINANCE, HK_WINSRV,  4, NULL },
	{ "hr-ws-002",    "10.20.1.2",   BU_HR,      HK_WS,      2, "a.novak" },
	{ "hr-ws-007",    "10.20.1.7",   BU_HR,      HK_WS,      2, "k.tanaka" },
	{ "hr-lt-004",    "10.20.2.4",   BU_HR,      HK_LAPTOP,  2, "l.dubois" },
	{ "hr-db-01",     "10.20.9.10",  BU_HR,      HK_LINUX,   3, NULL },
	{ "eng-ws-012",   "10.30.1.12",  BU_ENG,     HK_WS,      2, "r.kowalski" },
	{ "eng-lt-031",   "10.30.2.31",  BU_ENG,     HK_LAPTOP,  2, "d.fischer" },
	{ "eng-lt-044",   "10.30.2.44",  BU_ENG,     HK_LAPTOP,  2, "n.haddad" },
	{ "eng-build-01", "10.30.9.10",  BU_ENG,     HK_LINUX,   3, NULL },
	{ "eng-git-01",   "10.30.9.20",  BU_ENG,     HK_LINUX,   4, NULL },
	{ "sal-ws-021",   "10.40.1.21",  BU_SALES,   HK_WS,      1, "t.brennan" },
	{ "sal-lt-008",   "10.40.2.8",   BU_SALES,   HK_LAPTOP,  2, "e.silva" },
	{ "sal-lt-015",   "10.40.2.15",  BU_SALES,   HK_LAPTOP,  2, "h.nakamura" },
	{ "sal-crm-01",   "10.40.9.10",  BU_SALES,   HK_LINUX,   3, NULL },
	{ "dc-01",        "10.50.0.11",  BU_ITOPS,   HK_DC,      4, NULL },
	{ "dc-02",        "10.50.0.12",  BU_ITOPS,   HK_DC,      4, NULL },
	{ "ops-ws-005",   "10.50.1.5",   BU_ITOPS,   HK_WS,      3, "g.moreau" },
	{ "ops-scan-01",  "10.50.0.40",  BU_ITOPS,   HK_SCANNER, 2, NULL },
	{ "ops-jump-01",  "172.16.0.10", BU_ITOPS,   HK_DMZ,     4, NULL },
	{ "ops-vpn-01",   "172.16.0.20", BU_ITOPS,   HK_DMZ,     4, NULL },
	{ "ops-mail-01",  "172.16.0.30", BU_ITOPS,   HK_DMZ,     3, NULL },
	{ "aws-prod",     NULL,          BU_ITOPS,   HK_CLOUD,   4, NULL },
	{ "m365-tenant",  NULL,          BU_ITOPS,   HK_CLOUD,   3, NULL },
	{ "web-01",       "172.16.1.11", BU_WEB,     HK_WEB,     3, NULL },
	{ "web-02",       "172.16.1.12", BU_WEB,     HK_WEB,     3, NULL },
	{ "web-api-01",   "172.16.1.21", BU_WEB,     HK_WEB,     4, NULL },
	{ "web-db-01",    "10.60.0.20",  BU_WEB,     HK_LINUX,   4, NULL },
};
const int demo_nhosts = (int)(sizeof demo_hosts / sizeof demo_hosts[0]);

const struct demo_host *demo_host_pick(struct demo_rng *r, int mask)
{
	int n = 0, k;

	for (int i = 0; i < demo_nhosts; i++)
		n += !!(demo_hosts[i].kind & mask);
	if (!n)
		return &demo_hosts[0];
	k = demo_rng_range(r, 0, n - 1);
	for (int i = 0; i < demo_nhosts; i++)
		if ((demo_hosts[i].kind & mask) && k-- == 0)
			return &demo_hosts[i];
	return &demo_hosts[0];
}

const char *const demo_staff[] = {
	"j.meyer", "s.okafor", "p.lindqvist", "m.rossi", "a.novak", "k.tanaka",
	"l.dubois", "r.kowalski", "d.fischer", "n.haddad", "t.brennan", "e.silva",
	"h.nakamura", "g.moreau", "svc-backup", "b.müller", NULL,
};

/* ---- rules --------------------------------------------------------------------- */

enum {
	R_NONE,   /* 0 ends a phase list */
	R_EVE_CS, R_EVE_EMOTET, R_EVE_SQLI, R_EVE_LOG4J, R_EVE_TOR, R_EVE_TLD,
	R_EVE_IPLOOKUP, R_EVE_PHISH, R_EVE_SMB_EXE,
	R_WZ_SSH_INVALID, R_WZ_SSH_MULTI, R_WZ_SSH_SUCCESS, R_WZ_WIN_FAIL,
	R_WZ_LOCKOUT, R_WZ_ADMIN_GROUP, R_WZ_FILE_ADDED, R_WZ_VT, R_WZ_NEW_USER,
	R_WZ_SUDO,
	R_ECS_MALWARE, R_ECS_CREDDUMP, R_ECS_OFFICE_CHILD, R_ECS_RANSOM, R_ECS_PS_ENC,
	R_ZK_SSH_GUESS, R_ZK_PORTSCAN, R_ZK_ADDRSCAN, R_ZK_SQLI, R_ZK_BADCERT,
	R_ZK_CAPLOSS, R_ZK_EXFIL,
	R_CL_ROOT, R_CL_S3_PUBLIC, R_CL_TRAVEL, R_CL_MFA_DENIED, R_CL_DLP,
	R_COUNT
};

const struct demo_rule demo_rules[R_COUNT] = {
	[R_NONE] = { FMT_EVE, "0", "none", "", 3, NULL, NULL, 0 },
	/* Suricata, ET Open style */
	[R_EVE_CS] = { FMT_EVE, "2032749", "ET MALWARE Cobalt Strike Beacon Observed",
		"A Network Trojan was detected", 1, "Critical", NULL, 443 },
	[R_EVE_EMOTET] = { FMT_EVE, "2030868", "ET MALWARE Win32/Emotet CnC Activity (POST) M2",
		"A Network Trojan was detected", 1, "Critical", NULL, 8080 },
	[R_EVE_SQLI] = { FMT_EVE, "2006446", "ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT",
		"Web Application Attack", 1, "Major", NULL, 443 },
	[R_EVE_LOG4J] = { FMT_EVE, "2034647", "ET EXPLOIT Apache log4j RCE Attempt (http ldap) (CVE-2021-44228)",
		"Attempted Administrator Privilege Gain", 1, "Major", NULL, 443 },
	[R_EVE_TOR] = { FMT_EVE, "2522012", "ET TOR Known Tor Relay/Router (Not Exit) Node Traffic group 13",
		"Misc Attack", 2, "Minor", NULL, 9001 },
	[R_EVE_TLD] = { FMT_EVE, "2027863", "ET INFO Observed DNS Query to .top TLD",
		"Potentially Bad Traffic", 2, "Informational", NULL, 53 },
	[R_EVE_IPLOOKUP] = { FMT_EVE, "2020716", "ET POLICY External IP Lookup ipinfo.io",
		"Device Retrieving External IP Address Detected", 3, "Informational", NULL, 443 },
	[R_EVE_PHISH] = { FMT_EVE, "2033722", "ET PHISHING Microsoft 365 Credential Phish Landing Page",
		"Possible Social Engineering Attempted", 1, "Major", NULL, 443 },
	[R_EVE_SMB_EXE] = { FMT_EVE, "2025709", "ET POLICY SMB2 NT Create AndX Request For an Executable File",
		"Potentially Bad Traffic", 2, "Minor", NULL, 445 },
	/* Wazuh ruleset */
	[R_WZ_SSH_INVALID] = { FMT_WAZUH, "5710", "sshd: Attempt to login using a non-existent user",
		"syslog,sshd,invalid_login,authentication_failed", 5, NULL,
		"sshd[{sd}]: Invalid user {user} from {ext} port {port}", 22 },
	[R_WZ_SSH_MULTI] = { FMT_WAZUH, "5720", "sshd: Multiple authentication failures.",
		"syslog,sshd,authentication_failures", 10, NULL,
		"sshd[{sd}]: Failed password for invalid user {user} from {ext} port {port} ssh2", 22 },
	[R_WZ_SSH_SUCCESS] = { FMT_WAZUH, "40112", "Multiple authentication failures followed by a success.",
		"syslog,attack,authentication_success", 12, NULL,
		"sshd[{sd}]: Accepted password for {user} from {ext} port {port} ssh2", 22 },
	[R_WZ_WIN_FAIL] = { FMT_WAZUH, "60122", "Logon Failure - Unknown user or bad password",
		"windows,windows_security,authentication_failed", 5, NULL,
		"An account failed to log on. Account Name: {user} Source Network Address: {ext}", 0 },
	[R_WZ_LOCKOUT] = { FMT_WAZUH, "60115", "User account locked out (multiple login errors)",
		"windows,windows_security,authentication_failures", 9, NULL,
		"A user account was locked out. Account Name: {user}", 0 },
	[R_WZ_ADMIN_GROUP] = { FMT_WAZUH, "60154", "Administrators Group Changed",
		"windows,windows_security,group_changed", 12, NULL,
		"A member was added to a security-enabled global group. Member: {user} Group: Domain Admins", 0 },
	[R_WZ_FILE_ADDED] = { FMT_WAZUH, "554", "File added to the system.",
		"ossec,syscheck,syscheck_entry_added,syscheck_file", 5, NULL,
		"File '{file}' added", 0 },
	[R_WZ_VT] = { FMT_WAZUH, "87105", "VirusTotal: Alert - {file} - {eng} engines detected this file",
		"virustotal", 12, NULL, "File {file} with sha256 {hash} flagged by {eng} engines", 0 },
	[R_WZ_NEW_USER] = { FMT_WAZUH, "5902", "New user added to the system.",
		"syslog,adduser", 8, NULL,
		"useradd[{sd}]: new user: name={user}, UID=1{sd}, GID=100, home=/home/{user}, shell=/bin/bash", 0 },
	[R_WZ_SUDO] = { FMT_WAZUH, "5402", "Successful sudo to ROOT executed.",
		"syslog,sudo", 3, NULL,
		"sudo: {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", 0 },
	/* Elastic Security prebuilt rules */
	[R_ECS_MALWARE] = { FMT_ECS, "9a1a2dae-0b5f-4c3d-8305-a268d404c306", "Malware Prevention Alert",
		"malware", 73, "high", "Malware Prevention Alert: {file}", 0 },
	[R_ECS_CREDDUMP] = { FMT_ECS, "571afc56-5ed9-465d-a2a9-045f099f6e7e",
		"Credential Dumping - Detected - Elastic Endgame", "process", 99, "critical",
		"{proc} accessed lsass.exe memory", 0 },
	[R_ECS_OFFICE_CHILD] = { FMT_ECS, "a624863f-a70d-417f-a7d2-7a404638d47f",
		"Suspicious MS Office Child Process", "process", 47, "medium",
		"WINWORD.EXE started {proc}", 0 },
	[R_ECS_RANSOM] = { FMT_ECS, "8cb4f625-7743-4dfb-ae1b-ad92be9df7bd",
		"Ransomware - Detected - Elastic Endgame", "file", 99, "critical",
		"{proc} renamed files in {file} to *.lockd", 0 },
	[R_ECS_PS_ENC] = { FMT_ECS, "81fe9dc6-a2d7-4192-a2d8-eed98afc766a",
		"PowerShell Suspicious Payload Encoded and Compressed", "process", 47, "medium",
		"powershell.exe -nop -w hidden -enc ...", 0 },
	/* Zeek notices */
	[R_ZK_SSH_GUESS] = { FMT_ZEEK, "SSH::Password_Guessing",
		"{ext} appears to be guessing SSH passwords (seen in {cnt} connections).",
		"SSH", 0, NULL, "Sampled servers:  {ip}", 22 },
	[R_ZK_PORTSCAN] = { FMT_ZEEK, "Scan::Port_Scan",
		"{ip} scanned at least {cnt} unique ports of host {peer} in 0m{sd}s",
		"Scan", 0, NULL, "local", 0 },
	[R_ZK_ADDRSCAN] = { FMT_ZEEK, "Scan::Address_Scan",
		"{ip} scanned at least {cnt} unique hosts on port 445/tcp in 0m{sd}s",
		"Scan", 0, NULL, "local", 445 },
	[R_ZK_SQLI] = { FMT_ZEEK, "HTTP::SQL_Injection_Attacker",
		"An SQL injection attacker was discovered!", "HTTP", 0, NULL, NULL, 443 },
	[R_ZK_BADCERT] = { FMT_ZEEK, "SSL::Invalid_Server_Cert",
		"SSL certificate validation failed with (self signed certificate)",
		"SSL", 0, NULL, "CN={dom}", 443 },
	[R_ZK_CAPLOSS] = { FMT_ZEEK, "CaptureLoss::Too_Much_Loss",
		"The capture loss script detected an estimated loss rate above {cnt}.000%",
		"CaptureLoss", 0, NULL, NULL, 0 },
	[R_ZK_EXFIL] = { FMT_ZEEK, "Site::Large_Outbound_Transfer",
		"{ip} sent {cnt} MB to {ext} in one connection", "Site", 0, NULL, "{dom}", 443 },
	/* the cloud audit feed (generic JSON) */
	[R_CL_ROOT] = { FMT_JSON, "AWS-ROOT-LOGIN", "Root account console login",
		"iam", 0, "high", NULL, 0 },
	[R_CL_S3_PUBLIC] = { FMT_JSON, "AWS-S3-PUBLIC", "S3 bucket policy made public: {file}",
		"data", 0, "critical", NULL, 0 },
	[R_CL_TRAVEL] = { FMT_JSON, "M365-IMPOSSIBLE-TRAVEL", "Impossible travel activity for {user}",
		"identity", 0, "medium", NULL, 0 },
	[R_CL_MFA_DENIED] = { FMT_JSON, "M365-MFA-FATIGUE", "Repeated MFA requests denied by {user}",
		"identity", 0, "high", NULL, 0 },
	[R_CL_DLP] = { FMT_JSON, "M365-DLP-BULK", "Bulk download of {cnt} files from SharePoint by {user}",
		"exfiltration", 0, "high", NULL, 0 },
};

const int demo_nrules = R_COUNT;

const struct alert_mapping demo_mapping = {
	.time = "eventTime",
	.rule_id = "detection.id",
	.rule_name = "detection.title",
	.severity = "detection.severity",
	.host = "resource.name",
	.src_ip = "sourceIPAddress",
	.user = "userIdentity.userName",
	.category = "detection.category",
	.id = "eventID",
};

/* ---- what the analysts write -------------------------------------------------- */

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

const char *const demo_generic_ack[] = {
	"Looking at it.", "Mine.", "Taking this one.", "On it.", NULL,
};
const char *const demo_generic_triage[] = {
	"Checked {host}: {n} alerts so far, all from the same source. Correlating with the proxy and EDR logs.",
	"Pulled the raw events for {host}; asking the owner of {bu} systems whether this was expected.",
	NULL,
};
const char *const demo_generic_contain[] = {
	"Contained: {host} isolated, the source blocked at the edge.",
	"Blocked {ext} at the firewall and disabled the affected account.", NULL,
};
const char *const demo_generic_eradicate[] = {
	"Removed what the attacker left on {host}; scanned the rest of {bu} for the same indicators.",
	NULL,
};
const char *const demo_generic_recover[] = {
	"{host} back in service, extra monitoring for two weeks.", NULL,
};
const char *const demo_generic_lessons[] = {
	"Post-incident review held with {bu}: detection worked, response was slow on the weekend. On-call rota updated.",
	NULL,
};
const char *const demo_generic_fp[] = {
	"False positive: the rule matches legitimate traffic from {host}.",
	"Expected behaviour of a business application on {host}; not malicious.", NULL,
};
const char *const demo_generic_benign[] = {
	"Real activity but harmless: blocked before it did anything.",
	"Confirmed with the system owner of {host}: planned work.", NULL,
};
const char *const demo_generic_dup[] = {
	"Same activity as {dup} (same source, same host); closing as a duplicate.",
	"Part of {dup}, already being handled there.",
	"Another alert from the campaign tracked in {dup}.", NULL,
};
const char *const demo_generic_reinfect[] = {
	"Seen again on {host} ({dup}) after containment: back to containment.", NULL,
};
const char *const demo_generic_missed[] = {
	"Monitoring found a second persistence mechanism on {host}; back to eradication.",
	"The clean-up missed a copy of {file} on {host}; back to eradication.",
	"{host} talked to {ext} again during the watch period; back to eradication.", NULL,
};
const char *const demo_generic_reopen[] = {
	"Reopened: the same activity came back on {host} ({dup}).", NULL,
};
const char *const demo_generic_tuned[] = {
	"Rule tuned: suppressed for {host} / this pattern (change {chg}).",
	"Asked the detection team to tune this rule; ticket {chg}.", NULL,
};

const struct demo_kind demo_kinds[] = {
	{ "ssh-spray", "brute-force", W_ANY, 1.2, HK_DMZ, 0, 0, 92, 0, "cerl", SEV_CRITICAL, 0, 0,
	  { { R_WZ_SSH_INVALID, D_LOCAL, 10, 80, 2400, 0, 100, 0 },
	    { R_WZ_SSH_MULTI, D_LOCAL, 1, 4, 1800, 300, 40, 0 },
	    { R_ZK_SSH_GUESS, D_EXT, 1, 1, 600, 600, 25, 0 },
	    { R_WZ_SSH_SUCCESS, D_LOCAL, 1, 1, 0, 2400, 100, PH_TP } },
	  "SSH password guessing against {host} from {ext}.",
	  LIST("fail2ban on {host} banned {ext} after the attempts; checking auth.log for any success.",
	       "{ext} is in a range with hundreds of abuse reports. Looking for successful logins on {host}."),
	  LIST("{ext} got in as {user}: blocked {ext} at the edge, killed the session, disabled {user} on {host}."),
	  LIST("Rebuilt {host} from the golden image; rotated host keys and every authorized key."),
	  LIST("{host} back in the pool after a clean scan; watching for {ext} and logins by {user}."),
	  LIST("Password authentication was still enabled on {host} for a legacy account. Turned off everywhere; the config audit checks it now."),
	  NULL,
	  LIST("No successful login from {ext}; {host} accepts keys only. Internet background noise.",
	       "Blocked by fail2ban, no session opened. Benign."),
	  LIST("credentials"), LIST("criminal"),
	  LIST("password authentication left enabled for a legacy account on {host}"), NULL },

	{ "web-sqli", "web-attack", W_ANY, 1.5, HK_WEB, 0, 25, 65, 1, "cerl", SEV_HIGH, 0, 0,
	  { { R_EVE_SQLI, D_IN, 5, 60, 1800, 0, 100, 0 },
	    { R_ZK_SQLI, D_IN, 1, 1, 0, 300, 25, 0 },
	    { R_WZ_FILE_ADDED, D_HOSTONLY, 1, 1, 0, 3600, 100, PH_TP } },
	  "SQL injection against {host} from {ext}.",
	  LIST("WAF log for {host}: {n} requests from {ext} with UNION SELECT in the query string; checking the responses.",
	       "Requests from {ext} against the order API of {host}; comparing response sizes for signs of data coming back."),
	  LIST("Found web shell {file} on {host}: took {host} out of the load balancer and blocked {ext}."),
	  LIST("Removed {file}, fixed the injectable parameter in the order API, redeployed {host} from CI."),
	  LIST("{host} back behind the load balancer; WAF in blocking mode for the whole site."),
	  LIST("The order API built SQL by string concatenation. Review checklist updated; DAST scan in CI for every release."),
	  LIST("The 'attack' is the shop search: customers searching for 'union select' furniture. False positive.",
	       "Pentest by the web team against {host} (ticket {chg}); the source is their scanner."),
	  LIST("Every request got 403 from the WAF; nothing reached the application, no new files on {host}.",
	       "sqlmap user agent from {ext}, all blocked, no data returned. Benign."),
	  LIST("web"), LIST("criminal"), LIST("SQL injection in the order API of {host}"), NULL },

	{ "log4j-scan", "reconnaissance", W_ANY, 0.8, HK_WEB, 0, 10, 90, 1, "c", -1, 0, 0,
	  { { R_EVE_LOG4J, D_IN, 5, 40, 3000, 0, 100, PH_MANY_SRC } },
	  "Log4Shell probes against {host}.",
	  LIST("JNDI lookup strings in the User-Agent from several addresses ({ext} first); {host} runs nginx and PHP, no Java."),
	  NULL, NULL, NULL, NULL,
	  LIST("The 'payload' is our uptime checker's test string; it never was an attack. Tuned."),
	  LIST("Mass scanning for CVE-2021-44228; nothing on {host} runs Java. Noise.",
	       "Probes only, no callback seen at the egress proxy. Benign."),
	  NULL, NULL, NULL, NULL },

	{ "vuln-scan", "reconnaissance", W_WEEKLY, 1.0, HK_SCANNER, 5, 0, 100, 0, "", -1, 0, 0,
	  { { R_ZK_PORTSCAN, D_SCAN, 1, 1, 3600, 0, 100, PH_MULTI },
	    { R_ZK_ADDRSCAN, D_SCAN, 1, 2, 3600, 600, 100, 0 } },
	  "Port scans from {host}.",
	  LIST("Scans of {hosts} from {host} on Tuesday night."),
	  NULL, NULL, NULL, NULL, NULL,
	  LIST("The weekly authenticated scan from {host} (standing change {chg}); expected.",
	       "{host} is our vulnerability scanner; this is its weekly run. Benign."),
	  NULL, NULL, NULL, NULL },

	{ "phish-click", "phishing", W_OFFICE, 1.4, HK_WS | HK_LAPTOP, 0, 20, 10, 0, "cerl", SEV_HIGH, 0, 0,
	  { { R_EVE_PHISH, D_OUT, 1, 3, 300, 0, 100, 0 },
	    { R_ECS_OFFICE_CHILD, D_HOSTONLY, 1, 1, 0, 240, 40, PH_TP } },
	  "{user} followed a credential phishing link to {dom} from {host}.",
	  LIST("{user} on {host} opened a link to {dom} from a mail 'Invoice overdue'. Pulled the message at the gateway; asking {user} whether they typed their password.",
	       "Landing page on {dom} imitates the Microsoft 365 login. Checking sign-in logs for {user}."),
	  LIST("{user} entered the password: reset it, revoked sessions in M365, blocked {dom} on the proxy, isolated {host} with the EDR."),
	  LIST("Purged the campaign (14 copies) from mailboxes; {host} scanned clean after removing {file}."),
	  LIST("{host} released from isolation, {user} back at work with a new password and MFA re-registered."),
	  LIST("The lure passed because the sender domain was two days old. Newly registered domains are quarantined at the gateway now; awareness reminder to {bu}."),
	  LIST("{dom} is the new payroll provider's login page, announced by HR last week. Allow-listed."),
	  LIST("{user} reported the mail before typing anything; the page was already down."),
	  LIST("email"), LIST("criminal"), LIST("credential phishing mail not stopped by the gateway"), NULL },

	{ "emotet", "malware", W_OFFICE, 0.2, HK_WS | HK_LAPTOP, 0, 0, 0, 0, "cerl", SEV_CRITICAL, 35, 40,
	  { { R_ECS_OFFICE_CHILD, D_HOSTONLY, 1, 1, 0, 0, 100, 0 },
	    { R_ECS_MALWARE, D_HOSTONLY, 1, 2, 300, 120, 100, 0 },
	    { R_EVE_EMOTET, D_OUT, 1, 200, 900, 300, 100, PH_BEACON } },
	  "Emotet on {host} ({user}), beaconing to {ext}.",
	  LIST("WINWORD.EXE on {host} started {proc}; the EDR flagged {file} (sha256 {hash}, {eng} engines). Beacons to {ext}:{port} every 15 minutes."),
	  LIST("Isolated {host} with the EDR, blocked {ext} and {dom} at the firewall and proxy, disabled {user}'s account."),
	  LIST("Reimaged {host}; searched every endpoint for {hash}: no other hits."),
	  LIST("{host} reimaged and back with {user}; password reset; watching for beacons to {ext}."),
	  LIST("Macros from the Internet were still allowed in {bu} by an old GPO exception. Exception removed; the ASR rule blocking Office child processes is enforced now."),
	  NULL, NULL, LIST("email"), LIST("criminal"),
	  LIST("macro-enabled attachment executed; Office child processes not blocked in {bu}"),
	  LIST("Beacons to {ext} again from {host} ({dup}): a scheduled task survived the cleanup. Back to containment.") },

	{ "cobalt-strike", "intrusion", W_ANY, 0.06, HK_WS | HK_WINSRV, 3, 0, 0, 0, "cerl", SEV_CRITICAL, 25, 0,
	  { { R_EVE_CS, D_OUT, 1, 300, 600, 0, 100, PH_BEACON },
	    { R_ECS_CREDDUMP, D_HOSTONLY, 1, 1, 0, 3600, 100, 0 },
	    { R_EVE_SMB_EXE, D_SPRAY, 1, 1, 600, 5400, 100, PH_MULTI } },
	  "Cobalt Strike beacon on {host}, credential dumping, lateral movement to {hosts}.",
	  LIST("Beacon from {host} to {dom} ({ext}) every ten minutes; lsass access by {proc} an hour later. Treating it as hands-on-keyboard. Called {lead}."),
	  LIST("Isolated {host} and {hosts}; blocked {ext} and {dom}; reset krbtgt twice and every admin password; disabled {user}."),
	  LIST("Forensic images taken; reimaged {host} and {hosts}; hunted for the beacon's watermark across the fleet: no other hits."),
	  LIST("Services back in order (file shares, then ERP); extra logging on {host}; 30-day watch on the {ext} range."),
	  LIST("Initial access by a phishing mail to {user}; lateral movement with a local admin password shared across {bu}. LAPS rolled out; tiered admin model for servers."),
	  NULL, NULL, LIST("email"), LIST("criminal (ransomware affiliate)"),
	  LIST("shared local administrator password allowed lateral movement"),
	  LIST("New beacon from {host} ({dup}) with the same watermark: a persistence service was missed. Back to containment.") },

	{ "ransomware", "malware", W_ANY, 0.03, HK_WS | HK_WINSRV, 0, 0, 0, 0, "cerl", SEV_CRITICAL, 0, 0,
	  { { R_ECS_RANSOM, D_HOSTONLY, 1, 3, 120, 0, 100, 0 },
	    { R_ECS_PS_ENC, D_HOSTONLY, 1, 1, 0, 60, 60, 0 } },
	  "Ransomware stopped on {host}.",
	  LIST("The EDR killed {proc} on {host} while it renamed files in {file}; {n} alerts. Checking how far it got."),
	  LIST("Isolated {host}; the share {file} set read-only; {user}'s sessions revoked."),
	  LIST("Reimaged {host}; 412 files restored from last night's snapshot."),
	  LIST("Share back read-write, {host} returned, restores verified by {bu}."),
	  LIST("Prevention mode worked and little was lost. Snapshot interval for {bu} shares reduced to one hour."),
	  NULL, NULL, LIST("email", "web download"), LIST("criminal"),
	  LIST("user opened a trojanised installer"), NULL },

	{ "policy-tor", "policy", W_OFFICE, 0.3, HK_WS | HK_LAPTOP, 0, 15, 35, 0, "c", -1, 0, 0,
	  { { R_EVE_TOR, D_OUT, 3, 30, 3000, 0, 100, 0 } },
	  "Tor traffic from {host} ({user}).",
	  LIST("{host} ({user}) talks to Tor relays at {ext}:{port}."),
	  LIST("Tor Browser removed from {host}; {user}'s manager informed, policy reminder sent."),
	  NULL, NULL, NULL,
	  LIST("{ext} left the Tor consensus months ago; it is a CDN node now. Stale list, false positive."),
	  LIST("Tor Browser installed by {user} for approved market research; moved to the guest network."),
	  LIST("user-installed software"), LIST("insider (policy)"),
	  LIST("users with local admin rights can install any software"), NULL },

	{ "dns-tld", "suspicious-traffic", W_ANY, 1.2, HK_WS | HK_LAPTOP | HK_LINUX, 0, 75, 25, 1, "c", -1, 0, 0,
	  { { R_EVE_TLD, D_OUT, 2, 12, 3000, 0, 100, 0 } },
	  "DNS queries for {dom} from {host}.",
	  LIST("{host} resolved {dom}; checking whether a connection followed."),
	  LIST("{dom} hosts a fake update page: blocked on the resolver, {host} scanned."),
	  NULL, NULL, NULL,
	  LIST("{dom} is an ad network behind a news site; nothing followed. False positive.",
	       "A browser extension's telemetry domain; harmless. False positive."),
	  LIST("A browser prefetch of {dom}; no connection made."),
	  LIST("web"), LIST("unknown"), LIST("user browsing"), NULL },

	{ "ip-lookup", "policy", W_OFFICE, 0.6, HK_WS | HK_LAPTOP | HK_LINUX, 0, 55, 45, 1, "c", -1, 0, 0,
	  { { R_EVE_IPLOOKUP, D_OUT, 1, 3, 600, 0, 100, 0 } },
	  "External IP lookup from {host}.",
	  LIST("{host} asked ipinfo.io for its public address."),
	  NULL, NULL, NULL, NULL,
	  LIST("The VPN client checks its public address at startup. False positive."),
	  LIST("A developer's script on {host} asking for its public IP. Harmless."),
	  NULL, NULL, NULL, NULL },

	{ "win-lockout", "account-compromise", W_OFFICE, 0.9, HK_DC, 0, 0, 85, 0, "cl", SEV_HIGH, 0, 0,
	  { { R_WZ_WIN_FAIL, D_LOCAL, 5, 30, 900, 0, 100, 0 },
	    { R_WZ_LOCKOUT, D_HOSTONLY, 1, 1, 0, 900, 40, 0 } },
	  "Failed logons and a lockout for {user} on {host}.",
	  LIST("{user} locked out on {host} after bad passwords from {ext}. Calling {user}."),
	  LIST("Password spraying: 23 accounts tried from {ext}. Blocked {ext}, forced password resets for all 23."),
	  NULL, NULL,
	  LIST("The spraying came from an infected contractor laptop on the guest Wi-Fi that could reach the DCs. Guest network separated from AD."),
	  NULL,
	  LIST("{user} changed their password on Friday; the old one was still saved in their phone's mail app. Unlocked.",
	       "{user} mistyped after holidays; confirmed by phone. Unlocked."),
	  LIST("credentials"), LIST("unknown"), LIST("guest network could reach the domain controllers"), NULL },

	{ "admin-group", "account-compromise", W_OFFICE, 0.25, HK_DC, 0, 0, 80, 0, "cerl", SEV_CRITICAL, 0, 0,
	  { { R_WZ_ADMIN_GROUP, D_HOSTONLY, 1, 1, 0, 0, 100, 0 } },
	  "{user} added to Domain Admins on {host}.",
	  LIST("{user} added to Domain Admins on {host}. Looking for a change ticket."),
	  LIST("No ticket and {user} denies it: removed from Domain Admins, account disabled, sessions killed."),
	  LIST("The change came from a compromised helpdesk account: reset it, reviewed every group change of the last 30 days."),
	  LIST("{user} re-enabled with a new password; helpdesk accounts moved to a separate admin tier."),
	  LIST("Helpdesk accounts could modify Domain Admins. Delegation fixed; group changes now need two people."),
	  NULL,
	  LIST("Change {chg}: temporary admin rights for {user} during the server migration; removal scheduled."),
	  LIST("credentials"), LIST("unknown"), LIST("helpdesk delegation too broad"), NULL },

	{ "cloud-root", "account-compromise", W_ANY, 0.15, HK_CLOUD, 0, 0, 70, 0, "cerl", SEV_CRITICAL, 0, 0,
	  { { R_CL_ROOT, D_IN, 1, 1, 0, 0, 100, 0 },
	    { R_CL_S3_PUBLIC, D_IN, 1, 1, 0, 1800, 100, PH_TP } },
	  "Root console login to {host} from {ext}.",
	  LIST("Root login to {host} from {ext}. Asking the cloud team who holds the break-glass credentials today."),
	  LIST("Nobody claims it: rotated the root password and MFA device, made the bucket {file} private again."),
	  LIST("CloudTrail reviewed for the session: one bucket policy changed, reverted; an SCP now denies root actions."),
	  LIST("Normal operations; the bucket owner confirmed nothing was downloaded (access logs)."),
	  LIST("The root password was in an old wiki page. Page deleted, secrets scanner run over the wiki."),
	  NULL,
	  LIST("Break-glass login by {user} to change the billing contact ({chg}); MFA used, logged in the vault."),
	  LIST("credentials"), LIST("criminal"), LIST("root credentials stored in a wiki page"), NULL },

	{ "impossible-travel", "account-compromise", W_ANY, 0.7, HK_CLOUD, 0, 60, 20, 1, "cr", SEV_HIGH, 0, 0,
	  { { R_CL_TRAVEL, D_IN, 1, 2, 3600, 0, 100, 0 },
	    { R_CL_MFA_DENIED, D_IN, 1, 1, 0, 1200, 100, PH_TP } },
	  "Sign-ins for {user} from two countries within an hour.",
	  LIST("Sign-ins for {user} from the office and from {ext} within 40 minutes."),
	  LIST("{user} never approved those MFA prompts: revoked every session, reset the password, blocked {ext}."),
	  NULL,
	  LIST("{user} back with a new password and number-matching MFA."),
	  NULL,
	  LIST("{user} was on the corporate VPN, which exits in Frankfurt. VPN egress ranges added to the known locations."),
	  LIST("{user} is travelling (expense report confirms it); login from the hotel."),
	  LIST("credentials"), LIST("criminal"), LIST("password reused on a breached site"), NULL },

	{ "exfil", "data-loss", W_OFFICE, 0.2, HK_WS | HK_LAPTOP | HK_LINUX, 0, 30, 30, 0, "cel", SEV_HIGH, 0, 0,
	  { { R_ZK_EXFIL, D_OUT, 1, 2, 1800, 0, 100, 0 },
	    { R_CL_DLP, D_IN, 1, 1, 0, 600, 60, 0 } },
	  "Large upload from {host} to {ext}.",
	  LIST("{host} sent a lot of data to {ext} ({dom}). Asking the manager of {user}."),
	  LIST("{user} uploaded the customer list to a personal cloud drive: account suspended, HR and legal involved."),
	  LIST("Provider asked to delete the copy (confirmed); {user}'s device collected."),
	  NULL,
	  LIST("No DLP block on personal cloud storage for {bu}. Upload to unsanctioned storage blocked at the proxy now."),
	  LIST("The nightly backup to the offsite provider at {ext}; false positive, rule tuned for it."),
	  LIST("{user} sharing a large video with a partner through the sanctioned file transfer service."),
	  LIST("insider"), LIST("insider"), LIST("unsanctioned cloud storage not blocked"), NULL },

	{ "capture-loss", "sensor-health", W_ANY, 0.4, HK_SCANNER, 0, 0, 100, 1, "", -1, 0, 0,
	  { { R_ZK_CAPLOSS, D_SENSOR, 1, 1, 0, 0, 100, 0 } },
	  "Capture loss on a Zeek worker.",
	  NULL, NULL, NULL, NULL, NULL, NULL,
	  LIST("Capture loss on zeek-worker-3 during the nightly backup burst; sensor capacity ticket {chg} open.",
	       "Loss during a span port flap on the core switch; back to normal."),
	  NULL, NULL, NULL, NULL },

	{ "vt-malware", "malware", W_ANY, 0.5, HK_LINUX | HK_WEB | HK_WS, 0, 40, 15, 0, "ce", SEV_HIGH, 0, 0,
	  { { R_WZ_VT, D_HOSTONLY, 1, 2, 600, 0, 100, 0 } },
	  "{file} on {host} flagged by VirusTotal.",
	  LIST("{file} on {host}: {eng} engines on VirusTotal. Checking where it came from."),
	  LIST("A cryptominer dropped through an exposed Jupyter notebook: process killed, port closed on {host}."),
	  LIST("Removed {file} and the cron entry; rebuilt the notebook container from a clean image."),
	  NULL, NULL,
	  LIST("{file} is a packed build tool; {eng} of 70 engines flag it generically. Reported to the vendors."),
	  LIST("{file} is a test sample (EICAR) used by the backup team's restore checks."),
	  LIST("exposed service"), LIST("criminal"), LIST("notebook server exposed without a password"), NULL },

	{ "new-user", "account-change", W_OFFICE, 0.4, HK_LINUX | HK_WEB | HK_DMZ, 0, 0, 90, 0, "cer", SEV_HIGH, 0, 0,
	  { { R_WZ_NEW_USER, D_HOSTONLY, 1, 1, 0, 0, 100, 0 } },
	  "Local account {user} created on {host}.",
	  LIST("New local account {user} on {host}; looking for the provisioning run."),
	  LIST("No provisioning run created {user}: account locked, {host} taken off the network."),
	  LIST("Backdoor account removed along with the SSH key that came with it; the vulnerable plugin updated."),
	  LIST("{host} back in service after a clean audit."),
	  NULL, NULL,
	  LIST("Account {user} created on {host} by Ansible for a new team member ({chg})."),
	  LIST("exposed service"), LIST("criminal"), LIST("outdated plugin allowed code execution"), NULL },

	{ "sudo-noise", "account-change", W_OFFICE, 1.5, HK_LINUX | HK_WEB, 0, 0, 100, 0, "", -1, 0, 0,
	  { { R_WZ_SUDO, D_HOSTONLY, 1, 6, 1800, 0, 100, 0 } },
	  "sudo on {host}.",
	  NULL, NULL, NULL, NULL, NULL, NULL,
	  LIST("Routine maintenance by {user} on {host}.", "Patch window on {host}; expected."),
	  NULL, NULL, NULL, NULL },

	{ "bad-cert", "suspicious-traffic", W_ANY, 0.5, HK_WS | HK_LAPTOP, 0, 85, 15, 1, "c", -1, 0, 0,
	  { { R_ZK_BADCERT, D_OUT, 1, 3, 1800, 0, 100, 0 } },
	  "Self-signed certificate from {dom}.",
	  LIST("{host} connected to {dom} ({ext}) with a self-signed certificate."),
	  LIST("{dom} served a fake login page: blocked on the proxy."),
	  NULL, NULL, NULL,
	  LIST("{dom} is a supplier's portal with a self-signed certificate; we told them. False positive."),
	  LIST("A developer's test server; harmless."),
	  NULL, NULL, NULL, NULL },
};
const int demo_nkinds = (int)(sizeof demo_kinds / sizeof demo_kinds[0]);

const struct demo_analyst demo_team[] = {
	{ "amira", ROLE_SENIOR, 0.8, 0.0 },
	{ "ben", ROLE_ANALYST, 1.0, 0.0 },
	{ "chen", ROLE_ANALYST, 1.2, 0.0 },
	{ "dana", ROLE_SENIOR, 1.0, 0.0 },
	{ "emil", ROLE_ANALYST, 1.4, 0.5 },   /* the new hire, half way through */
	{ "farah", ROLE_ADMIN, 1.0, 0.0 },    /* the SOC manager, rarely on the queue */
};
const int demo_nteam = (int)(sizeof demo_team / sizeof demo_team[0]);
