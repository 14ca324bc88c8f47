#!/usr/bin/env bash
# Configures and builds both targets: build/native (Linux) and build/windows (mingw-w64).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)

echo "== native build"
cmake --preset native >/dev/null
cmake --build --preset native -j"$jobs"

echo "== windows build"
export OLS_WIN_DEPS=$("$root/scripts/build-win-deps.sh" | tail -1)
cmake --preset windows >/dev/null
cmake --build --preset windows -j"$jobs"
