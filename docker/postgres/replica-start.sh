#!/bin/sh
# The streaming replica (docs/deploy.md). On its first start the data directory is empty: copy
# the primary with pg_basebackup (-R writes standby.signal and primary_conninfo), then start
# PostgreSQL as a hot standby that follows the primary's WAL and answers read-only queries.
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  until pg_isready -h db -p 5432 -U replicator; do sleep 2; done
  PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup \
    --host=db --port=5432 --username=replicator --pgdata="$PGDATA" \
    --wal-method=stream --write-recovery-conf --checkpoint=fast --progress
fi
exec docker-entrypoint.sh postgres -c hot_standby=on -c max_standby_streaming_delay=30s
