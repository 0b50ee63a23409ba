#!/bin/sh
# Starts, stops and reports on the RetroSync daemon; installs the boot hook a firmware runs.
#   launch.sh start | stop | restart | status | install-boot | remove-boot | sync-now | unpair
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
  [ -f "$RS_LOG" ] && tail -n 3 "$RS_LOG"
  running_pid > /dev/null
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
  *) echo "usage: launch.sh start|stop|restart|status|install-boot|remove-boot|sync-now|unpair" >&2; exit 2 ;;
esac
