/* identity.c: the acting user's name. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irk/identity.h"
#include "irk/strbuf.h"

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

const char *identity_name(void)
{
	static char name[64];
	const char *env = getenv("IRK_USER");

	if (env && identity_valid(env))
		return irk_strlcpy(name, env, sizeof name);
	if (name[0])
		return name;
	struct passwd *pw = getpwuid(getuid());
	if (pw && identity_valid(pw->pw_name))
		irk_strlcpy(name, pw->pw_name, sizeof name);
	else
		snprintf(name, sizeof name, "uid%u", (unsigned)getuid());
	return name;
}
