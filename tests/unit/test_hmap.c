/* test_hmap.c: the open-addressing hash map (src/core/hmap.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "irk/hmap.h"

struct val { long a, b; };

Test(hmap, put_get_and_created)
{
	struct hmap *m = hmap_new(sizeof(struct val));
	int created = -1;

	cr_assert_null(hmap_get(m, "k", 1));
	struct val *v = hmap_put(m, "k", 1, &created);
	cr_assert_eq(created, 1);
	cr_assert(v->a == 0 && v->b == 0, "new values are zero-filled");
	v->a = 7;
	v = hmap_put(m, "k", 1, &created);
	cr_assert_eq(created, 0);
	cr_assert_eq(v->a, 7);
	cr_assert_eq(((struct val *)hmap_get(m, "k", 1))->a, 7);
	cr_assert_eq(hmap_count(m), 1);
	hmap_put(m, "k2", 2, NULL);
	cr_assert_eq(hmap_count(m), 2);
	hmap_free(&m);
	cr_assert_null(m);
	hmap_free(&m);
}

Test(hmap, keys_are_bytes)
{
	struct hmap *m = hmap_new(sizeof(int));
	int *v;

	/* the empty key, a NUL inside a key, and prefixes are all distinct */
	*(int *)hmap_put(m, "", 0, NULL) = 1;
	*(int *)hmap_put(m, "a", 1, NULL) = 2;
	*(int *)hmap_put(m, "a\0", 2, NULL) = 3;
	*(int *)hmap_put(m, "a\0b", 3, NULL) = 4;
	*(int *)hmap_put(m, "ab", 2, NULL) = 5;
	cr_assert_eq(hmap_count(m), 5);
	cr_assert_eq(*(int *)hmap_get(m, "", 0), 1);
	cr_assert_eq(*(int *)hmap_get(m, "a", 1), 2);
	cr_assert_eq(*(int *)hmap_get(m, "a\0", 2), 3);
	cr_assert_eq(*(int *)hmap_get(m, "a\0b", 3), 4);
	v = hmap_get(m, "ab", 2);
	cr_assert_eq(*v, 5);
	cr_assert_null(hmap_get(m, "b", 1));
	hmap_free(&m);
}

Test(hmap, empty_key_in_a_fresh_map)
{
	struct hmap *m = hmap_new(sizeof(int));
	int created;

	/* the very first key is empty: no key storage exists yet */
	*(int *)hmap_put(m, "", 0, &created) = 9;
	cr_assert_eq(created, 1);
	cr_assert_eq(*(int *)hmap_get(m, "", 0), 9);
	hmap_free(&m);
}

Test(hmap, grows_and_keeps_everything)
{
	struct hmap *m = hmap_new(sizeof(long));
	char key[32];

	for (long i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof key, "key-%ld", i);
		*(long *)hmap_put(m, key, (size_t)n, NULL) = i * 3;
	}
	cr_assert_eq(hmap_count(m), 100000);
	for (long i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof key, "key-%ld", i);
		long *v = hmap_get(m, key, (size_t)n);
		cr_assert_not_null(v, "lost %s", key);
		cr_assert_eq(*v, i * 3);
	}
	hmap_free(&m);
}

static void sum_each(const void *key, size_t klen, void *value, void *arg)
{
	long *acc = arg;

	cr_assert_eq(klen, 1);
	acc[0] += *(long *)value;
	acc[1] += *(const char *)key;
	acc[2]++;
}

Test(hmap, each_and_clear)
{
	struct hmap *m = hmap_new(sizeof(long));
	long acc[3] = { 0 };

	for (char c = 'a'; c <= 'j'; c++)
		*(long *)hmap_put(m, &c, 1, NULL) = c - 'a' + 1;
	hmap_each(m, sum_each, acc);
	cr_assert_eq(acc[0], 55);
	cr_assert_eq(acc[2], 10);
	hmap_clear(m);
	cr_assert_eq(hmap_count(m), 0);
	cr_assert_null(hmap_get(m, "a", 1));
	memset(acc, 0, sizeof acc);
	hmap_each(m, sum_each, acc);
	cr_assert_eq(acc[2], 0);
	/* reusable after clear, values zeroed again */
	int created;
	long *v = hmap_put(m, "a", 1, &created);
	cr_assert_eq(created, 1);
	cr_assert_eq(*v, 0);
	hmap_free(&m);
}
