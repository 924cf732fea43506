from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildplansConfig(AppConfig):
    name = "childplans"
    verbose_name = _("Barnets plan")

    def ready(self):
        from networks.models import Kommun, Lan, Organisation
        from portal import fragments

        from . import emails  # noqa: F401  (registers outbox renderers)
        from .models import ChildPlan, Review

        # The indicators page is a cached fragment: any change to what it counts renders it afresh.
        fragments.connect(fragments.INDICATORS, ChildPlan, Review, Organisation, Kommun, Lan)
