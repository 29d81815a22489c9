/* guess.h: "did you mean": the candidate nearest to a mistyped name by
 * edit distance, shared by every place that names a thing the user got
 * wrong (a command, a field, a user, a play key). */
#ifndef IRK_GUESS_H
#define IRK_GUESS_H

struct guess {
	const char *name;   /* what the user typed (borrowed) */
	char best[80];
	int dist;
};

/* Edit distance of a and b: insertions, deletions, substitutions and
 * swaps of two neighbours count one each (optimal string alignment); 99
 * when either is longer than 64 bytes (names are short). */
int guess_distance(const char *a, const char *b);
/* Start a guess for name (borrowed until the guess is done). */
void guess_init(struct guess *g, const char *name);
/* Consider prefix + cand ("alert." + "host"; prefix may be ""). */
void guess_consider(struct guess *g, const char *prefix, const char *cand);
/* The nearest candidate when it is close enough to be a typo (two edits
 * at most, and fewer than half the name: "id" is not a typo of "to"),
 * else NULL. Borrowed from g. */
const char *guess_best(const struct guess *g);

#endif
