#!/usr/bin/env python3
"""olsync-setup.exe, scripted, under Wine in a throwaway prefix.

    test_installer.py silent    all users, upgrade, current user, uninstall, command line
    test_installer.py outlook   Outlook's bitness, the new profile, Outlook running

Environment (set by ctest): OLS_SETUP_EXE, OLS_SETUP_NSI, OLS_INSTALLER_STAGE,
OLS_MAKENSIS, OLS_INSTALLED_HOST, OLS_FAKE_OUTLOOK, OLS_VERSION.
"""
import configparser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from instlib import Checks, FakeImap, Prefix, pe_machine, read_text  # noqa: E402

CLSID = "{E3B00751-636D-4A0E-BD2D-B3D6AE0D0754}"
PROGID = "olsync.OutlookAddin"
ADDINS = r"Software\Microsoft\Office\Outlook\Addins\olsync.OutlookAddin"
UNINST = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\olsync"
SETUP = r"Software\olsync\Setup"
HIVES = {"allusers": "HKLM", "currentuser": "HKCU"}

SETUP_EXE = os.environ.get("OLS_SETUP_EXE", "")
VERSION = os.environ.get("OLS_VERSION", "")


class Run:
    def __init__(self, checks):
        self.c = checks
        self.p = Prefix(checks)
        self.tmp = tempfile.mkdtemp(prefix="olsync-inst-")
        self.logs = 0

    def setup(self, *args, exe=None, env=None):
        """Runs the installer with a fresh --log; returns (exit code, log text)."""
        self.logs += 1
        log = os.path.join(self.tmp, "setup-%d.log" % self.logs)
        r = self.p.run([self.p.win(exe or SETUP_EXE)] + list(args) + ["--log", self.p.win(log)],
                       env=env)
        text = read_text(log)
        print("--- olsync-setup %s -> %d\n%s" % (" ".join(args), r.returncode, text.rstrip()),
              flush=True)
        return r.returncode, text

    def close(self):
        self.p.close()
        if not self.c.failed:
            shutil.rmtree(self.tmp, ignore_errors=True)


def clsid_key(hive, view):
    """Where the class of a view lives: HKLM has a 32-bit view of Software; in HKCU
    64-bit Windows moves only Software\\Classes\\CLSID of the 32-bit view, to
    Software\\Classes\\Wow6432Node\\CLSID (Wine does not, so the name is used)."""
    if hive == "HKCU" and view == 32:
        return "HKCU\\Software\\Classes\\Wow6432Node\\CLSID\\" + CLSID, 64
    return hive + "\\Software\\Classes\\CLSID\\" + CLSID, view


def shared_view(hive, view):
    """HKCU's Software\\Classes (but CLSID) and Software\\Microsoft are one for both
    views on Windows: read them in the 64-bit view."""
    return 64 if hive == "HKCU" else view


def installed_dir(run, scope):
    return run.p.reg_value(HIVES[scope] + "\\" + SETUP, "InstallDir")


def check_registration(run, scope, dll_win, view, what):
    c, p = run.c, run.p
    hive = HIVES[scope]
    addins = p.reg_query(hive + "\\" + ADDINS, shared_view(hive, view))
    c.ok(addins is not None, "%s: %s\\Addins key in the %d-bit view" % (what, hive, view))
    if addins:
        c.eq(addins.get("LoadBehavior"), ("REG_DWORD", "0x3"), what + ": LoadBehavior")
        c.ok(addins.get("FriendlyName", ("", ""))[1] != "", what + ": FriendlyName")
        c.ok(addins.get("Description", ("", ""))[1] != "", what + ": Description")
    key, kview = clsid_key(hive, view)
    inproc = p.reg_query(key + "\\InprocServer32", kview)
    c.ok(inproc is not None, "%s: InprocServer32 in the %d-bit view" % (what, view))
    if inproc:
        c.eq(inproc.get(""), ("REG_SZ", dll_win), what + ": InprocServer32 path")
        c.eq(inproc.get("ThreadingModel"), ("REG_SZ", "Apartment"), what + ": ThreadingModel")
        host = p.host(dll_win)
        c.ok(os.path.isfile(host), "%s: %s exists" % (what, dll_win))
        c.eq(pe_machine(host), "x64" if view == 64 else "x86", what + ": the DLL's bitness")
    c.eq(p.reg_value(hive + "\\Software\\Classes\\" + PROGID + "\\CLSID", "",
                     shared_view(hive, view)), CLSID, what + ": ProgID -> CLSID")
    c.eq(p.reg_value(key + "\\ProgID", "", kview), PROGID, what + ": CLSID -> ProgID")


