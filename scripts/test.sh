#!/usr/bin/env bash
# The one test command: installs what is missing, builds both targets, runs every test
# natively and the Windows build's tests under Wine (in a virtual X display).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ -z "${OLS_SKIP_INSTALL:-}" ]; then
  bash scripts/install-deps.sh || { echo "dependency installation failed"; exit 1; }
fi
bash scripts/build.sh || { echo "build failed"; exit 1; }
. scripts/wine-env.sh

jobs=$(nproc 2>/dev/null || echo 2)
rc=0
echo "== native tests"
ctest --preset native -j"$jobs" || rc=1
echo "== windows tests (under Wine)"
xvfb-run -a ctest --preset windows -j"$jobs" || rc=1
wineserver -k 2>/dev/null || true
exit $rc
