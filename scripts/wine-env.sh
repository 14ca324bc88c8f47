# Sourced by scripts: a private, initialised 64-bit Wine prefix for tests and the demo.
export WINEPREFIX=${OLS_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/olsync-wine}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEARCH=win64
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "== initialising Wine prefix $WINEPREFIX (once)"
  mkdir -p "$WINEPREFIX"
  wineboot -i >/dev/null 2>&1 || true
  wineserver -w 2>/dev/null || true
fi
