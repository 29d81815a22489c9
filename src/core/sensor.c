/* sensor.c: the sensor event types and the keep list (see sensor.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "irk/jsonw.h"
#include "irk/sanitize.h"
#include "irk/sensor.h"
#include "irk/strbuf.h"

#define X_NAME3(e, n, h) n,
static const char *const names[] = { IRK_SENSOR_TYPES(X_NAME3) };
#undef X_NAME3

const char *sensor_type_name(int t)
{
	return t >= 0 && t < SENSOR_COUNT ? names[t] : "?";
}

int sensor_type_parse(const char *s)
{
	for (int i = 0; s && i < SENSOR_COUNT; i++)
		if (!strcasecmp(s, names[i]))
			return i;
	return -1;
}

int sensor_keep_parse(const char *list, unsigned *mask, struct irk_err *err)
{
	const char *p = list ? list : "";

	*mask = 0;
	for (;;) {
		char word[32], shown[48], all[128] = "";
		size_t n = 0;
		int t;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			return IRK_OK;
		while (p[n] && p[n] != ',' && !isspace((unsigned char)p[n]))
			n++;
		snprintf(word, sizeof word, "%.*s", (int)n, p);
		if (n >= sizeof word || (t = sensor_type_parse(word)) < 0) {
			for (int i = 0; i < SENSOR_COUNT; i++)
				snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s",
					 i ? ", " : "", names[i]);
			return irk_fail(err, IRK_INVALID, "no event type '%s' (%s)",
					sanitize_buf(shown, sizeof shown, word, 0), all);
		}
		*mask |= SENSOR_BIT(t);
		p += n;
	}
}

/* A byte count in the largest decimal unit under 1000: "52.1 kB". */
static void bytes_text(int64_t n, struct strbuf *out)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u)
		strbuf_printf(out, "%.1f %s", v, unit[u]);
	else
		strbuf_printf(out, "%lld B", (long long)n);
}

void sensor_seen_text(const struct sensor_seen *e, struct strbuf *out)
{
	int detail = e->detail && *e->detail, answer = e->answer && *e->answer;

	strbuf_printf(out, "%s", e->what ? e->what : "");
	if (e->type == SENSOR_FLOW) {
		strbuf_printf(out, ": %lld flow%s, ", (long long)e->count, e->count == 1 ? "" : "s");
		bytes_text(e->bytes, out);
		return;
	}
	if (detail || answer)
		strbuf_printf(out, " (%s%s%s)", detail ? e->detail : "", detail && answer ? " " : "",
			      answer ? e->answer : "");
	if (e->count > 1)
		strbuf_printf(out, ", %lld times", (long long)e->count);
}

/* "10.1.2.15:53211" ("?" for no address; no port when 0). */
static void endpoint(struct strbuf *out, const char *ip, int64_t port)
{
	strbuf_printf(out, "%s", ip && *ip ? ip : "?");
	if (port)
		strbuf_printf(out, ":%lld", (long long)port);
}

/* " word" when v is set. */
static void word(struct strbuf *out, const char *fmt, const char *v)
{
	if (v && *v)
		strbuf_printf(out, fmt, v);
}

#define RAW_SHOWN 200

void sensor_event_text(const struct sensor_event *e, struct strbuf *out)
{
	endpoint(out, e->src_ip, e->src_port);
	strbuf_printf(out, " > ");
	endpoint(out, e->dst_ip, e->dst_port);
	strbuf_printf(out, " ");
	switch (e->type) {
	case SENSOR_DNS:
		word(out, " %s", e->rrname);
		word(out, " %s", e->rrtype);
		word(out, " %s", e->answer);
		break;
	case SENSOR_HTTP:
	case SENSOR_FILEINFO:
		word(out, " %s", e->filename);
		word(out, " %s", e->method);
		word(out, " %s", e->hostname);
		word(out, "%s", e->url);
		if (e->status)
			strbuf_printf(out, " %lld", (long long)e->status);
		word(out, " sha256 %s", e->sha256);
		if (e->size)
			strbuf_printf(out, " size %lld", (long long)e->size);
		break;
	case SENSOR_TLS:
		word(out, " %s", e->sni);
		word(out, " (%s)", e->subject);
		word(out, " ja3 %s", e->ja3);
		break;
	case SENSOR_FLOW:
		strbuf_printf(out, " %lld bytes, %lld packets", (long long)e->bytes,
			      (long long)e->packets);
		break;
	default:
		/* ssh, smtp, anomaly: their fields are in the record. */
		strbuf_printf(out, " %.*s%s", (int)(e->raw_len < RAW_SHOWN ? e->raw_len : RAW_SHOWN),
			      e->raw ? e->raw : "", e->raw_len > RAW_SHOWN ? "..." : "");
		break;
	}
}

void sensor_event_json(const struct sensor_event *e, struct jsonw *w)
{
	jsonw_kv_str(w, "sensor", e->sensor);
	jsonw_kv_str(w, "src_ip", e->src_ip);
	jsonw_kv_int(w, "src_port", e->src_port);
	jsonw_kv_str(w, "dst_ip", e->dst_ip);
	jsonw_kv_int(w, "dst_port", e->dst_port);
	jsonw_kv_str(w, "proto", e->proto);
	switch (e->type) {
	case SENSOR_DNS:
		jsonw_kv_str(w, "rrname", e->rrname);
		jsonw_kv_str(w, "rrtype", e->rrtype);
		jsonw_kv_str(w, "answer", e->answer);
		break;
	case SENSOR_FILEINFO:
		jsonw_kv_str(w, "filename", e->filename);
		jsonw_kv_str(w, "sha256", e->sha256);
		jsonw_kv_int(w, "size", e->size);
		/* fall through - and the HTTP request it came in */
	case SENSOR_HTTP:
		jsonw_kv_str(w, "hostname", e->hostname);
		jsonw_kv_str(w, "url", e->url);
		jsonw_kv_str(w, "method", e->method);
		jsonw_kv_int(w, "status", e->status);
		jsonw_kv_str(w, "user_agent", e->user_agent);
		break;
	case SENSOR_TLS:
		jsonw_kv_str(w, "sni", e->sni);
		jsonw_kv_str(w, "subject", e->subject);
		jsonw_kv_str(w, "ja3", e->ja3);
		break;
	case SENSOR_FLOW:
		jsonw_kv_int(w, "bytes", e->bytes);
		jsonw_kv_int(w, "packets", e->packets);
		break;
	}
}
