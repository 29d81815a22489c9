/* app.c: the context both front ends share: options, configuration, the
 * store and the acting user. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/app.h"
#include "irk/config.h"
#include "irk/identity.h"
#include "irk/secret.h"
#include "irk/trust.h"
#include "irk/store.h"
#include "irk/strbuf.h"

/* The jump box's paths, compiled in (make IRK_SYSCONFDIR= IRK_STATEDIR=). */
#ifndef IRK_SYSCONFDIR
#define IRK_SYSCONFDIR "/etc/irk"
#endif
#ifndef IRK_STATEDIR
#define IRK_STATEDIR "/var/lib/irk"
#endif

const char *app_system_db(void)
{
	return IRK_STATEDIR "/irk.db";
}

const char *app_system_config(void)
{
	return IRK_SYSCONFDIR "/irk.conf";
}

int app_shared(void)
{
	return identity_setgid();
}

/* A setting that would point the setgid irk somewhere else: refused. */
static int shared_refuse(const char *what, const char *value, const char *want,
			 struct irk_err *err)
{
	if (!value || !*value || (want && !strcmp(value, want)))
		return 0;
	return irk_fail(err, IRK_REFUSED,
			"%s is refused: this irk reaches the shared database %s with the "
			"configuration %s only; unset it", what, app_system_db(), app_system_config());
}

int app_shared_check(const struct app *a, struct irk_err *err)
{
	if (!app_shared())
		return 0;
	umask(007);
	/* The real group becomes the effective one too: access(2), which
	 * sqlite uses to look for a -wal or -journal, checks the real ids,
	 * and the analyst's own group cannot reach the state directory. */
	if (getgid() != getegid() && setregid(getegid(), getegid()))
		return irk_fail(err, IRK_ERROR, "setregid: %s", strerror(errno));
	/* The irk group's files are the installation's, not another user's. */
	trust_group_set(getegid());
	if (shared_refuse("--db", a->db_opt, app_system_db(), err) ||
	    shared_refuse("IRK_DB", getenv("IRK_DB"), app_system_db(), err) ||
	    shared_refuse("--config", a->config_opt, app_system_config(), err) ||
	    shared_refuse("IRK_CONFIG", getenv("IRK_CONFIG"), app_system_config(), err) ||
	    shared_refuse("IRK_PLAYS", getenv("IRK_PLAYS"), NULL, err))
		return IRK_REFUSED;
	return 0;
}

static int mkdir_p(char *path, mode_t mode)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int app_state_path(const char *name, char *buf, size_t n)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir;
	int rc;

	if (x && *x)
		snprintf(buf, n, "%s/irk/%s", x, name);
	else if (home && *home)
		snprintf(buf, n, "%s/.local/state/irk/%s", home, name);
	else
		return -1;
	dir = xstrdup(buf);
	rc = mkdir_p(dir, 0700);
	free(dir);
	return rc;
}

const char *app_db_path(struct app *a)
{
	const char *env = getenv("IRK_DB");

	if (app_shared())
		irk_strlcpy(a->db_path, app_system_db(), sizeof a->db_path);
	else if (a->db_opt)
		irk_strlcpy(a->db_path, a->db_opt, sizeof a->db_path);
	else if (env && *env)
		irk_strlcpy(a->db_path, env, sizeof a->db_path);
	else {
		const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
		if (x && *x)
			snprintf(a->db_path, sizeof a->db_path, "%s/irk/irk.db", x);
		else
			snprintf(a->db_path, sizeof a->db_path, "%s/.local/share/irk/irk.db",
				 home && *home ? home : ".");
	}
	return a->db_path;
}

int app_db_dir(struct app *a, struct irk_err *err)
{
	app_db_path(a);
	if (mkdir_p(a->db_path, 0700))
		return irk_fail(err, IRK_ERROR, "cannot create the directory of %s: %s", a->db_path,
				strerror(errno));
	return 0;
}

int app_config_load(struct app *a, struct irk_err *err)
{
	const char *env = getenv("IRK_CONFIG");
	char path[4096];

	int rc;

	/* Before anything runs a program or starts a thread: the secrets of
	 * the environment leave it, and the process holding them (and the
	 * config's) cannot be read by the user's other processes. */
	secret_capture(1);
	if (!a->cfg)
		a->cfg = config_new();
	if ((rc = app_shared_check(a, err)))
		return rc;
	if (app_shared())
		return config_load(a->cfg, app_system_config(), 1, err);
	if (a->config_opt)
		return config_load(a->cfg, a->config_opt, 0, err);
	if (env && *env)
		return config_load(a->cfg, env, 0, err);
	return config_load(a->cfg, config_default_path(path, sizeof path), 1, err);
}

int app_store_open(struct app *a, int create, struct irk_err *err)
{
	int rc;

	if (a->store)
		return 0;
	if ((rc = app_shared_check(a, err)))
		return rc;
	app_db_path(a);
	if (create && (rc = app_db_dir(a, err)))
		return rc;
	if ((rc = store_open(&a->store, a->db_path, create ? STORE_CREATE : 0, err)))
		return rc;
	/* After the open: the file exists, and its owner decides IRK_USER. */
	if ((rc = identity_bind(a->db_path, err))) {
		store_close(&a->store);
		return rc;
	}
	actor_load(a->store, &a->actor);
	return 0;
}

void app_close(struct app *a)
{
	store_close(&a->store);
	config_free(&a->cfg);
}
