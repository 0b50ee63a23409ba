# shellcheck shell=sh
# Remote side of a pass: the change feed (long poll, TSV), placement of each head on this
# platform, and atomic verified downloads (temp file in the same folder, SHA-256 check, backup of
# the bytes replaced, mv). A bad hash never replaces a save.

RS_CURSOR_FILE=$RS_HOME/cursor
RS_BACKUPS=$RS_HOME/backups
RS_BACKUP_KEEP=${RS_BACKUP_KEEP:-5}

# Polls the feed (wait seconds; 0 = answer at once) and applies what changed.
rs_poll() { rs_feed_get "$1" && rs_feed_apply; }

# The request half (the daemon runs it in the background during its long poll): feed → $RS_TMP/body.
rs_feed_get() {
  _wait=$1
  _since=$(cat "$RS_CURSOR_FILE" 2>/dev/null)
  RS_HTTP_TIMEOUT=$((_wait + 30))
  if ! rs_http GET "/api/sync/files?format=tsv${_since:+&since=$_since}&wait=$_wait"; then
    RS_HTTP_TIMEOUT=30
    rs_log error "feed: $(rs_api_error)"; [ "$RS_CODE" = 000 ] && RS_OFFLINE=1
    return 1
  fi
  RS_HTTP_TIMEOUT=30
}

# The apply half: the feed in $RS_TMP/body → placements, verified downloads, the cursor.
rs_feed_apply() {
  _cursor=$(awk -F '\t' '$1 == "#cursor" { print $2 }' "$RS_TMP/body")
  case $_cursor in ''|*[!0-9]*) rs_log error "feed: no cursor in answer"; return 1 ;; esac
  # key version sha256 size deleted correctedMtime fileMtime deviceId cursor
  awk -F '\t' 'NR > 1 && $1 !~ /^#/ && NF >= 9 { print $1 }' "$RS_TMP/body" > "$RS_TMP/feedkeys"
  rs_awk place < "$RS_TMP/feedkeys" > "$RS_TMP/placed"
  rm -f "$RS_TMP/feedbad"
  # One pass joins the feed with the placements and the state: heads this device already has
  # (its own uploads coming back) drop out here instead of costing a process each.
  awk -F '\t' -v OFS='\t' -v st="$RS_STATE" -v pl="$RS_TMP/placed" -v bad="$RS_TMP/feedbad" '
    BEGIN {
      while ((getline l < st) > 0) { split(l, a, "\t"); ver[a[1]] = a[2] }
      while ((getline l < pl) > 0) { split(l, a, "\t"); if (a[1] == "ok") path[a[2]] = a[3]; else why[a[2]] = a[3] " " a[4] }
    }
    NR == 1 || $1 ~ /^#/ || NF < 9 { next }
    $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9a-f]+$/ || length($3) != 64 { print "bad\t" $1 > bad; next }
    !($1 in path) { print "unplaced\t" $1 "\t" why[$1] > bad; next }
    ($1 in ver) && ver[$1] != "" && ver[$1] + 0 >= $2 + 0 { next }
    { print $1, path[$1], $2, $3, $5 }' "$RS_TMP/body" > "$RS_TMP/todo"
  _fail=0
  if [ -s "$RS_TMP/feedbad" ]; then
    while IFS="$RS_TAB" read -r _what _key _why; do
      if [ "$_what" = bad ]; then rs_log error "feed: bad version or sha256 for $_key"; _fail=1
      else rs_log warn "not placed on $RS_PLATFORM: $_key ($_why)"; fi
    done < "$RS_TMP/feedbad"
    rm -f "$RS_TMP/feedbad"
  fi
  while IFS="$RS_TAB" read -r _key _path _ver _sha _del; do
    rs_apply "$_key" "$_path" "$_ver" "$_sha" "$_del" || _fail=1
  done < "$RS_TMP/todo"
  # Keep the cursor only when everything was applied, so a failed download is retried.
  [ $_fail -eq 0 ] && printf '%s\n' "$_cursor" > "$RS_CURSOR_FILE"
  [ $_fail -eq 0 ] || RS_FAILED=$((RS_FAILED + 1))
  return 0
}

