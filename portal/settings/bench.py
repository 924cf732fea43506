"""Benchmark settings: production-like (DEBUG off, persistent PostgreSQL connections, Redis
cache) on loopback over plain HTTP, with the yardstick views of docs/performance.md enabled."""

from .base import *  # noqa: F401,F403
from .base import configured_database, env

DEBUG = False
BENCH_VIEWS_ENABLED = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {
    "default": configured_database(env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/portal_bench"))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 600
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
# CACHE_URL: another Redis database for a second bench run beside this one (each run clears
# the kept keys it finds; two runs on one database would see each other's).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default="redis://127.0.0.1:6379/3"),
    }
}
CACHES["kept"] = {**CACHES["default"], "KEY_PREFIX": "kept"}  # portal/kept.py
# BENCH_COLD=1: the cold server of tests/bench/run_bench.py and bench_childplans.py, no kept
# HTML, every page rendered afresh (the warm server, without it, keeps HTML as production does).
if env.bool("BENCH_COLD", default=False):
    CACHES["kept"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
