/* run_notify.c: the notify step: messages into the outbox, one per
 * recipient. XMPP delivery drains the outbox later; until then the board
 * shows them and `irk outbox` lists them. The engine calls this inside the
 * transaction that records the step, so a message is queued exactly when
 * the step is done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/clock.h"
#include "irk/identity.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/store.h"
#include "internal.h"

#define NOTIFY_MAX_TEXT 4096
#define NOTIFY_MAX_TO   32

/* Expand one recipient; "owner" is the incident's owner, or the seniors
 * when nobody owns it yet. Appended to *to. */
static int recipient(struct run_ctx *c, int tok, const struct incident *inc, char ***to,
		     size_t *n)
{
	char *v;

	if (jdoc_type(&c->def, tok) != JD_STRING)
		return run_fail(c->r, 1, "to: a recipient is a string"), -1;
	if (!(v = run_expand(c, jdoc_str(&c->def, tok), "to")))
		return -1;
	if (!strcmp(v, "owner")) {
		free(v);
		v = xstrdup(inc->owner ? inc->owner : "role:senior");
	}
	if (!strncmp(v, "role:", 5) ? role_parse(v + 5) < 0 : !identity_valid(v)) {
		run_fail(c->r, 1, "to: '%.100s' is not role:ROLE, owner or a user name", v);
		free(v);
		return -1;
	}
	if (!strncmp(v, "role:", 5)) {
		/* As the boards look for it: "role:Senior" is role:senior. */
		char canon[32];
		snprintf(canon, sizeof canon, "role:%s", role_name(role_parse(v + 5)));
		free(v);
		v = xstrdup(canon);
	}
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*to)[i], v)) {
			free(v);
			return 0;
		}
	if (*n >= NOTIFY_MAX_TO) {
		free(v);
		return run_fail(c->r, 1, "to: more than %d recipients", NOTIFY_MAX_TO), -1;
	}
	run_strv_add(to, n, v);
	return 0;
}

int run_notify(const struct run_env *env, struct run_result *r)
{
	struct run_ctx c;
	struct incident inc = { 0 };
	struct irk_err err = { 0 };
	struct jsonw w;
	char **to = NULL, *text = NULL;
	size_t nto = 0;
	int64_t ids[NOTIFY_MAX_TO];
	int v, own_tx = 0;

	if (run_ctx_init_incident(&c, env, r, &inc))
		goto out;
	v = jdoc_get(&c.def, 0, "to");
	if (jdoc_type(&c.def, v) == JD_ARRAY) {
		for (int e = jdoc_first(&c.def, v); e >= 0; e = jdoc_next(&c.def, v, e))
			if (recipient(&c, e, &inc, &to, &nto))
				goto out;
	} else if (v >= 0) {
		if (recipient(&c, v, &inc, &to, &nto))
			goto out;
	}
	if (!nto) {
		run_fail(r, 1, "a notify step needs to (role:senior, owner or a user)");
		goto out;
	}
	if (!run_str(&c, "text")) {
		run_fail(r, 1, "a notify step needs a text");
		goto out;
	}
	if (!(text = run_expand(&c, run_str(&c, "text"), "text")))
		goto out;
	if (strlen(text) > NOTIFY_MAX_TEXT) {
		/* Cut at a character boundary. */
		size_t cut = NOTIFY_MAX_TEXT;
		while (cut && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut--;
		text[cut] = '\0';
	}
	if (!env->in_tx && !store_in_tx(env->s)) {
		if (store_begin(env->s, &err)) {
			run_fail(r, 0, "%s", err.msg);
			goto out;
		}
		own_tx = 1;
	}
	for (size_t i = 0; i < nto; i++)
		if (store_outbox_add(env->s, inc.id, env->step->id, to[i], text, irk_now(), &ids[i],
				     &err)) {
			run_fail(r, 0, "%s", err.msg);
			goto out;
		}
	if (own_tx) {
		own_tx = 0;
		if (store_commit(env->s, &err)) {
			run_fail(r, 0, "%s", err.msg);
			goto out;
		}
	}
	jsonw_init(&w, &r->output, 0);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "to");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < nto; i++)
		jsonw_str(&w, to[i]);
	jsonw_arr_end(&w);
	jsonw_key(&w, "messages");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < nto; i++)
		jsonw_int(&w, ids[i]);
	jsonw_arr_end(&w);
	jsonw_kv_str(&w, "text", text);
	jsonw_obj_end(&w);
	r->status = RUN_DONE;
out:
	if (own_tx)
		store_rollback(env->s);
	incident_clear(&inc);
	run_strv_free(to, nto);
	free(text);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_notify_ops = {
	.flags = RUN_IN_TX,
	.run = run_notify,
};
