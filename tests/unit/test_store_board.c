/* test_store_board.c: the store functions the board reads (src/store/board.c
 * and store_incident_stage_each). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "irk/incident.h"
#include "irk/sla.h"
#include "irk/store.h"
#include "helpers/tmpstore.h"

static void fini(void) { tmp_cleanup(); }
TestSuite(store_board, .fini = fini);

static int64_t add(struct store *s, const char *title, int prio, int64_t detected)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	inc.title = strdup(title);
	inc.priority = prio;
	inc.severity = SEV_HIGH;
	inc.t_detected = detected;
	cr_assert_eq(store_begin(s, &err), 0);
	cr_assert_eq(incident_open(s, "alice", &inc, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), 0);
	int64_t id = inc.id;
	incident_clear(&inc);
	return id;
}

struct seen { int64_t ids[16]; int n; };

static int collect(const struct incident *inc, void *arg)
{
	struct seen *sn = arg;
	sn->ids[sn->n++] = inc->id;
	return sn->n == 16;
}

Test(store_board, stage_pages_in_board_order)
{
	struct store *s = tmp_store("b.db");
	struct irk_err err = { 0 };
	struct seen sn = { 0 };
	int64_t a = add(s, "a", 3, 100), b = add(s, "b", 1, 200), c = add(s, "c", 1, 150);

	cr_assert_eq(store_incident_stage_each(s, STAGE_NEW, 0, 0, collect, &sn, &err), 0);
	cr_assert_eq(sn.n, 3);
	cr_assert_eq(sn.ids[0], c);   /* P1, older first */
	cr_assert_eq(sn.ids[1], b);
	cr_assert_eq(sn.ids[2], a);
	sn.n = 0;
	cr_assert_eq(store_incident_stage_each(s, STAGE_NEW, 1, 1, collect, &sn, &err), 0);
	cr_assert_eq(sn.n, 1);
	cr_assert_eq(sn.ids[0], b);
	sn.n = 0;
	cr_assert_eq(store_incident_stage_each(s, STAGE_CONTAINMENT, 0, 0, collect, &sn, &err), 0);
	cr_assert_eq(sn.n, 0);
	cr_assert_eq(store_incident_stage_each(s, 99, 0, 0, collect, &sn, &err), IRK_INVALID);
	store_close(&s);
}

Test(store_board, closed_newest_first)
{
	struct store *s = tmp_store("b.db");
	struct irk_err err = { 0 };
	struct seen sn = { 0 };
	struct actor who = { "alice", ROLE_ADMIN };
	int64_t ids[4];

	for (int i = 0; i < 4; i++)
		ids[i] = add(s, "x", 2, 100 + i);
	/* Close 2, then 0, then 3: the newest closed comes first. */
	int order[3] = { 2, 0, 3 };
	for (int k = 0; k < 3; k++) {
		char sql[128];
		cr_assert_eq(incident_close(s, &who, ids[order[k]], RES_BENIGN, NULL, 0, 0, &err), 0,
			     "%s", err.msg);
		snprintf(sql, sizeof sql, "UPDATE incidents SET t_closed = %d WHERE id = %lld",
			 1000 + k, (long long)ids[order[k]]);
		store_scalar(s, sql);
	}
	cr_assert_eq(store_incident_stage_each(s, STAGE_CLOSED, 0, 2, collect, &sn, &err), 0);
	cr_assert_eq(sn.n, 2);
	cr_assert_eq(sn.ids[0], ids[3]);
	cr_assert_eq(sn.ids[1], ids[0]);
	store_close(&s);
}

static int count_id(int64_t id, void *arg)
{
	int64_t *got = arg;
	got[0]++;
	got[1] = id;
	return 0;
}

