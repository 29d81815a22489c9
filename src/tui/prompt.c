/* prompt.c: popups over the screen: a one-line prompt (the form library)
 * and a menu (the menu library), each in a panel.
 *
 * They are not modal loops: a popup is state that handle_key() feeds, and
 * its outcome arrives in a callback. A test driving tui_feed_key() types
 * into a prompt exactly as a person does. ncursesw's form and menu take
 * wide characters, so "Müller" or 東京 can be typed and shown. */
#include <form.h>
#include <menu.h>
#include <panel.h>
#include <stdlib.h>
#include <string.h>

#include "irk/sanitize.h"
#include "tui_internal.h"

#define PROMPT_MAX_CHARS 4000
#define LABEL_MAX_ROWS 8
#define MENU_HINT "Enter: choose  Esc: cancel"

enum { POP_PROMPT, POP_MENU };

struct popup {
	int kind;
	char *title;           /* sanitized */
	struct doc label;      /* the label, wrapped */
	WINDOW *win, *sub;
	PANEL *panel;
	FORM *form;
	FIELD *fields[2];
	MENU *menu;
	ITEM **items;
	char **names;
	int nitems;
	prompt_fn pfn;
	menu_fn mfn;
	void *arg;
	int owned;
	int h, w, for_w, for_h; /* size, and the screen size it was placed for */
	int selected;          /* a prompt's text is selected: typing replaces it */
	char *const *hist;     /* a prompt's history, oldest first (borrowed), or NULL */
	int nhist, hpos;       /* hpos: the entry shown; nhist: the line being typed */
	char *draft;           /* what was typed before Up went into the history */
};

static chtype slot_attr(struct tui *t, int slot)
{
	return (chtype)(t->attr[slot] | COLOR_PAIR(t->pair[slot]));
}

/* Text (sanitized UTF-8) at (y, x) of win, at most cols columns. */
static void put(struct tui *t, WINDOW *win, int y, int x, int cols, int slot, const char *s)
{
	wchar_t w[512];
	size_t n = 0, i = 0, len = utf8_fit(s, strlen(s), cols);

	while (i < len && n < sizeof w / sizeof w[0] - 1) {
		unsigned cp;
		int l = utf8_decode(s + i, len - i, &cp);
		if (l <= 0)
			l = 1, cp = '?';
		w[n++] = !t->utf8 && cp >= 0x80 ? L'?' : (wchar_t)cp;
		i += (size_t)l;
	}
	w[n] = 0;
	wattr_set(win, t->attr[slot], t->pair[slot], NULL);
	mvwaddnwstr(win, y, x, w, (int)n);
}

static void frame_box(struct tui *t, struct popup *p, const char *hint)
{
	wbkgdset(p->win, slot_attr(t, SLOT_PROMPT) | ' ');
	werase(p->win);
	wattr_set(p->win, t->attr[SLOT_PROMPT], t->pair[SLOT_PROMPT], NULL);
	/* Unicode lines in a UTF-8 locale (what tests read back is what a
	 * person sees), ASCII on older terminals. */
	if (layout_ascii())
		wborder(p->win, '|', '|', '-', '-', '+', '+', '+', '+');
	else
		box_set(p->win, WACS_VLINE, WACS_HLINE);
	if (p->title[0]) {
		char buf[300];
		snprintf(buf, sizeof buf, " %s ", p->title);
		put(t, p->win, 0, 2, p->w - 4, SLOT_PROMPT, buf);
	}
	for (size_t i = 0; i < p->label.n && i < LABEL_MAX_ROWS; i++)
		put(t, p->win, 1 + (int)i, 2, p->w - 4, SLOT_PROMPT, p->label.lines[i].text);
	{
		char buf[80];
		snprintf(buf, sizeof buf, " %s ", hint);
		put(t, p->win, p->h - 1, 2, p->w - 4, SLOT_PROMPT, buf);
	}
}

static int label_rows(const struct popup *p)
{
	return p->label.n < LABEL_MAX_ROWS ? (int)p->label.n : LABEL_MAX_ROWS;
}

/* Centre the popup on the screen area. */
static void place(struct tui *t, struct popup *p)
{
	int y = (t->area_h - p->h) / 2, x = (t->width - p->w) / 2;

	p->for_w = t->width;
	p->for_h = t->height;
	move_panel(p->panel, y < 0 ? 0 : y, x < 0 ? 0 : x);
}

