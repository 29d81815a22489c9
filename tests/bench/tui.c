/* tui: the board's benchmark. Renders the real board headless (newterm on
 * /dev/null) on a database made by mkincidents and measures
 *   - the baseline: the same reads done raw through the store, no board
 *     (counts, every open stage, the first page of closed, the waiting
 *     aggregate), best of 5;
 *   - time to first frame: open the board and paint it once;
 *   - key to frame: 1,000 scripted navigation keys, each handled and the
 *     frame painted, p50 / p99 / max;
 *   - a reload (what another process's change costs), median of 20;
 *   - peak RSS of the process.
 * Times are wall clock and, beside them, this thread's CPU time: the
 * machine is shared, and CPU time shows what the board itself costs when
 * other processes take the cores.
 * Prints one "name value" per line for run-tui.sh.
 *   tui DB */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <curses.h>

#include "irk/app.h"
#include "irk/config.h"
#include "irk/store.h"
#include "irk/tui.h"
#include "irk/tui_actions.h"

#define KEYS 1000

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
static double cpu_ms(void) { return clock_ms(CLOCK_THREAD_CPUTIME_ID); }

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int count_inc(const struct incident *inc, void *arg)
{
	(void)inc;
	++*(long *)arg;
	return 0;
}

static int count_id(int64_t id, void *arg)
{
	(void)id;
	++*(long *)arg;
	return 0;
}

/* What the board reads, without the board; *cpu gets the CPU time. */
static double raw_reads(struct store *s, long *rows, double *cpu)
{
	struct irk_err err = { 0 };
	int64_t counts[STAGE_COUNT];
	double t0 = now_ms(), c0 = cpu_ms();

	*rows = 0;
	if (store_begin_read(s, &err) || store_incident_counts(s, counts, &err))
		goto fail;
	for (int st = 0; st < STAGE_COUNT; st++)
		if (store_incident_stage_each(s, st, 0, st == STAGE_CLOSED ? 300 : 0, count_inc, rows, &err))
			goto fail;
	if (store_incident_waiting(s, count_id, rows, &err))
		goto fail;
	store_commit(s, NULL);
	*cpu = cpu_ms() - c0;
	return now_ms() - t0;
fail:
	fprintf(stderr, "tui bench: %s\n", err.msg);
	exit(1);
}

/* The script: walk down and up columns, across the board, pages, ends. */
static int script_key(int i)
{
	static const int pattern[] = {
		'j', 'j', 'j', 'j', 'j', 'j', 'j', 'j', 'l', 'j', 'j', 'j', 'k', 'k',
		TUI_KEY_FN | KEY_NPAGE, 'j', 'l', 'j', 'j', TUI_KEY_FN | KEY_PPAGE, 'h', 'h',
		'G', 'k', 'k', 'g', 'l', 'l', 'l', 'j', 'j', 'h', 'h', 'h', 'h', 'l',
		TUI_KEY_FN | KEY_DOWN, TUI_KEY_FN | KEY_RIGHT, TUI_KEY_FN | KEY_UP, TUI_KEY_FN | KEY_LEFT,
	};

	return pattern[i % (int)(sizeof pattern / sizeof pattern[0])];
}

int main(int argc, char **argv)
{
	struct app c = { 0 };
	struct irk_err err = { 0 };
	struct tui *t;
	struct rusage ru;
	double base = 1e9, base_cpu = 1e9, first, first_cpu, t0, c0, keys[KEYS], keys_cpu[KEYS],
	       reloads[20];
	long rows = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tui DB\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	c.db_opt = argv[1];
	c.cfg = config_new();
	if (app_store_open(&c, 0, &err)) {
		fprintf(stderr, "tui bench: %s\n", err.msg);
		return 1;
	}
	for (int i = 0; i < 5; i++) {
		double cpu, d = raw_reads(c.store, &rows, &cpu);
		if (d < base)
			base = d;
		if (cpu < base_cpu)
			base_cpu = cpu;
	}
	t0 = now_ms();
	c0 = cpu_ms();
	if (!(t = tui_open_headless(&c, 80, 24, &err))) {
		fprintf(stderr, "tui bench: %s\n", err.msg);
		return 1;
	}
	tui_render(t);
	first = now_ms() - t0;
	first_cpu = cpu_ms() - c0;
	for (int i = 0; i < KEYS; i++) {
		double k0 = now_ms(), kc = cpu_ms();
		tui_feed_key(t, script_key(i));
		tui_render(t);
		keys[i] = now_ms() - k0;
		keys_cpu[i] = cpu_ms() - kc;
	}
	for (int i = 0; i < 20; i++) {
		double r0 = now_ms();
		tui_feed_key(t, 12);     /* C-l: reload from the database and repaint */
		tui_render(t);
		reloads[i] = now_ms() - r0;
	}
	tui_close(&t);
	getrusage(RUSAGE_SELF, &ru);
	qsort(keys, KEYS, sizeof keys[0], cmp_double);
	qsort(keys_cpu, KEYS, sizeof keys_cpu[0], cmp_double);
	qsort(reloads, 20, sizeof reloads[0], cmp_double);
	printf("rows %ld\n", rows);
	printf("baseline_ms %.2f\n", base);
	printf("baseline_cpu_ms %.2f\n", base_cpu);
	printf("first_frame_ms %.2f\n", first);
	printf("first_frame_cpu_ms %.2f\n", first_cpu);
	printf("key_p50_ms %.3f\n", keys[KEYS / 2]);
	printf("key_p99_ms %.3f\n", keys[KEYS * 99 / 100]);
	printf("key_max_ms %.3f\n", keys[KEYS - 1]);
	printf("key_cpu_p50_ms %.3f\n", keys_cpu[KEYS / 2]);
	printf("key_cpu_p99_ms %.3f\n", keys_cpu[KEYS * 99 / 100]);
	printf("reload_ms %.2f\n", reloads[10]);
	printf("peak_rss_kib %ld\n", ru.ru_maxrss);
	app_close(&c);
	return 0;
}
