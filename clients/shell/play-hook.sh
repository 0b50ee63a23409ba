#!/bin/sh
# Launcher hook: reports a game starting and exiting, so its save shows as "in use on <this
# device> since …" on the dashboard and other devices are warned if they change it meanwhile.
# Knulli / Batocera run every script in /userdata/system/scripts/ with
#   gameStart|gameStop <system> <emulator> <core> <ROM path>
# — copy (or link) this file there. Other launchers: call it the same way, or
#   launch.sh playing <ROM path>   /   launch.sh stopped <ROM path>
RS_DIR=$(cd "$(dirname "$(readlink -f "$0" 2>/dev/null || echo "$0")")" && pwd)
# Copied rather than linked into the launcher's hook folder: the install folder on Knulli / Batocera.
[ -f "$RS_DIR/launch.sh" ] || RS_DIR=${RETROSYNC_DIR:-/userdata/system/retrosync}
case ${1:-} in
  gameStart) [ -n "${5:-}" ] && sh "$RS_DIR/launch.sh" playing "$5" > /dev/null 2>&1 & ;;
  gameStop) sh "$RS_DIR/launch.sh" stopped ${5:+"$5"} > /dev/null 2>&1 & ;;
esac
exit 0
