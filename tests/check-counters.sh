#!/bin/sh
# Fail when a crawl's join counts (struct crawl_tasks in
# src/engine/engine_int.h: queued, in_flight, spilled, spill_from) are
# changed anywhere but src/engine/crawl.c. Each change there goes with the
# frontier call it mirrors; a count bumped by hand elsewhere is how a task
# got lost or a crawl ended early before (issue 10). Reading is fine.
set -eu
cd "$(dirname "$0")/.."

fields='tasks\.(queued|in_flight|spilled|spill_from)'
# x++, x--, ++x, --x, x = ..., x += ..., x -= ... (not ==)
writes="$fields[[:space:]]*(\+\+|--|[-+]?=[^=])|(\+\+|--)[[:space:]]*[A-Za-z_>.-]*$fields"
bad=0
for f in src/*/*.c src/*/*.h; do
	[ "$f" = src/engine/crawl.c ] && continue
	hits=$(grep -nE "$writes" "$f" || true)
	if [ -n "$hits" ]; then
		printf '%s\n' "$hits" | sed "s|^|check-counters: $f:|" >&2
		bad=1
	fi
done
[ "$bad" -eq 0 ] || {
	echo "check-counters: change the join counts through crawl.c's" \
	    "crawl_task_*() / crawl_spill*()" >&2
	exit 1
}
echo "check-counters: join counts change only in src/engine/crawl.c"
