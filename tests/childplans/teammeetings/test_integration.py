"""Barnteamets möte's e-mail for real (docs/security.md "Background work"): a real Redis broker, a
real Celery worker process, a real SMTP server on loopback and the test's PostgreSQL database.

The contact person calls five team members (herself included) and two guardians: seven
invitations, each once, each with a calendar file that parses; then the time changes (a new
SEQUENCE, METHOD:REQUEST), the reminder task runs three times at once (twice on the worker, once
here) and still each reminder arrives once, to those still on the team; then the meeting is
cancelled (METHOD:CANCEL). No professional's e-mail names the child; neither the outbox's subject
column nor the worker's log (task arguments) holds a guardian's address or the child's name."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from childplans import services as plan_services
from childplans.models import Consent, TeamMember
from childplans.teammeetings import services
from childplans.teammeetings.models import Invitee
from childplans.teammeetings.tasks import teammeeting_reminders
from portal.models import OutboundEmail
from tests.celery_harness import wait_until

from ..conftest import CHILD_FAMILY, CHILD_GIVEN, CHILD_PNR, GUARDIAN_EMAIL, SECRETS, person
from .helpers import at

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SECOND_GUARDIAN = "ture@example.se"


@pytest.fixture
def team(plan, contact, guardian, org_school, org_other, church):
    """The plan, its contact person, four more team members from the school, the region and the
    church (the guardian's consent covers them) and two guardians with addresses."""
    father = plan_services.guardian_add(plan=plan, by=contact, name="Ture Testbarnsson", relation="pappa",
                                        has_custody=True, email=SECOND_GUARDIAN)
    plan_services.consent_record(plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(),
                                 method=Consent.Method.WRITTEN, purposes="Samordning.",
                                 organisations=[org_school, org_other, church])
    members = []
    for email, org, first in (("mentor@skolan.se", org_school, "Maja"), ("kurator@skolan.se", org_school, "Kurt"),
                              ("bup@region.se", org_other, "Bodil"), ("diakon@kyrkan.se", church, "Dagny")):
        user = person(email, org, first_name=first, last_name="Teamsson")
        plan_services.team_add(plan=plan, by=contact, user=user, organisation=org)
        members.append(user)
    return plan, contact, members, [guardian, father]


def subject(msg):
    return " ".join(str(msg["Subject"]).split())


def settle(smtp, expected, message, timeout=45):
    wait_until(lambda: len(smtp.messages) >= expected, timeout, message=message)
    time.sleep(1.5)  # anything extra (a duplicate) would arrive now
    assert len(smtp.messages) == expected, sorted((m["To"], subject(m)) for m in smtp.messages)


def calendar(msg):
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(part.get_content())
    [event] = cal.walk("VEVENT")
    return part.get_param("method"), cal, event


def whole(msg):
    """Everything in a received message: headers, text, HTML and attachments, decoded."""
    parts = [subject(msg)]
    for part in msg.walk():
        if part.get_content_maintype() in ("text",):
            parts.append(part.get_content())
    return "\n".join(parts)


def test_invitations_change_reminders_and_cancel_once_each(worker_factory, smtp, team):
    plan, contact, members, guardians = team
    professionals = [contact.email, *(m.email for m in members)]
    addresses = sorted([*professionals, GUARDIAN_EMAIL, SECOND_GUARDIAN])
    worker = worker_factory(concurrency=2)

    # --- seven invitations, once each, with a calendar file that parses -------------------------------
    start = at(1, hour=9)  # tomorrow: both reminders will be due
    with transaction.atomic():
        meeting = services.meeting_call(plan=plan, by=contact, starts_at=start, ends_at=start + timedelta(hours=1),
                                        place="Skolans konferensrum", guardians=guardians)
    settle(smtp, 7, "seven invitations")
    assert sorted(m["To"] for m in smtp.messages) == addresses
    for msg in smtp.messages:
        method, cal, event = calendar(msg)
        assert method == "REQUEST" and str(cal["method"]) == "REQUEST"
        assert str(event["uid"]) == f"teammeeting-{meeting.pk}@barnstodsportalen.se" and event["sequence"] == 0
        assert str(event["attendee"]) == f"mailto:{msg['To']}"
        if msg["To"] in professionals:
            assert str(event["summary"]) == "Möte om en plan i Barnstödsportalen"
        else:
            assert str(event["summary"]) == f"Möte om {CHILD_GIVEN}s plan"

    # --- a new time: a new SEQUENCE, METHOD:REQUEST, to everyone -----------------------------------------
    with transaction.atomic():
        services.meeting_update(plan=plan, meeting=meeting, by=contact, starts_at=start + timedelta(hours=2),
                                ends_at=start + timedelta(hours=3))
    settle(smtp, 14, "seven change notices")
    changed = smtp.messages[7:]
    assert sorted(m["To"] for m in changed) == addresses
    for msg in changed:
        method, cal, event = calendar(msg)
        assert method == "REQUEST" and event["sequence"] == 1

    # --- one guardian declines, one member leaves the team; the reminders run three times at once ---
    with transaction.atomic():
        services.invitee_answer(invitee=Invitee.objects.get(meeting=meeting, guardian=guardians[1]), response="no")
        plan_services.team_remove(plan=plan, member=TeamMember.objects.get(plan=plan, user=members[3]), by=contact)
    teammeeting_reminders.delay()  # on the real worker (two processes)
    teammeeting_reminders.delay()
    teammeeting_reminders()  # and a third beat, here, at the same time
    # unanswered: three members and the first guardian; the day before: the contact person too
    settle(smtp, 14 + 4 + 5, "four unanswered and five day-before reminders")
    reminders = smtp.messages[14:]
    still = sorted([contact.email, *(m.email for m in members[:3]), GUARDIAN_EMAIL])
    assert sorted({m["To"] for m in reminders}) == still
    assert members[3].email not in {m["To"] for m in reminders} and SECOND_GUARDIAN not in {m["To"] for m in reminders}
    per_person = {}
    for msg in reminders:
        per_person.setdefault(msg["To"], []).append(subject(msg))
    for address, subjects in per_person.items():
        assert len(subjects) == len(set(subjects)), (address, subjects)  # each reminder once

    # --- cancelled: METHOD:CANCEL to those still called who have not declined ------------------------------
    with transaction.atomic():
        services.meeting_cancel(plan=plan, meeting=meeting, by=contact)
    settle(smtp, 23 + 5, "five cancellations")
    cancelled = smtp.messages[23:]
    assert sorted(m["To"] for m in cancelled) == still
    for msg in cancelled:
        method, cal, event = calendar(msg)
        assert method == "CANCEL" and str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
        assert event["sequence"] == 2

    # --- no child data to professionals; nothing personal in the outbox's subject or the task log ----------
    for msg in smtp.messages:
        if msg["To"] in professionals:
            text = whole(msg)
            for secret in SECRETS:
                assert secret not in text, (subject(msg), secret)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert set(OutboundEmail.objects.values_list("subject", flat=True)) == {""}
    log = worker.log.read_text()
    assert "succeeded" in log
    for secret in (GUARDIAN_EMAIL, SECOND_GUARDIAN, CHILD_GIVEN, CHILD_FAMILY, CHILD_PNR):
        assert secret not in log, secret
