/* theme.c: theme files (irk-theme(5)). Parsing only: no curses here, so
 * unit tests check it; tui.c maps the result onto colour pairs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/strbuf.h"
#include "irk/theme.h"

#ifndef IRK_DATADIR
#define IRK_DATADIR "/usr/local/share/irk"
#endif

#define THEME_MAX_BYTES (64 * 1024)

#define X_SLOT_NAME(id, name, help) name,
#define X_SLOT_HELP(id, name, help) help,
static const char *const slot_names[] = { THEME_SLOTS(X_SLOT_NAME) };
static const char *const slot_helps[] = { THEME_SLOTS(X_SLOT_HELP) };
#undef X_SLOT_NAME
#undef X_SLOT_HELP

/* themes/default.theme without its comments: the fallback when no file is
 * found or a file is broken. test_tui_theme checks they stay equal. */
static const char default_text[] =
	"color normal          default  default\n"
	"color header          231      24       bold\n"
	"color header.alert    226      24       bold\n"
	"color column.title    250      237      bold\n"
	"color column.current  231      25       bold\n"
	"color column.sep      240      default\n"
	"color card            252      default\n"
	"color card.selected   231      24       bold\n"
	"color card.low        108      default\n"
	"color card.medium     179      default\n"
	"color card.high       209      default  bold\n"
	"color card.critical   231      124      bold\n"
	"color card.waiting    213      default  bold\n"
	"color card.dim        245      default\n"
	"color sla.ok          71       default\n"
	"color sla.breached    231      160      bold\n"
	"color scroll          244      default\n"
	"color section         75       default  bold\n"
	"color field           245      default\n"
	"color cursor          231      238      bold\n"
	"color help.key        220      default  bold\n"
	"color status          250      235\n"
	"color status.info     231      28       bold\n"
	"color status.error    231      124      bold\n"
	"color prompt          231      238\n"
	"color prompt.input    231      24       underline\n";

/* themes/mono.theme likewise: used whenever colour is off. */
static const char mono_text[] =
	"color normal          default  default\n"
	"color header          default  default  reverse\n"
	"color header.alert    default  default  reverse bold\n"
	"color column.title    default  default  bold underline\n"
	"color column.current  default  default  reverse bold\n"
	"color column.sep      default  default\n"
	"color card            default  default\n"
	"color card.selected   default  default  reverse\n"
	"color card.low        default  default\n"
	"color card.medium     default  default\n"
	"color card.high       default  default  bold\n"
	"color card.critical   default  default  bold underline\n"
	"color card.waiting    default  default  bold\n"
	"color card.dim        default  default  dim\n"
	"color sla.ok          default  default\n"
	"color sla.breached    default  default  bold underline\n"
	"color scroll          default  default  dim\n"
	"color section         default  default  bold underline\n"
	"color field           default  default  bold\n"
	"color cursor          default  default  reverse\n"
	"color help.key        default  default  bold\n"
	"color status          default  default  reverse\n"
	"color status.info     default  default  reverse bold\n"
	"color status.error    default  default  reverse bold underline\n"
	"color prompt          default  default  reverse\n"
	"color prompt.input    default  default  underline\n";

const char *theme_slot_name(int slot)
{
	return slot >= 0 && slot < SLOT_COUNT ? slot_names[slot] : "?";
}

const char *theme_slot_help(int slot)
{
	return slot >= 0 && slot < SLOT_COUNT ? slot_helps[slot] : "?";
}

int theme_slot_parse(const char *name)
{
	for (int i = 0; i < SLOT_COUNT; i++)
		if (!strcmp(slot_names[i], name))
			return i;
	return -1;
}

static void builtin(struct theme *t, const char *text, size_t len, const char *name)
{
	memset(t, 0, sizeof *t);
	for (int i = 0; i < SLOT_COUNT; i++)
		t->slot[i].fg = t->slot[i].bg = THEME_DEFAULT_COLOR;
	/* The built-in text is known to parse; a failure here is a build bug
	 * caught by the unit tests. */
	theme_parse(t, text, len, "(built-in)", NULL);
	irk_strlcpy(t->name, name, sizeof t->name);
}

