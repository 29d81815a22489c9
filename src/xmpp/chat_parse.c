/* chat_parse.c: the chat command language (see chat.h). Pure: no store,
 * no network, so the fuzz target (tests/fuzz/fuzz_chat.c) links it with
 * src/core alone. */
#include <ctype.h>
#include <string.h>

#include "irk/chat.h"
#include "irk/guess.h"
#include "irk/model.h"

#define X_NAME(v, name, usage, ro, help) name,
static const char *const verb_names[] = { CHAT_COMMANDS(X_NAME) };
#undef X_NAME
#define X_USAGE(v, name, usage, ro, help) usage,
static const char *const verb_usage[] = { CHAT_COMMANDS(X_USAGE) };
#undef X_USAGE
#define X_ROOM(v, name, usage, room, help) room,
static const int verb_room[] = { CHAT_COMMANDS(X_ROOM) };
#undef X_ROOM
#define X_HELP(v, name, usage, ro, help) help,
static const char *const verb_help[] = { CHAT_COMMANDS(X_HELP) };
#undef X_HELP

static const char *const list_names[] = { "open", "mine", "unassigned", "p1" };

const char *chat_verb_name(int verb)
{
	return verb >= 0 && verb < CHAT_NVERBS ? verb_names[verb] : NULL;
}

int chat_verb_in_room(int verb)
{
	return verb >= 0 && verb < CHAT_NVERBS && verb_room[verb];
}

void chat_help(int topic, struct strbuf *out)
{
	if (topic >= 0 && topic < CHAT_NVERBS) {
		strbuf_printf(out, "%s: %s", verb_usage[topic], verb_help[topic]);
		return;
	}
	strbuf_puts(out, "irk commands (IR-7 is an incident key, STEP a step id):");
	for (int i = 0; i < CHAT_NVERBS; i++)
		strbuf_printf(out, "\n  %s: %s", verb_usage[i], verb_help[i]);
	strbuf_puts(out, "\nIn the room: status and list only.");
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The next word of *p: its start and length; *p moves past it. 0 at the end. */
static size_t word(const char **p, const char **start)
{
	const char *s = *p;
	size_t n = 0;

	while (blank(*s))
		s++;
	*start = s;
	while (s[n] && !blank(s[n]))
		n++;
	*p = s + n;
	return n;
}

/* The word lowered into buf (size n); "" when it does not fit (no name
 * is that long, and a long word is then unknown, as it should be). */
static char *lower(const char *w, size_t len, char *buf, size_t n)
{
	if (len >= n) {
		buf[0] = '\0';
		return buf;
	}
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)w[i]);
	buf[len] = '\0';
	return buf;
}

/* "unknown command 'aprove' — did you mean 'approve'?" and the like:
 * what the user typed (at most 32 bytes of it), and the nearest of names. */
static int unknown(struct irk_err *err, const char *what, const char *w, size_t len,
		   const char *const *names, int n, const char *then)
{
	char low[72];
	const char *best;
	struct guess g;

	lower(w, len, low, sizeof low);
	guess_init(&g, low);
	for (int i = 0; i < n; i++)
		guess_consider(&g, "", names[i]);
	best = low[0] ? guess_best(&g) : NULL;
	if (best)
		return irk_fail(err, IRK_INVALID, "unknown %s '%.*s' — did you mean '%s'?", what,
				len > 32 ? 32 : (int)len, w, best);
	return irk_fail(err, IRK_INVALID, "unknown %s '%.*s'%s", what, len > 32 ? 32 : (int)len, w,
			then);
}

static int usage(struct irk_err *err, int verb, const char *what)
{
	return irk_fail(err, IRK_INVALID, "%s needs %s: %s", verb_names[verb], what,
			verb_usage[verb]);
}

/* The incident key word; trailing punctuation of a sentence ("IR-7?") is
 * not part of it. */
static int key_word(const char **p, int verb, int64_t *id, struct irk_err *err)
{
	const char *w;
	size_t n = word(p, &w);
	char buf[32];

	if (!n)
		return usage(err, verb, "an incident");
	while (n > 1 && strchr(".,;:!?", w[n - 1]))
		n--;
	*id = 0;
	if (n < sizeof buf) {
		memcpy(buf, w, n);
		buf[n] = '\0';
		*id = incident_key_parse(buf);
	}
	if (!*id)
		return irk_fail(err, IRK_INVALID, "'%.*s' is not an incident key (like IR-7): %s",
				n > 32 ? 32 : (int)n, w, verb_usage[verb]);
	return IRK_OK;
}

