/* layout.c: the board and document layouts as frames (layout.h). No
 * curses here: tests read the result as text. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/clock.h"
#include "irk/expr.h"
#include "irk/layout.h"
#include "irk/sanitize.h"
#include "irk/storm.h"

static int ascii_mode;

void layout_set_ascii(int ascii) { ascii_mode = ascii; }
int layout_ascii(void) { return ascii_mode; }

#define G_CUT   (ascii_mode ? "~" : "\xe2\x80\xa6")      /* … */
#define G_VBAR  (ascii_mode ? "|" : "\xe2\x94\x82")      /* │ */
#define G_DOT   (ascii_mode ? "-" : "\xc2\xb7")          /* · */
#define G_LEFT  (ascii_mode ? "<" : "\xe2\x80\xb9")      /* ‹ */
#define G_RIGHT (ascii_mode ? ">" : "\xe2\x80\xba")      /* › */
#define G_WAIT_R (ascii_mode ? " !" : " \xe2\x9a\x91")    /* ⚑, right-aligned in 2 */
#define G_FAILED_R (ascii_mode ? " X" : " \xe2\x9c\x97")  /* ✗: a required step failed */
#define G_APPROVE_R (ascii_mode ? " a" : " \xe2\x9c\x93") /* ✓: an approval you may grant */
#define G_CRIT (ascii_mode ? " *" : " \xe2\x97\x86")      /* ◆: a critical asset */

/* ---- frames ------------------------------------------------------------- */

void frame_reset(struct frame *f)
{
	f->n = 0;
	strbuf_reset(&f->text);
}

void frame_free(struct frame *f)
{
	free(f->spans);
	strbuf_free(&f->text);
	memset(f, 0, sizeof *f);
}

int frame_put(struct frame *f, int y, int x, int w, int slot, const char *s, int mark)
{
	size_t len = s ? strlen(s) : 0, fit;
	int used;
	struct span *sp;

	if (w <= 0)
		return 0;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->spans = xrealloc(f->spans, f->cap * sizeof *f->spans);
	}
	sp = &f->spans[f->n++];
	sp->y = y;
	sp->x = x;
	sp->w = w;
	sp->slot = slot;
	sp->off = f->text.len;
	fit = utf8_fit(s ? s : "", len, w);
	if (fit < len && mark) {
		fit = utf8_fit(s, len, w - 1);
		strbuf_add(&f->text, s, fit);
		strbuf_puts(&f->text, G_CUT);
		used = utf8_width(s, fit) + 1;
	} else {
		if (fit)
			strbuf_add(&f->text, s, fit);
		used = utf8_width(s ? s : "", fit);
	}
	for (int i = used; i < w; i++)
		strbuf_addc(&f->text, ' ');
	strbuf_grow(&f->text, 1);
	f->text.buf[f->text.len] = '\0';
	sp->len = f->text.len - sp->off;
	return used;
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = *(const struct span *const *)a, *y = *(const struct span *const *)b;

	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return x->x < y->x ? -1 : x->x > y->x;
}

void frame_text(const struct frame *f, int width, int height, struct strbuf *out)
{
	const struct span **order = xmalloc((f->n ? f->n : 1) * sizeof *order);
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++)
		order[i] = &f->spans[i];
	qsort(order, f->n, sizeof *order, span_cmp);
	for (int y = 0; y < height; y++) {
		size_t start = out->len;
		int col = 0;
		while (k < f->n && order[k]->y < y)
			k++;
		for (; k < f->n && order[k]->y == y; k++) {
			const struct span *sp = order[k];
			if (sp->x < col || sp->x + sp->w > width)
				continue;   /* overlapping or off screen: a layout bug shows */
			for (; col < sp->x; col++)
				strbuf_addc(out, ' ');
			strbuf_add(out, f->text.buf + sp->off, sp->len);
			col += sp->w;
		}
		while (out->len > start && out->buf[out->len - 1] == ' ')
			out->len--;
		strbuf_addc(out, '\n');
	}
	free(order);
}

/* ---- the board: cards ------------------------------------------------------ */

void board_init(struct board *b, const char *me)
{
	memset(b, 0, sizeof *b);
	irk_strlcpy(b->me, me ? me : "", sizeof b->me);
	sla_policy_load(&b->pol, NULL);
	b->now = irk_now();
}

static char *san(const char *s)
{
	return s ? sanitize_dup(s, 0) : NULL;
}

void board_clear(struct board *b)
{
	for (size_t i = 0; i < b->ncards; i++)
		incident_clear(&b->cards[i].inc);
	b->ncards = 0;
	for (int s = 0; s < STAGE_COUNT; s++)
		b->col[s].n = 0;
}

void board_free(struct board *b)
{
	board_clear(b);
	free(b->cards);
	for (int s = 0; s < STAGE_COUNT; s++)
		free(b->col[s].idx);
	free(b->text);
	free(b->filter_src);
	free(b->query);
	free(b->query_ids);
	free(b->unit);
	expr_free(&b->expr);
	memset(b, 0, sizeof *b);
}

void board_window(struct board *b, int s, size_t base)
{
	b->col[s].base = base;
}

void board_drop_last(struct board *b)
{
	if (b->ncards)
		incident_clear(&b->cards[--b->ncards].inc);
}

const struct card *board_card_at(const struct board *b, int s, size_t pos)
{
	const struct board_col *c = &b->col[s];

	if (pos < c->base || pos - c->base >= c->n)
		return NULL;
	return &b->cards[c->idx[pos - c->base]];
}

