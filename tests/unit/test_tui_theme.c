/* test_tui_theme.c: theme files (irk-theme(5)): the shipped files, the
 * built-in copies of default and mono, FILE:LINE errors, lookup. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irk/theme.h"
#include "helpers/tmpstore.h"

static void fini(void) { tmp_cleanup(); }
TestSuite(theme, .fini = fini);

static const char *const shipped[] = { "default", "light", "mono", "high-contrast" };

/* A theme whose every slot is a value no file would write: after a parse,
 * a slot still holding it was not mentioned. */
static void sentinel(struct theme *t)
{
	memset(t, 0, sizeof *t);
	for (int i = 0; i < SLOT_COUNT; i++) {
		t->slot[i].fg = t->slot[i].bg = 99;
		t->slot[i].attr = 0x8000;
	}
}

static int same(const struct theme *a, const struct theme *b)
{
	for (int i = 0; i < SLOT_COUNT; i++)
		if (a->slot[i].fg != b->slot[i].fg || a->slot[i].bg != b->slot[i].bg ||
		    a->slot[i].attr != b->slot[i].attr)
			return 0;
	return 1;
}

Test(theme, shipped_files_parse_and_set_every_slot)
{
	for (size_t k = 0; k < sizeof shipped / sizeof shipped[0]; k++) {
		char path[128];
		struct theme t;
		struct irk_err err = { 0 };
		snprintf(path, sizeof path, "themes/%s.theme", shipped[k]);
		sentinel(&t);
		cr_assert_eq(theme_load_file(&t, path, &err), 0, "%s", err.msg);
		cr_assert_str_eq(t.name, shipped[k]);
		for (int i = 0; i < SLOT_COUNT; i++)
			cr_assert(t.slot[i].attr != 0x8000, "%s does not set %s", path, theme_slot_name(i));
	}
}

/* The built-in copies (used when no file is found, and when a file is
 * broken) must stay what the shipped files say. */
Test(theme, builtin_default_and_mono_match_their_files)
{
	struct theme file, builtin;
	struct irk_err err = { 0 };

	sentinel(&file);
	cr_assert_eq(theme_load_file(&file, "themes/default.theme", &err), 0, "%s", err.msg);
	theme_default(&builtin);
	cr_assert(same(&file, &builtin), "themes/default.theme and theme.c default_text differ");
	cr_assert_str_eq(builtin.name, "default");
	sentinel(&file);
	cr_assert_eq(theme_load_file(&file, "themes/mono.theme", &err), 0, "%s", err.msg);
	theme_mono(&builtin);
	cr_assert(same(&file, &builtin), "themes/mono.theme and theme.c mono_text differ");
	/* Mono carries every meaning in attributes: no colour at all. */
	for (int i = 0; i < SLOT_COUNT; i++) {
		cr_assert_eq(builtin.slot[i].fg, THEME_DEFAULT_COLOR);
		cr_assert_eq(builtin.slot[i].bg, THEME_DEFAULT_COLOR);
	}
	cr_assert(builtin.slot[SLOT_CARD_SELECTED].attr & TA_REVERSE);
	cr_assert(builtin.slot[SLOT_SLA_BREACHED].attr & (TA_BOLD | TA_UNDERLINE));
}

Test(theme, colours_and_attributes)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"color card.critical  bright-white  red  bold underline  # trailing comment\n"
		"colour header  color208  17\r\n"
		"color status  DEFAULT  Blue  reverse\n"
		"color normal  -1  default";
	struct theme t;
	struct irk_err err = { 0 };

	theme_default(&t);
	cr_assert_eq(theme_parse(&t, text, sizeof text - 1, "x.theme", &err), 0, "%s", err.msg);
	cr_assert_eq(t.slot[SLOT_CARD_CRITICAL].fg, 15);
	cr_assert_eq(t.slot[SLOT_CARD_CRITICAL].bg, 1);
	cr_assert_eq(t.slot[SLOT_CARD_CRITICAL].attr, TA_BOLD | TA_UNDERLINE);
	cr_assert_eq(t.slot[SLOT_HEADER].fg, 208);
	cr_assert_eq(t.slot[SLOT_HEADER].bg, 17);
	cr_assert_eq(t.slot[SLOT_HEADER].attr, 0);
	cr_assert_eq(t.slot[SLOT_STATUS].fg, THEME_DEFAULT_COLOR);
	cr_assert_eq(t.slot[SLOT_STATUS].bg, 4);
	cr_assert_eq(t.slot[SLOT_NORMAL].fg, THEME_DEFAULT_COLOR);
}

static void expect_error(const char *text, const char *want)
{
	struct theme t, before;
	struct irk_err err = { 0 };

	theme_default(&t);
	before = t;
	cr_assert_eq(theme_parse(&t, text, strlen(text), "my.theme", &err), IRK_INVALID, "%s", text);
	cr_assert_str_eq(err.msg, want);
	cr_assert(same(&t, &before), "a broken file changed the theme: %s", text);
}

Test(theme, errors_name_file_and_line)
{
	expect_error("color card red blue\ncolor card.urgent red blue\n",
		     "my.theme:2: unknown slot 'card.urgent'");
	expect_error("\n\ncolor card purple blue\n", "my.theme:3: bad colour 'purple'");
	expect_error("color card red 256\n", "my.theme:1: bad colour '256'");
	expect_error("color card red color-1\n", "my.theme:1: bad colour 'color-1'");
	expect_error("color card red blue shiny\n", "my.theme:1: unknown attribute 'shiny'");
	expect_error("color card red\n", "my.theme:1: expected: color SLOT FOREGROUND BACKGROUND [ATTRIBUTES]");
	expect_error("paint card red blue\n", "my.theme:1: unknown keyword 'paint' (expected color)");
	expect_error("color card red blue bold bold bold bold bold bold bold bold\n",
		     "my.theme:1: too many words");
}

