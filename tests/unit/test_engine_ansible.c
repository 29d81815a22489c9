/* test_engine_ansible.c: what the ansible runner hands ansible-playbook
 * (argv, inventory from a group of known hosts or a list, --extra-vars
 * YAML with every string !unsafe, a clean environment) and what it makes of the answer (PLAY RECAP,
 * exit codes), with a stand-in program that records what it got. The real
 * ansible-core run is tests/e2e/engine_ansible.sh. */
#include "engine_testlib.h"
#include "irk/incident.h"
#include "irk/model.h"

static struct store *s;
static struct config *cfg;

/* Records argv, the inventory, the vars and HOME; then prints a recap
 * (the file recap beside it when there is one). */
static const char fake[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"printf '%s\\n' \"$@\" > \"$d/argv\"\n"
	"while [ $# -gt 0 ]; do case $1 in -i) cp \"$2\" \"$d/inventory\";; "
	"--extra-vars) cp \"${2#@}\" \"$d/vars\";; esac; shift; done\n"
	"env > \"$d/env\"\n"
	"echo 'PLAY [all] ****'\n"
	"echo 'PLAY RECAP *********'\n"
	"if [ -f \"$d/recap\" ]; then cat \"$d/recap\"; else\n"
	"echo 'web-01                     : ok=2    changed=1    unreachable=0    failed=0    skipped=0'\n"
	"echo 'web-02                     : ok=1    changed=0    unreachable=0    failed=1    skipped=0'\n"
	"fi\n"
	"echo\n"
	"exit ${FAKE_RC:-0}\n";

static void setup(void)
{
	char *bin;

	s = tmp_store("ans.db");
	cfg = config_new();
	bin = tmp_write("ansible-playbook", fake, sizeof fake - 1, 0700);
	cr_assert_eq(config_set(cfg, "engine.ansible", bin, NULL), IRK_OK);
	free(bin);
	free(tmp_write("site.yml", "- hosts: all\n", 13, 0600));
}

static void teardown(void)
{
	store_close(&s);
	config_free(&cfg);
	tmp_cleanup();
}

TestSuite(ansible, .init = setup, .fini = teardown);

static void host(const char *name)
{
	struct incident inc = { 0 };
	struct irk_err err = { 0 };

	inc.title = xstrdup("x");
	inc.host = xstrdup(name);
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_incident_insert(s, &inc, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	incident_clear(&inc);
}

static int run(const char *def, const char *const *fields, struct run_result *r)
{
	struct testlib_fields f = { fields };
	struct step_row st = { .kind = "ansible", .step_id = "a", .incident_id = 7, .def = def };
	struct run_env env = { .s = s, .cfg = cfg, .step = &st, .play_dir = tmp_dir(),
		.lookup = testlib_lookup, .fields = &f, .cancel_fd = -1 };

	run_result_init(r);
	return run_step(&env, r);
}

/* The recap the stand-in prints next. */
static void recap(const char *text)
{
	free(tmp_write("recap", text, strlen(text), 0600));
}

static char *file(const char *name)
{
	char *p = tmp_path(name), *t = testlib_slurp(p);

	cr_assert_not_null(t, "%s was not written", p);
	free(p);
	return t;
}

Test(ansible, a_group_of_known_hosts_becomes_the_inventory)
{
	const char *fields[] = { "asset.group", "web", "incident.key", "IR-7", NULL };
	struct run_result r;
	char *inv, *argv, *vars, *env, want[4096];

	host("web-01");
	host("web-02");
	host("db-01");
	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"{{asset.group}}\", "
			 "\"connection\": \"local\", \"check\": true, \"vars\": {\"factor\": \"10\", "
			 "\"why\": \"{{incident.key}}\", \"n\": 3}}", fields, &r), RUN_DONE, "%s", r.why);
	inv = file("inventory");
	cr_assert_str_eq(inv, "[web]\nweb-01\nweb-02\n");
	vars = file("vars");
	cr_assert_str_eq(vars, "{\"factor\": !unsafe \"10\", \"why\": !unsafe \"IR-7\", \"n\": 3}\n");
	argv = file("argv");
	/* The temporary paths vary: compare the parts around them. */
	cr_assert(strstr(argv, "-c\nlocal\n--check\n--extra-vars\n@"), "%s", argv);
	cr_assert(strstr(argv, "/inventory.ini\n-c"), "%s", argv);
	snprintf(want, sizeof want, "/vars.yml\n%s/site.yml\n", tmp_dir());
	cr_assert(strstr(argv, want), "%s", argv);
	env = file("env");
	cr_assert(strstr(env, "ANSIBLE_NOCOLOR=1"), "%s", env);
	cr_assert(strstr(env, "HOME=/"), "%s", env);
	cr_assert_null(strstr(env, "CRITERION"), "the parent's environment leaked: %s", env);
	cr_assert_str_eq(r.output.buf, "{\"rc\":0,\"hosts\":[\"web-01\",\"web-02\"],\"recap\":{"
			 "\"web-01\":{\"ok\":2,\"changed\":1,\"unreachable\":0,\"failed\":0,\"skipped\":0},"
			 "\"web-02\":{\"ok\":1,\"changed\":0,\"unreachable\":0,\"failed\":1,\"skipped\":0}}}");
	free(inv);
	free(vars);
	free(argv);
	free(env);
	run_result_free(&r);
}

