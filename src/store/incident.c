/* incident.c: incidents, stage history and notes in the database. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "irk/clock.h"

/* Column text: owned copy, or borrowed pointer into the row. */
static char *text_col(sqlite3_stmt *st, int i, int borrow)
{
	const char *v = store_col_text(st, i);

	if (!v)
		return NULL;
	return borrow ? (char *)v : xstrdup(v);
}

/* A name stored in a column as its vocabulary's value; -1 when unknown
 * (a resolution: none). */
static int vocab_col(sqlite3_stmt *st, int i, int kind)
{
	const char *v = store_col_text(st, i);
	int r;

	switch (kind) {
	case FK_STAGE: return stage_parse(v);
	case FK_SEVERITY: return severity_parse(v);
	default:
		r = v ? resolution_parse(v) : RES_NONE;
		return r < 0 ? RES_NONE : r;
	}
}

/* Fill inc from a row of INCIDENT_COLS: every field, in the table's order. */
static void incident_from_row(sqlite3_stmt *st, struct incident *inc, int borrow)
{
	int c = 0;

	for (const struct field_def *f = incident_fields; f->name; f++) {
		switch (f->kind) {
		case FK_KEY:
			continue;
		case FK_STAGE:
		case FK_SEVERITY:
		case FK_RESOLUTION:
			*incident_field_int(inc, f) = vocab_col(st, c, f->kind);
			break;
		default:
			switch (field_kind_storage(f->kind)) {
			case FST_TEXT:
				*incident_field_text(inc, f) = text_col(st, c, borrow);
				break;
			case FST_INT:
				*incident_field_int(inc, f) = sqlite3_column_int(st, c);
				break;
			default:
				*incident_field_int64(inc, f) = sqlite3_column_int64(st, c);
				break;
			}
		}
		c++;
	}
}

/* Fill inc from a row of INCIDENT_CARD_COLS (strings borrowed); every
 * other field stays 0 or NULL. */
static void card_from_row(sqlite3_stmt *st, struct incident *inc)
{
	memset(inc, 0, sizeof *inc);
	inc->id = sqlite3_column_int64(st, 0);
	inc->title = text_col(st, 1, 1);
	inc->stage = stage_parse(store_col_text(st, 2));
	inc->severity = severity_parse(store_col_text(st, 3));
	inc->priority = sqlite3_column_int(st, 4);
	inc->owner = text_col(st, 5, 1);
	inc->t_detected = sqlite3_column_int64(st, 6);
	inc->t_acknowledged = sqlite3_column_int64(st, 7);
	inc->t_contained = sqlite3_column_int64(st, 8);
	inc->business_unit = text_col(st, 9, 1);
	inc->storm = sqlite3_column_int(st, 10);
}

int store_incident_get(struct store *s, int64_t id, struct incident *out, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INC_GET, err);
	struct store_rows r = store_rows_begin(s, st);
	char key[24];

	memset(out, 0, sizeof *out);
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if (store_rows_next(&r))
		incident_from_row(st, out, 0);
	if (store_rows_end(&r, err, "reading an incident"))
		return IRK_ERROR;
	if (r.n)
		return IRK_OK;
	return irk_fail(err, IRK_NOTFOUND, "%s: no such incident", incident_key(id, key, sizeof key));
}

/* Step st, handing each row (borrowed; a card when card is set) to fn
 * until it returns nonzero. */
static int incident_rows(struct store *s, sqlite3_stmt *st, int card,
			 int (*fn)(const struct incident *inc, void *arg), void *arg,
			 struct irk_err *err)
{
	struct store_rows r = store_rows_begin(s, st);

	while (store_rows_next(&r)) {
		struct incident inc;
		if (card)
			card_from_row(st, &inc);
		else
			incident_from_row(st, &inc, 1);
		if (fn(&inc, arg))
			break;
	}
	return store_rows_end(&r, err, "listing incidents");
}

/* Bind a filter's ?1 stage, ?3 owner, ?4 unassigned, ?5 unit, ?7 play
 * and ?8 version. */
