#!/usr/bin/env python3
"""The loopback POP3 stub (`olsync pop3`) against real clients: poplib, fetchmail, raw sockets.

Run natively:   OLS_OLSYNC=build/native/src/cli/olsync python3 tests/integration/test_pop3.py
Run under Wine: OLS_WINE=1 OLS_OLSYNC=build/windows/src/cli/olsync.exe python3 ...
(the default binary is build/native/src/cli/olsync). Standard library only.
"""

import glob
import json
import os
import poplib
import re
import selectors
import shutil
import socket
import ssl
import stat
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OLSYNC = os.environ.get("OLS_OLSYNC") or os.path.join(ROOT, "build", "native", "src", "cli",
                                                      "olsync")
WINE = os.environ.get("OLS_WINE") == "1"
START_TIMEOUT = 180 if WINE else 30   # the first Wine start in a prefix is slow
IO_TIMEOUT = 30
MAX_CONNS = 16                        # OLS_POP3_DEF_CONNS in src/pop3/pop3.h
GREETING = b"+OK olsync POP3 stub ready\r\n"


def _port_range_free(base, n):
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def free_port_range(n):
    """A base port such that base..base+n-1 are all free on 127.0.0.1 right now."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n < 65536 and _port_range_free(base, n):
            return base
    raise RuntimeError("no free port range")


def exe_path(path):
    """A path as the program under test sees it (Z:\\... under Wine)."""
    if not WINE:
        return path
    out = subprocess.run(["winepath", "-w", path], capture_output=True, text=True,
                         env=dict(os.environ, WINEDEBUG="-all"), timeout=START_TIMEOUT)
    return out.stdout.strip() or path


def command(*args):
    return (["wine", OLSYNC] if WINE else [OLSYNC]) + list(args)


def child_env(tmp):
    env = dict(os.environ)
    env["XDG_STATE_HOME"] = os.path.join(tmp, "state")
    env["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")
    if WINE:
        env["WINEDEBUG"] = "-all"
    return env


_wine_log_dir = None


def log_dir(tmp):
    """Where olsync writes its daily log files (natively: XDG_STATE_HOME; Wine: the prefix)."""
    global _wine_log_dir
    if not WINE:
        return os.path.join(tmp, "state", "olsync", "logs")
    if _wine_log_dir is None:
        env = dict(os.environ, WINEDEBUG="-all")
        out = subprocess.run(["wine", "cmd", "/c", "echo", "%LOCALAPPDATA%"], capture_output=True,
                             text=True, env=env, timeout=START_TIMEOUT).stdout.strip()
        unix = subprocess.run(["winepath", "-u", out], capture_output=True, text=True, env=env,
                              timeout=START_TIMEOUT).stdout.strip()
        _wine_log_dir = os.path.join(unix, "olsync", "logs")
    return _wine_log_dir


def log_sizes(d):
    return {f: os.path.getsize(f) for f in glob.glob(os.path.join(d, "*.log"))}


def log_since(d, before):
    text = b""
    for f in sorted(glob.glob(os.path.join(d, "*.log"))):
        with open(f, "rb") as fh:
            fh.seek(before.get(f, 0))
            text += fh.read()
    return text.decode("utf-8", "replace")


class Stub:
    """One `olsync pop3` process; stopped by closing its stdin (--stop-on-eof)."""

    def __init__(self, tmp, first, last, user="alice", args=()):
        self.tmp = tmp
        self.config = os.path.join(tmp, "config.json")
        cfg = {"pop3": {"port": first, "port_max": last}}
        if user is not None:
            cfg["account"] = {"user": user}
        with open(self.config, "w") as f:
            json.dump(cfg, f)
        self.stderr = open(os.path.join(tmp, "stderr.txt"), "wb")
        self.proc = subprocess.Popen(
            command("pop3", "--config", exe_path(self.config), "--stop-on-eof", "-vv", *args),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            env=child_env(tmp))
        self.port = None
        self.first_line = self._read_line(START_TIMEOUT)
        m = re.match(r"listening on 127\.0\.0\.1:(\d+)\s*$", self.first_line)
        if m:
            self.port = int(m.group(1))

    def _read_line(self, timeout):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        buf = b""
        deadline = time.monotonic() + timeout
        while not buf.endswith(b"\n") and time.monotonic() < deadline:
            if not sel.select(max(0.0, deadline - time.monotonic())):
                break
            ch = os.read(self.proc.stdout.fileno(), 1)
            if not ch:
                break
            buf += ch
        sel.close()
        return buf.decode("utf-8", "replace")

    def stderr_text(self):
        with open(os.path.join(self.tmp, "stderr.txt"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Close stdin and wait; returns the exit code (None if it had to be killed)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            rc = self.proc.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        self.proc.stdout.close()
        self.stderr.close()
        return rc


def recv_all(sock, limit=1 << 20):
    """Everything until the peer closes (raises on timeout)."""
    data = b""
    while len(data) < limit:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def recv_line(sock):
    data = b""
    while not data.endswith(b"\r\n"):
        ch = sock.recv(1)
        if not ch:
            break
        data += ch
    return data


def client_hello():
    """A genuine TLS ClientHello, as a POP3S client or a confused TLS client would send."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def raw_exchange(port, payload, read_greeting_first=False):
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as s:
        pre = recv_line(s) if read_greeting_first else b""
        s.sendall(payload)
        return pre + recv_all(s)


