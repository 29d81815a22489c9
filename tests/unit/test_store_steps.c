/* test_store_steps.c: the engine's part of the schema (src/store/steps.c
 * and migration 2): a database made before it is migrated in place with
 * its running plays kept and the incidents the planner had not seen yet
 * marked. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/tmpstore.h"
#include "irk/clock.h"
#include "irk/store.h"

static void fini(void)
{
	tmp_cleanup();
}

TestSuite(store_steps, .fini = fini);

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql,
		     msg ? msg : "?");
}

/* A database as irk wrote it with schema 1: incident 1 seen by the
 * planner at its version, incident 2 moved since, incident 3 without a
 * play. */
Test(store_steps, a_schema_1_database_is_migrated_with_what_the_planner_missed)
{
	char *path = tmp_path("old.db");
	struct store *s = tmp_store("old.db");
	struct irk_err err = { 0 };
	struct tmp_ids ids = { { 0 }, 0 };
	sqlite3 *raw;

	store_close(&s);
	tmp_schema_1(path);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	raw_exec(raw, "INSERT INTO plays VALUES ('h1', 'p', '1', 'P', '/p.json', '{}', 1);"
		 "INSERT INTO incidents(id, title, t_detected, t_updated, play, version)"
		 "  VALUES (1, 'a', 1, 1, 'p', 4), (2, 'b', 1, 1, 'p', 6), (3, 'c', 1, 1, NULL, 2);"
		 "INSERT INTO play_runs(incident_id, play_id, hash, seen_version)"
		 "  VALUES (1, 'p', 'h1', 4), (2, 'p', 'h1', 5);"
		 "INSERT INTO steps(incident_id, step_id, seq, kind, stage, state)"
		 "  VALUES (1, 'x', 0, 'exec', 'new', 'ready');");
	sqlite3_close(raw);

	cr_assert_eq(store_open(&s, path, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	cr_assert_eq(store_play_run_stale(s, 0, tmp_collect_id, &ids, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(ids.n, 1, "one incident moved since the planner looked");
	cr_assert_eq(ids.v[0], 2);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM play_runs"), 2, "running plays kept");
	cr_assert_eq(store_step_next_due(s, 0), 0);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_play_run_seen(s, 2, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	ids.n = 0;
	cr_assert_eq(store_play_run_stale(s, 0, tmp_collect_id, &ids, &err), IRK_OK);
	cr_assert_eq(ids.n, 0);
	store_close(&s);
	free(path);
}