Test(ansible, a_list_of_hosts_and_an_unknown_name)
{
	struct run_result r;
	char *inv;

	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"mail-03, mail-04 mx-1\"}", NULL,
			 &r), RUN_DONE, "%s", r.why);
	inv = file("inventory");
	cr_assert_str_eq(inv, "[mail]\nmail-03\nmail-04\nmx-1\n");
	free(inv);
	run_result_free(&r);
}

Test(ansible, host_names_cannot_inject_inventory_lines)
{
	const char *fields[] = { "alert.host", "web-01 ansible_connection=local", NULL };
	const char *fields2[] = { "alert.host", "[evil]", NULL };
	struct run_result r;

	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"{{alert.host}}\"}", fields, &r),
		     RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert_str_eq(r.why, "hosts: 'ansible_connection=local' is not a host or group name");
	run_result_free(&r);
	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"{{alert.host}}\"}", fields2, &r),
		     RUN_FAILED);
	cr_assert(r.permanent);
	run_result_free(&r);
}

/* host:port in an inventory line is a port: an alert's host cannot send
 * the play to another port. A whole IPv6 address still is a host. */
Test(ansible, a_colon_is_only_an_ipv6_address)
{
	const char *fields[] = { "alert.host", "web-01:2222", NULL };
	const char *fields6[] = { "alert.host", "2001:db8::7", NULL };
	const char *fields_end[] = { "alert.host", "2001:db8::", NULL };
	struct run_result r;
	char *inv;

	/* ansible refuses a whole inventory with "2001:db8::" in it: the
	 * other hosts of the step would not be reached either. */
	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"web-01 {{alert.host}}\"}", fields_end,
			 &r), RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert_str_eq(r.why, "hosts: '2001:db8::' is not a host or group name");
	run_result_free(&r);
	recap("2001:db8::7                : ok=1    changed=0    unreachable=0    "
	      "failed=0    skipped=0\n");

	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"{{alert.host}}\"}", fields, &r),
		     RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert_str_eq(r.why, "hosts: 'web-01:2222' is not a host or group name");
	run_result_free(&r);
	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"{{alert.host}}\"}", fields6, &r),
		     RUN_DONE, "%s", r.why);
	inv = file("inventory");
	cr_assert_str_eq(inv, "[targets]\n2001:db8::7\n");
	/* Its line of the recap is read whole, colons and all. */
	cr_assert_str_eq(r.output.buf, "{\"rc\":0,\"hosts\":[\"2001:db8::7\"],\"recap\":{"
			 "\"2001:db8::7\":{\"ok\":1,\"changed\":0,\"unreachable\":0,\"failed\":0,"
			 "\"skipped\":0}}}");
	free(inv);
	run_result_free(&r);
}

/* ansible-playbook ends with 0 when no host matched the play: that is not
 * done. Found by review: the step was done with an empty recap. */
