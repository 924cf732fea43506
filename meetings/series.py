"""Meeting series (issue 21): the network's year planned at once.

A series is a title, kind, place, length, default topics and agenda, and its dates (a rule or
picked dates, meetings/recurrence.py). Each occurrence is a normal ``Meeting`` (agenda,
invitations, answers, check-in, minutes as for any meeting) with ``series`` and
``recurrence_id`` (its original start). The services here plan, invite, change and end a
series through the meeting services (meetings/services/), so every rule of a meeting holds for
an occurrence; each writes its audit row in its transaction.

Calendars see ONE event per series (meetings/ics.py): the invitation carries the series with its
RRULE or RDATE (KIND_SERIES_INVITATION, once per person); a change to one occurrence goes out
for that occurrence only (the meeting services' KIND_CHANGED / KIND_CANCELLED, with
RECURRENCE-ID); a change to this-and-following or all goes out once as a series update
(KIND_SERIES_CHANGED, per new SEQUENCE); ending the series cancels what is left
(KIND_SERIES_ENDED, METHOD:CANCEL). Reminders stay per occurrence (``services.reminders_due``)."""

import datetime
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import AuditEvent
from portal.outbox import outbox_add_many

from . import services
from .models import AgendaItem, Invitation, Meeting, MeetingSeries
from .recurrence import TZ

Action = AuditEvent.Action

KIND_SERIES_INVITATION = "meeting_series_invitation"
KIND_SERIES_CHANGED = "meeting_series_changed"
KIND_SERIES_ENDED = "meeting_series_ended"
KIND_SERIES_ANSWER = "meeting_series_answer"

SCOPE_ONE = "one"
SCOPE_FOLLOWING = "following"
SCOPE_ALL = "all"
SCOPES = (SCOPE_ONE, SCOPE_FOLLOWING, SCOPE_ALL)

SERIES_FIELDS = ("title", "kind", "place", "video_url", "description")
MAX_AGENDA_ITEMS = 40


def series_key(series):
    return f"series:{series.pk if hasattr(series, 'pk') else series}"


def coming(series, now=None):
    """The series' planned meetings that have not begun, in order."""
    return Meeting.objects.filter(
        series=series, status=Meeting.Status.PLANNED, starts_at__gt=now or timezone.now()
    ).order_by("recurrence_id")


def _agenda_lines(agenda):
    return [line.strip()[:200] for line in (agenda or "").splitlines() if line.strip()][:MAX_AGENDA_ITEMS]


def _invitee_emails(meeting_ids, *, exclude_declined=False):
    qs = Invitation.objects.filter(meeting_id__in=meeting_ids, sent_at__isnull=False)
    if exclude_declined:
        qs = qs.exclude(response=Invitation.Response.NO)
    return set(qs.values_list("email", flat=True))


@transaction.atomic
def series_create(*, network, by, title, starts, length_minutes, rrule="", kind=Meeting.Kind.NETWORK, place="",
                  video_url="", description="", agenda="", topics=()):
    """Plan a series: one meeting per start in ``starts`` (aware datetimes, from
    meetings/recurrence.py, which keeps the bounds), each ``length_minutes`` long, with the
    series' topics and agenda."""
    series = MeetingSeries(
        network=network, title=title, kind=kind, place=place, video_url=video_url, description=description,
        agenda=agenda, length_minutes=length_minutes, rrule=rrule, created_by=by,
    )
    series.full_clean()
    if not place and not video_url:
        raise ValidationError({"place": _("Ange en plats, en videolänk eller båda.")})
    series.save()
    if topics:
        series.topics.set(topics)
    lines = _agenda_lines(agenda)
    items = []
    for start in starts:
        meeting = services.meeting_schedule(
            network=network, by=by, title=title, kind=kind, starts_at=start,
            ends_at=start + timedelta(minutes=length_minutes), place=place, video_url=video_url,
            description=description, topics=topics,
        )
        Meeting.objects.filter(pk=meeting.pk).update(series=series, recurrence_id=start)
        items += [AgendaItem(meeting=meeting, position=n, title=t) for n, t in enumerate(lines, start=1)]
    AgendaItem.objects.bulk_create(items)
    audit_record(action=Action.CREATE, event="meeting_series.created", user=by, obj=series,
                 detail={"network_id": network.pk, "meetings": len(starts), "rule": bool(rrule)})
    return series


@transaction.atomic
def series_invite(*, series, by, include_regional=False, include_local=False):
    """Invite the network's members (and, if asked, the regional or local networks') to every
    coming meeting of the series, and send each new invitee ONE invitation with the whole series
    in one calendar event. Returns the number of new invitations."""
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    if series.is_ended:
        raise ValidationError(_("Serien är avslutad."))
    meetings = list(coming(series))
    if not meetings:
        raise ValidationError(_("Serien har inga kommande möten att bjuda in till."))
    before = _invitee_emails([m.pk for m in meetings])
    count = 0
    for meeting in meetings:
        count += services.meeting_invite(
            meeting=meeting, by=by, include_regional=include_regional, include_local=include_local, notify=False
        )
    emails = _invitee_emails([m.pk for m in meetings]) - before
    outbox_add_many(kind=KIND_SERIES_INVITATION, recipients=emails, object_key=series_key(series))
    if series.invitations_sent_at is None:
        series.invitations_sent_at = timezone.now()
        series.save(update_fields=["invitations_sent_at", "updated_at"])
    audit_record(action=Action.CREATE, event="meeting_series.invitations_sent", user=by, obj=series,
                 detail={"network_id": series.network_id, "invitations": count, "people": len(emails)})
    return count