void board_add(struct board *b, const struct incident *inc)
{
	struct card *c;

	if (b->ncards == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->cards = xrealloc(b->cards, b->cap * sizeof *b->cards);
	}
	c = &b->cards[b->ncards++];
	c->waiting = c->failed = c->approval = c->observed = 0;
	c->critical = 0;
	c->ticket[0] = '\0';
	c->inc = *inc;
	/* Every text field, sanitized: a filter may name any of them. */
	for (const struct field_def *f = incident_fields; f->name; f++)
		if (field_kind_storage(f->kind) == FST_TEXT)
			*incident_field_text(&c->inc, f) = san(incident_field_get_text(inc, f));
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Set the mark at offset `at` of each card: on when its id is in ids. */
static void mark(struct board *b, int64_t *ids, size_t n, size_t at)
{
	if (n)
		qsort(ids, n, sizeof *ids, id_cmp);
	/* Every card is set, so a card that stopped qualifying loses its mark. */
	for (size_t i = 0; i < b->ncards; i++)
		*(int *)((char *)&b->cards[i] + at) =
			n && bsearch(&b->cards[i].inc.id, ids, n, sizeof *ids, id_cmp);
}

void board_mark(struct board *b, int which, int64_t *ids, size_t n)
{
	mark(b, ids, n, which == CARD_FAILED     ? offsetof(struct card, failed)
			: which == CARD_APPROVAL ? offsetof(struct card, approval)
						 : offsetof(struct card, waiting));
}

void board_mark_waiting(struct board *b, int64_t *ids, size_t n)
{
	board_mark(b, CARD_WAITING, ids, n);
}

void board_mark_critical(struct board *b, int64_t *ids, size_t n)
{
	mark(b, ids, n, offsetof(struct card, critical));
}

/* ---- filters ------------------------------------------------------------- */

struct lookup_ctx {
	const struct board *b;
	const struct card *c;
	char key[24];
};

static const char *sla_word(const struct lookup_ctx *lc)
{
	struct sla_status st;

	sla_status(&lc->b->pol, &lc->c->inc, lc->b->now, &st);
	return st.state == SLA_BREACHED ? "breached" : st.state == SLA_OK ? "ok" : "none";
}

/* The values an enumerated field takes. A comparison with anything else
 * would quietly match nothing (`severity >= 'hihg'`), so the filter is
 * refused with the list. Ordered ones compare by rank or number; the
 * others are names compared as text, where < and > mean nothing. */
enum vocab { V_ANY, V_SEVERITY, V_STAGE, V_PRIORITY, V_CRITICALITY, V_SLA, V_RESOLUTION, V_BOOL };

/* The fields a board filter can name: the incident's (fields.h, old
 * spellings too), then the board's own below: name, kind, value (inc is
 * the card's incident, lc the lookup context), the values it takes. */
#define BOARD_FIELDS(X) \
	X("age",     NUM,  lc->b->now - inc->t_detected, V_ANY) \
	X("sla",     STR,  sla_word(lc), V_SLA) \
	X("waiting", BOOL, lc->c->waiting, V_BOOL) \
	X("mine",    BOOL, inc->owner && !strcmp(inc->owner, lc->b->me), V_BOOL) \
	X("failed",  BOOL, lc->c->failed, V_BOOL) \
	X("approvals", BOOL, lc->c->approval, V_BOOL)

#define X_FIELD_NAME(name, kind, value, vocab) name,
static const char *const board_fields[] = { BOARD_FIELDS(X_FIELD_NAME) };
#undef X_FIELD_NAME
#define X_FIELD_VOCAB(name, kind, value, vocab) vocab,
static const enum vocab board_vocab[] = { BOARD_FIELDS(X_FIELD_VOCAB) };
#undef X_FIELD_VOCAB
#define NBOARD (sizeof board_fields / sizeof board_fields[0])

static int put_STR(struct expr_value *out, const char *v)
{
	expr_value_set_str(out, v);
	return v ? 0 : 1;      /* unset counts as missing */
}

static int put_NUM(struct expr_value *out, double v)
{
	expr_value_set_num(out, v);
	return 0;
}

static int put_BOOL(struct expr_value *out, int v)
{
	expr_value_set_bool(out, v);
	return 0;
}

static const char *field_name(const char *name)
{
	return strncmp(name, "incident.", 9) ? name : name + 9;
}

/* A field a filter names: an incident field (inc set) or a board field;
 * its one name and the values it takes. */
struct filter_field {
	const struct field_def *inc;
	const char *name;
	enum vocab vocab;
};

static enum vocab kind_vocab(int kind)
{
	switch (kind) {
	case FK_SEVERITY: return V_SEVERITY;
	case FK_STAGE: return V_STAGE;
	case FK_PRIORITY: return V_PRIORITY;
	case FK_CRITICALITY: return V_CRITICALITY;
	case FK_RESOLUTION: return V_RESOLUTION;
	}
	return V_ANY;
}

/* Nonzero when name is a field (into *ff). */
static int filter_field(const char *name, struct filter_field *ff)
{
	const char *n = field_name(name);

	if ((ff->inc = incident_field_lookup(n, NULL))) {
		ff->name = ff->inc->name;
		ff->vocab = kind_vocab(ff->inc->kind);
		return 1;
	}
	for (size_t i = 0; i < NBOARD; i++)
		if (!strcmp(board_fields[i], n)) {
			ff->name = board_fields[i];
			ff->vocab = board_vocab[i];
			return 1;
		}
	return 0;
}

static int card_lookup(void *arg, const char *name, struct expr_value *out)
{
	struct lookup_ctx *lc = arg;
	const struct incident *inc = &lc->c->inc;
	const struct field_def *f;

	name = field_name(name);
	if ((f = incident_field_lookup(name, NULL)))
		return incident_field_value(inc, f, lc->key, sizeof lc->key, out);
#define X_FIELD_GET(fname, kind, value, vocab) \
	if (!strcmp(name, fname)) \
		return put_##kind(out, (value));
	BOARD_FIELDS(X_FIELD_GET)
#undef X_FIELD_GET
	return 1;
}

static int text_has(const char *field, const char *needle)
{
	return field && strcasestr(field, needle);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void board_filter_ids(struct board *b, const char *name, const int64_t *ids, size_t n)
{
	char src[80];

	free(b->query_ids);
	b->query_ids = NULL;
	b->nquery_ids = 0;
	if (!name) {
		free(b->query);
		b->query = NULL;
		return;
	}
	if (!b->query || strcmp(b->query, name)) {
		free(b->text);
		free(b->filter_src);
		expr_free(&b->expr);
		b->text = NULL;
		b->text_id = 0;
		free(b->query);
		b->query = xstrdup(name);
		snprintf(src, sizeof src, "@%.70s", name);
		b->filter_src = sanitize_dup(src, 0);
	}
	if (n) {
		b->query_ids = xcalloc(n, sizeof *ids);
		memcpy(b->query_ids, ids, n * sizeof *ids);
		qsort(b->query_ids, n, sizeof *ids, cmp_id);
	}
	b->nquery_ids = n;
}

int board_card_matches(const struct board *b, const struct card *c)
{
	const struct incident *inc = &c->inc;

	if (b->kept_id && inc->id == b->kept_id)
		return 1;
	if (b->mine && !(inc->owner && !strcmp(inc->owner, b->me)))
		return 0;
	if (b->unassigned && inc->owner)
		return 0;
	if (b->unit && !(inc->business_unit && !strcmp(inc->business_unit, b->unit)))
		return 0;
	if (b->query && !(b->nquery_ids && bsearch(&inc->id, b->query_ids, b->nquery_ids,
						  sizeof inc->id, cmp_id)))
		return 0;
	if (b->text_id)
		return inc->id == b->text_id;
	if (b->text) {
		char key[24];
		incident_key(inc->id, key, sizeof key);
		if (!c->observed && !text_has(key, b->text) && !text_has(inc->title, b->text) &&
		    !text_has(inc->owner, b->text) && !text_has(inc->host, b->text) &&
		    !text_has(inc->rule, b->text) && !text_has(inc->category, b->text) &&
		    !text_has(inc->business_unit, b->text) && !text_has(inc->src_ip, b->text))
			return 0;
	}
	if (b->expr) {
		struct lookup_ctx lc = { b, c, "" };
		if (!expr_eval(b->expr, card_lookup, &lc))
			return 0;
	}
	return 1;
}

static int looks_like_expr(const char *s)
{
	return strpbrk(s, "=<>~") || strstr(s, "&&") || strstr(s, "||") || strstr(s, " in [") ||
	       strstr(s, " in[");
}

static const char *const sla_words[] = { "ok", "breached", "none" };
static const char *const bool_words[] = { "true", "false" };
static const char *const digits[] = { "0", "1", "2", "3", "4" };

/* The i-th name of vocabulary v, or NULL past the last. */
static const char *vocab_name(enum vocab v, int i)
{
	switch (v) {
	case V_SEVERITY: return i < SEV_COUNT ? severity_name(i) : NULL;
	case V_STAGE: return i < STAGE_COUNT ? stage_name(i) : NULL;
	case V_RESOLUTION: return i + 1 < RES_COUNT ? resolution_name(i + 1) : NULL;
	case V_SLA: return i < 3 ? sla_words[i] : NULL;
	case V_BOOL: return i < 2 ? bool_words[i] : NULL;
	case V_PRIORITY: return i < 4 ? digits[i + 1] : NULL;
	case V_CRITICALITY: return i < 5 ? digits[i] : NULL;
	case V_ANY: break;
	}
	return NULL;
}

static int vocab_ordered(enum vocab v)
{
	return v == V_SEVERITY || v == V_PRIORITY || v == V_CRITICALITY;
}

/* Nonzero when the literal v is one of the names of vocabulary voc, as
 * expr.h compares them: severities in any case, numbers as numbers
 * ('2' is 2), a bool or the string true or false, other names exactly. */
static int vocab_has(enum vocab voc, const struct expr_value *v)
{
	double x = 0;
	char *end;

	if (voc == V_PRIORITY || voc == V_CRITICALITY) {
		if (v->type == EXPR_NUM)
			x = v->num;
		else if (v->type != EXPR_STR || !*v->str || (x = strtod(v->str, &end), *end))
			return 0;
	} else if (voc == V_BOOL && v->type == EXPR_BOOL) {
		return 1;
	} else if (v->type != EXPR_STR) {
		return 0;
	}
	for (int i = 0; vocab_name(voc, i); i++) {
		const char *name = vocab_name(voc, i);
		if (voc == V_PRIORITY || voc == V_CRITICALITY ? x == atof(name) :
		    voc == V_SEVERITY ? !strcasecmp(v->str, name) : !strcmp(v->str, name))
			return 1;
	}
	return 0;
}

static void vocab_list(enum vocab v, struct strbuf *sb)
{
	for (int i = 0; vocab_name(v, i); i++)
		strbuf_printf(sb, " %s", vocab_name(v, i));
	if (v == V_PRIORITY)
		strbuf_puts(sb, " (P1 is 1)");
	else if (v == V_CRITICALITY)
		strbuf_puts(sb, " (0: unknown)");
}

/* What is wrong with a filter, for the message: the first problem found. */
struct filter_check {
	struct strbuf why;
};

static void check_var(const char *name, int offset, void *arg)
{
	struct filter_check *fc = arg;
	char *safe;

	(void)offset;
	if (fc->why.len || filter_field(name, &(struct filter_field){ 0 }))
		return;
	/* A filter on a field that does not exist would silently show
	 * nothing: name the typo and what exists. */
	safe = sanitize_dup(name, 0);
	strbuf_printf(&fc->why, "filter: unknown field '%.64s'; fields:", safe);
	for (const struct field_def *f = incident_fields; f->name; f++)
		strbuf_printf(&fc->why, " %s", f->name);
	for (size_t i = 0; i < NBOARD; i++)
		strbuf_printf(&fc->why, " %s", board_fields[i]);
	free(safe);
}

static void check_cmp(const struct expr_cmp *c, void *arg)
{
	struct filter_check *fc = arg;
	struct filter_field ff = { 0 };
	int eq = !strcmp(c->op, "==") || !strcmp(c->op, "!=") || !strcmp(c->op, "in");
	enum vocab voc;
	const char *f;
	char buf[32], *safe;

	if (fc->why.len || !filter_field(c->field, &ff) || (voc = ff.vocab) == V_ANY)
		return;
	f = ff.name;
	if (!eq && !vocab_ordered(voc)) {
		strbuf_printf(&fc->why, "filter: %s has no order (%s would compare the names as "
			      "text); use == or in [...]; values:", f, c->op);
	} else if (c->value->type == EXPR_NULL ? !eq : !vocab_has(voc, c->value)) {
		/* null tests presence: fine with == and !=. */
		safe = sanitize_dup(c->value->type == EXPR_NULL ? "null" :
				    expr_value_text(c->value, buf, sizeof buf), 0);
		strbuf_printf(&fc->why, c->value->type == EXPR_STR ? "filter: unknown %s '%.64s'; values:" :
			      "filter: unknown %s %.64s; values:", f, safe);
		free(safe);
	} else {
		return;
	}
	vocab_list(voc, &fc->why);
}

static void count_var(const char *name, int offset, void *arg)
{
	(void)name;
	(void)offset;
	++*(int *)arg;
}

int board_filter_set(struct board *b, const char *input, char *msg, size_t n)
{
	struct expr *e = NULL;
	struct filter_check fc = { STRBUF_INIT };

	if (msg && n)
		msg[0] = '\0';
	while (input && (*input == ' ' || *input == '\t'))
		input++;
	if (input && *input && !looks_like_expr(input)) {
		/* A field name alone ("waiting", "mine", "!waiting") is a
		 * condition; any other word is text to look for. */
		if ((e = expr_parse(input, NULL))) {
			int vars = 0;
			expr_each_var(e, count_var, &vars);
			expr_each_var(e, check_var, &fc);
			if (!vars || fc.why.len)
				expr_free(&e);
			strbuf_free(&fc.why);
		}
	} else if (input && *input) {
		struct expr_error ee;
		if (!(e = expr_parse(input, &ee))) {
			if (msg)
				snprintf(msg, n, "filter: %s", ee.msg);
			return IRK_INVALID;
		}
		expr_each_var(e, check_var, &fc);
		expr_each_cmp(e, check_cmp, &fc);
		if (fc.why.len) {
			if (msg)
				irk_strlcpy(msg, strbuf_str(&fc.why), n);
			strbuf_free(&fc.why);
			expr_free(&e);
			return IRK_INVALID;
		}
	}
	free(b->text);
	free(b->filter_src);
	expr_free(&b->expr);
	b->text = NULL;
	b->text_id = 0;
	b->filter_src = NULL;
	board_filter_ids(b, NULL, NULL, 0);
	if (!input || !*input)
		return IRK_OK;
	b->filter_src = sanitize_dup(input, 0);
	if (e) {
		b->expr = e;
	} else {
		/* Text: trailing blanks typed by accident would match nothing. */
		size_t len = strlen(input);
		while (len && (input[len - 1] == ' ' || input[len - 1] == '\t'))
			len--;
		b->text = xstrndup(input, len);
		if (!strncasecmp(b->text, "IR-", 3))
			b->text_id = incident_key_parse(b->text);
	}
	return IRK_OK;
}

/* ---- columns and the cursor ---------------------------------------------- */

static void col_push(struct board_col *c, size_t i)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->idx = xrealloc(c->idx, c->cap * sizeof *c->idx);
	}
	c->idx[c->n++] = i;
}

