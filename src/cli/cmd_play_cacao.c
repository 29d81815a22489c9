/* cmd_play_cacao.c: irk play import (CACAO 2.0 to an irk play) and irk
 * play export (an irk play as it is, or as CACAO 2.0). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irk/app.h"
#include "irk/cacao.h"
#include "irk/clock.h"
#include "irk/cli.h"
#include "irk/play.h"
#include "irk/strbuf.h"

#define IMPORT_MAX (16 << 20)   /* a playbook file larger than this is refused */

/* Read path (at most max bytes) into out; -1 with a message on stderr. */
static int read_all(const char *path, size_t max, struct strbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "irk: ");
		cli_put(stderr, path);
		fprintf(stderr, ": %s\n", strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (out->len + n > max) {
			fclose(f);
			fprintf(stderr, "irk: ");
			cli_put(stderr, path);
			fprintf(stderr, ": larger than %zu bytes\n", max);
			return -1;
		}
		strbuf_add(out, buf, n);
	}
	fclose(f);
	strbuf_add(out, "", 0);
	return 0;
}

/* text to out_path (a temporary file renamed over it), or stdout when
 * out_path is NULL or "-". */
static int write_out(const char *out_path, const struct strbuf *text)
{
	struct strbuf tmp = STRBUF_INIT;
	FILE *f;
	int ok;

	if (!out_path || !strcmp(out_path, "-")) {
		fwrite(text->buf, 1, text->len, stdout);
		return fflush(stdout) ? -1 : 0;
	}
	strbuf_printf(&tmp, "%s.tmp.%ld", out_path, (long)getpid());
	if (!(f = fopen(strbuf_str(&tmp), "w"))) {
		fprintf(stderr, "irk: ");
		cli_put(stderr, out_path);
		fprintf(stderr, ": %s\n", strerror(errno));
		strbuf_free(&tmp);
		return -1;
	}
	ok = fwrite(text->buf, 1, text->len, f) == text->len;
	ok = !fclose(f) && ok;
	if (!ok || rename(strbuf_str(&tmp), out_path)) {
		fprintf(stderr, "irk: ");
		cli_put(stderr, out_path);
		fprintf(stderr, ": %s\n", strerror(errno));
		unlink(strbuf_str(&tmp));
		strbuf_free(&tmp);
		return -1;
	}
	strbuf_free(&tmp);
	return 0;
}

/* Every note of rep on stderr, "irk: PREFIX: PATH: what" (sanitized). */
static void put_report(const char *prefix, const struct cacao_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		fprintf(stderr, "irk: %s: ", prefix);
		cli_put(stderr, rep->v[i].path);
		fprintf(stderr, ": ");
		cli_put(stderr, rep->v[i].what);
		fputc('\n', stderr);
	}
}

int cli_play_import(struct cli *c, const char *path, const char *out_path, const char *stages)
{
	struct strbuf src = STRBUF_INIT, out = STRBUF_INIT;
	struct cacao_report rep = { 0 };
	struct irk_err err = { 0 };
	int rc;

	(void)c;
	if (read_all(path, IMPORT_MAX, &src)) {
		strbuf_free(&src);
		return EXIT_ERR;
	}
	rc = cacao_import(src.buf, src.len - 0, stages, &out, &rep, &err);
	if (rc < 0) {
		fprintf(stderr, "irk: ");
		cli_put(stderr, path);
		fprintf(stderr, ": ");
		cli_put(stderr, err.msg);
		fputc('\n', stderr);
		rc = err.code == IRK_INVALID && !strncmp(err.msg, "--stages", 8) ? EXIT_USAGE : EXIT_ERR;
	} else {
		put_report(path, &rep);
		if (rep.n)
			fprintf(stderr, "irk: %zu construct%s not mapped (kept as x-cacao data or "
				"named above)\n", rep.n, rep.n == 1 ? "" : "s");
		rc = write_out(out_path, &out) ? EXIT_ERR : rc ? EXIT_PARTIAL : EXIT_OK;
	}
	cacao_report_free(&rep);
	strbuf_free(&src);
	strbuf_free(&out);
	return rc;
}

int cli_play_export(struct cli *c, const char *which, int cacao, const char *out_path)
{
	struct play_catalog cat = { 0 };
	struct play_diags diags = PLAY_DIAGS_INIT;
	struct play *own = NULL;
	const struct play *p;
	struct strbuf out = STRBUF_INIT;
	struct cacao_report rep = { 0 };
	struct irk_err err = { 0 };
	int rc = EXIT_ERR;

	play_catalog_load(&cat, c->app.cfg, &err);
	if (strchr(which, '/') || strstr(which, ".json")) {
		play_load_file(which, &own, &diags);
		cli_play_diags(&diags);
		p = own;
	} else if (!(p = play_catalog_find(&cat, which))) {
		fprintf(stderr, "irk play export: no play '");
		cli_put(stderr, which);
		fprintf(stderr, "' (irk play list shows them; or give a FILE)\n");
		rc = EXIT_USAGE;
	}
	if (!p)
		goto out;
	if (!cacao) {
		if (read_all(p->path, IMPORT_MAX, &out))
			goto out;
		out.len--;              /* read_all's NUL */
		rc = write_out(out_path, &out) ? EXIT_ERR : EXIT_OK;
		goto out;
	}
	if (cacao_export(p, (long long)irk_now(), &out, &rep, &err) < 0) {
		fprintf(stderr, "irk: play export: ");
		cli_put(stderr, err.msg);
		fputc('\n', stderr);
		goto out;
	}
	put_report(p->id, &rep);
	rc = write_out(out_path, &out) ? EXIT_ERR : rep.n ? EXIT_PARTIAL : EXIT_OK;
out:
	cacao_report_free(&rep);
	strbuf_free(&out);
	play_free(&own);
	play_diags_free(&diags);
	play_catalog_free(&cat);
	return rc;
}
