/* test_cli_hint.c: cli_report_hint() turns what a lower layer says the
 * user can do (err.need, err.need_on) into the command or option to type,
 * and picks the exit code. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>

#include "irk/cli.h"
#include "irk/err.h"

static void redirect(void) { cr_redirect_stderr(); }
TestSuite(cli_hint, .init = redirect);

/* Report err for incident 42 and return the exit code. */
static int report(struct irk_err *err)
{
	int rc = cli_report_hint(err, 42, NULL);

	fflush(stderr);
	return rc;
}

Test(cli_hint, missing_inputs_are_each_an_option)
{
	struct irk_err err;

	irk_fail_need(&err, IRK_INVALID, NEED_INPUTS, "step form needs the inputs ticket and owner");
	irk_need_on(&err, "ticket");
	irk_need_on(&err, "owner");
	cr_assert_eq(report(&err), EXIT_USAGE);
	cr_assert_stderr_eq_str("irk: step form needs the inputs ticket and owner "
				"(--input ticket=VALUE --input owner=VALUE)\n");
}

Test(cli_hint, an_approval_is_granted_or_denied)
{
	struct irk_err err;

	irk_fail_need(&err, IRK_REFUSED, NEED_DECISION, "step ok is an approval");
	irk_need_on(&err, "ok");
	cr_assert_eq(report(&err), EXIT_ERR);
	cr_assert_stderr_eq_str("irk: step ok is an approval "
				"(irk approve IR-42 ok, or irk deny IR-42 ok --reason TEXT)\n");
}

Test(cli_hint, a_persons_step_is_done_and_an_unknown_one_is_looked_up)
{
	struct irk_err err;

	irk_fail_need(&err, IRK_REFUSED, NEED_DONE, "step scope is done by a person");
	irk_need_on(&err, "scope");
	report(&err);
	irk_fail_need(&err, IRK_NOTFOUND, NEED_STEPS, "IR-42 has no step 'x'");
	cr_assert_str_eq(err.need_on, "", "a new failure forgets the last one's subject");
	cr_assert_eq(report(&err), EXIT_ERR);
	cr_assert_stderr_eq_str("irk: step scope is done by a person (irk step done IR-42 scope)\n"
				"irk: IR-42 has no step 'x' (irk step list IR-42)\n");
}

/* A colleague's change in between: look again, then run it again (the
 * message itself names no action: the board reloads by itself). */
Test(cli_hint, a_conflict_says_to_look_again)
{
	struct irk_err err;

	irk_fail_need(&err, IRK_CONFLICT, NEED_RELOAD,
		      "IR-42 was changed by bob since you loaded it (version 3, now 4)");
	cr_assert_eq(report(&err), EXIT_ERR);
	cr_assert_stderr_eq_str("irk: IR-42 was changed by bob since you loaded it (version 3, now 4) "
				"(irk show IR-42, then run it again)\n");
}

Test(cli_hint, what_is_said_passes_the_sanitizer)
{
	struct irk_err err;

	irk_fail_need(&err, IRK_REFUSED, NEED_DONE, "step \x1b[2J is a person's");
	irk_need_on(&err, "\x1b[2J");
	report(&err);
	cr_assert_stderr_eq_str("irk: step \\x1b[2J is a person's (irk step done IR-42 \\x1b[2J)\n");
}
