#!/bin/sh
# Pairs this device with a RetroSync server and writes $RETROSYNC_HOME/config.
#   setup.sh                                   interactive wizard
#   setup.sh --server URL --code CODE --name NAME [--platform ID] [--root DIR] [--rom-root DIR]...
#   setup.sh --server URL --device-code --name NAME [...]   show a code to type into the dashboard
#            (prints machine-readable lines too — CODE, LINK, EXPIRES, SERVERTIME, SERVERDATE, with --qr also QR
#             <PNG data URL> — then PAIRED when linked; the LÖVE app reads them)
RS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RS_DIR/lib/common.sh"
. "$RS_DIR/lib/identity.sh"

RS_SERVER=""; code=""; RS_DEVICE_NAME=""; RS_PLATFORM=""; RS_ROOT=""; devcode=""; max_wait=900; qr=
while [ $# -gt 0 ]; do
  case $1 in
    --server) RS_SERVER=$2; shift 2 ;;
    --code) code=$2; shift 2 ;;
    --name) RS_DEVICE_NAME=$2; shift 2 ;;
    --platform) RS_PLATFORM=$2; shift 2 ;;
    --root) RS_ROOT=${2%/}; shift 2 ;;
    --rom-root) RS_ROMROOTS="${RS_ROMROOTS:+$RS_ROMROOTS;}${2%/}"; shift 2 ;;
    --device-code) devcode=1; shift ;;
    --qr) qr=1; shift ;;
    --max-wait) max_wait=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

rs_require || exit 2
mkdir -p "$RS_HOME" || { echo "setup.sh: cannot create $RS_HOME" >&2; exit 2; }
RS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rssetup.XXXXXX") || exit 2
RS_STATE_DIR=$RS_TMP
trap 'rm -rf "$RS_TMP"' EXIT
RS_API_KEY=""

ask() { printf '%s' "$1" >&2; IFS= read -r _ans || _ans=""; printf '%s' "$_ans"; }

if [ -z "$RS_SERVER" ]; then
  echo "RetroSync setup" >&2
  RS_SERVER=$(ask "Server URL (e.g. http://192.168.1.10:3000): ")
fi
RS_SERVER=${RS_SERVER%/}
case $RS_SERVER in http://*|https://*) ;; *) echo "setup.sh: the server URL must start with http:// or https://" >&2; exit 2 ;; esac

RS_PICK_VOLUME=1
if rs_detect "$RS_PLATFORM"; then :; else
  [ -n "$RS_PLATFORM" ] && { echo "setup.sh: unknown platform $RS_PLATFORM" >&2; exit 2; }
  echo "setup.sh: no known firmware found here; pass --platform ID (onion, minui, nextui, muos, knulli, batocera, spruce, …)" >&2
  exit 2
fi
[ -n "$RS_DEVICE_NAME" ] || RS_DEVICE_NAME=$(ask "Device name [$RS_PLATFORM]: ")
[ -n "$RS_DEVICE_NAME" ] || RS_DEVICE_NAME=$RS_PLATFORM
if [ -z "$code" ] && [ -z "$devcode" ]; then
  code=$(ask "Pairing code from the dashboard (Enter to show a code here instead): ")
  [ -n "$code" ] || devcode=1
fi

body_pair() { printf '{"deviceName":%s,"deviceType":"%s"%s}' "$(rs_json_str "$RS_DEVICE_NAME")" "${RS_DEVICE_TYPE:-other}" "$1"; }

if [ -n "$code" ]; then
  code=$(printf '%s' "$code" | tr -d ' -')
  # 6 digits; 12 while the server is under a guessing attack (it says so when it hands one out).
  case $code in
    [0-9][0-9][0-9][0-9][0-9][0-9] | [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) ;;
    *) echo "setup.sh: the code has 6 (or 12) digits" >&2; exit 2 ;;
  esac
  if ! rs_http POST /api/devices/pair -H 'Content-Type: application/json' -d "$(body_pair ",\"code\":\"$code\"")"; then
    echo "setup.sh: pairing failed: $(rs_api_error)" >&2; exit 1
  fi
else
  if ! rs_http POST /api/devices/code -H 'Content-Type: application/json' -d "$(body_pair "${qr:+,\"qr\":true}")"; then
    echo "setup.sh: could not get a code: $(rs_api_error)" >&2; exit 1
  fi
  shown=$(rs_json_field "$RS_TMP/body" code)
  token=$(rs_json_field "$RS_TMP/body" pollToken)
  link=$(rs_json_field "$RS_TMP/body" linkUrl)
  every=$(rs_json_field "$RS_TMP/body" pollIntervalSeconds)
  case $every in ''|*[!0-9]*|0) every=5 ;; esac
  printf '\n  Enter this code in the RetroSync dashboard:  %s\n  (%s)\n\n' "$shown" "$link"
  echo "CODE $shown"
  echo "LINK $link"
  echo "EXPIRES $(rs_json_field "$RS_TMP/body" expiresAt)"
  echo "SERVERTIME $(rs_header X-Server-Time)"
  echo "SERVERDATE $(rs_header Date)"
  [ -n "$qr" ] && echo "QR $(rs_json_field "$RS_TMP/body" qrCode)"
  waited=0
  while :; do
    sleep "$every"; waited=$((waited + every))
    if rs_http POST /api/devices/status -H 'Content-Type: application/json' -d "{\"pollToken\":$(rs_json_str "$token")}"; then
      [ "$(rs_json_field "$RS_TMP/body" status)" = paired ] && break
    elif [ "$RS_CODE" != 000 ]; then
      echo "setup.sh: $(rs_api_error)" >&2; exit 1
    fi
    [ "$waited" -ge "$max_wait" ] && { echo "setup.sh: the code was not entered in time" >&2; exit 1; }
  done
fi

RS_API_KEY=$(sed -n 's/.*"apiKey":"\([0-9a-f]\{64\}\)".*/\1/p' "$RS_TMP/body")
RS_DEVICE_ID=$(sed -n 's/.*"device":{"id":"\([^"]*\)".*/\1/p' "$RS_TMP/body")
[ -n "$RS_API_KEY" ] || { echo "setup.sh: the server's answer had no API key" >&2; exit 1; }
RS_INTERVAL=5
rs_config_write || { echo "setup.sh: cannot write $RS_CONFIG" >&2; exit 2; }
rs_log info "paired as $RS_DEVICE_NAME ($RS_DEVICE_ID) on $RS_SERVER, platform $RS_PLATFORM"
echo "PAIRED $RS_DEVICE_NAME"
echo "Paired: $RS_DEVICE_NAME on $RS_PLATFORM. Start syncing with: $RS_DIR/launch.sh start"
