"""The one-click answer behind the e-mails' links: a public page whose token is the key. GET shows
the question and changes nothing (link scanners open links); only POSTing a button answers. A
professional's page shows no child data; a guardian's the child's first name, the time, the place
and who is invited. A removed team member, or one whose organisation's consent was withdrawn,
gets 404 — and no more reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from childplans import services as plan_services
from childplans.models import PlanChange, TeamMember
from childplans.teammeetings import services
from childplans.teammeetings.models import AnswerToken, Invitee, TeamMeeting
from meetings.models import new_token
from portal.models import AuditEvent, OutboundEmail

from ..conftest import CHILD_FAMILY, CHILD_GIVEN, CHILD_PNR, SECRETS
from .helpers import PLACE, call, hold

pytestmark = pytest.mark.django_db


def link(meeting, invitee, answer="ja"):
    raw, digest = new_token()
    AnswerToken.objects.create(invitee=invitee, token_hash=digest)
    return f"/barnteam/{meeting.pk}/svara/{raw}/?svar={answer}"


@pytest.fixture
def meeting(full_plan, contact, guardian, deacon):
    return call(full_plan["plan"], contact, guardians=[guardian])


def invitee_of(meeting, user=None, guardian=None):
    if guardian is not None:
        return Invitee.objects.get(meeting=meeting, guardian=guardian)
    return Invitee.objects.get(meeting=meeting, team_member__user=user)


def counts():
    return Invitee.objects.filter(response="pending").count(), PlanChange.objects.count(), AuditEvent.objects.count()


def test_a_professionals_page_shows_no_child_data_and_get_changes_nothing(client, meeting, teacher):
    url = link(meeting, invitee_of(meeting, teacher))
    before = counts()
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("no-store")
    body = response.content.decode()
    assert "Möte om en plan i Barnstödsportalen" in body and PLACE in body and "Lars Lärare" in body
    for secret in [*SECRETS, "Dagny Diakon", "Oro för skolfrånvaro"]:
        assert secret not in body, secret
    assert counts() == before, "a GET (a link scanner) answers nothing and writes nothing"
    response = client.post(url.split("?")[0], {"response": "yes"})
    assert response.status_code == 200 and "Du har svarat att du kommer." in response.content.decode()
    assert invitee_of(meeting, teacher).response == "yes"
    assert AuditEvent.objects.filter(event="teammeeting.answered", user=teacher, plan_id=meeting.plan_id).count() == 1


def test_a_guardians_page_shows_the_first_name_and_who_is_invited(client, meeting, guardian, teacher):
    url = link(meeting, invitee_of(meeting, guardian=guardian), "nej")
    response = client.get(url)
    body = response.content.decode()
    assert f"Möte om {CHILD_GIVEN}s plan" in body
    assert CHILD_FAMILY not in body and CHILD_PNR not in body
    assert "Lars Lärare, Fagrabäcksskolan" in body and "Dagny Diakon" in body and "Karin Kontaktperson" in body
    viewed = AuditEvent.objects.get(event="teammeeting.answer_page")
    assert viewed.plan_id == meeting.plan_id and viewed.user_id is None and viewed.detail["invitee"] == "guardian"
    client.post(url.split("?")[0], {"response": "no"})
    assert invitee_of(meeting, guardian=guardian).response == "no"


def test_a_missing_choice_is_a_swedish_message(client, meeting, teacher):
    url = link(meeting, invitee_of(meeting, teacher)).split("?")[0]
    response = client.post(url, {"response": "kanske"})
    assert response.status_code == 200 and "Välj ett giltigt alternativ" in response.content.decode()
    assert invitee_of(meeting, teacher).response == "pending"


@pytest.mark.parametrize("how", ["tampered", "other_meeting", "cancelled", "over", "closed_plan"])
def test_links_that_no_longer_work_are_404(client, full_plan, meeting, contact, teacher, how):
    url = link(meeting, invitee_of(meeting, teacher))
    if how == "tampered":
        url = url.replace("/svara/", "/svara/x")
    elif how == "other_meeting":
        other = call(full_plan["plan"], contact)
        url = url.replace(f"/barnteam/{meeting.pk}/", f"/barnteam/{other.pk}/")
    elif how == "cancelled":
        services.meeting_cancel(plan=full_plan["plan"], meeting=meeting, by=contact)
    elif how == "over":
        hold(meeting)
    elif how == "closed_plan":
        plan_services.plan_close(plan=full_plan["plan"], by=contact, reason="Klart.")
    before = counts()
    assert client.get(url).status_code == 404
    assert client.post(url.split("?")[0], {"response": "yes"}).status_code == 404
    assert counts() == before


@pytest.mark.parametrize("how", ["removed", "consent_withdrawn", "left_the_organisation"])
def test_a_member_who_left_the_team_gets_404_and_no_reminders(client, full_plan, meeting, contact, teacher, how):
    plan = full_plan["plan"]
    url = link(meeting, invitee_of(meeting, teacher))
    assert client.get(url).status_code == 200
    if how == "removed":
        plan_services.team_remove(plan=plan, member=TeamMember.objects.get(plan=plan, user=teacher), by=contact)
    elif how == "consent_withdrawn":
        plan_services.consent_withdraw(plan=plan, consent=full_plan["consent"], by=contact,
                                       withdrawn_on=timezone.localdate())
    else:
        from networks.models import OrganisationMembership

        OrganisationMembership.objects.filter(user=teacher).delete()
    assert client.get(url).status_code == 404
    assert client.post(url.split("?")[0], {"response": "yes"}).status_code == 404
    assert invitee_of(meeting, teacher).response == "pending"
    TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(hours=20),
                                                     ends_at=timezone.now() + timedelta(hours=21))
    services.reminders_due()
    reminded = OutboundEmail.objects.filter(kind__startswith="teammeeting_reminder").values_list("recipient", flat=True)
    assert teacher.email not in reminded and reminded


def test_a_logged_in_professional_without_two_step_can_answer_too(client, meeting, teacher):
    """The page is outside the two-step requirement (its token is the key, it shows no child
    data to a professional)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=teacher).delete()
    client.force_login(teacher)
    url = link(meeting, invitee_of(meeting, teacher))
    assert client.get(url).status_code == 200
