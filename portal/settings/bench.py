"""Benchmark settings: production-like (DEBUG off, persistent PostgreSQL connections, Redis
cache) on loopback over plain HTTP, with the yardstick views of PERFORMANCE.md enabled."""

from .base import *  # noqa: F401,F403
from .base import LAYOUT_CACHE, env

DEBUG = False
BENCH_VIEWS_ENABLED = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/portal_bench")}
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/3"}}
CACHES["fragments"] = {**CACHES["default"], "KEY_PREFIX": "fragments"}  # portal/fragments.py
CACHES["layout"] = LAYOUT_CACHE  # templates/base.html
if env.bool("BENCH_NO_FRAGMENTS", default=False):  # run_bench.py --no-fragments: the uncached pages
    CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
