/* gen_eve: print N Suricata EVE alert lines (deterministic), for the ingest
 * benchmark. Alerts come the way real sensors send them: about six a
 * second (the clock moves a whole second after one alert in six), 99% from
 * a few dozen active "campaigns" (a rule firing on one host from one
 * source, replaced one at a time every ten minutes), 1% noise from
 * anywhere. So they correlate into incidents as a real stream does (about
 * 1% of alerts open one; 1,000,000 alerts span some 46 hours).
 *   gen_eve N [SEED] > alerts.json */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t state = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
	uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double unit(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

/* 0..n-1, skewed towards 0. */
static unsigned skewed(unsigned n)
{
	double u = unit();
	return (unsigned)(n * u * u * u) % n;
}

static const char *const sigs[] = {
	"ET SCAN Potential SSH Scan", "ET POLICY Observed IP Lookup Domain (l2 .io in TLS SNI)",
	"ET MALWARE Win32/Emotet CnC Activity (POST)", "GPL ATTACK_RESPONSE id check returned root",
	"ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT",
	"ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)", "ET INFO Observed DNS Query to .top TLD",
	"ET POLICY SMB2 NT Create AndX Request For an Executable File",
	"ET TROJAN Cobalt Strike Beacon Observed", "ET DOS Possible SYN Flood",
};
static const char *const cats[] = {
	"Attempted Information Leak", "Potential Corporate Privacy Violation",
	"A Network Trojan was detected", "Potentially Bad Traffic", "Web Application Attack",
	"Attempted Administrator Privilege Gain", "Misc activity", "Potential Corporate Privacy Violation",
	"A Network Trojan was detected", "Attempted Denial of Service",
};

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int64_t t = 1761955200;   /* 2025-11-01T00:00:00Z */

	if (argc > 2)
		state ^= strtoull(argv[2], NULL, 10);
	struct { unsigned rule, host, src; } active[32];
	int64_t rotate = t + 600;

	for (int j = 0; j < 32; j++) {
		active[j].rule = skewed(300);
		active[j].host = skewed(4000);
		active[j].src = skewed(6000);
	}
	for (long i = 0; i < n; i++) {
		unsigned rule, host, src;
		if (t >= rotate) {
			int j = (int)(next() % 32);
			active[j].rule = skewed(300);
			active[j].host = skewed(4000);
			active[j].src = skewed(6000);
			rotate = t + 600;
		}
		if (unit() < 0.01) {
			rule = skewed(300);
			host = (unsigned)(next() % 4000);
			src = (unsigned)(next() % 6000);
		} else {
			int j = (int)skewed(32);
			rule = active[j].rule;
			host = active[j].host;
			src = active[j].src;
		}
		unsigned k = rule % 10;
		char ts[40];
		time_t tt;
		struct tm tm;

		t += (int64_t)(unit() * 1.2);   /* a second after one alert in six */
		tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
		printf("{\"timestamp\":\"%s.%06u+0000\",\"flow_id\":%" PRIu64 ",\"in_iface\":\"eth0\","
		       "\"event_type\":\"alert\",\"src_ip\":\"198.51.%u.%u\",\"src_port\":%u,"
		       "\"dest_ip\":\"10.%u.%u.%u\",\"dest_port\":%u,\"proto\":\"TCP\",\"tx_id\":0,"
		       "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%u,\"rev\":%u,"
		       "\"signature\":\"%s (%u)\",\"category\":\"%s\",\"severity\":%u},"
		       "\"http\":{\"hostname\":\"host%u.example.com\",\"url\":\"/api/v1/items?id=%u\","
		       "\"http_method\":\"GET\",\"status\":200,\"length\":%u},\"app_proto\":\"http\","
		       "\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,\"bytes_toserver\":%u,"
		       "\"bytes_toclient\":%u,\"start\":\"%s.000000+0000\"}}\n",
		       ts, (unsigned)(next() % 1000000u), next() >> 14, src / 250, src % 250 + 1,
		       (unsigned)(next() % 60000 + 1024), host / 250 + 1, host % 250 + 1, host % 7 + 1,
		       (unsigned)(next() % 2 ? 80 : 443), 2010000 + rule, (unsigned)(rule % 9 + 1),
		       sigs[k], rule, cats[k], k % 3 + 1, host, (unsigned)(next() % 100000),
		       (unsigned)(next() % 40000), (unsigned)(next() % 20 + 1),
		       (unsigned)(next() % 20 + 1), (unsigned)(next() % 50000),
		       (unsigned)(next() % 90000), ts);
	}
	return 0;
}
