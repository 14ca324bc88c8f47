#!/usr/bin/env bash
# build-win-deps.sh - static Windows x64 (x86_64-w64-mingw32) builds of OpenSSL,
# curl, SQLite (amalgamation) and cJSON, made from Debian's own source packages;
# with the argument i686 the same set for 32-bit Windows (i686-w64-mingw32).
#
# Usage:   prefix=$(scripts/build-win-deps.sh | tail -1)          # x64
#          prefix32=$(scripts/build-win-deps.sh i686 | tail -1)   # x86
# (or OLSYNC_DEPS_TARGET=i686; an argument wins over the variable)
#
# The result goes to a cache directory outside the source tree:
#   ${OLSYNC_DEPS_CACHE:-/var/cache/olsync-deps}/win64-<key>/{include,lib}
#   ${OLSYNC_DEPS_CACHE:-/var/cache/olsync-deps}/win32-<key>/{include,lib}   (i686)
# where <key> is a short sha256 of the four Debian source versions plus REV below
# (and, for i686 only, the host triplet, so the x64 key is what it always was).
# A prefix is complete only if it holds the stamp file; it is built as
# <prefix>.tmp and renamed into place, so a killed build never leaves a
# half-filled cache. If the stamp exists the script prints the prefix and exits.
#
# The last line of stdout is the absolute prefix. Progress goes to stderr, build
# output to <cache>/win64-<key>.log; on failure the tail of that log is printed
# and the exit status is non-zero.
#
# Environment:
#   OLSYNC_DEPS_TARGET  x86_64 (default) or i686
#   OLSYNC_DEPS_CACHE   cache root (default /var/cache/olsync-deps)
#   OLSYNC_DEPS_JOBS    make -j (default: number of CPUs)
#   OLSYNC_DEPS_KEEP=1  keep the build directory <cache>/.build.* (until the next run)
#
# zlib is not built here: consumers link Debian's libz-mingw-w64-dev
# (/usr/<triplet>/lib/libz.a, both triplets), which curl is built against.

set -Eeuo pipefail

# Bump when the build recipe below changes in a way that changes the result.
REV=2

TARGET=${1:-${OLSYNC_DEPS_TARGET:-x86_64}}
case $TARGET in
    x86_64 | x64 | amd64 | win64)
        HOST=x86_64-w64-mingw32 OSSL_TARGET=mingw64 PREFIX_TAG=win64 PE_FORMAT=pe-x86-64
        ARCH_NAME=x64 GCC_PKG=gcc-mingw-w64-x86-64 BINUTILS_PKG=binutils-mingw-w64-x86-64
        OSSL_UNPATCH= ;;
    i686 | x86 | i386 | win32)
        HOST=i686-w64-mingw32 OSSL_TARGET=mingw PREFIX_TAG=win32 PE_FORMAT=pe-i386
        ARCH_NAME=x86 GCC_PKG=gcc-mingw-w64-i686 BINUTILS_PKG=binutils-mingw-w64-i686
        # Debian's pic.patch makes the 32-bit x86 perlasm call through the GOT
        # unconditionally, which PE/COFF cannot represent (BFD_RELOC_386_GOTPC):
        # it is taken back out for this target (see build_openssl).
        OSSL_UNPATCH=pic.patch ;;
    *) printf 'build-win-deps: unknown target %s (x86_64 or i686)\n' "$TARGET" >&2; exit 2 ;;
esac
MINGW_ROOT=/usr/$HOST
PKGS=(openssl curl sqlite3 cjson)
CACHE=${OLSYNC_DEPS_CACHE:-/var/cache/olsync-deps}
JOBS=${OLSYNC_DEPS_JOBS:-$(nproc 2>/dev/null || echo 2)}
STAMP_NAME=olsync-win-deps.stamp
# A source version whose .dsc could not be fetched is not retried for this long.
MISSING_TTL_MIN=360

# Flags for the SQLite amalgamation (recorded in the stamp).
SQLITE_DEFS="-DSQLITE_THREADSAFE=1 -DSQLITE_DEFAULT_WAL_SYNCHRONOUS=1 -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_UNLOCK_NOTIFY"
# cJSON: never dllexport its symbols from whatever DLL links it statically.
CJSON_DEFS="-DCJSON_HIDE_SYMBOLS"
# Compiled-in OpenSSL run-time paths. The defaults would be the Linux build
# prefix, which on Windows maps to C:\var\cache\..., a directory any user can
# create (config / engine / provider hijacking). Use the admin-only locations
# that the official Windows builds use instead.
OSSL_OPENSSLDIR='C:/Program Files/Common Files/SSL'
OSSL_ENGINESDIR='C:/Program Files/OpenSSL/lib/engines-3'
OSSL_MODULESDIR='C:/Program Files/OpenSSL/lib/ossl-modules'

