/* test_cacao.c: CACAO 2.0 playbooks into irk plays and back (issue 13).
 * Each construct of the mapping (irk-play(5) CACAO) on a small playbook;
 * the imported play always lints clean; what is not mapped is named by
 * its JSON path; the verbatim public playbooks in shared/samples/cacao
 * import when that folder exists; export then import gives the same
 * steps. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/tmpstore.h"
#include "irk/cacao.h"
#include "irk/jdoc.h"
#include "irk/play.h"

static void fini(void)
{
	tmp_cleanup();
}

TestSuite(cacao, .fini = fini);

struct imported {
	int rc;
	struct strbuf json;
	struct cacao_report rep;
	struct jdoc d;
	struct play *p;
};

/* Import src; the play must lint with no error (its diagnostics shown). */
static void import(const char *src, struct imported *im)
{
	struct irk_err err = { 0 };
	struct play_diags diags = PLAY_DIAGS_INIT;
	struct strbuf msgs = STRBUF_INIT;

	memset(im, 0, sizeof *im);
	im->rc = cacao_import(src, strlen(src), NULL, &im->json, &im->rep, &err);
	cr_assert_geq(im->rc, 0, "import failed: %s", err.msg);
	jdoc_init(&im->d);
	cr_assert_eq(jdoc_parse(&im->d, im->json.buf, im->json.len, NULL), 0, "not JSON:\n%s",
		     im->json.buf);
	play_parse("imported.json", im->json.buf, im->json.len, &im->p, &diags);
	for (size_t i = 0; i < diags.n; i++) {
		play_diag_format(&diags.v[i], &msgs);
		strbuf_addc(&msgs, '\n');
	}
	cr_assert_eq(diags.errors, 0, "the imported play does not lint:\n%s\n%s",
		     strbuf_str(&msgs), im->json.buf);
	strbuf_free(&msgs);
	play_diags_free(&diags);
}

static void imported_free(struct imported *im)
{
	strbuf_free(&im->json);
	cacao_report_free(&im->rep);
	jdoc_free(&im->d);
	play_free(&im->p);
}

/* The step with id, as canonical JSON of path inside it ("" for all). */
static char *step_get(struct imported *im, const char *id, const char *path)
{
	int steps = jdoc_get(&im->d, 0, "steps");
	struct strbuf sb = STRBUF_INIT;

	for (int e = jdoc_first(&im->d, steps); e >= 0; e = jdoc_next(&im->d, steps, e)) {
		const char *sid = jdoc_str(&im->d, jdoc_get(&im->d, e, "id"));
		int v;
		if (!sid || strcmp(sid, id))
			continue;
		v = *path ? jdoc_path(&im->d, e, path) : e;
		if (v < 0)
			return xstrdup("(none)");
		jdoc_canonical(&im->d, v, &sb);
		return strbuf_detach(&sb);
	}
	cr_assert_fail("no step %s in\n%s", id, im->json.buf);
	return NULL;
}

static void step_is(struct imported *im, const char *id, const char *path, const char *want)
{
	char *got = step_get(im, id, path);

	cr_assert_str_eq(got, want, "step %s %s in\n%s", id, path, im->json.buf);
	free(got);
}

/* A report note at path whose text holds what. */
static int reported(const struct imported *im, const char *path, const char *what)
{
	for (size_t i = 0; i < im->rep.n; i++)
		if (!strcmp(im->rep.v[i].path, path) && strstr(im->rep.v[i].what, what))
			return 1;
	return 0;
}

#define HEAD "{\"type\": \"playbook\", \"spec_version\": \"cacao-2.0\", " \
	"\"id\": \"playbook--1\", \"name\": \"Contain host\", "