static void bind_filter(sqlite3_stmt *st, const struct incident_filter *f)
{
	store_bind_text(st, 1, f->stage >= 0 ? stage_name(f->stage) : NULL);
	store_bind_text(st, 3, f->owner);
	sqlite3_bind_int(st, 4, f->unassigned);
	store_bind_text(st, 5, f->business_unit);
	store_bind_text(st, 7, f->play);
	store_bind_text(st, 8, f->play_version);
}

int store_incident_each(struct store *s, const struct incident_filter *f,
			int (*fn)(const struct incident *inc, void *arg), void *arg,
			struct irk_err *err)
{
	struct incident_filter all = INCIDENT_FILTER_ALL;
	sqlite3_stmt *st;
	int open;

	if (!f)
		f = &all;
	/* One stage is a key: its range of the board index, in order. Open
	 * incidents come from their own index, already in order. Only
	 * every incident of every stage (--all) reads the whole table. */
	open = f->open_only;
	if (f->play)
		st = store_stmt(s, f->card ? ST_INC_CARDS_PLAY : ST_INC_EACH_PLAY, err);
	else if (f->stage >= 0)
		st = store_stmt(s, f->card ? ST_INC_CARDS_STAGE : ST_INC_EACH_STAGE, err);
	else if (f->card)
		st = store_stmt(s, open ? ST_INC_CARDS_OPEN : ST_INC_CARDS, err);
	else
		st = store_stmt(s, open ? ST_INC_EACH_OPEN : ST_INC_EACH, err);
	if (!st)
		return IRK_ERROR;
	bind_filter(st, f);
	if (f->play)
		sqlite3_bind_int(st, 2, open);
	sqlite3_bind_int64(st, 6, f->limit > 0 ? f->limit : -1);
	return incident_rows(s, st, f->card, fn, arg, err);
}

int store_incident_stage_each(struct store *s, int stage, int64_t offset, int64_t limit,
			      int (*fn)(const struct incident *inc, void *arg), void *arg,
			      struct irk_err *err)
{
	sqlite3_stmt *st;

	if (stage < 0 || stage >= STAGE_COUNT)
		return irk_fail(err, IRK_INVALID, "no such stage");
	if (stage == STAGE_CLOSED) {
		if (!(st = store_stmt(s, ST_INC_CLOSED_RECENT, err)))
			return IRK_ERROR;
		sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
		sqlite3_bind_int64(st, 2, offset > 0 ? offset : 0);
	} else {
		if (!(st = store_stmt(s, ST_INC_STAGE, err)))
			return IRK_ERROR;
		sqlite3_bind_text(st, 1, stage_name(stage), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
		sqlite3_bind_int64(st, 3, offset > 0 ? offset : 0);
	}
	return incident_rows(s, st, 0, fn, arg, err);
}

int64_t store_incident_count(struct store *s, const struct incident_filter *f,
			     struct irk_err *err)
{
	struct incident_filter all = INCIDENT_FILTER_ALL;
	int64_t counts[STAGE_COUNT], n = 0;
	sqlite3_stmt *st;

	if (!f)
		f = &all;
	if (!f->owner && !f->unassigned && !f->business_unit && !f->play && !f->play_version &&
	    (f->stage == STAGE_CLOSED || (f->stage < 0 && !f->open_only))) {
		/* The closed ones are what the open ones leave of count(*). */
		if (store_incident_counts(s, counts, err))
			return -1;
		for (int i = 0; i < STAGE_COUNT; i++)
			n += f->stage < 0 || i == f->stage ? counts[i] : 0;
		return n;
	}
	if (f->play)
		st = store_stmt(s, ST_INC_COUNT_PLAY, err);
	else if (f->stage >= 0)
		st = store_stmt(s, ST_INC_COUNT_STAGE_F, err);
	else if (f->open_only)
		st = store_stmt(s, ST_INC_COUNT_OPEN_F, err);
	else
		return irk_fail(err, IRK_INVALID, "counting every stage under a filter"), -1;
	if (!st)
		return -1;
	bind_filter(st, f);
	if (f->play)
		sqlite3_bind_int(st, 2, f->open_only);
	if ((n = store_int_of(st)) < 0)
		store_fail(s, err, "counting incidents");
	return n;
}

int64_t store_incident_breached(struct store *s, int64_t now, const int64_t ack[5],
				const int64_t contain[5], struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INC_BREACHED, err);
	int64_t n;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	for (int p = 1; p <= 4; p++) {
		sqlite3_bind_int64(st, 1 + p, ack[p]);
		sqlite3_bind_int64(st, 5 + p, contain[p]);
	}
	if ((n = store_int_of(st)) < 0)
		store_fail(s, err, "counting SLA breaches");
	return n;
}

