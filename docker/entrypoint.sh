#!/bin/sh
# Container entry point. A lone web container migrates the database before gunicorn starts
# (MIGRATE_ON_START, default 1). docker-compose.yml sets it to 0: its one-shot `migrate`
# service migrates once, and web, worker and beat start after it has finished, so several web
# replicas never migrate at once and nothing runs against an old schema (docs/deploy.md).
set -eu

if [ "${1:-}" = "gunicorn" ] && [ "${MIGRATE_ON_START:-1}" != "0" ]; then
  python manage.py migrate --noinput
fi
exec "$@"
