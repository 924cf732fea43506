from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeammeetingsConfig(AppConfig):
    name = "childplans.teammeetings"
    label = "teammeetings"
    verbose_name = _("Barnteamets möten")

    def ready(self):
        from . import emails  # noqa: F401  (outbox renderers)
