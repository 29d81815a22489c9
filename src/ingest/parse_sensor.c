/* parse_sensor.c: sensor events to keep (irk/sensor.h) from the records
 * alert_parse() skips. Contract in irk/alert_parse.h (sensor_parse()).
 *
 * Suricata EVE, by event_type:
 *   all       timestamp, host (the sensor), src_ip, src_port, dest_ip,
 *             dest_port, proto
 *   dns       dns.rrname (else dns.queries[0] or dns.query[0] .rrname),
 *             the rrtype beside it, the first answer: dns.rdata, else
 *             dns.answers[0].rdata, else the first of dns.grouped.A,
 *             AAAA or CNAME
 *   http      http.hostname, url, http_method, status, http_user_agent
 *   tls       tls.sni, tls.subject, tls.ja3.hash (or tls.ja3 as a string)
 *   fileinfo  fileinfo.filename, sha256, size (and the http fields)
 *   flow      flow.bytes_toserver + bytes_toclient, pkts_toserver +
 *             pkts_toclient
 * Zeek, by log (zeek_log_name()): conn as flow (orig_bytes + resp_bytes,
 * orig_pkts + resp_pkts), dns (query, qtype_name, answers[0]), http (host,
 * uri, method, status_code, user_agent), ssl as tls (server_name,
 * subject, ja3), files as fileinfo (filename, sha256, total_bytes or
 * seen_bytes; addresses from tx_hosts[0] and rx_hosts[0] when there is no
 * id.orig_h), ssh, smtp, weird as anomaly; addresses from id.orig_h,
 * id.orig_p, id.resp_h, id.resp_p; the sensor from _system_name or peer. */
#include <string.h>

#include "irk/alert_parse.h"
#include "parse_impl.h"

static const char *str_at(const struct jdoc *d, int node, const char *path)
{
	return node < 0 ? NULL : jdoc_str(d, alert_json_path_at(d, node, path));
}

static int64_t num_at(const struct jdoc *d, int node, const char *path)
{
	double v;

	if (node < 0 || alert_tok_num(d, alert_json_path_at(d, node, path), &v))
		return 0;
	return (int64_t)v;
}

/* The first element of an array at tok, or tok itself when not an array. */
static int first_of(const struct jdoc *d, int tok)
{
	return jdoc_type(d, tok) == JD_ARRAY ? jdoc_first(d, tok) : tok;
}

/* Where a format keeps what every event has: its time, the sensor's name
 * (the first present of two fields), the addresses and the protocol. */
struct common_fields {
	const char *time, *sensor[2], *src_ip, *src_port, *dst_ip, *dst_port, *proto;
};

static const struct common_fields eve_common = { "timestamp", { "host", NULL }, "src_ip",
	"src_port", "dest_ip", "dest_port", "proto" };
static const struct common_fields zeek_common = { "ts", { "_system_name", "peer" }, "id.orig_h",
	"id.orig_p", "id.resp_h", "id.resp_p", "proto" };

static void common(const struct jdoc *d, const struct common_fields *f, struct sensor_event *e)
{
	e->t = alert_tok_epoch(d, alert_json_path(d, f->time));
	for (int i = 0; i < 2 && !e->sensor && f->sensor[i]; i++)
		e->sensor = str_at(d, 0, f->sensor[i]);
	e->src_ip = str_at(d, 0, f->src_ip);
	e->src_port = num_at(d, 0, f->src_port);
	e->dst_ip = str_at(d, 0, f->dst_ip);
	e->dst_port = num_at(d, 0, f->dst_port);
	e->proto = str_at(d, 0, f->proto);
}

static void eve_dns(const struct jdoc *d, int dns, struct sensor_event *e)
{
	static const char *const lists[] = { "queries", "query" };
	static const char *const grouped[] = { "grouped.A", "grouped.AAAA", "grouped.CNAME" };

	e->rrname = str_at(d, dns, "rrname");
	e->rrtype = str_at(d, dns, "rrtype");
	for (int i = 0; !e->rrname && i < ALERT_NELEM(lists); i++) {
		int q = first_of(d, alert_json_path_at(d, dns, lists[i]));
		e->rrname = str_at(d, q, "rrname");
		e->rrtype = str_at(d, q, "rrtype");
	}
	e->answer = str_at(d, dns, "rdata");
	if (!e->answer)
		e->answer = str_at(d, first_of(d, alert_json_path_at(d, dns, "answers")), "rdata");
	for (int i = 0; !e->answer && i < ALERT_NELEM(grouped); i++)
		e->answer = jdoc_str(d, first_of(d, alert_json_path_at(d, dns, grouped[i])));
}

static void eve_http(const struct jdoc *d, int http, struct sensor_event *e)
{
	e->hostname = str_at(d, http, "hostname");
	e->url = str_at(d, http, "url");
	e->method = str_at(d, http, "http_method");
	e->status = num_at(d, http, "status");
	e->user_agent = str_at(d, http, "http_user_agent");
}

