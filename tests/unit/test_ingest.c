/* test_ingest.c: the ingest pipeline (src/ingest/ingest.c) on real files
 * and databases: the line limit at its edges, blank lines and CRLF,
 * quarantine, correlation within the window, the summary counts and the
 * ingest.batch audit events, ingest_record in the caller's transaction. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "irk/audit.h"
#include "irk/clock.h"
#include "irk/ingest.h"
#include "irk/store.h"
#include "helpers/tmpstore.h"

static struct store *s;
static struct ingest_opts o;

static void setup(void)
{
	irk_clock_set(1762160000);
	s = tmp_store("i.db");
	ingest_opts_init(&o);
	o.actor = "tester";
	o.errout = NULL;
}

static void teardown(void)
{
	store_close(&s);
	tmp_cleanup();
}

TestSuite(ingest, .init = setup, .fini = teardown);

/* An EVE alert line of exactly len bytes (len >= 200), padded in the
 * signature; flow distinguishes records, minute sets the event time. */
static void eve_line(struct strbuf *out, size_t len, int flow, int minute, const char *src)
{
	size_t start = out->len, pad;
	const char *tail = "\"}}\n";

	strbuf_printf(out, "{\"timestamp\":\"2025-11-03T08:%02d:00Z\",\"flow_id\":%d,"
		      "\"event_type\":\"alert\",\"src_ip\":\"%s\",\"dest_ip\":\"10.0.0.1\","
		      "\"alert\":{\"signature_id\":7,\"signature\":\"", minute, flow, src);
	pad = len - (out->len - start) - (strlen(tail) - 1);
	strbuf_grow(out, pad);
	memset(out->buf + out->len, 'A', pad);
	out->len += pad;
	out->buf[out->len] = '\0';
	strbuf_puts(out, tail);
}

static int run(const char *name, const struct strbuf *data, struct ingest_stats *st)
{
	struct irk_err err = { 0 };
	char *path = tmp_write(name, data->buf, data->len, 0600);
	int rc;

	memset(st, 0, sizeof *st);
	rc = ingest_path(s, path, &o, st, &err);
	cr_assert_eq(rc, IRK_OK, "ingest: %s", err.msg);
	free(path);
	return rc;
}

struct qrow { int64_t line, orig_len; size_t raw_len; char reason[256]; };
struct qlist { struct qrow r[16]; int n; };

static int qcollect(const struct quarantine_row *q, void *arg)
{
	struct qlist *l = arg;

	if (l->n < 16) {
		l->r[l->n].line = q->line;
		l->r[l->n].orig_len = q->orig_len;
		l->r[l->n].raw_len = q->raw_len;
		snprintf(l->r[l->n].reason, sizeof l->r[l->n].reason, "%s", q->reason);
		l->n++;
	}
	return 0;
}

Test(ingest, the_line_limit_holds_at_every_length)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;
	struct qlist q = { .n = 0 };
	const size_t max = INGEST_MAX_LINE;

	eve_line(&in, max, 1, 0, "10.9.0.1");            /* line 1: exactly the limit: kept */
	eve_line(&in, max + 1, 2, 1, "10.9.0.2");        /* 2: one byte over */
	eve_line(&in, max + 4096, 3, 2, "10.9.0.3");     /* 3: within the read-ahead */
	eve_line(&in, max + 70000, 4, 3, "10.9.0.4");    /* 4: past the read-ahead */
	eve_line(&in, 300, 5, 4, "10.9.0.5");            /* 5: a normal line after them */
	eve_line(&in, 3 * max, 6, 5, "10.9.0.6");        /* 6: three times over, last line */
	in.len--;                                        /*    without its newline */
	run("long.json", &in, &st);
	cr_expect_eq(st.read, 6);
	cr_expect_eq(st.added, 2, "lines 1 and 5 only");
	cr_expect_eq(st.rejected, 4);
	cr_assert_eq(store_quarantine_each(s, 0, qcollect, &q, NULL), IRK_OK);
	cr_assert_eq(q.n, 4);
	int64_t want_line[4] = { 2, 3, 4, 6 };
	int64_t want_len[4] = { (int64_t)max + 1, (int64_t)max + 4096, (int64_t)max + 70000, 3 * (int64_t)max };
	for (int i = 0; i < 4; i++) {
		cr_expect_eq(q.r[i].line, want_line[i]);
		cr_expect_eq(q.r[i].orig_len, want_len[i], "line %lld: length %lld",
			     (long long)q.r[i].line, (long long)q.r[i].orig_len);
		cr_expect_eq(q.r[i].raw_len, max, "the first MiB is kept");
		cr_expect(strstr(q.r[i].reason, "over the 1048576 byte limit"), "%s", q.r[i].reason);
	}
	strbuf_free(&in);
}

