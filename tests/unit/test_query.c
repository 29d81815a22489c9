/* test_query.c: the query language over a fixture small enough to check by
 * hand (a real sqlite file made by the store; rows put in with plain SQL).
 *
 * incidents                      (id title stage severity priority owner detected)
 *   1 A new         high     2 dana 1000
 *   2 B closed      low      4 -    2000
 *   3 C containment critical 1 chen 90000
 * alerts (id time rule severity host src_ip raw incident)
 *   1 100    SSH brute  low      web-01 10.0.0.1 {"alert":{"signature_id":2001,"sig":"a"}} 1
 *   2 200    SSH brute  medium   web-01 10.0.0.2 {"alert":{"signature_id":2001}}           1
 *   3 86500  SSH brute  high     web-02 10.0.0.1 {"alert":{"signature_id":2002}}           3
 *   4 86600  Port scan  high     db-01  10.0.0.3 {"alert":{"signature_id":3000},"note":"x"} 3
 *   5 172900 Port scan  critical -      10.0.0.3 {}                                         -
 *   6 173000 O'Reilly; DROP TABLE alerts;--  low  web-01 10.0.0.9 {"a":"b"}              2
 * now = 173100. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/tmpstore.h"
#include "irk/jsonw.h"
#include "irk/query.h"
#include "irk/store.h"

#define NOW 173100

static char *db_path;

static void fixture(void)
{
	struct store *s = tmp_store("q.db");
	sqlite3 *raw;
	const char *sql =
		"INSERT INTO incidents(id, title, stage, severity, priority, owner, t_detected, t_updated) VALUES"
		" (1, 'A', 'new', 'high', 2, 'dana', 1000, 1000),"
		" (2, 'B', 'closed', 'low', 4, NULL, 2000, 2000),"
		" (3, 'C', 'containment', 'critical', 1, 'chen', 90000, 90000);"
		"INSERT INTO alerts(id, fingerprint, format, event_time, received, rule_name, severity, host,"
		" src_ip, raw, incident_id) VALUES"
		" (1, x'01', 'eve', 100, 100, 'SSH brute', 'low', 'web-01', '10.0.0.1',"
		"  '{\"alert\":{\"signature_id\":2001,\"sig\":\"a\"}}', 1),"
		" (2, x'02', 'eve', 200, 200, 'SSH brute', 'medium', 'web-01', '10.0.0.2',"
		"  '{\"alert\":{\"signature_id\":2001}}', 1),"
		" (3, x'03', 'eve', 86500, 86500, 'SSH brute', 'high', 'web-02', '10.0.0.1',"
		"  '{\"alert\":{\"signature_id\":2002}}', 3),"
		" (4, x'04', 'eve', 86600, 86600, 'Port scan', 'high', 'db-01', '10.0.0.3',"
		"  '{\"alert\":{\"signature_id\":3000},\"note\":\"x\"}', 3),"
		" (5, x'05', 'eve', 172900, 172900, 'Port scan', 'critical', NULL, '10.0.0.3', '{}', NULL),"
		" (6, x'06', 'eve', 173000, 173000, 'O''Reilly; DROP TABLE alerts;--', 'low', 'web-01',"
		"  '10.0.0.9', '{\"a\":\"b\"}', 2);";

	db_path = xstrdup(store_path(s));
	store_close(&s);
	cr_assert_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	sqlite3_close(raw);
}

static void done(void)
{
	free(db_path);
	tmp_cleanup();
}

TestSuite(query, .init = fixture, .fini = done);

/* The query's result as compact JSON, with limits lim (NULL: none). */
static char *run_lim(const char *src, const struct query_limits *lim, int *limit)
{
	struct query_error qe;
	struct query *q = query_parse(src, NOW, &qe);
	struct store *s = NULL;
	struct query_result r;
	struct irk_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;

	cr_assert_not_null(q, "%s: %s", src, qe.msg);
	cr_assert_eq(store_open(&s, db_path, STORE_READONLY, &err), 0, "%s", err.msg);
	cr_assert_eq(query_run(s, q, lim, &r, &err), 0, "%s: %s", src, err.msg);
	jsonw_init(&w, &out, 0);
	query_result_json(&r, &w);
	if (limit)
		*limit = r.limit;
	query_result_free(&r);
	store_close(&s);
	query_free(&q);
	return strbuf_detach(&out);
}

