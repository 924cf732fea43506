"""The demo's identity providers (``./portal.sh run``; README "A tour per role").

``./portal.sh run`` starts a real OpenID Connect provider for Region Kronoberg on port 8100
(``tests/idp/oidc.py --demo``: allauth's ``idp.oidc``, asserting LoA3) and names it in
``FEDERATION_DEMO_IDP_URL``, and a real SAML 2.0 IdP for Växjö kommun on port 8101
(``tests/idp/saml.py --demo``: pysaml2, asserting LoA3) named in
``FEDERATION_DEMO_SAML_IDP_URL``; this adds the portal's side: a provider row for each, for
the organisations of that name (the SAML one filled from the IdP's metadata, as an
administrator's fetch does). Without the settings (tests, production) nothing is created."""

from django.conf import settings

from networks.models import Organisation

from .models import IdentityProvider

SLUG = "region-kronoberg"
CLIENT_ID = "barnstodsportalen-demo"
CLIENT_SECRET = "demo-secret-not-for-production"  # noqa: S105 (the demo's, published)
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


def load_federation_demo():
    return {"identitetsleverantörer": load_oidc_demo() + load_saml_demo()}


def load_oidc_demo():
    issuer = getattr(settings, "FEDERATION_DEMO_IDP_URL", "")
    if not issuer:
        return 0
    provider, created = IdentityProvider.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "Region Kronoberg", "issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "identifier_claim": "email", "strong_contexts": LOA3, "is_active": True,
        },
    )
    provider.organisations.add(*Organisation.objects.filter(name="Region Kronoberg"))
    return int(created)


SAML_SLUG = "vaxjo-kommun"


def load_saml_demo():
    url = getattr(settings, "FEDERATION_DEMO_SAML_IDP_URL", "")
    if not url:
        return 0
    from .admin import fetch_metadata, parse_metadata

    provider = IdentityProvider.objects.filter(slug=SAML_SLUG).first() or IdentityProvider(slug=SAML_SLUG)
    created = provider.pk is None
    provider.name, provider.protocol = "Växjö kommun", IdentityProvider.Protocol.SAML
    provider.identifier_claim, provider.strong_contexts, provider.is_active = "email", LOA3, True
    provider.saml_metadata_url = f"{url.rstrip('/')}/metadata"
    provider.apply_metadata(parse_metadata(fetch_metadata(provider.saml_metadata_url)))
    provider.full_clean()
    provider.save()
    provider.organisations.add(*Organisation.objects.filter(name="Växjö kommun"))
    return int(created)
