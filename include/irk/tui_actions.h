/* tui_actions.h: what a key can do on the board, as data.
 *
 * One X-macro lists every action: its context (the screen where it
 * applies, or every screen), its name (used in irk.conf [keys] and on the
 * help screen) and its help line. The enum, the names and the generated
 * help can never drift apart. Default bindings are a table in keys.c;
 * `[keys]` in irk.conf replaces an action's keys:
 *     [keys]
 *     board-stage-next = L > n
 * A key given to an action in [keys] is taken away from the other actions
 * of the same context that had it; a key given to a global action is taken
 * away from every action. (A screen's own binding wins over a global one,
 * so binding a board action to "q" shadows quit on the board only.)
 *
 * Keys are ints: a character is its Unicode code point; a function key is
 * a curses KEY_* code or'ed with TUI_KEY_FN. Key names: one character
 * ("c", "<", "é"), Up Down Left Right PageUp PageDown Home End Enter Escape
 * Tab BackTab Backspace Delete Insert Space F1..F12, C-a..C-z (also ^A). */
#ifndef IRK_TUI_ACTIONS_H
#define IRK_TUI_ACTIONS_H

#include <stddef.h>

#include "irk/err.h"

struct config;
struct strbuf;

/* A forward move of the same incident within this many seconds of the
 * board's last one asks to confirm (L L is two stages), as any move out
 * of containment does. */
#define TUI_CONFIRM_SECONDS 5

enum tui_context { CTX_GLOBAL, CTX_BOARD, CTX_INCIDENT, CTX_PAGER, CTX_STEP, CTX_DASHBOARD,
		   CTX_COUNT };

#define TUI_ACTIONS(X) \
	X(ACT_QUIT,          CTX_GLOBAL,   "quit",              "Close this screen; on the board, quit irk") \
	X(ACT_QUIT_NOW,      CTX_GLOBAL,   "quit-now",          "Quit irk from any screen") \
	X(ACT_HELP,          CTX_GLOBAL,   "help",              "Show the keys (this screen)") \
	X(ACT_BACK,          CTX_GLOBAL,   "back",              "Close this screen or cancel") \
	X(ACT_REDRAW,        CTX_GLOBAL,   "redraw",            "Reload from the database and repaint the screen") \
	X(ACT_MESSAGE,       CTX_GLOBAL,   "last-message",      "Show the last status message in full (one too long for the status line ends with M: all)") \
	X(ACT_INBOX,         CTX_GLOBAL,   "messages",          "Show the messages notify steps sent you or your role, newest first (marks them read)") \
	X(ACT_UP,            CTX_GLOBAL,   "move-up",           "Previous card or line") \
	X(ACT_DOWN,          CTX_GLOBAL,   "move-down",         "Next card or line") \
	X(ACT_LEFT,          CTX_GLOBAL,   "move-left",         "Previous column") \
	X(ACT_RIGHT,         CTX_GLOBAL,   "move-right",        "Next column") \
	X(ACT_PAGE_UP,       CTX_GLOBAL,   "page-up",           "One page up") \
	X(ACT_PAGE_DOWN,     CTX_GLOBAL,   "page-down",         "One page down") \
	X(ACT_FIRST,         CTX_GLOBAL,   "first",             "First card or line") \
	X(ACT_LAST,          CTX_GLOBAL,   "last",              "Last card or line") \
	X(ACT_B_OPEN,        CTX_BOARD,    "board-open",        "Open the incident under the cursor") \
	X(ACT_B_CLAIM,       CTX_BOARD,    "board-claim",       "Claim the incident (make it yours)") \
	X(ACT_B_PREV,        CTX_BOARD,    "board-move-prev",   "Move the card to the previous stage (asks for a reason)") \
	X(ACT_B_NEXT,        CTX_BOARD,    "board-move-next",   "Move the card to the next stage (the gate may refuse)") \
	X(ACT_B_CLOSE,       CTX_BOARD,    "board-close",       "Close the incident with a resolution") \
	X(ACT_B_FILTER,      CTX_BOARD,    "board-filter",      "Filter cards by text, by an expression (severity >= 'high') or by a saved query over incidents (@NAME)") \
	X(ACT_B_MINE,        CTX_BOARD,    "board-my-queue",    "Show only my incidents (again: everyone's)") \
	X(ACT_B_UNASSIGNED,  CTX_BOARD,    "board-unassigned",  "Show only unassigned incidents (again: all)") \
	X(ACT_B_UNIT,        CTX_BOARD,    "board-unit",        "Show one business unit (a menu)") \
	X(ACT_B_CLEAR,       CTX_BOARD,    "board-clear-filter","Clear every filter") \
	X(ACT_B_NEW,         CTX_BOARD,    "board-new",         "Open an incident by hand (a report from a person): its title, then its severity") \
	X(ACT_B_DASHBOARD,   CTX_BOARD,    "board-dashboard",   "The KPI dashboard: MTTx and SLA by week, business units, maturity") \
	X(ACT_B_QUERY,       CTX_BOARD,    "board-query",       "Query what irk records (irk(1) QUERIES; @NAME: a saved query; Up/Down: the queries typed before): the result, a timechart as bars") \
	X(ACT_I_CLAIM,       CTX_INCIDENT, "incident-claim",    "Claim the incident") \
	X(ACT_I_PREV,        CTX_INCIDENT, "incident-move-prev","Move to the previous stage (asks for a reason)") \
	X(ACT_I_NEXT,        CTX_INCIDENT, "incident-move-next","Move to the next stage") \
	X(ACT_I_CLOSE,       CTX_INCIDENT, "incident-close",    "Close with a resolution") \
	X(ACT_I_NOTE,        CTX_INCIDENT, "incident-note",     "Add a note") \
	X(ACT_I_EDIT,        CTX_INCIDENT, "incident-edit",     "Set fields as field=value ...: title, severity, priority, category, owner... (the prompt lists them all)") \
	X(ACT_I_SPLIT,       CTX_INCIDENT, "incident-split",    "On a storm incident: split a host out into an incident of its own (the host under the cursor, or asks)") \
	X(ACT_I_VIEW,        CTX_INCIDENT, "incident-view",     "Open the step under the cursor, or show the raw record of the alert") \
	X(ACT_I_CONTEXT,     CTX_INCIDENT, "incident-context",  "Ask the context sources again now (asset owner, criticality...)") \
	X(ACT_I_NEXT_STEP,   CTX_INCIDENT, "incident-next-step", "Jump to the next play step") \
	X(ACT_I_PREV_STEP,   CTX_INCIDENT, "incident-prev-step", "Jump to the previous play step") \
	X(ACT_I_NEXT_WAITING, CTX_INCIDENT, "incident-next-waiting", "Jump to the next step waiting for a person (a manual step, an approval)") \
	X(ACT_I_NEXT_SECT,   CTX_INCIDENT, "incident-next-section", "Jump to the next section") \
	X(ACT_I_PREV_SECT,   CTX_INCIDENT, "incident-prev-section", "Jump to the previous section") \
	X(ACT_P_OPEN,        CTX_PAGER,    "pager-open",        "On the messages: open the incident of the message at the top; on a query's result: the incident of the row") \
	X(ACT_S_SELECT,      CTX_STEP,     "step-select",       "Press the button, edit the input or tick the item under the cursor; on the output: show it") \
	X(ACT_S_TICK,        CTX_STEP,     "step-tick",         "Tick or untick the checklist item under the cursor (recorded with your name)") \
	X(ACT_S_DONE,        CTX_STEP,     "step-done",         "Mark the step done, with the inputs filled in (required ones must be)") \
	X(ACT_S_APPROVE,     CTX_STEP,     "step-approve",      "Grant the approval (its role; not the person who asked for it)") \
	X(ACT_S_DENY,        CTX_STEP,     "step-deny",         "Deny the approval (asks why); the steps that need it are skipped") \
	X(ACT_S_RETRY,       CTX_STEP,     "step-retry",        "Run a failed or waiting automated step again, or ask a denied approval again") \
	X(ACT_S_SKIP,        CTX_STEP,     "step-skip",         "Skip the step (asks why; a required step only by a senior)") \
	X(ACT_S_OUTPUT,      CTX_STEP,     "step-output",       "Show the step's output, error, standard output and error, and log") \
	X(ACT_S_MOVE_NEXT,   CTX_STEP,     "step-move-next",    "Back to the incident and move it to the next stage (as L there)") \
	X(ACT_S_NEXT_FIELD,  CTX_STEP,     "step-next-field",   "Jump to the next item, input or button") \
	X(ACT_S_PREV_FIELD,  CTX_STEP,     "step-prev-field",   "Jump to the previous item, input or button") \
	X(ACT_S_NEXT_CHOICE, CTX_STEP,     "step-next-choice",  "On an input with choices: the next choice (an optional input is then empty after the last)") \
	X(ACT_S_PREV_CHOICE, CTX_STEP,     "step-prev-choice",  "On an input with choices: the previous choice") \
	X(ACT_D_OPEN,        CTX_DASHBOARD, "dashboard-open",   "Show the incidents behind the line under the cursor on the board")

