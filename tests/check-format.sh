#!/bin/sh
# Fail when a C file differs from what clang-format (.clang-format) makes
# of it: one style, enforced by a tool (STYLE.md section 10).
set -eu
cd "$(dirname "$0")/.."
clang-format --dry-run --Werror $(git ls-files '*.c' '*.h' 2>/dev/null ||
	find src include tests -name '*.[ch]')
echo "clang-format: all files formatted"
