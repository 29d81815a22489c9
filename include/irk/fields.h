/* fields.h: the incident's fields, written down once.
 *
 * INCIDENT_FIELDS(X) is the one list of what an incident holds. Each row is
 *
 *   X(name, kind, ctype, member, column, set, help)
 *
 *   name    the one name of the field everywhere: `irk set NAME=`, the --json
 *           key (times inside "times"), `incident.NAME` in plays, `NAME` in a
 *           board filter and, later, in queries
 *   kind    how it is stored, shown, parsed and checked (FK_ below)
 *   ctype   its C type in struct incident (checked against the kind)
 *   member  its member of struct incident
 *   column  its column of the incidents table
 *   set     who may change it: HOLDER (`irk set` and a play's set step, by
 *           the incident's holder or a senior) or NONE (only the lifecycle:
 *           move, close, claim, ingest)
 *   help    one line for `irk set` and the manuals
 *
 * From it come struct incident (model.h), the SQL column lists and bindings
 * (src/store/), the --json object, `irk set` parsing and checks
 * (src/incident/), and the one field table of the expression language
 * (plays, the board filter). A new field is one row here (and a column in
 * the schema's migration); every place above follows, and
 * tests/unit/test_tui_fields.c checks it round-trips through all of them.
 *
 * Order: the --json order (after "key"), the order of `irk set`'s list and
 * of the store's columns; id comes first and version last (the store's
 * writes bind every other one). */
#ifndef IRK_FIELDS_H
#define IRK_FIELDS_H

#include <stddef.h>
#include <stdint.h>


#define INCIDENT_FIELDS(X) \
	X(id,                ID,          int64_t, id,                "id",                NONE,   "the number of its key (IR-42 is 42)") \
	X(title,             TITLE,       char *,  title,             "title",             HOLDER, "one-line title") \
	X(summary,           PROSE,       char *,  summary,           "summary",           HOLDER, "what happened, in a few sentences") \
	X(stage,             STAGE,       int,     stage,             "stage",             NONE,   "lifecycle stage (irk move, irk close)") \
	X(severity,          SEVERITY,    int,     severity,          "severity",          HOLDER, "low, medium, high or critical") \
	X(priority,          PRIORITY,    int,     priority,          "priority",          HOLDER, "P1..P4 (1..4); recomputed when severity, confidence or criticality change unless set") \
	X(confidence,        CONFIDENCE,  int,     confidence,        "confidence",        HOLDER, "0..100, how sure we are that it is real") \
	X(asset_criticality, CRITICALITY, int,     asset_criticality, "asset_criticality", HOLDER, "1 (low) .. 4 (critical) for the affected asset; 0 unknown") \
	X(category,          TEXT,        char *,  category,          "category",          HOLDER, "malware, phishing, intrusion, dos, data-loss, policy...") \
	X(vector,            TEXT,        char *,  vector,            "vector",            HOLDER, "how it got in: email, web, removable-media, credentials...") \
	X(threat_source,     TEXT,        char *,  threat_source,     "threat_source",     HOLDER, "who or what: criminal, insider, nation-state, unknown...") \
	X(root_cause,        TEXT,        char *,  root_cause,        "root_cause",        HOLDER, "why it was possible") \
	X(business_unit,     TEXT,        char *,  business_unit,     "business_unit",     HOLDER, "the affected part of the organisation") \
	X(owner,             USER,        char *,  owner,             "owner",             HOLDER, "the analyst who holds it (prefer irk claim)") \
	X(play,              TEXT,        char *,  play,              "play",              NONE,   "the play it follows") \
	X(play_version,      TEXT,        char *,  play_version,      "play_version",      NONE,   "the version (content hash) of that play") \
	X(resolution,        RESOLUTION,  int,     resolution,        "resolution",        NONE,   "how it was closed (irk close)") \
	X(rule,              TEXT,        char *,  rule,              "rule",              NONE,   "correlation key: the rule of its first alert") \
	X(host,              TEXT,        char *,  host,              "host",              NONE,   "correlation key: the host of its first alert") \
	X(src_ip,            TEXT,        char *,  src_ip,            "src_ip",            NONE,   "correlation key: the source address of its first alert") \
	X(storm,             FLAG,        int,     storm,             "storm",             NONE,   "true when it gathers an alert storm: one rule's alerts from many hosts (irk split)") \
	X(first_event,       TIME,        int64_t, t_first_event,     "t_first_event",     NONE,   "time of its earliest alert") \
	X(last_event,        TIME,        int64_t, t_last_event,      "t_last_event",      NONE,   "time of its latest alert") \
	X(detected,          TIME,        int64_t, t_detected,        "t_detected",        NONE,   "when irk opened it") \
	X(acknowledged,      TIME,        int64_t, t_acknowledged,    "t_acknowledged",    NONE,   "when someone first took it") \
	X(contained,         TIME,        int64_t, t_contained,       "t_contained",       NONE,   "when it left containment") \
	X(resolved,          TIME,        int64_t, t_resolved,        "t_resolved",        NONE,   "when it reached lessons-learned") \
	X(closed,            TIME,        int64_t, t_closed,          "t_closed",          NONE,   "when it was closed") \
	X(updated,           TIME,        int64_t, t_updated,         "t_updated",         NONE,   "its last change") \
	X(alert_count,       INT,         int,     alert_count,       "alert_count",       NONE,   "alerts correlated into it") \
	X(reopen_count,      INT,         int,     reopen_count,      "reopen_count",      NONE,   "times it was reopened") \
	X(back_moves,        INT,         int,     back_moves,        "back_moves",        NONE,   "moves back to an earlier stage") \
	X(effort_min,        INT,         int,     effort_min,        "effort_min",        HOLDER, "analyst effort so far, in minutes") \
	X(updated_by,        ACTOR,       char *,  updated_by,        "updated_by",        NONE,   "who made the last change") \
	X(version,           VERSION,     int64_t, version,           "version",           NONE,   "changes so far (optimistic concurrency)")

