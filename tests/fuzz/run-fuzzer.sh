#!/bin/sh
# Run one libFuzzer target briefly: its seed corpus first, then a few seconds
# of new inputs (FUZZ_SECONDS, default 10). New inputs go to a scratch corpus
# so the committed seeds stay as they are. Fails on any crash, leak or
# sanitizer report.
set -eu
fuzzer=$1 corpus=$2 dict=${3:-}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
set -- -max_total_time="${FUZZ_SECONDS:-10}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1
[ -f "$dict" ] && set -- "$@" -dict="$dict"
"$fuzzer" "$@" "$scratch" "$corpus"