int store_unit_each(struct store *s, int64_t limit, int (*fn)(const char *unit, void *arg),
		    void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INC_UNITS, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while (store_rows_next(&r))
		if (fn(store_col_text(st, 0), arg))
			break;
	return store_rows_end(&r, err, "listing business units");
}

int64_t store_incident_position(struct store *s, const struct incident *inc, struct irk_err *err)
{
	sqlite3_stmt *st;
	int64_t n;

	if (inc->stage < 0 || inc->stage >= STAGE_COUNT)
		return irk_fail(err, IRK_INVALID, "no such stage"), -1;
	if (inc->stage == STAGE_CLOSED) {
		if (!(st = store_stmt(s, ST_INC_POS_CLOSED, err)))
			return -1;
		sqlite3_bind_int64(st, 1, inc->t_closed);
		sqlite3_bind_int64(st, 2, inc->id);
	} else {
		if (!(st = store_stmt(s, ST_INC_POS_OPEN, err)))
			return -1;
		sqlite3_bind_text(st, 1, stage_name(inc->stage), -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, inc->priority);
		sqlite3_bind_int64(st, 3, inc->t_detected);
		sqlite3_bind_int64(st, 4, inc->id);
	}
	if ((n = store_int_of(st)) < 0)
		store_fail(s, err, "placing an incident on the board");
	return n;
}

/* Open stages are counted through the board index, each its own range;
 * closed is the rest of a count(*) of the table, which sqlite takes from
 * page headers. Grouping by stage instead read every closed incident (90%
 * of a mature database) on every board refresh. One snapshot for all. */
int store_incident_counts(struct store *s, int64_t counts[STAGE_COUNT], struct irk_err *err)
{
	int64_t open = 0, all;

	memset(counts, 0, sizeof(int64_t) * STAGE_COUNT);
	if (sqlite3_exec(s->db, "SAVEPOINT irk_counts", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, err, "counting incidents");
	for (int i = 0; i < STAGE_COUNT && open >= 0; i++) {
		if (i == STAGE_CLOSED)
			continue;
		sqlite3_stmt *st = store_stmt(s, ST_INC_COUNT_STAGE, err);
		if (st)
			sqlite3_bind_text(st, 1, stage_name(i), -1, SQLITE_STATIC);
		counts[i] = store_int_of(st);
		open = counts[i] < 0 ? -1 : open + counts[i];
	}
	all = open < 0 ? -1 : store_int_of(store_stmt(s, ST_INC_COUNT_ALL, err));
	if (all >= 0)
		counts[STAGE_CLOSED] = all - open;
	sqlite3_exec(s->db, "RELEASE irk_counts", NULL, NULL, NULL);
	if (all < 0) {
		memset(counts, 0, sizeof(int64_t) * STAGE_COUNT);
		return err && err->code ? err->code : store_fail(s, err, "counting incidents");
	}
	return IRK_OK;
}

/* Bind the INCIDENT_NWRITTEN written fields, in the order shared by
 * INSERT and UPDATE (internal.h); updated_by is the actor. */
static void bind_fields(sqlite3_stmt *st, const struct incident *inc, const char *actor)
{
	int c = 1, v;

	for (const struct field_def *f = incident_fields; f->name; f++) {
		switch (f->kind) {
		case FK_KEY:
		case FK_ID:
		case FK_VERSION:
			continue;
		case FK_TITLE:
		case FK_PROSE:
			store_bind_text(st, c, incident_field_get_text(inc, f) ? incident_field_get_text(inc, f) : "");
			break;
		case FK_ACTOR:
			store_bind_text(st, c, actor);
			break;
		case FK_STAGE:
			store_bind_text(st, c, stage_name(incident_field_get_int(inc, f)));
			break;
		case FK_SEVERITY:
			store_bind_text(st, c, severity_name(incident_field_get_int(inc, f)));
			break;
		case FK_RESOLUTION:
			v = incident_field_get_int(inc, f);
			store_bind_text(st, c, v > RES_NONE ? resolution_name(v) : NULL);
			break;
		case FK_PRIORITY:
			v = incident_field_get_int(inc, f);
			sqlite3_bind_int(st, c, v >= 1 && v <= 4 ? v : 3);
			break;
		case FK_TIME:
			store_bind_time(st, c, incident_field_get_int64(inc, f));
			break;
		default:
			if (field_kind_storage(f->kind) == FST_TEXT)
				store_bind_text(st, c, incident_field_get_text(inc, f));
			else
				sqlite3_bind_int(st, c, incident_field_get_int(inc, f));
			break;
		}
		c++;
	}
}

int store_incident_insert(struct store *s, struct incident *inc, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INC_INSERT, err);

	if (!st)
		return IRK_ERROR;
	if (!inc->t_detected)
		inc->t_detected = irk_now();
	if (!inc->t_updated)
		inc->t_updated = inc->t_detected;
	bind_fields(st, inc, inc->updated_by);
	if (store_exec_stmt(s, st, err, "creating an incident"))
		return IRK_ERROR;
	inc->id = sqlite3_last_insert_rowid(s->db);
	inc->version = 1;
	return IRK_OK;
}

