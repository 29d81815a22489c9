/* run_set.c: the set step: incident fields, through the lifecycle layer
 * (validated like `irk set`, audited as incident.set by the engine,
 * optimistic concurrency). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "internal.h"

/* The engine acts as a senior: a play may hand an incident to someone. */
void run_actor(const struct run_env *env, struct actor *a)
{
	irk_strlcpy(a->name, env->actor ? env->actor : PLAY_ENGINE_ACTOR, sizeof a->name);
	a->role = ROLE_SENIOR;
}

int run_set(const struct run_env *env, struct run_result *r)
{
	struct run_ctx c;
	struct irk_err err = { 0 };
	struct actor who;
	struct jsonw w;
	char **assign = NULL;
	size_t n = 0;
	int f, rc;

	if (run_ctx_init(&c, env, r))
		goto out;
	f = jdoc_get(&c.def, 0, "fields");
	if (jdoc_type(&c.def, f) != JD_OBJECT || jdoc_first(&c.def, f) < 0) {
		run_fail(r, 1, "a set step needs fields (an object of field: value)");
		goto out;
	}
	if (!env->s) {
		run_fail(r, 1, "set needs the database");
		goto out;
	}
	for (int e = jdoc_first(&c.def, f); e >= 0; e = jdoc_next(&c.def, f, e)) {
		const char *name = jdoc_str(&c.def, e - 1);
		struct strbuf a = STRBUF_INIT;
		char what[96], *v;

		snprintf(what, sizeof what, "fields.%.64s", name);
		strbuf_printf(&a, "%s=", name);
		if (!(v = run_expand_scalar(&c, e, what, 0))) {
			strbuf_free(&a);
			goto out;
		}
		strbuf_puts(&a, v);
		free(v);
		run_strv_add(&assign, &n, strbuf_detach(&a));
	}
	run_actor(env, &who);
	rc = incident_set(env->s, &who, env->step->incident_id, assign, (int)n, 0, &err);
	if (rc) {
		run_fail(r, rc == IRK_INVALID || rc == IRK_REFUSED || rc == IRK_NOTFOUND, "%s",
			 err.msg);
		goto out;
	}
	jsonw_init(&w, &r->output, 0);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "set");
	jsonw_obj_begin(&w);
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(assign[i], '=');
		*eq = '\0';
		jsonw_kv_str(&w, assign[i], eq + 1);
		*eq = '=';
	}
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	r->status = RUN_DONE;
out:
	run_strv_free(assign, n);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_set_ops = {
	.flags = 0,
	.run = run_set,
};
