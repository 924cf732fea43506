"""Bad input on the network forms: a clear Swedish message next to the field, and nothing
changed in the database (docs/security.md, access rule 6)."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

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
REQUIRED = "Detta fält måste fyllas i."


def _snapshot():
    return (
        list(Network.objects.order_by("pk").values_list("pk", "name", "purpose", "kommun_id", "parent_id")),
        list(NetworkMembership.objects.order_by("pk").values_list("pk", "user_id", "role")),
        list(NetworkOrganisation.objects.order_by("pk").values_list("pk", "organisation_id")),
        list(Stewardship.objects.order_by("pk").values_list("pk", "ends_on")),
        User.objects.count(),
        OrganisationMembership.objects.count(),
        NetworkInvitation.objects.count(),
        OutboundEmail.objects.count(),
    )


def field_error(response, field):
    """The error text crispy-forms renders next to ``field`` (its invalid-feedback block)."""
    html = response.content.decode()
    match = re.search(rf'<div id="id_{field}_error" class="invalid-feedback">(.*?)</div>', html, re.S)
    assert match, f"no error shown next to {field!r}"
    assert f'aria-describedby="id_{field}_error' in html or f'aria-describedby="id_{field}_helptext id_{field}_error' in html
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def invite(client_for, coordinator, network, org_church, django_capture_on_commit_callbacks):
    """POST the invitation form as the coordinator, with on-commit callbacks executed (so a
    wrongly sent e-mail would show up in mail.outbox)."""
    client = client_for(coordinator)

    def _post(**overrides):
        data = {
            "email": "ny@exempel.se", "first_name": "Nora", "last_name": "Ny",
            "organisation": org_church.pk, "title": "", "role": "participant",
        }
        data.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("network_member_invite", args=[network.pk]), data)

    return _post


def test_invalid_email(invite):
    before = _snapshot()
    response = invite(email="inte-en-adress")
    assert response.status_code == 200
    assert field_error(response, "email") == "Fyll i en giltig e-postadress."
    assert _snapshot() == before
    assert mail.outbox == []


def test_duplicate_membership(invite, participant):
    before = _snapshot()
    response = invite(email=participant.email.upper())
    assert response.status_code == 200
    assert field_error(response, "email") == f"{participant.email} är redan medlem i nätverket."
    assert _snapshot() == before
    assert mail.outbox == []


@pytest.mark.parametrize("field", ["email", "first_name", "last_name", "organisation", "role"])
def test_empty_required_field_on_invitation(invite, field):
    before = _snapshot()
    response = invite(**{field: ""})
    assert response.status_code == 200
    assert field_error(response, field) == REQUIRED
    assert _snapshot() == before
    assert mail.outbox == []


def test_organisation_outside_the_choices_on_invitation(invite, kommun_other_lan):
    far_away = f.OrganisationFactory(name="Jönköpings kommun", kommun=kommun_other_lan)
    before = _snapshot()
    response = invite(organisation=far_away.pk)
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in field_error(response, "organisation")
    assert _snapshot() == before


# --- Creating a network --------------------------------------------------------------------


def _create_data(**overrides):
    data = {"kind": "local", "name": "Nytt nätverk", "lan": "", "kommun": "", "parent": "", "purpose": ""}
    data.update(overrides)
    return data


def test_local_network_outside_the_regional_networks_lan(
    client_for, administrator, regional_network, org_kommun, kommun_other_lan
):
    before = _snapshot()
    response = client_for(administrator).post(reverse("network_create"), _create_data(
        kommun=kommun_other_lan.pk, parent=regional_network.pk, coordinator_organisation=org_kommun.pk,
    ))
    assert response.status_code == 200
    message = field_error(response, "kommun")
    assert message.startswith("Jönköping ligger i Jönköpings län, men det regionala nätverket")
    assert "hör till Kronobergs län" in message
    assert _snapshot() == before


def test_regional_coordinator_cannot_pick_a_kommun_in_another_lan(
    client_for, regional_coordinator, regional_network, org_region, kommun_other_lan
):
    before = _snapshot()
    response = client_for(regional_coordinator).post(reverse("network_create"), _create_data(
        kommun=kommun_other_lan.pk, parent=regional_network.pk, coordinator_organisation=org_region.pk,
    ))
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in field_error(response, "kommun")
    assert _snapshot() == before


def test_regional_coordinator_cannot_create_a_regional_network(
    client_for, regional_coordinator, regional_network, org_region
):
    before = _snapshot()
    response = client_for(regional_coordinator).post(reverse("network_create"), _create_data(
        kind="regional", parent=regional_network.pk, kommun=f.kommun("Alvesta").pk,
        coordinator_organisation=org_region.pk,
    ))
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in field_error(response, "kind")
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", REQUIRED),
        ({"kommun": ""}, "kommun", "Välj den kommun som det lokala nätverket hör till."),
        ({"kind": "regional", "kommun": "", "lan": ""}, "lan", "Välj det län som det regionala nätverket hör till."),
        ({"coordinator_organisation": ""}, "coordinator_organisation", REQUIRED),
    ],
    ids=["name", "kommun", "lan", "organisation"],
)
def test_empty_required_field_on_network_create(client_for, administrator, org_kommun, overrides, field, message):
    data = _create_data(kommun=f.kommun("Växjö").pk, coordinator_organisation=org_kommun.pk)
    data.update(overrides)
    before = _snapshot()
    response = client_for(administrator).post(reverse("network_create"), data)
    assert response.status_code == 200
    assert field_error(response, field) == message
    assert _snapshot() == before


def test_regional_network_with_a_kommun(client_for, administrator, org_kommun):
    before = _snapshot()
    response = client_for(administrator).post(reverse("network_create"), _create_data(
        kind="regional", lan=f.kommun("Växjö").lan.pk, kommun=f.kommun("Växjö").pk,
        coordinator_organisation=org_kommun.pk,
    ))
    assert response.status_code == 200
    assert field_error(response, "kommun") == "Ett regionalt nätverk hör till ett län. Lämna kommun tom."
    assert _snapshot() == before


def test_coordinator_organisation_in_another_lan(client_for, administrator, kommun_other_lan):
    far_away = f.OrganisationFactory(name="Jönköpings kommun", kommun=kommun_other_lan)
    before = _snapshot()
    response = client_for(administrator).post(reverse("network_create"), _create_data(
        kommun=f.kommun("Växjö").pk, coordinator_organisation=far_away.pk,
    ))
    assert response.status_code == 200
    assert field_error(response, "coordinator_organisation") == (
        "Organisationen finns i Jönköpings län, men nätverket ligger i Kronobergs län."
    )
    assert _snapshot() == before


# --- Editing, organisations and stewardship ----------------------------------------------


def test_empty_name_on_update(client_for, coordinator, network):
    before = _snapshot()
    response = client_for(coordinator).post(reverse("network_update", args=[network.pk]), {"name": "", "purpose": "x"})
    assert response.status_code == 200
    assert field_error(response, "name") == REQUIRED
    assert _snapshot() == before


def test_empty_organisation_on_add(client_for, coordinator, network):
    before = _snapshot()
    response = client_for(coordinator).post(reverse("network_organisation_add", args=[network.pk]), {"organisation": ""})
    assert response.status_code == 200
    assert field_error(response, "organisation") == REQUIRED
    assert _snapshot() == before


@pytest.fixture
def handover(client_for, coordinator, participant, network, org_kommun, org_church):
    f.StewardshipFactory(network=network, organisation=org_kommun, contact_person=coordinator, starts_on=date(2025, 3, 1))
    client = client_for(coordinator)

    def _post(**overrides):
        data = {"organisation": org_church.pk, "contact_person": participant.pk, "starts_on": "2025-09-01", "note": ""}
        data.update(overrides)
        return client.post(reverse("network_stewardship", args=[network.pk]), data)

    return _post


@pytest.mark.parametrize("field", ["organisation", "contact_person", "starts_on"])
def test_empty_required_field_on_handover(handover, field):
    before = _snapshot()
    response = handover(**{field: ""})
    assert response.status_code == 200
    assert field_error(response, field) == REQUIRED
    assert _snapshot() == before


def test_handover_starting_before_the_current_period(handover):
    before = _snapshot()
    response = handover(starts_on="2025-02-01")
    assert response.status_code == 200
    assert field_error(response, "starts_on") == "Den nya perioden måste börja efter den nuvarande (2025-03-01)."
    assert _snapshot() == before


def test_handover_to_someone_outside_the_network(handover, outsider):
    before = _snapshot()
    response = handover(contact_person=outsider.pk, starts_on="inte ett datum")
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in field_error(response, "contact_person")
    assert field_error(response, "starts_on") == "Fyll i ett giltigt datum."
    assert _snapshot() == before


def test_mismatched_passwords_on_the_invitation_page(client, network, coordinator, org_church):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from networks import services
    from networks.tokens import invitation_token

    user = services.network_member_invite(
        network=network, email="ny@exempel.se", first_name="Ny", last_name="Person",
        organisation=org_church, role="participant", by=coordinator,
    ).user
    url = reverse("invitation_accept", args=[urlsafe_base64_encode(force_bytes(user.pk)), invitation_token.make_token(user)])
    response = client.post(url, {"new_password1": "ett långt bra lösenord", "new_password2": "ett annat långt lösenord"})
    assert response.status_code == 200
    assert field_error(response, "new_password2") == "De två lösenordsfälten stämmer inte överens."
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert NetworkInvitation.objects.get(user=user).accepted_at is None