Test(ingest, blank_lines_crlf_and_a_missing_last_newline)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;

	strbuf_puts(&in, "\n   \n");
	eve_line(&in, 300, 1, 0, "10.9.0.1");
	in.buf[in.len - 1] = '\r';
	strbuf_puts(&in, "\n\t\r\n");
	eve_line(&in, 300, 2, 1, "10.9.0.1");
	in.len--;
	run("crlf.json", &in, &st);
	cr_expect_eq(st.read, 2, "blank lines are not records");
	cr_expect_eq(st.added, 2);
	cr_expect_eq(st.rejected, 0);
	cr_expect_eq(st.incidents, 1, "same rule, same host, a minute apart");
	strbuf_free(&in);
}

Test(ingest, correlation_window_and_batches_are_audited)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;
	struct audit_result r;

	o.window = 600;
	o.batch = 2;
	eve_line(&in, 300, 1, 0, "10.9.0.1");
	eve_line(&in, 300, 2, 9, "10.9.0.1");     /* 9 min later: joins */
	eve_line(&in, 300, 3, 30, "10.9.0.1");    /* 21 min after that: a new incident */
	strbuf_puts(&in, "{oops\n");
	eve_line(&in, 300, 4, 31, "10.9.0.1");    /* joins the second */
	run("w.json", &in, &st);
	cr_expect_eq(st.read, 5);
	cr_expect_eq(st.added, 4);
	cr_expect_eq(st.rejected, 1);
	cr_expect_eq(st.incidents, 2);
	cr_expect_eq(store_scalar(s, "SELECT group_concat(alert_count, '') FROM incidents ORDER BY id"), 22,
		     "2 and 2 alerts");
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM events WHERE kind = 'ingest.batch'"), 3,
		     "batches of two lines: 1-2, 3-4, 5");
	cr_expect_eq(store_scalar(s, "SELECT sum(json_extract(data, '$.rejected')) FROM events "
				  "WHERE kind = 'ingest.batch'"), 1);
	cr_assert_eq(audit_verify(s, &r, NULL), IRK_OK);
	strbuf_free(&in);
}

Test(ingest, error_lines_name_the_source_and_line)
{
	struct strbuf in = STRBUF_INIT;
	struct ingest_stats st;
	char *errpath = tmp_path("err.txt");
	FILE *ef = fopen(errpath, "w+");
	char buf[512] = "";

	cr_assert_not_null(ef);
	o.errout = ef;
	eve_line(&in, 300, 1, 0, "10.9.0.1");
	strbuf_puts(&in, "[1]\n{\"timestamp\":\"2025-11-03T08:00:00Z\",\"event_type\":\"dns\"}\n");
	run("e.json", &in, &st);
	rewind(ef);
	size_t n = fread(buf, 1, sizeof buf - 1, ef);
	buf[n] = '\0';
	char *want = NULL;
	cr_assert(asprintf(&want, "%s/e.json:2: ", tmp_dir()) > 0);
	cr_expect(!strncmp(buf, want, strlen(want)), "got: %s", buf);
	/* A dns event is not an alert: skipped, so not named. */
	cr_expect(!strstr(buf, "/e.json:3:"), "got: %s", buf);
	cr_expect_eq(st.skipped, 1);
	cr_expect_eq(st.rejected, 1);
	fclose(ef);
	free(want);
	free(errpath);
	strbuf_free(&in);
}

