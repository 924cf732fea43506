"""The network access query (networks.access.get_network_for_user_or_404, compiled once per
process by portal/prepared.py): one query that answers 404 for anyone who may not see or
coordinate the network, and otherwise gives the same network as the ORM, with its län,
kommun and regional network loaded."""

import pytest
from django.http import Http404

from networks.access import get_network_for_user_or_404
from networks.models import Network, NetworkMembership

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
