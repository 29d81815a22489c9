/* expr.h: the one expression language (play `match`, step `when`, board
 * query filters).
 *
 * SYNTAX
 *   expr     := or
 *   or       := and { ("||" | "or") and }
 *   and      := not { ("&&" | "and") not }
 *   not      := ("!" | "not") not | test
 *   test     := "(" expr ")"
 *             | operand [ cmpop operand
 *                       | matchop string
 *                       | ["not"] "in" ( "[" [literal {"," literal} [","]] "]"
 *                                      | name | network ) ]
 *   cmpop    := "==" | "!=" | "<" | "<=" | ">" | ">="
 *   matchop  := "~" | "~*" | "!~" | "!~*"
 *   operand  := name | literal
 *   literal  := string | number | "true" | "false" | "null"
 *
 *   Precedence, loosest first: `||`, `&&`, `!`, comparison. `!` applies to a
 *   whole comparison: `!rule == 'x'` means `!(rule == 'x')`.
 *   Whitespace (spaces, tabs, newlines) separates tokens; an expression may
 *   span several lines.
 *
 *   name     a field: segments joined by dots, `alert.host`,
 *            `steps.sampling.output.count`. The first segment starts with a
 *            letter or `_`; segments hold letters, digits, `_` and `-`
 *            (`steps.check-host.output.ok`). Names are case-sensitive. The
 *            words and, or, not, in, true, false, null are reserved.
 *   string   'single' or "double" quoted, on one line. Escapes: \\ \' \" \n
 *            \t \r. Any other backslash is kept as it is, so regexes read
 *            naturally: '\.exe$' is the pattern \.exe$ ('\\.exe$' too). A
 *            regex matching one backslash is \\, written '\\\\'.
 *   number   -?[0-9]+(\.[0-9]+)? : 42, -1, 0.5 (no exponent, no leading '.').
 *
 * VALUES
 *   A field is a string, a number, a bool, or missing. The lookup callback
 *   decides; JSON null counts as missing.
 *
 * COMPARISON (== != < <= > >=), in this order:
 *   1. Missing: a comparison with a missing field is false, except `!=` which
 *      is true. The literal null tests presence: `x == null` is true when x
 *      is missing, `x != null` when it is present. Two missing fields are
 *      not equal to each other.
 *   2. Severity: when either side is a severity name (low, medium, high,
 *      critical; any case), both compare by rank, low < medium < high <
 *      critical: `severity >= 'high'` holds for high and critical. If the other
 *      side is not a severity name the two are unequal and unordered
 *      (`==` and ordering false, `!=` true).
 *   3. Number with number: numerically. Number with a string that looks like
 *      a number ("42", "-0.5"): numerically. Number with any other string:
 *      unequal and unordered.
 *   4. String with string: bytewise (`<` is lexicographic by byte, case
 *      matters). "10" < "9" as strings: write 9 without quotes to compare
 *      numerically.
 *   5. Bool with bool, or with the string "true"/"false": equal or not;
 *      ordering is false. Anything else: unequal and unordered.
 *
 * REGEX (~ ~* !~ !~*)
 *   `x ~ 'pattern'` is a POSIX extended regex search (unanchored: use ^ and $
 *   to anchor); `~*` ignores case; `!~` and `!~*` are the negations. The
 *   right side must be a string literal: it is compiled once, when the
 *   expression is parsed, and a bad pattern is a parse error. A number or
 *   bool on the left is matched in its text form (42, 0.5, true); a missing
 *   field never matches (`!~` is then true). To keep matching fast whatever
 *   the pattern, a regex is refused when it uses back-references (\1),
 *   repetition counts over 255, groups nested over 32 deep, or grows past
 *   2000 positions once repetitions are expanded (`(ab){3}` is 6, `x+` is 2
 *   copies of x): "bad regex: too large once repetitions are expanded".
 *
 * MEMBERSHIP (in, not in)
 *   `x in [a, b, c]` is `x == a || x == b || x == c` with the rules above;
 *   the list holds literals only. `x not in [...]` is its negation.
 *   `x in FIELD`: x equals a member of the list the field holds (a JSON
 *   array, as lookups give arrays: `'ssh' in alert.raw.rule.groups`); a
 *   field holding one value is a list of one, a missing one an empty list.
 *   `x in 'NET/BITS'` (a network, checked when parsing): x is an address
 *   in it (`alert.src_ip in '10.0.0.0/8'`, IPv6 too); anything else is not.
 *
 * CONDITIONS
 *   A lone operand used as a condition (`steps.check.output.found`, `!flag`)
 *   is true when it is a true bool, a nonzero number or a non-empty string;
 *   missing is false.
 *
 * Evaluation is total: it never fails, and allocates only to read the list
 * a field holds (`x in FIELD`). Errors are found
 * when parsing, with a line and column (columns count UTF-8 characters,
 * from 1). Limits: 64 KiB of source, 64 levels of nesting (parentheses and
 * negations).
 */
