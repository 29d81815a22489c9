/* test_trust.c: files others can write are refused (src/core/trust.c,
 * issue 9 defect 6): irk.conf, plays and play directories, the
 * database's directory and its -wal/-shm. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/config.h"
#include "irk/play.h"
#include "irk/store.h"
#include "irk/trust.h"
#include "helpers/tmpstore.h"

static void teardown(void) { tmp_cleanup(); }
TestSuite(trust, .fini = teardown);

/* A uid and gid nobody in the test is: another user's. */
#define OTHER_UID ((uid_t)54321)
#define OTHER_GID ((gid_t)54321)

static int trusted(const char *path, gid_t allowed, struct irk_err *err)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "%s", path);
	return irk_trusted_file(path, &st, allowed, err);
}

Test(trust, modes_and_owners)
{
	char *f = tmp_write("f", "x", 1, 0644);
	struct irk_err err = { 0 };

	cr_assert_eq(trusted(f, TRUST_NO_GROUP, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(chmod(f, 0666), 0);
	cr_assert_eq(trusted(f, TRUST_NO_GROUP, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, f) && strstr(err.msg, "writable by others (mode 666)") &&
		  strstr(err.msg, "chmod go-w"), "%s", err.msg);
	cr_assert_eq(chmod(f, 0602), 0);
	cr_assert_eq(trusted(f, TRUST_NO_GROUP, &err), IRK_REFUSED, "o+w alone");
	/* Group-writable, by a group that is not the owner's alone. */
	cr_assert_eq(chmod(f, 0664), 0);
	if (chown(f, (uid_t)-1, OTHER_GID) == 0) {
		cr_assert_eq(trusted(f, TRUST_NO_GROUP, &err), IRK_REFUSED);
		cr_assert(strstr(err.msg, "chmod g-w"), "%s", err.msg);
		/* ...unless it is the group the install trusts (the irk group). */
		cr_assert_eq(trusted(f, OTHER_GID, &err), IRK_OK, "%s", err.msg);
	}
	/* Owned by another user: refused, whatever its mode. */
	cr_assert_eq(chmod(f, 0600), 0);
	if (chown(f, OTHER_UID, (gid_t)-1) == 0) {
		cr_assert_eq(trusted(f, TRUST_NO_GROUP, &err), IRK_REFUSED);
		cr_assert(strstr(err.msg, "another user (uid 54321)"), "%s", err.msg);
	}
	free(f);
}

/* A checkout made under umask 002 has 0664 files of the user's own
 * (private) group: still the user's. The bundled plays are read as they
 * are checked out. */
Test(trust, umask_002_checkout_is_trusted)
{
	char *f;
	struct irk_err err = { 0 };
	mode_t old = umask(002);

	f = tmp_write("g", "x", 1, 0664);
	umask(old);
	cr_assert_eq(trusted(f, TRUST_NO_GROUP, &err), IRK_OK, "%s", err.msg);
	free(f);
}

/* Defect 6: a 0666 irk.conf (which sets engine.path) was read. */
Test(trust, config_writable_by_others_refused)
{
	struct config *cfg = config_new();
	char *path = tmp_write("irk.conf", "[engine]\npath = /tmp/evil\n", 26, 0644);
	struct irk_err err = { 0 };

	cr_assert_eq(chmod(path, 0666), 0);
	cr_assert_eq(config_load(cfg, path, 0, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, path) && strstr(err.msg, "chmod go-w"), "%s", err.msg);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(config_load(cfg, path, 0, &err), IRK_OK, "%s", err.msg);
	if (chown(path, OTHER_UID, (gid_t)-1) == 0)
		cr_assert_eq(config_load(cfg, path, 0, &err), IRK_REFUSED);
	config_free(&cfg);
	free(path);
}

static void write_play(const char *name, const char *id, unsigned mode)
{
	char body[512];

	snprintf(body, sizeof body,
		 "{\"play\": \"%s\", \"name\": \"Play\", \"version\": 1, \"match\": \"rule == 'a'\",\n"
		 " \"steps\": [{\"id\": \"look\", \"stage\": \"new\", \"kind\": \"manual\", "
		 "\"title\": \"Look\"}]}\n", id);
	free(tmp_write(name, body, strlen(body), 0644));
	{
		char *p = tmp_path(name);
		cr_assert_eq(chmod(p, mode), 0);
		free(p);
	}
}

static int has_diag(const struct play_catalog *c, const char *needle)
{
	for (size_t i = 0; i < c->diags.n; i++)
		if (strstr(c->diags.v[i].msg, needle))
			return 1;
	return 0;
}

/* Defect 6: a 0666 play in a 0777 directory was loaded. */
Test(trust, plays_others_can_write_refused)
{
	char *dir = tmp_path("plays");
	struct play_catalog c;
	struct irk_err err = { 0 };

	cr_assert_eq(mkdir(dir, 0755), 0);
	write_play("plays/good.json", "good", 0644);
	write_play("plays/evil.json", "evil", 0644);
	cr_assert_eq(chmod(dir, 0755), 0);
	setenv("IRK_PLAYS", dir, 1);

	cr_assert_eq(play_catalog_load(&c, NULL, &err), IRK_OK);
	cr_assert_not_null(play_catalog_find(&c, "good"));
	cr_assert_not_null(play_catalog_find(&c, "evil"));
	cr_assert_not_null(play_catalog_find(&c, "phishing"), "the bundled plays load");
	play_catalog_free(&c);

	write_play("plays/evil.json", "evil", 0666);
	cr_assert_eq(play_catalog_load(&c, NULL, &err), IRK_OK);
	cr_assert_not_null(play_catalog_find(&c, "good"));
	cr_assert_null(play_catalog_find(&c, "evil"), "a play others can write is refused");
	cr_assert(has_diag(&c, "evil.json is writable by others"));
	play_catalog_free(&c);

	write_play("plays/evil.json", "evil", 0644);
	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(play_catalog_load(&c, NULL, &err), IRK_OK);
	cr_assert_null(play_catalog_find(&c, "good"), "a directory others can write is refused");
	cr_assert(has_diag(&c, "plays is writable by others (mode 777)"));
	cr_assert_not_null(play_catalog_find(&c, "phishing"), "the bundled plays still load");
	play_catalog_free(&c);
	free(dir);
}

/* Defect 6: a database in a world-writable directory could have its
 * -wal planted by another user. */
Test(trust, database_directory_and_sidecars)
{
	char *dir = tmp_path("db"), *db, *wal;
	struct store *s = NULL;
	struct irk_err err = { 0 };

	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert(asprintf(&db, "%s/irk.db", dir) > 0);
	cr_assert(asprintf(&wal, "%s/irk.db-wal", dir) > 0);
	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(store_open(&s, db, STORE_CREATE, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "writable by everyone") && strstr(err.msg, "chmod o-w"), "%s", err.msg);

	/* Sticky (as /tmp): others cannot replace our files, only add theirs. */
	cr_assert_eq(chmod(dir, 01777), 0);
	cr_assert_eq(store_open(&s, db, STORE_CREATE, &err), IRK_OK, "%s", err.msg);
	store_close(&s);
	cr_assert_eq(access(wal, F_OK), -1, "the WAL is gone after a clean close");

	/* A -wal someone else made, or a link, is refused. */
	cr_assert_eq(symlink("/tmp/elsewhere", wal), 0);
	cr_assert_eq(store_open(&s, db, 0, &err), IRK_REFUSED);
	cr_assert(strstr(err.msg, "symbolic link"), "%s", err.msg);
	cr_assert_eq(unlink(wal), 0);
	free(tmp_write("db/irk.db-wal", "", 0, 0600));
	if (chown(wal, OTHER_UID, OTHER_GID) == 0) {
		cr_assert_eq(store_open(&s, db, 0, &err), IRK_REFUSED);
		cr_assert(strstr(err.msg, "irk.db-wal belongs to another user (uid 54321)"), "%s", err.msg);
		/* A setgid directory of that group (the jump box's 2770
		 * /var/lib/irk): a member's -wal is the team's. */
		cr_assert_eq(chown(dir, (uid_t)-1, OTHER_GID), 0);
		cr_assert_eq(chmod(dir, 02770), 0);
		cr_assert_eq(store_open(&s, db, 0, &err), IRK_OK, "%s", err.msg);
		store_close(&s);
	}
	free(db);
	free(wal);
	free(dir);
}
