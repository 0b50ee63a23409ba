# shellcheck shell=sh
# The daemon's machine-readable status ($RS_HOME/status) and the "sync now" trigger, read and
# touched by the LÖVE app (clients/love) or anything else; format in README.md "Status file".
# Written only when something changed (a pass that did work, a state change), atomically.

RS_STATUS=$RS_HOME/status
RS_TRIGGER=$RS_HOME/sync-now
RS_CONFLICTS=$RS_HOME/conflicts.tsv
RS_STATUS_FORMAT=1
RS_STATE_NAME=starting
# The last sync survives a restart of the daemon (the app shows it).
RS_LAST_SYNC=$(awk -F '\t' '$1 == "last_sync" { print $2; exit }' "$RS_STATUS" 2>/dev/null)

# Called by rs_log for every line (RS_LOG_HOOK): keeps the last errors and the conflicts.
rs_status_note() { # level message
  case $1 in
    error|warn)
      case $2 in *"; retrying in "*) return 0 ;; esac # backoff notes: the state says "offline"
      _e=$RS_STATE_DIR/errors
      printf '%s\t%s\t%s\n' "$(date +%s)" "$1" "$(printf '%s' "$2" | tr '\t\n' '  ' | cut -c 1-300)" >> "$_e"
      if [ "$(grep -c . "$_e")" -gt 20 ]; then tail -n 10 "$_e" > "$_e.tmp" && mv -f "$_e.tmp" "$_e"; fi
      ;;
  esac
  case $2 in
    "upload "*": conflict_won"*|"upload "*": conflict_lost"*)
      _k=${2#upload }; _k=${_k%%:*}
      _o=won; case $2 in *conflict_lost*) _o=lost ;; esac
      { [ -f "$RS_CONFLICTS" ] && awk -F '\t' -v k="$_k" '$1 != k' "$RS_CONFLICTS"; printf '%s\t%s\t%s\n' "$_k" "$_o" "$(date +%s)"; } > "$RS_CONFLICTS.tmp"
      mv -f "$RS_CONFLICTS.tmp" "$RS_CONFLICTS" ;;
    "upload "*": accepted"*)
      _k=${2#upload }; _k=${_k%%:*}
      if [ -f "$RS_CONFLICTS" ] && grep -q "^$_k	" "$RS_CONFLICTS" 2>/dev/null; then
        awk -F '\t' -v k="$_k" '$1 != k' "$RS_CONFLICTS" > "$RS_CONFLICTS.tmp" && mv -f "$RS_CONFLICTS.tmp" "$RS_CONFLICTS"
      fi ;;
  esac
  return 0
}
RS_LOG_HOOK=rs_status_note

# Writes $RS_STATUS from the state, the last scan and the last feed. $1 = state name.
rs_status_write() {
  RS_STATE_NAME=${1:-$RS_STATE_NAME}
  _t=$RS_STATUS.tmp.$$
  {
    printf 'retrosync-status\t%s\n' "$RS_STATUS_FORMAT"
    printf 'state\t%s\n' "$RS_STATE_NAME"
    printf 'updated\t%s\n' "$(date +%s)"
    printf 'pid\t%s\n' "$$"
    printf 'server\t%s\n' "$RS_SERVER"
    printf 'device\t%s\n' "${RS_DEVICE_NAME:-}"
    printf 'platform\t%s\n' "${RS_PLATFORM:-}"
    printf 'last_sync\t%s\n' "$RS_LAST_SYNC"
    printf 'scan_interval\t%s\n' "${RS_SCAN_INTERVAL:-}"
    # One line per save: save TAB key TAB state TAB version TAB detail TAB path.
    touch "$RS_STATE" "$RS_TMP/changed" "$RS_TMP/todo" "$RS_TMP/unsynced" "$RS_CONFLICTS"
    awk -F '\t' -v OFS='\t' -v st="$RS_STATE" -v todo="$RS_TMP/todo" -v cf="$RS_CONFLICTS" -v now="$(date +%s)" '
      BEGIN {
        # state.tsv: canonical key, version, sha256, size, mtime, path, read time, key as sent
        while ((getline l < st) > 0) { split(l, a, "\t"); n++; key[n] = a[1]; ver[a[1]] = a[2]; path[a[1]] = a[6]; sz[a[6]] = a[4]; mt[a[6]] = a[5]; shown[a[1]] = a[8] != "" ? a[8] : a[1] }
        # todo: canonical key, key, path, version, sha256, deleted
        while ((getline l < todo) > 0) { split(l, a, "\t"); if (!(a[1] in ver) || ver[a[1]] + 0 < a[4] + 0) { down[a[1]] = a[4]; shown[a[1]] = a[2] } }
        while ((getline l < cf) > 0) { split(l, a, "\t"); if (now - a[3] < 86400) conf[a[1]] = a[2] }
      }
      # $RS_TMP/changed: canonical key, key, path, size, mtime, compressed, why (still differing from the state = not sent yet)
      { if (sz[$3] != $4 || mt[$3] != $5) { up[$1] = $3; shown[$1] = $2 } }
      END {
        for (i = 1; i <= n; i++) {
          k = key[i]; s = "synced"; d = ""
          if (k in conf) { s = "conflict"; d = conf[k] }
          if (k in up) { s = "pending"; d = "upload" }
          else if (k in down) { s = "pending"; d = "download" }
          print "save", shown[k], s, ver[k], d, path[k]; done[k] = 1
        }
        for (k in up) if (!(k in done)) { print "save", shown[k], "pending", "", "upload", up[k]; done[k] = 1 }
        for (k in down) if (!(k in done)) print "save", shown[k], "pending", down[k], "download", ""
      }' "$RS_TMP/changed"
    # Files that cannot be synced: skipped TAB reason TAB path (from the last full scan).
    sed -n 's/^\([a-z]*\) (\(.*\)): \(.*\)$/skipped\t\1: \2\t\3/p' "$RS_TMP/unsynced"
    # Heads not placed because the file there is another save (flat folders), and held deletions.
    [ -s "${RS_SKIPPED:-}" ] && awk -F '\t' '{ print "skipped\tnot placed: " $2 " (" $6 ")\t" }' "$RS_SKIPPED"
    [ -n "${RS_HELD:-}" ] && printf 'skipped\tdeletions held: %s\t\n' "$RS_HELD"
    # Saves in use on a device now (play leases, from the last check-in): in_use key device since(epoch s) reason held.
    [ -s "$RS_STATE_DIR/leases.tsv" ] && sed 's/^/in_use\t/' "$RS_STATE_DIR/leases.tsv"
    # Saves changed here while another device held them: lease_warning key device since at (epoch s).
    [ -s "$RS_HOME/lease-warnings.tsv" ] && sed 's/^/lease_warning\t/' "$RS_HOME/lease-warnings.tsv"
    if [ -f "$RS_STATE_DIR/errors" ]; then sed 's/^/error\t/' "$RS_STATE_DIR/errors"; fi
  } > "$_t" 2>/dev/null && mv -f "$_t" "$RS_STATUS"
}

# The app asks for a pass now: touch $RS_HOME/sync-now (and optionally send SIGUSR1 to the pid in
# the status file to skip the rest of the current sleep). Returns 0 when it was asked.
rs_trigger_take() { [ -f "$RS_TRIGGER" ] && rm -f "$RS_TRIGGER"; }
