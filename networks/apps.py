from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = _("Nätverk")

    def ready(self):
        from django.contrib.auth import get_user_model

        from portal import fragments

        from . import emails  # noqa: F401  (registers outbox renderers)
        from . import models as m

        # What the cached network and directory fragments show (portal/fragments.py).
        fragments.connect(
            fragments.NETWORKS,
            m.Network, m.NetworkMembership, m.NetworkOrganisation, m.Stewardship,
            m.Organisation, m.OrganisationMembership, m.Kommun, m.Lan,
        )
        fragments.connect(fragments.NETWORKS, get_user_model(), ignore_fields={"last_login"})
        fragments.connect(fragments.DIRECTORY, m.Activity, m.Organisation, m.Kommun, m.Lan)
