/* test_tui_keys.c: the action table, key names, the default keymap and
 * [keys] overrides from irk.conf. */
#include <criterion/criterion.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "irk/cli.h"
#include "irk/config.h"
#include "irk/tui_actions.h"
#include "helpers/tmpstore.h"

static void fini(void) { tmp_cleanup(); }
TestSuite(keys, .fini = fini);

#define FN(k) (TUI_KEY_FN | (k))

Test(keys, action_table_is_consistent)
{
	for (int a = 0; a < ACT_COUNT; a++) {
		cr_assert_eq(action_parse(action_name(a)), a, "%s", action_name(a));
		cr_assert(action_context(a) >= 0 && action_context(a) < CTX_COUNT);
		cr_assert(strlen(action_help(a)) > 5, "%s has no help", action_name(a));
		for (int b = a + 1; b < ACT_COUNT; b++)
			cr_assert_str_neq(action_name(a), action_name(b));
	}
	cr_assert_eq(action_parse("no-such-action"), ACT_NONE);
	cr_assert_str_eq(context_title(CTX_BOARD), "Board");
}

/* The board's help speaks of keys and prompts: a command or an option of
 * the command line means nothing there. */
Test(keys, help_lines_name_no_command_line)
{
	for (int a = 0; a < ACT_COUNT; a++) {
		const char *h = action_help(a);
		char word[32];
		cr_assert_null(strstr(h, "--"), "%s: %s", action_name(a), h);
		for (const char *p = h; (p = strstr(p, "irk ")); p += 4)
			if (sscanf(p + 4, "%31[a-z]", word) == 1)
				cr_assert_null(cli_find(word), "%s: %s", action_name(a), h);
	}
	cr_assert(strstr(action_help(ACT_I_EDIT), "severity"), "edit says what can be set");
}

Test(keys, every_action_has_a_default_key)
{
	struct keymap km;
	char buf[64];

	keymap_default(&km);
	for (int a = 0; a < ACT_COUNT; a++)
		cr_assert(keymap_keys(&km, a, buf, sizeof buf)[0], "%s has no key", action_name(a));
}

Test(keys, parse_names)
{
	cr_assert_eq(keys_parse("Up"), FN(KEY_UP));
	cr_assert_eq(keys_parse("pagedown"), FN(KEY_NPAGE));
	cr_assert_eq(keys_parse("Enter"), '\n');
	cr_assert_eq(keys_parse("Escape"), 27);
	cr_assert_eq(keys_parse("Space"), ' ');
	cr_assert_eq(keys_parse("BackTab"), FN(KEY_BTAB));
	cr_assert_eq(keys_parse("F1"), FN(KEY_F(1)));
	cr_assert_eq(keys_parse("F12"), FN(KEY_F(12)));
	cr_assert_eq(keys_parse("F13"), -1);
	cr_assert_eq(keys_parse("C-a"), 1);
	cr_assert_eq(keys_parse("C-L"), 12);
	cr_assert_eq(keys_parse("^A"), 1);
	cr_assert_eq(keys_parse("C-1"), -1);
	cr_assert_eq(keys_parse("c"), 'c');
	cr_assert_eq(keys_parse("<"), '<');
	cr_assert_eq(keys_parse("é"), 0xe9);
	cr_assert_eq(keys_parse("東"), 0x6771);
	cr_assert_eq(keys_parse(""), -1);
	cr_assert_eq(keys_parse("xy"), -1);
	cr_assert_eq(keys_parse("\x01"), -1);
	cr_assert_eq(keys_parse("\xff"), -1);
}

/* A lone "^" or "C" is the character: "^" used to be read two bytes past
 * its end looking for "^x". */
Test(keys, lone_caret_and_c_are_characters)
{
	char *caret = strdup("^"), *c = strdup("C"), *cdash = strdup("C-");

	cr_assert_eq(keys_parse(caret), '^');
	cr_assert_eq(keys_parse(c), 'C');
	cr_assert_eq(keys_parse(cdash), -1);
	free(caret);
	free(c);
	free(cdash);
}

Test(keys, names_round_trip)
{
	static const int keys[] = { 'c', '<', '/', '?', 0xe9, 0x6771, 1, 26, '\n', 27, ' ', '\t',
		FN(KEY_UP), FN(KEY_NPAGE), FN(KEY_F(5)), FN(KEY_BTAB), FN(KEY_BACKSPACE) };
	char buf[32];

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		keys_name(keys[i], buf, sizeof buf);
		cr_assert_eq(keys_parse(buf), keys[i], "%d -> '%s'", keys[i], buf);
	}
	cr_assert_str_eq(keys_name(12, buf, sizeof buf), "C-l");
	cr_assert_str_eq(keys_name(FN(KEY_NPAGE), buf, sizeof buf), "PageDown");
}

