/* hmap.h: a small hash map from byte-string keys to fixed-size values.
 * Open addressing, keys copied into the map. Used for per-batch caches. */
#ifndef IRK_HMAP_H
#define IRK_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap;

/* A map whose values are value_size bytes each. Caller frees. */
struct hmap *hmap_new(size_t value_size);
void hmap_free(struct hmap **m);
/* The value for key, or NULL. Borrowed until the next put or clear. */
void *hmap_get(const struct hmap *m, const void *key, size_t klen);
/* The value slot for key, created zero-filled when missing (*created set). */
void *hmap_put(struct hmap *m, const void *key, size_t klen, int *created);
/* The hash hmap_get() and hmap_put() use for key (never 0). */
uint64_t hmap_hash(const void *key, size_t klen);
/* The same with the key's hash given: computed once for several maps, or
 * ahead on another thread. Any function of the key will do (hmap_hash()
 * or another), as long as a map always gets the same h for the same key. */
void *hmap_get_h(const struct hmap *m, const void *key, size_t klen, uint64_t h);
void *hmap_put_h(struct hmap *m, const void *key, size_t klen, uint64_t h, int *created);
size_t hmap_count(const struct hmap *m);
/* Forget every entry, keeping the memory. */
void hmap_clear(struct hmap *m);
/* Call fn for each entry (order unspecified). */
void hmap_each(const struct hmap *m, void (*fn)(const void *key, size_t klen,
		void *value, void *arg), void *arg);

#endif
