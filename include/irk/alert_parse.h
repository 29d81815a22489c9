/* alert_parse.h: the per-format parsers that fill a struct alert
 * (src/ingest/alert_parse.c and parse_*.c; the model is irk/alert.h).
 *
 * A parser reads one JSON record, already validated and laid out by jdoc
 * (the root is token 0), and fills a struct alert. String fields are
 * borrowed: they point into the jdoc (valid until its next parse) or into
 * the alert's own scratch space (valid until alert_reset()), so the caller
 * keeps both alive until the alert is stored. Nothing here touches the
 * database. */
#ifndef IRK_ALERT_PARSE_H
#define IRK_ALERT_PARSE_H

#include <stddef.h>
#include "irk/alert.h"
#include "irk/err.h"
#include "irk/jdoc.h"
#include "irk/sensor.h"

/* Why a record in no known format is refused (alert_parse(), ingest):
 * what to do about it, in words any front end can show; the command line
 * adds its option (--format). */
#define ALERT_UNRECOGNISED "not a recognised alert (EVE, Wazuh, ECS, Zeek notice); " \
	"name its format, or describe it in a [mapping] in irk.conf"

/* Guess the format of a record: FMT_EVE, FMT_WAZUH, FMT_ECS, FMT_ZEEK (a
 * notice, or any other Zeek log: alert_parse() skips those), or FMT_JSON
 * when a mapping is configured (map != NULL), else -1. */
int alert_detect(const struct jdoc *root, const struct alert_mapping *map);

/* Fill *a from root in the given format (FMT_AUTO detects it first; a
 * record nothing recognises is refused). raw/raw_len are kept as the
 * record, even on a refusal. Returns IRK_OK; IRK_SKIPPED for a record of
 * the format that is not an alert (an EVE event_type other than "alert",
 * an ECS event.kind other than "alert" or "signal", a Zeek log other than
 * notice), with what it is in err ("event_type is 'flow', not 'alert'"),
 * a->format set and nothing else read; or IRK_INVALID with a reason
 * naming the field ("no usable time in field 'timestamp'"). map is only
 * used for FMT_JSON. alert_reset() leaves severity medium ("we could not
 * tell") and format FMT_AUTO. */
int alert_parse(int format, const struct jdoc *root, const char *raw, size_t raw_len,
		const struct alert_mapping *map, struct alert *a,
		struct irk_err *err);

/* The per-format parsers behind alert_parse(); same contract. */
int alert_parse_eve(const struct jdoc *root, struct alert *a, struct irk_err *err);
int alert_parse_wazuh(const struct jdoc *root, struct alert *a, struct irk_err *err);
int alert_parse_ecs(const struct jdoc *root, struct alert *a, struct irk_err *err);
int alert_parse_zeek(const struct jdoc *root, struct alert *a, struct irk_err *err);
int alert_parse_json(const struct jdoc *root, const struct alert_mapping *map,
		struct alert *a, struct irk_err *err);

/* Read a record alert_parse() skipped (IRK_SKIPPED) as a sensor event
 * (irk/sensor.h) when its type is one keep asks for (a mask of
 * SENSOR_BIT()): Suricata EVE records by event_type, Zeek logs as their
 * EVE kin (conn as flow, ssl as tls, files as fileinfo, weird as
 * anomaly). Returns IRK_OK with *e filled (strings borrowed from root,
 * raw kept as the record), IRK_SKIPPED when the type is not kept (or the
 * format has none: ECS, Wazuh, generic JSON), or IRK_INVALID when a
 * record to keep has no usable time. */
int sensor_parse(int format, const struct jdoc *root, const char *raw, size_t raw_len,
		unsigned keep, struct sensor_event *e, struct irk_err *err);

/* Helpers for parsers (the model's own are in irk/alert.h). */
/* Look up a dotted path ("rule.id"; "id.orig_h" tries the literal key
 * first) from the root. The token, or -1. */
int alert_json_path(const struct jdoc *root, const char *path);
/* The same from token node. */
int alert_json_path_at(const struct jdoc *root, int node, const char *path);
/* The string form of a scalar at path (numbers are formatted into scratch),
 * or NULL when missing, null, or not a scalar. */
const char *alert_json_str(struct alert *a, const struct jdoc *root, const char *path);

#endif
