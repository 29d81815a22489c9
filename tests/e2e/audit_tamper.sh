#!/bin/sh
# audit_tamper.sh: somebody with write access to the database file edits,
# deletes or reorders audit events behind irk's back (dropping the triggers
# that refuse it first). `irk audit verify` notices each, exits 1 and names
# the first event that no longer fits; the untouched database verifies.
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
gen_eve 300 5 | irk ingest --batch 100 - >/dev/null
irk claim IR-1 >/dev/null
irk note IR-1 "checked the proxy logs" >/dev/null
irk move IR-1 identification >/dev/null
irk set IR-1 severity=critical business_unit=finance >/dev/null
irk close IR-2 --resolution benign --reason "scanner" >/dev/null
n=$(sql "select count(*) from events")
check "a dozen or so events to tamper with ($n)" [ "$n" -ge 10 ]
out=$(irk audit verify); rc=$?
expect_match "intact: exit 0, every event checked" "$rc|$out" "^0\|audit chain intact: $n events, head [0-9a-f]{64}$"
expect_match "the database refuses UPDATE on events" \
	"$(sqlite3 "$IRK_DB" "update events set actor = 'mallory' where seq = 3" 2>&1)" "append-only"
expect_match "the database refuses DELETE on events" \
	"$(sqlite3 "$IRK_DB" "delete from events where seq = 3" 2>&1)" "append-only"
expect_eq "so nothing changed" "$(sql "select count(*) from events where actor = 'mallory'") $(sql "select count(*) from events")" "0 $n"

# tamper NAME SQL: a copy of the database with the triggers dropped and SQL
# run on it; prints the verify output and sets $rc.
tamper() {
	cp "$IRK_DB" "$T/$1.db"
	sqlite3 "$T/$1.db" "drop trigger events_no_update; drop trigger events_no_delete; $2" || return 1
	out=$(irk --db "$T/$1.db" audit verify); rc=$?
}

tamper data "update events set data = replace(data, 'proxy', 'p r o x y') where kind = 'incident.note'"
seq=$(sql "select seq from events where kind = 'incident.note'")
expect_eq "edited data: exit 1" "$rc" 1
expect_match "edited data: names the event ($seq)" "$out" "^audit chain BROKEN at event $seq: "

tamper actor "update events set actor = 'mallory' where seq = 4"
expect_eq "edited actor: exit 1 naming event 4" "$rc|$(echo "$out" | cut -d: -f1)" "1|audit chain BROKEN at event 4"

tamper time "update events set at = at - 3600 where seq = 6"
expect_eq "edited time: exit 1 naming event 6" "$rc|$(echo "$out" | cut -d: -f1)" "1|audit chain BROKEN at event 6"

tamper rehash "update events set kind = 'incident.claim', hash = '$(printf '%064d' 0)' where seq = 5"
expect_eq "edited row with a made-up hash: exit 1 naming event 5" "$rc|$(echo "$out" | cut -d: -f1)" \
	"1|audit chain BROKEN at event 5"

tamper delete "delete from events where seq = 7"
expect_eq "deleted row: exit 1 naming event 8" "$rc|$(echo "$out" | cut -d: -f1)" "1|audit chain BROKEN at event 8"
expect_match "deleted row: the reason says an event is missing" "$out" "expected event 7 here, found 8"

tamper reorder "update events set seq = -1 where seq = 5; update events set seq = 5 where seq = 6;
	update events set seq = 6 where seq = -1"
expect_eq "swapped rows: exit 1 naming event 5" "$rc|$(echo "$out" | cut -d: -f1)" "1|audit chain BROKEN at event 5"

tamper cut "delete from events where seq = $n"
expect_eq "the newest event cut off: exit 1 naming it" "$rc|$(echo "$out" | cut -d: -f1)" "1|audit chain BROKEN at event $n"

tamper renumber "update events set seq = seq + 1000 where seq >= 9"
expect_eq "renumbered rows: exit 1 naming the first" "$rc|$(echo "$out" | cut -d: -f1)" "1|audit chain BROKEN at event 1009"

expect_eq "the original still verifies" "$(irk audit verify >/dev/null; echo $?)" 0

# Bytes after a NUL in a row: hashed too (a C string would stop at the NUL).
tamper nul "update events set data = data || char(0) || 'hidden' where seq = 3"
expect_eq "bytes hidden after a NUL: exit 1 naming event 3" "$rc|$(echo "$out" | cut -d: -f1)" "1|audit chain BROKEN at event 3"

