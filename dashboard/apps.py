from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The top layer: the person's own pages ("Min översikt", "Min profil"), composed from every
    app below it, the demo data of the embedded default and the benchmark yardsticks."""

    name = "dashboard"
    verbose_name = _("Min översikt")
