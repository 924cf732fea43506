"""Meeting pages from the outside: who may reach what (404 and nothing changed for others),
bad input with Swedish messages next to the field, and each coordinator page doing its job."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from meetings import selectors, services
from meetings.models import Attendance, CalendarFeed, Invitation, Meeting, MinutesRevision
from meetings.views.attendance import checkin_token
from portal.models import AuditEvent
from tests import factories as f

from .conftest import future

pytestmark = pytest.mark.django_db

COORDINATOR_ROUTES = [
    ("meeting_create", "network"), ("meeting_defaults", "network"), ("meeting_update", "meeting"),
    ("meeting_cancel", "meeting"), ("meeting_close", "meeting"), ("meeting_agenda", "meeting"),
    ("meeting_invite", "meeting"), ("meeting_answers", "meeting"), ("meeting_answers_csv", "meeting"),
    ("meeting_attendance", "meeting"), ("meeting_attendance_csv", "meeting"), ("meeting_signin_sheet", "meeting"),
    ("meeting_minutes", "meeting"), ("meeting_checkin_qr", "meeting"),
]
MEMBER_ROUTES = [("network_meetings", "network"), ("meeting_detail", "meeting"), ("meeting_ics", "meeting")]


def url_for(name, target, meeting):
    if target == "network":
        return reverse(name, kwargs={"network_pk": meeting.network_id})
    return reverse(name, kwargs={"pk": meeting.pk})


def snapshot(meeting):
    m = Meeting.objects.get(pk=meeting.pk)
    return (m.title, m.status, m.starts_at, m.sequence, Meeting.objects.count(), Invitation.objects.count(),
            Attendance.objects.count(), MinutesRevision.objects.count())


POST_DATA = {"title": "Kapad", "action": "send", "response": "yes", "text": "x", "present": "1"}


@pytest.mark.parametrize(("name", "target"), COORDINATOR_ROUTES + MEMBER_ROUTES)
def test_anonymous_is_sent_to_login(client, invited, name, target):
    url = url_for(name, target, invited)
    for response in (client.get(url), client.post(url, POST_DATA)):
        assert response.status_code == 302 and "/konto/login/" in response["Location"]


@pytest.mark.parametrize(("name", "target"), COORDINATOR_ROUTES + MEMBER_ROUTES + [("meeting_my_answer", "meeting")])
def test_outsider_gets_404_and_nothing_changes(client_for, invited, outsider, name, target):
    client = client_for(outsider)
    before = snapshot(invited)
    url = url_for(name, target, invited)
    assert client.get(url).status_code == 404
    assert client.post(url, POST_DATA).status_code == 404
    assert snapshot(invited) == before
    assert len([m for m in mail.outbox if m.to == [outsider.email]]) == 0


@pytest.mark.parametrize(("name", "target"), COORDINATOR_ROUTES)
def test_participant_gets_404_on_coordinator_pages(client_for, invited, participant, name, target):
    client = client_for(participant)
    before = snapshot(invited)
    url = url_for(name, target, invited)
    assert client.get(url).status_code == 404
    assert client.post(url, POST_DATA).status_code == 404
    assert snapshot(invited) == before


def test_participant_sees_the_meeting_and_number_coming_but_not_comments(client_for, invited, coordinator, participant):
    inv = Invitation.objects.get(meeting=invited, user=coordinator)
    services.invitation_answer(invitation=inv, response="yes", comment="Glutenfritt tack")
    response = client_for(participant).get(reverse("meeting_detail", args=[invited.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nätverksträff om ANDTS" in body and "Glutenfritt" not in body
    assert re.search(r"<dt[^>]*>Kommer</dt><dd[^>]*>1", body)


@pytest.mark.parametrize(("name", "target"), COORDINATOR_ROUTES + MEMBER_ROUTES)
def test_coordinator_reaches_every_page(client_for, invited, coordinator, name, target):
    if name in ("meeting_close",):
        return  # POST only
    response = client_for(coordinator).get(url_for(name, target, invited))
    assert response.status_code == 200, name


def test_administrator_sees_but_cannot_plan(client_for, invited, administrator):
    client = client_for(administrator)
    assert client.get(reverse("meeting_detail", args=[invited.pk])).status_code == 200
    assert client.get(reverse("meeting_answers", args=[invited.pk])).status_code == 404


def meeting_post(**overrides):
    starts = future(20)
    data = {
        "title": "Höstträff", "kind": "natverkstraff", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "place": "Kyrkan",
        "video_url": "", "description": "", "rsvp_deadline": (starts - timedelta(days=7)).strftime("%Y-%m-%d"),
        "capacity": "", "cost_note": "Kostnadsfritt.", "remind_unanswered_days": "3", "remind_attending_days": "1",
    }
    data.update(overrides)
    return data


def test_coordinator_plans_a_meeting(client_for, network, coordinator, topics):
    client = client_for(coordinator)
    page = client.get(reverse("meeting_create", args=[network.pk])).content.decode()
    assert "Kostnadsfritt. Deltagarna står själva för sina resekostnader." in page
    response = client.post(reverse("meeting_create", args=[network.pk]), meeting_post(topics=[topics[0].pk]))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert meeting.local_start.hour == future(20).hour  # entered in Swedish time
    assert list(meeting.topics.all()) == [topics[0]]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": future(20, hour=10).strftime("%Y-%m-%dT%H:%M")}, "Mötet måste sluta efter att det börjar."),
        ({"rsvp_deadline": (future(25)).strftime("%Y-%m-%d")}, "Sista svarsdag kan inte vara efter mötesdagen."),
        ({"title": ""}, "Detta fält måste fyllas i."),
        ({"place": "", "video_url": ""}, "Ange en plats, en videolänk eller båda."),
    ],
)
def test_bad_input_gives_a_swedish_message_and_saves_nothing(client_for, network, coordinator, overrides, message):
    response = client_for(coordinator).post(reverse("meeting_create", args=[network.pk]), meeting_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not Meeting.objects.exists()


def test_capacity_below_number_coming_is_refused(client_for, invited, coordinator, participant):
    for user in (coordinator, participant):
        services.invitation_answer(invitation=Invitation.objects.get(meeting=invited, user=user), response="yes")
    before = snapshot(invited)
    data = meeting_post(
        title=invited.title, starts_at=invited.local_start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=invited.local_end.strftime("%Y-%m-%dT%H:%M"), rsvp_deadline=str(invited.rsvp_deadline),
        place=invited.place, capacity="1",
    )
    response = client_for(coordinator).post(reverse("meeting_update", args=[invited.pk]), data)
    assert response.status_code == 200
    assert "2 personer har redan tackat ja. Antalet platser kan inte vara färre än så." in response.content.decode()
    assert snapshot(invited) == before and Meeting.objects.get(pk=invited.pk).capacity is None


def test_invite_review_then_send(client_for, meeting, coordinator, participant, django_capture_on_commit_callbacks):
    client = client_for(coordinator)
    url = reverse("meeting_invite", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert participant.email in page and coordinator.email in page
    # A bad guest address: message next to the field, nothing sent.
    response = client.post(url, {"guests": "gast@exempel.se\nnej tack", "action": "send",
                                 "invitee": [participant.pk]})
    assert "Rad 2: ”nej tack” är inte en e-postadress." in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []
    # Only the ticked member and the guest are invited.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"guests": "gast@exempel.se; Greta", "action": "send", "invitee": [participant.pk]})
    assert response.status_code == 302
    assert sorted(Invitation.objects.values_list("email", flat=True)) == ["deltagare@kyrkan.se", "gast@exempel.se"]
    assert sorted(m.to[0] for m in mail.outbox) == ["deltagare@kyrkan.se", "gast@exempel.se"]


def test_answer_in_the_portal_and_dashboard_partial(client_for, invited, participant,
                                                    django_capture_on_commit_callbacks):
    client = client_for(participant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meeting_my_answer", args=[invited.pk]),
                               {"response": "yes", "comment": "Hörslinga", "next": reverse("dashboard")})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    inv = Invitation.objects.get(meeting=invited, user=participant)
    assert (inv.response, inv.comment) == ("yes", "Hörslinga")
    html = render_to_string("meetings/_dashboard_upcoming.html", {
        "upcoming_meetings": selectors.upcoming_meetings_for(participant), "user": participant,
    })
    assert "Nätverksträff om ANDTS" in html and "Kommer" in html and "Jag kan inte komma" in html


def test_coordinator_answers_list_and_csv(client_for, invited, coordinator, participant):
    services.invitation_answer(invitation=Invitation.objects.get(meeting=invited, user=participant),
                               response="no", decline_reason="Semester")
    client = client_for(coordinator)
    page = client.get(reverse("meeting_answers", args=[invited.pk])).content.decode()
    assert "Semester" in page and "Kommer inte" in page
    response = client.get(reverse("meeting_answers_csv", args=[invited.pk]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "deltagare@kyrkan.se" in text and "Semester" in text
    assert AuditEvent.objects.filter(action="export", object_id=str(invited.pk)).count() == 1


def test_csv_neutralises_formulas(client_for, invited, coordinator, participant):
    services.invitation_answer(invitation=Invitation.objects.get(meeting=invited, user=participant),
                               response="yes", comment="=HYPERLINK(\"http://x\")")
    text = client_for(coordinator).get(reverse("meeting_answers_csv", args=[invited.pk])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_attendance_walk_in_sheet_and_representation(client_for, invited, coordinator, participant):
    Meeting.objects.filter(pk=invited.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(minutes=5)
    )
    inv = Invitation.objects.get(meeting=invited, user=participant)
    client = client_for(coordinator)
    url = reverse("meeting_attendance", args=[invited.pk])
    client.post(url, {"action": "invitations", "present": [inv.pk]})
    response = client.post(url, {"action": "walk_in", "name": "", "email": "fel"})
    assert "Detta fält måste fyllas i." in response.content.decode()
    client.post(url, {"action": "walk_in", "name": "Polis Pelle", "organisation_name": "Polisen Växjö"})
    assert sorted(Attendance.objects.values_list("name", flat=True)) == ["Per Präst", "Polis Pelle"]
    csv_text = client.get(reverse("meeting_attendance_csv", args=[invited.pk])).content.decode("utf-8-sig")
    assert "Polis Pelle" in csv_text and "Kyrka/församling" in csv_text
    detail = client_for(participant).get(reverse("meeting_detail", args=[invited.pk])).content.decode()
    assert "Vilka var representerade" in detail and "2 personer deltog" in detail


def test_minutes_have_revisions_and_are_shared(client_for, invited, coordinator, participant):
    client = client_for(coordinator)
    url = reverse("meeting_minutes", args=[invited.pk])
    assert "Detta fält måste fyllas i." in client.post(url, {"text": ""}).content.decode()
    client.post(url, {"text": "Första versionen", "follow_ups": ""})
    client.post(url, {"text": "Andra versionen", "follow_ups": "Boka lokal"})
    assert list(MinutesRevision.objects.values_list("number", flat=True).order_by("number")) == [1, 2]
    page = client_for(participant).get(reverse("meeting_detail", args=[invited.pk])).content.decode()
    assert "Andra versionen" in page and "Boka lokal" in page and "Första versionen" not in page


def test_qr_check_in(client_for, invited, coordinator, participant):
    qr = client_for(coordinator).get(reverse("meeting_checkin_qr", args=[invited.pk])).content.decode()
    assert "<svg" in qr and 'width="400"' in qr and checkin_token(invited) in qr
    client = client_for(participant)
    url = reverse("meeting_checkin", args=[invited.pk, checkin_token(invited)])
    assert client.get(url).status_code == 200
    client.post(url)  # not open yet: two weeks ahead
    assert not Attendance.objects.exists()
    Meeting.objects.filter(pk=invited.pk).update(starts_at=timezone.now() - timedelta(minutes=10),
                                                 ends_at=timezone.now() + timedelta(hours=1))
    assert client.get(reverse("meeting_checkin", args=[invited.pk, "fel" * 10])).status_code == 404
    assert client.post(reverse("meeting_checkin", args=[invited.pk, "fel" * 10])).status_code == 404
    assert client.get(url).status_code == 200 and not Attendance.objects.exists()
    client.post(url)
    client.post(url)
    att = Attendance.objects.get()
    assert (att.user, att.source, att.invitation.user) == (participant, "checkin", participant)


def test_calendar_feed_create_use_revoke(client, client_for, invited, participant):
    c = client_for(participant)
    c.post(reverse("calendar_feed_settings"), {"action": "renew"})
    page = c.get(reverse("calendar_feed_settings")).content.decode()
    feed_url = re.search(r'value="(http://testserver/kalender/[^"]+\.ics)"', page).group(1)
    assert feed_url not in c.get(reverse("calendar_feed_settings")).content.decode()  # shown once
    path = feed_url.replace("http://testserver", "")
    c.logout()
    response = client.get(path)
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content and b"PARTSTAT=NEEDS-ACTION" in response.content
    assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    c = client_for(participant)
    c.post(reverse("calendar_feed_settings"), {"action": "revoke"})
    assert not CalendarFeed.objects.exists()
    c.logout()
    assert client.get(path).status_code == 404


def test_network_meetings_page_groups_by_term_and_flags_a_missing_one(client_for, network, coordinator, participant):
    client = client_for(participant)
    body = client.get(reverse("network_meetings", args=[network.pk])).content.decode()
    term, year = selectors.current_term()
    assert f"Nätverket har inget möte planerat {term} {year}." in body
    start = timezone.now() + timedelta(minutes=1)  # in the current term
    services.meeting_schedule(network=network, by=coordinator, title="Terminsträff", starts_at=start,
                              ends_at=start + timedelta(minutes=50), place="Här")
    body = client.get(reverse("network_meetings", args=[network.pk])).content.decode()
    assert "Terminsträff" in body and "inget möte planerat" not in body
    other = f.LocalNetworkFactory()
    assert client.get(reverse("network_meetings", args=[other.pk])).status_code == 404


def test_coordinator_removes_an_invitation_from_the_answers_list(client_for, invited, coordinator, participant):
    inv = Invitation.objects.get(meeting=invited, user=participant)
    page = client_for(coordinator).get(reverse("meeting_answers", args=[invited.pk])).content.decode()
    action = reverse("meeting_invitation_remove", args=[invited.pk])
    assert f'action="{action}"' in page and f'name="invitation" value="{inv.pk}"' in page
    response = client_for(coordinator).post(action, {"invitation": inv.pk})
    assert response.status_code == 302
    assert not Invitation.objects.filter(pk=inv.pk).exists()
    other = Invitation.objects.get(meeting=invited, user=coordinator)
    assert client_for(participant).post(action, {"invitation": other.pk}).status_code == 404
    assert Invitation.objects.filter(pk=other.pk).exists()
    for bad in ("", "x", str(2**64), "999999"):
        assert client_for(coordinator).post(action, {"invitation": bad}).status_code == 404, bad
    assert Invitation.objects.filter(pk=other.pk).exists()