static void clamp_col(struct board_col *c)
{
	if (c->count == 0) {
		c->cur = c->top = 0;
		return;
	}
	if (c->cur >= c->count)
		c->cur = c->count - 1;
	if (c->top > c->cur)
		c->top = c->cur;
}

const struct card *board_current(const struct board *b)
{
	return board_card_at(b, b->cur, b->col[b->cur].cur);
}

static void remember(struct board *b)
{
	const struct card *c = board_current(b);

	b->sel_id = c ? c->inc.id : 0;
}

int board_select(struct board *b, int64_t id)
{
	for (int s = 0; s < STAGE_COUNT; s++)
		for (size_t i = 0; i < b->col[s].n; i++)
			if (b->cards[b->col[s].idx[i]].inc.id == id) {
				b->cur = s;
				b->col[s].cur = b->col[s].base + i;
				b->sel_id = id;
				return 1;
			}
	return 0;
}

/* Board order: an open column by priority, then detection (oldest first),
 * then id; closed newest closed first. The store reads in this order too;
 * sorting here keeps the board right whatever order cards were added in. */
static int card_order(const void *x, const void *y, void *arg)
{
	const struct card *cards = arg;
	const struct incident *a = &cards[*(const size_t *)x].inc, *b = &cards[*(const size_t *)y].inc;

	if (a->stage == STAGE_CLOSED) {
		if (a->t_closed != b->t_closed)
			return a->t_closed > b->t_closed ? -1 : 1;
		return a->id > b->id ? -1 : a->id < b->id;
	}
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->t_detected != b->t_detected)
		return a->t_detected < b->t_detected ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

