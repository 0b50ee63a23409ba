#!/bin/sh
# RetroSync sync daemon for busybox handhelds. Idle, it costs next to nothing: a long poll is held
# in the background (RS_POLL_WAIT, 50 s; a remote change ends it at once and wakes the loop by
# SIGUSR1), and every RS_SCAN_INTERVAL (5) s one `find -newer` asks whether anything under the save
# folders moved since the last full scan; only then does a full scan → upload run. Downloads are
# applied in the foreground, between scans. Heartbeat every 60 s; exponential backoff when offline.
# Status for the app: $RS_HOME/status; "sync now": touch $RS_HOME/sync-now (+ SIGUSR1), see README.
#   daemon.sh           run until stopped (launch.sh start runs this in the background)
#   daemon.sh --once    one pass; exit 0 = in sync, 1 = some saves failed, 2 = not set up,
#                       3 = server unreachable
RS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RS_DIR/lib/common.sh"
. "$RS_DIR/lib/identity.sh"
. "$RS_DIR/lib/rzip.sh"
. "$RS_DIR/lib/scan.sh"
. "$RS_DIR/lib/fetch.sh"
. "$RS_DIR/lib/status.sh"
. "$RS_DIR/lib/lease.sh"

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

rs_beat() {
  rs_http POST /api/sync/heartbeat -H 'Content-Type: application/json' \
    -d "{\"clientVersion\":\"sh-$RS_VERSION\",\"platform\":$(rs_json_str "$RS_PLATFORM")}"
}

# Check-in; also settles or runs a key rotation and refreshes the saves in use (status file).
rs_heartbeat() {
  RS_ROTATED=""
  if ! rs_beat && [ "$RS_CODE" = 401 ]; then
    # `launch.sh rotate-key` may have changed the key while this daemon ran: read the config again.
    _was=$RS_API_KEY; rs_config_load
    [ "$RS_API_KEY" != "$_was" ] && rs_beat
  fi
  case $RS_CODE in
    2??)
      # The dashboard asked for a new key: rotate now (two steps; see lib/lease.sh).
      if grep -q '"keyRotation":"requested"' "$RS_TMP/body" 2>/dev/null; then
        if rs_rotate_key; then RS_ROTATED=1; rs_log info "API key rotated as asked in the dashboard"; fi
      fi
      rs_leases_fetch || true
      return 0 ;;
  esac
  [ "$RS_CODE" = 401 ] && rs_log error "heartbeat: the server no longer knows this device; run setup.sh again"
  [ "$RS_CODE" = 000 ] && RS_OFFLINE=1
  return 1
}

# Claims the play lease on the saves this pass uploaded after the watcher saw them change.
rs_claim_uploaded() {
  [ -n "${RS_CLAIM_KEYS:-}" ] || return 0
  set -f
  # shellcheck disable=SC2086
  rs_lease_claim write $RS_CLAIM_KEYS
  set +f
  RS_CLAIM_KEYS=""
}

# One pass: local changes up, then remote changes down (waiting up to $1 s for them).
rs_pass() {
  RS_FAILED=0; RS_OFFLINE=""; RS_PENDING=""
  _age=$(( $(rs_now) - ${RS_LAST_ROMS:-0} ))
  if [ "$_age" -ge 600 ]; then rs_index_roms; rs_scan_reset; RS_LAST_ROMS=$(rs_now); fi
  rs_scan
  rs_upload_changed
  rs_vanished
  [ -n "$RS_OFFLINE" ] && return 3
  [ "$RS_FAILED" -eq 0 ] && [ -z "$RS_PENDING" ] && rs_scan_done
  rs_poll "$1" || { [ -n "$RS_OFFLINE" ] && return 3; RS_FAILED=$((RS_FAILED + 1)); }
  # Downloads changed files on disk: record them so the next scan does not re-upload.
  [ "$RS_FAILED" -eq 0 ] && return 0
  return 1
}

rs_log info "daemon start: platform $RS_PLATFORM (${RS_DEVICE_TYPE:-other}), server $RS_SERVER"
# A key rotation a crash interrupted (both keys in the config) is settled before anything else.
rs_rotation_finish || true
if [ -n "$once" ]; then
  rs_heartbeat || { [ "$RS_CODE" = 000 ] && { rs_status_write offline; echo "retrosync: server unreachable" >&2; exit 3; }; }
  rs_pass 0; status=$?
  [ $status -eq 0 ] && RS_LAST_SYNC=$(date +%s)
  case $status in 0) _st=idle ;; 3) _st=offline ;; *) _st=error ;; esac
  rs_status_write "$_st"
  # Saves skipped (flat folders) or deletions held: not "in sync", and the reasons are shown.
  if [ $status -eq 0 ] && rs_not_in_sync > "$RS_TMP/notsync"; then
    echo "retrosync: not in sync ($RS_SCANNED saves):"; sed 's/^/  /' "$RS_TMP/notsync"; exit 1
  fi
  case $status in
    0) echo "retrosync: in sync ($RS_SCANNED saves${RS_PENDING:+; $RS_PENDING still being written, taken next pass})" ;;
    1) echo "retrosync: $RS_FAILED problem(s); see $RS_LOG" >&2 ;;
    3) echo "retrosync: server unreachable" >&2 ;;
  esac
  exit $status
