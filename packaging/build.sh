#!/usr/bin/env bash
# Build the one-folder desktop app with PyInstaller, then smoke-run the built binary:
# --version, the CLI, the body-format worker, and a headless window start that quits by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/pip install -q -c constraints.txt -e ".[package]"
$BIN/python packaging/make_icons.py
$BIN/pyinstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/tokendesk.spec

APP=dist/tokendesk/tokendesk
SMOKE=$(mktemp -d)
trap 'rm -rf "$SMOKE"' EXIT
export XDG_CONFIG_HOME="$SMOKE/config" XDG_DATA_HOME="$SMOKE/data" XDG_RUNTIME_DIR="$SMOKE"
unset DISPLAY WAYLAND_DISPLAY
export DBUS_SESSION_BUS_ADDRESS="unix:path=$SMOKE/no-bus"   # never the developer's keychain

echo "== smoke: --version"
"$APP" --version
echo "== smoke: the command line"
"$APP" profile list --json
echo "== smoke: the body-format worker"
printf '{"a": [1, 2, {"b": "c"}]}' > "$SMOKE/body.json"
mkdir "$SMOKE/view"
"$APP" --format-worker "$SMOKE/body.json" "$SMOKE/view" json
grep -q '"b": "c"' "$SMOKE/view/pretty.txt"
echo "== smoke: a headless window that quits by itself"
QT_QPA_PLATFORM=offscreen timeout 60 "$APP" --self-test
echo "== package ready: $APP ($(du -sh dist/tokendesk | cut -f1))"
