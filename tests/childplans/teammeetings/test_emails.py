"""The team meeting's e-mails (docs/security.md 7): every e-mail to a professional — subject, text,
HTML and calendar file — holds no child data (no name, no personnummer, no reason, nothing of the
plan), only "Möte om en plan i Barnstödsportalen", the time and place and links; the guardians'
e-mails carry the child's first name only. The outbox's subject column stays empty and its rows
and the tasks carry no guardian address beyond the recipient column, no child name."""

import inspect
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from childplans import services as plan_services
from childplans.teammeetings import services, tasks
from childplans.teammeetings.emails import genitive
from childplans.teammeetings.models import AnswerToken, Invitee, TeamMeeting
from meetings.models import hash_token
from portal import tasks as portal_tasks
from portal.models import OutboundEmail

from ..conftest import CHILD_FAMILY, CHILD_GIVEN, CHILD_PNR, GUARDIAN_EMAIL, SECRETS
from .conftest import body_of, calendar_of
from .helpers import PLACE, at, call, hold

pytestmark = pytest.mark.django_db

# Child data that a professional's e-mail must never hold (the name, the personnummer, the
# guardian, the reason, the plan's goals and actions).
PLAN_SECRETS = [*SECRETS, "Oro för skolfrånvaro", "Tindra går till skolan", "Samtal varje vecka", GUARDIAN_EMAIL]
LINK = re.compile(r"http://testserver/barnteam/(\d+)/svara/([^/\s\"<>]+)/\?svar=ja")


@pytest.fixture
def every_kind(full_plan, contact, teacher, deacon, guardian, django_capture_on_commit_callbacks):
    """One e-mail of every kind, sent through the outbox (eager Celery, mail.outbox)."""
    plan = full_plan["plan"]
    with django_capture_on_commit_callbacks(execute=True):
        meeting = call(plan, contact, days=1, guardians=[guardian])  # tomorrow: both reminders due
    with django_capture_on_commit_callbacks(execute=True):
        start = at(1, hour=15)
        services.meeting_update(plan=plan, meeting=meeting, by=contact, starts_at=start,
                                ends_at=start + timedelta(hours=1), place="Familjecentralen")
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_due()
    with django_capture_on_commit_callbacks(execute=True):
        other = call(plan, contact, days=5, guardians=[guardian])
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(plan=plan, meeting=other, by=contact)
    hold(meeting, hours_ago=24 * 4)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_due()  # the open minutes
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_close(plan=plan, meeting=meeting, by=contact, decisions="Tindra får läxhjälp.",
                               child_took_part="ja", guardians_know_plan=True, send_summary=True,
                               guardian_summary="Tindra får läxhjälp två gånger i veckan.")
    return {"meeting": meeting, "cancelled": other, "plan": plan}


def kinds_sent():
    return set(OutboundEmail.objects.filter(status="sent").values_list("kind", flat=True))


def test_every_kind_is_sent(every_kind):
    assert kinds_sent() == {
        services.KIND_INVITATION, services.KIND_CHANGED, services.KIND_CANCELLED, services.KIND_REMIND_UNANSWERED,
        services.KIND_REMIND_DAY_BEFORE, services.KIND_MINUTES_DUE, services.KIND_MINUTES_READY,
        services.KIND_GUARDIAN_SUMMARY,
    }


def test_no_email_to_a_professional_holds_child_data(every_kind, contact, teacher, deacon):
    professionals = {contact.email, teacher.email, deacon.email}
    to_professionals = [m for m in mail.outbox if m.to[0] in professionals]
    assert len(to_professionals) >= 12
    for message in to_professionals:
        text = body_of(message)
        for secret in PLAN_SECRETS:
            assert secret not in text, (message.subject, secret)
        assert "Tindra" not in text and "20150412" not in text
    with_calendar = [m for m in to_professionals if calendar_of(m)[0]]
    assert with_calendar
    for message in with_calendar:
        data, _method = calendar_of(message)
        [event] = Calendar.from_ical(data).walk("VEVENT")
        assert str(event["summary"]) == "Möte om en plan i Barnstödsportalen"


def test_guardians_get_plain_swedish_with_the_first_name_only(every_kind):
    to_guardian = [m for m in mail.outbox if m.to == [GUARDIAN_EMAIL]]
    subjects = sorted(m.subject for m in to_guardian)
    assert len(to_guardian) == 7, subjects  # invitation, change, reminder, day before, a second invitation, cancel, summary
    for message in to_guardian:
        text = body_of(message)
        assert CHILD_FAMILY not in text and CHILD_PNR not in text and "Oro för skolfrånvaro" not in text
        assert CHILD_GIVEN in text
    invitation = next(m for m in to_guardian if m.subject == "Välkommen till ett möte om Tindras plan")
    assert "Lars Lärare, Fagrabäcksskolan" in invitation.body  # who is invited
    assert "Tindra är med hela mötet." in invitation.body
    data, method = calendar_of(invitation)
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert method == "REQUEST" and str(event["summary"]) == "Möte om Tindras plan"
    summary = next(m for m in to_guardian if m.subject == "Sammanfattning av mötet om Tindras plan")
    assert "Tindra får läxhjälp två gånger i veckan." in summary.body


