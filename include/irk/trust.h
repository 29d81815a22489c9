/* trust.h: files irk takes instructions from must not be writable by
 * anyone but the user running irk (and root).
 *
 * irk.conf names the programs steps run (engine.path), plays say what
 * runs, and the database's -wal/-shm hold what irk writes: a file another
 * user can write is a way into the account of whoever runs irk. The rule
 * follows OpenSSH's StrictModes. */
#ifndef IRK_TRUST_H
#define IRK_TRUST_H

#include <sys/stat.h>
#include <sys/types.h>

#include "irk/err.h"

/* No group is trusted beyond the owner's own. */
#define TRUST_NO_GROUP ((gid_t)-1)

/* The group a system install shares its files with (the irk group of a
 * jump box): files of that group may be group-writable, and the
 * database's -wal/-shm may belong to another member. TRUST_NO_GROUP (the
 * default) until trust_group_set() is called, once, at start-up. */
void trust_group_set(gid_t gid);
gid_t trust_group(void);

/* Whether the file or directory path, whose stat is *st, may be trusted:
 * owned by the effective user or root; not writable by others; writable
 * by its group only when that group is allowed_gid or has no member but
 * the owner (a user private group). IRK_OK, or IRK_REFUSED with a message
 * naming path and the command that fixes it. */
int irk_trusted_file(const char *path, const struct stat *st, gid_t allowed_gid,
		     struct irk_err *err);

/* The database at path may be used: its directory is not writable by
 * everyone unless sticky (as /tmp), and its -wal and -shm, when they
 * exist, are not symbolic links and belong to the effective user or root
 * (or, with allowed_gid, to that group; or, in a setgid directory, to the
 * directory's group: the shared database of a jump box, whose analysts'
 * irk each write it). IRK_OK, or IRK_REFUSED with a
 * message naming the file and the fix. */
int irk_trusted_db(const char *path, gid_t allowed_gid, struct irk_err *err);

#endif
