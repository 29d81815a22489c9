/* run_score.c: the score step: a confidence of 0-100 from the history of
 * the incident's rule, stored on the incident (its priority follows, as
 * `irk set confidence=` does) and readable by later `when` conditions.
 *
 * The model is additive so an analyst can read why (the output lists every
 * part):
 *   severity      low 10, medium 25, high 40, critical 50
 *   criticality   asset criticality 1: -10, 2 or unknown: 0, 3: +10, 4: +20
 *   repeat        +3 per earlier alert of the rule on this host (max +15)
 *   peers         +10 per other host of its group where the rule fired (max +25)
 *   spread        +2 per host outside its group where it fired (max +10)
 *   dismissed     -40 x the share of the rule's closed incidents that were
 *                 false-positive or benign
 * Activity counts within the step's window (default 7 days) before the
 * incident's last event; dismissals within 90 days or the window if
 * longer. A host's group is its name without a trailing number. A host
 * is the one an incident is about (play_asset_host(), as asset.host): an
 * outbound alert whose host is the far side's address counts for our
 * internal address. */
#include <stdio.h>
#include <string.h>

#include "irk/clock.h"
#include "irk/hmap.h"
#include "irk/incident.h"
#include "irk/jsonw.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"
#include "internal.h"

#define SCORE_DISMISS_WINDOW (90 * 86400)

static int clamp(int64_t v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : (int)v;
}

void run_score_compute(const struct score_input *in, struct score_parts *o)
{
	static const int sev[] = { 10, 25, 40, 50 };

	memset(o, 0, sizeof *o);
	o->severity = in->severity >= 0 && in->severity < SEV_COUNT ? sev[in->severity] : 25;
	o->criticality = in->asset_criticality >= 1 && in->asset_criticality <= 4 ?
			 (in->asset_criticality - 2) * 10 : 0;
	o->repeat = in->host_alerts > 1 ? clamp(3 * (in->host_alerts - 1), 0, 15) : 0;
	o->peers = clamp(10 * in->peer_hosts, 0, 25);
	o->spread = clamp(2 * in->other_hosts, 0, 10);
	if (in->closed > 0)
		o->dismissed = -(int)((40 * in->dismissed + in->closed / 2) / in->closed);
	o->total = clamp((int64_t)o->severity + o->criticality + o->repeat + o->peers +
			 o->spread + o->dismissed, 0, 100);
}

struct hist {
	const char *host;              /* the incident's asset host */
	char group[256];
	struct score_input *in;
	int dismissals_only;
	struct hmap *seen;             /* other hosts counted already */
};

/* Rows come per host and source address; each counts for the host it is
 * about (play_asset_host(), as for the incident itself), so our address
 * is one host whatever servers it talked to. */
static int on_row(const struct rule_host_row *row, void *arg)
{
	struct hist *h = arg;
	const char *host = play_asset_host(row->host, row->src_ip, NULL);
	char g[256];
	int created = 0;

	if (h->dismissals_only) {
		h->in->closed += row->closed;
		h->in->dismissed += row->dismissed;
		return 0;
	}
	if (!host)
		return 0;
	if (h->host && !strcmp(host, h->host)) {
		h->in->host_alerts += row->alerts;
		return 0;
	}
	hmap_put(h->seen, host, strlen(host), &created);
	if (!created)
		return 0;
	if (h->group[0] && !strcmp(play_host_group(host, g, sizeof g), h->group))
		h->in->peer_hosts++;
	else
		h->in->other_hosts++;
	return 0;
}

int run_score(const struct run_env *env, struct run_result *r)
{
	struct run_ctx c;
	struct incident inc = { 0 };
	struct irk_err err = { 0 };
	struct score_input in = { 0 };
	struct score_parts sp;
	struct hist h = { 0 };
	struct actor who;
	struct jsonw w;
	char assign[32], *assigns[1] = { assign }, host[256];
	int64_t window, t1, before;
	int rc;

	if (run_ctx_init_incident(&c, env, r, &inc))
		goto out;
	if (!inc.rule) {
		run_fail(r, 1, "the incident has no rule: nothing to score from");
		goto out;
	}
	window = run_duration_ms(&c, "window", PLAY_SCORE_WINDOW) / 1000;
	t1 = inc.t_last_event ? inc.t_last_event : inc.t_detected ? inc.t_detected : irk_now();
	in.severity = inc.severity;
	in.asset_criticality = inc.asset_criticality;
	/* A copy: inc is read again below. */
	if (play_asset_host(inc.host, inc.src_ip, NULL))
		h.host = irk_strlcpy(host, play_asset_host(inc.host, inc.src_ip, NULL), sizeof host);
	h.in = &in;
	h.seen = hmap_new(1);
	play_host_group(h.host, h.group, sizeof h.group);
	if (store_rule_history(env->s, inc.rule, t1 - window, t1, on_row, &h, &err)) {
		run_fail(r, 0, "%s", err.msg);
		goto out;
	}
	h.dismissals_only = 1;
	if (store_rule_history(env->s, inc.rule,
			       t1 - (window > SCORE_DISMISS_WINDOW ? window : SCORE_DISMISS_WINDOW),
			       t1, on_row, &h, &err)) {
		run_fail(r, 0, "%s", err.msg);
		goto out;
	}
	run_score_compute(&in, &sp);
	before = inc.confidence;
	if (sp.total != inc.confidence) {
		snprintf(assign, sizeof assign, "confidence=%d", sp.total);
		run_actor(env, &who);
		if ((rc = incident_set(env->s, &who, inc.id, assigns, 1, 0, &err))) {
			run_fail(r, rc == IRK_INVALID || rc == IRK_REFUSED, "%s", err.msg);
			goto out;
		}
		incident_clear(&inc);
		if (store_incident_get(env->s, env->step->incident_id, &inc, &err)) {
			run_fail(r, 0, "%s", err.msg);
			goto out;
		}
	}
	jsonw_init(&w, &r->output, 0);
	jsonw_obj_begin(&w);
	jsonw_kv_int(&w, "score", sp.total);
	jsonw_kv_int(&w, "confidence_before", before);
	jsonw_kv_int(&w, "priority", inc.priority);
	jsonw_key(&w, "factors");
	jsonw_obj_begin(&w);
	jsonw_kv_int(&w, "severity", sp.severity);
	jsonw_kv_int(&w, "criticality", sp.criticality);
	jsonw_kv_int(&w, "repeat", sp.repeat);
	jsonw_kv_int(&w, "peers", sp.peers);
	jsonw_kv_int(&w, "spread", sp.spread);
	jsonw_kv_int(&w, "dismissed", sp.dismissed);
	jsonw_obj_end(&w);
	jsonw_kv_str(&w, "rule", inc.rule);
	jsonw_kv_str(&w, "host", h.host);
	jsonw_kv_str(&w, "group", h.group[0] ? h.group : NULL);
	jsonw_kv_int(&w, "window", window);
	jsonw_kv_int(&w, "host_alerts", in.host_alerts);
	jsonw_kv_int(&w, "peer_hosts", in.peer_hosts);
	jsonw_kv_int(&w, "other_hosts", in.other_hosts);
	jsonw_kv_int(&w, "closed", in.closed);
	jsonw_kv_int(&w, "dismissed", in.dismissed);
	jsonw_obj_end(&w);
	r->status = RUN_DONE;
out:
	hmap_free(&h.seen);
	incident_clear(&inc);
	run_ctx_free(&c);
	return r->status;
}

const struct run_ops run_score_ops = {
	.flags = 0,
	.run = run_score,
};
