"""Settings shared by every run mode. Values that differ per machine come from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-do-not-use-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "pgtrigger",
    "portal",
    "networks",
    "meetings",
    "childplans",
    "childplans.networkmap",
    "childplans.teammeetings",
    "childplans.referrals",
    "childplans.lifecycle",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RequestIdMiddleware",
    # The header middleware sit outside everything that may answer early (the redirect to
    # log in, the session limit, a CSRF failure), so every response carries the headers.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.AbsoluteSessionLimitMiddleware",
    "portal.middleware.IdleSessionMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # Users who can reach child data must have set up two-factor authentication (promise 11).
    "childplans.middleware.ChildDataMFAMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "childplans.context_processors.plans_menu",  # "Barnens planer" in the menu
            ],
        },
    },
]

# --- Databases (portal/settings/database.py) ---------------------------------
from .database import (  # noqa: E402,F401  (re-exported: the run modes import them from base)
    DATABASE_ROUTERS,
    DATABASES,
    DB_DISABLE_SERVER_SIDE_CURSORS,
    DB_PREPARE_THRESHOLD,
    DB_SERVER_SIDE_BINDING,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SQLITE_JOURNAL_MODE,
    SQLITE_OPTIONS,
    SQLITE_SYNCHRONOUS,
    configured_database,
    with_replica,
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Length and the common-password list, no composition rules (ASVS 5.0 / NIST 800-63B).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# --- django-allauth ---------------------------------------------------------
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # keep this session, end the others (signals.py)
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Barnstödsportalen] "
# A password reset for an unknown address sends nothing (and shows the same page as for a
# known one): the public form must not mail arbitrary addresses.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Barnstödsportalen"
# Sessions are listed and ended by the user (allauth.usersessions); tracking last-seen on
# every request would cost 3 queries per page (docs/performance.md budgets).
USERSESSIONS_TRACK_ACTIVITY = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Sessions: 30 minutes idle, 12 hours absolute (docs/security.md 12) -----------
# Django's database sessions: one indexed read per request, and a session ends everywhere the
# moment its row is deleted (log-out, a password change, deactivation).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
# Renewed by activity: portal.middleware.IdleSessionMiddleware re-saves a logged-in session at
# most once a minute (instead of SESSION_SAVE_EVERY_REQUEST's write on every request).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_INTERVAL_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIMIT_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers (docs/security.md 8) ---------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE is django-csp's sentinel; the string "'nonce'" would be sent verbatim (invalid).
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic target in production (portal/settings/production.py); dev and tests serve from
# the finders, so WhiteNoise has no directory to look at there.
STATIC_ROOT = None

# --- Cache: allauth's rate limits and kept HTML (portal/kept.py) ---
def redis_db_url(url, db):
    """``url`` pointing at Redis database ``db``: the cache lives apart from the broker."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("CACHE_URL", default=redis_db_url(REDIS_URL, 1)),
        }
    }
else:  # the embedded default: one web process, its memory is the cache
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Kept HTML (portal/kept.py) has an alias of its own: the benchmark measures pages without it
# (a dummy cache) beside pages with it.
CACHES["kept"] = {**CACHES["default"], "KEY_PREFIX": "kept"}

# --- E-mail -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Barnstödsportalen <noreply@barnstodsportalen.se>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_TIMEOUT = 10
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Celery (docs/security.md: background work that never loses and never doubles)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Publishing fails fast when the broker is down (about a second); the outbox sweeper sends later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
# E-mail on its own queue, so a fan-out of invitations never holds up other work
# (docs/performance.md "Background work"); every worker consumes both queues ("celery,mail":
# portal.sh, docker-compose.yml, tests/celery_harness.py).
CELERY_TASK_ROUTES = {
    "portal.tasks.outbox_send": {"queue": "mail"},
    "portal.tasks.outbox_send_batch": {"queue": "mail"},
}
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "portal.tasks.outbox_sweep", "schedule": 60.0},
    # Meeting reminders (issue 3): each is recorded once per person and kind (outbox constraint).
    "meeting-reminders": {"task": "meetings.tasks.send_due_reminders", "schedule": 300.0},
    # Plan reminders (issue 4): review due / action due, once each (outbox constraint).
    "plan-reminders": {"task": "childplans.tasks.plan_reminders", "schedule": 3600.0},
    # Team meeting reminders (issue 12): unanswered, the day before, open minutes; once each.
    "teammeeting-reminders": {"task": "childplans.teammeetings.tasks.teammeeting_reminders", "schedule": 900.0},
    # Notice digests (issue 21): each person's daily or weekly digest at their hour, once each.
    "notice-digests": {"task": "portal.tasks.notice_digests", "schedule": crontab(minute=2)},
}
# How long a pending outbox row waits before the sweeper re-enqueues it.
OUTBOX_RESEND_AFTER_SECONDS = env.int("OUTBOX_RESEND_AFTER_SECONDS", default=120)
# How long a sender's claim on outbox rows lasts (portal/outbox.py); longer than a task may run
# (CELERY_TASK_TIME_LIMIT), so the sweeper only settles the rows of a worker that is gone.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

