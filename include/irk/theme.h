/* theme.h: colour themes as data (irk-theme(5)).
 *
 * The screen never names a colour: it draws with symbolic slots
 * (card.critical, column.title, status.error...). A theme file assigns each
 * slot a foreground, a background and attributes, one tig-style line each:
 *     color card.critical  white  red  bold
 * Colours are names (default, black, red, green, yellow, blue, magenta,
 * cyan, white, bright-red...), numbers 0..255 or colorN. Attributes: normal,
 * bold, dim, underline, reverse, standout, italic, blink. Slots a file does
 * not mention keep the built-in default theme's value.
 *
 * Without colour (NO_COLOR, TERM=vt100) only the attributes are used, so
 * every theme must carry its meaning in attributes as well; the parser
 * itself never touches curses (src/tui/ maps the result onto it). */
#ifndef IRK_THEME_H
#define IRK_THEME_H

#include <stddef.h>

#include "irk/err.h"

/* Every slot: id, name in theme files, what it paints. */
#define THEME_SLOTS(X) \
	X(SLOT_NORMAL,         "normal",         "plain text and the background") \
	X(SLOT_HEADER,         "header",         "the top line: totals and who is on") \
	X(SLOT_HEADER_ALERT,   "header.alert",   "breached SLA count in the header") \
	X(SLOT_COLUMN_TITLE,   "column.title",   "stage column titles") \
	X(SLOT_COLUMN_CURRENT, "column.current", "the title of the column with the cursor") \
	X(SLOT_COLUMN_SEP,     "column.sep",     "lines between columns") \
	X(SLOT_CARD,           "card",           "card text") \
	X(SLOT_CARD_SELECTED,  "card.selected",  "the card under the cursor") \
	X(SLOT_CARD_LOW,       "card.low",       "first line of a low severity card") \
	X(SLOT_CARD_MEDIUM,    "card.medium",    "first line of a medium severity card") \
	X(SLOT_CARD_HIGH,      "card.high",      "first line of a high severity card") \
	X(SLOT_CARD_CRITICAL,  "card.critical",  "first line of a critical card") \
	X(SLOT_CARD_WAITING,   "card.waiting",   "the marker of a card that waits for a person") \
	X(SLOT_CARD_DIM,       "card.dim",       "owner and age, unassigned cards") \
	X(SLOT_SLA_OK,         "sla.ok",         "time left on a running SLA") \
	X(SLOT_SLA_BREACHED,   "sla.breached",   "a breached SLA") \
	X(SLOT_SCROLL,         "scroll",         "scroll positions and 'more' markers") \
	X(SLOT_SECTION,        "section",        "section titles of the incident screen") \
	X(SLOT_FIELD,          "field",          "field names of the incident screen") \
	X(SLOT_CURSOR,         "cursor",         "the line under the cursor (incident, help)") \
	X(SLOT_HELP_KEY,       "help.key",       "keys on the help screen") \
	X(SLOT_STATUS,         "status",         "the bottom line") \
	X(SLOT_STATUS_INFO,    "status.info",    "a message on the bottom line") \
	X(SLOT_STATUS_ERROR,   "status.error",   "an error or refusal on the bottom line") \
	X(SLOT_PROMPT,         "prompt",         "prompts and menus") \
	X(SLOT_PROMPT_INPUT,   "prompt.input",   "the text being typed")

#define X_SLOT_ENUM(id, name, help) id,
enum theme_slot { THEME_SLOTS(X_SLOT_ENUM) SLOT_COUNT };
#undef X_SLOT_ENUM

/* Attributes, independent of curses. */
enum {
	TA_BOLD = 1 << 0, TA_DIM = 1 << 1, TA_UNDERLINE = 1 << 2, TA_REVERSE = 1 << 3,
	TA_STANDOUT = 1 << 4, TA_ITALIC = 1 << 5, TA_BLINK = 1 << 6,
};

#define THEME_DEFAULT_COLOR (-1)   /* the terminal's own colour */

struct theme_style {
	short fg, bg;      /* 0..255 or THEME_DEFAULT_COLOR */
	unsigned attr;     /* TA_* */
};

struct theme {
	char name[64];
	struct theme_style slot[SLOT_COUNT];
};

const char *theme_slot_name(int slot);
const char *theme_slot_help(int slot);
/* -1 when unknown. */
int theme_slot_parse(const char *name);

/* The built-in default theme (identical to themes/default.theme). */
void theme_default(struct theme *t);
/* The built-in mono theme (identical to themes/mono.theme): attributes
 * only, used whenever colour is off. */
void theme_mono(struct theme *t);
/* Parse theme text over t (slots not mentioned keep their value). Errors
 * name "FILE:LINE: reason" using file as the name; on error t is left as it
 * was before the call. */
int theme_parse(struct theme *t, const char *text, size_t len, const char *file,
		struct irk_err *err);
/* Read and parse a file over t. */
int theme_load_file(struct theme *t, const char *path, struct irk_err *err);
/* Find a theme by name or path: a name containing '/' is a path; otherwise
 * NAME.theme in $XDG_CONFIG_HOME/irk/themes, ~/.config/irk/themes, the
 * directories in extra (colon-separated, may be NULL) and IRK_DATADIR/themes.
 * The path goes into buf. IRK_NOTFOUND when none exists. */
int theme_find(const char *name, const char *extra, char *buf, size_t n, struct irk_err *err);
/* The closest of the 8 basic colours to a 256-colour index (for terminals
 * with fewer colours). */
int theme_color_basic(int c);

#endif
