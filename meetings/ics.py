"""iCalendar files (RFC 5545/5546, made with the ``icalendar`` library).

Every version of an event has the same UID; SEQUENCE grows when its time or place changes or it
is cancelled, so calendars replace the old entry. Times are written in Europe/Stockholm with a
VTIMEZONE, so they stay right across a daylight-saving change.

``event_ics`` is the generic piece: one event from plain values, with no knowledge of networks
or of what the event is about. The meetings' files (``meeting_ics``, ``feed_ics``) are built on
it, and so are the child plans' team meetings (childplans/teammeetings/emails.py), which this
app never imports."""

from datetime import date, timedelta
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vRecur, vText

from .models import Invitation, Meeting

PRODID = "-//Barnstödsportalen//Möten//SV"
TZ = ZoneInfo("Europe/Stockholm")

PARTSTAT = {
    Invitation.Response.PENDING: "NEEDS-ACTION",
    Invitation.Response.YES: "ACCEPTED",
    Invitation.Response.NO: "DECLINED",
    Invitation.Response.WAITLIST: "TENTATIVE",
}


def _organizer_address():
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@barnstodsportalen.se"


def meeting_url(meeting):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("meeting_detail", args=[meeting.pk])


def _attendee(email, name, partstat):
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["cn"] = vText(name or email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText(partstat)
    attendee.params["rsvp"] = vText("FALSE")
    return attendee


def _event(
    *, uid, sequence, starts_at, ends_at, summary, location="", description="", url="", organizer_name="",
    attendee_email=None, attendee_name="", partstat="NEEDS-ACTION", cancelled=False, last_modified=None,
    stamp=None,
):
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", starts_at.astimezone(TZ))
    event.add("dtend", ends_at.astimezone(TZ))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("description", description)
    if url:
        event.add("url", url)
    if last_modified:
        event.add("last-modified", last_modified)
    organizer = vCalAddress(f"mailto:{_organizer_address()}")
    organizer.params["cn"] = vText(organizer_name or "Barnstödsportalen")
    event.add("organizer", organizer)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if attendee_email:
        event.add("attendee", _attendee(attendee_email, attendee_name, partstat), encode=0)
    return event


def _meeting_event(meeting, *, invitation=None, cancelled=False, stamp=None):
    url = meeting_url(meeting)
    return _event(
        uid=meeting.uid,
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=meeting.title,
        location=", ".join(x for x in (meeting.place, meeting.video_url) if x),
        description="\n\n".join(x for x in (meeting.description, meeting.cost_note, url) if x),
        url=url,
        organizer_name=meeting.network.name,
        attendee_email=invitation.email if invitation is not None else None,
        attendee_name=invitation.display_name if invitation is not None else "",
        partstat=PARTSTAT.get(invitation.response, "NEEDS-ACTION") if invitation is not None else "NEEDS-ACTION",
        cancelled=cancelled or meeting.status == Meeting.Status.CANCELLED,
        last_modified=meeting.updated_at,
        stamp=stamp,
    )


def _calendar(method=None, name=None):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/Stockholm")
    return cal


@lru_cache(maxsize=16)
def _vtimezone(first_year, last_year):
    """The Europe/Stockholm VTIMEZONE for a span of years, serialised once: building and folding
    it is most of the cost of a calendar file, and it is the same in every file."""
    tz = Timezone.from_tzid("Europe/Stockholm", first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1))
    return tz.to_ical()


def _to_ical(cal, starts):
    """Serialise ``cal`` with the VTIMEZONE for the years the events (their start times) span,
    placed before the first event (RFC 5545 lets a VTIMEZONE appear anywhere among the
    components)."""
    years = [s.astimezone(TZ).year for s in starts] or [timezone.now().year]
    body = cal.to_ical()
    marker = b"BEGIN:VEVENT\r\n"
    at = body.find(marker)
    if at < 0:
        at = body.rfind(b"END:VCALENDAR")
    return body[:at] + _vtimezone(min(years) - 1, max(years) + 2) + body[at:]