static char *run(const char *src)
{
	return run_lim(src, NULL, NULL);
}

static void expect(const char *src, const char *json)
{
	char *got = run(src);

	cr_expect_str_eq(got, json, "%s: got %s", src, got);
	free(got);
}

static void refused(const char *src, const char *msg)
{
	struct query_error qe;
	struct query *q = query_parse(src, NOW, &qe);

	cr_expect_null(q, "%s was accepted", src);
	cr_expect_str_eq(qe.msg, msg, "%s", src);
	query_free(&q);
}

Test(query, stats_count_by)
{
	/* Alert 5 has no host: it belongs to no group. */
	expect("alerts | stats count by host",
	       "[{\"host\":\"db-01\",\"count\":1},{\"host\":\"web-01\",\"count\":3},"
	       "{\"host\":\"web-02\",\"count\":1}]");
}

Test(query, issue_example_ssh)
{
	expect("alerts rule_name ~ \"SSH\" | stats count by host | sort -count | head 10",
	       "[{\"host\":\"web-01\",\"count\":2},{\"host\":\"web-02\",\"count\":1}]");
}

Test(query, severity_by_rank)
{
	/* high, high, critical */
	expect("alerts severity >= \"high\" | stats count", "[{\"count\":3}]");
	expect("alerts severity != \"low\" && host != null | stats count", "[{\"count\":3}]");
}

Test(query, aggregates)
{
	/* dc of 10.0.0.1 .2 .3 .9; ids 1..6: sum 21, avg 3.5, median 3.5,
	 * p90 the 6th of 6 (nearest rank ceil(5.4)); times 100..173000. */
	expect("alerts | stats dc(src_ip) sum(id) avg(id) min(time) max(time) median(id) p90(id) "
	       "values(severity) first(host) last(host) as final",
	       "[{\"dc(src_ip)\":4,\"sum(id)\":21,\"avg(id)\":3.5,\"min(time)\":100,"
	       "\"max(time)\":173000,\"median(id)\":3.5,\"p90(id)\":6,"
	       "\"values(severity)\":\"critical, high, low, medium\",\"first(host)\":\"web-01\","
	       "\"final\":\"web-01\"}]");
}

Test(query, timechart)
{
	expect("alerts | timechart span=1d count",
	       "[{\"_time\":0,\"count\":2},{\"_time\":86400,\"count\":2},{\"_time\":172800,\"count\":2}]");
	expect("alerts rule_name == \"Port scan\" | timechart span=1d count by severity",
	       "[{\"_time\":86400,\"severity\":\"high\",\"count\":1},"
	       "{\"_time\":172800,\"severity\":\"critical\",\"count\":1}]");
}

Test(query, top_and_rare)
{
	/* 3 of 6 SSH brute, 2 Port scan, 1 O'Reilly. */
	expect("alerts | top 2 rule",
	       "[{\"rule\":\"SSH brute\",\"count\":3,\"percent\":50},"
	       "{\"rule\":\"Port scan\",\"count\":2,\"percent\":33.3333}]");
	expect("alerts | rare 1 rule",
	       "[{\"rule\":\"O'Reilly; DROP TABLE alerts;--\",\"count\":1,\"percent\":16.6667}]");
	/* Per incident: 1 has two SSH; 3 one SSH and one scan. */
	expect("alerts | top 1 rule by incident",
	       "[{\"incident\":1,\"rule\":\"SSH brute\",\"count\":2,\"percent\":100},"
	       "{\"incident\":2,\"rule\":\"O'Reilly; DROP TABLE alerts;--\",\"count\":1,\"percent\":100},"
	       "{\"incident\":3,\"rule\":\"Port scan\",\"count\":1,\"percent\":50}]");
}