void board_tick(struct board *b, int64_t now)
{
	struct sla_status st;

	b->now = now;
	if (b->breached_read)
		return;
	b->breached = 0;
	for (size_t i = 0; i < b->ncards; i++) {
		const struct card *c = &b->cards[i];
		if (c->inc.stage == STAGE_CLOSED)
			continue;
		sla_status(&b->pol, &c->inc, now, &st);
		if (st.state == SLA_BREACHED)
			b->breached++;
	}
}

void board_index(struct board *b)
{
	int64_t keep = b->sel_id;

	board_tick(b, b->now);
	for (int s = 0; s < STAGE_COUNT; s++)
		b->col[s].n = 0;
	for (size_t i = 0; i < b->ncards; i++) {
		const struct card *c = &b->cards[i];
		if (c->inc.stage < 0 || c->inc.stage >= STAGE_COUNT)
			continue;
		if (b->windowed || board_card_matches(b, c))
			col_push(&b->col[c->inc.stage], i);
	}
	for (int s = 0; s < STAGE_COUNT; s++) {
		struct board_col *c = &b->col[s];
		if (b->windowed) {
			c->count = c->total > 0 ? (size_t)c->total : 0;
			if (c->base + c->n > c->count)   /* a count older than the window */
				c->count = c->base + c->n;
		} else {
			if (c->n > 1)
				qsort_r(c->idx, c->n, sizeof *c->idx, card_order, b->cards);
			c->base = 0;
			c->count = c->n;
		}
		clamp_col(c);
	}
	if (!keep || !board_select(b, keep))
		remember(b);
}

size_t board_shown(const struct board *b)
{
	size_t n = 0;

	for (int s = 0; s < STAGE_COUNT; s++)
		n += b->col[s].count;
	return n;
}

int board_focus_match(struct board *b)
{
	if (b->col[b->cur].count)
		return 0;
	for (int s = 0; s < STAGE_COUNT; s++)
		if (b->col[s].count) {
			b->cur = s;
			b->col[s].cur = 0;
			remember(b);
			return 1;
		}
	return 0;
}

int board_up(struct board *b, size_t count)
{
	struct board_col *c = &b->col[b->cur];
	size_t old = c->cur;

	c->cur = c->cur > count ? c->cur - count : 0;
	remember(b);
	return c->cur != old;
}

