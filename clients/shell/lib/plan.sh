# shellcheck shell=sh
# The plan rule (packages/core/src/sync/apply-plan.ts, docs/protocol.md), mirrored for sh and
# checked against the shared vectors packages/core/vectors/sync-plan.json (test/plan.test.ts).
#
# rs_plan LOCAL_SHA BLANK HELD SYNCED_VERSION SYNCED_SHA REMOTE_VERSION REMOTE_SHA REMOTE_DELETED
#   "" stands for null (no local file, never synced, synced as deleted, head unknown);
#   BLANK and HELD are 1 or empty; REMOTE_DELETED is true, false or empty.
# Sets PLAN (none|record|download|delete-local|upload|delete-remote|refuse-blank) and PLAN_V
# (the head version; for upload and delete-remote the base version; "" for none / no base).
rs_plan() {
  PLAN_V=""
  _pl=$1; _pb=$2; _ph=$3; _psv=$4; _pss=$5; _prv=$6; _prs=$7; _prd=$8
  _live=""; [ -n "$_prv" ] && [ "$_prd" != true ] && _live=$_prs
  # Local bytes and the head agree (an absent file agrees with a deleted head).
  if [ -n "$_prv" ] && [ "$_pl" = "$_live" ]; then
    if [ "$_psv" = "$_prv" ]; then PLAN=none; else PLAN=record; PLAN_V=$_prv; fi
    return 0
  fi
  if [ -z "$_psv" ]; then _pch=$_pl; elif [ "$_pl" != "$_pss" ]; then _pch=1; else _pch=""; fi
  if [ -n "$_pch" ]; then
    if [ -z "$_pl" ]; then
      # Deleted here since the last sync: a deletion only when nothing holds deletions back and
      # the head is still the one synced; a moved head wins (a modification beats a deletion).
      # A deletion the server has too is recorded even when deletions are held (nothing is deleted).
      if [ -z "$_prv" ] || [ -z "$_psv" ]; then PLAN=none
      elif [ "$_prd" = true ]; then PLAN=record; PLAN_V=$_prv
      elif [ -n "$_ph" ]; then PLAN=none
      elif [ "$_prv" = "$_psv" ]; then PLAN=delete-remote; PLAN_V=$_psv
      else PLAN=download; PLAN_V=$_prv; fi
      return 0
    fi
    # Blank saves: never sent over a live head (emulators write blank SRAM at game start).
    if [ -n "$_pb" ] && [ -n "$_live" ]; then PLAN=refuse-blank; PLAN_V=$_prv; return 0; fi
    PLAN=upload; PLAN_V=$_psv
    return 0
  fi
  if [ -z "$_prv" ] || [ "$_psv" = "$_prv" ]; then PLAN=none; return 0; fi
  if [ "$_prd" = true ]; then
    if [ -z "$_pl" ]; then PLAN=record; else PLAN=delete-local; fi
    PLAN_V=$_prv; return 0
  fi
  PLAN=download; PLAN_V=$_prv
}

# rs_is_blank FILE: empty, all 0x00 or all 0xFF (docs/protocol.md, "Blank saves").
rs_is_blank() {
  [ -s "$1" ] || return 0
  [ "$(tr -d '\000' < "$1" | head -c 1 | wc -c)" -eq 0 ] && return 0
  [ "$(tr -d '\377' < "$1" | head -c 1 | wc -c)" -eq 0 ]
}

# Decides whether this pass may read vanished files as deletions (docs/protocol.md, "Deletions").
# Input $RS_TMP/vanished: canon TAB version TAB path TAB wire key (synced saves whose file is gone).
# A missing folder (unmounted card), a card with no saves left (two or more vanished), more than
# 5 vanishing at once, or more than half of a folder's synced saves (two or more) vanishing holds
# every deletion of the pass: RS_HELD says why; RS_HELD_ALL is set when the card looks absent
# (nothing is written to it either).
rs_deletion_guard() {
  RS_HELD=""; RS_HELD_ALL=""
  [ -s "$RS_TMP/vanished" ] || return 0
  _nv=$(grep -c . "$RS_TMP/vanished")
  while IFS="$RS_TAB" read -r _c _v _p _w; do
    _d=${_p%/*}
    if [ ! -d "$_d" ]; then RS_HELD="folder $_d is missing (card not mounted?)"; RS_HELD_ALL=1; return 0; fi
  done < "$RS_TMP/vanished"
  # One deleted save with its folder in place is always a deletion, even the card's last one.
  if [ "${RS_SCANNED:-0}" -eq 0 ] && [ "$_nv" -gt 1 ]; then RS_HELD="no saves found on the card at all (empty or not mounted?)"; RS_HELD_ALL=1; return 0; fi
  if [ "$_nv" -gt 5 ]; then RS_HELD="$_nv saves vanished at once (more than 5)"; return 0; fi
  _why=$(awk -F '\t' -v st="$RS_STATE" '
    function dir(p) { sub(/\/[^\/]*$/, "", p); return p }
    BEGIN { while ((getline l < st) > 0) { split(l, a, "\t"); if (a[3] != "") n[dir(a[6])]++ } }
    { g[dir($3)]++ }
    END { for (d in g) if (g[d] >= 2 && g[d] * 2 > n[d]) { print g[d] " of the " n[d] " saves in " d " vanished at once"; exit } }' "$RS_TMP/vanished")
  [ -n "$_why" ] && RS_HELD=$_why
  return 0
}
