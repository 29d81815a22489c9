/* rate.c: a source's rate limits, several windows at once ("120/min,
 * 5000/day"): a sliding log of the last n call times per window, so a
 * burst at the edge of a minute is not two minutes' worth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context_impl.h"

static int64_t unit_ms(const char *u)
{
	static const struct { const char *name; int64_t ms; } units[] = {
		{ "s", 1000 }, { "sec", 1000 }, { "second", 1000 },
		{ "min", 60000 }, { "minute", 60000 }, { "m", 60000 },
		{ "h", 3600000 }, { "hour", 3600000 },
		{ "d", 86400000 }, { "day", 86400000 } };

	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(units[i].name, u))
			return units[i].ms;
	return 0;
}

void rate_free(struct rate *r)
{
	for (int i = 0; i < r->nwin; i++)
		free(r->win[i].at);
	memset(r, 0, sizeof *r);
}

int rate_parse(struct rate *r, const char *spec, char *why, size_t n)
{
	char *copy = xstrdup(spec), *save = NULL;

	memset(r, 0, sizeof *r);
	for (char *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		char *slash = strchr(w, '/'), *end;
		long long count = strtoll(w, &end, 10);
		int64_t ms = slash ? unit_ms(slash + 1) : 0;

		if (end != slash || count < 1 || count > RATE_MAX_N || !ms || r->nwin == RATE_WINDOWS) {
			if (r->nwin == RATE_WINDOWS)
				snprintf(why, n, "more than %d windows", RATE_WINDOWS);
			else
				snprintf(why, n, "'%.40s' is not COUNT/UNIT (like 120/min, 5000/day)", w);
			free(copy);
			rate_free(r);
			return -1;
		}
		r->win[r->nwin].n = count;
		r->win[r->nwin].ms = ms;
		r->win[r->nwin].at = xcalloc((size_t)count, sizeof(int64_t));
		r->nwin++;
	}
	free(copy);
	return 0;
}

void rate_hold(struct rate *r, int64_t until_ms)
{
	if (until_ms > r->hold_until)
		r->hold_until = until_ms;
}

int64_t rate_take(struct rate *r, int64_t now_ms)
{
	int64_t wait = r->hold_until > now_ms ? r->hold_until - now_ms : 0;

	/* A window is full when its oldest of the last n calls is less than
	 * its length ago: wait until that one leaves it. */
	for (int i = 0; i < r->nwin; i++) {
		struct rate_window *w = &r->win[i];
		if (w->count == w->n) {
			int64_t oldest = w->at[w->head];
			if (now_ms - oldest < w->ms && oldest + w->ms - now_ms > wait)
				wait = oldest + w->ms - now_ms;
		}
	}
	if (wait)
		return wait;
	for (int i = 0; i < r->nwin; i++) {
		struct rate_window *w = &r->win[i];
		if (w->count < w->n) {
			w->at[(w->head + w->count) % w->n] = now_ms;
			w->count++;
		} else {
			w->at[w->head] = now_ms;
			w->head = (w->head + 1) % w->n;
		}
	}
	return 0;
}
