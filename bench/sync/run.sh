#!/usr/bin/env bash
# Raise the open-file limit as far as the hard limit allows (20,000 held connections need it),
# then run the sync bench on loopback.
set -euo pipefail
cd "$(dirname "$0")/../.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export BENCH_FD_LIMIT="$(ulimit -n)"
exec node --conditions=source --import tsx bench/sync/main.ts "$@"
