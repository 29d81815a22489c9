/* test_play.c: play files as a senior writes them: lint diagnostics with
 * their exact FILE:LINE:COLUMN, the fields expressions see, and the
 * catalog (directories, overrides, matching order, bundled plays). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers/tmpstore.h"
#include "irk/config.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "irk/template.h"

static void fini(void)
{
	tmp_cleanup();
}

TestSuite(play, .fini = fini);

/* Every diagnostic of src, formatted, one per line. */
static char *lint(const char *src)
{
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct strbuf out = STRBUF_INIT;

	play_parse("t.json", src, strlen(src), &p, &d);
	for (size_t i = 0; i < d.n; i++) {
		play_diag_format(&d.v[i], &out);
		strbuf_addc(&out, '\n');
	}
	if (d.errors)
		cr_assert_null(p, "a play with errors must not be handed out");
	else
		cr_assert_not_null(p, "a clean play must be handed out:\n%s", strbuf_str(&out));
	play_free(&p);
	play_diags_free(&d);
	return strbuf_detach(&out);
}

#define HEAD "{\"play\": \"t\", \"name\": \"T\", \"version\": 1,\n" \
	" \"match\": \"rule == 'X'\",\n" \
	" \"steps\": [\n"

static void expect_lint(const char *src, const char *want)
{
	char *got = lint(src);

	cr_assert_str_eq(got, want, "lint of\n%s\ngave\n%s", src, got);
	free(got);
}

Test(play, clean_play_has_no_diagnostics)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"identification\", \"kind\": \"manual\", \"title\": \"Look\"},\n"
		"  {\"id\": \"b\", \"stage\": \"containment\", \"kind\": \"exec\", \"title\": \"Run\",\n"
		"   \"argv\": [\"/bin/echo\", \"{{alert.host}}\"], \"needs\": [\"a\"]}]}\n", "");
}

Test(play, unknown_kind)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"identification\", \"kind\": \"manaul\", \"title\": \"Look\"}]}\n",
		"t.json:4:50: unknown kind 'manaul' (manual, approval, exec, ansible, http, notify, "
		"score, set, ticket, context, open)\n");
}

Test(play, context_step)
{
	/* Needs no title; cached and strict are booleans; other keys are not its. */
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"context\", \"cached\": true, "
		"\"strict\": false},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Call\",\n"
		"   \"needs\": [\"a\"], \"when\": \"asset.criticality >= 4\"}]}\n", "");
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"context\", \"strict\": \"yes\"}]}\n",
		"t.json:4:60: strict must be a boolean, not a string\n");
}

Test(play, missing_field)
{
	/* An exec step without argv is named at its object. */
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"identification\", \"kind\": \"exec\", \"title\": \"Run\"}]}\n",
		"t.json:4:3: an exec step needs argv (the program and its arguments)\n");
	/* A play without match: at the start of the file. */
	expect_lint("{\"play\": \"t\", \"name\": \"T\", \"version\": 1,\n"
		    " \"steps\": [{\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"x\"}]}",
		    "t.json:1:1: missing \"match\": the expression that picks alerts for this play\n");
}

Test(play, duplicate_step_id)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"One\"},\n"
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Two\"}]}\n",
		"t.json:5:10: duplicate step id 'a' (step 1 has it too)\n");
}

Test(play, needs_unknown_step)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"One\",\n"
		"   \"needs\": [\"ghost\"]}]}\n",
		"t.json:5:14: needs 'ghost': no such step\n");
}

Test(play, needs_later_step)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"One\", \"needs\": [\"b\"]},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Two\"}]}\n",
		"t.json:4:75: needs 'b', which comes later in the play: list steps in the order "
		"they can run\n");
}

Test(play, needs_cycle)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"One\", \"needs\": [\"b\"]},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Two\", \"needs\": [\"a\"]}]}\n",
		"t.json:4:75: needs 'b': a cycle (a needs b, which needs a)\n");
}

/* Found by a senior: b->c->d->b was told as "b needs c, which needs b". */
Test(play, needs_cycle_of_three_named_whole)
{
	expect_lint(HEAD
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"B\", \"needs\": [\"c\"]},\n"
		"  {\"id\": \"c\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"C\", \"needs\": [\"d\"]},\n"
		"  {\"id\": \"d\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"D\", \"needs\": [\"b\"]}]}\n",
		"t.json:4:73: needs 'c': a cycle (b needs c, which needs d, which needs b)\n"
		"t.json:5:73: needs 'd': a cycle (c needs d, which needs b, which needs c)\n");
}

