"""The network access query (networks.access.get_network_for_user_or_404, compiled once per
process by portal/prepared.py): one query that answers 404 for anyone who may not see or
coordinate the network, and otherwise gives the same network as the ORM, with its län,
kommun and regional network loaded.

And the twins (tests/twins.py; docs/security.md promise 3): the same roles in another
organisation — the coordinator and a participant of another kommun's network, members of another
organisation (who name its receivers and publish its activities), the contact person and a team
member of another plan — and the coordinator of a neighbouring network who comes from one of our
member organisations, on every network, organisation and directory route (from the URL
resolver) with every method the view accepts: 404, nothing of ours in the body, nothing
changed."""

import pytest
from django.http import Http404

from networks.access import get_network_for_user_or_404
from networks.models import Network, NetworkMembership, ReferralReceiver
from tests.twins import (
    COORDINATOR as TWIN_COORDINATOR,
)
from tests.twins import (
    NEIGHBOUR,
    TWINS,
    app_rows,
    assert_twins_hold_their_roles,
    build_twin_world,
    coordinator_only,
    neighbouring_coordinator,
    object_routes,
    walk_outside,
)

from .. import factories as f

pytestmark = pytest.mark.django_db
COORDINATOR = NetworkMembership.Role.COORDINATOR


def _fields(obj):
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_the_network_is_the_orms_with_its_geography_in_one_query(
    network, coordinator, django_assert_num_queries
):
    expected = Network.objects.select_related("lan", "kommun", "parent").get(pk=network.pk)
    with django_assert_num_queries(1):
        got = get_network_for_user_or_404(coordinator, network.pk)
        assert _fields(got) == _fields(expected)  # datetimes aware on both databases
        assert got.created_at.tzinfo is not None
        assert _fields(got.lan) == _fields(expected.lan)
        assert _fields(got.kommun) == _fields(expected.kommun)
        assert _fields(got.parent) == _fields(expected.parent)
        assert got.user_role == COORDINATOR
        assert got.viewer_in_parent is False


def test_a_regional_network_has_no_kommun_and_no_parent(regional_network, administrator):
    got = get_network_for_user_or_404(administrator, regional_network.pk)
    assert got.kommun is None and got.parent is None
    assert got.user_role is None and got.viewer_in_parent is False


def test_membership_of_the_parent_is_reported(network, regional_network, coordinator):
    f.MembershipFactory(network=regional_network, user=coordinator)
    assert get_network_for_user_or_404(coordinator, network.pk).viewer_in_parent is True


def test_who_gets_404(network, coordinator, participant, outsider, administrator):
    for user, pk in [(outsider, network.pk), (coordinator, network.pk + 1000)]:
        with pytest.raises(Http404):
            get_network_for_user_or_404(user, pk)
    with pytest.raises(Http404):
        get_network_for_user_or_404(participant, network.pk, role=COORDINATOR)
    with pytest.raises(Http404):  # administrators see every network but coordinate none
        get_network_for_user_or_404(administrator, network.pk, role=COORDINATOR)
    assert get_network_for_user_or_404(participant, network.pk).user_role == NetworkMembership.Role.PARTICIPANT
    assert get_network_for_user_or_404(administrator, network.pk).pk == network.pk
    assert get_network_for_user_or_404(coordinator, network.pk, role=COORDINATOR).pk == network.pk


def test_an_inactive_administrator_sees_nothing(network):
    staff = f.UserFactory(is_staff=True, is_active=False)
    with pytest.raises(Http404):
        get_network_for_user_or_404(staff, network.pk)


def test_an_id_beyond_any_column_is_404(client_for, coordinator, administrator):
    assert client_for(coordinator).get("/natverk/99999999999999999999999/").status_code == 404
    assert client_for(administrator).get("/natverk/99999999999999999999999/oversikt/").status_code == 404


# --- The twins in another organisation ----------------------------------------------------------

# Open to every logged-in member, whichever organisation: the directory's activities, their
# leaflet and the tip (it counts a tip and keeps nothing about the family).
OPEN_TO_EVERY_MEMBER = {"activity_detail", "activity_tip", "activity_leaflet"}
NETWORK_ROUTES = object_routes("networks")