Test(query, eval_where_table)
{
	expect("alerts | eval x = id * 2 + 1, y = if(id > 4, \"big\", \"small\"), "
	       "z = coalesce(host, \"none\") | where x > 9 | table id x y z",
	       "[{\"id\":5,\"x\":11,\"y\":\"big\",\"z\":\"none\"},"
	       "{\"id\":6,\"x\":13,\"y\":\"big\",\"z\":\"web-01\"}]");
	expect("alerts id == 1 | eval u = upper(host) + \"/\" + substr(src_ip, 4, 3), n = len(rule) "
	       "| table u n", "[{\"u\":\"WEB-01/0.0\",\"n\":9}]");
}

Test(query, issue_example_age)
{
	/* now 173100: A is 172100 s old, C 83100; B is closed. */
	expect("incidents stage != \"closed\" | eval age = now - detected | where age > 86400 "
	       "| table key title owner age",
	       "[{\"key\":\"IR-1\",\"title\":\"A\",\"owner\":\"dana\",\"age\":172100}]");
}

Test(query, sort_head_tail)
{
	expect("alerts | sort -time | head 2 | table id", "[{\"id\":6},{\"id\":5}]");
	expect("alerts | tail 2 | table id", "[{\"id\":5},{\"id\":6}]");
	/* Missing last, whichever way. */
	expect("alerts | sort host, -id | table id host",
	       "[{\"id\":4,\"host\":\"db-01\"},{\"id\":6,\"host\":\"web-01\"},{\"id\":2,\"host\":\"web-01\"},"
	       "{\"id\":1,\"host\":\"web-01\"},{\"id\":3,\"host\":\"web-02\"},{\"id\":5,\"host\":null}]");
}

Test(query, dedup_rename_fields)
{
	expect("alerts | dedup host | table id host",
	       "[{\"id\":1,\"host\":\"web-01\"},{\"id\":3,\"host\":\"web-02\"},{\"id\":4,\"host\":\"db-01\"},"
	       "{\"id\":5,\"host\":null}]");
	expect("alerts | rename host as machine | stats count by machine",
	       "[{\"machine\":\"db-01\",\"count\":1},{\"machine\":\"web-01\",\"count\":3},"
	       "{\"machine\":\"web-02\",\"count\":1}]");
	expect("alerts id == 4 | table id host rule | fields - rule", "[{\"id\":4,\"host\":\"db-01\"}]");
}

/* Bugs found on the way, one test each. */
Test(query, rename_to_a_source_name_is_not_that_field)
{
	/* Pushed down, `rule` would have been grouped as the rule's name. */
	expect("alerts | rename host as rule | stats count by rule",
	       "[{\"rule\":\"db-01\",\"count\":1},{\"rule\":\"web-01\",\"count\":3},"
	       "{\"rule\":\"web-02\",\"count\":1}]");
}

Test(query, stats_after_a_sort)
{
	/* The sort's ORDER BY named a raw column the grouping no longer has. */
	expect("alerts | sort -id | stats count by severity",
	       "[{\"severity\":\"critical\",\"count\":1},{\"severity\":\"high\",\"count\":2},"
	       "{\"severity\":\"low\",\"count\":2},{\"severity\":\"medium\",\"count\":1}]");
}

Test(query, fields_minus_on_the_source)
{
	/* It dropped from an empty table: no column at all. */
	expect("alerts id == 4 | fields - raw, src_ip, key, time",
	       "[{\"id\":4,\"rule\":\"Port scan\",\"severity\":\"high\",\"host\":\"db-01\"}]");
}

Test(query, rex)
{
	expect("alerts | rex field=rule \"^(?<first>[A-Za-z]+) (?<second>[a-z]+)\" | dedup first "
	       "| table first second",
	       "[{\"first\":\"SSH\",\"second\":\"brute\"},{\"first\":\"Port\",\"second\":\"scan\"},"
	       "{\"first\":null,\"second\":null}]");
}

