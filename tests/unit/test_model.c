/* test_model.c: vocabularies, the priority table, incident keys and the
 * settable fields (src/core/model.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "irk/model.h"

Test(model, names_round_trip)
{
	for (int s = 0; s < STAGE_COUNT; s++)
		cr_assert_eq(stage_parse(stage_name(s)), s);
	for (int s = 0; s < SEV_COUNT; s++)
		cr_assert_eq(severity_parse(severity_name(s)), s);
	for (int r = RES_NONE + 1; r < RES_COUNT; r++)
		cr_assert_eq(resolution_parse(resolution_name(r)), r);
	for (int r = 0; r < ROLE_COUNT; r++)
		cr_assert_eq(role_parse(role_name(r)), r);
	for (int t = 0; t < OBS_COUNT; t++)
		cr_assert_eq(obs_type_parse(obs_type_name(t)), t);
	for (int s = 0; s < STEP_STATE_COUNT; s++)
		cr_assert_eq(step_state_parse(step_state_name(s)), s);
	cr_assert_str_eq(stage_name(STAGE_LESSONS), "lessons-learned");
	cr_assert_str_eq(stage_title(STAGE_CONTAINMENT), "Containment");
	cr_assert_str_eq(severity_name(SEV_CRITICAL), "critical");
	cr_assert_str_eq(resolution_name(RES_FALSE_POSITIVE), "false-positive");
	cr_assert_str_eq(step_state_name(STEP_WAITING), "waiting");
}

Test(model, parsing_is_forgiving_only_where_documented)
{
	cr_assert_eq(stage_parse("CONTAINMENT"), STAGE_CONTAINMENT);
	cr_assert_eq(stage_parse("lessons"), STAGE_LESSONS);
	cr_assert_eq(stage_parse("Lessons_Learned"), STAGE_LESSONS);
	cr_assert_eq(stage_parse("contain"), -1);
	cr_assert_eq(stage_parse(""), -1);
	cr_assert_eq(stage_parse(NULL), -1);
	cr_assert_eq(severity_parse("High"), SEV_HIGH);
	cr_assert_eq(severity_parse("severe"), -1);
	cr_assert_eq(resolution_parse(""), -1, "the empty resolution is not a choice");
	cr_assert_eq(resolution_parse("fp"), -1);
	cr_assert_eq(role_parse("root"), -1);
	cr_assert_eq(obs_type_parse("ipv4"), -1);
}

Test(model, out_of_range_names_are_question_marks)
{
	cr_assert_str_eq(stage_name(-1), "?");
	cr_assert_str_eq(stage_name(STAGE_COUNT), "?");
	cr_assert_str_eq(severity_name(SEV_COUNT), "?");
	cr_assert_str_eq(role_help(ROLE_COUNT), "?");
	cr_assert_str_eq(obs_type_name(-5), "?");
}

Test(model, priority_table)
{
	/* score = (sev+1) * crit * (50 + conf) / 100: P1 >= 8, P2 >= 5, P3 >= 2.5 */
	static const struct { int sev, crit, conf, want; } rows[] = {
		{ SEV_CRITICAL, 4, 80, 1 },    /* the comment's P1 */
		{ SEV_HIGH, 4, 80, 1 },
		{ SEV_LOW, 1, 50, 4 },         /* the comment's P4 */
		{ SEV_LOW, 2, 50, 4 },         /* score 2 */
		{ SEV_MEDIUM, 2, 50, 3 },      /* score 4 */
		{ SEV_HIGH, 2, 50, 2 },        /* score 6 */
		{ SEV_CRITICAL, 2, 50, 1 },    /* score 8 exactly */
		{ SEV_HIGH, 4, 17, 1 },        /* 3*4*67 = 804 */
		{ SEV_HIGH, 4, 16, 2 },        /* 3*4*66 = 792 */
		{ SEV_MEDIUM, 1, 75, 3 },      /* 2*1*125 = 250: exactly P3 */
		{ SEV_MEDIUM, 1, 74, 4 },      /* 248 */
		{ SEV_LOW, 4, 75, 2 },         /* 1*4*125 = 500: exactly P2 */
		{ SEV_LOW, 4, 0, 4 },          /* 1*4*50 = 200 */
		{ SEV_CRITICAL, 1, 0, 4 },     /* 4*1*50 = 200 */
		{ SEV_CRITICAL, 1, 100, 2 },   /* 4*1*150 = 600 */
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		cr_assert_eq(priority_compute(rows[i].sev, rows[i].crit, rows[i].conf), rows[i].want,
			     "row %zu: %s crit %d conf %d", i, severity_name(rows[i].sev),
			     rows[i].crit, rows[i].conf);
}

