#!/usr/bin/env bash
# Installs everything olsync needs on Debian 12 (as root) and builds the static Windows
# dependencies into a cache outside the tree. Safe to run again: it only does what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

packages=(
  build-essential cmake pkg-config python3 git file xz-utils
  libssl-dev libcurl4-openssl-dev libcjson-dev zlib1g-dev libsqlite3-dev
  gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 mingw-w64-tools libz-mingw-w64-dev
  gcc-mingw-w64-i686 nsis wixl msitools
  wine wine64 xvfb xauth
  dovecot-imapd dovecot-pop3d dovecot-managesieved dovecot-sieve openssl
  fetchmail tcl dpkg-dev iproute2 procps
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# deb-src entries: the Windows dependencies are built from Debian's own sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ]; then
    sed 's/^Types: deb$/Types: deb-src/' "$src" | $SUDO tee /etc/apt/sources.list.d/olsync-deb-src.sources >/dev/null
  else
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | $SUDO tee /etc/apt/sources.list.d/olsync-deb-src.list >/dev/null
  fi
  need_update=1
fi

if [ ${#missing[@]} -gt 0 ] || [ -n "${need_update:-}" ]; then
  echo "== installing: ${missing[*]:-(source lists only)}"
  $SUDO apt-get update -q
  [ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "== Windows dependencies (cached outside the tree)"
"$here/build-win-deps.sh" | tail -1
echo "== Windows x86 dependencies, for the 32-bit add-in (cached outside the tree)"
"$here/build-win-deps.sh" i686 | tail -1
