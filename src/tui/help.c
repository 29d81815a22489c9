/* help.c: the help screen, generated from the action table (tui_actions.h)
 * with the bindings in effect, so rebound keys show as they are and a
 * new action appears here without anyone writing it down twice. */
#include <stdlib.h>
#include <string.h>

#include "tui_internal.h"

#define KEYS_W 22

struct help_st {
	struct doc d;
	int width;
	int first_ctx;            /* the context of the screen help was opened from */
};

static void section(struct tui *t, struct doc *d, int ctx, int width)
{
	char keys[128], text[300];

	doc_add(d, DOC_SECTION, SLOT_SECTION, 0, 0, context_title(ctx), width);
	for (int a = 0; a < ACT_COUNT; a++) {
		if (action_context(a) != ctx)
			continue;
		keymap_keys(&t->km, a, keys, sizeof keys);
		snprintf(text, sizeof text, "%s  [%s]", action_help(a), action_name(a));
		doc_pair(d, DOC_FIELD, keys[0] ? keys : "(none)", SLOT_HELP_KEY, KEYS_W, text, SLOT_NORMAL, 0,
			 width);
	}
}

static void build(struct tui *t, struct help_st *hs, int width)
{
	struct doc *d = &hs->d;
	char title[160];

	doc_clear(d);
	free(d->title);
	snprintf(title, sizeof title, " irk %s keys (theme %s%s)", IRK_VERSION, t->theme.name,
		 t->color ? "" : ", no colour");
	d->title = xstrdup(title);
	section(t, d, hs->first_ctx, width);
	for (int ctx = 0; ctx < CTX_COUNT; ctx++) {
		int used = 0;
		for (int a = 0; a < ACT_COUNT && !used; a++)
			used = action_context(a) == ctx;
		if (ctx != hs->first_ctx && used)
			section(t, d, ctx, width);
	}
	doc_add(d, DOC_SECTION, SLOT_SECTION, 0, 0, "Filters", width);
	doc_add(d, DOC_TEXT, SLOT_NORMAL, 2, 0,
		"The filter takes text, matched without case against key, title, owner, host, rule, "
		"category, business unit and source IP, or an expression over the incident's "
		"fields: severity >= 'high' && owner == null, sla == 'breached', waiting, "
		"age > 3600, title ~* 'ransom', unit in ['finance', 'hr']. See irk(1).", width);
	doc_add(d, DOC_SECTION, SLOT_SECTION, 0, 0, "Changing keys and colours", width);
	doc_add(d, DOC_TEXT, SLOT_NORMAL, 2, 0,
		"Keys: irk.conf, section [keys], one line per action: ACTION = KEY KEY ... "
		"(board-move-next = L > n; none unbinds). Action names are in brackets above. "
		"Key names: a character, Up Down Left Right PageUp PageDown Home End Enter "
		"Escape Tab BackTab Backspace Delete Insert Space F1..F12, C-a..C-z. "
		"Colours: --theme NAME, IRK_THEME or [ui] theme; see irk-theme(5).", width);
	hs->width = width;
}

static void *open_help(struct tui *t, const void *arg)
{
	struct help_st *hs = xcalloc(1, sizeof *hs);

	(void)arg;
	doc_init(&hs->d, "");
	hs->first_ctx = t->depth ? t->stack[t->depth - 1].ops->ctx : CTX_BOARD;
	if (hs->first_ctx == CTX_GLOBAL || hs->first_ctx == CTX_PAGER)
		hs->first_ctx = CTX_GLOBAL;
	build(t, hs, t->width);
	return hs;
}

static void draw(struct tui *t, void *st, int width, int height, struct frame *f)
{
	struct help_st *hs = st;

	if (width != hs->width)
		build(t, hs, width);
	doc_frame(&hs->d, width, height, 0, f);
}

static int key(struct tui *t, void *st, int act, int k)
{
	struct help_st *hs = st;

	(void)k;
	if (act == ACT_HELP)
		return SCR_CLOSE;     /* ? again closes it */
	return pager_key(&hs->d, act, t->area_h, 0);
}

static int click(struct tui *t, void *st, int y, int x, int wheel)
{
	struct help_st *hs = st;

	(void)x;
	return pager_click(&hs->d, y, wheel, t->area_h, 0);
}

static void done(void *st)
{
	struct help_st *hs = st;

	doc_free(&hs->d);
	free(hs);
}

const struct screen_ops help_screen = {
	.name = "help",
	.ctx = CTX_GLOBAL,
	.open = open_help,
	.draw = draw,
	.key = key,
	.reload = NULL,
	.click = click,
	.done = done,
};
