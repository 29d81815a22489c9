/* tui.h: the board, driven from outside a terminal (tests, benchmarks).
 *
 * tui_main() (cli.h) is the real entry. These functions run the same
 * screens on a virtual terminal (newterm on /dev/null) so the benchmark
 * can time frames and tests can read the painted screen back. */
#ifndef IRK_TUI_H
#define IRK_TUI_H

#include "irk/err.h"
#include "irk/strbuf.h"

struct cli;
struct tui;

/* Open the board headless at width x height on c's database (cli_store()
 * must have succeeded). NULL with err filled on failure. */
struct tui *tui_open_headless(struct cli *c, int width, int height, struct irk_err *err);
/* Handle one key (a code from tui_actions.h: code point, or KEY_* |
 * TUI_KEY_FN) as if typed. Returns nonzero when irk would quit. */
int tui_feed_key(struct tui *t, int key);
/* Check the database for changes like the timer does. */
void tui_tick(struct tui *t);
/* Lay out and paint the current screen (wnoutrefresh + doupdate). */
void tui_render(struct tui *t);
/* The painted screen as text, one line per row, trailing spaces removed. */
void tui_screen_text(struct tui *t, struct strbuf *out);
void tui_close(struct tui **t);

#endif
