/* keys.c: the action table, key names and the keymap (tui_actions.h). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/config.h"
#include "irk/sanitize.h"
#include "irk/strbuf.h"
#include "irk/tui_actions.h"

#define X_ACT_NAME(id, ctx, name, help) name,
#define X_ACT_HELP(id, ctx, name, help) help,
#define X_ACT_CTX(id, ctx, name, help) ctx,
static const char *const act_names[] = { TUI_ACTIONS(X_ACT_NAME) };
static const char *const act_helps[] = { TUI_ACTIONS(X_ACT_HELP) };
static const int act_ctx[] = { TUI_ACTIONS(X_ACT_CTX) };
#undef X_ACT_NAME
#undef X_ACT_HELP
#undef X_ACT_CTX

/* Default bindings: the keys of the issue (arrows and hjkl, Enter, c, H/L
 * or </>, /, m, u, b, ?, q), plus the usual pager keys. */
static const struct { int act; const char *keys; } defaults[] = {
	{ ACT_QUIT, "q" },
	{ ACT_QUIT_NOW, "Q" },
	{ ACT_HELP, "? F1" },
	{ ACT_BACK, "Escape" },
	{ ACT_REDRAW, "C-l" },
	{ ACT_MESSAGE, "M" },
	{ ACT_INBOX, "i" },
	{ ACT_UP, "Up k" },
	{ ACT_DOWN, "Down j" },
	{ ACT_LEFT, "Left h" },
	{ ACT_RIGHT, "Right l" },
	{ ACT_PAGE_UP, "PageUp C-b" },
	{ ACT_PAGE_DOWN, "PageDown C-f Space" },
	{ ACT_FIRST, "Home g" },
	{ ACT_LAST, "End G" },
	{ ACT_B_OPEN, "Enter" },
	{ ACT_B_CLAIM, "c" },
	{ ACT_B_PREV, "H <" },
	{ ACT_B_NEXT, "L >" },
	{ ACT_B_CLOSE, "x" },
	{ ACT_B_FILTER, "/" },
	{ ACT_B_MINE, "m" },
	{ ACT_B_UNASSIGNED, "u" },
	{ ACT_B_UNIT, "b" },
	{ ACT_B_CLEAR, "Escape" },
	{ ACT_B_NEW, "N" },
	{ ACT_B_DASHBOARD, "K" },
	{ ACT_B_QUERY, "s" },
	{ ACT_I_CLAIM, "c" },
	{ ACT_I_PREV, "H <" },
	{ ACT_I_NEXT, "L >" },
	{ ACT_I_CLOSE, "x" },
	{ ACT_I_NOTE, "n" },
	{ ACT_I_EDIT, "e" },
	{ ACT_I_SPLIT, "S" },
	{ ACT_I_VIEW, "Enter v" },
	{ ACT_I_CONTEXT, "R" },
	{ ACT_I_NEXT_STEP, "J ]" },
	{ ACT_I_PREV_STEP, "K [" },
	{ ACT_I_NEXT_WAITING, "w" },
	{ ACT_I_NEXT_SECT, "Tab" },
	{ ACT_I_PREV_SECT, "BackTab" },
	{ ACT_P_OPEN, "Enter" },
	{ ACT_S_SELECT, "Enter" },
	{ ACT_S_TICK, "Space" },
	{ ACT_S_DONE, "d" },
	{ ACT_S_APPROVE, "a" },
	{ ACT_S_DENY, "D" },
	{ ACT_S_RETRY, "r" },
	{ ACT_S_SKIP, "s" },
	{ ACT_S_OUTPUT, "o v" },
	{ ACT_S_MOVE_NEXT, "L >" },
	{ ACT_S_NEXT_FIELD, "Tab" },
	{ ACT_S_PREV_FIELD, "BackTab" },
	{ ACT_S_NEXT_CHOICE, "Right l" },
	{ ACT_S_PREV_CHOICE, "Left h" },
	{ ACT_D_OPEN, "Enter" },
};

static const char *const ctx_titles[CTX_COUNT] = { "Everywhere", "Board", "Incident", "Pager",
						    "Step", "Dashboard" };