int board_down(struct board *b, size_t count)
{
	struct board_col *c = &b->col[b->cur];
	size_t old = c->cur;

	if (!c->count)
		return 0;
	/* count may be huge (board_end): compare without adding. */
	c->cur = count < c->count - c->cur ? c->cur + count : c->count - 1;
	remember(b);
	return c->cur != old;
}

int board_left(struct board *b)
{
	if (b->cur == 0)
		return 0;
	b->cur--;
	remember(b);
	return 1;
}

int board_right(struct board *b)
{
	if (b->cur == STAGE_COUNT - 1)
		return 0;
	b->cur++;
	remember(b);
	return 1;
}

int board_home(struct board *b)
{
	return board_up(b, (size_t)-1);
}

int board_end(struct board *b)
{
	return board_down(b, (size_t)-1);
}

/* ---- geometry and the frame ------------------------------------------------ */

void board_geometry(struct board *b, int width, int height, struct board_geom *g)
{
	int n = (width + 1) / (BOARD_COL_MIN + 1), avail, base, extra, x = 0;

	if (n < 1)
		n = 1;
	if (n > STAGE_COUNT)
		n = STAGE_COUNT;
	g->ncols = n;
	avail = width - (n - 1);
	base = avail / n;
	extra = avail % n;
	for (int i = 0; i < n; i++) {
		g->colx[i] = x;
		g->colw[i] = base + (i < extra);
		x += g->colw[i] + 1;
	}
	if (b->cur < b->first)
		b->first = b->cur;
	if (b->cur >= b->first + n)
		b->first = b->cur - n + 1;
	if (b->first > STAGE_COUNT - n)
		b->first = STAGE_COUNT - n;
	if (b->first < 0)
		b->first = 0;
	g->cards = (height - 3) / BOARD_CARD_ROWS;
	if (g->cards < 1)
		g->cards = 1;
	for (int i = 0; i < n; i++) {
		struct board_col *c = &b->col[b->first + i];
		size_t rows = (size_t)g->cards;
		if (c->cur < c->top)
			c->top = c->cur;
		if (c->cur >= c->top + rows)
			c->top = c->cur - rows + 1;
		if (c->count > rows && c->top > c->count - rows)
			c->top = c->count - rows;
		if (c->count <= rows)
			c->top = 0;
	}
}

int board_col_at(struct board *b, int width, int height, int x)
{
	struct board_geom g;

	board_geometry(b, width, height, &g);
	for (int i = 0; i < g.ncols; i++)
		if (x >= g.colx[i] && x < g.colx[i] + g.colw[i])
			return b->first + i;
	return -1;
}

int board_hit(struct board *b, int width, int height, int y, int x)
{
	struct board_geom g;

	board_geometry(b, width, height, &g);
	if (y < 2)
		return 0;
	for (int i = 0; i < g.ncols; i++) {
		struct board_col *c;
		size_t k;
		if (x < g.colx[i] || x >= g.colx[i] + g.colw[i])
			continue;
		c = &b->col[b->first + i];
		k = c->top + (size_t)((y - 2) / BOARD_CARD_ROWS);
		if ((y - 2) / BOARD_CARD_ROWS >= g.cards || !board_card_at(b, b->first + i, k))
			return 0;
		b->cur = b->first + i;
		c->cur = k;
		remember(b);
		return 1;
	}
	return 0;
}

static int sev_slot(int sev)
{
	switch (sev) {
	case SEV_LOW: return SLOT_CARD_LOW;
	case SEV_MEDIUM: return SLOT_CARD_MEDIUM;
	case SEV_HIGH: return SLOT_CARD_HIGH;
	case SEV_CRITICAL: return SLOT_CARD_CRITICAL;
	}
	return SLOT_CARD;
}

/* A card's title line. A storm's count comes first, where a narrow column
 * still shows it: "  19,874 hosts: ET SCAN Potential SSH Scan". */
static void card_title(const struct incident *inc, char *buf, size_t n)
{
	const char *t = inc->title ? inc->title : "";
	size_t base;
	int64_t hosts;

	if (inc->storm && storm_title_parse(t, &base, &hosts)) {
		const char *count = t + base + 4;          /* after " on " */
		int clen = (int)(strrchr(t, ' ') - count);
		snprintf(buf, n, "  %.*s %s: %.*s", clen, count, hosts == 1 ? "host" : "hosts",
			 (int)base, t);
		return;
	}
	snprintf(buf, n, "  %s", t);
}

void board_card_line(const struct board *b, const struct card *c, int line, int w,
		     int selected, struct frame *f, int y, int x)
{
	const struct incident *inc = &c->inc;
	char buf[512], key[24], right[66] = "", age[32], padded[72], short_sla[40] = "";
	int rw, lw, breached = 0, slot = selected ? SLOT_CARD_SELECTED : SLOT_CARD;

	switch (line) {
	case 0:
		snprintf(buf, sizeof buf, "%s P%d %s%s%s", incident_key(inc->id, key, sizeof key),
			 inc->priority, severity_name(inc->severity), c->critical ? G_CRIT : "",
			 inc->storm ? " STORM" : "");
		if ((c->waiting || c->failed || c->approval) && w > 4) {
			const char *g = c->failed ? G_FAILED_R : c->approval ? G_APPROVE_R : G_WAIT_R;
			frame_put(f, y, x, w - 2, selected ? slot : sev_slot(inc->severity), buf, 1);
			frame_put(f, y, x + w - 2, 2, selected ? slot : c->failed ? SLOT_STATUS_ERROR
				  : SLOT_CARD_WAITING, g, 0);
		} else {
			frame_put(f, y, x, w, selected ? slot : sev_slot(inc->severity), buf, 1);
		}
		return;
	case 1:
		/* The ticket first, where a narrow column still shows it:
		 * "  #12 Mimikatz on web-01". */
		card_title(inc, buf, sizeof buf);
		if (c->ticket[0]) {
			char t[sizeof buf + sizeof c->ticket];

			snprintf(t, sizeof t, "  %s%s", c->ticket, buf + 1);
			frame_put(f, y, x, w, slot, t, 1);
			return;
		}
		frame_put(f, y, x, w, slot, buf, 1);
		return;
	}
	irk_duration_fmt(b->now - inc->t_detected, age, sizeof age);
	snprintf(buf, sizeof buf, "  %s %s %s", inc->owner ? inc->owner : "-", G_DOT, age);
	if (inc->stage == STAGE_CLOSED) {
		irk_strlcpy(right, inc->resolution > RES_NONE ? resolution_name(inc->resolution) : "",
			    sizeof right);
	} else {
		struct sla_status st;
		sla_status(&b->pol, inc, b->now, &st);
		sla_text(&st, right, sizeof right);
		if (st.state != SLA_NONE) {
			char d[32];
			irk_duration_fmt(st.remaining < 0 ? -st.remaining : st.remaining, d, sizeof d);
			snprintf(short_sla, sizeof short_sla, "%s%s", d,
				 st.state == SLA_BREACHED ? " late" : "");
		}
		breached = st.state == SLA_BREACHED;
		if (!selected && st.state != SLA_NONE)
			slot = breached ? SLOT_SLA_BREACHED : SLOT_SLA_OK;
	}
	/* A space keeps the owner and the SLA apart. When both do not fit,
	 * the SLA drops its words ("22h00m", "3h05m late"); when that does
	 * not fit either, a running clock goes (the owner and age matter
	 * more), but a breach stays and the owner and age are cut: a late P1
	 * must not look like a card without an SLA. */
	snprintf(padded, sizeof padded, " %s", right);
	rw = right[0] ? utf8_width(padded, strlen(padded)) : 0;
	lw = utf8_width(buf, strlen(buf));
	if (rw && lw + rw > w && short_sla[0]) {
		snprintf(padded, sizeof padded, " %s", short_sla);
		rw = utf8_width(padded, strlen(padded));
	}
	if (lw + rw > w && !(breached && rw + 4 <= w))
		rw = 0;
	frame_put(f, y, x, w - rw, selected ? SLOT_CARD_SELECTED : SLOT_CARD_DIM, buf, 1);
	if (rw)
		frame_put(f, y, x + w - rw, rw, inc->stage == STAGE_CLOSED && !selected ? SLOT_CARD_DIM : slot,
			  padded, 0);
}

