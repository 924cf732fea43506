#!/usr/bin/env bash
# Barnstödsportalen: the two commands.
#   ./portal.sh run    install everything, load demo data, run the portal on http://127.0.0.1:8000
#   ./portal.sh test   install everything, run the whole test suite (extra args go to pytest)
#   ./portal.sh totp EMAIL   the current two-step code of a demo professional (embedded default)
set -euo pipefail
cd "$(dirname "$0")"

UV_VERSION=0.13.9
PYTHON=${PYTHON:-python3}

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then UV=$(command -v uv); return; fi
  if [ ! -x .tools/bin/uv ]; then
    echo "==> installing uv $UV_VERSION into .tools/"
    "$PYTHON" -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  UV=.tools/bin/uv
}

sync_env() {
  ensure_uv
  echo "==> installing the locked dependencies (uv.lock) into .venv/"
  "$UV" sync --frozen --quiet
}

port_open() { # host port
  "$PYTHON" - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(0.5)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
}

cmd_run() {
  sync_env
  export DJANGO_SETTINGS_MODULE=portal.settings.dev
  # Links in e-mails and the printed log-ins point at the port the portal runs on.
  export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:${PORT:-8000}}"
  mkdir -p var/mail var/broker/queue var/broker/processed
  # The demo's identity provider for Region Kronoberg (issue 20; docs/federation.md): a real
  # OpenID Connect provider asserting LoA3, so "Logga in med Region Kronoberg" works.
  IDP_PORT=${IDP_PORT:-8100}
  echo "==> starting the demo identity provider on http://127.0.0.1:$IDP_PORT (log in var/idp.log)"
  .venv/bin/python tests/idp/oidc.py --demo "$PORTAL_BASE_URL" --port "$IDP_PORT" >var/idp.log 2>&1 &
  IDP_PID=$!
  # ... and a SAML 2.0 IdP for Växjö kommun (pysaml2, signing with xmlsec1, asserting LoA3).
  SAML_IDP_PORT=${SAML_IDP_PORT:-8101}
  echo "==> starting the demo SAML IdP on http://127.0.0.1:$SAML_IDP_PORT (log in var/saml-idp.log)"
  .venv/bin/python tests/idp/saml.py --demo "$PORTAL_BASE_URL" --port "$SAML_IDP_PORT" >var/saml-idp.log 2>&1 &
  SAML_IDP_PID=$!
  trap 'kill $IDP_PID $SAML_IDP_PID 2>/dev/null || true' EXIT INT TERM
  export FEDERATION_DEMO_IDP_URL="http://127.0.0.1:$IDP_PORT"
  export FEDERATION_DEMO_SAML_IDP_URL="http://127.0.0.1:$SAML_IDP_PORT"
  .venv/bin/python manage.py migrate --noinput
  # load_demo reads the SAML IdP's metadata: wait until it listens.
  for _ in $(seq 1 30); do port_open 127.0.0.1 "$SAML_IDP_PORT" && break; sleep 1; done
  .venv/bin/python manage.py load_demo
  echo "==> starting the Celery worker with beat (filesystem broker, log in var/celery.log)"
  .venv/bin/celery -A portal worker -B --queues celery,mail --concurrency 1 --loglevel INFO \
    --schedule var/celerybeat-schedule >var/celery.log 2>&1 &
  CELERY_PID=$!
  trap 'kill $CELERY_PID $IDP_PID $SAML_IDP_PID 2>/dev/null || true' EXIT INT TERM
  echo "==> e-mail is written to var/mail/; open http://127.0.0.1:${PORT:-8000}/"
  .venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
}

cmd_test() {
  sync_env
  if [ -z "${DATABASE_URL:-}" ] && port_open 127.0.0.1 5432; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/barnstodsportalen
  fi
  if [ -z "${TEST_REDIS_URL:-}" ] && port_open 127.0.0.1 6379; then
    export TEST_REDIS_URL=redis://127.0.0.1:6379/0
  fi
  echo "==> database: ${DATABASE_URL:-SQLite (no PostgreSQL on 127.0.0.1:5432)}"
  echo "==> redis:    ${TEST_REDIS_URL:-none (integration tests will be skipped)}"
  # In parallel processes (pytest-xdist), one more than the cores by default: the integration
  # and browser tests spend much of their time waiting for a Celery worker, an SMTP server or
  # Chromium, and the extra process fills that time (on 2 cores the PostgreSQL pass took 806 s
  # with 3 processes against 1,122 s with 2; docs/performance.md "The test suite"). Each has its
  # own test database. Tests that share a module's fixtures stay in one process
  # (tests/conftest.py: xdist groups). PYTEST_WORKERS=0 runs everything in this process.
  local cores
  cores=$(nproc 2>/dev/null || echo 1)
  local workers=${PYTEST_WORKERS:-$((cores + 1))}
  local parallel=()
  if [ "$workers" != "0" ]; then parallel=(-n "$workers" --dist loadgroup); fi
  echo "==> workers:  ${workers}"
  .venv/bin/pytest "${parallel[@]}" "$@"
}

cmd_totp() {
  if [ -z "${1:-}" ]; then echo "usage: $0 totp EMAIL" >&2; exit 2; fi
  DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-portal.settings.dev}" .venv/bin/python manage.py demo_totp "$1"
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  totp) shift; cmd_totp "$@" ;;
  *) echo "usage: $0 run|test [pytest args] | totp EMAIL" >&2; exit 2 ;;
esac
