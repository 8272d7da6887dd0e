#!/bin/sh
# Fail when a module includes a header of a layer above its own (README
# "Layers"). The per-layer libraries catch a call upward at link time; this
# catches the header-only uses (a type, an enum, a macro) as well.
set -eu
cd "$(dirname "$0")/.."

# The layers each layer may include, its own among them.
allowed() {
	case $1 in
	base) echo "base" ;;
	web) echo "base web" ;;
	conf) echo "base web conf" ;;
	store) echo "base web store" ;;
	engine) echo "base web conf store engine" ;;
	mirror) echo "base web conf store engine mirror" ;;
	daemon) echo "base web conf store engine mirror daemon" ;;
	cli) echo "base web conf store engine mirror daemon cli" ;;
	*) return 1 ;;
	esac
}

bad=0
for dir in src/* include/crawld/*; do
	[ -d "$dir" ] || continue
	layer=$(basename "$dir")
	if ! ok=$(allowed "$layer"); then
		echo "check-layers: $dir: '$layer' is not a known layer" >&2
		bad=1
		continue
	fi
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -f "$f" ] || continue
		for used in $(sed -n 's|^#include "crawld/\([a-z]*\)/.*|\1|p' "$f" | sort -u); do
			case " $ok " in
			*" $used "*) ;;
			*)
				echo "check-layers: $f ($layer) includes crawld/$used/" >&2
				bad=1
				;;
			esac
		done
	done
done
[ $bad -eq 0 ] && echo "check-layers: every include points down"
exit $bad
