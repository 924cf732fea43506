from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildplansConfig(AppConfig):
    name = "childplans"
    verbose_name = _("Barnets plan")

    def ready(self):
        from . import emails, signals  # noqa: F401  (outbox renderers; the menu at log-in)
