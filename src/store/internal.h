/* internal.h: shared by the files of src/store/ only. */
#ifndef IRK_STORE_INTERNAL_H
#define IRK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "irk/hash.h"
#include "irk/store.h"

/* The incidents table's columns, from INCIDENT_FIELDS (fields.h): a
 * SELECT reads "id", the written columns, "version" (the table's order,
 * which incident_from_row() follows); INSERT and UPDATE bind the written
 * ones in that order (bind_fields()), then UPDATE the id and the version
 * it was read at. */
#define STORE_IF(c, x) STORE_IF_(c, x)
#define STORE_IF_(c, x) STORE_IF_##c(x)
#define STORE_IF_1(x) x
#define STORE_IF_0(x)
/* 1 for the kinds a write binds. */
#define FKW_ID          0
#define FKW_VERSION     0
#define FKW_TITLE       1
#define FKW_PROSE       1
#define FKW_TEXT        1
#define FKW_USER        1
#define FKW_ACTOR       1
#define FKW_STAGE       1
#define FKW_SEVERITY    1
#define FKW_RESOLUTION  1
#define FKW_PRIORITY    1
#define FKW_CONFIDENCE  1
#define FKW_CRITICALITY 1
#define FKW_INT         1
#define FKW_FLAG        1
#define FKW_TIME        1
#define X_INC_SEL(name, kind, ctype, member, column, set, help) STORE_IF(FKW_##kind, ", " column)
#define X_INC_INS(name, kind, ctype, member, column, set, help) STORE_IF(FKW_##kind, column ", ")
#define X_INC_VAL(name, kind, ctype, member, column, set, help) STORE_IF(FKW_##kind, "?, ")
#define X_INC_UPD(name, kind, ctype, member, column, set, help) STORE_IF(FKW_##kind, column " = ?, ")
#define X_INC_NUM(name, kind, ctype, member, column, set, help) STORE_IF(FKW_##kind, + 1)
#define INCIDENT_COLS "id" INCIDENT_FIELDS(X_INC_SEL) ", version"
/* How many columns a write binds: UPDATE's id is the one after them. */
enum { INCIDENT_NWRITTEN = 0 INCIDENT_FIELDS(X_INC_NUM) };

/* The columns of a card (incident_filter.card), in card_from_row()'s order. */
#define INCIDENT_CARD_COLS \
	"id, title, stage, severity, priority, owner, t_detected, t_acknowledged, t_contained, " \
	"business_unit, storm"

/* What store_incident_each() selects by: ?3 owner, ?4 unassigned, ?5
 * business unit, ?6 limit (and ?1 the stage, where a statement names
 * one). */
#define INCIDENT_FILTER \
	"(?3 IS NULL OR owner = ?3) AND (?4 = 0 OR owner IS NULL) AND " \
	"(?5 IS NULL OR business_unit = ?5) "
/* The incidents of one play (?7), optionally one version of it (?8, a
 * prefix of its hash), ?1 one stage or NULL, ?2 open ones only: through
 * incidents_play, apart from the statements above so that theirs stay
 * read from the open index alone. */
#define INCIDENT_PLAY_WHERE "play = ?7 AND " \
	"(?8 IS NULL OR substr(play_version, 1, length(?8)) = ?8) AND " \
	"(?1 IS NULL OR stage = ?1) AND (?2 = 0 OR stage <> 'closed') AND " INCIDENT_FILTER
#define INCIDENT_WHERE INCIDENT_FILTER "ORDER BY priority, t_detected, id LIMIT ?6"

/* A step's definition: its own (rows from before schema 10, and steps
 * inserted with one), else the one its play version keeps once for every
 * incident that runs it (play_steps). In a SELECT ... FROM steps. */
#define STEP_DEF \
	"coalesce(def, (SELECT ps.def FROM play_runs pr JOIN play_steps ps " \
	"ON ps.hash = pr.hash AND ps.step_id = steps.step_id " \
	"WHERE pr.incident_id = steps.incident_id), '{}')"

/* The columns store_step_row() reads, in its order. */
#define STEP_COLS \
	"id, incident_id, step_id, seq, kind, stage, title, state, required, assignee, " \
	"attempts, lease_owner, lease_until, t_start, t_end, output, error, " STEP_DEF ", " \
	"retry, next_attempt, inputs, log, requested_by, done_by, reason"

/* store_alert_insert_new(): rows of ALERT_NEW_COLS values, by 1, 4 or 16. */
/* The canonical form new audit events are hashed with (audit.c): 2, the
 * typed one, since schema 7; rows written before keep 1. */
#define AUDIT_CANON_NOW "2"

#define ALERT_NEW_COLS 15
#define ALERT_NEW_SQL "INSERT OR IGNORE INTO alerts(id, fingerprint, format, event_time, " \
	"received, rule_id, rule_name, severity, host, src_ip, dst_ip, user_name, category, " \
	"raw, incident_id) VALUES "
#define ALERT_NEW_ROW "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define ALERT_NEW_ROWS4 ALERT_NEW_ROW "," ALERT_NEW_ROW "," ALERT_NEW_ROW "," ALERT_NEW_ROW

/* An incident's sensor context (ST_SENSOR_CONTEXT, store_sensor_context()).
 * m: the kept events between ?2 and ?3 of the hosts in the JSON array ?1,
 * each once (UNION on id). A name asked for (a DNS lookup, an HTTP
 * request, a TLS server name) belongs to the client that asked: matched by
 * the source only, and a DNS record from port 53 (a server's answer) by
 * its destination, so a resolver's incident does not get its clients'
 * lookups. Files, flows, SSH, SMTP and anomalies match either side. j is
 * the raw record where a line reads fields from it (ssh, smtp, anomaly,
 * and whether a DNS record is the answer). Flows: the top ?5 peers by
 * bytes. */
#define SENSOR_ANSWER "(type = 'dns' AND src_port = 53 AND coalesce(dst_port, 0) <> 53)"
#define SENSOR_CLIENT_SIDE "type IN ('dns', 'http', 'tls')"
#define SENSOR_M_COLS "id, type, t, src_ip, dst_ip, rrname, rrtype, answer, hostname, url, " \
	"method, status, sni, subject, filename, sha256, bytes, " \
	"CASE WHEN type IN ('dns', 'ssh', 'smtp', 'anomaly') AND json_valid(raw) THEN raw END AS j"
