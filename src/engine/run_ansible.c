/* run_ansible.c: the ansible step: ansible-playbook with an argv (no
 * shell), a temporary inventory and the step's vars as --extra-vars.
 *
 * Ansible templates the strings of extra vars with Jinja on the
 * controller, where `{{ lookup('pipe', ...) }}` runs a command. The vars
 * are built from alert fields, which an attacker writes, so they go to
 * ansible as a YAML file in which every string is tagged !unsafe: ansible
 * hands such values to the playbook as they are and never templates them.
 *
 * "hosts" (a template) names either a group (every host of the incidents
 * whose name without its trailing number is that group: web-01, web-02 are
 * group web) or hosts, separated by commas or spaces. The inventory puts
 * them in that group, so the playbook may say `hosts: all` or the group. The
 * run happens in a private directory that also serves as HOME, so no
 * ansible.cfg or ~/.ansible of whoever started irk is read. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irk/config.h"
#include "irk/jsonw.h"
#include "irk/play.h"
#include "irk/store.h"
#include "internal.h"

struct inv {
	char **hosts;
	size_t n;
	const char *group;
};

/* Host names go into an INI inventory: nothing that could add a variable
 * or a section. */
static int valid_host(const char *h)
{
	size_t n = strlen(h);
	struct in6_addr a6;

	/* A colon is the port in an inventory line ("web-01:2222" would send
	 * the play to another port): only in a whole IPv6 address, and not
	 * last (ansible's inventory refuses the whole file then). */
	if (strchr(h, ':'))
		return inet_pton(AF_INET6, h, &a6) == 1 && h[n - 1] != ':';   /* ansible refuses "1::" */
	return n && n < 254 && h[0] != '-' && h[0] != '[' &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int add_host(struct inv *v, const char *h)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->hosts[i], h))
			return 0;
	run_strv_add(&v->hosts, &v->n, xstrdup(h));
	return 0;
}

static int add_if_in_group(const char *host, void *arg)
{
	struct inv *v = arg;
	char g[256];

	if (valid_host(host) && !strcmp(play_host_group(host, g, sizeof g), v->group))
		add_host(v, host);
	return 0;
}

/* Hosts from the expanded "hosts" value; *is_group when it was one word
 * naming a group of known hosts. */
static int resolve_hosts(struct run_ctx *c, const char *spec, struct inv *v, int *is_group)
{
	char *copy = xstrdup(spec), *save = NULL, *t;
	size_t lead = strspn(spec, ", \t\n");

	*is_group = 0;
	if (c->env->s && spec[lead] && !spec[lead + strcspn(spec + lead, ", \t\n")] &&
	    valid_host(spec + lead)) {
		v->group = spec + lead;
		store_host_each(c->env->s, add_if_in_group, v, NULL);
		v->group = NULL;
		*is_group = v->n > 0;
	}
	for (t = strtok_r(copy, ", \t\n", &save); t && !*is_group;
	     t = strtok_r(NULL, ", \t\n", &save)) {
		if (!valid_host(t)) {
			run_fail(c->r, 1, "hosts: '%.100s' is not a host or group name", t);
			free(copy);
			return -1;
		}
		add_host(v, t);
	}
	free(copy);
	if (!v->n)
		return run_fail(c->r, 1, "hosts names nobody"), -1;
	return 0;
}

