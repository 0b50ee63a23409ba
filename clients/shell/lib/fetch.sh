# shellcheck shell=sh
# Remote side of a pass: the change feed (long poll, TSV), where each head goes on this device,
# and atomic verified downloads (temp file in the same folder, SHA-256 check, backup of the bytes
# replaced, mv). A bad hash never replaces a save.
# Keys are compared in canonical form; a head goes to the file the scan identifies as that save,
# else where the platform keeps it — but never onto a file the scan maps to another save or
# cannot map (flat save folders: Tetris.srm may be the GB or the NES game). Such heads are
# skipped, kept in $RS_HOME/skipped.tsv with the reason, retried each pass, and reported.

RS_CURSOR_FILE=$RS_HOME/cursor
RS_HEADS=$RS_HOME/heads.tsv # the newest head the feed showed per save: canonical key, version, sha256, deleted
RS_SKIPPED=$RS_HOME/skipped.tsv

. "$RS_DIR/lib/backup.sh"

# rs_head_get CANON → _hv _hs _hd (empty when this device never saw the save in the feed).
rs_head_get() {
  _hv=""; _hs=""; _hd=""
  [ -f "$RS_HEADS" ] || return 0
  _r=$(awk -F '\t' -v k="$1" '$1 == k { print $2 "\t" $3 "\t" $4; exit }' "$RS_HEADS")
  [ -n "$_r" ] || return 0
  _hv=${_r%%"$RS_TAB"*}; _r=${_r#*"$RS_TAB"}; _hs=${_r%%"$RS_TAB"*}; _hd=${_r#*"$RS_TAB"}
}
# Until the first whole feed has been read the file does not exist (so that read happens).
rs_head_put() { # canonical key, version, sha, deleted
  [ -f "$RS_HEADS" ] || return 0
  { awk -F '\t' -v k="$1" '$1 != k' "$RS_HEADS"; printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"; } > "$RS_HEADS.tmp" &&
    mv -f "$RS_HEADS.tmp" "$RS_HEADS"
}

# Polls the feed (wait seconds; 0 = answer at once) and applies what changed.
rs_poll() { rs_feed_get "$1" && rs_feed_apply; }

# The request half (the daemon runs it in the background during its long poll): feed → $RS_TMP/body.
rs_feed_get() {
  _wait=$1
  # No heads record yet (first pass, or a client from before v1.1): read the whole feed once,
  # deleted heads included, so every later plan knows the head.
  _since=0; [ -f "$RS_HEADS" ] && [ ! -f "$RS_CURSOR_RESET" ] && _since=$(cat "$RS_CURSOR_FILE" 2>/dev/null)
  printf '%s\n' "${_since:-0}" > "$RS_TMP/body.since"
  # The long poll is silent for up to its wait: only a stall beyond that fails it.
  RS_HTTP_STALL=$((_wait + ${RS_STALL_SECONDS:-60}))
  rs_http GET "/api/sync/files?format=tsv&since=${_since:-0}&wait=$_wait"; _rc=$?
  RS_HTTP_STALL=""
  if [ $_rc -ne 0 ]; then rs_log error "feed: $(rs_api_error)"; return 1; fi
  # Selective sync: this device's filter changed on the server → fetch it (lib/filter.sh).
  rs_filter_fetch
  return 0
}

# The apply half: the feed in $RS_TMP/body → heads, placements, verified downloads, the cursor.
rs_feed_apply() {
  _since=0; [ -f "$RS_HEADS" ] && _since=$(cat "$RS_CURSOR_FILE" 2>/dev/null)
  # Nothing new and nothing skipped to retry (every idle long poll ends so): builtins only.
  { read -r _l1; read -r _l2; read -r _l3; } < "$RS_TMP/body"
  if [ -z "$_l3" ] && [ ! -s "$RS_SKIPPED" ] && [ -f "$RS_HEADS" ] && [ ! -f "$RS_CURSOR_RESET" ]; then
    case $_l2 in "#cursor$RS_TAB"*) _cursor=${_l2#*"$RS_TAB"}; _cursor=${_cursor%"$RS_CR"}
      case $_cursor in ''|*[!0-9]*) ;; *) [ "$_cursor" != "$_since" ] && printf '%s\n' "$_cursor" > "$RS_CURSOR_FILE"; : > "$RS_TMP/todo"; return 0 ;; esac ;;
    esac
  fi
  _cursor=$(awk -F '\t' '$1 == "#cursor" { print $2 }' "$RS_TMP/body")
  case $_cursor in ''|*[!0-9]*) rs_log error "feed: no cursor in answer"; return 1 ;; esac
  _fail=0
  # The filters in force (the server's may have just been fetched with this answer).
  rs_filter_prepare
  # key version sha256 size deleted correctedMtime fileMtime deviceId cursor → key version sha deleted canonical
  # (saves the sync filters exclude are dropped: never downloaded, never deleted here)
  awk -F '\t' -v OFS='\t' 'NR > 1 && $1 !~ /^#/ && NF >= 9 { print $1, $2, $3, $5 }' "$RS_TMP/body" | rs_filter 1 | rs_canon 1 > "$RS_TMP/feed"
  awk -F '\t' '$2 !~ /^[0-9]+$/ || $3 !~ /^[0-9a-f]+$/ || length($3) != 64 || $5 ~ /^!/ { print $1 }' "$RS_TMP/feed" > "$RS_TMP/feedbad"
  while IFS= read -r _k; do rs_log error "feed: bad key, version or sha256 for $_k"; _fail=1; done < "$RS_TMP/feedbad"
  if [ -s "$RS_TMP/feed" ] || [ ! -f "$RS_HEADS" ]; then
    { [ -f "$RS_HEADS" ] && cat "$RS_HEADS"
      awk -F '\t' -v OFS='\t' '$2 ~ /^[0-9]+$/ && length($3) == 64 && $5 !~ /^!/ { print $5, $2, $3, $4 }' "$RS_TMP/feed"; } |
      sort -t "$RS_TAB" -k 1,1 -k 2,2nr | awk -F '\t' '!seen[$1]++' > "$RS_HEADS.tmp" && mv -f "$RS_HEADS.tmp" "$RS_HEADS"
  fi
  rs_route || _fail=1
  while IFS="$RS_TAB" read -r _canon _key _path _ver _sha _del; do
    [ -n "$RS_OFFLINE" ] && { _fail=1; break; }
    rs_apply "$_canon" "$_key" "$_path" "$_ver" "$_sha" "$_del" || _fail=1
  done < "$RS_TMP/todo"
  # Keep the cursor only when everything was applied, so a failed download is retried — and,
  # after the local sync filter changed, only from an answer read from the start.
  if [ -f "$RS_CURSOR_RESET" ]; then
    if [ "$(cat "$RS_TMP/body.since" 2>/dev/null)" = 0 ] && [ $_fail -eq 0 ]; then rm -f "$RS_CURSOR_RESET"; else _since=$_cursor; fi
  fi
  [ $_fail -eq 0 ] && [ "$_cursor" != "$_since" ] && printf '%s\n' "$_cursor" > "$RS_CURSOR_FILE"
  [ $_fail -eq 0 ] || RS_FAILED=$((RS_FAILED + 1))
  return 0
}

