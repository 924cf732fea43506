"""The demo world (``manage.py load_demo``: every role, every kind of object) loaded once per
module inside a transaction that is rolled back at the end, and a logged-in client per persona.

The tests in this folder walk the portal as each persona of the demo (tests/crawl/crawler.py);
every request runs in a savepoint of its own, so they all see the same data."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from meetings.services import calendar_feed_renew
from networks.models import Activity, Network, NetworkMembership, OrganisationMembership
from networks.services import network_member_invite
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
    """The demo data, for the whole module, rolled back afterwards; returns the pages a link
    cannot lead to, per persona (``extra_pages``)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", quiet=True)
            yield extra_pages()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def extra_pages():
    """Pages a person reaches without a link on a page, made the way a person makes them:

    - a new member's invitation (its link is in the e-mail the outbox will send: the crawl reads
      the demo's e-mails for the public pages);
    - a password reset asked for on the log-in page (its link is in allauth's e-mail);
    - a calendar feed's private address (shown once when made; a calendar app fetches it);
    - the family leaflet and the activity's open page, where making the leaflet (a POST) leads;
    - the check-in address a participant's phone reads from the QR code on the meeting's screen.

    And three states the demo's year passes through, so their pages and forms are there too: a
    meeting going on now (it can be closed, its QR code scanned), a review planned for today (it
    can be recorded), an organisation just added to a network that no member represents yet (it
    can be removed)."""
    from datetime import timedelta

    from django.utils import timezone

    from childplans.models import ChildPlan
    from childplans.services import review_plan
    from meetings.services import meeting_schedule
    from meetings.views.attendance import checkin_url
    from networks.models import Organisation
    from networks.services import network_organisation_add

    lina = User.objects.get(email=PERSONAS["lokal_samordnare"])
    network = Network.objects.get(name="Barnstödsnätverket i Växjö")
    network_member_invite(
        network=network, email="ny.deltagare@exempel.se", first_name="Ny", last_name="Deltagare",
        organisation=OrganisationMembership.objects.filter(user=lina).first().organisation,
        role=NetworkMembership.Role.PARTICIPANT, by=lina,
    )
    mail.outbox = []
    Client().post(reverse("account_reset_password"), {"email": PERSONAS["polis"]})
    reset_links = [
        u for m in mail.outbox for u in re.findall(r"https?://\S+", m.body) if "/konto/" in u
    ]
    feed = calendar_feed_renew(user=User.objects.get(email=PERSONAS["kontaktperson"]))
    activity = Activity.objects.filter(public=True).order_by("pk").first()
    now = timezone.now()
    ongoing = meeting_schedule(
        network=network, by=lina, title="Nätverksträff pågår", starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1), place="Familjecentralen",
    )
    contact = User.objects.get(email=PERSONAS["kontaktperson"])
    saga = ChildPlan.objects.filter(contact_person=contact, status=ChildPlan.Status.ACTIVE).order_by("pk").first()
    review_plan(plan=saga, by=contact, date=timezone.localdate())
    represented = NetworkMembership.objects.filter(network=network).values("organisation")
    newcomer = Organisation.objects.filter(lan=network.lan).exclude(pk__in=represented).order_by("pk").first()
    network_organisation_add(network=network, organisation=newcomer, by=lina)
    return {
        "anonym": [*reset_links, reverse("calendar_feed", kwargs={"token": feed}),
                   reverse("activity_public", args=[activity.pk])],
        "lokal_samordnare": [
            reverse("activity_leaflet", args=[activity.pk]), reverse("meeting_detail", args=[ongoing.pk]),
            reverse("network_organisation", args=[network.pk, newcomer.pk]),
        ],
        "kontaktperson": [checkin_url(ongoing)],
    }


def client_as(persona):
    """A client logged in as the persona, freshly re-authenticated (consent and team pages ask)."""
    client = Client()
    email = PERSONAS[persona]
    if email is not None:
        user = User.objects.get(email=email)
        client.force_login(user)
        reauthenticate(client, user)
    return client
