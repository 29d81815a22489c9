/* test_cli_board.c: `irk board` (the text board, src/cli/cmd_incident.c) on
 * a database that is mostly closed incidents, as a mature one is. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irk/cli.h"
#include "irk/clock.h"
#include "irk/store.h"
#include "helpers/tmpstore.h"

static void fini(void) { tmp_cleanup(); }
TestSuite(cli_board, .fini = fini);

/* 40,000 closed incidents and 60 open ones, 10 in each open stage. */
static char *mostly_closed(void)
{
	struct store *s = tmp_store("b.db");
	struct irk_err err = { 0 };

	cr_assert_eq(store_begin(s, &err), 0);
	for (int i = 0; i < 40060; i++) {
		struct incident inc = { 0 };
		inc.title = "x";
		inc.priority = 1 + i % 4;
		inc.t_detected = 1762160000 - 100000 + i;
		inc.stage = i < 40000 ? STAGE_CLOSED : (i - 40000) % STAGE_CLOSED;
		if (inc.stage == STAGE_CLOSED)
			inc.t_closed = inc.t_detected + 60;
		cr_assert_eq(store_incident_insert(s, &inc, &err), 0, "%s", err.msg);
	}
	cr_assert_eq(store_commit(s, &err), 0);
	store_close(&s);
	return tmp_path("b.db");
}

/* CPU milliseconds of `irk --db DB CMD`, output to out (best of three). */
static double run_ms(const char *db, const char *cmd, const char *out)
{
	double best = 1e9;

	for (int i = 0; i < 3; i++) {
		char *argv[] = { "irk", "--db", (char *)db, (char *)cmd, NULL };
		struct timespec a, b;

		cr_assert_not_null(freopen(out, "w", stdout));
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		int rc = cli_main(4, argv, NULL);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		fflush(stdout);
		cr_assert_eq(rc, 0, "irk %s exited %d", cmd, rc);
		double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
	}
	return best;
}

/* Each open column used to be read with a scan and sort of every incident,
 * closed ones included (a tenth of a second at 100,000): the board now
 * costs about what listing the open incidents costs. */
Test(cli_board, open_columns_do_not_read_every_closed_incident, .timeout = 60)
{
	char *db = mostly_closed(), *out = tmp_path("out.txt");
	char line[256];
	int cards = 0, header = 0;
	FILE *f;

	setenv("IRK_USER", "alice", 1);
	unsetenv("IRK_CONFIG");
	setenv("XDG_CONFIG_HOME", tmp_dir(), 1);   /* no irk.conf: the defaults */
	irk_clock_set(1762160000);
	double list = run_ms(db, "list", out);
	double board = run_ms(db, "board", out);
	cr_assert_not_null(f = fopen(out, "r"));
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "irk board: 60 open, 40000 closed", 32))
			header = 1;
		if (!strncmp(line, "  IR-", 5))
			cards++;
	}
	fclose(f);
	cr_assert(header, "the counts line");
	cr_assert_eq(cards, 60, "every open incident, no closed one");
	cr_assert(board < 2 * list + 3, "irk board %.1f ms of CPU, irk list %.1f ms", board, list);
	free(db);
	free(out);
}
