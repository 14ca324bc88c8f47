#!/usr/bin/env python3
"""Fails when a source file includes across a forbidden arrow (docs/architecture.md)
or includes windows.h outside src/win32 and src/plat."""
import os
import re
import sys

# Higher layers may include lower ones, and their own; never upwards or sideways.
LAYER = {
    "plat": 0,
    "core": 1,
    "net": 2,
    "imap": 3, "store": 3, "groupware": 3,
    "sync": 4, "pop3": 4, "services": 4,
    "cli": 5, "win32": 5,
}
# Public headers in include/olsync/ belong to the module their name starts with;
# status.h is the base every layer (plat included) uses; the rest belong to core.
PUBLIC_BASE = {"status.h": "plat", "version.h": "plat"}
WINDOWS_HEADERS = re.compile(r'#\s*include\s*[<"](windows|winsock2|ws2tcpip|objbase|ole2|'
                             r'mapix|mapidefs|shlobj|wincrypt|commctrl)\.h[>"]', re.I)
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def module_of_source(rel):
    parts = rel.split("/")
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    if parts[0] == "include":
        return module_of_public(parts[-1])
    return None


def module_of_public(name):
    if name in PUBLIC_BASE:
        return PUBLIC_BASE[name]
    stem = name.split(".")[0]
    for mod in LAYER:
        if stem == mod or stem.startswith(mod + "_"):
            return mod
    return "core"


def module_of_include(inc, including_dir):
    if inc.startswith("olsync/"):
        return module_of_public(inc.split("/")[-1])
    first = inc.split("/")[0]
    if first in LAYER and "/" in inc:
        return first
    return None  # same-folder include


def main(root):
    errors = []
    for base in ("src", "include"):
        for dirpath, _, files in os.walk(os.path.join(root, base)):
            for f in files:
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                mod = module_of_source(rel)
                text = open(path, encoding="utf-8", errors="replace").read()
                if mod not in ("win32", "plat") and WINDOWS_HEADERS.search(text):
                    errors.append(f"{rel}: Windows header outside src/win32 and src/plat")
                if mod is None or mod not in LAYER:
                    if rel.startswith("src/"):
                        errors.append(f"{rel}: folder is not a known module")
                    continue
                for inc in INCLUDE.findall(text):
                    target = module_of_include(inc, dirpath)
                    if target is None or target == mod:
                        continue
                    if target not in LAYER:
                        errors.append(f"{rel}: includes unknown module {inc}")
                    elif LAYER[target] >= LAYER[mod]:
                        errors.append(f"{rel}: {mod} may not include {inc} ({target})")
    for e in errors:
        print("layer violation:", e)
    print(f"{0 if errors else 1} passed, {1 if errors else 0} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