/* Put s at (y, x) taking only its own width (at most maxw). */
static int put_fit(struct frame *f, int y, int x, int maxw, int slot, const char *s)
{
	int w = utf8_width(s, strlen(s));

	return frame_put(f, y, x, w < maxw ? w : maxw, slot, s, 1);
}

int board_filtered(const struct board *b)
{
	return b->text || b->expr || b->query || b->mine || b->unassigned || b->unit;
}

/* " │ filter: mine unit=finance IR-3" into sb. */
static void filter_text(const struct board *b, struct strbuf *sb)
{
	strbuf_printf(sb, " %s filter:", G_VBAR);
	if (b->mine)
		strbuf_puts(sb, " mine");
	if (b->unassigned)
		strbuf_puts(sb, " unassigned");
	if (b->unit)
		strbuf_printf(sb, " unit=%s", b->unit);
	if (b->filter_src)
		strbuf_printf(sb, " %s", b->filter_src);
}

static void header(struct board *b, int width, struct frame *f)
{
	int64_t open = 0;
	struct strbuf sb = STRBUF_INIT;
	char buf[512];
	int x = 0;

	for (int s = 0; s < STAGE_CLOSED; s++)
		open += b->col[s].total;
	if (b->user[0])
		snprintf(buf, sizeof buf, " irk %s %s %s %lld open %s %lld closed %s ", G_VBAR, b->user,
			 G_VBAR, (long long)open, G_DOT, (long long)b->col[STAGE_CLOSED].total, G_DOT);
	else
		snprintf(buf, sizeof buf, " irk %s %lld open %s %lld closed %s ", G_VBAR, (long long)open,
			 G_DOT, (long long)b->col[STAGE_CLOSED].total, G_DOT);
	x += put_fit(f, 0, x, width - x, SLOT_HEADER, buf);
	if (x >= width)
		return;
	snprintf(buf, sizeof buf, "%lld SLA breached", (long long)b->breached);
	x += put_fit(f, 0, x, width - x, b->breached ? SLOT_HEADER_ALERT : SLOT_HEADER, buf);
	if (x >= width)
		return;
	/* What matters most first, so a narrow header loses the least: a
	 * filter (a filtered board must not pass for the whole queue), the
	 * new messages, then who else is on. The message count always fits:
	 * in short ("12 new (i)") when the whole does not, and the filter
	 * gives up its end for it. */
	if (b->unseen > 0) {
		char full[96], shrt[64];
		int bar = 3;              /* " │ " */
		snprintf(full, sizeof full, "%lld new message%s%s%s%s", (long long)b->unseen,
			 b->unseen == 1 ? "" : "s", b->inbox_key[0] ? " (" : "", b->inbox_key,
			 b->inbox_key[0] ? ")" : "");
		snprintf(shrt, sizeof shrt, "%lld new%s%s%s", (long long)b->unseen,
			 b->inbox_key[0] ? " (" : "", b->inbox_key, b->inbox_key[0] ? ")" : "");
		if (board_filtered(b))
			filter_text(b, &sb);
		int fw = sb.len ? utf8_width(sb.buf, sb.len) : 0;
		const char *msg = x + fw + bar + utf8_width(full, strlen(full)) <= width ? full : shrt;
		int mw = bar + utf8_width(msg, strlen(msg));
		if (sb.len)
			x += put_fit(f, 0, x, width - x - mw > 0 ? width - x - mw : 0, SLOT_HEADER,
				     strbuf_str(&sb));
		snprintf(buf, sizeof buf, " %s ", G_VBAR);
		x += put_fit(f, 0, x, width - x, SLOT_HEADER, buf);
		x += put_fit(f, 0, x, width - x, SLOT_HEADER_ALERT, msg);
		if (x >= width)
			goto out;
	} else if (board_filtered(b)) {
		filter_text(b, &sb);
		x += put_fit(f, 0, x, width - x, SLOT_HEADER, strbuf_str(&sb));
		if (x >= width)
			goto out;
	}
	if (b->who[0]) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, " %s on: %s", G_VBAR, b->who);
		frame_put(f, 0, x, width - x, SLOT_HEADER, strbuf_str(&sb), 1);
	}
out:
	strbuf_free(&sb);
}

