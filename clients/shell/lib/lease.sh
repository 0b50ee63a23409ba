# shellcheck shell=sh
# Play leases ("in use on RG35XX+ since 14:02") and API key rotation for the shell client; the
# protocol is in docs/protocol.md "Play lease" and "Key rotation". Needs lib/common.sh, RS_TMP.
#   $RS_HOME/lease-warnings.tsv  key TAB device name TAB since (epoch s) TAB at (epoch s): saves
#                                changed here while another device held them (last 10)
#   $RS_STATE_DIR/leases.tsv     the account's live leases (GET /api/sync/leases), for the status file
# Keys in both are percent-encoded per segment (as in the status file); log lines show them plain.

RS_LEASE_WARNINGS=$RS_HOME/lease-warnings.tsv
RS_TAB=${RS_TAB:-$(printf '\t')}

# Percent-decoding (device names travel percent-encoded in X-Lease-Device).
rs_pct_decode() {
  printf '%s\n' "$1" | awk '{ o = ""; for (i = 1; i <= length($0); i++) { c = substr($0, i, 1)
    if (c == "%" && i + 2 <= length($0)) { h = tolower(substr($0, i + 1, 2)); o = o sprintf("%c", (index("0123456789abcdef", substr(h, 1, 1)) - 1) * 16 + index("0123456789abcdef", substr(h, 2, 1)) - 1); i += 2 }
    else o = o c } print o }'
}

# HH:MM of an epoch second in the device's time zone (the lease's start is on the server's clock).
rs_hhmm() { date -d "@$1" +%H:%M 2>/dev/null || printf '%s' "$1"; }

# rs_lease_warn KEY NAME SINCE_EPOCH_S (KEY plain): log it and keep it for the status file.
rs_lease_warn() {
  _lk=$(printf '%s\n' "$1" | rs_awk encode); _ln=$2; _ls=$3
  # One warning per change: the upload's reply and the claim after it name the same lease.
  if [ -f "$RS_LEASE_WARNINGS" ] && tail -n 1 "$RS_LEASE_WARNINGS" | awk -F '\t' -v k="$_lk" -v s="$_ls" -v now="$(rs_now)" '$1 == k && $3 == s && now - $4 < 60 { f = 1 } END { exit !f }'; then return 0; fi
  rs_log warn "in use: $1 is in use on $_ln since $(rs_hhmm "$_ls"); it was changed here too — both copies are kept and the conflict rule decides which is current"
  { [ -f "$RS_LEASE_WARNINGS" ] && tail -n 9 "$RS_LEASE_WARNINGS"; printf '%s\t%s\t%s\t%s\n' "$_lk" "$(printf '%s' "$_ln" | tr '\t\n' '  ')" "$_ls" "$(rs_now)"; } > "$RS_LEASE_WARNINGS.tmp" &&
    mv -f "$RS_LEASE_WARNINGS.tmp" "$RS_LEASE_WARNINGS"
}

# After an upload or deletion: the reply names another device's live lease in X-Lease-* headers.
rs_lease_from_reply() { # key
  _lname=$(rs_header X-Lease-Device)
  [ -n "$_lname" ] || return 0
  _lsince=$(rs_header X-Lease-Since)
  case $_lsince in ''|*[!0-9]*) _lsince=0 ;; esac
  rs_lease_warn "$(rs_pct_decode "$1")" "$(rs_pct_decode "$_lname")" "$((_lsince / 1000))"
}

# ISO 8601 (server) → epoch s, for the TSV the server sends; busybox date reads "YYYY-MM-DD HH:MM:SS".
rs_iso_s() { _i=${1%%.*}; _i=${_i%Z}; date -u -d "$(printf '%s' "$_i" | tr 'T' ' ')" +%s 2>/dev/null || echo 0; }

