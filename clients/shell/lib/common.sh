# shellcheck shell=sh
# Shared helpers: config, log with rotation, HTTP through curl, minimal JSON field reading.
# Needs RS_DIR. RETROSYNC_HOME (default: data/ beside the scripts, i.e. on the SD card).

RS_HOME=${RETROSYNC_HOME:-$RS_DIR/data}
RS_CONFIG=$RS_HOME/config
RS_LOG=$RS_HOME/retrosync.log
RS_LOG_MAX=${RS_LOG_MAX:-262144}
RS_VERSION=0.1.0

# rs_now / rs_now_ms and the clock record every request carries.
. "$RS_DIR/lib/clock.sh"

rs_log() {
  _lvl=$1; shift
  [ -d "$RS_HOME" ] || mkdir -p "$RS_HOME"
  if [ -f "$RS_LOG" ]; then
    _sz=$(wc -c < "$RS_LOG" 2>/dev/null || echo 0)
    if [ "$_sz" -gt "$RS_LOG_MAX" ]; then
      [ -f "$RS_LOG.1" ] && mv -f "$RS_LOG.1" "$RS_LOG.2"
      mv -f "$RS_LOG" "$RS_LOG.1"
    fi
  fi
  printf '%s %s %s\n' "$(date '+%Y-%m-%dT%H:%M:%S')" "$_lvl" "$*" >> "$RS_LOG"
  [ -n "${RS_VERBOSE:-}" ] && printf '%s %s\n' "$_lvl" "$*" >&2
  [ -n "${RS_LOG_HOOK:-}" ] && "$RS_LOG_HOOK" "$_lvl" "$*"
  return 0
}

# The applets the client needs; a firmware whose busybox lacks one is told which.
RS_NEEDS="awk sed grep find stat sha256sum cmp mktemp sort cut head tail tr wc od gunzip date sleep kill mv cp rm mkdir cat curl"
rs_require() {
  _missing=""
  for _a in $RS_NEEDS; do command -v "$_a" > /dev/null 2>&1 || _missing="$_missing $_a"; done
  [ -z "$_missing" ] && return 0
  printf 'retrosync: missing commands:%s (this firmware'"'"'s busybox lacks them)\n' "$_missing" >&2
  return 1
}

rs_die() { rs_log error "$*"; printf 'retrosync: %s\n' "$*" >&2; exit "${RS_DIE_STATUS:-2}"; }

# Single-quotes a value for the sh config file.
rs_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

rs_config_write() {
  mkdir -p "$RS_HOME" || return 1
  _tmp=$RS_CONFIG.tmp.$$
  {
    echo "# RetroSync shell client configuration (written by setup.sh)"
    for _k in RS_SERVER RS_API_KEY RS_API_KEY_PREV RS_DEVICE_ID RS_DEVICE_NAME RS_PLATFORM RS_ROOT RS_INTERVAL RS_CORES RS_ROMROOTS; do
      eval "_v=\${$_k:-}"
      printf '%s=%s\n' "$_k" "$(rs_quote "$_v")"
    done
    # Selective sync (README "Selective sync"): kept when set, so pairing again does not lose them.
    for _k in RS_SYNC_SYSTEMS RS_SKIP_SYSTEMS RS_SYNC_GAMES RS_SKIP_GAMES RS_SYNC_STATES; do
      eval "_v=\${$_k:-}"
      if [ -n "$_v" ]; then printf '%s=%s\n' "$_k" "$(rs_quote "$_v")"; fi
    done
  } > "$_tmp" && chmod 600 "$_tmp" && mv -f "$_tmp" "$RS_CONFIG"
}

rs_config_load() {
  [ -f "$RS_CONFIG" ] || return 1
  # shellcheck disable=SC1090
  . "$RS_CONFIG"
  [ -n "${RS_SERVER:-}" ] && [ -n "${RS_API_KEY:-}" ]
}

# JSON string escaping for values we send (names typed by a person).
rs_json_str() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr -d '\000-\037')"; }

# rs_json_field FILE NAME → first "NAME":"value" or "NAME":number/bool in FILE (flat values only).
rs_json_field() {
  sed -n "s/.*\"$2\":\"\\([^\"\\\\]*\\)\".*/\\1/p; t; s/.*\"$2\":\\([-0-9a-z.][0-9a-z.]*\\).*/\\1/p" "$1" | head -n 1
}

# rs_http METHOD PATH [curl args…] (its variables are _h…: callers keep theirs) (globbing off: names hold [ ] { }): body → $RS_TMP/body, headers → $RS_TMP/headers, status → RS_CODE.
# Returns 0 for 2xx, 1 for other HTTP answers, 2 when no answer came (RS_CODE 000).
# A transfer fails when it stalls — less than 1 byte/s for RS_STALL_SECONDS (60) — never on its
# total time, so a 40 MB state crosses a slow link (RS_HTTP_STALL: this request's own limit, for
# the long poll whose answer is silent for its wait). RS_OFFLINE is set only when the server
# could not be reached at all; a transfer cut or stalled midway fails that save alone.
rs_http() {
  _hmeth=$1; _hpath=$2; shift 2
  rs_clock_req
  RS_CODE=$(curl -sS -g -X "$_hmeth" -o "${RS_OUT:-$RS_TMP/body}" -D "$RS_TMP/headers" -w '%{http_code}' \
    --connect-timeout 10 --speed-limit 1 --speed-time "${RS_HTTP_STALL:-${RS_STALL_SECONDS:-60}}" \
    -H "X-Client-Time: $RSC_REQ" -H "X-Client-Boot: $RSC_ID" ${RSC_REQUP:+-H "X-Client-Uptime: $RSC_REQUP"} \
    ${RSC_SRV:+-H "X-Last-Server-Time: $RSC_SRV"} -H "User-Agent: retrosync-sh/$RS_VERSION" \
    ${RS_API_KEY:+-H "X-API-Key: $RS_API_KEY"} "$@" "$RS_SERVER$_hpath" 2>"$RS_TMP/curl.err")
  _hrc=$?
  if [ $_hrc -ne 0 ] || [ -z "$RS_CODE" ] || [ "$RS_CODE" = 000 ]; then
    RS_CODE=000
    _herr=$(head -c 200 "$RS_TMP/curl.err")
    case $_hrc:$_herr in
      5:*|6:*|7:*|28:*onnect*) RS_OFFLINE=1; rs_log warn "$_hmeth $_hpath: server unreachable ($_herr)" ;;
      *) rs_log warn "$_hmeth $_hpath: transfer failed ($_herr)" ;;
    esac
    return 2
  fi
  rs_clock_seen
  case $RS_CODE in 2??) return 0 ;; 429|5??) return 2 ;; *) return 1 ;; esac
}

rs_header() { sed -n "s/^$1: *\\([^\r]*\\)\r*$/\\1/Ip" "$RS_TMP/headers" | tail -n 1; }

rs_api_error() { printf '%s (%s)' "$(rs_json_field "$RS_TMP/body" error)" "$RS_CODE"; }
