# shellcheck shell=sh
# The local half of a pass acts on what the scan found, by the plan rule (lib/plan.sh) with the
# last head the feed showed ($RS_HOME/heads.tsv): changed saves go up with their base version
# (and the client's verdict on their file time), a blank file is never sent over a live head,
# and a save deleted here while in sync becomes a deletion — unless the pass holds deletions.

# Uploads or settles every changed save. Failures count in RS_FAILED; one does not stop the rest.
rs_upload_changed() {
  _now=$(rs_now)
  rs_clock_load
  while IFS="$RS_TAB" read -r _canon _key _path _size _mtime _comp _why; do
    [ -n "$_canon" ] || continue
    [ -n "$RS_OFFLINE" ] && break # the server cannot be reached at all: the rest waits for the next pass
    # Debounce: a file written in the last RS_DEBOUNCE (2) s may still be being written; next pass.
    # A file time in the future means the clock went back (handhelds without an RTC battery
    # reset it at boot): no wait would ever end, so such a file is not held back.
    _age=$((_now - _mtime))
    if [ "$_age" -ge 0 ] && [ "$_age" -lt "${RS_DEBOUNCE:-2}" ]; then RS_PENDING=$((${RS_PENDING:-0} + 1)); continue; fi
    _rt=$(rs_now) # when the bytes were read: taken before reading them
    # Compressed (RZIP) saves are synced as their raw content, like every other client does.
    if ! _content=$(rs_content "$_path"); then
      rs_log error "skip $_path: RZIP file does not inflate (damaged?)"; RS_FAILED=$((RS_FAILED + 1)); continue
    fi
    _sha=$(rs_sha "$_content")
    [ -n "$_sha" ] || continue
    [ $((_rt - _mtime)) -lt "$RS_MTIME_WINDOW" ] && RS_UNSETTLED=1
    rs_state_split "$(rs_state_get "$_canon")"
    if [ -n "$_sv" ] && [ "$_sha" = "$_ss" ]; then
      rs_state_put "$_canon" "$_sv" "$_ss" "$_size" "$_mtime" "$_path" "$_rt" "${_sw:-$_key}"; continue
    fi
    rs_head_get "$_canon"
    # First pass (no head known yet): a blank file waits until the feed has shown the head.
    if [ ! -f "$RS_HEADS" ] && rs_is_blank "$_content"; then RS_UNSETTLED=1; continue; fi
    _bl=""
    [ -n "$_hv" ] && [ "$_hd" != true ] && [ "$_sha" != "$_hs" ] && rs_is_blank "$_content" && _bl=1
    rs_plan "$_sha" "$_bl" "" "$_sv" "$_ss" "$_hv" "$_hs" "$_hd"
    case $PLAN in
      none|record) rs_state_put "$_canon" "${PLAN_V:-$_sv}" "$_sha" "$_size" "$_mtime" "$_path" "$_rt" "$_key" ;;
      upload) rs_upload "$_canon" "$_key" "$_path" "$_sha" "$_size" "$_mtime" "$PLAN_V" "$_content" "$_rt" || RS_FAILED=$((RS_FAILED + 1)) ;;
      refuse-blank)
        rs_log warn "blank guard: $_path is blank (empty, all 0x00 or all 0xFF); not uploaded over $_key — putting version $PLAN_V back, the blank file goes to backups"
        rs_report upload "$_key" "blank file not uploaded over a real save; version $PLAN_V put back, blank kept in backups" failed
        rs_download "$_canon" "$_key" "$_path" "$PLAN_V" "$_hs" || RS_FAILED=$((RS_FAILED + 1)) ;;
    esac
  done < "$RS_TMP/changed"
}

rs_upload() { # canonical key, key, path, sha, size, mtime, base, content file (raw bytes), read time
  _trust=$(rs_time_trust "$6")
  if ! rs_http PUT "/api/sync/saves/$2" -H "Content-Type: application/octet-stream" -H "X-Content-SHA256: $4" \
      -H "X-File-Mtime: ${6}000" -H "Expect:" ${7:+-H "X-Base-Version: $7"} ${_trust:+-H "X-Time-Trust: $_trust"} -T "${8:-$3}"; then
    if rs_excluded_answer; then rs_log info "upload $2: excluded by this device's sync filter (changed on the server); left alone"; return 0; fi
    rs_log error "upload $3 ($2) failed: $(rs_api_error)"
    return 1
  fi
  # The server repeats the outcome as headers, so no JSON is parsed here.
  _outcome=$(rs_header X-Outcome); _hv=$(rs_header X-Head-Version); _hs=$(rs_header X-Head-SHA256)
  case $_hv in ''|*[!0-9]*) rs_log error "upload $2: answer without a head version"; return 1 ;; esac
  # Another device is playing this save (its play lease): warn; the conflict rule decided as always.
  rs_lease_from_reply "$2"
  # The daemon saw this save change: this device is playing it (claimed after the reply is read).
  [ -n "${RS_LEASE_CLAIM:-}" ] && [ "$_outcome" != unchanged ] && RS_CLAIM_KEYS="${RS_CLAIM_KEYS:+$RS_CLAIM_KEYS }$2"
  case $_outcome in
    accepted|unchanged|conflict_won)
      rs_state_put "$1" "$_hv" "$4" "$5" "$6" "$3" "$9" "$2"
      rs_head_put "$1" "$_hv" "$4" false
      rs_log info "upload $2: $_outcome (version $_hv${_trust:+, time $_trust})"
      [ "$_outcome" = conflict_won ] && rs_report conflict "$2" "won: this device's save is newer; the other is kept as a conflict version"
      ;;
    *)
      # conflict_lost, blank_refused, or an outcome this client does not know (treated alike):
      # our bytes are stored as a version, the head stays: take it, with ours in the backups.
      rs_log warn "upload $2: $_outcome; the server kept ours as a version, fetching head $_hv"
      rs_report conflict "$2" "$_outcome: head $_hv kept, this device's save stored as a version and kept in backups"
      rs_download "$1" "$2" "$3" "$_hv" "$_hs"; _rc=$?
      if [ $_rc -eq 3 ]; then
        # The head is a deletion (an older server): a modification beats a deletion, so the next
        # pass sends these bytes again on the deletion, which makes them the head.
        rs_state_put "$1" "$_hv" "" "" "" "$3" "" "$2"; rs_head_put "$1" "$_hv" "$_hs" true
        return 0
      fi
      return $_rc
      ;;
  esac
  return 0
}

