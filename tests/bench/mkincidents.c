/* mkincidents: create a database holding N incidents of which OPEN are open
 * (the rest closed), spread over a year, for the list and board benchmarks.
 * With "history", each incident also gets the stage history its times
 * tell (the KPI benchmark): a closed one six moves, an open one a move
 * into each stage up to its own. Written through the store API in one
 * transaction.
 *   mkincidents DB N OPEN [history] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The moves of inc: into new at detection, then a stage at each of its
 * times (closed ones: identification, containment, eradication, recovery,
 * closed). */
static int add_history(struct store *s, const struct incident *inc, struct irk_err *err)
{
	static const int64_t after[] = { 0, 600, 1800, 3600, 7200, 43200 };
	int last = inc->stage == STAGE_CLOSED ? STAGE_RECOVERY : inc->stage;
	struct stage_move m = { .incident_id = inc->id, .from = -1 };

	strcpy(m.actor, "bench");
	for (int st = STAGE_NEW; st <= last; st++) {
		m.to = st;
		m.at = inc->t_detected + after[st];
		if (store_history_add(s, &m, err))
			return IRK_ERROR;
		m.from = st;
	}
	if (inc->stage != STAGE_CLOSED)
		return IRK_OK;
	m.to = STAGE_CLOSED;
	m.at = inc->t_closed;
	return store_history_add(s, &m, err);
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

	int history = argc == 5 && !strcmp(argv[4], "history");

	if (argc != 4 && !history) {
		fprintf(stderr, "usage: mkincidents DB N OPEN [history]\n");
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
		if (store_incident_insert(s, &inc, &err) || (history && add_history(s, &inc, &err))) {
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