#ifndef IRK_EXPR_H
#define IRK_EXPR_H

#include <stddef.h>

#include "irk/strbuf.h"

#define EXPR_MAX_LEN   65536
#define EXPR_MAX_DEPTH 64

enum expr_type {
	EXPR_NULL = 0,  /* missing, or JSON null */
	EXPR_STR,
	EXPR_NUM,
	EXPR_BOOL,
};

/* A field value, filled in by a lookup callback. Nothing is copied: str is
 * borrowed and must stay valid, NUL-terminated, until expr_eval() returns
 * (for templates: until the next lookup call). A STR with str == NULL
 * counts as missing. */
struct expr_value {
	enum expr_type type;
	const char *str;    /* EXPR_STR */
	double num;         /* EXPR_NUM */
	int boolean;        /* EXPR_BOOL: 0 or 1 */
};

static inline void expr_value_set_str(struct expr_value *v, const char *s)
{
	v->type = s ? EXPR_STR : EXPR_NULL;
	v->str = s;
}

static inline void expr_value_set_num(struct expr_value *v, double n)
{
	v->type = EXPR_NUM;
	v->num = n;
}

static inline void expr_value_set_bool(struct expr_value *v, int b)
{
	v->type = EXPR_BOOL;
	v->boolean = !!b;
}

/* Look up the field `name` (dotted, NUL-terminated) in ctx. Return 0 and
 * fill *out when the field exists; return nonzero when it does not (*out is
 * then ignored). Called during expr_eval()/tmpl_expand() only, once per
 * field occurrence that evaluation needs. Must not call back into the
 * expression being evaluated. */
typedef int (*expr_lookup_fn)(void *ctx, const char *name, struct expr_value *out);

/* Called once per field occurrence, in source order, with the field's name
 * and the byte offset where it starts in the source. */
typedef void (*expr_var_fn)(const char *name, int offset, void *arg);

/* Where and why parsing failed. msg is complete and printable as is
 * ("expected ')' at 1:14"); offset, line and col locate the problem (line and
 * col from 1, col in UTF-8 characters). msg quotes source text only in
 * printable ASCII. */
struct expr_error {
	int offset;
	int line, col;
	char msg[256];
};

struct expr;

/* Parse and compile src (NUL-terminated). Returns a new expression (caller
 * frees with expr_free), or NULL with *err filled (err may be NULL). Never
 * crashes on any input; rejects source over EXPR_MAX_LEN bytes and nesting
 * over EXPR_MAX_DEPTH. */
struct expr *expr_parse(const char *src, struct expr_error *err);

/* Evaluate e: 1 when it holds, 0 when not. fn may be NULL (every field is
 * missing). e == NULL holds (an absent `when`). No failure;
 * safe to call from several threads at once on the same expression. */
int expr_eval(const struct expr *e, expr_lookup_fn fn, void *ctx);

/* Free e and set *e to NULL. NULL and *e == NULL are fine. */
void expr_free(struct expr **e);

/* Call fn for every field occurrence in e, in source order (for `irk play
 * lint`: report unknown fields at their position). name is borrowed from e. */
void expr_each_var(const struct expr *e, expr_var_fn fn, void *arg);

