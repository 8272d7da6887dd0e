#!/bin/sh
# The integration tests under valgrind memcheck (issue 10): each test
# program and every crawld it starts run with --leak-check=full; a memory
# error or a definite leak fails the test. Slow (about ten times the plain
# run), so scripts/test.sh does not run it; run it before landing engine,
# fetch or store changes. Extra arguments go to ctest (for example
# -R it_robots); VALGRIND_JOBS=1 runs one test at a time.
set -eu
cd "$(dirname "$0")/.."
build=${VALGRIND_BUILD_DIR:-build-valgrind}
jobs=${VALGRIND_JOBS:-$(nproc)}
command -v valgrind >/dev/null || {
	echo "valgrind.sh: valgrind is missing (scripts/setup-deps.sh installs it)" >&2
	exit 1
}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRAWLD_WERROR=ON \
	-DCRAWLD_VALGRIND=ON >/dev/null
cmake --build "$build" -j"$jobs"
ctest --test-dir "$build" --output-on-failure -j"$jobs" -R '^integration/' "$@"
