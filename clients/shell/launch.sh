#!/bin/sh
# Starts, stops and reports on the RetroSync daemon; installs the boot hook a firmware runs.
#   launch.sh start | stop | restart | status | install-boot | remove-boot | sync-now | unpair
#   launch.sh rotate-key                 a new API key for this device (no re-pairing)
#   launch.sh playing ROM… / stopped [ROM…]   a launcher hook reports a game starting / exiting:
#                                        its save shows "in use on <this device>" (play lease)
RS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RS_DIR/lib/common.sh"
PIDFILE=$RS_HOME/daemon.pid

running_pid() {
  # The daemon writes its own pid into its lock; the pid file is what start launched.
  for _p in "$(cat "$RS_HOME/daemon.lock/pid" 2>/dev/null)" "$(cat "$PIDFILE" 2>/dev/null)"; do
    [ -n "$_p" ] && kill -0 "$_p" 2>/dev/null && grep -q daemon.sh "/proc/$_p/cmdline" 2>/dev/null && { echo "$_p"; return 0; }
  done
  return 1
}

start() {
  if p=$(running_pid); then echo "already running (pid $p)"; return 0; fi
  [ -f "$RS_HOME/config" ] || { echo "not set up: run $RS_DIR/setup.sh first" >&2; return 2; }
  mkdir -p "$RS_HOME"
  # No nohup in many busybox builds: detach with setsid when present; the daemon ignores HUP.
  if command -v setsid > /dev/null 2>&1; then
    setsid sh "$RS_DIR/daemon.sh" < /dev/null > /dev/null 2>&1 &
  else
    sh "$RS_DIR/daemon.sh" < /dev/null > /dev/null 2>&1 &
  fi
  echo $! > "$PIDFILE"
  i=0; while [ ! -f "$RS_HOME/daemon.lock/pid" ] && [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); done
  if p=$(running_pid); then echo "started (pid $p)"; return 0; fi
  echo "the daemon exited at once; see $RS_LOG" >&2; rm -f "$PIDFILE"; return 1
}

stop() {
  if p=$(running_pid); then
    kill "$p" 2>/dev/null
    i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
    rm -rf "$PIDFILE" "$RS_HOME/daemon.lock"
    echo "stopped"
  else
    rm -f "$PIDFILE"; echo "not running"
  fi
}

status() {
  if p=$(running_pid); then echo "running (pid $p)"; else echo "stopped"; fi
  # Saves in use (from the daemon's last check-in) and saves changed here while in use elsewhere.
  if [ -f "$RS_HOME/status" ]; then
    awk -F '\t' '
      function hhmm(s,   c) { c = "date -d @" (s + 0) " +%H:%M 2>/dev/null"; c | getline t; close(c); return t == "" ? s : t }
      $1 == "in_use" { print "in use: " $2 " on " ($6 == "true" ? "this device" : $3) " since " hhmm($4) ($5 == "launch" ? " (launched)" : "") }
      $1 == "lease_warning" { print "warning: " $2 " was changed here while in use on " $3 " since " hhmm($4) " (both copies kept; the conflict rule decided)" }' "$RS_HOME/status"
  fi
  [ -f "$RS_LOG" ] && tail -n 3 "$RS_LOG"
  running_pid > /dev/null
}

# What the lease and rotation commands need: the config, a scratch folder, lib/lease.sh.
lease_env() {
  rs_config_load || { echo "not set up: run $RS_DIR/setup.sh first" >&2; exit 2; }
  . "$RS_DIR/lib/identity.sh"
  RS_STATE_DIR=$RS_HOME/run; mkdir -p "$RS_STATE_DIR"
  RS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rslease.XXXXXX") || exit 1
  trap 'rm -rf "$RS_TMP"' EXIT
  . "$RS_DIR/lib/lease.sh"
}

rotate_key() {
  lease_env
  _old=$RS_API_KEY
  if rs_rotate_key && [ "$RS_API_KEY" != "$_old" ]; then
    echo "new API key stored in $RS_CONFIG (ends ...$(printf '%s' "$RS_API_KEY" | tail -c 4)); the old key no longer works"
    # A running daemon reads the config again when its old key is refused.
    return 0
  fi
  echo "key rotation failed; the current key still works (see $RS_LOG)" >&2; return 1
}

# The battery save keys of ROMs a launcher names (percent-encoded), one per line.
rom_keys() {
  rs_detect "${RS_PLATFORM:-}" > /dev/null 2>&1
  for _r in "$@"; do printf '%s\n' "$_r"; done | rs_awk romkey | while IFS="$(printf '\t')" read -r _what _v; do
    if [ "$_what" = key ]; then printf '%s\n' "$_v"; else rs_log warn "play lease: $_v"; fi
  done
}

