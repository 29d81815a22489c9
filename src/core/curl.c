/* curl.c: libcurl, loaded when first needed (irk/curl.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "irk/curl.h"

#define LIBCURL "libcurl.so.4"

struct irk_curl irk_lc;
static char lc_error[256];        /* why libcurl could not be loaded */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
	void *h;

	/* libcurl's TLS would write every session's keys to this file. We
	 * run before the threads that use it. */
	unsetenv("SSLKEYLOGFILE");
	/* Debian's OpenSSL build, else its GnuTLS one (the same interface). */
	if (!(h = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL)))
		h = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(lc_error, sizeof lc_error, "%s", dlerror());
		return;
	}
#define LC_LOAD(ret, name, args) \
	if (!(*(void **)&irk_lc.name = dlsym(h, #name))) { \
		snprintf(lc_error, sizeof lc_error, "%s has no %s", LIBCURL, #name); \
		return; \
	}
	IRK_CURL_FUNCS(LC_LOAD)
#undef LC_LOAD
	irk_lc.curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *irk_curl_load(void)
{
	pthread_once(&curl_once, curl_init);
	return lc_error[0] ? lc_error : NULL;
}
