"""Planning a meeting: the network's defaults, schedule, change, cancel, close, the agenda (``meetings.services``)."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record

from ..models import (
    AgendaItem,
    Meeting,
    NetworkMeetingDefaults,
)
from .common import (
    EDITABLE_FIELDS,
    KIND_CANCELLED,
    KIND_CHANGED,
    NOTIFY_FIELDS,
    Action,
    _coming_count,
    _notify_invitees,
)
from .invitations import _promote_waitlist

# --- network defaults --------------------------------------------------------------------------


def meeting_defaults_for(network):
    """The network's reminder and cost defaults (unsaved defaults when it has none)."""
    return NetworkMeetingDefaults.objects.filter(network=network).first() or NetworkMeetingDefaults(network=network)


@transaction.atomic
def meeting_defaults_set(*, network, by, remind_unanswered_days, remind_attending_days, cost_note):
    defaults = meeting_defaults_for(network)
    defaults.remind_unanswered_days = remind_unanswered_days
    defaults.remind_attending_days = remind_attending_days
    defaults.cost_note = cost_note
    defaults.full_clean()
    defaults.save()
    audit_record(action=Action.UPDATE, event="meeting_defaults.set", user=by, obj=defaults,
                 detail={"network_id": network.pk})
    return defaults


# --- plan, change, cancel, close ---------------------------------------------------------------


@transaction.atomic
def meeting_schedule(*, network, by, title, starts_at, ends_at, topics=(), **fields):
    """Plan a meeting. Reminder days and the cost note default to the network's settings."""
    defaults = meeting_defaults_for(network)
    fields.setdefault("remind_unanswered_days", defaults.remind_unanswered_days)
    fields.setdefault("remind_attending_days", defaults.remind_attending_days)
    if not fields.get("cost_note"):
        fields["cost_note"] = defaults.cost_note
    for key in [k for k, v in fields.items() if v is None and k in ("remind_unanswered_days", "remind_attending_days")]:
        fields[key] = getattr(defaults, key)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting(network=network, title=title, starts_at=starts_at, ends_at=ends_at, created_by=by, **fields)
    meeting.full_clean()
    meeting.save()
    if topics:
        meeting.topics.set(topics)
    audit_record(action=Action.CREATE, event="meeting.scheduled", user=by, obj=meeting,
                 detail={"network_id": network.pk})
    return meeting



@transaction.atomic
def meeting_update(*, meeting, by, topics=None, notify=True, **changes):
    """Change a planned meeting. A new time or place bumps the calendar SEQUENCE and tells every
    invitee who has not declined (unless ``notify`` is False: a series change tells them once
    for the whole series, meetings/series.py). Returns the list of changed fields that moved
    calendars."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Mötet är inställt eller avslutat och kan inte ändras."))
    old = {f: getattr(meeting, f) for f in NOTIFY_FIELDS}
    old_capacity = meeting.capacity
    for name, value in changes.items():
        setattr(meeting, name, value)
    errors = {}
    try:
        meeting.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    coming = _coming_count(meeting)
    if meeting.capacity is not None and meeting.capacity < coming:
        errors.setdefault("capacity", []).append(
            _("%(count)d personer har redan tackat ja. Antalet platser kan inte vara färre än så.")
            % {"count": coming}
        )
    if errors:
        raise ValidationError(errors)
    moved = [f for f in NOTIFY_FIELDS if getattr(meeting, f) != old[f]]
    if moved:
        meeting.sequence += 1
    meeting.save()
    if topics is not None:
        meeting.topics.set(topics)
    if old_capacity is not None and (meeting.capacity is None or meeting.capacity > old_capacity):
        _promote_waitlist(meeting)
    if moved and meeting.invitations_sent_at and notify:
        _notify_invitees(meeting, KIND_CHANGED, f"v{meeting.sequence}")
    audit_record(action=Action.UPDATE, event="meeting.updated", user=by, obj=meeting,
                 detail={"network_id": meeting.network_id, "fields": sorted(changes), "moved": moved,
                         "sequence": meeting.sequence})
    return moved


@transaction.atomic
def meeting_cancel(*, meeting, by, notify=True, now=None):
    """Cancel: every invitee who has not declined gets a notice with METHOD:CANCEL, once (unless
    ``notify`` is False: ending a series tells them once, meetings/series.py)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Mötet är redan inställt eller avslutat."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = now or timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    if meeting.invitations_sent_at and notify:
        _notify_invitees(meeting, KIND_CANCELLED, "")
    audit_record(action=Action.UPDATE, event="meeting.cancelled", user=by, obj=meeting,
                 detail={"network_id": meeting.network_id})
    return meeting


@transaction.atomic
def meeting_close(*, meeting, by):
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Mötet är redan inställt eller avslutat."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Mötet kan avslutas först när det har börjat."))
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(action=Action.UPDATE, event="meeting.closed", user=by, obj=meeting,
                 detail={"network_id": meeting.network_id})
    return meeting


@transaction.atomic
def agenda_set(*, meeting, by, items):
    """Replace the agenda with ``items``: dicts with title, responsible, responsible_name,
    duration_minutes, in order."""
    AgendaItem.objects.filter(meeting=meeting).delete()
    objs = []
    for position, item in enumerate(items, start=1):
        obj = AgendaItem(meeting=meeting, position=position, **item)
        obj.full_clean(exclude=["meeting"])
        objs.append(obj)
    AgendaItem.objects.bulk_create(objs)
    audit_record(action=Action.UPDATE, event="meeting.agenda_set", user=by, obj=meeting,
                 detail={"items": len(objs)})
    return objs
