#!/usr/bin/env python3
"""Benchmark: olsync sync against mbsync (isync) on the same throwaway Dovecot and data.

Reports wall time and bytes on the wire (through a counting TCP relay) for
  1. an initial sync of N messages into an empty Maildir,
  2. a resync with no changes,
and a raw `UID FETCH 1:* BODY.PEEK[]` stream as the floor. Ratios are olsync / peer,
each run side by side on the same server. Not a test: it asserts nothing.

  python3 bench/sync_vs_mbsync.py [--messages 5000] [--size 4096] [--runs 3]
Needs: mbsync (Debian package isync), build/native/src/cli/olsync.
"""

import argparse
import json
import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "fixture"))
from dovecot_fixture import DovecotFixture  # noqa: E402

OLSYNC = os.environ.get("OLS_OLSYNC") or os.path.join(ROOT, "build", "native", "src", "cli",
                                                      "olsync")


class Relay:
    """Counts bytes both ways between a client and the server."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.bytes = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            s = socket.create_connection(self.target)
            for a, b in ((c, s), (s, c)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    def pump(self, a, b):
        try:
            while True:
                d = a.recv(262144)
                if not d:
                    break
                with self.lock:
                    self.bytes += len(d)
                b.sendall(d)
        except OSError:
            pass
        finally:
            for x in (a, b):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def take(self):
        with self.lock:
            n, self.bytes = self.bytes, 0
        return n


def timed(cmd, env=None):
    t = time.monotonic()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.monotonic() - t
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (cmd[0], p.returncode, p.stderr.decode()[-800:]))
    return dt


def raw_fetch(fx, port, user):
    ctx = fx.ssl_context()
    t = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(b'a LOGIN %s "%s"\r\n' % (user.encode(), fx.users[user].encode()))
            while not f.readline().startswith(b"a "):
                pass
            s.sendall(b"b SELECT Bench\r\n")
            while not f.readline().startswith(b"b "):
                pass
            s.sendall(b"c UID FETCH 1:* BODY.PEEK[]\r\n")
            while True:
                line = f.readline()
                if line.startswith(b"c "):
                    break
                if line.endswith(b"}\r\n"):
                    n = int(line[line.rindex(b"{") + 1:-3])
                    f.read(n)
            s.sendall(b"d LOGOUT\r\n")
    return time.monotonic() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if not shutil.which("mbsync"):
        sys.exit("mbsync not found: apt-get install isync")

    with DovecotFixture() as fx:
        user = "alice"
        c = fx.imap(user)
        c.create("Bench")
        c.logout()
        fx.seed_bulk(user, "Bench", a.messages, a.size)
        relay = Relay(fx.host, fx.imaps_port)
        res = {"olsync_init": [], "mbsync_init": [], "raw": [], "olsync_resync": [],
               "mbsync_resync": [], "olsync_bytes": [], "mbsync_bytes": [],
               "olsync_resync_bytes": [], "mbsync_resync_bytes": []}
        for run in range(a.runs):
            work = tempfile.mkdtemp(prefix="olsync-bench-")
            # olsync
            cfg = os.path.join(work, "olsync.json")
            with open(cfg, "w") as f:
                json.dump({"account": {"user": user, "password": fx.users[user],
                                       "imap": {"host": "127.0.0.1", "port": relay.port,
                                                "security": "tls"}},
                           "tls": {"ca_file": fx.ca_file},
                           "store": {"path": os.path.join(work, "olsync-mail")},
                           "log": {"level": "warning"}}, f)
            env = dict(os.environ, XDG_STATE_HOME=os.path.join(work, "state"),
                       XDG_CONFIG_HOME=os.path.join(work, "cfg"))
            # mbsync
            mbrc = os.path.join(work, "mbsyncrc")
            mbdir = os.path.join(work, "mbsync-mail")
            os.makedirs(mbdir)
            with open(mbrc, "w") as f:
                f.write("IMAPAccount fx\nHost localhost\nPort %d\nUser %s\nPass \"%s\"\n"
                        "SSLType IMAPS\nCertificateFile %s\n\n"
                        "IMAPStore remote\nAccount fx\n\n"
                        "MaildirStore local\nInbox %s\nSubFolders Maildir++\n\n"
                        "Channel fx\nFar :remote:\nNear :local:\nPatterns Bench\nCreate Near\n"
                        "SyncState *\nSync All\nExpunge Both\n"
                        % (relay.port, user, fx.users[user], fx.ca_file, mbdir))
            relay.take()
            res["olsync_init"].append(timed([OLSYNC, "sync", "--config", cfg, "--folder", "Bench",
                                             "--quiet"], env))
            res["olsync_bytes"].append(relay.take())
            res["mbsync_init"].append(timed(["mbsync", "-q", "-c", mbrc, "fx"]))
            res["mbsync_bytes"].append(relay.take())
            res["olsync_resync"].append(timed([OLSYNC, "sync", "--config", cfg, "--folder",
                                               "Bench", "--quiet"], env))
            res["olsync_resync_bytes"].append(relay.take())
            res["mbsync_resync"].append(timed(["mbsync", "-q", "-c", mbrc, "fx"]))
            res["mbsync_resync_bytes"].append(relay.take())
            res["raw"].append(raw_fetch(fx, relay.port, user))
            relay.take()
            shutil.rmtree(work, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in res.items()}
    print("messages=%d size=%d runs=%d (medians; ratio = olsync / peer)" %
          (a.messages, a.size, a.runs))
    print("initial sync   olsync %.2fs  mbsync %.2fs  ratio %.2f   raw fetch %.2fs  olsync/raw %.2f"
          % (med["olsync_init"], med["mbsync_init"], med["olsync_init"] / med["mbsync_init"],
             med["raw"], med["olsync_init"] / med["raw"]))
    print("initial bytes  olsync %d  mbsync %d  ratio %.2f"
          % (med["olsync_bytes"], med["mbsync_bytes"], med["olsync_bytes"] / med["mbsync_bytes"]))
    print("no-change      olsync %.3fs  mbsync %.3fs  ratio %.2f"
          % (med["olsync_resync"], med["mbsync_resync"],
             med["olsync_resync"] / med["mbsync_resync"]))
    print("no-change bytes olsync %d  mbsync %d  ratio %.2f"
          % (med["olsync_resync_bytes"], med["mbsync_resync_bytes"],
             med["olsync_resync_bytes"] / max(1, med["mbsync_resync_bytes"])))


if __name__ == "__main__":
    main()