Test(store_board, waiting_for_a_person)
{
	struct store *s = tmp_store("b.db");
	struct irk_err err = { 0 };
	int64_t a = add(s, "a", 2, 1), b = add(s, "b", 2, 1), got[2] = { 0, 0 };
	char sql[512];

	/* a: an automated step ready (not waiting for a person); b: approval ready. */
	snprintf(sql, sizeof sql, "INSERT INTO steps(incident_id, step_id, seq, kind, stage, state) VALUES "
		 "(%lld, 'x', 1, 'exec', 'new', 'ready'), (%lld, 'y', 2, 'manual', 'new', 'done'), "
		 "(%lld, 'z', 1, 'approval', 'new', 'ready')", (long long)a, (long long)a, (long long)b);
	store_scalar(s, sql);
	cr_assert_eq(store_incident_waiting(s, count_id, got, &err), 0);
	cr_assert_eq(got[0], 1);
	cr_assert_eq(got[1], b);
	snprintf(sql, sizeof sql, "UPDATE steps SET state = 'waiting' WHERE incident_id = %lld AND step_id = 'x'",
		 (long long)a);
	store_scalar(s, sql);
	got[0] = 0;
	cr_assert_eq(store_incident_waiting(s, count_id, got, &err), 0);
	cr_assert_eq(got[0], 2);
	store_close(&s);
}

struct names { char buf[256]; };

static int list_names(const char *name, int64_t seen, void *arg)
{
	struct names *n = arg;
	strcat(n->buf, name);
	strcat(n->buf, " ");
	(void)seen;
	return 0;
}

Test(store_board, presence_heartbeat)
{
	struct store *s = tmp_store("b.db");
	struct irk_err err = { 0 };
	struct names n = { "" };

	cr_assert_eq(store_presence_beat(s, "bob", 1000, &err), 0, "%s", err.msg);
	cr_assert_eq(store_presence_beat(s, "alice", 1030, &err), 0);
	cr_assert_eq(store_presence_beat(s, "carol", 900, &err), 0);
	cr_assert_eq(store_presence_beat(s, "bob", 1040, &err), 0);   /* a later beat */
	cr_assert_eq(store_presence_list(s, 1040 - 60, list_names, &n, &err), 0);
	cr_assert_str_eq(n.buf, "alice bob ");
	cr_assert_eq(store_presence_leave(s, "bob", &err), 0);
	n.buf[0] = '\0';
	cr_assert_eq(store_presence_list(s, 0, list_names, &n, &err), 0);
	cr_assert_str_eq(n.buf, "alice carol ");
	store_close(&s);
}

static int count_only(const struct incident *inc, void *arg)
{
	(void)inc;
	++*(int *)arg;
	return 0;
}

static double page_ms(struct store *s, int stage)
{
	struct irk_err err = { 0 };
	struct timespec a, b;
	double best = 1e9;

	for (int i = 0; i < 3; i++) {
		int n = 0;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		cr_assert_eq(store_incident_stage_each(s, stage, 0, 300, count_only, &n, &err), 0);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		cr_assert_eq(n, 300);
		double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
	}
	return best;
}

/* 30,000 closed incidents and 300 new ones. */
static struct store *mostly_closed(void)
{
	struct store *s = tmp_store("b.db");
	struct irk_err err = { 0 };

	cr_assert_eq(store_begin(s, &err), 0);
	for (int i = 0; i < 30300; i++) {
		struct incident inc = { 0 };
		inc.title = "x";
		inc.priority = 1 + i % 4;
		inc.t_detected = 1000 + i;
		inc.stage = i < 30000 ? STAGE_CLOSED : STAGE_NEW;
		if (inc.stage == STAGE_CLOSED)
			inc.t_closed = 5000 + (i * 7919) % 30000;
		cr_assert_eq(store_incident_insert(s, &inc, &err), 0, "%s", err.msg);
	}
	cr_assert_eq(store_commit(s, &err), 0);
	return s;
}

/* The newest page of closed incidents is read from its own index: the
 * planner used to take the stage index instead and sort every closed row
 * (75 ms of CPU for a page of 300 out of 90,000: a slow first frame). A
 * page of closed costs about what a page of an open stage costs. */
Test(store_board, closed_page_does_not_sort_every_closed_row, .timeout = 60)
{
	struct store *s = mostly_closed();
	double closed, open;

	open = page_ms(s, STAGE_NEW);
	closed = page_ms(s, STAGE_CLOSED);
	cr_assert(closed < 10 * open + 2.0, "closed page %.2f ms, open page %.2f ms", closed, open);
	store_close(&s);
}