Test(play, needs_later_stage)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"recovery\", \"kind\": \"manual\", \"title\": \"One\"},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Two\", \"needs\": [\"a\"]}]}\n",
		"t.json:5:75: needs 'a' of a later stage (recovery): b could never run in new\n");
}

Test(play, bad_expression_position)
{
	/* The second line of the file holds the match; the error is at the
	 * stray ')' inside the string, in file columns. */
	expect_lint("{\"play\": \"t\", \"name\": \"T\", \"version\": 1,\n"
		    " \"match\": \"rule == 'X' && host == 'web-01')\",\n"
		    " \"steps\": [{\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"x\"}]}",
		    "t.json:2:43: match: expected the end, found ')'\n");
	/* An escape before the error shifts file columns, not expression ones. */
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"x\",\n"
		"   \"when\": \"rule_name ~ '\\\\.exe' &&\"}]}\n",
		"t.json:5:36: when: expected a name, a value or '(', found end of expression\n");
}

Test(play, template_unknown_variable)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": \"role:senior\",\n"
		"   \"text\": \"{{incident.key}}: duplicate process on {{alert.hots}}\"}]}\n",
		"t.json:5:54: unknown field 'alert.hots' (did you mean 'alert.host'?)\n");
}

Test(play, bad_stage_name)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"contain\", \"kind\": \"manual\", \"title\": \"x\"}]}\n",
		"t.json:4:24: no stage 'contain' (new, identification, containment, eradication, "
		"recovery, lessons-learned)\n");
}

Test(play, fields_of_steps_are_checked)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"x\",\n"
		"   \"inputs\": [\"ticket\"]},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"y\",\n"
		"   \"argv\": [\"/bin/echo\", \"{{steps.a.inputs.tiket}}\", \"{{steps.c.output.x}}\"]},\n"
		"  {\"id\": \"c\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"z\",\n"
		"   \"argv\": [\"/bin/echo\"], \"when\": \"score > 50 && steps.a.inputs.ticket != ''\"}]}\n",
		"t.json:7:29: steps.a.inputs.tiket: step a has no input 'tiket' (ticket)\n"
		"t.json:7:57: 'steps.c.output.x': step c comes later; a step can only read steps "
		"listed before it\n"
		"t.json:9:36: 'score' needs a score step listed before this step\n");
}

Test(play, secrets_only_where_they_are_not_recorded)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"http\", \"title\": \"x\",\n"
		"   \"url\": \"https://edr.example/api/{{secret.token}}\",\n"
		"   \"headers\": {\"Authorization\": \"Bearer {{secret.edr-token}}\"}},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"y\",\n"
		"   \"argv\": [\"/bin/true\"], \"env\": {\"TOKEN\": \"{{secret.api}}\"}}]}\n",
		"t.json:5:38: secret.token: a secret may be used only in http headers and exec env "
		"(never recorded)\n");
}

/* A severity or a stage compared with a word that is none can never
 * hold: an error with the nearest name (found by a senior's trial: the
 * play never matched, lint said ok). */
Test(play, a_severity_or_stage_that_does_not_exist_is_an_error)
{
	expect_lint("{\"play\": \"t\", \"name\": \"T\", \"version\": 1,\n"
		" \"match\": \"rule == 'X' && severity >= 'hihg'\",\n"
		" \"steps\": [\n"
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"x\",\n"
		"   \"when\": \"incident.stage == 'Identifcation' || incident.severity in ['low', 'CRITICAL']\"}]}\n",
		"t.json:2:39: match: severity is never 'hihg' (did you mean 'high'? low, medium, high, "
		"critical)\n"
		"t.json:5:31: when: incident.stage is never 'Identifcation' (did you mean 'identification'? "
		"new, identification, containment, eradication, recovery, lessons-learned, closed)\n");
}

/* A secret in the headers of a request to an http:// url travels in
 * clear: a warning at the secret; over https:// nothing is said. */
Test(play, a_secret_sent_over_plain_http_is_a_warning)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"http\", \"title\": \"x\",\n"
		"   \"url\": \"http://edr.example/api\",\n"
		"   \"headers\": {\"Authorization\": \"Bearer {{secret.edr}}\", \"X-Host\": \"{{alert.host}}\"}},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"http\", \"title\": \"y\",\n"
		"   \"url\": \"https://edr.example/api\",\n"
		"   \"headers\": {\"Authorization\": \"Bearer {{secret.edr}}\"}}]}\n",
		"t.json:6:43: warning: secret.edr is sent in clear text: the url is http://, not https://\n");
}

