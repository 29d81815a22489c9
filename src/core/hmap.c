/* hmap.c: open-addressing hash map with linear probing (see hmap.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irk/hmap.h"
#include "irk/strbuf.h"

struct slot {
	uint64_t hash;       /* 0: empty */
	size_t koff, klen;   /* key bytes in keys */
	size_t voff;         /* value bytes in values */
};

struct hmap {
	struct slot *slots;
	size_t cap, count, vsize;
	char *keys;
	size_t klen, kcap;
	char *values;
	size_t vcap;
};

/* Eight bytes at a time, each step a multiply that spreads them, and a
 * final mix (murmur3's) so the low bits, which pick the slot, depend on
 * every byte. */
uint64_t hmap_hash(const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xC2B2AE3D27D4EB4FULL), w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001B3ULL;
		h ^= h >> 29;
	}
	w = 0;
	if (n)
		memcpy(&w, p, n);
	h = (h ^ w) * 0x100000001B3ULL;
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return h ? h : 1;
}

struct hmap *hmap_new(size_t value_size)
{
	struct hmap *m = xcalloc(1, sizeof *m);

	m->vsize = value_size ? value_size : 1;
	m->cap = 64;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	/* Key storage always exists, so an empty key never meets a NULL
	 * pointer in memcpy/memcmp. */
	m->kcap = 256;
	m->keys = xmalloc(m->kcap);
	return m;
}

void hmap_free(struct hmap **mp)
{
	struct hmap *m = *mp;

	if (!m)
		return;
	free(m->slots);
	free(m->keys);
	free(m->values);
	free(m);
	*mp = NULL;
}

static struct slot *find(const struct hmap *m, const void *key, size_t klen, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	for (;;) {
		struct slot *s = &m->slots[i];
		if (!s->hash)
			return s;
		if (s->hash == h && s->klen == klen && !memcmp(m->keys + s->koff, key, klen))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

void *hmap_get(const struct hmap *m, const void *key, size_t klen)
{
	return hmap_get_h(m, key, klen, hmap_hash(key, klen));
}

void *hmap_get_h(const struct hmap *m, const void *key, size_t klen, uint64_t h)
{
	struct slot *s = find(m, key, klen, h ? h : 1);

	return s->hash ? m->values + s->voff : NULL;
}

static void grow(struct hmap *m)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;

	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].hash)
			continue;
		size_t j = (size_t)old[i].hash & (m->cap - 1);
		while (m->slots[j].hash)
			j = (j + 1) & (m->cap - 1);
		m->slots[j] = old[i];
	}
	free(old);
}

void *hmap_put(struct hmap *m, const void *key, size_t klen, int *created)
{
	return hmap_put_h(m, key, klen, hmap_hash(key, klen), created);
}

void *hmap_put_h(struct hmap *m, const void *key, size_t klen, uint64_t h, int *created)
{
	struct slot *s;

	if (!h)
		h = 1;   /* 0 marks an empty slot */
	s = find(m, key, klen, h);

	if (s->hash) {
		if (created)
			*created = 0;
		return m->values + s->voff;
	}
	if ((m->count + 1) * 4 > m->cap * 3) {
		grow(m);
		s = find(m, key, klen, h);
	}
	if (m->klen + klen > m->kcap) {
		m->kcap = (m->klen + klen) * 2 + 256;
		m->keys = xrealloc(m->keys, m->kcap);
	}
	if ((m->count + 1) * m->vsize > m->vcap) {
		m->vcap = (m->count + 1) * m->vsize * 2;
		m->values = xrealloc(m->values, m->vcap);
	}
	memcpy(m->keys + m->klen, key, klen);
	s->hash = h;
	s->koff = m->klen;
	s->klen = klen;
	s->voff = m->count * m->vsize;
	m->klen += klen;
	memset(m->values + s->voff, 0, m->vsize);
	m->count++;
	if (created)
		*created = 1;
	return m->values + s->voff;
}

size_t hmap_count(const struct hmap *m)
{
	return m->count;
}

void hmap_clear(struct hmap *m)
{
	if (m->count)
		memset(m->slots, 0, m->cap * sizeof *m->slots);
	m->count = 0;
	m->klen = 0;
}

void hmap_each(const struct hmap *m, void (*fn)(const void *key, size_t klen,
	       void *value, void *arg), void *arg)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].hash)
			fn(m->keys + m->slots[i].koff, m->slots[i].klen,
			   m->values + m->slots[i].voff, arg);
}
