/* trust.c: refuse files others can write (see trust.h). */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "irk/trust.h"

static gid_t the_group = TRUST_NO_GROUP;

void trust_group_set(gid_t gid)
{
	the_group = gid;
}

gid_t trust_group(void)
{
	return the_group;
}

/* The group gid has no member but the user uid: its only listed member,
 * or no listed member and it is the user's primary group of the same
 * name (a user private group, as useradd makes them). */
static int group_is_owners(gid_t gid, uid_t uid)
{
	char pwbuf[4096], grbuf[16384];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;

	if (getpwuid_r(uid, &pw, pwbuf, sizeof pwbuf, &pwp) || !pwp ||
	    getgrgid_r(gid, &gr, grbuf, sizeof grbuf, &grp) || !grp)
		return 0;
	if (!grp->gr_mem[0])
		return pwp->pw_gid == gid && !strcmp(pwp->pw_name, grp->gr_name);
	return !grp->gr_mem[1] && !strcmp(grp->gr_mem[0], pwp->pw_name);
}

int irk_trusted_file(const char *path, const struct stat *st, gid_t allowed_gid,
		     struct irk_err *err)
{
	uid_t me = geteuid();
	unsigned mode = (unsigned)(st->st_mode & 07777);

	if (st->st_uid != me && st->st_uid != 0)
		return irk_fail(err, IRK_REFUSED,
				"%s belongs to another user (uid %u), who can change it: "
				"use a file of your own (or root's), e.g. cp it and chmod go-w the copy",
				path, (unsigned)st->st_uid);
	if (st->st_mode & S_IWOTH)
		return irk_fail(err, IRK_REFUSED,
				"%s is writable by others (mode %03o): run chmod go-w %s",
				path, mode & 0777, path);
	if ((st->st_mode & S_IWGRP) && !(allowed_gid != TRUST_NO_GROUP && st->st_gid == allowed_gid) &&
	    !group_is_owners(st->st_gid, st->st_uid))
		return irk_fail(err, IRK_REFUSED,
				"%s is writable by its group (gid %u, mode %03o), whose other members "
				"can change it: run chmod g-w %s",
				path, (unsigned)st->st_gid, mode & 0777, path);
	return IRK_OK;
}

static int trusted_sidecar(const char *db, const char *suffix, gid_t allowed_gid,
			   gid_t dir_gid, struct irk_err *err)
{
	char path[PATH_MAX + 8];
	struct stat st;

	snprintf(path, sizeof path, "%s%s", db, suffix);
	if (lstat(path, &st))
		return errno == ENOENT ? IRK_OK
				       : irk_fail(err, IRK_ERROR, "%s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return irk_fail(err, IRK_REFUSED,
				"%s is a symbolic link: irk would write the database's changes where "
				"it points; remove it (rm %s) with irk stopped", path, path);
	if (st.st_uid != geteuid() && st.st_uid != 0 &&
	    !(allowed_gid != TRUST_NO_GROUP && st.st_gid == allowed_gid) &&
	    !(dir_gid != TRUST_NO_GROUP && st.st_gid == dir_gid))
		return irk_fail(err, IRK_REFUSED,
				"%s belongs to another user (uid %u), who could read and change what "
				"irk writes: remove it (rm %s) with irk stopped, and keep the database "
				"in a directory only you can write",
				path, (unsigned)st.st_uid, path);
	return IRK_OK;
}

int irk_trusted_db(const char *path, gid_t allowed_gid, struct irk_err *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	gid_t dir_gid;
	int rc;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (stat(dir, &st))
		return irk_fail(err, IRK_ERROR, "%s: %s", dir, strerror(errno));
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		return irk_fail(err, IRK_REFUSED,
				"%s, the directory of the database %s, is writable by everyone "
				"(mode %03o), who could plant its -wal and -shm: run chmod o-w %s "
				"(or keep the database elsewhere)",
				dir, path, (unsigned)(st.st_mode & 0777), dir);
	/* A setgid directory (the jump box's /var/lib/irk, 2770) is shared
	 * by its group on purpose: a member's -wal is one of the team's. */
	dir_gid = (st.st_mode & S_ISGID) ? st.st_gid : TRUST_NO_GROUP;
	if ((rc = trusted_sidecar(path, "-wal", allowed_gid, dir_gid, err)))
		return rc;
	return trusted_sidecar(path, "-shm", allowed_gid, dir_gid, err);
}
