/* hash.h: SHA-256 (libcrypto) and hex encoding. */
#ifndef IRK_HASH_H
#define IRK_HASH_H

#include <stddef.h>

#define IRK_SHA256_LEN 32
#define IRK_SHA256_HEX 65   /* 64 hex digits and NUL */

void hash_sha256(const void *data, size_t n, unsigned char out[IRK_SHA256_LEN]);
/* Lower-case hex of n bytes into out (2n+1 bytes). Returns out. */
char *hash_hex(const unsigned char *in, size_t n, char *out);

/* Incremental form, for hashing several pieces without copying. */
struct hash_ctx;
struct hash_ctx *hash_begin(void);
void hash_update(struct hash_ctx *c, const void *data, size_t n);
/* Finish, write the digest and free c. */
void hash_end(struct hash_ctx *c, unsigned char out[IRK_SHA256_LEN]);

#endif