/* Old spellings still read (`irk set effort=`, the board filter's
 * `alerts`): old name, its field. Front ends warn where a script may use
 * them. */
#define INCIDENT_FIELD_ALIASES(X) \
	X("effort",         "effort_min") \
	X("alerts",         "alert_count") \
	X("unit",           "business_unit")

/* The kinds. Storage: text (char *, owned), int, or int64_t. */
enum field_kind {
	FK_KEY,          /* "IR-42": derived from id, not stored */
	FK_ID,           /* int64 */
	FK_TITLE,        /* text, never empty */
	FK_PROSE,        /* text, never NULL (may be "") */
	FK_TEXT,         /* text, NULL when unset */
	FK_USER,         /* text: a user name (owner) */
	FK_ACTOR,        /* text: who wrote the row (bound from the actor) */
	FK_STAGE,        /* int: enum stage, stored by name */
	FK_SEVERITY,     /* int: enum severity, stored by name */
	FK_RESOLUTION,   /* int: enum resolution, stored by name, NULL when none */
	FK_PRIORITY,     /* int 1..4 */
	FK_CONFIDENCE,   /* int 0..100 */
	FK_CRITICALITY,  /* int 1..4, 0 unknown */
	FK_INT,          /* int >= 0 */
	FK_FLAG,         /* int 0 or 1: true or false in --json and expressions */
	FK_TIME,         /* int64 seconds since the epoch, 0 unset (NULL) */
	FK_VERSION,      /* int64 */
};

enum field_set { SET_NONE, SET_HOLDER };

/* How a kind is held in struct incident. */
enum field_storage { FST_NONE, FST_TEXT, FST_INT, FST_INT64 };

/* One row of the table. */
struct field_def {
	const char *name;      /* the one name (see above) */
	int kind;              /* enum field_kind */
	const char *column;    /* NULL for key */
	size_t offset;         /* of its member in struct incident */
	int set;               /* enum field_set */
	const char *help;
};

/* Every field: "key" first, then INCIDENT_FIELDS in order; terminated by
 * {NULL}. */
extern const struct field_def incident_fields[];

struct incident;
struct expr_value;
struct jsonw;

/* The field of a name in an expression: its one name or an old spelling,
 * exactly (expression names are case-sensitive). NULL when none. *alias
 * (may be NULL) is set to 1 when name was an old spelling. */
const struct field_def *incident_field_lookup(const char *name, int *alias);
/* The field `irk set` may change under name as typed: case does not
 * matter, '-' is read as '_' ("Business-Unit"), old spellings are read.
 * NULL when there is none or it is not settable. */
const struct field_def *incident_field_find(const char *name);
/* The field of name as typed (as incident_field_find), settable or not;
 * *alias (may be NULL) is set to 1 when name was an old spelling. */
const struct field_def *incident_field_typed(const char *name, int *alias);
/* How kind k is held. */
enum field_storage field_kind_storage(int k);

/* Members of inc by field (f's storage must match). */
char **incident_field_text(struct incident *inc, const struct field_def *f);
int *incident_field_int(struct incident *inc, const struct field_def *f);
int64_t *incident_field_int64(struct incident *inc, const struct field_def *f);
/* The same, read only (the text borrowed from inc). */
const char *incident_field_get_text(const struct incident *inc, const struct field_def *f);
int incident_field_get_int(const struct incident *inc, const struct field_def *f);
int64_t incident_field_get_int64(const struct incident *inc, const struct field_def *f);

/* The value of field f of inc for an expression (plays, the board filter):
 * text and names as strings, numbers and times (epoch seconds) as numbers.
 * Missing (returns 1): text unset or empty, a time of 0, no resolution.
 * buf (>= 24 bytes) holds the key; out->str borrows from inc or buf. */
int incident_field_value(const struct incident *inc, const struct field_def *f,
			 char *buf, size_t n, struct expr_value *out);

/* Write inc's fields as the members of an open JSON object: the --json
 * form of irk(1) (the times in an object "times"). */
void incident_json(struct jsonw *w, const struct incident *inc);

#endif
