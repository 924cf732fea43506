"""docker-compose.yml, the Dockerfile and .env.example read against the settings.

Docker does not run on the development machines, so these tests keep the files correct: the
YAML parses, every service has a health check, every variable the compose file or production
settings use is documented in .env.example, and the services match what the settings expect."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

from .test_security_headers import _production_settings

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
ENV_EXAMPLE = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")


def env_example(commented=False):
    """Variables set in .env.example (optionally also the commented-out optional ones)."""
    prefix = r"^(?:#\s*)?" if commented else r"^"
    return dict(re.findall(prefix + r"([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, re.MULTILINE))


def env_reads(module):
    source = (BASE_DIR / "portal" / "settings" / f"{module}.py").read_text(encoding="utf-8")
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def command(service):
    value = SERVICES[service]["command"]
    return value if isinstance(value, list) else value.split()


ONE_SHOT = {"migrate"}


def test_compose_has_the_services():
    assert set(SERVICES) == {"migrate", "web", "proxy", "worker", "beat", "pgbouncer", "db", "db-replica", "redis",
                             "cache", "mailpit"}


@pytest.mark.parametrize("service", sorted(set(SERVICES) - ONE_SHOT))
def test_every_service_has_a_healthcheck(service):
    check = SERVICES[service].get("healthcheck")
    assert check and check.get("test") and not check.get("disable"), service
    assert check["test"][0] in ("CMD", "CMD-SHELL"), service


def test_every_compose_variable_is_in_env_example():
    text = (BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8")
    text = text.replace("$$", "")  # escaped: the container's shell variable, not compose's
    used = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))
    assert used, "the compose file uses at least POSTGRES_PASSWORD"
    assert used <= set(env_example()), used - set(env_example())


def test_every_variable_production_reads_is_in_env_example():
    missing = env_reads("production") - set(env_example())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_every_variable_base_settings_read_is_at_least_mentioned():
    missing = (env_reads("base") | env_reads("database")) - set(env_example(commented=True))
    assert not missing, f"add to .env.example (commented out if optional): {sorted(missing)}"


def test_env_example_covers_the_promised_variables():
    assert set(env_example()) >= {
        "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "CACHE_URL", "EMAIL_HOST",
        "EMAIL_PORT", "DEFAULT_FROM_EMAIL", "PORTAL_BASE_URL", "CSRF_TRUSTED_ORIGINS",
        "TRUSTED_PROXY_COUNT", "SECURE_SSL_REDIRECT",
    }


def test_app_services_use_production_settings_and_the_env_file():
    for name in ("web", "worker", "beat"):
        service = SERVICES[name]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
        assert service["env_file"] in (".env", [".env"])
        assert service["build"] == "."


def test_web_is_gunicorn_with_five_workers():
    cmd = command("web")
    assert cmd[0] == "gunicorn" and cmd[1].startswith("portal.wsgi")
    assert cmd[cmd.index("--workers") + 1] == "5"
    # stateless and scalable (--scale web=N): no host port of its own; the proxy spreads requests
    assert "ports" not in SERVICES["web"] and "8000" in SERVICES["web"]["expose"]
    assert "8000" in " ".join(SERVICES["proxy"]["ports"])
    assert "web:8000" in (BASE_DIR / "docker" / "proxy" / "nginx.conf").read_text()


def test_worker_consumes_every_routed_queue_and_beat_runs_once():
    cmd = command("worker")
    assert cmd[:4] == ["celery", "-A", "portal", "worker"]
    queues = set(cmd[cmd.index("--queues") + 1].split(","))
    routes = _production_settings("CELERY_TASK_ROUTES")["CELERY_TASK_ROUTES"]
    routed = {r["queue"] for r in routes.values()} | {"celery"}
    assert "mail" in routed and routed <= queues
    assert command("beat")[:4] == ["celery", "-A", "portal", "beat"]
    assert "deploy" not in SERVICES["beat"] or SERVICES["beat"]["deploy"].get("replicas", 1) == 1


def test_one_migrate_runs_first_and_everything_waits_for_it():
    """Several web replicas never migrate at once: a one-shot service migrates (straight to the
    primary), web, worker and beat start once it has finished, and the entry point's own
    migrate (for a lone container) is off in compose."""
    migrate = SERVICES["migrate"]
    assert command("migrate")[-3:] == ["manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert urlsplit(migrate["environment"]["DATABASE_URL"]).hostname == "db"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert SERVICES[name]["environment"]["MIGRATE_ON_START"] == "0"
    entrypoint = (BASE_DIR / "docker" / "entrypoint.sh").read_text()
    assert "MIGRATE_ON_START" in entrypoint and "migrate" in entrypoint


def test_the_app_reaches_postgres_through_pgbouncer_in_transaction_mode():
    """Prepared statements (DB_PREPARE_THRESHOLD) work through transaction pooling only with
    max_prepared_statements; server-side cursors cannot outlive a pooled transaction."""
    for name in ("web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        assert urlsplit(env["DATABASE_URL"]).hostname == "pgbouncer"
        assert urlsplit(env["REPLICA_DATABASE_URL"]).path == "/portal_replica"
        assert env["DB_DISABLE_SERVER_SIDE_CURSORS"] == "true"
    ini = (BASE_DIR / "docker" / "pgbouncer" / "pgbouncer.ini").read_text()
    settings = dict(
        (k.strip(), v.strip()) for k, v in (line.split("=", 1) for line in ini.splitlines()
                                            if "=" in line and not line.lstrip().startswith(";"))
    )
    assert settings["pool_mode"] == "transaction"
    assert int(settings["max_prepared_statements"]) > 0
    assert settings["portal"].startswith("host=db ") and settings["portal_replica"].startswith("host=db-replica ")


def test_the_replica_streams_from_the_primary():
    assert "wal_level=replica" in command("db")
    assert SERVICES["db-replica"]["image"] == SERVICES["db"]["image"]
    start = (BASE_DIR / "docker" / "postgres" / "replica-start.sh").read_text()
    assert "pg_basebackup" in start and "--write-recovery-conf" in start
    assert "REPLICATION" in (BASE_DIR / "docker" / "postgres" / "primary-init.sh").read_text()
    for script in ("entrypoint.sh", "postgres/primary-init.sh", "postgres/replica-start.sh", "pgbouncer/start.sh"):
        assert (BASE_DIR / "docker" / script).stat().st_mode & 0o111, script


def test_redis_keeps_tasks_and_the_cache_is_a_server_of_its_own():
    """The broker never evicts and keeps an append-only file; the cache (rate limits, page
    fragments) is another Redis that evicts its least used keys when full, so a full cache
    can never make the broker refuse a task."""
    cmd = command("redis")
    assert SERVICES["redis"]["image"].split(":")[1].startswith("7")
    assert cmd[cmd.index("--appendonly") + 1] == "yes"
    assert cmd[cmd.index("--maxmemory-policy") + 1] == "noeviction"
    cache_cmd = command("cache")
    assert SERVICES["cache"]["image"].split(":")[1].startswith("7")
    assert cache_cmd[cache_cmd.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert cache_cmd[cache_cmd.index("--maxmemory") + 1].endswith("mb")
    assert "cache" in SERVICES["web"]["depends_on"]
    env = env_example()
    broker, cache = urlsplit(env["REDIS_URL"]), urlsplit(env["CACHE_URL"])
    assert (broker.hostname, cache.hostname) == ("redis", "cache")


def test_database_url_matches_the_db_service():
    db = SERVICES["db"]
    assert db["image"] == "postgres:15"
    url = urlsplit(env_example()["DATABASE_URL"])
    assert url.scheme in ("postgres", "postgresql")
    assert url.hostname == "db"
    assert url.username == db["environment"]["POSTGRES_USER"]
    assert url.path.lstrip("/") == db["environment"]["POSTGRES_DB"]
    assert url.password == env_example()["POSTGRES_PASSWORD"]


def test_staging_mail_goes_to_mailpit():
    env = env_example()
    assert env["EMAIL_HOST"] == "mailpit" and env["EMAIL_PORT"] == "1025"
    assert "mailpit" in SERVICES["mailpit"]["image"]
    assert any("8025" in p for p in SERVICES["mailpit"]["ports"])  # the web view


def test_dockerfile_builds_a_locked_non_root_image():
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.MULTILINE)
    assert "uv sync --frozen --no-dev" in DOCKERFILE
    assert "collectstatic --noinput" in DOCKERFILE
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "var"} <= set(ignored)


def test_entrypoint_is_executable():
    path = BASE_DIR / "docker" / "entrypoint.sh"
    assert path.read_text().startswith("#!/bin/sh")
    assert path.stat().st_mode & 0o111


@pytest.mark.parametrize(("migrate_on_start", "migrates"), [(None, True), ("1", True), ("0", False)])
def test_the_entrypoint_migrates_a_lone_web_container_only(tmp_path, migrate_on_start, migrates):
    """A lone container migrates before gunicorn; compose's web replicas (MIGRATE_ON_START=0)
    leave it to the one-shot migrate service. Run with stand-ins for python and gunicorn."""
    import subprocess

    log = tmp_path / "log"
    for name in ("python", "gunicorn"):
        stub = tmp_path / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        stub.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin"}
    if migrate_on_start is not None:
        env["MIGRATE_ON_START"] = migrate_on_start
    subprocess.run(["/bin/sh", str(BASE_DIR / "docker" / "entrypoint.sh"), "gunicorn", "portal.wsgi:application"],
                   env=env, check=True, timeout=10)  # fmt: skip
    lines = log.read_text().splitlines()
    assert lines[-1] == "gunicorn portal.wsgi:application"
    assert ("python manage.py migrate --noinput" in lines) is migrates