def check_nothing_registered(run, hive, view, what):
    c, p = run.c, run.p
    c.ok(p.reg_query(hive + "\\" + ADDINS, shared_view(hive, view)) is None,
         "%s: no Addins key in %s, %d-bit view" % (what, hive, view))
    key, kview = clsid_key(hive, view)
    c.ok(p.reg_query(key, kview) is None,
         "%s: no CLSID key in %s, %d-bit view" % (what, hive, view))
    c.ok(p.reg_query(hive + "\\Software\\Classes\\" + PROGID, shared_view(hive, view)) is None,
         "%s: no ProgID key in %s, %d-bit view" % (what, hive, view))


def check_uninstall_entry(run, scope, instdir, what):
    c, p = run.c, run.p
    e = p.reg_query(HIVES[scope] + "\\" + UNINST)
    c.ok(e is not None, what + ": Programs and Features entry")
    if not e:
        return
    c.eq(e.get("DisplayName", ("", ""))[1], "olsync", what + ": DisplayName")
    c.eq(e.get("DisplayVersion", ("", ""))[1], VERSION, what + ": DisplayVersion")
    c.ok(e.get("Publisher", ("", ""))[1] != "", what + ": Publisher")
    icon = e.get("DisplayIcon", ("", ""))[1]
    c.ok(icon != "" and os.path.isfile(p.host(icon)), what + ": DisplayIcon %r exists" % icon)
    uninst = '"%s\\uninstall.exe" --%s' % (instdir, scope)
    c.eq(e.get("UninstallString", ("", ""))[1], uninst, what + ": UninstallString")
    c.eq(e.get("QuietUninstallString", ("", ""))[1], uninst + " --silent",
         what + ": QuietUninstallString")
    size = e.get("EstimatedSize", ("", "0x0"))
    c.ok(size[0] == "REG_DWORD" and int(size[1], 16) > 1000,
         what + ": EstimatedSize %r (KB)" % (size,))
    c.ok(os.path.isfile(p.host(instdir + "\\uninstall.exe")), what + ": uninstall.exe")


def check_files(run, instdir, x64, x86, what):
    c, p = run.c, run.p
    for name in ("olsync.exe", "LICENSE.txt", "olsync.ico", "uninstall.exe"):
        c.ok(os.path.isfile(p.host(instdir + "\\" + name)), "%s: %s" % (what, name))
    for arch, want in (("x64", x64), ("x86", x86)):
        f = p.host(instdir + "\\%s\\OutlookSync.dll" % arch)
        c.eq(os.path.isfile(f), want, "%s: %s\\OutlookSync.dll installed" % (what, arch))
        if want:
            c.eq(pe_machine(f), arch, "%s: %s DLL bitness" % (what, arch))


def check_gone(run, scope, instdir, what):
    c, p = run.c, run.p
    hive = HIVES[scope]
    c.ok(not os.path.exists(p.host(instdir)), "%s: %s removed" % (what, instdir))
    for view in (64, 32):
        check_nothing_registered(run, hive, view, what)
    c.ok(p.reg_query(hive + "\\" + UNINST) is None, what + ": Programs and Features entry gone")
    c.ok(p.reg_query(hive + "\\" + SETUP) is None, what + ": setup key gone")


def installed_host(run, dll_win, scope):
    r = run.p.run([run.p.win(os.environ["OLS_INSTALLED_HOST"]), dll_win, scope], timeout=300)
    tail = (r.stdout + r.stderr).strip().splitlines()[-12:]
    print("--- installed_host %s %s -> %d\n%s" % (dll_win, scope, r.returncode, "\n".join(tail)),
          flush=True)
    run.c.eq(r.returncode, 0, "the installed DLL loads through the host emulator (%s)" % scope)