LOG=/dev/null
WORK=
STAGE=
SECONDS=0

msg() { printf 'build-win-deps: %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

MAINPID=$$
on_err() {
    local rc=$? line=$1
    # errtrace (set -E) also runs this in subshells: let the main shell report.
    [ "$BASHPID" = "$MAINPID" ] || exit "$rc"
    trap - ERR
    msg "FAILED (exit $rc at line $line)"
    if [ -f "$LOG" ] && [ "$LOG" != /dev/null ]; then
        msg "last lines of $LOG:"
        tail -n 60 "$LOG" >&2 || true
    fi
    exit "$rc"
}
trap 'on_err $LINENO' ERR

cleanup() {
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        if [ "${OLSYNC_DEPS_KEEP:-0}" = 1 ]; then
            msg "kept build directory $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    # A stage dir left behind means we did not finish: never leave it around.
    if [ -n "$STAGE" ] && [ -d "$STAGE" ]; then rm -rf "$STAGE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run a command with its output going to the log.
run() {
    printf '+ %s\n' "$*" >>"$LOG"
    "$@" >>"$LOG" 2>&1
}

# ---------------------------------------------------------------- prerequisites

ensure_tools() {
    local missing=() spec cmd pkg
    for spec in \
        "$HOST-gcc:$GCC_PKG" \
        "$HOST-ar:$BINUTILS_PKG" \
        "$HOST-ranlib:$BINUTILS_PKG" \
        "$MINGW_ROOT/include/zlib.h:libz-mingw-w64-dev" \
        "$MINGW_ROOT/lib/libz.a:libz-mingw-w64-dev" \
        "gcc:gcc" "make:make" "perl:perl" "tclsh:tcl" "patch:patch" \
        "dpkg-source:dpkg-dev" "xz:xz-utils" "flock:util-linux" \
        "sha256sum:coreutils"; do
        cmd=${spec%%:*} pkg=${spec#*:}
        case $cmd in
            /*) [ -e "$cmd" ] && continue ;;
            *) command -v "$cmd" >/dev/null 2>&1 && continue ;;
        esac
        case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing packages (install them as root): ${missing[*]}"
    msg "installing prerequisites: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >&2 || {
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" >&2
    }
}

# Make sure deb-src entries exist: copy the Debian "deb" entries as "deb-src".
have_src_lists() {
    apt-cache showsrc openssl 2>/dev/null | awk '/^Package: / { f = 1 } END { exit !f }'
}

ensure_deb_src() {
    if have_src_lists; then
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "apt-cache showsrc openssl finds nothing; add deb-src entries (root needed)"
    local out=/etc/apt/sources.list.d/debian-src
    if ! grep -rqsE '^[[:space:]]*(Types:.*deb-src|deb-src[[:space:]])' \
            /etc/apt/sources.list /etc/apt/sources.list.d/; then
        msg "no deb-src entries configured: writing $out.sources / $out.list"
        local f
        # deb822 files: copy the stanzas of type deb for Debian archives.
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] || continue
            awk '
                function flush() {
                    if (n > 0 && isdeb && isdebian) {
                        for (i = 1; i <= n; i++) print lines[i]
                        print ""
                    }
                    n = 0; isdeb = 0; isdebian = 0
                }
                /^[[:space:]]*$/ { flush(); next }
                /^#/ { next }
                /^Types:/ {
                    for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1
                    lines[++n] = "Types: deb-src"; next
                }
                /^URIs:/ { if ($0 ~ /debian/) isdebian = 1 }
                { lines[++n] = $0 }
                END { flush() }' "$f"
        done >"$out.sources.new"
        # one-line format: the same lines with deb-src
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] || continue
            sed -n 's/^[[:space:]]*deb[[:space:]]\(.*debian.*\)$/deb-src \1/p' "$f"
        done >"$out.list.new"
        [ -s "$out.sources.new" ] && mv "$out.sources.new" "$out.sources" || rm -f "$out.sources.new"
        [ -s "$out.list.new" ] && mv "$out.list.new" "$out.list" || rm -f "$out.list.new"
        [ -f "$out.sources" ] || [ -f "$out.list" ] ||
            die "no Debian deb entries found to copy as deb-src"
    fi
    msg "apt-get update (for source package lists)"
    apt-get update -q >&2
    have_src_lists ||
        die "apt-cache showsrc openssl still finds nothing after adding deb-src entries"
}

# ---------------------------------------------------------------- versions/sources

# All source versions apt knows for a source package, newest first.
src_versions() {
    local pkg=$1 v sorted=() i j tmp
    while read -r v; do sorted+=("$v"); done < <(
        apt-cache showsrc "$pkg" 2>/dev/null |
            awk -v p="$pkg" '/^Package: /{cur=$2} /^Version: /{ if (cur == p) print $2 }' |
            sort -u)
    # insertion sort by Debian version order, descending
    for ((i = 1; i < ${#sorted[@]}; i++)); do
        tmp=${sorted[i]}
        j=$((i - 1))
        while ((j >= 0)) && dpkg --compare-versions "${sorted[j]}" lt "$tmp"; do
            sorted[j + 1]=${sorted[j]}
            j=$((j - 1))
        done
        sorted[j + 1]=$tmp
    done
    printf '%s\n' "${sorted[@]}"
}

# Download pkg=ver into $SRC (once). Returns non-zero if the archive lacks it.
fetch_source() {
    local pkg=$1 ver=$2 tag=${1}_${2#*:}
    [ -f "$SRC/.ok-$tag" ] && return 0
    if [ -n "$(find "$SRC" -maxdepth 1 -name ".missing-$tag" -mmin -$MISSING_TTL_MIN 2>/dev/null)" ]; then
        return 1
    fi
    local dl
    dl=$(mktemp -d "$SRC/.dl.XXXXXX")
    LOG=$SRC/download.log
    # Probe the small .dsc first: a mirror can list a version whose files are gone.
    local uri=
    if (cd "$dl" && apt-get source --print-uris -qq "$pkg=$ver") >"$dl/uris" 2>>"$LOG"; then
        uri=$(awk '!done && $2 ~ /\.dsc$/ { gsub(/\x27/, "", $1); print $1; done = 1 }' "$dl/uris")
    fi
    rm -f "$dl/uris"
    if [ -z "$uri" ] || ! run /usr/lib/apt/apt-helper download-file "$uri" "$dl/probe.dsc"; then
        msg "source $pkg $ver is listed but not downloadable; trying an older version"
        touch "$SRC/.missing-$tag"
        rm -rf "$dl"
        return 1
    fi
    rm -f "$dl/probe.dsc"
    msg "downloading source $pkg $ver"
    if ! (cd "$dl" && run apt-get source --download-only -q "$pkg=$ver"); then
        msg "download of $pkg $ver failed; trying an older version"
        touch "$SRC/.missing-$tag"
        rm -rf "$dl"
        return 1
    fi
    mv -f "$dl"/* "$SRC"/
    rm -rf "$dl"
    rm -f "$SRC/.missing-$tag"
    touch "$SRC/.ok-$tag"
}

declare -A VER
resolve_versions() {
    local pkg v found
    for pkg in "${PKGS[@]}"; do
        found=
        while read -r v; do
            [ -n "$v" ] || continue
            if fetch_source "$pkg" "$v"; then found=$v; break; fi
        done < <(src_versions "$pkg")
        [ -n "$found" ] || die "no downloadable source version of $pkg (apt-cache showsrc $pkg)"
        VER[$pkg]=$found
    done
}

# Unpack a downloaded source package into $WORK/<pkg>.
unpack() {
    local pkg=$1 ver=${VER[$1]} tag=${1}_${VER[$1]#*:}
    if ! run dpkg-source -x "$SRC/$tag.dsc" "$WORK/$pkg"; then
        rm -f "$SRC/.ok-$tag"   # re-download next time
        return 1
    fi
}

# ---------------------------------------------------------------- builds

build_openssl() {
    msg "building OpenSSL ${VER[openssl]} ($((SECONDS))s)"
    unpack openssl
    cd "$WORK/openssl"
    if [ -n "$OSSL_UNPATCH" ] && grep -qx "$OSSL_UNPATCH" debian/patches/series; then
        run patch -R -p1 -i "debian/patches/$OSSL_UNPATCH"
    fi
    run ./Configure "$OSSL_TARGET" --cross-compile-prefix="$HOST-" \
        --prefix="$STAGE" --libdir=lib \
        no-shared no-tests
    # Override the compiled-in run-time paths (see OSSL_* above).
    run make -j"$JOBS" build_libs \
        OPENSSLDIR="$OSSL_OPENSSLDIR" ENGINESDIR="$OSSL_ENGINESDIR" MODULESDIR="$OSSL_MODULESDIR"
    run make install_dev \
        OPENSSLDIR="$OSSL_OPENSSLDIR" ENGINESDIR="$OSSL_ENGINESDIR" MODULESDIR="$OSSL_MODULESDIR"
    [ -f "$STAGE/lib/libssl.a" ] && [ -f "$STAGE/lib/libcrypto.a" ]
    rm -f "$STAGE"/lib/*.dll.a
}

build_curl() {
    msg "building curl ${VER[curl]} ($((SECONDS))s)"
    unpack curl
    cd "$WORK/curl"
    # Debian's series ends with two patches that only rename the library for
    # its GnuTLS/NSS flavours (debian/rules pops them for the OpenSSL build).
    local p
    for p in 99_nss.patch 90_gnutls.patch; do
        if grep -qx "$p" debian/patches/series; then
            run patch -R -p1 -i "debian/patches/$p"
        fi
    done
    # configure is pre-generated and AM_MAINTAINER_MODE keeps make from
    # re-running autotools on the (patched) Makefile.am files.
    run ./configure --host="$HOST" --build="$(gcc -dumpmachine)" \
        --prefix="$STAGE" \
        --disable-shared --enable-static \
        --with-openssl="$STAGE" --with-zlib="$MINGW_ROOT" \
        --without-ca-bundle --without-ca-path \
        --without-libpsl --without-brotli --without-zstd \
        --without-libidn2 --without-winidn \
        --without-nghttp2 --without-nghttp3 --without-ngtcp2 --without-quiche --without-msh3 \
        --without-libssh2 --without-libssh --without-wolfssh \
        --without-librtmp --without-libgsasl --without-hyper \
        --disable-ldap --disable-ldaps \
        --disable-pthreads \
        --disable-manual --disable-docs \
        --disable-dependency-tracking \
        CFLAGS="-O2" \
        PKG_CONFIG_LIBDIR="$STAGE/lib/pkgconfig:$MINGW_ROOT/lib/pkgconfig" \
        LIBS="-lbcrypt -lcrypt32 -lws2_32 -lgdi32 -ladvapi32 -luser32"
    grep -q '^#define USE_OPENSSL 1' lib/curl_config.h || { echo "curl: OpenSSL not enabled" >>"$LOG"; return 1; }
    grep -q '^#define HAVE_LIBZ 1' lib/curl_config.h || { echo "curl: zlib not enabled" >>"$LOG"; return 1; }
    # Win32 threads for the threaded resolver, not winpthreads (no libwinpthread).
    grep -q '^#define USE_THREADS_WIN32 1' lib/curl_config.h || { echo "curl: not using Win32 threads" >>"$LOG"; return 1; }
    run make -j"$JOBS" -C lib
    run make -C lib install
    run make -C include install
    run make install-pkgconfigDATA
    [ -f "$STAGE/lib/libcurl.a" ]
    rm -f "$STAGE"/lib/*.la
}

build_sqlite() {
    msg "building SQLite ${VER[sqlite3]} ($((SECONDS))s)"
    unpack sqlite3
    cd "$WORK/sqlite3"
    mkdir -p bld
    cd bld
    # native configure only to generate the amalgamation (needs tclsh)
    run env -u CC -u CFLAGS ../configure --disable-tcl --disable-readline
    run make sqlite3.c
    run "$HOST-gcc" -O2 $SQLITE_DEFS -c sqlite3.c -o sqlite3.o
    run "$HOST-ar" rcs libsqlite3.a sqlite3.o
    install -m 644 libsqlite3.a "$STAGE/lib/"
    install -m 644 sqlite3.h ../src/sqlite3ext.h "$STAGE/include/"
    local v
    v=$(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' sqlite3.h)
    cat >"$STAGE/lib/pkgconfig/sqlite3.pc" <<EOF
prefix=$STAGE
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: SQLite
Description: SQL database engine (static, Windows $ARCH_NAME)
Version: $v
Libs: -L\${libdir} -lsqlite3
Cflags: -I\${includedir}
EOF
}

build_cjson() {
    msg "building cJSON ${VER[cjson]} ($((SECONDS))s)"
    unpack cjson
    cd "$WORK/cjson"
    # Only cJSON.c: Debian's native libcjson-dev has no cJSON_Utils either, and
    # the two builds must offer the same API.
    run "$HOST-gcc" -O2 -std=c89 $CJSON_DEFS -c cJSON.c -o cJSON.o
    run "$HOST-ar" rcs libcjson.a cJSON.o
    install -m 644 libcjson.a "$STAGE/lib/"
    install -d "$STAGE/include/cjson"
    install -m 644 cJSON.h "$STAGE/include/cjson/"
    local v
    v=$(awk '/#define CJSON_VERSION_(MAJOR|MINOR|PATCH)/ { printf "%s%s", s, $3; s = "." }' cJSON.h)
    cat >"$STAGE/lib/pkgconfig/libcjson.pc" <<EOF
prefix=$STAGE
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libcjson
Description: Ultralightweight JSON parser in ANSI C (static, Windows $ARCH_NAME)
Version: $v
Libs: -L\${libdir} -lcjson
Cflags: -I\${includedir} -DCJSON_HIDE_SYMBOLS
EOF
}

# ---------------------------------------------------------------- main

main() {
    unset CC CXX CPP CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LIBS PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

    mkdir -p "$CACHE"
    CACHE=$(cd "$CACHE" && pwd -P)
    SRC=$CACHE/src
    mkdir -p "$SRC"

    ensure_tools

    exec 9>"$CACHE/.lock"
    if ! flock -n 9; then
        msg "waiting for another build-win-deps.sh (lock $CACHE/.lock)"
        flock 9
    fi

    # Holding the lock, nothing else builds here: drop leftovers of killed runs.
    rm -rf "$CACHE"/.build.* "$CACHE"/win64-*.tmp "$CACHE"/win32-*.tmp "$SRC"/.dl.*

    ensure_deb_src
    resolve_versions

    local keystr key
    keystr="openssl=${VER[openssl]} curl=${VER[curl]} sqlite3=${VER[sqlite3]} cjson=${VER[cjson]} rev=$REV"
    # x64 keeps the key it always had; other targets add their triplet
    [ "$HOST" = x86_64-w64-mingw32 ] || keystr="$keystr host=$HOST"
    key=$(printf '%s' "$keystr" | sha256sum | cut -c1-12)
    local prefix=$CACHE/$PREFIX_TAG-$key

    if [ -f "$prefix/$STAMP_NAME" ]; then
        msg "cached: $keystr"
        printf '%s\n' "$prefix"
        return 0
    fi

    LOG=$CACHE/$PREFIX_TAG-$key.log
    : >"$LOG"
    msg "building $keystr"
    msg "prefix $prefix, log $LOG"

    WORK=$(mktemp -d "$CACHE/.build.XXXXXX")
    STAGE=$prefix.tmp
    rm -rf "$STAGE"
    mkdir -p "$STAGE/include" "$STAGE/lib/pkgconfig"

    build_openssl
    build_curl
    build_sqlite
    build_cjson
    cd "$CACHE"

    # Sanity: every archive is COFF for the target (pe-x86-64 or pe-i386).
    local a
    for a in libssl libcrypto libcurl libsqlite3 libcjson; do
        "$HOST-objdump" -f "$STAGE/lib/$a.a" >"$WORK/objdump.txt" 2>>"$LOG"
        grep -q "file format $PE_FORMAT\$" "$WORK/objdump.txt" ||
            { echo "$a.a is not a $PE_FORMAT archive" >>"$LOG"; false; }
    done

    # The text files (pkg-config, headers) name the stage dir: point them at the prefix.
    local f
    while IFS= read -r f; do
        case $f in *.a) continue ;; esac
        sed -i "s|$STAGE|$prefix|g" "$f"
    done < <(grep -rlF "$STAGE" "$STAGE" || true)
    rm -rf "$STAGE/share" "$STAGE/bin"

    cat >"$STAGE/$STAMP_NAME" <<EOF
key=$key
$keystr
host=$HOST
compiler=$("$HOST-gcc" --version | sed -n 1p)
zlib=$MINGW_ROOT/lib/libz.a (libz-mingw-w64-dev $(dpkg-query -W -f '${Version}' libz-mingw-w64-dev 2>/dev/null || echo '?'))
sqlite_defs=$SQLITE_DEFS
cjson_defs=$CJSON_DEFS
openssldir=$OSSL_OPENSSLDIR
built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in ${SECONDS}s
EOF

    rm -rf "$prefix"          # a stamp-less leftover (never a finished cache)
    mv -T "$STAGE" "$prefix"
    STAGE=
    msg "done in ${SECONDS}s"
    printf '%s\n' "$prefix"
}

main "$@"; exit $?