#define X_ACT_ENUM(id, ctx, name, help) id,
enum tui_action { ACT_NONE = -1, TUI_ACTIONS(X_ACT_ENUM) ACT_COUNT };
#undef X_ACT_ENUM

#define TUI_KEY_FN 0x40000000

const char *action_name(int act);
const char *action_help(int act);
int action_context(int act);
/* The action named name, or ACT_NONE. */
int action_parse(const char *name);
/* "Board", "Incident"... for the help screen. */
const char *context_title(int ctx);

/* Parse one key name; -1 when it is not one. */
int keys_parse(const char *name);
/* The name of a key into buf ("C-l", "PageDown", "é"). Returns buf. */
char *keys_name(int key, char *buf, size_t n);

#define KEYMAP_MAX 192

struct keymap {
	struct { int key, act; } b[KEYMAP_MAX];
	int n;
};

/* The default bindings. */
void keymap_default(struct keymap *km);
/* Give action `name` exactly the keys in `keys` (space-separated names;
 * "none" unbinds). IRK_INVALID naming the action or key when unknown. */
int keymap_bind(struct keymap *km, const char *name, const char *keys, struct irk_err *err);
/* Apply every [keys] entry of the config. Problems are appended to
 * problems, one a line ("irk.conf [keys] NAME: reason", after a newline
 * when problems is not empty); good entries still apply. Returns the
 * number of problems. */
int keymap_load(struct keymap *km, const struct config *cfg, struct strbuf *problems);
/* The action for key in a screen of context ctx: the screen's own binding
 * first, then the global one. ACT_NONE when unbound. */
int keymap_lookup(const struct keymap *km, int ctx, int key);
/* The names of the keys bound to act, space-separated, into buf ("" when
 * none). Returns buf. */
char *keymap_keys(const struct keymap *km, int act, char *buf, size_t n);
/* The first of them ("" when none), for a hint such as "d: done". */
char *keymap_first(const struct keymap *km, int act, char *buf, size_t n);

#endif
