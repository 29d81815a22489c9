/* tui_internal.h: shared by the files of src/tui/ (the only place that
 * includes curses).
 *
 * Each screen is one file exporting a const struct screen_ops; screens
 * stack (board, then an incident, then a raw record...). The main loop
 * (tui.c) gives a key to the popup when one is open (a prompt or a menu:
 * prompt.c), else to the screen on top as an action of its context, then
 * handles what the screen left (quit, help, redraw).
 *
 * Screens never call curses to draw: draw() lays the screen out as a frame
 * (layout.h) and tui.c paints it. Prompts and menus are not modal loops:
 * they are overlays fed by the same key path, so a scripted test
 * (tui_feed_key) drives them exactly like a person does. Their outcome
 * arrives in a callback. */
#ifndef IRK_TUI_INTERNAL_H
#define IRK_TUI_INTERNAL_H

#include <curses.h>
#include <stdint.h>

#include "irk/app.h"
#include "irk/layout.h"
#include "irk/sla.h"
#include "irk/theme.h"
#include "irk/tui.h"
#include "irk/tui_actions.h"

/* What a screen's key handler did (flags). */
enum { SCR_IGNORED = 0, SCR_HANDLED = 1, SCR_CLOSE = 2 };

struct screen_ops {
	const char *name;
	int ctx;                   /* enum tui_context: whose bindings apply */
	/* Create the screen's state from arg; NULL (with a status message)
	 * on failure. */
	void *(*open)(struct tui *t, const void *arg);
	/* Lay the screen out in width x height (the status line is not
	 * included). Must not touch curses. */
	void (*draw)(struct tui *t, void *st, int width, int height, struct frame *f);
	/* Handle an action (act is ACT_NONE for an unbound key; key is the
	 * key itself). Returns SCR_* flags. */
	int (*key)(struct tui *t, void *st, int act, int key);
	/* The database changed: read again, keeping the cursor. */
	void (*reload)(struct tui *t, void *st);
	/* A mouse click (wheel 0) or wheel turn (wheel -1 up, 1 down) at
	 * (y, x) of the screen area. May be NULL. */
	int (*click)(struct tui *t, void *st, int y, int x, int wheel);
	void (*done)(void *st);
	/* Nonzero when the status line should show act's key: the actions
	 * that apply to what is on screen now (a step's screen offers approve
	 * on an approval only). May be NULL: every action of the context. */
	int (*hints)(struct tui *t, void *st, int act);
};

extern const struct screen_ops board_screen, incident_screen, help_screen, pager_screen,
	step_screen, dashboard_screen, query_screen;
/* Ask for a query (the last one offered again) and show its result
 * (query.c). */
void tui_query_prompt(struct tui *t);
/* The incidents saved query name's rows name (its key column), for the
 * board's filter "@NAME": *ids (caller frees) holds *n ids. IRK_INVALID
 * with msg when there is no such query, it fails, or it is not over
 * incidents or has no key column. */
int tui_query_ids(struct tui *t, const char *name, int64_t **ids, size_t *n, char *msg,
		  size_t nmsg);
/* Show the board filtered by expr (an expression of board_filter_set())
 * and say what it shows (what: "open incidents late now"). */
void board_show_filter(struct tui *t, const char *expr, const char *what);

/* The argument of the step screen: the incident and the step's row id. */
struct step_arg {
	int64_t incident_id, row;
};

/* The argument of the pager: a title and the text to show (both raw: the
 * pager sanitizes them). JSON is indented for reading. */
struct pager_arg {
	const char *title;
	const char *text;
	int opens;            /* Enter opens the incident a message names (the messages) */
};

#define TUI_STACK 8

struct popup;

struct tui {
	struct app *app;           /* the context shared with the command line (borrowed) */
	struct store *s;
	struct keymap km;
	struct theme theme;
	struct sla_policy pol;
	int color;                 /* colours in use */
	int utf8;                  /* the locale is UTF-8 */
	int mouse;
	attr_t attr[SLOT_COUNT];
	short pair[SLOT_COUNT];
	struct { const struct screen_ops *ops; void *st; } stack[TUI_STACK];
	int depth;
	struct popup *popup;       /* an open prompt or menu, or NULL */
	struct frame frame, last;  /* this frame and the one painted before */
	char status[1024];         /* sanitized */
	int status_slot;
	char *message;             /* the last message in full, for the pager (M); owned */
	int quit;
	int need_reload;           /* something changed the database: reload every screen */
	int64_t now;               /* the clock, read once per tick */
	int64_t data_version;
	int64_t next_beat;         /* presence heartbeat */
	int width, height;         /* the terminal */
	int area_h;                /* rows the screens get (the status line is the last row) */
	int painted;               /* something was painted since the last clear */
	SCREEN *screen;
	FILE *in, *out;
	int headless;
	char notes[2048];          /* printed on stderr after the terminal is restored */
	int64_t last_move_id, last_move_at;   /* this board's last forward move */
	int64_t acted_id;         /* the incident this board last claimed, moved or closed */
	/* Context lookups (irk/context.h): the sources of irk.conf and the
	 * worker that asks them, off this thread (NULL: none, as headless
	 * and on a shared jump box, where irk serve does it). */
	struct context_sources *ctx_srcs;
	struct context_worker *ctx_worker;
};

