/* test_tui_fields.c: every incident field of INCIDENT_FIELDS (fields.h)
 * round-trips through its places: `irk set` (incident_set) or the store,
 * the --json object, the board filter and a play expression. The test
 * walks the table, so a new field is covered without a line here. (A tui
 * test because the board filter lives in src/tui/layout.c.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/tmpstore.h"
#include "irk/expr.h"
#include "irk/fields.h"
#include "irk/incident.h"
#include "irk/jdoc.h"
#include "irk/jsonw.h"
#include "irk/layout.h"
#include "irk/model.h"
#include "irk/play.h"
#include "irk/store.h"

static struct store *s;
static const struct actor sam = { "sam", ROLE_SENIOR };

static void init(void)
{
	struct irk_err err = { 0 };

	s = tmp_store("fields.db");
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(store_user_put(s, "root", "sam", ROLE_SENIOR, &err), IRK_OK);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
}

static void fini(void)
{
	store_close(&s);
	tmp_cleanup();
}

TestSuite(fields, .init = init, .fini = fini);

/* A value for field number i that no new incident has, written into want;
 * for a settable field its `irk set` form goes to assign. */
static void pick(struct incident *want, const struct field_def *f, int i, struct strbuf *assign)
{
	char text[64];
	int n = 0;

	snprintf(text, sizeof text, "rt-%s", f->name);
	switch (f->kind) {
	case FK_KEY:
	case FK_ID:
	case FK_VERSION:
	case FK_ACTOR:
		return;                 /* the store's: checked as read back */
	case FK_USER:
		snprintf(text, sizeof text, "sam");
		/* fall through */
	case FK_TITLE:
	case FK_PROSE:
	case FK_TEXT:
		free(*incident_field_text(want, f));
		*incident_field_text(want, f) = xstrdup(text);
		strbuf_printf(assign, "%s=%s", f->name, text);
		return;
	case FK_STAGE: n = STAGE_CONTAINMENT; break;
	case FK_SEVERITY: n = SEV_CRITICAL; break;
	case FK_RESOLUTION: n = RES_BENIGN; break;
	case FK_PRIORITY: n = 2; break;
	case FK_CONFIDENCE: n = 77; break;
	case FK_CRITICALITY: n = 3; break;
	case FK_INT: n = 40 + i; break;
	case FK_FLAG: n = 1; break;
	case FK_TIME:
		*incident_field_int64(want, f) = 1700000000 + 100 * i;
		return;
	}
	*incident_field_int(want, f) = n;
	if (f->kind == FK_SEVERITY)
		strbuf_printf(assign, "%s=%s", f->name, severity_name(n));
	else
		strbuf_printf(assign, "%s=%d", f->name, n);
}

/* The literal an expression compares field f of inc with. */
static void literal(const struct incident *inc, const struct field_def *f, struct strbuf *sb)
{
	struct expr_value v;
	char key[24];

	cr_assert_eq(incident_field_value(inc, f, key, sizeof key, &v), 0, "%s is missing", f->name);
	if (v.type == EXPR_STR)
		strbuf_printf(sb, "'%s'", v.str);
	else if (v.type == EXPR_BOOL)
		strbuf_puts(sb, v.boolean ? "true" : "false");
	else
		strbuf_printf(sb, "%.0f", v.num);
}

/* The --json value of f, as the text of its token. */
static void json_of(const struct incident *inc, const struct field_def *f, struct strbuf *got)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	struct jdoc d;
	struct jdoc_error je;
	int obj = 0, tok;
	int64_t n;

	jsonw_init(&w, &js, 0);
	jsonw_obj_begin(&w);
	incident_json(&w, inc);
	jsonw_obj_end(&w);
	jdoc_init(&d);
	cr_assert_eq(jdoc_parse(&d, js.buf, js.len, &je), 0, "%s", strbuf_str(&js));
	if (f->kind == FK_TIME)
		cr_assert_geq(obj = jdoc_get(&d, 0, "times"), 0);
	cr_assert_geq(tok = jdoc_get(&d, obj, f->name), 0, "--json has no %s: %s", f->name,
		      strbuf_str(&js));
	if (jdoc_type(&d, tok) == JD_STRING)
		strbuf_puts(got, jdoc_str(&d, tok));
	else if (jdoc_type(&d, tok) == JD_TRUE || jdoc_type(&d, tok) == JD_FALSE)
		strbuf_puts(got, jdoc_type(&d, tok) == JD_TRUE ? "true" : "false");
	else if (!jdoc_int(&d, tok, &n))
		strbuf_printf(got, "%lld", (long long)n);
	jdoc_free(&d);
	strbuf_free(&js);
}

