/* test_kinds.c: the step kinds' table (IRK_STEP_KINDS, each kind's ops in
 * src/play/kind_*.c, the runners' ops in src/engine/run_*.c) holds
 * together, so a new kind cannot be half added: every kind has a name, an
 * article and a help line; every automated kind has a runner and no
 * other kind has one; a kind is a person's or the engine's, not both. */
#include <criterion/criterion.h>
#include <string.h>

#include "irk/play.h"
#include "irk/runner.h"
#include "irk/strbuf.h"

TestSuite(kinds);

Test(kinds, every_kind_has_its_names)
{
	struct strbuf names = STRBUF_INIT;

	step_kind_names(&names);
	for (int k = 0; k < KIND_COUNT; k++) {
		const char *name = step_kind_name(k), *an = step_kind_an(k);
		cr_assert(name[0] && strcmp(name, "?"), "kind %d has no name", k);
		cr_expect_eq(step_kind_parse(name), k, "%s", name);
		cr_expect(strlen(an) > strlen(name) && !strcmp(an + strlen(an) - strlen(name), name),
			  "%s: '%s' is not the name with its article", name, an);
		cr_expect(step_kind_help(k)[0], "%s has no help line", name);
		cr_expect(strstr(strbuf_str(&names), name), "%s is not in '%s'", name,
			  strbuf_str(&names));
	}
	cr_expect_eq(step_kind_parse("nothing"), -1);
	cr_expect_eq(step_kind_parse(NULL), -1);
	cr_expect_str_eq(step_kind_name(KIND_COUNT), "?");
	cr_expect(!step_kind_has(-1, 0) && !step_kind_has(KIND_COUNT, 0));
	strbuf_free(&names);
}

Test(kinds, automated_kinds_and_runners_match)
{
	for (int k = 0; k < KIND_COUNT; k++) {
		const struct run_ops *ops = run_ops_of(k);
		if (step_kind_automated(k)) {
			cr_expect(ops && ops->run, "%s is automated but has no runner",
				  step_kind_name(k));
			cr_expect(!step_kind_has(k, STEP_KIND_INPUTS) &&
				  !step_kind_has(k, STEP_KIND_DECIDED),
				  "%s is run by the engine and by a person", step_kind_name(k));
		} else {
			cr_expect_null(ops, "%s is a person's step but has a runner",
				       step_kind_name(k));
		}
	}
	cr_expect_null(run_ops_of(-1));
	cr_expect_null(run_ops_of(KIND_COUNT));
	cr_expect(step_kind_has(KIND_MANUAL, STEP_KIND_INPUTS));
	cr_expect(step_kind_has(KIND_APPROVAL, STEP_KIND_DECIDED));
}
