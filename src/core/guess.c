/* guess.c: "did you mean" (see guess.h). */
#include <stdio.h>
#include <string.h>

#include "irk/guess.h"
#include "irk/strbuf.h"

int guess_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b), row[65];

	if (la > 64 || lb > 64)
		return 99;
	for (int j = 0; j <= lb; j++)
		row[j] = j;
	for (int i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = i;
		for (int j = 1; j <= lb; j++) {
			int cur = row[j];
			int best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
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
