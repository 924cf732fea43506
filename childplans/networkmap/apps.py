from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkmapConfig(AppConfig):
    name = "childplans.networkmap"
    label = "networkmap"
    verbose_name = _("Nätverkskarta")
