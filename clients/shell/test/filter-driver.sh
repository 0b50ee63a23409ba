#!/bin/sh
# Test driver: filter files as arguments, one percent-encoded key per line on stdin; prints the
# key with 1 (syncs) or 0.
RS_DIR=$(cd "$(dirname "$0")/.." && pwd)
_f=""; for a in "$@"; do _f="${_f:+$_f$(printf '\037')}$a"; done
awk -v T="$RS_DIR/tables" -v FILTERS="$_f" -v WANT=mark -f "$RS_DIR/lib/tables.awk" -f "$RS_DIR/lib/keys.awk" -f "$RS_DIR/lib/filter.awk"