def test_calendar_files_change_and_cancel(every_kind, teacher):
    meeting = every_kind["meeting"]
    mine = [m for m in mail.outbox if m.to == [teacher.email]]
    invitation = next(m for m in mine if m.subject.startswith("Kallelse:"))
    changed = next(m for m in mine if m.subject.startswith("Ändrat:"))
    cancelled = next(m for m in mine if m.subject.startswith("Inställt:"))
    first = Calendar.from_ical(calendar_of(invitation)[0]).walk("VEVENT")[0]
    second = Calendar.from_ical(calendar_of(changed)[0]).walk("VEVENT")[0]
    assert str(first["uid"]) == str(second["uid"]) == f"teammeeting-{meeting.pk}@barnstodsportalen.se"
    assert (first["sequence"], second["sequence"]) == (0, 1)
    assert str(second["location"]) == "Familjecentralen" and str(first["location"]) == PLACE
    assert str(second["attendee"]) == f"mailto:{teacher.email}"
    data, method = calendar_of(cancelled)
    cal = Calendar.from_ical(data)
    assert method == "CANCEL" and str(cal["method"]) == "CANCEL"
    assert str(cal.walk("VEVENT")[0]["status"]) == "CANCELLED"
    assert str(cal.walk("VEVENT")[0]["uid"]) == f"teammeeting-{every_kind['cancelled'].pk}@barnstodsportalen.se"


def test_the_outbox_and_the_tasks_hold_no_guardian_address_or_child_name(every_kind):
    # the plan's own notices (an action's responsible person) are tested in tests/childplans
    for row in OutboundEmail.objects.exclude(kind__startswith="plan_"):
        assert row.subject == "" and row.body_text == "" and row.body_html == ""
        assert re.fullmatch(r"teammeeting:\d+", row.object_key)
        assert CHILD_GIVEN not in row.period + row.object_key + row.last_error
        assert GUARDIAN_EMAIL not in row.object_key + row.period + row.last_error
    assert list(inspect.signature(tasks.teammeeting_reminders.run).parameters) == []
    assert list(inspect.signature(portal_tasks.outbox_send.run).parameters) == ["outbox_id"]


def test_each_email_carries_its_own_link_and_only_the_hash_is_kept(every_kind, teacher):
    links = [LINK.search(m.body) for m in mail.outbox if m.to == [teacher.email]]
    tokens = [link.group(2) for link in links if link]
    assert len(tokens) >= 3 and len(set(tokens)) == len(tokens)
    stored = set(AnswerToken.objects.values_list("token_hash", flat=True))
    for token in tokens:
        assert token not in stored and hash_token(token) in stored


def test_the_minutes_notices_hold_a_link_and_nothing_else(every_kind, contact, teacher):
    meeting = every_kind["meeting"]
    ready = next(m for m in mail.outbox if m.to == [teacher.email] and "är klart" in m.subject)
    assert f"http://testserver/planer/{meeting.plan_id}/barnteam/{meeting.pk}/" in ready.body
    due = next(m for m in mail.outbox if m.to == [contact.email] and "inte stängt" in m.subject)
    assert f"/barnteam/{meeting.pk}/protokoll/" in due.body


def test_nothing_goes_to_a_member_removed_before_sending(full_plan, contact, deacon, django_capture_on_commit_callbacks):
    """The invitation is recorded, the deacon leaves the team before the worker sends it: the
    renderer drops it (nothing sent, the row marked obsolete)."""
    plan = full_plan["plan"]
    meeting = call(plan, contact)
    from childplans.models import TeamMember

    plan_services.team_remove(plan=plan, member=TeamMember.objects.get(plan=plan, user=deacon), by=contact)
    row = OutboundEmail.objects.get(kind=services.KIND_INVITATION, recipient=deacon.email)
    from portal.outbox import send_rows

    send_rows([row.pk])
    row.refresh_from_db()
    assert row.status == "failed" and row.last_error == "obsolete"
    assert not [m for m in mail.outbox if m.to == [deacon.email]]
    assert TeamMeeting.objects.get(pk=meeting.pk).status == "planned"


def test_batches_load_in_a_fixed_number_of_queries(full_plan, contact, teacher, deacon, guardian):
    """The fan-out of invitations: one batch, the same queries for 4 and for 24 invitees."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.outbox import send_rows

    from ..conftest import person

    plan = full_plan["plan"]

    def sending(meeting):
        ids = list(OutboundEmail.objects.filter(object_key=f"teammeeting:{meeting.pk}").values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            assert send_rows(ids) == len(ids)
        mine = [q["sql"] for q in ctx.captured_queries if "teammeetings_" in q["sql"] or "childplans_" in q["sql"]]
        return len(ids), len(mine)

    small = sending(call(plan, contact, guardians=[guardian]))
    org = full_plan["member"].organisation
    for i in range(20):
        user = person(f"larare{i}@skolan.se", org)
        plan_services.team_add(plan=plan, by=contact, user=user, organisation=org)
    large = sending(call(plan, contact, guardians=[guardian]))
    assert small[0] == 4 and large[0] == 24
    # the batch's meetings, invitees, who still has access and the tokens' insert: the same 4
    assert small[1] == large[1] == 4


def test_genitive():
    assert genitive("Saga") == "Sagas" and genitive("Jonas") == "Jonas" and genitive("Max") == "Max"


def test_an_answer_link_of_another_invitee_kind_is_not_shared(full_plan, contact, teacher, guardian, client):
    """The teacher's link answers for the teacher only (the token names one invitee)."""
    meeting = call(full_plan["plan"], contact, guardians=[guardian])
    from childplans.teammeetings.emails import load

    row = OutboundEmail.objects.get(kind=services.KIND_INVITATION, recipient=teacher.email)
    load([row])
    token = row.answer_token
    client.post(f"/barnteam/{meeting.pk}/svara/{token}/", {"response": "no"})
    assert Invitee.objects.get(meeting=meeting, team_member__user=teacher).response == "no"
    assert Invitee.objects.get(meeting=meeting, guardian=guardian).response == "pending"
    assert timezone.now()
