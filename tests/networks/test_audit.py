"""Every networks service that changes shared data writes its audit row (docs/security.md,
promise 5): a table with one row per service, and a check that no service is missing from it,
so a service that stops auditing - or a new one that never did - fails the suite."""

from datetime import date

import pytest

from networks import services
from networks.models import (
    Activity,
    Network,
    NetworkInvitation,
    NetworkMembership,
    OrganisationMembership,
    ReferralReceiver,
)
from portal.models import AuditEvent

from .. import factories as f
from ..audit_table import assert_audited, assert_rolled_back_together, changing_services

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
Role = NetworkMembership.Role


@pytest.fixture
def world(network, coordinator, participant, org_kommun, org_church, regional_network):
    return {"network": network, "coordinator": coordinator, "participant": participant, "org_kommun": org_kommun,
            "org_church": org_church, "regional": regional_network}


def _membership(w):
    return NetworkMembership.objects.get(network=w["network"], user=w["participant"])


CASES = {
    "network_create": lambda w: (
        "network.created", w["coordinator"],
        lambda: services.network_create(by=w["coordinator"], name="Nytt nätverk", kind=Network.Kind.LOCAL,
                                        lan=w["network"].lan, kommun=w["network"].kommun, parent=w["regional"],
                                        purpose="", coordinator_organisation=w["org_kommun"]),
    ),
    "network_update": lambda w: (
        "network.updated", w["coordinator"],
        lambda: services.network_update(network=w["network"], by=w["coordinator"], name="Nytt namn", purpose="Mer"),
    ),
    "network_organisation_add": lambda w: (
        "network_organisation.added", w["coordinator"],
        lambda: services.network_organisation_add(network=w["network"], by=w["coordinator"],
                                                  organisation=f.OrganisationFactory(kind="ideell")),
    ),
    "network_organisation_remove": lambda w: (
        "network_organisation.removed", w["coordinator"],
        lambda: services.network_organisation_remove(network=w["network"], by=w["coordinator"],
                                                     organisation=f.NetworkOrganisationFactory(network=w["network"]).organisation),
    ),
    "network_member_invite": lambda w: (
        "membership.added", w["coordinator"],
        lambda: services.network_member_invite(network=w["network"], by=w["coordinator"], email="ny@exempel.se",
                                               first_name="Nora", last_name="Ny", organisation=w["org_church"],
                                               role=Role.PARTICIPANT),
    ),
    "network_member_remove": lambda w: (
        "membership.removed", w["coordinator"],
        lambda: services.network_member_remove(membership=_membership(w), by=w["coordinator"]),
    ),
    "network_member_set_role": lambda w: (
        "membership.role_changed", w["coordinator"],
        lambda: services.network_member_set_role(membership=_membership(w), role=Role.COORDINATOR, by=w["coordinator"]),
    ),
    "network_invitation_accept": lambda w: (
        "network_invitation.accepted", w["participant"],
        lambda: services.network_invitation_accept(
            invitation=NetworkInvitation.objects.create(network=w["network"], user=w["participant"],
                                                        invited_by=w["coordinator"]),
            password="ett-nytt-långt-lösenord"),
    ),
    "stewardship_handover": lambda w: (
        "stewardship.handed_over", w["coordinator"],
        lambda: services.stewardship_handover(network=w["network"], organisation=w["org_kommun"],
                                              contact_person=w["coordinator"], starts_on=date(2026, 1, 1),
                                              by=w["coordinator"]),
    ),
    "activity_create": lambda w: (
        "activity.created", w["participant"],
        lambda: services.activity_create(by=w["participant"], organisation=w["org_church"], title="Läxhjälp",
                                         description="Varje tisdag", category=Activity.Category.LAXHJALP,
                                         kommun=w["network"].kommun, contact="kyrkan@exempel.se"),
    ),
    "activity_update": lambda w: (
        "activity.updated", w["participant"],
        lambda: services.activity_update(activity=f.ActivityFactory(organisation=w["org_church"]),
                                         by=w["participant"], title="Läxhjälp för alla"),
    ),
    "activity_delete": lambda w: (
        "activity.deleted", w["participant"],
        lambda: services.activity_delete(activity=f.ActivityFactory(organisation=w["org_church"]), by=w["participant"]),
    ),
    "activity_tip_record": lambda w: (
        "activity.tipped", w["coordinator"],
        lambda: services.activity_tip_record(
            activity=f.ActivityFactory(organisation=w["org_church"], notify_email="diakon@kyrkan.se"),
            by=w["coordinator"], notify_contact=True),
    ),
    "receiver_add": lambda w: (
        "receiver.added", w["participant"],
        lambda: services.receiver_add(organisation=w["org_church"], user=w["participant"], by=w["participant"]),
    ),
    "receiver_remove": lambda w: (
        "receiver.removed", w["coordinator"],
        lambda: services.receiver_remove(
            receiver=ReferralReceiver.objects.create(organisation=w["org_church"], user=w["participant"]),
            by=w["coordinator"]),
    ),
    "receivers_missing_remind": lambda w: (
        "receivers.reminder_recorded", w["participant"],
        lambda: services.receivers_missing_remind(organisation=w["org_church"], by=w["participant"]),
    ),
    "profile_update": lambda w: (
        "profile.updated", w["participant"],
        lambda: services.profile_update(
            user=w["participant"], by=w["participant"], first_name="Pelle", last_name="Präst", phone="070-1",
            titles={OrganisationMembership.objects.get(user=w["participant"]).pk: "Diakon"}),
    ),
}


def test_every_networks_service_that_changes_data_is_in_the_table():
    assert changing_services(services) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_service_writes_its_audit_row(world, name):
    event, user, call = CASES[name](world)
    assert_audited(call, event=event, user=user)


@pytest.mark.parametrize("name", ["network_member_set_role", "stewardship_handover", "activity_create",
                                  "activity_tip_record", "receiver_add"])
def test_the_audit_row_is_in_the_services_transaction(world, name):
    event, _user, call = CASES[name](world)
    assert_rolled_back_together(call, event)


def test_a_refused_change_leaves_no_audit_row(world):
    """The last coordinator cannot step down: nothing changes, nothing is logged."""
    coordinator_membership = NetworkMembership.objects.get(network=world["network"], user=world["coordinator"])
    with pytest.raises(Exception):  # noqa: B017  the service's ValidationError
        services.network_member_set_role(membership=coordinator_membership, role=Role.PARTICIPANT,
                                         by=world["coordinator"])
    assert not AuditEvent.objects.filter(event="membership.role_changed").exists()
    coordinator_membership.refresh_from_db()
    assert coordinator_membership.role == Role.COORDINATOR
