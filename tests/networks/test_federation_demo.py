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
