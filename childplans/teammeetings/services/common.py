"""What the team meetings' services share: the outbox kinds, the fields, who is still called,
and the guards every change of a meeting passes (the plan may still change, the contact person,
a meeting still planned, locked for the change)."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from childplans.models import TeamMember
from portal.notices import meeting_change_is_urgent
from portal.queries import parse_id

from ..models import TeamMeeting

# Outbox kinds (renderers in emails.py).
KIND_INVITATION = "teammeeting_invitation"
KIND_CHANGED = "teammeeting_changed"
KIND_CANCELLED = "teammeeting_cancelled"
KIND_REMIND_UNANSWERED = "teammeeting_reminder_unanswered"
KIND_REMIND_DAY_BEFORE = "teammeeting_reminder_day_before"
KIND_MINUTES_DUE = "teammeeting_minutes_due"
KIND_MINUTES_READY = "teammeeting_minutes_ready"
KIND_GUARDIAN_SUMMARY = "teammeeting_guardian_summary"

NOTIFY_FIELDS = ("starts_at", "ends_at", "place", "video_url")
MEETING_FIELDS = ["starts_at", "ends_at", "place", "video_url", "child_part", "child_spokesperson"]
PREPARATION_FIELDS = ["family_topics", "not_before_child", "child_words"]
MINUTES_FIELDS = ["child_came", "other_participants", "decisions", "notes", "next_meeting_on", "child_took_part",
                  "guardians_know_plan", "send_summary", "guardian_summary"]


def meeting_key(meeting):
    return f"teammeeting:{meeting.pk if hasattr(meeting, 'pk') else meeting}"


def change_is_urgent(object_key):
    """A team meeting's change or cancellation goes out at once when the meeting is near
    (``portal.notices.meeting_change_is_urgent``); a meeting gone is no reason to wait."""
    pk = parse_id(object_key.partition(":")[2])
    starts_at = TeamMeeting.objects.filter(pk=pk).values_list("starts_at", flat=True).first() if pk else None
    return starts_at is None or meeting_change_is_urgent(starts_at)


def still_called():
    """Invitees whose invitation still works: a guardian, or a team member while they give access
    to the plan (removed, consent withdrawn or left the organisation: no more). Correlated on the
    invitee's team member, so it is an index lookup per invitee, whatever the number of plans."""
    return Q(guardian__isnull=False) | Exists(
        TeamMember.objects.giving_access().filter(pk=OuterRef("team_member_id"))
    )


def invitee_is_valid(invitee):
    """One invitee (with ``team_member`` loaded): does their invitation still work? One query for
    a member, none for a guardian."""
    if invitee.guardian_id is not None:
        return True
    return TeamMember.objects.giving_access().filter(pk=invitee.team_member_id).exists()


def require_contact(plan, by):
    if by.pk != plan.contact_person_id:
        raise ValidationError(_("Bara planens kontaktperson kan göra detta."))


def require_planned(meeting):
    if meeting.status == TeamMeeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    if meeting.status == TeamMeeting.Status.CLOSED:
        raise ValidationError(_("Protokollet är stängt och kan inte ändras."))


def locked(plan, meeting):
    """The meeting, locked for the change (and checked to be this plan's)."""
    if meeting.plan_id != plan.pk:
        raise ValidationError(_("Mötet hör inte till planen."))
    return TeamMeeting.objects.select_for_update().get(pk=meeting.pk)


def check_time(starts_at, ends_at, now):
    errors = {}
    if starts_at is not None and starts_at < now:
        errors["starts_at"] = _("Mötet kan inte ligga i det förflutna. Välj en tid som inte har passerat.")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("Mötet måste sluta efter att det börjar.")
    return errors


def full_clean_meeting(meeting, errors=None):
    errors = dict(errors or {})
    try:
        meeting.full_clean(exclude=["plan", "created_by", "closed_by", "review"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def short(text, length=200):
    return Truncator(" ".join(str(text).split())).chars(length)