static struct popup *popup_new(struct tui *t, int kind, const char *title, const char *label,
			       int w, int body_rows)
{
	struct popup *p = xcalloc(1, sizeof *p);

	popup_free(t);
	t->area_h = t->height > 1 ? t->height - 1 : 1;
	p->kind = kind;
	p->title = sanitize_dup(title ? title : "", 0);
	p->w = w;
	doc_init(&p->label, "");
	if (label && *label)
		doc_add(&p->label, DOC_TEXT, SLOT_PROMPT, 0, 0, label, w - 4);
	p->h = label_rows(p) + body_rows + 2;
	if (p->h > t->area_h)
		p->h = t->area_h > 3 ? t->area_h : 3;
	p->win = newwin(p->h, p->w, 0, 0);
	p->panel = new_panel(p->win);
	place(t, p);
	t->popup = p;
	t->painted = 0;
	return p;
}

static int popup_width(struct tui *t, int want)
{
	int max = t->width - 2;

	if (want > 76)
		want = 76;
	if (want > max)
		want = max;
	return want < 20 ? 20 : want;
}

void popup_free(struct tui *t)
{
	struct popup *p = t->popup;

	if (!p)
		return;
	t->popup = NULL;
	t->painted = 0;
	if (p->form) {
		unpost_form(p->form);
		free_form(p->form);
		free_field(p->fields[0]);
	}
	if (p->menu) {
		unpost_menu(p->menu);
		free_menu(p->menu);
		for (int i = 0; i < p->nitems; i++) {
			free_item(p->items[i]);
			free(p->names[i]);
		}
		free(p->items);
		free(p->names);
	}
	if (p->panel)
		del_panel(p->panel);
	if (p->sub)
		delwin(p->sub);
	if (p->win)
		delwin(p->win);
	doc_free(&p->label);
	free(p->title);
	free(p->draft);
	if (p->owned)
		free(p->arg);
	free(p);
	curs_set(0);
}

/* Close the popup, then call its callback (which may open another). */
static void finish(struct tui *t, int ok, const char *text, int index)
{
	struct popup *p = t->popup;
	prompt_fn pfn = p->pfn;
	menu_fn mfn = p->mfn;
	void *arg = p->arg;
	int owned = p->owned;
	char *copy = xstrdup(text ? text : "");

	p->owned = 0;
	popup_free(t);
	if (pfn)
		pfn(t, arg, ok, copy);
	else if (mfn)
		mfn(t, arg, index);
	if (owned)
		free(arg);
	free(copy);
}

/* ---- the prompt --------------------------------------------------------------- */

void tui_prompt(struct tui *t, const char *label, const char *init, prompt_fn fn, void *arg,
		int owned)
{
	struct popup *p = popup_new(t, POP_PROMPT, "", label, popup_width(t, 76), 1);
	int row = label_rows(p) + 1;

	if (row > p->h - 2)
		row = p->h - 2;
	p->pfn = fn;
	p->arg = arg;
	p->owned = owned;
	p->fields[0] = new_field(1, p->w - 4, 0, 0, 0, 0);
	/* Not static: the field scrolls sideways for text longer than the box. */
	field_opts_off(p->fields[0], O_AUTOSKIP | O_STATIC);
	set_max_field(p->fields[0], PROMPT_MAX_CHARS);
	set_field_back(p->fields[0], slot_attr(t, SLOT_PROMPT_INPUT));
	set_field_fore(p->fields[0], slot_attr(t, SLOT_PROMPT_INPUT));
	if (init && *init) {
		char *safe = sanitize_dup(init, 0);
		set_field_buffer(p->fields[0], 0, safe);
		free(safe);
	}
	p->form = new_form(p->fields);
	p->sub = derwin(p->win, 1, p->w - 4, row, 2);
	set_form_win(p->form, p->win);
	set_form_sub(p->form, p->sub);
	frame_box(t, p, "Enter: OK  Esc: cancel");
	post_form(p->form);
	form_driver(p->form, REQ_END_LINE);
}

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

/* The field's text, trimmed (caller frees). */
static char *field_text(struct popup *p)
{
	char *text;

	form_driver(p->form, REQ_VALIDATION);
	text = xstrdup(field_buffer(p->fields[0], 0));
	trim(text);
	return text;
}