static int write_file(struct run_ctx *c, const char *name, const char *data, char *path,
		      size_t n)
{
	int fd;
	size_t len = strlen(data);

	snprintf(path, n, "%s/%s", c->workdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		run_fail(c->r, 0, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* "web-01 : ok=2 changed=1 unreachable=0 failed=0 ..." lines after PLAY
 * RECAP, as {"web-01": {"ok": 2, ...}}. */
static int parse_recap(const struct strbuf *out, struct jsonw *w)
{
	const char *s = out->buf ? strstr(out->buf, "PLAY RECAP") : NULL;
	int nhosts = 0;

	jsonw_key(w, "recap");
	jsonw_obj_begin(w);
	if (!s) {
		jsonw_obj_end(w);
		return 0;
	}
	s = strchr(s, '\n');
	while (s && *++s) {
		const char *eol = strchr(s, '\n'), *colon;
		char host[256];
		size_t hl;

		if (!eol)
			eol = s + strlen(s);
		/* "HOST   : ok=2 ..." (an IPv6 host holds colons itself) */
		colon = memmem(s, (size_t)(eol - s), " : ", 3);
		if (!colon || !memmem(colon, (size_t)(eol - colon), "ok=", 3))
			break;
		colon++;
		nhosts++;
		hl = (size_t)(colon - s);
		while (hl && s[hl - 1] == ' ')
			hl--;
		snprintf(host, sizeof host, "%.*s", (int)hl, s);
		jsonw_key(w, host);
		jsonw_obj_begin(w);
		for (const char *p = colon + 1; p < eol;) {
			const char *eq;
			char key[32];
			while (p < eol && *p == ' ')
				p++;
			eq = memchr(p, '=', (size_t)(eol - p));
			if (!eq || (size_t)(eq - p) >= sizeof key)
				break;
			snprintf(key, sizeof key, "%.*s", (int)(eq - p), p);
			jsonw_kv_int(w, key, strtoll(eq + 1, NULL, 10));
			p = eq + 1;
			while (p < eol && *p != ' ')
				p++;
		}
		jsonw_obj_end(w);
		s = eol;
		if (!*s)
			break;
	}
	jsonw_obj_end(w);
	return nhosts;
}

int run_ansible(const struct run_env *env, struct run_result *r)
{
	struct run_ctx c;
	struct inv inv = { 0 };
	struct proc_result p = { 0 };
	struct strbuf ini = STRBUF_INIT, vars = STRBUF_INIT, yaml = STRBUF_INIT;
	struct strbuf pbpath = STRBUF_INIT;
	struct jsonw w;
	char **argv = NULL, **envp = NULL, prog[4096], inv_path[4200], vars_path[4200];
	char group[256], status[64], *hosts = NULL, *pb = NULL;
	const char *conn, *bin;
	size_t argc = 0, envc = 0;
	int v, rc, is_group = 0, nrecap;

	if (run_ctx_init(&c, env, r))
		goto out;
	if (!run_str(&c, "playbook")) {
		run_fail(r, 1, "an ansible step needs a playbook");
		goto out;
	}
	if (!(pb = run_expand(&c, run_str(&c, "playbook"), "playbook")))
		goto out;
	if (pb[0] != '/') {
		if (!env->play_dir || env->play_dir[0] != '/') {
			run_fail(r, 1, "playbook %.200s: relative, and the play's directory is not known", pb);
			goto out;
		}
		strbuf_printf(&pbpath, "%s/%s", env->play_dir, pb);
	} else {
		strbuf_puts(&pbpath, pb);
	}
	if (access(strbuf_str(&pbpath), R_OK)) {
		run_fail(r, 1, "playbook %.300s: %s", strbuf_str(&pbpath), strerror(errno));
		goto out;
	}
	if (!run_str(&c, "hosts")) {
		run_fail(r, 1, "an ansible step needs hosts");
		goto out;
	}
	if (!(hosts = run_expand(&c, run_str(&c, "hosts"), "hosts")) ||
	    resolve_hosts(&c, hosts, &inv, &is_group))
		goto out;
	/* The group: the one word given, else the group of the first host. */
	if (is_group)
		snprintf(group, sizeof group, "%s", hosts + strspn(hosts, ", \t\n"));
	else
		play_host_group(inv.hosts[0], group, sizeof group);
	if (!group[0] || !strcmp(group, "all") || !strcmp(group, "ungrouped") || !valid_host(group))
		snprintf(group, sizeof group, "targets");
	strbuf_printf(&ini, "[%s]\n", group);
	for (size_t i = 0; i < inv.n; i++)
		strbuf_printf(&ini, "%s\n", inv.hosts[i]);
	if ((v = jdoc_get(&c.def, 0, "vars")) >= 0) {
		if (jdoc_type(&c.def, v) != JD_OBJECT) {
			run_fail(r, 1, "vars must be an object");
			goto out;
		}
		/* JSON for the log, YAML for ansible. */
		if (run_expand_json(&c, v, "vars", &vars) ||
		    run_expand_yaml_unsafe(&c, v, "vars", &yaml))
			goto out;
	} else {
		strbuf_puts(&vars, "{}");
		strbuf_puts(&yaml, "{}");
	}
	strbuf_addc(&yaml, '\n');
	bin = config_settings(env->cfg)->engine.ansible;
	if (!bin || !*bin)
		bin = config_settings(NULL)->engine.ansible;
	if (!proc_find(bin, run_path(env), prog, sizeof prog)) {
		run_fail(r, 1, "%s not found in engine.path (install ansible-core)", bin);
		goto out;
	}
	if (run_workdir(&c) ||
	    write_file(&c, "inventory.ini", strbuf_str(&ini), inv_path, sizeof inv_path) ||
	    write_file(&c, "vars.yml", strbuf_str(&yaml), vars_path, sizeof vars_path))
		goto out;

	run_strv_add(&argv, &argc, xstrdup(prog));
	run_strv_add(&argv, &argc, xstrdup("-i"));
	run_strv_add(&argv, &argc, xstrdup(inv_path));
	if ((conn = run_str(&c, "connection"))) {
		run_strv_add(&argv, &argc, xstrdup("-c"));
		run_strv_add(&argv, &argc, xstrdup(conn));
	}
	if (jdoc_type(&c.def, jdoc_get(&c.def, 0, "check")) == JD_TRUE)
		run_strv_add(&argv, &argc, xstrdup("--check"));
	{
		struct strbuf ev = STRBUF_INIT;
		strbuf_printf(&ev, "@%s", vars_path);
		run_strv_add(&argv, &argc, xstrdup("--extra-vars"));
		run_strv_add(&argv, &argc, strbuf_detach(&ev));
	}
	run_strv_add(&argv, &argc, xstrdup(strbuf_str(&pbpath)));

	run_env_base(&c, &envp, &envc);
	{
		struct strbuf t = STRBUF_INIT;
		strbuf_printf(&t, "ANSIBLE_LOCAL_TEMP=%s/.ansible/tmp", c.workdir);
		run_strv_add(&envp, &envc, strbuf_detach(&t));
	}
	run_strv_add(&envp, &envc, xstrdup("ANSIBLE_NOCOLOR=1"));
	run_strv_add(&envp, &envc, xstrdup("ANSIBLE_RETRY_FILES_ENABLED=0"));
	run_strv_add(&envp, &envc, xstrdup("PYTHONUNBUFFERED=1"));

	if ((rc = run_program(&c, argv, envp, c.workdir, PLAY_TIMEOUT_ANSIBLE, &p)) < 0)
		goto out;

	jsonw_init(&w, &r->log, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_str(&w, "playbook", strbuf_str(&pbpath));
	jsonw_kv_str(&w, "group", group);
	jsonw_kv_str(&w, "inventory", strbuf_str(&ini));
	jsonw_key(&w, "vars");
	jsonw_raw(&w, strbuf_str(&vars));
	run_log_proc(&w, &p);
	jsonw_obj_end(&w);

	jsonw_init(&w, &r->output, 0);
	jsonw_obj_begin(&w);
	if (WIFEXITED(p.status) && !p.timed_out && !p.cancelled)
		jsonw_kv_int(&w, "rc", WEXITSTATUS(p.status));
	jsonw_key(&w, "hosts");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < inv.n; i++)
		jsonw_str(&w, inv.hosts[i]);
	jsonw_arr_end(&w);
	nrecap = parse_recap(&p.out, &w);
	jsonw_obj_end(&w);

	if (rc == 0 && r->status == RUN_DONE && !nrecap) {
		/* ansible-playbook ends well when no host matched (or it could
		 * not read the inventory): nothing was done. */
		run_fail(r, 1, "ansible-playbook ran on no host (no host matched the playbook's "
			 "hosts, or the inventory was refused; see the log)");
	} else if (rc > 0) {
		/* ansible-playbook: 2 a task failed, 4 a host was unreachable. */
		int x = WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -1;
		run_fail(r, 0, "ansible-playbook: %s%s",
			 proc_status_text(p.status, status, sizeof status),
			 x == 2 ? " (a task failed)" : x == 4 ? " (a host was unreachable)" :
			 x == 1 ? " (error; see the log)" : "");
	}
out:
	proc_result_free(&p);
	run_strv_free(argv, argc);
	run_strv_free(envp, envc);
	run_strv_free(inv.hosts, inv.n);
	strbuf_free(&ini);
	strbuf_free(&vars);
	strbuf_free(&yaml);
	strbuf_free(&pbpath);
	free(hosts);
	free(pb);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_ansible_ops = {
	.flags = RUN_PROGRAMS,
	.run = run_ansible,
};
