# shellcheck shell=sh
# The device clock and how far it can be trusted (docs/protocol.md, "Untrusted time").
# Handhelds without an RTC battery boot at 1970 or 2000 (or at the time saved at shutdown), so a
# file time is only evidence when the client can place it on the server's clock. The client
# records, in $RS_HOME/clock, what it needs to tell: the boot it last talked to the server in
# (X-Client-Boot), the monotonic uptime then (X-Client-Uptime), the device time then, the newest
# server time seen (X-Server-Time → X-Last-Server-Time), the offset server − device, and the
# device time of its first answer in this boot (files changed after it were "observed").
# Every "now" goes through rs_now_ms, which adds RETROSYNC_TEST_CLOCK_OFFSET_MS when set.

RS_CLOCK_FILE=$RS_HOME/clock
RS_PLAUSIBLE_MS=1577836800000 # 2020-01-01T00:00:00Z
RS_JUMP_MS=600000             # a clock that moved 10 minutes against the uptime was reset or jumped
RS_CR=$(printf '\r')

rs_now_ms() { _s=$(date +%s); echo $((_s * 1000 + ${RETROSYNC_TEST_CLOCK_OFFSET_MS:-0})); }
rs_now() { _ms=$(rs_now_ms); echo $((_ms / 1000)); }

# This boot's token in RSC_ID: RETROSYNC_TEST_BOOT_ID, the kernel's boot_id, else one for this
# process (call it in the main shell, not in $(…), so it is worked out once).
rs_boot_init() {
  [ -n "${RSC_ID:-}" ] && return 0
  RSC_ID=${RETROSYNC_TEST_BOOT_ID:-}
  [ -n "$RSC_ID" ] || { [ -r /proc/sys/kernel/random/boot_id ] && read -r RSC_ID < /proc/sys/kernel/random/boot_id; }
  [ -n "$RSC_ID" ] || RSC_ID=proc-$$-$(date +%s)
  case $RSC_ID in *[!A-Za-z0-9._-]*) RSC_ID=$(printf '%s' "$RSC_ID" | tr -c 'A-Za-z0-9._-' '_') ;; esac
  RSC_ID=$(printf '%.64s' "$RSC_ID")
}

# Milliseconds since boot (/proc/uptime, builtins only) in RSC_UPNOW; empty where there is none.
rs_uptime_ms() {
  RSC_UPNOW=""
  [ -r /proc/uptime ] || return 0
  read -r _up _rest < /proc/uptime
  _i=${_up%%.*}; _f=${_up#*.}
  [ "$_f" = "$_up" ] && _f=""
  _f=${_f}000; _f=${_f%"${_f#???}"}
  while :; do case $_f in 0?*) _f=${_f#0} ;; *) break ;; esac; done
  case $_i$_f in *[!0-9]*|'') return 0 ;; esac
  RSC_UPNOW=$((_i * 1000 + _f))
}

# Loads the record once per process and judges this boot's clock against it: a new boot whose
# clock reads earlier than the last device time recorded (or than the newest server time minus
# the known offset), or a clock that fell back against the uptime within a boot, went back.
rs_clock_load() {
  [ -n "${RSC_LOADED:-}" ] && return 0
  RSC_LOADED=1; RSC_BOOT=""; RSC_DEV=""; RSC_UP=""; RSC_SRV=""; RSC_OFF=""; RSC_FIRST=""; RSC_BAD=""
  # shellcheck disable=SC1090
  [ -f "$RS_CLOCK_FILE" ] && . "$RS_CLOCK_FILE" 2>/dev/null
  rs_boot_init; _b=$RSC_ID; _n=$(rs_now_ms); rs_uptime_ms; _u=$RSC_UPNOW
  if [ -n "$RSC_BOOT" ] && [ "$RSC_BOOT" != "$_b" ]; then
    RSC_FIRST=""
    if { [ -n "$RSC_DEV" ] && [ "$_n" -lt "$RSC_DEV" ]; } ||
       { [ -n "$RSC_SRV" ] && [ -n "$RSC_OFF" ] && [ "$_n" -lt $((RSC_SRV - RSC_OFF)) ]; }; then
      RSC_BAD=$_b
      rs_log warn "clock: this boot's clock reads earlier than at the last sync (reset?); edits made before it syncs are sent as untrusted"
    fi
  elif [ -n "$RSC_BOOT" ] && [ -n "$RSC_DEV" ] && [ -n "$RSC_UP" ] && [ -n "$_u" ]; then
    _drift=$(((_n - RSC_DEV) - (_u - RSC_UP)))
    if [ "$_drift" -lt "-$RS_JUMP_MS" ]; then
      RSC_BAD=$_b; RSC_FIRST=""
      rs_log warn "clock: went back $((-_drift / 1000)) s during this boot; edits made before it syncs are sent as untrusted"
    elif [ "$_drift" -gt "$RS_JUMP_MS" ]; then
      RSC_FIRST="" # jumped forward (a late NTP fix): the offset must be learned again
    fi
  fi
  RSC_SAVED=${RSC_DEV:-0}
}

