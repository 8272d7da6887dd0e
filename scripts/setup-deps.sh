#!/bin/sh
# Install what crawld needs to build and test on Debian 12, if missing.
# Safe to run again: it installs only packages that are not there yet.
set -eu
pkgs="cmake make gcc clang clang-format libclang-rt-14-dev pkg-config
      libcurl4-openssl-dev libevent-dev libxml2-dev libsqlite3-dev
      libjansson-dev libpsl-dev publicsuffix zlib1g-dev sqlite3
      nghttp2-server openssl libinih-dev libsystemd-dev libssl-dev
      prometheus systemd curl valgrind chromium nodejs ca-certificates"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null
fi

# npm: Debian's package, unless node came with its own (nodesource).
if ! command -v npm >/dev/null 2>&1; then
	echo "setup: installing npm"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends npm >/dev/null
fi
# warcio.js, the independent WARC reader of it_warc, from the npm registry
# at the version package-lock.json pins, into the test's own folder
# (node_modules is not in git).
node_dir="$(dirname "$0")/../tests/integration/node"
if [ ! -f "$node_dir/node_modules/warcio/package.json" ]; then
	echo "setup: npm ci in tests/integration/node (warcio)"
	(cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