void board_frame(struct board *b, int width, int height, struct frame *f)
{
	struct board_geom g;
	char buf[256];

	board_geometry(b, width, height, &g);
	header(b, width, f);
	for (int i = 0; i < g.ncols; i++) {
		int s = b->first + i, x = g.colx[i], w = g.colw[i];
		struct board_col *c = &b->col[s];
		int64_t shown = (int64_t)c->count;
		const char *pre = i == 0 && b->first > 0 ? G_LEFT : " ";
		const char *post = i == g.ncols - 1 && s < STAGE_COUNT - 1 ? G_RIGHT : "";
		const char *cut = c->cut ? "+" : "";

		/* "(shown/total)" only under a filter; "12+" when the filter
		 * judged only the first part of a long column. */
		if (!board_filtered(b) || (shown == c->total && !c->cut))
			snprintf(buf, sizeof buf, "%s%s (%lld)", pre, stage_title(s), (long long)c->total);
		else
			snprintf(buf, sizeof buf, "%s%s (%lld%s/%lld)", pre, stage_title(s),
				 (long long)shown, cut, (long long)c->total);
		if (*post) {
			frame_put(f, 1, x, w - 2, s == b->cur ? SLOT_COLUMN_CURRENT : SLOT_COLUMN_TITLE, buf, 1);
			frame_put(f, 1, x + w - 2, 2, s == b->cur ? SLOT_COLUMN_CURRENT : SLOT_COLUMN_TITLE,
				  post, 0);
		} else {
			frame_put(f, 1, x, w, s == b->cur ? SLOT_COLUMN_CURRENT : SLOT_COLUMN_TITLE, buf, 1);
		}
		if (i > 0)
			for (int y = 1; y < height; y++)
				frame_put(f, y, x - 1, 1, SLOT_COLUMN_SEP, G_VBAR, 0);
		if (!c->count) {
			frame_put(f, 2, x, w, SLOT_CARD_DIM, c->total ? "  (none match)" : "  (empty)", 0);
			continue;
		}
		/* A windowed board has loaded every card it draws (board.c);
		 * one missing is left blank rather than guessed. */
		for (int k = 0; k < g.cards && c->top + (size_t)k < c->count; k++) {
			const struct card *card = board_card_at(b, s, c->top + (size_t)k);
			int sel = s == b->cur && c->top + (size_t)k == c->cur;
			if (!card)
				continue;
			for (int line = 0; line < BOARD_CARD_ROWS; line++)
				board_card_line(b, card, line, w, sel, f, 2 + k * BOARD_CARD_ROWS + line, x);
		}
		if (height >= 4 && c->count > (size_t)g.cards) {
			size_t last = c->top + (size_t)g.cards;
			if (last > c->count)
				last = c->count;
			if (s == STAGE_CLOSED && !board_filtered(b))
				snprintf(buf, sizeof buf, "  %zu-%zu of %lld, newest first", c->top + 1, last,
					 (long long)c->total);
			else
				snprintf(buf, sizeof buf, "  %zu-%zu of %zu%s", c->top + 1, last, c->count, cut);
			frame_put(f, height - 1, x, w, SLOT_SCROLL, buf, 1);
		}
	}
}

/* ---- documents -------------------------------------------------------------- */

void doc_init(struct doc *d, const char *title)
{
	memset(d, 0, sizeof *d);
	d->title = sanitize_dup(title, 0);
}

void doc_clear(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->lines[i].text);
		free(d->lines[i].label);
	}
	d->n = 0;
}

void doc_free(struct doc *d)
{
	doc_clear(d);
	free(d->lines);
	free(d->title);
	memset(d, 0, sizeof *d);
}

static struct doc_line *push_line(struct doc *d, int kind, int slot, int indent, int64_t ref)
{
	struct doc_line *l;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->lines = xrealloc(d->lines, d->cap * sizeof *d->lines);
	}
	l = &d->lines[d->n++];
	l->kind = kind;
	l->slot = slot;
	l->indent = indent;
	l->label_slot = SLOT_FIELD;
	l->ref = ref;
	l->label = NULL;
	l->text = NULL;
	return l;
}

/* Length in bytes of the next wrapped piece of s[0..n) at cols columns:
 * break after the last space that fits (a space right after a full line
 * counts), else hard at the column. The piece keeps its trailing space;
 * wrap() drops it from the line. */
static size_t wrap_piece(const char *s, size_t n, int cols)
{
	size_t fit = utf8_fit(s, n, cols < 1 ? 1 : cols);

	if (fit == 0 && n) {
		/* A character wider than the space: take it anyway. */
		unsigned cp;
		int l = utf8_decode(s, n, &cp);
		fit = l > 0 ? (size_t)l : 1;
	}
	if (fit < n) {
		if (s[fit] == ' ')
			return fit + 1;
		for (size_t i = fit; i > fit / 2; i--)
			if (s[i - 1] == ' ')
				return i;
	}
	return fit;
}

/* Call add for each wrapped line of text (sanitized, newlines kept). */
static void wrap(const char *text, int cols, void (*add)(void *arg, const char *s, size_t n, int first),
		 void *arg)
{
	char *safe = sanitize_dup(text, SAN_KEEP_NL);
	const char *p = safe;
	int first = 1;

	do {
		size_t len = strcspn(p, "\n");
		const char *end = p + len;
		if (len == 0)
			add(arg, p, 0, first), first = 0;
		while (p < end) {
			size_t piece = wrap_piece(p, (size_t)(end - p), cols), shown = piece;
			/* The space a line broke at would not fit: it goes. */
			while (shown && p[shown - 1] == ' ' && p + piece < end)
				shown--;
			add(arg, p, shown, first);
			first = 0;
			p += piece;
		}
		p = *end ? end + 1 : end;
	} while (*p);
	free(safe);
}

struct wrap_target {
	struct doc *d;
	int kind, slot, indent, label_slot;
	int64_t ref;
	const char *label;    /* sanitized */
};

static void wrap_add(void *arg, const char *s, size_t n, int first)
{
	struct wrap_target *wt = arg;
	struct doc_line *l = push_line(wt->d, wt->kind, wt->slot, wt->indent, wt->ref);

	l->text = xstrndup(s, n);
	if (wt->label) {
		l->label = xstrdup(first ? wt->label : "");
		l->label_slot = wt->label_slot;
	}
}

void doc_add(struct doc *d, int kind, int slot, int indent, int64_t ref, const char *text,
	     int width)
{
	struct wrap_target wt = { d, kind, slot, indent, SLOT_FIELD, ref, NULL };

	wrap(text ? text : "", width - indent, wrap_add, &wt);
}