const char *action_name(int act) { return act >= 0 && act < ACT_COUNT ? act_names[act] : "?"; }
const char *action_help(int act) { return act >= 0 && act < ACT_COUNT ? act_helps[act] : "?"; }
int action_context(int act) { return act >= 0 && act < ACT_COUNT ? act_ctx[act] : -1; }
const char *context_title(int ctx) { return ctx >= 0 && ctx < CTX_COUNT ? ctx_titles[ctx] : "?"; }

int action_parse(const char *name)
{
	for (int i = 0; i < ACT_COUNT; i++)
		if (!strcmp(act_names[i], name))
			return i;
	return ACT_NONE;
}

static const struct { const char *name; int key; } named[] = {
	{ "Up", TUI_KEY_FN | KEY_UP }, { "Down", TUI_KEY_FN | KEY_DOWN },
	{ "Left", TUI_KEY_FN | KEY_LEFT }, { "Right", TUI_KEY_FN | KEY_RIGHT },
	{ "PageUp", TUI_KEY_FN | KEY_PPAGE }, { "PgUp", TUI_KEY_FN | KEY_PPAGE },
	{ "PageDown", TUI_KEY_FN | KEY_NPAGE }, { "PgDn", TUI_KEY_FN | KEY_NPAGE },
	{ "Home", TUI_KEY_FN | KEY_HOME }, { "End", TUI_KEY_FN | KEY_END },
	{ "Enter", '\n' }, { "Return", '\n' }, { "Escape", 27 }, { "Esc", 27 },
	{ "Tab", '\t' }, { "BackTab", TUI_KEY_FN | KEY_BTAB }, { "S-Tab", TUI_KEY_FN | KEY_BTAB },
	{ "Backspace", TUI_KEY_FN | KEY_BACKSPACE }, { "Delete", TUI_KEY_FN | KEY_DC },
	{ "Insert", TUI_KEY_FN | KEY_IC }, { "Space", ' ' },
};

int keys_parse(const char *name)
{
	size_t len;
	unsigned cp;

	if (!name || !*name)
		return -1;
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (!strcasecmp(named[i].name, name))
			return named[i].key;
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		char *end;
		long n = strtol(name + 1, &end, 10);
		if (!*end && n >= 1 && n <= 12)
			return TUI_KEY_FN | KEY_F((int)n);
	}
	len = strlen(name);
	/* C-x and ^x; a lone "^" or "C" is the character itself. */
	if ((len == 3 && name[0] == 'C' && name[1] == '-') || (len == 2 && name[0] == '^')) {
		char c = name[len - 1];
		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		if (c >= 'A' && c <= 'Z')
			return c - 'A' + 1;
		return -1;
	}
	if ((size_t)utf8_decode(name, len, &cp) == len && cp >= 0x20 && cp != 0x7f)
		return (int)cp;
	return -1;
}

char *keys_name(int key, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].key == key) {
			irk_strlcpy(buf, named[i].name, n);
			return buf;
		}
	if (key & TUI_KEY_FN) {
		int k = key & ~TUI_KEY_FN;
		if (k >= KEY_F(1) && k <= KEY_F(12))
			snprintf(buf, n, "F%d", k - KEY_F0);
		else
			snprintf(buf, n, "key-%d", k);
	} else if (key >= 1 && key <= 26) {
		snprintf(buf, n, "C-%c", 'a' + key - 1);
	} else if (key >= 0x20 && key < 0x110000) {
		char u[5];
		u[utf8_encode((unsigned)key, u)] = '\0';
		irk_strlcpy(buf, u, n);
	} else {
		snprintf(buf, n, "key-%d", key);
	}
	return buf;
}

static void add(struct keymap *km, int key, int act)
{
	if (km->n < KEYMAP_MAX) {
		km->b[km->n].key = key;
		km->b[km->n].act = act;
		km->n++;
	}
}

/* Call fn for each key name in the space-separated list; stops at the
 * first bad one and returns it (its position), or NULL when all parse. */
