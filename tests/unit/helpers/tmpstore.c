/* tmpstore.c: see tmpstore.h. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/store.h"
#include "tmpstore.h"

static char dir[4096];

const char *tmp_dir(void)
{
	const char *base = getenv("TMPDIR");

	if (dir[0])
		return dir;
	snprintf(dir, sizeof dir, "%s/irk-unit.XXXXXX", base && *base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s failed", dir);
	return dir;
}

char *tmp_path(const char *name)
{
	char *p;

	cr_assert(asprintf(&p, "%s/%s", tmp_dir(), name) > 0);
	return p;
}

char *tmp_write(const char *name, const void *data, size_t n, unsigned mode)
{
	char *p = tmp_path(name);
	int fd;

	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0, "cannot create %s", p);
	cr_assert_eq(write(fd, data, n), (ssize_t)n);
	cr_assert_eq(fchmod(fd, (mode_t)mode), 0);
	close(fd);
	return p;
}

struct store *tmp_store(const char *name)
{
	struct store *s = NULL;
	struct irk_err err = { 0 };
	char *p = tmp_path(name);

	cr_assert_eq(store_open(&s, p, STORE_CREATE, &err), IRK_OK,
		     "store_open %s: %s", p, err.msg);
	free(p);
	return s;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tmp_cleanup(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
}

/* Build table t again from the statement create (schema 9's), rows and
 * indexes and triggers kept. */
#define REBUILD7(t, create) \
	"CREATE TEMP TABLE keep_" t " AS SELECT sql FROM sqlite_master WHERE tbl_name = '" t "'" \
	"  AND type IN ('index', 'trigger') AND sql IS NOT NULL;" \
	create ";" \
	"INSERT INTO " t "7 SELECT * FROM " t ";" \
	"DROP TABLE " t "; ALTER TABLE " t "7 RENAME TO " t ";"

