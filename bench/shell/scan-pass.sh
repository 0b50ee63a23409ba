#!/bin/sh
# The local half of one daemon pass, timed by shell.bench.ts: stat every file under the save
# roots, identify them, diff against the state. Prints "<saves> <changed> <wall ms> <cpu ms>
# <idle wall ms> <idle cpu ms>" (the second pair: a pass whose listing did not change):
# wall from /proc/uptime (10 ms resolution: busybox date has no %N), CPU = user + sys of the
# pass's processes (from the shell's `times`), which a loaded shared machine does not inflate.
RS_DIR=$(cd "$(dirname "$0")/../../clients/shell" && pwd)
. "$RS_DIR/lib/common.sh"
. "$RS_DIR/lib/identity.sh"
. "$RS_DIR/lib/scan.sh"
rs_config_load || exit 2
RS_STATE_DIR=$RS_HOME/run; RS_TMP=$RS_STATE_DIR; RS_PICK_VOLUME=1
mkdir -p "$RS_TMP"
rs_detect "$RS_PLATFORM" || exit 2
rs_index_roms  # the daemon refreshes the ROM index every 10 minutes, not every pass
# `times` must run in this shell (not a $(…) subshell) to see this shell's children.
cpu() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }' "$1"; }
ms() { echo "$1 $2" | awk '{ printf "%d", ($2 - $1) * 1000 }'; }
# 1. a full pass: every save identified and diffed against the state (the idle shortcut off)
rs_scan_reset
times > "$RS_TMP/times0"; t0=$(cut -d " " -f 1 /proc/uptime)
rs_scan
t1=$(cut -d " " -f 1 /proc/uptime); times > "$RS_TMP/times1"
full="$RS_SCANNED $(grep -c . "$RS_TMP/changed") $(ms "$t0" "$t1") $(( $(cpu "$RS_TMP/times1") - $(cpu "$RS_TMP/times0") ))"
# 2. the next idle pass: the listing is unchanged since a pass with nothing left to do
rs_scan_done
times > "$RS_TMP/times0"; t0=$(cut -d " " -f 1 /proc/uptime)
rs_scan
t1=$(cut -d " " -f 1 /proc/uptime); times > "$RS_TMP/times1"
echo "$full $(ms "$t0" "$t1") $(( $(cpu "$RS_TMP/times1") - $(cpu "$RS_TMP/times0") ))"