Test(query, json_paths)
{
	/* A number against a JSON path runs in C: 2001 twice. */
	expect("alerts raw.alert.signature_id == 2001 | table id", "[{\"id\":1},{\"id\":2}]");
	expect("alerts | stats count by raw.alert.signature_id",
	       "[{\"raw.alert.signature_id\":2001,\"count\":2},{\"raw.alert.signature_id\":2002,\"count\":1},"
	       "{\"raw.alert.signature_id\":3000,\"count\":1}]");
	expect("alerts raw.note == \"x\" | table id", "[{\"id\":4}]");
}

Test(query, numbers_against_json_and_text_in_sql)
{
	struct query *q = query_parse("alerts raw.alert.signature_id >= 2002 | table id", NOW, NULL);
	char *sql = query_sql(q);

	cr_expect(strstr(sql, "irk_num(json_extract(raw, ?2)) >= ?1"), "%s", sql);
	free(sql);
	query_free(&q);
	expect("alerts raw.alert.signature_id >= 2002 | table id", "[{\"id\":3},{\"id\":4}]");
	expect("alerts | where raw.alert.signature_id >= 2002 | table id", "[{\"id\":3},{\"id\":4}]");
	/* != holds for a missing value and for text that is no number. */
	expect("alerts raw.alert.signature_id != 2001 | table id",
	       "[{\"id\":3},{\"id\":4},{\"id\":5},{\"id\":6}]");
	expect("alerts host != 5 | stats count", "[{\"count\":6}]");
	expect("alerts host == 5 | stats count", "[{\"count\":0}]");
}

Test(query, since_until)
{
	/* now - 1d = 86700: alerts 5 and 6. */
	expect("alerts since=-1d | table id", "[{\"id\":5},{\"id\":6}]");
	expect("alerts until=-1d | stats count", "[{\"count\":4}]");
}

/* Everything SQL does, C does the same: each query again with a stage
 * before it that keeps it out of SQL. */
Test(query, pushed_and_c_agree)
{
	static const char *const tails[] = {
		"stats count by host", "stats count dc(src_ip) min(id) max(id) sum(id) avg(id) by severity",
		"timechart span=1d count by host", "stats count by host | sort -count, host | head 2",
		"top 2 host", "sort -id | head 3 | table id", "stats count by raw.alert.signature_id",
	};

	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		char a[300], b[300];
		char *x, *y;

		snprintf(a, sizeof a, "alerts host != \"zz\" | %s", tails[i]);
		snprintf(b, sizeof b, "alerts host != \"zz\" | eval keep = 1 | %s", tails[i]);
		x = run(a);
		y = run(b);
		cr_expect_str_eq(x, y, "%s", tails[i]);
		free(x);
		free(y);
	}
}

Test(query, pushed_into_one_statement)
{
	struct query *q = query_parse("alerts rule_name ~ \"SSH\" since=-30d | stats count by host "
				      "| sort -count | head 10", NOW, NULL);
	char *sql = query_sql(q);

	cr_assert_not_null(sql);
	cr_expect(strstr(sql, "GROUP BY") && strstr(sql, "ORDER BY") && strstr(sql, "LIMIT"), "%s", sql);
	cr_expect(strstr(sql, "irk_regexp(") && strstr(sql, "event_time >="), "%s", sql);
	cr_expect_null(strstr(sql, "SSH"), "user text in SQL: %s", sql);
	free(sql);
	query_free(&q);
}

Test(query, injection_in_values)
{
	char *sql;
	struct query *q;

	expect("alerts host == \"x' OR 1=1 --\" | stats count", "[{\"count\":0}]");
	expect("alerts rule_name == \"O'Reilly; DROP TABLE alerts;--\" | table id", "[{\"id\":6}]");
	expect("alerts rule_name in [\"a\", \"') OR 1=1 --\"] | stats count", "[{\"count\":0}]");
	expect("alerts raw.a == \"b\\\" OR 1=1\" | stats count", "[{\"count\":0}]");
	/* And the table is still there. */
	expect("alerts | stats count", "[{\"count\":6}]");
	q = query_parse("alerts host == \"x' OR 1=1 --\" | stats count", NOW, NULL);
	sql = query_sql(q);
	cr_expect_null(strstr(sql, "OR 1=1"), "%s", sql);
	free(sql);
	query_free(&q);
}

