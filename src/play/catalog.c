/* catalog.c: the plays irk knows, loaded from the play directories, and
 * their versions by content hash.
 *
 * Directories, in order: $IRK_PLAYS (colon-separated), plays.path from the
 * config, then the bundled plays. Inside a directory, *.json files are
 * read in name order. The first directory that has a play id wins, so a
 * site's copy of a bundled play overrides it. Matching order is priority
 * (higher first), then directory order, then play id: deterministic, and
 * a site can put its own plays in front of the bundled ones without
 * editing them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irk/config.h"
#include "irk/expr.h"
#include "irk/hmap.h"
#include "irk/play.h"
#include "irk/store.h"
#include "irk/trust.h"
#include "play_impl.h"

#ifndef IRK_DATADIR
#define IRK_DATADIR "/usr/local/share/irk"
#endif

static int is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The bundled plays: plays/ of the source tree the running binary was
 * built in (./irk, build/irk, build/tests/test_play...), else the
 * installed IRK_DATADIR/plays. */
static void bundled_dir(char *buf, size_t n)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (k > 0) {
		exe[k] = '\0';
		for (int up = 0; up < 4; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash || slash == exe)
				break;
			*slash = '\0';
			snprintf(probe, sizeof probe, "%s/src/play", exe);
			if (!is_dir(probe))
				continue;
			snprintf(probe, sizeof probe, "%s/plays", exe);
			if (is_dir(probe)) {
				irk_strlcpy(buf, probe, n);
				return;
			}
		}
	}
	snprintf(buf, n, "%s/plays", IRK_DATADIR);
}

static void add_dir(struct play_catalog *c, const char *path)
{
	char real[PATH_MAX];

	if (!*path || !is_dir(path))
		return;
	/* The same directory named twice is searched once. */
	if (!realpath(path, real))
		irk_strlcpy(real, path, sizeof real);
	for (size_t i = 0; i < c->ndirs; i++)
		if (!strcmp(c->dirs[i], real))
			return;
	c->dirs = xrealloc(c->dirs, (c->ndirs + 1) * sizeof *c->dirs);
	c->dirs[c->ndirs++] = xstrdup(real);
}

static void add_dirs(struct play_catalog *c, const char *list)
{
	char *copy, *save = NULL;

	if (!list || !*list)
		return;
	copy = xstrdup(list);
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
		add_dir(c, d);
	free(copy);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_match_order(const void *a, const void *b)
{
	const struct play *p = *(const struct play *const *)a, *q = *(const struct play *const *)b;

	if (p->priority != q->priority)
		return p->priority > q->priority ? -1 : 1;
	if (p->origin != q->origin)
		return p->origin < q->origin ? -1 : 1;
	return strcmp(p->id, q->id);
}

/* Whether path (or the open directory fd, when not -1) may be trusted;
 * when not, the reason is a diagnostic of the catalog. */
static int trusted(struct play_catalog *c, const char *path, int fd)
{
	struct irk_err err = { 0 };
	struct stat st;

	if (fd >= 0 ? fstat(fd, &st) : stat(path, &st)) {
		irk_fail(&err, IRK_ERROR, "cannot read: %s", strerror(errno));
	} else if (!irk_trusted_file(path, &st, trust_group(), &err)) {
		return 1;
	}
	play_diags_add(&c->diags, path, 0, 0, 0, err.msg);
	return 0;
}

static void load_dir(struct play_catalog *c, int origin)
{
	const char *dir = c->dirs[origin];
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (!d) {
		char msg[256];
		snprintf(msg, sizeof msg, "cannot read the directory: %s", strerror(errno));
		play_diags_add(&c->diags, dir, 0, 0, 0, msg);
		return;
	}
	/* Whoever can add a file here decides what runs. */
	if (!trusted(c, dir, dirfd(d))) {
		closedir(d);
		return;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)   /* qsort must not be given NULL, even for no names */
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT;
		struct play *p = NULL;
		const struct play *seen;

		strbuf_printf(&path, "%s/%s", dir, names[i]);
		free(names[i]);
		if (!trusted(c, strbuf_str(&path), -1) ||
		    play_load_file(strbuf_str(&path), &p, &c->diags) || !p) {
			strbuf_free(&path);
			continue;
		}
		strbuf_free(&path);
		p->origin = origin;
		if ((seen = play_catalog_find(c, p->id))) {
			/* In an earlier directory: an override, as documented. In
			 * the same directory: two files claim one id, which is a
			 * mistake worth saying. */
			if (seen->origin == origin) {
				char msg[512];
				snprintf(msg, sizeof msg, "play '%s' is also in %s; this file is ignored",
					 p->id, seen->path);
				play_diags_add(&c->diags, p->path, 1, 1, 1, msg);
			}
			play_free(&p);
			continue;
		}
		c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
		c->v[c->n++] = p;
	}
	free(names);
}