/* bin/prog in argv[0] is the program beside the play: the stored step
 * gets its absolute path; a missing one is a warning at argv[0]. */
Test(play, exec_program_beside_the_play)
{
	const char *src = HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"x\",\n"
		"   \"argv\": [\"bin/facts\", \"{{alert.host}}\"]},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"y\",\n"
		"   \"argv\": [\"bin/gone\"]},\n"
		"  {\"id\": \"c\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"z\",\n"
		"   \"argv\": [\"hostname\"]}]}\n";
	char *dir = tmp_path("p"), *bin = tmp_path("p/bin"), *path, want[1200];
	struct play_diags d = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct strbuf msg = STRBUF_INIT;

	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(mkdir(bin, 0755), 0);
	free(tmp_write("p/bin/facts", "#!/bin/sh\n", 10, 0755));
	path = tmp_write("p/play.json", src, strlen(src), 0644);
	play_load_file(path, &p, &d);
	cr_assert_not_null(p);
	cr_assert_eq(d.n, 1);
	play_diag_format(&d.v[0], &msg);
	snprintf(want, sizeof want, "%s:7:13: warning: argv[0] %s/bin/gone: not an executable file "
		 "beside the play", path, dir);
	cr_assert_str_eq(strbuf_str(&msg), want);
	snprintf(want, sizeof want, "{\"argv\":[\"%s/bin/facts\",\"{{alert.host}}\"],", dir);
	cr_assert(!strncmp(p->steps[0].def, want, strlen(want)), "%s", p->steps[0].def);
	cr_assert(!strncmp(p->steps[2].def, "{\"argv\":[\"hostname\"]", 20),
		  "a bare name is for engine.path: %s", p->steps[2].def);
	strbuf_free(&msg);
	play_diags_free(&d);
	play_free(&p);
	free(path);
	free(bin);
	free(dir);
}

Test(play, every_error_is_reported_in_one_run)
{
	char *got = lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"contain\", \"kind\": \"manual\", \"title\": \"x\"},\n"
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"bogus\", \"title\": \"x\"}]}\n");
	int lines = 0;

	for (const char *p = got; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 3, "three problems, three lines:\n%s", got);
	free(got);
}

/* ---- fields ---------------------------------------------------------------------- */

Test(play, host_groups)
{
	char buf[64];

	cr_assert_str_eq(play_host_group("web-01", buf, sizeof buf), "web");
	cr_assert_str_eq(play_host_group("web-02.corp.example", buf, sizeof buf), "web");
	cr_assert_str_eq(play_host_group("db7", buf, sizeof buf), "db");
	cr_assert_str_eq(play_host_group("mailgw", buf, sizeof buf), "mailgw");
	/* An address has no group: 10.0.1.21 and 10.0.1.22 are not siblings
	 * because their numbers are close. */
	cr_assert_str_eq(play_host_group("10.0.1.21", buf, sizeof buf), "");
	cr_assert_str_eq(play_host_group("10.1.2.3", buf, sizeof buf), "");
	cr_assert_str_eq(play_host_group("fd00::12", buf, sizeof buf), "");
	cr_assert_str_eq(play_host_group("2001:db8::7", buf, sizeof buf), "");
	cr_assert_str_eq(play_host_group("10.0.1", buf, sizeof buf), "10.0.1", "not an address");
	cr_assert_str_eq(play_host_group("42", buf, sizeof buf), "42");
	cr_assert_str_eq(play_host_group("", buf, sizeof buf), "");
	cr_assert_str_eq(play_host_group(NULL, buf, sizeof buf), "");
}

static int eval(const char *src, struct play_fields *f)
{
	struct expr_error ee;
	struct expr *e = expr_parse(src, &ee);
	int r;

	cr_assert_not_null(e, "%s: %s", src, ee.msg);
	r = expr_eval(e, play_fields_lookup, f);
	expr_free(&e);
	return r;
}