/* What --json should say for f of inc. */
static void json_want(const struct incident *inc, const struct field_def *f, struct strbuf *sb)
{
	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	char key[24];

	switch (field_kind_storage(f->kind)) {
	case FST_NONE:
		strbuf_puts(sb, incident_key(inc->id, key, sizeof key));
		break;
	case FST_TEXT:
		strbuf_puts(sb, incident_field_get_text(inc, f));
		break;
	case FST_INT:
		if (f->kind == FK_STAGE)
			strbuf_puts(sb, stage_name(inc->stage));
		else if (f->kind == FK_SEVERITY)
			strbuf_puts(sb, severity_name(inc->severity));
		else if (f->kind == FK_RESOLUTION)
			strbuf_puts(sb, resolution_name(inc->resolution));
		else if (f->kind == FK_FLAG)
			strbuf_puts(sb, incident_field_get_int(inc, f) ? "true" : "false");
		else
			strbuf_printf(sb, "%d", incident_field_get_int(inc, f));
		break;
	case FST_INT64:
		if (f->kind != FK_TIME) {
			strbuf_printf(sb, "%lld", (long long)incident_field_get_int64(inc, f));
			break;
		}
		jsonw_init(&w, &js, 0);
		jsonw_time(&w, incident_field_get_int64(inc, f));
		strbuf_add(sb, js.buf + 1, js.len - 2);      /* without the quotes */
		strbuf_free(&js);
		break;
	}
}

/* Does the board filter expr hold for inc? The filter must be accepted. */
static int filter_holds(const struct incident *inc, const char *expr)
{
	struct board b;
	char msg[512];
	int hit;

	board_init(&b, "sam");
	b.now = 1800000000;
	board_add(&b, inc);
	cr_assert_eq(board_filter_set(&b, expr, msg, sizeof msg), 0, "filter %s: %s", expr, msg);
	hit = board_card_matches(&b, &b.cards[0]);
	board_free(&b);
	return hit;
}

/* Does the play expression expr hold for inc? It must pass lint. */
static int play_holds(const struct incident *inc, const char *expr, const char *name)
{
	struct play_fields *pf = play_fields_new(NULL, inc, NULL);
	struct expr_error ee;
	struct expr *e = expr_parse(expr, &ee);
	char why[256];
	int hit;

	cr_assert_not_null(e, "%s: %s", expr, ee.msg);
	cr_assert_null(play_field_check(NULL, 0, name, why, sizeof why), "%s: %s", name, why);
	hit = expr_eval(e, play_fields_lookup, pf);
	expr_free(&e);
	play_fields_free(&pf);
	return hit;
}

