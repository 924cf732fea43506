"""The reminders (the Celery beat task ``teammeeting_reminders``): outbox rows only, once per person
and kind through the outbox's unique constraint."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from childplans.models import ChildPlan
from portal.outbox import outbox_add, outbox_add_many

from ..models import Invitee, TeamMeeting
from .common import (
    KIND_MINUTES_DUE,
    KIND_REMIND_DAY_BEFORE,
    KIND_REMIND_UNANSWERED,
    meeting_key,
    still_called,
)

# Reminders (the beat task): to those who have not answered this many days before the meeting,
# to everyone coming (or not yet answering) the day before, and to the contact person when the
# minutes are still open this many days after the meeting.
REMIND_UNANSWERED_DAYS = 3
REMIND_MINUTES_AFTER_DAYS = 3
MINUTES_REMINDER_HORIZON_DAYS = 60


def reminders_due(now=None):
    """Record every reminder that is due; the outbox's unique constraint makes each go out at most
    once per person and kind, however often and however concurrently this runs:

    - to invitees who have not answered, ``REMIND_UNANSWERED_DAYS`` days before the meeting;
    - to everyone invited who has not declined, the day before;
    - to the contact person, when the minutes are still open ``REMIND_MINUTES_AFTER_DAYS`` days
      after the meeting.

    Only invitations that still work (``still_called``): a removed member, or one whose
    organisation's consent was withdrawn, gets no more reminders. Returns the number of
    addresses considered (not the number of new e-mails)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    coming = TeamMeeting.objects.filter(
        status=TeamMeeting.Status.PLANNED, plan__status=ChildPlan.Status.ACTIVE, starts_at__gt=now,
        starts_at__lt=now + timedelta(days=REMIND_UNANSWERED_DAYS + 2), invitations_sent_at__isnull=False,
    )
    for meeting in coming:
        start_day = meeting.local_start.date()
        called = (
            Invitee.objects.filter(meeting=meeting, sent_at__isnull=False).exclude(email="").filter(still_called())
        )
        if start_day - timedelta(days=REMIND_UNANSWERED_DAYS) <= today:
            with transaction.atomic():
                count += outbox_add_many(
                    kind=KIND_REMIND_UNANSWERED,
                    recipients=called.filter(response=Invitee.Response.PENDING).values_list("email", flat=True),
                    object_key=meeting_key(meeting),
                )
        if start_day - timedelta(days=1) <= today:
            with transaction.atomic():
                count += outbox_add_many(
                    kind=KIND_REMIND_DAY_BEFORE,
                    recipients=called.exclude(response=Invitee.Response.NO).values_list("email", flat=True),
                    object_key=meeting_key(meeting),
                )
    open_minutes = TeamMeeting.objects.filter(
        status=TeamMeeting.Status.PLANNED, plan__status=ChildPlan.Status.ACTIVE,
        ends_at__lte=now - timedelta(days=REMIND_MINUTES_AFTER_DAYS),
        ends_at__gt=now - timedelta(days=MINUTES_REMINDER_HORIZON_DAYS),
    ).values_list("pk", "plan__contact_person__email")
    for pk, email in open_minutes:
        with transaction.atomic():
            if outbox_add(kind=KIND_MINUTES_DUE, recipient=email, object_key=meeting_key(pk)) is not None:
                count += 1
    return count
