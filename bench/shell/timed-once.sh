#!/bin/sh
# Runs `daemon.sh --once` and prints its output, then "cpu_ms <user+sys of the whole pass>".
DIR=$(cd "$(dirname "$0")/../../clients/shell" && pwd)
sh "$DIR/daemon.sh" --once; rc=$?
times > "${TMPDIR:-/tmp}/rs-times.$$"
awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "cpu_ms %d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }' "${TMPDIR:-/tmp}/rs-times.$$"
rm -f "${TMPDIR:-/tmp}/rs-times.$$"
exit $rc
