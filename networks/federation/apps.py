from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "networks.federation"
    label = "federation"
    verbose_name = _("Inloggning via organisationens identitetsleverantör")