Test(ansible, no_host_in_the_recap_fails_the_step)
{
	struct run_result r;

	recap("");
	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"web-01\"}", NULL, &r), RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert_str_eq(r.why, "ansible-playbook ran on no host (no host matched the playbook's hosts, "
			 "or the inventory was refused; see the log)");
	cr_assert(strstr(r.output.buf, "\"recap\":{}"), "%s", r.output.buf);
	run_result_free(&r);
}

Test(ansible, failed_task_fails_the_step)
{
	struct run_result r;

	setenv("FAKE_RC", "2", 1);   /* not passed: the environment is clean */
	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"web-01\"}", NULL, &r), RUN_DONE);
	run_result_free(&r);
	cr_assert_eq(config_set(cfg, "engine.ansible", "/bin/false", NULL), IRK_OK);
	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"web-01\"}", NULL, &r), RUN_FAILED);
	cr_assert_str_eq(r.why, "ansible-playbook: exit status 1 (error; see the log)");
	run_result_free(&r);
}

Test(ansible, missing_playbook)
{
	struct run_result r;

	cr_assert_eq(run("{\"playbook\": \"nope.yml\", \"hosts\": \"web-01\"}", NULL, &r), RUN_FAILED);
	cr_assert(r.permanent);
	cr_assert(strstr(r.why, "nope.yml: No such file or directory"), "%s", r.why);
	run_result_free(&r);
}

/* Loads the vars file the way ansible does (PyYAML, !unsafe as a marker)
 * and prints it as JSON with each string prefixed "U:" when it was tagged
 * !unsafe, so the test sees both the values and the tags. */
static const char yaml_dump[] =
	"import json, sys, yaml\n"
	"class L(yaml.SafeLoader): pass\n"
	"L.add_constructor('!unsafe', lambda l, n: 'U:' + l.construct_scalar(n))\n"
	"v = yaml.load(open(sys.argv[1], encoding='utf-8'), Loader=L)\n"
	"open(sys.argv[2], 'w', encoding='utf-8').write(json.dumps(v, ensure_ascii=False))\n";

Test(ansible, vars_reach_ansible_as_unsafe_yaml_with_every_character_intact)
{
	/* Quotes, backslashes, YAML syntax, line breaks (also U+2028 and
	 * NEL, which YAML would fold), controls, a BOM, Jinja, non-ASCII. */
	const char *evil = "a\"b\\c'd: {{ lookup('pipe', 'id') }} #x\n\tz\x01\x7f"
			   "\xc2\x85\xe2\x80\xa8\xef\xbb\xbf!!python/object: [] & * | > % @ `"
			   " \xc3\xa9\xe2\x86\x92\xf0\x9f\x94\xa5";
	const char *fields[] = { "alert.rule_name", evil, NULL };
	struct run_result r;
	char *py = tmp_write("dump.py", yaml_dump, sizeof yaml_dump - 1, 0600);
	char *vp = tmp_path("vars"), *out = tmp_path("vars.out");
	const char *argv[] = { "/usr/bin/python3", py, vp, out, NULL };
	json_t *j, *want;
	char *got;

	cr_assert_eq(run("{\"playbook\": \"site.yml\", \"hosts\": \"web-01\", \"vars\": {"
			 "\"sig\": \"{{alert.rule_name}}\", \"list\": [\"{{alert.rule_name}}\", 1.5, "
			 "1e5, -7, true, null, {\"k\": \"v\"}], \"odd key\\\"\": \"x\"}}", fields, &r),
		     RUN_DONE, "%s", r.why);
	cr_assert_eq(testlib_spawn_wait(argv), 0, "PyYAML could not read %s", vp);
	got = testlib_slurp(out);
	j = testlib_json(got);
	want = json_pack("{s:s+, s:[s+, f, f, i, b, n, {s:s}], s:s}", "sig", "U:", evil, "list",
			 "U:", evil, 1.5, 1e5, -7, 1, "k", "U:v", "odd key\"", "U:x");
	cr_assert_not_null(want);
	cr_assert(json_equal(j, want), "PyYAML read:\n%s\nwant:\n%s", got,
		  json_dumps(want, JSON_COMPACT | JSON_ENSURE_ASCII));
	json_decref(j);
	json_decref(want);
	free(got);
	free(py);
	free(vp);
	free(out);
	run_result_free(&r);
}
