/* test_store_plans.c: every statement the store prepares finds its rows
 * through an index when it is given a key. The query plan (EXPLAIN QUERY
 * PLAN, on a database made by this irk, with parameters bound) of each
 * statement of STORE_STMTS may not scan the whole of incidents, alerts,
 * steps or events: a SCAN of the table, or of an index that holds every
 * row of it. Scanning a partial index is allowed: it holds only what the
 * query asks for (open incidents, waiting steps) and never grows with
 * the rest of the table. The few statements that read a whole table by
 * design are listed below with why, and with how many parameters they
 * take: one that gains a key (an incident, a stage) fails again.
 *
 * `(?1 = 0 OR incident_id = ?1)` was such a statement: the audit trail of
 * one incident (irk show, the incident screen) read the whole log, 69-77
 * ms on a storm's database against 5 ms for the indexed form. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "irk/strbuf.h"
#include "../../src/store/internal.h"   /* the statements and the connection */
#include "helpers/tmpstore.h"

static void fini(void) { tmp_cleanup(); }
TestSuite(store_plans, .fini = fini);

#define X_ROW(id, sql) { id, #id, sql },
static const struct { enum store_stmt id; const char *name, *sql; } stmts[] = {
	STORE_STMTS(X_ROW)
};
#undef X_ROW

/* Whole-table reads by design: the statement, the parameters it uses at
 * most (so a key added later is caught), and why. */
static const struct { enum store_stmt id; int params; const char *why; } whole[] = {
	{ ST_INC_EACH, 4, "irk list --all: every incident of every stage, filtered by owner or unit" },
	{ ST_INC_CARDS, 4, "irk list --all, as cards" },
	{ ST_INC_COUNT_ALL, 0, "count(*): sqlite counts the pages of the smallest index" },
	{ ST_EVENT_LAST, 0, "the newest event: the rowid read backwards, one row" },
	{ ST_EVENT_ALL, 0, "irk audit verify reads the whole chain" },
	{ ST_EVENT_EACH, 1, "irk audit log: the newest ?2 events, the rowid read backwards" },
	{ ST_KPI_INC_ALL, 2, "irk kpi over (nearly) every incident: the table in rowid order, "
	  "faster than the detection index it uses for a shorter period (ST_KPI_INC_RANGE)" },
	{ ST_KPI_STEPS_ALL, 2, "the steps of (nearly) every incident for the KPIs, in rowid order; "
	  "ST_KPI_STEPS_RANGE for a shorter period" },
};

static const char *const big[] = { "incidents", "alerts", "steps", "events" };

/* The table a plan line's name stands for: one of big[] by name, or by an
 * alias the statement gives it ("steps s"); NULL for any other. */
static const char *table_of(const char *sql, const char *name, size_t len)
{
	char pat[64];

	for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
		if (strlen(big[i]) == len && !strncmp(big[i], name, len))
			return big[i];
		snprintf(pat, sizeof pat, "%s %.*s ", big[i], (int)len, name);
		if (strstr(sql, pat))
			return big[i];
		snprintf(pat, sizeof pat, "%s AS %.*s ", big[i], (int)len, name);
		if (strstr(sql, pat))
			return big[i];
	}
	return NULL;
}

/* Nonzero when index is a partial index (its CREATE has a WHERE). */
static int partial(sqlite3 *db, const char *index)
{
	sqlite3_stmt *q;
	int p = 0;

	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT coalesce(sql LIKE '% WHERE %', 0) "
		"FROM sqlite_schema WHERE type = 'index' AND name = ?1", -1, &q, NULL), SQLITE_OK,
		"%s", sqlite3_errmsg(db));
	sqlite3_bind_text(q, 1, index, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW)
		p = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return p;
}

/* The full scans of big tables in the plan of sql (with every parameter
 * bound to a representative value), one per line into out; the plan
 * itself into plan. Returns the parameters the statement uses. */
