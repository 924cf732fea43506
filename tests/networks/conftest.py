"""Extra personas and helpers for the network pages (the shared ones are in tests/conftest.py).

Personas around the shared ``network`` (Växjö, under the Kronoberg ``regional_network``):
``coordinator`` and ``participant`` of the local network, ``regional_coordinator`` and
``regional_participant`` of the regional one, ``outsider``, ``administrator``."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from networks.models import NetworkMembership, Organisation
from tests import factories as f

# Queries every logged-in request makes around the view by design: read the session and read
# the user (the session itself is re-saved at most once a minute: IdleSessionMiddleware).
AUTH_QUERIES = 2
# docs/performance.md budgets, auth/session queries included.
DETAIL_BUDGET = 8
LIST_BUDGET = 10

_MIDDLEWARE_SQL = re.compile(
    r'^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)'
    r'|FROM "django_session"|^UPDATE "django_session"|^INSERT INTO "django_session"'
    r'|"usersessions_usersession"'
    r'|^SELECT [^;]* FROM "portal_user" WHERE "portal_user"\."id" = \S+ LIMIT \d+$'
)


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
    """``page_queries(client, url)`` -> (response, all queries, the page's own queries).

    "Own" leaves out what the middleware does on every request (session, user, allauth's
    user-session tracking, and the savepoints around them in a test transaction), so a test
    can hold a page to ``budget - AUTH_QUERIES`` however that middleware evolves."""

    def _run(client, url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries = [q["sql"] for q in ctx.captured_queries]
        own = [sql for sql in queries if not _MIDDLEWARE_SQL.search(sql)]
        return response, queries, own

    return _run
