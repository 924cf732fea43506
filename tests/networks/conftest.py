"""Extra personas and helpers for the network pages (the shared ones are in tests/conftest.py).

Personas around the shared ``network`` (Växjö, under the Kronoberg ``regional_network``):
``coordinator`` and ``participant`` of the local network, ``regional_coordinator`` and
``regional_participant`` of the regional one, ``outsider``, ``administrator``."""


import pytest
from django.test import Client

from networks.models import NetworkMembership, Organisation
from tests import factories as f
from tests.queries import AUTH_QUERIES, DETAIL_BUDGET, LIST_BUDGET  # noqa: F401  (for the tests here)
from tests.queries import page_queries as _page_queries


@pytest.fixture
def org_region(db):
    return f.OrganisationFactory(
        name="Region Kronoberg", unit="Barn- och ungdomshälsan", kind=Organisation.Kind.REGION
    )


@pytest.fixture
def regional_coordinator(db, regional_network, org_region):
    """Samordnare of the regional network (Kronoberg)."""
    return f.MembershipFactory(
        network=regional_network,
        organisation=org_region,
        role=NetworkMembership.Role.COORDINATOR,
        user=f.UserFactory(email="regional@kronoberg.se", first_name="Rut", last_name="Regional"),
    ).user


@pytest.fixture
def regional_participant(db, regional_network):
    """Deltagare in the regional network, from the police."""
    return f.MembershipFactory(
        network=regional_network,
        organisation=f.OrganisationFactory(name="Polisen Växjö", kind=Organisation.Kind.POLIS),
        user=f.UserFactory(email="polis@polisen.se", first_name="Pia", last_name="Polis"),
    ).user


@pytest.fixture
def kommun_other_lan(db):
    """A kommun outside Kronobergs län (Jönköpings län)."""
    return f.kommun("Jönköping")


@pytest.fixture
def anon_client():
    return Client()


@pytest.fixture
def page_queries():
    """``page_queries(client, url)`` -> (response, all queries, the page's own queries)
    (tests/queries.py)."""
    return _page_queries