# Decides for one head: nothing to do, download, or leave a locally changed file alone.
rs_apply() { # key path version sha deleted
  _st=$(rs_state_get "$1")
  _sver=$(printf '%s' "$_st" | cut -f 2); _ssha=$(printf '%s' "$_st" | cut -f 3)
  _ssz=$(printf '%s' "$_st" | cut -f 4); _smt=$(printf '%s' "$_st" | cut -f 5)
  [ -n "$_sver" ] && [ "$_sver" -ge "$3" ] 2>/dev/null && return 0
  if [ -f "$2" ]; then
    _cur=$(rs_stat "$2")
    if [ -z "$_st" ] || [ "$_cur" != "$_ssz$RS_TAB$_smt" ]; then
      _lsha=$(rs_content_sha "$2")
      if [ "$_lsha" = "$4" ]; then rs_state_put "$1" "$3" "$4" "${_cur%%"$RS_TAB"*}" "${_cur#*"$RS_TAB"}" "$2"; return 0; fi
      # Changed here since the last sync (or never synced): neither overwritten nor deleted; the
      # scan uploads it and the server decides.
      rs_log info "keep $2: changed on this device since version ${_sver:-none}; it will be uploaded"
      return 0
    fi
  fi
  if [ "$5" = true ]; then
    [ -f "$2" ] && rs_backup "$1" "$2" && rm -f "$2" && rs_log info "deleted $2 ($1 deleted on the server; backup kept)"
    rs_state_put "$1" "$3" "$4" "" "" "$2"
    return 0
  fi
  rs_download "$1" "$2" "$3" "$4"
}

# Keeps a copy of a file about to be replaced; at most RS_BACKUP_KEEP per save.
rs_backup() { # key path
  _bdir=$RS_BACKUPS/$(printf '%s' "$1" | sed 's#/#__#g')
  mkdir -p "$_bdir" || return 1
  # A counter orders backups made within the same second (names sort oldest first).
  _seq=$(( $(cat "$RS_HOME/backups.seq" 2>/dev/null || echo 0) + 1 ))
  echo "$_seq" > "$RS_HOME/backups.seq"
  cp -p "$2" "$_bdir/$(date +%Y%m%d-%H%M%S)-$(printf '%08d' "$_seq")-$(basename "$2")" || return 1
  ls -1 "$_bdir" | sort -r | awk -v n="$RS_BACKUP_KEEP" 'NR > n' | while IFS= read -r _old; do rm -f "$_bdir/$_old"; done
  return 0
}

# Downloads a head to a temp file beside the target, verifies it, backs up the old file, mv.
rs_download() { # key path version sha [force]
  _dir=$(dirname "$2")
  mkdir -p "$_dir" || { rs_log error "download $1: cannot create $_dir"; return 1; }
  if [ -L "$_dir" ] || [ -L "$2" ]; then rs_log error "download $1: $2 or its folder is a symbolic link; not followed"; return 1; fi
  _tmpf=$_dir/.retrosync-$$.part
  RS_OUT=$_tmpf; rs_http GET "/api/sync/saves/$1?version=$3"; _rc=$?; RS_OUT=""
  if [ $_rc -ne 0 ]; then
    rm -f "$_tmpf"; rs_log error "download $1 v$3: $(rs_api_error)"; [ "$RS_CODE" = 000 ] && RS_OFFLINE=1; return 1
  fi
  _got=$(rs_sha "$_tmpf")
  _hdr=$(rs_header X-Content-SHA256)
  if [ "$_got" != "$4" ] || { [ -n "$_hdr" ] && [ "$_hdr" != "$4" ]; }; then
    rm -f "$_tmpf"
    rs_log error "download $1 v$3: SHA-256 mismatch (got $_got, want $4); local save left untouched"
    rs_report download "$1" "sha256 mismatch; not applied"
    return 1
  fi
  if [ -f "$2" ]; then rs_backup "$1" "$2" || { rm -f "$_tmpf"; rs_log error "download $1: backup failed"; return 1; }; fi
  sync 2>/dev/null
  mv -f "$_tmpf" "$2" || { rm -f "$_tmpf"; rs_log error "download $1: cannot replace $2"; return 1; }
  _cur=$(rs_stat "$2")
  rs_state_put "$1" "$3" "$4" "${_cur%%"$RS_TAB"*}" "${_cur#*"$RS_TAB"}" "$2"
  rs_log info "download $1 v$3 -> $2"
  return 0
}
