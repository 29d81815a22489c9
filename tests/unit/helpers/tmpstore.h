/* tmpstore.h: private temporary directories and databases for unit tests.
 *
 * Criterion runs every test in its own process, so each test gets its own
 * directory (created on first use, under $TMPDIR) and removes it in its
 * .fini with tmp_cleanup(). Paths returned here are owned by the caller. */
#ifndef IRK_TEST_TMPSTORE_H
#define IRK_TEST_TMPSTORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* This test's private directory (created on first call). Borrowed. */
const char *tmp_dir(void);
/* name inside tmp_dir(). Caller frees. */
char *tmp_path(const char *name);
/* Write data[0..n) to name inside tmp_dir() with the given mode; returns
 * the path (caller frees). */
char *tmp_write(const char *name, const void *data, size_t n, unsigned mode);
/* Open (creating) the database name inside tmp_dir(); the test fails when
 * that does not work. Close with store_close(). */
struct store *tmp_store(const char *name);
/* The samples folder sub ("alerts", "cacao") kept outside the repo: in
 * $IRK_SAMPLES, else ../shared/samples from the repo root (or
 * ../../shared/samples from a worktree in wt/NAME), into buf; NULL when
 * there is none. */
const char *tmp_samples_dir(const char *sub, char *buf, size_t n);
/* Remove the directory and everything in it. */
void tmp_cleanup(void);

/* Turn the (closed) database at path, made by this irk, into one as
 * schema 1 had it: every later migration undone, user_version 1. For
 * tests of the migrations; add the undoing of each new one here. */
void tmp_schema_1(const char *path);
/* The same as schema 9 had it (migration 10 undone): steps carry their
 * definitions, CHECKs hold IN lists, user_version 9. */
void tmp_schema_9(const char *path);
/* SQL that undoes XMPP's migration (16): first, before TMP_UNDO_STORM. */
#define TMP_UNDO_XMPP \
	"DROP INDEX users_jid; ALTER TABLE users DROP COLUMN jid;" \
	"ALTER TABLE outbox DROP COLUMN next_try; DROP TABLE leases; DROP TABLE watches;"
/* SQL that undoes storm grouping's migrations (13, and 18's index), first: before
 * tmp_schema_9() builds the incidents table of schema 9 again, and in a
 * test that takes a database back to an older schema by hand. */
#define TMP_UNDO_STORM \
	/* migration 18: the storms' index */ \
	"DROP INDEX incidents_storms;" \
	/* migration 13: storm grouping */ \
	"DROP INDEX incidents_storm; DROP INDEX incidents_rule_opened;" \
	"DROP INDEX incidents_open; ALTER TABLE incidents DROP COLUMN storm;" \
	"CREATE INDEX incidents_open ON incidents(priority, t_detected, id, stage, severity," \
	"  owner, business_unit, t_acknowledged, t_contained, title) WHERE stage <> 'closed';"

/* Ids handed out by the store's id callbacks (store_play_run_stale()...):
 * give tmp_collect_id as fn and a struct tmp_ids as arg. */
#define TMP_IDS_MAX 64
struct tmp_ids {
	int64_t v[TMP_IDS_MAX];
	int n;
};
int tmp_collect_id(int64_t id, void *arg);

/* A small deterministic PRNG (xorshift64*), so failures reproduce. */
uint64_t tmp_rand(uint64_t *state);

#endif
