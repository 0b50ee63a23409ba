# shellcheck shell=sh
# Local side of a pass: scan the save roots (stat first; sha256sum only when size or mtime
# changed since the last sync) and upload changes with their base version.
# State: $RS_HOME/state.tsv — enc key, version, sha256, size, mtime, host path (one per save).

RS_STATE=$RS_HOME/state.tsv
RS_TAB=$(printf '\t')

# Lists every file under the save and state roots as "mtime TAB size TAB host path".
rs_list_files() {
  rs_awk roots | while IFS="$RS_TAB" read -r _k _d; do
    case $_k in saves|states) ;; *) continue ;; esac
    [ -d "${RS_ROOT:-}$_d" ] || continue
    find "${RS_ROOT:-}$_d" -type f ! -name '.retrosync-*' -exec stat -c "%Y$RS_TAB%s$RS_TAB%n" {} +
  done | sort -u -t "$RS_TAB" -k 3
}

# Writes $RS_TMP/changed: "enc key TAB host path TAB size TAB mtime TAB compressed" for saves whose
# size or mtime differ from the state (new ones included); refreshes $RS_TMP/saves (all saves).
rs_scan() {
  [ -f "$RS_STATE" ] || : > "$RS_STATE"
  rs_list_files > "$RS_TMP/list"
  # Nothing on disk moved since a pass that left nothing to do: skip identifying (idle passes
  # then cost a find + stat, not an awk run over every save).
  if [ -s "$RS_TMP/saves" ] && cmp -s "$RS_TMP/list" "$RS_TMP/list.ok"; then
    : > "$RS_TMP/changed"
    RS_SCANNED=$(grep -c . "$RS_TMP/saves")
    return 0
  fi
  rs_awk identify < "$RS_TMP/list" > "$RS_TMP/identified"
  # One file per save: where a legacy or alias folder holds the same save (Onion's old RetroArch
  # folder, muOS's /mnt/mmc view of /run/muos/storage), the folder the platform writes wins.
  awk -F '\t' '$1 == "save"' "$RS_TMP/identified" | sort -t "$RS_TAB" -k 2,2 -k 8,8n -k 7,7 |
    awk -F '\t' '!seen[$2]++' > "$RS_TMP/saves"
  # Saves that cannot be synced (system unknown, name no key can hold): say so once, not every pass.
  awk -F '\t' '$1 == "ambiguous" || $1 == "unsupported" { print $1 " (" $2 "): " $7 }' "$RS_TMP/identified" > "$RS_TMP/unsynced"
  if ! cmp -s "$RS_TMP/unsynced" "$RS_TMP/unsynced.prev" 2>/dev/null; then
    _u=$(grep -c . "$RS_TMP/unsynced")
    [ "$_u" -gt 0 ] && rs_log warn "$_u file(s) not synced (add the ROM or set a core to tell the system): $(head -n 5 "$RS_TMP/unsynced" | tr '\n' ';')"
    cp "$RS_TMP/unsynced" "$RS_TMP/unsynced.prev"
  fi
  awk -F '\t' -v OFS='\t' -v st="$RS_STATE" 'BEGIN { while ((getline l < st) > 0) { split(l, a, "\t"); seen[a[6]] = a[4] "/" a[5] } }
    { if (seen[$7] != $4 "/" $3) print $2, $7, $4, $3, $5 }' "$RS_TMP/saves" > "$RS_TMP/changed"
  _n=$(grep -c . "$RS_TMP/changed")
  RS_SCANNED=$(grep -c . "$RS_TMP/saves")
  [ "$_n" -gt 0 ] && rs_log info "scan: $RS_SCANNED saves, $_n changed"
  return 0
}

# After a pass whose changes were all handled: its listing needs no second look.
rs_scan_done() { cp "$RS_TMP/list" "$RS_TMP/list.ok"; }
rs_scan_reset() { rm -f "$RS_TMP/list.ok"; }

# State lookups and updates (small files: rewrite atomically).
rs_state_get() { awk -F '\t' -v k="$1" '$1 == k { print; exit }' "$RS_STATE"; }
# By path: the version this file last synced, whatever spelling of its key the server shows.
rs_state_of_path() { awk -F '\t' -v p="$1" '$6 == p { print; exit }' "$RS_STATE"; }
rs_state_put() { # key version sha size mtime path
  awk -F '\t' -v k="$1" -v p="$6" '$1 != k && $6 != p' "$RS_STATE" > "$RS_STATE.tmp"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" >> "$RS_STATE.tmp"
  mv -f "$RS_STATE.tmp" "$RS_STATE"
}

