/* test_tui_incident.c: the incident screen, the raw record pager and the
 * help screen, headless on a real database. */
#include "tui_testlib.h"

#include "irk/incident.h"

/* From tui_internal.h: tested here because it decides what `e` writes. */
int tui_split_assignments(char *buf, char **out, int max);

TestSuite(tui_incident, .fini = fx_fini);

/* Open incident IR-id from the board (the filter finds it). */
static void open_incident(int id)
{
	char key[32];

	snprintf(key, sizeof key, "IR-%d", id);
	fx_key('/');
	fx_keys(key);
	fx_key('\n');
	fx_key('\n');
}

Test(tui_incident, header_fields_and_sections)
{
	fx_db(ROLE_ANALYST);
	fx_start(100, 40);
	open_incident(1);
	assert_screen(" IR-1 · Outbound TLS every 60 s from ws-fin-07");
	assert_screen("Incident");
	assert_screen("  stage           New");
	assert_screen("  severity        critical, P1, confidence 50%");
	assert_screen("  owner           (unassigned)");
	assert_screen("  SLA             15m left");
	assert_screen("  host            10.20.1.15");   /* the workstation; "host" in EVE is the sensor */
	assert_screen("  detected        2024-05-13 08:20");
	/* The first time says its zone, once (issue 12). */
	assert_screen("  first event     2024-05-13 08:00 UTC");
	refute_screen("08:20 UTC");
	/* Tab jumps to the next section. */
	fx_key('\t');
	assert_screen("Play steps (0)");
	assert_screen("no play matched this incident");
	fx_key('\t');
	assert_screen("Timeline");
	assert_screen("  2024-05-13 08:20 ingest opened it in New");
	fx_key('\t');
	assert_screen("Alerts (1)");
	assert_screen("  2024-05-13 08:00 Outbound TLS every 60 s from ws-fin-07  critical  10.20.1.15  10.20.1.15");
	fx_key('\t');
	assert_screen("Observables (");
	assert_screen("  ip        185.199.110.153   from alert 1, 2024-05-13 08:20");
	fx_key('q');
	assert_screen(" New (1/12)");
}

Test(tui_incident, note_with_utf8)
{
	fx_db(ROLE_ANALYST);
	fx_start(100, 40);
	open_incident(1);
	fx_key('n');
	assert_screen("Note on IR-1:");
	fx_keys("called Müller in 東京; host offline");
	fx_key('\n');
	assert_status("note added to IR-1");
	fx_key('G');
	assert_screen("alice noted: called Müller in 東京; host offline");
	/* Control characters typed into a prompt never reach the note. */
	fx_key('n');
	fx_keys("a");
	fx_key(7);
	fx_key(0x9b);
	fx_keys("b");
	fx_key('\n');
	assert_screen("alice noted: ab");
	/* An empty note is refused by the lifecycle layer, with its reason. */
	fx_key('n');
	fx_key('\n');
	assert_status("a note needs some text");
}

Test(tui_incident, claim_move_close_from_the_incident)
{
	struct incident inc;

	fx_db(ROLE_ANALYST);
	fx_start(100, 40);
	open_incident(1);
	fx_key('c');
	assert_status("IR-1 is yours");
	assert_screen("  owner           alice");
	fx_key('L');
	assert_status("IR-1 moved to Identification");
	assert_screen("  stage           Identification");
	irk_clock_set(irk_now() + INCIDENT_UNDO_SECONDS + 1);   /* no undo */
	fx_key('H');
	fx_keys("wrong call");
	fx_key('\n');
	assert_screen("  stage           New");
	fx_key('x');
	fx_key('4');                 /* the fourth resolution: benign */
	fx_key('\n');
	assert_status("IR-1 closed as benign");
	inc = fx_get(1);
	cr_assert_eq(inc.resolution, RES_BENIGN);
	incident_clear(&inc);
	assert_screen("  resolution      benign");
	fx_key('G');
	assert_screen("alice moved it Identification → New: wrong call");
	assert_screen("alice moved it New → Closed");
}

Test(tui_incident, edit_fields)
{
	struct incident inc;

	fx_db(ROLE_ANALYST);
	fx_start(100, 40);
	open_incident(2);
	fx_key('e');
	assert_screen("Set fields of IR-2 as FIELD=VALUE");
	fx_keys("title=Müller-Shop probe, confirmed severity=high business_unit=web shop");
	fx_key('\n');
	assert_status("IR-2 updated");
	inc = fx_get(2);
	cr_assert_str_eq(inc.title, "Müller-Shop probe, confirmed");
	cr_assert_eq(inc.severity, SEV_HIGH);
	cr_assert_str_eq(inc.business_unit, "web shop");
	incident_clear(&inc);
	assert_screen(" IR-2 · Müller-Shop probe, confirmed");
	assert_screen("  business unit   web shop");
	/* The change in words on the timeline. */
	fx_key('G');
	assert_screen("alice set title=Müller-Shop probe, confirmed severity=high business_unit=web shop");
	/* A bad field: nothing is written, the reason shows. */
	fx_key('e');
	fx_keys("severity=low colour=red");
	fx_key('\n');
	assert_status("'colour' is not a field you can set");
	inc = fx_get(2);
	cr_assert_eq(inc.severity, SEV_HIGH);
	incident_clear(&inc);
}

