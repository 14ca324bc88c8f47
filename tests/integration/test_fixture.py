#!/usr/bin/env python3
"""Checks the throwaway Dovecot fixture (tests/fixture/dovecot_fixture.py) with real
clients that verify the generated CA.

Run: python3 tests/integration/test_fixture.py   (or python3 -m unittest ...)
"""

import imaplib
import os
import poplib
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_DIR = os.path.join(os.path.dirname(HERE), "fixture")
FIXTURE_PY = os.path.join(FIXTURE_DIR, "dovecot_fixture.py")
sys.path.insert(0, FIXTURE_DIR)

import dovecot_fixture as dfx  # noqa: E402

HAVE_DOVECOT = dfx._find_tool("dovecot") is not None


def _flatten(dat):
    """imaplib response data -> one bytes blob (literals inlined)."""
    out = []
    for d in dat or []:
        if isinstance(d, tuple):
            out.extend(x for x in d if isinstance(x, bytes))
        elif isinstance(d, bytes):
            out.append(d)
    return b" ".join(out)


def _wait_gone(pids, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(dfx._pid_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return not any(dfx._pid_alive(p) for p in pids)


@unittest.skipUnless(HAVE_DOVECOT, "dovecot is not installed")
class FixtureServerTest(unittest.TestCase):
    """One seeded server for all protocol checks."""

    @classmethod
    def setUpClass(cls):
        t0 = time.monotonic()
        cls.f = dfx.DovecotFixture()
        cls.f.start()
        cls.startup = time.monotonic() - t0
        sys.stderr.write("\n[fixture] start %.2f s, seed %.2f s, host %s, run as %s "
                         "(uid %d)\n" % (cls.f.start_seconds, cls.f.seed_seconds,
                                         cls.f.host, cls.f.user_name, cls.f.uid))

    @classmethod
    def tearDownClass(cls):
        f = cls.f
        pid = f.master_pid
        kids = dfx._descendants(pid) if pid else []
        wd, conf = f.workdir, f.config_file
        f.stop()
        # cleanup is part of the contract: no process, no directory
        assert _wait_gone([pid] + kids), "dovecot processes survived stop()"
        assert not dfx.processes_using_config(conf), "a dovecot with our config remains"
        assert not os.path.exists(wd), "workdir %s not removed" % wd

    def ctx(self):
        return ssl.create_default_context(cafile=self.f.ca_file)

    def imaps(self, user="alice"):
        c = imaplib.IMAP4_SSL(self.f.host, self.f.imaps_port, ssl_context=self.ctx(),
                              timeout=20)
        c.login(user, self.f.users[user])
        self.addCleanup(self._logout, c)
        return c

    @staticmethod
    def _logout(c):
        try:
            c.logout()
        except Exception:  # noqa: BLE001
            pass

    # ---------------- basics ----------------
    def test_attributes_and_env(self):
        f = self.f
        self.assertIn(f.host, ("127.0.0.1", "127.0.0.2"))
        self.assertTrue(os.path.isfile(f.ca_file))
        self.assertTrue(os.path.isfile(f.bad_ca_file))
        self.assertEqual(set(f.users), {"alice", "bob"})
        self.assertTrue(all(len(p) >= 12 for p in f.users.values()))
        self.assertTrue(os.path.isdir(os.path.join(f.maildir("alice"), "cur")))
        env = f.env()
        for k in ("OLS_TEST_IMAP_HOST", "OLS_TEST_IMAP_PORT", "OLS_TEST_IMAPS_PORT",
                  "OLS_TEST_POP3_PORT", "OLS_TEST_SIEVE_PORT", "OLS_TEST_CA_FILE",
                  "OLS_TEST_BAD_CA_FILE", "OLS_TEST_USER", "OLS_TEST_PASSWORD",
                  "OLS_TEST_USER2", "OLS_TEST_PASSWORD2", "OLS_TEST_WORKDIR"):
            self.assertTrue(env.get(k), k)
        self.assertEqual(env["OLS_TEST_PASSWORD"], f.users["alice"])
        with tempfile.TemporaryDirectory() as td:
            path = f.write_env(os.path.join(td, "env.sh"))
            out = subprocess.run(["sh", "-c", '. "$0" && echo "$OLS_TEST_IMAPS_PORT '
                                  '$OLS_TEST_PASSWORD2"', path],
                                 stdout=subprocess.PIPE, check=True).stdout.decode()
            self.assertEqual(out.split(), [str(f.imaps_port), f.users["bob"]])

    def test_dovecot_not_root(self):
        with open("/proc/%d/status" % self.f.master_pid) as fh:
            uids = re.search(r"^Uid:\s+(.*)$", fh.read(), re.M).group(1).split()
        self.assertTrue(all(int(u) != 0 for u in uids), uids)
        for pid in dfx._descendants(self.f.master_pid):
            try:
                with open("/proc/%d/status" % pid) as fh:
                    uids = re.search(r"^Uid:\s+(.*)$", fh.read(), re.M).group(1).split()
            except OSError:
                continue
            self.assertTrue(all(int(u) != 0 for u in uids), (pid, uids))

    def test_listens_on_loopback_only(self):
        with open(self.f.config_file) as fh:
            conf = fh.read()
        listen = re.search(r"^listen = (.*)$", conf, re.M).group(1)
        for addr in listen.split(","):
            self.assertTrue(addr.strip().startswith("127."), listen)

    # ---------------- TLS ----------------
    def test_imap_starttls_and_logindisabled(self):
        f = self.f
        c = imaplib.IMAP4(f.host, f.imap_port, timeout=20)
        try:
            self.assertIn("STARTTLS", c.capabilities)
            if f.host != "127.0.0.1":
                # dovecot treats 127.0.0.1->127.0.0.1 as secured; 127.0.0.2 is not
                self.assertIn("LOGINDISABLED", c.capabilities)
                with self.assertRaises(imaplib.IMAP4.error):
                    c.login("alice", f.users["alice"])
        finally:
            self._logout(c)
        c = imaplib.IMAP4(f.host, f.imap_port, timeout=20)
        try:
            c.starttls(ssl_context=self.ctx())
            self.assertNotIn("LOGINDISABLED", c.capabilities)
            typ, _ = c.login("alice", f.users["alice"])
            self.assertEqual(typ, "OK")
        finally:
            self._logout(c)

    def test_imaps_login_and_wrong_password(self):
        c = self.imaps("bob")
        self.assertEqual(c.state, "AUTH")
        d = imaplib.IMAP4_SSL(self.f.host, self.f.imaps_port, ssl_context=self.ctx())
        try:
            with self.assertRaises(imaplib.IMAP4.error):
                d.login("alice", "wrong-" + self.f.users["alice"])
        finally:
            self._logout(d)

    def test_localhost_name_verifies(self):
        ctx = self.ctx()
        with socket.create_connection(("127.0.0.1", self.f.imaps_port), 10) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as t:
                self.assertTrue(t.recv(100).startswith(b"* OK"))

    def test_bad_ca_rejected(self):
        bad = ssl.create_default_context(cafile=self.f.bad_ca_file)
        with self.assertRaises(ssl.SSLCertVerificationError):
            imaplib.IMAP4_SSL(self.f.host, self.f.imaps_port, ssl_context=bad, timeout=10)
        c = imaplib.IMAP4(self.f.host, self.f.imap_port, timeout=10)
        try:
            with self.assertRaises(ssl.SSLCertVerificationError):
                c.starttls(ssl_context=bad)
        finally:
            try:
                c.sock.close()
            except OSError:
                pass
        # and the right CA with a wrong name fails too
        with socket.create_connection((self.f.host, self.f.imaps_port), 10) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                self.ctx().wrap_socket(s, server_hostname="mail.example.org")

    # ---------------- capabilities ----------------
    def test_capabilities_after_login(self):
        c = self.imaps()
        typ, dat = c.capability()
        caps = dat[0].decode().split()
        sys.stderr.write("\n[fixture] CAPABILITY: %s\n" % " ".join(caps))
        for cap in dfx.REQUIRED_CAPS:
            self.assertIn(cap, caps)
        self.assertTrue(any(x.startswith("RIGHTS=") for x in caps))

    # ---------------- seeded content ----------------
    def test_inbox_seed(self):
        c = self.imaps()
        typ, dat = c.select("INBOX", readonly=True)
        self.assertEqual(int(dat[0]), self.f.seeded["alice"]["INBOX"])
        self.assertEqual(int(dat[0]), 20)
        typ, dat = c.search(None, "FLAGGED")
        self.assertGreaterEqual(len(dat[0].split()), 2)
        typ, dat = c.search(None, "ANSWERED")
        self.assertGreaterEqual(len(dat[0].split()), 2)
        typ, dat = c.search(None, "SEEN")
        self.assertGreaterEqual(len(dat[0].split()), 5)
        typ, dat = c.fetch("1:*", "(RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        blob = _flatten(dat)
        self.assertIn(b"=?utf-8?", blob.lower())
        sizes = [int(x) for x in re.findall(rb"RFC822\.SIZE (\d+)", blob)]
        self.assertTrue(any(s > 300 * 1024 for s in sizes), sizes)
        typ, dat = c.search(None, "HEADER", "Content-Type", "multipart/alternative")
        self.assertTrue(dat[0].split())

    def test_folders_special_use_and_utf7(self):
        c = self.imaps()
        typ, dat = c.list()
        blob = b"\n".join(dat)
        self.assertIn(b"Projekte/&ANw-berblick", blob)
        names = [dfx.imap_utf7_decode(re.search(rb'"/" "?(.*?)"?$', d).group(1))
                 for d in dat]
        self.assertIn("Projekte/\u00dcberblick", names)
        for name, use in dfx.SPECIAL_USE:
            self.assertRegex(blob.decode(), r"\%s\b.*\"/\" %s" % (use, name))
        typ, dat = c.status("Sent", "(MESSAGES)")
        self.assertIn(b"MESSAGES 2", dat[0])
        typ, dat = c.lsub()
        self.assertIn(b"Calendar", b"\n".join(dat))

    def test_groupware_metadata(self):
        c = self.imaps()
        for folder, kind in (("Calendar", "event"), ("Contacts", "contact"),
                             ("Tasks", "task")):
            typ, dat = c.xatom("GETMETADATA", '"%s"' % folder,
                               "(/private/vendor/kolab/folder-type)")
            self.assertEqual(typ, "OK")
            typ, md = c._untagged_response(typ, dat, "METADATA")
            self.assertIn(kind.encode() + b".default", _flatten(md))
            typ, dat = c.select(folder, readonly=True)
            self.assertEqual(int(dat[0]), 1)
            typ, dat = c.fetch("1", "(BODYSTRUCTURE BODY.PEEK[HEADER])")
            blob = _flatten(dat)
            self.assertIn(b"X-Kolab-Type: application/x-vnd.kolab." + kind.encode(), blob)
            self.assertIn(b"X-Kolab-Mime-Version: 3.0", blob)
            sub = b"vcard+xml" if kind == "contact" else b"calendar+xml"
            self.assertIn(sub, blob.lower())
            c.close()

    def test_shared_folder_acl(self):
        c = self.imaps("alice")
        typ, dat = c.list('""', '"shared/*"')
        self.assertIn(b'"shared/bob/Shared Project"', b"\n".join(d for d in dat if d))
        typ, dat = c.myrights('"shared/bob/Shared Project"')
        rights = dat[0].split()[-1]
        for r in b"lrs":
            self.assertIn(r, rights)
        typ, dat = c.select('"shared/bob/Shared Project"', readonly=True)
        self.assertEqual(int(dat[0]), 3)
        b = self.imaps("bob")
        typ, dat = b.getacl('"Shared Project"')
        self.assertIn(b"alice", dat[0])

    def test_quota(self):
        c = self.imaps()
        typ, dat = c.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        blob = repr(dat).encode()
        self.assertIn(b"User quota", blob)
        self.assertIn(b"STORAGE", blob)

    def test_compress_and_idle_commands(self):
        c = self.imaps()
        typ, dat = c.xatom("COMPRESS", "DEFLATE")
        self.assertEqual(typ, "OK")  # the stream is deflated from here; just leave
        c.shutdown()

    def _raw_imaps(self, user):
        s = self.ctx().wrap_socket(socket.create_connection(
            (self.f.host, self.f.imaps_port), timeout=10), server_hostname=self.f.host)
        self.addCleanup(s.close)
        buf = [b""]

        def until(pattern, timeout=10):
            deadline = time.monotonic() + timeout
            while not re.search(pattern, buf[0]):
                if time.monotonic() > deadline:
                    self.fail("no %r in %r" % (pattern, buf[0][-500:]))
                s.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                self.assertTrue(chunk, "connection closed")
                buf[0] += chunk
            out, buf[0] = buf[0], b""
            return out

        until(rb"^\* OK")
        s.sendall(b"a LOGIN %s \"%s\"\r\n" % (user.encode(),
                                                self.f.users[user].encode()))
        until(rb"\ba OK")
        return s, until

    def test_idle_and_notify_see_new_mail(self):
        s, until = self._raw_imaps("bob")
        s.sendall(b"b SELECT INBOX\r\n")
        until(rb"\bb OK")
        s.sendall(b"c IDLE\r\n")
        until(rb"\+ ")
        self.f.deliver("bob", dfx._plain("bob", 98, "IDLE wake-up"))
        until(rb"\* \d+ EXISTS")
        s.sendall(b"DONE\r\n")
        until(rb"\bc OK")
        n, until2 = self._raw_imaps("bob")
        n.sendall(b"d NOTIFY SET STATUS (personal (MessageNew MessageExpunge))\r\n")
        until2(rb"\bd OK")
        c = self.imaps("bob")
        c.create("NotifyTarget")
        c.append("NotifyTarget", None, None, b"Subject: notify\r\n\r\nhi\r\n")
        until2(rb"\* STATUS NotifyTarget \(MESSAGES 1")

    # ---------------- POP3 / ManageSieve / LDA ----------------
    def test_pop3_stls(self):
        f = self.f
        p = poplib.POP3(f.host, f.pop3_port, timeout=20)
        try:
            self.assertIn("STLS", p.capa())
            if f.host != "127.0.0.1":
                # plaintext USER/PASS is refused before STLS
                with self.assertRaises(poplib.error_proto):
                    p.user("alice")
                    p.pass_(f.users["alice"])
        finally:
            p.close()
        p = poplib.POP3(f.host, f.pop3_port, timeout=20)
        try:
            p.stls(context=self.ctx())
            p.user("alice")
            p.pass_(f.users["alice"])
            self.assertEqual(p.stat()[0], 20)
            p.quit()
        finally:
            p.close()

    def test_managesieve_starttls(self):
        f = self.f
        with socket.create_connection((f.host, f.sieve_port), timeout=20) as s:
            greeting = b""
            while not re.search(rb"(^|\r\n)OK", greeting):
                chunk = s.recv(4096)
                self.assertTrue(chunk, "connection closed before OK")
                greeting += chunk
            self.assertIn(b'"STARTTLS"', greeting)
            self.assertIn(b'"IMPLEMENTATION"', greeting)
            s.sendall(b"STARTTLS\r\n")
            self.assertTrue(s.recv(4096).startswith(b"OK"))
            with self.ctx().wrap_socket(s, server_hostname=f.host) as t:
                caps = b""
                while not re.search(rb"(^|\r\n)OK", caps):
                    chunk = t.recv(4096)
                    self.assertTrue(chunk)
                    caps += chunk
                self.assertIn(b'"SIEVE"', caps)
                import base64
                token = base64.b64encode(b"\0alice\0" + f.users["alice"].encode())
                t.sendall(b'AUTHENTICATE "PLAIN" "' + token + b'"\r\n')
                resp = b""
                while b"\r\n" not in resp:
                    resp += t.recv(4096)
                self.assertTrue(resp.startswith(b"OK"), resp)

    def test_lda_and_doveadm(self):
        f = self.f
        msg = dfx._plain("bob", 99, "Delivered by dovecot-lda")
        f.deliver("bob", msg, folder="Delivered")
        out = f.doveadm("mailbox", "status", "-u", "bob", "messages",
                        "Delivered").stdout.decode()
        self.assertIn("messages=1", out)
        out = f.doveadm("mailbox", "metadata", "get", "-u", "alice", "Calendar",
                        "/private/vendor/kolab/folder-type").stdout.decode()
        self.assertIn("event.default", out)

    def test_seed_bulk(self):
        n = 1000
        t0 = time.monotonic()
        self.f.seed_bulk("bob", "Bulk", n, size=2048)
        dt = time.monotonic() - t0
        sys.stderr.write("\n[fixture] seed_bulk %d x 2 KB: %.2f s\n" % (n, dt))
        c = self.imaps("bob")
        typ, dat = c.status("Bulk", "(MESSAGES)")
        self.assertIn(b"MESSAGES %d" % n, dat[0])


@unittest.skipUnless(HAVE_DOVECOT, "dovecot is not installed")
class FixtureLifecycleTest(unittest.TestCase):
    """Start/stop paths: API, CLI start/stop, CLI run, atexit, signals."""

    def assert_cleaned(self, workdir, config, pid=None, kids=()):
        pids = ([pid] if pid else []) + list(kids)
        self.assertTrue(_wait_gone(pids), "dovecot processes survived")
        self.assertEqual(dfx.processes_using_config(config), [])
        deadline = time.monotonic() + 10  # the watchdog path removes it a bit later
        while os.path.exists(workdir) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(os.path.exists(workdir), workdir)

    def test_context_manager_cleans_up(self):
        with dfx.DovecotFixture(seed=False) as f:
            pid, wd, conf = f.master_pid, f.workdir, f.config_file
            kids = dfx._descendants(pid)
            self.assertTrue(dfx.processes_using_config(conf))
            f.stop()
            f.stop()  # idempotent
        self.assert_cleaned(wd, conf, pid, kids)

    def test_cli_start_stop(self):
        with tempfile.TemporaryDirectory() as td:
            os.chmod(td, 0o755)  # the dovecot user must be able to reach --workdir
            envf = os.path.join(td, "fixture.env")
            wd = os.path.join(td, "wd")
            r = subprocess.run([sys.executable, FIXTURE_PY, "start", "--env-file", envf,
                                "--workdir", wd, "--no-seed"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            self.assertIn(b"OLS_TEST_IMAPS_PORT=", r.stdout)
            env = dict(re.findall(r"export (\w+)=(\S*)", open(envf).read()))
            self.assertEqual(env["OLS_TEST_WORKDIR"], wd)
            conf = os.path.join(wd, "dovecot.conf")
            masters = dfx.processes_using_config(conf)
            self.assertEqual(len(masters), 1)
            kids = dfx._descendants(masters[0])
            c = imaplib.IMAP4_SSL(env["OLS_TEST_IMAP_HOST"], int(env["OLS_TEST_IMAPS_PORT"]),
                                  ssl_context=ssl.create_default_context(
                                      cafile=env["OLS_TEST_CA_FILE"]))
            c.login(env["OLS_TEST_USER"], env["OLS_TEST_PASSWORD"])
            c.logout()
            r = subprocess.run([sys.executable, FIXTURE_PY, "stop", "--env-file", envf],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            self.assert_cleaned(wd, conf, masters[0], kids)

    def test_cli_run_exit_code_and_env(self):
        script = ("import os,sys,imaplib,ssl\n"
                  "e=os.environ\n"
                  "c=imaplib.IMAP4_SSL(e['OLS_TEST_IMAP_HOST'],int(e['OLS_TEST_IMAPS_PORT']),"
                  "ssl_context=ssl.create_default_context(cafile=e['OLS_TEST_CA_FILE']))\n"
                  "c.login(e['OLS_TEST_USER2'],e['OLS_TEST_PASSWORD2'])\n"
                  "print('WORKDIR='+e['OLS_TEST_WORKDIR'])\n"
                  "print('CONF='+e['OLS_TEST_DOVECOT_CONFIG'])\n"
                  "c.logout(); sys.exit(7)\n")
        r = subprocess.run([sys.executable, FIXTURE_PY, "run", "--no-seed", "--",
                            sys.executable, "-c", script],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 7, r.stderr.decode())
        out = dict(re.findall(r"^(\w+)=(.*)$", r.stdout.decode(), re.M))
        self.assert_cleaned(out["WORKDIR"], out["CONF"])

    def test_cli_run_sigterm(self):
        with tempfile.TemporaryDirectory() as td:
            envf = os.path.join(td, "env")
            p = subprocess.Popen([sys.executable, FIXTURE_PY, "run", "--no-seed",
                                  "--env-file", envf, "--", "sleep", "60"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 30
            while not os.path.exists(envf) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertTrue(os.path.exists(envf), "fixture did not come up")
            time.sleep(0.2)
            env = dict(re.findall(r"export (\w+)=(\S*)", open(envf).read()))
            conf = env["OLS_TEST_DOVECOT_CONFIG"]
            masters = dfx.processes_using_config(conf)
            kids = dfx._descendants(masters[0]) if masters else []
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=30)
            self.assertEqual(rc, 128 + signal.SIGTERM)
            self.assert_cleaned(env["OLS_TEST_WORKDIR"], conf, masters[0], kids)

    def _child_python(self, body, sig=None):
        code = ("import sys,time; sys.path.insert(0,%r)\n"
                "import dovecot_fixture as d\n"
                "f=d.DovecotFixture(seed=False); f.start()\n"
                "print(f.workdir, f.config_file, f.master_pid, flush=True)\n%s\n"
                % (FIXTURE_DIR, body))
        p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        line = p.stdout.readline().decode().split()
        self.assertEqual(len(line), 3, p.stderr.read().decode() if not line else line)
        wd, conf, pid = line[0], line[1], int(line[2])
        kids = dfx._descendants(pid)
        if sig:
            p.send_signal(sig)
        p.wait(timeout=30)
        self.assert_cleaned(wd, conf, pid, kids)
        return p.returncode

    def test_atexit_cleanup(self):
        self.assertEqual(self._child_python("sys.exit(3)"), 3)

    def test_sigterm_cleanup(self):
        self.assertEqual(self._child_python("time.sleep(60)", signal.SIGTERM),
                         -signal.SIGTERM)

    def test_sigint_cleanup(self):
        rc = self._child_python("time.sleep(60)", signal.SIGINT)
        self.assertNotEqual(rc, 0)

    def test_sigkill_of_owner_watchdog_cleans_up(self):
        # atexit/signal handlers cannot run on SIGKILL (e.g. a ctest timeout)
        self.assertEqual(self._child_python("time.sleep(60)", signal.SIGKILL),
                         -signal.SIGKILL)

    def test_fork_child_exit_keeps_server(self):
        body = ("import os, imaplib, ssl\n"
                "pid = os.fork()\n"
                "if pid == 0:\n"
                "    sys.exit(0)  # runs atexit in the child\n"
                "os.waitpid(pid, 0)\n"
                "c = f.imap('alice'); c.logout()\n"
                "sys.exit(5)\n")
        self.assertEqual(self._child_python(body), 5)

    def test_start_failure_reports_log(self):
        f = dfx.DovecotFixture(seed=False, start_timeout=3)
        orig = f._config_text
        f._config_text = lambda: orig() + "\nthis_is_not_a_setting = 1\n"
        with self.assertRaises(dfx.FixtureError) as cm:
            f.start()
        self.assertIn("this_is_not_a_setting", str(cm.exception))
        self.assertFalse(os.path.exists(f.workdir))

    def test_workdir_unreachable_is_clear_error(self):
        if os.geteuid() != 0:
            self.skipTest("only root hands the server to another user")
        with tempfile.TemporaryDirectory() as td:
            os.chmod(td, 0o700)
            wd = os.path.join(td, "wd")
            with self.assertRaises(dfx.FixtureError) as cm:
                dfx.DovecotFixture(workdir=wd, seed=False).start()
            self.assertIn("cannot reach", str(cm.exception))

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"),
                         "needs root to try the non-root caller path")
    def test_unprivileged_caller(self):
        # copy the fixture where an unprivileged user can read it and run it as nobody
        import pwd
        nobody = pwd.getpwnam(os.environ.get("OLS_FIXTURE_USER", "nobody"))
        creds = ["setpriv", "--reuid=%d" % nobody.pw_uid, "--regid=%d" % nobody.pw_gid,
                 "--init-groups", "--"]
        python = None
        for cand in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
            if not cand:
                continue
            real = os.path.realpath(cand)
            if (dfx._untraversable(os.path.dirname(real), nobody.pw_uid,
                                   nobody.pw_gid) is None
                    and os.stat(real).st_mode & 0o001):
                python = real
                break
        if not python:
            self.skipTest("no python3 that %s may execute" % nobody.pw_name)
        td = tempfile.mkdtemp(prefix="olsync-fixture-copy-", dir="/tmp")
        try:
            os.chmod(td, 0o755)
            shutil.copy(FIXTURE_PY, td)
            os.chmod(os.path.join(td, "dovecot_fixture.py"), 0o644)
            script = ("import os,sys,imaplib,ssl\n"
                      "e=os.environ\n"
                      "assert os.geteuid()!=0\n"
                      "c=imaplib.IMAP4(e['OLS_TEST_IMAP_HOST'],int(e['OLS_TEST_IMAP_PORT']))\n"
                      "c.starttls(ssl_context=ssl.create_default_context("
                      "cafile=e['OLS_TEST_CA_FILE']))\n"
                      "c.login(e['OLS_TEST_USER'],e['OLS_TEST_PASSWORD'])\n"
                      "typ,dat=c.select('INBOX'); assert int(dat[0])==20, dat\n"
                      "c.logout(); print('WORKDIR='+e['OLS_TEST_WORKDIR'])\n")
            r = subprocess.run(creds + [python, os.path.join(td, "dovecot_fixture.py"),
                                        "run", "--", python, "-c", script],
                               cwd=td, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=60, env={"PATH": os.environ.get("PATH", ""),
                                                "HOME": td, "TMPDIR": "/tmp"})
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            wd = re.search(r"WORKDIR=(\S+)", r.stdout.decode()).group(1)
            self.assertFalse(os.path.exists(wd))
        finally:
            shutil.rmtree(td, ignore_errors=True)


class Utf7Test(unittest.TestCase):
    def test_roundtrip(self):
        for s, enc in (("Projekte/\u00dcberblick", "Projekte/&ANw-berblick"),
                       ("A&B", "A&-B"), ("\u65e5\u672c\u8a9e", "&ZeVnLIqe-"),
                       ("INBOX", "INBOX")):
            self.assertEqual(dfx.imap_utf7_encode(s), enc)
            self.assertEqual(dfx.imap_utf7_decode(enc), s)


if __name__ == "__main__":
    unittest.main(verbosity=2)
