#!/bin/sh
# Renders every tab of the Settings dialog and of the Notification Center under Xvfb + Wine
# and writes docs/screenshots/settings-<tab>.png and notification-<tab>.png.
#
# The numbers are real: each window is opened by ols_ui_demo after a pass of the sync
# engine against the throwaway Dovecot fixture (tests/fixture/dovecot_fixture.py), and the
# Login tab's Test connection logs in to that server (STARTTLS, its test CA). The one thing the fixture cannot produce
# is a failing message, so the ignored-items picture shows two INBOX messages whose three
# failures ols_ui_demo records in the real sync state (the reason column says so).
#
#   scripts/screenshots.sh [BUILD_DIR]     default build/windows (configured if needed)
#
# Needs: xvfb-run, ImageMagick (import), wine, python3 and the fixture's Dovecot
# packages. Uses its own Wine prefix (OLS_SHOTS_WINEPREFIX, default
# ~/.cache/olsync-wine-shots) because it changes two things there: Wine draws the title
# bars itself (there is no window manager under Xvfb), and Wine's own Tahoma and Marlett
# fonts go into its Fonts folder (this Wine build does not find them by itself, and
# without Marlett the close button shows a letter).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = "--inside" ]; then
    # ---- inside the fixture and Xvfb: OLS_TEST_* are set, DISPLAY is Xvfb's ----
    demo=$2 out=$3 work=$4
    cat >"$work/config.json" <<EOF
{"account": {"email": "$OLS_TEST_USER@example.org", "user": "$OLS_TEST_USER", "discover": false,
  "imap": {"host": "$OLS_TEST_IMAP_HOST", "port": $OLS_TEST_IMAP_PORT, "security": "starttls"},
  "smtp": {"host": "", "port": 587, "security": "starttls"}},
 "tls": {"ca_file": "Z:$OLS_TEST_CA_FILE"},
 "ui": {"sound": true, "read_receipts": true},
 "sync": {"standard_interval_min": 15},
 "log": {"level": "info"}}
EOF
    # what an administrator's provisioning looks like: these two are greyed
    cat >"$work/locked.json" <<EOF
{"sync": {"priority_interval_min": 5}, "log": {"keep_days": 30}}
EOF
    sed 's/"ui": {/"ui": {"language": "de", /' "$work/config.json" >"$work/config-de.json"
    common="--config Z:$work/config.json --locked Z:$work/locked.json --sync"

    # shot NAME ARGS...: open the window, wait until it says it is ready, crop it out
    shot() {
        name=$1
        shift
        rm -f "$work/ready"
        wine "$demo" "$@" --ready "Z:$work/ready" </dev/null >"$work/$name.log" 2>&1 &
        pid=$!
        i=0
        while [ ! -s "$work/ready" ] && [ $i -lt 300 ]; do
            sleep 0.2
            i=$((i + 1))
        done
        if [ ! -s "$work/ready" ]; then
            kill "$pid" 2>/dev/null || true
            echo "screenshots: $name did not get ready; its output:" >&2
            cat "$work/$name.log" >&2
            return 1
        fi
        sleep 0.5 # the last paint after the ready mark
        read -r x y w h <"$work/ready"
        import -window root -crop "${w}x${h}+${x}+${y}" +repage "$out/$name.png"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "  $out/$name.png (${w}x${h})"
    }

    shot settings-login settings --tab 0 $common --test-connection
    shot settings-advanced settings --tab 1 $common
    shot settings-synchronization settings --tab 2 $common
    shot settings-appearance settings --tab 3 $common
    shot settings-license settings --tab 4 $common
    shot settings-logs settings --tab 5 $common
    shot settings-about settings --tab 6 $common
    shot settings-login-invalid-port settings --tab 0 $common --invalid-port
    shot notification-current notify --tab 0 $common
    shot notification-session-log notify --tab 1 $common --select -1
    shot notification-ignored notify --tab 2 $common --mark-ignored 2
    # the German texts (ui.language = de)
    shot notification-current-de notify --tab 0 --config "Z:$work/config-de.json" --sync
    exit 0
fi

build=${1:-$root/build/windows}
out=$root/docs/screenshots
for tool in xvfb-run import wine python3; do
    command -v "$tool" >/dev/null || {
        echo "screenshots: $tool is missing (apt-get install xvfb imagemagick wine python3)" >&2
        exit 1
    }
done

# build the demo if needed
if [ ! -f "$build/CMakeCache.txt" ]; then
    export OLS_WIN_DEPS=${OLS_WIN_DEPS:-$("$root/scripts/build-win-deps.sh" | tail -1)}
    (cd "$root" && cmake --preset windows -B "$build")
fi
cmake --build "$build" -j2 --target ols_ui_demo
demo=$build/tests/win32/ols_ui_demo.exe
[ -f "$demo" ] || { echo "screenshots: no $demo (is the sync engine built?)" >&2; exit 1; }

# the private Wine prefix
export OLS_WINEPREFIX=${OLS_SHOTS_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/olsync-wine-shots}
. "$root/scripts/wine-env.sh"
wine reg add 'HKCU\Software\Wine\X11 Driver' /v Decorated /t REG_SZ /d N /f >/dev/null 2>&1
fonts=$WINEPREFIX/drive_c/windows/Fonts
mkdir -p "$fonts"
for f in tahoma.ttf tahomabd.ttf marlett.ttf; do
    for d in /usr/share/wine/fonts /usr/lib/wine/fonts /opt/wine-stable/share/wine/fonts; do
        if [ -f "$d/$f" ] && [ ! -f "$fonts/$f" ]; then
            cp "$d/$f" "$fonts/"
        fi
    done
done
wineserver -w

work=$(mktemp -d "${TMPDIR:-/tmp}/olsync-shots.XXXXXX")
chmod 755 "$work" # the fixture's unprivileged Dovecot never reads it, but be plain
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
echo "screenshots: rendering into $out"
python3 "$root/tests/fixture/dovecot_fixture.py" run -- \
    xvfb-run -a -s "-screen 0 1280x1024x24" sh "$0" --inside "$demo" "$out" "$work"
wineserver -k 2>/dev/null || true
