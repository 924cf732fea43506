#!/bin/sh
# Container entry point. Before gunicorn starts, the database is migrated: worker and beat wait
# for a healthy web service (docker-compose.yml), so they never run against an old schema.
set -eu

if [ "${1:-}" = "gunicorn" ]; then
  python manage.py migrate --noinput
fi
exec "$@"