Test(keys, default_bindings_per_screen)
{
	struct keymap km;

	keymap_default(&km);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'c'), ACT_B_CLAIM);
	cr_assert_eq(keymap_lookup(&km, CTX_INCIDENT, 'c'), ACT_I_CLAIM);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'L'), ACT_B_NEXT);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, '>'), ACT_B_NEXT);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'H'), ACT_B_PREV);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'l'), ACT_RIGHT);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, FN(KEY_LEFT)), ACT_LEFT);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, '\n'), ACT_B_OPEN);
	cr_assert_eq(keymap_lookup(&km, CTX_INCIDENT, '\n'), ACT_I_VIEW);
	cr_assert_eq(keymap_lookup(&km, CTX_INCIDENT, 'v'), ACT_I_VIEW);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, '/'), ACT_B_FILTER);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'm'), ACT_B_MINE);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'u'), ACT_B_UNASSIGNED);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'b'), ACT_B_UNIT);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, '?'), ACT_HELP);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'q'), ACT_QUIT);
	/* Escape: clears filters on the board, goes back elsewhere. */
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 27), ACT_B_CLEAR);
	cr_assert_eq(keymap_lookup(&km, CTX_INCIDENT, 27), ACT_BACK);
	cr_assert_eq(keymap_lookup(&km, CTX_PAGER, 'c'), ACT_NONE);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'z'), ACT_NONE);
}

Test(keys, bind_replaces_and_steals)
{
	struct keymap km;
	struct irk_err err = { 0 };
	char buf[64];

	keymap_default(&km);
	cr_assert_eq(keymap_bind(&km, "board-move-next", "n N", &err), 0, "%s", err.msg);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'n'), ACT_B_NEXT);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'L'), ACT_NONE);
	cr_assert_str_eq(keymap_keys(&km, ACT_B_NEXT, buf, sizeof buf), "n N");
	/* The incident screen's own L is untouched. */
	cr_assert_eq(keymap_lookup(&km, CTX_INCIDENT, 'L'), ACT_I_NEXT);
	/* Same context: the key moves from claim to close. */
	cr_assert_eq(keymap_bind(&km, "board-close", "c", &err), 0);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'c'), ACT_B_CLOSE);
	cr_assert_str_eq(keymap_keys(&km, ACT_B_CLAIM, buf, sizeof buf), "");
	/* A global action takes the key from every screen. */
	cr_assert_eq(keymap_bind(&km, "quit", "q x", &err), 0);
	cr_assert_eq(keymap_lookup(&km, CTX_INCIDENT, 'x'), ACT_QUIT);
	/* A screen's binding shadows a global one there only. */
	cr_assert_eq(keymap_bind(&km, "board-my-queue", "q", &err), 0);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'q'), ACT_B_MINE);
	cr_assert_eq(keymap_lookup(&km, CTX_INCIDENT, 'q'), ACT_QUIT);
	/* none unbinds. */
	cr_assert_eq(keymap_bind(&km, "help", "none", &err), 0);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, '?'), ACT_NONE);
}

Test(keys, bind_errors_name_the_problem)
{
	struct keymap km;
	struct irk_err err = { 0 };

	keymap_default(&km);
	cr_assert_eq(keymap_bind(&km, "board-fly", "f", &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "board-fly: no such action"), "%s", err.msg);
	cr_assert_eq(keymap_bind(&km, "board-claim", "c Ctrl-x", &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "'Ctrl-x' is not a key name"), "%s", err.msg);
	/* Nothing changed on error. */
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'c'), ACT_B_CLAIM);
}

Test(keys, load_from_irk_conf)
{
	static const char conf[] =
		"[keys]\n"
		"board-move-next = n\n"
		"board-fly = f\n"
		"incident-note = N a\n"
		"board-open = Tab Bogus\n";
	char *path = tmp_write("irk.conf", conf, sizeof conf - 1, 0600);
	struct config *cfg = config_new();
	struct irk_err err = { 0 };
	struct strbuf problems = STRBUF_INIT;
	struct keymap km;
	char want[4200];

	cr_assert_eq(config_load(cfg, path, 0, &err), 0, "%s", err.msg);
	keymap_default(&km);
	cr_assert_eq(keymap_load(&km, cfg, &problems), 2);
	/* Each problem names its file and line. */
	snprintf(want, sizeof want, "%s:3: [keys] board-fly: no such action", path);
	cr_assert(strstr(strbuf_str(&problems), want), "%s", strbuf_str(&problems));
	snprintf(want, sizeof want, "%s:5: [keys] board-open: 'Bogus' is not a key name", path);
	cr_assert(strstr(strbuf_str(&problems), want), "%s", strbuf_str(&problems));
	/* Good entries apply anyway. */
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, 'n'), ACT_B_NEXT);
	cr_assert_eq(keymap_lookup(&km, CTX_INCIDENT, 'a'), ACT_I_NOTE);
	cr_assert_eq(keymap_lookup(&km, CTX_BOARD, '\n'), ACT_B_OPEN);
	strbuf_free(&problems);
	config_free(&cfg);
	free(path);
}
