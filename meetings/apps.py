from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Möten")

    def ready(self):
        from . import contributions, emails, minutes, series_emails  # noqa: F401  (outbox renderers; parts of network pages)