static void eve_event(const struct jdoc *d, int type, struct sensor_event *e)
{
	int tls, ja3, fi, flow;

	common(d, &eve_common, e);
	switch (type) {
	case SENSOR_DNS:
		eve_dns(d, jdoc_get(d, 0, "dns"), e);
		break;
	case SENSOR_HTTP:
		eve_http(d, jdoc_get(d, 0, "http"), e);
		break;
	case SENSOR_TLS:
		tls = jdoc_get(d, 0, "tls");
		e->sni = str_at(d, tls, "sni");
		e->subject = str_at(d, tls, "subject");
		ja3 = tls < 0 ? -1 : alert_json_path_at(d, tls, "ja3");
		e->ja3 = jdoc_type(d, ja3) == JD_OBJECT ? str_at(d, ja3, "hash") : jdoc_str(d, ja3);
		break;
	case SENSOR_FILEINFO:
		fi = jdoc_get(d, 0, "fileinfo");
		e->filename = str_at(d, fi, "filename");
		e->sha256 = str_at(d, fi, "sha256");
		e->size = num_at(d, fi, "size");
		eve_http(d, jdoc_get(d, 0, "http"), e);
		break;
	case SENSOR_FLOW:
		flow = jdoc_get(d, 0, "flow");
		e->bytes = num_at(d, flow, "bytes_toserver") + num_at(d, flow, "bytes_toclient");
		e->packets = num_at(d, flow, "pkts_toserver") + num_at(d, flow, "pkts_toclient");
		break;
	}
}

/* Zeek logs and the type each is kept as. */
static const struct { const char *log; int type; } zeek_logs[] = {
	{ "conn", SENSOR_FLOW }, { "dns", SENSOR_DNS }, { "http", SENSOR_HTTP },
	{ "ssl", SENSOR_TLS }, { "files", SENSOR_FILEINFO }, { "ssh", SENSOR_SSH },
	{ "smtp", SENSOR_SMTP }, { "weird", SENSOR_ANOMALY },
};

static int zeek_type(const struct jdoc *d)
{
	const char *log = zeek_log_name(d);

	for (int i = 0; log && i < ALERT_NELEM(zeek_logs); i++)
		if (!strcmp(log, zeek_logs[i].log))
			return zeek_logs[i].type;
	return -1;
}

static void zeek_event(const struct jdoc *d, int type, struct sensor_event *e)
{
	common(d, &zeek_common, e);
	switch (type) {
	case SENSOR_FLOW:
		e->bytes = num_at(d, 0, "orig_bytes") + num_at(d, 0, "resp_bytes");
		e->packets = num_at(d, 0, "orig_pkts") + num_at(d, 0, "resp_pkts");
		break;
	case SENSOR_DNS:
		e->rrname = str_at(d, 0, "query");
		e->rrtype = str_at(d, 0, "qtype_name");
		e->answer = jdoc_str(d, first_of(d, jdoc_get(d, 0, "answers")));
		break;
	case SENSOR_HTTP:
		e->hostname = str_at(d, 0, "host");
		e->url = str_at(d, 0, "uri");
		e->method = str_at(d, 0, "method");
		e->status = num_at(d, 0, "status_code");
		e->user_agent = str_at(d, 0, "user_agent");
		break;
	case SENSOR_TLS:
		e->sni = str_at(d, 0, "server_name");
		e->subject = str_at(d, 0, "subject");
		e->ja3 = str_at(d, 0, "ja3");
		break;
	case SENSOR_FILEINFO:
		e->filename = str_at(d, 0, "filename");
		e->sha256 = str_at(d, 0, "sha256");
		e->size = num_at(d, 0, "total_bytes");
		if (!e->size)
			e->size = num_at(d, 0, "seen_bytes");
		if (!e->src_ip)
			e->src_ip = jdoc_str(d, first_of(d, jdoc_get(d, 0, "tx_hosts")));
		if (!e->dst_ip)
			e->dst_ip = jdoc_str(d, first_of(d, jdoc_get(d, 0, "rx_hosts")));
		break;
	}
}

int sensor_parse(int format, const struct jdoc *root, const char *raw, size_t raw_len,
		 unsigned keep, struct sensor_event *e, struct irk_err *err)
{
	int type = -1;

	memset(e, 0, sizeof *e);
	if (!keep || jdoc_type(root, 0) != JD_OBJECT)
		return IRK_SKIPPED;
	if (format == FMT_EVE)
		type = sensor_type_parse(jdoc_str(root, jdoc_get(root, 0, "event_type")));
	else if (format == FMT_ZEEK)
		type = zeek_type(root);
	if (type < 0 || !(keep & SENSOR_BIT(type)))
		return IRK_SKIPPED;
	e->type = type;
	if (format == FMT_EVE)
		eve_event(root, type, e);
	else
		zeek_event(root, type, e);
	e->raw = raw;
	e->raw_len = raw_len;
	if (!e->t)
		return irk_fail(err, IRK_INVALID, "no usable time in field '%s' (a %s event to keep)",
				format == FMT_EVE ? "timestamp" : "ts", sensor_type_name(type));
	return IRK_OK;
}