/* At most max_in bytes of a folded text are wrapped: one line is kept. */
#define FOLD_IN_MAX 4096

void doc_add_folded(struct doc *d, int kind, int slot, int indent, int64_t ref, const char *text,
		    const char *more, int width)
{
	size_t at = d->n, len;
	char *cut = xstrndup(text ? text : "", strnlen(text ? text : "", FOLD_IN_MAX));
	struct doc_line *l;
	int cols = width - indent, mw = utf8_width(more, strlen(more));

	doc_add(d, kind, slot, indent, ref, cut, width);
	free(cut);
	if (d->n <= at + 1)
		return;
	while (d->n > at + 1) {
		d->n--;
		free(d->lines[d->n].text);
		free(d->lines[d->n].label);
	}
	/* The first line, cut where the marker still fits after it. */
	l = &d->lines[at];
	len = utf8_fit(l->text, strlen(l->text), cols - mw > 1 ? cols - mw : 1);
	while (len && l->text[len - 1] == ' ')
		len--;
	cut = xmalloc(len + strlen(more) + 1);
	memcpy(cut, l->text, len);
	memcpy(cut + len, more, strlen(more) + 1);
	free(l->text);
	l->text = cut;
}

#define DOC_LABEL_W 18

void doc_pair(struct doc *d, int kind, const char *label, int label_slot, int label_w,
	      const char *text, int slot, int64_t ref, int width)
{
	char *safe = sanitize_dup(label, 0);
	struct wrap_target wt = { d, kind, slot, label_w, label_slot, ref, safe };

	wrap(text && *text ? text : "-", width - label_w, wrap_add, &wt);
	free(safe);
}

void doc_field(struct doc *d, const char *label, const char *value, int width)
{
	doc_pair(d, DOC_FIELD, label, SLOT_FIELD, DOC_LABEL_W, value, SLOT_NORMAL, 0, width);
}

size_t doc_next_section(const struct doc *d, size_t cur, int dir)
{
	if (dir > 0) {
		for (size_t i = cur + 1; i < d->n; i++)
			if (d->lines[i].kind == DOC_SECTION)
				return i;
	} else {
		for (size_t i = cur; i-- > 0;)
			if (d->lines[i].kind == DOC_SECTION)
				return i;
	}
	return cur;
}

void doc_move(struct doc *d, long delta, int height)
{
	long cur = (long)d->cur + delta;
	size_t rows = height > 1 ? (size_t)height - 1 : 1;

	if (cur < 0 || d->n == 0)
		cur = 0;
	else if ((size_t)cur >= d->n)
		cur = (long)d->n - 1;
	d->cur = (size_t)cur;
	if (d->cur < d->top)
		d->top = d->cur;
	if (d->cur >= d->top + rows)
		d->top = d->cur - rows + 1;
}

void doc_frame(struct doc *d, int width, int height, int show_cursor, struct frame *f)
{
	char pos[48];
	int pw;

	doc_move(d, 0, height);
	snprintf(pos, sizeof pos, " %zu/%zu ", d->n ? d->cur + 1 : 0, d->n);
	pw = (int)strlen(pos);
	if (pw > width / 2)
		pw = 0;
	frame_put(f, 0, 0, width - pw, SLOT_HEADER, d->title, 1);
	if (pw)
		frame_put(f, 0, width - pw, pw, SLOT_HEADER, pos, 0);
	for (int y = 1; y < height && d->top + (size_t)(y - 1) < d->n; y++) {
		size_t i = d->top + (size_t)(y - 1);
		const struct doc_line *l = &d->lines[i];
		int cursor = show_cursor && i == d->cur;
		int x = 0;
		if (l->label) {
			char lab[256];
			snprintf(lab, sizeof lab, "  %s", l->label ? l->label : "");
			frame_put(f, y, 0, l->indent < width ? l->indent : width,
				  cursor ? SLOT_CURSOR : l->label_slot, lab, 1);
			x = l->indent;
		} else if (l->indent) {
			frame_put(f, y, 0, l->indent < width ? l->indent : width,
				  cursor ? SLOT_CURSOR : SLOT_NORMAL, "", 0);
			x = l->indent;
		}
		if (x < width)
			frame_put(f, y, x, width - x, cursor ? SLOT_CURSOR : l->slot, l->text, 1);
	}
}

/* ---- the status message ------------------------------------------------------ */

#define MESSAGE_ROWS_MAX 4

struct message_lines {
	struct strbuf line[MESSAGE_ROWS_MAX + 1];
	int n, rows;
};

static void message_add(void *arg, const char *s, size_t n, int first)
{
	struct message_lines *ml = arg;

	(void)first;
	if (ml->n <= ml->rows) {
		strbuf_add(&ml->line[ml->n], s, n);
		ml->n++;
	} else {
		/* Past the last row shown: only to mark that there is more. */
		strbuf_addc(&ml->line[ml->rows], ' ');
		strbuf_add(&ml->line[ml->rows], s, n);
	}
}

int layout_message(struct frame *f, int y, int width, int rows, int slot, const char *msg,
		   const char *more)
{
	struct message_lines ml = { .n = 0 };
	int used, mw = more ? utf8_width(more, strlen(more)) : 0;

	if (rows > MESSAGE_ROWS_MAX)
		rows = MESSAGE_ROWS_MAX;
	if (rows < 1)
		rows = 1;
	ml.rows = rows;
	if (width > 0)
		wrap(msg ? msg : "", width, message_add, &ml);
	used = ml.n < rows ? (ml.n ? ml.n : 1) : rows;
	for (int i = 0; f && i < used; i++) {
		struct strbuf *l = &ml.line[i];
		if (i == rows - 1 && ml.n > rows) {
			/* The rest does not fit: the last row is cut with a mark
			 * and tells where to read it all. */
			strbuf_addc(l, ' ');
			strbuf_add(l, ml.line[rows].buf, ml.line[rows].len);
			if (mw && mw < width / 2) {
				frame_put(f, y + i, 0, width - mw, slot, strbuf_str(l), 1);
				frame_put(f, y + i, width - mw, mw, slot, more, 0);
				continue;
			}
		}
		frame_put(f, y + i, 0, width, slot, strbuf_str(l), 1);
	}
	for (int i = 0; i <= MESSAGE_ROWS_MAX; i++)
		strbuf_free(&ml.line[i]);
	return used;
}
