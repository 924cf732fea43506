"""Attendance and minutes (``meetings.services``)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import NetworkMembership
from portal.audit import audit_record

from ..models import (
    Attendance,
    Invitation,
    Meeting,
    MinutesRevision,
)
from .common import (
    Action,
    User,
)

# --- attendance and minutes --------------------------------------------------------------------


def _attendance_from_invitation(inv, *, by, source):
    return Attendance(
        meeting_id=inv.meeting_id, invitation=inv, user_id=inv.user_id, name=inv.display_name, email=inv.email,
        organisation_id=inv.organisation_id, organisation_name=inv.organisation_name, source=source, recorded_by=by,
    )


@transaction.atomic
def attendance_set(*, meeting, by, invitation_ids):
    """Tick who came: invitees in ``invitation_ids`` are present, the other invitees are not.
    People added without an invitation stay."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    if meeting.starts_at > timezone.now() + timedelta(hours=2):
        raise ValidationError(_("Närvaro kan registreras först när mötet börjar."))
    wanted = set(invitation_ids)  # ids (the view's form cleaned them)
    invitations = {inv.pk: inv for inv in Invitation.objects.filter(meeting=meeting, pk__in=wanted)}
    present_rows = Attendance.objects.filter(
        meeting=meeting, invitation__isnull=False, status=Attendance.Status.PRESENT
    )
    present = set(present_rows.values_list("invitation_id", flat=True))
    present_rows.exclude(invitation_id__in=wanted).delete()  # back to what their answer says
    # A register mark (excused, absent) of someone ticked now becomes present.
    marked = Attendance.objects.filter(meeting=meeting, invitation_id__in=wanted).exclude(
        status=Attendance.Status.PRESENT
    )
    remarked = set(marked.values_list("invitation_id", flat=True))
    marked.update(status=Attendance.Status.PRESENT, source=Attendance.Source.COORDINATOR, recorded_by=by,
                  recorded_at=timezone.now())
    present |= remarked
    users_present = set(Attendance.objects.filter(meeting=meeting, user__isnull=False).values_list("user_id", flat=True))
    new = []
    for pk, inv in invitations.items():
        if pk in present or (inv.user_id and inv.user_id in users_present):
            continue
        new.append(_attendance_from_invitation(inv, by=by, source=Attendance.Source.COORDINATOR))
    Attendance.objects.bulk_create(new)
    audit_record(action=Action.UPDATE, event="attendance.set", user=by, obj=meeting,
                 detail={"present_invitations": sorted(wanted & set(invitations)), "added": len(new) + len(remarked),
                         "removed": sorted(present - wanted)})
    return len(new) + len(remarked)


@transaction.atomic
def attendance_add_walk_in(*, meeting, by, name, email="", organisation=None, organisation_name=""):
    """Someone who came without an invitation."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first() if email else None
    present = Attendance.objects.filter(status=Attendance.Status.PRESENT)
    if user is not None and present.filter(meeting=meeting, user=user).exists():
        raise ValidationError({"email": _("%(email)s är redan markerad som närvarande.") % {"email": email}})
    inv = Invitation.objects.filter(meeting=meeting, email=email).first() if email else None
    if inv is not None:
        if present.filter(invitation=inv).exists():
            raise ValidationError({"email": _("%(email)s är redan markerad som närvarande.") % {"email": email}})
    # A register mark (excused, absent) gives way to the person who came after all.
    stale = Q(invitation=inv) if inv is not None else Q(pk__in=[])
    if user is not None:
        stale |= Q(meeting=meeting, user=user)
    Attendance.objects.filter(stale).exclude(status=Attendance.Status.PRESENT).delete()
    att = Attendance(
        meeting=meeting, invitation=inv, user=user, name=name.strip(), email=email, organisation=organisation,
        organisation_name=organisation_name.strip(), recorded_by=by,
    )
    att.full_clean(exclude=["meeting", "invitation", "user", "organisation"])
    att.save()
    audit_record(action=Action.CREATE, event="attendance.walk_in_added", user=by, obj=att,
                 detail={"meeting_id": meeting.pk})
    return att


def checkin_window(meeting):
    return meeting.starts_at - timedelta(hours=2), meeting.ends_at + timedelta(hours=2)


@transaction.atomic
def attendance_checkin(*, meeting, user):
    """A participant scanned the meeting's QR code: mark them present (once)."""
    opens, closes = checkin_window(meeting)
    if meeting.status == Meeting.Status.CANCELLED or not (opens <= timezone.now() <= closes):
        raise ValidationError(_("Incheckningen är inte öppen just nu."))
    existing = Attendance.objects.filter(meeting=meeting, user=user).first()
    if existing is not None and existing.status == Attendance.Status.PRESENT:
        return existing, False
    if existing is not None:  # marked excused or absent in the register: they came after all
        existing.delete()
    inv = Invitation.objects.filter(meeting=meeting, user=user).first()
    if inv is not None:
        att = _attendance_from_invitation(inv, by=user, source=Attendance.Source.CHECKIN)
        Attendance.objects.filter(invitation=inv).delete()
    else:
        membership = NetworkMembership.objects.filter(network_id=meeting.network_id, user=user).first()
        att = Attendance(
            meeting=meeting, user=user, name=user.display_name, email=user.email,
            organisation_id=membership.organisation_id if membership else None,
            source=Attendance.Source.CHECKIN, recorded_by=user,
        )
    att.save()
    audit_record(action=Action.CREATE, event="attendance.checked_in", user=user, obj=att,
                 detail={"meeting_id": meeting.pk})
    return att, True


@transaction.atomic
def attendance_remove(*, attendance, by):
    audit_record(action=Action.DELETE, event="attendance.removed", user=by, obj=attendance,
                 detail={"meeting_id": attendance.meeting_id})
    attendance.delete()


@transaction.atomic
def minutes_save(*, meeting, by, text, follow_ups=""):
    """Save the minutes as a new revision (the history is kept)."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    latest = MinutesRevision.objects.filter(meeting=meeting).order_by("-number").first()
    if latest is not None and latest.text == text and latest.follow_ups == follow_ups:
        return latest
    rev = MinutesRevision(
        meeting=meeting, number=(latest.number + 1) if latest else 1, text=text, follow_ups=follow_ups, author=by
    )
    rev.full_clean(exclude=["meeting", "author"])
    rev.save()
    audit_record(action=Action.CREATE, event="minutes.saved", user=by, obj=rev,
                 detail={"meeting_id": meeting.pk, "revision": rev.number})
    return rev