static void field_set(struct popup *p, const char *text)
{
	char *safe = sanitize_dup(text, 0);

	set_field_buffer(p->fields[0], 0, safe);
	free(safe);
	form_driver(p->form, REQ_END_LINE);
}

void tui_prompt_history(struct tui *t, char *const *items, int n)
{
	struct popup *p = t->popup;
	char *now;

	if (!p || p->kind != POP_PROMPT)
		return;
	p->hist = items;
	p->nhist = p->hpos = n;
	/* Offered the newest entry: Up goes to the one before. */
	now = field_text(p);
	if (n && !strcmp(now, items[n - 1]))
		p->hpos = n - 1;
	free(now);
}

/* Up (dir -1) and Down (1) through the history; below the newest entry
 * is what was being typed. */
static void history_move(struct popup *p, int dir)
{
	int to = p->hpos + dir;

	if (!p->hist || to < 0 || to > p->nhist)
		return;
	if (p->hpos == p->nhist) {
		free(p->draft);
		p->draft = field_text(p);
	}
	p->hpos = to;
	field_set(p, to < p->nhist ? p->hist[to] : p->draft ? p->draft : "");
}

void tui_prompt_select(struct tui *t)
{
	struct popup *p = t->popup;

	if (!p || p->kind != POP_PROMPT || !*field_buffer(p->fields[0], 0))
		return;
	p->selected = 1;
	set_field_back(p->fields[0], slot_attr(t, SLOT_PROMPT_INPUT) | A_REVERSE);
	set_field_fore(p->fields[0], slot_attr(t, SLOT_PROMPT_INPUT) | A_REVERSE);
}

/* The selection ends with the first key: a character or a deletion
 * replaces the text (returns 1 for a deletion, which is done), any other
 * key keeps it and edits as usual. */
static int unselect(struct tui *t, struct popup *p, int key)
{
	int printable = !(key & TUI_KEY_FN) && key >= 0x20 && key != 0x7f &&
			!(key >= 0x80 && key < 0xa0);
	int del = key == (TUI_KEY_FN | KEY_BACKSPACE) || key == (TUI_KEY_FN | KEY_DC) || key == 0x7f ||
		  key == 8;

	p->selected = 0;
	set_field_back(p->fields[0], slot_attr(t, SLOT_PROMPT_INPUT));
	set_field_fore(p->fields[0], slot_attr(t, SLOT_PROMPT_INPUT));
	if (printable || del)
		form_driver(p->form, REQ_CLR_FIELD);
	return del;
}

static void prompt_key(struct tui *t, struct popup *p, int key)
{
	static const struct { int key, req; } reqs[] = {
		{ TUI_KEY_FN | KEY_BACKSPACE, REQ_DEL_PREV }, { TUI_KEY_FN | KEY_DC, REQ_DEL_CHAR },
		{ TUI_KEY_FN | KEY_LEFT, REQ_PREV_CHAR }, { TUI_KEY_FN | KEY_RIGHT, REQ_NEXT_CHAR },
		{ TUI_KEY_FN | KEY_HOME, REQ_BEG_LINE }, { TUI_KEY_FN | KEY_END, REQ_END_LINE },
		{ 1, REQ_BEG_LINE }, { 5, REQ_END_LINE }, { 21, REQ_CLR_FIELD }, { 11, REQ_CLR_EOL },
		{ 23, REQ_DEL_WORD },
	};

	if (key == '\n') {
		char *text = field_text(p);
		finish(t, 1, text, 0);
		free(text);
		return;
	}
	if (key == 27) {
		finish(t, 0, "", 0);
		return;
	}
	if (p->selected && unselect(t, p, key))
		return;
	if (p->hist && (key == (TUI_KEY_FN | KEY_UP) || key == (TUI_KEY_FN | KEY_DOWN))) {
		history_move(p, key == (TUI_KEY_FN | KEY_UP) ? -1 : 1);
		return;
	}
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++)
		if (reqs[i].key == key) {
			form_driver(p->form, reqs[i].req);
			return;
		}
	/* Printable characters only: a control character typed or pasted
	 * never reaches a note. */
	if (!(key & TUI_KEY_FN) && key >= 0x20 && key != 0x7f && !(key >= 0x80 && key < 0xa0))
		form_driver_w(p->form, OK, (wchar_t)key);
}

