/* test_chat_parse.c: the chat command language (src/xmpp/chat_parse.c):
 * what each command takes, and errors that say what to send instead. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "irk/chat.h"
#include "irk/model.h"

static struct chat_cmd ok(const char *body)
{
	struct chat_cmd c;
	struct irk_err err = { 0 };

	cr_assert_eq(chat_parse(body, &c, &err), IRK_OK, "'%s': %s", body, err.msg);
	return c;
}

static const char *bad(const char *body)
{
	static struct irk_err err;
	struct chat_cmd c;

	err = (struct irk_err){ 0 };
	cr_assert_eq(chat_parse(body, &c, &err), IRK_INVALID, "'%s' was accepted", body);
	cr_assert(err.msg[0]);
	return err.msg;
}

static int text_is(const struct chat_cmd *c, const char *want)
{
	return c->text && c->text_len == strlen(want) && !memcmp(c->text, want, c->text_len);
}

Test(chat_parse, verbs_any_case_keys_as_people_write_them)
{
	struct chat_cmd c = ok("APPROVE ir-7 decide");

	cr_assert_eq(c.verb, CHAT_APPROVE);
	cr_assert_eq(c.id, 7);
	cr_assert_str_eq(c.step, "decide");
	cr_assert_null(c.text);
	c = ok("  Status IR-42?  ");
	cr_assert_eq(c.verb, CHAT_STATUS);
	cr_assert_eq(c.id, 42);
	cr_assert_eq(ok("claim 9").id, 9);
	cr_assert_eq(ok("ack IR-3").verb, CHAT_ACK);
}

Test(chat_parse, reasons_and_notes_are_the_rest_of_the_line)
{
	struct chat_cmd c = ok("deny IR-7 decide   not before the owner calls back \n");

	cr_assert_eq(c.verb, CHAT_DENY);
	cr_assert_str_eq(c.step, "decide");
	cr_assert(text_is(&c, "not before the owner calls back"));
	c = ok("note IR-7 called ben;\n\tthe laptop is at his desk");
	cr_assert(text_is(&c, "called ben;\n\tthe laptop is at his desk"));
	c = ok("skip IR-7 sampling host is gone");
	cr_assert_eq(c.verb, CHAT_SKIP);
	cr_assert(text_is(&c, "host is gone"));
	c = ok("retry IR-7 isolate");
	cr_assert_eq(c.verb, CHAT_RETRY);
	cr_assert_null(c.text);
	c = ok("move IR-7 Containment isolating now");
	cr_assert_eq(c.stage, STAGE_CONTAINMENT);
	cr_assert(text_is(&c, "isolating now"));
	cr_assert_null(ok("move IR-7 eradication").text);
}

Test(chat_parse, list_filters)
{
	cr_assert_eq(ok("list").list, CHAT_LIST_OPEN);
	cr_assert_eq(ok("list mine").list, CHAT_LIST_MINE);
	cr_assert_eq(ok("List Unassigned").list, CHAT_LIST_UNASSIGNED);
	cr_assert_eq(ok("list P1").list, CHAT_LIST_P1);
	cr_assert_str_eq(bad("list mien"), "unknown list 'mien' — did you mean 'mine'?");
}

Test(chat_parse, a_typo_gets_the_nearest_command)
{
	cr_assert_str_eq(bad("aprove IR-7 decide"),
			 "unknown command 'aprove' — did you mean 'approve'?");
	cr_assert_str_eq(bad("STAUTS IR-7"), "unknown command 'STAUTS' — did you mean 'status'?");
	cr_assert_str_eq(bad("thanks irk"), "unknown command 'thanks' — send 'help' for the list");
	cr_assert_str_eq(bad("move IR-7 contianment"),
			 "unknown stage 'contianment' — did you mean 'containment'?");
}

Test(chat_parse, what_is_missing_is_named_with_the_usage)
{
	cr_assert_str_eq(bad("deny IR-7 decide"), "deny needs a reason: deny IR-7 STEP REASON");
	cr_assert_str_eq(bad("skip IR-7 sampling"), "skip needs a reason: skip IR-7 STEP REASON");
	cr_assert_str_eq(bad("approve IR-7"), "approve needs a step: approve IR-7 STEP");
	cr_assert_str_eq(bad("claim"), "claim needs an incident: claim IR-7");
	cr_assert_str_eq(bad("note IR-7   "), "note needs the text of the note: note IR-7 TEXT");
	cr_assert_str_eq(bad("move IR-7"), "move needs a stage: move IR-7 STAGE [REASON]");
	cr_assert_str_eq(bad("status seven"),
			 "'seven' is not an incident key (like IR-7): status IR-7");
	cr_assert_str_eq(bad("approve IR-7 decide now please"),
			 "unexpected 'now': approve IR-7 STEP");
	cr_assert_str_eq(bad("claim IR-7 IR-8"), "unexpected 'IR-8': claim IR-7");
}

Test(chat_parse, blank_long_and_odd_messages)
{
	struct chat_cmd c;
	struct irk_err err = { 0 };
	char big[CHAT_MAX_BODY + 16], step[80];

	cr_assert_eq(chat_parse("", &c, &err), IRK_NOTFOUND);
	cr_assert_eq(chat_parse(" \n\t", &c, &err), IRK_NOTFOUND);
	cr_assert_eq(chat_parse(NULL, &c, &err), IRK_NOTFOUND);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "note 7 ", 7);
	cr_assert_eq(chat_parse(big, &c, &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "message too long: irk reads at most 4096 bytes");
	memset(step, 's', sizeof step);
	snprintf(big, sizeof big, "approve 7 %.*s", (int)sizeof step, step);
	cr_assert(strstr(bad(big), "is not a step id (at most 63 characters)"));
	cr_assert(strstr(bad("approve IR-99999999999999999999999 x"), "is not an incident key"));
	/* A word as long as the buffers stays a stranger, not a crash. */
	memset(big, 'x', 200);
	big[200] = '\0';
	cr_assert(strstr(bad(big), "unknown command 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'"));
}

Test(chat_parse, help_lists_every_command_and_one_on_request)
{
	struct strbuf sb = STRBUF_INIT;
	struct chat_cmd c = ok("help deny");

	cr_assert_eq(c.topic, CHAT_DENY);
	chat_help(c.topic, &sb);
	cr_assert_str_eq(strbuf_str(&sb), "deny IR-7 STEP REASON: deny an approval");
	strbuf_reset(&sb);
	chat_help(ok("help").topic, &sb);
	for (int v = 0; v < CHAT_NVERBS; v++)
		cr_assert(strstr(strbuf_str(&sb), chat_verb_name(v)), "%s missing", chat_verb_name(v));
	cr_assert(strstr(strbuf_str(&sb), "In the room: status and list only."));
	strbuf_free(&sb);
	cr_assert(chat_verb_in_room(CHAT_STATUS) && chat_verb_in_room(CHAT_LIST));
	cr_assert(!chat_verb_in_room(CHAT_HELP));
	cr_assert(!chat_verb_in_room(CHAT_APPROVE) && !chat_verb_in_room(CHAT_NOTE));
	cr_assert_str_eq(bad("help aprove"), "unknown command 'aprove' — did you mean 'approve'?");
}
