/* run_ticket.c: the ticket step: a ticket created in, or a comment sent
 * to, a ticket source of irk.conf ([context.NAME], type rt or jira)
 * through src/context (its token, timeouts, size cap, TLS and rate). The
 * output names what was made: {"key", "url", "source", "action"}; later
 * steps read {{steps.ID.output.key}}. A refusal by the server (4xx) or a
 * bad definition fails for good; a source that cannot be reached may be
 * retried (the step's retry). */
#include <stdlib.h>
#include <string.h>

#include "irk/context.h"
#include "irk/jsonw.h"
#include "internal.h"

/* Field key of the definition, expanded; NULL (not failed) when absent. */
static int field(struct run_ctx *c, const char *key, char **out)
{
	int v = jdoc_get(&c->def, 0, key);

	*out = NULL;
	if (v < 0)
		return 0;
	return (*out = run_expand_scalar(c, v, key, 0)) ? 0 : -1;
}

int run_ticket(const struct run_env *env, struct run_result *r)
{
	static const char *const keys[] = { "ticket", "queue", "type", "subject", "text" };
	char *v[5] = { 0 };
	struct run_ctx c;
	struct context_sources *srcs = NULL;
	struct context_ticket t = { 0 };
	struct irk_err err = { 0 };
	struct jsonw w;
	int rc;

	if (run_ctx_init(&c, env, r))
		goto out;
	for (int i = 0; i < 5; i++)
		if (field(&c, keys[i], &v[i]))
			goto out;
	if (!run_str(&c, "source")) {
		run_fail(r, 1, "a ticket step needs a source");
		goto out;
	}
	if (context_sources_load(env->cfg, &srcs, &err)) {
		run_fail(r, 1, "%s", err.msg);
		goto out;
	}
	rc = context_ticket_write(srcs, &(struct context_ticket_req){ run_str(&c, "source"),
		v[0] && *v[0] ? v[0] : NULL, v[1] && *v[1] ? v[1] : NULL, v[2], v[3], v[4] }, &t, &err);
	if (rc) {
		/* Not there or refused: retrying cannot help; unreachable may. */
		run_fail(r, rc == IRK_INVALID || strstr(err.msg, "HTTP 4"), "%s", err.msg);
		goto out;
	}
	jsonw_init(&w, &r->output, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "key", t.key);
	jsonw_kv_str(&w, "url", t.url);
	jsonw_kv_str(&w, "source", t.source);
	jsonw_kv_str(&w, "action", v[0] && *v[0] ? "comment" : "create");
	jsonw_obj_end(&w);
	jsonw_init(&w, &r->log, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "ticket", t.key);
	jsonw_kv_str(&w, "url", t.url);
	jsonw_obj_end(&w);
	r->status = RUN_DONE;
out:
	context_ticket_clear(&t);
	context_sources_free(&srcs);
	for (int i = 0; i < 5; i++)
		free(v[i]);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_ticket_ops = {
	.flags = 0,
	.run = run_ticket,
};