Test(ingest, record_in_the_callers_transaction)
{
	struct irk_err err = { 0 };
	struct ingest_stats st = { 0 }, before = { 0 };
	struct strbuf in = STRBUF_INIT;
	struct ingest_ctx *c = ingest_begin(s, &o);
	int64_t id1 = 0, id2 = 0;

	eve_line(&in, 300, 1, 0, "10.9.0.1");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_expect_eq(ingest_record(c, in.buf, in.len - 1, "mem", 1, &st, &id1, &err), IRK_OK, "%s", err.msg);
	cr_expect_eq(ingest_record(c, in.buf, in.len - 1, "mem", 2, &st, &id2, &err), IRK_OK);
	cr_expect_eq(id1, 1);
	cr_expect_eq(id2, 0, "a duplicate joins nothing");
	cr_expect_eq(ingest_record(c, "{", 1, "mem", 3, &st, NULL, &err), IRK_INVALID);
	cr_expect(strstr(err.msg, "malformed JSON"), "%s", err.msg);
	cr_assert_eq(ingest_flush(c, &err), IRK_OK);
	cr_assert_eq(ingest_audit_batch(c, "mem", 1, 3, &before, &st, &err), IRK_OK);
	store_rollback(s);
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM alerts"), 0, "nothing outside the transaction");
	cr_expect_eq(store_quarantine_count(s), 0);
	cr_expect_eq(st.read, 3);
	cr_expect_eq(st.added, 1);
	cr_expect_eq(st.duplicate, 1);
	cr_expect_eq(st.rejected, 1);
	ingest_end(&c);
	cr_expect_null(c);
	strbuf_free(&in);
}

struct feeder {
	int fd;
	struct store *s;
	struct ingest_stats st;
	int rc;
};

static void *feed(void *arg)
{
	struct feeder *f = arg;
	struct irk_err err = { 0 };

	f->rc = ingest_fd(f->s, f->fd, "<pipe>", &o, &f->st, &err);
	return NULL;
}

/* Start ingest_fd() on a pipe in a thread, with first already written;
 * p[1] is the writer's end. */
static void feed_start(struct feeder *f, pthread_t *t, int p[2], const struct strbuf *first)
{
	cr_assert_eq(pipe(p), 0);
	f->fd = p[0];
	f->s = s;
	cr_assert_eq(write(p[1], first->buf, first->len), (ssize_t)first->len);
	cr_assert_eq(pthread_create(t, NULL, feed, f), 0);
}

/* Write the rest of the stream, end it and wait for the ingest. */
static void feed_end(struct feeder *f, pthread_t t, int p[2], const struct strbuf *rest)
{
	cr_assert_eq(write(p[1], rest->buf, rest->len), (ssize_t)rest->len);
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);
	cr_expect_eq(f->rc, IRK_OK);
}

/* The number of alerts another connection sees, polled (up to 4 s) until
 * it reaches want. */
static int64_t alerts_seen(struct store *other, int64_t want)
{
	int64_t seen = 0;

	for (int i = 0; i < 400 && seen < want; i++) {
		seen = store_scalar(other, "SELECT count(*) FROM alerts");
		if (seen < want)
			usleep(10000);
	}
	return seen;
}

/* `tail -F alerts.json | irk ingest -`: a slow stream is committed when it
 * pauses, not only when a batch fills or the input ends. */
Test(ingest, a_pausing_stream_is_committed_while_it_runs, .timeout = 20)
{
	struct strbuf in = STRBUF_INIT;
	struct feeder f = { 0 };
	struct store *other = tmp_store("i.db");
	pthread_t t;
	int p[2];

	eve_line(&in, 300, 1, 0, "10.9.0.1");
	strbuf_puts(&in, "{broken\n");
	feed_start(&f, &t, p, &in);
	/* Another connection sees the alert (and the quarantined line) while
	 * the writer keeps the pipe open. */
	cr_expect_eq(alerts_seen(other, 1), 1, "committed within 4 s although the stream goes on");
	cr_expect_eq(store_quarantine_count(other), 1);
	strbuf_reset(&in);
	eve_line(&in, 300, 2, 1, "10.9.0.1");
	feed_end(&f, t, p, &in);
	cr_expect_eq(f.st.added, 2);
	cr_expect_eq(f.st.rejected, 1);
	cr_expect_eq(store_scalar(other, "SELECT count(*) FROM alerts"), 2);
	store_close(&other);
	strbuf_free(&in);
}

/* A file's alerts go in groups, checked for repeats in memory while their
 * hour is new to the database, by the database otherwise (an earlier hour
 * once the stream has moved on). Either way the counts are the same, the
 * ids follow each other and every alert belongs to an incident. */
