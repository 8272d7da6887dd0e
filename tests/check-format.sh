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
# Outside a git checkout (no git, a tarball) the same files by name: the
# npm packages the tests install (tests/integration/node/node_modules)
# carry C sources of their own that are not ours to format.
"$cf" --dry-run --Werror $(git ls-files '*.c' '*.h' 2>/dev/null ||
	find src include tests bench -name node_modules -prune -o \
	    -name '*.[ch]' -print)
echo "clang-format: all files formatted"