Test(play, fields_of_alert_and_incident)
{
	struct incident inc = { 0 };
	struct alert a = {
		.format = FMT_WAZUH, .rule_id = "5710",
		.rule_name = "sshd: Attempt to login using a non-existent user",
		.severity = SEV_MEDIUM, .host = "web-01", .src_ip = "198.51.100.23",
		.user = "admin", .raw = "{\"rule\":{\"level\":5,\"groups\":[\"sshd\"]},\"data\":{\"srcip\":\"198.51.100.23\"}}",
		.event_time = 1715590931,
	};
	struct play_fields *f;
	struct irk_err err = { 0 };
	char *t;

	a.raw_len = strlen(a.raw);
	inc.id = 42;
	inc.stage = STAGE_CONTAINMENT;
	inc.severity = SEV_HIGH;
	inc.priority = 2;
	inc.owner = "bob";
	f = play_fields_new(NULL, &inc, &a);
	cr_assert(eval("rule == '5710' && alert.rule_id == 5710", f));
	cr_assert(eval("rule_name ~* 'non-existent user' && format == 'wazuh'", f));
	cr_assert(eval("alert.raw.rule.level >= 5 && alert.raw.data.srcip == src_ip", f));
	cr_assert(eval("alert.raw.rule.groups.0 == 'sshd'", f));
	cr_assert(eval("incident.severity >= 'high' && incident.stage == 'containment'", f));
	cr_assert(eval("asset.group == 'web' && asset.host == 'web-01'", f));
	cr_assert(eval("incident.business_unit == null && alert.dst_ip == null", f));
	cr_assert_not(eval("score > 0", f), "no store, no steps, no score");
	t = tmpl_render("{{incident.key}} {{incident.owner}} on {{host}} from {{alert.src_ip}}",
			play_fields_lookup, f, &err);
	cr_assert_not_null(t, "%s", err.msg);
	cr_assert_str_eq(t, "IR-42 bob on web-01 from 198.51.100.23");
	free(t);
	cr_assert_null(tmpl_render("{{incident.vector}}", play_fields_lookup, f, &err),
		       "an unset field is an error, never an empty string");
	cr_assert(strstr(err.msg, "incident.vector"), "%s", err.msg);
	play_fields_free(&f);
	cr_assert_null(f);
}

/* A Suricata alert without a sensor name has the far side as its host:
 * asset.host is the internal address, whichever side it is on. */
Test(play, asset_host_is_the_internal_side)
{
	struct alert a = { .format = FMT_EVE, .rule_id = "2032749", .host = "192.0.2.55",
		.src_ip = "10.20.4.42", .dst_ip = "192.0.2.55" };
	struct play_fields *f = play_fields_new(NULL, NULL, &a);

	cr_assert(eval("asset.host == '10.20.4.42' && asset.group == null", f),
		  "an address has no group");
	cr_assert(eval("host == '192.0.2.55'", f), "the alert's own host is unchanged");
	play_fields_free(&f);
	a.host = "ws-042";
	f = play_fields_new(NULL, NULL, &a);
	cr_assert(eval("asset.host == 'ws-042' && asset.group == 'ws'", f), "a name wins");
	play_fields_free(&f);
	a.host = "10.9.9.9";
	a.src_ip = "198.51.100.7";
	a.dst_ip = "fd00::12";
	f = play_fields_new(NULL, NULL, &a);
	cr_assert(eval("asset.host == 'fd00::12'", f));
	play_fields_free(&f);
}

Test(play, field_check_suggests)
{
	struct play p = { 0 };
	char buf[256];

	cr_assert_null(play_field_check(&p, -1, "alert.host", buf, sizeof buf));
	cr_assert_null(play_field_check(&p, -1, "rule", buf, sizeof buf));
	cr_assert_null(play_field_check(&p, -1, "alert.raw.rule.level", buf, sizeof buf));
	cr_assert_null(play_field_check(&p, -1, "incident.key", buf, sizeof buf));
	cr_assert_str_eq(play_field_check(&p, -1, "incident.kye", buf, sizeof buf),
			 "unknown field 'incident.kye' (did you mean 'incident.key'?)");
	cr_assert_str_eq(play_field_check(&p, -1, "hostname", buf, sizeof buf),
			 "unknown field 'hostname' (see FIELDS in irk-play(5))");
	cr_assert_str_eq(play_field_check(&p, -1, "steps.a.output.x", buf, sizeof buf),
			 "'steps.a.output.x': the match is decided before any step runs");
	cr_assert_str_eq(play_field_check(&p, -1, "score", buf, sizeof buf),
			 "'score' is computed by a score step: the match cannot use it");
}

/* ---- the catalog ------------------------------------------------------------------ */

