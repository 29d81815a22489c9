/* tui.h: the terminal front end (src/tui/): the board.
 *
 * tui_main() is the real entry (main.c gives it to cli_main()). The other
 * functions run the same screens on a virtual terminal (newterm on
 * /dev/null) so the benchmark can time frames and tests can read the
 * painted screen back. The board runs on the context it shares with the
 * command line (app.h), never on the command line itself. */
#ifndef IRK_TUI_H
#define IRK_TUI_H

#include "irk/err.h"
#include "irk/strbuf.h"

struct app;
struct tui;

/* The board on this terminal until the user quits: opens a's database
 * (a missing one is said on standard error, with how to create it) and
 * runs the sequencer beside it. Returns an exit code (EXIT_*, app.h;
 * 128 + the signal that ended it). a is borrowed. */
int tui_main(struct app *a);
/* Open the board headless at width x height on a's database
 * (app_store_open() must have succeeded; a is borrowed until
 * tui_close()). NULL with err filled on failure. */
struct tui *tui_open_headless(struct app *a, int width, int height, struct irk_err *err);
/* Handle one key (a code from tui_actions.h: code point, or KEY_* |
 * TUI_KEY_FN) as if typed. Returns nonzero when irk would quit. */
int tui_feed_key(struct tui *t, int key);
/* A mouse click (wheel 0) or a wheel turn (-1 up, 1 down) at screen cell
 * (y, x), as if the mouse were on ([ui] mouse = yes). */
void tui_feed_mouse(struct tui *t, int y, int x, int wheel);
/* The terminal changed size (what KEY_RESIZE does on a real terminal). */
void tui_resize(struct tui *t, int width, int height);
/* Check the database for changes like the timer does. */
void tui_tick(struct tui *t);
/* Lay out and paint the current screen (wnoutrefresh + doupdate). */
void tui_render(struct tui *t);
/* The painted screen as text, one line per row, trailing spaces removed
 * (popups included: what the terminal shows). */
void tui_screen_text(struct tui *t, struct strbuf *out);
/* The message on the status line ("" when none). Borrowed. */
const char *tui_status_text(const struct tui *t);
void tui_close(struct tui **t);

#endif
