#!/usr/bin/env python3
"""`olsync sync` against a real Dovecot (tests/fixture): initial sync byte for byte, changes
on either side, a no-change resync, TLS refusals, the mass-deletion guard, and a crash at
every journal step. Standard library only.

Native:     OLS_OLSYNC=build/native/src/cli/olsync python3 tests/integration/test_sync.py
Under Wine: OLS_WINE=1 OLS_OLSYNC=build/windows/src/cli/olsync.exe python3 ...
"""

import email
import hashlib
import imaplib
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixture"))
from dovecot_fixture import DovecotFixture, imap_utf7_decode, imap_utf7_encode  # noqa: E402

OLSYNC = os.environ.get("OLS_OLSYNC") or os.path.join(ROOT, "build", "native", "src", "cli",
                                                      "olsync")
WINE = os.environ.get("OLS_WINE") == "1"
INFO_SEP = ";" if WINE else ":"
FLAG_LETTERS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S",
                "\\Deleted": "T"}
EXCLUDED = {"Drafts", "Outbox"}


def body_key(data):
    """Messages are compared by content, line endings aside."""
    return hashlib.sha1(data.replace(b"\r\n", b"\n")).hexdigest()


class Account:
    """A config file, XDG folders and a Maildir for one user of the fixture."""

    def __init__(self, fx, user, security="starttls", ca=None, host=None, port=None):
        self.fx = fx
        self.user = user
        self.dir = tempfile.mkdtemp(prefix="olsync-sync-")
        self.maildir = os.path.join(self.dir, "Mail")
        self.config = os.path.join(self.dir, "config.json")
        if port is None:
            port = fx.imap_port if security == "starttls" else fx.imaps_port
        cfg = {"account": {"user": user, "password": fx.users[user],
                           "imap": {"host": host or fx.host, "port": port,
                                    "security": security}},
               "tls": {"ca_file": fx.ca_file if ca is None else ca},
               "store": {"path": self.maildir},
               "log": {"level": "debug", "data_trace": True}}
        with open(self.config, "w") as f:
            json.dump(cfg, f)
        self.env = dict(os.environ)
        self.env.update({"XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
                         "XDG_STATE_HOME": os.path.join(self.dir, "state"),
                         "XDG_DATA_HOME": os.path.join(self.dir, "data"),
                         "WINEDEBUG": "-all"})

    def olsync(self, *args, expect=None, extra_env=None, timeout=600):
        cmd = ([("wine")] if WINE else []) + [OLSYNC] + list(args) + ["--config", self.config]
        env = dict(self.env)
        if extra_env:
            env.update(extra_env)
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        p.out = p.stdout.decode("utf-8", "replace").replace("\r", "")
        p.err = p.stderr.decode("utf-8", "replace").replace("\r", "")
        if expect is not None and p.returncode != expect:
            raise AssertionError("olsync %s exited %d, wanted %d\nstdout: %s\nstderr: %s"
                                 % (" ".join(args), p.returncode, expect, p.out, p.err))
        return p

    def sync(self, *args, expect=0, **kw):
        p = self.olsync("sync", "--json", *args, expect=expect, **kw)
        line = [l for l in p.out.splitlines() if l.startswith("{")]
        p.report = json.loads(line[-1]) if line else None
        return p

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- the two views being compared ----
def server_view(fx, user):
    """{folder path: {content key: flags letters}} over IMAP, Drafts left out."""
    c = fx.imap(user)
    view = {}
    typ, lines = c.list('""', "*")
    for line in lines:
        m = re.match(rb'\((.*?)\) (?:"(.)"|NIL) (.*)$', line)
        attrs, delim, name = m.group(1), m.group(2), m.group(3)
        if b"\\Noselect" in attrs or b"\\NonExistent" in attrs:
            continue
        name = name.decode()
        if name.startswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        path = imap_utf7_decode(name)
        if delim and delim.decode() != "/":
            path = path.replace(delim.decode(), "/")
        if path in EXCLUDED or b"\\Drafts" in attrs:
            continue
        typ, _ = c.select('"%s"' % name.replace("\\", "\\\\").replace('"', '\\"'), readonly=True)
        msgs = {}
        typ, data = c.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = re.search(rb"FLAGS \((.*?)\)", item[0]).group(1).decode().split()
            letters = "".join(sorted(FLAG_LETTERS[f] for f in flags if f in FLAG_LETTERS))
            k = body_key(item[1])
            msgs.setdefault(k, []).append(letters)
        view[path] = msgs
    c.logout()
    return view


