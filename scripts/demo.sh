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

if "$olsync" --help | grep -q '^  sync'; then
  step "first sync: server -> $demo/Mail"
  "$olsync" sync --config "$cfg"
  step "a change on the server arrives on the next run"
  python3 "$root/tests/fixture/dovecot_fixture.py" append --env-from-environment \
    --user "$OLS_TEST_USER" --folder INBOX --subject "Hello from the demo" 2>/dev/null || true
  "$olsync" sync --config "$cfg"
  "$olsync" status --config "$cfg"
fi

step "support bundle of the last two days' logs"
"$olsync" logs zip --out "$demo/support.zip" --config "$cfg"
python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(z.namelist()); z.testzip()" "$demo/support.zip"
echo
echo "demo finished"
