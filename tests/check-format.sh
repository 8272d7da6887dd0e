#!/bin/sh
# Fail when a C file differs from what clang-format (.clang-format) makes
# of it: one style, enforced by a tool (STYLE.md section 10).
# CLANG_FORMAT names the binary (CMake finds it); a missing one is a
# failure, never a skip.
set -eu
cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format}
case $cf in *NOTFOUND) cf=clang-format ;; esac
if ! command -v "$cf" >/dev/null 2>&1; then
	echo "clang-format not found: install it (sh scripts/setup-deps.sh)" >&2
	exit 1
fi
"$cf" --dry-run --Werror $(git ls-files '*.c' '*.h' 2>/dev/null ||
	find src include tests -name '*.[ch]')
echo "clang-format: all files formatted"
