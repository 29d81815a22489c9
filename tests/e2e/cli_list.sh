#!/bin/sh
# cli_list.sh: the lines of `irk list` and `irk board`, byte for byte, on
# incidents made to be awkward: control characters, bidi, C1 and invalid
# UTF-8 in titles and owners, wide and combining characters at the cut,
# owners longer than their column, a detection time in the future, an
# empty title. The lines are built by hand now (no printf per field) from
# cards read off the open incidents' index: the expected text is what the
# printf version printed. Trailing spaces are not compared.
. "${IRK_TOP:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

export IRK_NOW=1715588400
irk init >/dev/null
sql "$(cat <<'SQL'
INSERT INTO incidents(title, stage, severity, priority, owner, t_detected, t_updated, t_acknowledged, t_contained, business_unit, t_closed) VALUES
 ('Beacon to a known C2 server', 'containment', 'critical', 1, 'alice', 1715500000, 1715588400, 1715500600, NULL, 'finance', NULL),
 ('ESC ' || char(27) || '[2J clears the screen', 'new', 'high', 2, 'a-very-long-owner-name', 1715580000, 1715588400, NULL, NULL, 'hr', NULL),
 ('bidi ' || char(8238) || ' reversed', 'identification', 'medium', 3, 'Müller', 1715588000, 1715588400, 1715588100, NULL, NULL, NULL),
 ('CJK 漢字テスト wide wide wide wide wide', 'eradication', 'low', 4, '漢字漢字漢字漢字', 1714000000, 1715588400, NULL, NULL, 'finance', NULL),
 ('tab' || char(9) || 'and newline' || char(10) || 'in a title', 'recovery', 'high', 2, 'esc' || char(27) || 'owner', 1715600000, 1715588400, NULL, NULL, NULL, NULL),
 ('xxxxxxxxxxxxxxxxxxxxxe' || char(769) || ' combining at the cut', 'lessons-learned', 'medium', 3, NULL, 1715000000, 1715588400, NULL, NULL, NULL, NULL),
 ('exactly twenty-two chr', 'new', 'critical', 1, 'bob', 1715588340, 1715588400, NULL, NULL, NULL, NULL),
 ('C1 ' || char(133) || ' and emoji 🔥', 'containment', 'high', 2, 'chen', 1715400000, 1715588400, 1715400100, 1715401000, NULL, NULL),
 ('', 'new', 'low', 4, 'x', 1715588399, 1715588400, NULL, NULL, NULL, NULL),
 ('Closed long ago', 'closed', 'medium', 3, 'dana', 1700000000, 1715588400, 1700000100, 1700001000, NULL, 1700086400);
INSERT INTO incidents(title, stage, severity, priority, owner, t_detected, t_updated) VALUES
 (CAST(X'ff41c3' AS TEXT), 'new', 'high', 2, CAST(X'c3' AS TEXT), 1715580000, 1715588400);
SQL
)"
expect_eq "eleven incidents" "$(sql 'SELECT count(*) FROM incidents')" 11

# same WHAT FILE: FILE (trailing spaces dropped) is the text on stdin.
same() {
	sed 's/ *$//' >"$T/want"
	sed 's/ *$//' "$2" >"$T/got"
	if cmp -s "$T/want" "$T/got"; then ok "$1"; else
		not_ok "$1"; diff "$T/want" "$T/got" | head -20 | sed 's/^/#   /'; fi
}

# on_terminal COLS ARGS...: irk on a pseudo-terminal COLS wide (script(1)).
on_terminal() {
	cols=$1; shift
	script -qfec "stty cols $cols rows 24; '$IRK_BIN' $*" /dev/null </dev/null | tr -d '\r'
}

