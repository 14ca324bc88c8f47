#!/usr/bin/env python3
"""olsync-<version>-x64.msi: its tables read back with msiinfo, then installed, upgraded
and removed with Wine's msiexec in a throwaway prefix.

Environment (set by ctest): OLS_SETUP_MSI, OLS_SETUP_EXE, OLS_INSTALLER_STAGE,
OLS_MSI_WXS, OLS_WIXL, OLS_MSIINFO, OLS_INSTALLED_HOST, OLS_VERSION.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from instlib import Checks, Prefix, pe_machine, read_text  # noqa: E402

CLSID = "{E3B00751-636D-4A0E-BD2D-B3D6AE0D0754}"
ADDINS = r"Software\Microsoft\Office\Outlook\Addins\olsync.OutlookAddin"
VERSION = os.environ.get("OLS_VERSION", "")


def table(msi, name):
    """Rows of one table as dicts (msiinfo export: header, types, key line, rows)."""
    r = subprocess.run([os.environ["OLS_MSIINFO"], "export", msi, name], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        return []
    lines = r.stdout.splitlines()
    cols = lines[0].split("\t")
    return [dict(zip(cols, row.split("\t"))) for row in lines[3:] if row]


def check_tables(c, msi):
    files = table(msi, "File")
    comps = {row["Component"]: row for row in table(msi, "Component")}
    by_comp = {}
    for f in files:
        by_comp.setdefault(f["Component_"], []).append(f["FileName"])
    c.ok(any(f["FileName"] == "OutlookSync.dll" for f in files), "File: OutlookSync.dll")
    dll_comps = [f["Component_"] for f in files if f["FileName"] == "OutlookSync.dll"]
    c.eq(len(dll_comps), 2, "File: two OutlookSync.dll (x64 and x86)")
    bits = sorted(int(comps[k]["Attributes"]) & 256 for k in dll_comps if k in comps)
    c.eq(bits, [0, 256], "Component: one 64-bit (msidbComponentAttributes64bit), one 32-bit")
    c.ok(any(f["FileName"] == "olsync.exe" for f in files), "File: olsync.exe")

    reg = table(msi, "Registry")
    for comp in dll_comps:
        rows = [r for r in reg if r["Component_"] == comp]
        want_file = [f["File"] for f in files if f["Component_"] == comp][0]
        c.ok(any(r["Root"] == "2" and r["Key"] == ADDINS and r["Name"] == "LoadBehavior"
                 and r["Value"] == "#3" for r in rows),
             "Registry (%s): HKLM Addins LoadBehavior=3" % comp)
        c.ok(any(r["Key"] == ADDINS and r["Name"] == "FriendlyName" for r in rows),
             "Registry (%s): FriendlyName" % comp)
        c.ok(any(r["Key"] == "Software\\Classes\\CLSID\\%s\\InprocServer32" % CLSID
                 and r["Name"] == "" and r["Value"] == "[#%s]" % want_file for r in rows),
             "Registry (%s): InprocServer32 = its own DLL" % comp)
        c.ok(any(r["Name"] == "ThreadingModel" and r["Value"] == "Apartment" for r in rows),
             "Registry (%s): ThreadingModel=Apartment" % comp)
        c.ok(any(r["Key"] == "Software\\Classes\\olsync.OutlookAddin\\CLSID" and r["Value"] == CLSID
                 for r in rows), "Registry (%s): ProgID -> CLSID" % comp)
    c.ok(any(r["Name"] == "Email" and r["Value"] == "[EMAIL]" for r in reg),
         "Registry: the EMAIL property is kept")
    c.ok(any(r["Name"] == "NoProfile" and r["Value"] == "[NOPROFILE]" for r in reg),
         "Registry: the NOPROFILE property is kept")
    props = {r["Property"]: r["Value"] for r in table(msi, "Property")}
    c.eq(props.get("ALLUSERS"), "1", "Property: per machine")
    c.eq(props.get("ProductVersion"), VERSION, "Property: ProductVersion")
    code = props.get("UpgradeCode", "")
    c.ok(len(code) == 38 and code.startswith("{"), "Property: an UpgradeCode %r" % code)
    up = table(msi, "Upgrade")
    c.ok(any(u["UpgradeCode"] == code and u["ActionProperty"] == "WIX_UPGRADE_DETECTED"
             for u in up), "Upgrade: older versions of the same UpgradeCode are replaced")
    conds = [r["Description"] for r in table(msi, "LaunchCondition")]
    c.ok(any("Windows 7" in d for d in conds), "LaunchCondition: the Windows check")
    return code


def uninstall_entries(p):
    r = p.run(["reg", "query", r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall",
               "/s"])
    return [line.strip() for line in r.stdout.splitlines()
            if line.split() == ["DisplayName", "REG_SZ", "olsync"]]


def main():
    c = Checks("installer_msi")
    msi = os.environ["OLS_SETUP_MSI"]
    check_tables(c, msi)

    tmp = tempfile.mkdtemp(prefix="olsync-msi-")
    p = Prefix(c)
    try:
        # an older package first, built from the same files
        old = os.path.join(tmp, "olsync-0.0.9-x64.msi")
        r = subprocess.run([os.environ["OLS_WIXL"], "-a", "x64", "-D", "Version=0.0.9", "-D",
                            "Stage=.", "-o", old, os.environ["OLS_MSI_WXS"]],
                           cwd=os.environ["OLS_INSTALLER_STAGE"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        c.eq(r.returncode, 0, "wixl 0.0.9: %s" % r.stdout[-300:])
        r = p.run(["msiexec", "/i", p.win(old), "/qn"])
        c.eq(r.returncode, 0, "msiexec /i 0.0.9")
        c.eq(p.reg_value(r"HKLM\Software\olsync\Setup", "Version"), "0.0.9", "0.0.9 installed")

        log = os.path.join(tmp, "msiexec.log")
        r = p.run(["msiexec", "/i", p.win(msi), "/qn", "EMAIL=carol@example.org", "NOPROFILE=1",
                   "/l*v", p.win(log)])
        c.eq(r.returncode, 0, "msiexec /i the new package over the old")
        setup = p.reg_query(r"HKLM\Software\olsync\Setup") or {}
        c.eq(setup.get("Version", ("", ""))[1], VERSION, "upgraded to the new version")
        c.eq(setup.get("Email", ("", ""))[1], "carol@example.org", "EMAIL kept for first start")
        c.eq(setup.get("NoProfile", ("", ""))[1], "1", "NOPROFILE kept")
        names = uninstall_entries(p)
        c.eq(len(names), 1, "one olsync in Programs and Features after the upgrade: %r" % names)
        instdir = "C:\\Program Files\\olsync"
        for arch, view in (("x64", 64), ("x86", 32)):
            dll = instdir + "\\%s\\OutlookSync.dll" % arch
            c.eq(pe_machine(p.host(dll)), arch, "MSI: %s DLL installed" % arch)
            c.eq(p.reg_value("HKLM\\Software\\Classes\\CLSID\\%s\\InprocServer32" % CLSID, "",
                             view), dll, "MSI: InprocServer32 in the %d-bit view" % view)
            c.eq(p.reg_value("HKLM\\" + ADDINS, "LoadBehavior", view), "0x3",
                 "MSI: LoadBehavior=3 in the %d-bit view" % view)
        r = p.run([p.win(os.environ["OLS_INSTALLED_HOST"]), instdir + "\\x64\\OutlookSync.dll",
                   "machine"])
        print((r.stdout + r.stderr)[-800:], flush=True)
        c.eq(r.returncode, 0, "the MSI-installed DLL loads through the host emulator")

        # the EXE leaves an MSI installation to the MSI
        r = p.run([p.win(os.environ["OLS_SETUP_EXE"]), "--silent", "--allusers"])
        c.eq(r.returncode, 10, "olsync-setup over an MSI installation: exit code 10")

        r = p.run(["msiexec", "/x", p.win(msi), "/qn"])
        c.eq(r.returncode, 0, "msiexec /x")
        c.ok(not os.path.exists(p.host(instdir + "\\x64\\OutlookSync.dll")), "MSI removed the DLL")
        for view in (64, 32):
            c.ok(p.reg_query("HKLM\\" + ADDINS, view) is None,
                 "MSI removed the Addins key (%d-bit view)" % view)
            c.ok(p.reg_query("HKLM\\Software\\Classes\\CLSID\\" + CLSID, view) is None,
                 "MSI removed the CLSID (%d-bit view)" % view)
        c.eq(uninstall_entries(p), [], "MSI removed its Programs and Features entry")
        if c.failed:
            print(read_text(log)[-3000:], file=sys.stderr)
    finally:
        p.close()
        if not c.failed:
            shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
