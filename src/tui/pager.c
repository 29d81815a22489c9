/* pager.c: a read-only text screen (the raw record of an alert), and the
 * moving keys every document screen shares.
 *
 * The text comes from outside: the document sanitizes it (escape
 * sequences, bidi controls and control characters show as visible
 * escapes, never act). A record that looks like JSON is indented first,
 * one member a line, so a 2 KB EVE record can be read. */
#include <stdlib.h>
#include <string.h>

#include "irk/sanitize.h"
#include "tui_internal.h"

struct pager_st {
	char *text;               /* raw (indented); sanitized when laid out */
	struct doc d;
	int width;
	int opens;                /* Enter opens the incident of the message at the top */
};

/* ---- moving around a document -------------------------------------------------- */

static void doc_scroll(struct doc *d, long delta, int height)
{
	long rows = height > 1 ? height - 1 : 1, max = (long)d->n - rows, top = (long)d->top + delta;

	if (top > max)
		top = max;
	if (top < 0)
		top = 0;
	/* The cursor is the top line: doc_frame keeps it visible. */
	d->top = d->cur = (size_t)top;
}

int pager_key(struct doc *d, int act, int height, int cursor)
{
	long page = height > 2 ? height - 2 : 1, delta;

	switch (act) {
	case ACT_UP: delta = -1; break;
	case ACT_DOWN: delta = 1; break;
	case ACT_PAGE_UP: delta = -page; break;
	case ACT_PAGE_DOWN: delta = page; break;
	case ACT_FIRST: delta = -(long)d->n; break;
	case ACT_LAST: delta = (long)d->n; break;
	default: return SCR_IGNORED;
	}
	if (cursor) {
		/* A page moves the view and the cursor together. */
		if (act == ACT_PAGE_UP || act == ACT_PAGE_DOWN) {
			long top = (long)d->top + delta;
			d->top = top < 0 ? 0 : (size_t)top;
		}
		doc_move(d, delta, height);
	} else {
		doc_scroll(d, delta, height);
	}
	return SCR_HANDLED;
}

int pager_click(struct doc *d, int y, int wheel, int height, int cursor)
{
	if (wheel) {
		if (cursor)
			doc_move(d, 3 * wheel, height);
		else
			doc_scroll(d, 3 * wheel, height);
		return SCR_HANDLED;
	}
	if (!cursor || y < 1 || d->top + (size_t)(y - 1) >= d->n)
		return SCR_IGNORED;
	d->cur = d->top + (size_t)(y - 1);
	return SCR_HANDLED;
}

/* ---- JSON for reading ----------------------------------------------------------- */

static void newline(struct strbuf *out, int depth)
{
	strbuf_addc(out, '\n');
	for (int i = 0; i < depth && i < 40; i++)
		strbuf_puts(out, "  ");
}

/* A newline after { [ and commas, before } ]. Only whitespace is added
 * outside strings, so any text survives as it was (it is not validated: a
 * broken record shows broken). */
char *pager_indent_json(const char *s)
{
	struct strbuf out = STRBUF_INIT;
	int depth = 0, in_str = 0;
	const char *p = s;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '{' && *p != '[')
		return xstrdup(s);
	for (; *p; p++) {
		char c = *p;
		if (in_str) {
			strbuf_addc(&out, c);
			if (c == '\\' && p[1])
				strbuf_addc(&out, *++p);
			else if (c == '"')
				in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			strbuf_addc(&out, c);
			break;
		case '{': case '[':
			strbuf_addc(&out, c);
			if (p[1] == (c == '{' ? '}' : ']')) {
				strbuf_addc(&out, *++p);
				break;
			}
			newline(&out, ++depth);
			break;
		case '}': case ']':
			newline(&out, depth > 0 ? --depth : 0);
			strbuf_addc(&out, c);
			break;
		case ',':
			strbuf_addc(&out, c);
			newline(&out, depth);
			break;
		case ':':
			strbuf_puts(&out, ": ");
			break;
		case ' ': case '\t': case '\n': case '\r':
			break;
		default:
			strbuf_addc(&out, c);
		}
	}
	return strbuf_detach(&out);
}

/* ---- the screen ------------------------------------------------------------------- */

static void *open_pager(struct tui *t, const void *arg)
{
	const struct pager_arg *pa = arg;
	struct pager_st *ps = xcalloc(1, sizeof *ps);

	(void)t;
	ps->text = pager_indent_json(pa->text ? pa->text : "");
	ps->opens = pa->opens;
	doc_init(&ps->d, pa->title ? pa->title : "");
	return ps;
}

static void draw(struct tui *t, void *st, int width, int height, struct frame *f)
{
	struct pager_st *ps = st;

	(void)t;
	if (width != ps->width) {
		doc_clear(&ps->d);
		doc_add(&ps->d, DOC_TEXT, SLOT_NORMAL, 1, 0, ps->text, width);
		ps->width = width;
		doc_scroll(&ps->d, 0, height);
	}
	doc_frame(&ps->d, width, height, 0, f);
}

/* The incident of the message at the top: the first key ("IR-42") on
 * the top line or above it (each message starts with its key). */
static int64_t message_incident(const struct doc *d)
{
	for (size_t i = d->top + 1; i-- > 0;) {
		const char *p = i < d->n && d->lines[i].text ? strstr(d->lines[i].text, "IR-") : NULL;
		if (p && p[3] >= '0' && p[3] <= '9')
			return strtoll(p + 3, NULL, 10);
	}
	return 0;
}

static int key(struct tui *t, void *st, int act, int k)
{
	struct pager_st *ps = st;
	int64_t id;

	(void)k;
	if (act == ACT_P_OPEN) {
		if (!ps->opens || !(id = message_incident(&ps->d)))
			return SCR_IGNORED;
		tui_push(t, &incident_screen, &id);
		return SCR_HANDLED;
	}
	return pager_key(&ps->d, act, t->area_h, 0);
}

static int click(struct tui *t, void *st, int y, int x, int wheel)
{
	struct pager_st *ps = st;

	(void)x;
	return pager_click(&ps->d, y, wheel, t->area_h, 0);
}

static void done(void *st)
{
	struct pager_st *ps = st;

	doc_free(&ps->d);
	free(ps->text);
	free(ps);
}

const struct screen_ops pager_screen = {
	.name = "pager",
	.ctx = CTX_PAGER,
	.open = open_pager,
	.draw = draw,
	.key = key,
	.reload = NULL,
	.click = click,
	.done = done,
};