fi

# ---- the daemon loop ----
RS_SCAN_INTERVAL=${RS_SCAN_INTERVAL:-$RS_INTERVAL}
RS_POLL_WAIT=${RS_POLL_WAIT:-50}
RS_POLL=$RS_STATE_DIR/poll
mkdir -p "$RS_POLL"
rm -f "$RS_POLL/done" "$RS_STATE_DIR/mark.prev" "$RS_STATE_DIR/mark.cur"
RS_POLL_PID=""; RS_SLEEP_PID=""; RS_ROOT_LIST=""

# Seconds since boot, without a process (monotonic: a clock reset does not stall the timers).
rs_mono() { if read -r _up _rest < /proc/uptime 2>/dev/null; then RS_MONO=${_up%.*}; else RS_MONO=$(date +%s); fi; }

# The save and state folders that exist (one per line), for the cheap check.
rs_roots_refresh() {
  RS_ROOT_LIST=$(rs_awk roots | while IFS="$RS_TAB" read -r _k _d; do
    case $_k in saves|states) [ -d "${RS_ROOT:-}$_d" ] && printf '%s\n' "${RS_ROOT:-}$_d" ;; esac
  done | sort -u)
}

# True when something under the save folders moved since the full scan before the last one began
# (two markers, so FAT's 2-second file times cannot hide a write made during a scan). One process.
rs_moved() {
  [ -f "$RS_STATE_DIR/mark.prev" ] || return 0
  [ -n "$RS_ROOT_LIST" ] || return 1
  _ifs=$IFS; IFS='
'; set -f
  # shellcheck disable=SC2086
  set -- $RS_ROOT_LIST
  IFS=$_ifs; set +f
  _hit=$(find "$@" -newer "$RS_STATE_DIR/mark.prev" ! -name '.retrosync-*' 2>/dev/null)
  [ -n "$_hit" ]
}

# Scan → upload. Leaves RS_FULL set when the next wake must look again (debounce, failures).
rs_local_pass() {
  [ -f "$RS_STATE_DIR/mark.cur" ] && mv -f "$RS_STATE_DIR/mark.cur" "$RS_STATE_DIR/mark.prev"
  : > "$RS_STATE_DIR/mark.cur"
  RS_FAILED=0; RS_PENDING=""; RS_FULL=""
  rs_scan
  rs_upload_changed
  rs_vanished
  if [ -n "$RS_PENDING" ] || [ "$RS_FAILED" -gt 0 ] || [ -n "$RS_OFFLINE" ]; then RS_FULL=1; else rs_scan_done; fi
  { [ -s "$RS_TMP/changed" ] || [ -s "$RS_TMP/unsynced" ]; } && RS_DIRTY=1
  return 0
}

# The long poll runs in the background with its own files and wakes the loop (SIGUSR1) when done.
rs_poll_start() {
  rm -f "$RS_POLL/done"
  (
    trap - EXIT INT TERM USR1
    RS_TMP=$RS_POLL
    rs_feed_get "$RS_POLL_WAIT"
    printf '%s\n' "$RS_CODE" > "$RS_POLL/code"
    : > "$RS_POLL/done"
    kill -USR1 $$ 2>/dev/null
  ) < /dev/null > /dev/null 2>&1 &
  RS_POLL_PID=$!
}

rs_poll_finish() {
  # Reap it (no zombie per poll; its CPU time counts as ours).
  [ -n "$RS_POLL_PID" ] && wait "$RS_POLL_PID" 2>/dev/null
  RS_POLL_PID=""
  read -r _code < "$RS_POLL/code" 2>/dev/null || _code=000
  rm -f "$RS_POLL/done"
  case $_code in
    2??)
      mv -f "$RS_POLL/body" "$RS_TMP/body"
      mv -f "$RS_POLL/body.since" "$RS_TMP/body.since" 2>/dev/null
      RS_FAILED=0
      rs_feed_apply
      [ "$RS_FAILED" -eq 0 ] && RS_LAST_SYNC=$(date +%s)
      RS_DIRTY=1 ;;
    000|429|5??) RS_OFFLINE=1 ;;
    401) RS_STATE_NEXT=unauthorized; RS_HOLD_UNTIL=$((RS_MONO + 60)) ;;
    *) RS_HOLD_UNTIL=$((RS_MONO + RS_SCAN_INTERVAL)) ;;
  esac
}

# The children of a pid (the background poll's curl), from /proc: no pkill -P needed.
rs_children() {
  for _s in /proc/[0-9]*/stat; do
    read -r _pid _comm _st _ppid _rest < "$_s" 2>/dev/null || continue
    [ "$_ppid" = "$1" ] && printf '%s ' "$_pid"
  done
  return 0
}

# Ends the background long poll (it holds the old key after a rotation).
rs_poll_kill() {
  if [ -n "$RS_POLL_PID" ]; then _kids=$(rs_children "$RS_POLL_PID"); kill "$RS_POLL_PID" 2>/dev/null; [ -n "$_kids" ] && kill $_kids 2>/dev/null; wait "$RS_POLL_PID" 2>/dev/null; fi
  RS_POLL_PID=""; rm -f "$RS_POLL/done"
}