/* One comparison of a field with a literal (for expr_each_cmp). */
struct expr_cmp {
	const char *field;              /* the field's name, borrowed from e */
	const char *op;                 /* "==" "!=" "<" "<=" ">" ">=" read with the field
	                                 * on the left (`'high' <= severity` comes as
	                                 * severity >= 'high'); "in" for each member of an
	                                 * `in` or `not in` list */
	const struct expr_value *value; /* the literal (EXPR_NULL for null), borrowed */
	int offset;                     /* byte offset of the literal in the source */
};

typedef void (*expr_cmp_fn)(const struct expr_cmp *c, void *arg);

/* Call fn for every comparison (== != < <= > >=) of a field with a
 * literal and for every member of a field's `in` list, in source order
 * (for checks of the values a field can take: the board refuses
 * `severity >= 'hihg'`). Comparisons of two fields or of two literals,
 * regex matches and lone conditions are not reported. */
void expr_each_cmp(const struct expr *e, expr_cmp_fn fn, void *arg);

/* The expression in canonical form: every `&&` and `||` group in
 * parentheses, `!` without, strings in single quotes: `(a || (b && c))`,
 * `!x == 1`. Parsing it again gives the same expression (unless the added
 * parentheses pass EXPR_MAX_DEPTH). For tests and debugging. Caller frees. */
char *expr_to_string(const struct expr *e);

/* The text form of a value: the string itself (borrowed from v), or the
 * number or bool formatted into buf (locale-independent: 42, -0.5, 1e+20,
 * true). NULL for a missing value. buf should hold 32 bytes. */
const char *expr_value_text(const struct expr_value *v, char *buf, size_t n);

/* Shared lexical rules, for templates and lint. */

/* Length of the longest valid field name at the start of s (0 if s does not
 * start with one). A trailing '.' is not part of the name. */
size_t expr_scan_name(const char *s);

/* Decode the quoted string literal that starts at s[0] (' or ") into out
 * (appended). On success returns 0 and sets *end to the offset just past the
 * closing quote. On error returns -1, sets *end to the offset of the problem
 * and *why to a static message ("unterminated string"). */
int expr_unquote(const char *s, struct strbuf *out, size_t *end, const char **why);

/* Line and column (from 1; column in UTF-8 characters) of byte offset off in
 * src. An offset past the end is clamped. */
void expr_position(const char *src, int off, int *line, int *col);

/* A read-only view of a parsed expression's tree, for compilers: the query
 * engine (irk/query.h) turns the parts it can into SQL. Views borrow from
 * the expression. */
enum expr_kind {
	EXPR_K_OPERAND,         /* a lone operand used as a condition: a */
	EXPR_K_CMP,             /* a op b */
	EXPR_K_MATCH,           /* a op 'regex' (b is the pattern) */
	EXPR_K_IN,              /* a in [...] (op "in" or "not in") */
	EXPR_K_NOT,             /* !kid 0 */
	EXPR_K_AND,             /* kids, all */
	EXPR_K_OR,              /* kids, any */
};

struct expr_operand_view {
	const char *field;              /* a field's name, or NULL for a literal */
	const struct expr_value *lit;   /* the literal (EXPR_NULL for null) */
};

struct expr_view {
	int kind;                       /* enum expr_kind */
	const char *op;                 /* "==" "!=" "<" "<=" ">" ">=" "~" "~*" "!~" "!~*"
	                                 * "in" "not in"; NULL otherwise */
	struct expr_operand_view a, b;
	int nkids;                      /* NOT, AND, OR */
	int nlist;                      /* IN: members, literals */
	const void *node;
};

/* The view of e's root (e must not be NULL). */
void expr_view_root(const struct expr *e, struct expr_view *out);
/* The view of kid i of v (0 <= i < v->nkids). */
void expr_view_kid(const struct expr_view *v, int i, struct expr_view *out);
/* Member i of an `in` list (0 <= i < v->nlist). */
void expr_view_item(const struct expr_view *v, int i, struct expr_operand_view *out);

/* Why the POSIX extended regex p is refused before compiling (the limits
 * of REGEX above), or NULL when it may be compiled. */
const char *expr_regex_check(const char *p);

#endif
