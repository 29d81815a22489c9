/* expr.c: the expression language: lexer, recursive-descent parser, and an
 * evaluator over a small tree that never allocates.
 *
 * The tree: `&&` and `||` are n-ary (a long chain is a loop, not a deep
 * tree), so the tree's depth is bounded by the nesting limit and evaluation
 * recursion stays shallow whatever the input. Literals are decoded, ranked
 * and (for regexes) compiled at parse time. */
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irk/expr.h"
#include "irk/ip.h"
#include "irk/jdoc.h"
#include "irk/model.h"
#include "irk/sanitize.h"
#include "irk/strbuf.h"

/* ---- tokens ---- */

enum tok_type {
	T_EOF, T_NAME, T_STR, T_NUM, T_TRUE, T_FALSE, T_NULL,
	T_AND, T_OR, T_NOT, T_IN,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_MATCH, T_IMATCH, T_NMATCH, T_NIMATCH,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA,
};

/* Spelling of each token type in messages and in expr_to_string(). */
static const char *const tok_spell[] = {
	[T_EOF] = "end of expression", [T_NAME] = "name", [T_STR] = "string",
	[T_NUM] = "number", [T_TRUE] = "true", [T_FALSE] = "false",
	[T_NULL] = "null", [T_AND] = "&&", [T_OR] = "||", [T_NOT] = "!",
	[T_IN] = "in", [T_EQ] = "==", [T_NE] = "!=", [T_LT] = "<",
	[T_LE] = "<=", [T_GT] = ">", [T_GE] = ">=", [T_MATCH] = "~",
	[T_IMATCH] = "~*", [T_NMATCH] = "!~", [T_NIMATCH] = "!~*",
	[T_LPAREN] = "(", [T_RPAREN] = ")", [T_LBRACK] = "[",
	[T_RBRACK] = "]", [T_COMMA] = ",",
};

static const struct {
	const char *word;
	int type;
} keywords[] = {
	{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "in", T_IN },
	{ "true", T_TRUE }, { "false", T_FALSE }, { "null", T_NULL },
};

struct lexer {
	const char *src;
	size_t len;
	size_t pos;             /* where the next token starts scanning */
	int type;               /* current token */
	size_t off, toklen;     /* its place in src */
	struct strbuf text;     /* T_STR: decoded; T_NAME, T_NUM: as written */
	double num;             /* T_NUM */
	int depth;
	int failed;
	struct expr_error *err;
};

