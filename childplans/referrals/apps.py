from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "childplans.referrals"
    label = "referrals"
    verbose_name = _("Hänvisningar")

    def ready(self):
        # The plan's core calls these when a consent is withdrawn or the plan is closed
        # (childplans/hooks.py); outbox renderers; parts of the networks pages (networks/contrib.py).
        from childplans.hooks import consent_withdrawn_hooks, plan_closed_hooks, register

        from . import contributions, emails  # noqa: F401
        from .services import close_for_closed_plan, close_for_withdrawn_consent

        register(consent_withdrawn_hooks, close_for_withdrawn_consent)
        register(plan_closed_hooks, close_for_closed_plan)
