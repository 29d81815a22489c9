/* gen_eve: print N Suricata EVE alert lines (deterministic), for the ingest
 * benchmark. Alerts come the way real sensors send them: about six a
 * second (the clock moves a whole second after one alert in six), 99% from
 * a few dozen active "campaigns" (a rule firing on one host from one
 * source, replaced one at a time every ten minutes), 1% noise from
 * anywhere. So they correlate into incidents as a real stream does (about
 * 1% of alerts open one; 1,000,000 alerts span some 46 hours).
 * With "mixed", N records as a sensor writes them: 1% alerts as above, the
 * rest flow, dns, tls, http, fileinfo, anomaly and stats events of the
 * same hosts (issue 16's benchmark: skipping and keeping them).
 *   gen_eve N [SEED [mixed]] > eve.json
 * With --storm, an alert storm instead (a scan or a worm): N alerts of six
 * rules, each from a host drawn from all of 10.0.0.0/8 (so nearly every
 * alert is a host of its own: 200,000 alerts come from about 199,000),
 * within ten minutes (N / 600 alerts a second); with RULES, of the first
 * RULES of those six rules (1 to 6).
 *   gen_eve [--storm] N [SEED [RULES]] > alerts.json */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* One event of a sensor that is not an alert, at second t: the shapes
 * Suricata 7 writes, about as long. */
static void print_sensor(int64_t t)
{
	unsigned host = (unsigned)(next() % 4000), ext = (unsigned)(next() % 60000);
	unsigned sport = (unsigned)(next() % 60000 + 1024), us = (unsigned)(next() % 1000000);
	double u = unit();
	char ts[40], ip[24], xip[24];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ip, sizeof ip, "10.%u.%u.%u", host / 250 + 1, host % 250 + 1, host % 7 + 1);
	snprintf(xip, sizeof xip, "203.0.%u.%u", ext / 250, ext % 250 + 1);
	printf("{\"timestamp\":\"%s.%06u+0000\",\"flow_id\":%" PRIu64 ",\"in_iface\":\"eth0\",",
	       ts, us, next() >> 14);
	if (u < 0.40)
		printf("\"event_type\":\"flow\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
		       "\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":%u,"
		       "\"pkts_toclient\":%u,\"bytes_toserver\":%u,\"bytes_toclient\":%u,\"start\":\"%s.000000+0000\","
		       "\"end\":\"%s.%06u+0000\",\"age\":%u,\"state\":\"closed\",\"reason\":\"timeout\","
		       "\"alerted\":false},\"tcp\":{\"tcp_flags\":\"1b\",\"syn\":true,\"fin\":true,\"psh\":true,"
		       "\"ack\":true,\"state\":\"closed\"}}\n", ip, sport, xip,
		       (unsigned)(next() % 200 + 3), (unsigned)(next() % 200 + 3), (unsigned)(next() % 90000),
		       (unsigned)(next() % 900000), ts, ts, us, (unsigned)(next() % 120));
	else if (u < 0.70)
		printf("\"event_type\":\"dns\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"10.0.0.53\","
		       "\"dest_port\":53,\"proto\":\"UDP\",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":%u,"
		       "\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"rrname\":\"host%u.example.com\","
		       "\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"host%u.example.com\","
		       "\"rrtype\":\"A\",\"ttl\":300,\"rdata\":\"%s\"}],\"grouped\":{\"A\":[\"%s\"]}}}\n",
		       ip, sport, (unsigned)(next() % 65536), ext, ext, xip, xip);
	else if (u < 0.82)
		printf("\"event_type\":\"tls\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
		       "\"dest_port\":443,\"proto\":\"TCP\",\"tls\":{\"subject\":\"CN=host%u.example.com\","
		       "\"issuerdn\":\"CN=R3, O=Let's Encrypt, C=US\",\"serial\":\"04:1A:22:%02X\","
		       "\"fingerprint\":\"3e:11:08:aa:90:51:77:2c:de:01:45:9b:64:71:aa:0c:f1:e2:33:%02x\","
		       "\"sni\":\"host%u.example.com\",\"version\":\"TLS 1.3\",\"notbefore\":\"2025-10-01T00:00:00\","
		       "\"notafter\":\"2025-12-30T00:00:00\",\"ja3\":{\"hash\":\"72a589da586844d7f0818ce684948e%02x\"}}}\n",
		       ip, sport, xip, ext, ext % 256, ext % 256, ext, ext % 256);
	else if (u < 0.92)
		printf("\"event_type\":\"http\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
		       "\"dest_port\":80,\"proto\":\"TCP\",\"tx_id\":0,\"http\":{\"hostname\":\"host%u.example.com\","
		       "\"url\":\"/api/v1/items?id=%u\",\"http_user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\","
		       "\"http_content_type\":\"application/json\",\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\","
		       "\"status\":200,\"length\":%u}}\n", ip, sport, xip, ext, (unsigned)(next() % 100000),
		       (unsigned)(next() % 40000));
	else if (u < 0.97)
		printf("\"event_type\":\"fileinfo\",\"src_ip\":\"%s\",\"src_port\":80,\"dest_ip\":\"%s\","
		       "\"dest_port\":%u,\"proto\":\"TCP\",\"http\":{\"hostname\":\"host%u.example.com\","
		       "\"url\":\"/dl/f%u.bin\",\"http_method\":\"GET\",\"status\":200},\"app_proto\":\"http\","
		       "\"fileinfo\":{\"filename\":\"/dl/f%u.bin\",\"magic\":\"data\",\"gaps\":false,\"state\":\"CLOSED\","
		       "\"sha256\":\"%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "\",\"stored\":false,"
		       "\"size\":%u,\"tx_id\":0}}\n", xip, ip, sport, ext, ext, ext, next(), next(), next(), next(),
		       (unsigned)(next() % 5000000));
	else if (u < 0.99)
		printf("\"event_type\":\"anomaly\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
		       "\"dest_port\":443,\"proto\":\"TCP\",\"anomaly\":{\"type\":\"applayer\","
		       "\"event\":\"INVALID_RECORD_TYPE\",\"layer\":\"proto_parser\"}}\n", ip, sport, xip);
	else
		printf("\"event_type\":\"stats\",\"stats\":{\"uptime\":%u,\"capture\":{\"kernel_packets\":%u,"
		       "\"kernel_drops\":%u},\"decoder\":{\"pkts\":%u,\"bytes\":%u},\"flow\":{\"memuse\":%u}}}\n",
		       (unsigned)(next() % 900000), (unsigned)next(), (unsigned)(next() % 100), (unsigned)next(),
		       (unsigned)next(), (unsigned)(next() % 90000000));
}

