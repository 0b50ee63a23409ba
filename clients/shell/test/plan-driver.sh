#!/bin/sh
# Test driver: one vector per line on stdin (TAB-separated, "-" for null), "<action> <version>" out.
RS_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$RS_DIR/lib/plan.sh"
n() { [ "$1" = - ] && echo "" || echo "$1"; }
while IFS=$(printf '\t') read -r l b h sv ss rv rs rd; do
  rs_plan "$(n "$l")" "$(n "$b")" "$(n "$h")" "$(n "$sv")" "$(n "$ss")" "$(n "$rv")" "$(n "$rs")" "$(n "$rd")"
  echo "$PLAN${PLAN_V:+ $PLAN_V}"
done
