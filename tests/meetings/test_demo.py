"""The demo meetings: created once, and a reminder is due at once (the embedded default's
worker beat sends it as a mail file without any extra step)."""

import pytest
from django.core import mail

from meetings import services
from meetings.demo import load_meeting_demo
from meetings.models import Meeting
from networks.demo import load_demo
from portal.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_demo_meetings_and_a_reminder_due_now(django_capture_on_commit_callbacks):
    load_demo()
    with django_capture_on_commit_callbacks(execute=True):
        created = load_meeting_demo()
    assert created["möten"] >= 2 and created["inbjudningar"] > 0
    assert Meeting.objects.filter(status="closed").exists() and Meeting.objects.filter(status="planned").exists()
    assert load_meeting_demo() == {"möten": 0, "inbjudningar": 0}
    assert any(m.subject.startswith("Inbjudan:") for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_due()
    reminders = [m for m in mail.outbox if m.subject.startswith("Påminnelse: svara")]
    assert reminders
    assert OutboundEmail.objects.filter(kind=services.KIND_REMIND_UNANSWERED, status="sent").count() == len(reminders)


def test_the_demo_series_has_held_and_coming_meetings(django_capture_on_commit_callbacks):
    from meetings.demo import load_series_demo
    from meetings.models import MeetingSeries

    load_demo()
    with django_capture_on_commit_callbacks(execute=True):
        assert load_series_demo() == {"mötesserier": 1}
    series = MeetingSeries.objects.get()
    assert series.network.name == "Barnstödsnätverket i Växjö"
    statuses = list(Meeting.objects.filter(series=series).order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["closed", "closed", "planned", "planned", "planned"]
    held = Meeting.objects.filter(series=series, status="closed")
    assert all(m.attendances.exists() and m.minutes_revisions.exists() for m in held)
    published = [m.minutes_revisions.filter(published_at__isnull=False).exists() for m in held.order_by("starts_at")]
    assert published == [True, False]  # the last waits for the coordinator's "Publicera"
    assert any(m.subject.startswith("Inbjudan: Terminsträffar i Växjö (3 möten)") for m in mail.outbox)
    assert load_series_demo() == {"mötesserier": 0}


def test_the_held_demo_meetings_carry_a_register_and_published_minutes(django_capture_on_commit_callbacks):
    from meetings import register
    from meetings.minutes import KIND_MINUTES
    from meetings.models import AgendaItem, MinutesRevision

    load_demo()
    with django_capture_on_commit_callbacks(execute=True):
        load_meeting_demo()
    held = list(Meeting.objects.filter(status="closed"))
    assert held
    for meeting in held:
        counts = register.register_counts(register.register_for(meeting))
        assert counts["present"] > 0 and counts["excused"] > 0, meeting  # the "nej" answers came in time
        assert MinutesRevision.objects.get(meeting=meeting).published_at is not None
        coming = Meeting.objects.filter(network=meeting.network, status="planned").order_by("starts_at").first()
        follow = MinutesRevision.objects.get(meeting=meeting).follow_ups
        if coming and follow.strip():
            assert AgendaItem.objects.filter(meeting=coming).count() > 0
    assert any(m.subject.startswith("Minnesanteckningar från") for m in mail.outbox)
    assert OutboundEmail.objects.filter(kind=KIND_MINUTES, status="sent").exists()