# rs_lease_claim REASON KEY… (keys percent-encoded as in URLs): claims (or renews) the play lease;
# a save another device holds is warned about. Best effort: failures are only logged.
rs_lease_claim() {
  _reason=$1; shift
  [ $# -gt 0 ] || return 0
  _keys=""
  for _k in "$@"; do _keys="$_keys${_keys:+,}$(rs_json_str "$(rs_pct_decode "$_k")")"; done
  if ! rs_http POST '/api/sync/leases?format=tsv' -H 'Content-Type: application/json' -d "{\"keys\":[$_keys],\"reason\":\"$_reason\"}"; then
    rs_log info "lease claim failed (HTTP $RS_CODE)"; return 1
  fi
  # key deviceId deviceName reason since expiresAt held
  tail -n +2 "$RS_TMP/body" | while IFS="$RS_TAB" read -r _k _id _name _r _since _exp _held; do
    [ "$_held" = false ] && rs_lease_warn "$_k" "$_name" "$(rs_iso_s "$_since")"
  done
  return 0
}

# rs_lease_release [KEY…]: the game exited (no keys: every lease of this device).
rs_lease_release() {
  _keys=""
  for _k in "$@"; do _keys="$_keys${_keys:+,}$(rs_json_str "$(rs_pct_decode "$_k")")"; done
  rs_http POST /api/sync/leases/release -H 'Content-Type: application/json' -d "${_keys:+{\"keys\":[$_keys]\}}" > /dev/null
}

# The account's live leases into $RS_STATE_DIR/leases.tsv: key TAB device TAB since (epoch s) TAB reason TAB held.
rs_leases_fetch() {
  rs_http GET '/api/sync/leases?format=tsv' || return 1
  tail -n +2 "$RS_TMP/body" | while IFS="$RS_TAB" read -r _k _id _name _r _since _exp _held; do
    # Keys percent-encoded per segment, as in the status file's `save` records.
    printf '%s\t%s\t%s\t%s\t%s\n' "$(printf '%s\n' "$_k" | rs_awk encode)" "$_name" "$(rs_iso_s "$_since")" "$_r" "$_held"
  done > "$RS_STATE_DIR/leases.tsv.tmp" && mv -f "$RS_STATE_DIR/leases.tsv.tmp" "$RS_STATE_DIR/leases.tsv"
}

# ---- key rotation -------------------------------------------------------------------------------
# 1. POST /api/devices/key/rotate with the current key → a new key (the old one still works);
# 2. config rewritten atomically (temp + mv) with RS_API_KEY = new, RS_API_KEY_PREV = old;
# 3. POST /api/devices/key/confirm with the new key: the old key stops working on every replica;
# 4. config rewritten without RS_API_KEY_PREV.
# A crash after 1 leaves the old key (still valid; rotating again replaces the unused new one);
# after 2, rs_rotation_finish (run at every start) confirms the new key, or goes back to the old
# one if the server no longer knows the new one. RETROSYNC_TEST_CRASH_AT=after-server-rotate |
# after-config-write stops the rotation there (tests).
rs_rotate_key() {
  rs_rotation_finish || return 1
  rs_http POST /api/devices/key/rotate || { rs_log error "key rotation: the server refused ($(rs_api_error))"; return 1; }
  _new=$(rs_json_field "$RS_TMP/body" apiKey)
  case $_new in *[!0-9a-f]*|'') rs_log error "key rotation: no key in the answer"; return 1 ;; esac
  [ ${#_new} -eq 64 ] || { rs_log error "key rotation: malformed key in the answer"; return 1; }
  [ "${RETROSYNC_TEST_CRASH_AT:-}" = after-server-rotate ] && { echo "retrosync: simulated crash after-server-rotate" >&2; exit 70; }
  RS_API_KEY_PREV=$RS_API_KEY; RS_API_KEY=$_new
  rs_config_write || { RS_API_KEY=$RS_API_KEY_PREV; RS_API_KEY_PREV=""; rs_log error "key rotation: cannot write $RS_CONFIG"; return 1; }
  [ "${RETROSYNC_TEST_CRASH_AT:-}" = after-config-write ] && { echo "retrosync: simulated crash after-config-write" >&2; exit 70; }
  rs_rotation_finish
}

# Settles a rotation whose new key is in the config but not yet confirmed.
rs_rotation_finish() {
  [ -n "${RS_API_KEY_PREV:-}" ] || return 0
  if rs_http POST /api/devices/key/confirm; then
    RS_API_KEY_PREV=""; rs_config_write
    rs_log info "API key rotated; the old key no longer works"
    return 0
  fi
  [ "$RS_CODE" = 401 ] || return 1 # offline: try again later, with both keys kept
  # The server does not know the new key (it lapsed unused): the previous one still works.
  _try=$RS_API_KEY; RS_API_KEY=$RS_API_KEY_PREV
  if rs_http POST /api/sync/heartbeat -H 'Content-Type: application/json' -d '{}'; then
    RS_API_KEY_PREV=""; rs_config_write
    rs_log warn "key rotation: the new key was not accepted; keeping the previous key (rotate again)"
    return 0
  fi
  RS_API_KEY=$_try
  return 1
}
