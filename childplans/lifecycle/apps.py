from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    """The child's records as a whole: what the law says about all of a child's data at once —
    removing it when its time is out (gallring, with legal holds) and handing it out when a
    guardian asks (registerutdrag). It sits above the plan's core and its sub-apps and reads
    every model that refers to a child or a plan (``graph.child_data_models``); none of them
    imports it (pyproject.toml, contract ``plan-records``)."""

    name = "childplans.lifecycle"
    label = "lifecycle"
    verbose_name = _("Barnets uppgifter")
