/* test_guess.c: "did you mean" (core/guess.c), shared by the command
 * table, set's fields, owners and play lint. */
#include <criterion/criterion.h>
#include <string.h>

#include "irk/guess.h"

Test(guess, distance)
{
	cr_assert_eq(guess_distance("list", "list"), 0);
	cr_assert_eq(guess_distance("lst", "list"), 1);
	cr_assert_eq(guess_distance("lsit", "list"), 1);     /* a swap is one slip */
	cr_assert_eq(guess_distance("severty", "severity"), 1);
	cr_assert_eq(guess_distance("", "abc"), 3);
	cr_assert_eq(guess_distance("kitten", "sitting"), 3);
	cr_assert_eq(guess_distance("ab", "ba"), 1);
}

static const char *best_of(const char *name)
{
	static const char *const cmds[] = { "list", "show", "claim", "step", "set", "board", NULL };
	static struct guess g;

	guess_init(&g, name);
	for (int i = 0; cmds[i]; i++)
		guess_consider(&g, "", cmds[i]);
	return guess_best(&g);
}

Test(guess, a_typo_gets_the_nearest_name_a_stranger_nothing)
{
	cr_assert_str_eq(best_of("lsit"), "list");
	cr_assert_str_eq(best_of("shwo"), "show");
	cr_assert_str_eq(best_of("clam"), "claim");
	cr_assert_null(best_of("frobnicate"));
	cr_assert_null(best_of("id"));     /* "id" is not a typo of "set" */
}

Test(guess, prefix_and_long_names)
{
	struct guess g;
	char long_name[100];

	guess_init(&g, "alert.hots");
	guess_consider(&g, "alert.", "host");
	cr_assert_str_eq(guess_best(&g), "alert.host");
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	cr_assert_eq(guess_distance(long_name, "a"), 99);
}