static void write_play(const char *dir, const char *file, const char *id, int priority,
		       const char *match)
{
	char path[512], body[1024];

	snprintf(path, sizeof path, "%s/%s", dir, file);
	snprintf(body, sizeof body,
		 "{\"play\": \"%s\", \"name\": \"Play %s\", \"version\": 1, \"priority\": %d,\n"
		 " \"match\": \"%s\",\n"
		 " \"steps\": [{\"id\": \"look\", \"stage\": \"new\", \"kind\": \"manual\", "
		 "\"title\": \"Look\"}]}\n", id, id, priority, match);
	free(tmp_write(path + strlen(tmp_dir()) + 1, body, strlen(body), 0644));
}

static char *mkdir_tmp(const char *name)
{
	char *p = tmp_path(name);

	cr_assert_eq(mkdir(p, 0755), 0);
	return p;
}

static int index_of(const struct play_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i]->id, id))
			return (int)i;
	return -1;
}

Test(play, catalog_order_and_overrides)
{
	char *site = mkdir_tmp("site"), *team = mkdir_tmp("team"), env[1100];
	struct play_catalog c;
	struct irk_err err = { 0 };
	const struct play *p;

	write_play(site, "b.json", "zz-site", 0, "rule == 'a'");
	write_play(site, "a.json", "aa-site", 0, "rule == 'a'");
	write_play(site, "c.json", "urgent", 50, "rule == 'a'");
	write_play(team, "x.json", "aa-site", 0, "rule == 'other'");   /* overridden */
	write_play(team, "y.json", "aa-team", 0, "rule == 'a'");
	write_play(team, "bad.json", "bad", 0, "rule == ");
	snprintf(env, sizeof env, "%s:%s", site, team);
	setenv("IRK_PLAYS", env, 1);
	cr_assert_eq(play_catalog_load(&c, NULL, &err), IRK_OK);
	cr_assert_geq(c.ndirs, 2);
	cr_assert(strstr(c.dirs[0], "/site") && strstr(c.dirs[1], "/team"));
	/* priority first, then directory order, then id */
	cr_assert_eq(index_of(&c, "urgent"), 0);
	cr_assert_lt(index_of(&c, "aa-site"), index_of(&c, "zz-site"));
	cr_assert_lt(index_of(&c, "zz-site"), index_of(&c, "aa-team"));
	p = play_catalog_find(&c, "aa-site");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->match_src, "rule == 'a'", "the first directory wins");
	cr_assert_eq(index_of(&c, "bad"), -1, "a play with errors is not loaded");
	cr_assert_eq(c.diags.errors, 1);
	cr_assert(strstr(c.diags.v[0].file, "bad.json"));
	play_catalog_free(&c);
	free(site);
	free(team);
}

/* An empty plays directory is no error: the bundled plays still load
 * (it once sorted a NULL list, which UBSan stops). */
Test(play, catalog_empty_directory)
{
	char *dir = mkdir_tmp("empty");
	struct play_catalog c;
	struct irk_err err = { 0 };

	setenv("IRK_PLAYS", dir, 1);
	cr_assert_eq(play_catalog_load(&c, NULL, &err), IRK_OK);
	cr_assert(strstr(c.dirs[0], "/empty"));
	cr_assert_eq(c.diags.n, 0, "an empty directory is not a problem");
	cr_assert_not_null(play_catalog_find(&c, "malware"), "the bundled plays load");
	play_catalog_free(&c);
	free(dir);
}

/* plays.path from irk.conf comes after $IRK_PLAYS and before the bundled
 * plays; a site copy of a bundled play overrides it. */
