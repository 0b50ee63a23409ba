#!/bin/sh
# RetroSync sync daemon for busybox handhelds: scan → upload → long poll (the wait is the loop
# interval) → verified downloads; heartbeat every 60 s; exponential backoff when offline.
#   daemon.sh           run until stopped (launch.sh start runs this in the background)
#   daemon.sh --once    one pass; exit 0 = in sync, 1 = some saves failed, 2 = not set up,
#                       3 = server unreachable
RS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RS_DIR/lib/common.sh"
. "$RS_DIR/lib/identity.sh"
. "$RS_DIR/lib/rzip.sh"
. "$RS_DIR/lib/scan.sh"
. "$RS_DIR/lib/fetch.sh"

once=""
for a in "$@"; do
  case $a in
    --once) once=1 ;;
    -v|--verbose) RS_VERBOSE=1 ;;
    *) echo "usage: daemon.sh [--once] [--verbose]" >&2; exit 2 ;;
  esac
done

rs_require || exit 2
rs_config_load || rs_die "not set up: run setup.sh first (config: $RS_CONFIG)"
RS_INTERVAL=${RS_INTERVAL:-5}
RS_STATE_DIR=$RS_HOME/run
mkdir -p "$RS_STATE_DIR" || rs_die "cannot write $RS_STATE_DIR"
RS_TMP=$RS_STATE_DIR
RS_PICK_VOLUME=1
rs_detect "${RS_PLATFORM:-}" || rs_die "no known firmware found; run setup.sh --platform ID"

# One daemon at a time: mkdir is atomic (no flock in common busybox builds).
RS_LOCK=$RS_HOME/daemon.lock
if [ -z "$once" ]; then
  if ! mkdir "$RS_LOCK" 2>/dev/null; then
    _other=$(cat "$RS_LOCK/pid" 2>/dev/null)
    if [ -n "$_other" ] && kill -0 "$_other" 2>/dev/null; then rs_die "already running (pid $_other)"; fi
    rm -rf "$RS_LOCK"; mkdir "$RS_LOCK" || rs_die "cannot take $RS_LOCK"
  fi
  echo $$ > "$RS_LOCK/pid"
  trap 'rm -rf "$RS_LOCK"; rs_log info "daemon stopped"; exit 0' INT TERM
  trap 'rm -rf "$RS_LOCK"' EXIT
  trap '' HUP
fi

rs_heartbeat() {
  if rs_http POST /api/sync/heartbeat -H 'Content-Type: application/json' \
      -d "{\"clientVersion\":\"sh-$RS_VERSION\",\"platform\":$(rs_json_str "$RS_PLATFORM")}"; then
    RS_LAST_BEAT=$(rs_now); return 0
  fi
  [ "$RS_CODE" = 401 ] && rs_log error "heartbeat: the server no longer knows this device; run setup.sh again"
  [ "$RS_CODE" = 000 ] && RS_OFFLINE=1
  return 1
}

# One pass: local changes up, then remote changes down (waiting up to $1 s for them).
rs_pass() {
  RS_FAILED=0; RS_OFFLINE=""; RS_PENDING=""
  _age=$(( $(rs_now) - ${RS_LAST_ROMS:-0} ))
  if [ "$_age" -ge 600 ]; then rs_index_roms; rs_scan_reset; RS_LAST_ROMS=$(rs_now); fi
  rs_scan
  rs_upload_changed
  [ -n "$RS_OFFLINE" ] && return 3
  [ "$RS_FAILED" -eq 0 ] && [ -z "$RS_PENDING" ] && rs_scan_done
  rs_poll "$1" || { [ -n "$RS_OFFLINE" ] && return 3; RS_FAILED=$((RS_FAILED + 1)); }
  # Downloads changed files on disk: record them so the next scan does not re-upload.
  [ "$RS_FAILED" -eq 0 ] && return 0
  return 1
}

rs_log info "daemon start: platform $RS_PLATFORM (${RS_DEVICE_TYPE:-other}), server $RS_SERVER"
if [ -n "$once" ]; then
  rs_heartbeat || { [ "$RS_CODE" = 000 ] && { echo "retrosync: server unreachable" >&2; exit 3; }; }
  rs_pass 0; status=$?
  case $status in
    0) echo "retrosync: in sync ($RS_SCANNED saves${RS_PENDING:+; $RS_PENDING still being written, taken next pass})" ;;
    1) echo "retrosync: $RS_FAILED problem(s); see $RS_LOG" >&2 ;;
    3) echo "retrosync: server unreachable" >&2 ;;
  esac
  exit $status
fi

backoff=1
RS_LAST_BEAT=0
while :; do
  if [ $(( $(rs_now) - RS_LAST_BEAT )) -ge "${RS_HEARTBEAT:-60}" ]; then rs_heartbeat; fi
  rs_pass "$RS_INTERVAL"; status=$?
  if [ $status -eq 3 ]; then
    rs_log warn "offline; retrying in ${backoff}s"
    sleep "$backoff"
    backoff=$((backoff * 2)); [ $backoff -gt 60 ] && backoff=60
  else
    backoff=1
    # A failed pass (e.g. a bad download) must not spin: wait one interval before retrying.
    [ $status -ne 0 ] && sleep "$RS_INTERVAL"
  fi
done
