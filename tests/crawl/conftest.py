"""The demo world (``manage.py load_demo``: every role, every kind of object) loaded once per
module inside a transaction that is rolled back at the end, and a logged-in client per persona.

The tests in this folder walk the portal as each persona of the demo (tests/crawl/crawler.py);
every request runs in a savepoint of its own, so they all see the same data."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from portal.models import User
from tests.childplans.conftest import reauthenticate

# The demo's people by role (networks/demo.py, childplans/demo.py); None: not logged in.
PERSONAS = {
    "anonym": None,
    "administrator": "admin@exempel.se",
    "regional_samordnare": "samordnare.kronoberg@exempel.se",
    "lokal_samordnare": "samordnare.vaxjo@exempel.se",
    "kontaktperson": "socialtjanst.vaxjo@exempel.se",
    "skolkurator": "anders.petersson@exempel.se",
    "kyrkans_mottagare": "kyrkan.vaxjo@exempel.se",
    "polis": "polisen.vaxjo@exempel.se",
}


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo data, for the whole module, rolled back afterwards."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", quiet=True)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def client_as(persona):
    """A client logged in as the persona, freshly re-authenticated (consent and team pages ask)."""
    client = Client()
    email = PERSONAS[persona]
    if email is not None:
        user = User.objects.get(email=email)
        client.force_login(user)
        reauthenticate(client, user)
    return client
