#!/bin/sh
# The local half of one daemon pass, timed by shell.bench.ts: stat every file under the save
# roots, identify them, diff against the state. Prints "<saves> <changed> <ms>" (ms from
# /proc/uptime, 10 ms resolution: busybox date has no %N).
RS_DIR=$(cd "$(dirname "$0")/../../clients/shell" && pwd)
. "$RS_DIR/lib/common.sh"
. "$RS_DIR/lib/identity.sh"
. "$RS_DIR/lib/scan.sh"
rs_config_load || exit 2
RS_STATE_DIR=$RS_HOME/run; RS_TMP=$RS_STATE_DIR; RS_PICK_VOLUME=1
mkdir -p "$RS_TMP"
rs_detect "$RS_PLATFORM" || exit 2
t0=$(cut -d " " -f 1 /proc/uptime)
rs_scan
t1=$(cut -d " " -f 1 /proc/uptime)
echo "$RS_SCANNED $(grep -c . "$RS_TMP/changed") $(echo "$t0 $t1" | awk "{ printf \"%d\", (\$2 - \$1) * 1000 }")"