#define SENSOR_J(path) "json_extract(j, '" path "')"
#define SENSOR_CONTEXT_SQL "WITH h(v) AS (SELECT value FROM json_each(?1)), " \
	"m AS (SELECT " SENSOR_M_COLS " FROM sensor_events WHERE src_ip IN h AND " \
	"t BETWEEN ?2 AND ?3 AND NOT " SENSOR_ANSWER " UNION SELECT " SENSOR_M_COLS \
	" FROM sensor_events WHERE dst_ip IN h AND t BETWEEN ?2 AND ?3 AND (NOT " \
	SENSOR_CLIENT_SIDE " OR " SENSOR_ANSWER ")), " \
	"l AS (SELECT type, t, id, answer, bytes, CASE type WHEN 'dns' THEN rrname " \
	"WHEN 'http' THEN coalesce(method || ' ', '') || coalesce(hostname, '') || " \
	"coalesce(url, '') WHEN 'tls' THEN sni WHEN 'fileinfo' THEN filename " \
	"WHEN 'flow' THEN CASE WHEN src_ip IN h THEN dst_ip ELSE src_ip END " \
	"WHEN 'ssh' THEN src_ip || ' > ' || dst_ip " \
	"WHEN 'smtp' THEN 'from ' || coalesce(" SENSOR_J("$.smtp.mail_from") ", " \
	SENSOR_J("$.mailfrom") ", '?') || ' to ' || coalesce(" SENSOR_J("$.smtp.rcpt_to[0]") \
	", " SENSOR_J("$.rcptto[0]") ", '?') " \
	"WHEN 'anomaly' THEN coalesce(" SENSOR_J("$.anomaly.event") ", " SENSOR_J("$.name") \
	", " SENSOR_J("$.anomaly.type") ") END AS what, " \
	"CASE type WHEN 'dns' THEN rrtype WHEN 'http' THEN CAST(status AS TEXT) " \
	"WHEN 'tls' THEN subject WHEN 'fileinfo' THEN sha256 " \
	"WHEN 'ssh' THEN 'client ' || coalesce(" SENSOR_J("$.ssh.client.software_version") ", " \
	SENSOR_J("$.client") ", '?') || ', server ' || coalesce(" \
	SENSOR_J("$.ssh.server.software_version") ", " SENSOR_J("$.server") ", '?') " \
	"WHEN 'smtp' THEN 'helo ' || coalesce(" SENSOR_J("$.smtp.helo") ", " SENSOR_J("$.helo") \
	", '?') WHEN 'anomaly' THEN coalesce(" SENSOR_J("$.anomaly.app_proto") ", " \
	SENSOR_J("$.anomaly.layer") ", " SENSOR_J("$.anomaly.type") ", " SENSOR_J("$.addl") \
	") END AS detail, type = 'dns' AND coalesce(" SENSOR_J("$.dns.type") ", '') = 'answer' " \
	"AS reply FROM m), " \
	"g AS (SELECT type, what, detail, CASE WHEN type = 'dns' THEN " \
	"max(sum(NOT reply), sum(reply)) ELSE count(*) END AS n, min(t) AS first, " \
	"max(t) AS last, substr(max(CASE WHEN answer <> '' THEN printf('%020d', t) || answer " \
	"END), 21) AS ans, CAST(substr(max(printf('%020d%020d', t, id)), 21) AS INTEGER) " \
	"AS newest, sum(bytes) AS bytes FROM l WHERE what <> '' GROUP BY type, what, detail), " \
	"r AS (SELECT *, CASE WHEN type = 'flow' THEN row_number() OVER (PARTITION BY type " \
	"ORDER BY bytes DESC, what) END AS peer_rank FROM g) " \
	"SELECT type, what, detail, n, first, last, ans, newest, bytes, count(*) OVER () " \
	"FROM r WHERE peer_rank IS NULL OR peer_rank <= ?5 " \
	"ORDER BY last DESC, type, what LIMIT ?4"
/* A kept event as struct sensor_event reads it (store_sensor_list()). */
#define SENSOR_LIST_COLS "id, t, type, sensor, src_ip, src_port, dst_ip, dst_port, proto, " \
	"rrname, rrtype, answer, hostname, url, method, status, user_agent, sni, subject, ja3, " \
	"filename, sha256, size, bytes, packets, raw"

/* The statements of context.c (the asset inventory, the context cache). */
#define ASSET_COLS "host, ips, owner, business_unit, criticality, role, site, os, tags, " \
	"contact, source, updated"
#define CONTEXT_STMTS(X) \
	X(ST_ASSET_GET, "SELECT " ASSET_COLS " FROM assets WHERE host = ?1") \
	X(ST_ASSET_BY_IP, "SELECT " ASSET_COLS " FROM assets WHERE host = " \
		"(SELECT host FROM asset_ips WHERE ip = ?1 ORDER BY host LIMIT 1)") \
	X(ST_ASSET_PUT, "INSERT INTO assets(" ASSET_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, " \
		"?8, ?9, ?10, ?11, ?12) ON CONFLICT(host) DO UPDATE SET host = excluded.host, " \
		"ips = excluded.ips, owner = excluded.owner, business_unit = excluded.business_unit, " \
		"criticality = excluded.criticality, role = excluded.role, site = excluded.site, " \
		"os = excluded.os, tags = excluded.tags, contact = excluded.contact, " \
		"source = excluded.source, updated = excluded.updated") \
	X(ST_ASSET_IPS_DEL, "DELETE FROM asset_ips WHERE host = ?1") \
	X(ST_ASSET_IP_ADD, "INSERT OR IGNORE INTO asset_ips(ip, host) VALUES (?1, ?2)") \
	X(ST_ASSET_EACH, "SELECT " ASSET_COLS " FROM assets ORDER BY host") \
	X(ST_ASSET_COUNT, "SELECT count(*) FROM assets") \
	X(ST_CTX_GET, "SELECT source, key, data, fetched, expires FROM context_cache " \
		"WHERE source = ?1 AND key = ?2") \
	X(ST_CTX_ANY, "SELECT source, key, data, fetched, expires FROM context_cache " \
		"WHERE key = ?1 AND data IS NOT NULL ORDER BY fetched DESC LIMIT 1") \
	X(ST_CTX_EACH_KEY, "SELECT source, key, data, fetched, expires FROM context_cache " \
		"WHERE key = ?1 AND data IS NOT NULL ORDER BY source") \
	X(ST_CTX_PUT, "INSERT INTO context_cache(source, key, data, fetched, expires) " \
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(source, key) DO UPDATE SET " \
		"data = excluded.data, fetched = excluded.fetched, expires = excluded.expires") \
	X(ST_HEALTH_GET, "SELECT source, error, since, fails, next_try, last_ok " \
		"FROM context_health WHERE source = ?1") \
	X(ST_CTX_INC_AFTER, "SELECT id FROM incidents WHERE id > ?1 AND stage <> 'closed' " \
		"ORDER BY id LIMIT ?2") \
	X(ST_CTX_CRITICAL, "SELECT id FROM incidents INDEXED BY incidents_critical " \
		"WHERE asset_criticality = 4 AND stage <> 'closed'") \
	X(ST_HEALTH_EACH, "SELECT source, error, since, fails, next_try, last_ok " \
		"FROM context_health WHERE since IS NOT NULL ORDER BY source") \
	X(ST_HEALTH_OK, "INSERT INTO context_health(source, since, error, fails, next_try, last_ok) " \
		"VALUES (?1, NULL, NULL, 0, NULL, ?2) ON CONFLICT(source) DO UPDATE SET since = NULL, " \
		"error = NULL, fails = 0, next_try = NULL, last_ok = excluded.last_ok") \
	X(ST_HEALTH_FAIL, "INSERT INTO context_health(source, since, error, fails, next_try) " \
		"VALUES (?1, ?2, ?3, 1, ?4) ON CONFLICT(source) DO UPDATE SET " \
		"since = coalesce(since, excluded.since), error = excluded.error, " \
		"fails = fails + 1, next_try = excluded.next_try")

