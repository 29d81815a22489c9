/* mkincidents: create a database holding N incidents of which OPEN are open
 * (the rest closed), spread over a year, for the list and board benchmarks.
 * Written through the store API in one transaction.
 *   mkincidents DB N OPEN */
#include <stdio.h>
#include <stdlib.h>

#include "irk/clock.h"
#include "irk/store.h"

static unsigned long long rng = 88172645463325252ULL;

static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

int main(int argc, char **argv)
{
	static const char *const titles[] = {
		"ET MALWARE Win32/Emotet CnC Activity (POST)", "sshd: Multiple authentication failures.",
		"Credential Dumping - Detected - Elastic Endgame", "Phishing link clicked by Müller",
		"Ransomware note written on fs-02 share", "Web shell upload to /var/www/html",
		"SSH::Password_Guessing from 198.51.100.23", "Data exfiltration to 203.0.113.9 (4.2 GB)",
		"Lost laptop reported: fin-lt-022", "Duplicate system process lsass.exe on web-01",
	};
	static const char *const owners[] = { "alice", "bob", "chen", "dana", "emeka", "farah" };
	static const char *const units[] = { "finance", "hr", "engineering", "sales", "it-ops", "web" };
	struct store *s;
	struct irk_err err = { 0 };
	long n, open;
	int64_t now = 1764000000;

	if (argc != 4) {
		fprintf(stderr, "usage: mkincidents DB N OPEN\n");
		return 2;
	}
	n = atol(argv[2]);
	open = atol(argv[3]);
	if (store_open(&s, argv[1], STORE_CREATE, &err) || store_begin(s, &err)) {
		fprintf(stderr, "mkincidents: %s\n", err.msg);
		return 1;
	}
	for (long i = 0; i < n; i++) {
		struct incident inc = { 0 };
		int is_open = i >= n - open;
		inc.title = (char *)titles[next(10)];
		inc.severity = (int)next(4);
		inc.confidence = (int)next(101);
		inc.priority = priority_compute(inc.severity, (int)next(5), inc.confidence);
		inc.category = "malware";
		inc.business_unit = (char *)units[next(6)];
		inc.rule = "2010001";
		inc.host = "web-01";
		inc.t_detected = now - (int64_t)(n - i) * 300;
		inc.t_first_event = inc.t_last_event = inc.t_detected - 60;
		inc.alert_count = (int)next(50) + 1;
		inc.updated_by = "bench";
		if (is_open) {
			inc.stage = (int)next(STAGE_CLOSED);
			if (next(3))
				inc.owner = (char *)owners[next(6)];
		} else {
			inc.stage = STAGE_CLOSED;
			inc.owner = (char *)owners[next(6)];
			inc.resolution = RES_TRUE_POSITIVE + (int)next(4);
			inc.t_acknowledged = inc.t_detected + 600;
			inc.t_contained = inc.t_detected + 3600;
			inc.t_resolved = inc.t_closed = inc.t_detected + 86400;
		}
		if (store_incident_insert(s, &inc, &err)) {
			fprintf(stderr, "mkincidents: %s\n", err.msg);
			return 1;
		}
	}
	if (store_commit(s, &err)) {
		fprintf(stderr, "mkincidents: %s\n", err.msg);
		return 1;
	}
	store_close(&s);
	return 0;
}