Test(theme, limits)
{
	struct theme t;
	struct irk_err err = { 0 };
	char *big = malloc(70000), *nul = "color card red blue\ncolor card\0red blue\n";

	memset(big, '#', 70000);
	theme_default(&t);
	cr_assert_eq(theme_parse(&t, big, 70000, "big.theme", &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "big.theme:1: larger than 64 KiB");
	memset(big, ' ', 2000);
	cr_assert_eq(theme_parse(&t, big, 2000, "long.theme", &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "long.theme:1: line longer than 1023 bytes");
	cr_assert_eq(theme_parse(&t, nul, 41, "nul.theme", &err), IRK_INVALID);
	cr_assert_str_eq(err.msg, "nul.theme:2: NUL byte");
	free(big);
}

Test(theme, load_file_errors_and_names)
{
	struct theme t;
	struct irk_err err = { 0 };
	char *bad = tmp_write("broken.theme", "color card red blue\nnonsense\n", 28, 0644);
	char *dotted = tmp_write("my.dark.theme", "color card red blue\n", 20, 0644);

	theme_default(&t);
	cr_assert_eq(theme_load_file(&t, bad, &err), IRK_INVALID);
	cr_assert(strstr(err.msg, "broken.theme:2: "), "%s", err.msg);
	cr_assert_eq(theme_load_file(&t, "/nonexistent/x.theme", &err), IRK_NOTFOUND);
	cr_assert(strstr(err.msg, "/nonexistent/x.theme:0: "), "%s", err.msg);
	cr_assert_eq(theme_load_file(&t, dotted, &err), 0, "%s", err.msg);
	cr_assert_str_eq(t.name, "my.dark");
	free(bad);
	free(dotted);
}

Test(theme, find_order)
{
	char *user = tmp_path("config"), dir[4096], buf[4096];
	struct irk_err err = { 0 };
	FILE *f;

	setenv("XDG_CONFIG_HOME", user, 1);
	cr_assert_eq(theme_find("light", "/nonexistent:themes", buf, sizeof buf, &err), 0, "%s", err.msg);
	cr_assert_str_eq(buf, "themes/light.theme");
	cr_assert_eq(theme_find("./my.theme", NULL, buf, sizeof buf, &err), 0);
	cr_assert_str_eq(buf, "./my.theme");
	cr_assert_eq(theme_find("nosuch", "themes", buf, sizeof buf, &err), IRK_NOTFOUND);
	cr_assert_str_eq(err.msg, "no theme named 'nosuch'");
	/* A user's file of the same name wins over the shipped one. */
	cr_assert_eq(mkdir(user, 0700), 0);
	snprintf(dir, sizeof dir, "%s/irk", user);
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof dir, "%s/irk/themes", user);
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof dir, "%s/irk/themes/light.theme", user);
	cr_assert_not_null(f = fopen(dir, "w"));
	fputs("color card red blue\n", f);
	fclose(f);
	cr_assert_eq(theme_find("light", "themes", buf, sizeof buf, &err), 0);
	cr_assert_str_eq(buf, dir);
	free(user);
}

Test(theme, nearest_basic_colour)
{
	cr_assert_eq(theme_color_basic(THEME_DEFAULT_COLOR), THEME_DEFAULT_COLOR);
	cr_assert_eq(theme_color_basic(9), 1);       /* bright red */
	cr_assert_eq(theme_color_basic(196), 1);     /* red */
	cr_assert_eq(theme_color_basic(46), 2);      /* green */
	cr_assert_eq(theme_color_basic(21), 4);      /* blue */
	cr_assert_eq(theme_color_basic(226), 3);     /* yellow */
	cr_assert_eq(theme_color_basic(231), 7);     /* white */
	cr_assert_eq(theme_color_basic(16), 0);      /* black */
	cr_assert_eq(theme_color_basic(24), 4);      /* the default header's blue */
	cr_assert_eq(theme_color_basic(232), 0);
	cr_assert_eq(theme_color_basic(250), 7);
}

/* irk-theme(5) documents every slot (the table in theme.h is the truth). */
Test(theme, man_page_lists_every_slot)
{
	FILE *f = fopen("man/irk-theme.5", "r");
	char *text = calloc(1, 200000);
	size_t n;

	cr_assert_not_null(f);
	n = fread(text, 1, 199999, f);
	fclose(f);
	text[n] = '\0';
	for (int i = 0; i < SLOT_COUNT; i++) {
		char want[64];
		char *esc = want;
		/* groff source escapes '-' as '\-'. */
		for (const char *p = theme_slot_name(i); *p && esc < want + 60; p++) {
			if (*p == '-')
				*esc++ = '\\';
			*esc++ = *p;
		}
		*esc = '\0';
		char line[80];
		snprintf(line, sizeof line, ".B %s\n", want);
		cr_assert(strstr(text, line), "irk-theme(5) does not document %s", theme_slot_name(i));
	}
	for (size_t k = 0; k < sizeof shipped / sizeof shipped[0]; k++) {
		char line[80];
		snprintf(line, sizeof line, ".B %s\n", shipped[k]);
		if (!strcmp(shipped[k], "high-contrast"))
			snprintf(line, sizeof line, ".B high\\-contrast\n");
		cr_assert(strstr(text, line), "irk-theme(5) does not name the %s theme", shipped[k]);
	}
	free(text);
}
