from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portalen")

    def ready(self):
        from django.urls import register_converter

        from . import digests, signals  # noqa: F401  (the digest's outbox renderer; log-in audit)
        from .queries import IdConverter

        register_converter(IdConverter, "id")

        from django.core import checks
        from django.db.models.signals import post_migrate

        post_migrate.connect(install_audit_guard, sender=self)
        checks.register(check_audit_retention, checks.Tags.security)


def install_audit_guard(sender, using="default", **kwargs):
    """After every migrate: the audit table's guard with today's AUDIT_RETENTION_YEARS, and on
    PostgreSQL its month partitions ahead (portal/partitions.py)."""
    from django.db import connections

    from .auditguard import install
    from .partitions import ensure_audit_partitions

    install(connections[using])
    ensure_audit_partitions(using=connections[using])


def check_audit_retention(app_configs=None, **kwargs):
    """The access log is kept at least five years (docs/lifecycle.md): less is refused."""
    from django.conf import settings
    from django.core.checks import Error

    from .auditguard import MINIMUM_YEARS

    years = getattr(settings, "AUDIT_RETENTION_YEARS", MINIMUM_YEARS)
    if not isinstance(years, int) or years < MINIMUM_YEARS:
        return [Error(f"AUDIT_RETENTION_YEARS must be at least {MINIMUM_YEARS} (it is {years!r}).", id="portal.E019")]
    return []