def build_old_installer(run, version):
    """The same installer as an older version, for the upgrade."""
    out = os.path.join(run.tmp, "olsync-setup-%s.exe" % version)
    r = subprocess.run([os.environ["OLS_MAKENSIS"], "-V1", "-INPUTCHARSET", "UTF8",
                        "-XSetCompressor /FINAL zlib", "-DVERSION=" + version,
                        "-DSTAGE=" + os.environ["OLS_INSTALLER_STAGE"], "-DOUTFILE=" + out,
                        os.environ["OLS_SETUP_NSI"]], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    run.c.eq(r.returncode, 0, "makensis for version %s: %s" % (version, r.stdout[-500:]))
    return out


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def wait_gone(path, seconds=60):
    end = time.monotonic() + seconds
    while os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.2)
    return not os.path.exists(path)


# ---------------------------------------------------------------------------------------

def scenario_silent(run):
    c, p = run.c, run.p
    user_cfg = p.host(p.appdata + "\\olsync\\config.json")
    user_state = p.host(p.localappdata + "\\olsync\\state\\olsync.db")

    # -- all users: an older version first, then the upgrade over it
    old = build_old_installer(run, "0.0.9")
    rc, log = run.setup("--silent", "--allusers", exe=old)
    c.eq(rc, 0, "silent all-users install of 0.0.9")
    instdir = installed_dir(run, "allusers")
    c.eq(instdir, "C:\\Program Files\\olsync", "all users install into Program Files")
    c.eq(p.reg_value("HKLM\\" + SETUP, "Version"), "0.0.9", "0.0.9 recorded")
    settings = ('{"account": {"email": "keep@example.org", "imap": {"host": "imap.example.org"}},'
                ' "ui": {"language": "de"}, "pop3": {"port": 5999}}\n')
    write(user_cfg, settings)
    write(user_state, "the sync state stands in here\n")

    rc, log = run.setup("--silent", "--allusers")
    c.eq(rc, 0, "silent all-users upgrade")
    c.ok("upgrading olsync 0.0.9 to %s in place" % VERSION in log, "the log says upgrade")
    c.ok("no Outlook found" in log, "the log says no Outlook was found")
    c.eq(p.reg_value("HKLM\\" + SETUP, "Version"), VERSION, "new version recorded")
    c.eq(read_text(user_cfg), settings, "the upgrade kept the settings file as it was")
    c.ok(os.path.isfile(user_state), "the upgrade kept the sync state")
    instdir = installed_dir(run, "allusers") or "C:\\Program Files\\olsync"
    check_files(run, instdir, True, True, "all users")
    # no Outlook: both add-ins, each in the view of its bitness
    check_registration(run, "allusers", instdir + "\\x64\\OutlookSync.dll", 64, "all users x64")
    check_registration(run, "allusers", instdir + "\\x86\\OutlookSync.dll", 32, "all users x86")
    for view in (64, 32):
        check_nothing_registered(run, "HKCU", view, "all users")
    check_uninstall_entry(run, "allusers", instdir, "all users")
    installed_host(run, instdir + "\\x64\\OutlookSync.dll", "machine")

    # -- uninstall, scripted: program and registry go, the user's data stays
    rc, log = run.setup("--uninstall", "--silent")
    c.eq(rc, 0, "silent uninstall (all users)")
    c.ok("kept your settings" in log, "the log says the settings stay")
    check_gone(run, "allusers", instdir, "all users uninstalled")
    c.eq(read_text(user_cfg), settings, "uninstall kept the settings file")
    c.ok(os.path.isfile(user_state), "uninstall kept the sync state")
    rc, log = run.setup("--uninstall", "--silent")
    c.eq(rc, 7, "--uninstall with nothing installed: exit code 7")

    # -- the current user, with an account given by hand and a connection test
    imap = FakeImap()
    try:
        rc, log = run.setup("--silent", "--currentuser", "--email=alice@example.org",
                            "--server=127.0.0.1:%d" % imap.port, "--security=starttls")
    finally:
        imap.close()
    c.eq(rc, 0, "silent current-user install")
    instdir = installed_dir(run, "currentuser")
    c.eq(instdir, p.localappdata + "\\Programs\\olsync", "current user installs into LOCALAPPDATA")
    instdir = instdir or p.localappdata + "\\Programs\\olsync"
    check_files(run, instdir, True, True, "current user")
    check_registration(run, "currentuser", instdir + "\\x64\\OutlookSync.dll", 64,
                       "current user x64")
    check_registration(run, "currentuser", instdir + "\\x86\\OutlookSync.dll", 32,
                       "current user x86")
    for view in (64, 32):
        check_nothing_registered(run, "HKLM", view, "current user")
    c.ok(p.reg_query("HKLM\\" + UNINST) is None, "current user: nothing in HKLM's uninstall list")
    check_uninstall_entry(run, "currentuser", instdir, "current user")
    c.ok("connection test 127.0.0.1:%d starttls: imap" % imap.port in log,
         "the connection test met the IMAP greeting")
    c.ok(imap.connections >= 1, "the test server saw the connection")
    try:
        cfg = json.loads(read_text(user_cfg))
    except ValueError:
        cfg = {}
    acc = cfg.get("account", {})
    c.eq(acc.get("email"), "alice@example.org", "account.email written")
    c.eq(acc.get("imap", {}).get("host"), "127.0.0.1", "account.imap.host written")
    c.eq(str(acc.get("imap", {}).get("port")), str(imap.port), "account.imap.port written")
    c.eq(str(acc.get("discover")).lower(), "false", "account.discover off with a server given")
    c.eq(cfg.get("ui", {}).get("language"), "de", "the other settings stay (merged, not replaced)")
    installed_host(run, instdir + "\\x64\\OutlookSync.dll", "user")

    # -- the quiet uninstall string, as Programs and Features runs it
    quiet = p.reg_value("HKCU\\" + UNINST, "QuietUninstallString") or ""
    exe = quiet.split('"')[1] if quiet.count('"') >= 2 else ""
    c.ok(exe.endswith("uninstall.exe"), "QuietUninstallString names uninstall.exe: %r" % quiet)
    if exe:
        args = quiet.split('"')[2].split()
        r = p.run([exe] + args)
        c.eq(r.returncode, 0, "QuietUninstallString runs")
        # the uninstaller runs on from a copy of itself in TEMP: wait for its work
        c.ok(wait_gone(p.host(instdir)), "QuietUninstallString removed %s" % instdir)
        end = time.monotonic() + 60
        while p.reg_query("HKCU\\" + SETUP) is not None and time.monotonic() < end:
            time.sleep(0.5)
    check_gone(run, "currentuser", instdir, "current user uninstalled")
    c.ok(os.path.isfile(user_cfg), "the settings file stays without --purge")

    # -- --purge takes the user's data too
    rc, log = run.setup("--silent", "--currentuser")
    c.eq(rc, 0, "reinstall for the purge")
    rc, log = run.setup("--uninstall", "--silent", "--purge")
    c.eq(rc, 0, "uninstall --purge")
    c.ok(not os.path.exists(p.host(p.appdata + "\\olsync")), "--purge removed the settings")
    c.ok(not os.path.exists(p.host(p.localappdata + "\\olsync")), "--purge removed the state")

    # -- the command line
    rc, log = run.setup("--silent", "--bogus")
    c.eq(rc, 2, "an unknown option: exit code 2")
    c.ok("unknown option --bogus" in log, "the log names the unknown option")
    rc, log = run.setup("--silent", "--profile=sometimes")
    c.eq(rc, 2, "a bad --profile value: exit code 2")
    rc, log = run.setup("--silent", "--email=not-an-address")
    c.eq(rc, 2, "a bad --email: exit code 2")
    rc, log = run.setup("--silent", "--dir=relative\\folder")
    c.eq(rc, 2, "a relative --dir: exit code 2")
    c.ok("--dir needs a full path" in log, "the log says why")
    rc, log = run.setup("--silent", "--help")
    c.eq(rc, 0, "--help: exit code 0")
    c.ok("--allusers | --currentuser" in log and "Exit codes" in log, "--help writes the usage")
    rc, log = run.setup("--silent", "--currentuser", "--dir=C:\\olsync test")
    c.eq(rc, 0, "--dir with a space")
    c.ok(os.path.isfile(p.host("C:\\olsync test\\x64\\OutlookSync.dll")), "--dir was used")
    c.eq(installed_dir(run, "currentuser"), "C:\\olsync test", "--dir recorded")
    rc, log = run.setup("--uninstall", "--silent")
    c.eq(rc, 0, "uninstall from --dir")
    c.ok(not os.path.exists(p.host("C:\\olsync test")), "--dir folder removed")
    r = p.run([p.win(SETUP_EXE), "/S", "/D=C:\\nsis style"])
    c.eq(r.returncode, 0, "NSIS's own /S /D=")
    c.ok(os.path.isfile(p.host("C:\\nsis style\\olsync.exe")), "/D= was used")
    rc, log = run.setup("--uninstall", "--silent")
    c.eq(rc, 0, "uninstall after /S /D=")

    # -- Windows too old: the installer refuses with its message
    p.run(["winecfg", "/v", "winxp64"])
    rc, log = run.setup("--silent", "--currentuser")
    c.eq(rc, 3, "Windows XP: exit code 3")
    c.ok("needs Windows 7 with Service Pack 1" in log, "the log says which Windows is needed")
    p.run(["winecfg", "/v", "win7"])


