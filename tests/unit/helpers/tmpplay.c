/* tmpplay.c: see tmpplay.h. */
#include <criterion/criterion.h>
#include <string.h>

#include "irk/clock.h"
#include "irk/incident.h"
#include "irk/play.h"
#include "irk/store.h"
#include "tmpplay.h"

int64_t tmp_play_incident(struct store *s, const char *src, const char *asker,
			  const char *title, int prio, const char *host)
{
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct incident inc = { 0 };
	struct alert a = { .format = FMT_EVE, .rule_id = "x", .severity = SEV_HIGH, .host = host };
	struct irk_err err = { 0 };
	int64_t id;

	play_parse("t.json", src, strlen(src), &p, &d);
	cr_assert_not_null(p, "%s", d.n ? d.v[0].msg : "");
	inc.title = xstrdup(title);
	inc.severity = SEV_HIGH;
	inc.priority = prio;
	inc.t_detected = irk_now();
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(incident_open(s, asker, &inc, NULL, &err), IRK_OK);
	cr_assert_eq(play_assign(s, p, &inc, &a, asker, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	id = inc.id;
	incident_clear(&inc);
	play_free(&p);
	play_diags_free(&d);
	return id;
}