void tmp_schema_9(const char *path)
{
	static const char undo[] =
		TMP_UNDO_STORM
		/* migration 10: steps keep their own definitions... */
		"UPDATE steps SET def = coalesce((SELECT ps.def FROM play_runs pr JOIN play_steps ps"
		"  ON ps.hash = pr.hash AND ps.step_id = steps.step_id"
		"  WHERE pr.incident_id = steps.incident_id), '{}') WHERE def IS NULL;"
		"DROP TABLE play_steps;"
		/* ...and the CHECKs hold IN lists */
		REBUILD7("users", "CREATE TABLE users7(name TEXT PRIMARY KEY,"
			 "  role TEXT NOT NULL CHECK (role IN ('analyst', 'senior', 'admin')),"
			 "  created INTEGER NOT NULL, created_by TEXT NOT NULL)")
		REBUILD7("incidents", "CREATE TABLE incidents7(id INTEGER PRIMARY KEY,"
			 "  title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',"
			 "  stage TEXT NOT NULL DEFAULT 'new' CHECK (stage IN ('new', 'identification',"
			 "    'containment', 'eradication', 'recovery', 'lessons-learned', 'closed')),"
			 "  severity TEXT NOT NULL DEFAULT 'medium'"
			 "    CHECK (severity IN ('low', 'medium', 'high', 'critical')),"
			 "  priority INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),"
			 "  confidence INTEGER NOT NULL DEFAULT 50 CHECK (confidence BETWEEN 0 AND 100),"
			 "  category TEXT, vector TEXT, threat_source TEXT, root_cause TEXT,"
			 "  business_unit TEXT, owner TEXT, play TEXT, play_version TEXT,"
			 "  resolution TEXT CHECK (resolution IN ('true-positive', 'false-positive',"
			 "    'duplicate', 'benign')),"
			 "  rule TEXT, host TEXT, src_ip TEXT,"
			 "  asset_criticality INTEGER NOT NULL DEFAULT 0 CHECK (asset_criticality BETWEEN 0 AND 4),"
			 "  t_first_event INTEGER, t_last_event INTEGER, t_detected INTEGER NOT NULL,"
			 "  t_acknowledged INTEGER, t_contained INTEGER, t_resolved INTEGER, t_closed INTEGER,"
			 "  t_updated INTEGER NOT NULL, reopen_count INTEGER NOT NULL DEFAULT 0,"
			 "  back_moves INTEGER NOT NULL DEFAULT 0, effort_min INTEGER NOT NULL DEFAULT 0,"
			 "  alert_count INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1,"
			 "  updated_by TEXT)")
		REBUILD7("steps", "CREATE TABLE steps7(id INTEGER PRIMARY KEY,"
			 "  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
			 "  step_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,"
			 "  stage TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',"
			 "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready',"
			 "    'running', 'waiting', 'done', 'failed', 'skipped')),"
			 "  required INTEGER NOT NULL DEFAULT 0, assignee TEXT,"
			 "  attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_until INTEGER,"
			 "  t_start INTEGER, t_end INTEGER, output TEXT, error TEXT,"
			 "  def TEXT NOT NULL DEFAULT '{}', retry INTEGER NOT NULL DEFAULT 0,"
			 "  next_attempt INTEGER, inputs TEXT, log TEXT, requested_by TEXT,"
			 "  done_by TEXT, reason TEXT, checks TEXT,"
			 "  UNIQUE (incident_id, step_id))")
		REBUILD7("outbox", "CREATE TABLE outbox7(id INTEGER PRIMARY KEY,"
			 "  at INTEGER NOT NULL, incident_id INTEGER REFERENCES incidents(id),"
			 "  step INTEGER REFERENCES steps(id), recipient TEXT NOT NULL, text TEXT NOT NULL,"
			 "  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),"
			 "  attempts INTEGER NOT NULL DEFAULT 0, t_sent INTEGER, error TEXT)")
		"PRAGMA user_version = 9;";
	sqlite3 *raw;
	char *msg = NULL;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, TMP_UNDO_XMPP, NULL, NULL, &msg), SQLITE_OK, "%s: %s", path,
		     msg ? msg : "?");
	cr_assert_eq(sqlite3_exec(raw, undo, NULL, NULL, &msg), SQLITE_OK, "%s: %s", path,
		     msg ? msg : "?");
	/* The indexes and triggers, made again from their own statements. */
	cr_assert_eq(sqlite3_prepare_v2(raw, "SELECT sql FROM temp.keep_users UNION ALL "
					"SELECT sql FROM temp.keep_incidents UNION ALL "
					"SELECT sql FROM temp.keep_steps UNION ALL "
					"SELECT sql FROM temp.keep_outbox", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		cr_assert_eq(sqlite3_exec(raw, (const char *)sqlite3_column_text(st, 0), NULL, NULL,
					  &msg), SQLITE_OK, "%s", msg ? msg : "?");
	sqlite3_finalize(st);
	sqlite3_close(raw);
}

void tmp_schema_1(const char *path)
{
	static const char undo[] =
		/* migration 12: the asset inventory and the context cache */
		"DROP TABLE assets; DROP TABLE asset_ips; DROP TABLE context_cache;"
		"DROP TABLE context_health; DROP INDEX incidents_critical;"
		/* migration 11: the KPIs' index on detection, their snapshots */
		"DROP INDEX incidents_detected; DROP TABLE kpi_snapshots;"
		/* migration 9: the rule history's index */
		"DROP INDEX incidents_rule;"
		/* migration 8: sensor events kept for context */
		"DROP TABLE sensor_events;"
		/* migration 7: the audit log's typed columns and canonical form */
		"CREATE TABLE events_untyped(seq INTEGER PRIMARY KEY,"
		"  at INTEGER NOT NULL, actor TEXT NOT NULL, uid INTEGER NOT NULL,"
		"  incident_id INTEGER, kind TEXT NOT NULL, data TEXT NOT NULL,"
		"  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
		"INSERT INTO events_untyped SELECT seq, at, actor, uid, incident_id, kind, data,"
		"  prev_hash, hash FROM events;"
		"DROP TABLE events; ALTER TABLE events_untyped RENAME TO events;"
		"CREATE INDEX events_incident ON events(incident_id, seq)"
		"  WHERE incident_id IS NOT NULL;"
		"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
		"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
		"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
		"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
		/* migration 6: what each person has read of the messages */
		"DROP TABLE outbox_seen; DROP INDEX outbox_recipient;"
		/* migration 5: the open incidents' covering index */
		"DROP INDEX incidents_open;"
		"CREATE INDEX incidents_open ON incidents(priority, t_detected, id)"
		"  WHERE stage <> 'closed';"
		/* migration 4: one quarantine row per source, line and content */
		"DROP INDEX quarantine_once; ALTER TABLE quarantine DROP COLUMN hash;"
		/* migration 3: the engine's partial indexes, the planner's marks */
		"DROP TRIGGER incidents_plan_stale; DROP INDEX play_runs_stale;"
		"DROP INDEX steps_ready; DROP INDEX steps_running; DROP INDEX steps_person;"
		"ALTER TABLE play_runs DROP COLUMN stale;"
		"ALTER TABLE play_runs ADD COLUMN seen_version INTEGER NOT NULL DEFAULT 0;"
		"CREATE INDEX steps_state ON steps(state, lease_until);"
		"CREATE INDEX steps_due ON steps(state, coalesce(next_attempt, 0), id);"
		/* migration 2: checklist ticks */
		"ALTER TABLE steps DROP COLUMN checks;"
		"PRAGMA user_version = 1;";
	sqlite3 *raw;
	char *msg = NULL;

	tmp_schema_9(path);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, undo, NULL, NULL, &msg), SQLITE_OK, "%s: %s", path,
		     msg ? msg : "?");
	sqlite3_close(raw);
}

int tmp_collect_id(int64_t id, void *arg)
{
	struct tmp_ids *ids = arg;

	cr_assert_lt(ids->n, TMP_IDS_MAX, "more ids than a test expects");
	ids->v[ids->n++] = id;
	return 0;
}

uint64_t tmp_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

const char *tmp_samples_dir(const char *sub, char *buf, size_t n)
{
	const char *base = getenv("IRK_SAMPLES");
	/* The repo's sibling, or, from a worktree in wt/NAME, its parent's. */
	static const char *const bases[] = { "../shared/samples", "../../shared/samples" };
	struct stat st;

	for (size_t i = 0; i < (base && *base ? 1 : 2); i++) {
		snprintf(buf, n, "%s/%s", base && *base ? base : bases[i], sub);
		if (!stat(buf, &st) && S_ISDIR(st.st_mode))
			return buf;
	}
	return NULL;
}
