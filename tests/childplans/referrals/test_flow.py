"""The network sees the flow, without child data: per activity, organisation and kommun, tips and
referrals per term, and how many were accepted, declined and started; for the network's
coordinators and the organisation's own members; under five suppressed. The regional overview
shows which kinds of organisation families are referred to (contributed through
networks/contrib.py: networks never imports childplans)."""

import pytest
from django.urls import reverse

from childplans.referrals import selectors, services
from childplans.referrals.models import Referral
from networks.models import ActivityTipCount, NetworkMembership
from networks.terms import current_term, previous_term, term_key
from tests import factories as f

from ..conftest import SECRETS, person
from .conftest import HELP_WANTED
from .test_queries import grow

pytestmark = pytest.mark.django_db


def flow_url(organisation):
    return reverse("childplans:flow_organisation", kwargs={"organisation_pk": organisation.pk})


def network_flow_url(network):
    return reverse("childplans:flow_network", kwargs={"network_pk": network.pk})


@pytest.fixture
def member_church(network, church):
    f.NetworkOrganisationFactory(network=network, organisation=church)
    return church


def test_who_sees_the_flow(client, referral, member_church, network, coordinator_with_mfa, receiver, church_member,
                           contact, teacher):
    participant = person("deltagare@vaxjo.se", None)
    NetworkMembership.objects.create(network=network, user=participant, organisation=member_church)
    admin = person("admin@portal.se", None, is_staff=True, is_superuser=True)
    for user, network_status, organisation_status in (
        (coordinator_with_mfa, 200, 404),
        (admin, 200, 200),
        (participant, 404, 404),
        (church_member, 404, 200),  # the organisation's own members
        (receiver, 404, 200),
        (contact, 404, 404),
        (teacher, 404, 404),
    ):
        client.force_login(user)
        assert client.get(network_flow_url(network)).status_code == network_status, user.email
        assert client.get(flow_url(member_church)).status_code == organisation_status, user.email


def test_counts_only_and_small_groups_suppressed(client, referral, receiver, church, meeting_place):
    client.force_login(receiver)
    body = client.get(flow_url(church)).content.decode()
    assert "Måndagsmiddag för barnfamiljer" in body
    assert "färre än 5" in body
    for secret in [HELP_WANTED, *SECRETS]:
        assert secret not in body
    grow(referral, 6)  # seven referrals to the meeting place, two accepted, two declined
    flow = selectors.flow(church.__class__.objects.filter(pk=church.pk), *current_term())
    row = flow["organisations"][0].activities[0]
    assert row.name == "Måndagsmiddag för barnfamiljer"
    assert row.cells["referrals"] == 7
    assert row.cells["accepted"] is None and row.cells["declined"] is None  # two each: suppressed
    assert flow["kommuner"][0].cells["referrals"] == 7


def test_tips_count_with_the_referrals(referral, church, meeting_place):
    term, year = current_term()
    ActivityTipCount.objects.create(activity=meeting_place, term=term, year=year, count=12)
    other = f.ActivityFactory(organisation=church, title="Läxhjälp")
    ActivityTipCount.objects.create(activity=other, term=term, year=year, count=3)
    flow = selectors.flow(church.__class__.objects.filter(pk=church.pk), term, year)
    org = flow["organisations"][0]
    by_name = {a.name: a.cells for a in org.activities}
    assert by_name["Måndagsmiddag för barnfamiljer"]["tips"] == 12
    assert by_name["Läxhjälp"]["tips"] is None
    # One part suppressed (3): the total (15) is hidden too, or 15 - 12 would give it away.
    assert org.cells["tips"] is None


def test_the_term_is_chosen(client, referral, receiver, church):
    client.force_login(receiver)
    before = term_key(*previous_term(*current_term()))
    response = client.get(flow_url(church) + f"?termin={before}")
    assert response.status_code == 200
    assert "Inga tips eller hänvisningar den här terminen." in response.content.decode()
    assert client.get(flow_url(church) + "?termin=XX1").status_code == 200  # falls back to this term


def test_the_regional_overview_shows_the_kinds(client, referral, full_plan, contact, church, receiver,
                                               regional_network, network, meeting_place):
    coordinator = person("regional@kronoberg.se", None)
    NetworkMembership.objects.create(network=regional_network, user=coordinator, organisation=church,
                                     role=NetworkMembership.Role.COORDINATOR)
    client.force_login(coordinator)
    url = reverse("network_overview", args=[regional_network.pk])
    body = client.get(url).content.decode()
    assert "Kyrka/församling: färre än 5 hänvisningar den här terminen" in body
    for i in range(5):
        activity = f.ActivityFactory(organisation=church, title=f"Verksamhet {i}")
        services.referral_send(plan=full_plan["plan"], by=contact, organisation=church, activity=activity,
                               help_wanted="Träffa andra", contact_by=Referral.ContactBy.FAMILY)
    body = client.get(url).content.decode()
    assert "Kyrka/församling: 6 hänvisningar den här terminen" in body
    assert HELP_WANTED not in body


def test_the_network_page_shows_its_coordinators_the_way(client, network, coordinator_with_mfa, teacher):
    NetworkMembership.objects.create(network=network, user=teacher, organisation=f.OrganisationFactory())
    client.force_login(coordinator_with_mfa)
    assert network_flow_url(network) in client.get(reverse("network_detail", args=[network.pk])).content.decode()
    client.force_login(teacher)
    assert network_flow_url(network) not in client.get(reverse("network_detail", args=[network.pk])).content.decode()
