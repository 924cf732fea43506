"""Hostile values through the network pages and their GET filters (docs/security.md, promise 16):
``/katalog/?organisation=`` with an id beyond 64 bits answered 500 on SQLite; ``?parent=²``
passed ``str.isdigit`` and failed ``int()``. Each a 200 (the filter's message next to it) or a
message next to the form's field, and nothing changed. Run on SQLite and PostgreSQL."""

import pytest
from django.urls import reverse

from tests.hostile import (
    INVALID_CHOICE,
    LONG,
    NOT_IDS,
    NUL,
    TWENTY_DIGITS,
    database_state,
    error_next_to,
)

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

TOO_LONG = "Säkerställ att detta värde har som mest"


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_directory_filter_by_organisation_says_it_is_not_one(client_for, participant, value):
    response = client_for(participant).get(reverse("directory_search"), {"organisation": value})
    assert response.status_code == 200
    assert "Organisationen i adressen finns inte. Sökningen gäller alla organisationer." in response.content.decode()


@pytest.mark.parametrize("field", ["kommun", "age", "category", "organisation_kind", "page", "q"])
@pytest.mark.parametrize("value", [TWENTY_DIGITS, "abc", NUL, "-1", LONG])
def test_every_directory_filter_answers_200(client_for, participant, field, value):
    response = client_for(participant).get(reverse("directory_search"), {field: value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", NOT_IDS)
def test_query_strings_that_preselect_ignore_what_is_not_an_id(client_for, administrator, coordinator, value):
    assert client_for(administrator).get(reverse("network_create"), {"parent": value}).status_code == 200
    assert client_for(administrator).get(reverse("activity_create"), {"organisation": value}).status_code == 200
    assert client_for(coordinator).get(reverse("network_list"), {"page": value, "sida": value}).status_code == 200


@pytest.mark.parametrize("value", ["abc", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAx", "wrA", "AA", "--"])
def test_an_invitation_link_naming_no_id_is_404(client, value):
    """``MTIz…`` is "1234567890123456789012345" in base 64: beyond 64 bits; ``wrA`` is "²"."""
    assert client.get(reverse("invitation_accept", args=[value, "x-y"])).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("parent", TWENTY_DIGITS, INVALID_CHOICE),
        ("kommun", "abc", INVALID_CHOICE),
        ("lan", NUL, INVALID_CHOICE),
        ("coordinator_organisation", "²", INVALID_CHOICE),
        ("purpose", LONG, TOO_LONG),
    ],
)
def test_creating_a_network_refuses_hostile_values(client_for, administrator, org_kommun, field, value, message):
    data = {"kind": "local", "name": "Nytt nätverk", "kommun": "", "lan": "", "parent": "", "purpose": "",
            "coordinator_organisation": org_kommun.pk, field: value}
    client = client_for(administrator)
    before = database_state("networks")
    response = client.post(reverse("network_create"), data)
    assert response.status_code == 200
    assert message in error_next_to(response, field)
    assert database_state("networks") == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisation", TWENTY_DIGITS, INVALID_CHOICE),
        ("contact_person", "abc", INVALID_CHOICE),
        ("starts_on", "0001-01-01", "Datumet kan inte ligga före"),
        ("starts_on", "9999-12-31", "Datumet kan inte ligga mer än fem år fram"),
        ("note", LONG, TOO_LONG),
    ],
)
def test_a_stewardship_handover_refuses_hostile_values(client_for, coordinator, participant, network, org_church,
                                                       field, value, message):
    data = {"organisation": org_church.pk, "contact_person": participant.pk, "starts_on": "2025-09-01", "note": "",
            field: value}
    client = client_for(coordinator)
    before = database_state("networks")
    response = client.post(reverse("network_stewardship", args=[network.pk]), data)
    assert response.status_code == 200
    assert message in error_next_to(response, field)
    assert database_state("networks") == before


@pytest.mark.parametrize("value", [TWENTY_DIGITS, "abc", NUL, "-1"])
def test_inviting_a_member_from_a_hostile_organisation_is_refused(client_for, coordinator, network, value):
    client = client_for(coordinator)
    before = database_state("networks", "portal")
    response = client.post(reverse("network_member_invite", args=[network.pk]), {
        "email": "ny@exempel.se", "first_name": "Nora", "last_name": "Ny", "organisation": value, "title": "",
        "role": "participant",
    })
    assert response.status_code == 200
    assert INVALID_CHOICE in error_next_to(response, "organisation")
    assert database_state("networks", "portal") == before