# rehash DB [FROM]: what a forger who can write the file does after a
# change: recompute every hash from event FROM (default 1) and the head,
# in each row's canonical form (irk(1) AUDIT LOG).
cat >"$T/rehash.py" <<'PYEOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
start = int(sys.argv[2]) if len(sys.argv) > 2 else 1
ns = lambda b: str(len(b)).encode() + b":" + b + b","
def typed(v):
    if v is None: return b"n"
    if isinstance(v, int): return b"i%d" % v
    if isinstance(v, float): return b"r" + repr(v).encode()
    if isinstance(v, bytes): return b"b" + v
    return b"t" + v.encode()
def untyped(i, v):
    if v is None or (i == 4 and v == 0): return b""
    if isinstance(v, str): return v.encode()
    return str(int(v) % (1 << 32) if i == 3 else int(v)).encode()
cols = [c[1] for c in db.execute("pragma table_info(events)")]
canon_col = "canon" if "canon" in cols else "1"
prev = "0" * 64
if start > 1:
    prev = db.execute("select hash from events where seq = ?", (start - 1,)).fetchone()[0]
rows = db.execute("select seq, at, actor, uid, incident_id, kind, data, %s from events "
                  "where seq >= ? order by seq" % canon_col, (start,)).fetchall()
for r in rows:
    canon = r[7]
    body = ns(b"2") + b"".join(ns(typed(v)) for v in r[:7]) if canon >= 2 else \
        b"".join(ns(untyped(i, v)) for i, v in enumerate(r[:7]))
    h = hashlib.sha256(prev.encode() + body).hexdigest()
    db.execute("update events set prev_hash = ?, hash = ? where seq = ?", (prev, h, r[0]))
    prev = h
last = db.execute("select max(seq) from events").fetchone()[0]
db.execute("update meta set value = ? where key = 'audit.head'", ("%d %s" % (last, prev),))
db.commit()
PYEOF
rehash() { /usr/bin/python3 "$T/rehash.py" "$@"; }

# A forger who can write the file recomputes the whole chain and its head:
# the chain alone cannot tell (irk(1) says so); a head recorded elsewhere can.
head=$(irk audit head)
expect_match "irk audit head prints SEQ:HASH" "$head" "^$n:[0-9a-f]{64}$"
expect_eq "irk audit anchor prints the same head" "$(irk audit anchor)" "$head"
cp "$IRK_DB" "$T/forged.db"
sqlite3 "$T/forged.db" "drop trigger events_no_update; drop trigger events_no_delete;
	update events set actor = 'mallory' where seq = 4"
rehash "$T/forged.db"
out=$(irk --db "$T/forged.db" audit verify); rc=$?
expect_eq "a recomputed chain passes the chain alone (the documented limit)" "$rc" 0
out=$(irk --db "$T/forged.db" audit verify --head "$head"); rc=$?
expect_eq "verify --head with the head kept elsewhere: exit 1" "$rc" 1
expect_match "and names the event recorded elsewhere" "$out" "^audit chain BROKEN at event $n: its hash is not the one recorded elsewhere"
expect_eq "the original verifies against its head" "$(irk audit verify --head "$head" >/dev/null; echo $?)" 0
irk note IR-1 "later work" >/dev/null
expect_eq "and still does after more events" "$(irk audit verify --head "$head" >/dev/null; echo $?)" 0

# ---- anchors: heads kept elsewhere, checked with --anchors FILE ------------------------
# An anchors file as syslog keeps it: a prefix before each head, other
# programs' lines between them. m is an anchor in the middle, n2 the newest.
m=$n
for i in 1 2 3; do irk note IR-1 "more work $i" >/dev/null; done
n2=$(sql "select max(seq) from events")
{
	echo "Dec  7 09:00:01 jump irk[311]: audit anchor of $IRK_DB: $head"
	echo "Dec  7 09:10:00 jump CRON[402]: (root) CMD (run-parts /etc/cron.hourly)"
	echo "Dec  7 10:00:01 jump irk[311]: audit anchor of $IRK_DB: $(irk audit anchor)"
} >"$T/anchors"
out=$(irk audit verify --anchors "$T/anchors"); rc=$?
expect_eq "the log verifies against its anchors" "$rc" 0
expect_match "saying what they cover" "$out" \
	"^anchors: 2 of 2 matched, the newest at event $n2; 0 events after it are covered by no anchor$"
expect_rc "a file without an anchor is an error" 1 irk audit verify --anchors /dev/null
expect_match "saying so" "$(cat "$T/.err")" "no SEQ:HASH anchor in it"

