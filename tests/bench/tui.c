/* tui: the board's benchmark. Renders the real board headless (newterm on
 * /dev/null) on a database made by mkincidents and measures
 *   - time to first frame: open the database, open the board, paint it;
 *   - key to frame: 1,000 scripted navigation keys, each handled and the
 *     frame painted, p50 / p99 / max (the script goes to the ends of long
 *     columns: the board reads its window there);
 *   - a reload after another process's change (a second connection
 *     writes, the board's timer sees it), median of 20;
 *   - peak RSS of the process.
 * The baseline (sqlite3 running the board's queries) is run-tui.sh's.
 * Times are wall clock and, beside them, this thread's CPU time: the
 * machine is shared, and CPU time shows what the board itself costs when
 * other processes take the cores.
 * Prints one "name value" per line for run-tui.sh.
 *   tui DB
 *
 * With --paced (issue 10: a slow source must not freeze the board), the
 * keys are typed as a person would, one every PACE_MS, while the board's
 * timer runs as in the real loop (a tick every half [ui] refresh: a
 * reload when the data changed); a key's time runs from the moment it is
 * "pressed" to its frame painted, so a reload under way when it comes
 * counts against it. With CONF, the context worker of its [context.*]
 * sources runs in this process, sweeping the open incidents (irk serve's
 * mode: every answer written to the database, criticality and priority
 * fed, the board reloading after them); the keys start once the first
 * answer is cached. Without CONF, the same keys with no source: the
 * baseline. Prints key_p50_ms, key_p99_ms, key_max_ms, key_cpu_p99_ms,
 * ticks (the timer's: how many, p50 and max of their time), keys_late
 * (keys whose handling began over 1 ms after their press), and with CONF cached_before / cached_after (answers
 * cached when the keys started and ended: the worker was enriching).
 *   tui --paced DB [CONF] */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <curses.h>

#include "irk/app.h"
#include "irk/config.h"
#include "irk/context.h"
#include "irk/store.h"
#include "irk/tui.h"
#include "irk/tui_actions.h"

#define KEYS 1000
/* --paced: a key every PACE_MS (a fast typist, or a held-down j). */
#define PACE_MS 10

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

