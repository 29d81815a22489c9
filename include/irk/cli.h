/* cli.h: the command-line front end (src/cli/). Every command is a
 * function taking the parsed global context and its own arguments and
 * returning the process exit code (EXIT_*, app.h):
 *   0 success, 1 error, 2 usage, 3 partial success (some input rejected).
 * The context the board shares (options, config, store, actor) is the
 * struct app inside struct cli; the command line knows nothing of the
 * board (main.c hands cli_main() the function that runs it). */
#ifndef IRK_CLI_H
#define IRK_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "irk/app.h"
#include "irk/config.h"
#include "irk/incident.h"

struct cli {
	struct app app;             /* options, config, store (cli_store()), actor */
	int tty;                    /* stdout is a terminal */
	int width;                  /* its width, or 0 */
};

/* Options every command accepts; their ids start at 0x1000. */
enum { OPT_DB = 0x1000, OPT_CONFIG, OPT_THEME, OPT_FIRST_OWN };
#define CLI_COMMON_OPTS \
	{ "db", required_argument, NULL, OPT_DB }, \
	{ "config", required_argument, NULL, OPT_CONFIG }, \
	{ "theme", required_argument, NULL, OPT_THEME }, \
	{ "help", no_argument, NULL, 'h' }

struct cli_command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *usage;          /* "KEY STAGE [--reason TEXT] [--force]" */
	const char *summary;        /* one line for `irk --help` */
	const char *help;           /* the rest of `irk CMD --help` */
};

/* The entry point: global options and the configuration, then a command.
 * Without a command, on a terminal, board(app) runs the board (main.c
 * passes tui_main); board NULL, or no terminal, is a usage error. */
int cli_main(int argc, char **argv, int (*board)(struct app *a));

/* Handle a common option (returns 1 when it was one). 'h' prints the
 * command's help and exits 0. */
int cli_common_opt(struct cli *c, const struct cli_command *cmd, int opt, const char *arg);
/* Print "irk CMD: message" and the usage line to stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print an error from a lower layer ("irk: message"), sanitized, and
 * return the exit code for it: 2 (usage) for IRK_INVALID, a malformed
 * request; 1 for everything else, refusals included. What the user can do
 * (err->need) is added as the command or option to type. */
int cli_report(const struct irk_err *err);
/* cli_report() for a change to incident id (0: none), whose key goes into
 * the hint; hint (NULL or "": from err->need) is added in parentheses. */
int cli_report_hint(const struct irk_err *err, int64_t id, const char *hint);
/* getopt_long with the command's options, "+" semantics off (options may
 * follow arguments). Returns the option or -1. */
int cli_getopt(struct cli *c, const struct cli_command *cmd, int argc, char **argv,
		const char *shortopts, const struct option *opts);

/* app_store_open() on c->app, printing the error (with the command
 * line's hint); returns the store, or NULL. */
struct store *cli_store(struct cli *c, int create);
/* Verify the audit chain and put its head, "SEQ:HASH", into line; with
 * [audit] anchor = syslog, send it to syslog too (authpriv.notice; a
 * broken chain as authpriv.alert, and never anchored). Returns 0 (printed
 * only), 1 (sent too) or -1 with the reason in line. */
int cli_audit_anchor(struct cli *c, char *line, size_t n);
/* Find a command by name. */
const struct cli_command *cli_find(const char *name);

/* Sanitized output: text from outside goes through these. */
void cli_put(FILE *f, const char *s);
/* Like cli_put, padded or cut to exactly cols terminal columns. */
void cli_put_col(FILE *f, const char *s, int cols);
/* Like cli_put_col, but a cut shows: the last column is "\u2026" ("..." in
 * a locale that is not UTF-8). */
void cli_put_cut(FILE *f, const char *s, int cols);
/* cli_put_col() into sb (a list builds its lines there, not through
 * stdio a field at a time). */
void cli_col_append(struct strbuf *sb, const char *s, int cols);
/* A count given to option opt ("--limit"): a whole number from lo to hi
 * into *out. Returns 0, or prints a usage error naming the option and
 * returns EXIT_USAGE ("is not a count, 0 or more" when hi is INT_MAX or
 * INT64_MAX, i.e. no real bound; else "is not a number from lo to hi"). */
int cli_count(const struct cli_command *cmd, const char *opt, const char *arg,
		long long lo, long long hi, long long *out);