void theme_default(struct theme *t)
{
	builtin(t, default_text, sizeof default_text - 1, "default");
}

void theme_mono(struct theme *t)
{
	builtin(t, mono_text, sizeof mono_text - 1, "mono");
}

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* A colour word: default, a name, bright-NAME, N or colorN (0..255). */
static int parse_color(const char *w, short *out)
{
	const char *num = w;
	char *end;
	long n;

	if (!strcasecmp(w, "default") || !strcmp(w, "-1")) {
		*out = THEME_DEFAULT_COLOR;
		return 0;
	}
	for (int bright = 0; bright < 2; bright++) {
		const char *name = w;
		if (bright) {
			if (strncasecmp(w, "bright-", 7))
				continue;
			name = w + 7;
		}
		for (int i = 0; i < 8; i++)
			if (!strcasecmp(name, color_names[i])) {
				*out = (short)(i + 8 * bright);
				return 0;
			}
	}
	if (!strncasecmp(w, "color", 5))
		num = w + 5;
	if (!isdigit((unsigned char)*num))
		return -1;
	errno = 0;
	n = strtol(num, &end, 10);
	if (*end || errno || n < 0 || n > 255)
		return -1;
	*out = (short)n;
	return 0;
}

static int parse_attr(const char *w, unsigned *attr)
{
	static const struct { const char *name; unsigned bit; } attrs[] = {
		{ "normal", 0 }, { "bold", TA_BOLD }, { "dim", TA_DIM },
		{ "underline", TA_UNDERLINE }, { "reverse", TA_REVERSE },
		{ "standout", TA_STANDOUT }, { "italic", TA_ITALIC }, { "blink", TA_BLINK },
	};

	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
		if (!strcasecmp(w, attrs[i].name)) {
			*attr |= attrs[i].bit;
			return 0;
		}
	return -1;
}

/* Split line into at most max words (NUL-terminating them in place). */
static int split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return max + 1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static int parse_line(struct theme *t, char *line, const char *file, int lineno,
		      struct irk_err *err)
{
	char *w[12];
	int n = split(line, w, 11), slot;
	struct theme_style st = { 0, 0, 0 };

	if (n == 0)
		return 0;
	if (n > 11)
		return irk_fail(err, IRK_INVALID, "%s:%d: too many words", file, lineno);
	if (strcmp(w[0], "color") && strcmp(w[0], "colour"))
		return irk_fail(err, IRK_INVALID, "%s:%d: unknown keyword '%.40s' (expected color)",
				file, lineno, w[0]);
	if (n < 4)
		return irk_fail(err, IRK_INVALID,
				"%s:%d: expected: color SLOT FOREGROUND BACKGROUND [ATTRIBUTES]",
				file, lineno);
	if ((slot = theme_slot_parse(w[1])) < 0)
		return irk_fail(err, IRK_INVALID, "%s:%d: unknown slot '%.40s'", file, lineno, w[1]);
	if (parse_color(w[2], &st.fg))
		return irk_fail(err, IRK_INVALID, "%s:%d: bad colour '%.40s'", file, lineno, w[2]);
	if (parse_color(w[3], &st.bg))
		return irk_fail(err, IRK_INVALID, "%s:%d: bad colour '%.40s'", file, lineno, w[3]);
	for (int i = 4; i < n; i++)
		if (parse_attr(w[i], &st.attr))
			return irk_fail(err, IRK_INVALID, "%s:%d: unknown attribute '%.40s'",
					file, lineno, w[i]);
	t->slot[slot] = st;
	return 0;
}

int theme_parse(struct theme *t, const char *text, size_t len, const char *file,
		struct irk_err *err)
{
	struct theme work = *t;
	char line[1024];
	size_t i = 0;
	int lineno = 0;

