/* test_store.c: the sqlite store (src/store/) on real files: schema and
 * migrations, WAL, incidents (every field, optimistic concurrency),
 * alerts, observables, quarantine, users, history, notes, meta. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/store.h"
#include "helpers/tmpstore.h"
#include "../../src/store/internal.h"   /* the list's SQL, for its query plan */

static struct store *s;

static void setup(void)
{
	irk_clock_set(1715594400);
	s = tmp_store("irk.db");
}

static void teardown(void)
{
	store_close(&s);
	tmp_cleanup();
}

TestSuite(store, .init = setup, .fini = teardown);

static int64_t events(struct store *st)
{
	struct audit_result r;

	cr_assert_eq(audit_verify(st, &r, NULL), IRK_OK, "chain broken: %s", r.reason);
	return r.checked;
}

/* An incident with every field set to something recognisable. */
static void fill(struct incident *inc, const char *tag)
{
	char b[64];

#define S(field) do { snprintf(b, sizeof b, "%s-" #field, tag); inc->field = strdup(b); } while (0)
	memset(inc, 0, sizeof *inc);
	S(title); S(summary); S(category); S(vector); S(threat_source); S(root_cause);
	S(business_unit); S(owner); S(play); S(play_version); S(rule); S(host); S(src_ip);
	S(updated_by);
#undef S
	inc->stage = STAGE_ERADICATION;
	inc->severity = SEV_HIGH;
	inc->priority = 2;
	inc->confidence = 73;
	inc->resolution = RES_BENIGN;
	inc->asset_criticality = 3;
	inc->t_first_event = 1715590000;
	inc->t_last_event = 1715591000;
	inc->t_detected = 1715592000;
	inc->t_acknowledged = 1715593000;
	inc->t_contained = 1715594000;
	inc->t_resolved = 1715595000;
	inc->t_closed = 1715596000;
	inc->t_updated = 1715597000;
	inc->reopen_count = 2;
	inc->back_moves = 5;
	inc->effort_min = 95;
	inc->alert_count = 11;
}

static void same_text(const char *got, const char *want, const char *what)
{
	if (!want) {
		cr_assert_null(got, "%s: '%s', want NULL", what, got);
		return;
	}
	cr_assert_not_null(got, "%s is NULL", what);
	cr_assert_str_eq(got, want, "%s", what);
}

/* Every stored field equals the one given (t_updated, version, updated_by
 * are the store's to set). */
static void same_incident(const struct incident *a, const struct incident *b)
{
	same_text(a->title, b->title, "title");
	same_text(a->summary, b->summary, "summary");
	same_text(a->category, b->category, "category");
	same_text(a->vector, b->vector, "vector");
	same_text(a->threat_source, b->threat_source, "threat_source");
	same_text(a->root_cause, b->root_cause, "root_cause");
	same_text(a->business_unit, b->business_unit, "business_unit");
	same_text(a->owner, b->owner, "owner");
	same_text(a->play, b->play, "play");
	same_text(a->play_version, b->play_version, "play_version");
	same_text(a->rule, b->rule, "rule");
	same_text(a->host, b->host, "host");
	same_text(a->src_ip, b->src_ip, "src_ip");
	cr_assert_eq(a->stage, b->stage);
	cr_assert_eq(a->severity, b->severity);
	cr_assert_eq(a->priority, b->priority);
	cr_assert_eq(a->confidence, b->confidence);
	cr_assert_eq(a->resolution, b->resolution);
	cr_assert_eq(a->asset_criticality, b->asset_criticality);
	cr_assert_eq(a->t_first_event, b->t_first_event);
	cr_assert_eq(a->t_last_event, b->t_last_event);
	cr_assert_eq(a->t_detected, b->t_detected);
	cr_assert_eq(a->t_acknowledged, b->t_acknowledged);
	cr_assert_eq(a->t_contained, b->t_contained);
	cr_assert_eq(a->t_resolved, b->t_resolved);
	cr_assert_eq(a->t_closed, b->t_closed);
	cr_assert_eq(a->reopen_count, b->reopen_count);
	cr_assert_eq(a->back_moves, b->back_moves);
	cr_assert_eq(a->effort_min, b->effort_min);
	cr_assert_eq(a->alert_count, b->alert_count);
}

