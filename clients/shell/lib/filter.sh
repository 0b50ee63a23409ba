# shellcheck shell=sh
# Selective sync (README "Selective sync"): a save syncs only when both filters include it —
# this device's filter on the server ($RS_HOME/filter-server.tsv, fetched again whenever a feed
# answer's X-Filter-Revision differs from the one kept) and the local one from the config file:
#   RS_SYNC_SYSTEMS="gba snes"   only these systems        RS_SKIP_SYSTEMS="ps1"  all but these
#   RS_SYNC_GAMES="ps1/Final Fantasy VII"  always (";"-separated <system>/<game>)
#   RS_SKIP_GAMES="gba/Pokemon Ruby"       never           RS_SYNC_STATES=0   no save states
# The rule is lib/filter.awk (shared vectors). Excluding never deletes: an excluded save is left
# out of the scan and the feed, and its state row moves to $RS_HOME/excluded.tsv, so its file is
# never read as a deletion. Included again, a row whose file is still here goes back (the save
# syncs as usual); a row whose file is gone is dropped, so the save is fetched as new.

RS_FILTER_SERVER=$RS_HOME/filter-server.tsv
RS_FILTER_REV=$RS_HOME/filter.rev
RS_FILTER_SIG=$RS_HOME/filter.sig
RS_EXCLUDED=$RS_HOME/excluded.tsv
RS_CURSOR_RESET=$RS_HOME/cursor.reset
RS_FILTERS=""

# The local filter keys, read again from the config file (a change applies at the next pass).
rs_filter_config() {
  unset RS_SYNC_SYSTEMS RS_SKIP_SYSTEMS RS_SYNC_GAMES RS_SKIP_GAMES RS_SYNC_STATES
  [ -f "$RS_CONFIG" ] || return 0
  eval "$(grep -E '^RS_(SYNC|SKIP)_(SYSTEMS|GAMES|STATES)=' "$RS_CONFIG")"
}

# Writes the local filter as filter TSV ($1), or removes it when the config sets none.
rs_filter_local_write() {
  if [ -z "${RS_SYNC_SYSTEMS:-}${RS_SKIP_SYSTEMS:-}${RS_SYNC_GAMES:-}${RS_SKIP_GAMES:-}${RS_SYNC_STATES:-}" ]; then rm -f "$1"; return 0; fi
  {
    if [ -n "${RS_SYNC_SYSTEMS:-}" ]; then
      [ -n "${RS_SKIP_SYSTEMS:-}" ] && rs_log warn "config: RS_SYNC_SYSTEMS and RS_SKIP_SYSTEMS both set; RS_SYNC_SYSTEMS (only these) applies"
      echo "system_mode${RS_TAB}only"; _sl=$RS_SYNC_SYSTEMS
    elif [ -n "${RS_SKIP_SYSTEMS:-}" ]; then echo "system_mode${RS_TAB}except"; _sl=$RS_SKIP_SYSTEMS
    else echo "system_mode${RS_TAB}all"; _sl=""; fi
    printf '%s\n' "$_sl" | tr ', ' '\n\n' | sed -n "s/^\\([A-Za-z0-9_-][A-Za-z0-9_-]*\\)\$/system${RS_TAB}\\1/p"
    case ${RS_SYNC_STATES:-1} in 0|no|off|false) echo "states${RS_TAB}false" ;; *) echo "states${RS_TAB}true" ;; esac
    printf '%s\n' "${RS_SYNC_GAMES:-}" | tr ';' '\n' | sed -e 's/^ *//' -e 's/ *$//' -e '/^$/d' -e "s/^/include_game_raw${RS_TAB}/"
    printf '%s\n' "${RS_SKIP_GAMES:-}" | tr ';' '\n' | sed -e 's/^ *//' -e 's/ *$//' -e '/^$/d' -e "s/^/exclude_game_raw${RS_TAB}/"
  } > "$1.tmp" && mv -f "$1.tmp" "$1"
}

# rs_filter COL [allowed|excluded|mark] — stdin lines whose column COL is a percent-encoded key.
rs_filter() {
  if [ -z "$RS_FILTERS" ]; then
    case ${2:-allowed} in
      allowed) cat ;;
      excluded) cat > /dev/null ;;
      mark) sed "s/\$/${RS_TAB}1/" ;;
    esac
    return 0
  fi
  awk -v T="$RS_TABLES" -v COL="$1" -v WANT="${2:-allowed}" -v FILTERS="$RS_FILTERS" \
    -f "$RS_DIR/lib/tables.awk" -f "$RS_DIR/lib/keys.awk" -f "$RS_DIR/lib/filter.awk"
}