# tamper_anchored NAME SQL [REHASH_FROM]: like tamper, verified against the
# anchors; with REHASH_FROM, the hashes are recomputed from that event on.
tamper_anchored() {
	cp "$IRK_DB" "$T/$1.db"
	sqlite3 "$T/$1.db" "drop trigger events_no_update; drop trigger events_no_delete;
		pragma ignore_check_constraints = 1; $2" || return 1
	[ -z "${3:-}" ] || rehash "$T/$1.db" "$3"
	out=$(irk --db "$T/$1.db" audit verify --anchors "$T/anchors"); rc=$?
}
first_bad() { echo "$rc|$(echo "$out" | cut -d: -f1)"; }

tamper_anchored a_edit "update events set data = replace(data, 'proxy', 'p r o x y') where kind = 'incident.note'"
expect_eq "anchored, edited row: named" "$(first_bad)" "1|audit chain BROKEN at event $seq"
tamper_anchored a_delete "delete from events where seq = 7"
expect_eq "anchored, deleted row: the next named" "$(first_bad)" "1|audit chain BROKEN at event 8"
tamper_anchored a_reorder "update events set seq = -1 where seq = 5; update events set seq = 5 where seq = 6;
	update events set seq = 6 where seq = -1"
expect_eq "anchored, swapped rows: named" "$(first_bad)" "1|audit chain BROKEN at event 5"
tamper_anchored a_recomputed "update events set actor = 'mallory' where seq = 4" 1
expect_eq "anchored, recomputed chain: the first anchor after the change named" "$(first_bad)" \
	"1|audit chain BROKEN at event $m"
tamper_anchored a_reorder_recomputed "update events set seq = -1 where seq = 5; update events set seq = 5 where seq = 6;
	update events set seq = 6 where seq = -1" 1
expect_eq "anchored, swapped rows with the chain recomputed: named by the anchor" "$(first_bad)" \
	"1|audit chain BROKEN at event $m"
tamper_anchored a_delete_recomputed "delete from events where seq = 7; update events set seq = seq - 1 where seq > 7" 1
expect_eq "anchored, a row deleted, the rest renumbered and rehashed: named by the anchor" "$(first_bad)" \
	"1|audit chain BROKEN at event $m"
tamper_anchored a_tail "update events set data = '{\"text\":\"nothing to see\"}' where seq > $m" $((m + 1))
expect_eq "anchored, a forged tail after the middle anchor: the newest anchor named" "$(first_bad)" \
	"1|audit chain BROKEN at event $n2"
expect_match "saying the log was rewritten after the anchor that matches" "$out" \
	"rewritten after event $m, whose anchor matches"
tamper_anchored a_tail_cut "delete from events where seq > $((m + 1))" $((m + 1))
expect_eq "anchored, the tail cut and rehashed: the event after the log named" "$(first_bad)" \
	"1|audit chain BROKEN at event $((m + 2))"
tamper_anchored a_at_real "update events set at = at + 0.25 where seq = 6"
expect_eq "anchored, at retyped as a real: named" "$(first_bad)" "1|audit chain BROKEN at event 6"
expect_match "saying how" "$out" "its at is stored as real, not integer"
tamper_anchored a_uid "update events set uid = uid + 4294967296 where seq = 2"
expect_eq "anchored, uid + 2^32: named" "$(first_bad)" "1|audit chain BROKEN at event 2"
tamper_anchored a_actor_blob "update events set actor = cast(actor as blob) where seq = $n2" $n2
expect_eq "anchored, actor retyped as a blob and rehashed: named" "$(first_bad)" "1|audit chain BROKEN at event $n2"
tamper_anchored a_canon "update events set canon = 1 where seq = 3"
expect_eq "anchored, a row moved back to the untyped form: named" "$(first_bad)" "1|audit chain BROKEN at event 3"

# What anchors cannot prove: events appended after the newest anchor by
# someone who can write the file (irk(1) says so; the next anchor will
# carry them). verify says how many events no anchor covers.
tamper_anchored a_append "insert into events(seq, at, actor, uid, incident_id, kind, data, prev_hash, hash, canon)
	values ($n2 + 1, 1700000000, 'mallory', 0, 1, 'incident.note', '{\"text\":\"forged\"}', '', '', 2)" $((n2 + 1))
expect_eq "an appended, rehashed tail after the newest anchor passes (the documented limit)" "$rc" 0
expect_match "but verify says an event is covered by no anchor" "$out" \
	"the newest at event $n2; 1 event after it is covered by no anchor$"

