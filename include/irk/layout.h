/* layout.h: what goes where on the screen, without curses.
 *
 * The board and the incident screen are computed here as a frame: a list
 * of spans (row, column, width, theme slot, text). src/tui/ paints a frame
 * with curses; tests turn it into plain text (frame_text) and check it.
 * Every span's text is already sanitized, fitted and padded to its width,
 * so painting never needs to measure anything and spans never overlap.
 *
 * Text given to layout functions must be sanitized already (the board
 * model sanitizes incident fields when cards are added). */
#ifndef IRK_LAYOUT_H
#define IRK_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "irk/model.h"
#include "irk/sla.h"
#include "irk/strbuf.h"
#include "irk/theme.h"

/* ---- frames ----------------------------------------------------------- */
struct span {
	int y, x, w;        /* w: columns the span covers */
	int slot;           /* enum theme_slot */
	size_t off, len;    /* text in frame.text */
};

struct frame {
	struct span *spans;
	size_t n, cap;
	struct strbuf text;
};

void frame_reset(struct frame *f);
void frame_free(struct frame *f);
/* Add text s at (y, x), cut at a character boundary to w columns and padded
 * with spaces to exactly w; "…" (or "~" in ASCII mode) marks a cut when
 * mark is set. Returns the columns the text itself took (before padding). */
int frame_put(struct frame *f, int y, int x, int w, int slot, const char *s, int mark);
/* The frame as width x height plain text, one '\n'-terminated line per row
 * with trailing spaces removed. For tests and the benchmark. */
void frame_text(const struct frame *f, int width, int height, struct strbuf *out);
/* Nonzero: draw with ASCII only ("~" for cuts, "|" and "-" for lines). */
void layout_set_ascii(int ascii);
int layout_ascii(void);

/* ---- the board -------------------------------------------------------- */
#define BOARD_COL_MIN 26     /* narrowest column; 80 columns show 3 */
#define BOARD_CARD_ROWS 3

struct card {
	struct incident inc;  /* owned, every string sanitized */
	int waiting;          /* a step waits for a person (issue 4 marker) */
	int failed;           /* a required step failed (issue 12) */
	int approval;         /* an approval waits that this board's user may grant */
	int observed;         /* the text filter is one of its observables' values */
	int critical;         /* open, on a critical asset (asset_criticality 4) */
	char ticket[24];      /* the ticket a ticket step created ("#12"), sanitized, or "" */
};

/* What a card's marker says, each from a list of incident ids. */
enum card_mark { CARD_WAITING, CARD_FAILED, CARD_APPROVAL };

/* A column shows count cards; the loaded ones are positions base ..
 * base + n - 1 of them (all of them, base 0, unless the board is
 * windowed). Positions count from the column's first card. */
struct board_col {
	int64_t total;        /* incidents of this stage in the database */
	size_t *idx;          /* loaded cards shown (after the filter), indexes into cards */
	size_t n, cap;
	size_t base;          /* the position of idx[0] */
	size_t count;         /* cards the column shows in all */
	int cut;              /* a filter judged only part of the column: count is a floor */
	size_t cur, top;      /* cursor and first visible card: positions */
};

struct expr;

struct board {
	struct card *cards;
	size_t ncards, cap;
	struct board_col col[STAGE_COUNT];
	int cur;              /* column with the cursor */
	int64_t sel_id;       /* the card under the cursor (kept across reloads) */
	int64_t kept_id;      /* shown under a filter it no longer matches: the
	                       * card the cursor was on when it changed (a claim
	                       * under "unassigned"), until the cursor leaves it */
	int first;            /* first column on screen */
	/* Windowed (the board of a large database): each column's cards
	 * are a window of it, added in column order; board_index() neither
	 * filters nor sorts them, and a column shows its total. */
	int windowed;
	/* breached is the reader's to set (counted in the database), not
	 * counted over the cards loaded (a filter's matches, a window). */
	int breached_read;
	/* filters */
	char *text;           /* text filter, or NULL */
	int64_t text_id;      /* the text filter is a key ("IR-42"): that incident only */
	struct expr *expr;    /* expression filter, or NULL */
	char *filter_src;     /* what the user typed, for the header */
	char *query;          /* a saved query's name (the filter "@NAME"), or NULL */
	int64_t *query_ids;   /* the incidents its rows name, sorted */
	size_t nquery_ids;
	int mine, unassigned;
	char *unit;           /* business unit, or NULL */
	char me[64];
	/* header */
	int64_t now;
	struct sla_policy pol;
	int64_t breached;     /* open incidents past an SLA (all, not filtered) */
	char who[256];        /* "bob chen": other users with a board open */
	int64_t unseen;       /* messages for me I have not seen */
	char inbox_key[16];   /* the key that shows them ("i"), for the header */
	char user[128];       /* "alice", "bob senior": who is at this board */
};

