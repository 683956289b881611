#!/usr/bin/env bash
# Builds the addon from this working tree in a private copy (/tmp/pevm-build-NAME), so that
# several engineers sharing one tree never race on ./build. Incremental after the first run.
# Usage: scripts/dev-build.sh NAME [asan|tsan]
# Then: PEVM_ADDON_PATH=/tmp/pevm-build-NAME/build/Release/parallel_evm.node npx vitest run ...
set -euo pipefail
name=${1:?usage: dev-build.sh NAME [asan|tsan]}
flavour=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
dest=/tmp/pevm-build-$name${flavour:+-$flavour}
mkdir -p "$dest"
# Copy by content, not with the tree's timestamps: a copy that last built other sources (an
# experiment, another branch) holds objects newer than the tree's files, and make would keep
# them, linking stale objects against new headers. A file whose content differs gets the
# present time; an unchanged one keeps its time, so the build stays incremental.
sync() {
  local from=$1 to=$2
  mkdir -p "$to"
  (cd "$from" && find . -type f) | while read -r f; do
    if ! cmp -s "$from/$f" "$to/$f"; then
      mkdir -p "$(dirname "$to/$f")"
      cp "$from/$f" "$to/$f"
    fi
  done
  (cd "$to" && find . -type f) | while read -r f; do
    [[ -e "$from/$f" ]] || rm -f "$to/$f"
  done
}
sync "$root/native" "$dest/native"
sync "$root/scripts" "$dest/scripts"
for f in binding.gyp package.json; do cmp -s "$root/$f" "$dest/$f" || cp "$root/$f" "$dest/$f"; done
ln -sfn "$root/node_modules" "$dest/node_modules"
gyp=/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
nodedir=$(npm config get nodedir 2>/dev/null || true)
export npm_config_nodedir=${npm_config_nodedir:-${nodedir:-}}
cd "$dest"
export PEVM_SANITIZE=$flavour
# Configure again when the source list changes, or when the tree the copy came from does: the
# Makefile holds resolved paths into node_modules (the dependencies' C sources), and a copy
# configured from another checkout (a CI clone since deleted) fails to build.
sources=$( (cat binding.gyp; readlink -f node_modules; node scripts/gyp-sources.js native/crypto native/evm native/precompiles native/state native/stm native/addon) | md5sum)
if [[ ! -f build/Makefile || ! -f .sources || $(cat .sources) != "$sources" ]]; then
  node "$gyp" configure >/dev/null
  echo "$sources" >.sources
fi
# A failed build must stop here: the previous build's addon is still in place, and running the
# tests on it would report on code that is not the tree's.
set +e
node "$gyp" build -j 2 2>&1 | grep -v '^gyp info' | grep -v '^make: '
status=${PIPESTATUS[0]}
set -e
if ((status != 0)); then
  echo "dev-build.sh: the build of $dest failed (exit $status)" >&2
  exit 1
fi
test -f build/Release/parallel_evm.node
echo "addon: $dest/build/Release/parallel_evm.node"
