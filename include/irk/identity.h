/* identity.h: who is acting, and whether irk runs with a group it was not
 * started with (the setgid jump-box installation).
 *
 * The actor is the login name of the real uid. IRK_USER names another
 * actor only where that grants nothing: irk is not running setgid/setuid
 * and the real uid owns the database file (or it does not exist yet: who
 * creates it owns it), so it could edit
 * the file directly anyway (a personal, demo or test database). The front
 * ends call identity_bind() with the database before anything acts; it
 * refuses a set IRK_USER anywhere else. The audit log records the real uid
 * beside the actor, and prints its login. */
#ifndef IRK_IDENTITY_H
#define IRK_IDENTITY_H

#include "irk/err.h"

/* The actor's name (static storage). Never NULL. IRK_USER when set, valid
 * and not refused by identity_bind(); else identity_login(). */
const char *identity_name(void);
/* The login name of the real uid (static storage, computed once), or
 * "uidN" when it has none. Never NULL. */
const char *identity_login(void);
/* The login name of uid into buf (size n), or "uidN"; returns buf. */
char *identity_login_of(unsigned uid, char *buf, size_t n);
/* Nonzero when name is acceptable as a user name: 1..63 bytes of
 * [A-Za-z0-9._-], not starting with '-'. */
int identity_valid(const char *name);
/* Nonzero when the process runs with an effective group or user other
 * than its real one: the setgid-irk binary of a jump box. */
int identity_setgid(void);
/* Decide whether IRK_USER may name the actor for the database at db_path
 * (see above). 0 when it may, or is unset, invalid or the login itself;
 * otherwise IRK_REFUSED with a message saying what to unset, and
 * identity_name() returns the login from then on. */
int identity_bind(const char *db_path, struct irk_err *err);

#endif
