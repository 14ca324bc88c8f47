#!/bin/sh
# Makes docs/screenshots/installer-*.png: the wizard walked page by page under Wine in a
# throwaway prefix on its own virtual screen (24-bit colour), in English and in German.
#   tests/installer/screenshots.sh [BUILD_DIR]     (default build/windows)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build/windows}" && pwd)
version=$(sed -n 's/^project(olsync VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
export OLS_SETUP_EXE="$build/olsync-setup-$version.exe"
export OLS_WIZARD_DRIVER="$build/tests/installer/wizard_driver.exe"
for f in "$OLS_SETUP_EXE" "$OLS_WIZARD_DRIVER"; do
  [ -f "$f" ] || { echo "missing $f: build the windows preset first" >&2; exit 1; }
done
out="$root/docs/screenshots"
mkdir -p "$out"
for lang in en de; do
  xvfb-run -a -s "-screen 0 1024x768x24" \
    python3 "$root/tests/installer/test_wizard.py" --lang "$lang" --screenshots "$out"
done
