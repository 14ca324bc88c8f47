"""Shared by the installer tests: a throwaway Wine prefix, Windows programs run in it,
its registry read through reg.exe, PE headers, and a fake IMAP greeting (standard library
only). Every check is an assertion that can fail; none measures time."""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time


class Checks:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s" % what, file=sys.stderr, flush=True)
        return cond

    def eq(self, got, want, what):
        return self.ok(got == want, "%s: %r, expected %r" % (what, got, want))

    def done(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed), flush=True)
        return 1 if self.failed or not self.passed else 0


def env_path(name):
    v = os.environ.get(name, "")
    if not v:
        sys.exit("%s is not set (run through ctest)" % name)
    return v


class Prefix:
    """A fresh 64-bit Wine prefix in a temporary folder, removed at the end unless a
    check failed (then its path is printed for a look)."""

    def __init__(self, checks):
        self.checks = checks
        self.dir = tempfile.mkdtemp(prefix="olsync-wine-")
        self.env = dict(os.environ, WINEPREFIX=self.dir, WINEARCH="win64", WINEDEBUG="-all",
                        WINEDLLOVERRIDES="mscoree,mshtml=")
        self.env.pop("WINESERVER", None)
        subprocess.run(["wineboot", "-i"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=600)
        subprocess.run(["wineserver", "-w"], env=self.env, timeout=600)
        # one wineserver for the whole test, not one per program started
        subprocess.run(["wineserver", "-p"], env=self.env, timeout=60,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        out = self.run(["cmd", "/c", "echo %APPDATA%;%LOCALAPPDATA%;%USERPROFILE%"]).stdout
        self.appdata, self.localappdata, self.profile = out.strip().split(";")

    def run(self, args, timeout=300, env=None):
        """Runs a Windows program; output through files, not pipes: Wine's own helper
        processes (services, explorer) live on with the wineserver and would hold a pipe
        open, so waiting for its end would wait for them."""
        e = dict(self.env)
        if env:
            e.update(env)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            r = subprocess.run(["wine"] + list(args), env=e, stdin=subprocess.DEVNULL,
                               stdout=out, stderr=err, timeout=timeout)
            out.seek(0)
            err.seek(0)
            r.stdout = out.read().decode("utf-8", "replace")
            r.stderr = err.read().decode("utf-8", "replace")
        return r

    def host(self, winpath):
        """The Linux path of a C: path in this prefix."""
        p = winpath.replace("\\", "/")
        if not re.match(r"^[cC]:/", p):
            raise ValueError(winpath)
        return os.path.join(self.dir, "drive_c", p[3:])

    @staticmethod
    def win(path):
        """A Linux path as Wine sees it (drive Z:)."""
        return "Z:" + os.path.abspath(path).replace("/", "\\")

    def reg_query(self, key, view=64):
        """{value name: (type, data)} of one key, or None when the key is not there.
        The default value is named ''."""
        r = self.run(["reg", "query", key, "/reg:%d" % view])
        if r.returncode != 0:
            return None
        values = {}
        for line in r.stdout.splitlines():
            m = re.match(r"^    (.*?)    (REG_\w+)(?:    (.*))?$", line)
            if m:
                name = "" if m.group(1) == "(Default)" else m.group(1)
                values[name] = (m.group(2), (m.group(3) or "").rstrip("\r"))
        return values

    def reg_value(self, key, name, view=64):
        v = self.reg_query(key, view)
        return None if v is None or name not in v else v[name][1]

    def reg_add(self, key, name, data, kind="REG_SZ", view=64):
        args = ["reg", "add", key, "/v", name, "/t", kind, "/d", data, "/f", "/reg:%d" % view]
        if name == "":
            args = ["reg", "add", key, "/ve", "/t", kind, "/d", data, "/f", "/reg:%d" % view]
        r = self.run(args)
        self.checks.ok(r.returncode == 0, "reg add %s %s: %s" % (key, name, r.stderr.strip()))

    def reg_delete(self, key, view=64):
        self.run(["reg", "delete", key, "/f", "/reg:%d" % view])

    def close(self):
        # stop the (persistent) wineserver and wait until it has written its last
        subprocess.run(["wineserver", "-k"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        subprocess.run(["wineserver", "-w"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        if self.checks.failed:
            print("Wine prefix kept for a look: %s" % self.dir, file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def pe_machine(path):
    """'x64', 'x86' or what else the PE header says (None when not a PE file)."""
    try:
        with open(path, "rb") as f:
            data = f.read(4096)
        off = struct.unpack_from("<I", data, 0x3C)[0]
        if data[off:off + 4] != b"PE\0\0":
            return None
        machine = struct.unpack_from("<H", data, off + 4)[0]
        return {0x8664: "x64", 0x14C: "x86"}.get(machine, hex(machine))
    except (OSError, struct.error):
        return None


class FakeImap:
    """Greets every connection as an IMAP server would, then closes it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            try:
                c.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] test server ready\r\n")
                time.sleep(0.2)
            finally:
                c.close()

    def close(self):
        self.sock.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def read_text(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return ""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    return data.decode("cp1252", errors="replace")
