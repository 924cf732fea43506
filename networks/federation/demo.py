"""The demo's identity provider (``./portal.sh run``; README "A tour per role").

``./portal.sh run`` starts a real OpenID Connect provider for Region Kronoberg on port 8100
(``tests/idp/oidc.py --demo``: allauth's ``idp.oidc``, asserting LoA3) and names it in
``FEDERATION_DEMO_IDP_URL``; this adds the portal's side: the provider row for both of Region
Kronoberg's demo organisations. Without the setting (tests, production) nothing is created."""

from django.conf import settings

from networks.models import Organisation

from .models import IdentityProvider

SLUG = "region-kronoberg"
CLIENT_ID = "barnstodsportalen-demo"
CLIENT_SECRET = "demo-secret-not-for-production"  # noqa: S105 (the demo's, published)
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


def load_federation_demo():
    issuer = getattr(settings, "FEDERATION_DEMO_IDP_URL", "")
    if not issuer:
        return {"identitetsleverantörer": 0}
    provider, created = IdentityProvider.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "Region Kronoberg", "issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "identifier_claim": "email", "strong_contexts": LOA3, "is_active": True,
        },
    )
    provider.organisations.add(*Organisation.objects.filter(name="Region Kronoberg"))
    return {"identitetsleverantörer": int(created)}