Test(model, priority_edges)
{
	/* unknown criticality counts as 2 */
	for (int sev = 0; sev < SEV_COUNT; sev++)
		for (int conf = 0; conf <= 100; conf += 5)
			cr_assert_eq(priority_compute(sev, 0, conf), priority_compute(sev, 2, conf));
	/* confidence is clamped to 0..100, severity to its range */
	cr_assert_eq(priority_compute(SEV_HIGH, 3, 500), priority_compute(SEV_HIGH, 3, 100));
	cr_assert_eq(priority_compute(SEV_HIGH, 3, -20), priority_compute(SEV_HIGH, 3, 0));
	cr_assert_eq(priority_compute(99, 3, 50), priority_compute(SEV_CRITICAL, 3, 50));
	cr_assert_eq(priority_compute(-3, 3, 50), priority_compute(SEV_LOW, 3, 50));
	/* more severe, more critical, more certain: never less urgent */
	for (int sev = 0; sev < SEV_COUNT; sev++)
		for (int crit = 1; crit <= 4; crit++)
			for (int conf = 0; conf <= 100; conf++) {
				int p = priority_compute(sev, crit, conf);
				cr_assert(p >= 1 && p <= 4);
				if (sev + 1 < SEV_COUNT)
					cr_assert_leq(priority_compute(sev + 1, crit, conf), p);
				if (crit < 4)
					cr_assert_leq(priority_compute(sev, crit + 1, conf), p);
				if (conf < 100)
					cr_assert_leq(priority_compute(sev, crit, conf + 1), p);
			}
}

Test(model, incident_keys)
{
	char buf[24];

	cr_assert_str_eq(incident_key(42, buf, sizeof buf), "IR-42");
	cr_assert_str_eq(incident_key(9223372036854775807LL, buf, sizeof buf),
			 "IR-9223372036854775807");
	cr_assert_str_eq(incident_key(0, buf, sizeof buf), "IR-0");
	cr_assert_str_eq(incident_key(INT64_MIN, buf, sizeof buf), "IR--9223372036854775808");
	cr_assert_str_eq(incident_key(12345, buf, 6), "IR-12", "cut like snprintf");
	cr_assert_eq(incident_key_parse("IR-42"), 42);
	cr_assert_eq(incident_key_parse("ir-42"), 42);
	cr_assert_eq(incident_key_parse("iR-7"), 7);
	cr_assert_eq(incident_key_parse("42"), 42);
	cr_assert_eq(incident_key_parse("IR-9223372036854775807"), INT64_MAX);
	static const char *const bad[] = { "IR-0", "IR-", "IR-42x", "IR42", "-1", "", "IR-042",
		"IR- 4", " 42", "IR-+4", "IR--4", "IR-99999999999999999999", "XR-4", "4.0" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(incident_key_parse(bad[i]), 0, "'%s' accepted", bad[i]);
	cr_assert_eq(incident_key_parse(NULL), 0);
}

Test(model, settable_fields)
{
	const struct field_def *f;

	cr_assert_not_null(f = incident_field_find("business-unit"));
	cr_assert_str_eq(f->name, "business_unit");
	cr_assert_eq(incident_field_find("BUSINESS_UNIT"), f);
	cr_assert_eq(incident_field_find("severity")->kind, FK_SEVERITY);
	cr_assert_eq(incident_field_find("priority")->kind, FK_PRIORITY);
	cr_assert_eq(incident_field_find("confidence")->kind, FK_CONFIDENCE);
	cr_assert_eq(incident_field_find("asset-criticality")->kind, FK_CRITICALITY);
	cr_assert_eq(incident_field_find("owner")->kind, FK_USER);
	cr_assert_eq(incident_field_find("effort")->kind, FK_INT);
	cr_assert_null(incident_field_find("stage"), "stage changes go through move");
	cr_assert_null(incident_field_find("resolution"));
	cr_assert_null(incident_field_find("version"));
	cr_assert_null(incident_field_find(""));
	cr_assert_null(incident_field_find(NULL));
	char longname[200];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	memcpy(longname, "title", 5);
	cr_assert_null(incident_field_find(longname));
	int n = 0;
	for (f = incident_fields; f->name; f++)
		if (f->set != SET_NONE) {
			cr_assert_eq(incident_field_find(f->name), f);
			n++;
		}
	cr_assert_eq(n, 13);
}

Test(model, incident_clear_frees_and_zeroes)
{
	struct incident inc = { 0 };

	inc.id = 5;
	inc.title = strdup("t");
	inc.owner = strdup("alice");
	inc.updated_by = strdup("bob");
	inc.version = 3;
	incident_clear(&inc);
	cr_assert_null(inc.title);
	cr_assert_null(inc.owner);
	cr_assert_eq(inc.id, 0);
	cr_assert_eq(inc.version, 0);
	incident_clear(&inc);
}