def decode_dir(name):
    parts = name[1:].split(".")
    out = []
    for p in parts:
        p = re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), p)
        out.append(imap_utf7_decode(p))
    return "/".join(out)


def local_view(maildir):
    view = {}
    dirs = [("INBOX", maildir)]
    for n in sorted(os.listdir(maildir)):
        if n.startswith(".") and os.path.isdir(os.path.join(maildir, n, "cur")):
            dirs.append((decode_dir(n), os.path.join(maildir, n)))
    for path, d in dirs:
        if path in EXCLUDED:
            continue
        msgs = {}
        for sub in ("new", "cur"):
            for fn in os.listdir(os.path.join(d, sub)):
                with open(os.path.join(d, sub, fn), "rb") as f:
                    data = f.read()
                letters = ""
                if sub == "cur" and (INFO_SEP + "2,") in fn:
                    letters = "".join(sorted(fn.split(INFO_SEP + "2,")[1]))
                letters = "".join(ch for ch in letters if ch in "DFRST")
                msgs.setdefault(body_key(data), []).append(letters)
        view[path] = msgs
    return view


def new_message(subject, body="hello\r\n", mid=None):
    mid = mid or "<%s.%s@olsync.test>" % (re.sub(r"\W", "", subject), time.time_ns())
    return ("From: Test <test@example.org>\r\nTo: alice@example.org\r\nSubject: %s\r\n"
            "Message-ID: %s\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\n%s"
            % (subject, mid, body)).encode()


def local_add(maildir, folder_dir, data, flags=""):
    d = os.path.join(maildir, folder_dir) if folder_dir else maildir
    os.makedirs(os.path.join(d, "cur"), exist_ok=True)
    os.makedirs(os.path.join(d, "new"), exist_ok=True)
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    name = "%d.T%dP%d.testhost" % (time.time(), time.time_ns() % 1000000000, os.getpid())
    with open(os.path.join(d, "cur", name + INFO_SEP + "2," + flags), "wb") as f:
        f.write(data)
    return name


def files_in(d):
    out = []
    for sub in ("cur", "new"):
        p = os.path.join(d, sub)
        if os.path.isdir(p):
            out += [os.path.join(p, f) for f in os.listdir(p)]
    return out


def tree_state(maildir):
    """Every file with its size and mtime, to prove a pass wrote nothing."""
    res = {}
    for root, dirs, files in os.walk(maildir):
        for f in files:
            p = os.path.join(root, f)
            st = os.stat(p)
            res[os.path.relpath(p, maildir)] = (st.st_size, st.st_mtime_ns)
    return res


class SyncTestBase(unittest.TestCase):
    user = "alice"

    @classmethod
    def setUpClass(cls):
        cls.fx = DovecotFixture()
        cls.fx.start()

    @classmethod
    def tearDownClass(cls):
        cls.fx.stop()

    def assertConverged(self, acct):
        s = server_view(self.fx, acct.user)
        l = local_view(acct.maildir)
        self.assertEqual(sorted(s), sorted(l), "same folders on both sides")
        for folder in s:
            self.assertEqual(s[folder], l[folder], "folder %s differs" % folder)
        return s