# The database itself refuses values of another type.
expect_match "the database refuses an at of another type" \
	"$(sqlite3 "$IRK_DB" "insert into events(seq, at, actor, uid, kind, data, prev_hash, hash)
		values (100000, 1.5, 'x', 0, 'k', '{}', '', '')" 2>&1)" "CHECK constraint failed"

# ---- irk serve sends the head at an interval ---------------------------------------------
# To syslog (not observable here) and into its own log, which is then an
# anchors file too.
printf '[audit]\nanchor = syslog\ninterval = 1s\n' >"$T/anchor.conf"
chmod 600 "$T/anchor.conf"
expect_match "irk audit anchor with anchor = syslog prints the head too" \
	"$(irk --config "$T/anchor.conf" audit anchor)" "^$n2:[0-9a-f]{64}$"
"$IRK_BIN" --config "$T/anchor.conf" serve 2>"$T/serve.log" &
serve_pid=$!
stop_serve() { kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; }
at_exit stop_serve
check "serve sends the head at start" wait_for 10 grep -q "audit anchor [0-9]*:[0-9a-f]* sent to syslog" "$T/serve.log"
# (serve's engine runs the plays' automated steps: events keep coming)
irk note IR-1 "while serve runs" >/dev/null
noted=$(sql "select max(seq) from events where kind = 'incident.note'")
newest_sent() { sed -n 's/.*audit anchor \([0-9]*\):[0-9a-f]* sent to syslog.*/\1/p' "$T/serve.log" | sort -n | tail -1; }
sent_after_note() { [ "$(newest_sent)" -ge "$noted" ]; }
check "and again after the interval, with the new event" wait_for 10 sent_after_note
stop_serve
out=$(irk audit verify --anchors "$T/serve.log"); rc=$?
expect_eq "serve's log is an anchors file the log verifies against" "$rc" 0
sent=$(grep -c "sent to syslog" "$T/serve.log")
expect_match "every head it sent matched" "$out" "^anchors: $sent of $sent matched, the newest at event $(newest_sent);"
expect_rc "an unknown destination is an error" 1 sh -c "printf '[audit]\nanchor = email\n' >'$T/bad.conf'; chmod 600 '$T/bad.conf'; '$IRK_BIN' --config '$T/bad.conf' audit anchor"
expect_match "naming the setting" "$(cat "$T/.err")" "audit.anchor: 'email' is not none or syslog"

# ---- a database from before schema 7 ------------------------------------------------------
# Its events were hashed in the untyped form 1: the migration adds the
# CHECKs and keeps their hashes, new events are hashed in form 2, and the
# whole log still verifies; a retyped old row is caught by its type.
n3=$(sql "select max(seq) from events")
cp "$IRK_DB" "$T/old.db"
sqlite3 "$T/old.db" "create table ev6(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,
	actor TEXT NOT NULL, uid INTEGER NOT NULL, incident_id INTEGER, kind TEXT NOT NULL,
	data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
	insert into ev6 select seq, at, actor, uid, incident_id, kind, data, prev_hash, hash from events;
	drop table events; alter table ev6 rename to events;
	drop index users_jid; alter table users drop column jid;
	alter table outbox drop column next_try; drop table leases; drop table watches;
	drop index incidents_storms; drop index incidents_storm; drop index incidents_rule_opened; drop index incidents_open;
	alter table incidents drop column storm;
	create index incidents_open on incidents(priority, t_detected, id, stage, severity,
	  owner, business_unit, t_acknowledged, t_contained, title) where stage <> 'closed';
	pragma user_version = 6"
rehash "$T/old.db"
out=$(irk --db "$T/old.db" audit verify); rc=$?
expect_eq "schema 6, form 1 hashes: migrated (to this irk's version) and intact" \
	"$rc|$(sqlite3 "$T/old.db" "pragma user_version")" "0|$(sql "pragma user_version")"
irk --db "$T/old.db" note IR-1 "after the upgrade" >/dev/null
expect_eq "new events in form 2, the old ones kept in form 1" \
	"$(sqlite3 "$T/old.db" "select canon || ':' || count(*) from events group by canon order by canon" | tr '\n' ' ')" \
	"1:$n3 2:1 "
expect_eq "the whole log verifies" "$(irk --db "$T/old.db" audit verify >/dev/null; echo $?)" 0
sqlite3 "$T/old.db" "drop trigger events_no_update; pragma ignore_check_constraints = 1;
	update events set at = at + 0.25 where seq = 9"
out=$(irk --db "$T/old.db" audit verify); rc=$?
expect_eq "an old row's at retyped as a real (form 1 hashes it as before): named" "$(first_bad)" \
	"1|audit chain BROKEN at event 9"

done_testing