def event_ics(
    *, uid, sequence, starts_at, ends_at, summary, location="", description="", url="", organizer_name="",
    attendee_email=None, attendee_name="", partstat="NEEDS-ACTION", cancelled=False, method="REQUEST",
    last_modified=None, stamp=None,
):
    """One event as an .ics (bytes), from plain values. ``method`` REQUEST for invitations and
    changes, CANCEL for a cancellation (the event is then CANCELLED), PUBLISH for a download.
    ``partstat`` is the attendee's iCalendar PARTSTAT (NEEDS-ACTION, ACCEPTED, DECLINED …);
    ``stamp`` the DTSTAMP (now by default). The caller decides what the file may say: this
    function adds nothing of its own but the organiser (the portal's address)."""
    cal = _calendar(method)
    cal.add_component(_event(
        uid=uid, sequence=sequence, starts_at=starts_at, ends_at=ends_at, summary=summary, location=location,
        description=description, url=url, organizer_name=organizer_name, attendee_email=attendee_email,
        attendee_name=attendee_name, partstat=partstat, cancelled=cancelled or method == "CANCEL",
        last_modified=last_modified, stamp=stamp,
    ))
    return _to_ical(cal, [starts_at])


def meeting_ics(meeting, *, invitation=None, method="REQUEST", stamp=None):
    """One meeting as an .ics (bytes). ``method`` REQUEST for invitations and changes, CANCEL for
    a cancellation, PUBLISH for a download. ``stamp`` is the DTSTAMP (now by default). An
    occurrence of a series is its series' event with its RECURRENCE-ID (``occurrence_ics``)."""
    if meeting.series_id is not None:
        return occurrence_ics(meeting, invitation=invitation, method=method, stamp=stamp)
    cancelled = method == "CANCEL"
    cal = _calendar(method)
    cal.add_component(_meeting_event(meeting, invitation=invitation, cancelled=cancelled, stamp=stamp))
    return _to_ical(cal, [meeting.starts_at])


def feed_ics(meetings_with_invitations, *, name):
    """A calendar feed: ``[(meeting, invitation_or_None), ...]``."""
    cal = _calendar("PUBLISH", name=name)
    single = [(m, inv) for m, inv in meetings_with_invitations if m.series_id is None]
    for meeting, invitation in single:
        cal.add_component(_meeting_event(meeting, invitation=invitation))
    if len(single) == len(meetings_with_invitations):
        return _to_ical(cal, [m.starts_at for m, _inv in meetings_with_invitations])
    _add_series_to_feed(cal, [(m, inv) for m, inv in meetings_with_invitations if m.series_id is not None])
    return _with_rule_vtimezone(cal)


# --- meeting series (issue 21) -------------------------------------------------------------------
#
# A series is ONE event for calendars: UID ``series-<id>@…``, DTSTART the first occurrence's
# original start, RRULE (a rule) or RDATE (picked dates), EXDATE for each cancelled occurrence,
# and an overriding VEVENT with RECURRENCE-ID (the original start) for each occurrence that was
# moved or changed, or that the attendee answered differently. The series' SEQUENCE grows with
# each series change; an occurrence's is the series' plus its own (both only grow).

# Europe/Stockholm with yearly rules (EU summer time: last Sunday of March 02.00 to last Sunday
# of October 03.00), valid for every year a series can reach; parsers that expand recurrences
# (vobject, dateutil) read it.
RULE_VTIMEZONE = (
    b"BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\n"
    b"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    b"DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    b"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
    b"DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    b"END:VTIMEZONE\r\n"
)


def _with_rule_vtimezone(cal):
    body = cal.to_ical()
    at = body.find(b"BEGIN:VEVENT\r\n")
    if at < 0:
        at = body.rfind(b"END:VCALENDAR")
    return body[:at] + RULE_VTIMEZONE + body[at:]


def series_url(series):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("series_my_answer", args=[series.pk])


def _location(obj):
    return ", ".join(x for x in (obj.place, obj.video_url) if x)


def _occurrence_sequence(meeting, series):
    return series.sequence + meeting.sequence


def _occurrence_event(meeting, series, *, invitation=None, cancelled=False, stamp=None):
    url = meeting_url(meeting)
    event = _event(
        uid=series.uid,
        sequence=_occurrence_sequence(meeting, series),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=meeting.title,
        location=_location(meeting),
        description="\n\n".join(x for x in (meeting.description, meeting.cost_note, url) if x),
        url=url,
        organizer_name=meeting.network.name,
        attendee_email=invitation.email if invitation is not None else None,
        attendee_name=invitation.display_name if invitation is not None else "",
        partstat=PARTSTAT.get(invitation.response, "NEEDS-ACTION") if invitation is not None else "NEEDS-ACTION",
        cancelled=cancelled or meeting.status == Meeting.Status.CANCELLED,
        last_modified=meeting.updated_at,
        stamp=stamp,
    )
    event.add("recurrence-id", meeting.recurrence_id.astimezone(TZ))
    return event


