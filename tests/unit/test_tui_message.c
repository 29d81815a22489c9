/* test_tui_message.c: lower layers' messages as the board shows them,
 * without the command line's options and commands. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "irk/err.h"

/* From tui_internal.h (which brings curses in): tested here on its own. */
void tui_plain_message(char *msg, size_t n);

static const char *plain(const char *in)
{
	static char buf[512];

	snprintf(buf, sizeof buf, "%s", in);
	tui_plain_message(buf, sizeof buf);
	return buf;
}

#define assert_plain(in, want) cr_assert_str_eq(plain(in), (want), "from: %s\ngot:  %s", (in), plain(in))

/* Every form the lifecycle and store layers use (src/incident/incident.c,
 * src/store/store.c), and the forms src/play/actions.c used before its
 * messages became front-end neutral (a message of another layer may still
 * take them). */
Test(tui_message, a_part_in_parentheses_that_is_command_line_goes)
{
	assert_plain("moving IR-1 back to new needs a reason (--reason)",
		     "moving IR-1 back to new needs a reason");
	assert_plain("step isolate needs the input host (--input host=VALUE)",
		     "step isolate needs the input host");
	assert_plain("which step? (irk step list IR-1)", "which step?");
	assert_plain("IR-1 has no step 'x' (irk step list IR-1)", "IR-1 has no step 'x'");
	assert_plain("'colour' is not a field you can set (see irk set --help)",
		     "'colour' is not a field you can set");
	assert_plain("step triage is a manual step, not an approval (finish it with irk step done)",
		     "step triage is a manual step, not an approval");
	assert_plain("step triage is done by a person: there is nothing to retry (irk step done IR-1 triage)",
		     "step triage is done by a person: there is nothing to retry");
	assert_plain("/tmp/x.db: no database here (run 'irk init' or 'irk demo' first)",
		     "/tmp/x.db: no database here");
}

Test(tui_message, a_command_goes_with_what_leads_to_it)
{
	assert_plain("isolate-ok is an approval: grant it with 'irk approve IR-1 isolate-ok' "
		     "or refuse it with 'irk deny'",
		     "isolate-ok is an approval: grant it or refuse it");
	assert_plain("IR-4 is closed; reopen it with 'irk move IR-4 STAGE --reason ...' first",
		     "IR-4 is closed; reopen it first");
	assert_plain("closing needs a resolution: irk close IR-1 --resolution "
		     "true-positive|false-positive|duplicate|benign",
		     "closing needs a resolution");
}

Test(tui_message, an_option_goes_or_becomes_a_word)
{
	assert_plain("IR-6 is held by bob; a senior can take it over with --force",
		     "IR-6 is held by bob; a senior can take it over");
	assert_plain("IR-1 cannot leave new: required step not done: isolate (a senior can --force with a reason)",
		     "IR-1 cannot leave new: required step not done: isolate (a senior can force with a reason)");
}

/* Prose, names and values stay as they are. */
Test(tui_message, everything_else_stays)
{
	static const char *const same[] = {
		"IR-1 was changed by bob since you loaded it (version 3, now 4)",
		"irk stopped while it ran: lease lost (the step ran again)",
		"'--force' is not a field you can set",
		"step run-it needs the input a--b",
		"a note (with parentheses) and 'quotes'",
		"unbalanced (paren and 'quote",
		"x -- y",
		"",
	};

	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		assert_plain(same[i], same[i]);
}