Test(cacao, commands_map_to_kinds)
{
	struct imported im;

	import(HEAD
	       "\"playbook_variables\": {\"__host__\": {\"type\": \"string\", \"description\": \"the host\", \"external\": true}},"
	       "\"workflow_start\": \"start--1\", \"workflow\": {"
	       "\"start--1\": {\"type\": \"start\", \"on_completion\": \"action--1\"},"
	       "\"action--1\": {\"type\": \"action\", \"name\": \"Isolate it\", \"on_completion\": \"action--2\","
	       "  \"commands\": [{\"type\": \"bash\", \"command\": \"isolate-host --force __host__:value\"},"
	       "               {\"type\": \"bash\", \"command\": \"echo __host__ | tee /tmp/x; rm -f y\"}]},"
	       "\"action--2\": {\"type\": \"action\", \"name\": \"Tell the EDR\", \"on_completion\": \"action--3\","
	       "  \"targets\": [\"http-api--1\"], \"commands\": [{\"type\": \"http-api\", \"command\": \"POST /api/isolate HTTP/1.1\","
	       "  \"headers\": {\"Content-Type\": [\"application/json\"]}, \"content_b64\": \"eyJuIjogMX0=\"}]},"
	       "\"action--3\": {\"type\": \"action\", \"name\": \"Call the owner\", \"on_completion\": \"end--1\","
	       "  \"commands\": [{\"type\": \"manual\", \"command\": \"Call the owner of __host__\"}]},"
	       "\"end--1\": {\"type\": \"end\"}},"
	       "\"target_definitions\": {\"http-api--1\": {\"type\": \"http-api\", \"name\": \"EDR\","
	       "  \"address\": {\"dname\": [\"edr.example\"]}}}}", &im);
	cr_assert_eq(im.rc, 0, "all mapped; %zu notes, first %s", im.rep.n,
		     im.rep.n ? im.rep.v[0].what : "");
	step_is(&im, "variables", "inputs", "[{\"label\":\"the host\",\"name\":\"host\",\"required\":true}]");
	/* plain words: the argv itself, the variable one whole argument */
	step_is(&im, "isolate-it", "argv", "[\"isolate-host\",\"--force\",\"{{steps.variables.inputs.host}}\"]");
	step_is(&im, "isolate-it", "kind", "\"exec\"");
	/* shell syntax: bash -c, the value a positional argument, never in the script */
	step_is(&im, "isolate-it-2", "argv", "[\"bash\",\"-c\",\"echo \\\"${1}\\\" | tee /tmp/x; rm -f y\","
		"\"bash\",\"{{steps.variables.inputs.host}}\"]");
	step_is(&im, "isolate-it-2", "needs", "[\"isolate-it\"]");
	step_is(&im, "tell-the-edr", "kind", "\"http\"");
	step_is(&im, "tell-the-edr", "url", "\"https://edr.example/api/isolate\"");
	step_is(&im, "tell-the-edr", "method", "\"POST\"");
	step_is(&im, "tell-the-edr", "body", "{\"n\":1}");
	step_is(&im, "tell-the-edr", "headers", "{\"Content-Type\":\"application/json\"}");
	step_is(&im, "call-the-owner", "instructions", "\"Call the owner of {{steps.variables.inputs.host}}\"");
	step_is(&im, "call-the-owner", "kind", "\"manual\"");
	/* stages by position, in order */
	step_is(&im, "variables", "stage", "\"identification\"");
	step_is(&im, "call-the-owner", "stage", "\"recovery\"");
	imported_free(&im);
}

