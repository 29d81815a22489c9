/* identity.h: who is acting. The OS login name; IRK_USER overrides it (tests
 * and single-user set-ups). The audit log records the real uid beside it. */
#ifndef IRK_IDENTITY_H
#define IRK_IDENTITY_H

/* The actor's name (static storage, computed once). Never NULL. */
const char *identity_name(void);
/* Nonzero when name is acceptable as a user name: 1..63 bytes of
 * [A-Za-z0-9._-], not starting with '-'. */
int identity_valid(const char *name);

#endif
