/* tmpplay.h: an incident that runs a play, for unit tests of what people
 * do to steps (from the command line's functions or from chat). */
#ifndef IRK_TEST_TMPPLAY_H
#define IRK_TEST_TMPPLAY_H

#include <stdint.h>

struct store;

/* Parse the play src (the test fails when it does not lint), open an
 * incident titled title at severity high and priority prio (0: computed)
 * as asker, and give it the play over an alert of rule x on host, in one
 * transaction. Returns the incident's id. */
int64_t tmp_play_incident(struct store *s, const char *src, const char *asker,
			  const char *title, int prio, const char *host);

#endif
