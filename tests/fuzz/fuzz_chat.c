/* fuzz_chat.c: libFuzzer target for the chat command language
 * (src/xmpp/chat_parse.c).
 *
 * Never crash, never leak, never read past the message; an accepted
 * command is whole (a verb, a key where the verb needs one, a step, a
 * stage, the text inside the message and not blank at either end, a
 * reason where deny and skip need one); a refusal says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irk/chat.h"
#include "irk/model.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	struct chat_cmd c;
	struct irk_err err = { 0 };
	struct strbuf help = STRBUF_INIT;
	int rc;

	memcpy(src, data, size);
	src[size] = '\0';
	rc = chat_parse(src, &c, &err);
	if (rc != IRK_OK) {
		if ((rc != IRK_INVALID && rc != IRK_NOTFOUND) || !err.msg[0])
			abort();
		free(src);
		return 0;
	}
	if (!chat_verb_name(c.verb))
		abort();
	switch (c.verb) {
	case CHAT_HELP:
		chat_help(c.topic, &help);
		if (!help.len)
			abort();
		strbuf_free(&help);
		/* fall through */
	case CHAT_LIST:
		if (c.id || c.text)
			abort();
		break;
	case CHAT_MOVE:
		if (c.stage < 0 || c.stage >= STAGE_COUNT)
			abort();
		/* fall through */
	default:
		if (c.id <= 0)
			abort();
	}
	if ((c.verb == CHAT_APPROVE || c.verb == CHAT_DENY || c.verb == CHAT_RETRY ||
	     c.verb == CHAT_SKIP) && !c.step[0])
		abort();
	if ((c.verb == CHAT_NOTE || c.verb == CHAT_DENY || c.verb == CHAT_SKIP) && !c.text)
		abort();
	if (c.text) {
		if (c.text < src || c.text + c.text_len > src + strlen(src) || !c.text_len ||
		    is_blank(c.text[0]) || is_blank(c.text[c.text_len - 1]))
			abort();
	}
	free(src);
	return 0;
}