class TestSync(SyncTestBase):
    """One account through a sequence of steps; each test builds on the previous one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acct = Account(cls.fx, "alice")

    @classmethod
    def tearDownClass(cls):
        cls.acct.cleanup()
        super().tearDownClass()

    def test_1_initial_sync_identical(self):
        p = self.acct.sync()
        self.assertGreater(p.report["downloaded"], 20)
        view = self.assertConverged(self.acct)
        self.assertIn("Projekte/\u00dcberblick", view)
        self.assertIn("shared/bob/Shared Project", view)
        self.assertNotIn("Drafts", local_view(self.acct.maildir))
        self.assertTrue(os.path.isdir(os.path.join(self.acct.maildir, ".Projekte.&ANw-berblick")))
        # flags arrived: the seed has seen, flagged and answered mail in INBOX
        inbox = local_view(self.acct.maildir)["INBOX"]
        letters = "".join("".join(v) for v in inbox.values())
        for ch in "SFR":
            self.assertIn(ch, letters)
        # groupware folders carry their kind
        with open(os.path.join(self.acct.maildir, ".Calendar", "olsync-kind")) as f:
            self.assertEqual(f.read().strip(), "event")

    def test_2_no_change_resync(self):
        before = tree_state(self.acct.maildir)
        p = self.acct.sync()
        r = p.report
        self.assertEqual(r["downloaded"], 0)
        self.assertEqual(r["uploaded"], 0)
        self.assertEqual(r["body_fetches"], 0, "no FETCH of bodies")
        self.assertEqual(r["flags_local"] + r["flags_remote"], 0)
        self.assertEqual(tree_state(self.acct.maildir), before, "the store was not touched")
        st = self.acct.olsync("status", "--json", expect=0)
        status = json.loads(st.out)
        self.assertTrue(status["synced"])
        self.assertGreater(status["items"], 20)

    @unittest.skipIf(WINE or not shutil.which("script"), "needs a pseudo-terminal (script)")
    def test_2b_progress_only_on_a_terminal(self):
        c = self.fx.imap("alice")
        c.append("INBOX", None, None, new_message("progress"))
        c.logout()
        quiet = self.acct.olsync("sync", expect=0)
        self.assertNotIn("down ", quiet.err, "no progress line when not on a terminal")
        cmd = "%s sync --config %s" % (OLSYNC, self.acct.config)
        c = self.fx.imap("alice")
        c.append("INBOX", None, None, new_message("progress 2"))
        c.logout()
        p = subprocess.run(["script", "-qec", cmd, "/dev/null"], env=self.acct.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("down 1/1", out, "progress with messages on a terminal")
        self.assertRegex(out, r"\d+(\.\d)? (B|kB|MB)/s", "and a rate")

    def test_3_server_changes(self):
        c = self.fx.imap("alice")
        c.select("INBOX")
        typ, data = c.uid("SEARCH", None, "ALL")
        uids = data[0].split()
        c.uid("STORE", uids[0], "+FLAGS", "(\\Flagged \\Seen)")
        c.uid("STORE", uids[1], "-FLAGS", "(\\Seen)")
        c.uid("STORE", uids[2], "+FLAGS", "(\\Deleted)")
        c.expunge()
        c.uid("MOVE", uids[3], "Archive")
        c.append("INBOX", "(\\Seen)", None, new_message("server side new"))
        c.rename("Projekte/Alpha", "Projekte/Beta")
        c.create(imap_utf7_encode("Reisen/Z\u00fcrich"))
        c.append(imap_utf7_encode("Reisen/Z\u00fcrich"), None, None, new_message("Gruezi"))
        c.logout()
        p = self.acct.sync()
        self.assertGreaterEqual(p.report["downloaded"], 2)
        self.assertGreaterEqual(p.report["deleted_local"], 1)
        view = self.assertConverged(self.acct)
        self.assertIn("Projekte/Beta", view)
        self.assertNotIn("Projekte/Alpha", view)
        self.assertIn("Reisen/Z\u00fcrich", view)

    def test_4_local_changes(self):
        md = self.acct.maildir
        inbox = sorted(files_in(md))
        # flag change by renaming, a deletion, a new message, a move, a new folder
        f0 = [f for f in inbox if f.endswith(INFO_SEP + "2,") or "/new/" in f]
        target = f0[0] if f0 else inbox[0]
        base = os.path.basename(target).split(INFO_SEP)[0]
        os.rename(target, os.path.join(md, "cur", base + INFO_SEP + "2,FS"))
        os.unlink(inbox[-1])
        local_add(md, None, new_message("written locally"), "S")
        moved = [f for f in inbox if f not in (target, inbox[-1])][0]
        shutil.move(moved, os.path.join(md, ".Archive", "cur", os.path.basename(moved)))
        local_add(md, ".Lokal", new_message("in a new local folder"))
        p = self.acct.sync()
        self.assertEqual(p.report["uploaded"], 2, "the new message and the new folder's one")
        self.assertEqual(p.report["moved"], 1, "a local move is a server move, not a copy")
        self.assertGreaterEqual(p.report["folders_created_remote"], 1)
        view = self.assertConverged(self.acct)
        self.assertIn("Lokal", view)
        # a second pass has nothing left to do
        p = self.acct.sync()
        self.assertEqual(p.report["uploaded"] + p.report["downloaded"], 0)
        self.assertConverged(self.acct)

    def test_5_local_folder_rename(self):
        md = self.acct.maildir
        os.rename(os.path.join(md, ".Lokal"), os.path.join(md, ".Lokal2"))
        p = self.acct.sync()
        self.assertEqual(p.report["folders_renamed"], 1)
        self.assertEqual(p.report["uploaded"], 0, "a rename uploads nothing")
        view = self.assertConverged(self.acct)
        self.assertIn("Lokal2", view)
        self.assertNotIn("Lokal", view)

    def test_6_guard_trips_then_force(self):
        c = self.fx.imap("alice")
        c.select("INBOX")
        typ, data = c.uid("SEARCH", None, "ALL")
        uids = data[0].split()
        self.assertGreater(len(uids), 14)
        doomed = b",".join(uids[:14])
        c.uid("STORE", doomed, "+FLAGS", "(\\Deleted)")
        c.expunge()
        c.logout()
        before = local_view(self.acct.maildir)["INBOX"]
        p = self.acct.sync(expect=3)
        self.assertEqual(p.report["guard_tripped"], 1)
        self.assertIn("INBOX", p.err)
        self.assertEqual(local_view(self.acct.maildir)["INBOX"], before, "nothing deleted")
        p = self.acct.sync("--force")
        self.assertGreaterEqual(p.report["deleted_local"], 14)
        self.assertConverged(self.acct)


class TestIgnoreList(SyncTestBase):
    """An item that fails three times is skipped, listed, and tried again after a reset."""

    user = "bob"

    def test_ignored_after_three_failures(self):
        acct = Account(self.fx, "bob")
        try:
            acct.sync()
            # a "message" that cannot be read: a folder where a file should be
            bad = os.path.join(acct.maildir, "cur", "1700000000.broken.host" + INFO_SEP + "2,S")
            os.makedirs(bad)
            local_add(acct.maildir, None, new_message("a good one"), "S")
            p = acct.sync()
            self.assertEqual(p.report["failed"], 1)
            self.assertEqual(p.report["uploaded"], 1, "the rest of the sync goes on")
            acct.sync()
            p = acct.sync()
            self.assertEqual(p.report["ignored"], 1, "third failure puts it on the list")
            listed = json.loads(acct.olsync("ignored", "--json", expect=0).out)
            self.assertEqual(len(listed), 1)
            self.assertEqual(listed[0]["folder"], "INBOX")
            self.assertIn("broken", listed[0]["item"])
            p = acct.sync()
            self.assertEqual(p.report["failed"], 0, "an ignored item is not tried again")
            out = acct.olsync("ignored", "--reset", expect=0).out
            self.assertIn("1 entries cleared", out)
            p = acct.sync()
            self.assertEqual(p.report["failed"], 1, "after a reset it is tried again")
        finally:
            acct.cleanup()


class TestTLS(SyncTestBase):
    def login_count(self):
        with open(self.fx.log_file, errors="replace") as f:
            return len(re.findall(r"Login: user=<alice>", f.read()))

    def test_bad_ca_refused_before_login(self):
        logins = self.login_count()
        a = Account(self.fx, "alice", security="tls", ca=self.fx.bad_ca_file)
        try:
            p = a.sync(expect=4)
            self.assertIn("sha256/", p.out + p.err)
            self.assertFalse(os.path.exists(os.path.join(a.maildir, "cur")) and
                             files_in(a.maildir), "nothing stored")
        finally:
            a.cleanup()
        self.assertEqual(self.login_count(), logins, "no login reached the server")

    def test_starttls_stripped_refused(self):
        """A man in the middle removes STARTTLS from the capabilities: no credential leaves."""
        seen = bytearray()
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(4)
        port = lsock.getsockname()[1]
        stop = threading.Event()

        def proxy():
            lsock.settimeout(30)
            try:
                cli, _ = lsock.accept()
            except OSError:
                return
            srv = socket.create_connection((self.fx.host, self.fx.imap_port))
            while not stop.is_set():
                r, _, _ = select.select([cli, srv], [], [], 0.5)
                if cli in r:
                    d = cli.recv(65536)
                    if not d:
                        break
                    seen.extend(d)
                    srv.sendall(d)
                if srv in r:
                    d = srv.recv(65536)
                    if not d:
                        break
                    cli.sendall(d.replace(b" STARTTLS", b"").replace(b" LOGINDISABLED", b""))
            cli.close()
            srv.close()

        t = threading.Thread(target=proxy, daemon=True)
        t.start()
        a = Account(self.fx, "alice", security="starttls", host="127.0.0.1", port=port)
        try:
            p = a.olsync("sync")
        finally:
            stop.set()
            a.cleanup()
            lsock.close()
        t.join(10)
        self.assertNotEqual(p.returncode, 0, "a stripped STARTTLS must fail the connection")
        self.assertIn("STARTTLS", p.err)
        self.assertNotIn(b"LOGIN", bytes(seen).upper())
        self.assertNotIn(b"AUTHENTICATE", bytes(seen).upper())
        self.assertNotIn(self.fx.users["alice"].encode(), bytes(seen))


class TestCrashAtEveryStep(SyncTestBase):
    """kill -9 at each step of a pass in turn, then a normal pass: nothing lost, nothing twice."""

    user = "bob"

    def make_changes(self, acct, round_no):
        c = self.fx.imap("bob")
        c.select("INBOX")
        for i in range(2):
            c.append("INBOX", None, None, new_message("srv r%d n%d" % (round_no, i)))
        typ, data = c.uid("SEARCH", None, "ALL")
        uids = data[0].split()
        c.uid("STORE", uids[0], "+FLAGS", "(\\Flagged)")
        c.uid("STORE", uids[0], "-FLAGS", "(\\Seen)")
        c.uid("STORE", uids[1], "+FLAGS", "(\\Deleted)")
        c.expunge()
        c.logout()
        for i in range(2):
            local_add(acct.maildir, None, new_message("loc r%d n%d" % (round_no, i)), "S")
        files = sorted(files_in(acct.maildir))
        os.unlink(files[len(files) // 2])

    def assertNoDuplicates(self, view, why=""):
        for folder, msgs in view.items():
            for k, v in msgs.items():
                self.assertEqual(len(v), 1, "duplicate message in %s %s" % (folder, why))

    def test_kill_at_every_step(self):
        acct = Account(self.fx, "bob")
        try:
            # a small mailbox keeps the number of steps small
            c = self.fx.imap("bob")
            typ, lines = c.list('""', "*")
            c.select("INBOX")
            c.uid("STORE", "1:*", "+FLAGS", "(\\Deleted)")
            c.expunge()
            c.logout()
            acct.sync("--folder", "INBOX", "--force")
            step, completed, crashes = 1, False, 0
            while not completed and step < 200:
                self.make_changes(acct, step)
                p = acct.olsync("sync", "--folder", "INBOX",
                                extra_env={"OLSYNC_CRASH_AT": str(step)})
                if p.returncode == 137:
                    crashes += 1
                    self.assertIn("crash test", p.err)
                else:
                    self.assertEqual(p.returncode, 0, p.err)
                    completed = True
                acct.sync("--folder", "INBOX")
                s = server_view(self.fx, "bob")["INBOX"]
                l = local_view(acct.maildir)["INBOX"]
                self.assertEqual(s, l, "converged after a crash at step %d" % step)
                self.assertNoDuplicates({"INBOX": s}, "after a crash at step %d (%s)"
                                        % (step, p.err.strip().splitlines()[-1:] if p.err else ""))
                step += 1
            self.assertTrue(completed)
            self.assertGreater(crashes, 5, "the steps were exercised")
            print("crash points exercised: %d" % crashes, file=sys.stderr)
        finally:
            acct.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
