#!/bin/sh
# The README's first command: build crawld, serve the bundled example site
# on loopback, crawl it once with `crawld crawl`, then run the crawl
# service: `crawld serve` on a temporary config (loopback Unix socket,
# SQLite), a job submitted with `crawld ctl submit` and followed with
# `crawld ctl wait`, its status and a sqlite3 query, and SIGTERM.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCRAWLD_WERROR=OFF >/dev/null
cmake --build build -j"$(nproc)" --target crawld crawld-sitesrv >/dev/null
work=$(mktemp -d)
./build/crawld-sitesrv examples/site >"$work/origin" &
srv=$!
daemon=""
trap 'kill $srv $daemon 2>/dev/null; rm -rf "$work"' EXIT
i=0
while [ ! -s "$work/origin" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
seed=$(cat "$work/origin")

echo "== 1. one-shot: crawld crawl --depth 3 $seed"
./build/crawld crawl --db "$work/demo.db" --depth 3 "$seed"
echo "== crawld export --format csv (discovery order)"
./build/crawld export --db "$work/demo.db" --format csv
echo "== sqlite3: pages by state"
sqlite3 "$work/demo.db" \
	"SELECT state, coalesce(reason, ''), count(*) FROM pages GROUP BY 1, 2 ORDER BY 1, 2;"

echo "== 2. the service: crawld serve --config $work/crawld.conf"
cat >"$work/crawld.conf" <<CONF
[daemon]
listen = unix:$work/api.sock
log_level = info
[store]
db = $work/service.db
[engine]
concurrency = 16
per_host = 4
[crawl]
depth = 3
CONF
./build/crawld serve --config "$work/crawld.conf" --check-config
./build/crawld serve --config "$work/crawld.conf" 2>"$work/serve.log" &
daemon=$!
i=0
while ! grep -q "listening on" "$work/serve.log" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ctl="./build/crawld ctl --config $work/crawld.conf"
echo "== crawld ctl submit $seed"
id=$($ctl submit "$seed")
echo "job $id"
echo "== crawld ctl wait $id"
$ctl wait "$id"
echo "== crawld ctl list"
$ctl list
echo "== crawld ctl status $id (state and counts)"
$ctl status "$id" | sed -n '1,20p'
echo "== sqlite3: the job's pages by depth"
sqlite3 "$work/service.db" \
	"SELECT depth, state, count(*) FROM pages WHERE crawl_id = $id GROUP BY 1, 2 ORDER BY 1, 2;"
echo "== SIGTERM"
kill -TERM "$daemon"
wait "$daemon" && echo "crawld serve exited 0"
daemon=""
echo "== the daemon's log"
cat "$work/serve.log"