# Before a scan or a feed: the filters in force (RS_FILTERS). When they changed since the last
# pass, the scan looks at every file again and state rows move between state.tsv and
# excluded.tsv; a changed local filter also reads the feed from its start (the server resets
# the feed for its own filter).
rs_filter_prepare() {
  rs_filter_config
  _flocal=$RS_STATE_DIR/filter-local.tsv
  rs_filter_local_write "$_flocal"
  RS_FILTERS=""
  [ -s "$RS_FILTER_SERVER" ] && RS_FILTERS=$RS_FILTER_SERVER
  [ -s "$_flocal" ] && RS_FILTERS="${RS_FILTERS:+$RS_FILTERS$(printf '\037')}$_flocal"
  _lsig=$({ cat "$_flocal" 2>/dev/null; echo; } | sha256sum | cut -d " " -f 1); _ssig=$(cat "$RS_FILTER_REV" 2>/dev/null)
  { read -r _old_l; read -r _old_s; } < "$RS_FILTER_SIG" 2>/dev/null || { _old_l=""; _old_s=""; }
  [ "$_lsig" = "$_old_l" ] && [ "$_ssig" = "$_old_s" ] && return 0
  if [ "$_lsig" != "$_old_l" ] && [ -n "$_old_l$_old_s" ]; then
    # The next feed read starts at 0 (fetch.sh); until one did, no answer moves the cursor.
    : > "$RS_CURSOR_RESET"
    rs_log info "the local sync filter changed; reading every save on the server again"
  fi
  rs_scan_reset
  rs_filter_state
  printf '%s\n%s\n' "$_lsig" "$_ssig" > "$RS_FILTER_SIG"
}

# Moves state rows of excluded saves to excluded.tsv, and rows of saves included again back.
rs_filter_state() {
  [ -f "$RS_STATE" ] || : > "$RS_STATE"
  : > "$RS_STATE_DIR/fstate.out"
  if [ -n "$RS_FILTERS" ]; then
    rs_filter 1 mark < "$RS_STATE" > "$RS_STATE_DIR/fstate"
    awk -F '\t' -v OFS='\t' -v out="$RS_STATE_DIR/fstate.out" '{ ok = $NF; NF--; if (ok == 1) print; else print > out }' "$RS_STATE_DIR/fstate" > "$RS_STATE.tmp"
  else cp "$RS_STATE" "$RS_STATE.tmp"; fi
  if [ -s "$RS_EXCLUDED" ]; then
    rs_filter 1 mark < "$RS_EXCLUDED" > "$RS_STATE_DIR/fexcl"
    : > "$RS_EXCLUDED.tmp"
    while IFS= read -r _row; do
      _ok=${_row##*"$RS_TAB"}; _row=${_row%"$RS_TAB"*}
      if [ "$_ok" = 1 ]; then
        _p=$(printf '%s\n' "$_row" | cut -f 6)
        if [ -f "$_p" ]; then printf '%s\n' "$_row" >> "$RS_STATE.tmp"
        else rs_log info "$(printf '%s\n' "$_row" | cut -f 8) is included again and not on this device: fetching it"; fi
      else printf '%s\n' "$_row" >> "$RS_EXCLUDED.tmp"; fi
    done < "$RS_STATE_DIR/fexcl"
  else : > "$RS_EXCLUDED.tmp"; fi
  if [ -s "$RS_STATE_DIR/fstate.out" ]; then
    while IFS="$RS_TAB" read -r _c _v _s _sz _m _p _rt _w; do
      rs_log info "$_w is excluded by the sync filter: left alone here and on the server (excluding deletes nothing)"
    done < "$RS_STATE_DIR/fstate.out"
    cat "$RS_STATE_DIR/fstate.out" >> "$RS_EXCLUDED.tmp"
  fi
  mv -f "$RS_STATE.tmp" "$RS_STATE"
  if [ -s "$RS_EXCLUDED.tmp" ]; then mv -f "$RS_EXCLUDED.tmp" "$RS_EXCLUDED"; else rm -f "$RS_EXCLUDED.tmp" "$RS_EXCLUDED"; fi
}

# After a feed answer (its headers in $RS_TMP/headers): fetch this device's filter when its
# revision changed. Runs in the background poll too; the file is replaced atomically.
rs_filter_fetch() {
  _rev=$(rs_header X-Filter-Revision)
  case $_rev in ''|*[!0-9]*) return 0 ;; esac
  [ "$_rev" = "$(cat "$RS_FILTER_REV" 2>/dev/null)" ] && return 0
  if [ "$_rev" = 0 ]; then rm -f "$RS_FILTER_SERVER"; printf '0\n' > "$RS_FILTER_REV"; return 0; fi
  RS_OUT=$RS_FILTER_SERVER.tmp; rs_http GET "/api/sync/filter?format=tsv"; _frc=$?; RS_OUT=""
  if [ $_frc -ne 0 ]; then rm -f "$RS_FILTER_SERVER.tmp"; rs_log warn "sync filter: cannot read it ($RS_CODE); keeping the one known"; return 0; fi
  mv -f "$RS_FILTER_SERVER.tmp" "$RS_FILTER_SERVER"
  _got=$(awk -F '\t' '$1 == "revision" { print $2 }' "$RS_FILTER_SERVER")
  printf '%s\n' "${_got:-$_rev}" > "$RS_FILTER_REV"
  rs_log info "sync filter of this device changed on the server (revision ${_got:-$_rev})"
}

# A 409 save_excluded answer: the filter changed on the server since this pass read it; the save
# is left alone (not a failure) and the next feed read brings the new filter.
rs_excluded_answer() { [ "$RS_CODE" = 409 ] && grep -q '"save_excluded"' "${1:-$RS_TMP/body}" 2>/dev/null; }
