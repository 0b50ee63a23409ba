#!/bin/sh
# What a firmware's app/pak/port entry runs (one press from the handheld's menu):
#   - paired and stopped → start the daemon and add the boot hook where the firmware has one;
#   - paired and running → stop it;
#   - not paired, with server.txt (the server URL) beside this script → ask the server for a code
#     and write it to data/PAIRING-CODE.txt; type it into the dashboard, and syncing starts.
RS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RS_DIR/lib/common.sh"
mkdir -p "$RS_HOME"
if [ -f "$RS_CONFIG" ]; then
  if sh "$RS_DIR/launch.sh" status > /dev/null 2>&1; then
    sh "$RS_DIR/launch.sh" stop
  else
    sh "$RS_DIR/launch.sh" start && sh "$RS_DIR/launch.sh" install-boot
  fi
  exit 0
fi
url=$(head -n 1 "$RS_DIR/server.txt" 2>/dev/null | tr -d '\r ')
if [ -z "$url" ]; then
  echo "Put your server URL in $RS_DIR/server.txt (or run setup.sh over SSH)" | tee "$RS_HOME/PAIRING-CODE.txt"
  exit 1
fi
(
  sh "$RS_DIR/setup.sh" --server "$url" --device-code --name "$(hostname 2>/dev/null || echo handheld)" > "$RS_HOME/PAIRING-CODE.txt" 2>&1 &&
    sh "$RS_DIR/launch.sh" start && sh "$RS_DIR/launch.sh" install-boot
) > /dev/null 2>&1 &
sleep 3
cat "$RS_HOME/PAIRING-CODE.txt"