/* Every SQL statement irk runs, prepared once per connection. */
#define STORE_STMTS(X) \
	X(ST_QUERY_SAVE, "INSERT INTO saved_queries(name, query, actor, at) VALUES (?1, ?2, ?3, ?4) " \
		"ON CONFLICT(name) DO UPDATE SET query = ?2, actor = ?3, at = ?4") \
	X(ST_QUERY_GET, "SELECT query FROM saved_queries WHERE name = ?1") \
	X(ST_QUERY_EACH, "SELECT name, query, actor, at FROM saved_queries ORDER BY name") \
	X(ST_META_GET, "SELECT value FROM meta WHERE key = ?1") \
	X(ST_META_SET, "INSERT INTO meta(key, value) VALUES (?1, ?2) " \
		"ON CONFLICT(key) DO UPDATE SET value = excluded.value") \
	X(ST_DATA_VERSION, "PRAGMA data_version") \
	X(ST_USER_GET, "SELECT role FROM users WHERE name = ?1") \
	X(ST_USER_PUT, "INSERT INTO users(name, role, created, created_by) VALUES (?1, ?2, ?3, ?4) " \
		"ON CONFLICT(name) DO UPDATE SET role = excluded.role") \
	X(ST_USER_COUNT, "SELECT count(*) FROM users") \
	X(ST_USER_LIST, "SELECT name, role, created, created_by, coalesce(jid, '') FROM users " \
		"ORDER BY name") \
	X(ST_USER_JID_GET, "SELECT coalesce(jid, '') FROM users WHERE name = ?1") \
	X(ST_USER_JID_SET, "UPDATE users SET jid = ?2 WHERE name = ?1") \
	X(ST_USER_BY_JID, "SELECT name, role FROM users WHERE jid = ?1 COLLATE NOCASE") \
	X(ST_INC_GET, "SELECT " INCIDENT_COLS " FROM incidents WHERE id = ?1") \
	X(ST_INC_EACH, "SELECT " INCIDENT_COLS " FROM incidents WHERE " INCIDENT_WHERE) \
	X(ST_INC_EACH_OPEN, "SELECT " INCIDENT_COLS " FROM incidents WHERE stage <> 'closed' AND " \
		INCIDENT_WHERE) \
	X(ST_INC_CARDS, "SELECT " INCIDENT_CARD_COLS " FROM incidents WHERE " INCIDENT_WHERE) \
	X(ST_INC_CARDS_OPEN, "SELECT " INCIDENT_CARD_COLS " FROM incidents WHERE " \
		"stage <> 'closed' AND " INCIDENT_WHERE) \
	/* One stage (a key): through incidents_board, in its order. */ \
	X(ST_INC_EACH_STAGE, "SELECT " INCIDENT_COLS " FROM incidents WHERE stage = ?1 AND " \
		INCIDENT_WHERE) \
	X(ST_INC_CARDS_STAGE, "SELECT " INCIDENT_CARD_COLS " FROM incidents WHERE stage = ?1 AND " \
		INCIDENT_WHERE) \
	X(ST_INC_COUNT_STAGE, "SELECT count(*) FROM incidents WHERE stage = ?1") \
	/* How many incidents a list's filter matches (?1 stage or NULL, ?3 \
	 * owner, ?4 unassigned, ?5 unit): open ones from the open index \
	 * alone, one stage from the board index. */ \
	X(ST_INC_COUNT_OPEN_F, "SELECT count(*) FROM incidents WHERE stage <> 'closed' AND " \
		"(?1 IS NULL OR stage = ?1) AND " INCIDENT_FILTER) \
	X(ST_INC_COUNT_STAGE_F, "SELECT count(*) FROM incidents WHERE stage = ?1 AND " INCIDENT_FILTER) \
	X(ST_INC_EACH_PLAY, "SELECT " INCIDENT_COLS " FROM incidents WHERE " INCIDENT_PLAY_WHERE \
		"ORDER BY priority, t_detected, id LIMIT ?6") \
	X(ST_INC_CARDS_PLAY, "SELECT " INCIDENT_CARD_COLS " FROM incidents WHERE " \
		INCIDENT_PLAY_WHERE "ORDER BY priority, t_detected, id LIMIT ?6") \
	X(ST_INC_COUNT_PLAY, "SELECT count(*) FROM incidents WHERE " INCIDENT_PLAY_WHERE) \
	/* Open incidents past an SLA (sla_status()): ?1 now, ?2-?5 the \
	 * acknowledgement targets of P1-P4, ?6-?9 the containment ones. \
	 * From the open index alone. */ \
	X(ST_INC_BREACHED, "SELECT count(*) FROM incidents INDEXED BY incidents_open " \
		"WHERE stage <> 'closed' AND stage IN ('new', 'identification', 'containment') " \
		"AND t_contained IS NULL AND t_detected < ?1 - CASE WHEN t_acknowledged IS NULL " \
		"THEN (CASE priority WHEN 1 THEN ?2 WHEN 2 THEN ?3 WHEN 3 THEN ?4 ELSE ?5 END) " \
		"ELSE (CASE priority WHEN 1 THEN ?6 WHEN 2 THEN ?7 WHEN 3 THEN ?8 ELSE ?9 END) END") \
	X(ST_INC_UNITS, "SELECT DISTINCT business_unit FROM incidents WHERE stage <> 'closed' " \
		"AND business_unit IS NOT NULL ORDER BY business_unit LIMIT ?1") \
	/* Where an incident stands in its board column: the cards before \
	 * it (open: ?1 stage, ?2 priority, ?3 detected, ?4 id; closed: ?1 \
	 * closed, ?2 id, newest first). */ \
	X(ST_INC_POS_OPEN, "SELECT count(*) FROM incidents WHERE stage = ?1 AND " \
		"(priority, t_detected, id) < (?2, ?3, ?4)") \
	X(ST_INC_POS_CLOSED, "SELECT count(*) FROM incidents INDEXED BY incidents_closed " \
		"WHERE stage = 'closed' AND t_closed >= ?1 AND (t_closed > ?1 OR id > ?2)") \
	X(ST_INC_COUNT_ALL, "SELECT count(*) FROM incidents") \
	X(ST_INC_INSERT, "INSERT INTO incidents(" INCIDENT_FIELDS(X_INC_INS) "version) VALUES (" \
		INCIDENT_FIELDS(X_INC_VAL) "1)") \
	X(ST_INC_UPDATE, "UPDATE incidents SET " INCIDENT_FIELDS(X_INC_UPD) \
		"version = version + 1 WHERE id = ? AND version = ?") \
	X(ST_INC_WHO, "SELECT version, coalesce(updated_by, '?') FROM incidents WHERE id = ?1") \
	X(ST_INC_BUMP, "UPDATE incidents SET alert_count = alert_count + ?2, " \
		"t_first_event = min(coalesce(t_first_event, ?3), ?3), " \
		"t_last_event = max(coalesce(t_last_event, ?4), ?4) WHERE id = ?1") \
	X(ST_INC_CORR_HOST, "SELECT id FROM incidents WHERE rule = ?1 AND host = ?2 " \
		"AND stage <> 'closed' AND t_last_event >= ?3 AND t_first_event <= ?4 " \
		"ORDER BY t_last_event DESC LIMIT 1") \
	X(ST_INC_CORR_SRC, "SELECT id FROM incidents WHERE rule = ?1 AND src_ip = ?2 " \
		"AND stage <> 'closed' AND t_last_event >= ?3 AND t_first_event <= ?4 " \
		"ORDER BY t_last_event DESC LIMIT 1") \
	X(ST_HIST_ADD, "INSERT INTO stage_history(incident_id, from_stage, to_stage, at, actor, " \
		"reason, forced) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") \
	X(ST_HIST_LIST, "SELECT from_stage, to_stage, at, actor, reason, forced " \
		"FROM stage_history WHERE incident_id = ?1 ORDER BY id") \
	X(ST_NOTE_ADD, "INSERT INTO notes(incident_id, at, actor, text) VALUES (?1, ?2, ?3, ?4)") \
	X(ST_NOTE_LIST, "SELECT id, at, actor, text FROM notes WHERE incident_id = ?1 ORDER BY id") \
	X(ST_ALERT_INSERT, "INSERT OR IGNORE INTO alerts(fingerprint, format, event_time, " \
		"received, rule_id, rule_name, severity, host, src_ip, dst_ip, user_name, category, " \
		"raw, incident_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)") \
	X(ST_ALERT_EXISTS, "SELECT 1 FROM alerts WHERE fingerprint = ?1") \
	X(ST_ALERT_LAST_ID, "SELECT max(id) FROM alerts") \
	X(ST_ALERT_HOUR, "SELECT 1 FROM alerts WHERE fingerprint >= ?1 AND fingerprint < ?2 LIMIT 1") \
	X(ST_ALERT_NEW_1, ALERT_NEW_SQL ALERT_NEW_ROW) \
	X(ST_ALERT_NEW_4, ALERT_NEW_SQL ALERT_NEW_ROWS4) \
	X(ST_ALERT_NEW_16, ALERT_NEW_SQL ALERT_NEW_ROWS4 "," ALERT_NEW_ROWS4 "," ALERT_NEW_ROWS4 "," \
		ALERT_NEW_ROWS4) \
	X(ST_ALERT_EACH, "SELECT id, incident_id, event_time, received, format, rule_id, " \
		"rule_name, severity, host, src_ip, dst_ip, user_name, category, raw, fingerprint " \
		"FROM alerts WHERE incident_id = ?1 ORDER BY event_time DESC, id DESC LIMIT ?2") \
	X(ST_OBS_ADD, "INSERT OR IGNORE INTO observables(incident_id, type, value, source, ref, at) " \
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
	X(ST_OBS_COUNT, "SELECT count(*) FROM observables WHERE incident_id = ?1 AND type = ?2") \
	X(ST_OBS_EACH, "SELECT type, value, source, ref, at FROM observables " \
		"WHERE incident_id = ?1 ORDER BY type, value") \
	X(ST_QUAR_ADD, "INSERT INTO quarantine(at, source, line, format, reason, raw, orig_len, " \
		"hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, irk_sha256(?6)) " \
		"ON CONFLICT(source, line, hash) DO NOTHING") \
	X(ST_QUAR_COUNT, "SELECT count(*) FROM quarantine") \
	X(ST_QUAR_EACH, "SELECT id, at, line, source, reason, format, raw, orig_len FROM " \
		"(SELECT * FROM quarantine ORDER BY id DESC LIMIT ?1) ORDER BY id") \
	X(ST_SENSOR_INSERT, "INSERT OR IGNORE INTO sensor_events(t, type, sensor, src_ip, src_port, " \
		"dst_ip, dst_port, proto, rrname, rrtype, answer, hostname, url, method, status, " \
		"user_agent, sni, subject, ja3, filename, sha256, size, bytes, packets, raw, h) VALUES " \
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, " \
		"?20, ?21, ?22, ?23, ?24, ?25, ?26)") \
	X(ST_SENSOR_PRUNE, "DELETE FROM sensor_events WHERE id IN (SELECT id FROM sensor_events " \
		"WHERE t < ?1 ORDER BY t LIMIT ?2)") \
	X(ST_SENSOR_COUNT, "SELECT count(*) FROM sensor_events") \
	X(ST_SENSOR_ANY, "SELECT EXISTS (SELECT 1 FROM sensor_events)") \
	X(ST_SENSOR_CONTEXT, SENSOR_CONTEXT_SQL) \
	X(ST_SENSOR_RAW, "SELECT raw FROM sensor_events WHERE id = ?1") \
	/* irk sensor list: the newest ?4 between ?2 and ?3 of type ?5 (NULL: \
	 * any), oldest first; of host ?1 by either address (one indexed \
	 * search each). */ \
	X(ST_SENSOR_LIST, "SELECT " SENSOR_LIST_COLS " FROM (SELECT * FROM sensor_events " \
		"WHERE t BETWEEN ?2 AND ?3 AND (?5 IS NULL OR type = ?5) " \
		"ORDER BY t DESC, id DESC LIMIT ?4) ORDER BY t, id") \
	X(ST_SENSOR_LIST_HOST, "SELECT " SENSOR_LIST_COLS " FROM (SELECT * FROM sensor_events " \
		"WHERE src_ip = ?1 AND t BETWEEN ?2 AND ?3 AND (?5 IS NULL OR type = ?5) UNION " \
		"SELECT * FROM sensor_events WHERE dst_ip = ?1 AND t BETWEEN ?2 AND ?3 AND " \
		"(?5 IS NULL OR type = ?5) ORDER BY t DESC, id DESC LIMIT ?4) ORDER BY t, id") \
	X(ST_STEP_EACH, "SELECT " STEP_COLS " FROM steps WHERE incident_id = ?1 ORDER BY seq") \
	X(ST_EVENT_LAST, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1") \
	X(ST_EVENT_INSERT, "INSERT INTO events(seq, at, actor, uid, incident_id, kind, data, " \
		"prev_hash, hash, canon) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " \
		AUDIT_CANON_NOW ")") \
	X(ST_EVENT_ALL, "SELECT seq, at, actor, uid, incident_id, kind, data, prev_hash, hash, " \
		"canon FROM events ORDER BY seq") \
	/* The newest ?2 events, oldest first: of the whole log, and of one \
	 * incident. Two statements: `?1 = 0 OR incident_id = ?1` cannot use \
	 * events_incident and read the whole log for one incident (70 ms \
	 * on a storm's database against 5). */ \
	X(ST_EVENT_EACH, "SELECT seq, at, actor, uid, incident_id, kind, data, prev_hash, hash " \
		"FROM (SELECT * FROM events ORDER BY seq DESC LIMIT ?2) ORDER BY seq") \
	X(ST_EVENT_AFTER, "SELECT seq, at, actor, uid, incident_id, kind, data, prev_hash, hash " \
		"FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2") \
	X(ST_EVENT_EACH_INC, "SELECT seq, at, actor, uid, incident_id, kind, data, prev_hash, hash " \
		"FROM (SELECT * FROM events WHERE incident_id = ?1 " \
		"ORDER BY seq DESC LIMIT ?2) ORDER BY seq") \
	X(ST_INC_STAGE, "SELECT " INCIDENT_COLS " FROM incidents WHERE stage = ?1 " \
		"ORDER BY priority, t_detected, id LIMIT ?2 OFFSET ?3") \
	/* INDEXED BY: without statistics the planner takes incidents_board \
	 * (stage = 'closed') and sorts every closed row for a page of 300. */ \
	X(ST_INC_CLOSED_RECENT, "SELECT " INCIDENT_COLS " FROM incidents INDEXED BY incidents_closed " \
		"WHERE stage = 'closed' ORDER BY t_closed DESC, id DESC LIMIT ?1 OFFSET ?2") \
	X(ST_STEP_WAITING, "SELECT DISTINCT incident_id FROM steps WHERE state = 'waiting' " \
		"OR (state = 'ready' AND kind IN ('manual', 'approval'))") \
	X(ST_LINK_ADD, "INSERT OR IGNORE INTO links(a, b, kind, at, actor) VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(ST_LINK_EACH, "SELECT a, b, kind, at, actor FROM links WHERE a = ?1 OR b = ?1 ORDER BY id") \
	X(ST_MERGE_ALERTS, "UPDATE alerts SET incident_id = ?2 WHERE incident_id = ?1") \
	X(ST_MERGE_OBSERVABLES, "UPDATE OR IGNORE observables SET incident_id = ?2, source = " \
		"iif(source = 'storm' AND (SELECT storm FROM incidents WHERE id = ?2) = 0, 'alert', " \
		"source) WHERE incident_id = ?1") \
	X(ST_MERGE_NOTES, "UPDATE notes SET incident_id = ?2 WHERE incident_id = ?1") \
	X(ST_INCIDENT_OBSERVED, "SELECT incident_id FROM observables WHERE value = ?1 AND " \
		"source <> 'storm' UNION SELECT i.id FROM incidents i INDEXED BY incidents_storms " \
		"JOIN observables o ON o.incident_id = i.id AND o.type = 'host' AND o.value = ?1 " \
		"AND o.source = 'storm' WHERE i.storm = 1") \
	X(ST_INCIDENT_FAILED, "SELECT DISTINCT s.incident_id FROM steps s " \
		"JOIN incidents i ON i.id = s.incident_id WHERE s.state = 'failed' AND " \
		"s.required = 1 AND s.kind <> 'approval' AND i.stage <> 'closed'") \
	X(ST_INCIDENT_TICKETS, "SELECT s.incident_id, json_extract(s.output, '$.key') FROM steps s " \
		"INDEXED BY steps_tickets JOIN incidents i ON i.id = s.incident_id " \
		"WHERE s.kind = 'ticket' AND s.state = 'done' AND i.stage <> 'closed' " \
		"AND json_valid(s.output) AND json_extract(s.output, '$.action') = 'create' " \
		"AND json_type(s.output, '$.key') = 'text' ORDER BY s.incident_id, s.t_end, s.id") \
	X(ST_STEP_APPROVALS, "SELECT " STEP_COLS " FROM steps WHERE state = 'waiting' AND " \
		"kind = 'approval' ORDER BY incident_id, seq") \
	X(ST_PRESENCE_BEAT, "INSERT INTO presence(name, seen) VALUES (?1, ?2) " \
		"ON CONFLICT(name) DO UPDATE SET seen = excluded.seen") \
	X(ST_PRESENCE_LEAVE, "DELETE FROM presence WHERE name = ?1") \
	X(ST_PLAY_PUT, "INSERT OR IGNORE INTO plays(hash, play_id, version, name, path, source, " \
		"loaded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") \
	X(ST_PLAY_EACH, "SELECT p.hash, p.play_id, p.version, p.name, p.path, p.source, p.loaded, " \
		"(SELECT count(*) FROM play_runs r WHERE r.hash = p.hash) FROM plays p " \
		"WHERE (?1 IS NULL OR p.play_id = ?1) AND (?2 IS NULL OR p.hash = ?2) " \
		"ORDER BY p.loaded DESC, p.hash") \
	X(ST_RUN_ADD, "INSERT INTO play_runs(incident_id, play_id, hash) VALUES (?1, ?2, ?3)") \
	X(ST_RUN_SEEN, "UPDATE play_runs SET stale = 0 WHERE incident_id = ?1 AND stale = 1") \
	X(ST_RUN_KEEP_DEFS, "UPDATE steps SET def = " STEP_DEF " WHERE incident_id = ?1 AND def IS NULL") \
	X(ST_RUN_RETIRE, "UPDATE steps SET step_id = ?2 || step_id, seq = seq - ?3 WHERE incident_id = ?1") \
	X(ST_RUN_DROP, "DELETE FROM play_runs WHERE incident_id = ?1") \
	X(ST_RUN_STALE, "SELECT incident_id FROM play_runs WHERE stale = 1 " \
		"ORDER BY incident_id LIMIT ?1") \
	X(ST_STEP_INSERT, "INSERT INTO steps(incident_id, step_id, seq, kind, stage, title, " \
		"required, retry, def, assignee, state, t_start, t_end, requested_by, done_by, " \
		"reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, " \
		"?15, ?16)") \
	X(ST_PLAY_STEPS_KNOWN, "SELECT 1 FROM play_steps WHERE hash = ?1 LIMIT 1") \
	X(ST_PLAY_STEP_PUT, "INSERT OR IGNORE INTO play_steps(hash, step_id, def) " \
		"VALUES (?1, ?2, ?3)") \
	X(ST_STEP_GET, "SELECT " STEP_COLS " FROM steps WHERE incident_id = ?1 AND step_id = ?2") \
	X(ST_STEP_GET_ID, "SELECT " STEP_COLS " FROM steps WHERE id = ?1") \
	X(ST_STEP_UPDATE, "UPDATE steps SET state = ?2, attempts = ?3, lease_owner = ?4, " \
		"lease_until = ?5, t_start = ?6, t_end = ?7, output = ?8, error = ?9, inputs = ?10, " \
		"log = ?11, requested_by = ?12, done_by = ?13, reason = ?14, next_attempt = ?15, " \
		"assignee = ?16 WHERE id = ?1 AND state = ?17") \
	X(ST_STEP_DUE, "SELECT id FROM steps WHERE state = 'ready' AND " \
		"coalesce(next_attempt, 0) <= ?1 ORDER BY coalesce(next_attempt, 0), id LIMIT 8") \
	X(ST_STEP_CLAIM, "UPDATE steps SET state = 'running', lease_owner = ?2, lease_until = ?3, " \
		"attempts = attempts + 1, t_start = ?4, t_end = NULL, next_attempt = NULL " \
		"WHERE id = ?1 AND state = 'ready'") \
	X(ST_STEP_RENEW, "UPDATE steps SET lease_until = ?3 WHERE id = ?1 AND state = 'running' " \
		"AND lease_owner = ?2") \
	X(ST_STEP_EXPIRED, "SELECT id FROM steps WHERE state = 'running' AND lease_until < ?1 " \
		"ORDER BY lease_until LIMIT ?2") \
	X(ST_STEP_NEXT_DUE, "SELECT min(coalesce(next_attempt, 0)) FROM steps " \
		"WHERE state = 'ready' AND coalesce(next_attempt, 0) > ?1") \
	X(ST_STEP_CHECK_GET, "SELECT step_id, incident_id, kind, state, done_by, " \
		"coalesce(json_array_length(" STEP_DEF ", '$.checklist'), 0), " \
		"json_extract(" STEP_DEF ", '$.checklist[' || ?2 || ']'), " \
		"json_type(coalesce(checks, '{}'), '$.\"' || ?2 || '\"') FROM steps WHERE id = ?1") \
	X(ST_STEP_CHECK_SET, "UPDATE steps SET checks = json_set(coalesce(checks, '{}'), " \
		"'$.\"' || ?2 || '\"', json_object('by', ?3, 'at', ?4)) WHERE id = ?1") \
	X(ST_STEP_CHECK_CLEAR, "UPDATE steps SET checks = " \
		"nullif(json_remove(coalesce(checks, '{}'), '$.\"' || ?2 || '\"'), '{}') WHERE id = ?1") \
	X(ST_STEP_CHECKS, "SELECT coalesce(checks, '{}') FROM steps WHERE id = ?1") \
	X(ST_OUTBOX_ADD, "INSERT INTO outbox(at, incident_id, step, recipient, text) " \
		"VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(ST_OUTBOX_EACH, "SELECT o.id, o.at, o.incident_id, s.step_id, o.recipient, o.text, " \
		"o.state, o.attempts, o.t_sent, o.error FROM outbox o LEFT JOIN steps s " \
		"ON s.id = o.step WHERE (?1 = 0 OR o.state = 'queued') ORDER BY o.id DESC LIMIT ?2") \
	X(ST_INBOX_EACH, "SELECT o.id, o.at, o.incident_id, s.step_id, o.recipient, o.text, " \
		"o.state, o.attempts, o.t_sent, o.error FROM outbox o LEFT JOIN steps s " \
		"ON s.id = o.step WHERE o.recipient IN (?1, ?2, ?3, ?4) ORDER BY o.id DESC LIMIT ?5") \
	X(ST_INBOX_UNSEEN, "SELECT count(*), max(o.id) FROM outbox o WHERE o.recipient IN (?1, ?2, ?3, ?4) " \
		"AND o.id > coalesce((SELECT last_id FROM outbox_seen WHERE name = ?1), 0)") \
	X(ST_OUTBOX_DUE, "SELECT o.id, o.at, o.incident_id, s.step_id, o.recipient, o.text, " \
		"o.state, o.attempts, o.t_sent, o.error FROM outbox o LEFT JOIN steps s " \
		"ON s.id = o.step WHERE o.state = 'queued' AND o.id > ?1 " \
		"AND coalesce(o.next_try, 0) <= ?2 ORDER BY o.id LIMIT ?3") \
	X(ST_OUTBOX_SENT, "UPDATE outbox SET state = 'sent', attempts = attempts + 1, t_sent = ?2, " \
		"error = NULL, next_try = NULL WHERE id = ?1 AND state = 'queued'") \
	X(ST_OUTBOX_RETRY, "UPDATE outbox SET attempts = attempts + 1, error = ?2, next_try = ?3, " \
		"state = CASE WHEN ?3 IS NULL THEN 'failed' ELSE state END " \
		"WHERE id = ?1 AND state = 'queued' RETURNING attempts") \
	X(ST_LEASE_TAKE, "INSERT INTO leases(name, owner, until) VALUES (?1, ?2, ?3) " \
		"ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until " \
		"WHERE leases.owner = excluded.owner OR leases.until < ?4") \
	X(ST_LEASE_DROP, "DELETE FROM leases WHERE name = ?1 AND owner = ?2") \
	X(ST_LEASE_GET, "SELECT owner, until FROM leases WHERE name = ?1") \
	X(ST_JIDS_OF, "SELECT jid FROM users WHERE jid IS NOT NULL AND " \
		"(name = ?1 OR (substr(?1, 1, 5) = 'role:' AND " \
		"CASE role WHEN 'analyst' THEN 1 WHEN 'senior' THEN 2 ELSE 3 END >= " \
		"CASE substr(?1, 6) WHEN 'analyst' THEN 1 WHEN 'senior' THEN 2 WHEN 'admin' THEN 3 " \
		"ELSE 9 END)) ORDER BY name") \
	X(ST_WATCH_ADD, "INSERT INTO watches(name, incident_id, at) VALUES (?1, ?2, ?3) " \
		"ON CONFLICT DO NOTHING") \
	X(ST_WATCH_DROP, "DELETE FROM watches WHERE name = ?1 AND incident_id = ?2") \
	X(ST_WATCHERS, "SELECT name FROM watches WHERE incident_id = ?1 ORDER BY name") \
	X(ST_INBOX_LAST_SEEN, "SELECT last_id FROM outbox_seen WHERE name = ?1") \
	X(ST_INBOX_SEEN, "INSERT INTO outbox_seen(name, last_id) VALUES (?1, ?2) " \
		"ON CONFLICT(name) DO UPDATE SET last_id = max(last_id, excluded.last_id)") \
	X(ST_RULE_HISTORY, "SELECT host, src_ip, sum(alert_count), count(*), " \
		"sum(stage = 'closed'), sum(resolution IN ('false-positive', 'benign')) " \
		"FROM incidents WHERE rule = ?1 AND host IS NOT NULL AND " \
		"coalesce(t_last_event, t_detected) >= ?2 AND " \
		"coalesce(t_first_event, t_detected) <= ?3 GROUP BY host, src_ip " \
		"ORDER BY host, src_ip") \
	X(ST_HOST_EACH, "SELECT DISTINCT host FROM incidents WHERE host IS NOT NULL ORDER BY host") \
	X(ST_ALERT_FIRST, "SELECT id, incident_id, event_time, received, format, rule_id, " \
		"rule_name, severity, host, src_ip, dst_ip, user_name, category, raw, fingerprint " \
		"FROM alerts WHERE incident_id = ?1 ORDER BY id LIMIT 1") \
	X(ST_PRESENCE_LIST, "SELECT name, seen FROM presence WHERE seen >= ?1 ORDER BY name") \
	KPI_STMTS(X) \
	CONTEXT_STMTS(X) \
	STORM_STMTS(X)

/* Storm grouping (src/store/storm.c). A storm's host of an alert is its
 * host, else its source address (ingest's storm_member()). */
#define STORM_MEMBER "coalesce(nullif(host, ''), src_ip)"
#define STORM_STMTS(X) \
	X(ST_STORM_EACH, "SELECT rule, id, t_first_event, t_last_event FROM incidents " \
		"WHERE storm = 1 AND stage <> 'closed' AND rule IS NOT NULL") \
	X(ST_STORM_OPENED, "SELECT count(*) FROM (SELECT 1 FROM incidents WHERE rule = ?1 " \
		"AND storm = 0 AND t_first_event >= ?2 AND t_first_event <= ?3 LIMIT ?4)") \
	X(ST_STORM_IS, "SELECT storm FROM incidents WHERE id = ?1") \
	X(ST_STORM_PLAIN, "SELECT id, host, src_ip, t_first_event, t_last_event FROM incidents " \
		"WHERE rule = ?1 AND storm = 0 AND stage <> 'closed' LIMIT ?2") \
	X(ST_STORM_HAS_HOST, "SELECT 1 FROM observables WHERE incident_id = ?1 AND type = 'host' " \
		"AND value = ?2") \
	X(ST_STORM_TITLE, "SELECT title FROM incidents WHERE id = ?1") \
	X(ST_STORM_RETITLE, "UPDATE incidents SET title = ?2 WHERE id = ?1") \
	X(ST_STORM_ALERT_OF, "SELECT id, incident_id, event_time, received, format, rule_id, " \
		"rule_name, severity, host, src_ip, dst_ip, user_name, category, raw, fingerprint " \
		"FROM alerts WHERE incident_id = ?1 AND " STORM_MEMBER " = ?2 " \
		"ORDER BY event_time, id LIMIT 1") \
	X(ST_STORM_MOVE, "UPDATE alerts SET incident_id = ?2 WHERE incident_id = ?1 AND " \
		STORM_MEMBER " = ?3") \
	X(ST_STORM_RECOUNT, "UPDATE incidents SET (alert_count, t_first_event, t_last_event) = " \
		"(SELECT count(*), min(event_time), max(event_time) FROM alerts WHERE incident_id = ?1) " \
		"WHERE id = ?1") \
	X(ST_STORM_COPY_OBS, "INSERT OR IGNORE INTO observables(incident_id, type, value, source, " \
		"ref, at) SELECT ?2, type, value, source, ref, at FROM observables WHERE " \
		"incident_id = ?1 AND source = 'alert' AND ref IN " \
		"(SELECT id FROM alerts WHERE incident_id = ?2)") \
	X(ST_STORM_DROP_HOST, "DELETE FROM observables WHERE incident_id = ?1 AND type = 'host' " \
		"AND value = ?2") \
	X(ST_STORM_FOLDABLE, "SELECT i.id FROM incidents i WHERE i.rule = ?1 AND i.storm = 0 " \
		"AND i.t_first_event >= ?2 AND i.t_first_event <= ?3 AND i.id <> ?4 " \
		"AND i.stage = 'new' AND i.owner IS NULL AND NOT EXISTS (SELECT 1 FROM events e " \
		"WHERE e.incident_id = i.id AND (e.kind IN (" STORM_TOUCH_KINDS ") OR " \
		"(e.kind = 'incident.open' AND json_extract(e.data, '$.source.split_from') IS NOT NULL))) " \
		"AND NOT EXISTS (SELECT 1 FROM steps s WHERE s.incident_id = i.id AND " \
		"s.done_by IS NOT NULL) ORDER BY i.id LIMIT ?5") \
	X(ST_STORM_FOLD_HOSTS, "INSERT OR IGNORE INTO observables(incident_id, type, value, " \
		"source, ref, at) SELECT ?2, 'host', m, 'storm', ref, at FROM (SELECT " \
		STORM_MEMBER " AS m, min(id) AS ref, min(received) AS at FROM alerts " \
		"WHERE incident_id = ?1 GROUP BY m) WHERE m IS NOT NULL") \
	X(ST_STORM_HOSTS_1, STORM_HOSTS_SQL STORM_HOST_ROW) \
	X(ST_STORM_HOSTS_16, STORM_HOSTS_SQL STORM_HOST_ROWS4 "," STORM_HOST_ROWS4 "," \
		STORM_HOST_ROWS4 "," STORM_HOST_ROWS4)
/* What a person does to an incident (store_storm_foldable_each()): an
 * incident with one of these events was touched and stays out of a storm. */
#define STORM_TOUCH_KINDS "'incident.set', 'incident.note', 'incident.claim', " \
	"'incident.move', 'incident.close', 'incident.link', 'incident.merge', " \
	"'incident.split', 'step.check'"
/* store_storm_hosts_add(): a storm's hosts, 16 rows a statement. */
#define STORM_HOSTS_SQL "INSERT OR IGNORE INTO observables(incident_id, type, value, source, " \
	"ref, at) VALUES "
#define STORM_HOST_ROW "(?, 'host', ?, 'storm', ?, ?)"
#define STORM_HOST_ROWS4 STORM_HOST_ROW "," STORM_HOST_ROW "," STORM_HOST_ROW "," STORM_HOST_ROW

/* The KPIs' reads (src/store/kpi.c). Each stream has two forms: the whole
 * table in rowid order (NOT INDEXED: a recompute of everything reads the
 * pages once, in order, with no index lookups) and a range through an
 * index (a month of a large database). */
#define KPI_INC_COLS "id, stage, priority, resolution, asset_criticality, " \
	"t_first_event, t_detected, t_acknowledged, t_contained, t_resolved, t_closed, " \
	"reopen_count, back_moves, effort_min, category, business_unit, owner, play, " \
	"play_version, rule, root_cause, severity, vector, threat_source"
#define KPI_STMTS(X) \
	X(ST_KPI_SPAN, "SELECT (SELECT min(t_detected) FROM incidents), " \
		"(SELECT max(t_detected) FROM incidents), (SELECT min(id) FROM incidents), " \
		"(SELECT max(id) FROM incidents)") \
	X(ST_KPI_IDS, "SELECT min(id), max(id) FROM incidents INDEXED BY incidents_detected " \
		"WHERE t_detected >= ?1 AND t_detected < ?2") \
	X(ST_KPI_INC_ALL, "SELECT " KPI_INC_COLS " FROM incidents NOT INDEXED " \
		"WHERE t_detected >= ?1 AND t_detected < ?2") \
	X(ST_KPI_INC_RANGE, "SELECT " KPI_INC_COLS " FROM incidents INDEXED BY incidents_detected " \
		"WHERE t_detected >= ?1 AND t_detected < ?2") \
	X(ST_KPI_MOVES_ALL, "SELECT incident_id, to_stage, at, forced FROM stage_history " \
		"NOT INDEXED WHERE incident_id BETWEEN ?1 AND ?2 ORDER BY id") \
	X(ST_KPI_MOVES_RANGE, "SELECT incident_id, to_stage, at, forced FROM stage_history " \
		"INDEXED BY stage_history_incident WHERE incident_id BETWEEN ?1 AND ?2 " \
		"ORDER BY incident_id, id") \
	X(ST_KPI_STEPS_ALL, "SELECT incident_id, kind, state, t_start, t_end FROM steps " \
		"NOT INDEXED WHERE incident_id BETWEEN ?1 AND ?2") \
	X(ST_KPI_STEPS_RANGE, "SELECT incident_id, kind, state, t_start, t_end FROM steps " \
		"WHERE incident_id BETWEEN ?1 AND ?2") \
	X(ST_KPI_PLAYS, "SELECT play_id, hash, loaded FROM plays ORDER BY play_id, loaded") \
	X(ST_KPI_HEAD, "SELECT coalesce(max(seq), 0) FROM events") \
	X(ST_KPI_SNAP_META, "SELECT at, head FROM kpi_snapshots WHERE name = ?1") \
	X(ST_KPI_SNAP_GET, "SELECT at, head, body FROM kpi_snapshots WHERE name = ?1") \
	X(ST_KPI_SNAP_PUT, "INSERT INTO kpi_snapshots(name, at, head, body) VALUES (?1, ?2, ?3, ?4) " \
		"ON CONFLICT(name) DO UPDATE SET at = excluded.at, head = excluded.head, " \
		"body = excluded.body")

#define X_ENUM(id, sql) id,
enum store_stmt { STORE_STMTS(X_ENUM) ST_COUNT };
#undef X_ENUM

struct store {
	sqlite3 *db;
	char *path;
	int in_tx;
	int group;          /* inside store_group_begin(): transactions are savepoints */
	sqlite3_stmt *stmts[ST_COUNT];
	/* Statements added by other modules at run time (engine, plays). */
	sqlite3_stmt **extra;
	size_t nextra;
	/* Waiting for another writer (store_busy_limit, store_on_wait). */
	int busy_ms;
	int64_t wait_start_us;
	int wait_told;
	void (*on_wait)(const char *msg, void *arg);
	void *wait_arg;
	/* The waiters' file beside the database (-1: none) and whether this
	 * connection holds its read lock: "an irk writer is waiting"
	 * (store_writer_waiting). */
	int wait_fd;
	int wait_marked;
	/* The audit log's head as this transaction left it (audit_append):
	 * known, it is not read back per event; dirty, it is written to meta
	 * (audit.head) once, at the commit, not per event. */
	int64_t audit_seq;
	char audit_hash[IRK_SHA256_HEX];
	int audit_known, audit_dirty;
};

/* The prepared statement id, reset and with bindings cleared; NULL (and
 * err filled) when it cannot be prepared. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt id, struct irk_err *err);
/* Write the audit head to meta if this transaction moved it (audit.c). */
int store_audit_head_flush(struct store *s, struct irk_err *err);
/* Fill err from the connection's last error, prefixed with what. */
int store_fail(struct store *s, struct irk_err *err, const char *what);
/* Each row of st (the outbox's columns, in ST_OUTBOX_EACH's order) to fn;
 * stops early when fn returns nonzero; what names the reading in an error. */
int outbox_rows(struct store *s, sqlite3_stmt *st,
		int (*fn)(const struct outbox_row *o, void *arg), void *arg,
		struct irk_err *err, const char *what);
/* Bind text or NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Bind an int64, or NULL when v == 0. */
void store_bind_time(sqlite3_stmt *st, int i, int64_t v);
/* A steps row selected with STEP_COLS, borrowed from the statement. */
void store_step_row(sqlite3_stmt *st, struct step_row *r);
/* Step st (a SELECT of STEP_COLS) and call fn (may be NULL) with each row
 * until it returns nonzero; *n (may be NULL) gets the rows seen. */
int store_step_rows(struct store *s, sqlite3_stmt *st,
		int (*fn)(const struct step_row *r, void *arg), void *arg, int64_t *n,
		struct irk_err *err);
/* Step st (a SELECT of ids) and call fn with each id until it returns
 * nonzero; what names the work in an error. */
int store_each_id(struct store *s, sqlite3_stmt *st, int (*fn)(int64_t id, void *arg),
		void *arg, struct irk_err *err, const char *what);
/* The integer in the first column of st's first row (a count), -1 when
 * st is NULL or gives no row; st is reset. */
int64_t store_int_of(sqlite3_stmt *st);
/* Step a statement expected to finish (INSERT/UPDATE); IRK_OK or error. */
int store_exec_stmt(struct store *s, sqlite3_stmt *st, struct irk_err *err, const char *what);

/* ---- reading rows ------------------------------------------------------
 * The NULL rule, for every text column the store reads: SQL NULL reads as
 * a NULL pointer, any other value as a string (an empty blob and a number
 * too). So a column the schema declares NOT NULL is never NULL in C and
 * is used without a check, and a nullable one is NULL in the row structs
 * of irk/store.h exactly when it is NULL in the database; no reader turns
 * NULL into "" or back. Borrowed from the statement until its next step
 * or reset. (sqlite also gives NULL when it runs out of memory converting
 * a value; asking the column's type to tell the two apart cost 0.8% of
 * irk list's instructions, so the store does not.) The one exception:
 * audit.c reads a NULL in the events table, which only a log edited
 * around sqlite can have, as "", so that verify names that row rather
 * than tripping over it. */
static inline const char *store_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The rows of a prepared statement, with one error tail for every loop:
 *
 *	struct store_rows r = store_rows_begin(s, st);
 *	while (store_rows_next(&r)) {
 *		read the row; break to stop early
 *	}
 *	return store_rows_end(&r, err, "reading things");
 *
 * n counts the rows seen (the one a loop stopped at included). */
struct store_rows {
	struct store *s;
	sqlite3_stmt *st;
	int rc;                /* of the last sqlite3_step() */
	int64_t n;
};

static inline struct store_rows store_rows_begin(struct store *s, sqlite3_stmt *st)
{
	return (struct store_rows){ .s = s, .st = st };
}

/* Step to the next row: 1 when there is one, 0 at the end or on an error
 * (store_rows_end() tells which). Not again after it returned 0. */
static inline int store_rows_next(struct store_rows *r)
{
	if ((r->rc = sqlite3_step(r->st)) != SQLITE_ROW)
		return 0;
	r->n++;
	return 1;
}

/* Reset the statement (its borrowed columns go with it). IRK_OK when the
 * walk ended or was left at a row; otherwise the connection's error,
 * prefixed with what, in err. */
int store_rows_end(struct store_rows *r, struct irk_err *err, const char *what);

#endif
