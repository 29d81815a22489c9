/* alert_testlib.h: reading JSON Lines fixtures and checking parsed alerts,
 * for the test_alert*.c files. Header-only (static) because the Makefile
 * builds each test_*.c into its own binary. Tests run from the repo root. */
#ifndef IRK_ALERT_TESTLIB_H
#define IRK_ALERT_TESTLIB_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/alert_parse.h"
#include "irk/jdoc.h"
#include "irk/model.h"

#define FIXTURES "tests/fixtures/alerts/"

/* One record: its text, its JSON as jansson (for tests that edit it), as
 * jdoc (what the parsers read and the alert borrows from), and the outcome
 * of parsing it. */
struct rec {
	char *raw;
	json_t *root;
	struct jdoc doc;
	struct alert a;
	struct irk_err err;
	int rc;
};

/* Line n (1-based) of a file without its newline; caller frees. NULL when
 * the file has fewer lines. */
static inline char *testlib_line(const char *path, int n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = -1;

	cr_assert(f != NULL, "cannot open %s (tests run from the repo root)",
		  path);
	for (int i = 0; i < n; i++)
		if ((len = getline(&line, &cap, f)) < 0)
			break;
	fclose(f);
	if (len < 0) {
		free(line);
		return NULL;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	return line;
}

/* Parse text as format fmt (FMT_AUTO allowed) into r. */
static inline void testlib_parse_text(struct rec *r, int fmt, const char *text,
		const struct alert_mapping *map)
{
	json_error_t je;
	struct jdoc_error de;

	memset(r, 0, sizeof *r);
	r->raw = strdup(text);
	r->root = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	cr_assert(r->root != NULL, "bad JSON in test input: %s", je.text);
	jdoc_init(&r->doc);
	cr_assert_eq(jdoc_parse(&r->doc, r->raw, strlen(r->raw), &de), 0,
		     "jdoc refused test input at %zu: %s", de.offset, de.msg);
	r->rc = alert_parse(fmt, &r->doc, r->raw, strlen(r->raw), map, &r->a,
			    &r->err);
}

/* Parse line n of a fixture file (name relative to FIXTURES). */
static inline void testlib_parse(struct rec *r, int fmt, const char *file,
		int n, const struct alert_mapping *map)
{
	char path[256];
	char *line;

	snprintf(path, sizeof path, FIXTURES "%s", file);
	line = testlib_line(path, n);
	cr_assert(line != NULL, "%s has no line %d", path, n);
	testlib_parse_text(r, fmt, line, map);
	free(line);
}

static inline void testlib_free(struct rec *r)
{
	json_decref(r->root);
	jdoc_free(&r->doc);
	free(r->raw);
	r->root = NULL;
	r->raw = NULL;
}

static inline int testlib_has_obs(const struct alert *a, int type,
		const char *value)
{
	for (int i = 0; i < a->nobs; i++)
		if (a->obs[i].type == type && !strcmp(a->obs[i].value, value))
			return 1;
	return 0;
}

/* A string field equals want (and is not NULL). */
#define expect_str(got, want) do { \
	const char *got_ = (got); \
	cr_assert(got_ != NULL, "%s is NULL, want '%s'", #got, (want)); \
	cr_assert_str_eq(got_, (want), "%s is '%s', want '%s'", #got, got_, \
			 (want)); \
} while (0)

#define expect_obs(a, type, value) \
	cr_assert(testlib_has_obs((a), (type), (value)), \
		  "no %s observable '%s'", obs_type_name(type), (value))

#define expect_ok(r) \
	cr_assert_eq((r)->rc, IRK_OK, "rejected: %s", (r)->err.msg)

#define expect_rejected(r, needle) do { \
	cr_assert_eq((r)->rc, IRK_INVALID, "accepted, want a rejection"); \
	cr_assert(strstr((r)->err.msg, (needle)) != NULL, \
		  "reason '%s' does not name '%s'", (r)->err.msg, (needle)); \
} while (0)

/* A record of the format that is not an alert: skipped, with what it is. */
#define expect_skipped(r, needle) do { \
	cr_assert_eq((r)->rc, IRK_SKIPPED, "rc %d, want IRK_SKIPPED (%s)", (r)->rc, (r)->err.msg); \
	cr_assert(strstr((r)->err.msg, (needle)) != NULL, \
		  "reason '%s' does not name '%s'", (r)->err.msg, (needle)); \
} while (0)

#define expect_sev(a, want) \
	cr_assert_eq((a)->severity, (want), "severity %s, want %s", \
		     severity_name((a)->severity), severity_name(want))

#endif
