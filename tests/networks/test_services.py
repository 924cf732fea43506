"""Rules of the network services (networks/services.py), tested without the web layer."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from networks import services
from networks.models import (
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    OrganisationMembership,
    Stewardship,
)
from portal.models import OutboundEmail
from tests import factories as f

User = get_user_model()
Role = NetworkMembership.Role


def _state():
    """What an invitation could change: compared before and after a rejected one."""
    return (
        User.objects.count(),
        NetworkMembership.objects.count(),
        NetworkInvitation.objects.count(),
        NetworkOrganisation.objects.count(),
        OrganisationMembership.objects.count(),
        OutboundEmail.objects.count(),
    )


# --- Invitations ---------------------------------------------------------------------------


def test_invite_new_person_creates_account_without_password_and_sends_one_email(
    network, coordinator, org_church, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        membership = services.network_member_invite(
            network=network,
            email="  Ny.Person@Exempel.SE ",
            first_name="Nora",
            last_name="Ny",
            organisation=org_church,
            title="Diakon",
            role=Role.PARTICIPANT,
            by=coordinator,
        )
    enqueued = [c for c in callbacks if "outbox_add" in c.__qualname__]
    assert len(enqueued) == 1, "exactly one outbox row is enqueued after commit"

    user = membership.user
    assert user.email == "ny.person@exempel.se"
    assert (user.first_name, user.last_name) == ("Nora", "Ny")
    assert not user.has_usable_password()
    assert membership.network == network and membership.organisation == org_church
    assert membership.role == Role.PARTICIPANT
    assert OrganisationMembership.objects.get(user=user, organisation=org_church).title == "Diakon"
    invitation = NetworkInvitation.objects.get(user=user, network=network)
    assert invitation.invited_by == coordinator and invitation.accepted_at is None

    row = OutboundEmail.objects.get(recipient="ny.person@exempel.se")
    assert row.kind == "network_invitation"
    assert row.object_key == f"invitation:{invitation.pk}"
    assert row.status == OutboundEmail.Status.SENT

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ny.person@exempel.se"]
    assert network.name in message.subject
    links = re.findall(r"http://testserver(/inbjudan/[^/\s]+/[^/\s]+/)", message.body)
    assert len(links) == 1, message.body
    # The link works: it opens the "choose a password" page for this person.
    response = client.get(links[0])
    assert response.status_code == 200
    assert response.context["invited_user"] == user
    assert "Välj lösenord" in response.content.decode()


def test_without_commit_nothing_is_sent(network, coordinator, org_church):
    """The e-mail goes after commit (transactional outbox): inside the transaction only the
    row exists."""
    services.network_member_invite(
        network=network, email="ny@exempel.se", first_name="Ny", last_name="Person",
        organisation=org_church, role=Role.PARTICIPANT, by=coordinator,
    )
    assert OutboundEmail.objects.get(recipient="ny@exempel.se").status == OutboundEmail.Status.PENDING
    assert mail.outbox == []


def test_invite_existing_user_adds_them_and_tells_them(
    network, coordinator, org_church, django_capture_on_commit_callbacks
):
    existing = f.UserFactory(email="finns@exempel.se", first_name="Fia")
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.network_member_invite(
            network=network, email="FINNS@exempel.se", first_name="Annat", last_name="Namn",
            organisation=org_church, role=Role.COORDINATOR, by=coordinator,
        )
    assert membership.user == existing
    assert membership.role == Role.COORDINATOR
    existing.refresh_from_db()
    assert existing.first_name == "Fia", "an existing account's name is not overwritten"
    assert existing.has_usable_password()
    assert not NetworkInvitation.objects.filter(user=existing).exists()
    assert OutboundEmail.objects.get(recipient="finns@exempel.se").kind == "network_member_added"
    assert len(mail.outbox) == 1
    assert f"/natverk/{network.pk}/" in mail.outbox[0].body


def test_invite_adds_organisation_from_the_lan_as_member_organisation(network, coordinator):
    new_org = f.OrganisationFactory(name="Fritidsgården")
    assert not NetworkOrganisation.objects.filter(network=network, organisation=new_org).exists()
    services.network_member_invite(
        network=network, email="fritid@exempel.se", first_name="Frida", last_name="Fritid",
        organisation=new_org, role=Role.PARTICIPANT, by=coordinator,
    )
    assert NetworkOrganisation.objects.filter(network=network, organisation=new_org).exists()


def test_duplicate_membership_is_rejected_and_changes_nothing(network, coordinator, participant, org_church):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        services.network_member_invite(
            network=network, email=participant.email.upper(), first_name="Per", last_name="Präst",
            organisation=org_church, role=Role.PARTICIPANT, by=coordinator,
        )
    assert "email" in exc.value.message_dict
    assert "redan medlem" in exc.value.message_dict["email"][0]
    assert _state() == before


def test_invite_to_organisation_in_other_lan_is_rejected(network, coordinator, kommun_other_lan):
    far_away = f.OrganisationFactory(name="Jönköpings kommun", kommun=kommun_other_lan)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        services.network_member_invite(
            network=network, email="ny@exempel.se", first_name="Ny", last_name="Person",
            organisation=far_away, role=Role.PARTICIPANT, by=coordinator,
        )
    assert "organisation" in exc.value.message_dict
    assert _state() == before


def test_accepting_an_invitation_sets_the_password_and_marks_it_accepted(network, coordinator, org_church):
    membership = services.network_member_invite(
        network=network, email="ny@exempel.se", first_name="Ny", last_name="Person",
        organisation=org_church, role=Role.PARTICIPANT, by=coordinator,
    )
    invitation = NetworkInvitation.objects.get(user=membership.user)
    user = services.network_invitation_accept(invitation=invitation, password="ett mycket långt lösen")
    user.refresh_from_db()
    assert user.check_password("ett mycket långt lösen")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


# --- Roles and removal ---------------------------------------------------------------------


def test_last_coordinator_can_be_neither_removed_nor_demoted(network, coordinator, participant):
    membership = NetworkMembership.objects.get(network=network, user=coordinator)
    with pytest.raises(ValidationError, match="minst en samordnare"):
        services.network_member_remove(membership=membership, by=coordinator)
    with pytest.raises(ValidationError, match="minst en samordnare"):
        services.network_member_set_role(membership=membership, role=Role.PARTICIPANT, by=coordinator)
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR


def test_a_coordinator_can_step_down_when_there_is_another(network, coordinator, participant):
    other = NetworkMembership.objects.get(network=network, user=participant)
    services.network_member_set_role(membership=other, role=Role.COORDINATOR, by=coordinator)
    mine = NetworkMembership.objects.get(network=network, user=coordinator)
    services.network_member_set_role(membership=mine, role=Role.PARTICIPANT, by=coordinator)
    mine.refresh_from_db()
    assert mine.role == Role.PARTICIPANT
    services.network_member_remove(membership=mine, by=coordinator)
    assert not NetworkMembership.objects.filter(pk=mine.pk).exists()


def test_participant_can_be_removed(network, coordinator, participant):
    membership = NetworkMembership.objects.get(network=network, user=participant)
    services.network_member_remove(membership=membership, by=coordinator)
    assert not NetworkMembership.objects.filter(network=network, user=participant).exists()
    assert User.objects.filter(pk=participant.pk).exists(), "the account itself stays"


# --- Member organisations ------------------------------------------------------------------


def test_organisation_with_members_or_driving_the_network_cannot_be_removed(
    network, coordinator, org_kommun
):
    with pytest.raises(ValidationError, match="företräds fortfarande"):
        services.network_organisation_remove(network=network, organisation=org_kommun, by=coordinator)

    idle = f.OrganisationFactory(name="Biblioteket")
    services.network_organisation_add(network=network, organisation=idle, by=coordinator)
    f.StewardshipFactory(network=network, organisation=idle, contact_person=coordinator, starts_on=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="driver nätverket"):
        services.network_organisation_remove(network=network, organisation=idle, by=coordinator)
    assert NetworkOrganisation.objects.filter(network=network, organisation=idle).exists()


def test_idle_organisation_can_be_removed(network, coordinator):
    idle = f.OrganisationFactory(name="Biblioteket")
    services.network_organisation_add(network=network, organisation=idle, by=coordinator)
    services.network_organisation_remove(network=network, organisation=idle, by=coordinator)
    assert not NetworkOrganisation.objects.filter(network=network, organisation=idle).exists()


# --- Stewardship ---------------------------------------------------------------------------


def test_stewardship_handover_closes_the_previous_period(network, coordinator, participant, org_kommun, org_church):
    first = services.stewardship_handover(
        network=network, organisation=org_kommun, contact_person=coordinator,
        starts_on=date(2025, 1, 1), by=coordinator,
    )
    assert first.ends_on is None
    second = services.stewardship_handover(
        network=network, organisation=org_church, contact_person=participant,
        starts_on=date(2025, 8, 15), by=coordinator, note="Hösten 2025",
    )
    first.refresh_from_db()
    assert first.ends_on == date(2025, 8, 14)
    assert second.ends_on is None
    assert Stewardship.objects.filter(network=network, ends_on__isnull=True).get() == second


def test_stewardship_rules(network, coordinator, org_kommun, outsider):
    services.stewardship_handover(
        network=network, organisation=org_kommun, contact_person=coordinator,
        starts_on=date(2025, 3, 1), by=coordinator,
    )
    not_member_org = f.OrganisationFactory(name="Utanför")
    with pytest.raises(ValidationError) as exc:
        services.stewardship_handover(
            network=network, organisation=not_member_org, contact_person=outsider,
            starts_on=date(2025, 3, 1), by=coordinator,
        )
    assert set(exc.value.message_dict) == {"organisation", "contact_person", "starts_on"}
    assert Stewardship.objects.filter(network=network).count() == 1
    assert Stewardship.objects.get(network=network).ends_on is None


# --- Creating networks ---------------------------------------------------------------------


def test_create_local_network_makes_the_creator_coordinator(regional_network, org_kommun):
    creator = f.UserFactory()
    network = services.network_create(
        by=creator, name="Nätverket i Alvesta", kind=Network.Kind.LOCAL, lan=regional_network.lan,
        kommun=f.kommun("Alvesta"), parent=regional_network, purpose="Samverkan",
        coordinator_organisation=org_kommun,
    )
    assert network.lan == regional_network.lan
    membership = NetworkMembership.objects.get(network=network)
    assert (membership.user, membership.role, membership.organisation) == (creator, Role.COORDINATOR, org_kommun)
    assert NetworkOrganisation.objects.filter(network=network, organisation=org_kommun).exists()
    assert OrganisationMembership.objects.filter(user=creator, organisation=org_kommun).exists()


def test_local_network_outside_the_parents_lan_is_rejected(regional_network, org_kommun, kommun_other_lan):
    before = (Network.objects.count(), NetworkMembership.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.network_create(
            by=f.UserFactory(), name="Fel län", kind=Network.Kind.LOCAL, lan=kommun_other_lan.lan,
            kommun=kommun_other_lan, parent=regional_network, purpose="",
            coordinator_organisation=org_kommun,
        )
    assert "parent" in exc.value.message_dict
    assert "annat län" in exc.value.message_dict["parent"][0]
    assert (Network.objects.count(), NetworkMembership.objects.count()) == before


def test_stewardship_period_end_is_the_day_before(network, coordinator, org_kommun):
    start = date(2025, 3, 1)
    services.stewardship_handover(
        network=network, organisation=org_kommun, contact_person=coordinator, starts_on=start, by=coordinator
    )
    services.stewardship_handover(
        network=network, organisation=org_kommun, contact_person=coordinator,
        starts_on=start + timedelta(days=1), by=coordinator,
    )
    closed = Stewardship.objects.get(network=network, ends_on__isnull=False)
    assert closed.ends_on == start, "a one-day period ends on its own start date"