# Before a request: the device time and uptime it is sent at (rs_http sends them as headers).
rs_clock_req() {
  rs_clock_load
  RSC_REQ=$(rs_now_ms)
  rs_uptime_ms; RSC_REQUP=$RSC_UPNOW
}

# After an answer: note the contact, and the server's time when it sends one (headers read with
# builtins only: this runs per request).
rs_clock_seen() {
  _srv=""
  while IFS= read -r _l; do
    case $_l in [Xx]-[Ss]erver-[Tt]ime:*) _srv=${_l#*:} ;; esac
  done < "$RS_TMP/headers"
  _srv=${_srv%"$RS_CR"}; _srv=${_srv# }
  case $_srv in *[!0-9]*) _srv="" ;; esac
  if [ "$RSC_BOOT" != "$RSC_ID" ] || [ -z "$RSC_FIRST" ]; then RSC_FIRST=$RSC_REQ; RSC_BOOT=$RSC_ID; _force=1; else _force=""; fi
  RSC_DEV=$RSC_REQ; RSC_UP=$RSC_REQUP
  if [ -n "$_srv" ]; then
    RSC_OFF=$((_srv - RSC_REQ))
    { [ -z "$RSC_SRV" ] || [ "$_srv" -gt "$RSC_SRV" ]; } && RSC_SRV=$_srv
  fi
  # Written when something new was learned, else at most once a minute (SD cards wear).
  if [ -n "$_force" ] || [ $((RSC_DEV - RSC_SAVED)) -ge 60000 ] || [ $((RSC_DEV - RSC_SAVED)) -lt 0 ]; then rs_clock_save; fi
}

rs_clock_save() {
  [ -d "$RS_HOME" ] || return 0
  printf 'RSC_BOOT=%s\nRSC_DEV=%s\nRSC_UP=%s\nRSC_SRV=%s\nRSC_OFF=%s\nRSC_FIRST=%s\nRSC_BAD=%s\n' \
    "$RSC_BOOT" "$RSC_DEV" "$RSC_UP" "$RSC_SRV" "$RSC_OFF" "$RSC_FIRST" "$RSC_BAD" > "$RS_CLOCK_FILE.tmp" &&
    mv -f "$RS_CLOCK_FILE.tmp" "$RS_CLOCK_FILE" && RSC_SAVED=$RSC_DEV
}

# rs_time_trust MTIME_SECONDS → observed | untrusted | "" (let the server judge).
# observed: written during this boot after this boot's offset was learned from the server;
# untrusted: the clock went back in this boot before that, or the time is before 2020.
rs_time_trust() {
  rs_clock_load
  _m=$(($1 * 1000)); _n=$(rs_now_ms)
  if [ -n "$RSC_FIRST" ] && [ "$RSC_BOOT" = "$RSC_ID" ] && [ "$_m" -ge "$RSC_FIRST" ] && [ "$_m" -le $((_n + 300000)) ]; then
    echo observed
  elif [ "$RSC_BAD" = "$RSC_ID" ] || [ "$_m" -lt "$RS_PLAUSIBLE_MS" ] || [ "$_n" -lt "$RS_PLAUSIBLE_MS" ]; then
    echo untrusted
  fi
}