Test(query, injection_in_field_names)
{
	refused("alerts | stats count by \"host; DROP TABLE alerts\"",
		"query:1:25: expected a field after 'by', found '\"host; DROP TABLE alerts\"'");
	refused("alerts | stats count by host--x", "query:1:25: unknown field 'host--x'");
	refused("alerts | table id,host)", "query:1:23: expected a field, found ')'");
	/* A path is bound, not written: any segment is only a key. */
	expect("alerts | stats count by raw.x-1", "[]");
	refused("alerts raw.x\") OR 1=1 -- == 1", "query:1:13: unterminated string");
}

Test(query, errors_point_at_the_character)
{
	refused("alerts | stat count", "query:1:10: unknown command 'stat' (did you mean 'stats'?)");
	refused("alerts hots == \"x\"", "query:1:8: unknown field 'hots' (did you mean 'host'?)");
	refused("alertz", "query:1:1: unknown source 'alertz' (did you mean 'alerts'?)");
	refused("alerts | stats cuont by host", "query:1:16: unknown aggregate 'cuont' (did you mean 'count'?)");
	refused("alerts\n| stats count by hots", "query:2:18: unknown field 'hots' (did you mean 'host'?)");
	refused("alerts | stats count by host | table hots",
		"query:1:38: unknown field 'hots' (did you mean 'host'?)");
	refused("alerts | eval x = lowr(host)", "query:1:19: unknown function 'lowr' (did you mean 'lower'?)");
	refused("alerts host = \"x\"", "query:1:13: unknown operator '=' (did you mean '=='?)");
	refused("alerts since=yesterday", "query:1:14: since=: 'yesterday' is no date, time or span "
		"(2026-11-01, 2026-11-01T10:00, -30d)");
	refused("alerts | timechart count", "query:1:20: timechart needs span=DURATION (span=1h, span=1d)");
	refused("", "query:1:1: a query starts with its source: alerts, incidents, steps, events, "
		"stages or observables");
}

Test(query, row_limit)
{
	struct query_limits lim = { 0, 2 };
	int limit = 0;
	char *got = run_lim("alerts | table id", &lim, &limit);

	cr_expect_str_eq(got, "[{\"id\":1},{\"id\":2}]");
	cr_expect_eq(limit, QUERY_ROW_LIMIT);
	free(got);
	got = run_lim("alerts | stats count", &lim, &limit);
	cr_expect_str_eq(got, "[{\"count\":6}]", "one row read: under the limit");
	cr_expect_eq(limit, 0);
	free(got);
}

Test(query, time_limit, .timeout = 60)
{
	sqlite3 *raw;
	/* 1 ms: the query reads 300,000 rows, far more than a millisecond's
	 * work on any machine; 50 ms was not always past on a loaded one,
	 * where a fast regex finished the scan in time. */
	struct query_limits lim = { 1, 0 };
	int limit = 0;
	char *got;

	/* 300000 more alerts: a regex over each takes far past 1 ms. */
	cr_assert_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n "
				  "WHERE i < 300100) INSERT INTO alerts(id, fingerprint, format, event_time, "
				  "received, rule_name, host, raw) SELECT i, randomblob(16), 'eve', i, i, "
				  "'rule ' || i, 'h' || (i % 7), '{}' FROM n", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	got = run_lim("alerts rule_name ~ \"(a|b|c)+x$\" | stats count by host", &lim, &limit);
	cr_expect_eq(limit, QUERY_TIME_LIMIT, "%s", got);
	free(got);
}

/* Observables by value: through the partial index observables_value
 * (source <> 'storm', migration 18), and a storm's hosts, which it leaves
 * out, through the storms' index and the observables' unique key. IR-3
 * is a storm with host web-02; IR-1 saw web-02 and 10.0.0.1 itself. */
