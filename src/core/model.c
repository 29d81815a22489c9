/* model.c: vocabulary tables, priorities and keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irk/model.h"

#define X_NAME3(e, n, h) n,
#define X_HELP3(e, n, h) h,
#define X_NAME2(e, n) n,
static const char *const stage_names[] = { IRK_STAGES(X_NAME3) };
static const char *const stage_titles[] = { IRK_STAGES(X_HELP3) };
static const char *const severity_names[] = { IRK_SEVERITIES(X_NAME3) };
static const char *const resolution_names[] = { IRK_RESOLUTIONS(X_NAME3) };
static const char *const role_names[] = { IRK_ROLES(X_NAME3) };
static const char *const role_helps[] = { IRK_ROLES(X_HELP3) };
static const char *const obs_names[] = { IRK_OBS_TYPES(X_NAME2) };
static const char *const step_state_names[] = { IRK_STEP_STATES(X_NAME2) };
#undef X_NAME3
#undef X_HELP3
#undef X_NAME2

#define NAMEOF(tab, i) ((i) >= 0 && (size_t)(i) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[i] : "?")

static int lookup(const char *const *tab, int n, const char *s)
{
	if (!s || !*s)
		return -1;
	for (int i = 0; i < n; i++)
		if (!strcasecmp(tab[i], s))
			return i;
	return -1;
}

const char *stage_name(int s) { return NAMEOF(stage_names, s); }
const char *stage_title(int s) { return NAMEOF(stage_titles, s); }
const char *severity_name(int s) { return NAMEOF(severity_names, s); }
const char *resolution_name(int r) { return NAMEOF(resolution_names, r); }
const char *role_name(int r) { return NAMEOF(role_names, r); }
const char *role_help(int r) { return NAMEOF(role_helps, r); }
const char *obs_type_name(int t) { return NAMEOF(obs_names, t); }
const char *step_state_name(int s) { return NAMEOF(step_state_names, s); }

int stage_parse(const char *s)
{
	int r = lookup(stage_names, STAGE_COUNT, s);

	if (r < 0 && s && (!strcasecmp(s, "lessons") || !strcasecmp(s, "lessons_learned")))
		r = STAGE_LESSONS;
	return r;
}

int severity_parse(const char *s) { return lookup(severity_names, SEV_COUNT, s); }
int resolution_parse(const char *s) { return lookup(resolution_names, RES_COUNT, s); }
int role_parse(const char *s) { return lookup(role_names, ROLE_COUNT, s); }
int obs_type_parse(const char *s) { return lookup(obs_names, OBS_COUNT, s); }
int step_state_parse(const char *s) { return lookup(step_state_names, STEP_STATE_COUNT, s); }

int priority_compute(int severity, int asset_criticality, int confidence)
{
	int crit = asset_criticality >= 1 && asset_criticality <= 4 ? asset_criticality : 2;
	int conf = confidence < 0 ? 0 : confidence > 100 ? 100 : confidence;
	int sev = severity < 0 ? 0 : severity >= SEV_COUNT ? SEV_COUNT - 1 : severity;
	/* score * 100, in integers: (sev+1) * crit * (50 + conf) */
	int score = (sev + 1) * crit * (50 + conf);

	if (score >= 800)
		return 1;
	if (score >= 500)
		return 2;
	if (score >= 250)
		return 3;
	return 4;
}

/* By hand, not snprintf: every line of a list or board has a key. */
char *incident_key(int64_t id, char *buf, unsigned n)
{
	char t[32], *p = t + sizeof t;
	uint64_t v = id < 0 ? 0 - (uint64_t)id : (uint64_t)id;
	size_t len;

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (id < 0)
		*--p = '-';
	memcpy(p -= 3, "IR-", 3);
	len = (size_t)(t + sizeof t - 1 - p);
	if (n) {
		len = len < n - 1 ? len : n - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
	}
	return buf;
}

int64_t incident_key_parse(const char *key)
{
	const char *p = key;
	char *end;
	long long v;

	if (!p)
		return 0;
	if ((p[0] == 'I' || p[0] == 'i') && (p[1] == 'R' || p[1] == 'r') && p[2] == '-')
		p += 3;
	if (*p < '1' || *p > '9')
		return 0;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (*end || v <= 0 || errno == ERANGE)
		return 0;
	return v;
}

void incident_clear(struct incident *inc)
{
	for (const struct field_def *f = incident_fields; f->name; f++)
		if (field_kind_storage(f->kind) == FST_TEXT)
			free(*incident_field_text(inc, f));
	*inc = (struct incident){ 0 };
}
