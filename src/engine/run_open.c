/* run_open.c: the open step: an incident for each host its hosts template
 * lists (commas, spaces or new lines between them), each linked as the
 * step's incident's child, in the lifecycle layer (incident_create_child).
 * A host that is the incident's own, "none" or "-" is left out, as is one
 * a child of the incident already has: run again (a retry, a lease that
 * expired mid-way), the step opens only what is missing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "internal.h"

#define OPEN_MAX 50            /* incidents one step opens, at most */

struct children {
	struct store *s;
	int64_t parent;
	char **hosts;              /* the hosts the children have */
	size_t n;
};

static int child_host(const struct link_row *l, void *arg)
{
	struct children *c = arg;
	struct incident inc;
	struct irk_err err = { 0 };

	if (l->a != c->parent || strcmp(l->kind, "parent") ||
	    store_incident_get(c->s, l->b, &inc, &err))
		return 0;
	if (inc.host) {
		c->hosts = xrealloc(c->hosts, (c->n + 1) * sizeof *c->hosts);
		c->hosts[c->n++] = xstrdup(inc.host);
	}
	incident_clear(&inc);
	return 0;
}

static int has_host(char *const *v, size_t n, const char *host)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(v[i], host))
			return 1;
	return 0;
}

struct newest {
	struct play *p;
	char why[256];
};

/* The newest version of the play the database knows (every play loaded
 * is recorded there): the engine holds no catalog. */
static int newest_play(const struct play_version_row *v, void *arg)
{
	struct newest *nw = arg;
	struct play_diags d = { 0 };

	if (play_parse(v->path, v->source, strlen(v->source), &nw->p, &d))
		snprintf(nw->why, sizeof nw->why, "play %s (version %.12s) does not parse", v->play_id,
			 v->hash);
	play_diags_free(&d);
	return 1;
}

int run_open(const struct run_env *env, struct run_result *r)
{
	struct run_ctx c;
	struct incident parent;
	struct children have = { env->s, env->step->incident_id, NULL, 0 };
	struct newest nw = { NULL, "" };
	struct irk_err err = { 0 };
	struct actor who;
	struct jsonw w;
	char *hosts = NULL, *title = NULL, **opened = NULL, **keys = NULL;
	const char *sev;
	size_t nopened = 0;
	int severity, t;

	if (run_ctx_init_incident(&c, env, r, &parent))
		return r->status;
	if ((t = jdoc_get(&c.def, 0, "hosts")) < 0) {
		run_fail(r, 1, "an open step needs hosts");
		goto out;
	}
	if (!(hosts = run_expand_scalar(&c, t, "hosts", 0)))
		goto out;
	if ((t = jdoc_get(&c.def, 0, "title")) >= 0 && !(title = run_expand_scalar(&c, t, "title", 0)))
		goto out;
	sev = run_str(&c, "severity");
	severity = sev ? severity_parse(sev) : parent.severity;
	if (severity < 0) {
		run_fail(r, 1, "severity: '%s' is not low, medium, high or critical", sev);
		goto out;
	}
	if (run_str(&c, "play")) {
		if (store_play_each(env->s, run_str(&c, "play"), NULL, newest_play, &nw, &err)) {
			run_fail(r, 0, "%s", err.msg);
			goto out;
		}
		if (!nw.p) {
			run_fail(r, 1, "%s", nw.why[0] ? nw.why : "no such play in the database");
			goto out;
		}
	}
	if (store_link_each(env->s, have.parent, child_host, &have, &err)) {
		run_fail(r, 0, "%s", err.msg);
		goto out;
	}
	run_actor(env, &who);
	for (char *p = hosts, *end; *p; p = end) {
		struct incident inc;
		struct strbuf tt = STRBUF_INIT;
		char key[24];
		int rc;

		while (*p && (*p == ',' || isspace((unsigned char)*p)))
			p++;
		for (end = p; *end && *end != ',' && !isspace((unsigned char)*end); end++)
			;
		if (end == p)
			break;
		if (*end)
			*end++ = '\0';
		if (!strcasecmp(p, "none") || !strcmp(p, "-") ||
		    (parent.host && !strcasecmp(p, parent.host)) || has_host(have.hosts, have.n, p) ||
		    has_host(opened, nopened, p))
			continue;
		if (nopened == OPEN_MAX) {
			run_fail(r, 1, "hosts lists more than %d hosts", OPEN_MAX);
			goto out;
		}
		memset(&inc, 0, sizeof inc);
		strbuf_printf(&tt, "%s: %s", title && *title ? title : parent.title ? parent.title : "",
			      p);
		/* Its own copies: assigning a play replaces the category. */
		inc.title = strbuf_detach(&tt);
		inc.severity = severity;
		inc.host = xstrdup(p);
		inc.business_unit = parent.business_unit ? xstrdup(parent.business_unit) : NULL;
		inc.category = parent.category ? xstrdup(parent.category) : NULL;
		rc = incident_create_child(env->s, &who, have.parent, &inc, nw.p, &err);
		incident_key(inc.id, key, sizeof key);
		incident_clear(&inc);
		if (rc) {
			run_fail(r, rc == IRK_INVALID, "opening the incident of %s: %s", p, err.msg);
			goto out;
		}
		opened = xrealloc(opened, (nopened + 1) * sizeof *opened);
		keys = xrealloc(keys, (nopened + 1) * sizeof *keys);
		opened[nopened] = xstrdup(p);
		keys[nopened++] = xstrdup(key);
	}
	jsonw_init(&w, &r->output, 0);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "opened");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < nopened; i++) {
		jsonw_obj_begin(&w);
		jsonw_kv_str(&w, "host", opened[i]);
		jsonw_kv_str(&w, "incident", keys[i]);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_kv_int(&w, "already", (int64_t)have.n);
	jsonw_obj_end(&w);
	r->status = RUN_DONE;
out:
	run_strv_free(have.hosts, have.n);
	run_strv_free(opened, nopened);
	run_strv_free(keys, nopened);
	play_free(&nw.p);
	free(hosts);
	free(title);
	incident_clear(&parent);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_open_ops = {
	.flags = 0,
	.run = run_open,
};
