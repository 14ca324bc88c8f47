#!/usr/bin/env python3
"""Download modes, stand-ins filled in place, `olsync fetch`, and the queue across a kill,
against the Dovecot fixture. What the server sent is counted by a relay in front of it
(plain IMAP on the fixture's loopback address, COMPRESS off, so the relay can read it).

Native:     OLS_OLSYNC=build/native/src/cli/olsync python3 tests/integration/test_fetch.py
Under Wine: OLS_WINE=1 OLS_OLSYNC=build/windows/src/cli/olsync.exe python3 ...
"""

import json
import os
import re
import socket
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_sync as T  # noqa: E402  (shared helpers: Account, views, fixture)


class Relay:
    """Plain-text relay that records the client's commands and the server's byte count."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.commands = []
        self.server_bytes = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            s = socket.create_connection(self.target)
            threading.Thread(target=self.up, args=(c, s), daemon=True).start()
            threading.Thread(target=self.down, args=(s, c), daemon=True).start()

    def up(self, a, b):
        buf = b""
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                buf += d
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    with self.lock:
                        self.commands.append(line.decode("utf-8", "replace"))
                b.sendall(d)
        except OSError:
            pass
        finally:
            b.close()

    def down(self, a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                with self.lock:
                    self.server_bytes += len(d)
                b.sendall(d)
        except OSError:
            pass
        finally:
            b.close()

    def take(self):
        with self.lock:
            c, n = self.commands, self.server_bytes
            self.commands, self.server_bytes = [], 0
        return c, n

    def close(self):
        self.sock.close()


def plain_account(fx, relay, user="alice", mode=None, threshold=None):
    a = T.Account(fx, user, security="plain", host="127.0.0.1", port=relay.port)
    with open(a.config) as f:
        cfg = json.load(f)
    cfg["net"] = {"compress": False}
    cfg["download"] = {}
    if mode:
        cfg["download"]["mode"] = mode
    if threshold is not None:
        cfg["download"]["threshold_mb"] = threshold
    with open(a.config, "w") as f:
        json.dump(cfg, f)
    return a


def printed_path(out):
    """The path olsync printed (olsync.exe under Wine joins with backslashes)."""
    path = out.strip().splitlines()[-1]
    if T.WINE:
        path = path.replace("\\", "/")
        if re.match(r"^[A-Za-z]:/", path):
            path = path[2:]
    return path


def inbox_files(maildir):
    return sorted(T.files_in(maildir))


def server_inbox(fx, user="alice"):
    """{uid: (size, raw message)} of INBOX."""
    c = fx.imap(user)
    c.select("INBOX", readonly=True)
    typ, data = c.uid("FETCH", "1:*", "(RFC822.SIZE BODY.PEEK[])")
    out = {}
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            size = int(re.search(rb"RFC822\.SIZE (\d+)", item[0]).group(1))
            out[uid] = (size, item[1])
    c.logout()
    return out


def uid_with_attachment(msgs):
    return max(msgs, key=lambda u: msgs[u][0])


class TestModes(T.SyncTestBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.relay = Relay(cls.fx.local_host, cls.fx.imap_port)

    @classmethod
    def tearDownClass(cls):
        cls.relay.close()
        super().tearDownClass()

    def test_headers_mode_then_fetch(self):
        a = plain_account(self.fx, self.relay, mode="headers")
        try:
            srv = server_inbox(self.fx)
            total = sum(s for s, _ in srv.values())
            self.relay.take()
            p = a.sync("--folder", "INBOX")
            cmds, nbytes = self.relay.take()
            fetches = [c for c in cmds if " FETCH " in c.upper()]
            self.assertFalse([c for c in fetches if "BODY.PEEK[]" in c.upper()],
                             "headers mode fetches no whole message")
            self.assertTrue([c for c in fetches if "BODY.PEEK[HEADER]" in c.upper()])
            self.assertLess(nbytes, total / 2, "the server sent far less than the mail")
            self.assertEqual(p.report["partial"], len(srv))
            files = inbox_files(a.maildir)
            self.assertEqual(len(files), len(srv))
            for f in files:
                with open(f, "rb") as fh:
                    data = fh.read()
                self.assertIn(b"message/external-body", data)
                self.assertIn(b";UIDVALIDITY=", data)
            # on demand: the whole message replaces the stand-in, same item, no duplicate
            uid = uid_with_attachment(srv)
            self.relay.take()
            p = a.olsync("fetch", "--folder", "INBOX", "--uid", str(uid), expect=0)
            path = printed_path(p.out)
            cmds, _ = self.relay.take()
            self.assertTrue([c for c in cmds if "BODY.PEEK[]<0." in c.upper()])
            with open(path, "rb") as fh:
                self.assertEqual(T.body_key(fh.read()), T.body_key(srv[uid][1]))
            after = inbox_files(a.maildir)
            self.assertEqual(len(after), len(srv), "filled in place: no second copy")
            self.assertIn(path, after)
            # a second fetch of the same message costs no FETCH of its body
            self.relay.take()
            a.olsync("fetch", "--folder", "INBOX", "--uid", str(uid), expect=0)
            cmds, _ = self.relay.take()
            self.assertFalse([c for c in cmds if "BODY.PEEK[]" in c.upper()])
        finally:
            a.cleanup()

    def test_custom_mode_part_on_demand(self):
        a = plain_account(self.fx, self.relay, mode="custom", threshold=0)
        try:
            srv = server_inbox(self.fx)
            uid = uid_with_attachment(srv)
            a.sync("--folder", "INBOX")
            found = None
            for f in inbox_files(a.maildir):
                if f.split(",U=")[1].split("-")[1].split(T.INFO_SEP)[0] == str(uid):
                    found = f
            self.assertIsNotNone(found)
            with open(found, "rb") as fh:
                data = fh.read()
            self.assertIn(b"SECTION=2", data, "the attachment stands in")
            self.assertLess(len(data), srv[uid][0] / 2, "the attachment did not come down")
            self.assertIn(b"text/plain", data.lower())
            # the text of a large message is there to read
            self.assertNotIn(b"SECTION=1", data)
            p = a.olsync("fetch", "--folder", "INBOX", "--uid", str(uid), "--section", "2",
                         expect=0)
            path = printed_path(p.out)
            with open(path, "rb") as fh:
                filled = fh.read()
            self.assertGreater(len(filled), srv[uid][0] * 0.9, "the part came down")
            self.assertNotIn(b"X-Olsync-Partial", filled)
            self.assertEqual(len(inbox_files(a.maildir)), len(srv), "no duplicate")
        finally:
            a.cleanup()

    def test_bad_requests_clear_errors(self):
        a = plain_account(self.fx, self.relay, mode="headers")
        try:
            a.sync("--folder", "INBOX")
            before = inbox_files(a.maildir)
            p = a.olsync("fetch", "--folder", "INBOX", "--uid", "99999", expect=2)
            self.assertIn("no message with UID 99999 in INBOX", p.err)
            srv = server_inbox(self.fx)
            uid = min(srv)
            p = a.olsync("fetch", "--folder", "INBOX", "--uid", str(uid), "--section", "9.9")
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("no part 9.9", p.err)
            p = a.olsync("fetch", "--folder", "INBOX", "--uid", "x1", expect=2)
            p = a.olsync("fetch", "--folder", "Nowhere", "--uid", "1")
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("not synced", p.err)
            self.assertEqual(inbox_files(a.maildir), before, "nothing lost or added")
        finally:
            a.cleanup()


class TestQueueSurvivesKill(T.SyncTestBase):
    user = "bob"

    def test_queue_survives_kill(self):
        a = T.Account(self.fx, "bob")
        try:
            self.fx.seed_bulk("bob", "INBOX", 300, 2048)
            # stop after a dozen downloads: the rest stays queued in the state
            p = a.olsync("sync", extra_env={"OLSYNC_CRASH_AT": "40"})
            self.assertEqual(p.returncode, 137, p.err)
            st = json.loads(a.olsync("status", "--json", expect=0).out)
            self.assertGreater(st["queue"]["waiting"], 100, "the queue was kept")
            # a vanished UID in the queue: removed on the server meanwhile
            c = self.fx.imap("bob")
            c.select("INBOX")
            typ, data = c.uid("SEARCH", None, "ALL")
            last = data[0].split()[-1]
            c.uid("STORE", last, "+FLAGS", "(\\Deleted)")
            c.expunge()
            c.logout()
            p = a.sync()
            st = json.loads(a.olsync("status", "--json", expect=0).out)
            self.assertEqual(st["queue"]["waiting"], 0)
            view = self.assertConverged(a)
            for folder, msgs in view.items():
                for k, v in msgs.items():
                    self.assertEqual(len(v), 1, "duplicate in %s" % folder)
            self.assertIsNotNone(st["last_pass"])
            self.assertGreaterEqual(st["last_pass"]["downloaded"][0], 100)
        finally:
            a.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
