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

# A forger who can write the file recomputes the whole chain and its head:
# the chain alone cannot tell (irk(1) says so); a head recorded elsewhere can.
head=$(irk audit head)
expect_match "irk audit head prints SEQ:HASH" "$head" "^$n:[0-9a-f]{64}$"
cp "$IRK_DB" "$T/forged.db"
sqlite3 "$T/forged.db" "drop trigger events_no_update; drop trigger events_no_delete;
	update events set actor = 'mallory' where seq = 4"
/usr/bin/python3 - "$T/forged.db" <<'PYEOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ns = lambda b: str(len(b)).encode() + b":" + b + b","
prev = "0" * 64
rows = db.execute("select seq, at, actor, uid, incident_id, kind, data from events order by seq").fetchall()
for seq, at, actor, uid, inc, kind, data in rows:
    h = hashlib.sha256(prev.encode() + ns(str(seq).encode()) + ns(str(at).encode()) +
        ns(actor.encode()) + ns(str(uid).encode()) + ns(b"" if not inc else str(inc).encode()) +
        ns(kind.encode()) + ns(data.encode())).hexdigest()
    db.execute("update events set prev_hash = ?, hash = ? where seq = ?", (prev, h, seq))
    prev = h
db.execute("update meta set value = ? where key = 'audit.head'", ("%d %s" % (rows[-1][0], prev),))
db.commit()
PYEOF
out=$(irk --db "$T/forged.db" audit verify); rc=$?
expect_eq "a recomputed chain passes the chain alone (the documented limit)" "$rc" 0
out=$(irk --db "$T/forged.db" audit verify --head "$head"); rc=$?
expect_eq "verify --head with the head kept elsewhere: exit 1" "$rc" 1
expect_match "and names the event recorded elsewhere" "$out" "^audit chain BROKEN at event $n: its hash is not the one recorded elsewhere"
expect_eq "the original verifies against its head" "$(irk audit verify --head "$head" >/dev/null; echo $?)" 0
irk note IR-1 "later work" >/dev/null
expect_eq "and still does after more events" "$(irk audit verify --head "$head" >/dev/null; echo $?)" 0

done_testing
