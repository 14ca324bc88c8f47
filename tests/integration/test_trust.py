#!/usr/bin/env python3
"""`olsync trust` against the throwaway Dovecot: refuse an unknown certificate and show its
fingerprint, pin it with --yes (trust on first use), list and remove pins, and verify the
STARTTLS port against the fixture's CA.

Run: OLS_OLSYNC=build/native/src/cli/olsync python3 tests/integration/test_trust.py
Standard library only; skipped when dovecot is not installed.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixture"))

import dovecot_fixture as dfx  # noqa: E402
from dovecot_fixture import DovecotFixture  # noqa: E402

OLSYNC = os.environ.get("OLS_OLSYNC") or os.path.join(ROOT, "build", "native", "src", "cli",
                                                      "olsync")
HAVE_DOVECOT = dfx._find_tool("dovecot") is not None
PIN_RE = re.compile(r"sha256/[A-Za-z0-9+/]{43}=")


def spki_pin_of(cert_file):
    """The SPKI pin computed with the openssl tool, independent of olsync; None if absent."""
    tool = shutil.which("openssl")
    if not tool:
        return None
    pub = subprocess.run([tool, "x509", "-in", cert_file, "-noout", "-pubkey"],
                         capture_output=True, check=True).stdout
    der = subprocess.run([tool, "pkey", "-pubin", "-outform", "DER"], input=pub,
                         capture_output=True, check=True).stdout
    return "sha256/" + base64.b64encode(hashlib.sha256(der).digest()).decode()


@unittest.skipUnless(HAVE_DOVECOT, "dovecot is not installed")
@unittest.skipUnless(os.path.exists(OLSYNC), "olsync is not built (%s)" % OLSYNC)
class TrustTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.f = DovecotFixture(seed=False)
        cls.f.start()
        cls.tmp = tempfile.mkdtemp(prefix="olsync-trust-")
        cls.env = dict(os.environ)
        for k in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
            cls.env[k] = os.path.join(cls.tmp, k.lower())
        cls.env["HOME"] = cls.tmp
        cls.pin_file = os.path.join(cls.env["XDG_STATE_HOME"], "olsync", "trust.json")
        cls.hostport = "%s:%d" % (cls.f.host, cls.f.imaps_port)

    @classmethod
    def tearDownClass(cls):
        cls.f.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def config(self, name, port, security, ca_file=None):
        cfg = {"account": {"imap": {"host": self.f.host, "port": port, "security": security}},
               "net": {"timeout_s": 20}}
        if ca_file:
            cfg["tls"] = {"ca_file": ca_file}
        path = os.path.join(self.tmp, name + ".json")
        with open(path, "w") as fh:
            json.dump(cfg, fh)
        return path

    def olsync(self, *args):
        p = subprocess.run([OLSYNC] + list(args), env=self.env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout + p.stderr

    def pins(self):
        rc, out = self.olsync("trust", "--list", "--json")
        self.assertEqual(rc, 0, out)
        return [(e["server"], e["pin"]) for e in json.loads(out)]

    def test_1_tofu_on_implicit_tls(self):
        cfg = self.config("tls-noca", self.f.imaps_port, "tls")
        rc, out = self.olsync("trust", "--config", cfg)
        self.assertNotEqual(rc, 0, "an unknown CA must be refused:\n" + out)
        self.assertIn("NOT TRUSTED", out)
        m = PIN_RE.search(out)
        self.assertIsNotNone(m, "no fingerprint shown:\n" + out)
        pin = m.group(0)
        cert = getattr(self.f, "server_cert", None)
        expected = spki_pin_of(cert) if cert and os.path.exists(cert) else None
        if expected:
            self.assertEqual(pin, expected)
        self.assertIn("CN=localhost", out)
        self.assertEqual(self.pins(), [], "refusing must not pin")

        rc, out = self.olsync("trust", "--config", cfg, "--yes")
        self.assertEqual(rc, 0, out)
        self.assertIn("Pinned " + pin, out)
        self.assertEqual(self.pins(), [(self.hostport, pin)])
        rc, out = self.olsync("trust", "--list")
        self.assertEqual(rc, 0, out)
        self.assertIn(self.hostport, out)
        self.assertIn(pin, out)
        if os.name == "posix":
            self.assertEqual(os.stat(self.pin_file).st_mode & 0o077, 0, "pin file not private")

        # the pin now stands in for the missing CA
        rc, out = self.olsync("trust", "--config", cfg)
        self.assertEqual(rc, 0, out)
        self.assertIn("already pinned", out)

        # a pin is for one host:port only: the STARTTLS port is still unknown
        cfg_st = self.config("starttls-noca", self.f.imap_port, "starttls")
        rc, out = self.olsync("trust", "--config", cfg_st)
        self.assertNotEqual(rc, 0, out)
        self.assertIn(pin, out)

        rc, out = self.olsync("trust", "--remove", self.hostport)
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.pins(), [])
        rc, out = self.olsync("trust", "--config", cfg)
        self.assertNotEqual(rc, 0, "refused again after --remove:\n" + out)
        rc, out = self.olsync("trust", "--remove", self.hostport)
        self.assertNotEqual(rc, 0, "removing twice must fail:\n" + out)

    def test_2_starttls_verified_with_ca_file(self):
        cfg = self.config("starttls-ca", self.f.imap_port, "starttls", self.f.ca_file)
        rc, out = self.olsync("trust", "--config", cfg)
        self.assertEqual(rc, 0, out)
        self.assertIn("trusted (verified chain and host name)", out)
        self.assertIsNotNone(PIN_RE.search(out), out)
        self.assertEqual(self.pins(), [], "a verified certificate needs no pin")

    def test_3_starttls_wrong_ca_refused(self):
        cfg = self.config("starttls-rogue", self.f.imap_port, "starttls", self.f.bad_ca_file)
        rc, out = self.olsync("trust", "--config", cfg)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("NOT TRUSTED", out)

    def test_4_remove_by_pin_and_plain(self):
        cfg = self.config("tls-noca2", self.f.imaps_port, "tls")
        rc, out = self.olsync("trust", "--config", cfg, "--yes")
        self.assertEqual(rc, 0, out)
        pin = PIN_RE.search(out).group(0)
        rc, out = self.olsync("trust", "--remove", pin)
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.pins(), [])
        cfg = self.config("plain", self.f.imap_port, "plain")
        rc, out = self.olsync("trust", "--config", cfg)
        self.assertEqual(rc, 78, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
