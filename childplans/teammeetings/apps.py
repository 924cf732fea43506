from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeammeetingsConfig(AppConfig):
    name = "childplans.teammeetings"
    label = "teammeetings"
    verbose_name = _("Barnteamets möten")

    def ready(self):
        # The plan's core calls this as the plan closes (childplans/hooks.py).
        from childplans.hooks import plan_closed_hooks, register

        from . import emails, minutes_emails  # noqa: F401  (outbox renderers)
        from .services.calling import cancel_for_closed_plan

        register(plan_closed_hooks, cancel_for_closed_plan)
