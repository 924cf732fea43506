#!/bin/sh
# PgBouncer's start: its configuration from docker/pgbouncer/pgbouncer.ini, the user list
# written from POSTGRES_PASSWORD (never kept in the repository), then PgBouncer in the foreground.
set -eu

mkdir -p /tmp/pgbouncer
cp /docker/pgbouncer/pgbouncer.ini /tmp/pgbouncer/pgbouncer.ini
printf '"portal" "%s"\n' "$POSTGRES_PASSWORD" > /tmp/pgbouncer/userlist.txt
chmod 0600 /tmp/pgbouncer/userlist.txt
exec pgbouncer /tmp/pgbouncer/pgbouncer.ini
