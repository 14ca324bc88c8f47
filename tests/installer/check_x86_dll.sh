#!/bin/sh
# The 32-bit OutlookSync.dll, checked statically: Wine here runs 64-bit programs only,
# so it cannot be loaded. PE32 for i386, the COM entry points exported under their plain
# names (no stdcall decoration, or Outlook would not find them), Windows system DLLs only.
#   check_x86_dll.sh OutlookSync.dll [more.dll ...]
set -u
objdump=${OBJDUMP:-i686-w64-mingw32-objdump}
allowed='^(kernel32|user32|gdi32|advapi32|shell32|ole32|oleaut32|comctl32|comdlg32|uxtheme|ws2_32|crypt32|bcrypt|secur32|iphlpapi|normaliz|wldap32|msvcrt|ucrtbase|api-ms-win-[a-z0-9-]+|shlwapi|version|winmm|rpcrt4|mapi32|dwmapi|uuid|userenv|ntdll)\.dll$'
pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
for f in "$@"; do
  [ -f "$f" ] || { bad "$f does not exist"; continue; }
  fmt=$("$objdump" -f "$f" 2>/dev/null | sed -n 's/.*file format //p')
  [ "$fmt" = pei-i386 ] && ok "$f is PE32 (pei-i386)" || bad "$f is '$fmt', not PE32 i386"
  # the PE header says so too: optional header magic 0x10b, machine 0x14c
  magic=$("$objdump" -p "$f" | sed -n 's/^Magic[[:space:]]*//p' | awk '{print $1}')
  [ "$magic" = 010b ] && ok "$f optional header magic 010b" || bad "$f magic '$magic'"
  exports=$("$objdump" -p "$f" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p')
  for sym in DllGetClassObject DllCanUnloadNow DllRegisterServer DllUnregisterServer DllInstall; do
    if printf '%s\n' "$exports" | grep -Eq "\][[:space:]]+$sym\$"; then ok "$f exports $sym"
    else bad "$f does not export $sym undecorated"; fi
  done
  imports=$("$objdump" -p "$f" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z')
  others=$(printf '%s\n' "$imports" | grep -Ev "$allowed")
  if [ -z "$imports" ]; then bad "$f: no imports read"
  elif [ -z "$others" ]; then ok "$f imports system DLLs only:" $imports
  else bad "$f imports" $others; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