/* A message on the status line until the next key (slot: SLOT_STATUS_INFO
 * or SLOT_STATUS_ERROR). The text is sanitized here. A long one takes two
 * rows; longer still, the second ends with the key that shows it all in
 * the pager (M, which shows the last message even after it went). */
void tui_status(struct tui *t, int slot, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* What M shows for the message on the status line now: full (raw; the
 * pager sanitizes it), when the status line says it in short. */
void tui_status_full(struct tui *t, const char *full);
/* Show a lower layer's outcome: an error in the error slot, an
 * informational message (code IRK_OK with a message) in the info slot.
 * What the user can do (err->need) is added in the board's terms: the
 * keys to press, or nothing when the board asks for it itself. */
void tui_report(struct tui *t, const struct irk_err *err);
/* Open a screen on top. 0 on success (on failure the status line says why). */
int tui_push(struct tui *t, const struct screen_ops *ops, const void *arg);
/* The screen on top, and its state. */
void *tui_top(struct tui *t, const struct screen_ops *ops);
/* Restore the terminal, print the message and exit 1: the one fatal path. */
void tui_die(struct tui *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* ---- popups (prompt.c) ----------------------------------------------------- */
/* The callback of a prompt: ok is 1 when confirmed with Enter (text holds
 * what was typed, trimmed, in UTF-8), 0 when cancelled. arg is the
 * caller's; the popup frees it afterwards with free() when it was given
 * as owned. The callback may open another popup. */
typedef void (*prompt_fn)(struct tui *t, void *arg, int ok, const char *text);
/* The prompt just opened shows its initial text selected: the first
 * character typed (or a deletion) replaces it; a moving key keeps it. */
void tui_prompt_select(struct tui *t);
/* The prompt just opened keeps a history (items[0..n), oldest first,
 * borrowed until it closes): Up shows the entry before, Down the one
 * after, and below the newest what was being typed. When the prompt
 * offers the newest entry, Up goes to the one before it. */
void tui_prompt_history(struct tui *t, char *const *items, int n);
/* The callback of a menu: index of the chosen item, or -1 when cancelled. */
typedef void (*menu_fn)(struct tui *t, void *arg, int index);

/* Ask for one line of text (form library). label is sanitized; init is
 * the starting text (may be NULL). arg is freed with free() after the
 * callback when owned is set. */
void tui_prompt(struct tui *t, const char *label, const char *init, prompt_fn fn, void *arg,
		int owned);
/* Pick one of items (menu library), starting on cur. Items are copied
 * and sanitized. */
void tui_menu(struct tui *t, const char *title, const char *const *items, int n, int cur,
	      menu_fn fn, void *arg, int owned);
/* Give a key to the open popup. */
void popup_key(struct tui *t, int key);
/* Paint the popup over the screen (a panel) after the screen was painted. */
void popup_paint(struct tui *t);
/* Close the popup without calling its callback (irk quits). */
void popup_free(struct tui *t);
/* The terminal changed size: a popup that no longer fits is cancelled
 * (the status line says so); one that fits is centred again. */
void popup_resized(struct tui *t);

/* ---- lifecycle changes shared by the board and the incident screen --------
 * (actions.c). Each takes the incident's id, the version the screen loaded
 * and its stage, asks what it needs (reason, resolution) in popups, shows
 * the outcome on the status line and sets need_reload when the database
 * changed (or when a colleague's change made ours fail: then the fresh
 * state is shown). */
void tui_claim(struct tui *t, int64_t id, int64_t version);
void tui_move(struct tui *t, int64_t id, int64_t version, int from, int dir);
void tui_resolve(struct tui *t, int64_t id, int64_t version, int from);
void tui_note(struct tui *t, int64_t id);
/* N: a new incident by hand (incident_create()): a title, then a
 * severity; the status line names its key. */
void tui_new_incident(struct tui *t);
void tui_edit(struct tui *t, int64_t id, int64_t version);
/* Split a host out of storm incident id (storm: its flag), asking which
 * with host (may be NULL) offered. */
void tui_split(struct tui *t, int64_t id, int storm, const char *host);
/* Split "title=Lost laptop severity=high" into assignments at the spaces
 * that precede a FIELD= word. Returns how many (at most max); the strings
 * point into buf, which is modified. */
int tui_split_assignments(char *buf, char **out, int max);

/* ---- shared by document screens (pager.c) -------------------------------- */
/* The moving keys (up, down, pages, first, last) on a document shown in
 * height rows (its title row included): with cursor set they move the
 * cursor line (the incident screen), else they scroll (the pager, help).
 * SCR_HANDLED when act was one of them. */
int pager_key(struct doc *d, int act, int height, int cursor);
/* A click puts the cursor on the line (cursor set); the wheel scrolls. */
int pager_click(struct doc *d, int y, int wheel, int height, int cursor);
/* JSON text indented for reading, one member a line (text that is not an
 * object or array comes back as it is). Caller frees. */
char *pager_indent_json(const char *s);

#endif