Test(play, catalog_config_path_and_override)
{
	char *env = mkdir_tmp("env"), *conf = mkdir_tmp("conf");
	struct config *cfg = config_new();
	struct play_catalog c;
	struct irk_err err = { 0 };
	const struct play *p;

	write_play(env, "a.json", "from-env", 0, "rule == 'a'");
	write_play(conf, "b.json", "from-conf", 0, "rule == 'a'");
	write_play(conf, "phishing.json", "phishing", 0, "rule == 'site'");
	setenv("IRK_PLAYS", env, 1);
	cr_assert_eq(config_set(cfg, "plays.path", conf, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_catalog_load(&c, cfg, &err), IRK_OK);
	cr_assert_geq(c.ndirs, 3, "env, config and the bundled plays");
	cr_assert(strstr(c.dirs[0], "/env") && strstr(c.dirs[1], "/conf"));
	cr_assert(strstr(c.dirs[2], "/plays"), "bundled last: %s", c.dirs[2]);
	cr_assert_lt(index_of(&c, "from-env"), index_of(&c, "from-conf"));
	cr_assert_not_null(play_catalog_find(&c, "malware"), "bundled plays are loaded too");
	cr_assert_not_null(p = play_catalog_find(&c, "phishing"));
	cr_assert_str_eq(p->match_src, "rule == 'site'", "the site's copy wins over the bundled one");
	cr_assert_eq(c.diags.n, 0, "an override is not a problem");
	play_catalog_free(&c);
	config_free(&cfg);
	free(env);
	free(conf);
}

Test(play, catalog_versions_by_hash)
{
	char *dir = mkdir_tmp("p");
	struct play_catalog c;
	struct irk_err err = { 0 };
	struct store *s = tmp_store("t.db");

	write_play(dir, "a.json", "alpha", 0, "rule == 'a'");
	setenv("IRK_PLAYS", dir, 1);
	cr_assert_eq(play_catalog_load(&c, NULL, &err), IRK_OK);
	cr_assert_eq(play_catalog_register(s, &c, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(play_catalog_register(s, &c, &err), IRK_OK, "registering twice is harmless");
	play_catalog_free(&c);
	write_play(dir, "a.json", "alpha", 0, "rule == 'b'");
	cr_assert_eq(play_catalog_load(&c, NULL, &err), IRK_OK);
	cr_assert_eq(play_catalog_register(s, &c, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_scalar(s, "SELECT count(*) FROM plays WHERE play_id = 'alpha'"), 2,
		     "an edited file is a new version, the old one is kept");
	play_catalog_free(&c);
	store_close(&s);
	free(dir);
}
/* Every bundled play lints clean: no error, no warning. */
Test(play, bundled_plays_lint_clean)
{
	DIR *d = opendir("plays");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d, "run from the top of the tree (plays/ missing)");
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[512];
		struct play_diags diags = PLAY_DIAGS_INIT;
		struct play *p = NULL;
		struct strbuf out = STRBUF_INIT;

		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof path, "plays/%s", e->d_name);
		play_load_file(path, &p, &diags);
		for (size_t i = 0; i < diags.n; i++) {
			play_diag_format(&diags.v[i], &out);
			strbuf_addc(&out, '\n');
		}
		cr_expect_eq(diags.n, 0, "%s", strbuf_str(&out));
		cr_expect_not_null(p, "%s did not load", path);
		strbuf_free(&out);
		play_diags_free(&diags);
		play_free(&p);
		n++;
	}
	closedir(d);
	cr_assert_geq(n, 10, "at least ten bundled plays (found %d)", n);
}

/* An input that declares its values: a `when` comparing it with another
 * value is an error at that value (it would skip the steps behind it
 * whatever the analyst answered); steps.ID.output of a manual step is its
 * inputs, so it counts too. */
Test(play, when_outside_an_inputs_choices)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"A\",\n"
		"   \"inputs\": [{\"name\": \"hit\", \"choices\": [\"yes\", \"no\"]},\n"
		"              {\"name\": \"t\", \"pattern\": \"CHG-[0-9]+\"}, \"free\"]},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"B\",\n"
		"   \"when\": \"steps.a.inputs.hit == 'yes' && steps.a.inputs.free == 'maybe'\"},\n"
		"  {\"id\": \"c\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"C\",\n"
		"   \"when\": \"steps.a.inputs.hit == 'Yes' || 'maybe' != steps.a.output.hit\"},\n"
		"  {\"id\": \"d\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"D\",\n"
		"   \"when\": \"steps.a.inputs.hit in ['no', 'nope'] && steps.a.inputs.t != 'CHG-x'\"}]}\n",
		"t.json:10:35: when: steps.a.inputs.hit can never be 'Yes' (its choices: yes, no)\n"
		"t.json:10:44: when: steps.a.output.hit can never be 'maybe' (its choices: yes, no)\n"
		"t.json:12:42: when: steps.a.inputs.hit can never be 'nope' (its choices: yes, no)\n"
		"t.json:12:73: when: steps.a.inputs.t can never be 'CHG-x' (it must match CHG-[0-9]+)\n");
}

