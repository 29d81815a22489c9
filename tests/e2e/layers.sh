#!/bin/sh
# layers.sh: dependencies point downwards only (README, "The source tree").
# Every header of include/irk/ belongs to the layer of the folder holding
# its module (irk/NAME.h: src/*/NAME.c); a file may include headers of its
# own layer and the layers below, never one above. The domain services are
# one layer (ingest opens an incident through the lifecycle).
. "$IRK_TOP/tests/e2e/lib.sh"
cd "$IRK_TOP" || exit 1

rank() {
	case $1 in
	core) echo 0 ;;
	store) echo 1 ;;
	ingest | incident | play | kpi | context | query | xmpp) echo 2 ;;
	engine) echo 3 ;;
	demo) echo 4 ;;
	app) echo 5 ;;
	cli | tui) echo 6 ;;
	*) echo 9 ;;
	esac
}

# The layer of a header: the folder of its module; a few are named for
# what they hold rather than a file.
header_layer() {
	case $1 in
	runner) echo engine; return ;;
	tui_actions) echo tui; return ;;
	esac
	f=$(ls src/*/"$1".c 2>/dev/null | head -n 1)
	[ -n "$f" ] && basename "$(dirname "$f")" || echo unknown
}

bad=""
unknown=""
for h in include/irk/*.h; do
	name=$(basename "$h" .h)
	l=$(header_layer "$name")
	[ "$l" = unknown ] && unknown="$unknown $name"
	echo "$name $l"
done >"$T/layers"
for dir in src/*/; do
	layer=$(basename "$dir")
	r=$(rank "$layer")
	for f in "$dir"*.c "$dir"*.h "include/irk/"*.h; do
		[ -f "$f" ] || continue
		case $f in include/*)
			# a header belongs to its module's layer
			[ "$(grep "^$(basename "$f" .h) " "$T/layers" | cut -d' ' -f2)" = "$layer" ] || continue ;;
		esac
		for inc in $(sed -n 's/^#include "irk\/\([a-z_]*\)\.h".*/\1/p' "$f"); do
			hl=$(grep "^$inc " "$T/layers" | cut -d' ' -f2)
			[ "$(rank "$hl")" -le "$r" ] || bad="$bad $f:irk/$inc.h($hl)"
		done
	done
done
expect_eq "every header of include/irk has a layer" "$unknown" ""
expect_eq "no file includes a header of a layer above its own" "$bad" ""
check "the check knows the layers (irk/tui.h is a front end's)" grep -q "^tui tui$" "$T/layers"

# The README's source-tree table names every folder of src/.
missing=""
for dir in src/*/; do
	grep -qF "\`$dir\`" README.md || missing="$missing $dir"
done
expect_eq "README's source tree names every folder of src/" "$missing" ""
done_testing
