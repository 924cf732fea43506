"""Minutes that reach everyone (issue 21, part 3): publishing sends the latest revision to the
participants (present and excused, or every invitee by setting) exactly once through the outbox
- the outbox run twice sends nothing more - a new revision published afterwards is a correction,
"att göra till nästa gång" becomes the next meeting's agenda, audit rows, bad input and access."""

import email
from email import policy

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings
from django.urls import reverse

from meetings import minutes, services
from meetings.models import AgendaItem, Attendance, Invitation, MinutesRevision
from portal.models import AuditEvent, OutboundEmail
from portal.outbox import due_ids, send_rows

from ..audit_table import assert_audited
from .conftest import local
from .test_register import answer, held

pytestmark = pytest.mark.django_db

AT_MEETING = local(2026, 3, 10, 16)


@pytest.fixture
def people(network, coordinator, participant):
    from tests import factories as f

    return {
        "coordinator": coordinator,
        "participant": participant,  # says no in time: excused
        "late": f.MembershipFactory(network=network, user=f.UserFactory(email="sen@exempel.se")).user,
        "came": f.MembershipFactory(network=network, user=f.UserFactory(email="kom@exempel.se")).user,
    }


@pytest.fixture
def met(network, people, django_capture_on_commit_callbacks):
    """A meeting held 10 March 2026, its register kept, minutes written with follow-ups, and a
    next meeting in May; the clock is after the meeting."""
    c = people["coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        m = held(network, c, local(2026, 3, 10).date(), people=list(people.values()), title="Vårträffen")
        nxt = held(network, c, local(2026, 5, 12).date(), people=[c], title="Majträffen")
        services.agenda_set(meeting=nxt, by=c, items=[
            {"title": "Välkommen", "responsible": None, "responsible_name": "", "duration_minutes": 5}])
        answer(m, people["participant"], "no", local(2026, 3, 1, 9))
        answer(m, people["late"], "no", local(2026, 3, 9, 9))
    with time_machine.travel(AT_MEETING, tick=False):
        services.attendance_set(meeting=m, by=c, invitation_ids=list(
            Invitation.objects.filter(meeting=m, user__in=[c, people["came"]]).values_list("pk", flat=True)))
        services.attendance_add_walk_in(meeting=m, by=c, name="Gäst", email="gast@rodakorset.se")
        services.minutes_save(meeting=m, by=c, text="Vi gick igenom läget.",
                              follow_ups="- Bjud in skolan\n2. Boka lokal för hösten\n\n* Bjud in skolan")
        mail.outbox = []
        yield m, nxt


def publish(meeting, by, capture):
    with capture(execute=True):
        return minutes.minutes_publish(meeting=meeting, by=by)


def run_outbox_twice():
    """The sweeper and a second send of every row: nothing pending is left, nothing goes twice."""
    ids = list(OutboundEmail.objects.values_list("pk", flat=True))
    send_rows(ids)
    send_rows(ids)
    send_rows(due_ids())


def minutes_mail():
    return [m for m in mail.outbox if "innesanteckningar" in m.subject]


def test_publish_reaches_the_present_and_the_excused_once(met, people, django_capture_on_commit_callbacks):
    meeting, _ = met
    result = publish(meeting, people["coordinator"], django_capture_on_commit_callbacks)
    run_outbox_twice()
    sent = minutes_mail()
    assert sorted(m.to[0] for m in sent) == sorted([
        "samordnare@vaxjo.se", "kom@exempel.se", "gast@rodakorset.se",  # present
        "deltagare@kyrkan.se",  # "nej" in time: notice of absence
    ])  # not sen@exempel.se (a late "nej": absent)
    assert result.recipients == 4 and not result.correction
    msg = sent[0]
    assert msg.subject == "Minnesanteckningar från Vårträffen, 10 mars 2026"
    assert f"/moten/{meeting.pk}/" in msg.body and "Rättelse" not in msg.body
    [(name, html, mimetype)] = msg.attachments
    assert name == f"minnesanteckningar-{meeting.pk}-v1.html" and mimetype == "text/html"
    assert "Vi gick igenom läget." in html and "Bjud in skolan" in html
    rev = MinutesRevision.objects.get(meeting=meeting)
    assert rev.published_at is not None and rev.published_by == people["coordinator"]
    assert set(OutboundEmail.objects.filter(kind=minutes.KIND_MINUTES).values_list("status", flat=True)) == {"sent"}


def test_a_new_revision_is_published_as_a_correction_once(met, people, django_capture_on_commit_callbacks):
    meeting, _ = met
    c = people["coordinator"]
    publish(meeting, c, django_capture_on_commit_callbacks)
    run_outbox_twice()
    with pytest.raises(ValidationError, match="redan publicerad"):
        publish(meeting, c, django_capture_on_commit_callbacks)
    services.minutes_save(meeting=meeting, by=c, text="Vi gick igenom läget. Rättat datum.", follow_ups="")
    assert MinutesRevision.objects.get(meeting=meeting, number=1).text == "Vi gick igenom läget."  # never changed
    result = publish(meeting, c, django_capture_on_commit_callbacks)
    assert result.correction and result.revision.number == 2
    run_outbox_twice()
    run_outbox_twice()
    sent = minutes_mail()
    assert len(sent) == 8  # four people, two revisions, each once
    corrections = [m for m in sent if m.subject.startswith("Rättelse:")]
    assert len(corrections) == 4 and all("har rättats" in m.body for m in corrections)
    [(name, html, _)] = corrections[0].attachments
    assert name.endswith("-v2.html") and "Rättat datum." in html and "Rättelse" in html
    assert OutboundEmail.objects.filter(kind=minutes.KIND_MINUTES).values("period").distinct().count() == 2


@override_settings(MEETING_MINUTES_RECIPIENTS="invited")
def test_the_setting_sends_to_everyone_invited(met, people, django_capture_on_commit_callbacks):
    meeting, _ = met
    publish(meeting, people["coordinator"], django_capture_on_commit_callbacks)
    run_outbox_twice()
    assert sorted(m.to[0] for m in minutes_mail()) == sorted([
        "samordnare@vaxjo.se", "kom@exempel.se", "gast@rodakorset.se", "deltagare@kyrkan.se", "sen@exempel.se"])


@override_settings(MEETING_MINUTES_RECIPIENTS="alla")
def test_a_wrong_setting_is_refused(met, people, django_capture_on_commit_callbacks):
    with pytest.raises(ImproperlyConfigured):
        publish(met[0], people["coordinator"], django_capture_on_commit_callbacks)
    assert not MinutesRevision.objects.filter(published_at__isnull=False).exists()


def test_follow_ups_become_the_next_meetings_agenda_once(met, people, django_capture_on_commit_callbacks):
    meeting, nxt = met
    c = people["coordinator"]
    result = publish(meeting, c, django_capture_on_commit_callbacks)
    assert result.next_meeting == nxt and result.agenda_items == 2
    assert list(AgendaItem.objects.filter(meeting=nxt).values_list("position", "title")) == [
        (1, "Välkommen"), (2, "Bjud in skolan"), (3, "Boka lokal för hösten")]
    services.minutes_save(meeting=meeting, by=c, text="Rättat.", follow_ups="Bjud in skolan\nSkicka ut enkäten")
    assert publish(meeting, c, django_capture_on_commit_callbacks).agenda_items == 1
    assert AgendaItem.objects.filter(meeting=nxt).count() == 4
    assert AuditEvent.objects.filter(event="meeting.agenda_follow_ups_added", object_id=str(nxt.pk)).count() == 2


def test_follow_up_lines(met):
    long = "x" * 300
    items = minutes.follow_up_items(f"- a\n  • b \n3. c\n2026. \n\n{long}\n- a")
    assert items[:3] == ["a", "b", "c"] and items[3] == "2026." and len(items[4]) == 200 and len(items) == 5


def test_no_next_meeting_leaves_agendas_alone(network, people, met, django_capture_on_commit_callbacks):
    meeting, nxt = met
    nxt.delete()
    result = publish(meeting, people["coordinator"], django_capture_on_commit_callbacks)
    assert result.next_meeting is None and result.agenda_items == 0 and not AgendaItem.objects.exists()


def test_publish_is_audited_in_its_transaction(met, people, django_capture_on_commit_callbacks):
    meeting, _ = met
    c = people["coordinator"]
    rev = MinutesRevision.objects.get(meeting=meeting)
    _, row = assert_audited(lambda: publish(meeting, c, django_capture_on_commit_callbacks),
                            event="minutes.published", user=c, obj=rev, action=AuditEvent.Action.UPDATE)
    assert row.detail["revision"] == 1 and row.detail["recipients"] == 4 and row.detail["correction"] is False


def test_nothing_to_publish_before_the_meeting_or_without_minutes(network, people, met,
                                                                  django_capture_on_commit_callbacks):
    meeting, nxt = met
    c = people["coordinator"]
    with pytest.raises(ValidationError, match="först när mötet har börjat"):
        publish(nxt, c, django_capture_on_commit_callbacks)
    other = held(network, c, local(2026, 3, 3).date(), people=[c])
    with pytest.raises(ValidationError, match="Skriv minnesanteckningarna"):
        publish(other, c, django_capture_on_commit_callbacks)
    assert not OutboundEmail.objects.filter(kind=minutes.KIND_MINUTES).exists()
    assert not AuditEvent.objects.filter(event="minutes.published").exists()


def test_a_cancelled_meeting_sends_nothing_already_recorded(met, people, django_capture_on_commit_callbacks):
    """Published, then the meeting is cancelled before the outbox ran: the renderer drops it."""
    meeting, _ = met
    with django_capture_on_commit_callbacks(execute=False):
        minutes.minutes_publish(meeting=meeting, by=people["coordinator"])
    type(meeting).objects.filter(pk=meeting.pk).update(status="cancelled", cancelled_at=AT_MEETING)
    run_outbox_twice()
    assert minutes_mail() == []


def test_the_mail_carries_no_answer_links_and_is_valid_mime(met, people, django_capture_on_commit_callbacks):
    meeting, _ = met
    publish(meeting, people["coordinator"], django_capture_on_commit_callbacks)
    run_outbox_twice()
    msg = minutes_mail()[0]
    parsed = email.message_from_bytes(msg.message().as_bytes(), policy=policy.default)
    types = [p.get_content_type() for p in parsed.walk()]
    assert "text/plain" in types and "text/html" in types and "text/calendar" not in types
    assert "svar=ja" not in msg.body and "Sista svarsdag" not in msg.body


# --- the page ------------------------------------------------------------------------------------


def test_publish_page_for_the_coordinator(client, met, people):
    meeting, nxt = met
    client.force_login(people["coordinator"])
    url = reverse("meeting_minutes_publish", args=[meeting.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "4 deltagare" in body and "Majträffen" in body
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("meeting_detail", args=[meeting.pk])
    again = client.post(url, follow=True)
    assert "redan publicerad" in again.content.decode()
    assert MinutesRevision.objects.filter(published_at__isnull=False).count() == 1


def test_publish_page_is_404_for_others_and_changes_nothing(client, met, people, outsider):
    meeting, _ = met
    url = reverse("meeting_minutes_publish", args=[meeting.pk])
    for user in (people["participant"], people["came"], outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not MinutesRevision.objects.filter(published_at__isnull=False).exists()
    assert not OutboundEmail.objects.filter(kind=minutes.KIND_MINUTES).exists()
    assert Attendance.objects.count() == 3
    assert not AgendaItem.objects.filter(title="Bjud in skolan").exists()


def test_editing_after_publishing_is_a_new_revision(client, met, people, django_capture_on_commit_callbacks):
    meeting, _ = met
    publish(meeting, people["coordinator"], django_capture_on_commit_callbacks)
    client.force_login(people["coordinator"])
    response = client.post(reverse("meeting_minutes", args=[meeting.pk]), {"text": "Ny text", "follow_ups": ""})
    assert response.status_code == 302
    revisions = MinutesRevision.objects.filter(meeting=meeting).order_by("number")
    assert [(r.number, r.published_at is None) for r in revisions] == [(1, False), (2, True)]
    detail = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "inte publicerad" in detail