int store_incident_update(struct store *s, struct incident *inc, const char *actor,
			  struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INC_UPDATE, err);
	char key[24];

	if (!st)
		return IRK_ERROR;
	inc->t_updated = irk_now();
	bind_fields(st, inc, actor);
	sqlite3_bind_int64(st, INCIDENT_NWRITTEN + 1, inc->id);
	sqlite3_bind_int64(st, INCIDENT_NWRITTEN + 2, inc->version);
	if (store_exec_stmt(s, st, err, "saving an incident"))
		return IRK_ERROR;
	if (sqlite3_changes(s->db) == 1) {
		inc->version++;
		free(inc->updated_by);
		inc->updated_by = xstrdup(actor);
		return IRK_OK;
	}
	/* Lost the race: say who changed it. */
	incident_key(inc->id, key, sizeof key);
	if (!(st = store_stmt(s, ST_INC_WHO, err)))
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, inc->id);
	struct store_rows r = store_rows_begin(s, st);
	if (!store_rows_next(&r)) {
		store_rows_end(&r, NULL, "reading an incident");
		return irk_fail(err, IRK_NOTFOUND, "%s: no such incident", key);
	}
	irk_fail_need(err, IRK_CONFLICT, NEED_RELOAD,
		 "%s was changed by %s since you loaded it (version %lld, now %lld)",
		 key, store_col_text(st, 1),
		 (long long)inc->version, (long long)sqlite3_column_int64(st, 0));
	store_rows_end(&r, NULL, "reading an incident");
	return IRK_CONFLICT;
}

int store_incident_bump(struct store *s, int64_t id, int64_t add_alerts,
			int64_t first_event, int64_t last_event, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_INC_BUMP, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, add_alerts);
	sqlite3_bind_int64(st, 3, first_event);
	sqlite3_bind_int64(st, 4, last_event);
	return store_exec_stmt(s, st, err, "updating an incident");
}

static int64_t correlate_one(struct store *s, enum store_stmt id, const char *rule,
			     const char *key, int64_t t, int64_t window)
{
	sqlite3_stmt *st;
	int64_t found;

	if (!key || !*key || !(st = store_stmt(s, id, NULL)))
		return 0;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t - window);
	sqlite3_bind_int64(st, 4, t + window);
	found = store_int_of(st);
	return found > 0 ? found : 0;
}

int64_t store_incident_correlate(struct store *s, const char *rule, const char *host,
				 const char *src_ip, int64_t t, int64_t window)
{
	int64_t id;

	if (!rule || !*rule)
		return 0;
	id = correlate_one(s, ST_INC_CORR_HOST, rule, host, t, window);
	if (!id)
		id = correlate_one(s, ST_INC_CORR_SRC, rule, src_ip, t, window);
	return id;
}

