# shellcheck shell=sh
# Save identity from sh: detection of the platform (marker files), retroarch.cfg / NextUI settings,
# and the awk programs (tables.awk profile.awk keys.awk identify.awk place.awk).
# Needs: RS_DIR (the client folder). Uses: RS_ROOT (host folder standing for "/", empty on a
# device), RS_PLATFORM, RS_VARS ("k=v;…"), RS_CORES, RS_ROMROOTS, RS_SAVEDIR, RS_STATEDIR.

RS_TABLES="${RS_TABLES:-$RS_DIR/tables}"

# rs_awk MODE [extra awk -v args…] — runs the identity program for the configured platform.
rs_awk() {
  _m=$1; shift
  awk -v T="$RS_TABLES" -v MODE="$_m" -v P="${RS_PLATFORM:-}" -v ROOT="${RS_ROOT:-}" \
    -v VARS="${RS_VARS:-}" -v CORES="${RS_CORES:-}" -v ROMROOTS="${RS_ROMROOTS:-}" \
    -v SAVEDIR="${RS_SAVEDIR:-}" -v STATEDIR="${RS_STATEDIR:-}" -v RAFILE="${RS_RAFILE:-}" \
    -v CARD="${RS_CARD:-}" -v NXS="${RS_NXS:-}" -v NXT="${RS_NXT:-}" -v ROMS="${RS_ROMLIST:-}" -v ROMIDX="${RS_ROMIDX:-}" -v PLAYLISTS="${RS_PLLIST:-}" "$@" \
    -f "$RS_DIR/lib/tables.awk" -f "$RS_DIR/lib/profile.awk" -f "$RS_DIR/lib/keys.awk" \
    -f "$RS_DIR/lib/identify.awk" -f "$RS_DIR/lib/place.awk"
}

# Platform table rows: rs_ptable PLATFORM FIELD → the TAB-separated values, one row per line.
rs_ptable() { awk -F '\t' -v p="$1" -v f="$2" '$1 == p && $2 == f { o = $3; for (i = 4; i <= NF; i++) o = o "\037" $i; print o }' "$RS_TABLES/platforms.tsv"; }
RS_US=$(printf '\037')

# Expands {sd} and the other variables of a template (one volume), ~ to home.
rs_expand() {
  [ -n "${RSV_SET:-}" ] || rs_vars_init
  case $1 in
    *'{'*|'~'*) printf '%s\n' "$1" | sed -e "s#^~/#$RSV_home/#" -e "s#{sd}#$2#g" -e "s#{home}#$RSV_home#g" \
      -e "s#{config}#$RSV_config#g" -e "s#{retroarch}#$RSV_retroarch#g" -e "s#{emulation}#$RSV_emulation#g" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# Path variables, read once: RS_VARS wins over the table's defaults; ~ is home.
rs_vars_init() {
  RSV_home=$(rs_var home); RSV_retroarch=$(rs_var retroarch)
  RSV_config=$(rs_var config | sed "s#^~#$RSV_home#"); RSV_emulation=$(rs_var emulation | sed "s#^~#$RSV_home#")
  RSV_SET=1
}

rs_var() {
  _v=$(printf '%s' "${RS_VARS:-}" | tr ';' '\n' | sed -n "s/^$1=//p" | head -n 1)
  [ -n "$_v" ] || _v=$(awk -F '\t' -v k="$1" '$1 == "var" && $2 == k { print $3; exit }' "$RS_TABLES/identity.tsv")
  printf '%s' "$_v"
}

