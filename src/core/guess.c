/* guess.c: "did you mean" (see guess.h). */
#include <stdio.h>
#include <string.h>

#include "irk/guess.h"
#include "irk/strbuf.h"

int guess_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	int d[3][65];           /* rows i-2, i-1, i (mod 3) */

	if (la > 64 || lb > 64)
		return 99;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		int *cur = d[i % 3], *up = d[(i + 2) % 3], *up2 = d[(i + 1) % 3];
		cur[0] = i;
		for (int j = 1; j <= lb; j++) {
			int best = up[j - 1] + (a[i - 1] != b[j - 1]);
			if (up[j] + 1 < best)
				best = up[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			/* Two letters swapped ("lsit") is one slip, not two. */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    up2[j - 2] + 1 < best)
				best = up2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return d[la % 3][lb];
}

void guess_init(struct guess *g, const char *name)
{
	g->name = name;
	g->best[0] = '\0';
	g->dist = 99;
}

void guess_consider(struct guess *g, const char *prefix, const char *cand)
{
	char full[80];
	int d;

	snprintf(full, sizeof full, "%s%s", prefix, cand);
	d = guess_distance(g->name, full);
	if (d < g->dist) {
		g->dist = d;
		irk_strlcpy(g->best, full, sizeof g->best);
	}
}

const char *guess_best(const struct guess *g)
{
	return g->dist <= 2 && (size_t)g->dist * 2 < strlen(g->name) ? g->best : NULL;
}