/* The counts in every column title (irk board, the board's reload) read the
 * open stages and the size of the table, not every closed incident: they
 * cost about what a page of an open stage costs, and they add up. */
Test(store_board, counts_do_not_read_every_closed_row, .timeout = 60)
{
	struct store *s = mostly_closed();
	int64_t counts[STAGE_COUNT];
	struct timespec a, b;
	double best = 1e9, open = page_ms(s, STAGE_NEW);

	for (int i = 0; i < 3; i++) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		cr_assert_eq(store_incident_counts(s, counts, NULL), IRK_OK);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
	}
	cr_assert_eq(counts[STAGE_NEW], 300);
	cr_assert_eq(counts[STAGE_CLOSED], 30000);
	for (int st = STAGE_NEW + 1; st < STAGE_CLOSED; st++)
		cr_assert_eq(counts[st], 0);
	cr_assert(best < open + 0.2, "counts %.2f ms, a page of 300 open %.2f ms", best, open);
	store_close(&s);
}

/* Insert an incident as given (stage, priority, owner, unit, times). */
static int64_t put(struct store *s, int stage, int prio, int64_t detected, const char *owner,
		   const char *unit, int64_t acked, int64_t closed)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	inc.title = "x";
	inc.stage = stage;
	inc.priority = prio;
	inc.severity = SEV_HIGH;
	inc.t_detected = detected;
	inc.t_acknowledged = acked;
	inc.t_closed = closed;
	inc.owner = (char *)owner;
	inc.business_unit = (char *)unit;
	if (stage == STAGE_CLOSED)
		inc.resolution = RES_BENIGN;
	cr_assert_eq(store_incident_insert(s, &inc, &err), 0, "%s", err.msg);
	return inc.id;
}

struct breaches { const struct sla_policy *pol; int64_t t, n; };

static int breached(const struct incident *inc, void *arg)
{
	struct breaches *w = arg;
	struct sla_status st;

	sla_status(w->pol, inc, w->t, &st);
	w->n += st.state == SLA_BREACHED;
	return 0;
}

/* The board's count of SLA breaches agrees with sla_status() over every
 * incident, at several moments. */
Test(store_board, breaches_counted_as_sla_status_says)
{
	struct store *s = tmp_store("b.db");
	struct sla_policy pol;
	struct irk_err err = { 0 };
	int64_t now = 1000000;

	sla_policy_load(&pol, NULL);
	cr_assert_eq(store_begin(s, &err), 0);
	for (int i = 0; i < 200; i++)
		put(s, i % STAGE_COUNT, 1 + i % 4, now - i * 1500, NULL, NULL,
		    i % 3 ? 0 : now - i * 1500 + 60, i % STAGE_COUNT == STAGE_CLOSED ? now : 0);
	store_scalar(s, "UPDATE incidents SET t_contained = t_detected + 10 WHERE id % 11 = 0");
	cr_assert_eq(store_commit(s, &err), 0);
	int64_t least = -1, most = -1;

	for (int64_t t = now - 3600; t <= now + 86400 * 8; t += 86400 / 3) {
		struct incident_filter f = INCIDENT_FILTER_ALL;
		struct breaches want = { &pol, t, 0 };
		int64_t got = store_incident_breached(s, t, pol.ack, pol.contain, &err);
		cr_assert_eq(store_incident_each(s, &f, breached, &want, &err), 0);
		cr_assert_eq(got, want.n, "at %lld: %lld counted, sla_status says %lld",
			     (long long)t, (long long)got, (long long)want.n);
		least = least < 0 || got < least ? got : least;
		most = got > most ? got : most;
	}
	cr_assert(least < most && most > 0, "breaches grow with time: %lld to %lld",
		  (long long)least, (long long)most);
	store_close(&s);
}

struct units { char v[8][32]; int n; };

static int add_unit(const char *unit, void *arg)
{
	struct units *u = arg;
	snprintf(u->v[u->n++], sizeof u->v[0], "%s", unit);
	return 0;
}

