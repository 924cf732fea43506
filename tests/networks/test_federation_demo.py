"""The demo's identity provider row (networks/federation/demo.py): only when ./portal.sh run
names the demo provider, for Region Kronoberg's organisations, once."""

import pytest

from networks.federation.demo import LOA3, SLUG, load_federation_demo
from networks.federation.models import IdentityProvider
from networks.models import Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_no_demo_provider_without_the_setting(settings):
    settings.FEDERATION_DEMO_IDP_URL = ""
    load_federation_demo()
    assert not IdentityProvider.objects.exists()


def test_the_demo_provider_is_region_kronobergs_and_made_once(settings):
    settings.FEDERATION_DEMO_IDP_URL = "http://127.0.0.1:8100"
    bup = f.OrganisationFactory(name="Region Kronoberg", unit="BUP", kind=Organisation.Kind.REGION)
    f.OrganisationFactory(name="Växjö kommun", kind=Organisation.Kind.KOMMUN)
    assert load_federation_demo() == {"identitetsleverantörer": 1}
    assert load_federation_demo() == {"identitetsleverantörer": 0}
    provider = IdentityProvider.objects.get(slug=SLUG)
    provider.full_clean()
    assert list(provider.organisations.all()) == [bup]
    assert provider.contexts == [LOA3] and provider.issuer == "http://127.0.0.1:8100"


def test_the_demo_saml_idp_is_vaxjo_kommuns_from_its_metadata(settings):
    """./portal.sh run's second IdP (tests/idp/saml.py --demo): its row filled from the real
    IdP's metadata, for Växjö kommun's organisations."""
    from networks.federation.demo import SAML_SLUG
    from networks.federation.saml import sp_credentials
    from tests.idp.saml import SAMLIdP

    settings.FEDERATION_DEMO_IDP_URL = ""
    soc = f.OrganisationFactory(name="Växjö kommun", kind=Organisation.Kind.KOMMUN)
    f.OrganisationFactory(name="Region Kronoberg", kind=Organisation.Kind.REGION)
    _, cert = sp_credentials()
    with SAMLIdP(sp_entity_id="http://testserver/sp", acs_url="http://testserver/acs", sp_cert=cert, people=[]) as idp:
        settings.FEDERATION_DEMO_SAML_IDP_URL = idp.url
        assert load_federation_demo() == {"identitetsleverantörer": 1}
        assert load_federation_demo() == {"identitetsleverantörer": 0}
    provider = IdentityProvider.objects.get(slug=SAML_SLUG)
    provider.full_clean()
    assert provider.is_saml and provider.saml_sso_url == f"{idp.url}/sso" and len(provider.certificates) == 1
    assert list(provider.organisations.all()) == [soc] and provider.contexts == [LOA3]
