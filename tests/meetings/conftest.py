"""Fixtures for the meeting tests: a planned meeting of ``network`` (tests/conftest.py personas)
and helpers to send what the outbox holds (Celery runs eagerly; mail lands in mail.outbox)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Topic

TZ = ZoneInfo("Europe/Stockholm")


def local(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


def future(days=14, hour=13):
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


@pytest.fixture
def topics(db):
    names = ["ANDTS", "Barn som anhöriga"]
    return [Topic.objects.get_or_create(name=n)[0] for n in names]


@pytest.fixture
def meeting(db, network, coordinator, topics):
    starts = future(14)
    return services.meeting_schedule(
        network=network,
        by=coordinator,
        title="Nätverksträff om ANDTS",
        kind="natverkstraff",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Stadshuset, Västra Esplanaden 18, Växjö",
        description="Vi lär känna varandras verksamheter.",
        rsvp_deadline=(starts - timedelta(days=5)).date(),
        topics=topics,
    )


@pytest.fixture
def invited(meeting, coordinator, participant, django_capture_on_commit_callbacks):
    """``meeting`` with the network's members invited (mail sent)."""
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(meeting=meeting, by=coordinator)
    meeting.refresh_from_db()
    return meeting


def answer_urls(message):
    """The two answer links in a sent e-mail's plain text."""
    lines = [ln.strip() for ln in message.body.splitlines()]
    yes = next(ln for ln in lines if ln.endswith("?svar=ja"))
    no = next(ln for ln in lines if ln.endswith("?svar=nej"))
    return yes.replace("http://testserver", ""), no.replace("http://testserver", "")


@pytest.fixture
def meeting_series(db, network, coordinator, participant, topics, django_capture_on_commit_callbacks):
    """A series of three meetings of ``network`` (issue 21), the members invited."""
    from meetings import series

    starts = [future(days) for days in (30, 60, 90)]
    made = series.series_create(
        network=network, by=coordinator, title="Terminsträffarna i Växjö", starts=starts, length_minutes=120,
        place="Stadshuset, Växjö", topics=topics,
    )
    with django_capture_on_commit_callbacks(execute=True):
        series.series_invite(series=made, by=coordinator)
    made.refresh_from_db()
    return made
