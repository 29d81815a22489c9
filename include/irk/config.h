/* config.h: irk.conf (INI: [section], key = value, # comments).
 *
 * One table (config.c) lists every known key with its default and help; it
 * drives parsing, defaults and `irk config show`. Unknown keys are errors
 * that name FILE:LINE. Sections [keys] and [mapping] hold free-form keys. */
#ifndef IRK_CONFIG_H
#define IRK_CONFIG_H

#include <stdint.h>
#include "irk/err.h"
#include "irk/alert.h"
#include "irk/strbuf.h"

struct config;

/* Defaults only. Caller frees with config_free(). */
struct config *config_new(void);
void config_free(struct config **c);

/* Read a file into c. A missing file is not an error when optional is set.
 * Errors name "FILE:LINE: reason". A file holding secrets ([xmpp] password,
 * [context.*] token) must not be group or world readable: refused. */
int config_load(struct config *c, const char *path, int optional, struct irk_err *err);

/* The value of section.key ("ingest.window"), or NULL when unknown and not
 * set. Borrowed until the config is freed. */
const char *config_get(const struct config *c, const char *key);
int64_t config_get_int(const struct config *c, const char *key, int64_t def);
/* Set a value (command-line overrides). Validated as config_load does. */
int config_set(struct config *c, const char *key, const char *value, struct irk_err *err);

/* The generic JSON field mapping from [mapping]; NULL when none is configured. */
const struct alert_mapping *config_mapping(const struct config *c);

/* Free-form keys of a section ("keys"), in file order: calls fn for each,
 * with where it was set ("FILE:LINE", for messages; NULL when it did not
 * come from a file). */
void config_each(const struct config *c, const char *section,
		void (*fn)(const char *key, const char *value, const char *where, void *arg),
		void *arg);

/* Every known key with its current value, as `key = value  # help` lines.
 * Secrets show as "(set)". */
void config_dump(const struct config *c, struct strbuf *out);

/* Default config path: $XDG_CONFIG_HOME/irk/irk.conf or ~/.config/irk/irk.conf,
 * into buf. Returns buf. */
char *config_default_path(char *buf, size_t n);

#endif
