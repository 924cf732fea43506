"""An organisation's receivers of referrals (mottagare): named and removed by the organisation's
members, the coordinators of its networks and administrators; 404 for anyone else; a receiver
is current only while they belong to the organisation; the coordinators are reminded once per
organisation and term when a referral finds no receiver."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from networks import services
from networks.models import OrganisationMembership, ReferralReceiver
from networks.receivers import has_receivers
from portal.models import OutboundEmail
from portal.outbox import build_message

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def deacon(org_church):
    user = f.UserFactory(email="diakon@kyrkan.se", first_name="Maria", last_name="Holm")
    OrganisationMembership.objects.create(user=user, organisation=org_church)
    return user


def url(org):
    return reverse("organisation_receivers", args=[org.pk])


@pytest.mark.parametrize("who", ["deacon", "coordinator", "administrator", "participant"])
def test_who_may_name_receivers(client_for, request, org_church, deacon, network, coordinator, participant, who):
    # participant: a member of the church (MembershipFactory links them), coordinator: of a
    # network the church is a member organisation of.
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(url(org_church)).status_code == 200
    response = client.post(url(org_church), {"user": deacon.pk})
    assert response.status_code == 302
    receiver = ReferralReceiver.objects.get(organisation=org_church, user=deacon)
    response = client.post(reverse("organisation_receiver_remove", args=[org_church.pk, receiver.pk]))
    assert response.status_code == 302
    assert not ReferralReceiver.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "another_coordinator"])
def test_others_get_404_and_change_nothing(client_for, org_church, deacon, outsider, who):
    user = outsider
    if who == "another_coordinator":
        from networks.models import NetworkMembership

        user = f.MembershipFactory(role=NetworkMembership.Role.COORDINATOR).user  # another network
    receiver = ReferralReceiver.objects.create(organisation=org_church, user=deacon)
    client = client_for(user)
    assert client.get(url(org_church)).status_code == 404
    assert client.post(url(org_church), {"user": deacon.pk}).status_code == 404
    assert client.post(reverse("organisation_receiver_remove", args=[org_church.pk, receiver.pk])).status_code == 404
    assert ReferralReceiver.objects.count() == 1


def test_only_members_of_the_organisation_can_be_named(client_for, org_church, deacon, org_kommun):
    stranger = f.UserFactory(email="annan@vaxjo.se")
    OrganisationMembership.objects.create(user=stranger, organisation=org_kommun)
    response = client_for(deacon).post(url(org_church), {"user": stranger.pk})
    assert response.status_code == 200
    assert "Välj en av organisationens personer." in response.content.decode()
    with pytest.raises(ValidationError) as exc:
        services.receiver_add(organisation=org_church, user=stranger, by=deacon)
    assert "user" in exc.value.error_dict
    assert not ReferralReceiver.objects.exists()


def test_a_receiver_who_leaves_the_organisation_receives_nothing(org_church, deacon):
    services.receiver_add(organisation=org_church, user=deacon, by=deacon)
    assert has_receivers(org_church.pk)
    OrganisationMembership.objects.filter(user=deacon).delete()
    assert not has_receivers(org_church.pk)
    assert ReferralReceiver.objects.exists()  # the row stays; it counts for nothing


def test_coordinators_are_reminded_once_per_organisation_and_term(org_church, network, coordinator, participant):
    assert services.receivers_missing_remind(organisation=org_church, by=participant) == 1
    assert services.receivers_missing_remind(organisation=org_church, by=participant) == 0
    rows = list(OutboundEmail.objects.filter(kind="receivers_missing"))
    assert [r.recipient for r in rows] == [coordinator.email]
    message = build_message(rows[0])
    assert reverse("organisation_receivers", args=[org_church.pk]) in message.body
    assert participant.email not in message.body  # who tried is not told
    services.receiver_add(organisation=org_church, user=participant, by=participant)
    assert build_message(rows[0]) is None  # named meanwhile: nothing to send
