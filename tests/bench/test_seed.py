"""``manage.py seed_bench`` at a tiny scale: the data is consistent, a second run changes
nothing, ``--reset`` replaces exactly the seeded rows. (The benchmark itself is the script
tests/bench/run_bench.py, not a test.)"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from networks.management.commands.seed_bench import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    COUNTY,
    SCALES,
    current_counts,
    expected_counts,
)
from networks.models import (
    Activity,
    Network,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)
from tests import factories as f

User = get_user_model()
CO = NetworkMembership.Role.COORDINATOR


def seed(**options):
    call_command("seed_bench", scale="tiny", **options)


@pytest.fixture
def seeded(db):
    seed()


def test_tiny_scale_creates_the_expected_counts(seeded):
    assert current_counts() == SCALES["tiny"]["totals"] == expected_counts("tiny")


def test_national_scale_is_about_22_counties(db):
    national = expected_counts("national")
    for key, county in COUNTY.items():
        assert 21 * county <= national[key] <= 23 * county, key


def test_seeded_networks_are_consistent(seeded):
    networks = list(Network.objects.select_related("kommun", "parent").annotate(n=Count("memberships")))
    regional = [n for n in networks if n.kind == Network.Kind.REGIONAL]
    assert len(regional) == 1
    for network in networks:
        if network.kind == Network.Kind.LOCAL:
            assert network.parent_id == regional[0].pk
            assert network.lan_id == network.kommun.lan_id == network.parent.lan_id
        network.full_clean()
        assert network.n > 0, network
        assert network.memberships.filter(role=CO).exists(), f"{network} has no coordinator"
        current = network.stewardships.get(ends_on__isnull=True)
        assert network.memberships.filter(user=current.contact_person).exists()
        assert network.organisations.filter(pk=current.organisation_id).exists()
        represented = set(network.memberships.values_list("organisation_id", flat=True))
        assert represented <= set(network.organisations.values_list("pk", flat=True)), network
    for period in Stewardship.objects.all():
        period.full_clean()


def test_seeded_people_organisations_and_activities_are_consistent(seeded):
    for org in Organisation.objects.select_related("kommun"):
        org.full_clean()
        assert org.lan_id == org.kommun.lan_id
    people = User.objects.exclude(email=BENCH_EMAIL)
    assert not any(person.has_usable_password() for person in people)
    # Everyone works for an organisation in the kommun of the network they represent it in.
    for membership in NetworkMembership.objects.select_related("organisation", "network"):
        assert OrganisationMembership.objects.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id
        ).exists()
        assert membership.organisation.lan_id == membership.network.lan_id
    for activity in Activity.objects.select_related("organisation"):
        activity.full_clean()
        assert activity.kommun_id == activity.organisation.kommun_id
    assert Activity.objects.filter(description__icontains="familj").exists()  # the bench's search word


def test_bench_user_coordinates_the_regional_network_and_can_log_in(seeded, client):
    user = User.objects.get(email=BENCH_EMAIL)
    roles = {(m.network.kind, m.role) for m in NetworkMembership.objects.filter(user=user).select_related("network")}
    assert (Network.Kind.REGIONAL, CO) in roles
    assert sum(1 for kind, _role in roles if kind == Network.Kind.LOCAL) >= 1
    response = client.post("/konto/login/", {"login": BENCH_EMAIL, "password": BENCH_PASSWORD})
    assert response.status_code == 302


def test_second_run_changes_nothing_and_another_scale_needs_reset(seeded):
    before = current_counts()
    rows = (User.objects.count(), NetworkMembership.objects.count(), NetworkOrganisation.objects.count())
    seed()
    assert current_counts() == before
    assert (User.objects.count(), NetworkMembership.objects.count(), NetworkOrganisation.objects.count()) == rows
    with pytest.raises(CommandError):
        call_command("seed_bench", scale="county")
    assert current_counts() == before


def test_reset_removes_only_the_seeded_rows(db):
    other = f.MembershipFactory(role=CO)  # data that is not the bench's
    activity = f.ActivityFactory(organisation=other.organisation)
    seed()
    seed(reset=True)
    assert current_counts() == SCALES["tiny"]["totals"]
    assert User.objects.filter(email=BENCH_EMAIL).count() == 1
    assert NetworkMembership.objects.filter(pk=other.pk).exists()
    assert Activity.objects.filter(pk=activity.pk).exists()