static int64_t insert(struct store *st, struct incident *inc)
{
	struct irk_err err = { 0 };

	cr_assert_eq(store_begin(st, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_incident_insert(st, inc, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(st, &err), IRK_OK, "%s", err.msg);
	return inc->id;
}

/* A minimal open incident for the list/correlation tests. */
static int64_t quick(const char *title, int stage, int priority, int64_t detected,
		     const char *owner, const char *unit)
{
	struct incident inc = { 0 };

	inc.title = strdup(title);
	inc.stage = stage;
	inc.severity = SEV_MEDIUM;
	inc.priority = priority;
	inc.t_detected = detected;
	inc.owner = owner ? strdup(owner) : NULL;
	inc.business_unit = unit ? strdup(unit) : NULL;
	int64_t id = insert(s, &inc);
	incident_clear(&inc);
	return id;
}

/* ---- opening, schema, migrations ------------------------------------------ */

Test(store, open_creates_schema_in_wal_mode)
{
	char *path = tmp_path("irk.db"), *wal = tmp_path("irk.db-wal");
	struct stat sb;
	sqlite3 *raw;
	sqlite3_stmt *q;

	cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	cr_assert_gt(STORE_SCHEMA_VERSION, 0);
	cr_assert_str_eq(store_path(s), path);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 07, 0, "the database is not world accessible (mode %o)",
		     sb.st_mode & 0777);
	/* a write goes to the write-ahead log */
	cr_assert_eq(store_meta_set(s, "probe", "1", NULL), IRK_OK);
	cr_assert_eq(access(wal, F_OK), 0, "no -wal file: not in WAL mode");
	cr_assert_eq(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	sqlite3_close(raw);
	free(path);
	free(wal);
}

Test(store, open_without_create_refuses_a_missing_file)
{
	struct store *t = NULL;
	struct irk_err err = { 0 };
	char *path = tmp_path("nothing.db");

	cr_assert_eq(store_open(&t, path, 0, &err), IRK_NOTFOUND);
	cr_assert_null(t);
	/* Words for any front end; the command line names irk init. */
	cr_assert(strstr(err.msg, ": no database here") && !strstr(err.msg, "irk "), "%s", err.msg);
	cr_assert_eq(err.need, NEED_DATABASE);
	cr_assert_neq(access(path, F_OK), 0, "nothing was created");
	free(path);
}

Test(store, migrations_are_idempotent_across_opens)
{
	struct incident inc, got;
	struct irk_err err = { 0 };
	struct store *again = NULL;

	fill(&inc, "m");
	int64_t id = insert(s, &inc);
	store_close(&s);
	for (int i = 0; i < 3; i++) {
		s = tmp_store("irk.db");
		cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
		cr_assert_eq(store_incident_get(s, id, &got, &err), IRK_OK, "%s", err.msg);
		same_incident(&got, &inc);
		incident_clear(&got);
		store_close(&s);
	}
	/* two connections at once, one of them read-only */
	s = tmp_store("irk.db");
	char *path = tmp_path("irk.db");
	cr_assert_eq(store_open(&again, path, STORE_READONLY, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_incident_get(again, id, &got, &err), IRK_OK);
	incident_clear(&got);
	store_close(&again);
	incident_clear(&inc);
	free(path);
}

Test(store, refuses_a_newer_schema)
{
	char *path = tmp_path("irk.db");
	struct store *t = NULL;
	struct irk_err err = { 0 };
	sqlite3 *raw;

	store_close(&s);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	cr_assert_neq(store_open(&t, path, STORE_CREATE, &err), IRK_OK);
	cr_assert_null(t);
	cr_assert(strstr(err.msg, "newer than this irk"), "%s", err.msg);
	free(path);
}

Test(store, transactions)
{
	struct irk_err err = { 0 };
	struct strbuf v = STRBUF_INIT;

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert(store_in_tx(s));
	cr_assert_neq(store_begin(s, &err), IRK_OK, "not nestable");
	cr_assert(strstr(err.msg, "nested"), "%s", err.msg);
	cr_assert_eq(store_meta_set(s, "k", "v1", &err), IRK_OK);
	store_rollback(s);
	cr_assert_not(store_in_tx(s));
	cr_assert_eq(store_meta_get(s, "k", &v), IRK_NOTFOUND, "rolled back");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_meta_set(s, "k", "v2", &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_meta_get(s, "k", &v), IRK_OK);
	cr_assert_str_eq(strbuf_str(&v), "v2");
	cr_assert_eq(store_meta_set(s, "k", "v3", &err), IRK_OK, "replaces");
	cr_assert_eq(store_meta_get(s, "k", &v), IRK_OK);
	cr_assert_str_eq(strbuf_str(&v), "v3");
	strbuf_free(&v);
}

static int meta_is(struct store *st, const char *key, const char *want)
{
	struct strbuf v = STRBUF_INIT;
	int rc = store_meta_get(st, key, &v);
	int same = want ? rc == IRK_OK && !strcmp(strbuf_str(&v), want) : rc == IRK_NOTFOUND;

	strbuf_free(&v);
	return same;
}

Test(store, groups_of_transactions)
{
	struct irk_err err = { 0 };
	struct store *other = tmp_store("irk.db");

	cr_assert_eq(store_group_begin(s, &err), IRK_OK, "%s", err.msg);
	cr_assert_neq(store_group_begin(s, &err), IRK_OK, "not nestable");
	/* Two transactions kept, one undone: only that one is lost. */
	cr_assert_eq(store_begin(s, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_meta_set(s, "a", "1", &err), IRK_OK);
	cr_assert_eq(audit_append(s, "alice", 0, "test.a", NULL, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_meta_set(s, "b", "2", &err), IRK_OK);
	store_rollback(s);
	cr_assert_not(store_in_tx(s));
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_meta_set(s, "c", "3", &err), IRK_OK);
	cr_assert_eq(audit_append(s, "alice", 0, "test.c", NULL, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_expect(meta_is(s, "a", "1") && meta_is(s, "b", NULL) && meta_is(s, "c", "3"));
	cr_expect(meta_is(other, "a", NULL), "nothing visible before the group ends");
	cr_assert_eq(store_group_end(s, 1, &err), IRK_OK, "%s", err.msg);
	cr_expect(meta_is(other, "a", "1") && meta_is(other, "b", NULL) && meta_is(other, "c", "3"));
	cr_expect_eq(events(other), 2, "both audit events, chained");

	/* A group given up leaves nothing, and the store works as before. */
	cr_assert_eq(store_group_begin(s, &err), IRK_OK);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_meta_set(s, "d", "4", &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_begin(s, &err), IRK_OK, "a transaction left open at the end");
	cr_assert_eq(store_group_end(s, 0, NULL), IRK_OK);
	cr_expect_not(store_in_tx(s));
	cr_expect(meta_is(s, "d", NULL) && meta_is(other, "d", NULL));
	cr_assert_neq(store_group_end(s, 1, &err), IRK_OK, "no group open");
	cr_assert_eq(store_begin(s, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_meta_set(s, "e", "5", &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_expect(meta_is(other, "e", "5"));
	store_close(&other);
}

Test(store, data_version_sees_other_connections)
{
	struct store *other = tmp_store("irk.db");
	int64_t v0 = store_data_version(s);

	cr_assert_eq(store_data_version(s), v0, "our own reads change nothing");
	cr_assert_eq(store_meta_set(other, "x", "1", NULL), IRK_OK);
	cr_assert_neq(store_data_version(s), v0, "a commit elsewhere is noticed");
	store_close(&other);
}

/* ---- incidents -------------------------------------------------------------- */

Test(store, incident_round_trip_of_every_field)
{
	struct incident inc, got, changed;
	struct irk_err err = { 0 };

	fill(&inc, "first");
	int64_t id = insert(s, &inc);
	cr_assert_gt(id, 0);
	cr_assert_eq(inc.version, 1);
	cr_assert_eq(store_incident_get(s, id, &got, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(got.id, id);
	cr_assert_eq(got.version, 1);
	cr_assert_eq(got.t_updated, inc.t_updated);
	same_text(got.updated_by, "first-updated_by", "updated_by");
	same_incident(&got, &inc);

	/* change every field and write it back */
	fill(&changed, "second");
	changed.id = id;
	changed.version = got.version;
	changed.stage = STAGE_RECOVERY;
	changed.severity = SEV_LOW;
	changed.priority = 4;
	changed.confidence = 0;
	changed.resolution = RES_NONE;
	changed.asset_criticality = 0;
	changed.t_contained = 0;
	changed.t_closed = 0;
	changed.reopen_count = 3;
	free(changed.owner);
	changed.owner = NULL;
	irk_clock_set(1715600000);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_incident_update(s, &changed, "carol", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(changed.version, 2);
	same_text(changed.updated_by, "carol", "updated_by after update");
	incident_clear(&got);
	cr_assert_eq(store_incident_get(s, id, &got, &err), IRK_OK);
	same_incident(&got, &changed);
	cr_assert_eq(got.version, 2);
	cr_assert_eq(got.t_updated, 1715600000);
	same_text(got.updated_by, "carol", "updated_by");
	incident_clear(&got);
	incident_clear(&inc);
	incident_clear(&changed);
}

Test(store, missing_incident)
{
	struct incident inc;
	struct irk_err err = { 0 };

	cr_assert_eq(store_incident_get(s, 999, &inc, &err), IRK_NOTFOUND);
	cr_assert(strstr(err.msg, "IR-999"), "%s", err.msg);
	fill(&inc, "x");
	inc.id = 999;
	inc.version = 1;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_incident_update(s, &inc, "bob", &err), IRK_NOTFOUND);
	store_rollback(s);
	incident_clear(&inc);
}

Test(store, optimistic_concurrency_first_writer_wins)
{
	struct store *b = tmp_store("irk.db");
	struct incident inc, as_a, as_b, now;
	struct irk_err err = { 0 };

	fill(&inc, "c");
	int64_t id = insert(s, &inc);
	/* both analysts load version 1 */
	cr_assert_eq(store_incident_get(s, id, &as_a, &err), IRK_OK);
	cr_assert_eq(store_incident_get(b, id, &as_b, &err), IRK_OK);
	cr_assert_eq(as_a.version, 1);
	cr_assert_eq(as_b.version, 1);
	/* alice saves first */
	free(as_a.title);
	as_a.title = strdup("alice's title");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_incident_update(s, &as_a, "alice", &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	/* bob's save of the stale copy is refused and says who changed it */
	free(as_b.title);
	as_b.title = strdup("bob's title");
	cr_assert_eq(store_begin(b, &err), IRK_OK);
	cr_assert_eq(store_incident_update(b, &as_b, "bob", &err), IRK_CONFLICT);
	store_rollback(b);
	cr_assert(strstr(err.msg, "IR-") && strstr(err.msg, "changed by alice since you loaded it"),
		  "%s", err.msg);
	cr_assert_eq(as_b.version, 1, "the loser's copy keeps its version");
	cr_assert_eq(store_incident_get(b, id, &now, &err), IRK_OK);
	cr_assert_str_eq(now.title, "alice's title", "nothing was overwritten");
	cr_assert_eq(now.version, 2);
	incident_clear(&now);
	incident_clear(&as_a);
	incident_clear(&as_b);
	incident_clear(&inc);
	store_close(&b);
}

struct listed {
	int64_t ids[16];
	int n;
};

static int collect(const struct incident *inc, void *arg)
{
	struct listed *l = arg;

	cr_assert_not_null(inc->title, "borrowed strings are valid during the call");
	l->ids[l->n++] = inc->id;
	return 0;
}

static struct listed list(const struct incident_filter *f)
{
	struct listed l = { { 0 }, 0 };
	struct irk_err err = { 0 };

	cr_assert_eq(store_incident_each(s, f, collect, &l, &err), IRK_OK, "%s", err.msg);
	return l;
}

Test(store, listing_filters_and_order)
{
	int64_t a = quick("a", STAGE_NEW, 3, 300, NULL, "finance");
	int64_t b = quick("b", STAGE_CONTAINMENT, 1, 500, "alice", "finance");
	int64_t c = quick("c", STAGE_CLOSED, 1, 100, "bob", NULL);
	int64_t d = quick("d", STAGE_NEW, 3, 200, "alice", "hr");
	int64_t e = quick("e", STAGE_NEW, 3, 200, NULL, NULL);
	struct incident_filter f = INCIDENT_FILTER_ALL;
	struct listed l;

	/* priority, then detection (oldest first), then id */
	l = list(NULL);
	cr_assert_eq(l.n, 5);
	int64_t want[] = { c, b, d, e, a };
	for (int i = 0; i < 5; i++)
		cr_assert_eq(l.ids[i], want[i], "position %d", i);
	f.open_only = 1;
	cr_assert_eq(list(&f).n, 4);
	f = (struct incident_filter)INCIDENT_FILTER_ALL;
	f.stage = STAGE_NEW;
	cr_assert_eq(list(&f).n, 3);
	f = (struct incident_filter)INCIDENT_FILTER_ALL;
	f.owner = "alice";
	l = list(&f);
	cr_assert(l.n == 2 && l.ids[0] == b && l.ids[1] == d);
	f = (struct incident_filter)INCIDENT_FILTER_ALL;
	f.unassigned = 1;
	l = list(&f);
	cr_assert(l.n == 2 && l.ids[0] == e && l.ids[1] == a);
	f = (struct incident_filter)INCIDENT_FILTER_ALL;
	f.business_unit = "finance";
	cr_assert_eq(list(&f).n, 2);
	f = (struct incident_filter)INCIDENT_FILTER_ALL;
	f.limit = 2;
	l = list(&f);
	cr_assert(l.n == 2 && l.ids[0] == c && l.ids[1] == b);

	int64_t counts[STAGE_COUNT];
	cr_assert_eq(store_incident_counts(s, counts, NULL), IRK_OK);
	cr_assert_eq(counts[STAGE_NEW], 3);
	cr_assert_eq(counts[STAGE_CONTAINMENT], 1);
	cr_assert_eq(counts[STAGE_CLOSED], 1);
	cr_assert_eq(counts[STAGE_RECOVERY], 0);
}

/* A card holds what a list line or a board card shows or filters on, and
 * nothing else (no field a caller could read stale or half-filled). */
static int keep_card(const struct incident *inc, void *arg)
{
	struct incident *c = arg;

	*c = *inc;
	c->title = strdup(inc->title);
	c->owner = inc->owner ? strdup(inc->owner) : NULL;
	c->business_unit = inc->business_unit ? strdup(inc->business_unit) : NULL;
	return 1;
}

Test(store, a_card_holds_what_a_list_shows)
{
	struct incident inc, card;
	struct incident_filter f = INCIDENT_FILTER_ALL;

	fill(&inc, "c");
	insert(s, &inc);
	f.card = 1;
	cr_assert_eq(store_incident_each(s, &f, keep_card, &card, NULL), IRK_OK);
	cr_assert_eq(card.id, inc.id);
	cr_assert_str_eq(card.title, "c-title");
	cr_assert_str_eq(card.owner, "c-owner");
	cr_assert_eq(card.stage, STAGE_ERADICATION);
	cr_assert_eq(card.severity, SEV_HIGH);
	cr_assert_eq(card.priority, 2);
	cr_assert_eq(card.t_detected, 1715592000);
	cr_assert_eq(card.t_acknowledged, 1715593000, "the SLA clock reads it");
	cr_assert_eq(card.t_contained, 1715594000, "the SLA clock reads it");
	cr_assert_str_eq(card.business_unit, "c-business_unit", "the board's unit filter reads it");
	cr_assert(!card.summary && !card.category && !card.play &&
		  !card.rule && !card.host && !card.updated_by, "no other text");
	cr_assert(!card.confidence && !card.resolution && !card.t_closed && !card.t_first_event &&
		  !card.alert_count && !card.version && !card.effort_min, "no other number");
	free(card.title);
	free(card.owner);
	free(card.business_unit);
	incident_clear(&inc);
}

/* Cards come in the same order, through the same filters, as incidents. */
Test(store, cards_are_listed_as_incidents_are)
{
	struct incident_filter fs[9];

	quick("a", STAGE_NEW, 3, 300, NULL, "finance");
	quick("b", STAGE_CONTAINMENT, 1, 500, "alice", "finance");
	quick("c", STAGE_CLOSED, 1, 100, "bob", NULL);
	quick("d", STAGE_NEW, 3, 200, "alice", "hr");
	quick("e", STAGE_NEW, 3, 200, NULL, NULL);
	quick("f", STAGE_RECOVERY, 2, 250, "bob", "hr");
	for (int i = 0; i < 9; i++)
		fs[i] = (struct incident_filter)INCIDENT_FILTER_ALL;
	fs[1].open_only = 1;
	fs[2].stage = STAGE_NEW;             /* an open stage: the open index */
	fs[3].stage = STAGE_CLOSED;
	fs[4].owner = "alice";
	fs[5].unassigned = 1;
	fs[6].business_unit = "hr";
	fs[7].open_only = 1;
	fs[7].limit = 2;
	fs[8].stage = STAGE_NEW;
	fs[8].unassigned = 1;
	for (int i = 0; i < 9; i++) {
		struct listed full = list(&fs[i]), cards;
		fs[i].card = 1;
		cards = list(&fs[i]);
		cr_assert_eq(cards.n, full.n, "filter %d: %d cards, %d incidents", i, cards.n, full.n);
		cr_assert_arr_eq(cards.ids, full.ids, sizeof(int64_t) * (size_t)full.n, "filter %d", i);
	}
	cr_assert_eq(list(&fs[2]).n, 3, "the new ones");
	cr_assert_eq(list(&fs[8]).n, 2, "the new unassigned ones");
}

/* irk list and irk board read their open incidents from one index and
 * never look a row up in the table: every column a card shows or a
 * filter reads is in it (internal.h), and it is in list order. */
Test(store, open_cards_are_read_from_the_index_alone)
{
	static const char sql[] = "EXPLAIN QUERY PLAN SELECT " INCIDENT_CARD_COLS
		" FROM incidents WHERE stage <> 'closed' AND " INCIDENT_WHERE;
	char *path = tmp_path("irk.db");
	struct strbuf plan = STRBUF_INIT;
	sqlite3 *raw;
	sqlite3_stmt *q;

	cr_assert_eq(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(raw, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	while (sqlite3_step(q) == SQLITE_ROW)
		strbuf_printf(&plan, "%s\n", (const char *)sqlite3_column_text(q, 3));
	sqlite3_finalize(q);
	sqlite3_close(raw);
	cr_assert(strstr(strbuf_str(&plan), "USING COVERING INDEX incidents_open"), "%s",
		  strbuf_str(&plan));
	cr_assert_null(strstr(strbuf_str(&plan), "TEMP B-TREE"), "no sort: %s", strbuf_str(&plan));
	strbuf_free(&plan);
	free(path);
}

/* A database of schema 4: the open incidents' index becomes the covering
 * one, and lists the same incidents. */
Test(store, migration_5_makes_the_open_index_cover_the_cards)
{
	char *path = tmp_path("irk.db");
	struct incident_filter f = INCIDENT_FILTER_ALL;
	sqlite3 *raw;

	quick("a", STAGE_NEW, 3, 300, NULL, "finance");
	quick("b", STAGE_CLOSED, 1, 100, "bob", NULL);
	store_close(&s);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, TMP_UNDO_XMPP TMP_UNDO_STORM "DROP INDEX incidents_open;"
		"CREATE INDEX incidents_open ON incidents(priority, t_detected, id) WHERE stage <> 'closed';"
		"PRAGMA user_version = 4;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	s = tmp_store("irk.db");
	cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM pragma_index_info('incidents_open')"), 11,
		     "priority, t_detected, id and the card's and filters' columns (storm since 8)");
	f.open_only = f.card = 1;
	cr_assert_eq(list(&f).n, 1);
	free(path);
}

static int stop_at_first(const struct incident *inc, void *arg)
{
	(void)inc;
	++*(int *)arg;
	return 1;
}

Test(store, listing_stops_when_asked)
{
	int n = 0;

	quick("a", STAGE_NEW, 1, 1, NULL, NULL);
	quick("b", STAGE_NEW, 1, 2, NULL, NULL);
	cr_assert_eq(store_incident_each(s, NULL, stop_at_first, &n, NULL), IRK_OK);
	cr_assert_eq(n, 1);
}

Test(store, bump_and_correlate)
{
	struct incident inc = { 0 }, got;
	struct irk_err err = { 0 };

	inc.title = strdup("scan");
	inc.rule = strdup("2001");
	inc.host = strdup("web-01");
	inc.src_ip = strdup("198.51.100.7");
	inc.t_detected = 10000;
	inc.t_first_event = inc.t_last_event = 10000;
	int64_t id = insert(s, &inc);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_incident_bump(s, id, 3, 9000, 12000, &err), IRK_OK);
	cr_assert_eq(store_incident_bump(s, id, 2, 9500, 11000, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_incident_get(s, id, &got, &err), IRK_OK);
	cr_assert_eq(got.alert_count, 5);
	cr_assert_eq(got.t_first_event, 9000);
	cr_assert_eq(got.t_last_event, 12000);
	incident_clear(&got);

	/* events span 9000..12000; a window of 100 s */
	cr_assert_eq(store_incident_correlate(s, "2001", "web-01", NULL, 12050, 100), id);
	cr_assert_eq(store_incident_correlate(s, "2001", "web-01", NULL, 8950, 100), id);
	cr_assert_eq(store_incident_correlate(s, "2001", "web-01", NULL, 12101, 100), 0);
	cr_assert_eq(store_incident_correlate(s, "2001", "web-01", NULL, 8899, 100), 0);
	cr_assert_eq(store_incident_correlate(s, "2001", "web-02", NULL, 10000, 100), 0);
	cr_assert_eq(store_incident_correlate(s, "2002", "web-01", NULL, 10000, 100), 0);
	cr_assert_eq(store_incident_correlate(s, "2001", "web-02", "198.51.100.7", 10000, 100), id,
		     "the same source IP joins");
	cr_assert_eq(store_incident_correlate(s, "2001", NULL, "198.51.100.8", 10000, 100), 0);
	cr_assert_eq(store_incident_correlate(s, "", "web-01", NULL, 10000, 100), 0);
	cr_assert_eq(store_incident_correlate(s, NULL, "web-01", NULL, 10000, 100), 0);
	/* a closed incident takes no more alerts */
	inc.id = id;
	cr_assert_eq(store_incident_get(s, id, &got, &err), IRK_OK);
	got.stage = STAGE_CLOSED;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_incident_update(s, &got, "bob", &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_incident_correlate(s, "2001", "web-01", NULL, 10000, 100), 0);
	incident_clear(&got);
	incident_clear(&inc);
}

Test(store, history_and_notes)
{
	struct irk_err err = { 0 };
	int64_t id = quick("h", STAGE_NEW, 3, 1, NULL, NULL);
	struct stage_move m = { .incident_id = id, .from = -1, .to = STAGE_NEW, .at = 100 };
	struct stage_move *hist;
	struct note *notes;
	size_t n;

	strcpy(m.actor, "ingest");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_history_add(s, &m, &err), IRK_OK);
	m.from = STAGE_NEW;
	m.to = STAGE_CONTAINMENT;
	m.at = 200;
	m.forced = 1;
	strcpy(m.actor, "sam");
	strcpy(m.reason, "host is beaconing");
	cr_assert_eq(store_history_add(s, &m, &err), IRK_OK);
	cr_assert_eq(store_note_add(s, id, "alice", "first look: \x1b[31m red", &err), IRK_OK);
	cr_assert_eq(store_note_add(s, id, "bob", "second", &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);

	cr_assert_eq(store_history_list(s, id, &hist, &n, &err), IRK_OK);
	cr_assert_eq(n, 2);
	cr_assert(hist[0].from == -1 && hist[0].to == STAGE_NEW && hist[0].at == 100);
	cr_assert_str_eq(hist[0].actor, "ingest");
	cr_assert_str_eq(hist[0].reason, "");
	cr_assert(hist[1].from == STAGE_NEW && hist[1].to == STAGE_CONTAINMENT && hist[1].forced);
	cr_assert_str_eq(hist[1].reason, "host is beaconing");
	free(hist);
	cr_assert_eq(store_note_list(s, id, &notes, &n, &err), IRK_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(notes[0].actor, "alice");
	cr_assert_str_eq(notes[0].text, "first look: \x1b[31m red", "stored as given");
	cr_assert_eq(notes[0].at, 1715594400);
	cr_assert_str_eq(notes[1].text, "second");
	note_list_free(notes, n);
	cr_assert_eq(store_note_list(s, id + 100, &notes, &n, &err), IRK_OK);
	cr_assert_eq(n, 0);
	note_list_free(notes, n);
}

/* ---- alerts, observables -------------------------------------------------- */

static void make_alert(struct alert *a, unsigned char fpbyte, int64_t t)
{
	alert_reset(a);
	a->format = FMT_EVE;
	a->event_time = t;
	a->rule_id = "2024217";
	a->rule_name = "ET MALWARE test";
	a->severity = SEV_HIGH;
	a->host = "web-01";
	a->src_ip = "10.0.0.1";
	a->dst_ip = "192.0.2.5";
	a->user = "m\xc3\xbcller";
	a->category = "trojan";
	a->raw = "{\"raw\":true}";
	a->raw_len = strlen(a->raw);
	memset(a->fingerprint, fpbyte, ALERT_FP_LEN);
}

struct alerts_seen {
	int n;
	struct alert first;
	char fp[2 * ALERT_FP_LEN + 1];
	char raw[64];
};

static int alert_cb(const struct alert *r, void *arg)
{
	struct alerts_seen *as = arg;

	if (!as->n++) {
		as->first = *r;
		hash_hex(r->fingerprint, ALERT_FP_LEN, as->fp);
		snprintf(as->raw, sizeof as->raw, "%s", r->raw);
	}
	return 0;
}

Test(store, alerts_are_unique_by_fingerprint)
{
	struct alert a;
	struct irk_err err = { 0 };
	int64_t id = quick("a", STAGE_NEW, 3, 1, NULL, NULL), aid = 0, aid2 = -5;
	struct alerts_seen as = { 0 };

	make_alert(&a, 0xab, 1000);
	cr_assert_not(store_alert_exists(s, a.fingerprint));
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_alert_insert(s, &a, 2000, id, &aid, &err), IRK_OK, "%s", err.msg);
	cr_assert_gt(aid, 0);
	a.rule_name = "another name, same fingerprint";
	cr_assert_eq(store_alert_insert(s, &a, 2001, id, &aid2, &err), IRK_CONFLICT);
	cr_assert_eq(aid2, -5, "no id for a duplicate");
	make_alert(&a, 0xac, 900);
	cr_assert_eq(store_alert_insert(s, &a, 2002, id, NULL, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert(store_alert_exists(s, a.fingerprint));

	cr_assert_eq(store_alert_each(s, id, 0, alert_cb, &as, &err), IRK_OK);
	cr_assert_eq(as.n, 2, "the duplicate was not stored");
	/* newest first */
	cr_assert_eq(as.first.id, aid);
	cr_assert_eq(as.first.event_time, 1000);
	cr_assert_eq(as.first.received, 2000);
	cr_assert_eq(as.first.incident_id, id);
	cr_assert_str_eq(as.fp, "abababababababababababababababab");
	cr_assert_str_eq(as.raw, "{\"raw\":true}");
	as.n = 0;
	cr_assert_eq(store_alert_each(s, id, 1, alert_cb, &as, &err), IRK_OK);
	cr_assert_eq(as.n, 1, "limit");
}

struct obs_seen {
	int n;
	int64_t ref[8];
	char val[8][64];
};

static int obs_cb(const struct observable_row *o, void *arg)
{
	struct obs_seen *os = arg;

	os->ref[os->n] = o->ref;
	snprintf(os->val[os->n], sizeof os->val[0], "%s:%s:%s", obs_type_name(o->type), o->value,
		 o->source);
	os->n++;
	return 0;
}

Test(store, observables_once_per_incident)
{
	struct irk_err err = { 0 };
	int64_t i1 = quick("o1", STAGE_NEW, 3, 1, NULL, NULL);
	int64_t i2 = quick("o2", STAGE_NEW, 3, 1, NULL, NULL);
	struct obs_seen os = { 0 };

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	store_observable_add(s, i1, OBS_IP, "10.0.0.1", "alert", 7, 100, &err);
	store_observable_add(s, i1, OBS_IP, "10.0.0.1", "step", 9, 200, &err);
	store_observable_add(s, i1, OBS_HOST, "10.0.0.1", "alert", 8, 100, &err);
	store_observable_add(s, i2, OBS_IP, "10.0.0.1", "lookup", 3, 100, &err);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_observable_each(s, i1, obs_cb, &os, &err), IRK_OK);
	cr_assert_eq(os.n, 2, "one row per (type, value)");
	cr_assert_str_eq(os.val[0], "host:10.0.0.1:alert");
	cr_assert_str_eq(os.val[1], "ip:10.0.0.1:alert", "the first provenance wins");
	cr_assert_eq(os.ref[1], 7);
	memset(&os, 0, sizeof os);
	cr_assert_eq(store_observable_each(s, i2, obs_cb, &os, &err), IRK_OK);
	cr_assert_eq(os.n, 1);
	cr_assert_str_eq(os.val[0], "ip:10.0.0.1:lookup");
}

/* ---- quarantine ------------------------------------------------------------- */

struct quar_seen {
	int n;
	int64_t line[4], orig[4];
	size_t len[4];
	char raw[4][16], src[4][32], reason[4][64], fmt[4][8];
};

static int quar_cb(const struct quarantine_row *q, void *arg)
{
	struct quar_seen *qs = arg;
	int i = qs->n++;

	qs->line[i] = q->line;
	qs->orig[i] = q->orig_len;
	qs->len[i] = q->raw_len;
	memcpy(qs->raw[i], q->raw, q->raw_len < 16 ? q->raw_len : 16);
	snprintf(qs->src[i], sizeof qs->src[i], "%s", q->source);
	snprintf(qs->reason[i], sizeof qs->reason[i], "%s", q->reason);
	snprintf(qs->fmt[i], sizeof qs->fmt[i], "%s", q->format ? q->format : "(null)");
	return 0;
}

Test(store, quarantine_keeps_bytes_as_read)
{
	struct irk_err err = { 0 };
	struct quar_seen qs = { 0 };

	cr_assert_eq(store_quarantine_count(s), 0);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_quarantine_add(s, "a.jsonl", 17, NULL, "malformed JSON", "{\"x\":\xff\0y",
					  8, 8, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_quarantine_add(s, "b.jsonl", 2, "eve", "no usable time", "", 0,
					  2000000, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_quarantine_count(s), 2);
	cr_assert_eq(store_quarantine_each(s, 0, quar_cb, &qs, &err), IRK_OK);
	cr_assert_eq(qs.n, 2);
	cr_assert_eq(qs.line[0], 17);
	cr_assert_eq(qs.len[0], 8);
	cr_assert(!memcmp(qs.raw[0], "{\"x\":\xff\0y", 8), "invalid UTF-8 and NUL kept");
	cr_assert_str_eq(qs.src[0], "a.jsonl");
	cr_assert_str_eq(qs.reason[0], "malformed JSON");
	cr_assert_str_eq(qs.fmt[0], "(null)");
	cr_assert_eq(qs.orig[1], 2000000);
	cr_assert_eq(qs.len[1], 0);
	cr_assert_str_eq(qs.fmt[1], "eve");
}

/* Ingesting a file again used to add its rejected lines to the quarantine
 * again: one row per source, line and content now. */
Test(store, quarantine_keeps_one_row_per_source_line_and_content)
{
	struct irk_err err = { 0 };
	struct quar_seen qs = { 0 };

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(store_quarantine_add(s, "a.jsonl", 7, NULL, "malformed JSON", "{x", 2, 2,
						  &err), IRK_OK, "%s", err.msg);
	/* Another line, another file, other bytes on the same line: kept. */
	cr_assert_eq(store_quarantine_add(s, "a.jsonl", 8, NULL, "malformed JSON", "{x", 2, 2, &err), 0);
	cr_assert_eq(store_quarantine_add(s, "b.jsonl", 7, NULL, "malformed JSON", "{x", 2, 2, &err), 0);
	cr_assert_eq(store_quarantine_add(s, "a.jsonl", 7, NULL, "malformed JSON", "{y", 2, 2, &err), 0);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_quarantine_count(s), 4);
	/* --limit: the newest, oldest first. */
	cr_assert_eq(store_quarantine_each(s, 2, quar_cb, &qs, &err), IRK_OK);
	cr_assert_eq(qs.n, 2);
	cr_assert_str_eq(qs.src[0], "b.jsonl");
	cr_assert_str_eq(qs.raw[1], "{y");
}

/* A database of schema 3 with the same line quarantined twice: the
 * migration merges them and keys the rest. */
Test(store, migration_4_merges_quarantine_copies)
{
	struct irk_err err = { 0 };
	char *path = tmp_path("irk.db");
	sqlite3 *raw;

	store_close(&s);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, TMP_UNDO_XMPP TMP_UNDO_STORM
		"DROP INDEX quarantine_once; ALTER TABLE quarantine DROP COLUMN hash;"
		"INSERT INTO quarantine(at, source, line, format, reason, raw, orig_len) VALUES"
		" (1, 'a.jsonl', 7, NULL, 'bad', X'7B78', 2), (2, 'a.jsonl', 7, NULL, 'bad', X'7B78', 2),"
		" (3, 'a.jsonl', 9, NULL, 'bad', X'7B78', 2);"
		"PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	s = tmp_store("irk.db");
	cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	cr_assert_eq(store_quarantine_count(s), 2);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_quarantine_add(s, "a.jsonl", 9, NULL, "bad", "{x", 2, 2, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_quarantine_count(s), 2);
	free(path);
}

/* ---- users ------------------------------------------------------------------ */

Test(store, users_and_roles_are_audited)
{
	struct irk_err err = { 0 };
	struct user *u;
	size_t n;

	cr_assert_eq(store_user_count(s), 0);
	cr_assert_eq(store_user_role(s, "alice"), -1);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "zed", ROLE_ANALYST, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_user_put(s, "root", "alice", ROLE_ADMIN, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(events(s), 2, "user.add twice");
	cr_assert_eq(store_user_role(s, "zed"), ROLE_ANALYST);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "alice", "zed", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "alice", "zed", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(events(s), 3, "a role change is one event; no change, no event");
	cr_assert_eq(store_user_role(s, "zed"), ROLE_SENIOR);
	cr_assert_eq(store_user_count(s), 2);
	cr_assert_eq(store_user_list(s, &u, &n, &err), IRK_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(u[0].name, "alice");
	cr_assert_eq(u[0].role, ROLE_ADMIN);
	cr_assert_str_eq(u[1].name, "zed");
	cr_assert_str_eq(u[1].created_by, "root", "created_by stays the creator");
	cr_assert_eq(u[1].created, 1715594400);
	free(u);
}

/* A user's chat address: set, found again whatever its case or resource,
 * listed, owned by one user only, cleared; each change audited. */
Test(store, user_jid_set_find_unique_clear)
{
	struct irk_err err = { 0 };
	struct user *u;
	size_t n;
	char name[64];
	int role;

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "ben", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "ann", ROLE_ANALYST, &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "ben", "Ben@Corp.Example", &err), IRK_OK, "%s",
		     err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(events(s), 3, "user.add twice, user.jid once");
	cr_assert_eq(store_user_by_jid(s, "ben@corp.example", name, &role, &err), IRK_OK);
	cr_assert_str_eq(name, "ben");
	cr_assert_eq(role, ROLE_SENIOR);
	cr_assert_eq(store_user_by_jid(s, "BEN@corp.EXAMPLE/gajim", name, &role, &err), IRK_OK,
		     "a full JID finds its bare JID's user");
	cr_assert_str_eq(name, "ben");
	cr_assert_eq(store_user_by_jid(s, "ann@corp.example", name, &role, &err), IRK_NOTFOUND);
	cr_assert_str_eq(name, "");
	cr_assert_eq(store_user_list(s, &u, &n, &err), IRK_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(u[0].jid, "", "ann has none");
	cr_assert_str_eq(u[1].jid, "ben@corp.example", "kept lowercase");
	free(u);

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "ann", "ben@CORP.example", &err), IRK_CONFLICT,
		     "one user per JID");
	cr_assert(strstr(err.msg, "ben"), "%s", err.msg);
	cr_assert_eq(store_user_set_jid(s, "root", "nobody", "x@y", &err), IRK_NOTFOUND);
	cr_assert_eq(store_user_set_jid(s, "root", "ben", "ben@corp.example", &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "ben", NULL, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(events(s), 4, "no change, no event; the clearing is one");
	cr_assert_eq(store_user_by_jid(s, "ben@corp.example", name, &role, &err), IRK_NOTFOUND);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "ann", "ben@corp.example", &err), IRK_OK,
		     "free again once ben's was cleared: %s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
}

static int collect_seq(const struct event_row *e, void *arg)
{
	strbuf_printf(arg, "%lld ", (long long)e->seq);
	return 0;
}

/* irk audit log --limit 20 showed the 20 oldest events: an auditor wants
 * the latest, still in order. */
Test(store, audit_limit_keeps_the_newest_in_order)
{
	struct irk_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(audit_append(s, "alice", i % 2 ? 7 : 0, "test.e", NULL, NULL, &err), IRK_OK,
			     "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(audit_each(s, 0, 3, collect_seq, &sb, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&sb), "4 5 6 ");
	strbuf_reset(&sb);
	cr_assert_eq(audit_each(s, 7, 2, collect_seq, &sb, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&sb), "4 6 ");
	strbuf_reset(&sb);
	cr_assert_eq(audit_each(s, 0, 0, collect_seq, &sb, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&sb), "1 2 3 4 5 6 ");
	strbuf_free(&sb);
}

/* The head of the log is kept in memory while a transaction appends (and
 * written to meta once, at its commit): a rolled-back append is forgotten,
 * another connection's appends are seen, and the head in meta is the last
 * event committed, which verify checks. */
Test(store, audit_head_follows_commits_rollbacks_and_other_writers)
{
	struct irk_err err = { 0 };
	struct audit_result r;
	struct strbuf head = STRBUF_INIT;
	struct store *other = NULL;
	char *path = tmp_path("irk.db");
	int64_t seq = 0;

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(audit_append(s, "alice", 0, "test.a", NULL, NULL, &err), IRK_OK);
	cr_assert_eq(audit_append(s, "alice", 0, "test.b", NULL, &seq, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(audit_append(s, "alice", 0, "test.gone", NULL, NULL, &err), IRK_OK);
	store_rollback(s);
	cr_assert_eq(store_open(&other, path, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_begin(other, &err), IRK_OK);
	cr_assert_eq(audit_append(other, "bob", 0, "test.other", NULL, NULL, &err), IRK_OK);
	cr_assert_eq(store_commit(other, &err), IRK_OK);
	store_close(&other);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	int64_t last = 0;
	cr_assert_eq(audit_append(s, "alice", 0, "test.c", NULL, &last, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(last, seq + 2, "after the other writer's event, not the rolled-back one");
	cr_assert_eq(store_meta_get(s, "audit.head", &head), IRK_OK);
	cr_assert_eq(strtoll(head.buf, NULL, 10), last);
	cr_assert_eq(audit_verify(s, &r, &err), IRK_OK, "%s", r.reason);
	strbuf_free(&head);
	free(path);
}

/* The NULL rule (src/store/internal.h): SQL NULL reads as NULL, every
 * other value as a string, an empty blob and a number too. */
Test(store, text_columns_follow_one_null_rule)
{
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_prepare_v2(s->db, "SELECT NULL, '', X'', 'a', 7", -1, &st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_null(store_col_text(st, 0));
	cr_assert_str_eq(store_col_text(st, 1), "");
	cr_assert_not_null(store_col_text(st, 2));
	cr_assert_str_eq(store_col_text(st, 2), "");
	cr_assert_str_eq(store_col_text(st, 3), "a");
	cr_assert_str_eq(store_col_text(st, 4), "7");
	sqlite3_finalize(st);
}

/* One error tail for every row loop: an error after some rows is the
 * connection's error, prefixed with what the loop was doing; leaving a
 * loop at a row is no error. */
Test(store, row_loops_report_an_error_midway_and_allow_stopping_early)
{
	static const char sql[] = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
		"FROM c WHERE x < 3) SELECT CASE WHEN x = ?1 THEN abs(-9223372036854775807 - 1) "
		"ELSE x END FROM c";
	struct irk_err err = { 0 };
	sqlite3_stmt *st;
	struct store_rows r;

	cr_assert_eq(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, 2);
	r = store_rows_begin(s, st);
	while (store_rows_next(&r))
		cr_assert_eq(sqlite3_column_int(st, 0), 1);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(store_rows_end(&r, &err, "reading things"), IRK_ERROR);
	cr_assert(strstr(err.msg, "reading things: ") == err.msg, "%s", err.msg);
	cr_assert(strstr(err.msg, "overflow"), "%s", err.msg);

	/* reset by store_rows_end(): the statement runs again, stopped at row 1 */
	memset(&err, 0, sizeof err);
	sqlite3_bind_int(st, 1, 0);
	r = store_rows_begin(s, st);
	while (store_rows_next(&r))
		break;
	cr_assert_eq(store_rows_end(&r, &err, "reading things"), IRK_OK, "%s", err.msg);
	cr_assert_eq(r.n, 1);
	r = store_rows_begin(s, st);
	while (store_rows_next(&r))
		;
	cr_assert_eq(store_rows_end(&r, &err, "reading things"), IRK_OK, "%s", err.msg);
	cr_assert_eq(r.n, 3);
	sqlite3_finalize(st);
}

/* The anchors file: SEQ:HASH after any syslog or journal prefix. */
Test(store, audit_anchor_parse_takes_the_head_after_a_prefix)
{
	static const char h[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char line[256];
	struct audit_anchor a;

	snprintf(line, sizeof line, "42:%s\n", h);
	cr_assert_eq(audit_anchor_parse(line, &a), 0);
	cr_assert_eq(a.seq, 42);
	cr_assert_str_eq(a.hash, h);
	snprintf(line, sizeof line, "Dec  7 18:00:01 jump irk[311]: audit anchor of /v/irk.db: 7:%s", h);
	cr_assert_eq(audit_anchor_parse(line, &a), 0, "the time's colons are not a head");
	cr_assert_eq(a.seq, 7);
	snprintf(line, sizeof line, "2026-12-07T18:00:01+0000 jump irk[9]: audit anchor 1234:%s  ", h);
	cr_assert_eq(audit_anchor_parse(line, &a), 0);
	cr_assert_eq(a.seq, 1234);
	cr_assert_neq(audit_anchor_parse("Dec  7 18:00:01 jump CRON[1]: nothing", &a), 0);
	snprintf(line, sizeof line, "42:%sff", h);
	cr_assert_neq(audit_anchor_parse(line, &a), 0, "65 hex digits are not a SHA-256");
	snprintf(line, sizeof line, "x:%s", h);
	cr_assert_neq(audit_anchor_parse(line, &a), 0, "no seq");
	snprintf(line, sizeof line, "0:%s", h);
	cr_assert_neq(audit_anchor_parse(line, &a), 0, "events start at 1");
}

/* Types are part of what verify checks: the untyped form hashed an at
 * stored as a REAL or a uid past 2^32 as the value it had. The CHECKs
 * refuse them; verify names a row written around the CHECKs. */
Test(store, audit_verify_names_a_retyped_row)
{
	struct irk_err err = { 0 };
	struct audit_result r;
	sqlite3 *raw;
	char *path = tmp_path("irk.db");

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(audit_append(s, "alice", i ? 1 : 0, "test.t", NULL, NULL, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(audit_verify(s, &r, &err), IRK_OK, "%s", r.reason);
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_neq(sqlite3_exec(raw, "INSERT INTO events VALUES (5, 1.5, 'a', 0, NULL, 'k', "
				   "'{}', '', '', 2)", NULL, NULL, NULL), SQLITE_OK, "CHECK");
	cr_assert_eq(sqlite3_exec(raw, "DROP TRIGGER events_no_update; "
				  "PRAGMA ignore_check_constraints = 1; "
				  "UPDATE events SET uid = uid + 4294967296 WHERE seq = 3",
				  NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	cr_assert_eq(audit_verify(s, &r, &err), IRK_REFUSED);
	cr_assert_eq(r.bad_seq, 3);
	cr_assert(strstr(r.reason, "is not a uid"), "%s", r.reason);
	free(path);
}

/* Anchors: each must match its event; the first that does not is named. */
Test(store, audit_verify_against_anchors)
{
	struct irk_err err = { 0 };
	struct audit_result r;
	struct audit_anchor a[2];

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(audit_append(s, "alice", 0, "test.t", NULL, NULL, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(audit_verify(s, &r, &err), IRK_OK);
	a[0].seq = 5;
	irk_strlcpy(a[0].hash, r.head, sizeof a[0].hash);
	a[1].seq = 2;
	memset(a[1].hash, 'a', sizeof a[1].hash - 1);
	a[1].hash[sizeof a[1].hash - 1] = '\0';
	cr_assert_eq(audit_verify_anchors(s, a, 1, &r, &err), IRK_OK, "%s", r.reason);
	cr_assert_eq(r.anchored, 1);
	cr_assert_eq(r.anchor_seq, 5);
	cr_assert_eq(audit_verify_anchors(s, a, 2, &r, &err), IRK_REFUSED);
	cr_assert_eq(r.bad_seq, 2, "sorted: the earlier anchor is checked first");
	a[0].seq = 9;
	cr_assert_eq(audit_verify_anchors(s, a, 1, &r, &err), IRK_REFUSED);
	cr_assert_eq(r.bad_seq, 6, "an anchor past the end: events were removed");
}

struct waiter {
	struct store *s;
	int rc;
};

static void *wait_and_write(void *arg)
{
	struct waiter *w = arg;
	struct irk_err err = { 0 };

	w->rc = store_begin(w->s, &err);
	if (!w->rc)
		w->rc = store_commit(w->s, &err);
	return NULL;
}

/* Issue 17: a bulk writer keeps its transaction while nobody waits, so
 * it must see an irk connection that waits for the write lock, even one
 * in its own process (the engine's threads), and stop seeing it once
 * that wait is over. */
Test(store, a_waiting_writer_is_seen_by_the_one_holding_the_lock, .timeout = 20)
{
	struct store *other = tmp_store("irk.db");
	struct waiter w = { other, -1 };
	struct irk_err err = { 0 };
	pthread_t t;
	int seen = 0;

	cr_expect_eq(store_writer_waiting(s), 0, "nobody waits yet");
	cr_assert_eq(store_begin(s, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(store_writer_waiting(s), 0, "holding the lock is not waiting");
	cr_assert_eq(pthread_create(&t, NULL, wait_and_write, &w), 0);
	for (int i = 0; i < 1000 && !seen; i++) {
		seen = store_writer_waiting(s);
		if (!seen)
			usleep(5000);
	}
	cr_expect_eq(seen, 1, "the other connection waits for the lock: seen");
	cr_assert_eq(store_commit(s, &err), IRK_OK, "%s", err.msg);
	pthread_join(t, NULL);
	cr_expect_eq(w.rc, IRK_OK, "the waiting write lands once the lock is let go");
	cr_expect_eq(store_writer_waiting(s), 0, "its wait is over: no longer seen");
	cr_expect_eq(store_writer_waiting(other), 0);
	store_close(&other);
}

/* ---- XMPP delivery: the lease, the messages due, their states ------------------ */

/* The text of the first column of the first row of sql (the test's own
 * reading, beside the store's), in a static buffer. */
static const char *sql_text(struct store *st, const char *sql)
{
	static char buf[256];
	sqlite3_stmt *q;

	cr_assert_eq(sqlite3_prepare_v2(st->db, sql, -1, &q, NULL), SQLITE_OK);
	buf[0] = '\0';
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
		snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return buf;
}

static int collect_ids(const struct outbox_row *o, void *arg)
{
	strbuf_printf(arg, "%lld ", (long long)o->id);
	return 0;
}

static void add_jid(const char *jid, void *arg)
{
	strbuf_printf(arg, "%s ", jid);
}

/* One holder at a time; the same owner renews; a lease run out is taken
 * over; dropped, it is free. */
Test(store, xmpp_lease_one_holder)
{
	struct irk_err err = { 0 };

	cr_assert_eq(store_lease_take(s, "xmpp", "a:1", 1000, 15, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_lease_take(s, "xmpp", "b:2", 1005, 15, &err), IRK_CONFLICT);
	cr_assert(strstr(err.msg, "a:1"), "names the holder: %s", err.msg);
	cr_assert_eq(store_lease_take(s, "xmpp", "a:1", 1010, 15, &err), IRK_OK, "renewed");
	cr_assert_eq(store_lease_take(s, "xmpp", "b:2", 1024, 15, &err), IRK_CONFLICT,
		     "the renewal counts from 1010");
	cr_assert_eq(store_lease_take(s, "xmpp", "b:2", 1026, 15, &err), IRK_OK,
		     "run out: taken over");
	cr_assert_eq(store_lease_take(s, "xmpp", "a:1", 1027, 15, &err), IRK_CONFLICT);
	cr_assert_eq(store_lease_drop(s, "xmpp", "a:1", &err), IRK_OK);
	cr_assert_eq(store_lease_take(s, "xmpp", "a:1", 1028, 15, &err), IRK_CONFLICT,
		     "only the holder drops it");
	cr_assert_eq(store_lease_drop(s, "xmpp", "b:2", &err), IRK_OK);
	cr_assert_eq(store_lease_take(s, "xmpp", "a:1", 1029, 15, &err), IRK_OK);
}

/* Due messages oldest first; a retried one waits for its time; after the
 * last try it is failed with the reason; a sent one is never due again. */
Test(store, xmpp_outbox_due_retry_failed)
{
	struct irk_err err = { 0 };
	struct strbuf got = STRBUF_INIT;
	int64_t a, b, c;
	int tries;

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_outbox_add(s, 0, 0, "ben", "one", 100, &a, &err), IRK_OK);
	cr_assert_eq(store_outbox_add(s, 0, 0, "role:senior", "two", 100, &b, &err), IRK_OK);
	cr_assert_eq(store_outbox_add(s, 0, 0, "room", "three", 100, &c, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_outbox_due(s, 0, 200, 0, collect_ids, &got, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&got), "1 2 3 ");
	cr_assert_eq(store_outbox_retry(s, b, "nobody", 300, &tries, &err), IRK_OK);
	cr_assert_eq(tries, 1);
	cr_assert_eq(store_outbox_sent(s, a, 250, &err), IRK_OK);
	strbuf_reset(&got);
	cr_assert_eq(store_outbox_due(s, 0, 299, 0, collect_ids, &got, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&got), "3 ", "1 sent, 2 waits until 300");
	strbuf_reset(&got);
	cr_assert_eq(store_outbox_due(s, 0, 300, 0, collect_ids, &got, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&got), "2 3 ");
	cr_assert_eq(store_outbox_retry(s, b, "refused by the server: item-not-found", 0, &tries,
					&err), IRK_OK);
	cr_assert_eq(tries, 2);
	strbuf_reset(&got);
	cr_assert_eq(store_outbox_due(s, 0, 9999, 0, collect_ids, &got, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&got), "3 ", "failed is never due");
	cr_assert_str_eq(sql_text(s, "SELECT state || ' ' || error FROM outbox WHERE id = 2"),
			 "failed refused by the server: item-not-found");
	cr_assert_str_eq(sql_text(s, "SELECT state || ' ' || t_sent || ' ' || attempts FROM outbox "
				  "WHERE id = 1"), "sent 250 1");
	cr_assert_eq(store_outbox_sent(s, b, 400, &err), IRK_OK);
	cr_assert_str_eq(sql_text(s, "SELECT state FROM outbox WHERE id = 2"), "failed",
			 "a late ack does not undo failed");
	strbuf_free(&got);
}

/* A recipient's JIDs: a name, or everyone of the role or above with one. */
Test(store, xmpp_recipient_jids)
{
	struct irk_err err = { 0 };
	struct strbuf got = STRBUF_INIT;
	int n;

	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "ann", ROLE_ANALYST, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "ben", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "cyd", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "dan", ROLE_ADMIN, &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "ann", "ann@x", &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "ben", "ben@x", &err), IRK_OK);
	cr_assert_eq(store_user_set_jid(s, "root", "dan", "dan@x", &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_recipient_jids(s, "role:senior", add_jid, &got, &n, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&got), "ben@x dan@x ", "cyd has no JID, ann is below");
	cr_assert_eq(n, 2);
	strbuf_reset(&got);
	cr_assert_eq(store_recipient_jids(s, "ann", add_jid, &got, &n, &err), IRK_OK);
	cr_assert_str_eq(strbuf_str(&got), "ann@x ");
	cr_assert_eq(store_recipient_jids(s, "cyd", add_jid, &got, &n, &err), IRK_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(store_recipient_jids(s, "role:nosuch", add_jid, &got, &n, &err), IRK_OK);
	cr_assert_eq(n, 0);
	strbuf_free(&got);
}