Test(play, input_choices_and_patterns_are_checked)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"A\",\n"
		"   \"inputs\": [{\"name\": \"a\", \"choices\": []},\n"
		"              {\"name\": \"b\", \"choices\": [\"yes\", \"YES\", 1]},\n"
		"              {\"name\": \"c\", \"choices\": \"yes\"},\n"
		"              {\"name\": \"d\", \"pattern\": \"(x\"},\n"
		"              {\"name\": \"e\", \"pattern\": \"x\", \"choices\": [\"x\"]},\n"
		"              {\"name\": \"a\"}]}]}\n",
		"t.json:5:40: inputs: choices must list at least one value\n"
		"t.json:6:48: inputs: choice 'YES' is listed twice\n"
		"t.json:6:55: inputs: a choice must be a string, not a number\n"
		"t.json:7:40: inputs: choices must be an array, not a string\n"
		"t.json:8:40: inputs: pattern: bad regex: Unmatched ( or \\(\n"
		"t.json:9:29: inputs: give choices or a pattern, not both\n"
		"t.json:10:24: input 'a' is declared twice\n");
}

/* Unknown keys: "an exec step", a typo gets a suggestion, a key of
 * another kind says which. */
Test(play, unknown_keys_are_named_with_a_suggestion)
{
	expect_lint("{\"play\": \"t\", \"name\": \"T\", \"version\": 1, \"match\": \"rule == 'X'\",\n"
		" \"stpes\": [],\n"
		" \"steps\": [\n"
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"Run\",\n"
		"   \"argv\": [\"/bin/true\"], \"timeot\": 5, \"role\": \"senior\", \"colour\": 1},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"approval\", \"title\": \"Ok?\", \"rol\": \"x\"},\n"
		"  {\"id\": \"c\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Do\",\n"
		"   \"inputs\": [{\"name\": \"v\", \"choises\": [\"a\"]}]}]}\n",
		"t.json:2:2: unknown key 'stpes' (did you mean 'steps'?)\n"
		"t.json:5:27: unknown key 'timeot' for an exec step (did you mean 'timeout'?)\n"
		"t.json:5:40: 'role' is for an approval step, not an exec step\n"
		"t.json:5:58: unknown key 'colour' for an exec step (see STEP KINDS in irk-play(5))\n"
		"t.json:6:67: unknown key 'rol' for an approval step (did you mean 'role'?)\n"
		"t.json:8:29: inputs: unknown key 'choises' (did you mean 'choices'?)\n");
}

/* Lint finds problems in passes (ids and kinds first, then each step's
 * body, then the order of needs): they are printed in the order of the
 * file. */
Test(play, diagnostics_in_file_order)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"One\", \"needs\": [\"b\"]},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Two\", \"x\": 1},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Three\"}]}\n",
		"t.json:4:75: needs 'b', which comes later in the play: list steps in the order "
		"they can run\n"
		"t.json:5:65: unknown key 'x' for a manual step (see STEP KINDS in irk-play(5))\n"
		"t.json:6:10: duplicate step id 'b' (step 2 has it too)\n");
}

/* A step whose kind is unknown gets that one error: whether it needs a
 * title, or has inputs, depends on the kind. */
Test(play, unknown_kind_has_no_follow_on_errors)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manaul\", \"checklist\": [\"x\"]},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"scroe\"},\n"
		"  {\"id\": \"c\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": \"owner\",\n"
		"   \"text\": \"{{steps.a.inputs.x}}\", \"when\": \"score > 50\"}]}\n",
		"t.json:4:39: unknown kind 'manaul' (manual, approval, exec, ansible, http, notify, "
		"score, set, ticket, context, open)\n"
		"t.json:5:39: unknown kind 'scroe' (manual, approval, exec, ansible, http, notify, "
		"score, set, ticket, context, open)\n");
}

Test(play, checklist_required_needs_a_checklist)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"A\",\n"
		"   \"checklist_required\": true},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"B\",\n"
		"   \"checklist\": [\"x\"], \"checklist_required\": \"yes\"},\n"
		"  {\"id\": \"c\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"C\", \"argv\": [\"/bin/true\"],\n"
		"   \"checklist_required\": true},\n"
		"  {\"id\": \"d\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"D\",\n"
		"   \"checklist\": [\"x\"], \"checklist_required\": true}]}\n",
		"t.json:5:4: checklist_required: the step has no checklist to tick\n"
		"t.json:7:46: checklist_required must be a boolean, not a string\n"
		"t.json:9:4: 'checklist_required' is for a manual step, not an exec step\n");
}

/* A set step's unknown field: a suggestion or the fields there are, not
 * a command to run. */
Test(play, set_step_unknown_field)
{
	char *got = lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"set\",\n"
		"   \"fields\": {\"prioirty\": 2, \"colour\": \"red\"}}]}\n");

	cr_assert_str_eq(got, "t.json:5:15: fields: 'prioirty' is not an incident field (did you mean "
			 "'priority'?)\n"
			 "t.json:5:30: fields: 'colour' is not an incident field (title, summary, "
			 "severity, priority, confidence, asset_criticality, category, vector, "
			 "threat_source, root_cause, business_unit, owner, effort_min)\n", "%s", got);
	free(got);
}