/* The rest of the message, blanks around it trimmed: out->text. */
static void rest(const char *p, struct chat_cmd *out)
{
	size_t n;

	while (blank(*p))
		p++;
	n = strlen(p);
	while (n && blank(p[n - 1]))
		n--;
	out->text = n ? p : NULL;
	out->text_len = n;
}

static int nothing_more(const char *p, int verb, struct irk_err *err)
{
	const char *w;
	size_t n = word(&p, &w);

	if (n)
		return irk_fail(err, IRK_INVALID, "unexpected '%.*s': %s", n > 32 ? 32 : (int)n, w,
				verb_usage[verb]);
	return IRK_OK;
}

static int stage_word(const char **p, int verb, int *stage, struct irk_err *err)
{
	const char *stages[STAGE_COUNT], *w;
	size_t n = word(p, &w);
	char low[32];

	if (!n)
		return usage(err, verb, "a stage");
	if ((*stage = stage_parse(lower(w, n, low, sizeof low))) >= 0)
		return IRK_OK;
	for (int i = 0; i < STAGE_COUNT; i++)
		stages[i] = stage_name(i);
	return unknown(err, "stage", w, n, stages, STAGE_COUNT,
		       " (new, identification, containment, eradication, recovery, "
		       "lessons-learned, closed)");
}

int chat_parse(const char *body, struct chat_cmd *out, struct irk_err *err)
{
	const char *p = body ? body : "", *w;
	char low[24];
	size_t n;
	int v;

	*out = (struct chat_cmd){ .verb = -1, .stage = -1, .topic = -1 };
	if (strlen(p) > CHAT_MAX_BODY)
		return irk_fail(err, IRK_INVALID, "message too long: irk reads at most %d bytes",
				CHAT_MAX_BODY);
	if (!(n = word(&p, &w)))
		return irk_fail(err, IRK_NOTFOUND, "empty message");
	lower(w, n, low, sizeof low);
	for (v = 0; v < CHAT_NVERBS && strcmp(low, verb_names[v]); v++)
		;
	if (v == CHAT_NVERBS)
		return unknown(err, "command", w, n, verb_names, CHAT_NVERBS,
			       " — send 'help' for the list");
	out->verb = v;
	switch (v) {
	case CHAT_HELP:
		if ((n = word(&p, &w))) {
			for (v = 0; v < CHAT_NVERBS && strcmp(lower(w, n, low, sizeof low),
							      verb_names[v]); v++)
				;
			if (v == CHAT_NVERBS)
				return unknown(err, "command", w, n, verb_names, CHAT_NVERBS,
					       " — send 'help' for the list");
			out->topic = v;
		}
		return nothing_more(p, CHAT_HELP, err);
	case CHAT_LIST:
		if ((n = word(&p, &w))) {
			int k;
			lower(w, n, low, sizeof low);
			for (k = 0; k < 4 && strcmp(low, list_names[k]); k++)
				;
			if (k == 4)
				return unknown(err, "list", w, n, list_names, 4,
					       ": list, list mine, list unassigned or list p1");
			out->list = k;
		}
		return nothing_more(p, CHAT_LIST, err);
	case CHAT_STATUS:
	case CHAT_ACK:
	case CHAT_CLAIM:
		if (key_word(&p, v, &out->id, err))
			return IRK_INVALID;
		return nothing_more(p, v, err);
	case CHAT_NOTE:
		if (key_word(&p, v, &out->id, err))
			return IRK_INVALID;
		rest(p, out);
		return out->text ? IRK_OK : usage(err, v, "the text of the note");
	case CHAT_MOVE:
		if (key_word(&p, v, &out->id, err) || stage_word(&p, v, &out->stage, err))
			return IRK_INVALID;
		rest(p, out);
		return IRK_OK;
	default:                    /* approve, deny, retry, skip: KEY STEP ... */
		if (key_word(&p, v, &out->id, err))
			return IRK_INVALID;
		if (!(n = word(&p, &w)))
			return usage(err, v, "a step");
		if (n >= sizeof out->step)
			return irk_fail(err, IRK_INVALID, "'%.32s...' is not a step id (at most %d "
					"characters)", w, (int)sizeof out->step - 1);
		memcpy(out->step, w, n);
		out->step[n] = '\0';
		if (v == CHAT_APPROVE)
			return nothing_more(p, v, err);
		rest(p, out);
		if ((v == CHAT_DENY || v == CHAT_SKIP) && !out->text)
			return usage(err, v, "a reason");
		return IRK_OK;
	}
}