# rs_marker_ok PATH CONTAINS STARTS_WITH (device path; reads under RS_ROOT)
rs_marker_ok() {
  _f="${RS_ROOT:-}$1"
  [ -e "$_f" ] || return 1
  if [ -n "$2" ]; then grep -qF -- "$2" "$_f" 2>/dev/null || return 1; fi
  if [ -n "$3" ]; then
    _head=$(head -c ${#3} "$_f" 2>/dev/null)
    [ "$_head" = "$3" ] || return 1
  fi
  return 0
}

# Detects the platform (or fills in the configured one): sets RS_PLATFORM, RS_DEVICE_TYPE,
# RS_VOLUME, and adds sd=… to RS_VARS; writes retroarch settings to RS_RAFILE. Returns 1 when
# nothing matches.
rs_detect() {
  _want=${1:-}
  [ -n "${RSV_SET:-}" ] || rs_vars_init
  _found=""; _p=""; _vol=""
  while IFS="$RS_US" read -r _cp _x _mc _ms _v; do
    [ -n "$_x" ] || continue
    if rs_marker_ok "$_x" "$_mc" "$_ms"; then _found=$_x; _p=$_cp; _vol=$_v; break; fi
  done <<EOF
$(rs_marker_candidates "$_want")
EOF
  if [ -z "$_found" ]; then [ -n "$_want" ] || return 1; _p=$_want; fi
  _vols=$(rs_ptable "$_p" volumes | tr '\037' '\n')
  [ -n "$_vols" ] || return 1
  RS_PLATFORM=$_p
  if [ -z "$_vol" ] && [ "$(printf '%s\n' "$_vols" | grep -c .)" = 1 ]; then _vol=$_vols; fi
  if [ -z "$_vol" ] && { [ -z "$_want" ] || [ -n "${RS_PICK_VOLUME:-}" ]; }; then _vol=$(rs_pick_volume "$_p"); fi
  RS_VOLUME=$_vol
  # A card mounted on a PC (marker found with the card at /) holds only the folders on the card.
  RS_CARD=""; [ -n "$_found" ] && [ "$_vol" = / ] && RS_CARD=1
  case ";${RS_VARS:-};" in *";sd="*) ;; *) [ -n "$_vol" ] && RS_VARS="${RS_VARS:+$RS_VARS;}sd=$_vol" ;; esac
  rs_read_settings "$_p" "$_vol"
  RS_DEVICE_TYPE=$(rs_ptable "$_p" device_type)
  while IFS="$RS_US" read -r _rp _rc _rs _rt; do
    [ -n "$_rp" ] || continue
    if rs_marker_ok "$(rs_expand "$_rp" "$_vol")" "$_rc" "$_rs"; then RS_DEVICE_TYPE=$_rt; break; fi
  done <<EOF
$(rs_ptable "$_p" type_rule)
EOF
  case $RS_DEVICE_TYPE in rg35xx|miyoo_flip|miyoo_mini|windows|mac|linux) ;; *) RS_DEVICE_TYPE=other ;; esac
  return 0
}

