#!/bin/sh
# Fail when a C file differs from what clang-format (.clang-format) makes
# of it: one style, enforced by a tool (STYLE.md section 10).
set -eu
cd "$(dirname "$0")/.."
clang-format --dry-run --Werror src/*.c include/crawld/*.h \
	tests/unit/*.c tests/unit/*.h tests/integration/*.c \
	tests/integration/*.h tests/fuzz/*.c src/*.h
echo "clang-format: all files formatted"
