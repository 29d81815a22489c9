/* sensor.c: the sensor event types and the keep list (see sensor.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

void sensor_seen_text(const struct sensor_seen *e, struct strbuf *out)
{
	strbuf_printf(out, "%s", e->what ? e->what : "");
	if (e->detail && *e->detail)
		strbuf_printf(out, " (%s)", e->detail);
	if (e->count > 1)
		strbuf_printf(out, ", %lld times", (long long)e->count);
}
