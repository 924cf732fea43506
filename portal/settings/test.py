"""Test settings: SQLite unless DATABASE_URL points at PostgreSQL (CI does), a fast hasher,
the in-memory mail backend, tasks run eagerly unless a test drives a real worker."""

from .base import *  # noqa: F401,F403
from .base import env

# The read replica (portal/routers.py): an alias on the test database itself (TEST MIRROR); the
# router is off unless a test turns it on (tests/childplans/test_reports_replica.py).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS = []
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The Celery integration tests start a real worker with these pointing at a local SMTP server.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_TIMEOUT = 5
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    # portal/kept.py; emptied before every test (tests/conftest.py)
    "kept": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept"},
}
ACCOUNT_RATE_LIMITS = False  # off in tests; test_auth.py turns explicit limits on
PORTAL_BASE_URL = "http://testserver"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}

# The demo professionals' TOTP secret (childplans/demo.py; printed by load_demo; never in
# production). Base32: add it to an authenticator app as a time-based key, or run
# ``./portal.sh totp EMAIL`` for the current code.
DEMO_TOTP_SECRET = "BARNSTODSPORTALENDEMOKOD"

# The notices' own tests (tests/portal/test_notices.py) use the product's default, the daily
# digest; the other tests, which check each notice's content and that it is sent once, get their
# notices at once as a person who chose "Direkt" does.
NOTICE_DEFAULT_FREQUENCY = "at_once"
