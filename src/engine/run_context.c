/* run_context.c: the context step: the incident's keys (host, address,
 * user, key) asked of the context sources of irk.conf now (every source,
 * or with `cached` only those whose answer is past its ttl), through
 * src/context (their timeouts, size cap, TLS, rate and concurrency), and
 * the answers fed into the incident (criticality, business unit, the
 * observables found, audited as incident.context). The steps after it
 * then read fresh asset.*, user.*, tickets.* and changes.*: they are
 * read from what is stored. The output is the context (irk context
 * --json's object: asset, user, tickets, changes, errors). A source that
 * cannot answer leaves its last values and an error in the output; with
 * `strict` the step fails instead (retry and backoff apply). */
#include <stdlib.h>
#include <string.h>

#include "irk/context.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/store.h"
#include "internal.h"

static int flag(struct run_ctx *c, const char *key)
{
	return jdoc_type(&c->def, jdoc_get(&c->def, 0, key)) == JD_TRUE;
}

int run_context(const struct run_env *env, struct run_result *r)
{
	struct run_ctx c;
	struct incident inc = { 0 };
	struct context_sources *srcs = NULL;
	struct context ctx = { 0 };
	struct irk_err err = { 0 };
	struct jsonw w;
	int changed = 0, have = 0;

	if (run_ctx_init_incident(&c, env, r, &inc))
		goto out;
	if (context_sources_load(env->cfg, &srcs, &err)) {
		run_fail(r, 1, "%s", err.msg);
		goto out;
	}
	if (context_refresh(env->s, srcs, &inc, !flag(&c, "cached"), &err) ||
	    !(have = !context_of(env->s, srcs, &inc, &ctx, &err)) ||
	    context_apply(env->s, inc.id, &ctx, &changed, &err)) {
		run_fail(r, 0, "%s", err.msg);
		goto out;
	}
	jsonw_init(&w, &r->output, 0);
	context_json(&w, &ctx);
	jsonw_init(&w, &r->log, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_int(&w, "sources", context_sources_count(srcs));
	jsonw_kv_bool(&w, "fed", changed);
	jsonw_kv_int(&w, "errors", ctx.nerrors);
	jsonw_obj_end(&w);
	if (ctx.nerrors && flag(&c, "strict")) {
		struct strbuf why = STRBUF_INIT;

		context_error_text(&ctx.errors[0], 0, &why);
		run_fail(r, 0, "%s", strbuf_str(&why));
		strbuf_free(&why);
		goto out;
	}
	r->status = RUN_DONE;
out:
	if (have)
		context_clear(&ctx);
	context_sources_free(&srcs);
	incident_clear(&inc);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_context_ops = {
	.flags = 0,
	.run = run_context,
};
