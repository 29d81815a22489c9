-- kpi.sql: the figures of `irk kpi` (no --by, no bounds) written by hand
-- in SQL, for tests/bench/run-kpi.sh to time in sqlite3 on the same file:
-- MTTx and time to close (count, missing, mean, median, p90 by nearest
-- rank), time in each stage from the history, SLA per clock with the
-- default targets, quality and false positives by rule. :now is bound by
-- the script (.parameter set :now N).
CREATE TEMP TABLE d AS SELECT id, priority, stage, resolution,
  CASE WHEN t_first_event IS NOT NULL AND t_detected >= t_first_event THEN t_detected - t_first_event END AS mttd,
  CASE WHEN t_acknowledged >= t_detected THEN t_acknowledged - t_detected END AS mtta,
  CASE WHEN t_contained >= t_detected THEN t_contained - t_detected END AS mttc,
  CASE WHEN t_resolved >= t_detected THEN t_resolved - t_detected END AS mttr,
  CASE WHEN t_closed >= t_detected THEN t_closed - t_detected END AS ttc,
  t_detected, t_acknowledged, t_contained, t_resolved, reopen_count, back_moves, effort_min, rule
  FROM incidents;
CREATE TEMP TABLE fig(name TEXT, v INTEGER);
INSERT INTO fig SELECT 'mttd', mttd FROM d WHERE mttd IS NOT NULL;
INSERT INTO fig SELECT 'mtta', mtta FROM d WHERE mtta IS NOT NULL;
INSERT INTO fig SELECT 'mttc', mttc FROM d WHERE mttc IS NOT NULL;
INSERT INTO fig SELECT 'mttr', mttr FROM d WHERE mttr IS NOT NULL;
INSERT INTO fig SELECT 'ttc', ttc FROM d WHERE ttc IS NOT NULL;
-- time in each stage: the stays of each incident summed per stage; the
-- stage it is in now is missing
INSERT INTO fig SELECT 'stage:' || s.to_stage, sum(s.next_at - s.at) FROM
  (SELECT incident_id, to_stage, at, lead(at) OVER (PARTITION BY incident_id ORDER BY id) AS next_at
   FROM stage_history) s JOIN incidents i ON i.id = s.incident_id
  WHERE s.to_stage <> 'closed' AND s.to_stage <> i.stage
  GROUP BY s.incident_id, s.to_stage;
SELECT name, n, round(m), min(CASE WHEN rn = (n + 1) / 2 THEN v END),
  min(CASE WHEN rn = (n * 9 + 9) / 10 THEN v END) FROM
  (SELECT name, v, row_number() OVER (PARTITION BY name ORDER BY v) AS rn,
   count(*) OVER (PARTITION BY name) AS n, avg(v) OVER (PARTITION BY name) AS m FROM fig)
  GROUP BY name ORDER BY name;
SELECT count(*) - count(mttd), count(*) - count(mtta), count(*) - count(mttc),
  count(*) - count(mttr), count(*) - count(ttc) FROM d;
-- SLA with the default targets (P1..P4: ack 15m 1h 4h 1d, contain 4h 1d 3d 7d,
-- resolve 1d 3d 7d 30d)
WITH t(p, ack, con, res) AS (VALUES (1, 900, 14400, 86400), (2, 3600, 86400, 259200),
  (3, 14400, 259200, 604800), (4, 86400, 604800, 2592000))
SELECT sum(mtta <= ack), sum(mtta > ack OR (mtta IS NULL AND :now - t_detected > ack)),
  sum(mtta IS NULL AND stage <> 'closed' AND :now - t_detected > ack),
  sum(mttc <= con), sum(mttc > con OR (mttc IS NULL AND :now - t_detected > con)),
  sum(mttc IS NULL AND stage <> 'closed' AND :now - t_detected > con),
  sum(mttr <= res), sum(mttr > res OR (mttr IS NULL AND :now - t_detected > res)),
  sum(mttr IS NULL AND stage <> 'closed' AND :now - t_detected > res)
  FROM d JOIN t ON t.p = d.priority;
SELECT sum(stage = 'closed'), sum(resolution = 'true-positive'), sum(resolution = 'false-positive'),
  sum(resolution = 'benign'), sum(resolution = 'duplicate'), sum(reopen_count > 0),
  sum(back_moves > 0), sum(effort_min), count(nullif(effort_min, 0)) FROM d;
SELECT rule, count(*), sum(resolution = 'false-positive') FROM d WHERE stage = 'closed'
  GROUP BY rule ORDER BY 3 DESC, 2 DESC, 1;