int store_history_add(struct store *s, const struct stage_move *m, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_HIST_ADD, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, m->incident_id);
	store_bind_text(st, 2, m->from >= 0 ? stage_name(m->from) : NULL);
	sqlite3_bind_text(st, 3, stage_name(m->to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, m->at ? m->at : irk_now());
	sqlite3_bind_text(st, 5, m->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, m->forced);
	return store_exec_stmt(s, st, err, "recording a stage move");
}

int store_history_list(struct store *s, int64_t id, struct stage_move **out, size_t *n,
		       struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_HIST_LIST, err);
	struct store_rows r = store_rows_begin(s, st);
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	while (store_rows_next(&r)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct stage_move *m = &(*out)[(*n)++];
		const char *from = store_col_text(st, 0);
		memset(m, 0, sizeof *m);
		m->incident_id = id;
		m->from = from ? stage_parse(from) : -1;
		m->to = stage_parse(store_col_text(st, 1));
		m->at = sqlite3_column_int64(st, 2);
		irk_strlcpy(m->actor, store_col_text(st, 3), sizeof m->actor);
		irk_strlcpy(m->reason, store_col_text(st, 4), sizeof m->reason);
		m->forced = sqlite3_column_int(st, 5);
	}
	if (store_rows_end(&r, err, "reading stage history")) {
		free(*out);
		*out = NULL;
		*n = 0;
		return IRK_ERROR;
	}
	return IRK_OK;
}

int store_note_add(struct store *s, int64_t incident_id, const char *actor,
		   const char *text, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_NOTE_ADD, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	sqlite3_bind_int64(st, 2, irk_now());
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st, err, "adding a note");
}

int store_note_list(struct store *s, int64_t id, struct note **out, size_t *n,
		    struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_NOTE_LIST, err);
	struct store_rows r = store_rows_begin(s, st);
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	while (store_rows_next(&r)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct note *nt = &(*out)[(*n)++];
		nt->id = sqlite3_column_int64(st, 0);
		nt->incident_id = id;
		nt->at = sqlite3_column_int64(st, 1);
		irk_strlcpy(nt->actor, store_col_text(st, 2), sizeof nt->actor);
		nt->text = xstrdup(store_col_text(st, 3));
	}
	if (store_rows_end(&r, err, "reading notes")) {
		note_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return IRK_ERROR;
	}
	return IRK_OK;
}

void note_list_free(struct note *notes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(notes[i].text);
	free(notes);
}

int store_step_each(struct store *s, int64_t incident_id,
		    int (*fn)(const struct step_row *st, void *arg), void *arg,
		    struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STEP_EACH, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, incident_id);
	return store_step_rows(s, st, fn, arg, NULL, err);
}

/* ---- links and merges ------------------------------------------------------ */

int store_link_add(struct store *s, int64_t a, int64_t b, const char *kind, const char *actor,
		   int64_t at, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_LINK_ADD, err);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st, err, "adding a link");
}

int store_link_each(struct store *s, int64_t id, int (*fn)(const struct link_row *l, void *arg),
		    void *arg, struct irk_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_LINK_EACH, err);
	struct store_rows r = store_rows_begin(s, st);

	if (!st)
		return IRK_ERROR;
	sqlite3_bind_int64(st, 1, id);
	while (store_rows_next(&r)) {
		struct link_row l = {
			sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			store_col_text(st, 2), sqlite3_column_int64(st, 3), store_col_text(st, 4),
		};
		if (fn(&l, arg))
			break;
	}
	return store_rows_end(&r, err, "reading links");
}

int store_incident_merge(struct store *s, int64_t from, int64_t into, int64_t moved[3],
			 struct irk_err *err)
{
	static const enum store_stmt what[3] = { ST_MERGE_ALERTS, ST_MERGE_OBSERVABLES, ST_MERGE_NOTES };

	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *st = store_stmt(s, what[i], err);
		if (!st)
			return IRK_ERROR;
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, into);
		if (store_exec_stmt(s, st, err, "merging"))
			return IRK_ERROR;
		moved[i] = sqlite3_changes(s->db);
	}
	return IRK_OK;
}
