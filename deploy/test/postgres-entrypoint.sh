#!/bin/sh
# PostgreSQL 15 for the compose test, on the base image: what the official image's entrypoint
# does for POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB (initdb on first start, password
# authentication from other containers), then postgres in the foreground.
set -eu
PGDATA=/var/lib/postgresql/data
BIN=/usr/lib/postgresql/15/bin
mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
  chown postgres /tmp/pwfile
  su postgres -s /bin/sh -c "$BIN/initdb -D $PGDATA -U $POSTGRES_USER --pwfile=/tmp/pwfile -A scram-sha-256 -E UTF8" >/dev/null
  rm -f /tmp/pwfile
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  su postgres -s /bin/sh -c "$BIN/pg_ctl -D $PGDATA -o '-c listen_addresses=127.0.0.1' -w start" >/dev/null
  if [ "$POSTGRES_DB" != postgres ]; then
    su postgres -s /bin/sh -c "PGPASSWORD='$POSTGRES_PASSWORD' $BIN/psql -h 127.0.0.1 -U $POSTGRES_USER -d postgres -c 'CREATE DATABASE \"$POSTGRES_DB\"'" >/dev/null
  fi
  su postgres -s /bin/sh -c "$BIN/pg_ctl -D $PGDATA -m fast -w stop" >/dev/null
fi
exec su postgres -s /bin/sh -c "exec $BIN/postgres -D $PGDATA -c listen_addresses='*'"
