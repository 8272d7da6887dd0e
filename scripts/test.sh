#!/bin/sh
# The README's second command (and CI's): build with warnings as errors and
# run every test, then again under ASan+UBSan with clang, including short
# libFuzzer runs of the parsers.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-deps.sh
jobs=$(nproc)

echo "== gcc, -Werror"
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRAWLD_WERROR=ON >/dev/null
cmake --build build-ci -j"$jobs"
ctest --test-dir build-ci --output-on-failure -j"$jobs"

echo "== clang, ASan+UBSan, -Werror, fuzzers"
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCRAWLD_WERROR=ON \
	-DCRAWLD_SANITIZE=ON -DCRAWLD_FUZZ=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
FUZZ_SECONDS=${FUZZ_SECONDS:-15} \
	ctest --test-dir build-asan --output-on-failure -j"$jobs"
