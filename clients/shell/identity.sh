#!/bin/sh
# Save identity from the command line (what the daemon uses, exposed for checking a device):
#   identity.sh detect                      platform, device type, volume, save roots
#   identity.sh identify [FILE…]            path → save key (stdin when no FILE)
#   identity.sh place KEY…                  save key (percent-encoded or plain) → path
#   identity.sh key ENCODED_KEY…            validate keys as the server sends them
# Options: --platform ID  --root DIR  --var k=v  --core sys=core  --rom-root DIR  --size N
RS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RS_DIR/lib/identity.sh"

cmd=$1; [ $# -gt 0 ] && shift
size=""
while [ $# -gt 0 ]; do
  case $1 in
    --platform) RS_PLATFORM=$2; shift 2 ;;
    --root) RS_ROOT=${2%/}; shift 2 ;;
    --var) RS_VARS="${RS_VARS:+$RS_VARS;}$2"; shift 2 ;;
    --core) RS_CORES="${RS_CORES:+$RS_CORES;}$2"; shift 2 ;;
    --rom-root) RS_ROMROOTS="${RS_ROMROOTS:+$RS_ROMROOTS;}$2"; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
RS_STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rsid.XXXXXX") || exit 1
trap 'rm -rf "$RS_STATE_DIR"' EXIT

case $cmd in
  detect)
    rs_detect "${RS_PLATFORM:-}" || { echo "platform	none"; exit 1; }
    printf 'platform\t%s\ndevice_type\t%s\nvolume\t%s\n' "$RS_PLATFORM" "$RS_DEVICE_TYPE" "$RS_VOLUME"
    rs_awk roots
    ;;
  identify|place)
    [ -n "${RS_PLATFORM:-}" ] || { echo "identity.sh: --platform is required" >&2; exit 2; }
    rs_detect "$RS_PLATFORM"
    rs_index_roms
    if [ "$cmd" = identify ]; then
      if [ $# -gt 0 ]; then for f in "$@"; do printf '\t%s\t%s%s\n' "$size" "${RS_ROOT:-}" "$f"; done; else cat; fi | rs_awk identify
    else
      for k in "$@"; do printf "%s\n" "$k"; done | while IFS= read -r k; do
        case $k in *%*) printf "%s\n" "$k" ;; *) printf "%s\n" "$k" | rs_awk encode ;; esac
      done | rs_awk place
    fi
    ;;
  key)
    for k in "$@"; do printf '%s\n' "$k"; done | awk -v T="$RS_TABLES" -v MODE=key -f "$RS_DIR/lib/tables.awk" -f "$RS_DIR/lib/profile.awk" \
      -f "$RS_DIR/lib/keys.awk" -f "$RS_DIR/lib/identify.awk" -f "$RS_DIR/lib/place.awk"
    ;;
  *) echo "usage: identity.sh detect|identify|place|key [options] [args]" >&2; exit 2 ;;
esac
