"""The public answer page behind the e-mail links: GET never changes anything, only the
button's POST records an answer; tampered, foreign or expired links answer 404."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from meetings import services
from meetings.models import Invitation, Meeting

from .conftest import answer_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def links(invited, participant):
    msg = next(m for m in mail.outbox if m.to == [participant.email])
    return answer_urls(msg)


def test_get_shows_the_question_and_changes_nothing(client, invited, participant, links):
    yes_url, _no = links
    for _ in range(3):  # a mail scanner opening the link, repeatedly
        response = client.get(yes_url)
        assert response.status_code == 200
    assert "Skicka mitt svar" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    inv = Invitation.objects.get(meeting=invited, user=participant)
    assert inv.response == "pending" and inv.responded_at is None
    # The link's choice is preselected.
    assert re.search(r'<input[^>]*value="yes"[^>]*checked', response.content.decode())
    assert not re.search(r'<input[^>]*value="no"[^>]*checked', response.content.decode())
    assert re.search(r'<input[^>]*value="no"[^>]*checked', client.get(_no).content.decode())


def test_post_records_the_answer_without_login(client, invited, participant, links,
                                                django_capture_on_commit_callbacks):
    yes_url, no_url = links
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(yes_url, {"response": "yes", "comment": "Rullstol"})
    assert response.status_code == 200
    assert "Tack! Du är anmäld" in response.content.decode()
    inv = Invitation.objects.get(meeting=invited, user=participant)
    assert (inv.response, inv.comment) == ("yes", "Rullstol")
    # The same link changes the answer later.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(no_url, {"response": "no", "decline_reason": "Sjuk"})
    inv.refresh_from_db()
    assert (inv.response, inv.decline_reason) == ("no", "Sjuk")


@pytest.mark.parametrize("mutate", ["tamper", "foreign", "garbage"])
def test_bad_links_are_404_and_change_nothing(client, invited, network, coordinator, participant, links, mutate,
                                              django_capture_on_commit_callbacks):
    yes_url, _no = links
    token = yes_url.split("/svara/")[1].split("/")[0]
    if mutate == "tamper":
        url = yes_url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    elif mutate == "foreign":
        other = services.meeting_schedule(
            network=network, by=coordinator, title="Annat", starts_at=invited.starts_at + timedelta(days=1),
            ends_at=invited.ends_at + timedelta(days=1), place="Där",
        )
        url = yes_url.replace(f"/moten/{invited.pk}/", f"/moten/{other.pk}/")
    else:
        url = f"/moten/{invited.pk}/svara/x/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"response": "yes"}).status_code == 404
    assert Invitation.objects.get(meeting=invited, user=participant).response == "pending"


@pytest.mark.parametrize("state", ["over", "cancelled"])
def test_links_stop_working_after_the_meeting_or_cancellation(client, invited, coordinator, participant, links, state):
    yes_url, _no = links
    if state == "over":
        Meeting.objects.filter(pk=invited.pk).update(
            starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
        )
    else:
        services.meeting_cancel(meeting=invited, by=coordinator)
    assert client.get(yes_url).status_code == 404
    assert client.post(yes_url, {"response": "yes"}).status_code == 404
    assert Invitation.objects.get(meeting=invited, user=participant).response == "pending"


def test_post_without_csrf_token_is_refused(invited, participant, links):
    from django.test import Client

    yes_url, _no = links
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post(yes_url, {"response": "yes"}).status_code == 403
    assert Invitation.objects.get(meeting=invited, user=participant).response == "pending"