Test(store_board, units_of_open_incidents)
{
	struct store *s = tmp_store("b.db");
	struct units u = { .n = 0 };
	struct irk_err err = { 0 };

	put(s, STAGE_NEW, 2, 10, NULL, "hr", 0, 0);
	put(s, STAGE_CONTAINMENT, 2, 10, NULL, "finance", 0, 0);
	put(s, STAGE_NEW, 2, 10, NULL, "finance", 0, 0);
	put(s, STAGE_NEW, 2, 10, NULL, NULL, 0, 0);
	put(s, STAGE_CLOSED, 2, 10, NULL, "legal", 0, 20);
	cr_assert_eq(store_unit_each(s, 0, add_unit, &u, &err), 0, "%s", err.msg);
	cr_assert_eq(u.n, 2);
	cr_assert_str_eq(u.v[0], "finance");
	cr_assert_str_eq(u.v[1], "hr");
	store_close(&s);
}

/* Where a card stands in its column is where the column's pages put it. */
Test(store_board, position_in_its_column)
{
	struct store *s = tmp_store("b.db");
	struct irk_err err = { 0 };
	int64_t ids[40];
	struct seen sn = { 0 };

	for (int i = 0; i < 20; i++)
		ids[i] = put(s, STAGE_NEW, 1 + i % 4, 100 + i / 3, NULL, NULL, 0, 0);
	for (int i = 20; i < 40; i++)
		ids[i] = put(s, STAGE_CLOSED, 2, 50, NULL, NULL, 0, 500 + i / 4);
	for (int i = 0; i < 40; i++) {
		struct incident inc;
		cr_assert_eq(store_incident_get(s, ids[i], &inc, &err), 0);
		int64_t pos = store_incident_position(s, &inc, &err);
		sn.n = 0;
		cr_assert_eq(store_incident_stage_each(s, inc.stage, pos, 1, collect, &sn, &err), 0);
		cr_assert_eq(sn.n, 1);
		cr_assert_eq(sn.ids[0], ids[i], "IR-%lld at %lld", (long long)ids[i], (long long)pos);
		incident_clear(&inc);
	}
	store_close(&s);
}

/* How many a list filter matches, with and without its page. */
Test(store_board, counts_of_a_filter)
{
	struct store *s = tmp_store("b.db");
	struct incident_filter f = INCIDENT_FILTER_ALL;
	struct irk_err err = { 0 };

	for (int i = 0; i < 30; i++)
		put(s, i % 3 ? STAGE_NEW : STAGE_IDENTIFICATION, 2, 10 + i, i % 2 ? "bob" : NULL,
		    i % 5 ? NULL : "hr", 0, 0);
	for (int i = 0; i < 7; i++)
		put(s, STAGE_CLOSED, 2, 10, "bob", NULL, 0, 20);
	f.open_only = 1;
	f.limit = 3;
	cr_assert_eq(store_incident_count(s, &f, &err), 30);
	f.owner = "bob";
	cr_assert_eq(store_incident_count(s, &f, &err), 15);
	f.owner = NULL;
	f.unassigned = 1;
	cr_assert_eq(store_incident_count(s, &f, &err), 15);
	f.unassigned = 0;
	f.business_unit = "hr";
	cr_assert_eq(store_incident_count(s, &f, &err), 6);
	f = (struct incident_filter)INCIDENT_FILTER_ALL;
	f.stage = STAGE_NEW;
	cr_assert_eq(store_incident_count(s, &f, &err), 20);
	f.owner = "bob";
	cr_assert_eq(store_incident_count(s, &f, &err), 10);
	f = (struct incident_filter)INCIDENT_FILTER_ALL;
	f.stage = STAGE_CLOSED;
	cr_assert_eq(store_incident_count(s, &f, &err), 7);
	f.stage = -1;
	cr_assert_eq(store_incident_count(s, &f, &err), 37);
	f.owner = "bob";
	cr_assert_eq(store_incident_count(s, &f, &err), -1, "every stage under a filter: no count");
	store_close(&s);
}