/* ---- the menu ------------------------------------------------------------------ */

void tui_menu(struct tui *t, const char *title, const char *const *items, int n, int cur,
	      menu_fn fn, void *arg, int owned)
{
	/* Wide enough for the title and the hint on the bottom border. */
	int widest = (int)strlen(title) + 6, rows;
	struct popup *p;
	char **names = xcalloc((size_t)n + 1, sizeof *names);

	if (widest < (int)sizeof MENU_HINT + 5)
		widest = (int)sizeof MENU_HINT + 5;

	for (int i = 0; i < n; i++) {
		int w;
		names[i] = sanitize_dup(items[i], 0);
		w = utf8_width(names[i], strlen(names[i])) + 6;
		if (w > widest)
			widest = w;
	}
	rows = n;
	if (rows > t->height - 6)
		rows = t->height - 6 > 1 ? t->height - 6 : 1;
	p = popup_new(t, POP_MENU, title, NULL, popup_width(t, widest), rows);
	rows = p->h - 2;
	p->mfn = fn;
	p->arg = arg;
	p->owned = owned;
	p->names = names;
	p->nitems = n;
	p->items = xcalloc((size_t)n + 1, sizeof *p->items);
	for (int i = 0; i < n; i++)
		p->items[i] = new_item(names[i], "");
	p->menu = new_menu(p->items);
	p->sub = derwin(p->win, rows, p->w - 4, 1, 2);
	set_menu_win(p->menu, p->win);
	set_menu_sub(p->menu, p->sub);
	set_menu_format(p->menu, rows, 1);
	set_menu_mark(p->menu, "> ");
	set_menu_fore(p->menu, slot_attr(t, SLOT_CURSOR));
	set_menu_back(p->menu, slot_attr(t, SLOT_PROMPT));
	menu_opts_off(p->menu, O_SHOWDESC);
	frame_box(t, p, MENU_HINT);
	post_menu(p->menu);
	if (cur > 0 && cur < n)
		set_current_item(p->menu, p->items[cur]);
}

static void menu_key(struct tui *t, struct popup *p, int key)
{
	int act = keymap_lookup(&t->km, CTX_GLOBAL, key);

	if (key == '\n') {
		finish(t, 1, NULL, item_index(current_item(p->menu)));
		return;
	}
	if (key == 27 || act == ACT_BACK || act == ACT_QUIT) {
		finish(t, 0, NULL, -1);
		return;
	}
	if (key >= '1' && key <= '9' && key - '1' < p->nitems) {
		finish(t, 1, NULL, key - '1');
		return;
	}
	switch (act) {
	case ACT_UP: menu_driver(p->menu, REQ_UP_ITEM); break;
	case ACT_DOWN: menu_driver(p->menu, REQ_DOWN_ITEM); break;
	case ACT_PAGE_UP: menu_driver(p->menu, REQ_SCR_UPAGE); break;
	case ACT_PAGE_DOWN: menu_driver(p->menu, REQ_SCR_DPAGE); break;
	case ACT_FIRST: menu_driver(p->menu, REQ_FIRST_ITEM); break;
	case ACT_LAST: menu_driver(p->menu, REQ_LAST_ITEM); break;
	}
}

/* ---- both ------------------------------------------------------------------------ */

void popup_key(struct tui *t, int key)
{
	struct popup *p = t->popup;

	if (p->kind == POP_PROMPT)
		prompt_key(t, p, key);
	else
		menu_key(t, p, key);
}

void popup_resized(struct tui *t)
{
	struct popup *p = t->popup;

	if (!p)
		return;
	if (p->w > t->width || p->h > t->area_h) {
		popup_free(t);
		tui_status(t, SLOT_STATUS_ERROR, "the terminal got too small for the popup: it was cancelled");
		return;
	}
	place(t, p);
}

void popup_paint(struct tui *t)
{
	struct popup *p = t->popup;

	if (p->for_w != t->width || p->for_h != t->height)
		place(t, p);
	/* stdscr was just painted under it: copy the whole popup again. */
	touchwin(p->win);
	update_panels();
	if (p->kind == POP_PROMPT) {
		curs_set(1);
		pos_form_cursor(p->form);
		wnoutrefresh(p->sub);
	}
}