int play_catalog_load(struct play_catalog *c, const struct config *cfg, struct irk_err *err)
{
	char bundled[PATH_MAX];

	memset(c, 0, sizeof *c);
	add_dirs(c, getenv("IRK_PLAYS"));
	add_dirs(c, config_settings(cfg)->plays.path);
	bundled_dir(bundled, sizeof bundled);
	add_dir(c, bundled);
	for (size_t i = 0; i < c->ndirs; i++)
		load_dir(c, (int)i);
	if (c->n)
		qsort(c->v, c->n, sizeof *c->v, by_match_order);
	irk_err_clear(err);
	return IRK_OK;
}

/* ---- matching, with answers kept per distinct inputs ---------------------------- */

/* Answers kept at most; past it they are forgotten and kept anew. */
#define MATCH_CACHE_MAX 4096

struct play_match_cache {
	char **vars;              /* the fields the matches read, each once */
	size_t nvars;
	int off;                  /* a match reads something unique to each alert */
	struct hmap *answers;     /* the fields' values -> index of the play, -1 none */
	struct strbuf key;
};

static void cache_var(const char *name, int offset, void *arg)
{
	struct play_match_cache *m = arg;

	(void)offset;
	if (!strcmp(name, "alert.raw"))
		m->off = 1;
	for (size_t i = 0; i < m->nvars; i++)
		if (!strcmp(m->vars[i], name))
			return;
	m->vars = xrealloc(m->vars, (m->nvars + 1) * sizeof *m->vars);
	m->vars[m->nvars++] = xstrdup(name);
}

static struct play_match_cache *cache_new(const struct play_catalog *c)
{
	struct play_match_cache *m = xcalloc(1, sizeof *m);

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i]->match)
			expr_each_var(c->v[i]->match, cache_var, m);
	m->answers = hmap_new(sizeof(int));
	return m;
}

static void cache_free(struct play_match_cache **mp)
{
	struct play_match_cache *m = *mp;

	if (!m)
		return;
	for (size_t i = 0; i < m->nvars; i++)
		free(m->vars[i]);
	free(m->vars);
	hmap_free(&m->answers);
	strbuf_free(&m->key);
	free(m);
	*mp = NULL;
}

/* The values of the fields the matches read, each typed, into m->key: the
 * answer depends on nothing else (an expression has no clock or state). */
static void cache_key(struct play_match_cache *m, struct play_fields *f)
{
	strbuf_reset(&m->key);
	for (size_t i = 0; i < m->nvars; i++) {
		struct expr_value v;
		if (play_fields_lookup(f, m->vars[i], &v))
			strbuf_addc(&m->key, 'm');
		else if (v.type == EXPR_STR)
			strbuf_printf(&m->key, "s%s", v.str);
		else if (v.type == EXPR_NUM)
			strbuf_printf(&m->key, "n%.17g", v.num);
		else if (v.type == EXPR_BOOL)
			strbuf_printf(&m->key, "b%d", v.boolean);
		else
			strbuf_addc(&m->key, 'z');
		strbuf_add(&m->key, "", 1);
	}
}

const struct play *play_catalog_match(struct play_catalog *c, struct play_fields *f)
{
	struct play_match_cache *m;
	int hit = -1, *kept = NULL;
	uint64_t h = 0;

	if (!c->cache)
		c->cache = cache_new(c);
	m = c->cache;
	if (!m->off) {
		cache_key(m, f);
		h = hmap_hash(m->key.buf, m->key.len);
		if ((kept = hmap_get_h(m->answers, m->key.buf, m->key.len, h)))
			return *kept < 0 ? NULL : c->v[*kept];
	}
	for (size_t i = 0; i < c->n && hit < 0; i++)
		if (c->v[i]->match && expr_eval(c->v[i]->match, play_fields_lookup, f))
			hit = (int)i;
	if (!m->off) {
		if (hmap_count(m->answers) >= MATCH_CACHE_MAX)
			hmap_clear(m->answers);
		*(int *)hmap_put_h(m->answers, m->key.buf, m->key.len, h, NULL) = hit;
	}
	return hit < 0 ? NULL : c->v[hit];
}

void play_catalog_free(struct play_catalog *c)
{
	cache_free(&c->cache);
	for (size_t i = 0; i < c->n; i++)
		play_free(&c->v[i]);
	free(c->v);
	for (size_t i = 0; i < c->ndirs; i++)
		free(c->dirs[i]);
	free(c->dirs);
	play_diags_free(&c->diags);
	memset(c, 0, sizeof *c);
}

const struct play *play_catalog_find(const struct play_catalog *c, const char *id)
{
	for (size_t i = 0; id && i < c->n; i++)
		if (!strcmp(c->v[i]->id, id))
			return c->v[i];
	return NULL;
}

int play_catalog_register(struct store *s, const struct play_catalog *c, struct irk_err *err)
{
	int own = !store_in_tx(s), rc = IRK_OK;

	if (!c->n)
		return IRK_OK;
	if (own && store_begin(s, err))
		return IRK_ERROR;
	for (size_t i = 0; i < c->n && !rc; i++) {
		const struct play *p = c->v[i];
		rc = play_record(s, p, err);
	}
	if (own) {
		if (rc)
			store_rollback(s);
		else
			rc = store_commit(s, err);
	}
	return rc;
}
