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
