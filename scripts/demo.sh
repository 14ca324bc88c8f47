#!/usr/bin/env bash
# The demo: installs what is missing, builds both targets, starts a throwaway Dovecot with
# seeded mail and groupware, and runs what olsync can do end to end against it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "${1:-}" != "--inner" ]; then
  [ -n "${OLS_SKIP_INSTALL:-}" ] || bash scripts/install-deps.sh
  bash scripts/build.sh
  exec python3 tests/fixture/dovecot_fixture.py run -- bash "$0" --inner
fi

# ---- inside the fixture: OLS_TEST_* describe the throwaway server ----
olsync=$root/build/native/src/cli/olsync
olsync_exe=$root/build/windows/src/cli/olsync.exe
demo=$(mktemp -d /tmp/olsync-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
export XDG_CONFIG_HOME=$demo/config XDG_STATE_HOME=$demo/state XDG_DATA_HOME=$demo/data
cfg=$demo/config.json
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "throwaway Dovecot on 127.0.0.1:$OLS_TEST_IMAP_PORT (STARTTLS) and :$OLS_TEST_IMAPS_PORT (TLS), user $OLS_TEST_USER"

step "olsync version (native, static Windows build under Wine)"
"$olsync" version
. "$root/scripts/wine-env.sh"
wine "$olsync_exe" version 2>/dev/null | tr -d '\r' | head -1

step "configure the account (settings file $cfg)"
"$olsync" settings set account.user "$OLS_TEST_USER" --config "$cfg"
"$olsync" settings set account.imap.host "$OLS_TEST_IMAP_HOST" --config "$cfg"
"$olsync" settings set account.imap.port "$OLS_TEST_IMAP_PORT" --config "$cfg"
"$olsync" settings set tls.ca_file "$OLS_TEST_CA_FILE" --config "$cfg"
"$olsync" settings set store.path "$demo/Mail" --config "$cfg"
if ! "$olsync" settings set account.imap.port 70000 --config "$cfg"; then
  echo "(a bad value is refused and nothing is saved)"
fi
printf '%s\n' "$OLS_TEST_PASSWORD" | "$olsync" secret set --config "$cfg"
"$olsync" secret check --config "$cfg"
echo "settings file (no password in it):"
cat "$cfg"

if "$olsync" --help | grep -q '^  pop3'; then
  step "local POP3 stub: Outlook's profile account always sees an empty mailbox"
  "$olsync" settings set pop3.port 15110 --config "$cfg"
  "$olsync" settings set pop3.port_max 15130 --config "$cfg"
  "$olsync" pop3 --config "$cfg" > "$demo/pop3.out" 2>&1 &
  pop3_pid=$!
  for _ in $(seq 50); do grep -q 'listening on' "$demo/pop3.out" && break; sleep 0.1; done
  cat "$demo/pop3.out"
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$demo/pop3.out" | head -1)
  python3 - "$port" "$OLS_TEST_USER" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
print(p.getwelcome().decode())
p.user(sys.argv[2]); p.pass_("anything")
print("STAT ->", p.stat())
p.quit()
PY
  kill "$pop3_pid" 2>/dev/null || true
  wait "$pop3_pid" 2>/dev/null || true
fi

step "first sync: the seeded server -> a local Maildir at $demo/Mail"
"$olsync" sync --config "$cfg"
"$olsync" status --config "$cfg"

step "on the server: a new message arrives, another is flagged"
python3 - "$OLS_TEST_IMAPS_PORT" "$OLS_TEST_USER" "$OLS_TEST_PASSWORD" "$OLS_TEST_CA_FILE" <<'PY'
import imaplib, ssl, sys, time
port, user, pw, ca = sys.argv[1:5]
c = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ssl.create_default_context(cafile=ca))
c.login(user, pw)
msg = ("From: Demo <demo@example.org>\r\nTo: %s\r\nSubject: Hello from the demo\r\n"
       "Message-ID: <demo.%d@example.org>\r\n\r\nThis one arrived after the first sync.\r\n"
       % (user, time.time_ns())).encode()
c.append("INBOX", None, None, msg)
c.select("INBOX")
c.uid("STORE", "1", "+FLAGS", "(\\Flagged)")
c.logout()
print("appended 'Hello from the demo' to INBOX and flagged UID 1")
PY

step "second sync: only the change travels (QRESYNC)"
"$olsync" sync --config "$cfg"
grep -l "Hello from the demo" "$demo"/Mail/new/* "$demo"/Mail/cur/* 2>/dev/null | head -1 | sed 's/^/arrived: /'

step "a local change goes back: mark everything in INBOX as read here"
for f in "$demo"/Mail/new/*; do [ -e "$f" ] && mv "$f" "$demo/Mail/cur/$(basename "$f"):2,S"; done
"$olsync" sync --config "$cfg"

step "the same engine as olsync.exe under Wine: a fresh Maildir from the same server"
wine_cfg=$demo/wine-config.json
sed "s|$demo/Mail|$demo/WineMail|" "$cfg" > "$wine_cfg"
printf '%s\n' "$OLS_TEST_PASSWORD" | wine "$olsync_exe" secret set --config "$wine_cfg" 2>/dev/null
wine "$olsync_exe" sync --config "$wine_cfg" 2>/dev/null | tr -d '\r' | tail -1
echo "Maildir written by olsync.exe: $(find "$demo/WineMail" -type f -path '*/cur/*' -o -type f -path '*/new/*' | wc -l) messages"

step "support bundle of the last two days' logs"
"$olsync" logs zip --out "$demo/support.zip" --config "$cfg"
python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(z.namelist()); z.testzip()" "$demo/support.zip"
echo
echo "demo finished"
