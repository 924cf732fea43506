"""Calendar feeds and the reminders the beat sends (``meetings.services``)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from networks.models import NetworkMembership
from portal.audit import audit_record
from portal.outbox import outbox_add_many

from ..models import (
    CalendarFeed,
    Invitation,
    Meeting,
    new_token,
)
from .common import (
    KIND_CLOSE_REMINDER,
    KIND_REMIND_ATTENDING,
    KIND_REMIND_UNANSWERED,
    Action,
    meeting_key,
)

# --- calendar feed -------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_renew(*, user):
    """A new private feed URL (the old one stops working). Returns the raw token, shown once."""
    raw, digest = new_token()
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": digest, "created_at": timezone.now(), "last_used_at": None}
    )
    audit_record(action=Action.UPDATE, event="calendar_feed.renewed", user=user, obj=feed)
    return raw


@transaction.atomic
def calendar_feed_revoke(*, user):
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        audit_record(action=Action.DELETE, event="calendar_feed.revoked", user=user, obj=feed)
        feed.delete()


# --- reminders (Celery beat) ---------------------------------------------------------------------

REMINDER_HORIZON_DAYS = 60


def reminders_due(now=None):
    """Record every reminder that is due; the outbox's unique constraint makes each go out at
    most once per person and kind, however often this runs. Returns the number of addresses
    considered (not the number of new e-mails)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    meetings = Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        invitations_sent_at__isnull=False,
        starts_at__gt=now - timedelta(days=7),
        starts_at__lt=now + timedelta(days=REMINDER_HORIZON_DAYS),
    ).select_related("network")
    for meeting in meetings:
        start_day = timezone.localtime(meeting.starts_at).date()
        if meeting.starts_at > now:
            deadline = meeting.rsvp_deadline or start_day
            if deadline - timedelta(days=meeting.remind_unanswered_days) <= today <= deadline:
                with transaction.atomic():
                    count += outbox_add_many(
                        kind=KIND_REMIND_UNANSWERED,
                        recipients=Invitation.objects.filter(
                            meeting=meeting, response=Invitation.Response.PENDING, sent_at__isnull=False
                        ).values_list("email", flat=True),
                        object_key=meeting_key(meeting),
                    )
            if start_day - timedelta(days=meeting.remind_attending_days) <= today:
                with transaction.atomic():
                    count += outbox_add_many(
                        kind=KIND_REMIND_ATTENDING,
                        recipients=Invitation.objects.filter(
                            meeting=meeting, response=Invitation.Response.YES
                        ).values_list("email", flat=True),
                        object_key=meeting_key(meeting),
                    )
        elif meeting.ends_at <= now:
            with transaction.atomic():
                count += outbox_add_many(
                    kind=KIND_CLOSE_REMINDER,
                    recipients=NetworkMembership.objects.filter(
                        network_id=meeting.network_id, role=NetworkMembership.Role.COORDINATOR
                    ).values_list("user__email", flat=True),
                    object_key=meeting_key(meeting),
                )
    return count
