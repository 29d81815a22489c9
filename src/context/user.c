/* user.c: a person as a user source knows them (irk/context.h: the user
 * of an incident's first alert), and the cache's form of one. */
#include <stdlib.h>
#include <string.h>

#include "irk/jsonw.h"
#include "context_impl.h"

#define X_USER_NAME(n) #n,
const char *const context_user_fields[] = { CONTEXT_USER_FIELDS(X_USER_NAME) NULL };
#undef X_USER_NAME

char **context_user_field(struct context_user *u, int i)
{
#define X_USER_PTR(n) &u->n,
	char **v[] = { CONTEXT_USER_FIELDS(X_USER_PTR) };
#undef X_USER_PTR
	return i >= 0 && i < CONTEXT_USER_NFIELDS ? v[i] : NULL;
}

const char *context_user_get(const struct context_user *u, int i)
{
	return *context_user_field((struct context_user *)u, i);
}

int context_user_field_find(const char *name)
{
	for (int i = 0; context_user_fields[i]; i++)
		if (!strcmp(context_user_fields[i], name))
			return i;
	return -1;
}

void context_user_clear(struct context_user *u)
{
	for (int i = 0; i < CONTEXT_USER_NFIELDS; i++)
		free(*context_user_field(u, i));
	free(u->source);
	memset(u, 0, sizeof *u);
}

void context_user_json_members(struct jsonw *w, const struct context_user *u)
{
	for (int i = 0; i < CONTEXT_USER_NFIELDS; i++)
		jsonw_kv_str(w, context_user_fields[i], *context_user_field((struct context_user *)u, i));
	jsonw_kv_str(w, "source", u->source);
	jsonw_kv_int(w, "fetched", u->fetched);
}

int context_user_from_json(const char *json, struct context_user *out)
{
	struct jdoc d;
	struct jdoc_error je;
	int rc = -1;

	memset(out, 0, sizeof *out);
	jdoc_init(&d);
	if (!jdoc_parse(&d, json, strlen(json), &je) && jdoc_type(&d, 0) == JD_OBJECT) {
		for (int i = 0; i < CONTEXT_USER_NFIELDS; i++) {
			const char *v = jdoc_str(&d, jdoc_get(&d, 0, context_user_fields[i]));
			if (v)
				*context_user_field(out, i) = xstrdup(v);
		}
		if (jdoc_str(&d, jdoc_get(&d, 0, "source")))
			out->source = xstrdup(jdoc_str(&d, jdoc_get(&d, 0, "source")));
		jdoc_int(&d, jdoc_get(&d, 0, "fetched"), &out->fetched);
		rc = out->name ? 0 : -1;
	}
	jdoc_free(&d);
	if (rc)
		context_user_clear(out);
	return rc;
}
