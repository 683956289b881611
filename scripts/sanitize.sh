#!/usr/bin/env bash
# Builds the addon with a sanitizer and runs tests under it.
#   scripts/sanitize.sh asan [vitest args...]   AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/sanitize.sh tsan [vitest args...]   ThreadSanitizer
#   scripts/sanitize.sh asan --cli ARGS...      the parallel-evm CLI instead of vitest, e.g.
#                                               --cli statetest .cache/fixtures/state_tests
# The instrumented addon is built in a private copy (scripts/dev-build.sh), so ./build keeps the
# release build. Node itself is not instrumented, so the sanitizer runtime (gcc's, from Debian's
# libasan8/libubsan1/libtsan2) is preloaded into it. Any report fails the run.
# Without vitest args it runs every test; CI passes the native-heavy suites explicitly.
set -euo pipefail
flavour=${1:?usage: sanitize.sh asan|tsan [vitest args...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
case $flavour in
  asan) runtime=$(gcc -print-file-name=libasan.so) ;;
  tsan) runtime=$(gcc -print-file-name=libtsan.so) ;;
  *) echo "sanitize.sh: unknown flavour '$flavour' (asan or tsan)" >&2; exit 2 ;;
esac
if [[ ! -f $runtime ]]; then
  echo "sanitize.sh: the $flavour runtime is missing; install it: apt-get install libasan8 libubsan1 libtsan2" >&2
  exit 2
fi

"$root/scripts/dev-build.sh" sanitize "$flavour" | tail -1
addon=/tmp/pevm-build-sanitize-$flavour/build/Release/parallel_evm.node
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

export PEVM_ADDON_PATH=$addon
export PEVM_SANITIZED=$flavour
# Reports go to files as well as stderr, so a report in a forked test worker cannot be missed.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:log_path=$log_dir/report:log_exe_name=1"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$log_dir/report"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$log_dir/report:suppressions=$root/scripts/tsan.supp"

cd "$root"
status=0
if [[ ${1:-} == --cli ]]; then
  shift
  [[ -f dist/cjs/cli/main.js ]] || npm run build:ts >/dev/null
  LD_PRELOAD=$runtime node bin/parallel-evm.js "$@" 2>&1 | tee "$log_dir/output" || status=$?
else
  LD_PRELOAD=$runtime node node_modules/vitest/vitest.mjs run "$@" 2>&1 | tee "$log_dir/output" || status=$?
fi
pattern='ERROR: AddressSanitizer|runtime error:|WARNING: ThreadSanitizer|ERROR: LeakSanitizer|SUMMARY: [A-Za-z]+Sanitizer'
if compgen -G "$log_dir/report*" >/dev/null || grep -Eq "$pattern" "$log_dir/output"; then
  echo "sanitize.sh: the $flavour build reported problems:" >&2
  if compgen -G "$log_dir/report*" >/dev/null; then cat "$log_dir"/report* >&2; fi
  grep -E -A3 "$pattern" "$log_dir/output" | head -50 >&2
  exit 1
fi
if [[ $status != 0 ]]; then
  echo "sanitize.sh: tests failed under $flavour (status $status)" >&2
  exit "$status"
fi
echo "sanitize.sh: $flavour clean"