/* Issue 13: a filter's error is named at its line and column in the file;
 * a good one lints clean. */
Test(play, template_filters_are_linted)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": \"role:senior\",\n"
		"   \"text\": \"{{incident.key}} on {{alert.host | lowr}}\"}]}\n",
		"t.json:5:48: text: unknown filter 'lowr' (filters: default, lower, upper, join, len, "
		"json)\n");
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": \"role:senior\",\n"
		"   \"text\": \"{{alert.user | default('n/a') | upper}} on {{alert.host | lower}}\"}]}\n",
		"");
}

/* Issue 13: a template reading an optional input with no default is a
 * warning (an empty input is missing); with a default it is clean. */
Test(play, optional_input_without_default_warns)
{
	expect_lint(HEAD
		"  {\"id\": \"ask\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Ask\",\n"
		"   \"inputs\": [{\"name\": \"ticket\"}, {\"name\": \"host\", \"required\": true}]},\n"
		"  {\"id\": \"tell\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": \"role:senior\",\n"
		"   \"text\": \"{{steps.ask.output.ticket}} {{steps.ask.inputs.host}}\"}]}\n",
		"t.json:7:15: warning: steps.ask.output.ticket is an optional input: when it is left "
		"empty this template has no value (write {{steps.ask.output.ticket | default('n/a')}})\n");
	expect_lint(HEAD
		"  {\"id\": \"ask\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Ask\",\n"
		"   \"inputs\": [{\"name\": \"ticket\"}]},\n"
		"  {\"id\": \"tell\", \"stage\": \"new\", \"kind\": \"notify\", \"to\": \"role:senior\",\n"
		"   \"text\": \"{{steps.ask.output.ticket | default('none')}}\"}]}\n",
		"");
}

/* Issue 13: a step with no title whose automatic title keeps a template
 * that only has a value later is a warning (the board would show the
 * braces). */
Test(play, auto_title_with_braces_warns)
{
	expect_lint(HEAD
		"  {\"id\": \"who\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"Who\",\n"
		"   \"inputs\": [{\"name\": \"user\", \"required\": true}]},\n"
		"  {\"id\": \"tell\", \"stage\": \"new\", \"kind\": \"notify\",\n"
		"   \"to\": \"{{steps.who.output.user}}\", \"text\": \"hi\"}]}\n",
		"t.json:6:3: warning: this step has no title, and its automatic title \"Notify "
		"{{steps.who.output.user}}\" is expanded at assignment, before steps.who.output.user is "
		"known: the board would show the braces (give it a title)\n");
}

/* Issue 13: what counts as success and what a failure leads to are
 * checked where they are written. */
Test(play, outcomes_are_linted)
{
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"http\", \"title\": \"A\",\n"
		"   \"url\": \"https://x.example/\", \"ok_status\": [200, 404], \"on_failure\": \"goto:b\"},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"B\", \"argv\": [\"true\"],\n"
		"   \"needs\": [\"a\"], \"ok_exit\": [0, 1], \"on_failure\": \"skip-dependants\"}]}\n",
		"");
	expect_lint(HEAD
		"  {\"id\": \"a\", \"stage\": \"new\", \"kind\": \"http\", \"title\": \"A\",\n"
		"   \"url\": \"https://x.example/\", \"ok_status\": [42], \"on_failure\": \"goto:b\"},\n"
		"  {\"id\": \"b\", \"stage\": \"new\", \"kind\": \"exec\", \"title\": \"B\", \"argv\": [\"true\"],\n"
		"   \"ok_exit\": [], \"on_failure\": \"retry-forever\"},\n"
		"  {\"id\": \"c\", \"stage\": \"new\", \"kind\": \"manual\", \"title\": \"C\", \"on_failure\": \"continue\"}]}\n",
		"t.json:5:47: ok_status must be from 100 to 599\n"
		"t.json:5:66: on_failure: goto b: b must be a later step that needs a (\"needs\": [\"a\"])\n"
		"t.json:7:15: ok_exit: an empty list: nothing would count as success\n"
		"t.json:7:33: on_failure: 'retry-forever' is not continue, skip-dependants, wait-for-person or goto:STEP\n"
		"t.json:8:63: 'on_failure' is for automated steps; a manual step is done by a person\n");
}
