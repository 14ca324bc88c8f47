#!/bin/sh
# Fails unless every PE file given is x86-64 and imports only Windows system DLLs.
set -u
objdump=${OBJDUMP:-x86_64-w64-mingw32-objdump}
allowed='^(kernel32|user32|gdi32|advapi32|shell32|ole32|oleaut32|comctl32|comdlg32|uxtheme|ws2_32|crypt32|bcrypt|secur32|iphlpapi|normaliz|wldap32|msvcrt|ucrtbase|api-ms-win-[a-z0-9-]+|shlwapi|version|winmm|rpcrt4|mapi32|dwmapi|uuid|userenv|ntdll)\.dll$'
fail=0
pass=0
for f in "$@"; do
  fmt=$("$objdump" -f "$f" 2>/dev/null | sed -n 's/.*file format //p')
  if [ "$fmt" != "pei-x86-64" ]; then
    echo "FAIL: $f is '$fmt', not PE32+ x86-64"; fail=$((fail+1)); continue
  fi
  bad=$("$objdump" -p "$f" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z' | grep -Ev "$allowed")
  if [ -n "$bad" ]; then
    echo "FAIL: $f imports non-system DLLs:" $bad; fail=$((fail+1))
  else
    echo "ok: $f imports only system DLLs:" $("$objdump" -p "$f" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr '\n' ' ')
    pass=$((pass+1))
  fi
done
# the add-in DLL must export the four COM entry points
for f in "$@"; do
  case "$f" in
  *.dll)
    for sym in DllGetClassObject DllCanUnloadNow DllRegisterServer DllUnregisterServer; do
      if "$objdump" -p "$f" | grep -Eq "[[:space:]]$sym\$"; then pass=$((pass+1))
      else echo "FAIL: $f does not export $sym"; fail=$((fail+1)); fi
    done ;;
  esac
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
