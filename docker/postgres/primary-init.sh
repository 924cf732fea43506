#!/bin/sh
# The primary's first start only (docker-entrypoint-initdb.d): a role for the streaming replica
# and the line in pg_hba.conf that lets it connect for replication (docs/deploy.md).
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
