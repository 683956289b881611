#!/usr/bin/env bash
# Checks that every C/C++ file under native/ is formatted with .clang-format.
# scripts/clang-format-check.sh --fix rewrites them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "clang-format-check: clang-format is not installed (Debian: apt-get install clang-format)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files -co --exclude-standard 'native/*.cpp' 'native/*.hpp' 'native/*.h' 'native/*.c' | sort)
if [[ ${1:-} == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run -Werror "${files[@]}"
echo "clang-format-check: ${#files[@]} files formatted"