def test_the_twin_table_knows_every_route_with_an_object():
    """Every page for logged-in users that takes an object is walked by a twin table: the
    network, organisation and directory pages here, a meeting's in tests/meetings/test_access.py,
    the referral flow's in tests/childplans/referrals/test_access.py, a plan's and a referral's
    in their own tables (child and referral classes)."""
    names = {key for key, _ in NETWORK_ROUTES}
    assert OPEN_TO_EVERY_MEMBER <= names, "stale entries in OPEN_TO_EVERY_MEMBER"
    assert {"network_update", "organisation_receivers", "activity_update"} <= names
    walked = {key for key, _ in object_routes("networks", "meetings", "childplans")}
    assert walked == {key for key, _ in object_routes()}, "a new app's routes with an object: give them a table"


@pytest.fixture
def our_world(network, regional_network, coordinator, participant, org_kommun, org_church):
    """Our network's objects for every URL argument: the network (and the regional one above
    it), a member, a member organisation with a receiver, an activity of it."""
    membership = NetworkMembership.objects.get(network=network, user=participant)
    receiver = ReferralReceiver.objects.create(organisation=org_church, user=participant)
    activity = f.ActivityFactory(organisation=org_church, title="Kyrkans måndagsmiddag")
    return {"network": network, "regional": regional_network, "membership": membership,
            "organisation": org_church, "receiver": receiver, "activity": activity}


def network_targets(world):
    """(name, pattern, kwargs) for every network, organisation and directory route with an
    object; a route with only a network is asked for the regional network too."""
    ids = {"network_pk": world["network"].pk, "membership_pk": world["membership"].pk,
           "organisation_pk": world["organisation"].pk, "receiver_pk": world["receiver"].pk,
           "pk": world["activity"].pk}
    targets = []
    for key, pattern in NETWORK_ROUTES:
        if key in OPEN_TO_EVERY_MEMBER:
            continue
        names = list(pattern.pattern.converters)
        unknown = [n for n in names if n not in ids]
        assert not unknown, f"{key}: the twin table does not know the URL argument(s) {unknown}"
        targets.append((key, pattern, {n: ids[n] for n in names}))
        if names == ["network_pk"]:
            targets.append((key, pattern, {"network_pk": world["regional"].pk}))
    return targets


def network_payload(world, participant):
    """Plausible data for every form here, so a POST that slipped past the rule would change
    something."""
    return {
        "name": "Kapat", "purpose": "Kapat", "email": "ny@exempel.se", "first_name": "Ny", "last_name": "Person",
        "organisation": world["organisation"].pk, "role": NetworkMembership.Role.COORDINATOR, "title": "Kapat",
        "contact_person": participant.pk, "starts_on": "2025-09-01", "user": participant.pk,
        "description": "Kapat", "category": "motesplats", "kommun": world["activity"].kommun_id, "contact": "Kapat",
    }


@pytest.mark.parametrize("persona", [*TWINS, NEIGHBOUR])
def test_twins_get_404_on_every_network_route(client, persona, our_world, participant, org_kommun):
    world = build_twin_world()
    if persona == NEIGHBOUR:
        user, _ = neighbouring_coordinator(org_kommun)  # org_kommun: our coordinator's organisation
    else:
        assert_twins_hold_their_roles(world, [persona])
        user = world[persona]
    client.force_login(user)
    secrets = [our_world["network"].name, our_world["regional"].name, participant.email]
    walk_outside(client, persona, network_targets(our_world), payload=network_payload(our_world, participant),
                 secrets=secrets, snapshot=lambda: app_rows("networks", "portal"))


def test_a_participant_here_who_coordinates_another_network_coordinates_nothing_here(client, our_world, participant):
    """The coordinator of another kommun's network, a participant of ours too: every coordinator
    page of ours (by the view's declaration), every method, is 404 as for any participant."""
    world = build_twin_world()
    user = world[TWIN_COORDINATOR]
    f.MembershipFactory(network=our_world["network"], user=user, organisation=world["plan"].owner_organisation)
    assert_twins_hold_their_roles(world, [TWIN_COORDINATOR])  # still coordinates their own
    client.force_login(user)
    targets = [t for t in network_targets(our_world) if coordinator_only(t[1])]
    assert {t[0] for t in targets} >= {"network_update", "network_member_invite", "network_stewardship"}
    walk_outside(client, "participant_here_coordinator_elsewhere", targets,
                 payload=network_payload(our_world, participant), secrets=[participant.email],
                 snapshot=lambda: app_rows("networks", "portal"))