irk list >"$T/list"
same "irk list, not on a terminal: titles in full" "$T/list" <<'EOF'
IR-1      P1  critical containment     alice      1d00h  Beacon to a known C2 server
IR-7      P1  critical new             bob        1m     exactly twenty-two chr
IR-8      P2  high     containment     chen       2d04h  C1 \u0085 and emoji 🔥
IR-2      P2  high     new             a-very-lon 2h20m  ESC \x1b[2J clears the screen
IR-11     P2  high     new             �          2h20m  �A�
IR-5      P2  high     recovery        esc\x1bown -3h13m tab\x09and newline\x0ain a title
IR-6      P3  medium   lessons-learned -          6d19h  xxxxxxxxxxxxxxxxxxxxxé combining at the cut
IR-3      P3  medium   identification  Müller     6m     bidi <U+202E> reversed
IR-4      P4  low      eradication     漢字漢字漢 18d09h CJK 漢字テスト wide wide wide wide wide
IR-9      P4  low      new             x          1s
EOF
irk board --all >"$T/board"
same "irk board --all, not on a terminal" "$T/board" <<'EOF'
irk board: 10 open, 1 closed

New (4)
  IR-7      P1 critical bob        1m     14m left            exactly twenty-two chr
  IR-2      P2 high     a-very-lon 2h20m  ack 1h20m late      ESC \x1b[2J clears the screen
  IR-11     P2 high     �          2h20m  ack 1h20m late      �A�
  IR-9      P4 low      x          1s     23h59m left

Identification (1)
  IR-3      P3 medium   Müller     6m     2d23h left          bidi <U+202E> reversed

Containment (2)
  IR-1      P1 critical alice      1d00h  contain 20h33m late Beacon to a known C2 server
  IR-8      P2 high     chen       2d04h                      C1 \u0085 and emoji 🔥

Eradication (1)
  IR-4      P4 low      漢字漢字漢 18d09h                     CJK 漢字テスト wide wide wide wide wide

Recovery (1)
  IR-5      P2 high     esc\x1bown -3h13m                     tab\x09and newline\x0ain a title

Lessons learned (1)
  IR-6      P3 medium   -          6d19h                      xxxxxxxxxxxxxxxxxxxxxé combining at the cut

Closed (1)
  IR-10     P3 medium   dana       180d10h                     Closed long ago
EOF
on_terminal 80 list >"$T/tlist"
same "irk list on 80 columns: a header, titles cut at 22 columns" "$T/tlist" <<'EOF'
KEY       PRI SEV      STAGE           OWNER      AGE    TITLE
IR-1      P1  critical containment     alice      1d00h  Beacon to a known C2 s
IR-7      P1  critical new             bob        1m     exactly twenty-two chr
IR-8      P2  high     containment     chen       2d04h  C1 \u0085 and emoji 🔥
IR-2      P2  high     new             a-very-lon 2h20m  ESC \x1b[2J clears the
IR-11     P2  high     new             �          2h20m  �A�
IR-5      P2  high     recovery        esc\x1bown -3h13m tab\x09and newline\x0a
IR-6      P3  medium   lessons-learned -          6d19h  xxxxxxxxxxxxxxxxxxxxxé
IR-3      P3  medium   identification  Müller     6m     bidi <U+202E> reversed
IR-4      P4  low      eradication     漢字漢字漢 18d09h CJK 漢字テスト wide wi
IR-9      P4  low      new             x          1s
EOF
on_terminal 80 board --all >"$T/tboard"
same "irk board --all on 80 columns: titles cut at 18 columns" "$T/tboard" <<'EOF'
irk board: 10 open, 1 closed

New (4)
  IR-7      P1 critical bob        1m     14m left            exactly twenty-two
  IR-2      P2 high     a-very-lon 2h20m  ack 1h20m late      ESC \x1b[2J clears
  IR-11     P2 high     �          2h20m  ack 1h20m late      �A�
  IR-9      P4 low      x          1s     23h59m left

Identification (1)
  IR-3      P3 medium   Müller     6m     2d23h left          bidi <U+202E> reve

Containment (2)
  IR-1      P1 critical alice      1d00h  contain 20h33m late Beacon to a known
  IR-8      P2 high     chen       2d04h                      C1 \u0085 and emoj

Eradication (1)
  IR-4      P4 low      漢字漢字漢 18d09h                     CJK 漢字テスト wid

Recovery (1)
  IR-5      P2 high     esc\x1bown -3h13m                     tab\x09and newline

Lessons learned (1)
  IR-6      P3 medium   -          6d19h                      xxxxxxxxxxxxxxxxxx

Closed (1)
  IR-10     P3 medium   dana       180d10h                     Closed long ago
EOF
expect_eq "--stage new: list's new lines" "$(irk list --stage new)" "$(grep ' new ' "$T/list")"
expect_eq "--owner bob" "$(irk list --owner bob)" "$(grep ' bob ' "$T/list")"
expect_eq "--unassigned" "$(irk list --unassigned | cut -c1-5)" "IR-6 "
expect_eq "--unit finance" "$(irk list --unit finance | cut -c1-5 | tr '\n' ' ')" "IR-1  IR-4  "
expect_eq "--limit 2" "$(irk list --limit 2)" "$(head -n 2 "$T/list")"
expect_eq "--stage closed" "$(irk list --stage closed | cut -c1-6)" "IR-10 "
done_testing