Test(ingest, repeats_are_found_in_new_and_in_stored_hours)
{
	struct strbuf in = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	struct ingest_stats st;

	o.batch = 2;
	eve_line(&a, 300, 1, 0, "10.9.0.1");                 /* 08:00 */
	eve_line(&b, 300, 2, 1, "10.9.0.1");                 /* 08:01 */
	strbuf_add(&in, a.buf, a.len);
	strbuf_add(&in, b.buf, b.len);
	strbuf_add(&in, a.buf, a.len);                       /* the hour is new: in memory */
	strbuf_puts(&in, "{\"timestamp\":\"2025-11-03T09:10:00Z\",\"flow_id\":3,\"event_type\":"
		    "\"alert\",\"src_ip\":\"10.9.0.1\",\"dest_ip\":\"10.0.0.1\",\"alert\":"
		    "{\"signature_id\":7,\"signature\":\"next hour\"}}\n");
	strbuf_add(&in, a.buf, a.len);                       /* 08:00 again, after 09:10 */
	eve_line(&in, 300, 4, 30, "10.9.0.1");               /* a new one of 08:xx, late */
	strbuf_add(&in, b.buf, b.len);
	run("r.json", &in, &st);
	cr_expect_eq(st.read, 7);
	cr_expect_eq(st.added, 4);
	cr_expect_eq(st.duplicate, 3);
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM alerts"), 4);
	cr_expect_eq(store_scalar(s, "SELECT max(id) - min(id) FROM alerts"), 3, "ids follow each other");
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM alerts a LEFT JOIN incidents i "
				  "ON i.id = a.incident_id WHERE i.id IS NULL"), 0);
	cr_expect_eq(store_scalar(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	cr_expect_eq(store_scalar(s, "SELECT sum(alert_count) FROM incidents"), 4);
	/* The same file again: every line a repeat, found by the database. */
	run("r.json", &in, &st);
	cr_expect_eq(st.added, 0);
	cr_expect_eq(st.duplicate, 7);
	strbuf_free(&in);
	strbuf_free(&a);
	strbuf_free(&b);
}

/* Between two batches of a stream another process stores an alert of the
 * hour the stream is in: the stream must notice (the hour is no longer
 * new to it) and count that alert as a repeat, not fail storing it. */
Test(ingest, another_writer_between_batches_is_noticed, .timeout = 20)
{
	struct strbuf in = STRBUF_INIT, b = STRBUF_INIT;
	struct feeder f = { 0 };
	struct store *other = tmp_store("i.db");
	struct irk_err err = { 0 };
	struct ingest_stats ost = { 0 };
	struct ingest_ctx *oc;
	pthread_t t;
	int p[2];

	eve_line(&in, 300, 1, 0, "10.9.0.1");
	eve_line(&b, 300, 2, 1, "10.9.0.1");
	feed_start(&f, &t, p, &in);
	cr_assert_eq(alerts_seen(other, 1), 1, "the first line is committed while the stream waits");
	oc = ingest_begin(other, &o);
	cr_assert_eq(store_begin(other, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(ingest_record(oc, b.buf, b.len - 1, "other", 1, &ost, NULL, &err), IRK_OK,
		     "%s", err.msg);
	cr_assert_eq(ingest_flush(oc, &err), IRK_OK);
	cr_assert_eq(store_commit(other, &err), IRK_OK);
	ingest_end(&oc);
	strbuf_reset(&in);
	strbuf_add(&in, b.buf, b.len);
	eve_line(&in, 300, 3, 2, "10.9.0.1");
	feed_end(&f, t, p, &in);
	cr_expect_eq(f.st.added, 2);
	cr_expect_eq(f.st.duplicate, 1, "stored by the other process in between");
	cr_expect_eq(store_scalar(other, "SELECT count(*) FROM alerts"), 3);
	store_close(&other);
	strbuf_free(&in);
	strbuf_free(&b);
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Issue 9, defect 1: a live stream of about 20 alerts a second held the
 * write lock about 99% of the time (a batch stayed open up to a second
 * while it waited for lines), and analysts' writes failed with "database
 * is locked". Now a batch holds the lock only while it stores lines: a
 * writer that waits at most 500 ms for it gets in every time, and a line
 * is committed soon after the input goes quiet. */
Test(ingest, a_live_stream_lets_other_writers_in, .timeout = 60)
{
	struct strbuf in = STRBUF_INIT;
	struct feeder f = { 0 };
	struct store *other = tmp_store("i.db");
	struct irk_err err = { 0 };
	int failed = 0, p[2];
	int64_t t0, waited;
	pthread_t t;

	store_busy_limit(other, 500);
	eve_line(&in, 300, 1, 0, "10.9.0.1");
	feed_start(&f, &t, p, &in);
	for (int i = 2; i <= 40; i++) {
		/* The stream's pace (20 a second), not a synchronisation. */
		usleep(50000);
		strbuf_reset(&in);
		eve_line(&in, 300, i, i % 60, "10.9.0.1");
		cr_assert_eq(write(p[1], in.buf, in.len), (ssize_t)in.len);
		if (store_begin(other, &err) || store_commit(other, &err)) {
			failed++;
			store_rollback(other);
		}
	}
	cr_expect_eq(failed, 0, "%d of 39 writes beside the stream failed: %s", failed, err.msg);
	/* The input goes quiet: the last line is committed within ~100 ms. */
	t0 = now_ms();
	cr_expect_eq(alerts_seen(other, 40), 40);
	waited = now_ms() - t0;
	cr_expect_lt(waited, 600, "the last line was committed %lld ms after the input went quiet",
		     (long long)waited);
	strbuf_reset(&in);
	feed_end(&f, t, p, &in);
	cr_expect_eq(f.st.added, 40);
	store_close(&other);
	strbuf_free(&in);
}

/* A bulk input that does not pause: lines written to a pipe 500 at a
 * time until told to stop, each from its own address, so that each
 * opens an incident (a storm). */
struct producer {
	int fd;
	int n;
	volatile int stop;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct strbuf l = STRBUF_INIT;
	char src[32];

	while (!p->stop) {
		strbuf_reset(&l);
		for (int i = 0; i < 500; i++) {
			p->n++;
			snprintf(src, sizeof src, "10.%d.%d.%d", p->n >> 16 & 255, p->n >> 8 & 255,
				 p->n & 255);
			eve_line(&l, 300, p->n, p->n % 60, src);
		}
		if (write(p->fd, l.buf, l.len) != (ssize_t)l.len)
			break;
	}
	close(p->fd);
	strbuf_free(&l);
	return NULL;
}

/* Issue 17: while no other irk writer waits, a batch of a bulk ingest
 * holds the write lock up to INGEST_TX_MAX_MS (fewer commits); one that
 * waits still gets it within INGEST_TX_MS or so, every time: twenty
 * writes that give up after 250 ms all land while the ingest runs. */
Test(ingest, a_bulk_ingest_lets_a_waiting_writer_in, .timeout = 120)
{
	struct feeder f = { 0 };
	struct producer pr = { 0 };
	struct store *other = tmp_store("i.db");
	struct irk_err err = { 0 };
	pthread_t t, pt;
	int failed = 0, p[2];
	int64_t seen = 0;

	cr_assert_eq(pipe(p), 0);
	f.fd = p[0];
	f.s = s;
	o.batch = 1 << 30;   /* time alone ends a batch */
	pr.fd = p[1];
	cr_assert_eq(pthread_create(&pt, NULL, produce, &pr), 0);
	cr_assert_eq(pthread_create(&t, NULL, feed, &f), 0);
	store_busy_limit(other, 250);
	for (int i = 0; i < 20; i++) {
		/* Each write once the ingest has committed again: it meets a
		 * batch that has just begun. */
		seen = alerts_seen(other, seen + 1);
		if (store_begin(other, &err) || store_commit(other, &err)) {
			failed++;
			store_rollback(other);
		}
	}
	pr.stop = 1;
	pthread_join(pt, NULL);
	pthread_join(t, NULL);
	close(p[0]);
	cr_expect_eq(f.rc, IRK_OK);
	cr_expect_eq(failed, 0, "%d of 20 writes beside a bulk ingest failed: %s", failed, err.msg);
	cr_expect_geq(store_scalar(other, "SELECT count(*) FROM events WHERE kind = 'ingest.batch'"), 20,
		      "the writes met twenty batches");
	cr_expect_eq(f.st.added, pr.n, "every line stored");
	store_close(&other);
}