void board_init(struct board *b, const char *me);
void board_free(struct board *b);
/* Forget the cards (before a reload); filters and cursor stay. */
void board_clear(struct board *b);
/* Add a copy of inc (strings sanitized). Call board_index() afterwards. */
void board_add(struct board *b, const struct incident *inc);
/* Mark the cards whose ids are in ids[0..n) as waiting for a person
 * (ids is sorted in place). */
void board_mark_waiting(struct board *b, int64_t *ids, size_t n);
/* The same for any mark (enum card_mark); every card is set, so a card
 * that no longer has it loses it. The marker drawn is the most urgent:
 * failed (✗), an approval for you (✓), waiting (⚑). */
void board_mark(struct board *b, int mark, int64_t *ids, size_t n);
/* The same for open incidents on a critical asset (a mark after the
 * severity). */
void board_mark_critical(struct board *b, int64_t *ids, size_t n);
/* Put the cursor on the card at screen cell (y, x) of a board drawn at
 * width x height; 0 when there is no card there. */
int board_hit(struct board *b, int width, int height, int y, int x);
/* The stage of the column drawn at screen column x, or -1. */
int board_col_at(struct board *b, int width, int height, int x);
/* Rebuild the columns from the cards and the filters, keeping the cursor
 * on the card it was on (even when it moved to another stage); when that
 * card is gone, on the same position of the same column. Open columns are
 * ordered by priority, then detection time (oldest first), then id; the
 * closed column newest closed first (a windowed board: as added, each
 * column showing its total). Recomputes the breached count (unless
 * breached_read). */
void board_index(struct board *b);
/* After a filter changed (and board_index()): when the cursor's column
 * shows no card, put the cursor on the first card of the first column
 * that shows one, in stage order (the next board_frame() scrolls it into
 * view). Returns nonzero when the cursor moved. */
int board_focus_match(struct board *b);
/* Windowed: the position of column s's first loaded card, before adding
 * them (board_clear() leaves it). */
void board_window(struct board *b, int s, size_t base);
/* Forget the last card added (a filter did not keep it). */
void board_drop_last(struct board *b);
/* The card at position pos of column s, or NULL when it is not loaded. */
const struct card *board_card_at(const struct board *b, int s, size_t pos);
/* The number of cards shown (matching the filters) in every column. */
size_t board_shown(const struct board *b);
/* The clock moved to now: ages, SLA times and the breached count follow
 * (an SLA breaches while nobody touches the database; with breached_read
 * the reader counts again). */
void board_tick(struct board *b, int64_t now);
/* The card under the cursor, or NULL when the column is empty. */
const struct card *board_current(const struct board *b);
/* Put the cursor on card id; 0 when it is not shown. */
int board_select(struct board *b, int64_t id);

/* Filters. board_filter_set() decides between text and expression: input
 * holding a comparison (== != < > ~), `in [` or && ||, or made only of
 * field names ("waiting", "!mine"), is an expression over
 * the incident's fields (key, title, stage, severity, priority, owner,
 * business_unit, category, host, rule, src_ip, confidence, alerts, age in
 * seconds, sla: ok|breached|none, resolution, waiting: true|false, mine,
 * failed: a required step failed, approvals: one waits that you may grant);
 * anything else matches as text (case-insensitive) against key, title,
 * owner, host, rule, category, business unit and source IP; a key alone
 * ("IR-42") finds that incident only. "" clears. On a parse error, an
 * unknown field name, a value an enumerated field never takes (severity,
 * stage, priority 1-4, asset_criticality 0-4, sla, resolution, waiting,
 * mine, failed, approvals: `severity >= 'hihg'`) or < > on names that have no order (stage,
 * sla, resolution) the old filter stays and msg says why, listing the
 * fields or the values. Call board_index() after any change. */
int board_filter_set(struct board *b, const char *input, char *msg, size_t n);
/* The filter is saved query name (typed as "@NAME"): the incidents
 * ids[0..n) its rows name (copied and sorted), in place of a text or an
 * expression. Called again with the same name after the query ran again
 * on a reload. board_filter_set() clears it. */
void board_filter_ids(struct board *b, const char *name, const int64_t *ids, size_t n);
int board_card_matches(const struct board *b, const struct card *c);
/* Nonzero when any filter is on (text, expression, saved query, mine,
 * unassigned, unit). */
int board_filtered(const struct board *b);

/* Navigation (the actions of tui_actions.h that move the cursor). page is
 * the number of cards per page on screen. Returns nonzero when the
 * cursor moved. */