static void sleep_until_ms(double t)
{
	struct timespec ts = { (time_t)(t / 1e3), (long)((t - (double)(time_t)(t / 1e3) * 1e3) * 1e6) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
		;
}

static long cached(struct store *s)
{
	return (long)store_scalar(s, "SELECT count(*) FROM context_cache");
}

static void print_keys(double *keys, double *keys_cpu)
{
	qsort(keys, KEYS, sizeof keys[0], cmp_double);
	qsort(keys_cpu, KEYS, sizeof keys_cpu[0], cmp_double);
	printf("key_p50_ms %.3f\n", keys[KEYS / 2]);
	printf("key_p99_ms %.3f\n", keys[KEYS * 99 / 100]);
	printf("key_max_ms %.3f\n", keys[KEYS - 1]);
	printf("key_cpu_p50_ms %.3f\n", keys_cpu[KEYS / 2]);
	printf("key_cpu_p99_ms %.3f\n", keys_cpu[KEYS * 99 / 100]);
}

/* tui --paced DB [CONF]: see the top of the file. */
static int paced(const char *db, const char *conf)
{
	struct app c = { 0 };
	struct irk_err err = { 0 };
	struct context_sources *srcs = NULL;
	struct context_worker *w = NULL;
	struct tui *t;
	double keys[KEYS], keys_cpu[KEYS], start, next_tick, interval, tick_ms[KEYS / 10 + 64];
	long before = 0, after = 0, ticks = 0, late = 0;
	int64_t refresh;

	c.db_opt = db;
	c.cfg = config_new();
	if ((conf && (config_load(c.cfg, conf, 0, &err) || context_sources_load(c.cfg, &srcs, &err))) ||
	    app_store_open(&c, 0, &err) || !(t = tui_open_headless(&c, 80, 24, &err))) {
		fprintf(stderr, "tui bench: %s\n", err.msg);
		return 1;
	}
	/* The real loop's interval (tui.c refresh_ms): half [ui] refresh,
	 * 100 to 500 ms. */
	refresh = config_settings(c.cfg)->ui.refresh * 1000 / 2;
	interval = refresh < 100 ? 100 : refresh > 500 ? 500 : (double)refresh;
	if (conf) {
		if (!context_sources_count(srcs) ||
		    !(w = context_worker_start(c.db_path, srcs, 1, NULL, NULL))) {
			fprintf(stderr, "tui bench: no context source in %s, or no worker\n", conf);
			return 1;
		}
		/* The keys start when the enrichment has (deadline 30 s). */
		for (double dl = now_ms() + 30e3; !(before = cached(c.store)); ) {
			if (now_ms() > dl) {
				fprintf(stderr, "tui bench: no answer cached in 30 s\n");
				return 1;
			}
			sleep_until_ms(now_ms() + 5);
		}
	}
	tui_render(t);
	start = now_ms();
	next_tick = start + interval;
	for (int i = 0; i < KEYS; i++) {
		double pressed = start + (double)(i + 1) * PACE_MS, kc;

		/* Until the key comes, the loop's timer: a tick (and the
		 * reload it finds due) may still run when the key comes. */
		while (next_tick <= pressed) {
			double t0;

			sleep_until_ms(next_tick);
			t0 = now_ms();
			tui_tick(t);
			tui_render(t);
			if (ticks < (long)(sizeof tick_ms / sizeof tick_ms[0]))
				tick_ms[ticks] = now_ms() - t0;
			ticks++;
			next_tick += interval;
		}
		sleep_until_ms(pressed);
		late += now_ms() - pressed > 1;
		kc = cpu_ms();
		tui_feed_key(t, script_key(i));
		tui_render(t);
		keys[i] = now_ms() - pressed;
		keys_cpu[i] = cpu_ms() - kc;
	}
	if (w)
		after = cached(c.store);
	context_worker_stop(&w);
	context_sources_free(&srcs);
	tui_close(&t);
	print_keys(keys, keys_cpu);
	printf("ticks %ld\n", ticks);
	if (ticks > (long)(sizeof tick_ms / sizeof tick_ms[0]))
		ticks = (long)(sizeof tick_ms / sizeof tick_ms[0]);
	qsort(tick_ms, (size_t)ticks, sizeof tick_ms[0], cmp_double);
	printf("tick_p50_ms %.3f\n", ticks ? tick_ms[ticks / 2] : 0);
	printf("tick_max_ms %.3f\n", ticks ? tick_ms[ticks - 1] : 0);
	/* Keys whose handling began over 1 ms after their press: a tick
	 * (a reload) was under way, or the process was not scheduled. */
	printf("keys_late %ld\n", late);
	if (conf) {
		printf("cached_before %ld\n", before);
		printf("cached_after %ld\n", after);
	}
	app_close(&c);
	return 0;
}

int main(int argc, char **argv)
{
	struct app c = { 0 };
	struct irk_err err = { 0 };
	struct store *other;
	struct tui *t;
	struct rusage ru;
	double first, first_cpu, t0, c0, keys[KEYS], keys_cpu[KEYS], reloads[20], reloads_cpu[20];

	setlocale(LC_ALL, "");
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "--paced"))
		return paced(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc != 2) {
		fprintf(stderr, "usage: tui DB | tui --paced DB [CONF]\n");
		return 2;
	}
	t0 = now_ms();
	c0 = cpu_ms();
	c.db_opt = argv[1];
	c.cfg = config_new();
	if (app_store_open(&c, 0, &err) || !(t = tui_open_headless(&c, 80, 24, &err))) {
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
	/* Another process's change: a second connection touches an
	 * incident; the board's timer sees the new data version. */
	if (store_open(&other, argv[1], 0, &err)) {
		fprintf(stderr, "tui bench: %s\n", err.msg);
		return 1;
	}
	for (int i = 0; i < 20; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "UPDATE incidents SET t_updated = t_updated + 1 "
			 "WHERE id = %d", 1 + i);
		store_scalar(other, sql);
		double r0 = now_ms(), rc = cpu_ms();
		tui_tick(t);
		tui_render(t);
		reloads[i] = now_ms() - r0;
		reloads_cpu[i] = cpu_ms() - rc;
	}
	store_close(&other);
	tui_close(&t);
	getrusage(RUSAGE_SELF, &ru);
	qsort(reloads, 20, sizeof reloads[0], cmp_double);
	qsort(reloads_cpu, 20, sizeof reloads_cpu[0], cmp_double);
	printf("first_frame_ms %.2f\n", first);
	printf("first_frame_cpu_ms %.2f\n", first_cpu);
	print_keys(keys, keys_cpu);
	printf("reload_ms %.2f\n", reloads[10]);
	printf("reload_cpu_ms %.2f\n", reloads_cpu[10]);
	printf("peak_rss_kib %ld\n", ru.ru_maxrss);
	app_close(&c);
	return 0;
}