# Every marker path to test, in detection order: platform, path, contains, starts_with, volume.
# Whole device trees first, then (no platform configured) a card mounted at / (its top = {sd}).
rs_marker_candidates() {
  awk -F '\t' -v want="$1" -v home="$RSV_home" -v config="$RSV_config" -v ra="$RSV_retroarch" -v emu="$RSV_emulation" '
    function ex(t, sd) {
      if (t ~ /^~\//) t = home substr(t, 2)
      gsub(/\{sd\}/, sd, t); gsub(/\{home\}/, home, t); gsub(/\{config\}/, config, t)
      gsub(/\{retroarch\}/, ra, t); gsub(/\{emulation\}/, emu, t)
      gsub(/\/\/+/, "/", t)
      return t
    }
    $1 == "*" && $2 == "order" { for (i = 3; i <= NF; i++) order[++no] = $i }
    $2 == "volumes" { vols[$1] = $3; for (i = 4; i <= NF; i++) vols[$1] = vols[$1] "\t" $i }
    $2 == "marker" { nm[$1]++; mp[$1, nm[$1]] = $3; mc[$1, nm[$1]] = $4; ms[$1, nm[$1]] = $5 }
    END {
      if (want != "") { no = 1; order[1] = want }
      for (card = 0; card <= (want == "" ? 1 : 0); card++)
        for (o = 1; o <= no; o++) {
          p = order[o]
          for (m = 1; m <= nm[p]; m++) {
            t = mp[p, m]
            if (index(t, "{sd}")) {
              if (card) { print p "\037" ex(t, "/") "\037" mc[p, m] "\037" ms[p, m] "\037/"; continue }
              nv = split(vols[p], v, "\t")
              for (i = 1; i <= nv; i++) print p "\037" ex(t, v[i]) "\037" mc[p, m] "\037" ms[p, m] "\037" v[i]
            } else if (!card) print p "\037" ex(t, "") "\037" mc[p, m] "\037" ms[p, m] "\037"
          }
        }
    }' "$RS_TABLES/platforms.tsv"
}

# The first volume holding one of the platform's save folders, else its first volume.
rs_pick_volume() {
  _vols=$(rs_ptable "$1" volumes | tr '\037' '\n')
  [ "$(printf '%s\n' "$_vols" | grep -c .)" -le 1 ] && { printf '%s' "$_vols"; return; }
  for _v in $_vols; do
    for _d in $(rs_ptable "$1" layout | awk -F '\037' '$1 == "saves" && $2 ~ /\{sd\}/ { print $2 }' | tr ' ' '\001'); do
      _d=$(printf '%s' "$_d" | tr '\001' ' ')
      [ -d "${RS_ROOT:-}$(rs_expand "$_d" "$_v")" ] && { printf '%s' "$_v"; return; }
    done
  done
  printf '%s\n' "$_vols" | head -n 1
}

# retroarch.cfg (first that exists) → RS_RAFILE as key TAB value; NextUI formats → RS_NXS/RS_NXT.
rs_read_settings() {
  RS_RAFILE=${RS_STATE_DIR:-${TMPDIR:-/tmp}}/retroarch-settings.tsv
  : > "$RS_RAFILE"
  _tab=$(printf '\t')
  while IFS= read -r _c; do
    [ -n "$_c" ] || continue
    _f="${RS_ROOT:-}$(rs_expand "$_c" "$2")"
    if [ -f "$_f" ]; then
      sed -n 's/^[ \t]*\([A-Za-z0-9_]*\)[ \t]*=[ \t]*"\([^"]*\)".*/\1\t\2/p; s/^[ \t]*\([A-Za-z0-9_]*\)[ \t]*=[ \t]*\([^" \t][^ \t]*\).*/\1\t\2/p' "$_f" |
        grep -E "^(savefile_directory|savestate_directory|sort_savefiles_enable|sort_savestates_enable|sort_savefiles_by_content_enable|sort_savestates_by_content_enable|savefiles_in_content_dir|savestates_in_content_dir|save_file_compression|savestate_file_compression|savestate_auto_load|rgui_browser_directory|playlist_directory|content_history_directory)$_tab" > "$RS_RAFILE"
      break
    fi
  done <<EOF
$(rs_ptable "$1" retroarch_cfg)
EOF
  _sf=$(rs_ptable "$1" settings_file)
  if [ -n "$_sf" ] && [ -f "${RS_ROOT:-}$(rs_expand "$_sf" "$2")" ]; then
    _sfile="${RS_ROOT:-}$(rs_expand "$_sf" "$2")"
    RS_NXS=$(sed -n 's/^saveFormat=\([0-9][0-9]*\).*/\1/p' "$_sfile" | head -n 1)
    RS_NXT=$(sed -n 's/^stateFormat=\([0-9][0-9]*\).*/\1/p' "$_sfile" | head -n 1)
  fi
}

# Builds the ROM index (ROMs up to 3 levels below each ROM root) into RS_ROMIDX.
rs_index_roms() {
  RS_ROMLIST=${RS_STATE_DIR:-${TMPDIR:-/tmp}}/roms.list
  RS_ROMIDX=""
  : > "$RS_ROMLIST"; rm -f "$RS_ROMLIST.lpl"
  rs_awk roots | while IFS="$(printf '\t')" read -r _k _d; do
    [ "$_k" = roms ] && [ -d "${RS_ROOT:-}$_d" ] && find "${RS_ROOT:-}$_d" -maxdepth 3 -type f >> "$RS_ROMLIST" 2>/dev/null
    # RetroArch's playlists (and one level below: builtin/) name ROMs with their system.
    [ "$_k" = playlists ] && [ -d "${RS_ROOT:-}$_d" ] && find "${RS_ROOT:-}$_d" -maxdepth 2 -type f -name '*.lpl' >> "$RS_ROMLIST.lpl" 2>/dev/null
  done
  RS_PLLIST=""; [ -s "$RS_ROMLIST.lpl" ] && RS_PLLIST=$RS_ROMLIST.lpl
  rs_awk romindex > "$RS_ROMLIST.idx" || return 1
  rm -f "$RS_ROMLIST.lpl"
  RS_ROMIDX=$RS_ROMLIST.idx
  RS_ROMLIST=""; RS_PLLIST=""
  return 0
}