# Synced saves whose file is gone: deletions, unless the pass holds them (rs_deletion_guard).
rs_vanished() {
  rs_deletion_guard
  # First pass after an upgrade: the heads are learned from this pass's feed; deletions wait.
  [ -z "$RS_HELD" ] && [ -s "$RS_TMP/vanished" ] && [ ! -f "$RS_HEADS" ] && RS_HELD="the server's heads are not known yet (first pass); deletions wait for the next pass"
  if [ -n "$RS_HELD" ]; then
    RS_UNSETTLED=1 # the next full pass looks at them again (a --once pass must not say "in sync")
    [ "$RS_HELD" != "$(cat "$RS_TMP/held.prev" 2>/dev/null)" ] &&
      rs_log warn "deletions held: $RS_HELD; nothing is deleted this pass (put the saves back, or delete them in the dashboard)"
    printf '%s\n' "$RS_HELD" > "$RS_TMP/held.prev"
  else
    rm -f "$RS_TMP/held.prev"
  fi
  [ -s "$RS_TMP/vanished" ] || return 0
  while IFS="$RS_TAB" read -r _canon _v _path _wire; do
    [ -n "$RS_OFFLINE" ] && break
    rs_state_split "$(rs_state_get "$_canon")"
    rs_head_get "$_canon"
    rs_plan "" "" "${RS_HELD:+1}" "$_sv" "$_ss" "$_hv" "$_hs" "$_hd"
    case $PLAN in
      delete-remote) rs_delete_remote "$_canon" "$_wire" "$_path" "$PLAN_V" || RS_FAILED=$((RS_FAILED + 1)) ;;
      record) rs_state_put "$_canon" "$PLAN_V" "" "" "" "$_path" "" "$_wire" ;;
      download)
        rs_log info "$_path was deleted here but $_wire changed elsewhere (version $PLAN_V): a modification beats a deletion, restoring it"
        rs_download "$_canon" "$_wire" "$_path" "$PLAN_V" "$_hs" || RS_FAILED=$((RS_FAILED + 1)) ;;
    esac
  done < "$RS_TMP/vanished"
}

rs_delete_remote() { # canonical key, key, path, base version
  if ! rs_http DELETE "/api/sync/saves/$2" -H "X-Base-Version: $4"; then
    if rs_excluded_answer; then rs_log info "delete $2: excluded by this device's sync filter; nothing deleted"; return 0; fi
    rs_log error "delete $2 failed: $(rs_api_error)"
    return 1
  fi
  _outcome=$(rs_header X-Outcome); _hv=$(rs_header X-Head-Version); _hs=$(rs_header X-Head-SHA256)
  case $_hv in ''|*[!0-9]*) rs_log error "delete $2: answer without a head version"; return 1 ;; esac
  rs_lease_from_reply "$2"
  case $_outcome in
    accepted|unchanged|conflict_won)
      rs_state_put "$1" "$_hv" "" "" "" "$3" "" "$2"; rs_head_put "$1" "$_hv" "$_hs" true
      rs_log info "delete $2: $_outcome (deleted on this device; version $_hv, the bytes stay in the server's history)"
      ;;
    *)
      # The head moved meanwhile: the deletion is kept as a version, the newer save comes back.
      rs_log warn "delete $2: $_outcome; head $_hv changed elsewhere, restoring it"
      rs_download "$1" "$2" "$3" "$_hv" "$_hs" || return 1
      ;;
  esac
  return 0
}

# Records an event in the server's sync log (best effort).
rs_report() { # action (upload|download|delete|conflict) key message [status: success|failed]
  rs_http POST /api/sync/log -H 'Content-Type: application/json' \
    -d "{\"action\":\"$1\",\"filePath\":$(rs_json_str "$2"),\"status\":\"${4:-success}\",\"errorMsg\":$(rs_json_str "$3")}" >/dev/null 2>&1 || true
}