static const char *each_key(const char *keys, struct keymap *km, int act)
{
	char word[64];

	for (const char *p = keys; *p;) {
		size_t len;
		int k;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " \t");
		if (len >= sizeof word)
			return p;
		memcpy(word, p, len);
		word[len] = '\0';
		if ((k = keys_parse(word)) < 0)
			return p;
		if (km)
			add(km, k, act);
		p += len;
	}
	return NULL;
}

void keymap_default(struct keymap *km)
{
	km->n = 0;
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		each_key(defaults[i].keys, km, defaults[i].act);
}

/* Remove binding i. */
static void drop(struct keymap *km, int i)
{
	memmove(&km->b[i], &km->b[i + 1], (size_t)(km->n - i - 1) * sizeof km->b[0]);
	km->n--;
}

int keymap_bind(struct keymap *km, const char *name, const char *keys, struct irk_err *err)
{
	int act = action_parse(name), ctx;
	const char *bad;

	if (act == ACT_NONE)
		return irk_fail(err, IRK_INVALID, "%.64s: no such action (see the help screen, ?)", name);
	if (!strcmp(keys, "none")) {
		keys = "";
	} else if ((bad = each_key(keys, NULL, act))) {
		return irk_fail(err, IRK_INVALID, "%.64s: '%.*s' is not a key name", name,
				(int)strcspn(bad, " \t"), bad);
	}
	ctx = act_ctx[act];
	for (int i = km->n - 1; i >= 0; i--)
		if (km->b[i].act == act)
			drop(km, i);
	/* Take the new keys away from actions they would collide with: the
	 * same context, or global (a global binding would be shadowed anyway
	 * on this screen, but elsewhere it would still fire: keep that). */
	{
		struct keymap fresh = { .n = 0 };
		each_key(keys, &fresh, act);
		for (int j = 0; j < fresh.n; j++) {
			for (int i = km->n - 1; i >= 0; i--)
				if (km->b[i].key == fresh.b[j].key &&
				    (act_ctx[km->b[i].act] == ctx || ctx == CTX_GLOBAL))
					drop(km, i);
			add(km, fresh.b[j].key, act);
		}
	}
	return IRK_OK;
}

struct load_state {
	struct keymap *km;
	struct strbuf *problems;
	int n;
};

/* A problem reads "FILE:LINE: [keys] board-fly: no such action", or
 * "irk.conf [keys] ..." for a binding that came from no file. */
static void load_one(const char *key, const char *value, const char *where, void *arg)
{
	struct load_state *ls = arg;
	struct irk_err err = { 0 };

	if (keymap_bind(ls->km, key, value, &err)) {
		strbuf_printf(ls->problems, "%s%s%s[keys] %s", ls->problems->len ? "\n" : "",
			      where ? where : "irk.conf", where ? ": " : " ", err.msg);
		ls->n++;
	}
}

int keymap_load(struct keymap *km, const struct config *cfg, struct strbuf *problems)
{
	struct load_state ls = { km, problems, 0 };

	if (cfg)
		config_each(cfg, "keys", load_one, &ls);
	return ls.n;
}

int keymap_lookup(const struct keymap *km, int ctx, int key)
{
	int global = ACT_NONE;

	for (int i = 0; i < km->n; i++) {
		if (km->b[i].key != key)
			continue;
		if (act_ctx[km->b[i].act] == ctx)
			return km->b[i].act;
		if (act_ctx[km->b[i].act] == CTX_GLOBAL && global == ACT_NONE)
			global = km->b[i].act;
	}
	return global;
}

char *keymap_first(const struct keymap *km, int act, char *buf, size_t n)
{
	keymap_keys(km, act, buf, n);
	if (n)
		buf[strcspn(buf, " ")] = '\0';
	return buf;
}

char *keymap_keys(const struct keymap *km, int act, char *buf, size_t n)
{
	size_t len = 0;

	if (n)
		buf[0] = '\0';
	for (int i = 0; i < km->n; i++) {
		char name[32];
		if (km->b[i].act != act)
			continue;
		keys_name(km->b[i].key, name, sizeof name);
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? " " : "", name);
		if (len >= n)
			break;
	}
	return buf;
}