static int full_scans(sqlite3 *db, const char *sql, struct strbuf *out, struct strbuf *plan)
{
	struct strbuf q = STRBUF_INIT;
	sqlite3_stmt *st;
	int used = 0;

	strbuf_printf(&q, "EXPLAIN QUERY PLAN %s", sql);
	cr_assert_eq(sqlite3_prepare_v2(db, strbuf_str(&q), -1, &st, NULL), SQLITE_OK, "%s: %s",
		     sql, sqlite3_errmsg(db));
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		if (!sqlite3_bind_parameter_name(st, i))
			continue;
		used++;
		/* An id, a stage, a time: 1 is each of them as sqlite plans. */
		sqlite3_bind_int64(st, i, 1);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3), *name, *idx;
		size_t len;
		const char *t;
		strbuf_printf(plan, "    %s\n", d);
		if (strncmp(d, "SCAN ", 5))
			continue;
		name = d + 5;
		len = strcspn(name, " ");
		if (!(t = table_of(sql, name, len)))
			continue;
		if ((idx = strstr(name, " INDEX "))) {
			char index[128];
			snprintf(index, sizeof index, "%.*s", (int)strcspn(idx + 7, " "), idx + 7);
			if (partial(db, index))
				continue;
		}
		strbuf_printf(out, "%s\n", d);
	}
	sqlite3_finalize(st);
	strbuf_free(&q);
	return used;
}

static int whole_at(enum store_stmt id)
{
	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
		if (whole[i].id == id)
			return (int)i;
	return -1;
}

Test(store_plans, no_statement_scans_a_whole_table_for_a_key)
{
	struct store *s = tmp_store("irk.db");
	struct strbuf bad = STRBUF_INIT;
	size_t checked = 0;

	for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
		struct strbuf scans = STRBUF_INIT, plan = STRBUF_INIT;
		int used = full_scans(s->db, stmts[i].sql, &scans, &plan), w = whole_at(stmts[i].id);

		checked++;
		if (w >= 0 && used > whole[w].params)
			strbuf_printf(&bad, "%s reads a whole table by design (%s) but now takes %d "
				      "parameters, not %d: a key? Use an index for it.\n%s",
				      stmts[i].name, whole[w].why, used, whole[w].params,
				      strbuf_str(&plan));
		else if (w < 0 && scans.len)
			strbuf_printf(&bad, "%s scans a whole table:\n%s  SQL: %s\n", stmts[i].name,
				      strbuf_str(&plan), stmts[i].sql);
		strbuf_free(&scans);
		strbuf_free(&plan);
	}
	cr_assert_eq(checked, (size_t)ST_COUNT);
	cr_assert_eq(bad.len, 0, "%s", strbuf_str(&bad));
	strbuf_free(&bad);
	store_close(&s);
}

/* The list above is not a blanket: each of its statements does scan (a
 * statement that stopped needing it leaves the list). */
Test(store_plans, the_whole_table_reads_are_still_whole)
{
	struct store *s = tmp_store("irk.db");

	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
		struct strbuf scans = STRBUF_INIT, plan = STRBUF_INIT;
		full_scans(s->db, stmts[whole[i].id].sql, &scans, &plan);
		cr_expect(scans.len, "%s no longer scans; take it off the list:\n%s",
			  stmts[whole[i].id].name, strbuf_str(&plan));
		strbuf_free(&scans);
		strbuf_free(&plan);
	}
	store_close(&s);
}

/* The reads of irk show and the incident screen, by what they run: the
 * audit trail of one incident comes from events_incident. */
Test(store_plans, one_incidents_audit_trail_uses_its_index)
{
	struct store *s = tmp_store("irk.db");
	struct strbuf scans = STRBUF_INIT, plan = STRBUF_INIT;

	full_scans(s->db, stmts[ST_EVENT_EACH_INC].sql, &scans, &plan);
	cr_assert(strstr(strbuf_str(&plan), "USING INDEX events_incident (incident_id=?)"), "%s",
		  strbuf_str(&plan));
	cr_assert_eq(scans.len, 0, "%s", strbuf_str(&plan));
	strbuf_free(&scans);
	strbuf_free(&plan);
	store_close(&s);
}