	if (len > THEME_MAX_BYTES)
		return irk_fail(err, IRK_INVALID, "%s:1: larger than 64 KiB", file);
	while (i < len) {
		size_t start = i, n;
		while (i < len && text[i] != '\n')
			i++;
		n = i - start;
		lineno++;
		if (i < len)
			i++;
		if (n >= sizeof line)
			return irk_fail(err, IRK_INVALID, "%s:%d: line longer than %zu bytes",
					file, lineno, sizeof line - 1);
		if (memchr(text + start, '\0', n))
			return irk_fail(err, IRK_INVALID, "%s:%d: NUL byte", file, lineno);
		memcpy(line, text + start, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (parse_line(&work, line, file, lineno, err))
			return IRK_INVALID;
	}
	*t = work;
	return IRK_OK;
}

int theme_load_file(struct theme *t, const char *path, struct irk_err *err)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	int rc;

	if (!f)
		return irk_fail(err, IRK_NOTFOUND, "%s:0: %s", path, strerror(errno));
	buf = xmalloc(THEME_MAX_BYTES + 2);
	n = fread(buf, 1, THEME_MAX_BYTES + 1, f);
	if (ferror(f)) {
		rc = irk_fail(err, IRK_ERROR, "%s:0: %s", path, strerror(errno));
	} else {
		rc = theme_parse(t, buf, n, path, err);
	}
	fclose(f);
	free(buf);
	if (!rc) {
		const char *base = strrchr(path, '/');
		size_t len;
		base = base ? base + 1 : path;
		len = strlen(base);
		if (len > 6 && !strcmp(base + len - 6, ".theme"))
			len -= 6;
		if (len >= sizeof t->name)
			len = sizeof t->name - 1;
		memcpy(t->name, base, len);
		t->name[len] = '\0';
	}
	return rc;
}

static int try_dir(const char *dir, size_t dlen, const char *name, char *buf, size_t n)
{
	struct stat sb;

	if (!dlen)
		return -1;
	snprintf(buf, n, "%.*s/%s.theme", (int)dlen, dir, name);
	return stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) ? 0 : -1;
}

int theme_find(const char *name, const char *extra, char *buf, size_t n, struct irk_err *err)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char dir[4096];

	if (!name || !*name)
		return irk_fail(err, IRK_INVALID, "empty theme name");
	if (strchr(name, '/')) {
		irk_strlcpy(buf, name, n);
		return IRK_OK;
	}
	if (x && *x) {
		snprintf(dir, sizeof dir, "%s/irk/themes", x);
		if (!try_dir(dir, strlen(dir), name, buf, n))
			return IRK_OK;
	} else if (home && *home) {
		snprintf(dir, sizeof dir, "%s/.config/irk/themes", home);
		if (!try_dir(dir, strlen(dir), name, buf, n))
			return IRK_OK;
	}
	for (const char *p = extra; p && *p;) {
		size_t len = strcspn(p, ":");
		if (!try_dir(p, len, name, buf, n))
			return IRK_OK;
		p += len;
		if (*p == ':')
			p++;
	}
	if (!try_dir(IRK_DATADIR "/themes", strlen(IRK_DATADIR "/themes"), name, buf, n))
		return IRK_OK;
	return irk_fail(err, IRK_NOTFOUND, "no theme named '%.60s'", name);
}

int theme_color_basic(int c)
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	int r, g, b, hi, bright;

	if (c < 0)
		return c;
	if (c < 16)
		return c & 7;
	if (c >= 232)
		return c >= 244 ? 7 : 0;
	c -= 16;
	r = level[c / 36];
	g = level[(c / 6) % 6];
	b = level[c % 6];
	hi = r > g ? (r > b ? r : b) : (g > b ? g : b);
	if (hi < 96)
		return 0;
	/* A channel counts when it is near the brightest one. */
	bright = hi * 3 / 4;
	return (r >= bright ? 1 : 0) | (g >= bright ? 2 : 0) | (b >= bright ? 4 : 0);
}