static void fail_at(struct lexer *lx, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_at(struct lexer *lx, size_t off, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	int line, col;

	if (lx->failed)
		return;
	lx->failed = 1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	expr_position(lx->src, (int)off, &line, &col);
	if (lx->err) {
		lx->err->offset = (int)off;
		lx->err->line = line;
		lx->err->col = col;
		snprintf(lx->err->msg, sizeof lx->err->msg, "%s at %d:%d", what, line, col);
	}
}

void expr_position(const char *src, int off, int *line, int *col)
{
	int l = 1, c = 1, i;

	for (i = 0; i < off && src[i]; i++) {
		if (src[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)src[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	/* An offset inside a multibyte character belongs to that character. */
	if (((unsigned char)src[i] & 0xc0) == 0x80 && c > 1)
		c--;
	*line = l;
	*col = c;
}

static int is_name_start(int c) { return isalpha(c) || c == '_'; }
static int is_name_char(int c) { return isalnum(c) || c == '_' || c == '-'; }

size_t expr_scan_name(const char *s)
{
	size_t i = 0, end;

	if (!is_name_start((unsigned char)s[0]))
		return 0;
	while (is_name_char((unsigned char)s[i]))
		i++;
	end = i;
	while (s[i] == '.' && is_name_char((unsigned char)s[i + 1])) {
		i++;
		while (is_name_char((unsigned char)s[i]))
			i++;
		end = i;
	}
	return end;
}

int expr_unquote(const char *s, struct strbuf *out, size_t *end, const char **why)
{
	char q = s[0];
	size_t i = 1;

	for (;;) {
		char c = s[i];

		if (c == q) {
			*end = i + 1;
			strbuf_add(out, "", 0);   /* non-NULL even when empty */
			return 0;
		}
		if (c == '\0' || c == '\n') {
			*end = 0;
			*why = "unterminated string";
			return -1;
		}
		if (c == '\\') {
			char n = s[i + 1];

			switch (n) {
			case '\\': case '\'': case '"':
				strbuf_addc(out, n);
				break;
			case 'n': strbuf_addc(out, '\n'); break;
			case 't': strbuf_addc(out, '\t'); break;
			case 'r': strbuf_addc(out, '\r'); break;
			case '\0': case '\n':
				*end = 0;
				*why = "unterminated string";
				return -1;
			default:
				/* Kept as written: regexes need their backslashes. */
				strbuf_addc(out, '\\');
				strbuf_addc(out, n);
				break;
			}
			i += 2;
			continue;
		}
		strbuf_addc(out, c);
		i++;
	}
}

/* Parse -?[0-9]+(\.[0-9]+)? filling all of s[0..n). Returns 0 and the value,
 * or -1 when s is not exactly a number. Locale-independent, unlike strtod. */
static int number_parse(const char *s, size_t n, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
		1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
		1e19, 1e20, 1e21, 1e22 };
	size_t i = 0, digits = 0, frac = 0;
	double v = 0, div = 1;
	int neg = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n && isdigit((unsigned char)s[i]); i++, digits++)
		v = v * 10 + (s[i] - '0');
	if (!digits)
		return -1;
	if (i < n && s[i] == '.') {
		for (i++; i < n && isdigit((unsigned char)s[i]); i++, frac++)
			v = v * 10 + (s[i] - '0');
		if (!frac)
			return -1;
	}
	if (i != n)
		return -1;
	/* Dividing once by an exact power of ten rounds correctly for up to
	 * 15 significant digits. */
	while (frac > 22) {
		div *= 1e22;
		frac -= 22;
	}
	div *= pow10[frac];
	*out = neg ? -(v / div) : v / div;
	return 0;
}

static void lex_next(struct lexer *lx)
{
	const char *s = lx->src;
	size_t p = lx->pos;
	int c;

	while (p < lx->len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r'))
		p++;
	lx->off = p;
	strbuf_reset(&lx->text);
	if (p >= lx->len) {
		lx->type = T_EOF;
		lx->toklen = 0;
		lx->pos = p;
		return;
	}
	c = (unsigned char)s[p];

	if (is_name_start(c)) {
		size_t n = expr_scan_name(s + p);

		if (s[p + n] == '.') {
			fail_at(lx, p + n + 1, "expected a name after '.'");
			lx->type = T_EOF;
			return;
		}
		strbuf_add(&lx->text, s + p, n);
		lx->type = T_NAME;
		for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
			if (!strcmp(lx->text.buf, keywords[k].word))
				lx->type = keywords[k].type;
		lx->toklen = n;
		lx->pos = p + n;
		return;
	}
	if (isdigit(c) || (c == '-' && isdigit((unsigned char)s[p + 1]))) {
		size_t q = p + 1;

		while (isdigit((unsigned char)s[q]) || s[q] == '.' || is_name_char((unsigned char)s[q]))
			q++;
		if (number_parse(s + p, q - p, &lx->num) < 0) {
			fail_at(lx, p, "bad number '%.*s'", (int)(q - p > 40 ? 40 : q - p), s + p);
			lx->type = T_EOF;
			return;
		}
		strbuf_add(&lx->text, s + p, q - p);
		lx->type = T_NUM;
		lx->toklen = q - p;
		lx->pos = q;
		return;
	}
	if (c == '\'' || c == '"') {
		size_t end;
		const char *why;

		if (expr_unquote(s + p, &lx->text, &end, &why) < 0) {
			fail_at(lx, p + end, "%s", why);
			lx->type = T_EOF;
			return;
		}
		lx->type = T_STR;
		lx->toklen = end;
		lx->pos = p + end;
		return;
	}

	/* Operators and punctuation, longest first; entries with a hint are
	 * common slips, reported with what was meant. */
	{
		static const struct {
			const char *spell;
			int type;
			const char *hint;
		} ops[] = {
			{ "!~*", T_NIMATCH, NULL },
			{ "==", T_EQ, NULL }, { "!=", T_NE, NULL }, { "<=", T_LE, NULL },
			{ ">=", T_GE, NULL }, { "&&", T_AND, NULL }, { "||", T_OR, NULL },
			{ "~*", T_IMATCH, NULL }, { "!~", T_NMATCH, NULL },
			{ "=<", 0, "<=" }, { "=>", 0, ">=" }, { "=~", 0, "~" },
			{ "=!", 0, "!=" }, { "<>", 0, "!=" },
			{ "<", T_LT, NULL }, { ">", T_GT, NULL }, { "~", T_MATCH, NULL },
			{ "!", T_NOT, NULL }, { "(", T_LPAREN, NULL }, { ")", T_RPAREN, NULL },
			{ "[", T_LBRACK, NULL }, { "]", T_RBRACK, NULL }, { ",", T_COMMA, NULL },
			{ "=", 0, "==" }, { "&", 0, "&&" }, { "|", 0, "||" },
		};

		for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
			size_t n = strlen(ops[k].spell);

			if (strncmp(s + p, ops[k].spell, n))
				continue;
			if (ops[k].hint) {
				fail_at(lx, p, "unknown operator '%s' (did you mean '%s'?)",
					ops[k].spell, ops[k].hint);
				lx->type = T_EOF;
				return;
			}
			lx->type = ops[k].type;
			lx->toklen = n;
			lx->pos = p + n;
			return;
		}
	}
	if (c > 0x20 && c < 0x7f) {
		fail_at(lx, p, "unexpected character '%c'", c);
	} else {
		unsigned cp;

		if (utf8_decode(s + p, lx->len - p, &cp) && cp >= 0x80)
			fail_at(lx, p, "unexpected character U+%04X (names are ASCII)", cp);
		else
			fail_at(lx, p, "unexpected byte 0x%02x", c);
	}
	lx->type = T_EOF;
}

/* Describe the current token for "unexpected ..." messages. */
static void fail_unexpected(struct lexer *lx, const char *expected)
{
	const char *t = tok_spell[lx->type];
	int n = (int)(lx->toklen > 40 ? 40 : lx->toklen);

	if (lx->type == T_EOF)
		fail_at(lx, lx->off, "expected %s, found end of expression", expected);
	else if (lx->type == T_NAME || lx->type == T_NUM)
		fail_at(lx, lx->off, "expected %s, found %s '%.*s'", expected, t, n, lx->src + lx->off);
	else if (lx->type == T_STR)
		fail_at(lx, lx->off, "expected %s, found a string", expected);
	else
		fail_at(lx, lx->off, "expected %s, found '%s'", expected, t);
}

/* ---- tree ---- */

enum operand_kind { OPND_FIELD, OPND_LIT };

struct operand {
	int kind;
	int offset;
	char *text;             /* field name, or the literal as written for to_string */
	struct expr_value lit;  /* OPND_LIT; lit.str points into strval */
	char *strval;
	int rank;               /* string literal naming a severity: its rank; else -1 */
	int numeric;            /* string literal that looks like a number */
	double strnum;
	int is_null;            /* the literal null */
};

enum node_kind { N_OPERAND, N_CMP, N_MATCH, N_IN, N_NOT, N_AND, N_OR };

struct node {
	int kind;
	int op;                 /* N_CMP: tok type; N_MATCH: tok type; N_IN: negated */
	struct operand a, b;    /* N_OPERAND: a; N_CMP: a b; N_MATCH, N_IN: a */
	regex_t re;             /* N_MATCH */
	int has_re;
	struct operand *list;   /* N_IN */
	int nlist;
	int in_field;           /* N_IN: `x in FIELD` (b): a member of its list */
	char *cidr;             /* N_IN: `x in 'NET/BITS'` */
	struct node **kids;     /* N_NOT: 1; N_AND, N_OR: nkids */
	int nkids;
};

struct expr {
	struct node *root;
};

static void operand_clear(struct operand *o)
{
	free(o->text);
	free(o->strval);
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	operand_clear(&n->a);
	operand_clear(&n->b);
	if (n->has_re)
		regfree(&n->re);
	for (int i = 0; i < n->nlist; i++)
		operand_clear(&n->list[i]);
	free(n->list);
	free(n->cidr);
	for (int i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n);
}

static struct node *node_new(int kind)
{
	struct node *n = xcalloc(1, sizeof *n);

	n->kind = kind;
	return n;
}

static void node_add_kid(struct node *n, struct node *kid)
{
	n->kids = xrealloc(n->kids, (size_t)(n->nkids + 1) * sizeof *n->kids);
	n->kids[n->nkids++] = kid;
}

/* ---- parser ---- */

static struct node *parse_or(struct lexer *lx);

static int is_literal(int t)
{
	return t == T_STR || t == T_NUM || t == T_TRUE || t == T_FALSE || t == T_NULL;
}

/* Take the current token (a name or literal) as an operand. */
static void operand_take(struct lexer *lx, struct operand *o)
{
	memset(o, 0, sizeof *o);
	o->offset = (int)lx->off;
	o->rank = -1;
	o->kind = lx->type == T_NAME ? OPND_FIELD : OPND_LIT;
	switch (lx->type) {
	case T_NAME:
		o->text = xstrdup(lx->text.buf);
		break;
	case T_STR:
		o->strval = xstrdup(strbuf_str(&lx->text));
		expr_value_set_str(&o->lit, o->strval);
		o->rank = severity_parse(o->strval);
		o->numeric = number_parse(o->strval, strlen(o->strval), &o->strnum) == 0;
		break;
	case T_NUM:
		o->text = xstrdup(lx->text.buf);
		expr_value_set_num(&o->lit, lx->num);
		break;
	case T_TRUE:
	case T_FALSE:
		expr_value_set_bool(&o->lit, lx->type == T_TRUE);
		break;
	default:
		o->lit.type = EXPR_NULL;
		o->is_null = 1;
		break;
	}
	lex_next(lx);
}

static struct node *parse_in_list(struct lexer *lx, struct node *n)
{
	/* `x in alert.raw.rule.groups`: a member of the list a field holds. */
	if (lx->type == T_NAME) {
		n->in_field = 1;
		operand_take(lx, &n->b);
		return n;
	}
	/* `x in '10.0.0.0/8'`: an address in a network. */
	if (lx->type == T_STR) {
		if (!ip_cidr_valid(strbuf_str(&lx->text))) {
			fail_at(lx, lx->off, "'in' takes a list, a field or a network ('10.0.0.0/8')");
			return NULL;
		}
		n->cidr = xstrdup(strbuf_str(&lx->text));
		lex_next(lx);
		return n;
	}
	if (lx->type != T_LBRACK) {
		fail_unexpected(lx, "'[', a field or a network after 'in'");
		return NULL;
	}
	lex_next(lx);
	while (lx->type != T_RBRACK) {
		if (!is_literal(lx->type)) {
			fail_unexpected(lx, "a string, number, true, false or null in the list");
			return NULL;
		}
		n->list = xrealloc(n->list, (size_t)(n->nlist + 1) * sizeof *n->list);
		operand_take(lx, &n->list[n->nlist++]);
		if (lx->type == T_COMMA)
			lex_next(lx);
		else if (lx->type != T_RBRACK) {
			fail_unexpected(lx, "',' or ']'");
			return NULL;
		}
	}
	lex_next(lx);
	return n;
}

/* glibc's regcomp copies a group once per repetition (`x{3}` is three
 * copies of x, `x+` two), so stacked or nested repetitions grow it
 * exponentially: 45 bytes of `a+++...` take gigabytes. And regexec's work
 * per input byte grows with the number of copies that can be active at once
 * (`(.{1,255}){39}` takes minutes on 64 KiB). Before compiling, estimate
 * the compiled size the way glibc builds it and refuse what is too large;
 * also refuse back-references (exponential matching), stacked repetitions
 * (`.****` is slow to compile and means nothing more than `.*`) and deep
 * group nesting (glibc parses groups recursively). */
#define REGEX_MAX_COST  2000
#define REGEX_MAX_DEPTH 32
#define REGEX_MAX_DUP   255     /* POSIX's RE_DUP_MAX minimum */

const char *expr_regex_check(const char *p)
{
	double total[REGEX_MAX_DEPTH + 1], last[REGEX_MAX_DEPTH + 1];
	int top = 0, repeated = 0;

	total[0] = last[0] = 0;
	for (size_t i = 0; p[i]; i++) {
		double mult = 0;
		int was_repeated = repeated;

		repeated = 0;
		switch (p[i]) {
		case '\\':
			if (p[i + 1] >= '1' && p[i + 1] <= '9')
				return "back-references are not supported";
			if (p[i + 1])
				i++;
			last[top] = 1;
			break;
		case '[':
			/* Skip the bracket expression: `[]a]`, `[^]a]`, `[[:alpha:]]`. */
			i++;
			if (p[i] == '^')
				i++;
			if (p[i] == ']')
				i++;
			while (p[i] && p[i] != ']') {
				if (p[i] == '[' && (p[i + 1] == ':' || p[i + 1] == '=' || p[i + 1] == '.')) {
					char close = p[i + 1];

					for (i += 2; p[i] && !(p[i] == close && p[i + 1] == ']'); i++)
						;
					if (p[i])
						i++;
				}
				if (p[i])
					i++;
			}
			if (!p[i])
				return NULL;    /* unterminated: regcomp says so */
			last[top] = 1;
			break;
		case '(':
			if (top == REGEX_MAX_DEPTH)
				return "groups nested too deep";
			top++;
			total[top] = last[top] = 0;
			continue;
		case ')':
			if (top == 0) {
				last[top] = 1;
				break;
			}
			top--;
			last[top] = total[top + 1] > 1 ? total[top + 1] : 1;
			break;
		case '|':
			last[top] = 0;
			continue;
		case '*':
		case '?':
			mult = 1;
			break;
		case '+':
			mult = 2;
			break;
		case '{': {
			size_t j = i + 1;
			double m = 0, n = -1;

			while (p[j] >= '0' && p[j] <= '9' && m < 1e6)
				m = m * 10 + (p[j++] - '0');
			if (p[j] == ',') {
				j++;
				if (p[j] >= '0' && p[j] <= '9')
					for (n = 0; p[j] >= '0' && p[j] <= '9' && n < 1e6; )
						n = n * 10 + (p[j++] - '0');
				else
					n = m + 1;
			}
			if (p[j] != '}') {
				last[top] = 1;  /* not an interval: count a literal '{' */
				break;
			}
			if (m > REGEX_MAX_DUP || n > REGEX_MAX_DUP)
				return "repetition count over 255";
			mult = n > m ? n : m > 1 ? m : 1;
			i = j;
			break;
		}
		default:
			last[top] = 1;
			break;
		}
		if (mult && was_repeated)
			return "a repetition follows another (like a** or a+?): use a group";
		if (mult) {
			repeated = 1;
			/* The repeated atom was counted once; add the copies. */
			total[top] += last[top] * (mult - 1);
			last[top] *= mult;
		} else {
			total[top] += last[top];
		}
		if (total[top] > REGEX_MAX_COST || last[top] > REGEX_MAX_COST)
			return "too large once repetitions are expanded";
	}
	return NULL;
}

static struct node *parse_match(struct lexer *lx, struct node *n)
{
	char buf[160];
	const char *why;
	int flags = REG_EXTENDED | REG_NOSUB, rc;
	size_t at = lx->off;

	if (lx->type != T_STR) {
		fail_unexpected(lx, "a string literal (the regex) after '~'");
		return NULL;
	}
	if (n->op == T_IMATCH || n->op == T_NIMATCH)
		flags |= REG_ICASE;
	operand_take(lx, &n->b);
	why = expr_regex_check(n->b.strval);
	if (why) {
		fail_at(lx, at, "bad regex: %s", why);
		return NULL;
	}
	rc = regcomp(&n->re, n->b.strval, flags);
	if (rc) {
		regerror(rc, &n->re, buf, sizeof buf);
		fail_at(lx, at, "bad regex: %s", buf);
		return NULL;
	}
	n->has_re = 1;
	return n;
}

/* test := "(" expr ")" | operand [ op operand | matchop string | [not] in list ] */
static struct node *parse_test(struct lexer *lx)
{
	struct node *n;

	if (lx->type == T_LPAREN) {
		if (++lx->depth > EXPR_MAX_DEPTH) {
			fail_at(lx, lx->off, "nesting too deep (more than %d levels)", EXPR_MAX_DEPTH);
			return NULL;
		}
		lex_next(lx);
		n = parse_or(lx);
		if (!n)
			return NULL;
		if (lx->type != T_RPAREN) {
			fail_unexpected(lx, "')'");
			node_free(n);
			return NULL;
		}
		lex_next(lx);
		lx->depth--;
		return n;
	}
	if (lx->type != T_NAME && !is_literal(lx->type)) {
		fail_unexpected(lx, "a name, a value or '('");
		return NULL;
	}
	n = node_new(N_OPERAND);
	operand_take(lx, &n->a);
	switch (lx->type) {
	case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE:
		n->kind = N_CMP;
		n->op = lx->type;
		lex_next(lx);
		if (lx->type != T_NAME && !is_literal(lx->type)) {
			fail_unexpected(lx, "a name or a value");
			break;
		}
		operand_take(lx, &n->b);
		return n;
	case T_MATCH: case T_IMATCH: case T_NMATCH: case T_NIMATCH:
		n->kind = N_MATCH;
		n->op = lx->type;
		lex_next(lx);
		if (parse_match(lx, n))
			return n;
		break;
	case T_NOT:
		lex_next(lx);
		if (lx->type != T_IN) {
			fail_unexpected(lx, "'in' after 'not'");
			break;
		}
		n->op = 1;
		/* fall through */
	case T_IN:
		n->kind = N_IN;
		lex_next(lx);
		if (parse_in_list(lx, n))
			return n;
		break;
	default:
		return n;
	}
	node_free(n);
	return NULL;
}

static struct node *parse_not(struct lexer *lx)
{
	struct node *n, *kid;

	if (lx->type != T_NOT)
		return parse_test(lx);
	if (++lx->depth > EXPR_MAX_DEPTH) {
		fail_at(lx, lx->off, "nesting too deep (more than %d levels)", EXPR_MAX_DEPTH);
		return NULL;
	}
	lex_next(lx);
	kid = parse_not(lx);
	if (!kid)
		return NULL;
	lx->depth--;
	n = node_new(N_NOT);
	node_add_kid(n, kid);
	return n;
}

/* and/or: left-associative chains become one n-ary node. */
static struct node *parse_chain(struct lexer *lx, int tok, int kind,
	struct node *(*sub)(struct lexer *))
{
	struct node *first = sub(lx), *n;

	if (!first || lx->type != tok)
		return first;
	n = node_new(kind);
	node_add_kid(n, first);
	while (lx->type == tok) {
		struct node *kid;

		lex_next(lx);
		kid = sub(lx);
		if (!kid) {
			node_free(n);
			return NULL;
		}
		node_add_kid(n, kid);
	}
	return n;
}

static struct node *parse_and(struct lexer *lx)
{
	return parse_chain(lx, T_AND, N_AND, parse_not);
}

static struct node *parse_or(struct lexer *lx)
{
	return parse_chain(lx, T_OR, N_OR, parse_and);
}

struct expr *expr_parse(const char *src, struct expr_error *err)
{
	struct lexer lx = { 0 };
	struct node *root = NULL;
	struct expr *e;

	if (err) {
		memset(err, 0, sizeof *err);
	}
	lx.src = src ? src : "";
	lx.err = err;
	lx.len = strlen(lx.src);
	if (lx.len > EXPR_MAX_LEN) {
		fail_at(&lx, EXPR_MAX_LEN, "expression too long (more than %d bytes)", EXPR_MAX_LEN);
		return NULL;
	}
	lex_next(&lx);
	if (lx.type == T_EOF && !lx.failed)
		fail_at(&lx, lx.off, "empty expression");
	else if (!lx.failed)
		root = parse_or(&lx);
	if (root && !lx.failed && lx.type != T_EOF) {
		if (lx.type == T_NAME || is_literal(lx.type) || lx.type == T_LPAREN || lx.type == T_NOT)
			fail_unexpected(&lx, "'&&', '||' or the end");
		else
			fail_unexpected(&lx, "the end");
	}
	strbuf_free(&lx.text);
	if (lx.failed) {
		node_free(root);
		return NULL;
	}
	e = xmalloc(sizeof *e);
	e->root = root;
	return e;
}

void expr_free(struct expr **e)
{
	if (!e || !*e)
		return;
	node_free((*e)->root);
	free(*e);
	*e = NULL;
}

/* ---- evaluation ---- */

/* A value under comparison, with what is worked out about it on demand. */
struct rval {
	struct expr_value v;
	int rank;               /* severity rank, -1 none, -2 not yet known */
	int numeric;            /* -1 not yet known */
	double strnum;
	int is_null_lit;
};

/* Outcome of comparing two values. */
enum { ORD_LT = -1, ORD_EQ = 0, ORD_GT = 1, ORD_NE, ORD_SAME };

static void rval_load(struct rval *r, const struct operand *o, expr_lookup_fn fn, void *ctx)
{
	if (o->kind == OPND_LIT) {
		r->v = o->lit;
		r->rank = o->rank;
		r->numeric = o->numeric;
		r->strnum = o->strnum;
		r->is_null_lit = o->is_null;
		return;
	}
	r->rank = -2;
	r->numeric = -1;
	r->is_null_lit = 0;
	if (!fn || fn(ctx, o->text, &r->v) != 0)
		r->v.type = EXPR_NULL;
	switch (r->v.type) {
	case EXPR_STR:
		if (!r->v.str)
			r->v.type = EXPR_NULL;
		break;
	case EXPR_NUM:
	case EXPR_BOOL:
		break;
	default:
		r->v.type = EXPR_NULL;
	}
}

static int rval_rank(struct rval *r)
{
	if (r->v.type != EXPR_STR)
		return -1;
	if (r->rank == -2) {
		size_t n = strnlen(r->v.str, 9);

		/* Only 3..8 byte strings can name a severity. */
		r->rank = n >= 3 && n <= 8 ? severity_parse(r->v.str) : -1;
	}
	return r->rank;
}

static int rval_strnum(struct rval *r, double *out)
{
	if (r->numeric < 0)
		r->numeric = number_parse(r->v.str, strlen(r->v.str), &r->strnum) == 0;
	*out = r->strnum;
	return r->numeric;
}

static int ord_num(double a, double b)
{
	return a < b ? ORD_LT : a > b ? ORD_GT : a == b ? ORD_EQ : ORD_NE;
}

static int ord_bool_str(int b, const char *s)
{
	if (!strcmp(s, "true"))
		return b ? ORD_SAME : ORD_NE;
	if (!strcmp(s, "false"))
		return b ? ORD_NE : ORD_SAME;
	return ORD_NE;
}

static int rval_order(struct rval *a, struct rval *b)
{
	enum expr_type ta = a->v.type, tb = b->v.type;
	double x;

	if (ta == EXPR_NULL || tb == EXPR_NULL)
		return ta == tb && (a->is_null_lit || b->is_null_lit) ? ORD_SAME : ORD_NE;
	if (ta == EXPR_STR || tb == EXPR_STR) {
		int ra = rval_rank(a), rb = rval_rank(b);

		if (ra >= 0 || rb >= 0)
			return ra >= 0 && rb >= 0 ? ord_num(ra, rb) : ORD_NE;
	}
	if (ta == EXPR_NUM && tb == EXPR_NUM)
		return ord_num(a->v.num, b->v.num);
	if (ta == EXPR_NUM && tb == EXPR_STR)
		return rval_strnum(b, &x) ? ord_num(a->v.num, x) : ORD_NE;
	if (ta == EXPR_STR && tb == EXPR_NUM)
		return rval_strnum(a, &x) ? ord_num(x, b->v.num) : ORD_NE;
	if (ta == EXPR_STR && tb == EXPR_STR) {
		int c = strcmp(a->v.str, b->v.str);

		return c < 0 ? ORD_LT : c > 0 ? ORD_GT : ORD_EQ;
	}
	if (ta == EXPR_BOOL && tb == EXPR_BOOL)
		return a->v.boolean == b->v.boolean ? ORD_SAME : ORD_NE;
	if (ta == EXPR_BOOL && tb == EXPR_STR)
		return ord_bool_str(a->v.boolean, b->v.str);
	if (ta == EXPR_STR && tb == EXPR_BOOL)
		return ord_bool_str(b->v.boolean, a->v.str);
	return ORD_NE;
}

static int ord_holds(int ord, int op)
{
	switch (op) {
	case T_EQ: return ord == ORD_EQ || ord == ORD_SAME;
	case T_NE: return !(ord == ORD_EQ || ord == ORD_SAME);
	case T_LT: return ord == ORD_LT;
	case T_LE: return ord == ORD_LT || ord == ORD_EQ;
	case T_GT: return ord == ORD_GT;
	case T_GE: return ord == ORD_GT || ord == ORD_EQ;
	}
	return 0;
}

static int value_truthy(const struct expr_value *v)
{
	switch (v->type) {
	case EXPR_BOOL: return v->boolean;
	case EXPR_NUM: return v->num == v->num && v->num != 0;
	case EXPR_STR: return v->str[0] != '\0';
	default: return 0;
	}
}

/* Is a a member of the list field b holds (a JSON array, as the lookups
 * give arrays)? A field that holds no list is a list of one. */
static int in_field_list(struct rval *a, const struct operand *b, expr_lookup_fn fn, void *ctx)
{
	struct rval list, m;
	struct jdoc d;
	int hit = 0, r;

	rval_load(&list, b, fn, ctx);
	if (list.v.type != EXPR_STR || list.v.str[0] != '[') {
		r = rval_order(a, &list);
		return list.v.type != EXPR_NULL && (r == ORD_EQ || r == ORD_SAME);
	}
	jdoc_init(&d);
	if (!jdoc_parse(&d, list.v.str, strlen(list.v.str), NULL) && jdoc_type(&d, 0) == JD_ARRAY)
		for (int e = jdoc_first(&d, 0); e >= 0 && !hit; e = jdoc_next(&d, 0, e)) {
			double num;
			memset(&m, 0, sizeof m);
			m.rank = -2;
			m.numeric = -1;
			if (jdoc_type(&d, e) == JD_STRING)
				expr_value_set_str(&m.v, jdoc_str(&d, e));
			else if (jdoc_type(&d, e) == JD_NUMBER && !jdoc_double(&d, e, &num))
				expr_value_set_num(&m.v, num);
			else if (jdoc_type(&d, e) == JD_TRUE || jdoc_type(&d, e) == JD_FALSE)
				expr_value_set_bool(&m.v, jdoc_type(&d, e) == JD_TRUE);
			else
				continue;
			r = rval_order(a, &m);
			hit = r == ORD_EQ || r == ORD_SAME;
		}
	jdoc_free(&d);
	return hit;
}

static int node_eval(const struct node *n, expr_lookup_fn fn, void *ctx)
{
	struct rval a, b;
	char buf[32];
	const char *text;

	switch (n->kind) {
	case N_AND:
		for (int i = 0; i < n->nkids; i++)
			if (!node_eval(n->kids[i], fn, ctx))
				return 0;
		return 1;
	case N_OR:
		for (int i = 0; i < n->nkids; i++)
			if (node_eval(n->kids[i], fn, ctx))
				return 1;
		return 0;
	case N_NOT:
		return !node_eval(n->kids[0], fn, ctx);
	case N_OPERAND:
		rval_load(&a, &n->a, fn, ctx);
		return value_truthy(&a.v);
	case N_CMP:
		rval_load(&a, &n->a, fn, ctx);
		rval_load(&b, &n->b, fn, ctx);
		return ord_holds(rval_order(&a, &b), n->op);
	case N_MATCH:
		rval_load(&a, &n->a, fn, ctx);
		text = expr_value_text(&a.v, buf, sizeof buf);
		if (!text)
			return n->op == T_NMATCH || n->op == T_NIMATCH;
		return (regexec(&n->re, text, 0, NULL, 0) == 0) ==
			(n->op == T_MATCH || n->op == T_IMATCH);
	case N_IN:
		rval_load(&a, &n->a, fn, ctx);
		if (n->cidr)
			return ip_in_cidr(expr_value_text(&a.v, buf, sizeof buf), n->cidr) != n->op;
		if (n->in_field)
			return in_field_list(&a, &n->b, fn, ctx) != n->op;
		for (int i = 0; i < n->nlist; i++) {
			int r;

			rval_load(&b, &n->list[i], fn, ctx);
			r = rval_order(&a, &b);
			if (r == ORD_EQ || r == ORD_SAME)
				return !n->op;
		}
		return n->op;
	}
	return 0;
}

int expr_eval(const struct expr *e, expr_lookup_fn fn, void *ctx)
{
	if (!e)
		return 1;
	return node_eval(e->root, fn, ctx);
}

const char *expr_value_text(const struct expr_value *v, char *buf, size_t n)
{
	char tmp[40];
	size_t o = 0;

	switch (v->type) {
	case EXPR_STR:
		return v->str;
	case EXPR_BOOL:
		return v->boolean ? "true" : "false";
	case EXPR_NUM:
		break;
	default:
		return NULL;
	}
	if (isnan(v->num))
		return "nan";
	if (isinf(v->num))
		return v->num < 0 ? "-inf" : "inf";
	if (fabs(v->num) < 1e15 && v->num == (double)(long long)v->num) {
		snprintf(buf, n, "%lld", (long long)v->num);
		return buf;
	}
	/* %g writes the locale's decimal point: make it '.'. */
	snprintf(tmp, sizeof tmp, "%.15g", v->num);
	for (size_t i = 0; tmp[i] && o + 1 < n; ) {
		if (isdigit((unsigned char)tmp[i]) || tmp[i] == '-' || tmp[i] == '+' || tmp[i] == 'e') {
			buf[o++] = tmp[i++];
			continue;
		}
		buf[o++] = '.';
		while (tmp[i] && !isdigit((unsigned char)tmp[i]))
			i++;
	}
	if (n)
		buf[o < n ? o : n - 1] = '\0';
	return buf;
}

/* ---- walking ---- */

static void operand_each_var(const struct operand *o, expr_var_fn fn, void *arg)
{
	if (o->kind == OPND_FIELD && o->text)
		fn(o->text, o->offset, arg);
}

static void node_each_var(const struct node *n, expr_var_fn fn, void *arg)
{
	operand_each_var(&n->a, fn, arg);
	if (n->kind == N_CMP || (n->kind == N_IN && n->in_field))
		operand_each_var(&n->b, fn, arg);
	for (int i = 0; i < n->nkids; i++)
		node_each_var(n->kids[i], fn, arg);
}

void expr_each_var(const struct expr *e, expr_var_fn fn, void *arg)
{
	if (e && fn)
		node_each_var(e->root, fn, arg);
}

/* The operator read the other way round: `1 < x` is `x > 1`. */
static const char *op_mirrored(int op)
{
	switch (op) {
	case T_LT: return tok_spell[T_GT];
	case T_LE: return tok_spell[T_GE];
	case T_GT: return tok_spell[T_LT];
	case T_GE: return tok_spell[T_LE];
	}
	return tok_spell[op];
}

static void node_each_cmp(const struct node *n, expr_cmp_fn fn, void *arg)
{
	struct expr_cmp c;

	if (n->kind == N_CMP && n->a.kind != n->b.kind) {
		int field_left = n->a.kind == OPND_FIELD;
		const struct operand *f = field_left ? &n->a : &n->b, *l = field_left ? &n->b : &n->a;
		c.field = f->text;
		c.op = field_left ? tok_spell[n->op] : op_mirrored(n->op);
		c.value = &l->lit;
		c.offset = l->offset;
		fn(&c, arg);
	} else if (n->kind == N_IN && n->a.kind == OPND_FIELD) {
		for (int i = 0; i < n->nlist; i++) {
			c.field = n->a.text;
			c.op = tok_spell[T_IN];
			c.value = &n->list[i].lit;
			c.offset = n->list[i].offset;
			fn(&c, arg);
		}
	}
	for (int i = 0; i < n->nkids; i++)
		node_each_cmp(n->kids[i], fn, arg);
}

void expr_each_cmp(const struct expr *e, expr_cmp_fn fn, void *arg)
{
	if (e && fn)
		node_each_cmp(e->root, fn, arg);
}

static void quote_string(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '\'');
	for (; *s; s++) {
		switch (*s) {
		case '\'': strbuf_puts(sb, "\\'"); break;
		case '\n': strbuf_puts(sb, "\\n"); break;
		case '\t': strbuf_puts(sb, "\\t"); break;
		case '\r': strbuf_puts(sb, "\\r"); break;
		case '\\': strbuf_puts(sb, "\\\\"); break;
		default: strbuf_addc(sb, *s); break;
		}
	}
	strbuf_addc(sb, '\'');
}

static void operand_print(struct strbuf *sb, const struct operand *o)
{
	if (o->kind == OPND_FIELD || o->lit.type == EXPR_NUM)
		strbuf_puts(sb, o->text);
	else if (o->lit.type == EXPR_STR)
		quote_string(sb, o->strval);
	else if (o->lit.type == EXPR_BOOL)
		strbuf_puts(sb, o->lit.boolean ? "true" : "false");
	else
		strbuf_puts(sb, "null");
}

static void node_print(struct strbuf *sb, const struct node *n)
{
	switch (n->kind) {
	case N_AND:
	case N_OR:
		strbuf_addc(sb, '(');
		for (int i = 0; i < n->nkids; i++) {
			if (i)
				strbuf_puts(sb, n->kind == N_AND ? " && " : " || ");
			node_print(sb, n->kids[i]);
		}
		strbuf_addc(sb, ')');
		break;
	case N_NOT:
		/* `!` applies to a whole comparison, so no parentheses needed. */
		strbuf_addc(sb, '!');
		node_print(sb, n->kids[0]);
		break;
	case N_OPERAND:
		operand_print(sb, &n->a);
		break;
	case N_CMP:
	case N_MATCH:
		operand_print(sb, &n->a);
		strbuf_printf(sb, " %s ", tok_spell[n->op]);
		operand_print(sb, &n->b);
		break;
	case N_IN:
		operand_print(sb, &n->a);
		if (n->in_field || n->cidr) {
			strbuf_puts(sb, n->op ? " not in " : " in ");
			if (n->cidr)
				quote_string(sb, n->cidr);
			else
				operand_print(sb, &n->b);
			break;
		}
		strbuf_puts(sb, n->op ? " not in [" : " in [");
		for (int i = 0; i < n->nlist; i++) {
			if (i)
				strbuf_puts(sb, ", ");
			operand_print(sb, &n->list[i]);
		}
		strbuf_addc(sb, ']');
		break;
	}
}

char *expr_to_string(const struct expr *e)
{
	struct strbuf sb = STRBUF_INIT;

	if (e)
		node_print(&sb, e->root);
	return strbuf_detach(&sb);
}

/* ---- views ---- */

static void operand_view(const struct operand *o, struct expr_operand_view *out)
{
	out->field = o->kind == OPND_FIELD ? o->text : NULL;
	out->lit = &o->lit;
}

static void node_view(const struct node *n, struct expr_view *out)
{
	static const int kinds[] = { [N_OPERAND] = EXPR_K_OPERAND, [N_CMP] = EXPR_K_CMP,
		[N_MATCH] = EXPR_K_MATCH, [N_IN] = EXPR_K_IN, [N_NOT] = EXPR_K_NOT,
		[N_AND] = EXPR_K_AND, [N_OR] = EXPR_K_OR };

	memset(out, 0, sizeof *out);
	out->kind = kinds[n->kind];
	out->node = n;
	out->nkids = n->nkids;
	if (n->kind == N_CMP || n->kind == N_MATCH)
		out->op = tok_spell[n->op];
	else if (n->kind == N_IN) {
		out->op = n->op ? "not in" : "in";
		out->nlist = n->nlist;
	}
	if (n->kind == N_OPERAND || n->kind == N_CMP || n->kind == N_MATCH || n->kind == N_IN)
		operand_view(&n->a, &out->a);
	if (n->kind == N_CMP || n->kind == N_MATCH)
		operand_view(&n->b, &out->b);
}

void expr_view_root(const struct expr *e, struct expr_view *out)
{
	node_view(e->root, out);
}

void expr_view_kid(const struct expr_view *v, int i, struct expr_view *out)
{
	node_view(((const struct node *)v->node)->kids[i], out);
}

void expr_view_item(const struct expr_view *v, int i, struct expr_operand_view *out)
{
	operand_view(&((const struct node *)v->node)->list[i], out);
}
