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
#include "irk/model.h"
#include "irk/store.h"
#include "irk/strbuf.h"

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

static int collect_text(const struct outbox_row *o, void *arg)
{
	strbuf_printf(arg, "%s;", o->text);
	return 0;
}

/* The messages of notify steps a person sees on the board: to their name,
 * their role or a role below it; what is new is what came after the last
 * they saw, per person, and seeing never goes back. */
Test(store_steps, a_persons_messages_and_what_is_new)
{
	struct store *s = tmp_store("inbox.db");
	struct irk_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *to[][2] = { { "alice", "to alice" }, { "role:senior", "to seniors" },
		{ "role:analyst", "to analysts" }, { "bob", "to bob" }, { "role:admin", "to admins" } };
	int64_t newest, first;

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	for (size_t i = 0; i < sizeof to / sizeof *to; i++)
		cr_assert_eq(store_outbox_add(s, 0, 0, to[i][0], to[i][1], 100 + (int64_t)i, NULL, &err),
			     IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);

	cr_assert_eq(store_inbox_each(s, "alice", ROLE_ANALYST, 0, collect_text, &sb, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&sb), "to analysts;to alice;");
	strbuf_reset(&sb);
	cr_assert_eq(store_inbox_each(s, "bob", ROLE_SENIOR, 0, collect_text, &sb, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&sb), "to bob;to analysts;to seniors;");
	strbuf_reset(&sb);
	cr_assert_eq(store_inbox_each(s, "root", ROLE_ADMIN, 2, collect_text, &sb, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&sb), "to admins;to analysts;", "newest first, at most 2");

	cr_assert_eq(store_inbox_unseen(s, "alice", ROLE_ANALYST, &newest, &err), 2);
	first = newest;
	cr_assert_eq(store_inbox_seen(s, "alice", newest, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_inbox_unseen(s, "alice", ROLE_ANALYST, &newest, &err), 0);
	cr_assert_eq(store_inbox_unseen(s, "bob", ROLE_SENIOR, NULL, &err), 3, "bob's are his own");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_outbox_add(s, 0, 0, "role:analyst", "later", 200, NULL, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_inbox_unseen(s, "alice", ROLE_ANALYST, &newest, &err), 1);
	cr_assert_gt(newest, first);
	cr_assert_eq(store_inbox_seen(s, "alice", first - 1, &err), IRK_OK);
	cr_assert_eq(store_inbox_unseen(s, "alice", ROLE_ANALYST, NULL, &err), 1, "seen never goes back");
	strbuf_free(&sb);
	store_close(&s);
}
