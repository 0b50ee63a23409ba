#!/usr/bin/env bash
# Builds the base image `npm run test:compose` uses instead of the public images it cannot pull
# here (no image registry is reachable): Debian bookworm from `debootstrap --variant=minbase`,
# with this machine's Node.js (and npm, and its headers for native modules) copied in, the
# toolchain native modules build with, PostgreSQL 15 (the test's database service) and curl.
#
#   deploy/test/base-image.sh            → docker image retrosync-test/base:bookworm
#
# The Debian mirror is taken from this machine's apt sources at run time (never written into the
# repository). The root file system is cached in $RETROSYNC_CACHE (default /work/cache/docker).
set -euo pipefail

IMAGE=${BASE_IMAGE:-retrosync-test/base:bookworm}
CACHE=${RETROSYNC_CACHE:-/work/cache/docker}
ROOTFS=$CACHE/rootfs-bookworm

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE exists"
  exit 0
fi

mirror() {
  local m
  m=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$m" ] || m=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$m" ] || { echo "no Debian mirror in this machine's apt sources" >&2; exit 1; }
  echo "$m"
}

if [ ! -x "$ROOTFS/usr/lib/postgresql/15/bin/postgres" ]; then
  rm -rf "$ROOTFS.tmp"
  mkdir -p "$CACHE"
  echo "debootstrap bookworm into $ROOTFS (a few minutes)…"
  debootstrap --variant=minbase \
    --include=ca-certificates,curl,python3,make,g++,postgresql-15,nginx-light,tini \
    bookworm "$ROOTFS.tmp" "$(mirror)" >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  rm -rf "$ROOTFS.tmp/var/cache/apt/archives/"*.deb "$ROOTFS.tmp/var/lib/apt/lists/"*
  mv "$ROOTFS.tmp" "$ROOTFS"
fi

# This machine's Node.js, as the official node image lays it out (/usr/local).
NODE_BIN=$(readlink -f "$(command -v node)")
NODE_PREFIX=$(dirname "$(dirname "$NODE_BIN")")
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib" "$ROOTFS/usr/local/include"
cp -f "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
rm -rf "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include/node"
cp -a "$NODE_PREFIX/lib/node_modules" "$ROOTFS/usr/local/lib/node_modules"
cp -a "$NODE_PREFIX/include/node" "$ROOTFS/usr/local/include/node"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
# Native modules build against these headers (no download of Node's headers from the internet).
printf 'nodedir=/usr/local\nfund=false\naudit=false\nupdate-notifier=false\n' >"$ROOTFS/usr/local/etc/npmrc" 2>/dev/null ||
  { mkdir -p "$ROOTFS/usr/local/etc" && printf 'nodedir=/usr/local\nfund=false\naudit=false\nupdate-notifier=false\n' >"$ROOTFS/usr/local/etc/npmrc"; }
# This machine's trust store: where its egress goes through a TLS-inspecting proxy, the build's
# `npm ci` must trust that proxy's CA exactly as the machine itself does.
cp -f /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
echo 'cafile=/etc/ssl/certs/ca-certificates.crt' >>"$ROOTFS/usr/local/etc/npmrc"
# The official image's unprivileged user.
grep -q '^node:' "$ROOTFS/etc/passwd" || {
  echo 'node:x:1000:1000:node:/home/node:/bin/sh' >>"$ROOTFS/etc/passwd"
  echo 'node:x:1000:' >>"$ROOTFS/etc/group"
  mkdir -p "$ROOTFS/home/node" && chown 1000:1000 "$ROOTFS/home/node"
}

echo "importing $IMAGE…"
tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$IMAGE" >/dev/null
echo "base image $IMAGE ready"