BENCH_VIEWS_ENABLED = False

# The TOTP secret the demo professionals' authenticators are enrolled with (childplans/demo.py).
# Only the embedded default and the tests set it; production never does, and then neither the
# demo secret nor ``manage.py demo_totp`` exists.
DEMO_TOTP_SECRET = None

# Notices and digests (issue 21, portal/notices.py). What a person gets when they chose nothing:
# the daily digest; its hour (local time) and the weekly digest's weekday (Monday 0).
NOTICE_DEFAULT_FREQUENCY = env.str("NOTICE_DEFAULT_FREQUENCY", default="daily")
NOTICE_DIGEST_HOUR = env.int("NOTICE_DIGEST_HOUR", default=7)
NOTICE_DIGEST_WEEKDAY = env.int("NOTICE_DIGEST_WEEKDAY", default=0)
# A change to a meeting this close (days) goes out at once, whatever the person chose: a digest
# could come after it.
NOTICE_MEETING_AT_ONCE_DAYS = env.int("NOTICE_MEETING_AT_ONCE_DAYS", default=8)
# Registerutdrag (issue 19) ---------------------------------------------------------------------
# A guardian's or the child's right of access (GDPR art. 15; for care records HSLF-FS 2016:40
# 4 kap. 9-10 §: the person concerned may get an extract of the access log). When True, every
# staff name in the extract's access log is replaced by organisation and role; staff marked
# with protected identity (User.protected_identity) are so named everywhere in the extract
# whatever this says (docs/security.md promise 23).
REGISTERUTDRAG_HIDE_STAFF_NAMES = env.bool("REGISTERUTDRAG_HIDE_STAFF_NAMES", default=False)
# Verksamhetskatalogen (networks/directory.py): a search counts and shows at most this many
# matches, best first (a common word matches most of a national directory; nobody reads past
# ten pages, and the work of a request stays bounded). Not law: a page of the product.
DIRECTORY_SEARCH_MAX_RESULTS = env.int("DIRECTORY_SEARCH_MAX_RESULTS", default=500)
# Meeting series (issue 21): how far ahead and how many meetings one series may plan at once.
# Not law: the network's year is planned a term or two at a time (docs/architecture.md,
# "Meeting series"); the bounds keep one form from creating hundreds of meetings.
MEETING_SERIES_MAX_MEETINGS = env.int("MEETING_SERIES_MAX_MEETINGS", default=30)
MEETING_SERIES_YEARS_AHEAD = env.int("MEETING_SERIES_YEARS_AHEAD", default=2)
# Attendance and minutes (issue 21)
# Who receives published minutes (meetings/minutes.py): "attended" - those present and those
# with notice of absence in the register (the default: data minimisation, GDPR art. 5.1 c) - or
# "invited" - everyone whose invitation was sent, and everyone present.
MEETING_MINUTES_RECIPIENTS = env.str("MEETING_MINUTES_RECIPIENTS", default="attended")
# The first year the network's attendance report may be asked for (?ar=).
MEETING_REPORT_FIRST_YEAR = env.int("MEETING_REPORT_FIRST_YEAR", default=2020)
# Consent (issue 19). A guardian's consent for the child's team is voluntary and may be limited
# in time and purpose (GDPR art. 6.1 a, 7 and 9.2 a; OSL 2009:400 10 kap. 1 §, 12 kap. 2 §:
# secrecy is lifted only as far as the consent goes). docs/security.md promise 21.
# The valid-until date the consent form proposes, in months after the day it was given.
CONSENT_DEFAULT_MONTHS = env.int("CONSENT_DEFAULT_MONTHS", default=12)
# The longest a consent may run before it must be renewed (months after given_on).
CONSENT_MAX_MONTHS = env.int("CONSENT_MAX_MONTHS", default=24)
# The contact person is reminded these many days before a consent ends, once each.
CONSENT_REMINDER_DAYS = tuple(env.list("CONSENT_REMINDER_DAYS", cast=int, default=[30, 7]))
# The plan page and "Min översikt" list consents that end within this many days.
CONSENT_ENDING_SOON_DAYS = env.int("CONSENT_ENDING_SOON_DAYS", default=30)
CELERY_BEAT_SCHEDULE["consent-reminders"] = {"task": "childplans.tasks.consent_reminders", "schedule": 3600.0}
# The indicators (childplans.indicators): the beat counts them this often; the page shows the
# newest figures and when they were counted, and counts for itself when none is younger than
# INDICATORS_MAX_AGE_SECONDS (the beat has stopped). Not law: how fresh statistics must be.
INDICATORS_REFRESH_SECONDS = env.int("INDICATORS_REFRESH_SECONDS", default=300)
INDICATORS_MAX_AGE_SECONDS = env.int("INDICATORS_MAX_AGE_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["indicators-refresh"] = {
    "task": "childplans.tasks.indicators_refresh", "schedule": float(INDICATORS_REFRESH_SECONDS),
}
# Federated log-in (issue 20) ---------------------------------------------------------------
# Staff log in through their organisation's OpenID Connect provider (docs/federation.md,
# docs/security.md 24). Providers are rows an administrator adds (networks.federation), not
# settings; allauth's socialaccount does the protocol, the adapters the portal's rules.
INSTALLED_APPS += [
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "networks.federation",
]
# SAML 2.0: allauth's provider with the portal's request (RequestedAuthnContext, ForceAuthn,
# signed) and checks (networks.federation.saml).
SOCIALACCOUNT_PROVIDERS = {"saml": {"provider_class": "networks.federation.saml.PortalSAMLProvider"}}
# The SP's key and certificate (AuthnRequests are signed; the SP metadata publishes the
# certificate): made on first use when missing. In production, keep them (a new certificate
# must be given to every IdP again).
SAML_SP_KEY_FILE = env("SAML_SP_KEY_FILE", default=str(BASE_DIR / "var" / "saml" / "sp.key"))
SAML_SP_CERT_FILE = env("SAML_SP_CERT_FILE", default=str(BASE_DIR / "var" / "saml" / "sp.crt"))
ACCOUNT_ADAPTER = "networks.federation.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "networks.federation.adapters.SocialAccountAdapter"
# The log-in page's form-action names the providers' origins (the redirect after its POST).
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "networks.federation.middleware.ProviderFormActionMiddleware")
# Invite-only: a provider's answer never signs anyone up, and never matches an account by an
# e-mail address outside the adapter's rule (networks.federation.services.resolve_account).
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_QUERY_EMAIL = False
# The provider's tokens are not kept: the portal needs who logged in and how, nothing more.
SOCIALACCOUNT_STORE_TOKENS = False
# Starting a login is a POST from the log-in page (a GET shows allauth's confirmation).
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("FEDERATION_REQUESTS_TIMEOUT", default=10)
# Gallring (issue 19) -------------------------------------------------------------------------
# Retention of a child's plan (docs/lifecycle.md): by the owning organisation's kind, "*" for
# every other kind. SoL 2001:453 12 kap. 1 §: a record is removed five years after its last
# entry, the removal done at the latest during the calendar year after the year the duty arose
# ("end_of_following_year": the plan is due on 31 December of that year). The numbers are
# configuration for the organisation's archivist (arkivansvarig) to confirm, not code.
GALLRING_RULES = {
    "*": {"years": 5, "end_of_following_year": True, "source": "SoL 2001:453 12 kap. 1 §"},
}
# Reason categories (ReasonCategory.name) whose plans are never removed (SoL 12 kap. 1 §
# second paragraph: classes of documents that are kept; docs/lifecycle.md).
GALLRING_KEPT_REASON_CATEGORIES = env.list("GALLRING_KEPT_REASON_CATEGORIES", default=[])
# SoL 12 kap. 2 § and SoF 2001:937 7 kap. 2 §: the records of children born on these days of a
# month are kept for research — only for an organisation whose OrganisationRetention says it follows that rule.
GALLRING_RESEARCH_BIRTH_DAYS = [5, 15, 25]
# The nightly run (childplans.lifecycle.tasks.gallring_nightly) and its time limit.
GALLRING_RUN_HOUR = env.int("GALLRING_RUN_HOUR", default=2)
GALLRING_RUN_MINUTE = env.int("GALLRING_RUN_MINUTE", default=30)
GALLRING_TIME_LIMIT_SECONDS = env.int("GALLRING_TIME_LIMIT_SECONDS", default=3600)
# The dry run (/gallring/): what falls due in the next N days.
GALLRING_FORECAST_DAYS = env.int("GALLRING_FORECAST_DAYS", default=90)
# The access log's own retention (HSLF-FS 2016:40 4 kap. 9 §; SoL 12 kap. 1 §): at least five
# years — a system check refuses less, and the database trigger never lets a younger row go.
AUDIT_RETENTION_YEARS = env.int("AUDIT_RETENTION_YEARS", default=5)
AUDIT_PRUNE_BATCH = 1000
# PostgreSQL: the audit log is partitioned by month (portal/partitions.py); the daily
# ``audit-partitions`` task keeps this many months made ahead of the current one.
AUDIT_PARTITION_MONTHS_AHEAD = env.int("AUDIT_PARTITION_MONTHS_AHEAD", default=3)

from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["gallring-nightly"] = {
    "task": "childplans.lifecycle.tasks.gallring_nightly",
    "schedule": crontab(hour=GALLRING_RUN_HOUR, minute=GALLRING_RUN_MINUTE),
}
CELERY_BEAT_SCHEDULE["audit-prune"] = {
    "task": "portal.tasks.audit_prune",
    "schedule": crontab(hour=GALLRING_RUN_HOUR, minute=(GALLRING_RUN_MINUTE + 15) % 60),
}
CELERY_BEAT_SCHEDULE["audit-partitions"] = {
    "task": "portal.tasks.audit_partitions",
    "schedule": crontab(hour=GALLRING_RUN_HOUR, minute=(GALLRING_RUN_MINUTE + 5) % 60),
}
