"""Team meeting objects for a plan, shared by tests/childplans/teammeetings and the plan-wide access
table (tests/childplans/test_access.py), so every team meeting URL has an object to point at."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from childplans.teammeetings import services

TZ = ZoneInfo("Europe/Stockholm")
PLACE = "Skolans konferensrum"


def at(days, hour=13, minute=0):
    """A time ``days`` from today, Swedish time."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def call(plan, by, *, days=7, hours=1.5, guardians=(), by_email=True, **extra):
    start = at(days)
    return services.meeting_call(
        plan=plan, by=by, starts_at=start, ends_at=start + timedelta(hours=hours), place=PLACE,
        guardians=guardians, guardians_by_email=by_email, **extra,
    )


def add_team_meeting(plan, by):
    """A coming team meeting that calls the whole team and the guardians with an address."""
    guardians = [g for g in plan.child.guardians.all() if g.email]
    return {"team_meeting": call(plan, by, guardians=guardians)}


def hold(meeting, *, hours_ago=2):
    """Make ``meeting`` one that has taken place (its minutes can be closed)."""
    from childplans.teammeetings.models import TeamMeeting

    start = timezone.now() - timedelta(hours=hours_ago)
    TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting
