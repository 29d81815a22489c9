/* fuzz_hours.c: libFuzzer target for business hours ([sla]
 * business_hours, irk/hours.h).
 *
 * Beyond "never crash": a refused spec says why; an accepted one counts
 * business seconds that add up (a to b plus b to c is a to c), never more
 * than the calendar's between two instants inside one stretch of offset,
 * and a whole week away from the clock changes is its open days times
 * its opening. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irk/hours.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct irk_hours h;
	struct irk_err err = { 0 };
	char *src = malloc(size + 1);

	memcpy(src, data, size);
	src[size] = '\0';
	if (irk_hours_parse(src, "Europe/Berlin", &h, &err)) {
		if (!err.msg[0] || h.on)
			abort();
		free(src);
		return 0;
	}
	if (!h.on || h.open >= h.close || !h.days)
		abort();
	/* Three instants from the input's bytes, around 2026. */
	uint64_t x = 1469598103934665603ULL;
	for (size_t i = 0; i < size; i++)
		x = (x ^ data[i]) * 1099511628211ULL;
	int64_t a = 1767225600LL + (int64_t)(x % 31536000);    /* in 2026 */
	int64_t b = a + (int64_t)((x >> 20) % 2000000);
	int64_t c = b + (int64_t)((x >> 40) % 2000000);
	if (irk_hours_between(&h, a, b) + irk_hours_between(&h, b, c) != irk_hours_between(&h, a, c))
		abort();
	if (irk_hours_between(&h, b, a) != -irk_hours_between(&h, a, b))
		abort();
	/* A week in January (no change of the clocks in Berlin). */
	int64_t jan = 1768176000LL, n = 0;                     /* 2026-01-12 */
	for (int d = 0; d < 7; d++)
		n += (h.days >> d) & 1;
	if (irk_hours_between(&h, jan, jan + 7 * 86400) != n * (h.close - h.open))
		abort();
	if (irk_hours_between(&h, jan, jan + 3600) > 3600 || irk_hours_between(&h, jan, jan + 3600) < 0)
		abort();
	free(src);
	return 0;
}