def scenario_outlook(run):
    c, p = run.c, run.p
    fake = os.environ["OLS_FAKE_OUTLOOK"]
    outlook_dir = p.host("C:\\Office\\root\\Office16")
    os.makedirs(outlook_dir, exist_ok=True)
    shutil.copy(fake, os.path.join(outlook_dir, "OUTLOOK.EXE"))
    outlook = "C:\\Office\\root\\Office16\\OUTLOOK.EXE"
    calls = os.path.join(run.tmp, "outlook-calls.txt")
    env = {"OLS_FAKE_OUTLOOK_LOG": p.win(calls)}
    app_paths = r"HKLM\Software\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE"

    # -- a 32-bit Click-to-Run Outlook: the 32-bit add-in only, in the 32-bit view
    p.reg_add(app_paths, "", outlook, view=32)
    p.reg_add(r"HKLM\Software\Microsoft\Office\ClickToRun\Configuration", "Platform", "x86")
    user_cfg = p.host(p.appdata + "\\olsync\\config.json")
    write(user_cfg, '{"pop3": {"port": 5999}}\n')
    rc, log = run.setup("--silent", "--currentuser", "--profile=new",
                        "--email=bob@example.org", "--name=Bob Example", env=env)
    c.eq(rc, 0, "install with a 32-bit Outlook and a new profile")
    c.ok("Outlook: Click-to-Run, 32-bit" in log, "the log names the Outlook found")
    instdir = installed_dir(run, "currentuser") or p.localappdata + "\\Programs\\olsync"
    check_files(run, instdir, False, True, "32-bit Outlook")
    check_registration(run, "currentuser", instdir + "\\x86\\OutlookSync.dll", 32,
                       "32-bit Outlook")
    c.ok(p.reg_query("HKCU\\Software\\Classes\\CLSID\\" + CLSID + "\\InprocServer32", 64)
         is None, "32-bit Outlook: no 64-bit class registration")
    c.eq(p.reg_value("HKCU\\" + SETUP, "Addins"), "x86", "32-bit Outlook: Addins recorded")

    # the profile file, and Outlook started with it
    prf_win = p.reg_value(r"HKCU\Software\olsync\Profile", "PrfPath") or ""
    c.eq(prf_win, p.localappdata + "\\olsync\\olsync.prf", "the profile file's place")
    prf = configparser.ConfigParser(interpolation=None, strict=False)
    prf.optionxform = str
    try:
        prf.read_string(read_text(p.host(prf_win)) if prf_win else "")
    except configparser.Error as e:
        c.ok(False, "the profile file parses: %s" % e)
    get = lambda s, k: prf.get(s, k, fallback=None)  # noqa: E731
    c.eq(get("General", "ProfileName"), "olsync", "prf: profile name")
    c.eq(get("General", "DefaultStore"), "Service1", "prf: the PST is the default store")
    c.eq(get("Service List", "Service1"), "Unicode Personal Folders", "prf: a Unicode PST")
    c.eq(get("Internet Account List", "Account1"), "I_Mail", "prf: one POP3 account")
    c.eq(get("Account1", "POP3Server"), "127.0.0.1", "prf: POP3 on the loopback stub")
    c.eq(get("Account1", "POP3Port"), "5999", "prf: the stub's port from pop3.port")
    c.eq(get("Account1", "POP3UseSSL"), "0", "prf: plain POP3 on loopback")
    c.eq(get("Account1", "EmailAddress"), "bob@example.org", "prf: e-mail address")
    c.eq(get("Account1", "POP3UserName"), "bob@example.org", "prf: POP3 user")
    c.eq(get("Account1", "DisplayName"), "Bob Example", "prf: the user's name")
    pst = get("Service1", "PathToPersonalFolders") or ""
    c.ok(pst.lower().endswith(".pst") and not os.path.exists(p.host(pst)),
         "prf: a new PST that does not exist yet: %r" % pst)
    c.eq(get("I_Mail", "POP3Server"), "PT_UNICODE,0x0100", "prf: the POP3 property map")
    c.eq(get("I_Mail", "POP3Port"), "PT_LONG,0x0104", "prf: the POP3 port property")
    c.eq(get("Unicode Personal Folders", "PathToPersonalFolders"), "PT_STRING8,0x6700",
         "prf: the PST property map")
    c.ok("Password" not in dict(prf.items("Account1")) if prf.has_section("Account1") else False,
         "prf: no password in the file")
    lines = read_text(calls).splitlines()
    c.eq(lines, ["/importprf\t" + prf_win], "Outlook started once with /importprf <file>")

    rc, log = run.setup("--uninstall", "--silent", "--purge")
    c.eq(rc, 0, "uninstall after the profile")
    check_gone(run, "currentuser", instdir, "32-bit Outlook uninstalled")
    c.ok(not os.path.exists(p.host(prf_win)), "--purge removed the profile file")

    # -- a 64-bit Outlook of an MSI-installed Office: the 64-bit add-in only, all users
    p.reg_delete(r"HKLM\Software\Microsoft\Office\ClickToRun")
    p.reg_add(r"HKLM\Software\Microsoft\Office\16.0\Outlook", "Bitness", "x64")
    rc, log = run.setup("--silent", "--allusers", env=env)
    c.eq(rc, 0, "install with a 64-bit Outlook")
    c.ok("Outlook: Office 16.0, 64-bit" in log, "the log names the 64-bit Outlook")
    instdir = installed_dir(run, "allusers") or "C:\\Program Files\\olsync"
    check_files(run, instdir, True, False, "64-bit Outlook")
    check_registration(run, "allusers", instdir + "\\x64\\OutlookSync.dll", 64, "64-bit Outlook")
    check_nothing_registered(run, "HKLM", 32, "64-bit Outlook")
    c.eq(read_text(calls).splitlines(), lines, "no profile asked: Outlook not started")

    # -- Outlook running: the DLL would be in use; a silent install stops with code 9
    c.ok(os.environ.get("DISPLAY"), "an X display for the fake Outlook window (xvfb-run)")
    win = subprocess.Popen(["wine", p.host(outlook), "--window", "60"], env=p.env,
                           stdout=subprocess.PIPE, text=True)
    try:
        first = win.stdout.readline()
        c.ok(first.startswith("window"), "the fake Outlook window is up: %r" % first)
        rc, log = run.setup("--silent", "--allusers")
        c.eq(rc, 9, "Outlook running: exit code 9")
        c.ok("Outlook is running" in log, "the log says Outlook is running")
        rc, log = run.setup("--uninstall", "--silent")
        c.eq(rc, 9, "uninstall with Outlook running: exit code 9")
        c.ok(os.path.isfile(p.host(instdir + "\\x64\\OutlookSync.dll")),
             "the add-in stays while Outlook runs")
    finally:
        win.kill()
        win.wait()
    rc, log = run.setup("--uninstall", "--silent")
    c.eq(rc, 0, "uninstall once Outlook is closed")
    check_gone(run, "allusers", instdir, "64-bit Outlook uninstalled")


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "silent"
    checks = Checks("installer_" + which)
    run = Run(checks)
    try:
        {"silent": scenario_silent, "outlook": scenario_outlook}[which](run)
    finally:
        run.close()
    return checks.done()


if __name__ == "__main__":
    sys.exit(main())
