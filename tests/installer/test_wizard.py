#!/usr/bin/env python3
"""The wizard, page by page, under Wine and an X display (ctest runs inside xvfb-run):
wizard_driver.exe walks every page of olsync-setup.exe as a user would, in English or
German, with the account test against a fake IMAP greeting; the installation it made is
checked; then the uninstaller's pages are walked the same way, keeping the user's data.

    test_wizard.py [--lang en|de] [--screenshots DIR]

With --screenshots, the driver's captures become DIR/installer-NN-page.png (German:
installer-de-NN-page.png), which is how docs/screenshots/installer-* are made
(tests/installer/screenshots.sh). Environment: OLS_SETUP_EXE, OLS_WIZARD_DRIVER.
"""
import argparse
import configparser
import glob
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bmp2png  # noqa: E402
from instlib import Checks, FakeImap, Prefix, pe_machine, read_text  # noqa: E402

CLSID = "{E3B00751-636D-4A0E-BD2D-B3D6AE0D0754}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="en", choices=("en", "de"))
    ap.add_argument("--screenshots")
    a = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        print("no X display: run under xvfb-run", file=sys.stderr)
        return 77
    c = Checks("installer_wizard_" + a.lang)
    tmp = tempfile.mkdtemp(prefix="olsync-wizard-")
    shots = os.path.join(tmp, "shots")
    os.makedirs(shots)
    p = Prefix(c)
    imap = FakeImap()
    try:
        # Wine draws the title bar itself (with the fonts it draws it with), so the
        # captures look like Windows windows; as scripts/screenshots.sh does
        p.reg_add(r"HKCU\Software\Wine\X11 Driver", "Decorated", "N")
        fonts = p.host("C:\\windows\\Fonts")
        os.makedirs(fonts, exist_ok=True)
        for f in ("tahoma.ttf", "tahomabd.ttf", "marlett.ttf"):
            for d in ("/usr/share/wine/fonts", "/usr/lib/wine/fonts"):
                if os.path.isfile(os.path.join(d, f)):
                    shutil.copy(os.path.join(d, f), fonts)
                    break
        r = p.run([p.win(os.environ["OLS_WIZARD_DRIVER"]), p.win(os.environ["OLS_SETUP_EXE"]),
                   p.win(shots), str(imap.port), a.lang], timeout=600)
        print(r.stdout + r.stderr, flush=True)
        c.eq(r.returncode, 0, "the wizard driver walked every page")
        c.ok(imap.connections >= 1, "the account page's test reached the server")

        # what the wizard installed: for the current user, with the account and a profile
        key = r"HKCU\Software\olsync\Setup"
        instdir = p.reg_value(key, "InstallDir") or ""
        c.eq(instdir, p.localappdata + "\\Programs\\olsync", "installed for the current user")
        for arch, view in (("x64", 64), ("x86", 32)):
            dll = instdir + "\\%s\\OutlookSync.dll" % arch
            c.eq(pe_machine(p.host(dll)) if instdir else None, arch, "%s add-in installed" % arch)
            key = r"HKCU\Software\Classes\%sCLSID\%s\InprocServer32" % (
                "Wow6432Node\\" if view == 32 else "", CLSID)
            c.eq(p.reg_value(key, ""), dll, "%s add-in registered" % arch)
        try:
            cfg = json.loads(read_text(p.host(p.appdata + "\\olsync\\config.json")))
        except ValueError:
            cfg = {}
        c.eq(cfg.get("account", {}).get("email"), "alice@example.org", "the e-mail address kept")
        c.eq(cfg.get("account", {}).get("imap", {}).get("host"), "127.0.0.1", "the server kept")
        c.eq(cfg.get("ui", {}).get("language"), a.lang, "the installer's language kept")
        prf = configparser.ConfigParser(interpolation=None, strict=False)
        prf.optionxform = str
        prf.read_string(read_text(p.host(p.localappdata + "\\olsync\\olsync.prf")))
        c.eq(prf.get("Account1", "DisplayName", fallback=None), "Alice Example",
             "the profile file has the name from the account page")
        c.eq(prf.get("General", "ProfileName", fallback=None), "olsync", "profile name")

        # the uninstaller's pages: the program goes, the user's data stays
        r = p.run([p.win(os.environ["OLS_WIZARD_DRIVER"]), "--uninstall", instdir, p.win(shots),
                   a.lang], timeout=600)
        print(r.stdout + r.stderr, flush=True)
        c.eq(r.returncode, 0, "the wizard driver walked the uninstaller's pages")
        left = os.listdir(p.host(instdir)) if instdir and os.path.isdir(p.host(instdir)) else []
        c.eq(left, ["uninstall.exe"], "only the uninstaller run in place is left")
        c.ok(p.reg_query(key) is None, "the uninstaller removed its setup key")
        c.ok(p.reg_query(r"HKCU\Software\Microsoft\Office\Outlook\Addins\olsync.OutlookAddin")
             is None, "the uninstaller removed the Addins key")
        c.ok(os.path.isfile(p.host(p.appdata + "\\olsync\\config.json")),
             "the uninstaller kept the user's settings")

        if a.screenshots:
            os.makedirs(a.screenshots, exist_ok=True)
            prefix = "installer-" if a.lang == "en" else "installer-de-"
            for bmp in sorted(glob.glob(os.path.join(shots, "*.bmp"))):
                name = prefix + os.path.basename(bmp)[:-4] + ".png"
                w, h, rows = bmp2png.read_bmp(bmp)
                bmp2png.write_png(os.path.join(a.screenshots, name), w, h, rows)
                print("screenshot %s (%dx%d)" % (name, w, h))
        c.eq(len(glob.glob(os.path.join(shots, "*.bmp"))), 12, "a capture of every page")
    finally:
        imap.close()
        p.close()
        if not c.failed:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("captures kept in %s" % shots, file=sys.stderr)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
