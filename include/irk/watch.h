/* watch.h: the state changes of incidents people follow, as messages
 * through the outbox (XMPP delivery sends them). An incident is followed
 * by those who ran `irk watch KEY` and, by its priority, by those [xmpp]
 * watch_pN names (users, role:ROLE, room). State changes: claimed, moved
 * (closed too), a step failed, an approval due, the SLA breached. */
#ifndef IRK_WATCH_H
#define IRK_WATCH_H

#include <stdint.h>

#include "irk/err.h"
#include "irk/strbuf.h"

struct config;
struct event_row;
struct store;

/* The message for one audit event, into out: 1, or 0 when the event is
 * no state change people follow. Plain text with the incident key and
 * the commands that apply; text from outside sanitized. */
int watch_text(const struct event_row *e, struct strbuf *out);

/* Queue the messages of the state changes recorded since the last round,
 * and (with sla set: it reads every open incident) of SLAs breached; the one who made a change is not told
 * of it. Exactly once: where the rounds stand is kept in the database in
 * the same transaction. The very first round starts at the newest event.
 * *queued (may be NULL) gets how many messages it queued. Call from one
 * process at a time (XMPP delivery's lease holder). */
int watch_round(struct store *s, const struct config *cfg, int64_t now, int sla, int *queued,
		struct irk_err *err);

#endif
