#!/usr/bin/env bash
# npm run test:compose — the Compose deployment, for real: builds the server image with
# deploy/Dockerfile, brings up compose.yaml (server + PostgreSQL + S3), pairs a device, syncs a
# save through it, restarts the server container and checks the save is still there; then the
# same with compose.replicas.yaml (nginx + three replicas). Tears everything down at the end.
# What it substitutes for the public images is in deploy/test/compose.test.yaml. Container ports
# are published on 127.0.0.1 only, and all test traffic goes there.
set -euo pipefail
cd "$(dirname "$0")/../.."

skip() { echo "compose test skipped: $*"; exit 0; }
command -v docker >/dev/null || skip "no docker client (apt-get install docker.io)"
command -v docker-compose >/dev/null || skip "no docker-compose (apt-get install docker-compose)"
command -v debootstrap >/dev/null || skip "no debootstrap (apt-get install debootstrap)"
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null || skip "no Docker engine running, and cannot start one"
  command -v iptables >/dev/null || skip "dockerd needs iptables (apt-get install iptables)"
  echo "starting dockerd…"
  (dockerd >"${TMPDIR:-/tmp}/retrosync-dockerd.log" 2>&1 &)
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || skip "dockerd did not start (see ${TMPDIR:-/tmp}/retrosync-dockerd.log)"
fi

export BASE_IMAGE=${BASE_IMAGE:-retrosync-test/base:bookworm}
deploy/test/base-image.sh

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export BUILD_IMAGE=$BASE_IMAGE RUNTIME_IMAGE=$BASE_IMAGE SERVER_IMAGE=retrosync-test/server:local
export JWT_SECRET=compose-test-secret-compose-test-secret-0123
export POSTGRES_PASSWORD=compose-test-db-password
export MINIO_ROOT_USER=S3RVER MINIO_ROOT_PASSWORD=compose-test-s3-password
export RETROSYNC_BIND=127.0.0.1 PROXY_BIND=127.0.0.1
PROJECT=retrosync-compose-test
ONE=(-p "$PROJECT" -f deploy/compose.yaml -f deploy/test/compose.test.yaml)
MANY=("${ONE[@]}" -f deploy/compose.replicas.yaml -f deploy/test/compose.test.replicas.yaml)
cleanup() { docker-compose "${MANY[@]}" down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

step() { echo "── $*"; }
fail() { echo "FAILED: $*" >&2; docker-compose "${MANY[@]}" logs --tail=80 >&2 || true; exit 1; }
wait_healthy() { # url seconds
  for _ in $(seq "$2"); do curl -fsS "$1/healthz" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "$1/healthz did not answer within $2 s"
}
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));if(v===undefined)process.exit(1);console.log(v)})' "$1"; }
SAVE=$(mktemp); head -c 131072 /dev/urandom >"$SAVE"; SHA=$(sha256sum "$SAVE" | cut -d' ' -f1)

pair_and_upload() { # url email
  local url=$1 token code key
  token=$(curl -fsS -X POST "$url/api/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"correct horse battery\",\"name\":\"Compose\"}" | json data.token) || fail "register"
  code=$(curl -fsS -X POST "$url/api/devices/create-pairing-code" -H "authorization: Bearer $token" | json data.code) || fail "pairing code"
  local paired; paired=$(curl -fsS -X POST "$url/api/devices/pair" -H 'content-type: application/json' \
    -d "{\"code\":\"$code\",\"deviceName\":\"RG35XX+\",\"deviceType\":\"rg35xx\"}") || fail "pair"
  key=$(echo "$paired" | json data.apiKey)
  echo "$paired" | grep -q "$MINIO_ROOT_PASSWORD" && fail "a device was sent the storage password"
  local out; out=$(curl -fsS -X PUT "$url/api/sync/saves/gba/Compose%20Test/battery" -H "x-api-key: $key" \
    -H 'content-type: application/octet-stream' -H "x-content-sha256: $SHA" --data-binary @"$SAVE") || fail "upload"
  echo "$out" | json data.outcome | grep -qx accepted || fail "upload outcome: $out"
  echo "$key"
}
check_save() { # url key
  local got; got=$(curl -fsS "$1/api/sync/saves/gba/Compose%20Test/battery" -H "x-api-key: $2" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$SHA" ] || fail "the save read back from $1 differs ($got, want $SHA)"
}

step "one server: build the image and bring up server + PostgreSQL + S3"
export RETROSYNC_PORT; RETROSYNC_PORT=$(free_port)
URL=http://127.0.0.1:$RETROSYNC_PORT
export PUBLIC_URL=$URL
docker-compose "${ONE[@]}" up -d --build >/tmp/retrosync-compose-up.log 2>&1 || { tail -40 /tmp/retrosync-compose-up.log >&2; fail "compose up"; }
wait_healthy "$URL" 240
CID=$(docker-compose "${ONE[@]}" ps -q server)
[ "$(docker exec "$CID" id -u)" != 0 ] || fail "the server runs as root"
for _ in $(seq 60); do [ "$(docker inspect -f '{{.State.Health.Status}}' "$CID")" = healthy ] && break; sleep 2; done
[ "$(docker inspect -f '{{.State.Health.Status}}' "$CID")" = healthy ] || fail "the image's health check never passed"
step "pair a device and sync a save through the stack"
KEY=$(pair_and_upload "$URL" compose-one@example.com)
check_save "$URL" "$KEY"
step "restart the server container: the save is still there"
docker-compose "${ONE[@]}" restart server >/dev/null
wait_healthy "$URL" 120
check_save "$URL" "$KEY"
docker-compose "${ONE[@]}" down >/dev/null 2>&1   # keeps the volumes: the replicas start on the same data

step "three replicas behind nginx (compose.replicas.yaml)"
export PROXY_PORT; PROXY_PORT=$(free_port)
PROXY=http://127.0.0.1:$PROXY_PORT
export PUBLIC_URL=$PROXY
RETROSYNC_PORT='' docker-compose "${MANY[@]}" up -d --scale server=3 >/tmp/retrosync-compose-up.log 2>&1 || { tail -40 /tmp/retrosync-compose-up.log >&2; fail "compose up (replicas)"; }
[ "$(docker-compose "${MANY[@]}" ps -q server | wc -l)" = 3 ] || fail "expected 3 server replicas"
wait_healthy "$PROXY" 180
check_save "$PROXY" "$KEY"           # the data of the single-server run, through every replica
for _ in 1 2 3 4 5 6; do check_save "$PROXY" "$KEY"; done
KEY2=$(pair_and_upload "$PROXY" compose-many@example.com)
for _ in 1 2 3 4 5 6; do check_save "$PROXY" "$KEY2"; done
echo "compose test passed: image built, stack up, device paired, save synced, survived a server restart, served by 3 replicas behind nginx"
