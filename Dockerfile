# Barnstödsportalen: one image for web (gunicorn), worker and beat (Celery).
# Build and run with docker-compose.yml; settings: portal/settings/production.py (environment only).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings.production

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app

# Dependencies first (cached while only the code changes), exactly as locked, without dev tools.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN uv sync --frozen --no-dev

# Static files into the image (WhiteNoise serves them, hashed and compressed). Production
# settings need their secrets to import; these build-only values never reach a container.
RUN SECRET_KEY=build-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    PORTAL_BASE_URL=http://localhost \
    python manage.py collectstatic --noinput

# Run as an unprivileged user that owns nothing in /app.
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin portal \
    && chmod 0755 /app/docker/entrypoint.sh
USER portal

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "5"]
