#!/bin/sh
# The README's first command: build crawld, serve the bundled example site
# on loopback, crawl it to depth 3 and print the result in discovery order.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCRAWLD_WERROR=OFF >/dev/null
cmake --build build -j"$(nproc)" --target crawld crawld-sitesrv >/dev/null
work=$(mktemp -d)
./build/crawld-sitesrv examples/site >"$work/origin" &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$work"' EXIT
i=0
while [ ! -s "$work/origin" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
seed=$(cat "$work/origin")
echo "== crawld crawl --depth 3 $seed"
./build/crawld crawl --db "$work/demo.db" --depth 3 "$seed"
echo "== crawld export --format csv (discovery order)"
./build/crawld export --db "$work/demo.db" --format csv
echo "== sqlite3: pages by state"
sqlite3 "$work/demo.db" \
	"SELECT state, coalesce(reason, ''), count(*) FROM pages GROUP BY 1, 2 ORDER BY 1, 2;"
