#!/bin/sh
# docs.sh: the reference stays true. Every command and every option that
# `irk CMD --help` lists is in irk(1); every setting `irk config show` knows
# is in irk.conf(5); both pages format without groff warnings; the bash
# completion offers every command and the options of each.
. "$IRK_TOP/tests/e2e/lib.sh"

man1="$IRK_TOP/man/irk.1"
man5="$IRK_TOP/man/irk.conf.5"
comp="$IRK_TOP/contrib/irk.bash-completion"
cmds=$(irk --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}')

missing=""
for c in $cmds; do
	grep -q "irk $c\\b\\|\"irk $c " "$man1" || missing="$missing $c"
	for o in $(irk "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$man1" || missing="$missing $c:$o"
	done
done
expect_eq "irk(1) documents every command and option of --help" "$missing" ""

missing=""
# Every setting, set or not ("window = 1h", "# cafile =").
settings=$(irk config show | sed -n 's/^#* *\([a-z_0-9]*\) =\( .*\)*$/\1/p')
expect_eq "config show lists every setting of the table" "$(echo "$settings" | wc -l)" \
	"$(awk '/^static const struct config_key keys\[\]/,/^};/' "$IRK_TOP/src/core/config.c" | grep -c '{ "')"
for k in $settings; do
	# A setting is documented where a .TP entry names it in bold.
	grep -A1 '^\.TP' "$man5" | grep -q "^\\.BR* .*\\b$k\\b" || missing="$missing $k"
done
expect_eq "irk.conf(5) documents every setting" "$missing" ""
# Every default, as the table gives it, is the one irk.conf(5) gives: its
# entry in the page's section reads 'key " (" default )'.
missing=""
irk config show | awk '/^\[/ { s = substr($0, 2, length($0) - 2) }
	/^[a-z_0-9]+ = / { print s, $1, substr($0, index($0, " = ") + 3) }' >"$T/defaults"
while read -r sec key val; do
	want=$(printf '%s " (" %s' "$key" "$val" | sed 's/-/\\-/g')
	sed -n "/^\\.SS \\[$sec\\]/,/^\\.S[SH] /p" "$man5" | grep -qF -- "$want" ||
		missing="$missing $sec.$key=$val"
done <"$T/defaults"
expect_eq "irk.conf(5) gives every default as irk has it" "$missing" ""
expect_eq "there are defaults to check" "$(grep -c 'window 1h$' "$T/defaults")" 1
missing=""
for sec in $(irk config show | sed -n 's/^\[\(.*\)\]$/\1/p') keys secrets; do
	grep -q "^\\.SS.*\\[$sec\\]\\|^\\.SH.*\\[$sec\\]" "$man5" || missing="$missing [$sec]"
done
expect_eq "irk.conf(5) has a section for each [section]" "$missing" ""

# A line of an alternating font macro (.BR, .IR...) takes each word as an
# argument: text after its arguments runs on, joined without spaces
# (`.BR "Sensor events" ). Each step` rendered "events).Eachstep"). groff
# does not warn: a punctuation argument followed by three plain words is
# the sign (a word belongs on the next line).
runon_awk='
/^\.(BR|RB|IR|RI|BI|IB)[ \t]/ {
	line = substr($0, 4); n = 0; delete arg; delete q
	while (length(line)) {
		sub(/^[ \t]+/, "", line)
		if (!length(line)) break
		if (substr(line, 1, 1) == "\"") {
			m = index(substr(line, 2), "\"")
			if (!m) m = length(line)
			arg[++n] = substr(line, 2, m - 1); q[n] = 1
			line = substr(line, m + 2)
		} else {
			m = match(line, /[ \t]/)
			if (!m) m = length(line) + 1
			arg[++n] = substr(line, 1, m - 1); q[n] = 0
			line = substr(line, m)
		}
	}
	for (i = 1; i < n; i++) {
		if (q[i] || arg[i] !~ /^[[:punct:]]+$/) continue
		words = 0
		for (j = i + 1; j <= n && !q[j] && arg[j] ~ /^[[:alpha:]]+[,.;:]?$/; j++) words++
		if (words >= 3) { printf "%s:%d: %s\n", FILENAME, FNR, $0; break }
	}
}'
runon=$(awk "$runon_awk" "$IRK_TOP"/man/*.[0-9])
expect_eq "no text runs on after a font macro's arguments" "$runon" ""
printf '.TH T 1\n.SH S\nthe context (see\n.BR "Sensor events" ). Each step shows it.\n' >"$T/runon.1"
expect_eq "the check finds one" "$(cd "$T" && awk "$runon_awk" runon.1)" \
	'runon.1:4: .BR "Sensor events" ). Each step shows it.'

# A request glued to the end of a text line ("moved..TP") is printed as
# text and the heading it opened is lost: groff does not warn about it.
glued_awk='$0 !~ /^[.\x27]/ && /\.(TP|PP|LP|SH|SS|IP|RS|RE|B|I|BR|RB|IR|RI|BI|IB|EX|EE)$/ { print FILENAME ":" FNR ": " $0 }'
glued=$(awk "$glued_awk" "$IRK_TOP"/man/*.[0-9])
expect_eq "no request glued to the end of a text line" "$glued" ""
printf '.TH T 1\n.SH S\nthe numbers moved..TP\n.B x\n' >"$T/glued.1"
expect_eq "the check finds one" "$(cd "$T" && awk "$glued_awk" glued.1)" \
	'glued.1:3: the numbers moved..TP'

# Every page in man/ formats cleanly and is installed by make install.
for page in "$IRK_TOP"/man/*.[0-9]; do
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	expect_eq "$(basename "$page") formats without warnings" "$warn" ""
	expect_match "$(basename "$page") renders" "$(groff -man -Tutf8 -P-cbou "$page" 2>/dev/null)" "^NAME"
done

missing=""
for page in "$IRK_TOP"/man/*.[0-9]; do
	sec=${page##*.}
	make -s -C "$IRK_TOP" -n install DESTDIR="$T/dest" 2>/dev/null |
		grep -q "man/\*\.$sec .*man$sec/" || missing="$missing $(basename "$page")"
done
expect_eq "make install puts every man page in its section" "$missing" ""
expect_match "irk(1) refers to irk-kpi(7)" "$(cat "$man1")" '^\.BR irk\\-kpi \(7\)'

# The completion asks `irk` itself: put the one under test on PATH.
mkdir "$T/bin" && ln -s "$IRK_BIN" "$T/bin/irk"
PATH="$T/bin:$PATH"
# The completion, run as bash would: COMP_WORDS and COMP_CWORD in, COMPREPLY out.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _irk; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$comp" "$@" | sort | tr '\n' ' '
}
expect_eq "completion: every command" "$(complete_words irk '')" "$(printf '%s\n' $cmds | sort | tr '\n' ' ')"
expect_eq "completion: a prefix" "$(complete_words irk cl)" "claim close "
expect_eq "completion: stages after move KEY" "$(complete_words irk move IR-1 '')" \
	"closed containment eradication identification lessons-learned new recovery "
expect_eq "completion: resolutions" "$(complete_words irk close IR-1 --resolution '')" \
	"benign duplicate false-positive true-positive "
expect_eq "completion: kpi groups" "$(complete_words irk kpi --by '')" \
	"analyst category cause month play priority rule severity source unit vector week "
expect_eq "completion: report formats" "$(complete_words irk report --format '')" "html md "
expect_eq "completion: formats" "$(complete_words irk ingest --format '')" "auto ecs eve json wazuh zeek "
missing=""
for c in $cmds; do
	got=" $(complete_words irk "$c" --)"
	for o in $(irk "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		case "$got" in *" $o "*) ;; *) missing="$missing $c:$o" ;; esac
	done
done
expect_eq "completion: every option of every command" "$missing" ""
# Keys from the database the user points at.
irk init >/dev/null
printf '%s\n' '{"timestamp":"2025-11-03T08:00:00Z","flow_id":1,"event_type":"alert","src_ip":"198.51.100.7","dest_ip":"10.0.0.5","alert":{"signature_id":9,"signature":"x","severity":2}}' | irk ingest - >/dev/null
expect_eq "completion: open incident keys" "$(complete_words irk claim IR)" "IR-1 "
expect_eq "completion: users after --owner" "$(complete_words irk list --owner '')" "alice "

done_testing