Test(tui_incident, raw_record_is_indented_and_sanitized)
{
	const char *s;

	fx_db(ROLE_ANALYST);
	fx_start(100, 40);
	open_incident(12);
	fx_key('\t');
	fx_key('\t');
	fx_key('\t');
	fx_key('v');
	assert_status("put the cursor on a step, an alert or a sensor context line");
	fx_key('j');
	fx_key('v');
	assert_screen(" alert 12, raw record");
	assert_screen("   \"event_type\": \"alert\",");
	/* JSON escapes stay as written; the raw U+202E shows as a name. */
	assert_screen("\"signature\": \"Title with escape \\u001b]0;pwned\\u0007 and bidi <U+202E>gnp.exe\",");
	s = fx_text();
	cr_assert_null(strchr(s, '\x1b'));
	fx_key('q');
	assert_screen("Alerts (1)");
}

/* A raw record holding terminal controls as raw bytes (JSON allows C1
 * controls and bidi overrides unescaped): they show as visible escapes. */
Test(tui_incident, raw_bytes_show_as_escapes)
{
	const char *s;

	fx_db(ROLE_ANALYST);
	fx_ingest(fx.other, "tests/fixtures/tui/raw-escapes.jsonl");
	fx_start(120, 40);
	open_incident(13);
	fx_key('\t');
	fx_key('\t');
	fx_key('\t');
	fx_key('j');
	fx_key('\n');
	s = fx_text();
	/* U+009B is an 8-bit CSI: valid in JSON unescaped, and a terminal
	 * command on some terminals. Bidi overrides would reorder the line. */
	cr_assert(strstr(s, "\"signature\": \"raw \\u009b31m and <U+202E>exe\""), "%s", s);
	cr_assert_null(strstr(s, "\xc2\x9b"));
	cr_assert_null(strstr(s, "\xe2\x80\xae"));
}

Test(tui_incident, steps_are_listed)
{
	fx_db(ROLE_ANALYST);
	fx_required_step(1, "isolate", STAGE_CONTAINMENT);
	fx_start(100, 40);
	open_incident(1);
	fx_key('\t');
	assert_screen("Play steps (1)");
	assert_screen("  [pending] isolate Isolate the host (manual, containment, required)");
}

Test(tui_incident, another_process_changes_it)
{
	struct actor bob = { "bob", ROLE_ANALYST };
	struct irk_err err = { 0 };

	fx_db(ROLE_ANALYST);
	fx_start(100, 40);
	open_incident(1);
	cr_assert_eq(incident_claim(fx.other, &bob, 1, 0, 0, &err), 0);
	cr_assert_eq(incident_note(fx.other, &bob, 1, "on it", &err), 0);
	tui_tick(fx.t);
	assert_screen("  owner           bob");
	fx_key('G');
	assert_screen("bob noted: on it");
	assert_screen("bob claimed it");
}

Test(tui_incident, help_is_generated_for_the_screen)
{
	fx_db(ROLE_ANALYST);
	fx_start(100, 40);
	open_incident(1);
	fx_key('?');
	assert_screen("Incident");
	assert_screen("  n                   Add a note  [incident-note]");
	assert_screen("  Enter v             Open the step under the cursor, or show the raw record of the alert");
	assert_screen("Everywhere");
	fx_key('q');
	assert_screen(" IR-1 · ");
}

Test(tui_incident, resize_rewraps)
{
	fx_db(ROLE_ANALYST);
	fx_start(100, 40);
	open_incident(1);
	fx_key('\t');
	fx_key('\t');
	fx_key('\t');
	assert_screen("  2024-05-13 08:00 Outbound TLS every 60 s from ws-fin-07  critical  10.20.1.15  10.20.1.15");
	tui_resize(fx.t, 60, 20);
	assert_screen("  2024-05-13 08:00 Outbound TLS every 60 s from ws-fin-07");
	assert_screen("                   critical  10.20.1.15  10.20.1.15 →");
}

Test(tui_incident, split_assignments)
{
	char buf[256], *as[8];

	snprintf(buf, sizeof buf, "title=cmd.exe /c x=1 y  severity=high owner=");
	cr_assert_eq(tui_split_assignments(buf, as, 8), 3);
	cr_assert_str_eq(as[0], "title=cmd.exe /c x=1 y");
	cr_assert_str_eq(as[1], "severity=high");
	cr_assert_str_eq(as[2], "owner=");
	/* After a value that is not text, an unknown NAME= is its own
	 * assignment, so the typo gets named. */
	snprintf(buf, sizeof buf, "severity=low colour=red");
	cr_assert_eq(tui_split_assignments(buf, as, 8), 2);
	cr_assert_str_eq(as[1], "colour=red");
	snprintf(buf, sizeof buf, "   ");
	cr_assert_eq(tui_split_assignments(buf, as, 8), 0);
	snprintf(buf, sizeof buf, "nonsense");
	cr_assert_eq(tui_split_assignments(buf, as, 8), 1);
	cr_assert_str_eq(as[0], "nonsense");
}
