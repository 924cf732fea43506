from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Möten")

    def ready(self):
        from portal import fragments

        from . import emails  # noqa: F401  (registers outbox renderers)
        from .models import Invitation, Meeting

        # The network page shows its meetings and how many come; the regional overview each
        # local network's last and next meeting.
        fragments.connect(fragments.NETWORKS, Meeting, Invitation)
