# shellcheck shell=sh
# Local side of a pass: scan the save roots (stat first; sha256sum only when size or mtime
# changed since the last sync, or when the file could have been written again unseen within its
# file time's granularity) and find synced saves whose file is gone.
# State: $RS_HOME/state.tsv — one row per save, by its canonical key (docs/protocol.md, "Flat
# folders"): canonical key, version, sha256 ("" = synced as deleted), size, mtime, host path,
# read time (device seconds when this client last read or wrote the bytes), key as sent.

RS_STATE=$RS_HOME/state.tsv
RS_TAB=$(printf '\t')
# FAT stores file times in 2-second steps and this client's clock has whole seconds: a file whose
# mtime lies within this many seconds of when it was last read may have been written again since
# with the same size and time (docs/protocol.md, "File times").
RS_MTIME_WINDOW=${RS_MTIME_WINDOW:-4}

# rs_canon [COL]: appends the canonical form of the percent-encoded key in column COL (1).
rs_canon() {
  awk -v T="$RS_TABLES" -v COL="${1:-1}" -f "$RS_DIR/lib/tables.awk" -f "$RS_DIR/lib/keys.awk" -f "$RS_DIR/lib/canon.awk"
}

# Lists every file under the save and state roots as "mtime TAB size TAB host path".
rs_list_files() {
  rs_awk roots | while IFS="$RS_TAB" read -r _k _d; do
    case $_k in saves|states) ;; *) continue ;; esac
    [ -d "${RS_ROOT:-}$_d" ] || continue
    find "${RS_ROOT:-}$_d" -type f ! -name '.retrosync-*' -exec stat -c "%Y$RS_TAB%s$RS_TAB%n" {} +
  done | sort -u -t "$RS_TAB" -k 3
}

# State rows written by clients before canonical keys (6 columns, key as sent): converted once.
rs_state_migrate() {
  [ -s "$RS_STATE" ] || return 0
  awk -F '\t' 'NF < 8 { f = 1; exit } END { exit !f }' "$RS_STATE" || return 0
  { awk -F '\t' 'NF >= 8' "$RS_STATE"
    awk -F '\t' 'NF < 8' "$RS_STATE" | rs_canon 1 | awk -F '\t' -v OFS='\t' '{ print $NF, $2, $3, $4, $5, $6, "", $1 }'
  } > "$RS_STATE.tmp" && mv -f "$RS_STATE.tmp" "$RS_STATE"
}