Test(cacao, conditions_parallel_and_failure)
{
	struct imported im;

	import(HEAD "\"workflow_start\": \"start--1\", \"workflow\": {"
	       "\"start--1\": {\"type\": \"start\", \"on_completion\": \"action--a\"},"
	       "\"action--a\": {\"type\": \"action\", \"name\": \"Look\", \"out_args\": [\"__r__\"],"
	       "  \"on_completion\": \"if-condition--1\", \"on_failure\": \"action--f\","
	       "  \"commands\": [{\"type\": \"bash\", \"command\": \"lookup\"}]},"
	       "\"action--f\": {\"type\": \"action\", \"name\": \"Lookup failed\", \"on_completion\": \"end--f\"},"
	       "\"end--f\": {\"type\": \"end\"},"
	       "\"if-condition--1\": {\"type\": \"if-condition\", \"condition\": \"__r__:value == 'bad'\","
	       "  \"on_true\": \"parallel--1\", \"on_false\": \"action--ok\", \"on_completion\": \"end--1\"},"
	       "\"parallel--1\": {\"type\": \"parallel\", \"next_steps\": [\"action--p1\", \"action--p2\"],"
	       "  \"on_completion\": \"action--after\"},"
	       "\"action--p1\": {\"type\": \"action\", \"name\": \"P1\", \"on_completion\": \"end--p1\"},"
	       "\"end--p1\": {\"type\": \"end\"},"
	       "\"action--p2\": {\"type\": \"action\", \"name\": \"P2\", \"on_completion\": \"end--p2\"},"
	       "\"end--p2\": {\"type\": \"end\"},"
	       "\"action--after\": {\"type\": \"action\", \"name\": \"After\", \"on_completion\": \"end--x\"},"
	       "\"end--x\": {\"type\": \"end\"},"
	       "\"action--ok\": {\"type\": \"action\", \"name\": \"Fine\", \"on_completion\": \"end--y\"},"
	       "\"end--y\": {\"type\": \"end\"},"
	       "\"end--1\": {\"type\": \"end\"}}}", &im);
	cr_assert_eq(im.rc, 0);
	step_is(&im, "look", "on_failure", "\"goto:lookup-failed\"");
	step_is(&im, "lookup-failed", "needs", "[\"look\"]");
	step_is(&im, "lookup-failed", "when", "\"steps.look.state == 'failed'\"");
	/* the condition, translated: the step variable is the step's output */
	step_is(&im, "p1", "when", "\"steps.look.output.stdout == 'bad'\"");
	step_is(&im, "p1", "needs", "[\"look\"]");
	step_is(&im, "p2", "needs", "[\"look\"]");
	step_is(&im, "after", "needs", "[\"p1\",\"p2\"]");
	step_is(&im, "fine", "when", "\"!(steps.look.output.stdout == 'bad')\"");
	imported_free(&im);
}

Test(cacao, what_is_not_mapped_is_named_and_kept)
{
	struct imported im;

	import(HEAD "\"workflow_start\": \"start--1\", \"workflow\": {"
	       "\"start--1\": {\"type\": \"start\", \"on_completion\": \"while-condition--1\"},"
	       "\"while-condition--1\": {\"type\": \"while-condition\", \"name\": \"Until clean\","
	       "  \"condition\": \"[file:hashes.'SHA-256' = 'x']\", \"on_true\": \"action--1\", \"on_completion\": \"action--2\"},"
	       "\"action--1\": {\"type\": \"action\", \"name\": \"Scan\", \"on_completion\": \"end--1\","
	       "  \"commands\": [{\"type\": \"powershell\", \"command\": \"Get-Thing\"}]},"
	       "\"end--1\": {\"type\": \"end\"},"
	       "\"action--2\": {\"type\": \"action\", \"name\": \"Done\", \"on_completion\": \"end--2\"},"
	       "\"end--2\": {\"type\": \"end\"},"
	       "\"action--lost\": {\"type\": \"action\", \"name\": \"Orphan\"}}}", &im);
	cr_assert_eq(im.rc, 1, "some constructs kept as x-cacao data");
	cr_assert(reported(&im, "$.workflow[\"while-condition--1\"]", "no loops"));
	cr_assert(reported(&im, "$.workflow[\"action--1\"].commands[0]", "command type 'powershell'"));
	cr_assert(reported(&im, "$.workflow[\"action--lost\"]", "not reachable"));
	/* the loop: a person decides, its data kept */
	step_is(&im, "until-clean", "x-cacao.type", "\"while-condition\"");
	step_is(&im, "until-clean", "inputs", "[{\"choices\":[\"yes\",\"no\"],\"name\":\"answer\",\"required\":true}]");
	step_is(&im, "scan", "x-cacao.command", "{\"command\":\"Get-Thing\",\"type\":\"powershell\"}");
	step_is(&im, "scan", "when", "\"steps.until-clean.inputs.answer == 'yes'\"");
	step_is(&im, "done", "needs", "[\"until-clean\"]");
	imported_free(&im);
}

