/* model.h: the domain's vocabularies and the incident record.
 *
 * Every vocabulary is one X-macro, so the enum, its names and its help text
 * can never drift apart. Names are the stable strings used in the database,
 * on the command line and in --json output. */
#ifndef IRK_MODEL_H
#define IRK_MODEL_H

#include <stdint.h>

#include "irk/fields.h"

/* NIST SP 800-61 lifecycle, in order. */
#define IRK_STAGES(X) \
	X(STAGE_NEW,            "new",             "New") \
	X(STAGE_IDENTIFICATION, "identification",  "Identification") \
	X(STAGE_CONTAINMENT,    "containment",     "Containment") \
	X(STAGE_ERADICATION,    "eradication",     "Eradication") \
	X(STAGE_RECOVERY,       "recovery",        "Recovery") \
	X(STAGE_LESSONS,        "lessons-learned", "Lessons learned") \
	X(STAGE_CLOSED,         "closed",          "Closed")

#define IRK_SEVERITIES(X) \
	X(SEV_LOW,      "low",      "Low") \
	X(SEV_MEDIUM,   "medium",   "Medium") \
	X(SEV_HIGH,     "high",     "High") \
	X(SEV_CRITICAL, "critical", "Critical")

#define IRK_RESOLUTIONS(X) \
	X(RES_NONE,           "",               "Unresolved") \
	X(RES_TRUE_POSITIVE,  "true-positive",  "True positive") \
	X(RES_FALSE_POSITIVE, "false-positive", "False positive") \
	X(RES_DUPLICATE,      "duplicate",      "Duplicate") \
	X(RES_BENIGN,         "benign",         "Benign")

#define IRK_ROLES(X) \
	X(ROLE_ANALYST, "analyst", "works the queue") \
	X(ROLE_SENIOR,  "senior",  "authors plays, forces gates, grants approvals") \
	X(ROLE_ADMIN,   "admin",   "manages users; everything a senior can do")

#define IRK_OBS_TYPES(X) \
	X(OBS_IP,      "ip") \
	X(OBS_DOMAIN,  "domain") \
	X(OBS_URL,     "url") \
	X(OBS_HASH,    "hash") \
	X(OBS_HOST,    "host") \
	X(OBS_USER,    "user") \
	X(OBS_EMAIL,   "email") \
	X(OBS_PROCESS, "process")

#define IRK_STEP_STATES(X) \
	X(STEP_PENDING, "pending") \
	X(STEP_READY,   "ready") \
	X(STEP_RUNNING, "running") \
	X(STEP_WAITING, "waiting") \
	X(STEP_DONE,    "done") \
	X(STEP_FAILED,  "failed") \
	X(STEP_SKIPPED, "skipped")

#define X_ENUM3(e, n, h) e,
#define X_ENUM2(e, n) e,
enum stage { IRK_STAGES(X_ENUM3) STAGE_COUNT };
enum severity { IRK_SEVERITIES(X_ENUM3) SEV_COUNT };
enum resolution { IRK_RESOLUTIONS(X_ENUM3) RES_COUNT };
enum role { IRK_ROLES(X_ENUM3) ROLE_COUNT };
enum obs_type { IRK_OBS_TYPES(X_ENUM2) OBS_COUNT };
enum step_state { IRK_STEP_STATES(X_ENUM2) STEP_STATE_COUNT };
#undef X_ENUM3
#undef X_ENUM2

/* Name of a value ("containment"); "?" when out of range. Static strings. */
const char *stage_name(int s);
const char *stage_title(int s);          /* "Containment" */
const char *severity_name(int s);
const char *resolution_name(int r);
const char *role_name(int r);
const char *role_help(int r);
const char *obs_type_name(int t);
const char *step_state_name(int s);

/* Parse a name (case-insensitive); -1 when unknown. */
int stage_parse(const char *s);
int severity_parse(const char *s);
int resolution_parse(const char *s);   /* "" is not accepted */
int role_parse(const char *s);
int obs_type_parse(const char *s);
int step_state_parse(const char *s);

/* Priority 1 (most urgent) .. 4 from severity, asset criticality (1 low ..
 * 4 critical, 0 unknown counts as 2) and confidence 0..100:
 *   score = (sev+1) * crit' * (50 + conf) / 100,  crit' = crit ? crit : 2
 *   P1: score >= 8, P2: >= 5, P3: >= 2.5, else P4.
 * critical/high on an important asset with good confidence is P1;
 * low severity on an unimportant asset is P4. */
int priority_compute(int severity, int asset_criticality, int confidence);

/* The incident key "IR-42" for id 42, into buf (>= 24 bytes). Returns buf. */
char *incident_key(int64_t id, char *buf, unsigned n);
/* Parse "IR-42", "ir-42" or "42"; returns the id, or 0 when malformed. */
int64_t incident_key_parse(const char *key);

/* One incident as stored: one member per row of INCIDENT_FIELDS
 * (fields.h). Strings are owned by the struct (incident_clear frees them);
 * NULL means "not set". */
#define X_MEMBER(name, kind, ctype, member, column, set, help) ctype member;
struct incident {
	INCIDENT_FIELDS(X_MEMBER)
};
#undef X_MEMBER

void incident_clear(struct incident *inc);

#endif
