"""Calling the meeting, changing its time or place, and cancelling it: the invitees, the agenda
drawn from the plan, and one e-mail per address in the outbox (a new time or place bumps the
calendar SEQUENCE; cancelling sends METHOD:CANCEL)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childplans import services as plan_services
from childplans.changes import history_add, history_diff, require_may_change, snapshot
from childplans.models import ConsentPurpose, TeamMember
from portal.outbox import outbox_add_many

from ..models import AgendaPoint, ChildPart, Invitee, TeamMeeting
from .common import (
    KIND_CANCELLED,
    KIND_CHANGED,
    KIND_INVITATION,
    MEETING_FIELDS,
    NOTIFY_FIELDS,
    check_time,
    full_clean_meeting,
    locked,
    meeting_key,
    require_contact,
    require_planned,
    still_called,
)
from .preparation import agenda_draft


@transaction.atomic
def meeting_call(
    *, plan, by, starts_at, ends_at, place="", video_url="", members=None, guardians=(), guardians_by_email=True,
    child_part=ChildPart.IN_ROOM, child_spokesperson="",
):
    """The contact person calls the team: ``members`` (TeamMember rows of the plan; every current
    member by default; the contact person always), the chosen ``guardians`` (by e-mail when
    ``guardians_by_email``: then each needs an address) and how the child takes part. The agenda
    is drawn from the plan; one invitation e-mail per address goes into the outbox."""
    require_may_change(plan)
    require_contact(plan, by)
    now = timezone.now()
    errors = check_time(starts_at, ends_at, now)
    current = {m.pk: m for m in TeamMember.objects.giving_access().filter(plan=plan).select_related("user", "organisation")}
    if members is None:
        chosen = list(current.values())
    else:
        chosen = []
        for m in members:
            pk = getattr(m, "pk", m)
            if pk not in current:
                errors.setdefault("members", _("Välj bara personer som är med i teamet."))
            else:
                chosen.append(current[pk])
    contact = next((m for m in current.values() if m.user_id == plan.contact_person_id), None)
    if contact is not None and contact not in chosen:
        chosen.insert(0, contact)
    if len([m for m in chosen if m.user_id != plan.contact_person_id]) == 0 and "members" not in errors:
        errors["members"] = _("Välj minst en person i teamet att kalla.")
    guardians = list(guardians)
    if guardians and not plan_services.purpose_covered(plan, ConsentPurpose.FAMILY):
        errors["guardians"] = plan_services.PURPOSE_REFUSED[ConsentPurpose.FAMILY]
    for g in guardians:
        if g.child_id != plan.child_id:
            errors["guardians"] = _("Välj bland barnets vårdnadshavare.")
    if guardians_by_email:
        missing = [g.name for g in guardians if not g.email]
        if missing:
            errors["guardians"] = _(
                "%(names)s har ingen e-postadress. Lägg till den under Barnet och vårdnadshavare, eller "
                "bjud in vårdnadshavarna på annat sätt än med e-post."
            ) % {"names": ", ".join(missing)}
    meeting = TeamMeeting(
        plan=plan, starts_at=starts_at, ends_at=ends_at, place=(place or "").strip(), video_url=video_url or "",
        child_part=child_part, child_spokesperson=(child_spokesperson or "").strip(),
        guardians_by_email=bool(guardians_by_email and guardians), created_by=by, invitations_sent_at=now,
    )
    full_clean_meeting(meeting, errors)
    meeting.save()
    invitees = [
        Invitee(meeting=meeting, team_member=m, email=m.user.email.lower(), sent_at=now,
                response=Invitee.Response.YES if m.user_id == plan.contact_person_id else Invitee.Response.PENDING,
                responded_at=now if m.user_id == plan.contact_person_id else None)
        for m in chosen
    ]
    invitees += [
        Invitee(meeting=meeting, guardian=g, email=g.email.lower() if guardians_by_email else "",
                sent_at=now if guardians_by_email else None)
        for g in guardians
    ]
    Invitee.objects.bulk_create(invitees)
    day = timezone.localtime(starts_at).date()
    AgendaPoint.objects.bulk_create(
        AgendaPoint(meeting=meeting, position=i, title=title[:300], source=source)
        for i, (source, title) in enumerate(
            agenda_draft(plan, day=day, child_part=child_part, child_spokesperson=meeting.child_spokesperson), start=1
        )
    )
    history_add(plan=plan, by=by, what=_("Barnteamets möte kallat"), field=_("tid"),
                new=f"{meeting.local_start:%Y-%m-%d %H:%M}")
    outbox_add_many(kind=KIND_INVITATION, recipients=[i.email for i in invitees if i.email],
                    object_key=meeting_key(meeting))
    return meeting


@transaction.atomic
def meeting_update(*, plan, meeting, by, **changes):
    """Change time, place or how the child takes part. A new time or place bumps the calendar
    SEQUENCE and sends everyone who has not declined an updated calendar file (REQUEST)."""
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown team meeting fields: {sorted(unknown)}")
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    before = snapshot(meeting, MEETING_FIELDS)
    old = {f: getattr(meeting, f) for f in NOTIFY_FIELDS}
    for name, value in changes.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) and name != "video_url" else value)
    errors = {}
    if meeting.starts_at != old["starts_at"] or meeting.ends_at != old["ends_at"]:
        errors = check_time(meeting.starts_at, meeting.ends_at, timezone.now())
    full_clean_meeting(meeting, errors)
    moved = [f for f in NOTIFY_FIELDS if getattr(meeting, f) != old[f]]
    if moved:
        meeting.sequence += 1
    meeting.save()
    history_diff(plan=plan, by=by, what=_("Barnteamets möte ändrat"), obj=meeting, before=before,
                 fields=MEETING_FIELDS)
    if moved:
        _notify(meeting, KIND_CHANGED, f"v{meeting.sequence}")
    return meeting, moved


def _notify(meeting, kind, period=""):
    """Everyone invited by e-mail who has not declined and whose invitation still works."""
    recipients = (
        Invitee.objects.filter(meeting=meeting, sent_at__isnull=False)
        .exclude(email="")
        .exclude(response=Invitee.Response.NO)
        .filter(still_called())
        .values_list("email", flat=True)
    )
    return outbox_add_many(kind=kind, recipients=recipients, object_key=meeting_key(meeting), period=period)


@transaction.atomic
def meeting_cancel(*, plan, meeting, by):
    """Cancel: everyone who has not declined gets a cancelling calendar file (METHOD:CANCEL)."""
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    meeting.status = TeamMeeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    history_add(plan=plan, by=by, what=_("Barnteamets möte inställt"), field=_("tid"),
                old=f"{meeting.local_start:%Y-%m-%d %H:%M}")
    _notify(meeting, KIND_CANCELLED)
    return meeting


def cancel_for_closed_plan(*, plan, by):
    """``plan_closed_hooks`` (childplans/hooks.py; issue 19 part 2): the plan closes, so its
    coming meetings are cancelled through ``meeting_cancel`` — the participants get the
    cancelling calendar file (METHOD:CANCEL) through the outbox, in the closing's transaction.
    A meeting already held (its minutes open or closed) is left as it is."""
    coming = TeamMeeting.objects.filter(
        plan=plan, status=TeamMeeting.Status.PLANNED, starts_at__gte=timezone.now()
    ).order_by("starts_at")
    return [meeting_cancel(plan=plan, meeting=meeting, by=by) for meeting in coming]