def _at(day, at):
    return datetime.datetime.combine(day, at).replace(tzinfo=TZ)


@transaction.atomic
def series_update(*, series, by, scope, meeting, start_time, end_time, **fields):
    """Change the series from ``meeting`` on: ``scope`` "one" (this meeting only: its invitees
    get an update for this occurrence), "following" (this and the coming ones after it) or
    "all" (every coming meeting, and the series itself); the last two send one series update.
    ``fields``: title, kind, place, video_url, description; ``start_time``/``end_time`` the
    time of day (each meeting keeps its date). Returns the changed meetings."""
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:
        raise TypeError(f"unknown series fields: {sorted(unknown)}")
    if scope not in SCOPES:
        raise ValidationError({"scope": _("Välj vilka möten ändringen gäller.")})
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    if series.is_ended:
        raise ValidationError(_("Serien är avslutad och kan inte ändras."))
    if meeting.series_id != series.pk:
        raise ValidationError({"meeting": _("Mötet hör inte till serien.")})
    if end_time <= start_time:
        raise ValidationError({"end_time": _("Mötet måste sluta efter att det börjar.")})
    if not fields.get("place") and not fields.get("video_url"):
        raise ValidationError({"place": _("Ange en plats, en videolänk eller båda.")})
    if scope == SCOPE_ONE:
        targets = [meeting]
    elif scope == SCOPE_FOLLOWING:
        targets = list(coming(series).filter(recurrence_id__gte=meeting.recurrence_id))
    else:
        targets = list(coming(series))
    targets = [m for m in targets if m.status == Meeting.Status.PLANNED and not m.is_over]
    if not targets:
        raise ValidationError({"meeting": _("Mötet är inställt, avslutat eller redan genomfört.")})
    for m in targets:
        day = m.local_start.date()
        services.meeting_update(
            meeting=m, by=by, notify=scope == SCOPE_ONE, starts_at=_at(day, start_time),
            ends_at=_at(day, end_time), **fields,
        )
    if scope == SCOPE_ALL:
        for name, value in fields.items():
            setattr(series, name, value)
        length = datetime.datetime.combine(datetime.date.min, end_time) - datetime.datetime.combine(
            datetime.date.min, start_time
        )
        series.length_minutes = int(length.total_seconds() // 60)
        series.full_clean()
    if scope != SCOPE_ONE:
        series.sequence += 1
        series.save()
        if series.invitations_sent_at:
            outbox_add_many(
                kind=KIND_SERIES_CHANGED,
                recipients=_invitee_emails([m.pk for m in targets], exclude_declined=False),
                object_key=series_key(series), period=f"v{series.sequence}",
            )
    audit_record(action=Action.UPDATE, event="meeting_series.updated", user=by, obj=series,
                 detail={"network_id": series.network_id, "scope": scope, "meetings": [m.pk for m in targets],
                         "fields": sorted(fields), "sequence": series.sequence})
    return targets


@transaction.atomic
def series_end(*, series, by):
    """End the series: every coming meeting is cancelled, and their invitees get ONE
    cancellation (METHOD:CANCEL) of what is left. Past meetings stay as they are."""
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    if series.is_ended:
        raise ValidationError(_("Serien är redan avslutad."))
    now = timezone.now()
    left = list(coming(series, now))
    for m in left:
        services.meeting_cancel(meeting=m, by=by, notify=False, now=now)
    series.ended_at = now
    series.sequence += 1
    series.save(update_fields=["ended_at", "sequence", "updated_at"])
    if left and series.invitations_sent_at:
        outbox_add_many(kind=KIND_SERIES_ENDED, recipients=_invitee_emails([m.pk for m in left]),
                        object_key=series_key(series))
    audit_record(action=Action.UPDATE, event="meeting_series.ended", user=by, obj=series,
                 detail={"network_id": series.network_id, "cancelled": [m.pk for m in left]})
    return left


def ended_occurrences(series):
    """The meetings cancelled when the series ended (the series' cancellation e-mail)."""
    if series.ended_at is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(series=series, status=Meeting.Status.CANCELLED, cancelled_at=series.ended_at)


@transaction.atomic
def series_answer(*, series, user, answers):
    """My answers for the series at once: ``answers`` maps meeting id → "yes" or "no" (a meeting
    left out keeps its answer). Each goes through ``services.invitation_answer`` (capacity,
    waiting list, its audit row); the person gets ONE confirmation with the series' calendar
    file carrying each answer. Returns the number of answers changed."""
    invitations = {
        inv.meeting_id: inv
        for inv in Invitation.objects.filter(user=user, meeting__series=series).select_related("meeting")
    }
    unknown = set(answers) - set(invitations)
    if unknown:
        raise ValidationError(_("Du är inte inbjuden till alla de valda mötena."))
    changed = 0
    for meeting_id, response in sorted(answers.items(), key=lambda kv: invitations[kv[0]].meeting.starts_at):
        inv = invitations[meeting_id]
        current = Invitation.Response.YES if inv.response == Invitation.Response.WAITLIST else inv.response
        if response == current or not inv.meeting.is_open_for_answers:
            continue
        services.invitation_answer(invitation=inv, response=response, by=user, notify=False)
        changed += 1
    if changed:
        outbox_add_many(kind=KIND_SERIES_ANSWER, recipients=[inv.email], object_key=series_key(series),
                        period=f"answer:{timezone.now().isoformat()}")
        audit_record(action=Action.UPDATE, event="meeting_series.answered", user=user, obj=series,
                     detail={"network_id": series.network_id, "answers": {str(k): v for k, v in answers.items()}})
    return changed
