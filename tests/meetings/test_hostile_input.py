"""Hostile values through the meeting pages (docs/security.md, promise 16): a meeting's topics
(an id beyond 64 bits answered 500 on SQLite), its start and answer deadline (the year 1 was
kept), a non-number among the invitees at /moten/N/bjud-in/ (ValueError from int()), the
answers page's search (a NUL byte), the attendance list — each a Swedish message, a 200 or a
404, and nothing changed. Run on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.urls import reverse

from meetings.models import Attendance, Invitation, Meeting
from tests.hostile import (
    INVALID_CHOICE,
    LONG,
    NOT_IDS,
    NUL,
    SCRIPT,
    TWENTY_DIGITS,
    database_state,
    error_next_to,
)

from .conftest import future

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

MEETING_BACK = "Ett möte kan inte ligga mer än tre år bakåt"
MEETING_AHEAD = "Ett möte kan inte ligga mer än tre år fram"
TOO_LONG = "Säkerställ att detta värde har som mest"


def meeting_post(**overrides):
    starts = future(20)
    return {
        "title": "Höstträff", "kind": "natverkstraff", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "place": "Kyrkan",
        "video_url": "", "description": "", "rsvp_deadline": (starts - timedelta(days=7)).strftime("%Y-%m-%d"),
        "capacity": "", "cost_note": "Kostnadsfritt.", "remind_unanswered_days": "3", "remind_attending_days": "1",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("topics", [TWENTY_DIGITS], INVALID_CHOICE),
        ("topics", ["abc"], INVALID_CHOICE),
        ("topics", [NUL], INVALID_CHOICE),
        ("starts_at", "0001-01-01T00:30", MEETING_BACK),
        ("ends_at", "9999-12-31T23:59", MEETING_AHEAD),
        ("rsvp_deadline", "0001-01-01", MEETING_BACK),
        ("rsvp_deadline", "9999-12-31", MEETING_AHEAD),
        ("description", LONG, TOO_LONG),
        ("cost_note", LONG, TOO_LONG),
        ("capacity", TWENTY_DIGITS, "Kontrollera att detta värde är mindre än eller lika med"),
        ("remind_unanswered_days", TWENTY_DIGITS, "Kontrollera att detta värde är mindre än eller lika med"),
    ],
)
def test_planning_a_meeting_refuses_hostile_values_next_to_the_field(client_for, network, coordinator, topics,
                                                                    field, value, message):
    client = client_for(coordinator)
    before = database_state()
    response = client.post(reverse("meeting_create", args=[network.pk]), meeting_post(**{field: value}))
    assert response.status_code == 200
    assert message in error_next_to(response, field)
    assert database_state() == before
    assert not Meeting.objects.exists()


def test_the_answer_deadline_must_be_before_the_meeting(client_for, network, coordinator, topics):
    response = client_for(coordinator).post(
        reverse("meeting_create", args=[network.pk]), meeting_post(rsvp_deadline=future(25).strftime("%Y-%m-%d"))
    )
    assert "Sista svarsdag kan inte vara efter mötesdagen." in error_next_to(response, "rsvp_deadline")


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_hostile_invitee_gets_a_message_and_invites_nobody(client_for, meeting, coordinator, participant, value):
    """Was: ValueError from int() in the service (a 500)."""
    client = client_for(coordinator)
    before = database_state()
    response = client.post(reverse("meeting_invite", args=[meeting.pk]),
                           {"action": "send", "guests": "", "invitee": [participant.pk, value]})
    assert response.status_code == 200
    assert INVALID_CHOICE in response.content.decode()
    assert database_state() == before
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("value", [NUL, LONG, "a" * 101])
def test_the_answers_search_says_what_is_wrong_next_to_it(client_for, invited, coordinator, value):
    """A NUL byte in ``?q=`` reached the database (PostgreSQL refuses it: a 500)."""
    response = client_for(coordinator).get(reverse("meeting_answers", args=[invited.pk]), {"q": value})
    assert response.status_code == 200
    assert error_next_to(response, "q")
    assert response.context["paginator"].count == Invitation.objects.filter(meeting=invited).count()


@pytest.mark.parametrize("value", [SCRIPT, TWENTY_DIGITS, NUL, "yes"])
def test_the_answers_filter_ignores_a_foreign_answer(client_for, invited, coordinator, value):
    response = client_for(coordinator).get(reverse("meeting_answers", args=[invited.pk]), {"svar": value, "page": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", NOT_IDS)
def test_removing_a_hostile_invitation_is_404(client_for, invited, coordinator, value):
    client = client_for(coordinator)
    before = database_state()
    response = client.post(reverse("meeting_invitation_remove", args=[invited.pk]), {"invitation": value})
    assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize("value", NOT_IDS)
def test_hostile_attendance_changes_nothing(client_for, invited, coordinator, value):
    Meeting.objects.filter(pk=invited.pk).update(starts_at=future(0, hour=0), ends_at=future(0, hour=23))
    client = client_for(coordinator)
    url = reverse("meeting_attendance", args=[invited.pk])
    inv = Invitation.objects.filter(meeting=invited).first()
    before = database_state()
    response = client.post(url, {"action": "invitations", "present": [inv.pk, value]}, follow=True)
    assert response.status_code == 200
    assert INVALID_CHOICE in response.content.decode()
    assert client.post(url, {"action": "remove", "attendance": value}).status_code == 404
    assert database_state() == before
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("value", [TWENTY_DIGITS, "abc", NUL])
def test_a_walk_in_from_a_hostile_organisation_is_refused(client_for, invited, coordinator, value):
    Meeting.objects.filter(pk=invited.pk).update(starts_at=future(0, hour=0), ends_at=future(0, hour=23))
    client = client_for(coordinator)
    before = database_state()
    response = client.post(reverse("meeting_attendance", args=[invited.pk]),
                           {"action": "walk_in", "name": "Greta Gäst", "organisation": value})
    assert response.status_code == 200
    assert INVALID_CHOICE in error_next_to(response, "organisation")
    assert database_state() == before
