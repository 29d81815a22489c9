#!/bin/sh
# busy_wait.sh: an analyst's write that meets another writer's open
# transaction waits for it instead of failing with "database is locked",
# and says so on stderr once it has waited 2 s (issue 9, defect 1).
. "$IRK_TOP/tests/e2e/lib.sh"

irk init >/dev/null
printf '%s\n' '{"timestamp":"2025-11-03T08:00:00Z","flow_id":1,"event_type":"alert","src_ip":"198.51.100.7","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"ET TEST busy","severity":1}}' |
	irk ingest - >/dev/null

# Another writer: a sqlite3 shell that begins a write transaction and
# holds it until the test says COMMIT on the FIFO.
mkfifo "$T/sql"
exec 9<>"$T/sql"
sqlite3 "$IRK_DB" <"$T/sql" >/dev/null 2>&1 &
sqlpid=$!
stop_sql() { kill "$sqlpid"; }
at_exit stop_sql
printf 'BEGIN IMMEDIATE;\nINSERT INTO presence(name, seen) VALUES (%s, 1);\n' "'busy-test'" >&9
locked() { ! sqlite3 "$IRK_DB" "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null; }
wait_for 10 locked
check "another writer holds the database" locked

"$IRK_BIN" note IR-1 "written while another writer held the lock" >"$T/out" 2>"$T/err" &
notepid=$!
told() { grep -q 'waiting for the database: held by another writer' "$T/err"; }
wait_for 20 told
check "the waiting write says so on stderr" told
check "and it is still waiting (not failed)" kill -0 $notepid
printf 'COMMIT;\n' >&9
wait $notepid
expect_eq "the write lands once the other commits: exit 0" "$?" 0
expect_eq "the note is there" "$(irk show IR-1 --json | jq -r '[.notes[]?.text] | index("written while another writer held the lock") != null')" true
expect_eq "said once" "$(grep -c 'waiting for the database' "$T/err")" 1

# A write that waits less than 2 s says nothing.
printf 'BEGIN IMMEDIATE;\nDELETE FROM presence WHERE name = %s;\n' "'busy-test'" >&9
wait_for 10 locked
"$IRK_BIN" note IR-1 "short wait" >"$T/out2" 2>"$T/err2" &
notepid=$!
printf 'COMMIT;\n' >&9
wait $notepid
expect_eq "a short wait: exit 0, nothing said" "$?|$(cat "$T/err2")" "0|"
expect_rc "audit chain intact" 0 irk audit verify

done_testing
