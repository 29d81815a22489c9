/* test_app.c: the context both front ends run on (src/app/): where the
 * database is, the configuration, the store and the acting user. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/app.h"
#include "irk/config.h"
#include "irk/identity.h"
#include "irk/store.h"
#include "helpers/tmpstore.h"

static void init(void)
{
	unsetenv("IRK_DB");
	unsetenv("IRK_CONFIG");
	setenv("IRK_USER", "alice", 1);
	setenv("XDG_CONFIG_HOME", tmp_dir(), 1);
}
static void fini(void) { tmp_cleanup(); }
TestSuite(app, .init = init, .fini = fini);

Test(app, the_database_is_the_option_then_irk_db_then_xdg_then_home)
{
	struct app a = { 0 };

	setenv("HOME", "/home/h", 1);
	unsetenv("XDG_DATA_HOME");
	cr_assert_str_eq(app_db_path(&a), "/home/h/.local/share/irk/irk.db");
	setenv("XDG_DATA_HOME", "/x", 1);
	cr_assert_str_eq(app_db_path(&a), "/x/irk/irk.db");
	setenv("IRK_DB", "/env.db", 1);
	cr_assert_str_eq(app_db_path(&a), "/env.db");
	a.db_opt = "/opt.db";
	cr_assert_str_eq(app_db_path(&a), "/opt.db");
	cr_assert_str_eq(a.db_path, "/opt.db");
}

Test(app, a_missing_database_says_so_and_what_to_do)
{
	struct app a = { 0 };
	struct irk_err err = { 0 };
	char *path = tmp_path("nowhere/irk.db");

	a.db_opt = path;
	cr_assert_eq(app_store_open(&a, 0, &err), IRK_NOTFOUND);
	cr_assert_eq(err.need, NEED_DATABASE);
	cr_assert(strstr(err.msg, "no database here"), "%s", err.msg);
	cr_assert_null(a.store);
	app_close(&a);
	free(path);
}

Test(app, create_makes_the_directories_and_loads_the_actor)
{
	struct app a = { 0 };
	struct irk_err err = { 0 };
	char *path = tmp_path("deep/er/irk.db");
	struct store *s;
	struct stat st;

	a.db_opt = path;
	cr_assert_eq(app_store_open(&a, 1, &err), 0, "%s", err.msg);
	cr_assert_not_null(s = a.store);
	cr_assert_str_eq(a.actor.name, "alice");
	cr_assert_eq(stat(path, &st), 0);
	/* Already open: the same store. */
	cr_assert_eq(app_store_open(&a, 0, &err), 0);
	cr_assert_eq(a.store, s);
	app_close(&a);
	cr_assert_null(a.store);
	cr_assert_null(a.cfg);
	free(path);
}

Test(app, the_configuration_is_the_option_then_irk_config_then_the_default)
{
	struct app a = { 0 };
	struct irk_err err = { 0 };
	char *opt = tmp_write("opt.conf", "[ui]\ntheme = light\n", 19, 0600);
	char *env = tmp_write("env.conf", "[ui]\ntheme = mono\n", 18, 0600);

	/* No file at the default path: the defaults. */
	cr_assert_eq(app_config_load(&a, &err), 0, "%s", err.msg);
	cr_assert_not_null(a.cfg);
	app_close(&a);
	setenv("IRK_CONFIG", env, 1);
	cr_assert_eq(app_config_load(&a, &err), 0, "%s", err.msg);
	cr_assert_str_eq(config_get(a.cfg, "ui.theme"), "mono");
	app_close(&a);
	a.config_opt = opt;
	cr_assert_eq(app_config_load(&a, &err), 0, "%s", err.msg);
	cr_assert_str_eq(config_get(a.cfg, "ui.theme"), "light");
	app_close(&a);
	/* Named, it must exist. */
	a.config_opt = "/no/such/irk.conf";
	cr_assert_neq(app_config_load(&a, &err), 0);
	cr_assert(strstr(err.msg, "/no/such/irk.conf"), "%s", err.msg);
	cr_assert_not_null(a.cfg, "the defaults stay usable");
	app_close(&a);
	free(opt);
	free(env);
}

/* Issue 9, defect 3: IRK_USER named anyone on any database ("IRK_USER=alice
 * irk user add bob --role admin" for any OS user). It is honoured only on
 * a database the real uid owns; elsewhere it is refused and the actor is
 * the login. (Needs a file owned by another uid: root chowns it.) */
Test(app, irk_user_is_refused_on_a_database_another_user_owns)
{
	struct app a = { 0 };
	struct irk_err err = { 0 };
	char *path = tmp_path("theirs.db");

	a.db_opt = path;
	cr_assert_eq(app_store_open(&a, 1, &err), 0, "%s", err.msg);
	app_close(&a);
	if (chown(path, 65534, 65534))
		cr_skip_test("needs root to give the database to another uid");
	setenv("IRK_USER", "mallory", 1);
	cr_assert_eq(app_store_open(&a, 0, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "IRK_USER=mallory is refused"), "%s", err.msg);
	cr_assert(strstr(err.msg, "unset IRK_USER"), "%s", err.msg);
	cr_assert_null(a.store);
	cr_assert_str_eq(identity_name(), identity_login());
	app_close(&a);
	free(path);
}

Test(app, irk_user_is_honoured_on_a_database_of_ones_own)
{
	struct app a = { 0 };
	struct irk_err err = { 0 };
	char *path = tmp_path("mine.db");

	setenv("IRK_USER", "mallory", 1);
	a.db_opt = path;
	cr_assert_eq(app_store_open(&a, 1, &err), 0, "%s", err.msg);
	cr_assert_str_eq(a.actor.name, "mallory");
	app_close(&a);
	/* Opened again, now that the file exists: still its owner's. */
	cr_assert_eq(app_store_open(&a, 0, &err), 0, "%s", err.msg);
	cr_assert_str_eq(a.actor.name, "mallory");
	app_close(&a);
	free(path);
}

Test(app, outside_the_shared_mode_the_paths_are_the_users)
{
	struct app a = { 0 };
	struct irk_err err = { 0 };

	cr_assert_eq(app_shared(), 0);
	setenv("IRK_PLAYS", "/somewhere", 1);
	a.db_opt = "/opt.db";
	cr_assert_eq(app_shared_check(&a, &err), 0);
	cr_assert_str_eq(app_db_path(&a), "/opt.db");
	cr_assert(strstr(app_system_db(), "/irk.db"));
	unsetenv("IRK_PLAYS");
}