# Works out where each new head goes: $RS_TMP/feed (+ skipped heads, retried) → $RS_TMP/todo
# "canonical key, key, path, version, sha, deleted"; refused ones → $RS_SKIPPED with the reason.
rs_route() {
  [ -f "$RS_SKIPPED" ] && _old_skip=$(cat "$RS_SKIPPED") || _old_skip=""
  # Newer than what this device synced (heads it already has — its own uploads — drop out here).
  { awk -F '\t' -v OFS='\t' '$5 !~ /^!/ && $2 ~ /^[0-9]+$/ && length($3) == 64 { print $5, $1, $2, $3, $4 }' "$RS_TMP/feed"
    [ -f "$RS_SKIPPED" ] && cut -f 1-5 "$RS_SKIPPED" | rs_filter 2; } |
    sort -t "$RS_TAB" -k 1,1 -k 3,3nr | awk -F '\t' -v OFS='\t' -v st="$RS_STATE" '
      BEGIN { while ((getline l < st) > 0) { split(l, a, "\t"); ver[a[1]] = a[2] } }
      seen[$1]++ { next }
      ($1 in ver) && ver[$1] != "" && ver[$1] + 0 >= $3 + 0 { next }
      { print }' > "$RS_TMP/todo0"
  : > "$RS_TMP/todo"
  if [ ! -s "$RS_TMP/todo0" ]; then
    [ -n "$_old_skip" ] && rs_log info "skipped saves: none left" && rm -f "$RS_SKIPPED"
    return 0
  fi
  # The file the scan identified as that save, else the platform's place for the key.
  awk -F '\t' -v s="$RS_TMP/saves" 'BEGIN { while ((getline l < s) > 0) { split(l, a, "\t"); have[a[9]] = 1 } } !($1 in have) { print $2 }' \
    "$RS_TMP/todo0" | rs_awk place > "$RS_TMP/placed"
  # What the scan would make of each placed path (a flat folder maps a name to one save only).
  awk -F '\t' '$1 == "ok" { print "\t\t" $3 }' "$RS_TMP/placed" | rs_awk identify | rs_canon 2 > "$RS_TMP/placedid"
  awk -F '\t' -v OFS='\t' -v s="$RS_TMP/saves" -v pl="$RS_TMP/placed" -v pid="$RS_TMP/placedid" -v list="$RS_TMP/list" \
      -v skip="$RS_SKIPPED.new" -v bad="$RS_TMP/unplaced" '
    BEGIN {
      while ((getline l < s) > 0) { split(l, a, "\t"); path[a[9]] = a[7] }
      while ((getline l < pl) > 0) { split(l, a, "\t"); if (a[1] == "ok") where[a[2]] = a[3]; else why[a[2]] = a[3] " " a[4] }
      while ((getline l < pid) > 0) { n = split(l, a, "\t"); ids[a[7]] = a[1]; idk[a[7]] = a[2]; idc[a[7]] = a[n] }
      while ((getline l < list) > 0) { sub(/^[^\t]*\t[^\t]*\t/, "", l); ondisk[l] = 1 }
    }
    ($1 in path) { print $1, $2, path[$1], $3, $4, $5; next }
    !($2 in where) { print $2 "\t" why[$2] > bad; next }
    {
      p = where[$2]; r = ""
      if (ids[p] == "save" && idc[p] != $1) r = p " is the save " idk[p] " on this device (flat save folder)"
      else if (ids[p] != "save" && (p in ondisk)) r = p " exists and this device cannot tell which save it is (" ids[p] ": " idk[p] ")"
      if (r != "") { print $1, $2, $3, $4, $5, r > skip; next }
      print $1, $2, p, $3, $4, $5
    }' "$RS_TMP/todo0" > "$RS_TMP/todo"
  if [ -s "$RS_TMP/unplaced" ]; then
    while IFS="$RS_TAB" read -r _k _why; do rs_log warn "not placed on $RS_PLATFORM: $_k ($_why)"; done < "$RS_TMP/unplaced"
    rm -f "$RS_TMP/unplaced"
  fi
  if [ -s "$RS_SKIPPED.new" ]; then
    mv -f "$RS_SKIPPED.new" "$RS_SKIPPED"
    if [ "$(cat "$RS_SKIPPED")" != "$_old_skip" ]; then
      while IFS="$RS_TAB" read -r _c _k _v _s _d _why; do
        rs_log warn "skipped $_k version $_v: $_why; not downloaded, nothing overwritten"
        rs_report download "$_k" "skipped: $_why" failed
      done < "$RS_SKIPPED"
    fi
  else
    rm -f "$RS_SKIPPED" "$RS_SKIPPED.new"
  fi
  return 0
}

