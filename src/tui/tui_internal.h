/* tui_internal.h: shared by the files of src/tui/ (the only place that
 * includes curses). Each screen is one file exporting a struct screen_ops;
 * the main loop (tui.c) gives a key to the screen on top first, then
 * handles what it left (quit, help, redraw). */
#ifndef IRK_TUI_INTERNAL_H
#define IRK_TUI_INTERNAL_H

#include <curses.h>
#include <stdint.h>

#include "irk/cli.h"
#include "irk/layout.h"
#include "irk/theme.h"
#include "irk/tui.h"
#include "irk/tui_actions.h"

/* What a screen's key handler did. */
enum { SCR_IGNORED = 0, SCR_HANDLED = 1, SCR_REDRAW = 2, SCR_CLOSE = 4 };

struct screen_ops {
	const char *name;
	int ctx;                   /* enum tui_context: whose bindings apply */
	/* Create the screen's state; NULL (with a status message) on failure. */
	void *(*open)(struct tui *t, void *arg);
	/* Lay the screen out in width x height (the status line is not
	 * included). Must not touch curses. */
	void (*draw)(struct tui *t, void *st, int width, int height, struct frame *f);
	/* Handle an action (act may be ACT_NONE for an unbound key). */
	int (*key)(struct tui *t, void *st, int act, int key);
	/* The database changed: read again, keeping the cursor. */
	void (*reload)(struct tui *t, void *st);
	/* A mouse click at (y, x) of the screen area; may be NULL. */
	int (*click)(struct tui *t, void *st, int y, int x, int wheel);
	void (*done)(void *st);
};

extern const struct screen_ops board_screen, incident_screen, help_screen, pager_screen;

#define TUI_STACK 8

struct tui {
	struct cli *c;
	struct store *s;
	struct keymap km;
	struct theme theme;
	int color;                 /* colours in use */
	attr_t attr[SLOT_COUNT];
	short pair[SLOT_COUNT];
	struct { const struct screen_ops *ops; void *st; } stack[TUI_STACK];
	int depth;
	struct frame frame;
	char status[1024];
	int status_slot;
	int dirty, quit;
	int64_t data_version;
	int width, height;         /* the terminal */
	int area_h;                /* rows the screen got at the last draw */
	SCREEN *screen;
	FILE *in, *out;            /* headless: /dev/null */
	int headless;
};

/* A message on the bottom line until the next key (slot: status.info or
 * status.error). Text is sanitized here. */
void tui_status(struct tui *t, int slot, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Show a lower layer's error (or its informational message). */
void tui_report(struct tui *t, const struct irk_err *err);
/* Open a screen on top. 0 on success. */
int tui_push(struct tui *t, const struct screen_ops *ops, void *arg);
/* Ask for one line of text in a popup (form library). Returns 1 with the
 * text in out (trimmed) when confirmed with Enter, 0 when cancelled. */
int tui_prompt(struct tui *t, const char *label, const char *init, char *out, size_t n);
/* Pick one of items in a popup (menu library). Returns the index, or -1. */
int tui_menu(struct tui *t, const char *title, const char *const *items, int n, int cur);
/* Paint everything now (used by popups before they open). */
void tui_paint(struct tui *t);

/* Lifecycle changes shared by the board and the incident screen
 * (actions.c). Each passes the version the screen loaded, shows the
 * outcome on the status line and returns 1 when something changed (the
 * caller reloads; on a conflict it reloads too and returns 1). */
int tui_claim(struct tui *t, int64_t id, int64_t version);
int tui_move(struct tui *t, int64_t id, int64_t version, int from, int dir);
int tui_close(struct tui *t, int64_t id, int64_t version);

/* The key handling of any document screen (scrolling). */
int pager_key(struct doc *d, int act, int height);

#endif