class Pop3StubTest(unittest.TestCase):
    """Protocol checks against one stub shared by the class."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="olsync-pop3-")
        base = free_port_range(4)
        cls.base = base
        cls.logs_before = log_sizes(log_dir(cls.tmp))
        cls.stub = Stub(cls.tmp, base, base + 3)
        if cls.stub.port is None:
            err = cls.stub.stderr_text()
            cls.stub.stop()
            raise RuntimeError("olsync pop3 did not start: %r %s" % (cls.stub.first_line, err))
        cls.port = cls.stub.port

    @classmethod
    def tearDownClass(cls):
        cls.stub.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertTrue(self.stub.alive(), "the stub process died")

    def pop(self):
        return poplib.POP3("127.0.0.1", self.port, timeout=IO_TIMEOUT)

    def test_bound_to_first_port_and_recorded(self):
        self.assertEqual(self.port, self.base)
        with open(self.stub.config) as f:
            cfg = json.load(f)
        self.assertEqual(cfg["pop3"]["bound_port"], self.port)
        self.assertEqual(cfg["account"]["user"], "alice")

    def test_poplib_full_command_set(self):
        p = self.pop()
        self.assertEqual(p.getwelcome(), GREETING.rstrip())
        caps = p.capa()
        for c in ("USER", "UIDL", "TOP"):
            self.assertIn(c, caps)
        self.assertEqual(caps.get("IMPLEMENTATION"), ["olsync"])
        self.assertTrue(p.user("alice").startswith(b"+OK"))
        self.assertTrue(p.pass_("any password will do").startswith(b"+OK"))
        self.assertEqual(p.stat(), (0, 0))
        resp, listing, _ = p.list()
        self.assertTrue(resp.startswith(b"+OK"))
        self.assertEqual(listing, [])
        resp, listing, _ = p.uidl()
        self.assertTrue(resp.startswith(b"+OK"))
        self.assertEqual(listing, [])
        for name, call in (("list 1", lambda: p.list(1)), ("uidl 1", lambda: p.uidl(1)),
                           ("retr", lambda: p.retr(1)), ("dele", lambda: p.dele(1)),
                           ("top", lambda: p.top(1, 0))):
            with self.assertRaises(poplib.error_proto, msg=name) as cm:
                call()
            self.assertIn(b"no such message", cm.exception.args[0], name)
        self.assertTrue(p.noop().startswith(b"+OK"))
        self.assertTrue(p.rset().startswith(b"+OK"))
        self.assertEqual(p.stat(), (0, 0))
        self.assertTrue(p.quit().startswith(b"+OK"))

    def test_apop_refused(self):
        p = self.pop()
        # no timestamp in the greeting, so poplib itself knows APOP is not offered
        with self.assertRaises(poplib.error_proto):
            p.apop("alice", "secret")
        # and the server refuses it when sent anyway, then carries on
        with self.assertRaises(poplib.error_proto) as cm:
            p._shortcmd("APOP alice c4c9334bac560ecc979e58001b3e22fb")
        self.assertIn(b"not supported", cm.exception.args[0])
        p.user("alice")
        p.pass_("x")
        self.assertEqual(p.stat(), (0, 0))
        p.quit()

    def test_pass_before_user_refused(self):
        p = self.pop()
        with self.assertRaises(poplib.error_proto):
            p.pass_("secret")
        with self.assertRaises(poplib.error_proto):
            p.stat()
        p.quit()

    def test_unknown_user_rejected(self):
        p = self.pop()
        for name in ("bob", "Alice", "alice2"):
            with self.assertRaises(poplib.error_proto, msg=name) as cm:
                p.user(name)
            self.assertIn(b"unknown user", cm.exception.args[0])
            with self.assertRaises(poplib.error_proto, msg=name):
                p.pass_("whatever")
        p.user("alice")
        p.pass_("whatever")
        self.assertEqual(p.stat(), (0, 0))
        p.quit()

    def test_http_request_refused(self):
        data = raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       b"User-Agent: test\r\nAccept: */*\r\n\r\n")
        self.assertEqual(data, GREETING + b"-ERR not POP3\r\n")
        data = raw_exchange(self.port, b"POST /x HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
                            read_greeting_first=True)
        self.assertEqual(data, GREETING + b"-ERR not POP3\r\n")

    def test_overlong_line_refused(self):
        data = raw_exchange(self.port, b"U" * 598 + b"\r\n", read_greeting_first=True)
        self.assertEqual(data, GREETING + b"-ERR line too long\r\n")
        data = raw_exchange(self.port, b"USER " + b"a" * 4000 + b"\r\n")
        self.assertEqual(data, GREETING + b"-ERR line too long\r\n")

    def test_tls_client_hello_refused(self):
        hello = client_hello()
        self.assertEqual(hello[:2], b"\x16\x03")
        data = raw_exchange(self.port, hello)
        self.assertEqual(data, GREETING + b"-ERR not POP3\r\n")

    def test_binary_refused(self):
        data = raw_exchange(self.port, bytes(range(256)) * 4, read_greeting_first=True)
        self.assertEqual(data, GREETING + b"-ERR not POP3\r\n")

    def test_bad_commands_close_the_session(self):
        data = raw_exchange(self.port, b"XYZZY\r\nHELO x\r\nEHLO y\r\n", read_greeting_first=True)
        self.assertEqual(data, GREETING + b"-ERR unknown command\r\n-ERR unknown command\r\n"
                                          b"-ERR too many bad commands\r\n")

    def test_pipelined_session(self):
        data = raw_exchange(self.port, b"CAPA\r\nUSER alice\r\nPASS pw\r\nSTAT\r\nLIST\r\n"
                                       b"UIDL\r\nQUIT\r\n")
        self.assertTrue(data.startswith(GREETING + b"+OK"))
        self.assertIn(b"\r\n+OK 0 0\r\n+OK 0 messages", data)
        self.assertTrue(data.endswith(b"+OK olsync POP3 stub signing off\r\n"))

    def test_listens_on_loopback_only(self):
        out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = [ln for ln in out.stdout.splitlines()
                 if len(ln.split()) >= 4 and ln.split()[3].endswith(":%d" % self.port)]
        addrs = {ln.split()[3].rsplit(":", 1)[0] for ln in lines}
        self.assertEqual(addrs, {"127.0.0.1"}, out.stdout)
        if not WINE:  # under Wine the socket is owned by wine processes, not ours
            self.assertTrue(any("pid=%d," % self.stub.proc.pid in ln for ln in lines), lines)
        # from this machine's external address, nothing answers on the port
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.connect(("192.0.2.1", 9))
                ext = u.getsockname()[0]
            except OSError:
                ext = None
        if ext and not ext.startswith("127."):
            with self.assertRaises(OSError):
                socket.create_connection((ext, self.port), timeout=5).close()

    def test_session_logged_without_password(self):
        secret = "Pw-%d-never-logged" % os.getpid()
        p = self.pop()
        p.user("alice")
        p.pass_(secret)
        p.stat()
        p.quit()
        d = log_dir(self.tmp)
        deadline = time.monotonic() + IO_TIMEOUT
        text = ""
        while time.monotonic() < deadline:
            text = log_since(d, self.logs_before)
            if "PASS ********" in text:
                break
            time.sleep(0.1)
        self.assertIn("C: USER alice", text)
        self.assertIn("C: PASS ********", text)
        self.assertIn("closed: quit", text)
        self.assertNotIn(secret, text)
        self.assertNotIn(secret, self.stub.stderr_text())

    @unittest.skipUnless(shutil.which("fetchmail"), "fetchmail is not installed")
    def test_fetchmail_sees_no_mail(self):
        home = tempfile.mkdtemp(prefix="fetchmail-", dir=self.tmp)
        rc = os.path.join(home, ".fetchmailrc")
        with open(rc, "w") as f:
            f.write('poll 127.0.0.1 user "alice" password "anything"\n')
        os.chmod(rc, stat.S_IRUSR | stat.S_IWUSR)
        env = dict(os.environ, HOME=home, LC_ALL="C")
        out = subprocess.run(["fetchmail", "--protocol", "pop3", "--port", str(self.port),
                              "--check", "--sslproto", "", "--nosslcertck", "-v", "-f", rc,
                              "127.0.0.1"],
                             capture_output=True, text=True, env=env, timeout=120)
        text = out.stdout + out.stderr
        # fetchmail's exit status 1 means "no mail"
        self.assertEqual(out.returncode, 1, text)
        self.assertIn("No mail for alice at 127.0.0.1", text)
        self.assertIn("POP3> STAT", text)


class Pop3StubLoadTest(unittest.TestCase):
    """200 connections at once against a fresh stub (exact counts need no other clients)."""

    def test_200_connections_then_still_serves(self):
        tmp = tempfile.mkdtemp(prefix="olsync-pop3-load-")
        base = free_port_range(1)
        stub = Stub(tmp, base, base)
        try:
            self.assertIsNotNone(stub.port, stub.first_line + stub.stderr_text())
            socks = [socket.create_connection(("127.0.0.1", stub.port), timeout=60)
                     for _ in range(200)]
            served = refused = closed_after_refusal = 0
            odd = []
            for s in socks:
                line = recv_line(s)
                if line == GREETING:
                    served += 1
                elif line == b"-ERR too many connections\r\n":
                    refused += 1
                    if recv_all(s) == b"":
                        closed_after_refusal += 1
                else:
                    odd.append(line)
            for s in socks:
                s.close()
            self.assertEqual(odd, [])
            self.assertEqual(served, MAX_CONNS)
            self.assertEqual(refused, 200 - MAX_CONNS)
            self.assertEqual(closed_after_refusal, refused)
            self.assertTrue(stub.alive())
            # the stub notices the closes; then a normal session works
            deadline = time.monotonic() + IO_TIMEOUT
            while True:
                try:
                    p = poplib.POP3("127.0.0.1", stub.port, timeout=IO_TIMEOUT)
                    break
                except poplib.error_proto:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            p.user("alice")
            p.pass_("x")
            self.assertEqual(p.stat(), (0, 0))
            p.quit()
        finally:
            self.assertEqual(stub.stop(), 0, stub.stderr_text())
            shutil.rmtree(tmp, ignore_errors=True)


class Pop3StubLifecycleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="olsync-pop3-life-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_busy_first_port_skipped_and_written_back(self):
        base = free_port_range(5)
        hold = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hold.bind(("127.0.0.1", base))
        hold.listen(1)
        try:
            stub = Stub(self.tmp, base, base + 4)
            try:
                self.assertIsNotNone(stub.port, stub.first_line + stub.stderr_text())
                self.assertGreater(stub.port, base)
                self.assertLessEqual(stub.port, base + 4)
                with open(stub.config) as f:
                    cfg = json.load(f)
                self.assertEqual(cfg["pop3"]["bound_port"], stub.port)
                self.assertEqual(cfg["pop3"]["port"], base)
                p = poplib.POP3("127.0.0.1", stub.port, timeout=IO_TIMEOUT)
                self.assertEqual(p.getwelcome(), GREETING.rstrip())
                p.quit()
            finally:
                self.assertEqual(stub.stop(), 0)
        finally:
            hold.close()

    def test_whole_range_busy_fails(self):
        base = free_port_range(2)
        holds = []
        for p in (base, base + 1):
            h = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            h.bind(("127.0.0.1", p))
            h.listen(1)
            holds.append(h)
        try:
            stub = Stub(self.tmp, base, base + 1)
            rc = stub.stop()
            self.assertIsNone(stub.port, stub.first_line)
            self.assertNotEqual(rc, 0)
            self.assertIn("no free port", stub.stderr_text())
        finally:
            for h in holds:
                h.close()

    def test_missing_user_fails(self):
        base = free_port_range(1)
        stub = Stub(self.tmp, base, base, user=None)
        rc = stub.stop()
        self.assertIsNone(stub.port, stub.first_line)
        self.assertEqual(rc, 78)  # EX_CONFIG
        self.assertIn("account.user", stub.stderr_text())

    def test_stops_cleanly_and_frees_the_port(self):
        base = free_port_range(1)
        stub = Stub(self.tmp, base, base)
        self.assertEqual(stub.port, base, stub.first_line + stub.stderr_text())
        conn = socket.create_connection(("127.0.0.1", base), timeout=IO_TIMEOUT)
        self.assertEqual(recv_line(conn), GREETING)
        self.assertEqual(stub.stop(), 0)
        # the open session was closed by the stop, and nothing listens any more
        self.assertEqual(recv_all(conn), b"")
        conn.close()
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", base), timeout=5).close()

    @unittest.skipIf(WINE, "POSIX signals do not reach a Windows program under Wine reliably")
    def test_signals_stop_cleanly(self):
        import signal
        for sig in (signal.SIGINT, signal.SIGTERM):
            base = free_port_range(1)
            stub = Stub(self.tmp, base, base)
            self.assertEqual(stub.port, base, stub.first_line + stub.stderr_text())
            stub.proc.send_signal(sig)
            self.assertEqual(stub.proc.wait(timeout=IO_TIMEOUT), 0, sig)
            self.assertEqual(stub.stop(), 0)
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", base), timeout=5).close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
