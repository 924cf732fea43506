"""What the meeting services share: the outbox kinds, the fields that move calendars, the
meeting's outbox key and the notice to its invitees (``meetings.services``)."""


from django.contrib.auth import get_user_model

from portal.models import AuditEvent
from portal.notices import meeting_change_is_urgent
from portal.outbox import outbox_add_many
from portal.queries import parse_id

from ..models import (
    Invitation,
    Meeting,
)

User = get_user_model()
Action = AuditEvent.Action

# Changes to these fields move everyone's calendar: a new SEQUENCE and a notice to invitees.
NOTIFY_FIELDS = ("starts_at", "ends_at", "place", "video_url")
EDITABLE_FIELDS = (
    "title", "kind", "starts_at", "ends_at", "place", "video_url", "description", "rsvp_deadline",
    "capacity", "cost_note", "remind_unanswered_days", "remind_attending_days",
)

# Outbox kinds (renderers in meetings/emails.py).
KIND_INVITATION = "meeting_invitation"
KIND_ANSWER = "meeting_answer"
KIND_PROMOTED = "meeting_waitlist_promoted"
KIND_CHANGED = "meeting_changed"
KIND_CANCELLED = "meeting_cancelled"
KIND_REMIND_UNANSWERED = "meeting_reminder_unanswered"
KIND_REMIND_ATTENDING = "meeting_reminder_attending"
KIND_CLOSE_REMINDER = "meeting_close_reminder"


def meeting_key(meeting):
    return f"meeting:{meeting.pk if hasattr(meeting, 'pk') else meeting}"


def change_is_urgent(object_key):
    """A meeting's change or cancellation goes out at once while its answers are open or it is
    near (``portal.notices.meeting_change_is_urgent``); otherwise it may wait for a digest."""
    pk = parse_id(object_key.partition(":")[2])
    row = Meeting.objects.filter(pk=pk).values_list("starts_at", "rsvp_deadline").first() if pk else None
    return row is None or meeting_change_is_urgent(*row)


def _notify_invitees(meeting, kind, period, *, exclude_declined=True):
    qs = Invitation.objects.filter(meeting=meeting, sent_at__isnull=False)
    if exclude_declined:
        qs = qs.exclude(response=Invitation.Response.NO)
    return outbox_add_many(
        kind=kind, recipients=qs.values_list("email", flat=True), object_key=meeting_key(meeting), period=period
    )

def _coming_count(meeting):
    return Invitation.objects.filter(meeting=meeting, response=Invitation.Response.YES).count()