# Writes $RS_TMP/changed: "canonical key TAB key TAB host path TAB size TAB mtime TAB compressed
# TAB changed|recheck" for saves to read (recheck: same size and time, but read too soon after it
# was written to prove it unchanged); $RS_TMP/saves (all saves: identify's columns + the canonical key);
# $RS_TMP/vanished: synced saves whose file is gone (canonical key, version, path, key as sent).
rs_scan() {
  [ -f "$RS_STATE" ] || : > "$RS_STATE"
  rs_state_migrate
  rs_filter_prepare
  rs_list_files > "$RS_TMP/list"
  : > "$RS_TMP/vanished"
  # Nothing on disk moved since a pass that left nothing to do: skip identifying (idle passes
  # then cost a find + stat, not an awk run over every save).
  if [ -s "$RS_TMP/saves" ] && cmp -s "$RS_TMP/list" "$RS_TMP/list.ok"; then
    : > "$RS_TMP/changed"
    RS_SCANNED=$(grep -c . "$RS_TMP/saves")
    return 0
  fi
  RS_RESCANNED=1
  rs_awk identify < "$RS_TMP/list" > "$RS_TMP/identified"
  # One file per save (keys compared in canonical form): where a legacy or alias folder holds the
  # same save (Onion's old RetroArch folder, muOS's /mnt/mmc view of /run/muos/storage), the
  # folder the platform writes wins.
  # Saves the sync filters exclude are left out here: never uploaded, never read as deletions.
  awk -F '\t' '$1 == "save"' "$RS_TMP/identified" | rs_canon 2 | sort -t "$RS_TAB" -k 9,9 -k 8,8n -k 7,7 |
    awk -F '\t' '!seen[$9]++' | rs_filter 9 > "$RS_TMP/saves"
  # Saves that cannot be synced (system unknown, name no key can hold): say so once, not every pass.
  awk -F '\t' '$1 == "ambiguous" || $1 == "unsupported" { print $1 " (" $2 "): " $7 }' "$RS_TMP/identified" > "$RS_TMP/unsynced"
  if ! cmp -s "$RS_TMP/unsynced" "$RS_TMP/unsynced.prev" 2>/dev/null; then
    _u=$(grep -c . "$RS_TMP/unsynced")
    [ "$_u" -gt 0 ] && rs_log warn "$_u file(s) not synced (add the ROM or set a core to tell the system): $(head -n 5 "$RS_TMP/unsynced" | tr '\n' ';')"
    cp "$RS_TMP/unsynced" "$RS_TMP/unsynced.prev"
  fi
  awk -F '\t' -v OFS='\t' -v st="$RS_STATE" -v win="$RS_MTIME_WINDOW" -v van="$RS_TMP/vanished" -v list="$RS_TMP/list" '
    BEGIN {
      while ((getline l < st) > 0) { split(l, a, "\t"); row[a[1]] = l; stat[a[1]] = a[4] "/" a[5]; path[a[1]] = a[6]; rt[a[1]] = a[7] }
      while ((getline l < list) > 0) { sub(/^[^\t]*\t[^\t]*\t/, "", l); ondisk[l] = 1 }
    }
    { seen[$9] = 1 }
    # New, moved, touched, or read too soon after it was written to prove it unchanged.
    !($9 in row) || path[$9] != $7 || stat[$9] != $4 "/" $3 { print $9, $2, $7, $4, $3, $5, "changed"; next }
    rt[$9] != "" && rt[$9] - $3 < win { print $9, $2, $7, $4, $3, $5, "recheck" }
    END {
      for (c in row) {
        split(row[c], a, "\t")
        if (a[3] != "" && a[2] != "" && !(a[6] in ondisk) && !(c in seen)) print c, a[2], a[6], a[8] > van
      }
    }' "$RS_TMP/saves" > "$RS_TMP/changed"
  # A path outside the listed roots is not gone because the listing missed it.
  if [ -s "$RS_TMP/vanished" ]; then
    while IFS="$RS_TAB" read -r _c _v _p _w; do [ -e "$_p" ] || printf '%s\t%s\t%s\t%s\n' "$_c" "$_v" "$_p" "$_w"; done < "$RS_TMP/vanished" > "$RS_TMP/vanished.ok"
    mv -f "$RS_TMP/vanished.ok" "$RS_TMP/vanished"
  fi
  _n=$(grep -c "${RS_TAB}changed\$" "$RS_TMP/changed")
  RS_SCANNED=$(grep -c . "$RS_TMP/saves")
  [ "$_n" -gt 0 ] && rs_log info "scan: $RS_SCANNED saves, $_n changed"
  return 0
}

# After a pass whose changes were all handled: its listing needs no second look (unless a file
# must be read again once its time is past the granularity window).
rs_scan_done() { [ -n "${RS_UNSETTLED:-}" ] && return 0; cp "$RS_TMP/list" "$RS_TMP/list.ok"; }
rs_scan_reset() { rm -f "$RS_TMP/list.ok"; }

# State lookups and updates (small files: rewrite atomically).
rs_state_get() { awk -F '\t' -v k="$1" '$1 == k { print; exit }' "$RS_STATE"; }
rs_state_put() { # canonical key, version, sha, size, mtime, path, read time, key as sent
  awk -F '\t' -v k="$1" '$1 != k' "$RS_STATE" > "$RS_STATE.tmp"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" >> "$RS_STATE.tmp"
  mv -f "$RS_STATE.tmp" "$RS_STATE"
}
# Splits a state row into _sv _ss _ssz _smt _sp _srt _sw (all empty when there is none).
rs_state_split() {
  _sv=""; _ss=""; _ssz=""; _smt=""; _sp=""; _srt=""; _sw=""
  [ -n "$1" ] || return 0
  _r=${1#*"$RS_TAB"}
  for _f in _sv _ss _ssz _smt _sp _srt; do
    eval "$_f=\${_r%%\"\$RS_TAB\"*}"; _r=${_r#*"$RS_TAB"}
  done
  _sw=$_r
}

rs_sha() { sha256sum "$1" 2>/dev/null | cut -d ' ' -f 1; }
rs_stat() { stat -c "%s$RS_TAB%Y" "$1" 2>/dev/null; }

. "$RS_DIR/lib/plan.sh"
. "$RS_DIR/lib/upload.sh"
. "$RS_DIR/lib/filter.sh"