int board_up(struct board *b, size_t count);
int board_down(struct board *b, size_t count);
int board_left(struct board *b);
int board_right(struct board *b);
int board_home(struct board *b);
int board_end(struct board *b);

/* Geometry for a board area of width x height. */
struct board_geom {
	int ncols;            /* columns on screen */
	int colw[STAGE_COUNT];/* their widths */
	int colx[STAGE_COUNT];
	int cards;            /* cards that fit in a column */
};
void board_geometry(struct board *b, int width, int height, struct board_geom *g);
/* Lay the board out in rows 0..height-1 (header, column titles, cards, a
 * scroll line). Adjusts first column and scroll offsets so the cursor is
 * visible. */
void board_frame(struct board *b, int width, int height, struct frame *f);
/* The three lines of a card at width w: text and slot of each part.
 * (Exposed for tests.) */
void board_card_line(const struct board *b, const struct card *c, int line, int w,
		int selected, struct frame *f, int y, int x);

/* ---- the status message -------------------------------------------------- */
/* A status message in at most rows rows (up to 4) of width from row y,
 * wrapped at spaces (sanitized here). When it needs more, the last row is
 * cut with a mark ("…") and ends with more (a hint such as " M: all";
 * NULL: none; left out when it would take half the row). Returns the rows
 * the message takes (at least 1); with f NULL it only counts them. */
int layout_message(struct frame *f, int y, int width, int rows, int slot, const char *msg,
		const char *more);

/* ---- documents: the incident screen, help, raw records ------------------ */
/* DOC_ALERT, DOC_STEP and DOC_SENSOR lines carry the row id of their
 * alert, step or (newest) kept sensor event in ref, so a key on the line
 * under the cursor knows what it is on. The
 * step screen's lines: a checklist item (ref: its number from 0), an input
 * field (ref: its number), a button (ref: the action it runs, enum
 * tui_action) and a line of the step's output (Enter shows all of it). */
enum doc_kind { DOC_TEXT, DOC_SECTION, DOC_ALERT, DOC_FIELD, DOC_STEP, DOC_CHECK, DOC_INPUT,
		DOC_BUTTON, DOC_OUTPUT, DOC_SENSOR };

struct doc_line {
	int kind;             /* enum doc_kind */
	int slot;             /* theme slot of the text */
	int indent;           /* columns before the text (with a label: the label's) */
	int label_slot;       /* theme slot of the label */
	int64_t ref;          /* DOC_ALERT, DOC_STEP, DOC_SENSOR: the row id */
	char *label;          /* a label before the text, "" on continuation
	                       * lines, NULL for none (owned, sanitized) */
	char *text;           /* owned, sanitized, one line */
};

struct doc {
	struct doc_line *lines;
	size_t n, cap;
	size_t cur, top;      /* cursor line and first line on screen */
	char *title;          /* owned */
};

void doc_init(struct doc *d, const char *title);
void doc_free(struct doc *d);
void doc_clear(struct doc *d);
/* Append text (raw; it is sanitized here) wrapped to width - indent
 * columns; embedded newlines start new lines. */
void doc_add(struct doc *d, int kind, int slot, int indent, int64_t ref,
		const char *text, int width);
/* Like doc_add, folded: text that would wrap onto a second line (or has
 * several) is shown as its first line, cut so that more (a marker such as
 * " ... Enter: all", raw ASCII or UTF-8, not sanitized) fits after it.
 * Adds exactly one line. */
void doc_add_folded(struct doc *d, int kind, int slot, int indent, int64_t ref,
		const char *text, const char *more, int width);
/* A "label: value" line, the value wrapped under itself. */
void doc_field(struct doc *d, const char *label, const char *value, int width);
/* A line of kind with a label in label_slot, label_w columns wide (cut to
 * fit), then text in slot wrapped under itself (the help screen: keys,
 * then what they do; the timeline: time, then what happened). ref is kept
 * on every line. Both strings are sanitized here. */
void doc_pair(struct doc *d, int kind, const char *label, int label_slot, int label_w,
		const char *text, int slot, int64_t ref, int width);
/* The index of the next (dir 1) or previous (-1) section line from cur,
 * or cur when none. */
size_t doc_next_section(const struct doc *d, size_t cur, int dir);
/* Move the cursor by delta lines (clamped); keeps it on screen for height. */
void doc_move(struct doc *d, long delta, int height);
/* Rows 0..height-1: the title, then the lines from top (cursor shown with
 * the cursor slot when show_cursor). */
void doc_frame(struct doc *d, int width, int height, int show_cursor, struct frame *f);

#endif
