/* template.h: `{{field | filter}}` expansion inside one string (an argv
 * element, a notify text, a URL, an ansible var).
 *
 * SYNTAX
 *   Text is copied as it is, except for `{{ VALUE { | FILTER } }}`, where
 *   VALUE is either
 *     - a field name, the same as in expressions (see expr.h):
 *       `{{alert.host}}`, `{{ incident.key }}`, `{{steps.ID.output.FIELD}}`;
 *       replaced by the field's value;
 *     - a string literal, copied as it is: `{{'{{'}}` writes a literal `{{`.
 *   Whitespace (spaces, tabs, newlines) may surround what is inside the
 *   braces. There is no other escape: a backslash is an ordinary character,
 *   a lone `{` or `}}` is text. A `{{` with no closing `}}` is a parse error
 *   with its line and column.
 *
 * FILTERS, applied left to right (FILTER is a name, or a name and one
 * literal argument in parentheses, a string or a number):
 *   default(V)   V when the value is missing, null or the empty string
 *   lower, upper ASCII letters to lower or upper case
 *   join(SEP)    a list (a JSON array, as array fields are given) as its
 *                items' text joined by SEP (", " without one); anything
 *                else as it is
 *   len          the number of items of a list, else of characters (UTF-8)
 *                of the value's text
 *   json         the value as JSON: a string quoted, a number or bool as
 *                it is, a list or object as its JSON
 *   A missing value passes through every filter but default; an unknown
 *   filter or a wrong argument count is a parse error at the filter's name.
 *
 * EXPANSION
 *   A string value is inserted byte for byte; a number in its text form (42,
 *   0.5); a bool as true or false. The value is never expanded again, never
 *   quoted, never split: the exec runner passes each expanded argv element as
 *   exactly one argument, so `$(touch x); rm -rf /` stays one harmless
 *   string. A field that does not exist, or is null, is an error naming it:
 *   a template never expands silently to nothing.
 */
#ifndef IRK_TEMPLATE_H
#define IRK_TEMPLATE_H

#include "irk/err.h"
#include "irk/expr.h"
#include "irk/strbuf.h"

#define TMPL_MAX_LEN EXPR_MAX_LEN

struct tmpl;

/* Parse src (NUL-terminated, at most TMPL_MAX_LEN bytes). Returns a new
 * template (caller frees with tmpl_free), or NULL with *err filled (err may
 * be NULL): "unterminated '{{' at 2:7". Never crashes on any input. */
struct tmpl *tmpl_parse(const char *src, struct expr_error *err);

/* Append the expansion of t to out, looking fields up with fn(ctx) (fn may
 * be NULL when the template is constant). Returns IRK_OK; or IRK_NOTFOUND
 * when a field is missing or null, with err naming it ("unknown field
 * 'alert.hots' at 1:3" or "field 'x' is null at 1:3"); out is then left as
 * it was. */
int tmpl_expand(const struct tmpl *t, expr_lookup_fn fn, void *ctx,
	struct strbuf *out, struct irk_err *err);

/* Parse and expand src in one go: the expansion (caller frees), or NULL
 * with err filled (IRK_INVALID for a parse error, IRK_NOTFOUND as above). */
char *tmpl_render(const char *src, expr_lookup_fn fn, void *ctx, struct irk_err *err);

/* Like tmpl_expand, but a missing value is written in place as
 * "[missing: NAME]" and the rest still expands (for instructions and
 * checklists a person reads). Returns how many were missing. */
int tmpl_expand_marked(const struct tmpl *t, expr_lookup_fn fn, void *ctx, struct strbuf *out);

/* Parse and expand src with missing values marked (tmpl_expand_marked);
 * a src that does not parse comes back as it is. Caller frees; *missing
 * (may be NULL) gets the count of missing values. */
char *tmpl_render_marked(const char *src, expr_lookup_fn fn, void *ctx, int *missing);

/* Nonzero when t is one `{{...}}` (blanks around it aside) whose last
 * filter is json: its expansion
 * is a JSON value to insert as it is (a number in an http body stays a
 * number), not a string. */
int tmpl_is_json(const struct tmpl *t);

/* tmpl_is_json of the template src (0 when it does not parse). */
int tmpl_src_is_json(const char *src);

/* Nonzero when the field at source offset offset (as tmpl_each_var gives
 * it) has a default filter. */
int tmpl_var_defaulted(const struct tmpl *t, int offset);

/* Call fn for every field in t, in source order, with its name (borrowed
 * from t) and the byte offset of the name in the source (for lint). */
void tmpl_each_var(const struct tmpl *t, expr_var_fn fn, void *arg);

/* Nonzero when t uses no field (its expansion never needs a lookup). */
int tmpl_is_constant(const struct tmpl *t);

/* Free t and set *t to NULL. NULL and *t == NULL are fine. */
void tmpl_free(struct tmpl **t);

#endif