Test(cacao, bad_input_is_an_error_with_its_place)
{
	struct strbuf out = STRBUF_INIT;
	struct cacao_report rep = { 0 };
	struct irk_err err = { 0 };

	cr_assert_eq(cacao_import("{\"type\": \"playbook\",\n \"workflow\": {,}}", 36, NULL, &out,
				  &rep, &err), -1);
	cr_assert(!strncmp(err.msg, "2:15: ", 6), "line and column first: %s", err.msg);
	cr_assert_eq(cacao_import("{\"type\": \"playbook\"}", 20, NULL, &out, &rep, &err), -1);
	cr_assert_str_eq(err.msg, "not a CACAO playbook: no workflow object");
	cr_assert_eq(cacao_import("{\"workflow\": {}}", 16, "identification,closing", &out, &rep,
				  &err), -1);
	cr_assert_str_eq(err.msg, "--stages: 'closing' is not a stage a step can have");
	cr_assert_eq(out.len, 0, "nothing written");
	strbuf_free(&out);
	cacao_report_free(&rep);
}

/* The verbatim public playbooks, when the samples folder exists. */
Test(cacao, samples)
{
	char dir[512], path[1024];
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (!tmp_samples_dir("cacao", dir, sizeof dir) || !(d = opendir(dir))) {
		cr_log_info("no CACAO samples (shared/samples/cacao): conformance skipped");
		return;
	}
	while ((e = readdir(d))) {
		struct strbuf src = STRBUF_INIT;
		struct imported im;
		char buf[4096];
		size_t got;
		FILE *f;

		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		cr_assert_not_null(f = fopen(path, "r"), "%s", path);
		while ((got = fread(buf, 1, sizeof buf, f)) > 0)
			strbuf_add(&src, buf, got);
		fclose(f);
		import(strbuf_str(&src), &im);
		cr_assert_gt(im.p->nsteps, 0, "%s: steps imported", e->d_name);
		if (strstr(e->d_name, "executable-playbooks")) {
			step_is(&im, "perform-an-http-request", "url", "\"https://httpbin.org/get?newyears=false\"");
			step_is(&im, "perform-an-http-request", "when",
				"\"steps.get-current-time-current-system.output.stdout != '01-01-2025'\"");
			step_is(&im, "get-current-time-current-system", "argv",
				"[\"ssh\",\"-o\",\"BatchMode=yes\",\"--\",\"{{steps.variables.inputs.target_ip}}\","
				"\"date -I | tr -d \\\"\\\\n\\\"\"]");
			cr_assert(reported(&im, "$.workflow[\"while-condition--d865da4e-4f53-4b29-aaba-b8f5711d50ff\"]",
					   "no loops"));
			cr_assert_eq(im.rc, 1);
		} else if (strstr(e->d_name, "vulnerability-response")) {
			cr_assert_eq(im.rc, 0, "every construct mapped");
			cr_assert_eq(im.p->nsteps, 8);
			/* a join: reached from every branch, it runs when any leads to it */
			step_is(&im, "as-directed-report-status-to-cisa", "needs", "(none)");
			cr_assert_eq(im.p->steps[7].id[0], 'a', "the join comes last: %s", im.p->steps[7].id);
		} else if (strstr(e->d_name, "manual-playbook")) {
			cr_assert(reported(&im, "$.workflow_exception", "not imported"));
		}
		imported_free(&im);
		strbuf_free(&src);
		n++;
	}
	closedir(d);
	cr_assert_geq(n, 3, "the three sample playbooks (found %d)", n);
}

/* Export then import: the same steps (ids, stages, kinds, titles, what
 * they run, when); needs come from the order (irk-play(5) CACAO). */