rs_stop() {
  # This device stops playing as far as the server knows (leases also end on their own).
  rs_lease_release > /dev/null 2>&1 || true
  # The poll's shell first (so it cannot log its curl's death as an error), then its curl.
  if [ -n "$RS_POLL_PID" ]; then _kids=$(rs_children "$RS_POLL_PID"); kill "$RS_POLL_PID" 2>/dev/null; [ -n "$_kids" ] && kill $_kids 2>/dev/null; fi
  [ -n "$RS_SLEEP_PID" ] && kill "$RS_SLEEP_PID" 2>/dev/null
  rs_status_write stopped
  rm -rf "$RS_LOCK"; rs_log info "daemon stopped"; exit 0
}
trap rs_stop INT TERM
trap 'RS_WOKE=1' USR1

backoff=1
# Saves this daemon uploads after seeing them change are claimed (play lease); not the first pass's catch-up.
RS_LEASE_CLAIM=""
RS_FULL=1; RS_DIRTY=1; RS_HOLD_UNTIL=0; RS_LAST_BEAT=-100000; RS_LAST_ROMS=-100000
rs_status_write starting
while :; do
  RS_WOKE=""; RS_OFFLINE=""; RS_STATE_NEXT=""
  rs_mono
  if [ $((RS_MONO - RS_LAST_ROMS)) -ge 600 ]; then
    rs_index_roms; rs_scan_reset; rs_roots_refresh; RS_LAST_ROMS=$RS_MONO; RS_FULL=1
  fi
  if rs_trigger_take; then
    rs_log info "sync now (asked by the app)"
    rs_scan_reset; RS_FULL=1; RS_HOLD_UNTIL=0; backoff=1; RS_LAST_BEAT=-100000; RS_DIRTY=1
  fi
  if [ "$RS_MONO" -ge "$RS_HOLD_UNTIL" ]; then
    if [ $((RS_MONO - RS_LAST_BEAT)) -ge "${RS_HEARTBEAT:-60}" ]; then
      if rs_heartbeat; then RS_LAST_BEAT=$RS_MONO; RS_DIRTY=1; [ -n "$RS_ROTATED" ] && rs_poll_kill
      elif [ "$RS_CODE" = 401 ]; then RS_STATE_NEXT=unauthorized; RS_HOLD_UNTIL=$((RS_MONO + 60)); fi
    fi
    if [ -z "$RS_OFFLINE" ] && [ -z "$RS_STATE_NEXT" ]; then
      if [ -n "$RS_FULL" ] || rs_moved; then rs_local_pass; rs_claim_uploaded; RS_LEASE_CLAIM=1; fi
      [ -f "$RS_POLL/done" ] && rs_poll_finish
      [ -z "$RS_POLL_PID" ] && [ -z "$RS_OFFLINE" ] && [ "$RS_MONO" -ge "$RS_HOLD_UNTIL" ] && rs_poll_start
    fi
    if [ -n "$RS_OFFLINE" ]; then
      rs_log warn "offline; retrying in ${backoff}s"
      RS_HOLD_UNTIL=$((RS_MONO + backoff)); RS_FULL=1; RS_STATE_NEXT=offline
      backoff=$((backoff * 2)); [ $backoff -gt 60 ] && backoff=60
    elif [ -z "$RS_STATE_NEXT" ]; then
      backoff=1; RS_STATE_NEXT=idle
    fi
  else
    # Waiting out a backoff: the poll finished meanwhile (it failed); keep its state.
    [ -f "$RS_POLL/done" ] && { [ -n "$RS_POLL_PID" ] && wait "$RS_POLL_PID" 2>/dev/null; RS_POLL_PID=""; rm -f "$RS_POLL/done"; }
    RS_STATE_NEXT=$RS_STATE_NAME
  fi
  if [ -n "$RS_DIRTY" ] || [ "$RS_STATE_NEXT" != "$RS_STATE_NAME" ]; then rs_status_write "$RS_STATE_NEXT"; RS_DIRTY=""; fi
  # Sleep one scan interval (less while a save waits out its debounce or a backoff ends), unless
  # the poll or the app woke us meanwhile.
  _nap=$RS_SCAN_INTERVAL
  [ -n "$RS_PENDING" ] && [ "${RS_DEBOUNCE:-2}" -lt "$_nap" ] && _nap=${RS_DEBOUNCE:-2}
  [ "$RS_HOLD_UNTIL" -gt "$RS_MONO" ] && [ $((RS_HOLD_UNTIL - RS_MONO)) -lt "$_nap" ] && _nap=$((RS_HOLD_UNTIL - RS_MONO))
  [ "$_nap" -ge 1 ] || _nap=1
  if [ -z "$RS_WOKE" ]; then
    sleep "$_nap" & RS_SLEEP_PID=$!
    wait "$RS_SLEEP_PID"
    kill "$RS_SLEEP_PID" 2>/dev/null; RS_SLEEP_PID=""
  fi
done
