#!/usr/bin/env bash
# Builds the real RetroArch chroots that `npm run test:retroarch` runs: Debian trixie (RetroArch
# 1.20.0) and sid (1.22.2), each a `debootstrap --variant=minbase` tree with retroarch, a Game Boy
# core, Xvfb and dbus. They are large, so they live outside the repository:
#   ${RETROARCH_CACHE:-/work/cache/retroarch}/{trixie,sid}
#
# Usage (as root):  scripts/retroarch-chroot.sh [trixie] [sid]
#
# The Debian mirror is the machine's own: RETROARCH_MIRROR when set, else the first Debian URI in
# the machine's apt sources (deb822 .sources or one-line .list). No host name is written here.
set -euo pipefail

cache=${RETROARCH_CACHE:-/work/cache/retroarch}
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(trixie sid)

mirror_from_machine() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):.*\/debian\/?$/) { print $i; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
}

mirror=${RETROARCH_MIRROR:-$(mirror_from_machine)}
if [ -z "$mirror" ]; then
  echo "retroarch-chroot: no Debian mirror found in the apt sources; set RETROARCH_MIRROR" >&2
  exit 2
fi
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }

# Cores: a Game Boy / GBA core so RetroArch writes a real .srm; whichever of these the suite ships.
cores=(libretro-gambatte libretro-mgba)

mounted=
trap '[ -z "$mounted" ] || umount "$mounted" 2>/dev/null || true' EXIT

build() {
  local suite=$1 root=$cache/$1
  if [ -f "$root/.retrosync-ready" ]; then
    echo "retroarch-chroot: $suite ready at $root"
    return
  fi
  echo "retroarch-chroot: building $suite at $root from $mirror"
  mkdir -p "$cache"
  if [ ! -x "$root/usr/bin/apt-get" ]; then
    rm -rf "$root"
    debootstrap --variant=minbase "$suite" "$root" "$mirror"
  fi
  echo "deb $mirror $suite main" >"$root/etc/apt/sources.list"
  # A mirror that serves a dated snapshot has expired Release files for sid: accept them.
  echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99retrosync"
  # No daemons start inside the chroot while packages install.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  mounted=$root/proc
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  local have=()
  for c in "${cores[@]}"; do
    if chroot "$root" apt-cache show "$c" >/dev/null 2>&1; then have+=("$c"); fi
  done
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    retroarch "${have[@]}" xvfb xauth dbus dbus-x11 ca-certificates
  chroot "$root" apt-get clean
  chroot "$root" retroarch --version 2>&1 | head -3 || true
  umount "$root/proc" && mounted=
  date -u +%FT%TZ >"$root/.retrosync-ready"
  echo "retroarch-chroot: $suite ready (cores: ${have[*]:-none})"
}

for s in "${suites[@]}"; do build "$s"; done