Test(fields, every_field_round_trips)
{
	struct incident inc = { 0 }, want = { 0 }, got;
	struct irk_err err = { 0 };
	char *assign[64];
	int nassign = 0, i = 0;

	/* Open one, then give every field a value of its own: the settable
	 * ones through incident_set (irk set), the others through the store. */
	inc.title = xstrdup("round trip");
	inc.severity = SEV_LOW;
	inc.t_detected = 1690000000;
	cr_assert_eq(store_begin(s, &err), IRK_OK);
	cr_assert_eq(incident_open(s, "ingest", &inc, NULL, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_commit(s, &err), IRK_OK);
	cr_assert_eq(store_incident_get(s, inc.id, &want, &err), IRK_OK);
	for (const struct field_def *f = incident_fields; f->name; f++, i++) {
		struct strbuf a = STRBUF_INIT;
		pick(&want, f, i, &a);
		if (!a.len)
			continue;
		cr_assert_eq(incident_field_find(f->name) != NULL, f->set != SET_NONE, "%s", f->name);
		if (f->set != SET_NONE) {
			cr_assert_lt(nassign, 64);
			assign[nassign++] = strbuf_detach(&a);
		}
		strbuf_free(&a);
	}
	{
		/* The store's part: everything but what incident_set writes. */
		struct incident direct;
		cr_assert_eq(store_incident_get(s, inc.id, &direct, &err), IRK_OK);
		for (const struct field_def *f = incident_fields; f->name; f++) {
			if (f->set != SET_NONE || f->kind == FK_KEY || f->kind == FK_ID ||
			    f->kind == FK_VERSION || f->kind == FK_ACTOR)
				continue;
			if (field_kind_storage(f->kind) == FST_TEXT) {
				free(*incident_field_text(&direct, f));
				*incident_field_text(&direct, f) = xstrdup(incident_field_get_text(&want, f));
			} else if (field_kind_storage(f->kind) == FST_INT) {
				*incident_field_int(&direct, f) = incident_field_get_int(&want, f);
			} else {
				*incident_field_int64(&direct, f) = incident_field_get_int64(&want, f);
			}
		}
		cr_assert_eq(store_begin(s, &err), IRK_OK);
		cr_assert_eq(store_incident_update(s, &direct, "sam", &err), IRK_OK, "%s", err.msg);
		cr_assert_eq(store_commit(s, &err), IRK_OK);
		incident_clear(&direct);
	}
	cr_assert_eq(incident_set(s, &sam, inc.id, assign, nassign, 0, &err), IRK_OK, "%s", err.msg);
	cr_assert_eq(store_incident_get(s, inc.id, &got, &err), IRK_OK);
	cr_assert_str_eq(got.updated_by, "sam");

	for (const struct field_def *f = incident_fields; f->name; f++) {
		struct strbuf lit = STRBUF_INIT, j = STRBUF_INIT, jw = STRBUF_INIT, ex = STRBUF_INIT;
		int fixed = f->kind == FK_KEY || f->kind == FK_ID || f->kind == FK_VERSION ||
			    f->kind == FK_ACTOR || !strcmp(f->name, "updated");

		/* 1. set or store, and back. */
		if (!fixed) {
			if (field_kind_storage(f->kind) == FST_TEXT)
				cr_assert_str_eq(incident_field_get_text(&got, f),
						 incident_field_get_text(&want, f), "%s", f->name);
			else if (field_kind_storage(f->kind) == FST_INT)
				cr_assert_eq(incident_field_get_int(&got, f),
					     incident_field_get_int(&want, f), "%s", f->name);
			else
				cr_assert_eq(incident_field_get_int64(&got, f),
					     incident_field_get_int64(&want, f), "%s", f->name);
		}
		/* 2. --json, under its one name. */
		json_of(&got, f, &j);
		json_want(&got, f, &jw);
		cr_assert_str_eq(strbuf_str(&j), strbuf_str(&jw), "--json %s", f->name);
		/* 3. the board filter and 4. a play expression, under the
		 * same name. */
		literal(&got, f, &lit);
		strbuf_printf(&ex, "%s == %s", f->name, strbuf_str(&lit));
		cr_assert(filter_holds(&got, strbuf_str(&ex)), "filter %s", strbuf_str(&ex));
		strbuf_reset(&ex);
		strbuf_printf(&ex, "%s != %s", f->name, strbuf_str(&lit));
		cr_assert(!filter_holds(&got, strbuf_str(&ex)), "filter %s", strbuf_str(&ex));
		strbuf_reset(&ex);
		strbuf_printf(&ex, "incident.%s == %s", f->name, strbuf_str(&lit));
		strbuf_reset(&j);
		strbuf_printf(&j, "incident.%s", f->name);
		cr_assert(play_holds(&got, strbuf_str(&ex), strbuf_str(&j)), "play %s", strbuf_str(&ex));
		strbuf_free(&lit);
		strbuf_free(&j);
		strbuf_free(&jw);
		strbuf_free(&ex);
	}
	for (int k = 0; k < nassign; k++)
		free(assign[k]);
	incident_clear(&inc);
	incident_clear(&want);
	incident_clear(&got);
}

/* Old spellings are read, as the field of the one name. */
Test(fields, old_spellings_name_the_same_field)
{
	int alias = 0;

	cr_assert_str_eq(incident_field_find("effort")->name, "effort_min");
	cr_assert_not_null(incident_field_typed("effort", &alias));
	cr_assert_eq(alias, 1);
	cr_assert_str_eq(incident_field_lookup("alerts", &alias)->name, "alert_count");
	cr_assert_eq(alias, 1);
	cr_assert_str_eq(incident_field_lookup("unit", NULL)->name, "business_unit");
	cr_assert_not_null(incident_field_lookup("alert_count", &alias));
	cr_assert_eq(alias, 0);
	cr_assert_null(incident_field_lookup("Alert_count", NULL), "expression names are exact");
	cr_assert_null(incident_field_find("alert_count"), "counted, not set");
}

/* The board filter's `alerts` and the plays' `alert_count` are one field
 * (they drifted apart: the example). */
Test(fields, filter_and_play_read_alert_count_alike)
{
	struct incident inc = { 0 };

	inc.id = 7;
	inc.title = "x";
	inc.alert_count = 12;
	inc.effort_min = 30;
	cr_assert(filter_holds(&inc, "alert_count == 12"));
	cr_assert(filter_holds(&inc, "alerts == 12"));
	cr_assert(play_holds(&inc, "incident.alert_count == 12", "incident.alert_count"));
	cr_assert(filter_holds(&inc, "effort_min >= 30"));
	cr_assert(play_holds(&inc, "incident.effort_min == 30", "incident.effort_min"));
}
