"""iCalendar files (RFC 5545/5546, made with the ``icalendar`` library).

Every version of an event has the same UID; SEQUENCE grows when its time or place changes or it
is cancelled, so calendars replace the old entry. Times are written in Europe/Stockholm with a
VTIMEZONE, so they stay right across a daylight-saving change.

``event_ics`` is the generic piece: one event from plain values, with no knowledge of networks
or of what the event is about. The meetings' files (``meeting_ics``, ``feed_ics``) are built on
it, and so are the child plans' team meetings (childplans/teammeetings/emails.py), which this
app never imports."""

from datetime import date
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

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
    a cancellation, PUBLISH for a download. ``stamp`` is the DTSTAMP (now by default)."""
    cancelled = method == "CANCEL"
    cal = _calendar(method)
    cal.add_component(_meeting_event(meeting, invitation=invitation, cancelled=cancelled, stamp=stamp))
    return _to_ical(cal, [meeting.starts_at])


def feed_ics(meetings_with_invitations, *, name):
    """A calendar feed: ``[(meeting, invitation_or_None), ...]``."""
    cal = _calendar("PUBLISH", name=name)
    for meeting, invitation in meetings_with_invitations:
        cal.add_component(_meeting_event(meeting, invitation=invitation))
    return _to_ical(cal, [m.starts_at for m, _inv in meetings_with_invitations])
