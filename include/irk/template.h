/* template.h: `{{field}}` expansion inside one string (an argv element, a
 * notify text, a URL, an ansible var).
 *
 * SYNTAX
 *   Text is copied as it is, except for `{{ ... }}`, which holds either
 *     - a field name, the same as in expressions (see expr.h):
 *       `{{alert.host}}`, `{{ incident.key }}`, `{{steps.ID.output.FIELD}}`;
 *       replaced by the field's value;
 *     - a string literal, copied as it is: `{{'{{'}}` writes a literal `{{`.
 *   Whitespace (spaces, tabs, newlines) may surround what is inside the
 *   braces. There is no other escape: a backslash is an ordinary character,
 *   a lone `{` or `}}` is text. A `{{` with no closing `}}` is a parse error
 *   with its line and column.
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

/* Call fn for every field in t, in source order, with its name (borrowed
 * from t) and the byte offset of the name in the source (for lint). */
void tmpl_each_var(const struct tmpl *t, expr_var_fn fn, void *arg);

/* Nonzero when t uses no field (its expansion never needs a lookup). */
int tmpl_is_constant(const struct tmpl *t);

/* Free t and set *t to NULL. NULL and *t == NULL are fine. */
void tmpl_free(struct tmpl **t);

#endif
