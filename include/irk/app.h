/* app.h: what both front ends share (src/app/), below them both: the
 * options every invocation takes, the configuration, the open store and
 * the acting user. The command line (cli.h) and the board (tui.h) each
 * run on a struct app and never on each other; only main.c knows both.
 *
 * Nothing here prints: failures come back as a status with a message
 * (err.h), and each front end says it in its own terms. */
#ifndef IRK_APP_H
#define IRK_APP_H

#include "irk/err.h"
#include "irk/incident.h"

struct config;
struct store;

/* The process's exit codes (both front ends):
 *   0 success, 1 error, 2 usage, 3 partial success (some input rejected). */
enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3 };

struct app {
	const char *db_opt;         /* --db (borrowed), or NULL */
	const char *config_opt;     /* --config (borrowed), or NULL */
	const char *theme_opt;      /* --theme (borrowed), or NULL */
	char db_path[4096];         /* filled by app_db_path() */
	struct config *cfg;         /* owned; app_config_load() */
	struct store *store;        /* owned; app_store_open() */
	struct actor actor;         /* loaded with the store */
};

/* The shared (jump-box) mode: irk runs setgid (identity_setgid()). Then
 * the database is app_system_db() and the configuration
 * app_system_config() (compiled-in paths under IRK_STATEDIR and
 * IRK_SYSCONFDIR), the umask is 007, no step runs in this process and
 * IRK_USER is refused. Nonzero in that mode. */
int app_shared(void);
const char *app_system_db(void);
const char *app_system_config(void);
/* In the shared mode: set the umask and the real group to the effective
 * one (sqlite's access(2) checks), and refuse --db, $IRK_DB, --config,
 * $IRK_CONFIG naming other files and any $IRK_PLAYS (IRK_REFUSED, saying
 * what to unset). 0 otherwise. app_config_load() and app_store_open()
 * call it. */
int app_shared_check(const struct app *a, struct irk_err *err);
/* The database path into a->db_path (app_system_db() in the shared mode, else --db, $IRK_DB, else
 * $XDG_DATA_HOME/irk/irk.db, else ~/.local/share/irk/irk.db); returns it. */
const char *app_db_path(struct app *a);
/* Create the directories above the database path (mode 0700 for new
 * ones). 0, or IRK_ERROR naming the path. */
int app_db_dir(struct app *a, struct irk_err *err);
/* The path of the user's state file name ($XDG_STATE_HOME/irk/NAME, else
 * ~/.local/state/irk/NAME) into buf, its directory created (0700): 0, or
 * -1 (no home, or the directory cannot be made). */
int app_state_path(const char *name, char *buf, size_t n);
/* Load the configuration into a->cfg: app_system_config() in the shared
 * mode (may be missing), else --config, else $IRK_CONFIG (both
 * must exist), else the default path (may be missing: defaults). 0, or the
 * loader's status; a->cfg holds the defaults either way. First it takes
 * the IRK_SECRET_* out of the environment and makes the process
 * non-dumpable (secret_capture): call it before any thread or child. */
int app_config_load(struct app *a, struct irk_err *err);
/* Open the database at app_db_path() (creating it and its directories
 * when create is set), decide whether IRK_USER may name the actor
 * (identity_bind(): refused, the store closed again, when it may not) and
 * load the acting user. Does nothing when the
 * store is already open. 0, or the store's status (a missing database
 * says NEED_DATABASE). */
int app_store_open(struct app *a, int create, struct irk_err *err);
/* Close the store and free the configuration; a can be used again. */
void app_close(struct app *a);

#endif