rs_sha() { sha256sum "$1" 2>/dev/null | cut -d ' ' -f 1; }
rs_stat() { stat -c "%s$RS_TAB%Y" "$1" 2>/dev/null; }

# Uploads every changed save. Returns the number of failures in RS_FAILED.
rs_upload_changed() {
  _now=$(rs_now)
  while IFS="$RS_TAB" read -r _key _path _size _mtime _comp; do
    [ -n "$_key" ] || continue
    # Debounce: a file written in the last RS_DEBOUNCE (2) s may still be being written; next pass.
    # A file time in the future means the clock went back (handhelds without an RTC battery
    # reset it at boot): no wait would ever end, so such a file is not held back.
    _age=$((_now - _mtime))
    if [ "$_age" -ge 0 ] && [ "$_age" -lt "${RS_DEBOUNCE:-2}" ]; then RS_PENDING=$((${RS_PENDING:-0} + 1)); continue; fi
    # Compressed (RZIP) saves are synced as their raw content, like every other client does.
    if ! _content=$(rs_content "$_path"); then
      rs_log error "skip $_path: RZIP file does not inflate (damaged?)"; RS_FAILED=$((RS_FAILED + 1)); continue
    fi
    _sha=$(rs_sha "$_content")
    [ -n "$_sha" ] || continue
    _st=$(rs_state_of_path "$_path")
    _base=$(printf '%s' "$_st" | cut -f 2)
    _oldsha=$(printf '%s' "$_st" | cut -f 3)
    if [ -n "$_st" ] && [ "$_sha" = "$_oldsha" ]; then
      rs_state_put "$_key" "$_base" "$_sha" "$_size" "$_mtime" "$_path"; continue
    fi
    rs_upload "$_key" "$_path" "$_sha" "$_size" "$_mtime" "$_base" "$_content" || RS_FAILED=$((RS_FAILED + 1))
  done < "$RS_TMP/changed"
}

rs_upload() { # key path sha size mtime base [content file: the raw bytes, when path is RZIP]
  if ! rs_http PUT "/api/sync/saves/$1" -H "Content-Type: application/octet-stream" -H "X-Content-SHA256: $3" \
      -H "X-File-Mtime: ${5}000" -H "Expect:" ${6:+-H "X-Base-Version: $6"} -T "${7:-$2}"; then
    rs_log error "upload $2 ($1) failed: $(rs_api_error)"
    [ "$RS_CODE" = 000 ] && RS_OFFLINE=1
    return 1
  fi
  # The server repeats the outcome as headers, so no JSON is parsed here.
  _outcome=$(rs_header X-Outcome)
  _hv=$(rs_header X-Head-Version)
  _hs=$(rs_header X-Head-SHA256)
  case $_hv in ''|*[!0-9]*) rs_log error "upload $1: answer without a head version"; return 1 ;; esac
  case $_outcome in
    accepted|unchanged|conflict_won)
      rs_state_put "$1" "$_hv" "$3" "$4" "$5" "$2"
      rs_log info "upload $1: $_outcome (version $_hv)"
      [ "$_outcome" = conflict_won ] && rs_report conflict "$1" "won: this device's save is newer; the other is kept as a conflict version"
      ;;
    conflict_lost)
      # Our bytes are stored as a conflict version; the head stays: take it (with a backup).
      rs_log warn "upload $1: conflict_lost; the server kept ours as a conflict version, fetching head $_hv"
      rs_report conflict "$1" "lost: head $_hv kept, this device's save stored as a conflict version"
      rs_download "$1" "$2" "$_hv" "$_hs" force || return 1
      ;;
    *) rs_log error "upload $1: unexpected answer $(head -c 200 "$RS_TMP/body")"; return 1 ;;
  esac
  return 0
}

# Records an event in the server's sync log (best effort).
rs_report() { # action key message
  rs_http POST /api/sync/log -H 'Content-Type: application/json' \
    -d "{\"action\":\"$1\",\"filePath\":$(rs_json_str "$2"),\"status\":\"success\",\"errorMsg\":$(rs_json_str "$3")}" >/dev/null 2>&1 || true
}