# Decides for one head by the plan rule: nothing, record, download, delete here, or leave a
# locally changed file to the upload half of the next pass.
rs_apply() { # canonical key, key, path, version, sha, deleted
  rs_state_split "$(rs_state_get "$1")"
  [ -n "$_sv" ] && [ "$_sv" -ge "$4" ] 2>/dev/null && return 0
  _l=""; _bl=""; _rt=""; _cur=""
  if [ -f "$3" ]; then
    _cur=$(rs_stat "$3")
    if [ -n "$_ss" ] && [ "$_sp" = "$3" ] && [ "$_cur" = "$_ssz$RS_TAB$_smt" ] && [ -n "$_srt" ] && [ $((_srt - _smt)) -ge "$RS_MTIME_WINDOW" ]; then
      _l=$_ss; _rt=$_srt # unchanged since it was synced (and settled): not read again
    else
      _rt=$(rs_now)
      _content=$(rs_content "$3") || { rs_log error "skip $3: RZIP file does not inflate (damaged?)"; return 1; }
      _l=$(rs_sha "$_content")
      [ "$_l" != "$_ss" ] && [ "$6" != true ] && [ "$_l" != "$5" ] && rs_is_blank "$_content" && _bl=1
    fi
  elif [ -n "$RS_HELD_ALL" ]; then
    return 0 # the card looks absent: nothing is created on it this pass
  fi
  rs_plan "$_l" "$_bl" "${RS_HELD:+1}" "$_sv" "$_ss" "$4" "$5" "$6"
  case $PLAN in
    record) rs_state_put "$1" "$4" "$_l" "${_cur%%"$RS_TAB"*}" "${_cur#*"$RS_TAB"}" "$3" "$_rt" "$2" ;;
    download) rs_download "$1" "$2" "$3" "$4" "$5" ;;
    delete-local)
      rs_backup "$2" "$3" || { rs_log error "delete $3: backup failed; not deleted"; return 1; }
      rm -f "$3" && rs_log info "deleted $3 ($2 deleted on the server; backup kept)"
      rs_state_put "$1" "$4" "" "" "" "$3" "" "$2" ;;
    refuse-blank)
      rs_log warn "blank guard: $3 is blank; taking version $4 of $2 (the blank file goes to backups)"
      rs_download "$1" "$2" "$3" "$4" "$5" ;;
    upload|delete-remote)
      # Changed here since the last sync (or never synced): neither overwritten nor deleted; the
      # upload half of the pass sends it and the server decides.
      rs_log info "keep $3: changed on this device since version ${_sv:-none}; it will be uploaded" ;;
  esac
}

