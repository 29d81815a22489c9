/* app.c: the context both front ends share: options, configuration, the
 * store and the acting user. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irk/app.h"
#include "irk/config.h"
#include "irk/store.h"
#include "irk/strbuf.h"

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

const char *app_db_path(struct app *a)
{
	const char *env = getenv("IRK_DB");

	if (a->db_opt)
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

	if (!a->cfg)
		a->cfg = config_new();
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
	app_db_path(a);
	if (create && (rc = app_db_dir(a, err)))
		return rc;
	if ((rc = store_open(&a->store, a->db_path, create ? STORE_CREATE : 0, err)))
		return rc;
	actor_load(a->store, &a->actor);
	return 0;
}

void app_close(struct app *a)
{
	store_close(&a->store);
	config_free(&a->cfg);
}