Test(cacao, round_trip)
{
	static const char play[] =
		"{\"play\": \"rt\", \"name\": \"Round trip\", \"version\": 1, \"match\": \"rule == 'x'\",\n"
		" \"steps\": [\n"
		"  {\"id\": \"look\", \"stage\": \"identification\", \"kind\": \"manual\", \"title\": \"Look at it\",\n"
		"   \"instructions\": \"Check {{alert.host}}\"},\n"
		"  {\"id\": \"isolate\", \"stage\": \"containment\", \"kind\": \"exec\", \"title\": \"Isolate\",\n"
		"   \"argv\": [\"isolate-host\", \"--reason\", \"it's bad\", \"{{alert.host}}\"],\n"
		"   \"when\": \"severity >= 'high'\", \"needs\": [\"look\"]},\n"
		"  {\"id\": \"tell\", \"stage\": \"containment\", \"kind\": \"http\", \"title\": \"Tell the EDR\",\n"
		"   \"method\": \"POST\", \"url\": \"https://edr.example:8443/api/{{alert.host}}\",\n"
		"   \"body\": {\"incident\": \"{{incident.key}}\", \"n\": 2}, \"needs\": [\"isolate\"]},\n"
		"  {\"id\": \"note\", \"stage\": \"containment\", \"kind\": \"notify\", \"to\": \"role:senior\",\n"
		"   \"text\": \"done\", \"needs\": [\"tell\"]}]}\n";
	struct play_diags diags = PLAY_DIAGS_INIT;
	struct play *p = NULL;
	struct strbuf out = STRBUF_INIT;
	struct cacao_report rep = { 0 };
	struct irk_err err = { 0 };
	struct imported im;

	play_parse("rt.json", play, strlen(play), &p, &diags);
	cr_assert_not_null(p);
	cr_assert_eq(cacao_export(p, 1700000000, &out, &rep, &err), 1, "the notify step is described");
	cr_assert_eq(rep.n, 1);
	cr_assert_str_eq(rep.v[0].path, "steps.note");
	cr_assert(strstr(out.buf, "\"spec_version\": \"cacao-2.0\""));
	cr_assert(strstr(out.buf, "\"created\": \"2023-11-14T22:13:20.000Z\""));
	import(strbuf_str(&out), &im);
	cr_assert_eq(im.p->nsteps, 4);
	/* irk's step extension gives the ids and stages back */
	step_is(&im, "look", "kind", "\"manual\"");
	step_is(&im, "look", "instructions", "\"Check {{alert.host}}\"");
	step_is(&im, "isolate", "stage", "\"containment\"");
	step_is(&im, "tell", "stage", "\"containment\"");
	step_is(&im, "isolate", "argv", "[\"isolate-host\",\"--reason\",\"it's bad\",\"{{alert.host}}\"]");
	step_is(&im, "isolate", "when", "\"severity >= 'high'\"");
	step_is(&im, "tell", "url", "\"https://edr.example:8443/api/{{alert.host}}\"");
	step_is(&im, "tell", "method", "\"POST\"");
	step_is(&im, "tell", "body", "{\"incident\":\"{{incident.key}}\",\"n\":2}");
	step_is(&im, "note", "kind", "\"manual\"");
	/* needs become the play's order (a step after a when needs the one
	 * before the when) */
	step_is(&im, "tell", "needs", "[\"look\"]");
	/* the same play exported twice: the same ids */
	{
		struct strbuf again = STRBUF_INIT;
		struct cacao_report r2 = { 0 };
		cacao_export(p, 1700000000, &again, &r2, &err);
		cr_assert_str_eq(again.buf, out.buf);
		strbuf_free(&again);
		cacao_report_free(&r2);
	}
	imported_free(&im);
	strbuf_free(&out);
	cacao_report_free(&rep);
	play_free(&p);
	play_diags_free(&diags);
}

/* A value never lands inside a bash script: a template or a variable in
 * a command with shell syntax becomes a positional argument. */
Test(cacao, values_stay_out_of_scripts)
{
	struct imported im;

	import(HEAD "\"playbook_variables\": {\"__u__\": {\"type\": \"string\"}},"
	       "\"workflow_start\": \"start--1\", \"workflow\": {"
	       "\"start--1\": {\"type\": \"start\", \"on_completion\": \"action--1\"},"
	       "\"action--1\": {\"type\": \"action\", \"name\": \"Grep\", \"on_completion\": \"end--1\","
	       "  \"commands\": [{\"type\": \"bash\", \"command\": \"grep {{alert.user}} /var/log/auth.log | grep __u__ > /tmp/o\"}]},"
	       "\"end--1\": {\"type\": \"end\"}}}", &im);
	step_is(&im, "grep", "argv", "[\"bash\",\"-c\",\"grep \\\"${1}\\\" /var/log/auth.log | grep \\\"${2}\\\" > /tmp/o\","
		"\"bash\",\"{{alert.user}}\",\"{{steps.variables.inputs.u}}\"]");
	imported_free(&im);
}