def _differs_from_master(meeting, series):
    expected_end = meeting.recurrence_id + timedelta(minutes=series.length_minutes)
    return (
        meeting.starts_at != meeting.recurrence_id or meeting.ends_at != expected_end
        or meeting.title != series.title or _location(meeting) != _location(series)
        or meeting.description != series.description
    )


def _series_events(series, meetings, *, invitations=None, stamp=None):
    """The series' master VEVENT and its overrides, from ALL its meetings (any order);
    ``invitations`` maps meeting id → the attendee's invitation (a personal file)."""
    invitations = invitations or {}
    meetings = sorted(meetings, key=lambda m: m.recurrence_id)
    first = meetings[0]
    network_name = first.network.name
    any_invitation = next(iter(invitations.values()), None)
    master = _event(
        uid=series.uid,
        sequence=series.sequence,
        starts_at=first.recurrence_id,
        ends_at=first.recurrence_id + timedelta(minutes=series.length_minutes),
        summary=series.title,
        location=_location(series),
        description="\n\n".join(x for x in (series.description, series_url(series)) if x),
        url=series_url(series),
        organizer_name=network_name,
        attendee_email=any_invitation.email if any_invitation is not None else None,
        attendee_name=any_invitation.display_name if any_invitation is not None else "",
        last_modified=series.updated_at,
        stamp=stamp,
    )
    if series.rrule:
        master.add("rrule", vRecur.from_ical(series.rrule))
    elif len(meetings) > 1:
        master.add("rdate", [m.recurrence_id.astimezone(TZ) for m in meetings[1:]])
    cancelled = [m for m in meetings if m.status == Meeting.Status.CANCELLED]
    if cancelled:
        master.add("exdate", [m.recurrence_id.astimezone(TZ) for m in cancelled])
    events = [master]
    for m in meetings:
        if m.status == Meeting.Status.CANCELLED:
            continue
        inv = invitations.get(m.pk)
        answered = inv is not None and inv.response != Invitation.Response.PENDING
        if answered or _differs_from_master(m, series):
            m.network = first.network
            events.append(_occurrence_event(m, series, invitation=inv, stamp=stamp))
    return events


def occurrence_ics(meeting, *, invitation=None, method="REQUEST", stamp=None):
    """One occurrence of a series: the series' UID with the occurrence's RECURRENCE-ID, so a
    calendar changes (REQUEST) or removes (CANCEL) that occurrence only."""
    series = meeting.series
    cal = _calendar(method)
    cal.add_component(_occurrence_event(
        meeting, series, invitation=invitation, cancelled=method == "CANCEL", stamp=stamp
    ))
    return _with_rule_vtimezone(cal)


def series_ics(series, meetings, *, invitations=None, method="REQUEST", stamp=None):
    """The whole series as one event (bytes): REQUEST for the invitation and a change to the
    series, PUBLISH for a download. ``meetings``: all the series' meetings."""
    cal = _calendar(method)
    for event in _series_events(series, meetings, invitations=invitations, stamp=stamp):
        cal.add_component(event)
    return _with_rule_vtimezone(cal)


def series_cancel_ics(series, meetings, *, invitation=None, stamp=None):
    """METHOD:CANCEL for the occurrences ``meetings`` (what was left when the series ended)."""
    cal = _calendar("CANCEL")
    for m in sorted(meetings, key=lambda m: m.recurrence_id):
        cal.add_component(_occurrence_event(m, series, invitation=invitation, cancelled=True, stamp=stamp))
    return _with_rule_vtimezone(cal)


def _add_series_to_feed(cal, pairs):
    """The feed's series: each one event with its overrides (one query for their meetings)."""
    series_ids = {m.series_id for m, _inv in pairs}
    invitations = {m.pk: inv for m, inv in pairs if inv is not None}
    by_series = {}
    for m in Meeting.objects.filter(series_id__in=series_ids).select_related("series", "network"):
        by_series.setdefault(m.series_id, []).append(m)
    for meetings in by_series.values():
        series = meetings[0].series
        mine = {m.pk: invitations[m.pk] for m in meetings if m.pk in invitations}
        for event in _series_events(series, meetings, invitations=mine):
            cal.add_component(event)