playing() {
  [ $# -gt 0 ] || { echo "usage: launch.sh playing ROM_PATH…" >&2; return 2; }
  lease_env
  _keys=$(rom_keys "$@")
  [ -n "$_keys" ] || { echo "no save key for $*" >&2; return 1; }
  set -f
  # shellcheck disable=SC2086
  rs_lease_claim launch $_keys || { echo "could not reach the server" >&2; return 1; }
  set +f
  rs_log info "playing: $_keys"
  # A save another device is playing: say so here too (the launcher may show this output).
  if [ -f "$RS_LEASE_WARNINGS" ]; then
    tail -n 1 "$RS_LEASE_WARNINGS" > "$RS_LEASE_WARNINGS.last"
    IFS="$(printf '\t')" read -r _wk _wn _ws _wat < "$RS_LEASE_WARNINGS.last"
    rm -f "$RS_LEASE_WARNINGS.last"
    [ $(( $(rs_now) - ${_wat:-0} )) -lt 5 ] && echo "warning: $_wk is in use on $_wn since $(rs_hhmm "$_ws")"
  fi
  return 0
}

stopped() {
  lease_env
  _keys=""; [ $# -gt 0 ] && _keys=$(rom_keys "$@")
  set -f
  # shellcheck disable=SC2086
  rs_lease_release $_keys
  set +f
}

# Boot hooks per firmware. Knulli/Batocera run /userdata/system/custom.sh start at boot;
# MinUI/NextUI run .userdata/<platform>/auto.sh; other firmwares start it from their launcher.
HOOK_MARK="# retrosync-boot"
hook_file() {
  . "$RS_DIR/lib/identity.sh"
  RS_STATE_DIR=$(mktemp -d); RS_PICK_VOLUME=1
  [ -f "$RS_CONFIG" ] && . "$RS_CONFIG"
  rs_detect "${RS_PLATFORM:-}" >/dev/null 2>&1; rm -rf "$RS_STATE_DIR"
  case ${RS_PLATFORM:-} in
    knulli|batocera) echo "${RS_ROOT:-}/userdata/system/custom.sh" ;;
    minui|nextui) for d in "${RS_ROOT:-}${RS_VOLUME:-/mnt/SDCARD}"/.userdata/*/; do [ -d "$d" ] && [ "${d%/shared/}" = "$d" ] && { echo "${d}auto.sh"; return; }; done ;;
    *) return 1 ;;
  esac
}

install_boot() {
  f=$(hook_file) || { echo "no boot hook for ${RS_PLATFORM:-this firmware}: start RetroSync from its app/launcher" >&2; return 1; }
  [ -n "$f" ] || return 1
  grep -q "$HOOK_MARK" "$f" 2>/dev/null && { echo "boot hook already in $f"; return 0; }
  [ -f "$f" ] || printf '#!/bin/sh\n' > "$f"
  printf '%s\n' "sh \"$RS_DIR/launch.sh\" start >/dev/null 2>&1 & $HOOK_MARK" >> "$f"
  chmod +x "$f"; echo "boot hook added to $f"
}

remove_boot() {
  f=$(hook_file) || return 0
  [ -f "$f" ] && grep -v "$HOOK_MARK" "$f" > "$f.tmp" && mv -f "$f.tmp" "$f" && chmod +x "$f" && echo "boot hook removed from $f"
}

# Asks the running daemon for a pass now (the trigger file; the signal cuts its sleep short).
sync_now() {
  : > "$RS_HOME/sync-now" || return 1
  if p=$(running_pid); then kill -USR1 "$p" 2>/dev/null; echo "asked (pid $p)"; else echo "not running: the next start syncs"; fi
}

# Forgets the pairing on this device: stops the daemon, removes the boot hook, deletes the key and
# the sync state (backups of saves are kept). The device stays listed in the dashboard until removed there.
unpair() {
  stop > /dev/null; remove_boot > /dev/null 2>&1
  rm -rf "$RS_HOME/config" "$RS_HOME/state.tsv" "$RS_HOME/cursor" "$RS_HOME/status" "$RS_HOME/conflicts.tsv" "$RS_HOME/sync-now" "$RS_HOME/run"
  echo "unpaired"
}

case ${1:-status} in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  install-boot) install_boot ;;
  remove-boot) remove_boot ;;
  sync-now) sync_now ;;
  unpair) unpair ;;
  rotate-key) rotate_key ;;
  playing) shift; playing "$@" ;;
  stopped) shift; stopped "$@" ;;
  *) echo "usage: launch.sh start|stop|restart|status|install-boot|remove-boot|sync-now|unpair|rotate-key|playing ROM…|stopped [ROM…]" >&2; exit 2 ;;
esac
