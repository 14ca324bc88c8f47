#!/usr/bin/env python3
"""Benchmark for the download queue: a generated corpus with a realistic size mix on the
fixture Dovecot; side by side in one run:
  - a raw `UID FETCH 1:* BODY.PEEK[]` stream on one connection (the floor),
  - mbsync (isync) into a Maildir,
  - olsync sync --mode full (peak RSS measured),
  - the no-change resync of both,
  - time to one message's body on disk with `olsync fetch` while a full sync with a
    backlog of queued messages runs, against the same fetch on an idle machine.
Writes docs/benchmarks.md-ready lines and a bar chart (SVG, and PNG via ImageMagick).
Not a test: it asserts nothing.

  python3 bench/initial_sync.py [--small 19000 --medium 800 --large 200] [--out DIR]
"""

import argparse
import json
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "fixture"))
from dovecot_fixture import DovecotFixture  # noqa: E402

OLSYNC = os.environ.get("OLS_OLSYNC") or os.path.join(ROOT, "build", "native", "src", "cli",
                                                      "olsync")


def run(cmd, env=None):
    t = time.monotonic()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.monotonic() - t
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd[:3]), p.stderr.decode()[-600:]))
    return dt, p


def raw_stream(fx, user, folder):
    ctx = fx.ssl_context()
    t = time.monotonic()
    total = 0
    with socket.create_connection((fx.host, fx.imaps_port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(b'a LOGIN %s "%s"\r\n' % (user.encode(), fx.users[user].encode()))
            while not f.readline().startswith(b"a "):
                pass
            s.sendall(b"b SELECT %s\r\n" % folder.encode())
            while not f.readline().startswith(b"b "):
                pass
            s.sendall(b"c UID FETCH 1:* BODY.PEEK[]\r\n")
            while True:
                line = f.readline()
                if line.startswith(b"c "):
                    break
                if line.endswith(b"}\r\n"):
                    n = int(line[line.rindex(b"{") + 1:-3])
                    total += n
                    f.read(n)
    return time.monotonic() - t, total


def olsync_config(work, fx, user, name):
    cfg = os.path.join(work, name + ".json")
    with open(cfg, "w") as f:
        json.dump({"account": {"user": user, "password": fx.users[user],
                               "imap": {"host": fx.host, "port": fx.imaps_port,
                                        "security": "tls"}},
                   "tls": {"ca_file": fx.ca_file},
                   "store": {"path": os.path.join(work, name + "-mail")},
                   "log": {"level": "warning"}}, f)
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(work, name + "-state"),
               XDG_CONFIG_HOME=os.path.join(work, name + "-cfg"))
    return cfg, env


def chart(rows, path_svg):
    """Horizontal bars, seconds, one row per measurement."""
    w, bar_h, left = 760, 28, 260
    h = 40 + bar_h * len(rows) + 30
    top = max(v for _, v in rows) or 1
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="DejaVu Sans, sans-serif" font-size="13">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="22" font-size="15">Initial sync and resync, seconds (lower is '
           'better)</text>']
    for i, (label, v) in enumerate(rows):
        y = 40 + i * bar_h
        bw = (w - left - 90) * v / top
        color = "#3b7dd8" if label.startswith("olsync") else "#9aa5b1"
        out.append('<text x="10" y="%d">%s</text>' % (y + 18, label))
        out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                   % (left, y + 4, max(bw, 1), bar_h - 8, color))
        out.append('<text x="%.1f" y="%d">%.2f s</text>' % (left + bw + 6, y + 18, v))
    out.append("</svg>")
    with open(path_svg, "w") as f:
        f.write("\n".join(out))
    png = path_svg[:-4] + ".png"
    if shutil.which("convert"):
        subprocess.run(["convert", path_svg, png], check=False)
    return png


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=19000, help="messages of about 6 KB")
    ap.add_argument("--medium", type=int, default=800, help="messages of about 120 KB")
    ap.add_argument("--large", type=int, default=200, help="messages of about 2 MB")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    a = ap.parse_args()
    res = {}
    with DovecotFixture() as fx:
        user = "alice"
        c = fx.imap(user)
        c.create("Bench")
        c.logout()
        t = time.monotonic()
        for n, size in ((a.large, 2 * 1024 * 1024), (a.medium, 120 * 1024), (a.small, 6 * 1024)):
            if n:
                fx.seed_bulk(user, "Bench", n, size)
        res["seed_s"] = time.monotonic() - t
        total_msgs = a.small + a.medium + a.large
        work = tempfile.mkdtemp(prefix="olsync-bench-")
        try:
            res["raw_s"], res["raw_bytes"] = raw_stream(fx, user, "Bench")
            # mbsync
            mbrc = os.path.join(work, "mbsyncrc")
            mbdir = os.path.join(work, "mbsync-mail")
            os.makedirs(mbdir)
            with open(mbrc, "w") as f:
                f.write("IMAPAccount fx\nHost localhost\nPort %d\nUser %s\nPass \"%s\"\n"
                        "SSLType IMAPS\nCertificateFile %s\n\nIMAPStore remote\nAccount fx\n\n"
                        "MaildirStore local\nInbox %s\nSubFolders Maildir++\n\n"
                        "Channel fx\nFar :remote:\nNear :local:\nPatterns Bench\n"
                        "Create Near\nSyncState *\nSync All\n"
                        % (fx.imaps_port, user, fx.users[user], fx.ca_file, mbdir))
            if shutil.which("mbsync"):
                res["mbsync_s"], _ = run(["mbsync", "-q", "-c", mbrc, "fx"])
                res["mbsync_resync_s"], _ = run(["mbsync", "-q", "-c", mbrc, "fx"])
            # olsync, with peak RSS
            cfg, env = olsync_config(work, fx, user, "full")
            dt, p = run(["/usr/bin/time", "-v", OLSYNC, "sync", "--config", cfg, "--mode",
                         "full", "--folder", "Bench", "--quiet"], env)
            res["olsync_s"] = dt
            m = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
            res["olsync_rss_mb"] = int(m.group(1)) / 1024 if m else None
            res["olsync_resync_s"], _ = run([OLSYNC, "sync", "--config", cfg, "--folder", "Bench",
                                             "--quiet"], env)
            # one message on demand: idle, then under a full sync's backlog
            late_uid = str(total_msgs - 5)
            cfg2, env2 = olsync_config(work, fx, user, "idle")
            run([OLSYNC, "sync", "--config", cfg2, "--mode", "headers", "--folder", "Bench",
                 "--quiet"], env2)
            idle = []
            for uid in (late_uid, str(total_msgs - 6), str(total_msgs - 7)):
                dt, _ = run([OLSYNC, "fetch", "--config", cfg2, "--folder", "Bench", "--uid", uid],
                            env2)
                idle.append(dt)
            res["open_idle_s"] = statistics.median(idle)
            cfg3, env3 = olsync_config(work, fx, user, "loaded")
            bg = subprocess.Popen([OLSYNC, "sync", "--config", cfg3, "--mode", "full", "--folder",
                                   "Bench", "--quiet"], env=env3, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
            waiting = 0
            for _ in range(600):  # until the backlog is queued and draining
                time.sleep(0.1)
                p = subprocess.run([OLSYNC, "status", "--json", "--config", cfg3], env=env3,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                try:
                    waiting = json.loads(p.stdout)["queue"]["waiting"]
                except (ValueError, KeyError):
                    continue
                if waiting > min(10000, total_msgs // 2):
                    break
            loaded = []
            for uid in (late_uid, str(total_msgs - 6), str(total_msgs - 7)):
                dt, _ = run([OLSYNC, "fetch", "--config", cfg3, "--folder", "Bench", "--uid", uid],
                            env3)
                loaded.append(dt)
            res["open_loaded_s"] = statistics.median(loaded)
            res["backlog"] = waiting
            bg.wait()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    res["messages"] = total_msgs
    print(json.dumps(res, indent=1))
    rows = [("raw UID FETCH stream", res["raw_s"]), ("olsync sync --mode full", res["olsync_s"])]
    if "mbsync_s" in res:
        rows.append(("mbsync", res["mbsync_s"]))
        rows.append(("olsync no-change resync", res["olsync_resync_s"]))
        rows.append(("mbsync no-change resync", res["mbsync_resync_s"]))
    png = chart(rows, os.path.join(a.out, "benchmark-initial-sync.svg"))
    print("chart:", png)
    if "mbsync_s" in res:
        print("olsync/raw %.2f  olsync/mbsync %.2f  resync olsync/mbsync %.2f  "
              "open-one loaded/idle %.2f  peak RSS %.1f MB"
              % (res["olsync_s"] / res["raw_s"], res["olsync_s"] / res["mbsync_s"],
                 res["olsync_resync_s"] / res["mbsync_resync_s"],
                 res["open_loaded_s"] / res["open_idle_s"], res["olsync_rss_mb"] or -1))


if __name__ == "__main__":
    main()
