/* identity.c: the acting user's name (see identity.h for the rule). */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/identity.h"
#include "irk/strbuf.h"

static int env_refused;

int identity_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 63 || name[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

char *identity_login_of(unsigned uid, char *buf, size_t n)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];

	if (!getpwuid_r((uid_t)uid, &pw, tmp, sizeof tmp, &res) && res &&
	    identity_valid(res->pw_name))
		irk_strlcpy(buf, res->pw_name, n);
	else
		snprintf(buf, n, "uid%u", uid);
	return buf;
}

const char *identity_login(void)
{
	static char login[64];

	if (!login[0])
		identity_login_of((unsigned)getuid(), login, sizeof login);
	return login;
}

const char *identity_name(void)
{
	static char name[64];
	const char *env = getenv("IRK_USER");

	if (!env_refused && env && identity_valid(env))
		return irk_strlcpy(name, env, sizeof name);
	return identity_login();
}

int identity_setgid(void)
{
	/* Decided on the first call, before app_shared_check() sets the real
	 * group to the effective one. */
	static int setgid = -1;

	if (setgid < 0)
		setgid = getegid() != getgid() || geteuid() != getuid();
	return setgid;
}

int identity_bind(const char *db_path, struct irk_err *err)
{
	const char *env = getenv("IRK_USER");
	struct stat st;

	env_refused = 0;
	if (!env || !identity_valid(env) || !strcmp(env, identity_login()))
		return 0;
	if (identity_setgid()) {
		env_refused = 1;
		return irk_fail(err, IRK_REFUSED,
				"IRK_USER=%s is refused: this irk reaches a shared database, and acts as "
				"your login (%s) only; unset IRK_USER", env, identity_login());
	}
	if (stat(db_path, &st) || st.st_uid == getuid())
		return 0;
	env_refused = 1;
	{
		char owner[64];
		return irk_fail(err, IRK_REFUSED,
				"IRK_USER=%s is refused: %s belongs to %s, not to you (%s), so irk acts as "
				"%s; unset IRK_USER", env, db_path,
				identity_login_of((unsigned)st.st_uid, owner, sizeof owner),
				identity_login(), identity_login());
	}
}