# The server redirected a download to a presigned URL on its S3 service: fetch the bytes from
# there WITHOUT the API key (it must never leave for another host). The SHA-256 to check them
# against came with the redirect (its headers stay in $RS_TMP/headers for rs_download).
rs_fetch_presigned() { # tmpfile key
  _loc=$(rs_header Location)
  case $_loc in http://*|https://*) ;; *) rs_log error "download $2: redirect without a usable Location"; return 1 ;; esac
  _pcode=$(curl -sS -g -o "$1" -w '%{http_code}' --connect-timeout 10 --speed-limit 1 \
    --speed-time "${RS_HTTP_STALL:-${RS_STALL_SECONDS:-60}}" -H "User-Agent: retrosync-sh/$RS_VERSION" "$_loc" 2>"$RS_TMP/curl.err")
  case $_pcode in
    200) return 0 ;;
    000|'') rs_log warn "download $2: the storage service is unreachable ($(head -c 200 "$RS_TMP/curl.err"))"; return 2 ;;
    *) RS_CODE=$_pcode; rs_log warn "download $2: the storage service answered HTTP $_pcode"; return 2 ;;
  esac
}

# Downloads a version to a temp file beside the target, verifies it, backs up the old file, mv.
# Returns 3 when that version is a deletion.
rs_download() { # canonical key, key, path, version, sha
  _dir=$(dirname "$3")
  mkdir -p "$_dir" || { rs_log error "download $2: cannot create $_dir"; return 1; }
  if [ -L "$_dir" ] || [ -L "$3" ]; then rs_log error "download $2: $3 or its folder is a symbolic link; not followed"; return 1; fi
  _tmpf=$_dir/.retrosync-$$.part
  RS_OUT=$_tmpf; rs_http GET "/api/sync/saves/$2?version=$4" -H "X-Accept-Presigned: 1"; _rc=$?; RS_OUT=""
  if [ $_rc -eq 1 ] && [ "$RS_CODE" = 307 ]; then rs_fetch_presigned "$_tmpf" "$2"; _rc=$?; fi
  if [ $_rc -ne 0 ]; then
    if [ "$RS_CODE" = 404 ] && grep -q '"deleted":true' "$_tmpf" 2>/dev/null; then rm -f "$_tmpf"; return 3; fi
    if rs_excluded_answer "$_tmpf"; then rm -f "$_tmpf"; rs_log info "download $2: excluded by this device's sync filter (changed on the server); left alone"; return 0; fi
    rm -f "$_tmpf"; rs_log error "download $2 v$4: $(rs_api_error)"; return 1
  fi
  _got=$(rs_sha "$_tmpf")
  _hdr=$(rs_header X-Content-SHA256)
  if [ "$_got" != "$5" ] || { [ -n "$_hdr" ] && [ "$_hdr" != "$5" ]; }; then
    rm -f "$_tmpf"
    rs_log error "download $2 v$4: SHA-256 mismatch (got $_got, want $5); local save left untouched"
    rs_report download "$2" "sha256 mismatch; not applied" failed
    return 1
  fi
  if [ -f "$3" ]; then rs_backup "$2" "$3" || { rm -f "$_tmpf"; rs_log error "download $2: backup failed"; return 1; }; fi
  sync 2>/dev/null
  mv -f "$_tmpf" "$3" || { rm -f "$_tmpf"; rs_log error "download $2: cannot replace $3"; return 1; }
  _rt=$(rs_now)
  _cur=$(rs_stat "$3")
  rs_state_put "$1" "$4" "$5" "${_cur%%"$RS_TAB"*}" "${_cur#*"$RS_TAB"}" "$3" "$_rt" "$2"
  # Written by this client just now: the next pass reads it again if the file time leaves a
  # same-size write by the emulator within the same step undetectable.
  [ $((_rt - ${_cur#*"$RS_TAB"})) -lt "$RS_MTIME_WINDOW" ] && RS_UNSETTLED=1
  rs_log info "download $2 v$4 -> $3"
  return 0
}

# For `daemon.sh --once`: saves this pass could not apply, and deletions it held, with the
# reason. Prints them and returns 1 when there are any (the device is then not in sync).
rs_not_in_sync() {
  _any=1
  if [ -s "$RS_SKIPPED" ]; then
    while IFS="$RS_TAB" read -r _c _k _v _s _d _why; do echo "skipped $_k: $_why"; done < "$RS_SKIPPED"
    _any=0
  fi
  # Held deletions the feed has since settled (the player deleted them on the server) are done.
  if [ -n "${RS_HELD:-}" ] && ! awk -F '\t' -v st="$RS_STATE" 'BEGIN { while ((getline l < st) > 0) { split(l, a, "\t"); if (a[3] != "") live[a[1]] = 1 } }
      $1 in live { f = 1 } END { exit !f }' "$RS_TMP/vanished"; then RS_HELD=""; fi
  if [ -n "${RS_HELD:-}" ]; then echo "deletions held: $RS_HELD"; _any=0; fi
  return $_any
}
