#!/bin/sh
# Build the IMAP response parser fuzzer (clang, libFuzzer + ASan + UBSan) and run it.
#   tests/fuzz/run.sh [SECONDS] [libFuzzer options...]     default 60 s
#   tests/fuzz/run.sh check                                  build, run the seeds once
# The working corpus grows in $OLS_FUZZ_OUT/corpus (default build/fuzz); seeds stay here.
# Needs libFuzzer: Debian's clang-14 ships it (libclang-rt-14-dev / libclang-common-14-dev).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OLS_FUZZ_OUT:-$root/build/fuzz}
cc=${CLANG:-clang}
mkdir -p "$out/corpus"
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/include" -I"$root/src" \
    "$here/fuzz_imap_parser.c" "$root/src/imap/parser.c" "$root/src/imap/resp.c" \
    "$root/src/core/status.c" -o "$out/fuzz_imap_parser"
if [ "${1:-}" = check ]; then
    exec "$out/fuzz_imap_parser" -runs=0 "$here/corpus"
fi
secs=${1:-60}
[ $# -gt 0 ] && shift
exec "$out/fuzz_imap_parser" -max_total_time="$secs" -max_len=65536 -dict="$here/imap.dict" \
    -print_final_stats=1 -artifact_prefix="$out/" "$@" "$out/corpus" "$here/corpus"
