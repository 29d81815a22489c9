/* curl.h: libcurl, loaded (dlopen) when first needed rather than linked:
 * with its TLS, HTTP/2, SSH, LDAP and Kerberos libraries it was half of
 * the start-up of every irk command. Shared by http steps (src/engine)
 * and context sources (src/context). */
#ifndef IRK_CURL_H
#define IRK_CURL_H

#define CURL_DISABLE_TYPECHECK     /* the calls go through the table below */
#include <curl/curl.h>

/* The libcurl functions irk calls, named as libcurl names them. */
#define IRK_CURL_FUNCS(X) \
	X(CURLcode, curl_global_init, (long)) \
	X(CURL *, curl_easy_init, (void)) \
	X(CURLcode, curl_easy_setopt, (CURL *, CURLoption, ...)) \
	X(CURLcode, curl_easy_perform, (CURL *)) \
	X(CURLcode, curl_easy_getinfo, (CURL *, CURLINFO, ...)) \
	X(void, curl_easy_cleanup, (CURL *)) \
	X(const char *, curl_easy_strerror, (CURLcode)) \
	X(char *, curl_easy_escape, (CURL *, const char *, int)) \
	X(void, curl_free, (void *)) \
	X(struct curl_slist *, curl_slist_append, (struct curl_slist *, const char *)) \
	X(void, curl_slist_free_all, (struct curl_slist *))

struct irk_curl {
#define IRK_CURL_FIELD(ret, name, args) ret (*name) args;
	IRK_CURL_FUNCS(IRK_CURL_FIELD)
#undef IRK_CURL_FIELD
};

/* Load libcurl once (libcurl.so.4, else libcurl-gnutls.so.4) and
 * initialise it; SSLKEYLOGFILE is taken out of the environment first (a
 * capture of a request, secrets and all, could be read with it). Call
 * before starting threads. NULL on success, else why it could not be
 * loaded (for the whole life of the process). */
const char *irk_curl_load(void);
/* The functions; valid after irk_curl_load() returned NULL. */
extern struct irk_curl irk_lc;

#endif
