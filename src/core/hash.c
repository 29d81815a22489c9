/* hash.c: SHA-256 through libcrypto's EVP interface. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "irk/hash.h"

struct hash_ctx {
	EVP_MD_CTX *md;
};

/* OpenSSL 3 looks the algorithm up on every EVP_sha256() use unless it is
 * fetched once: that lookup cost more than hashing a fingerprint. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
/* Each thread's digest context for hash_sha256(), freed when it exits. */
static pthread_key_t sha256_ctx_key;

static void ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!sha256_md || pthread_key_create(&sha256_ctx_key, ctx_free)) {
		fprintf(stderr, "irk: SHA-256 is not available from libcrypto\n");
		abort();
	}
}

static const EVP_MD *sha256(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md;
}

/* A context reused from call to call: EVP_Digest() allocates and sets up a
 * new one each time, which cost as much as hashing a fingerprint. */
void hash_sha256(const void *data, size_t n, unsigned char out[IRK_SHA256_LEN])
{
	const EVP_MD *md = sha256();
	EVP_MD_CTX *ctx = pthread_getspecific(sha256_ctx_key);
	unsigned int len = 0;

	if (!ctx && (!(ctx = EVP_MD_CTX_new()) || pthread_setspecific(sha256_ctx_key, ctx))) {
		fprintf(stderr, "irk: SHA-256 init failed\n");
		abort();
	}
	if (!EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, data, n) ||
	    !EVP_DigestFinal_ex(ctx, out, &len)) {
		fprintf(stderr, "irk: SHA-256 failed\n");
		abort();
	}
}

char *hash_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

struct hash_ctx *hash_begin(void)
{
	struct hash_ctx *c = malloc(sizeof *c);

	if (!c || !(c->md = EVP_MD_CTX_new()) ||
	    !EVP_DigestInit_ex(c->md, sha256(), NULL)) {
		fprintf(stderr, "irk: SHA-256 init failed\n");
		abort();
	}
	return c;
}

void hash_update(struct hash_ctx *c, const void *data, size_t n)
{
	EVP_DigestUpdate(c->md, data, n);
}

void hash_end(struct hash_ctx *c, unsigned char out[IRK_SHA256_LEN])
{
	unsigned int len = 0;

	EVP_DigestFinal_ex(c->md, out, &len);
	EVP_MD_CTX_free(c->md);
	free(c);
}