static void observables_fixture(void)
{
	sqlite3 *raw;

	cr_assert_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw,
		"UPDATE incidents SET storm = 1 WHERE id = 3;"
		"INSERT INTO observables(incident_id, type, value, source, ref, at) VALUES"
		" (1, 'host', 'web-02', 'alert', 1, 100), (1, 'ip', '10.0.0.1', 'alert', 1, 100),"
		" (3, 'host', 'web-02', 'storm', 3, 86500), (3, 'host', 'db-01', 'storm', 4, 86600),"
		" (2, 'host', 'web-01', 'alert', 6, 173000);", NULL, NULL, NULL), SQLITE_OK,
		"%s", sqlite3_errmsg(raw));
	sqlite3_close(raw);
}

/* The plan of src's statement, its parameters bound as text, a line each. */
static char *plan_of(const char *src)
{
	struct query_error qe;
	struct query *q = query_parse(src, NOW, &qe);
	char *sql, *full;
	sqlite3 *raw;
	sqlite3_stmt *st;
	struct strbuf out = STRBUF_INIT;

	cr_assert_not_null(q, "%s", qe.msg);
	cr_assert_not_null(sql = query_sql(q), "%s: nothing pushed", src);
	full = xstrdup("EXPLAIN QUERY PLAN ");
	full = xrealloc(full, strlen(full) + strlen(sql) + 1);
	memcpy(full + 19, sql, strlen(sql) + 1);
	cr_assert_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(raw, full, -1, &st, NULL), SQLITE_OK, "%s: %s", full,
		     sqlite3_errmsg(raw));
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++)
		sqlite3_bind_text(st, i, "x", -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		strbuf_printf(&out, "%s\n", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_close(raw);
	free(full);
	free(sql);
	query_free(&q);
	return strbuf_detach(&out);
}

Test(query, observables_by_value_use_the_value_index)
{
	static const char *const srcs[] = {
		"observables value == \"web-02\" | table key source",
		"observables value == \"10.0.0.1\"",        /* an address is text, not a number */
		"observables value in [\"web-02\", \"db-01\"] && type == \"host\" | stats count by key",
	};

	observables_fixture();
	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		char *plan = plan_of(srcs[i]);

		cr_expect(strstr(plan, "USING INDEX observables_value (value=?)"), "%s:\n%s", srcs[i], plan);
		cr_expect_null(strstr(plan, "SCAN observables"), "%s:\n%s", srcs[i], plan);
		free(plan);
	}
}

Test(query, observables_by_value_find_storm_hosts)
{
	observables_fixture();
	expect("observables value == \"web-02\" | table key source",
	       "[{\"key\":\"IR-1\",\"source\":\"alert\"},{\"key\":\"IR-3\",\"source\":\"storm\"}]");
	expect("observables value == \"db-01\" | table key", "[{\"key\":\"IR-3\"}]");
	expect("observables value == \"10.0.0.1\" | table key type", "[{\"key\":\"IR-1\",\"type\":\"ip\"}]");
	expect("observables value != \"web-02\" | stats count", "[{\"count\":3}]");
	/* The same answer where the store does not do the filter. */
	expect("observables | where value == \"web-02\" | table key source",
	       "[{\"key\":\"IR-1\",\"source\":\"alert\"},{\"key\":\"IR-3\",\"source\":\"storm\"}]");
}

/* A count of 1 gets a bar when the largest is wide (trial, session 9:
 * a count of 1 drew nothing while 2 drew #); 0 and nothing to scale by none. */
Test(query, a_bar_for_every_count_above_0)
{
	cr_assert_eq(query_bar_len(1, 25, 10), 1);
	cr_assert_eq(query_bar_len(2, 25, 10), 1);
	cr_assert_eq(query_bar_len(25, 25, 10), 10);
	cr_assert_eq(query_bar_len(12.5, 25, 10), 5);
	cr_assert_eq(query_bar_len(0, 25, 10), 0);
	cr_assert_eq(query_bar_len(3, 0, 10), 0);
}