/* The incident key from an argument, or 0 after printing a usage error. */
int64_t cli_key(const struct cli_command *cmd, const char *arg);

/* Commands (cmd_*.c). */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_demo(struct cli *c, int argc, char **argv);
int cmd_ingest(struct cli *c, int argc, char **argv);
int cmd_quarantine(struct cli *c, int argc, char **argv);
int cmd_sensor(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_board(struct cli *c, int argc, char **argv);
int cmd_new(struct cli *c, int argc, char **argv);
int cmd_link(struct cli *c, int argc, char **argv);
int cmd_merge(struct cli *c, int argc, char **argv);
int cmd_claim(struct cli *c, int argc, char **argv);
int cmd_watch(struct cli *c, int argc, char **argv);
int cmd_move(struct cli *c, int argc, char **argv);
int cmd_note(struct cli *c, int argc, char **argv);
int cmd_split(struct cli *c, int argc, char **argv);
int cmd_close(struct cli *c, int argc, char **argv);
int cmd_set(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_user(struct cli *c, int argc, char **argv);
int cmd_config(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);
int cmd_version(struct cli *c, int argc, char **argv);
int cmd_play(struct cli *c, int argc, char **argv);
int cmd_step(struct cli *c, int argc, char **argv);
int cmd_approve(struct cli *c, int argc, char **argv);
int cmd_deny(struct cli *c, int argc, char **argv);
int cmd_outbox(struct cli *c, int argc, char **argv);
int cmd_kpi(struct cli *c, int argc, char **argv);
int cmd_query(struct cli *c, int argc, char **argv);
int cmd_maturity(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_asset(struct cli *c, int argc, char **argv);
int cmd_context(struct cli *c, int argc, char **argv);
/* An incident's context (cmd_context.c) for irk show: as the value of
 * the open key "context", or as its section of the text. */
struct jsonw;
void cli_context_json(struct cli *c, const struct incident *inc, struct jsonw *w);
void cli_context_human(struct cli *c, const struct incident *inc);

/* Plays for ingest, demo and serve (cmd_play.c): load the catalog
 * (problems of play files are printed), record its versions when the
 * store is open. With strict, a play file with an error is fatal
 * (EXIT_ERR, cat freed): its alerts would otherwise go to another play
 * unnoticed. Returns an exit code; on success the caller frees cat. */
struct play_catalog;
struct ingest_opts;
int cli_plays_load(struct cli *c, struct play_catalog *cat, int strict);
/* Match new incidents of an ingest against cat (borrowed). */
void cli_plays_hook(struct ingest_opts *o, struct play_catalog *cat);
/* The steps of an incident as irk step list shows them (w == NULL), or as
 * JSON objects appended to the open array of w. */
struct jsonw;
void cli_steps_print(struct cli *c, int64_t id, struct jsonw *w);
/* irk play test: the dry run of play `which` (an id, or a FILE) over the
 * first alert of alert_path (cmd_play_test.c), with inputs ("STEP.NAME=V"
 * or "NAME=V") and canned step outputs in responses/STEP (or NULL).
 * Returns EXIT_OK when the play matches, EXIT_ERR when not, EXIT_USAGE
 * when the play or the alert cannot be read. */
int cli_play_test(struct cli *c, const char *which, const char *alert_path, char **inputs,
		int ninputs, const char *responses, int json);
/* irk play import: the CACAO 2.0 playbook at path as an irk play, into
 * out_path (NULL: stdout), steps spread over stages (NULL: the default);
 * the report on stderr. EXIT_OK, EXIT_PARTIAL (some kept as x-cacao
 * data), EXIT_ERR (unreadable, not CACAO) or EXIT_USAGE (bad --stages).
 * (cmd_play_cacao.c) */
int cli_play_import(struct cli *c, const char *path, const char *out_path, const char *stages);
/* irk play export: play `which` (an id or a FILE) as it is, or with cacao
 * as a CACAO 2.0 playbook, into out_path (NULL: stdout). */
int cli_play_export(struct cli *c, const char *which, int cacao, const char *out_path);
/* A play file's diagnostics, one "FILE:LINE:COL: message" a line on
 * standard error (sanitized). */
struct play_diags;
void cli_play_diags(const struct play_diags *d);
/* Bring an incident's steps up to date after a move (one transaction). */
int cli_plays_advance(struct cli *c, int64_t id, const char *actor);

#endif
