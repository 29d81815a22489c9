/* fields.c: the table of the incident's fields (fields.h) and what is done
 * with it the same way everywhere: names, members, the value an expression
 * sees, the --json object. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "irk/expr.h"
#include "irk/fields.h"
#include "irk/jsonw.h"
#include "irk/model.h"

/* How each kind is held; each row's C type is checked against it. */
#define FKS_KEY         FST_NONE
#define FKS_ID          FST_INT64
#define FKS_TITLE       FST_TEXT
#define FKS_PROSE       FST_TEXT
#define FKS_TEXT        FST_TEXT
#define FKS_USER        FST_TEXT
#define FKS_ACTOR       FST_TEXT
#define FKS_STAGE       FST_INT
#define FKS_SEVERITY    FST_INT
#define FKS_RESOLUTION  FST_INT
#define FKS_PRIORITY    FST_INT
#define FKS_CONFIDENCE  FST_INT
#define FKS_CRITICALITY FST_INT
#define FKS_INT         FST_INT
#define FKS_FLAG        FST_INT
#define FKS_TIME        FST_INT64
#define FKS_VERSION     FST_INT64

#define FST_OF(e) _Generic((e), char *: FST_TEXT, int: FST_INT, int64_t: FST_INT64, default: FST_NONE)
#define X_CHECK(name, kind, ctype, member, column, set, help) \
	_Static_assert(FST_OF(((struct incident *)0)->member) == FKS_##kind, \
		       #name ": its C type does not hold a " #kind);
INCIDENT_FIELDS(X_CHECK)
#undef X_CHECK

enum field_storage field_kind_storage(int k)
{
	switch (k) {
#define X_KIND(k) case FK_##k: return FKS_##k;
	X_KIND(KEY) X_KIND(ID) X_KIND(TITLE) X_KIND(PROSE) X_KIND(TEXT) X_KIND(USER)
	X_KIND(ACTOR) X_KIND(STAGE) X_KIND(SEVERITY) X_KIND(RESOLUTION) X_KIND(PRIORITY)
	X_KIND(CONFIDENCE) X_KIND(CRITICALITY) X_KIND(INT) X_KIND(FLAG) X_KIND(TIME)
	X_KIND(VERSION)
#undef X_KIND
	}
	return FST_NONE;
}

#define X_ROW(name, kind, ctype, member, column, set, help) \
	{ #name, FK_##kind, column, offsetof(struct incident, member), SET_##set, help },
const struct field_def incident_fields[] = {
	{ "key", FK_KEY, NULL, offsetof(struct incident, id), SET_NONE,
	  "how people and commands name it: IR-42" },
	INCIDENT_FIELDS(X_ROW)
	{ NULL, 0, NULL, 0, 0, NULL },
};
#undef X_ROW

#define X_OLD(old, name) old,
#define X_NEW(old, name) name,
static const char *const alias_old[] = { INCIDENT_FIELD_ALIASES(X_OLD) };
static const char *const alias_new[] = { INCIDENT_FIELD_ALIASES(X_NEW) };
#undef X_OLD
#undef X_NEW

static const struct field_def *named(const char *name, int (*cmp)(const char *, const char *))
{
	for (const struct field_def *f = incident_fields; f->name; f++)
		if (!cmp(f->name, name))
			return f;
	return NULL;
}

static const struct field_def *lookup(const char *name, int *alias,
				      int (*cmp)(const char *, const char *))
{
	const struct field_def *f;

	if (alias)
		*alias = 0;
	if (!name || !*name)
		return NULL;
	if ((f = named(name, cmp)))
		return f;
	for (size_t i = 0; i < sizeof alias_old / sizeof alias_old[0]; i++)
		if (!cmp(alias_old[i], name)) {
			if (alias)
				*alias = 1;
			return named(alias_new[i], strcmp);
		}
	return NULL;
}

const struct field_def *incident_field_lookup(const char *name, int *alias)
{
	return lookup(name, alias, strcmp);
}

const struct field_def *incident_field_typed(const char *name, int *alias)
{
	char norm[64];
	size_t i;

	if (alias)
		*alias = 0;
	if (!name)
		return NULL;
	for (i = 0; name[i] && i < sizeof norm - 1; i++)
		norm[i] = name[i] == '-' ? '_' : name[i];
	if (name[i])
		return NULL;           /* longer than any name */
	norm[i] = '\0';
	return lookup(norm, alias, strcasecmp);
}

const struct field_def *incident_field_find(const char *name)
{
	const struct field_def *f = incident_field_typed(name, NULL);

	return f && f->set != SET_NONE ? f : NULL;
}

char **incident_field_text(struct incident *inc, const struct field_def *f)
{
	return (char **)(void *)((char *)inc + f->offset);
}

int *incident_field_int(struct incident *inc, const struct field_def *f)
{
	return (int *)(void *)((char *)inc + f->offset);
}

int64_t *incident_field_int64(struct incident *inc, const struct field_def *f)
{
	return (int64_t *)(void *)((char *)inc + f->offset);
}

static const void *member(const struct incident *inc, const struct field_def *f)
{
	return (const char *)inc + f->offset;
}

const char *incident_field_get_text(const struct incident *inc, const struct field_def *f)
{
	return *(char *const *)member(inc, f);
}

int incident_field_get_int(const struct incident *inc, const struct field_def *f)
{
	return *(const int *)member(inc, f);
}

int64_t incident_field_get_int64(const struct incident *inc, const struct field_def *f)
{
	return *(const int64_t *)member(inc, f);
}

/* The name a vocabulary field holds; NULL for none, or for another kind. */
static const char *vocab_value(int kind, int v)
{
	switch (kind) {
	case FK_STAGE: return stage_name(v);
	case FK_SEVERITY: return severity_name(v);
	case FK_RESOLUTION: return v > RES_NONE ? resolution_name(v) : NULL;
	}
	return NULL;
}

int incident_field_value(const struct incident *inc, const struct field_def *f,
			 char *buf, size_t n, struct expr_value *out)
{
	const char *s;

	switch (field_kind_storage(f->kind)) {
	case FST_NONE:
		s = incident_key(inc->id, buf, (unsigned)n);
		break;
	case FST_TEXT:
		s = incident_field_get_text(inc, f);
		break;
	case FST_INT:
		if (f->kind == FK_STAGE || f->kind == FK_SEVERITY || f->kind == FK_RESOLUTION) {
			s = vocab_value(f->kind, incident_field_get_int(inc, f));
			break;
		}
		if (f->kind == FK_FLAG) {
			expr_value_set_bool(out, incident_field_get_int(inc, f));
			return 0;
		}
		expr_value_set_num(out, incident_field_get_int(inc, f));
		return 0;
	case FST_INT64:
		if (f->kind == FK_TIME && !incident_field_get_int64(inc, f))
			break;
		expr_value_set_num(out, (double)incident_field_get_int64(inc, f));
		return 0;
	}
	if (field_kind_storage(f->kind) == FST_INT64 || !s || !*s) {
		out->type = EXPR_NULL;
		return 1;
	}
	expr_value_set_str(out, s);
	return 0;
}

void incident_json(struct jsonw *w, const struct incident *inc)
{
	int times = 0;
	char key[24];

	for (const struct field_def *f = incident_fields; f->name; f++) {
		if ((f->kind == FK_TIME) != times) {
			if ((times = !times)) {
				jsonw_key(w, "times");
				jsonw_obj_begin(w);
			} else {
				jsonw_obj_end(w);
			}
		}
		jsonw_key(w, f->name);
		switch (field_kind_storage(f->kind)) {
		case FST_NONE:
			jsonw_str(w, incident_key(inc->id, key, sizeof key));
			break;
		case FST_TEXT: {
			/* An empty text is a field not set: null, as irk(1) says
			 * (a summary nobody wrote is stored as ""). */
			const char *v = incident_field_get_text(inc, f);
			jsonw_str(w, v && *v ? v : NULL);
			break;
		}
		case FST_INT:
			if (f->kind == FK_STAGE || f->kind == FK_SEVERITY || f->kind == FK_RESOLUTION)
				jsonw_str(w, vocab_value(f->kind, incident_field_get_int(inc, f)));
			else if (f->kind == FK_FLAG)
				jsonw_bool(w, incident_field_get_int(inc, f));
			else
				jsonw_int(w, incident_field_get_int(inc, f));
			break;
		case FST_INT64:
			if (f->kind == FK_TIME)
				jsonw_time(w, incident_field_get_int64(inc, f));
			else
				jsonw_int(w, incident_field_get_int64(inc, f));
			break;
		}
	}
	if (times)
		jsonw_obj_end(w);
}