int main(int argc, char **argv)
{
	int storm = argc > 1 && !strcmp(argv[1], "--storm");
	long n = argc > 1 + storm ? atol(argv[1 + storm]) : 1000;
	int64_t t = 1761955200;   /* 2025-11-01T00:00:00Z */
	long per_s = n / 600 > 0 ? n / 600 : 1;   /* a storm's alerts a second */

	int mixed = !storm && argc > 3 && !strcmp(argv[3], "mixed");

	unsigned rules = storm && argc > 4 ? (unsigned)atoi(argv[4]) : 6;

	if (rules < 1 || rules > 6)
		rules = 6;
	if (argc > 2 + storm)
		state ^= strtoull(argv[2 + storm], NULL, 10);
	struct { unsigned rule, host, src; } active[32];
	int64_t rotate = t + 600;

	for (int j = 0; j < 32; j++) {
		active[j].rule = skewed(300);
		active[j].host = skewed(4000);
		active[j].src = skewed(6000);
	}
	for (long i = 0; i < n; i++) {
		unsigned rule, host, src;
		if (mixed && unit() >= 0.01) {
			print_sensor(t);
			continue;
		}
		char sip[20], dip[20];
		if (storm) {
			/* One of the first six rules, from an internal host (the
			 * source) to one of a few outside addresses. */
			unsigned h = (unsigned)(next() % 16777216u);
			rule = (unsigned)(next() % rules);
			host = h % 4000;
			snprintf(sip, sizeof sip, "10.%u.%u.%u", h >> 16, (h >> 8) & 255, h & 255);
			snprintf(dip, sizeof dip, "198.51.100.%u", (unsigned)(next() % 4) + 1);
			if (i && i % per_s == 0)
				t++;
		} else {
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
			snprintf(sip, sizeof sip, "198.51.%u.%u", src / 250, src % 250 + 1);
			snprintf(dip, sizeof dip, "10.%u.%u.%u", host / 250 + 1, host % 250 + 1, host % 7 + 1);
			t += (int64_t)(unit() * 1.2);   /* a second after one alert in six */
		}
		unsigned k = rule % 10;
		char ts[40];
		time_t tt;
		struct tm tm;

		tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
		printf("{\"timestamp\":\"%s.%06u+0000\",\"flow_id\":%" PRIu64 ",\"in_iface\":\"eth0\","
		       "\"event_type\":\"alert\",\"src_ip\":\"%s\",\"src_port\":%u,"
		       "\"dest_ip\":\"%s\",\"dest_port\":%u,\"proto\":\"TCP\",\"tx_id\":0,"
		       "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%u,\"rev\":%u,"
		       "\"signature\":\"%s (%u)\",\"category\":\"%s\",\"severity\":%u},"
		       "\"http\":{\"hostname\":\"host%u.example.com\",\"url\":\"/api/v1/items?id=%u\","
		       "\"http_method\":\"GET\",\"status\":200,\"length\":%u},\"app_proto\":\"http\","
		       "\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,\"bytes_toserver\":%u,"
		       "\"bytes_toclient\":%u,\"start\":\"%s.000000+0000\"}}\n",
		       ts, (unsigned)(next() % 1000000u), next() >> 14, sip,
		       (unsigned)(next() % 60000 + 1024), dip,
		       (unsigned)(next() % 2 ? 80 : 443), 2010000 + rule, (unsigned)(rule % 9 + 1),
		       sigs[k], rule, cats[k], k % 3 + 1, host, (unsigned)(next() % 100000),
		       (unsigned)(next() % 40000), (unsigned)(next() % 20 + 1),
		       (unsigned)(next() % 20 + 1), (unsigned)(next() % 50000),
		       (unsigned)(next() % 90000), ts);
	}
	return 0;
}
